# api/: dvr-api, the Neutron v2.0 REST API (libevent, jansson), IPAM.

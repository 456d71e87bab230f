/*
 * controller/metadata: the metadata service of dvr-controller, without
 * any namespace (doc/dhcp-metadata.md).
 *
 * Contract
 *   - It owns one OVS internal port on the integration bridge,
 *     METADATA_PORT_NAME, which it creates and gives the address
 *     169.254.169.254/16 on the host; once that is done, metadata_run()
 *     reports the port's OpenFlow number and MAC in the services_chassis,
 *     and pipeline/services steers each local VIF's HTTP to
 *     169.254.169.254:80 to it, source-NATed to the VIF's client address
 *     (services_meta_client_ip()).
 *   - An HTTP server (libevent evhttp, on a thread of its own) listens on
 *     169.254.169.254:80 and identifies the instance by the source address
 *     of each request alone.  It serves, from a snapshot of the NB rows of
 *     the local ports that the main loop refreshes (the thread never
 *     touches the IDL): the OpenStack (/openstack/VERSION/meta_data.json,
 *     user_data) and EC2 (/VERSION/meta-data/..., user-data) trees; or,
 *     with a Nova metadata URL, it proxies every request there with the
 *     headers of the Neutron metadata agent (X-Instance-ID, X-Tenant-ID,
 *     X-Forwarded-For, X-Instance-ID-Signature: HMAC-SHA256 of the
 *     instance ID with the shared secret, in hex).
 *   - A request from an address that is no local VIF's gets 404.
 */

#ifndef CONTROLLER_METADATA_H
#define CONTROLLER_METADATA_H 1

#include <stdint.h>

#define METADATA_PORT_NAME "dvr-meta"

struct ds;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct services_chassis;
struct simap;

struct metadata_options {
    const char *proxy_url;          /* Nova's metadata URL, or NULL. */
    const char *secret;             /* Its shared secret, or NULL. */
    uint16_t http_port;             /* 80. */
};

struct metadata *metadata_create(const struct metadata_options *);
void metadata_destroy(struct metadata *);

/* Keeps the port on 'int_bridge' (in 'ovs_txn', if any) and the address
 * configured, the snapshot of the local ports ('vifs': iface-id ->
 * ofport) current, and the server running; sets 'sc''s metadata fields. */
void metadata_run(struct metadata *, struct ovsdb_idl_txn *ovs_txn,
                  struct ovsdb_idl *ovs_idl, const char *int_bridge,
                  struct ovsdb_idl *nb_idl, const struct simap *vifs,
                  struct services_chassis *sc);
void metadata_wait(struct metadata *);

void metadata_format_status(struct metadata *, struct ds *);

/* The hex HMAC-SHA256 of 'instance_id' with 'secret', as the Neutron
 * metadata agent signs X-Instance-ID.  The caller frees it. */
char *metadata_sign(const char *secret, const char *instance_id);

#endif /* controller/metadata.h */

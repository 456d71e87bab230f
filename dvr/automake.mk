# dvr/: L3: distributed routers, floating IPs, SNAT.

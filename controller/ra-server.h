/*
 * controller/ra-server: IPv6 router advertisements on the VM's own node
 * (doc/ipv6.md).  dvr-controller, not radvd, advertises the IPv6 subnets
 * of a local port's network that have an ipv6_ra_mode: in answer to the
 * port's router solicitations (PIN_ND_RS packet-ins of pipeline/services'
 * flows, through the VIF's own meter) and unsolicited, once when the VIF
 * appears and then every 60-200 s (random), each as a packet-out to the
 * VIF alone.
 *
 * Contract
 *   - Stateless but for the timers: every advertisement comes from the NB
 *     rows as the IDL has them (pipeline/ra builds it).
 *   - An advertisement carries one prefix option per such subnet (A flag
 *     for slaac and dhcpv6-stateless, L always), M for dhcpv6-stateful, O
 *     for dhcpv6-stateless, the network's MTU, RDNSS for the subnets'
 *     IPv6 dns_nameservers; it comes from the link-local address and MAC
 *     of the router interface on such a subnet, with router lifetime
 *     RA_SERVER_ROUTER_LIFETIME, or, without a router interface, from
 *     SERVICES_MAC with router lifetime 0 (no default route).
 *   - Malformed solicitations (pipeline/ra's checks) and those of ports
 *     with nothing to advertise are dropped and counted.
 */

#ifndef CONTROLLER_RA_SERVER_H
#define CONTROLLER_RA_SERVER_H 1

#include <stdbool.h>

struct ds;
struct nbrec_port;
struct ovsdb_idl;
struct pinctrl;
struct ra_info;
struct simap;

/* Seconds: three times the longest interval between advertisements. */
#define RA_SERVER_ROUTER_LIFETIME 600
/* The interval between unsolicited advertisements, in milliseconds. */
#define RA_SERVER_MIN_INTERVAL 60000
#define RA_SERVER_MAX_INTERVAL 200000

struct ra_server *ra_server_create(struct ovsdb_idl *nb_idl);
void ra_server_destroy(struct ra_server *);

/* Registers the server for PIN_ND_RS packet-ins on 'pinctrl'. */
void ra_server_attach(struct ra_server *, struct pinctrl *);

/* Sends the unsolicited advertisements that are due to the VIFs 'vifs'
 * (iface-id -> br-int ofport). */
void ra_server_run(struct ra_server *, struct pinctrl *,
                   const struct simap *vifs);
void ra_server_wait(const struct ra_server *);

void ra_server_format_status(const struct ra_server *, struct ds *);

/* Fills 'ra' with what 'port' is to be told, from the NB rows in 'idl'.
 * Returns false if there is nothing to advertise to it. */
bool ra_server_info_for_port(struct ovsdb_idl *,
                             const struct nbrec_port *, struct ra_info *);

#endif /* controller/ra-server.h */

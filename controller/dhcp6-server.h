/*
 * controller/dhcp6-server: the DHCPv6 server of dvr-controller
 * (doc/ipv6.md).  It answers the PIN_DHCP6 packet-ins of pipeline/services'
 * flows (a VIF's UDP 546 -> 547, through its own meter) with packet-outs
 * to the VIF they came from: on a dhcpv6-stateless subnet the DNS servers
 * and domain search list (Information-request), on a dhcpv6-stateful one
 * also the port's fixed address in an IA_NA (Solicit -> Advertise,
 * Request/Renew/Rebind -> Reply, rapid commit), Confirm checked against
 * the network's prefixes, Release and Decline acknowledged.
 *
 * Contract
 *   - Stateless: every answer comes from the NB rows as the IDL has them
 *     (the port named by the packet-in's userdata), so a restarted
 *     controller answers renewals as before; the server's DUID is the
 *     DUID-LL of SERVICES_MAC, the same on every node and every restart.
 *   - A port whose network has no IPv6 subnet with enable_dhcp and an
 *     ipv6_address_mode of dhcpv6-stateful or dhcpv6-stateless gets no
 *     answer.  Malformed, oversized or foreign messages (pipeline/dhcp6's
 *     checks, another server's identifier) are dropped and counted by
 *     reason; nothing a VM sends can crash the server.
 *   - Settings from NB_Global's options, as the DHCPv4 server: dns_domain
 *     (default "openstacklocal", the domain search list) and
 *     dhcp_lease_time (seconds, default 86400: valid and preferred
 *     lifetimes; T1 is half of it, T2 four fifths).
 */

#ifndef CONTROLLER_DHCP6_SERVER_H
#define CONTROLLER_DHCP6_SERVER_H 1

#include <stdbool.h>

struct dhcp6_lease;
struct ds;
struct nbrec_nb_global;
struct nbrec_port;
struct ovsdb_idl;
struct pinctrl;

struct dhcp6_server *dhcp6_server_create(struct ovsdb_idl *nb_idl);
void dhcp6_server_destroy(struct dhcp6_server *);

/* Registers the server for PIN_DHCP6 packet-ins on 'pinctrl'. */
void dhcp6_server_attach(struct dhcp6_server *, struct pinctrl *);

void dhcp6_server_format_status(const struct dhcp6_server *, struct ds *);

/* Fills 'lease' for 'port' from the NB rows in 'idl' ('global' may be
 * NULL).  Returns false if the port's network has no DHCPv6 subnet. */
bool dhcp6_server_lease_for_port(struct ovsdb_idl *,
                                 const struct nbrec_port *,
                                 const struct nbrec_nb_global *,
                                 struct dhcp6_lease *);

#endif /* controller/dhcp6-server.h */

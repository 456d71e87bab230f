/*
 * controller/dhcp-server: the DHCPv4 server of dvr-controller.  It answers
 * the PIN_DHCP packet-ins of pipeline/services' flows with packet-outs to
 * the VIF they came from, leasing each port its fixed IP with the options
 * of its subnet and network (doc/dhcp-metadata.md lists them).
 *
 * Contract
 *   - Stateless: every answer comes from the NB database as the IDL has it
 *     at that moment (the port named by the packet-in's userdata), so a
 *     restarted controller answers renewals as before.
 *   - Malformed, truncated, oversized or foreign messages (chaddr not the
 *     port's MAC, a port without a DHCP-enabled IPv4 subnet) are dropped
 *     and counted by reason; nothing a VM sends can crash the server.
 *   - Settings from NB_Global's options: dns_domain (default
 *     "openstacklocal") and dhcp_lease_time (seconds, default 86400).
 */

#ifndef CONTROLLER_DHCP_SERVER_H
#define CONTROLLER_DHCP_SERVER_H 1

#include <stdbool.h>

struct dhcp_lease;
struct ds;
struct nbrec_nb_global;
struct nbrec_port;
struct ovsdb_idl;
struct pinctrl;

struct dhcp_server *dhcp_server_create(struct ovsdb_idl *nb_idl);
void dhcp_server_destroy(struct dhcp_server *);

/* Registers the server for PIN_DHCP packet-ins on 'pinctrl'. */
void dhcp_server_attach(struct dhcp_server *, struct pinctrl *);

void dhcp_server_format_status(const struct dhcp_server *, struct ds *);

/* Fills 'lease' for 'port' from the NB rows ('global' may be NULL).
 * Returns false if the port has no IPv4 address on a subnet with DHCP. */
bool dhcp_server_lease_for_port(const struct nbrec_port *,
                                const struct nbrec_nb_global *,
                                struct dhcp_lease *);

#endif /* controller/dhcp-server.h */

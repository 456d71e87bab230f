/*
 * pipeline/services: the compiler of the flows that steer a VIF's DHCP and
 * metadata traffic to dvr-controller's services (table T_PUNT, see
 * pipeline/tables.h and doc/dhcp-metadata.md).
 *
 * Contract
 *   - Pure, like pipeline/l2: NB rows and what the chassis knows in, flows
 *     out, no I/O.  A port's flows carry the port's cookie; the caller
 *     appends them to the port's other flows.
 *   - DHCP: a local port with an IPv4 address on a subnet with enable_dhcp
 *     gets a flow that sends its DHCP requests (UDP 68 -> 67, broadcast or
 *     unicast) to the controller as PIN_DHCP packet-ins, with the port's
 *     UUID as the rest of the userdata, through its per-VIF meter and
 *     PIN_METER_ID; and an ARP answer for the DHCP server's address (the
 *     subnet's gateway, or SERVICES_META_IP without one) and for
 *     SERVICES_META_IP at a priority below the one of a real port that
 *     owns that address.  On a provider network (flat, vlan), where the
 *     gateway may be a physical router, the gateway is never answered
 *     here: only what owns it does.  Any other port gets none of that:
 *     its requests reach no server.
 *   - Router solicitations: a local port's go to the controller (table
 *     port_security, SERVICES_PRIO_RS) as PIN_ND_RS packet-ins with its
 *     UUID, through the same meters; they go nowhere else.
 *   - DHCPv6: likewise a local port's client messages (UDP 546 -> 547) go
 *     to the controller as PIN_DHCP6 packet-ins (controller/dhcp6-server,
 *     which answers only ports on a network with a DHCPv6 subnet), at the
 *     same priority, and nowhere else.
 *   - Metadata: once the metadata port exists ('meta_ofport'), a local
 *     port's TCP to SERVICES_META_IP:80 is source-NATed in conntrack zone
 *     ZONE_META_BASE | ofport to services_meta_client_ip(ofport) and sent
 *     to the metadata port; the replies are un-NATed in the same zone and
 *     sent back to the port through its security groups (sg_ingress).  So
 *     the service tells ports apart by source address even when tenants
 *     use the same IPs.  With 'meta_ip6', for a port with an IPv6 fixed
 *     IP, the same for TCP to
 *     [SERVICES_META_IP6]:80, NATed to services_meta_client_ip6(ofport),
 *     and the port's neighbour solicitations for SERVICES_META_IP6 (the
 *     metadata port's for the client addresses) are answered.
 */

#ifndef PIPELINE_SERVICES_H
#define PIPELINE_SERVICES_H 1

#include <stdbool.h>

#include "openvswitch/types.h"
#include "packets.h"
#include "pipeline/flow.h"

struct ds;
struct nbrec_fixed_ip;
struct nbrec_nb_global;
struct nbrec_network;
struct nbrec_port;
struct nbrec_subnet;

/* The metadata service's address, and the DHCP server identifier of a
 * subnet without a gateway. */
#define SERVICES_META_IP 0xa9fea9fe             /* 169.254.169.254 */
/* The MAC the DHCP server and the metadata address answer from. */
#define SERVICES_MAC ETH_ADDR_C(02, 00, a9, fe, a9, fe)
/* The metadata port's address: SERVICES_META_IP/16 on the host. */
#define SERVICES_META_PLEN 16
/* The metadata service's IPv6 address (link-local, as recent Neutron
 * serves it), on the metadata port too; its neighbour solicitations are
 * answered with SERVICES_MAC, like the IPv4 address's ARP. */
#define SERVICES_META_IP6 "fe80::a9fe:a9fe"
/* reg0 bit 16: the packet has been through the metadata NAT. */
#define SERVICES_FLAG_META 0x10000

/* The priority, in table port_security, of the flow that sends a VIF's
 * IPv6 router solicitations (ICMPv6 type 133, code 0) to the controller
 * as PIN_ND_RS packet-ins, through its meters (controller/ra-server),
 * above the port's own flows. */
#define SERVICES_PRIO_RS 150
/* The same for a VIF's DHCPv6 client messages (UDP 546 -> 547), as
 * PIN_DHCP6 packet-ins (controller/dhcp6-server). */
#define SERVICES_PRIO_DHCP6 150

/* The chassis-wide facts the service flows need. */
struct services_chassis {
    ofp_port_t meta_ofport;         /* The metadata port, or OFPP_NONE. */
    struct eth_addr meta_mac;       /* Its MAC. */
    bool use_meters;                /* The switch has the pinctrl meters. */
    bool meta_ip6;                  /* The metadata port serves
                                     * SERVICES_META_IP6 too. */
};

/* The link-local address that stands for the VIF 'ofport' towards the
 * metadata service: 169.254.64.0/18 + ofport (ofport < 0x4000). */
ovs_be32 services_meta_client_ip(ofp_port_t ofport);
/* The reverse: the ofport of 'ip', or OFPP_NONE if it is not one. */
ofp_port_t services_meta_client_ofport(ovs_be32 ip);
/* The same over IPv6: fe80::a9fe:4000:0/114 + ofport on the metadata
 * port's link, and the reverse. */
void services_meta_client_ip6(ofp_port_t ofport, struct in6_addr *);
ofp_port_t services_meta_client6_ofport(const struct in6_addr *);
/* The VIF that the metadata service's peer 'peer' (an IPv4 or IPv6
 * address in text, with or without a "%scope") stands for, or
 * OFPP_NONE. */
ofp_port_t services_meta_peer_ofport(const char *peer);

/* The fixed IP of 'port' that DHCP serves (the first IPv4 address on a
 * subnet with enable_dhcp), or NULL. */
const struct nbrec_fixed_ip *services_dhcp_ip(const struct nbrec_port *);

/* True if 'net' is tunnelled (vxlan, geneve): no physical host is on it,
 * and dvrflow stands for its gateway when no router does. */
bool services_network_is_virtual(const struct nbrec_network *);

/* The DHCP server identifier of the subnet of 'fip'. */
ovs_be32 services_dhcp_server_ip(const struct nbrec_fixed_ip *);

/* Appends to 's' what the chassis-wide facts are, for a signature that
 * changes when they do (the caller then recompiles everything). */
void services_chassis_format(const struct services_chassis *, struct ds *);
/* Writes to 'buf' (of 'size' bytes) the domain the DHCP servers hand
 * out: NB_Global options:dns_domain ("openstacklocal" without one, "" when
 * it is empty), without its trailing dot. */
void services_dns_domain(const struct nbrec_nb_global *, char *buf,
                         size_t size);

/* True if 'a' and 'b' hold the same values (services_chassis_format()
 * formats each field). */
bool services_chassis_equal(const struct services_chassis *,
                            const struct services_chassis *);

/* True if tracked 'subnet' changed what its ports' service flows depend on
 * (enable_dhcp, gateway_ip): their ports need a recompile. */
bool services_subnet_changed(const struct nbrec_subnet *);

/* Chassis-wide flows: classification of the metadata port's traffic and
 * ARP for the client addresses. */
void services_compile_skeleton(const struct services_chassis *,
                               struct flow_list *int_flows);

/* A local port's flows (the caller knows that 'nb' is bound here on
 * 'ofport', on the network whose local VLAN, its metadata, is 'lvid'). */
void services_compile_port(const struct services_chassis *,
                           const struct nbrec_port *nb, ofp_port_t ofport,
                           uint16_t lvid, struct flow_list *int_flows);

/* A local trunk subport's flows: as services_compile_port() for its pseudo
 * port 'ofport' (pipeline/trunk.h), but its packet-ins go through the
 * meter of its parent's VIF 'parent', and the metadata service, which
 * knows a VM by its VIF, is its parent's only. */
void services_compile_subport(const struct services_chassis *,
                              const struct nbrec_port *nb, ofp_port_t ofport,
                              ofp_port_t parent, uint16_t lvid,
                              struct flow_list *int_flows);

#endif /* pipeline/services.h */

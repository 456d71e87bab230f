/*
 * dvr/pf: the floating-IP port-forwarding compiler.  Pure functions from
 * a floating IP's NB Port_Forwarding rows, resolved for this chassis by
 * the caller (dvr/engine-fip.c), to br-int flows (doc/routing.md, "Port
 * forwarding"; doc/pipeline.md).
 *
 * A floating IP used for port forwarding has no port of its own and may
 * lead to several VMs on several nodes.  Its router's gateway chassis
 * receive its traffic (the active one answers ARP for it) and forward each
 * packet, untranslated, by protocol and destination port to the VM's node
 * through the tunnel of the VM's network.  The VM's node translates it
 * (conntrack DNAT in the VM's floating-IP zone) and routes it to the VM;
 * the replies are translated back there and leave through the gateway
 * chassis, from the floating IP's MAC.
 *
 * Contract
 *   - No I/O and no logging.  The flows carry the floating IP's cookie.
 *     A forwarding that cannot be compiled (bad protocol or port, no port,
 *     an internal address not on its port or on none of the router's
 *     subnets, an external port another forwarding of the same floating IP
 *     and protocol already has) is skipped and described in 'errors'; the
 *     others are compiled.
 *   - IPv4, TCP and UDP, single ports or port ranges (Neutron's
 *     floating-ip-port-forwarding-port-ranges): external ports
 *     ext_port..ext_port_end map to int_port + i, or all to int_port when
 *     the internal side is a single port; one flow per port (as OVN's one
 *     load-balancer VIP per port), so a range is at most PF_MAX_RANGE
 *     ports long and a longer one is skipped.
 */

#ifndef DVR_PF_H
#define DVR_PF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dvr/l3.h"
#include "openvswitch/types.h"
#include "packets.h"

struct nbrec_port_forwarding;

/* The longest port range of one forwarding (dvr-api refuses longer). */
#define PF_MAX_RANGE 256

/* One forwarding as this chassis sees it. */
struct pf_rule {
    const struct nbrec_port_forwarding *nb;
    uint8_t proto;                  /* IPPROTO_TCP or IPPROTO_UDP. */
    uint16_t ext_port;              /* The floating IP's ports... */
    uint16_t ext_port_end;          /* ...ext_port..ext_port_end... */
    uint16_t int_port;              /* ...to the VM's int_port.. */
    uint16_t int_port_end;          /* ...int_port_end (or int_port). */
    ovs_be32 vm_ip;                 /* The internal address, */
    struct eth_addr vm_mac;         /* its port's MAC, */
    uint16_t lvid;                  /* its network's local VLAN, */
    struct eth_addr router_mac;     /* the router's MAC... */
    ovs_be32 router_ip;             /* ...and address on that network. */
    bool local;                     /* The VM is on this chassis, */
    ofp_port_t vm_ofport;           /* at this br-int port (NAT zone). */
};

/* Parses forwarding 'nb' of a floating IP routed by 'r' into 'rule'
 * (all but 'local' and 'vm_ofport').  Returns an error naming it, or
 * NULL. */
char *pf_parse(const struct nbrec_port_forwarding *nb,
               const struct l3_router *r, struct pf_rule *rule)
    OVS_WARN_UNUSED_RESULT;

struct pf_fip {
    const struct nbrec_floating_ip *nb;
    ovs_be32 fip;                   /* The floating IP... */
    struct eth_addr mac;            /* ...and its floating port's MAC. */
    uint16_t ext_lvid;              /* The external network's local VLAN. */
    const struct l3_router *router; /* Its router, active here. */
    const struct pf_rule *rules;    /* Its forwardings, in UUID order. */
    size_t n_rules;
};

/* Adds the flows of 'f''s forwardings to 'out': the gateway chassis' part
 * if this chassis is one of the router's, each local VM's part.  A
 * forwarding whose protocol and one of its external ports an earlier one
 * has is skipped with an error. */
void pf_compile(const struct pf_fip *, struct l3_output *);

#endif /* dvr/pf.h */

/*
 * pipeline/sg: the security group compiler.  Pure functions from security
 * groups and their rules, parsed and resolved by the caller, to flows in
 * br-int's sg_egress (20-29) and sg_ingress (70-79) tables.
 *
 * Model (doc/security-groups.md has the whole design)
 *   - Every IP packet a filtered VIF sends or receives goes through
 *     conntrack in the VIF's own zone (its ofport).  Invalid packets are
 *     dropped.  Every other packet, new or not, is judged against the
 *     rules of the port's groups on the connection's original direction
 *     tuple (ct_nw_src, ct_nw_dst, ct_nw_proto, ct_tp_src, ct_tp_dst): a
 *     packet in the original direction against the rules of its own
 *     direction, a reply (ct_state +rpl) against those of the other
 *     direction.  So a reply passes exactly while the rule that let its
 *     connection in still exists, still matches and still applies to the
 *     port; a rule removed, or a remote group member gone, cuts the
 *     connections it alone allowed, with the next packet.
 *   - New connections that pass are committed to the zone.
 *   - A port's groups are tried one after the other: table sg_port_groups
 *     loads each group's id into reg5 and resubmits to sg_rules, whose
 *     flows all match their group's reg5, so that the flows of different
 *     groups never share a key.  A rule that matches sets reg0 bit
 *     SG_FLAG_ALLOW.
 *   - A rule's destination ports become a few masked matches; a rule with
 *     a remote group is a conjunction of its protocol/port matches
 *     (clause 1) and one flow per IP address of the remote group (clause
 *     2), and the flow of one address carries the conjunction actions of
 *     every rule of the group that needs it.  So flows grow with rules plus
 *     members, never with their product.
 *   - A member's address stands for the member only on the member's own
 *     network: networks may overlap, and another tenant's port may have
 *     the same address on another network.  So before the rules, table
 *     sg_*_peer loads into reg8 (REG_SG_PEER) the local id of the network
 *     the packet's peer (its source in sg_ingress, its destination in
 *     sg_egress) is on: the packet's network if the peer's MAC is not a
 *     router's; if it is router R's, the network of R's connected subnet
 *     that has the peer's address (R only routes from a subnet what comes
 *     from that subnet: dvr/l3's source check), else 0.  An address
 *     flow matches reg8 = the member's network.
 *
 * Contract
 *   - No I/O and no logging.  Invalid rules produce no flow and an error
 *     string (malloc'd, naming the rule and the field) that the caller
 *     logs; the group's other rules compile.
 *   - Output depends only on the arguments: the same groups, ports and
 *     addresses always give the same flows (conjunction ids come from the
 *     rule UUIDs, see sg_rules_parse()).
 */

#ifndef PIPELINE_SG_H
#define PIPELINE_SG_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "pipeline/flow.h"
#include "pipeline/tables.h"

struct nbrec_port;
struct nbrec_security_group;
struct svec;

/* The external_ids key in which dvr-api records a rule's remote group.  If
 * the group is deleted behind the API's back, the database drops the weak
 * reference (a rule without remote group allows every address), and the
 * key shows that the rule had one: the rule is then skipped as invalid. */
#define SG_REMOTE_GROUP_KEY "dvrflow:remote-group-id"

/* Tables (pipeline/tables.h gives the ranges). */
enum {
    T_SG_EGRESS_CT = T_SG_EGRESS + 1,     /* Into conntrack. */
    T_SG_EGRESS_STATE = T_SG_EGRESS + 2,  /* Conntrack state -> rules. */
    T_SG_EGRESS_VERDICT = T_SG_EGRESS + 3,/* Commit and pass, or drop. */
    T_SG_EGRESS_PEER = T_SG_EGRESS + 4,   /* dl_dst -> peer (reg8). */
    T_SG_PORT_GROUPS = T_SG_EGRESS + 5,   /* reg6 port -> its groups. */
    T_SG_RULES = T_SG_EGRESS + 6,         /* The rules (reg5 group). */
    T_SG_EGRESS_PEER_NET = T_SG_EGRESS + 7, /* Router, nw_dst -> peer. */
    T_SG_INGRESS_CT = T_SG_INGRESS + 1,
    T_SG_INGRESS_STATE = T_SG_INGRESS + 2,
    T_SG_INGRESS_VERDICT = T_SG_INGRESS + 3,
    T_SG_INGRESS_PEER = T_SG_INGRESS + 4, /* dl_src -> peer (reg8). */
    T_SG_INGRESS_PEER_NET = T_SG_INGRESS + 7, /* Router, nw_src -> peer. */
};

/* Where a packet goes once sg_egress lets it through. */
#define T_SG_EGRESS_NEXT T_PUNT

/* Registers and reg0 flags (bits 8-15 of reg0 belong to security
 * groups). */
#define REG_SG_GROUP 5                    /* The group being tried. */
#define REG_SG_PORT 6                     /* The port: ofport = zone. */
#define REG_SG_PEER 8                     /* The peer's network (lvid). */
#define SG_BIT_RULE_INGRESS 9             /* Judge by ingress rules. */
#define SG_BIT_ALLOW 10                   /* A rule matched. */
#define SG_FLAG_RULE_INGRESS (1u << SG_BIT_RULE_INGRESS)
#define SG_FLAG_ALLOW (1u << SG_BIT_ALLOW)

/* Priorities in T_SG_RULES. */
#define SG_PRIO_RULE 100                  /* A rule in one flow. */
#define SG_PRIO_CONJ 90                   /* Conjunctions. */

/* Port ranges as masked matches. */
struct sg_port_match {
    uint16_t value;
    uint16_t mask;
};

/* Splits [min, max] into the fewest value/mask pairs that together match
 * exactly that range (at most 30 for 16 bits).  Stores them in 'out' and
 * returns their number. */
size_t sg_split_port_range(uint16_t min, uint16_t max,
                           struct sg_port_match out[32]);

/* One rule, parsed. */
struct sg_rule {
    struct uuid uuid;
    uint64_t cookie;
    bool ingress;                   /* Else egress. */
    bool ipv6;                      /* Else IPv4. */
    int proto;                      /* IP protocol, -1 for any. */
    bool has_ports;                 /* Destination ports restricted. */
    uint16_t port_min, port_max;
    int icmp_type, icmp_code;       /* -1 for any. */
    bool has_prefix;                /* Remote IP prefix (not /0). */
    struct in6_addr prefix, mask;   /* IPv4 as IPv4-mapped IPv6. */
    bool has_remote_group;
    struct uuid remote_group;
    uint32_t conj_id;               /* With a remote group. */
};

/* The valid rules of one group, parsed, sorted by UUID. */
struct sg_rules {
    struct uuid group;
    struct sg_rule *rules;
    size_t n;
};

/* Parses the rules of 'sg' into 'out'.  Invalid rules are left out and
 * their errors appended to 'errors'.  Each rule with a remote group gets a
 * conjunction id, unique in the group, from its UUID. */
void sg_rules_parse(const struct nbrec_security_group *, struct sg_rules *out,
                    struct svec *errors);
void sg_rules_destroy(struct sg_rules *);

/* Parses one rule; returns an error naming the rule, or NULL. */
char *sg_rule_parse(const struct nbrec_security_group *,
                    size_t rule_index, struct sg_rule *)
    OVS_WARN_UNUSED_RESULT;

/* The IP addresses of 'port' (fixed IPs), as IPv4-mapped or IPv6
 * addresses, sorted and unique; returns their number.  Invalid addresses
 * are left out (the L2 compiler reports them). */
size_t sg_port_addresses(const struct nbrec_port *, struct in6_addr **);

/* True if the security groups of 'port' do not apply to it at all: port
 * security off, or a router or floating IP port. */
bool sg_port_is_unfiltered(const struct nbrec_port *);

/* The static flows of the security group tables. */
void sg_compile_skeleton(struct flow_list *);

/* A local port as the security group pipeline sees it. */
struct sg_port {
    uint64_t cookie;                /* The port's. */
    ofp_port_t ofport;              /* Its br-int port, also its zone. */
    bool filtered;
    const uint32_t *group_ids;      /* Its groups' reg5 ids, in order. */
    size_t n_groups;
};

void sg_compile_port(const struct sg_port *, struct flow_list *);

/* The flows of 'rules' of the group with reg5 id 'group_id', but for the
 * addresses of remote groups (sg_compile_remote_address()).  'cookie' is
 * the group's: it goes on flows several rules share. */
void sg_compile_group(const struct sg_rules *, uint32_t group_id,
                      uint64_t cookie, struct flow_list *);

/* The conjunction clause flows for address 'addr' on the network with
 * local id 'net' in the group with reg5 id 'group_id': one for the rules
 * of 'rules' for which ('addr', 'net') is a remote address by
 * 'in_group'(remote group UUID, addr, net, aux), per direction.  Produces
 * nothing if no rule needs the address. */
typedef bool sg_in_group_cb(const struct uuid *group,
                            const struct in6_addr *addr, uint16_t net,
                            void *aux);
void sg_compile_remote_address(const struct sg_rules *, uint32_t group_id,
                               uint64_t cookie, const struct in6_addr *addr,
                               uint16_t net, sg_in_group_cb *in_group,
                               void *aux, struct flow_list *);

/* One interface of a router, as the peer tables see it. */
struct sg_router_iface {
    uint16_t lvid;                  /* Its network's local id. */
    struct eth_addr mac;            /* The router's MAC there. */
    ovs_be32 ip, mask;              /* Its IPv4 subnet (0 if none). */
    struct in6_addr ip6, mask6;     /* Its IPv6 subnet (zero if none). */
};

/* The peer flows of the router with local id 'lid' (from the local-id
 * space of networks, so the two never share a value): its MAC on each
 * interface's network names it, and its subnets name the network a peer
 * behind it is on. */
void sg_compile_router_peers(uint64_t cookie, uint16_t lid,
                             const struct sg_router_iface *, size_t n,
                             struct flow_list *);

/* The reg5 id of a group: from its UUID, never 0. */
uint32_t sg_group_id(const struct uuid *);

/* Gives each of the 'n' groups 'uuids' (sorted, unique) a reg5 id
 * ('ids'), unique among them: its sg_group_id() unless a group before it
 * in UUID order has that id already, else the next free one (two UUIDs
 * can share their first 32 bits).  The result depends only on the set. */
void sg_assign_group_ids(const struct uuid *uuids, size_t n, uint32_t *ids);

#endif /* pipeline/sg.h */

/*
 * pipeline/qos: Neutron QoS policies (bandwidth limits, DSCP marking) as
 * OpenFlow meters and flows on br-int.  Pure: no I/O.
 *
 * A port's effective policy is its own, else its network's if the port is
 * a compute port (its device_owner does not start with "network:": router
 * interfaces, gateways, DHCP and floating IP ports are never limited by a
 * network's policy), as Neutron does.
 *
 * A VIF with OpenFlow port P gets at most two meters of its own, so that
 * the limit holds per port:
 *   QOS_EGRESS_METER(P)   what the VM sends (Neutron's "egress"), applied
 *                         in qos_egress (T_QOS_EGRESS) right after
 *                         classify;
 *   QOS_INGRESS_METER(P)  what the VM receives ("ingress"), applied in
 *                         qos_ingress (T_QOS_INGRESS) right before output.
 * Each is a kbps meter with one drop band (the rule's max_kbps, burst
 * max_burst_kbps, or 80% of max_kbps when that is 0, as Neutron's OVS
 * agent does).  The ids never collide with pinctrl's (PIN_METER_ID and
 * PIN_PORT_METER(), pipeline/tables.h): they lie in
 * [QOS_METER_MIN, QOS_METER_MAX], which only controller/ofctrl manages.
 *
 * A DSCP marking rule sets ip_dscp of the IPv4 and IPv6 packets the VM
 * sends, in qos_egress.
 *
 * Bad rows (a limit of 0 or missing, a DSCP mark outside Neutron's list, a
 * second bandwidth rule of the same direction, a second DSCP rule) are
 * skipped, each with one error message; the policy's other rules apply.
 */

#ifndef PIPELINE_QOS_H
#define PIPELINE_QOS_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"

struct flow_list;
struct nbrec_port;
struct nbrec_qos_policy;
struct svec;

#define QOS_METER_MIN 0x20000
#define QOS_METER_MAX 0x7ffff
#define QOS_EGRESS_METER(OFPORT) \
    ((uint32_t) (0x20000 + ofp_to_u16(OFPORT)))
#define QOS_INGRESS_METER(OFPORT) \
    ((uint32_t) (0x30000 + ofp_to_u16(OFPORT)))
/* A floating IP's policy (Neutron's qos-fip), applied on its VM's node in
 * the floating IP's SNAT (egress: from the VM out through the floating IP)
 * and DNAT (ingress: to the floating IP) flows.  The meters are keyed by
 * the VM's OpenFlow port: a port has at most one floating IP with a
 * policy on a node (a second one is skipped with an error). */
#define QOS_FIP_EGRESS_METER(OFPORT) \
    ((uint32_t) (0x40000 + ofp_to_u16(OFPORT)))
#define QOS_FIP_INGRESS_METER(OFPORT) \
    ((uint32_t) (0x50000 + ofp_to_u16(OFPORT)))
/* A router's gateway policy (Neutron's qos-gateway-ip), applied on its
 * gateway chassis in the router's SNAT (egress: from the tenant networks
 * out through the gateway address) and un-SNAT (ingress: to the gateway
 * address) flows, keyed by the router's local id (below 0x4000, the SNAT
 * zones' bound). */
#define QOS_GW_EGRESS_METER(LID) ((uint32_t) (0x60000 + (LID)))
#define QOS_GW_INGRESS_METER(LID) ((uint32_t) (0x70000 + (LID)))

/* One direction's limit; 'kbps' 0 means none. */
struct qos_limit {
    uint32_t kbps;
    uint32_t burst_kbits;
};

/* What a policy asks of a port. */
struct qos_limits {
    struct qos_limit egress;        /* What the VM sends. */
    struct qos_limit ingress;       /* What the VM receives. */
    int dscp;                       /* DSCP mark of egress IP, or -1. */
};

/* True if 'mark' is a DSCP value Neutron accepts. */
bool qos_dscp_is_valid(int64_t mark);

/* The policy that applies to 'port' (its own, else its network's for a
 * compute port), or NULL. */
const struct nbrec_qos_policy *qos_effective_policy(const struct nbrec_port *);

/* Fills 'limits' from 'policy' (NULL: no QoS).  Appends one message to
 * 'errors' per rule skipped.  Returns true if anything applies. */
bool qos_policy_limits(const struct nbrec_qos_policy *,
                       struct qos_limits *, struct svec *errors);

/* The flows of the VIF on 'ofport' with 'limits' (owner 'cookie'). */
void qos_compile_port(ofp_port_t ofport, const struct qos_limits *,
                      uint64_t cookie, struct flow_list *);

/* The static flows of qos_egress and qos_ingress: pass to the next
 * table. */
void qos_compile_skeleton(struct flow_list *);

/* A desired set of meters, by id; each belongs to one owner cookie. */
struct qos_meter {
    struct hmap_node node;          /* By 'id'. */
    uint32_t id;
    uint32_t kbps;
    uint32_t burst_kbits;
    uint64_t cookie;                /* Owner. */
};

struct qos_meters {
    struct hmap map;
    unsigned int seqno;             /* Changes with the set. */
};

void qos_meters_init(struct qos_meters *);
void qos_meters_destroy(struct qos_meters *);
const struct qos_meter *qos_meters_find(const struct qos_meters *,
                                        uint32_t id);
size_t qos_meters_count(const struct qos_meters *);
void qos_meters_clear(struct qos_meters *);
/* Sets meter 'id' to 'l' for 'cookie'; returns true if that changed it. */
bool qos_meters_put(struct qos_meters *, uint32_t id,
                    const struct qos_limit *, uint64_t cookie);
/* Replaces the meters of 'cookie' with those 'limits' need on 'ofport'
 * ('limits' NULL: none). */
void qos_meters_set_port(struct qos_meters *, uint64_t cookie,
                         ofp_port_t ofport, const struct qos_limits *);
/* Replaces the meters of 'cookie' with meter 'egress_id' for
 * limits->egress and 'ingress_id' for limits->ingress, each if its kbps is
 * not 0 ('limits' NULL: none). */
void qos_meters_set(struct qos_meters *, uint64_t cookie,
                    uint32_t egress_id, uint32_t ingress_id,
                    const struct qos_limits *);

#endif /* pipeline/qos.h */

/*
 * pipeline/trunk: the flows of a trunk's subports (Neutron's VLAN-aware
 * VMs).  Pure functions, no I/O.
 *
 * A subport has no VIF of its own: its frames arrive on its parent's VIF
 * tagged with its VLAN (segmentation id), and what it receives leaves
 * there with that tag.  It is given a pseudo OpenFlow port number,
 * TRUNK_OFPORT(id) for a local id 'id' (1..4094) the engine allocates, that
 * no real port has (controller/bridges ignores VIFs at or above
 * TRUNK_OFPORT_BASE): a tagged frame from the parent has its tag popped and
 * its in_port set to that number in table classify, and from there on the
 * subport is a port like any other (its MAC, port security, security
 * groups with their conntrack zone, DHCP, ARP answers), matched by
 * in_port and reg7.  The three places where a packet leaves towards a
 * port end at its parent for a subport:
 *   - output (reg7 = the pseudo port): tag, out the parent;
 *   - to_sender (in_port = the pseudo port): the same, for replies;
 *   - a subport never receives what it sent itself (flooding).
 *
 * Contract: trunk_compile_subport() adds these flows, owned by 'cookie'
 * (the subport's); l2_compile_port() calls it for a local subport and
 * uses trunk_put_output() for the subport's own output flows.
 */

#ifndef PIPELINE_TRUNK_H
#define PIPELINE_TRUNK_H 1

#include <stdint.h>

#include "openvswitch/types.h"
#include "pipeline/flow.h"

struct ofpbuf;

/* Pseudo OpenFlow ports of subports: TRUNK_OFPORT_BASE + local id, all
 * within the conntrack zones' limit (pipeline/tables.h). */
#define TRUNK_OFPORT_BASE 0x3000
#define TRUNK_OFPORT(ID) u16_to_ofp(TRUNK_OFPORT_BASE + (ID))

/* Priorities: a subport's tagged frames on the parent's VIF, above the
 * skeleton's drop of tagged frames (L2_PRIO_TAGGED); the no-hairpin drop in
 * output, above the port's own flows there; the subport's broadcast and
 * multicast delivery, below its unicast security (100, 110). */
#define TRUNK_PRIO_TAGGED 120
#define TRUNK_PRIO_HAIRPIN 120
#define TRUNK_PRIO_OUTPUT 90

/* A local subport. */
struct trunk_subport {
    ofp_port_t ofport;              /* Its pseudo port. */
    ofp_port_t parent;              /* The parent's VIF. */
    uint16_t vlan;                  /* Its segmentation id, 1..4094. */
};

/* Sends the packet to 'sp''s parent tagged with its VLAN, whatever the
 * packet's in_port (restored after), and leaves the packet untagged. */
void trunk_put_output(struct ofpbuf *, const struct trunk_subport *sp);

void trunk_compile_subport(const struct trunk_subport *, uint64_t cookie,
                           struct flow_list *int_flows);

#endif /* pipeline/trunk.h */

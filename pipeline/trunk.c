/*
 * pipeline/trunk: see trunk.h.
 */

#include <config.h>

#include "pipeline/trunk.h"

#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "pipeline/actions.h"
#include "pipeline/l2.h"
#include "pipeline/tables.h"
#include "util.h"

void
trunk_put_output(struct ofpbuf *ofpacts, const struct trunk_subport *sp)
{
    /* OVS does not output to a packet's own in_port: a reply routed from
     * the parent's network to a subport would be lost.  in_port 0 is no
     * port; the original is back for the actions that follow (the next
     * port of a flood). */
    put_parsed(ofpacts, "push:NXM_OF_IN_PORT[],load:0->NXM_OF_IN_PORT[],");
    put_push_vlan(ofpacts, sp->vlan);
    put_output(ofpacts, sp->parent);
    put_pop_vlan(ofpacts);
    put_parsed(ofpacts, "pop:NXM_OF_IN_PORT[]");
}

void
trunk_compile_subport(const struct trunk_subport *sp, uint64_t cookie,
                      struct flow_list *flows)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* classify: the parent's frames with the subport's tag become the
     * subport's, untagged, and are classified again as from its pseudo
     * port (the subport's flows there: a second tag is dropped, the
     * network and admin state apply). */
    match_init_catchall(&match);
    match_set_in_port(&match, sp->parent);
    match_vlan(&match, sp->vlan);
    put_pop_vlan(&ofpacts);
    put_parsed(&ofpacts, "load:%"PRIu16"->NXM_OF_IN_PORT[]",
               ofp_to_u16(sp->ofport));
    put_resubmit(&ofpacts, T_CLASSIFY);
    flow_list_add(flows, T_CLASSIFY, TRUNK_PRIO_TAGGED, cookie, &match,
                  &ofpacts);

    /* to_sender: replies to the subport. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, sp->ofport);
    trunk_put_output(&ofpacts, sp);
    flow_list_add(flows, T_TO_SENDER, 100, cookie, &match, &ofpacts);

    /* output: never back to the subport that sent it (a flood); else
     * broadcast and multicast (and, without port security, any frame)
     * tagged out the parent. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_reg(&match, REG_OUTPORT, ofp_to_u16(sp->ofport));
    match_set_in_port(&match, sp->ofport);
    flow_list_add(flows, T_OUTPUT, TRUNK_PRIO_HAIRPIN, cookie, &match,
                  &ofpacts);

    match_init_catchall(&match);
    match_set_reg(&match, REG_OUTPORT, ofp_to_u16(sp->ofport));
    trunk_put_output(&ofpacts, sp);
    flow_list_add(flows, T_OUTPUT, TRUNK_PRIO_OUTPUT, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

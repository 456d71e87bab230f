/*
 * pipeline/actions: small builders of OpenFlow actions and matches that
 * every compiler module uses (goto, output, register and field loads,
 * VLAN push/pop).  Pure: they only append to an ofpbuf or set a match.
 */

#ifndef PIPELINE_ACTIONS_H
#define PIPELINE_ACTIONS_H 1

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/types.h"

struct eth_addr;
struct in6_addr;
struct match;
struct ofpbuf;

void put_goto(struct ofpbuf *, uint8_t table_id);
void put_output(struct ofpbuf *, ofp_port_t);
void put_resubmit(struct ofpbuf *, uint8_t table_id);
/* Sends the packet back where it came from (table to_sender): out
 * IN_PORT, or to a trunk subport's parent VIF with its VLAN tag. */
void put_to_sender(struct ofpbuf *);
void put_load(struct ofpbuf *, enum mf_field_id, uint64_t value);
void put_load_bits(struct ofpbuf *, enum mf_field_id, unsigned int ofs,
                   unsigned int n_bits, uint64_t value);
void put_load_mac(struct ofpbuf *, enum mf_field_id, struct eth_addr);
void put_load_ip(struct ofpbuf *, enum mf_field_id, ovs_be32 ip);
void put_load_ip6(struct ofpbuf *, enum mf_field_id,
                  const struct in6_addr *);
void put_move(struct ofpbuf *, enum mf_field_id src, enum mf_field_id dst);
void put_push_vlan(struct ofpbuf *, uint16_t vid);
void put_pop_vlan(struct ofpbuf *);
/* Turns an ARP request into the reply that 'ip' is at 'mac' (the caller
 * adds the output). */
void put_arp_reply(struct ofpbuf *, struct eth_addr mac, ovs_be32 ip);
/* Turns a neighbour solicitation into the advertisement for 'ip' at 'mac'
 * (pipeline/actions.c says how). */
void put_nd_advert(struct ofpbuf *, struct eth_addr mac,
                   const struct in6_addr *ip, bool router, uint8_t table);
void put_controller(struct ofpbuf *, uint8_t op, const void *data,
                    size_t len);
/* A packet-in with opcode 'op' that the packet's VIF caused: through
 * table pin_meter (the VIF's own meter) to pin_out (the controller). */
void put_pin(struct ofpbuf *, uint8_t op);
/* Appends the actions (and at most a final goto_table) that 'format'
 * gives in ovs-ofctl syntax.  For compiler-generated text only.  On a
 * parse error (a value the compiler failed to bound) it never aborts: it
 * poisons 'ofpacts' (flow_poison_actions()), so that flow_list_add()
 * refuses the flow and says why. */
void put_parsed(struct ofpbuf *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
void match_vlan(struct match *, uint16_t vid);
void match_untagged(struct match *);

#endif /* pipeline/actions.h */

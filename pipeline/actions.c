/*
 * pipeline/actions: see actions.h.
 */

#include <config.h>

#include "pipeline/actions.h"

#include <netinet/icmp6.h>
#include <stdarg.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "pipeline/tables.h"
#include "pipeline/flow.h"
#include "pipeline/tables.h"
#include "util.h"

void
put_goto(struct ofpbuf *ofpacts, uint8_t table_id)
{
    ofpact_put_GOTO_TABLE(ofpacts)->table_id = table_id;
}

void
put_output(struct ofpbuf *ofpacts, ofp_port_t port)
{
    ofpact_put_OUTPUT(ofpacts)->port = port;
}

void
put_load(struct ofpbuf *ofpacts, enum mf_field_id id, uint64_t value)
{
    const struct mf_field *mf = mf_from_id(id);
    union mf_value v;

    memset(&v, 0, sizeof v);
    switch (mf->n_bytes) {
    case 2:
        v.be16 = htons(value);
        break;
    case 4:
        v.be32 = htonl(value);
        break;
    case 8:
        v.be64 = htonll(value);
        break;
    default:
        OVS_NOT_REACHED();
    }
    ofpact_put_set_field(ofpacts, mf, &v, NULL);
}

void
put_load_mac(struct ofpbuf *ofpacts, enum mf_field_id id, struct eth_addr ea)
{
    union mf_value v;

    memset(&v, 0, sizeof v);
    v.mac = ea;
    ofpact_put_set_field(ofpacts, mf_from_id(id), &v, NULL);
}

void
put_load_ip(struct ofpbuf *ofpacts, enum mf_field_id id, ovs_be32 ip)
{
    union mf_value v;

    memset(&v, 0, sizeof v);
    v.be32 = ip;
    ofpact_put_set_field(ofpacts, mf_from_id(id), &v, NULL);
}

void
put_load_ip6(struct ofpbuf *ofpacts, enum mf_field_id id,
             const struct in6_addr *ip6)
{
    union mf_value v;

    memset(&v, 0, sizeof v);
    v.ipv6 = *ip6;
    ofpact_put_set_field(ofpacts, mf_from_id(id), &v, NULL);
}

void
put_move(struct ofpbuf *ofpacts, enum mf_field_id src, enum mf_field_id dst)
{
    struct ofpact_reg_move *move = ofpact_put_REG_MOVE(ofpacts);
    const struct mf_field *s = mf_from_id(src);

    move->src = (struct mf_subfield) { s, 0, s->n_bits };
    move->dst = (struct mf_subfield) { mf_from_id(dst), 0, s->n_bits };
}

void
put_push_vlan(struct ofpbuf *ofpacts, uint16_t vid)
{
    ofpact_put_PUSH_VLAN(ofpacts)->ethertype = htons(ETH_TYPE_VLAN_8021Q);
    put_load(ofpacts, MFF_VLAN_VID, OFPVID12_PRESENT | vid);
}

void
put_pop_vlan(struct ofpbuf *ofpacts)
{
    ofpact_put_STRIP_VLAN(ofpacts);
}

void
match_vlan(struct match *match, uint16_t vid)
{
    match_set_vlan_vid(match, htons(OFPVID12_PRESENT | vid));
}

void
match_untagged(struct match *match)
{
    match_set_vlan_vid_masked(match, htons(0),
                              htons(VLAN_CFI | VLAN_VID_MASK));
}

void
put_resubmit(struct ofpbuf *ofpacts, uint8_t table_id)
{
    struct ofpact_resubmit *r = ofpact_put_RESUBMIT(ofpacts);

    r->in_port = OFPP_IN_PORT;
    r->table_id = table_id;
}

void
put_to_sender(struct ofpbuf *ofpacts)
{
    put_resubmit(ofpacts, T_TO_SENDER);
}

void
put_load_bits(struct ofpbuf *ofpacts, enum mf_field_id id, unsigned int ofs,
              unsigned int n_bits, uint64_t value)
{
    const struct mf_field *mf = mf_from_id(id);
    union mf_value v, mask;

    memset(&v, 0, sizeof v);
    memset(&mask, 0, sizeof mask);
    ovs_assert(mf->n_bytes == 4 || mf->n_bytes == 8);
    uint64_t m = (n_bits >= 64 ? UINT64_MAX : (UINT64_C(1) << n_bits) - 1)
                 << ofs;
    if (mf->n_bytes == 4) {
        v.be32 = htonl(value << ofs);
        mask.be32 = htonl(m);
    } else {
        v.be64 = htonll(value << ofs);
        mask.be64 = htonll(m);
    }
    ofpact_put_set_field(ofpacts, mf, &v, &mask);
}

void
put_arp_reply(struct ofpbuf *ofpacts, struct eth_addr mac, ovs_be32 ip)
{
    put_move(ofpacts, MFF_ETH_SRC, MFF_ETH_DST);
    put_load_mac(ofpacts, MFF_ETH_SRC, mac);
    put_load(ofpacts, MFF_ARP_OP, ARP_OP_REPLY);
    put_move(ofpacts, MFF_ARP_SHA, MFF_ARP_THA);
    put_load_mac(ofpacts, MFF_ARP_SHA, mac);
    put_move(ofpacts, MFF_ARP_SPA, MFF_ARP_TPA);
    put_load_ip(ofpacts, MFF_ARP_SPA, ip);
}

/* Turns a neighbour solicitation for 'ip' into the advertisement (the
 * switch fixes the checksum): back to its sender, from 'ip' at 'mac',
 * solicited and override (and router, if 'router'), with the target
 * link-layer address option in the place of the source one.  The
 * option's address can be set only once the packet is an advertisement
 * (a prerequisite that OVS checks against the match), so the actions end
 * by marking the packet FLAG_ND_REPLY and resubmitting it to 'table',
 * whose flow for that mark sets nd_tll to 'mac' and sends it back. */
void
put_nd_advert(struct ofpbuf *ofpacts, struct eth_addr mac,
              const struct in6_addr *ip, bool router, uint8_t table)
{
    char ip_s[INET6_ADDRSTRLEN];

    ipv6_string_mapped(ip_s, ip);
    put_parsed(ofpacts,
               "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
               "set_field:"ETH_ADDR_FMT"->eth_src,"
               "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
               "set_field:%s->ipv6_src,"
               "set_field:255->nw_ttl,"
               "set_field:%d->icmpv6_type,"
               "set_field:%#"PRIx32"->nd_reserved,"
               "set_field:2->nd_options_type,"
               "set_field:%#x/%#x->reg%d,"
               "resubmit(,%d)",
               ETH_ADDR_ARGS(mac), ip_s, ND_NEIGHBOR_ADVERT,
               router ? 0xe0000000u : 0x60000000u,
               FLAG_ND_REPLY, FLAG_ND_REPLY, REG_FLAGS, table);
}

/* controller(userdata=OP DATA..., meter_id=PIN_METER_ID). */
void
put_controller(struct ofpbuf *ofpacts, uint8_t op, const void *data,
               size_t len)
{
    size_t ofs = ofpacts->size;
    struct ofpact_controller *oc = ofpact_put_CONTROLLER(ofpacts);

    oc->max_len = UINT16_MAX;
    oc->reason = OFPR_ACTION;
    oc->meter_id = PIN_METER_ID;
    ofpbuf_put(ofpacts, &op, 1);
    if (len) {
        ofpbuf_put(ofpacts, data, len);
    }
    oc = ofpbuf_at_assert(ofpacts, ofs, sizeof *oc);
    oc->userdata_len = ofpacts->size - (ofs + sizeof *oc);
    ofpact_finish_CONTROLLER(ofpacts, &oc);
}

void
put_pin(struct ofpbuf *ofpacts, uint8_t op)
{
    put_load_bits(ofpacts, MFF_REG0 + REG_FLAGS, PIN_OP_SHIFT, 8, op);
    put_resubmit(ofpacts, T_PIN_METER);
}

void
put_parsed(struct ofpbuf *ofpacts, const char *format, ...)
{
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = ofpacts,
        .usable_protocols = &usable,
    };
    va_list args;
    char *s, *error;

    va_start(args, format);
    s = xvasprintf(format, args);
    va_end(args);
    error = ofpacts_parse_instructions(s, &pp);
    if (error) {
        /* The text holds values from NB rows that the compiler should have
         * bounded: never abort on them, refuse the flow instead. */
        char *why = xasprintf("\"%s\": %s", s, error);
        flow_poison_actions(ofpacts, why);
        free(why);
        free(error);
    }
    free(s);
}

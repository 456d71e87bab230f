/*
 * dvr/neighbor: see neighbor.h.
 */

#include <config.h>

#include "dvr/neighbor.h"

#include <string.h>

#include "controller/engine.h"
#include "controller/pinctrl.h"
#include "dp-packet.h"
#include "dvr/l3.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "pipeline/actions.h"
#include "pipeline/flow.h"
#include "pipeline/icmp.h"
#include "pipeline/tables.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(neighbor);

/* Requests for one unresolved address: at most one a second. */
#define RESOLVE_INTERVAL_MSEC 1000

/* At most this many next hops (the external networks' routers). */
#define MAX_ENTRIES 4096

/* Packets held while their next hop resolves: at most this many per next
 * hop and on the node, each for at most HOLD_MSEC. */
#define MAX_HELD_PER_ENTRY 4
#define MAX_HELD 256
#define HOLD_MSEC 3000

/* A packet waiting for its next hop's MAC. */
struct held_packet {
    struct ovs_list list_node;      /* In its entry's 'held'. */
    long long int since;
    size_t len;
    uint8_t frame[];                /* Ethernet frame, eth_dst to fill. */
};

struct neighbor_entry {
    struct hmap_node node;
    uint16_t lvid;                  /* The network, by local VLAN. */
    struct in6_addr ip;             /* The next hop (IPv4: mapped)... */
    struct eth_addr mac;            /* ...its MAC, zero until learned. */
    struct eth_addr our_mac;        /* What we ask from. */
    struct in6_addr our_ip;         /* (IPv6: the link-local address of
                                     * 'our_mac'.) */
    long long int created;          /* First asked for by a packet. */
    long long int asked;            /* Last request sent. */
    long long int learned;          /* Last reply seen. */
    struct ovs_list held;           /* "struct held_packet"s, oldest
                                     * first. */
};

struct neighbor {
    struct pinctrl *pinctrl;
    struct hmap entries;
    bool changed;
    long long int timeout;          /* Unconfirmed this long: forgotten. */
    long long int next_refresh;
    size_t n_held;                  /* Held packets, all entries. */
    long long int next_hold_expiry; /* LLONG_MAX if none held. */

    /* Statistics. */
    uint64_t n_requests, n_learned, n_garps, n_icmp, n_ignored, n_expired;
    uint64_t n_held_sent, n_held_dropped;
};

static pinctrl_handler_cb handle_resolve;
static pinctrl_handler_cb handle_learn;
static pinctrl_handler_cb handle_ttl;
static pinctrl_handler_cb handle_unreach;
static pinctrl_handler_cb handle_frag;
static pinctrl_handler_cb handle_icmp6_ttl;
static pinctrl_handler_cb handle_icmp6_unreach;
static pinctrl_handler_cb handle_icmp6_big;

struct neighbor *
neighbor_create(struct pinctrl *pinctrl)
{
    struct neighbor *n = xzalloc(sizeof *n);

    n->pinctrl = pinctrl;
    hmap_init(&n->entries);
    n->timeout = NEIGHBOR_TIMEOUT_MSEC;
    n->next_refresh = time_msec() + n->timeout / 3;
    n->next_hold_expiry = LLONG_MAX;
    pinctrl_register(pinctrl, PIN_ARP_RESOLVE, handle_resolve, n);
    pinctrl_register(pinctrl, PIN_ARP_LEARN, handle_learn, n);
    pinctrl_register(pinctrl, PIN_ICMP_TTL, handle_ttl, n);
    pinctrl_register(pinctrl, PIN_ICMP_UNREACH, handle_unreach, n);
    pinctrl_register(pinctrl, PIN_ICMP_FRAG, handle_frag, n);
    pinctrl_register(pinctrl, PIN_ICMP6_TTL, handle_icmp6_ttl, n);
    pinctrl_register(pinctrl, PIN_ICMP6_UNREACH, handle_icmp6_unreach, n);
    pinctrl_register(pinctrl, PIN_ICMP6_BIG, handle_icmp6_big, n);
    return n;
}

void
neighbor_destroy(struct neighbor *n)
{
    struct neighbor_entry *e;

    if (!n) {
        return;
    }
    HMAP_FOR_EACH_POP (e, node, &n->entries) {
        struct held_packet *h;
        LIST_FOR_EACH_POP (h, list_node, &e->held) {
            free(h);
        }
        free(e);
    }
    hmap_destroy(&n->entries);
    free(n);
}

static uint32_t
entry_hash(uint16_t lvid, const struct in6_addr *ip)
{
    return hash_bytes(ip, sizeof *ip, lvid);
}

static struct neighbor_entry *
find_entry(const struct neighbor *n, uint16_t lvid, const struct in6_addr *ip)
{
    struct neighbor_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, entry_hash(lvid, ip), &n->entries) {
        if (e->lvid == lvid && ipv6_addr_equals(&e->ip, ip)) {
            return e;
        }
    }
    return NULL;
}

/* 'ip' as text (an IPv4 address without its mapping prefix). */
static const char *
entry_ip_string(const struct in6_addr *ip, char buf[INET6_ADDRSTRLEN])
{
    ipv6_string_mapped(buf, ip);
    return buf;
}

void
neighbor_set_timeout(struct neighbor *n, long long int msec)
{
    n->timeout = MAX(msec, 3);
    n->next_refresh = MIN(n->next_refresh, time_msec() + n->timeout / 3);
}

/* Drops the oldest packet 'e' holds. */
static void
drop_held(struct neighbor *n, struct neighbor_entry *e)
{
    struct held_packet *h = CONTAINER_OF(ovs_list_pop_front(&e->held),
                                         struct held_packet, list_node);
    free(h);
    n->n_held--;
    n->n_held_dropped++;
}

static void
remove_entry(struct neighbor *n, struct neighbor_entry *e)
{
    if (!eth_addr_is_zero(e->mac)) {
        n->changed = true;
    }
    while (!ovs_list_is_empty(&e->held)) {
        drop_held(n, e);
    }
    hmap_remove(&n->entries, &e->node);
    free(e);
}

/* Makes room for a new entry: the oldest unresolved entry goes, so that
 * addresses nobody answers for never keep a real next hop out.  Returns
 * false if every entry is resolved. */
static bool
evict_unresolved(struct neighbor *n)
{
    struct neighbor_entry *e, *oldest = NULL;

    HMAP_FOR_EACH (e, node, &n->entries) {
        if (eth_addr_is_zero(e->mac)
            && (!oldest || e->created < oldest->created)) {
            oldest = e;
        }
    }
    if (oldest) {
        remove_entry(n, oldest);
        n->n_expired++;
    }
    return oldest != NULL;
}

/* Sends 'pkt' into br-int as a local packet of network 'lvid', to be
 * switched by l2_lookup. */
static void
send_on_network(struct neighbor *n, struct dp_packet *pkt, uint16_t lvid)
{
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    put_load(&ofpacts, MFF_METADATA, lvid);
    put_resubmit(&ofpacts, T_L2_LOOKUP);
    pinctrl_send(n->pinctrl, dp_packet_data(pkt), dp_packet_size(pkt),
                 OFPP_CONTROLLER, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
send_arp(struct neighbor *n, uint16_t lvid, struct eth_addr sha,
         ovs_be32 spa, ovs_be32 tpa)
{
    struct dp_packet pkt;

    dp_packet_init(&pkt, 64);
    compose_arp(&pkt, ARP_OP_REQUEST, sha, eth_addr_zero, true, spa, tpa);
    send_on_network(n, &pkt, lvid);
    dp_packet_uninit(&pkt);
}

/* Sends held frame 'h' to 'mac' on 'e''s network, as l3_nexthop would
 * have. */
static void
send_held(struct neighbor *n, const struct neighbor_entry *e,
          struct held_packet *h)
{
    struct dp_packet pkt;

    dp_packet_use_const(&pkt, h->frame, h->len);
    memcpy(h->frame, e->mac.ea, ETH_ADDR_LEN);
    send_on_network(n, &pkt, e->lvid);
    n->n_held_sent++;
}

/* Holds the frame of 'pp' until 'e' resolves (or sends it now if it has
 * meanwhile): the first packets to a next hop are not lost to its ARP. */
static void
hold(struct neighbor *n, struct neighbor_entry *e,
     const struct pinctrl_packet *pp)
{
    size_t len = dp_packet_size(pp->packet);
    struct held_packet *h;

    if (len < ETH_HEADER_LEN) {
        return;
    }
    h = xmalloc(sizeof *h + len);
    h->since = time_msec();
    h->len = len;
    memcpy(h->frame, dp_packet_data(pp->packet), len);
    if (!eth_addr_is_zero(e->mac)) {
        /* Learned, its flow not installed yet. */
        send_held(n, e, h);
        free(h);
        return;
    }
    if (ovs_list_size(&e->held) >= MAX_HELD_PER_ENTRY) {
        drop_held(n, e);
    }
    if (n->n_held >= MAX_HELD) {
        n->n_held_dropped++;
        free(h);
        return;
    }
    ovs_list_push_back(&e->held, &h->list_node);
    n->n_held++;
    n->next_hold_expiry = MIN(n->next_hold_expiry, h->since + HOLD_MSEC);
}

/* Sends a neighbour solicitation for 'target' (to its solicited-node
 * address) from 'sha' and its link-local address 'spa'. */
static void
send_ns(struct neighbor *n, uint16_t lvid, struct eth_addr sha,
        const struct in6_addr *spa, const struct in6_addr *target)
{
    struct dp_packet pkt;

    dp_packet_init(&pkt, 128);
    compose_nd_ns(&pkt, sha, spa, target);
    send_on_network(n, &pkt, lvid);
    dp_packet_uninit(&pkt);
}

static void
ask(struct neighbor *n, struct neighbor_entry *e)
{
    e->asked = time_msec();
    n->n_requests++;
    if (IN6_IS_ADDR_V4MAPPED(&e->ip)) {
        send_arp(n, e->lvid, e->our_mac, in6_addr_get_mapped_ipv4(&e->our_ip),
                 in6_addr_get_mapped_ipv4(&e->ip));
    } else {
        send_ns(n, e->lvid, e->our_mac, &e->our_ip, &e->ip);
    }
}

/* The next hop in 'pp''s registers: reg2 (IPv4) or xxreg3 (IPv6). */
static struct in6_addr
resolve_target(const struct pinctrl_packet *pp, bool v6)
{
    struct in6_addr ip;

    if (!v6) {
        return in6_addr_mapped_ipv4(htonl(pp->md->regs[REG_NEXTHOP]));
    }
    for (int i = 0; i < 4; i++) {
        put_16aligned_be32((ovs_16aligned_be32 *) &ip.s6_addr[4 * i],
                           htonl(pp->md->regs[REG_NEXTHOP6 + i]));
    }
    return ip;
}

/* A packet found no next hop for the address in reg2 (IPv4) or xxreg3
 * (IPv6): ask for it from the address and MAC the packet would leave with
 * (IPv6: from the link-local address of that MAC, as the packet's own
 * source is a tenant's address). */
static void
handle_resolve(struct pinctrl *p OVS_UNUSED, const struct pinctrl_packet *pp,
               void *n_)
{
    struct neighbor *n = n_;
    uint16_t lvid = ntohll(pp->md->metadata);
    const struct flow *h = pp->headers;
    bool v6 = h->dl_type == htons(ETH_TYPE_IPV6);
    struct in6_addr ip = resolve_target(pp, v6);

    if (!lvid || (h->dl_type != htons(ETH_TYPE_IP) && !v6)
        || eth_addr_is_multicast(h->dl_src) || eth_addr_is_zero(h->dl_src)
        || (v6 ? (!ipv6_addr_is_set(&ip) || ipv6_addr_is_multicast(&ip)
                  || !ipv6_addr_is_set(&h->ipv6_src)
                  || IN6_IS_ADDR_V4MAPPED(&ip))
               : (!in6_addr_get_mapped_ipv4(&ip) || !h->nw_src))) {
        n->n_ignored++;
        return;
    }
    struct neighbor_entry *e = find_entry(n, lvid, &ip);
    if (!e) {
        if (hmap_count(&n->entries) >= MAX_ENTRIES && !evict_unresolved(n)) {
            n->n_ignored++;
            return;
        }
        e = xzalloc(sizeof *e);
        e->lvid = lvid;
        e->ip = ip;
        e->created = time_msec();
        ovs_list_init(&e->held);
        hmap_insert(&n->entries, &e->node, entry_hash(lvid, &ip));
    }
    e->our_mac = h->dl_src;
    if (v6) {
        in6_generate_lla(h->dl_src, &e->our_ip);
    } else {
        e->our_ip = in6_addr_mapped_ipv4(h->nw_src);
    }
    hold(n, e, pp);
    if (eth_addr_is_zero(e->mac)
        && time_msec() - e->asked >= RESOLVE_INTERVAL_MSEC) {
        ask(n, e);
    }
}

/* The next hop and its MAC that ARP packet or neighbour advertisement 'h'
 * tells, or false: an ARP reply or gratuitous ARP (the sender); a
 * neighbour advertisement with hop limit 255 (the target, at its target
 * link-layer address or, without the option, its Ethernet source). */
static bool
learn_parse(const struct flow *h, struct in6_addr *ip, struct eth_addr *mac)
{
    if (h->dl_type == htons(ETH_TYPE_ARP)) {
        if (h->nw_proto != ARP_OP_REPLY && h->nw_src != h->nw_dst) {
            return false;
        }
        *ip = in6_addr_mapped_ipv4(h->nw_src);
        *mac = h->arp_sha;
    } else if (h->dl_type == htons(ETH_TYPE_IPV6)
               && h->nw_proto == IPPROTO_ICMPV6
               && h->tp_src == htons(ND_NEIGHBOR_ADVERT)
               && h->tp_dst == htons(0) && h->nw_ttl == 255
               && !IN6_IS_ADDR_V4MAPPED(&h->nd_target)) {
        *ip = h->nd_target;
        *mac = eth_addr_is_zero(h->arp_tha) ? h->dl_src : h->arp_tha;
    } else {
        return false;
    }
    return !eth_addr_is_multicast(*mac) && !eth_addr_is_zero(*mac);
}

/* An ARP reply (or gratuitous ARP) or a neighbour advertisement to a
 * router or floating-IP MAC: learn it if it tells a next hop we asked
 * for. */
static void
handle_learn(struct pinctrl *p OVS_UNUSED, const struct pinctrl_packet *pp,
             void *n_)
{
    struct neighbor *n = n_;
    const struct flow *h = pp->headers;
    uint16_t lvid = ntohll(pp->md->metadata);
    struct neighbor_entry *e;
    struct eth_addr mac;
    struct in6_addr ip;

    if (!learn_parse(h, &ip, &mac) || !(e = find_entry(n, lvid, &ip))) {
        n->n_ignored++;
        return;
    }
    e->learned = time_msec();
    if (!eth_addr_equals(e->mac, mac)) {
        char buf[INET6_ADDRSTRLEN];
        VLOG_INFO("next hop %s on local VLAN %d is at "ETH_ADDR_FMT,
                  entry_ip_string(&e->ip, buf), lvid, ETH_ADDR_ARGS(mac));
        e->mac = mac;
        n->changed = true;
        n->n_learned++;
    }

    /* The packets that waited for it. */
    struct held_packet *held;
    LIST_FOR_EACH_POP (held, list_node, &e->held) {
        send_held(n, e, held);
        free(held);
        n->n_held--;
    }
}

/* An ICMP error the router owes the sender of the packet. */
static void
send_icmp_error(struct neighbor *n, const struct pinctrl_packet *pp,
                uint8_t op)
{
    const struct eth_header *eth = dp_packet_data(pp->packet);
    size_t len = dp_packet_size(pp->packet);
    ovs_be32 router_ip = htonl(pp->md->regs[REG_ROUTER_IP]);
    uint16_t lvid = ntohll(pp->md->metadata);
    uint8_t type = ICMP4_DST_UNREACH, code = ICMP_CODE_NET_UNREACH;
    uint16_t mtu = 0;

    if (op == PIN_ICMP_TTL) {
        type = ICMP4_TIME_EXCEEDED;
        code = 0;
    } else if (op == PIN_ICMP_FRAG) {
        if (!icmp_dont_fragment(eth, len)) {
            /* Fragmenting is left to the sender's path MTU: dropped. */
            n->n_ignored++;
            return;
        }
        code = ICMP_CODE_FRAG_NEEDED;
        mtu = pp->md->regs[REG_MTU] & 0xffff;
    }

    struct dp_packet err;
    dp_packet_init(&err, 128);
    if (router_ip && lvid && len >= ETH_HEADER_LEN
        && icmp_build_error(eth, len, eth->eth_dst, router_ip, type, code,
                            mtu, &err)) {
        n->n_icmp++;
        send_on_network(n, &err, lvid);
    } else {
        n->n_ignored++;
    }
    dp_packet_uninit(&err);
}

/* An ICMPv6 error the router owes the sender of the packet: from the
 * router's IPv6 address on the ingress network (xxreg3). */
static void
send_icmp6_error(struct neighbor *n, const struct pinctrl_packet *pp,
                 uint8_t op)
{
    const struct eth_header *eth = dp_packet_data(pp->packet);
    size_t len = dp_packet_size(pp->packet);
    uint16_t lvid = ntohll(pp->md->metadata);
    uint8_t type = ICMP6_DST_UNREACH, code = ICMP6_DST_UNREACH_NOROUTE;
    uint32_t param = 0;
    struct in6_addr router_ip;

    for (int i = 0; i < 4; i++) {
        put_16aligned_be32((ovs_16aligned_be32 *) &router_ip.s6_addr[4 * i],
                           htonl(pp->md->regs[REG_NEXTHOP6 + i]));
    }
    if (op == PIN_ICMP6_TTL) {
        type = ICMP6_TIME_EXCEEDED;
        code = ICMP6_TIME_EXCEED_TRANSIT;
    } else if (op == PIN_ICMP6_BIG) {
        type = ICMP6_PACKET_TOO_BIG;
        code = 0;
        param = pp->md->regs[REG_MTU] & 0xffff;
    }

    struct dp_packet err;
    dp_packet_init(&err, 256);
    if (lvid && len >= ETH_HEADER_LEN
        && icmp6_build_error(eth, len, eth->eth_dst, &router_ip, type, code,
                             param, &err)) {
        n->n_icmp++;
        send_on_network(n, &err, lvid);
    } else {
        n->n_ignored++;
    }
    dp_packet_uninit(&err);
}

static void
handle_icmp6_ttl(struct pinctrl *p OVS_UNUSED,
                 const struct pinctrl_packet *pp, void *n)
{
    send_icmp6_error(n, pp, PIN_ICMP6_TTL);
}

static void
handle_icmp6_unreach(struct pinctrl *p OVS_UNUSED,
                     const struct pinctrl_packet *pp, void *n)
{
    send_icmp6_error(n, pp, PIN_ICMP6_UNREACH);
}

static void
handle_icmp6_big(struct pinctrl *p OVS_UNUSED,
                 const struct pinctrl_packet *pp, void *n)
{
    send_icmp6_error(n, pp, PIN_ICMP6_BIG);
}

static void
handle_ttl(struct pinctrl *p OVS_UNUSED, const struct pinctrl_packet *pp,
           void *n)
{
    send_icmp_error(n, pp, PIN_ICMP_TTL);
}

static void
handle_unreach(struct pinctrl *p OVS_UNUSED, const struct pinctrl_packet *pp,
               void *n)
{
    send_icmp_error(n, pp, PIN_ICMP_UNREACH);
}

static void
handle_frag(struct pinctrl *p OVS_UNUSED, const struct pinctrl_packet *pp,
            void *n)
{
    send_icmp_error(n, pp, PIN_ICMP_FRAG);
}

void
neighbor_announce(struct neighbor *n, struct ovs_list *garps)
{
    struct engine_garp *g;

    LIST_FOR_EACH_POP (g, list_node, garps) {
        VLOG_INFO("announcing "IP_FMT" at "ETH_ADDR_FMT" on local VLAN %d",
                  IP_ARGS(g->ip), ETH_ADDR_ARGS(g->mac), g->lvid);
        send_arp(n, g->lvid, g->mac, g->ip, g->ip);
        n->n_garps++;
        free(g);
    }
}

/* Drops held packets older than HOLD_MSEC. */
static void
expire_held(struct neighbor *n, long long int now)
{
    struct neighbor_entry *e;

    n->next_hold_expiry = LLONG_MAX;
    HMAP_FOR_EACH (e, node, &n->entries) {
        while (!ovs_list_is_empty(&e->held)) {
            const struct held_packet *h = CONTAINER_OF(
                ovs_list_front(&e->held), struct held_packet, list_node);
            if (now - h->since < HOLD_MSEC) {
                n->next_hold_expiry = MIN(n->next_hold_expiry,
                                          h->since + HOLD_MSEC);
                break;
            }
            drop_held(n, e);
        }
    }
}

void
neighbor_run(struct neighbor *n)
{
    long long int now = time_msec();
    struct neighbor_entry *e;

    if (now >= n->next_hold_expiry) {
        expire_held(n, now);
    }
    if (now < n->next_refresh) {
        return;
    }
    n->next_refresh = now + n->timeout / 3;
    HMAP_FOR_EACH_SAFE (e, node, &n->entries) {
        /* Not confirmed (or never answered) for 'timeout': forgotten, so
         * that the next packet for it resolves it afresh. */
        if (now - MAX(e->learned, e->created) >= n->timeout) {
            if (!eth_addr_is_zero(e->mac)) {
                char buf[INET6_ADDRSTRLEN];
                VLOG_INFO("next hop %s on local VLAN %d at "ETH_ADDR_FMT
                          " expired", entry_ip_string(&e->ip, buf), e->lvid,
                          ETH_ADDR_ARGS(e->mac));
            }
            remove_entry(n, e);
            n->n_expired++;
            continue;
        }
        ask(n, e);
    }
}

void
neighbor_wait(struct neighbor *n)
{
    poll_timer_wait_until(MIN(n->next_refresh, n->next_hold_expiry));
}

bool
neighbor_changed(const struct neighbor *n)
{
    return n->changed;
}

void
neighbor_install(struct neighbor *n, struct flow_set *int_flows)
{
    struct neighbor_entry *e;
    struct flow_list flows;

    flow_list_init(&flows);
    HMAP_FOR_EACH (e, node, &n->entries) {
        if (eth_addr_is_zero(e->mac)) {
            continue;
        }
        if (IN6_IS_ADDR_V4MAPPED(&e->ip)) {
            l3_add_nexthop(&flows, COOKIE_NEIGHBOR, L3_NEXTHOP_LEARNED,
                           e->lvid, in6_addr_get_mapped_ipv4(&e->ip),
                           e->mac);
        } else {
            l3_add_nexthop6(&flows, COOKIE_NEIGHBOR, L3_NEXTHOP_LEARNED,
                            e->lvid, &e->ip, e->mac);
        }
    }
    flow_set_replace_owner(int_flows, COOKIE_NEIGHBOR, &flows);
    flow_list_destroy(&flows);
    n->changed = false;
}

void
neighbor_format(const struct neighbor *n, struct ds *s)
{
    const struct neighbor_entry *e;

    ds_put_format(s, "neighbor: %"PRIuSIZE" next hops, %"PRIu64" requests, "
                  "%"PRIu64" learned, %"PRIu64" gratuitous ARPs sent, "
                  "%"PRIu64" ICMP errors sent, %"PRIu64" ignored, "
                  "%"PRIu64" expired (timeout %lld s); packets held for "
                  "a next hop: %"PRIuSIZE" now, %"PRIu64" sent once it "
                  "resolved, %"PRIu64" dropped\n",
                  hmap_count(&n->entries), n->n_requests, n->n_learned,
                  n->n_garps, n->n_icmp, n->n_ignored, n->n_expired,
                  n->timeout / 1000, n->n_held, n->n_held_sent,
                  n->n_held_dropped);
    HMAP_FOR_EACH (e, node, &n->entries) {
        char buf[INET6_ADDRSTRLEN];
        ds_put_format(s, "  local VLAN %d %s -> ", e->lvid,
                      entry_ip_string(&e->ip, buf));
        if (eth_addr_is_zero(e->mac)) {
            ds_put_cstr(s, "(unresolved)\n");
        } else {
            ds_put_format(s, ETH_ADDR_FMT"\n", ETH_ADDR_ARGS(e->mac));
        }
    }
}

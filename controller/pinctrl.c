/*
 * controller/pinctrl: see pinctrl.h.
 *
 * The connection is an rconn (it reconnects by itself with backoff).  On
 * each new connection it sends, in order: the packet-in format request,
 * an ADD and a MODIFY of every meter (the ADD fails harmlessly when the
 * meter survived a controller restart; deleting it first would delete
 * the flows that use it), and a barrier.  The barrier's reply makes the
 * connection "ready": only then may flows that use the meters be
 * installed (a flow naming a missing meter is refused).
 */

#include <config.h>

#include "controller/pinctrl.h"

#include <errno.h>
#include <string.h>

#include "bitmap.h"
#include "hash.h"
#include "dp-packet.h"
#include "flow.h"
#include "openflow/openflow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-connection.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "pipeline/tables.h"
#include "simap.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl);

/* Packet-ins handled per pinctrl_run(), so that a flood of them cannot
 * keep the main loop from everything else. */
#define PINCTRL_BATCH 64

/* The OpenFlow port numbers a VIF may have (16 bits). */
#define PINCTRL_N_OFPORTS 65536

/* Packet-outs queued on the connection at most. */
#define PINCTRL_MAX_QUEUE 1024

struct pinctrl_handler {
    pinctrl_handler_cb *cb;
    void *aux;
};

struct pinctrl_meter {
    uint32_t pps;
    uint32_t burst;
};

struct pinctrl {
    char *bridge;
    struct rconn *rconn;
    unsigned int conn_seqno;        /* rconn's, when last set up. */
    ovs_be32 barrier_xid;           /* Of the set-up barrier, if pending. */
    bool ready;                     /* Set up and acknowledged. */
    bool announced;                 /* Logged "ready" on this connection. */
    bool meter_failed;              /* A meter could not be installed. */
    struct pinctrl_meter meter;     /* PIN_METER_ID. */
    struct pinctrl_meter port_meter; /* PIN_PORT_METER(ofport). */
    unsigned long *vif_meters;      /* Ofports whose meters exist (or are
                                     * made on the next connection). */
    struct pinctrl_handler handlers[256];
    struct rconn_packet_counter *txq;

    struct pinctrl_stats stats;

    /* Meter statistics (pinctrl_request_meter_stats()). */
    ovs_be32 meter_stats_xid;       /* Of the request in flight, or 0. */
    long long int meter_stats_sent; /* When it was sent. */
    struct hmap meter_drops;        /* struct pinctrl_meter_drops. */
    struct hmap meter_drops_next;   /* The reply being received. */
    long long int meter_stats_msec; /* When the last reply completed. */
};

/* Packets one meter dropped, as its last statistics reply says. */
struct pinctrl_meter_drops {
    struct hmap_node node;          /* By meter id. */
    uint32_t meter_id;
    uint64_t drops;
};

static void
meter_drops_clear(struct hmap *map)
{
    struct pinctrl_meter_drops *md;

    HMAP_FOR_EACH_POP (md, node, map) {
        free(md);
    }
}

struct pinctrl *
pinctrl_create(const char *bridge, const char *rundir)
{
    struct pinctrl *p = xzalloc(sizeof *p);
    char *target = xasprintf("unix:%s/%s.mgmt", rundir, bridge);

    p->bridge = xstrdup(bridge);
    /* At most 1 s between attempts: br-int's flows wait for this
     * connection, and the bridge may not exist yet at the first one. */
    p->rconn = rconn_create(0, 1, DSCP_DEFAULT, 1u << OFP13_VERSION);
    rconn_connect(p->rconn, target, target);
    p->txq = rconn_packet_counter_create();
    p->meter = (struct pinctrl_meter) { .pps = 2000, .burst = 1000 };
    p->port_meter = (struct pinctrl_meter) { .pps = 20, .burst = 40 };
    p->vif_meters = bitmap_allocate(PINCTRL_N_OFPORTS);
    hmap_init(&p->meter_drops);
    hmap_init(&p->meter_drops_next);
    free(target);
    return p;
}

void
pinctrl_destroy(struct pinctrl *p)
{
    if (p) {
        rconn_destroy(p->rconn);
        rconn_packet_counter_destroy(p->txq);
        bitmap_free(p->vif_meters);
        meter_drops_clear(&p->meter_drops);
        hmap_destroy(&p->meter_drops);
        meter_drops_clear(&p->meter_drops_next);
        hmap_destroy(&p->meter_drops_next);
        free(p->bridge);
        free(p);
    }
}

void
pinctrl_register(struct pinctrl *p, uint8_t op, pinctrl_handler_cb *cb,
                 void *aux)
{
    p->handlers[op] = (struct pinctrl_handler) { .cb = cb, .aux = aux };
}

static enum ofp_version
pinctrl_version(const struct pinctrl *p)
{
    return rconn_get_version(p->rconn);
}

static void
send_meter(struct pinctrl *p, uint32_t id, const struct pinctrl_meter *m,
           uint16_t command)
{
    struct ofputil_meter_band band = {
        .type = OFPMBT13_DROP,
        .rate = m->pps,
        .burst_size = m->burst,
    };
    struct ofputil_meter_mod mm = {
        .command = command,
        .meter = {
            .meter_id = id,
            .flags = OFPMF13_PKTPS | OFPMF13_BURST | OFPMF13_STATS,
            .n_bands = 1,
            .bands = &band,
        },
    };
    rconn_send(p->rconn, ofputil_encode_meter_mod(pinctrl_version(p), &mm),
               NULL);
}

/* Sends VIF 'ofport''s meter as an ADD (fails if it survived a restart)
 * and a MODIFY. */
static void
send_vif_meter(struct pinctrl *p, size_t ofport)
{
    for (int cmd = OFPMC13_ADD; cmd <= OFPMC13_MODIFY; cmd++) {
        send_meter(p, PIN_PORT_METER(u16_to_ofp(ofport)), &p->port_meter,
                   cmd);
    }
}

/* Sends every meter as an ADD (fails if it exists) and a MODIFY. */
static void
send_meters(struct pinctrl *p)
{
    size_t i;

    for (int cmd = OFPMC13_ADD; cmd <= OFPMC13_MODIFY; cmd++) {
        send_meter(p, PIN_METER_ID, &p->meter, cmd);
    }
    BITMAP_FOR_EACH_1 (i, PINCTRL_N_OFPORTS, p->vif_meters) {
        send_vif_meter(p, i);
    }
}

static void
send_barrier(struct pinctrl *p)
{
    struct ofpbuf *msg = ofputil_encode_barrier_request(pinctrl_version(p));
    p->barrier_xid = ((struct ofp_header *) msg->data)->xid;
    rconn_send(p->rconn, msg, NULL);
}

/* Sets up a new connection. */
static void
setup(struct pinctrl *p)
{
    p->ready = false;
    p->announced = false;
    p->meter_failed = false;
    p->meter_stats_xid = 0;     /* A request on the old one is lost. */
    p->stats.n_connects++;
    enum ofp_version version = pinctrl_version(p);

    /* A service connection gets packet-ins only once it sets a miss send
     * length, and those its asynchronous configuration enables. */
    struct ofputil_switch_config config = {
        .frag = OFPUTIL_FRAG_NORMAL,
        .invalid_ttl_to_controller = -1,
        .miss_send_len = UINT16_MAX,
    };
    rconn_send(p->rconn, ofputil_encode_set_config(&config, version), NULL);
    struct ofputil_async_cfg ac = ofputil_async_cfg_default(version);
    ac.primary[OAM_PACKET_IN] |= 1u << OFPR_ACTION;
    rconn_send(p->rconn, ofputil_encode_set_async_config(
                   &ac, 1u << OAM_PACKET_IN, version), NULL);
    rconn_send(p->rconn, ofputil_encode_set_packet_in_format(
                   version, OFPUTIL_PACKET_IN_NXT2), NULL);
    send_meters(p);
    send_barrier(p);
}

void
pinctrl_set_meter(struct pinctrl *p, uint32_t pps, uint32_t burst)
{
    struct pinctrl_meter m = { .pps = pps, .burst = burst };

    if (m.pps != p->meter.pps || m.burst != p->meter.burst) {
        p->meter = m;
        if (rconn_is_connected(p->rconn)) {
            send_meter(p, PIN_METER_ID, &p->meter, OFPMC13_MODIFY);
        }
    }
}

void
pinctrl_set_port_meter(struct pinctrl *p, uint32_t pps, uint32_t burst)
{
    struct pinctrl_meter m = { .pps = pps, .burst = burst };

    if (m.pps != p->port_meter.pps || m.burst != p->port_meter.burst) {
        p->port_meter = m;
        if (rconn_is_connected(p->rconn)) {
            size_t i;
            BITMAP_FOR_EACH_1 (i, PINCTRL_N_OFPORTS, p->vif_meters) {
                send_meter(p, PIN_PORT_METER(u16_to_ofp(i)), &p->port_meter,
                           OFPMC13_MODIFY);
            }
        }
    }
}

void
pinctrl_set_vif_meters(struct pinctrl *p, const struct simap *vifs)
{
    unsigned long *want = bitmap_allocate(PINCTRL_N_OFPORTS);
    const struct simap_node *node;
    bool connected = rconn_is_connected(p->rconn) && p->conn_seqno
                     == rconn_get_connection_seqno(p->rconn);
    bool added = false;
    size_t i;

    SIMAP_FOR_EACH (node, vifs) {
        if (node->data > 0 && node->data < ofp_to_u16(OFPP_MAX)) {
            bitmap_set1(want, node->data);
        }
    }
    if (connected) {
        BITMAP_FOR_EACH_1 (i, PINCTRL_N_OFPORTS, want) {
            if (!bitmap_is_set(p->vif_meters, i)) {
                send_vif_meter(p, i);
                added = true;
            }
        }
        BITMAP_FOR_EACH_1 (i, PINCTRL_N_OFPORTS, p->vif_meters) {
            if (!bitmap_is_set(want, i)) {
                send_meter(p, PIN_PORT_METER(u16_to_ofp(i)), &p->port_meter,
                           OFPMC13_DELETE);
            }
        }
        if (added) {
            /* The VIFs' flows use their meters: br-int waits for them. */
            p->ready = false;
            send_barrier(p);
        }
    }
    bitmap_free(p->vif_meters);
    p->vif_meters = want;
}

bool
pinctrl_is_ready(const struct pinctrl *p)
{
    return p->ready && rconn_is_connected(p->rconn);
}

bool
pinctrl_meters_ok(const struct pinctrl *p)
{
    return !p->meter_failed;
}

static void
handle_packet_in(struct pinctrl *p, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_packet_in pin;
    size_t total_len;
    uint32_t buffer_id;
    enum ofperr error;

    /* The decoded packet and userdata point into 'oh'. */
    error = ofputil_decode_packet_in(oh, true, NULL, NULL, &pin, &total_len,
                                     &buffer_id, NULL);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: bad packet-in: %s", p->bridge,
                     ofperr_to_string(error));
        p->stats.n_bad++;
        return;
    }
    if (pin.packet_len != total_len) {
        VLOG_WARN_RL(&rl, "%s: truncated packet-in (%"PRIuSIZE" of "
                     "%"PRIuSIZE" bytes)", p->bridge, pin.packet_len,
                     total_len);
        p->stats.n_bad++;
        return;
    }
    if (!pin.userdata_len || !p->handlers[pin.userdata[0]].cb) {
        p->stats.n_no_handler++;
        return;
    }

    uint8_t op = pin.userdata[0];
    struct dp_packet packet;
    struct flow headers;

    dp_packet_use_const(&packet, pin.packet, pin.packet_len);
    flow_extract(&packet, &headers);

    struct pinctrl_packet pp = {
        .packet = &packet,
        .headers = &headers,
        .md = &pin.flow_metadata.flow,
        .userdata = pin.userdata + 1,
        .userdata_len = pin.userdata_len - 1,
        .table_id = pin.table_id,
        .cookie = ntohll(pin.cookie),
    };
    p->stats.n_in[op]++;
    p->handlers[op].cb(p, &pp, p->handlers[op].aux);
    dp_packet_uninit(&packet);
}

static void
handle_error(struct pinctrl *p, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    enum ofperr error = ofperr_decode_msg(oh, NULL);

    if (error == OFPERR_OFPMMFC_METER_EXISTS) {
        return;                 /* The ADD of a meter that survived. */
    }
    if (p->meter_stats_xid && oh->xid == p->meter_stats_xid) {
        /* No meter statistics from this switch: drops stay unknown. */
        p->meter_stats_xid = 0;
        meter_drops_clear(&p->meter_drops_next);
    }
    if (!strncmp(ofperr_get_name(error), "OFPMMFC_", 8)) {
        p->meter_failed = true;
    }
    char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 1);
    VLOG_WARN_RL(&rl, "%s: %s", p->bridge, s);
    free(s);
}

/* One part of the reply to pinctrl_request_meter_stats(): the drops of
 * each meter are the packets its bands (one drop band) counted. */
static void
handle_meter_stats(struct pinctrl *p, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofpbuf msg = ofpbuf_const_initializer(oh, ntohs(oh->length));
    uint64_t bands_stub[64];
    struct ofpbuf bands = OFPBUF_STUB_INITIALIZER(bands_stub);
    struct ofputil_meter_stats ms;
    int error;

    if (!p->meter_stats_xid || oh->xid != p->meter_stats_xid) {
        return;
    }
    while (!(error = ofputil_decode_meter_stats(&msg, &ms, &bands))) {
        struct pinctrl_meter_drops *md = xmalloc(sizeof *md);
        md->meter_id = ms.meter_id;
        md->drops = 0;
        for (size_t i = 0; i < ms.n_bands; i++) {
            md->drops += ms.bands[i].packet_count;
        }
        hmap_insert(&p->meter_drops_next, &md->node,
                    hash_int(md->meter_id, 0));
    }
    ofpbuf_uninit(&bands);
    if (error != EOF) {
        VLOG_WARN_RL(&rl, "%s: bad meter statistics reply", p->bridge);
    }
    if (!ofpmp_more(oh)) {
        meter_drops_clear(&p->meter_drops);
        hmap_swap(&p->meter_drops, &p->meter_drops_next);
        p->meter_stats_xid = 0;
        p->meter_stats_msec = time_msec();
    }
}

void
pinctrl_request_meter_stats(struct pinctrl *p)
{
    /* A request that got no answer in 10 s (an error reply is lost with
     * its bundle of other errors, say) does not block the next ones. */
    if ((p->meter_stats_xid && time_msec() < p->meter_stats_sent + 10000)
        || !rconn_is_connected(p->rconn)) {
        return;
    }
    struct ofpbuf *msg = ofputil_encode_meter_request(
        pinctrl_version(p), OFPUTIL_METER_STATS, OFPM13_ALL);
    p->meter_stats_xid = ((struct ofp_header *) msg->data)->xid;
    p->meter_stats_sent = time_msec();
    meter_drops_clear(&p->meter_drops_next);
    rconn_send(p->rconn, msg, NULL);
}

bool
pinctrl_meter_drops(const struct pinctrl *p, uint32_t meter_id,
                    uint64_t *drops)
{
    const struct pinctrl_meter_drops *md;

    HMAP_FOR_EACH_WITH_HASH (md, node, hash_int(meter_id, 0),
                             &p->meter_drops) {
        if (md->meter_id == meter_id) {
            *drops = md->drops;
            return true;
        }
    }
    return false;
}

long long int
pinctrl_meter_stats_msec(const struct pinctrl *p)
{
    return p->meter_stats_msec;
}

const struct pinctrl_stats *
pinctrl_get_stats(const struct pinctrl *p)
{
    return &p->stats;
}

const char *
pinctrl_op_name(uint8_t op)
{
    static const char *const names[] = {
        [PIN_DHCP] = "dhcp",
        [PIN_ICMP_TTL] = "icmp-ttl",
        [PIN_ICMP_FRAG] = "icmp-frag",
        [PIN_ICMP_UNREACH] = "icmp-unreach",
        [PIN_ARP_LEARN] = "arp-learn",
        [PIN_ARP_RESOLVE] = "arp-resolve",
        [PIN_ND_RS] = "nd-rs",
        [PIN_ICMP6_TTL] = "icmp6-ttl",
        [PIN_ICMP6_UNREACH] = "icmp6-unreach",
        [PIN_ICMP6_BIG] = "icmp6-big",
        [PIN_DHCP6] = "dhcp6",
    };
    return op < ARRAY_SIZE(names) ? names[op] : NULL;
}

void
pinctrl_run(struct pinctrl *p)
{
    rconn_run(p->rconn);
    if (!rconn_is_connected(p->rconn)) {
        p->ready = false;
        p->meter_stats_xid = 0;
        return;
    }
    unsigned int seqno = rconn_get_connection_seqno(p->rconn);
    if (seqno != p->conn_seqno) {
        p->conn_seqno = seqno;
        setup(p);
    }

    for (int i = 0; i < PINCTRL_BATCH; i++) {
        struct ofpbuf *msg = rconn_recv(p->rconn);
        if (!msg) {
            return;
        }

        const struct ofp_header *oh = msg->data;
        enum ofptype type;
        if (!ofptype_decode(&type, oh)) {
            switch (type) {
            case OFPTYPE_PACKET_IN:
                handle_packet_in(p, oh);
                break;
            case OFPTYPE_ECHO_REQUEST:
                rconn_send(p->rconn, ofputil_encode_echo_reply(oh), NULL);
                break;
            case OFPTYPE_BARRIER_REPLY:
                if (oh->xid == p->barrier_xid) {
                    p->ready = true;
                    if (!p->announced) {
                        p->announced = true;
                        VLOG_INFO("%s: packet path ready%s", p->bridge,
                                  p->meter_failed ? " (without meters)" : "");
                    }
                }
                break;
            case OFPTYPE_ERROR:
                handle_error(p, oh);
                break;
            case OFPTYPE_METER_STATS_REPLY:
                handle_meter_stats(p, oh);
                break;
            default:
                break;
            }
        }
        ofpbuf_delete(msg);
    }
    /* More may be waiting: come back after the rest of the loop. */
    poll_immediate_wake();
}

void
pinctrl_wait(struct pinctrl *p)
{
    rconn_run_wait(p->rconn);
    rconn_recv_wait(p->rconn);
}

bool
pinctrl_packet_uuid(const struct pinctrl_packet *pp, struct uuid *uuid)
{
    if (pp->userdata_len != sizeof *uuid) {
        return false;
    }
    for (size_t i = 0; i < 4; i++) {
        ovs_be32 part;
        memcpy(&part, pp->userdata + 4 * i, sizeof part);
        uuid->parts[i] = ntohl(part);
    }
    return true;
}

void
pinctrl_send(struct pinctrl *p, const void *frame, size_t len,
             ofp_port_t in_port, const struct ofpbuf *ofpacts)
{
    if (!rconn_is_connected(p->rconn)) {
        p->stats.n_out_dropped++;
        return;
    }

    struct ofputil_packet_out po = {
        .packet = frame,
        .packet_len = len,
        .buffer_id = UINT32_MAX,
        .ofpacts = ofpacts->data,
        .ofpacts_len = ofpacts->size,
    };
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, in_port);

    enum ofputil_protocol proto
        = ofputil_protocol_from_ofp_version(pinctrl_version(p));
    struct ofpbuf *msg = ofputil_encode_packet_out(&po, proto);
    if (rconn_send_with_limit(p->rconn, msg, p->txq, PINCTRL_MAX_QUEUE)) {
        p->stats.n_out_dropped++;
    } else {
        p->stats.n_out++;
    }
}

void
pinctrl_format_status(const struct pinctrl *p, struct ds *s)
{
    ds_put_format(s, "packet path: %s %s (%s), %"PRIu64" connections\n",
                  p->bridge, rconn_get_state(p->rconn),
                  pinctrl_is_ready(p)
                  ? (p->meter_failed ? "ready, meters failed" : "ready")
                  : "not ready", p->stats.n_connects);
    ds_put_format(s, "  meter %d: %"PRIu32" pps, burst %"PRIu32"; "
                  "%"PRIuSIZE" VIF meters: %"PRIu32" pps, burst %"PRIu32"\n",
                  PIN_METER_ID, p->meter.pps, p->meter.burst,
                  bitmap_count1(p->vif_meters, PINCTRL_N_OFPORTS),
                  p->port_meter.pps, p->port_meter.burst);
    ds_put_cstr(s, "  packet-ins:");
    for (int op = 0; op < 256; op++) {
        if (p->stats.n_in[op]) {
            const char *name = pinctrl_op_name(op);
            if (name) {
                ds_put_format(s, " %s %"PRIu64, name, p->stats.n_in[op]);
            } else {
                ds_put_format(s, " op%d %"PRIu64, op, p->stats.n_in[op]);
            }
        }
    }
    ds_put_format(s, " unhandled %"PRIu64" undecodable %"PRIu64"\n",
                  p->stats.n_no_handler, p->stats.n_bad);
    ds_put_format(s, "  packet-outs: %"PRIu64" sent, %"PRIu64" dropped\n",
                  p->stats.n_out, p->stats.n_out_dropped);
}

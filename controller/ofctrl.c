/*
 * controller/ofctrl: see ofctrl.h.
 *
 * Meters (ofctrl_set_meters()): OVS does not take meter_mods in a bundle,
 * and deleting a meter deletes the flows that use it.  So a sync sends the
 * meters to add or modify first (each with a barrier: the flows of the
 * bundle after it may name them), then the bundle of flows, then the
 * deletes of the meters no longer wanted (their flows are gone by then).
 * After a (re)connection the installed meters of the range it manages are
 * read back, like the flows, so a restart changes only the difference.
 */

#include <config.h>

#include "controller/ofctrl.h"

#include <errno.h>

#include "byte-order.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "pipeline/flow.h"
#include "pipeline/qos.h"
#include "socket-util.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofctrl);

/* OpenFlow 1.3 (with the bundle extension), the version in which the
 * compiler normalizes flows (see pipeline/flow.c): a flow read back then
 * compares equal to the compiled one. */
#define OFCTRL_VERSIONS (1u << OFP13_VERSION)

#define RETRY_MSEC 500

struct ofctrl {
    char *bridge;
    char *target;                   /* "unix:RUNDIR/BRIDGE.mgmt". */
    struct vconn *vconn;
    enum ofputil_protocol protocol;
    struct flow_set installed;      /* What the switch has. */
    struct flow_set refused;        /* Flows the switch refused, as they
                                     * were: not sent again until they
                                     * change (or a full sync). */
    const struct qos_meters *meters; /* Desired meters, or NULL. */
    struct qos_meters installed_meters; /* What the switch has of them. */
    bool need_full;                 /* Installed set must be re-read. */
    long long int next_retry;       /* Earliest reconnection attempt. */
    struct ofctrl_stats stats;
};

struct ofctrl *
ofctrl_create(const char *bridge, const char *rundir)
{
    struct ofctrl *oc = xzalloc(sizeof *oc);
    oc->bridge = xstrdup(bridge);
    oc->target = xasprintf("unix:%s/%s.mgmt", rundir, bridge);
    flow_set_init(&oc->installed);
    flow_set_init(&oc->refused);
    qos_meters_init(&oc->installed_meters);
    oc->need_full = true;
    return oc;
}

static void
disconnect(struct ofctrl *oc)
{
    vconn_close(oc->vconn);
    oc->vconn = NULL;
    oc->need_full = true;
    oc->next_retry = time_msec() + RETRY_MSEC;
}

void
ofctrl_destroy(struct ofctrl *oc)
{
    if (oc) {
        vconn_close(oc->vconn);
        flow_set_destroy(&oc->installed);
        flow_set_destroy(&oc->refused);
        qos_meters_destroy(&oc->installed_meters);
        free(oc->bridge);
        free(oc->target);
        free(oc);
    }
}

/* Reads every flow on the switch into 'set' (cleared first). */
static int
dump_switch(struct ofctrl *oc, struct flow_set *set)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
        .table_id = 0xff,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
    };
    struct ofputil_flow_stats *fses;
    size_t n_fses;
    int error;

    match_init_catchall(&fsr.match);
    error = vconn_dump_flows(oc->vconn, &fsr, oc->protocol, &fses, &n_fses);
    if (error) {
        return error;
    }
    flow_set_clear(set);
    for (size_t i = 0; i < n_fses; i++) {
        const struct ofputil_flow_stats *fs = &fses[i];
        struct dvr_flow *f = dvr_flow_create(fs->table_id, fs->priority,
                                             ntohll(fs->cookie), &fs->match,
                                             fs->ofpacts, fs->ofpacts_len);
        flow_set_insert(set, f);
        free(CONST_CAST(struct ofpact *, fs->ofpacts));
    }
    free(fses);
    return 0;
}

/* Reads the meters of the range ofctrl manages into
 * 'oc->installed_meters'. */
static int
read_meters(struct ofctrl *oc)
{
    struct ovs_list requests, replies;
    struct ofpbuf *reply;
    int error;

    qos_meters_clear(&oc->installed_meters);
    ovs_list_init(&requests);
    ovs_list_push_back(&requests, &ofputil_encode_meter_request(
                           vconn_get_version(oc->vconn),
                           OFPUTIL_METER_CONFIG, OFPM13_ALL)->list_node);
    error = vconn_transact_multipart(oc->vconn, &requests, &replies);
    if (error) {
        return error;
    }

    uint64_t stub[64 / 8];
    struct ofpbuf bands = OFPBUF_STUB_INITIALIZER(stub);
    LIST_FOR_EACH (reply, list_node, &replies) {
        enum ofptype type;
        if (ofptype_decode(&type, reply->data)
            || type != OFPTYPE_METER_CONFIG_STATS_REPLY) {
            continue;           /* An error: no meters on this switch. */
        }
        for (;;) {
            struct ofputil_meter_config mc;
            if (ofputil_decode_meter_config(reply, &mc, &bands)) {
                break;
            }
            if (mc.meter_id >= QOS_METER_MIN && mc.meter_id <= QOS_METER_MAX
                && mc.n_bands == 1) {
                struct qos_limits l = {
                    .egress = { mc.bands[0].rate, mc.bands[0].burst_size },
                };
                /* The owner is unknown: cookie 0 marks "read back". */
                qos_meters_put(&oc->installed_meters, mc.meter_id,
                               &l.egress, 0);
            }
        }
    }
    ofpbuf_uninit(&bands);
    ofpbuf_list_delete(&replies);
    return 0;
}

static struct ofpbuf *
encode_meter(const struct ofctrl *oc, uint16_t command, uint32_t id,
             uint32_t kbps, uint32_t burst)
{
    struct ofputil_meter_band band = {
        .type = OFPMBT13_DROP,
        .rate = kbps,
        .burst_size = burst,
    };
    struct ofputil_meter_mod mm = {
        .command = command,
        .meter = {
            .meter_id = id,
            .flags = OFPMF13_KBPS | OFPMF13_BURST | OFPMF13_STATS,
            .n_bands = command == OFPMC13_DELETE ? 0 : 1,
            .bands = &band,
        },
    };
    return ofputil_encode_meter_mod(vconn_get_version(oc->vconn), &mm);
}

/* Sends one meter_mod and waits for it.  Returns 0, a positive errno value
 * if the connection failed, or -1 if the switch refused it (logged). */
static int
send_meter_mod(struct ofctrl *oc, uint16_t command, uint32_t id,
               uint32_t kbps, uint32_t burst)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(20, 50);
    struct ofpbuf *reply;
    int error = vconn_transact_noreply(oc->vconn,
                                       encode_meter(oc, command, id, kbps,
                                                    burst), &reply);
    if (error) {
        return error;
    }
    if (reply) {
        VLOG_WARN_RL(&rl, "%s: the switch refused (%s) meter %"PRIu32
                     " (%"PRIu32" kbps, burst %"PRIu32" kbit)", oc->bridge,
                     ofperr_to_string(ofperr_decode_msg(reply->data, NULL)),
                     id, kbps, burst);
        ofpbuf_delete(reply);
        return -1;
    }
    return 0;
}

/* Adds or modifies the desired meters that the switch lacks or has
 * otherwise. */
static int
sync_meters_add(struct ofctrl *oc)
{
    const struct qos_meter *m;

    if (!oc->meters) {
        return 0;
    }
    HMAP_FOR_EACH (m, node, &oc->meters->map) {
        const struct qos_meter *old = qos_meters_find(&oc->installed_meters,
                                                      m->id);
        if (old && old->kbps == m->kbps
            && old->burst_kbits == m->burst_kbits) {
            continue;
        }
        int error = send_meter_mod(oc, old ? OFPMC13_MODIFY : OFPMC13_ADD,
                                   m->id, m->kbps, m->burst_kbits);
        if (error > 0) {
            return error;
        }
        if (!error) {
            struct qos_limit l = { m->kbps, m->burst_kbits };
            qos_meters_put(&oc->installed_meters, m->id, &l, 0);
        }
    }
    return 0;
}

/* Deletes the installed meters that are no longer desired. */
static int
sync_meters_delete(struct ofctrl *oc)
{
    struct qos_meter *m;

    HMAP_FOR_EACH_SAFE (m, node, &oc->installed_meters.map) {
        if (oc->meters && qos_meters_find(oc->meters, m->id)) {
            continue;
        }
        int error = send_meter_mod(oc, OFPMC13_DELETE, m->id, 0, 0);
        if (error > 0) {
            return error;
        }
        hmap_remove(&oc->installed_meters.map, &m->node);
        free(m);
    }
    return 0;
}

void
ofctrl_set_meters(struct ofctrl *oc, const struct qos_meters *meters)
{
    oc->meters = meters;
}

size_t
ofctrl_n_meters(const struct ofctrl *oc)
{
    return qos_meters_count(&oc->installed_meters);
}

/* Reads every flow on the switch into 'oc->installed'. */
static int
read_installed(struct ofctrl *oc)
{
    int error = dump_switch(oc, &oc->installed);
    if (error) {
        return error;
    }
    oc->stats.n_reads++;
    VLOG_INFO("%s: connected, %"PRIuSIZE" flows installed", oc->bridge,
              flow_set_count(&oc->installed));
    return 0;
}

static int
connect_and_read(struct ofctrl *oc)
{
    int error;

    if (time_msec() < oc->next_retry) {
        return EAGAIN;
    }
    error = vconn_open_block(oc->target, OFCTRL_VERSIONS, DSCP_DEFAULT,
                             2000, &oc->vconn);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: cannot connect (%s)", oc->target,
                     ovs_strerror(error));
        oc->vconn = NULL;
        oc->next_retry = time_msec() + RETRY_MSEC;
        return error;
    }
    oc->protocol = ofputil_protocol_from_ofp_version(
        vconn_get_version(oc->vconn));
    error = read_installed(oc);
    if (!error && oc->meters) {
        error = read_meters(oc);
    }
    if (error) {
        VLOG_WARN("%s: cannot read installed flows (%s)", oc->bridge,
                  ovs_strerror(error));
        disconnect(oc);
        return error;
    }
    oc->need_full = false;
    return 0;
}

static struct ofpbuf *
encode_change(const struct flow_change *c, enum ofputil_protocol protocol)
{
    const struct dvr_flow *f = c->flow;
    struct ofputil_flow_mod fm = {
        .match = f->match,
        .priority = f->priority,
        .new_cookie = htonll(f->cookie),
        .modify_cookie = false,
        .table_id = f->table_id,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = f->ofpacts,
        .ofpacts_len = f->ofpacts_len,
    };

    switch (c->type) {
    case FLOW_CHANGE_ADD:
        fm.command = OFPFC_ADD;
        break;
    case FLOW_CHANGE_MODIFY:
        fm.command = OFPFC_MODIFY_STRICT;
        break;
    case FLOW_CHANGE_DELETE:
        fm.command = OFPFC_DELETE_STRICT;
        fm.new_cookie = OVS_BE64_MAX;
        fm.ofpacts = NULL;
        fm.ofpacts_len = 0;
        break;
    default:
        OVS_NOT_REACHED();
    }
    return ofputil_encode_flow_mod(&fm, protocol);
}

/* Records in 'oc->installed' that 'changes' took effect. */
static void
apply_to_installed(struct ofctrl *oc, const struct flow_change *changes,
                   size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct flow_change *c = &changes[i];
        struct dvr_flow *old;

        switch (c->type) {
        case FLOW_CHANGE_ADD:
        case FLOW_CHANGE_MODIFY:
            old = flow_set_find(&oc->installed, c->flow);
            if (old) {
                flow_set_remove(&oc->installed, old);
                dvr_flow_destroy(old);
            }
            flow_set_insert(&oc->installed, dvr_flow_clone(c->flow));
            if (c->type == FLOW_CHANGE_ADD) {
                oc->stats.n_adds++;
            } else {
                oc->stats.n_modifies++;
            }
            break;
        case FLOW_CHANGE_DELETE:
            old = CONST_CAST(struct dvr_flow *, c->flow);
            flow_set_remove(&oc->installed, old);
            dvr_flow_destroy(old);
            oc->stats.n_deletes++;
            break;
        default:
            OVS_NOT_REACHED();
        }
    }
}

/* Logs the flows that the compiler refused since the last call. */
static void
log_compile_refused(struct ofctrl *oc, struct flow_set *desired)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(20, 50);
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    size_t n = flow_set_take_refused(desired, &lines);
    const char *line;
    size_t i;

    SVEC_FOR_EACH (i, line, &lines) {
        VLOG_WARN_RL(&rl, "%s: %s", oc->bridge, line);
    }
    if (n > lines.n) {
        VLOG_WARN_RL(&rl, "%s: %"PRIuSIZE" more flows refused", oc->bridge,
                     n - lines.n);
    }
    oc->stats.n_compile_refused += n;
    svec_destroy(&lines);
}

/* True if 'f' is a flow that the switch refused before, unchanged. */
static bool
is_refused(struct ofctrl *oc, const struct dvr_flow *f)
{
    struct dvr_flow *r = flow_set_find(&oc->refused, f);

    if (!r) {
        return false;
    }
    if (r->cookie == f->cookie && dvr_flow_same_actions(r, f)) {
        return true;
    }
    /* The flow changed: it may work now. */
    flow_set_remove(&oc->refused, r);
    dvr_flow_destroy(r);
    return false;
}

/* Drops from 'changes' the adds and modifies of flows refused before (and
 * forgets refused flows that are no longer desired).  Returns the new
 * number of changes. */
static size_t
filter_refused(struct ofctrl *oc, const struct flow_set *desired,
               struct flow_change *changes, size_t n)
{
    size_t k = 0;

    if (!flow_set_count(&oc->refused)) {
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        const struct flow_change *c = &changes[i];
        if (c->type == FLOW_CHANGE_DELETE) {
            struct dvr_flow *r = flow_set_find(&oc->refused, c->flow);
            if (r && !flow_set_find(desired, c->flow)) {
                flow_set_remove(&oc->refused, r);
                dvr_flow_destroy(r);
            }
        } else if (is_refused(oc, c->flow)) {
            continue;
        }
        changes[k++] = *c;
    }
    return k;
}

/* Sends 'changes' as one atomic, ordered bundle.  Returns 0, a positive
 * errno value if the connection failed, or EPROTO if the switch refused
 * some of them: then the indexes of the refused changes (found by the
 * error replies' xids, which are those of the flow_mods) are in
 * '*refusedp' and their errors in '*errorsp' (caller frees both). */
static int
transact(struct ofctrl *oc, const struct flow_change *changes, size_t n,
         size_t **refusedp, enum ofperr **errorsp, size_t *n_refusedp)
{
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    struct ovs_list errors = OVS_LIST_INITIALIZER(&errors);
    ovs_be32 *xids = xmalloc(n * sizeof *xids);
    int error;

    *refusedp = NULL;
    *errorsp = NULL;
    *n_refusedp = 0;
    for (size_t i = 0; i < n; i++) {
        if (VLOG_IS_DBG_ENABLED()) {
            static const char *names[] = { "add", "modify", "delete" };
            struct ds s = DS_EMPTY_INITIALIZER;
            dvr_flow_format(changes[i].flow, NULL, NULL, &s);
            VLOG_DBG("%s: %s %s", oc->bridge, names[changes[i].type],
                     ds_cstr(&s));
            ds_destroy(&s);
        }
        struct ofpbuf *msg = encode_change(&changes[i], oc->protocol);
        xids[i] = ((const struct ofp_header *) msg->data)->xid;
        ovs_list_push_back(&requests, &msg->list_node);
    }
    error = vconn_bundle_transact(oc->vconn, &requests,
                                  OFPBF_ATOMIC | OFPBF_ORDERED, &errors);
    ofpbuf_list_delete(&requests);

    struct ofpbuf *reply;
    LIST_FOR_EACH_POP (reply, list_node, &errors) {
        const struct ofp_header *oh = reply->data;
        enum ofperr oe = ofperr_decode_msg(oh, NULL);
        bool found = false;

        for (size_t i = 0; i < n && !found; i++) {
            if (xids[i] == oh->xid) {
                *refusedp = xrealloc(*refusedp, (*n_refusedp + 1)
                                     * sizeof **refusedp);
                *errorsp = xrealloc(*errorsp, (*n_refusedp + 1)
                                    * sizeof **errorsp);
                (*refusedp)[*n_refusedp] = i;
                (*errorsp)[*n_refusedp] = oe;
                (*n_refusedp)++;
                found = true;
            }
        }
        if (!found) {
            char *str = ofp_to_string(reply->data, reply->size, NULL, NULL,
                                      1);
            VLOG_WARN("%s: bundle refused: %s", oc->bridge, str);
            free(str);
        }
        ofpbuf_delete(reply);
        error = error ? error : EPROTO;
    }
    free(xids);
    return error;
}

/* Takes change 'i' of '*changesp' out (it becomes a NULL flow, see
 * compact_changes()): the switch refused it with 'oe'.  A flow to add or
 * modify is remembered as refused until it changes, and the installed
 * flow with its key, if any, is deleted: what the compiler wanted is not
 * there, so neither is what it replaced. */
static void
refuse_change(struct ofctrl *oc, struct flow_change **changesp, size_t *n,
              size_t i, enum ofperr oe)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(20, 50);
    struct flow_change *c = &(*changesp)[i];
    const struct dvr_flow *f = c->flow;
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!f) {
        return;
    }
    dvr_flow_format(f, NULL, NULL, &s);
    VLOG_WARN_RL(&rl, "%s: the switch refused (%s) to %s %s", oc->bridge,
                 ofperr_to_string(oe),
                 c->type == FLOW_CHANGE_DELETE ? "delete" : "install",
                 ds_cstr(&s));
    ds_destroy(&s);
    oc->stats.n_switch_refused++;
    c->flow = NULL;
    if (c->type == FLOW_CHANGE_DELETE) {
        return;
    }

    struct dvr_flow *old = flow_set_find(&oc->refused, f);
    if (old) {
        flow_set_remove(&oc->refused, old);
        dvr_flow_destroy(old);
    }
    flow_set_insert(&oc->refused, dvr_flow_clone(f));
    const struct dvr_flow *installed = flow_set_find(&oc->installed, f);
    if (installed) {
        *changesp = xrealloc(*changesp, (*n + 1) * sizeof **changesp);
        (*changesp)[(*n)++] = (struct flow_change) {
            FLOW_CHANGE_DELETE, installed
        };
    }
}

/* Removes the changes that refuse_change() took out; returns how many
 * remain. */
static size_t
compact_changes(struct flow_change *changes, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (changes[i].flow) {
            changes[k++] = changes[i];
        }
    }
    return k;
}

/* Up to this many bundles per sync isolate refused flows; if more are
 * needed, the next sync (a full one) goes on from there. */
#define MAX_ATTEMPTS 16

int
ofctrl_sync(struct ofctrl *oc, struct flow_set *desired, bool full)
{
    struct flow_change *changes;
    size_t n;
    int error;

    log_compile_refused(oc, desired);
    if (full && !oc->need_full) {
        /* A recompute asked by the caller retries refused flows. */
        flow_set_clear(&oc->refused);
    }
    if (!oc->vconn || oc->need_full) {
        if (oc->vconn) {
            disconnect(oc);
            oc->next_retry = 0;
        }
        error = connect_and_read(oc);
        if (error) {
            return error;
        }
        full = true;
    }

    error = sync_meters_add(oc);
    if (error) {
        VLOG_WARN("%s: installing meters failed (%s)", oc->bridge,
                  ovs_strerror(error));
        disconnect(oc);
        return error;
    }

    n = flow_set_diff(desired, &oc->installed, full, &changes);
    n = filter_refused(oc, desired, changes, n);
    if (n) {
        long long int start = time_usec();

        /* A refused flow is isolated: it is left out (and an installed
         * flow with its key deleted), the rest is sent again. */
        for (int attempt = 0; ; attempt++) {
            size_t *refused, n_refused;
            enum ofperr *errors;

            error = transact(oc, changes, n, &refused, &errors, &n_refused);
            if (!error || error != EPROTO || !n_refused
                || attempt >= MAX_ATTEMPTS) {
                free(refused);
                free(errors);
                break;
            }
            for (size_t i = 0; i < n_refused; i++) {
                refuse_change(oc, &changes, &n, refused[i], errors[i]);
            }
            n = compact_changes(changes, n);
            free(refused);
            free(errors);
            if (!n) {
                error = 0;              /* Everything left was refused. */
                break;
            }
        }
        if (error) {
            VLOG_WARN("%s: installing %"PRIuSIZE" flow changes failed (%s)",
                      oc->bridge, n, ovs_strerror(error));
            free(changes);
            disconnect(oc);
            return error;
        }
        apply_to_installed(oc, changes, n);
        oc->stats.n_syncs++;
        oc->stats.last_sync_usec = time_usec() - start;
    }
    free(changes);
    flow_set_clear_dirty(desired);

    error = sync_meters_delete(oc);
    if (error) {
        VLOG_WARN("%s: deleting meters failed (%s)", oc->bridge,
                  ovs_strerror(error));
        disconnect(oc);
        return error;
    }
    return 0;
}

void
ofctrl_reread(struct ofctrl *oc)
{
    oc->need_full = true;
}

bool
ofctrl_is_connected(const struct ofctrl *oc)
{
    return oc->vconn && !oc->need_full;
}

void
ofctrl_run(struct ofctrl *oc)
{
    if (oc->vconn) {
        struct ofpbuf *msg;
        int error;

        vconn_run(oc->vconn);
        for (int i = 0; i < 50; i++) {
            error = vconn_recv(oc->vconn, &msg);
            if (error) {
                break;
            }
            /* A service connection gets no asynchronous message, but the
             * switch probes an idle one with echo requests and drops it
             * when they go unanswered (after 2 x its inactivity probe);
             * vconn does not answer them by itself. */
            enum ofptype type;
            if (!ofptype_decode(&type, msg->data)
                && type == OFPTYPE_ECHO_REQUEST) {
                error = vconn_send(oc->vconn,
                                   ofputil_encode_echo_reply(msg->data));
            }
            ofpbuf_delete(msg);
            if (error) {
                break;
            }
        }
        if (error && error != EAGAIN) {
            VLOG_INFO("%s: connection dropped (%s)", oc->bridge,
                      ovs_retval_to_string(error));
            disconnect(oc);
        }
    }
}

void
ofctrl_wait(const struct ofctrl *oc)
{
    if (oc->vconn) {
        vconn_run_wait(oc->vconn);
        vconn_recv_wait(oc->vconn);
    } else if (oc->next_retry > time_msec()) {
        /* A retry already due happens at the next ofctrl_sync(), which
         * the caller may hold back (br-int waits for the packet path):
         * waking for it now would spin. */
        poll_timer_wait_until(oc->next_retry);
    }
}

const struct ofctrl_stats *
ofctrl_get_stats(const struct ofctrl *oc)
{
    return &oc->stats;
}

size_t
ofctrl_n_installed(const struct ofctrl *oc)
{
    return flow_set_count(&oc->installed);
}

const struct flow_set *
ofctrl_installed(const struct ofctrl *oc)
{
    return &oc->installed;
}

const char *
ofctrl_bridge(const struct ofctrl *oc)
{
    return oc->bridge;
}

static void
put_flow(struct ds *s, const char *what, const struct dvr_flow *f)
{
    ds_put_format(s, "  %s: ", what);
    dvr_flow_format(f, NULL, NULL, s);
    ds_put_char(s, '\n');
}

int
ofctrl_verify(struct ofctrl *oc, const struct flow_set *desired,
              struct ds *s)
{
    if (!ofctrl_is_connected(oc)) {
        ds_put_format(s, "%s: not connected\n", oc->bridge);
        return -1;
    }

    struct flow_set actual;
    flow_set_init(&actual);
    int error = dump_switch(oc, &actual);
    if (error) {
        ds_put_format(s, "%s: cannot read the flows (%s)\n", oc->bridge,
                      ovs_strerror(error));
        flow_set_destroy(&actual);
        disconnect(oc);
        return -1;
    }

    struct flow_change *changes;
    size_t n = flow_set_diff(desired, &actual, true, &changes);
    ds_put_format(s, "%s: %"PRIuSIZE" flows installed, %"PRIuSIZE
                  " compiled, %"PRIuSIZE" differences%s\n", oc->bridge,
                  flow_set_count(&actual), flow_set_count(desired), n,
                  hmap_is_empty(&desired->dirty)
                  ? "" : " (changes not yet installed)");
    for (size_t i = 0; i < n; i++) {
        const struct dvr_flow *f = changes[i].flow;
        const struct dvr_flow *old = flow_set_find(&actual, f);

        if (changes[i].type == FLOW_CHANGE_DELETE) {
            put_flow(s, "installed but not compiled", f);
        } else if (!old) {
            put_flow(s, flow_set_find(&oc->refused, f)
                     ? "compiled but not installed (the switch refused it)"
                     : "compiled but not installed", f);
        } else {
            put_flow(s, "compiled", f);
            put_flow(s, "  but installed", old);
        }
    }
    free(changes);
    flow_set_destroy(&actual);
    return n;
}

/*
 * controller/ofctrl: see ofctrl.h.
 */

#include <config.h>

#include "controller/ofctrl.h"

#include <errno.h>

#include "byte-order.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "pipeline/flow.h"
#include "socket-util.h"
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
        free(oc->bridge);
        free(oc->target);
        free(oc);
    }
}

/* Reads every flow on the switch into 'oc->installed'. */
static int
read_installed(struct ofctrl *oc)
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
    flow_set_clear(&oc->installed);
    for (size_t i = 0; i < n_fses; i++) {
        const struct ofputil_flow_stats *fs = &fses[i];
        struct dvr_flow *f = dvr_flow_create(fs->table_id, fs->priority,
                                             ntohll(fs->cookie), &fs->match,
                                             fs->ofpacts, fs->ofpacts_len);
        flow_set_insert(&oc->installed, f);
        free(CONST_CAST(struct ofpact *, fs->ofpacts));
    }
    free(fses);
    oc->stats.n_reads++;
    VLOG_INFO("%s: connected, %"PRIuSIZE" flows installed", oc->bridge,
              n_fses);
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

int
ofctrl_sync(struct ofctrl *oc, struct flow_set *desired, bool full)
{
    struct flow_change *changes;
    size_t n;
    int error;

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

    n = flow_set_diff(desired, &oc->installed, full, &changes);
    if (n) {
        long long int start = time_usec();
        struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
        struct ovs_list errors = OVS_LIST_INITIALIZER(&errors);

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
            ovs_list_push_back(&requests, &msg->list_node);
        }
        error = vconn_bundle_transact(oc->vconn, &requests,
                                      OFPBF_ATOMIC | OFPBF_ORDERED, &errors);
        ofpbuf_list_delete(&requests);

        struct ofpbuf *reply;
        LIST_FOR_EACH_POP (reply, list_node, &errors) {
            char *s = ofp_to_string(reply->data, reply->size, NULL, NULL,
                                    1);
            VLOG_WARN("%s: bundle refused: %s", oc->bridge, s);
            free(s);
            ofpbuf_delete(reply);
            error = error ? error : EPROTO;
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
    return 0;
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
        error = vconn_recv(oc->vconn, &msg);
        if (!error) {
            /* A service connection gets no asynchronous message; echo
             * requests are answered by vconn itself. */
            ofpbuf_delete(msg);
        } else if (error != EAGAIN) {
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

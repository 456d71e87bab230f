/*
 * controller/ofctrl: one OpenFlow connection per bridge that makes the
 * bridge's flows equal a desired flow_set.
 *
 * On (re)connection, and when asked (ofctrl_reread()), it reads every
 * installed flow back from the switch and changes only the difference, so
 * a controller restart flushes nothing and rewrites nothing that is
 * already right; in between it compares with what it sent.  Every change
 * set is applied as one atomic, ordered bundle: the switch never forwards
 * with half an update.  The connection is the bridge's management socket
 * (RUNDIR/BRIDGE.mgmt), a service connection: it receives no
 * asynchronous messages.
 *
 * A flow the switch refuses does not stop the others: the error reply's
 * xid names the flow_mod, the bundle goes again without it (and without
 * the installed flow with its key, which is deleted), and the flow is
 * remembered as refused until the compiler changes it or the caller asks
 * for a full sync.  Flows the compiler refused (pipeline/flow.h) are
 * logged here too.
 *
 * Calls block on the local switch for the duration of one transaction.
 */

#ifndef CONTROLLER_OFCTRL_H
#define CONTROLLER_OFCTRL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flow_set;
struct ds;
struct qos_meters;

struct ofctrl_stats {
    uint64_t n_syncs;               /* Bundles committed. */
    uint64_t n_adds;                /* Flow adds sent (incl. replaces). */
    uint64_t n_modifies;            /* Flow modifies sent. */
    uint64_t n_deletes;             /* Flow deletes sent. */
    uint64_t n_reads;               /* Full read-backs after connecting. */
    uint64_t n_switch_refused;      /* Flow changes the switch refused. */
    uint64_t n_compile_refused;     /* Flows the compiler refused. */
    long long int last_sync_usec;   /* Duration of the last bundle. */
};

struct ofctrl *ofctrl_create(const char *bridge, const char *rundir);
void ofctrl_destroy(struct ofctrl *);

/* Brings the switch to 'desired': over the dirty keys of 'desired', or
 * over everything after a (re)connection or if 'full' ('full' also
 * retries the flows refused before).  Clears the dirty keys on success.
 * Returns 0 (also if some flows were refused and left out), or a positive
 * errno value if the switch is unreachable or refused the bundle for a
 * reason that names no flow (then it will retry in full). */
int ofctrl_sync(struct ofctrl *, struct flow_set *desired, bool full);

/* Makes ofctrl_sync() also bring the switch's meters with ids in
 * [QOS_METER_MIN, QOS_METER_MAX] (pipeline/qos.h) to 'meters' (which must
 * outlive 'oc'; NULL: manage none).  Meters are added or modified before
 * the flows that use them and deleted after them, and read back after a
 * (re)connection like the flows.  A meter the switch refuses is logged;
 * the flows that name it are then refused too (and logged). */
void ofctrl_set_meters(struct ofctrl *, const struct qos_meters *meters);
size_t ofctrl_n_meters(const struct ofctrl *);

/* Makes the next ofctrl_sync() read every flow back from the switch and
 * compare in full, so that it also repairs flows changed behind this
 * connection's back (by hand, or by another controller). */
void ofctrl_reread(struct ofctrl *);

/* True if the connection is up and the installed flows are known. */
bool ofctrl_is_connected(const struct ofctrl *);

/* Notices a dropped connection (e.g. ovs-vswitchd restarted). */
void ofctrl_run(struct ofctrl *);
void ofctrl_wait(const struct ofctrl *);

/* Reads the switch's flows afresh (not what this connection believes it
 * installed: a flow added or deleted by hand shows) and compares them
 * with 'desired', appending to 's' a header line and one line per
 * difference: "installed but not compiled: FLOW", "compiled but not
 * installed: FLOW", or a "compiled: FLOW" / "but installed: FLOW" pair
 * (same table, priority and match; another cookie or other actions).
 * Returns the number of differences, or -1 (reason in 's') if the switch
 * cannot be read.  Changes nothing on the switch. */
int ofctrl_verify(struct ofctrl *, const struct flow_set *desired,
                  struct ds *s);

const struct ofctrl_stats *ofctrl_get_stats(const struct ofctrl *);
size_t ofctrl_n_installed(const struct ofctrl *);
const struct flow_set *ofctrl_installed(const struct ofctrl *);
const char *ofctrl_bridge(const struct ofctrl *);

#endif /* controller/ofctrl.h */

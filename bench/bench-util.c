/*
 * bench/bench-util: see bench-util.h.
 */

#include <config.h>

#include "bench/bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "timeval.h"
#include "util.h"

const struct nbrec_chassis_private *
bench_find_chassis(struct ovsdb_idl *idl, const char *name)
{
    const struct nbrec_chassis_private *ch;

    NBREC_CHASSIS_PRIVATE_FOR_EACH (ch, idl) {
        if (!strcmp(ch->name, name)) {
            return ch;
        }
    }
    return NULL;
}

void
bench_watch_chassis(struct ovsdb_idl *idl, const char *name)
{
    struct ovsdb_idl_condition cond = OVSDB_IDL_CONDITION_INIT(&cond);

    nbrec_chassis_private_add_clause_name(&cond, OVSDB_F_EQ, name);
    unsigned int seqno = nbrec_chassis_private_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

    long long int deadline = time_msec() + 10000;
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_get_condition_seqno(idl) == seqno) {
            return;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "the NB server did not apply the condition on "
                      "Chassis_Private");
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

struct ovsdb_idl_txn *
bench_txn_begin(struct ovsdb_idl *idl, int64_t *cfg)
{
    const struct nbrec_nb_global *g = nbrec_nb_global_first(idl);
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);

    *cfg = (g ? g->nb_cfg : 0) + 1;
    if (!g) {
        g = nbrec_nb_global_insert(txn);
    }
    nbrec_nb_global_set_nb_cfg(g, *cfg);
    return txn;
}

long long int
bench_commit_and_wait(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                      const char *chassis, int64_t cfg)
{
    long long int start = time_usec();

    if (ovsdb_idl_txn_commit_block(txn) != TXN_SUCCESS) {
        ovs_fatal(0, "transaction failed");
    }
    ovsdb_idl_txn_destroy(txn);
    long long int deadline = time_msec() + 10000;
    for (;;) {
        ovsdb_idl_run(idl);
        const struct nbrec_chassis_private *ch = bench_find_chassis(idl,
                                                                   chassis);
        if (ch && ch->nb_cfg >= cfg) {
            return time_usec() - start;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "chassis did not acknowledge nb_cfg %"PRId64, cfg);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static int
compare_ll(const void *a_, const void *b_)
{
    const long long int *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

void
bench_print_latency(const char *what, long long int *lat, int n)
{
    qsort(lat, n, sizeof *lat, compare_ll);
    printf("%s (n=%d): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", what, n,
           lat[n / 2] / 1000.0,
           lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0,
           lat[n - 1] / 1000.0);
}

/*
 * dvrctl sync: waits until every hypervisor has applied the NB as it is
 * now (what "ovn-nbctl --wait=hv sync" does for OVN):
 *
 *   dvrctl sync [--nb REMOTE] [--timeout SECONDS]
 *
 * It increments NB_Global.nb_cfg (inserting the row if the database has
 * none) and waits until every Chassis_Private row reports that value or a
 * later one.  A controller reports an nb_cfg only once the flows of the
 * view it had then are installed and its conditions are applied
 * (doc/architecture.md), so "applied" means installed.  API writes do not
 * increment nb_cfg: with a thousand hypervisors each write would cost a
 * thousand acknowledgements; an operator or a test that needs to know a
 * change is everywhere asks with this command.
 *
 * REMOTE is the NB database (a comma-separated list for a cluster; the
 * leader is followed), by default $DVR_NB_REMOTE.  SECONDS (default 30, at
 * most 86400) bounds the wait.
 *
 * Contract: one write (the increment), then reads only.  Prints "nb_cfg N
 * applied by M chassis in T ms" and exits 0; on timeout prints the
 * chassis still behind and exits 1; exits 2 on a usage error (naming the
 * bad argument) or when the database cannot be reached or written.
 */

#include <config.h>

#include "api/json-compat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "timeval.h"
#include "tools/dvrctl.h"
#include "util.h"

/* Runs 'idl' until 'deadline' (msec) or until it has connected and holds
 * the rows it monitors. */
static void
sync_connect(struct ovsdb_idl *idl, const char *remote,
             long long int deadline)
{
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)
            && ovsdb_idl_is_connected(idl)) {
            return;
        }
        if (time_msec() >= deadline) {
            dvrctl_die(2, "sync: cannot reach the NB database at %s", remote);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Increments NB_Global.nb_cfg and returns the new value. */
static int64_t
sync_increment(struct ovsdb_idl *idl, const char *remote,
               long long int deadline)
{
    for (;;) {
        const struct nbrec_nb_global *g = nbrec_nb_global_first(idl);
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
        ovsdb_idl_txn_add_comment(txn, "dvrctl sync");
        if (g) {
            ovsdb_idl_txn_increment(txn, &g->header_,
                                    &nbrec_nb_global_col_nb_cfg, true);
        } else {
            nbrec_nb_global_set_nb_cfg(nbrec_nb_global_insert(txn), 1);
        }
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
        int64_t cfg = (status == TXN_SUCCESS && g
                       ? ovsdb_idl_txn_get_increment_new_value(txn) : 1);
        char *error = status == TXN_ERROR
                      ? xstrdup(ovsdb_idl_txn_get_error(txn)) : NULL;
        ovsdb_idl_txn_destroy(txn);
        if (status == TXN_SUCCESS) {
            return cfg;
        }
        if (status == TXN_ERROR || time_msec() >= deadline) {
            dvrctl_die(2, "sync: cannot increment nb_cfg in %s: %s", remote,
                       error ? error : ovsdb_idl_txn_status_to_string(status));
        }
        free(error);
        /* TRY_AGAIN (another client inserted NB_Global first, or the
         * leader changed) or NOT_LOCKED: read again and retry. */
        sync_connect(idl, remote, deadline);
    }
}

static long long int
parse_timeout(const char *s)
{
    char *end;
    errno = 0;
    long long int v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 86400) {
        dvrctl_die(2, "sync: --timeout: '%s' is not a number of seconds "
                   "from 1 to 86400", s);
    }
    return v;
}

int
dvrctl_sync(int argc, char *argv[])
{
    const char *remote = getenv("DVR_NB_REMOTE");
    long long int timeout = 30;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--nb") && i + 1 < argc) {
            remote = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            timeout = parse_timeout(argv[++i]);
        } else {
            dvrctl_die(2, "sync: unknown argument '%s' (usage: dvrctl sync "
                       "[--nb REMOTE] [--timeout SECONDS])", argv[i]);
        }
    }
    if (!remote || !*remote) {
        dvrctl_die(2, "sync: no NB database: give --nb REMOTE or set "
                   "DVR_NB_REMOTE");
    }

    long long int start = time_msec();
    long long int deadline = start + timeout * 1000;
    struct ovsdb_idl *idl = ovsdb_idl_create(remote, &nbrec_idl_class,
                                             false, true);
    ovsdb_idl_add_table(idl, &nbrec_table_nb_global);
    ovsdb_idl_add_column(idl, &nbrec_nb_global_col_nb_cfg);
    ovsdb_idl_add_table(idl, &nbrec_table_chassis_private);
    ovsdb_idl_add_column(idl, &nbrec_chassis_private_col_name);
    ovsdb_idl_add_column(idl, &nbrec_chassis_private_col_nb_cfg);

    sync_connect(idl, remote, deadline);
    int64_t cfg = sync_increment(idl, remote, deadline);

    for (;;) {
        ovsdb_idl_run(idl);
        const struct nbrec_chassis_private *cp;
        size_t n = 0, behind = 0;
        NBREC_CHASSIS_PRIVATE_FOR_EACH (cp, idl) {
            n++;
            behind += cp->nb_cfg < cfg;
        }
        if (!behind) {
            printf("nb_cfg %"PRId64" applied by %"PRIuSIZE" chassis in "
                   "%lld ms\n", cfg, n, time_msec() - start);
            break;
        }
        if (time_msec() >= deadline) {
            struct ds s = DS_EMPTY_INITIALIZER;
            NBREC_CHASSIS_PRIVATE_FOR_EACH (cp, idl) {
                if (cp->nb_cfg < cfg) {
                    ds_put_format(&s, " %s (at %"PRId64")", cp->name,
                                  cp->nb_cfg);
                }
            }
            fprintf(stderr, "dvrctl: sync: nb_cfg %"PRId64" not applied "
                    "within %lld s by %"PRIuSIZE" of %"PRIuSIZE" chassis:%s\n",
                    cfg, timeout, behind, n, ds_cstr(&s));
            ds_destroy(&s);
            ovsdb_idl_destroy(idl);
            return 1;
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    ovsdb_idl_destroy(idl);
    return 0;
}

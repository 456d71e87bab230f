/*
 * bench/bench-util: what the NB latency benchmarks share: find a
 * chassis' acknowledgement row (and watch only that one), start a transaction that bumps
 * NB_Global.nb_cfg, commit it and wait until the chassis acknowledges it,
 * and print percentiles.  Fatal on any failure (these are benchmarks).
 */

#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H 1

#include <stdint.h>

struct nbrec_chassis_private;
struct ovsdb_idl;
struct ovsdb_idl_txn;

const struct nbrec_chassis_private *bench_find_chassis(struct ovsdb_idl *,
                                                       const char *name);

/* Narrows the Chassis_Private rows 'idl' monitors to chassis 'name''s and
 * waits until the server applied that.  Without it, every other
 * chassis' acknowledgement of every change reaches the benchmark too:
 * at 1,000 hypervisors, 999 rows per change for the NB server to send and
 * the benchmark to parse, on the machine whose latency it measures. */
void bench_watch_chassis(struct ovsdb_idl *, const char *name);

/* Starts a transaction that bumps nb_cfg; stores the new value. */
struct ovsdb_idl_txn *bench_txn_begin(struct ovsdb_idl *, int64_t *cfg);

/* Commits 'txn' and waits (10 s at most) until 'chassis' acknowledges
 * 'cfg'.  Returns the time that took, in microseconds. */
long long int bench_commit_and_wait(struct ovsdb_idl *, struct ovsdb_idl_txn *,
                                    const char *chassis, int64_t cfg);

/* Sorts 'lat' ('n' microsecond figures) and prints "WHAT (n=N): p50 ...,
 * p99 ..., max ..." in milliseconds. */
void bench_print_latency(const char *what, long long int *lat, int n);

#endif /* bench/bench-util.h */

/*
 * tests/component/engine-diff-gen: the random NB changes of
 * test-engine-diff (see its header).
 *
 * ediff_random_change() adds one random change to the writer's open
 * transaction 'txn' or to what the bridges report ('ports', 'services',
 * 'vifs_gen'), and describes it in 'desc'.  Everything comes from the seed
 * given to ediff_seed(), row UUIDs included (rows are inserted with
 * persistent UUIDs), so that a seed reproduces a run.  Changes are mostly
 * valid, with some values the compilers must skip, and some that the
 * database refuses (a unique index): the caller reports those.  A change
 * that deletes a row sets 'deleted': the writer's view of the rows is then
 * stale until the transaction commits, so the step ends there.
 */

#ifndef TESTS_COMPONENT_ENGINE_DIFF_GEN_H
#define TESTS_COMPONENT_ENGINE_DIFF_GEN_H 1

#include <stdbool.h>
#include <stdint.h>

#include "controller/bridges.h"
#include "controller/config.h"
#include "openvswitch/dynamic-string.h"
#include "pipeline/services.h"
#include "smap.h"

struct ovsdb_idl;
struct ovsdb_idl_index;
struct ovsdb_idl_txn;

/* This chassis, then the remote ones (hv2 and hv3 have tunnels). */
#define EDIFF_ME "hv-me"
#define EDIFF_N_CHASSIS 4
extern const char *const ediff_chassis[EDIFF_N_CHASSIS];

/* Everything one run works on. */
struct ediff_run {
    struct ovsdb_idl *w;            /* Writer. */
    struct ovsdb_idl *r;            /* Reader (the engine's). */
    struct ovsdb_idl_txn *txn;      /* The writer's, during a step. */
    struct ds desc;                 /* What the step changes. */
    unsigned int counter;           /* For unique names and addresses. */
    bool deleted;                   /* The step deleted a row. */

    /* The engine's input. */
    struct dvr_config cfg;
    struct services_chassis services;
    struct bridge_ports ports;
    unsigned int vifs_gen;
    unsigned int ports_gen;         /* Bumped when 'ports' changes. */
    struct smap persisted;          /* Engine A's local VLANs. */
    unsigned int next_ofport;
};

void ediff_seed(uint64_t seed);

/* How many changes the next step makes (mostly one). */
int ediff_n_changes(void);

void ediff_random_change(struct ediff_run *);

#endif /* tests/component/engine-diff-gen.h */

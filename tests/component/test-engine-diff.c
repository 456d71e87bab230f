/*
 * test-engine-diff: incremental must equal full.
 *
 * Usage: test-engine-diff NB_REMOTE [--seed N] [--steps M] [--verbose]
 *                         [--conditional [--gateway] [--compare-all]]
 *                         [--dump FILE [--dump-every K]]
 *
 * A randomized differential test of controller/engine.  One IDL connection
 * (the writer) makes random changes to the NB database, one transaction a
 * step: networks (tunnelled and provider, external), subnets, VM ports
 * (addresses, security groups, port security, admin state, allowed address
 * pairs), routers with interfaces, gateways and extra routes, floating IPs,
 * security groups and rules (remote groups and prefixes), port bindings
 * moving between this chassis and others, gateway-capable chassis; mostly
 * valid, some with values the compilers must skip (bad CIDRs and MACs,
 * MTUs out of range, rules with bad ports or prefixes, tunnelled networks
 * without a segment).  Besides NB, a step may change what the bridges
 * report: VIFs appearing, moving to another ofport or vanishing, BFD
 * marking a gateway down, a tunnel or the metadata port coming or going.
 *
 * A second IDL connection (the reader, with the indexes and change
 * tracking dvr-controller uses) waits for each step's transaction, then
 * engine A, created once, runs incrementally as the controller's does.
 * After every step a fresh engine B compiles the same input in full, with
 * A's local-VLAN allocations loaded the way the controller loads the ones
 * it persisted at a restart, and A's flows on every bridge (br-int, br-tun,
 * the provider bridges) must equal B's: the same keys (table, priority,
 * match) with the same cookie and actions, as the switch would see them
 * (flow_set_diff(), which ofctrl uses).
 *
 * --conditional makes the reader a compute node that monitors the NB
 * conditionally, as dvr-controller does by default (controller/
 * nb-monitor): after each step the reader's view grows or shrinks in
 * condition rounds, engine A runs incrementally after each round as the
 * controller's does, and the comparison is made once the view is what the
 * node's VIFs imply.  Rows that arrive because a condition grew are not
 * changes of the rows that refer to them: this mode is the guard of the
 * engine's handling of them.  With --gateway as well, the reader is a
 * gateway chassis that monitors conditionally: every router with a gateway
 * is active there, and its networks come in rounds.
 *
 * --compare-all (a diagnostic, not run by engine-diff.sh) also compiles in
 * full, after every step, the view of a third connection that monitors
 * every row, and compares engine A's flows with it: a difference is a row
 * the conditional view lacks.  It reports differences today, on cases the
 * generator makes and a cloud hardly does (a VIF plugged on a router's
 * interface port, a floating IP with no router) and others not analysed
 * yet, for compute nodes and gateways alike.
 *
 * Everything random comes from the seed, row UUIDs included, so a seed and
 * a number of steps reproduce a run.  On a difference the program prints
 * the seed, the step, the last steps' changes and the differing flows, and
 * exits 1.  Exits 0 when every step compared equal.
 *
 * --dump FILE writes what engine A produced, so that two builds of the
 * engine (before and after a restructuring, say) can be compared for the
 * same seed: after every step, one line with the number of flows on each
 * bridge, a hash of their sorted text and the gratuitous ARPs queued; every
 * K steps (--dump-every, 100 by default) and after the last, every flow on
 * every bridge, sorted.
 */

#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/bridges.h"
#include "controller/config.h"
#include "controller/engine.h"
#include "controller/nb-monitor.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/flow.h"
#include "pipeline/qos.h"
#include "pipeline/services.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "tests/component/engine-diff-gen.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

#define N_HISTORY 8             /* Steps printed on a failure. */

/* IDL plumbing. */

static void
wait_idl(struct ovsdb_idl *idl, bool (*done)(struct ovsdb_idl *, void *),
         void *aux, const char *what)
{
    long long int deadline = time_msec() + 30000;

    for (;;) {
        ovsdb_idl_run(idl);
        if (done(idl, aux)) {
            return;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "timed out waiting for %s", what);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
connected(struct ovsdb_idl *idl, void *aux OVS_UNUSED)
{
    return ovsdb_idl_has_ever_connected(idl);
}

/* True once 'idl' has seen the NB_Global row with nb_cfg *'aux'. */
static bool
has_step(struct ovsdb_idl *idl, void *aux)
{
    const struct nbrec_nb_global *g = nbrec_nb_global_first(idl);
    return g && g->nb_cfg == *(int64_t *) aux;
}

static const struct nbrec_nb_global *
nb_global(struct ovsdb_idl *idl)
{
    const struct nbrec_nb_global *g = nbrec_nb_global_first(idl);
    if (!g) {
        ovs_fatal(0, "no NB_Global row");
    }
    return g;
}

/* The chassis and NB_Global rows, as dvr-controller's and other nodes'
 * would be. */
static void
setup_db(struct ediff_run *run)
{
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(run->w);
    struct nbrec_nb_global *g = nbrec_nb_global_insert(txn);

    nbrec_nb_global_set_nb_cfg(g, 0);
    for (size_t i = 0; i < EDIFF_N_CHASSIS; i++) {
        /* A fixed UUID: the generator picks rows in the IDL's order, which
         * follows their UUIDs, so a random one would make a seed pick
         * other chassis from run to run. */
        struct uuid u = { .parts = { 0xc4a55150, 0, 0, i + 1 } };
        struct nbrec_chassis *ch = nbrec_chassis_insert_persist_uuid(txn,
                                                                     &u);
        char *ip = xasprintf("192.0.2.%"PRIuSIZE, i + 1);

        nbrec_chassis_set_name(ch, ediff_chassis[i]);
        nbrec_chassis_set_hostname(ch, ediff_chassis[i]);
        nbrec_chassis_set_encap_type(ch, "geneve");
        nbrec_chassis_set_encap_ip(ch, ip);
        nbrec_chassis_set_gateway_capable(ch, i < 3);
        free(ip);
    }
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status != TXN_SUCCESS) {
        ovs_fatal(0, "setup transaction: %s (%s)",
                  ovsdb_idl_txn_status_to_string(status),
                  ovsdb_idl_txn_get_error(txn));
    }
    ovsdb_idl_txn_destroy(txn);
    int64_t zero = 0;
    wait_idl(run->w, has_step, &zero, "the writer");
    wait_idl(run->r, has_step, &zero, "the reader");
}

static void
setup_input(struct ediff_run *run)
{
    memset(&run->cfg, 0, sizeof run->cfg);
    run->cfg.system_id = xstrdup(EDIFF_ME);
    run->cfg.hostname = xstrdup(EDIFF_ME);
    run->cfg.nb_remote = xstrdup("");
    run->cfg.encap_ip = xstrdup("192.0.2.1");
    run->cfg.encap_type = xstrdup("geneve");
    smap_init(&run->cfg.bridge_mappings);
    smap_add(&run->cfg.bridge_mappings, "physnet1", "br-ex");
    run->cfg.gateway = true;
    run->cfg.datapath_type = xstrdup("");
    run->cfg.int_bridge = xstrdup("br-int");
    run->cfg.tun_bridge = xstrdup("br-tun");

    run->services.meta_ofport = OFPP_NONE;
    run->services.meta_mac = (struct eth_addr) ETH_ADDR_C(02, 00, 00, 00,
                                                          00, 09);
    run->services.use_meters = true;

    bridge_ports_init(&run->ports);
    run->ports.int_patch_tun = u16_to_ofp(1);
    run->ports.tun_patch_int = u16_to_ofp(1);
    simap_put(&run->ports.tunnels, "hv2", 2);
    simap_put(&run->ports.tunnels, "hv3", 3);
    struct ex_bridge *eb = xzalloc(sizeof *eb);
    eb->physnet = xstrdup("physnet1");
    eb->bridge = xstrdup("br-ex");
    eb->int_patch = u16_to_ofp(5);
    eb->ex_patch = u16_to_ofp(1);
    shash_add(&run->ports.ex_bridges, "physnet1", eb);
    run->next_ofport = 10;
    run->ports_gen = 1;
    smap_init(&run->persisted);
}

/* Comparison. */

static void
format_flow(const char *label, const struct dvr_flow *f, struct ds *s)
{
    ds_put_format(s, "    %s: ", label);
    if (f) {
        dvr_flow_format(f, NULL, NULL, s);
    } else {
        ds_put_cstr(s, "(none)");
    }
    ds_put_char(s, '\n');
}

/* Appends to 's' how 'inc' differs from 'full' (on bridge 'name') and
 * returns the number of keys that differ. */
static size_t
compare_sets(const char *name, const struct flow_set *inc,
             const struct flow_set *full, struct ds *s)
{
    struct flow_change *changes;
    size_t n = flow_set_diff(inc, full, true, &changes);

    for (size_t i = 0; i < n && i < 20; i++) {
        const struct dvr_flow *f = changes[i].flow;
        const struct dvr_flow *a = flow_set_find(inc, f);
        const struct dvr_flow *b = flow_set_find(full, f);

        ds_put_format(s, "  %s: %s\n", name,
                      !b ? "only in incremental"
                      : !a ? "only in full"
                      : "differs");
        format_flow("incremental", a, s);
        format_flow("full       ", b, s);
    }
    if (n > 20) {
        ds_put_format(s, "  %s: ... %"PRIuSIZE" differences in all\n",
                      name, n);
    }
    free(changes);
    return n;
}

static size_t
compare_engines(struct engine *a, struct engine *b, struct ds *s)
{
    struct flow_set empty;
    struct sset names = SSET_INITIALIZER(&names);
    struct shash_node *node;
    const char *name;
    size_t n = 0;

    n += compare_sets("br-int", engine_int_flows(a), engine_int_flows(b), s);
    n += compare_sets("br-tun", engine_tun_flows(a), engine_tun_flows(b), s);
    flow_set_init(&empty);
    SHASH_FOR_EACH (node, engine_ex_flows(a)) {
        sset_add(&names, node->name);
    }
    SHASH_FOR_EACH (node, engine_ex_flows(b)) {
        sset_add(&names, node->name);
    }
    SSET_FOR_EACH (name, &names) {
        const struct flow_set *fa = shash_find_data(engine_ex_flows(a), name);
        const struct flow_set *fb = shash_find_data(engine_ex_flows(b), name);
        n += compare_sets(name, fa ? fa : &empty, fb ? fb : &empty, s);
    }
    flow_set_destroy(&empty);
    sset_destroy(&names);

    /* The QoS meters, both ways. */
    const struct qos_meters *ma = engine_qos_meters(a);
    const struct qos_meters *mb = engine_qos_meters(b);
    const struct qos_meter *m;
    HMAP_FOR_EACH (m, node, &ma->map) {
        const struct qos_meter *o = qos_meters_find(mb, m->id);
        if (!o || o->kbps != m->kbps || o->burst_kbits != m->burst_kbits) {
            ds_put_format(s, "meter %"PRIu32": incremental %"PRIu32"/%"
                          PRIu32", full %s\n", m->id, m->kbps,
                          m->burst_kbits, o ? "differs" : "none");
            n++;
        }
    }
    HMAP_FOR_EACH (m, node, &mb->map) {
        if (!qos_meters_find(ma, m->id)) {
            ds_put_format(s, "meter %"PRIu32": only in the full run\n",
                          m->id);
            n++;
        }
    }
    return n;
}

/* Appends to 's' the gratuitous ARPs engine 'e' queued, and frees them. */
static void
drain_garps(struct engine *e, struct ds *s)
{
    struct ovs_list garps = OVS_LIST_INITIALIZER(&garps);
    struct engine_garp *g;

    engine_take_garps(e, &garps);
    LIST_FOR_EACH_POP (g, list_node, &garps) {
        ds_put_format(s, " garp(%"PRIu16","IP_FMT","ETH_ADDR_FMT")", g->lvid,
                      IP_ARGS(g->ip), ETH_ADDR_ARGS(g->mac));
        free(g);
    }
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* Appends to 's' the flows of 'set' as sorted lines, each prefixed by
 * 'name'. */
static void
format_sorted(const char *name, const struct flow_set *set, struct ds *s)
{
    size_t n = hmap_count(&set->flows), i = 0;
    char **lines = xmalloc((n ? n : 1) * sizeof *lines);
    const struct dvr_flow *f;

    HMAP_FOR_EACH (f, node, &set->flows) {
        struct ds line = DS_EMPTY_INITIALIZER;
        ds_put_format(&line, "%s ", name);
        dvr_flow_format(f, NULL, NULL, &line);
        lines[i++] = ds_steal_cstr(&line);
    }
    qsort(lines, n, sizeof *lines, compare_strings);
    for (i = 0; i < n; i++) {
        ds_put_format(s, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

/* Writes to 'dump' step 'step' of engine 'e': a summary line with the
 * gratuitous ARPs in 'garps' and, if 'all', every flow. */
static void
dump_step(FILE *dump, int64_t step, struct engine *e, const char *garps,
          bool all)
{
    struct ds flows = DS_EMPTY_INITIALIZER;
    struct shash_node *node;

    format_sorted("br-int", engine_int_flows(e), &flows);
    format_sorted("br-tun", engine_tun_flows(e), &flows);
    const struct shash_node **ex = shash_sort(engine_ex_flows(e));
    for (size_t i = 0; i < shash_count(engine_ex_flows(e)); i++) {
        node = CONST_CAST(struct shash_node *, ex[i]);
        format_sorted(node->name, node->data, &flows);
    }
    free(ex);
    fprintf(dump, "step %"PRId64": %"PRIuSIZE" int, %"PRIuSIZE" tun, "
            "hash %08"PRIx32"%s\n", step,
            hmap_count(&engine_int_flows(e)->flows),
            hmap_count(&engine_tun_flows(e)->flows),
            hash_bytes(flows.string, flows.length, 0), garps);
    if (all) {
        fputs(ds_cstr(&flows), dump);
    }
    ds_destroy(&flows);
}

/* Persists engine A's local VLAN changes, as bridges_store_lvids() does
 * in br-int's external_ids. */
static void
persist_lvids(struct ediff_run *run, struct engine *a)
{
    struct smap set = SMAP_INITIALIZER(&set);
    struct sset unset = SSET_INITIALIZER(&unset);
    struct smap_node *node;
    const char *name;

    engine_take_lvid_changes(a, &set, &unset);
    SSET_FOR_EACH (name, &unset) {
        smap_remove(&run->persisted, name);
    }
    SMAP_FOR_EACH (node, &set) {
        smap_replace(&run->persisted, node->key, node->value);
    }
    smap_destroy(&set);
    sset_destroy(&unset);
}

/* Runs engine A over the reader's view as dvr-controller does: once or,
 * with conditional monitoring ('m' nonnull), after every condition round
 * until the view is what the node's VIFs imply. */

static size_t n_rounds;

static void
run_incremental(struct ediff_run *run, struct engine *a,
                struct nb_monitor *m, const struct engine_input *in)
{
    long long int deadline = time_msec() + 30000;

    for (;;) {
        if (m) {
            struct nb_monitor_input mon = {
                .idl = run->r,
                .ports_by_network = in->ports_by_network,
                .chassis = EDIFF_ME,
                .vifs = &run->ports.vifs,
                .all = false,
                .gateway = run->cfg.gateway,
            };
            ovsdb_idl_run(run->r);
            nb_monitor_count(m, run->r);
            n_rounds += nb_monitor_run(m, &mon);
        }
        engine_run(a, in);
        ovsdb_idl_track_clear(run->r);
        if (!m || nb_monitor_converged(m)) {
            return;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "timed out waiting for the conditions to converge");
        }
        ovsdb_idl_wait(run->r);
        nb_monitor_wait(m);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Makes 'view' read 'idl': its nb_idl and the indexes the engine looks
 * rows up by (made before the IDL connects, as dvr-controller does). */
static void
view_init(struct engine_input *view, struct ovsdb_idl *idl)
{
    view->nb_idl = idl;
    view->ports_by_network = ovsdb_idl_index_create1(idl,
                                                     &nbrec_port_col_network);
    view->bindings_by_port = ovsdb_idl_index_create1(
        idl, &nbrec_port_binding_col_port);
    view->fips_by_port = ovsdb_idl_index_create1(idl,
                                                 &nbrec_floating_ip_col_port);
    view->fips_by_router = ovsdb_idl_index_create1(
        idl, &nbrec_floating_ip_col_router);
    view->pfs_by_fip = ovsdb_idl_index_create1(
        idl, &nbrec_port_forwarding_col_floating_ip);
    view->pfs_by_port = ovsdb_idl_index_create1(
        idl, &nbrec_port_forwarding_col_port);
}

/* The engine's input: 'run''s node, reading 'view'. */
static struct engine_input
run_input(const struct ediff_run *run, const struct engine_input *view)
{
    struct engine_input in = *view;

    in.cfg = &run->cfg;
    in.services = &run->services;
    in.ports = &run->ports;
    in.vifs_gen = run->vifs_gen;
    in.ports_gen = run->ports_gen;
    return in;
}

/* Compiles in full, with engine A's local VLANs, the view of a node that
 * monitors every row, and appends to 's' how engine A's flows differ from
 * it (returns the number of differences): the conditional view must hold
 * every row the node's flows depend on. */
static size_t
compare_with_all(struct ediff_run *run, const struct engine_input *all,
                 struct engine *a, int64_t step, struct ds *s)
{
    wait_idl(all->nb_idl, has_step, &step, "the all-rows reader");

    struct engine_input in = run_input(run, all);

    struct smap saved;
    smap_clone(&saved, &run->ports.lvids);
    smap_destroy(&run->ports.lvids);
    smap_clone(&run->ports.lvids, &run->persisted);
    struct engine *c = engine_create();
    engine_force_full(c);
    engine_run(c, &in);
    smap_destroy(&run->ports.lvids);
    smap_clone(&run->ports.lvids, &saved);
    smap_destroy(&saved);

    size_t n = compare_engines(a, c, s);
    engine_destroy(c);
    return n;
}

static void
usage(void)
{
    printf("usage: test-engine-diff NB_REMOTE [--seed N] [--steps M] "
           "[--conditional [--gateway] [--compare-all]] [--verbose]\n"
           "                         [--dump FILE [--dump-every K]]\n");
    exit(EXIT_FAILURE);
}

int
main(int argc, char *argv[])
{
    const char *remote = NULL;
    uint64_t seed = time_wall_msec();
    long long int steps = 2000;
    bool verbose = false, conditional = false, gateway = false;
    bool compare_all = false;
    FILE *dump = NULL;
    long long int dump_every = 100;

    set_program_name(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
            steps = atoll(argv[++i]);
        } else if (!strcmp(argv[i], "--conditional")) {
            conditional = true;
        } else if (!strcmp(argv[i], "--gateway")) {
            gateway = true;
        } else if (!strcmp(argv[i], "--compare-all")) {
            compare_all = true;
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
            dump = fopen(argv[++i], "w");
            if (!dump) {
                ovs_fatal(errno, "%s: cannot open", argv[i]);
            }
        } else if (!strcmp(argv[i], "--dump-every") && i + 1 < argc) {
            dump_every = MAX(1, atoll(argv[++i]));
        } else if (argv[i][0] != '-' && !remote) {
            remote = argv[i];
        } else {
            usage();
        }
    }
    if (!remote) {
        usage();
    }
    /* The compilers log every skipped row: the point here is the flows. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, verbose ? VLL_WARN : VLL_OFF);
    printf("test-engine-diff: seed %"PRIu64", %lld steps%s%s\n", seed, steps,
           conditional ? ", conditional monitoring" : "",
           conditional && gateway ? " of a gateway chassis" : "");
    fflush(stdout);
    ediff_seed(seed);

    struct ediff_run run;
    memset(&run, 0, sizeof run);
    ds_init(&run.desc);
    run.w = ovsdb_idl_create(remote, &nbrec_idl_class, true, true);
    run.r = ovsdb_idl_create(remote, &nbrec_idl_class, true, true);
    ovsdb_idl_track_add_all(run.r);
    struct nb_monitor *monitor = NULL;
    if (conditional) {
        /* As dvr-controller: before the reader connects. */
        nb_monitor_prepare(run.r);
        monitor = nb_monitor_create();
        nb_monitor_start(monitor, run.r, EDIFF_ME, false, gateway);
    }
    /* A third connection that monitors every row, for --compare-all. */
    struct engine_input all = { .nb_idl = NULL };
    if (compare_all) {
        view_init(&all, ovsdb_idl_create(remote, &nbrec_idl_class, true,
                                         true));
    }
    struct engine_input view = { .nb_idl = NULL };
    view_init(&view, run.r);
    wait_idl(run.w, connected, NULL, "the writer to connect");
    wait_idl(run.r, connected, NULL, "the reader to connect");
    if (all.nb_idl) {
        wait_idl(all.nb_idl, connected, NULL,
                 "the all-rows reader to connect");
    }
    setup_input(&run);
    /* Without conditional monitoring the reader is a gateway chassis; with
     * it, a compute node or, with --gateway, a gateway chassis. */
    run.cfg.gateway = !conditional || gateway;
    setup_db(&run);

    struct engine *a = engine_create();
    struct ds history[N_HISTORY];
    long long int start = time_msec();
    size_t n_failed_txns = 0, max_flows = 0;
    int status = EXIT_SUCCESS;

    for (size_t i = 0; i < N_HISTORY; i++) {
        ds_init(&history[i]);
    }
    for (int64_t step = 1; step <= steps; step++) {
        ds_clear(&run.desc);
        run.deleted = false;
        run.txn = ovsdb_idl_txn_create(run.w);
        nbrec_nb_global_set_nb_cfg(nb_global(run.w), step);

        /* Mostly one change a step, sometimes a few at once; a deletion
         * ends the step (the writer's view of a deleted row is gone). */
        int n_changes = ediff_n_changes();
        for (int k = 0; k < n_changes && !run.deleted; k++) {
            if (k) {
                ds_put_cstr(&run.desc, "; ");
            }
            size_t len = run.desc.length;
            ediff_random_change(&run);
            if (run.desc.length == len) {
                ds_put_cstr(&run.desc, "(no change)");
            }
        }

        enum ovsdb_idl_txn_status ts = ovsdb_idl_txn_commit_block(run.txn);
        if (ts != TXN_SUCCESS) {
            /* A change the database refused (a unique index, say): the
             * step changes only what the bridges report. */
            ds_put_format(&run.desc, " [transaction %s: %s]",
                          ovsdb_idl_txn_status_to_string(ts),
                          ovsdb_idl_txn_get_error(run.txn));
            n_failed_txns++;
        }
        ovsdb_idl_txn_destroy(run.txn);
        run.txn = NULL;
        if (ts == TXN_SUCCESS) {
            wait_idl(run.w, has_step, &step, "the writer");
            wait_idl(run.r, has_step, &step, "the reader");
        }
        ds_clear(&history[step % N_HISTORY]);
        ds_put_format(&history[step % N_HISTORY], "step %"PRId64": %s",
                      step, ds_cstr(&run.desc));
        if (verbose) {
            printf("%s\n", ds_cstr(&history[step % N_HISTORY]));
        }

        struct engine_input in = run_input(&run, &view);
        run_incremental(&run, a, monitor, &in);
        struct ds garps = DS_EMPTY_INITIALIZER;
        drain_garps(a, &garps);
        if (dump) {
            dump_step(dump, step, a, ds_cstr(&garps),
                      !(step % dump_every) || step == steps);
        }
        ds_destroy(&garps);
        persist_lvids(&run, a);

        /* A fresh engine over the same input, with A's local VLANs as a
         * restarted controller reads them from br-int. */
        struct smap saved;
        smap_clone(&saved, &run.ports.lvids);
        smap_destroy(&run.ports.lvids);
        smap_clone(&run.ports.lvids, &run.persisted);
        struct engine *b = engine_create();
        engine_force_full(b);
        engine_run(b, &in);
        smap_destroy(&run.ports.lvids);
        smap_clone(&run.ports.lvids, &saved);
        smap_destroy(&saved);

        max_flows = MAX(max_flows, flow_set_count(engine_int_flows(a)));
        struct ds diff = DS_EMPTY_INITIALIZER;
        if (compare_engines(a, b, &diff)) {
            printf("FAIL: seed %"PRIu64", step %"PRId64": the incremental "
                   "flows differ from a full compile\n", seed, step);
            printf("the last steps:\n");
            for (int64_t k = MAX(1, step - N_HISTORY + 1); k <= step; k++) {
                printf("  %s\n", ds_cstr(&history[k % N_HISTORY]));
            }
            printf("differences:\n%s", ds_cstr(&diff));
            printf("reproduce: test-engine-diff NB_REMOTE --seed %"PRIu64
                   " --steps %"PRId64" (on an empty database)\n", seed, step);
            status = EXIT_FAILURE;
        }
        ds_destroy(&diff);
        engine_destroy(b);
        if (status == EXIT_SUCCESS && all.nb_idl && ts == TXN_SUCCESS) {
            ds_init(&diff);
            if (compare_with_all(&run, &all, a, step, &diff)) {
                printf("FAIL: seed %"PRIu64", step %"PRId64": the flows "
                       "of the conditional view differ from a full compile "
                       "of every row\n", seed, step);
                printf("the last steps:\n");
                for (int64_t k = MAX(1, step - N_HISTORY + 1); k <= step;
                     k++) {
                    printf("  %s\n", ds_cstr(&history[k % N_HISTORY]));
                }
                printf("differences (\"full\": every row):\n%s",
                       ds_cstr(&diff));
                status = EXIT_FAILURE;
            }
            ds_destroy(&diff);
        }
        if (status != EXIT_SUCCESS) {
            break;
        }
        if (!(step % 10000)) {
            printf("test-engine-diff: %"PRId64" steps equal (%.0f s)\n",
                   step, (time_msec() - start) / 1000.0);
        }
    }

    long long int elapsed = time_msec() - start;
    if (status == EXIT_SUCCESS) {
        printf("test-engine-diff: seed %"PRIu64": %lld steps equal in "
               "%.1f s (%.0f steps/s); %"PRIuSIZE" transactions refused by "
               "the database; up to %"PRIuSIZE" br-int flows\n", seed,
               steps, elapsed / 1000.0,
               elapsed ? steps * 1000.0 / elapsed : 0.0, n_failed_txns,
               max_flows);
        if (monitor) {
            printf("test-engine-diff: %"PRIuSIZE" condition rounds\n",
                   n_rounds);
        }
    }

    for (size_t i = 0; i < N_HISTORY; i++) {
        ds_destroy(&history[i]);
    }
    if (dump) {
        fclose(dump);
    }
    engine_destroy(a);
    if (monitor) {
        nb_monitor_destroy(monitor);
    }
    ovsdb_idl_destroy(run.w);
    ovsdb_idl_destroy(run.r);
    if (all.nb_idl) {
        ovsdb_idl_destroy(all.nb_idl);
    }
    bridge_ports_destroy(&run.ports);
    config_destroy(&run.cfg);
    smap_destroy(&run.persisted);
    ds_destroy(&run.desc);
    return status;
}

/*
 * dvr-controller: dvrflow's per-node daemon.
 *
 * It reads its settings from the local Open_vSwitch database (see
 * controller/config.h), registers its Chassis in the NB database, creates
 * and repairs its bridges, binds the local VIFs, compiles the NB model
 * into flows (controller/engine) and keeps each bridge's flows equal to
 * them (controller/ofctrl).  Operators talk to it with ovs-appctl.
 */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "controller/binding.h"
#include "controller/bridges.h"
#include "controller/chassis.h"
#include "controller/config.h"
#include "controller/dhcp-server.h"
#include "controller/dhcp6-server.h"
#include "controller/engine.h"
#include "controller/engine-sg.h"
#include "controller/exporter.h"
#include "controller/metadata.h"
#include "controller/nb-monitor.h"
#include "controller/ofctrl.h"
#include "controller/pinctrl.h"
#include "controller/ra-server.h"
#include "controller/trunk.h"
#include "daemon.h"
#include "dirs.h"
#include "dvr/neighbor.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "ovsdb/nb-session.h"
#include "pipeline/flow.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "simap.h"
#include "sset.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "uuid.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(dvr_controller);

static char *ovs_remote;            /* Local Open_vSwitch database. */
static char *unixctl_path;
static char *config_file;
/* Packet-in meters (packets per second). */
static uint32_t pin_rate = 2000;
static uint32_t pin_port_rate = 20;
/* Learned next hops: forgotten when unconfirmed this long (ms). */
static long long int neighbor_timeout = NEIGHBOR_TIMEOUT_MSEC;
/* The metadata service. */
static bool metadata_enabled = true;
static char *metadata_proxy;        /* Nova's metadata URL, or NULL. */
static char *metadata_secret;       /* Its shared secret. */

struct controller {
    struct ovsdb_idl_loop ovs_loop;
    struct ovsdb_idl_loop nb_loop;
    struct nb_session nb_session;   /* Fast failover to a new NB leader. */
    struct nb_monitor *nb_monitor;  /* What of the NB this node asks for. */
    struct ovsdb_idl_index *ports_by_network;
    struct ovsdb_idl_index *bindings_by_port;
    struct ovsdb_idl_index *bindings_by_chassis;
    struct ovsdb_idl_index *fips_by_port;
    struct ovsdb_idl_index *fips_by_router;
    struct ovsdb_idl_index *pfs_by_fip;
    struct ovsdb_idl_index *pfs_by_port;
    struct dvr_config cfg;
    bool have_cfg;
    char *cfg_error;                /* Last configuration error logged. */
    struct smap file_cfg;           /* From --config. */
    struct engine *engine;
    struct binding_ctx binding;
    struct ofctrl *br_int;
    struct ofctrl *br_tun;
    struct shash br_ex;             /* Bridge name -> struct ofctrl. */
    struct pinctrl *pinctrl;        /* br-int's packet path. */
    struct neighbor *neighbor;      /* Routing's packet services. */
    struct dhcp_server *dhcp;
    struct ra_server *ra;           /* IPv6 router advertisements. */
    struct dhcp6_server *dhcp6;
    struct metadata *meta;          /* NULL with --no-metadata. */
    struct services_chassis services;
    bool nb_was_connected;
    struct bridge_ports ports;      /* Valid if 'ports_seqno' is current. */
    unsigned int ports_seqno;       /* Local DB seqno 'ports' reflects. */
    bool ports_stale;               /* Recompute 'ports' next time. */
    unsigned int vifs_gen;          /* Incremented when the VIFs change. */
    unsigned int ports_gen;         /* Incremented when 'ports' is computed
                                     * again (never 0). */
    struct simap bound;             /* The VIFs and the subports of their
                                     * trunks: the ports bound here. */
    unsigned int bound_nb_seqno;    /* NB seqno 'bound' was computed at. */
    bool exiting;
    long long int last_install_usec;
    long long int last_change_usec; /* Engine run + install, last change. */
    struct exporter *exporter;      /* Metrics (off by default). */
};

static void parse_options(int argc, char *argv[]);
static void usage(void) OVS_NO_RETURN;
static void register_commands(struct controller *);

static void
ofctrls_create(struct controller *c)
{
    const char *rundir = ovs_rundir();

    c->br_int = ofctrl_create(c->cfg.int_bridge, rundir);
    ofctrl_set_meters(c->br_int, engine_qos_meters(c->engine));
    c->br_tun = ofctrl_create(c->cfg.tun_bridge, rundir);
    c->pinctrl = pinctrl_create(c->cfg.int_bridge, rundir);
    pinctrl_set_meter(c->pinctrl, pin_rate, MAX(pin_rate / 2, 1));
    pinctrl_set_port_meter(c->pinctrl, pin_port_rate,
                           MAX(pin_port_rate * 2, 1));
    c->neighbor = neighbor_create(c->pinctrl);
    neighbor_set_timeout(c->neighbor, neighbor_timeout);
    dhcp_server_attach(c->dhcp, c->pinctrl);
    ra_server_attach(c->ra, c->pinctrl);
    dhcp6_server_attach(c->dhcp6, c->pinctrl);
    shash_init(&c->br_ex);
    const struct smap_node *node;
    SMAP_FOR_EACH (node, &c->cfg.bridge_mappings) {
        if (!shash_find(&c->br_ex, node->value)) {
            shash_add(&c->br_ex, node->value,
                      ofctrl_create(node->value, rundir));
        }
    }
}

static void
ofctrls_destroy(struct controller *c)
{
    struct shash_node *node;

    ofctrl_destroy(c->br_int);
    ofctrl_destroy(c->br_tun);
    c->br_int = c->br_tun = NULL;
    neighbor_destroy(c->neighbor);
    c->neighbor = NULL;
    pinctrl_destroy(c->pinctrl);
    c->pinctrl = NULL;
    SHASH_FOR_EACH (node, &c->br_ex) {
        ofctrl_destroy(node->data);
    }
    shash_destroy(&c->br_ex);
}

/* Reads the configuration; on a change, rebuilds what depends on it. */
static void
update_config(struct controller *c)
{
    const struct ovsrec_open_vswitch *ovs
        = ovsrec_open_vswitch_first(c->ovs_loop.idl);
    struct dvr_config cfg;
    char *error;

    if (!ovs) {
        return;
    }
    error = config_read(&ovs->external_ids, &c->file_cfg, &cfg);
    if (error) {
        if (!c->cfg_error || strcmp(error, c->cfg_error)) {
            VLOG_ERR("configuration: %s", error);
        }
        free(c->cfg_error);
        c->cfg_error = error;
        config_destroy(&cfg);
        return;
    }
    free(c->cfg_error);
    c->cfg_error = NULL;
    if (c->have_cfg && config_equal(&cfg, &c->cfg)) {
        config_destroy(&cfg);
        return;
    }
    VLOG_INFO("configuration: chassis %s, NB %s, encap %s %s",
              cfg.system_id, cfg.nb_remote, cfg.encap_type,
              cfg.encap_ip[0] ? cfg.encap_ip : "(none)");
    if (!c->have_cfg || strcmp(cfg.nb_remote, c->cfg.nb_remote)) {
        /* Conditional: ask for nothing of the cloud before the first
         * connection. */
        nb_monitor_start(c->nb_monitor, c->nb_loop.idl, cfg.system_id,
                         cfg.monitor_all, cfg.gateway);
        nb_session_set_remote(&c->nb_session, cfg.nb_remote);
    }
    if (c->have_cfg) {
        ofctrls_destroy(c);
        config_destroy(&c->cfg);
    }
    config_move(&c->cfg, &cfg);
    c->have_cfg = true;
    ofctrls_create(c);
    engine_force_full(c->engine);
    c->ports_stale = true;
}

static size_t
collect_remotes(struct controller *c, struct remote_chassis **remotesp)
{
    const struct nbrec_chassis *ch;
    size_t n = 0;

    *remotesp = NULL;
    NBREC_CHASSIS_FOR_EACH (ch, c->nb_loop.idl) {
        if (strcmp(ch->name, c->cfg.system_id) && ch->encap_ip[0]
            && (!strcmp(ch->encap_type, "geneve")
                || !strcmp(ch->encap_type, "vxlan"))) {
            *remotesp = xrealloc(*remotesp, (n + 1) * sizeof **remotesp);
            (*remotesp)[n++] = (struct remote_chassis) {
                .name = ch->name,
                .encap_type = ch->encap_type,
                .encap_ip = ch->encap_ip,
                .bfd = c->cfg.gateway || ch->gateway_capable,
            };
        }
    }
    return n;
}

/* True if a chassis came, went, or changed its tunnel endpoint. */
static bool
chassis_set_changed(struct ovsdb_idl *nb_idl)
{
    const struct nbrec_chassis *ch;

    NBREC_CHASSIS_FOR_EACH_TRACKED (ch, nb_idl) {
        if (nbrec_chassis_is_new(ch) || nbrec_chassis_is_deleted(ch)
            || nbrec_chassis_is_updated(ch, NBREC_CHASSIS_COL_NAME)
            || nbrec_chassis_is_updated(ch, NBREC_CHASSIS_COL_ENCAP_IP)
            || nbrec_chassis_is_updated(ch, NBREC_CHASSIS_COL_ENCAP_TYPE)
            || nbrec_chassis_is_updated(ch,
                                        NBREC_CHASSIS_COL_GATEWAY_CAPABLE)) {
            return true;
        }
    }
    return false;
}

static int
sync_bridges(struct controller *c, bool full)
{
    struct shash_node *node;
    int error = 0;

    /* br-int's flows use the packet-in meters: not before they exist. */
    if (pinctrl_is_ready(c->pinctrl)) {
        error |= ofctrl_sync(c->br_int, engine_int_flows(c->engine), full);
    } else {
        error = EAGAIN;
    }
    error |= ofctrl_sync(c->br_tun, engine_tun_flows(c->engine), full);
    SHASH_FOR_EACH (node, &c->br_ex) {
        struct flow_set *set = shash_find_data(engine_ex_flows(c->engine),
                                               node->name);
        if (set) {
            error |= ofctrl_sync(node->data, set, full);
        } else {
            struct flow_set empty;
            flow_set_init(&empty);
            error |= ofctrl_sync(node->data, &empty, full);
            flow_set_destroy(&empty);
        }
    }
    return error;
}

static void
run(struct controller *c)
{
    struct ovsdb_idl_txn *ovs_txn = ovsdb_idl_loop_run(&c->ovs_loop);
    struct ovsdb_idl_txn *nb_txn = ovsdb_idl_loop_run(&c->nb_loop);
    nb_session_run(&c->nb_session);
    struct ovsdb_idl *nb_idl = c->nb_loop.idl;
    nb_monitor_count(c->nb_monitor, nb_idl);
    struct shash_node *node;

    update_config(c);
    if (!c->have_cfg) {
        ovsdb_idl_track_clear(nb_idl);
        return;
    }

    bool nb_connected = ovsdb_idl_is_connected(nb_idl);
    if (nb_connected && !c->nb_was_connected) {
        /* Whatever happened while disconnected: compare everything. */
        engine_force_full(c->engine);
    }
    c->nb_was_connected = nb_connected;

    ofctrl_run(c->br_int);
    ofctrl_run(c->br_tun);
    SHASH_FOR_EACH (node, &c->br_ex) {
        ofctrl_run(node->data);
    }
    pinctrl_run(c->pinctrl);
    neighbor_run(c->neighbor);

    /* Without the NB contents, keep whatever flows are installed. */
    if (!ovsdb_idl_has_ever_connected(nb_idl)
        || !ovsdb_idl_has_ever_connected(c->ovs_loop.idl)) {
        ovsdb_idl_track_clear(nb_idl);
        return;
    }

    const struct nbrec_chassis *me = chassis_run(nb_txn, nb_idl, &c->cfg);

    /* The bridges, their ports and the VIFs change only with the local
     * database or the set of chassis: rescan them only then. */
    unsigned int ovs_seqno = ovsdb_idl_get_seqno(c->ovs_loop.idl);
    bool vifs_changed = false;
    if (c->ports_stale || ovs_seqno != c->ports_seqno
        || chassis_set_changed(nb_idl)) {
        struct remote_chassis *remotes;
        size_t n_remotes = collect_remotes(c, &remotes);
        struct bridge_ports ports;

        bridge_ports_init(&ports);
        bridges_run(ovs_txn, c->ovs_loop.idl, &c->cfg, remotes, n_remotes,
                    &ports);
        bridges_name_tables(ovs_txn, c->ovs_loop.idl, &c->cfg);
        free(remotes);
        vifs_changed = !simap_equal(&ports.vifs, &c->ports.vifs);
        c->vifs_gen += vifs_changed;
        c->ports_gen = c->ports_gen + 1 ? c->ports_gen + 1 : 1;
        bridge_ports_destroy(&c->ports);
        bridge_ports_move(&c->ports, &ports);
        c->ports_seqno = ovs_seqno;
        if (vifs_changed) {
            pinctrl_set_vif_meters(c->pinctrl, &c->ports.vifs);
        }
        /* Without a transaction the repairs wait for the next pass. */
        c->ports_stale = !ovs_txn;
    }

    struct nb_monitor_input mon = {
        .idl = nb_idl,
        .ports_by_network = c->ports_by_network,
        .chassis = c->cfg.system_id,
        .vifs = &c->ports.vifs,
        .all = c->cfg.monitor_all,
        .gateway = c->cfg.gateway,
    };
    if (nb_monitor_run(c->nb_monitor, &mon)) {
        /* Bind the VIFs whose ports a grown condition just brought.  The
         * rows it brought are changes like any other (the IDL reports the
         * rows that refer to them as changed too): the engine compiles
         * them incrementally (tests/component/engine-diff.sh checks it
         * with conditional monitoring). */
        vifs_changed = true;
    }
    if (!nb_monitor_ready(c->nb_monitor)) {
        ovsdb_idl_track_clear(nb_idl);
        return;
    }

    /* A trunk's subports are bound where its parent is (Neutron gives
     * them the parent's host).  Computed again only when the VIFs or the
     * NB changed, not on every wake-up. */
    unsigned int nb_seqno = ovsdb_idl_get_seqno(nb_idl);
    if (vifs_changed || nb_seqno != c->bound_nb_seqno) {
        struct simap bound = SIMAP_INITIALIZER(&bound);
        const struct simap_node *vn;
        SIMAP_FOR_EACH (vn, &c->ports.vifs) {
            simap_put(&bound, vn->name, vn->data);
        }
        trunk_local_subports(nb_idl, &c->ports.vifs, &bound);
        if (!simap_equal(&bound, &c->bound)) {
            vifs_changed = true;
            simap_swap(&bound, &c->bound);
        }
        simap_destroy(&bound);
        c->bound_nb_seqno = nb_seqno;
    }
    struct binding_input bin = {
        .nb_idl = nb_idl,
        .bindings_by_port = c->bindings_by_port,
        .bindings_by_chassis = c->bindings_by_chassis,
        .me = me,
        .vifs = &c->bound,
        .vifs_changed = vifs_changed,
    };
    binding_run(&c->binding, nb_txn, &bin);
    ra_server_run(c->ra, c->pinctrl, &c->ports.vifs);

    if (c->ports.int_patch_tun == OFPP_NONE
        || c->ports.tun_patch_int == OFPP_NONE) {
        ovsdb_idl_track_clear(nb_idl);
        return;
    }

    c->services.meta_ofport = OFPP_NONE;
    c->services.meta_mac = eth_addr_zero;
    if (c->meta) {
        metadata_run(c->meta, ovs_txn, c->ovs_loop.idl, c->cfg.int_bridge,
                     nb_idl, &c->ports.vifs, &c->services);
    }
    c->services.use_meters = pinctrl_meters_ok(c->pinctrl);
    struct engine_input in = {
        .cfg = &c->cfg,
        .services = &c->services,
        .nb_idl = nb_idl,
        .ports_by_network = c->ports_by_network,
        .bindings_by_port = c->bindings_by_port,
        .fips_by_port = c->fips_by_port,
        .fips_by_router = c->fips_by_router,
        .pfs_by_fip = c->pfs_by_fip,
        .pfs_by_port = c->pfs_by_port,
        .ports = &c->ports,
        .vifs_gen = c->vifs_gen,
        .ports_gen = c->ports_gen,
    };
    size_t dirty = exporter_dirty_flows(c->engine);
    long long int start = time_usec();
    bool full = engine_run(c->engine, &in);
    exporter_note_compile(c->exporter, c->engine, full, dirty);
    ovsdb_idl_track_clear(nb_idl);
    if (full || neighbor_changed(c->neighbor)) {
        neighbor_install(c->neighbor, engine_int_flows(c->engine));
    }
    struct ovs_list garps = OVS_LIST_INITIALIZER(&garps);
    engine_take_garps(c->engine, &garps);

    struct smap set = SMAP_INITIALIZER(&set);
    struct sset unset = SSET_INITIALIZER(&unset);
    engine_take_lvid_changes(c->engine, &set, &unset);
    if (!smap_is_empty(&set) || !sset_is_empty(&unset)) {
        bridges_store_lvids(ovs_txn, c->ovs_loop.idl, &c->cfg, &set, &unset);
    }
    smap_destroy(&set);
    sset_destroy(&unset);

    long long int install_start = time_usec();
    uint64_t syncs_before = ofctrl_get_stats(c->br_int)->n_syncs
                            + ofctrl_get_stats(c->br_tun)->n_syncs;
    if (!sync_bridges(c, full)) {
        uint64_t syncs_after = ofctrl_get_stats(c->br_int)->n_syncs
                               + ofctrl_get_stats(c->br_tun)->n_syncs;
        if (syncs_after != syncs_before || full) {
            c->last_install_usec = time_usec() - install_start;
            c->last_change_usec = time_usec() - start;
            exporter_note_change(c->exporter, c->last_change_usec);
        }
        binding_mark_up(&c->binding, nb_txn, &bin);
        /* An nb_cfg is acknowledged once the flows of every row the node
         * needs are in: not between two condition rounds, whose view is
         * only part of what the node's ports need. */
        const struct nbrec_nb_global *g = nbrec_nb_global_first(nb_idl);
        if (g && nb_monitor_converged(c->nb_monitor)) {
            chassis_ack(nb_txn, nb_idl, &c->cfg, g->nb_cfg);
        }
    }
    neighbor_announce(c->neighbor, &garps);
}

/* The metrics endpoint: its address (external_ids:dvr-metrics-address,
 * else the --config file's), and the state it reports. */
static void
run_exporter(struct controller *c)
{
    const struct ovsrec_open_vswitch *ovs
        = ovsrec_open_vswitch_first(c->ovs_loop.idl);
    const char *address = ovs ? smap_get(&ovs->external_ids,
                                         "dvr-metrics-address") : NULL;
    if (!address) {
        address = smap_get(&c->file_cfg, "dvr-metrics-address");
    }
    exporter_set_address(c->exporter, address);

    struct exporter_input in = {
        .chassis = c->have_cfg ? c->cfg.system_id : NULL,
        .engine = c->engine,
        .br_int = c->br_int,
        .br_tun = c->br_tun,
        .br_ex = &c->br_ex,
        .pinctrl = c->pinctrl,
        .nb_idl = c->nb_loop.idl,
        .vifs = &c->ports.vifs,
    };
    exporter_run(c->exporter, &in);
}

static void
wait_all(struct controller *c)
{
    struct shash_node *node;

    if (c->have_cfg) {
        ofctrl_wait(c->br_int);
        ofctrl_wait(c->br_tun);
        pinctrl_wait(c->pinctrl);
        neighbor_wait(c->neighbor);
        ra_server_wait(c->ra);
        nb_monitor_wait(c->nb_monitor);
        if (c->meta) {
            metadata_wait(c->meta);
        }
        SHASH_FOR_EACH (node, &c->br_ex) {
            ofctrl_wait(node->data);
        }
    }
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    struct controller c;
    int retval;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    /* Without $OVS_RUNDIR, the switch's sockets (and this daemon's control
     * socket, next to them) are where the installed Open vSwitch keeps
     * them (configure --with-ovs-rundir), not where the OVS build that
     * libopenvswitch comes from would. */
    if (!getenv("OVS_RUNDIR")) {
        setenv("OVS_RUNDIR", DVR_OVS_RUNDIR, 1);
    }
    service_start(&argc, &argv);
    parse_options(argc, argv);
    fatal_ignore_sigpipe();

    memset(&c, 0, sizeof c);
    smap_init(&c.file_cfg);
    if (config_file) {
        char *error = config_load_file(config_file, &c.file_cfg);
        if (error) {
            ovs_fatal(0, "%s", error);
        }
    }

    daemonize_start(false);
    retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }
    register_commands(&c);
    daemonize_complete();

    /* The local Open_vSwitch database: everything.  (Leaving out the
     * interfaces' statistics, which ovs-vswitchd rewrites every 5 s, made
     * tests/system/controller-sg.sh fail: some change still waits for an
     * unrelated wake-up, and those updates provide one.  Not found yet.) */
    struct ovsdb_idl *ovs_idl = ovsdb_idl_create(ovs_remote,
                                                 &ovsrec_idl_class,
                                                 true, true);
    c.ovs_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(ovs_idl);
    /* The NB database: its remote comes from the configuration. */
    struct ovsdb_idl *nb_idl = ovsdb_idl_create_unconnected(
        &nbrec_idl_class, true);
    ovsdb_idl_track_add_all(nb_idl);
    nb_monitor_prepare(nb_idl);
    c.ports_by_network = ovsdb_idl_index_create1(nb_idl,
                                                 &nbrec_port_col_network);
    c.bindings_by_port = ovsdb_idl_index_create1(nb_idl,
                                                 &nbrec_port_binding_col_port);
    c.bindings_by_chassis = ovsdb_idl_index_create1(
        nb_idl, &nbrec_port_binding_col_chassis);
    c.fips_by_port = ovsdb_idl_index_create1(nb_idl,
                                             &nbrec_floating_ip_col_port);
    c.fips_by_router = ovsdb_idl_index_create1(nb_idl,
                                               &nbrec_floating_ip_col_router);
    c.pfs_by_fip = ovsdb_idl_index_create1(
        nb_idl, &nbrec_port_forwarding_col_floating_ip);
    c.pfs_by_port = ovsdb_idl_index_create1(
        nb_idl, &nbrec_port_forwarding_col_port);
    bridge_ports_init(&c.ports);
    c.ports_stale = true;
    c.nb_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(nb_idl);
    nb_session_init(&c.nb_session, nb_idl);
    c.nb_monitor = nb_monitor_create();
    c.engine = engine_create();
    c.dhcp = dhcp_server_create(nb_idl);
    c.ra = ra_server_create(nb_idl);
    c.dhcp6 = dhcp6_server_create(nb_idl);
    if (metadata_enabled) {
        struct metadata_options mo = {
            .proxy_url = metadata_proxy,
            .secret = metadata_secret,
            .http_port = 80,
        };
        c.meta = metadata_create(&mo);
    }
    binding_init(&c.binding);
    simap_init(&c.bound);
    shash_init(&c.br_ex);
    c.exporter = exporter_create();

    while (!c.exiting) {
        run(&c);
        run_exporter(&c);
        unixctl_server_run(unixctl);

        ovsdb_idl_loop_commit_and_wait(&c.ovs_loop);
        ovsdb_idl_loop_commit_and_wait(&c.nb_loop);
        nb_session_wait(&c.nb_session);
        wait_all(&c);
        exporter_wait(c.exporter);
        unixctl_server_wait(unixctl);
        poll_block();
        if (should_service_stop()) {
            c.exiting = true;
        }
    }

    /* Flows stay installed: a restarted controller picks them up. */
    unixctl_server_destroy(unixctl);
    if (c.have_cfg) {
        ofctrls_destroy(&c);
        config_destroy(&c.cfg);
    }
    engine_destroy(c.engine);
    dhcp_server_destroy(c.dhcp);
    ra_server_destroy(c.ra);
    dhcp6_server_destroy(c.dhcp6);
    metadata_destroy(c.meta);
    exporter_destroy(c.exporter);
    binding_destroy(&c.binding);
    simap_destroy(&c.bound);
    bridge_ports_destroy(&c.ports);
    ovsdb_idl_loop_destroy(&c.ovs_loop);
    ovsdb_idl_loop_destroy(&c.nb_loop);
    nb_session_destroy(&c.nb_session);
    nb_monitor_destroy(c.nb_monitor);
    smap_destroy(&c.file_cfg);
    free(c.cfg_error);
    service_stop();
    return 0;
}

/* unixctl commands. */

static void
cmd_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    c->exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_recompute(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    engine_force_full(c->engine);
    if (c->have_cfg) {
        /* Compare with what the switches have, not with what they were
         * sent: flows changed by hand are repaired too. */
        struct shash_node *node;
        ofctrl_reread(c->br_int);
        ofctrl_reread(c->br_tun);
        SHASH_FOR_EACH (node, &c->br_ex) {
            ofctrl_reread(node->data);
        }
    }
    poll_immediate_wake();
    unixctl_command_reply(conn, NULL);
}

static void
format_ofctrl(const struct ofctrl *oc, struct ds *s)
{
    const struct ofctrl_stats *st = ofctrl_get_stats(oc);
    ds_put_format(s, "  %s: %s, %"PRIuSIZE" flows, %"PRIu64" bundles "
                  "(%"PRIu64" adds, %"PRIu64" modifies, %"PRIu64" deletes), "
                  "%"PRIu64" read-backs, last bundle %lld us, "
                  "refused: %"PRIu64" by the switch, %"PRIu64" by the "
                  "compiler\n",
                  ofctrl_bridge(oc),
                  ofctrl_is_connected(oc) ? "connected" : "not connected",
                  ofctrl_n_installed(oc), st->n_syncs, st->n_adds,
                  st->n_modifies, st->n_deletes, st->n_reads,
                  st->last_sync_usec, st->n_switch_refused,
                  st->n_compile_refused);
    if (ofctrl_n_meters(oc)) {
        ds_put_format(s, "  %s: %"PRIuSIZE" QoS meters\n", ofctrl_bridge(oc),
                      ofctrl_n_meters(oc));
    }
}

static void
cmd_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
           const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!c->have_cfg) {
        ds_put_format(&s, "not configured: %s\n",
                      c->cfg_error ? c->cfg_error : "no Open_vSwitch row");
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
        return;
    }
    const struct engine_stats *es = engine_get_stats(c->engine);
    ds_put_format(&s, "chassis: %s\n", c->cfg.system_id);
    ds_put_format(&s, "local database: %s (%s)\n", ovs_remote,
                  ovsdb_idl_is_connected(c->ovs_loop.idl)
                  ? "connected" : "not connected");
    ds_put_format(&s, "NB database: %s (%s)\n", c->cfg.nb_remote,
                  ovsdb_idl_is_connected(c->nb_loop.idl)
                  ? "connected" : "not connected");
    nb_monitor_status(c->nb_monitor, c->nb_loop.idl, &s);
    const struct nbrec_nb_global *g = nbrec_nb_global_first(c->nb_loop.idl);
    ds_put_format(&s, "nb_cfg: %"PRId64"\n", g ? g->nb_cfg : 0);
    ds_put_format(&s, "bound ports: %"PRIuSIZE"\n",
                  engine_n_local_ports(c->engine));
    ds_put_format(&s, "compiles: %"PRIu64" (%"PRIu64" full), last %lld us "
                  "(%"PRIu64" ports), last full %lld us, %"PRIu64" rows "
                  "skipped\n", es->n_runs, es->n_full, es->last_usec,
                  es->last_n_ports, es->last_full_usec, es->n_errors);
    const struct engine_sg_stats *sgs
        = engine_sg_get_stats(engine_get_sg(c->engine));
    ds_put_format(&s, "security groups: last compile %lld us (%"PRIu64
                  " ports, %"PRIu64" groups, %"PRIu64" remote addresses), "
                  "last full %lld us, %"PRIu64" rules skipped\n",
                  sgs->last_usec, sgs->last_n_ports, sgs->last_n_groups,
                  sgs->last_n_addresses, sgs->last_full_usec,
                  sgs->n_errors);
    ds_put_format(&s, "last change: compile+install %lld us, "
                  "install %lld us\n",
                  c->last_change_usec, c->last_install_usec);
    ds_put_cstr(&s, "bridges:\n");
    format_ofctrl(c->br_int, &s);
    format_ofctrl(c->br_tun, &s);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &c->br_ex) {
        format_ofctrl(node->data, &s);
    }
    pinctrl_format_status(c->pinctrl, &s);
    neighbor_format(c->neighbor, &s);
    dhcp_server_format_status(c->dhcp, &s);
    ra_server_format_status(c->ra, &s);
    dhcp6_server_format_status(c->dhcp6, &s);
    if (c->meta) {
        metadata_format_status(c->meta, &s);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
summarize(const struct ofctrl *oc, enum pipeline_bridge kind, struct ds *s)
{
    const struct flow_set *set = ofctrl_installed(oc);
    size_t counts[256] = { 0 };
    const struct dvr_flow *f;

    HMAP_FOR_EACH (f, node, &set->flows) {
        counts[f->table_id]++;
    }
    ds_put_format(s, "%s: %"PRIuSIZE" flows\n", ofctrl_bridge(oc),
                  flow_set_count(set));
    for (int t = 0; t < 256; t++) {
        if (counts[t]) {
            const char *name = NULL;
            for (const struct table_name *tn = pipeline_table_names(kind);
                 tn->name; tn++) {
                if (tn->id == t) {
                    name = tn->name;
                }
            }
            ds_put_format(s, "  table %d (%s): %"PRIuSIZE"\n", t,
                          name ? name : "?", counts[t]);
        }
    }
}

static void
cmd_flows_summary(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    if (c->have_cfg) {
        summarize(c->br_int, BRIDGE_INT, &s);
        summarize(c->br_tun, BRIDGE_TUN, &s);
        struct shash_node *node;
        SHASH_FOR_EACH (node, &c->br_ex) {
            summarize(node->data, BRIDGE_EX, &s);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Describes the NB row whose cookie is 'cookie'. */
static bool
explain_row(const struct ovsdb_idl_row *row, const char *table,
            uint64_t cookie, struct ds *s)
{
    if (flow_cookie_from_uuid(&row->uuid) != cookie) {
        return false;
    }
    ds_put_format(s, "%s "UUID_FMT, table, UUID_ARGS(&row->uuid));
    return true;
}

static void
cmd_flows_explain(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[], void *c_)
{
    struct controller *c = c_;
    struct ovsdb_idl *idl = c->nb_loop.idl;
    struct ds s = DS_EMPTY_INITIALIZER;
    unsigned long long int cookie;
    char *end;

    cookie = strtoull(argv[1], &end, 0);
    if (*end || end == argv[1]) {
        unixctl_command_reply_error(conn, "COOKIE must be a number such as "
                                    "0x0123456789abcdef");
        return;
    }
    if (cookie == COOKIE_STATIC) {
        ds_put_cstr(&s, "static: the pipeline skeleton (table defaults)");
    } else if (cookie == COOKIE_NEIGHBOR) {
        ds_put_cstr(&s, "neighbor: next hops learned by ARP "
                    "(see \"status\")");
    }
    const struct nbrec_router *router;
    NBREC_ROUTER_FOR_EACH (router, idl) {
        if (explain_row(&router->header_, "router", cookie, &s)) {
            ds_put_format(&s, " name=%s interfaces=%"PRIuSIZE" gateway=%s",
                          router->name, router->n_interfaces,
                          router->gateway_port ? "yes" : "no");
        }
    }
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, idl) {
        if (explain_row(&fip->header_, "floating IP", cookie, &s)) {
            ds_put_format(&s, " address=%s", fip->floating_ip_address);
            if (fip->port) {
                ds_put_format(&s, " port="UUID_FMT,
                              UUID_ARGS(&fip->port->header_.uuid));
            }
        }
    }
    const struct nbrec_port *port;
    NBREC_PORT_FOR_EACH (port, idl) {
        if (explain_row(&port->header_, "port", cookie, &s)) {
            ds_put_format(&s, " name=%s mac=%s", port->name,
                          port->mac_address);
            if (port->network) {
                ds_put_format(&s, " network="UUID_FMT,
                              UUID_ARGS(&port->network->header_.uuid));
            }
            for (size_t i = 0; i < port->n_fixed_ips; i++) {
                ds_put_format(&s, " ip=%s", port->fixed_ips[i]->ip_address);
            }
        }
    }
    const struct nbrec_network *net;
    NBREC_NETWORK_FOR_EACH (net, idl) {
        if (explain_row(&net->header_, "network", cookie, &s)) {
            ds_put_format(&s, " name=%s type=%s", net->name,
                          net->provider_network_type);
            if (net->n_provider_segmentation_id) {
                ds_put_format(&s, " segment=%"PRId64,
                              net->provider_segmentation_id[0]);
            }
        }
    }
    const struct nbrec_security_group *sg;
    NBREC_SECURITY_GROUP_FOR_EACH (sg, idl) {
        if (explain_row(&sg->header_, "security group", cookie, &s)) {
            ds_put_format(&s, " name=%s rules=%"PRIuSIZE, sg->name,
                          sg->n_rules);
        }
        for (size_t i = 0; i < sg->n_rules; i++) {
            const struct nbrec_security_group_rule *r = sg->rules[i];
            if (explain_row(&r->header_, "security group rule", cookie,
                            &s)) {
                ds_put_format(&s, " group="UUID_FMT" %s %s protocol=%s",
                              UUID_ARGS(&sg->header_.uuid), r->direction,
                              r->ethertype,
                              r->protocol ? r->protocol : "any");
                if (r->n_port_range_min) {
                    ds_put_format(&s, " min=%"PRId64, r->port_range_min[0]);
                }
                if (r->n_port_range_max) {
                    ds_put_format(&s, " max=%"PRId64, r->port_range_max[0]);
                }
                if (r->remote_ip_prefix) {
                    ds_put_format(&s, " prefix=%s", r->remote_ip_prefix);
                }
                if (r->remote_group) {
                    ds_put_format(&s, " remote_group="UUID_FMT,
                                  UUID_ARGS(&r->remote_group->header_.uuid));
                }
            }
        }
    }
    if (!s.length) {
        ds_put_format(&s, "no NB object owns cookie 0x%llx", cookie);
        unixctl_command_reply_error(conn, ds_cstr(&s));
    } else {
        unixctl_command_reply(conn, ds_cstr(&s));
    }
    ds_destroy(&s);
}

static void
cmd_bindings(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    engine_format_local_ports(c->engine, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* "pinctrl/set-meter PPS [PORT_PPS]": the packet-in meters' rates. */
static void
cmd_set_meter(struct unixctl_conn *conn, int argc, const char *argv[],
              void *c_)
{
    struct controller *c = c_;
    unsigned int pps, port_pps = pin_port_rate;

    if (!str_to_uint(argv[1], 10, &pps) || !pps
        || (argc > 2 && (!str_to_uint(argv[2], 10, &port_pps) || !port_pps))) {
        unixctl_command_reply_error(conn, "rates must be positive integers");
        return;
    }
    pin_rate = pps;
    pin_port_rate = port_pps;
    if (c->pinctrl) {
        pinctrl_set_meter(c->pinctrl, pin_rate, MAX(pin_rate / 2, 1));
        pinctrl_set_port_meter(c->pinctrl, pin_port_rate,
                               MAX(pin_port_rate * 2, 1));
    }
    unixctl_command_reply(conn, NULL);
}

static void
cmd_sg_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    engine_sg_format(engine_get_sg(c->engine), &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* "flows/verify": the differences between each bridge's installed flows,
 * read back from the switch, and the flows compiled for it. */
static void
cmd_flows_verify(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;
    bool failed = false;
    int n = 0, r;

    if (!c->have_cfg) {
        unixctl_command_reply_error(conn, "not configured");
        return;
    }
    r = ofctrl_verify(c->br_int, engine_int_flows(c->engine), &s);
    failed |= r < 0;
    n += MAX(r, 0);
    r = ofctrl_verify(c->br_tun, engine_tun_flows(c->engine), &s);
    failed |= r < 0;
    n += MAX(r, 0);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &c->br_ex) {
        struct flow_set empty, *set = shash_find_data(
            engine_ex_flows(c->engine), node->name);
        flow_set_init(&empty);
        r = ofctrl_verify(node->data, set ? set : &empty, &s);
        failed |= r < 0;
        n += MAX(r, 0);
        flow_set_destroy(&empty);
    }
    ds_put_format(&s, "%s: %d differences\n",
                  failed ? "incomplete" : n ? "different" : "equal", n);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
register_commands(struct controller *c)
{
    unixctl_command_register("exit", "", 0, 0, cmd_exit, c);
    unixctl_command_register("recompute", "", 0, 0, cmd_recompute, c);
    unixctl_command_register("status", "", 0, 0, cmd_status, c);
    unixctl_command_register("flows/summary", "", 0, 0, cmd_flows_summary,
                             c);
    unixctl_command_register("flows/explain", "COOKIE", 1, 1,
                             cmd_flows_explain, c);
    unixctl_command_register("flows/verify", "", 0, 0, cmd_flows_verify,
                             c);
    unixctl_command_register("bindings", "", 0, 0, cmd_bindings, c);
    unixctl_command_register("sg/show", "", 0, 0, cmd_sg_show, c);
    unixctl_command_register("pinctrl/set-meter", "PPS [PORT_PPS]", 1, 2,
                             cmd_set_meter, c);
}

/* The first line of 'file', the metadata proxy's shared secret. */
static char *
read_secret(const char *file)
{
    FILE *stream = fopen(file, "r");
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!stream || ds_get_line(&s, stream)) {
        VLOG_FATAL("cannot read the metadata secret from %s (%s)", file,
                   stream ? "empty file" : ovs_strerror(errno));
    }
    fclose(stream);
    return ds_steal_cstr(&s);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_UNIXCTL = UCHAR_MAX + 1,
        OPT_CONFIG,
        OPT_PIN_RATE,
        OPT_PIN_PORT_RATE,
        OPT_NEIGHBOR_TIMEOUT,
        OPT_NO_METADATA,
        OPT_METADATA_PROXY,
        OPT_METADATA_SECRET_FILE,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"packet-in-rate", required_argument, NULL, OPT_PIN_RATE},
        {"port-packet-in-rate", required_argument, NULL, OPT_PIN_PORT_RATE},
        {"neighbor-timeout", required_argument, NULL, OPT_NEIGHBOR_TIMEOUT},
        {"no-metadata", no_argument, NULL, OPT_NO_METADATA},
        {"metadata-proxy", required_argument, NULL, OPT_METADATA_PROXY},
        {"metadata-secret-file", required_argument, NULL,
         OPT_METADATA_SECRET_FILE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;
        case OPT_CONFIG:
            config_file = optarg;
            break;
        case OPT_PIN_RATE:
        case OPT_PIN_PORT_RATE: {
            unsigned int rate;
            if (!str_to_uint(optarg, 10, &rate) || !rate) {
                VLOG_FATAL("--%s wants a positive number of packets per "
                           "second", c == OPT_PIN_RATE
                           ? "packet-in-rate" : "port-packet-in-rate");
            }
            *(c == OPT_PIN_RATE ? &pin_rate : &pin_port_rate) = rate;
            break;
        }
        case OPT_NEIGHBOR_TIMEOUT: {
            unsigned int secs;
            if (!str_to_uint(optarg, 10, &secs) || !secs || secs > 86400) {
                VLOG_FATAL("--neighbor-timeout wants 1 to 86400 seconds");
            }
            neighbor_timeout = secs * 1000LL;
            break;
        }
        case OPT_NO_METADATA:
            metadata_enabled = false;
            break;
        case OPT_METADATA_PROXY:
            metadata_proxy = optarg;
            break;
        case OPT_METADATA_SECRET_FILE:
            metadata_secret = read_secret(optarg);
            break;
        case 'h':
            usage();
        case 'V':
            printf("dvr-controller (dvrflow) %s\n", DVR_VERSION);
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);

    argc -= optind;
    argv += optind;
    if (argc == 0) {
        ovs_remote = xasprintf("unix:%s/db.sock", ovs_rundir());
    } else if (argc == 1) {
        ovs_remote = xstrdup(argv[0]);
    } else {
        VLOG_FATAL("at most one non-option argument accepted; "
                   "use --help for usage");
    }
}

static void
usage(void)
{
    printf("%s: dvrflow's per-node controller\n"
           "usage: %s [OPTIONS] [OVS-DATABASE]\n"
           "where OVS-DATABASE is the local Open_vSwitch database "
           "(default: unix:%s/db.sock).\n"
           "Settings come from the Open_vSwitch row's external_ids "
           "(see dvr-controller(8)).\n",
           program_name, program_name, ovs_rundir());
    stream_usage("database", true, false, true);
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  --config=FILE           INI file with default settings\n"
           "  --packet-in-rate=PPS    packet-ins per second, all VIFs "
           "(default 2000)\n"
           "  --port-packet-in-rate=PPS  packet-ins per second and VIF "
           "(default 20)\n"
           "  --neighbor-timeout=SECS forget a learned next hop unconfirmed\n"
           "                          this long (default 90)\n"
           "  --no-metadata           no metadata service\n"
           "  --metadata-proxy=URL    proxy metadata requests to Nova\n"
           "  --metadata-secret-file=FILE  the proxy's shared secret\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
    exit(EXIT_SUCCESS);
}

/*
 * controller/exporter: see exporter.h.
 */

#include <config.h>

#include "controller/exporter.h"

#include <limits.h>
#include <string.h>

#include "controller/engine.h"
#include "controller/ofctrl.h"
#include "controller/pinctrl.h"
#include "flow.h"
#include "metrics/http.h"
#include "metrics/metrics.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/flow.h"
#include "pipeline/tables.h"
#include "simap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(exporter);

/* How often to try again to bind an address that could not be bound. */
#define EXPORTER_RETRY_MSEC 5000

struct exporter {
    char *address;                  /* Current setting, or NULL. */
    struct metrics_http *http;      /* NULL while off. */
    long long int retry_at;         /* Bind again then (LLONG_MAX: no). */
    const struct exporter_input *in; /* During exporter_run() only. */
    long long int started_msec;

    struct metrics *m;
    struct metrics_family *info;
    struct metrics_family *uptime;
    struct metrics_family *scrapes;
    struct metrics_family *flows;
    struct metrics_family *flow_mods;
    struct metrics_family *refused;
    struct metrics_family *connected;
    struct metrics_family *compile;
    struct metrics_family *install;
    struct metrics_family *change;
    struct metrics_family *skipped;
    struct metrics_family *packet_ins;
    struct metrics_family *packet_outs;
    struct metrics_family *meter_drops;
    struct metrics_family *meter_age;
    struct metrics_family *nb_connected;
    struct metrics_family *nb_cfg;
    struct metrics_family *nb_cfg_lag;
    struct metrics_family *bindings;
    struct metrics_family *local_ports;
    struct metrics_family *vifs;

    struct simap syncs_seen;        /* Bridge -> ofctrl n_syncs seen. */
};

static void exporter_scrape(struct ds *, void *exporter_);

struct exporter *
exporter_create(void)
{
    struct exporter *e = xzalloc(sizeof *e);
    struct metrics *m = metrics_create();
    const double *lat = metrics_latency_buckets;
    size_t n_lat = metrics_n_latency_buckets;

    e->m = m;
    e->started_msec = time_msec();
    e->retry_at = LLONG_MAX;
    simap_init(&e->syncs_seen);
#define REG(TYPE, NAME, HELP, ...) \
    metrics_register(m, METRICS_##TYPE, NAME, HELP, __VA_ARGS__)
    e->info = REG(GAUGE, "dvr_controller_info", "This dvr-controller: "
                  "its version and chassis (always 1).",
                  METRICS_LABELS("version", "chassis"), NULL, 0);
    e->uptime = REG(GAUGE, "dvr_controller_uptime_seconds",
                    "Seconds since dvr-controller started.", NULL, NULL, 0);
    e->scrapes = REG(COUNTER, "dvr_controller_scrapes_total",
                     "Scrapes of this endpoint answered before this one.",
                     NULL, NULL, 0);
    e->flows = REG(GAUGE, "dvr_controller_flows", "Flows installed, by "
                   "bridge and table (table: the name pipeline/tables.c "
                   "gives it).",
                   METRICS_LABELS("bridge", "table", "table_id"), NULL, 0);
    e->flow_mods = REG(COUNTER, "dvr_controller_flow_mods_total",
                       "Flow changes sent to a bridge, by kind.",
                       METRICS_LABELS("bridge", "op"), NULL, 0);
    e->refused = REG(COUNTER, "dvr_controller_flows_refused_total",
                     "Flows left out because the switch or the compiler "
                     "refused them.", METRICS_LABELS("bridge", "by"),
                     NULL, 0);
    e->connected = REG(GAUGE, "dvr_controller_bridge_connected",
                       "1 if the OpenFlow connection to the bridge is up "
                       "and its flows are known.", METRICS_LABELS("bridge"),
                       NULL, 0);
    e->compile = REG(HISTOGRAM, "dvr_controller_compile_seconds",
                     "Duration of the compiles that changed flows (kind: "
                     "full or incremental).", METRICS_LABELS("kind"),
                     lat, n_lat);
    e->install = REG(HISTOGRAM, "dvr_controller_install_seconds",
                     "Duration of each bundle of flow changes a bridge "
                     "committed.", METRICS_LABELS("bridge"), lat, n_lat);
    e->change = REG(HISTOGRAM, "dvr_controller_change_seconds",
                    "Compile and install of a change, together.", NULL,
                    lat, n_lat);
    e->skipped = REG(COUNTER, "dvr_controller_rows_skipped_total",
                     "NB rows the compiler skipped for invalid values.",
                     NULL, NULL, 0);
    e->packet_ins = REG(COUNTER, "dvr_controller_packet_ins_total",
                        "Packet-ins from br-int, by kind (the pipeline's "
                        "opcode; unhandled, undecodable).",
                        METRICS_LABELS("kind"), NULL, 0);
    e->packet_outs = REG(COUNTER, "dvr_controller_packet_outs_total",
                         "Packet-outs to br-int, sent or dropped (not "
                         "connected, queue full).",
                         METRICS_LABELS("result"), NULL, 0);
    e->meter_drops = REG(COUNTER, "dvr_controller_meter_drops_total",
                         "Packet-ins br-int's meters dropped: meter "
                         "\"controller\" (all VIFs) or \"port\" (one "
                         "VIF's, port = its iface-id).",
                         METRICS_LABELS("meter", "port"), NULL, 0);
    e->meter_age = REG(GAUGE, "dvr_controller_meter_stats_age_seconds",
                       "Age of the meter statistics the drops come from "
                       "(each scrape asks for new ones).", NULL, NULL, 0);
    e->nb_connected = REG(GAUGE, "dvr_controller_nb_connected",
                          "1 if connected to the NB database.", NULL,
                          NULL, 0);
    e->nb_cfg = REG(GAUGE, "dvr_controller_nb_cfg", "NB_Global.nb_cfg: "
                    "current (the NB's) and applied (this chassis' "
                    "acknowledgement, flows installed).",
                    METRICS_LABELS("state"), NULL, 0);
    e->nb_cfg_lag = REG(GAUGE, "dvr_controller_nb_cfg_lag",
                        "NB changes (nb_cfg increments) this chassis has "
                        "not applied yet.", NULL, NULL, 0);
    e->bindings = REG(GAUGE, "dvr_controller_bindings",
                      "Port_Binding rows of this chassis, by up (true: "
                      "flows installed, ACTIVE).", METRICS_LABELS("up"),
                      NULL, 0);
    e->local_ports = REG(GAUGE, "dvr_controller_local_ports",
                         "Ports bound here that the engine compiles.",
                         NULL, NULL, 0);
    e->vifs = REG(GAUGE, "dvr_controller_vifs", "VIFs on br-int "
                  "(interfaces with external_ids:iface-id).", NULL, NULL, 0);
#undef REG
    return e;
}

void
exporter_destroy(struct exporter *e)
{
    if (e) {
        metrics_http_destroy(e->http);
        metrics_destroy(e->m);
        simap_destroy(&e->syncs_seen);
        free(e->address);
        free(e);
    }
}

void
exporter_set_address(struct exporter *e, const char *address)
{
    bool retry = false;

    if (address && !address[0]) {
        address = NULL;
    }
    if (!address == !e->address
        && (!address || !strcmp(address, e->address))) {
        if (e->http || time_msec() < e->retry_at) {
            return;
        }
        retry = true;
    }
    metrics_http_destroy(e->http);
    e->http = NULL;
    e->retry_at = LLONG_MAX;
    if (!retry) {
        free(e->address);
        e->address = nullable_xstrdup(address);
        if (!address) {
            VLOG_INFO("metrics off");
            return;
        }
    }

    char *host, *error;
    uint16_t port;
    error = metrics_http_parse_address(address, &host, &port);
    if (error) {
        /* Wrong until the setting changes. */
        VLOG_ERR("external_ids:dvr-metrics-address: %s; metrics stay off",
                 error);
        free(error);
        return;
    }
    free(host);
    e->http = metrics_http_create(NULL, address, exporter_scrape, e, &error);
    if (e->http) {
        VLOG_INFO("metrics on http://%s/metrics", address);
    } else {
        /* The address may be in use by a process on its way out: try
         * again, without a new log line. */
        if (!retry) {
            VLOG_ERR("external_ids:dvr-metrics-address: %s; metrics stay "
                     "off (retrying every %d s)", error,
                     EXPORTER_RETRY_MSEC / 1000);
        }
        free(error);
        e->retry_at = time_msec() + EXPORTER_RETRY_MSEC;
    }
}

size_t
exporter_dirty_flows(struct engine *engine)
{
    size_t n = (hmap_count(&engine_int_flows(engine)->dirty)
                + hmap_count(&engine_tun_flows(engine)->dirty));
    const struct shash_node *node;

    SHASH_FOR_EACH (node, engine_ex_flows(engine)) {
        const struct flow_set *set = node->data;
        n += hmap_count(&set->dirty);
    }
    return n;
}

void
exporter_note_compile(struct exporter *e, struct engine *engine, bool full,
                      size_t dirty_before)
{
    if (full || exporter_dirty_flows(engine) != dirty_before) {
        metrics_observe(metrics_get(e->compile, METRICS_LABELS(
                                        full ? "full" : "incremental")),
                        engine_get_stats(engine)->last_usec / 1e6);
    }
}

void
exporter_note_change(struct exporter *e, long long int change_usec)
{
    metrics_observe(metrics_get(e->change, NULL), change_usec / 1e6);
}

/* Observes the bundles 'oc' committed since the last call. */
static void
note_installs(struct exporter *e, const struct ofctrl *oc)
{
    if (!oc) {
        return;
    }
    const char *bridge = ofctrl_bridge(oc);
    const struct ofctrl_stats *st = ofctrl_get_stats(oc);
    struct simap_node *seen = simap_find(&e->syncs_seen, bridge);
    unsigned int n = st->n_syncs;

    if (!seen) {
        simap_put(&e->syncs_seen, bridge, n);
    } else if (seen->data != n) {
        /* One observation per iteration: ofctrl commits one bundle per
         * ofctrl_sync(), which the main loop calls once. */
        if (n) {
            metrics_observe(metrics_get(e->install, METRICS_LABELS(bridge)),
                            st->last_sync_usec / 1e6);
        }
        seen->data = n;
    }
}

void
exporter_run(struct exporter *e, const struct exporter_input *in)
{
    if (in->chassis) {
        struct shash_node *node;

        note_installs(e, in->br_int);
        note_installs(e, in->br_tun);
        SHASH_FOR_EACH (node, in->br_ex) {
            note_installs(e, node->data);
        }
    }
    if (e->http) {
        e->in = in;
        metrics_http_run(e->http);
        e->in = NULL;
    }
}

void
exporter_wait(struct exporter *e)
{
    metrics_http_wait(e->http);
    if (e->retry_at != LLONG_MAX) {
        poll_timer_wait_until(e->retry_at);
    }
}

static void
put_bridge(struct exporter *e, const struct ofctrl *oc,
           enum pipeline_bridge kind)
{
    const char *bridge = ofctrl_bridge(oc);
    const struct ofctrl_stats *st = ofctrl_get_stats(oc);
    const struct flow_set *set = ofctrl_installed(oc);
    size_t counts[256] = { 0 };
    const struct dvr_flow *f;

    metrics_set(metrics_get(e->connected, METRICS_LABELS(bridge)),
                ofctrl_is_connected(oc));
    metrics_set(metrics_get(e->flow_mods, METRICS_LABELS(bridge, "add")),
                st->n_adds);
    metrics_set(metrics_get(e->flow_mods, METRICS_LABELS(bridge, "modify")),
                st->n_modifies);
    metrics_set(metrics_get(e->flow_mods, METRICS_LABELS(bridge, "delete")),
                st->n_deletes);
    metrics_set(metrics_get(e->refused, METRICS_LABELS(bridge, "switch")),
                st->n_switch_refused);
    metrics_set(metrics_get(e->refused, METRICS_LABELS(bridge, "compiler")),
                st->n_compile_refused);

    HMAP_FOR_EACH (f, node, &set->flows) {
        counts[f->table_id]++;
    }
    for (int t = 0; t < 256; t++) {
        if (!counts[t]) {
            continue;
        }
        const char *name = "unnamed";
        for (const struct table_name *tn = pipeline_table_names(kind);
             tn && tn->name; tn++) {
            if (tn->id == t) {
                name = tn->name;
            }
        }
        char id[16];
        snprintf(id, sizeof id, "%d", t);
        metrics_set(metrics_get(e->flows, METRICS_LABELS(bridge, name, id)),
                    counts[t]);
    }
}

static void
put_packet_path(struct exporter *e, const struct exporter_input *in)
{
    const struct pinctrl_stats *ps = pinctrl_get_stats(in->pinctrl);

    for (int op = 0; op < 256; op++) {
        const char *name = pinctrl_op_name(op);
        if (name || ps->n_in[op]) {
            char buf[16];
            if (!name) {
                snprintf(buf, sizeof buf, "op%d", op);
                name = buf;
            }
            metrics_set(metrics_get(e->packet_ins, METRICS_LABELS(name)),
                        ps->n_in[op]);
        }
    }
    metrics_set(metrics_get(e->packet_ins, METRICS_LABELS("unhandled")),
                ps->n_no_handler);
    metrics_set(metrics_get(e->packet_ins, METRICS_LABELS("undecodable")),
                ps->n_bad);
    metrics_set(metrics_get(e->packet_outs, METRICS_LABELS("sent")),
                ps->n_out);
    metrics_set(metrics_get(e->packet_outs, METRICS_LABELS("dropped")),
                ps->n_out_dropped);

    uint64_t drops;
    if (pinctrl_meter_drops(in->pinctrl, PIN_METER_ID, &drops)) {
        metrics_set(metrics_get(e->meter_drops,
                                METRICS_LABELS("controller", "")), drops);
    }
    const struct simap_node *vif;
    SIMAP_FOR_EACH (vif, in->vifs) {
        if (vif->data > 0 && vif->data < ofp_to_u16(OFPP_MAX)
            && pinctrl_meter_drops(in->pinctrl,
                                   PIN_PORT_METER(u16_to_ofp(vif->data)),
                                   &drops)) {
            metrics_set(metrics_get(e->meter_drops,
                                    METRICS_LABELS("port", vif->name)),
                        drops);
        }
    }
    long long int when = pinctrl_meter_stats_msec(in->pinctrl);
    if (when) {
        metrics_set(metrics_get(e->meter_age, NULL),
                    (time_msec() - when) / 1e3);
    }
    /* For the next scrape. */
    pinctrl_request_meter_stats(in->pinctrl);
}

static void
put_nb(struct exporter *e, const struct exporter_input *in)
{
    const struct nbrec_nb_global *g = nbrec_nb_global_first(in->nb_idl);
    const struct nbrec_chassis_private *cp;
    int64_t current = g ? g->nb_cfg : 0, applied = 0;

    NBREC_CHASSIS_PRIVATE_FOR_EACH (cp, in->nb_idl) {
        if (!strcmp(cp->name, in->chassis)) {
            applied = cp->nb_cfg;
        }
    }
    metrics_set(metrics_get(e->nb_connected, NULL),
                ovsdb_idl_is_connected(in->nb_idl));
    metrics_set(metrics_get(e->nb_cfg, METRICS_LABELS("current")), current);
    metrics_set(metrics_get(e->nb_cfg, METRICS_LABELS("applied")), applied);
    metrics_set(metrics_get(e->nb_cfg_lag, NULL),
                current > applied ? current - applied : 0);

    size_t n_up = 0, n_down = 0;
    const struct nbrec_port_binding *pb;
    NBREC_PORT_BINDING_FOR_EACH (pb, in->nb_idl) {
        if (pb->chassis && !strcmp(pb->chassis->name, in->chassis)) {
            *(pb->up ? &n_up : &n_down) += 1;
        }
    }
    metrics_set(metrics_get(e->bindings, METRICS_LABELS("true")), n_up);
    metrics_set(metrics_get(e->bindings, METRICS_LABELS("false")), n_down);
}

/* metrics/http's callback: the exposition, from the live state. */
static void
exporter_scrape(struct ds *out, void *e_)
{
    struct exporter *e = e_;
    const struct exporter_input *in = e->in;

    metrics_clear(e->info);
    metrics_set(metrics_get(e->info, METRICS_LABELS(
                    DVR_VERSION, in && in->chassis ? in->chassis : "")), 1);
    metrics_set(metrics_get(e->uptime, NULL),
                (time_msec() - e->started_msec) / 1e3);
    metrics_set(metrics_get(e->scrapes, NULL),
                metrics_http_n_scrapes(e->http));

    /* What may have gone since the last scrape (bridges, tables, VIFs)
     * goes from the output. */
    metrics_clear(e->flows);
    metrics_clear(e->flow_mods);
    metrics_clear(e->refused);
    metrics_clear(e->connected);
    metrics_clear(e->meter_drops);
    if (in && in->chassis) {
        const struct engine_stats *es = engine_get_stats(in->engine);
        struct shash_node *node;

        put_bridge(e, in->br_int, BRIDGE_INT);
        put_bridge(e, in->br_tun, BRIDGE_TUN);
        SHASH_FOR_EACH (node, in->br_ex) {
            put_bridge(e, node->data, BRIDGE_EX);
        }
        metrics_set(metrics_get(e->skipped, NULL), es->n_errors);
        put_packet_path(e, in);
        put_nb(e, in);
        metrics_set(metrics_get(e->local_ports, NULL),
                    engine_n_local_ports(in->engine));
        metrics_set(metrics_get(e->vifs, NULL), simap_count(in->vifs));
    }
    metrics_format(e->m, out);
}

/*
 * dvrctl pipeline: a node's pipeline as a Graphviz (DOT) picture.
 *
 *   dvrctl pipeline --dot (--node NAME=RUNDIR | --static)
 *
 * With --node, RUNDIR is the node's OVS run directory (as for dvrctl
 * trace): it holds ovs-vswitchd.pid, the switch's control socket and each
 * bridge's OpenFlow management socket (BRIDGE.mgmt).  The switch says
 * which bridges and ports it has (`dpif/show`); every flow of br-int,
 * br-tun and each provider bridge patched to br-int is read over
 * OpenFlow (a flow stats request, as `ovs-ofctl dump-flows` makes) and
 * its actions, decoded by libopenvswitch's ofpacts, give the jumps:
 * goto_table, resubmit(,N), ct(table=N), learn(table=N), output to a patch
 * port (into the peer bridge's table 0), output to a tunnel port (also
 * as a bundle() member), controller(), and output to any other port
 * (output:REG, whose port is known only per packet, counts as one).
 * Nodes are tables (named from pipeline/tables.c, with their flow
 * counts), grouped per bridge; edges are the jumps, labelled with their
 * kind.  Tables named in pipeline/tables.c that have no flows on the
 * node are drawn dashed.
 *
 * With --static, no node is read: the picture has the tables that
 * pipeline/tables.c names, per bridge, with neither counts nor jumps
 * (the jumps exist only in installed flows; there is no second model of
 * the pipeline here).
 *
 * Contract: reads only (unixctl `dpif/show` and OpenFlow flow stats);
 * prints the graph on stdout and exits 0; on a usage error exits 2, when
 * the node cannot be read exits 1, with one "dvrctl: ..." line on stderr
 * and nothing on stdout.
 */

#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonrpc.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "byte-order.h"
#include "flow.h"
#include "hash.h"
#include "pipeline/tables.h"
#include "socket-util.h"
#include "tools/dvrctl.h"
#include "unixctl.h"
#include "util.h"

#define N_TABLES 256

/* How a flow's action moves the packet on. */
enum jump_kind {
    JUMP_GOTO,                  /* goto_table:N */
    JUMP_RESUBMIT,              /* resubmit(,N) */
    JUMP_CT,                    /* ct(table=N): after conntrack. */
    JUMP_LEARN,                 /* learn(table=N): adds flows there. */
    JUMP_PATCH,                 /* Output to a patch port. */
    JUMP_TUNNEL,                /* Output to a tunnel port. */
    JUMP_CONTROLLER,            /* A packet-in. */
    JUMP_OUTPUT,                /* Output to any other port. */
};

static const char *const jump_names[] = {
    [JUMP_GOTO] = "goto",
    [JUMP_RESUBMIT] = "resubmit",
    [JUMP_CT] = "ct",
    [JUMP_LEARN] = "learn",
    [JUMP_PATCH] = "patch",
    [JUMP_TUNNEL] = "tunnel",
    [JUMP_CONTROLLER] = "controller",
    [JUMP_OUTPUT] = "output",
};

static const char *const jump_styles[] = {
    [JUMP_GOTO] = "color=\"#1f4e79\"",
    [JUMP_RESUBMIT] = "color=\"#2e75b6\"",
    [JUMP_CT] = "color=\"#c55a11\", style=dashed",
    [JUMP_LEARN] = "color=\"#7030a0\", style=dotted",
    [JUMP_PATCH] = "color=\"#375623\", penwidth=2",
    [JUMP_TUNNEL] = "color=\"#375623\", penwidth=2",
    [JUMP_CONTROLLER] = "color=\"#7f7f7f\", style=dashed",
    [JUMP_OUTPUT] = "color=\"#7f7f7f\"",
};

/* Where a jump lands besides a table. */
enum {
    TO_PORTS = N_TABLES,        /* The bridge's ports (VIFs, uplinks). */
    TO_CONTROLLER,              /* The node's dvr-controller. */
    TO_TUNNELS,                 /* Other chassis, through tunnels. */
};

struct pl_port {
    char *name;
    int ofport;
    char *type;                 /* "patch", "geneve", "dummy", ... */
    char *peer;                 /* A patch port's peer, else NULL. */
};

struct pl_bridge {
    char *name;
    enum pipeline_bridge kind;
    bool drawn;                 /* br-int, br-tun or patched to br-int. */
    struct pl_port *ports;
    size_t n_ports, allocated_ports;
    unsigned int n_flows[N_TABLES];
    bool present[N_TABLES];     /* Has flows or is a jump's target. */
    bool has_ports;             /* Some flow outputs to a port. */
};

struct pl_edge {
    struct hmap_node node;
    int from_br, from_table;
    int to_br, to;              /* A table, TO_PORTS (of 'to_br'), or
                                 * TO_CONTROLLER / TO_TUNNELS (to_br -1). */
    enum jump_kind kind;
    unsigned int n_flows;       /* Flows that make this jump. */
    size_t last_flow;           /* Last counted flow, plus one. */
};

struct pl_graph {
    const char *node;
    struct pl_bridge *bridges;
    size_t n_bridges, allocated_bridges;
    struct hmap edges;
    bool controller, tunnels;
};

/* Runs unixctl 'cmd' (no arguments) on the daemon at 'path'; returns its
 * output, or NULL with '*error' set. */
static char *
pl_appctl(const char *path, const char *cmd, char **error)
{
    struct jsonrpc *client;
    char *result = NULL, *err = NULL;

    *error = NULL;
    int retval = unixctl_client_create(path, &client);
    if (retval) {
        *error = xasprintf("cannot connect to %s (%s)", path,
                           ovs_strerror(retval));
        return NULL;
    }
    retval = unixctl_client_transact(client, cmd, 0, NULL, &result, &err);
    jsonrpc_close(client);
    if (retval || err) {
        *error = (retval
                  ? xasprintf("%s: %s failed (%s)", path, cmd,
                              ovs_strerror(retval))
                  : xasprintf("%s: %s: %s", path, cmd, err));
        free(result);
        free(err);
        return NULL;
    }
    return result ? result : xstrdup("");
}

/* The control socket of the ovs-vswitchd that runs in 'rundir'; dies with
 * a message naming node 'node' if there is none. */
static char *
switch_socket(const char *node, const char *rundir)
{
    struct stat st;
    if (stat(rundir, &st)) {
        dvrctl_die(1, "node %s: cannot read run directory %s (%s)", node,
                   rundir, ovs_strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        dvrctl_die(1, "node %s: %s is not a directory", node, rundir);
    }
    char *pidfile = xasprintf("%s/ovs-vswitchd.pid", rundir);
    FILE *f = fopen(pidfile, "r");
    if (!f) {
        dvrctl_die(1, "node %s: no ovs-vswitchd in %s (cannot read %s: %s)",
                   node, rundir, pidfile, ovs_strerror(errno));
    }
    char line[32];
    long pid = 0;
    char *end = NULL;
    if (fgets(line, sizeof line, f)) {
        errno = 0;
        pid = strtol(line, &end, 10);
    }
    fclose(f);
    if (!end || end == line || (*end && *end != '\n') || errno || pid <= 0
        || pid > INT32_MAX) {
        dvrctl_die(1, "node %s: %s does not hold a process id", node,
                   pidfile);
    }
    free(pidfile);
    return xasprintf("%s/ovs-vswitchd.%ld.ctl", rundir, pid);
}

static struct pl_bridge *
find_bridge(struct pl_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n_bridges; i++) {
        if (!strcmp(g->bridges[i].name, name)) {
            return &g->bridges[i];
        }
    }
    return NULL;
}

static const struct pl_port *
find_port(const struct pl_bridge *br, int ofport)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (br->ports[i].ofport == ofport) {
            return &br->ports[i];
        }
    }
    return NULL;
}

/* The bridge that has a port named 'name', or NULL. */
static struct pl_bridge *
bridge_of_port(struct pl_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n_bridges; i++) {
        struct pl_bridge *br = &g->bridges[i];
        for (size_t j = 0; j < br->n_ports; j++) {
            if (!strcmp(br->ports[j].name, name)) {
                return br;
            }
        }
    }
    return NULL;
}

static enum pipeline_bridge
bridge_kind(const char *name)
{
    return (!strcmp(name, "br-int") ? BRIDGE_INT
            : !strcmp(name, "br-tun") ? BRIDGE_TUN
            : BRIDGE_EX);
}

/* Reads the bridges and ports from `dpif/show`, whose lines are
 *
 *   dummy@ovs-dummy: hit:0 missed:0
 *     br-int:
 *       patch-tun 2/none: (patch: peer=patch-int)
 *       vif1 11/5: (dummy)
 */
static void
read_ports(struct pl_graph *g, const char *out)
{
    struct pl_bridge *br = NULL;
    char *copy = xstrdup(out);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        size_t indent = strspn(line, " ");
        size_t len = strlen(line);
        if (indent == 2 && len > 3 && line[len - 1] == ':') {
            if (g->n_bridges >= g->allocated_bridges) {
                g->bridges = x2nrealloc(g->bridges, &g->allocated_bridges,
                                        sizeof *g->bridges);
            }
            br = &g->bridges[g->n_bridges++];
            memset(br, 0, sizeof *br);
            br->name = xmemdup0(line + 2, len - 3);
            br->kind = bridge_kind(br->name);
            continue;
        }
        char name[256];
        int ofport;
        if (!br || indent != 4
            || sscanf(line, " %255s %d/", name, &ofport) != 2) {
            continue;
        }
        if (br->n_ports >= br->allocated_ports) {
            br->ports = x2nrealloc(br->ports, &br->allocated_ports,
                                   sizeof *br->ports);
        }
        struct pl_port *p = &br->ports[br->n_ports++];
        p->name = xstrdup(name);
        p->ofport = ofport;
        const char *paren = strchr(line, '(');
        p->type = (paren
                   ? xmemdup0(paren + 1, strcspn(paren + 1, ":)"))
                   : xstrdup(""));
        const char *peer = paren ? strstr(paren, "peer=") : NULL;
        p->peer = (peer && !strcmp(p->type, "patch")
                   ? xmemdup0(peer + 5, strcspn(peer + 5, ",) "))
                   : NULL);
    }
    free(copy);
}

/* Marks the bridges to draw: br-int, br-tun and the bridges a patch port
 * joins to br-int (the provider bridges). */
static void
choose_bridges(struct pl_graph *g)
{
    struct pl_bridge *integration = find_bridge(g, "br-int");
    if (!integration) {
        dvrctl_die(1, "node %s: its switch has no br-int (is dvr-controller "
                   "running?)", g->node);
    }
    integration->drawn = true;
    struct pl_bridge *tun = find_bridge(g, "br-tun");
    if (tun) {
        tun->drawn = true;
    }
    for (size_t i = 0; i < integration->n_ports; i++) {
        const char *peer = integration->ports[i].peer;
        struct pl_bridge *br = peer ? bridge_of_port(g, peer) : NULL;
        if (br) {
            br->drawn = true;
        }
    }
}

static struct pl_edge *
add_edge(struct pl_graph *g, int from_br, int from_table, int to_br, int to,
         enum jump_kind kind, size_t flow)
{
    uint32_t hash = hash_int(from_br, 0);
    hash = hash_int(from_table, hash);
    hash = hash_int(to_br, hash);
    hash = hash_int(to, hash);
    hash = hash_int(kind, hash);

    struct pl_edge *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hash, &g->edges) {
        if (e->from_br == from_br && e->from_table == from_table
            && e->to_br == to_br && e->to == to && e->kind == kind) {
            break;
        }
    }
    if (!e) {
        e = xzalloc(sizeof *e);
        e->from_br = from_br;
        e->from_table = from_table;
        e->to_br = to_br;
        e->to = to;
        e->kind = kind;
        hmap_insert(&g->edges, &e->node, hash);
    }
    if (e->last_flow != flow + 1) {
        e->last_flow = flow + 1;
        e->n_flows++;
    }
    if (to_br >= 0 && to < N_TABLES) {
        g->bridges[to_br].present[to] = true;
    } else if (to == TO_PORTS) {
        g->bridges[to_br].has_ports = true;
    } else if (to == TO_CONTROLLER) {
        g->controller = true;
    } else {
        g->tunnels = true;
    }
    return e;
}

static bool
is_tunnel_type(const char *type)
{
    static const char *const tunnels[] = {
        "geneve", "vxlan", "gre", "ip6gre", "erspan", "ip6erspan", "stt",
        "lisp", "gtpu", "bareudp", "srv6",
    };
    for (size_t i = 0; i < ARRAY_SIZE(tunnels); i++) {
        if (!strcmp(type, tunnels[i])) {
            return true;
        }
    }
    return false;
}

/* The jump of an output to OpenFlow port 'port' of bridge 'b'. */
static void
add_output(struct pl_graph *g, int b, int table, ofp_port_t port,
           size_t flow)
{
    if (port == OFPP_CONTROLLER) {
        add_edge(g, b, table, -1, TO_CONTROLLER, JUMP_CONTROLLER, flow);
        return;
    }
    const struct pl_port *p = find_port(&g->bridges[b],
                                        ofp_to_u16(port));
    if (p && p->peer) {
        struct pl_bridge *peer = bridge_of_port(g, p->peer);
        if (peer && peer->drawn) {
            add_edge(g, b, table, peer - g->bridges, 0, JUMP_PATCH, flow);
            return;
        }
    } else if (p && is_tunnel_type(p->type)) {
        add_edge(g, b, table, -1, TO_TUNNELS, JUMP_TUNNEL, flow);
        return;
    }
    add_edge(g, b, table, b, TO_PORTS, JUMP_OUTPUT, flow);
}

/* Adds the jumps of flow number 'flow', in table 'table' of bridge 'b',
 * whose actions are 'ofpacts'. */
static void
add_flow(struct pl_graph *g, int b, int table, const struct ofpact *ofpacts,
         size_t ofpacts_len, size_t flow)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH_FLATTENED (a, ofpacts, ofpacts_len) {
        switch (a->type) {
        case OFPACT_GOTO_TABLE:
            add_edge(g, b, table, b, ofpact_get_GOTO_TABLE(a)->table_id,
                     JUMP_GOTO, flow);
            break;
        case OFPACT_RESUBMIT: {
            uint8_t to = ofpact_get_RESUBMIT(a)->table_id;
            add_edge(g, b, table, b, to == 255 ? table : to, JUMP_RESUBMIT,
                     flow);
            break;
        }
        case OFPACT_CT: {
            uint8_t to = ofpact_get_CT(a)->recirc_table;
            if (to != NX_CT_RECIRC_NONE) {
                add_edge(g, b, table, b, to, JUMP_CT, flow);
            }
            break;
        }
        case OFPACT_LEARN:
            add_edge(g, b, table, b, ofpact_get_LEARN(a)->table_id,
                     JUMP_LEARN, flow);
            break;
        case OFPACT_CONTROLLER:
            add_edge(g, b, table, -1, TO_CONTROLLER, JUMP_CONTROLLER, flow);
            break;
        case OFPACT_OUTPUT:
            add_output(g, b, table, ofpact_get_OUTPUT(a)->port, flow);
            break;
        case OFPACT_OUTPUT_TRUNC:
            add_output(g, b, table, ofpact_get_OUTPUT_TRUNC(a)->port, flow);
            break;
        case OFPACT_ENQUEUE:
            add_output(g, b, table, ofpact_get_ENQUEUE(a)->port, flow);
            break;
        case OFPACT_BUNDLE: {
            /* One of its members (e.g. the tunnels to a router's gateway
             * chassis), each a jump of its own kind. */
            const struct ofpact_bundle *bundle = ofpact_get_BUNDLE(a);
            for (unsigned int i = 0; i < bundle->n_members; i++) {
                add_output(g, b, table, bundle->members[i], flow);
            }
            break;
        }
        case OFPACT_OUTPUT_REG:
            /* The port is known only per packet. */
            add_edge(g, b, table, b, TO_PORTS, JUMP_OUTPUT, flow);
            break;
        default:
            break;
        }
    }
}

/* Reads every flow of bridge 'b' over its management socket. */
static void
read_flows(struct pl_graph *g, const char *rundir, int b)
{
    struct pl_bridge *br = &g->bridges[b];
    char *target = xasprintf("unix:%s/%s.mgmt", rundir, br->name);
    uint32_t versions = ((1u << OFP13_VERSION) | (1u << OFP14_VERSION)
                         | (1u << OFP15_VERSION));
    struct vconn *vconn;
    int error = vconn_open_block(target, versions, DSCP_DEFAULT, 10000,
                                 &vconn);
    if (error) {
        dvrctl_die(1, "node %s: cannot open %s (%s)", g->node, target,
                   ovs_strerror(error));
    }

    struct ofputil_flow_stats_request fsr = {
        .cookie = htonll(0),
        .cookie_mask = htonll(0),
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    match_init_catchall(&fsr.match);
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(vconn_get_version(vconn));
    struct ofputil_flow_stats *fses;
    size_t n_fses;
    error = vconn_dump_flows(vconn, &fsr, protocol, &fses, &n_fses);
    if (error) {
        dvrctl_die(1, "node %s: cannot read the flows of %s (%s)", g->node,
                   br->name, ovs_strerror(error));
    }
    for (size_t i = 0; i < n_fses; i++) {
        const struct ofputil_flow_stats *fs = &fses[i];
        br->n_flows[fs->table_id]++;
        br->present[fs->table_id] = true;
        add_flow(g, b, fs->table_id, fs->ofpacts, fs->ofpacts_len, i);
        free(CONST_CAST(struct ofpact *, fs->ofpacts));
    }
    free(fses);
    vconn_close(vconn);
    free(target);
}

/* Output. */

/* Appends 's' to 'out' as the inside of a DOT quoted string. */
static void
put_escaped(struct ds *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            ds_put_format(out, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            ds_put_char(out, '?');
        } else {
            ds_put_char(out, c);
        }
    }
}

static const char *
table_name(enum pipeline_bridge kind, int id)
{
    for (const struct table_name *t = pipeline_table_names(kind); t->name;
         t++) {
        if (t->id == id) {
            return t->name;
        }
    }
    return NULL;
}

static void
put_table(struct ds *out, int b, enum pipeline_bridge kind, int id,
          bool live, unsigned int n_flows)
{
    const char *name = table_name(kind, id);
    ds_put_format(out, "        b%dt%d [label=\"%d %s", b, id, id,
                  name ? name : "(unnamed)");
    if (live) {
        ds_put_format(out, "\\n%u flow%s", n_flows, n_flows == 1 ? "" : "s");
    }
    ds_put_char(out, '"');
    if (live && !n_flows) {
        ds_put_cstr(out, ", style=\"rounded,dashed\", fontcolor=\"#7f7f7f\"");
    }
    ds_put_cstr(out, "];\n");
}

static void
put_header(struct ds *out, const char *title)
{
    ds_put_cstr(out, "digraph dvrflow_pipeline {\n"
                "    graph [label=\"");
    put_escaped(out, title);
    ds_put_cstr(out, "\", labelloc=t, fontname=\"Helvetica\", "
                "fontsize=16, compound=true, newrank=true, ranksep=0.35, "
                "nodesep=0.25];\n"
                "    node [shape=box, style=rounded, "
                "fontname=\"Helvetica\", fontsize=10, height=0.3];\n"
                "    edge [fontname=\"Helvetica\", fontsize=8, "
                "arrowsize=0.6];\n");
}

static void
put_cluster_head(struct ds *out, int b, const char *name, unsigned int n)
{
    ds_put_format(out, "    subgraph cluster_b%d {\n        label=\"", b);
    put_escaped(out, name);
    if (n != UINT_MAX) {
        ds_put_format(out, " (%u flow%s)", n, n == 1 ? "" : "s");
    }
    ds_put_cstr(out, "\";\n        style=rounded; color=\"#9dc3e6\";\n");
}

static int
compare_edges(const void *a_, const void *b_)
{
    const struct pl_edge *a = *(const struct pl_edge *const *) a_;
    const struct pl_edge *b = *(const struct pl_edge *const *) b_;
    int d[] = { a->from_br - b->from_br, a->from_table - b->from_table,
                a->to_br - b->to_br, a->to - b->to,
                (int) a->kind - (int) b->kind };
    for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
        if (d[i]) {
            return d[i] < 0 ? -1 : 1;
        }
    }
    return 0;
}

static void
put_live(struct ds *out, struct pl_graph *g)
{
    unsigned int total = 0;
    for (size_t b = 0; b < g->n_bridges; b++) {
        for (int t = 0; t < N_TABLES && g->bridges[b].drawn; t++) {
            total += g->bridges[b].n_flows[t];
        }
    }
    char *title = xasprintf("dvrflow pipeline of node %s: %u flows",
                            g->node, total);
    put_header(out, title);
    free(title);

    for (size_t b = 0; b < g->n_bridges; b++) {
        const struct pl_bridge *br = &g->bridges[b];
        if (!br->drawn) {
            continue;
        }
        unsigned int n = 0;
        for (int t = 0; t < N_TABLES; t++) {
            n += br->n_flows[t];
        }
        put_cluster_head(out, b, br->name, n);
        for (int t = 0; t < N_TABLES; t++) {
            if (br->present[t] || table_name(br->kind, t)) {
                put_table(out, b, br->kind, t, true, br->n_flows[t]);
            }
        }
        if (br->has_ports) {
            ds_put_format(out, "        b%dports [label=\"", (int) b);
            put_escaped(out, br->name);
            ds_put_cstr(out, " ports\", shape=ellipse, "
                        "style=filled, fillcolor=\"#f2f2f2\"];\n");
        }
        ds_put_cstr(out, "    }\n");
    }
    if (g->controller) {
        ds_put_cstr(out, "    controller [label=\"dvr-controller "
                    "(packet-in)\", shape=ellipse, style=filled, "
                    "fillcolor=\"#fff2cc\"];\n");
    }
    if (g->tunnels) {
        ds_put_cstr(out, "    tunnels [label=\"other chassis (tunnels)\", "
                    "shape=ellipse, style=filled, "
                    "fillcolor=\"#e2f0d9\"];\n");
    }

    size_t n_edges = hmap_count(&g->edges), i = 0;
    struct pl_edge **edges = xmalloc((n_edges + 1) * sizeof *edges);
    struct pl_edge *e;
    HMAP_FOR_EACH (e, node, &g->edges) {
        edges[i++] = e;
    }
    qsort(edges, n_edges, sizeof *edges, compare_edges);
    for (i = 0; i < n_edges; i++) {
        e = edges[i];
        ds_put_format(out, "    b%dt%d -> ", e->from_br, e->from_table);
        if (e->to < N_TABLES) {
            ds_put_format(out, "b%dt%d", e->to_br, e->to);
        } else if (e->to == TO_PORTS) {
            ds_put_format(out, "b%dports", e->to_br);
        } else {
            ds_put_cstr(out, e->to == TO_CONTROLLER ? "controller"
                                                    : "tunnels");
        }
        ds_put_format(out, " [label=\"%s\", tooltip=\"%u flow%s\", %s];\n",
                      jump_names[e->kind], e->n_flows,
                      e->n_flows == 1 ? "" : "s", jump_styles[e->kind]);
    }
    free(edges);
    ds_put_cstr(out, "}\n");
}

static void
put_static(struct ds *out)
{
    static const char *const names[] = {
        [BRIDGE_INT] = "br-int", [BRIDGE_TUN] = "br-tun",
        [BRIDGE_EX] = "br-ex (each provider bridge)",
    };
    put_header(out, "dvrflow pipeline: the tables of pipeline/tables.c "
               "(no node read: no flow counts, no jumps)");
    for (int b = 0; b < N_BRIDGE_KINDS; b++) {
        put_cluster_head(out, b, names[b], UINT_MAX);
        for (const struct table_name *t = pipeline_table_names(b); t->name;
             t++) {
            put_table(out, b, b, t->id, false, 0);
        }
        ds_put_cstr(out, "    }\n");
    }
    ds_put_cstr(out, "}\n");
}

static void
free_graph(struct pl_graph *g)
{
    for (size_t b = 0; b < g->n_bridges; b++) {
        struct pl_bridge *br = &g->bridges[b];
        for (size_t i = 0; i < br->n_ports; i++) {
            free(br->ports[i].name);
            free(br->ports[i].type);
            free(br->ports[i].peer);
        }
        free(br->ports);
        free(br->name);
    }
    free(g->bridges);
    struct pl_edge *e;
    HMAP_FOR_EACH_POP (e, node, &g->edges) {
        free(e);
    }
    hmap_destroy(&g->edges);
}

int
dvrctl_pipeline(int argc, char *argv[])
{
    const char *node = NULL;
    bool dot = false, static_ = false;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--dot")) {
            dot = true;
        } else if (!strcmp(a, "--static")) {
            static_ = true;
        } else if (!strcmp(a, "--node")) {
            if (i + 1 >= argc) {
                dvrctl_die(2, "pipeline: --node needs a value");
            }
            if (node) {
                dvrctl_die(2, "pipeline: one --node at a time");
            }
            node = argv[++i];
        } else {
            dvrctl_die(2, "pipeline: unknown argument '%s'", a);
        }
    }
    if (!dot) {
        dvrctl_die(2, "pipeline: needs --dot (the only output format)");
    }
    if (!node == !static_) {
        dvrctl_die(2, "pipeline: needs --node NAME=RUNDIR or --static "
                   "(see dvrctl --help)");
    }

    struct ds out = DS_EMPTY_INITIALIZER;
    if (static_) {
        put_static(&out);
    } else {
        const char *eq = strchr(node, '=');
        if (!eq || eq == node || !eq[1]) {
            dvrctl_die(2, "pipeline: --node wants NAME=RUNDIR, not '%s'",
                       node);
        }
        char *name = xmemdup0(node, eq - node);
        const char *rundir = eq + 1;
        struct pl_graph g = { .node = name };
        hmap_init(&g.edges);

        /* The library's connection messages would garble the error
         * reports; failures are reported here. */
        vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
        char *socket = switch_socket(name, rundir);
        char *error;
        char *ports = pl_appctl(socket, "dpif/show", &error);
        if (!ports) {
            dvrctl_die(1, "node %s: %s", name, error);
        }
        read_ports(&g, ports);
        free(ports);
        free(socket);
        choose_bridges(&g);
        for (size_t b = 0; b < g.n_bridges; b++) {
            if (g.bridges[b].drawn) {
                read_flows(&g, rundir, b);
            }
        }
        put_live(&out, &g);
        free_graph(&g);
        free(name);
    }
    fputs(ds_cstr(&out), stdout);
    ds_destroy(&out);
    return fflush(stdout) || ferror(stdout) ? 1 : 0;
}

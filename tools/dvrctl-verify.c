/*
 * dvrctl verify: checks the flows installed on the given nodes, not the
 * compiler's intent, for three properties, and prints a counterexample
 * (the packet's trace) for each failure:
 *
 *   dvrctl verify --node NAME=RUNDIR [--node ...] [--verbose]
 *
 * 1. Installed == compiled: each node's dvr-controller reads every
 *    bridge's flows back from its switch and compares them with what it
 *    compiles (unixctl "flows/verify", controller/ofctrl.h); every
 *    difference is printed.
 *
 * 2. Isolation: no frame that a bound VIF sends reaches a VIF of another
 *    network, or leaves on a provider network, unless its path passes the
 *    flows of routers (or of floating IPs, through their routers) that
 *    connect the two networks in the NB.  The frames are found from the
 *    installed flows: the constants that the flows of every node's br-int,
 *    br-tun and br-ex match for dl_dst, nw_dst (arp_tpa; one address
 *    inside each prefix and outside its more specific ones) and tp_dst,
 *    plus broadcast, multicast, an unknown unicast MAC, an address and a
 *    port that no flow matches.  From each VIF, with its own MAC and first
 *    IPv4 address, one frame per dl_dst class and kind (ARP request, ICMP
 *    echo, TCP, UDP, EtherType 0x88b5) is traced as `dvrctl trace` does
 *    (ofproto/trace on the node, conntrack resumed, followed through every
 *    tunnel copy and the provider network onto the other given nodes).
 *    The nw_dst and tp_dst classes are enumerated only for the frames
 *    whose megaflows matched that field: the others take the same path
 *    whatever its value.  A frame reaching a VIF of the source's network,
 *    or sent back out of its input port, is not checked further.
 *
 * 3. Anti-spoofing: for every bound VIF with port security, frames with
 *    another MAC (and its own IP) and with another IP (and its own MAC),
 *    as ICMP and as ARP, must be dropped in classify or port_security
 *    (with port_security_load and port_security_addr),
 *    and its own ICMP and ARP frames must get past those tables (else one
 *    of its port-security flows is missing).  A port whose allowed
 *    address pairs admit the probe addresses is skipped, and said so.
 *
 * The same failure found by several frames is printed once, with the
 * first frame's trace.  The traces reuse dvrctl-trace.c (tools/dvrctl.h):
 * this module only chooses the frames and judges the results.
 *
 * Not covered: IPv6, VLAN-tagged frames from a VIF, packets of
 * established connections (every frame is traced as the first of a new
 * connection), frames that arrive from the provider network or from
 * nodes not given, frames that a packet-in sends to the controller (their
 * later packet-outs are not followed), and constants that flows load into
 * registers rather than match.
 *
 * Contract: reads only (unixctl queries and traces, flow dumps over the
 * bridges' management sockets, API GETs).  Exit 0 if every check passed,
 * 3 if any failed, 1 or 2 on errors (message on stderr).
 */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/vconn.h"
#include "packets.h"
#include "socket-util.h"
#include "sset.h"
#include "svec.h"
#include "timeval.h"
#include "tools/dvrctl.h"
#include "util.h"

/* A VIF bound on a node. */
struct vif {
    int node;
    int ofport;
    char id[37];
    char net[37];
    const json_t *port;         /* dvr-api's port. */
};

static json_t *ports_reply, *routers_reply, *fips_reply, *nets_reply;
static struct vif *vifs;
static size_t n_vifs;
static bool verbose;

/* Constants matched by the installed flows. */
static struct sset dl_dsts = SSET_INITIALIZER(&dl_dsts);
static struct sset nw_dsts = SSET_INITIALIZER(&nw_dsts);
static struct sset tp_dsts = SSET_INITIALIZER(&tp_dsts);

/* Prefixes (value, mask) matched on nw_dst, to choose a representative
 * inside each. */
struct prefix {
    ovs_be32 net, mask;
};
static struct prefix *prefixes;
static size_t n_prefixes;
static struct sset exact_ips = SSET_INITIALIZER(&exact_ips);

static size_t n_traces, n_failures, n_frames_failed;
static size_t n_routed;         /* Frames delivered to another network's
                                 * VIF through routers that connect them. */

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const json_t *
port_by_id(const char *id)
{
    const json_t *port;
    size_t i;
    json_array_foreach (json_object_get(ports_reply, "ports"), i, port) {
        if (!strcmp(jstr(port, "id"), id)) {
            return port;
        }
    }
    return NULL;
}

static const json_t *
net_by_id(const char *id)
{
    const json_t *net;
    size_t i;
    json_array_foreach (json_object_get(nets_reply, "networks"), i, net) {
        if (!strcmp(jstr(net, "id"), id)) {
            return net;
        }
    }
    return NULL;
}

static const char *
net_name(const char *id)
{
    const json_t *net = net_by_id(id);
    return net ? jstr(net, "name") : id;
}

/* True if network 'id' is external or a provider (flat, VLAN) network:
 * frames on it leave on the provider network by design. */
static bool
net_is_provider(const char *id)
{
    const json_t *net = net_by_id(id);
    const char *type = net ? jstr(net, "provider:network_type") : "";
    return net && (json_is_true(json_object_get(net, "router:external"))
                   || !strcmp(type, "flat") || !strcmp(type, "vlan"));
}

/* Adds to 'nets' the networks router 'router' connects: its interfaces'
 * and its gateway's. */
static void
router_nets(const char *router, struct sset *nets)
{
    const json_t *x;
    size_t i;
    json_array_foreach (json_object_get(ports_reply, "ports"), i, x) {
        if (!strcmp(jstr(x, "device_id"), router)
            && (!strncmp(jstr(x, "device_owner"), "network:router_interface",
                         24)
                || !strcmp(jstr(x, "device_owner"),
                           "network:router_gateway"))) {
            sset_add(nets, jstr(x, "network_id"));
        }
    }
    json_array_foreach (json_object_get(routers_reply, "routers"), i, x) {
        const json_t *gw = json_object_get(x, "external_gateway_info");
        if (!strcmp(jstr(x, "id"), router) && json_is_object(gw)) {
            sset_add(nets, jstr(gw, "network_id"));
        }
    }
}

/* The routers whose flows (or whose floating IPs' flows) the trace
 * passed, by id. */
static void
routers_passed(const struct dvrctl_trace_result *r, struct sset *routers)
{
    const char *step;
    size_t i;
    SVEC_FOR_EACH (i, step, &r->owners) {
        char id[37];
        const char *p;
        if ((p = strstr(step, " router "))
            && sscanf(p + 8, "%36[-0-9a-f]", id) == 1) {
            sset_add(routers, id);
        } else if ((p = strstr(step, " floating IP "))
                   && sscanf(p + 13, "%36[-0-9a-f]", id) == 1) {
            const json_t *fip;
            size_t k;
            json_array_foreach (json_object_get(fips_reply, "floatingips"),
                                k, fip) {
                if (!strcmp(jstr(fip, "id"), id)
                    && json_is_string(json_object_get(fip, "router_id"))) {
                    sset_add(routers, jstr(fip, "router_id"));
                }
            }
        }
    }
}

/* The networks that network 'src' reaches through the routers in
 * 'routers' (and 'src' itself). */
static void
reachable(const char *src, const struct sset *routers, struct sset *reach)
{
    sset_add(reach, src);
    for (bool grew = true; grew; ) {
        const char *router;
        grew = false;
        SSET_FOR_EACH (router, routers) {
            struct sset nets = SSET_INITIALIZER(&nets);
            router_nets(router, &nets);
            const char *net;
            bool touches = false;
            SSET_FOR_EACH (net, &nets) {
                touches |= sset_contains(reach, net);
            }
            if (touches) {
                SSET_FOR_EACH (net, &nets) {
                    grew |= sset_add(reach, net) != NULL;
                }
            }
            sset_destroy(&nets);
        }
    }
}

static const struct vif *
vif_at(const char *node_name, int ofport)
{
    for (size_t i = 0; i < n_vifs; i++) {
        if (vifs[i].ofport == ofport
            && !strcmp(dvrctl_trace_node_name(vifs[i].node), node_name)) {
            return &vifs[i];
        }
    }
    return NULL;
}

/* Reports failure 'what' with its counterexample 'trace' (if nonnull);
 * the same failure again is only counted. */
static void
report(const char *what, const char *trace)
{
    static struct sset seen = SSET_INITIALIZER(&seen);

    n_frames_failed++;
    if (!sset_add(&seen, what)) {
        return;
    }
    n_failures++;
    printf("FAIL %s\n", what);
    if (trace) {
        printf("counterexample:\n%s\n", trace);
    }
}

/* Traces 'pkt' from 'v'; returns the trace text (to free) in '*text'. */
static int
run_trace(const struct vif *v, struct dvrctl_pkt *pkt,
          struct dvrctl_trace_result *r, char **text)
{
    size_t size;
    FILE *out = open_memstream(text, &size);
    if (!out) {
        dvrctl_die(1, "open_memstream: %s", ovs_strerror(errno));
    }
    bool l2 = !strcmp(pkt->proto, "other");
    fprintf(out, "from port %s (%s, network %s) on %s: %s dl_dst=%s%s%s"
            "%s%.0d\n", jstr(v->port, "name"), v->id, net_name(v->net),
            dvrctl_trace_node_name(v->node), pkt->proto, pkt->dl_dst,
            l2 ? "" : " nw_dst=", l2 ? "" : pkt->nw_dst,
            pkt->dport ? " tp_dst=" : "", pkt->dport);
    dvrctl_trace_result_init(r);
    int status = dvrctl_trace_packet(v->node, v->ofport, pkt, out, r);
    fclose(out);
    n_traces++;
    if (verbose) {
        fputs(*text, stdout);
    }
    return status;
}

/* Checks that the frame traced from 'v' into 'r' reached no VIF of
 * another network and the provider network only through routers that
 * connect them. */
static void
check_isolation(const struct vif *v, const struct dvrctl_trace_result *r,
                const char *text)
{
    struct sset routers = SSET_INITIALIZER(&routers);
    struct sset reach = SSET_INITIALIZER(&reach);
    routers_passed(r, &routers);
    reachable(v->net, &routers, &reach);

    const char *out;
    size_t i;
    SVEC_FOR_EACH (i, out, &r->outputs) {
        char node[64];
        int ofport;
        if (sscanf(out, "%63s %d", node, &ofport) != 2) {
            continue;
        }
        const struct vif *to = vif_at(node, ofport);
        if (!to || !strcmp(to->net, v->net)) {
            continue;
        } else if (sset_contains(&reach, to->net)) {
            n_routed++;
        } else {
            char *what = xasprintf(
                "isolation: a frame from port %s (network %s) on %s reaches "
                "port %s (network %s) on %s through no router that connects "
                "the two networks", jstr(v->port, "name"), net_name(v->net),
                dvrctl_trace_node_name(v->node), jstr(to->port, "name"),
                net_name(to->net), node);
            report(what, text);
            free(what);
        }
    }
    if (r->left_provider && !net_is_provider(v->net)) {
        bool ok = false;
        const char *net;
        SSET_FOR_EACH (net, &reach) {
            ok |= net_is_provider(net);
        }
        if (!ok) {
            char *what = xasprintf(
                "isolation: a frame from port %s (network %s) on %s leaves "
                "on the provider network through no router with a gateway",
                jstr(v->port, "name"), net_name(v->net),
                dvrctl_trace_node_name(v->node));
            report(what, text);
            free(what);
        }
    }
    sset_destroy(&routers);
    sset_destroy(&reach);
}

/* Traces one frame from 'v' and checks it; returns the result's megaflow
 * facts through 'nw_used' and 'tp_used'. */
static void
probe(const struct vif *v, const char *proto, const char *dl_dst,
      const char *nw_dst, int dport, bool *nw_used, bool *tp_used)
{
    struct dvrctl_pkt pkt = { .ttl = 64, .proto = proto, .dport = dport };
    struct dvrctl_trace_result r;
    char *text;

    ovs_strlcpy(pkt.dl_src, jstr(v->port, "mac_address"), sizeof pkt.dl_src);
    ovs_strlcpy(pkt.dl_dst, dl_dst, sizeof pkt.dl_dst);
    ovs_strlcpy(pkt.nw_src, jstr(json_array_get(json_object_get(
        v->port, "fixed_ips"), 0), "ip_address"), sizeof pkt.nw_src);
    ovs_strlcpy(pkt.nw_dst, nw_dst, sizeof pkt.nw_dst);
    run_trace(v, &pkt, &r, &text);
    check_isolation(v, &r, text);
    if (nw_used) {
        *nw_used = r.nw_dst_used;
    }
    if (tp_used) {
        *tp_used = r.tp_dst_used;
    }
    dvrctl_trace_result_destroy(&r);
    free(text);
}

/* Every frame class from 'v'. */
static void
probe_vif(const struct vif *v)
{
    static const char *kinds[] = { "arp", "icmp", "tcp", "udp" };
    const char *first_nw = SSET_FIRST(&nw_dsts);
    const char *dl;

    SSET_FOR_EACH (dl, &dl_dsts) {
        probe(v, "other", dl, first_nw, 0, NULL, NULL);
        for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
            bool l4 = !strcmp(kinds[k], "tcp") || !strcmp(kinds[k], "udp");
            const char *nw;
            SSET_FOR_EACH (nw, &nw_dsts) {
                bool nw_used = false, tp_used = false;
                const char *tp;
                const char *tp0 = SSET_FIRST(&tp_dsts);
                int first_tp = l4 && tp0 ? atoi(tp0) : 0;
                probe(v, kinds[k], dl, nw, first_tp, &nw_used, &tp_used);
                if (l4 && tp_used) {
                    SSET_FOR_EACH (tp, &tp_dsts) {
                        if (atoi(tp) != first_tp) {
                            bool used = false;
                            probe(v, kinds[k], dl, nw, atoi(tp), &used,
                                  NULL);
                            nw_used |= used;
                        }
                    }
                }
                if (!nw_used && nw == first_nw) {
                    /* No megaflow of these frames looked at nw_dst: the
                     * other addresses take the same paths. */
                    break;
                }
            }
        }
    }
}

/* True if 'table' is one of the tables where a VIF's frames are admitted
 * by their source addresses (pipeline/tables.h). */
static bool
is_port_security(const char *table)
{
    return (!strcmp(table, "classify") || !strcmp(table, "port_security")
            || !strcmp(table, "port_security_load")
            || !strcmp(table, "port_security_addr"));
}

/* A spoofed frame from 'v' must be dropped, by the port security
 * tables. */
static void
spoof(const struct vif *v, const char *proto, const char *mac,
      const char *ip, const char *why)
{
    struct dvrctl_pkt pkt = { .ttl = 64, .proto = proto };
    struct dvrctl_trace_result r;
    char *text;

    ovs_strlcpy(pkt.dl_src, mac, sizeof pkt.dl_src);
    ovs_strlcpy(pkt.dl_dst, "ff:ff:ff:ff:ff:ff", sizeof pkt.dl_dst);
    ovs_strlcpy(pkt.nw_src, ip, sizeof pkt.nw_src);
    ovs_strlcpy(pkt.nw_dst, "198.51.100.1", sizeof pkt.nw_dst);
    int status = run_trace(v, &pkt, &r, &text);
    if (status != 3 || r.outputs.n || r.left_provider
        || !is_port_security(r.dropped_in)) {
        char *what = xasprintf("anti-spoofing: port %s on %s: a %s frame "
                               "with %s is not dropped by port security",
                               jstr(v->port, "name"),
                               dvrctl_trace_node_name(v->node), proto, why);
        report(what, text);
        free(what);
    }
    dvrctl_trace_result_destroy(&r);
    free(text);
}

/* The port's own frame must get past port_security. */
static void
own_frame(const struct vif *v, const char *proto)
{
    struct dvrctl_pkt pkt = { .ttl = 64, .proto = proto };
    struct dvrctl_trace_result r;
    char *text;

    ovs_strlcpy(pkt.dl_src, jstr(v->port, "mac_address"), sizeof pkt.dl_src);
    ovs_strlcpy(pkt.dl_dst, "ff:ff:ff:ff:ff:ff", sizeof pkt.dl_dst);
    ovs_strlcpy(pkt.nw_src, jstr(json_array_get(json_object_get(
        v->port, "fixed_ips"), 0), "ip_address"), sizeof pkt.nw_src);
    ovs_strlcpy(pkt.nw_dst, "198.51.100.1", sizeof pkt.nw_dst);
    run_trace(v, &pkt, &r, &text);
    if (is_port_security(r.dropped_in)) {
        char *what = xasprintf("anti-spoofing: port %s on %s: its own %s "
                               "frame is dropped in %s (its port security "
                               "flows are not all installed)",
                               jstr(v->port, "name"),
                               dvrctl_trace_node_name(v->node), proto,
                               r.dropped_in);
        report(what, text);
        free(what);
    }
    dvrctl_trace_result_destroy(&r);
    free(text);
}

/* True if 'port' allows 'ip' or 'mac' through an allowed address pair. */
static bool
pair_allows(const json_t *port, const char *ip, const char *mac)
{
    const json_t *pair;
    size_t i;
    json_array_foreach (json_object_get(port, "allowed_address_pairs"), i,
                        pair) {
        if (!strcmp(jstr(pair, "ip_address"), ip)
            || !strcasecmp(jstr(pair, "mac_address"), mac)) {
            return true;
        }
    }
    return false;
}

static void
check_spoofing(const struct vif *v)
{
    const char *mac = jstr(v->port, "mac_address");
    const char *ip = jstr(json_array_get(json_object_get(v->port,
                                                         "fixed_ips"), 0),
                          "ip_address");
    const char *other_mac = "02:00:5e:00:53:66";
    const char *other_ip = "198.51.100.66";

    if (json_is_false(json_object_get(v->port, "port_security_enabled"))) {
        printf("port %s: port security off, anti-spoofing not checked\n",
               jstr(v->port, "name"));
        return;
    }
    if (pair_allows(v->port, other_ip, other_mac)) {
        printf("port %s: its allowed address pairs admit the probe "
               "addresses, anti-spoofing not checked\n",
               jstr(v->port, "name"));
        return;
    }
    spoof(v, "icmp", other_mac, ip, "another MAC");
    spoof(v, "icmp", mac, other_ip, "another IP");
    spoof(v, "arp", other_mac, ip, "another MAC");
    spoof(v, "arp", mac, other_ip, "another IP");
    own_frame(v, "icmp");
    own_frame(v, "arp");
}

/* Installed flows. */

static void
add_prefix(ovs_be32 net, ovs_be32 mask)
{
    for (size_t i = 0; i < n_prefixes; i++) {
        if (prefixes[i].net == net && prefixes[i].mask == mask) {
            return;
        }
    }
    prefixes = xrealloc(prefixes, (n_prefixes + 1) * sizeof *prefixes);
    prefixes[n_prefixes++] = (struct prefix) { net, mask };
}

/* Collects the constants of the flows of bridge 'br' of node 'i'.  A
 * bridge without a management socket (a node without br-ex) is skipped. */
static void
collect_constants(int i, const char *br)
{
    char *target = xasprintf("unix:%s/%s.mgmt", dvrctl_trace_node_rundir(i),
                             br);
    struct vconn *vconn;
    int error = vconn_open_block(target, 1u << OFP13_VERSION, DSCP_DEFAULT,
                                 2000, &vconn);
    if (error) {
        if (error != ENOENT) {
            dvrctl_die(1, "node %s: cannot open %s (%s)",
                       dvrctl_trace_node_name(i), target,
                       ovs_strerror(error));
        }
        free(target);
        return;
    }
    struct ofputil_flow_stats_request fsr = {
        .table_id = 0xff, .out_port = OFPP_ANY, .out_group = OFPG_ANY,
    };
    struct ofputil_flow_stats *fses;
    size_t n;
    match_init_catchall(&fsr.match);
    error = vconn_dump_flows(vconn, &fsr, OFPUTIL_P_OF13_OXM, &fses, &n);
    if (error) {
        dvrctl_die(1, "node %s: cannot dump %s's flows (%s)",
                   dvrctl_trace_node_name(i), br, ovs_strerror(error));
    }
    for (size_t k = 0; k < n; k++) {
        const struct match *m = &fses[k].match;
        if (eth_addr_is_broadcast(m->wc.masks.dl_dst)) {
            char s[ETH_ADDR_STRLEN + 1];
            snprintf(s, sizeof s, ETH_ADDR_FMT, ETH_ADDR_ARGS(m->flow.dl_dst));
            sset_add(&dl_dsts, s);
        }
        if (m->wc.masks.nw_dst) {
            ovs_be32 mask = m->wc.masks.nw_dst;
            ovs_be32 net = m->flow.nw_dst & mask;
            if (mask == OVS_BE32_MAX) {
                char s[INET_ADDRSTRLEN];
                snprintf(s, sizeof s, IP_FMT, IP_ARGS(net));
                sset_add(&exact_ips, s);
            } else if (ip_is_cidr(mask)) {
                add_prefix(net, mask);
            }
        }
        if (m->wc.masks.tp_dst == OVS_BE16_MAX) {
            char s[8];
            snprintf(s, sizeof s, "%d", ntohs(m->flow.tp_dst));
            sset_add(&tp_dsts, s);
        }
        free(CONST_CAST(struct ofpact *, fses[k].ofpacts));
    }
    free(fses);
    vconn_close(vconn);
    free(target);
}

/* True if 'ip' is in a prefix of 'prefixes' longer than 'mask'. */
static bool
in_longer_prefix(ovs_be32 ip, ovs_be32 mask)
{
    for (size_t i = 0; i < n_prefixes; i++) {
        if (ntohl(prefixes[i].mask) > ntohl(mask)
            && (ip & prefixes[i].mask) == prefixes[i].net) {
            return true;
        }
    }
    return false;
}

/* The address classes: every exact address, one address inside each
 * prefix but outside every longer prefix and exact address, one that no
 * prefix but /0 holds, broadcast and multicast. */
static void
build_nw_classes(void)
{
    const char *s;
    SSET_FOR_EACH (s, &exact_ips) {
        sset_add(&nw_dsts, s);
    }
    for (size_t i = 0; i < n_prefixes; i++) {
        uint32_t net = ntohl(prefixes[i].net);
        uint32_t size = ~ntohl(prefixes[i].mask);
        for (uint32_t k = 1; k <= MIN(size, 64); k++) {
            ovs_be32 ip = htonl(net + (k * 0x9e3779b1u) % (size + 1));
            char str[INET_ADDRSTRLEN];
            snprintf(str, sizeof str, IP_FMT, IP_ARGS(ip));
            if (!sset_contains(&exact_ips, str)
                && !in_longer_prefix(ip, prefixes[i].mask)) {
                sset_add(&nw_dsts, str);
                break;
            }
        }
    }
    for (uint32_t k = 0; k < 64; k++) {
        ovs_be32 ip = htonl(0xc6336400 + 7 + k);     /* 198.51.100.0/24. */
        char str[INET_ADDRSTRLEN];
        snprintf(str, sizeof str, IP_FMT, IP_ARGS(ip));
        if (!in_longer_prefix(ip, 0) && !sset_contains(&exact_ips, str)) {
            sset_add(&nw_dsts, str);
            break;
        }
    }
    sset_add(&nw_dsts, "255.255.255.255");
    sset_add(&nw_dsts, "224.0.0.251");
}

/* Part 1: each controller's flows/verify. */
static void
check_installed(void)
{
    for (int i = 0; i < dvrctl_trace_n_nodes(); i++) {
        char *error;
        char *out = dvrctl_trace_controller(i, "flows/verify", NULL, &error);
        const char *name = dvrctl_trace_node_name(i);
        if (!out) {
            error[strcspn(error, "\n")] = '\0';
            char *what = xasprintf("flows: node %s: %s", name, error);
            report(what, NULL);
            free(what);
            free(error);
            continue;
        }
        if (!strstr(out, "\nequal: 0 differences")) {
            char *what = xasprintf("flows: node %s's installed flows differ "
                                   "from what its controller compiles", name);
            report(what, NULL);
            free(what);
            fputs(out, stdout);
        } else if (verbose) {
            fputs(out, stdout);
        }
        free(out);
    }
}

static void
load_vifs(void)
{
    for (int i = 0; i < dvrctl_trace_n_nodes(); i++) {
        char *error;
        char *out = dvrctl_trace_controller(i, "bindings", NULL, &error);
        if (!out) {
            dvrctl_die(1, "node %s: %s", dvrctl_trace_node_name(i), error);
        }
        for (char *line = strtok(out, "\n"); line;
             line = strtok(NULL, "\n")) {
            struct vif v = { .node = i };
            if (sscanf(line, "%36s ofport %d network %36s", v.id, &v.ofport,
                       v.net) != 3) {
                continue;
            }
            v.port = port_by_id(v.id);
            if (!v.port || !jstr(json_array_get(json_object_get(
                    v.port, "fixed_ips"), 0), "ip_address")[0]) {
                printf("port %s on %s: not in dvr-api or without an "
                       "address, skipped\n", v.id,
                       dvrctl_trace_node_name(i));
                continue;
            }
            vifs = xrealloc(vifs, (n_vifs + 1) * sizeof *vifs);
            vifs[n_vifs++] = v;
        }
        free(out);
    }
}

int
dvrctl_verify(int argc, char *argv[])
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--node") && i + 1 < argc) {
            dvrctl_trace_add_node(argv[++i]);
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else {
            dvrctl_die(2, "verify: unknown argument '%s'", argv[i]);
        }
    }
    if (!dvrctl_trace_n_nodes()) {
        dvrctl_die(2, "verify: needs --node NAME=RUNDIR (see dvrctl --help)");
    }

    long long int start = time_msec();
    ports_reply = dvrctl_call("GET", "/v2.0/ports", NULL);
    nets_reply = dvrctl_call("GET", "/v2.0/networks", NULL);
    routers_reply = dvrctl_call("GET", "/v2.0/routers", NULL);
    fips_reply = dvrctl_call("GET", "/v2.0/floatingips", NULL);
    dvrctl_trace_set_ports(json_object_get(ports_reply, "ports"));

    check_installed();

    static const char *bridges[] = { "br-int", "br-tun", "br-ex" };
    for (int i = 0; i < dvrctl_trace_n_nodes(); i++) {
        for (size_t b = 0; b < ARRAY_SIZE(bridges); b++) {
            collect_constants(i, bridges[b]);
        }
    }
    sset_add(&dl_dsts, "ff:ff:ff:ff:ff:ff");
    sset_add(&dl_dsts, "01:00:5e:00:00:fb");
    sset_add(&dl_dsts, "02:00:5e:10:00:01");
    build_nw_classes();
    sset_add(&tp_dsts, "9");

    load_vifs();
    size_t isolation_failures = n_failures;
    for (size_t i = 0; i < n_vifs; i++) {
        probe_vif(&vifs[i]);
    }
    isolation_failures = n_failures - isolation_failures;
    for (size_t i = 0; i < n_vifs; i++) {
        check_spoofing(&vifs[i]);
    }

    printf("verify: %d nodes, %"PRIuSIZE" VIFs, classes: %"PRIuSIZE
           " dl_dst, %"PRIuSIZE" nw_dst, %"PRIuSIZE" tp_dst; %"PRIuSIZE
           " traces in %lld ms (%"PRIuSIZE" reached another network through "
           "a router); %"PRIuSIZE" failures (%"PRIuSIZE" failed checks)\n",
           dvrctl_trace_n_nodes(), n_vifs, sset_count(&dl_dsts),
           sset_count(&nw_dsts), sset_count(&tp_dsts), n_traces,
           time_msec() - start, n_routed, n_failures, n_frames_failed);
    json_decref(ports_reply);
    json_decref(nets_reply);
    json_decref(routers_reply);
    json_decref(fips_reply);
    free(vifs);
    free(prefixes);
    sset_destroy(&dl_dsts);
    sset_destroy(&nw_dsts);
    sset_destroy(&tp_dsts);
    sset_destroy(&exact_ips);
    return n_failures ? 3 : 0;
}

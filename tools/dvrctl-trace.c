/*
 * dvrctl trace: a packet described as a user thinks of it (from a port,
 * or from the external network into a node's provider bridge; to an
 * address, protocol and port) traced through the flows installed on the
 * nodes, step by step, each step named by its table and the NB object
 * that owns its flow, across the tunnel to the next node, until it is
 * delivered, leaves on the provider network, or is dropped.
 *
 *   dvrctl trace --node NAME=RUNDIR [--node ...]
 *                (--from PORT | --from-external NODE --src IP
 *                 [--src-mac MAC])
 *                --to IP [--proto tcp|udp|icmp] [--dport N]
 *
 * RUNDIR is a node's OVS run directory: it holds ovs-vswitchd.pid, the
 * switch's control socket and dvr-controller.ctl.  There is no second
 * model of the pipeline here: each node's switch runs `ofproto/trace`;
 * its controller names a cookie (`flows/explain`) and says which ports it
 * binds (`bindings`); the switch says where its tunnels go (`dpif/show`)
 * and which addresses are its own (`ovs/route/show`).  What dvrctl adds is
 * the packet's description (MACs and addresses from dvr-api), the table
 * names (pipeline/tables.c) and the verdict read off the trace's output.
 * Two things the switch's trace cannot do alone are joined from its own
 * output: a conntrack recirculation is resumed (ofproto/trace-packet-out
 * at the ct action's table, with the new connection's tuple, which
 * ofproto/trace would clear), and a packet that leaves through a tunnel or
 * the provider bridge is traced again on the node that receives it, with
 * the headers the datapath actions rewrote.
 *
 * dvrctl verify (dvrctl-verify.c) traces its packets through the same
 * code, by the functions that tools/dvrctl.h declares, which also record
 * what a trace found (the VIF outputs, the owners of the steps, the
 * fields its megaflows matched).
 *
 * Contract: reads only (unixctl queries and traces, API GETs); exit 0 if
 * the packet is delivered, answered or leaves on the provider network, 3
 * if dropped or not followed, 1 or 2 on errors (message on stderr).
 */

#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonrpc.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "packets.h"
#include "pipeline/tables.h"
#include "tools/dvrctl.h"
#include "unixctl.h"
#include "svec.h"
#include "util.h"

#define MAX_NODES 16
#define MAX_HOPS 4

struct node {
    const char *name;
    const char *rundir;
    struct shash explain;       /* Cookie text -> its owner's description. */
};

static struct node nodes[MAX_NODES];
static int n_nodes;
static json_t *all_ports;       /* dvr-api's ports. */
static FILE *trace_out;         /* Where the steps are printed. */

static void tprintf(const char *format, ...) OVS_PRINTF_FORMAT(1, 2);
static struct dvrctl_trace_result *result_of; /* What a trace records, if
                                               * anyone asks. */

/* Prints to 'trace_out'. */
static void
tprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vfprintf(trace_out, format, args);
    va_end(args);
}

/* Runs unixctl 'cmd' with up to three arguments against the daemon whose
 * socket is 'path'; returns its output, or NULL with '*error' set. */
char *
dvrctl_appctl(const char *path, const char *cmd, const char *a1,
              const char *a2, const char *a3, char **error)
{
    struct jsonrpc *client;
    char *argv[3] = { CONST_CAST(char *, a1), CONST_CAST(char *, a2),
                      CONST_CAST(char *, a3) };
    int argc = a3 ? 3 : a2 ? 2 : a1 ? 1 : 0;
    char *result = NULL, *err = NULL;

    *error = NULL;
    int retval = unixctl_client_create(path, &client);
    if (retval) {
        *error = xasprintf("cannot connect to %s (%s)", path,
                           ovs_strerror(retval));
        return NULL;
    }
    retval = unixctl_client_transact(client, cmd, argc, argv, &result, &err);
    jsonrpc_close(client);
    if (retval) {
        *error = xasprintf("%s: %s failed (%s)", path, cmd,
                           ovs_strerror(retval));
        free(result);
        free(err);
        return NULL;
    }
    if (err) {
        *error = err;
        free(result);
        return NULL;
    }
    return result ? result : xstrdup("");
}

/* Runs 'cmd' against node 'n''s ovs-vswitchd; dies on an error. */
static char *
switch_ctl(const struct node *n, const char *cmd, const char *a1,
           const char *a2, const char *a3)
{
    char *pidfile = xasprintf("%s/ovs-vswitchd.pid", n->rundir);
    FILE *f = fopen(pidfile, "r");
    long pid = 0;
    if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
        dvrctl_die(2, "node %s: cannot read %s", n->name, pidfile);
    }
    fclose(f);
    char *path = xasprintf("%s/ovs-vswitchd.%ld.ctl", n->rundir, pid);
    char *error;
    char *out = dvrctl_appctl(path, cmd, a1, a2, a3, &error);
    if (!out) {
        dvrctl_die(1, "node %s: %s", n->name, error);
    }
    free(path);
    free(pidfile);
    return out;
}

/* Runs 'cmd' against node 'n''s dvr-controller; NULL with '*error' on an
 * error. */
static char *
controller_ctl(const struct node *n, const char *cmd, const char *arg,
               char **error)
{
    char *path = xasprintf("%s/dvr-controller.ctl", n->rundir);
    char *out = dvrctl_appctl(path, cmd, arg, NULL, NULL, error);
    free(path);
    return out;
}

/* NB objects from dvr-api. */

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *
port_ip(const json_t *port)
{
    return jstr(json_array_get(json_object_get(port, "fixed_ips"), 0),
                "ip_address");
}

static bool
port_has_ip(const json_t *port, const char *ip)
{
    const json_t *fip;
    size_t i;
    json_array_foreach (json_object_get(port, "fixed_ips"), i, fip) {
        if (!strcmp(jstr(fip, "ip_address"), ip)) {
            return true;
        }
    }
    return false;
}

/* The port named or with id 'name'. */
static const json_t *
find_port(const char *name)
{
    const json_t *port, *found = NULL;
    size_t i;
    json_array_foreach (all_ports, i, port) {
        if (!strcmp(jstr(port, "id"), name)
            || !strcmp(jstr(port, "name"), name)) {
            if (found) {
                dvrctl_die(1, "more than one port named '%s': use the id",
                           name);
            }
            found = port;
        }
    }
    if (!found) {
        dvrctl_die(1, "no port named '%s'", name);
    }
    return found;
}

/* The port with address 'ip': on network 'net' if nonnull, a VM's (not
 * network:*) if 'vm', else any. */
static const json_t *
port_by_ip(const char *ip, const char *net, bool vm)
{
    const json_t *port;
    size_t i;
    json_array_foreach (all_ports, i, port) {
        if (port_has_ip(port, ip)
            && (!net || !strcmp(jstr(port, "network_id"), net))
            && (!vm || strncmp(jstr(port, "device_owner"), "network:", 8))) {
            return port;
        }
    }
    return NULL;
}

/* A router's interface on network 'net'. */
static const json_t *
router_port_on(const char *net)
{
    const json_t *port;
    size_t i;
    json_array_foreach (all_ports, i, port) {
        if (!strcmp(jstr(port, "network_id"), net)
            && !strncmp(jstr(port, "device_owner"),
                        "network:router_interface", 24)) {
            return port;
        }
    }
    return NULL;
}

/* Node state read from the daemons. */

/* The OpenFlow port of NB port 'id' on node 'n', or -1. */
static int
bound_ofport(const struct node *n, const char *id)
{
    char *error;
    char *out = controller_ctl(n, "bindings", NULL, &error);
    if (!out) {
        dvrctl_die(1, "node %s: %s", n->name, error);
    }
    int ofport = -1;
    for (char *line = out; line && *line; ) {
        char *next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        int p;
        if (!strncmp(line, id, strlen(id)) && line[strlen(id)] == ' '
            && sscanf(line + strlen(id), " ofport %d", &p) == 1) {
            ofport = p;
        }
        line = next;
    }
    free(out);
    return ofport;
}

/* The NB port bound to 'ofport' on 'n' (its id, to free), or NULL. */
static char *
port_at_ofport(const struct node *n, int ofport)
{
    char *error;
    char *out = controller_ctl(n, "bindings", NULL, &error);
    char *id = NULL;
    if (!out) {
        free(error);
        return NULL;
    }
    for (char *line = out; line && *line && !id; ) {
        char *next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        char uuid[37];
        int p;
        if (sscanf(line, "%36s ofport %d", uuid, &p) == 2 && p == ofport) {
            id = xstrdup(uuid);
        }
        line = next;
    }
    free(out);
    return id;
}

/* True if 'needle' occurs in 's' and is not followed by more of an
 * address (so that "remote_ip=192.0.2.1" does not find ...11). */
static bool
has_word(const char *s, const char *needle)
{
    for (const char *p = s; (p = strstr(p, needle)); p++) {
        char c = p[strlen(needle)];
        if (!c || !strchr(".0123456789abcdefABCDEF:", c)) {
            return true;
        }
        if (!*needle) {
            break;
        }
    }
    return false;
}

/* In node 'n''s `dpif/show`, the OpenFlow port of bridge 'br' whose
 * description contains 'needle' (and, if 'not_patch', is neither a patch
 * nor internal port); -1 if none. */
static int
dpif_port(const struct node *n, const char *br, const char *needle,
          bool not_patch)
{
    char *out = switch_ctl(n, "dpif/show", NULL, NULL, NULL);
    char *hdr = xasprintf("  %s:", br);
    bool in_br = false;
    int found = -1;
    for (char *line = out; line && *line && found < 0; ) {
        char *next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        if (!strncmp(line, "  ", 2) && line[2] != ' ') {
            in_br = !strcmp(line, hdr);
        } else if (in_br && has_word(line, needle)
                   && (!not_patch || (!strstr(line, "(patch")
                                      && !strstr(line, "internal)")))) {
            char name[64];
            int ofport;
            if (sscanf(line, " %63s %d/", name, &ofport) == 2) {
                found = ofport;
            }
        }
        line = next;
    }
    free(hdr);
    free(out);
    return found;
}

/* The node whose switch has 'ip' as a source address, or NULL. */
static struct node *
node_with_ip(const char *ip)
{
    char *needle = xasprintf("SRC %s", ip);
    for (int i = 0; i < n_nodes; i++) {
        char *out = switch_ctl(&nodes[i], "ovs/route/show", NULL, NULL,
                               NULL);
        for (char *p = out; (p = strstr(p, needle)); p++) {
            char c = p[strlen(needle)];
            if (c == '\0' || c == '\n' || c == ' ') {
                free(out);
                free(needle);
                return &nodes[i];
            }
        }
        free(out);
    }
    free(needle);
    return NULL;
}

/* The description of the NB object owning 'cookie' on node 'n'. */
static const char *
owner(struct node *n, const char *cookie)
{
    const char *known = shash_find_data(&n->explain, cookie);
    if (known) {
        return known;
    }
    char *error;
    char *out = controller_ctl(n, "flows/explain", cookie, &error);
    char *desc;
    if (out) {
        desc = xstrdup(out);
        desc[strcspn(desc, "\n")] = '\0';
        free(out);
    } else {
        error[strcspn(error, "\n")] = '\0';
        desc = xasprintf("unknown (%s)", error);
        free(error);
    }
    shash_add(&n->explain, cookie, desc);
    return desc;
}

static const char *
table_name(const char *bridge, int id)
{
    enum pipeline_bridge kind = (!strcmp(bridge, "br-tun") ? BRIDGE_TUN
                                 : !strcmp(bridge, "br-int") ? BRIDGE_INT
                                 : BRIDGE_EX);
    for (const struct table_name *t = pipeline_table_names(kind); t->name;
         t++) {
        if (t->id == id) {
            return t->name;
        }
    }
    return "?";
}

/* Reads "KEY=VALUE" from 's' (up to ',' or ')') into 'dst'. */
static bool
field(const char *s, const char *key, char *dst, size_t size)
{
    char *pat = xasprintf("%s=", key);
    const char *p = s;
    bool ok = false;
    while ((p = strstr(p, pat))) {
        if (p == s || p[-1] == '(' || p[-1] == ',') {
            size_t len = strcspn(p + strlen(pat), ",)");
            if (len < size) {
                memcpy(dst, p + strlen(pat), len);
                dst[len] = '\0';
                ok = true;
            }
            break;
        }
        p++;
    }
    free(pat);
    return ok;
}

/* Applies the datapath's header rewrites that precede 'end' in 'acts'
 * (the last set(eth(...)) and set(ipv4(...))) to 'pkt'. */
static void
apply_rewrites(struct dvrctl_pkt *pkt, const char *acts, const char *end)
{
    char *head = xmemdup0(acts, end - acts);
    char *eth = NULL, *ip = NULL;
    for (char *p = head; (p = strstr(p, "set(eth(")); p++) {
        eth = p;
    }
    for (char *p = head; (p = strstr(p, "set(ipv4(")); p++) {
        ip = p;
    }
    char ttl[8];
    if (eth) {
        field(eth + 4, "src", pkt->dl_src, sizeof pkt->dl_src);
        field(eth + 4, "dst", pkt->dl_dst, sizeof pkt->dl_dst);
    }
    if (ip) {
        field(ip + 4, "src", pkt->nw_src, sizeof pkt->nw_src);
        field(ip + 4, "dst", pkt->nw_dst, sizeof pkt->nw_dst);
        if (field(ip + 4, "ttl", ttl, sizeof ttl)) {
            pkt->ttl = atoi(ttl);
        }
    }
    free(head);
}

static char *
flow_string(const char *prefix, const struct dvrctl_pkt *pkt)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (!strcmp(pkt->proto, "arp")) {
        /* A request, "who has nw_dst", from the source's addresses. */
        ds_put_format(&s, "%s,arp,dl_src=%s,dl_dst=%s,arp_spa=%s,arp_tpa=%s,"
                      "arp_sha=%s,arp_op=1", prefix, pkt->dl_src,
                      pkt->dl_dst, pkt->nw_src, pkt->nw_dst, pkt->dl_src);
        return ds_steal_cstr(&s);
    } else if (!strcmp(pkt->proto, "other")) {
        /* Neither IP nor ARP: an EtherType for local experiments. */
        ds_put_format(&s, "%s,dl_type=0x88b5,dl_src=%s,dl_dst=%s", prefix,
                      pkt->dl_src, pkt->dl_dst);
        return ds_steal_cstr(&s);
    }
    ds_put_format(&s, "%s,%s,dl_src=%s,dl_dst=%s,nw_src=%s,nw_dst=%s,"
                  "nw_ttl=%d", prefix, pkt->proto, pkt->dl_src, pkt->dl_dst,
                  pkt->nw_src, pkt->nw_dst, pkt->ttl);
    if (!strcmp(pkt->proto, "icmp")) {
        ds_put_cstr(&s, ",icmp_type=8,icmp_code=0");
    } else {
        /* "tp_src" names TCP's field; UDP's has its own name. */
        ds_put_format(&s, ",%s_src=40000,%s_dst=%d", pkt->proto, pkt->proto,
                      pkt->dport);
    }
    return ds_steal_cstr(&s);
}

/* The last step that a trace printed. */
struct step {
    char bridge[32];
    int table;
    char cookie[24];
};

/* The security groups of port 'port_id', as text. */
static char *
groups_of(const char *port_id)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const json_t *port = NULL, *p;
    size_t k;
    json_array_foreach (all_ports, k, p) {
        if (!strcmp(jstr(p, "id"), port_id)) {
            port = p;
        }
    }
    if (!port) {
        return xstrdup("of an unknown port");
    }
    const json_t *g;
    size_t i;
    json_array_foreach (json_object_get(port, "security_groups"), i, g) {
        const char *id = json_string_value(g);
        if (!id) {
            continue;
        }
        char *path = xasprintf("/v2.0/security-groups/%s", id);
        json_t *sg = dvrctl_call("GET", path, NULL);
        ds_put_format(&s, "%s%s (%s)", i ? ", " : "",
                      jstr(json_object_get(sg, "security_group"), "name"),
                      id);
        json_decref(sg);
        free(path);
    }
    if (!s.length) {
        ds_put_cstr(&s, "none");
    }
    return ds_steal_cstr(&s);
}

/* What the segments of one node's trace found. */
struct hop {
    char bridge[32];            /* The bridge of the current section. */
    char ct_bridge[32];         /* Where the last ct(table=...) ran. */
    struct step last;           /* The last table step. */
    char tun_dst[48], tun_src[48], tun_id[24];
    struct {
        char src[48], dst[48], id[24];
    } tuns[MAX_NODES];          /* Every tunnel it leaves through. */
    int n_tuns;
    char *dp_actions;           /* The last "Datapath actions". */
    int vif_out, ex_out;        /* br-int output port, br-ex uplink out. */
    int uplink;                 /* br-ex's uplink port. */
    char sg_port[37];           /* The port a sg_* table step was for. */
    bool to_controller;         /* The last step sent it to the
                                 * controller. */
    bool to_in_port;            /* br-int sent it back where it came. */
};

/* Prints the steps of the first section of trace output 'out' (up to its
 * first recirculation) and records them in 'h'.  If a conntrack
 * recirculation follows, returns the `ofproto/trace-packet-out` flow and
 * stores the action that resumes it in '*resume' (both to free); else
 * NULL. */
static char *
parse_segment(struct node *n, char *out, struct hop *h, struct dvrctl_pkt *pkt,
              char **resume)
{
    int rules = 0;              /* "=====" lines seen: 2 per recirc. */
    char *flow = NULL, *initial = NULL;
    int resume_table = -1;

    *resume = NULL;
    for (char *line = out; line && *line; ) {
        char *next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        char *t = line + strspn(line, " ");
        int table, len;
        if (!strncmp(line, "=====", 5)) {
            if (++rules > 2) {
                break;
            }
        } else if (rules) {
            if (!strncmp(line, "Flow: ", 6) && !flow) {
                flow = xstrdup(line + 6);
            } else if (!strncmp(t, "Initial flow: ", 14) && !initial) {
                initial = xstrdup(t + 14);
            }
        } else if (sscanf(line, "bridge(\"%31[^\"]\")", h->bridge) == 1) {
            /* A new bridge section. */
        } else if (sscanf(t, "%d. %n", &table, &len) == 1 && len >= 3
                   && (strstr(t, ", priority ")
                       || !strncmp(t + len, "priority ", 9))) {
            char *cookie = strstr(t, ", cookie ");
            char *prio = strstr(t, ", priority ");
            if (prio) {
                *prio = '\0';
            } else {
                /* "N. priority P": the table's catch-all flow. */
                t[len] = '\0';
                ovs_strlcpy(t + len, "(any)", 6);
            }
            h->last.table = table;
            h->to_controller = false;
            ovs_strlcpy(h->last.bridge, h->bridge, sizeof h->last.bridge);
            h->last.cookie[0] = '\0';
            tprintf("  %-7s %-18s %s", h->bridge,
                    table_name(h->bridge, table),
                    t + len);
            if (cookie) {
                ovs_strlcpy(h->last.cookie, cookie + 9,
                            sizeof h->last.cookie);
                const char *o = owner(n, h->last.cookie);
                tprintf("\n%29s-> %s\n", "", o);
                if (result_of) {
                    svec_add_nocopy(&result_of->owners, xasprintf(
                        "%s %s %s", n->name, table_name(h->bridge, table),
                        o));
                }
                if (!strncmp(table_name(h->bridge, table), "sg_", 3)
                    && !strncmp(o, "port ", 5)) {
                    ovs_strlcpy(h->sg_port, o + 5, sizeof h->sg_port);
                }
            } else {
                tprintf("  [no NB object]\n");
            }
        } else if (!strncmp(t, "output:", 7)
                   || !strncmp(t, "-> output port is ", 18)) {
            int port = atoi(t + (t[0] == 'o' ? 7 : 18));
            if (!strcmp(h->bridge, "br-int")) {
                h->vif_out = port;
                if (result_of
                    && (t[0] == '-' || isdigit((unsigned char) t[7]))) {
                    svec_add_nocopy(&result_of->outputs,
                                    xasprintf("%s %d", n->name, port));
                }
            } else if (!strcmp(h->bridge, "br-ex") && port == h->uplink) {
                h->ex_out = port;
            }
        } else if (!strcmp(t, ">> skipping output to input port")
                   && result_of && result_of->outputs.n
                   && !strcmp(h->bridge, "br-int")) {
            /* Not an output after all. */
            svec_pop_back(&result_of->outputs);
        } else if (!strcmp(t, "NORMAL") && !strcmp(h->bridge, "br-ex")) {
            /* The provider bridge switches it onto the uplink. */
            h->ex_out = h->uplink;
        } else if (!strcmp(t, "IN_PORT") && !strcmp(h->bridge, "br-int")) {
            h->to_in_port = true;
        } else if (!strncmp(t, "controller(", 11)) {
            h->to_controller = true;
        } else if (!strncmp(t, "ct(", 3) && strstr(t, "table=")) {
            /* Conntrack that resumes the pipeline at that table. */
            ovs_strlcpy(h->ct_bridge, h->bridge, sizeof h->ct_bridge);
            resume_table = atoi(strstr(t, "table=") + 6);
        } else if (sscanf(t, "set_field:%23[^-]->tun_id", h->tun_id) == 1) {
            /* The tunnel key. */
        } else if (sscanf(t, "-> tunneling from %*s %47s to %*s %47s",
                          h->tun_src, h->tun_dst) == 2) {
            /* Leaves through a tunnel. */
            if (h->n_tuns < MAX_NODES) {
                ovs_strlcpy(h->tuns[h->n_tuns].src, h->tun_src,
                            sizeof h->tuns[0].src);
                ovs_strlcpy(h->tuns[h->n_tuns].dst, h->tun_dst,
                            sizeof h->tuns[0].dst);
                ovs_strlcpy(h->tuns[h->n_tuns].id, h->tun_id,
                            sizeof h->tuns[0].id);
                h->n_tuns++;
            }
        } else if (!strncmp(line, "Datapath actions: ", 18)) {
            free(h->dp_actions);
            h->dp_actions = xstrdup(line + 18);
        }
        line = next;
    }

    char *result = NULL;
    if (flow && resume_table >= 0 && h->ct_bridge[0]) {
        /* ofproto/trace resumes a conntrack recirculation with the
         * connection tuple cleared, so that no flow matching ct_nw_proto or
         * ct_tp_dst (security group rules) can match; resume it instead
         * as a packet-out with the tuple of the connection it would
         * start: the packet as it was when it entered conntrack. */
        const char *orig = initial ? initial : flow;
        char src[48] = "", dst[48] = "", sport[8] = "", dport[8] = "";
        char proto[8] = "";
        struct ds s = DS_EMPTY_INITIALIZER;
        field(orig, "nw_src", src, sizeof src);
        field(orig, "nw_dst", dst, sizeof dst);
        field(orig, "tp_src", sport, sizeof sport);
        field(orig, "tp_dst", dport, sizeof dport);

        /* The headers as the pipeline left them so far (rewrites, NAT). */
        char ttl[8];
        field(flow, "dl_src", pkt->dl_src, sizeof pkt->dl_src);
        field(flow, "dl_dst", pkt->dl_dst, sizeof pkt->dl_dst);
        field(flow, "nw_src", pkt->nw_src, sizeof pkt->nw_src);
        field(flow, "nw_dst", pkt->nw_dst, sizeof pkt->nw_dst);
        if (field(flow, "nw_ttl", ttl, sizeof ttl)) {
            pkt->ttl = atoi(ttl);
        }
        for (char *tok = strtok(flow, ","); tok; tok = strtok(NULL, ",")) {
            /* The old connection's tuple goes; the new one is added.  The
             * trace prints UDP's ports as "tp_*", which names TCP's. */
            if (!strcmp(proto, "udp") && !strncmp(tok, "tp_", 3)) {
                ds_put_format(&s, ",udp_%s", tok + 3);
            } else if (strncmp(tok, "recirc_id=", 10) && strcmp(tok, "eth")
                && strncmp(tok, "ct_nw_", 6) && strncmp(tok, "ct_tp_", 6)
                && strncmp(tok, "ct_ipv6_", 8)) {
                ds_put_format(&s, "%s%s", s.length ? "," : "", tok);
            }
            if (!strcmp(tok, "tcp") || !strcmp(tok, "udp")
                || !strcmp(tok, "icmp")) {
                ovs_strlcpy(proto, tok, sizeof proto);
            }
        }
        if (src[0] && dst[0] && proto[0]) {
            ds_put_format(&s, ",ct_nw_src=%s,ct_nw_dst=%s,ct_nw_proto=%d",
                          src, dst, !strcmp(proto, "tcp") ? 6
                          : !strcmp(proto, "udp") ? 17 : 1);
            if (strcmp(proto, "icmp") && sport[0] && dport[0]) {
                ds_put_format(&s, ",ct_tp_src=%s,ct_tp_dst=%s", sport,
                              dport);
            }
        }
        *resume = xasprintf("resubmit(,%d)", resume_table);
        tprintf("  %-7s (conntrack: a new connection, resumed at %s)\n",
                h->ct_bridge, table_name(h->ct_bridge, resume_table));
        result = ds_steal_cstr(&s);
    }
    free(flow);
    free(initial);
    return result;
}

/* The node among the given ones that binds port 'id', or NULL. */
static struct node *
node_binding(const char *id)
{
    for (int i = 0; i < n_nodes; i++) {
        if (bound_ofport(&nodes[i], id) >= 0) {
            return &nodes[i];
        }
    }
    return NULL;
}

/* The node that receives a frame for 'mac' from the provider network:
 * the one binding the VM port with that MAC, or, for a floating IP's
 * port, the one binding the floating IP's fixed port.  NULL if none. */
static struct node *
node_for_mac(const char *mac, const json_t **portp)
{
    const json_t *port, *found = NULL;
    size_t i;
    json_array_foreach (all_ports, i, port) {
        if (!strcasecmp(jstr(port, "mac_address"), mac)) {
            found = port;
        }
    }
    *portp = found;
    if (!found) {
        return NULL;
    }
    const char *owner_kind = jstr(found, "device_owner");
    if (!strcmp(owner_kind, "network:floatingip")) {
        char *path = xasprintf("/v2.0/floatingips?floating_ip_address=%s",
                               port_ip(found));
        json_t *reply = dvrctl_call("GET", path, NULL);
        const json_t *fip = json_array_get(json_object_get(reply,
                                                           "floatingips"), 0);
        struct node *n = NULL;
        if (json_is_string(json_object_get(fip, "port_id"))) {
            n = node_binding(jstr(fip, "port_id"));
        }
        json_decref(reply);
        free(path);
        return n;
    } else if (strncmp(owner_kind, "network:", 8)) {
        return node_binding(jstr(found, "id"));
    }
    return NULL;
}

static int trace_hop(struct node *, const char *br, const char *in,
                     struct dvrctl_pkt *, int hop);

/* The packet left node 'n' through its provider bridge's uplink: follows
 * it onto the node that owns its destination MAC, if one of the given
 * nodes does.  Returns as trace_hop(). */
static int
follow_provider(struct node *n, const struct hop *h, struct dvrctl_pkt *pkt,
                int hop)
{
    if (h->dp_actions) {
        apply_rewrites(pkt, h->dp_actions,
                       h->dp_actions + strlen(h->dp_actions));
    }
    const char *vlan = h->dp_actions ? strstr(h->dp_actions,
                                              "push_vlan(vid=") : NULL;
    const json_t *port;
    struct node *to = node_for_mac(pkt->dl_dst, &port);
    if (result_of) {
        result_of->left_provider = true;
    }
    tprintf("=> leaves %s on the provider network (br-ex port %d) to %s",
            n->name, h->ex_out, pkt->dl_dst);
    if (!to) {
        tprintf("%s\n", port ? " (not followed)" : ", no port of the NB");
        return 0;
    }
    tprintf(", %s port %s on %s\n", jstr(port, "device_owner"),
            jstr(port, "id"), to->name);
    int uplink = dpif_port(to, "br-ex", "", true);
    if (uplink < 0 || hop + 1 >= MAX_HOPS) {
        tprintf("=> %s: not followed\n", uplink < 0 ? "no br-ex uplink"
                                                    : "too many hops");
        return 3;
    }
    char *in = (vlan
                ? xasprintf("in_port=%d,dl_vlan=%d", uplink, atoi(vlan + 14))
                : xasprintf("in_port=%d", uplink));
    int result = trace_hop(to, "br-ex", in, pkt, hop + 1);
    free(in);
    return result;
}

/* Follows 'pkt', tunnelled by node 'n' from 'src' to 'dst' with key 'id',
 * onto the node that has 'dst'.  Returns as trace_hop(). */
static int
follow_tunnel(struct node *n, const char *src, const char *dst,
              const char *id, struct dvrctl_pkt *pkt, int hop)
{
    struct node *to = node_with_ip(dst);
    int result = 3;

    tprintf("=> tunnelled from %s (%s) to %s, key %s\n", n->name,
            src, dst, id);
    if (!to) {
        tprintf("=> no given node has address %s: not followed\n",
                dst);
        if (result_of) {
            result_of->not_followed = true;
        }
    } else if (hop + 1 >= MAX_HOPS) {
        tprintf("=> more than %d hops: not followed\n",
                MAX_HOPS);
        if (result_of) {
            result_of->not_followed = true;
        }
    } else {
        char *needle = xasprintf("remote_ip=%s", src);
        int tun_port = dpif_port(to, "br-tun", needle, false);
        free(needle);
        if (tun_port < 0) {
            tprintf("=> %s has no tunnel from %s: dropped\n",
                    to->name, src);
        } else {
            char *in = xasprintf("in_port=%d,tun_id=%s,tun_src=%s,tun_dst=%s",
                                 tun_port, id, src, dst);
            result = trace_hop(to, "br-tun", in, pkt, hop + 1);
            free(in);
        }
    }
    return result;
}

/* Notes in 'result_of' which fields the megaflows of trace output 'out'
 * matched: the packets that differ only in the other fields take the same
 * path through this bridge. */
static void
note_megaflows(const char *out)
{
    if (!result_of) {
        return;
    }
    for (const char *p = out; (p = strstr(p, "Megaflow: ")); p++) {
        size_t len = strcspn(p, "\n");
        char *mf = xmemdup0(p, len);
        if (strstr(mf, "nw_dst=") || strstr(mf, "arp_tpa=")) {
            result_of->nw_dst_used = true;
        }
        if (strstr(mf, "tp_dst=")) {
            result_of->tp_dst_used = true;
        }
        free(mf);
    }
}

/* Traces 'pkt' from 'in' on bridge 'br' of node 'n' and follows it.
 * Returns 0 if delivered or sent out, 3 if dropped. */
static int
trace_hop(struct node *n, const char *br, const char *in,
          struct dvrctl_pkt *pkt, int hop)
{
    char *flow = flow_string(in, pkt);
    tprintf("%s: ofproto/trace %s %s\n", n->name, br, flow);
    char *out = switch_ctl(n, "ofproto/trace", br, flow, NULL);
    free(flow);
    if (getenv("DVRCTL_TRACE_RAW")) {
        fputs(out, stderr);
    }
    note_megaflows(out);

    struct hop h = { .last = { .table = -1 }, .vif_out = -1,
                     .ex_out = -1 };
    h.uplink = dpif_port(n, "br-ex", "", true);
    for (int seg = 0; out && seg < 8; seg++) {
        char *resume;
        char *next_flow = parse_segment(n, out, &h, pkt, &resume);
        free(out);
        out = NULL;
        if (next_flow) {
            h.vif_out = h.ex_out = -1;
            h.to_in_port = false;
            h.tun_dst[0] = '\0';
            h.n_tuns = 0;
            out = switch_ctl(n, "ofproto/trace-packet-out", h.ct_bridge,
                             next_flow, resume);
            note_megaflows(out);
            ovs_strlcpy(h.bridge, h.ct_bridge, sizeof h.bridge);
            h.ct_bridge[0] = '\0';
            if (getenv("DVRCTL_TRACE_RAW")) {
                fputs(out, stderr);
            }
            free(next_flow);
            free(resume);
        }
    }
    free(out);

    int result = 3;
    char *vif = h.vif_out >= 0 ? port_at_ofport(n, h.vif_out) : NULL;
    if (vif) {
        const json_t *port = find_port(vif);
        tprintf("=> delivered to port %s (%s) on %s\n",
                jstr(port, "name"), vif, n->name);
        result = 0;
    } else if (h.n_tuns && h.dp_actions
               && strstr(h.dp_actions, "tnl_push(")) {
        /* Each copy (a flood goes to several nodes) is followed; the
         * result is the last copy's. */
        apply_rewrites(pkt, h.dp_actions, strstr(h.dp_actions, "tnl_push("));
        struct dvrctl_pkt copy = *pkt;
        for (int i = 0; i < h.n_tuns; i++) {
            *pkt = copy;
            result = follow_tunnel(n, h.tuns[i].src, h.tuns[i].dst,
                                   h.tuns[i].id, pkt, hop);
        }
    } else if (h.ex_out >= 0) {
        result = follow_provider(n, &h, pkt, hop);
    } else if (h.to_in_port) {
        tprintf("=> answered: sent back out of the port it came in on, on "
                "%s\n", n->name);
        result = 0;
    } else if (h.to_controller) {
        tprintf("=> sent to %s's dvr-controller from %s (a packet-in: "
                "not followed)\n", n->name,
                table_name(h.last.bridge, h.last.table));
    } else if (h.last.table < 0) {
        tprintf("=> dropped on %s before any table\n", n->name);
    } else {
        const char *name = table_name(h.last.bridge, h.last.table);
        if (result_of) {
            ovs_strlcpy(result_of->dropped_in, name,
                        sizeof result_of->dropped_in);
        }
        if (h.last.cookie[0]) {
            tprintf("=> dropped on %s in %s by the flow of %s\n", n->name,
                    name, owner(n, h.last.cookie));
        } else if (!strncmp(name, "sg_", 3)) {
            char *groups = groups_of(h.sg_port);
            tprintf("=> dropped on %s in %s: no rule of security groups "
                    "%s allowed it\n", n->name, name, groups);
            free(groups);
        } else {
            tprintf("=> dropped on %s in %s (no NB object's flow matched)\n",
                    n->name, name);
        }
    }
    free(vif);
    free(h.dp_actions);
    return result;
}

/* The interface that dvrctl verify uses: see tools/dvrctl.h. */

void
dvrctl_trace_add_node(const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1] || n_nodes >= MAX_NODES) {
        dvrctl_die(2, "--node wants NAME=RUNDIR (at most %d)", MAX_NODES);
    }
    nodes[n_nodes].name = xmemdup0(arg, eq - arg);
    nodes[n_nodes].rundir = eq + 1;
    shash_init(&nodes[n_nodes].explain);
    n_nodes++;
}

int
dvrctl_trace_n_nodes(void)
{
    return n_nodes;
}

const char *
dvrctl_trace_node_name(int i)
{
    return nodes[i].name;
}

const char *
dvrctl_trace_node_rundir(int i)
{
    return nodes[i].rundir;
}

char *
dvrctl_trace_controller(int i, const char *cmd, const char *arg,
                        char **error)
{
    return controller_ctl(&nodes[i], cmd, arg, error);
}

void
dvrctl_trace_set_ports(json_t *ports)
{
    all_ports = ports;
}

void
dvrctl_trace_result_init(struct dvrctl_trace_result *r)
{
    memset(r, 0, sizeof *r);
    svec_init(&r->outputs);
    svec_init(&r->owners);
}

void
dvrctl_trace_result_destroy(struct dvrctl_trace_result *r)
{
    svec_destroy(&r->outputs);
    svec_destroy(&r->owners);
}

int
dvrctl_trace_packet(int node, int ofport, struct dvrctl_pkt *pkt,
                    FILE *out, struct dvrctl_trace_result *r)
{
    char *in = xasprintf("in_port=%d", ofport);
    trace_out = out;
    result_of = r;
    int status = trace_hop(&nodes[node], "br-int", in, pkt, 0);
    result_of = NULL;
    trace_out = stdout;
    free(in);
    return status;
}

static const char *
arg_value(int argc, char *argv[], int *i)
{
    if (*i + 1 >= argc) {
        dvrctl_die(2, "trace: %s needs a value", argv[*i]);
    }
    return argv[++*i];
}

int
dvrctl_trace(int argc, char *argv[])
{
    const char *from = NULL, *external = NULL, *to = NULL, *src = NULL;
    const char *src_mac = "02:00:00:00:00:01";
    struct dvrctl_pkt pkt = { .ttl = 64, .proto = "icmp" };

    trace_out = stdout;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--node")) {
            dvrctl_trace_add_node(arg_value(argc, argv, &i));
        } else if (!strcmp(a, "--from")) {
            from = arg_value(argc, argv, &i);
        } else if (!strcmp(a, "--from-external")) {
            external = arg_value(argc, argv, &i);
        } else if (!strcmp(a, "--src")) {
            src = arg_value(argc, argv, &i);
        } else if (!strcmp(a, "--src-mac")) {
            src_mac = arg_value(argc, argv, &i);
        } else if (!strcmp(a, "--to")) {
            to = arg_value(argc, argv, &i);
        } else if (!strcmp(a, "--proto")) {
            pkt.proto = arg_value(argc, argv, &i);
            if (strcmp(pkt.proto, "tcp") && strcmp(pkt.proto, "udp")
                && strcmp(pkt.proto, "icmp")) {
                dvrctl_die(2, "trace: --proto is tcp, udp or icmp");
            }
        } else if (!strcmp(a, "--dport")) {
            const char *v = arg_value(argc, argv, &i);
            if (!str_to_int(v, 10, &pkt.dport) || pkt.dport < 0
                || pkt.dport > 65535) {
                dvrctl_die(2, "trace: bad --dport '%s'", v);
            }
        } else {
            dvrctl_die(2, "trace: unknown argument '%s'", a);
        }
    }
    if (!n_nodes || !to || !!from == !!external || (external && !src)) {
        dvrctl_die(2, "trace: needs --node, --to, and --from or "
                   "--from-external with --src (see dvrctl --help)");
    }
    ovs_be32 ip;
    struct eth_addr mac;
    if (!ip_parse(to, &ip)) {
        dvrctl_die(2, "trace: --to '%s' is not an IPv4 address", to);
    }
    if (src && !ip_parse(src, &ip)) {
        dvrctl_die(2, "trace: --src '%s' is not an IPv4 address", src);
    }
    if (!eth_addr_from_string(src_mac, &mac)) {
        dvrctl_die(2, "trace: --src-mac '%s' is not a MAC address", src_mac);
    }
    if (strcmp(pkt.proto, "icmp") && !pkt.dport) {
        dvrctl_die(2, "trace: --proto %s needs --dport", pkt.proto);
    }
    ovs_strlcpy(pkt.nw_dst, to, sizeof pkt.nw_dst);

    json_t *reply = dvrctl_call("GET", "/v2.0/ports", NULL);
    all_ports = json_object_get(reply, "ports");

    struct node *start = NULL;
    char *in;
    const char *br;
    if (from) {
        const json_t *port = find_port(from);
        const char *net = jstr(port, "network_id");
        int ofport = -1;
        for (int i = 0; i < n_nodes && ofport < 0; i++) {
            ofport = bound_ofport(&nodes[i], jstr(port, "id"));
            start = &nodes[i];
        }
        if (ofport < 0) {
            dvrctl_die(1, "port %s is bound on none of the given nodes",
                       from);
        }
        const json_t *dst = port_by_ip(to, net, false);
        if (!dst) {
            dst = router_port_on(net);
        }
        if (!dst) {
            dvrctl_die(1, "%s is not on port %s's network and no router "
                       "serves it", to, from);
        }
        if (!port_ip(port)[0]) {
            dvrctl_die(1, "port %s has no address", from);
        }
        ovs_strlcpy(pkt.dl_src, jstr(port, "mac_address"),
                    sizeof pkt.dl_src);
        ovs_strlcpy(pkt.dl_dst, jstr(dst, "mac_address"), sizeof pkt.dl_dst);
        ovs_strlcpy(pkt.nw_src, port_ip(port), sizeof pkt.nw_src);
        in = xasprintf("in_port=%d", ofport);
        br = "br-int";
        tprintf("from port %s (%s) on %s, to %s %s%s%.0d\n",
                jstr(port, "name"), jstr(port, "id"), start->name, to,
                pkt.proto, pkt.dport ? " port " : "", pkt.dport);
    } else {
        for (int i = 0; i < n_nodes && !start; i++) {
            if (!strcmp(nodes[i].name, external)) {
                start = &nodes[i];
            }
        }
        if (!start) {
            dvrctl_die(2, "trace: --from-external %s is not a --node",
                       external);
        }
        const json_t *dst = port_by_ip(to, NULL, false);
        if (!dst) {
            dvrctl_die(1, "no port has address %s", to);
        }
        int uplink = dpif_port(start, "br-ex", "", true);
        if (uplink < 0) {
            dvrctl_die(1, "node %s's br-ex has no uplink port", start->name);
        }
        ovs_strlcpy(pkt.dl_src, src_mac, sizeof pkt.dl_src);
        ovs_strlcpy(pkt.dl_dst, jstr(dst, "mac_address"), sizeof pkt.dl_dst);
        ovs_strlcpy(pkt.nw_src, src, sizeof pkt.nw_src);
        in = xasprintf("in_port=%d", uplink);
        br = "br-ex";
        tprintf("from the external network %s into %s's br-ex, to %s %s%s"
                "%.0d\n", src, start->name, to, pkt.proto,
                pkt.dport ? " port " : "", pkt.dport);
    }

    int status = trace_hop(start, br, in, &pkt, 0);
    free(in);
    json_decref(reply);
    return status;
}

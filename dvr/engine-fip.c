/*
 * dvr/engine-fip: the engine's floating IPs (engine-private.h).
 *
 * A floating IP has flows here while its external network is active
 * here: on its VM's node (its port is local and its router active) it is
 * NATed there ("local", l3_compile_fip() of dvr/l3), elsewhere only its
 * address is answered for.  When it becomes local here its address is
 * announced.  Its flows are one owner, its cookie; its state is only
 * whether it was last compiled as local.  It depends on its port, its
 * floating port and its router, whose compiles dirty it (the edges from
 * ENGINE_SRC_PORT_COMPILED and ENGINE_SRC_ROUTER_COMPILED).
 *
 * A floating IP without a port may have port forwardings (dvr/pf): they
 * are part of its flows, compiled with it; a forwarding's row and its
 * port's compile dirty it (ENGINE_SRC_NB_PF, ENGINE_SRC_PORT_COMPILED).
 * It is "local" on the active gateway chassis of its router, which
 * answers ARP for it.
 *
 * A floating IP's QoS policy (Floating_IP.qos_policy, Neutron's qos-fip)
 * meters its NAT flows on its VM's node (dvr/l3): the engine keeps the two
 * meters (QOS_FIP_EGRESS_METER and QOS_FIP_INGRESS_METER of the VM's
 * ofport, pipeline/qos.h) in its desired meter set under the floating IP's
 * cookie.  A changed policy or rule dirties the floating IPs that use it
 * (ENGINE_SRC_NB_QOS, ENGINE_SRC_NB_QOS_RULE, controller/engine-qos.c).
 * Those meters are the VIF's: of a port's floating IPs with a policy, only
 * the one with the lowest UUID is metered, whatever the order they are
 * compiled in, so a floating IP that joins or leaves that set (its port or
 * its policy set or cleared, created, deleted) dirties the others
 * (engine_nb_fip_dirty_qos_siblings()).
 */

#include <config.h>

#include "controller/engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/nb-monitor.h"
#include "dvr/pf.h"
#include "pipeline/qos.h"
#include "svec.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "util.h"
#include "uuid.h"

void
engine_fip_clear(struct engine *e)
{
    struct fip_state *fs;

    HMAP_FOR_EACH_POP (fs, node, &e->fips) {
        free(fs);
    }
}

static struct fip_state *
find_fip_state(const struct engine *e, const struct uuid *uuid)
{
    struct fip_state *fs;

    HMAP_FOR_EACH_WITH_HASH (fs, node, uuid_hash(uuid), &e->fips) {
        if (uuid_equals(&fs->uuid, uuid)) {
            return fs;
        }
    }
    return NULL;
}

/* The VM address a floating IP maps to: its fixed_ip_address or the
 * port's first IPv4 address. */
static bool
fip_vm_ip(const struct nbrec_floating_ip *row, ovs_be32 *ip)
{
    if (row->fixed_ip_address && ip_parse(row->fixed_ip_address, ip)) {
        return true;
    }
    for (size_t i = 0; row->port && i < row->port->n_fixed_ips; i++) {
        if (ip_parse(row->port->fixed_ips[i]->ip_address, ip)) {
            return true;
        }
    }
    return false;
}

static int
compare_pf_uuids(const void *a_, const void *b_)
{
    const struct nbrec_port_forwarding *const *a = a_;
    const struct nbrec_port_forwarding *const *b = b_;

    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* The port forwardings of floating IP 'row', in UUID order (the first of
 * two that claim one external port keeps it). */
static size_t
fip_forwardings(const struct engine_input *in,
                const struct nbrec_floating_ip *row,
                const struct nbrec_port_forwarding ***pfsp)
{
    const struct nbrec_port_forwarding **pfs = NULL;
    size_t n = 0, allocated = 0;

    *pfsp = NULL;
    if (!in->pfs_by_fip) {
        return 0;
    }
    struct nbrec_port_forwarding *target
        = nbrec_port_forwarding_index_init_row(in->pfs_by_fip);
    const struct nbrec_port_forwarding *pf;
    nbrec_port_forwarding_index_set_floating_ip(target, row);
    NBREC_PORT_FORWARDING_FOR_EACH_EQUAL (pf, target, in->pfs_by_fip) {
        if (n >= allocated) {
            pfs = x2nrealloc(pfs, &allocated, sizeof *pfs);
        }
        pfs[n++] = pf;
    }
    nbrec_port_forwarding_index_destroy_row(target);
    if (n) {
        qsort(pfs, n, sizeof *pfs, compare_pf_uuids);
    }
    *pfsp = pfs;
    return n;
}

/* Compiles the port forwardings of floating IP 'row' (resolved in 'f')
 * into 'out'.  Returns true if this chassis is its router's active
 * gateway, which announces the address. */
static bool
compile_forwardings(struct engine *e, const struct nbrec_floating_ip *row,
                    const struct l3_fip *f, struct l3_output *out)
{
    const struct nbrec_port_forwarding **pfs;
    size_t n = fip_forwardings(e->in, row, &pfs);
    struct l3_iface *ifaces = NULL;
    ofp_port_t *tunnels = NULL;
    const struct router_state *rs;
    bool active = false;
    struct l3_router r;

    if (!n) {
        return false;
    }
    if (row->port) {
        engine_log_error(e, xasprintf(
                             "floating IP "UUID_FMT": has a port, so its %"
                             PRIuSIZE" port forwarding(s) are skipped",
                             UUID_ARGS(&row->header_.uuid), n));
    } else if (row->router
               && (rs = engine_router_find(e, &row->router->header_.uuid))
               && engine_router_describe(e, rs, &r, &ifaces, &tunnels)
               && r.gw_role != L3_GW_NONE) {
        struct pf_rule *rules = xcalloc(n, sizeof *rules);
        size_t n_rules = 0;
        for (size_t i = 0; i < n; i++) {
            struct pf_rule *rule = &rules[n_rules];
            char *error = pf_parse(pfs[i], &r, rule);
            if (error) {
                engine_log_error(e, error);
                continue;
            }
            const struct port_state *ps = engine_port_find(
                e, &pfs[i]->port->header_.uuid);
            if (ps && ps->loc == L2_PORT_LOCAL) {
                rule->local = true;
                rule->vm_ofport = ps->ofport;
            }
            n_rules++;
        }
        struct pf_fip pf = {
            .nb = row,
            .fip = f->fip,
            .mac = f->mac,
            .ext_lvid = f->ext_lvid,
            .router = &r,
            .rules = rules,
            .n_rules = n_rules,
        };
        pf_compile(&pf, out);
        active = r.gw_role == L3_GW_ACTIVE;
        free(rules);
    }
    free(ifaces);
    free(tunnels);
    free(pfs);
    return active;
}

/* Calls 'cb' with each floating IP of port 'port' that has a QoS policy,
 * and 'aux'. */
static void
for_each_qos_sibling(const struct engine_input *in,
                     const struct nbrec_port *port,
                     void (*cb)(const struct nbrec_floating_ip *, void *),
                     void *aux)
{
    struct nbrec_floating_ip *target
        = nbrec_floating_ip_index_init_row(in->fips_by_port);
    const struct nbrec_floating_ip *fip;

    nbrec_floating_ip_index_set_port(target, port);
    NBREC_FLOATING_IP_FOR_EACH_EQUAL (fip, target, in->fips_by_port) {
        if (fip->qos_policy) {
            cb(fip, aux);
        }
    }
    nbrec_floating_ip_index_destroy_row(target);
}

/* The port of floating IP 'row' if it has a QoS policy too (it is then
 * one of that port's floating IPs that may be metered), else all-zero. */
static struct uuid
qos_port_of(const struct nbrec_floating_ip *row)
{
    return (row && row->port && row->qos_policy
            ? row->port->header_.uuid : UUID_ZERO);
}

static void
find_lowest(const struct nbrec_floating_ip *fip, void *lowest_)
{
    const struct nbrec_floating_ip **lowest = lowest_;

    if (!*lowest
        || uuid_compare_3way(&fip->header_.uuid, &(*lowest)->header_.uuid)
           < 0) {
        *lowest = fip;
    }
}

/* Sets f->egress_meter and f->ingress_meter, and 'limits', from the
 * policy of floating IP 'row', local here.  Of its port's floating IPs
 * with a policy, only the one with the lowest UUID is metered (the meters
 * are its VIF's): the others are logged. */
static void
fip_qos(struct engine *e, const struct nbrec_floating_ip *row,
        struct l3_fip *f, struct qos_limits *limits)
{
    const struct nbrec_floating_ip *lowest = NULL;
    struct svec errors = SVEC_EMPTY_INITIALIZER;

    for_each_qos_sibling(e->in, row->port, find_lowest, &lowest);
    if (lowest && lowest != row) {
        svec_add_nocopy(&errors, xasprintf(
            "floating IP "UUID_FMT": its port's floating IP "UUID_FMT" "
            "has a QoS policy too and is metered, so its own is skipped",
            UUID_ARGS(&row->header_.uuid),
            UUID_ARGS(&lowest->header_.uuid)));
    } else if (qos_policy_limits(row->qos_policy, limits, &errors)) {
        f->egress_meter = limits->egress.kbps
                          ? QOS_FIP_EGRESS_METER(f->vm_ofport) : 0;
        f->ingress_meter = limits->ingress.kbps
                           ? QOS_FIP_INGRESS_METER(f->vm_ofport) : 0;
    }
    for (size_t i = 0; i < errors.n; i++) {
        engine_log_error(e, errors.names[i]);
        errors.names[i] = NULL;
    }
    svec_destroy(&errors);
}

static void fip_compile(struct engine *, const struct uuid *,
                        struct l3_fip *, struct qos_limits *);

void
engine_fip_compile(struct engine *e, const struct uuid *uuid)
{
    struct qos_limits limits;
    struct l3_fip f;

    memset(&f, 0, sizeof f);
    memset(&limits, 0, sizeof limits);
    fip_compile(e, uuid, &f, &limits);
    qos_meters_set(&e->qos_meters, flow_cookie_from_uuid(uuid),
                   f.egress_meter, f.ingress_meter,
                   f.egress_meter || f.ingress_meter ? &limits : NULL);
}

/* Compiles floating IP 'uuid' with 'f' (zeroed) and 'limits' as
 * scratch: on return, f's meters are those its flows use. */
static void
fip_compile(struct engine *e, const struct uuid *uuid, struct l3_fip *fp,
            struct qos_limits *limits)
{
    const struct engine_input *in = e->in;
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    const struct nbrec_floating_ip *row
        = NB_GET(floating_ip, in->nb_idl, uuid);
    struct fip_state *fs = find_fip_state(e, uuid);
    const struct net_state *ext;
    struct l3_iface *ifaces = NULL;
    ofp_port_t *tunnels = NULL;
    struct l3_router r;
    struct l3_fip f;

    fp->egress_meter = fp->ingress_meter = 0;

    engine_remove_owner_everywhere(e, cookie);
    if (!row) {
        if (fs) {
            hmap_remove(&e->fips, &fs->node);
            free(fs);
        }
        return;
    }
    if (!fs) {
        fs = xzalloc(sizeof *fs);
        fs->uuid = *uuid;
        hmap_insert(&e->fips, &fs->node, uuid_hash(uuid));
    }
    fs->qos_port = qos_port_of(row);
    if (!row->floating_network || !row->floating_port) {
        fs->local = false;      /* Not monitored (yet). */
        return;
    }
    ext = engine_net_find(e, &row->floating_network->header_.uuid);
    if (!engine_net_is_active(ext) || !ext->lvid) {
        fs->local = false;
        return;
    }

    memset(&f, 0, sizeof f);
    f.nb = row;
    f.ext_lvid = ext->lvid;
    if (!ip_parse(row->floating_ip_address, &f.fip)
        || !eth_addr_from_string(row->floating_port->mac_address, &f.mac)) {
        engine_log_error(e, xasprintf("floating IP "UUID_FMT": invalid "
                                      "address or MAC", UUID_ARGS(uuid)));
        fs->local = false;
        return;
    }
    if (row->port) {
        const struct port_state *ps = engine_port_find(
            e, &row->port->header_.uuid);
        const struct router_state *rs = row->router
            ? engine_router_find(e, &row->router->header_.uuid) : NULL;

        if (!fip_vm_ip(row, &f.vm_ip)) {
            engine_log_error(e, xasprintf(
                                 "floating IP "UUID_FMT": port "UUID_FMT
                                 " has no IPv4 address", UUID_ARGS(uuid),
                                 UUID_ARGS(&row->port->header_.uuid)));
        } else if (ps && ps->loc == L2_PORT_LOCAL && rs
                   && engine_router_describe(e, rs, &r, &ifaces, &tunnels)) {
            f.local = true;
            f.vm_ofport = ps->ofport;
            f.router = &r;
        }
    }

    if (f.local && row->qos_policy && f.router->gw_role != L3_GW_NONE) {
        fip_qos(e, row, &f, limits);
    }

    struct l3_output out;
    l3_output_init(&out);
    char *error = l3_compile_fip(&f, &out);
    if (error) {
        engine_log_error(e, error);
        f.local = false;
        f.egress_meter = f.ingress_meter = 0;
    } else {
        if (compile_forwardings(e, row, &f, &out)) {
            f.local = true;
        }
        for (size_t i = 0; i < out.errors.n; i++) {
            engine_log_error(e, xstrdup(out.errors.names[i]));
        }
        flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
    }
    if (f.local && !fs->local) {
        engine_queue_garp(e, f.ext_lvid, f.fip, f.mac);
    }
    fs->local = f.local;
    fp->egress_meter = f.egress_meter;
    fp->ingress_meter = f.ingress_meter;
    l3_output_destroy(&out);
    free(ifaces);
    free(tunnels);
}

/* Adds the floating IPs of port 'port_uuid' or router 'router_uuid'. */
static void
add_fips_of(const struct engine_input *in, struct ovsdb_idl_index *index,
            bool by_port, const struct uuid *uuid, struct uuid_set *set)
{
    struct nbrec_floating_ip *target = nbrec_floating_ip_index_init_row(index);
    const struct nbrec_floating_ip *fip;

    if (by_port) {
        const struct nbrec_port *port
            = NB_GET(port, in->nb_idl, uuid);
        if (!port) {
            nbrec_floating_ip_index_destroy_row(target);
            return;
        }
        nbrec_floating_ip_index_set_port(target, port);
    } else {
        const struct nbrec_router *router
            = NB_GET(router, in->nb_idl, uuid);
        if (!router) {
            nbrec_floating_ip_index_destroy_row(target);
            return;
        }
        nbrec_floating_ip_index_set_router(target, router);
    }
    NBREC_FLOATING_IP_FOR_EACH_EQUAL (fip, target, index) {
        uuid_set_add(set, &fip->header_.uuid);
    }
    nbrec_floating_ip_index_destroy_row(target);
}

/* Adds the floating IP whose address port 'uuid' holds, if it is one: its
 * flows depend on the port's network being active here. */
static void
add_fip_of_floating_port(const struct engine_input *in,
                         const struct uuid *uuid, struct uuid_set *set)
{
    /* NB_GET(), not nbrec_port_get_for_uuid(): with conditional
     * monitoring the port may be the IDL's empty placeholder for a row
     * that is referred to but not monitored, whose columns are not valid
     * (ASan: a use after free, found by engine-diff.sh --conditional). */
    const struct nbrec_port *port = NB_GET(port, in->nb_idl, uuid);
    const struct nbrec_floating_ip *fip;
    struct uuid fip_uuid;

    if (port && !strcmp(port->device_owner, "network:floatingip")
        && uuid_from_string(&fip_uuid, port->device_id)
        && (fip = NB_GET(floating_ip, in->nb_idl, &fip_uuid))
        && fip->floating_port == port) {
        uuid_set_add(set, &fip_uuid);
    }
}

/* Edge: the floating IPs of port 'change->uuid'. */
void
engine_port_dirty_fips(const struct engine *e OVS_UNUSED,
                       const struct engine_input *in,
                       const struct engine_change *change,
                       struct uuid_set *dirty)
{
    add_fips_of(in, in->fips_by_port, true, change->uuid, dirty);
}

/* Edge: the floating IP whose floating port is 'change->uuid'. */
void
engine_port_dirty_floating_fip(const struct engine *e OVS_UNUSED,
                               const struct engine_input *in,
                               const struct engine_change *change,
                               struct uuid_set *dirty)
{
    add_fip_of_floating_port(in, change->uuid, dirty);
}

/* Edge: the floating IPs of router 'change->uuid'. */
void
engine_router_dirty_fips(const struct engine *e OVS_UNUSED,
                         const struct engine_input *in,
                         const struct engine_change *change,
                         struct uuid_set *dirty)
{
    add_fips_of(in, in->fips_by_router, false, change->uuid, dirty);
}

/* Edge: the floating IP of port forwarding 'change->row'. */
void
engine_nb_pf_dirty_fip(const struct engine *e OVS_UNUSED,
                       const struct engine_input *in OVS_UNUSED,
                       const struct engine_change *change,
                       struct uuid_set *dirty)
{
    const struct nbrec_port_forwarding *pf = CONTAINER_OF(
        change->row, struct nbrec_port_forwarding, header_);

    if (pf->floating_ip) {
        uuid_set_add(dirty, &pf->floating_ip->header_.uuid);
    }
}

static void
add_sibling(const struct nbrec_floating_ip *fip, void *dirty)
{
    uuid_set_add(dirty, &fip->header_.uuid);
}

/* Edge: when floating IP 'change->uuid' joins or leaves the set of its
 * port's floating IPs with a QoS policy, the others of that set (of the
 * port before and after), which may gain or lose the VIF's meters. */
void
engine_nb_fip_dirty_qos_siblings(const struct engine *e,
                                 const struct engine_input *in,
                                 const struct engine_change *change,
                                 struct uuid_set *dirty)
{
    const struct nbrec_floating_ip *row
        = NB_GET(floating_ip, in->nb_idl, change->uuid);
    const struct fip_state *fs = find_fip_state(e, change->uuid);
    struct uuid old = fs ? fs->qos_port : UUID_ZERO;
    struct uuid new = qos_port_of(row);

    if (uuid_equals(&old, &new)) {
        return;
    }
    const struct uuid *ports[2] = { &old, &new };
    for (size_t i = 0; i < 2; i++) {
        const struct nbrec_port *port
            = (uuid_is_zero(ports[i]) ? NULL
               : NB_GET(port, in->nb_idl, ports[i]));
        if (port) {
            for_each_qos_sibling(in, port, add_sibling, dirty);
        }
    }
}

/* Edge: the floating IPs with a port forwarding to port 'change->uuid'. */
void
engine_port_dirty_pf_fips(const struct engine *e OVS_UNUSED,
                          const struct engine_input *in,
                          const struct engine_change *change,
                          struct uuid_set *dirty)
{
    const struct nbrec_port *port = NB_GET(port, in->nb_idl, change->uuid);
    const struct nbrec_port_forwarding *pf;

    if (!port || !in->pfs_by_port) {
        return;
    }
    struct nbrec_port_forwarding *target
        = nbrec_port_forwarding_index_init_row(in->pfs_by_port);
    nbrec_port_forwarding_index_set_port(target, port);
    NBREC_PORT_FORWARDING_FOR_EACH_EQUAL (pf, target, in->pfs_by_port) {
        if (pf->floating_ip) {
            uuid_set_add(dirty, &pf->floating_ip->header_.uuid);
        }
    }
    nbrec_port_forwarding_index_destroy_row(target);
}

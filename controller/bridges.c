/*
 * controller/bridges: see bridges.h.
 */

#include <config.h>

#include "controller/bridges.h"

#include <string.h>

#include "controller/config.h"
#include "flow.h"
#include "openflow/openflow.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "pipeline/tables.h"
#include "pipeline/trunk.h"
#include "sset.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(bridges);

#define LVID_PREFIX "dvr-lvid-"

void
bridge_ports_init(struct bridge_ports *bp)
{
    bp->int_patch_tun = OFPP_NONE;
    bp->tun_patch_int = OFPP_NONE;
    simap_init(&bp->tunnels);
    shash_init(&bp->ex_bridges);
    simap_init(&bp->vifs);
    smap_init(&bp->lvids);
    sset_init(&bp->bfd_down);
}

static void
ex_bridge_free(void *eb_)
{
    struct ex_bridge *eb = eb_;
    free(eb->physnet);
    free(eb->bridge);
    free(eb);
}

void
bridge_ports_destroy(struct bridge_ports *bp)
{
    simap_destroy(&bp->tunnels);
    struct shash_node *node, *next;
    SHASH_FOR_EACH_SAFE (node, next, &bp->ex_bridges) {
        ex_bridge_free(node->data);
        shash_delete(&bp->ex_bridges, node);
    }
    shash_destroy(&bp->ex_bridges);
    simap_destroy(&bp->vifs);
    smap_destroy(&bp->lvids);
    sset_destroy(&bp->bfd_down);
}

/* Moves 'src' into 'dst' (uninitialized); 'src' is left empty. */
void
bridge_ports_move(struct bridge_ports *dst, struct bridge_ports *src)
{
    dst->int_patch_tun = src->int_patch_tun;
    dst->tun_patch_int = src->tun_patch_int;
    simap_init(&dst->tunnels);
    simap_swap(&dst->tunnels, &src->tunnels);
    shash_init(&dst->ex_bridges);
    shash_swap(&dst->ex_bridges, &src->ex_bridges);
    simap_init(&dst->vifs);
    simap_swap(&dst->vifs, &src->vifs);
    sset_init(&dst->bfd_down);
    sset_swap(&dst->bfd_down, &src->bfd_down);
    smap_init(&dst->lvids);
    struct smap_node *node;
    SMAP_FOR_EACH (node, &src->lvids) {
        smap_add(&dst->lvids, node->key, node->value);
    }
    bridge_ports_destroy(src);
    bridge_ports_init(src);
}

static const struct ovsrec_bridge *
find_bridge(struct ovsdb_idl *idl, const char *name)
{
    const struct ovsrec_bridge *br;

    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static const struct ovsrec_port *
find_port(const struct ovsrec_bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!strcmp(br->ports[i]->name, name)) {
            return br->ports[i];
        }
    }
    return NULL;
}

static ofp_port_t
port_ofport(const struct ovsrec_port *port)
{
    if (port && port->n_interfaces == 1) {
        const struct ovsrec_interface *iface = port->interfaces[0];
        if (iface->n_ofport && iface->ofport[0] > 0) {
            return u16_to_ofp(iface->ofport[0]);
        }
    }
    return OFPP_NONE;
}

/* Makes bridge 'name' exist with dvrflow's settings; returns it, or NULL
 * if it does not exist and cannot be created now (no 'txn'). */
static const struct ovsrec_bridge *
ensure_bridge(struct ovsdb_idl_txn *txn, struct ovsdb_idl *idl,
              const struct dvr_config *cfg, const char *name)
{
    static const char *protocols[] = {
        "OpenFlow13", "OpenFlow14", "OpenFlow15"
    };
    const struct ovsrec_bridge *br = find_bridge(idl, name);

    if (!txn) {
        return br;
    }
    if (!br) {
        const struct ovsrec_open_vswitch *ovs
            = ovsrec_open_vswitch_first(idl);
        if (!ovs) {
            return NULL;
        }
        struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
        ovsrec_interface_set_name(iface, name);
        ovsrec_interface_set_type(iface, "internal");
        struct ovsrec_port *port = ovsrec_port_insert(txn);
        ovsrec_port_set_name(port, name);
        ovsrec_port_set_interfaces(port, &iface, 1);
        struct ovsrec_bridge *nbr = ovsrec_bridge_insert(txn);
        ovsrec_bridge_set_name(nbr, name);
        ovsrec_bridge_set_ports(nbr, &port, 1);
        ovsrec_open_vswitch_update_bridges_addvalue(ovs, nbr);
        VLOG_INFO("creating bridge %s", name);
        br = nbr;
    }

    if (!br->fail_mode || strcmp(br->fail_mode, "secure")) {
        ovsrec_bridge_set_fail_mode(br, "secure");
    }
    bool protocols_ok = br->n_protocols == ARRAY_SIZE(protocols);
    for (size_t i = 0; protocols_ok && i < br->n_protocols; i++) {
        protocols_ok = !strcmp(br->protocols[i], protocols[i]);
    }
    if (!protocols_ok) {
        ovsrec_bridge_set_protocols(br, protocols, ARRAY_SIZE(protocols));
    }
    if (strcmp(br->datapath_type, cfg->datapath_type)) {
        ovsrec_bridge_set_datapath_type(br, cfg->datapath_type);
    }
    if (!smap_get_bool(&br->other_config, "disable-in-band", false)) {
        ovsrec_bridge_update_other_config_setkey(br, "disable-in-band",
                                                 "true");
    }
    return br;
}

/* Makes port 'name' on 'br' have one interface of 'type' with 'options'
 * and 'external_ids'. */
static void
ensure_port(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
            const char *name, const char *type, const struct smap *options,
            const struct smap *external_ids)
{
    const struct ovsrec_port *port = find_port(br, name);

    if (!txn) {
        return;
    }
    if (port && port->n_interfaces == 1) {
        const struct ovsrec_interface *iface = port->interfaces[0];
        if (strcmp(iface->type, type)) {
            ovsrec_interface_set_type(iface, type);
        }
        if (!smap_equal(&iface->options, options)) {
            ovsrec_interface_set_options(iface, options);
        }
        if (!smap_equal(&iface->external_ids, external_ids)) {
            ovsrec_interface_set_external_ids(iface, external_ids);
        }
        return;
    }
    if (port) {
        ovsrec_bridge_update_ports_delvalue(br, port);
    }
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, name);
    ovsrec_interface_set_type(iface, type);
    ovsrec_interface_set_options(iface, options);
    ovsrec_interface_set_external_ids(iface, external_ids);
    struct ovsrec_port *nport = ovsrec_port_insert(txn);
    ovsrec_port_set_name(nport, name);
    ovsrec_port_set_interfaces(nport, &iface, 1);
    ovsrec_bridge_update_ports_addvalue(br, nport);
    VLOG_INFO("%s: adding port %s (%s)", br->name, name, type);
}

static void
ensure_patch(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
             const char *name, const char *peer)
{
    struct smap options = SMAP_INITIALIZER(&options);
    struct smap ids = SMAP_INITIALIZER(&ids);

    smap_add(&options, "peer", peer);
    smap_add(&ids, "dvr-owner", "dvr-controller");
    ensure_port(txn, br, name, "patch", &options, &ids);
    smap_destroy(&options);
    smap_destroy(&ids);
}

/* The name of the tunnel port to chassis 'name': "dvt" and 8 hex digits,
 * short enough for any datapath. */
static char *
tunnel_port_name(const char *chassis)
{
    return xasprintf("dvt%08x", hash_string(chassis, 0));
}

/* BFD on the tunnel 'port' to chassis 'chassis' if 'enable' (a tunnel
 * to or from a gateway chassis: its liveness picks the active gateway).
 * Records in 'bp' whether BFD says the chassis is down. */
static void
ensure_bfd(struct ovsdb_idl_txn *txn, const struct ovsrec_port *port,
           bool enable, const char *chassis, struct bridge_ports *bp)
{
    if (!port || port->n_interfaces != 1) {
        return;
    }
    const struct ovsrec_interface *iface = port->interfaces[0];
    struct smap bfd = SMAP_INITIALIZER(&bfd);

    if (enable) {
        smap_add(&bfd, "enable", "true");
        smap_add(&bfd, "min_rx", "100");
        smap_add(&bfd, "min_tx", "100");
        smap_add(&bfd, "decay_min_rx", "0");
    }
    if (txn && !smap_equal(&iface->bfd, &bfd)) {
        ovsrec_interface_set_bfd(iface, &bfd);
    }
    smap_destroy(&bfd);
    if (enable && smap_get_bool(&iface->bfd, "enable", false)
        && !smap_get_bool(&iface->bfd_status, "forwarding", false)) {
        sset_add(&bp->bfd_down, chassis);
    }
}

static void
run_tunnels(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *tun,
            const struct remote_chassis *remotes, size_t n_remotes,
            struct bridge_ports *bp)
{
    struct sset wanted = SSET_INITIALIZER(&wanted);

    for (size_t i = 0; i < n_remotes; i++) {
        const struct remote_chassis *rc = &remotes[i];
        char *name = tunnel_port_name(rc->name);
        struct smap options = SMAP_INITIALIZER(&options);
        struct smap ids = SMAP_INITIALIZER(&ids);

        smap_add(&options, "remote_ip", rc->encap_ip);
        smap_add(&options, "key", "flow");
        smap_add(&ids, "dvr-owner", "dvr-controller");
        smap_add(&ids, "dvr-chassis", rc->name);
        ensure_port(txn, tun, name, rc->encap_type, &options, &ids);
        ensure_bfd(txn, find_port(tun, name), rc->bfd, rc->name, bp);
        ofp_port_t ofport = port_ofport(find_port(tun, name));
        if (ofport != OFPP_NONE) {
            simap_put(&bp->tunnels, rc->name, ofp_to_u16(ofport));
        }
        sset_add(&wanted, name);
        smap_destroy(&options);
        smap_destroy(&ids);
        free(name);
    }

    /* Remove tunnels to chassis that are gone. */
    for (size_t i = 0; txn && i < tun->n_ports; i++) {
        const struct ovsrec_port *port = tun->ports[i];
        if (port->n_interfaces == 1
            && smap_get(&port->interfaces[0]->external_ids, "dvr-chassis")
            && !sset_contains(&wanted, port->name)) {
            VLOG_INFO("%s: removing tunnel port %s", tun->name, port->name);
            ovsrec_bridge_update_ports_delvalue(tun, port);
        }
    }
    sset_destroy(&wanted);
}

void
bridges_run(struct ovsdb_idl_txn *txn, struct ovsdb_idl *idl,
            const struct dvr_config *cfg,
            const struct remote_chassis *remotes, size_t n_remotes,
            struct bridge_ports *bp)
{
    const struct ovsrec_bridge *br_int, *br_tun;

    br_int = ensure_bridge(txn, idl, cfg, cfg->int_bridge);
    br_tun = ensure_bridge(txn, idl, cfg, cfg->tun_bridge);
    if (!br_int || !br_tun) {
        return;
    }

    ensure_patch(txn, br_int, "patch-tun", "patch-int");
    ensure_patch(txn, br_tun, "patch-int", "patch-tun");
    bp->int_patch_tun = port_ofport(find_port(br_int, "patch-tun"));
    bp->tun_patch_int = port_ofport(find_port(br_tun, "patch-int"));

    run_tunnels(txn, br_tun, remotes, n_remotes, bp);

    struct smap_node *node;
    SMAP_FOR_EACH (node, &cfg->bridge_mappings) {
        const char *physnet = node->key, *name = node->value;
        const struct ovsrec_bridge *br_ex = ensure_bridge(txn, idl, cfg,
                                                          name);
        if (!br_ex) {
            continue;
        }
        char *int_name = xasprintf("int-%s", name);
        char *ex_name = xasprintf("phy-%s", name);
        ensure_patch(txn, br_int, int_name, ex_name);
        ensure_patch(txn, br_ex, ex_name, int_name);

        struct ex_bridge *eb = xzalloc(sizeof *eb);
        eb->physnet = xstrdup(physnet);
        eb->bridge = xstrdup(name);
        eb->int_patch = port_ofport(find_port(br_int, int_name));
        eb->ex_patch = port_ofport(find_port(br_ex, ex_name));
        shash_add(&bp->ex_bridges, physnet, eb);
        free(int_name);
        free(ex_name);
    }

    /* VIFs plugged into br-int, as Nova's os-vif plugs them. */
    for (size_t i = 0; i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            const struct ovsrec_interface *iface = port->interfaces[j];
            const char *id = smap_get(&iface->external_ids, "iface-id");
            if (!id || !iface->n_ofport || iface->ofport[0] <= 0) {
                continue;
            }
            if (iface->ofport[0] >= TRUNK_OFPORT_BASE) {
                /* A VIF's conntrack zones are its port number plus a
                 * base per use (pipeline/tables.h): above this, they
                 * would be another VIF's or a router's.  The numbers
                 * from TRUNK_OFPORT_BASE on are trunk subports' pseudo
                 * ports (pipeline/trunk.h). */
                static struct vlog_rate_limit rl
                    = VLOG_RATE_LIMIT_INIT(1, 60);
                VLOG_WARN_RL(&rl, "VIF %s (iface-id %s) not used: its "
                             "OpenFlow port %"PRId64" is above %d, so its "
                             "conntrack zones would overlap others",
                             iface->name, id, iface->ofport[0],
                             TRUNK_OFPORT_BASE - 1);
                continue;
            }
            simap_put(&bp->vifs, id, iface->ofport[0]);
        }
    }

    SMAP_FOR_EACH (node, &br_int->external_ids) {
        if (!strncmp(node->key, LVID_PREFIX, strlen(LVID_PREFIX))) {
            smap_add(&bp->lvids, node->key + strlen(LVID_PREFIX),
                     node->value);
        }
    }
}

void
bridges_store_lvids(struct ovsdb_idl_txn *txn, struct ovsdb_idl *idl,
                    const struct dvr_config *cfg, const struct smap *set,
                    const struct sset *unset)
{
    const struct ovsrec_bridge *br_int = find_bridge(idl, cfg->int_bridge);
    const struct smap_node *node;
    const char *name;

    if (!txn || !br_int) {
        return;
    }
    SMAP_FOR_EACH (node, set) {
        char *key = xasprintf(LVID_PREFIX"%s", node->key);
        ovsrec_bridge_update_external_ids_setkey(br_int, key, node->value);
        free(key);
    }
    SSET_FOR_EACH (name, unset) {
        char *key = xasprintf(LVID_PREFIX"%s", name);
        ovsrec_bridge_update_external_ids_delkey(br_int, key);
        free(key);
    }
}

static void
name_tables(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
            enum pipeline_bridge kind)
{
    const struct table_name *names = pipeline_table_names(kind);
    size_t n = 0;
    bool ok = true;

    for (const struct table_name *t = names; t->name; t++) {
        n++;
        bool found = false;
        for (size_t i = 0; i < br->n_flow_tables; i++) {
            if (br->key_flow_tables[i] == t->id
                && br->value_flow_tables[i]->name
                && !strcmp(br->value_flow_tables[i]->name, t->name)) {
                found = true;
                break;
            }
        }
        ok = ok && found;
    }
    if (ok && br->n_flow_tables == n) {
        return;
    }

    int64_t *keys = xmalloc(n * sizeof *keys);
    struct ovsrec_flow_table **values = xmalloc(n * sizeof *values);
    for (size_t i = 0; i < n; i++) {
        keys[i] = names[i].id;
        values[i] = ovsrec_flow_table_insert(txn);
        ovsrec_flow_table_set_name(values[i], names[i].name);
    }
    ovsrec_bridge_set_flow_tables(br, keys, values, n);
    free(keys);
    free(values);
}

void
bridges_name_tables(struct ovsdb_idl_txn *txn, struct ovsdb_idl *idl,
                    const struct dvr_config *cfg)
{
    const struct ovsrec_bridge *br;
    const struct smap_node *node;

    if (!txn) {
        return;
    }
    if ((br = find_bridge(idl, cfg->int_bridge))) {
        name_tables(txn, br, BRIDGE_INT);
    }
    if ((br = find_bridge(idl, cfg->tun_bridge))) {
        name_tables(txn, br, BRIDGE_TUN);
    }
    SMAP_FOR_EACH (node, &cfg->bridge_mappings) {
        if ((br = find_bridge(idl, node->value))) {
            name_tables(txn, br, BRIDGE_EX);
        }
    }
}

/*
 * controller/nb-monitor: see nb-monitor.h.
 */

#include <config.h>

#include "controller/nb-monitor.h"

#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "ovsdb/nb-idl.h"
#include "simap.h"
#include "sset.h"
#include "uuid.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(nb_monitor);

/* While a condition round is pending, the main loop runs at least this
 * often.  (A condition set after a reply from the server was measured
 * waiting for an unrelated wake-up, 150 to 600 ms, although the IDL asked
 * for an immediate one: the cause is not found yet.) */
#define NB_MONITOR_PENDING_MSEC 10

struct nb_sets;

struct nb_monitor {
    bool conditional;           /* The conditions in effect select rows. */
    bool gateway;               /* They were computed for a gateway. */
    unsigned int expected;      /* Condition seqno of the last change. */
    bool compiled;              /* The engine saw the rows of 'expected'. */
    bool converged;             /* The sets are what the view implies. */
    bool ready;                 /* Converged once since the start. */
    unsigned int idl_seqno;     /* The view the sets were computed from. */
    bool sets_read;             /* A change since then in a table the sets
                                 * are computed from. */
    bool other;                 /* A change since then in another table. */
    unsigned long long int n_computes; /* Sets computed. */
    unsigned long long int n_sends;    /* Conditions sent (maybe the same
                                        * as before). */
    struct nb_sets *last;       /* The sets of the last conditions sent. */
    unsigned int vifs_hash;
    size_t n_local, n_nets, n_routers, n_groups;
    unsigned long long int n_changes;
    unsigned long long int n_updates[NBREC_N_TABLES]; /* Rows received. */
    unsigned long long int n_bytes[NBREC_N_TABLES];   /* Their JSON size. */
};

/* OVSDB selects rows by "_uuid", which the generated IDL has no column
 * for; conditions only read a column's name and type. */
static const struct ovsdb_idl_column uuid_column = {
    .name = "_uuid",
    .type = {
        .key = { .type = OVSDB_TYPE_UUID },
        .value = { .type = OVSDB_TYPE_VOID },
        .n_min = 1,
        .n_max = 1,
    },
};

/* The tables whose conditions select rows by "_uuid".  Every condition
 * the controller sends for them, from its first request on and in both
 * modes, names "_uuid" (see nb_monitor_prepare()). */
static const struct ovsdb_idl_table_class *const uuid_tables[] = {
    &nbrec_table_port, &nbrec_table_network, &nbrec_table_fixed_ip,
    &nbrec_table_security_group, &nbrec_table_security_group_rule,
};

/* Adds "_uuid == 'uuid'" to 'cond'.  The IDL keeps a reference to the
 * clause's datum (ovsdb_datum_clone() shares the atoms), so the atoms must
 * be on the heap, as the generated nbrec_*_add_clause_*() have them. */
static void
add_uuid_clause(struct ovsdb_idl_condition *cond, const struct uuid *uuid)
{
    struct ovsdb_datum datum = { .n = 1, .refcnt = NULL, .values = NULL };

    datum.keys = xmalloc(sizeof *datum.keys);
    datum.keys[0].uuid = *uuid;
    ovsdb_idl_condition_add_clause(cond, OVSDB_F_EQ, &uuid_column, &datum);
    ovsdb_datum_destroy(&datum, &uuid_column.type);
}

const struct ovsdb_idl_row *
nb_row_get(const struct ovsdb_idl *idl, const struct ovsdb_idl_table_class *tc,
           const struct uuid *uuid)
{
    const struct ovsdb_idl_row *row = ovsdb_idl_get_row_for_uuid(idl, tc,
                                                                 uuid);
    return row && row->new_datum ? row : NULL;
}

struct nb_monitor *
nb_monitor_create(void)
{
    return xzalloc(sizeof(struct nb_monitor));
}

/* The sets a conditional monitor selects by.  The conditions are a
 * function of these alone (and of whether this is a gateway chassis). */
struct nb_sets {
    struct uuidset local;       /* Local ports (VIFs, and subports of
                                 * their trunks). */
    struct uuidset nets;        /* Networks needed here. */
    struct uuidset local_nets;  /* Those of the local ports. */
    struct uuidset full_nets;   /* Those whose every port is needed. */
    struct uuidset rifs;        /* Ports on local nets: maybe interfaces. */
    struct uuidset gw_nets;     /* Networks of the routers with a gateway
                                 * (gateway chassis only). */
    struct uuidset gw_rifs;     /* Ports on those: maybe interfaces. */
    struct uuidset gw_routers;  /* Routers with a gateway (gateway
                                 * chassis only). */
    struct uuidset routers;     /* Active routers. */
    struct uuidset router_ports; /* Their interfaces and gateway ports,
                                  * and the floating IPs' ports. */
    struct uuidset groups;      /* Security groups of local ports. */
    struct uuidset rules;       /* Their rules. */
    struct uuidset members;     /* Their rules' remote groups. */
    struct uuidset fixed;       /* Fixed IPs of the ports held off
                                 * 'full_nets'. */
    struct uuidset subnets;     /* Subnets of 'full_nets'. */
    struct uuidset ports;       /* Ports on 'nets' (on a gateway chassis,
                                 * which monitors every binding, only off
                                 * 'full_nets'), and 'local'. */
    struct uuidset fip_nets;    /* External networks whose every floating
                                 * IP is needed. */
    struct uuidset me;          /* This chassis' Chassis row(s). */
    struct sset instances;      /* device_ids of local ports. */
};

/* The uuidsets of "struct nb_sets", for what is done to each. */
static const size_t nb_set_offsets[] = {
#define NB_SET(NAME) offsetof(struct nb_sets, NAME)
    NB_SET(local), NB_SET(nets), NB_SET(local_nets), NB_SET(full_nets),
    NB_SET(rifs), NB_SET(gw_nets), NB_SET(gw_rifs), NB_SET(gw_routers),
    NB_SET(routers), NB_SET(router_ports), NB_SET(groups), NB_SET(rules),
    NB_SET(members), NB_SET(fixed), NB_SET(subnets), NB_SET(ports),
    NB_SET(fip_nets), NB_SET(me),
#undef NB_SET
};

static struct uuidset *
set_at(struct nb_sets *s, size_t i)
{
    return (struct uuidset *) ((char *) s + nb_set_offsets[i]);
}

static void
sets_init(struct nb_sets *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(nb_set_offsets); i++) {
        uuidset_init(set_at(s, i));
    }
    sset_init(&s->instances);
}

static void
sets_destroy(struct nb_sets *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(nb_set_offsets); i++) {
        uuidset_destroy(set_at(s, i));
    }
    sset_destroy(&s->instances);
}

/* Forgets the sets of the last conditions sent. */
static void
forget_last(struct nb_monitor *m)
{
    if (m->last) {
        sets_destroy(m->last);
        free(m->last);
        m->last = NULL;
    }
}

void
nb_monitor_destroy(struct nb_monitor *m)
{
    if (m) {
        forget_last(m);
        free(m);
    }
}

static bool
uuidsets_equal(const struct uuidset *a, const struct uuidset *b)
{
    const struct uuidset_node *un;

    if (uuidset_count(a) != uuidset_count(b)) {
        return false;
    }
    UUIDSET_FOR_EACH (un, a) {
        if (!uuidset_find(b, &un->uuid)) {
            return false;
        }
    }
    return true;
}

static bool
sets_equal(struct nb_sets *a, struct nb_sets *b)
{
    for (size_t i = 0; i < ARRAY_SIZE(nb_set_offsets); i++) {
        if (!uuidsets_equal(set_at(a, i), set_at(b, i))) {
            return false;
        }
    }
    return sset_equals(&a->instances, &b->instances);
}

static void
add_uuid(struct uuidset *set, const struct uuid *uuid)
{
    if (!uuidset_find(set, uuid)) {
        uuidset_insert(set, uuid);
    }
}

/* Adds to 'set' the UUIDs that 'row''s reference column 'column' holds.
 * The parsed row has no pointer to a row that is not monitored (yet), but
 * the column's datum still names it. */
static void
add_refs(struct uuidset *set, const struct ovsdb_idl_row *row,
         const struct ovsdb_idl_column *column)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    for (size_t i = 0; i < d->n; i++) {
        add_uuid(set, &d->keys[i].uuid);
    }
}

/* Adds local port 'uuid' and what it needs (its network, groups and
 * instance) to 's'. */
static void
add_local_port(const struct nb_monitor_input *in, struct nb_sets *s,
               const struct uuid *uuid)
{
    add_uuid(&s->local, uuid);
    const struct nbrec_port *port = NB_GET(port, in->idl, uuid);
    if (!port) {
        return;
    }
    add_refs(&s->nets, &port->header_, &nbrec_port_col_network);
    add_refs(&s->local_nets, &port->header_, &nbrec_port_col_network);
    add_refs(&s->groups, &port->header_, &nbrec_port_col_security_groups);
    if (port->device_id[0]) {
        sset_add(&s->instances, port->device_id);
    }
}

/* The sets implied by the current view and the local VIFs. */
static void
compute_sets(const struct nb_monitor_input *in, struct nb_sets *s)
{
    struct simap_node *vif;
    const struct nbrec_floating_ip *fip;
    const struct nbrec_router *router;
    const struct nbrec_subnet *subnet;
    const struct nbrec_trunk *trunk;
    struct uuidset_node *un;

    SIMAP_FOR_EACH (vif, in->vifs) {
        struct uuid uuid;
        if (uuid_from_string(&uuid, vif->name)) {
            add_local_port(in, s, &uuid);
        }
    }
    /* The subports of the local ports' trunks are local too (they are
     * where their parent is), whatever a check of the trunk then says. */
    NBREC_TRUNK_FOR_EACH (trunk, in->idl) {
        const struct ovsdb_datum *d = ovsdb_idl_read(&trunk->header_,
                                                     &nbrec_trunk_col_port);
        char *key = d->n ? xasprintf(UUID_FMT, UUID_ARGS(&d->keys[0].uuid))
                         : NULL;
        bool local = key && simap_contains(in->vifs, key);
        free(key);
        if (!local) {
            continue;
        }
        d = ovsdb_idl_read(&trunk->header_, &nbrec_trunk_col_sub_ports);
        for (size_t i = 0; i < d->n; i++) {
            add_local_port(in, s, &d->values[i].uuid);
        }
    }
    NBREC_FLOATING_IP_FOR_EACH (fip, in->idl) {
        if (fip->port && uuidset_find(&s->local, &fip->port->header_.uuid)) {
            add_refs(&s->nets, &fip->header_,
                     &nbrec_floating_ip_col_floating_network);
        }
    }

    /* On a gateway chassis, every router with a gateway is active (this
     * chassis is its active or a standby gateway), and so are the
     * networks of its interfaces.  The other routers with an interface on
     * those are asked for too (the engine gives a subnet to one of the
     * routers on it), but are not active for that: their other networks
     * are not needed here. */
    if (in->gateway) {
        NBREC_ROUTER_FOR_EACH (router, in->idl) {
            const struct ovsdb_datum *d
                = ovsdb_idl_read(&router->header_,
                                 &nbrec_router_col_gateway_port);
            if (!d->n) {
                continue;
            }
            add_uuid(&s->gw_routers, &router->header_.uuid);
            d = ovsdb_idl_read(&router->header_, &nbrec_router_col_interfaces);
            for (size_t i = 0; i < d->n; i++) {
                const struct nbrec_port *p = NB_GET(port, in->idl,
                                                    &d->keys[i].uuid);
                if (p) {
                    add_refs(&s->gw_nets, &p->header_,
                             &nbrec_port_col_network);
                }
            }
        }
    }

    /* Routers with an interface on those networks are active here; so are
     * the networks of their other interfaces and of their gateway. */
    struct nbrec_port *key = nbrec_port_index_init_row(in->ports_by_network);
    for (int pass = 0; pass < 2; pass++) {
        struct uuidset *nets = pass ? &s->gw_nets : &s->nets;
        struct uuidset *rifs = pass ? &s->gw_rifs : &s->rifs;
        UUIDSET_FOR_EACH (un, nets) {
            const struct nbrec_network *net
                = NB_GET(network, in->idl, &un->uuid);
            const struct nbrec_port *p;
            if (!net || (net->external
                         && !uuidset_find(&s->local_nets, &un->uuid))) {
                continue;
            }
            nbrec_port_index_set_network(key, net);
            NBREC_PORT_FOR_EACH_EQUAL (p, key, in->ports_by_network) {
                /* Any port may be a router's interface (the engine does
                 * not look at device_owner), except a VIF plugged here.
                 * On the networks of the routers with a gateway, only
                 * the ports Neutron makes for routers: the other routers
                 * there matter only when they share a subnet with one of
                 * those, and a condition that named every port would
                 * change with every VM port created on them (measured:
                 * bench/gateway-scale). */
                if (!uuidset_find(&s->local, &p->header_.uuid)
                    && (!pass || !strncmp(p->device_owner,
                                          "network:router", 14))) {
                    add_uuid(rifs, &p->header_.uuid);
                }
            }
        }
    }
    UUIDSET_FOR_EACH (un, &s->gw_nets) {
        add_uuid(&s->nets, &un->uuid);
    }
    NBREC_ROUTER_FOR_EACH (router, in->idl) {
        bool active = false;
        for (size_t i = 0; i < router->n_interfaces; i++) {
            active |= uuidset_find(&s->rifs,
                                   &router->interfaces[i]->header_.uuid)
                      != NULL;
        }
        active |= uuidset_find(&s->gw_routers, &router->header_.uuid)
                  != NULL;
        if (!active) {
            continue;
        }
        /* Its ports, to learn their networks. */
        add_uuid(&s->routers, &router->header_.uuid);
        add_refs(&s->router_ports, &router->header_,
                 &nbrec_router_col_interfaces);
        add_refs(&s->router_ports, &router->header_,
                 &nbrec_router_col_gateway_port);
    }
    NBREC_FLOATING_IP_FOR_EACH (fip, in->idl) {
        add_refs(&s->router_ports, &fip->header_,
                 &nbrec_floating_ip_col_floating_port);
    }
    UUIDSET_FOR_EACH (un, &s->router_ports) {
        const struct nbrec_port *p = NB_GET(port, in->idl, &un->uuid);
        if (p) {
            add_refs(&s->nets, &p->header_, &nbrec_port_col_network);
        }
    }

    /* Every port of a network needed here, but of an external network
     * only those named above (routers' gateways, floating IPs' ports):
     * the others are other tenants' and reached through the physical
     * network.  An external network with a local port is needed whole,
     * as any network with a local port: its VMs on other chassis are
     * reached through the tunnels when it is a tunnelled one, and its
     * floating IPs are answered for here.  A network's ports are asked
     * for once its row is here. */
    UUIDSET_FOR_EACH (un, &s->nets) {
        const struct nbrec_network *net
            = NB_GET(network, in->idl, &un->uuid);
        const struct nbrec_port *p;
        if (!net) {
            continue;
        }
        bool full = !net->external
                    || uuidset_find(&s->local_nets, &un->uuid);
        if (full) {
            add_uuid(&s->full_nets, &un->uuid);
            if (in->gateway) {
                continue;       /* 'ports' is for the bindings' condition,
                                 * and a gateway monitors every binding. */
            }
        }
        nbrec_port_index_set_network(key, net);
        NBREC_PORT_FOR_EACH_EQUAL (p, key, in->ports_by_network) {
            add_uuid(&s->ports, &p->header_.uuid);
            if (!full) {
                add_refs(&s->fixed, &p->header_, &nbrec_port_col_fixed_ips);
            }
        }
    }
    nbrec_port_index_destroy_row(key);
    UUIDSET_FOR_EACH (un, &s->local) {
        add_uuid(&s->ports, &un->uuid);
    }
    NBREC_SUBNET_FOR_EACH (subnet, in->idl) {
        if (subnet->network
            && uuidset_find(&s->full_nets, &subnet->network->header_.uuid)) {
            add_uuid(&s->subnets, &subnet->header_.uuid);
        }
    }

    /* The rules of the local ports' groups, and the members of the groups
     * those rules name as remote groups (their addresses are matched), on
     * whatever network they are. */
    UUIDSET_FOR_EACH (un, &s->groups) {
        const struct nbrec_security_group *sg
            = NB_GET(security_group, in->idl, &un->uuid);
        if (sg) {
            add_refs(&s->rules, &sg->header_,
                     &nbrec_security_group_col_rules);
            for (size_t i = 0; i < sg->n_rules; i++) {
                add_refs(&s->members, &sg->rules[i]->header_,
                         &nbrec_security_group_rule_col_remote_group);
            }
        }
    }
    if (!uuidset_is_empty(&s->members)) {
        const struct nbrec_port *p;
        NBREC_PORT_FOR_EACH (p, in->idl) {
            const struct ovsdb_datum *d
                = ovsdb_idl_read(&p->header_, &nbrec_port_col_network);
            if (d->n && uuidset_find(&s->full_nets, &d->keys[0].uuid)) {
                continue;       /* Its fixed IPs come with the subnets. */
            }
            d = ovsdb_idl_read(&p->header_,
                               &nbrec_port_col_security_groups);
            for (size_t i = 0; i < d->n; i++) {
                if (uuidset_find(&s->members, &d->keys[i].uuid)) {
                    add_refs(&s->fixed, &p->header_,
                             &nbrec_port_col_fixed_ips);
                    break;
                }
            }
        }
    }

    /* A gateway resolves every floating IP of the external networks it
     * holds, those of no router too (dvr/l3's l3_nexthop flows); so does a
     * compute node on the external networks it has a local port on. */
    UUIDSET_FOR_EACH (un, &s->nets) {
        const struct nbrec_network *nw = NB_GET(network, in->idl, &un->uuid);
        if (nw && nw->external
            && (in->gateway || uuidset_find(&s->local_nets, &un->uuid))) {
            add_uuid(&s->fip_nets, &un->uuid);
        }
    }
    const struct nbrec_chassis *ch;
    NBREC_CHASSIS_FOR_EACH (ch, in->idl) {
        if (!strcmp(ch->name, in->chassis)) {
            add_uuid(&s->me, &ch->header_.uuid);
        }
    }
}

/* The tables whose rows compute_sets() and send_conditions() never read:
 * a change of the view that is only in these (a binding made or updated on
 * another chassis, an acknowledgement, a QoS rule) leaves the sets as they
 * are, and they are not computed again for it.  On a gateway chassis,
 * which monitors every binding and holds most of the cloud, computing them
 * costs tens of milliseconds (bench/gateway-scale). */
static const struct ovsdb_idl_table_class *const unread_tables[] = {
    &nbrec_table_chassis_private, &nbrec_table_fixed_ip,
    &nbrec_table_gateway_assignment, &nbrec_table_instance,
    &nbrec_table_nb_global, &nbrec_table_port_binding,
    &nbrec_table_port_forwarding, &nbrec_table_qos_policy,
    &nbrec_table_qos_rule,
};

/* Whether 'tc' is one of the 'n' tables of 'tables'. */
static bool
table_in(const struct ovsdb_idl_table_class *tc,
         const struct ovsdb_idl_table_class *const tables[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (tables[i] == tc) {
            return true;
        }
    }
    return false;
}

/* Monitors every row of every table: "true", except "_uuid != 0" (every
 * row too) for the tables of 'uuid_tables'. */
static unsigned int
set_all(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_condition t = OVSDB_IDL_CONDITION_INIT(&t);
    struct ovsdb_idl_condition u = OVSDB_IDL_CONDITION_INIT(&u);
    struct ovsdb_datum zero = { .n = 1, .refcnt = NULL, .values = NULL };
    unsigned int seqno = 0;

    ovsdb_idl_condition_add_clause_true(&t);
    zero.keys = xzalloc(sizeof *zero.keys);
    ovsdb_idl_condition_add_clause(&u, OVSDB_F_NE, &uuid_column, &zero);
    ovsdb_datum_destroy(&zero, &uuid_column.type);
    for (size_t i = 0; i < NBREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *tc = &nbrec_table_classes[i];
        bool by_uuid = table_in(tc, uuid_tables, ARRAY_SIZE(uuid_tables));
        seqno = MAX(seqno, ovsdb_idl_set_condition(idl, tc,
                                                   by_uuid ? &u : &t));
    }
    ovsdb_idl_condition_destroy(&t);
    ovsdb_idl_condition_destroy(&u);
    return seqno;
}

static int
compare_uuids(const void *a_, const void *b_)
{
    return uuid_compare_3way(a_, b_);
}

/* The members of 'set' in ascending order (to be freed).  The IDL compares
 * a condition with the last one as JSON, clause by clause: clauses added
 * in a canonical order make an unchanged set an unchanged condition. */
static struct uuid *
sorted(const struct uuidset *set, size_t *n)
{
    struct uuid *array = xmalloc((uuidset_count(set) + 1) * sizeof *array);
    struct uuidset_node *un;

    *n = 0;
    UUIDSET_FOR_EACH (un, set) {
        array[(*n)++] = un->uuid;
    }
    qsort(array, *n, sizeof *array, compare_uuids);
    return array;
}

/* Sends the conditions of 's'; returns the highest condition seqno. */
static unsigned int
send_conditions(const struct nb_monitor_input *in, const struct nb_sets *s)
{
    struct ovsdb_idl_condition port = OVSDB_IDL_CONDITION_INIT(&port);
    struct ovsdb_idl_condition net = OVSDB_IDL_CONDITION_INIT(&net);
    struct ovsdb_idl_condition subnet = OVSDB_IDL_CONDITION_INIT(&subnet);
    struct ovsdb_idl_condition fixed = OVSDB_IDL_CONDITION_INIT(&fixed);
    struct ovsdb_idl_condition router = OVSDB_IDL_CONDITION_INIT(&router);
    struct ovsdb_idl_condition fip = OVSDB_IDL_CONDITION_INIT(&fip);
    struct ovsdb_idl_condition sg = OVSDB_IDL_CONDITION_INIT(&sg);
    struct ovsdb_idl_condition rule = OVSDB_IDL_CONDITION_INIT(&rule);
    struct ovsdb_idl_condition pb = OVSDB_IDL_CONDITION_INIT(&pb);
    struct ovsdb_idl_condition priv = OVSDB_IDL_CONDITION_INIT(&priv);
    struct ovsdb_idl_condition inst = OVSDB_IDL_CONDITION_INIT(&inst);
    struct ovsdb_idl_condition trunk = OVSDB_IDL_CONDITION_INIT(&trunk);

    struct uuid *u;
    size_t n;

    /* "_uuid == 0" selects nothing; it keeps "_uuid" in the conditions of
     * 'uuid_tables' whatever the sets hold. */
    const struct uuid zero = UUID_ZERO;
    add_uuid_clause(&port, &zero);
    add_uuid_clause(&net, &zero);
    add_uuid_clause(&fixed, &zero);
    add_uuid_clause(&sg, &zero);
    add_uuid_clause(&rule, &zero);

    u = sorted(&s->local, &n);
    for (size_t i = 0; i < n; i++) {
        add_uuid_clause(&port, &u[i]);
        nbrec_floating_ip_add_clause_port(&fip, OVSDB_F_EQ, &u[i]);
        nbrec_trunk_add_clause_port(&trunk, OVSDB_F_EQ, &u[i]);
    }
    free(u);
    u = sorted(&s->router_ports, &n);
    for (size_t i = 0; i < n; i++) {
        add_uuid_clause(&port, &u[i]);
    }
    free(u);
    u = sorted(&s->nets, &n);
    for (size_t i = 0; i < n; i++) {
        add_uuid_clause(&net, &u[i]);
        nbrec_subnet_add_clause_network(&subnet, OVSDB_F_EQ, &u[i]);
    }
    free(u);
    u = sorted(&s->full_nets, &n);
    for (size_t i = 0; i < n; i++) {
        nbrec_port_add_clause_network(&port, OVSDB_F_EQ, &u[i]);
    }
    free(u);
    u = sorted(&s->subnets, &n);
    for (size_t i = 0; i < n; i++) {
        nbrec_fixed_ip_add_clause_subnet(&fixed, OVSDB_F_EQ, &u[i]);
    }
    free(u);
    struct uuidset rifs = UUIDSET_INITIALIZER(&rifs);
    struct uuidset_node *un;
    UUIDSET_FOR_EACH (un, &s->rifs) {
        uuidset_insert(&rifs, &un->uuid);
    }
    UUIDSET_FOR_EACH (un, &s->gw_rifs) {
        add_uuid(&rifs, &un->uuid);
    }
    u = sorted(&rifs, &n);
    uuidset_destroy(&rifs);
    for (size_t i = 0; i < n; i++) {
        struct uuid *iface = &u[i];
        nbrec_router_add_clause_interfaces(&router, OVSDB_F_INCLUDES,
                                           &iface, 1);
    }
    free(u);
    if (in->gateway) {
        /* Every router with a gateway: "gateway_port != []".  The column
         * is in the monitor from the first request (see nb-monitor.h). */
        nbrec_router_add_clause_gateway_port(&router, OVSDB_F_NE, NULL);
    }
    u = sorted(&s->routers, &n);
    for (size_t i = 0; i < n; i++) {
        nbrec_floating_ip_add_clause_router(&fip, OVSDB_F_EQ, &u[i]);
    }
    free(u);
    u = sorted(&s->fip_nets, &n);
    for (size_t i = 0; i < n; i++) {
        nbrec_floating_ip_add_clause_floating_network(&fip, OVSDB_F_EQ,
                                                      &u[i]);
    }
    free(u);
    u = sorted(&s->groups, &n);
    for (size_t i = 0; i < n; i++) {
        add_uuid_clause(&sg, &u[i]);
    }
    free(u);
    u = sorted(&s->members, &n);
    for (size_t i = 0; i < n; i++) {
        struct uuid *group = &u[i];
        add_uuid_clause(&sg, group);
        nbrec_port_add_clause_security_groups(&port, OVSDB_F_INCLUDES,
                                              &group, 1);
    }
    free(u);
    u = sorted(&s->rules, &n);
    for (size_t i = 0; i < n; i++) {
        add_uuid_clause(&rule, &u[i]);
    }
    free(u);
    u = sorted(&s->fixed, &n);
    for (size_t i = 0; i < n; i++) {
        add_uuid_clause(&fixed, &u[i]);
    }
    free(u);
    if (in->gateway) {
        /* Every binding: a gateway holds most ports of the cloud, and a
         * condition naming each of them would change, and be sent again
         * whole and evaluated again by the server, with every new VM
         * port (bench/gateway-scale: 29 ms of NB server CPU per new port
         * at 300 hypervisors).  A binding is three columns. */
        ovsdb_idl_condition_add_clause_true(&pb);
    } else {
        u = sorted(&s->ports, &n);
        for (size_t i = 0; i < n; i++) {
            nbrec_port_binding_add_clause_port(&pb, OVSDB_F_EQ, &u[i]);
        }
        free(u);
    }
    u = sorted(&s->me, &n);
    for (size_t i = 0; i < n; i++) {
        nbrec_port_binding_add_clause_chassis(&pb, OVSDB_F_EQ, &u[i]);
    }
    free(u);
    nbrec_chassis_private_add_clause_name(&priv, OVSDB_F_EQ, in->chassis);
    const char **names = sset_sort(&s->instances);
    for (size_t i = 0; i < sset_count(&s->instances); i++) {
        nbrec_instance_add_clause_instance_id(&inst, OVSDB_F_EQ, names[i]);
    }
    free(names);

    unsigned int seqno = 0;
    seqno = MAX(seqno, nbrec_port_set_condition(in->idl, &port));
    seqno = MAX(seqno, nbrec_network_set_condition(in->idl, &net));
    seqno = MAX(seqno, nbrec_subnet_set_condition(in->idl, &subnet));
    seqno = MAX(seqno, nbrec_fixed_ip_set_condition(in->idl, &fixed));
    seqno = MAX(seqno, nbrec_router_set_condition(in->idl, &router));
    seqno = MAX(seqno, nbrec_floating_ip_set_condition(in->idl, &fip));
    seqno = MAX(seqno, nbrec_security_group_set_condition(in->idl, &sg));
    seqno = MAX(seqno, nbrec_security_group_rule_set_condition(in->idl,
                                                               &rule));
    seqno = MAX(seqno, nbrec_port_binding_set_condition(in->idl, &pb));
    seqno = MAX(seqno, nbrec_chassis_private_set_condition(in->idl, &priv));
    seqno = MAX(seqno, nbrec_instance_set_condition(in->idl, &inst));
    seqno = MAX(seqno, nbrec_trunk_set_condition(in->idl, &trunk));

    ovsdb_idl_condition_destroy(&port);
    ovsdb_idl_condition_destroy(&net);
    ovsdb_idl_condition_destroy(&subnet);
    ovsdb_idl_condition_destroy(&fixed);
    ovsdb_idl_condition_destroy(&router);
    ovsdb_idl_condition_destroy(&fip);
    ovsdb_idl_condition_destroy(&sg);
    ovsdb_idl_condition_destroy(&rule);
    ovsdb_idl_condition_destroy(&pb);
    ovsdb_idl_condition_destroy(&priv);
    ovsdb_idl_condition_destroy(&inst);
    ovsdb_idl_condition_destroy(&trunk);
    return seqno;
}

static unsigned int
hash_vifs(const struct simap *vifs)
{
    const struct simap_node *node;
    unsigned int hash = simap_count(vifs);

    SIMAP_FOR_EACH (node, vifs) {
        hash ^= hash_string(node->name, 0);
    }
    return hash;
}

/* The NB columns the controller never reads: not monitored, so that
 * neither memory nor updates are spent on them. */
static const struct ovsdb_idl_column *const unread_columns[] = {
    &nbrec_network_col_description, &nbrec_subnet_col_description,
    &nbrec_port_col_description, &nbrec_router_col_description,
    &nbrec_floating_ip_col_description,
    &nbrec_port_forwarding_col_description,
    &nbrec_security_group_col_description,
    &nbrec_security_group_rule_col_description,
    &nbrec_trunk_col_description,
};

void
nb_monitor_prepare(struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < ARRAY_SIZE(unread_columns); i++) {
        ovsdb_idl_omit(idl, unread_columns[i]);
    }
}

void
nb_monitor_start(struct nb_monitor *m, struct ovsdb_idl *idl,
                 const char *chassis, bool all, bool gateway)
{
    m->compiled = false;
    forget_last(m);
    if (all) {
        m->expected = set_all(idl);
        m->conditional = false;
        m->ready = true;
        return;
    }

    struct nb_monitor_input in = { .idl = idl, .chassis = chassis,
                                   .gateway = gateway };
    struct simap none = SIMAP_INITIALIZER(&none);
    struct nb_sets s;

    in.vifs = &none;
    sets_init(&s);
    m->expected = send_conditions(&in, &s);
    m->conditional = true;
    m->gateway = gateway;
    m->ready = false;
    sets_destroy(&s);
    simap_destroy(&none);
}

bool
nb_monitor_ready(const struct nb_monitor *m)
{
    return !m->conditional || m->ready;
}

void
nb_monitor_wait(const struct nb_monitor *m)
{
    if (!m->converged) {
        poll_timer_wait(NB_MONITOR_PENDING_MSEC);
    }
}

bool
nb_monitor_converged(const struct nb_monitor *m)
{
    return m->converged;
}

/* The size of the <row-update2> the server sent for tracked 'row' of
 * 'tc', as RFC 7047's JSON: its UUID, and the columns it carries (those
 * that differ from their defaults for an insertion, the changed ones for
 * a modification, none for a deletion).  The IDL does not expose its
 * session's byte count; this sums what the updates hold. */
static size_t
row_update_size(const struct ovsdb_idl_row *row,
                const struct ovsdb_idl_table_class *tc)
{
    /* "<uuid>":{"insert":{...}}, */
    size_t size = UUID_LEN + 16;

    if (!row->new_datum) {
        return size;
    }
    bool insert = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT) > 0;
    for (size_t i = 0; i < tc->n_columns; i++) {
        const struct ovsdb_idl_column *col = &tc->columns[i];
        const struct ovsdb_datum *d = ovsdb_idl_read(row, col);
        if (insert ? ovsdb_datum_is_default(d, &col->type)
                   : !ovsdb_idl_track_is_updated(row, col)) {
            continue;
        }
        struct json *json = ovsdb_datum_to_json(d, &col->type);
        struct ds s = DS_EMPTY_INITIALIZER;
        json_to_ds(json, 0, &s);
        size += strlen(col->name) + 4 + s.length;
        ds_destroy(&s);
        json_destroy(json);
    }
    return size;
}

void
nb_monitor_count(struct nb_monitor *m, struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < NBREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *tc = &nbrec_table_classes[i];
        bool *changed = (table_in(tc, unread_tables,
                                  ARRAY_SIZE(unread_tables))
                         ? &m->other : &m->sets_read);
        const struct ovsdb_idl_row *row;
        for (row = ovsdb_idl_track_get_first(idl, tc); row;
             row = ovsdb_idl_track_get_next(row)) {
            m->n_updates[i]++;
            m->n_bytes[i] += row_update_size(row, tc);
            *changed = true;
        }
    }
}

bool
nb_monitor_run(struct nb_monitor *m, const struct nb_monitor_input *in)
{
    bool applied = ovsdb_idl_get_condition_seqno(in->idl) >= m->expected;

    if (in->all) {
        unsigned int seqno = ovsdb_idl_get_seqno(in->idl);
        if (m->conditional || seqno != m->idl_seqno) {
            /* Set again whenever the view changes: conditions set before
             * the IDL connected (or reconnected) are applied with its
             * monitor request, which moves no condition seqno, so the seqno
             * returned then is never reached; setting the same conditions
             * again returns the one that is current. */
            unsigned int expected = set_all(in->idl);
            forget_last(m);
            if (m->conditional) {
                m->conditional = false;
                m->ready = true;
                m->compiled = false;
                m->n_changes++;
            }
            m->expected = expected;
            m->idl_seqno = seqno;
        }
        applied = ovsdb_idl_get_condition_seqno(in->idl) >= m->expected;
    } else {
        unsigned int seqno = ovsdb_idl_get_seqno(in->idl);
        unsigned int vifs_hash = hash_vifs(in->vifs);
        /* A new view whose changes nb_monitor_count() saw only in tables
         * the sets do not read needs no new sets.  Without a change seen
         * (a caller that does not count, or a view cleared and not
         * tracked), they are computed again. */
        bool view_changed = seqno != m->idl_seqno
                            && (m->sets_read || !m->other);
        m->idl_seqno = seqno;
        m->sets_read = m->other = false;
        if (!m->conditional || view_changed
            || vifs_hash != m->vifs_hash || in->gateway != m->gateway) {
            struct nb_sets *s = xmalloc(sizeof *s);
            sets_init(s);
            compute_sets(in, s);
            m->n_computes++;
            /* Sets equal to those of conditions the server has applied
             * make the same conditions: nothing to send.  (While a change
             * is pending, or before the first reply, they are set again:
             * that also gives the seqno to wait for, see above.) */
            unsigned int expected = m->expected;
            if (!m->last || in->gateway != m->gateway || !applied
                || !sets_equal(s, m->last)) {
                expected = send_conditions(in, s);
                m->n_sends++;
            }
            if (expected != m->expected) {
                m->expected = expected;
                m->compiled = false;
                m->n_changes++;
                VLOG_DBG("conditions: %"PRIuSIZE" local ports, %"PRIuSIZE
                         " networks, %"PRIuSIZE" routers",
                         uuidset_count(&s->local), uuidset_count(&s->nets),
                         uuidset_count(&s->routers));
            }
            m->n_local = uuidset_count(&s->local);
            m->n_nets = uuidset_count(&s->nets);
            m->n_routers = uuidset_count(&s->routers);
            m->n_groups = uuidset_count(&s->groups);
            forget_last(m);
            m->last = s;
            m->conditional = true;
            m->gateway = in->gateway;
            m->vifs_hash = vifs_hash;
        }
        applied = ovsdb_idl_get_condition_seqno(in->idl) >= m->expected;
    }
    VLOG_DBG("run: expected %u, acked %u, compiled %d",
             m->expected, ovsdb_idl_get_condition_seqno(in->idl),
             m->compiled);
    m->converged = applied;
    m->ready |= applied;
    if (applied && !m->compiled) {
        m->compiled = true;
        return true;
    }
    return false;
}

void
nb_monitor_status(const struct nb_monitor *m, struct ovsdb_idl *idl,
                  struct ds *s)
{
    unsigned long long int rows = 0, bytes = 0;

    ds_put_cstr(s, "NB rows received:");
    for (size_t i = 0; i < NBREC_N_TABLES; i++) {
        ds_put_format(s, " %s=%llu", nbrec_table_classes[i].name,
                      m->n_updates[i]);
        rows += m->n_updates[i];
    }
    ds_put_cstr(s, "\nNB bytes received:");
    for (size_t i = 0; i < NBREC_N_TABLES; i++) {
        ds_put_format(s, " %s=%llu", nbrec_table_classes[i].name,
                      m->n_bytes[i]);
        bytes += m->n_bytes[i];
    }
    ds_put_format(s, "\nNB received: %llu rows, %llu bytes\n", rows, bytes);
    ds_put_cstr(s, "NB rows held:");
    for (size_t i = 0; i < NBREC_N_TABLES; i++) {
        const struct ovsdb_idl_row *row;
        size_t n = 0;
        for (row = ovsdb_idl_first_row(idl, &nbrec_table_classes[i]); row;
             row = ovsdb_idl_next_row(row)) {
            n++;
        }
        ds_put_format(s, " %s=%"PRIuSIZE, nbrec_table_classes[i].name, n);
    }
    ds_put_char(s, '\n');
    if (!m->conditional) {
        ds_put_cstr(s, "NB monitoring: all rows\n");
        return;
    }
    ds_put_format(s, "NB monitoring: conditional (%s%s), %"PRIuSIZE" local "
                  "ports, %"PRIuSIZE" networks, %"PRIuSIZE" routers, "
                  "%"PRIuSIZE" security groups, %llu condition changes "
                  "in %llu computations (%llu sent)\n",
                  m->gateway ? "gateway, " : "",
                  m->converged ? "applied" : "pending", m->n_local,
                  m->n_nets, m->n_routers, m->n_groups, m->n_changes,
                  m->n_computes, m->n_sends);
}

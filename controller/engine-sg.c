/*
 * controller/engine-sg: see engine-sg.h.
 */

#include <config.h>

#include "controller/engine-sg.h"

#include <stdlib.h>
#include <string.h>

#include "controller/bridges.h"
#include "controller/engine.h"
#include "controller/nb-monitor.h"
#include "flow.h"
#include "hash.h"
#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/flow.h"
#include "pipeline/sg.h"
#include "simap.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(engine_sg);

/* A member's address on its network (the network's local id: an address
 * stands for a member only on the member's network, pipeline/sg.h), with
 * the number of a group's member ports that have it. */
struct sg_addr {
    struct hmap_node node;
    struct in6_addr addr;
    uint16_t net;
    size_t refs;
};

struct group_state {
    struct hmap_node node;          /* In engine_sg's 'groups'. */
    struct uuid uuid;
    uint32_t id;                    /* Its reg5 id in flows (assign_ids()). */
    size_t n_local;                 /* Local filtered member ports. */
    struct hmap addrs;              /* Its members' addresses. */
    struct hmapx referrers;         /* Compiled groups whose rules name
                                     * this group as remote group. */

    /* Compiled: the row exists and has a local member. */
    bool compiled;
    uint64_t compiled_run;          /* The run that last compiled it. */
    struct sg_rules rules;
    struct uuid *remotes;           /* The remote groups of 'rules'. */
    size_t n_remotes;
    struct hmap addr_owners;        /* Addresses with flows ('refs' 1). */
};

struct port_state {
    struct hmap_node node;          /* In engine_sg's 'ports'. */
    struct uuid uuid;
    ofp_port_t ofport;              /* OFPP_NONE unless local. */
    bool filtered;
    struct uuid *groups;            /* Sorted. */
    size_t n_groups;
    struct in6_addr *addrs;         /* Sorted. */
    size_t n_addrs;
    uint16_t net;                   /* Its network's local id, 0 if none:
                                     * its addresses count only with one. */
};

/* The group of a rule, as of the group's last compile. */
struct rule_node {
    struct hmap_node node;
    struct uuid rule;
    struct uuid group;
};

/* A (group, address on a network) to recompile. */
struct pair_node {
    struct hmap_node node;
    struct group_state *group;
    struct in6_addr addr;
    uint16_t net;
};

struct engine_sg {
    struct hmap ports;
    struct hmap groups;
    struct hmap rules;              /* "struct rule_node"s. */
    uint64_t run;
    bool cleared;                   /* The next run is a full one. */
    const struct simap *lvids;      /* During a run: network -> local id. */
    const struct simap *subports;   /* During a run: local subport -> its
                                     * pseudo port (pipeline/trunk.h). */
    struct engine_sg_stats stats;
};

enum owner_kind {
    OWNER_PORT = 1,
    OWNER_GROUP = 2,
    OWNER_ADDR = 3,
};

/* The flow_set owner key of the flows of a port, a group or a (group,
 * address on a network): a 64-bit hash, so that these owners never collide
 * with one another or with the owners of L2 (keyed by their rows'
 * cookies). */
static uint64_t
owner_key(enum owner_kind kind, const struct uuid *uuid,
          const struct in6_addr *addr, uint16_t net)
{
    uint32_t hi = hash_bytes(uuid, sizeof *uuid, kind);
    uint32_t lo = hash_bytes(uuid, sizeof *uuid, kind + 0x53470000);

    if (addr) {
        hi = hash_int(net, hash_bytes(addr, sizeof *addr, hi));
        lo = hash_int(net, hash_bytes(addr, sizeof *addr, lo));
    }
    return ((uint64_t) hi << 32) | lo;
}

static uint32_t
addr_hash(const struct in6_addr *addr, uint16_t net)
{
    return hash_int(net, hash_bytes(addr, sizeof *addr, 0));
}

static struct sg_addr *
find_addr(const struct hmap *map, const struct in6_addr *addr, uint16_t net)
{
    struct sg_addr *a;

    HMAP_FOR_EACH_WITH_HASH (a, node, addr_hash(addr, net), map) {
        if (ipv6_addr_equals(&a->addr, addr) && a->net == net) {
            return a;
        }
    }
    return NULL;
}

static struct sg_addr *
add_addr(struct hmap *map, const struct in6_addr *addr, uint16_t net)
{
    struct sg_addr *a = xzalloc(sizeof *a);

    a->addr = *addr;
    a->net = net;
    hmap_insert(map, &a->node, addr_hash(addr, net));
    return a;
}

static void
clear_addrs(struct hmap *map)
{
    struct sg_addr *a;

    HMAP_FOR_EACH_POP (a, node, map) {
        free(a);
    }
}

struct engine_sg *
engine_sg_create(void)
{
    struct engine_sg *sg = xzalloc(sizeof *sg);

    hmap_init(&sg->ports);
    hmap_init(&sg->groups);
    hmap_init(&sg->rules);
    return sg;
}

static void
port_state_free(struct port_state *ps)
{
    free(ps->groups);
    free(ps->addrs);
    free(ps);
}

static void
group_state_free(struct group_state *g)
{
    clear_addrs(&g->addrs);
    hmap_destroy(&g->addrs);
    clear_addrs(&g->addr_owners);
    hmap_destroy(&g->addr_owners);
    hmapx_destroy(&g->referrers);
    sg_rules_destroy(&g->rules);
    free(g->remotes);
    free(g);
}

void
engine_sg_clear(struct engine_sg *sg)
{
    struct group_state *g;
    struct port_state *ps;
    struct rule_node *rn;

    HMAP_FOR_EACH_POP (ps, node, &sg->ports) {
        port_state_free(ps);
    }
    HMAP_FOR_EACH_POP (g, node, &sg->groups) {
        group_state_free(g);
    }
    HMAP_FOR_EACH_POP (rn, node, &sg->rules) {
        free(rn);
    }
    sg->cleared = true;
}

void
engine_sg_destroy(struct engine_sg *sg)
{
    if (sg) {
        engine_sg_clear(sg);
        hmap_destroy(&sg->ports);
        hmap_destroy(&sg->groups);
        hmap_destroy(&sg->rules);
        free(sg);
    }
}

static struct port_state *
find_port(const struct engine_sg *sg, const struct uuid *uuid)
{
    struct port_state *ps;

    HMAP_FOR_EACH_WITH_HASH (ps, node, uuid_hash(uuid), &sg->ports) {
        if (uuid_equals(&ps->uuid, uuid)) {
            return ps;
        }
    }
    return NULL;
}

static struct group_state *
find_group(const struct engine_sg *sg, const struct uuid *uuid)
{
    struct group_state *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, uuid_hash(uuid), &sg->groups) {
        if (uuid_equals(&g->uuid, uuid)) {
            return g;
        }
    }
    return NULL;
}

static struct group_state *
get_group(struct engine_sg *sg, const struct uuid *uuid)
{
    struct group_state *g = find_group(sg, uuid);

    if (!g) {
        g = xzalloc(sizeof *g);
        g->uuid = *uuid;
        g->id = sg_group_id(uuid);
        hmap_init(&g->addrs);
        hmap_init(&g->addr_owners);
        hmapx_init(&g->referrers);
        hmap_insert(&sg->groups, &g->node, uuid_hash(uuid));
    }
    return g;
}

static struct rule_node *
find_rule(const struct engine_sg *sg, const struct uuid *uuid)
{
    struct rule_node *rn;

    HMAP_FOR_EACH_WITH_HASH (rn, node, uuid_hash(uuid), &sg->rules) {
        if (uuid_equals(&rn->rule, uuid)) {
            return rn;
        }
    }
    return NULL;
}

static void
add_pair(struct hmap *pairs, struct group_state *g,
         const struct in6_addr *addr, uint16_t net)
{
    uint32_t hash = hash_pointer(g, addr_hash(addr, net));
    struct pair_node *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash, pairs) {
        if (p->group == g && ipv6_addr_equals(&p->addr, addr)
            && p->net == net) {
            return;
        }
    }
    p = xmalloc(sizeof *p);
    p->group = g;
    p->addr = *addr;
    p->net = net;
    hmap_insert(pairs, &p->node, hash);
}

/* Address 'addr' on network 'net' joined or left group 'r': the groups
 * whose rules name 'r' recompile their flows for it. */
static void
addr_changed(struct group_state *r, const struct in6_addr *addr,
             uint16_t net, struct hmap *pairs)
{
    struct hmapx_node *node;

    HMAPX_FOR_EACH (node, &r->referrers) {
        add_pair(pairs, node->data, addr, net);
    }
}

static void
ref_addr(struct engine_sg *sg, const struct uuid *group,
         const struct in6_addr *addr, uint16_t net, struct hmap *pairs)
{
    struct group_state *g = get_group(sg, group);
    struct sg_addr *a = find_addr(&g->addrs, addr, net);

    if (!a) {
        a = add_addr(&g->addrs, addr, net);
    }
    if (!a->refs++) {
        addr_changed(g, addr, net, pairs);
    }
}

static void
unref_addr(struct engine_sg *sg, const struct uuid *group,
           const struct in6_addr *addr, uint16_t net, struct hmap *pairs)
{
    struct group_state *g = find_group(sg, group);
    struct sg_addr *a = g ? find_addr(&g->addrs, addr, net) : NULL;

    if (a && !--a->refs) {
        hmap_remove(&g->addrs, &a->node);
        free(a);
        addr_changed(g, addr, net, pairs);
    }
}

static int
compare_uuids(const void *a, const void *b)
{
    return uuid_compare_3way(a, b);
}

static bool
same_membership(const struct port_state *a, const struct port_state *b)
{
    return (a->n_groups == b->n_groups && a->n_addrs == b->n_addrs
            && a->net == b->net
            && (!a->n_groups
                || !memcmp(a->groups, b->groups,
                           a->n_groups * sizeof *a->groups))
            && (!a->n_addrs
                || !memcmp(a->addrs, b->addrs,
                           a->n_addrs * sizeof *a->addrs)));
}

static bool
is_local_member(const struct port_state *ps)
{
    return ps->ofport != OFPP_NONE && ps->filtered;
}

/* Brings port 'uuid' up to date: its own flows, its contribution to its
 * groups' addresses (recompiles go to 'pairs') and local members (groups
 * that get their first or lose their last go to 'dirty_groups'). */
static void
update_port(struct engine_sg *sg, const struct engine_input *in,
            const struct uuid *uuid, struct hmapx *dirty_groups,
            struct hmap *pairs, struct flow_set *flows)
{
    const struct nbrec_port *row = NB_GET(port, in->nb_idl, uuid);
    struct port_state *ps = find_port(sg, uuid);
    struct port_state new;

    memset(&new, 0, sizeof new);
    new.uuid = *uuid;
    new.ofport = OFPP_NONE;
    if (row) {
        char key[UUID_LEN + 1];
        snprintf(key, sizeof key, UUID_FMT, UUID_ARGS(uuid));
        const struct simap_node *vif = simap_find(&in->ports->vifs, key);
        if (!vif) {
            vif = simap_find(sg->subports, key);
        }
        new.ofport = vif ? u16_to_ofp(vif->data) : OFPP_NONE;
        new.filtered = !sg_port_is_unfiltered(row);
        new.groups = xmalloc(row->n_security_groups * sizeof *new.groups);
        for (size_t i = 0; i < row->n_security_groups; i++) {
            new.groups[i] = row->security_groups[i]->header_.uuid;
        }
        new.n_groups = row->n_security_groups;
        qsort(new.groups, new.n_groups, sizeof *new.groups, compare_uuids);
        new.n_addrs = sg_port_addresses(row, &new.addrs);
        if (row->network) {
            char net[UUID_LEN + 1];
            snprintf(net, sizeof net, UUID_FMT,
                     UUID_ARGS(&row->network->header_.uuid));
            new.net = simap_get(sg->lvids, net);
        }
    }
    sg->stats.last_n_ports++;

    /* Membership: the port's addresses in each of its groups. */
    bool same = ps && same_membership(ps, &new);
    if (!same) {
        for (size_t i = 0; ps && ps->net && i < ps->n_groups; i++) {
            for (size_t j = 0; j < ps->n_addrs; j++) {
                unref_addr(sg, &ps->groups[i], &ps->addrs[j], ps->net,
                           pairs);
            }
        }
        for (size_t i = 0; new.net && i < new.n_groups; i++) {
            for (size_t j = 0; j < new.n_addrs; j++) {
                ref_addr(sg, &new.groups[i], &new.addrs[j], new.net, pairs);
            }
        }
    }

    /* Local members: a group has flows while it has one. */
    bool was_local = ps && is_local_member(ps);
    bool is_local = is_local_member(&new);
    if (!same || was_local != is_local) {
        for (size_t i = 0; was_local && i < ps->n_groups; i++) {
            struct group_state *g = find_group(sg, &ps->groups[i]);
            if (g && !--g->n_local) {
                hmapx_add(dirty_groups, g);
            }
        }
        for (size_t i = 0; is_local && i < new.n_groups; i++) {
            struct group_state *g = get_group(sg, &new.groups[i]);
            if (!g->n_local++) {
                hmapx_add(dirty_groups, g);
            }
        }
    }

    /* The port's own flows. */
    uint64_t owner = owner_key(OWNER_PORT, uuid, NULL, 0);
    if (new.ofport != OFPP_NONE) {
        uint32_t *ids = xmalloc(new.n_groups * sizeof *ids);
        for (size_t i = 0; i < new.n_groups; i++) {
            const struct group_state *g = find_group(sg, &new.groups[i]);
            ids[i] = g ? g->id : sg_group_id(&new.groups[i]);
        }
        struct sg_port port = {
            .cookie = flow_cookie_from_uuid(uuid),
            .ofport = new.ofport,
            .filtered = new.filtered,
            .group_ids = ids,
            .n_groups = new.n_groups,
        };
        struct flow_list list;
        flow_list_init(&list);
        sg_compile_port(&port, &list);
        flow_set_replace_owner(flows, owner, &list);
        flow_list_destroy(&list);
        free(ids);
    } else {
        flow_set_remove_owner(flows, owner);
    }

    if (!row) {
        if (ps) {
            hmap_remove(&sg->ports, &ps->node);
            port_state_free(ps);
        }
        free(new.groups);
        free(new.addrs);
        return;
    }
    if (!ps) {
        ps = xzalloc(sizeof *ps);
        hmap_insert(&sg->ports, &ps->node, uuid_hash(uuid));
    } else {
        free(ps->groups);
        free(ps->addrs);
    }
    *ps = (struct port_state) {
        .node = ps->node,
        .uuid = *uuid,
        .ofport = new.ofport,
        .filtered = new.filtered,
        .groups = new.groups,
        .n_groups = new.n_groups,
        .addrs = new.addrs,
        .n_addrs = new.n_addrs,
        .net = new.net,
    };
}

static bool
in_group(const struct uuid *group, const struct in6_addr *addr,
         uint16_t net, void *sg_)
{
    const struct engine_sg *sg = sg_;
    const struct group_state *g = find_group(sg, group);

    return g && find_addr(&g->addrs, addr, net);
}

/* Recompiles the flows of compiled group 'g' for remote address 'addr' on
 * network 'net'. */
static void
compile_pair(struct engine_sg *sg, struct group_state *g,
             const struct in6_addr *addr, uint16_t net,
             struct flow_set *flows)
{
    uint64_t owner = owner_key(OWNER_ADDR, &g->uuid, addr, net);
    struct sg_addr *a = find_addr(&g->addr_owners, addr, net);
    struct flow_list list;

    flow_list_init(&list);
    if (g->compiled) {
        sg_compile_remote_address(&g->rules, g->id,
                                  flow_cookie_from_uuid(&g->uuid), addr, net,
                                  in_group, sg, &list);
    }
    /* (Also without flows: the set records the flows the list refused.) */
    bool any = flow_list_size(&list) > 0;
    flow_set_replace_owner(flows, owner, &list);
    if (any) {
        if (!a) {
            add_addr(&g->addr_owners, addr, net);
        }
    } else {
        if (a) {
            hmap_remove(&g->addr_owners, &a->node);
            free(a);
        }
    }
    flow_list_destroy(&list);
    sg->stats.last_n_addresses++;
}

static void
log_errors(struct engine_sg *sg, const struct svec *errors)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(20, 50);
    const char *error;
    size_t i;

    SVEC_FOR_EACH (i, error, errors) {
        VLOG_WARN_RL(&rl, "skipped: %s", error);
        sg->stats.n_errors++;
    }
}

/* Leaves out of 'rules' those whose remote group this node does not
 * monitor (yet) (controller/nb-monitor): the weak reference is then only in
 * the row's raw datum, and parsed without it a rule would match every
 * source.  They come back once the group's rows have arrived (not an
 * invalid rule: not counted as skipped). */
static void
drop_unknown_remotes(const struct engine_input *in, struct sg_rules *rules)
{
    size_t n = 0;

    for (size_t i = 0; i < rules->n; i++) {
        const struct sg_rule *r = &rules->rules[i];
        const struct nbrec_security_group_rule *row
            = NB_GET(security_group_rule, in->nb_idl, &r->uuid);
        const struct ovsdb_datum *d
            = row && !r->has_remote_group
              ? ovsdb_idl_read(&row->header_,
                               &nbrec_security_group_rule_col_remote_group)
              : NULL;
        if (d && d->n) {
            VLOG_DBG("security group "UUID_FMT" rule "UUID_FMT": remote "
                     "group "UUID_FMT" not known here yet: left out",
                     UUID_ARGS(&rules->group), UUID_ARGS(&r->uuid),
                     UUID_ARGS(&d->keys[0].uuid));
        } else {
            rules->rules[n++] = *r;
        }
    }
    rules->n = n;
}

/* Recompiles group 'g': its rules' flows, and those of every address of
 * the remote groups they name. */
static void
compile_group(struct engine_sg *sg, const struct engine_input *in,
              struct group_state *g, struct flow_set *flows)
{
    const struct nbrec_security_group *row
        = NB_GET(security_group, in->nb_idl, &g->uuid);
    uint64_t owner = owner_key(OWNER_GROUP, &g->uuid, NULL, 0);

    /* Undo the previous compile's links. */
    for (size_t i = 0; i < g->n_remotes; i++) {
        struct group_state *r = find_group(sg, &g->remotes[i]);
        if (r) {
            hmapx_find_and_delete(&r->referrers, g);
        }
    }
    free(g->remotes);
    g->remotes = NULL;
    g->n_remotes = 0;
    sg_rules_destroy(&g->rules);
    struct rule_node *rn;
    HMAP_FOR_EACH_SAFE (rn, node, &sg->rules) {
        if (uuid_equals(&rn->group, &g->uuid)) {
            hmap_remove(&sg->rules, &rn->node);
            free(rn);
        }
    }

    g->compiled = row && g->n_local > 0;
    g->compiled_run = sg->run;
    sg->stats.last_n_groups++;
    struct hmap old_owners;
    hmap_init(&old_owners);
    hmap_swap(&old_owners, &g->addr_owners);
    if (!g->compiled) {
        flow_set_remove_owner(flows, owner);
    } else {
        struct svec errors = SVEC_EMPTY_INITIALIZER;
        sg_rules_parse(row, &g->rules, &errors);
        drop_unknown_remotes(in, &g->rules);
        log_errors(sg, &errors);
        svec_destroy(&errors);
        for (size_t i = 0; i < row->n_rules; i++) {
            rn = xmalloc(sizeof *rn);
            rn->rule = row->rules[i]->header_.uuid;
            rn->group = g->uuid;
            hmap_insert(&sg->rules, &rn->node, uuid_hash(&rn->rule));
        }

        struct flow_list list;
        flow_list_init(&list);
        sg_compile_group(&g->rules, g->id,
                         flow_cookie_from_uuid(&g->uuid), &list);
        flow_set_replace_owner(flows, owner, &list);
        flow_list_destroy(&list);

        /* The remote groups, each once, and their addresses. */
        g->remotes = xmalloc(g->rules.n * sizeof *g->remotes);
        for (size_t i = 0; i < g->rules.n; i++) {
            const struct sg_rule *r = &g->rules.rules[i];
            bool seen = false;
            for (size_t j = 0; r->has_remote_group && j < g->n_remotes; j++) {
                seen = seen || uuid_equals(&g->remotes[j], &r->remote_group);
            }
            if (r->has_remote_group && !seen) {
                g->remotes[g->n_remotes++] = r->remote_group;
            }
        }
        for (size_t i = 0; i < g->n_remotes; i++) {
            struct group_state *remote = get_group(sg, &g->remotes[i]);
            struct sg_addr *a;
            hmapx_add(&remote->referrers, g);
            HMAP_FOR_EACH (a, node, &remote->addrs) {
                if (!find_addr(&g->addr_owners, &a->addr, a->net)) {
                    compile_pair(sg, g, &a->addr, a->net, flows);
                }
            }
        }
    }

    /* Addresses that no longer have flows. */
    struct sg_addr *a;
    HMAP_FOR_EACH_POP (a, node, &old_owners) {
        if (!find_addr(&g->addr_owners, &a->addr, a->net)) {
            flow_set_remove_owner(flows, owner_key(OWNER_ADDR, &g->uuid,
                                                   &a->addr, a->net));
        }
        free(a);
    }
    hmap_destroy(&old_owners);
}

/* Gives the groups that have flows (a row and a local member) reg5 ids
 * unique among them, by sg_assign_group_ids(): so two groups whose UUIDs
 * share their first 32 bits never share flows, and the ids depend only on
 * the set of groups (a restart gives the same flows).  A group whose id
 * changes is recompiled, and so are its local members' port flows. */
static void
assign_ids(struct engine_sg *sg, const struct engine_input *in,
           struct hmapx *dirty_groups, struct hmap *pairs,
           struct flow_set *flows)
{
    struct uuid *uuids = xmalloc(hmap_count(&sg->groups) * sizeof *uuids);
    struct hmapx renumbered = HMAPX_INITIALIZER(&renumbered);
    struct group_state *g;
    size_t n = 0;

    HMAP_FOR_EACH (g, node, &sg->groups) {
        if (g->n_local
            && NB_GET(security_group, in->nb_idl, &g->uuid)) {
            uuids[n++] = g->uuid;
        }
    }
    qsort(uuids, n, sizeof *uuids, compare_uuids);
    uint32_t *ids = xmalloc(n * sizeof *ids);
    sg_assign_group_ids(uuids, n, ids);
    for (size_t i = 0; i < n; i++) {
        g = find_group(sg, &uuids[i]);
        if (g->id != ids[i]) {
            if (ids[i] != sg_group_id(&g->uuid)) {
                VLOG_INFO("security group "UUID_FMT": reg5 id %#"PRIx32
                          " is another group's, using %#"PRIx32,
                          UUID_ARGS(&g->uuid), sg_group_id(&g->uuid),
                          ids[i]);
            }
            g->id = ids[i];
            hmapx_add(dirty_groups, g);
            hmapx_add(&renumbered, g);
        }
    }
    free(ids);
    free(uuids);
    if (hmapx_is_empty(&renumbered)) {
        return;
    }

    /* The port flows of their local members load the new ids. */
    struct uuid *ports = xmalloc(hmap_count(&sg->ports) * sizeof *ports);
    struct port_state *ps;
    size_t n_ports = 0;
    HMAP_FOR_EACH (ps, node, &sg->ports) {
        for (size_t j = 0; is_local_member(ps) && j < ps->n_groups; j++) {
            g = find_group(sg, &ps->groups[j]);
            if (g && hmapx_contains(&renumbered, g)) {
                ports[n_ports++] = ps->uuid;
                break;
            }
        }
    }
    for (size_t i = 0; i < n_ports; i++) {
        update_port(sg, in, &ports[i], dirty_groups, pairs, flows);
    }
    free(ports);
    hmapx_destroy(&renumbered);
}

void
engine_sg_run(struct engine_sg *sg, const struct engine_input *in,
              const struct simap *lvids, const struct simap *subports,
              const struct uuid *ports, size_t n_ports,
              struct flow_set *flows)
{
    struct hmapx dirty_groups = HMAPX_INITIALIZER(&dirty_groups);
    struct hmap pairs = HMAP_INITIALIZER(&pairs);
    const struct nbrec_security_group_rule *rule;
    const struct nbrec_security_group *row;
    struct hmapx_node *hn;

    long long int start = time_usec();
    sg->run++;
    sg->lvids = lvids;
    sg->subports = subports;
    sg->stats.last_n_ports = 0;
    sg->stats.last_n_groups = 0;
    sg->stats.last_n_addresses = 0;

    /* Groups whose rules changed. */
    NBREC_SECURITY_GROUP_FOR_EACH_TRACKED (row, in->nb_idl) {
        struct group_state *g = find_group(sg, &row->header_.uuid);
        if (g) {
            hmapx_add(&dirty_groups, g);
        }
    }
    NBREC_SECURITY_GROUP_RULE_FOR_EACH_TRACKED (rule, in->nb_idl) {
        const struct rule_node *rn = find_rule(sg, &rule->header_.uuid);
        struct group_state *g = rn ? find_group(sg, &rn->group) : NULL;
        if (g) {
            hmapx_add(&dirty_groups, g);
        }
    }

    for (size_t i = 0; i < n_ports; i++) {
        update_port(sg, in, &ports[i], &dirty_groups, &pairs, flows);
    }
    if (!hmapx_is_empty(&dirty_groups)) {
        assign_ids(sg, in, &dirty_groups, &pairs, flows);
    }
    HMAPX_FOR_EACH (hn, &dirty_groups) {
        compile_group(sg, in, hn->data, flows);
    }

    struct pair_node *p;
    HMAP_FOR_EACH_POP (p, node, &pairs) {
        if (p->group->compiled && p->group->compiled_run != sg->run) {
            compile_pair(sg, p->group, &p->addr, p->net, flows);
        }
        free(p);
    }
    hmap_destroy(&pairs);

    /* Forget deleted groups that nothing refers to any more. */
    HMAPX_FOR_EACH (hn, &dirty_groups) {
        struct group_state *g = hn->data;
        if (!g->compiled && !g->n_local && hmap_is_empty(&g->addrs)
            && hmapx_is_empty(&g->referrers)
            && !NB_GET(security_group, in->nb_idl, &g->uuid)) {
            hmap_remove(&sg->groups, &g->node);
            group_state_free(g);
        }
    }
    hmapx_destroy(&dirty_groups);
    sg->lvids = NULL;
    sg->subports = NULL;
    sg->stats.last_usec = time_usec() - start;
    if (sg->cleared) {
        sg->stats.last_full_usec = sg->stats.last_usec;
        sg->cleared = false;
    }
}

const struct engine_sg_stats *
engine_sg_get_stats(const struct engine_sg *sg)
{
    return &sg->stats;
}

void
engine_sg_format(const struct engine_sg *sg, struct ds *s)
{
    const struct group_state *g;
    const struct port_state *ps;

    HMAP_FOR_EACH (ps, node, &sg->ports) {
        if (ps->ofport == OFPP_NONE) {
            continue;
        }
        ds_put_format(s, "port "UUID_FMT" ofport %d: %s", UUID_ARGS(&ps->uuid),
                      ofp_to_u16(ps->ofport),
                      ps->filtered ? "filtered" : "not filtered");
        for (size_t i = 0; ps->filtered && i < ps->n_groups; i++) {
            ds_put_format(s, "%s"UUID_FMT, i ? ", " : ", groups ",
                          UUID_ARGS(&ps->groups[i]));
        }
        ds_put_char(s, '\n');
    }
    HMAP_FOR_EACH (g, node, &sg->groups) {
        if (g->compiled) {
            ds_put_format(s, "group "UUID_FMT" (reg5=0x%"PRIx32"): %"PRIuSIZE
                          " local ports, %"PRIuSIZE" rules, %"PRIuSIZE
                          " remote groups, %"PRIuSIZE" remote addresses\n",
                          UUID_ARGS(&g->uuid), g->id,
                          g->n_local, g->rules.n, g->n_remotes,
                          hmap_count(&g->addr_owners));
        }
    }
}

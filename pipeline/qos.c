/*
 * pipeline/qos: see qos.h.
 */

#include <config.h>

#include "pipeline/qos.h"

#include <inttypes.h>
#include <string.h>

#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "hash.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/actions.h"
#include "pipeline/flow.h"
#include "pipeline/tables.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"

bool
qos_dscp_is_valid(int64_t mark)
{
    static const int valid[] = {
        0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38,
        40, 46, 48, 56,
    };

    for (size_t i = 0; i < ARRAY_SIZE(valid); i++) {
        if (mark == valid[i]) {
            return true;
        }
    }
    return false;
}

const struct nbrec_qos_policy *
qos_effective_policy(const struct nbrec_port *port)
{
    if (port->qos_policy) {
        return port->qos_policy;
    }
    if (port->network && port->network->qos_policy
        && strncmp(port->device_owner, "network:", 8)) {
        return port->network->qos_policy;
    }
    return NULL;
}

static void
skip_rule(struct svec *errors, const struct nbrec_qos_policy *policy,
          const struct nbrec_qos_rule *rule, const char *why)
{
    svec_add_nocopy(errors, xasprintf("QoS policy "UUID_FMT" rule "UUID_FMT
                                      " skipped: %s",
                                      UUID_ARGS(&policy->header_.uuid),
                                      UUID_ARGS(&rule->header_.uuid), why));
}

/* Rules in a stable order (by UUID), so that which of two conflicting
 * rules is skipped does not depend on the IDL's order. */
static int
compare_rules(const void *a_, const void *b_)
{
    const struct nbrec_qos_rule *const *a = a_;
    const struct nbrec_qos_rule *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

bool
qos_policy_limits(const struct nbrec_qos_policy *policy,
                  struct qos_limits *limits, struct svec *errors)
{
    memset(limits, 0, sizeof *limits);
    limits->dscp = -1;
    if (!policy || !policy->n_rules) {
        return false;
    }

    const struct nbrec_qos_rule **rules
        = xmemdup(policy->rules, policy->n_rules * sizeof *policy->rules);
    qsort(rules, policy->n_rules, sizeof *rules, compare_rules);
    for (size_t i = 0; i < policy->n_rules; i++) {
        const struct nbrec_qos_rule *rule = rules[i];

        if (!strcmp(rule->type, "bandwidth_limit")) {
            bool egress = strcmp(rule->direction, "ingress");
            struct qos_limit *l = egress ? &limits->egress : &limits->ingress;
            if (!rule->n_max_kbps || rule->max_kbps[0] <= 0
                || rule->max_kbps[0] > UINT32_MAX / 1000) {
                skip_rule(errors, policy, rule, "max_kbps out of range");
                continue;
            }
            int64_t burst = (rule->n_max_burst_kbps
                             ? rule->max_burst_kbps[0] : 0);
            if (burst < 0 || burst > UINT32_MAX / 1000) {
                skip_rule(errors, policy, rule,
                          "max_burst_kbps out of range");
                continue;
            }
            if (l->kbps) {
                skip_rule(errors, policy, rule, "a second bandwidth limit "
                          "rule of the same direction");
                continue;
            }
            l->kbps = rule->max_kbps[0];
            /* Neutron's OVS agent: burst 0 means 80% of the rate. */
            l->burst_kbits = burst ? burst : MAX(1, l->kbps * 8 / 10);
        } else if (!strcmp(rule->type, "dscp_marking")) {
            if (!rule->n_dscp_mark || !qos_dscp_is_valid(rule->dscp_mark[0])) {
                skip_rule(errors, policy, rule, "invalid DSCP mark");
                continue;
            }
            if (limits->dscp >= 0) {
                skip_rule(errors, policy, rule,
                          "a second DSCP marking rule");
                continue;
            }
            limits->dscp = rule->dscp_mark[0];
        } else {
            skip_rule(errors, policy, rule, "unknown rule type");
        }
    }
    free(rules);
    return limits->egress.kbps || limits->ingress.kbps || limits->dscp >= 0;
}

void
qos_compile_port(ofp_port_t ofport, const struct qos_limits *limits,
                 uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* What the VM sends: its meter, then its DSCP mark on IP. */
    if (limits->dscp >= 0) {
        static const uint16_t dl_types[] = { ETH_TYPE_IP, ETH_TYPE_IPV6 };
        for (size_t i = 0; i < ARRAY_SIZE(dl_types); i++) {
            ofpbuf_clear(&ofpacts);
            if (limits->egress.kbps) {
                put_parsed(&ofpacts, "meter:%"PRIu32",",
                           QOS_EGRESS_METER(ofport));
            }
            put_parsed(&ofpacts, "set_field:%d->ip_dscp", limits->dscp);
            put_goto(&ofpacts, T_PORT_SEC);
            match_init_catchall(&match);
            match_set_in_port(&match, ofport);
            match_set_dl_type(&match, htons(dl_types[i]));
            flow_list_add(flows, T_QOS_EGRESS, 110, cookie, &match,
                          &ofpacts);
        }
    }
    if (limits->egress.kbps) {
        ofpbuf_clear(&ofpacts);
        put_parsed(&ofpacts, "meter:%"PRIu32, QOS_EGRESS_METER(ofport));
        put_goto(&ofpacts, T_PORT_SEC);
        match_init_catchall(&match);
        match_set_in_port(&match, ofport);
        flow_list_add(flows, T_QOS_EGRESS, 100, cookie, &match, &ofpacts);
    }

    /* What it receives. */
    if (limits->ingress.kbps) {
        ofpbuf_clear(&ofpacts);
        put_parsed(&ofpacts, "meter:%"PRIu32, QOS_INGRESS_METER(ofport));
        put_goto(&ofpacts, T_OUTPUT);
        match_init_catchall(&match);
        match_set_reg(&match, REG_OUTPORT, ofp_to_u16(ofport));
        flow_list_add(flows, T_QOS_INGRESS, 100, cookie, &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

void
qos_compile_skeleton(struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    put_goto(&ofpacts, T_PORT_SEC);
    flow_list_add(flows, T_QOS_EGRESS, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_clear(&ofpacts);
    put_goto(&ofpacts, T_OUTPUT);
    flow_list_add(flows, T_QOS_INGRESS, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Meters. */

void
qos_meters_init(struct qos_meters *m)
{
    hmap_init(&m->map);
    m->seqno = 0;
}

void
qos_meters_destroy(struct qos_meters *m)
{
    struct qos_meter *qm;

    HMAP_FOR_EACH_POP (qm, node, &m->map) {
        free(qm);
    }
    hmap_destroy(&m->map);
}

const struct qos_meter *
qos_meters_find(const struct qos_meters *m, uint32_t id)
{
    const struct qos_meter *qm;

    HMAP_FOR_EACH_WITH_HASH (qm, node, hash_int(id, 0), &m->map) {
        if (qm->id == id) {
            return qm;
        }
    }
    return NULL;
}

void
qos_meters_clear(struct qos_meters *m)
{
    struct qos_meter *qm;

    if (!hmap_is_empty(&m->map)) {
        HMAP_FOR_EACH_POP (qm, node, &m->map) {
            free(qm);
        }
        m->seqno++;
    }
}

size_t
qos_meters_count(const struct qos_meters *m)
{
    return hmap_count(&m->map);
}

bool
qos_meters_put(struct qos_meters *m, uint32_t id, const struct qos_limit *l,
          uint64_t cookie)
{
    struct qos_meter *qm = CONST_CAST(struct qos_meter *,
                                      qos_meters_find(m, id));
    if (!qm) {
        qm = xzalloc(sizeof *qm);
        qm->id = id;
        hmap_insert(&m->map, &qm->node, hash_int(id, 0));
    } else if (qm->kbps == l->kbps && qm->burst_kbits == l->burst_kbits
               && qm->cookie == cookie) {
        return false;
    }
    qm->kbps = l->kbps;
    qm->burst_kbits = l->burst_kbits;
    qm->cookie = cookie;
    return true;
}

void
qos_meters_set_port(struct qos_meters *m, uint64_t cookie,
                    ofp_port_t ofport, const struct qos_limits *limits)
{
    qos_meters_set(m, cookie, QOS_EGRESS_METER(ofport),
                   QOS_INGRESS_METER(ofport), limits);
}

void
qos_meters_set(struct qos_meters *m, uint64_t cookie, uint32_t egress_id,
               uint32_t ingress_id, const struct qos_limits *limits)
{
    uint32_t keep[2] = { 0, 0 };
    bool changed = false;

    if (limits && limits->egress.kbps) {
        keep[0] = egress_id;
        changed |= qos_meters_put(m, keep[0], &limits->egress, cookie);
    }
    if (limits && limits->ingress.kbps) {
        keep[1] = ingress_id;
        changed |= qos_meters_put(m, keep[1], &limits->ingress, cookie);
    }

    struct qos_meter *qm;
    HMAP_FOR_EACH_SAFE (qm, node, &m->map) {
        if (qm->cookie == cookie && qm->id != keep[0] && qm->id != keep[1]) {
            hmap_remove(&m->map, &qm->node);
            free(qm);
            changed = true;
        }
    }
    if (changed) {
        m->seqno++;
    }
}

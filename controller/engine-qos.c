/*
 * controller/engine-qos: the engine's QoS (engine-private.h).
 *
 * QoS is part of a port's own flows: engine_port_compile() calls
 * engine_qos_compile_port() for a local VIF, whose flows take the port's
 * cookie, and which replaces the port's meters in the engine's desired
 * meter set (controller/ofctrl installs them on br-int).  A port's QoS
 * comes from its row (qos_policy), its network's row (qos_policy) and the
 * policy's rules: changes of the first two already recompile the port
 * (ENGINE_SRC_NB_PORT, ENGINE_SRC_NB_NETWORK); a changed policy (its rules
 * included: the IDL tracks a policy when one of its rules changes)
 * recompiles the local ports it applies to (engine_nb_qos_dirty_ports).
 * The IDL also tracks a port or network when a policy it refers to (or
 * that policy's rule) changes, so those edges restate what the port's own
 * edge already does; they keep the dependency explicit in engine_edges[].
 * tests/component/test-engine-diff.c generates QoS changes and compares
 * the meters too.
 *
 * A floating IP's policy (dvr/engine-fip.c) is compiled with the floating
 * IP: a changed policy or rule dirties the floating IPs that use it
 * (engine_nb_qos_dirty_fips, engine_nb_qos_rule_dirty_fips); the
 * monitored floating IPs are those this node needs, so all are looked at.
 * So is a router's gateway policy (dvr/engine-router.c), for the routers
 * (engine_nb_qos_dirty_routers, engine_nb_qos_rule_dirty_routers).
 */

#include <config.h>

#include "controller/engine-private.h"

#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/qos.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"

static bool
policy_is(const struct nbrec_qos_policy *p, const struct uuid *uuid)
{
    return p && uuid_equals(&p->header_.uuid, uuid);
}

/* Edge: the local ports that use a changed policy, directly or through
 * their network. */
void
engine_nb_qos_dirty_ports(const struct engine *e,
                          const struct engine_input *in,
                          const struct engine_change *change,
                          struct uuid_set *dirty)
{
    const struct port_state *ps;

    HMAP_FOR_EACH (ps, node, &e->ports) {
        if (ps->loc != L2_PORT_LOCAL) {
            continue;
        }
        const struct nbrec_port *row = engine_port_row(in, &ps->uuid);
        if (row && (policy_is(row->qos_policy, change->uuid)
                    || policy_is(row->network->qos_policy, change->uuid))) {
            uuid_set_add(dirty, &ps->uuid);
        }
    }
}

/* Walks 'policy_edge' for the policies that hold the changed rule of
 * 'change' (a rule changed in place may not track its policy in every IDL
 * version). */
static void
rule_dirties_as_policy(const struct engine *e, const struct engine_input *in,
                       const struct engine_change *change,
                       struct uuid_set *dirty, engine_dirty_fn *policy_edge)
{
    const struct nbrec_qos_policy *policy;

    NBREC_QOS_POLICY_FOR_EACH (policy, in->nb_idl) {
        for (size_t i = 0; i < policy->n_rules; i++) {
            if (uuid_equals(&policy->rules[i]->header_.uuid,
                            change->uuid)) {
                struct engine_change c = {
                    .source = ENGINE_SRC_NB_QOS,
                    .uuid = &policy->header_.uuid,
                    .row = &policy->header_,
                };
                policy_edge(e, in, &c, dirty);
                break;
            }
        }
    }
}

/* Edge: the ports whose policy has a changed rule. */
void
engine_nb_qos_rule_dirty_ports(const struct engine *e,
                               const struct engine_input *in,
                               const struct engine_change *change,
                               struct uuid_set *dirty)
{
    rule_dirties_as_policy(e, in, change, dirty,
                           engine_nb_qos_dirty_ports);
}

/* Edge: the floating IPs that use a changed policy. */
void
engine_nb_qos_dirty_fips(const struct engine *e OVS_UNUSED,
                         const struct engine_input *in,
                         const struct engine_change *change,
                         struct uuid_set *dirty)
{
    const struct nbrec_floating_ip *fip;

    NBREC_FLOATING_IP_FOR_EACH (fip, in->nb_idl) {
        if (policy_is(fip->qos_policy, change->uuid)) {
            uuid_set_add(dirty, &fip->header_.uuid);
        }
    }
}

/* Edge: the floating IPs whose policy has a changed rule. */
void
engine_nb_qos_rule_dirty_fips(const struct engine *e,
                              const struct engine_input *in,
                              const struct engine_change *change,
                              struct uuid_set *dirty)
{
    rule_dirties_as_policy(e, in, change, dirty,
                           engine_nb_qos_dirty_fips);
}

/* Edge: the routers whose gateway uses a changed policy. */
void
engine_nb_qos_dirty_routers(const struct engine *e OVS_UNUSED,
                            const struct engine_input *in,
                            const struct engine_change *change,
                            struct uuid_set *dirty)
{
    const struct nbrec_router *router;

    NBREC_ROUTER_FOR_EACH (router, in->nb_idl) {
        if (policy_is(router->gateway_qos_policy, change->uuid)) {
            uuid_set_add(dirty, &router->header_.uuid);
        }
    }
}

/* Edge: the routers whose gateway policy has a changed rule. */
void
engine_nb_qos_rule_dirty_routers(const struct engine *e,
                                 const struct engine_input *in,
                                 const struct engine_change *change,
                                 struct uuid_set *dirty)
{
    rule_dirties_as_policy(e, in, change, dirty,
                           engine_nb_qos_dirty_routers);
}

void
engine_qos_compile_port(struct engine *e, const struct nbrec_port *row,
                        ofp_port_t ofport, uint64_t cookie,
                        struct flow_list *flows)
{
    struct svec errors = SVEC_EMPTY_INITIALIZER;
    struct qos_limits limits;

    if (qos_policy_limits(qos_effective_policy(row), &limits, &errors)) {
        qos_compile_port(ofport, &limits, cookie, flows);
        qos_meters_set_port(&e->qos_meters, cookie, ofport, &limits);
    } else {
        qos_meters_set_port(&e->qos_meters, cookie, ofport, NULL);
    }
    for (size_t i = 0; i < errors.n; i++) {
        engine_log_error(e, errors.names[i]);
        errors.names[i] = NULL;
    }
    svec_destroy(&errors);
}

/* Forgets the meters of the port with 'cookie'. */
void
engine_qos_remove_port(struct engine *e, uint64_t cookie)
{
    qos_meters_set_port(&e->qos_meters, cookie, OFPP_NONE, NULL);
}

const struct qos_meters *
engine_qos_meters(const struct engine *e)
{
    return &e->qos_meters;
}

/*
 * api/qos: Neutron's QoS extension ("qos", "qos-bw-limit-direction"): the
 * resources qos/policies, qos/policies/ID/bandwidth_limit_rules and
 * qos/policies/ID/dscp_marking_rules on the NB QoS_Policy and QoS_Rule
 * tables, and the "qos_policy_id" attribute of ports, networks, floating
 * IPs (extension "qos-fip") and router gateways ("qos-gateway-ip")
 * (api_qos_policy_attr(), used by api/port.c, api/network.c,
 * api/floatingip.c and api/router.c).
 *
 * Rules are non-root rows owned by their policy (QoS_Policy.rules), so
 * deleting a policy deletes its rules.  Ports, networks, floating IPs and
 * router gateways refer to a policy strongly: a policy in use cannot be
 * deleted (409, as Neutron's QosPolicyInUse).  Refused, writing nothing: a
 * bandwidth limit of 0, a
 * negative or non-integer value, a DSCP mark outside Neutron's list, a
 * second bandwidth limit rule of the same direction or a second DSCP rule
 * in one policy (409), a policy id that does not exist (404).
 */

#include <config.h>

#include "api/json-compat.h"

#include <string.h>

#include "openvswitch/vlog.h"
#include "pipeline/qos.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "api/core.h"
#include "api/policy.h"

VLOG_DEFINE_THIS_MODULE(api_qos);

#define QOS_INT_MAX 2147483647

static const struct attr_spec policy_attrs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "shared", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "is_default", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static const char *const directions[] = { "egress", "ingress", NULL };

static const struct attr_spec bw_attrs[] = {
    { "max_kbps", ATTR_INT, ATTR_POST | ATTR_PUT | ATTR_REQUIRED, 1,
      QOS_INT_MAX, NULL, NULL },
    { "max_burst_kbps", ATTR_INT, ATTR_POST | ATTR_PUT, 0, QOS_INT_MAX,
      NULL, NULL },
    { "direction", ATTR_ENUM, ATTR_POST | ATTR_PUT, 0, 0, directions, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static char *
check_dscp(const json_t *v)
{
    int64_t mark;
    if (validate_get_int(v, &mark) && qos_dscp_is_valid(mark)) {
        return NULL;
    }
    return xstrdup("Invalid input for dscp_mark. Reason: value is not one "
                   "of 0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, "
                   "32, 34, 36, 38, 40, 46, 48, 56.");
}

static const struct attr_spec dscp_attrs[] = {
    { "dscp_mark", ATTR_INT, ATTR_POST | ATTR_PUT | ATTR_REQUIRED, 0, 63,
      NULL, check_dscp },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static bool
is_bw(const struct nbrec_qos_rule *rule)
{
    return !strcmp(rule->type, "bandwidth_limit");
}

/* The JSON of 'rule'; with its type and policy for a policy's list. */
static json_t *
rule_json(const struct nbrec_qos_rule *rule,
          const struct nbrec_qos_policy *policy, bool in_list)
{
    json_t *obj = json_object();
    api_set_uuid(obj, "id", &rule->header_);
    if (is_bw(rule)) {
        json_object_set_new(obj, "max_kbps",
                            rule->n_max_kbps
                            ? json_integer(rule->max_kbps[0]) : json_null());
        json_object_set_new(obj, "max_burst_kbps",
                            json_integer(rule->n_max_burst_kbps
                                         ? rule->max_burst_kbps[0] : 0));
        json_object_set_new(obj, "direction", json_string(rule->direction));
    } else {
        json_object_set_new(obj, "dscp_mark",
                            rule->n_dscp_mark
                            ? json_integer(rule->dscp_mark[0])
                            : json_null());
    }
    if (in_list) {
        json_object_set_new(obj, "type", json_string(rule->type));
        api_set_uuid(obj, "qos_policy_id",
                     policy ? &policy->header_ : NULL);
    }
    return obj;
}

static json_t *
policy_render(struct api_ctx *ctx OVS_UNUSED,
              const struct ovsdb_idl_row *row_)
{
    const struct nbrec_qos_policy *p = API_ROW(nbrec_qos_policy, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &p->header_);
    json_object_set_new(obj, "name", json_string(p->name));
    json_object_set_new(obj, "description", json_string(p->description));
    json_object_set_new(obj, "shared", json_boolean(p->shared));
    json_object_set_new(obj, "is_default", json_false());
    json_t *rules = json_array();
    for (size_t i = 0; i < p->n_rules; i++) {
        json_array_append_new(rules, rule_json(p->rules[i], p, true));
    }
    json_object_set_new(obj, "rules", rules);
    api_add_std_attrs(obj, &p->external_ids, p->project_id);
    return obj;
}

static bool
check_is_default(struct api_ctx *ctx, const json_t *obj)
{
    if (api_json_bool(obj, "is_default", false)) {
        return api_bad_request(ctx, xstrdup("Default QoS policies are not "
                                            "supported."));
    }
    return true;
}

static void
policy_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, policy_attrs,
                                  ARRAY_SIZE(policy_attrs), &project);
    if (!obj || !check_is_default(ctx, obj)) {
        return;
    }
    struct nbrec_qos_policy *p
        = nbrec_qos_policy_insert_persist_uuid(api_txn(ctx),
                                               &ctx->create_uuid);
    nbrec_qos_policy_set_name(p, api_json_string(obj, "name", ""));
    nbrec_qos_policy_set_description(p, api_json_string(obj, "description",
                                                        ""));
    nbrec_qos_policy_set_project_id(p, project);
    nbrec_qos_policy_set_shared(p, api_json_bool(obj, "shared", false));
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_qos_policy_set_external_ids(p, &ids);
    smap_destroy(&ids);
    api_set_created(ctx, &p->header_);
}

static void
stamp_policy(const struct nbrec_qos_policy *p)
{
    struct smap ids;
    smap_clone(&ids, &p->external_ids);
    api_stamp(&ids, false);
    nbrec_qos_policy_set_external_ids(p, &ids);
    smap_destroy(&ids);
}

static void
policy_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_qos_policy *p = API_ROW(nbrec_qos_policy, row);
    json_t *obj = api_body_member(ctx, policy_attrs, ARRAY_SIZE(policy_attrs),
                                  VALIDATE_UPDATE);
    if (!obj || !check_is_default(ctx, obj)) {
        return;
    }
    api_txn(ctx);
    if (json_object_get(obj, "name")) {
        nbrec_qos_policy_set_name(p, api_json_string(obj, "name", ""));
    }
    if (json_object_get(obj, "description")) {
        nbrec_qos_policy_set_description(
            p, api_json_string(obj, "description", ""));
    }
    if (json_object_get(obj, "shared")) {
        nbrec_qos_policy_set_shared(p, api_json_bool(obj, "shared", false));
    }
    stamp_policy(p);
    ctx->finish = api_finish_row;
}

static void
policy_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_qos_policy *p = API_ROW(nbrec_qos_policy, row);
    const struct nbrec_port *port;
    const struct nbrec_network *net;

    NBREC_PORT_FOR_EACH (port, ctx->idl) {
        if (port->qos_policy == p) {
            api_conflict(ctx, "QosPolicyInUse", "QoS Policy "UUID_FMT" is "
                         "used by port "UUID_FMT".",
                         UUID_ARGS(&p->header_.uuid),
                         UUID_ARGS(&port->header_.uuid));
            return;
        }
    }
    NBREC_NETWORK_FOR_EACH (net, ctx->idl) {
        if (net->qos_policy == p) {
            api_conflict(ctx, "QosPolicyInUse", "QoS Policy "UUID_FMT" is "
                         "used by network "UUID_FMT".",
                         UUID_ARGS(&p->header_.uuid),
                         UUID_ARGS(&net->header_.uuid));
            return;
        }
    }
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->qos_policy == p) {
            api_conflict(ctx, "QosPolicyInUse", "QoS Policy "UUID_FMT" is "
                         "used by floatingip "UUID_FMT".",
                         UUID_ARGS(&p->header_.uuid),
                         UUID_ARGS(&fip->header_.uuid));
            return;
        }
    }
    const struct nbrec_router *router;
    NBREC_ROUTER_FOR_EACH (router, ctx->idl) {
        if (router->gateway_qos_policy == p) {
            api_conflict(ctx, "QosPolicyInUse", "QoS Policy "UUID_FMT" is "
                         "used by router "UUID_FMT".",
                         UUID_ARGS(&p->header_.uuid),
                         UUID_ARGS(&router->header_.uuid));
            return;
        }
    }
    api_txn(ctx);
    nbrec_qos_policy_delete(p);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_qos_policies = {
    .collection = "qos/policies",
    .plural = "policies",
    .member = "policy",
    .table = &nbrec_table_qos_policy,
    .render = policy_render,
    .create = policy_create,
    .update = policy_update,
    .delete = policy_delete,
};

const struct nbrec_qos_policy *
api_qos_rule_policy(struct api_ctx *ctx, const struct nbrec_qos_rule *rule)
{
    const struct nbrec_qos_policy *p;

    NBREC_QOS_POLICY_FOR_EACH (p, ctx->idl) {
        for (size_t i = 0; i < p->n_rules; i++) {
            if (p->rules[i] == rule) {
                return p;
            }
        }
    }
    return NULL;
}

bool
api_qos_policy_attr(struct api_ctx *ctx, const json_t *obj,
                    const struct nbrec_qos_policy **policyp, bool *given)
{
    const json_t *v = json_object_get(obj, "qos_policy_id");

    *policyp = NULL;
    *given = v != NULL;
    if (!v || json_is_null(v)) {
        return true;
    }
    const char *id = json_string_value(v);
    struct uuid uuid;
    const struct ovsdb_idl_row *row = NULL;
    if (id && uuid_from_string(&uuid, id)) {
        row = ovsdb_idl_get_row_for_uuid(ctx->idl, &nbrec_table_qos_policy,
                                         &uuid);
    }
    if (!row || !api_policy_visible(ctx, &api_qos_policies, row)) {
        api_error(ctx, 404, "QosPolicyNotFound",
                  "QoS policy %s could not be found.", id ? id : "");
        return false;
    }
    *policyp = API_ROW(nbrec_qos_policy, row);
    return true;
}

/* Rules. */

static json_t *
rule_render(struct api_ctx *ctx, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_qos_rule *rule = API_ROW(nbrec_qos_rule, row_);
    return rule_json(rule, api_qos_rule_policy(ctx, rule), false);
}

static bool
in_policy(const struct ovsdb_idl_row *row,
          const struct ovsdb_idl_row *parent, const char *type)
{
    const struct nbrec_qos_rule *rule = API_ROW(nbrec_qos_rule, row);
    const struct nbrec_qos_policy *p = API_ROW(nbrec_qos_policy, parent);

    if (strcmp(rule->type, type)) {
        return false;
    }
    for (size_t i = 0; i < p->n_rules; i++) {
        if (p->rules[i] == rule) {
            return true;
        }
    }
    return false;
}

static bool
bw_in_parent(const struct ovsdb_idl_row *row,
             const struct ovsdb_idl_row *parent)
{
    return in_policy(row, parent, "bandwidth_limit");
}

static bool
dscp_in_parent(const struct ovsdb_idl_row *row,
               const struct ovsdb_idl_row *parent)
{
    return in_policy(row, parent, "dscp_marking");
}

/* True, after answering 409, if 'p' has another rule than 'self' of
 * 'type' (and, for bandwidth limits, of 'direction'). */
static bool
rule_conflicts(struct api_ctx *ctx, const struct nbrec_qos_policy *p,
               const struct nbrec_qos_rule *self, const char *type,
               const char *direction)
{
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct nbrec_qos_rule *r = p->rules[i];
        if (r != self && !strcmp(r->type, type)
            && (!direction || !strcmp(r->direction, direction))) {
            api_conflict(ctx, "QoSRulesConflict", "Rule "UUID_FMT" of type "
                         "%s%s%s "
                         "already exists in QoS policy "UUID_FMT": a "
                         "policy has one rule of a type%s.",
                         UUID_ARGS(&r->header_.uuid), type,
                         direction ? " and direction " : "",
                         direction ? direction : "",
                         UUID_ARGS(&p->header_.uuid),
                         direction ? " per direction" : "");
            return true;
        }
    }
    return false;
}

static void
set_int(const struct nbrec_qos_rule *rule, const json_t *obj,
        const char *key,
        void (*setter)(const struct nbrec_qos_rule *, const int64_t *,
                       size_t))
{
    const json_t *v = json_object_get(obj, key);
    int64_t x;
    if (v && validate_get_int(v, &x)) {
        setter(rule, &x, 1);
    }
}

static void
rule_create(struct api_ctx *ctx, const struct attr_spec *specs,
            size_t n_specs, const char *type)
{
    const struct nbrec_qos_policy *p
        = API_ROW(nbrec_qos_policy, ctx->parent);
    const char *project;
    json_t *obj = api_create_body(ctx, specs, n_specs, &project);
    if (!obj) {
        return;
    }
    bool bw = !strcmp(type, "bandwidth_limit");
    const char *direction = api_json_string(obj, "direction", "egress");
    if (rule_conflicts(ctx, p, NULL, type, bw ? direction : NULL)) {
        return;
    }
    struct nbrec_qos_rule *rule
        = nbrec_qos_rule_insert_persist_uuid(api_txn(ctx),
                                             &ctx->create_uuid);
    nbrec_qos_rule_set_type(rule, type);
    nbrec_qos_rule_set_direction(rule, direction);
    if (bw) {
        int64_t zero = 0;
        set_int(rule, obj, "max_kbps", nbrec_qos_rule_set_max_kbps);
        nbrec_qos_rule_set_max_burst_kbps(rule, &zero, 1);
        set_int(rule, obj, "max_burst_kbps",
                nbrec_qos_rule_set_max_burst_kbps);
    } else {
        set_int(rule, obj, "dscp_mark", nbrec_qos_rule_set_dscp_mark);
    }
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_qos_rule_set_external_ids(rule, &ids);
    smap_destroy(&ids);
    nbrec_qos_policy_update_rules_addvalue(p, rule);
    stamp_policy(p);
    api_set_created(ctx, &rule->header_);
}

static void
rule_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row,
            const struct attr_spec *specs, size_t n_specs)
{
    const struct nbrec_qos_rule *rule = API_ROW(nbrec_qos_rule, row);
    const struct nbrec_qos_policy *p
        = API_ROW(nbrec_qos_policy, ctx->parent);
    json_t *obj = api_body_member(ctx, specs, n_specs, VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    bool bw = is_bw(rule);
    const char *direction = api_json_string(obj, "direction",
                                            rule->direction);
    if (bw && strcmp(direction, rule->direction)
        && rule_conflicts(ctx, p, rule, rule->type, direction)) {
        return;
    }
    api_txn(ctx);
    if (bw) {
        nbrec_qos_rule_set_direction(rule, direction);
        set_int(rule, obj, "max_kbps", nbrec_qos_rule_set_max_kbps);
        set_int(rule, obj, "max_burst_kbps",
                nbrec_qos_rule_set_max_burst_kbps);
    } else {
        set_int(rule, obj, "dscp_mark", nbrec_qos_rule_set_dscp_mark);
    }
    struct smap ids;
    smap_clone(&ids, &rule->external_ids);
    api_stamp(&ids, false);
    nbrec_qos_rule_set_external_ids(rule, &ids);
    smap_destroy(&ids);
    stamp_policy(p);
    ctx->finish = api_finish_row;
}

static void
rule_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_qos_policy *p
        = API_ROW(nbrec_qos_policy, ctx->parent);
    api_txn(ctx);
    nbrec_qos_policy_update_rules_delvalue(p, API_ROW(nbrec_qos_rule, row));
    stamp_policy(p);
    ctx->finish = api_finish_no_content;
}

static void
bw_create(struct api_ctx *ctx)
{
    rule_create(ctx, bw_attrs, ARRAY_SIZE(bw_attrs), "bandwidth_limit");
}

static void
bw_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    rule_update(ctx, row, bw_attrs, ARRAY_SIZE(bw_attrs));
}

static void
dscp_create(struct api_ctx *ctx)
{
    rule_create(ctx, dscp_attrs, ARRAY_SIZE(dscp_attrs), "dscp_marking");
}

static void
dscp_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    rule_update(ctx, row, dscp_attrs, ARRAY_SIZE(dscp_attrs));
}

const struct api_resource api_qos_bandwidth_limit_rules = {
    .collection = "bandwidth_limit_rules",
    .plural = "bandwidth_limit_rules",
    .member = "bandwidth_limit_rule",
    .table = &nbrec_table_qos_rule,
    .render = rule_render,
    .create = bw_create,
    .update = bw_update,
    .delete = rule_delete,
    .parent = &api_qos_policies,
    .in_parent = bw_in_parent,
};

const struct api_resource api_qos_dscp_marking_rules = {
    .collection = "dscp_marking_rules",
    .plural = "dscp_marking_rules",
    .member = "dscp_marking_rule",
    .table = &nbrec_table_qos_rule,
    .render = rule_render,
    .create = dscp_create,
    .update = dscp_update,
    .delete = rule_delete,
    .parent = &api_qos_policies,
    .in_parent = dscp_in_parent,
};

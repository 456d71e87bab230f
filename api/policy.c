/*
 * api/policy: the project scope and Neutron's default policy.  See
 * policy.h.
 */

#include <config.h>

#include "api/json-compat.h"

#include <string.h>

#include "ovsdb-idl.h"
#include "util.h"
#include "api/core.h"
#include "api/policy.h"

static bool
is_mine(const struct api_ctx *ctx, const char *project)
{
    return project && !strcmp(project, ctx->project);
}

static bool
network_visible(const struct api_ctx *ctx, const struct nbrec_network *net)
{
    return net && (is_mine(ctx, net->project_id) || net->shared
                   || net->external);
}

static const char *
row_project(const struct api_resource *res, const struct ovsdb_idl_row *row)
{
    return (res == &api_networks ? API_ROW(nbrec_network, row)->project_id
            : res == &api_subnets ? API_ROW(nbrec_subnet, row)->project_id
            : res == &api_ports ? API_ROW(nbrec_port, row)->project_id
            : res == &api_routers ? API_ROW(nbrec_router, row)->project_id
            : res == &api_floatingips
            ? API_ROW(nbrec_floating_ip, row)->project_id
            : res == &api_security_groups
            ? API_ROW(nbrec_security_group, row)->project_id
            : res == &api_security_group_rules
            ? API_ROW(nbrec_security_group_rule, row)->project_id
            : res == &api_port_forwardings
            ? (API_ROW(nbrec_port_forwarding, row)->floating_ip
               ? API_ROW(nbrec_port_forwarding, row)->floating_ip->project_id
               : NULL)
            : res == &api_qos_policies
            ? API_ROW(nbrec_qos_policy, row)->project_id
            : res == &api_trunks ? API_ROW(nbrec_trunk, row)->project_id
            : NULL);
}

/* The QoS policy of a QoS rule row, or NULL. */
static const struct nbrec_qos_policy *
rule_policy(struct api_ctx *ctx, const struct api_resource *res,
            const struct ovsdb_idl_row *row)
{
    return (res->parent == &api_qos_policies
            ? api_qos_rule_policy(ctx, API_ROW(nbrec_qos_rule, row))
            : NULL);
}

bool
api_policy_visible(struct api_ctx *ctx, const struct api_resource *res,
                   const struct ovsdb_idl_row *row)
{
    if (ctx->is_admin || is_mine(ctx, row_project(res, row))) {
        return true;
    }
    if (res == &api_qos_policies) {
        return API_ROW(nbrec_qos_policy, row)->shared;
    } else if (res->parent == &api_qos_policies) {
        const struct nbrec_qos_policy *p = rule_policy(ctx, res, row);
        return p && (p->shared || is_mine(ctx, p->project_id));
    }
    if (res == &api_networks) {
        return network_visible(ctx, API_ROW(nbrec_network, row));
    } else if (res == &api_subnets) {
        const struct nbrec_network *net = API_ROW(nbrec_subnet, row)->network;
        return net && (net->shared || is_mine(ctx, net->project_id));
    } else if (res == &api_ports) {
        const struct nbrec_network *net = API_ROW(nbrec_port, row)->network;
        return net && is_mine(ctx, net->project_id);
    } else if (res == &api_security_group_rules) {
        const struct nbrec_security_group *sg = api_rule_group(
            ctx, API_ROW(nbrec_security_group_rule, row));
        return sg && is_mine(ctx, sg->project_id);
    }
    return false;
}

static bool
forbidden(struct api_ctx *ctx, const char *rule)
{
    return api_error(ctx, 403, "PolicyNotAuthorized",
                     "(rule:%s) is disallowed by policy", rule);
}

static const char *
op_name(const struct api_ctx *ctx)
{
    return (ctx->method == API_POST ? "create"
            : ctx->method == API_PUT ? "update"
            : ctx->method == API_DELETE ? "delete" : "get");
}

/* Forbids 'key' in 'obj' unless its value is JSON null (or, for a
 * boolean, false). */
static bool
admin_only(struct api_ctx *ctx, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    if (v && !json_is_null(v) && !json_is_false(v)) {
        char *rule = xasprintf("%s_%s:%s", op_name(ctx), ctx->res->member,
                               key);
        forbidden(ctx, rule);
        free(rule);
        return false;
    }
    return true;
}

static const char *
string_member(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool
check_network(struct api_ctx *ctx, const json_t *obj)
{
    static const char *const keys[] = {
        "shared", "router:external", "provider:network_type",
        "provider:physical_network", "provider:segmentation_id",
        "segments", "is_default",
    };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        if (!admin_only(ctx, obj, keys[i])) {
            return false;
        }
    }
    return true;
}

static bool
check_subnet(struct api_ctx *ctx, const json_t *obj)
{
    const char *id = string_member(obj, "network_id");

    if (ctx->method == API_POST && id) {
        const struct nbrec_network *net = api_get_network(ctx, id);
        if (!network_visible(ctx, net)) {
            return api_not_found(ctx, "Network", id);
        } else if (!is_mine(ctx, net->project_id)) {
            return forbidden(ctx, "create_subnet");
        }
    }
    return admin_only(ctx, obj, "segment_id");
}

static bool
check_security_groups(struct api_ctx *ctx, const json_t *list)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v) {
        const char *id = json_string_value(v);
        const struct nbrec_security_group *sg = (id ? api_get_sg(ctx, id)
                                                 : NULL);
        if (id && (!sg || !is_mine(ctx, sg->project_id))) {
            return api_not_found(ctx, "Security group", id);
        }
    }
    return true;
}

static bool
check_port(struct api_ctx *ctx, const struct ovsdb_idl_row *row,
           const json_t *obj)
{
    const struct nbrec_network *net;

    if (row) {
        net = API_ROW(nbrec_port, row)->network;
    } else {
        const char *id = string_member(obj, "network_id");
        if (!id) {
            return true;        /* The handler answers 400. */
        }
        net = api_get_network(ctx, id);
        if (!network_visible(ctx, net)) {
            return api_not_found(ctx, "Network", id);
        }
    }
    bool net_owner = net && is_mine(ctx, net->project_id);
    const char *op = op_name(ctx);

    if (!admin_only(ctx, obj, "binding:host_id")
        || !admin_only(ctx, obj, "binding:profile")) {
        return false;
    }
    const json_t *fixed_ips = json_object_get(obj, "fixed_ips");
    size_t i;
    json_t *fip;
    json_array_foreach (fixed_ips, i, fip) {
        const char *subnet_id = string_member(fip, "subnet_id");
        if (subnet_id) {
            const struct nbrec_subnet *sub = api_get_subnet(ctx, subnet_id);
            if (!sub || !sub->network
                || !network_visible(ctx, sub->network)) {
                return api_not_found(ctx, "Subnet", subnet_id);
            }
            if (!net_owner && !(net && net->shared)) {
                char *rule = xasprintf("%s_port:fixed_ips:subnet_id", op);
                forbidden(ctx, rule);
                free(rule);
                return false;
            }
        }
        if (json_object_get(fip, "ip_address") && !net_owner) {
            char *rule = xasprintf("%s_port:fixed_ips:ip_address", op);
            forbidden(ctx, rule);
            free(rule);
            return false;
        }
    }
    if (!net_owner) {
        const char *device_owner = string_member(obj, "device_owner");
        const json_t *pairs = json_object_get(obj, "allowed_address_pairs");
        const char *key = (
            json_object_get(obj, "mac_address") ? "mac_address"
            : json_object_get(obj, "port_security_enabled")
            ? "port_security_enabled"
            : json_array_size(pairs) ? "allowed_address_pairs"
            : device_owner && !strncmp(device_owner, "network:", 8)
            ? "device_owner" : NULL);
        if (key) {
            char *rule = xasprintf("%s_port:%s", op, key);
            forbidden(ctx, rule);
            free(rule);
            return false;
        }
    }
    return check_security_groups(ctx, json_object_get(obj,
                                                      "security_groups"));
}

static bool
check_router(struct api_ctx *ctx, const json_t *obj)
{
    const json_t *gw = json_object_get(obj, "external_gateway_info");

    if (!admin_only(ctx, obj, "distributed")
        || !admin_only(ctx, obj, "ha")) {
        return false;
    }
    if (json_is_object(gw)) {
        const char *id = string_member(gw, "network_id");
        if (id && !network_visible(ctx, api_get_network(ctx, id))) {
            return api_not_found(ctx, "Network", id);
        }
        if (json_object_get(gw, "enable_snat")
            || json_object_get(gw, "external_fixed_ips")) {
            char *rule = xasprintf("%s_router:external_gateway_info:%s",
                                   op_name(ctx),
                                   json_object_get(gw, "enable_snat")
                                   ? "enable_snat" : "external_fixed_ips");
            forbidden(ctx, rule);
            free(rule);
            return false;
        }
    }
    return true;
}

/* The body of add/remove_router_interface: the subnet or port must be
 * the caller's (the subnet's network). */
static bool
check_router_action(struct api_ctx *ctx)
{
    const char *subnet_id = string_member(ctx->body, "subnet_id");
    const char *port_id = string_member(ctx->body, "port_id");

    if (subnet_id) {
        const struct nbrec_subnet *sub = api_get_subnet(ctx, subnet_id);
        if (!sub || !sub->network
            || !api_policy_visible(ctx, &api_subnets, &sub->header_)) {
            return api_not_found(ctx, "Subnet", subnet_id);
        } else if (!is_mine(ctx, sub->network->project_id)) {
            return forbidden(ctx, "add_router_interface");
        }
    }
    if (port_id) {
        const struct nbrec_port *port = api_get_port(ctx, port_id);
        if (!port || !is_mine(ctx, port->project_id)) {
            return api_not_found(ctx, "Port", port_id);
        }
    }
    return true;
}

static bool
check_floatingip(struct api_ctx *ctx, const json_t *obj)
{
    const char *net_id = string_member(obj, "floating_network_id");
    const char *port_id = string_member(obj, "port_id");

    if (net_id && !network_visible(ctx, api_get_network(ctx, net_id))) {
        return api_not_found(ctx, "Network", net_id);
    }
    if (port_id) {
        const struct nbrec_port *port = api_get_port(ctx, port_id);
        if (!port || !is_mine(ctx, port->project_id)) {
            return api_not_found(ctx, "Port", port_id);
        }
    }
    return admin_only(ctx, obj, "floating_ip_address");
}

static bool
check_rule(struct api_ctx *ctx, const json_t *obj)
{
    static const char *const keys[] = {
        "security_group_id", "remote_group_id",
    };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const char *id = string_member(obj, keys[i]);
        const struct nbrec_security_group *sg = (id ? api_get_sg(ctx, id)
                                                 : NULL);
        if (id && (!sg || !is_mine(ctx, sg->project_id))) {
            return api_not_found(ctx, "Security group", id);
        }
    }
    return true;
}

bool
api_policy_check(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct api_resource *res = ctx->res;

    if (ctx->is_admin || !res) {
        return true;
    }
    if (res->parent && ctx->parent && ctx->method != API_GET
        && !is_mine(ctx, row_project(res->parent, ctx->parent))) {
        char *rule = xasprintf("%s_%s_%s", op_name(ctx),
                               res->parent->member, res->member);
        forbidden(ctx, rule);
        free(rule);
        return false;
    }
    if (row) {
        if (!api_policy_visible(ctx, res, row)) {
            return api_not_found(ctx, api_resource_name(res), ctx->id);
        }
        if (res->parent == &api_qos_policies) {
            /* Writes were checked against the policy above. */
        } else if (ctx->method != API_GET || ctx->action) {
            const char *project = row_project(res, row);
            bool network_owner = (
                res == &api_ports && ctx->method == API_DELETE
                && API_ROW(nbrec_port, row)->network
                && is_mine(ctx, API_ROW(nbrec_port, row)->network
                           ->project_id));
            if (!is_mine(ctx, project) && !network_owner) {
                char *rule = xasprintf("%s_%s", ctx->action ? ctx->action
                                       : op_name(ctx), res->member);
                forbidden(ctx, rule);
                free(rule);
                return false;
            }
        }
    }
    if (ctx->action) {
        return (res != &api_routers || !json_is_object(ctx->body)
                || check_router_action(ctx));
    }
    if (ctx->method != API_POST && ctx->method != API_PUT) {
        return true;
    }

    const json_t *obj = (json_is_object(ctx->body)
                         ? json_object_get(ctx->body, res->member) : NULL);
    if (!json_is_object(obj)) {
        return true;            /* The handler answers 400. */
    }
    const char *project = string_member(obj, "project_id");
    const char *tenant = string_member(obj, "tenant_id");
    if ((project && !is_mine(ctx, project))
        || (tenant && !is_mine(ctx, tenant))) {
        return api_error(ctx, 403, "PolicyNotAuthorized",
                         "Specifying 'project_id' or 'tenant_id' other "
                         "than the authenticated project in request "
                         "requires admin privileges");
    }
    return (res == &api_networks ? check_network(ctx, obj)
            : res == &api_subnets ? check_subnet(ctx, obj)
            : res == &api_ports ? check_port(ctx, row, obj)
            : res == &api_routers ? check_router(ctx, obj)
            : res == &api_floatingips ? check_floatingip(ctx, obj)
            : res == &api_security_group_rules ? check_rule(ctx, obj)
            : true);
}

void
api_policy_filter(const struct api_ctx *ctx, const struct api_resource *res,
                  json_t *obj)
{
    static const char *const network_keys[] = {
        "provider:network_type", "provider:physical_network",
        "provider:segmentation_id", "segments",
    };
    static const char *const port_keys[] = {
        "binding:host_id", "binding:profile", "binding:vif_type",
        "binding:vif_details",
    };

    if (ctx->is_admin || !json_is_object(obj)) {
        return;
    }
    if (res == &api_networks) {
        for (size_t i = 0; i < ARRAY_SIZE(network_keys); i++) {
            json_object_del(obj, network_keys[i]);
        }
    } else if (res == &api_ports) {
        for (size_t i = 0; i < ARRAY_SIZE(port_keys); i++) {
            json_object_del(obj, port_keys[i]);
        }
    }
}

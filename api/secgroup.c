/*
 * api/secgroup: the Neutron "security-groups" and "security-group-rules"
 * resources on the NB Security_Group and Security_Group_Rule tables.
 *
 * Rules are non-root rows owned by their group (Security_Group.rules), so
 * deleting a group deletes its rules; rules of other groups that name the
 * deleted group as their remote group are deleted with it, as Neutron's
 * foreign key cascade does.  A new group gets Neutron's two egress rules;
 * a project's default group is made by api_default_sg() (api/common.c).
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "pipeline/sg.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "api/core.h"

VLOG_DEFINE_THIS_MODULE(api_secgroup);

static const struct attr_spec sg_attrs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "stateful", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static const char *const directions[] = { "ingress", "egress", NULL };
static const char *const ethertypes[] = { "IPv4", "IPv6", NULL };

static char *
check_null(const json_t *v OVS_UNUSED)
{
    return xstrdup("address groups are not supported");
}

static const struct attr_spec rule_attrs[] = {
    { "security_group_id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0, NULL,
      NULL },
    { "direction", ATTR_ENUM, ATTR_POST | ATTR_REQUIRED, 0, 0, directions,
      NULL },
    { "ethertype", ATTR_ENUM, ATTR_POST, 0, 0, ethertypes, NULL },
    { "protocol", ATTR_ANY, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL, NULL },
    { "port_range_min", ATTR_ANY, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
      NULL },
    { "port_range_max", ATTR_ANY, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
      NULL },
    { "remote_ip_prefix", ATTR_STRING, ATTR_POST | ATTR_NULLABLE, 0, 64,
      NULL, NULL },
    { "remote_group_id", ATTR_UUID, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
      NULL },
    { "remote_address_group_id", ATTR_ANY, ATTR_POST | ATTR_NULLABLE, 0, 0,
      NULL, check_null },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static json_t *
rule_json(const struct nbrec_security_group_rule *rule,
          const struct nbrec_security_group *sg)
{
    json_t *obj = json_object();
    api_set_uuid(obj, "id", &rule->header_);
    api_set_uuid(obj, "security_group_id", sg ? &sg->header_ : NULL);
    json_object_set_new(obj, "direction", json_string(rule->direction));
    json_object_set_new(obj, "ethertype", json_string(rule->ethertype));
    json_object_set_new(obj, "protocol",
                        rule->protocol ? json_string(rule->protocol)
                                       : json_null());
    json_object_set_new(obj, "port_range_min",
                        rule->n_port_range_min
                        ? json_integer(rule->port_range_min[0])
                        : json_null());
    json_object_set_new(obj, "port_range_max",
                        rule->n_port_range_max
                        ? json_integer(rule->port_range_max[0])
                        : json_null());
    json_object_set_new(obj, "remote_ip_prefix",
                        rule->remote_ip_prefix
                        ? json_string(rule->remote_ip_prefix)
                        : json_null());
    json_object_set_new(obj, "normalized_cidr",
                        rule->remote_ip_prefix
                        ? json_string(rule->remote_ip_prefix)
                        : json_null());
    api_set_uuid(obj, "remote_group_id",
                 rule->remote_group ? &rule->remote_group->header_ : NULL);
    json_object_set_new(obj, "remote_address_group_id", json_null());
    json_object_set_new(obj, "description", json_string(rule->description));
    api_add_std_attrs(obj, &rule->external_ids, rule->project_id);
    json_object_del(obj, "tags");
    return obj;
}

static json_t *
sg_render(struct api_ctx *ctx OVS_UNUSED, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_security_group *sg
        = API_ROW(nbrec_security_group, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &sg->header_);
    json_object_set_new(obj, "name", json_string(sg->name));
    json_object_set_new(obj, "description", json_string(sg->description));
    json_object_set_new(obj, "stateful", json_boolean(sg->stateful));
    json_object_set_new(obj, "shared", json_false());
    json_t *rules = json_array();
    for (size_t i = 0; i < sg->n_rules; i++) {
        json_array_append_new(rules, rule_json(sg->rules[i], sg));
    }
    json_object_set_new(obj, "security_group_rules", rules);
    api_add_std_attrs(obj, &sg->external_ids, sg->project_id);
    return obj;
}

static bool
is_default(const struct nbrec_security_group *sg)
{
    return smap_get_bool(&sg->external_ids, "dvrflow:default", false);
}

static void
sg_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, sg_attrs,
                                  ARRAY_SIZE(sg_attrs), &project);
    if (!obj) {
        return;
    }
    const char *name = api_json_string(obj, "name", "");
    if (!strcmp(name, "default")) {
        if (api_default_sg(ctx, project, false)) {
            api_conflict(ctx, "SecurityGroupDefaultAlreadyExists",
                         "Default security group already exists.");
            return;
        }
        const struct nbrec_security_group *sg
            = api_default_sg(ctx, project, true);
        api_set_created(ctx, &sg->header_);
        return;
    }

    struct nbrec_security_group *sg
        = nbrec_security_group_insert_persist_uuid(api_txn(ctx),
                                                   &ctx->create_uuid);
    nbrec_security_group_set_name(sg, name);
    nbrec_security_group_set_description(
        sg, api_json_string(obj, "description", ""));
    nbrec_security_group_set_project_id(sg, project);
    nbrec_security_group_set_stateful(sg, api_json_bool(obj, "stateful",
                                                        true));
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_security_group_set_external_ids(sg, &ids);
    smap_destroy(&ids);
    api_insert_default_egress(ctx, sg, project);
    api_set_created(ctx, &sg->header_);
}

static void
sg_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_security_group *sg = API_ROW(nbrec_security_group, row);
    json_t *obj = api_body_member(ctx, sg_attrs, ARRAY_SIZE(sg_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    const char *name = api_json_string(obj, "name", NULL);
    if (name && is_default(sg) && strcmp(name, "default")) {
        api_conflict(ctx, "SecurityGroupCannotUpdateDefault",
                     "Updating default security group not allowed.");
        return;
    }
    if (name && !is_default(sg) && !strcmp(name, "default")) {
        api_conflict(ctx, "SecurityGroupDefaultAlreadyExists",
                     "A security group may not be renamed 'default'.");
        return;
    }

    api_txn(ctx);
    if (name) {
        nbrec_security_group_set_name(sg, name);
    }
    if (json_object_get(obj, "description")) {
        nbrec_security_group_set_description(
            sg, api_json_string(obj, "description", ""));
    }
    if (json_object_get(obj, "stateful")) {
        nbrec_security_group_set_stateful(sg, api_json_bool(obj, "stateful",
                                                            true));
    }
    struct smap ids;
    smap_clone(&ids, &sg->external_ids);
    api_stamp(&ids, false);
    nbrec_security_group_set_external_ids(sg, &ids);
    smap_destroy(&ids);
    ctx->finish = api_finish_row;
}

static void
sg_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_security_group *sg = API_ROW(nbrec_security_group, row);
    const struct nbrec_port *port;
    NBREC_PORT_FOR_EACH (port, ctx->idl) {
        for (size_t i = 0; i < port->n_security_groups; i++) {
            if (port->security_groups[i] == sg) {
                api_conflict(ctx, "SecurityGroupInUse", "Security Group "
                             UUID_FMT" in use.",
                             UUID_ARGS(&sg->header_.uuid));
                return;
            }
        }
    }

    api_txn(ctx);
    const struct nbrec_security_group *other;
    NBREC_SECURITY_GROUP_FOR_EACH (other, ctx->idl) {
        if (other == sg) {
            continue;
        }
        for (size_t i = 0; i < other->n_rules; i++) {
            if (other->rules[i]->remote_group == sg) {
                nbrec_security_group_update_rules_delvalue(other,
                                                           other->rules[i]);
            }
        }
    }
    if (is_default(sg)) {
        const struct nbrec_nb_global *global
            = nbrec_nb_global_first(ctx->idl);
        char *key = xasprintf("dvrflow:default-security-group:%s",
                              sg->project_id);
        if (global && smap_get(&global->external_ids, key)) {
            nbrec_nb_global_update_external_ids_delkey(global, key);
        }
        free(key);
    }
    nbrec_security_group_delete(sg);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_security_groups = {
    .collection = "security-groups",
    .plural = "security_groups",
    .member = "security_group",
    .table = &nbrec_table_security_group,
    .render = sg_render,
    .create = sg_create,
    .update = sg_update,
    .delete = sg_delete,
};

static json_t *
rule_render(struct api_ctx *ctx, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_security_group_rule *rule
        = API_ROW(nbrec_security_group_rule, row_);
    return rule_json(rule, api_rule_group(ctx, rule));
}

static bool
optional_equals(const int64_t *a, size_t n_a, int64_t b)
{
    return b < 0 ? !n_a : (n_a && a[0] == b);
}

static bool
optional_str_equals(const char *a, const char *b)
{
    return !a || !b ? !a && !b : !strcmp(a, b);
}

static void
rule_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, rule_attrs,
                                  ARRAY_SIZE(rule_attrs), &project);
    if (!obj) {
        return;
    }
    const char *sg_id = api_json_string(obj, "security_group_id", "");
    const struct nbrec_security_group *sg = api_get_sg(ctx, sg_id);
    if (!sg) {
        api_error(ctx, 404, "SecurityGroupNotFound",
                  "Security group %s does not exist", sg_id);
        return;
    }
    const char *direction = api_json_string(obj, "direction", "ingress");
    const char *ethertype = api_json_string(obj, "ethertype", "IPv4");

    char *protocol;
    char *error = validate_protocol(json_object_get(obj, "protocol"),
                                    ethertype, &protocol);
    if (error) {
        api_bad_request(ctx, error);
        return;
    }
    int64_t min, max;
    error = validate_port_range(protocol, json_object_get(obj,
                                                          "port_range_min"),
                                json_object_get(obj, "port_range_max"),
                                &min, &max);
    if (error) {
        free(protocol);
        api_bad_request(ctx, error);
        return;
    }

    char prefix_s[IPAM_PREFIX_STRLEN] = "";
    const json_t *prefix_json = json_object_get(obj, "remote_ip_prefix");
    if (prefix_json && !json_is_null(prefix_json)) {
        struct ipam_prefix prefix;
        error = validate_ip_or_cidr("remote_ip_prefix", prefix_json,
                                    &prefix);
        if (!error && prefix.addr.family != (strcmp(ethertype, "IPv6")
                                             ? 4 : 6)) {
            error = xasprintf("Conflicting value ethertype %s for CIDR %s",
                              ethertype, json_string_value(prefix_json));
        }
        if (error) {
            free(protocol);
            api_bad_request(ctx, error);
            return;
        }
        prefix.addr = ipam_prefix_network(&prefix);
        ipam_format_prefix(&prefix, prefix_s);
    }

    const struct nbrec_security_group *remote = NULL;
    const char *remote_id = api_json_string(obj, "remote_group_id", NULL);
    if (remote_id) {
        if (*prefix_s) {
            free(protocol);
            api_error(ctx, 400, "SecurityGroupRemoteGroupAndRemoteIpPrefix",
                      "Only remote_ip_prefix or remote_group_id may be "
                      "provided.");
            return;
        }
        remote = api_get_sg(ctx, remote_id);
        if (!remote) {
            free(protocol);
            api_error(ctx, 404, "SecurityGroupNotFound",
                      "Security group %s does not exist", remote_id);
            return;
        }
    }

    for (size_t i = 0; i < sg->n_rules; i++) {
        const struct nbrec_security_group_rule *r = sg->rules[i];
        if (!strcmp(r->direction, direction)
            && !strcmp(r->ethertype, ethertype)
            && optional_str_equals(r->protocol, protocol)
            && optional_equals(r->port_range_min, r->n_port_range_min, min)
            && optional_equals(r->port_range_max, r->n_port_range_max, max)
            && optional_str_equals(r->remote_ip_prefix,
                                   *prefix_s ? prefix_s : NULL)
            && r->remote_group == remote) {
            free(protocol);
            api_conflict(ctx, "SecurityGroupRuleExists", "Security group "
                         "rule already exists. Rule id is "UUID_FMT".",
                         UUID_ARGS(&r->header_.uuid));
            return;
        }
    }

    struct nbrec_security_group_rule *rule
        = nbrec_security_group_rule_insert_persist_uuid(api_txn(ctx),
                                                        &ctx->create_uuid);
    nbrec_security_group_rule_set_project_id(rule, project);
    nbrec_security_group_rule_set_description(
        rule, api_json_string(obj, "description", ""));
    nbrec_security_group_rule_set_direction(rule, direction);
    nbrec_security_group_rule_set_ethertype(rule, ethertype);
    nbrec_security_group_rule_set_protocol(rule, protocol);
    if (min >= 0) {
        nbrec_security_group_rule_set_port_range_min(rule, &min, 1);
    }
    if (max >= 0) {
        nbrec_security_group_rule_set_port_range_max(rule, &max, 1);
    }
    if (*prefix_s) {
        nbrec_security_group_rule_set_remote_ip_prefix(rule, prefix_s);
    }
    if (remote) {
        nbrec_security_group_rule_set_remote_group(rule, remote);
    }
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    if (remote) {
        smap_add_format(&ids, SG_REMOTE_GROUP_KEY, UUID_FMT,
                        UUID_ARGS(&remote->header_.uuid));
    }
    nbrec_security_group_rule_set_external_ids(rule, &ids);
    smap_destroy(&ids);
    nbrec_security_group_update_rules_addvalue(sg, rule);
    free(protocol);
    api_set_created(ctx, &rule->header_);
}

static void
rule_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_security_group_rule *rule
        = API_ROW(nbrec_security_group_rule, row);
    json_t *obj = api_body_member(ctx, rule_attrs, ARRAY_SIZE(rule_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    api_txn(ctx);
    if (json_object_get(obj, "description")) {
        nbrec_security_group_rule_set_description(
            rule, api_json_string(obj, "description", ""));
    }
    struct smap ids;
    smap_clone(&ids, &rule->external_ids);
    api_stamp(&ids, false);
    nbrec_security_group_rule_set_external_ids(rule, &ids);
    smap_destroy(&ids);
    ctx->finish = api_finish_row;
}

static void
rule_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_security_group_rule *rule
        = API_ROW(nbrec_security_group_rule, row);
    const struct nbrec_security_group *sg = api_rule_group(ctx, rule);
    api_txn(ctx);
    if (sg) {
        nbrec_security_group_update_rules_delvalue(sg, rule);
    } else {
        nbrec_security_group_rule_delete(rule);
    }
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_security_group_rules = {
    .collection = "security-group-rules",
    .plural = "security_group_rules",
    .member = "security_group_rule",
    .table = &nbrec_table_security_group_rule,
    .render = rule_render,
    .create = rule_create,
    .update = rule_update,
    .delete = rule_delete,
};

/*
 * api/trunk: the Neutron "trunks" resource (extension "trunk", VLAN-aware
 * VMs) on the NB Trunk table, and the "trunk_details" of a parent port
 * (extension "trunk-details", api/port.c).
 *
 * A trunk is a parent port and subports, each a port of its own with a
 * segmentation type (only "vlan": dvrflow does not support "inherit") and
 * id (1..4094).  The schema keys a trunk's subports by VLAN id, so one id
 * is never used twice on a trunk; the rest is checked here, against every
 * trunk, with Neutron's errors: a port is the parent of at most one trunk
 * and never a subport too, a subport belongs to one trunk only.  Those
 * checks read every trunk's parent and subports and verify them, so two
 * concurrent requests that would together break a rule are serialized by
 * ovsdb-server (the second one runs again and is refused).
 *
 *   PUT /v2.0/trunks/ID/add_subports     {"sub_ports": [{port_id,
 *                                          segmentation_type,
 *                                          segmentation_id}]}
 *   PUT /v2.0/trunks/ID/remove_subports  {"sub_ports": [{port_id}]}
 *   GET /v2.0/trunks/ID/get_subports
 *
 * The two PUTs answer the trunk without the "trunk" wrapper, as Neutron.
 * A trunk's status is ACTIVE when its parent port is (bound and up), else
 * DOWN.  Deleting a port that is a trunk's parent or subport is refused
 * (api/port.c, api_trunk_port_in_use()).
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "api/core.h"
#include "api/policy.h"

VLOG_DEFINE_THIS_MODULE(api_trunk);

static const struct attr_spec trunk_attrs[] = {
    { "port_id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0, NULL, NULL },
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "admin_state_up", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "sub_ports", ATTR_LIST, ATTR_POST, 0, 0, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static json_t *
subports_json(const struct nbrec_trunk *t, bool macs)
{
    json_t *list = json_array();

    for (size_t i = 0; i < t->n_sub_ports; i++) {
        const struct nbrec_port *p = t->value_sub_ports[i];
        json_t *sp = json_object();
        api_set_uuid(sp, "port_id", &p->header_);
        json_object_set_new(sp, "segmentation_type", json_string("vlan"));
        json_object_set_new(sp, "segmentation_id",
                            json_integer(t->key_sub_ports[i]));
        if (macs) {
            json_object_set_new(sp, "mac_address",
                                json_string(p->mac_address));
        }
        json_array_append_new(list, sp);
    }
    return list;
}

static json_t *
trunk_render(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_trunk *t = API_ROW(nbrec_trunk, row);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &t->header_);
    json_object_set_new(obj, "name", json_string(t->name));
    json_object_set_new(obj, "description", json_string(t->description));
    json_object_set_new(obj, "admin_state_up",
                        json_boolean(t->admin_state_up));
    api_set_uuid(obj, "port_id", t->port ? &t->port->header_ : NULL);
    bool up = t->port && api_port_is_up(ctx, t->port);
    json_object_set_new(obj, "status", json_string(up ? "ACTIVE" : "DOWN"));
    json_object_set_new(obj, "sub_ports", subports_json(t, false));
    json_object_set_new(obj, "tags", json_array());
    api_add_std_attrs(obj, &t->external_ids, t->project_id);
    return obj;
}

json_t *
api_trunk_details(struct api_ctx *ctx, const struct nbrec_port *port)
{
    const struct nbrec_trunk *t;

    NBREC_TRUNK_FOR_EACH (t, ctx->idl) {
        if (t->port == port) {
            json_t *obj = json_object();
            api_set_uuid(obj, "trunk_id", &t->header_);
            json_object_set_new(obj, "sub_ports", subports_json(t, true));
            return obj;
        }
    }
    return NULL;
}

/* The trunk whose parent 'port' is, or NULL. */
static const struct nbrec_trunk *
parent_of(struct api_ctx *ctx, const struct nbrec_port *port)
{
    const struct nbrec_trunk *t;

    NBREC_TRUNK_FOR_EACH (t, ctx->idl) {
        if (t->port == port) {
            return t;
        }
    }
    return NULL;
}

/* The trunk that has 'port' as a subport, or NULL. */
static const struct nbrec_trunk *
subport_of(struct api_ctx *ctx, const struct nbrec_port *port)
{
    const struct nbrec_trunk *t;

    NBREC_TRUNK_FOR_EACH (t, ctx->idl) {
        for (size_t i = 0; i < t->n_sub_ports; i++) {
            if (t->value_sub_ports[i] == port) {
                return t;
            }
        }
    }
    return NULL;
}

bool
api_trunk_port_in_use(struct api_ctx *ctx, const struct nbrec_port *port)
{
    const struct nbrec_trunk *t = parent_of(ctx, port);
    if (t) {
        return !api_conflict(ctx, "PortInUseAsTrunkParent", "Port "UUID_FMT
                             " is currently a parent port for trunk "
                             UUID_FMT".", UUID_ARGS(&port->header_.uuid),
                             UUID_ARGS(&t->header_.uuid));
    }
    t = subport_of(ctx, port);
    if (t) {
        return !api_conflict(ctx, "PortInUseAsSubPort", "Port "UUID_FMT
                             " is currently a subport for trunk "UUID_FMT".",
                             UUID_ARGS(&port->header_.uuid),
                             UUID_ARGS(&t->header_.uuid));
    }
    return false;
}

/* Makes the transaction fail (and the handler run again) if any trunk's
 * parent or subports change before it commits. */
static void
verify_trunks(struct api_ctx *ctx)
{
    const struct nbrec_trunk *t;

    api_txn(ctx);
    NBREC_TRUNK_FOR_EACH (t, ctx->idl) {
        nbrec_trunk_verify_port(t);
        nbrec_trunk_verify_sub_ports(t);
    }
}

/* A port named by the request, visible to the caller, or NULL after
 * answering 404. */
static const struct nbrec_port *
request_port(struct api_ctx *ctx, const char *id)
{
    const struct nbrec_port *port = id ? api_get_port(ctx, id) : NULL;
    if (!port || !api_policy_visible(ctx, &api_ports, &port->header_)) {
        api_not_found(ctx, "Port", id ? id : "");
        return NULL;
    }
    return port;
}

struct subport_req {
    const struct nbrec_port *port;
    int64_t vlan;
};

/* Parses the "sub_ports" list 'list' of a request on trunk 't' (NULL when
 * creating one) with parent 'parent': to add ('add') or to remove.
 * Returns the subports in '*subs' and '*n', or false after answering an
 * error. */
static bool
parse_subports(struct api_ctx *ctx, const struct nbrec_trunk *t,
               const struct nbrec_port *parent, const json_t *list,
               bool add, struct subport_req **subs, size_t *n)
{
    *subs = NULL;
    *n = 0;
    if (!json_is_array(list)) {
        return api_error(ctx, 400, "InvalidInput", "Invalid input for "
                         "operation: sub_ports must be a list.");
    }
    *subs = xcalloc(json_array_size(list) + 1, sizeof **subs);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *sp = json_array_get(list, i);
        const json_t *id = json_is_object(sp)
                           ? json_object_get(sp, "port_id") : NULL;
        if (!json_is_string(id) || !validate_is_uuid(json_string_value(id))) {
            return api_error(ctx, 400, "InvalidInput", "Invalid input for "
                             "operation: each subport needs a port_id "
                             "(a UUID).");
        }
        const struct nbrec_port *port = request_port(ctx,
                                                     json_string_value(id));
        if (!port) {
            return false;
        }
        struct subport_req *r = &(*subs)[(*n)++];
        r->port = port;
        if (!add) {
            bool found = false;
            for (size_t j = 0; t && j < t->n_sub_ports; j++) {
                found |= t->value_sub_ports[j] == port;
            }
            if (!found) {
                return api_error(ctx, 404, "SubPortNotFound", "SubPort "
                                 UUID_FMT" cannot be found on trunk "
                                 UUID_FMT".", UUID_ARGS(&port->header_.uuid),
                                 UUID_ARGS(&t->header_.uuid));
            }
            continue;
        }

        const json_t *type = json_object_get(sp, "segmentation_type");
        const json_t *seg = json_object_get(sp, "segmentation_id");
        if (!json_is_string(type)
            || strcmp(json_string_value(type), "vlan")) {
            return api_error(ctx, 400, "InvalidInput", "Invalid input for "
                             "operation: segmentation_type must be "
                             "\"vlan\" (the only type supported).");
        }
        if (!json_is_integer(seg) || json_integer_value(seg) < 1
            || json_integer_value(seg) > 4094) {
            return api_error(ctx, 400, "InvalidInput", "Invalid input for "
                             "operation: segmentation_id must be an "
                             "integer in 1..4094.");
        }
        r->vlan = json_integer_value(seg);

        if (port == parent || parent_of(ctx, port)) {
            return api_conflict(ctx, "PortInUseAsTrunkParent", "Port "
                                UUID_FMT" is currently a parent port for "
                                "trunk %s.", UUID_ARGS(&port->header_.uuid),
                                port == parent ? "this trunk" : "another");
        }
        const struct nbrec_trunk *other = subport_of(ctx, port);
        bool twice = false;
        for (size_t j = 0; j + 1 < *n; j++) {
            twice |= (*subs)[j].port == port;
        }
        if (other || twice) {
            return api_conflict(ctx, "PortInUseAsSubPort", "Port "UUID_FMT
                                " is currently a subport for trunk %s.",
                                UUID_ARGS(&port->header_.uuid),
                                twice || other == t ? "this trunk"
                                                    : "another");
        }
        bool dup = false;
        for (size_t j = 0; t && j < t->n_sub_ports; j++) {
            dup |= t->key_sub_ports[j] == r->vlan;
        }
        for (size_t j = 0; j + 1 < *n; j++) {
            dup |= (*subs)[j].vlan == r->vlan;
        }
        if (dup) {
            return api_conflict(ctx, "DuplicateSubPort", "segmentation_type "
                                "vlan and segmentation_id %"PRId64" already "
                                "in use on trunk %s.", r->vlan,
                                t ? "this trunk" : "the new trunk");
        }
    }
    return true;
}

static void
trunk_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, trunk_attrs, ARRAY_SIZE(trunk_attrs),
                                  &project);
    if (!obj) {
        return;
    }
    const struct nbrec_port *parent
        = request_port(ctx, api_json_string(obj, "port_id", NULL));
    if (!parent) {
        return;
    }
    const struct nbrec_trunk *t = parent_of(ctx, parent);
    if (t) {
        api_conflict(ctx, "TrunkPortInUse", "Port "UUID_FMT" is in use by "
                     "another trunk.", UUID_ARGS(&parent->header_.uuid));
        return;
    }
    t = subport_of(ctx, parent);
    if (t) {
        api_conflict(ctx, "PortInUseAsSubPort", "Port "UUID_FMT" is "
                     "currently a subport for trunk "UUID_FMT".",
                     UUID_ARGS(&parent->header_.uuid),
                     UUID_ARGS(&t->header_.uuid));
        return;
    }

    struct subport_req *subs = NULL;
    size_t n = 0;
    const json_t *list = json_object_get(obj, "sub_ports");
    if (list && !parse_subports(ctx, NULL, parent, list, true, &subs, &n)) {
        free(subs);
        return;
    }

    verify_trunks(ctx);
    struct uuid uuid = ctx->create_uuid;
    struct nbrec_trunk *row = nbrec_trunk_insert_persist_uuid(ctx->txn,
                                                              &uuid);
    nbrec_trunk_set_project_id(row, project);
    nbrec_trunk_set_name(row, api_json_string(obj, "name", ""));
    nbrec_trunk_set_description(row, api_json_string(obj, "description",
                                                     ""));
    nbrec_trunk_set_admin_state_up(row, api_json_bool(obj,
                                                      "admin_state_up",
                                                      true));
    nbrec_trunk_set_port(row, parent);
    for (size_t i = 0; i < n; i++) {
        nbrec_trunk_update_sub_ports_setkey(row, subs[i].vlan,
                                            subs[i].port);
    }
    free(subs);
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_trunk_set_external_ids(row, &ids);
    smap_destroy(&ids);
    api_set_created(ctx, &row->header_);
}

static void
stamp(const struct nbrec_trunk *t)
{
    struct smap ids;

    smap_clone(&ids, &t->external_ids);
    api_stamp(&ids, false);
    nbrec_trunk_set_external_ids(t, &ids);
    smap_destroy(&ids);
}

static void
trunk_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_trunk *t = API_ROW(nbrec_trunk, row);
    json_t *obj = api_body_member(ctx, trunk_attrs, ARRAY_SIZE(trunk_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    api_txn(ctx);
    if (json_object_get(obj, "name")) {
        nbrec_trunk_set_name(t, api_json_string(obj, "name", ""));
    }
    if (json_object_get(obj, "description")) {
        nbrec_trunk_set_description(t, api_json_string(obj, "description",
                                                       ""));
    }
    if (json_object_get(obj, "admin_state_up")) {
        nbrec_trunk_set_admin_state_up(
            t, api_json_bool(obj, "admin_state_up", true));
    }
    stamp(t);
    ctx->finish = api_finish_row;
}

static void
trunk_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    api_txn(ctx);
    nbrec_trunk_delete(API_ROW(nbrec_trunk, row));
    ctx->finish = api_finish_no_content;
}

/* 'finish' of add_subports and remove_subports: the trunk, unwrapped. */
static void
finish_unwrapped(struct api_ctx *ctx)
{
    const struct ovsdb_idl_row *row
        = ovsdb_idl_get_row_for_uuid(ctx->idl, &nbrec_table_trunk,
                                     &ctx->target);
    if (!row) {
        api_error(ctx, 404, "TrunkNotFound", "Trunk "UUID_FMT" could not "
                  "be found.", UUID_ARGS(&ctx->target));
        return;
    }
    json_decref(ctx->reply);
    ctx->reply = trunk_render(ctx, row);
    ctx->status = 200;
}

static void
change_subports(struct api_ctx *ctx, const struct nbrec_trunk *t, bool add)
{
    const json_t *list = json_is_object(ctx->body)
                         ? json_object_get(ctx->body, "sub_ports") : NULL;
    struct subport_req *subs;
    size_t n;

    if (!list) {
        api_error(ctx, 400, "BadRequest", "Bad trunk request: the body "
                  "needs \"sub_ports\".");
        return;
    }
    if (!parse_subports(ctx, t, t->port, list, add, &subs, &n)) {
        free(subs);
        return;
    }
    verify_trunks(ctx);
    for (size_t i = 0; i < n; i++) {
        if (add) {
            nbrec_trunk_update_sub_ports_setkey(t, subs[i].vlan,
                                                subs[i].port);
        } else {
            for (size_t j = 0; j < t->n_sub_ports; j++) {
                if (t->value_sub_ports[j] == subs[i].port) {
                    nbrec_trunk_update_sub_ports_delkey(
                        t, t->key_sub_ports[j]);
                }
            }
        }
    }
    free(subs);
    stamp(t);
    ctx->finish = finish_unwrapped;
}

static void
trunk_action(struct api_ctx *ctx, const struct ovsdb_idl_row *row,
             const char *action)
{
    const struct nbrec_trunk *t = API_ROW(nbrec_trunk, row);

    if (ctx->method == API_GET && !strcmp(action, "get_subports")) {
        ctx->reply = json_pack("{s:o}", "sub_ports", subports_json(t, false));
        ctx->status = 200;
    } else if (ctx->method == API_PUT && !strcmp(action, "add_subports")) {
        change_subports(ctx, t, true);
    } else if (ctx->method == API_PUT
               && !strcmp(action, "remove_subports")) {
        change_subports(ctx, t, false);
    } else {
        api_error(ctx, 404, "HTTPNotFound", "The resource could not be "
                  "found.");
    }
}

const struct api_resource api_trunks = {
    .collection = "trunks",
    .plural = "trunks",
    .member = "trunk",
    .table = &nbrec_table_trunk,
    .render = trunk_render,
    .create = trunk_create,
    .update = trunk_update,
    .delete = trunk_delete,
    .action = trunk_action,
    .get_actions = true,
};

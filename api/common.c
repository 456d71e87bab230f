/*
 * api/common: helpers shared by dvr-api's resource handlers: errors,
 * transactions, lookups, IPAM against the IDL, default security groups,
 * standard attributes.  See core.h.
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openvswitch/vlog.h"
#include "pipeline/sg.h"
#include "ovsdb-idl.h"
#include "random.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "api/core.h"
#include "api/server.h"

VLOG_DEFINE_THIS_MODULE(api_common);

bool
api_error(struct api_ctx *ctx, int status, const char *type,
          const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = xvasprintf(format, args);
    va_end(args);

    json_decref(ctx->reply);
    ctx->status = status;
    ctx->reply = json_pack("{s:{s:s, s:s, s:s}}", "NeutronError",
                           "type", type, "message", message, "detail", "");
    free(message);
    return false;
}

bool
api_bad_request(struct api_ctx *ctx, char *message)
{
    api_error(ctx, 400, "HTTPBadRequest", "%s", message);
    free(message);
    return false;
}

bool
api_not_found(struct api_ctx *ctx, const char *what, const char *id)
{
    char *type = xasprintf("%sNotFound", what);
    for (char *p = type; *p; p++) {
        if (*p == ' ') {
            memmove(p, p + 1, strlen(p));
        }
    }
    api_error(ctx, 404, type, "%s %.64s could not be found.", what,
              id ? id : "");
    free(type);
    return false;
}

bool
api_conflict(struct api_ctx *ctx, const char *type, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = xvasprintf(format, args);
    va_end(args);
    api_error(ctx, 409, type, "%s", message);
    free(message);
    return false;
}

const char *
api_param(const struct api_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_params; i++) {
        if (!strcmp(ctx->params[i].name, name)) {
            return ctx->params[i].value;
        }
    }
    return NULL;
}

/* Returns the object inside the request body {"<member>": {...}} after
 * validating it against 'specs', or NULL after setting an error. */
json_t *
api_body_member(struct api_ctx *ctx, const struct attr_spec *specs,
                size_t n_specs, enum validate_op op)
{
    const char *member = ctx->res->member;
    if (!ctx->body) {
        api_error(ctx, 400, "HTTPBadRequest", "Resource body required");
        return NULL;
    }
    if (!json_is_object(ctx->body)) {
        api_error(ctx, 400, "HTTPBadRequest",
                  "Body contains invalid data: not a JSON object");
        return NULL;
    }
    if (json_object_get(ctx->body, ctx->res->plural)) {
        api_error(ctx, 400, "HTTPBadRequest",
                  "Bulk operations are not supported");
        return NULL;
    }
    json_t *obj = json_object_get(ctx->body, member);
    if (!obj || json_object_size(ctx->body) != 1) {
        api_error(ctx, 400, "HTTPBadRequest",
                  "Unable to find '%s' in request body", member);
        return NULL;
    }
    char *error = validate_body(specs, n_specs, obj, op);
    if (error) {
        api_bad_request(ctx, error);
        return NULL;
    }
    return obj;
}

bool
api_json_bool(const json_t *obj, const char *key, bool def)
{
    const json_t *v = json_object_get(obj, key);
    bool b;
    return v && validate_get_bool(v, &b) ? b : def;
}

/* Returns the string 'key' of 'obj', or 'def' if absent or null. */
const char *
api_json_string(const json_t *obj, const char *key, const char *def)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : def;
}

/* True if 'obj' has 'key' with a non-null value. */
bool
api_json_has(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v);
}

/* The project a create acts for: the body's project_id or tenant_id (they
 * must agree), else the request's.  NULL after setting an error. */
static const char *
body_project(struct api_ctx *ctx, const json_t *obj)
{
    const char *project = api_json_string(obj, "project_id", NULL);
    const char *tenant = api_json_string(obj, "tenant_id", NULL);
    if (project && tenant && strcmp(project, tenant)) {
        api_error(ctx, 400, "HTTPBadRequest",
                  "'project_id' and 'tenant_id' do not match");
        return NULL;
    }
    project = project ? project : tenant;
    return project && *project ? project : ctx->project;
}

json_t *
api_create_body(struct api_ctx *ctx, const struct attr_spec *specs,
                size_t n_specs, const char **projectp)
{
    json_t *obj = api_body_member(ctx, specs, n_specs, VALIDATE_CREATE);

    *projectp = obj ? body_project(ctx, obj) : NULL;
    if (*projectp && !api_quota_check(ctx, *projectp)) {
        *projectp = NULL;
    }
    return *projectp ? obj : NULL;
}

struct ovsdb_idl_txn *
api_txn(struct api_ctx *ctx)
{
    if (!ctx->txn) {
        ctx->txn = ovsdb_idl_txn_create(ctx->idl);
        ovsdb_idl_txn_add_comment(ctx->txn, "dvr-api: %s %s",
                                  (ctx->method == API_POST ? "POST"
                                   : ctx->method == API_PUT ? "PUT"
                                   : ctx->method == API_DELETE ? "DELETE"
                                   : "GET"), ctx->path);
    }
    return ctx->txn;
}

static void
render_row(struct api_ctx *ctx, const struct uuid *uuid, int status)
{
    const struct ovsdb_idl_row *row
        = uuid ? ovsdb_idl_get_row_for_uuid(ctx->idl, ctx->res->table, uuid)
               : NULL;
    if (!row) {
        /* Deleted again by another client before we could answer. */
        api_error(ctx, 404, "NotFound", "The %s was deleted concurrently.",
                  ctx->res->member);
        return;
    }
    json_decref(ctx->reply);
    ctx->reply = json_pack("{s:o}", ctx->res->member,
                           ctx->res->render(ctx, row));
    ctx->status = status;
}

/* 'finish' for updates: renders the row whose UUID is 'ctx->target'. */
void
api_finish_row(struct api_ctx *ctx)
{
    render_row(ctx, &ctx->target, 200);
}

/* 'finish' for creates: renders the row inserted as 'ctx->created'. */
void
api_finish_created(struct api_ctx *ctx)
{
    render_row(ctx, ovsdb_idl_txn_get_insert_uuid(ctx->txn, &ctx->created),
               201);
}

void
api_finish_no_content(struct api_ctx *ctx)
{
    json_decref(ctx->reply);
    ctx->reply = NULL;
    ctx->status = 204;
}

/* A create is retried when its transaction's outcome is unknown (the NB
 * connection, e.g. to a cluster's leader, dropped before the answer).  The
 * row it creates has the same UUID in every attempt (ctx->create_uuid), so
 * if an earlier attempt committed, the row is in the database now: answers
 * 201 with it, as that attempt would have, and returns true.  A create
 * therefore never makes two objects of one request. */
bool
api_replay_create(struct api_ctx *ctx)
{
    if (ctx->method != API_POST || ctx->id || !ctx->res
        || !ovsdb_idl_get_row_for_uuid(ctx->idl, ctx->res->table,
                                       &ctx->create_uuid)) {
        return false;
    }
    render_row(ctx, &ctx->create_uuid, 201);
    return true;
}

/* Notes 'row', just inserted in 'ctx->txn', as the row to answer with. */
void
api_set_created(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    ctx->created = row->uuid;
    ctx->finish = api_finish_created;
}

/* Reserves 'key' for this request's transaction.  Returns false if another
 * transaction in flight holds it. */
bool
api_reserve(struct api_ctx *ctx, const char *key)
{
    struct sset *all = api_server_reserved(ctx->server);
    if (sset_contains(&ctx->reserved, key)) {
        return true;
    }
    if (sset_contains(all, key)) {
        return false;
    }
    sset_add(all, key);
    sset_add(&ctx->reserved, key);
    return true;
}

bool
api_is_reserved(const struct api_ctx *ctx, const char *key)
{
    return (!sset_contains(&ctx->reserved, key)
            && sset_contains(api_server_reserved(ctx->server), key));
}

static const struct ovsdb_idl_row *
get_row(struct api_ctx *ctx, const struct ovsdb_idl_table_class *tc,
        const char *id)
{
    struct uuid uuid;
    if (!id || !validate_is_uuid(id) || !uuid_from_string(&uuid, id)) {
        return NULL;
    }
    return ovsdb_idl_get_row_for_uuid(ctx->idl, tc, &uuid);
}

const struct nbrec_network *
api_get_network(struct api_ctx *ctx, const char *id)
{
    return API_ROW(nbrec_network, get_row(ctx, &nbrec_table_network, id));
}

const struct nbrec_subnet *
api_get_subnet(struct api_ctx *ctx, const char *id)
{
    return API_ROW(nbrec_subnet, get_row(ctx, &nbrec_table_subnet, id));
}

const struct nbrec_port *
api_get_port(struct api_ctx *ctx, const char *id)
{
    return API_ROW(nbrec_port, get_row(ctx, &nbrec_table_port, id));
}

const struct nbrec_router *
api_get_router(struct api_ctx *ctx, const char *id)
{
    return API_ROW(nbrec_router, get_row(ctx, &nbrec_table_router, id));
}

const struct nbrec_floating_ip *
api_get_fip(struct api_ctx *ctx, const char *id)
{
    return API_ROW(nbrec_floating_ip, get_row(ctx, &nbrec_table_floating_ip,
                                          id));
}

const struct nbrec_security_group *
api_get_sg(struct api_ctx *ctx, const char *id)
{
    return API_ROW(nbrec_security_group, get_row(ctx,
                                             &nbrec_table_security_group,
                                             id));
}

/* A port is up when a controller reports a Port_Binding with up=true. */
bool
api_port_is_up(struct api_ctx *ctx, const struct nbrec_port *port)
{
    struct ovsdb_idl_index *index = api_get_indexes(ctx)->binding_by_port;
    struct nbrec_port_binding *key = nbrec_port_binding_index_init_row(index);
    nbrec_port_binding_index_set_port(key, port);
    const struct nbrec_port_binding *pb;
    bool up = false;
    NBREC_PORT_BINDING_FOR_EACH_EQUAL (pb, key, index) {
        up |= pb->up;
    }
    nbrec_port_binding_index_destroy_row(key);
    return up;
}

/* Returns the router that has 'port' as an interface or gateway. */
const struct nbrec_router *
api_port_router(struct api_ctx *ctx, const struct nbrec_port *port)
{
    const struct nbrec_router *router;
    NBREC_ROUTER_FOR_EACH (router, ctx->idl) {
        if (router->gateway_port == port) {
            return router;
        }
        for (size_t i = 0; i < router->n_interfaces; i++) {
            if (router->interfaces[i] == port) {
                return router;
            }
        }
    }
    return NULL;
}

const struct nbrec_security_group *
api_rule_group(struct api_ctx *ctx,
               const struct nbrec_security_group_rule *rule)
{
    const struct nbrec_security_group *sg;
    NBREC_SECURITY_GROUP_FOR_EACH (sg, ctx->idl) {
        for (size_t i = 0; i < sg->n_rules; i++) {
            if (sg->rules[i] == rule) {
                return sg;
            }
        }
    }
    return NULL;
}

bool
api_subnet_prefix(const struct nbrec_subnet *subnet,
                  struct ipam_prefix *prefix)
{
    char *error = ipam_parse_cidr(subnet->cidr, false, prefix);
    if (error) {
        free(error);
        return false;
    }
    return true;
}

bool
api_subnet_is_auto_address(const struct nbrec_subnet *subnet)
{
    const char *am = smap_get(&subnet->external_ids,
                              "neutron:ipv6_address_mode");
    const char *mode = am ? am : smap_get(&subnet->external_ids,
                                          "neutron:ipv6_ra_mode");
    return (subnet->ip_version == 6 && mode
            && (!strcmp(mode, "slaac") || !strcmp(mode, "dhcpv6-stateless")));
}

bool
api_allocate_eui64(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
                   const char *mac, struct ipam_addr *out)
{
    struct ipam_prefix prefix;
    uint8_t bytes[6];

    if (!api_subnet_prefix(subnet, &prefix) || !ipam_parse_mac(mac, bytes)) {
        api_error(ctx, 409, "InvalidSubnet", "Subnet "UUID_FMT" has an "
                  "invalid cidr", UUID_ARGS(&subnet->header_.uuid));
        return false;
    }
    struct ipam_addr addr;
    ipam_eui64(&prefix, bytes, &addr);
    return api_allocate_ip(ctx, subnet, &addr, false, out);
}

static int
compare_ranges(const void *a_, const void *b_)
{
    const struct ipam_range *a = a_, *b = b_;
    return ipam_addr_cmp(&a->start, &b->start);
}

/* Parses the subnet's allocation pools (start -> end) into a malloc'd
 * array sorted by start; returns how many. */
size_t
api_subnet_pools(const struct nbrec_subnet *subnet, struct ipam_range **out)
{
    size_t n = 0;
    const struct smap_node *node;

    *out = xcalloc(smap_count(&subnet->allocation_pools) + 1, sizeof **out);
    SMAP_FOR_EACH (node, &subnet->allocation_pools) {
        struct ipam_range r;
        if (ipam_parse_addr(node->key, &r.start)
            && ipam_parse_addr(node->value, &r.end)
            && r.start.family == r.end.family) {
            (*out)[n++] = r;
        }
    }
    qsort(*out, n, sizeof **out, compare_ranges);
    return n;
}

static char *
ip_key(const struct nbrec_subnet *subnet, const char *ip)
{
    return xasprintf("ip "UUID_FMT" %s", UUID_ARGS(&subnet->header_.uuid),
                     ip);
}

/* True if 'ip' (canonical text) is allocated on 'subnet': in the database
 * or reserved by another transaction in flight. */
bool
api_ip_in_use(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
              const char *ip)
{
    struct ovsdb_idl_index *index
        = api_get_indexes(ctx)->fixed_ip_by_address;
    struct nbrec_fixed_ip *key = nbrec_fixed_ip_index_init_row(index);
    nbrec_fixed_ip_index_set_subnet(key, subnet);
    nbrec_fixed_ip_index_set_ip_address(key, ip);
    bool in_use = nbrec_fixed_ip_index_find(index, key) != NULL;
    nbrec_fixed_ip_index_destroy_row(key);
    if (!in_use) {
        char *k = ip_key(subnet, ip);
        in_use = api_is_reserved(ctx, k);
        free(k);
    }
    return in_use;
}

struct used_aux {
    struct api_ctx *ctx;
    const struct nbrec_subnet *subnet;
};

static bool
ip_in_use(const struct ipam_addr *addr, void *aux_)
{
    struct used_aux *aux = aux_;
    char buf[IPAM_ADDR_STRLEN];
    ipam_format_addr(addr, buf);
    return api_ip_in_use(aux->ctx, aux->subnet, buf);
}

/* Rotates 'pools' so that the search starts after the hint (the address
 * allocated last on the subnet): allocation stays O(1) as a subnet fills
 * up, and freed addresses are reused after a wrap-around.  Returns the
 * number of ranges in 'out' (at most n + 1). */
static size_t
rotate_pools(const struct ipam_range *pools, size_t n,
             const struct ipam_addr *hint, struct ipam_range *out)
{
    size_t k = 0, split = n;
    for (size_t i = 0; hint && i < n; i++) {
        if (ipam_range_contains(&pools[i], hint)) {
            split = i;
        }
    }
    if (split == n) {
        memcpy(out, pools, n * sizeof *pools);
        return n;
    }
    struct ipam_range tail = pools[split];
    if (hint->v < tail.end.v) {
        tail.start = *hint;
        tail.start.v++;
        out[k++] = tail;
    }
    for (size_t i = split + 1; i < n; i++) {
        out[k++] = pools[i];
    }
    for (size_t i = 0; i < split; i++) {
        out[k++] = pools[i];
    }
    struct ipam_range head = pools[split];
    head.end = *hint;
    out[k++] = head;
    return k;
}

/* Chooses an address on 'subnet' for a port: 'requested' if nonnull (it
 * must be a host address of the subnet, not in use, and not the gateway
 * unless 'allow_gateway'), otherwise the first free address of the pools.
 * Reserves it and stores it in 'out'.  Returns false after setting the
 * error (400 or 409). */
bool
api_allocate_ip(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
                const struct ipam_addr *requested, bool allow_gateway,
                struct ipam_addr *out)
{
    struct ipam_prefix prefix;
    char *subnet_id = api_uuid_str(&subnet->header_);
    bool ok = false;

    if (!api_subnet_prefix(subnet, &prefix)) {
        api_error(ctx, 409, "InvalidSubnet", "Subnet %s has an invalid cidr",
                  subnet_id);
        goto out;
    }

    if (requested) {
        char buf[IPAM_ADDR_STRLEN];
        ipam_format_addr(requested, buf);
        if (!ipam_is_host(&prefix, requested)) {
            api_error(ctx, 400, "InvalidIpForSubnet",
                      "IP address %s is not a valid IP for the specified "
                      "subnet.", buf);
            goto out;
        }
        if (!allow_gateway && subnet->gateway_ip
            && !strcmp(subnet->gateway_ip, buf)) {
            api_conflict(ctx, "IpAddressAlreadyAllocated",
                         "IP address %s already allocated in subnet %s "
                         "(the subnet's gateway)", buf, subnet_id);
            goto out;
        }
        if (api_ip_in_use(ctx, subnet, buf)) {
            api_conflict(ctx, "IpAddressAlreadyAllocated",
                         "IP address %s already allocated in subnet %s",
                         buf, subnet_id);
            goto out;
        }
        *out = *requested;
    } else {
        struct ipam_range *pools;
        size_t n = api_subnet_pools(subnet, &pools);
        struct ipam_range *order = xcalloc(n + 1, sizeof *order);
        struct smap *hints = &api_get_indexes(ctx)->alloc_hints;
        struct ipam_addr hint;
        bool has_hint = ipam_parse_addr(smap_get_def(hints, subnet_id, ""),
                                        &hint);
        size_t n_order = rotate_pools(pools, n, has_hint ? &hint : NULL,
                                      order);
        struct used_aux aux = { ctx, subnet };
        bool found = ipam_find_free(order, n_order, ip_in_use, &aux, 1 << 20,
                                    out);
        free(order);
        free(pools);
        if (!found) {
            api_conflict(ctx, "IpAddressGenerationFailure",
                         "No more IP addresses available on network "
                         UUID_FMT".",
                         UUID_ARGS(&subnet->network->header_.uuid));
            goto out;
        }
        char buf[IPAM_ADDR_STRLEN];
        ipam_format_addr(out, buf);
        smap_replace(hints, subnet_id, buf);
        /* Another writer may take the same address first: retry then. */
        ctx->retry_on_conflict = true;
    }

    char buf[IPAM_ADDR_STRLEN];
    ipam_format_addr(out, buf);
    char *key = ip_key(subnet, buf);
    api_reserve(ctx, key);
    free(key);
    ok = true;

out:
    free(subnet_id);
    return ok;
}

struct nbrec_fixed_ip *
api_insert_fixed_ip(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
                    const struct ipam_addr *addr)
{
    char buf[IPAM_ADDR_STRLEN];
    ipam_format_addr(addr, buf);
    struct nbrec_fixed_ip *fip = nbrec_fixed_ip_insert(api_txn(ctx));
    nbrec_fixed_ip_set_subnet(fip, subnet);
    nbrec_fixed_ip_set_ip_address(fip, buf);
    return fip;
}

static bool
mac_in_use(struct api_ctx *ctx, const struct nbrec_network *network,
           const char *mac)
{
    char *rkey = xasprintf("mac %s", mac);
    bool in_use = api_is_reserved(ctx, rkey);
    free(rkey);
    if (in_use) {
        return true;
    }

    struct ovsdb_idl_index *index = api_get_indexes(ctx)->port_by_mac;
    struct nbrec_port *key = nbrec_port_index_init_row(index);
    nbrec_port_index_set_mac_address(key, mac);
    const struct nbrec_port *port;
    NBREC_PORT_FOR_EACH_EQUAL (port, key, index) {
        if (!network || port->network == network) {
            in_use = true;
            break;
        }
    }
    nbrec_port_index_destroy_row(key);
    return in_use;
}

/* Chooses a MAC for a new port on 'network': 'requested' (normalized to
 * lower case; 409 if a port of the network has it) or a random unused
 * fa:16:3e:xx:xx:xx. */
bool
api_allocate_mac(struct api_ctx *ctx, const struct nbrec_network *network,
                 const char *requested, char mac[IPAM_MAC_STRLEN])
{
    if (requested) {
        uint8_t bytes[6];
        if (!ipam_parse_mac(requested, bytes)) {
            return api_error(ctx, 400, "InvalidInput",
                             "Invalid input for mac_address. Reason: '%s' "
                             "is not a valid MAC address.", requested);
        }
        ipam_format_mac(bytes, mac);
        if (mac_in_use(ctx, network, mac)) {
            return api_conflict(ctx, "MacAddressInUse",
                                "Unable to complete operation for network "
                                UUID_FMT". The mac address %s is in use.",
                                UUID_ARGS(&network->header_.uuid), mac);
        }
    } else {
        int tries = 0;
        do {
            if (++tries > 64) {
                return api_conflict(ctx, "MacAddressGenerationFailure",
                                    "Unable to generate unique mac on "
                                    "network "UUID_FMT".",
                                    UUID_ARGS(&network->header_.uuid));
            }
            ipam_neutron_mac(random_uint32(), mac);
        } while (mac_in_use(ctx, NULL, mac));
        ctx->retry_on_conflict = true;
    }

    char *key = xasprintf("mac %s", mac);
    api_reserve(ctx, key);
    free(key);
    return true;
}

static struct nbrec_security_group_rule *
insert_rule(struct api_ctx *ctx, const struct nbrec_security_group *sg,
            const char *project, const char *direction,
            const char *ethertype,
            const struct nbrec_security_group *remote_group)
{
    struct nbrec_security_group_rule *rule
        = nbrec_security_group_rule_insert(api_txn(ctx));
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_security_group_rule_set_project_id(rule, project);
    nbrec_security_group_rule_set_direction(rule, direction);
    nbrec_security_group_rule_set_ethertype(rule, ethertype);
    if (remote_group) {
        nbrec_security_group_rule_set_remote_group(rule, remote_group);
        smap_add_format(&ids, SG_REMOTE_GROUP_KEY, UUID_FMT,
                        UUID_ARGS(&remote_group->header_.uuid));
    }
    nbrec_security_group_rule_set_external_ids(rule, &ids);
    smap_destroy(&ids);
    nbrec_security_group_update_rules_addvalue(sg, rule);
    return rule;
}

/* Adds to 'sg' (being inserted) the two egress rules of a new group. */
void
api_insert_default_egress(struct api_ctx *ctx,
                          const struct nbrec_security_group *sg,
                          const char *project)
{
    insert_rule(ctx, sg, project, "egress", "IPv4", NULL);
    insert_rule(ctx, sg, project, "egress", "IPv6", NULL);
}

static char *
default_sg_key(const char *project)
{
    return xasprintf("dvrflow:default-security-group:%s", project);
}

/* Returns the default security group of 'project'.  If it does not exist
 * and 'create', inserts it in the transaction with Neutron's default rules
 * (egress any, ingress from the group itself, IPv4 and IPv6).  The key
 * NB_Global:external_ids:dvrflow:default-security-group:PROJECT, written
 * under a verify() precondition, makes concurrent creators conflict, so
 * that a project never gets two default groups. */
const struct nbrec_security_group *
api_default_sg(struct api_ctx *ctx, const char *project, bool create)
{
    const struct nbrec_nb_global *global = nbrec_nb_global_first(ctx->idl);
    char *key = default_sg_key(project);
    const char *marked = global ? smap_get(&global->external_ids, key)
                                : NULL;
    const struct nbrec_security_group *sg = marked ? api_get_sg(ctx, marked)
                                                   : NULL;
    if (!sg) {
        const struct nbrec_security_group *iter;
        NBREC_SECURITY_GROUP_FOR_EACH (iter, ctx->idl) {
            if (!strcmp(iter->name, "default")
                && !strcmp(iter->project_id, project)
                && smap_get_bool(&iter->external_ids, "dvrflow:default",
                                 false)) {
                sg = iter;
                break;
            }
        }
    }
    if (sg || !create) {
        free(key);
        return sg;
    }

    struct uuid uuid = uuid_random();
    struct nbrec_security_group *new
        = nbrec_security_group_insert_persist_uuid(api_txn(ctx), &uuid);
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    smap_add(&ids, "dvrflow:default", "true");
    nbrec_security_group_set_name(new, "default");
    nbrec_security_group_set_description(new, "Default security group");
    nbrec_security_group_set_project_id(new, project);
    nbrec_security_group_set_stateful(new, true);
    nbrec_security_group_set_external_ids(new, &ids);
    smap_destroy(&ids);
    api_insert_default_egress(ctx, new, project);
    insert_rule(ctx, new, project, "ingress", "IPv4", new);
    insert_rule(ctx, new, project, "ingress", "IPv6", new);

    if (global) {
        char value[UUID_LEN + 1];
        snprintf(value, sizeof value, UUID_FMT, UUID_ARGS(&uuid));
        nbrec_nb_global_verify_external_ids(global);
        nbrec_nb_global_update_external_ids_setkey(global, key, value);
    }
    free(key);
    return new;
}

char *
api_uuid_str(const struct ovsdb_idl_row *row)
{
    return xasprintf(UUID_FMT, UUID_ARGS(&row->uuid));
}

void
api_set_uuid(json_t *obj, const char *key, const struct ovsdb_idl_row *row)
{
    if (row) {
        char *s = api_uuid_str(row);
        json_object_set_new(obj, key, json_string(s));
        free(s);
    } else {
        json_object_set_new(obj, key, json_null());
    }
}

json_t *
api_fixed_ips_json(struct nbrec_fixed_ip **fips, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *obj = json_object();
        api_set_uuid(obj, "subnet_id",
                     fips[i]->subnet ? &fips[i]->subnet->header_ : NULL);
        json_object_set_new(obj, "ip_address",
                            json_string(fips[i]->ip_address));
        json_array_append_new(list, obj);
    }
    return list;
}

/* Adds the attributes every Neutron resource has: project, timestamps,
 * revision number, tags. */
void
api_add_std_attrs(json_t *obj, const struct smap *ids, const char *project)
{
    json_object_set_new(obj, "tenant_id", json_string(project));
    json_object_set_new(obj, "project_id", json_string(project));
    const char *created = smap_get_def(ids, "neutron:created_at",
                                       "1970-01-01T00:00:00Z");
    json_object_set_new(obj, "created_at", json_string(created));
    json_object_set_new(obj, "updated_at",
                        json_string(smap_get_def(ids, "neutron:updated_at",
                                                 created)));
    json_object_set_new(obj, "revision_number",
                        json_integer(smap_get_int(ids,
                                                  "neutron:revision_number",
                                                  0)));
    json_object_set_new(obj, "tags", json_array());
}

/* Updates the standard attributes kept in 'ids' (a row's external_ids)
 * for a create or an update. */
void
api_stamp(struct smap *ids, bool create)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);

    int revision = create ? 0 : smap_get_int(ids, "neutron:revision_number",
                                             0);
    if (create) {
        smap_replace(ids, "neutron:created_at", now);
    }
    smap_replace(ids, "neutron:updated_at", now);
    char rev[16];
    snprintf(rev, sizeof rev, "%d", revision + 1);
    smap_replace(ids, "neutron:revision_number", rev);
}

/*
 * api/router: the Neutron "routers" resource on the NB Router table, with
 * the add/remove_router_interface and add/remove_extraroutes actions.
 *
 * Interfaces are Port rows in Router.interfaces with device_owner
 * "network:router_interface_distributed", device_id = the router's id and
 * one Fixed_IP: the subnet's gateway (by subnet) or the port's own (by
 * port).  The gateway is a Port on the external network with device_owner
 * "network:router_gateway" in Router.gateway_port.  A subnet may have only
 * one router (409), a router's subnets may not overlap (409), and an extra
 * route's nexthop must be on a connected subnet (400).  A router's id is
 * chosen before its insertion (ovsdb's persistent UUIDs), so its gateway
 * port can name it in the same transaction.
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

VLOG_DEFINE_THIS_MODULE(api_router);

#define ROUTER_INTERFACE_OWNER "network:router_interface_distributed"
#define ROUTER_GATEWAY_OWNER "network:router_gateway"

static const struct attr_spec router_attrs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "admin_state_up", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "external_gateway_info", ATTR_DICT,
      ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0, 0, NULL, NULL },
    { "routes", ATTR_LIST, ATTR_PUT | ATTR_NULLABLE, 0, 0, NULL, NULL },
    { "distributed", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "ha", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "availability_zone_hints", ATTR_LIST, ATTR_POST, 0, 0, NULL,
      validate_check_list_of_strings },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static const struct attr_spec routes_attrs[] = {
    { "routes", ATTR_LIST, ATTR_PUT | ATTR_REQUIRED, 0, 0, NULL, NULL },
};

static json_t *
router_render(struct api_ctx *ctx OVS_UNUSED,
              const struct ovsdb_idl_row *row_)
{
    const struct nbrec_router *router = API_ROW(nbrec_router, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &router->header_);
    json_object_set_new(obj, "name", json_string(router->name));
    json_object_set_new(obj, "description",
                        json_string(router->description));
    json_object_set_new(obj, "admin_state_up",
                        json_boolean(router->admin_state_up));
    json_object_set_new(obj, "status",
                        json_string(*router->status ? router->status
                                                    : "ACTIVE"));
    const struct nbrec_port *gw = router->gateway_port;
    if (gw) {
        json_t *info = json_object();
        api_set_uuid(info, "network_id",
                     gw->network ? &gw->network->header_ : NULL);
        json_object_set_new(info, "enable_snat",
                            json_boolean(router->enable_snat));
        json_object_set_new(info, "external_fixed_ips",
                            api_fixed_ips_json(gw->fixed_ips,
                                               gw->n_fixed_ips));
        api_set_uuid(info, "qos_policy_id",
                     router->gateway_qos_policy
                     ? &router->gateway_qos_policy->header_ : NULL);
        json_object_set_new(obj, "external_gateway_info", info);
    } else {
        json_object_set_new(obj, "external_gateway_info", json_null());
    }

    json_t *routes = json_array();
    const struct smap_node **nodes = smap_sort(&router->routes);
    for (size_t i = 0; i < smap_count(&router->routes); i++) {
        json_array_append_new(routes, json_pack("{s:s, s:s}",
                                                "destination",
                                                nodes[i]->key, "nexthop",
                                                nodes[i]->value));
    }
    free(nodes);
    json_object_set_new(obj, "routes", routes);
    json_object_set_new(obj, "distributed", json_true());
    json_object_set_new(obj, "ha", json_false());
    json_object_set_new(obj, "availability_zone_hints", json_array());
    json_object_set_new(obj, "availability_zones", json_array());
    json_object_set_new(obj, "flavor_id", json_null());
    api_add_std_attrs(obj, &router->external_ids, router->project_id);
    return obj;
}

static bool
router_has_fips(struct api_ctx *ctx, const struct nbrec_router *router)
{
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->router == router && fip->port) {
            return true;
        }
    }
    return false;
}

static int
compare_subnets(const void *a_, const void *b_)
{
    const struct nbrec_subnet *const *a = a_;
    const struct nbrec_subnet *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Allocates the gateway port's addresses on external network 'net': the
 * requested 'external_fixed_ips', or one IPv4 address and (dual stack)
 * one IPv6 address. */
static bool
gateway_fixed_ips(struct api_ctx *ctx, const struct nbrec_network *net,
                  const json_t *requested, struct nbrec_fixed_ip ***rows,
                  size_t *n_rows)
{
    *n_rows = 0;
    *rows = NULL;

    if (requested && !json_is_null(requested)) {
        struct validate_fixed_ip *fips;
        size_t n;
        char *error = validate_fixed_ips("external_fixed_ips", requested,
                                         &fips, &n);
        if (error) {
            return api_bad_request(ctx, error);
        }
        *rows = xcalloc(n + 1, sizeof **rows);
        for (size_t i = 0; i < n; i++) {
            const struct nbrec_subnet *subnet = NULL;
            if (fips[i].subnet_id) {
                subnet = api_get_subnet(ctx, fips[i].subnet_id);
            } else {
                const struct nbrec_subnet *s;
                NBREC_SUBNET_FOR_EACH (s, ctx->idl) {
                    struct ipam_prefix p;
                    if (s->network == net && api_subnet_prefix(s, &p)
                        && ipam_prefix_contains(&p, &fips[i].ip)) {
                        subnet = s;
                    }
                }
            }
            struct ipam_addr addr;
            if (!subnet || subnet->network != net) {
                free(fips);
                free(*rows);
                *rows = NULL;
                return api_error(ctx, 400, "BadRequest", "Bad router "
                                 "request: external_fixed_ips entry %zu is "
                                 "not on network "UUID_FMT".", i,
                                 UUID_ARGS(&net->header_.uuid));
            }
            if (!api_allocate_ip(ctx, subnet,
                                 fips[i].has_ip ? &fips[i].ip : NULL, false,
                                 &addr)) {
                free(fips);
                free(*rows);
                *rows = NULL;
                return false;
            }
            (*rows)[(*n_rows)++] = api_insert_fixed_ip(ctx, subnet, &addr);
        }
        free(fips);
        return true;
    }

    /* One IPv4 address (required) and, on a dual-stack external network,
     * one IPv6 address, each from the first subnet of its version (by
     * UUID) with a free one, as Neutron gives a gateway port one address
     * of each version. */
    *rows = xcalloc(2, sizeof **rows);
    for (int version = 4; version <= 6; version += 2) {
        const struct nbrec_subnet **subnets = NULL;
        size_t n = 0, allocated = 0;
        const struct nbrec_subnet *s;
        bool done = false;

        NBREC_SUBNET_FOR_EACH (s, ctx->idl) {
            if (s->network == net && s->ip_version == version) {
                if (n >= allocated) {
                    subnets = x2nrealloc(subnets, &allocated,
                                         sizeof *subnets);
                }
                subnets[n++] = s;
            }
        }
        if (n) {
            qsort(subnets, n, sizeof *subnets, compare_subnets);
        }
        for (size_t i = 0; i < n && !done; i++) {
            struct ipam_addr addr;
            if (api_allocate_ip(ctx, subnets[i], NULL, false, &addr)) {
                (*rows)[(*n_rows)++] = api_insert_fixed_ip(ctx, subnets[i],
                                                           &addr);
                done = true;
                break;
            }
            json_decref(ctx->reply);
            ctx->reply = NULL;
            ctx->status = 0;
        }
        free(subnets);
        if (!done && version == 4) {
            free(*rows);
            *rows = NULL;
            *n_rows = 0;
            return api_error(ctx, n ? 409 : 400,
                             n ? "IpAddressGenerationFailure" : "BadRequest",
                             n ? "No more IP addresses available on "
                                 "external network "UUID_FMT"."
                               : "Bad router request: external network "
                                 UUID_FMT" has no IPv4 subnet.",
                             UUID_ARGS(&net->header_.uuid));
        }
    }
    return true;
}

/* Applies external_gateway_info 'info' (an object, possibly empty, or
 * null) to 'router', whose id is 'router_id'. */
static bool
set_gateway(struct api_ctx *ctx, const struct nbrec_router *router,
            const char *router_id, const json_t *info, bool creating)
{
    static const struct attr_spec gw_attrs[] = {
        { "network_id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0, NULL,
          NULL },
        { "enable_snat", ATTR_BOOL, ATTR_POST, 0, 0, NULL, NULL },
        { "external_fixed_ips", ATTR_LIST, ATTR_POST | ATTR_NULLABLE, 0, 0,
          NULL, NULL },
        { "qos_policy_id", ATTR_UUID, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
          NULL },
    };
    const struct nbrec_port *old = creating ? NULL : router->gateway_port;

    if (!info || json_is_null(info) || !json_object_size(info)) {
        if (old) {
            if (router_has_fips(ctx, router)) {
                return api_conflict(ctx,
                                    "RouterExternalGatewayInUseByFloatingIp",
                                    "Gateway cannot be updated for router "
                                    "%s, since a gateway to external "
                                    "network "UUID_FMT" is required by one "
                                    "or more floating IPs.", router_id,
                                    UUID_ARGS(&old->network->header_.uuid));
            }
            nbrec_router_set_gateway_port(router, NULL);
            nbrec_router_set_gateway_qos_policy(router, NULL);
            nbrec_port_delete(old);
        }
        return true;
    }

    char *error = validate_body(gw_attrs, ARRAY_SIZE(gw_attrs), info,
                                VALIDATE_CREATE);
    if (error) {
        char *msg = xasprintf("Invalid input for external_gateway_info. "
                              "Reason: %s", error);
        free(error);
        return api_bad_request(ctx, msg);
    }
    const char *net_id = api_json_string(info, "network_id", "");
    const struct nbrec_network *net = api_get_network(ctx, net_id);
    if (!net) {
        return api_not_found(ctx, "Network", net_id);
    }
    if (!net->external) {
        return api_error(ctx, 400, "BadRequest", "Bad router request: "
                         "Network %s is not a valid external network.",
                         net_id);
    }
    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, info, &qos, &qos_given)) {
        return false;
    }
    bool enable_snat = api_json_bool(info, "enable_snat", true);
    const json_t *ext_ips = json_object_get(info, "external_fixed_ips");

    if (old && old->network == net && !ext_ips) {
        nbrec_router_set_enable_snat(router, enable_snat);
        if (qos_given) {
            nbrec_router_set_gateway_qos_policy(router, qos);
        }
        return true;
    }
    if (old) {
        if (old->network != net && router_has_fips(ctx, router)) {
            return api_conflict(ctx, "RouterExternalGatewayInUseByFloatingIp",
                                "Gateway cannot be updated for router %s, "
                                "since a gateway to external network "
                                UUID_FMT" is required by one or more "
                                "floating IPs.", router_id,
                                UUID_ARGS(&old->network->header_.uuid));
        }
        nbrec_port_delete(old);
    }

    char mac[IPAM_MAC_STRLEN];
    struct nbrec_fixed_ip **fips;
    size_t n_fips;
    if (!api_allocate_mac(ctx, net, NULL, mac)
        || !gateway_fixed_ips(ctx, net, ext_ips, &fips, &n_fips)) {
        return false;
    }
    struct nbrec_port *port = nbrec_port_insert(api_txn(ctx));
    nbrec_port_set_network(port, net);
    nbrec_port_set_mac_address(port, mac);
    nbrec_port_set_fixed_ips(port, fips, n_fips);
    nbrec_port_set_device_owner(port, ROUTER_GATEWAY_OWNER);
    nbrec_port_set_device_id(port, router_id);
    nbrec_port_set_admin_state_up(port, true);
    nbrec_port_set_status(port, "DOWN");
    nbrec_port_set_port_security_enabled(port, false);
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_port_set_external_ids(port, &ids);
    smap_destroy(&ids);
    free(fips);

    nbrec_router_set_gateway_port(router, port);
    nbrec_router_set_enable_snat(router, enable_snat);
    if (qos_given) {
        nbrec_router_set_gateway_qos_policy(router, qos);
    }
    return true;
}

static void
router_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, router_attrs,
                                  ARRAY_SIZE(router_attrs), &project);
    if (!obj) {
        return;
    }
    if (!api_json_bool(obj, "distributed", true)
        || api_json_bool(obj, "ha", false)) {
        api_error(ctx, 400, "BadRequest", "Bad router request: dvrflow "
                  "routers are always distributed and not HA.");
        return;
    }

    struct uuid uuid = ctx->create_uuid;
    char router_id[UUID_LEN + 1];
    snprintf(router_id, sizeof router_id, UUID_FMT, UUID_ARGS(&uuid));
    struct nbrec_router *router
        = nbrec_router_insert_persist_uuid(api_txn(ctx), &uuid);
    nbrec_router_set_name(router, api_json_string(obj, "name", ""));
    nbrec_router_set_description(router,
                                 api_json_string(obj, "description", ""));
    nbrec_router_set_project_id(router, project);
    nbrec_router_set_admin_state_up(router,
                                    api_json_bool(obj, "admin_state_up",
                                                  true));
    nbrec_router_set_status(router, "ACTIVE");
    nbrec_router_set_enable_snat(router, true);
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_router_set_external_ids(router, &ids);
    smap_destroy(&ids);
    if (!set_gateway(ctx, router, router_id,
                     json_object_get(obj, "external_gateway_info"), true)) {
        return;
    }
    api_set_created(ctx, &router->header_);
}

/* Adds the prefixes of the subnets 'router' is connected to ('skip' port
 * excluded) to 'out' (caller frees). */
static size_t
connected_prefixes(const struct nbrec_router *router,
                   const struct nbrec_port *skip, struct ipam_prefix **out)
{
    size_t n = 0, allocated = 0;
    *out = NULL;
    for (size_t i = 0; i <= router->n_interfaces; i++) {
        const struct nbrec_port *port = (i < router->n_interfaces
                                         ? router->interfaces[i]
                                         : router->gateway_port);
        if (!port || port == skip) {
            continue;
        }
        for (size_t j = 0; j < port->n_fixed_ips; j++) {
            struct ipam_prefix p;
            if (port->fixed_ips[j]->subnet
                && api_subnet_prefix(port->fixed_ips[j]->subnet, &p)) {
                if (n >= allocated) {
                    *out = x2nrealloc(*out, &allocated, sizeof **out);
                }
                (*out)[n++] = p;
            }
        }
    }
    return n;
}

/* Checks new 'routes' of 'router': every nexthop on a connected subnet.
 * Stores them into 'map'. */
static bool
parse_routes(struct api_ctx *ctx, const struct nbrec_router *router,
             const json_t *v, struct smap *map)
{
    struct validate_route *routes;
    size_t n;
    char *error = validate_routes("routes", v, 0, &routes, &n);
    if (error) {
        return api_bad_request(ctx, error);
    }

    struct ipam_prefix *prefixes;
    size_t n_prefixes = connected_prefixes(router, NULL, &prefixes);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        char dst[IPAM_PREFIX_STRLEN], nh[IPAM_ADDR_STRLEN];
        ipam_format_prefix(&routes[i].destination, dst);
        ipam_format_addr(&routes[i].nexthop, nh);
        bool connected = false;
        for (size_t j = 0; j < n_prefixes; j++) {
            connected |= ipam_prefix_contains(&prefixes[j],
                                              &routes[i].nexthop);
        }
        if (!connected) {
            ok = api_error(ctx, 400, "InvalidRoutes", "Invalid format for "
                           "routes: [{'destination': '%s', 'nexthop': "
                           "'%s'}], the nexthop is not connected with "
                           "router", dst, nh);
        } else {
            smap_replace(map, dst, nh);
        }
    }
    free(prefixes);
    free(routes);
    return ok;
}

static void
router_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_router *router = API_ROW(nbrec_router, row);
    json_t *obj = api_body_member(ctx, router_attrs,
                                  ARRAY_SIZE(router_attrs), VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    if (!api_json_bool(obj, "distributed", true)
        || api_json_bool(obj, "ha", false)) {
        api_error(ctx, 400, "BadRequest", "Bad router request: dvrflow "
                  "routers are always distributed and not HA.");
        return;
    }
    char *router_id = api_uuid_str(&router->header_);

    api_txn(ctx);
    const json_t *routes = json_object_get(obj, "routes");
    if (routes) {
        struct smap map = SMAP_INITIALIZER(&map);
        if (!json_is_null(routes)
            && !parse_routes(ctx, router, routes, &map)) {
            smap_destroy(&map);
            free(router_id);
            return;
        }
        nbrec_router_set_routes(router, &map);
        smap_destroy(&map);
    }
    if (json_object_get(obj, "external_gateway_info")
        && !set_gateway(ctx, router, router_id,
                        json_object_get(obj, "external_gateway_info"),
                        false)) {
        free(router_id);
        return;
    }
    free(router_id);
    if (json_object_get(obj, "name")) {
        nbrec_router_set_name(router, api_json_string(obj, "name", ""));
    }
    if (json_object_get(obj, "description")) {
        nbrec_router_set_description(
            router, api_json_string(obj, "description", ""));
    }
    if (json_object_get(obj, "admin_state_up")) {
        nbrec_router_set_admin_state_up(
            router, api_json_bool(obj, "admin_state_up", true));
    }
    struct smap ids;
    smap_clone(&ids, &router->external_ids);
    api_stamp(&ids, false);
    nbrec_router_set_external_ids(router, &ids);
    smap_destroy(&ids);
    ctx->finish = api_finish_row;
}

static void
router_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_router *router = API_ROW(nbrec_router, row);
    if (router->n_interfaces) {
        api_conflict(ctx, "RouterInUse", "Router "UUID_FMT" still has "
                     "ports", UUID_ARGS(&router->header_.uuid));
        return;
    }
    if (router_has_fips(ctx, router)) {
        api_conflict(ctx, "RouterInUse", "Router "UUID_FMT" is still used "
                     "by floating IPs", UUID_ARGS(&router->header_.uuid));
        return;
    }
    api_txn(ctx);
    if (router->gateway_port) {
        nbrec_port_delete(router->gateway_port);
    }
    nbrec_router_delete(router);
    ctx->finish = api_finish_no_content;
}

/* The router that has an interface on 'subnet', if any. */
static const struct nbrec_router *
subnet_router(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
              const struct nbrec_port **port_out)
{
    const struct nbrec_router *router;
    NBREC_ROUTER_FOR_EACH (router, ctx->idl) {
        for (size_t i = 0; i < router->n_interfaces; i++) {
            const struct nbrec_port *port = router->interfaces[i];
            for (size_t j = 0; j < port->n_fixed_ips; j++) {
                if (port->fixed_ips[j]->subnet == subnet) {
                    if (port_out) {
                        *port_out = port;
                    }
                    return router;
                }
            }
        }
    }
    return NULL;
}

/* Checks that 'router' may get an interface on 'subnet'. */
static bool
check_interface_subnet(struct api_ctx *ctx, const struct nbrec_router *router,
                       const struct nbrec_subnet *subnet)
{
    const struct nbrec_router *owner = subnet_router(ctx, subnet, NULL);
    if (owner == router) {
        return api_error(ctx, 400, "BadRequest", "Bad router request: "
                         "Router already has a port on subnet "UUID_FMT".",
                         UUID_ARGS(&subnet->header_.uuid));
    } else if (owner) {
        return api_conflict(ctx, "SubnetInUse", "Subnet "UUID_FMT" is "
                            "already connected to router "UUID_FMT".",
                            UUID_ARGS(&subnet->header_.uuid),
                            UUID_ARGS(&owner->header_.uuid));
    }

    struct ipam_prefix prefix;
    if (!api_subnet_prefix(subnet, &prefix)) {
        return api_error(ctx, 400, "BadRequest", "Bad router request: "
                         "subnet has an invalid cidr.");
    }
    for (size_t i = 0; i < router->n_interfaces; i++) {
        const struct nbrec_port *port = router->interfaces[i];
        for (size_t j = 0; j < port->n_fixed_ips; j++) {
            const struct nbrec_subnet *other = port->fixed_ips[j]->subnet;
            struct ipam_prefix p;
            if (other && api_subnet_prefix(other, &p)
                && ipam_prefix_overlaps(&p, &prefix)) {
                return api_conflict(ctx, "SubnetOverlap", "Bad router "
                                    "request: Cidr %s of subnet "UUID_FMT
                                    " overlaps with cidr %s of subnet "
                                    UUID_FMT".", subnet->cidr,
                                    UUID_ARGS(&subnet->header_.uuid),
                                    other->cidr,
                                    UUID_ARGS(&other->header_.uuid));
            }
        }
    }
    return true;
}

static json_t *
interface_info(const struct nbrec_router *router,
               const struct nbrec_port *port)
{
    json_t *info = json_object();
    api_set_uuid(info, "id", &router->header_);
    json_object_set_new(info, "tenant_id", json_string(router->project_id));
    json_object_set_new(info, "project_id",
                        json_string(router->project_id));
    json_t *subnet_ids = json_array();
    if (port) {
        api_set_uuid(info, "port_id", &port->header_);
        api_set_uuid(info, "network_id",
                     port->network ? &port->network->header_ : NULL);
        for (size_t i = 0; i < port->n_fixed_ips; i++) {
            if (port->fixed_ips[i]->subnet) {
                char *id = api_uuid_str(&port->fixed_ips[i]->subnet->header_);
                json_array_append_new(subnet_ids, json_string(id));
                free(id);
            }
        }
    }
    json_object_set(info, "subnet_id",
                    json_array_size(subnet_ids)
                    ? json_array_get(subnet_ids, 0) : json_null());
    json_object_set_new(info, "subnet_ids", subnet_ids);
    return info;
}

/* 'finish' of add_router_interface: describes the interface port, whose
 * UUID is 'ctx->created' (a new port) or 'finish_data' (an existing one).
 */
static void
finish_add_interface(struct api_ctx *ctx)
{
    const struct uuid *port_uuid;
    struct uuid existing;
    if (ctx->finish_data) {
        uuid_from_string(&existing, json_string_value(ctx->finish_data));
        port_uuid = &existing;
    } else {
        port_uuid = ovsdb_idl_txn_get_insert_uuid(ctx->txn, &ctx->created);
    }
    const struct nbrec_router *router
        = nbrec_router_get_for_uuid(ctx->idl, &ctx->target);
    const struct nbrec_port *port
        = port_uuid ? nbrec_port_get_for_uuid(ctx->idl, port_uuid) : NULL;
    if (!router || !port) {
        api_error(ctx, 404, "NotFound", "The router was changed "
                  "concurrently.");
        return;
    }
    json_decref(ctx->reply);
    ctx->reply = interface_info(router, port);
    ctx->status = 200;
}

static void
finish_remove_interface(struct api_ctx *ctx)
{
    json_decref(ctx->reply);
    ctx->reply = json_incref(ctx->finish_data);
    ctx->status = 200;
}

static bool
parse_interface_body(struct api_ctx *ctx, const char **subnet_id,
                     const char **port_id)
{
    static const struct attr_spec attrs[] = {
        { "subnet_id", ATTR_UUID, ATTR_POST, 0, 0, NULL, NULL },
        { "port_id", ATTR_UUID, ATTR_POST, 0, 0, NULL, NULL },
    };
    if (!ctx->body || !json_is_object(ctx->body)) {
        return api_error(ctx, 400, "HTTPBadRequest",
                         "Resource body required");
    }
    char *error = validate_body(attrs, ARRAY_SIZE(attrs), ctx->body,
                                VALIDATE_CREATE);
    if (error) {
        return api_bad_request(ctx, error);
    }
    *subnet_id = api_json_string(ctx->body, "subnet_id", NULL);
    *port_id = api_json_string(ctx->body, "port_id", NULL);
    if (!*subnet_id && !*port_id) {
        return api_error(ctx, 400, "BadRequest", "Bad router request: "
                         "Either subnet_id or port_id must be specified.");
    }
    return true;
}

static void
add_interface(struct api_ctx *ctx, const struct nbrec_router *router)
{
    const char *subnet_id, *port_id;
    if (!parse_interface_body(ctx, &subnet_id, &port_id)) {
        return;
    }
    if (subnet_id && port_id) {
        api_error(ctx, 400, "BadRequest", "Bad router request: Cannot "
                  "specify both subnet-id and port-id");
        return;
    }
    char *router_id = api_uuid_str(&router->header_);

    if (port_id) {
        const struct nbrec_port *port = api_get_port(ctx, port_id);
        if (!port) {
            api_not_found(ctx, "Port", port_id);
            goto out;
        }
        if (*port->device_owner || *port->device_id
            || api_port_router(ctx, port)) {
            api_conflict(ctx, "PortInUse", "Unable to complete operation on "
                         "port %s for network "UUID_FMT". Port already has "
                         "an attached device %s.", port_id,
                         UUID_ARGS(&port->network->header_.uuid),
                         *port->device_id ? port->device_id
                                          : port->device_owner);
            goto out;
        }
        if (!port->n_fixed_ips) {
            api_error(ctx, 400, "BadRequest", "Bad router request: Router "
                      "port must have at least one fixed IP.");
            goto out;
        }
        if (port->network && port->network->external) {
            api_error(ctx, 400, "BadRequest", "Bad router request: the "
                      "port is on an external network.");
            goto out;
        }
        for (size_t i = 0; i < port->n_fixed_ips; i++) {
            if (port->fixed_ips[i]->subnet
                && !check_interface_subnet(ctx, router,
                                           port->fixed_ips[i]->subnet)) {
                goto out;
            }
        }
        api_txn(ctx);
        nbrec_port_set_device_owner(port, ROUTER_INTERFACE_OWNER);
        nbrec_port_set_device_id(port, router_id);
        nbrec_port_set_security_groups(port, NULL, 0);
        nbrec_port_set_port_security_enabled(port, false);
        nbrec_port_set_allowed_address_pairs(port, NULL);
        nbrec_router_update_interfaces_addvalue(router, port);
        ctx->finish_data = json_string(port_id);
    } else {
        const struct nbrec_subnet *subnet = api_get_subnet(ctx, subnet_id);
        if (!subnet) {
            api_not_found(ctx, "Subnet", subnet_id);
            goto out;
        }
        if (!subnet->gateway_ip) {
            api_error(ctx, 400, "BadRequest", "Bad router request: Subnet "
                      "for router interface must have a gateway IP.");
            goto out;
        }
        if (subnet->network->external) {
            api_error(ctx, 400, "BadRequest", "Bad router request: subnet "
                      "%s is on an external network; use the router's "
                      "external gateway.", subnet_id);
            goto out;
        }
        if (!check_interface_subnet(ctx, router, subnet)) {
            goto out;
        }
        struct ipam_addr gw;
        char mac[IPAM_MAC_STRLEN];
        if (!ipam_parse_addr(subnet->gateway_ip, &gw)
            || !api_allocate_ip(ctx, subnet, &gw, true, &gw)
            || !api_allocate_mac(ctx, subnet->network, NULL, mac)) {
            if (!ctx->status) {
                api_error(ctx, 409, "InvalidSubnet", "Subnet has an invalid "
                          "gateway.");
            }
            goto out;
        }
        struct nbrec_fixed_ip *fip = api_insert_fixed_ip(ctx, subnet, &gw);
        struct nbrec_port *port = nbrec_port_insert(api_txn(ctx));
        nbrec_port_set_network(port, subnet->network);
        nbrec_port_set_project_id(port, router->project_id);
        nbrec_port_set_mac_address(port, mac);
        nbrec_port_set_fixed_ips(port, &fip, 1);
        nbrec_port_set_device_owner(port, ROUTER_INTERFACE_OWNER);
        nbrec_port_set_device_id(port, router_id);
        nbrec_port_set_admin_state_up(port, true);
        nbrec_port_set_status(port, "DOWN");
        nbrec_port_set_port_security_enabled(port, false);
        struct smap ids = SMAP_INITIALIZER(&ids);
        api_stamp(&ids, true);
        nbrec_port_set_external_ids(port, &ids);
        smap_destroy(&ids);
        nbrec_router_update_interfaces_addvalue(router, port);
        ctx->created = port->header_.uuid;
    }
    ctx->finish = finish_add_interface;

out:
    free(router_id);
}

static void
remove_interface(struct api_ctx *ctx, const struct nbrec_router *router)
{
    const char *subnet_id, *port_id;
    if (!parse_interface_body(ctx, &subnet_id, &port_id)) {
        return;
    }
    char *router_id = api_uuid_str(&router->header_);
    const struct nbrec_port *port = NULL;

    if (port_id) {
        for (size_t i = 0; i < router->n_interfaces; i++) {
            char *id = api_uuid_str(&router->interfaces[i]->header_);
            if (!strcasecmp(id, port_id)) {
                port = router->interfaces[i];
            }
            free(id);
        }
        if (!port) {
            api_error(ctx, 404, "RouterInterfaceNotFound", "Router %s does "
                      "not have an interface with id %s", router_id,
                      port_id);
            goto out;
        }
    }
    if (subnet_id) {
        const struct nbrec_subnet *subnet = api_get_subnet(ctx, subnet_id);
        if (!subnet) {
            api_not_found(ctx, "Subnet", subnet_id);
            goto out;
        }
        const struct nbrec_port *by_subnet = NULL;
        if (subnet_router(ctx, subnet, &by_subnet) != router
            || (port && by_subnet != port)) {
            api_error(ctx, 404, "RouterInterfaceNotFoundForSubnet",
                      "Router %s has no interface on subnet %s", router_id,
                      subnet_id);
            goto out;
        }
        port = by_subnet;
    }

    /* Floating IPs of ports behind this interface need it. */
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->router != router || !fip->port) {
            continue;
        }
        for (size_t i = 0; i < fip->port->n_fixed_ips; i++) {
            for (size_t j = 0; j < port->n_fixed_ips; j++) {
                if (fip->port->fixed_ips[i]->subnet
                    == port->fixed_ips[j]->subnet) {
                    api_conflict(ctx, "RouterInterfaceInUseByFloatingIP",
                                 "Router interface for subnet "UUID_FMT
                                 " on router %s cannot be deleted, as it "
                                 "is required by one or more floating IPs.",
                                 UUID_ARGS(&port->fixed_ips[j]->subnet
                                           ->header_.uuid), router_id);
                    goto out;
                }
            }
        }
    }

    /* Extra routes whose nexthop only this interface reaches. */
    struct ipam_prefix *prefixes;
    size_t n_prefixes = connected_prefixes(router, port, &prefixes);
    const struct smap_node *node;
    SMAP_FOR_EACH (node, &router->routes) {
        struct ipam_addr nh;
        bool reachable = false;
        if (!ipam_parse_addr(node->value, &nh)) {
            continue;
        }
        for (size_t i = 0; i < n_prefixes; i++) {
            reachable |= ipam_prefix_contains(&prefixes[i], &nh);
        }
        if (!reachable) {
            free(prefixes);
            api_conflict(ctx, "RouterInterfaceInUseByRoute", "Router "
                         "interface for subnet on router %s cannot be "
                         "deleted, as it is required by one or more routes "
                         "(nexthop %s).", router_id, node->value);
            goto out;
        }
    }
    free(prefixes);

    ctx->finish_data = interface_info(router, port);
    api_txn(ctx);
    nbrec_router_update_interfaces_delvalue(router, port);
    nbrec_port_delete(port);
    ctx->finish = finish_remove_interface;

out:
    free(router_id);
}

static void
extra_routes(struct api_ctx *ctx, const struct nbrec_router *router,
             bool add)
{
    json_t *obj = api_body_member(ctx, routes_attrs,
                                  ARRAY_SIZE(routes_attrs), VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    struct smap map = SMAP_INITIALIZER(&map);
    bool changed = false;
    if (add) {
        if (!parse_routes(ctx, router, json_object_get(obj, "routes"),
                          &map)) {
            smap_destroy(&map);
            return;
        }
        const struct smap_node *node;
        SMAP_FOR_EACH (node, &map) {
            const char *old = smap_get(&router->routes, node->key);
            if (old && strcmp(old, node->value)) {
                api_conflict(ctx, "RouteConflict", "Router "UUID_FMT
                             " already has a route to %s via %s.",
                             UUID_ARGS(&router->header_.uuid), node->key,
                             old);
                smap_destroy(&map);
                return;
            }
        }
        api_txn(ctx);
        SMAP_FOR_EACH (node, &map) {
            if (!smap_get(&router->routes, node->key)) {
                nbrec_router_update_routes_setkey(router, node->key,
                                                  node->value);
                changed = true;
            }
        }
    } else {
        struct validate_route *routes;
        size_t n;
        char *error = validate_routes("routes",
                                      json_object_get(obj, "routes"), 0,
                                      &routes, &n);
        if (error) {
            smap_destroy(&map);
            api_bad_request(ctx, error);
            return;
        }
        api_txn(ctx);
        for (size_t i = 0; i < n; i++) {
            char dst[IPAM_PREFIX_STRLEN], nh[IPAM_ADDR_STRLEN];
            ipam_format_prefix(&routes[i].destination, dst);
            ipam_format_addr(&routes[i].nexthop, nh);
            const char *old = smap_get(&router->routes, dst);
            if (old && !strcmp(old, nh)) {
                nbrec_router_update_routes_delkey(router, dst);
                changed = true;
            }
        }
        free(routes);
    }
    smap_destroy(&map);
    if (changed) {
        ctx->finish = api_finish_row;
    } else {
        /* Nothing to add or remove: answer without writing (the server
         * drops the empty transaction). */
        json_decref(ctx->reply);
        ctx->reply = json_pack("{s:o}", "router",
                               router_render(ctx, &router->header_));
        ctx->status = 200;
    }
}

static void
router_action(struct api_ctx *ctx, const struct ovsdb_idl_row *row,
              const char *action)
{
    const struct nbrec_router *router = API_ROW(nbrec_router, row);
    if (!strcmp(action, "add_router_interface")) {
        add_interface(ctx, router);
    } else if (!strcmp(action, "remove_router_interface")) {
        remove_interface(ctx, router);
    } else if (!strcmp(action, "add_extraroutes")) {
        extra_routes(ctx, router, true);
    } else if (!strcmp(action, "remove_extraroutes")) {
        extra_routes(ctx, router, false);
    } else {
        api_error(ctx, 404, "HTTPNotFound", "The resource could not be "
                  "found.");
    }
}

const struct api_resource api_routers = {
    .collection = "routers",
    .plural = "routers",
    .member = "router",
    .table = &nbrec_table_router,
    .render = router_render,
    .create = router_create,
    .update = router_update,
    .delete = router_delete,
    .action = router_action,
};

/*
 * api/subnet: the Neutron "subnets" resource on the NB Subnet table.
 *
 * Defaults as Neutron: gateway = first host address (explicit null for
 * none), allocation pools = the other host addresses.  allocation_pools is
 * stored as a map start -> end and host_routes as destination -> nexthop.
 * Subnets of one network may not overlap (409).
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "api/core.h"

VLOG_DEFINE_THIS_MODULE(api_subnet);

static const char *const ipv6_modes[] = {
    "slaac", "dhcpv6-stateful", "dhcpv6-stateless", NULL
};

static char *
check_unsupported(const json_t *v OVS_UNUSED)
{
    return xstrdup("subnet pools and segments are not supported");
}

static char *
check_ip_version(const json_t *v)
{
    int64_t version;
    return (validate_get_int(v, &version) && (version == 4 || version == 6)
            ? NULL : xstrdup("ip_version must be 4 or 6"));
}

static char *
check_false(const json_t *v)
{
    bool b;
    return (validate_get_bool(v, &b) && !b
            ? NULL : xstrdup("subnet pools are not supported"));
}

static const struct attr_spec subnet_attrs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "network_id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0, NULL,
      NULL },
    { "ip_version", ATTR_ANY, ATTR_POST, 0, 0, NULL, check_ip_version },
    { "cidr", ATTR_STRING, ATTR_POST | ATTR_REQUIRED, 0, 64, NULL, NULL },
    { "gateway_ip", ATTR_IP, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0, 0,
      NULL, NULL },
    { "allocation_pools", ATTR_LIST, ATTR_POST | ATTR_PUT, 0, 0, NULL,
      NULL },
    { "dns_nameservers", ATTR_LIST, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "host_routes", ATTR_LIST, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "enable_dhcp", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "ipv6_ra_mode", ATTR_ENUM, ATTR_POST | ATTR_NULLABLE, 0, 0,
      ipv6_modes, NULL },
    { "ipv6_address_mode", ATTR_ENUM, ATTR_POST | ATTR_NULLABLE, 0, 0,
      ipv6_modes, NULL },
    { "subnetpool_id", ATTR_ANY, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
      check_unsupported },
    { "use_default_subnetpool", ATTR_ANY, ATTR_POST, 0, 0, NULL,
      check_false },
    { "segment_id", ATTR_ANY, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
      check_unsupported },
    { "service_types", ATTR_LIST, ATTR_POST | ATTR_PUT, 0, 0, NULL,
      validate_check_list_of_strings },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static json_t *
subnet_render(struct api_ctx *ctx OVS_UNUSED,
              const struct ovsdb_idl_row *row_)
{
    const struct nbrec_subnet *subnet = API_ROW(nbrec_subnet, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &subnet->header_);
    json_object_set_new(obj, "name", json_string(subnet->name));
    json_object_set_new(obj, "description",
                        json_string(subnet->description));
    api_set_uuid(obj, "network_id",
                 subnet->network ? &subnet->network->header_ : NULL);
    json_object_set_new(obj, "ip_version", json_integer(subnet->ip_version));
    json_object_set_new(obj, "cidr", json_string(subnet->cidr));
    json_object_set_new(obj, "gateway_ip",
                        subnet->gateway_ip ? json_string(subnet->gateway_ip)
                                           : json_null());
    json_object_set_new(obj, "enable_dhcp",
                        json_boolean(subnet->enable_dhcp));

    struct ipam_range *pools;
    size_t n = api_subnet_pools(subnet, &pools);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char s[IPAM_ADDR_STRLEN], e[IPAM_ADDR_STRLEN];
        ipam_format_addr(&pools[i].start, s);
        ipam_format_addr(&pools[i].end, e);
        json_array_append_new(list, json_pack("{s:s, s:s}", "start", s,
                                              "end", e));
    }
    free(pools);
    json_object_set_new(obj, "allocation_pools", list);

    list = json_array();
    const struct smap_node **routes = smap_sort(&subnet->host_routes);
    for (size_t i = 0; i < smap_count(&subnet->host_routes); i++) {
        json_array_append_new(list, json_pack("{s:s, s:s}", "destination",
                                              routes[i]->key, "nexthop",
                                              routes[i]->value));
    }
    free(routes);
    json_object_set_new(obj, "host_routes", list);

    list = json_array();
    for (size_t i = 0; i < subnet->n_dns_nameservers; i++) {
        json_array_append_new(list,
                              json_string(subnet->dns_nameservers[i]));
    }
    json_object_set_new(obj, "dns_nameservers", list);

    const char *ra = smap_get(&subnet->external_ids, "neutron:ipv6_ra_mode");
    const char *am = smap_get(&subnet->external_ids,
                              "neutron:ipv6_address_mode");
    json_object_set_new(obj, "ipv6_ra_mode", ra ? json_string(ra)
                                                : json_null());
    json_object_set_new(obj, "ipv6_address_mode", am ? json_string(am)
                                                     : json_null());
    json_object_set_new(obj, "subnetpool_id", json_null());
    json_object_set_new(obj, "segment_id", json_null());
    json_object_set_new(obj, "service_types", json_array());
    json_object_set_new(obj, "dns_publish_fixed_ip", json_false());
    api_add_std_attrs(obj, &subnet->external_ids, subnet->project_id);
    return obj;
}

/* Validates and stores host routes and nameservers of 'obj' in 'subnet'. */
static bool
set_routes_and_dns(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
                   const json_t *obj, int family)
{
    const json_t *v = json_object_get(obj, "host_routes");
    if (v) {
        struct validate_route *routes;
        size_t n;
        char *error = validate_routes("host_routes", v, family, &routes, &n);
        if (error) {
            return api_bad_request(ctx, error);
        }
        struct smap map = SMAP_INITIALIZER(&map);
        for (size_t i = 0; i < n; i++) {
            char dst[IPAM_PREFIX_STRLEN], nh[IPAM_ADDR_STRLEN];
            ipam_format_prefix(&routes[i].destination, dst);
            ipam_format_addr(&routes[i].nexthop, nh);
            smap_replace(&map, dst, nh);
        }
        free(routes);
        nbrec_subnet_set_host_routes(subnet, &map);
        smap_destroy(&map);
    }

    v = json_object_get(obj, "dns_nameservers");
    if (v) {
        struct ipam_addr *addrs;
        size_t n;
        char *error = validate_nameservers("dns_nameservers", v, family,
                                           &addrs, &n);
        if (error) {
            return api_bad_request(ctx, error);
        }
        char **strs = xcalloc(n + 1, sizeof *strs);
        for (size_t i = 0; i < n; i++) {
            strs[i] = xmalloc(IPAM_ADDR_STRLEN);
            ipam_format_addr(&addrs[i], strs[i]);
        }
        nbrec_subnet_set_dns_nameservers(subnet, (const char **) strs, n);
        for (size_t i = 0; i < n; i++) {
            free(strs[i]);
        }
        free(strs);
        free(addrs);
    }
    return true;
}

static void
set_pools(const struct nbrec_subnet *subnet, const struct ipam_range *pools,
          size_t n)
{
    struct smap map = SMAP_INITIALIZER(&map);
    for (size_t i = 0; i < n; i++) {
        char s[IPAM_ADDR_STRLEN], e[IPAM_ADDR_STRLEN];
        ipam_format_addr(&pools[i].start, s);
        ipam_format_addr(&pools[i].end, e);
        smap_replace(&map, s, e);
    }
    nbrec_subnet_set_allocation_pools(subnet, &map);
    smap_destroy(&map);
}

/* Parses the gateway_ip of 'obj' for a subnet on 'prefix'.  Stores in
 * '*has_gw' whether there is one.  Returns false after setting an error. */
static bool
parse_gateway(struct api_ctx *ctx, const json_t *v,
              const struct ipam_prefix *prefix, bool *has_gw,
              struct ipam_addr *gw)
{
    *has_gw = false;
    if (!v || json_is_null(v)) {
        return true;
    }
    char *error = validate_ip("gateway_ip", v, prefix->addr.family, gw);
    if (error) {
        return api_bad_request(ctx, error);
    }
    if (!ipam_is_host(prefix, gw)) {
        char cidr[IPAM_PREFIX_STRLEN];
        ipam_format_prefix(prefix, cidr);
        return api_error(ctx, 400, "InvalidInput", "Invalid input for "
                         "gateway_ip. Reason: Gateway IP %s is not a valid "
                         "host address of subnet %s.",
                         json_string_value(v), cidr);
    }
    *has_gw = true;
    return true;
}

/* Neutron's checks of a new subnet's IPv6 modes
 * (_validate_ipv6_attributes()): none on IPv4, none without DHCP, the same
 * value if both are set, and a /64 for automatic addresses (EUI-64).
 * Returns an error message or NULL. */
static char *
check_ipv6_modes(const char *ra, const char *am,
                 const struct ipam_prefix *prefix, bool enable_dhcp)
{
    if (!ra && !am) {
        return NULL;
    }
    if (prefix->addr.family != 6) {
        return xstrdup("ipv6_ra_mode or ipv6_address_mode cannot be set "
                       "when ip_version is 4");
    }
    if (!enable_dhcp) {
        return xstrdup("ipv6_ra_mode or ipv6_address_mode cannot be set "
                       "when enable_dhcp is set to False");
    }
    if (ra && am && strcmp(ra, am)) {
        return xasprintf("ipv6_ra_mode set to '%s' with ipv6_address_mode "
                         "set to '%s' is not valid. If both attributes are "
                         "set, they must be the same value", ra, am);
    }
    const char *mode = am ? am : ra;
    if ((!strcmp(mode, "slaac") || !strcmp(mode, "dhcpv6-stateless"))
        && prefix->plen != 64) {
        char cidr[IPAM_PREFIX_STRLEN];
        ipam_format_prefix(prefix, cidr);
        return xasprintf("Invalid CIDR %s for IPv6 address mode. OpenStack "
                         "uses the EUI-64 address format, which requires "
                         "the prefix to be /64", cidr);
    }
    return NULL;
}

static bool
check_overlap(struct api_ctx *ctx, const struct nbrec_network *net,
              const struct ipam_prefix *prefix)
{
    const struct nbrec_subnet *other;
    NBREC_SUBNET_FOR_EACH (other, ctx->idl) {
        struct ipam_prefix p;
        if (other->network == net && api_subnet_prefix(other, &p)
            && ipam_prefix_overlaps(&p, prefix)) {
            char buf[IPAM_PREFIX_STRLEN];
            ipam_format_prefix(prefix, buf);
            return api_conflict(ctx, "SubnetOverlap", "Invalid input for "
                                "operation: Requested subnet with cidr: %s "
                                "for network: "UUID_FMT" overlaps with "
                                "another subnet.", buf,
                                UUID_ARGS(&net->header_.uuid));
        }
    }
    return true;
}

static void
subnet_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, subnet_attrs,
                                  ARRAY_SIZE(subnet_attrs), &project);
    if (!obj) {
        return;
    }
    const char *net_id = api_json_string(obj, "network_id", "");
    const struct nbrec_network *net = api_get_network(ctx, net_id);
    if (!net) {
        api_not_found(ctx, "Network", net_id);
        return;
    }

    struct ipam_prefix prefix;
    char *error = validate_cidr("cidr", json_object_get(obj, "cidr"), 0,
                                true, &prefix);
    if (error) {
        api_bad_request(ctx, error);
        return;
    }
    int64_t version = prefix.addr.family;
    if (json_object_get(obj, "ip_version")) {
        validate_get_int(json_object_get(obj, "ip_version"), &version);
    }
    if (version != prefix.addr.family) {
        api_error(ctx, 400, "InvalidInput", "Invalid input for operation: "
                  "Cidr %s does not match ip_version %"PRId64".",
                  json_string_value(json_object_get(obj, "cidr")), version);
        return;
    }
    if (prefix.plen == 0) {
        /* Neutron refuses /0 too (a default route, not a subnet). */
        api_error(ctx, 400, "InvalidInput", "Invalid input for cidr. "
                  "Reason: a /0 subnet is not supported.");
        return;
    }
    if (!check_overlap(ctx, net, &prefix)) {
        return;
    }

    struct ipam_addr gw;
    bool has_gw;
    const json_t *gw_json = json_object_get(obj, "gateway_ip");
    if (gw_json) {
        if (!parse_gateway(ctx, gw_json, &prefix, &has_gw, &gw)) {
            return;
        }
    } else {
        has_gw = ipam_default_gateway(&prefix, &gw);
    }

    struct ipam_range *pools = NULL;
    size_t n_pools;
    const json_t *pools_json = json_object_get(obj, "allocation_pools");
    if (pools_json) {
        error = validate_pools("allocation_pools", pools_json,
                               prefix.addr.family, &pools, &n_pools);
        if (!error) {
            error = ipam_check_pools(&prefix, has_gw ? &gw : NULL, pools,
                                     n_pools);
        }
        if (error) {
            free(pools);
            api_bad_request(ctx, error);
            return;
        }
    } else {
        pools = xmalloc(2 * sizeof *pools);
        n_pools = ipam_default_pools(&prefix, has_gw ? &gw : NULL, pools);
    }

    struct nbrec_subnet *subnet
        = nbrec_subnet_insert_persist_uuid(api_txn(ctx), &ctx->create_uuid);
    if (!set_routes_and_dns(ctx, subnet, obj, prefix.addr.family)) {
        free(pools);
        return;
    }
    char cidr[IPAM_PREFIX_STRLEN];
    ipam_format_prefix(&prefix, cidr);
    nbrec_subnet_set_name(subnet, api_json_string(obj, "name", ""));
    nbrec_subnet_set_description(subnet,
                                 api_json_string(obj, "description", ""));
    nbrec_subnet_set_project_id(subnet, project);
    nbrec_subnet_set_network(subnet, net);
    nbrec_subnet_set_cidr(subnet, cidr);
    nbrec_subnet_set_ip_version(subnet, prefix.addr.family);
    if (has_gw) {
        char buf[IPAM_ADDR_STRLEN];
        ipam_format_addr(&gw, buf);
        nbrec_subnet_set_gateway_ip(subnet, buf);
    }
    set_pools(subnet, pools, n_pools);
    free(pools);
    nbrec_subnet_set_enable_dhcp(subnet, api_json_bool(obj, "enable_dhcp",
                                                       true));

    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    const char *ra = api_json_string(obj, "ipv6_ra_mode", NULL);
    const char *am = api_json_string(obj, "ipv6_address_mode", NULL);
    error = check_ipv6_modes(ra, am, &prefix,
                             api_json_bool(obj, "enable_dhcp", true));
    if (error) {
        smap_destroy(&ids);
        api_error(ctx, 400, "InvalidInput", "Invalid input for operation: "
                  "%s.", error);
        free(error);
        return;
    }
    if (ra) {
        smap_add(&ids, "neutron:ipv6_ra_mode", ra);
    }
    if (am) {
        smap_add(&ids, "neutron:ipv6_address_mode", am);
    }
    nbrec_subnet_set_external_ids(subnet, &ids);
    smap_destroy(&ids);
    api_set_created(ctx, &subnet->header_);
}

/* Returns the port that holds address 'ip' on 'subnet', if any. */
static const struct nbrec_port *
port_with_ip(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
             const char *ip)
{
    const struct nbrec_port *port;
    NBREC_PORT_FOR_EACH (port, ctx->idl) {
        for (size_t i = 0; i < port->n_fixed_ips; i++) {
            if (port->fixed_ips[i]->subnet == subnet
                && !strcmp(port->fixed_ips[i]->ip_address, ip)) {
                return port;
            }
        }
    }
    return NULL;
}

static void
subnet_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_subnet *subnet = API_ROW(nbrec_subnet, row);
    json_t *obj = api_body_member(ctx, subnet_attrs,
                                  ARRAY_SIZE(subnet_attrs), VALIDATE_UPDATE);
    if (!obj) {
        return;
    }
    struct ipam_prefix prefix;
    if (!api_subnet_prefix(subnet, &prefix)) {
        api_error(ctx, 409, "InvalidSubnet", "Subnet has an invalid cidr.");
        return;
    }

    /* The gateway after the update. */
    struct ipam_addr gw;
    bool has_gw = subnet->gateway_ip && ipam_parse_addr(subnet->gateway_ip,
                                                        &gw);
    const json_t *gw_json = json_object_get(obj, "gateway_ip");
    bool gw_changed = false;
    if (gw_json) {
        struct ipam_addr new_gw;
        bool new_has_gw;
        if (!parse_gateway(ctx, gw_json, &prefix, &new_has_gw, &new_gw)) {
            return;
        }
        gw_changed = (new_has_gw != has_gw
                      || (has_gw && !ipam_addr_equals(&gw, &new_gw)));
        if (gw_changed && subnet->gateway_ip) {
            const struct nbrec_port *user
                = port_with_ip(ctx, subnet, subnet->gateway_ip);
            if (user) {
                api_conflict(ctx, "GatewayIpInUse", "Current gateway ip %s "
                             "already in use by port "UUID_FMT". Unable to "
                             "update.", subnet->gateway_ip,
                             UUID_ARGS(&user->header_.uuid));
                return;
            }
        }
        if (gw_changed && new_has_gw) {
            char buf[IPAM_ADDR_STRLEN];
            ipam_format_addr(&new_gw, buf);
            if (port_with_ip(ctx, subnet, buf)) {
                api_conflict(ctx, "GatewayConflictWithAllocationPools",
                             "Gateway ip %s conflicts with an allocated "
                             "address.", buf);
                return;
            }
        }
        has_gw = new_has_gw;
        gw = new_gw;
    }

    struct ipam_range *pools = NULL;
    size_t n_pools;
    const json_t *pools_json = json_object_get(obj, "allocation_pools");
    char *error;
    if (pools_json) {
        error = validate_pools("allocation_pools", pools_json,
                               prefix.addr.family, &pools, &n_pools);
    } else {
        n_pools = api_subnet_pools(subnet, &pools);
        error = NULL;
    }
    if (!error) {
        error = ipam_check_pools(&prefix, has_gw ? &gw : NULL, pools,
                                 n_pools);
    }
    if (error) {
        free(pools);
        api_bad_request(ctx, error);
        return;
    }

    if (json_object_get(obj, "enable_dhcp")
        && !api_json_bool(obj, "enable_dhcp", true)
        && (smap_get(&subnet->external_ids, "neutron:ipv6_ra_mode")
            || smap_get(&subnet->external_ids,
                        "neutron:ipv6_address_mode"))) {
        free(pools);
        api_error(ctx, 400, "InvalidInput", "Invalid input for operation: "
                  "Cannot disable enable_dhcp with ipv6 attributes set.");
        return;
    }

    api_txn(ctx);
    if (!set_routes_and_dns(ctx, subnet, obj, prefix.addr.family)) {
        free(pools);
        return;
    }
    if (pools_json) {
        set_pools(subnet, pools, n_pools);
    }
    free(pools);
    if (gw_changed) {
        char buf[IPAM_ADDR_STRLEN];
        ipam_format_addr(&gw, buf);
        nbrec_subnet_set_gateway_ip(subnet, has_gw ? buf : NULL);
    }
    if (json_object_get(obj, "name")) {
        nbrec_subnet_set_name(subnet, api_json_string(obj, "name", ""));
    }
    if (json_object_get(obj, "description")) {
        nbrec_subnet_set_description(
            subnet, api_json_string(obj, "description", ""));
    }
    if (json_object_get(obj, "enable_dhcp")) {
        nbrec_subnet_set_enable_dhcp(subnet,
                                     api_json_bool(obj, "enable_dhcp",
                                                   true));
    }
    struct smap ids;
    smap_clone(&ids, &subnet->external_ids);
    api_stamp(&ids, false);
    nbrec_subnet_set_external_ids(subnet, &ids);
    smap_destroy(&ids);
    ctx->finish = api_finish_row;
}

static void
subnet_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_subnet *subnet = API_ROW(nbrec_subnet, row);
    const struct nbrec_fixed_ip *fip;
    NBREC_FIXED_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->subnet == subnet) {
            api_conflict(ctx, "SubnetInUse", "Unable to complete operation "
                         "on subnet "UUID_FMT": One or more ports have an "
                         "IP allocation from this subnet.",
                         UUID_ARGS(&subnet->header_.uuid));
            return;
        }
    }
    api_txn(ctx);
    nbrec_subnet_delete(subnet);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_subnets = {
    .collection = "subnets",
    .plural = "subnets",
    .member = "subnet",
    .table = &nbrec_table_subnet,
    .render = subnet_render,
    .create = subnet_create,
    .update = subnet_update,
    .delete = subnet_delete,
};

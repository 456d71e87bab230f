/*
 * api/port: the Neutron "ports" resource on the NB Port table.
 *
 * A port's addresses are Fixed_IP rows (subnet, ip_address), owned by the
 * port.  Without fixed_ips a port gets one address of each IP version from
 * the first subnet of the network that has one free; the Fixed_IP index
 * makes a concurrent allocation of the same address fail, and the request
 * is retried with the next free one.  MACs are fa:16:3e:xx:xx:xx, unique.
 * Ports without security_groups get the project's default group (created
 * on first use), unless port security is off or the port belongs to the
 * network itself (device_owner "network:...").  "status" is ACTIVE when a
 * controller reports the port's Port_Binding up, else DOWN.
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "api/core.h"

VLOG_DEFINE_THIS_MODULE(api_port);

static const char *const vnic_types[] = {
    "normal", "direct", "macvtap", "baremetal", "direct-physical",
    "virtio-forwarder", "smart-nic", "vdpa", "remote-managed", NULL
};

static char *
check_uuid_list(const json_t *v)
{
    size_t i;
    json_t *item;
    if (json_array_size(v) > 64) {
        return xstrdup("too many entries");
    }
    json_array_foreach (CONST_CAST(json_t *, v), i, item) {
        if (!json_is_string(item) || !validate_is_uuid(
                json_string_value(item))) {
            return xstrdup("not a list of UUIDs");
        }
    }
    return NULL;
}

static const struct attr_spec port_attrs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "network_id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0, NULL,
      NULL },
    { "admin_state_up", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "mac_address", ATTR_MAC, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "fixed_ips", ATTR_LIST, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "device_id", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "device_owner", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL,
      NULL },
    { "security_groups", ATTR_LIST,
      ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0, 0, NULL, check_uuid_list },
    { "port_security_enabled", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL,
      NULL },
    { "qos_policy_id", ATTR_UUID, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0,
      0, NULL, NULL },
    { "allowed_address_pairs", ATTR_LIST,
      ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0, 0, NULL, NULL },
    { "binding:host_id", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL,
      NULL },
    { "binding:vnic_type", ATTR_ENUM, ATTR_POST | ATTR_PUT, 0, 0,
      vnic_types, NULL },
    { "binding:profile", ATTR_DICT, ATTR_POST | ATTR_PUT | ATTR_NULLABLE,
      0, 0, NULL, NULL },
    { "dns_name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static bool
owned_by_network(const char *device_owner)
{
    return !strncmp(device_owner, "network:", 8);
}

static bool
is_router_owner(const char *device_owner)
{
    return (!strncmp(device_owner, "network:router_interface", 24)
            || !strcmp(device_owner, "network:router_gateway")
            || !strcmp(device_owner, "network:ha_router_replicated_"
                       "interface"));
}

static json_t *
port_render(struct api_ctx *ctx, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_port *port = API_ROW(nbrec_port, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &port->header_);
    json_object_set_new(obj, "name", json_string(port->name));
    json_object_set_new(obj, "description", json_string(port->description));
    api_set_uuid(obj, "network_id",
                 port->network ? &port->network->header_ : NULL);
    json_object_set_new(obj, "mac_address", json_string(port->mac_address));
    json_object_set_new(obj, "admin_state_up",
                        json_boolean(port->admin_state_up));
    json_object_set_new(obj, "status",
                        json_string(api_port_is_up(ctx, port)
                                    ? "ACTIVE" : "DOWN"));
    json_object_set_new(obj, "device_id", json_string(port->device_id));
    json_object_set_new(obj, "device_owner",
                        json_string(port->device_owner));
    json_object_set_new(obj, "fixed_ips",
                        api_fixed_ips_json(port->fixed_ips,
                                           port->n_fixed_ips));

    json_t *list = json_array();
    const struct smap_node **pairs
        = smap_sort(&port->allowed_address_pairs);
    for (size_t i = 0; i < smap_count(&port->allowed_address_pairs); i++) {
        json_array_append_new(list, json_pack("{s:s, s:s}", "ip_address",
                                              pairs[i]->key, "mac_address",
                                              pairs[i]->value));
    }
    free(pairs);
    json_object_set_new(obj, "allowed_address_pairs", list);

    list = json_array();
    for (size_t i = 0; i < port->n_security_groups; i++) {
        char *id = api_uuid_str(&port->security_groups[i]->header_);
        json_array_append_new(list, json_string(id));
        free(id);
    }
    json_object_set_new(obj, "security_groups", list);
    json_object_set_new(obj, "port_security_enabled",
                        json_boolean(port->port_security_enabled));
    api_set_uuid(obj, "qos_policy_id",
                 port->qos_policy ? &port->qos_policy->header_ : NULL);
    api_set_uuid(obj, "qos_network_policy_id",
                 port->network && port->network->qos_policy
                 ? &port->network->qos_policy->header_ : NULL);

    json_object_set_new(obj, "binding:host_id",
                        json_string(port->binding_host));
    json_object_set_new(obj, "binding:vif_type",
                        json_string(*port->binding_host ? "ovs"
                                                        : "unbound"));
    json_object_set_new(obj, "binding:vif_details",
                        *port->binding_host
                        ? json_pack("{s:b, s:b, s:b}", "port_filter", 1,
                                    "ovs_hybrid_plug", 0,
                                    "connectivity", 0)
                        : json_object());
    json_object_set_new(obj, "binding:vnic_type",
                        json_string(smap_get_def(&port->external_ids,
                                                 "neutron:vnic_type",
                                                 "normal")));
    json_object_set_new(obj, "binding:profile", json_object());
    json_object_set_new(obj, "dns_name", json_string(port->dns_name));
    json_object_set_new(obj, "dns_assignment", json_array());
    json_object_set_new(obj, "extra_dhcp_opts", json_array());
    json_object_set_new(obj, "propagate_uplink_status", json_false());
    json_object_set_new(obj, "resource_request", json_null());
    json_object_set_new(obj, "ip_allocation", json_string("immediate"));
    json_t *trunk = api_trunk_details(ctx, port);
    if (trunk) {
        json_object_set_new(obj, "trunk_details", trunk);
    }
    api_add_std_attrs(obj, &port->external_ids, port->project_id);
    return obj;
}

static int
compare_subnets(const void *a_, const void *b_)
{
    const struct nbrec_subnet *const *a = a_;
    const struct nbrec_subnet *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Returns the subnets of 'net' (malloc'd array, sorted by id). */
static size_t
network_subnets(struct api_ctx *ctx, const struct nbrec_network *net,
                const struct nbrec_subnet ***out)
{
    size_t n = 0, allocated = 0;
    const struct nbrec_subnet *subnet;
    *out = NULL;
    NBREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (subnet->network == net) {
            if (n >= allocated) {
                *out = x2nrealloc(*out, &allocated, sizeof **out);
            }
            (*out)[n++] = subnet;
        }
    }
    if (n) {
        qsort(*out, n, sizeof **out, compare_subnets);
    }
    return n;
}

/* Ports owned by the network ("network:router_gateway",
 * "network:router_interface", "network:floatingip", ...) are made by
 * dvr-api itself for routers and floating IPs: such a port may hold its
 * subnet's gateway address and is never filtered, so a client that could
 * make one could take the external gateway's address and every packet
 * routed to it.  Refuses (and returns true) a client's 'device_owner' of
 * that kind unless it is the port's 'current' one. */
static bool
refuse_network_owner(struct api_ctx *ctx, const char *device_owner,
                     const char *current)
{
    if (!owned_by_network(device_owner) || !strcmp(device_owner, current)) {
        return false;
    }
    api_error(ctx, 403, "PolicyNotAuthorized", "device_owner '%s' is "
              "reserved: dvr-api makes the ports of routers and floating "
              "IPs itself.", device_owner);
    return true;
}

/* Builds the Fixed_IP rows for a port on 'net' from the request's
 * 'fixed_ips' ('v', NULL if absent).  'keep' are the port's current rows
 * (on update): an entry that names one of them keeps it.  Appends the rows
 * to '*rows'.  Returns false after setting an error. */
static bool
build_fixed_ips(struct api_ctx *ctx, const struct nbrec_network *net,
                const json_t *v, const char *device_owner, const char *mac,
                struct nbrec_fixed_ip **keep, size_t n_keep,
                struct nbrec_fixed_ip ***rows, size_t *n_rows)
{
    const struct nbrec_subnet **subnets;
    size_t n_subnets = network_subnets(ctx, net, &subnets);
    bool allow_gateway = is_router_owner(device_owner);
    bool ok = false;

    *rows = xcalloc(n_subnets + 1 + (v ? json_array_size(v) : 0),
                    sizeof **rows);
    *n_rows = 0;

    if (!v) {
        /* One address of each IP version, from the first subnet (by id)
         * that has a free one, and as Neutron, the EUI-64 address on every
         * subnet with automatic addresses (but for a router's port, which
         * gets its addresses from the router). */
        for (size_t i = 0; i < n_subnets && !allow_gateway; i++) {
            struct ipam_addr addr;
            if (!api_subnet_is_auto_address(subnets[i])) {
                continue;
            }
            if (!api_allocate_eui64(ctx, subnets[i], mac, &addr)) {
                goto out;
            }
            (*rows)[(*n_rows)++] = api_insert_fixed_ip(ctx, subnets[i],
                                                       &addr);
        }
        for (int family = 4; family <= 6; family += 2) {
            bool have_subnet = false;
            for (size_t i = 0; i < n_subnets; i++) {
                if (subnets[i]->ip_version != family
                    || api_subnet_is_auto_address(subnets[i])) {
                    continue;
                }
                have_subnet = true;
                struct ipam_addr addr;
                if (api_allocate_ip(ctx, subnets[i], NULL, false, &addr)) {
                    (*rows)[(*n_rows)++] = api_insert_fixed_ip(
                        ctx, subnets[i], &addr);
                    have_subnet = false;
                    break;
                }
                /* Full: try the next subnet. */
                json_decref(ctx->reply);
                ctx->reply = NULL;
                ctx->status = 0;
            }
            if (have_subnet) {
                api_conflict(ctx, "IpAddressGenerationFailure",
                             "No more IP addresses available on network "
                             UUID_FMT".", UUID_ARGS(&net->header_.uuid));
                goto out;
            }
        }
        ok = true;
        goto out;
    }

    struct validate_fixed_ip *fips;
    size_t n_fips;
    char *error = validate_fixed_ips("fixed_ips", v, &fips, &n_fips);
    if (error) {
        api_bad_request(ctx, error);
        goto out;
    }
    for (size_t i = 0; i < n_fips; i++) {
        const struct validate_fixed_ip *f = &fips[i];
        const struct nbrec_subnet *subnet = NULL;

        if (f->subnet_id) {
            subnet = api_get_subnet(ctx, f->subnet_id);
            if (!subnet || subnet->network != net) {
                api_error(ctx, 400, "InvalidInput", "Invalid input for "
                          "operation: Failed to create port on network "
                          UUID_FMT", because fixed_ips included invalid "
                          "subnet %s.", UUID_ARGS(&net->header_.uuid),
                          f->subnet_id);
                free(fips);
                goto out;
            }
        } else {
            for (size_t j = 0; j < n_subnets && !subnet; j++) {
                struct ipam_prefix p;
                if (api_subnet_prefix(subnets[j], &p)
                    && ipam_prefix_contains(&p, &f->ip)) {
                    subnet = subnets[j];
                }
            }
            if (!subnet) {
                char buf[IPAM_ADDR_STRLEN];
                ipam_format_addr(&f->ip, buf);
                api_error(ctx, 400, "InvalidIpForNetwork", "IP address %s "
                          "is not a valid IP for any of the subnets on the "
                          "specified network.", buf);
                free(fips);
                goto out;
            }
        }

        /* An address the port already has stays as it is. */
        struct nbrec_fixed_ip *kept = NULL;
        for (size_t j = 0; j < n_keep && f->has_ip; j++) {
            struct ipam_addr a;
            if (keep[j]->subnet == subnet
                && ipam_parse_addr(keep[j]->ip_address, &a)
                && ipam_addr_equals(&a, &f->ip)) {
                kept = keep[j];
            }
        }
        if (kept) {
            (*rows)[(*n_rows)++] = kept;
            continue;
        }

        struct ipam_addr addr;
        if (api_subnet_is_auto_address(subnet)) {
            /* Neutron: AllocationOnAutoAddressSubnet. */
            if (f->has_ip && !allow_gateway) {
                char buf[IPAM_ADDR_STRLEN];
                ipam_format_addr(&f->ip, buf);
                api_error(ctx, 400, "InvalidInput", "IPv6 address %s cannot "
                          "be directly assigned to a port on subnet "
                          UUID_FMT" as the subnet is configured for "
                          "automatic addresses", buf,
                          UUID_ARGS(&subnet->header_.uuid));
                free(fips);
                goto out;
            }
            if (!f->has_ip) {
                if (!api_allocate_eui64(ctx, subnet, mac, &addr)) {
                    free(fips);
                    goto out;
                }
                (*rows)[(*n_rows)++] = api_insert_fixed_ip(ctx, subnet,
                                                           &addr);
                continue;
            }
        }
        if (!api_allocate_ip(ctx, subnet, f->has_ip ? &f->ip : NULL,
                             allow_gateway, &addr)) {
            free(fips);
            goto out;
        }
        (*rows)[(*n_rows)++] = api_insert_fixed_ip(ctx, subnet, &addr);
    }
    free(fips);
    ok = true;

out:
    free(subnets);
    if (!ok) {
        free(*rows);
        *rows = NULL;
        *n_rows = 0;
    }
    return ok;
}

/* Resolves the request's security group ids.  Returns false after setting
 * an error. */
static bool
build_security_groups(struct api_ctx *ctx, const json_t *v,
                      struct nbrec_security_group ***out, size_t *n)
{
    *n = 0;
    *out = xcalloc(json_array_size(v) + 1, sizeof **out);
    size_t i;
    json_t *item;
    json_array_foreach (CONST_CAST(json_t *, v), i, item) {
        const char *id = json_string_value(item);
        const struct nbrec_security_group *sg = api_get_sg(ctx, id);
        if (!sg) {
            free(*out);
            *out = NULL;
            return api_error(ctx, 404, "SecurityGroupNotFound",
                             "Security group %s does not exist", id);
        }
        bool dup = false;
        for (size_t j = 0; j < *n; j++) {
            dup |= (*out)[j] == sg;
        }
        if (!dup) {
            (*out)[(*n)++] = CONST_CAST(struct nbrec_security_group *, sg);
        }
    }
    return true;
}

/* Parses allowed_address_pairs into 'pairs' (ip or cidr -> mac). */
static bool
build_address_pairs(struct api_ctx *ctx, const json_t *v, const char *mac,
                    struct smap *pairs)
{
    struct validate_address_pair *list;
    size_t n;
    char *error = validate_address_pairs("allowed_address_pairs", v, &list,
                                         &n);
    if (error) {
        return api_bad_request(ctx, error);
    }
    for (size_t i = 0; i < n; i++) {
        char key[IPAM_PREFIX_STRLEN];
        if (list[i].is_host) {
            ipam_format_addr(&list[i].ip.addr, key);
        } else {
            ipam_format_prefix(&list[i].ip, key);
        }
        char pair_mac[IPAM_MAC_STRLEN];
        uint8_t bytes[6];
        if (list[i].mac && ipam_parse_mac(list[i].mac, bytes)) {
            ipam_format_mac(bytes, pair_mac);
        } else {
            ovs_strlcpy(pair_mac, mac, sizeof pair_mac);
        }
        smap_replace(pairs, key, pair_mac);
    }
    free(list);
    return true;
}

static bool
is_null_or_empty_list(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_array(v)
                                     && !json_array_size(v));
}

static void
port_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, port_attrs,
                                  ARRAY_SIZE(port_attrs), &project);
    if (!obj) {
        return;
    }
    const char *net_id = api_json_string(obj, "network_id", "");
    const struct nbrec_network *net = api_get_network(ctx, net_id);
    if (!net) {
        api_not_found(ctx, "Network", net_id);
        return;
    }
    const char *device_owner = api_json_string(obj, "device_owner", "");
    if (refuse_network_owner(ctx, device_owner, "")) {
        return;
    }
    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, obj, &qos, &qos_given)) {
        return;
    }
    bool port_security = api_json_bool(obj, "port_security_enabled",
                                       net->port_security_enabled);
    const json_t *sgs_json = json_object_get(obj, "security_groups");
    const json_t *pairs_json = json_object_get(obj,
                                               "allowed_address_pairs");
    if (!port_security && !is_null_or_empty_list(sgs_json)) {
        api_error(ctx, 400, "PortSecurityAndIPRequiredForSecurityGroups",
                  "Port security must be enabled and port must have an IP "
                  "address in order to use security groups.");
        return;
    }
    if (!port_security && !is_null_or_empty_list(pairs_json)) {
        api_conflict(ctx, "AddressPairAndPortSecurityRequired",
                     "Port Security must be enabled in order to have "
                     "allowed address pairs on a port.");
        return;
    }

    char mac[IPAM_MAC_STRLEN];
    if (!api_allocate_mac(ctx, net, api_json_string(obj, "mac_address",
                                                    NULL), mac)) {
        return;
    }

    struct nbrec_fixed_ip **fips;
    size_t n_fips;
    if (!build_fixed_ips(ctx, net, json_object_get(obj, "fixed_ips"),
                         device_owner, mac, NULL, 0, &fips, &n_fips)) {
        return;
    }

    struct nbrec_security_group **sgs = NULL;
    size_t n_sgs = 0;
    if (sgs_json && !json_is_null(sgs_json)) {
        if (!build_security_groups(ctx, sgs_json, &sgs, &n_sgs)) {
            free(fips);
            return;
        }
    } else if (port_security && !owned_by_network(device_owner)) {
        sgs = xmalloc(sizeof *sgs);
        sgs[0] = CONST_CAST(struct nbrec_security_group *,
                            api_default_sg(ctx, project, true));
        n_sgs = 1;
    }

    struct smap pairs = SMAP_INITIALIZER(&pairs);
    if (pairs_json && !json_is_null(pairs_json)
        && !build_address_pairs(ctx, pairs_json, mac, &pairs)) {
        smap_destroy(&pairs);
        free(fips);
        free(sgs);
        return;
    }

    struct nbrec_port *port
        = nbrec_port_insert_persist_uuid(api_txn(ctx), &ctx->create_uuid);
    nbrec_port_set_name(port, api_json_string(obj, "name", ""));
    nbrec_port_set_description(port, api_json_string(obj, "description",
                                                     ""));
    nbrec_port_set_project_id(port, project);
    nbrec_port_set_network(port, net);
    nbrec_port_set_mac_address(port, mac);
    nbrec_port_set_fixed_ips(port, fips, n_fips);
    nbrec_port_set_device_owner(port, device_owner);
    nbrec_port_set_device_id(port, api_json_string(obj, "device_id", ""));
    nbrec_port_set_admin_state_up(port, api_json_bool(obj, "admin_state_up",
                                                      true));
    nbrec_port_set_status(port, "DOWN");
    nbrec_port_set_security_groups(port, sgs, n_sgs);
    nbrec_port_set_port_security_enabled(port, port_security);
    if (qos) {
        nbrec_port_set_qos_policy(port, qos);
    }
    nbrec_port_set_allowed_address_pairs(port, &pairs);
    nbrec_port_set_binding_host(port, api_json_string(obj,
                                                      "binding:host_id",
                                                      ""));
    nbrec_port_set_dns_name(port, api_json_string(obj, "dns_name", ""));
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    const char *vnic = api_json_string(obj, "binding:vnic_type", NULL);
    if (vnic) {
        smap_add(&ids, "neutron:vnic_type", vnic);
    }
    nbrec_port_set_external_ids(port, &ids);
    smap_destroy(&ids);
    smap_destroy(&pairs);
    free(fips);
    free(sgs);
    api_set_created(ctx, &port->header_);
}

/* Floating IPs associated with 'port'. */
static const struct nbrec_floating_ip *
port_fip(struct api_ctx *ctx, const struct nbrec_port *port,
         const char *fixed_ip)
{
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->port == port
            && (!fixed_ip || (fip->fixed_ip_address
                              && !strcmp(fip->fixed_ip_address,
                                         fixed_ip)))) {
            return fip;
        }
    }
    return NULL;
}

static void
port_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_port *port = API_ROW(nbrec_port, row);
    json_t *obj = api_body_member(ctx, port_attrs, ARRAY_SIZE(port_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }

    if (refuse_network_owner(ctx, api_json_string(obj, "device_owner",
                                                  port->device_owner),
                             port->device_owner)) {
        return;
    }
    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, obj, &qos, &qos_given)) {
        return;
    }
    bool port_security = api_json_bool(obj, "port_security_enabled",
                                       port->port_security_enabled);
    const json_t *sgs_json = json_object_get(obj, "security_groups");
    const json_t *pairs_json = json_object_get(obj,
                                               "allowed_address_pairs");
    bool has_sgs = (sgs_json ? !is_null_or_empty_list(sgs_json)
                    : port->n_security_groups > 0);
    bool has_pairs = (pairs_json ? !is_null_or_empty_list(pairs_json)
                      : !smap_is_empty(&port->allowed_address_pairs));
    if (!port_security && has_sgs) {
        api_conflict(ctx, "PortSecurityPortHasSecurityGroup",
                     "Port has security group associated. Cannot disable "
                     "port security or ip address until security group is "
                     "removed");
        return;
    }
    if (!port_security && has_pairs) {
        api_conflict(ctx, "AddressPairAndPortSecurityRequired",
                     "Port Security must be enabled in order to have "
                     "allowed address pairs on a port.");
        return;
    }

    const char *mac = port->mac_address;
    char new_mac[IPAM_MAC_STRLEN];
    const char *req_mac = api_json_string(obj, "mac_address", NULL);
    if (req_mac) {
        uint8_t bytes[6];
        ipam_parse_mac(req_mac, bytes);
        ipam_format_mac(bytes, new_mac);
        if (strcmp(new_mac, port->mac_address)) {
            if (*port->binding_host) {
                api_conflict(ctx, "PortBound", "Unable to complete "
                             "operation on port "UUID_FMT", port is "
                             "already bound, port type: ovs, old_mac %s, "
                             "new_mac %s.", UUID_ARGS(&port->header_.uuid),
                             port->mac_address, new_mac);
                return;
            }
            if (!api_allocate_mac(ctx, port->network, new_mac, new_mac)) {
                return;
            }
            mac = new_mac;
        }
    }

    const json_t *fips_json = json_object_get(obj, "fixed_ips");
    struct nbrec_fixed_ip **fips = NULL;
    size_t n_fips = 0;
    if (fips_json) {
        if (owned_by_network(port->device_owner)) {
            api_conflict(ctx, "PortInUse", "Unable to update fixed_ips of "
                         "port "UUID_FMT": it is owned by %s.",
                         UUID_ARGS(&port->header_.uuid),
                         port->device_owner);
            return;
        }
        if (!build_fixed_ips(ctx, port->network, fips_json,
                             port->device_owner, mac, port->fixed_ips,
                             port->n_fixed_ips, &fips, &n_fips)) {
            return;
        }
        /* An address that a floating IP uses cannot go away. */
        for (size_t i = 0; i < port->n_fixed_ips; i++) {
            bool kept = false;
            for (size_t j = 0; j < n_fips; j++) {
                kept |= fips[j] == port->fixed_ips[i];
            }
            const struct nbrec_floating_ip *fip
                = kept ? NULL : port_fip(ctx, port,
                                         port->fixed_ips[i]->ip_address);
            if (fip) {
                free(fips);
                api_conflict(ctx, "FloatingIPPortAlreadyAssociated",
                             "Cannot remove fixed IP %s from port "UUID_FMT
                             ": floating IP "UUID_FMT" is associated with "
                             "it.", port->fixed_ips[i]->ip_address,
                             UUID_ARGS(&port->header_.uuid),
                             UUID_ARGS(&fip->header_.uuid));
                return;
            }
        }
    }

    struct nbrec_security_group **sgs = NULL;
    size_t n_sgs = 0;
    if (sgs_json && !json_is_null(sgs_json)
        && !build_security_groups(ctx, sgs_json, &sgs, &n_sgs)) {
        free(fips);
        return;
    }

    struct smap pairs = SMAP_INITIALIZER(&pairs);
    if (pairs_json && !json_is_null(pairs_json)
        && !build_address_pairs(ctx, pairs_json, mac, &pairs)) {
        smap_destroy(&pairs);
        free(fips);
        free(sgs);
        return;
    }

    api_txn(ctx);
    if (fips_json) {
        nbrec_port_set_fixed_ips(port, fips, n_fips);
    }
    if (sgs_json) {
        nbrec_port_set_security_groups(port, sgs, n_sgs);
    }
    if (pairs_json) {
        nbrec_port_set_allowed_address_pairs(port, &pairs);
    }
    if (mac != port->mac_address) {
        nbrec_port_set_mac_address(port, mac);
    }
    if (json_object_get(obj, "port_security_enabled")) {
        nbrec_port_set_port_security_enabled(port, port_security);
    }
    if (qos_given) {
        nbrec_port_set_qos_policy(port, qos);
    }
    if (json_object_get(obj, "name")) {
        nbrec_port_set_name(port, api_json_string(obj, "name", ""));
    }
    if (json_object_get(obj, "description")) {
        nbrec_port_set_description(port, api_json_string(obj, "description",
                                                         ""));
    }
    if (json_object_get(obj, "admin_state_up")) {
        nbrec_port_set_admin_state_up(port,
                                      api_json_bool(obj, "admin_state_up",
                                                    true));
    }
    if (json_object_get(obj, "device_id")) {
        nbrec_port_set_device_id(port, api_json_string(obj, "device_id",
                                                       ""));
    }
    if (json_object_get(obj, "device_owner")) {
        nbrec_port_set_device_owner(port, api_json_string(obj,
                                                          "device_owner",
                                                          ""));
    }
    if (json_object_get(obj, "binding:host_id")) {
        nbrec_port_set_binding_host(port,
                                    api_json_string(obj, "binding:host_id",
                                                    ""));
    }
    if (json_object_get(obj, "dns_name")) {
        nbrec_port_set_dns_name(port, api_json_string(obj, "dns_name", ""));
    }
    struct smap ids;
    smap_clone(&ids, &port->external_ids);
    const char *vnic = api_json_string(obj, "binding:vnic_type", NULL);
    if (vnic) {
        smap_replace(&ids, "neutron:vnic_type", vnic);
    }
    api_stamp(&ids, false);
    nbrec_port_set_external_ids(port, &ids);
    smap_destroy(&ids);
    smap_destroy(&pairs);
    free(fips);
    free(sgs);
    ctx->finish = api_finish_row;
}

static void
port_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_port *port = API_ROW(nbrec_port, row);
    if (is_router_owner(port->device_owner)
        || !strcmp(port->device_owner, "network:floatingip")
        || api_port_router(ctx, port)) {
        api_conflict(ctx, "PortInUse", "Port "UUID_FMT" cannot be deleted "
                     "directly via the port API: has device owner %s.",
                     UUID_ARGS(&port->header_.uuid),
                     *port->device_owner ? port->device_owner
                                         : "a router");
        return;
    }
    if (api_trunk_port_in_use(ctx, port)) {
        return;
    }
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->floating_port == port) {
            api_conflict(ctx, "PortInUse", "Port "UUID_FMT" is the port of "
                         "floating IP "UUID_FMT".",
                         UUID_ARGS(&port->header_.uuid),
                         UUID_ARGS(&fip->header_.uuid));
            return;
        }
    }

    api_txn(ctx);
    /* Deleting a port dissociates its floating IPs. */
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->port == port) {
            nbrec_floating_ip_set_port(fip, NULL);
            nbrec_floating_ip_set_fixed_ip_address(fip, NULL);
            nbrec_floating_ip_set_router(fip, NULL);
            nbrec_floating_ip_set_status(fip, "DOWN");
        }
    }
    /* ...and deletes its port forwardings, as Neutron. */
    const struct nbrec_port_forwarding *pf, *next;
    NBREC_PORT_FORWARDING_FOR_EACH_SAFE (pf, next, ctx->idl) {
        if (pf->port == port) {
            nbrec_port_forwarding_delete(pf);
        }
    }
    nbrec_port_delete(port);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_ports = {
    .collection = "ports",
    .plural = "ports",
    .member = "port",
    .table = &nbrec_table_port,
    .render = port_render,
    .create = port_create,
    .update = port_update,
    .delete = port_delete,
};

/*
 * api/network: the Neutron "networks" resource on the NB Network table.
 *
 * Tenant networks (no provider attributes) get the configured tenant type
 * (vxlan or geneve) and the lowest free segmentation id; the schema's
 * index on (type, physical network, segmentation id) makes a concurrent
 * writer that took the same id fail, and the request is retried.  MTU
 * defaults to 1450 for tunnelled networks and 1500 for flat and VLAN ones.
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdlib.h>
#include <string.h>

#include "dvr/l3.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "api/core.h"

VLOG_DEFINE_THIS_MODULE(api_network);

static const char *const network_types[] = {
    "flat", "vlan", "vxlan", "geneve", NULL
};

static const struct attr_spec network_attrs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "admin_state_up", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "shared", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "router:external", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL,
      NULL },
    { "port_security_enabled", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL,
      NULL },
    { "mtu", ATTR_INT, ATTR_POST | ATTR_PUT, 68, 65535, NULL, NULL },
    { "qos_policy_id", ATTR_UUID, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0,
      0, NULL, NULL },
    { "provider:network_type", ATTR_ENUM, ATTR_POST | ATTR_NULLABLE, 0, 0,
      network_types, NULL },
    { "provider:physical_network", ATTR_STRING, ATTR_POST | ATTR_NULLABLE,
      0, 64, NULL, NULL },
    { "provider:segmentation_id", ATTR_INT, ATTR_POST | ATTR_NULLABLE,
      1, 16777215, NULL, NULL },
    { "availability_zone_hints", ATTR_LIST, ATTR_POST, 0, 0, NULL,
      validate_check_list_of_strings },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static json_t *
network_render(struct api_ctx *ctx, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_network *net = API_ROW(nbrec_network, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &net->header_);
    json_object_set_new(obj, "name", json_string(net->name));
    json_object_set_new(obj, "description", json_string(net->description));
    json_object_set_new(obj, "admin_state_up",
                        json_boolean(net->admin_state_up));
    json_object_set_new(obj, "status",
                        json_string(*net->status ? net->status : "ACTIVE"));
    json_object_set_new(obj, "shared", json_boolean(net->shared));
    json_object_set_new(obj, "router:external",
                        json_boolean(net->external));
    json_object_set_new(obj, "port_security_enabled",
                        json_boolean(net->port_security_enabled));
    json_object_set_new(obj, "mtu", json_integer(net->mtu));
    api_set_uuid(obj, "qos_policy_id",
                 net->qos_policy ? &net->qos_policy->header_ : NULL);
    json_object_set_new(obj, "provider:network_type",
                        json_string(net->provider_network_type));
    json_object_set_new(obj, "provider:physical_network",
                        net->provider_physical_network
                        ? json_string(net->provider_physical_network)
                        : json_null());
    json_object_set_new(obj, "provider:segmentation_id",
                        net->n_provider_segmentation_id
                        ? json_integer(net->provider_segmentation_id[0])
                        : json_null());

    json_t *subnets = json_array();
    const struct nbrec_subnet *subnet;
    NBREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (subnet->network == net) {
            char *id = api_uuid_str(&subnet->header_);
            json_array_append_new(subnets, json_string(id));
            free(id);
        }
    }
    json_object_set_new(obj, "subnets", subnets);
    json_object_set_new(obj, "availability_zone_hints", json_array());
    json_object_set_new(obj, "availability_zones", json_array());
    json_object_set_new(obj, "ipv4_address_scope", json_null());
    json_object_set_new(obj, "ipv6_address_scope", json_null());
    json_object_set_new(obj, "l2_adjacency", json_true());
    json_object_set_new(obj, "is_default", json_false());
    api_add_std_attrs(obj, &net->external_ids, net->project_id);
    return obj;
}

static bool
segment_in_use(struct api_ctx *ctx, const char *type, const char *physnet,
               int64_t segid)
{
    const struct nbrec_network *net;
    NBREC_NETWORK_FOR_EACH (net, ctx->idl) {
        bool same_physnet = (!physnet == !net->provider_physical_network
                             && (!physnet
                                 || !strcmp(physnet,
                                            net->provider_physical_network)));
        bool same_segid = (segid < 0
                           ? !net->n_provider_segmentation_id
                           : (net->n_provider_segmentation_id
                              && net->provider_segmentation_id[0] == segid));
        if (!strcmp(net->provider_network_type, type) && same_physnet
            && same_segid) {
            return true;
        }
    }
    char *key = xasprintf("segment %s %s %"PRId64, type,
                          physnet ? physnet : "", segid);
    bool reserved = api_is_reserved(ctx, key);
    free(key);
    return reserved;
}

static void
reserve_segment(struct api_ctx *ctx, const char *type, const char *physnet,
                int64_t segid)
{
    char *key = xasprintf("segment %s %s %"PRId64, type,
                          physnet ? physnet : "", segid);
    api_reserve(ctx, key);
    free(key);
}

/* Neutron's ML2 refuses an MTU above what the segment can carry with
 * "Requested MTU is too big, maximum is N"; here N is what dvrflow's
 * routing can check (dvr/l3.h: the frame length, MTU + 14, must fit
 * in 16 bits).  The schema and the attribute table bound the minimum
 * (68, IPv4's). */
static bool
network_mtu_ok(struct api_ctx *ctx, int64_t mtu)
{
    if (mtu > L3_MAX_MTU) {
        return api_error(ctx, 400, "InvalidInput", "Invalid input for "
                         "operation: Requested MTU is too big, maximum is "
                         "%d.", L3_MAX_MTU);
    }
    return true;
}

static void
network_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, network_attrs,
                                  ARRAY_SIZE(network_attrs), &project);
    if (!obj) {
        return;
    }

    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, obj, &qos, &qos_given)) {
        return;
    }
    const char *type = api_json_string(obj, "provider:network_type", NULL);
    const char *physnet = api_json_string(obj, "provider:physical_network",
                                          NULL);
    int64_t segid = -1;
    if (api_json_has(obj, "provider:segmentation_id")) {
        validate_get_int(json_object_get(obj, "provider:segmentation_id"),
                         &segid);
    }
    if (physnet && !*physnet) {
        physnet = NULL;
    }

    if (!type) {
        if (physnet || segid >= 0) {
            api_error(ctx, 400, "InvalidInput", "Invalid input for "
                      "operation: provider:network_type required.");
            return;
        }
        type = api_get_config(ctx)->tenant_network_type;
    }

    int64_t max_segid = 16777215;
    if (!strcmp(type, "flat")) {
        if (!physnet) {
            api_error(ctx, 400, "InvalidInput", "Invalid input for "
                      "operation: physical_network required for flat "
                      "provider network.");
            return;
        }
        if (segid >= 0) {
            api_error(ctx, 400, "InvalidInput", "Invalid input for "
                      "operation: segmentation_id specified for flat "
                      "provider network.");
            return;
        }
        if (segment_in_use(ctx, type, physnet, -1)) {
            api_conflict(ctx, "FlatNetworkInUse", "Unable to create the "
                         "flat network. Physical network %s is in use.",
                         physnet);
            return;
        }
        reserve_segment(ctx, type, physnet, -1);
    } else {
        if (!strcmp(type, "vlan")) {
            max_segid = 4094;
            if (!physnet) {
                api_error(ctx, 400, "InvalidInput", "Invalid input for "
                          "operation: physical_network required for VLAN "
                          "provider network.");
                return;
            }
        } else if (physnet) {
            api_error(ctx, 400, "InvalidInput", "Invalid input for "
                      "operation: physical_network specified for %s "
                      "network.", type);
            return;
        }
        if (segid > max_segid) {
            api_error(ctx, 400, "InvalidInput", "Invalid input for "
                      "operation: segmentation_id %"PRId64" out of range "
                      "(1 through %"PRId64").", segid, max_segid);
            return;
        }
        if (segid >= 0) {
            if (segment_in_use(ctx, type, physnet, segid)) {
                api_conflict(ctx, "SegmentationIdInUse", "Unable to create "
                             "the network. The %s segmentation id %"PRId64
                             " is in use.", type, segid);
                return;
            }
        } else {
            for (segid = 1; segid <= max_segid; segid++) {
                if (!segment_in_use(ctx, type, physnet, segid)) {
                    break;
                }
            }
            if (segid > max_segid) {
                api_conflict(ctx, "NoNetworkAvailable", "Unable to create "
                             "the network. No %s segment is available.",
                             type);
                return;
            }
            ctx->retry_on_conflict = true;
        }
        reserve_segment(ctx, type, physnet, segid);
    }

    bool tunnelled = !strcmp(type, "vxlan") || !strcmp(type, "geneve");
    int64_t mtu = tunnelled ? 1450 : 1500;
    if (api_json_has(obj, "mtu")) {
        validate_get_int(json_object_get(obj, "mtu"), &mtu);
        if (!network_mtu_ok(ctx, mtu)) {
            return;
        }
    }

    struct nbrec_network *net
        = nbrec_network_insert_persist_uuid(api_txn(ctx), &ctx->create_uuid);
    nbrec_network_set_name(net, api_json_string(obj, "name", ""));
    nbrec_network_set_description(net,
                                  api_json_string(obj, "description", ""));
    nbrec_network_set_project_id(net, project);
    nbrec_network_set_provider_network_type(net, type);
    if (physnet) {
        nbrec_network_set_provider_physical_network(net, physnet);
    }
    if (segid >= 0) {
        nbrec_network_set_provider_segmentation_id(net, &segid, 1);
    }
    nbrec_network_set_mtu(net, mtu);
    nbrec_network_set_external(net, api_json_bool(obj, "router:external",
                                                  false));
    nbrec_network_set_shared(net, api_json_bool(obj, "shared", false));
    nbrec_network_set_port_security_enabled(
        net, api_json_bool(obj, "port_security_enabled", true));
    nbrec_network_set_admin_state_up(net, api_json_bool(obj,
                                                        "admin_state_up",
                                                        true));
    nbrec_network_set_status(net, "ACTIVE");
    if (qos) {
        nbrec_network_set_qos_policy(net, qos);
    }
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_network_set_external_ids(net, &ids);
    smap_destroy(&ids);
    api_set_created(ctx, &net->header_);
}

static bool
network_has_router_gateways(struct api_ctx *ctx,
                            const struct nbrec_network *net)
{
    const struct nbrec_router *router;
    NBREC_ROUTER_FOR_EACH (router, ctx->idl) {
        if (router->gateway_port && router->gateway_port->network == net) {
            return true;
        }
    }
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->floating_network == net) {
            return true;
        }
    }
    return false;
}

static void
network_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_network *net = API_ROW(nbrec_network, row);
    json_t *obj = api_body_member(ctx, network_attrs,
                                  ARRAY_SIZE(network_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }

    if (json_object_get(obj, "router:external")
        && !api_json_bool(obj, "router:external", true) && net->external
        && network_has_router_gateways(ctx, net)) {
        api_conflict(ctx, "ExternalNetworkInUse", "External network "
                     UUID_FMT" cannot be updated to be made non-external, "
                     "since it has existing gateway ports.",
                     UUID_ARGS(&net->header_.uuid));
        return;
    }
    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, obj, &qos, &qos_given)) {
        return;
    }
    int64_t mtu = net->mtu;
    if (json_object_get(obj, "mtu")
        && validate_get_int(json_object_get(obj, "mtu"), &mtu)
        && !network_mtu_ok(ctx, mtu)) {
        return;
    }

    api_txn(ctx);
    if (json_object_get(obj, "name")) {
        nbrec_network_set_name(net, api_json_string(obj, "name", ""));
    }
    if (json_object_get(obj, "description")) {
        nbrec_network_set_description(
            net, api_json_string(obj, "description", ""));
    }
    if (json_object_get(obj, "admin_state_up")) {
        nbrec_network_set_admin_state_up(
            net, api_json_bool(obj, "admin_state_up", true));
    }
    if (json_object_get(obj, "shared")) {
        nbrec_network_set_shared(net, api_json_bool(obj, "shared", false));
    }
    if (json_object_get(obj, "router:external")) {
        nbrec_network_set_external(net, api_json_bool(obj,
                                                      "router:external",
                                                      false));
    }
    if (json_object_get(obj, "port_security_enabled")) {
        nbrec_network_set_port_security_enabled(
            net, api_json_bool(obj, "port_security_enabled", true));
    }
    if (json_object_get(obj, "mtu")) {
        nbrec_network_set_mtu(net, mtu);
    }
    if (qos_given) {
        nbrec_network_set_qos_policy(net, qos);
    }
    struct smap ids;
    smap_clone(&ids, &net->external_ids);
    api_stamp(&ids, false);
    nbrec_network_set_external_ids(net, &ids);
    smap_destroy(&ids);
    ctx->finish = api_finish_row;
}

static void
network_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_network *net = API_ROW(nbrec_network, row);

    const struct nbrec_port *port;
    NBREC_PORT_FOR_EACH (port, ctx->idl) {
        if (port->network == net) {
            api_conflict(ctx, "NetworkInUse", "Unable to complete operation "
                         "on network "UUID_FMT". There are one or more "
                         "ports still in use on the network.",
                         UUID_ARGS(&net->header_.uuid));
            return;
        }
    }
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, ctx->idl) {
        if (fip->floating_network == net) {
            api_conflict(ctx, "NetworkInUse", "Unable to complete operation "
                         "on network "UUID_FMT". There are one or more "
                         "floating IPs on the network.",
                         UUID_ARGS(&net->header_.uuid));
            return;
        }
    }

    /* Neutron deletes the network's subnets with it. */
    api_txn(ctx);
    const struct nbrec_subnet *subnet;
    NBREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (subnet->network == net) {
            nbrec_subnet_delete(subnet);
        }
    }
    nbrec_network_delete(net);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_networks = {
    .collection = "networks",
    .plural = "networks",
    .member = "network",
    .table = &nbrec_table_network,
    .render = network_render,
    .create = network_create,
    .update = network_update,
    .delete = network_delete,
};

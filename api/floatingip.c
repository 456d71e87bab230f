/*
 * api/floatingip: the Neutron "floatingips" resource on the NB Floating_IP
 * table.
 *
 * The address is held by a Port on the external network (device_owner
 * "network:floatingip", device_id = the floating IP's id) with one
 * Fixed_IP, so the Fixed_IP index also protects floating addresses.  An
 * association names the internal port and one of its addresses; the
 * router is derived: the one with an interface on that address's subnet
 * and its gateway on the floating IP's network (404 when there is none, as
 * Neutron).  "status" is ACTIVE when the associated port is ACTIVE.
 * "qos_policy_id" (extension "qos-fip") is Floating_IP.qos_policy: a
 * policy the project can see, else 404 QosPolicyNotFound.
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

VLOG_DEFINE_THIS_MODULE(api_floatingip);

static const struct attr_spec fip_attrs[] = {
    { "floating_network_id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0,
      NULL, NULL },
    { "floating_ip_address", ATTR_IP, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL,
      NULL },
    { "subnet_id", ATTR_UUID, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL, NULL },
    { "port_id", ATTR_UUID, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0, 0,
      NULL, NULL },
    { "fixed_ip_address", ATTR_IP, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0,
      0, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "qos_policy_id", ATTR_UUID, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 0,
      0, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static json_t *
fip_render(struct api_ctx *ctx, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_floating_ip *fip = API_ROW(nbrec_floating_ip, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &fip->header_);
    json_object_set_new(obj, "floating_ip_address",
                        json_string(fip->floating_ip_address));
    api_set_uuid(obj, "floating_network_id",
                 fip->floating_network ? &fip->floating_network->header_
                                       : NULL);
    api_set_uuid(obj, "router_id", fip->router ? &fip->router->header_
                                               : NULL);
    api_set_uuid(obj, "port_id", fip->port ? &fip->port->header_ : NULL);
    json_object_set_new(obj, "fixed_ip_address",
                        fip->port && fip->fixed_ip_address
                        ? json_string(fip->fixed_ip_address)
                        : json_null());
    bool up = fip->port && api_port_is_up(ctx, fip->port);
    json_object_set_new(obj, "status", json_string(up ? "ACTIVE" : "DOWN"));
    json_object_set_new(obj, "description", json_string(fip->description));
    if (fip->port) {
        const struct nbrec_port *port = fip->port;
        json_t *details = json_object();
        json_object_set_new(details, "name", json_string(port->name));
        api_set_uuid(details, "network_id",
                     port->network ? &port->network->header_ : NULL);
        json_object_set_new(details, "mac_address",
                            json_string(port->mac_address));
        json_object_set_new(details, "admin_state_up",
                            json_boolean(port->admin_state_up));
        json_object_set_new(details, "status",
                            json_string(api_port_is_up(ctx, port)
                                        ? "ACTIVE" : "DOWN"));
        json_object_set_new(details, "device_id",
                            json_string(port->device_id));
        json_object_set_new(details, "device_owner",
                            json_string(port->device_owner));
        json_object_set_new(obj, "port_details", details);
    } else {
        json_object_set_new(obj, "port_details", json_null());
    }
    json_object_set_new(obj, "dns_domain", json_string(""));
    json_object_set_new(obj, "dns_name", json_string(""));
    api_set_uuid(obj, "qos_policy_id",
                 fip->qos_policy ? &fip->qos_policy->header_ : NULL);
    json_object_set_new(obj, "port_forwardings",
                        api_fip_port_forwardings_json(ctx, fip));
    api_add_std_attrs(obj, &fip->external_ids, fip->project_id);
    return obj;
}

const struct nbrec_router *
api_fip_find_router(struct api_ctx *ctx, const struct nbrec_subnet *subnet,
            const struct nbrec_network *ext)
{
    const struct nbrec_router *router;
    NBREC_ROUTER_FOR_EACH (router, ctx->idl) {
        if (!router->gateway_port || router->gateway_port->network != ext) {
            continue;
        }
        for (size_t i = 0; i < router->n_interfaces; i++) {
            const struct nbrec_port *port = router->interfaces[i];
            for (size_t j = 0; j < port->n_fixed_ips; j++) {
                if (port->fixed_ips[j]->subnet == subnet) {
                    return router;
                }
            }
        }
    }
    return NULL;
}

struct association {
    const struct nbrec_port *port;
    char fixed_ip[IPAM_ADDR_STRLEN];
    const struct nbrec_router *router;
};

/* Resolves the association of floating IP 'self' (NULL when creating) on
 * network 'ext' with port 'port_id' and optional 'fixed_ip' (JSON). */
static bool
associate(struct api_ctx *ctx, const struct nbrec_floating_ip *self,
          const struct nbrec_network *ext, const char *port_id,
          const json_t *fixed_ip, struct association *a)
{
    a->port = api_get_port(ctx, port_id);
    if (!a->port) {
        return api_not_found(ctx, "Port", port_id);
    }
    if (self && api_fip_has_port_forwardings(ctx, self)) {
        return api_conflict(ctx, "FipInUseByPortForwarding",
                            "Floating IP "UUID_FMT" in use by Port "
                            "Forwarding resources.",
                            UUID_ARGS(&self->header_.uuid));
    }
    const struct nbrec_port_forwarding *pf;
    NBREC_PORT_FORWARDING_FOR_EACH (pf, ctx->idl) {
        if (pf->port == a->port) {
            return api_error(ctx, 400, "BadRequest", "Cannot associate "
                             "floating IP to port %s: it has port "
                             "forwarding "UUID_FMT".", port_id,
                             UUID_ARGS(&pf->header_.uuid));
        }
    }
    if (a->port->network == ext) {
        return api_error(ctx, 400, "BadRequest", "Bad floatingip request: "
                         "Port %s is on the floating IP's external "
                         "network.", port_id);
    }
    if (!a->port->n_fixed_ips) {
        return api_error(ctx, 400, "BadRequest", "Bad floatingip request: "
                         "Port %s does not have any IP addresses on it.",
                         port_id);
    }

    const struct nbrec_fixed_ip *chosen = NULL;
    if (fixed_ip && !json_is_null(fixed_ip)) {
        struct ipam_addr want;
        validate_ip("fixed_ip_address", fixed_ip, 0, &want);
        for (size_t i = 0; i < a->port->n_fixed_ips && !chosen; i++) {
            struct ipam_addr have;
            if (ipam_parse_addr(a->port->fixed_ips[i]->ip_address, &have)
                && ipam_addr_equals(&have, &want)) {
                chosen = a->port->fixed_ips[i];
            }
        }
        if (!chosen) {
            return api_error(ctx, 400, "BadRequest", "Bad floatingip "
                             "request: Port %s does not have fixed ip %s.",
                             port_id, json_string_value(fixed_ip));
        }
    } else {
        for (size_t i = 0; i < a->port->n_fixed_ips && !chosen; i++) {
            if (a->port->fixed_ips[i]->subnet
                && a->port->fixed_ips[i]->subnet->ip_version == 4) {
                chosen = a->port->fixed_ips[i];
            }
        }
        if (!chosen) {
            return api_error(ctx, 400, "BadRequest", "Bad floatingip "
                             "request: Port %s does not have an IPv4 "
                             "address.", port_id);
        }
    }
    if (chosen->subnet->ip_version != 4) {
        return api_error(ctx, 400, "BadRequest", "Bad floatingip request: "
                         "floating IPs need an IPv4 fixed address.");
    }
    ovs_strlcpy(a->fixed_ip, chosen->ip_address, sizeof a->fixed_ip);

    const struct nbrec_floating_ip *other;
    NBREC_FLOATING_IP_FOR_EACH (other, ctx->idl) {
        if (other != self && other->port == a->port
            && other->fixed_ip_address
            && !strcmp(other->fixed_ip_address, a->fixed_ip)) {
            return api_conflict(ctx, "FloatingIPPortAlreadyAssociated",
                                "Cannot associate floating IP with port %s "
                                "using fixed IP %s, as that fixed IP "
                                "already has a floating IP on external "
                                "network "UUID_FMT".", port_id,
                                a->fixed_ip,
                                UUID_ARGS(&ext->header_.uuid));
        }
    }

    a->router = api_fip_find_router(ctx, chosen->subnet, ext);
    if (!a->router) {
        return api_error(ctx, 404, "ExternalGatewayForFloatingIPNotFound",
                         "External network "UUID_FMT" is not reachable from "
                         "subnet "UUID_FMT".  Therefore, cannot associate "
                         "Port %s with a Floating IP.",
                         UUID_ARGS(&ext->header_.uuid),
                         UUID_ARGS(&chosen->subnet->header_.uuid), port_id);
    }
    return true;
}

static void
apply_association(const struct nbrec_floating_ip *fip,
                  const struct association *a)
{
    if (a && a->port) {
        nbrec_floating_ip_set_port(fip, a->port);
        nbrec_floating_ip_set_fixed_ip_address(fip, a->fixed_ip);
        nbrec_floating_ip_set_router(fip, a->router);
    } else {
        nbrec_floating_ip_set_port(fip, NULL);
        nbrec_floating_ip_set_fixed_ip_address(fip, NULL);
        nbrec_floating_ip_set_router(fip, NULL);
    }
    nbrec_floating_ip_set_status(fip, "DOWN");
}

static void
fip_create(struct api_ctx *ctx)
{
    const char *project;
    json_t *obj = api_create_body(ctx, fip_attrs,
                                  ARRAY_SIZE(fip_attrs), &project);
    if (!obj) {
        return;
    }
    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, obj, &qos, &qos_given)) {
        return;
    }
    const char *net_id = api_json_string(obj, "floating_network_id", "");
    const struct nbrec_network *net = api_get_network(ctx, net_id);
    if (!net) {
        api_not_found(ctx, "Network", net_id);
        return;
    }
    if (!net->external) {
        api_error(ctx, 400, "BadRequest", "Bad floatingip request: Network "
                  "%s is not a valid external network.", net_id);
        return;
    }

    /* The subnet to take the address from. */
    const struct nbrec_subnet *subnet = NULL;
    const char *subnet_id = api_json_string(obj, "subnet_id", NULL);
    struct ipam_addr requested;
    bool has_requested = api_json_has(obj, "floating_ip_address");
    if (has_requested) {
        validate_ip("floating_ip_address",
                    json_object_get(obj, "floating_ip_address"), 0,
                    &requested);
    }
    const struct nbrec_subnet *s;
    NBREC_SUBNET_FOR_EACH (s, ctx->idl) {
        struct ipam_prefix p;
        if (s->network != net || s->ip_version != 4
            || !api_subnet_prefix(s, &p)) {
            continue;
        }
        if (subnet_id) {
            char *id = api_uuid_str(&s->header_);
            if (!strcasecmp(id, subnet_id)) {
                subnet = s;
            }
            free(id);
        } else if (has_requested) {
            if (ipam_prefix_contains(&p, &requested)) {
                subnet = s;
            }
        } else if (!subnet || uuid_compare_3way(&s->header_.uuid,
                                                &subnet->header_.uuid) < 0) {
            subnet = s;
        }
    }
    if (!subnet) {
        api_error(ctx, 400, "BadRequest", "Bad floatingip request: no "
                  "IPv4 subnet of network %s %s.", net_id,
                  subnet_id ? "has that subnet_id"
                  : has_requested ? "contains floating_ip_address"
                  : "exists");
        return;
    }

    struct association a = { .port = NULL };
    const char *port_id = api_json_string(obj, "port_id", NULL);
    if (port_id && !associate(ctx, NULL, net, port_id,
                              json_object_get(obj, "fixed_ip_address"),
                              &a)) {
        return;
    }

    struct ipam_addr addr;
    char mac[IPAM_MAC_STRLEN];
    if (!api_allocate_ip(ctx, subnet, has_requested ? &requested : NULL,
                         false, &addr)
        || !api_allocate_mac(ctx, net, NULL, mac)) {
        return;
    }
    char addr_s[IPAM_ADDR_STRLEN];
    ipam_format_addr(&addr, addr_s);

    struct uuid uuid = ctx->create_uuid;
    char fip_id[UUID_LEN + 1];
    snprintf(fip_id, sizeof fip_id, UUID_FMT, UUID_ARGS(&uuid));

    struct nbrec_fixed_ip *fixed = api_insert_fixed_ip(ctx, subnet, &addr);
    struct nbrec_port *port = nbrec_port_insert(api_txn(ctx));
    nbrec_port_set_network(port, net);
    nbrec_port_set_project_id(port, project);
    nbrec_port_set_mac_address(port, mac);
    nbrec_port_set_fixed_ips(port, &fixed, 1);
    nbrec_port_set_device_owner(port, "network:floatingip");
    nbrec_port_set_device_id(port, fip_id);
    nbrec_port_set_admin_state_up(port, true);
    nbrec_port_set_status(port, "DOWN");
    nbrec_port_set_port_security_enabled(port, false);
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_port_set_external_ids(port, &ids);

    struct nbrec_floating_ip *fip
        = nbrec_floating_ip_insert_persist_uuid(ctx->txn, &uuid);
    nbrec_floating_ip_set_project_id(fip, project);
    nbrec_floating_ip_set_description(fip, api_json_string(obj,
                                                           "description",
                                                           ""));
    nbrec_floating_ip_set_floating_network(fip, net);
    nbrec_floating_ip_set_floating_port(fip, port);
    nbrec_floating_ip_set_floating_ip_address(fip, addr_s);
    if (qos) {
        nbrec_floating_ip_set_qos_policy(fip, qos);
    }
    apply_association(fip, &a);
    nbrec_floating_ip_set_external_ids(fip, &ids);
    smap_destroy(&ids);
    api_set_created(ctx, &fip->header_);
}

static void
fip_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_floating_ip *fip = API_ROW(nbrec_floating_ip, row);
    json_t *obj = api_body_member(ctx, fip_attrs, ARRAY_SIZE(fip_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }

    const struct nbrec_qos_policy *qos;
    bool qos_given;
    if (!api_qos_policy_attr(ctx, obj, &qos, &qos_given)) {
        return;
    }
    const json_t *port_json = json_object_get(obj, "port_id");
    const json_t *fixed_json = json_object_get(obj, "fixed_ip_address");
    bool change = port_json || fixed_json;
    struct association a = { .port = NULL };
    if (port_json && !json_is_null(port_json)) {
        if (!associate(ctx, fip, fip->floating_network,
                       json_string_value(port_json), fixed_json, &a)) {
            return;
        }
    } else if (!port_json && fixed_json && !json_is_null(fixed_json)) {
        if (!fip->port) {
            api_error(ctx, 400, "BadRequest", "Bad floatingip request: "
                      "fixed_ip_address needs a port_id.");
            return;
        }
        char *port_id = api_uuid_str(&fip->port->header_);
        bool ok = associate(ctx, fip, fip->floating_network, port_id,
                            fixed_json, &a);
        free(port_id);
        if (!ok) {
            return;
        }
    }

    api_txn(ctx);
    if (change) {
        apply_association(fip, a.port ? &a : NULL);
    }
    if (qos_given) {
        nbrec_floating_ip_set_qos_policy(fip, qos);
    }
    if (json_object_get(obj, "description")) {
        nbrec_floating_ip_set_description(
            fip, api_json_string(obj, "description", ""));
    }
    struct smap ids;
    smap_clone(&ids, &fip->external_ids);
    api_stamp(&ids, false);
    nbrec_floating_ip_set_external_ids(fip, &ids);
    smap_destroy(&ids);
    ctx->finish = api_finish_row;
}

static void
fip_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_floating_ip *fip = API_ROW(nbrec_floating_ip, row);
    const struct nbrec_port_forwarding *pf, *next;
    api_txn(ctx);
    NBREC_PORT_FORWARDING_FOR_EACH_SAFE (pf, next, ctx->idl) {
        if (pf->floating_ip == fip) {
            nbrec_port_forwarding_delete(pf);  /* As Neutron: with it. */
        }
    }
    if (fip->floating_port) {
        nbrec_port_delete(fip->floating_port);
    }
    nbrec_floating_ip_delete(fip);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_floatingips = {
    .collection = "floatingips",
    .plural = "floatingips",
    .member = "floatingip",
    .table = &nbrec_table_floating_ip,
    .render = fip_render,
    .create = fip_create,
    .update = fip_update,
    .delete = fip_delete,
};

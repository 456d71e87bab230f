/*
 * api/portforwarding: the Neutron "port_forwardings" sub-resource of a
 * floating IP (/v2.0/floatingips/{id}/port_forwardings), extension
 * "floating-ip-port-forwarding", on the NB Port_Forwarding table.
 *
 * A forwarding maps the floating IP's external port, for TCP or UDP, to
 * an internal address and port of a port.  As in Neutron: a floating IP
 * associated with a port has no forwardings and the reverse (409), a port
 * with a floating IP of its own gets none (409), the internal address must
 * be an IPv4 address of the port on a subnet whose router reaches the
 * floating IP's network (400; the first forwarding sets the floating IP's
 * router, the others must use it), and two forwardings of one floating IP
 * and protocol may not share an external port, nor an internal address
 * and port (400).  Port ranges (extension
 * "floating-ip-port-forwarding-port-ranges"): external_port_range and
 * internal_port_range "N:M" (or "N"), internal a range of the external's
 * length or a single port, as Neutron; two forwardings of one floating IP
 * and protocol may not overlap in their external ranges, nor in their
 * internal ranges of one address (400); a range is at most PF_MAX_RANGE
 * (256) ports long, dvrflow's bound (dvr/pf.h), and longer ones are
 * refused (400).  A range given overrides the single port of its side; a
 * single port given alone makes that side one port.  Every write also
 * re-stamps the floating IP with a verify of its external_ids, so that two
 * concurrent writes to one floating IP's forwardings cannot both pass the
 * checks (the second is retried).
 */

#include <config.h>

#include "api/json-compat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "api/core.h"
#include "dvr/pf.h"

VLOG_DEFINE_THIS_MODULE(api_portforwarding);

static const char *const pf_protocols[] = { "tcp", "udp", NULL };

/* Parses a port range as Neutron's validator accepts it: an integer, or a
 * string "N" or "N:M" with 1 <= N <= M <= 65535.  Returns NULL and sets
 * '*lo' and '*hi', or the reason it is invalid. */
static char *
pf_parse_range(const json_t *v, int64_t *lo, int64_t *hi)
{
    if (json_is_integer(v)) {
        *lo = *hi = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        const char *colon = strchr(s, ':');
        char *end;

        if (!*s || colon == s || (colon && !colon[1])
            || (colon && strchr(colon + 1, ':'))) {
            return xstrdup("Port range must be two integers separated by "
                           "a colon");
        }
        for (const char *p = s; *p; p++) {
            if (*p != ':' && (*p < '0' || *p > '9')) {
                return xasprintf("Invalid port: %s", s);
            }
        }
        errno = 0;
        *lo = strtoll(s, &end, 10);
        *hi = colon ? strtoll(colon + 1, &end, 10) : *lo;
        if (errno) {
            return xasprintf("Invalid port: %s", s);
        }
    } else {
        return xstrdup("Port range must be two integers separated by a "
                       "colon");
    }
    if (*lo < 1 || *lo > 65535 || *hi < 1 || *hi > 65535) {
        return xasprintf("Invalid port: %"PRId64", the port must be in the "
                         "range [1, 65535]", *lo < 1 || *lo > 65535
                         ? *lo : *hi);
    }
    if (*lo > *hi) {
        return xstrdup("First port in a port range must be lower than the "
                       "second port");
    }
    return NULL;
}

static char *
pf_check_range(const json_t *v)
{
    int64_t lo, hi;
    return pf_parse_range(v, &lo, &hi);
}

static const struct attr_spec pf_attrs[] = {
    { "protocol", ATTR_ENUM, ATTR_POST | ATTR_PUT | ATTR_REQUIRED, 0, 0,
      pf_protocols, NULL },
    { "internal_ip_address", ATTR_IP, ATTR_POST | ATTR_PUT | ATTR_REQUIRED,
      0, 0, NULL, NULL },
    { "internal_port", ATTR_INT, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 1,
      65535, NULL, NULL },
    { "external_port", ATTR_INT, ATTR_POST | ATTR_PUT | ATTR_NULLABLE, 1,
      65535, NULL, NULL },
    { "internal_port_range", ATTR_ANY, ATTR_POST | ATTR_PUT | ATTR_NULLABLE,
      0, 0, NULL, pf_check_range },
    { "external_port_range", ATTR_ANY, ATTR_POST | ATTR_PUT | ATTR_NULLABLE,
      0, 0, NULL, pf_check_range },
    { "internal_port_id", ATTR_UUID, ATTR_POST | ATTR_PUT | ATTR_REQUIRED, 0,
      0, NULL, NULL },
    { "description", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 255, NULL, NULL },
    { "project_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
    { "tenant_id", ATTR_STRING, ATTR_POST, 0, 255, NULL, NULL },
};

static json_t *
pf_render(struct api_ctx *ctx OVS_UNUSED, const struct ovsdb_idl_row *row_)
{
    const struct nbrec_port_forwarding *pf
        = API_ROW(nbrec_port_forwarding, row_);
    json_t *obj = json_object();

    api_set_uuid(obj, "id", &pf->header_);
    json_object_set_new(obj, "protocol", json_string(pf->protocol));
    json_object_set_new(obj, "internal_ip_address",
                        json_string(pf->internal_ip_address));
    int64_t int_end = (pf->n_internal_port_end ? pf->internal_port_end[0]
                       : pf->internal_port);
    int64_t ext_end = (pf->n_external_port_end ? pf->external_port_end[0]
                       : pf->external_port);
    json_object_set_new(obj, "internal_port",
                        int_end == pf->internal_port
                        ? json_integer(pf->internal_port) : json_null());
    json_object_set_new(obj, "external_port",
                        ext_end == pf->external_port
                        ? json_integer(pf->external_port) : json_null());
    char *range = xasprintf("%"PRId64":%"PRId64, pf->internal_port,
                            int_end);
    json_object_set_new(obj, "internal_port_range", json_string(range));
    free(range);
    range = xasprintf("%"PRId64":%"PRId64, pf->external_port, ext_end);
    json_object_set_new(obj, "external_port_range", json_string(range));
    free(range);
    api_set_uuid(obj, "internal_port_id",
                 pf->port ? &pf->port->header_ : NULL);
    json_object_set_new(obj, "description", json_string(pf->description));
    return obj;
}

bool
api_pf_in_parent(const struct ovsdb_idl_row *row,
                 const struct ovsdb_idl_row *parent)
{
    const struct nbrec_port_forwarding *pf
        = API_ROW(nbrec_port_forwarding, row);
    return parent && pf->floating_ip
           && &pf->floating_ip->header_ == parent;
}

json_t *
api_fip_port_forwardings_json(struct api_ctx *ctx,
                              const struct nbrec_floating_ip *fip)
{
    const struct nbrec_port_forwarding *pf;
    json_t *list = json_array();

    NBREC_PORT_FORWARDING_FOR_EACH (pf, ctx->idl) {
        if (pf->floating_ip == fip) {
            json_t *obj = pf_render(ctx, &pf->header_);
            json_object_del(obj, "id");
            json_object_del(obj, "internal_port_id");
            json_object_del(obj, "description");
            json_array_append_new(list, obj);
        }
    }
    return list;
}

/* Whether floating IP 'fip' has a port forwarding other than 'except'. */
static bool
has_forwardings(struct api_ctx *ctx, const struct nbrec_floating_ip *fip,
                const struct nbrec_port_forwarding *except)
{
    const struct nbrec_port_forwarding *pf;

    NBREC_PORT_FORWARDING_FOR_EACH (pf, ctx->idl) {
        if (pf->floating_ip == fip && pf != except) {
            return true;
        }
    }
    return false;
}

bool
api_fip_has_port_forwardings(struct api_ctx *ctx,
                             const struct nbrec_floating_ip *fip)
{
    return has_forwardings(ctx, fip, NULL);
}

/* A forwarding's values, from the row being updated (if any) overridden
 * by the request. */
struct pf_values {
    const char *protocol;
    char internal_ip[IPAM_ADDR_STRLEN];
    int64_t internal_port, internal_port_end;
    int64_t external_port, external_port_end;
    const struct nbrec_port *port;
    const struct nbrec_router *router;
};

static bool
pf_bad_request(struct api_ctx *ctx, const char *message)
{
    return api_error(ctx, 400, "BadRequest", "Bad port_forwarding request: "
                     "%s.", message);
}

/* Checks 'v' for floating IP 'fip', 'self' the row updated (or NULL).
 * Fills in v->router.  Returns false after answering an error. */
static bool
pf_check(struct api_ctx *ctx, const struct nbrec_floating_ip *fip,
         const struct nbrec_port_forwarding *self, const char *port_id,
         struct pf_values *v)
{
    if (!v->external_port || !v->internal_port) {
        return api_error(ctx, 400, "HTTPBadRequest", "Invalid input for "
                         "operation: %s or its range is required.",
                         v->external_port ? "internal_port"
                                          : "external_port");
    }
    if (v->internal_port_end > v->internal_port
        && (v->internal_port_end - v->internal_port
            != v->external_port_end - v->external_port)) {
        return pf_bad_request(ctx, "Invalid ranges of internal and/or "
                              "external ports. The relation between "
                              "internal and external ports must be N-N or "
                              "1-N");
    }
    if (v->external_port_end - v->external_port >= PF_MAX_RANGE) {
        char *msg = xasprintf("external_port_range %"PRId64":%"PRId64" is "
                              "longer than %d ports, this cloud's limit",
                              v->external_port, v->external_port_end,
                              PF_MAX_RANGE);
        pf_bad_request(ctx, msg);
        free(msg);
        return false;
    }
    if (fip->port) {
        return api_conflict(ctx, "FloatingIPPortAlreadyAssociated",
                            "Cannot create port forwarding to floating IP "
                            "%s: it is associated with port "UUID_FMT".",
                            fip->floating_ip_address,
                            UUID_ARGS(&fip->port->header_.uuid));
    }
    if (!v->port) {
        return api_not_found(ctx, "Port", port_id);
    }
    if (!ctx->is_admin
        && (!v->port->project_id || strcmp(v->port->project_id,
                                           ctx->project))) {
        return api_not_found(ctx, "Port", port_id);
    }

    const struct nbrec_floating_ip *other_fip;
    NBREC_FLOATING_IP_FOR_EACH (other_fip, ctx->idl) {
        if (other_fip->port == v->port) {
            return api_conflict(ctx, "PortHasBindingFloatingIP",
                                "Cannot create port forwarding to floating "
                                "IP %s with port %s: the port has floating "
                                "IP %s already.", fip->floating_ip_address,
                                port_id, other_fip->floating_ip_address);
        }
    }

    struct ipam_addr want;
    const struct nbrec_subnet *subnet = NULL;
    if (ipam_parse_addr(v->internal_ip, &want)) {
        for (size_t i = 0; i < v->port->n_fixed_ips && !subnet; i++) {
            const struct nbrec_fixed_ip *fixed = v->port->fixed_ips[i];
            struct ipam_addr have;
            if (fixed->subnet && fixed->subnet->ip_version == 4
                && ipam_parse_addr(fixed->ip_address, &have)
                && ipam_addr_equals(&have, &want)) {
                subnet = fixed->subnet;
            }
        }
    }
    if (!subnet) {
        char *msg = xasprintf("Requested internal IP address %s is not an "
                              "IPv4 address of internal neutron port %s",
                              v->internal_ip, port_id);
        pf_bad_request(ctx, msg);
        free(msg);
        return false;
    }
    v->router = api_fip_find_router(ctx, subnet, fip->floating_network);
    if (!v->router) {
        char *msg = xasprintf("External network "UUID_FMT" is not reachable "
                              "from subnet "UUID_FMT,
                              UUID_ARGS(&fip->floating_network
                                        ->header_.uuid),
                              UUID_ARGS(&subnet->header_.uuid));
        pf_bad_request(ctx, msg);
        free(msg);
        return false;
    }
    if (fip->router && fip->router != v->router
        && has_forwardings(ctx, fip, self)) {
        char *msg = xasprintf("The Floating IP %s had been set on router "
                              UUID_FMT", the internal Neutron port %s can "
                              "not reach it", fip->floating_ip_address,
                              UUID_ARGS(&fip->router->header_.uuid),
                              port_id);
        pf_bad_request(ctx, msg);
        free(msg);
        return false;
    }

    const struct nbrec_port_forwarding *other;
    NBREC_PORT_FORWARDING_FOR_EACH (other, ctx->idl) {
        if (other == self || other->floating_ip != fip
            || strcmp(other->protocol, v->protocol)) {
            continue;
        }
        int64_t o_ext_end = (other->n_external_port_end
                             ? other->external_port_end[0]
                             : other->external_port);
        int64_t o_int_end = (other->n_internal_port_end
                             ? other->internal_port_end[0]
                             : other->internal_port);
        if ((v->external_port_end > v->external_port
             || o_ext_end > other->external_port)
            && other->external_port <= v->external_port_end
            && v->external_port <= o_ext_end) {
            char *msg = xasprintf(
                "There is a port collision with the external_port_range. "
                "The following ranges collides: %"PRId64":%"PRId64" and "
                "%"PRId64":%"PRId64, other->external_port, o_ext_end,
                v->external_port, v->external_port_end);
            pf_bad_request(ctx, msg);
            free(msg);
            return false;
        }
        if ((v->internal_port_end > v->internal_port
             || o_int_end > other->internal_port)
            && !strcmp(other->internal_ip_address, v->internal_ip)
            && other->internal_port <= v->internal_port_end
            && v->internal_port <= o_int_end) {
            char *msg = xasprintf(
                "There is a port collision with the internal_port_range. "
                "The following ranges collides: %"PRId64":%"PRId64" and "
                "%"PRId64":%"PRId64, other->internal_port, o_int_end,
                v->internal_port, v->internal_port_end);
            pf_bad_request(ctx, msg);
            free(msg);
            return false;
        }
        if (other->external_port == v->external_port
            || (other->internal_port == v->internal_port
                && !strcmp(other->internal_ip_address, v->internal_ip))) {
            char *msg = xasprintf(
                "A duplicate port forwarding entry with same attributes "
                "already exists, conflicting values are "
                "{'floatingip_id': '"UUID_FMT"', 'external_port': %"PRId64
                ", 'internal_ip_address': '%s', 'internal_port': %"PRId64
                ", 'protocol': '%s'}", UUID_ARGS(&fip->header_.uuid),
                other->external_port, other->internal_ip_address,
                other->internal_port, other->protocol);
            pf_bad_request(ctx, msg);
            free(msg);
            return false;
        }
    }
    return true;
}

/* Reads the request's values over 'v'.  Returns the port's id string. */
static const char *
pf_read(const json_t *obj, struct pf_values *v, const char *port_id)
{
    if (json_object_get(obj, "protocol")) {
        v->protocol = api_json_string(obj, "protocol", "tcp");
    }
    if (json_object_get(obj, "internal_ip_address")) {
        ovs_strlcpy(v->internal_ip,
                    api_json_string(obj, "internal_ip_address", ""),
                    sizeof v->internal_ip);
    }
    int64_t n, lo, hi;
    if (validate_get_int(json_object_get(obj, "internal_port"), &n)) {
        v->internal_port = v->internal_port_end = n;
    }
    if (validate_get_int(json_object_get(obj, "external_port"), &n)) {
        v->external_port = v->external_port_end = n;
    }
    const json_t *range = json_object_get(obj, "internal_port_range");
    if (range && !json_is_null(range)) {
        char *error = pf_parse_range(range, &lo, &hi);
        ovs_assert(!error);     /* validate_body() checked it. */
        v->internal_port = lo;
        v->internal_port_end = hi;
    }
    range = json_object_get(obj, "external_port_range");
    if (range && !json_is_null(range)) {
        char *error = pf_parse_range(range, &lo, &hi);
        ovs_assert(!error);
        v->external_port = lo;
        v->external_port_end = hi;
    }
    return api_json_string(obj, "internal_port_id", port_id);
}

/* Writes the floating IP's side of a change: its router (none once its
 * last forwarding goes, as Neutron), and a re-stamp that serialises
 * writers (see the header comment). */
static void
pf_touch_fip(const struct nbrec_floating_ip *fip,
             const struct nbrec_router *router)
{
    if (fip->router != router) {
        nbrec_floating_ip_set_router(fip, router);
    }
    nbrec_floating_ip_verify_external_ids(fip);
    struct smap ids;
    smap_clone(&ids, &fip->external_ids);
    api_stamp(&ids, false);
    nbrec_floating_ip_set_external_ids(fip, &ids);
    smap_destroy(&ids);
}

static void
pf_write(const struct nbrec_port_forwarding *pf, const struct pf_values *v)
{
    nbrec_port_forwarding_set_protocol(pf, v->protocol);
    nbrec_port_forwarding_set_internal_ip_address(pf, v->internal_ip);
    nbrec_port_forwarding_set_internal_port(pf, v->internal_port);
    nbrec_port_forwarding_set_external_port(pf, v->external_port);
    nbrec_port_forwarding_set_internal_port_end(
        pf, &v->internal_port_end,
        v->internal_port_end != v->internal_port);
    nbrec_port_forwarding_set_external_port_end(
        pf, &v->external_port_end,
        v->external_port_end != v->external_port);
    nbrec_port_forwarding_set_port(pf, v->port);
}

static void
pf_create(struct api_ctx *ctx)
{
    const struct nbrec_floating_ip *fip
        = API_ROW(nbrec_floating_ip, ctx->parent);
    const char *project;
    json_t *obj = api_create_body(ctx, pf_attrs, ARRAY_SIZE(pf_attrs),
                                  &project);
    if (!obj) {
        return;
    }

    struct pf_values v = { .protocol = "tcp" };
    const char *port_id = pf_read(obj, &v, "");
    v.port = api_get_port(ctx, port_id);
    if (!pf_check(ctx, fip, NULL, port_id, &v)) {
        return;
    }

    api_txn(ctx);
    struct nbrec_port_forwarding *pf
        = nbrec_port_forwarding_insert_persist_uuid(ctx->txn,
                                                    &ctx->create_uuid);
    nbrec_port_forwarding_set_floating_ip(pf, fip);
    pf_write(pf, &v);
    nbrec_port_forwarding_set_description(
        pf, api_json_string(obj, "description", ""));
    struct smap ids = SMAP_INITIALIZER(&ids);
    api_stamp(&ids, true);
    nbrec_port_forwarding_set_external_ids(pf, &ids);
    smap_destroy(&ids);
    pf_touch_fip(fip, v.router);
    api_set_created(ctx, &pf->header_);
}

static void
pf_update(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_port_forwarding *pf
        = API_ROW(nbrec_port_forwarding, row);
    const struct nbrec_floating_ip *fip
        = API_ROW(nbrec_floating_ip, ctx->parent);
    json_t *obj = api_body_member(ctx, pf_attrs, ARRAY_SIZE(pf_attrs),
                                  VALIDATE_UPDATE);
    if (!obj) {
        return;
    }

    struct pf_values v = {
        .protocol = pf->protocol,
        .internal_port = pf->internal_port,
        .internal_port_end = (pf->n_internal_port_end
                              ? pf->internal_port_end[0]
                              : pf->internal_port),
        .external_port = pf->external_port,
        .external_port_end = (pf->n_external_port_end
                              ? pf->external_port_end[0]
                              : pf->external_port),
    };
    ovs_strlcpy(v.internal_ip, pf->internal_ip_address,
                sizeof v.internal_ip);
    char *old_port_id = pf->port ? api_uuid_str(&pf->port->header_)
                                 : xstrdup("");
    const char *port_id = pf_read(obj, &v, old_port_id);
    v.port = api_get_port(ctx, port_id);
    bool ok = pf_check(ctx, fip, pf, port_id, &v);
    free(old_port_id);
    if (!ok) {
        return;
    }

    api_txn(ctx);
    pf_write(pf, &v);
    if (json_object_get(obj, "description")) {
        nbrec_port_forwarding_set_description(
            pf, api_json_string(obj, "description", ""));
    }
    struct smap ids;
    smap_clone(&ids, &pf->external_ids);
    api_stamp(&ids, false);
    nbrec_port_forwarding_set_external_ids(pf, &ids);
    smap_destroy(&ids);
    pf_touch_fip(fip, v.router);
    ctx->finish = api_finish_row;
}

static void
pf_delete(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    const struct nbrec_port_forwarding *pf
        = API_ROW(nbrec_port_forwarding, row);
    const struct nbrec_floating_ip *fip
        = API_ROW(nbrec_floating_ip, ctx->parent);

    api_txn(ctx);
    nbrec_port_forwarding_delete(pf);
    pf_touch_fip(fip, has_forwardings(ctx, fip, pf) ? fip->router : NULL);
    ctx->finish = api_finish_no_content;
}

const struct api_resource api_port_forwardings = {
    .collection = "port_forwardings",
    .plural = "port_forwardings",
    .member = "port_forwarding",
    .table = &nbrec_table_port_forwarding,
    .parent = &api_floatingips,
    .in_parent = api_pf_in_parent,
    .render = pf_render,
    .create = pf_create,
    .update = pf_update,
    .delete = pf_delete,
};

/*
 * api/server: dvr-api's HTTP server, request routing and transaction
 * life cycle.  See server.h and core.h.
 */

#include <config.h>

#include "api/json-compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "api/auth.h"
#include "api/core.h"
#include "api/exporter.h"
#include "metrics/evpoll.h"
#include "api/policy.h"
#include "api/query.h"
#include "api/server.h"
#include "ovsdb/nb-session.h"
#include "api/tls.h"

VLOG_DEFINE_THIS_MODULE(api_server);

/* How long a request may wait for the database, in ms. */
#define API_DEADLINE_MS 30000

/* Limits on what a client may send. */
#define API_MAX_BODY (1024 * 1024)
#define API_MAX_HEADERS (64 * 1024)
#define API_MAX_PARAMS 256
#define API_MAX_TOKEN 8192

struct api_server {
    struct ovsdb_idl *idl;
    struct nb_session nb;       /* Fast failover to a new NB leader. */
    struct api_config config;

    struct event_base *base;
    struct evhttp *http;
    struct api_auth *auth;      /* NULL: every client is admin. */
    struct api_exporter *exporter; /* Metrics (--metrics). */

    struct ovs_list authenticating; /* Requests whose token Keystone
                                     * validates. */
    struct ovs_list waiting;    /* Requests to (re)process. */
    struct ovs_list committing; /* Requests with a transaction in flight. */
    struct sset reserved;       /* Keys reserved by the in-flight ones. */
    struct api_indexes indexes;

    /* Statistics for "dvr-api/status". */
    unsigned long long int n_requests;
    unsigned long long int n_commits;
    unsigned long long int n_retries;
    unsigned long long int n_errors_4xx;
    unsigned long long int n_errors_5xx;
    unsigned long long int n_unauthorized;
    unsigned long long int n_forbidden;
};

static const struct api_resource *const resources[] = {
    &api_networks, &api_subnets, &api_ports, &api_routers,
    &api_floatingips, &api_security_groups, &api_security_group_rules,
    &api_qos_policies, &api_trunks,
};

/* Sub-resources, found under their parent's path. */
static const struct api_resource *const sub_resources[] = {
    &api_port_forwardings, &api_qos_bandwidth_limit_rules,
    &api_qos_dscp_marking_rules,
};

static void process(struct api_ctx *);
static void api_http_request(struct evhttp_request *, void *);

struct sset *
api_server_reserved(struct api_server *server)
{
    return &server->reserved;
}

struct api_indexes *
api_get_indexes(const struct api_ctx *ctx)
{
    return &ctx->server->indexes;
}

const struct api_config *
api_get_config(const struct api_ctx *ctx)
{
    return &ctx->server->config;
}

struct api_server *
api_server_create(const char *nb_remote, const struct api_config *config)
{
    struct api_server *server = xzalloc(sizeof *server);
    server->idl = ovsdb_idl_create(nb_remote, &nbrec_idl_class, true, true);
    nb_session_init(&server->nb, server->idl);
    nb_session_set_remote(&server->nb, nb_remote);
    server->config = *config;
    server->indexes.fixed_ip_by_address = ovsdb_idl_index_create2(
        server->idl, &nbrec_fixed_ip_col_subnet,
        &nbrec_fixed_ip_col_ip_address);
    server->indexes.port_by_mac = ovsdb_idl_index_create1(
        server->idl, &nbrec_port_col_mac_address);
    server->indexes.binding_by_port = ovsdb_idl_index_create1(
        server->idl, &nbrec_port_binding_col_port);
    smap_init(&server->indexes.alloc_hints);
    ovs_list_init(&server->authenticating);
    ovs_list_init(&server->waiting);
    ovs_list_init(&server->committing);
    sset_init(&server->reserved);
    server->exporter = api_exporter_create();

    server->base = event_base_new();
    if (!server->base) {
        ovs_fatal(0, "cannot create a libevent event base");
    }
    server->http = evhttp_new(server->base);
    if (!server->http) {
        ovs_fatal(0, "cannot create the HTTP server");
    }
    evhttp_set_max_body_size(server->http, API_MAX_BODY);
    evhttp_set_max_headers_size(server->http, API_MAX_HEADERS);
    /* Accept every method libevent knows, so that we answer 405 to the
     * ones we do not support (libevent itself would answer 501). */
    evhttp_set_allowed_methods(server->http,
                               EVHTTP_REQ_GET | EVHTTP_REQ_POST
                               | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT
                               | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS
                               | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT
                               | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(server->http, 120);

    if (config->tls_certificate) {
        char *error = api_tls_enable(server->http, config->tls_certificate,
                                     config->tls_private_key);
        if (error) {
            ovs_fatal(0, "%s", error);
        }
    }
    if (config->auth_config) {
        char *error;
        server->auth = api_auth_create(config->auth_config, server->base,
                                       &error);
        if (!server->auth) {
            ovs_fatal(0, "%s", error);
        }
    } else {
        VLOG_WARN("--auth=none: no authentication, every client is admin "
                  "of every project and acts for the project it names in "
                  "X-Project-Id; use it only in a test bed");
    }
    return server;
}

/* Parses "ADDR:PORT", "[ADDR6]:PORT" or "PORT" and listens there. */
int
api_server_listen(struct api_server *server, const char *address,
                  char **error)
{
    char *copy = xstrdup(address);
    char *host, *port_s;

    if (copy[0] == '[') {
        char *end = strchr(copy, ']');
        if (!end || end[1] != ':') {
            *error = xasprintf("%s: bad listen address (use [ADDR]:PORT)",
                               address);
            free(copy);
            return EINVAL;
        }
        *end = '\0';
        host = copy + 1;
        port_s = end + 2;
    } else {
        char *colon = strrchr(copy, ':');
        if (colon) {
            *colon = '\0';
            host = copy;
            port_s = colon + 1;
        } else {
            host = "127.0.0.1";
            port_s = copy;
        }
    }

    char *end;
    long port = strtol(port_s, &end, 10);
    if (!*port_s || *end || port < 0 || port > 65535) {
        *error = xasprintf("%s: bad port number", address);
        free(copy);
        return EINVAL;
    }

    struct evhttp_bound_socket *bound
        = evhttp_bind_socket_with_handle(server->http, host, port);
    if (!bound) {
        int err = errno ? errno : EADDRNOTAVAIL;
        *error = xasprintf("%s: cannot listen (%s)", address,
                           ovs_strerror(err));
        free(copy);
        return err;
    }
    evhttp_set_gencb(server->http, api_http_request, server);
    VLOG_INFO("listening on %s", address);
    free(copy);
    *error = NULL;
    return 0;
}

static void
exporter_state(struct api_exporter_state *st, void *server_)
{
    const struct api_server *server = server_;

    st->nb_connected = ovsdb_idl_is_connected(server->idl);
    st->in_flight = ovs_list_size(&server->committing);
    st->waiting = ovs_list_size(&server->waiting);
    st->authenticating = ovs_list_size(&server->authenticating);
}

int
api_server_listen_metrics(struct api_server *server, const char *address,
                          char **error)
{
    int retval = api_exporter_listen(server->exporter, server->base,
                                     address, exporter_state, server, error);
    if (!retval) {
        VLOG_INFO("metrics on http://%s/metrics", address);
    }
    return retval;
}

static const char *
http_method_name(const struct evhttp_request *req)
{
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS:
    case EVHTTP_REQ_TRACE:
    case EVHTTP_REQ_CONNECT:
    case EVHTTP_REQ_PATCH:
    default: return "other";
    }
}

/* Answers and frees 'ctx'. */
static void
respond(struct api_ctx *ctx)
{
    struct api_server *server = ctx->server;
    int status = ctx->status ? ctx->status : 500;

    if (status >= 500) {
        server->n_errors_5xx++;
    } else if (status >= 400) {
        server->n_errors_4xx++;
        server->n_unauthorized += status == 401;
        server->n_forbidden += status == 403;
    }

    /* What a non-admin may not see goes, whichever handler rendered it. */
    if (ctx->res && ctx->reply && status < 300) {
        json_t *obj = json_object_get(ctx->reply, ctx->res->member);
        json_t *list = json_object_get(ctx->reply, ctx->res->plural);
        size_t i;
        json_t *item;
        api_policy_filter(ctx, ctx->res, obj);
        json_array_foreach (list, i, item) {
            api_policy_filter(ctx, ctx->res, item);
        }
    }

    if (status >= 500 && ctx->reply) {
        char *s = json_dumps(ctx->reply, JSON_COMPACT);
        VLOG_WARN("%s: answered %d: %s", ctx->path, status, s ? s : "");
        free(s);
    }

    if (ctx->req) {
        struct evkeyvalq *headers
            = evhttp_request_get_output_headers(ctx->req);
        struct uuid req_id = uuid_random();
        char req_id_s[UUID_LEN + 5];
        snprintf(req_id_s, sizeof req_id_s, "req-"UUID_FMT,
                 UUID_ARGS(&req_id));
        evhttp_add_header(headers, "X-Openstack-Request-Id", req_id_s);

        struct evbuffer *buf = evbuffer_new();
        if (ctx->reply && status != 204) {
            char *s = json_dumps(ctx->reply, JSON_COMPACT);
            if (s) {
                evhttp_add_header(headers, "Content-Type",
                                  "application/json");
                evbuffer_add(buf, s, strlen(s));
                free(s);
            }
        }
        const char *reason = (status == 200 ? "OK"
                              : status == 201 ? "Created"
                              : status == 204 ? "No Content"
                              : status == 400 ? "Bad Request"
                              : status == 401 ? "Unauthorized"
                              : status == 403 ? "Forbidden"
                              : status == 404 ? "Not Found"
                              : status == 405 ? "Method Not Allowed"
                              : status == 409 ? "Conflict"
                              : status == 503 ? "Service Unavailable"
                              : "Internal Server Error");
        api_exporter_request(server->exporter, http_method_name(ctx->req),
                             ctx->res ? ctx->res->plural : NULL, status,
                             time_usec() - ctx->started_usec);
        evhttp_send_reply(ctx->req, status, reason, buf);
        evbuffer_free(buf);
    }

    if (ctx->txn) {
        ovsdb_idl_txn_destroy(ctx->txn);
    }
    const char *key;
    SSET_FOR_EACH (key, &ctx->reserved) {
        sset_find_and_delete(&server->reserved, key);
    }
    sset_destroy(&ctx->reserved);
    for (size_t i = 0; i < ctx->n_params; i++) {
        free(ctx->params[i].name);
        free(ctx->params[i].value);
    }
    free(ctx->params);
    json_decref(ctx->body);
    json_decref(ctx->reply);
    json_decref(ctx->finish_data);
    free(ctx->path);
    free(ctx->project);
    free(ctx->id);
    free(ctx->action);
    free(ctx->parent_id);
    free(ctx);
}

static void
reply_json(struct api_ctx *ctx, int status, json_t *reply)
{
    json_decref(ctx->reply);
    ctx->reply = reply;
    ctx->status = status;
}

static json_t *
versions_json(const char *host)
{
    char *href = xasprintf("http://%s/v2.0/", host ? host : "127.0.0.1");
    json_t *v = json_pack("{s:[{s:s, s:s, s:[{s:s, s:s}]}]}", "versions",
                          "id", "v2.0", "status", "CURRENT", "links",
                          "href", href, "rel", "self");
    free(href);
    return v;
}

static json_t *
resources_json(const char *host)
{
    json_t *list = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
        char *href = xasprintf("http://%s/v2.0/%s",
                               host ? host : "127.0.0.1",
                               resources[i]->collection);
        json_array_append_new(list, json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
                                              "name", resources[i]->member,
                                              "collection",
                                              resources[i]->collection,
                                              "links", "href", href,
                                              "rel", "self"));
        free(href);
    }
    return json_pack("{s:o}", "resources", list);
}

static bool
method_not_allowed(struct api_ctx *ctx)
{
    return api_error(ctx, 405, "HTTPMethodNotAllowed",
                     "The method is not allowed for this resource.");
}

static void
list_rows(struct api_ctx *ctx)
{
    const struct api_resource *res = ctx->res;
    struct api_query query;
    char *error = api_query_parse(&query, ctx->params, ctx->n_params);
    if (error) {
        api_bad_request(ctx, error);
        return;
    }

    size_t n = 0, allocated = 0;
    const struct ovsdb_idl_row **rows = NULL;
    const struct ovsdb_idl_row *row;
    for (row = ovsdb_idl_first_row(ctx->idl, res->table); row;
         row = ovsdb_idl_next_row(row)) {
        if (!api_policy_visible(ctx, res, row)
            || (res->in_parent && !res->in_parent(row, ctx->parent))) {
            continue;
        }
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = row;
    }
    api_query_sort_rows(rows, n);

    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *obj = res->render(ctx, rows[i]);
        if (api_query_match(&query, obj)) {
            json_array_append_new(list, api_query_select(&query, obj));
        } else {
            json_decref(obj);
        }
    }
    free(rows);
    api_query_destroy(&query);
    reply_json(ctx, 200, json_pack("{s:o}", res->plural, list));
}

static void
show_row(struct api_ctx *ctx, const struct ovsdb_idl_row *row)
{
    struct api_query query;
    char *error = api_query_parse(&query, ctx->params, ctx->n_params);
    if (error) {
        api_bad_request(ctx, error);
        return;
    }
    json_t *obj = api_query_select(&query, ctx->res->render(ctx, row));
    api_query_destroy(&query);
    reply_json(ctx, 200, json_pack("{s:o}", ctx->res->member, obj));
}

/* The name Neutron gives resource 'res' in its NotFound errors. */
const char *
api_resource_name(const struct api_resource *res)
{
    return (res == &api_networks ? "Network"
            : res == &api_subnets ? "Subnet"
            : res == &api_ports ? "Port"
            : res == &api_routers ? "Router"
            : res == &api_floatingips ? "FloatingIP"
            : res == &api_security_groups ? "SecurityGroup"
            : res == &api_port_forwardings ? "PortForwarding"
            : res == &api_trunks ? "Trunk"
            : res == &api_security_group_rules ? "SecurityGroupRule"
            : res == &api_qos_policies ? "QoSPolicy"
            : res == &api_qos_bandwidth_limit_rules
            ? "QoSBandwidthLimitRule"
            : "QoSDscpMarkingRule");
}

/* Calls the handler for 'ctx'.  Afterward either 'ctx->status' is set or
 * 'ctx->txn' holds the transaction to commit. */
static void
dispatch(struct api_ctx *ctx)
{
    const struct api_resource *res = ctx->res;

    if (!res) {
        /* The root, /v2.0 and the extensions are resolved at parse time
         * into a ready reply. */
        return;
    }

    if (res->parent) {
        const struct ovsdb_idl_row *parent = NULL;
        struct uuid uuid;
        if (validate_is_uuid(ctx->parent_id)
            && uuid_from_string(&uuid, ctx->parent_id)) {
            parent = ovsdb_idl_get_row_for_uuid(ctx->idl, res->parent->table,
                                                &uuid);
        }
        if (!parent || !api_policy_visible(ctx, res->parent, parent)) {
            api_not_found(ctx, api_resource_name(res->parent),
                          ctx->parent_id);
            return;
        }
        ctx->parent = parent;
    }

    const struct ovsdb_idl_row *row = NULL;
    if (ctx->id) {
        struct uuid uuid;
        if (validate_is_uuid(ctx->id) && uuid_from_string(&uuid, ctx->id)) {
            row = ovsdb_idl_get_row_for_uuid(ctx->idl, res->table, &uuid);
        }
        if (row && res->in_parent && !res->in_parent(row, ctx->parent)) {
            row = NULL;
        }
        if (!row) {
            api_not_found(ctx, api_resource_name(res), ctx->id);
            return;
        }
        ctx->target = row->uuid;
    }

    /* The project scope and the policy: what the caller may not see does
     * not exist (404); what it may not do is 403. */
    if (!api_policy_check(ctx, row)) {
        return;
    }

    if (ctx->action) {
        if (!res->action
            || (ctx->method != API_PUT
                && (ctx->method != API_GET || !res->get_actions))) {
            method_not_allowed(ctx);
        } else {
            res->action(ctx, row, ctx->action);
        }
    } else if (!row) {
        if (ctx->method == API_GET) {
            list_rows(ctx);
        } else if (ctx->method == API_POST && res->create) {
            res->create(ctx);
        } else {
            method_not_allowed(ctx);
        }
    } else {
        if (ctx->method == API_GET) {
            show_row(ctx, row);
        } else if (ctx->method == API_PUT && res->update) {
            res->update(ctx, row);
        } else if (ctx->method == API_DELETE && res->delete) {
            res->delete(ctx, row);
        } else {
            method_not_allowed(ctx);
        }
    }

    if (!ctx->status && !ctx->txn) {
        api_error(ctx, 500, "InternalError", "The handler did nothing.");
    }
}

/* Splits and routes the path of 'ctx'.  Returns false if it set a reply
 * (root documents, extensions, errors). */
static bool
route(struct api_ctx *ctx, const char *host)
{
    char *path = xstrdup(ctx->path);
    char *segs[8];
    size_t n = 0;
    char *save = NULL;
    bool ok = false;

    for (char *s = strtok_r(path, "/", &save); s;
         s = strtok_r(NULL, "/", &save)) {
        if (n >= ARRAY_SIZE(segs)) {
            api_error(ctx, 404, "HTTPNotFound",
                      "The resource could not be found.");
            goto out;
        }
        segs[n++] = s;
    }
    /* Older clients append ".json" to the last segment. */
    if (n) {
        size_t len = strlen(segs[n - 1]);
        if (len > 5 && !strcmp(segs[n - 1] + len - 5, ".json")) {
            segs[n - 1][len - 5] = '\0';
        }
    }

    if (n == 0) {
        if (ctx->method != API_GET) {
            method_not_allowed(ctx);
        } else {
            reply_json(ctx, 200, versions_json(host));
        }
        goto out;
    }
    if (strcmp(segs[0], "v2.0")) {
        api_error(ctx, 404, "HTTPNotFound",
                  "The resource could not be found.");
        goto out;
    }
    if (n == 1) {
        if (ctx->method != API_GET) {
            method_not_allowed(ctx);
        } else {
            reply_json(ctx, 200, resources_json(host));
        }
        goto out;
    }
    if (!strcmp(segs[1], "extensions") && n <= 3) {
        if (ctx->method != API_GET) {
            method_not_allowed(ctx);
        } else if (n == 2) {
            reply_json(ctx, 200, json_pack("{s:o}", "extensions",
                                           api_extensions_json()));
        } else {
            json_t *ext = api_extension_json(segs[2]);
            if (ext) {
                reply_json(ctx, 200, json_pack("{s:o}", "extension", ext));
            } else {
                api_error(ctx, 404, "HTTPNotFound",
                          "Extension with alias %.64s does not exist",
                          segs[2]);
            }
        }
        goto out;
    }

    /* QoS policies are at /v2.0/qos/policies: routed as one name. */
    if (!strcmp(segs[1], "qos") && n >= 3 && !strcmp(segs[2], "policies")) {
        segs[1] = "qos/policies";
        n--;
        memmove(&segs[2], &segs[3], (n - 2) * sizeof *segs);
    }
    for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
        if (!strcmp(segs[1], resources[i]->collection)) {
            ctx->res = resources[i];
        }
    }
    /* A sub-resource: /v2.0/PARENTS/ID/COLLECTION[/SUB_ID] (a floating
     * IP's port forwardings, a QoS policy's rules). */
    for (size_t i = 0; ctx->res && n >= 4 && i < ARRAY_SIZE(sub_resources);
         i++) {
        const struct api_resource *sub = sub_resources[i];
        if (sub->parent == ctx->res && !strcmp(segs[3], sub->collection)) {
            if (n > 5) {
                api_error(ctx, 404, "HTTPNotFound",
                          "The resource could not be found.");
                goto out;
            }
            ctx->res = sub;
            ctx->parent_id = xstrdup(segs[2]);
            if (n == 5) {
                ctx->id = xstrdup(segs[4]);
            }
            ok = true;
            goto out;
        }
    }
    if (!ctx->res || n > 4) {
        api_error(ctx, 404, "HTTPNotFound",
                  "The resource could not be found.");
        goto out;
    }
    if (n >= 3) {
        ctx->id = xstrdup(segs[2]);
    }
    if (n == 4) {
        ctx->action = xstrdup(segs[3]);
    }
    ok = true;

out:
    free(path);
    return ok;
}

/* Parses the request in 'req' into a new api_ctx.  If the request is
 * malformed or needs no database, the returned ctx already has a reply. */
static struct api_ctx *
ctx_create(struct api_server *server, struct evhttp_request *req)
{
    struct api_ctx *ctx = xzalloc(sizeof *ctx);
    ctx->server = server;
    ctx->idl = server->idl;
    ctx->req = req;
    ctx->started = time_msec();
    ctx->started_usec = time_usec();
    ctx->deadline = ctx->started + API_DEADLINE_MS;
    ctx->create_uuid = uuid_random();
    sset_init(&ctx->reserved);

    /* Without Keystone, the client names its project and is admin;
     * with it, both come from the token (api_http_request()). */
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const char *project = evhttp_find_header(in, "X-Project-Id");
    if (server->auth || !project || !*project || strlen(project) > 255) {
        project = server->config.default_project;
    }
    ctx->project = xstrdup(project);
    ctx->is_admin = !server->auth;

    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET:
    case EVHTTP_REQ_HEAD:
        ctx->method = API_GET;
        break;
    case EVHTTP_REQ_POST:
        ctx->method = API_POST;
        break;
    case EVHTTP_REQ_PUT:
        ctx->method = API_PUT;
        break;
    case EVHTTP_REQ_DELETE:
        ctx->method = API_DELETE;
        break;
    case EVHTTP_REQ_OPTIONS:
    case EVHTTP_REQ_TRACE:
    case EVHTTP_REQ_CONNECT:
    case EVHTTP_REQ_PATCH:
    default:
        ctx->path = xstrdup("?");
        method_not_allowed(ctx);
        return ctx;
    }

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!raw_path) {
        ctx->path = xstrdup("?");
        api_error(ctx, 400, "HTTPBadRequest", "Malformed request URI");
        return ctx;
    }
    size_t len;
    char *path = evhttp_uridecode(raw_path, 0, &len);
    if (!path || strlen(path) != len || len > 4096) {
        free(path);
        ctx->path = xstrdup("?");
        api_error(ctx, 400, "HTTPBadRequest", "Malformed request path");
        return ctx;
    }
    ctx->path = path;

    const char *query = evhttp_uri_get_query(uri);
    if (query && *query) {
        struct evkeyvalq params;
        TAILQ_INIT(&params);
        if (evhttp_parse_query_str(query, &params)) {
            evhttp_clear_headers(&params);
            api_error(ctx, 400, "HTTPBadRequest", "Malformed query string");
            return ctx;
        }
        struct evkeyval *kv;
        size_t allocated = 0;
        TAILQ_FOREACH (kv, &params, next) {
            if (ctx->n_params >= API_MAX_PARAMS) {
                break;
            }
            if (ctx->n_params >= allocated) {
                ctx->params = x2nrealloc(ctx->params, &allocated,
                                         sizeof *ctx->params);
            }
            ctx->params[ctx->n_params].name = xstrdup(kv->key);
            ctx->params[ctx->n_params].value = xstrdup(kv->value);
            ctx->n_params++;
        }
        evhttp_clear_headers(&params);
        if (ctx->n_params >= API_MAX_PARAMS) {
            api_error(ctx, 400, "HTTPBadRequest", "Too many query "
                      "parameters");
            return ctx;
        }
    }

    struct evbuffer *body = evhttp_request_get_input_buffer(req);
    size_t body_len = body ? evbuffer_get_length(body) : 0;
    if (body_len) {
        const char *data = (const char *) evbuffer_pullup(body, -1);
        json_error_t jerror;
        ctx->body = json_loadb(data, body_len, JSON_REJECT_DUPLICATES,
                               &jerror);
        if (!ctx->body) {
            api_error(ctx, 400, "HTTPBadRequest",
                      "Malformed JSON in request body: %s", jerror.text);
            return ctx;
        }
    }

    route(ctx, evhttp_find_header(in, "Host"));
    return ctx;
}

/* Runs 'ctx' once its caller is known. */
static void
start(struct api_ctx *ctx)
{
    if (!ovsdb_idl_has_ever_connected(ctx->server->idl)) {
        ovs_list_push_back(&ctx->server->waiting, &ctx->node);
    } else {
        process(ctx);
    }
}

static void
unauthorized(struct api_ctx *ctx)
{
    api_error(ctx, 401, "HTTPUnauthorized", "The request you have made "
              "requires authentication.");
    respond(ctx);
}

/* Keystone's answer for the token of 'ctx_'. */
static void
authenticated(void *ctx_, int status, const struct api_identity *id)
{
    struct api_ctx *ctx = ctx_;

    ovs_list_remove(&ctx->node);
    if (status == 401) {
        unauthorized(ctx);
    } else if (status || !id) {
        api_error(ctx, 503, "ServiceUnavailable", "The identity service "
                  "cannot validate the token now.");
        respond(ctx);
    } else {
        free(ctx->project);
        ctx->project = xstrdup(id->project);
        ctx->is_admin = id->is_admin;
        start(ctx);
    }
}

/* libevent callback for every HTTP request. */
static void
api_http_request(struct evhttp_request *req, void *server_)
{
    struct api_server *server = server_;
    server->n_requests++;

    struct api_ctx *ctx = ctx_create(server, req);
    if (ctx->status) {
        /* Malformed, or a document that needs no database (versions,
         * extensions): public, as in Neutron. */
        respond(ctx);
        return;
    }
    if (!server->auth) {
        start(ctx);
        return;
    }

    const char *token = evhttp_find_header(
        evhttp_request_get_input_headers(req), "X-Auth-Token");
    if (!token || !*token || strlen(token) > API_MAX_TOKEN) {
        unauthorized(ctx);
        return;
    }
    struct api_identity id = { .project = NULL };
    int status = api_auth_validate(server->auth, token, &id, authenticated,
                                   ctx);
    if (!status) {
        free(ctx->project);
        ctx->project = id.project;
        ctx->is_admin = id.is_admin;
        start(ctx);
    } else if (status < 0) {
        ovs_list_push_back(&server->authenticating, &ctx->node);
    } else {
        api_error(ctx, status, "ServiceUnavailable", "The identity service "
                  "is busy.");
        respond(ctx);
    }
}

static void
reset_attempt(struct api_ctx *ctx)
{
    struct api_server *server = ctx->server;
    const char *key;

    if (ctx->txn) {
        ovsdb_idl_txn_destroy(ctx->txn);
        ctx->txn = NULL;
    }
    SSET_FOR_EACH (key, &ctx->reserved) {
        sset_find_and_delete(&server->reserved, key);
    }
    sset_clear(&ctx->reserved);
    json_decref(ctx->reply);
    ctx->reply = NULL;
    json_decref(ctx->finish_data);
    ctx->finish_data = NULL;
    ctx->status = 0;
    ctx->finish = NULL;
    ctx->retry_on_conflict = false;
}

static void
retry(struct api_ctx *ctx, const char *why)
{
    struct api_server *server = ctx->server;
    long long int now = time_msec();

    server->n_retries++;
    VLOG_DBG("%s: retrying (attempt %d): %s", ctx->path, ctx->attempts, why);
    if (ctx->attempts >= 100 || now >= ctx->deadline) {
        reset_attempt(ctx);
        api_error(ctx, 503, "ServiceUnavailable",
                  "The NB database did not accept the change: %s", why);
        respond(ctx);
        return;
    }
    reset_attempt(ctx);
    ctx->retry_seqno = ovsdb_idl_get_seqno(ctx->idl);
    ctx->retry_at = now + (ovsdb_idl_is_connected(ctx->idl)
                           && ctx->attempts < 10 ? 0 : 100);
    ovs_list_push_back(&server->waiting, &ctx->node);
}

static void
complete(struct api_ctx *ctx, enum ovsdb_idl_txn_status status)
{
    const char *error;

    switch (status) {
    case TXN_SUCCESS:
    case TXN_UNCHANGED:
        ctx->server->n_commits++;
        if (ctx->finish) {
            ctx->finish(ctx);
        } else {
            api_finish_no_content(ctx);
        }
        respond(ctx);
        return;

    case TXN_TRY_AGAIN:
    case TXN_NOT_LOCKED:
        retry(ctx, ovsdb_idl_txn_status_to_string(status));
        return;

    case TXN_ERROR:
        error = ovsdb_idl_txn_get_error(ctx->txn);
        if (strstr(error, "constraint violation")) {
            if (ctx->retry_on_conflict) {
                retry(ctx, error);
                return;
            }
            char *copy = xstrdup(error);
            reset_attempt(ctx);
            api_conflict(ctx, "Conflict", "The request conflicts with the "
                         "current state: %s", copy);
            free(copy);
        } else if (strstr(error, "referential integrity violation")) {
            char *copy = xstrdup(error);
            reset_attempt(ctx);
            api_conflict(ctx, "InUse", "The resource is still in use: %s",
                         copy);
            free(copy);
        } else {
            char *copy = xstrdup(error);
            reset_attempt(ctx);
            api_error(ctx, 500, "InternalError",
                      "The NB database refused the change: %s", copy);
            free(copy);
        }
        respond(ctx);
        return;

    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
    case TXN_ABORTED:
    default:
        reset_attempt(ctx);
        api_error(ctx, 500, "InternalError", "Transaction %s",
                  ovsdb_idl_txn_status_to_string(status));
        respond(ctx);
        return;
    }
}

/* Runs the handler for 'ctx' and commits its transaction, if any. */
static void
process(struct api_ctx *ctx)
{
    struct api_server *server = ctx->server;

    ctx->attempts++;
    if (ctx->attempts > 1 && api_replay_create(ctx)) {
        respond(ctx);
        return;
    }
    dispatch(ctx);
    if (ctx->status) {
        /* respond() drops the transaction, if any, unsent. */
        respond(ctx);
        return;
    }

    /* A write does not increment NB_Global.nb_cfg: every controller
     * acknowledges each value, so at a thousand hypervisors each write
     * would cost a thousand transactions, whichever nodes it concerns.
     * "dvrctl sync" increments it when someone needs to know a change is
     * installed everywhere.  The row itself is made by the first write. */
    if (!nbrec_nb_global_first(ctx->idl)) {
        nbrec_nb_global_insert(ctx->txn);
        /* Two first writers both insert the row: the loser retries. */
        ctx->retry_on_conflict = true;
    }

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(ctx->txn);
    if (status == TXN_INCOMPLETE) {
        ovs_list_push_back(&server->committing, &ctx->node);
    } else {
        complete(ctx, status);
    }
}

void
api_server_run(struct api_server *server)
{
    ovsdb_idl_run(server->idl);
    nb_session_run(&server->nb);

    struct api_ctx *ctx;
    LIST_FOR_EACH_SAFE (ctx, node, &server->committing) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(ctx->txn);
        if (status != TXN_INCOMPLETE) {
            ovs_list_remove(&ctx->node);
            complete(ctx, status);
        } else if (time_msec() > ctx->deadline) {
            ovs_list_remove(&ctx->node);
            reset_attempt(ctx);
            api_error(ctx, 503, "ServiceUnavailable",
                      "The NB database did not answer in time; the change "
                      "may or may not have been applied.");
            respond(ctx);
        }
    }

    if (ovsdb_idl_has_ever_connected(server->idl)) {
        long long int now = time_msec();
        unsigned int seqno = ovsdb_idl_get_seqno(server->idl);
        struct ovs_list ready = OVS_LIST_INITIALIZER(&ready);

        LIST_FOR_EACH_SAFE (ctx, node, &server->waiting) {
            if (now >= ctx->retry_at || seqno != ctx->retry_seqno) {
                ovs_list_remove(&ctx->node);
                ovs_list_push_back(&ready, &ctx->node);
            }
        }
        LIST_FOR_EACH_POP (ctx, node, &ready) {
            process(ctx);
        }
    } else {
        LIST_FOR_EACH_SAFE (ctx, node, &server->waiting) {
            if (time_msec() > ctx->deadline) {
                ovs_list_remove(&ctx->node);
                api_error(ctx, 503, "ServiceUnavailable",
                          "The NB database is not available.");
                respond(ctx);
            }
        }
    }

    event_base_loop(server->base, EVLOOP_NONBLOCK);
}

void
api_server_wait(struct api_server *server)
{
    ovsdb_idl_wait(server->idl);
    nb_session_wait(&server->nb);
    if (!ovs_list_is_empty(&server->committing)) {
        poll_timer_wait(1000);
    }
    if (!ovs_list_is_empty(&server->waiting)) {
        if (ovsdb_idl_has_ever_connected(server->idl)) {
            struct api_ctx *ctx;
            LIST_FOR_EACH (ctx, node, &server->waiting) {
                poll_timer_wait_until(ctx->retry_at);
            }
        } else {
            poll_timer_wait(1000);
        }
    }

    evpoll_wait(server->base);
}

char *
api_server_status(const struct api_server *server)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "nb: %s\n",
                  ovsdb_idl_is_connected(server->idl) ? "connected"
                  : "not connected");
    ds_put_format(&s, "requests: %llu\n", server->n_requests);
    ds_put_format(&s, "commits: %llu\n", server->n_commits);
    ds_put_format(&s, "retries: %llu\n", server->n_retries);
    ds_put_format(&s, "errors 4xx: %llu\n", server->n_errors_4xx);
    ds_put_format(&s, "errors 5xx: %llu\n", server->n_errors_5xx);
    ds_put_format(&s, "unauthorized (401): %llu\n", server->n_unauthorized);
    ds_put_format(&s, "forbidden (403): %llu\n", server->n_forbidden);
    if (server->auth) {
        char *auth = api_auth_status(server->auth);
        ds_put_cstr(&s, auth);
        free(auth);
    } else {
        ds_put_cstr(&s, "auth: none (every client is admin of every "
                    "project)\n");
    }
    ds_put_format(&s, "in flight: %"PRIuSIZE"\n",
                  ovs_list_size(&server->committing));
    ds_put_format(&s, "waiting: %"PRIuSIZE"\n",
                  ovs_list_size(&server->waiting));
    return ds_steal_cstr(&s);
}

void
api_server_destroy(struct api_server *server)
{
    if (!server) {
        return;
    }
    /* Answers the requests that wait for Keystone (503). */
    api_auth_destroy(server->auth);
    struct api_ctx *ctx;
    LIST_FOR_EACH_POP (ctx, node, &server->committing) {
        api_error(ctx, 503, "ServiceUnavailable", "dvr-api is stopping.");
        respond(ctx);
    }
    LIST_FOR_EACH_POP (ctx, node, &server->waiting) {
        api_error(ctx, 503, "ServiceUnavailable", "dvr-api is stopping.");
        respond(ctx);
    }
    nb_session_destroy(&server->nb);
    api_exporter_destroy(server->exporter);
    evhttp_free(server->http);
    api_tls_disable();
    event_base_free(server->base);
    ovsdb_idl_destroy(server->idl);
    sset_destroy(&server->reserved);
    smap_destroy(&server->indexes.alloc_hints);
    free(server);
}

/*
 * dvrctl: the operator's command line for dvrflow's API (dvr-api), with
 * the openstack client's verbs for everyday use:
 *
 *   dvrctl [--url URL] [-f table|json] OBJECT VERB [ARGUMENTS] [OPTIONS]
 *
 * Objects are named by id or by name (floating IPs also by address).
 * Lists and shows print tables by default, JSON with -f json.  On an error
 * the server's message goes to stderr and the exit status is 1 (2 for a
 * usage error or when the server cannot be reached).  See doc/dvrctl.8.
 */

#include <config.h>

#include "api/json-compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tools/dvrctl.h"
#include "util.h"

static const char *url = "http://127.0.0.1:9696";
static bool json_output;

OVS_NO_RETURN static void usage(void);
/* HTTP. */

struct http_result {
    int status;
    struct evbuffer *body;
    bool done;
};

static void
http_done(struct evhttp_request *req, void *result_)
{
    struct http_result *result = result_;
    result->done = true;
    if (!req) {
        result->status = 0;
        return;
    }
    result->status = evhttp_request_get_response_code(req);
    evbuffer_add_buffer(result->body, evhttp_request_get_input_buffer(req));
}

/* Sends METHOD PATH with optional JSON 'body' (not consumed); returns the
 * answer's status and stores its JSON body (or NULL) in '*reply'. */
static int
http(const char *method, const char *path, const json_t *body,
     json_t **reply)
{
    struct evhttp_uri *uri = evhttp_uri_parse(url);
    if (!uri || !evhttp_uri_get_host(uri)) {
        dvrctl_die(2, "bad URL '%s'", url);
    }
    const char *host = evhttp_uri_get_host(uri);
    int port = evhttp_uri_get_port(uri);
    /* libevent keeps an IPv6 literal's brackets; the resolver wants it
     * without them. */
    char *addr = (host[0] == '[' && host[strlen(host) - 1] == ']'
                  ? xmemdup0(host + 1, strlen(host) - 2) : xstrdup(host));
    const char *prefix = evhttp_uri_get_path(uri);
    char *full = xasprintf("%s%s", prefix && strcmp(prefix, "/") ? prefix
                                                                 : "", path);

    struct event_base *base = event_base_new();
    struct evhttp_connection *conn = evhttp_connection_base_new(
        base, NULL, addr, port < 0 ? 80 : port);
    evhttp_connection_set_timeout(conn, 30);
    struct http_result result = { .body = evbuffer_new() };
    struct evhttp_request *req = evhttp_request_new(http_done, &result);
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Host", host);
    evhttp_add_header(headers, "Accept", "application/json");
    evhttp_add_header(headers, "User-Agent", "dvrctl");
    if (body) {
        char *s = json_dumps(body, JSON_COMPACT);
        evhttp_add_header(headers, "Content-Type", "application/json");
        evbuffer_add(evhttp_request_get_output_buffer(req), s, strlen(s));
        free(s);
    }

    enum evhttp_cmd_type cmd = (!strcmp(method, "POST") ? EVHTTP_REQ_POST
                                : !strcmp(method, "PUT") ? EVHTTP_REQ_PUT
                                : !strcmp(method, "DELETE")
                                ? EVHTTP_REQ_DELETE : EVHTTP_REQ_GET);
    if (evhttp_make_request(conn, req, cmd, full)) {
        dvrctl_die(2, "cannot send the request to %s", url);
    }
    while (!result.done) {
        event_base_loop(base, EVLOOP_ONCE);
    }
    if (!result.status) {
        dvrctl_die(2, "cannot reach dvr-api at %s", url);
    }

    *reply = NULL;
    size_t len = evbuffer_get_length(result.body);
    if (len) {
        json_error_t error;
        *reply = json_loadb((const char *) evbuffer_pullup(result.body, -1),
                            len, 0, &error);
    }
    evbuffer_free(result.body);
    evhttp_connection_free(conn);
    event_base_free(base);
    evhttp_uri_free(uri);
    free(addr);
    free(full);
    return result.status;
}

/* Like http(), but dies with the server's message on an error status. */
static json_t *
call(const char *method, const char *path, json_t *body)
{
    json_t *reply;
    int status = http(method, path, body, &reply);
    json_decref(body);
    if (status >= 300) {
        json_t *err = reply ? json_object_get(reply, "NeutronError") : NULL;
        const char *msg = err ? json_string_value(json_object_get(err,
                                                                  "message"))
                              : NULL;
        dvrctl_die(1, "%s (HTTP %d)", msg ? msg : "request failed", status);
    }
    return reply;
}

json_t *
dvrctl_call(const char *method, const char *path, json_t *body)
{
    return call(method, path, body);
}

void
dvrctl_die(int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "dvrctl: ");
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(status);
}

/* Objects. */

struct kind {
    const char *words;          /* "floating ip". */
    const char *collection;     /* Path: "floatingips". */
    const char *plural;         /* JSON list key. */
    const char *member;         /* JSON member key. */
    const char *find_by;        /* Attribute to find by besides the id. */
    const char *columns[6];     /* Columns of 'list'. */
};

static const struct kind kinds[] = {
    { "network", "networks", "networks", "network", "name",
      { "id", "name", "subnets", "provider:network_type", "router:external",
        NULL } },
    { "subnet", "subnets", "subnets", "subnet", "name",
      { "id", "name", "network_id", "cidr", "gateway_ip", NULL } },
    { "port", "ports", "ports", "port", "name",
      { "id", "name", "mac_address", "fixed_ips", "status", NULL } },
    { "router", "routers", "routers", "router", "name",
      { "id", "name", "status", "external_gateway_info", NULL } },
    { "floating ip", "floatingips", "floatingips", "floatingip",
      "floating_ip_address",
      { "id", "floating_ip_address", "fixed_ip_address", "port_id",
        "status", NULL } },
    { "security group rule", "security-group-rules", "security_group_rules",
      "security_group_rule", NULL,
      { "id", "security_group_id", "direction", "ethertype", "protocol",
        NULL } },
    { "security group", "security-groups", "security_groups",
      "security_group", "name",
      { "id", "name", "description", NULL } },
};

static bool
is_uuid(const char *s)
{
    if (strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i])) {
            return false;
        }
    }
    return true;
}

/* Returns the id of the object of 'kind' named 'name' (an id, or the
 * value of its 'find_by' attribute). */
static char *
resolve(const struct kind *kind, const char *name)
{
    if (is_uuid(name) || !kind->find_by) {
        return xstrdup(name);
    }
    char *enc = evhttp_encode_uri(name);
    char *path = xasprintf("/v2.0/%s?%s=%s&fields=id", kind->collection,
                           kind->find_by, enc);
    json_t *reply = call("GET", path, NULL);
    json_t *list = json_object_get(reply, kind->plural);
    size_t n = json_array_size(list);
    if (n != 1) {
        dvrctl_die(1, n ? "more than one %s named '%s': use the id"
                 : "no %s named '%s'", kind->words, name);
    }
    char *id = xstrdup(json_string_value(
                           json_object_get(json_array_get(list, 0), "id")));
    json_decref(reply);
    free(path);
    free(enc);
    return id;
}

/* Output. */

static char *
cell(const json_t *v)
{
    if (!v || json_is_null(v)) {
        return xstrdup("");
    } else if (json_is_string(v)) {
        return xstrdup(json_string_value(v));
    } else if (json_is_array(v) && json_array_size(v)
               && json_is_object(json_array_get(v, 0))) {
        /* fixed_ips and the like: "k='v', k='v'" per element. */
        struct { char *s; } out = { xstrdup("") };
        size_t i;
        json_t *item;
        json_array_foreach (CONST_CAST(json_t *, v), i, item) {
            const char *key;
            json_t *value;
            json_object_foreach (item, key, value) {
                char *vs = cell(value);
                char *prev = out.s;
                out.s = xasprintf("%s%s%s='%s'", prev, *prev ? ", " : "",
                                  key, vs);
                free(prev);
                free(vs);
            }
            char *prev = out.s;
            out.s = xasprintf("%s%s", prev, i + 1 < json_array_size(v)
                                            ? ";" : "");
            free(prev);
        }
        return out.s;
    } else if (json_is_array(v)) {
        struct { char *s; } out = { xstrdup("") };
        size_t i;
        json_t *item;
        json_array_foreach (CONST_CAST(json_t *, v), i, item) {
            char *vs = cell(item);
            char *prev = out.s;
            out.s = xasprintf("%s%s%s", prev, i ? ", " : "", vs);
            free(prev);
            free(vs);
        }
        return out.s;
    } else if (json_is_true(v)) {
        return xstrdup("True");
    } else if (json_is_false(v)) {
        return xstrdup("False");
    }
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
    return s ? s : xstrdup("?");
}

static void
print_rule(const size_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        putchar('+');
        for (size_t j = 0; j < w[i] + 2; j++) {
            putchar('-');
        }
    }
    puts("+");
}

/* Prints a table of 'n_rows' rows of 'n_cols' cells (row 0: headings). */
static void
print_table(char **cells, size_t n_rows, size_t n_cols)
{
    size_t *w = xcalloc(n_cols, sizeof *w);
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < n_cols; c++) {
            w[c] = MAX(w[c], strlen(cells[r * n_cols + c]));
        }
    }
    print_rule(w, n_cols);
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < n_cols; c++) {
            printf("| %-*s ", (int) w[c], cells[r * n_cols + c]);
        }
        puts("|");
        if (r == 0) {
            print_rule(w, n_cols);
        }
    }
    print_rule(w, n_cols);
    free(w);
}

static void
print_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
    puts(s ? s : "null");
    free(s);
}

static void
show_object(const json_t *obj)
{
    if (json_output) {
        print_json(obj);
        return;
    }
    size_t n = json_object_size(obj) + 1;
    char **cells = xcalloc(2 * n, sizeof *cells);
    const char **keys = xcalloc(n, sizeof *keys);
    size_t k = 0;
    const char *key;
    json_t *value;
    json_object_foreach (CONST_CAST(json_t *, obj), key, value) {
        keys[k++] = key;
    }
    for (size_t i = 0; i < k; i++) {
        for (size_t j = i + 1; j < k; j++) {
            if (strcmp(keys[j], keys[i]) < 0) {
                const char *t = keys[i];
                keys[i] = keys[j];
                keys[j] = t;
            }
        }
    }
    cells[0] = xstrdup("Field");
    cells[1] = xstrdup("Value");
    for (size_t i = 0; i < k; i++) {
        cells[2 * (i + 1)] = xstrdup(keys[i]);
        cells[2 * (i + 1) + 1] = cell(json_object_get(obj, keys[i]));
    }
    print_table(cells, k + 1, 2);
    for (size_t i = 0; i < 2 * (k + 1); i++) {
        free(cells[i]);
    }
    free(cells);
    free(keys);
}

static void
list_objects(const struct kind *kind, const char *query)
{
    char *path = xasprintf("/v2.0/%s%s%s", kind->collection,
                           query ? "?" : "", query ? query : "");
    json_t *reply = call("GET", path, NULL);
    json_t *list = json_object_get(reply, kind->plural);
    if (json_output) {
        print_json(list);
    } else {
        size_t n_cols = 0;
        while (kind->columns[n_cols]) {
            n_cols++;
        }
        size_t n_rows = json_array_size(list) + 1;
        char **cells = xcalloc(n_rows * n_cols, sizeof *cells);
        for (size_t c = 0; c < n_cols; c++) {
            cells[c] = xstrdup(kind->columns[c]);
        }
        for (size_t r = 1; r < n_rows; r++) {
            json_t *obj = json_array_get(list, r - 1);
            for (size_t c = 0; c < n_cols; c++) {
                cells[r * n_cols + c] = cell(json_object_get(
                                                 obj, kind->columns[c]));
            }
        }
        print_table(cells, n_rows, n_cols);
        for (size_t i = 0; i < n_rows * n_cols; i++) {
            free(cells[i]);
        }
        free(cells);
    }
    json_decref(reply);
    free(path);
}

static void
show_reply(const struct kind *kind, json_t *reply)
{
    show_object(json_object_get(reply, kind->member));
    json_decref(reply);
}

/* Options of a verb: "--name value" pairs and flags. */

struct opts {
    int argc;
    char **argv;                /* Positional arguments. */
    int n_pos;
    char **pos;
    bool used[64];
};

/* Returns the value of option 'name' (the last one if 'nth' < 0, else
 * the nth), "" for a flag, or NULL if absent. */
static const char *
opt(struct opts *o, const char *name, int nth)
{
    const char *found = NULL;
    int count = 0;
    for (int i = 0; i < o->argc; i++) {
        const char *a = o->argv[i];
        if (strncmp(a, "--", 2) || strcmp(a + 2, name)) {
            continue;
        }
        o->used[MIN(i, 63)] = true;
        bool has_value = (i + 1 < o->argc && strncmp(o->argv[i + 1], "--",
                                                     2));
        const char *value = has_value ? o->argv[i + 1] : "";
        if (has_value) {
            o->used[MIN(i + 1, 63)] = true;
        }
        if (nth < 0 || count == nth) {
            found = value;
        }
        count++;
    }
    return found;
}

static bool
flag(struct opts *o, const char *name)
{
    return opt(o, name, -1) != NULL;
}

static void
parse_opts(struct opts *o, int argc, char **argv, bool unset)
{
    memset(o, 0, sizeof *o);
    o->argc = argc;
    o->argv = argv;
    o->pos = xcalloc(argc + 1, sizeof *o->pos);
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            /* A value follows unless it is another option. */
            if (i + 1 < argc && strncmp(argv[i + 1], "--", 2)
                && !strchr("-", argv[i + 1][0])) {
                static const char *const flags[] = {
                    "external", "internal", "no-dhcp", "dhcp",
                    "disable-port-security", "enable-port-security",
                    "no-security-group", "ingress", "egress",
                    "disable-snat", "enable-snat", "external-gateway-unset",
                    "port-unset",
                };
                bool is_flag = false;
                for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
                    is_flag |= !strcmp(argv[i] + 2, flags[f]);
                }
                /* "unset --external-gateway ROUTER", "unset --port FIP". */
                is_flag |= unset && (!strcmp(argv[i] + 2, "external-gateway")
                                     || !strcmp(argv[i] + 2, "port"));
                if (!is_flag) {
                    i++;
                }
            }
        } else {
            o->pos[o->n_pos++] = argv[i];
        }
    }
}

static const char *
need_pos(struct opts *o, int i, const char *what)
{
    if (i >= o->n_pos) {
        dvrctl_die(2, "missing %s (see dvrctl --help)", what);
    }
    return o->pos[i];
}

/* Parses "k1=v1,k2=v2" into a JSON object, renaming keys per 'map'
 * (pairs of option key, API key). */
static json_t *
kv_object(const char *s, const char *const *map)
{
    json_t *obj = json_object();
    char *copy = xstrdup(s), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            dvrctl_die(2, "'%s': expected KEY=VALUE", tok);
        }
        *eq = '\0';
        const char *key = tok;
        for (const char *const *m = map; *m; m += 2) {
            if (!strcmp(m[0], tok)) {
                key = m[1];
            }
        }
        json_object_set_new(obj, key, json_string(eq + 1));
    }
    free(copy);
    return obj;
}

static const struct kind *
find_kind(const char *words)
{
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        if (!strcmp(kinds[i].words, words)) {
            return &kinds[i];
        }
    }
    return NULL;
}

static json_t *
member(const struct kind *kind, json_t *body)
{
    return json_pack("{s:o}", kind->member, body);
}

static char *
id_path(const struct kind *kind, const char *name)
{
    char *id = resolve(kind, name);
    char *path = xasprintf("/v2.0/%s/%s", kind->collection, id);
    free(id);
    return path;
}

static void
set_bool(json_t *body, const char *key, struct opts *o, const char *yes,
         const char *no)
{
    if (yes && flag(o, yes)) {
        json_object_set_new(body, key, json_true());
    }
    if (no && flag(o, no)) {
        json_object_set_new(body, key, json_false());
    }
}

static void
set_str(json_t *body, const char *key, struct opts *o, const char *name)
{
    const char *v = opt(o, name, -1);
    if (v) {
        json_object_set_new(body, key, json_string(v));
    }
}

/* Builds the create or set body for 'kind' from the options. */
static json_t *
build_body(const struct kind *kind, struct opts *o, bool create)
{
    json_t *body = json_object();
    const char *name = create ? need_pos(o, 0, "name") : NULL;
    const char *v;

    set_str(body, "name", o, "name");
    set_str(body, "description", o, "description");
    if (!strcmp(kind->collection, "networks")) {
        if (create) {
            json_object_set_new(body, "name", json_string(name));
        }
        set_bool(body, "router:external", o, "external", "internal");
        set_bool(body, "port_security_enabled", o, "enable-port-security",
                 "disable-port-security");
        set_str(body, "provider:network_type", o, "provider-network-type");
        set_str(body, "provider:physical_network", o,
                "provider-physical-network");
        if ((v = opt(o, "provider-segment", -1))) {
            json_object_set_new(body, "provider:segmentation_id",
                                json_integer(atoll(v)));
        }
        if ((v = opt(o, "mtu", -1))) {
            json_object_set_new(body, "mtu", json_integer(atoll(v)));
        }
    } else if (!strcmp(kind->collection, "subnets")) {
        if (create) {
            json_object_set_new(body, "name", json_string(name));
            char *net = resolve(find_kind("network"),
                                opt(o, "network", -1)
                                ? opt(o, "network", -1) : "");
            json_object_set_new(body, "network_id", json_string(net));
            free(net);
            const char *cidr = opt(o, "subnet-range", -1);
            if (!cidr) {
                dvrctl_die(2, "subnet create needs --subnet-range");
            }
            json_object_set_new(body, "cidr", json_string(cidr));
            json_object_set_new(body, "ip_version",
                                json_integer(strchr(cidr, ':') ? 6 : 4));
        }
        set_bool(body, "enable_dhcp", o, "dhcp", "no-dhcp");
        if ((v = opt(o, "gateway", -1))) {
            json_object_set_new(body, "gateway_ip", strcmp(v, "none")
                                ? json_string(v) : json_null());
        }
        if (opt(o, "dns-nameserver", 0)) {
            json_t *list = json_array();
            for (int i = 0; (v = opt(o, "dns-nameserver", i)); i++) {
                json_array_append_new(list, json_string(v));
            }
            json_object_set_new(body, "dns_nameservers", list);
        }
        if (opt(o, "allocation-pool", 0)) {
            static const char *const map[] = { NULL };
            json_t *list = json_array();
            for (int i = 0; (v = opt(o, "allocation-pool", i)); i++) {
                json_array_append_new(list, kv_object(v, map));
            }
            json_object_set_new(body, "allocation_pools", list);
        }
    } else if (!strcmp(kind->collection, "ports")) {
        if (create) {
            json_object_set_new(body, "name", json_string(name));
            char *net = resolve(find_kind("network"),
                                opt(o, "network", -1)
                                ? opt(o, "network", -1) : "");
            json_object_set_new(body, "network_id", json_string(net));
            free(net);
            set_str(body, "mac_address", o, "mac-address");
        }
        if (opt(o, "fixed-ip", 0)) {
            static const char *const map[] = {
                "subnet", "subnet_id", "ip-address", "ip_address", NULL
            };
            json_t *list = json_array();
            for (int i = 0; (v = opt(o, "fixed-ip", i)); i++) {
                json_t *f = kv_object(v, map);
                const char *sub = json_string_value(json_object_get(
                                                        f, "subnet_id"));
                if (sub) {
                    char *id = resolve(find_kind("subnet"), sub);
                    json_object_set_new(f, "subnet_id", json_string(id));
                    free(id);
                }
                json_array_append_new(list, f);
            }
            json_object_set_new(body, "fixed_ips", list);
        }
        set_bool(body, "port_security_enabled", o, "enable-port-security",
                 "disable-port-security");
        set_str(body, "binding:host_id", o, "host");
        set_str(body, "device_owner", o, "device-owner");
        set_str(body, "device_id", o, "device-id");
        if (flag(o, "no-security-group")) {
            json_object_set_new(body, "security_groups", json_array());
        }
        if (opt(o, "security-group", 0)) {
            json_t *list = json_array();
            for (int i = 0; (v = opt(o, "security-group", i)); i++) {
                char *id = resolve(find_kind("security group"), v);
                json_array_append_new(list, json_string(id));
                free(id);
            }
            json_object_set_new(body, "security_groups", list);
        }
    } else if (!strcmp(kind->collection, "routers")) {
        if (create) {
            json_object_set_new(body, "name", json_string(name));
        }
    } else if (!strcmp(kind->collection, "security-groups")) {
        if (create) {
            json_object_set_new(body, "name", json_string(name));
        }
    }
    return body;
}

static void
cmd_create(const struct kind *kind, struct opts *o)
{
    json_t *body;
    if (!strcmp(kind->collection, "floatingips")) {
        body = json_object();
        char *net = resolve(find_kind("network"),
                            need_pos(o, 0, "external network"));
        json_object_set_new(body, "floating_network_id", json_string(net));
        free(net);
        set_str(body, "floating_ip_address", o, "floating-ip-address");
        set_str(body, "description", o, "description");
        const char *port = opt(o, "port", -1);
        if (port) {
            char *id = resolve(find_kind("port"), port);
            json_object_set_new(body, "port_id", json_string(id));
            free(id);
        }
    } else if (!strcmp(kind->collection, "security-group-rules")) {
        body = json_object();
        char *sg = resolve(find_kind("security group"),
                           need_pos(o, 0, "security group"));
        json_object_set_new(body, "security_group_id", json_string(sg));
        free(sg);
        json_object_set_new(body, "direction",
                            json_string(flag(o, "egress") ? "egress"
                                                          : "ingress"));
        set_str(body, "ethertype", o, "ethertype");
        set_str(body, "protocol", o, "protocol");
        set_str(body, "remote_ip_prefix", o, "remote-ip");
        set_str(body, "description", o, "description");
        const char *v = opt(o, "dst-port", -1);
        if (v) {
            long long min, max;
            const char *colon = strchr(v, ':');
            min = atoll(v);
            max = colon ? atoll(colon + 1) : min;
            json_object_set_new(body, "port_range_min", json_integer(min));
            json_object_set_new(body, "port_range_max", json_integer(max));
        }
        if ((v = opt(o, "remote-group", -1))) {
            char *id = resolve(find_kind("security group"), v);
            json_object_set_new(body, "remote_group_id", json_string(id));
            free(id);
        }
    } else {
        body = build_body(kind, o, true);
    }
    char *path = xasprintf("/v2.0/%s", kind->collection);
    show_reply(kind, call("POST", path, member(kind, body)));
    free(path);
}

static void
cmd_router_set(const struct kind *kind, struct opts *o, bool unset)
{
    char *path = id_path(kind, need_pos(o, 0, "router"));
    json_t *body = json_object();
    const char *v;

    if (unset) {
        if (flag(o, "external-gateway")) {
            json_object_set_new(body, "external_gateway_info",
                                json_object());
        }
    } else {
        set_str(body, "name", o, "name");
        set_str(body, "description", o, "description");
        if ((v = opt(o, "external-gateway", -1))) {
            char *net = resolve(find_kind("network"), v);
            json_t *info = json_pack("{s:s}", "network_id", net);
            free(net);
            if (flag(o, "disable-snat")) {
                json_object_set_new(info, "enable_snat", json_false());
            }
            json_object_set_new(body, "external_gateway_info", info);
        }
    }
    if (opt(o, "route", 0)) {
        static const char *const map[] = { "gateway", "nexthop", NULL };
        json_t *routes = json_array();
        for (int i = 0; (v = opt(o, "route", i)); i++) {
            json_array_append_new(routes, kv_object(v, map));
        }
        char *action = xasprintf("%s/%s", path, unset ? "remove_extraroutes"
                                                      : "add_extraroutes");
        json_decref(call("PUT", action,
                         json_pack("{s:{s:o}}", "router", "routes",
                                   routes)));
        free(action);
    }
    if (json_object_size(body)) {
        json_decref(call("PUT", path, member(kind, body)));
    } else {
        json_decref(body);
    }
    free(path);
}

static void
cmd_router_interface(const struct kind *kind, struct opts *o, bool add,
                     const char *what)
{
    char *path = id_path(kind, need_pos(o, 0, "router"));
    bool by_subnet = !strcmp(what, "subnet");
    char *id = resolve(find_kind(by_subnet ? "subnet" : "port"),
                       need_pos(o, 1, what));
    char *action = xasprintf("%s/%s", path, add ? "add_router_interface"
                                                : "remove_router_interface");
    json_t *reply = call("PUT", action,
                         json_pack("{s:s}", by_subnet ? "subnet_id"
                                                      : "port_id", id));
    if (json_output) {
        print_json(reply);
    }
    json_decref(reply);
    free(action);
    free(id);
    free(path);
}

static void
cmd_fip_set(const struct kind *kind, struct opts *o, bool unset)
{
    char *path = id_path(kind, need_pos(o, 0, "floating IP"));
    json_t *body = json_object();
    if (unset) {
        if (flag(o, "port")) {
            json_object_set_new(body, "port_id", json_null());
        }
    } else {
        const char *port = opt(o, "port", -1);
        if (port) {
            char *id = resolve(find_kind("port"), port);
            json_object_set_new(body, "port_id", json_string(id));
            free(id);
        }
        set_str(body, "fixed_ip_address", o, "fixed-ip-address");
        set_str(body, "description", o, "description");
    }
    json_decref(call("PUT", path, member(kind, body)));
    free(path);
}

static void
usage(void)
{
    printf("dvrctl: command line for dvrflow's API (dvr-api)\n"
           "usage: dvrctl [--url URL] [-f table|json] OBJECT VERB ...\n"
           "\n"
           "  network create NAME [--external] [--provider-network-type T]\n"
           "          [--provider-physical-network P] [--provider-segment N]\n"
           "          [--mtu N] [--disable-port-security]\n"
           "  subnet create NAME --network NET --subnet-range CIDR\n"
           "          [--gateway IP|none] [--no-dhcp] [--dns-nameserver IP]\n"
           "          [--allocation-pool start=IP,end=IP]\n"
           "  port create NAME --network NET [--fixed-ip subnet=S,"
           "ip-address=IP]\n"
           "          [--mac-address MAC] [--security-group SG]\n"
           "          [--no-security-group] [--disable-port-security] "
           "[--host H]\n"
           "  port set PORT [--name N] [--security-group SG] "
           "[--no-security-group] ...\n"
           "  router create NAME\n"
           "  router set ROUTER [--external-gateway NET [--disable-snat]]\n"
           "          [--route destination=CIDR,gateway=IP]\n"
           "  router unset ROUTER [--external-gateway] "
           "[--route destination=CIDR,gateway=IP]\n"
           "  router add|remove subnet ROUTER SUBNET\n"
           "  router add|remove port ROUTER PORT\n"
           "  floating ip create NETWORK [--port PORT] "
           "[--floating-ip-address IP]\n"
           "  floating ip set ADDRESS|ID --port PORT "
           "[--fixed-ip-address IP]\n"
           "  floating ip unset ADDRESS|ID --port\n"
           "  security group create NAME [--description TEXT]\n"
           "  security group rule create GROUP [--protocol P] "
           "[--dst-port N[:M]]\n"
           "          [--ingress|--egress] [--ethertype IPv4|IPv6]\n"
           "          [--remote-ip CIDR] [--remote-group GROUP]\n"
           "  security group rule list [GROUP]\n"
           "  OBJECT list | show NAME|ID | delete NAME|ID...\n"
           "  trace --node NAME=RUNDIR... (--from PORT | --from-external "
           "NODE --src IP)\n"
           "        --to IP [--proto tcp|udp|icmp] [--dport N]\n"
           "  pipeline --dot (--node NAME=RUNDIR | --static)\n"
           "  status [--rundir DIR] [--ovs-rundir DIR] [dvr-controller] "
           "[dvr-api]\n"
           "  verify --node NAME=RUNDIR... [--verbose]\n"
           "  sync [--nb REMOTE] [--timeout SECONDS]\n"
           "\n"
           "OBJECT: network, subnet, port, router, floating ip, security "
           "group,\nsecurity group rule.  The URL defaults to $OS_ENDPOINT, "
           "then\nhttp://127.0.0.1:9696.\n");
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (getenv("OS_ENDPOINT") && *getenv("OS_ENDPOINT")) {
        url = getenv("OS_ENDPOINT");
    }

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage();
        } else if (!strcmp(argv[i], "--url") && i + 1 < argc) {
            url = argv[++i];
        } else if (!strncmp(argv[i], "--url=", 6)) {
            url = argv[i] + 6;
        } else if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--format"))
                   && i + 1 < argc) {
            i++;
            if (!strcmp(argv[i], "json")) {
                json_output = true;
            } else if (strcmp(argv[i], "table")) {
                dvrctl_die(2, "unknown format '%s' (table or json)", argv[i]);
            }
        } else {
            dvrctl_die(2, "unknown option '%s' (see dvrctl --help)", argv[i]);
        }
    }

    if (i < argc && !strcmp(argv[i], "trace")) {
        return dvrctl_trace(argc - i - 1, argv + i + 1);
    }
    if (i < argc && !strcmp(argv[i], "pipeline")) {
        return dvrctl_pipeline(argc - i - 1, argv + i + 1);
    }
    if (i < argc && !strcmp(argv[i], "status")) {
        return dvrctl_status(argc - i - 1, argv + i + 1);
    }
    if (i < argc && !strcmp(argv[i], "verify")) {
        return dvrctl_verify(argc - i - 1, argv + i + 1);
    }
    if (i < argc && !strcmp(argv[i], "sync")) {
        return dvrctl_sync(argc - i - 1, argv + i + 1);
    }

    /* The object: one, two or three words. */
    const struct kind *kind = NULL;
    int words = 0;
    for (int n = 3; n >= 1 && !kind; n--) {
        if (i + n > argc) {
            continue;
        }
        char *joined = xstrdup(argv[i]);
        for (int k = 1; k < n; k++) {
            char *prev = joined;
            joined = xasprintf("%s %s", prev, argv[i + k]);
            free(prev);
        }
        kind = find_kind(joined);
        words = n;
        free(joined);
    }
    if (!kind) {
        dvrctl_die(2, "unknown object%s%s (see dvrctl --help)",
                   i < argc ? " " : "", i < argc ? argv[i] : "");
    }
    i += words;
    if (i >= argc) {
        dvrctl_die(2, "missing verb after '%s'", kind->words);
    }
    const char *verb = argv[i++];

    /* "router add subnet": the verb has a second word. */
    const char *what = NULL;
    if (!strcmp(kind->collection, "routers")
        && (!strcmp(verb, "add") || !strcmp(verb, "remove"))) {
        if (i >= argc || (strcmp(argv[i], "subnet")
                          && strcmp(argv[i], "port"))) {
            dvrctl_die(2, "router %s: expected 'subnet' or 'port'", verb);
        }
        what = argv[i++];
    }

    struct opts o;
    parse_opts(&o, argc - i, argv + i, !strcmp(verb, "unset"));

    if (!strcmp(verb, "list")) {
        char *query = NULL;
        if (!strcmp(kind->collection, "security-group-rules") && o.n_pos) {
            char *sg = resolve(find_kind("security group"), o.pos[0]);
            query = xasprintf("security_group_id=%s", sg);
            free(sg);
        }
        list_objects(kind, query);
        free(query);
    } else if (!strcmp(verb, "show")) {
        char *path = id_path(kind, need_pos(&o, 0, "name or id"));
        show_reply(kind, call("GET", path, NULL));
        free(path);
    } else if (!strcmp(verb, "delete")) {
        need_pos(&o, 0, "name or id");
        for (int k = 0; k < o.n_pos; k++) {
            char *path = id_path(kind, o.pos[k]);
            json_decref(call("DELETE", path, NULL));
            free(path);
        }
    } else if (!strcmp(verb, "create")) {
        cmd_create(kind, &o);
    } else if (what) {
        cmd_router_interface(kind, &o, !strcmp(verb, "add"), what);
    } else if (!strcmp(kind->collection, "routers")
               && (!strcmp(verb, "set") || !strcmp(verb, "unset"))) {
        cmd_router_set(kind, &o, !strcmp(verb, "unset"));
    } else if (!strcmp(kind->collection, "floatingips")
               && (!strcmp(verb, "set") || !strcmp(verb, "unset"))) {
        cmd_fip_set(kind, &o, !strcmp(verb, "unset"));
    } else if (!strcmp(verb, "set")) {
        char *path = id_path(kind, need_pos(&o, 0, "name or id"));
        json_t *body = build_body(kind, &o, false);
        json_t *groups = json_object_get(body, "security_groups");
        if (!strcmp(kind->collection, "ports") && json_array_size(groups)) {
            /* As the openstack client: --security-group adds a group. */
            json_t *cur = call("GET", path, NULL);
            json_t *have = json_object_get(json_object_get(cur, "port"),
                                           "security_groups");
            size_t k;
            json_t *g;
            json_array_foreach (have, k, g) {
                json_array_append(groups, g);
            }
            json_decref(cur);
        }
        if (!json_object_size(body)) {
            dvrctl_die(2, "%s set: nothing to set", kind->words);
        }
        show_reply(kind, call("PUT", path, member(kind, body)));
        free(path);
    } else {
        dvrctl_die(2, "unknown verb '%s' for %s", verb, kind->words);
    }
    free(o.pos);
    return 0;
}

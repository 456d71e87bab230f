/*
 * api/auth: Keystone token validation for dvr-api.  See auth.h.
 *
 * One evhttp connection to Keystone carries every request (libevent
 * queues them and reconnects as needed).  A validation that finds no
 * service token waits in 'waiting' until one arrives; the others are in
 * 'in_flight' until Keystone answers.
 */

#include <config.h>

#include "api/json-compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "api/auth.h"

VLOG_DEFINE_THIS_MODULE(api_auth);

#define AUTH_MAX_CACHE 4096
#define AUTH_MAX_PENDING 256
#define AUTH_MAX_TOKEN 8192             /* Bytes of an X-Auth-Token. */
#define AUTH_TIMEOUT 10                 /* Seconds for Keystone. */
#define AUTH_DEFAULT_CACHE_TIME 300     /* Seconds. */
#define AUTH_KEY_LEN 32                 /* SHA-256. */

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct cache_entry {
    struct hmap_node node;              /* In 'cache'. */
    unsigned char key[AUTH_KEY_LEN];
    struct api_identity id;
    long long int expires;              /* Monotonic, ms. */
};

struct pending {
    struct ovs_list node;               /* In 'waiting' or 'in_flight'. */
    struct api_auth *auth;
    unsigned char key[AUTH_KEY_LEN];
    char *token;
    api_auth_cb *cb;                    /* NULL once cancelled. */
    void *aux;
    bool retried;                       /* After a stale service token. */
};

struct api_auth {
    struct event_base *base;
    char *host;
    int port;
    char *path;                         /* auth_url's path: "/v3". */
    char *username, *password, *project_name;
    char *user_domain, *project_domain;
    long long int cache_msec;

    struct evhttp_connection *conn;
    char *service_token;
    long long int service_expires;      /* Monotonic, ms. */
    bool fetching;

    struct ovs_list waiting;
    struct ovs_list in_flight;
    size_t n_pending;
    struct hmap cache;

    unsigned long long int n_hits, n_validations, n_valid, n_invalid;
    unsigned long long int n_errors, n_service_tokens;
};

static void send_validation(struct pending *);
static void fetch_service_token(struct api_auth *);

static void
identity_destroy(struct api_identity *id)
{
    free(id->project);
    id->project = NULL;
}

static void
token_key(const char *token, unsigned char key[AUTH_KEY_LEN])
{
    unsigned int len = 0;

    EVP_Digest(token, strlen(token), key, &len, EVP_sha256(), NULL);
}

static uint32_t
key_hash(const unsigned char key[AUTH_KEY_LEN])
{
    return hash_bytes(key, AUTH_KEY_LEN, 0);
}

/* The configuration file. */

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'
                 || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

static char *
read_config(struct api_auth *auth, const char *file)
{
    FILE *f = fopen(file, "r");
    char line[1024];
    bool in_section = false;
    char *url = NULL, *error = NULL;
    long long int cache_time = AUTH_DEFAULT_CACHE_TIME;

    if (!f) {
        return xasprintf("%s: cannot open (%s)", file, ovs_strerror(errno));
    }
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';') {
            continue;
        }
        if (*s == '[') {
            in_section = !strcmp(s, "[keystone_authtoken]");
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in_section || !eq) {
            continue;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        char **dst = (!strcmp(key, "auth_url") ? &url
                      : !strcmp(key, "username") ? &auth->username
                      : !strcmp(key, "password") ? &auth->password
                      : !strcmp(key, "project_name") ? &auth->project_name
                      : !strcmp(key, "user_domain_name") ? &auth->user_domain
                      : !strcmp(key, "project_domain_name")
                      ? &auth->project_domain : NULL);
        if (dst) {
            free(*dst);
            *dst = xstrdup(value);
        } else if (!strcmp(key, "cache_time")) {
            cache_time = strtoll(value, NULL, 10);
        }
    }
    fclose(f);

    if (!url || !auth->username || !auth->password || !auth->project_name) {
        error = xasprintf("%s: [keystone_authtoken] needs auth_url, "
                          "username, password and project_name", file);
    } else if (cache_time < 0 || cache_time > 3600) {
        error = xasprintf("%s: cache_time must be 0..3600 seconds", file);
    } else {
        struct evhttp_uri *uri = evhttp_uri_parse(url);
        const char *scheme = uri ? evhttp_uri_get_scheme(uri) : NULL;
        if (!uri || !scheme || strcmp(scheme, "http")
            || !evhttp_uri_get_host(uri)) {
            error = xasprintf("%s: auth_url %s: want http://HOST[:PORT]/v3",
                              file, url);
        } else {
            const char *path = evhttp_uri_get_path(uri);
            size_t len = path ? strlen(path) : 0;
            while (len && path[len - 1] == '/') {
                len--;
            }
            auth->host = xstrdup(evhttp_uri_get_host(uri));
            auth->port = (evhttp_uri_get_port(uri) > 0
                          ? evhttp_uri_get_port(uri) : 80);
            auth->path = len ? xmemdup0(path, len) : xstrdup("/v3");
        }
        if (uri) {
            evhttp_uri_free(uri);
        }
    }
    free(url);
    if (!auth->user_domain) {
        auth->user_domain = xstrdup("Default");
    }
    if (!auth->project_domain) {
        auth->project_domain = xstrdup("Default");
    }
    auth->cache_msec = cache_time * 1000;
    return error;
}

struct api_auth *
api_auth_create(const char *config_file, struct event_base *base,
                char **error)
{
    struct api_auth *auth = xzalloc(sizeof *auth);

    auth->base = base;
    ovs_list_init(&auth->waiting);
    ovs_list_init(&auth->in_flight);
    hmap_init(&auth->cache);
    *error = read_config(auth, config_file);
    if (*error) {
        api_auth_destroy(auth);
        return NULL;
    }
    auth->conn = evhttp_connection_base_new(base, NULL, auth->host,
                                            auth->port);
    if (!auth->conn) {
        *error = xasprintf("cannot make a connection to %s:%d", auth->host,
                           auth->port);
        api_auth_destroy(auth);
        return NULL;
    }
    evhttp_connection_set_timeout(auth->conn, AUTH_TIMEOUT);
    VLOG_INFO("Keystone at http://%s:%d%s, as user %s in project %s; "
              "validations cached %lld s", auth->host, auth->port,
              auth->path, auth->username, auth->project_name,
              auth->cache_msec / 1000);
    return auth;
}

static void
pending_free(struct pending *p)
{
    p->auth->n_pending--;
    free(p->token);
    free(p);
}

/* Answers 'p' and frees it (it must be in no list). */
static void
finish(struct pending *p, int status, const struct api_identity *id)
{
    if (p->cb) {
        p->cb(p->aux, status, id);
    }
    pending_free(p);
}

void
api_auth_destroy(struct api_auth *auth)
{
    if (!auth) {
        return;
    }
    struct pending *p;
    LIST_FOR_EACH_POP (p, node, &auth->waiting) {
        finish(p, 503, NULL);
    }
    /* Freeing the connection fails its requests: their callbacks free the
     * in-flight ones. */
    if (auth->conn) {
        evhttp_connection_free(auth->conn);
    }
    LIST_FOR_EACH_POP (p, node, &auth->in_flight) {
        finish(p, 503, NULL);
    }
    struct cache_entry *e;
    HMAP_FOR_EACH_POP (e, node, &auth->cache) {
        identity_destroy(&e->id);
        free(e);
    }
    hmap_destroy(&auth->cache);
    free(auth->host);
    free(auth->path);
    free(auth->username);
    free(auth->password);
    free(auth->project_name);
    free(auth->user_domain);
    free(auth->project_domain);
    free(auth->service_token);
    free(auth);
}

void
api_auth_cancel(struct api_auth *auth, void *aux)
{
    struct pending *p;

    LIST_FOR_EACH (p, node, &auth->waiting) {
        if (p->aux == aux) {
            p->cb = NULL;
        }
    }
    LIST_FOR_EACH (p, node, &auth->in_flight) {
        if (p->aux == aux) {
            p->cb = NULL;
        }
    }
}

/* The cache. */

static struct cache_entry *
cache_find(struct api_auth *auth, const unsigned char key[AUTH_KEY_LEN])
{
    struct cache_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, key_hash(key), &auth->cache) {
        if (!memcmp(e->key, key, AUTH_KEY_LEN)) {
            return e;
        }
    }
    return NULL;
}

static void
cache_remove(struct api_auth *auth, struct cache_entry *e)
{
    hmap_remove(&auth->cache, &e->node);
    identity_destroy(&e->id);
    free(e);
}

static void
cache_insert(struct api_auth *auth, const unsigned char key[AUTH_KEY_LEN],
             const struct api_identity *id, long long int expires)
{
    struct cache_entry *e = cache_find(auth, key);

    if (e) {
        cache_remove(auth, e);
    }
    if (hmap_count(&auth->cache) >= AUTH_MAX_CACHE) {
        /* Drops what has expired, else the entry closest to expiry. */
        long long int now = time_msec();
        struct cache_entry *oldest = NULL, *next;
        HMAP_FOR_EACH_SAFE (e, next, node, &auth->cache) {
            if (e->expires <= now) {
                cache_remove(auth, e);
            } else if (!oldest || e->expires < oldest->expires) {
                oldest = e;
            }
        }
        if (hmap_count(&auth->cache) >= AUTH_MAX_CACHE && oldest) {
            cache_remove(auth, oldest);
        }
    }
    e = xzalloc(sizeof *e);
    memcpy(e->key, key, AUTH_KEY_LEN);
    e->id.project = xstrdup(id->project);
    e->id.is_admin = id->is_admin;
    e->expires = expires;
    hmap_insert(&auth->cache, &e->node, key_hash(key));
}

/* Keystone's answers. */

/* Parses Keystone's "2026-12-05T15:03:32.000000Z" into a monotonic time
 * in ms; 0 if it cannot. */
static long long int
parse_expiry(const char *s)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) {
        return 0;
    }
    time_t t = timegm(&tm);
    if (t == (time_t) -1) {
        return 0;
    }
    return time_msec() + ((long long int) t * 1000 - time_wall_msec());
}

/* The body of 'req' as JSON, or NULL. */
static json_t *
response_json(struct evhttp_request *req)
{
    struct evbuffer *buf = evhttp_request_get_input_buffer(req);
    size_t len = buf ? evbuffer_get_length(buf) : 0;

    if (!len || len > 1024 * 1024) {
        return NULL;
    }
    const char *data = (const char *) evbuffer_pullup(buf, -1);
    return json_loadb(data, len, 0, NULL);
}

static void
fail_waiting(struct api_auth *auth)
{
    struct pending *p;

    LIST_FOR_EACH_POP (p, node, &auth->waiting) {
        auth->n_errors++;
        finish(p, 503, NULL);
    }
}

static void
service_token_done(struct evhttp_request *req, void *auth_)
{
    struct api_auth *auth = auth_;
    int code = req ? evhttp_request_get_response_code(req) : 0;
    const char *token = (req ? evhttp_find_header(
                             evhttp_request_get_input_headers(req),
                             "X-Subject-Token") : NULL);
    json_t *body = code == 201 ? response_json(req) : NULL;
    const char *expires = NULL;

    auth->fetching = false;
    if (body) {
        json_unpack(body, "{s:{s:s}}", "token", "expires_at", &expires);
    }
    long long int exp = parse_expiry(expires);
    if (code != 201 || !token || !*token || strlen(token) > AUTH_MAX_TOKEN
        || !exp) {
        VLOG_WARN_RL(&rl, "Keystone http://%s:%d%s: cannot get a token for "
                     "user %s (HTTP %d): every request gets 503", auth->host,
                     auth->port, auth->path, auth->username, code);
        json_decref(body);
        fail_waiting(auth);
        return;
    }
    free(auth->service_token);
    auth->service_token = xstrdup(token);
    /* Renewed a minute before it expires. */
    auth->service_expires = exp - 60 * 1000;
    auth->n_service_tokens++;
    json_decref(body);

    struct ovs_list ready;
    ovs_list_move(&ready, &auth->waiting);
    ovs_list_init(&auth->waiting);
    struct pending *p;
    LIST_FOR_EACH_POP (p, node, &ready) {
        send_validation(p);
    }
}

static void
fetch_service_token(struct api_auth *auth)
{
    if (auth->fetching) {
        return;
    }
    json_t *body = json_pack(
        "{s:{s:{s:[s], s:{s:{s:s, s:s, s:{s:s}}}}, s:{s:{s:s, s:{s:s}}}}}",
        "auth", "identity", "methods", "password", "password", "user",
        "name", auth->username, "password", auth->password, "domain",
        "name", auth->user_domain, "scope", "project", "name",
        auth->project_name, "domain", "name", auth->project_domain);
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);

    struct evhttp_request *req = evhttp_request_new(service_token_done,
                                                    auth);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", auth->host);
    evhttp_add_header(h, "Content-Type", "application/json");
    evbuffer_add(evhttp_request_get_output_buffer(req), s, strlen(s));
    free(s);
    char *uri = xasprintf("%s/auth/tokens", auth->path);
    auth->fetching = true;
    if (evhttp_make_request(auth->conn, req, EVHTTP_REQ_POST, uri)) {
        /* libevent has freed 'req'. */
        auth->fetching = false;
        fail_waiting(auth);
    }
    free(uri);
}

static void
validation_done(struct evhttp_request *req, void *p_)
{
    struct pending *p = p_;
    struct api_auth *auth = p->auth;
    int code = req ? evhttp_request_get_response_code(req) : 0;

    ovs_list_remove(&p->node);
    if (code == 200) {
        json_t *body = response_json(req);
        json_t *roles = NULL;
        const char *project = NULL, *expires = NULL;
        if (body) {
            json_unpack(body, "{s:{s?{s:s}, s:s, s?o}}", "token", "project",
                        "id", &project, "expires_at", &expires, "roles",
                        &roles);
        }
        long long int exp = parse_expiry(expires);
        if (!project || !*project || strlen(project) > 255 || !exp) {
            /* Unscoped (or domain-scoped) tokens name no project. */
            auth->n_invalid++;
            json_decref(body);
            finish(p, 401, NULL);
            return;
        }
        struct api_identity id = { .project = (char *) project };
        size_t i;
        json_t *role;
        json_array_foreach (roles, i, role) {
            const char *name = json_string_value(json_object_get(role,
                                                                 "name"));
            if (name && !strcmp(name, "admin")) {
                id.is_admin = true;
            }
        }
        long long int now = time_msec();
        if (exp > now) {
            cache_insert(auth, p->key, &id,
                         MIN(exp, now + auth->cache_msec));
        }
        auth->n_valid++;
        finish(p, exp > now ? 0 : 401, exp > now ? &id : NULL);
        json_decref(body);
    } else if (code == 404 || code == 400) {
        /* Keystone knows no such token (or it has expired or was
         * revoked). */
        auth->n_invalid++;
        finish(p, 401, NULL);
    } else if ((code == 401 || code == 403) && p->retried) {
        /* With a fresh token of ours: it is the caller's. */
        auth->n_invalid++;
        finish(p, 401, NULL);
    } else if (code == 401 || code == 403) {
        /* Our own token is stale: a new one, then once more. */
        p->retried = true;
        free(auth->service_token);
        auth->service_token = NULL;
        ovs_list_push_back(&auth->waiting, &p->node);
        fetch_service_token(auth);
    } else {
        VLOG_WARN_RL(&rl, "Keystone http://%s:%d%s: token validation "
                     "failed (HTTP %d)", auth->host, auth->port, auth->path,
                     code);
        auth->n_errors++;
        finish(p, 503, NULL);
    }
}

static void
send_validation(struct pending *p)
{
    struct api_auth *auth = p->auth;
    struct evhttp_request *req = evhttp_request_new(validation_done, p);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Host", auth->host);
    evhttp_add_header(h, "X-Auth-Token", auth->service_token);
    evhttp_add_header(h, "X-Subject-Token", p->token);
    ovs_list_push_back(&auth->in_flight, &p->node);
    char *uri = xasprintf("%s/auth/tokens", auth->path);
    if (evhttp_make_request(auth->conn, req, EVHTTP_REQ_GET, uri)) {
        ovs_list_remove(&p->node);
        auth->n_errors++;
        finish(p, 503, NULL);
    }
    free(uri);
}

int
api_auth_validate(struct api_auth *auth, const char *token,
                  struct api_identity *id, api_auth_cb *cb, void *aux)
{
    unsigned char key[AUTH_KEY_LEN];

    token_key(token, key);
    struct cache_entry *e = cache_find(auth, key);
    if (e && e->expires > time_msec()) {
        auth->n_hits++;
        id->project = xstrdup(e->id.project);
        id->is_admin = e->id.is_admin;
        return 0;
    } else if (e) {
        cache_remove(auth, e);
    }

    if (auth->n_pending >= AUTH_MAX_PENDING) {
        auth->n_errors++;
        return 503;
    }
    auth->n_validations++;
    struct pending *p = xzalloc(sizeof *p);
    p->auth = auth;
    memcpy(p->key, key, AUTH_KEY_LEN);
    p->token = xstrdup(token);
    p->cb = cb;
    p->aux = aux;
    auth->n_pending++;
    if (auth->service_token && time_msec() < auth->service_expires) {
        send_validation(p);
    } else {
        ovs_list_push_back(&auth->waiting, &p->node);
        fetch_service_token(auth);
    }
    return -1;
}

char *
api_auth_status(const struct api_auth *auth)
{
    return xasprintf("auth: keystone http://%s:%d%s; %"PRIuSIZE" cached, "
                     "%llu hits, %llu validations (%llu valid, %llu "
                     "invalid, %llu errors), %"PRIuSIZE" waiting, %llu "
                     "service tokens\n", auth->host, auth->port,
                     auth->path, hmap_count(&auth->cache), auth->n_hits,
                     auth->n_validations, auth->n_valid, auth->n_invalid,
                     auth->n_errors, auth->n_pending,
                     auth->n_service_tokens);
}

/*
 * metrics/http: see http.h.
 */

#include <config.h>

#include "metrics/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "metrics/evpoll.h"
#include "metrics/metrics.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "util.h"

#define METRICS_HTTP_TIMEOUT 10         /* Seconds. */
#define METRICS_HTTP_MAX_HEADERS 8192
#define METRICS_HTTP_MAX_BODY 1024

struct metrics_http {
    struct event_base *base;
    bool own_base;
    struct evhttp *http;
    metrics_http_cb *cb;
    void *aux;
    uint64_t n_scrapes;
};

char *
metrics_http_parse_address(const char *address, char **hostp,
                           uint16_t *portp)
{
    char *copy = xstrdup(address);
    char *host, *port_s;
    int family;

    *hostp = NULL;
    *portp = 0;
    if (copy[0] == '[') {
        char *end = strchr(copy, ']');
        if (!end || end[1] != ':') {
            free(copy);
            return xasprintf("'%s' is not [IPV6]:PORT", address);
        }
        *end = '\0';
        host = copy + 1;
        port_s = end + 2;
        family = AF_INET6;
    } else {
        char *colon = strchr(copy, ':');
        if (!colon) {
            free(copy);
            return xasprintf("'%s' is not IP:PORT", address);
        }
        *colon = '\0';
        host = copy;
        port_s = colon + 1;
        family = AF_INET;
    }

    struct in6_addr addr;
    if (inet_pton(family, host, &addr) != 1) {
        char *error = xasprintf("'%s': '%s' is not a numeric IPv%d address",
                                address, host, family == AF_INET ? 4 : 6);
        free(copy);
        return error;
    }
    char *end;
    errno = 0;
    long port = strtol(port_s, &end, 10);
    if (!*port_s || *end || errno || port < 1 || port > 65535) {
        char *error = xasprintf("'%s': '%s' is not a port number (1 to "
                                "65535)", address, port_s);
        free(copy);
        return error;
    }
    *hostp = xstrdup(host);
    *portp = port;
    free(copy);
    return NULL;
}

static void
handle_request(struct evhttp_request *req, void *mh_)
{
    struct metrics_http *mh = mh_;
    const char *uri = evhttp_request_get_uri(req);
    struct evhttp_uri *parsed = uri ? evhttp_uri_parse(uri) : NULL;
    const char *path = parsed ? evhttp_uri_get_path(parsed) : NULL;
    struct evbuffer *buf = evbuffer_new();

    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                          "GET, HEAD");
        evbuffer_add_printf(buf, "Only GET and HEAD.\n");
        evhttp_send_reply(req, 405, "Method Not Allowed", buf);
    } else if (!path || strcmp(path, "/metrics")) {
        evbuffer_add_printf(buf, "Not found: the metrics are at "
                            "/metrics.\n");
        evhttp_send_reply(req, 404, "Not Found", buf);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        mh->cb(&s, mh->aux);
        mh->n_scrapes++;
        evhttp_add_header(evhttp_request_get_output_headers(req),
                          "Content-Type", METRICS_CONTENT_TYPE);
        evbuffer_add(buf, s.string, s.length);
        evhttp_send_reply(req, 200, "OK", buf);
        ds_destroy(&s);
    }
    evbuffer_free(buf);
    if (parsed) {
        evhttp_uri_free(parsed);
    }
}

struct metrics_http *
metrics_http_create(struct event_base *base, const char *address,
                    metrics_http_cb *cb, void *aux, char **errorp)
{
    char *host;
    uint16_t port;

    *errorp = metrics_http_parse_address(address, &host, &port);
    if (*errorp) {
        return NULL;
    }

    struct metrics_http *mh = xzalloc(sizeof *mh);
    mh->own_base = !base;
    mh->base = base ? base : event_base_new();
    mh->http = evhttp_new(mh->base);
    mh->cb = cb;
    mh->aux = aux;
    /* Every method libevent knows reaches handle_request(), which answers
     * 405 to all but GET and HEAD (libevent would answer 501). */
    evhttp_set_allowed_methods(mh->http,
                               EVHTTP_REQ_GET | EVHTTP_REQ_POST
                               | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT
                               | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS
                               | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT
                               | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(mh->http, METRICS_HTTP_MAX_HEADERS);
    evhttp_set_max_body_size(mh->http, METRICS_HTTP_MAX_BODY);
    evhttp_set_timeout(mh->http, METRICS_HTTP_TIMEOUT);
    evhttp_set_gencb(mh->http, handle_request, mh);

    errno = 0;
    if (!evhttp_bind_socket_with_handle(mh->http, host, port)) {
        int err = errno ? errno : EADDRNOTAVAIL;
        *errorp = xasprintf("'%s': cannot listen (%s)", address,
                            ovs_strerror(err));
        metrics_http_destroy(mh);
        mh = NULL;
    }
    free(host);
    return mh;
}

void
metrics_http_destroy(struct metrics_http *mh)
{
    if (mh) {
        evhttp_free(mh->http);
        if (mh->own_base) {
            event_base_free(mh->base);
        }
        free(mh);
    }
}

void
metrics_http_run(struct metrics_http *mh)
{
    if (mh && mh->own_base) {
        event_base_loop(mh->base, EVLOOP_NONBLOCK);
    }
}

void
metrics_http_wait(struct metrics_http *mh)
{
    if (mh && mh->own_base) {
        evpoll_wait(mh->base);
    }
}

uint64_t
metrics_http_n_scrapes(const struct metrics_http *mh)
{
    return mh ? mh->n_scrapes : 0;
}

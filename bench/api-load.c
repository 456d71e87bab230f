/*
 * api-load: the load generator of bench/api-bench.  It creates ports on a
 * network through dvr-api with CLIENTS concurrent keep-alive HTTP
 * connections (one libevent loop, each connection sending its next
 * request as soon as the previous one is answered) and prints the rate
 * and the latency distribution.
 *
 * Usage: api-load URL NETWORK-ID CLIENTS PORTS
 * Output: one line, "clients=N ports=N ok=N errors=N seconds=S rate=R/s
 * p50_ms=X p90_ms=X p99_ms=X max_ms=X".  Exits 1 if any request failed.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "util.h"

struct client {
    struct load *load;
    struct evhttp_connection *conn;
    double started;
    int index;
};

struct load {
    struct event_base *base;
    const char *host;
    int port;
    const char *network;
    int total, sent, done, ok, errors;
    double *latencies;
};

static double
now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static void send_next(struct client *);

static void
done(struct evhttp_request *req, void *client_)
{
    struct client *c = client_;
    struct load *load = c->load;
    int status = req ? evhttp_request_get_response_code(req) : 0;
    load->latencies[load->done++] = now() - c->started;
    if (status == 201) {
        load->ok++;
    } else {
        load->errors++;
        if (load->errors <= 3) {
            fprintf(stderr, "api-load: answer %d\n", status);
        }
    }
    if (load->done == load->total) {
        event_base_loopbreak(load->base);
    } else {
        send_next(c);
    }
}

static void
send_next(struct client *c)
{
    struct load *load = c->load;
    if (load->sent >= load->total) {
        return;
    }
    int n = load->sent++;
    struct evhttp_request *req = evhttp_request_new(done, c);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", load->host);
    evhttp_add_header(h, "Content-Type", "application/json");
    char *body = xasprintf("{\"port\": {\"network_id\": \"%s\", "
                           "\"name\": \"bench-%d\"}}", load->network, n);
    evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
    free(body);
    c->started = now();
    if (evhttp_make_request(c->conn, req, EVHTTP_REQ_POST, "/v2.0/ports")) {
        ovs_fatal(0, "cannot send a request");
    }
}

static int
compare_doubles(const void *a_, const void *b_)
{
    const double *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc != 5) {
        ovs_fatal(0, "usage: %s URL NETWORK-ID CLIENTS PORTS", argv[0]);
    }
    struct evhttp_uri *uri = evhttp_uri_parse(argv[1]);
    if (!uri || !evhttp_uri_get_host(uri)) {
        ovs_fatal(0, "bad URL %s", argv[1]);
    }
    int n_clients = atoi(argv[3]);
    struct load load = {
        .base = event_base_new(),
        .host = evhttp_uri_get_host(uri),
        .port = evhttp_uri_get_port(uri),
        .network = argv[2],
        .total = atoi(argv[4]),
    };
    if (n_clients < 1 || load.total < 1) {
        ovs_fatal(0, "CLIENTS and PORTS must be positive");
    }
    load.latencies = xcalloc(load.total, sizeof *load.latencies);

    struct client *clients = xcalloc(n_clients, sizeof *clients);
    double start = now();
    for (int i = 0; i < n_clients; i++) {
        clients[i].load = &load;
        clients[i].index = i;
        clients[i].conn = evhttp_connection_base_new(load.base, NULL,
                                                     load.host, load.port);
        evhttp_connection_set_timeout(clients[i].conn, 60);
        send_next(&clients[i]);
    }
    event_base_dispatch(load.base);
    double seconds = now() - start;

    qsort(load.latencies, load.done, sizeof *load.latencies,
          compare_doubles);
#define PCT(P) (load.latencies[MIN(load.done - 1,                       \
                                   (int) ((P) * load.done / 100))] * 1e3)
    printf("clients=%d ports=%d ok=%d errors=%d seconds=%.2f rate=%.0f/s "
           "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
           n_clients, load.total, load.ok, load.errors, seconds,
           load.ok / seconds, PCT(50), PCT(90), PCT(99),
           load.latencies[load.done - 1] * 1e3);

    for (int i = 0; i < n_clients; i++) {
        evhttp_connection_free(clients[i].conn);
    }
    free(clients);
    free(load.latencies);
    evhttp_uri_free(uri);
    event_base_free(load.base);
    return load.errors ? 1 : 0;
}

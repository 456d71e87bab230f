/*
 * metrics/http: the HTTP endpoint that serves a daemon's metrics
 * (GET /metrics, Prometheus text format 0.0.4), with libevent's evhttp.
 *
 * Event loop: both daemons run Open vSwitch's poll loop.  dvr-api already
 * runs libevent inside it (api/server.h) and hands its event base over;
 * dvr-controller passes none, and the endpoint then has a base of its own
 * that metrics_http_run() dispatches without blocking and
 * metrics_http_wait() registers with poll_fd_wait() and
 * poll_timer_wait(), the way dvr-api does.  So a scrape is answered by
 * the daemon's main thread, between two iterations of its loop, from its
 * live state: no thread, no lock, no copy of the state; a scrape waits at
 * most for the iteration in progress.
 *
 * Contract
 *   - The address is numeric: "IPV4:PORT" or "[IPV6]:PORT", port 1 to
 *     65535.  metrics_http_parse_address() says what is wrong with one.
 *   - GET and HEAD of /metrics get 200 and what 'cb' writes, with the
 *     exposition format's content type; any other method gets 405, any
 *     other path 404; headers over 8 kB or a body over 1 kB are refused
 *     by evhttp (400, 413).  Idle connections close after 10 s.
 *   - There is no authentication: bind the endpoint to a management
 *     address only (doc/metrics.md).
 */

#ifndef METRICS_HTTP_H
#define METRICS_HTTP_H 1

#include <stdint.h>

#include "openvswitch/compiler.h"

struct ds;
struct event_base;

typedef void metrics_http_cb(struct ds *out, void *aux);

/* Parses 'address'.  On success returns NULL and sets '*hostp' (to free)
 * and '*portp'; otherwise returns an error message (to free). */
char *metrics_http_parse_address(const char *address, char **hostp,
                                 uint16_t *portp) OVS_WARN_UNUSED_RESULT;

/* Listens on 'address'.  Returns NULL and sets '*errorp' (to free) if the
 * address is bad or cannot be bound. */
struct metrics_http *metrics_http_create(struct event_base *base,
                                         const char *address,
                                         metrics_http_cb *cb, void *aux,
                                         char **errorp);
void metrics_http_destroy(struct metrics_http *);

/* With a base of its own only (else the owner of the base runs it). */
void metrics_http_run(struct metrics_http *);
void metrics_http_wait(struct metrics_http *);

/* Scrapes answered so far. */
uint64_t metrics_http_n_scrapes(const struct metrics_http *);

#endif /* metrics/http.h */

/*
 * api/exporter: dvr-api's metrics, served in the Prometheus text format on
 * --metrics=ADDR:PORT, a listener of its own beside the API's, on the
 * API's libevent base (metrics/http), so scrapes are answered in dvr-api's
 * one thread like its requests.  doc/metrics.md lists the metrics.
 *
 * Contract
 *   - Off unless api_exporter_listen() succeeded.  Every answered API
 *     request is counted by method, resource and status, and its latency
 *     (arrival to answer, waits for the NB database included) observed;
 *     requests libevent itself rejects (an unknown HTTP method, headers
 *     or body over the limits) never reach dvr-api and are not counted.
 *   - No authentication: bind it to a management address only.
 */

#ifndef API_EXPORTER_H
#define API_EXPORTER_H 1

#include <stdbool.h>
#include <stddef.h>

struct event_base;

/* What the server reports at each scrape. */
struct api_exporter_state {
    bool nb_connected;
    size_t in_flight;               /* Transactions being committed. */
    size_t waiting;                 /* Requests waiting for the NB. */
    size_t authenticating;          /* Tokens Keystone is validating. */
};

typedef void api_exporter_state_cb(struct api_exporter_state *, void *aux);

struct api_exporter *api_exporter_create(void);
void api_exporter_destroy(struct api_exporter *);

/* Serves the metrics on 'address' ("IP:PORT" or "[IPV6]:PORT") with
 * 'base'; 'cb' fills the state at each scrape.  Returns 0, or an errno
 * value and an error message in '*errorp' (to free). */
int api_exporter_listen(struct api_exporter *, struct event_base *base,
                        const char *address, api_exporter_state_cb *cb,
                        void *aux, char **errorp);

/* Counts one answered request: 'method' as HTTP names it, 'resource' the
 * collection ("networks", ...) or NULL, 'usec' from arrival to answer. */
void api_exporter_request(struct api_exporter *, const char *method,
                          const char *resource, int status,
                          long long int usec);

#endif /* api/exporter.h */

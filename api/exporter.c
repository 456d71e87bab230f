/*
 * api/exporter: see exporter.h.
 */

#include <config.h>

#include "api/exporter.h"

#include <errno.h>
#include <stdio.h>

#include "metrics/http.h"
#include "metrics/metrics.h"
#include "openvswitch/dynamic-string.h"
#include "timeval.h"
#include "util.h"

struct api_exporter {
    struct metrics_http *http;      /* NULL while off. */
    api_exporter_state_cb *state_cb;
    void *state_aux;
    long long int started_msec;

    struct metrics *m;
    struct metrics_family *info;
    struct metrics_family *uptime;
    struct metrics_family *requests;
    struct metrics_family *latency;
    struct metrics_family *nb_connected;
    struct metrics_family *pending;
};

struct api_exporter *
api_exporter_create(void)
{
    struct api_exporter *e = xzalloc(sizeof *e);
    struct metrics *m = metrics_create();

    e->m = m;
    e->started_msec = time_msec();
    e->info = metrics_register(m, METRICS_GAUGE, "dvr_api_info",
                               "This dvr-api: its version (always 1).",
                               METRICS_LABELS("version"), NULL, 0);
    metrics_set(metrics_get(e->info, METRICS_LABELS(DVR_VERSION)), 1);
    e->uptime = metrics_register(m, METRICS_GAUGE, "dvr_api_uptime_seconds",
                                 "Seconds since dvr-api started.", NULL,
                                 NULL, 0);
    e->requests = metrics_register(
        m, METRICS_COUNTER, "dvr_api_requests_total",
        "API requests answered, by HTTP method, resource (the collection, "
        "or \"none\") and status code.",
        METRICS_LABELS("method", "resource", "status"), NULL, 0);
    e->latency = metrics_register(
        m, METRICS_HISTOGRAM, "dvr_api_request_duration_seconds",
        "Time from a request's arrival to its answer, by HTTP method.",
        METRICS_LABELS("method"), metrics_latency_buckets,
        metrics_n_latency_buckets);
    e->nb_connected = metrics_register(m, METRICS_GAUGE,
                                       "dvr_api_nb_connected",
                                       "1 if connected to the NB database.",
                                       NULL, NULL, 0);
    e->pending = metrics_register(
        m, METRICS_GAUGE, "dvr_api_requests_pending",
        "Requests not answered yet, by what they wait for (commit, nb, "
        "keystone).", METRICS_LABELS("state"), NULL, 0);
    return e;
}

void
api_exporter_destroy(struct api_exporter *e)
{
    if (e) {
        metrics_http_destroy(e->http);
        metrics_destroy(e->m);
        free(e);
    }
}

static void
api_exporter_scrape(struct ds *out, void *e_)
{
    struct api_exporter *e = e_;
    struct api_exporter_state st = { .nb_connected = false };

    e->state_cb(&st, e->state_aux);
    metrics_set(metrics_get(e->uptime, NULL),
                (time_msec() - e->started_msec) / 1e3);
    metrics_set(metrics_get(e->nb_connected, NULL), st.nb_connected);
    metrics_set(metrics_get(e->pending, METRICS_LABELS("commit")),
                st.in_flight);
    metrics_set(metrics_get(e->pending, METRICS_LABELS("nb")), st.waiting);
    metrics_set(metrics_get(e->pending, METRICS_LABELS("keystone")),
                st.authenticating);
    metrics_format(e->m, out);
}

int
api_exporter_listen(struct api_exporter *e, struct event_base *base,
                    const char *address, api_exporter_state_cb *cb,
                    void *aux, char **errorp)
{
    ovs_assert(!e->http);
    e->state_cb = cb;
    e->state_aux = aux;
    e->http = metrics_http_create(base, address, api_exporter_scrape, e,
                                  errorp);
    return e->http ? 0 : EINVAL;
}

void
api_exporter_request(struct api_exporter *e, const char *method,
                     const char *resource, int status, long long int usec)
{
    char status_s[16];

    if (!e->http) {
        return;
    }
    snprintf(status_s, sizeof status_s, "%d", status);
    metrics_add(metrics_get(e->requests, METRICS_LABELS(
                                method, resource ? resource : "none",
                                status_s)), 1);
    metrics_observe(metrics_get(e->latency, METRICS_LABELS(method)),
                    usec / 1e6);
}

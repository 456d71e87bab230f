/*
 * controller/exporter: dvr-controller's metrics, served in the Prometheus
 * text format on external_ids:dvr-metrics-address (doc/metrics.md lists
 * every metric).
 *
 * Design: the HTTP endpoint (metrics/http) runs in the controller's main
 * thread, inside OVS's poll loop (its libevent fds go to poll_fd_wait()),
 * not in a thread of its own: a scrape is answered by exporter_run(),
 * between two iterations, from the live state the caller passes in
 * (installed flows, engine and ofctrl statistics, pinctrl's counters, the
 * NB IDL), so there is no snapshot to copy and no lock.  Only what must be
 * seen when it happens is recorded as it happens: the latency of each
 * compile that changed flows (exporter_note_compile()), of each iteration
 * that installed changes (exporter_note_change()) and of each bundle a
 * bridge committed (seen by exporter_run() from ofctrl's counters).
 *
 * Meter drops come from the switch: each scrape asks pinctrl for br-int's
 * meter statistics and reports the last complete answer (so they lag one
 * scrape; dvr_controller_meter_stats_age_seconds says by how much).
 *
 * Contract
 *   - Off until exporter_set_address() gets an address.  A bad or
 *     unbindable address is logged once (one line naming the key and the
 *     reason) and leaves the metrics off until the setting changes.
 *   - The input's pointers are used only during exporter_run().
 */

#ifndef CONTROLLER_EXPORTER_H
#define CONTROLLER_EXPORTER_H 1

#include <stdbool.h>
#include <stddef.h>

struct engine;
struct ofctrl;
struct ovsdb_idl;
struct pinctrl;
struct shash;
struct simap;

struct exporter_input {
    const char *chassis;            /* NULL while not configured: then
                                     * only the process-wide metrics. */
    const struct engine *engine;
    const struct ofctrl *br_int;
    const struct ofctrl *br_tun;
    const struct shash *br_ex;      /* Bridge name -> struct ofctrl. */
    struct pinctrl *pinctrl;
    struct ovsdb_idl *nb_idl;
    const struct simap *vifs;       /* iface-id -> ofport on br-int. */
};

struct exporter *exporter_create(void);
void exporter_destroy(struct exporter *);

/* Listens on 'address' ("IP:PORT", "[IPV6]:PORT"); NULL or "" turns the
 * metrics off.  Does nothing if 'address' is the current setting. */
void exporter_set_address(struct exporter *, const char *address);

/* Compile latency.  The caller passes exporter_dirty_flows() from before
 * engine_run() to exporter_note_compile() after it, with engine_run()'s
 * result: the run is observed if it was full or marked flows to install
 * (a run that changed nothing, most of them, is not). */
size_t exporter_dirty_flows(struct engine *);
void exporter_note_compile(struct exporter *, struct engine *, bool full,
                           size_t dirty_before);

/* An iteration that installed changes: 'change_usec' from the start of
 * its compile to the end of its install. */
void exporter_note_change(struct exporter *, long long int change_usec);

void exporter_run(struct exporter *, const struct exporter_input *);
void exporter_wait(struct exporter *);

#endif /* controller/exporter.h */

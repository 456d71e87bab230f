/*
 * metrics/metrics: a registry of metrics and their Prometheus text
 * exposition (format 0.0.4), shared by dvr-controller and dvr-api.
 *
 * A registry holds families in the order they were registered.  A family
 * has a name, a help text, a type (counter, gauge or histogram) and a
 * fixed list of label names; a histogram also has fixed bucket bounds.
 * Each distinct list of label values is one series, created on first use
 * by metrics_get().  metrics_format() writes every family:
 *
 *     # HELP NAME HELP
 *     # TYPE NAME TYPE
 *     NAME{LABEL="VALUE",...} VALUE
 *
 * with a histogram's series as NAME_bucket{...,le="BOUND"} (cumulative,
 * the last le="+Inf"), NAME_sum and NAME_count.  Series are printed
 * sorted by their label values, so the output does not depend on the
 * order of the updates.
 *
 * Contract
 *   - Names and label names are the program's own: invalid ones are a
 *     programming error (assertion).  Label values may come from anywhere
 *     (an iface-id, a bridge name): they are escaped (backslash, double
 *     quote, newline) and bytes that are not UTF-8 become U+FFFD, so the
 *     output always parses.
 *   - A family without labels has its one series from the start (a
 *     counter shows 0 before its first event).
 *   - metrics_clear() removes a family's series: a gauge filled afresh
 *     for each scrape (flows per table) loses what no longer exists.
 *   - Not thread-safe: one thread owns a registry.
 */

#ifndef METRICS_METRICS_H
#define METRICS_METRICS_H 1

#include <stddef.h>

struct ds;

enum metrics_type {
    METRICS_COUNTER,
    METRICS_GAUGE,
    METRICS_HISTOGRAM,
};

/* The content type of metrics_format()'s output. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A NULL-terminated list of label names or values. */
#define METRICS_LABELS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* Latency buckets in seconds, 100 us to 10 s. */
extern const double metrics_latency_buckets[];
extern const size_t metrics_n_latency_buckets;

struct metrics;
struct metrics_family;
struct metrics_series;

struct metrics *metrics_create(void);
void metrics_destroy(struct metrics *);

/* Registers a family.  'labels' is NULL or METRICS_LABELS(...); a
 * histogram's 'bounds' ('n_bounds' of them, increasing, finite) are its
 * buckets' upper bounds (+Inf is implied). */
struct metrics_family *metrics_register(struct metrics *,
                                        enum metrics_type, const char *name,
                                        const char *help,
                                        const char *const *labels,
                                        const double *bounds,
                                        size_t n_bounds);

/* The series of 'family' with label values 'values' (NULL or
 * METRICS_LABELS(...), as many as the family has label names). */
struct metrics_series *metrics_get(struct metrics_family *,
                                   const char *const *values);

/* Removes every series of 'family' (those of a family without labels are
 * reset to zero). */
void metrics_clear(struct metrics_family *);

/* Counters and gauges. */
void metrics_add(struct metrics_series *, double delta);
void metrics_set(struct metrics_series *, double value);
double metrics_value(const struct metrics_series *);

/* Histograms. */
void metrics_observe(struct metrics_series *, double value);

/* Appends the exposition of every family to 's'. */
void metrics_format(const struct metrics *, struct ds *s);

/* Appends 'value' as the format writes numbers: integers without a
 * fraction, others in the shortest form that reads back the same, and
 * "+Inf", "-Inf", "NaN". */
void metrics_format_number(double value, struct ds *s);

#endif /* metrics/metrics.h */

/*
 * metrics/metrics: see metrics.h.
 */

#include <config.h>

#include "metrics/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "util.h"

const double metrics_latency_buckets[] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
const size_t metrics_n_latency_buckets = ARRAY_SIZE(metrics_latency_buckets);

struct metrics {
    struct ovs_list families;       /* struct metrics_family, in order. */
};

struct metrics_family {
    struct ovs_list node;           /* In metrics->families. */
    enum metrics_type type;
    char *name;
    char *help;
    char **labels;                  /* Label names. */
    size_t n_labels;
    double *bounds;                 /* Histograms: bucket upper bounds. */
    size_t n_bounds;
    struct hmap series;             /* struct metrics_series, by key. */
};

struct metrics_series {
    struct hmap_node node;          /* In family->series. */
    struct metrics_family *family;
    char *key;                      /* Escaped 'k="v",...' (no braces). */
    double value;                   /* Counters, gauges; histograms: sum. */
    unsigned long long int count;   /* Histograms: observations. */
    unsigned long long int *buckets; /* Histograms: per bucket (not
                                      * cumulative), n_bounds of them. */
};

static bool
valid_name(const char *s, bool colon)
{
    if (!s[0] || (s[0] >= '0' && s[0] <= '9')) {
        return false;
    }
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || (colon && c == ':'))) {
            return false;
        }
    }
    return true;
}

struct metrics *
metrics_create(void)
{
    struct metrics *m = xmalloc(sizeof *m);
    ovs_list_init(&m->families);
    return m;
}

static void
series_destroy(struct metrics_series *s)
{
    free(s->key);
    free(s->buckets);
    free(s);
}

void
metrics_destroy(struct metrics *m)
{
    struct metrics_family *f;

    if (!m) {
        return;
    }
    LIST_FOR_EACH_POP (f, node, &m->families) {
        struct metrics_series *s;
        HMAP_FOR_EACH_POP (s, node, &f->series) {
            series_destroy(s);
        }
        hmap_destroy(&f->series);
        for (size_t i = 0; i < f->n_labels; i++) {
            free(f->labels[i]);
        }
        free(f->labels);
        free(f->bounds);
        free(f->name);
        free(f->help);
        free(f);
    }
    free(m);
}

struct metrics_family *
metrics_register(struct metrics *m, enum metrics_type type, const char *name,
                 const char *help, const char *const *labels,
                 const double *bounds, size_t n_bounds)
{
    struct metrics_family *f = xzalloc(sizeof *f);

    ovs_assert(valid_name(name, true));
    f->type = type;
    f->name = xstrdup(name);
    f->help = xstrdup(help);
    for (size_t i = 0; labels && labels[i]; i++) {
        ovs_assert(valid_name(labels[i], false)
                   && strncmp(labels[i], "__", 2)
                   && (type != METRICS_HISTOGRAM || strcmp(labels[i], "le")));
        f->labels = xrealloc(f->labels, (i + 1) * sizeof *f->labels);
        f->labels[i] = xstrdup(labels[i]);
        f->n_labels = i + 1;
    }
    if (type == METRICS_HISTOGRAM) {
        for (size_t i = 0; i < n_bounds; i++) {
            ovs_assert(isfinite(bounds[i])
                       && (!i || bounds[i] > bounds[i - 1]));
        }
        f->bounds = xmemdup(bounds, n_bounds * sizeof *bounds);
        f->n_bounds = n_bounds;
    }
    hmap_init(&f->series);
    ovs_list_push_back(&m->families, &f->node);
    if (!f->n_labels) {
        metrics_get(f, NULL);
    }
    return f;
}

/* Appends 'v' to 's' as an escaped label value: '\', '"' and newline
 * escaped, invalid UTF-8 replaced by U+FFFD. */
static void
put_label_value(struct ds *s, const char *v)
{
    const unsigned char *p = (const unsigned char *) v;

    while (*p) {
        unsigned char c = *p;
        size_t n = (c < 0x80 ? 1
                    : c >= 0xc2 && c <= 0xdf ? 2
                    : c >= 0xe0 && c <= 0xef ? 3
                    : c >= 0xf0 && c <= 0xf4 ? 4 : 0);
        bool ok = n > 0;
        for (size_t i = 1; ok && i < n; i++) {
            ok = (p[i] & 0xc0) == 0x80;
        }
        if (ok && n == 3) {
            /* No overlong forms, no surrogates. */
            ok = !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] >= 0xa0);
        } else if (ok && n == 4) {
            ok = !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] >= 0x90);
        }
        if (!ok) {
            ds_put_cstr(s, "\xef\xbf\xbd");
            p++;
        } else if (c == '\\') {
            ds_put_cstr(s, "\\\\");
            p++;
        } else if (c == '"') {
            ds_put_cstr(s, "\\\"");
            p++;
        } else if (c == '\n') {
            ds_put_cstr(s, "\\n");
            p++;
        } else {
            ds_put_buffer(s, (const char *) p, n);
            p += n;
        }
    }
}

struct metrics_series *
metrics_get(struct metrics_family *f, const char *const *values)
{
    struct ds key = DS_EMPTY_INITIALIZER;
    size_t n = 0;

    for (; values && values[n]; n++) {
        ovs_assert(n < f->n_labels);
        ds_put_format(&key, "%s%s=\"", n ? "," : "", f->labels[n]);
        put_label_value(&key, values[n]);
        ds_put_char(&key, '"');
    }
    ovs_assert(n == f->n_labels);

    const char *k = ds_cstr(&key);
    uint32_t hash = hash_string(k, 0);
    struct metrics_series *s;
    HMAP_FOR_EACH_WITH_HASH (s, node, hash, &f->series) {
        if (!strcmp(s->key, k)) {
            ds_destroy(&key);
            return s;
        }
    }
    s = xzalloc(sizeof *s);
    s->family = f;
    s->key = ds_steal_cstr(&key);
    if (f->type == METRICS_HISTOGRAM) {
        s->buckets = xcalloc(MAX(f->n_bounds, 1), sizeof *s->buckets);
    }
    hmap_insert(&f->series, &s->node, hash);
    return s;
}

void
metrics_clear(struct metrics_family *f)
{
    struct metrics_series *s;

    HMAP_FOR_EACH_POP (s, node, &f->series) {
        series_destroy(s);
    }
    if (!f->n_labels) {
        metrics_get(f, NULL);
    }
}

void
metrics_add(struct metrics_series *s, double delta)
{
    ovs_assert(s->family->type != METRICS_HISTOGRAM);
    s->value += delta;
}

void
metrics_set(struct metrics_series *s, double value)
{
    ovs_assert(s->family->type != METRICS_HISTOGRAM);
    s->value = value;
}

double
metrics_value(const struct metrics_series *s)
{
    return s->value;
}

void
metrics_observe(struct metrics_series *s, double value)
{
    const struct metrics_family *f = s->family;

    ovs_assert(f->type == METRICS_HISTOGRAM);
    for (size_t i = 0; i < f->n_bounds; i++) {
        if (value <= f->bounds[i]) {
            s->buckets[i]++;
            break;
        }
    }
    s->count++;
    s->value += value;
}

void
metrics_format_number(double v, struct ds *s)
{
    if (isnan(v)) {
        ds_put_cstr(s, "NaN");
    } else if (isinf(v)) {
        ds_put_cstr(s, v > 0 ? "+Inf" : "-Inf");
    } else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        ds_put_format(s, "%.0f", v);
    } else {
        char buf[64];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v);
            if (strtod(buf, NULL) == v) {
                break;
            }
        }
        ds_put_cstr(s, buf);
    }
}

static int
compare_series(const void *a_, const void *b_)
{
    const struct metrics_series *const *a = a_;
    const struct metrics_series *const *b = b_;
    return strcmp((*a)->key, (*b)->key);
}

static void
put_sample(struct ds *s, const char *name, const char *suffix,
           const char *key, const char *extra, double value)
{
    ds_put_format(s, "%s%s", name, suffix);
    if (key[0] || extra) {
        ds_put_format(s, "{%s%s%s}", key, key[0] && extra ? "," : "",
                      extra ? extra : "");
    }
    ds_put_char(s, ' ');
    metrics_format_number(value, s);
    ds_put_char(s, '\n');
}

static void
format_family(const struct metrics_family *f, struct ds *s)
{
    static const char *const types[] = {
        [METRICS_COUNTER] = "counter",
        [METRICS_GAUGE] = "gauge",
        [METRICS_HISTOGRAM] = "histogram",
    };

    ds_put_format(s, "# HELP %s ", f->name);
    for (const char *p = f->help; *p; p++) {
        if (*p == '\\') {
            ds_put_cstr(s, "\\\\");
        } else if (*p == '\n') {
            ds_put_cstr(s, "\\n");
        } else {
            ds_put_char(s, *p);
        }
    }
    ds_put_format(s, "\n# TYPE %s %s\n", f->name, types[f->type]);

    size_t n = hmap_count(&f->series), i = 0;
    const struct metrics_series **all = xmalloc(MAX(n, 1) * sizeof *all);
    const struct metrics_series *series;
    HMAP_FOR_EACH (series, node, &f->series) {
        all[i++] = series;
    }
    qsort(all, n, sizeof *all, compare_series);

    for (i = 0; i < n; i++) {
        const struct metrics_series *se = all[i];
        if (f->type != METRICS_HISTOGRAM) {
            put_sample(s, f->name, "", se->key, NULL, se->value);
            continue;
        }
        unsigned long long int cumulative = 0;
        struct ds le = DS_EMPTY_INITIALIZER;
        for (size_t b = 0; b < f->n_bounds; b++) {
            cumulative += se->buckets[b];
            ds_clear(&le);
            ds_put_cstr(&le, "le=\"");
            metrics_format_number(f->bounds[b], &le);
            ds_put_char(&le, '"');
            put_sample(s, f->name, "_bucket", se->key, ds_cstr(&le),
                       cumulative);
        }
        put_sample(s, f->name, "_bucket", se->key, "le=\"+Inf\"", se->count);
        put_sample(s, f->name, "_sum", se->key, NULL, se->value);
        put_sample(s, f->name, "_count", se->key, NULL, se->count);
        ds_destroy(&le);
    }
    free(all);
}

void
metrics_format(const struct metrics *m, struct ds *s)
{
    const struct metrics_family *f;

    LIST_FOR_EACH (f, node, &m->families) {
        format_family(f, s);
    }
}

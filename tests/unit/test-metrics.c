/*
 * Unit tests of metrics/metrics (the Prometheus text exposition) and of
 * metrics/http's address parser.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/http.h"
#include "metrics/metrics.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

static char *
format(const struct metrics *m)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    metrics_format(m, &s);
    return ds_steal_cstr(&s);
}

Test(metrics, counter_and_gauge)
{
    struct metrics *m = metrics_create();
    struct metrics_family *c = metrics_register(
        m, METRICS_COUNTER, "x_total", "Things.", NULL, NULL, 0);
    struct metrics_family *g = metrics_register(
        m, METRICS_GAUGE, "y", "Level\\of\nthings.",
        METRICS_LABELS("bridge", "table"), NULL, 0);
    char *out = format(m);
    cr_assert_str_eq(out, "# HELP x_total Things.\n"
                     "# TYPE x_total counter\n"
                     "x_total 0\n"
                     "# HELP y Level\\\\of\\nthings.\n"
                     "# TYPE y gauge\n");
    free(out);

    metrics_add(metrics_get(c, NULL), 2);
    metrics_add(metrics_get(c, NULL), 1);
    metrics_set(metrics_get(g, METRICS_LABELS("br-tun", "1")), 7);
    metrics_set(metrics_get(g, METRICS_LABELS("br-int", "21")), 0.5);
    metrics_set(metrics_get(g, METRICS_LABELS("br-int", "21")), 1.25);
    out = format(m);
    cr_assert_str_eq(out, "# HELP x_total Things.\n"
                     "# TYPE x_total counter\n"
                     "x_total 3\n"
                     "# HELP y Level\\\\of\\nthings.\n"
                     "# TYPE y gauge\n"
                     "y{bridge=\"br-int\",table=\"21\"} 1.25\n"
                     "y{bridge=\"br-tun\",table=\"1\"} 7\n");
    free(out);

    metrics_clear(g);
    metrics_clear(c);
    out = format(m);
    cr_assert_str_eq(out, "# HELP x_total Things.\n"
                     "# TYPE x_total counter\n"
                     "x_total 0\n"
                     "# HELP y Level\\\\of\\nthings.\n"
                     "# TYPE y gauge\n");
    free(out);
    metrics_destroy(m);
}

Test(metrics, escaping)
{
    struct metrics *m = metrics_create();
    struct metrics_family *g = metrics_register(
        m, METRICS_GAUGE, "g", "h", METRICS_LABELS("port"), NULL, 0);

    metrics_set(metrics_get(g, METRICS_LABELS("a\"b\\c\nd")), 1);
    /* Invalid UTF-8 (a lone continuation byte, a truncated sequence, an
     * overlong NUL) becomes U+FFFD; valid UTF-8 stays. */
    metrics_set(metrics_get(g, METRICS_LABELS("x\x80y\xc3")), 2);
    metrics_set(metrics_get(g, METRICS_LABELS("\xc0\x80\xc3\xa9")), 3);
    char *out = format(m);
    cr_assert_str_eq(out, "# HELP g h\n# TYPE g gauge\n"
                     "g{port=\"a\\\"b\\\\c\\nd\"} 1\n"
                     "g{port=\"x\xef\xbf\xbdy\xef\xbf\xbd\"} 2\n"
                     "g{port=\"\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\"} 3\n");
    free(out);
    metrics_destroy(m);
}

Test(metrics, histogram)
{
    static const double bounds[] = { 0.001, 0.01, 1 };
    struct metrics *m = metrics_create();
    struct metrics_family *h = metrics_register(
        m, METRICS_HISTOGRAM, "lat_seconds", "Latency.",
        METRICS_LABELS("kind"), bounds, ARRAY_SIZE(bounds));
    struct metrics_series *s = metrics_get(h, METRICS_LABELS("full"));

    metrics_observe(s, 0.0005);
    metrics_observe(s, 0.001);      /* On a bound: that bucket. */
    metrics_observe(s, 0.5);
    metrics_observe(s, 3);          /* Only +Inf. */
    char *out = format(m);
    cr_assert_str_eq(out, "# HELP lat_seconds Latency.\n"
                     "# TYPE lat_seconds histogram\n"
                     "lat_seconds_bucket{kind=\"full\",le=\"0.001\"} 2\n"
                     "lat_seconds_bucket{kind=\"full\",le=\"0.01\"} 2\n"
                     "lat_seconds_bucket{kind=\"full\",le=\"1\"} 3\n"
                     "lat_seconds_bucket{kind=\"full\",le=\"+Inf\"} 4\n"
                     "lat_seconds_sum{kind=\"full\"} 3.5015\n"
                     "lat_seconds_count{kind=\"full\"} 4\n");
    free(out);
    metrics_destroy(m);
}

Test(metrics, histogram_without_labels)
{
    struct metrics *m = metrics_create();
    metrics_register(m, METRICS_HISTOGRAM, "h", "H.", NULL,
                     metrics_latency_buckets, metrics_n_latency_buckets);
    char *out = format(m);
    cr_assert(strstr(out, "\nh_bucket{le=\"0.0001\"} 0\n"));
    cr_assert(strstr(out, "\nh_bucket{le=\"10\"} 0\n"));
    cr_assert(strstr(out, "\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n"));
    free(out);
    metrics_destroy(m);
}

static char *
number(double v)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    metrics_format_number(v, &s);
    return ds_steal_cstr(&s);
}

Test(metrics, numbers)
{
    static const struct {
        double v;
        const char *s;
    } cases[] = {
        { 0, "0" }, { 42, "42" }, { -3, "-3" },
        { 18446744073709551615.0, "1.8446744073709552e+19" },
        { 0.1, "0.1" }, { 2.5e-05, "2.5e-05" }, { 1.0 / 3, NULL },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *s = number(cases[i].v);
        if (cases[i].s) {
            cr_assert_str_eq(s, cases[i].s);
        }
        cr_assert_eq(strtod(s, NULL), cases[i].v, "%s", s);
        free(s);
    }
    char *s = number(INFINITY);
    cr_assert_str_eq(s, "+Inf");
    free(s);
    s = number(-INFINITY);
    cr_assert_str_eq(s, "-Inf");
    free(s);
    s = number(NAN);
    cr_assert_str_eq(s, "NaN");
    free(s);
}

static void
expect_address(const char *address, const char *host, int port)
{
    char *h;
    uint16_t p;
    char *error = metrics_http_parse_address(address, &h, &p);

    if (host) {
        cr_assert_null(error, "%s: %s", address, error);
        cr_assert_str_eq(h, host);
        cr_assert_eq(p, port);
        free(h);
    } else {
        cr_assert_not_null(error, "%s accepted", address);
        cr_assert_null(h);
        free(error);
    }
}

Test(metrics, addresses)
{
    expect_address("127.0.0.1:9100", "127.0.0.1", 9100);
    expect_address("[::1]:9100", "::1", 9100);
    expect_address("0.0.0.0:1", "0.0.0.0", 1);
    expect_address("127.0.0.1", NULL, 0);
    expect_address("9100", NULL, 0);
    expect_address("localhost:9100", NULL, 0);
    expect_address("127.0.0.1:0", NULL, 0);
    expect_address("127.0.0.1:65536", NULL, 0);
    expect_address("127.0.0.1:", NULL, 0);
    expect_address("127.0.0.1:12x", NULL, 0);
    expect_address("127.0.0.1:-5", NULL, 0);
    expect_address("[::1]9100", NULL, 0);
    expect_address("[::1:9100", NULL, 0);
    expect_address("::1:9100", NULL, 0);
    expect_address("", NULL, 0);
}

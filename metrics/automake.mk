# metrics/: the metrics registry, its Prometheus text exposition and the
# HTTP endpoint that serves it, shared by dvr-controller and dvr-api
# (doc/metrics.md).  A convenience library for libevent's flags, part of
# libdvrflow.la.
noinst_LTLIBRARIES += metrics/libdvrmetrics.la
libdvrflow_la_LIBADD += metrics/libdvrmetrics.la
metrics_libdvrmetrics_la_SOURCES = \
	metrics/evpoll.c metrics/evpoll.h \
	metrics/http.c metrics/http.h \
	metrics/metrics.c metrics/metrics.h
metrics_libdvrmetrics_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
metrics_libdvrmetrics_la_LIBADD = $(LIBEVENT_LIBS) -lm

check_PROGRAMS += tests/unit/test-metrics
tests_unit_test_metrics_SOURCES = tests/unit/test-metrics.c
tests_unit_test_metrics_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_metrics_LDADD = libdvrflow.la $(OVS_LIBS) \
	$(CRITERION_LIBS) $(LIBEVENT_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test-metrics

EXTRA_DIST += doc/metrics.md
TESTS += tests/component/metrics.sh
EXTRA_DIST += tests/component/metrics.sh tests/lib/promcheck.py

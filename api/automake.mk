# api/: dvr-api, the Neutron v2.0 REST API (libevent, jansson), IPAM.

# The API's library code is built as a convenience library of its own (for
# its libevent and jansson flags) and becomes part of libdvrflow.la.
noinst_LTLIBRARIES += api/libdvrapi.la
libdvrflow_la_LIBADD += api/libdvrapi.la
api_libdvrapi_la_SOURCES = \
	api/auth.c \
	api/auth.h \
	api/common.c \
	api/core.h \
	api/exporter.c \
	api/exporter.h \
	api/extensions.c \
	api/floatingip.c \
	api/portforwarding.c \
	api/ipam.c \
	api/ipam.h \
	api/json-compat.h \
	api/network.c \
	api/policy.c \
	api/policy.h \
	api/port.c \
	api/qos.c \
	api/query.c \
	api/query.h \
	api/quota.c \
	api/quota.h \
	api/router.c \
	api/secgroup.c \
	api/server.c \
	api/server.h \
	api/subnet.c \
	api/trunk.c \
	api/tls.c \
	api/tls.h \
	api/validate.c \
	api/validate.h
api_libdvrapi_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
api_libdvrapi_la_LIBADD = $(LIBEVENT_LIBS) $(JANSSON_LIBS)

sbin_PROGRAMS += api/dvr-api
api_dvr_api_SOURCES = api/dvr-api.c
api_dvr_api_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
api_dvr_api_LDADD = libdvrflow.la $(OVS_LIBS) $(LIBEVENT_LIBS) \
	$(JANSSON_LIBS)

# Component tests: dvr-api against a private NB ovsdb-server.
EXTRA_DIST += \
	tests/component/api/lib.sh \
	tests/component/api/workflow-check.py
TESTS += tests/component/api-openstack.sh
EXTRA_DIST += tests/component/api-openstack.sh
TESTS += tests/component/api-port-forwarding.sh
EXTRA_DIST += tests/component/api-port-forwarding.sh
TESTS += tests/component/api-qos.sh
EXTRA_DIST += tests/component/api-qos.sh

# Unit tests of the pure modules.
check_PROGRAMS += tests/unit/test-api-ipam tests/unit/test-api-validate
tests_unit_test_api_ipam_SOURCES = tests/unit/test-api-ipam.c
tests_unit_test_api_ipam_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_api_ipam_LDADD = libdvrflow.la $(OVS_LIBS) \
	$(CRITERION_LIBS) $(LIBEVENT_LIBS) $(JANSSON_LIBS)
tests_unit_test_api_validate_SOURCES = tests/unit/test-api-validate.c
tests_unit_test_api_validate_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) \
	$(JANSSON_CFLAGS)
tests_unit_test_api_validate_LDADD = libdvrflow.la $(OVS_LIBS) \
	$(CRITERION_LIBS) $(LIBEVENT_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test-api-ipam tests/unit/test-api-validate
EXTRA_DIST += tests/component/api/concurrency.py
TESTS += tests/component/api-concurrency.sh
EXTRA_DIST += tests/component/api-concurrency.sh
EXTRA_DIST += tests/component/api/fuzz.py
TESTS += tests/component/api-robustness.sh
TESTS += tests/component/api-ipv6.sh
EXTRA_DIST += tests/component/api-ipv6.sh
EXTRA_DIST += tests/component/api-robustness.sh

# dvrctl, the command line over the API.
bin_PROGRAMS += tools/dvrctl
tools_dvrctl_SOURCES = tools/dvrctl.c tools/dvrctl.h tools/dvrctl-trace.c \
	tools/dvrctl-pipeline.c tools/dvrctl-status.c \
	tools/dvrctl-verify.c tools/dvrctl-sync.c
tools_dvrctl_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
tools_dvrctl_LDADD = libdvrflow.la $(OVS_LIBS) $(LIBEVENT_LIBS) \
	$(JANSSON_LIBS)
TESTS += tests/component/api-dvrctl.sh tests/component/dvrctl-sync.sh
EXTRA_DIST += tests/component/api-dvrctl.sh tests/component/dvrctl-sync.sh
# dvrctl pipeline --dot, drawn from a dummy-datapath node.
TESTS += tests/component/dvrctl-pipeline.sh
EXTRA_DIST += tests/component/dvrctl-pipeline.sh

# The benchmark: bench/api-bench drives bench/api-load.
noinst_PROGRAMS += bench/api-load
bench_api_load_SOURCES = bench/api-load.c
bench_api_load_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
bench_api_load_LDADD = $(OVS_LIBS) $(LIBEVENT_LIBS)
EXTRA_DIST += bench/api-bench

EXTRA_DIST += doc/api.md
dist_man_MANS += doc/dvr-api.8 doc/dvrctl.8
TESTS += tests/component/api-trunk.sh
EXTRA_DIST += tests/component/api-trunk.sh

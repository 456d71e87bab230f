# tests/: unit tests (Criterion, no switch), component tests (a real
# ovs-vswitchd on the dummy datapath) and system tests (namespaces, the
# userspace datapath).  "make check" runs them all.

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	abs_top_srcdir='$(abs_top_srcdir)'; export abs_top_srcdir; \
	abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir; \
	OVS_SRCDIR='$(OVS_SRCDIR)'; export OVS_SRCDIR; \
	OVS_BUILDDIR='$(OVS_BUILDDIR)'; export OVS_BUILDDIR; \
	DVR_NB_SCHEMA='$(abs_top_srcdir)/ovsdb/dvrflow-nb.ovsschema'; \
	export DVR_NB_SCHEMA;

EXTRA_DIST += tests/lib/ovs.sh tests/lib/nb.sh

# Unit tests.
UNIT_LDADD = libdvrflow.la $(OVS_LIBS) $(CRITERION_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)

check_PROGRAMS += tests/unit/test-nb-schema
tests_unit_test_nb_schema_SOURCES = tests/unit/test-nb-schema.c
tests_unit_test_nb_schema_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_nb_schema_LDADD = $(OVSDB_LIBS) $(UNIT_LDADD)
TESTS += tests/unit/test-nb-schema

# Component tests.
check_PROGRAMS += tests/component/test-nb-idl
tests_component_test_nb_idl_SOURCES = tests/component/test-nb-idl.c
tests_component_test_nb_idl_LDADD = libdvrflow.la $(OVS_LIBS)
TESTS += tests/component/nb-idl.sh
EXTRA_DIST += tests/component/nb-idl.sh

# Build tests.
TESTS += tests/build/configure-errors.sh
EXTRA_DIST += tests/build/configure-errors.sh

check_PROGRAMS += tests/unit/test-l2
tests_unit_test_l2_SOURCES = tests/unit/test-l2.c
tests_unit_test_l2_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_l2_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-l2

check_PROGRAMS += tests/unit/test-icmp
tests_unit_test_icmp_SOURCES = tests/unit/test-icmp.c
tests_unit_test_icmp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_icmp_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-icmp

check_PROGRAMS += tests/unit/test-sg
tests_unit_test_sg_SOURCES = tests/unit/test-sg.c
tests_unit_test_sg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sg_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-sg

check_PROGRAMS += tests/unit/test-dhcp
tests_unit_test_dhcp_SOURCES = tests/unit/test-dhcp.c
tests_unit_test_dhcp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dhcp_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-dhcp

# tests/: unit tests (Criterion, no switch), component tests (a real
# ovs-vswitchd on the dummy datapath) and system tests (namespaces, the
# userspace datapath).  "make check" runs them all.

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/lib/timed.sh $(SHELL)
AM_TESTS_ENVIRONMENT = \
	abs_top_srcdir='$(abs_top_srcdir)'; export abs_top_srcdir; \
	abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir; \
	OVS_SRCDIR='$(OVS_SRCDIR)'; export OVS_SRCDIR; \
	OVS_BUILDDIR='$(OVS_BUILDDIR)'; export OVS_BUILDDIR; \
	DVR_NB_SCHEMA='$(abs_top_srcdir)/ovsdb/dvrflow-nb.ovsschema'; \
	export DVR_NB_SCHEMA;

EXTRA_DIST += tests/lib/ovs.sh tests/lib/nb.sh tests/lib/dhcp.py \
	tests/lib/keystone.sh tests/lib/timed.sh tests/lib/osc.sh \
	tests/lib/osc-server.py

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

# Incremental must equal full: random NB changes, controller/engine's
# flows compared with a fresh full compile after each.
check_PROGRAMS += tests/component/test-engine-diff
tests_component_test_engine_diff_SOURCES = \
	tests/component/test-engine-diff.c \
	tests/component/engine-diff-gen.c tests/component/engine-diff-gen.h
tests_component_test_engine_diff_LDADD = libdvrflow.la $(OVS_LIBS)
TESTS += tests/component/engine-diff.sh
EXTRA_DIST += tests/component/engine-diff.sh

# Build tests.
TESTS += tests/build/configure-errors.sh tests/build/commands-installed.sh
EXTRA_DIST += tests/build/configure-errors.sh \
	tests/build/commands-installed.sh tests/build/commands.py \
	tests/build/fresh-install.sh
# The Debian packages (debian/): skipped unless DVR_PACKAGE_TEST=yes.
TESTS += tests/build/packages.sh tests/build/install-dirs.sh
EXTRA_DIST += tests/build/packages.sh tests/build/install-dirs.sh

check_PROGRAMS += tests/unit/test-l2
tests_unit_test_l2_SOURCES = tests/unit/test-l2.c \
	tests/unit/flow-text.c tests/unit/flow-text.h
tests_unit_test_l2_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_l2_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-l2

check_PROGRAMS += tests/unit/test-l3
tests_unit_test_l3_SOURCES = tests/unit/test-l3.c \
	tests/unit/flow-text.c tests/unit/flow-text.h
tests_unit_test_l3_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_l3_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-l3

check_PROGRAMS += tests/unit/test-icmp
tests_unit_test_icmp_SOURCES = tests/unit/test-icmp.c
tests_unit_test_icmp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_icmp_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-icmp

check_PROGRAMS += tests/unit/test-sg
tests_unit_test_sg_SOURCES = tests/unit/test-sg.c \
	tests/unit/flow-text.c tests/unit/flow-text.h
tests_unit_test_sg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sg_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-sg

check_PROGRAMS += tests/unit/test-dhcp
tests_unit_test_dhcp_SOURCES = tests/unit/test-dhcp.c
tests_unit_test_dhcp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dhcp_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-dhcp

# The DHCP parser's libFuzzer target (clang): "make fuzz" builds it, "make
# fuzz-run" runs it for FUZZ_SECONDS from the seed corpus; tools/check
# runs it when CI=true and clang is installed.  Not part of "all".
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_SECONDS = 30
FUZZ_DHCP_SEEDS = tests/fuzz/dhcp-corpus/discover \
	tests/fuzz/dhcp-corpus/request tests/fuzz/dhcp-corpus/inform
FUZZ_RA_SEEDS = tests/fuzz/ra-corpus/rs tests/fuzz/ra-corpus/ra
FUZZ_DHCP6_SEEDS = tests/fuzz/dhcp6-corpus/solicit \
	tests/fuzz/dhcp6-corpus/request tests/fuzz/dhcp6-corpus/confirm \
	tests/fuzz/dhcp6-corpus/information-request
EXTRA_DIST += tests/fuzz/fuzz-dhcp.c $(FUZZ_DHCP_SEEDS) \
	tests/fuzz/fuzz-ra.c $(FUZZ_RA_SEEDS) \
	tests/fuzz/fuzz-dhcp6.c $(FUZZ_DHCP6_SEEDS)
CLEANFILES += tests/fuzz/fuzz-dhcp tests/fuzz/fuzz-ra tests/fuzz/fuzz-dhcp6
fuzz: tests/fuzz/fuzz-dhcp tests/fuzz/fuzz-ra tests/fuzz/fuzz-dhcp6
tests/fuzz/fuzz-dhcp: $(srcdir)/tests/fuzz/fuzz-dhcp.c \
		$(srcdir)/pipeline/dhcp.c $(srcdir)/pipeline/dhcp.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && \
	$(LIBTOOL) --quiet --tag=CC --mode=link $(FUZZ_CC) $(FUZZ_CFLAGS) \
		$(AM_CPPFLAGS) -o $@ $(srcdir)/tests/fuzz/fuzz-dhcp.c \
		$(srcdir)/pipeline/dhcp.c $(OVS_LIBS)
tests/fuzz/fuzz-ra: $(srcdir)/tests/fuzz/fuzz-ra.c \
		$(srcdir)/pipeline/ra.c $(srcdir)/pipeline/ra.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && \
	$(LIBTOOL) --quiet --tag=CC --mode=link $(FUZZ_CC) $(FUZZ_CFLAGS) \
		$(AM_CPPFLAGS) -o $@ $(srcdir)/tests/fuzz/fuzz-ra.c \
		$(srcdir)/pipeline/ra.c $(OVS_LIBS)
tests/fuzz/fuzz-dhcp6: $(srcdir)/tests/fuzz/fuzz-dhcp6.c \
		$(srcdir)/pipeline/dhcp6.c $(srcdir)/pipeline/dhcp6.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && \
	$(LIBTOOL) --quiet --tag=CC --mode=link $(FUZZ_CC) $(FUZZ_CFLAGS) \
		$(AM_CPPFLAGS) -o $@ $(srcdir)/tests/fuzz/fuzz-dhcp6.c \
		$(srcdir)/pipeline/dhcp6.c $(OVS_LIBS)
fuzz-run: fuzz
	rm -rf tests/fuzz/dhcp-work && $(MKDIR_P) tests/fuzz/dhcp-work
	for f in $(FUZZ_DHCP_SEEDS); do cp $(srcdir)/$$f tests/fuzz/dhcp-work/; done
	tests/fuzz/fuzz-dhcp -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
		-print_final_stats=1 tests/fuzz/dhcp-work
	rm -rf tests/fuzz/dhcp-work
	rm -rf tests/fuzz/ra-work && $(MKDIR_P) tests/fuzz/ra-work
	for f in $(FUZZ_RA_SEEDS); do cp $(srcdir)/$$f tests/fuzz/ra-work/; done
	tests/fuzz/fuzz-ra -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
		-print_final_stats=1 tests/fuzz/ra-work
	rm -rf tests/fuzz/ra-work
	rm -rf tests/fuzz/dhcp6-work && $(MKDIR_P) tests/fuzz/dhcp6-work
	for f in $(FUZZ_DHCP6_SEEDS); do cp $(srcdir)/$$f tests/fuzz/dhcp6-work/; done
	tests/fuzz/fuzz-dhcp6 -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
		-print_final_stats=1 tests/fuzz/dhcp6-work
	rm -rf tests/fuzz/dhcp6-work
.PHONY: fuzz fuzz-run

check_PROGRAMS += tests/unit/test-dhcp6
tests_unit_test_dhcp6_SOURCES = tests/unit/test-dhcp6.c
tests_unit_test_dhcp6_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dhcp6_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-dhcp6

check_PROGRAMS += tests/unit/test-ra
tests_unit_test_ra_SOURCES = tests/unit/test-ra.c
tests_unit_test_ra_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ra_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-ra

check_PROGRAMS += tests/unit/test-services
tests_unit_test_services_SOURCES = tests/unit/test-services.c
tests_unit_test_services_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_services_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-services

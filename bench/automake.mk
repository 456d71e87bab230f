# bench/: benchmarks; they print figures and never fail on timing.
noinst_PROGRAMS += bench/bench-nb-latency
bench_bench_nb_latency_SOURCES = bench/bench-nb-latency.c \
	bench/bench-util.c bench/bench-util.h
bench_bench_nb_latency_LDADD = libdvrflow.la $(OVS_LIBS)
EXTRA_DIST += bench/controller-bench bench/nb-load.py \
	bench/routing-bench bench/routing-load.py \
	bench/run bench/lib/control.py bench/lib/dataplane.py \
	bench/lib/nodes.py bench/lib/ovsdbrpc.py bench/lib/report.py \
	bench/lib/topology.py bench/lib/plot.py bench/build-ovn-anchor
noinst_PROGRAMS += bench/bench-sg-member
bench_bench_sg_member_SOURCES = bench/bench-sg-member.c \
	bench/bench-util.c bench/bench-util.h
bench_bench_sg_member_LDADD = libdvrflow.la $(OVS_LIBS)
EXTRA_DIST += bench/sg-bench bench/sg-load.py

# The routing and security group benchmarks are quick: CI runs them to
# prove they still work (they fail only on breakage, never on timing).
TESTS += bench/routing-bench bench/sg-bench

# The scale bed (issue 17; doc/benchmarks.md): bench/scale, and its
# smallest size as a test that it still runs.
EXTRA_DIST += bench/scale bench/scale-load.py bench/scale-api.py \
	bench/scale-ovn.py bench/scale-smoke.sh bench/lib/proc.sh
# A gateway chassis on that cloud, conditional monitoring or all.
EXTRA_DIST += bench/gateway-scale
TESTS += bench/scale-smoke.sh

# bench/run's smoke mode (doc/benchmarks.md): proves it still runs.
TESTS += bench/smoke.sh
EXTRA_DIST += bench/smoke.sh

# DHCP: the load generator (also the flood of tests/system/dhcp-flood.sh)
# and the benchmark of the controller's DHCP server.
noinst_PROGRAMS += bench/dhcp-load
bench_dhcp_load_SOURCES = bench/dhcp-load.c
bench_dhcp_load_LDADD = libdvrflow.la $(OVS_LIBS)
EXTRA_DIST += bench/dhcp-bench

# Neutron (issue 13): N ports through neutron-server to ACTIVE, dvrflow's
# ML2 driver and Neutron's ML2/OVN side by side (doc/benchmarks.md); its
# quick mode in the Neutron tier (skipped outside it).
EXTRA_DIST += bench/neutron-bench bench/neutron-smoke.sh \
	bench/lib/neutron_bed.py bench/lib/neutron-services.sh
TESTS += bench/neutron-smoke.sh

# bench/: benchmarks; they print figures and never fail on timing.
noinst_PROGRAMS += bench/bench-nb-latency
bench_bench_nb_latency_SOURCES = bench/bench-nb-latency.c
bench_bench_nb_latency_LDADD = libdvrflow.la $(OVS_LIBS)
EXTRA_DIST += bench/controller-bench bench/nb-load.py \
	bench/routing-bench bench/routing-load.py

# The routing benchmark is quick: CI runs it to prove it still works (it
# fails only on breakage, never on timing).
TESTS += bench/routing-bench

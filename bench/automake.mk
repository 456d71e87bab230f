# bench/: benchmarks; they print figures and never fail on timing.
noinst_PROGRAMS += bench/bench-nb-latency
bench_bench_nb_latency_SOURCES = bench/bench-nb-latency.c
bench_bench_nb_latency_LDADD = libdvrflow.la $(OVS_LIBS)
EXTRA_DIST += bench/controller-bench bench/nb-load.py

# bench/: benchmarks; they print figures and never fail on timing.

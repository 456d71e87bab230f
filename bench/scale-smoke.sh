#!/usr/bin/env bash
# bench/scale in its smallest size, to prove it still runs (a figure line
# for 10 hypervisors with every column measured); never fails on timing.
set -eu
out=$("$abs_top_srcdir/bench/scale" 10 20 5)
echo "$out"
echo "$out" | awk '$1 == 10 && NF == 10 && $7 ~ /^[0-9.]+\/[0-9.]+$/ \
    && $8 ~ /^[0-9.]+\/[0-9.]+$/ { ok = 1 } END { exit !ok }' \
    || { echo "FAIL: bench/scale printed no complete line for 10" >&2; exit 1; }

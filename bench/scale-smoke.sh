#!/usr/bin/env bash
# bench/scale in its smallest size, to prove it still runs (a figure line
# for 10 hypervisors with every column measured, in both monitoring modes)
# and that conditional monitoring keeps remote changes away from hv1 (it
# receives fewer NB rows per remote change than when it monitors all);
# never fails on timing.
set -eu
out=$("$abs_top_srcdir/bench/scale" 10 20 5)
echo "$out"
line() {
    echo "$out" | awk -v m="$1" '$1 == "dvrflow" && $2 == 10 && $3 == m \
        && NF == 19 && $10 ~ /^[0-9.]+\/[0-9.]+$/ \
        && $11 ~ /^[0-9.]+\/[0-9.]+$/ && $12 ~ /^[0-9.]+\/[0-9.]+$/ \
        && $15 ~ /^[0-9]+\/[0-9]+$/ { print }'
}
cond=$(line cond) all=$(line all)
[ -n "$cond" ] && [ -n "$all" ] \
    || { echo "FAIL: bench/scale printed no complete lines for 10" >&2; exit 1; }
rx() { echo "$1" | awk '{ split($15, a, "/"); print a[1] }'; }
[ "$(rx "$cond")" -lt "$(rx "$all")" ] \
    || { echo "FAIL: conditional monitoring received as much" >&2; exit 1; }

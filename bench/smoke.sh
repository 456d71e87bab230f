#!/usr/bin/env bash
# bench/smoke.sh: bench/run's smoke mode (size tiny, no OVN, no data plane)
# proves that the benchmark still runs: it fails on breakage (a daemon
# that does not start, a convergence that never comes, a table without
# figures), never on timing.
set -eu
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir/_build/default}"
out=$(mktemp -d "${TMPDIR:-/tmp}/dvrbench-smoke.XXXXXX")
trap 'rm -rf "$out"' EXIT
python3 "$abs_top_srcdir/bench/run" --sizes tiny --changes 5 \
    --no-dataplane --timeout 60 --builddir "$abs_top_builddir" --out "$out"
python3 - "$out/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["sizes"]["tiny"]["dvrflow"]
for key in ("converge_s", "flows_br_int", "incr_p99_ms", "restart_s",
            "raw_rate", "rate_vs_raw"):
    assert r.get(key) is not None, "no %s in results.json" % key
assert r["flows_br_int"] > 0, "dvr-controller installed no flow"
assert r["incr_n"] == 5, "not every incremental change was measured"
print("bench smoke: %d flows, converge %.3f s, change p99 %.1f ms"
      % (r["flows_total"], r["converge_s"], r["incr_p99_ms"]))
PY
test -s "$out/results.md"

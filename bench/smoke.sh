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
python3 - "$out/results.json" "$abs_top_srcdir/bench/lib" <<'PY'
import copy, json, sys
import xml.etree.ElementTree as ET
results = json.load(open(sys.argv[1]))
r = results["sizes"]["tiny"]["dvrflow"]
assert "error" not in r, "bench/run stopped: %s" % r.get("error")
for key in ("converge_s", "flows_br_int", "incr_p99_ms", "restart_s",
            "raw_rate", "rate_vs_raw"):
    assert r.get(key) is not None, "no %s in results.json" % key
assert r["flows_br_int"] > 0, "dvr-controller installed no flow"
assert r["incr_n"] == 5, "not every incremental change was measured"
print("bench smoke: %d flows, converge %.3f s, change p99 %.1f ms"
      % (r["flows_total"], r["converge_s"], r["incr_p99_ms"]))

# The size curve's plot (written when a run has several sizes): from this
# run's figures and the same at ten times the size, one line per figure,
# every point inside its chart.
sys.path.insert(0, sys.argv[2])
import plot
big = copy.deepcopy(results["sizes"]["tiny"])
big["dims"]["T"] *= 10
for k in ("converge_s", "flows_total", "incr_p99_ms"):
    big["dvrflow"][k] *= 10
results["sizes"]["tiny10"] = big
svg = ET.fromstring(plot.svg(results))
ns = "{http://www.w3.org/2000/svg}"
lines = svg.findall(".//%spolyline" % ns)
assert len(lines) == len(plot.FIGURES), "%d lines" % len(lines)
for pl in lines:
    pts = [tuple(map(float, p.split(","))) for p in pl.get("points").split()]
    assert len(pts) == 2, pl.get("points")
    assert all(0 <= x <= plot.W and 0 <= y <= plot.H for x, y in pts), pts
    assert pts[0][0] < pts[1][0], "x does not grow with the size"
print("bench smoke: the size plot has %d charts" % len(lines))
PY
test -s "$out/results.md"

#!/usr/bin/env bash
# bench/neutron-smoke.sh: bench/neutron-bench's quick mode (20 ports, 2
# hypervisors) proves that the Neutron benchmark still runs: it fails on
# breakage (a service that does not start, an agent that is not alive, a
# port not bound or never ACTIVE, a table without figures), never on
# timing.  Part of the Neutron tier (DVR_NEUTRON_TIER=yes, else skipped).
# dvrflow only, to keep the tier short (about a minute); with
# NEUTRON_SMOKE_OVN=yes, and OVN installed (tools/install-deps --ovn),
# also Neutron's ML2/OVN (about another minute).
set -eu
[ "${DVR_NEUTRON_TIER:-}" = yes ] \
    || { echo "the Neutron tier runs with DVR_NEUTRON_TIER=yes"; exit 77; }
command -v neutron-server >/dev/null || { echo "no neutron-server"; exit 77; }
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir/_build/default}"
backends=dvrflow
if [ "${NEUTRON_SMOKE_OVN:-}" = yes ]; then
    command -v ovn-northd >/dev/null \
        || { echo "NEUTRON_SMOKE_OVN=yes: no OVN installed"; exit 1; }
    backends=dvrflow,ovn
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/dvrnbench-smoke.XXXXXX")
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 "$abs_top_srcdir/bench/neutron-bench" --ports 20 --hvs 2 \
    --clients 4 --backends "$backends" --timeout 120 \
    --builddir "$abs_top_builddir" --out "$out"
/usr/bin/python3 - "$out/neutron.json" "$backends" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
for name in sys.argv[2].split(","):
    r = res[name]
    assert r["n_ports"] == 20, "%s: %d ports ACTIVE" % (name, r["n_ports"])
    for key in ("active_p50_ms", "active_p99_ms", "wall_s",
                "neutron_cpu_s", "backend_cpu_total_s"):
        assert r.get(key) is not None, "%s: no %s" % (name, key)
    assert all(f and f > 0 for f in r["flows_br_int"]), \
        "%s: a hypervisor has no flow on br-int" % name
    print("neutron smoke: %s: 20 ports ACTIVE, p50 %.0f ms, p99 %.0f ms"
          % (name, r["active_p50_ms"], r["active_p99_ms"]))
PY
test -s "$out/neutron.md"

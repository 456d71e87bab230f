#!/usr/bin/env bash
# Component test: 8 clients create 1,000 ports on one /22 at once through
# dvr-api.  All succeed or get a clean 409; no IP or MAC is handed out
# twice, as the answers, the API's list and the NB database (the Fixed_IP
# and Port rows) all show.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
ovs_test_init
# Quotas are not what this test is about: 1,000 ports in one project.
api_start --quota=port=-1

python3 "$abs_top_srcdir/tests/component/api/concurrency.py" "$API_URL" \
    8 1000 || ovs_fail "concurrent port creation"

# The database agrees: one Fixed_IP per port, every (subnet, address) and
# every MAC unique, and one default security group although the first
# ports all wanted to create it.
ovsdb-client -f json transact "$NB_REMOTE" \
    '["DVRFLOW_Northbound",
      {"op": "select", "table": "Fixed_IP", "where": []},
      {"op": "select", "table": "Port", "where": []},
      {"op": "select", "table": "Security_Group", "where": []}]' \
    | python3 -c 'import json, sys
fips, ports, groups = [r["rows"] for r in json.load(sys.stdin)]
assert len(groups) == 1, "%d security groups, not one default" % len(groups)
addrs = [(f["subnet"][1], f["ip_address"]) for f in fips]
macs = [p["mac_address"] for p in ports]
assert len(ports) == 1000, "%d ports" % len(ports)
assert len(fips) == 1000, "%d Fixed_IP rows" % len(fips)
assert len(set(addrs)) == len(addrs), "duplicate addresses in NB"
assert len(set(macs)) == len(macs), "duplicate MACs in NB"' \
    || ovs_fail "NB database check"
ovs-appctl -t "$API_DIR/dvr-api.ctl" dvr-api/status
echo "api-concurrency: ok"

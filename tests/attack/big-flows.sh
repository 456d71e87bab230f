#!/usr/bin/env bash
# Attack (issue 14): NB rows that make one flow's actions exceed an
# OpenFlow message (64 KiB), written straight into NB (dvr-api's quotas,
# tests/attack/quota.sh, stop them on the API path):
#   - 4,200 rules of one group naming the group itself as remote group:
#     the flow of each member address carries 4,200 conjunction actions
#     (16 bytes each);
#   - a port in 2,100 groups: its sg_port_groups flow loads and resubmits
#     2,100 times.
# Before the fix pipeline/flow.c's ovs_assert aborted the controller (and
# again at every restart).  Now the over-long flow is refused with one log
# line naming its table and owner, the ports' other flows install, and the
# controller keeps running and applying changes.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/attack/alive.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1
nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null
export NB_REMOTE
NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)

# attack KIND N UUID: one transaction of N rules (KIND "rules", for group
# UUID) or N groups (KIND "groups", for port UUID).
attack() {
    python3 - "$@" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["abs_top_srcdir"], "bench", "lib"))
from ovsdbrpc import Connection  # noqa: E402
kind, n = sys.argv[1], int(sys.argv[2])
ops = []
if kind == "rules":
    g = sys.argv[3]
    for i in range(n):
        ops.append({"op": "insert", "table": "Security_Group_Rule",
                    "uuid-name": "r%d" % i,
                    "row": {"direction": "ingress", "ethertype": "IPv4",
                            "protocol": "tcp", "port_range_min": 1000 + i,
                            "port_range_max": 1000 + i,
                            "remote_group": ["uuid", g]}})
    ops.append({"op": "mutate", "table": "Security_Group",
                "where": [["_uuid", "==", ["uuid", g]]],
                "mutations": [["rules", "insert",
                               ["set", [["named-uuid", "r%d" % i]
                                        for i in range(n)]]]]})
else:
    p = sys.argv[3]
    for i in range(n):
        ops.append({"op": "insert", "table": "Security_Group",
                    "uuid-name": "g%d" % i,
                    "row": {"name": "g%d" % i, "stateful": True}})
    ops.append({"op": "mutate", "table": "Port",
                "where": [["_uuid", "==", ["uuid", p]]],
                "mutations": [["security_groups", "insert",
                               ["set", [["named-uuid", "g%d" % i]
                                        for i in range(n)]]]]})
Connection(os.environ["NB_REMOTE"]).transact("DVRFLOW_Northbound", ops)
PY
}

G=$(nb_sg big)
nb_sg_rule "$G" egress IPv4 >/dev/null
P1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:01 10.0.0.11 true "$G")
P2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:02 10.0.0.12)
ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
attack_plug vif1 11 "$P1" fa:16:3e:00:00:01
attack_plug vif2 12 "$P2" fa:16:3e:00:00:02
of() { ovs-ofctl -O OpenFlow13 dump-flows br-int "$@"; }
has() { of "$1" | grep -q "$2"; }
ovs_wait_until 10 has table=0 in_port=12 || ovs_fail "vif2 has no flows"
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log

# 4,200 rules naming their own group.
attack rules 4200 "$G" || ovs_fail "inserting the rules failed"
# The rules' own flows (clause 1, one per port number) install...
ovs_wait_until 30 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=26 | grep -q 'tp_dst=5199'" \
    || ovs_fail "the rules' flows were not installed"
# ...the flow of the member address, 4,200 conjunctions, is refused.
ovs_wait_until 10 grep -q "br-int: table 26 priority 90 cookie .*: flow refused: flow_mod of [0-9]* bytes exceeds" "$log" \
    || ovs_fail "no log line for the over-long flow"
grep "flow refused" "$log" | head -1 | cut -c1-200
has table=0 in_port=11 || ovs_fail "vif1's classify flow is gone"
attack_check_alive hv1 "$NA" "$SA" 21 fa:16:3e:00:00:21 10.0.0.21

# A port in 2,100 groups.
attack groups 2100 "$P2" || ovs_fail "inserting the groups failed"
ovs_wait_until 30 grep -q "br-int: table 25 priority 100 cookie .*: flow refused: flow_mod of [0-9]* bytes exceeds" "$log" \
    || ovs_fail "no log line for the port's over-long flow"
has table=0 in_port=12 || ovs_fail "vif2's classify flow is gone"
has table=13 in_port=12 || ovs_fail "vif2's port security flow is gone"
attack_check_alive hv1 "$NA" "$SA" 22 fa:16:3e:00:00:22 10.0.0.22

# And across a restart.
ovs_stop_controller hv1
ovs_start_controller hv1
sleep 3
attack_check_alive hv1 "$NA" "$SA" 23 fa:16:3e:00:00:23 10.0.0.23
ovs_controller_ctl hv1 status | grep "br-int:"
echo "big flows: refused with a log line, the rest installed: ok"

#!/usr/bin/env bash
# Component test (issue 17): with conditional monitoring, a node
# acknowledges an nb_cfg (Chassis_Private.nb_cfg, what "--wait" and the
# benchmarks wait for) only once its view holds everything its ports need,
# not while condition rounds are still pending.
#
# VIF P is plugged on hv1 before P's row exists (as Nova plugs a VIF for a
# port the API is still writing).  Then one transaction writes P, security
# groups G and R, G's rule allowing remote group R, R's member Q on P's
# network (bound on another node), and bumps nb_cfg.  hv1 receives P's row
# and the new nb_cfg together, and needs more condition rounds (P's
# network, its ports and addresses, G and its rule, R) before it can
# compile P.  (1,500 other ports on the network slow those rounds down.)
# At the moment hv1 acknowledges, its br-int must have P's
# flows and match Q's address.  Before the fix, hv1 acknowledged at once,
# without either (the bench's "large" size converged with a third of its
# flows).
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
nb_transact '{"op": "insert", "table": "NB_Global", "row": {}}' >/dev/null

NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/16 10.0.0.1)
H9=$(nb_chassis hv9 192.0.2.9)
# 1,500 more ports on A make the round that brings A's ports take long
# enough for the test to see the acknowledgement before it ends.
python3 - "$NA" "$SA" <<'PY' > "$OVS_TEST_DIR/ports.json"
import json, sys
net, subnet = sys.argv[1:3]
ops = []
for i in range(1500):
    if ops and i % 200 == 0:
        # A transaction per line: a command line argument holds 128 kB.
        print(json.dumps(["DVRFLOW_Northbound"] + ops))
        ops = []
    ops.append({"op": "insert", "table": "Fixed_IP", "uuid-name": "ip%d" % i,
                "row": {"subnet": ["uuid", subnet],
                        "ip_address": "10.0.%d.%d" % (1 + i // 250,
                                                      1 + i % 250)}})
    ops.append({"op": "insert", "table": "Port",
                "row": {"network": ["uuid", net],
                        "mac_address": "fa:16:3e:01:%02x:%02x" % (i // 256,
                                                                  i % 256),
                        "admin_state_up": True,
                        "fixed_ips": ["named-uuid", "ip%d" % i],
                        "device_owner": "compute:nova"}})
print(json.dumps(["DVRFLOW_Northbound"] + ops))
PY
while read -r txn; do
    ovsdb-client --timeout=30 transact "$NB_REMOTE" "$txn" >/dev/null
done < "$OVS_TEST_DIR/ports.json"
P=5a7e0000-0000-4000-8000-0000000000a1

ovs_start_chassis hv1 192.0.2.1
ovs-vsctl set open . external_ids:dvr-monitor-all=false
ovs_start_controller hv1 -vnb_monitor:file:dbg
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "hv1: no br-int"

# acked: hv1's acknowledged nb_cfg.
acked() {
    ovsdb-client query "$NB_REMOTE" '["DVRFLOW_Northbound",{"op":"select",
        "table":"Chassis_Private","where":[["name","==","hv1"]],
        "columns":["nb_cfg"]}]' \
        | python3 -c 'import json,sys
r = json.load(sys.stdin)[0]["rows"]
print(r[0]["nb_cfg"] if r else -1)'
}
acked_any() {
    [ "$(acked)" -ge 0 ]
}
ovs_wait_until 10 acked_any || ovs_fail "hv1 never acknowledged"

ovs-vsctl add-port br-int vif-p -- set interface vif-p type=dummy \
    ofport_request=5 external_ids:iface-id="$P" \
    external_ids:attached-mac=fa:16:3e:00:00:a1 \
    external_ids:iface-status=active
# Let hv1 see the VIF (and ask for P's row) before the row exists.
asks_for_p() {
    ovs_controller_ctl hv1 status \
        | grep -q '^NB monitoring: conditional (applied), 1 local'
}
ovs_wait_until 10 asks_for_p || ovs_fail "hv1 does not monitor P"

nb_transact \
    '{"op":"insert","table":"Security_Group","uuid-name":"g",
      "row":{"name":"g","stateful":true,"rules":["named-uuid","rule"]}}' \
    '{"op":"insert","table":"Security_Group","uuid-name":"r",
      "row":{"name":"r","stateful":true}}' \
    '{"op":"insert","table":"Security_Group_Rule","uuid-name":"rule",
      "row":{"direction":"ingress","ethertype":"IPv4","protocol":"tcp",
             "port_range_min":22,"port_range_max":22,
             "remote_group":["named-uuid","r"]}}' \
    "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"pip\",
      \"row\":{\"subnet\":[\"uuid\",\"$SA\"],\"ip_address\":\"10.0.0.11\"}}" \
    "{\"op\":\"insert\",\"table\":\"Port\",\"uuid\":\"$P\",
      \"row\":{\"network\":[\"uuid\",\"$NA\"],
               \"mac_address\":\"fa:16:3e:00:00:a1\",
               \"admin_state_up\":true,\"port_security_enabled\":true,
               \"security_groups\":[\"named-uuid\",\"g\"],
               \"fixed_ips\":[\"named-uuid\",\"pip\"],
               \"device_owner\":\"compute:nova\"}}" \
    "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"qip\",
      \"row\":{\"subnet\":[\"uuid\",\"$SA\"],\"ip_address\":\"10.0.0.77\"}}" \
    "{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"q\",
      \"row\":{\"network\":[\"uuid\",\"$NA\"],
               \"mac_address\":\"fa:16:3e:00:00:c7\",
               \"admin_state_up\":true,\"port_security_enabled\":true,
               \"security_groups\":[\"named-uuid\",\"r\"],
               \"fixed_ips\":[\"named-uuid\",\"qip\"],
               \"device_owner\":\"compute:nova\"}}" \
    "{\"op\":\"insert\",\"table\":\"Port_Binding\",
      \"row\":{\"port\":[\"named-uuid\",\"q\"],
               \"chassis\":[\"uuid\",\"$H9\"],\"up\":true}}" \
    '{"op":"mutate","table":"NB_Global","where":[],
      "mutations":[["nb_cfg","+=",1]]}' \
    | python3 -c 'import json,sys
r = json.load(sys.stdin)
if any(x is None or "error" in x for x in r):
    sys.exit("transaction failed: %s" % r)'
target=$(nb_transact '{"op":"select","table":"NB_Global","where":[],
    "columns":["nb_cfg"]}' \
    | python3 -c 'import json,sys
print(json.load(sys.stdin)[0]["rows"][0]["nb_cfg"])')

# When the flow that matches Q's address was installed, on the wall clock
# (ovs-ofctl's "duration" counts from it), against the acknowledgement's
# own time stamp (Chassis_Private.nb_cfg_timestamp, written once per
# nb_cfg): the acknowledgement may not come before the flow.
has_q() {
    ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -q ct_nw_src=10.0.0.77
}
ovs_wait_until 20 has_q || ovs_fail "no flow for Q's address"
t0=$(date +%s%3N)
flow=$(ovs-ofctl -O OpenFlow13 dump-flows br-int \
       | grep ct_nw_src=10.0.0.77 | head -n1)
t1=$(date +%s%3N)
installed=$(printf '%s\n' "$flow" | python3 -c 'import re, sys
d = float(re.search(r"duration=([0-9.]+)s", sys.stdin.read()).group(1))
print(int((int(sys.argv[1]) + int(sys.argv[2])) / 2 - d * 1000))' "$t0" "$t1")
read -r cfg stamp <<<"$(ovsdb-client query "$NB_REMOTE" \
    '["DVRFLOW_Northbound",{"op":"select","table":"Chassis_Private",
      "where":[["name","==","hv1"]],
      "columns":["nb_cfg","nb_cfg_timestamp"]}]' \
    | python3 -c 'import json,sys
r = json.load(sys.stdin)[0]["rows"][0]
print(r["nb_cfg"], r["nb_cfg_timestamp"])')"
[ "$cfg" -ge "$target" ] || ovs_fail "hv1 did not acknowledge nb_cfg $target"
echo "Q's address installed at $installed, nb_cfg $cfg acknowledged at $stamp"
# 100 ms for the clocks' reading: the race without the fix is longer.
[ "$installed" -le $(( stamp + 100 )) ] \
    || ovs_fail "hv1 acknowledged nb_cfg $target $(( installed - stamp ))" \
                "ms before Q's address (remote group R) reached its flows"

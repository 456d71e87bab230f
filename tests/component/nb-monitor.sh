#!/usr/bin/env bash
# Component test (issue 17): conditional monitoring of the NB
# (external_ids:dvr-monitor-all=false).  Two dummy-datapath nodes; network
# A has a port on each, network B only on hv1.  Proves:
#   - hv2 receives no row when B's ports change (its counters of received
#     Port, Fixed_IP and Port_Binding rows do not move), while hv1 does;
#   - hv2 holds and compiles A: a trace from its A port reaches the
#     tunnel to hv1;
#   - a port of B bound on hv2 later gets its flows there, B's rows arrive
#     (a trace to B's port on hv1 goes through the tunnel), and they go
#     again when the port leaves;
#   - with dvr-monitor-all=true (the default) a node receives everything.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
nb_transact '{"op": "insert", "table": "NB_Global", "row": {}}' >/dev/null

NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)
NB=$(nb_network B vxlan 200); SB=$(nb_subnet "$NB" 10.1.0.0/24 10.1.0.1)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 10.0.0.11)
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 10.0.0.12)
B1=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b1 10.1.0.11)
B2=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b2 10.1.0.12)

# node NAME IP MONITOR_ALL: a switch and its controller.
node() {
    ovs_start_switch "$1"
    ovs-vsctl set open . external_ids:system-id="$1" \
        external_ids:dvr-nb-remote="$NB_REMOTE" \
        external_ids:dvr-encap-ip="$2" \
        external_ids:dvr-datapath-type=dummy \
        external_ids:dvr-monitor-all="$3"
    ovs_start_controller "$1"
    ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "$1: no br-int"
}
# plug NODE NAME OFPORT PORT MAC: a VIF on NODE's br-int.
plug() {
    ovs_env "$1"
    ovs-vsctl add-port br-int "$2" -- set interface "$2" type=dummy \
        ofport_request="$3" external_ids:iface-id="$4" \
        external_ids:attached-mac="$5" external_ids:iface-status=active
}
# received NODE TABLE: rows of TABLE that NODE's controller received.
received() {
    ovs_controller_ctl "$1" status \
        | sed -n "s/^NB rows received:.* $2=\([0-9]*\).*/\1/p"
}
# monitoring NODE: NODE's "NB monitoring" status line.
monitoring() {
    ovs_controller_ctl "$1" status | grep '^NB monitoring'
}
# classified NODE OFPORT: NODE's br-int has flows for VIF OFPORT.
classified() {
    ovs_env "$1"
    ovs-ofctl -O OpenFlow13 dump-flows br-int "table=0,in_port=$2" \
        | grep -q actions
}
bound_up() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"Port_Binding\",\"where\":[[\"port\",\"==\",
        [\"uuid\",\"$1\"]],[\"up\",\"==\",true]]}]" | grep -q '"_uuid"'
}

node hv1 192.168.100.1 false
node hv2 192.168.100.2 false
plug hv1 vif-a1 11 "$A1" fa:16:3e:00:00:a1
plug hv1 vif-b1 12 "$B1" fa:16:3e:00:00:b1
plug hv2 vif-a2 21 "$A2" fa:16:3e:00:00:a2
for p in "$A1" "$B1" "$A2"; do
    ovs_wait_until 10 bound_up "$p" || ovs_fail "port $p not bound up"
done
ovs_wait_until 10 classified hv2 21 || ovs_fail "hv2: no flows for A2"
monitoring hv1
monitoring hv2
monitoring hv2 | grep -q 'conditional (applied), 1 local ports, 1 networks' \
    || ovs_fail "hv2 does not monitor just its port's network"

# hv2 compiles A: A2 -> A1 goes through the tunnel to hv1.
ovs_env hv2
tunnel=$(ovs-vsctl --bare --columns=ofport find interface \
         external_ids:dvr-chassis=hv1)
[ -n "$tunnel" ] || ovs_fail "hv2 has no tunnel to hv1"
trace=$(ovs-appctl ofproto/trace br-int "in_port=21,dl_src=fa:16:3e:00:00:a2,dl_dst=fa:16:3e:00:00:a1,ip,nw_src=10.0.0.12,nw_dst=10.0.0.11,icmp")
printf '%s\n' "$trace" | grep -q "output:\|-> output" \
    || { printf '%s\n' "$trace"; ovs_fail "hv2: A2 -> A1 is not forwarded"; }

# B changes: hv1 receives them, hv2 receives nothing.
sleep 0.5
p1=$(received hv1 Port) p2=$(received hv2 Port)
f2=$(received hv2 Fixed_IP) b2=$(received hv2 Port_Binding)
B3=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b3 10.1.0.13)
nb_transact "{\"op\": \"update\", \"table\": \"Port\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$B2\"]]],
    \"row\": {\"mac_address\": \"fa:16:3e:00:01:b2\"}}" >/dev/null
ovs_wait_until 5 sh -c "[ \$(ovs-appctl -t $OVS_TEST_DIR/hv1/run/dvr-controller.ctl status | sed -n 's/^NB rows received:.* Port=\([0-9]*\).*/\1/p') -ge $((p1 + 2)) ]" \
    || ovs_fail "hv1 did not receive B's port changes"
sleep 0.5
echo "B's ports changed: hv1 received $(( $(received hv1 Port) - p1 )) Port" \
     "rows, hv2 $(( $(received hv2 Port) - p2 ))"
[ "$(received hv2 Port)" = "$p2" ] || ovs_fail "hv2 received B's ports"
[ "$(received hv2 Fixed_IP)" = "$f2" ] || ovs_fail "hv2 received B's IPs"
[ "$(received hv2 Port_Binding)" = "$b2" ] \
    || ovs_fail "hv2 received B's bindings"

# A port of B comes to hv2: its flows, and B's rows, arrive.
plug hv2 vif-b3 22 "$B3" fa:16:3e:00:00:b3
ovs_wait_until 10 bound_up "$B3" || ovs_fail "B3 not bound up on hv2"
ovs_wait_until 10 classified hv2 22 || ovs_fail "hv2: no flows for B3"
monitoring hv2 | grep -q '2 local ports, 2 networks' \
    || { monitoring hv2; ovs_fail "hv2 does not monitor B now"; }
ovs_env hv2
trace=$(ovs-appctl ofproto/trace br-int "in_port=22,dl_src=fa:16:3e:00:00:b3,dl_dst=fa:16:3e:00:00:b1,ip,nw_src=10.1.0.13,nw_dst=10.1.0.11,icmp")
printf '%s\n' "$trace" | grep -q "set_field:0xc8->tun_id\|tun_id=0xc8\|load:0xc8->NXM_NX_TUN_ID" \
    || { printf '%s\n' "$trace"; ovs_fail "hv2: B3 -> B1 does not reach the tunnel with B's VNI"; }

# It leaves: B goes from hv2's view.
ovs_env hv2
ovs-vsctl del-port br-int vif-b3
ovs_wait_until 10 sh -c "ovs-appctl -t $OVS_TEST_DIR/hv2/run/dvr-controller.ctl status | grep -q '1 local ports, 1 networks'" \
    || { monitoring hv2; ovs_fail "hv2 still monitors B"; }
classified hv2 21 || ovs_fail "hv2 lost A2's flows"

# dvr-monitor-all=true: everything.
ovs_env hv2
ovs-vsctl set open . external_ids:dvr-monitor-all=true
ovs_wait_until 10 sh -c "ovs-appctl -t $OVS_TEST_DIR/hv2/run/dvr-controller.ctl status | grep -q '^NB monitoring: all rows'" \
    || ovs_fail "hv2 did not go back to monitoring all"
p2=$(received hv2 Port)
nb_transact "{\"op\": \"update\", \"table\": \"Port\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$B2\"]]],
    \"row\": {\"mac_address\": \"fa:16:3e:00:02:b2\"}}" >/dev/null
ovs_wait_until 5 sh -c "[ \$(ovs-appctl -t $OVS_TEST_DIR/hv2/run/dvr-controller.ctl status | sed -n 's/^NB rows received:.* Port=\([0-9]*\).*/\1/p') -gt $p2 ]" \
    || ovs_fail "hv2 monitoring all did not receive B's change"
classified hv2 21 || ovs_fail "hv2 lost A2's flows"
echo "PASS: conditional monitoring"

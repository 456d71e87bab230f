#!/usr/bin/env bash
# Component test (issue 17): conditional monitoring of the NB
# (external_ids:dvr-monitor-all=false).  Two dummy-datapath nodes; network
# A has a port on each, network B only on hv1.  Proves:
#   - hv2 receives nothing at all (rows and bytes counted by its
#     controller, every table) when B's ports are created, changed and
#     deleted, while hv1 receives them;
#   - hv2 holds and compiles A: a trace from its A port leaves through the
#     tunnel to hv1 with A's VNI;
#   - a port of B bound on hv2 later gets its flows there and B's rows
#     arrive (a trace to B's port on hv1 leaves with B's VNI), and they go
#     from hv2's view again when the port leaves;
#   - meanwhile no flow of A is deleted on either node (ovs-ofctl monitor);
#   - with dvr-monitor-all=true a node receives everything.
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
    ovs_start_controller "$1" -vnb_monitor:file:dbg
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
# total NODE: "ROWS BYTES" that NODE's controller received, all tables.
total() {
    ovs_controller_ctl "$1" status \
        | sed -n 's/^NB received: \([0-9]*\) rows, \([0-9]*\) bytes$/\1 \2/p'
}
# held NODE TABLE: rows of TABLE in NODE's view of the NB.
held() {
    ovs_controller_ctl "$1" status \
        | sed -n "s/^NB rows held:.* $2=\([0-9]*\).*/\1/p"
}
# holds NODE TABLE N: NODE's view holds N rows of TABLE, or the test fails.
holds() {
    [ "$(held "$1" "$2")" = "$3" ] \
        || ovs_fail "$1 holds $(held "$1" "$2") $2 rows, not $3"
}
# holding NODE TABLE N: NODE's view holds N rows of TABLE.
holding() {
    [ "$(held "$1" "$2")" = "$3" ]
}
# monitoring NODE: NODE's "NB monitoring" status line.
monitoring() {
    ovs_controller_ctl "$1" status | grep '^NB monitoring'
}
monitoring_has() {
    monitoring "$1" | grep -q "$2"
}
received_at_least() {
    [ "$(received "$1" "$2")" -ge "$3" ]
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
# trace NODE FLOW: ofproto/trace on NODE's br-int (through the patch to
# br-tun).
trace() {
    ovs_env "$1"
    ovs-appctl ofproto/trace br-int "$2"
}
# expect_tunnel NODE FLOW VNI PEER: FLOW leaves NODE's br-tun through
# its tunnel to chassis PEER with VNI.
expect_tunnel() {
    local out tunnel
    ovs_env "$1"
    tunnel=$(ovs-vsctl --bare --columns=ofport find interface \
             "external_ids:dvr-chassis=$4")
    [ -n "$tunnel" ] || ovs_fail "$1 has no tunnel to $4"
    out=$(trace "$1" "$2")
    printf '%s\n' "$out" | grep -A1 "set_field:$3->tun_id" \
        | grep -q "output:$tunnel\$" \
        || { printf '%s\n' "$out" >&2
             ovs_fail "$1: $2 not tunnelled to $4 with VNI $3"; }
}
# watch NODE: records NODE's br-int flow table changes (ovs-ofctl monitor)
# in NODE/flow-events until the test ends.
watch() {
    ovs_env "$1"
    stdbuf -oL ovs-ofctl -O OpenFlow13 monitor br-int 'watch:!initial' \
        >"$OVS_TEST_DIR/$1/flow-events" 2>&1 &
    echo $! >"$OVS_TEST_DIR/$1/run/watch.pid"
    _ovs_track_pidfile "$OVS_TEST_DIR/$1/run/watch.pid"
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

# hv2 compiles A: A2 -> A1 leaves through the tunnel with A's VNI.
a2_a1=in_port=21,dl_src=fa:16:3e:00:00:a2,dl_dst=fa:16:3e:00:00:a1
a2_a1=$a2_a1,ip,nw_src=10.0.0.12,nw_dst=10.0.0.11
b3_b1=in_port=22,dl_src=fa:16:3e:00:00:b3,dl_dst=fa:16:3e:00:00:b1
b3_b1=$b3_b1,ip,nw_src=10.1.0.13,nw_dst=10.1.0.11
expect_tunnel hv2 "$a2_a1" 0x64 hv1
holds hv2 Network 1
holds hv2 Port 2
holds hv1 Port 4
watch hv1
watch hv2

# B's ports change (one created with its fixed IP, one changed, one
# deleted): hv1 receives them, hv2 receives nothing at all.
sleep 0.5
p1=$(received hv1 Port)
before2=$(total hv2)
B3=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b3 10.1.0.13)
nb_transact "{\"op\": \"update\", \"table\": \"Port\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$B2\"]]],
    \"row\": {\"mac_address\": \"fa:16:3e:00:01:b2\"}}" >/dev/null
B4=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b4 10.1.0.14)
nb_transact "{\"op\": \"delete\", \"table\": \"Port\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$B4\"]]]}" >/dev/null
ovs_wait_until 5 received_at_least hv1 Port $((p1 + 4)) \
    || ovs_fail "hv1 did not receive B's port changes"
sleep 1
after2=$(total hv2)
echo "B's ports changed: hv1 received $(( $(received hv1 Port) - p1 ))" \
     "Port rows; hv2 received (rows bytes) $before2 -> $after2"
[ "$after2" = "$before2" ] || ovs_fail "hv2 received B's changes"

# A port of B comes to hv2: its flows, and B's rows, arrive.
plug hv2 vif-b3 22 "$B3" fa:16:3e:00:00:b3
ovs_wait_until 10 bound_up "$B3" || ovs_fail "B3 not bound up on hv2"
ovs_wait_until 10 classified hv2 22 || ovs_fail "hv2: no flows for B3"
ovs_wait_until 10 monitoring_has hv2 '2 local ports, 2 networks' \
    || { monitoring hv2; ovs_fail "hv2 does not monitor B now"; }
expect_tunnel hv2 "$b3_b1" 0xc8 hv1
expect_tunnel hv2 "$a2_a1" 0x64 hv1
holds hv2 Network 2
holds hv2 Port 5
echo "B3 bound on hv2: $(total hv2) (rows bytes) received in all"

# It leaves: B goes from hv2's view; A stays.
ovs_env hv2
ovs-vsctl del-port br-int vif-b3
ovs_wait_until 10 monitoring_has hv2 '1 local ports, 1 networks' \
    || { monitoring hv2; ovs_fail "hv2 still monitors B"; }
ovs_wait_until 5 holding hv2 Port 2 \
    || ovs_fail "hv2 still holds B's ports: $(held hv2 Port)"
holds hv2 Network 1
expect_tunnel hv2 "$a2_a1" 0x64 hv1
classified hv2 21 || ovs_fail "hv2 lost A2's flows"

# A's flows never blinked: no flow of A's VIFs or VNI was deleted on
# either node while B came and went.
for hv in hv1 hv2; do
    if grep -A1 'event=DELETED' "$OVS_TEST_DIR/$hv/flow-events" \
           | grep -q 'in_port=11\b\|in_port=21\b\|tun_id=0x64\|:00:a[12]\b'; then
        cat "$OVS_TEST_DIR/$hv/flow-events" >&2
        ovs_fail "$hv deleted a flow of network A"
    fi
done
echo "flow events: hv1 $(grep -c 'event=' "$OVS_TEST_DIR/hv1/flow-events")," \
     "hv2 $(grep -c 'event=' "$OVS_TEST_DIR/hv2/flow-events")"
# The watch works: hv2 saw B3's flows come and go.
grep -A1 'event=ADDED' "$OVS_TEST_DIR/hv2/flow-events" | grep -q 'in_port=22' \
    && grep -A1 'event=DELETED' "$OVS_TEST_DIR/hv2/flow-events" \
        | grep -q 'in_port=22' \
    || { cat "$OVS_TEST_DIR/hv2/flow-events" >&2
         ovs_fail "hv2's flow watch did not see B3's flows"; }

# A tunnelled external network (a provider network reached through the
# tunnels) with a VM on each node: hv2 needs its other ports, as on any
# network it has a port on, to reach hv1's VM through the tunnel.  (It
# asked only for the routers' and floating IPs' ports of an external
# network: hv2 had no flow to E1, and a broadcast went to no tunnel.)
NE=$(nb_network E vxlan 300); SE=$(nb_subnet "$NE" 10.2.0.0/24 10.2.0.1)
nb_transact "{\"op\": \"update\", \"table\": \"Network\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$NE\"]]],
    \"row\": {\"external\": true}}" >/dev/null
E1=$(nb_port "$NE" "$SE" fa:16:3e:00:00:e1 10.2.0.11)
E2=$(nb_port "$NE" "$SE" fa:16:3e:00:00:e2 10.2.0.12)
plug hv1 vif-e1 13 "$E1" fa:16:3e:00:00:e1
plug hv2 vif-e2 23 "$E2" fa:16:3e:00:00:e2
for p in "$E1" "$E2"; do
    ovs_wait_until 10 bound_up "$p" || ovs_fail "port $p not bound up"
done
ovs_wait_until 10 classified hv2 23 || ovs_fail "hv2: no flows for E2"
ovs_wait_until 10 monitoring_has hv2 '2 local ports, 2 networks' \
    || { monitoring hv2; ovs_fail "hv2 does not monitor E"; }
e2_e1=in_port=23,dl_src=fa:16:3e:00:00:e2,dl_dst=fa:16:3e:00:00:e1
expect_tunnel hv2 "$e2_e1,ip,nw_src=10.2.0.12,nw_dst=10.2.0.11" 0x12c hv1
expect_tunnel hv2 "in_port=23,dl_src=fa:16:3e:00:00:e2,arp,arp_op=1,$(
    )dl_dst=ff:ff:ff:ff:ff:ff,arp_sha=fa:16:3e:00:00:e2,arp_spa=10.2.0.12,$(
    )arp_tpa=10.2.0.99" 0x12c hv1
echo "tunnelled external network: hv2 reaches hv1's VM through the tunnel"

# dvr-monitor-all=true: everything.
ovs_env hv2
ovs-vsctl set open . external_ids:dvr-monitor-all=true
ovs_wait_until 10 monitoring_has hv2 '^NB monitoring: all rows' \
    || ovs_fail "hv2 did not go back to monitoring all"
ovs_wait_until 5 holding hv2 Port 7 \
    || ovs_fail "hv2 monitoring all holds $(held hv2 Port) ports"
p2=$(received hv2 Port)
nb_transact "{\"op\": \"update\", \"table\": \"Port\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$B2\"]]],
    \"row\": {\"mac_address\": \"fa:16:3e:00:02:b2\"}}" >/dev/null
ovs_wait_until 5 received_at_least hv2 Port $((p2 + 1)) \
    || ovs_fail "hv2 monitoring all did not receive B's change"
classified hv2 21 || ovs_fail "hv2 lost A2's flows"
echo "PASS: conditional monitoring"

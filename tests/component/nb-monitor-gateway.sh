#!/usr/bin/env bash
# Component test (issue 17): a gateway chassis (external_ids:dvr-gateway=
# true) monitors the NB conditionally too: every router with a gateway and
# what it needs, not the rest of the cloud.  hv1 is a gateway on the dummy
# datapath with no VIF of its own; bench/routing-load.py's base and router
# (router r: gateway 203.0.113.100 on "public", interface 10.0.0.1 on t0)
# and router r2 with an interface (10.1.0.1) on t1 but no gateway; the VM
# ports of t0 and t1 are bound on hv2 (a Chassis row).  Proves:
#   - hv1 holds public and t0, not t1 nor r2;
#   - t1's ports created, changed and deleted and r2's routes changed:
#     hv1 receives nothing (rows and bytes, every table) but the one
#     binding made there (a gateway monitors every binding);
#   - r2 gets a gateway (203.0.113.101): t1's rows arrive and hv1 has r2's
#     gateway flows: a packet from t1's port on hv2 (over the tunnel, t1's
#     VNI) to the outside is traced through r2's SNAT to 203.0.113.101 and
#     out to br-ex;
#   - the gateway removed: t1's rows and r2's gateway flows go;
#   - a VIF of t1 plugged on hv1: t1's rows come (as on a compute node),
#     and go when it leaves;
#   - bindings of another chassis made and updated, an nb_cfg: hv1 does
#     not compute its sets again ("computations" of its status), t0's
#     row changed: it does, and does not send the same conditions again;
#   - meanwhile no flow of r or t0 is deleted (ovs-ofctl monitor);
#   - with dvr-monitor-all=true hv1 receives everything.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
nb_gateway_chassis
vms=$(load base 2)
load router
ext=$(nb_uuid_of Network name public)
extsub=$(nb_uuid_of Subnet name public)
t1=$(nb_uuid_of Network name t1)
t1sub=$(nb_uuid_of Subnet name t1)
r=$(nb_uuid_of Router name r)
hv2=$(nb_chassis hv2 192.168.100.2)
for p in $vms; do
    nb_bind "$p" "$hv2" >/dev/null
done
B1=$(nb_port "$t1" "$t1sub" fa:16:3e:00:01:b1 10.1.0.11)
B2=$(nb_port "$t1" "$t1sub" fa:16:3e:00:01:b2 10.1.0.12)
nb_bind "$B1" "$hv2" >/dev/null
nb_bind "$B2" "$hv2" >/dev/null
# r2: an interface on t1, no gateway.
ri=$(nb_port "$t1" "$t1sub" fa:16:3e:ff:02:01 10.1.0.1 false)
nb_transact "{\"op\":\"update\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$ri\"]]],
    \"row\":{\"device_owner\":\"network:router_interface_distributed\"}}" \
    >/dev/null
r2=$(nb_transact "{\"op\":\"insert\",\"table\":\"Router\",\"row\":{
    \"name\":\"r2\",\"enable_snat\":true,\"admin_state_up\":true,
    \"interfaces\":[\"uuid\",\"$ri\"]}}" | _nb_uuid)

ovs_start_controller hv1 -vnb_monitor:file:dbg
ovs_wait_until 10 ovs-vsctl br-exists br-ex || ovs_fail "no br-ex"

status() {
    ovs_controller_ctl hv1 status
}
# but_bindings: "ROWS BYTES" hv1's controller received, every table but
# Port_Binding (a gateway monitors every binding: nb-monitor.c).
but_bindings() {
    status | awk '/^NB (rows|bytes) received:/ {
        for (i = 4; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] != "Port_Binding") { n[$2] += kv[2] }
        }
    } END { print n["rows"], n["bytes"] }'
}
# bindings: Port_Binding rows hv1's controller received.
bindings() {
    status | sed -n 's/^NB rows received:.* Port_Binding=\([0-9]*\).*/\1/p'
}
# held TABLE: rows of TABLE in hv1's view of the NB.
held() {
    status | sed -n "s/^NB rows held:.* $1=\([0-9]*\).*/\1/p"
}
holding() {
    [ "$(held "$1")" = "$2" ]
}
holds() {
    ovs_wait_until 10 holding "$1" "$2" \
        || { status; ovs_fail "hv1 holds $(held "$1") $1 rows, not $2"; }
}
monitoring_has() {
    status | grep '^NB monitoring' | grep -q "$1"
}
flows() {
    ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int "$@"
}
# snat ADDR: hv1 has a SNAT flow (l3_egress) to gateway address ADDR.
snat() {
    flows "table=l3_egress" | grep -q "nat(src=$1)"
}

ovs_wait_until 10 monitoring_has 'conditional (gateway, applied)' \
    || { status; ovs_fail "hv1 does not monitor conditionally"; }
ovs_wait_until 10 snat 203.0.113.100 \
    || ovs_fail "no SNAT for r's t0: $(flows table=l3_egress)"
status | grep '^NB'
# public and t0; r; r's ports and t0's (2 VMs), not t1's.
holds Network 2
holds Router 1
holds Port 4
! snat 203.0.113.101 || ovs_fail "SNAT for t1 without a gateway"

# Cookies of r's flows: the first 64 bits of its UUID.
rcookie=0x$(echo "$r" | tr -d - | cut -c1-16 | sed 's/^0*//')
flows | grep -c "cookie=$rcookie," >/dev/null || ovs_fail "no flow of r's cookie"
stdbuf -oL ovs-ofctl -O OpenFlow13 monitor br-int 'watch:!initial' \
    >"$OVS_TEST_DIR/flow-events" 2>&1 &
echo $! >"$OVS_TEST_DIR/hv1/run/watch.pid"
_ovs_track_pidfile "$OVS_TEST_DIR/hv1/run/watch.pid"

# t1's ports change and r2's routes: hv1 receives nothing at all.
sleep 0.5
before=$(but_bindings) pb0=$(bindings)
B3=$(nb_port "$t1" "$t1sub" fa:16:3e:00:01:b3 10.1.0.13)
nb_transact "{\"op\":\"update\",\"table\":\"Port\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$B2\"]]],
    \"row\": {\"mac_address\": \"fa:16:3e:00:02:b2\"}}" >/dev/null
nb_bind "$B3" "$hv2" >/dev/null
nb_transact "{\"op\":\"update\",\"table\":\"Router\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$r2\"]]],
    \"row\":{\"routes\":[\"map\",[[\"192.168.7.0/24\",\"10.1.0.99\"]]]}}" \
    >/dev/null
B4=$(nb_port "$t1" "$t1sub" fa:16:3e:00:01:b4 10.1.0.14)
nb_transact "{\"op\":\"delete\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$B4\"]]]}" >/dev/null
sleep 1
after=$(but_bindings) pb1=$(bindings)
echo "t1's ports and r2 changed: hv1 received (rows bytes, bindings aside)" \
    "$before -> $after; bindings $pb0 -> $pb1"
[ "$after" = "$before" ] \
    || { status; ovs_fail "hv1 received t1's or r2's changes"; }
# The one binding made (B3's), and nothing of the ports themselves.
[ "$pb1" -le $((pb0 + 1)) ] \
    || { status; ovs_fail "hv1 received $((pb1 - pb0)) bindings, not 1"; }
holds Network 2
holds Port 4

# Bindings of another chassis made and updated, an acknowledgement asked
# for: rows the sets are not computed from, so they are not computed
# again.  t0's row changed: they are.
computations() {
    status | sed -n 's/^NB monitoring:.* in \([0-9]*\) computations (.*$/\1/p'
}
sent() {
    status | sed -n 's/^NB monitoring:.* computations (\([0-9]*\) sent)$/\1/p'
}
computations_above() {
    [ "$(computations)" -gt "$1" ]
}
bindings_at_least() {
    [ "$(bindings)" -ge "$1" ]
}
sleep 0.5
c0=$(computations)
[ -n "$c0" ] || { status; ovs_fail "no computations in the status"; }
pb0=$(bindings)
B6=$(nb_port "$t1" "$t1sub" fa:16:3e:00:01:b6 10.1.0.16)
sleep 0.5
c0=$(computations)
b6=$(nb_bind "$B6" "$hv2")
for up in false true false; do
    nb_transact "{\"op\":\"update\",\"table\":\"Port_Binding\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$b6\"]]],
        \"row\":{\"up\":$up}}" >/dev/null
done
nb_transact "{\"op\":\"mutate\",\"table\":\"NB_Global\",\"where\":[],
    \"mutations\":[[\"nb_cfg\",\"+=\",1]]}" >/dev/null
ovs_wait_until 10 bindings_at_least $((pb0 + 4)) \
    || { status; ovs_fail "hv1 did not receive the 4 binding changes"; }
sleep 0.5
c1=$(computations)
echo "bindings of hv2 made and updated, an nb_cfg: computations $c0 -> $c1"
[ "$c1" = "$c0" ] \
    || { status; ovs_fail "hv1 computed its sets again for bindings"; }
t0=$(nb_uuid_of Network name t0)
s1=$(sent)
nb_transact "{\"op\":\"update\",\"table\":\"Network\",
    \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$t0\"]]],
    \"row\": {\"name\": \"t0-renamed\"}}" >/dev/null
ovs_wait_until 10 computations_above "$c1" \
    || { status; ovs_fail "hv1 did not compute its sets for t0's row"; }
sleep 0.5
[ "$(sent)" = "$s1" ] \
    || { status; ovs_fail "hv1 sent its unchanged conditions again"; }
nb_transact "{\"op\":\"delete\",\"table\":\"Port_Binding\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$b6\"]]]}" \
    "{\"op\":\"delete\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$B6\"]]]}" >/dev/null
echo "sets computed again for t0's row (the same: not sent), not for bindings: ok"

# r2 gets a gateway: t1's rows arrive, and r2's gateway flows.
gw2=$(nb_transact "{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"gw\",
    \"row\":{\"network\":[\"uuid\",\"$ext\"],\"name\":\"gw2\",
    \"mac_address\":\"fa:16:3e:ff:00:02\",
    \"device_owner\":\"network:router_gateway\",\"admin_state_up\":true,
    \"port_security_enabled\":false,
    \"fixed_ips\":[\"named-uuid\",\"gwip\"]}}" \
    "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"gwip\",
    \"row\":{\"subnet\":[\"uuid\",\"$extsub\"],
    \"ip_address\":\"203.0.113.101\"}}" \
    "{\"op\":\"update\",\"table\":\"Router\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$r2\"]]],
    \"row\":{\"gateway_port\":[\"named-uuid\",\"gw\"]}}" | _nb_uuid)
ovs_wait_until 10 snat 203.0.113.101 \
    || { status; ovs_fail "no SNAT for r2's t1: $(flows table=l3_egress)"; }
status | grep '^NB'
holds Network 3
holds Router 2
# t1's ports (3 VMs, r2's interface) and r2's gateway port as well.
holds Port 9
# B1 (10.1.0.11, on hv2) to 198.51.100.7 through r2: it arrives over the
# tunnel from hv2 with t1's VNI (5001), is routed and SNATed to r2's
# gateway address, and leaves towards br-ex.
tun=$(ovs-vsctl --bare --columns=ofport find interface \
      external_ids:dvr-chassis=hv2)
[ -n "$tun" ] || ovs_fail "hv1 has no tunnel to hv2"
out=$(ovs-appctl ofproto/trace br-tun "in_port=$tun,tun_id=5001,tcp,dl_src=fa:16:3e:00:01:b1,dl_dst=fa:16:3e:ff:02:01,nw_src=10.1.0.11,nw_dst=198.51.100.7,nw_ttl=64,tp_src=40000,tp_dst=80")
printf '%s\n' "$out" | grep -q "nat(src=203.0.113.101)" \
    || { printf '%s\n' "$out"; ovs_fail "the trace is not SNATed by r2"; }
echo "r2's gateway: t1's rows held, B1's packet SNATed to 203.0.113.101: ok"

# The gateway removed: t1's rows and r2's gateway flows go.
nb_transact "{\"op\":\"update\",\"table\":\"Router\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$r2\"]]],
    \"row\":{\"gateway_port\":[\"set\",[]]}}" \
    "{\"op\":\"delete\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$gw2\"]]]}" >/dev/null
holds Network 2
holds Router 1
holds Port 4
! snat 203.0.113.101 || ovs_fail "r2's SNAT stayed"
snat 203.0.113.100 || ovs_fail "r's SNAT went"
echo "r2's gateway removed: t1's rows and r2's SNAT gone: ok"

# A VIF of t1 on hv1 itself: the gateway asks for what a compute node
# would (t1's rows, r2 as an active router there), and lets it go when
# the VIF leaves.
B5=$(nb_port "$t1" "$t1sub" fa:16:3e:00:01:b5 10.1.0.15)
ovs-vsctl add-port br-int vif-b5 -- set interface vif-b5 type=dummy \
    ofport_request=15 external_ids:iface-id="$B5" \
    external_ids:attached-mac=fa:16:3e:00:01:b5 \
    external_ids:iface-status=active
classified() {
    flows "table=0,in_port=15" | grep -c actions >/dev/null
}
ovs_wait_until 10 classified || ovs_fail "no flows for hv1's VIF on t1"
ovs_wait_until 10 monitoring_has '1 local ports, 3 networks, 2 routers' \
    || { status; ovs_fail "hv1 does not monitor t1 for its VIF"; }
holds Network 3
holds Port 9
! snat 203.0.113.101 || ovs_fail "SNAT for r2 without a gateway"
ovs-vsctl del-port br-int vif-b5
holds Network 2
holds Port 4
echo "a VIF of t1 on the gateway: t1's rows come and go with it: ok"

# r's and t0's flows never blinked while t1 came and went.
sleep 0.5
if grep -A1 'event=DELETED' "$OVS_TEST_DIR/flow-events" \
       | grep -q "cookie=$rcookie\b\|tun_id=0x1388\b\|203\.0\.113\.100\b"; then
    cat "$OVS_TEST_DIR/flow-events" >&2
    ovs_fail "hv1 deleted a flow of r or t0"
fi
grep -A1 'event=ADDED' "$OVS_TEST_DIR/flow-events" \
    | grep -q 'nat(src=203\.0\.113\.101)' \
    && grep -A1 'event=DELETED' "$OVS_TEST_DIR/flow-events" \
        | grep -q 'nat(src=203\.0\.113\.101)' \
    || { cat "$OVS_TEST_DIR/flow-events" >&2
         ovs_fail "the flow watch did not see r2's flows come and go"; }
echo "flow events: $(grep -c 'event=' "$OVS_TEST_DIR/flow-events"), none" \
     "of r or t0 deleted"

# dvr-monitor-all=true: everything.
ovs-vsctl set open . external_ids:dvr-monitor-all=true
ovs_wait_until 10 monitoring_has '^NB monitoring: all rows' \
    || ovs_fail "hv1 did not go to monitoring all"
holds Network 3
holds Router 2
holds Port 9
echo "PASS: conditional monitoring on a gateway chassis"

#!/usr/bin/env bash
# Neutron tier, system test: Debian's neutron-server with the dvrflow
# driver drives a netdev sandbox (two compute nodes hv1 and hv2, one
# network node gw1, the external host 203.0.113.1), through the real
# openstack client.  Proves, with real packets:
#   - port binding: a port created with --host hv1 is bound (vif_type
#     ovs, vif_details bridge_name br-int, port_filter, datapath_type
#     netdev: hv1's Chassis other_config) and a port on a host with no
#     dvrflow chassis is not (binding_failed, a log line naming the host);
#   - provisioning: the bound port is DOWN until the VM is plugged the way
#     os-vif plugs it (tools/sandbox vm-add: iface-id, attached-mac,
#     vm-uuid) and the controller reports Port_Binding up, then ACTIVE;
#     unplugged (vm-del), DOWN again;
#   - the VM gets its address by DHCP (dvrflow's native DHCP serving the
#     Neutron subnet: no DHCP agent);
#   - L3 (the dvrflow-router plugin): vm1 (hv1, private) pings vm2 (hv2,
#     net2) through the router, reaches the external host by SNAT, and
#     the external host pings vm2's floating IP; the default group's
#     ICMP rule added through Neutron takes effect (ping blocked before);
#   - port forwarding (dvrflow-port-forwarding): the external host reaches
#     vm1's TCP port 22 through a floating IP's port 2201 once the
#     forwarding is created (nothing answers before);
#   - agents: "network agent list" shows hv1, hv2 and gw1 as alive dvrflow
#     controllers, also after a quiet agent down time (the heartbeat);
#   - sync: the NB database deleted and recreated empty, the running
#     server's worker rebuilds it and the pings and the port forwarding
#     come back;
#   - a stopped neutron-server loses no traffic.
set -euo pipefail
[ "${DVR_NEUTRON_TIER:-}" = yes ] \
    || { echo "the Neutron tier runs with DVR_NEUTRON_TIER=yes"; exit 77; }
command -v neutron-server >/dev/null || { echo "no neutron-server"; exit 77; }
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/neutron.sh"
sb_init
trap 'rc=$?; neutron_down; _sb_cleanup $rc' EXIT
T0=$(date +%s)
sb_up --computes 2 --gateways 1 --no-api
NB=$(sb nb-remote)
NEUTRON_PORT=${NEUTRON_PORT:-$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
# A short agent down time, to prove the heartbeat below.
NEUTRON_EXTRA_CONF=$'[dvrflow]\nagent_down_time = 5'
neutron_up "$SB_TMP" "$NB" || sb_fail "neutron-server did not start"
echo "sandbox and neutron-server up in $(( $(date +%s) - T0 )) s"

# The openstack client, commands on stdin in one process; fails if one of
# them printed an error.
session() {
    local rc=0
    nt_os > "$SB_TMP/$1.out" 2>&1 || rc=$?
    osc_check "$SB_TMP/$1.out" "$rc"
}
# api GET PATH: Neutron's REST API (noauth), for fast polling.
api() {
    curl -sf "$NEUTRON_URL/v2.0$1"
}
port_field() {
    api "/ports?name=$1" | jq -r ".ports[0].$2"
}

# The router's gateway address is given: one picked at random from the
# pool would be a floating IP's below (.150, .160) about once in 50 runs,
# and that create would fail with a conflict.
session setup <<'EOF' || sb_fail "setup through neutron-server"
network create --external --provider-network-type flat --provider-physical-network physnet1 public
subnet create --network public --subnet-range 203.0.113.0/24 --no-dhcp --gateway 203.0.113.1 --allocation-pool start=203.0.113.100,end=203.0.113.200 public-sub
network create private
subnet create --network private --subnet-range 192.168.10.0/24 private-sub
network create net2
subnet create --network net2 --subnet-range 192.168.20.0/24 sub2
router create r1
router set r1 --external-gateway public --fixed-ip subnet=public-sub,ip-address=203.0.113.100
router add subnet r1 private-sub
router add subnet r1 sub2
port create --network private --host hv1 vm1
port create --network net2 --host hv2 --fixed-ip subnet=sub2,ip-address=192.168.20.12 vm2
floating ip create --floating-ip-address 203.0.113.150 --port vm2 public
EOF
echo "topology created at $(( $(date +%s) - T0 )) s"

# Binding.
nt_os port create --network private --host nosuchhost vm3 -f value -c id \
    >/dev/null || sb_fail "port create vm3"
[ "$(port_field vm1 '"binding:vif_type"')" = ovs ] \
    || sb_fail "vm1 not bound: $(api '/ports?name=vm1')"
details=$(port_field vm1 '"binding:vif_details"')
for want in '"bridge_name": "br-int"' '"port_filter": true' \
            '"datapath_type": "netdev"'; do
    echo "$details" | grep -q "$want" \
        || sb_fail "vm1's vif_details lack $want: $details"
done
[ "$(port_field vm3 '"binding:vif_type"')" = binding_failed ] \
    || sb_fail "vm3 on an unknown host: $(port_field vm3 '"binding:vif_type"')"
grep -q "not bound: host nosuchhost has no dvrflow chassis" "$NEUTRON_LOG" \
    || sb_fail "no log line names the unknown host"

# Provisioning: DOWN until plugged, ACTIVE once the controller reports up.
p1=$(port_field vm1 id)
p2=$(port_field vm2 id)
for p in vm1 vm2; do
    [ "$(port_field $p status)" = DOWN ] \
        || sb_fail "$p is $(port_field $p status) before it is plugged"
done
sb_vm_port vm1 hv1 "$p1"     # udhcpc: fails without a lease
sb_vm_port vm2 hv2 "$p2"
for p in vm1 vm2; do
    ms=$(sb_await 30000 sh -c "curl -sf '$NEUTRON_URL/v2.0/ports?name=$p' \
            | grep -q '\"status\": *\"ACTIVE\"'") \
        || sb_fail "$p did not become ACTIVE"
    echo "$p ACTIVE ${ms} ms after vm-add returned"
done
grep -q "dvrflow: controller reports port $p1 up" "$NEUTRON_LOG" \
    || sb_fail "no report of vm1 up in the log"
ip1=$(sb_vm_var vm1 VM_ADDRS)
echo "vm1 leased $ip1 by DHCP"
[ "${ip1%/*}" = "$(port_field vm1 'fixed_ips[0].ip_address')" ] \
    || sb_fail "vm1's lease $ip1 is not its Neutron address"

# Security groups: the default group admits only its members; ICMP from
# the external host is dropped until a rule allows it.
sb_assert_no_ping ext 203.0.113.150
echo "security group rule create --protocol icmp --ingress default" \
    | session rule || sb_fail "rule create"
sb_assert_ping ext 203.0.113.150
sb_assert_ping vm1 192.168.20.12
sb_assert_ping vm1 203.0.113.1
echo "east-west, SNAT and floating IP pings passed"

# Port forwarding (the dvrflow-port-forwarding plugin): the external host
# reaches vm1's TCP port 22 at a second floating IP's port 2201, only
# once the forwarding exists.
sb exec vm1 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 22)); s.listen(8)
while True:
    c, a = s.accept()
    c.sendall(("vm1 %s\n" % a[0]).encode()); c.close()
' </dev/null >/dev/null 2>&1 &
sb_wait_listen vm1 22
# ask: what the external host gets from 203.0.113.160:2201, or "none".
ask() {
    sb exec ext python3 -c '
import socket
try:
    s = socket.create_connection(("203.0.113.160", 2201), timeout=2)
    print(s.recv(100).decode().strip())
except OSError:
    print("none")'
}
session pf <<'EOF' || sb_fail "floating IP through neutron-server"
security group rule create --protocol tcp --dst-port 22 --ingress default
floating ip create --floating-ip-address 203.0.113.160 public
EOF
got=$(ask)
[ "$got" = none ] \
    || sb_fail "203.0.113.160:2201 answered '$got' before the forwarding"
session pf2 <<EOF || sb_fail "port forwarding through neutron-server"
floating ip port forwarding create --internal-ip-address ${ip1%/*} --port vm1 --internal-protocol-port 22 --external-protocol-port 2201 --protocol tcp 203.0.113.160
EOF
for _ in $(seq 25); do
    got=$(ask)
    [ "$got" = "vm1 203.0.113.1" ] && break
    sleep 0.2
done
[ "$got" = "vm1 203.0.113.1" ] \
    || sb_fail "203.0.113.160:2201 got '$got', not 'vm1 203.0.113.1'"
echo "port forwarding 203.0.113.160:2201 -> vm1:22 from the external host: ok"

# Agents.
nt_os network agent list -f value -c Host -c Alive -c 'Agent Type' \
    > "$SB_TMP/agents.out" || sb_fail "agent list"
cat "$SB_TMP/agents.out"
for host in hv1 hv2 gw1; do
    grep -q "dvrflow controller $host True" "$SB_TMP/agents.out" \
        || sb_fail "no alive agent for $host"
done
# The heartbeat: after a quiet agent down time, a listing still shows
# them alive (it bumps NB_Global.nb_cfg and the controllers acknowledge).
sleep 6
nt_os network agent list -f value -c Host -c Alive -c 'Agent Type' \
    > "$SB_TMP/agents2.out" || sb_fail "agent list"
for host in hv1 hv2 gw1; do
    grep -q "dvrflow controller $host True" "$SB_TMP/agents2.out" \
        || sb_fail "$host not alive after a quiet agent down time: \
$(cat "$SB_TMP/agents2.out")"
done
# The NB database lost (its server stopped, the file deleted, an empty one
# started): the controllers register again, neutron-server's dvrflow
# worker rebuilds the NB from Neutron's database, and the pings come back.
nb_rows() {
    ovsdb-client --timeout=5 transact "$NB" "[\"DVRFLOW_Northbound\",
        {\"op\": \"select\", \"table\": \"$1\", \"where\": [],
         \"columns\": [\"_uuid\"]}]" 2>/dev/null \
        | jq '.[0].rows | length' 2>/dev/null || echo 0
}
nbd=/run/dvrsb/$SB_PREFIX/nb
ports_before=$(curl -sf "$NEUTRON_URL/v2.0/ports" | jq '.ports | length')
# Two floating IPs (vm2's, the port forwarding's) and one forwarding.
[ "$(nb_rows Floating_IP)" = 2 ] && [ "$(nb_rows Port_Forwarding)" = 1 ] \
    || sb_fail "NB has $(nb_rows Floating_IP) floating IPs and \
$(nb_rows Port_Forwarding) forwardings before it is lost, not 2 and 1"
[ "$(nb_rows Port)" = "$ports_before" ] \
    || sb_fail "NB has $(nb_rows Port) ports, Neutron $ports_before"
[ -f "$nbd/nb.db" ] || sb_fail "no NB database file at $nbd/nb.db"
kill "$(cat "$nbd/nb.pid")"
sb_await 5000 sh -c "! kill -0 $(cat "$nbd/nb.pid") 2>/dev/null" >/dev/null \
    || sb_fail "the NB ovsdb-server does not stop"
rm -f "$nbd/nb.db" "$nbd/nb.sock"
ovsdb-tool create "$nbd/nb.db" "$abs_top_srcdir/ovsdb/dvrflow-nb.ovsschema"
ovsdb-server --detach --no-chdir --pidfile="$nbd/nb.pid" \
    --log-file="$nbd/nb.log" --remote=punix:"$nbd/nb.sock" \
    --unixctl="$nbd/nb.ctl" "$nbd/nb.db"
t_lost=$(sb_ms)
nb_rebuilt() {
    [ "$(nb_rows Floating_IP)" = 2 ] && [ "$(nb_rows Router)" = 1 ] \
        && [ "$(nb_rows Port_Forwarding)" = 1 ] \
        && [ "$(nb_rows Port)" = "$ports_before" ]
}
sb_await 60000 nb_rebuilt >/dev/null \
    || sb_fail "the NB database was not rebuilt"
echo "NB rebuilt $(( $(sb_ms) - t_lost )) ms after it was lost:" \
     "$(nb_rows Port) ports, $(nb_rows Router) router"
for _ in $(seq 30); do
    sb exec vm1 ping -q -c 1 -W 1 192.168.20.12 >/dev/null 2>&1 && break
done
sb_assert_ping vm1 192.168.20.12
sb_assert_ping ext 203.0.113.150
sb_assert_ping vm1 203.0.113.1
echo "pings are back $(( $(sb_ms) - t_lost )) ms after the NB was lost"
for _ in $(seq 25); do
    got=$(ask)
    [ "$got" = "vm1 203.0.113.1" ] && break
    sleep 0.2
done
[ "$got" = "vm1 203.0.113.1" ] \
    || sb_fail "after the NB rebuild, 203.0.113.160:2201 got '$got'"
echo "port forwarding works again after the NB rebuild"

# Unplugged, the port goes back to DOWN (the controller drops its
# Port_Binding up; the worker sets the status and a new block).
sb vm-del vm1 || sb_fail "vm-del vm1"
ms=$(sb_await 30000 sh -c "curl -sf '$NEUTRON_URL/v2.0/ports?name=vm1' \
        | grep -q '\"status\": *\"DOWN\"'") \
    || sb_fail "vm1 is still $(port_field vm1 status) after vm-del"
echo "vm1 DOWN ${ms} ms after vm-del"

# No error but ML2's own for the port on the unknown host, and ovsdbapp's
# while the NB database was away.
grep ERROR "$NEUTRON_LOG" \
    | grep -v "Failed to bind port .* on host nosuchhost " \
    | grep -v "ovsdbapp.backend.ovs_idl.idlutils .* Unable to open stream" \
    > "$SB_TMP/errors" || true
[ ! -s "$SB_TMP/errors" ] \
    || { head -40 "$SB_TMP/errors"; sb_fail "neutron-server logged errors"; }

# A stopped neutron-server loses no traffic.
neutron_stop
sb_assert_ping ext 203.0.113.150
echo "traffic flows with neutron-server stopped"
echo "neutron-system: passed in $(( $(date +%s) - T0 )) s"

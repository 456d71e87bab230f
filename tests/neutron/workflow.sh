#!/usr/bin/env bash
# Neutron tier (issue 13): a user's whole workflow with the real
# `openstack` client, authenticated by Keystone, against neutron-server
# with the dvrflow ML2 driver and L3 plugin, and Debian's real Nova with
# its fake virt driver (tests/lib/nova.sh), on a sandbox of two computes
# and a network node whose controllers registered their Chassis.
#
# Networks, subnets, an external flat network, a router with its gateway
# and two interfaces, two servers booted by `openstack server create
# --nic net-id=...` with the default security group (one on hv1, one on
# hv2), a floating IP added with `openstack server add floating ip`, a
# security group rule.  The fake driver plugs nothing, so the test plugs
# each server's port into the node Nova named as its host the way os-vif
# does (iface-id, attached-mac, vm-uuid = the server's id).  Then real
# packets: DHCP lease, east-west routed across the nodes, SNAT to the
# external host, the floating IP from the external host once a rule
# allows it, metadata from Nova's metadata API (each controller runs with
# --metadata-proxy; the name and flavor a server sees are Nova's); each
# port ACTIVE and exactly one network-vif-plugged accepted by Nova per
# port, and none before the port was plugged (its flows cannot be in
# before: the driver's provisioning block waits for Port_Binding.up, which
# the controller sets once they are).  Last, neutron-server stops and
# pings across the nodes and to the floating IP lose nothing.
#
# The client's commands run in batches through its interactive mode (one
# client process per batch: a start costs seconds on a loaded machine);
# what they made is checked through the APIs.  Prints the phase times and
# the OpenStack side's memory.  DVR_KEEP_LOGS=DIR keeps a failed run's
# OpenStack logs.
set -euo pipefail
if [ "${DVR_NEUTRON_TIER:-}" != yes ]; then
    echo "skip: the Neutron tier runs with DVR_NEUTRON_TIER=yes"
    exit 77
fi
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/keystone.sh"
. "$abs_top_srcdir/tests/lib/neutron.sh"
. "$abs_top_srcdir/tests/lib/nova.sh"
sb_init
# Everything of OpenStack stops by pid before the sandbox goes down.
cleanup() {
    local rc=$?
    set +e
    if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
        for f in "$SB_TMP"/nova/log/*.log "$SB_TMP"/neutron/*.log*; do
            [ -f "$f" ] || continue
            echo "--- $f (errors, last 20)" >&2
            grep -E 'ERROR|Traceback' "$f" | tail -n 20 >&2
        done
        # DVR_KEEP_LOGS=DIR keeps OpenStack's logs of a failed run.
        [ -z "${DVR_KEEP_LOGS:-}" ] || cp -r "$SB_TMP/nova/log" \
            "$SB_TMP/neutron" "$DVR_KEEP_LOGS/" 2>/dev/null
    fi
    nova_down
    neutron_down
    ks_down
    _sb_cleanup "$rc"
}
trap cleanup EXIT

t0=$(sb_ms)
mark() { echo "[$(( ($(sb_ms) - t0) / 1000 )) s] $*"; }
# await SECONDS CMD...: runs CMD every half second until it succeeds.
await() {
    local n=$(($1 * 2))
    shift
    until "$@"; do
        n=$((n - 1))
        [ $n -gt 0 ] || return 1
        sleep 0.5
    done
}

# The controllers proxy metadata requests to Nova's metadata API (as
# Neutron's metadata agent would), signed with a shared secret.
NOVA_METADATA_SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$NOVA_METADATA_SECRET" >"$SB_TMP/metadata-secret"
sb_up --computes 2 --gateways 1 --no-api \
    --controller-arg --metadata-proxy=http://127.0.0.1:8775 \
    --controller-arg --metadata-secret-file="$SB_TMP/metadata-secret"
mark "sandbox up"
ks_up "$SB_TMP/ks"
mark "keystone up"
# neutron-server with the dvrflow driver on the sandbox's NB database,
# Keystone's MariaDB and auth, and Nova's notifier.
NEUTRON_PORT=$(_nova_port 19790)
NEUTRON_AUTH=keystone
NEUTRON_KEYSTONE_URL=${KS_URL%/v3}
NEUTRON_KEYSTONE_PASSWORD=dvrflow-neutron-test
NEUTRON_NOVA_CONF=$(nova_neutron_conf)
NT_DB_URL=$(ks_db_create neutron)
export NEUTRON_PORT NEUTRON_AUTH NEUTRON_KEYSTONE_URL \
    NEUTRON_KEYSTONE_PASSWORD NEUTRON_NOVA_CONF NT_DB_URL
NEUTRON_URL=http://127.0.0.1:$NEUTRON_PORT
# Nova's services boot while neutron-server does.
nova_start "$SB_TMP/nova" hv1 hv2
mark "nova started"
neutron_up "$SB_TMP" "$SB_NB"
mark "neutron-server up"
nova_wait
nova_metadata_forward "$SB_PREFIX-hv1" "$SB_PREFIX-hv2"
mark "nova up"
sed 's/^/  nova: /' "$SB_TMP/nova/log/phases"

eval "$(ks_env admin "$KS_ADMIN_PASSWORD" admin)"
TOKEN=$(ks_admin_token)
# batch NAME: runs the openstack commands on stdin in one client process
# (its interactive mode: a client start costs seconds on a loaded 2-core
# machine), keeping their output in $SB_TMP/NAME.out; what they made is
# checked through the APIs afterwards.
batch() {
    openstack >"$SB_TMP/$1.out" 2>&1 || true
    if grep -B2 -A2 -iE 'error|exception|not found|no .* with a name' \
            "$SB_TMP/$1.out" >&2; then
        sb_fail "openstack commands ($1) failed"
    fi
}
# api GET URL [PY]: a JSON document from an OpenStack API; PY (an
# expression on d) picks from it.
api() {
    curl -sf -H "X-Auth-Token: $TOKEN" \
        -H 'OpenStack-API-Version: compute 2.47' "$2" \
        | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]) if sys.argv[1] else json.dumps(d))' "${3:-}"
}
port_field() { api GET "$NEUTRON_URL/v2.0/ports/$1" "d['port']['$2']"; }

# The user's workflow: networks, subnets, router.  The router's gateway
# address is given: one picked at random from the pool would be the
# floating IP's below (.150) about once in 100 runs.
batch network <<'EOF'
network create --external --provider-network-type flat --provider-physical-network physnet1 public
subnet create --network public --subnet-range 203.0.113.0/24 --gateway 203.0.113.1 --no-dhcp --allocation-pool start=203.0.113.100,end=203.0.113.199 public-sub
network create private1
subnet create --network private1 --subnet-range 10.10.0.0/24 sub1
network create private2
subnet create --network private2 --subnet-range 10.20.0.0/24 sub2
router create r1
router set --external-gateway public --fixed-ip subnet=public-sub,ip-address=203.0.113.137 r1
router add subnet r1 sub1
router add subnet r1 sub2
EOF
router=$(api GET "$NEUTRON_URL/v2.0/routers?name=r1" "d['routers'][0]['id']")
gw_ip=$(api GET "$NEUTRON_URL/v2.0/routers/$router" \
            "d['router']['external_gateway_info']['external_fixed_ips'][0]['ip_address']")
[ "$(api GET "$NEUTRON_URL/v2.0/ports?device_id=$router&device_owner=network:router_interface" \
      "len(d['ports'])")" = 2 ] || sb_fail "r1 has not two interfaces"
mark "networks, subnets, router r1 (gateway $gw_ip)"

# An image, a flavor and two servers, one on each compute node.
head -c 1048576 /dev/zero >"$SB_TMP/tiny.img"
batch servers <<EOF
image create --disk-format raw --container-format bare --file $SB_TMP/tiny.img tiny
flavor create --ram 64 --disk 1 --vcpus 1 tiny
server create --flavor tiny --image tiny --nic net-id=$(api GET "$NEUTRON_URL/v2.0/networks?name=private1" "d['networks'][0]['id']") --security-group default --availability-zone nova:hv1 vm1
server create --flavor tiny --image tiny --nic net-id=$(api GET "$NEUTRON_URL/v2.0/networks?name=private2" "d['networks'][0]['id']") --security-group default --availability-zone nova:hv2 vm2
EOF
servers_active() {
    [ "$(api GET "$NOVA_API_URL/servers/detail" \
          "' '.join(sorted(s['name'] + ':' + s['status'] + ':' + str(s.get('OS-EXT-SRV-ATTR:host')) for s in d['servers']))")" \
      = "vm1:ACTIVE:hv1 vm2:ACTIVE:hv2" ]
}
await 120 servers_active || sb_fail "servers: $(api GET "$NOVA_API_URL/servers/detail" \
    "[(s['name'], s['status'], s.get('OS-EXT-SRV-ATTR:host'), s.get('fault')) for s in d['servers']]")"
s1=$(api GET "$NOVA_API_URL/servers?name=vm1" "d['servers'][0]['id']")
s2=$(api GET "$NOVA_API_URL/servers?name=vm2" "d['servers'][0]['id']")
mark "servers vm1 ($s1) on hv1 and vm2 ($s2) on hv2 ACTIVE"
p1=$(api GET "$NEUTRON_URL/v2.0/ports?device_id=$s1" "d['ports'][0]['id']")
p2=$(api GET "$NEUTRON_URL/v2.0/ports?device_id=$s2" "d['ports'][0]['id']")
ip1=$(api GET "$NEUTRON_URL/v2.0/ports/$p1" "d['port']['fixed_ips'][0]['ip_address']")
ip2=$(api GET "$NEUTRON_URL/v2.0/ports/$p2" "d['port']['fixed_ips'][0]['ip_address']")
sg=$(api GET "$NEUTRON_URL/v2.0/ports/$p2" "d['port']['security_groups'][0]")
[ "$(api GET "$NEUTRON_URL/v2.0/security-groups/$sg" "d['security_group']['name']")" = default ] \
    || sb_fail "vm2's port is not in the default group"
for p in "$p1" "$p2"; do
    [ "$(port_field "$p" binding:vif_type)" = ovs ] \
        || sb_fail "port $p is not bound: $(api GET "$NEUTRON_URL/v2.0/ports/$p")"
    [ "$(port_field "$p" status)" = DOWN ] \
        || sb_fail "port $p is $(port_field "$p" status) before it is plugged"
    [ "$(nova_vif_plugged "$p")" = 0 ] \
        || sb_fail "network-vif-plugged for $p before it was plugged"
done
[ "$(port_field "$p1" binding:host_id)" = hv1 ] || sb_fail "p1 host"
[ "$(port_field "$p2" binding:host_id)" = hv2 ] || sb_fail "p2 host"

# The plugging os-vif would do, on the node Nova chose; DHCP lease.
sb vm-add vm1 --node hv1 --port "$p1" --vm-uuid "$s1" --dhcp-timeout 10 \
    || sb_fail "vm1 gets no DHCP lease"
sb vm-add vm2 --node hv2 --port "$p2" --vm-uuid "$s2" --dhcp-timeout 10 \
    || sb_fail "vm2 gets no DHCP lease"
sb exec vm1 ip -o addr show eth0 | sb_has "inet $ip1/24" \
    || sb_fail "vm1 leased no $ip1"
sb exec vm2 ip -o addr show eth0 | sb_has "inet $ip2/24" \
    || sb_fail "vm2 leased no $ip2"
mark "plugged; DHCP leases $ip1, $ip2"

# Each port ACTIVE; one network-vif-plugged each, after the plug.
port_active() { [ "$(port_field "$1" status)" = ACTIVE ]; }
vif_plugged_seen() { [ "$(nova_vif_plugged "$1")" -ge 1 ]; }
for p in "$p1" "$p2"; do
    await 30 port_active "$p" || sb_fail "port $p is not ACTIVE"
    await 10 vif_plugged_seen "$p" \
        || sb_fail "Nova got no network-vif-plugged for $p"
done
sleep 1
for p in "$p1" "$p2"; do
    n=$(nova_vif_plugged "$p")
    [ "$n" = 1 ] || sb_fail "Nova got $n network-vif-plugged for $p"
done
mark "ports ACTIVE, one network-vif-plugged each"

# East-west, routed across the nodes (default group: members reach each
# other).
sb_assert_ping vm1 "$ip2"
sb_assert_ping vm2 "$ip1"
hops=$(sb exec vm1 traceroute -n -q 1 -w 1 -m 4 "$ip2" | tail -n +2)
[ "$(echo "$hops" | wc -l)" = 2 ] || sb_fail "east-west hops: $hops"
mark "east-west routed"

# SNAT: vm1 reaches the external host as the router's gateway address.
sb_assert_ping vm1 203.0.113.1
sb exec ext python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 8080)); s.listen(1); s.settimeout(20)
c, a = s.accept(); open(sys.argv[1], "w").write(a[0] + "\n"); c.close()
' "$SB_TMP/peer" </dev/null >/dev/null 2>&1 &
sb_wait_listen ext 8080
sb exec vm1 nc -z -w 2 203.0.113.1 8080 || sb_fail "vm1 cannot reach ext"
await 5 test -s "$SB_TMP/peer" || sb_fail "ext saw no peer"
[ "$(cat "$SB_TMP/peer")" = "$gw_ip" ] \
    || sb_fail "ext saw $(cat "$SB_TMP/peer"), not the gateway $gw_ip"
mark "SNAT as $gw_ip"

# Floating IP: created, added to vm2; the default group lets nothing in
# from outside until a rule allows ICMP.
fip=203.0.113.150
batch fip <<EOF
floating ip create --floating-ip-address $fip public
server add floating ip vm2 $fip
EOF
[ "$(api GET "$NEUTRON_URL/v2.0/floatingips?floating_ip_address=$fip" \
      "d['floatingips'][0]['port_id']")" = "$p2" ] \
    || sb_fail "the floating IP $fip is not on vm2's port"
sb_assert_no_ping ext "$fip"
openstack security group rule create --ingress --protocol icmp \
    --remote-ip 0.0.0.0/0 "$sg" -f value -c id >/dev/null \
    || sb_fail "cannot add the ICMP rule"
await 10 sb exec ext ping -q -c 1 -W 1 "$fip" >/dev/null \
    || sb_fail "ext cannot ping the floating IP $fip after the rule"
mark "floating IP $fip reached from ext once the rule allowed ICMP"

# Metadata: each server gets its own, from Nova (through its node's
# controller: the name and the flavor's instance type are Nova's, the NB
# has neither).
for vm in vm1:$s1 vm2:$s2; do
    md=$(sb exec "${vm%%:*}" curl -sf -m 10 \
             http://169.254.169.254/openstack/latest/meta_data.json) \
        || sb_fail "${vm%%:*} gets no metadata"
    [ "$(echo "$md" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["uuid"], d["name"])')" = "${vm#*:} ${vm%%:*}" ] \
        || sb_fail "${vm%%:*}'s metadata is not its own: $md"
done
[ "$(sb exec vm2 curl -sf -m 10 \
      http://169.254.169.254/latest/meta-data/instance-type)" = tiny ] \
    || sb_fail "vm2's EC2 metadata has not its flavor"
grep -q "GET /openstack/latest/meta_data.json" "$(nova_log api)" \
    || sb_fail "Nova's metadata API served no request"
mark "metadata served by Nova through the controllers"

# The memory of the OpenStack side (PSS of Keystone, MariaDB,
# neutron-server, RabbitMQ, Placement, Glance and Nova's services, with
# their workers), a figure, not a check.
python3 - "${NOVA_PIDS[@]}" "$NEUTRON_PID" "$(cat "$KS_DIR/uwsgi.pid")" \
    "$(cat "$KS_DIR/mysqld.pid")" <<'EOF'
import os
import sys
parent = {}
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        with open('/proc/%s/stat' % pid) as f:
            parent[int(pid)] = int(f.read().rsplit(')', 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        pass
todo = {int(p) for p in sys.argv[1:] if p.isdigit()}
tree = set()
while todo:
    p = todo.pop()
    tree.add(p)
    todo |= {c for c, pp in parent.items() if pp == p and c not in tree}
kib = 0
for p in tree:
    try:
        with open('/proc/%d/smaps_rollup' % p) as f:
            kib += sum(int(l.split()[1]) for l in f if l.startswith('Pss:'))
    except OSError:
        pass
print('OpenStack side: %d processes, PSS %d MiB' % (len(tree), kib // 1024))
EOF

# neutron-server stops: no traffic lost.
sb exec ext ping -c 30 -i 0.1 -W 1 "$fip" >"$SB_TMP/fip-ping" 2>&1 &
ping_pid=$!
sb exec vm1 ping -c 30 -i 0.1 -W 1 "$ip2" >"$SB_TMP/ew-ping" 2>&1 &
ew_pid=$!
sleep 0.5
neutron_stop
wait $ping_pid || true
wait $ew_pid || true
grep -q ' 0% packet loss' "$SB_TMP/fip-ping" \
    || sb_fail "floating IP pings lost: $(tail -n 2 "$SB_TMP/fip-ping")"
grep -q ' 0% packet loss' "$SB_TMP/ew-ping" \
    || sb_fail "east-west pings lost: $(tail -n 2 "$SB_TMP/ew-ping")"
mark "neutron-server stopped: no ping lost"
echo "workflow: ok"

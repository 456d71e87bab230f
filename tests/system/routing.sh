#!/usr/bin/env bash
# System test (issue 5): distributed routing, floating IPs and SNAT on a
# netdev sandbox with two compute nodes and two network nodes, the topology
# made through dvr-api.  private-net 192.168.10.0/24 (MTU 1500) and net2
# 192.168.20.0/24 (MTU 1300) on router myrouter, whose gateway is on
# public-net (flat, physnet1, 203.0.113.0/24, gateway the external host
# 203.0.113.1).  vm1 (hv1, private-net) has a floating IP; vm2 (hv2, net2)
# has none.  Proves, with real packets:
#   - vm1 <-> vm2: ping, TCP, traceroute shows one hop (the router's IP);
#     routed on hv1 (its route flow counts) and nothing reaches a network
#     node;
#   - external host -> floating IP: ping and TCP reach vm1, which sees the
#     external host's address; vm1 -> external host leaves with the
#     floating IP; no packet of it on either network node's uplink;
#   - vm2 -> external host leaves with the router's gateway IP, through
#     the active network node;
#   - TTL 1 towards net2 gets "time exceeded" from 192.168.10.1; a
#     1500-byte DF packet towards net2 gets "fragmentation needed" (1300);
#   - the active network node stopped: floating-IP traffic keeps flowing,
#     SNAT comes back through the other one (time measured);
#   - no namespace but the sandbox's.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
ns_before=$(ip netns list | awk '{print $1}' | sort)
sb_init
sb_up --computes 2 --gateways 2
P=$SB_PREFIX

# The topology, as an operator would create it.
pub=$(sb_api_id POST /networks '{"network": {"name": "public-net",
    "router:external": true, "provider:network_type": "flat",
    "provider:physical_network": "physnet1"}}')
pubsub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"public-subnet\",
    \"network_id\": \"$pub\", \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
    \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                            \"end\": \"203.0.113.200\"}]}}")
priv=$(sb_api_id POST /networks '{"network": {"name": "private-net",
    "mtu": 1500}}')
privsub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"private-subnet\",
    \"network_id\": \"$priv\", \"cidr\": \"192.168.10.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
net2=$(sb_api_id POST /networks '{"network": {"name": "net2", "mtu": 1300}}')
sub2=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"subnet2\",
    \"network_id\": \"$net2\", \"cidr\": \"192.168.20.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"myrouter\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$privsub\"}" >/dev/null
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$sub2\"}" >/dev/null
gw_ip=$(sb_api GET "/routers/$router" \
        | jq -r '.router.external_gateway_info.external_fixed_ips[0].ip_address')
p1=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm1\",
    \"network_id\": \"$priv\", \"fixed_ips\": [{\"subnet_id\": \"$privsub\",
    \"ip_address\": \"192.168.10.11\"}], \"port_security_enabled\": false}}")
p2=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm2\",
    \"network_id\": \"$net2\", \"fixed_ips\": [{\"subnet_id\": \"$sub2\",
    \"ip_address\": \"192.168.20.12\"}], \"port_security_enabled\": false}}")
sb_vm_port vm1 hv1 "$p1"
sb_vm_port vm2 hv2 "$p2"
fip=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\", \"port_id\": \"$p1\"}}" \
      | jq -r .floatingip.floating_ip_address)
echo "router gateway $gw_ip, vm1's floating IP $fip"

# br_packets NODE BRIDGE [FILTER [GREP]]: the sum of n_packets of NODE's
# flows (those whose text has GREP).
br_packets() {
    sb ovs "$1" ovs-ofctl -O OpenFlow13 dump-flows "$2" ${3:+"$3"} \
        | grep -e "${4:-.}" \
        | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' | awk '{s+=$1} END {print s+0}'
}
# tenant_in NODE: packets NODE received on any tenant network's VNI (BFD
# between the nodes is not tenant traffic).
tenant_in() {
    br_packets "$1" br-tun table=tun_in tun_id=
}

# East-west.
gw_before="$(tenant_in gw1) $(tenant_in gw2)"
route_before=$(br_packets hv1 br-int "table=l3_route,ip,nw_dst=192.168.20.0/24")
sb_assert_ping vm1 192.168.20.12
sb_assert_ping vm2 192.168.10.11
sb_tcp_listen vm2 8080
sb_assert_tcp vm1 192.168.20.12 8080
hops=$(sb exec vm1 traceroute -n -q 1 -w 1 -m 4 192.168.20.12 | tail -n +2)
echo "$hops"
[ "$(echo "$hops" | wc -l)" = 2 ] \
    && echo "$hops" | head -1 | grep -q ' 192\.168\.10\.1 ' \
    && echo "$hops" | tail -1 | grep -q ' 192\.168\.20\.12 ' \
    || sb_fail "traceroute does not show one hop through 192.168.10.1"
route_after=$(br_packets hv1 br-int "table=l3_route,ip,nw_dst=192.168.20.0/24")
[ "$route_after" -gt "$route_before" ] \
    || sb_fail "hv1's route to 192.168.20.0/24 counted no packet"
gw_after="$(tenant_in gw1) $(tenant_in gw2)"
[ "$gw_after" = "$gw_before" ] \
    || sb_fail "east-west traffic reached a network node ($gw_before -> $gw_after)"
echo "east-west: ping, TCP, one hop, routed on hv1, no network node: ok"

# ICMP errors.
out=$(sb exec vm1 ping -c 1 -W 2 -t 1 192.168.20.12 2>&1 || true)
echo "$out" | grep -q 'From 192.168.10.1 .*Time to live exceeded' \
    || sb_fail "no time exceeded from 192.168.10.1: $out"
out=$(sb exec vm1 ping -c 1 -W 2 -M do -s 1472 192.168.20.12 2>&1 || true)
echo "$out" | grep -q 'From 192.168.10.1 .*Frag needed.*mtu = 1300' \
    || sb_fail "no fragmentation needed (mtu 1300) from 192.168.10.1: $out"
sb exec vm1 ping -c 1 -W 2 -M do -s 1272 192.168.20.12 >/dev/null \
    || sb_fail "a 1300-byte DF packet does not pass"
echo "ICMP time exceeded and fragmentation needed: ok"

# peer_of NAME PORT: starts a one-connection TCP server on PORT in NAME
# that writes the peer's address to SB_TMP/peer-NAME-PORT.
peer_of() {
    sb exec "$1" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1]))); s.listen(1); s.settimeout(20)
c, a = s.accept(); open(sys.argv[2], "w").write(a[0] + "\n"); c.close()
' "$2" "$SB_TMP/peer-$1-$2" </dev/null >/dev/null 2>&1 &
    sb_wait_listen "$1" "$2"
}
# assert_peer NAME PORT ADDR: the server of peer_of saw ADDR.
assert_peer() {
    for _ in $(seq 50); do
        [ -s "$SB_TMP/peer-$1-$2" ] && break
        sleep 0.1
    done
    [ "$(cat "$SB_TMP/peer-$1-$2" 2>/dev/null)" = "$3" ] \
        || sb_fail "$1:$2 saw '$(cat "$SB_TMP/peer-$1-$2" 2>/dev/null)', not $3"
}

# Floating IP, in and out, on hv1 alone.
for gw in gw1 gw2; do
    sb exec "$gw" tcpdump -Z root -U -n -i pv0 -w "$SB_TMP/$gw.pcap" \
        "ip and host $fip" >/dev/null 2>&1 &
done
sleep 1
# The first packet: vm1's reply finds its next hop (ext) not resolved yet
# on hv1; it waits for the ARP reply instead of being lost.
sb exec ext ping -c 1 -W 3 "$fip" >/dev/null \
    || sb_fail "ext's first ping to $fip got no reply (the next hop's first packet lost)"
held=$(sb ovs hv1 ovs-appctl -t "/run/dvrsb/$SB_PREFIX/hv1/run/dvr-controller.ctl" \
    status | sed -n 's/.*packets held for a next hop: [0-9]* now, \([0-9]*\) sent.*/\1/p')
[ "${held:-0}" -ge 1 ] || sb_fail "hv1 sent no held packet (held: '$held')"
peer_of vm1 8081
sb exec ext nc -z -w 2 "$fip" 8081 || sb_fail "ext cannot open TCP to $fip"
assert_peer vm1 8081 203.0.113.1
peer_of ext 8082
sb exec vm1 nc -z -w 2 203.0.113.1 8082 || sb_fail "vm1 cannot reach ext"
assert_peer ext 8082 "$fip"
sb_assert_ping vm1 203.0.113.1
sleep 0.5
for gw in gw1 gw2; do
    n=$( (sb exec "$gw" tcpdump -n -r "$SB_TMP/$gw.pcap" 2>/dev/null || true) \
        | wc -l)
    [ "$n" = 0 ] || sb_fail "$n floating-IP packets on $gw's uplink"
done
echo "floating IP: in and out from hv1, ext's address seen, no network node: ok"

# SNAT through the active gateway.
active=$(for gw in gw1 gw2; do
    sb ovs "$gw" ovs-ofctl -O OpenFlow13 dump-flows br-int \
        "table=l2_lookup,arp,arp_tpa=$gw_ip" | grep -q priority=110 \
        && echo "$gw" || true
done)
[ "$(echo "$active" | wc -w)" = 1 ] || sb_fail "active gateways: '$active'"
# The first packet through the gateway waits there for ext's ARP reply.
sb exec vm2 ping -c 1 -W 3 203.0.113.1 >/dev/null \
    || sb_fail "vm2's first ping to ext through $active got no reply"
peer_of ext 8083
sb exec vm2 nc -z -w 2 203.0.113.1 8083 || sb_fail "vm2 cannot reach ext"
assert_peer ext 8083 "$gw_ip"
sb_assert_ping vm2 203.0.113.1
snat=$(br_packets "$active" br-int "table=l3_egress,ip,nw_src=0.0.0.0/0")
[ "$snat" -gt 0 ] || sb_fail "no packet through $active's SNAT"
echo "SNAT: vm2 leaves as $gw_ip through $active: ok"

# The active gateway stops: floating IP unaffected, SNAT back on the other.
sb exec ext ping -c 60 -i 0.1 -W 1 "$fip" > "$SB_TMP/fip-ping" 2>&1 &
fip_ping=$!
sleep 2
t0=$(sb_ms)
for pidfile in /run/dvrsb/$P/$active/run/*.pid; do
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
done
# Wait for vm2's pings to succeed again.
recovered=""
for _ in $(seq 100); do
    sleep 0.1
    if sb exec vm2 ping -c 1 -W 1 203.0.113.1 >/dev/null 2>&1; then
        recovered=$(( $(sb_ms) - t0 ))
        break
    fi
done
[ -n "$recovered" ] || sb_fail "SNAT did not come back after $active stopped"
echo "SNAT back through the other gateway $recovered ms after $active stopped"
[ "$recovered" -le 3000 ] || sb_fail "SNAT took $recovered ms to come back"
wait "$fip_ping" || true
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$SB_TMP/fip-ping")
echo "floating-IP ping (60 at 10/s) across $active's stop: ${loss:-?}% loss"
[ "${loss:-100}" = 0 ] || sb_fail "floating-IP traffic lost packets: $(tail -2 "$SB_TMP/fip-ping")"
sb_assert_ping ext "$fip"
echo "gateway failover: ok"

# kill -9 of hv1's controller during a 50 pps ping from ext to the
# floating IP, then a restart: the restarted controller learns ext again
# (its next hop) and the replies that find it unlearned wait for it.
d=/run/dvrsb/$P/hv1
sb exec ext ping -q -i 0.02 -c 200 -W 1 "$fip" > "$SB_TMP/restart-ping" 2>&1 &
fip_ping=$!
sleep 0.5
kill -9 "$(cat "$d/run/dvr-controller.pid")"
sleep 0.5
(
    . "/run/dvrsb/$P/config"
    ip netns exec "$P-hv1" env OVS_RUNDIR="$d/run" OVS_DBDIR="$d/db" \
        OVS_LOGDIR="$d/log" OVS_SYSCONFDIR="$d/etc" \
        "$abs_top_builddir/controller/dvr-controller" "unix:$d/run/db.sock" \
        --pidfile="$d/run/dvr-controller.pid" --detach \
        --log-file="$d/log/dvr-controller.log" \
        --unixctl="$d/run/dvr-controller.ctl" "${SB_CONTROLLER_ARGS[@]}"
) || sb_fail "cannot restart hv1's controller"
wait "$fip_ping" || true
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$SB_TMP/restart-ping")
echo "floating-IP ping (200 at 50/s) across hv1's controller restart: ${loss:-?}% loss"
[ "${loss:-100}" = 0 ] || sb_fail "floating-IP traffic lost packets across the restart: $(tail -2 "$SB_TMP/restart-ping")"
echo "controller restart under floating-IP traffic: ok"

ns_after=$(ip netns list | awk '{print $1}' | sort)
extra=""
for ns in $(comm -13 <(echo "$ns_before") <(echo "$ns_after")); do
    # Another sandbox's (a test running alongside) is not ours to judge.
    [ -d "/run/dvrsb/${ns%%-*}" ] || extra="$extra $ns"
done
[ -z "$extra" ] || sb_fail "namespaces besides the sandbox's: $extra"
echo "no namespace besides the sandbox's: ok"

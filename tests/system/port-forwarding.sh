#!/usr/bin/env bash
# System test (issue 20): floating IP port forwarding on a netdev sandbox
# with two compute nodes and one network node, made through dvr-api.
# private-net 192.168.10.0/24 on router myrouter, whose gateway is on
# public-net (flat, physnet1, 203.0.113.0/24; the external host is
# 203.0.113.1).  One floating IP without a port forwards, for TCP and UDP,
# its port 2201 to vm1:22 (hv1) and 2202 to vm2:22 (hv2).  Proves, with
# real packets from the external host:
#   - TCP and UDP to each port reach the right VM, which sees the external
#     host's address, and the answers come back from the floating IP;
#   - the translation happens on each VM's own node (its l3_input NAT flow
#     counts) and the network node forwards by port (its l3_ext_in flow);
#   - a forwarding deleted stops its traffic (both protocols), the other
#     one still works;
#   - an external port that overlaps another forwarding of the floating IP
#     is refused by the API (400) and writes nothing;
#   - port ranges (floating-ip-port-forwarding-port-ranges): tcp 2300:2309
#     -> vm1:7000:7009 reaches vm1's servers on 7003 and 7007 through
#     2303 and 2307, not through 2299 or 2310; udp 2400:2409 -> vm2:22
#     (1-N) reaches vm2 through 2400 and 2409, not through 2410; a range
#     overlapping 2300:2309 is refused (400).
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2 --gateways 1

pub=$(sb_api_id POST /networks '{"network": {"name": "public-net",
    "router:external": true, "provider:network_type": "flat",
    "provider:physical_network": "physnet1"}}')
sb_api_id POST /subnets "{\"subnet\": {\"name\": \"public-subnet\",
    \"network_id\": \"$pub\", \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
    \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                            \"end\": \"203.0.113.200\"}]}}" >/dev/null
priv=$(sb_api_id POST /networks '{"network": {"name": "private-net"}}')
privsub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"private-subnet\",
    \"network_id\": \"$priv\", \"cidr\": \"192.168.10.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"myrouter\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$privsub\"}" >/dev/null
p1=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm1\",
    \"network_id\": \"$priv\", \"fixed_ips\": [{\"subnet_id\": \"$privsub\",
    \"ip_address\": \"192.168.10.11\"}], \"port_security_enabled\": false}}")
p2=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm2\",
    \"network_id\": \"$priv\", \"fixed_ips\": [{\"subnet_id\": \"$privsub\",
    \"ip_address\": \"192.168.10.12\"}], \"port_security_enabled\": false}}")
sb_vm_port vm1 hv1 "$p1"
sb_vm_port vm2 hv2 "$p2"
fipj=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\"}}")
fipid=$(echo "$fipj" | jq -r .floatingip.id)
fip=$(echo "$fipj" | jq -r .floatingip.floating_ip_address)

# pf VM-PORT IP EXT PROTO: a forwarding of the floating IP; prints its id.
pf() {
    sb_api_id POST "/floatingips/$fipid/port_forwardings" \
        "{\"port_forwarding\": {\"internal_port_id\": \"$1\",
          \"internal_ip_address\": \"$2\", \"internal_port\": 22,
          \"external_port\": $3, \"protocol\": \"$4\"}}"
}
t1=$(pf "$p1" 192.168.10.11 2201 tcp)
u1=$(pf "$p1" 192.168.10.11 2201 udp)
t2=$(pf "$p2" 192.168.10.12 2202 tcp)
u2=$(pf "$p2" 192.168.10.12 2202 udp)
echo "floating IP $fip: 2201 -> vm1:22, 2202 -> vm2:22 (tcp, udp)"

# An overlapping external port: 400, nothing written.
port=$(. "/run/dvrsb/$SB_PREFIX/config"; echo "$SB_API_PORT")
code=$(curl -sS -o "$SB_TMP/dup" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/v2.0/floatingips/$fipid/port_forwardings" \
    --data "{\"port_forwarding\": {\"internal_port_id\": \"$p2\",
      \"internal_ip_address\": \"192.168.10.12\", \"internal_port\": 23,
      \"external_port\": 2201, \"protocol\": \"tcp\"}}")
[ "$code" = 400 ] && jq -e '.NeutronError.type == "BadRequest"' \
    "$SB_TMP/dup" >/dev/null \
    || sb_fail "an overlapping forwarding got $code: $(cat "$SB_TMP/dup")"
n=$(sb_api GET "/floatingips/$fipid/port_forwardings" \
    | jq '.port_forwardings | length')
[ "$n" = 4 ] || sb_fail "$n forwardings after the refused one, not 4"
echo "overlapping external port refused (400), nothing written: ok"

# serve NAME [PORT]: on PORT (22) of VM NAME, a TCP server and a UDP
# server that answer their peer's address prefixed with NAME.
serve() {
    sb exec "$1" python3 -c '
import socket, sys, threading
def tcp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(sys.argv[2]))); s.listen(8)
    while True:
        c, a = s.accept()
        c.sendall(("%s %s\n" % (sys.argv[1], a[0])).encode()); c.close()
threading.Thread(target=tcp, daemon=True).start()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("", int(sys.argv[2])))
while True:
    d, a = u.recvfrom(100)
    u.sendto(("%s %s\n" % (sys.argv[1], a[0])).encode(), a)
' "$1" "${2:-22}" </dev/null >/dev/null 2>&1 &
    sb_wait_listen "$1" "${2:-22}"
}
# ask PROTO PORT: what the external host gets from the floating IP's PORT
# (from the floating IP's address), or "none".
ask() {
    sb exec ext python3 -c '
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if proto == "tcp":
        s = socket.create_connection((host, port), timeout=2)
        data, peer = s.recv(100), s.getpeername()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(b"hello", (host, port))
        data, peer = s.recvfrom(100)
    print(data.decode().strip() if peer[0] == host else "wrong source")
except OSError:
    print("none")' "$1" "$fip" "$2"
}
# assert_ask PROTO PORT WANT: ask answers WANT (retried for 5 s: the
# flows of a change take a moment to arrive).
assert_ask() {
    local got
    for _ in $(seq 25); do
        got=$(ask "$1" "$2")
        [ "$got" = "$3" ] && return 0
        sleep 0.2
    done
    sb_fail "$1 to $fip:$2 got '$got', not '$3'"
}
# flow_packets NODE MATCH: n_packets summed over NODE's br-int flows.
flow_packets() {
    sb ovs "$1" ovs-ofctl -O OpenFlow13 dump-flows br-int "$2" \
        | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' \
        | awk '{s+=$1} END {print s+0}'
}

serve vm1
serve vm2
for p in tcp udp; do
    assert_ask $p 2201 "vm1 203.0.113.1"
    assert_ask $p 2202 "vm2 203.0.113.1"
done
echo "tcp and udp: 2201 reaches vm1, 2202 reaches vm2, ext's address seen," \
     "answers from $fip: ok"

for hv in hv1 hv2; do
    ip=192.168.10.1${hv#hv}
    n=$(flow_packets "$hv" "table=l3_input,tcp,nw_dst=$fip,tp_dst=220${hv#hv}")
    [ "$n" -gt 0 ] || sb_fail "$hv's DNAT of $fip:220${hv#hv} counted nothing"
    n=$(flow_packets "$hv" "table=l3_input,udp,nw_src=$ip,tp_src=22")
    [ "$n" -gt 0 ] || sb_fail "$hv's un-NAT of $ip:22 counted nothing"
done
n=$(flow_packets gw1 "table=l3_ext_in,tcp,nw_dst=$fip")
[ "$n" -gt 0 ] || sb_fail "gw1 forwarded nothing by port"
n=$(sb ovs gw1 ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -c 'nat(dst=' \
    || true)
[ "$n" = 0 ] || sb_fail "gw1 has $n DNAT flows (the VMs' nodes translate)"
echo "translated on each VM's node, forwarded by port on gw1: ok"

sb_api DELETE "/floatingips/$fipid/port_forwardings/$t2" >/dev/null
sb_api DELETE "/floatingips/$fipid/port_forwardings/$u2" >/dev/null
assert_ask tcp 2202 none
assert_ask udp 2202 none
assert_ask tcp 2201 "vm1 203.0.113.1"
assert_ask udp 2201 "vm1 203.0.113.1"
echo "forwardings of 2202 deleted: its traffic stops, 2201 still works: ok"

# Moved by an update: 2201/tcp now leads to vm2.
sb_api PUT "/floatingips/$fipid/port_forwardings/$t1" \
    "{\"port_forwarding\": {\"internal_port_id\": \"$p2\",
      \"internal_ip_address\": \"192.168.10.12\"}}" >/dev/null
assert_ask tcp 2201 "vm2 203.0.113.1"
assert_ask udp 2201 "vm1 203.0.113.1"
echo "2201/tcp moved to vm2 by an update: ok"

# Port ranges: N-N shifted (tcp) and 1-N (udp).
r1=$(sb_api_id POST "/floatingips/$fipid/port_forwardings" \
    "{\"port_forwarding\": {\"internal_port_id\": \"$p1\",
      \"internal_ip_address\": \"192.168.10.11\",
      \"internal_port_range\": \"7000:7009\",
      \"external_port_range\": \"2300:2309\", \"protocol\": \"tcp\"}}")
sb_api_id POST "/floatingips/$fipid/port_forwardings" \
    "{\"port_forwarding\": {\"internal_port_id\": \"$p2\",
      \"internal_ip_address\": \"192.168.10.12\", \"internal_port\": 22,
      \"external_port_range\": \"2400:2409\", \"protocol\": \"udp\"}}" \
    >/dev/null
serve vm1 7003
serve vm1 7007
assert_ask tcp 2303 "vm1 203.0.113.1"
assert_ask tcp 2307 "vm1 203.0.113.1"
assert_ask udp 2400 "vm2 203.0.113.1"
assert_ask udp 2409 "vm2 203.0.113.1"
for p in 2299 2310; do
    [ "$(ask tcp $p)" = none ] || sb_fail "tcp $p, outside 2300:2309, got in"
done
[ "$(ask udp 2410)" = none ] || sb_fail "udp 2410, outside 2400:2409, got in"
n=$(flow_packets hv1 "table=l3_input,tcp,nw_dst=$fip,tp_dst=2303")
[ "$n" -gt 0 ] || sb_fail "hv1's DNAT of $fip:2303 counted nothing"
echo "port ranges: 2303, 2307 -> vm1:7003, 7007; 2400, 2409/udp -> vm2:22;" \
     "2299, 2310, 2410 not forwarded: ok"
code=$(curl -sS -o "$SB_TMP/dup" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/v2.0/floatingips/$fipid/port_forwardings" \
    --data "{\"port_forwarding\": {\"internal_port_id\": \"$p2\",
      \"internal_ip_address\": \"192.168.10.12\",
      \"internal_port_range\": \"2305:2315\",
      \"external_port_range\": \"2305:2315\", \"protocol\": \"tcp\"}}")
[ "$code" = 400 ] && jq -e '.NeutronError.type == "BadRequest"' \
    "$SB_TMP/dup" >/dev/null \
    || sb_fail "an overlapping range got $code: $(cat "$SB_TMP/dup")"
echo "a range overlapping 2300:2309 refused (400): ok"
echo "port forwarding: ok ($u1, $r1 kept)"

#!/usr/bin/env bash
# System test: the router's external gateway over IPv6 (issue 18) on the
# netdev sandbox, one compute (hv1) and one gateway chassis (gw1).  The
# external network is dual stack (203.0.113.0/24 and 2001:db8:ff::/64,
# the external host ext at .1 and ::1, the subnets' gateway_ip); the
# router's gateway port gets one address of each.  vm1 (hv1) is on an
# IPv6 SLAAC subnet 2001:db8:62:1::/64; ext routes it via the router's
# gateway IPv6 address (tools/sandbox ext-route6), as Neutron expects of
# the external network's router: IPv6 is routed, not NATed.
#   - vm1 pings ext through the gateway chassis (the external next hop
#     resolved by neighbour solicitation), the replies arriving with hop
#     limit 63; ext pings vm1's global address (hop limit 63 too), and
#     sees vm1's own address (no NAT); TCP both ways;
#   - ext's neighbour entry for the gateway address is the gateway port's
#     MAC (neighbour discovery answered on br-ex), and ext pings it;
#   - vm1's security group admits TCP 8080 only: TCP to 8081 is refused;
#   - the gateway removed: vm1 no longer reaches ext.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 1 --gateways 1

pub=$(sb_api_id POST /networks '{"network": {"name": "public",
    "router:external": true, "provider:network_type": "flat",
    "provider:physical_network": "physnet1"}}')
sb_api POST /subnets "{\"subnet\": {\"name\": \"pub4\",
    \"network_id\": \"$pub\", \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
    \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                            \"end\": \"203.0.113.200\"}]}}" >/dev/null
sb_api POST /subnets "{\"subnet\": {\"name\": \"pub6\",
    \"network_id\": \"$pub\", \"cidr\": \"2001:db8:ff::/64\", \"ip_version\": 6,
    \"gateway_ip\": \"2001:db8:ff::1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"2001:db8:ff::100\",
                            \"end\": \"2001:db8:ff::200\"}]}}" >/dev/null
net1=$(sb_api_id POST /networks '{"network": {"name": "net1", "mtu": 1500}}')
sub1=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"sub1\",
    \"network_id\": \"$net1\", \"cidr\": \"2001:db8:62:1::/64\",
    \"ip_version\": 6, \"ipv6_ra_mode\": \"slaac\",
    \"ipv6_address_mode\": \"slaac\"}}")
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"r\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$sub1\"}" >/dev/null
gwj=$(sb_api GET "/routers/$router")
gw6=$(echo "$gwj" | jq -r '.router.external_gateway_info.external_fixed_ips[]
                           | .ip_address | select(contains(":"))')
gw4=$(echo "$gwj" | jq -r '.router.external_gateway_info.external_fixed_ips[]
                           | .ip_address | select(contains(":") | not)')
[ "$gw6" = 2001:db8:ff::100 ] && [ "$gw4" = 203.0.113.100 ] \
    || sb_fail "the gateway port is not dual stack: $gwj"
gwmac=$(sb_api GET "/ports?device_owner=network:router_gateway" \
        | jq -r ".ports[] | select(.device_id == \"$router\") | .mac_address")
sb ext-route6 2001:db8:62:1::/64 "$gw6"

sg=$(sb_api_id POST /security-groups '{"security_group": {"name": "v6"}}')
sb_api POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv6\", \"protocol\": \"ipv6-icmp\"}}" >/dev/null
sb_api POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv6\", \"protocol\": \"tcp\", \"port_range_min\": 8080,
    \"port_range_max\": 8080}}" >/dev/null
p1j=$(sb_api POST /ports "{\"port\": {\"name\": \"vm1\", \"network_id\":
    \"$net1\", \"mac_address\": \"fa:16:3e:00:62:01\",
    \"security_groups\": [\"$sg\"]}}")
ip1=$(echo "$p1j" | jq -r '.port.fixed_ips[] | .ip_address')
[ "$ip1" = 2001:db8:62:1:f816:3eff:fe00:6201 ] || sb_fail "vm1's address: $p1j"
sb vm-add vm1 --node hv1 --port "$(echo "$p1j" | jq -r .port.id)" --slaac \
    || sb_fail "vm-add vm1 failed"
ready() {
    sb exec vm1 ip -6 addr show dev eth0 scope global | grep -q "inet6 $ip1/64" \
        && sb exec vm1 ip -6 route show default | grep -q "^default via fe80::"
}
sb_await 30000 ready >/dev/null \
    || sb_fail "vm1 not configured: $(sb exec vm1 ip -6 addr; sb exec vm1 ip -6 route)"
echo "gateway $gw4 and $gw6 ($gwmac), vm1 $ip1: ok"

ext6=2001:db8:ff::1
for _ in 1 2 3 4 5 6 7 8 9 10; do
    sb exec vm1 ping -6 -q -c 1 -W 1 "$ext6" >/dev/null 2>&1 && break
done
sb_ping6_routed vm1 "$ext6"
echo "vm1 -> ext ($ext6) through the gateway, hop limit 63: ok"

sb_ping6_routed ext "$ip1"
sb exec ext ip -6 neigh show "$gw6" | grep -qi "lladdr $gwmac" \
    || sb_fail "ext's neighbour entry for $gw6: $(sb exec ext ip -6 neigh)"
sb exec ext ping -6 -c 1 -W 2 "$gw6" >/dev/null \
    || sb_fail "the gateway's $gw6 does not answer ext"
echo "ext -> vm1 ($ip1), hop limit 63; ND and ping for $gw6 on br-ex: ok"

# TCP both ways; ext sees vm1's own address (routed, no NAT).
sb exec ext sh -c "nc -6 -l -k 8080 >/dev/null 2>&1 </dev/null &"
sb_wait_listen ext 8080
sb exec ext tcpdump -l -n -i eth0 -c 1 "ip6 and tcp dst port 8080 and src $ip1" \
    >"$SB_TMP/ext-tcp.txt" 2>/dev/null &
sleep 0.5
sb_assert_tcp vm1 "$ext6" 8080
sleep 0.3
grep -q "$ip1" "$SB_TMP/ext-tcp.txt" \
    || sb_fail "ext did not see vm1's own address: $(cat "$SB_TMP/ext-tcp.txt")"
sb exec vm1 sh -c "nc -6 -l -k 8080 >/dev/null 2>&1 </dev/null &"
sb exec vm1 sh -c "nc -6 -l -k 8081 >/dev/null 2>&1 </dev/null &"
sb_wait_listen vm1 8080
sb_wait_listen vm1 8081
sb_assert_tcp ext "$ip1" 8080
sb_assert_no_tcp ext "$ip1" 8081
echo "TCP vm1 -> ext and ext -> vm1:8080 (not 8081: security group): ok"

# The gateway removed: no more IPv6 to the outside.
sb_api PUT "/routers/$router" \
    '{"router": {"external_gateway_info": {}}}' >/dev/null
gone() { ! sb exec vm1 ping -6 -q -c 1 -W 1 "$ext6" >/dev/null 2>&1; }
sb_await 10000 gone >/dev/null || sb_fail "vm1 still reaches ext without a gateway"
echo "gateway removed: vm1 no longer reaches ext: ok"

#!/usr/bin/env bash
# System test (issue 7): security groups on traffic from the external host
# through a floating IP, the topology made through dvr-api (the VM in its
# project's default group, as Neutron does it).  Proves: the default group
# keeps the external host out (ping, TCP) while the VM reaches it through
# the floating IP (egress, replies stateful); a rule for TCP 80 from
# 0.0.0.0/0 lets the external host in on port 80 only; a rule for ICMP
# lets its ping in; removing the TCP rule shuts port 80 again and cuts an
# established session.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 1 --gateways 1

pub=$(sb_api_id POST /networks '{"network": {"name": "public-net",
    "router:external": true, "provider:network_type": "flat",
    "provider:physical_network": "physnet1"}}')
pubsub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"public-subnet\",
    \"network_id\": \"$pub\", \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
    \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                            \"end\": \"203.0.113.200\"}]}}")
priv=$(sb_api_id POST /networks '{"network": {"name": "private-net"}}')
privsub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"private-subnet\",
    \"network_id\": \"$priv\", \"cidr\": \"192.168.10.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"r\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$privsub\"}" >/dev/null
p1=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm1\",
    \"network_id\": \"$priv\", \"fixed_ips\": [{\"subnet_id\": \"$privsub\",
    \"ip_address\": \"192.168.10.11\"}]}}")
sg=$(sb_api GET "/ports/$p1" | jq -r '.port.security_groups[0]')
[ "$(sb_api GET "/security-groups/$sg" | jq -r .security_group.name)" \
  = default ] || sb_fail "vm1's port is not in the default group"
sb_vm_port vm1 hv1 "$p1"
fip=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\", \"port_id\": \"$p1\"}}" \
      | jq -r .floatingip.floating_ip_address)
echo "vm1's floating IP $fip"
sb_tcp_listen vm1 80
sb_tcp_listen vm1 8080
sb_tcp_listen ext 9000

# The default group: vm1 goes out, nothing comes in.
sb_assert_ping vm1 203.0.113.1
sb_assert_tcp vm1 203.0.113.1 9000
sb_assert_no_ping ext "$fip"
sb_assert_no_tcp ext "$fip" 80
echo "default group: out through the floating IP, nothing in: ok"

rule() {
    sb_api_id POST /security-group-rules "{\"security_group_rule\": {
        \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
        \"ethertype\": \"IPv4\", $1}}"
}
r80=$(rule '"protocol": "tcp", "port_range_min": 80, "port_range_max": 80,
            "remote_ip_prefix": "0.0.0.0/0"')
sb_assert_tcp ext "$fip" 80
sb_assert_no_tcp ext "$fip" 8080
sb_assert_no_ping ext "$fip"
rule '"protocol": "icmp"' >/dev/null
sb_assert_ping ext "$fip"
echo "TCP 80 and ICMP from the external host through the floating IP: ok"

# An established session from the external host is cut with its rule.
sb exec vm1 timeout 30 bash -c "while :; do echo srv; sleep 0.1; done \
    | nc -l 81 > $SB_TMP/s.srv" >/dev/null 2>&1 </dev/null &
for _ in $(seq 50); do
    [ -n "$(sb exec vm1 ss -Hltn 'sport = :81')" ] && break
    sleep 0.05
done
r81=$(rule '"protocol": "tcp", "port_range_min": 81, "port_range_max": 81')
sb exec ext timeout 30 bash -c "while :; do echo cli; sleep 0.1; done \
    | nc $fip 81 > $SB_TMP/s.cli" >/dev/null 2>&1 </dev/null &
n() { echo "$(wc -l < "$SB_TMP/s.srv") $(wc -l < "$SB_TMP/s.cli")"; }
sleep 1.5
read -r a b <<<"$(n)"
[ "$a" -gt 3 ] && [ "$b" -gt 3 ] || sb_fail "session does not flow: $a/$b"
sb_api DELETE "/security-group-rules/$r81" >/dev/null
sleep 1
read -r a b <<<"$(n)"
sleep 2
read -r a2 b2 <<<"$(n)"
[ "$a" = "$a2" ] && [ "$b" = "$b2" ] \
    || sb_fail "session still flows after its rule went: $a/$b -> $a2/$b2"
sb_api DELETE "/security-group-rules/$r80" >/dev/null
sb_assert_no_tcp ext "$fip" 80
sb_assert_ping ext "$fip"
echo "rules removed: port 80 shut, established session cut: ok"

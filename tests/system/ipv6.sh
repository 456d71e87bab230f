#!/usr/bin/env bash
# System test: IPv6 tenant networking, first part (issue 18), on the
# netdev sandbox with the VMs' own kernels.  dvr-api refuses the IPv6 mode
# combinations Neutron refuses and gives SLAAC ports their EUI-64
# addresses; each VM's kernel configures that very address and a default
# route from dvr-controller's router advertisements (answered on the VM's
# node); two VMs on different hypervisors ping each other over IPv6 (their
# neighbour solicitations answered in flows); a router advertisement that
# a VM forges reaches no other VM.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2
D=/run/dvrsb/$SB_PREFIX
API=http://127.0.0.1:$(. "$D/config"; echo "$SB_API_PORT")/v2.0
nd() { /usr/bin/python3 "$abs_top_srcdir/tests/lib/nd.py" "$@"; }
ctl() {
    local node=$1; shift
    sb ovs "$node" ovs-appctl -t "$D/$node/run/dvr-controller.ctl" "$@"
}

net=$(sb_api_id POST /networks '{"network": {"name": "net6"}}')

# Neutron's refusals, each a 400 with its message, and nothing written.
refused() {
    local body=$1 want=$2 out
    out=$(curl -sS -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
              --data "$body" "$API/subnets")
    [ "${out##*$'\n'}" = 400 ] || sb_fail "not refused ($out): $body"
    case "$out" in *"$want"*) ;; *) sb_fail "no '$want' in: $out" ;; esac
}
refused "{\"subnet\": {\"network_id\": \"$net\", \"cidr\": \"2001:db8:9::/64\",
    \"ip_version\": 6, \"ipv6_ra_mode\": \"slaac\",
    \"ipv6_address_mode\": \"dhcpv6-stateful\"}}" \
    "If both attributes are set, they must be the same value"
refused "{\"subnet\": {\"network_id\": \"$net\", \"cidr\": \"2001:db8:9::/80\",
    \"ip_version\": 6, \"ipv6_address_mode\": \"slaac\"}}" \
    "requires the prefix to be /64"
refused "{\"subnet\": {\"network_id\": \"$net\", \"cidr\": \"2001:db8:9::/64\",
    \"ip_version\": 6, \"ipv6_ra_mode\": \"slaac\", \"enable_dhcp\": false}}" \
    "cannot be set when enable_dhcp is set to False"
refused "{\"subnet\": {\"network_id\": \"$net\", \"cidr\": \"10.9.0.0/24\",
    \"ip_version\": 4, \"ipv6_ra_mode\": \"slaac\"}}" \
    "cannot be set when ip_version is 4"
[ "$(sb_api GET "/subnets?network_id=$net" | jq '.subnets | length')" = 0 ] \
    || sb_fail "a refused subnet was written"
echo "API refuses Neutron's invalid IPv6 modes: ok"

sub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"sub6\",
    \"network_id\": \"$net\", \"cidr\": \"2001:db8:1::/64\", \"ip_version\": 6,
    \"ipv6_ra_mode\": \"slaac\", \"ipv6_address_mode\": \"slaac\",
    \"dns_nameservers\": [\"2001:db8::53\"]}}")
router=$(sb_api_id POST /routers '{"router": {"name": "r6"}}')
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$sub\"}" >/dev/null

# SLAAC ports: EUI-64 addresses from the API, and no fixed address.  vm2
# accepts any ICMPv6 (a security group many tenants have): only first-hop
# security on vm1's port stands between vm1's forged RA and vm2.
sg=$(sb_api_id POST /security-groups '{"security_group": {"name": "icmp6"}}')
sb_api POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv6\", \"protocol\": \"ipv6-icmp\"}}" >/dev/null
port() {
    sb_api POST /ports "{\"port\": {\"name\": \"$1\", \"network_id\": \"$net\",
        \"mac_address\": \"$2\"${3:+, \"security_groups\": [$3]}}}"
}
p1j=$(port vm1 fa:16:3e:00:06:01)
default_sg=$(echo "$p1j" | jq -r '.port.security_groups[0]')
p2j=$(port vm2 fa:16:3e:00:06:02 "\"$default_sg\", \"$sg\"")
ip1=$(echo "$p1j" | jq -r '.port.fixed_ips[0].ip_address')
ip2=$(echo "$p2j" | jq -r '.port.fixed_ips[0].ip_address')
[ "$ip1" = 2001:db8:1:0:f816:3eff:fe00:601 ] || sb_fail "vm1's address: $p1j"
[ "$ip2" = 2001:db8:1:0:f816:3eff:fe00:602 ] || sb_fail "vm2's address: $p2j"
out=$(curl -sS -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "{\"port\": {\"network_id\": \"$net\", \"fixed_ips\": [{
        \"subnet_id\": \"$sub\", \"ip_address\": \"2001:db8:1::99\"}]}}" \
    "$API/ports")
[ "${out##*$'\n'}" = 400 ] || sb_fail "a fixed address on a SLAAC subnet: $out"
echo "API: EUI-64 addresses $ip1, $ip2: ok"

# The VMs' kernels configure themselves from the advertisements.
sb_vm_port_slaac() {
    sb vm-add "$1" --node "$2" --port "$3" --slaac || sb_fail "vm-add $1 failed"
}
t0=$(sb_ms)
sb_vm_port_slaac vm1 hv1 "$(echo "$p1j" | jq -r .port.id)"
sb_vm_port_slaac vm2 hv2 "$(echo "$p2j" | jq -r .port.id)"
has_addr() {
    sb exec "$1" ip -6 addr show dev eth0 scope global | grep -q "inet6 $2/64 .*dynamic"
}
ms=$(sb_await 20000 has_addr vm1 "$ip1") \
    || sb_fail "vm1 has no SLAAC address: $(sb exec vm1 ip -6 addr)"
echo "vm1: SLAAC address $ip1 after $ms ms"
sb_await 20000 has_addr vm2 "$ip2" >/dev/null \
    || sb_fail "vm2 has no SLAAC address: $(sb exec vm2 ip -6 addr)"
echo "vm2: SLAAC address $ip2 after $(( $(sb_ms) - t0 )) ms"
sb exec vm1 ip -6 route show default | sb_has "^default via fe80::f816:3eff:fe.* dev eth0 proto ra" \
    || sb_fail "vm1 default route: $(sb exec vm1 ip -6 route)"
sb exec vm1 ip -6 route show 2001:db8:1::/64 | sb_has "expires" \
    || sb_fail "vm1 prefix route: $(sb exec vm1 ip -6 route)"
sb exec vm1 ip -6 link show eth0 >/dev/null
echo "default route and prefix from the RA: ok"
ctl hv1 status | grep "router advertisements"

# Two VMs on different hypervisors.
for _ in 1 2 3 4 5; do
    sb exec vm1 ping -6 -q -c 1 -W 1 "$ip2" >/dev/null 2>&1 && break
done
sb exec vm1 ping -6 -q -c 3 -i 0.2 -W 1 "$ip2" >/dev/null \
    || sb_fail "vm1 cannot ping6 vm2"
sb exec vm2 ping -6 -q -c 3 -i 0.2 -W 1 "$ip1" >/dev/null \
    || sb_fail "vm2 cannot ping6 vm1"
echo "ping6 between hypervisors: ok"

# A VM that forges a router advertisement for another prefix: no other VM
# takes it.
mac1=fa:16:3e:00:06:01
frame=$(nd ra "$mac1" fe80::f816:3eff:fe00:601 2001:db8:666::)
for _ in 1 2 3; do
    sb exec vm1 /usr/bin/python3 "$abs_top_srcdir/tests/lib/nd.py" send eth0 "$frame" \
        || sb_fail "vm1 cannot send its forged RA"
    sleep 0.3
done
sleep 1
if sb exec vm2 ip -6 addr show dev eth0 | grep -q 2001:db8:666; then
    sb_fail "vm2 took the forged prefix: $(sb exec vm2 ip -6 addr)"
fi
echo "forged RA dropped: ok"

#!/usr/bin/env bash
# Attack test (issue 14): remote-group rules and overlapping addresses.
# Victim v (10.7.0.10 on net4, hv1) lets in UDP from remote group
# "members", whose member m is 10.5.0.5 on net1 behind router r1; v2
# (10.5.0.10 on the shared net2) has the same group, with member m2 on
# net2.  Networks may overlap, so other ports may have m's address on other
# networks; before the fix each of them reached a victim, because a rule
# matched the member's address without its network:
#   x2  10.5.0.5 on net2, to v2 (the same network, no router);
#   x3  10.5.0.5 on net3, through another tenant's router r2 that also has
#       an interface on net4, on its second subnet (v has an address
#       there too; v sees r2's MAC);
#   y   on net5 of r1, port security off, sending from m's address (v sees
#       r1's MAC, as from m).
# Now an address stands for a member only if the packet's peer is on the
# member's network (the sg_*_peer tables load it into reg8), and a router
# drops a packet whose source is on one of its subnets but that came from
# another network.  m and m2 still reach their victims.  The dummy-datapath
# sandbox, frames injected and captured.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
. "$abs_top_srcdir/tests/attack/lib.sh"
sb_init
sb_up --datapath dummy --computes 2 --gateways 0

# net NAME CIDR [SHARED]: a network with one subnet (no DHCP); prints
# "NET SUBNET".
net() {
    local n s
    n=$(sb_api_id POST /networks "{\"network\": {\"name\": \"$1\",
        \"shared\": ${3:-false}}}")
    s=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$n\",
        \"cidr\": \"$2\", \"ip_version\": 4, \"enable_dhcp\": false}}")
    echo "$n $s"
}
read -r net1 sub1 < <(net net1 10.5.0.0/24)
read -r net2 sub2 < <(net net2 10.5.0.0/24 true)
read -r net3 sub3 < <(net net3 10.5.0.0/24)
read -r net4 sub4 < <(net net4 10.7.0.0/24)
sub4b=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$net4\",
    \"cidr\": \"10.17.0.0/24\", \"ip_version\": 4, \"enable_dhcp\": false}}")
read -r net5 sub5 < <(net net5 10.9.0.0/24)

group() {
    sb_api_id POST /security-groups "{\"security_group\": {\"name\": \"$1\"}}"
}
rule() {
    sb_api POST /security-group-rules "{\"security_group_rule\": {
        \"security_group_id\": \"$1\", \"direction\": \"$2\",
        \"ethertype\": \"IPv4\"$3}}" >/dev/null
}
members=$(group members)
victim=$(group victim)
open=$(group open)
rule "$victim" ingress ", \"protocol\": \"udp\", \"remote_group_id\": \"$members\""
rule "$open" ingress ""

# r1: net1, net4 (10.7.0.1), net5.  r2: net3 and net4 (10.17.0.1).
r1=$(sb_api_id POST /routers '{"router": {"name": "r1"}}')
r2=$(sb_api_id POST /routers '{"router": {"name": "r2"}}')
for s in "$sub1" "$sub4" "$sub5"; do
    sb_api PUT "/routers/$r1/add_router_interface" "{\"subnet_id\": \"$s\"}" >/dev/null
done
for s in "$sub3" "$sub4b"; do
    sb_api PUT "/routers/$r2/add_router_interface" "{\"subnet_id\": \"$s\"}" >/dev/null
done
rmac() {
    sb_api GET "/ports?device_id=$1&network_id=$2" | jq -r '.ports[0].mac_address'
}

# vm NAME NODE NET SUBNET IP GROUP|none [MORE_FIXED_IPS_JSON]: a port and
# its VM.
declare -A ip port
vm() {
    local sec p
    if [ "$6" = none ]; then
        sec='"port_security_enabled": false'
    else
        sec="\"security_groups\": [\"$6\"]"
    fi
    p=$(sb_api_id POST /ports "{\"port\": {\"network_id\": \"$3\",
        \"device_owner\": \"compute:nova\", $sec,
        \"fixed_ips\": [{\"subnet_id\": \"$4\", \"ip_address\": \"$5\"}${7:-}]}}")
    sb_vm_port "$1" "$2" "$p"
    ip[$1]=$5 port[$1]=$p
}
vm v  hv1 "$net4" "$sub4" 10.7.0.10 "$victim" \
    ", {\"subnet_id\": \"$sub4b\", \"ip_address\": \"10.17.0.10\"}"
vm m  hv2 "$net1" "$sub1" 10.5.0.5  "$members"
vm m2 hv1 "$net2" "$sub2" 10.5.0.7  "$members"
vm v2 hv1 "$net2" "$sub2" 10.5.0.10 "$victim"
vm x2 hv2 "$net2" "$sub2" 10.5.0.5  "$open"
vm x3 hv2 "$net3" "$sub3" 10.5.0.5  "$open"
vm y  hv1 "$net5" "$sub5" 10.9.0.9  none

# talk FROM TO DST_MAC: FROM sends one UDP datagram from its address to
# TO's; true if it reaches TO's capture (within 1.5 s).  SRC=ADDR sends
# from ADDR, DST=ADDR to ADDR instead.
talk() {
    atk_talk "$1" "$2" "$3" "${SRC:-${ip[$1]}}" "${DST:-${ip[$2]}}"
}
r1_1=$(rmac "$r1" "$net1"); r1_5=$(rmac "$r1" "$net5")
r2_3=$(rmac "$r2" "$net3")
v2mac=$(sb_vm_var v2 VM_MAC)

# The members reach their victims: m through r1 (across nodes; the tunnel
# is up once it passes), m2 on v2's own network.
for _ in $(seq 50); do talk m v "$r1_1" && break; sleep 0.1; done
talk m v "$r1_1" || sb_fail "member m cannot reach v through r1"
talk m2 v2 "$v2mac" || sb_fail "member m2 cannot reach v2 on net2"
echo "members: ok"

fails=0
attack() {
    if "$@"; then
        echo "HOLE: ${*:2:2} passed" >&2
        fails=$((fails + 1))
    else
        echo "refused: ${*:2:2}"
    fi
}
# x2: m's address on net2, to v2 on net2 (L2).
attack talk x2 v2 "$v2mac"
# x3: m's address on net3, through r2 to v's address on r2's subnet.
DST=10.17.0.10 attack talk x3 v "$r2_3"
# y: m's address as source, through v's own router r1 from net5.
SRC=10.5.0.5 attack talk y v "$r1_5"
[ "$fails" = 0 ] || sb_fail "$fails packet(s) with a member's address from another network passed"

# m still reaches v, and the controllers still apply changes: m leaves the
# group, and no longer reaches v.
talk m v "$r1_1" || sb_fail "m lost v"
atk_controllers_alive
sb_api PUT "/ports/${port[m]}" "{\"port\": {\"security_groups\": [\"$open\"]}}" >/dev/null
for _ in $(seq 20); do talk m v "$r1_1" || break; done
! talk m v "$r1_1" || sb_fail "m still reaches v after leaving the group"
echo "remote-group: ok"

#!/usr/bin/env bash
# Attack test (issue 14): IPv6 first-hop security.  VM a (hv1) sends, with
# its own MAC, rogue router advertisements, rogue DHCPv6 server replies
# (UDP 547 -> 546), neighbour advertisements for b's address, an NA and an
# NS whose link-layer address option is b's MAC, and packets from a
# link-local source that is not its own.  None may reach b (same node) or
# c (hv2, through the tunnel).  What a's port may do still passes: NA for
# its own address and for its allowed address pair, NS and multicast from
# its own link-local address (EUI-64 of its MAC), traffic from the pair.
# The dummy-datapath sandbox; the security group lets everything in, so
# only first-hop security stands in the way.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
. "$abs_top_srcdir/tests/attack/lib.sh"
sb_init
sb_up --datapath dummy --computes 2 --gateways 0

net=$(sb_api_id POST /networks '{"network": {"name": "v6net"}}')
sub4=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$net\",
    \"cidr\": \"10.6.0.0/24\", \"ip_version\": 4, \"enable_dhcp\": false}}")
sub6=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$net\",
    \"cidr\": \"fd00:10::/64\", \"ip_version\": 6, \"enable_dhcp\": false}}")
sg=$(sb_api_id POST /security-groups '{"security_group": {"name": "open"}}')
for dir in ingress egress; do
    for eth in IPv4 IPv6; do
        atk_api_code POST /security-group-rules "{\"security_group_rule\": {
            \"security_group_id\": \"$sg\", \"direction\": \"$dir\",
            \"ethertype\": \"$eth\"}}" >/dev/null
    done
done
# port NAME N [PAIRS]: a port with 10.6.0.N and fd00:10::N in group "open".
port() {
    sb_api_id POST /ports "{\"port\": {\"network_id\": \"$net\",
        \"name\": \"$1\", \"security_groups\": [\"$sg\"],
        \"device_owner\": \"compute:nova\",
        \"fixed_ips\": [{\"subnet_id\": \"$sub4\", \"ip_address\": \"10.6.0.$2\"},
                        {\"subnet_id\": \"$sub6\", \"ip_address\": \"fd00:10::$2\"}]
        ${3:+, \"allowed_address_pairs\": $3}}}"
}
pa=$(port a 11 '[{"ip_address": "fd00:10::99"}]')
pb=$(port b 12)
pc=$(port c 13)
sb_vm_port a hv1 "$pa"
sb_vm_port b hv1 "$pb"
sb_vm_port c hv2 "$pc"
amac=$(sb_vm_var a VM_MAC)
bmac=$(sb_vm_var b VM_MAC)
cmac=$(sb_vm_var c VM_MAC)
# lla MAC: the EUI-64 link-local address of MAC.
lla() {
    /usr/bin/python3 -c 'import ipaddress, sys
m = bytes(int(x, 16) for x in sys.argv[1].split(":"))
i = bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:]
print(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + i))' "$1"
}
alla=$(lla "$amac")
bpcap=$(sb_vm_var b VM_PCAP)
cpcap=$(sb_vm_var c VM_PCAP)
aiface=$(sb_vm_var a VM_IFACE)

# arrivals FRAME FILTER: a sends FRAME; prints how many frames matching
# FILTER reached b and c (each waited for up to 1.5 s).
arrivals() {
    local b0 c0 n=0 i
    b0=$(dummy_count "$bpcap" "$2")
    c0=$(dummy_count "$cpcap" "$2")
    (sb_node_env hv1; dummy_inject "$aiface" "$1") || sb_fail "inject"
    for i in $(seq 15); do
        n=$(( $(dummy_count "$bpcap" "$2") - b0 + $(dummy_count "$cpcap" "$2") - c0 ))
        [ "$n" -lt 2 ] || break
        sleep 0.1
    done
    echo "$n"
}
passed=0
# attack WHAT FRAME FILTER: FRAME must reach neither b nor c.
attack() {
    local n
    n=$(arrivals "$2" "$3")
    echo "attack: $1: reached $n of b, c"
    passed=$((passed + n))
}
# allowed WHAT FRAME FILTER: FRAME reaches both b and c.
allowed() {
    local n
    n=$(arrivals "$2" "$3")
    [ "$n" -ge 2 ] || sb_fail "allowed: $1: reached only $n of b, c"
    echo "allowed: $1: reached b and c"
}
ICMP6='icmp6 and ip6[40]'

# Wait until the tunnel carries the network (a's multicast reaches c).
for _ in $(seq 50); do
    [ "$(arrivals "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 "$alla" \
             ff02::1 echo)" "$ICMP6 = 128")" -ge 2 ] && break
    sleep 0.2
done

attack "router advertisement" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 "$alla" ff02::1 ra \
       --sll "$amac")" "$ICMP6 = 134"
attack "DHCPv6 server reply" \
    "$(atk_frame udp6 "$amac" 33:33:00:00:00:01 "$alla" ff02::1 \
       --sport 547 --dport 546)" "udp and src port 547 and dst port 546"
attack "neighbour advertisement for b's address" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 fd00:10::11 ff02::1 na \
       --target fd00:10::12 --tll "$amac")" \
    "$ICMP6 = 136 and ip6[48:4] = 0xfd000010 and ip6[60:4] = 0x12"
attack "neighbour advertisement with b's MAC" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 fd00:10::11 ff02::1 na \
       --target fd00:10::11 --tll "$bmac")" \
    "$ICMP6 = 136 and ip6[60:4] = 0x11 and ether[80:4] = 0x$(tr -d : <<<"$bmac" | cut -c1-8)"
attack "neighbour solicitation with b's MAC" \
    "$(atk_frame icmp6 "$amac" 33:33:ff:00:00:13 fd00:10::11 ff02::1:ff00:13 \
       ns --target fd00:10::13 --sll "$bmac")" \
    "$ICMP6 = 135 and ether[80:4] = 0x$(tr -d : <<<"$bmac" | cut -c1-8)"
attack "spoofed link-local source (multicast)" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 fe80::dead ff02::1 echo)" \
    "icmp6 and src host fe80::dead"
attack "b's link-local source" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 "$(lla "$bmac")" ff02::1 \
       echo)" "icmp6 and src host $(lla "$bmac")"
attack "redirect" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 "$alla" ff02::1 137)" \
    "$ICMP6 = 137"

allowed "neighbour advertisement for its own address" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 fd00:10::11 ff02::1 na \
       --target fd00:10::11 --tll "$amac")" "$ICMP6 = 136 and ip6[60:4] = 0x11"
allowed "neighbour advertisement for its link-local address" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 "$alla" ff02::1 na \
       --target "$alla" --tll "$amac")" "$ICMP6 = 136 and src host $alla"
allowed "neighbour advertisement for its address pair" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 fd00:10::99 ff02::1 na \
       --target fd00:10::99 --tll "$amac")" "$ICMP6 = 136 and ip6[60:4] = 0x99"
allowed "neighbour solicitation from its link-local address" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 "$alla" ff02::1 ns \
       --target fd00:10::1 --sll "$amac")" "$ICMP6 = 135 and src host $alla"
allowed "duplicate address detection" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 :: ff02::1 ns \
       --target fd00:10::11)" "$ICMP6 = 135 and src host ::"
allowed "echo from its address pair" \
    "$(atk_frame icmp6 "$amac" 33:33:00:00:00:01 fd00:10::99 ff02::1 echo)" \
    "$ICMP6 = 128 and src host fd00:10::99"
# Unicast to c on the other node, from a's own link-local address.
n=$(arrivals "$(atk_frame icmp6 "$amac" "$cmac" "$alla" "$(lla "$cmac")" \
                echo)" "$ICMP6 = 128 and src host $alla and dst host $(lla "$cmac")")
[ "$n" = 1 ] || sb_fail "a's unicast from its link-local address reached c $n times"

[ "$passed" = 0 ] || sb_fail "$passed rogue first-hop frames reached a VM"
atk_controllers_alive
echo "ipv6-first-hop: ok"

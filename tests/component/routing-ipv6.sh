#!/usr/bin/env bash
# Component test: distributed IPv6 routing (issue 18) on one dummy-datapath
# node.  A router with a dual-stack interface (10.1.0.1 and 2001:db8:1::1
# on one port) on network A and an IPv6-only one (2001:db8:2::1) on B:
#   - a1 (2001:db8:1::10) to b1 (2001:db8:2::10) through the router's MAC
#     is routed (ofproto/trace: l3_input, output to b1's port) with the
#     router's MAC on B as source, b1's MAC as destination and the hop
#     limit decremented; IPv4 through the same port still routes;
#   - an IPv6 extra route (2001:db8:99::/64 via b1) sends to b1;
#   - an echo request to the router's address is answered by flows;
#   - hop limit 1 gets ICMPv6 "time exceeded" from 2001:db8:1::1 on a1's
#     port (built by the controller), no route gets "unreachable", and the
#     expired packet never reaches b1;
#   - a remote-group rule of b1's security group admits a1's routed IPv6
#     (the router's IPv6 peer flows) and not an address outside the group;
#   - removing the router's interface on B stops the routing.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1

subnet6() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
        \"network\":[\"uuid\",\"$1\"],\"cidr\":\"$2\",\"ip_version\":6,
        \"gateway_ip\":\"$3\",\"enable_dhcp\":false}}" | _nb_uuid
}
NA=$(nb_network A vxlan 100 "" 1450)
NB=$(nb_network B vxlan 200 "" 1400)
SA4=$(nb_subnet "$NA" 10.1.0.0/24 10.1.0.1)
SA=$(subnet6 "$NA" 2001:db8:1::/64 2001:db8:1::1)
SB=$(subnet6 "$NB" 2001:db8:2::/64 2001:db8:2::1)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 2001:db8:1::10)
nb_transact "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"ip\",
    \"row\":{\"subnet\":[\"uuid\",\"$SA4\"],\"ip_address\":\"10.1.0.10\"}}" \
    "{\"op\":\"mutate\",\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$A1\"]]],
    \"mutations\":[[\"fixed_ips\",\"insert\",[\"set\",[[\"named-uuid\",\"ip\"]]]]]}" \
    >/dev/null
# b1's group admits IPv6 only from the members of group "peers" (a1).
G=$(nb_sg peers)
SGB=$(nb_sg b1)
nb_sg_rule "$SGB" ingress IPv6 remote="$G" >/dev/null
nb_sg_rule "$SGB" egress IPv6 >/dev/null
nb_sg_rule "$SGB" egress IPv4 >/dev/null
# (b1 starts in the open group: ofproto/trace has no conntrack addresses
# for remote groups; frames further down check the group.)
B1=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b1 2001:db8:2::10)
nb_transact "{\"op\":\"mutate\",\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$A1\"]]],
    \"mutations\":[[\"security_groups\",\"insert\",[\"set\",[[\"uuid\",\"$G\"]]]]]}" \
    >/dev/null
router_port() {
    local net=$1 mac=$2 ips=$3 rows="" refs="" i=0 sub ip
    for x in $ips; do
        sub=${x%%=*} ip=${x#*=} i=$((i + 1))
        rows="$rows,{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"ip$i\",
            \"row\":{\"subnet\":[\"uuid\",\"$sub\"],\"ip_address\":\"$ip\"}}"
        refs="$refs${refs:+,}[\"named-uuid\",\"ip$i\"]"
    done
    nb_transact "{\"op\":\"insert\",\"table\":\"Port\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"mac_address\":\"$mac\",
        \"admin_state_up\":true,\"port_security_enabled\":false,
        \"device_owner\":\"network:router_interface\",
        \"fixed_ips\":[\"set\",[$refs]]}}$rows" | _nb_uuid
}
RA=$(router_port "$NA" fa:16:3e:ff:00:0a "$SA4=10.1.0.1 $SA=2001:db8:1::1")
RB=$(router_port "$NB" fa:16:3e:ff:00:0b "$SB=2001:db8:2::1")
R=$(nb_transact "{\"op\":\"insert\",\"table\":\"Router\",\"row\":{
    \"name\":\"r\",\"interfaces\":[\"set\",[[\"uuid\",\"$RA\"],[\"uuid\",\"$RB\"]]],
    \"routes\":[\"map\",[[\"2001:db8:99::/64\",\"2001:db8:2::10\"]]]}}" | _nb_uuid)

ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
pc=$OVS_TEST_DIR/hv1
plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active \
        options:tx_pcap="$pc/$1.pcap"
}
plug vif-a1 11 "$A1" fa:16:3e:00:00:a1
plug vif-b1 12 "$B1" fa:16:3e:00:00:b1

# trace6 DST HLIM [SRC]: ofproto/trace of an ICMPv6 echo request from a1
# to the router's MAC on A.
trace6() {
    ovs-appctl ofproto/trace br-int "in_port=11,icmp6,icmpv6_type=128,dl_src=fa:16:3e:00:00:a1,dl_dst=fa:16:3e:ff:00:0a,ipv6_src=${3:-2001:db8:1::10},ipv6_dst=$1,nw_ttl=$2"
}
routed6() {
    local out
    out=$(trace6 "$1" 64 "${2:-}")
    printf '%s\n' "$out" | grep -q '^100\. ' \
        && printf '%s\n' "$out" | grep -q -- '-> output port is 12$'
}
ovs_wait_until 10 routed6 2001:db8:2::10 \
    || { trace6 2001:db8:2::10 64; ovs_fail "a1 -> b1 over IPv6 is not routed"; }
out=$(trace6 2001:db8:2::10 64)
final=$(printf '%s\n' "$out" | grep '^Final flow:')
for want in dl_src=fa:16:3e:ff:00:0b dl_dst=fa:16:3e:00:00:b1 nw_ttl=63; do
    case "$final" in *"$want"*) ;; *) printf '%s\n' "$out"; ovs_fail "routed flow lacks $want: $final" ;; esac
done
echo "IPv6 routed a1 -> b1: router MAC on B, b1's MAC, hop limit 63: ok"

out=$(ovs-appctl ofproto/trace br-int "in_port=11,icmp,dl_src=fa:16:3e:00:00:a1,dl_dst=fa:16:3e:ff:00:0a,nw_src=10.1.0.10,nw_dst=10.1.0.1,nw_ttl=64,icmp_type=8")
printf '%s\n' "$out" | grep '^Final flow:' | grep -q 'nw_src=10.1.0.1,nw_dst=10.1.0.10.*icmp_type=0' \
    || { printf '%s\n' "$out"; ovs_fail "the dual-stack port's IPv4 address is not answered"; }
echo "dual-stack interface: IPv4 echo to 10.1.0.1 answered: ok"

routed6 2001:db8:99::5 || { trace6 2001:db8:99::5 64; ovs_fail "the IPv6 extra route does not lead to b1"; }
echo "IPv6 extra route 2001:db8:99::/64 via b1: ok"

# Frames: echo to the router, time exceeded, unreachable.
echo6() {
    printf 'eth(src=fa:16:3e:00:00:a1,dst=fa:16:3e:ff:00:0a),eth_type(0x86dd),ipv6(src=2001:db8:1::10,dst=%s,label=0,proto=58,tclass=0,hlimit=%s,frag=no),icmpv6(type=128,code=0)\n' "$1" "$2"
}
dummy_send_expect vif-a1 "$(echo6 2001:db8:1::1 64)" "$pc/vif-a1.pcap" \
    "src host 2001:db8:1::1 and dst host 2001:db8:1::10 and icmp6 and ip6[40] == 129" \
    || ovs_fail "no echo reply from the router's IPv6 address"
echo "echo request to 2001:db8:1::1 answered: ok"

dummy_send_expect vif-a1 "$(echo6 2001:db8:2::10 1)" "$pc/vif-a1.pcap" \
    "src host 2001:db8:1::1 and dst host 2001:db8:1::10 and icmp6 and ip6[40] == 3 and ip6[41] == 0" \
    || { ovs_controller_ctl hv1 status; ovs_fail "no ICMPv6 time exceeded for hop limit 1"; }
n=$(dummy_count "$pc/vif-b1.pcap" "icmp6 and ip6[40] == 128 and ip6[7] == 0")
[ "$n" = 0 ] || ovs_fail "the expired packet reached b1"
tcpdump -r "$pc/vif-a1.pcap" -nn -v "icmp6 and ip6[40] == 3" 2>/dev/null | grep -q "time exceeded in-transit" \
    || ovs_fail "the time exceeded frame does not decode: $(tcpdump -r "$pc/vif-a1.pcap" -nn -vv 2>/dev/null | tail -3)"
echo "hop limit 1: ICMPv6 time exceeded from 2001:db8:1::1, not forwarded: ok"

dummy_send_expect vif-a1 "$(echo6 2001:db8:77::1 64)" "$pc/vif-a1.pcap" \
    "src host 2001:db8:1::1 and icmp6 and ip6[40] == 1" \
    || ovs_fail "no ICMPv6 unreachable for a destination without a route"
echo "no route: ICMPv6 destination unreachable: ok"

# Routed packets reach b1 with hop limit 63, from a1 (in group peers);
# a source outside the group is refused by b1's security group.
nb_transact "{\"op\":\"update\",\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$B1\"]]],
    \"row\":{\"security_groups\":[\"set\",[[\"uuid\",\"$SGB\"]]]}}" >/dev/null
sleep 1
b_before=$(dummy_count "$pc/vif-b1.pcap" "icmp6 and ip6[40] == 128")
dummy_send_expect vif-a1 "$(echo6 2001:db8:2::10 64)" "$pc/vif-b1.pcap" \
    "src host 2001:db8:1::10 and icmp6 and ip6[40] == 128 and ip6[7] == 63 and ether src fa:16:3e:ff:00:0b" \
    || ovs_fail "a1's routed echo request did not reach b1 with hop limit 63"
echo "frame a1 -> b1 delivered, hop limit 63, remote group admits it: ok"
# a2, on a1's network but outside group "peers", is refused by b1's group.
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 2001:db8:1::20)
plug vif-a2 13 "$A2" fa:16:3e:00:00:a2
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -q 'in_port=13'" || ovs_fail "a2 not plugged"
sleep 0.5
dummy_send_expect_none vif-a2 "eth(src=fa:16:3e:00:00:a2,dst=fa:16:3e:ff:00:0a),eth_type(0x86dd),ipv6(src=2001:db8:1::20,dst=2001:db8:2::10,label=0,proto=58,tclass=0,hlimit=64,frag=no),icmpv6(type=128,code=0)" \
    "$pc/vif-b1.pcap" "src host 2001:db8:1::20" \
    || ovs_fail "a2, outside b1's remote group, reached b1"
echo "a2 outside the remote group: refused by b1's security group: ok"

# Removing the interface on B stops the routing.
nb_transact "{\"op\":\"mutate\",\"table\":\"Router\",\"where\":[],
    \"mutations\":[[\"interfaces\",\"delete\",[\"set\",[[\"uuid\",\"$RB\"]]]]]}" \
    >/dev/null
ovs_wait_until 10 sh -c "! ovs-appctl ofproto/trace br-int 'in_port=11,icmp6,icmpv6_type=128,dl_src=fa:16:3e:00:00:a1,dl_dst=fa:16:3e:ff:00:0a,ipv6_src=2001:db8:1::10,ipv6_dst=2001:db8:2::10,nw_ttl=64' | grep -q -- '-> output port is 12\$'" \
    || ovs_fail "still routed after the interface on B was removed"
echo "interface on B removed: not routed any more: ok"

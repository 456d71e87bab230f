#!/usr/bin/env bash
# Component test: the router's external gateway with an IPv6 address
# (issue 18) on one gateway chassis on the dummy datapath.  bench/routing-
# load.py's router (gateway 203.0.113.100 at fa:16:3e:ff:00:01, interface
# 10.0.0.1 on t0) gains 2001:db8:ff::100 on the external network (subnet
# 2001:db8:ff::/64, gateway_ip ::1) and 2001:db8:10::1 on t0, vif1 the
# address 2001:db8:10::2; br-ex gets a dummy uplink "ext":
#   - a neighbour solicitation from outside for 2001:db8:ff::100 is
#     answered out of ext with an advertisement (router flag, target
#     link-layer address the gateway's MAC); ofproto/trace shows the flows;
#   - vif1's echo request to 2001:db8:ff::1 makes the controller send a
#     neighbour solicitation from the gateway's link-local address out of
#     ext; the advertisement injected on ext is learned (an l3_nexthop
#     flow) and the held request leaves with hop limit 63, from vif1's own
#     address (no NAT), to the learned MAC;
#   - an echo request from outside to vif1's global address reaches vif1,
#     hop limit 63, from the router's MAC on t0; one with a t0 source
#     (spoofed) does not;
#   - the IPv6 address removed from the gateway port: no more answer.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
ovs_test_init
nb_gateway_chassis
port=$(load base 1)
load router
ext=$(nb_uuid_of Network name public)
t0=$(nb_uuid_of Network name t0)
gwport=$(nb_uuid_of Port device_owner network:router_gateway)
riport=$(nb_uuid_of Port device_owner network:router_interface_distributed)
subnet6() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
        \"network\":[\"uuid\",\"$1\"],\"cidr\":\"$2\",\"ip_version\":6,
        \"gateway_ip\":\"$3\",\"enable_dhcp\":false}}" | _nb_uuid
}
# add_ip6 PORT SUBNET IP: a further fixed IP on PORT.
add_ip6() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"ip\",
        \"row\":{\"subnet\":[\"uuid\",\"$2\"],\"ip_address\":\"$3\"}}" \
        "{\"op\":\"mutate\",\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$1\"]]],
        \"mutations\":[[\"fixed_ips\",\"insert\",[\"set\",[[\"named-uuid\",\"ip\"]]]]]}" \
        | _nb_uuid
}
ext6=$(subnet6 "$ext" 2001:db8:ff::/64 2001:db8:ff::1)
t06=$(subnet6 "$t0" 2001:db8:10::/64 2001:db8:10::1)
gwip6=$(add_ip6 "$gwport" "$ext6" 2001:db8:ff::100)
add_ip6 "$riport" "$t06" 2001:db8:10::1 >/dev/null
add_ip6 "$port" "$t06" 2001:db8:10::2 >/dev/null

ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-ex || ovs_fail "no br-ex"
pc=$OVS_TEST_DIR/hv1
ovs-vsctl add-port br-int vif1 -- set interface vif1 type=dummy \
    ofport_request=11 external_ids:iface-id="$port" \
    external_ids:attached-mac=fa:16:3e:00:00:00 \
    external_ids:iface-status=active options:tx_pcap="$pc/vif1.pcap"
ovs-vsctl add-port br-ex ext -- set interface ext type=dummy \
    ofport_request=9 options:tx_pcap="$pc/ext.pcap"
of() { ovs-ofctl -O OpenFlow13 dump-flows br-int "$@"; }
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=l2_lookup | grep -q nd_target=2001:db8:ff::100" \
    || ovs_fail "no ND responder for 2001:db8:ff::100: $(of table=l2_lookup)"
sleep 1

GWMAC=fa:16:3e:ff:00:01 EXTMAC=aa:bb:cc:00:00:01 RMAC=fa:16:3e:ff:01:01
VMAC=fa:16:3e:00:00:00
ns="eth(src=$EXTMAC,dst=33:33:ff:00:01:00),eth_type(0x86dd),ipv6(src=2001:db8:ff::1,dst=ff02::1:ff00:100,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=2001:db8:ff::100,sll=$EXTMAC,tll=00:00:00:00:00:00)"
dummy_send_expect ext "$ns" "$pc/ext.pcap" \
    "icmp6 and ip6[40] == 136 and ether src $GWMAC and ether dst $EXTMAC and src 2001:db8:ff::100 and dst 2001:db8:ff::1" \
    || { dummy_dump "$pc/ext.pcap"; ovs_fail "no advertisement for 2001:db8:ff::100"; }
tcpdump -r "$pc/ext.pcap" -nn -v "icmp6 and ip6[40] == 136" 2>/dev/null \
    | grep -q "tgt is 2001:db8:ff::100, Flags \[router, solicited, override\]" \
    || { tcpdump -r "$pc/ext.pcap" -nn -v 2>/dev/null; ovs_fail "the advertisement's flags"; }
tcpdump -r "$pc/ext.pcap" -nn -v "icmp6 and ip6[40] == 136" 2>/dev/null \
    | grep -q "destination link-address option .*: $GWMAC" \
    || { tcpdump -r "$pc/ext.pcap" -nn -v 2>/dev/null; ovs_fail "the advertisement's target link-layer address"; }
uplink=$(ovs-vsctl --bare --columns=ofport find interface name=int-br-ex)
lvid=$(of "table=classify,in_port=$uplink" \
       | sed -n 's/.*dl_vlan=\([0-9]*\).*/\1/p' | head -1)
trace=$(ovs-appctl ofproto/trace br-int "in_port=$uplink,dl_vlan=$lvid,icmp6,dl_src=$EXTMAC,dl_dst=33:33:ff:00:01:00,ipv6_src=2001:db8:ff::1,ipv6_dst=ff02::1:ff00:100,nw_ttl=255,icmpv6_type=135,icmpv6_code=0,nd_target=2001:db8:ff::100,nd_sll=$EXTMAC")
printf '%s\n' "$trace" | grep -q "set_field:$GWMAC->nd_tll" \
    || { printf '%s\n' "$trace"; ovs_fail "the trace does not set the target link-layer address"; }
echo "ND for the gateway's 2001:db8:ff::100 answered on br-ex (R+S+O, $GWMAC): ok"

# Out: the next hop 2001:db8:ff::1 resolved by neighbour solicitation.
echo6() {
    printf 'eth(src=%s,dst=%s),eth_type(0x86dd),ipv6(src=%s,dst=%s,label=0,proto=58,tclass=0,hlimit=%s,frag=no),icmpv6(type=128,code=0)\n' \
        "$1" "$2" "$3" "$4" "${5:-64}"
}
dummy_send_expect vif1 "$(echo6 $VMAC $RMAC 2001:db8:10::2 2001:db8:ff::1)" \
    "$pc/ext.pcap" \
    "icmp6 and ip6[40] == 135 and ether src $GWMAC and src fe80::f816:3eff:feff:1 and dst ff02::1:ff00:1" \
    || { dummy_dump "$pc/ext.pcap"; ovs_fail "no neighbour solicitation for 2001:db8:ff::1"; }
ovs_controller_ctl hv1 status | grep -q "^neighbor: 1 next hops, 1 requests" \
    || ovs_fail "$(ovs_controller_ctl hv1 status | grep -A2 ^neighbor)"
na="eth(src=$EXTMAC,dst=$GWMAC),eth_type(0x86dd),ipv6(src=2001:db8:ff::1,dst=fe80::f816:3eff:feff:1,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=136,code=0),nd(target=2001:db8:ff::1,sll=00:00:00:00:00:00,tll=$EXTMAC)"
dummy_send_expect ext "$na" "$pc/ext.pcap" \
    "icmp6 and ip6[40] == 128 and ip6[7] == 63 and ether src $GWMAC and ether dst $EXTMAC and src 2001:db8:10::2 and dst 2001:db8:ff::1" \
    || { dummy_dump "$pc/ext.pcap"; ovs_fail "the held echo request did not leave"; }
ovs_wait_until 5 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=l3_nexthop | grep priority=90 | grep -q $EXTMAC" \
    || ovs_fail "no learned next hop: $(of table=l3_nexthop)"
dummy_send_expect vif1 "$(echo6 $VMAC $RMAC 2001:db8:10::2 2001:db8:ff::1)" \
    "$pc/ext.pcap" \
    "icmp6 and ip6[40] == 128 and ip6[7] == 63 and ether dst $EXTMAC and src 2001:db8:10::2" \
    || ovs_fail "the next echo request did not leave through the learned next hop"
echo "out: next hop 2001:db8:ff::1 solicited, learned ($EXTMAC), routed without NAT, hop limit 63: ok"

# In: to vif1's global address, routed; a spoofed tenant source is not.
dummy_send_expect ext "$(echo6 $EXTMAC $GWMAC 2001:db8:ff::1 2001:db8:10::2)" \
    "$pc/vif1.pcap" \
    "icmp6 and ip6[40] == 128 and ip6[7] == 63 and ether src $RMAC and ether dst $VMAC and src 2001:db8:ff::1" \
    || { dummy_dump "$pc/vif1.pcap"; ovs_fail "ext's echo request did not reach vif1"; }
dummy_send_expect_none ext "$(echo6 $EXTMAC $GWMAC 2001:db8:10::3 2001:db8:10::2)" \
    "$pc/vif1.pcap" "icmp6 and ip6[40] == 128 and src 2001:db8:10::3" \
    || ovs_fail "a t0 source from outside reached vif1"
trace=$(ovs-appctl ofproto/trace br-int "in_port=$uplink,dl_vlan=$lvid,icmp6,dl_src=$EXTMAC,dl_dst=$GWMAC,ipv6_src=2001:db8:ff::1,ipv6_dst=2001:db8:10::2,nw_ttl=64,icmpv6_type=128,icmpv6_code=0")
printf '%s\n' "$trace" | grep -q "^140\. ipv6,reg1=.*, priority 90" \
    || { printf '%s\n' "$trace"; ovs_fail "the trace does not route from l3_ext_in"; }
echo "in: ext -> 2001:db8:10::2 routed to vif1 (hop limit 63); a spoofed t0 source dropped: ok"

# The IPv6 address removed from the gateway port: no more ND answer.
nb_transact "{\"op\":\"mutate\",\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$gwport\"]]],
    \"mutations\":[[\"fixed_ips\",\"delete\",[\"set\",[[\"uuid\",\"$gwip6\"]]]]]}" >/dev/null
ovs_wait_until 5 sh -c "! ovs-ofctl -O OpenFlow13 dump-flows br-int table=l2_lookup | grep -q nd_target=2001:db8:ff::100" \
    || ovs_fail "the ND responder stays"
dummy_send_expect_none ext "$ns" "$pc/ext.pcap" "icmp6 and ip6[40] == 136" \
    || ovs_fail "2001:db8:ff::100 still answered"
! of table=l3_ext_in | grep -q "priority=90,ipv6" \
    || ovs_fail "IPv6 routing from outside stays: $(of table=l3_ext_in)"
echo "the gateway's IPv6 address removed: no ND answer, no IPv6 routing: ok"

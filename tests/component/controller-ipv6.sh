#!/usr/bin/env bash
# Component test: IPv6 router discovery and neighbour discovery on one
# dummy-datapath node (issue 18).  A VIF gets an unsolicited router
# advertisement when it appears and one in answer to its router
# solicitation, with the SLAAC prefix, the MTU, the DNS server and a router
# lifetime (0 once the subnet has no router interface); a malformed
# solicitation gets none; neighbour solicitations for another port's
# address and for the router's link-local address are answered in flows
# with a valid advertisement; a router advertisement forged by a VM reaches
# no other VM.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
nd() { python3 "$abs_top_srcdir/tests/lib/nd.py" "$@"; }
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1

NA=$(nb_network A vxlan 100 "" 1442)
SA=$(nb_transact "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
    \"network\":[\"uuid\",\"$NA\"],\"cidr\":\"2001:db8:1::/64\",
    \"ip_version\":6,\"gateway_ip\":\"2001:db8:1::1\",\"enable_dhcp\":true,
    \"dns_nameservers\":\"2001:db8::53\",
    \"external_ids\":[\"map\",[[\"neutron:ipv6_ra_mode\",\"slaac\"],
                             [\"neutron:ipv6_address_mode\",\"slaac\"]]]}}" \
    | _nb_uuid)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 2001:db8:1::f816:3eff:fe00:a1)
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 2001:db8:1::f816:3eff:fe00:a2)
R=$(nb_transact "{\"op\":\"insert\",\"table\":\"Port\",\"row\":{
    \"network\":[\"uuid\",\"$NA\"],\"mac_address\":\"fa:16:3e:00:00:01\",
    \"admin_state_up\":true,\"port_security_enabled\":false,
    \"device_owner\":\"network:router_interface\",
    \"fixed_ips\":[\"named-uuid\",\"ip\"]}}" \
    "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"ip\",
    \"row\":{\"subnet\":[\"uuid\",\"$SA\"],\"ip_address\":\"2001:db8:1::1\"}}" \
    | _nb_uuid)

ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
pc=$OVS_TEST_DIR/hv1
plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active \
        options:tx_pcap="$pc/$1.pcap"
}
status() { ovs_controller_ctl hv1 status; }
ra_filter="icmp6 and ip6[40] == 134"
na_filter="icmp6 and ip6[40] == 136"
# decoded PCAP: the last frame matching FILTER, as tcpdump -v prints it.
decoded() {
    tcpdump -r "$1" -nn -v -e "$2" 2>/dev/null | awk '/^[0-9]/ { n++ } { a[n] = a[n] $0 " " } END { print a[n] }'
}
expect() {
    local what=$1 text=$2; shift 2
    for s in "$@"; do
        case "$text" in
            *"$s"*) ;;
            *) ovs_fail "$what: no '$s' in: $text" ;;
        esac
    done
}

plug vif-a1 11 "$A1" fa:16:3e:00:00:a1
# An unsolicited advertisement as soon as the VIF appears.
dummy_wait "$pc/vif-a1.pcap" "$ra_filter" 1 10 \
    || { status; ovs_fail "no unsolicited RA on vif-a1"; }
expect "unsolicited RA" "$(decoded "$pc/vif-a1.pcap" "$ra_filter")" \
    "fa:16:3e:00:00:01 > 33:33:00:00:00:01" \
    "fe80::f816:3eff:fe00:1 > ff02::1" "hlim 255" \
    "router lifetime 600s" "2001:db8:1::/64, Flags [onlink, auto]" \
    "mtu option (5), length 8 (1):  1442" "2001:db8::53"
echo "unsolicited RA when the VIF appears: ok"

plug vif-a2 12 "$A2" fa:16:3e:00:00:a2
dummy_wait "$pc/vif-a2.pcap" "$ra_filter" 1 10 \
    || { status; ovs_fail "no unsolicited RA on vif-a2"; }
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=10 | grep -q icmp_type=133" \
    || ovs_fail "no RS flow"
sleep 1
a2_before=$(dummy_count "$pc/vif-a2.pcap" "$ra_filter")

# RS -> RA, unicast to the solicitor, on its VIF only.
dummy_send_expect vif-a1 "$(nd rs fa:16:3e:00:00:a1 fe80::f816:3eff:fe00:a1)" \
    "$pc/vif-a1.pcap" "$ra_filter" || { status; ovs_fail "no RA for the RS"; }
expect "solicited RA" "$(decoded "$pc/vif-a1.pcap" "$ra_filter")" \
    "fa:16:3e:00:00:01 > fa:16:3e:00:00:a1" \
    "fe80::f816:3eff:fe00:1 > fe80::f816:3eff:fe00:a1" \
    "router lifetime 600s" "Flags [onlink, auto]"
case "$(decoded "$pc/vif-a1.pcap" "$ra_filter")" in
    *"bad icmp6 cksum"*) ovs_fail "RA with a bad checksum" ;;
esac
[ "$(dummy_count "$pc/vif-a2.pcap" "$ra_filter")" = "$a2_before" ] \
    || ovs_fail "the RA for a1 reached vif-a2"
status | grep -q "solicitations 1, answered 1" || { status; ovs_fail "RS not counted"; }
echo "RS -> RA: ok"

# An RS from off link (hop limit 64) gets nothing, and is counted.
dummy_send_expect_none vif-a1 \
    "$(nd rs fa:16:3e:00:00:a1 fe80::f816:3eff:fe00:a1 64)" \
    "$pc/vif-a1.pcap" "$ra_filter" 1 || ovs_fail "answered a bad RS"
status | grep -q "hop limit not 255 1" || { status; ovs_fail "bad RS not counted"; }
echo "malformed RS dropped: ok"

# NS for a2's address from a1 -> NA from a2's MAC, out of vif-a1 alone,
# answered by the flows (no packet-in).
dummy_send_expect vif-a1 "$(nd ns fa:16:3e:00:00:a1 fe80::f816:3eff:fe00:a1 \
    2001:db8:1::f816:3eff:fe00:a2)" "$pc/vif-a1.pcap" "$na_filter" \
    || { ovs-ofctl -O OpenFlow13 dump-flows br-int table=40; ovs_fail "no NA"; }
na=$(decoded "$pc/vif-a1.pcap" "$na_filter")
expect "NA" "$na" "fa:16:3e:00:00:a2 > fa:16:3e:00:00:a1" \
    "2001:db8:1:0:f816:3eff:fe00:a2 > fe80::f816:3eff:fe00:a1" "hlim 255" \
    "tgt is 2001:db8:1:0:f816:3eff:fe00:a2" "Flags [solicited, override]" "icmp6 sum ok" \
    "destination link-address option (2), length 8 (1): fa:16:3e:00:00:a2"
case "$na" in *"bad icmp6 cksum"*) ovs_fail "NA with a bad checksum: $na" ;; esac
[ "$(dummy_count "$pc/vif-a2.pcap" "icmp6 and ip6[40] == 135")" = 0 ] \
    || ovs_fail "the answered NS still reached vif-a2"
echo "NS -> NA for a port: ok"

# NS for the router's link-local address -> NA with the router flag.
dummy_send_expect vif-a1 "$(nd ns fa:16:3e:00:00:a1 fe80::f816:3eff:fe00:a1 \
    fe80::f816:3eff:fe00:1)" "$pc/vif-a1.pcap" "$na_filter" \
    || ovs_fail "no NA for the router"
expect "router NA" "$(decoded "$pc/vif-a1.pcap" "$na_filter")" \
    "fa:16:3e:00:00:01 > fa:16:3e:00:00:a1" "tgt is fe80::f816:3eff:fe00:1" \
    "Flags [router, solicited, override]"
echo "NS -> NA for the router's link-local address: ok"

# A VM's forged RA reaches no other VM (first-hop security).
dummy_send_expect_none vif-a1 "$(nd ra fa:16:3e:00:00:a1 \
    fe80::f816:3eff:fe00:a1 2001:db8:666::)" "$pc/vif-a2.pcap" \
    "icmp6 and ip6[40] == 134 and ether src fa:16:3e:00:00:a1" 1 \
    || ovs_fail "a forged RA reached vif-a2"
# ... dropped by first-hop security itself (table ipv6_security), before
# the security groups (whose conntrack also calls an RA invalid).
ovs-ofctl -O OpenFlow13 dump-flows br-int "table=11,icmp6,icmp_type=134" \
    | grep -q "n_packets=1," \
    || { ovs-ofctl -O OpenFlow13 dump-flows br-int table=11; \
         ovs_fail "the forged RA was not dropped by ipv6_security"; }
echo "forged RA dropped: ok"

# Without a router interface: router lifetime 0 (no default route).
nb_transact "{\"op\":\"delete\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$R\"]]]}" >/dev/null
sleep 1
dummy_send_expect vif-a1 "$(nd rs fa:16:3e:00:00:a1 fe80::f816:3eff:fe00:a1)" \
    "$pc/vif-a1.pcap" "$ra_filter" || ovs_fail "no RA without a router"
expect "RA without a router" "$(decoded "$pc/vif-a1.pcap" "$ra_filter")" \
    "02:00:a9:fe:a9:fe > fa:16:3e:00:00:a1" "router lifetime 0s" \
    "2001:db8:1::/64, Flags [onlink, auto]"
echo "router lifetime 0 without a router interface: ok"

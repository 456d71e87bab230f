#!/usr/bin/env bash
# Component test: the DHCPv6 server on one dummy-datapath node (issue 18).
# A VIF's Solicit on a dhcpv6-stateful subnet gets an Advertise with the
# port's fixed address, out of that VIF alone; Rapid Commit, Request and
# Confirm (NotOnLink for a foreign prefix) get Replies; a port without an
# address there gets NoAddrsAvail; an Information-request on a
# dhcpv6-stateless subnet gets the DNS server and the domain search list;
# a malformed message and one on a SLAAC-only network get nothing and are
# counted; a VM's forged DHCPv6 server reply reaches no other VM, even
# from a port without port security.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
d6() { python3 "$abs_top_srcdir/tests/lib/dhcp6.py" "$@"; }
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1

v6_subnet() {
    local net=$1 cidr=$2 mode=$3 dns=${4:-}
    local d='["set",[]]'
    [ -n "$dns" ] && d="\"$dns\""
    nb_transact "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"cidr\":\"$cidr\",
        \"ip_version\":6,\"enable_dhcp\":true,\"dns_nameservers\":$d,
        \"external_ids\":[\"map\",[[\"neutron:ipv6_ra_mode\",\"$mode\"],
                                 [\"neutron:ipv6_address_mode\",\"$mode\"]]]}}" \
        | _nb_uuid
}
NA=$(nb_network A vxlan 100 "" 1442)
SA=$(v6_subnet "$NA" 2001:db8:2::/64 dhcpv6-stateful 2001:db8::35)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 2001:db8:2::10)
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 "")
NB=$(nb_network B vxlan 101 "" 1442)
SB=$(v6_subnet "$NB" 2001:db8:3::/64 dhcpv6-stateless 2001:db8::53)
B1=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b1 2001:db8:3::f816:3eff:fe00:b1)
NC=$(nb_network C vxlan 102 "" 1442)
SC=$(v6_subnet "$NC" 2001:db8:4::/64 slaac)
C1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:c1 "" false)
C2=$(nb_port "$NC" "$SC" fa:16:3e:00:00:c2 2001:db8:4::f816:3eff:fe00:c2)

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
f="udp and src port 547 and dst port 546"
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
plug vif-a2 12 "$A2" fa:16:3e:00:00:a2
plug vif-b1 13 "$B1" fa:16:3e:00:00:b1
plug vif-c1 14 "$C1" fa:16:3e:00:00:c1
plug vif-c2 15 "$C2" fa:16:3e:00:00:c2
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=10 | grep -q 'in_port=15.*tp_src=546,tp_dst=547'" \
    || { ovs-ofctl -O OpenFlow13 dump-flows br-int table=10; ovs_fail "no DHCPv6 flows"; }
# Through the VIF's own meter, then the controller's.
ovs-ofctl -O OpenFlow13 dump-flows br-int table=10 \
    | grep 'in_port=11,tp_src=546,tp_dst=547' | grep -q 'meter:65547' \
    || { ovs-ofctl -O OpenFlow13 dump-flows br-int table=10; ovs_fail "DHCPv6 not through the VIF meter"; }
sleep 1
server_id="hwaddr type 1 0200a9fea9fe"

# Solicit -> Advertise with the port's address, to the client, on its VIF.
dummy_send_expect vif-a1 "$(d6 solicit fa:16:3e:00:00:a1)" \
    "$pc/vif-a1.pcap" "$f" || { status; ovs_fail "no Advertise"; }
adv=$(decoded "$pc/vif-a1.pcap" "$f")
expect "Advertise" "$adv" "02:00:a9:fe:a9:fe > fa:16:3e:00:00:a1" \
    "fe80::a9ff:fefe:a9fe.547 > fe80::f816:3eff:fe00:a1.546" \
    "dhcp6 advertise (xid=123456" "$server_id" "(preference 255)" \
    "IA_NA IAID:7 T1:43200 T2:69120 (IA_ADDR 2001:db8:2::10 pltime:86400 vltime:86400)" \
    "(DNS-server 2001:db8::35)" "(DNS-search-list openstacklocal.)"
case "$adv" in *"bad udp cksum"*) ovs_fail "bad UDP checksum: $adv" ;; esac
[ "$(dummy_count "$pc/vif-a2.pcap" "$f")" = 0 ] \
    || ovs_fail "the Advertise for a1 reached vif-a2"
echo "Solicit -> Advertise with the fixed address: ok"

dummy_send_expect vif-a1 "$(d6 solicit fa:16:3e:00:00:a1 rapid)" \
    "$pc/vif-a1.pcap" "$f" || ovs_fail "no Reply to a rapid Solicit"
expect "rapid Reply" "$(decoded "$pc/vif-a1.pcap" "$f")" \
    "dhcp6 reply (xid=123456" "(rapid-commit)" "IA_ADDR 2001:db8:2::10"
dummy_send_expect vif-a1 "$(d6 request fa:16:3e:00:00:a1 02:00:a9:fe:a9:fe)" \
    "$pc/vif-a1.pcap" "$f" || ovs_fail "no Reply to the Request"
expect "Reply" "$(decoded "$pc/vif-a1.pcap" "$f")" \
    "dhcp6 reply (xid=123456" "IA_ADDR 2001:db8:2::10 pltime:86400"
echo "rapid commit, Request -> Reply: ok"

# A Request for another server gets nothing.
dummy_send_expect_none vif-a1 \
    "$(d6 request fa:16:3e:00:00:a1 fa:16:3e:00:00:99)" \
    "$pc/vif-a1.pcap" "$f" 1 || ovs_fail "answered another server's Request"

dummy_send_expect vif-a1 "$(d6 confirm fa:16:3e:00:00:a1 2001:db8:99::10)" \
    "$pc/vif-a1.pcap" "$f" || ovs_fail "no Reply to the Confirm"
expect "Confirm" "$(decoded "$pc/vif-a1.pcap" "$f")" \
    "dhcp6 reply" "(status-code NotOnLink"
echo "Confirm of a foreign prefix -> NotOnLink: ok"

dummy_send_expect vif-a2 "$(d6 solicit fa:16:3e:00:00:a2)" \
    "$pc/vif-a2.pcap" "$f" || ovs_fail "no Advertise for a2"
expect "NoAddrsAvail" "$(decoded "$pc/vif-a2.pcap" "$f")" \
    "dhcp6 advertise" "(status-code NoAddrsAvail"
echo "port without an address -> NoAddrsAvail: ok"

dummy_send_expect vif-b1 "$(d6 info fa:16:3e:00:00:b1)" \
    "$pc/vif-b1.pcap" "$f" || ovs_fail "no Reply to the Information-request"
expect "stateless" "$(decoded "$pc/vif-b1.pcap" "$f")" \
    "dhcp6 reply (xid=123456" "(DNS-server 2001:db8::53)" \
    "(DNS-search-list openstacklocal.)"
case "$(decoded "$pc/vif-b1.pcap" "$f")" in
    *IA_NA*) ovs_fail "an address on a stateless subnet" ;;
esac
echo "Information-request on a stateless subnet -> DNS, domain: ok"

dummy_send_expect_none vif-a1 "$(d6 bad fa:16:3e:00:00:a1)" \
    "$pc/vif-a1.pcap" "$f" 1 || ovs_fail "answered a malformed Solicit"
dummy_send_expect_none vif-c2 "$(d6 solicit fa:16:3e:00:00:c2)" \
    "$pc/vif-c2.pcap" "$f" 1 || ovs_fail "answered on a SLAAC network"
st=$(status | grep '^dhcpv6:')
expect "status" "$st" "solicit 4" "request 2" "confirm 1" \
    "information-request 1" "advertise 2" "reply 4" "(no address 1)" \
    "(not on link 1)" "bad option 1" "no DHCPv6 subnet 1" "no reply due 1"
echo "malformed and SLAAC-only dropped and counted: ok ($st)"

# A rogue DHCPv6 server in a VM without port security reaches nobody.
dummy_send_expect_none vif-c1 "$(d6 reply fa:16:3e:00:00:c1)" \
    "$pc/vif-a1.pcap" "udp and src port 547 and ether src fa:16:3e:00:00:c1" 1 \
    || ovs_fail "a rogue DHCPv6 reply reached vif-a1"
ovs-ofctl -O OpenFlow13 dump-flows br-int "table=10,udp6,tp_src=547,tp_dst=546" \
    | grep -q "n_packets=1," \
    || { ovs-ofctl -O OpenFlow13 dump-flows br-int table=10; \
         ovs_fail "the rogue reply was not dropped by port_security"; }
echo "rogue DHCPv6 server reply dropped: ok"

# A restarted controller answers renewals at once, with the same server
# identifier (the DUID-LL of a fixed MAC, no state).
ovs_stop_controller hv1 KILL
ovs_start_controller hv1
ovs_wait_until 10 sh -c "ovs-appctl -t $pc/run/dvr-controller.ctl status | grep -q 'br-int: connected'" \
    || ovs_fail "controller did not reconnect"
sleep 0.5
dummy_send_expect vif-a1 "$(d6 request fa:16:3e:00:00:a1 02:00:a9:fe:a9:fe)" \
    "$pc/vif-a1.pcap" "$f" || ovs_fail "no Reply after a restart"
expect "Reply after a restart" "$(decoded "$pc/vif-a1.pcap" "$f")" \
    "dhcp6 reply" "$server_id" "IA_ADDR 2001:db8:2::10"
echo "restart: ok"

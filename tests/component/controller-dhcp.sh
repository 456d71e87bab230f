#!/usr/bin/env bash
# Component test: dvr-controller's DHCP server on one dummy-datapath node.
# DHCP messages injected on a VIF get their answers out of that VIF, with
# the subnet's options; a VIF on a subnet without DHCP gets nothing; a
# VM's DHCP server traffic is dropped; malformed messages are counted and
# dropped; the per-VIF meter holds a flood back.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
dhcp() { python3 "$abs_top_srcdir/tests/lib/dhcp.py" "$@"; }
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1

NA=$(nb_network A vxlan 100 "" 1442)
SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1 true)
nb_transact "{\"op\":\"update\",\"table\":\"Subnet\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$SA\"]]],
    \"row\":{\"dns_nameservers\":[\"set\",[\"8.8.8.8\",\"1.1.1.1\"]],
             \"host_routes\":[\"map\",[[\"172.16.0.0/12\",\"10.0.0.5\"]]]}}" \
    >/dev/null
NB=$(nb_network B vxlan 200)
SB=$(nb_subnet "$NB" 10.1.0.0/24 10.1.0.1 false)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 10.0.0.11)
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 10.0.0.12)
B1=$(nb_port "$NB" "$SB" fa:16:3e:00:00:b1 10.1.0.11)
nb_transact "{\"op\":\"update\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$A1\"]]],
    \"row\":{\"dns_name\":\"vm-a1\"}}" >/dev/null

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
plug vif-a2 12 "$A2" fa:16:3e:00:00:a2
plug vif-b1 13 "$B1" fa:16:3e:00:00:b1
binding_up() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"Port_Binding\",\"where\":[[\"port\",\"==\",
        [\"uuid\",\"$1\"]],[\"up\",\"==\",true]]}]" | grep -q '"_uuid"'
}
for p in "$A1" "$A2" "$B1"; do
    ovs_wait_until 10 binding_up "$p" || ovs_fail "port $p not bound up"
done
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=30 | grep -q controller" \
    || ovs_fail "no DHCP flow"

status() { ovs_controller_ctl hv1 status; }
ovs_controller_ctl hv1 status | grep -q "packet path: br-int ACTIVE (ready)" \
    || { status; ovs_fail "packet path not ready"; }
ovs-ofctl -O OpenFlow13 dump-meters br-int | grep -q "meter=1 pktps burst stats bands=" \
    || ovs_fail "meter 1 missing"

# last_reply PCAP: the last DHCP reply in PCAP, decoded.
last_reply() { dhcp replies "$1" | tail -n 1; }
expect_reply() {
    local what=$1 pcap=$2 reply; shift 2
    reply=$(last_reply "$pcap")
    for kv in "$@"; do
        case " $reply " in
            *" $kv "*) ;;
            *) ovs_fail "$what: no '$kv' in: $reply" ;;
        esac
    done
}
udp_reply="udp src port 67 and udp dst port 68"

# DISCOVER -> OFFER with every option (DNS servers in the order of the
# NB set: OVSDB sets are sorted).
dummy_send_expect vif-a1 "$(dhcp frame discover fa:16:3e:00:00:a1 --xid 0x11)" \
    "$pc/vif-a1.pcap" "$udp_reply" || { status; ovs_fail "no OFFER"; }
expect_reply "OFFER" "$pc/vif-a1.pcap" type=offer xid=0x11 yiaddr=10.0.0.11 \
    ipdst=10.0.0.11 server=10.0.0.1 netmask=255.255.255.0 router=10.0.0.1 \
    dns=1.1.1.1,8.8.8.8 mtu=1442 hostname=vm-a1 domain=openstacklocal \
    lease=86400 routes=172.16.0.0/12-10.0.0.5,0.0.0.0/0-10.0.0.1 \
    ethsrc=02:00:a9:fe:a9:fe
# ... and to no other VIF.
[ "$(dummy_count "$pc/vif-a2.pcap" "$udp_reply")" = 0 ] \
    || ovs_fail "the OFFER also reached vif-a2"
echo "DISCOVER -> OFFER: ok"

# REQUEST (selecting) -> ACK; a wrong address -> NAK; renewal (unicast to
# the server) -> ACK to ciaddr; another server's -> nothing.
dummy_send_expect vif-a1 "$(dhcp frame request fa:16:3e:00:00:a1 --xid 0x12 \
    --requested 10.0.0.11 --server 10.0.0.1)" "$pc/vif-a1.pcap" "$udp_reply" \
    || ovs_fail "no ACK"
expect_reply "ACK" "$pc/vif-a1.pcap" type=ack xid=0x12 yiaddr=10.0.0.11 \
    hostname=vm-a1
dummy_send_expect vif-a1 "$(dhcp frame request fa:16:3e:00:00:a1 --xid 0x13 \
    --requested 10.0.0.99)" "$pc/vif-a1.pcap" "$udp_reply" \
    || ovs_fail "no NAK"
expect_reply "NAK" "$pc/vif-a1.pcap" type=nak xid=0x13 ipdst=255.255.255.255
dummy_send_expect vif-a1 "$(dhcp frame request fa:16:3e:00:00:a1 --xid 0x14 \
    --ciaddr 10.0.0.11 --dst 10.0.0.1)" "$pc/vif-a1.pcap" "$udp_reply" \
    || ovs_fail "no ACK to a unicast renewal"
expect_reply "renewal" "$pc/vif-a1.pcap" type=ack xid=0x14 ipdst=10.0.0.11
dummy_send_expect vif-a1 "$(dhcp frame inform fa:16:3e:00:00:a1 --xid 0x15 \
    --ciaddr 10.0.0.11)" "$pc/vif-a1.pcap" "$udp_reply" \
    || ovs_fail "no ACK to INFORM"
expect_reply "INFORM" "$pc/vif-a1.pcap" type=ack xid=0x15 yiaddr=0.0.0.0
dummy_send_expect_none vif-a1 "$(dhcp frame request fa:16:3e:00:00:a1 \
    --requested 10.0.0.11 --server 10.0.0.254)" "$pc/vif-a1.pcap" \
    "$udp_reply" || ovs_fail "answered a REQUEST for another server"
dummy_send_expect_none vif-a1 "$(dhcp frame release fa:16:3e:00:00:a1 \
    --ciaddr 10.0.0.11 --dst 10.0.0.1)" "$pc/vif-a1.pcap" "$udp_reply" \
    || ovs_fail "answered a RELEASE"
status | grep -q "release 1" || { status; ovs_fail "RELEASE not counted"; }
echo "REQUEST -> ACK / NAK, renewal, INFORM, RELEASE: ok"

# A2 gets its own address.
dummy_send_expect vif-a2 "$(dhcp frame discover fa:16:3e:00:00:a2 --xid 0x21)" \
    "$pc/vif-a2.pcap" "$udp_reply" || ovs_fail "no OFFER for a2"
expect_reply "OFFER a2" "$pc/vif-a2.pcap" type=offer yiaddr=10.0.0.12 \
    hostname=host-10-0-0-12

# No DHCP on B's subnet: no answer, no flow.
dummy_send_expect_none vif-b1 "$(dhcp frame discover fa:16:3e:00:00:b1)" \
    "$pc/vif-b1.pcap" "$udp_reply" 1 || ovs_fail "answered on a DHCP-less subnet"
ovs-ofctl -O OpenFlow13 dump-flows br-int table=30 | grep -q "in_port=13,tp_src=68" \
    && ovs_fail "DHCP flow for a port without DHCP"
echo "no DHCP on a disabled subnet: ok"

# A VM's DHCP server traffic is dropped before it reaches anyone.
dummy_send_expect_none vif-a2 "$(dhcp server-frame fa:16:3e:00:00:a2)" \
    "$pc/vif-a1.pcap" "$udp_reply" || ovs_fail "a rogue OFFER reached vif-a1"
echo "rogue DHCP server dropped: ok"

# Malformed: truncated, a chaddr other than the port's MAC.
dummy_send_expect_none vif-a1 "$(dhcp frame discover fa:16:3e:00:00:a1 \
    --truncate 100)" "$pc/vif-a1.pcap" "$udp_reply" || ovs_fail "answered junk"
status | grep -q "dropped truncated 1" || { status; ovs_fail "truncation not counted"; }
frame=$(dhcp frame discover fa:16:3e:00:00:99)
frame=${frame:0:12}fa163e0000a1${frame:24}  # Right Ethernet source only.
dummy_send_expect_none vif-a1 "$frame" "$pc/vif-a1.pcap" "$udp_reply" \
    || ovs_fail "answered a foreign chaddr"
status | grep -q "foreign chaddr 1" || { status; ovs_fail "chaddr not counted"; }
echo "malformed messages counted and dropped: ok"

# The per-VIF meter: of 200 DISCOVERs at once, at most the burst (40) and
# what the rate (20/s) adds get an answer; a2 is still answered.
before=$(dummy_count "$pc/vif-a1.pcap" "$udp_reply")
d=$(dhcp frame discover fa:16:3e:00:00:a1)
start=$(date +%s%N)
for i in $(seq 200); do ovs-appctl netdev-dummy/receive vif-a1 "$d" >/dev/null; done
secs=$(( ($(date +%s%N) - start) / 1000000000 + 1 ))
sleep 0.5
after=$(dummy_count "$pc/vif-a1.pcap" "$udp_reply")
answered=$((after - before))
limit=$((40 + 20 * secs + 5))
echo "meter: $answered of 200 DISCOVERs in ${secs}s answered (limit $limit)"
[ "$answered" -le "$limit" ] || ovs_fail "the per-VIF meter did not hold"
[ "$answered" -ge 20 ] || ovs_fail "the meter dropped too much"
dummy_send_expect vif-a2 "$(dhcp frame discover fa:16:3e:00:00:a2 --xid 0x22)" \
    "$pc/vif-a2.pcap" "$udp_reply" || ovs_fail "a2 starved by a1's flood"
echo "per-VIF meter: ok"

# Turning DHCP off on A's subnet removes the flows; on again brings them.
nb_transact "{\"op\":\"update\",\"table\":\"Subnet\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$SA\"]]],
    \"row\":{\"enable_dhcp\":false}}" >/dev/null
ovs_wait_until 10 sh -c "! ovs-ofctl -O OpenFlow13 dump-flows br-int table=30 | grep -q controller" \
    || ovs_fail "DHCP flows stayed after enable_dhcp=false"
nb_transact "{\"op\":\"update\",\"table\":\"Subnet\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$SA\"]]],
    \"row\":{\"enable_dhcp\":true}}" >/dev/null
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=30 | grep -q 'in_port=11,tp_src=68'" \
    || ovs_fail "DHCP flows not back"
echo "enable_dhcp changes: ok"

# A restarted controller keeps the flows and meters and answers at once.
ovs_stop_controller hv1 KILL
ovs_start_controller hv1
ovs_wait_until 10 sh -c "ovs-appctl -t $pc/run/dvr-controller.ctl status | grep -q 'br-int: connected'" \
    || ovs_fail "controller did not reconnect"
sleep 0.5
status | grep -q "br-int: connected, [0-9]* flows, 0 bundles" \
    || { status; ovs_fail "restart changed br-int's flows"; }
dummy_send_expect vif-a2 "$(dhcp frame discover fa:16:3e:00:00:a2 --xid 0x23)" \
    "$pc/vif-a2.pcap" "$udp_reply" || ovs_fail "no OFFER after a restart"
echo "restart: ok"

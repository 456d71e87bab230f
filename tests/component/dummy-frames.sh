#!/usr/bin/env bash
# Component test of tests/lib/dummy.sh: frames injected on dummy ports of
# one switch are found, or proved absent, in the other ports' tx_pcap
# files, and each check fails when the network does not do what it says.
#
# Switch: br0 (dummy datapath) with ports p1, p2, p3; flows send ICMP from
# p1 to p2, ARP from p1 to p3, frames from 02:00:00:00:00:0a to p2, and
# drop the rest.
set -euo pipefail
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"

ovs_test_init
ovs_start_switch hv1
pc=$OVS_TEST_DIR/hv1
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=dummy \
    -- add-port br0 p1 -- set interface p1 type=dummy ofport_request=1 \
       options:tx_pcap="$pc/p1.pcap" \
    -- add-port br0 p2 -- set interface p2 type=dummy ofport_request=2 \
       options:tx_pcap="$pc/p2.pcap" \
    -- add-port br0 p3 -- set interface p3 type=dummy ofport_request=3 \
       options:tx_pcap="$pc/p3.pcap" \
    || ovs_fail "cannot create br0"
ovs-ofctl del-flows br0
ovs-ofctl add-flows br0 - <<'EOF' || ovs_fail "cannot add flows"
priority=10,in_port=1,icmp,actions=output:2
priority=10,in_port=1,arp,actions=output:3
priority=5,in_port=1,dl_src=02:00:00:00:00:0a,actions=output:2
priority=0,actions=drop
EOF

m1=02:00:00:00:00:01 m2=02:00:00:00:00:02
icmp=$(dummy_icmp $m1 $m2 10.0.0.1 10.0.0.2)
f_icmp="icmp and src host 10.0.0.1 and dst host 10.0.0.2"

# Positive: ICMP from p1 reaches p2, twice (each check wants a new frame).
dummy_send_expect p1 "$icmp" "$pc/p2.pcap" "$f_icmp" \
    || ovs_fail "ICMP p1 -> p2 not seen"
dummy_send_expect p1 "$icmp" "$pc/p2.pcap" "$f_icmp" \
    || ovs_fail "second ICMP p1 -> p2 not seen"
[ "$(dummy_count "$pc/p2.pcap" "$f_icmp")" = 2 ] \
    || ovs_fail "p2 holds $(dummy_count "$pc/p2.pcap" "$f_icmp") ICMP frames, not 2"
# The frame on the wire is what was described.
frames=$(tcpdump -r "$pc/p2.pcap" -nn -e 2>/dev/null)
grep -q "$m1 > $m2, ethertype IPv4.*10.0.0.1 > 10.0.0.2: ICMP echo request" \
    <<<"$frames" \
    || { dummy_dump "$pc/p2.pcap"; ovs_fail "ICMP frame differs"; }

# Negative: ICMP never reaches p3.
dummy_send_expect_none p1 "$icmp" "$pc/p3.pcap" icmp \
    || ovs_fail "ICMP reached p3"

# The checks fail when the network disagrees with them.
if dummy_send_expect p1 "$icmp" "$pc/p3.pcap" icmp 1 2>/dev/null; then
    ovs_fail "dummy_send_expect passed for a frame that never comes"
fi
if dummy_send_expect_none p1 "$icmp" "$pc/p2.pcap" icmp 2>/dev/null; then
    ovs_fail "dummy_send_expect_none passed for a frame that comes"
fi
if dummy_wait "$pc/p1.pcap" "" 1 1 2>/dev/null; then
    ovs_fail "dummy_wait passed on a port that sent nothing"
fi

# ARP requests go to p3 only.
arp=$(dummy_arp_request $m1 10.0.0.1 10.0.0.9)
dummy_send_expect p1 "$arp" "$pc/p3.pcap" \
    "arp and arp[6:2] = 1 and arp[24:4] = 0x0a000009" \
    || ovs_fail "ARP request p1 -> p3 not seen"
dummy_send_expect_none p1 "$arp" "$pc/p2.pcap" arp \
    || ovs_fail "ARP request reached p2"

# A frame given as hex bytes (an IPv4/UDP frame from 02:..:0a).
hex=ffffffffffff02000000000a0800
hex+=4500001c0001000040110000c0a80001c0a800ff
hex+=04d2162e00080000
dummy_send_expect p1 "$hex" "$pc/p2.pcap" \
    "ether src 02:00:00:00:00:0a and udp dst port 5678" \
    || ovs_fail "hex frame p1 -> p2 not seen"

# Injecting on a port that does not exist is an error.
if dummy_inject nosuchport "$icmp" 2>/dev/null; then
    ovs_fail "injection on a missing port succeeded"
fi
echo "dummy-frames: ok"

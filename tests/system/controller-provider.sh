#!/usr/bin/env bash
# System test (issue 4): flat and VLAN provider networks through the
# bridge mapping physnet1:br-ex.  VMs on a flat network reach the external
# host and each other over the physical network (not the tunnels); VMs on
# a VLAN 100 network on two nodes reach each other with their frames
# tagged 100 on the wire.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2 --gateways 0

flat=$(sb_network public flat "" 1500)
sb_nb "{\"op\":\"update\",\"table\":\"Network\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$flat\"]]],
        \"row\":{\"provider_physical_network\":\"physnet1\",
                 \"provider_segmentation_id\":[\"set\",[]],
                 \"external\":true}}" >/dev/null
fsub=$(sb_subnet "$flat" 203.0.113.0/24 203.0.113.1)
sb_vm p1 hv1 "$flat" "$fsub" 203.0.113.11 fa:16:3e:0f:00:01
sb_vm p2 hv2 "$flat" "$fsub" 203.0.113.12 fa:16:3e:0f:00:02

tunnelled() {
    sb ovs hv1 ovs-ofctl -O OpenFlow13 dump-flows br-tun \
        | sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' | paste -sd+ | bc
}
before=$(tunnelled)
sb_assert_ping p1 203.0.113.1
sb_assert_ping ext 203.0.113.11
sb_assert_ping p1 203.0.113.12
sb_tcp_listen ext 8080
sb_assert_tcp p1 203.0.113.1 8080
after=$(tunnelled)
[ "$before" = "$after" ] || sb_fail "flat traffic went through br-tun"
echo "flat provider network: ok"

vlan=$(sb_network vlan100 vlan 100 1500)
sb_nb "{\"op\":\"update\",\"table\":\"Network\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$vlan\"]]],
        \"row\":{\"provider_physical_network\":\"physnet1\"}}" >/dev/null
vsub=$(sb_subnet "$vlan" 198.51.100.0/24 198.51.100.1)
sb_vm v1 hv1 "$vlan" "$vsub" 198.51.100.11 fa:16:3e:0f:01:01
sb_vm v2 hv2 "$vlan" "$vsub" 198.51.100.12 fa:16:3e:0f:01:02
# hv2's physical port (pv0) receives v1's frames tagged with VLAN 100.
cap=$SB_TMP/vlan.pcap
sb exec hv2 timeout 3 tcpdump -Z root -i pv0 -n -e -U -w "$cap" \
    "vlan 100 and icmp" >/dev/null 2>&1 &
cappid=$!
for _ in $(seq 50); do [ -s "$cap" ] && break; sleep 0.05; done
sleep 0.2
sb_assert_ping v1 198.51.100.12
sb exec v1 ping -q -c 3 -i 0.2 198.51.100.12 >/dev/null
wait "$cappid" || true
n=$(tcpdump -r "$cap" -n 2>/dev/null | wc -l)
[ "$n" -ge 4 ] || sb_fail "only $n ICMP frames tagged VLAN 100 on the wire"
tunnels=$(tunnelled)
[ "$tunnels" = "$after" ] || sb_fail "VLAN traffic went through br-tun"
# Flat and VLAN segments stay apart.
sb_assert_no_ping p1 198.51.100.12
echo "VLAN provider network ($n tagged frames seen on the wire): ok"

#!/usr/bin/env bash
# Component test (issue 20): floating IP port forwarding port ranges
# (Neutron's floating-ip-port-forwarding-port-ranges) in the compiler
# (dvr/pf).  One dummy-datapath node, gateway and compute at once, with a
# router (gateway and an interface on 10.0.0.0/16) and two VIFs (10.0.1.2,
# 10.0.1.3).  Port_Forwarding rows written straight into NB (dvr-api
# would refuse the bad ones):
#   - good: 3000:3009/tcp -> 10.0.1.2:3000:3009 (N-N), 4000:4004/udp ->
#     10.0.1.3:53 (1-N), 5000:5002/tcp -> 10.0.1.3:6000:6002 (shifted);
#   - bad: 3009:3012/tcp overlapping 3000:3009 (the larger UUID skipped),
#     an internal range of another length, a range longer than 256 ports,
#     an end below its start;
# each bad one is skipped with a log line naming it; the good ones have
# one gateway flow and one DNAT per external port and one un-NAT per
# internal port; packets to ports 5001 and 5003 are traced: the first is
# DNATed to 10.0.1.3:6001, the second (past the range) is not.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
# hv1, a gateway with two ports of a routed network plugged: $p1 $p2,
# $router, $ext, $log.
nb_gateway_bed

# fip ADDR [PORT]: a floating IP of the router (associated with PORT).
fip() {
    local fp assoc=""
    fp=$(nb_port "$ext" "" "fa:16:3e:00:01:$(printf %02x "${1##*.}")" "")
    [ -z "${2:-}" ] || assoc=",\"port\":[\"uuid\",\"$2\"]"
    nb_transact "{\"op\":\"insert\",\"table\":\"Floating_IP\",\"row\":{
        \"floating_network\":[\"uuid\",\"$ext\"],
        \"floating_port\":[\"uuid\",\"$fp\"],\"floating_ip_address\":\"$1\",
        \"router\":[\"uuid\",\"$router\"]$assoc}}" | _nb_uuid
}
# pfr FIP PORT IP PROTO EXT EXT_END INT INT_END: a forwarding of ranges.
pfr() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Port_Forwarding\",\"row\":{
        \"floating_ip\":[\"uuid\",\"$1\"],\"port\":[\"uuid\",\"$2\"],
        \"internal_ip_address\":\"$3\",\"protocol\":\"$4\",
        \"external_port\":$5,\"external_port_end\":$6,
        \"internal_port\":$7,\"internal_port_end\":$8}}" | _nb_uuid
}
f=$(fip 203.0.113.150)
rng_a=$(pfr "$f" "$p1" 10.0.1.2 tcp 3000 3009 3000 3009)
rng_b=$(pfr "$f" "$p2" 10.0.1.3 tcp 3009 3012 22 22)
rng_1n=$(pfr "$f" "$p2" 10.0.1.3 udp 4000 4004 53 53)
rng_shift=$(pfr "$f" "$p2" 10.0.1.3 tcp 5000 5002 6000 6002)
rng_len=$(pfr "$f" "$p1" 10.0.1.2 tcp 7000 7009 22 23)
rng_long=$(pfr "$f" "$p1" 10.0.1.2 tcp 8000 8300 8000 8300)
rng_neg=$(pfr "$f" "$p1" 10.0.1.2 tcp 9000 8999 9000 9000)
expect() {
    ovs_wait_until 5 grep -q "$1" "$log" || ovs_fail "no log line: $1"
}
rloser=$(printf '%s\n%s\n' "$rng_a" "$rng_b" | sort | tail -1)
rwinner=$(printf '%s\n%s\n' "$rng_a" "$rng_b" | sort | head -1)
[ "$rloser" = "$rng_a" ] && rl=3000:3009 || rl=3009:3012
expect "port forwarding $rloser: external ports $rl/tcp of floating IP $f overlap port forwarding $rwinner's"
expect "port forwarding $rng_len: internal range 22:23 is neither one port nor as long as external range 7000:7009"
expect "port forwarding $rng_long: external range 8000:8300 is longer than 256 ports"
expect "port forwarding $rng_neg: port range ends 8999 and 9000 not in 9000..65535 and 9000..65535"
echo "bad ranges: skipped, each with a log line naming it: ok"

nflows() { ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int "$1" \
           | grep -c -e "$2" || true; }

# Ranges: one gateway flow and one DNAT per external port, one un-NAT per
# internal port; none for the skipped ranges' ports.
if [ "$rwinner" = "$rng_a" ]; then
    first=3000 last=3009 want_a=10.0.1.2:3009
else
    first=3009 last=3012 want_a=10.0.1.3:22
fi
n=$(nflows table=l3_ext_in "tcp.*nw_dst=203.0.113.150,tp_dst=30[01][0-9]\b")
[ "$n" = $((last - first + 1)) ] \
    || ovs_fail "$n gateway flows for the tcp range $first:$last"
[ "$(nflows table=l3_input "tcp.*tp_dst=3009.*nat(dst=$want_a)")" = 1 ] \
    || ovs_fail "no DNAT of 3009/tcp to $want_a"
[ "$(nflows table=l3_ext_in "nw_dst=203.0.113.150,tp_dst=3013\b")" = 0 ] \
    || ovs_fail "a port past both ranges has a flow"
[ "$(nflows table=l3_ext_in "udp.*nw_dst=203.0.113.150,tp_dst=400[0-4]\b")" \
    = 5 ] || ovs_fail "not 5 gateway flows for 4000:4004/udp"
[ "$(nflows table=l3_input "udp.*tp_dst=400[0-4].*nat(dst=10.0.1.3:53)")" \
    = 5 ] || ovs_fail "4000:4004/udp not all DNATed to port 53"
[ "$(nflows table=l3_input "udp.*nw_src=10.0.1.3,tp_src=53\b")" = 1 ] \
    || ovs_fail "no single un-NAT of 1-N range's port 53"
for i in 0 1 2; do
    [ "$(nflows table=l3_input "tcp.*tp_dst=500$i.*nat(dst=10.0.1.3:600$i)")" \
        = 1 ] || ovs_fail "5000$i/tcp is not DNATed to 600$i"
    [ "$(nflows table=l3_input "tcp.*nw_src=10.0.1.3,tp_src=600$i\b")" \
        = 1 ] || ovs_fail "no un-NAT from port 600$i"
done
[ "$(nflows table=l3_input "tcp.*tp_dst=5003\b")" = 0 ] \
    || ovs_fail "5003 is past the shifted range and has a DNAT"
for port in 7000 8000 8300 9000; do
    [ "$(nflows table=l3_ext_in "nw_dst=203.0.113.150,tp_dst=$port\b")" \
        = 0 ] || ovs_fail "a skipped range's port $port has a flow"
done
echo "port ranges compiled per port (N-N, 1-N, shifted), bad ones none: ok"

# Packets from the physical network to ports 5001 and 5003, traced.
uplink=$(ovs-vsctl --bare --columns=ofport find interface name=int-br-ex)
lvid=$(ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int \
       "table=classify,in_port=$uplink" | sed -n 's/.*dl_vlan=\([0-9]*\).*/\1/p' \
       | head -1)
[ -n "$lvid" ] || ovs_fail "no classify flow for the external network"
mac=$(ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int \
      "table=l2_lookup,arp,arp_tpa=203.0.113.150" \
      | sed -n 's/.*set_field:\([0-9a-f:]*\)->eth_src.*/\1/p' | head -1)
[ -n "$mac" ] || ovs_fail "nobody answers ARP for the floating IP"
out=$(ovs-appctl ofproto/trace br-int "in_port=$uplink,dl_vlan=$lvid,tcp,dl_src=aa:bb:cc:00:00:01,dl_dst=$mac,nw_src=203.0.113.1,nw_dst=203.0.113.150,nw_ttl=64,tp_src=40000,tp_dst=5001")
printf '%s\n' "$out" | grep -q "ct(commit,zone=.*nat(dst=10.0.1.3:6001)" \
    || { printf '%s\n' "$out"; ovs_fail "5001 is not DNATed to 6001"; }
out=$(ovs-appctl ofproto/trace br-int "in_port=$uplink,dl_vlan=$lvid,tcp,dl_src=aa:bb:cc:00:00:01,dl_dst=$mac,nw_src=203.0.113.1,nw_dst=203.0.113.150,nw_ttl=64,tp_src=40000,tp_dst=5003")
printf '%s\n' "$out" | grep -q "nat(dst=" \
    && { printf '%s\n' "$out"; ovs_fail "5003, past the range, is DNATed"; }
echo "a packet to port 5001 of range 5000:5002 is DNATed to 6001, 5003 not: ok"
ovs_controller_ctl hv1 status >/dev/null || ovs_fail "the controller died"
echo "pf-range: ok"

#!/usr/bin/env bash
# Component test (issue 20): the compiler's side of floating IP port
# forwarding (dvr/pf).  One dummy-datapath node, gateway and compute at
# once, with a router (gateway and an interface on 10.0.0.0/16) and two
# VIFs (10.0.1.2, 10.0.1.3).  Port_Forwarding rows written straight into
# NB (dvr-api would refuse the bad ones):
#   - good: 2201/tcp -> 10.0.1.2:22, 2202/udp -> 10.0.1.3:22;
#   - bad: an external port the good 2201/tcp has (the one with the larger
#     UUID is skipped), an internal address not on its port, protocol
#     icmp, external port 0, and forwardings of a floating IP that is
#     associated with a port;
# each bad one is skipped with a log line naming it; the good ones keep
# their flows: the gateway's forwarding by port (l3_ext_in), the VM
# node's interception (l2_lookup), DNAT and un-NAT (l3_input); and a
# packet from the physical network to the floating IP's port 2201 is
# traced through them to vif1's conntrack DNAT.
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
# pf FIP PORT IP PROTO EXT INT: a forwarding; prints its UUID.
pf() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Port_Forwarding\",\"row\":{
        \"floating_ip\":[\"uuid\",\"$1\"],\"port\":[\"uuid\",\"$2\"],
        \"internal_ip_address\":\"$3\",\"protocol\":\"$4\",
        \"external_port\":$5,\"internal_port\":$6}}" | _nb_uuid
}
f=$(fip 203.0.113.150)
good1=$(pf "$f" "$p1" 10.0.1.2 tcp 2201 22)
good2=$(pf "$f" "$p2" 10.0.1.3 udp 2202 22)
dup=$(pf "$f" "$p2" 10.0.1.3 tcp 2201 23)
noaddr=$(pf "$f" "$p1" 10.0.1.99 tcp 2203 22)
icmp=$(pf "$f" "$p1" 10.0.1.2 icmp 2204 22)
zero=$(pf "$f" "$p1" 10.0.1.2 tcp 0 22)
assoc=$(fip 203.0.113.151 "$p2")
pf "$assoc" "$p1" 10.0.1.2 tcp 2201 22 >/dev/null

# The one of the two 2201/tcp with the larger UUID is skipped.
loser=$(printf '%s\n%s\n' "$good1" "$dup" | sort | tail -1)
winner=$(printf '%s\n%s\n' "$good1" "$dup" | sort | head -1)
expect() {
    ovs_wait_until 5 grep -q "$1" "$log" || ovs_fail "no log line: $1"
    [ "$(grep -c "$1" "$log")" -ge 1 ] || ovs_fail "log: $1"
}
expect "port forwarding $loser: external ports 2201:2201/tcp of floating IP $f overlap port forwarding $winner's"
expect "port forwarding $noaddr: internal address '10.0.1.99' is not an IPv4 address of port $p1"
expect "port forwarding $icmp: protocol 'icmp' is neither tcp nor udp"
expect "port forwarding $zero: ports 0 and 22 not both in 1..65535"
expect "floating IP $assoc: has a port, so its 1 port forwarding(s) are skipped"
echo "bad forwardings: skipped, each with a log line naming it: ok"

nflows() { ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int "$1" \
           | grep -c -e "$2" || true; }
[ "$(nflows table=l3_ext_in "nw_dst=203.0.113.150,tp_dst=2201")" = 1 ] \
    || ovs_fail "not one gateway flow for 2201"
[ "$(nflows table=l3_ext_in "udp.*nw_dst=203.0.113.150,tp_dst=2202")" = 1 ] \
    || ovs_fail "no gateway flow for 2202/udp"
for port in 2203 2204 0; do
    [ "$(nflows table=l3_ext_in "nw_dst=203.0.113.150,tp_dst=$port\b")" = 0 ] \
        || ovs_fail "a skipped forwarding of port $port has a flow"
done
[ "$(nflows table=l3_ext_in "nw_dst=203.0.113.151,tp_dst")" = 0 ] \
    || ovs_fail "the associated floating IP's forwarding has a flow"
want=10.0.1.2:22
[ "$winner" = "$dup" ] && want=10.0.1.3:23
[ "$(nflows table=l3_input "tcp.*tp_dst=2201.*nat(dst=$want)")" = 1 ] \
    || ovs_fail "no DNAT of 2201/tcp to $want"
[ "$(nflows table=l3_input "udp.*tp_dst=2202.*nat(dst=10.0.1.3:22)")" = 1 ] \
    || ovs_fail "no DNAT of 2202/udp"
[ "$(nflows table=l3_input "nat(dst=10.0.1.99")" = 0 ] \
    || ovs_fail "the address not on its port has a DNAT flow"
echo "good forwardings compiled: gateway by port, DNAT on the VM's node: ok"

# A packet from the physical network to 203.0.113.150:2201, traced: the
# gateway forwards it to the VM's MAC on t0, where it is intercepted and
# DNATed in the VM's floating-IP zone.
uplink=$(ovs-vsctl --bare --columns=ofport find interface name=int-br-ex)
lvid=$(ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int \
       "table=classify,in_port=$uplink" | sed -n 's/.*dl_vlan=\([0-9]*\).*/\1/p' \
       | head -1)
[ -n "$lvid" ] || ovs_fail "no classify flow for the external network"
mac=$(ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int \
      "table=l2_lookup,arp,arp_tpa=203.0.113.150" \
      | sed -n 's/.*set_field:\([0-9a-f:]*\)->eth_src.*/\1/p' | head -1)
[ -n "$mac" ] || ovs_fail "nobody answers ARP for the floating IP"
out=$(ovs-appctl ofproto/trace br-int "in_port=$uplink,dl_vlan=$lvid,tcp,dl_src=aa:bb:cc:00:00:01,dl_dst=$mac,nw_src=203.0.113.1,nw_dst=203.0.113.150,nw_ttl=64,tp_src=40000,tp_dst=2201")
printf '%s\n' "$out" | grep -q "ct(commit,zone=.*nat(dst=$want)" \
    || { printf '%s\n' "$out"; ovs_fail "the trace does not DNAT to $want"; }
echo "a packet to the floating IP's port 2201 reaches the DNAT to $want: ok"
ovs_controller_ctl hv1 status >/dev/null || ovs_fail "the controller died"
echo "pf-bad-input: ok"

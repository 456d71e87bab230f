#!/usr/bin/env bash
# Component test (issue 20, QoS on floating IPs, Neutron's qos-fip): the
# meters and flows of a floating IP's policy, on one dummy-datapath node
# (gateway and compute at once) with a router (gateway and an interface
# on 10.0.0.0/16) and two VIFs (10.0.1.2 on ofport 11, 10.0.1.3 on 12).
# Rows written straight into NB:
#   - floating IP 203.0.113.150 of vif1 with a policy of 50,000 kbps
#     egress and 20,000 kbps ingress: meters 0x40000 + 11 and 0x50000 + 11
#     with those rates; its SNAT flow (l3_egress) names the first, its
#     DNAT flow (l3_ext_in) the second; a packet from the physical network
#     to the floating IP is traced through the ingress meter to vif1's
#     DNAT; vif1's own QoS meters (0x20000/0x30000) stay absent;
#   - a rule's rate changed: the meter follows; the policy removed from
#     the floating IP: meters and meter actions gone; the floating IP of
#     vif2 without a policy never has any;
#   - a policy with a limit of 0 (bad) on vif2's floating IP: skipped with
#     a log line, no meter;
#   - two floating IPs of vif1 with a policy each: the meters are vif1's,
#     so only the one with the lower UUID is metered, whichever came first;
#     the other's policy is logged as skipped and its NAT flows have no
#     meter; that policy removed, the other's takes the meters;
#   - the router's gateway policy (qos-gateway-ip): meters 0x60000 and
#     0x70000 + the router's local id, named by its SNAT flow (l3_egress)
#     and its un-SNAT flow (l3_ext_in, to the gateway address); removed
#     with the policy.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
# hv1, a gateway with two ports of a routed network plugged: $p1 $p2,
# $router, $ext, $log.
nb_gateway_bed

# fip ADDR PORT POLICY FIXED: a floating IP of the router associated with
# PORT's address FIXED, with POLICY (or none if empty).
fip() {
    local fp pol=""
    fp=$(nb_port "$ext" "" "fa:16:3e:00:01:$(printf %02x "${1##*.}")" "")
    [ -z "${3:-}" ] || pol=",\"qos_policy\":[\"uuid\",\"$3\"]"
    nb_transact "{\"op\":\"insert\",\"table\":\"Floating_IP\",\"row\":{
        \"floating_network\":[\"uuid\",\"$ext\"],
        \"floating_port\":[\"uuid\",\"$fp\"],\"floating_ip_address\":\"$1\",
        \"port\":[\"uuid\",\"$2\"],\"fixed_ip_address\":\"$4\",
        \"router\":[\"uuid\",\"$router\"]$pol}}" | _nb_uuid
}
# policy RULE...: a QoS_Policy with rules given as JSON rows.
policy() {
    local ops= refs= i=0
    for r in "$@"; do
        ops="$ops{\"op\":\"insert\",\"table\":\"QoS_Rule\",\"uuid-name\":\"r$i\",\"row\":$r},"
        refs="$refs${refs:+,}[\"named-uuid\",\"r$i\"]"
        i=$((i + 1))
    done
    nb_transact "$ops{\"op\":\"insert\",\"table\":\"QoS_Policy\",
        \"uuid-name\":\"p\",\"row\":{\"name\":\"p\",
        \"rules\":[\"set\",[$refs]]}}" | _nb_uuid "$i"
}
bw() {                      # DIRECTION KBPS BURST
    echo "{\"type\":\"bandwidth_limit\",\"direction\":\"$1\",\"max_kbps\":$2,\"max_burst_kbps\":$3}"
}
meters() {
    ovs-ofctl -O OpenFlow13 dump-meters br-int | awk '
        /^meter=/ { split($1, m, "="); id = m[2] }
        /type=drop/ { split($2, r, "="); split($3, b, "=");
                      print id, r[2], b[2] }' | sort -n
}
want_meters() {
    [ "$(meters | awk '$1 >= 131072')" = "$(printf '%s\n' "$@" | sort -n)" ]
}
expect_meters() {
    ovs_wait_until 10 want_meters "$@" \
        || ovs_fail "QoS meters: $(meters | tr '\n' ';'), want $*"
}
flows() {
    ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int "$@"
}
EG=$((0x40000 + 11)) IN=$((0x50000 + 11))

P=$(policy "$(bw egress 50000 20000)" "$(bw ingress 20000 2000)")
f1=$(fip 203.0.113.150 "$p1" "$P" 10.0.1.2)
f2=$(fip 203.0.113.151 "$p2" "" 10.0.1.3)
expect_meters "$EG 50000 20000" "$IN 20000 2000"
flows "table=l3_egress,ip,nw_src=10.0.1.2" | grep -q "actions=meter:$EG," \
    || ovs_fail "SNAT without the egress meter: $(flows table=l3_egress)"
flows "table=l3_ext_in,ip,nw_dst=203.0.113.150" \
    | grep -q "actions=meter:$IN,ct(" \
    || ovs_fail "DNAT without the ingress meter: $(flows table=l3_ext_in)"
[ "$(flows table=l3_ext_in | grep -c 'nw_dst=203.0.113.151.*meter')" = 0 ] \
    || ovs_fail "the floating IP without a policy has a meter"
echo "floating IP policy: meters 0x40000/0x50000 + ofport, in its NAT flows: ok"

uplink=$(ovs-vsctl --bare --columns=ofport find interface name=int-br-ex)
lvid=$(flows "table=classify,in_port=$uplink" \
       | sed -n 's/.*dl_vlan=\([0-9]*\).*/\1/p' | head -1)
[ -n "$lvid" ] || ovs_fail "no classify flow for the external network"
out=$(ovs-appctl ofproto/trace br-int "in_port=$uplink,dl_vlan=$lvid,tcp,dl_src=aa:bb:cc:00:00:01,dl_dst=fa:16:3e:00:01:96,nw_src=203.0.113.1,nw_dst=203.0.113.150,nw_ttl=64,tp_src=40000,tp_dst=80")
printf '%s\n' "$out" | grep -q "meter:$IN" \
    || { printf '%s\n' "$out"; ovs_fail "the trace does not meter"; }
printf '%s\n' "$out" | grep -q "nat(dst=10.0.1.2)" \
    || { printf '%s\n' "$out"; ovs_fail "the trace does not DNAT"; }
echo "a packet to the floating IP passes its ingress meter, then DNAT: ok"

# A rule's rate changed: the meter follows.
rule=$(ovsdb-client -f json transact "$NB_REMOTE" '["DVRFLOW_Northbound",
    {"op":"select","table":"QoS_Rule","where":[["direction","==","egress"],
     ["max_kbps","==",50000]]}]' | jq -r '.[0].rows[0]._uuid[1]')
nb_transact "{\"op\":\"update\",\"table\":\"QoS_Rule\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$rule\"]]],\"row\":{\"max_kbps\":40000}}" >/dev/null
expect_meters "$EG 40000 20000" "$IN 20000 2000"
echo "a rule's rate changed: the floating IP's meter follows: ok"

# A bad policy (a limit of 0) on the second floating IP: skipped.
BAD=$(policy "$(bw egress 0 0)")
nb_transact "{\"op\":\"update\",\"table\":\"Floating_IP\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$f2\"]]],\"row\":{\"qos_policy\":[\"uuid\",\"$BAD\"]}}" \
    >/dev/null
ovs_wait_until 5 grep -q "QoS policy $BAD rule .* skipped: max_kbps out of range" \
    "$log" || ovs_fail "no log line for the bad policy"
expect_meters "$EG 40000 20000" "$IN 20000 2000"
echo "a limit of 0 on a floating IP: skipped with a log line, no meter: ok"

# The policy removed: meters and meter actions gone.
nb_transact "{\"op\":\"update\",\"table\":\"Floating_IP\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$f1\"]]],\"row\":{\"qos_policy\":[\"set\",[]]}}" \
    >/dev/null
expect_meters
[ "$(flows | grep -c -e "meter:$EG" -e "meter:$IN")" = 0 ] \
    || ovs_fail "meter actions left: $(flows | grep -e "meter:$EG" -e "meter:$IN")"
echo "the policy removed: no meter, no meter action: ok"

# Two floating IPs of vif1 with a policy each.
set_fip_policy() {          # FIP POLICY (none if empty)
    local pol='["set",[]]'
    [ -z "$2" ] || pol="[\"uuid\",\"$2\"]"
    nb_transact "{\"op\":\"update\",\"table\":\"Floating_IP\",\"where\":
        [[\"_uuid\",\"==\",[\"uuid\",\"$1\"]]],\"row\":{\"qos_policy\":$pol}}" \
        >/dev/null
}
Q=$(policy "$(bw egress 30000 3000)" "$(bw ingress 10000 1000)")
f3=$(fip 203.0.113.160 "$p1" "$Q" 10.0.1.2)
expect_meters "$EG 30000 3000" "$IN 10000 1000"
set_fip_policy "$f1" "$P"
if [[ $f1 < $f3 ]]; then
    win=$f1 win_ip=203.0.113.150 lose=$f3 lose_ip=203.0.113.160
    win_m=("$EG 40000 20000" "$IN 20000 2000")
    lose_m=("$EG 30000 3000" "$IN 10000 1000")
else
    win=$f3 win_ip=203.0.113.160 lose=$f1 lose_ip=203.0.113.150
    win_m=("$EG 30000 3000" "$IN 10000 1000")
    lose_m=("$EG 40000 20000" "$IN 20000 2000")
fi
expect_meters "${win_m[@]}"
ovs_wait_until 5 grep -q "floating IP $lose: its port's floating IP $win has a QoS policy too" \
    "$log" || ovs_fail "no log line for the skipped policy of $lose"
flows "table=l3_ext_in,ip,nw_dst=$win_ip" | grep -q "actions=meter:$IN,ct(" \
    || ovs_fail "the lower UUID's DNAT without the meter"
[ "$(flows "table=l3_ext_in,ip,nw_dst=$lose_ip" | grep -c meter)" = 0 ] \
    || ovs_fail "the higher UUID's DNAT is metered too"
echo "two floating IPs of a port with a policy: the lower UUID's is metered: ok"
set_fip_policy "$win" ""
expect_meters "${lose_m[@]}"
flows "table=l3_ext_in,ip,nw_dst=$lose_ip" | grep -q "actions=meter:$IN,ct(" \
    || ovs_fail "the remaining policy's DNAT without the meter"
echo "the metered one's policy removed: the other's takes the meters: ok"
set_fip_policy "$lose" ""
expect_meters

# The router's gateway policy.
nb_transact "{\"op\":\"update\",\"table\":\"Router\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$router\"]]],\"row\":{\"gateway_qos_policy\":
    [\"uuid\",\"$P\"]}}" >/dev/null
snat=$(flows table=l3_egress | grep "nat(src=" | grep -v "nw_src=")
zone=$(echo "$snat" | sed -n 's/.*ct(commit,.*zone=\([0-9]*\).*/\1/p')
[ -n "$zone" ] || ovs_fail "no router SNAT flow: $(flows table=l3_egress)"
lid=$((zone - 0x8000))
GE=$((0x60000 + lid)) GI=$((0x70000 + lid))
expect_meters "$GE 40000 20000" "$GI 20000 2000"
flows table=l3_egress | grep "nat(src=" | grep -v "nw_src=" \
    | grep -q "actions=meter:$GE,dec_ttl" \
    || ovs_fail "SNAT without the gateway's meter: $(flows table=l3_egress)"
flows table=l3_ext_in | grep "zone=$zone,nat)" \
    | grep -q "actions=meter:$GI,ct(" \
    || ovs_fail "un-SNAT without the gateway's meter: $(flows table=l3_ext_in)"
echo "router gateway policy: meters 0x60000/0x70000 + $lid in SNAT and un-SNAT: ok"
nb_transact "{\"op\":\"update\",\"table\":\"Router\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$router\"]]],\"row\":{\"gateway_qos_policy\":
    [\"set\",[]]}}" >/dev/null
expect_meters
[ "$(flows | grep -c -e "meter:$GE" -e "meter:$GI")" = 0 ] \
    || ovs_fail "gateway meter actions left"
echo "router gateway policy removed: no meter: ok"
ovs_controller_ctl hv1 status >/dev/null || ovs_fail "the controller died"
echo "qos-fip: ok"

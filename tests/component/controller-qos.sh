#!/usr/bin/env bash
# Component test (issue 20, QoS): dvr-controller's QoS meters and flows on
# one dummy-datapath node.  Checks the meters on br-int (ids, rates,
# bursts), the flows of qos_egress and qos_ingress, and a packet through
# them (ofproto/trace):
#   - a port's policy overrides its network's; the network's applies to
#     the other compute ports, not to a "network:" port;
#   - the meter ids never collide with pinctrl's packet-in meters, which
#     stay;
#   - a rate changed in the NB modifies the meter in place, a rule removed
#     deletes its meter, a policy removed from a port falls back to the
#     network's;
#   - a DSCP rule sets ip_dscp on IPv4 and IPv6 from the VIF;
#   - bad rows (a limit of 0, a DSCP mark outside Neutron's list, a second
#     rule of one direction) are skipped with a log line each, the rest of
#     the policy applies;
#   - a controller restart leaves the meters as they are.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1
# Ports without port security: their packets need no conntrack, so a
# trace follows them to the output.
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log

NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 10.0.0.11 false)
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 10.0.0.12 false)
A3=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a3 10.0.0.13 false)
nb_transact "{\"op\":\"update\",\"table\":\"Port\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$A3\"]]],\"row\":{\"device_owner\":
    \"network:router_interface\"}}" >/dev/null

# policy NAME RULE...: a QoS_Policy with rules given as JSON rows; prints
# its UUID.
policy() {
    local name=$1 ops= refs= i=0
    shift
    for r in "$@"; do
        ops="$ops{\"op\":\"insert\",\"table\":\"QoS_Rule\",\"uuid-name\":\"r$i\",\"row\":$r},"
        refs="$refs${refs:+,}[\"named-uuid\",\"r$i\"]"
        i=$((i + 1))
    done
    nb_transact "$ops{\"op\":\"insert\",\"table\":\"QoS_Policy\",
        \"uuid-name\":\"p\",\"row\":{\"name\":\"$name\",
        \"rules\":[\"set\",[$refs]]}}" | _nb_uuid "$i"
}
set_policy() {             # TABLE ROW POLICY-or-empty
    local v='["set",[]]'
    [ -z "$3" ] || v="[\"uuid\",\"$3\"]"
    nb_transact "{\"op\":\"update\",\"table\":\"$1\",\"where\":[[\"_uuid\",
        \"==\",[\"uuid\",\"$2\"]]],\"row\":{\"qos_policy\":$v}}" >/dev/null
}
bw() {                      # DIRECTION KBPS BURST
    echo "{\"type\":\"bandwidth_limit\",\"direction\":\"$1\",\"max_kbps\":$2,\"max_burst_kbps\":$3}"
}

P1=$(policy port "$(bw egress 10000 1000)" "$(bw ingress 20000 0)")
NP=$(policy net "$(bw egress 30000 3000)")
set_policy Port "$A1" "$P1"
set_policy Network "$NA" "$NP"

ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active
}
plug vif-a1 11 "$A1" fa:16:3e:00:00:a1
plug vif-a2 12 "$A2" fa:16:3e:00:00:a2
plug vif-a3 13 "$A3" fa:16:3e:00:00:a3

# meters: "ID RATE BURST" of every meter on br-int, sorted.
meters() {
    ovs-ofctl -O OpenFlow13 dump-meters br-int | awk '
        /^meter=/ { split($1, m, "="); id = m[2] }
        /type=drop/ { split($2, r, "="); split($3, b, "=");
                      print id, r[2], b[2] }' | sort -n
}
# E(OFPORT), I(OFPORT): the QoS meter ids (pipeline/qos.h).
E() { echo $((0x20000 + $1)); }
I() { echo $((0x30000 + $1)); }
want_meters() {
    [ "$(meters | awk '$1 >= 131072')" = "$(printf '%s\n' "$@" | sort -n)" ]
}
expect_meters() {
    ovs_wait_until 10 want_meters "$@" \
        || ovs_fail "QoS meters: $(meters | tr '\n' ';'), want $*"
}
expect_meters "$(E 11) 10000 1000" "$(I 11) 20000 16000" "$(E 12) 30000 3000"
ovs_controller_ctl hv1 status | grep -q "br-int: 3 QoS meters" \
    || ovs_fail "status: $(ovs_controller_ctl hv1 status)"
echo "port policy overrides the network's; the network's on compute ports only: ok"

# pinctrl's meters are still there, with their own ids.
for id in 1 $((0x10000 + 11)) $((0x10000 + 12)) $((0x10000 + 13)); do
    meters | awk -v id="$id" '$1 == id' | grep -q . \
        || ovs_fail "packet-in meter $id missing: $(meters | tr '\n' ';')"
done
echo "packet-in meters untouched: ok"

# The flows, and a packet from a1 and to a1 through them.
flows() {
    ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int "table=$1"
}
flows 5 | grep -q "in_port=11 actions=meter:$(E 11),goto_table:10" \
    || ovs_fail "qos_egress: $(flows 5)"
flows 79 | grep -q "reg7=0xb actions=meter:$(I 11),goto_table:80" \
    || ovs_fail "qos_ingress: $(flows 79)"
! flows 79 | grep -q "reg7=0xc" || ovs_fail "a2 got an ingress meter"
! flows 5 | grep -q "in_port=13" || ovs_fail "the network: port got a meter"
tr1=$(ovs-appctl ofproto/trace br-int \
      "in_port=11,dl_src=fa:16:3e:00:00:a1,dl_dst=fa:16:3e:00:00:a2,ip,nw_src=10.0.0.11,nw_dst=10.0.0.12,nw_ttl=64")
echo "$tr1" | grep -q "meter:$(E 11)" || ovs_fail "a1's packet: $tr1"
echo "$tr1" | grep -q "output port is 12" || ovs_fail "a1's packet not to a2: $tr1"
tr2=$(ovs-appctl ofproto/trace br-int \
      "in_port=12,dl_src=fa:16:3e:00:00:a2,dl_dst=fa:16:3e:00:00:a1,ip,nw_src=10.0.0.12,nw_dst=10.0.0.11,nw_ttl=64")
echo "$tr2" | grep -q "meter:$(E 12)" || ovs_fail "a2's packet: $tr2"
echo "$tr2" | grep -q "meter:$(I 11)" || ovs_fail "a2 -> a1 ingress: $tr2"
echo "$tr2" | grep -q "output port is 11" || ovs_fail "a2's packet not to a1: $tr2"
echo "flows and traces through the meters: ok"

# A rate changed in place: the same meter id, modified.
r_eg=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound QoS_Rule _uuid \
       max_kbps | awk '$2 == 10000 { print $1 }')
nb_transact "{\"op\":\"update\",\"table\":\"QoS_Rule\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$r_eg\"]]],\"row\":{\"max_kbps\":15000}}" >/dev/null
expect_meters "$(E 11) 15000 1000" "$(I 11) 20000 16000" "$(E 12) 30000 3000"
echo "rate modified in place: ok"

# DSCP: a rule added to the port's policy.
nb_transact "{\"op\":\"insert\",\"table\":\"QoS_Rule\",\"uuid-name\":\"d\",
    \"row\":{\"type\":\"dscp_marking\",\"direction\":\"egress\",
    \"dscp_mark\":26}}" "{\"op\":\"mutate\",\"table\":\"QoS_Policy\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$P1\"]]],\"mutations\":[[
    \"rules\",\"insert\",[\"named-uuid\",\"d\"]]]}" >/dev/null
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=5 \
    | grep -q 'ipv6,in_port=11 actions=meter:$(E 11),set_field:26->ip_dscp'" \
    || ovs_fail "no IPv6 DSCP flow: $(flows 5)"
flows 5 | grep -q "ip,in_port=11 actions=meter:$(E 11),set_field:26->ip_dscp,goto_table:10" \
    || ovs_fail "no IPv4 DSCP flow: $(flows 5)"
tr3=$(ovs-appctl ofproto/trace br-int \
      "in_port=11,dl_src=fa:16:3e:00:00:a1,dl_dst=fa:16:3e:00:00:a2,ip,nw_src=10.0.0.11,nw_dst=10.0.0.12,nw_ttl=64")
echo "$tr3" | grep -q "nw_tos=104" || echo "$tr3" | grep -q "set_field:26->ip_dscp" \
    || ovs_fail "DSCP not set: $tr3"
echo "DSCP marking flows: ok"

# Bad rows: skipped with a log line each; the good rules stay.
bad=$(policy bad "$(bw egress 0 0)" \
      '{"type":"dscp_marking","direction":"egress","dscp_mark":7}' \
      "$(bw ingress 5000 500)" "$(bw ingress 6000 600)")
set_policy Port "$A2" "$bad"
ovs_wait_until 10 grep -q "QoS policy $bad rule .* skipped: max_kbps out of range" "$log" \
    || ovs_fail "no log line for the limit of 0"
ovs_wait_until 10 grep -q "QoS policy $bad rule .* skipped: invalid DSCP mark" "$log" \
    || ovs_fail "no log line for DSCP 7"
ovs_wait_until 10 grep -q "QoS policy $bad rule .* skipped: a second bandwidth limit rule of the same direction" "$log" \
    || ovs_fail "no log line for the second ingress rule"
meters | awk -v id="$(I 12)" '$1 == id && ($2 == 5000 || $2 == 6000)' | grep -q . \
    || ovs_fail "a2's valid ingress rule is not applied: $(meters | tr '\n' ';')"
! meters | awk -v id="$(E 12)" '$1 == id' | grep -q . \
    || ovs_fail "a2 kept an egress meter from a bad rule"
ovs_controller_ctl hv1 status >/dev/null || ovs_fail "controller died"
set_policy Port "$A2" ""
echo "bad rows skipped with a log line: ok"

# A rule removed: its meter deleted; the port's policy removed: the
# network's applies.
r_in=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound QoS_Rule _uuid \
       max_kbps | awk '$2 == 20000 { print $1 }')
nb_transact "{\"op\":\"mutate\",\"table\":\"QoS_Policy\",\"where\":[[\"_uuid\",
    \"==\",[\"uuid\",\"$P1\"]]],\"mutations\":[[\"rules\",\"delete\",
    [\"uuid\",\"$r_in\"]]]}" >/dev/null
expect_meters "$(E 11) 15000 1000" "$(E 12) 30000 3000"
! flows 79 | grep -q "reg7=0xb" || ovs_fail "a1's ingress flow left"
set_policy Port "$A1" ""
expect_meters "$(E 11) 30000 3000" "$(E 12) 30000 3000"
echo "rule removed, port falls back to its network's policy: ok"

# A restart changes nothing.
before=$(meters)
ovs_stop_controller hv1
ovs_start_controller hv1
ovs_wait_until 10 ovs_controller_ctl hv1 status
sleep 1
[ "$(meters)" = "$before" ] || ovs_fail "meters changed over a restart"
set_policy Network "$NA" ""
expect_meters
echo "restart keeps the meters; no policy, no meters: ok"

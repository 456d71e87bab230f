#!/usr/bin/env bash
# Attack (issue 14): two security groups whose UUIDs share their first 32
# bits (an NB writer can choose row UUIDs).  A group's id in reg5 was those
# 32 bits: both groups' rules matched the same reg5, so a port in group B
# (TCP 80 in) also got group A's rules (TCP 22 in).  Now the controller
# gives the groups with flows unique ids (by UUID order, so the same set
# gives the same flows: a restart changes none), with a log line.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/attack/alive.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1
nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null
NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)
GA=12345678-0000-4000-8000-00000000000a
GB=12345678-ffff-4000-8000-00000000000b
for g in $GA $GB; do
    nb_transact "{\"op\":\"insert\",\"table\":\"Security_Group\",
        \"uuid\":\"$g\",\"row\":{\"name\":\"g\",\"stateful\":true}}" \
        | _nb_uuid >/dev/null || ovs_fail "cannot insert group $g"
    nb_sg_rule "$g" egress IPv4 >/dev/null
done
RA=$(nb_sg_rule "$GA" ingress IPv4 protocol=tcp min=22 max=22)
RB=$(nb_sg_rule "$GB" ingress IPv4 protocol=tcp min=80 max=80)
PA=$(nb_port "$NA" "$SA" fa:16:3e:00:00:01 10.0.0.11 true "$GA")
PB=$(nb_port "$NA" "$SA" fa:16:3e:00:00:02 10.0.0.12 true "$GB")
ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
attack_plug vif1 11 "$PA" fa:16:3e:00:00:01
attack_plug vif2 12 "$PB" fa:16:3e:00:00:02
of() { ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int "$@"; }
# reg5 RULE: the reg5 values that RULE's flows match.
reg5() {
    of "cookie=0x$(printf '%s' "$1" | tr -d - | cut -c1-16)/-1" \
        | grep -o 'reg5=0x[0-9a-f]*' | sort -u
}
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=25 | grep -q reg6=0xc" \
    || ovs_fail "vif2 has no group flow"
sleep 1
ida=$(reg5 "$RA"); idb=$(reg5 "$RB")
echo "group A's rule matches $ida, group B's $idb"
[ -n "$ida" ] && [ -n "$idb" ] || ovs_fail "the rules have no flows"
[ "$ida" != "$idb" ] || ovs_fail "groups A and B share $ida: B's members get A's rules"
# Port B tries only group B's id.
loads=$(of table=25,reg6=0xc | grep -o 'set_field:0x[0-9a-f]*->reg5' | sort -u)
echo "port B loads $loads"
[ "$loads" = "set_field:${idb#reg5=}->reg5" ] || ovs_fail "port B loads $loads, not ${idb#reg5=}"
grep -q "security group $GB: reg5 id 0x12345678 is another group's" \
    "$OVS_TEST_DIR/hv1/log/dvr-controller.log" || ovs_fail "no log line"

# A restart finds the same flows: nothing changes.
before=$(of | sed 's/^ *//' | sort)
ovs_stop_controller hv1
ovs_start_controller hv1
ovs_wait_until 10 sh -c "ovs-appctl -t $OVS_TEST_DIR/hv1/run/dvr-controller.ctl status | grep -q 'br-int: connected'" \
    || ovs_fail "no br-int connection after the restart"
sleep 2
[ "$before" = "$(of | sed 's/^ *//' | sort)" ] || ovs_fail "the restart changed flows"
ovs_controller_ctl hv1 status | grep "br-int:"
ovs_controller_ctl hv1 status | grep -q "br-int: connected, .* (0 adds, 0 modifies, 0 deletes)" \
    || ovs_fail "the restart sent flow changes"
attack_check_alive hv1 "$NA" "$SA" 21 fa:16:3e:00:00:21 10.0.0.21
echo "sg ids: colliding group ids resolved, stable across a restart: ok"

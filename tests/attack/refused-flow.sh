#!/usr/bin/env bash
# Attack (issue 14): one flow the switch refuses.  Before the fix every
# change set went out as one bundle, and a refused flow made the switch
# refuse the whole bundle, again at every retry: the bridge froze, new
# ports and removals included.  Here the refusal is the classify table
# being full (an operator's flow_limit on br-int's table 0, which a tenant
# fills by creating ports); any refused flow_mod behaves the same.  Now the
# refused flow is logged and left out, the rest is installed: the new
# port's other flows appear, a removed port's flows go, and once a slot is
# free a new change applies in the usual time.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/attack/alive.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1
nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null

NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)
P1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:01 10.0.0.11)
P2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:02 10.0.0.12)
ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
attack_plug vif1 11 "$P1" fa:16:3e:00:00:01
attack_plug vif2 12 "$P2" fa:16:3e:00:00:02
of() { ovs-ofctl -O OpenFlow13 dump-flows br-int "$@"; }
has() { of "$1" | grep -q "$2"; }
ovs_wait_until 10 has table=0 in_port=12 || ovs_fail "vif2 has no flows"
sleep 1

# The operator's limit: table 0 is full.
n=$(of table=0 | grep -c priority=)
ft=$(ovs-vsctl --bare --columns=_uuid find Flow_Table name=classify)
[ -n "$ft" ] || ovs_fail "no Flow_Table row for classify"
ovs-vsctl set Flow_Table "$ft" flow_limit="$n" overflow_policy=refuse
echo "table 0 holds $n flows, its limit"

# A new port: its classify flow does not fit, its other flows do.
P3=$(nb_port "$NA" "$SA" fa:16:3e:00:00:03 10.0.0.13)
attack_plug vif3 13 "$P3" fa:16:3e:00:00:03
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
ovs_wait_until 10 has table=60 dl_dst=fa:16:3e:00:00:03 \
    || ovs_fail "vif3's other flows were not installed"
ovs_wait_until 5 grep -q "br-int: the switch refused (OFPFMFC_TABLE_FULL) to install .*in_port=13" "$log" \
    || ovs_fail "no log line for the refused flow"
grep "refused (OFPFMFC_TABLE_FULL)" "$log" | head -1
has table=0 in_port=13 && ovs_fail "table 0 took more than its limit?"

# Removals go through: vif1 and vif2 go, freeing 2 slots of table 0 (a
# full compile, e.g. when conditional monitoring's view shrinks, may give
# one of them to vif3's refused flow, as it retries it).
for p in "$P1:vif1:01:11" "$P2:vif2:02:12"; do
    IFS=: read -r uuid vif m ofport <<<"$p"
    nb_transact "{\"op\":\"delete\",\"table\":\"Port\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$uuid\"]]]}" >/dev/null
    ovs-vsctl del-port br-int "$vif"
    ovs_wait_until 5 sh -c "! ovs-ofctl -O OpenFlow13 dump-flows br-int table=60 | grep -q dl_dst=fa:16:3e:00:00:$m" \
        || ovs_fail "the removed port $vif's flows stay"
    ovs_wait_until 5 sh -c "! ovs-ofctl -O OpenFlow13 dump-flows br-int table=0 | grep -q in_port=$ofport" \
        || ovs_fail "the removed port $vif's classify flow stays"
done
ovs_controller_ctl hv1 status | grep "br-int:"
ovs_controller_ctl hv1 status | grep -q "br-int: connected, .*refused: [1-9][0-9]* by the switch" \
    || ovs_fail "status does not count the refused flow"

# A new change applies in its usual time (the freed slots).
attack_check_alive hv1 "$NA" "$SA" 14 fa:16:3e:00:00:04 10.0.0.14
echo "refused flow: isolated and logged, the rest installed: ok"

#!/usr/bin/env bash
# Attack (issue 14): a VIF whose OpenFlow port is 0x4000 or above (OVS
# assigns up to 0x7fff by itself after port churn; ofport_request up to
# 0xfeff).  A VIF's security-group conntrack zone is its ofport, floating-
# IP NAT zones are 0x4000 | ofport, SNAT zones 0x8000 | router, metadata
# zones 0xc000 | ofport (pipeline/tables.h): before the fix, the VIF with
# ofport 0x4005 tracked its connections in zone 0x4005, the floating-IP
# NAT zone of the VIF with ofport 5.  Now such a VIF is not used (one log
# line naming it); the others work and the controller applies changes.
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
attack_plug vif5 5 "$P1" fa:16:3e:00:00:01
attack_plug vifbig 16389 "$P2" fa:16:3e:00:00:02
[ "$(ovs-vsctl get interface vifbig ofport)" = 16389 ] \
    || ovs_fail "vifbig did not get ofport 16389"
of() { ovs-ofctl -O OpenFlow13 dump-flows br-int "$@"; }
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=0,in_port=5 | grep -q actions" \
    || ovs_fail "vif5 has no flows"
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
sleep 1
if of | grep -q "in_port=16389\|reg6=0x4005\|0x4005->NXM_NX_REG6\|reg7=0x4005"; then
    of | grep "16389\|0x4005" | head -5 >&2
    ovs_fail "the VIF with ofport 16389 got flows (its zone 0x4005 is vif5's NAT zone)"
fi
grep -q "VIF vifbig (iface-id $P2) not used: its OpenFlow port 16389 is above 12287" "$log" \
    || ovs_fail "no log line for the VIF"
grep "not used" "$log" | head -1
attack_check_alive hv1 "$NA" "$SA" 21 fa:16:3e:00:00:21 10.0.0.21
echo "zones: a VIF with ofport 0x4005 is refused with a log line: ok"

#!/usr/bin/env bash
# Component test: "dvrctl sync" (tools/dvrctl-sync.c), the explicit wait
# that replaces the per-write nb_cfg increment.  Two dummy-datapath nodes
# and an NB server.  Proves:
#   - sync increments NB_Global.nb_cfg and returns once both chassis
#     acknowledged it, with the port written before it already installed
#     on its node;
#   - a node that does not answer (its controller stopped) makes sync fail
#     after its timeout, naming that chassis; once it runs again sync
#     succeeds;
#   - bad arguments and an unreachable database exit 2 naming the cause.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
DVRCTL=$abs_top_builddir/tools/dvrctl
ovs_test_init
ovs_start_nb nb
nb_transact '{"op": "insert", "table": "NB_Global", "row": {}}' >/dev/null

node() {
    ovs_start_chassis "$1" "$2"
    ovs_start_controller "$1"
    ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "$1: no br-int"
}
node hv1 192.168.100.1
node hv2 192.168.100.2
nbcfg() {
    nb_transact '{"op": "select", "table": "NB_Global", "where": []}' \
        | python3 -c 'import json, sys
print(json.load(sys.stdin)[0]["rows"][0]["nb_cfg"])'
}

# Both nodes registered: sync returns with both acknowledgements.
ovs_wait_until 10 sh -c "ovsdb-client dump '$NB_REMOTE' Chassis_Private \
    name | grep -q hv2" \
    || ovs_fail "hv2 did not register"
cfg=$(nbcfg)
out=$("$DVRCTL" sync --nb "$NB_REMOTE" --timeout 10) \
    || ovs_fail "sync failed: $out"
echo "$out" | grep -q "^nb_cfg $((cfg + 1)) applied by 2 chassis in " \
    || ovs_fail "sync printed: $out"

# A port written, then sync: when it returns, hv1 has the port's flows.
NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 10.0.0.11)
ovs_env hv1
ovs-vsctl add-port br-int vif1 -- set interface vif1 type=dummy \
    ofport_request=11 external_ids:iface-id="$A1" \
    external_ids:attached-mac=fa:16:3e:00:00:a1 external_ids:iface-status=active
ovs_wait_until 10 sh -c "ovs-appctl -t '$OVS_TEST_DIR/hv1/run/dvr-controller.ctl' \
    status | grep -q '^bound ports: 1$'" || ovs_fail "hv1 did not bind vif1"
DVR_NB_REMOTE=$NB_REMOTE "$DVRCTL" sync >/dev/null \
    || ovs_fail "sync (remote from DVR_NB_REMOTE) failed"
ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -q "dl_src=fa:16:3e:00:00:a1" \
    || ovs_fail "sync returned before hv1's flows for vif1 were installed"

# hv2's controller stopped: sync times out naming hv2, and only hv2.
pid2=$(cat "$OVS_TEST_DIR/hv2/run/dvr-controller.pid")
kill -STOP "$pid2"
rc=0
"$DVRCTL" sync --nb "$NB_REMOTE" --timeout 2 >/dev/null 2>"$OVS_TEST_DIR/err" \
    || rc=$?
kill -CONT "$pid2"
[ $rc = 1 ] || ovs_fail "sync with hv2 stopped: exit $rc, not 1"
grep -q "not applied within 2 s by 1 of 2 chassis: hv2 (at " \
    "$OVS_TEST_DIR/err" || ovs_fail "sync error: $(cat "$OVS_TEST_DIR/err")"
"$DVRCTL" sync --nb "$NB_REMOTE" --timeout 10 >/dev/null \
    || ovs_fail "sync failed after hv2 came back"

# Bad input: exit 2 and the cause named.
bad() {
    local want=$1 rc=0; shift
    "$DVRCTL" "$@" >/dev/null 2>"$OVS_TEST_DIR/err" || rc=$?
    [ $rc = 2 ] || ovs_fail "dvrctl $*: exit $rc, not 2"
    grep -q -- "$want" "$OVS_TEST_DIR/err" \
        || ovs_fail "dvrctl $*: $(cat "$OVS_TEST_DIR/err")"
}
bad "--timeout: 'x' is not" sync --nb "$NB_REMOTE" --timeout x
bad "--timeout: '0' is not" sync --nb "$NB_REMOTE" --timeout 0
bad "unknown argument '--bogus'" sync --bogus
DVR_NB_REMOTE= bad "no NB database" sync
bad "cannot reach the NB database" sync --nb "unix:$OVS_TEST_DIR/none.sock" \
    --timeout 1
echo "dvrctl-sync: ok"

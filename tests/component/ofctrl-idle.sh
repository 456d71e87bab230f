#!/usr/bin/env bash
# Component test: dvr-controller's OpenFlow connections survive idleness.
# ovs-vswitchd probes an idle connection to a bridge's management socket
# with an echo request after 60 s and drops the connection 60 s later if
# no echo reply came; the controller then reconnected and read every flow
# back, every 2 minutes on a quiet node.  After 130 s idle, the switch
# must have dropped none of the controller's connections and the
# controller must have read its flows back only once per bridge.  The
# 130 s are the switch's: its clock is warped (the dummy datapath's
# time/warp) 5 s at a time, with real time between the steps for the
# controller to answer the echo requests.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1
ovs_start_controller hv1
ovs_wait_until 10 sh -c "ovs-appctl -t $OVS_TEST_DIR/hv1/run/dvr-controller.ctl \
    status | grep -q 'br-int: connected'" || ovs_fail "br-int not connected"
# read_backs: hv1's read-backs over all bridges.
read_backs() {
    ovs_controller_ctl hv1 status \
        | sed -n 's/.* \([0-9]*\) read-backs,.*/\1/p' \
        | awk '{ n += $1 } END { print n + 0 }'
}
before=$(read_backs)
echo "read-backs after connecting: $before; idle for 130 s (warped)"
for _ in $(seq 26); do
    ovs-appctl time/warp 5000 >/dev/null
    sleep 0.2
done
after=$(read_backs)
log=$OVS_TEST_DIR/hv1/log/ovs-vswitchd.log
if grep 'no response to inactivity probe' "$log"; then
    ovs_fail "the switch dropped the controller's idle connections"
fi
[ "$after" = "$before" ] \
    || ovs_fail "read-backs went from $before to $after while idle"
grep -q 'connection dropped' "$OVS_TEST_DIR/hv1/log/dvr-controller.log" \
    && ovs_fail "the controller lost a connection while idle"
echo "PASS: no connection dropped, read-backs still $after"

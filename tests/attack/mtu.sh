#!/usr/bin/env bash
# Attack (issue 14): a network MTU of 65,522 or more.  Routing checks a
# packet's frame length (MTU + 14) with check_pkt_larger, whose argument
# has 16 bits: before the fix, the L3 compiler formatted
# check_pkt_larger(65536), OVS's parser refused it and put_parsed()
# aborted the controller, again at every restart while the row stayed.
# Now:
#   - dvr-api refuses an MTU above 65,521 (400 InvalidInput, Neutron's
#     "Requested MTU is too big") on create and update, and changes
#     nothing in NB;
#   - an NB row written by other means makes the controller skip the
#     router interface with one log line naming the port and the network;
#     it keeps running, also across a restart, and still applies changes.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
. "$abs_top_srcdir/tests/attack/alive.sh"
ovs_test_init
api_start

# The API: 65,521 is the largest MTU it takes.
out=$(api_curl POST /v2.0/networks '{"network":{"name":"big","mtu":65522}}')
echo "POST mtu 65522: $out"
case $out in
    "400 "*'"type": "InvalidInput"'*'maximum is 65521'*|\
    "400 "*'"type":"InvalidInput"'*'maximum is 65521'*) ;;
    *) ovs_fail "dvr-api took MTU 65522: $out" ;;
esac
out=$(api_curl POST /v2.0/networks '{"network":{"name":"ok","mtu":65521}}')
[ "${out%% *}" = 201 ] || ovs_fail "dvr-api refused MTU 65521: $out"
net=$(echo "${out#* }" | python3 -c 'import json,sys; print(json.load(sys.stdin)["network"]["id"])')
before=$(nb_dump)
out=$(api_curl PUT "/v2.0/networks/$net" '{"network":{"mtu":65535}}')
echo "PUT mtu 65535: $out"
[ "${out%% *}" = 400 ] || ovs_fail "dvr-api took MTU 65535 on update: $out"
[ "$before" = "$(nb_dump)" ] || ovs_fail "a refused update changed NB"

# The controller: the same MTU written straight into NB.
ovs_start_switch hv1
ovs-vsctl set open . external_ids:system-id=hv1 \
    external_ids:dvr-nb-remote="$NB_REMOTE" \
    external_ids:dvr-encap-ip=192.168.100.1 \
    external_ids:dvr-bridge-mappings=physnet1:br-ex \
    external_ids:dvr-datapath-type=dummy
nb_transact '{"op":"select","table":"NB_Global","where":[]}' \
    | grep -q _uuid \
    || nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null
load() { python3 "$abs_top_srcdir/bench/routing-load.py" "${NB_REMOTE#unix:}" "$@"; }
ports=$(load base 2)
load router
ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
i=0
for u in $ports; do
    i=$((i + 1))
    attack_plug "vif$i" $((10 + i)) "$u" "fa:16:3e:00:00:0$((i - 1))"
done
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
routed() {
    ovs-appctl ofproto/trace br-int "in_port=11,ip,dl_src=fa:16:3e:00:00:00,dl_dst=fa:16:3e:ff:01:01,nw_src=10.0.1.2,nw_dst=10.0.1.3,nw_ttl=64" \
        | grep -q -- '-> output port is 12$'
}
ovs_wait_until 10 routed || ovs_fail "the router does not route"

t0=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network _uuid name \
     | awk '$2 == "t0" {print $1}')
s0=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Subnet _uuid name \
     | awk '$2 == "t0" {print $1}')
nb_transact "{\"op\":\"update\",\"table\":\"Network\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$t0\"]]],
    \"row\":{\"mtu\":65522}}" >/dev/null
ovs_wait_until 5 grep -q "network $t0 MTU 65522 outside 68..65521" "$log" \
    || ovs_fail "no log line for the MTU"
grep "MTU 65522" "$log" | tail -1
attack_check_alive hv1 "$t0" "$s0" 21 fa:16:3e:00:01:21 10.0.9.21

# A restart with the row still there.
ovs_stop_controller hv1
ovs_start_controller hv1
sleep 2
attack_check_alive hv1 "$t0" "$s0" 22 fa:16:3e:00:01:22 10.0.9.22

# Back to a valid MTU: the interface routes again.
nb_transact "{\"op\":\"update\",\"table\":\"Network\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$t0\"]]],
    \"row\":{\"mtu\":1450}}" >/dev/null
ovs_wait_until 10 routed || ovs_fail "the router does not route again"
echo "mtu: refused by dvr-api, skipped with a log line by the controller: ok"

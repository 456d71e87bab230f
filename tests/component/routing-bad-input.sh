#!/usr/bin/env bash
# Component test (issue 5): bad routing input is skipped with a log line
# that names the object, and nothing else breaks.  One dummy-datapath
# compute node with a router (gateway and an interface on 10.0.0.0/16):
#   - a route whose next hop is on no connected subnet,
#   - a floating IP for a port with no IP address,
#   - a second router with an interface on the same subnet,
# then the router that keeps the subnet (the one with the smaller UUID)
# still routes, as ofproto/trace shows.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_switch hv1
ovs-vsctl set open . external_ids:system-id=hv1 \
    external_ids:dvr-nb-remote="$NB_REMOTE" \
    external_ids:dvr-encap-ip=192.168.100.1 \
    external_ids:dvr-bridge-mappings=physnet1:br-ex \
    external_ids:dvr-datapath-type=dummy
nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null
load() { python3 "$abs_top_srcdir/bench/routing-load.py" "${NB_REMOTE#unix:}" "$@"; }
ports=$(load base 2)
load router
ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
i=0
for u in $ports; do
    i=$((i + 1))
    ovs-vsctl add-port br-int "vif$i" -- set interface "vif$i" type=dummy \
        ofport_request=$((10 + i)) external_ids:iface-id="$u"
done
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
router=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Router _uuid \
         | tail -1 | tr -d ' ')

# routed [MAC]: vif1 (10.0.1.2) -> 10.0.1.3 through the router's MAC
# (default the first router's) is routed: the trace goes through l3_input
# (100) and, through sg_ingress and output, reaches vif2.  (A frame that
# is only flooded does not: vif2 takes unicast to its own MAC only.)
routed() {
    local out
    out=$(ovs-appctl ofproto/trace br-int "in_port=11,ip,dl_src=fa:16:3e:00:00:00,dl_dst=${1:-fa:16:3e:ff:01:01},nw_src=10.0.1.2,nw_dst=10.0.1.3,nw_ttl=64")
    printf '%s\n' "$out" | grep -q '^100\. ' \
        && printf '%s\n' "$out" | grep -q -- '-> output port is 12$'
}
ovs_wait_until 10 routed || ovs_fail "the router does not route"

nb_transact "{\"op\":\"mutate\",\"table\":\"Router\",\"where\":[],
    \"mutations\":[[\"routes\",\"insert\",[\"map\",[[\"10.9.0.0/16\",\"172.16.0.1\"]]]]]}" \
    >/dev/null
ovs_wait_until 5 grep -q "router $router: route 10.9.0.0/16 via 172.16.0.1: next hop not on a connected subnet" "$log" \
    || ovs_fail "no log line for the unreachable next hop"

ext=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network _uuid name \
      | awk '$2 == "public" {print $1}')
noip=$(nb_port "$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network _uuid name | awk '$2 == "t0" {print $1}')" "" fa:16:3e:00:00:99 "")
fp=$(nb_port "$ext" "" fa:16:3e:00:00:98 "")
fip=$(nb_transact "{\"op\":\"insert\",\"table\":\"Floating_IP\",\"row\":{
    \"floating_network\":[\"uuid\",\"$ext\"],\"floating_port\":[\"uuid\",\"$fp\"],
    \"floating_ip_address\":\"203.0.113.150\",\"port\":[\"uuid\",\"$noip\"],
    \"router\":[\"uuid\",\"$router\"]}}" | _nb_uuid)
ovs_wait_until 5 grep -q "floating IP $fip: port $noip has no IPv4 address" "$log" \
    || ovs_fail "no log line for the floating IP without an address"

t0=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network _uuid name | awk '$2 == "t0" {print $1}')
s0=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Subnet _uuid name | awk '$2 == "t0" {print $1}')
ri=$(nb_port "$t0" "$s0" fa:16:3e:ff:02:01 10.0.0.254)
nb_transact "{\"op\":\"insert\",\"table\":\"Router\",\"uuid-name\":\"r2\",
    \"row\":{\"name\":\"r2\",\"interfaces\":[\"uuid\",\"$ri\"]}}" >/dev/null
r2=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Router _uuid name \
     | awk '$2 == "r2" || $2 == "\"r2\"" {print $1}')
# The router with the larger UUID loses the subnet.
loser=$(printf '%s\n%s\n' "$router" "$r2" | sort | tail -1)
ovs_wait_until 5 grep -q "router $loser: subnet $s0 already has a router; interface .* skipped" "$log" \
    || ovs_fail "no log line for two routers on one subnet"

# The winner routes (its interface MAC on t0).
winner_mac=fa:16:3e:ff:01:01
[ "$loser" != "$router" ] || winner_mac=fa:16:3e:ff:02:01
ovs_wait_until 5 routed "$winner_mac" \
    || ovs_fail "the router stopped routing after the bad input"
ovs_controller_ctl hv1 status >/dev/null || ovs_fail "the controller died"
echo "bad routing input: skipped with a log line naming it, routing intact: ok"

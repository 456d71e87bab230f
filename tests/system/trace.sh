#!/usr/bin/env bash
# System test (issue 19): `dvrctl trace` on the dummy-datapath sandbox
# (two compute nodes, one network node).  net1 192.168.10.0/24 and net2
# 192.168.20.0/24 on router r1, whose gateway is on public-net (flat,
# 203.0.113.0/24); vm1 (hv1, net1, with a floating IP) and vm3 (hv2, net2)
# in security group web, which lets in TCP 80 and ICMP.  Proves, over the
# flows the nodes have installed:
#   - vm1 -> vm3 TCP 80: routed on hv1 (the steps name r1), tunnelled to
#     hv2, let in by web's TCP 80 rule (named), delivered to vm3's port;
#   - the external host -> the floating IP: the steps name the floating
#     IP, delivered to vm1's port on hv1;
#   - vm3, given a floating IP, -> vm1's floating IP: SNAT on hv2, out of
#     hv2's provider bridge, followed into hv1's, delivered to vm1;
#   - vm1 -> vm3 TCP 22 and UDP 53: dropped on hv2 by the security group
#     (named); ICMP echo: let in by its ICMP rule; a ping to the router's
#     interface: answered on hv1;
#   - the TCP 80 rule deleted: TCP 80 is dropped too, on hv2, once hv2's
#     flows change (the trace reads the installed flows, no model);
#   - bad arguments: a usage error, nothing traced.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --datapath dummy --computes 2 --gateways 1
D=/run/dvrsb/$SB_PREFIX
OS_ENDPOINT=http://127.0.0.1:$(. "$D/config"; echo "$SB_API_PORT")
export OS_ENDPOINT
DVRCTL=$abs_top_builddir/tools/dvrctl
NODES=(--node "hv1=$D/hv1/run" --node "hv2=$D/hv2/run"
       --node "gw1=$D/gw1/run")

pub=$(sb_api_id POST /networks '{"network": {"name": "public-net",
    "router:external": true, "provider:network_type": "flat",
    "provider:physical_network": "physnet1"}}')
sb_api POST /subnets "{\"subnet\": {\"name\": \"public-subnet\",
    \"network_id\": \"$pub\", \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
    \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                            \"end\": \"203.0.113.200\"}]}}" >/dev/null
net1=$(sb_api_id POST /networks '{"network": {"name": "net1"}}')
sub1=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"subnet1\",
    \"network_id\": \"$net1\", \"cidr\": \"192.168.10.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
net2=$(sb_api_id POST /networks '{"network": {"name": "net2"}}')
sub2=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"subnet2\",
    \"network_id\": \"$net2\", \"cidr\": \"192.168.20.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"r1\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
for sub in "$sub1" "$sub2"; do
    sb_api PUT "/routers/$router/add_router_interface" \
        "{\"subnet_id\": \"$sub\"}" >/dev/null
done
sg=$(sb_api_id POST /security-groups '{"security_group": {"name": "web"}}')
rule80=$(sb_api_id POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv4\", \"protocol\": \"tcp\",
    \"port_range_min\": 80, \"port_range_max\": 80}}")
rule_icmp=$(sb_api_id POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv4\", \"protocol\": \"icmp\"}}")
p1=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm1\",
    \"network_id\": \"$net1\", \"fixed_ips\": [{\"subnet_id\": \"$sub1\",
    \"ip_address\": \"192.168.10.11\"}], \"security_groups\": [\"$sg\"]}}")
p3=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm3\",
    \"network_id\": \"$net2\", \"fixed_ips\": [{\"subnet_id\": \"$sub2\",
    \"ip_address\": \"192.168.20.13\"}], \"security_groups\": [\"$sg\"]}}")
sb_vm_port vm1 hv1 "$p1"
sb_vm_port vm3 hv2 "$p3"
fipj=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\", \"port_id\": \"$p1\"}}")
fip=$(echo "$fipj" | jq -r .floatingip.floating_ip_address)
fip_id=$(echo "$fipj" | jq -r .floatingip.id)

# trace NAME WANT_RC ARGS...: runs dvrctl trace; its output goes to
# SB_TMP/NAME and the test's log; fails unless it exits WANT_RC.
trace() {
    local name=$1 want=$2 rc=0
    shift 2
    "$DVRCTL" trace "${NODES[@]}" "$@" >"$SB_TMP/$name" 2>&1 || rc=$?
    cat "$SB_TMP/$name"
    [ "$rc" = "$want" ] || sb_fail "trace $name exited $rc, not $want"
}
# expect NAME PATTERN WHAT: trace NAME's output has a line matching the
# extended regex PATTERN.
expect() {
    grep -Eq -- "$2" "$SB_TMP/$1" || sb_fail "trace $1: $3"
}
# verdict NAME: the trace's last line.
verdict() {
    tail -n 1 "$SB_TMP/$1"
}

# until SECONDS CMD...: runs CMD every 0.5 s until it succeeds; false if
# it did not within SECONDS.
until_ok() {
    local n=$(( $1 * 2 ))
    shift
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || return 1
        sleep 0.5
    done
}
# The controllers have installed the topology once both traces pass.
until_ok 30 "$DVRCTL" trace "${NODES[@]}" --from vm1 --to 192.168.20.13 \
    --proto tcp --dport 80 || true
until_ok 30 "$DVRCTL" trace "${NODES[@]}" --from-external hv1 \
    --src 203.0.113.1 --to "$fip" --proto tcp --dport 80 || true

# East-west, routed, across the tunnel, through the SG rule.
trace routed 0 --from vm1 --to 192.168.20.13 --proto tcp --dport 80
expect routed "^hv1: ofproto/trace br-int " "no trace on hv1"
expect routed "l3_route .*" "no l3_route step"
grep -A1 -E '^  br-int  l3_route ' "$SB_TMP/routed" \
    | sb_has "-> router $router name=r1" \
    || sb_fail "the l3_route step does not name router r1"
expect routed "^=> tunnelled from hv1 \(192\.0\.2\.11\) to 192\.0\.2\.12" \
    "not tunnelled from hv1 to hv2"
expect routed "^hv2: ofproto/trace br-tun in_port=[0-9]+,tun_id=" \
    "not followed onto hv2's br-tun"
grep -A1 -E '^  br-int  sg_rules ' "$SB_TMP/routed" \
    | sb_has "-> security group rule $rule80 group=$sg ingress" \
    || sb_fail "the sg_rules step does not name the TCP 80 rule"
[ "$(verdict routed)" = "=> delivered to port vm3 ($p3) on hv2" ] \
    || sb_fail "routed: not delivered to vm3 on hv2"
echo "routed vm1 (hv1) -> vm3 (hv2), TCP 80: ok"

# The external host to the floating IP, into hv1's provider bridge.
trace fip 0 --from-external hv1 --src 203.0.113.1 --to "$fip" \
    --proto tcp --dport 80
expect fip "^hv1: ofproto/trace br-ex " "no trace on hv1's br-ex"
expect fip "-> floating IP $fip_id address=$fip port=$p1" \
    "no step names the floating IP"
expect fip "-> security group rule $rule80 " "the TCP 80 rule is not named"
[ "$(verdict fip)" = "=> delivered to port vm1 ($p1) on hv1" ] \
    || sb_fail "floating IP: not delivered to vm1 on hv1"
echo "external host -> floating IP $fip: ok"

# vm3 (hv2) gets a floating IP too and talks to vm1's: SNAT on hv2, out of
# hv2's provider bridge, into hv1's, DNAT to vm1.  One real frame from vm3
# first, so that hv2 resolves the floating IP's MAC (its next hop).
fip3=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\", \"port_id\": \"$p3\"}}" \
       | jq -r .floatingip.floating_ip_address)
rif2=$(sb_api GET "/ports?network_id=$net2" \
       | jq -r '.ports[] | select(.device_owner
                 | startswith("network:router_interface")) | .mac_address')
(
    sb_node_env hv2
    . "$abs_top_srcdir/tests/lib/dummy.sh"
    for _ in 1 2 3; do
        dummy_inject "$(sb_vm_var vm3 VM_IFACE)" "$(dummy_icmp \
            "$(sb_vm_var vm3 VM_MAC)" "$rif2" 192.168.20.13 "$fip")"
        sleep 0.5
    done
)
until_ok 30 "$DVRCTL" trace "${NODES[@]}" --from vm3 --to "$fip" \
    --proto tcp --dport 80 || true
trace fip2fip 0 --from vm3 --to "$fip" --proto tcp --dport 80
expect fip2fip "-> floating IP [-0-9a-f]+ address=$fip3 port=$p3" \
    "vm3's floating IP (the SNAT) is not named"
expect fip2fip "^=> leaves hv2 on the provider network \(br-ex port [0-9]+\) to [0-9a-f:]+, network:floatingip port [-0-9a-f]+ on hv1$" \
    "not followed out of hv2's provider bridge to hv1"
expect fip2fip "^hv1: ofproto/trace br-ex in_port=[0-9]+,tcp,.*nw_src=$fip3,nw_dst=$fip," \
    "not traced on into hv1's br-ex from vm3's floating IP"
expect fip2fip "-> floating IP $fip_id address=$fip port=$p1" \
    "vm1's floating IP (the DNAT) is not named"
[ "$(verdict fip2fip)" = "=> delivered to port vm1 ($p1) on hv1" ] \
    || sb_fail "floating IP to floating IP: not delivered to vm1 on hv1"
echo "vm3 (hv2, $fip3) -> $fip through the provider network: ok"

# A port web does not open.
trace ssh 3 --from vm1 --to 192.168.20.13 --proto tcp --dport 22
[ "$(verdict ssh)" = "=> dropped on hv2 in sg_ingress_verdict: no rule of security groups web ($sg) allowed it" ] \
    || sb_fail "TCP 22: not reported dropped by web on hv2"
expect ssh "^hv2: " "TCP 22 not followed to hv2"
echo "vm1 -> vm3 TCP 22: dropped by web on hv2: ok"

# ICMP echo is let in by web's ICMP rule; UDP is not; the router answers
# a ping to its interface itself.
trace icmp 0 --from vm1 --to 192.168.20.13
grep -A1 -E '^  br-int  sg_rules ' "$SB_TMP/icmp" \
    | sb_has "-> security group rule $rule_icmp group=$sg ingress" \
    || sb_fail "the sg_rules step does not name the ICMP rule"
[ "$(verdict icmp)" = "=> delivered to port vm3 ($p3) on hv2" ] \
    || sb_fail "ICMP: not delivered to vm3 on hv2"
trace udp 3 --from vm1 --to 192.168.20.13 --proto udp --dport 53
[ "$(verdict udp)" = "=> dropped on hv2 in sg_ingress_verdict: no rule of security groups web ($sg) allowed it" ] \
    || sb_fail "UDP 53: not reported dropped by web on hv2"
trace gwping 0 --from vm1 --to 192.168.10.1
[ "$(verdict gwping)" = "=> answered: sent back out of the port it came in on, on hv1" ] \
    || sb_fail "a ping to the router's interface is not answered on hv1"
echo "ICMP delivered, UDP dropped, the router answers its ping: ok"

# Without the TCP 80 rule, TCP 80 is dropped the same way, once hv2's
# flows no longer have it.
sb_api DELETE "/security-group-rules/$rule80" >/dev/null
# has_rule80: hv2's sg_rules table still has the TCP 80 rule's flow.
has_rule80() {
    sb ovs hv2 ovs-ofctl -O OpenFlow13 dump-flows br-int table=sg_rules \
        | sb_has ct_tp_dst=80
}
no_rule80() {
    ! has_rule80
}
until_ok 30 no_rule80 || sb_fail "hv2 still has the TCP 80 rule's flow"
trace norule 3 --from vm1 --to 192.168.20.13 --proto tcp --dport 80
[ "$(verdict norule)" = "=> dropped on hv2 in sg_ingress_verdict: no rule of security groups web ($sg) allowed it" ] \
    || sb_fail "TCP 80 without its rule: not reported dropped by web"
if grep -q "security group rule $rule80" "$SB_TMP/norule"; then
    sb_fail "the deleted rule is still named"
fi
echo "TCP 80 rule deleted: dropped by web: ok"

# Bad arguments change nothing and say why.
for bad in "--from vm1 --to 192.168.20.300" \
           "--from vm1 --to 192.168.20.13 --proto sctp" \
           "--from vm1 --to 192.168.20.13 --proto tcp --dport 70000" \
           "--from-external hv1 --to $fip" \
           "--from nosuchport --to 192.168.20.13"; do
    rc=0
    # shellcheck disable=SC2086
    "$DVRCTL" trace "${NODES[@]}" $bad >"$SB_TMP/bad" 2>&1 || rc=$?
    { [ "$rc" = 1 ] || [ "$rc" = 2 ]; } && grep -q '^dvrctl: ' "$SB_TMP/bad" \
        || sb_fail "dvrctl trace $bad: exit $rc, $(cat "$SB_TMP/bad")"
done
echo "bad arguments: refused: ok"
echo "trace: ok"

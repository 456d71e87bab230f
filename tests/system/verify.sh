#!/usr/bin/env bash
# System test (issue 19): `dvrctl verify` on the dummy-datapath sandbox
# (two compute nodes, one network node).  net1 192.168.10.0/24 and net2
# 192.168.20.0/24 on router r1, whose gateway is on public-net (flat);
# net3 192.168.30.0/24 on no router.  vm1 (hv1, net1, with a floating IP),
# vm3 (hv2, net2), vm4 (hv1, net3), vm5 (hv2, net1: so net1's broadcasts
# go to hv2).  Proves, over the installed flows:
#   - the sandbox as the controllers made it passes (exit 0), and the run
#     time and number of traces are printed;
#   - a flow added by hand on hv1's br-int (cookie 0x5e1f, which no NB
#     object owns) that sends vm1's frames for vm4's MAC to vm4's port
#     joins net1 and net3: verify exits 3, names vm1 -> vm4 as an
#     isolation failure with the trace as counterexample (the step in
#     table classify, the flow's owner unknown), and hv1's flows/verify
#     reports the flow as installed but not compiled.  A recompute (a
#     full sync: ofctrl deletes every flow it did not compile, whatever
#     its cookie) removes it and verify passes again;
#   - a flow added by hand on hv2's br-int that sends every broadcast
#     arriving from the tunnels to vm3: verify names vm1 (hv1, net1) ->
#     vm3 (hv2, net2), with a counterexample that crosses the tunnel;
#   - vm1's IPv4 port-security flow deleted by hand: reported as compiled
#     but not installed, and vm1's own IPv4 frame as dropped in
#     port_security_addr;
#   - a catch-all flow that admits any source in port_security: spoofed
#     frames (another IP, another MAC) from vm1 and vm4 are reported as
#     not dropped by port security;
#   - bad arguments: a usage error.
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
subnet() {
    sb_api_id POST /subnets "{\"subnet\": {\"name\": \"$1\",
        \"network_id\": \"$2\", \"cidr\": \"$3\", \"ip_version\": 4,
        \"enable_dhcp\": false}}"
}
net1=$(sb_api_id POST /networks '{"network": {"name": "net1"}}')
sub1=$(subnet subnet1 "$net1" 192.168.10.0/24)
net2=$(sb_api_id POST /networks '{"network": {"name": "net2"}}')
sub2=$(subnet subnet2 "$net2" 192.168.20.0/24)
net3=$(sb_api_id POST /networks '{"network": {"name": "net3"}}')
sub3=$(subnet subnet3 "$net3" 192.168.30.0/24)
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"r1\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
for sub in "$sub1" "$sub2"; do
    sb_api PUT "/routers/$router/add_router_interface" \
        "{\"subnet_id\": \"$sub\"}" >/dev/null
done
port() {
    sb_api_id POST /ports "{\"port\": {\"name\": \"$1\",
        \"network_id\": \"$2\", \"fixed_ips\": [{\"subnet_id\": \"$3\",
        \"ip_address\": \"$4\"}]}}"
}
p1=$(port vm1 "$net1" "$sub1" 192.168.10.11)
p3=$(port vm3 "$net2" "$sub2" 192.168.20.13)
p4=$(port vm4 "$net3" "$sub3" 192.168.30.14)
sb_vm_port vm1 hv1 "$p1"
sb_vm_port vm3 hv2 "$p3"
sb_vm_port vm4 hv1 "$p4"
p5=$(port vm5 "$net1" "$sub1" 192.168.10.15)
sb_vm_port vm5 hv2 "$p5"
sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\", \"port_id\": \"$p1\"}}" >/dev/null
mac1=$(sb_api GET "/ports/$p1" | jq -r .port.mac_address)
mac4=$(sb_api GET "/ports/$p4" | jq -r .port.mac_address)

# verify NAME: runs dvrctl verify; its output goes to SB_TMP/NAME and the
# test's log; its exit status to RC.
verify() {
    RC=0
    "$DVRCTL" verify "${NODES[@]}" >"$SB_TMP/$1" 2>&1 || RC=$?
    cat "$SB_TMP/$1"
}
# expect NAME PATTERN WHAT: NAME's output has a line matching the extended
# regex PATTERN.
expect() {
    grep -Eq -- "$2" "$SB_TMP/$1" || sb_fail "verify $1: $3"
}
# until_ok SECONDS CMD...: runs CMD every 0.5 s until it succeeds; false
# if it did not within SECONDS.
until_ok() {
    local n=$(( $1 * 2 ))
    shift
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || return 1
        sleep 0.5
    done
}
# ofport NODE PORT: PORT's OpenFlow port on NODE (its controller's
# bindings).
ofport() {
    sb ovs "$1" ovs-appctl -t "$D/$1/run/dvr-controller.ctl" bindings \
        | awk -v id="$2" '$1 == id { print $3 }'
}
# hv1_flows MATCH: hv1's br-int flows that match MATCH.
hv1_flows() {
    sb ovs hv1 ovs-ofctl -O OpenFlow13 dump-flows br-int "$1"
}
# recompute_hv1 GONE_CMD...: asks hv1's controller for a recompute (a full
# sync) and waits until GONE_CMD succeeds.
recompute_hv1() {
    sb ovs hv1 ovs-appctl -t "$D/hv1/run/dvr-controller.ctl" recompute
    until_ok 30 "$@" || sb_fail "hv1's controller did not repair its flows"
}

# The controllers have installed everything once verify passes (it also
# compares each node's flows with its compiler's).
until_ok 60 "$DVRCTL" verify "${NODES[@]}" \
    || sb_fail "verify does not pass on the sandbox as it was built"
verify clean
[ "$RC" = 0 ] || sb_fail "verify exited $RC on the unbroken sandbox"
expect clean "^verify: 3 nodes, 4 VIFs, .* traces in [0-9]+ ms \([1-9][0-9]* reached another network through a router\); 0 failures" \
    "no summary, or no frame was routed (vm1 <-> vm3 through r1)"
echo "unbroken sandbox: passes: $(tail -n 1 "$SB_TMP/clean")"

# 1. A flow joins net1 and net3: vm1's frames for vm4's MAC go to vm4.
o1=$(ofport hv1 "$p1")
o4=$(ofport hv1 "$p4")
if [ -z "$o1" ] || [ -z "$o4" ]; then
    sb_fail "no ofports for vm1 and vm4"
fi
sb ovs hv1 ovs-ofctl -O OpenFlow13 add-flow br-int \
    "cookie=0x5e1f,table=0,priority=1000,in_port=$o1,dl_dst=$mac4,actions=output:$o4"
verify joined
[ "$RC" = 3 ] || sb_fail "verify exited $RC with net1 and net3 joined"
expect joined "^FAIL isolation: a frame from port vm1 \(network net1\) on hv1 reaches port vm4 \(network net3\) on hv1 through no router" \
    "the join of net1 and net3 is not reported"
grep -A8 '^FAIL isolation: a frame from port vm1 ' "$SB_TMP/joined" \
    > "$SB_TMP/joined.cx"
grep -Eq "^  br-int  classify +in_port=$o1,dl_dst=$mac4\$" "$SB_TMP/joined.cx" \
    || sb_fail "the counterexample does not name the added flow's table"
grep -Eq -- "-> unknown \(no NB object owns cookie 0x5e1f\)" \
    "$SB_TMP/joined.cx" || sb_fail "the added flow's owner is not unknown"
grep -Eq "^=> delivered to port vm4 \($p4\) on hv1\$" "$SB_TMP/joined.cx" \
    || sb_fail "the counterexample does not end at vm4"
expect joined "^FAIL flows: node hv1's installed flows differ" \
    "hv1's flows are not reported as different"
expect joined "^  installed but not compiled: cookie=0x5e1f, table=0, priority=1000," \
    "the added flow is not reported as installed but not compiled"
if grep -q "FAIL isolation: .*port vm3\|FAIL isolation: a frame from port vm3" \
        "$SB_TMP/joined"; then
    sb_fail "a failure is reported for vm3, which the flow does not touch"
fi
no_added() {
    ! hv1_flows table=0 | sb_has "cookie=0x5e1f"
}
recompute_hv1 no_added
verify repaired1
[ "$RC" = 0 ] || sb_fail "verify exited $RC after hv1's recompute"
echo "net1 joined to net3 by hand: reported with its trace: ok"

# 1b. On hv2, every broadcast from the tunnels goes to vm3 (net2) too.
o3=$(ofport hv2 "$p3")
patch=$(sb ovs hv2 ovs-vsctl get Interface patch-tun ofport)
[ -n "$o3" ] || sb_fail "no ofport for vm3"
sb ovs hv2 ovs-ofctl -O OpenFlow13 add-flow br-int \
    "cookie=0x5e1f,table=0,priority=1000,in_port=$patch,vlan_tci=0x1000/0x1000,dl_dst=ff:ff:ff:ff:ff:ff,actions=pop_vlan,output:$o3"
verify remote
[ "$RC" = 3 ] || sb_fail "verify exited $RC with hv2 joining net1 to vm3"
expect remote "^FAIL isolation: a frame from port vm1 \(network net1\) on hv1 reaches port vm3 \(network net2\) on hv2 through no router" \
    "vm1's broadcast reaching vm3 on hv2 is not reported"
sed -n '/^FAIL isolation: a frame from port vm1 .* on hv2 /,/^$/p' \
    "$SB_TMP/remote" > "$SB_TMP/remote.cx"
grep -q "^=> tunnelled from hv1 (192\.0\.2\.11) to 192\.0\.2\.12" \
    "$SB_TMP/remote.cx" || sb_fail "the counterexample does not cross the tunnel"
grep -Eq "^  br-int  classify +in_port=$patch,vlan_tci=0x1000/0x1000,dl_dst=ff:ff:ff:ff:ff:ff\$" \
    "$SB_TMP/remote.cx" || sb_fail "the counterexample does not name hv2's flow"
grep -q "^=> delivered to port vm3 ($p3) on hv2\$" "$SB_TMP/remote.cx" \
    || sb_fail "the counterexample does not end at vm3"
expect remote "^FAIL flows: node hv2's installed flows differ" \
    "hv2's flows are not reported as different"
no_added_hv2() {
    ! sb ovs hv2 ovs-ofctl -O OpenFlow13 dump-flows br-int table=0 \
        | sb_has "cookie=0x5e1f"
}
sb ovs hv2 ovs-appctl -t "$D/hv2/run/dvr-controller.ctl" recompute
until_ok 30 no_added_hv2 || sb_fail "hv2's controller did not repair its flows"
echo "vm1's broadcasts delivered to vm3 on hv2 by hand: reported across the tunnel: ok"

# 2. vm1's IPv4 port-security flow deleted (port_security_addr: its
# address 192.168.10.11 = reg9 0xc0a80a0b with its MAC, for IPv4 and ARP).
sb ovs hv1 ovs-ofctl -O OpenFlow13 del-flows br-int \
    "table=13,in_port=$o1,dl_src=$mac1"
verify nospoof
[ "$RC" = 3 ] || sb_fail "verify exited $RC without vm1's IPv4 flow"
expect nospoof "^FAIL anti-spoofing: port vm1 on hv1: its own icmp frame is dropped in port_security_addr" \
    "vm1's missing port-security flow is not reported"
expect nospoof "^  compiled but not installed: .*table=13, priority=100,reg9=0xc0a80a0b,.*in_port=$o1,dl_src=$mac1 " \
    "the deleted flow is not reported as compiled but not installed"
has_ps() {
    hv1_flows "table=13,in_port=$o1" | sb_has "reg9=0xc0a80a0b"
}
recompute_hv1 has_ps
verify repaired2
[ "$RC" = 0 ] || sb_fail "verify exited $RC after the second recompute"
echo "vm1's port-security flow deleted: reported: ok"

# 3. Port security admits any source (above the VIFs' MAC flows, 90).
sb ovs hv1 ovs-ofctl -O OpenFlow13 add-flow br-int \
    "cookie=0x5e1f,table=10,priority=95,actions=goto_table:20"
verify open
[ "$RC" = 3 ] || sb_fail "verify exited $RC with port security open"
for vm in vm1 vm4; do
    for what in "another IP" "another MAC"; do
        expect open "^FAIL anti-spoofing: port $vm on hv1: a icmp frame with $what is not dropped by port security" \
            "$vm's spoofed frames ($what) are not reported"
    done
done
if grep -q "^FAIL anti-spoofing: port vm3" "$SB_TMP/open"; then
    sb_fail "vm3 (hv2) is reported, but hv2 is intact"
fi
recompute_hv1 no_added
echo "port security opened: spoofed frames reported: ok"

# Bad arguments change nothing and say why.
for bad in "" "--node" "--node hv1" "--node hv1=$D/hv1/run --bogus"; do
    rc=0
    # shellcheck disable=SC2086
    "$DVRCTL" verify $bad >"$SB_TMP/bad" 2>&1 || rc=$?
    if [ "$rc" != 2 ] || ! grep -q '^dvrctl: ' "$SB_TMP/bad"; then
        sb_fail "dvrctl verify $bad: exit $rc, $(cat "$SB_TMP/bad")"
    fi
done
echo "bad arguments: refused: ok"
echo "verify: ok"

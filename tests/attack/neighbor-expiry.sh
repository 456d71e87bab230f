#!/usr/bin/env bash
# Attack (issue 14): learned next hops never expired.  A next hop learned by
# ARP stayed forever, also after its owner went away (traffic kept going to
# a stale MAC), and so did every address a VM had made the controller ask
# for (4,096 of them filled the table for good).  Now a next hop that does
# not answer for the timeout (--neighbor-timeout, 90 s by default; 3 s
# here) is forgotten, its flow removed, and the next packet resolves it
# afresh.  One gateway node on the dummy datapath: a VM's packet to the
# outside needs the external gateway 203.0.113.1, whose ARP replies the
# test injects on br-ex.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/attack/alive.sh"
ovs_test_init
nb_gateway_chassis
ports=$(load base 1)
load router
ovs_start_controller hv1 ${NEIGHBOR_TIMEOUT_ARGS---neighbor-timeout=3}
ovs_wait_until 10 ovs-vsctl br-exists br-ex || ovs_fail "no br-ex"
attack_plug vif1 11 "$ports" fa:16:3e:00:00:00
ovs-vsctl add-port br-ex ext -- set interface ext type=dummy ofport_request=9
of() { ovs-ofctl -O OpenFlow13 dump-flows br-int "$@"; }
nexthop() { of table=130 | grep "priority=90" | grep -q "$1"; }
out() {
    ovs-appctl netdev-dummy/receive vif1 "eth(src=fa:16:3e:00:00:00,dst=fa:16:3e:ff:01:01),eth_type(0x0800),ipv4(src=10.0.1.2,dst=198.51.100.7,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"
}
reply() {
    ovs-appctl netdev-dummy/receive ext "eth(src=$1,dst=fa:16:3e:ff:00:01),eth_type(0x0806),arp(sip=203.0.113.1,tip=203.0.113.100,op=2,sha=$1,tha=fa:16:3e:ff:00:01)"
}
status() { ovs_controller_ctl hv1 status; }
asked() { status | grep -q "neighbor: 1 next hops, [1-9][0-9]* requests"; }
# learn MAC: makes the controller ask (a packet out) and answers as MAC.
learn() {
    local i
    for i in $(seq 50); do
        out >/dev/null
        asked && break
        sleep 0.2
    done
    asked || ovs_fail "the controller does not ask for 203.0.113.1"
    reply "$1"
    ovs_wait_until 5 nexthop "$1" \
        || ovs_fail "next hop $1 not learned: $(status | grep -A2 neighbor)"
}
sleep 2
learn 00:00:5e:00:01:01
echo "learned: $(of table=130 | grep priority=90 | sed 's/.*actions=//')"

# Nobody answers any more: gone within the timeout plus a third.
t0=$(date +%s)
ovs_wait_until 8 sh -c "! ovs-ofctl -O OpenFlow13 dump-flows br-int table=130 | grep priority=90 | grep -q 00:00:5e:00:01:01" \
    || ovs_fail "the stale next hop stays: $(status | grep -A2 neighbor)"
echo "expired after about $(( $(date +%s) - t0 )) s: $(status | grep '^neighbor')"
grep -q "next hop 203.0.113.1 on local VLAN [0-9]* at 00:00:5e:00:01:01 expired" \
    "$OVS_TEST_DIR/hv1/log/dvr-controller.log" || ovs_fail "no log line"

# The next packet resolves it afresh: the gateway has a new MAC now.
learn 00:00:5e:00:01:02
echo "re-resolved: $(of table=130 | grep priority=90 | sed 's/.*actions=//')"
nexthop 00:00:5e:00:01:01 && ovs_fail "the old MAC is back"
t0=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network _uuid name \
     | awk '$2 == "t0" {print $1}')
s0=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Subnet _uuid name \
     | awk '$2 == "t0" {print $1}')
attack_check_alive hv1 "$t0" "$s0" 21 fa:16:3e:00:01:21 10.0.9.21
echo "neighbor expiry: a stale next hop is forgotten and re-resolved: ok"

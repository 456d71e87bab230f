#!/usr/bin/env bash
# Component test: trunk ports (VLAN-aware VMs) on one dummy-datapath node,
# judged with ofproto/trace: a frame tagged with a subport's VLAN on the
# parent's VIF is the subport's (tag popped, its network, its port
# security), untagged frames are the parent's, unknown tags are dropped;
# what goes to a subport leaves on the parent's VIF with its tag (local
# delivery, ARP answers, from a tunnel); subports added and removed live,
# incrementally; a full recompute installs the same flows; a bad trunk row
# is skipped with a log line.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1

NP=$(nb_network P vxlan 100); SP=$(nb_subnet "$NP" 10.0.0.0/24 10.0.0.1)
N1=$(nb_network S1 vxlan 101); S1=$(nb_subnet "$N1" 10.1.0.0/24 10.1.0.1 true)
N2=$(nb_network S2 vxlan 102); S2=$(nb_subnet "$N2" 10.2.0.0/24 10.2.0.1)
PAR=$(nb_port "$NP" "$SP" fa:16:3e:00:00:50 10.0.0.5)
T1=$(nb_port "$N1" "$S1" fa:16:3e:00:01:51 10.1.0.5)
T2=$(nb_port "$N2" "$S2" fa:16:3e:00:02:52 10.2.0.5)
Q1=$(nb_port "$N1" "$S1" fa:16:3e:00:01:61 10.1.0.6)
Q2=$(nb_port "$N2" "$S2" fa:16:3e:00:02:62 10.2.0.6)
QP=$(nb_port "$NP" "$SP" fa:16:3e:00:00:60 10.0.0.6)
HV2=$(nb_chassis hv2 192.168.100.2)
nb_bind "$Q2" "$HV2" >/dev/null
TRUNK=$(nb_trunk "$PAR" 101="$T1" 102="$T2")

ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        options:tx_pcap="$OVS_TEST_DIR/hv1/$1.pcap" \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active
}
plug vif-par 11 "$PAR" fa:16:3e:00:00:50
plug vif-q1 12 "$Q1" fa:16:3e:00:01:61
plug vif-qp 13 "$QP" fa:16:3e:00:00:60

binding_up() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"Port_Binding\",\"where\":[[\"port\",\"==\",
        [\"uuid\",\"$1\"]],[\"up\",\"==\",true]]}]" | grep -q '"_uuid"'
}
# The subports are bound here, where their parent is, and up.
for p in "$PAR" "$Q1" "$T1" "$T2"; do
    ovs_wait_until 10 binding_up "$p" || ovs_fail "port $p not bound up"
done
tunnel=$(ovs-vsctl --bare --columns=name find interface \
         external_ids:dvr-chassis=hv2)
ovs_wait_until 10 sh -c "ovs-vsctl get interface $tunnel ofport | grep -qv -- -1" \
    || ovs_fail "tunnel port has no ofport"
tun_ofport=$(ovs-vsctl get interface "$tunnel" ofport)
sleep 0.5

trace() {
    ovs-appctl ofproto/trace "$1" "$2" \
        | sed -e '/^\(Final flow\|Megaflow\|Datapath actions\):/d' \
              -e 's/-> output port is \([0-9]*\)$/output:\1/'
}
# dp_actions BRIDGE FLOW: the datapath actions only, those of every
# recirculation (conntrack) joined by " ; ".
dp_actions() {
    ovs-appctl ofproto/trace "$1" "$2" | sed -n 's/^Datapath actions: //p' \
        | paste -sd';' | sed 's/;/ ; /g'
}
# out N: a pattern for output to datapath port N among the actions.
out() {
    echo "\(^\|,\)$1\(,\| ;\|\$\)"
}
expect() {
    local what=$1 pattern=$2 out=$3
    printf '%s\n' "$out" | grep -q -- "$pattern" \
        || { printf '%s\n' "$out" >&2; ovs_fail "$what: no '$pattern'"; }
}
expect_not() {
    local what=$1 pattern=$2 out=$3
    if printf '%s\n' "$out" | grep -q -- "$pattern"; then
        printf '%s\n' "$out" >&2; ovs_fail "$what: unexpected '$pattern'"
    fi
}
# The datapath port numbers of the VIFs (dummy datapath).
dp_port() {
    ovs-appctl dpif/show | sed -n "s/^[[:space:]]*$1 [0-9]*\/\([0-9]*\).*/\1/p"
}
dp_par=$(dp_port vif-par); dp_q1=$(dp_port vif-q1); dp_qp=$(dp_port vif-qp)
[ -n "$dp_par" ] && [ -n "$dp_q1" ] || ovs_fail "no datapath ports"

sub1="in_port=11,dl_vlan=101,dl_src=fa:16:3e:00:01:51,ip,nw_src=10.1.0.5"
out=$(dp_actions br-int "$sub1,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6")
expect "tagged 101 -> q1 (subport 1's network)" "^pop_vlan" "$out"
expect "tagged 101 -> q1 (subport 1's network)" "$(out "$dp_q1")" "$out"
expect_not "tagged 101 -> q1" "push_vlan" "$out"

out=$(dp_actions br-int "in_port=11,dl_src=fa:16:3e:00:00:50,ip,nw_src=10.0.0.5,dl_dst=fa:16:3e:00:00:60,nw_dst=10.0.0.6")
expect "untagged -> qp (the parent's network)" "$(out "$dp_qp")" "$out"
expect_not "untagged -> qp (the parent's network)" "vlan" "$out"

out=$(dp_actions br-int "in_port=11,dl_src=fa:16:3e:00:00:50,ip,nw_src=10.0.0.5,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6")
expect_not "untagged to q1's MAC: not on its network" "$(out "$dp_q1")" "$out"

out=$(dp_actions br-int "in_port=11,dl_vlan=999,dl_src=fa:16:3e:00:01:51,ip,nw_src=10.1.0.5,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6")
expect "unknown VLAN" "^drop$" "$out"

out=$(dp_actions br-int "in_port=11,dl_vlan=101,dl_src=fa:16:3e:00:02:52,ip,nw_src=10.2.0.5,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6")
expect "VLAN 101 with subport 2's addresses (port security)" "^drop$" "$out"

out=$(trace br-int "in_port=11,dl_vlan=102,dl_src=fa:16:3e:00:02:52,ip,nw_src=10.2.0.5,dl_dst=fa:16:3e:00:02:62,nw_dst=10.2.0.6")
expect "tagged 102 -> q2 on hv2 (tunnel)" "set_field:0x66->tun_id" "$out"
expect "tagged 102 -> q2 on hv2 (tunnel)" "output:$tun_ofport" "$out"

out=$(dp_actions br-int "in_port=12,dl_src=fa:16:3e:00:01:61,ip,nw_src=10.1.0.6,dl_dst=fa:16:3e:00:01:51,nw_dst=10.1.0.5")
expect "q1 -> subport 1: tagged out the parent" "push_vlan(vid=101,pcp=0),$dp_par" "$out"

out=$(dp_actions br-int "in_port=12,dl_src=fa:16:3e:00:01:61,ip,nw_src=10.1.0.6,dl_dst=ff:ff:ff:ff:ff:ff,nw_dst=10.1.0.255")
expect "q1 broadcast reaches subport 1" "push_vlan(vid=101,pcp=0),$dp_par" "$out"

out=$(dp_actions br-int "$sub1,dl_dst=ff:ff:ff:ff:ff:ff,nw_dst=10.1.0.255")
expect "subport 1 broadcast reaches q1" "$(out "$dp_q1")" "$out"
expect_not "subport 1 broadcast: not back to the parent" "$(out "$dp_par")" "$out"

out=$(trace br-int "in_port=11,dl_vlan=101,dl_src=fa:16:3e:00:01:51,arp,arp_op=1,arp_spa=10.1.0.5,arp_sha=fa:16:3e:00:01:51,arp_tpa=10.1.0.6,dl_dst=ff:ff:ff:ff:ff:ff")
expect "ARP from subport 1" "set_field:fa:16:3e:00:01:61->arp_sha" "$out"
out=$(dp_actions br-int "in_port=11,dl_vlan=101,dl_src=fa:16:3e:00:01:51,arp,arp_op=1,arp_spa=10.1.0.5,arp_sha=fa:16:3e:00:01:51,arp_tpa=10.1.0.6,dl_dst=ff:ff:ff:ff:ff:ff")
# (The request came with tag 101 and the answer leaves with it: the
# datapath has nothing to pop or push.)
expect "ARP answer to subport 1: back on the parent" "$(out "$dp_par")" "$out"
expect_not "ARP answer to subport 1: still tagged 101" "vlan" "$out"

out=$(dp_actions br-tun "in_port=$tun_ofport,tun_id=0x66,dl_src=fa:16:3e:00:02:62,dl_dst=fa:16:3e:00:02:52,ip,nw_src=10.2.0.6,nw_dst=10.2.0.5")
expect "tunnel -> subport 2: tagged 102 on the parent" "push_vlan(vid=102,pcp=0),$dp_par" "$out"
echo "subports in and out of the parent's VIF: ok"

# DHCP on a subport (its subnet has DHCP): the tagged DISCOVER is answered
# by the controller, and the OFFER leaves the parent tagged 101 (the
# packet-out goes through table to_sender as from the pseudo port).
disc=$(python3 "$abs_top_srcdir/tests/lib/dhcp.py" frame discover \
       fa:16:3e:00:01:51 --xid 0x21)
tagged=${disc:0:24}81000065${disc:24}
dummy_send_expect vif-par "$tagged" "$OVS_TEST_DIR/hv1/vif-par.pcap" \
    "vlan 101 and udp src port 67 and udp dst port 68" \
    || ovs_fail "no tagged DHCP OFFER for subport 1"
n=$(dummy_count "$OVS_TEST_DIR/hv1/vif-par.pcap" "udp src port 67")
[ "$n" = 0 ] || ovs_fail "an untagged DHCP answer left the parent"
echo "DHCP on subport 1, answered tagged: ok"

# Removed live: the VLAN's frames stop, incrementally (no full compile).
status_full() {
    ovs_controller_ctl hv1 status | sed -n 's/.*compiles: [0-9]* (\([0-9]*\) full.*/\1/p'
}
# (With conditional monitoring a subport that comes or goes changes what
# the node monitors, and a condition change recompiles the node's view in
# full, as a VIF plugged or unplugged does (doc/architecture.md): the
# engine's own incremental path is judged with every row monitored.)
ovs-vsctl set open . external_ids:dvr-monitor-all=true
ovs_wait_until 10 sh -c "ovs-appctl -t $OVS_TEST_DIR/hv1/run/dvr-controller.ctl status | grep -q 'NB monitoring: all rows'" \
    || ovs_fail "monitor-all not applied"
sleep 1
full_before=$(status_full)
nb_trunk_sub "$TRUNK" delete 101="$T1"
ovs_wait_until 10 sh -c "ovs-appctl ofproto/trace br-int '$sub1,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6' | grep -q '^Datapath actions: drop'" \
    || ovs_fail "subport 1 still forwards after its removal"
out=$(trace br-int "in_port=11,dl_vlan=102,dl_src=fa:16:3e:00:02:52,ip,nw_src=10.2.0.5,dl_dst=fa:16:3e:00:02:62,nw_dst=10.2.0.6")
expect "subport 2 after subport 1 went" "set_field:0x66->tun_id" "$out"
# Added back, on another VLAN.
nb_trunk_sub "$TRUNK" insert 201="$T1"
ovs_wait_until 10 sh -c "ovs-appctl ofproto/trace br-int 'in_port=11,dl_vlan=201,dl_src=fa:16:3e:00:01:51,ip,nw_src=10.1.0.5,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6' | grep -q '^Datapath actions: pop_vlan,'" \
    || ovs_fail "subport 1 on VLAN 201 does not forward"
out=$(dp_actions br-int "$sub1,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6")
expect "VLAN 101 after the move to 201" "^drop$" "$out"
[ "$(status_full)" = "$full_before" ] \
    || ovs_fail "a subport change made a full compile"
echo "subports removed and added live, incrementally: ok"

# A full recompute installs exactly what the incremental runs did.
dump() {
    ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int | sort
}
before=$(dump)
ovs_controller_ctl hv1 recompute >/dev/null
sleep 1
after=$(dump)
[ "$before" = "$after" ] \
    || { diff <(echo "$before") <(echo "$after") >&2 || true
         ovs_fail "recompute changed the flows"; }
echo "recompute equals incremental: ok"

# Bad input written past the API: subport 2 made the parent of another
# trunk is skipped with a log line (its flows go), the rest stays.
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
X=$(nb_port "$N1" "$S1" fa:16:3e:00:01:71 10.1.0.7)
nb_trunk "$T2" 300="$X" >/dev/null
ovs_wait_until 10 grep -q "skipped: trunk .*: subport $T2 is a trunk's parent" "$log" \
    || ovs_fail "no log line for the bad trunk"
ovs_wait_until 10 sh -c "ovs-appctl ofproto/trace br-int 'in_port=11,dl_vlan=102,dl_src=fa:16:3e:00:02:52,ip,nw_src=10.2.0.5,dl_dst=fa:16:3e:00:02:62,nw_dst=10.2.0.6' | grep -q '^Datapath actions: drop'" \
    || ovs_fail "the invalid subport still forwards"
out=$(dp_actions br-int "in_port=11,dl_vlan=201,dl_src=fa:16:3e:00:01:51,ip,nw_src=10.1.0.5,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6")
expect "subport 1 beside the bad row" "$(out "$dp_q1")" "$out"
ovs_controller_ctl hv1 status | grep -q "dvr-controller" || true
echo "bad trunk row skipped with a log line: ok"

# The parent's VIF unplugged: its subports leave with it (their bindings
# cleared); plugged again they come back.  The trunk deleted: its subports
# stop, the controller goes on.
binding_here() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"Port_Binding\",\"where\":[[\"port\",\"==\",
        [\"uuid\",\"$1\"]],[\"chassis\",\"!=\",[\"set\",[]]]]}]" \
        | grep -q '"_uuid"'
}
t1_fwd="in_port=11,dl_vlan=201,dl_src=fa:16:3e:00:01:51,ip,nw_src=10.1.0.5,dl_dst=fa:16:3e:00:01:61,nw_dst=10.1.0.6"
ovs-vsctl del-port br-int vif-par
ovs_wait_until 10 sh -c "! ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -q 'in_port=11,dl_vlan=201'" \
    || ovs_fail "subport 1's flows stay without the parent's VIF"
not_bound_here() { ! binding_here "$1"; }
ovs_wait_until 10 not_bound_here "$T1" \
    || ovs_fail "subport 1 still bound here without its parent"
plug vif-par 11 "$PAR" fa:16:3e:00:00:50
ovs_wait_until 10 sh -c "ovs-appctl ofproto/trace br-int '$t1_fwd' | grep -q '^Datapath actions: pop_vlan,'" \
    || ovs_fail "subport 1 does not come back with its parent"
ovs_wait_until 10 binding_up "$T1" || ovs_fail "subport 1 not up again"
nb_transact "{\"op\":\"delete\",\"table\":\"Trunk\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$TRUNK\"]]]}" >/dev/null
ovs_wait_until 10 sh -c "ovs-appctl ofproto/trace br-int '$t1_fwd' | grep -q '^Datapath actions: drop'" \
    || ovs_fail "subport 1 forwards after its trunk went"
ovs_controller_ctl hv1 status >/dev/null || ovs_fail "the controller died"
echo "parent unplugged and plugged, trunk deleted: ok"

#!/usr/bin/env bash
# System test: the sandbox on the dummy datapath.  Proves the same node
# contract with dvr-datapath-type=dummy and no namespaces; the underlay
# through the hub switch (a Geneve packet from hv1 reaches hv2, seen both
# in the hub's capture of hv2's link and at the far end); the provider
# network from a node's br-ex to the external host's capture and back;
# VMs as dummy ports with pcap files, frames between two of them with
# tests/lib/dummy.sh; and that down leaves nothing.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
sb_init
nsbefore=$(sb_namespaces)
sb_up --datapath dummy --no-controller --no-api
d=/run/dvrsb/$SB_PREFIX
[ "$(sb_namespaces)" = "$nsbefore" ] \
    || sb_fail "the dummy sandbox made namespaces"

i=0
for node in hv1 hv2 gw1; do
    i=$((i + 1))
    gw=false
    [ $node = gw1 ] && gw=true
    want="{dvr-bridge-mappings=\"physnet1:br-ex\", dvr-datapath-type=dummy,"
    want+=" dvr-encap-ip=\"192.0.2.1$i\", dvr-encap-type=geneve,"
    want+=" dvr-gateway=\"$gw\", dvr-nb-remote=\"unix:$d/nb/nb.sock\","
    want+=" dvr-sandbox=$SB_PREFIX, hostname=$node, system-id=$node}"
    got=$(sb ovs $node ovs-vsctl get Open_vSwitch . external_ids)
    [ "$got" = "$want" ] || sb_fail "$node external_ids: $got"
    for br in br-phy br-ex; do
        [ "$(sb ovs $node ovs-vsctl get bridge $br datapath_type)" = dummy ] \
            || sb_fail "$node: $br is not on the dummy datapath"
    done
    sb ovs $node ovs-appctl ovs/route/show | sb_has "192.0.2.0/24 dev br-phy SRC 192.0.2.1$i" \
        || sb_fail "$node: no underlay route"
done

# Underlay: a Geneve port on a scratch bridge of hv1 and hv2; a frame from
# hv1's scratch port comes out of hv2's.
for n in 1 2; do
    node=hv$n peer=192.0.2.1$((3 - n))
    sb ovs $node ovs-vsctl add-br br-s -- set bridge br-s datapath_type=dummy \
        -- add-port br-s gnv0 -- set interface gnv0 type=geneve \
           options:remote_ip=$peer options:key=77 ofport_request=1 \
        -- add-port br-s s0 -- set interface s0 type=dummy ofport_request=2 \
           options:tx_pcap="$d/s-$node.pcap" \
        || sb_fail "cannot make the scratch bridge on $node"
    sb ovs $node ovs-ofctl add-flow br-s in_port=2,actions=1
    sb ovs $node ovs-ofctl add-flow br-s in_port=1,actions=2
done
icmp=$(dummy_icmp 02:00:00:00:01:01 02:00:00:00:01:02 10.7.0.1 10.7.0.2)
sb_node_env hv1
dummy_send_expect s0 "$icmp" "$d/s-hv2.pcap" "icmp and dst host 10.7.0.2" \
    || sb_fail "the frame did not cross the tunnel"
[ "$(dummy_count "$d/fabric/ul-hv2.pcap" \
       'udp dst port 6081 and src host 192.0.2.11 and dst host 192.0.2.12')" -ge 1 ] \
    || { dummy_dump "$d/fabric/ul-hv2.pcap"; sb_fail "no Geneve packet to hv2 in the hub"; }

# Provider network: hv1's br-ex (NORMAL without a controller) to the
# external host's port on the hub, and back.
sb ovs hv1 ovs-vsctl add-port br-ex pscratch -- set interface pscratch \
    type=dummy options:tx_pcap="$d/pscratch.pcap"
arp=$(dummy_arp_request 02:00:00:00:02:01 203.0.113.11 203.0.113.1)
dummy_send_expect pscratch "$arp" "$d/ext.pcap" "arp and ether src 02:00:00:00:02:01" \
    || sb_fail "the provider network does not reach the external host"
sb_node_env fabric
dummy_send_expect ext "$(dummy_icmp 02:00:00:00:02:99 02:00:00:00:02:01 203.0.113.1 203.0.113.11)" \
    "$d/pscratch.pcap" "icmp and src host 203.0.113.1" \
    || sb_fail "the external host does not reach hv1's br-ex"

# VMs are dummy ports on br-int with a pcap; frames flow between two.
net=$(sb_network net1)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
sb_vm vm1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:00:00:11
sb_vm vm2 hv1 "$net" "$sub" 10.0.0.12 fa:16:3e:00:00:12
p1=$SB_PORT
[ "$(sb ovs hv1 ovs-vsctl get interface "$(sb_vm_var vm2 VM_IFACE)" external_ids:iface-id)" = "\"$p1\"" ] \
    || sb_fail "vm2's iface-id"
[ "$(sb ovs hv1 ovs-vsctl get interface "$(sb_vm_var vm2 VM_IFACE)" type)" = dummy ] \
    || sb_fail "vm2 is not a dummy port"
[ "$(sb_vm_var vm2 VM_PCAP)" = "$d/vms/vm2.pcap" ] || sb_fail "vm2's pcap"
sb_node_env hv1
dummy_send_expect "$(sb_vm_var vm1 VM_IFACE)" \
    "$(dummy_icmp fa:16:3e:00:00:11 fa:16:3e:00:00:12 10.0.0.11 10.0.0.12)" \
    "$(sb_vm_var vm2 VM_PCAP)" "icmp and src host 10.0.0.11" \
    || sb_fail "vm1 -> vm2 frame not delivered"
expect_msg="sandbox: exec: the dummy datapath has no namespaces (use tests/lib/dummy.sh)"
[ "$(sb exec vm1 true 2>&1)" = "$expect_msg" ] || sb_fail "exec on a dummy VM"
sb vm-del vm1 || sb_fail "vm-del vm1"
[ "$(sb ovs hv1 ovs-vsctl list-ports br-int)" = "$(sb_vm_var vm2 VM_IFACE)" ] \
    || sb_fail "vm1's port left"

sb down || sb_fail "down"
sb_assert_gone "$SB_PREFIX"
echo "sandbox-dummy: ok"

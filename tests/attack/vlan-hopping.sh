#!/usr/bin/env bash
# Attack test (issue 14): VLAN hopping.  VMs send 802.1Q-tagged (VLAN 100)
# and 802.1ad-tagged (QinQ, TPID 0x88a8) frames: on a flat provider
# network, through the router (SNAT on the network node) and through a
# floating IP (on the VM's own node).  None may leave the physical port
# tagged: a VIF is an access port and its tagged frames are dropped (and
# counted by their own flow), with port security on or off.  Untagged
# frames of the same VMs still reach the external host.  The dummy-
# datapath sandbox (hv1, gw1, the external host's capture).
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
. "$abs_top_srcdir/tests/attack/lib.sh"
sb_init
sb_up --datapath dummy --computes 1 --gateways 1
d=/run/dvrsb/$SB_PREFIX
ext=$d/ext.pcap

atk_external_router
pflat=$(atk_port "$ATK_PUB" "$ATK_PUBSUB" 203.0.113.50)
popen=$(sb_api_id POST /ports "{\"port\": {\"network_id\": \"$ATK_PUB\",
    \"fixed_ips\": [{\"subnet_id\": \"$ATK_PUBSUB\",
                     \"ip_address\": \"203.0.113.51\"}],
    \"port_security_enabled\": false}}")
pfip=$(atk_port "$ATK_PRIV" "$ATK_PRIVSUB" 192.168.10.11)
psnat=$(atk_port "$ATK_PRIV" "$ATK_PRIVSUB" 192.168.10.12)
sb_vm_port vflat hv1 "$pflat"
sb_vm_port vopen hv1 "$popen"
sb_vm_port vfip hv1 "$pfip"
sb_vm_port vsnat hv1 "$psnat"
fip=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$ATK_PUB\", \"port_id\": \"$pfip\"}}" \
      | jq -r .floatingip.floating_ip_address)
echo "router gateway $ATK_GWIP, floating IP $fip"

hopped=0
# try VM SRC DST DST_MAC WHO SRC_ON_WIRE: VM sends tagged frames (802.1Q
# VLAN 100 and 802.1ad VLAN 200); counts those that reach the external
# host tagged.
try() {
    local vm=$1 src=$2 dst=$3 dmac=$4 who=$5 wire=$6 n
    atk_send "$vm" "$(atk_udp "$vm" "$src" "$dst" "$dmac" --vlan 100 \
                      --dport 1001)"
    atk_send "$vm" "$(atk_udp "$vm" "$src" "$dst" "$dmac" --vlan 200 \
                      --tpid 0x88a8 --dport 1002)"
    sleep 1
    n=$(dummy_count "$ext" "vlan and udp and src host $wire")
    echo "$who: $n tagged frame(s) reached the external host"
    hopped=$((hopped + n))
}

atk_reach vflat 203.0.113.50 203.0.113.1 "$ATK_EXT_MAC" \
    "udp and src host 203.0.113.50 and not vlan"
try vflat 203.0.113.50 203.0.113.1 "$ATK_EXT_MAC" "flat network" \
    203.0.113.50
atk_reach vopen 203.0.113.51 203.0.113.1 "$ATK_EXT_MAC" \
    "udp and src host 203.0.113.51 and not vlan"
try vopen 203.0.113.51 203.0.113.1 "$ATK_EXT_MAC" \
    "flat network, port security off" 203.0.113.51
atk_reach vfip 192.168.10.11 198.51.100.7 "$ATK_RMAC" \
    "udp and src host $fip and not vlan"
try vfip 192.168.10.11 198.51.100.7 "$ATK_RMAC" "floating IP" "$fip"
atk_reach vsnat 192.168.10.12 198.51.100.7 "$ATK_RMAC" \
    "udp and src host $ATK_GWIP and not vlan"
try vsnat 192.168.10.12 198.51.100.7 "$ATK_RMAC" "router (SNAT)" "$ATK_GWIP"
if [ "$hopped" -gt 0 ]; then
    dummy_dump "$ext" | grep -i vlan >&2 || true
    sb_fail "$hopped tagged frame(s) hopped onto the physical network"
fi

# The drops are counted, by the one static flow that drops tagged frames
# from any VIF (a VIF's own classify flow takes untagged frames only).
dropped=$(sb ovs hv1 ovs-ofctl -O OpenFlow13 dump-flows br-int table=0 \
          | grep -F 'vlan_tci=0x1000/0x1000 actions=drop' \
          | sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' | awk '{s+=$1} END {print s+0}')
[ "$dropped" = 8 ] || sb_fail "$dropped tagged frames counted as dropped, not 8"
echo "tagged frames dropped at the VIFs: $dropped"
atk_controllers_alive
echo "vlan-hopping: ok"

#!/usr/bin/env bash
# System test: VMs in a sandbox without dvr-controller (br-int then does
# plain NORMAL switching, so two VMs on one node can talk).  Proves that
# vm-add plugs a VM as os-vif does (iface-id, attached-mac, iface-status,
# vm-uuid), takes MAC, address, gateway and MTU from the NB port, turns tx
# checksum offload off, configures a DHCP subnet's port by DHCP (a busybox
# udhcpd in another VM serves it) and fails cleanly without a DHCP server;
# that the ping and TCP assertions of tests/system/lib.sh see both
# reachability and its absence; that vm-del and down remove VMs.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --no-controller --no-api
d=/run/dvrsb/$SB_PREFIX

net=$(sb_network net1 geneve 101 1400)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
sb_vm vm1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:00:00:11
p1=$SB_PORT
sb_vm vm2 hv1 "$net" "$sub" 10.0.0.12 fa:16:3e:00:00:12
sb_vm vm3 hv2 "$net" "$sub" 10.0.0.13 fa:16:3e:00:00:13

# Plugged as os-vif plugs a VIF.
iface=tap${p1:0:11}
[ "$(sb_vm_var vm1 VM_IFACE)" = "$iface" ] || sb_fail "vm1 interface name"
ids=$(sb ovs hv1 ovs-vsctl get interface "$iface" external_ids)
vmuuid=$(sb_vm_var vm1 VM_UUID)
want="{attached-mac=\"fa:16:3e:00:00:11\", iface-id=\"$p1\", iface-status=active, vm-uuid=\"$vmuuid\"}"
[ "$ids" = "$want" ] || sb_fail "vm1 external_ids: $ids"
# --vm-uuid: the instance's UUID, as os-vif writes Nova's server id.
p4=$(sb_port "$net" "$sub" 10.0.0.14 fa:16:3e:00:00:14)
u4=7d2b1a1e-5c0f-4c4e-9a53-2f1d6b7e0a44
sb vm-add vm4 --node hv2 --port "$p4" --vm-uuid "$u4" || sb_fail "vm-add vm4"
[ "$(sb ovs hv2 ovs-vsctl get interface "tap${p4:0:11}" \
      external_ids:vm-uuid)" = "\"$u4\"" ] || sb_fail "vm4 vm-uuid"
[ "$(sb_vm_var vm4 VM_UUID)" = "$u4" ] || sb_fail "vm4 record's VM_UUID"
sb vm-del vm4 || sb_fail "vm-del vm4"
[ "$(sb ovs hv1 ovs-vsctl port-to-br "$iface")" = br-int ] \
    || sb_fail "vm1 is not on br-int"
[ "$(sb ovs hv1 ovs-vsctl get bridge br-int datapath_type)" = netdev ] \
    || sb_fail "br-int is not on the netdev datapath"
# MAC, address, route, MTU and offload inside the VM.
sb exec vm1 ip -o link show eth0 | sb_has 'mtu 1400 .*link/ether fa:16:3e:00:00:11' \
    || sb_fail "vm1 link: $(sb exec vm1 ip -o link show eth0)"
sb exec vm1 ip -o addr show eth0 | sb_has 'inet 10.0.0.11/24' \
    || sb_fail "vm1 address"
[ "$(sb exec vm1 ip route show default)" = "default via 10.0.0.1 dev eth0 " ] \
    || sb_fail "vm1 route: $(sb exec vm1 ip route show default)"
sb exec vm1 ethtool -k eth0 | sb_has '^tx-checksumming: off' \
    || sb_fail "vm1 has tx checksum offload on"
# Nothing of the VM is in the root namespace; its peer is in hv1's.
ip -o link show | sb_has "$iface" && sb_fail "VM link in the root namespace"
sb exec hv1 ip -o link show "$iface" >/dev/null || sb_fail "no $iface on hv1"

# Reachability on hv1's br-int; none from hv2 (no controller, no tunnels).
sb_assert_ping vm1 10.0.0.12
sb_assert_ping vm2 10.0.0.11
sb_tcp_listen vm2 8080
sb_assert_tcp vm1 10.0.0.12 8080
sb_assert_no_tcp vm1 10.0.0.12 8081
sb_assert_no_ping vm1 10.0.0.13
sb_assert_no_tcp vm3 10.0.0.12 8080

# DHCP: a server VM (port without a fixed IP, address set by hand) runs
# busybox udhcpd; a VM on a DHCP subnet gets its address from it.
dnet=$(sb_network net2 geneve 102 1500)
dsub=$(sb_subnet "$dnet" 10.2.0.0/24 10.2.0.1 true)
srvport=$(sb_port "$dnet" "" "" fa:16:3e:00:02:02)
sb vm-add dsrv --node hv2 --port "$srvport" || sb_fail "vm-add dsrv"
sb exec dsrv ip addr add 10.2.0.2/24 dev eth0
cat > "$d/udhcpd.conf" <<EOF
start 10.2.0.50
end 10.2.0.50
interface eth0
lease_file $d/udhcpd.leases
pidfile $d/udhcpd.pid
option subnet 255.255.255.0
option router 10.2.0.1
option lease 600
EOF
touch "$d/udhcpd.leases"
sb exec dsrv busybox udhcpd -f -a 100 "$d/udhcpd.conf" >/dev/null 2>&1 &
for _ in $(seq 50); do
    [ -n "$(sb exec dsrv ss -Hlun 'sport = :67')" ] && break
    sleep 0.05
done
sb_vm dvm hv2 "$dnet" "$dsub" 10.2.0.50 fa:16:3e:00:02:50
sb exec dvm ip -o addr show eth0 | sb_has 'inet 10.2.0.50/24' \
    || sb_fail "dvm has no DHCP address: $(sb exec dvm ip -o addr show eth0)"
[ "$(sb exec dvm ip route show default)" = "default via 10.2.0.1 dev eth0 " ] \
    || sb_fail "dvm route: $(sb exec dvm ip route show default)"
sb_assert_ping dvm 10.2.0.2
sb status | sb_has "vm dvm on hv2: .*ip 10.2.0.50/24 (dhcp)" \
    || sb_fail "status does not show dvm"

# Without a DHCP server vm-add fails in a few seconds and leaves nothing.
kill "$(cat "$d/udhcpd.pid")"
nport=$(sb_port "$dnet" "$dsub" 10.2.0.51 fa:16:3e:00:02:51)
t0=$(sb_ms)
rc=0
sb vm-add nodhcp --node hv2 --port "$nport" --dhcp-timeout 2 2>"$d/err" \
    || rc=$?
[ $rc = 1 ] && grep -qx "sandbox: no DHCP lease for nodhcp (port $nport) within 2 s" "$d/err" \
    || sb_fail "vm-add without DHCP server: rc $rc, $(cat "$d/err")"
[ $(( $(sb_ms) - t0 )) -lt 10000 ] || sb_fail "DHCP failure took too long"
ip netns list | sb_has "^$SB_PREFIX-nodhcp" && sb_fail "nodhcp namespace left"
sb ovs hv2 ovs-vsctl list-ports br-int | sb_has "tap${nport:0:11}" \
    && sb_fail "nodhcp port left on br-int"
[ ! -e "$d/vms/nodhcp.conf" ] || sb_fail "nodhcp record left"

# vm-del removes the VM's namespace and port, and its processes.
vm2pids=$(ip netns pids "$SB_PREFIX-vm2")
[ -n "$vm2pids" ] || sb_fail "vm2 runs no listener"
sb vm-del vm2 || sb_fail "vm-del vm2"
for pid in $vm2pids; do
    if kill -0 "$pid" 2>/dev/null && ! grep -qs '^State:.*Z' /proc/"$pid"/status
    then
        sb_fail "vm2's process $pid survived vm-del"
    fi
done
ip netns list | sb_has "^$SB_PREFIX-vm2\b" && sb_fail "vm2 namespace left"
[ "$(sb ovs hv1 ovs-vsctl list-ports br-int)" = "$iface" ] \
    || sb_fail "br-int on hv1 holds $(sb ovs hv1 ovs-vsctl list-ports br-int)"
sb_assert_no_ping vm1 10.0.0.12

# The external host is on the provider network.
sb exec ext ip -o addr show eth0 | sb_has 'inet 203.0.113.1/24' \
    || sb_fail "external host address"

sb down || sb_fail "down"
sb_assert_gone "$SB_PREFIX"
echo "sandbox-vms: ok"

#!/usr/bin/env bash
# System test (issue 20): trunk ports.  A VM on hv1 with a trunk (parent on
# pnet, subports on net101 and net102 with VLAN ids 101 and 102) reaches,
# through its VLAN sub-interfaces, VMs on hv2 on each subport's network,
# and its parent's peer untagged; the subport on net102 has a security
# group of its own (TCP 80 in only), which is enforced; a subport removed
# from the trunk stops its traffic, added back it flows again.  The
# topology is made through dvr-api.
#
# The VM's VLAN sub-interfaces: "ip link add link eth0 name eth0.101 type
# vlan id 101" where the kernel has the 8021q module; where it has not (a
# container), tests/system/vlan-tap.py makes eth0.101 a tap device that
# it bridges to eth0 with tag 101, so the VM's kernel still does ARP,
# ICMP and TCP over it.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2

net() {
    local n s
    n=$(sb_api_id POST /networks "{\"network\": {\"name\": \"$1\"}}")
    s=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$n\",
        \"cidr\": \"$2\", \"ip_version\": 4, \"enable_dhcp\": false}}")
    echo "$n $s"
}
port() {   # port NAME NET SUBNET IP [SG]
    sb_api_id POST /ports "{\"port\": {\"name\": \"$1\", \"network_id\": \"$2\",
        \"fixed_ips\": [{\"subnet_id\": \"$3\", \"ip_address\": \"$4\"}]
        ${5:+, \"security_groups\": [\"$5\"]}}}"
}
read -r np sp <<<"$(net pnet 10.0.0.0/24)"
read -r n1 s1 <<<"$(net net101 10.1.0.0/24)"
read -r n2 s2 <<<"$(net net102 10.2.0.0/24)"
web=$(sb_api_id POST /security-groups '{"security_group": {"name": "web"}}')
sb_api POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$web\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv4\", \"protocol\": \"tcp\", \"port_range_min\": 80,
    \"port_range_max\": 80}}" >/dev/null
icmp=$(sb_api_id POST /security-groups '{"security_group": {"name": "icmp"}}')
sb_api POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$icmp\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv4\", \"protocol\": \"icmp\"}}" >/dev/null
parent=$(port parent "$np" "$sp" 10.0.0.5)
sub1=$(port sub101 "$n1" "$s1" 10.1.0.5)
sub2=$(port sub102 "$n2" "$s2" 10.2.0.5 "$web")
trunk=$(sb_api_id POST /trunks "{\"trunk\": {\"name\": \"t\",
    \"port_id\": \"$parent\", \"sub_ports\": [
    {\"port_id\": \"$sub1\", \"segmentation_type\": \"vlan\", \"segmentation_id\": 101},
    {\"port_id\": \"$sub2\", \"segmentation_type\": \"vlan\", \"segmentation_id\": 102}]}}")
sb_vm_port tvm hv1 "$parent"
sb_vm_port vmp hv2 "$(port vmp "$np" "$sp" 10.0.0.6)"
sb_vm_port vm1 hv2 "$(port vm101 "$n1" "$s1" 10.1.0.6)"
sb_vm_port vm2 hv2 "$(port vm102 "$n2" "$s2" 10.2.0.6 "$icmp")"

mac() { sb_api GET "/ports/$1" | jq -r .port.mac_address; }
mac1=$(mac "$sub1"); mac2=$(mac "$sub2")
tns=$SB_PREFIX-tvm
if ip -n "$tns" link add link eth0 name eth0.101 type vlan id 101 2>/dev/null
then
    ip -n "$tns" link add link eth0 name eth0.102 type vlan id 102
    echo "VLAN sub-interfaces: the kernel's 8021q"
else
    ip netns exec "$tns" ethtool -K eth0 rxvlan off >/dev/null 2>&1 || true
    ip netns exec "$tns" /usr/bin/python3 \
        "$abs_top_srcdir/tests/system/vlan-tap.py" eth0 101=eth0.101 \
        102=eth0.102 >"$SB_TMP/vlan-tap.out" 2>&1 </dev/null &
    for _ in $(seq 50); do
        grep -q ready "$SB_TMP/vlan-tap.out" && break
        sleep 0.1
    done
    grep -q ready "$SB_TMP/vlan-tap.out" \
        || sb_fail "vlan-tap.py: $(cat "$SB_TMP/vlan-tap.out")"
    echo "VLAN sub-interfaces: no 8021q here, tests/system/vlan-tap.py"
fi
for v in 1 2; do
    dev=eth0.10$v m=$mac1
    [ $v = 2 ] && m=$mac2
    ip -n "$tns" link set "$dev" address "$m"
    ip netns exec "$tns" ethtool -K "$dev" tx off >/dev/null 2>&1 || true
    ip -n "$tns" addr add "10.$v.0.5/24" dev "$dev"
    ip -n "$tns" link set "$dev" up
done

# Untagged: the parent's network; tagged: each subport's.
sb_assert_ping tvm 10.0.0.6
sb_assert_ping tvm 10.1.0.6
sb_assert_ping vm1 10.1.0.5
echo "parent untagged and subport 101 both ways, across hypervisors: ok"

# Subport 102's own group: TCP 80 in, nothing else (no ping in); its
# egress (the group's default rules) lets it ping out.
sb_tcp_listen tvm 80
sb_tcp_listen tvm 8080
sb_assert_tcp vm2 10.2.0.5 80
sb_assert_no_tcp vm2 10.2.0.5 8080
sb_assert_no_ping vm2 10.2.0.5
sb_assert_ping tvm 10.2.0.6
sb_assert_tcp vm1 10.1.0.5 8080
echo "security group on subport 102 enforced (80 in, 8080 and ping not): ok"

# Removed live, the subport's traffic stops; added back, it flows.
sb_api PUT "/trunks/$trunk/remove_subports" \
    "{\"sub_ports\": [{\"port_id\": \"$sub1\"}]}" >/dev/null
sleep 1
sb_assert_no_ping tvm 10.1.0.6
sb_assert_no_ping vm1 10.1.0.5
sb_assert_ping tvm 10.2.0.6
sb_api PUT "/trunks/$trunk/add_subports" "{\"sub_ports\": [
    {\"port_id\": \"$sub1\", \"segmentation_type\": \"vlan\",
     \"segmentation_id\": 101}]}" >/dev/null
sb_assert_ping tvm 10.1.0.6
echo "subport 101 removed: no traffic; added back: traffic: ok"
status=$(sb_api GET "/trunks/$trunk" | jq -r .trunk.status)
[ "$status" = ACTIVE ] || sb_fail "trunk status $status"

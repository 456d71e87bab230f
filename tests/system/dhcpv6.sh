#!/usr/bin/env bash
# System test: dvr-controller's DHCPv6 server (issue 18), with ISC dhclient
# in VMs on the netdev sandbox.  On a dhcpv6-stateful subnet `dhclient -6`
# gets the very address dvr-api allocated to the port (and the DNS server);
# on a dhcpv6-stateless subnet `dhclient -6 -S` gets the DNS server and the
# domain search list, while the kernel takes its address from the router
# advertisement; `dhclient -6 -r` releases.  Metadata over IPv6: curl to
# http://[fe80::a9fe:a9fe%eth0] in a VM gets that VM's own data.  The clients' script writes
# under the test's directory: the host's resolv.conf is never touched.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 1
D=/run/dvrsb/$SB_PREFIX
ctl() {
    local node=$1; shift
    sb ovs "$node" ovs-appctl -t "$D/$node/run/dvr-controller.ctl" "$@"
}

subnet() {
    sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$1\",
        \"cidr\": \"$2\", \"ip_version\": 6, \"ipv6_ra_mode\": \"$3\",
        \"ipv6_address_mode\": \"$3\", \"dns_nameservers\": [\"$4\"]}}"
}
net1=$(sb_api_id POST /networks '{"network": {"name": "stateful"}}')
sub1=$(subnet "$net1" 2001:db8:a::/64 dhcpv6-stateful 2001:db8::35)
net2=$(sb_api_id POST /networks '{"network": {"name": "stateless"}}')
sub2=$(subnet "$net2" 2001:db8:b::/64 dhcpv6-stateless 2001:db8::53)
port() {
    sb_api POST /ports "{\"port\": {\"name\": \"$1\", \"network_id\": \"$2\",
        \"mac_address\": \"$3\"}}"
}
p1j=$(port vm1 "$net1" fa:16:3e:00:d6:01)
p2j=$(port vm2 "$net2" fa:16:3e:00:d6:02)
ip1=$(echo "$p1j" | jq -r '.port.fixed_ips[0].ip_address')
ip2=$(echo "$p2j" | jq -r '.port.fixed_ips[0].ip_address')
[ -n "$ip1" ] && [ "$ip1" != null ] || sb_fail "vm1's port has no address: $p1j"
echo "API: stateful port $ip1, stateless port $ip2"

# The VMs configure IPv6 themselves (--slaac: no address from the sandbox);
# dhclient needs a link-local address that is no longer tentative.
sb vm-add vm1 --node hv1 --port "$(echo "$p1j" | jq -r .port.id)" --slaac \
    || sb_fail "vm-add vm1"
sb vm-add vm2 --node hv1 --port "$(echo "$p2j" | jq -r .port.id)" --slaac \
    || sb_fail "vm-add vm2"
lla_ready() {
    sb exec "$1" ip -6 addr show dev eth0 scope link | grep -q inet6 \
        && ! sb exec "$1" ip -6 addr show dev eth0 tentative | grep -q inet6
}
for vm in vm1 vm2; do
    sb_await 10000 lla_ready $vm >/dev/null \
        || sb_fail "$vm has no link-local address: $(sb exec $vm ip -6 addr)"
done

cat > "$SB_TMP/dhclient-script" <<'SCRIPT'
#!/bin/sh
# A dhclient-script that writes under the test's directory only.
# (dhclient gives its script no environment of the caller's: each VM has
# its own copy of it, in its own directory.)
d=$(dirname "$0")
mkdir -p "$d"
env | grep '^new_' | sort > "$d/$reason.env.tmp"
mv "$d/$reason.env.tmp" "$d/$reason.env"
case $reason in
    BOUND6|RENEW6|REBIND6|REBOOT6)
        [ -z "$new_ip6_address" ] || ip -6 addr replace \
            "$new_ip6_address/${new_ip6_prefixlen:-128}" dev "$interface" \
            valid_lft "${new_max_life:-forever}" \
            preferred_lft "${new_preferred_life:-forever}" nodad
        { [ -z "$new_dhcp6_domain_search" ] \
              || echo "search $new_dhcp6_domain_search"
          for ns in $new_dhcp6_name_servers; do echo "nameserver $ns"; done
        } > "$d/resolv.conf" ;;
    EXPIRE6|RELEASE6|STOP6)
        [ -z "$old_ip6_address" ] \
            || ip -6 addr del "$old_ip6_address/${old_ip6_prefixlen:-128}" \
                   dev "$interface" ;;
esac
# The event last: the test waits for it.
echo "$reason" >> "$d/events"
exit 0
SCRIPT
chmod +x "$SB_TMP/dhclient-script"
: > "$SB_TMP/dhclient.conf"
for vm in vm1 vm2; do
    mkdir "$SB_TMP/dhclient-$vm"
    cp "$SB_TMP/dhclient-script" "$SB_TMP/dhclient-$vm/"
done
dh() {
    local vm=$1; shift
    sb exec "$vm" timeout 30 \
        dhclient -6 -v -cf "$SB_TMP/dhclient.conf" \
        -sf "$SB_TMP/dhclient-$vm/dhclient-script" \
        -lf "$SB_TMP/$vm.leases" -pf "$SB_TMP/$vm.pid" "$@"
}

# Stateful: the port's own address.
t0=$(sb_ms)
dh vm1 -1 eth0 >"$SB_TMP/vm1.log" 2>&1 \
    || sb_fail "dhclient -6 got no lease: $(cat "$SB_TMP/vm1.log"; ctl hv1 status)"
echo "vm1: dhclient -6 lease in $(( $(sb_ms) - t0 )) ms"
d1=$SB_TMP/dhclient-vm1
grep -qx BOUND6 "$d1/events" || sb_fail "vm1 not bound: $(cat "$d1/events")"
env1=$(cat "$d1/BOUND6.env")
grep -qx "new_ip6_address=$ip1" <<<"$env1" \
    || sb_fail "vm1 leased not $ip1: $env1"
grep -qx "new_dhcp6_name_servers=2001:db8::35" <<<"$env1" \
    || sb_fail "vm1 got no DNS server: $env1"
sb exec vm1 ip -6 addr show dev eth0 scope global | sb_has "inet6 $ip1/" \
    || sb_fail "vm1 has not $ip1: $(sb exec vm1 ip -6 addr)"
grep -qx "nameserver 2001:db8::35" "$d1/resolv.conf" \
    || sb_fail "vm1's resolv.conf: $(cat "$d1/resolv.conf")"
echo "stateful: vm1 leased $ip1 (as dvr-api allocated), DNS 2001:db8::35: ok"

# Stateless: DNS and domain only; the address comes from the RA.
t0=$(sb_ms)
dh vm2 -S -1 eth0 >"$SB_TMP/vm2.log" 2>&1 \
    || sb_fail "dhclient -6 -S got nothing: $(cat "$SB_TMP/vm2.log"; ctl hv1 status)"
echo "vm2: dhclient -6 -S answered in $(( $(sb_ms) - t0 )) ms"
d2=$SB_TMP/dhclient-vm2
env2=$(cat "$d2"/*6.env)
grep -qx "new_dhcp6_name_servers=2001:db8::53" <<<"$env2" \
    || sb_fail "vm2 got no DNS server: $(cat "$d2/events"): $env2"
grep -q "^new_ip6_address=" <<<"$env2" \
    && sb_fail "vm2 got an address on a stateless subnet: $env2"
grep -qx "nameserver 2001:db8::53" "$d2/resolv.conf" \
    && grep -qx "search openstacklocal." "$d2/resolv.conf" \
    || sb_fail "vm2's resolv.conf: $(cat "$d2/resolv.conf")"
echo "stateless: vm2 got DNS 2001:db8::53 and search openstacklocal: ok"
has_addr() {
    sb exec vm2 ip -6 addr show dev eth0 scope global | grep -q "inet6 $ip2/64"
}
sb_await 20000 has_addr >/dev/null \
    || sb_fail "vm2 has no SLAAC address $ip2: $(sb exec vm2 ip -6 addr)"
echo "stateless: vm2's kernel took $ip2 from the RA: ok"

# Metadata over IPv6, as recent Neutron serves it: curl to
# [fe80::a9fe:a9fe%eth0] gets this VM's own data.
iid=44444444-dddd-4ddd-8ddd-000000000004
iid2=55555555-eeee-4eee-8eee-000000000005
instance() {
    local pj=$1 id=$2 name=$3
    sb_nb "{\"op\":\"insert\",\"table\":\"Instance\",\"row\":{
        \"instance_id\":\"$id\",\"name\":\"$name\",
        \"project_id\":\"$(echo "$pj" | jq -r .port.project_id)\"}}" \
        >/dev/null
    sb_api PUT "/ports/$(echo "$pj" | jq -r .port.id)" \
        "{\"port\": {\"device_id\": \"$id\"}}" >/dev/null
}
instance "$p1j" "$iid" vm-six
instance "$p2j" "$iid2" vm-seven
sb exec hv1 ip -o -6 addr show dev dvr-meta \
    | sb_has 'inet6 fe80::a9fe:a9fe/64' \
    || sb_fail "no fe80::a9fe:a9fe on dvr-meta: $(sb exec hv1 ip -o addr)"
get6() {
    sb exec "$1" curl -gsf --max-time 5 "http://[fe80::a9fe:a9fe%eth0]$2"
}
t0=$(sb_ms)
for _ in $(seq 20); do
    get6 vm1 /openstack/latest/meta_data.json 2>/dev/null | grep -q "$iid" \
        && break
    sleep 0.25
done
get6 vm1 /openstack | sb_has '^latest$' \
    || sb_fail "vm1: no /openstack over IPv6: $(ctl hv1 status)"
json1=$(get6 vm1 /openstack/latest/meta_data.json) \
    || sb_fail "vm1 cannot fetch meta_data.json over IPv6"
[ "$(echo "$json1" | jq -r .uuid)" = "$iid" ] || sb_fail "vm1 got: $json1"
[ "$(echo "$json1" | jq -r .name)" = vm-six ] || sb_fail "vm1 got: $json1"
json2=$(get6 vm2 /openstack/latest/meta_data.json) \
    || sb_fail "vm2 cannot fetch meta_data.json over IPv6"
[ "$(echo "$json2" | jq -r .uuid)" = "$iid2" ] \
    || sb_fail "vm2 got: $json2"
echo "metadata over IPv6: vm1 its own meta_data.json in $(( $(sb_ms) - t0 )) ms, vm2 its own: ok"

# Release: the server acknowledges it.
dh vm1 -r eth0 >>"$SB_TMP/vm1.log" 2>&1 \
    || sb_fail "dhclient -6 -r failed: $(cat "$SB_TMP/vm1.log")"
st=$(ctl hv1 status | grep '^dhcpv6:')
case "$st" in
    *"release 1"*) ;;
    *) sb_fail "no Release seen: $st" ;;
esac
echo "release: ok ($st)"

# ovs-vswitchd restarted (with --cleanup, so that it makes the metadata
# port dvr-meta anew, with a new interface index): the controller's IPv6
# listener moves to the new link and vm2 fetches metadata over IPv6 again.
# (Before, it stayed bound to the old link's scope and never answered.)
idx0=$(sb exec hv1 cat /sys/class/net/dvr-meta/ifindex)
vs_pid=$(cat "$D/hv1/run/ovs-vswitchd.pid")
sb ovs hv1 ovs-appctl -t ovs-vswitchd exit --cleanup
# Gone (a zombie counts: PID 1 reaps late) and its device with it.
vs_gone() {
    ! grep -q '^State:[[:space:]]*[^Z]' "/proc/$vs_pid/status" 2>/dev/null
}
sb_await 10000 vs_gone >/dev/null \
    || sb_fail "ovs-vswitchd $vs_pid does not exit"
sb_await 5000 sh -c "! ip netns exec $SB_PREFIX-hv1 test -e /sys/class/net/dvr-meta" \
    >/dev/null || sb_fail "dvr-meta stays after ovs-vswitchd exit --cleanup"
(
    sb_node_env hv1
    ip netns exec "$SB_PREFIX-hv1" env OVS_RUNDIR="$OVS_RUNDIR" \
        OVS_DBDIR="$OVS_DBDIR" OVS_LOGDIR="$OVS_LOGDIR" \
        OVS_SYSCONFDIR="$OVS_SYSCONFDIR" ovs-vswitchd --detach --no-chdir \
        --disable-system --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
        --log-file="$OVS_LOGDIR/ovs-vswitchd.log" "unix:$OVS_RUNDIR/db.sock"
) || sb_fail "cannot restart hv1's ovs-vswitchd"
t0=$(sb_ms)
fetched6() {
    get6 vm2 /openstack/latest/meta_data.json 2>/dev/null | grep -q "$iid2"
}
sb_await 30000 fetched6 >/dev/null \
    || sb_fail "no metadata over IPv6 after ovs-vswitchd restarted: $(ctl hv1 status | grep -i metadata)"
idx1=$(sb exec hv1 cat /sys/class/net/dvr-meta/ifindex)
[ "$idx1" != "$idx0" ] || sb_fail "dvr-meta kept its index $idx0"
ctl hv1 status | grep -q "^metadata over IPv6: on index $idx1, listener moved [1-9]" \
    || sb_fail "$(ctl hv1 status | grep -i metadata)"
echo "ovs-vswitchd restarted, dvr-meta index $idx0 -> $idx1: metadata over IPv6 again in $(( $(sb_ms) - t0 )) ms: ok"

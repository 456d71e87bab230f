#!/usr/bin/env bash
# System test: dvr-controller's DHCP server, with real clients in VMs on
# the netdev sandbox.  busybox udhcpc and ISC dhclient each get the port's
# address, the default route, the DNS servers, the host routes, the MTU,
# the host and domain names; they renew (dhclient by unicast to the server
# after T1) and release.  A VM on a subnet without DHCP gets no offer, and
# a VM running a DHCP server (busybox udhcpd) answers nobody.  Nothing on
# the host changes: the clients' scripts write under the test's directory.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --no-api
# ctl NODE CMD...: ovs-appctl to NODE's dvr-controller.
ctl() {
    local node=$1; shift
    sb ovs "$node" ovs-appctl -t "/run/dvrsb/$SB_PREFIX/$node/run/dvr-controller.ctl" "$@"
}

net=$(sb_network net1 geneve 101 1442)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1 true)
sb_nb "{\"op\":\"update\",\"table\":\"Subnet\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$sub\"]]],
    \"row\":{\"dns_nameservers\":[\"set\",[\"10.0.0.2\",\"10.0.0.3\"]],
             \"host_routes\":[\"map\",[[\"172.16.0.0/12\",\"10.0.0.5\"]]]}}" \
    >/dev/null
# A short lease, so that the clients renew within the test.
sb_nb "{\"op\":\"mutate\",\"table\":\"NB_Global\",\"where\":[],
    \"mutations\":[[\"options\",\"insert\",[\"map\",[[\"dhcp_lease_time\",\"8\"],
    [\"dns_domain\",\"example.org\"]]]]]}" >/dev/null

# vm-add itself waits for a lease (udhcpc, the sandbox's hook).
t0=$(sb_ms)
sb_vm vm1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:00:00:11
echo "vm1: lease by vm-add in $(( $(sb_ms) - t0 )) ms"
sb exec vm1 ip -o addr show eth0 | sb_has 'inet 10.0.0.11/24' \
    || sb_fail "vm1 address: $(sb exec vm1 ip -o addr show eth0)"
sb exec vm1 ip route show default | sb_has '^default via 10.0.0.1 dev eth0' \
    || sb_fail "vm1 default route: $(sb exec vm1 ip route)"

# busybox udhcpc with a script that records every event and applies the
# address and the classless routes.
cat > "$SB_TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
# Written whole before it appears: the test waits for the file.
env | grep -E '^(ip|mask|router|dns|domain|hostname|mtu|staticroutes|lease|serverid)=' \
    | sort > "$UDHCPC_DIR/$1.env.tmp"
mv "$UDHCPC_DIR/$1.env.tmp" "$UDHCPC_DIR/$1.env"
echo "$1" >> "$UDHCPC_DIR/events"
case $1 in
    deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
    bound|renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/$mask" dev "$interface"
        set -- $staticroutes
        while [ $# -ge 2 ]; do
            ip route replace "$1" via "$2" dev "$interface"
            shift 2
        done ;;
esac
exit 0
SCRIPT
chmod +x "$SB_TMP/udhcpc.sh"
mkdir -p "$SB_TMP/udhcpc"
sb_port "$net" "$sub" 10.0.0.12 fa:16:3e:00:00:12 > "$SB_TMP/p2"
p2=$(cat "$SB_TMP/p2")
# A port with no DHCP lease yet: plug it as a VM on a subnet without DHCP
# would be, then run the client by hand.
sb_nb "{\"op\":\"update\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$p2\"]]],
    \"row\":{\"dns_name\":\"vm2.example.org\"}}" >/dev/null
sb vm-add vm2 --node hv2 --port "$p2" || sb_fail "vm-add vm2"
sb exec vm2 ip -4 addr flush dev eth0
sb exec vm2 ip -4 route flush dev eth0 2>/dev/null || true
UDHCPC_DIR=$SB_TMP/udhcpc sb exec vm2 busybox udhcpc -i eth0 -f -t 5 -T 1 \
    -A 1 -s "$SB_TMP/udhcpc.sh" -R -p "$SB_TMP/udhcpc.pid" \
    >"$SB_TMP/udhcpc.log" 2>&1 &
for _ in $(seq 50); do [ -f "$SB_TMP/udhcpc/bound.env" ] && break; sleep 0.1; done
[ -f "$SB_TMP/udhcpc/bound.env" ] || sb_fail "udhcpc got no lease: $(cat "$SB_TMP/udhcpc.log")"
env=$(cat "$SB_TMP/udhcpc/bound.env")
for kv in ip=10.0.0.12 mask=24 router=10.0.0.1 "dns=10.0.0.2 10.0.0.3" \
          domain=example.org hostname=vm2 mtu=1442 lease=8 serverid=10.0.0.1 \
          "staticroutes=172.16.0.0/12 10.0.0.5 0.0.0.0/0 10.0.0.1"; do
    grep -qxF "$kv" <<<"$env" || sb_fail "udhcpc: no '$kv' in: $env"
done
sb exec vm2 ip route | sb_has '^172.16.0.0/12 via 10.0.0.5 dev eth0' \
    || sb_fail "vm2 host route: $(sb exec vm2 ip route)"
sb exec vm2 ip route | sb_has '^default via 10.0.0.1 dev eth0' \
    || sb_fail "vm2 default route: $(sb exec vm2 ip route)"
sb_assert_ping vm2 10.0.0.11
# Renewal (SIGUSR1: busybox renews at once), unicast to the server.
kill -USR1 "$(cat "$SB_TMP/udhcpc.pid")"
for _ in $(seq 50); do grep -qx renew "$SB_TMP/udhcpc/events" && break; sleep 0.1; done
grep -qx renew "$SB_TMP/udhcpc/events" \
    || sb_fail "udhcpc did not renew: $(cat "$SB_TMP/udhcpc/events")"
grep -qx 'ip=10.0.0.12' "$SB_TMP/udhcpc/renew.env" || sb_fail "renewal changed the address"
# Release on exit (-R).
# releases NODE: the RELEASEs NODE's DHCP server has seen.
releases() { ctl "$1" status | sed -n 's/.*requests.* release \([0-9]*\).*/\1/p'; }
r0=$(releases hv2); r0=${r0:-0}
kill "$(cat "$SB_TMP/udhcpc.pid")"; wait 2>/dev/null || true
for _ in $(seq 30); do [ "$(releases hv2)" = $((r0 + 1)) ] && break; sleep 0.1; done
[ "$(releases hv2)" = $((r0 + 1)) ] || sb_fail "no RELEASE seen: $(ctl hv2 status)"
echo "udhcpc: lease, options, routes, renewal, release: ok"

# ISC dhclient, with private script, lease, pid and configuration files.
cat > "$SB_TMP/dhclient.conf" <<'CONF'
option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
request subnet-mask, broadcast-address, routers, domain-name,
        domain-name-servers, host-name, interface-mtu,
        rfc3442-classless-static-routes;
CONF
cat > "$SB_TMP/dhclient-script" <<'SCRIPT'
#!/bin/sh
# A dhclient-script that writes resolv.conf under the test's directory.
d=$(dirname "$0")/dhclient
mkdir -p "$d"
# The options first, whole, then the event the test waits for.
env | grep '^new_' | sort > "$d/$reason.env.tmp"
mv "$d/$reason.env.tmp" "$d/$reason.env"
echo "$reason" >> "$d/events"
case $reason in
    PREINIT) ip link set "$interface" up ;;
    BOUND|RENEW|REBIND|REBOOT)
        ip -4 addr flush dev "$interface"
        ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface"
        [ -z "$new_interface_mtu" ] || ip link set "$interface" mtu "$new_interface_mtu"
        set -- $new_rfc3442_classless_static_routes
        while [ $# -gt 0 ]; do
            plen=$1; shift; dst=""; n=$(( (plen + 7) / 8 ))
            for i in 1 2 3 4; do
                if [ $i -le $n ]; then dst="$dst.$1"; shift; else dst="$dst.0"; fi
            done
            gw="$1.$2.$3.$4"; shift 4
            ip route replace "${dst#.}/$plen" via "$gw" dev "$interface"
        done
        { echo "search $new_domain_name"
          for ns in $new_domain_name_servers; do echo "nameserver $ns"; done
        } > "$d/resolv.conf" ;;
    RELEASE|STOP|EXPIRE|FAIL) ip -4 addr flush dev "$interface" ;;
esac
exit 0
SCRIPT
chmod +x "$SB_TMP/dhclient-script"
sb_port "$net" "$sub" 10.0.0.13 fa:16:3e:00:00:13 > "$SB_TMP/p3"
p3=$(cat "$SB_TMP/p3")
sb vm-add vm3 --node hv1 --port "$p3" || sb_fail "vm-add vm3"
sb exec vm3 ip -4 addr flush dev eth0
sb exec vm3 ip -4 route flush dev eth0 2>/dev/null || true
dh=(dhclient -4 -v -cf "$SB_TMP/dhclient.conf" -sf "$SB_TMP/dhclient-script"
    -lf "$SB_TMP/dhclient.leases" -pf "$SB_TMP/dhclient.pid")
t0=$(sb_ms)
sb exec vm3 "${dh[@]}" -1 eth0 >"$SB_TMP/dhclient.log" 2>&1 \
    || sb_fail "dhclient got no lease: $(cat "$SB_TMP/dhclient.log")"
echo "vm3: dhclient lease in $(( $(sb_ms) - t0 )) ms"
dd=$SB_TMP/dhclient
env=$(cat "$dd/BOUND.env")
for kv in new_ip_address=10.0.0.13 new_subnet_mask=255.255.255.0 \
          new_routers=10.0.0.1 "new_domain_name_servers=10.0.0.2 10.0.0.3" \
          new_domain_name=example.org new_host_name=host-10-0-0-13 \
          new_interface_mtu=1442 new_dhcp_server_identifier=10.0.0.1 \
          "new_rfc3442_classless_static_routes=12 172 16 10 0 0 5 0 10 0 0 1"; do
    grep -qxF "$kv" <<<"$env" || sb_fail "dhclient: no '$kv' in: $env"
done
[ "$(cat "$dd/resolv.conf")" = "$(printf 'search example.org\nnameserver 10.0.0.2\nnameserver 10.0.0.3')" ] \
    || sb_fail "resolv.conf: $(cat "$dd/resolv.conf")"
sb exec vm3 ip route | sb_has '^default via 10.0.0.1 dev eth0' \
    || sb_fail "vm3 default route: $(sb exec vm3 ip route)"
sb exec vm3 ip route | sb_has '^172.16.0.0/12 via 10.0.0.5 dev eth0' \
    || sb_fail "vm3 host route: $(sb exec vm3 ip route)"
sb exec vm3 ip -o link show eth0 | sb_has 'mtu 1442' || sb_fail "vm3 MTU"
sb_assert_ping vm3 10.0.0.11
# dhclient renews at T1 by unicast to the server identifier (10.0.0.1,
# whose ARP the controller answers).
for _ in $(seq 100); do grep -qx RENEW "$dd/events" 2>/dev/null && break; sleep 0.1; done
grep -qx RENEW "$dd/events" || sb_fail "dhclient did not renew: $(cat "$dd/events")"
grep -qxF new_ip_address=10.0.0.13 "$dd/RENEW.env" || sb_fail "renewal changed the address"
r0=$(releases hv1); r0=${r0:-0}
sb exec vm3 "${dh[@]}" -r eth0 >>"$SB_TMP/dhclient.log" 2>&1 \
    || sb_fail "dhclient -r failed: $(cat "$SB_TMP/dhclient.log")"
grep -qx RELEASE "$dd/events" || sb_fail "dhclient did not release"
ctl hv1 status | sb_has "release $((r0 + 1))" || sb_fail "no RELEASE seen: $(ctl hv1 status)"
echo "dhclient: lease, options, resolv.conf, routes, renewal, release: ok"

# No DHCP on the subnet: no offer.
net2=$(sb_network net2 geneve 102 1442)
sub2=$(sb_subnet "$net2" 10.1.0.0/24 10.1.0.1 false)
sb_vm vm4 hv1 "$net2" "$sub2" 10.1.0.14 fa:16:3e:00:01:14
if sb exec vm4 busybox udhcpc -i eth0 -f -q -n -t 3 -T 1 -s /bin/true \
        >/dev/null 2>&1; then
    sb_fail "vm4 got a lease on a subnet without DHCP"
fi
echo "no offer without enable_dhcp: ok"

# A rogue DHCP server (busybox udhcpd in vm5) answers nobody: not vm6 on
# its DHCP-less subnet, not vm1's neighbours on the DHCP subnet.
sb_vm vm5 hv1 "$net2" "$sub2" 10.1.0.15 fa:16:3e:00:01:15
cat > "$SB_TMP/udhcpd.conf" <<CONF
interface eth0
start 10.1.0.100
end 10.1.0.150
lease_file $SB_TMP/udhcpd.leases
pidfile $SB_TMP/udhcpd.pid
option subnet 255.255.255.0
option router 10.1.0.66
CONF
touch "$SB_TMP/udhcpd.leases"
sb exec vm5 busybox udhcpd -f "$SB_TMP/udhcpd.conf" >"$SB_TMP/udhcpd.log" 2>&1 &
sleep 0.5
sb_vm vm6 hv1 "$net2" "$sub2" 10.1.0.16 fa:16:3e:00:01:16
if sb exec vm6 busybox udhcpc -i eth0 -f -q -n -t 3 -T 1 -s /bin/true \
        >/dev/null 2>&1; then
    sb_fail "vm6 got a lease from the rogue server in vm5"
fi
# Proof that the server runs and sees the requests: its own log.
grep -q "sending OFFER\|Sending OFFER" "$SB_TMP/udhcpd.log" \
    || echo "note: udhcpd log: $(tail -n 3 "$SB_TMP/udhcpd.log")"
echo "rogue DHCP server isolated: ok"
ctl hv1 status | grep -E '^(packet path|  packet|dhcp)'

#!/usr/bin/env bash
# System test: a sandbox of 2 computes and 1 network node on the
# userspace datapath.  Proves the contract with dvr-controller (each
# node's Open_vSwitch external_ids, br-phy and br-ex, no br-int or
# br-tun), the underlay (every tunnel endpoint reaches every other; a
# Geneve packet between two nodes crosses the fabric), the provider
# network (a node's br-ex reaches the external host), and that `down`
# leaves nothing of the sandbox behind.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --no-controller --no-api
d=/run/dvrsb/$SB_PREFIX

# The contract: external_ids and bridges of each node.
i=0
for node in hv1 hv2 gw1; do
    i=$((i + 1))
    gw=false
    [ $node = gw1 ] && gw=true
    want="{dvr-bridge-mappings=\"physnet1:br-ex\", dvr-datapath-type=netdev,"
    want+=" dvr-encap-ip=\"192.0.2.1$i\", dvr-encap-type=geneve,"
    want+=" dvr-gateway=\"$gw\", dvr-nb-remote=\"unix:$d/nb/nb.sock\","
    want+=" dvr-sandbox=$SB_PREFIX, hostname=$node, system-id=$node}"
    got=$(sb ovs $node ovs-vsctl get Open_vSwitch . external_ids)
    [ "$got" = "$want" ] || sb_fail "$node external_ids: $got"
    got=$(sb ovs $node ovs-vsctl list-br | tr '\n' ' ')
    [ "$got" = "br-ex br-phy " ] || sb_fail "$node bridges: $got"
    [ "$(sb ovs $node ovs-vsctl list-ports br-phy)" = ul0 ] \
        || sb_fail "$node: br-phy ports"
    [ "$(sb ovs $node ovs-vsctl list-ports br-ex)" = pv0 ] \
        || sb_fail "$node: br-ex ports"
    for br in br-phy br-ex; do
        [ "$(sb ovs $node ovs-vsctl get bridge $br datapath_type)" = netdev ] \
            || sb_fail "$node: $br is not on the netdev datapath"
    done
    [ "$(sb exec $node sysctl -n net.ipv4.conf.all.arp_ignore)" = 1 ] \
        || sb_fail "$node: arp_ignore is not 1"
    [ "$(sb exec $node sysctl -n net.ipv6.conf.all.disable_ipv6)" = 1 ] \
        || sb_fail "$node: IPv6 is on"
    sb exec $node ip -o addr show dev br-phy | sb_has "inet 192.0.2.1$i/24" \
        || sb_fail "$node: no tunnel endpoint on br-phy"
    [ -S "$d/$node/run/db.sock" ] || sb_fail "$node: no db.sock"
done
# The env file for the openstack client.
grep -qx 'export OS_AUTH_TYPE=none' "$d/env" || sb_fail "env: OS_AUTH_TYPE"
grep -q '^export OS_ENDPOINT=http://127.0.0.1:[0-9]*$' "$d/env" \
    || sb_fail "env: OS_ENDPOINT"
# The NB database answers and has its NB_Global row.
[ "$(ovsdb-client dump "$SB_NB" NB_Global _uuid | grep -c '^[0-9a-f]\{8\}-')" = 1 ] \
    || sb_fail "NB_Global row missing"

# Underlay: every endpoint reaches every other.
for from in hv1 hv2 gw1; do
    for ip in 192.0.2.11 192.0.2.12 192.0.2.13; do
        sb_assert_ping $from $ip
    done
done

# A Geneve tunnel between hv1 and gw1 over the underlay: a scratch bridge
# on each with a Geneve port and an address on its internal port.
for n in 1 3; do
    node=hv1 peer=192.0.2.13
    [ $n = 3 ] && node=gw1 peer=192.0.2.11
    sb ovs $node ovs-vsctl add-br br-scratch \
        -- set bridge br-scratch datapath_type=netdev \
        -- add-port br-scratch gnv0 -- set interface gnv0 type=geneve \
           options:remote_ip=$peer options:key=4242 \
        || sb_fail "cannot add a Geneve port on $node"
    sb exec $node ip addr add 10.255.0.$n/24 dev br-scratch
    sb exec $node ip link set br-scratch up
done
cap=$(mktemp)
sb exec fabric timeout 10 tcpdump -i ul -nn -l -c 1 \
    'udp dst port 6081 and src host 192.0.2.11 and dst host 192.0.2.13' \
    >"$cap" 2>/dev/null &
cap_pid=$!
sleep 0.3
sb_assert_ping hv1 10.255.0.3
wait $cap_pid || true
grep -q '192.0.2.11.[0-9]* > 192.0.2.13.6081: Geneve.*vni 0x1092' "$cap" \
    || { cat "$cap" >&2; rm -f "$cap"; sb_fail "no Geneve packet in the fabric"; }
rm -f "$cap"

# Provider network: a scratch port on hv2's br-ex reaches the external host.
sb ovs hv2 ovs-vsctl add-port br-ex pscratch \
    -- set interface pscratch type=internal
sb exec hv2 ip addr add 203.0.113.12/24 dev pscratch
sb exec hv2 ip link set pscratch up
sb_assert_ping hv2 203.0.113.1
sb_assert_ping ext 203.0.113.12
sb ovs hv2 ovs-vsctl del-port br-ex pscratch

# down leaves nothing behind.
t0=$(sb_ms)
sb down || sb_fail "down failed"
echo "sandbox-underlay: down took $(( $(sb_ms) - t0 )) ms"
sb_assert_gone "$SB_PREFIX"
echo "sandbox-underlay: ok"

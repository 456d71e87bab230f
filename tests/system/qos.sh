#!/usr/bin/env bash
# System test (issue 20, QoS): bandwidth limits and DSCP marking with real
# traffic (netdev sandbox, one compute node).  VMs a1, a2, a3 on one
# network; iperf3 between them.  The policies are made with the openstack
# client through dvr-api (one client session: each process takes seconds
# to start), the later changes with plain requests to dvr-api.
#   - Unlimited first: a1 -> a2 and a2 -> a1 well above 50 Mbit/s.
#   - A port policy with a 50 Mbit/s egress and ingress limit on a1: iperf3
#     measures each direction within 10% of 50 Mbit/s.
#   - Each rule deleted: that direction is unlimited again (> 1.5 x 50).
#   - A DSCP marking rule: tcpdump -v on a2 shows a1's packets with the
#     mark's TOS (none before).
#   - A network policy of 50 Mbit/s egress: a1 and a3 (both compute ports
#     of the network) send at once and each gets its own 50 Mbit/s: the
#     limit holds per port, not per node.
# iperf3 omits its first 2 seconds (-O 2), in which a full bucket (the
# burst) passes; a burst of 20,000 kbit keeps TCP near the rate through a
# drop-band meter on a loaded machine.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
command -v openstack >/dev/null || { echo "skip: no openstack client"; exit 77; }
sb_init
sb_up --computes 1 --gateways 0


net=$(sb_network A geneve 300)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
sb_vm a1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:0d:00:01 false
a1=$SB_PORT
sb_vm a2 hv1 "$net" "$sub" 10.0.0.12 fa:16:3e:0d:00:02 false
sb_vm a3 hv1 "$net" "$sub" 10.0.0.13 fa:16:3e:0d:00:03 false
sb_assert_ping a1 10.0.0.12
sb_assert_ping a3 10.0.0.12
sb exec a2 iperf3 -s -D -p 7301
sb exec a2 iperf3 -s -D -p 7302
sb_wait_listen a2 7301
sb_wait_listen a2 7302

# mbps FROM PORT [ARGS]: iperf3 from FROM to a2:PORT (-R: a2 sends);
# prints the Mbit/s the receiver measured.
mbps() {
    local from=$1 port=$2
    shift 2
    sb exec "$from" iperf3 -c 10.0.0.12 -p "$port" -t 6 -O 2 -J "$@" \
        | jq '.end.sum_received.bits_per_second / 1e6'
}
sb_node_env hv1
# meters: the QoS meters on hv1's br-int (ids 0x20000-0x3ffff).
meters() {
    ovs-ofctl -O OpenFlow13 dump-meters br-int \
        | awk '/^meter=/ { split($1, m, "="); id = m[2] }
               /type=drop/ && id >= 131072 && id < 262144 { print id, $2 }' \
        | sort
}
n_meters() {
    [ "$(meters | wc -l)" = "$1" ]
}

sb_rate_above "unlimited egress" 75 mbps a1 7301
sb_rate_above "unlimited ingress" 75 mbps a1 7301 -R

# A port policy "bw": 50 Mbit/s each way; a network policy "netbw" for
# later.
sb_os_session <<EOF2
network qos policy create bw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --egress bw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --ingress bw
port set --qos-policy bw $a1
network qos policy create netbw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --egress netbw
EOF2
pol() {
    sb_api GET "/qos/policies?name=$1" | jq -r '.policies[0].id'
}
bw=$(pol bw)
netbw=$(pol netbw)
sb_await 5000 n_meters 2 >/dev/null || sb_fail "no meters: $(meters)"
meters | sb_has "rate=50000" || sb_fail "meters: $(meters)"
sb_rate_near "limited egress" 50 mbps a1 7301
sb_rate_near "limited ingress" 50 mbps a1 7301 -R

# Each rule deleted: its direction unlimited again.
rule() {
    sb_api GET "/qos/policies/$bw/bandwidth_limit_rules?direction=$1" \
        | jq -r '.bandwidth_limit_rules[0].id'
}
sb_api DELETE "/qos/policies/$bw/bandwidth_limit_rules/$(rule egress)" >/dev/null
sb_await 5000 n_meters 1 >/dev/null || sb_fail "meters: $(meters)"
sb_rate_above "egress rule deleted: egress" 75 mbps a1 7301
sb_rate_near "egress rule deleted: ingress" 50 mbps a1 7301 -R
sb_api DELETE "/qos/policies/$bw/bandwidth_limit_rules/$(rule ingress)" >/dev/null
sb_await 5000 n_meters 0 >/dev/null || sb_fail "meters left: $(meters)"
sb_rate_above "ingress rule deleted: ingress" 75 mbps a1 7301 -R

# DSCP marking: a2 sees a1's packets with TOS 26 << 2 = 0x68.
# tos_seen: the TOS of the first ICMP echo request from a1 that a2 gets.
tos_seen() {
    local cap=$SB_TMP/tos.txt
    sb exec a2 timeout 5 tcpdump -Z root -i eth0 -n -v -l -c 1 \
        'icmp[icmptype] == 8 and src 10.0.0.11' >"$cap" 2>/dev/null &
    local pid=$!
    sleep 1
    sb exec a1 ping -q -c 3 -i 0.3 10.0.0.12 >/dev/null 2>&1 || true
    wait "$pid" || true
    sed -n 's/.*(tos \(0x[0-9a-f]*\).*/\1/p' "$cap" | head -n 1
}
tos=$(tos_seen)
echo "TOS before the DSCP rule: $tos"
[ "$tos" = 0x0 ] || sb_fail "TOS $tos before any DSCP rule"
sb_api POST "/qos/policies/$bw/dscp_marking_rules" \
    '{"dscp_marking_rule": {"dscp_mark": 26}}' >/dev/null
sb_await 5000 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=5 \
    | grep -q 'set_field:26->ip_dscp'" >/dev/null \
    || sb_fail "no DSCP flow"
tos=$(tos_seen)
echo "TOS with DSCP mark 26: $tos"
[ "$tos" = 0x68 ] || sb_fail "TOS $tos, expected 0x68 (DSCP 26)"
sb_api PUT "/ports/$a1" '{"port": {"qos_policy_id": null}}' >/dev/null

# A network policy: every compute port of the network gets its own
# 50 Mbit/s egress meter; a1 and a3 send at once.
sb_api PUT "/networks/$net" \
    "{\"network\": {\"qos_policy_id\": \"$netbw\"}}" >/dev/null
sb_await 5000 n_meters 3 >/dev/null || sb_fail "meters: $(meters)"
# a1_and_a3: the rates of a1 and a3 sending at once, one a line.
a1_and_a3() {
    local p1 p3
    mbps a1 7301 >"$SB_TMP/a1" &
    p1=$!
    mbps a3 7302 >"$SB_TMP/a3" &
    p3=$!
    wait "$p1" "$p3" || return 1
    cat "$SB_TMP/a1" "$SB_TMP/a3"
}
sb_rate_near "network policy, a1 and a3 at once" 50 a1_and_a3
sb_api PUT "/networks/$net" '{"network": {"qos_policy_id": null}}' \
    >/dev/null
sb_await 5000 n_meters 0 >/dev/null || sb_fail "meters left: $(meters)"
sb_api DELETE "/qos/policies/$bw" >/dev/null
sb_api DELETE "/qos/policies/$netbw" >/dev/null
echo "QoS: ok"

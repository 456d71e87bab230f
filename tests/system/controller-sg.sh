#!/usr/bin/env bash
# System test (issue 7): security group rules of every kind, with real
# packets between VMs on two nodes (netdev sandbox).  Server a2 (hv2) is in
# group "web", clients a1 (hv1, group "client") and a3 (hv1, group
# "other").  Each rule kind is shown to allow what it names and nothing
# else: ICMP type and code, a TCP port, a TCP port range, the full range,
# UDP by name and by number, a remote IP prefix, a remote group, egress
# rules, IPv6 (TCP and ICMPv6); replies pass without rules of their own
# (stateful), ICMP errors of an allowed connection come back (related), a
# rule added works for new connections within SB_REACT_MS (lib.sh).
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2 --gateways 0

net=$(sb_network A geneve 300)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
web=$(sb_sg web)
client=$(sb_sg client)
other=$(sb_sg other)
for g in "$client" "$other"; do
    sb_rule "$g" egress IPv4 >/dev/null
    sb_rule "$g" egress IPv6 >/dev/null
done
sb_vm a1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:0c:00:01 true "$client"
a1=$SB_PORT
sb_vm a2 hv2 "$net" "$sub" 10.0.0.12 fa:16:3e:0c:00:02 true "$web"
a2=$SB_PORT
sb_vm a3 hv1 "$net" "$sub" 10.0.0.13 fa:16:3e:0c:00:03 true "$other"
sb_tcp_listen a2 8080
sb_tcp_listen a2 8081
sb_tcp_listen a2 9050
sb_tcp_listen a2 9100
sb_tcp_listen a2 22222
sb_udp_echo a2 5353

# tcp_now FROM DST PORT: one quick TCP attempt (for sb_await).
tcp_now() {
    sb exec "$1" timeout 0.3 nc -z -w 1 "$2" "$3"
}
# assert_udp FROM DST PORT WANT: sb_udp_ask's answer is WANT.
assert_udp() {
    local got
    got=$(sb_udp_ask "$1" "$2" "$3")
    [ "$got" = "$4" ] || sb_fail "UDP $1 -> $2:$3: $got, expected $4"
}

# Nothing is allowed in to a2 yet; a2 may not even send (no egress rule).
sb_assert_no_ping a1 10.0.0.12
sb_assert_no_tcp a1 10.0.0.12 8080
sb_assert_no_ping a2 10.0.0.11
assert_udp a1 10.0.0.12 5353 timeout
echo "no rule, no traffic: ok"

# ICMP: type 0 (echo reply) does not let an echo request in; type 8 code
# 0 does, and the reply goes back without a rule of its own.
r=$(sb_rule "$web" ingress IPv4 protocol=icmp min=0)
sb_assert_no_ping a1 10.0.0.12
sb_rule_del "$web" "$r"
r=$(sb_rule "$web" ingress IPv4 protocol=icmp min=8 max=0)
sb_assert_ping a1 10.0.0.12
sb_assert_ping a3 10.0.0.12
sb_assert_no_ping a2 10.0.0.11
sb_rule_del "$web" "$r"
sb_assert_no_ping a1 10.0.0.12
echo "ICMP type and code: ok"

# A single TCP port, taking effect at once (SB_REACT_MS).
r=$(sb_rule "$web" ingress IPv4 protocol=tcp min=8080 max=8080)
ms=$(sb_await 5000 tcp_now a1 10.0.0.12 8080) \
    || sb_fail "TCP 8080 not allowed after 5 s"
[ "$ms" -le "$SB_REACT_MS" ] || sb_fail "rule took $ms ms to take effect"
sb_assert_no_tcp a1 10.0.0.12 8081
sb_assert_no_ping a1 10.0.0.12
echo "TCP port 8080 allowed after $ms ms, 8081 not: ok"
sb_rule_del "$web" "$r"
sb_assert_no_tcp a1 10.0.0.12 8080

# A range: 9000-9099 lets 9050 in, not 9100 nor 8080.
r=$(sb_rule "$web" ingress IPv4 protocol=tcp min=9000 max=9099)
sb_assert_tcp a1 10.0.0.12 9050
sb_assert_no_tcp a1 10.0.0.12 9100
sb_assert_no_tcp a1 10.0.0.12 8080
sb_rule_del "$web" "$r"
echo "TCP port range: ok"

# The full range: every TCP port, but not UDP or ICMP.
r=$(sb_rule "$web" ingress IPv4 protocol=tcp min=1 max=65535)
sb_assert_tcp a1 10.0.0.12 22222
sb_assert_tcp a1 10.0.0.12 9100
sb_assert_no_ping a1 10.0.0.12
assert_udp a1 10.0.0.12 5353 timeout
sb_rule_del "$web" "$r"
echo "TCP full range: ok"

# UDP by name, then by number; an ICMP port unreachable of an allowed
# exchange comes back (related), where without the rule nothing does.
r=$(sb_rule "$web" ingress IPv4 protocol=udp min=5353 max=5354)
assert_udp a1 10.0.0.12 5353 reply
assert_udp a1 10.0.0.12 5354 refused
assert_udp a1 10.0.0.12 5355 timeout
sb_rule_del "$web" "$r"
r=$(sb_rule "$web" ingress IPv4 protocol=17 min=5353 max=5353)
assert_udp a1 10.0.0.12 5353 reply
sb_assert_no_tcp a1 10.0.0.12 8080
sb_rule_del "$web" "$r"
assert_udp a1 10.0.0.12 5353 timeout
echo "UDP by name and number, related ICMP errors: ok"

# A remote IP prefix: a1 (10.0.0.11) but not a3 (10.0.0.13).
r=$(sb_rule "$web" ingress IPv4 protocol=tcp min=8080 max=8080 \
        prefix=10.0.0.8/30)
sb_assert_tcp a1 10.0.0.12 8080
sb_assert_no_tcp a3 10.0.0.12 8080
sb_rule_del "$web" "$r"
echo "remote IP prefix: ok"

# A remote group: members of "client" (a1), not of "other" (a3).
r=$(sb_rule "$web" ingress IPv4 protocol=tcp min=8081 max=8081 \
        remote="$client")
sb_assert_tcp a1 10.0.0.12 8081
sb_assert_no_tcp a3 10.0.0.12 8081
sb_rule_del "$web" "$r"
echo "remote group: ok"

# Egress: "other" without its egress rules sends nothing; with one for TCP
# 8080 to 10.0.0.12 it reaches exactly that (a2 lets any TCP in).
rin=$(sb_rule "$web" ingress IPv4 protocol=tcp)
sb_assert_tcp a3 10.0.0.12 8081
sb_assert_tcp a3 10.0.0.12 8080
sb_port_groups "$a1" "$web"
sb_assert_no_tcp a1 10.0.0.12 8080
r=$(sb_rule "$web" egress IPv4 protocol=tcp min=8080 max=8080 \
        prefix=10.0.0.12/32)
sb_assert_tcp a1 10.0.0.12 8080
sb_assert_no_tcp a1 10.0.0.12 8081
sb_assert_no_ping a1 10.0.0.12
sb_rule_del "$web" "$r"
sb_rule_del "$web" "$rin"
sb_port_groups "$a1" "$client"
echo "egress rules: ok"

# IPv6: a subnet and addresses on a1 and a2.
sub6=$(sb_nb "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"cidr\":\"fd00:7::/64\",
        \"ip_version\":6,\"gateway_ip\":\"fd00:7::1\",
        \"enable_dhcp\":false}}" | _nb_uuid)
for vm in a1:11:$a1 a2:12:$a2; do
    IFS=: read -r name n port <<<"$vm"
    sb_nb "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"ip\",
            \"row\":{\"subnet\":[\"uuid\",\"$sub6\"],
                     \"ip_address\":\"fd00:7::$n\"}},
           {\"op\":\"mutate\",\"table\":\"Port\",
            \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$port\"]]],
            \"mutations\":[[\"fixed_ips\",\"insert\",
                            [\"named-uuid\",\"ip\"]]]}" >/dev/null
    sb exec "$name" sysctl -q -w net.ipv6.conf.all.disable_ipv6=0 \
        net.ipv6.conf.eth0.disable_ipv6=0
    sb exec "$name" ip -6 addr add "fd00:7::$n/64" dev eth0 nodad
done
for p in 8443 8444; do
    sb exec a2 nc -6 -l -k $p >/dev/null 2>&1 </dev/null &
done
for _ in $(seq 50); do
    [ "$(sb exec a2 ss -Hltn '( sport = :8443 or sport = :8444 )' \
         | wc -l)" = 2 ] && break
    sleep 0.05
done
sb_assert_no_ping a1 fd00:7::12
sb_assert_no_tcp a1 fd00:7::12 8443
r4=$(sb_rule "$web" ingress IPv4 protocol=tcp min=8443 max=8444)
sb_assert_no_tcp a1 fd00:7::12 8443
r=$(sb_rule "$web" ingress IPv6 protocol=tcp min=8443 max=8443 \
        prefix=fd00:7::/64)
sb_assert_tcp a1 fd00:7::12 8443
sb_assert_no_tcp a1 fd00:7::12 8444
sb_assert_no_ping a1 fd00:7::12
r6=$(sb_rule "$web" ingress IPv6 protocol=icmp min=128)
sb_assert_ping a1 fd00:7::12
sb_assert_no_ping a2 fd00:7::11
r6g=$(sb_rule "$web" ingress IPv6 protocol=udp remote="$client")
assert_udp a1 fd00:7::12 5353 reply
assert_udp a1 10.0.0.12 5353 timeout
echo "IPv6 (TCP, ICMPv6, UDP from a remote group): ok"

# Nothing here was invalid: no rule was skipped.
for node in hv1 hv2; do
    status=$(sb ovs $node ovs-appctl \
             -t "/run/dvrsb/$SB_PREFIX/$node/run/dvr-controller.ctl" status)
    echo "$status" | sb_has "^security groups: .*, 0 rules skipped" \
        || sb_fail "$node skipped rules: $status"
done

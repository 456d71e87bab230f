#!/usr/bin/env bash
# System test (issue 7): security groups changing under live traffic, on a
# netdev sandbox with two compute nodes.  Proves: remote group membership
# changes take effect for new connections within SB_REACT_MS (lib.sh), in both
# directions (a member added, a member removed); a rule removed cuts an
# established TCP session that it alone allowed, in both directions, while a
# session that another rule also allows survives it; Neutron's default group
# through dvr-api and the openstack client (members reach each other, others do
# not get in, a port without groups gets nothing); a port with port security
# off is neither filtered nor checked for spoofing.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2 --gateways 0
P=$SB_PREFIX

net=$(sb_network L geneve 301)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
web=$(sb_sg web)
client=$(sb_sg client)
other=$(sb_sg other)
for g in "$client" "$other"; do
    sb_rule "$g" egress IPv4 >/dev/null
done
sb_vm a1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:0d:00:01 true "$client"
a1=$SB_PORT
sb_vm a2 hv2 "$net" "$sub" 10.0.0.12 fa:16:3e:0d:00:02 true "$web"
sb_vm a3 hv1 "$net" "$sub" 10.0.0.13 fa:16:3e:0d:00:03 true "$other"
a3=$SB_PORT
sb_tcp_listen a2 6000

tcp_now() {
    sb exec "$1" timeout 0.3 nc -z -w 1 "$2" "$3"
}
no_tcp_now() {
    ! tcp_now "$@"
}

# Remote group membership, live.
sb_rule "$web" ingress IPv4 protocol=tcp min=6000 max=6000 \
    remote="$client" >/dev/null
sb_assert_tcp a1 10.0.0.12 6000
sb_assert_no_tcp a3 10.0.0.12 6000
sb_port_groups "$a3" "$other" "$client"
ms=$(sb_await 5000 tcp_now a3 10.0.0.12 6000) \
    || sb_fail "a3 not let in 5 s after joining client"
[ "$ms" -le "$SB_REACT_MS" ] || sb_fail "a3 let in only after $ms ms"
echo "member added to the remote group: let in after $ms ms: ok"
sb_port_groups "$a1" "$other"
ms=$(sb_await 5000 no_tcp_now a1 10.0.0.12 6000) \
    || sb_fail "a1 still let in 5 s after leaving client"
[ "$ms" -le "$SB_REACT_MS" ] || sb_fail "a1 shut out only after $ms ms"
sb_assert_no_tcp a1 10.0.0.12 6000
sb_assert_tcp a3 10.0.0.12 6000
sb_port_groups "$a1" "$client"
sb_port_groups "$a3" "$other"
echo "member removed from the remote group: shut out after $ms ms: ok"

# session NAME FROM DST PORT: a TCP session in which both ends send a line
# every 0.1 s; what each receives goes to $SB_TMP/NAME.{srv,cli}.
session() {
    local name=$1 from=$2 dst=$3 port=$4
    sb exec a2 timeout 60 bash -c "while :; do echo srv; sleep 0.1; done \
        | nc -l $port > $SB_TMP/$name.srv" >/dev/null 2>&1 </dev/null &
    for _ in $(seq 50); do
        [ -n "$(sb exec a2 ss -Hltn "sport = :$port")" ] && break
        sleep 0.05
    done
    sb exec "$from" timeout 60 bash -c "while :; do echo cli; sleep 0.1; \
        done | nc $dst $port > $SB_TMP/$name.cli" >/dev/null 2>&1 \
        </dev/null &
}
# lines NAME: lines received by both ends of session NAME so far.
lines() {
    echo "$(wc -l < "$SB_TMP/$1.srv" 2>/dev/null || echo 0)" \
         "$(wc -l < "$SB_TMP/$1.cli" 2>/dev/null || echo 0)"
}
# assert_flowing NAME: both ends of session NAME receive within 2 s.
assert_flowing() {
    local a b a2 b2
    read -r a b <<<"$(lines "$1")"
    for _ in $(seq 20); do
        sleep 0.1
        read -r a2 b2 <<<"$(lines "$1")"
        [ "$a2" -gt "$a" ] && [ "$b2" -gt "$b" ] && return 0
    done
    sb_fail "session $1 does not flow: $a/$b -> $a2/$b2 lines"
}
# assert_cut NAME: 1 s after now, neither end of session NAME receives
# anything more for 2 s.
assert_cut() {
    local a b a2 b2
    sleep 1
    read -r a b <<<"$(lines "$1")"
    sleep 2
    read -r a2 b2 <<<"$(lines "$1")"
    [ "$a2" = "$a" ] && [ "$b2" = "$b" ] \
        || sb_fail "session $1 still flows: $a/$b -> $a2/$b2 lines"
}

# A session allowed by two rules survives the removal of one of them and
# is cut by the removal of the other; another session stays up.
r1=$(sb_rule "$web" ingress IPv4 protocol=tcp min=7000 max=7000)
r2=$(sb_rule "$web" ingress IPv4 protocol=tcp min=7000 max=7010 \
         remote="$client")
r3=$(sb_rule "$web" ingress IPv4 protocol=tcp min=7100 max=7100)
session s1 a1 10.0.0.12 7000
session s2 a1 10.0.0.12 7100
assert_flowing s1
assert_flowing s2
sb_rule_del "$web" "$r1"
assert_flowing s1
echo "session allowed by a remaining rule survives: ok"
sb_rule_del "$web" "$r2"
assert_cut s1
assert_flowing s2
sb_assert_no_tcp a1 10.0.0.12 7000
echo "session cut by the removal of the last rule allowing it: ok"

# A session through a remote group is cut when its client leaves the group.
r4=$(sb_rule "$web" ingress IPv4 protocol=tcp min=7200 max=7200 \
         remote="$client")
session s3 a1 10.0.0.12 7200
assert_flowing s3
sb_port_groups "$a1" "$other"
assert_cut s3
assert_flowing s2
sb_port_groups "$a1" "$client"
echo "session cut by the client leaving the remote group: ok"

# Port security off: no filtering (a4 has no groups and takes anything),
# no anti-spoofing (a forged source address goes out).
sb_vm a4 hv2 "$net" "$sub" 10.0.0.14 fa:16:3e:0d:00:04 false none
sb_tcp_listen a4 8080
sb_assert_tcp a1 10.0.0.14 8080
sb_assert_ping a1 10.0.0.14
sb_assert_no_ping a4 10.0.0.11
sb_rule "$web" ingress IPv4 protocol=icmp >/dev/null
sb exec a4 ip addr add 10.0.0.99/24 dev eth0
sb exec a4 ping -q -c 1 -W 2 -I 10.0.0.99 10.0.0.12 >/dev/null \
    || sb_fail "a4 cannot ping from a forged address"
sb exec a3 ip addr add 10.0.0.98/24 dev eth0
if sb exec a3 ping -q -c 1 -W 1 -I 10.0.0.98 10.0.0.12 >/dev/null; then
    sb_fail "a3 (port security on) pings from a forged address"
fi
echo "port security off: ok"

# Neutron's default group, through dvr-api and the openstack client.
. "/run/dvrsb/$P/env"
os() {
    osc "$OS_ENDPOINT" "$@"
}
os network create dnet -f value -c id >/dev/null
os subnet create --network dnet --subnet-range 10.1.0.0/24 --no-dhcp \
    dsub -f value -c id >/dev/null
d1=$(os port create --network dnet --fixed-ip ip-address=10.1.0.11 d1 \
        -f value -c id)
d2=$(os port create --network dnet --fixed-ip ip-address=10.1.0.12 d2 \
        -f value -c id)
d3=$(os port create --network dnet --fixed-ip ip-address=10.1.0.13 \
        --no-security-group d3 -f value -c id)
os security group create dgrp -f value -c id >/dev/null
d4=$(os port create --network dnet --fixed-ip ip-address=10.1.0.14 \
        --security-group dgrp d4 -f value -c id)
for v in d1:hv1:$d1 d2:hv2:$d2 d3:hv1:$d3 d4:hv2:$d4; do
    IFS=: read -r name node port <<<"$v"
    sb vm-add "$name" --node "$node" --port "$port" \
        || sb_fail "vm-add $name failed"
done
sb_tcp_listen d1 80
sb_tcp_listen d2 80
sb_assert_ping d1 10.1.0.12
sb_assert_ping d2 10.1.0.11
sb_assert_tcp d1 10.1.0.12 80
sb_assert_tcp d2 10.1.0.11 80
sb_assert_no_ping d4 10.1.0.11
sb_assert_no_tcp d4 10.1.0.11 80
sb_assert_no_ping d1 10.1.0.14
sb_assert_no_ping d1 10.1.0.13
sb_assert_no_ping d3 10.1.0.11
os port set --security-group default d4
ms=$(sb_await 5000 tcp_now d4 10.1.0.11 80) \
    || sb_fail "d4 not let in 5 s after joining default"
echo "default group: members only, d4 let in $ms ms after joining: ok"

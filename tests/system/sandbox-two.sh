#!/usr/bin/env bash
# System test: two sandboxes with different prefixes at the same time, with
# the same node names, underlay addresses, VM names, MACs and IPs, do not
# interfere: each has its own daemons, sockets, NB database and API port;
# traffic of one is never seen in the other; taking one down leaves the
# other working.  The second uses VXLAN, which its nodes' external_ids say.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
a=$SB_PREFIX
sb_add_prefix
b=$SB_NEW_PREFIX

# Both come up concurrently.
sb up --builddir "$abs_top_builddir" --no-controller --no-api \
    >/dev/null 2>"$SB_TMP/up-a" &
pa=$!
"$SANDBOX" --prefix "$b" up --builddir "$abs_top_builddir" --no-controller \
    --no-api --encap vxlan --computes 1 >/dev/null 2>"$SB_TMP/up-b" &
pb=$!
wait $pa || sb_fail "up of $a failed: $(cat "$SB_TMP/up-a")"
wait $pb || sb_fail "up of $b failed: $(cat "$SB_TMP/up-b")"
SB_NB=unix:/run/dvrsb/$a/nb/nb.sock

# sb_in P CMD...: a sandbox command on sandbox P.
sb_in() {
    "$SANDBOX" --prefix "$1" "${@:2}"
}

# The same objects in both.
for p in "$a" "$b"; do
    SB_PREFIX=$p SB_NB=unix:/run/dvrsb/$p/nb/nb.sock
    net=$(sb_network net1)
    sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
    sb_vm vm1 hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:00:00:11
    sb_vm vm2 hv1 "$net" "$sub" 10.0.0.12 fa:16:3e:00:00:12
done
SB_PREFIX=$a

# Separate processes, sockets and settings.
[ "$(cat /run/dvrsb/$a/hv1/run/ovs-vswitchd.pid)" != \
  "$(cat /run/dvrsb/$b/hv1/run/ovs-vswitchd.pid)" ] || sb_fail "shared vswitchd"
[ "$(sb_in "$a" ovs hv1 ovs-vsctl get Open_vSwitch . external_ids:dvr-encap-type)" = geneve ] \
    || sb_fail "$a is not on Geneve"
[ "$(sb_in "$b" ovs hv1 ovs-vsctl get Open_vSwitch . external_ids:dvr-encap-type)" = vxlan ] \
    || sb_fail "$b is not on VXLAN"
[ "$(sb_in "$b" ovs hv1 ovs-vsctl get Open_vSwitch . external_ids:dvr-nb-remote)" = \
  "\"unix:/run/dvrsb/$b/nb/nb.sock\"" ] || sb_fail "$b's NB remote"
ea=$(grep OS_ENDPOINT /run/dvrsb/$a/env)
eb=$(grep OS_ENDPOINT /run/dvrsb/$b/env)
[ "$ea" != "$eb" ] || sb_fail "both sandboxes use $ea"
sb_in "$b" status | sb_has "node hv1 (compute" || sb_fail "$b status"
sb_in "$b" status | sb_has "node hv2" && sb_fail "$b has an hv2"
[ "$(ovsdb-client dump "$SB_NB" Port _uuid | grep -c '^[0-9a-f]\{8\}-')" = 2 ] \
    || sb_fail "$a's NB holds more than its own 2 ports"

# Traffic: each sandbox's vm1 reaches its own vm2 over the same addresses.
# A capture on b's underlay sees b's pings between nodes (200-byte
# payload) and none of a's (100 bytes), which go to the same address.
cap=$SB_TMP/cap
sb_in "$b" exec fabric timeout 10 tcpdump -i ul -nn -l icmp >"$cap" 2>/dev/null &
cpid=$!
sleep 0.5
sb exec hv1 ping -q -c 3 -i 0.2 -s 100 192.0.2.12 >/dev/null \
    || sb_fail "$a: hv1 cannot ping hv2"
sb_in "$b" exec hv1 ping -q -c 1 -s 200 192.0.2.12 >/dev/null \
    || sb_fail "$b: hv1 cannot ping gw1"
sb_assert_ping vm1 10.0.0.12
SB_PREFIX=$b sb_assert_ping vm1 10.0.0.12
SB_PREFIX=$b sb_tcp_listen vm2 9000
SB_PREFIX=$b sb_assert_tcp vm1 10.0.0.12 9000
sb_assert_no_tcp vm1 10.0.0.12 9000
sleep 0.2
kill $cpid
wait $cpid || true
grep -q '192.0.2.11 > 192.0.2.12: ICMP echo request.*length 208' "$cap" \
    || { cat "$cap" >&2; sb_fail "$b's capture missed $b's ping"; }
if grep -q 'length 108' "$cap"; then
    cat "$cap" >&2
    sb_fail "$a's underlay traffic reached $b's fabric"
fi

# a goes down; b is untouched and works.
sb down || sb_fail "down $a"
sb_assert_gone "$a"
SB_PREFIX=$b
sb status | sb_has "node hv1 (compute, 192.0.2.11): ovsdb-server pid [0-9]* up, ovs-vswitchd pid [0-9]* up" \
    || sb_fail "$b suffered from $a's down"
sb_assert_ping vm1 10.0.0.12
sb_assert_tcp vm1 10.0.0.12 9000
sb_assert_ping gw1 192.0.2.11
sb down || sb_fail "down $b"
sb_assert_gone "$b"
echo "sandbox-two: ok"

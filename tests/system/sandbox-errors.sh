#!/usr/bin/env bash
# System test: bad input to tools/sandbox gets one clear line on stderr
# and a non-zero exit, and leaves nothing half-created: an unknown node, a
# port UUID that does not exist, a prefix in use, a missing dependency,
# and more.  An `up` stopped by SIGTERM undoes itself; an `up` killed by
# SIGKILL is undone by `down`.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
tmp=$SB_TMP

# expect_error RC PATTERN CMD...: CMD exits with RC and prints exactly one
# line, "sandbox: ..." matching the grep pattern PATTERN, on stderr.
expect_error() {
    local want=$1 pattern=$2 rc=0
    shift 2
    "$@" >/dev/null 2>"$tmp/err" || rc=$?
    [ "$rc" = "$want" ] || sb_fail "'$*' exited $rc, not $want: $(cat "$tmp/err")"
    [ "$(wc -l < "$tmp/err")" = 1 ] \
        || sb_fail "'$*' printed more than one line: $(cat "$tmp/err")"
    grep -q "^sandbox: .*$pattern" "$tmp/err" \
        || sb_fail "'$*' said '$(cat "$tmp/err")', not '$pattern'"
}

# Usage errors: exit 2, nothing created.
expect_error 2 "unknown command 'frobnicate'" sb frobnicate
expect_error 2 "bad prefix 'Bad-Prefix'" "$SANDBOX" --prefix Bad-Prefix up
expect_error 2 "computes wants 0..20" sb up --computes many
expect_error 2 "datapath wants netdev or dummy" sb up --datapath kernel
expect_error 2 "unknown option '--bogus'" sb up --bogus
expect_error 2 "controller-arg wants an argument" sb up --controller-arg
sb_assert_gone "$SB_PREFIX"

# Commands on a sandbox that does not exist.
expect_error 1 "no sandbox with prefix '$SB_PREFIX'" sb status
expect_error 1 "no sandbox with prefix '$SB_PREFIX'" sb exec vm1 true
expect_error 1 "no sandbox with prefix '$SB_PREFIX'" \
    sb vm-add vm1 --node hv1 --port 00000000-0000-0000-0000-000000000000

# A missing dependency: nothing is created.
mkdir "$tmp/bin"
ln -s /usr/bin/* /usr/sbin/* "$tmp/bin/" 2>/dev/null || true
rm -f "$tmp"/bin/python3*
expect_error 1 "missing dependency: 'python3'" \
    env PATH="$tmp/bin" "$BASH" "$SANDBOX" --prefix "$SB_PREFIX" up
rm -f "$tmp/bin/ovs-vswitchd"
expect_error 1 "missing dependency: 'ovs-vswitchd'" \
    env PATH="$tmp/bin" "$BASH" "$SANDBOX" --prefix "$SB_PREFIX" up
sb_assert_gone "$SB_PREFIX"

# A sandbox, and a prefix in use: the second `up` does not touch it.
sb_up --no-controller --no-api
expect_error 1 "prefix '$SB_PREFIX' is in use" sb up --no-controller --no-api
sb status | sb_has "node gw1 (gateway, 192.0.2.13): ovsdb-server pid [0-9]* up, ovs-vswitchd pid [0-9]* up" \
    || sb_fail "the first sandbox suffered from the second up"
sb_assert_ping hv1 192.0.2.13

# vm-add with bad input: nothing created.
net=$(sb_network net1)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1)
port=$(sb_port "$net" "$sub" 10.0.0.5 fa:16:3e:00:00:05)
port2=$(sb_port "$net" "$sub" 10.0.0.6 fa:16:3e:00:00:06)
sb vm-add vm1 --node hv1 --port "$port" || sb_fail "vm-add vm1"
nsbefore=$(sb_namespaces)
portsbefore=$(sb ovs hv1 ovs-vsctl list-ports br-int)
expect_error 1 "unknown node 'hv9'" sb vm-add vm2 --node hv9 --port "$port2"
expect_error 1 "port 0b0e5a1c-0000-4000-8000-000000000000 does not exist" \
    sb vm-add vm2 --node hv1 --port 0b0e5a1c-0000-4000-8000-000000000000
expect_error 1 "port 'xyz' is not a UUID" sb vm-add vm2 --node hv1 --port xyz
expect_error 1 "VM 'vm1' exists" sb vm-add vm1 --node hv2 --port "$port2"
expect_error 1 "already plugged" sb vm-add vm2 --node hv2 --port "$port"
expect_error 2 "VM name 'hv2' is a node's name" \
    sb vm-add hv2 --node hv1 --port "$port2"
expect_error 2 "bad VM name" sb vm-add 'Vm 2' --node hv1 --port "$port2"
expect_error 2 "want NAME --node NODE" sb vm-add vm2 --node hv1
expect_error 2 "dhcp-timeout wants 1..99" \
    sb vm-add vm2 --node hv1 --port "$port2" --dhcp-timeout 0
expect_error 2 "vm-uuid wants a UUID" \
    sb vm-add vm2 --node hv1 --port "$port2" --vm-uuid xyz
expect_error 1 "no VM 'vm2'" sb vm-del vm2
expect_error 1 "unknown node 'hv7'" sb ovs hv7 ovs-vsctl show
expect_error 1 "no VM, node, 'ext' or 'fabric' named 'vm7'" sb exec vm7 true
[ "$(sb_namespaces)" = "$nsbefore" ] || sb_fail "namespaces changed"
[ "$(sb ovs hv1 ovs-vsctl list-ports br-int)" = "$portsbefore" ] \
    || sb_fail "br-int ports on hv1 changed"
sb ovs hv2 ovs-vsctl br-exists br-int && sb_fail "br-int created on hv2"
[ "$(ls "/run/dvrsb/$SB_PREFIX/vms")" = vm1.conf ] \
    || sb_fail "VM records: $(ls "/run/dvrsb/$SB_PREFIX/vms")"
# The VM that exists still works: vm-add vm2 properly, then ping.
sb vm-add vm2 --node hv1 --port "$port2" || sb_fail "vm-add vm2"
sb_assert_ping vm1 10.0.0.6

# SIGTERM during `up`: it undoes what it made.
sb_add_prefix
p3=$SB_NEW_PREFIX
TMPDIR=$tmp "$SANDBOX" --prefix "$p3" up --no-controller --no-api \
    2>"$tmp/up3" &
up_pid=$!
for _ in $(seq 500); do
    [ -e "/run/dvrsb/$p3/hv1" ] && break
    sleep 0.01
done
kill -TERM $up_pid
rc=0
wait $up_pid || rc=$?
[ $rc = 143 ] || sb_fail "up after SIGTERM exited $rc, not 143: $(cat "$tmp/up3")"
sb_assert_gone "$p3"
compgen -G "$tmp/dvrsb-$p3-failed.*" >/dev/null \
    && sb_fail "an interrupted up kept logs"

# SIGKILL of `up` and all its processes leaves daemons and namespaces
# behind; `down` removes them.
sb_add_prefix
p4=$SB_NEW_PREFIX
setsid "$SANDBOX" --prefix "$p4" up --no-controller --no-api \
    >/dev/null 2>&1 &
up_pid=$!
for _ in $(seq 500); do
    [ -e "/run/dvrsb/$p4/hv1/run/ovsdb-server.pid" ] && break
    sleep 0.01
done
kill -KILL -- -$up_pid
wait $up_pid 2>/dev/null || true
ip netns list | sb_has "^$p4-" || sb_fail "SIGKILL test: nothing was left"
"$SANDBOX" --prefix "$p4" down || sb_fail "down after a killed up failed"
sb_assert_gone "$p4"
# A daemon that exists but does not start fails `up`, which keeps the logs
# and undoes the rest.  (/bin/false stands for a broken dvr-controller.)
mkdir -p "$tmp/build/controller"
ln -s /bin/false "$tmp/build/controller/dvr-controller"
sb_add_prefix
p5=$SB_NEW_PREFIX
rc=0
TMPDIR=$tmp "$SANDBOX" --prefix "$p5" up --builddir "$tmp/build" --no-api \
    2>"$tmp/up5" || rc=$?
[ $rc = 1 ] || sb_fail "up with a broken dvr-controller exited $rc"
grep -qx "sandbox: dvr-controller does not start on hv1 (/run/dvrsb/$p5/hv1/log/dvr-controller.log)" \
    "$tmp/up5" || sb_fail "up with a broken dvr-controller said: $(cat "$tmp/up5")"
grep -q "^sandbox: up failed: logs kept in $tmp/dvrsb-$p5-failed" "$tmp/up5" \
    || sb_fail "up did not keep the logs: $(cat "$tmp/up5")"
compgen -G "$tmp/dvrsb-$p5-failed.*/hv1/log/ovs-vswitchd.log" >/dev/null \
    || sb_fail "the kept logs lack hv1's ovs-vswitchd.log"
sb_assert_gone "$p5"

# down when there is nothing is not an error.
"$SANDBOX" --prefix "$p4" down 2>/dev/null || sb_fail "second down failed"

sb down || sb_fail "down"
sb_assert_gone "$SB_PREFIX"
echo "sandbox-errors: ok"

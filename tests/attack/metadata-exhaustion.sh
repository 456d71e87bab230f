#!/usr/bin/env bash
# Attack: metadata exhaustion.  One VM opens 500 connections to
# 169.254.169.254:80 and holds them open, trickling a header line into
# each every 2 s so that no idle timeout ever fires (slowloris); it also
# sends a huge body and huge headers.  Each connection costs the node's
# dvr-controller a file descriptor, which it shares with OVSDB and
# OpenFlow.  The service must bound what one client (VIF) holds and what
# all hold, close connections after a bounded time however slowly they
# trickle, answer only GET and HEAD (405) and refuse oversized requests
# (413); meanwhile another VM is served and the controller keeps applying
# NB changes (a new VM on the node gets its DHCP lease).
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --no-api
P=$SB_PREFIX
N_ATTACK=500
HOLD=45

net=$(sb_network tenant geneve 321 1442)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1 true)
sb_vm vma hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:00:0a:11
sb_vm vmb hv1 "$net" "$sub" 10.0.0.12 fa:16:3e:00:0a:12
# code VM [CURL ARGS...]: the HTTP status of a metadata request ("000"
# when there was no answer).
code() {
    local vm=$1
    shift
    sb exec "$vm" curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@" \
        http://169.254.169.254/latest/ || true
}
for _ in $(seq 40); do [ "$(code vmb)" = 404 ] && break; sleep 0.25; done
[ "$(code vmb)" = 404 ] || sb_fail "vmb cannot reach the metadata service"

pid=$(cat "/run/dvrsb/$P/hv1/run/dvr-controller.pid")
fds() { ls "/proc/$pid/fd" | wc -l; }
fds0=$(fds)
echo "hv1's dvr-controller: $fds0 file descriptors before the attack"

cat > "$SB_TMP/hold.py" <<'PY'
import json, socket, sys, time
n, hold, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
socks = []
for i in range(n):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("169.254.169.254", 80))
        s.send(b"GET /latest/ HTTP/1.1\r\nHost: 169.254.169.254\r\n")
        s.setblocking(False)
        socks.append(s)
    except OSError:
        s.close()
opened, t0 = len(socks), time.time()
alive = list(socks)
while True:
    still = []
    for s in alive:
        try:
            if s.recv(4096) == b"":
                raise ConnectionResetError
            s.close()           # An answer: the server gave up on it.
            continue
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        try:
            s.send(b"X-Slow: 1\r\n")
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        still.append(s)
    alive = still
    with open(out + ".tmp", "w") as f:
        json.dump({"opened": opened, "alive": len(alive),
                   "elapsed": time.time() - t0}, f)
    import os
    os.rename(out + ".tmp", out)
    if time.time() - t0 > hold:
        break
    time.sleep(2)
PY
sb exec vma python3 "$SB_TMP/hold.py" $N_ATTACK $HOLD "$SB_TMP/hold.json" &
attacker=$!
for _ in $(seq 100); do [ -s "$SB_TMP/hold.json" ] && break; sleep 0.2; done
[ -s "$SB_TMP/hold.json" ] || sb_fail "the attacker did not start"
sleep 4
fds1=$(fds)
state=$(cat "$SB_TMP/hold.json")
echo "vma holds: $state; hv1's dvr-controller: $fds1 file descriptors"
fails=""
alive=$(jq .alive "$SB_TMP/hold.json")
[ "$alive" -le 16 ] || fails="$fails vma holds $alive connections (want <= 16);"
[ $(( fds1 - fds0 )) -le 40 ] \
    || fails="$fails the controller went from $fds0 to $fds1 file descriptors;"

# Another VM is served meanwhile.
[ "$(code vmb)" = 404 ] || fails="$fails vmb is not served during the attack;"
# Only GET and HEAD; an oversized body or header is refused at once.
[ "$(code vmb -X POST --data x)" = 405 ] || fails="$fails POST is not 405;"
[ "$(code vmb -I)" = 404 ] || fails="$fails HEAD is not served;"
head -c 10000000 /dev/zero > "$SB_TMP/big"
c=$(code vmb -X GET -H 'Content-Type: text/plain' --data-binary @"$SB_TMP/big")
[ "$c" = 413 ] || fails="$fails a 10 MB body got $c, not 413;"
big=$(head -c 20000 /dev/zero | tr '\0' a)
c=$(code vmb -H "X-Big: $big")
[[ $c == 4* || $c == 000 ]] || fails="$fails 20 kB of headers got $c;"

# The controller applies NB changes meanwhile: a new VM on hv1 gets its
# lease (vm-add waits for it).
t0=$(sb_ms)
sb_vm vmc hv1 "$net" "$sub" 10.0.0.13 fa:16:3e:00:0a:13 \
    || fails="$fails no lease for a new VM during the attack;"
echo "a new VM on hv1 got its lease in $(( $(sb_ms) - t0 )) ms during the attack"

# However slowly it trickles, no connection lives for ever.
wait "$attacker" || true
state=$(cat "$SB_TMP/hold.json")
echo "after ${HOLD}s of trickling: $state"
alive=$(jq .alive "$SB_TMP/hold.json")
[ "$alive" = 0 ] || fails="$fails $alive connections still open after ${HOLD}s;"
sleep 1
fds2=$(fds)
echo "hv1's dvr-controller: $fds2 file descriptors after the attack"
[ $(( fds2 - fds0 )) -le 5 ] || fails="$fails $fds2 file descriptors left (from $fds0);"
sb ovs hv1 ovs-appctl -t "/run/dvrsb/$P/hv1/run/dvr-controller.ctl" status \
    | grep '^metadata' || true
kill -0 "$pid" || fails="$fails hv1's controller is gone;"
[ -z "$fails" ] || sb_fail "metadata exhaustion:$fails"
echo "bounded per client, in total and in time; others served: ok"

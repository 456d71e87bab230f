#!/usr/bin/env bash
# System test (issue 4): dvr-controller's L2 pipeline on a netdev sandbox
# with two compute nodes.  Networks A and B have the same CIDR; VMs a1, b1
# on hv1 and a2, b2 on hv2.  Proves: ping and TCP across the tunnel within
# each network; no frame from A reaches B, even with a forged destination
# MAC; forged source MAC or IP dropped at the source port; ARP answered on
# hv1 without a broadcast leaving it; a VM moved from hv2 to hv1 reachable
# within SB_REACT_MS (tests/system/lib.sh); kill -9 of the controller
# during a 100 pps ping loses no packet and the restarted controller
# changes no flow.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --computes 2 --gateways 0
P=$SB_PREFIX

na=$(sb_network A geneve 100)
sa=$(sb_subnet "$na" 10.0.0.0/24 10.0.0.1)
nb=$(sb_network B geneve 200)
sbn=$(sb_subnet "$nb" 10.0.0.0/24 10.0.0.1)
sb_vm a1 hv1 "$na" "$sa" 10.0.0.11 fa:16:3e:0a:00:01
sb_vm a2 hv2 "$na" "$sa" 10.0.0.12 fa:16:3e:0a:00:02
a2_port=$SB_PORT
sb_vm b1 hv1 "$nb" "$sbn" 10.0.0.11 fa:16:3e:0b:00:01
sb_vm b2 hv2 "$nb" "$sbn" 10.0.0.12 fa:16:3e:0b:00:02

sb_assert_ping a1 10.0.0.12
sb_assert_ping b1 10.0.0.12
sb_tcp_listen a2 8080
sb_assert_tcp a1 10.0.0.12 8080
sb_tcp_listen b2 8081
sb_assert_tcp b1 10.0.0.12 8081
# Same addresses, other network: a1 reaches a2's port 8080, never b2's.
sb_assert_no_tcp a1 10.0.0.12 8081
echo "ping and TCP across the tunnel in both networks: ok"

# send_frame VM SRC_MAC DST_MAC SRC_IP DST_IP: one UDP frame, raw.
send_frame() {
    sb exec "$1" python3 - "$2" "$3" "$4" "$5" <<'PY'
import socket, struct, sys
src, dst, sip, dip = sys.argv[1:5]
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
payload = b"dvrflow-forged"
udp = struct.pack("!HHHH", 4000, 4000, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 socket.inet_aton(sip), socket.inet_aton(dip))
s = 0
for i in range(0, 20, 2):
    s += (ip[i] << 8) | ip[i + 1]
s = (s >> 16) + (s & 0xffff)
ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(("eth0", 0))
for _ in range(5):
    sock.send(mac(dst) + mac(src) + b"\x08\x00" + ip + udp)
PY
}
# capture VM FILTER [COUNT]: captures in VM for 2 s, or until COUNT
# frames came (10 s at most: a loaded machine may take seconds to send
# them), in the background (sets CAP_FILE and CAP_PID; not to be called
# in $(...)).
capture() {
    CAP_FILE=$SB_TMP/$1.$RANDOM.pcap
    local secs=2 count=()
    if [ -n "${3:-}" ]; then
        secs=10 count=(-c "$3")
    fi
    sb exec "$1" timeout "$secs" tcpdump "${count[@]}" -Z root -i eth0 -n \
        -U -w "$CAP_FILE" "$2" >/dev/null 2>&1 &
    CAP_PID=$!
    for _ in $(seq 50); do
        [ -s "$CAP_FILE" ] && break
        sleep 0.05
    done
    sleep 0.2
}
# captured: waits for the capture to end; sets n to how many frames it
# got (not to be called in $(...) either: it waits for CAP_PID).
captured() {
    wait "$CAP_PID" 2>/dev/null || true
    n=$(tcpdump -r "$CAP_FILE" -n 2>/dev/null | wc -l)
}

capture b2 "udp port 4000"
send_frame a1 fa:16:3e:0a:00:01 fa:16:3e:0b:00:02 10.0.0.11 10.0.0.12
captured
[ "$n" = 0 ] || sb_fail "$n frames from A reached b2 (forged destination MAC)"
capture a2 "udp port 4000" 5
send_frame a1 fa:16:3e:0a:00:01 fa:16:3e:0a:00:02 10.0.0.11 10.0.0.12
captured
[ "$n" = 5 ] || sb_fail "a2 got $n of 5 frames from a1"
capture a2 "udp port 4000"
send_frame a1 fa:16:3e:0a:00:99 fa:16:3e:0a:00:02 10.0.0.11 10.0.0.12
send_frame a1 fa:16:3e:0a:00:01 fa:16:3e:0a:00:02 10.0.0.99 10.0.0.12
captured
[ "$n" = 0 ] || sb_fail "a2 got $n frames with a forged source MAC or IP"
echo "isolation and port security: ok"

# ARP for a2 is answered on hv1: hv1's br-tun floods nothing meanwhile.
flood_packets() {
    sb ovs hv1 ovs-ofctl -O OpenFlow13 dump-flows br-tun table=1 \
        | grep 'priority=50' \
        | sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' | paste -sd+ | bc
}
before=$(flood_packets)
capture a2 "arp"
sb exec a1 ip neigh flush dev eth0
sb_assert_ping a1 10.0.0.12
sb exec a1 ip neigh show 10.0.0.12 | sb_has "fa:16:3e:0a:00:02" \
    || sb_fail "a1 did not learn a2's MAC"
captured
after=$(flood_packets)
[ "$before" = "$after" ] || sb_fail "hv1 flooded $((after - before)) packets"
[ "$n" = 0 ] || sb_fail "a2 saw $n ARP packets"
echo "ARP answered on hv1 without a broadcast: ok"

# Move a2 from hv2 to hv1 (unplug, replug with the same port).
sb vm-del a2
sb vm-add a2 --node hv1 --port "$a2_port" || sb_fail "vm-add a2 on hv1"
t0=$(sb_ms)
until sb exec a1 ping -q -c 1 -W 0.1 10.0.0.12 >/dev/null 2>&1; do
    [ $(( $(sb_ms) - t0 )) -lt 5000 ] || sb_fail "a2 unreachable after move"
done
moved=$(( $(sb_ms) - t0 ))
[ "$moved" -le "$SB_REACT_MS" ] || sb_fail "a2 reachable only after $moved ms"
echo "VM moved, reachable again after $moved ms: ok"

# kill -9 of hv1's controller during a 100 pps ping, then a restart.
sb_vm a3 hv2 "$na" "$sa" 10.0.0.13 fa:16:3e:0a:00:03
sb_assert_ping a1 10.0.0.13
d=/run/dvrsb/$P/hv1
sb exec a1 ping -q -i 0.01 -c 300 -W 1 10.0.0.13 > "$SB_TMP/ping.out" 2>&1 &
pingpid=$!
sleep 0.5
kill -9 "$(cat "$d/run/dvr-controller.pid")"
sleep 0.5
ip netns exec "$P-hv1" env OVS_RUNDIR="$d/run" OVS_DBDIR="$d/db" \
    OVS_LOGDIR="$d/log" OVS_SYSCONFDIR="$d/etc" \
    "$abs_top_builddir/controller/dvr-controller" "unix:$d/run/db.sock" \
    --pidfile="$d/run/dvr-controller.pid" --detach \
    --log-file="$d/log/dvr-controller.log" \
    --unixctl="$d/run/dvr-controller.ctl" || sb_fail "restart failed"
wait "$pingpid" || true
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$SB_TMP/ping.out")
[ "$loss" = 0 ] || sb_fail "ping lost $loss% across the restart: $(cat "$SB_TMP/ping.out")"
status=$(ip netns exec "$P-hv1" ovs-appctl -t "$d/run/dvr-controller.ctl" status)
echo "$status" | sb_has "br-int: connected, [0-9]* flows, 0 bundles" \
    || sb_fail "restarted controller changed flows: $status"
echo "$status" | sb_has "br-tun: connected, [0-9]* flows, 0 bundles" \
    || sb_fail "restarted controller changed flows: $status"
echo "kill -9 during 100 pps ping: 0% loss, no flow changed: ok"

# bench/lib/proc.sh: what the scale benchmarks (bench/scale,
# bench/gateway-scale) read of a process and of a dvr-controller.  Source
# it; each function prints one figure.
#
#   kib PID        resident memory of PID in KiB
#   cpu_ms PID     CPU time (user + system) of PID in milliseconds
#   received CTL   "ROWS BYTES" the controller behind control socket CTL
#                  received from the NB
#   held CTL       the NB rows that controller holds, all tables

kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
        "/proc/$1/stat"
}
received() {
    ovs-appctl -t "$1" status \
        | sed -n 's/^NB received: \([0-9]*\) rows, \([0-9]*\) bytes$/\1 \2/p'
}
held() {
    ovs-appctl -t "$1" status | sed -n 's/^NB rows held: //p' \
        | tr ' ' '\n' | awk -F= '{ n += $2 } END { print n }'
}

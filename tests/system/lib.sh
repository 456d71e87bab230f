# tests/system/lib.sh: helpers for system tests on tools/sandbox.
# shellcheck shell=bash
#
# Source it from a test script run by `make check` (abs_top_srcdir and
# abs_top_builddir set).  A test gets a sandbox with a prefix no other
# test or user has; a trap tears it down on every exit path, after
# printing the switches' flows and the daemons' logs if the test failed.
#
#   sb_init                       picks SB_PREFIX, makes the scratch
#                                 directory SB_TMP, installs the trap;
#                                 skips the test (exit 77) unless root,
#                                 or with DVR_NO_SANDBOX=yes
#   sb_add_prefix                 sets SB_NEW_PREFIX to one more unique
#                                 prefix, also torn down by the trap
#   sb_up [UP_ARGS...]            tools/sandbox up (with --builddir
#                                 $abs_top_builddir); sets SB_NB (the NB
#                                 remote: one socket or the cluster's list)
#   sb CMD ARGS...                tools/sandbox --prefix $SB_PREFIX CMD ...
#   sb_namespaces [PREFIX]        the sandbox's namespaces, sorted
#   sb_node_env NODE              exports NODE's OVS_* variables (for
#                                 ovs-vsctl, ovs-ofctl, tests/lib/dummy.sh)
#   sb_nb OPS_JSON                one NB transaction; prints its result
#   sb_network NAME [TYPE SEG MTU]         prints the new Network's UUID
#   sb_subnet NET CIDR GATEWAY [DHCP]      prints the new Subnet's UUID
#   sb_port NET SUBNET IP MAC [PS [SGS]]   prints the new Port's UUID
#                                          (IP "" for a port without one;
#                                          port security PS, default true;
#                                          security groups SGS as nb_port)
#   sb_vm NAME NODE NET SUBNET IP MAC [PS [SGS]]
#                                          sb_port + vm-add; sets SB_PORT
#   sb_vm_var NAME VAR            prints VAR (VM_MAC, VM_PCAP...) of a VM
#   sb_assert_ping FROM DST       FROM (VM, node or "ext") pings DST within
#                                 5 s
#   sb_assert_no_ping FROM DST    no reply to 2 pings
#   sb_tcp_listen NAME PORT       a TCP listener (nc) in NAME
#   sb_assert_tcp FROM DST PORT   a TCP connection succeeds
#   sb_assert_no_tcp FROM DST PORT  it does not (1 s)
#   sb_sg NAME                    a security group; prints its UUID
#   sb_rule SG DIR ETHERTYPE [protocol=P] [min=N] [max=N] [prefix=CIDR]
#           [remote=SG]           adds a rule (nb_sg_rule); prints its UUID
#   sb_rule_del SG RULE           removes it
#   sb_port_groups PORT [SG...]   sets the port's security groups
#   sb_udp_echo NAME PORT         a UDP echo server on PORT in NAME
#   sb_udp_ask FROM DST PORT      prints "reply", "refused" (an ICMP port
#                                 unreachable came back) or "timeout"
#   sb_await MS CMD...            runs CMD until it succeeds, at most MS
#                                 milliseconds; prints how long it took
#   sb_assert_gone PREFIX         nothing of sandbox PREFIX is left
#   sb_has PATTERN                grep -q that reads all of stdin
#   sb_fail MESSAGE               reports, dumps flows and logs, exits 1
#   sb_ms                         prints the wall clock in milliseconds

: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir/_build/default}"
SANDBOX=$abs_top_srcdir/tools/sandbox
# shellcheck source=tests/lib/nb.sh
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/osc.sh"
PATH=$PATH:/usr/sbin:/sbin
SB_PREFIX=
SB_PREFIXES=()
_sb_failing=no

# sb_ms: prints the wall clock in milliseconds.
sb_ms() {
    local t=$EPOCHREALTIME
    echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 ))
}

# sb_new_prefix: prints a prefix that no sandbox uses.
sb_new_prefix() {
    local p
    while :; do
        p=$(printf 't%x%04x' $(( $$ % 4096 )) $RANDOM)
        [ ! -e "/run/dvrsb/$p" ] && ! compgen -G "/run/netns/$p-*" >/dev/null \
            && [[ " ${SB_PREFIXES[*]} " != *" $p "* ]] && break
    done
    echo "${p:0:10}"
}

# sb_init: picks SB_PREFIX and installs the teardown trap.
sb_init() {
    if [ "$(id -u)" != 0 ]; then
        echo "skip: system tests need root (network namespaces)"
        exit 77
    fi
    if [ "${DVR_NO_SANDBOX:-}" = yes ]; then
        echo "skip: DVR_NO_SANDBOX=yes (tools/check's distcheck)"
        exit 77
    fi
    SB_PREFIX=$(sb_new_prefix)
    SB_PREFIXES+=("$SB_PREFIX")
    SB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sbtest.XXXXXX")
    trap '_sb_cleanup $?' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# sb_add_prefix: sets SB_NEW_PREFIX to a further unique prefix, which the
# trap also tears down.  (Not for $(...): the subshell would forget it.)
sb_add_prefix() {
    SB_NEW_PREFIX=$(sb_new_prefix)
    SB_PREFIXES+=("$SB_NEW_PREFIX")
}

# _sb_cleanup RC: the EXIT trap: diagnoses a failure, tears every sandbox
# of the test down, removes SB_TMP, exits RC.  Nothing in it may stop it.
_sb_cleanup() {
    local rc=$1 p
    set +e
    trap - EXIT
    if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ $_sb_failing = no ]; then
        _sb_diagnose
    fi
    for p in "${SB_PREFIXES[@]}"; do
        "$SANDBOX" --prefix "$p" down >/dev/null 2>&1 || true
    done
    rm -rf "$SB_TMP"
    exit "$rc"
}

# sb_has PATTERN: true if a line of stdin matches the grep PATTERN.  Unlike
# grep -q it reads all input, so that the writer of a pipe never dies of
# SIGPIPE (which pipefail would count as a failure).
sb_has() {
    grep -e "$1" >/dev/null
}

# sb_namespaces [PREFIX]: prints the sorted namespaces of sandbox PREFIX
# (default SB_PREFIX); other tests' namespaces come and go meanwhile.
sb_namespaces() {
    ip netns list | awk -v p="${1:-$SB_PREFIX}-" \
        'index($1, p) == 1 { print $1 }' | sort
}

# sb CMD ARGS...: runs a sandbox command on this test's sandbox.
sb() {
    "$SANDBOX" --prefix "$SB_PREFIX" "$@"
}

# sb_up [UP_ARGS...]: brings the sandbox up; fails the test if it cannot.
# A failed up keeps its logs in SB_TMP; they go to the test's log.
sb_up() {
    local f
    if ! TMPDIR=$SB_TMP sb up --builddir "$abs_top_builddir" "$@"; then
        while IFS= read -r f; do
            echo "--- $f (last 30 lines)" >&2
            tail -n 30 "$f" >&2
        done < <(find "$SB_TMP" -path '*/dvrsb-*-failed.*' -name '*.log' | sort)
        sb_fail "sandbox up failed"
    fi
    SB_NB=$(sb nb-remote)
}

# sb_node_env NODE: exports NODE's OVS_* variables.
sb_node_env() {
    local d=/run/dvrsb/$SB_PREFIX/$1
    export OVS_RUNDIR=$d/run OVS_DBDIR=$d/db OVS_LOGDIR=$d/log \
           OVS_SYSCONFDIR=$d/etc
}

# sb_nb OPS: runs the NB transaction ["DVRFLOW_Northbound", OPS]; prints
# the result; fails the test on any error.
sb_nb() {
    local out
    out=$(ovsdb-client --timeout=10 transact "$SB_NB" \
              "[\"DVRFLOW_Northbound\", $1]") \
        || sb_fail "NB transaction failed: $1"
    if [[ $out == *'"error"'* ]]; then
        sb_fail "NB transaction failed: $out"
    fi
    echo "$out"
}

# sb_network NAME [TYPE SEG MTU]: inserts a Network (default geneve, a
# segment derived from NAME, MTU 1442); prints its UUID.
sb_network() {
    local name=$1 type=${2:-geneve} seg=${3:-} mtu=${4:-1442}
    [ -n "$seg" ] || [ "$type" = flat ] \
        || seg=$(( $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 16000000 + 1 ))
    NB_REMOTE=$SB_NB nb_network "$name" "$type" "$seg" "" "$mtu" \
        || sb_fail "cannot insert network $name"
}

# sb_subnet NET CIDR GATEWAY [DHCP]: inserts a Subnet of network NET
# (DHCP false unless "true"); prints its UUID.
sb_subnet() {
    NB_REMOTE=$SB_NB nb_subnet "$@" || sb_fail "cannot insert subnet $2"
}

# sb_port NET SUBNET IP MAC [PS [SGS]]: inserts a Port with one fixed IP
# (none if IP is empty), port security PS (true) and security groups SGS
# (see nb_port); prints its UUID.
sb_port() {
    NB_REMOTE=$SB_NB nb_port "$1" "$2" "$4" "$3" "${5:-true}" "${6:-open}" \
        || sb_fail "cannot insert port $4"
}

# sb_ping6_routed FROM ADDR: 3 pings from FROM to the IPv6 address ADDR
# must all be answered, the replies arriving with hop limit 63 (one
# router on the way).
sb_ping6_routed() {
    local out
    out=$(sb exec "$1" ping -6 -c 3 -i 0.2 -W 1 "$2" 2>&1) \
        || sb_fail "$1 cannot ping6 $2: $out"
    echo "$out" | grep -q "from $2: icmp_seq=.* ttl=63 " \
        || sb_fail "$2's replies do not arrive at $1 with hop limit 63: $out"
}

# sb_rate_near WHAT RATE CMD...: CMD prints rates in Mbit/s, one a line;
# each must be within 10% of RATE.  A rate above that fails at once (the
# limit does not hold); a rate below it runs CMD again, 3 times at most:
# on a loaded machine the userspace datapath may not reach the rate, but
# it never exceeds a limit that holds.
sb_rate_near() {
    local what=$1 rate=$2 out i
    shift 2
    for i in 1 2 3; do
        out=$("$@") || sb_fail "$what: the measurement failed"
        echo "$what: $(echo $out) Mbit/s"
        case $(echo "$out" | awk -v r="$rate" '
                !($1 <= r * 1.1) { over = 1 }
                $1 < r * 0.9 { under = 1 }
                END { print over ? "over" : under ? "under" : "ok" }') in
        over) sb_fail "$what: $(echo $out) Mbit/s, more than 10% above" \
                  "$rate: the limit does not hold" ;;
        ok) return 0 ;;
        esac
    done
    sb_fail "$what: $(echo $out) Mbit/s, more than 10% below $rate in 3 runs"
}

# sb_rate_above WHAT MIN CMD...: CMD prints rates in Mbit/s, one a line;
# each must be above MIN (no limit applies); 3 runs at most, as above.
sb_rate_above() {
    local what=$1 min=$2 out i
    shift 2
    for i in 1 2 3; do
        out=$("$@") || sb_fail "$what: the measurement failed"
        echo "$what: $(echo $out) Mbit/s"
        echo "$out" | awk -v m="$min" '!($1 > m) { low = 1 } END { exit low }' \
            && return 0
    done
    sb_fail "$what: $(echo $out) Mbit/s, not above $min in 3 runs"
}

# sb_api_url: the sandbox's dvr-api URL.
sb_api_url() {
    echo "http://127.0.0.1:$(. "/run/dvrsb/$SB_PREFIX/config"; \
                             echo "$SB_API_PORT")"
}

# sb_os_session: runs the openstack client commands on stdin in one
# process against dvr-api; fails the test if any failed.
sb_os_session() {
    osc_session "$SB_TMP/os.out" "$(sb_api_url)" \
        || sb_fail "an openstack command failed"
}

# sb_api METHOD PATH [BODY]: a dvr-api request; prints the response body;
# fails the test on an HTTP error.
sb_api() {
    local out code
    out=$(curl -sS -X "$1" -H 'Content-Type: application/json' \
              -w '\n%{http_code}' ${3:+--data "$3"} \
              "$(sb_api_url)/v2.0$2") || sb_fail "dvr-api $1 $2: no answer"
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    [ "$code" -lt 400 ] || sb_fail "dvr-api $1 $2: HTTP $code: $out"
    echo "$out"
}

# sb_api_id METHOD PATH BODY: like sb_api; prints the id of the object.
sb_api_id() {
    sb_api "$@" | jq -r '.[] | .id'
}

# sb_vm_port NAME NODE PORT: a VM on an existing port.
sb_vm_port() {
    sb vm-add "$1" --node "$2" --port "$3" || sb_fail "vm-add $1 failed"
}

# sb_vm NAME NODE NET SUBNET IP MAC [PS [SGS]]: a port and a VM on it; sets
# SB_PORT.
sb_vm() {
    SB_PORT=$(sb_port "$3" "$4" "$5" "$6" "${7:-true}" "${8:-open}")
    sb vm-add "$1" --node "$2" --port "$SB_PORT" \
        || sb_fail "vm-add $1 failed"
}

# sb_vm_var NAME VAR: prints variable VAR of VM NAME's record.
sb_vm_var() {
    (
        # shellcheck source=/dev/null
        . "/run/dvrsb/$SB_PREFIX/vms/$1.conf" || exit 1
        eval "echo \"\${$2:-}\""
    )
}

# sb_assert_ping FROM DST: FROM gets an echo reply from DST within 5 s.
sb_assert_ping() {
    for _ in 1 2 3 4 5; do
        sb exec "$1" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
    done
    sb_fail "$1 cannot ping $2"
}

# sb_assert_no_ping FROM DST: FROM gets no reply from DST to two pings.
sb_assert_no_ping() {
    if sb exec "$1" ping -q -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1; then
        sb_fail "$1 can ping $2, but must not"
    fi
}

# sb_tcp_listen NAME PORT: starts a TCP listener on PORT in NAME (stopped
# by `down` with everything in the namespace).
sb_tcp_listen() {
    sb exec "$1" nc -l -k "$2" >/dev/null 2>&1 </dev/null &
    sb_wait_listen "$1" "$2"
}

# sb_wait_listen NAME PORT: waits (2.5 s at most) until something in NAME
# listens on TCP PORT.
sb_wait_listen() {
    for _ in $(seq 50); do
        [ -n "$(sb exec "$1" ss -Hltn "sport = :$2")" ] && return 0
        sleep 0.05
    done
    sb_fail "no TCP listener on port $2 in $1"
}

# sb_assert_tcp FROM DST PORT: a TCP connection from FROM to DST:PORT
# succeeds within 5 s.
sb_assert_tcp() {
    for _ in 1 2 3 4 5; do
        sb exec "$1" nc -z -w 1 "$2" "$3" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    sb_fail "$1 cannot open TCP to $2:$3"
}

# sb_assert_no_tcp FROM DST PORT: a TCP connection attempt fails.
sb_assert_no_tcp() {
    if sb exec "$1" nc -z -w 1 "$2" "$3" >/dev/null 2>&1; then
        sb_fail "$1 can open TCP to $2:$3, but must not"
    fi
}

# sb_sg NAME: inserts an empty security group; prints its UUID.
sb_sg() {
    NB_REMOTE=$SB_NB nb_sg "$1" || sb_fail "cannot insert group $1"
}

# sb_rule SG DIR ETHERTYPE [KEY=VALUE...]: adds a rule to SG; prints its
# UUID.
sb_rule() {
    NB_REMOTE=$SB_NB nb_sg_rule "$@" || sb_fail "cannot insert rule $*"
}

# sb_rule_del SG RULE: removes RULE from SG.
sb_rule_del() {
    NB_REMOTE=$SB_NB nb_sg_rule_del "$1" "$2" \
        || sb_fail "cannot delete rule $2"
}

# sb_port_groups PORT [SG...]: sets PORT's security groups.
sb_port_groups() {
    local port=$1 set= g
    shift
    for g in "$@"; do
        set="$set${set:+,}[\"uuid\",\"$g\"]"
    done
    sb_nb "{\"op\":\"update\",\"table\":\"Port\",
            \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$port\"]]],
            \"row\":{\"security_groups\":[\"set\",[$set]]}}" >/dev/null
}

# sb_udp_echo NAME PORT: a UDP echo server (IPv4 and IPv6) on PORT in NAME
# (stopped by `down` with everything in the namespace).
sb_udp_echo() {
    sb exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)' "$2" >/dev/null 2>&1 </dev/null &
    for _ in $(seq 50); do
        [ -n "$(sb exec "$1" ss -Hlun "sport = :$2")" ] && return 0
        sleep 0.05
    done
    sb_fail "no UDP server on port $2 in $1"
}

# sb_udp_ask FROM DST PORT: sends one datagram to DST:PORT and prints
# "reply", "refused" or "timeout" (1 s).
sb_udp_ask() {
    sb exec "$1" python3 -c '
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.settimeout(1)
s.connect((sys.argv[1], int(sys.argv[2])))
try:
    s.send(b"dvrflow")
    s.recv(100)
    print("reply")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")' "$2" "$3"
}

# The longest a change may take to reach the datapath in the tests that
# time it (they print the time; the design's figure is under a second).
# 3 s, not 1: the CI machine is shared, and a rule took 1.16 s there at a
# load of 8 on 2 cores; a change that is not applied incrementally, or a
# missed wake-up, still fails.
SB_REACT_MS=3000

# sb_await MS CMD...: runs CMD (output discarded) until it succeeds, for at
# most MS milliseconds; prints the milliseconds it took, or fails.
sb_await() {
    local limit=$1 t0
    shift
    t0=$(sb_ms)
    until "$@" >/dev/null 2>&1; do
        [ $(( $(sb_ms) - t0 )) -lt "$limit" ] || return 1
        sleep 0.02
    done
    echo $(( $(sb_ms) - t0 ))
}

# sb_assert_gone PREFIX: fails unless nothing of sandbox PREFIX is left:
# no namespace, directory, process, socket or root-namespace link.
sb_assert_gone() {
    local p=$1 left
    left=$(sb_namespaces "$p")
    [ -z "$left" ] || sb_fail "namespaces of $p left: $left"
    [ ! -e "/run/dvrsb/$p" ] || sb_fail "/run/dvrsb/$p left"
    left=$(grep -lsaF -- "/run/dvrsb/$p/" /proc/[0-9]*/cmdline || true)
    for f in $left; do
        # grep itself has ended; zombies have stopped.
        if [ -e "$f" ] && ! grep -qs '^State:.*Z' "${f%cmdline}status"; then
            sb_fail "process of $p left: $(tr '\0' ' ' < "$f")"
        fi
    done
    left=$(ss -xa 2>/dev/null | grep -F "/run/dvrsb/$p/" || true)
    [ -z "$left" ] || sb_fail "sockets of $p left: $left"
    left=$(ip -o link show | grep -E "(^| )$p-" || true)
    [ -z "$left" ] || sb_fail "links of $p left in the root namespace: $left"
}

# _sb_diagnose: prints the sandbox's state, flows and logs on stderr.  It
# runs in a subshell without errexit: a vanished file must not stop it.
_sb_diagnose() (
    set +e
    local p d node br f
    for p in "${SB_PREFIXES[@]}"; do
        d=/run/dvrsb/$p
        [ -f "$d/config" ] || continue
        echo "=== sandbox $p" >&2
        "$SANDBOX" --prefix "$p" status >&2 2>&1 || true
        for node in $(. "$d/config"; echo "$SB_NODES"); do
            if [ -S "$d/$node/run/dvr-controller.ctl" ]; then
                echo "--- $p $node dvr-controller status" >&2
                ovs-appctl -t "$d/$node/run/dvr-controller.ctl" status >&2 2>&1
            fi
            for br in br-int br-tun br-ex br-phy; do
                "$SANDBOX" --prefix "$p" ovs "$node" ovs-vsctl br-exists "$br" \
                    2>/dev/null || continue
                echo "--- $p $node $br flows" >&2
                "$SANDBOX" --prefix "$p" ovs "$node" ovs-ofctl -O OpenFlow13 \
                    --names dump-flows "$br" >&2 2>&1 || true
            done
        done
        while IFS= read -r f; do
            echo "--- $f (last 30 lines)" >&2
            tail -n 30 "$f" >&2
        done < <(find "$d" -name '*.log' | sort)
    done
)

# sb_fail MESSAGE: reports MESSAGE with the sandboxes' state; exits 1.
# In a subshell ($(...)) it only reports and exits the subshell; the
# test's set -e then ends the test and the trap prints the state.
sb_fail() {
    echo "FAIL: $*" >&2
    if [ "$BASHPID" = $$ ]; then
        _sb_diagnose
        _sb_failing=yes
    fi
    exit 1
}

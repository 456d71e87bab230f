# tests/lib/dummy.sh: frames in and out of dummy-datapath switches.
# shellcheck shell=bash
#
# Source it from a test (after tests/lib/ovs.sh, or tests/system/lib.sh for
# a dummy-datapath sandbox).  Every function talks to the ovs-vswitchd that
# the current OVS_RUNDIR names (ovs_env NAME, or sb_node_env NODE), so the
# caller picks the switch.  Ports are `type=dummy` interfaces; their output
# is read from the pcap file in their `options:tx_pcap`.
#
#   dummy_icmp SRC_MAC DST_MAC SRC_IP DST_IP [TTL]
#                            prints an ICMP echo request in flow syntax
#   dummy_arp_request SRC_MAC SRC_IP DST_IP
#                            prints a broadcast ARP request in flow syntax
#   dummy_inject PORT PACKET injects PACKET (flow syntax or hex bytes) as
#                            if received on dummy port PORT
#   dummy_count PCAP [FILTER]
#                            prints how many frames in PCAP match the
#                            tcpdump FILTER (all frames without one)
#   dummy_wait PCAP FILTER MIN [TIMEOUT]
#                            waits until at least MIN frames match
#   dummy_send_expect PORT PACKET PCAP FILTER [TIMEOUT]
#                            injects PACKET and waits (default 3 s) for one
#                            more frame matching FILTER in PCAP
#   dummy_send_expect_none PORT PACKET PCAP FILTER [WAIT]
#                            injects PACKET and checks that no new frame
#                            matching FILTER shows up in PCAP within WAIT
#                            seconds (default 0.5) after a barrier
#   dummy_dump PCAP          prints PCAP's frames (for failure reports)
#
# Checks return 0 or print one line "dummy: ..." on stderr and return 1;
# they never exit, so a test can also assert that a check fails.
# Delivery is asynchronous: the checks poll.  Never delete a pcap file
# while its switch runs.

# dummy_icmp SRC_MAC DST_MAC SRC_IP DST_IP [TTL]: prints the flow-syntax
# description of an ICMP echo request.
dummy_icmp() {
    printf 'eth(src=%s,dst=%s),eth_type(0x0800),ipv4(src=%s,dst=%s,proto=1,tos=0,ttl=%s,frag=no),icmp(type=8,code=0)\n' \
        "$1" "$2" "$3" "$4" "${5:-64}"
}

# dummy_arp_request SRC_MAC SRC_IP DST_IP: prints the flow-syntax
# description of a broadcast ARP request for DST_IP.
dummy_arp_request() {
    printf 'eth(src=%s,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=%s,tip=%s,op=1,sha=%s,tha=00:00:00:00:00:00)\n' \
        "$1" "$2" "$3" "$1"
}

# dummy_inject PORT PACKET: hands PACKET to the switch as received on PORT.
dummy_inject() {
    local err
    if ! err=$(ovs-appctl --timeout=10 netdev-dummy/receive "$1" "$2" 2>&1)
    then
        echo "dummy: cannot inject on $1: ${err##*$'\n'}" >&2
        return 1
    fi
}

# dummy_count PCAP [FILTER]: prints the number of frames in PCAP that match
# the tcpdump FILTER; 0 if PCAP does not exist yet.
dummy_count() {
    local pcap=$1 filter=${2:-}
    if [ ! -s "$pcap" ]; then
        echo 0
        return 0
    fi
    # -tt starts each frame's line with its timestamp; decoded protocol
    # details on continuation lines start with white space.
    # shellcheck disable=SC2086
    tcpdump -r "$pcap" -nn -tt $filter 2>/dev/null | grep -c '^[0-9]' || true
}

# dummy_wait PCAP FILTER MIN [TIMEOUT]: waits until at least MIN frames of
# PCAP match FILTER; returns 1 after TIMEOUT seconds (default 3).
dummy_wait() {
    local pcap=$1 filter=$2 min=$3 timeout=${4:-3} i n
    for ((i = 0; i <= timeout * 20; i++)); do
        n=$(dummy_count "$pcap" "$filter")
        [ "$n" -lt "$min" ] || return 0
        sleep 0.05
    done
    echo "dummy: $pcap: $n frames match '$filter' after ${timeout} s, wanted $min" >&2
    return 1
}

# dummy_send_expect PORT PACKET PCAP FILTER [TIMEOUT]: injects PACKET on
# PORT and waits for one more frame matching FILTER in PCAP.
dummy_send_expect() {
    local port=$1 packet=$2 pcap=$3 filter=$4 timeout=${5:-3} before
    before=$(dummy_count "$pcap" "$filter")
    dummy_inject "$port" "$packet" || return 1
    if ! dummy_wait "$pcap" "$filter" $((before + 1)) "$timeout" 2>/dev/null
    then
        echo "dummy: no frame matching '$filter' in $pcap within $timeout s after injecting on $port" >&2
        return 1
    fi
}

# dummy_send_expect_none PORT PACKET PCAP FILTER [WAIT]: injects PACKET on
# PORT and fails if a new frame matching FILTER reaches PCAP.  A unixctl
# round trip after the injection lets the switch handle the packet first
# (the main loop handles datapath input before unixctl requests); WAIT
# seconds more (default 0.5) cover frames that cross other switches.
dummy_send_expect_none() {
    local port=$1 packet=$2 pcap=$3 filter=$4 wait=${5:-0.5} before n
    before=$(dummy_count "$pcap" "$filter")
    dummy_inject "$port" "$packet" || return 1
    ovs-appctl --timeout=10 version >/dev/null 2>&1 || true
    sleep "$wait"
    n=$(dummy_count "$pcap" "$filter")
    if [ "$n" -gt "$before" ]; then
        echo "dummy: $((n - before)) unexpected frame(s) matching '$filter' in $pcap after injecting on $port" >&2
        return 1
    fi
}

# dummy_dump PCAP: prints every frame of PCAP with its link header.
dummy_dump() {
    echo "--- frames in $1"
    [ -s "$1" ] && tcpdump -r "$1" -nn -e 2>/dev/null || true
}

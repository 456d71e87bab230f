#!/usr/bin/env bash
# Component test: the metrics endpoints (doc/metrics.md) of dvr-controller
# (external_ids:dvr-metrics-address) and dvr-api (--metrics).  Each is off
# when unset and refuses a bad address with one clear message; each
# scrape parses as Prometheus text (tests/lib/promcheck.py); and the
# counters move with traffic: DHCP packet-ins and per-VIF meter drops on a
# dummy-datapath node, flows per table, compile and install latencies when
# a port arrives, nb_cfg applied (and lagging while ovs-vswitchd is
# away), bindings; API requests by method, resource and status with their
# latency.  Hostile HTTP clients are refused without harm.
#
# The endpoints listen on 127.0.0.1, on ports of 7200-7299.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
dhcp() { python3 "$abs_top_srcdir/tests/lib/dhcp.py" "$@"; }
ovs_test_init

# free_port [EXCEPT...]: a free TCP port of 127.0.0.1 in 7200-7299, not
# one of EXCEPT.
free_port() {
    ovs_free_ports 1 7200-7299 "$@"
}

# scrape URL NAME: GET URL into $OVS_TEST_DIR/NAME.prom, checks that it
# parses and that the content type is the exposition format's, and
# leaves the parsed samples in $OVS_TEST_DIR/NAME.samples.
scrape() {
    local url=$1 out=$OVS_TEST_DIR/$2 ctype
    ctype=$(curl -sf -o "$out.prom" -w '%{content_type}' "$url") \
        || ovs_fail "cannot scrape $url"
    [ "$ctype" = "text/plain; version=0.0.4; charset=utf-8" ] \
        || ovs_fail "$url: content type '$ctype'"
    python3 "$abs_top_srcdir/tests/lib/promcheck.py" "$out.prom" \
        > "$out.samples" || ovs_fail "$url: not Prometheus text"
}

# value NAME SERIES: the value of SERIES (exactly as printed, e.g.
# 'x_total{kind="dhcp"}') in scrape NAME; "" if absent.
value() {
    awk -v s="$2" '$1 == s { print $2 }' "$OVS_TEST_DIR/$1.samples"
}

# expect NAME SERIES OP N: checks that SERIES's value in scrape NAME
# compares with N (OP: -eq, -ge, -gt) as an integer.
expect() {
    local v
    v=$(value "$1" "$2")
    [ -n "$v" ] || ovs_fail "scrape $1: no $2"
    [ "${v%.*}" "$3" "$4" ] || ovs_fail "scrape $1: $2 is $v, not $3 $4"
}

# listens PID: true if process PID has a listening TCP socket.
listens() {
    ss -Hltnp | grep -q "pid=$1,"
}

### dvr-controller.

ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1
NA=$(nb_network A vxlan 100 "" 1442)
SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1 true)
A1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a1 10.0.0.11)
A2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:a2 10.0.0.12)
nb_transact '{"op":"insert","table":"NB_Global","row":{"nb_cfg":5}}' \
    >/dev/null

ovs_start_controller hv1 --no-metadata
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
pc=$OVS_TEST_DIR/hv1
log=$pc/log/dvr-controller.log
cpid=$(cat "$pc/run/dvr-controller.pid")
plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active \
        options:tx_pcap="$pc/$1.pcap"
}
binding_up() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"Port_Binding\",\"where\":[[\"port\",\"==\",
        [\"uuid\",\"$1\"]],[\"up\",\"==\",true]]}]" | grep -q '"_uuid"'
}
plug vif-a1 11 "$A1" fa:16:3e:00:00:a1
ovs_wait_until 10 binding_up "$A1" || ovs_fail "port A1 not bound up"
ovs_wait_until 10 sh -c "ovs-ofctl -O OpenFlow13 dump-flows br-int table=30 | grep -q controller" \
    || ovs_fail "no DHCP flow"

# Off while unset: no listening socket at all.
listens "$cpid" && { ss -ltnp; ovs_fail "dvr-controller listens without dvr-metrics-address"; }
grep -q "metrics on" "$log" && ovs_fail "metrics on without a setting"
echo "controller: off when unset: ok"

# A bad address: one clear line, metrics stay off, the controller works.
for bad in 127.0.0.1:notaport localhost:7200 127.0.0.1:0 127.0.0.1; do
    ovs-vsctl set open . external_ids:dvr-metrics-address="$bad"
    ovs_wait_until 10 grep -qF "external_ids:dvr-metrics-address: '$bad'" \
        "$log" || ovs_fail "no message for '$bad'"
done
grep -F "dvr-metrics-address: '127.0.0.1:notaport'" "$log"
[ "$(grep -cF "dvr-metrics-address: '127.0.0.1:notaport'" "$log")" = 1 ] \
    || ovs_fail "the message for a bad address is not logged once"
grep -qF "'127.0.0.1:notaport': 'notaport' is not a port number (1 to 65535); metrics stay off" "$log" \
    || ovs_fail "unclear message for a bad port"
grep -qF "'localhost:7200': 'localhost' is not a numeric IPv4 address; metrics stay off" "$log" \
    || ovs_fail "unclear message for a host name"
listens "$cpid" && ovs_fail "listening with a bad address"
ovs_controller_ctl hv1 status | grep -q "br-int: connected" \
    || ovs_fail "the controller suffers from a bad metrics address"
# An address in use: refused the same way.
busy=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
time.sleep(30)' "$busy" &
holder=$!
ovs_wait_until 5 sh -c "ss -Hltn | grep -q '127.0.0.1:$busy '" \
    || ovs_fail "the port holder did not start"
ovs-vsctl set open . external_ids:dvr-metrics-address="127.0.0.1:$busy"
ovs_wait_until 10 grep -qF "'127.0.0.1:$busy': cannot listen (Address already in use); metrics stay off (retrying every 5 s)" "$log" \
    || ovs_fail "no message for an address in use"
listens "$cpid" && ovs_fail "listening with an address in use"
echo "controller: bad addresses refused with a clear message: ok"

# Once the port is free, the controller binds it (it retries every 5 s).
kill "$holder"; wait "$holder" 2>/dev/null || true
port=$busy
url=http://127.0.0.1:$port/metrics
ovs_wait_until 10 curl -sf -o /dev/null "$url" || ovs_fail "no metrics on $url"
grep -q "metrics on http://127.0.0.1:$port/metrics" "$log" \
    || ovs_fail "no log line for the metrics address"
scrape "$url" c1
expect c1 'dvr_controller_info{version="'"$(sed -n 's/^AC_INIT(\[dvrflow\], *\[\([^]]*\)\].*/\1/p' "$abs_top_srcdir/configure.ac")"'",chassis="hv1"}' -eq 1
expect c1 'dvr_controller_flows{bridge="br-int",table="classify",table_id="0"}' -ge 1
expect c1 'dvr_controller_flows{bridge="br-int",table="punt",table_id="30"}' -ge 1
expect c1 'dvr_controller_flows{bridge="br-tun",table="tun_classify",table_id="0"}' -ge 1
expect c1 'dvr_controller_bridge_connected{bridge="br-int"}' -eq 1
# The flow counts are the switch's.
n_int=$(ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -c "table=" || true)
sum=$(awk '$1 ~ /^dvr_controller_flows\{bridge="br-int"/ { s += $2 } END { print s }' \
    "$OVS_TEST_DIR/c1.samples")
[ "$sum" = "$n_int" ] || ovs_fail "br-int flows: metrics say $sum, the switch $n_int"
expect c1 'dvr_controller_bindings{up="true"}' -eq 1
expect c1 'dvr_controller_local_ports' -eq 1
expect c1 'dvr_controller_vifs' -eq 1
expect c1 'dvr_controller_nb_connected' -eq 1
expect c1 'dvr_controller_nb_cfg{state="current"}' -eq 5
expect c1 'dvr_controller_nb_cfg{state="applied"}' -eq 5
expect c1 'dvr_controller_nb_cfg_lag' -eq 0
expect c1 'dvr_controller_compile_seconds_count{kind="full"}' -ge 1
expect c1 'dvr_controller_install_seconds_count{bridge="br-int"}' -ge 1
expect c1 'dvr_controller_packet_ins_total{kind="dhcp"}' -eq 0
echo "controller: first scrape: ok"

# A DHCP DISCOVER is one dhcp packet-in.
udp_reply="udp src port 67 and udp dst port 68"
dummy_send_expect vif-a1 "$(dhcp frame discover fa:16:3e:00:00:a1)" \
    "$pc/vif-a1.pcap" "$udp_reply" || ovs_fail "no OFFER"
scrape "$url" c2
expect c2 'dvr_controller_packet_ins_total{kind="dhcp"}' -eq 1
expect c2 'dvr_controller_packet_outs_total{result="sent"}' -ge 1
echo "controller: a DHCP request counted: ok"

# A flood of DISCOVERs from A1 goes past its meter (20/s, burst 40):
# the switch's drops show as A1's meter drops.
# 50 frames per call, 150 in all: faster than the meter refills even on a
# loaded machine.
d=$(dhcp frame discover fa:16:3e:00:00:a1)
for i in 1 2 3; do
    # shellcheck disable=SC2046
    ovs-appctl netdev-dummy/receive vif-a1 $(for j in $(seq 50); do echo "$d"; done) \
        >/dev/null
done
drops() {
    scrape "$url" c3
    v=$(value c3 "dvr_controller_meter_drops_total{meter=\"port\",port=\"$A1\"}")
    [ -n "$v" ] && [ "$v" -gt 0 ]
}
# Polled every 0.5 s: each scrape asks for the statistics the next one
# reports.
poll() {
    local i
    for i in $(seq $(($1 * 2))); do
        "${@:2}" && return 0
        sleep 0.5
    done
    return 1
}
poll 10 drops || { cat "$OVS_TEST_DIR/c3.samples"; ovs-ofctl -O OpenFlow13 meter-stats br-int; ovs_fail "no meter drops for A1"; }
expect c3 'dvr_controller_packet_ins_total{kind="dhcp"}' -ge 21
expect c3 'dvr_controller_meter_drops_total{meter="controller",port=""}' -ge 0
sw=$(ovs-ofctl -O OpenFlow13 meter-stats br-int meter=$((0x10000 + 11)) \
    | sed -n 's/.*0: packet_count:\([0-9]*\).*/\1/p')
echo "A1's meter: $(value c3 "dvr_controller_meter_drops_total{meter=\"port\",port=\"$A1\"}") drops in the metrics, $sw in the switch's meter-stats"
expect c3 "dvr_controller_meter_drops_total{meter=\"port\",port=\"$A1\"}" -ge 1
[ "$sw" -ge "$(value c3 "dvr_controller_meter_drops_total{meter=\"port\",port=\"$A1\"}")" ] \
    || ovs_fail "more drops in the metrics than in the switch"
echo "controller: meter drops: ok"

# A port arriving: an incremental compile and a br-int bundle more, one
# binding more; nb_cfg 6 is applied.
inc=$(value c3 'dvr_controller_compile_seconds_count{kind="incremental"}')
ins=$(value c3 'dvr_controller_install_seconds_count{bridge="br-int"}')
plug vif-a2 12 "$A2" fa:16:3e:00:00:a2
ovs_wait_until 10 binding_up "$A2" || ovs_fail "port A2 not bound up"
nb_transact '{"op":"mutate","table":"NB_Global","where":[],
    "mutations":[["nb_cfg","+=",1]]}' >/dev/null
applied() {
    scrape "$url" c4
    [ "$(value c4 'dvr_controller_nb_cfg{state="applied"}')" = 6 ]
}
poll 10 applied || ovs_fail "nb_cfg 6 not applied"
expect c4 'dvr_controller_nb_cfg{state="current"}' -eq 6
expect c4 'dvr_controller_nb_cfg_lag' -eq 0
expect c4 'dvr_controller_bindings{up="true"}' -eq 2
expect c4 'dvr_controller_vifs' -eq 2
expect c4 'dvr_controller_compile_seconds_count{kind="incremental"}' -gt "$inc"
expect c4 'dvr_controller_install_seconds_count{bridge="br-int"}' -gt "$ins"
expect c4 'dvr_controller_change_seconds_count' -ge 2
expect c4 'dvr_controller_flow_mods_total{bridge="br-int",op="add"}' -ge 1
echo "controller: a new port: compile, install, binding, nb_cfg: ok"

# Only GET and HEAD of /metrics.
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 404 ] \
    || ovs_fail "/ is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url")" = 405 ] \
    || ovs_fail "POST is not 405"
[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$url")" = 200 ] \
    || ovs_fail "HEAD is not 200"
# Hostile clients: headers or a body over the limits, garbage, a client
# that sends half a request and waits.  Each is refused or dropped and
# the controller goes on serving (and working).
big=$(head -c 20000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$url" || true)
[ "$code" != 200 ] || ovs_fail "headers of 20 kB accepted"
code=$(curl -s -o /dev/null -w '%{http_code}' -X GET --data-binary "$big" \
    "$url" || true)
[ "$code" != 200 ] || ovs_fail "a body of 20 kB accepted"
python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x00\xff garbage \r\n\r\n")
s.settimeout(5)
try:
    s.recv(100)
except OSError:
    pass
' "$port"
python3 -c 'import socket, sys, time
h = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
h.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
time.sleep(30)' "$port" &
slow=$!
sleep 0.5
scrape "$url" c5
kill "$slow"; wait "$slow" 2>/dev/null || true
ovs_controller_ctl hv1 status | grep -q "br-int: connected" \
    || ovs_fail "the controller suffers from hostile metrics clients"
echo "controller: other paths, methods and hostile requests refused: ok"

# NB lag: while ovs-vswitchd is away nothing can be installed, so a new
# nb_cfg is not applied; once it is back, it is.
vpid=$(cat "$pc/run/ovs-vswitchd.pid")
_ovs_kill "$vpid" || ovs_fail "ovs-vswitchd was not running"
nb_transact '{"op":"mutate","table":"NB_Global","where":[],
    "mutations":[["nb_cfg","+=",1]]}' >/dev/null
lagging() {
    scrape "$url" c6
    [ "$(value c6 'dvr_controller_nb_cfg{state="current"}')" = 7 ] \
        && [ "$(value c6 'dvr_controller_bridge_connected{bridge="br-int"}')" = 0 ]
}
poll 10 lagging || ovs_fail "no nb_cfg 7 or br-int still connected"
expect c6 'dvr_controller_nb_cfg{state="applied"}' -eq 6
expect c6 'dvr_controller_nb_cfg_lag' -eq 1
(
    ovs_env hv1
    ovs-vswitchd --detach --no-chdir --enable-dummy --disable-system \
        --disable-system-route --pidfile="$pc/run/ovs-vswitchd.pid" \
        --log-file="$pc/log/ovs-vswitchd.log" "unix:$pc/run/db.sock"
) || ovs_fail "cannot restart ovs-vswitchd"
applied7() {
    scrape "$url" c7
    [ "$(value c7 'dvr_controller_nb_cfg{state="applied"}')" = 7 ]
}
poll 20 applied7 || ovs_fail "nb_cfg 7 not applied after ovs-vswitchd came back"
expect c7 'dvr_controller_nb_cfg_lag' -eq 0
echo "controller: nb_cfg lag while the switch is away: ok"

# Unset: off again.
ovs-vsctl remove open . external_ids dvr-metrics-address
ovs_wait_until 10 sh -c "! curl -s -o /dev/null '$url'" \
    || ovs_fail "metrics still served after the setting went"
listens "$cpid" && ovs_fail "still listening after the setting went"
grep -q "metrics off" "$log" || ovs_fail "no log line for metrics off"
echo "controller: off again when unset: ok"

### dvr-api, on the same NB.

# api_up [OPTIONS]: dvr-api on a free port of the range (as api_start,
# without a second NB).
API_DIR=$OVS_TEST_DIR/api
mkdir -p "$API_DIR"
api_up() {
    local i
    rm -f "$API_DIR/dvr-api.pid"
    API_PORT=$(free_port ${aport:-})
    "$DVR_API" --nb="$NB_REMOTE" --listen="127.0.0.1:$API_PORT" --auth=none \
        --detach --no-chdir --pidfile="$API_DIR/dvr-api.pid" \
        --log-file="$API_DIR/dvr-api.log" --unixctl="$API_DIR/dvr-api.ctl" \
        "$@" || ovs_fail "dvr-api did not start"
    _ovs_pidfiles+=("$API_DIR/dvr-api.pid")
    API_URL=http://127.0.0.1:$API_PORT
    for i in $(seq 100); do
        curl -fs "$API_URL/" >/dev/null && return 0
        sleep 0.1
    done
    ovs_fail "dvr-api does not answer on $API_URL"
}

# A bad address is refused before anything starts.
for bad in 127.0.0.1:99999 "[::1]9100" localhost:7201; do
    if err=$("$DVR_API" --auth=none --nb="$NB_REMOTE" --listen=127.0.0.1:0 \
                 --metrics="$bad" 2>&1); then
        ovs_fail "dvr-api accepted --metrics=$bad"
    fi
    echo "$err"
    case $err in
        *"--metrics: '$bad'"*) ;;
        *) ovs_fail "dvr-api: unclear message for --metrics=$bad: $err" ;;
    esac
done

# Off without --metrics: one listening socket (the API's).
api_up
apid=$(cat "$API_DIR/dvr-api.pid")
[ "$(ss -Hltnp | grep -c "pid=$apid,")" = 1 ] \
    || { ss -ltnp; ovs_fail "dvr-api listens on more than its API"; }
ovs-appctl -t "$API_DIR/dvr-api.ctl" exit
ovs_wait_until 10 sh -c "! kill -0 $apid" || ovs_fail "dvr-api did not exit"
echo "api: off when unset, bad addresses refused: ok"

aport=$(free_port)
aurl=http://127.0.0.1:$aport/metrics
api_up --metrics="127.0.0.1:$aport"
scrape "$aurl" a1
expect a1 'dvr_api_nb_connected' -eq 1
[ -z "$(value a1 'dvr_api_requests_total{method="POST",resource="networks",status="201"}')" ] \
    || ovs_fail "a POST counted before any"
r=$(api_curl POST /v2.0/networks '{"network":{"name":"m1"}}')
[ "${r%% *}" = 201 ] || ovs_fail "network create: $r"
r=$(api_curl GET /v2.0/networks/00000000-0000-0000-0000-000000000000)
[ "${r%% *}" = 404 ] || ovs_fail "GET of a missing network: $r"
api_curl GET /v2.0/networks >/dev/null
scrape "$aurl" a2
expect a2 'dvr_api_requests_total{method="POST",resource="networks",status="201"}' -eq 1
expect a2 'dvr_api_requests_total{method="GET",resource="networks",status="404"}' -eq 1
expect a2 'dvr_api_requests_total{method="GET",resource="networks",status="200"}' -ge 1
expect a2 'dvr_api_request_duration_seconds_count{method="POST"}' -eq 1
expect a2 'dvr_api_request_duration_seconds_bucket{method="POST",le="+Inf"}' -eq 1
post_sum=$(value a2 'dvr_api_request_duration_seconds_sum{method="POST"}')
python3 -c "import sys; sys.exit(not 0 < float('$post_sum') < 30)" \
    || ovs_fail "POST latency sum $post_sum"
expect a2 'dvr_api_requests_pending{state="commit"}' -eq 0
api_curl POST /v2.0/networks '{"network":{"name":"m2"}}' >/dev/null
scrape "$aurl" a3
expect a3 'dvr_api_requests_total{method="POST",resource="networks",status="201"}' -eq 2
echo "api: requests counted by method, resource and status, with latency: ok"

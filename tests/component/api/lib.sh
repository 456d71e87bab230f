# tests/component/api/lib.sh: start dvr-api for a component test.
#
# Source it after tests/lib/ovs.sh.  api_start starts a private NB
# ovsdb-server (ovs_start_nb) and dvr-api on a free loopback port; both
# are stopped by pid by ovs.sh's exit trap.
#
#   api_start [DVR-API OPTIONS...]   sets API_URL, API_DIR, API_PORT
#                                    (--auth=$API_AUTH, default none)
#   api_start_on REMOTE [OPTIONS...] the same on an NB already running
#   os ARGS...                       the openstack client against API_URL
#   api_client_start                 later os calls run in one client
#                                    process (osc_start): for tests with
#                                    many of them
#   api_curl METHOD PATH [BODY]      prints "STATUS BODY"
#   nb_dump                          a canonical dump of the NB database

. "$abs_top_srcdir/tests/lib/osc.sh"

: "${abs_top_builddir:=$abs_top_srcdir}"
DVR_API=${DVR_API:-$abs_top_builddir/api/dvr-api}
# --auth for api_start: none unless set ("" gives no --auth at all).
API_AUTH=${API_AUTH-none}

api_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

api_start() {
    ovs_start_nb nb
    api_start_on "$NB_REMOTE" "$@"
}

api_start_on() {
    local remote=$1; shift
    [ -x "$DVR_API" ] || ovs_fail "no dvr-api binary at $DVR_API"
    API_DIR=$OVS_TEST_DIR/api
    mkdir -p "$API_DIR"
    local i
    for i in 1 2 3; do
        API_PORT=$(api_free_port)
        "$DVR_API" --nb="$remote" --listen="127.0.0.1:$API_PORT" \
            --detach --no-chdir --pidfile="$API_DIR/dvr-api.pid" \
            --log-file="$API_DIR/dvr-api.log" \
            --unixctl="$API_DIR/dvr-api.ctl" ${API_AUTH:+--auth=$API_AUTH} \
            "$@" && break
    done
    [ -f "$API_DIR/dvr-api.pid" ] || ovs_fail "dvr-api did not start"
    _ovs_pidfiles+=("$API_DIR/dvr-api.pid")
    API_URL=http://127.0.0.1:$API_PORT
    for i in $(seq 100); do
        curl -fs "$API_URL/" >/dev/null && return 0
        sleep 0.1
    done
    ovs_fail "dvr-api does not answer on $API_URL"
}

os() {
    osc "$API_URL" "$@"
}

api_client_start() {
    osc_start "$API_DIR" || ovs_fail "cannot start the openstack client"
    _ovs_track_pidfile "$API_DIR/osc.pid"
}

api_curl() {
    local method=$1 path=$2 body=${3:-}
    if [ -n "$body" ]; then
        curl -s -o "$API_DIR/body" -w '%{http_code}' -X "$method" \
            -H 'Content-Type: application/json' --data-binary "$body" \
            "$API_URL$path"
    else
        curl -s -o "$API_DIR/body" -w '%{http_code}' -X "$method" \
            "$API_URL$path"
    fi
    printf ' '
    cat "$API_DIR/body"
    echo
}

# A dump of the NB database that does not depend on row order.
nb_dump() {
    ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound -f json \
        | python3 -c 'import json, sys
for line in sys.stdin:
    if line.strip():
        t = json.loads(line)
        t["data"] = sorted(json.dumps(r, sort_keys=True) for r in t["data"])
        print(json.dumps(t, sort_keys=True))'
}

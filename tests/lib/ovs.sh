# tests/lib/ovs.sh: start and stop private Open vSwitch daemons for tests.
#
# Source it from a test script.  Every daemon gets its own OVS_RUNDIR,
# OVS_DBDIR, OVS_LOGDIR and OVS_SYSCONFDIR under one temporary directory,
# so tests never meet each other or the system's OVS.  A trap stops every
# daemon this file started, by pid, on every exit path, and removes the
# directory unless the test failed (then its logs stay for reading).
#
#   ovs_test_init                 make $OVS_TEST_DIR and install the trap
#   ovs_start_nb NAME             ovsdb-server with the NB schema (again
#                                 after a stop: same database); sets
#                                 NB_REMOTE=unix:<sock>
#   ovs_start_switch NAME         ovsdb-server + ovs-vswitchd on the dummy
#                                 datapath; sets OVS_RUNDIR etc. for NAME
#   ovs_env NAME                  export NAME's OVS_* variables (for the
#                                 ovs-vsctl/ovs-ofctl/ovs-appctl clients)
#   ovs_fail MESSAGE              print MESSAGE and the daemons' logs, exit 1
#   ovs_free_ports N LO-HI [EXCEPT...]
#                                 N free loopback TCP ports in LO-HI

: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${OVS_SRCDIR:=/var/cache/dvrflow/ovs-current/src}"
OVS_VSWITCH_SCHEMA=${OVS_VSWITCH_SCHEMA:-$OVS_SRCDIR/vswitchd/vswitch.ovsschema}
DVR_NB_SCHEMA=${DVR_NB_SCHEMA:-$abs_top_srcdir/ovsdb/dvrflow-nb.ovsschema}
PATH=$PATH:/usr/sbin:/sbin

_ovs_pidfiles=()

_ovs_track_pidfile() {
    local pf
    for pf in "${_ovs_pidfiles[@]}"; do
        [ "$pf" = "$1" ] && return 0
    done
    _ovs_pidfiles+=("$1")
}

ovs_test_init() {
    OVS_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dvrtest.XXXXXX")
    trap '_ovs_cleanup $?' EXIT
    trap 'exit 130' INT TERM
}

# _ovs_kill PID [SIGNAL]: sends SIGNAL (TERM) and waits up to 5 s for PID
# to stop.  Returns 1 if it was not running.
_ovs_kill() {
    local pid=$1 i
    kill -"${2:-TERM}" "$pid" 2>/dev/null || return 1
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        # A zombie has stopped; PID 1 may reap it late.
        grep -q '^State:.*Z' /proc/"$pid"/status 2>/dev/null && break
        sleep 0.1
    done
}

_ovs_cleanup() {
    local rc=$1 pf pid
    for pf in "${_ovs_pidfiles[@]}"; do
        pid=$(cat "$pf" 2>/dev/null) || continue
        _ovs_kill "$pid" || continue
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then
        rm -rf "$OVS_TEST_DIR"
    else
        echo "test failed ($rc): logs kept in $OVS_TEST_DIR" >&2
    fi
}

ovs_fail() {
    local f
    echo "FAIL: $*" >&2
    for f in "$OVS_TEST_DIR"/*/log/*.log; do
        [ -f "$f" ] || continue
        echo "--- $f (last 20 lines)" >&2
        tail -n 20 "$f" >&2
    done
    exit 1
}

ovs_env() {
    local d=$OVS_TEST_DIR/$1
    export OVS_RUNDIR=$d/run OVS_DBDIR=$d/db OVS_LOGDIR=$d/log \
           OVS_SYSCONFDIR=$d/etc OVS_PKGDATADIR=$OVS_SRCDIR
}

_ovs_mkdirs() {
    local d=$OVS_TEST_DIR/$1
    mkdir -p "$d/run" "$d/db" "$d/log" "$d/etc"
    ovs_env "$1"
}

# _ovs_wait_file FILE: waits up to 10 s for FILE (a socket or pidfile).
_ovs_wait_file() {
    local i
    for i in $(seq 100); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    ovs_fail "timed out waiting for $1"
}

ovs_start_nb() {
    local name=$1 d=$OVS_TEST_DIR/$1
    (
        _ovs_mkdirs "$name"
        # A restart keeps the database.
        [ -f "$d/db/nb.db" ] \
            || ovsdb-tool create "$d/db/nb.db" "$DVR_NB_SCHEMA" >/dev/null
        ovsdb-server --detach --no-chdir --pidfile="$d/run/nb.pid" \
            --log-file="$d/log/nb.log" --remote=punix:"$d/run/nb.sock" \
            --unixctl="$d/run/nb.ctl" "$d/db/nb.db"
    ) || ovs_fail "cannot start NB ovsdb-server $name"
    _ovs_track_pidfile "$d/run/nb.pid"
    _ovs_wait_file "$d/run/nb.sock"
    NB_REMOTE=unix:$d/run/nb.sock
}

ovs_start_switch() {
    local name=$1 d=$OVS_TEST_DIR/$1
    (
        _ovs_mkdirs "$name"
        ovsdb-tool create "$d/db/conf.db" "$OVS_VSWITCH_SCHEMA" >/dev/null
        ovsdb-server --detach --no-chdir --pidfile="$d/run/ovsdb-server.pid" \
            --log-file="$d/log/ovsdb-server.log" \
            --remote=punix:"$d/run/db.sock" "$d/db/conf.db"
    ) || ovs_fail "cannot start ovsdb-server for $name"
    _ovs_pidfiles+=("$d/run/ovsdb-server.pid")
    _ovs_wait_file "$d/run/db.sock"
    (
        ovs_env "$name"
        ovs-vsctl --no-wait init
        ovs-vswitchd --detach --no-chdir --enable-dummy --disable-system \
            --disable-system-route --pidfile="$d/run/ovs-vswitchd.pid" \
            --log-file="$d/log/ovs-vswitchd.log" "unix:$d/run/db.sock"
    ) || ovs_fail "cannot start ovs-vswitchd for $name"
    _ovs_pidfiles+=("$d/run/ovs-vswitchd.pid")
    _ovs_wait_file "$d/run/ovs-vswitchd.pid"
    ovs_env "$name"
    OVS_DB_REMOTE=unix:$d/run/db.sock
}

# ovs_start_chassis NAME ENCAP_IP: a dummy-datapath switch (ovs_start_switch)
# configured as chassis NAME of the NB started by ovs_start_nb, with tunnel
# endpoint ENCAP_IP; its dvr-controller is started with
# ovs_start_controller.
ovs_start_chassis() {
    ovs_start_switch "$1"
    ovs-vsctl set open . external_ids:system-id="$1" \
        external_ids:dvr-nb-remote="$NB_REMOTE" \
        external_ids:dvr-encap-ip="$2" \
        external_ids:dvr-datapath-type=dummy
}

# ovs_start_controller NAME [ARGS...]: dvr-controller for switch NAME
# (started with ovs_start_switch), with the switch's OVS_* directories.
ovs_start_controller() {
    local name=$1 d=$OVS_TEST_DIR/$1; shift
    (
        ovs_env "$name"
        "$abs_top_builddir/controller/dvr-controller" --detach --no-chdir \
            --pidfile="$d/run/dvr-controller.pid" \
            --log-file="$d/log/dvr-controller.log" \
            --unixctl="$d/run/dvr-controller.ctl" "$@" \
            "unix:$d/run/db.sock"
    ) || ovs_fail "cannot start dvr-controller for $name"
    _ovs_track_pidfile "$d/run/dvr-controller.pid"
    _ovs_wait_file "$d/run/dvr-controller.pid"
}

# ovs_stop_controller NAME [SIGNAL]: stops NAME's dvr-controller.
ovs_stop_controller() {
    local d=$OVS_TEST_DIR/$1 pid
    pid=$(cat "$d/run/dvr-controller.pid" 2>/dev/null) || return 0
    _ovs_kill "$pid" "${2:-TERM}" || true
    rm -f "$d/run/dvr-controller.pid"
}

# ovs_controller_ctl NAME CMD...: ovs-appctl to NAME's dvr-controller.
ovs_controller_ctl() {
    local d=$OVS_TEST_DIR/$1; shift
    ovs-appctl -t "$d/run/dvr-controller.ctl" "$@"
}

# ovs_free_ports N LO-HI [EXCEPT...]: N TCP ports of 127.0.0.1 in LO-HI
# that are free now and not among EXCEPT, space-separated; fails if
# there are not that many.
ovs_free_ports() {
    /usr/bin/python3 -c 'import socket, sys
lo, hi = map(int, sys.argv[2].split("-"))
found = []
for p in range(lo, hi + 1):
    if str(p) in sys.argv[3:]:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    found.append(p)
    if len(found) == int(sys.argv[1]):
        print(" ".join(map(str, found)))
        sys.exit(0)
sys.exit("not enough free ports in " + sys.argv[2])' "$@"
}

# ovs_wait_until TIMEOUT_S CMD...: polls CMD every 0.1 s.
ovs_wait_until() {
    local t=$1 i; shift
    for i in $(seq $((t * 10))); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

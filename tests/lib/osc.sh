# tests/lib/osc.sh: the openstack client in tests, without Keystone.
#
# osc URL ARGS...          one client command against the Neutron API at URL
#                          (dvr-api or neutron-server), no authentication.
# osc_check FILE RC        true if a client run that wrote FILE and exited
#                          RC went well; otherwise prints, first, the lines
#                          of FILE that tell what failed (so that a truncated
#                          CI log still shows them), then FILE's tail.
# osc_session FILE URL     the commands on stdin in one client process (its
#                          interactive mode, one start-up for all of them),
#                          output in FILE; osc_check's verdict.
# osc_start DIR            starts tests/lib/osc-server.py (socket and pid
#                          file DIR/osc.pid): later osc calls of this shell
#                          with arguments run in it, without the client's
#                          seconds of start-up each.  The caller stops it by its pid
#                          file.
#
# The URL and "no authentication" go in the environment, not as options:
# the interactive mode would also run each option as a command.

OSC_ERRORS='error|fail|traceback|not found|conflict|usage:'

OSC_SERVER=$abs_top_srcdir/tests/lib/osc-server.py

osc() {
    local url=$1
    shift
    if [ -n "${OSC_SOCKET:-}" ] && [ $# -gt 0 ]; then
        /usr/bin/python3 "$OSC_SERVER" call "$OSC_SOCKET" "$url" "$@"
    else
        OS_AUTH_TYPE=none OS_ENDPOINT=$url openstack "$@"
    fi
}

osc_start() {
    local i
    /usr/bin/python3 "$OSC_SERVER" serve "$1/osc.sock" \
        >"$1/osc.log" 2>&1 </dev/null &
    echo $! > "$1/osc.pid"
    for i in $(seq 100); do
        if [ -S "$1/osc.sock" ]; then
            OSC_SOCKET=$1/osc.sock
            return 0
        fi
        sleep 0.1
    done
    cat "$1/osc.log" >&2
    return 1
}

osc_check() {
    local file=$1 rc=$2
    if [ "$rc" = 0 ] && ! grep -Eiq "$OSC_ERRORS" "$file"; then
        return 0
    fi
    {
        echo "openstack client: exit status $rc; what it said wrong:"
        grep -Ein -B3 "$OSC_ERRORS" "$file" | head -n 30
        echo "--- the end of $file:"
        tail -n 40 "$file"
    } >&2
    return 1
}

osc_session() {
    local file=$1 url=$2 rc=0
    osc "$url" > "$file" 2>&1 || rc=$?
    osc_check "$file" "$rc"
}

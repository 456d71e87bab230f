#!/usr/bin/env bash
# Component test (issue 17): the packaged NB service as a 3-member Raft
# cluster, from the source tree's debian/ files without building packages.
# Each member runs dvrflow-nb.service's ExecStartPre (debian/nb-db-prepare),
# ExecStart (ovsdb-server) and ExecStartPost (debian/nb-db-upgrade) as
# systemd would, with the unit's paths mapped into a directory of its own
# and the settings of the packaged /etc/dvrflow/dvrflow-nb
# (DVRFLOW_NB_CLUSTER_LOCAL, DVRFLOW_NB_CLUSTER_REMOTE); Raft on loopback
# TCP ports (free ones from $DVR_NB_CLUSTER_PORTS, default 7900-7949).
# Proves:
#   - member 1 creates the cluster, 2 and 3 join it: cluster/status shows 3
#     servers and a leader on every member;
#   - a row written through one member is read through each of the others
#     and through the comma-separated remote of all three;
#   - a package upgrade (a schema with one more column and a higher
#     version, all three members restarted at once): the running cluster is
#     converted once, the column is there on every member, the row kept;
#     a follower's helper converts as well as the leader's; a member
#     whose package is older leaves the newer schema alone; one
#     that finds no quorum serves on and leaves the upgrade to the next;
#   - a standalone database becomes a first member's cluster with its rows
#     (set aside as nb.db.standalone-*); no settings: standalone, as before;
#   - bad settings (an address not tcp:/ssl:IP:PORT, a remote without a
#     local address) fail naming the setting and create or change nothing.
set -euo pipefail
. "$abs_top_srcdir/tests/lib/ovs.sh"
ovs_test_init
T=$OVS_TEST_DIR
unit=$abs_top_srcdir/debian/systemd/dvrflow-nb.service
NAME=DVRFLOW_Northbound

# The packaged schema (replaced by the "upgrade" below).
mkdir -p "$T/share"
cp "$DVR_NB_SCHEMA" "$T/share/dvrflow-nb.ovsschema"

read -r -a ports \
    <<<"$(ovs_free_ports 3 "${DVR_NB_CLUSTER_PORTS:-7900-7949}")"
raft() { echo "tcp:127.0.0.1:${ports[$1 - 1]}"; }

# map K: the unit's paths in member K's directory $T/mK.
map() {
    local d=$T/m$1
    sed -e "s|/usr/lib/dvrflow/|$abs_top_srcdir/debian/|g" \
        -e "s|/usr/share/dvrflow|$T/share|g" \
        -e "s|/etc/dvrflow|$d/etc|g" \
        -e "s|/run/dvrflow|$d/run|g" \
        -e "s|/var/lib/dvrflow|$d/lib|g" \
        -e "s|/var/log/dvrflow|$d/log|g"
}
# unit_line K KEY: the unit's KEY= value for member K, without systemd's
# "-" (ignore failure) prefix.
unit_line() {
    sed -n "s/^$2=-\{0,1\}//p" "$unit" | map "$1"
}
# member_setup K LOCAL REMOTE: member K's directories and the packaged
# /etc/dvrflow/dvrflow-nb with the two cluster settings filled in.
member_setup() {
    local d=$T/m$1
    mkdir -p "$d/etc" "$d/run" "$d/lib" "$d/log"
    sed -e "s|^DVRFLOW_NB_CLUSTER_LOCAL=\"\"$|DVRFLOW_NB_CLUSTER_LOCAL=\"$2\"|" \
        -e "s|^DVRFLOW_NB_CLUSTER_REMOTE=\"\"$|DVRFLOW_NB_CLUSTER_REMOTE=\"$3\"|" \
        "$abs_top_srcdir/debian/etc/dvrflow-nb" > "$d/etc/dvrflow-nb"
    grep -qxF "DVRFLOW_NB_CLUSTER_LOCAL=\"$2\"" "$d/etc/dvrflow-nb" \
        && grep -qxF "DVRFLOW_NB_CLUSTER_REMOTE=\"$3\"" "$d/etc/dvrflow-nb" \
        || ovs_fail "debian/etc/dvrflow-nb has no empty cluster settings"
}
# in_env K CMD...: CMD with member K's EnvironmentFile's variables.
in_env() {
    local k=$1 envfile
    shift
    envfile=$(unit_line "$k" EnvironmentFile | sed 's/^-//')
    (
        set -a
        . <(map "$k" <"$envfile")
        set +a
        "$@"
    )
}
# member_start K: ExecStartPre, then ExecStart in the background (the main
# process) and ExecStartPost once it runs, as systemd does; the latter's
# output goes to $T/mK/post.out, its exit status to $T/mK/post.rc.
member_start() {
    local k=$1 d=$T/m$1 pre cmd post
    pre=$(unit_line "$k" ExecStartPre)
    cmd=$(unit_line "$k" ExecStart)
    post=$(unit_line "$k" ExecStartPost)
    in_env "$k" eval "$pre" >"$d/pre.out" 2>&1 \
        || { cat "$d/pre.out"; ovs_fail "member $k: ExecStartPre failed"; }
    rm -f "$d/post.rc"
    (
        set -a
        . <(map "$k" <"$(unit_line "$k" EnvironmentFile)")
        set +a
        eval "set -- $cmd"
        exec setsid "$@" </dev/null >>"$d/log/server.out" 2>&1
    ) &
    _ovs_track_pidfile "$d/run/dvrflow-nb.pid"
    (
        export DVRFLOW_NB_UPGRADE_CONNECT_WAIT=${connect_wait:-20}
        rc=0
        in_env "$k" eval "$post" >"$d/post.out" 2>&1 || rc=$?
        echo "$rc" > "$d/post.rc"
    ) &
}
# member_stop K: stops member K's ovsdb-server (its pid file's).
member_stop() {
    local pf=$T/m$1/run/dvrflow-nb.pid
    _ovs_kill "$(cat "$pf")" || true
    rm -f "$pf"
}
# posts_done K...: waits up to 60 s for the members' ExecStartPost.
posts_done() {
    local k i
    for k in "$@"; do
        for i in $(seq 600); do
            [ -s "$T/m$k/post.rc" ] && break
            sleep 0.1
        done
        [ -s "$T/m$k/post.rc" ] \
            || ovs_fail "member $k: ExecStartPost did not finish"
        [ "$(cat "$T/m$k/post.rc")" = 0 ] \
            || { cat "$T/m$k/post.out"; \
                 ovs_fail "member $k: ExecStartPost failed"; }
    done
}
sock() { echo "unix:$T/m$1/run/dvrflow-nb.sock"; }
status() {
    ovs-appctl -t "$T/m$1/run/dvrflow-nb.ctl" cluster/status "$NAME"
}
# cluster_ready: every member is a cluster member, sees 3 servers and
# knows the leader (up to 20 s).
cluster_ready() {
    local i k ok
    for i in $(seq 200); do
        ok=yes
        for k in 1 2 3; do
            s=$(status "$k" 2>/dev/null) || { ok=no; break; }
            grep -qx 'Status: cluster member' <<<"$s" \
                && [ "$(grep -c '^    [0-9a-f]\{4\} (.* at tcp:' <<<"$s")" \
                     = 3 ] \
                && grep -q '^Leader: \([0-9a-f]\{4\}\|self\)$' <<<"$s" \
                && grep -q '^Role: \(leader\|follower\)$' <<<"$s" \
                || { ok=no; break; }
        done
        [ $ok = yes ] && return 0
        sleep 0.1
    done
    for k in 1 2 3; do status "$k" || true; done
    return 1
}

# The cluster: member 1 creates it, 2 joins through 1, 3 through 1 and 2.
member_setup 1 "$(raft 1)" ""
member_setup 2 "$(raft 2)" "$(raft 1)"
member_setup 3 "$(raft 3)" "$(raft 1),$(raft 2)"
for k in 1 2 3; do
    member_start "$k"
done
cluster_ready || ovs_fail "no cluster of 3 with a leader"
posts_done 1 2 3
for k in 1 2 3; do
    ovsdb-tool db-is-clustered "$T/m$k/lib/nb.db" \
        || ovs_fail "member $k's nb.db is not clustered"
    [ "$(ovsdb-tool db-local-address "$T/m$k/lib/nb.db")" = "$(raft "$k")" ] \
        || ovs_fail "member $k is not at $(raft "$k")"
done
status 1 | grep -E '^(Role|Leader):|^    [0-9a-f]{4} '
echo "3 members, each with a leader in cluster/status"

# A write through member 3, read through each member and through all three.
all="$(sock 1),$(sock 2),$(sock 3)"
ovsdb-client -t 10 transact "$(sock 3)" "[\"$NAME\", {\"op\": \"insert\",
    \"table\": \"Network\", \"row\": {\"name\": \"net-m3\",
    \"provider_network_type\": \"vxlan\", \"mtu\": 1450}}]" \
    > "$T/insert.out" || ovs_fail "insert through member 3 failed"
grep -q '"uuid"' "$T/insert.out" \
    || ovs_fail "insert through member 3: $(cat "$T/insert.out")"
# read REMOTE: the names of the networks through REMOTE.
read_names() {
    ovsdb-client -t 10 transact "$1" "[\"$NAME\", {\"op\": \"select\",
        \"table\": \"Network\", \"where\": [], \"columns\": [\"name\"]}]"
}
for r in "$(sock 1)" "$(sock 2)" "$all"; do
    ok=no
    for _ in $(seq 50); do
        if read_names "$r" | grep -q '"name":"net-m3"'; then
            ok=yes
            break
        fi
        sleep 0.1
    done
    [ $ok = yes ] || ovs_fail "the row written through member 3 is not" \
                              "read through $r"
done
echo "a row written through member 3 read through members 1, 2 and all"

# The package upgrade: a schema with one more column and a higher minor
# version; all three members restarted at once (dvrflow-nb is not
# restarted by the upgrade itself).
old_version=$(ovsdb-tool schema-version "$DVR_NB_SCHEMA")
new_version=$(awk -F. '{ printf "%d.%d.0", $1, $2 + 1 }' <<<"$old_version")
jq --arg v "$new_version" '.version = $v
    | .tables.Network.columns.upgrade_test = {"type": {"key": "string",
          "min": 0, "max": 1}}' "$DVR_NB_SCHEMA" \
    > "$T/share/dvrflow-nb.ovsschema"
for k in 1 2 3; do
    member_stop "$k"
done
for k in 1 2 3; do
    member_start "$k"
done
posts_done 1 2 3
cluster_ready || ovs_fail "the cluster did not come back after the restart"
cat "$T"/m[123]/post.out
for k in 1 2 3; do
    v=$(ovsdb-client -t 10 get-schema-version "$(sock "$k")" "$NAME")
    [ "$v" = "$new_version" ] \
        || ovs_fail "member $k serves schema $v, not $new_version"
    ovsdb-client -t 10 list-columns "$(sock "$k")" "$NAME" Network \
        | grep -q '^upgrade_test ' \
        || ovs_fail "member $k's Network has no column upgrade_test"
    read_names "$(sock "$k")" | grep -q '"name":"net-m3"' \
        || ovs_fail "member $k lost the row net-m3 in the conversion"
done
converted=$(cat "$T"/m[123]/post.out | grep -c '^nb-db-upgrade: converted' \
                || true)
echo "schema $old_version -> $new_version on all 3 members;" \
     "$converted conversion(s) by the 3 ExecStartPost helpers"
[ "$converted" = 1 ] \
    || ovs_fail "the 3 members converted $converted times, not once"

# A member whose package is older (in a rolling upgrade) leaves the newer
# schema alone.
out=$(ovsdb-tool db-is-clustered "$T/m2/lib/nb.db" && \
      "$abs_top_srcdir/debian/nb-db-upgrade" "$T/m2/lib/nb.db" \
          "$DVR_NB_SCHEMA" "$(sock 2)" 2>&1) \
    || ovs_fail "nb-db-upgrade with an older schema failed: $out"
grep -q 'is newer than' <<<"$out" \
    || ovs_fail "nb-db-upgrade with an older schema: $out"
v=$(ovsdb-client -t 10 get-schema-version "$all" "$NAME")
[ "$v" = "$new_version" ] || ovs_fail "an older package made the schema $v"
echo "an older member leaves schema $new_version: $out"

# A follower converts too (its server passes the change to the leader)
# once the leader's helper has not, after the follower's wait.
follower=
for k in 1 2 3; do
    if status "$k" | grep -qx 'Role: follower'; then
        follower=$k
        break
    fi
done
[ -n "$follower" ] || ovs_fail "no follower"
next_version=$(awk -F. '{ printf "%d.%d.0", $1, $2 + 1 }' <<<"$new_version")
jq --arg v "$next_version" '.version = $v' "$T/share/dvrflow-nb.ovsschema" \
    > "$T/next.ovsschema"
out=$(DVRFLOW_NB_UPGRADE_FOLLOWER_WAIT=1 \
      "$abs_top_srcdir/debian/nb-db-upgrade" "$T/m$follower/lib/nb.db" \
          "$T/next.ovsschema" "$(sock "$follower")" 2>&1) \
    || ovs_fail "nb-db-upgrade on follower $follower failed: $out"
grep -q '^nb-db-upgrade: converted' <<<"$out" \
    || ovs_fail "nb-db-upgrade on follower $follower: $out"
for k in 1 2 3; do
    v=$(ovsdb-client -t 10 get-schema-version "$(sock "$k")" "$NAME")
    [ "$v" = "$next_version" ] \
        || ovs_fail "member $k serves $v after follower $follower converted"
done
echo "follower $follower converted the cluster to $next_version"

# A member that finds no quorum (the other two are down) serves without
# upgrading: its ExecStartPost gives up after its wait, with status 0 (a
# failure would make systemd stop the member).
for k in 1 2 3; do
    member_stop "$k"
done
jq '.version = "9.0.0"' "$T/share/dvrflow-nb.ovsschema" > "$T/next"
mv "$T/next" "$T/share/dvrflow-nb.ovsschema"
connect_wait=3 member_start 1
posts_done 1
grep -q 'not connected to its cluster' "$T/m1/post.out" \
    || ovs_fail "member 1 alone: $(cat "$T/m1/post.out")"
kill -0 "$(cat "$T/m1/run/dvrflow-nb.pid")" \
    || ovs_fail "member 1 alone does not run"
echo "a member without quorum: $(cat "$T/m1/post.out")"
member_stop 1

# A standalone database (with a row) becomes a first member's cluster.
prepare() {
    in_env "$1" eval "$(unit_line "$1" ExecStartPre)"
}
member_setup 4 "" ""
prepare 4 || ovs_fail "ExecStartPre without settings failed"
ovsdb-tool db-is-standalone "$T/m4/lib/nb.db" \
    || ovs_fail "no settings: nb.db is not standalone"
ovsdb-tool transact "$T/m4/lib/nb.db" "[\"$NAME\", {\"op\": \"insert\",
    \"table\": \"Network\", \"row\": {\"name\": \"net-standalone\",
    \"provider_network_type\": \"flat\", \"mtu\": 1500}}]" >/dev/null
member_setup 4 "tcp:127.0.0.1:1" ""
prepare 4 || ovs_fail "ExecStartPre of a standalone db to a cluster failed"
ovsdb-tool db-is-clustered "$T/m4/lib/nb.db" \
    || ovs_fail "nb.db was not made a cluster"
ls "$T"/m4/lib/nb.db.standalone-* >/dev/null 2>&1 \
    || ovs_fail "the standalone database was not set aside"
ovsdb-tool cluster-to-standalone "$T/m4.db" "$T/m4/lib/nb.db"
ovsdb-tool query "$T/m4.db" "[\"$NAME\", {\"op\": \"select\",
    \"table\": \"Network\", \"where\": [], \"columns\": [\"name\"]}]" \
    | grep -q '"name":"net-standalone"' \
    || ovs_fail "the new cluster lost the standalone database's row"
echo "a standalone database became a cluster with its rows"

# Bad settings: refused naming the setting, nothing created or changed.
# snapshot: member 5's database directory, names and contents.
snapshot() {
    ls -A "$T/m5/lib"
    find "$T/m5/lib" -type f -exec md5sum {} +
}
# refused LOCAL REMOTE SETTING: ExecStartPre fails naming SETTING.
refused() {
    local before after out
    before=$(snapshot)
    member_setup 5 "$1" "$2"
    if out=$(prepare 5 2>&1); then
        ovs_fail "LOCAL=\"$1\" REMOTE=\"$2\" accepted"
    fi
    grep -q "$3" <<<"$out" \
        || ovs_fail "LOCAL=\"$1\" REMOTE=\"$2\": the error does not name" \
                    "$3: $out"
    after=$(snapshot)
    [ "$before" = "$after" ] \
        || ovs_fail "LOCAL=\"$1\" REMOTE=\"$2\" changed $T/m5/lib"
    echo "refused: LOCAL=\"$1\" REMOTE=\"$2\": $out"
}
mkdir -p "$T/m5/lib"
for l in 127.0.0.1:6643 unix:/tmp/nb.raft tcp:0.0.0.0:6643 \
         tcp:127.0.0.1:65536 tcp:127.0.0.1: tcp:nb1.example:6643 \
         tcp:127.0.0.256:6643 'tcp:[::]:6643' 'tcp:[::1:6643' \
         'tcp:127.0.0.1:6643 --remote=ptcp:1' 'tcp:[1:::::2]:6643'; do
    refused "$l" "" DVRFLOW_NB_CLUSTER_LOCAL
done
refused "" "$(raft 1)" DVRFLOW_NB_CLUSTER_REMOTE
refused "tcp:127.0.0.1:2" "tcp:127.0.0.1" DVRFLOW_NB_CLUSTER_REMOTE
refused "tcp:127.0.0.1:2" "$(raft 1),ssl:x:1" DVRFLOW_NB_CLUSTER_REMOTE
refused "tcp:127.0.0.1:2" "tcp:127.0.0.1:2" DVRFLOW_NB_CLUSTER_REMOTE
refused "tcp:127.0.0.1:2" "tcp:[1:::::2]:6643" DVRFLOW_NB_CLUSTER_REMOTE
[ -z "$(ls -A "$T/m5/lib")" ] || ovs_fail "bad settings created a file"
# Nor do they touch an existing standalone database.
member_setup 5 "" ""
prepare 5 || ovs_fail "ExecStartPre without settings failed"
refused "tcp:127.0.0.1:6643:1" "" DVRFLOW_NB_CLUSTER_LOCAL
refused "" "$(raft 1)" DVRFLOW_NB_CLUSTER_REMOTE
ovsdb-tool db-is-standalone "$T/m5/lib/nb.db" \
    || ovs_fail "bad settings changed the standalone database"
echo "PASS: the packaged NB service as a 3-member Raft cluster"

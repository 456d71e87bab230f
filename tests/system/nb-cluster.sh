#!/usr/bin/env bash
# System test (issue 17): the NB database as a 3-member Raft cluster.
# dvr-api and every dvr-controller take the members as a comma-separated
# remote list.  Under an API write load (8 clients creating ports) the
# leader is killed (kill -9).  Proves:
#   - every port the API acknowledged (201) is in the NB afterwards, none
#     twice, and no request got an answer other than 201 or 503;
#   - the API answers 201 again within 5 s of the kill;
#   - vm1 -> vm2 pings across nodes lose nothing during the failover;
#   - a port made after the failover reaches its VM's flows: vm3 answers;
#   - dvrctl sync through the members' list waits for both chassis;
#   - the killed member, restarted, rejoins as a follower;
#   - the schema upgraded on the running cluster (ovsdb-client convert to a
#     version with one more column and table): dvr-api and the controllers
#     built for the old one go on working.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --nb-cluster 3 --computes 2 --gateways 0
P=$SB_PREFIX
api_port=$(. "/run/dvrsb/$P/config"; echo "$SB_API_PORT")

net=$(sb_api_id POST /networks '{"network": {"name": "net1"}}')
sub=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$net\",
    \"cidr\": \"10.1.0.0/16\", \"ip_version\": 4, \"enable_dhcp\": false}}")
# port_api NAME IP: a port without port security on net1; prints its id.
port_api() {
    sb_api_id POST /ports "{\"port\": {\"name\": \"$1\",
        \"network_id\": \"$net\", \"port_security_enabled\": false,
        \"fixed_ips\": [{\"subnet_id\": \"$sub\", \"ip_address\": \"$2\"}]}}"
}
sb_vm_port vm1 hv1 "$(port_api vm1 10.1.0.11)"
sb_vm_port vm2 hv2 "$(port_api vm2 10.1.0.12)"
sb_assert_ping vm1 10.1.0.12

# Pings at 20/s and the write load, both for ~12 s; the leader is killed
# 2 s in.
sb exec vm1 ping -q -i 0.05 -c 240 -W 2 10.1.0.12 > "$SB_TMP/ping.out" 2>&1 &
ping_pid=$!
t0=$(sb_ms)
/usr/bin/python3 "$abs_top_srcdir/tests/system/nb-cluster-load.py" \
    "http://127.0.0.1:$api_port" "$net" 8 12 "$SB_TMP/load.out" \
    > "$SB_TMP/load.summary" &
load_pid=$!
sleep 2
leader=$(sb nb-leader) || sb_fail "the cluster has no leader"
kill_ms=$(( $(sb_ms) - t0 ))
sb nb-member stop "$leader" || sb_fail "cannot stop NB member $leader"
echo "killed NB member $leader (the leader) at ${kill_ms} ms"
wait "$load_pid" || sb_fail "the load client failed"
cat "$SB_TMP/load.summary"
wait "$ping_pid" || true
cat "$SB_TMP/ping.out"

# No answer but 201 and 503 (or no answer while the NB had no leader).
bad=$(awk '$2 != 201 && $2 != 503 && $2 != 0' "$SB_TMP/load.out" | head -n 3)
[ -z "$bad" ] || sb_fail "unexpected answers: $bad"
# The API answered 201 again within 5 s of the kill.
back=$(awk -v k="$kill_ms" '$1 > k && $2 == 201 { print $1 - k; exit }' \
           "$SB_TMP/load.out")
[ -n "$back" ] || sb_fail "no write succeeded after the leader was killed"
echo "first write acknowledged ${back} ms after the kill"
[ "$back" -le 5000 ] || sb_fail "the API took ${back} ms to answer again"

# Every acknowledged port is in the NB.
awk '$2 == 201 { print $3 }' "$SB_TMP/load.out" | sort > "$SB_TMP/acked"
sb_nb '{"op": "select", "table": "Port", "where": [], "columns": ["_uuid"]}' \
    | jq -r '.[0].rows[]._uuid[1]' | sort > "$SB_TMP/nb-ports"
missing=$(comm -23 "$SB_TMP/acked" "$SB_TMP/nb-ports" | wc -l)
acked=$(wc -l < "$SB_TMP/acked")
# The NB holds vm1's and vm2's ports besides the load's; more would be
# writes that committed but whose answer the failover lost.
extra=$(( $(wc -l < "$SB_TMP/nb-ports") - acked - 2 ))
echo "acknowledged ports: $acked, missing from the NB: $missing," \
     "in the NB but never acknowledged: $extra"
[ "$acked" -gt 0 ] || sb_fail "no port was acknowledged"
[ "$missing" = 0 ] || sb_fail "$missing acknowledged ports are lost"
# A create retried after a lost answer finds its own row (dvr-api gives the
# row the same UUID in every attempt) instead of making a second one.
[ "$extra" = 0 ] || sb_fail "$extra ports were created twice"

# Not one ping lost across the failover.
sb_has ' 0% packet loss' < "$SB_TMP/ping.out" \
    || sb_fail "pings were lost during the NB failover"

# The controllers apply a change made after the failover.
t1=$(sb_ms)
sb_vm_port vm3 hv2 "$(port_api vm3 10.1.255.13)"
sb_assert_ping vm1 10.1.255.13
echo "port made after the failover: vm1 reaches vm3 $(( $(sb_ms) - t1 )) ms" \
     "after the API call"

# dvrctl sync through the members' list, the killed one still down: both
# chassis acknowledge.
out=$("$abs_top_builddir/tools/dvrctl" sync --nb "$SB_NB" --timeout 20) \
    || sb_fail "dvrctl sync after the failover: $out"
echo "$out" | grep -q " applied by 2 chassis in " \
    || sb_fail "dvrctl sync after the failover printed: $out"
echo "dvrctl sync after the failover: $out"

# The killed member rejoins as a follower.
sb nb-member start "$leader" || sb_fail "cannot restart NB member $leader"
ctl=/run/dvrsb/$P/nb/nb$leader.ctl
rejoined=no
for _ in $(seq 1 50); do
    if ovs-appctl -t "$ctl" cluster/status DVRFLOW_Northbound 2>/dev/null \
            | sb_has '^Role: follower'; then
        rejoined=yes
        break
    fi
    sleep 0.2
done
[ $rejoined = yes ] || sb_fail "NB member $leader did not rejoin"
# A schema upgrade the way OVSDB does it: ovsdb-client convert on the
# running cluster, to a version that adds a column and a table (what
# doc/architecture.md allows within a major version).  dvr-api and the
# controllers, built for the old version, keep working: a port made
# through the API after the upgrade reaches its VM.
jq '.version = "1.99.0"
    | .tables.Network.columns.upgrade_test = {"type": {"key": "string",
          "min": 0, "max": 1}}
    | .tables.Upgrade_Test = {"columns": {"name": {"type": "string"}},
          "isRoot": true}' "$DVR_NB_SCHEMA" > "$SB_TMP/next.ovsschema"
old_version=$(ovsdb-client get-schema-version "$SB_NB" DVRFLOW_Northbound)
ovsdb-client --timeout=30 convert "$SB_NB" "$SB_TMP/next.ovsschema" \
    || sb_fail "ovsdb-client convert failed"
new_version=$(ovsdb-client get-schema-version "$SB_NB" DVRFLOW_Northbound)
echo "NB schema converted from $old_version to $new_version"
[ "$new_version" = 1.99.0 ] || sb_fail "the NB schema is $new_version"
t1=$(sb_ms)
sb_vm_port vm4 hv1 "$(port_api vm4 10.1.255.14)"
sb_assert_ping vm2 10.1.255.14
echo "after the upgrade: vm2 reaches the new vm4 $(( $(sb_ms) - t1 )) ms" \
     "after the API call"
[ "$(sb_api GET "/ports?name=vm4" | jq '.ports | length')" = 1 ] \
    || sb_fail "dvr-api does not list the port it made after the upgrade"

for node in hv1 hv2; do
    [ -n "$(sb status | grep "node $node" | grep 'dvr-controller pid [0-9]* up')" ] \
        || sb_fail "the controller of $node stopped"
done
echo "PASS: NB cluster failover"

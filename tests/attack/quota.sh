#!/usr/bin/env bash
# Attack (issue 14): one project creating without bound through dvr-api
# (4,096 rules naming one remote group made a flow over 64 KiB, see
# tests/attack/big-flows.sh).  dvr-api enforces Neutron's default quotas
# per project (security_group_rule 100, security_group 10, port 500,
# floatingip 50, network 100, subnet 100, router 10) with Neutron's 409
# OverQuota error; a refused request changes nothing in NB; other projects
# are not affected; --quota=RESOURCE=N changes a limit.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
ovs_test_init

"$DVR_API" --quota=bogus=1 --version >/dev/null 2>&1 \
    && ovs_fail "dvr-api took --quota=bogus=1"
"$DVR_API" --quota=port=-2 --version >/dev/null 2>&1 \
    && ovs_fail "dvr-api took --quota=port=-2"
api_start --quota=router=2

# fill.py KIND PROJECT N: creates up to N objects of KIND for PROJECT, one
# request each, and prints how many were created and the first refusal.
fill() {
    python3 - "$API_URL" "$@" <<'PY'
import json, sys, urllib.request, urllib.error
url, kind, project, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
extra = sys.argv[5] if len(sys.argv) > 5 else ""

def post(path, body):
    req = urllib.request.Request(url + path, json.dumps(body).encode(),
                                 {"Content-Type": "application/json",
                                  "X-Project-Id": project}, method="POST")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

made = 0
for i in range(n):
    if kind == "rule":
        st, b = post("/v2.0/security-group-rules", {"security_group_rule": {
            "security_group_id": extra, "direction": "ingress",
            "ethertype": "IPv4", "protocol": "tcp",
            "port_range_min": 1000 + i, "port_range_max": 1000 + i}})
    elif kind == "sg":
        st, b = post("/v2.0/security-groups",
                     {"security_group": {"name": "g%d" % i}})
    elif kind == "router":
        st, b = post("/v2.0/routers", {"router": {"name": "r%d" % i}})
    if st != 201:
        print(made, st, json.dumps(b, sort_keys=True))
        sys.exit(0)
    made += 1
print(made, "none")
PY
}
# over_quota OUT RESOURCE: OUT (of fill) ends with Neutron's OverQuota.
over_quota() {
    local want
    want="409 {\"NeutronError\": {\"detail\": \"\", \"message\": \"Quota exceeded for resources: ['$2'].\", \"type\": \"OverQuota\"}}"
    [ "${1#* }" = "$want" ] || ovs_fail "no OverQuota for $2: $1"
}
sg=$(api_curl POST /v2.0/security-groups '{"security_group":{"name":"a"}}')
[ "${sg%% *}" = 201 ] || ovs_fail "cannot create a group: $sg"
sg=$(echo "${sg#* }" | python3 -c 'import json,sys; print(json.load(sys.stdin)["security_group"]["id"])')
# count TABLE PROJECT: the rows of PROJECT in TABLE.
count() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"$1\",\"where\":[[\"project_id\",\"==\",
        \"$2\"]],\"columns\":[\"_uuid\"]}]" \
        | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["rows"]))'
}
out=$(fill rule dvrflow 200 "$sg")
echo "rules: $out"
over_quota "$out" security_group_rule
n=$(count Security_Group_Rule dvrflow)
[ "$n" = 100 ] || ovs_fail "project dvrflow has $n rules"

# A refused request writes nothing.
before=$(nb_dump)
out=$(fill rule dvrflow 1 "$sg")
[ "${out%% *}" = 0 ] || ovs_fail "a rule over quota was created: $out"
[ "$before" = "$(nb_dump)" ] || ovs_fail "a refused request changed NB"

# Another project is not affected.
sgb=$(curl -s -H 'X-Project-Id: other' -H 'Content-Type: application/json' \
      -d '{"security_group":{"name":"b"}}' "$API_URL/v2.0/security-groups" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["security_group"]["id"])')
out=$(fill rule other 3 "$sgb")
[ "$out" = "3 none" ] || ovs_fail "project other was refused: $out"

# Groups: 10 with the ones above.
out=$(fill sg dvrflow 20)
echo "security groups: $out"
over_quota "$out" security_group
n=$(count Security_Group dvrflow)
[ "$n" = 10 ] || ovs_fail "project dvrflow has $n groups"

# --quota=router=2.
out=$(fill router dvrflow 5)
echo "routers: $out"
over_quota "$out" router
[ "${out%% *}" = 2 ] || ovs_fail "--quota=router=2 not applied: $out"

kill -0 "$(cat "$API_DIR/dvr-api.pid")" || ovs_fail "dvr-api died"
[ "$(api_curl GET /v2.0/networks | cut -d' ' -f1)" = 200 ] \
    || ovs_fail "dvr-api does not answer"
echo "quota: Neutron's defaults, 409 OverQuota, nothing written: ok"

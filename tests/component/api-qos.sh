#!/usr/bin/env bash
# Component test (issue 20, QoS): the real openstack client drives dvr-api's
# QoS resources (policy create/list/show/set/delete, bandwidth limit rules
# egress and ingress, a DSCP marking rule, `port set --qos-policy`,
# `network set --qos-policy`), the NB rows are checked, and every bad input
# is refused with a Neutron-style 4xx error that changes nothing in the NB
# database: a limit of 0, a negative or non-integer value, a DSCP mark
# outside Neutron's list, a second bandwidth rule of one direction, a
# second DSCP rule, a policy id that does not exist (on a rule, a port, a
# network), deleting a policy in use.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
command -v openstack >/dev/null || { echo "no openstack client"; exit 77; }
ovs_test_init
api_start
api_client_start

# run CMD...: one client command; fails the test if it fails.
run() {
    os "$@" >"$API_DIR/out" 2>&1 || {
        cat "$API_DIR/out" >&2
        ovs_fail "openstack $*: failed"
    }
    cat "$API_DIR/out"
}
# nb_col TABLE COLUMN: the values of COLUMN in TABLE, sorted, one a line
# (with "_uuid" selected too: OVSDB drops duplicate rows from a select).
nb_col() {
    ovsdb-client -f json transact "$NB_REMOTE" \
        "[\"DVRFLOW_Northbound\", {\"op\": \"select\", \"table\": \"$1\",
          \"where\": [], \"columns\": [\"$2\", \"_uuid\"]}]" \
        | python3 -c 'import json, sys
rows = json.load(sys.stdin)[0]["rows"]
print("\n".join(sorted(json.dumps(r[sys.argv[1]]) for r in rows)))' "$2"
}

run network create net1 >/dev/null
run subnet create --network net1 --subnet-range 10.1.0.0/24 sub1 >/dev/null
run port create --network net1 vm1 >/dev/null
run network qos policy create bw >/dev/null
run network qos policy create dscp --description marks >/dev/null
pol=$(os network qos policy show bw -f value -c id)
dpol=$(os network qos policy show dscp -f value -c id)
run network qos rule create --type bandwidth-limit --max-kbps 50000 \
    --max-burst-kbits 20000 --egress bw >/dev/null
run network qos rule create --type bandwidth-limit --max-kbps 40000 \
    --ingress bw >/dev/null
run network qos rule create --type dscp-marking --dscp-mark 26 dscp \
    >/dev/null
run network qos policy list | grep -q bw || ovs_fail "policy list"
run network qos rule list bw | grep -q 40000 || ovs_fail "rule list"
[ "$(nb_col QoS_Rule max_kbps | tr '\n' ' ')" \
  = '40000 50000 ["set", []] ' ] || ovs_fail "NB rules: $(nb_col QoS_Rule max_kbps)"
[ "$(nb_col QoS_Rule max_burst_kbps | tr '\n' ' ')" = '0 20000 ["set", []] ' ] \
    || ovs_fail "NB bursts: $(nb_col QoS_Rule max_burst_kbps)"
[ "$(nb_col QoS_Rule dscp_mark | tr '\n' ' ')" = '26 ["set", []] ["set", []] ' ] \
    || ovs_fail "NB DSCP: $(nb_col QoS_Rule dscp_mark)"
echo "policies and rules through the client: ok"

# A rule changed in place, a rule shown.
rule=$(os network qos rule list bw -f value -c ID -c 'Max Kbps' \
           | awk '$2 == 40000 { print $1 }')
run network qos rule set --max-kbps 45000 bw "$rule" >/dev/null
run network qos rule show bw "$rule" | grep -q 45000 \
    || ovs_fail "rule set did not change max_kbps"

# Ports and networks.
run port set --qos-policy bw vm1 >/dev/null
run network set --qos-policy dscp net1 >/dev/null
[ "$(os port show vm1 -f value -c qos_policy_id)" = "$pol" ] \
    || ovs_fail "port qos_policy_id"
[ "$(os network show net1 -f value -c qos_policy_id)" = "$dpol" ] \
    || ovs_fail "network qos_policy_id"
[ "$(nb_col Port qos_policy)" = "[\"uuid\", \"$pol\"]" ] \
    || ovs_fail "NB Port.qos_policy: $(nb_col Port qos_policy)"
[ "$(nb_col Network qos_policy)" = "[\"uuid\", \"$dpol\"]" ] \
    || ovs_fail "NB Network.qos_policy"
echo "port and network policies through the client: ok"

# Floating IPs (qos-fip): created with a policy, changed, removed, set
# again with the client.
os extension show qos-fip >/dev/null || ovs_fail "extension qos-fip not offered"
run network create pub --external >/dev/null
run subnet create --network pub --subnet-range 203.0.113.0/24 --no-dhcp \
    pubsub >/dev/null
run network qos policy create fipbw >/dev/null
fpol=$(os network qos policy show fipbw -f value -c id)
fip=$(os floating ip create --qos-policy fipbw pub -f value -c id) \
    || ovs_fail "floating ip create --qos-policy"
[ "$(os floating ip show "$fip" -f value -c qos_policy_id)" = "$fpol" ] \
    || ovs_fail "floating IP qos_policy_id after create"
[ "$(nb_col Floating_IP qos_policy)" = "[\"uuid\", \"$fpol\"]" ] \
    || ovs_fail "NB Floating_IP.qos_policy: $(nb_col Floating_IP qos_policy)"
run floating ip set --no-qos-policy "$fip" >/dev/null
[ "$(os floating ip show "$fip" -f value -c qos_policy_id)" = None ] \
    || ovs_fail "floating IP qos_policy_id after --no-qos-policy"
[ "$(nb_col Floating_IP qos_policy)" = '["set", []]' ] \
    || ovs_fail "NB Floating_IP.qos_policy not cleared"
run floating ip set --qos-policy bw "$fip" >/dev/null
run floating ip set --qos-policy fipbw "$fip" >/dev/null
[ "$(os floating ip show "$fip" -f value -c qos_policy_id)" = "$fpol" ] \
    || ovs_fail "floating IP qos_policy_id after set"
echo "floating IP policies through the client: ok"

# Router gateways (qos-gateway-ip).
os extension show qos-gateway-ip >/dev/null \
    || ovs_fail "extension qos-gateway-ip not offered"
run router create r1 >/dev/null
run router set --external-gateway pub r1 >/dev/null
run router set --qos-policy fipbw r1 >/dev/null
[ "$(os router show r1 -f json | jq -r '.external_gateway_info.qos_policy_id')" \
    = "$fpol" ] || ovs_fail "router gateway qos_policy_id after set"
[ "$(nb_col Router gateway_qos_policy)" = "[\"uuid\", \"$fpol\"]" ] \
    || ovs_fail "NB Router.gateway_qos_policy: $(nb_col Router gateway_qos_policy)"
run router set --no-qos-policy r1 >/dev/null
[ "$(nb_col Router gateway_qos_policy)" = '["set", []]' ] \
    || ovs_fail "NB Router.gateway_qos_policy not cleared"
run router set --qos-policy bw r1 >/dev/null
r1=$(os router show r1 -f value -c id)
echo "router gateway policies through the client: ok"

# Bad input: 4xx, Neutron-style, nothing written.
before=$(nb_dump)
# expect STATUS TYPE METHOD PATH [BODY]
expect() {
    local want=$1 type=$2 out
    shift 2
    out=$(api_curl "$@")
    [ "${out%% *}" = "$want" ] || ovs_fail "$*: $out (want $want)"
    echo "${out#* }" | python3 -c 'import json, sys
e = json.load(sys.stdin)["NeutronError"]
assert set(e) == {"type", "message", "detail"}, e
assert sys.argv[1] in ("", e["type"]), e' "$type" \
        || ovs_fail "$*: not a Neutron error of type $type: $out"
}
bw=/v2.0/qos/policies/$pol/bandwidth_limit_rules
ds=/v2.0/qos/policies/$dpol/dscp_marking_rules
expect 400 HTTPBadRequest POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": 0, "direction": "egress"}}'
expect 400 HTTPBadRequest POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": -5}}'
expect 400 HTTPBadRequest POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": 1.5}}'
expect 400 HTTPBadRequest POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": "fast"}}'
expect 400 HTTPBadRequest POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": 100, "max_burst_kbps": -1}}'
expect 400 HTTPBadRequest POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": 100, "direction": "up"}}'
expect 400 HTTPBadRequest PUT "$bw/$rule" \
    '{"bandwidth_limit_rule": {"max_kbps": 0}}'
expect 409 QoSRulesConflict POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": 100, "direction": "egress"}}'
expect 409 QoSRulesConflict POST "$bw" \
    '{"bandwidth_limit_rule": {"max_kbps": 100}}'
expect 400 HTTPBadRequest POST "$ds" '{"dscp_marking_rule": {"dscp_mark": 7}}'
expect 400 HTTPBadRequest POST "$ds" '{"dscp_marking_rule": {"dscp_mark": 64}}'
expect 409 QoSRulesConflict POST "$ds" \
    '{"dscp_marking_rule": {"dscp_mark": 10}}'
none=/v2.0/qos/policies/00000000-0000-4000-8000-000000000000
expect 404 "" POST "$none/bandwidth_limit_rules" \
    '{"bandwidth_limit_rule": {"max_kbps": 100}}'
expect 404 "" GET "$none"
port=$(os port show vm1 -f value -c id)
net=$(os network show net1 -f value -c id)
expect 404 QosPolicyNotFound PUT "/v2.0/ports/$port" \
    '{"port": {"qos_policy_id": "00000000-0000-4000-8000-000000000000"}}'
expect 404 QosPolicyNotFound PUT "/v2.0/networks/$net" \
    '{"network": {"qos_policy_id": "00000000-0000-4000-8000-000000000000"}}'
expect 404 QosPolicyNotFound POST /v2.0/networks \
    '{"network": {"name": "n2", "qos_policy_id": "00000000-0000-4000-8000-000000000000"}}'
expect 400 HTTPBadRequest PUT "/v2.0/ports/$port" \
    '{"port": {"qos_policy_id": "not-a-uuid"}}'
expect 409 QosPolicyInUse DELETE "/v2.0/qos/policies/$pol"
expect 409 QosPolicyInUse DELETE "/v2.0/qos/policies/$fpol"
expect 404 QosPolicyNotFound PUT "/v2.0/floatingips/$fip" \
    '{"floatingip": {"qos_policy_id": "00000000-0000-4000-8000-000000000000"}}'
expect 400 HTTPBadRequest PUT "/v2.0/floatingips/$fip" \
    '{"floatingip": {"qos_policy_id": "not-a-uuid"}}'
expect 400 HTTPBadRequest PUT "/v2.0/floatingips/$fip" \
    '{"floatingip": {"qos_policy_id": 5}}'
pubid=$(os network show pub -f value -c id)
expect 404 QosPolicyNotFound PUT "/v2.0/routers/$r1" \
    "{\"router\": {\"external_gateway_info\": {\"network_id\": \"$pubid\",
      \"qos_policy_id\": \"00000000-0000-4000-8000-000000000000\"}}}"
expect 400 HTTPBadRequest PUT "/v2.0/routers/$r1" \
    "{\"router\": {\"external_gateway_info\": {\"network_id\": \"$pubid\",
      \"qos_policy_id\": \"not-a-uuid\"}}}"
expect 404 QosPolicyNotFound POST /v2.0/floatingips \
    "{\"floatingip\": {\"floating_network_id\": \"$pubid\",
      \"qos_policy_id\": \"00000000-0000-4000-8000-000000000000\"}}"
expect 409 QosPolicyInUse DELETE "/v2.0/qos/policies/$dpol"
[ "$(nb_dump)" = "$before" ] || ovs_fail "a refused request wrote to the NB"
# The client reports the errors too.
if os network qos rule create --type bandwidth-limit --max-kbps 0 --egress \
        dscp >/dev/null 2>&1; then
    ovs_fail "the client created a rule of 0 kbps"
fi
if os network qos rule create --type dscp-marking --dscp-mark 13 bw \
        >/dev/null 2>&1; then
    ovs_fail "the client created a DSCP mark of 13"
fi
[ "$(nb_dump)" = "$before" ] || ovs_fail "a refused command wrote to the NB"
echo "bad input refused, nothing written: ok"

# Teardown through the client: unset, delete rules and policies.
run floating ip unset --qos-policy "$fip" >/dev/null
run router unset --qos-policy r1 >/dev/null
run router unset --external-gateway r1 >/dev/null
run router delete r1 >/dev/null
run network qos policy delete fipbw >/dev/null
run floating ip delete "$fip" >/dev/null
run port unset --qos-policy vm1 >/dev/null
run network set --no-qos-policy net1 >/dev/null
run network qos rule delete bw "$rule" >/dev/null
run network qos policy delete bw dscp >/dev/null
[ -z "$(nb_col QoS_Policy name)" ] || ovs_fail "policies left"
[ -z "$(nb_col QoS_Rule type)" ] || ovs_fail "rules left"
echo "teardown: ok"

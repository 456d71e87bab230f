#!/usr/bin/env bash
# Component test: trunks through dvr-api.  The real openstack client drives
# the happy path (network trunk create/list/show/set --subport/unset
# --subport/delete, port show's trunk_details); the REST API's refusals of
# bad input are each a 4xx Neutron-style error that writes nothing: a VLAN
# id used twice on a trunk, a VLAN id outside 1..4094, a segmentation type
# other than vlan (inherit too), a subport that is already a parent or in
# another trunk, a parent that is a subport, a second trunk on one parent,
# a subport removed that is not on the trunk; deleting a trunk's port.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
command -v openstack >/dev/null || { echo "no openstack client"; exit 77; }
ovs_test_init
api_start
api_client_start

out=$(os network create pnet -f value -c id) || ovs_fail "network create"
os subnet create --network pnet --subnet-range 10.0.0.0/24 psub >/dev/null
for n in 1 2 3; do
    os network create net$n >/dev/null
    os subnet create --network net$n --subnet-range 10.$n.0.0/24 sub$n \
        >/dev/null
done
id() { os port show "$1" -f value -c id; }
os port create --network pnet parent >/dev/null
os port create --network pnet parent2 >/dev/null
os port create --network net1 s1 >/dev/null
os port create --network net2 s2 >/dev/null
os port create --network net3 s3 >/dev/null
os port create --network net3 s4 >/dev/null
P=$(id parent); P2=$(id parent2); S1=$(id s1); S2=$(id s2); S3=$(id s3)
S4=$(id s4)

# The happy path, with the client.
os network trunk create --parent-port parent \
    --subport port=s1,segmentation-type=vlan,segmentation-id=101 trunk1 \
    >/dev/null || ovs_fail "trunk create"
T=$(os network trunk show trunk1 -f value -c id)
os network trunk set --subport port=s2,segmentation-type=vlan,segmentation-id=102 \
    trunk1 || ovs_fail "trunk set --subport"
subs=$(os network trunk show trunk1 -f json -c sub_ports)
python3 - "$subs" "$S1" "$S2" <<'PY' || ovs_fail "sub_ports after set: $subs"
import json, sys
subs = json.loads(sys.argv[1])["sub_ports"]
got = sorted((s["port_id"], s["segmentation_type"], s["segmentation_id"])
             for s in subs)
assert got == sorted([(sys.argv[2], "vlan", 101), (sys.argv[3], "vlan", 102)]), got
PY
os network trunk list -f value -c Name | grep -qx trunk1 \
    || ovs_fail "trunk list"
os network subport list --trunk trunk1 -f value -c Port | grep -q "$S2" \
    || ovs_fail "subport list (get_subports)"
os port show parent -f json -c trunk_details | grep -q "\"trunk_id\": \"$T\"" \
    || ovs_fail "port show: no trunk_details"
os network trunk unset --subport s2 trunk1 || ovs_fail "trunk unset --subport"
os network trunk show trunk1 -f json -c sub_ports | grep -q "$S2" \
    && ovs_fail "s2 still a subport after unset"
os network trunk set --name trunk-one --description d trunk1 \
    || ovs_fail "trunk set --name"
echo "openstack network trunk create/set/unset/list/show, subport list: ok"

# Refusals: 4xx, Neutron's error body, nothing written.
refused() {
    local what=$1 want=$2 method=$3 path=$4 body=${5:-} before after out
    before=$(nb_dump)
    out=$(api_curl "$method" "$path" "$body")
    after=$(nb_dump)
    case $out in
        "$want "*'"NeutronError"'*) ;;
        *) ovs_fail "$what: want $want with a NeutronError, got: $out" ;;
    esac
    [ "$before" = "$after" ] || ovs_fail "$what: the NB changed"
    echo "$what: ${out%%\"message\"*}...: ok"
}
sp() {   # sp PORT TYPE ID: one subport as JSON.
    echo "{\"port_id\": \"$1\", \"segmentation_type\": \"$2\", \"segmentation_id\": $3}"
}
add() { echo "{\"sub_ports\": [$1]}"; }
refused "VLAN id used twice on a trunk" 409 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" vlan 101)")"
refused "VLAN id twice in one request" 409 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" vlan 300), $(sp "$S4" vlan 300)")"
refused "VLAN id 0" 400 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" vlan 0)")"
refused "VLAN id 4095" 400 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" vlan 4095)")"
refused "VLAN id as a string" 400 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" vlan '"12"')")"
refused "segmentation type vxlan" 400 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" vxlan 12)")"
refused "segmentation type inherit" 400 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S3" inherit 12)")"
refused "subport already in this trunk" 409 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$S1" vlan 120)")"
refused "subport is the trunk's parent" 409 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp "$P" vlan 121)")"
refused "unknown subport" 404 PUT "/v2.0/trunks/$T/add_subports" \
    "$(add "$(sp 0a0a0a0a-0000-0000-0000-000000000000 vlan 122)")"
refused "second trunk on one parent" 409 POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$P\"}}"
refused "parent that is a subport" 409 POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$S1\"}}"
refused "subport in another trunk" 409 POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$P2\", \"sub_ports\": [$(sp "$S1" vlan 5)]}}"
refused "subport that is a parent" 409 POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$P2\", \"sub_ports\": [$(sp "$P" vlan 5)]}}"
refused "new trunk with a VLAN twice" 409 POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$P2\", \"sub_ports\": [$(sp "$S3" vlan 5), $(sp "$S4" vlan 5)]}}"
refused "sub_ports not a list" 400 POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$P2\", \"sub_ports\": 7}}"
refused "remove a port not on the trunk" 404 PUT "/v2.0/trunks/$T/remove_subports" \
    "{\"sub_ports\": [{\"port_id\": \"$S3\"}]}"
refused "delete a trunk's parent port" 409 DELETE "/v2.0/ports/$P"
refused "delete a trunk's subport" 409 DELETE "/v2.0/ports/$S1"
refused "get_subports by PUT body-less" 400 PUT "/v2.0/trunks/$T/add_subports" ""

# A trunk on parent2 with s3 on VLAN 101 is fine (VLAN ids are per trunk).
out=$(api_curl POST /v2.0/trunks \
    "{\"trunk\": {\"port_id\": \"$P2\", \"sub_ports\": [$(sp "$S3" vlan 101)]}}")
case $out in 201*) ;; *) ovs_fail "second trunk: $out" ;; esac
os network trunk delete trunk-one || ovs_fail "trunk delete"
os port delete s1 || ovs_fail "port delete after the trunk went"
echo "trunk bad input refused, nothing written: ok"

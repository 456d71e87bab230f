#!/usr/bin/env bash
# Component test (issue 20): floating IP port forwardings through dvr-api.
# The real openstack client creates, lists, shows, updates and deletes
# them; every bad input Neutron refuses is refused with a Neutron-style
# error and leaves the NB database unchanged: an external port another
# forwarding of the floating IP and protocol has, an internal address not
# on the port, a floating IP associated with a port (and the reverse: a
# floating IP with forwardings associated with a port), ports outside
# 1..65535, an unknown protocol, a port with a floating IP of its own, a
# floating IP or forwarding that does not exist.  Port ranges (extension
# floating-ip-port-forwarding-port-ranges, through the REST API: Debian
# 12's client parses --external-protocol-port as an integer): N-N and 1-N
# created, shown and updated; refused: a range overlapping another
# forwarding's, internal and external ranges of different lengths, a
# range longer than 256 ports, malformed ranges.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
command -v openstack >/dev/null || { echo "no openstack client"; exit 77; }
ovs_test_init
api_start
api_client_start

os network create private-net >/dev/null
os subnet create --network private-net --subnet-range 192.168.10.0/24 \
    private-subnet >/dev/null
os network create public-net --external --provider-network-type flat \
    --provider-physical-network physnet1 >/dev/null
os subnet create --network public-net --subnet-range 203.0.113.0/24 \
    --no-dhcp public-subnet >/dev/null
os router create myrouter >/dev/null
os router set myrouter --external-gateway public-net
os router add subnet myrouter private-subnet
os port create --network private-net --fixed-ip ip-address=192.168.10.11 \
    vm1-port >/dev/null
os port create --network private-net --fixed-ip ip-address=192.168.10.12 \
    vm2-port >/dev/null
os port create --network private-net vm3-port >/dev/null
fip=$(os floating ip create public-net -f value -c floating_ip_address)
fip2=$(os floating ip create public-net --port vm3-port \
       -f value -c floating_ip_address)

# The happy path, with the client.
os extension show floating-ip-port-forwarding >/dev/null \
    || ovs_fail "extension floating-ip-port-forwarding not offered"
pf1=$(os floating ip port forwarding create --internal-ip-address \
      192.168.10.11 --port vm1-port --internal-protocol-port 22 \
      --external-protocol-port 2201 --protocol tcp "$fip" -f value -c id) \
    || ovs_fail "create 2201/tcp"
os floating ip port forwarding create --internal-ip-address 192.168.10.12 \
    --port vm2-port --internal-protocol-port 22 --external-protocol-port 2202 \
    --protocol udp --description "vm2 ssh" "$fip" >/dev/null \
    || ovs_fail "create 2202/udp"
os floating ip port forwarding list "$fip" -f json > "$API_DIR/list"
python3 - "$API_DIR/list" <<'EOF' || ovs_fail "list: $(cat "$API_DIR/list")"
import json, sys
rows = json.load(open(sys.argv[1]))
got = sorted((r["External Port"], r["Internal IP Address"],
              r["Internal Port"], r["Protocol"]) for r in rows)
assert got == [(2201, "192.168.10.11", 22, "tcp"),
               (2202, "192.168.10.12", 22, "udp")], got
EOF
os floating ip port forwarding show "$fip" "$pf1" -f json > "$API_DIR/show"
jq -e '.external_port == 2201 and .internal_port == 22' "$API_DIR/show" \
    >/dev/null || ovs_fail "show: $(cat "$API_DIR/show")"
os floating ip port forwarding set --external-protocol-port 2203 "$fip" \
    "$pf1" || ovs_fail "set"
[ "$(os floating ip port forwarding show "$fip" "$pf1" -f value \
     -c external_port)" = 2203 ] || ovs_fail "set did not change the port"
echo "openstack client: create, list, show, set: ok"

fipid=$(os floating ip show "$fip" -f value -c id)
out=$(api_curl GET "/v2.0/floatingips/$fipid")
echo "${out#* }" | jq -e '.floatingip.router_id != null
    and ([.floatingip.port_forwardings[] | .external_port] | sort)
        == [2202, 2203]' >/dev/null \
    || ovs_fail "the floating IP's details: $out"
echo "the floating IP shows its forwardings and router: ok"
fip2id=$(os floating ip show "$fip2" -f value -c id)
p1=$(os port show vm1-port -f value -c id)
p2=$(os port show vm2-port -f value -c id)
p3=$(os port show vm3-port -f value -c id)
PF=/v2.0/floatingips/$fipid/port_forwardings

# refused CODE TYPE METHOD PATH [BODY]: the request gets CODE with a
# Neutron error of TYPE, and NB does not change.
refused() {
    local code=$1 type=$2 before out
    shift 2
    before=$(nb_dump)
    out=$(api_curl "$@")
    [ "${out%% *}" = "$code" ] \
        || ovs_fail "$* got ${out%% *}, not $code: ${out#* }"
    echo "${out#* }" | jq -e --arg t "$type" \
        '.NeutronError.type == $t and (.NeutronError.message | length > 0)
         and .NeutronError.detail == ""' >/dev/null \
        || ovs_fail "$* error is not a Neutron $type: ${out#* }"
    [ "$(nb_dump)" = "$before" ] || ovs_fail "$* changed NB"
}
body() {
    printf '{"port_forwarding": {"internal_port_id": "%s",
      "internal_ip_address": "%s", "internal_port": %s,
      "external_port": %s, "protocol": "%s"%s}}' "$@"
}
refused 400 BadRequest POST "$PF" \
    "$(body "$p2" 192.168.10.12 23 2203 tcp '')"
refused 400 BadRequest POST "$PF" \
    "$(body "$p1" 192.168.10.11 22 2299 tcp '')"
refused 400 BadRequest POST "$PF" \
    "$(body "$p1" 192.168.10.99 24 2204 tcp '')"
refused 400 HTTPBadRequest POST "$PF" \
    "$(body "$p1" 192.168.10.11 24 0 tcp '')"
refused 400 HTTPBadRequest POST "$PF" \
    "$(body "$p1" 192.168.10.11 65536 2204 tcp '')"
refused 400 HTTPBadRequest POST "$PF" \
    "$(body "$p1" 192.168.10.11 24 2204 sctp '')"
refused 409 FloatingIPPortAlreadyAssociated POST \
    "/v2.0/floatingips/$fip2id/port_forwardings" \
    "$(body "$p1" 192.168.10.11 24 2204 tcp '')"
vm3ip=$(os port show vm3-port -f json | jq -r '.fixed_ips[0].ip_address')
refused 409 PortHasBindingFloatingIP POST "$PF" \
    "$(body "$p3" "$vm3ip" 24 2204 tcp '')"
refused 409 FipInUseByPortForwarding PUT "/v2.0/floatingips/$fipid" \
    "{\"floatingip\": {\"port_id\": \"$p3\"}}"
refused 400 BadRequest PUT "/v2.0/floatingips/$fip2id" \
    "{\"floatingip\": {\"port_id\": \"$p1\"}}"
refused 400 BadRequest PUT "$PF/$pf1" \
    '{"port_forwarding": {"external_port": 2202, "protocol": "udp"}}'
refused 404 FloatingIPNotFound GET \
    "/v2.0/floatingips/00000000-0000-0000-0000-000000000000/port_forwardings"
refused 404 PortForwardingNotFound GET \
    "/v2.0/floatingips/$fip2id/port_forwardings/$pf1"
echo "bad input refused with Neutron errors, nothing written: ok"

# Port ranges.
os extension show floating-ip-port-forwarding-port-ranges >/dev/null \
    || ovs_fail "extension floating-ip-port-forwarding-port-ranges not offered"
rbody() {
    printf '{"port_forwarding": {"internal_port_id": "%s",
      "internal_ip_address": "%s", "internal_port_range": "%s",
      "external_port_range": "%s", "protocol": "%s"}}' "$@"
}
out=$(api_curl POST "$PF" "$(rbody "$p1" 192.168.10.11 2300:2309 2300:2309 tcp)")
[ "${out%% *}" = 201 ] || ovs_fail "create range 2300:2309: $out"
echo "${out#* }" | jq -e '.port_forwarding | .external_port == null
    and .internal_port == null and .external_port_range == "2300:2309"
    and .internal_port_range == "2300:2309"' >/dev/null \
    || ovs_fail "range rendered: $out"
rpf=$(echo "${out#* }" | jq -r .port_forwarding.id)
out=$(api_curl POST "$PF" "$(rbody "$p2" 192.168.10.12 53 2400:2404 udp)")
[ "${out%% *}" = 201 ] || ovs_fail "create 1-N range 2400:2404: $out"
echo "${out#* }" | jq -e '.port_forwarding | .external_port == null
    and .internal_port == 53 and .external_port_range == "2400:2404"
    and .internal_port_range == "53:53"' >/dev/null \
    || ovs_fail "1-N range rendered: $out"
rpf2=$(echo "${out#* }" | jq -r .port_forwarding.id)
n=$(ovsdb-client -f json transact "$NB_REMOTE" \
    "[\"DVRFLOW_Northbound\", {\"op\": \"select\", \"table\": \"Port_Forwarding\",
      \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$rpf\"]]]}]" \
    | jq -c '.[0].rows[0] | [.external_port, .external_port_end,
                              .internal_port, .internal_port_end]')
[ "$n" = '[2300,2309,2300,2309]' ] || ovs_fail "NB row of the range: $n"
refused 400 BadRequest POST "$PF" \
    "$(rbody "$p2" 192.168.10.12 2305:2310 2305:2310 tcp)"
refused 400 BadRequest POST "$PF" "$(body "$p2" 192.168.10.12 22 2309 tcp '')"
refused 400 BadRequest POST "$PF" \
    "$(rbody "$p2" 192.168.10.12 22:23 2500:2509 tcp)"
refused 400 BadRequest POST "$PF" \
    "$(rbody "$p2" 192.168.10.12 2500:2509 2500 tcp)"
refused 400 BadRequest POST "$PF" \
    "$(rbody "$p2" 192.168.10.12 3000:3300 3000:3300 tcp)"
refused 400 BadRequest POST "$PF" \
    "$(rbody "$p1" 192.168.10.11 2300:2301 2600:2601 tcp)"
for bad in 2600:2500 abc 1:2:3 0:5 2600:65536 : 2600: :2600; do
    refused 400 HTTPBadRequest POST "$PF" \
        "$(rbody "$p2" 192.168.10.12 "$bad" 2600:2601 tcp)"
done
refused 400 HTTPBadRequest POST "$PF" \
    '{"port_forwarding": {"internal_port_id": "'"$p2"'",
      "internal_ip_address": "192.168.10.12", "internal_port": 22,
      "protocol": "tcp"}}'
refused 400 BadRequest PUT "$PF/$rpf2" \
    '{"port_forwarding": {"external_port_range": "2201:2202"}}'
out=$(api_curl PUT "$PF/$rpf" \
      '{"port_forwarding": {"external_port_range": "2320:2329",
        "internal_port_range": "2320:2329"}}')
[ "${out%% *}" = 200 ] || ovs_fail "update of the range: $out"
echo "${out#* }" | jq -e '.port_forwarding.external_port_range
    == "2320:2329"' >/dev/null || ovs_fail "range not updated: $out"
out=$(api_curl PUT "$PF/$rpf" \
      '{"port_forwarding": {"external_port": 2330, "internal_port": 2330}}')
echo "${out#* }" | jq -e '.port_forwarding | .external_port == 2330
    and .external_port_range == "2330:2330"' >/dev/null \
    || ovs_fail "a single port does not replace the range: $out"
for id in "$rpf" "$rpf2"; do
    out=$(api_curl DELETE "$PF/$id")
    [ "${out%% *}" = 204 ] || ovs_fail "delete $id: $out"
done
echo "port ranges: N-N and 1-N created, updated; overlaps and bad ranges refused: ok"

# Delete: one by the client; the rest with its floating IP, as Neutron.
os floating ip port forwarding delete "$fip" "$pf1" \
    || ovs_fail "delete"
[ "$(os floating ip port forwarding list "$fip" -f value | wc -l)" = 1 ] \
    || ovs_fail "delete left $(os floating ip port forwarding list "$fip")"
os floating ip delete "$fip" || ovs_fail "deleting the floating IP"
n=$(ovsdb-client -f json transact "$NB_REMOTE" \
    '["DVRFLOW_Northbound", {"op": "select", "table": "Port_Forwarding",
      "where": []}]' | jq '.[0].rows | length')
[ "$n" = 0 ] || ovs_fail "$n forwardings left after their floating IP"
echo "api-port-forwarding: ok"

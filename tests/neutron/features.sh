#!/usr/bin/env bash
# Neutron tier (issue 20): QoS, port forwarding and trunks through
# neutron-server.  The same calls, made with the real openstack client
# once against dvr-api and once against Debian's neutron-server with the
# networking-dvrflow driver (QoS driver of the "qos" plugin with the "qos"
# ML2 extension driver, trunk driver of the "trunk" plugin, the
# "dvrflow-port-forwarding" plugin), must leave the two NB databases equal
# table by table (tests/neutron/nb-compare.py), after each step:
#
#   create: a QoS policy with an egress and an ingress bandwidth limit and
#     a DSCP mark on a port, a second policy on a network; two port
#     forwardings (TCP, UDP) on a floating IP; a trunk with a subport;
#   update: rules and a forwarding changed in place (each side's own ids),
#     policies swapped on the port and taken off the network, a policy
#     renamed, a subport added and one removed, the trunk renamed;
#   delete: a rule, a forwarding (the floating IP keeps its router while
#     it has one), the trunk, the last forwarding (the floating IP loses
#     its router), the policies.
#
# Also: the rows carry Neutron's UUIDs; input dvrflow does not carry is
# refused by neutron-server and writes nothing (a bandwidth limit of 0, a
# port range forwarding); the comparison fails when one QoS column
# differs; an NB database lost with neutron-server stopped is rebuilt by
# dvrflow-db-sync with the new tables; a subport takes its trunk parent's
# host (bound, ACTIVE once its Port_Binding is up) and loses it when it
# leaves the trunk, the trunk is ACTIVE once its parent is (Neutron only).
set -eu
[ "${DVR_NEUTRON_TIER:-}" = yes ] \
    || { echo "the Neutron tier runs with DVR_NEUTRON_TIER=yes"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root (MariaDB, neutron-server)"; exit 77; }
command -v neutron-server >/dev/null || { echo "no neutron-server"; exit 77; }
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
. "$abs_top_srcdir/tests/lib/neutron.sh"
. "$abs_top_srcdir/tests/lib/osc.sh"
ovs_test_init
trap 'rc=$?; neutron_down; _ovs_cleanup $rc' EXIT
COMPARE="/usr/bin/python3 $abs_top_srcdir/tests/neutron/nb-compare.py"
T0=$(date +%s)

api_start
NB_API=$NB_REMOTE
ovs_start_nb nbneutron
NB_NEUTRON=$NB_REMOTE
NEUTRON_PORT=${NEUTRON_PORT:-$(api_free_port)}
neutron_up "$OVS_TEST_DIR" "$NB_NEUTRON" || ovs_fail "neutron-server"
echo "servers up in $(( $(date +%s) - T0 )) s"

# session NAME URL: the commands in NAME.cmds in one client process.
session() {
    osc_session "$OVS_TEST_DIR/$1.out" "$2" < "$OVS_TEST_DIR/$1.cmds"
}
# both NAME: the commands on stdin against dvr-api and neutron-server.
both() {
    cat > "$OVS_TEST_DIR/$1.cmds"
    cp "$OVS_TEST_DIR/$1.cmds" "$OVS_TEST_DIR/$1-neutron.cmds"
    session "$1" "$API_URL" & local a=$!
    session "$1-neutron" "$NEUTRON_URL" & local b=$!
    wait $a || ovs_fail "session $1 failed against dvr-api"
    wait $b || ovs_fail "session $1 failed against neutron-server"
}
# each NAME FUNCTION: the commands FUNCTION URL prints for each side.
each() {
    "$2" "$API_URL" > "$OVS_TEST_DIR/$1.cmds"
    "$2" "$NEUTRON_URL" > "$OVS_TEST_DIR/$1-neutron.cmds"
    session "$1" "$API_URL" & local a=$!
    session "$1-neutron" "$NEUTRON_URL" & local b=$!
    wait $a || ovs_fail "session $1 failed against dvr-api"
    wait $b || ovs_fail "session $1 failed against neutron-server"
}
# The id of: the floating IP 203.0.113.60 at URL; the rule of TYPE (and
# DIRECTION) in policy JSON; the forwarding of PROTOCOL in list JSON.
fip_id() {
    curl -sf "$1/v2.0/floatingips?floating_ip_address=203.0.113.60" \
        | jq -r '.floatingips[0].id'
}
rule_id() {
    echo "$1" | jq -r --arg t "$2" --arg d "${3:-}" '.policies[0].rules[]
        | select(.type == $t and ($d == "" or .direction == $d)) | .id'
}
pf_id() {
    echo "$1" | jq -r --arg p "$2" \
        '.port_forwardings[] | select(.protocol == $p) | .id'
}
# compare STEP: the two NB databases must be equal.
compare() {
    $COMPARE "$NB_API" "$NB_NEUTRON" > "$OVS_TEST_DIR/compare-$1.out" \
        || { cat "$OVS_TEST_DIR/compare-$1.out"; \
             ovs_fail "NB databases differ after: $1"; }
    tail -1 "$OVS_TEST_DIR/compare-$1.out"
}
# count REMOTE TABLE: the number of rows of TABLE.
count() {
    ovsdb-client --timeout=10 transact "$1" \
        "[\"DVRFLOW_Northbound\",{\"op\":\"select\",\"table\":\"$2\",
          \"where\":[],\"columns\":[\"_uuid\"]}]" \
        | jq '.[0].rows | length'
}
# nb_get REMOTE TABLE UUID COLUMN: one column of one row (OVSDB JSON).
nb_get() {
    ovsdb-client --timeout=10 transact "$1" \
        "[\"DVRFLOW_Northbound\",{\"op\":\"select\",\"table\":\"$2\",
          \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$3\"]]],
          \"columns\":[\"$4\"]}]" | jq -c ".[0].rows[0].$4"
}
# counts "TABLE=N ...": the Neutron side's NB has these row counts (the
# comparison then says dvr-api's has the same).
counts() {
    local pair n
    for pair in $1; do
        n=$(count "$NB_NEUTRON" "${pair%=*}")
        [ "$n" = "${pair#*=}" ] \
            || ovs_fail "Neutron's NB has $n ${pair%=*} rows, not ${pair#*=}"
    done
}

# (The interactive mode splits arguments on blanks: no quoted blanks.)
both create <<'EOF'
network create --external --provider-network-type flat --provider-physical-network ext public
subnet create --network public --subnet-range 203.0.113.0/24 --no-dhcp --gateway 203.0.113.1 --allocation-pool start=203.0.113.10,end=203.0.113.200 public-sub
network create private
subnet create --network private --subnet-range 10.0.0.0/24 private-sub
router create r1
router set r1 --external-gateway public --fixed-ip subnet=public-sub,ip-address=203.0.113.10
router add subnet r1 private-sub
network qos policy create --description limits qp1
network qos rule create --type bandwidth-limit --max-kbps 1000 --max-burst-kbits 100 --egress qp1
network qos rule create --type bandwidth-limit --max-kbps 2000 --ingress qp1
network qos rule create --type dscp-marking --dscp-mark 26 qp1
network qos policy create qp2
network qos rule create --type dscp-marking --dscp-mark 10 qp2
port create --network private --fixed-ip ip-address=10.0.0.10 --mac-address fa:16:3e:00:00:10 --qos-policy qp1 vm1
network set --qos-policy qp2 private
port create --network private --fixed-ip ip-address=10.0.0.11 --mac-address fa:16:3e:00:00:11 web
floating ip create --floating-ip-address 203.0.113.60 public
floating ip port forwarding create --internal-ip-address 10.0.0.11 --port web --internal-protocol-port 80 --external-protocol-port 8080 --protocol tcp 203.0.113.60
floating ip port forwarding create --internal-ip-address 10.0.0.11 --port web --internal-protocol-port 53 --external-protocol-port 5353 --protocol udp 203.0.113.60
port create --network private --fixed-ip ip-address=10.0.0.20 --mac-address fa:16:3e:00:00:20 parent
port create --network private --fixed-ip ip-address=10.0.0.21 --mac-address fa:16:3e:00:00:21 sub1
port create --network private --fixed-ip ip-address=10.0.0.22 --mac-address fa:16:3e:00:00:22 sub2
network trunk create --parent-port parent --subport port=sub1,segmentation-type=vlan,segmentation-id=100 trunk1
EOF
compare create
counts "QoS_Policy=2 QoS_Rule=4 Port_Forwarding=2 Trunk=1"

# The rows carry Neutron's UUIDs.
N=$NEUTRON_URL
qp1=$(curl -sf "$N/v2.0/qos/policies?name=qp1" | jq -r '.policies[0].id')
port_id() {
    curl -sf "$N/v2.0/ports?name=$1" | jq -r '.ports[0].id'
}
vm1=$(port_id vm1)
sub1=$(port_id sub1)
trunk=$(curl -sf "$N/v2.0/trunks?name=trunk1" | jq -r '.trunks[0].id')
fip=$(fip_id "$N")
[ "$(nb_get "$NB_NEUTRON" Port "$vm1" qos_policy)" = "[\"uuid\",\"$qp1\"]" ] \
    || ovs_fail "port vm1's qos_policy is not policy $qp1"
[ "$(nb_get "$NB_NEUTRON" Trunk "$trunk" sub_ports)" \
  = "[\"map\",[[100,[\"uuid\",\"$sub1\"]]]]" ] \
    || ovs_fail "trunk $trunk: $(nb_get "$NB_NEUTRON" Trunk "$trunk" sub_ports)"
curl -sf "$N/v2.0/floatingips/$fip/port_forwardings" \
    | jq -r '.port_forwardings[].id' > "$OVS_TEST_DIR/pf-ids"
[ "$(wc -l < "$OVS_TEST_DIR/pf-ids")" = 2 ] || ovs_fail "forwardings listed"
for id in $(cat "$OVS_TEST_DIR/pf-ids"); do
    [ "$(nb_get "$NB_NEUTRON" Port_Forwarding "$id" floating_ip)" \
      = "[\"uuid\",\"$fip\"]" ] || ovs_fail "forwarding $id not in the NB"
done
echo "rows keyed by Neutron's UUIDs: ok"

# Refused by neutron-server, nothing written: a bandwidth limit of 0 (the
# QoS driver's precommit), a forwarding of a range longer than dvrflow
# unrolls (257 ports; the plugin).
snap() {
    $COMPARE "$NB_NEUTRON" "$NB_NEUTRON" | tail -1
    for t in QoS_Policy QoS_Rule Port_Forwarding Trunk; do
        ovsdb-client --timeout=10 dump "$NB_NEUTRON" DVRFLOW_Northbound "$t"
    done
}
snap > "$OVS_TEST_DIR/before"
if osc "$N" network qos rule create --type bandwidth-limit --max-kbps 0 \
        --egress qp2 > "$OVS_TEST_DIR/neg1" 2>&1; then
    ovs_fail "neutron-server accepted a bandwidth limit of 0"
fi
code=$(curl -s -o "$OVS_TEST_DIR/neg2" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' \
    "$N/v2.0/floatingips/$fip/port_forwardings" -d "{\"port_forwarding\":
      {\"protocol\":\"tcp\",\"internal_ip_address\":\"10.0.0.11\",
       \"internal_port_id\":\"$(port_id web)\",
       \"internal_port_range\":\"1000:1256\",
       \"external_port_range\":\"2000:2256\"}}")
[ "$code" = 400 ] || { cat "$OVS_TEST_DIR/neg2"; \
                       ovs_fail "257-port range forwarding: $code, not 400"; }
snap > "$OVS_TEST_DIR/after"
diff "$OVS_TEST_DIR/before" "$OVS_TEST_DIR/after" \
    || ovs_fail "a refused request changed the NB"
echo "refused input wrote nothing: ok"

# A port range (external port 2300+i to internal port 7000+i) through both
# sides with the REST API (Debian's client takes one port only): the same
# rows, then deleted again.
pf_range() {
    local url=$1 f p
    f=$(fip_id "$url")
    p=$(curl -sf "$url/v2.0/ports?name=web" | jq -r '.ports[0].id')
    curl -sf -X POST -H 'Content-Type: application/json' \
        "$url/v2.0/floatingips/$f/port_forwardings" -d "{\"port_forwarding\":
          {\"protocol\":\"tcp\",\"internal_ip_address\":\"10.0.0.11\",
           \"internal_port_id\":\"$p\",
           \"internal_port_range\":\"7000:7009\",
           \"external_port_range\":\"2300:2309\"}}" \
        | jq -r .port_forwarding.id
}
range_a=$(pf_range "$API_URL")
range_n=$(pf_range "$NEUTRON_URL")
[ -n "$range_a" ] && [ -n "$range_n" ] \
    || ovs_fail "a port range forwarding was refused (dvr-api '$range_a', neutron-server '$range_n')"
compare range
counts "Port_Forwarding=3"
for col in external_port:2300 external_port_end:2309 internal_port:7000 \
           internal_port_end:7009; do
    [ "$(nb_get "$NB_NEUTRON" Port_Forwarding "$range_n" "${col%:*}")" \
      = "${col#*:}" ] || ovs_fail "range forwarding: ${col%:*} is not ${col#*:}"
done
curl -sf -X DELETE "$API_URL/v2.0/floatingips/$(fip_id "$API_URL")/port_forwardings/$range_a" \
    || ovs_fail "cannot delete the range forwarding through dvr-api"
curl -sf -X DELETE "$NEUTRON_URL/v2.0/floatingips/$(fip_id "$NEUTRON_URL")/port_forwardings/$range_n" \
    || ovs_fail "cannot delete the range forwarding through neutron-server"
compare range-deleted
counts "Port_Forwarding=2"
echo "port range forwarding through neutron-server: ok"

both update <<'EOF'
port set --qos-policy qp2 vm1
network set --no-qos-policy private
network qos policy set --name qp1-renamed --description changed qp1
network trunk set --subport port=sub2,segmentation-type=vlan,segmentation-id=200 trunk1
network trunk unset --subport sub1 trunk1
network trunk set --name trunk-one --description changed trunk1
EOF
# Changes that name objects by their ids, which differ between the sides:
# each side's commands made with its own ids (looked up with curl).
update_cmds() {
    local url=$1 pol f pf
    pol=$(curl -sf "$url/v2.0/qos/policies?name=qp1-renamed")
    f=$(fip_id "$url")
    pf=$(curl -sf "$url/v2.0/floatingips/$f/port_forwardings")
    cat <<EOF2
network qos rule set --max-kbps 3000 --max-burst-kbits 300 qp1-renamed $(rule_id "$pol" bandwidth_limit egress)
network qos rule set --dscp-mark 34 qp1-renamed $(rule_id "$pol" dscp_marking)
floating ip port forwarding set --external-protocol-port 8081 --internal-protocol-port 81 $f $(pf_id "$pf" tcp)
EOF2
}
each update2 update_cmds
compare update
counts "QoS_Policy=2 QoS_Rule=4 Port_Forwarding=2 Trunk=1"
[ "$(nb_get "$NB_NEUTRON" Port "$vm1" qos_policy)" != "[\"uuid\",\"$qp1\"]" ] \
    || ovs_fail "port vm1 kept policy qp1"

# QoS on the floating IP and on the router's gateway (qos-fip,
# qos-gateway-ip, through Neutron's own L3 mixins): set, then cleared.
both fip-gw-qos <<'EOF'
floating ip set --qos-policy qp2 203.0.113.60
router set --qos-policy qp2 r1
EOF
compare fip-gw-qos
qp2=$(curl -sf "$N/v2.0/qos/policies?name=qp2" | jq -r '.policies[0].id')
r1=$(curl -sf "$N/v2.0/routers?name=r1" | jq -r '.routers[0].id')
[ "$(nb_get "$NB_NEUTRON" Floating_IP "$fip" qos_policy)" \
  = "[\"uuid\",\"$qp2\"]" ] || ovs_fail "the floating IP's policy is not qp2"
[ "$(nb_get "$NB_NEUTRON" Router "$r1" gateway_qos_policy)" \
  = "[\"uuid\",\"$qp2\"]" ] || ovs_fail "the router's gateway policy is not qp2"
both fip-gw-qos-unset <<'EOF'
floating ip unset --qos-policy 203.0.113.60
router unset --qos-policy r1
EOF
compare fip-gw-qos-unset
[ "$(nb_get "$NB_NEUTRON" Router "$r1" gateway_qos_policy)" = '["set",[]]' ] \
    || ovs_fail "the router's gateway policy was not cleared"
echo "floating IP and gateway QoS through neutron-server: ok"

# The comparison fails when one QoS column differs.
ovsdb-client transact "$NB_NEUTRON" "[\"DVRFLOW_Northbound\",
    {\"op\":\"update\",\"table\":\"QoS_Rule\",
     \"where\":[[\"max_kbps\",\"==\",3000]],
     \"row\":{\"max_kbps\":3001}}]" >/dev/null
if $COMPARE "$NB_API" "$NB_NEUTRON" > "$OVS_TEST_DIR/neg.out"; then
    ovs_fail "nb-compare did not see a changed QoS rule"
fi
grep -q "QoS_Rule QoS_Rule:QoS_Policy:qp1-renamed/bandwidth_limit/egress: max_kbps" \
    "$OVS_TEST_DIR/neg.out" \
    || { cat "$OVS_TEST_DIR/neg.out"; ovs_fail "wrong difference reported"; }
ovsdb-client transact "$NB_NEUTRON" "[\"DVRFLOW_Northbound\",
    {\"op\":\"update\",\"table\":\"QoS_Rule\",
     \"where\":[[\"max_kbps\",\"==\",3001]],
     \"row\":{\"max_kbps\":3000}}]" >/dev/null
compare restored

# Deletions, first the ones that leave something behind.
delete1_cmds() {
    local url=$1 pol f pf
    pol=$(curl -sf "$url/v2.0/qos/policies?name=qp1-renamed")
    f=$(fip_id "$url")
    pf=$(curl -sf "$url/v2.0/floatingips/$f/port_forwardings")
    cat <<EOF2
network qos rule delete qp1-renamed $(rule_id "$pol" bandwidth_limit ingress)
floating ip port forwarding delete $f $(pf_id "$pf" udp)
EOF2
}
each delete1a delete1_cmds
both delete1 <<'EOF'
network trunk delete trunk-one
EOF
compare delete1
counts "QoS_Policy=2 QoS_Rule=3 Port_Forwarding=1 Trunk=0"

# With neutron-server stopped and its NB lost, dvrflow-db-sync rebuilds
# the new tables too.
db_sync() {
    (cd / && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$NEUTRON_PYTHONPATH \
        /usr/bin/python3 -c '
import sys
from networking_dvrflow.cmd.db_sync import main
sys.exit(main())' --config-file "$NEUTRON_CONF" \
        --log-file "$OVS_TEST_DIR/db-sync.log" "$@")
}
neutron_stop
d=$OVS_TEST_DIR/nbneutron
_ovs_kill "$(cat "$d/run/nb.pid")" || true
rm -f "$d/db/nb.db" "$d/run/nb.sock"
ovs_start_nb nbneutron
db_sync --mode repair > "$OVS_TEST_DIR/sync-repair.out" \
    || { cat "$OVS_TEST_DIR/sync-repair.out"; ovs_fail "repair failed"; }
grep -q "^missing QoS_Policy" "$OVS_TEST_DIR/sync-repair.out" \
    || { cat "$OVS_TEST_DIR/sync-repair.out"; \
         ovs_fail "db-sync did not report the missing QoS policies"; }
grep -q "^missing Port_Forwarding" "$OVS_TEST_DIR/sync-repair.out" \
    || ovs_fail "db-sync did not report the missing port forwarding"
compare db-sync
neutron_start || ovs_fail "neutron-server restart"

# The last forwarding (the floating IP loses its router), the policies.
delete2_cmds() {
    local url=$1 f pf
    f=$(fip_id "$url")
    pf=$(curl -sf "$url/v2.0/floatingips/$f/port_forwardings")
    echo "floating ip port forwarding delete $f $(pf_id "$pf" tcp)"
}
each delete2a delete2_cmds
both delete2 <<'EOF'
port unset --qos-policy vm1
network qos policy delete qp2
network qos policy delete qp1-renamed
EOF
compare delete2
counts "QoS_Policy=0 QoS_Rule=0 Port_Forwarding=0 Trunk=0"
[ "$(nb_get "$NB_NEUTRON" Floating_IP "$fip" router)" = '["set",[]]' ] \
    || ovs_fail "the floating IP kept its router after its last forwarding"

# Subport binding (Neutron only: dvr-api leaves a subport's binding as the
# client set it).  A Chassis for host hv-f, as its controller registers
# it; a trunk whose parent is then bound there: the subport gets the
# parent's host and is bound, turns ACTIVE when "its controller" reports
# it up (Port_Binding.up), and loses the host when it leaves the trunk;
# the trunk turns ACTIVE when its parent does.
ovsdb-client transact "$NB_NEUTRON" '["DVRFLOW_Northbound",
    {"op":"insert","table":"Chassis","row":{"name":"ch-f",
     "hostname":"hv-f","encap_type":"vxlan","encap_ip":"192.0.2.5",
     "gateway_capable":false}}]' >/dev/null
osc "$N" network trunk create --parent-port parent \
    --subport port=sub1,segmentation-type=vlan,segmentation-id=100 trunk2 \
    >/dev/null || ovs_fail "trunk2 create"
osc "$N" port set --host hv-f parent || ovs_fail "parent bound"
# wait_port PORT FIELD VALUE: until the port's FIELD is VALUE (30 s).
wait_port() {
    local i v
    for i in $(seq 30); do
        v=$(curl -sf "$N/v2.0/ports/$1" | jq -r ".port[\"$2\"]")
        [ "$v" = "$3" ] && return 0
        sleep 1
    done
    ovs_fail "port $1: $2 is $v, not $3"
}
wait_port "$sub1" binding:host_id hv-f
wait_port "$sub1" binding:vif_type ovs
[ "$(nb_get "$NB_NEUTRON" Port "$sub1" binding_host)" = '"hv-f"' ] \
    || ovs_fail "NB binding_host of the subport"
ovsdb-client transact "$NB_NEUTRON" "[\"DVRFLOW_Northbound\",
    {\"op\":\"insert\",\"table\":\"Port_Binding\",
     \"row\":{\"port\":[\"uuid\",\"$sub1\"],\"up\":true}}]" >/dev/null
wait_port "$sub1" status ACTIVE
# The trunk is ACTIVE while its parent is (as dvr-api shows it).
trunk2=$(curl -sf "$N/v2.0/trunks?name=trunk2" | jq -r '.trunks[0].id')
[ "$(curl -sf "$N/v2.0/trunks/$trunk2" | jq -r .trunk.status)" = DOWN ] \
    || ovs_fail "trunk2 ACTIVE before its parent"
parent=$(port_id parent)
ovsdb-client transact "$NB_NEUTRON" "[\"DVRFLOW_Northbound\",
    {\"op\":\"insert\",\"table\":\"Port_Binding\",
     \"row\":{\"port\":[\"uuid\",\"$parent\"],\"up\":true}}]" >/dev/null
wait_port "$parent" status ACTIVE
for i in $(seq 30); do
    st=$(curl -sf "$N/v2.0/trunks/$trunk2" | jq -r .trunk.status)
    [ "$st" = ACTIVE ] && break
    sleep 1
done
[ "$st" = ACTIVE ] || ovs_fail "trunk2 is $st with its parent ACTIVE"
osc "$N" network trunk unset --subport sub1 trunk2 \
    || ovs_fail "trunk2 unset"
wait_port "$sub1" binding:host_id ""
[ "$(nb_get "$NB_NEUTRON" Port "$sub1" binding_host)" = '""' ] \
    || ovs_fail "NB binding_host of the former subport"
echo "subport binding follows the parent: ok"

grep ERROR "$NEUTRON_LOG" > "$OVS_TEST_DIR/errors" || true
[ ! -s "$OVS_TEST_DIR/errors" ] \
    || { head -40 "$OVS_TEST_DIR/errors"; \
         ovs_fail "neutron-server logged errors"; }
echo "features: passed in $(( $(date +%s) - T0 )) s"

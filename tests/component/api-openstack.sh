#!/usr/bin/env bash
# Component test: the real openstack client (python3-openstackclient)
# drives dvr-api through the workflow of issue 8: two networks and
# subnets, a router with a gateway and an interface, a port, a floating
# IP, a security group and rule, every list and show command, then the
# teardown in reverse.  tests/component/api/workflow-check.py checks the
# result of each phase through the REST API, and the NB database is
# checked directly (Port_Binding drives status, writes leave nb_cfg alone).
#
# Commands run in the client's interactive mode (commands on stdin), a
# few sessions instead of one process per command, to keep the test fast;
# the error checks run single commands, whose exit status is checked.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
command -v openstack >/dev/null || { echo "no openstack client"; exit 77; }
ovs_test_init
api_start
api_client_start
CHECK="python3 $abs_top_srcdir/tests/component/api/workflow-check.py"

# session NAME: runs the commands on stdin in one client process; fails if
# any of them printed an error.
session() {
    osc_session "$API_DIR/$1.out" "$API_URL" \
        || ovs_fail "session $1: a command failed"
}
nbcfg() {
    ovsdb-client -f json transact "$NB_REMOTE" \
        '["DVRFLOW_Northbound", {"op": "select", "table": "NB_Global",
          "where": [], "columns": ["nb_cfg"]}]' \
        | python3 -c 'import json, sys
r = json.load(sys.stdin)[0]["rows"]
print(r[0]["nb_cfg"] if r else 0)'
}

cfg0=$(nbcfg)
session setup <<'EOF2'
network create private-net
subnet create --network private-net --subnet-range 192.168.10.0/24 private-subnet
network create public-net --external --provider-network-type flat --provider-physical-network physnet1
subnet create --network public-net --subnet-range 203.0.113.0/24 --no-dhcp public-subnet
router create myrouter
router set myrouter --external-gateway public-net
router add subnet myrouter private-subnet
port create --network private-net vm1-port
floating ip create public-net
EOF2
$CHECK "$API_URL" setup || ovs_fail "state after setup"
fip=$(os floating ip list -f value -c 'Floating IP Address') \
    || ovs_fail "floating ip list"

session associate <<EOF2
floating ip set --port vm1-port $fip
security group create web
security group rule create --protocol tcp --dst-port 80 --ingress web
port set --security-group web vm1-port
EOF2
$CHECK "$API_URL" associated || ovs_fail "state after association"

# Every list and show command.
session lists <<EOF2
network list
network show private-net
subnet list
subnet show public-subnet
port list
port show vm1-port
router list
router show myrouter
floating ip list
floating ip show $fip
security group list
security group show web
security group rule list
extension list
EOF2
for want in private-net public-net private-subnet public-subnet vm1-port \
            myrouter "$fip" web external-net; do
    grep -q -- "$want" "$API_DIR/lists.out" || ovs_fail "lists lack $want"
done

# Status follows what a controller writes in Port_Binding.
port_id=$(os port show vm1-port -f value -c id) || ovs_fail "port show"
ovsdb-client transact "$NB_REMOTE" "[\"DVRFLOW_Northbound\",
    {\"op\": \"insert\", \"table\": \"Port_Binding\",
     \"row\": {\"port\": [\"uuid\", \"$port_id\"], \"up\": true}}]" \
    >/dev/null || ovs_fail "insert Port_Binding"
$CHECK "$API_URL" up || ovs_fail "status"
[ "$(os port show vm1-port -f value -c status)" = ACTIVE ] \
    || ovs_fail "the client does not show the port ACTIVE"

# A refused request: the server's message, a non-zero exit, no write.
cfg=$(nbcfg)
before=$(nb_dump)
if os network delete private-net 2>"$API_DIR/err"; then
    ovs_fail "deleting a network in use succeeded"
fi
grep -q "in use" "$API_DIR/err" || ovs_fail "delete error: $(cat "$API_DIR/err")"
[ "$(nbcfg)" = "$cfg" ] || ovs_fail "a refused request changed nb_cfg"
[ "$(nb_dump)" = "$before" ] || ovs_fail "a refused request changed NB"

# Teardown in reverse.
session teardown <<EOF2
floating ip unset --port $fip
router remove subnet myrouter private-subnet
router unset --external-gateway myrouter
floating ip delete $fip
port delete vm1-port
router delete myrouter
security group delete web
subnet delete private-subnet public-subnet
network delete private-net public-net
EOF2
$CHECK "$API_URL" empty || ovs_fail "state after teardown"
# API writes leave nb_cfg alone: an increment costs one acknowledgement
# per hypervisor (doc/api.md); "dvrctl sync" increments it.
[ "$(nbcfg)" = "$cfg0" ] || ovs_fail "API writes changed nb_cfg: $cfg0 -> $(nbcfg)"
echo "api-openstack: ok"

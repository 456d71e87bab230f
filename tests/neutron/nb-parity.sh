#!/usr/bin/env bash
# Neutron tier: the NB contract.  The same workflow, run with the real
# openstack client once against dvr-api and once against Debian's
# neutron-server with the networking-dvrflow driver (ML2 "dvrflow",
# service plugin "dvrflow-router"), must leave the two NB databases equal
# table by table, modulo UUIDs, timestamps and the differences that must
# exist (tests/neutron/nb-compare.py lists them; doc/neutron.md too).
#
# The workflow: a flat external network and a VXLAN tenant network with
# MTU, DNS servers and a host route, a network without port security,
# subnets with explicit gateways and pools, a security group with TCP
# (port range, remote prefix), ICMP, IPv6 ICMP and remote-group rules,
# ports with fixed IPs and MACs, allowed address pairs (address and CIDR,
# own and other MAC), port security off, default and explicit groups,
# device owner/id; a router with gateway (fixed IP) and two interfaces
# and an extra route, a second one with SNAT off; floating IPs created,
# associated, moved, disassociated; a port's groups changed and a network
# renamed.
#
# Then the checks that the comparison can fail and that the sync repairs:
#   - one column changed in Neutron's NB: nb-compare must report it;
#   - Neutron's NB lost (deleted, recreated empty) with neutron-server
#     stopped: dvrflow-db-sync --mode log reports the drift and exits 1,
#     --mode repair rebuilds it, and the comparison is equal again;
#   (tests/neutron/neutron-system.sh loses the NB of a running
#   neutron-server and sees its worker rebuild it and the pings come back.)
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
# The driver's NB connection is a list of remotes (a Raft cluster's
# members); here its first member is down, so the driver must use the
# second.
neutron_up "$OVS_TEST_DIR" "unix:$OVS_TEST_DIR/nb-down.sock,$NB_NEUTRON" \
    || ovs_fail "neutron-server"
echo "servers up in $(( $(date +%s) - T0 )) s"

# session NAME URL: the commands in NAME.cmds in one client process.
session() {
    osc_session "$OVS_TEST_DIR/$1.out" "$2" < "$OVS_TEST_DIR/$1.cmds"
}
# both NAME: the commands on stdin against dvr-api and neutron-server at
# once.
both() {
    cat > "$OVS_TEST_DIR/$1.cmds"
    cp "$OVS_TEST_DIR/$1.cmds" "$OVS_TEST_DIR/$1-neutron.cmds"
    session "$1" "$API_URL" & local a=$!
    session "$1-neutron" "$NEUTRON_URL" & local b=$!
    wait $a || ovs_fail "session $1 failed against dvr-api"
    wait $b || ovs_fail "session $1 failed against neutron-server"
}

# (The interactive mode splits arguments on blanks: no quoted blanks.)
both create <<'EOF'
network create --external --provider-network-type flat --provider-physical-network ext public
subnet create --network public --subnet-range 203.0.113.0/24 --no-dhcp --gateway 203.0.113.1 --allocation-pool start=203.0.113.10,end=203.0.113.200 public-sub
network create --mtu 1400 --description private-one private
subnet create --network private --subnet-range 10.0.0.0/24 --dns-nameserver 10.0.0.2 --dns-nameserver 10.0.0.3 --host-route destination=192.168.50.0/24,gateway=10.0.0.254 private-sub
network create --disable-port-security private2
subnet create --network private2 --subnet-range 10.1.0.0/24 --gateway 10.1.0.254 private2-sub
security group create --description web-servers web
security group rule create --protocol tcp --dst-port 80:81 --ingress --remote-ip 0.0.0.0/0 web
security group rule create --protocol icmp --ingress web
security group rule create --ethertype IPv6 --protocol icmp --ingress web
port create --network private --fixed-ip subnet=private-sub,ip-address=10.0.0.10 --mac-address fa:16:3e:00:00:10 --security-group web --allowed-address ip-address=10.0.0.100 --allowed-address ip-address=10.0.5.0/24,mac-address=fa:16:3e:00:00:99 --device-owner compute:nova --device 0b6f1c6e-0000-4000-8000-000000000001 vm1
port create --network private --fixed-ip subnet=private-sub,ip-address=10.0.0.11 --mac-address fa:16:3e:00:00:11 vm2
port create --network private2 --fixed-ip subnet=private2-sub,ip-address=10.1.0.10 --mac-address fa:16:3e:00:01:10 vm3
port create --network private --fixed-ip ip-address=10.0.0.12 --mac-address fa:16:3e:00:00:12 --disable-port-security --no-security-group vm4
security group rule create --protocol udp --dst-port 53 --egress --remote-group default web
router create r1
router set r1 --external-gateway public --fixed-ip subnet=public-sub,ip-address=203.0.113.10
router add subnet r1 private-sub
router add subnet r1 private2-sub
router add route --route destination=172.16.0.0/16,gateway=10.0.0.254 r1
router create r2
router set r2 --external-gateway public --disable-snat --fixed-ip subnet=public-sub,ip-address=203.0.113.11
floating ip create --floating-ip-address 203.0.113.50 public
floating ip set --port vm1 203.0.113.50
floating ip create --floating-ip-address 203.0.113.51 --port vm2 public
EOF
$COMPARE "$NB_API" "$NB_NEUTRON" || ovs_fail "NB databases differ after the creation"

both change <<'EOF'
floating ip unset --port 203.0.113.51
floating ip set --port vm2 203.0.113.50
floating ip set --port vm1 203.0.113.51
floating ip unset --port 203.0.113.50
port set --no-security-group --security-group web vm2
network set --name private-renamed private2
EOF
$COMPARE "$NB_API" "$NB_NEUTRON" || ovs_fail "NB databases differ after the changes"
echo "workflow compared equal at $(( $(date +%s) - T0 )) s"

# Neutron reports floating IP status from the association.
fip_status() {
    curl -sf "$NEUTRON_URL/v2.0/floatingips?floating_ip_address=$1" \
        | jq -r '.floatingips[0].status'
}
status=$(fip_status 203.0.113.51)
[ "$status" = ACTIVE ] || ovs_fail "associated floating IP is $status"
status=$(fip_status 203.0.113.50)
[ "$status" = DOWN ] || ovs_fail "disassociated floating IP is $status"

# The comparison fails when one column differs.
vm2=$(curl -sf "$NEUTRON_URL/v2.0/ports?name=vm2" | jq -r '.ports[0].id')
ovsdb-client transact "$NB_NEUTRON" "[\"DVRFLOW_Northbound\",
    {\"op\":\"update\",\"table\":\"Port\",
     \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$vm2\"]]],
     \"row\":{\"admin_state_up\":false}}]" >/dev/null
if $COMPARE "$NB_API" "$NB_NEUTRON" > "$OVS_TEST_DIR/neg.out"; then
    ovs_fail "nb-compare did not see a changed column"
fi
grep -q "Port Port:vm2: admin_state_up" "$OVS_TEST_DIR/neg.out" \
    || { cat "$OVS_TEST_DIR/neg.out"; ovs_fail "wrong difference reported"; }

# The NB database lost: the server stopped, its file deleted, a new empty
# one started.
nb_lose() {
    local d=$OVS_TEST_DIR/nbneutron
    _ovs_kill "$(cat "$d/run/nb.pid")" || true
    rm -f "$d/db/nb.db" "$d/run/nb.sock"
    ovs_start_nb nbneutron
}
db_sync() {
    (cd / && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$NEUTRON_PYTHONPATH \
        /usr/bin/python3 -c '
import sys
from networking_dvrflow.cmd.db_sync import main
sys.exit(main())' --config-file "$NEUTRON_CONF" \
        --log-file "$OVS_TEST_DIR/db-sync.log" "$@")
}

# No error but ovsdbapp's about the remote that is down.
grep ERROR "$NEUTRON_LOG" \
    | grep -v "Unable to open stream to unix:$OVS_TEST_DIR/nb-down.sock" \
    > "$OVS_TEST_DIR/errors" || true
[ ! -s "$OVS_TEST_DIR/errors" ] \
    || { head -40 "$OVS_TEST_DIR/errors"; \
         ovs_fail "neutron-server logged errors"; }

# With neutron-server stopped, dvrflow-db-sync finds and rebuilds it.
neutron_stop
nb_lose
rc=0
db_sync --mode log > "$OVS_TEST_DIR/sync-log.out" || rc=$?
[ $rc = 1 ] || { cat "$OVS_TEST_DIR/sync-log.out"; \
                 ovs_fail "dvrflow-db-sync --mode log exited $rc, not 1"; }
grep -q "^missing Port" "$OVS_TEST_DIR/sync-log.out" \
    || { cat "$OVS_TEST_DIR/sync-log.out"; \
         ovs_fail "dvrflow-db-sync --mode log did not report missing ports"; }
db_sync --mode repair > "$OVS_TEST_DIR/sync-repair.out" \
    || { cat "$OVS_TEST_DIR/sync-repair.out"; ovs_fail "repair failed"; }
tail -1 "$OVS_TEST_DIR/sync-repair.out"
$COMPARE "$NB_API" "$NB_NEUTRON" || ovs_fail "NB differs after db-sync"
echo "nb-parity: passed in $(( $(date +%s) - T0 )) s"

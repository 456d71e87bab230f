#!/usr/bin/env bash
# Component test: dvrctl drives dvr-api through the same workflow as the
# openstack client (create, set, add, list, show, delete), prints tables
# and JSON, and on an error exits non-zero with the server's message.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
ovs_test_init
api_start
DVRCTL=$abs_top_builddir/tools/dvrctl
ctl() {
    "$DVRCTL" --url "$API_URL" "$@" >"$API_DIR/out" 2>"$API_DIR/err" \
        || ovs_fail "dvrctl $*: $(cat "$API_DIR/err")"
}
json() {    # json ARGS... PYTHON-EXPRESSION-ON-d
    local expr=${*: -1}
    "$DVRCTL" --url "$API_URL" -f json "${@:1:$(( $# - 1 ))}" \
        | python3 -c "import json, sys; d = json.load(sys.stdin); print($expr)"
}
check() {
    [ "$2" = "$3" ] || ovs_fail "$1: got '$2', want '$3'"
}

ctl network create private-net
ctl subnet create private-subnet --network private-net \
    --subnet-range 192.168.10.0/24 --dns-nameserver 192.0.2.53
ctl network create public-net --external --provider-network-type flat \
    --provider-physical-network physnet1
ctl subnet create public-subnet --network public-net \
    --subnet-range 203.0.113.0/24 --no-dhcp
ctl router create myrouter
ctl router set myrouter --external-gateway public-net
ctl router add subnet myrouter private-subnet
ctl port create vm1-port --network private-net
ctl floating ip create public-net
fip=$(json floating ip list 'd[0]["floating_ip_address"]')
ctl floating ip set "$fip" --port vm1-port
ctl security group create web
ctl security group rule create web --protocol tcp --dst-port 80 --ingress
ctl port set vm1-port --security-group web
ctl router set myrouter --route destination=10.50.0.0/16,gateway=192.168.10.9

# Tables by default...
ctl network list
grep -q '| private-net ' "$API_DIR/out" || ovs_fail "network table"
head -1 "$API_DIR/out" | grep -q '^+--' || ovs_fail "table border"
ctl port show vm1-port
grep -q '| mac_address .*fa:16:3e:' "$API_DIR/out" || ovs_fail "port table"
grep -q "ip_address='192.168.10.2'" "$API_DIR/out" || ovs_fail "fixed_ips"
for obj in subnet router "floating ip" "security group" \
           "security group rule"; do
    # shellcheck disable=SC2086
    ctl $obj list
done
ctl security group rule list web
grep -q ' tcp ' "$API_DIR/out" || ovs_fail "rule list by group"

# ...JSON with -f json.
check "port groups" "$(json port show vm1-port 'len(d["security_groups"])')" 2
check "fip port" "$(json floating ip show "$fip" 'd["fixed_ip_address"]')" \
    192.168.10.2
check "route" "$(json router show myrouter 'd["routes"][0]["nexthop"]')" \
    192.168.10.9
check "dns" "$(json subnet show private-subnet 'd["dns_nameservers"]')" \
    "['192.0.2.53']"
check "external" "$(json network show public-net 'd["router:external"]')" \
    True

# Errors: non-zero exit, the server's message.
if "$DVRCTL" --url "$API_URL" network delete private-net 2>"$API_DIR/err"
then
    ovs_fail "deleting a network in use succeeded"
fi
grep -q "ports still in use" "$API_DIR/err" \
    || ovs_fail "error message: $(cat "$API_DIR/err")"
if "$DVRCTL" --url "$API_URL" subnet create bad --network private-net \
        --subnet-range 10.0.0.0/33 2>"$API_DIR/err"; then
    ovs_fail "a bad CIDR was accepted"
fi
grep -q "Invalid input for cidr" "$API_DIR/err" \
    || ovs_fail "error message: $(cat "$API_DIR/err")"
if "$DVRCTL" --url "$API_URL" port show no-such-port 2>"$API_DIR/err"; then
    ovs_fail "showing a missing port succeeded"
fi
grep -q "no port named 'no-such-port'" "$API_DIR/err" \
    || ovs_fail "error message: $(cat "$API_DIR/err")"
rc=0
"$DVRCTL" --url http://127.0.0.1:1 network list 2>/dev/null || rc=$?
check "exit status without a server" "$rc" 2
rc=0
"$DVRCTL" --url "$API_URL" bogus list 2>/dev/null || rc=$?
check "exit status of a usage error" "$rc" 2

# dvr-api also listens on IPv6 ("[::1]:PORT").
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
        2>/dev/null; then
    port6=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET6)
s.bind(("::1", 0))
print(s.getsockname()[1])')
    "$DVR_API" --nb="$NB_REMOTE" --listen="[::1]:$port6" --detach \
        --no-chdir --pidfile="$API_DIR/v6.pid" --log-file="$API_DIR/v6.log" \
        --unixctl="$API_DIR/v6.ctl" --auth=none || ovs_fail "dvr-api on [::1]"
    _ovs_pidfiles+=("$API_DIR/v6.pid")
    for i in $(seq 50); do
        curl -gfs "http://[::1]:$port6/" >/dev/null && break
        sleep 0.1
    done
    check "networks over IPv6" "$("$DVRCTL" --url "http://[::1]:$port6" \
        -f json network list | python3 -c 'import json, sys
print(len(json.load(sys.stdin)))')" 2
fi

# Teardown.
ctl router unset myrouter --route destination=10.50.0.0/16,gateway=192.168.10.9
ctl floating ip unset "$fip" --port
ctl floating ip delete "$fip"
ctl port delete vm1-port
ctl router remove subnet myrouter private-subnet
ctl router unset --external-gateway myrouter
ctl router delete myrouter
ctl security group delete web
ctl subnet delete private-subnet public-subnet
ctl network delete private-net public-net
check "networks left" "$(json network list 'len(d)')" 0
echo "api-dvrctl: ok"

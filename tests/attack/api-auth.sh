#!/usr/bin/env bash
# Attack: who is calling dvr-api.  Project A (alice) builds a network, a
# subnet, a port, a security group with a rule and a router with the real
# openstack client, authenticated by a real Keystone
# (tests/lib/keystone.sh); the cloud admin makes an external network.
# Then project B (bob, a member) tries, with his own valid token and with
# "X-Project-Id: A", to read, edit and delete A's objects, to attach to
# them, to set admin-only attributes (provider attributes, shared,
# router:external, binding:*, another project_id, a network:* owner or a
# fixed IP on the external network: the gateway's address), and clients
# come with no token, a malformed one and a revoked one.  Every such
# request must fail (404 for what B may not see, 403 for what it may see
# but not do, 401 without a valid token) and leave the NB database as it
# was; A and the admin keep working.
#
# Run against a dvr-api without --auth (the code before Keystone), the
# same requests are made with the project in X-Project-Id, as that code
# believed, and the test fails on the first one that works.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
. "$abs_top_srcdir/tests/lib/keystone.sh"
command -v openstack >/dev/null || { echo "no openstack client"; exit 77; }
command -v keystone-manage >/dev/null || { echo "no keystone"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: Keystone's MariaDB runs as root"; exit 77; }
ovs_test_init
trap 'rc=$?; ks_down; _ovs_cleanup $rc' EXIT

ks_up "$OVS_TEST_DIR/keystone" || ovs_fail "Keystone does not start"
ks_user alice alice-pw proj-a >/dev/null || ovs_fail "user alice"
ks_user bob bob-pw proj-b >/dev/null || ovs_fail "user bob"
ks_user carol carol-pw proj-b >/dev/null || ovs_fail "user carol"
# The service's own user: Keystone lets the admin role validate tokens.
ks_user neutron neutron-pw service admin >/dev/null || ovs_fail "user neutron"
PA=$(ks_project proj-a)
PB=$(ks_project proj-b)
cat > "$OVS_TEST_DIR/dvr-api.conf" <<EOF
# dvr-api's Keystone settings (doc/dvr-api.8).
[keystone_authtoken]
auth_url = $KS_URL
username = neutron
password = neutron-pw
project_name = service
user_domain_name = Default
project_domain_name = Default
EOF

unfixed=no
if "$DVR_API" --help | grep -q -- '--auth='; then
    API_AUTH=keystone api_start --auth-config="$OVS_TEST_DIR/dvr-api.conf"
else
    unfixed=yes
    API_AUTH="" api_start
fi
ks_service network neutron "$API_URL/" || ovs_fail "cannot register dvr-api"
TA=$(ks_token alice alice-pw proj-a)
TB=$(ks_token bob bob-pw proj-b)
TADMIN=$(ks_admin_token)

# req TOKEN METHOD PATH [BODY]: prints "STATUS BODY" of a request with
# TOKEN (with the unfixed code: the project of TOKEN's owner in
# X-Project-Id instead, as a client of that code would send it).
req() {
    local token=$1 method=$2 path=$3 body=${4:-} h
    if [ $unfixed = yes ]; then
        case $token in
            "$TA") h="X-Project-Id: $PA" ;;
            "$TB") h="X-Project-Id: $PB" ;;
            "$TADMIN") h="X-Project-Id: admin" ;;
            *) h="X-Project-Id: $PB" ;;
        esac
    else
        h="X-Auth-Token: $token"
    fi
    curl -s -o "$API_DIR/body" -w '%{http_code}' -X "$method" -H "$h" \
        -H 'Content-Type: application/json' ${body:+--data-binary "$body"} \
        "$API_URL/v2.0$path"
    printf ' '
    cat "$API_DIR/body"
    echo
}
# id TOKEN METHOD PATH BODY: the id of the object a request made.
id() {
    local out
    out=$(req "$@")
    [[ $out == 20* ]] || ovs_fail "$2 $3: $out"
    echo "${out#* }" | jq -r '.[] | .id'
}

# A's objects, with the real client (skipped for the unfixed code, which
# the client cannot authenticate to).
if [ $unfixed = no ]; then
    (
        eval "$(ks_env alice alice-pw proj-a)"
        openstack network create net-a -f value -c id
        openstack subnet create sub-a --network net-a \
            --subnet-range 10.1.0.0/24 -f value -c id
        openstack port create port-a --network net-a -f value -c id
        openstack security group create sg-a -f value -c id
        openstack security group rule create sg-a --protocol tcp \
            --dst-port 22 -f value -c id
        openstack router create router-a -f value -c id
        openstack router add subnet router-a sub-a
    ) > "$API_DIR/alice.out" 2>&1 || { cat "$API_DIR/alice.out"; ovs_fail "alice's openstack client"; }
    net_a=$(sed -n 1p "$API_DIR/alice.out")
    port_a=$(sed -n 3p "$API_DIR/alice.out")
    sg_a=$(sed -n 4p "$API_DIR/alice.out")
    rule_a=$(sed -n 5p "$API_DIR/alice.out")
    router_a=$(sed -n 6p "$API_DIR/alice.out")
    sub_a=$(sed -n 2p "$API_DIR/alice.out")
else
    net_a=$(id "$TA" POST /networks '{"network":{"name":"net-a"}}')
    sub_a=$(id "$TA" POST /subnets "{\"subnet\":{\"network_id\":\"$net_a\",\"cidr\":\"10.1.0.0/24\",\"ip_version\":4}}")
    port_a=$(id "$TA" POST /ports "{\"port\":{\"network_id\":\"$net_a\"}}")
    sg_a=$(id "$TA" POST /security-groups '{"security_group":{"name":"sg-a"}}')
    rule_a=$(id "$TA" POST /security-group-rules "{\"security_group_rule\":{\"security_group_id\":\"$sg_a\",\"direction\":\"ingress\",\"protocol\":\"tcp\",\"port_range_min\":22,\"port_range_max\":22}}")
    router_a=$(id "$TA" POST /routers '{"router":{"name":"router-a"}}')
fi
# The admin's external network, with a provider segment.
ext=$(id "$TADMIN" POST /networks '{"network":{"name":"ext","router:external":true,"provider:network_type":"flat","provider:physical_network":"physnet1"}}')
ext_sub=$(id "$TADMIN" POST /subnets "{\"subnet\":{\"network_id\":\"$ext\",\"cidr\":\"203.0.113.0/24\",\"gateway_ip\":\"203.0.113.1\",\"ip_version\":4,\"enable_dhcp\":false}}")
echo "A: network $net_a, port $port_a, group $sg_a, rule $rule_a, router $router_a; external network $ext"
# A's floating IP with a port forwarding to port-a.
req "$TA" PUT "/routers/$router_a" "{\"router\":{\"external_gateway_info\":{\"network_id\":\"$ext\"}}}" >/dev/null
fip_a=$(id "$TA" POST /floatingips "{\"floatingip\":{\"floating_network_id\":\"$ext\"}}")
ip_a=$(req "$TA" GET "/ports/$port_a" | cut -d' ' -f2- | jq -r '.port.fixed_ips[0].ip_address')
pf_body() {
    echo "{\"port_forwarding\":{\"internal_port_id\":\"$1\",\"internal_ip_address\":\"$2\",\"internal_port\":22,\"external_port\":$3,\"protocol\":\"tcp\"}}"
}
pf_a=$(id "$TA" POST "/floatingips/$fip_a/port_forwardings" "$(pf_body "$port_a" "$ip_a" 2201)")
echo "A: floating IP $fip_a, port forwarding $pf_a"

before=$(nb_dump)
fails=""
# expect STATUS TOKEN METHOD PATH [BODY]: the request gets STATUS.
expect() {
    local want=$1 out
    shift
    out=$(req "$@")
    if [ "${out%% *}" != "$want" ]; then
        fails="$fails
  $2 $3 got ${out%% *} (want $want): ${out#* }"
    fi
}

# B reads A's objects: they do not exist for B.
expect 404 "$TB" GET "/networks/$net_a"
expect 404 "$TB" GET "/subnets/$sub_a"
expect 404 "$TB" GET "/ports/$port_a"
expect 404 "$TB" GET "/security-groups/$sg_a"
expect 404 "$TB" GET "/security-group-rules/$rule_a"
expect 404 "$TB" GET "/routers/$router_a"
for coll in networks ports security-groups security-group-rules routers subnets; do
    out=$(req "$TB" GET "/$coll")
    for obj in "$net_a" "$port_a" "$sg_a" "$rule_a" "$router_a" "$sub_a"; do
        [[ $out != *"$obj"* ]] || fails="$fails
  B's list of $coll shows A's $obj"
    done
done
# B edits and deletes them.
expect 404 "$TB" PUT "/networks/$net_a" '{"network":{"name":"pwned"}}'
expect 404 "$TB" DELETE "/networks/$net_a"
expect 404 "$TB" PUT "/ports/$port_a" '{"port":{"name":"pwned"}}'
expect 404 "$TB" DELETE "/ports/$port_a"
expect 404 "$TB" DELETE "/security-group-rules/$rule_a"
expect 404 "$TB" PUT "/security-groups/$sg_a" '{"security_group":{"name":"pwned"}}'
expect 404 "$TB" DELETE "/security-groups/$sg_a"
expect 404 "$TB" PUT "/routers/$router_a" '{"router":{"name":"pwned"}}'
expect 404 "$TB" DELETE "/routers/$router_a"
expect 404 "$TB" PUT "/routers/$router_a/remove_router_interface" "{\"subnet_id\":\"$sub_a\"}"
# B attaches to A's objects.
expect 404 "$TB" POST /ports "{\"port\":{\"network_id\":\"$net_a\"}}"
expect 404 "$TB" POST /subnets "{\"subnet\":{\"network_id\":\"$net_a\",\"cidr\":\"10.9.0.0/24\",\"ip_version\":4}}"
expect 404 "$TB" POST /security-group-rules "{\"security_group_rule\":{\"security_group_id\":\"$sg_a\",\"direction\":\"ingress\"}}"
# B reads, edits, deletes and adds to A's port forwardings.
expect 404 "$TB" GET "/floatingips/$fip_a/port_forwardings"
expect 404 "$TB" GET "/floatingips/$fip_a/port_forwardings/$pf_a"
expect 404 "$TB" PUT "/floatingips/$fip_a/port_forwardings/$pf_a" '{"port_forwarding":{"external_port":2299}}'
expect 404 "$TB" DELETE "/floatingips/$fip_a/port_forwardings/$pf_a"
expect 404 "$TB" POST "/floatingips/$fip_a/port_forwardings" "$(pf_body "$port_a" "$ip_a" 2202)"
# B creates in A's name.
expect 403 "$TB" POST /networks "{\"network\":{\"name\":\"x\",\"project_id\":\"$PA\"}}"
expect 403 "$TB" POST /security-groups "{\"security_group\":{\"name\":\"x\",\"tenant_id\":\"$PA\"}}"
# Admin-only attributes.
expect 403 "$TB" POST /networks '{"network":{"name":"x","provider:network_type":"vlan","provider:physical_network":"physnet1","provider:segmentation_id":100}}'
expect 403 "$TB" POST /networks '{"network":{"name":"x","shared":true}}'
expect 403 "$TB" POST /networks '{"network":{"name":"x","router:external":true}}'
# The external network is visible to B, its gateway address is not his.
expect 200 "$TB" GET "/networks/$ext"
out=$(req "$TB" GET "/networks/$ext")
[[ $out != *provider:* ]] || fails="$fails
  B sees the provider attributes of $ext"
expect 403 "$TB" POST /ports "{\"port\":{\"network_id\":\"$ext\",\"fixed_ips\":[{\"ip_address\":\"203.0.113.1\"}]}}"
expect 403 "$TB" POST /ports "{\"port\":{\"network_id\":\"$ext\",\"device_owner\":\"network:router_gateway\"}}"
expect 403 "$TB" POST /ports "{\"port\":{\"network_id\":\"$ext\",\"binding:host_id\":\"hv1\"}}"
expect 403 "$TB" PUT "/networks/$ext" '{"network":{"name":"mine"}}'
expect 403 "$TB" DELETE "/networks/$ext"
# Another member of B cannot do more than B.
TC=$(ks_token carol carol-pw proj-b)
expect 404 "$TC" DELETE "/ports/$port_a"

if [ $unfixed = no ]; then
    # B's token with A's project in the header: the token decides.
    out=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE \
        -H "X-Auth-Token: $TB" -H "X-Project-Id: $PA" \
        "$API_URL/v2.0/networks/$net_a")
    [ "$out" = 404 ] || fails="$fails
  DELETE with B's token and X-Project-Id: A got $out"
    # No token, a malformed one, a revoked one: 401.
    for t in "" "garbage" "$(head -c 300 /dev/zero | tr '\0' A)"; do
        out=$(curl -s -o /dev/null -w '%{http_code}' \
            ${t:+-H "X-Auth-Token: $t"} -H "X-Project-Id: $PA" \
            "$API_URL/v2.0/networks")
        [ "$out" = 401 ] || fails="$fails
  token '${t:0:10}' got $out (want 401)"
    done
    TR=$(ks_token alice alice-pw proj-a)
    curl -sf -X DELETE -H "X-Auth-Token: $TADMIN" -H "X-Subject-Token: $TR" \
        "$KS_URL/auth/tokens" || ovs_fail "cannot revoke a token"
    out=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE \
        -H "X-Auth-Token: $TR" "$API_URL/v2.0/networks/$net_a")
    [ "$out" = 401 ] || fails="$fails
  a revoked token got $out (want 401)"
    # B's own openstack client sees none of A's objects.
    eval "$(ks_env bob bob-pw proj-b)"
    listed=$(openstack network list -f value -c ID 2>&1) || fails="$fails
  bob's client: $listed"
    [[ $listed != *"$net_a"* ]] || fails="$fails
  bob's openstack network list shows A's network"
    openstack network delete "$net_a" >/dev/null 2>&1 && fails="$fails
  bob's openstack network delete of A's network worked"
    openstack port set --name pwned "$port_a" >/dev/null 2>&1 && fails="$fails
  bob's openstack port set on A's port worked"
    openstack network create --provider-network-type flat \
        --provider-physical-network physnet2 x >/dev/null 2>&1 && fails="$fails
  bob's client created a provider network"
fi

after=$(nb_dump)
if [ "$before" != "$after" ]; then
    diff <(echo "$before") <(echo "$after") | head -20 >&2
    fails="$fails
  the NB database changed"
fi
[ -z "$fails" ] || ovs_fail "project B got through:$fails"
echo "B cannot see, edit, delete or attach to A's objects, nor set admin-only attributes; 401 without a valid token; NB unchanged: ok"

# A and the admin still work, also through the cache.
expect 200 "$TA" GET "/networks/$net_a"
expect 200 "$TA" PUT "/networks/$net_a" '{"network":{"name":"net-a2"}}'
expect 200 "$TADMIN" GET "/networks/$net_a"
out=$(req "$TADMIN" GET "/networks/$ext")
[[ $out == *provider:network_type* ]] || fails="$fails
  the admin does not see provider attributes"
[ -z "$fails" ] || ovs_fail "the owners:$fails"
ovs-appctl -t "$API_DIR/dvr-api.ctl" dvr-api/status | grep -E 'auth|401|403'
echo "the owner and the admin keep working: ok"

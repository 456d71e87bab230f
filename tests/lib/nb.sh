# tests/lib/nb.sh: create NB rows directly with ovsdb-client, for tests
# that run without dvr-api.  Each function prints the new row's UUID.
#
#   nb_transact JSON-OPS...          raw ops; prints the result
#   nb_network NAME TYPE SEGMENT [PHYSNET]
#   nb_subnet NET CIDR GATEWAY [DHCP=false]
#   nb_port NET SUBNET MAC IP [port_security=true]
#   nb_chassis NAME ENCAP_IP         a chassis row (as a remote node would)
#   nb_bind PORT CHASSIS             a Port_Binding (as that node would)
#
# Uses $NB_REMOTE.

nb_transact() {
    local ops
    ops=$(IFS=,; echo "$*")
    ovsdb-client transact "$NB_REMOTE" "[\"DVRFLOW_Northbound\",$ops]"
}

# _nb_uuid RESULT: the first inserted UUID in a transact result.
_nb_uuid() {
    python3 -c 'import json,sys
r = json.loads(sys.stdin.read())
for x in r:
    if x is None or "error" in x:
        sys.exit("transaction failed: %s" % r)
print(r[0]["uuid"][1])'
}

nb_network() {
    local name=$1 type=$2 seg=$3 physnet=${4:-}
    local segs='["set",[]]' pn='["set",[]]'
    [ "$seg" != - ] && segs=$seg
    [ -n "$physnet" ] && pn="\"$physnet\""
    nb_transact "{\"op\":\"insert\",\"table\":\"Network\",\"row\":{
        \"name\":\"$name\",\"provider_network_type\":\"$type\",
        \"provider_segmentation_id\":$segs,
        \"provider_physical_network\":$pn,\"mtu\":1450,
        \"admin_state_up\":true,\"port_security_enabled\":true}}" | _nb_uuid
}

nb_subnet() {
    local net=$1 cidr=$2 gw=$3 dhcp=${4:-false}
    nb_transact "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"cidr\":\"$cidr\",\"ip_version\":4,
        \"gateway_ip\":\"$gw\",\"enable_dhcp\":$dhcp}}" | _nb_uuid
}

nb_port() {
    local net=$1 subnet=$2 mac=$3 ip=$4 ps=${5:-true}
    nb_transact "{\"op\":\"insert\",\"table\":\"Port\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"mac_address\":\"$mac\",
        \"admin_state_up\":true,\"port_security_enabled\":$ps,
        \"fixed_ips\":[\"named-uuid\",\"ip\"]}}" \
        "{\"op\":\"insert\",\"table\":\"Fixed_IP\",\"uuid-name\":\"ip\",
        \"row\":{\"subnet\":[\"uuid\",\"$subnet\"],\"ip_address\":\"$ip\"}}" \
        | _nb_uuid
}

nb_chassis() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Chassis\",\"row\":{
        \"name\":\"$1\",\"encap_type\":\"geneve\",\"encap_ip\":\"$2\"}}" \
        | _nb_uuid
}

nb_bind() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Port_Binding\",\"row\":{
        \"port\":[\"uuid\",\"$1\"],\"chassis\":[\"uuid\",\"$2\"],
        \"up\":true}}" | _nb_uuid
}

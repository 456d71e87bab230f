# tests/lib/nb.sh: create NB rows directly with ovsdb-client, for tests
# that run without dvr-api (tests/system/lib.sh builds on it too).  Each
# function prints the new row's UUID, or an error and exits non-zero.
#
#   nb_transact JSON-OPS...          raw ops; prints the result
#   nb_network NAME TYPE SEGMENT [PHYSNET [MTU]]
#                                    SEGMENT "" or "-" for none; MTU 1450
#   nb_subnet NET CIDR GATEWAY [DHCP=false]
#   nb_port NET SUBNET MAC IP [port_security=true [SGS=open]]
#                                    IP "" for a port without an address;
#                                    SGS: "open" (nb_open_sg), "none" or
#                                    security group UUIDs, space-separated
#   nb_sg NAME                       an empty security group
#   nb_sg_rule SG DIRECTION ETHERTYPE [protocol=P] [min=N] [max=N]
#              [prefix=CIDR] [remote=SG] [external_ids=OVSDB-MAP]
#                                    adds a rule to SG
#   nb_sg_rule_del SG RULE           removes a rule from SG
#   nb_open_sg                       the group "dvrflow-test-open" (any
#                                    traffic in and out, IPv4 and IPv6),
#                                    made on first use
#   nb_chassis NAME ENCAP_IP         a chassis row (as a remote node would)
#   nb_bind PORT CHASSIS             a Port_Binding (as that node would)
#   nb_trunk PARENT [VLAN=PORT...]   a trunk with those subports
#   nb_trunk_sub TRUNK insert|delete VLAN=PORT...
#                                    adds or removes subports
#   nb_uuid_of TABLE COLUMN VALUE    the UUID of the first row of TABLE
#                                    whose COLUMN is VALUE (a string)
#
# Uses $NB_REMOTE.

nb_transact() {
    local ops
    ops=$(IFS=,; echo "$*")
    ovsdb-client --timeout=10 transact "$NB_REMOTE" \
        "[\"DVRFLOW_Northbound\",$ops]"
}

nb_uuid_of() {
    ovsdb-client -f json transact "$NB_REMOTE" "[\"DVRFLOW_Northbound\",
        {\"op\":\"select\",\"table\":\"$1\",
         \"where\":[[\"$2\",\"==\",\"$3\"]],\"columns\":[\"_uuid\"]}]" \
        | jq -r '.[0].rows[0]._uuid[1]'
}

# _nb_uuid [INDEX]: the UUID inserted by operation INDEX (default 0) of
# the transact result on stdin; fails if any operation failed.
_nb_uuid() {
    python3 -c 'import json,sys
r = json.loads(sys.stdin.read())
for x in r:
    if x is None or "error" in x:
        sys.exit("transaction failed: %s" % r)
print(r[int(sys.argv[1])]["uuid"][1])' "${1:-0}"
}

nb_network() {
    local name=$1 type=$2 seg=${3:-} physnet=${4:-} mtu=${5:-1450}
    local segs='["set",[]]' pn='["set",[]]'
    [ -n "$seg" ] && [ "$seg" != - ] && segs=$seg
    [ -n "$physnet" ] && pn="\"$physnet\""
    nb_transact "{\"op\":\"insert\",\"table\":\"Network\",\"row\":{
        \"name\":\"$name\",\"provider_network_type\":\"$type\",
        \"provider_segmentation_id\":$segs,
        \"provider_physical_network\":$pn,\"mtu\":$mtu,
        \"admin_state_up\":true,\"port_security_enabled\":true}}" | _nb_uuid
}

nb_subnet() {
    local net=$1 cidr=$2 gw=$3 dhcp=${4:-false}
    nb_transact "{\"op\":\"insert\",\"table\":\"Subnet\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"cidr\":\"$cidr\",\"ip_version\":4,
        \"gateway_ip\":\"$gw\",\"enable_dhcp\":$dhcp}}" | _nb_uuid
}

nb_port() {
    local net=$1 subnet=$2 mac=$3 ip=$4 ps=${5:-true} sgs=${6:-open} port
    local g set=
    if [ "$ps" = true ] && [ "$sgs" != none ]; then
        [ "$sgs" = open ] && { sgs=$(nb_open_sg) || return 1; }
        for g in $sgs; do
            set="$set${set:+,}[\"uuid\",\"$g\"]"
        done
    fi
    port="{\"op\":\"insert\",\"table\":\"Port\",\"row\":{
        \"network\":[\"uuid\",\"$net\"],\"mac_address\":\"$mac\",
        \"admin_state_up\":true,\"port_security_enabled\":$ps,
        \"security_groups\":[\"set\",[$set]],
        \"device_owner\":\"compute:nova\""
    if [ -z "$ip" ]; then
        nb_transact "$port}}" | _nb_uuid
        return
    fi
    nb_transact "$port,\"fixed_ips\":[\"named-uuid\",\"ip\"]}}" \
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

nb_sg() {
    nb_transact "{\"op\":\"insert\",\"table\":\"Security_Group\",\"row\":{
        \"name\":\"$1\",\"stateful\":true}}" | _nb_uuid
}

nb_sg_rule() {
    local sg=$1 dir=$2 eth=$3 kv row
    shift 3
    row="\"direction\":\"$dir\",\"ethertype\":\"$eth\""
    for kv in "$@"; do
        case $kv in
            protocol=*) row="$row,\"protocol\":\"${kv#*=}\"" ;;
            min=*) row="$row,\"port_range_min\":${kv#*=}" ;;
            max=*) row="$row,\"port_range_max\":${kv#*=}" ;;
            prefix=*) row="$row,\"remote_ip_prefix\":\"${kv#*=}\"" ;;
            remote=*) row="$row,\"remote_group\":[\"uuid\",\"${kv#*=}\"]" ;;
            external_ids=*) row="$row,\"external_ids\":${kv#*=}" ;;
            *) echo "nb_sg_rule: unknown argument $kv" >&2; return 1 ;;
        esac
    done
    nb_transact "{\"op\":\"insert\",\"table\":\"Security_Group_Rule\",
        \"uuid-name\":\"r\",\"row\":{$row}}" \
        "{\"op\":\"mutate\",\"table\":\"Security_Group\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$sg\"]]],
        \"mutations\":[[\"rules\",\"insert\",[\"named-uuid\",\"r\"]]]}" \
        | _nb_uuid
}

nb_sg_rule_del() {
    nb_transact "{\"op\":\"mutate\",\"table\":\"Security_Group\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$1\"]]],
        \"mutations\":[[\"rules\",\"delete\",[\"uuid\",\"$2\"]]]}" \
        | python3 -c 'import json,sys
r = json.loads(sys.stdin.read())
if any(x is None or "error" in x for x in r) or r[0].get("count") != 1:
    sys.exit("transaction failed: %s" % r)'
}

nb_open_sg() {
    local sg d e
    sg=$(nb_transact '{"op":"select","table":"Security_Group",
        "where":[["name","==","dvrflow-test-open"]],"columns":["_uuid"]}' \
        | python3 -c 'import json,sys
r = json.loads(sys.stdin.read())[0]["rows"]
print(r[0]["_uuid"][1] if r else "")') || return 1
    if [ -z "$sg" ]; then
        sg=$(nb_sg dvrflow-test-open) || return 1
        for d in ingress egress; do
            for e in IPv4 IPv6; do
                nb_sg_rule "$sg" $d $e >/dev/null || return 1
            done
        done
    fi
    echo "$sg"
}

nb_trunk() {
    local parent=$1 subs= kv
    shift
    for kv in "$@"; do
        subs="$subs${subs:+,}[${kv%%=*},[\"uuid\",\"${kv#*=}\"]]"
    done
    nb_transact "{\"op\":\"insert\",\"table\":\"Trunk\",\"row\":{
        \"port\":[\"uuid\",\"$parent\"],\"admin_state_up\":true,
        \"sub_ports\":[\"map\",[$subs]]}}" | _nb_uuid
}

nb_trunk_sub() {
    local trunk=$1 op=$2 subs= kv
    shift 2
    for kv in "$@"; do
        subs="$subs${subs:+,}[${kv%%=*},[\"uuid\",\"${kv#*=}\"]]"
    done
    nb_transact "{\"op\":\"mutate\",\"table\":\"Trunk\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$trunk\"]]],
        \"mutations\":[[\"sub_ports\",\"$op\",[\"map\",[$subs]]]]}" \
        >/dev/null
}

# nb_gateway_chassis: after ovs_test_init, an NB server (NB_REMOTE) and
# hv1, a gateway chassis on the dummy datapath with br-ex on physnet1, its
# controller not started; NB_Global inserted.  Defines load()
# (bench/routing-load.py against the NB).
nb_gateway_chassis() {
    ovs_start_nb nb
    ovs_start_switch hv1
    ovs-vsctl set open . external_ids:system-id=hv1 \
        external_ids:dvr-nb-remote="$NB_REMOTE" \
        external_ids:dvr-encap-ip=192.168.100.1 \
        external_ids:dvr-bridge-mappings=physnet1:br-ex \
        external_ids:dvr-datapath-type=dummy external_ids:dvr-gateway=true
    nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null
    load() {
        python3 "$abs_top_srcdir/bench/routing-load.py" "${NB_REMOTE#unix:}" \
            "$@"
    }
}

# nb_gateway_bed: after ovs_test_init, an NB server and hv1, a gateway
# chassis on the dummy datapath running dvr-controller, with
# bench/routing-load.py's base (two ports of a tenant network) and router,
# the two ports' VIFs plugged (vif1, vif2 on ofports 11, 12).  Sets
# NB_REMOTE, p1 and p2 (the ports), router, ext (the external network) and
# log (the controller's log).  Defines load() (routing-load.py).
nb_gateway_bed() {
    nb_gateway_chassis
    local ports u i=0
    ports=$(load base 2)
    load router
    ovs_start_controller hv1
    ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
    for u in $ports; do
        i=$((i + 1))
        ovs-vsctl add-port br-int "vif$i" -- set interface "vif$i" \
            type=dummy ofport_request=$((10 + i)) external_ids:iface-id="$u"
    done
    set -- $ports
    p1=$1 p2=$2
    log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
    router=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Router _uuid \
             | tail -1 | tr -d ' ')
    ext=$(ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network _uuid \
          name | awk '$2 == "public" {print $1}')
}

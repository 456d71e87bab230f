# tests/attack/alive.sh: the attack suite's check that a controller survived.
# Source it after tests/lib/ovs.sh and tests/lib/nb.sh.
#
#   attack_plug NAME OFPORT PORT-UUID MAC
#                           a dummy VIF on br-int bound to an NB port
#   attack_check_alive HV NET SUBNET OFPORT MAC IP
#                           HV's dvr-controller still runs and still
#                           applies a new change in its usual time: a new
#                           NB port (MAC, IP on NET/SUBNET) plugged as
#                           OFPORT gets its classify flow within
#                           ATTACK_CHANGE_TIMEOUT seconds (5); prints how
#                           long it took

ATTACK_CHANGE_TIMEOUT=${ATTACK_CHANGE_TIMEOUT:-5}

attack_plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active
}

attack_check_alive() {
    local hv=$1 net=$2 subnet=$3 ofport=$4 mac=$5 ip=$6 pid port t0 t1
    pid=$(cat "$OVS_TEST_DIR/$hv/run/dvr-controller.pid" 2>/dev/null) \
        || ovs_fail "$hv: dvr-controller has no pid file"
    kill -0 "$pid" 2>/dev/null || ovs_fail "$hv: dvr-controller died"
    ovs_controller_ctl "$hv" status >/dev/null \
        || ovs_fail "$hv: dvr-controller does not answer"
    port=$(nb_port "$net" "$subnet" "$mac" "$ip") \
        || ovs_fail "cannot create the probe port"
    t0=$(date +%s%N)
    attack_plug "probe$ofport" "$ofport" "$port" "$mac"
    ovs_wait_until "$ATTACK_CHANGE_TIMEOUT" sh -c \
        "ovs-ofctl -O OpenFlow13 dump-flows br-int table=0,in_port=$ofport \
         | grep -q actions" \
        || ovs_fail "$hv: a new port got no flow in ${ATTACK_CHANGE_TIMEOUT} s"
    t1=$(date +%s%N)
    kill -0 "$pid" 2>/dev/null || ovs_fail "$hv: dvr-controller died"
    echo "$hv: still running, a new port's flows in $(( (t1 - t0) / 1000000 )) ms"
}

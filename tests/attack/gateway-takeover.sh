#!/usr/bin/env bash
# Attack test (issue 14): gateway takeover.  A tenant asks dvr-api for a
# port that holds the external subnet's gateway address (203.0.113.1, the
# external host): with device_owner network:router_gateway, with any
# network:* owner, by taking the address, or by changing an existing
# port's device_owner.  dvr-api refuses every one and the NB database is
# unchanged.  Then the data path: a port on the external network that
# holds the gateway address anyway (written into NB directly, as a buggy
# or hostile other client could) and is bound on the compute node must
# not receive the traffic the routers send to their upstream gateway:
# neither the SNAT traffic of the network node nor the floating IP's of
# the compute node, which still reaches the real gateway (the external
# host, whose MAC the routers learned by ARP).  The dummy-datapath sandbox.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
. "$abs_top_srcdir/tests/attack/lib.sh"
sb_init
sb_up --datapath dummy --computes 1 --gateways 1
d=/run/dvrsb/$SB_PREFIX
ext=$d/ext.pcap
problems=0

atk_external_router
pfip=$(atk_port "$ATK_PRIV" "$ATK_PRIVSUB" 192.168.10.11)
psnat=$(atk_port "$ATK_PRIV" "$ATK_PRIVSUB" 192.168.10.12)
sb_vm_port vfip hv1 "$pfip"
sb_vm_port vsnat hv1 "$psnat"
fip=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$ATK_PUB\", \"port_id\": \"$pfip\"}}" \
      | jq -r .floatingip.floating_ip_address)

# The API.
nb_dump() {
    ovsdb-client dump "$SB_NB" DVRFLOW_Northbound Port _uuid device_owner \
        fixed_ips | sort
    ovsdb-client dump "$SB_NB" DVRFLOW_Northbound Fixed_IP _uuid \
        ip_address | sort
}
# refused WHAT METHOD PATH BODY: the request gets a 4xx with a Neutron
# error body and changes nothing in NB.
refused() {
    local before out code
    before=$(nb_dump)
    out=$(atk_api_code "$2" "$3" "$4")
    code=${out%% *}
    if [ "${code:0:1}" = 4 ] && [[ $out == *NeutronError* ]] \
           && [ "$(nb_dump)" = "$before" ]; then
        echo "API refuses $1: ${out:0:160}"
    else
        echo "PROBLEM: API accepted $1: ${out:0:200}"
        problems=$((problems + 1))
    fi
}
gw_fixed_ip="[{\"subnet_id\": \"$ATK_PUBSUB\", \"ip_address\": \"203.0.113.1\"}]"
for owner in network:router_gateway network:router_interface network:dhcp \
             network:floatingip; do
    refused "a port with device_owner $owner on the gateway address" \
        POST /ports "{\"port\": {\"network_id\": \"$ATK_PUB\",
        \"device_owner\": \"$owner\", \"fixed_ips\": $gw_fixed_ip}}"
done
refused "a port with device_owner network:router_gateway" \
    POST /ports "{\"port\": {\"network_id\": \"$ATK_PUB\",
    \"device_owner\": \"network:router_gateway\"}}"
refused "a compute port on the gateway address" \
    POST /ports "{\"port\": {\"network_id\": \"$ATK_PUB\",
    \"device_owner\": \"compute:nova\", \"fixed_ips\": $gw_fixed_ip}}"
refused "device_owner network:router_gateway on an existing port" \
    PUT "/ports/$psnat" '{"port": {"device_owner": "network:router_gateway"}}'

# The data path: the routers know the real gateway by ARP.
atk_reach vfip 192.168.10.11 198.51.100.7 "$ATK_RMAC" "udp and src host $fip"
atk_reach vsnat 192.168.10.12 198.51.100.7 "$ATK_RMAC" \
    "udp and src host $ATK_GWIP"
# The hostile port, straight into NB (or the one the API made, if it did),
# bound on hv1.
evil=$(sb_api GET "/ports?network_id=$ATK_PUB" | jq -r '.ports[]
    | select(.fixed_ips[].ip_address == "203.0.113.1") | .id' | head -1)
if [ -n "$evil" ]; then
    echo "the hostile port is the one the API made"
    evil_mac=$(sb_api GET "/ports/$evil" | jq -r .port.mac_address)
else
    evil_mac=fa:16:3e:ee:00:01
    evil=$(sb_port "$ATK_PUB" "$ATK_PUBSUB" 203.0.113.1 "$evil_mac")
fi
sb_vm_port evil hv1 "$evil"
evil_pcap=$(sb_vm_var evil VM_PCAP)
sleep 2
# path VM SRC WIRE_SRC WHAT: VM's packets to the outside reach the
# external host and none the hostile port.  (Under load the liveness of
# the tunnel to the network node may flap and lose some: up to 10 are
# sent, 0.3 s apart, until one arrives.)
path() {
    local e0 x0 i stolen got=0
    e0=$(dummy_count "$evil_pcap" "udp and src host $3")
    x0=$(dummy_count "$ext" "udp and src host $3")
    for i in $(seq 10); do
        atk_send "$1" "$(atk_udp "$1" "$2" 198.51.100.7 "$ATK_RMAC" \
                         --dport 90$i)"
        sleep 0.3
        got=$(( $(dummy_count "$ext" "udp and src host $3") - x0 ))
        [ "$got" -lt 3 ] || break
    done
    sleep 0.5
    got=$(( $(dummy_count "$ext" "udp and src host $3") - x0 ))
    stolen=$(( $(dummy_count "$evil_pcap" "udp and src host $3") - e0 ))
    if [ "$stolen" -gt 0 ]; then
        echo "PROBLEM: the hostile port received $stolen $4 packets"
        problems=$((problems + 1))
    fi
    if [ "$got" -lt 1 ]; then
        echo "PROBLEM: $4 packets no longer reach the external host"
        problems=$((problems + 1))
    elif [ "$stolen" = 0 ]; then
        echo "$4: $got packets reached the real gateway, none the hostile port"
    fi
}
path vfip 192.168.10.11 "$fip" "floating IP (hv1)"
path vsnat 192.168.10.12 "$ATK_GWIP" "SNAT (gw1)"
# Nor does the hostile port answer ARP for the gateway.
n0=$(dummy_count "$ext" "arp and arp[6:2] = 2 and ether src $evil_mac")
(
    sb_node_env fabric
    dummy_inject ext "$(dummy_arp_request "$ATK_EXT_MAC" 203.0.113.9 203.0.113.1)"
)
sleep 1
n=$(( $(dummy_count "$ext" "arp and arp[6:2] = 2 and ether src $evil_mac") - n0 ))
if [ "$n" -gt 0 ]; then
    echo "PROBLEM: the gateway's address is answered with the hostile port's MAC"
    problems=$((problems + 1))
fi

atk_controllers_alive
[ "$problems" = 0 ] || sb_fail "$problems problem(s)"
echo "gateway-takeover: ok"

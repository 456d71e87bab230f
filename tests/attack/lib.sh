# tests/attack/lib.sh: helpers of the data-path attack tests, on top of
# tests/system/lib.sh (a sandbox, netdev or dummy) and tests/lib/dummy.sh.
# shellcheck shell=bash
#
#   atk_frame KIND ARGS...        tests/attack/frames.py: a hostile frame
#                                 as hex (or sent, with --send IFACE)
#   atk_api_code METHOD PATH [BODY]
#                                 a dvr-api request; prints "CODE BODY"
#                                 (never fails the test by itself)
#   atk_external_router           the topology most attacks need (dvr-api):
#                                 public-net (flat, physnet1,
#                                 203.0.113.0/24, gateway 203.0.113.1 = the
#                                 external host), private-net
#                                 192.168.10.0/24 on router r1 whose
#                                 gateway is on public-net; sets ATK_PUB,
#                                 ATK_PUBSUB, ATK_PRIV, ATK_PRIVSUB,
#                                 ATK_ROUTER, ATK_RMAC (r1's MAC on
#                                 private-net), ATK_GWIP (r1's gateway IP)
#   atk_port NET SUBNET IP [MORE_FIXED_IPS_JSON]
#                                 a port through dvr-api; prints its UUID
#   atk_ext_answer_arp            (dummy sandbox) the external host
#                                 answers every ARP request for
#                                 203.0.113.1 seen in its capture, from
#                                 ATK_EXT_MAC
#   atk_send VM HEX               (dummy sandbox) VM sends the frame HEX
#   atk_udp VM SRC DST DST_MAC [frames.py options]
#                                 prints a UDP frame from VM's MAC
#   atk_reach VM SRC DST DST_MAC FILTER
#                                 (dummy sandbox) VM sends UDP frames until
#                                 one matching FILTER reaches the external
#                                 host's capture, answering its ARP
#                                 requests meanwhile (at most 6 s)
#   atk_talk FROM TO DST_MAC SRC DST
#                                 (dummy sandbox) VM FROM sends one UDP
#                                 datagram SRC -> DST to DST_MAC; true if
#                                 it reaches VM TO's capture within 1.5 s
#   atk_controllers_alive         every node's dvr-controller still runs
#                                 and answers; fails the test otherwise
#
# Frames the "VM" sends on the dummy datapath are injected with
# dummy_inject on the node of the VM (sb_node_env NODE first).

ATK_EXT_MAC=02:ee:00:00:00:01
ATK_FRAMES=$abs_top_srcdir/tests/attack/frames.py

atk_frame() {
    /usr/bin/python3 "$ATK_FRAMES" "$@"
}

atk_api_code() {
    local port out
    port=$(. "/run/dvrsb/$SB_PREFIX/config"; echo "$SB_API_PORT")
    out=$(curl -sS -X "$1" -H 'Content-Type: application/json' \
              -w '\n%{http_code}' ${3:+--data "$3"} \
              "http://127.0.0.1:$port/v2.0$2") || { echo "000"; return 0; }
    echo "${out##*$'\n'} ${out%$'\n'*}"
}

atk_external_router() {
    ATK_PUB=$(sb_api_id POST /networks '{"network": {"name": "public-net",
        "router:external": true, "provider:network_type": "flat",
        "provider:physical_network": "physnet1"}}')
    ATK_PUBSUB=$(sb_api_id POST /subnets "{\"subnet\": {
        \"name\": \"public-subnet\", \"network_id\": \"$ATK_PUB\",
        \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
        \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
        \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                                \"end\": \"203.0.113.200\"}]}}")
    ATK_PRIV=$(sb_api_id POST /networks '{"network": {"name": "private-net",
        "mtu": 1442}}')
    ATK_PRIVSUB=$(sb_api_id POST /subnets "{\"subnet\": {
        \"name\": \"private-subnet\", \"network_id\": \"$ATK_PRIV\",
        \"cidr\": \"192.168.10.0/24\", \"ip_version\": 4,
        \"enable_dhcp\": false}}")
    ATK_ROUTER=$(sb_api_id POST /routers "{\"router\": {\"name\": \"r1\",
        \"external_gateway_info\": {\"network_id\": \"$ATK_PUB\"}}}")
    sb_api PUT "/routers/$ATK_ROUTER/add_router_interface" \
        "{\"subnet_id\": \"$ATK_PRIVSUB\"}" >/dev/null
    ATK_GWIP=$(sb_api GET "/routers/$ATK_ROUTER" \
        | jq -r '.router.external_gateway_info.external_fixed_ips[0].ip_address')
    ATK_RMAC=$(sb_api GET "/ports?device_id=$ATK_ROUTER" \
        | jq -r ".ports[] | select(.network_id == \"$ATK_PRIV\") | .mac_address")
    [ -n "$ATK_RMAC" ] && [ -n "$ATK_GWIP" ] \
        || sb_fail "router r1: no interface MAC or gateway IP"
}

atk_port() {
    local fips="{\"subnet_id\": \"$2\", \"ip_address\": \"$3\"}"
    [ -z "${4:-}" ] || fips="$fips, $4"
    sb_api_id POST /ports "{\"port\": {\"network_id\": \"$1\",
        \"fixed_ips\": [$fips], \"device_owner\": \"compute:nova\"}}"
}

atk_ext_answer_arp() {
    local d=/run/dvrsb/$SB_PREFIX line smac spa
    while read -r line; do
        smac=$(sed -n 's/^[0-9.]* \([0-9a-f:]*\) > .*/\1/p' <<<"$line")
        spa=$(sed -n 's/.* tell \([0-9.]*\),.*/\1/p' <<<"$line")
        [ -n "$smac" ] && [ -n "$spa" ] || continue
        (
            sb_node_env fabric
            dummy_inject ext "eth(src=$ATK_EXT_MAC,dst=$smac),eth_type(0x0806),arp(sip=203.0.113.1,tip=$spa,op=2,sha=$ATK_EXT_MAC,tha=$smac)"
        )
    done < <(tcpdump -r "$d/ext.pcap" -nn -e -tt \
                 'arp and arp[6:2] = 1 and arp[24:4] = 0xcb007101' \
                 2>/dev/null | sort -u -k2,2)
}

atk_send() {
    (
        sb_node_env "$(sb_vm_var "$1" VM_NODE)"
        dummy_inject "$(sb_vm_var "$1" VM_IFACE)" "$2"
    ) || sb_fail "cannot inject on $1"
}

atk_udp() {
    local vm=$1 src=$2 dst=$3 dmac=$4
    shift 4
    atk_frame udp4 "$(sb_vm_var "$vm" VM_MAC)" "$dmac" "$src" "$dst" "$@"
}

atk_reach() {
    local ext=/run/dvrsb/$SB_PREFIX/ext.pcap i
    for i in $(seq 30); do
        atk_send "$1" "$(atk_udp "$1" "$2" "$3" "$4" --dport 7$i)"
        atk_ext_answer_arp
        [ "$(dummy_count "$ext" "$5")" -ge 1 ] && return 0
        sleep 0.2
    done
    dummy_dump "$ext" >&2
    sb_fail "$1: no frame reached the external host ($5)"
}

atk_talk() {
    local from=$1 to=$2 pcap filter before
    pcap=$(sb_vm_var "$to" VM_PCAP)
    filter="udp and src host $4 and dst host $5"
    before=$(dummy_count "$pcap" "$filter")
    atk_send "$from" "$(atk_udp "$from" "$4" "$5" "$3")"
    for _ in $(seq 15); do
        [ "$(dummy_count "$pcap" "$filter")" -gt "$before" ] && return 0
        sleep 0.1
    done
    return 1
}

atk_controllers_alive() {
    local d=/run/dvrsb/$SB_PREFIX node pid
    for node in $(. "$d/config"; echo "$SB_NODES"); do
        pid=$(cat "$d/$node/run/dvr-controller.pid" 2>/dev/null) \
            || sb_fail "$node: no dvr-controller pid file"
        kill -0 "$pid" 2>/dev/null || sb_fail "$node: dvr-controller died"
        sb ovs "$node" ovs-appctl -t "$d/$node/run/dvr-controller.ctl" \
            status >/dev/null 2>&1 \
            || sb_fail "$node: dvr-controller does not answer"
    done
}

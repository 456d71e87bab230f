#!/usr/bin/env bash
# System test (issue 20, QoS on router gateways, Neutron's qos-gateway-ip):
# a bandwidth limit on a router's gateway address, with real traffic
# (netdev sandbox, one compute node, one network node gw1, the external
# host 203.0.113.1).  VM vm1 (192.168.10.11, hv1) has no floating IP: its
# traffic to the external host is SNATed to the router's gateway address
# on gw1.
#   - `openstack router set --qos-policy bw` (50 Mbit/s egress and
#     ingress): iperf3 measures each direction within 10% of 50 Mbit/s;
#     gw1 has the router's two meters (0x60000 and 0x70000 + its local id).
#   - `openstack router set --no-qos-policy`: unlimited again (above 75
#     Mbit/s each way), the meters gone.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
command -v openstack >/dev/null || { echo "skip: no openstack client"; exit 77; }
sb_init
sb_up --computes 1 --gateways 1


pub=$(sb_api_id POST /networks '{"network": {"name": "public-net",
    "router:external": true, "provider:network_type": "flat",
    "provider:physical_network": "physnet1"}}')
sb_api_id POST /subnets "{\"subnet\": {\"name\": \"public-subnet\",
    \"network_id\": \"$pub\", \"cidr\": \"203.0.113.0/24\", \"ip_version\": 4,
    \"gateway_ip\": \"203.0.113.1\", \"enable_dhcp\": false,
    \"allocation_pools\": [{\"start\": \"203.0.113.100\",
                            \"end\": \"203.0.113.200\"}]}}" >/dev/null
priv=$(sb_api_id POST /networks '{"network": {"name": "private-net"}}')
privsub=$(sb_api_id POST /subnets "{\"subnet\": {\"name\": \"private-subnet\",
    \"network_id\": \"$priv\", \"cidr\": \"192.168.10.0/24\",
    \"ip_version\": 4, \"enable_dhcp\": false}}")
router=$(sb_api_id POST /routers "{\"router\": {\"name\": \"myrouter\",
    \"external_gateway_info\": {\"network_id\": \"$pub\"}}}")
sb_api PUT "/routers/$router/add_router_interface" \
    "{\"subnet_id\": \"$privsub\"}" >/dev/null
p1=$(sb_api_id POST /ports "{\"port\": {\"name\": \"vm1\",
    \"network_id\": \"$priv\", \"fixed_ips\": [{\"subnet_id\": \"$privsub\",
    \"ip_address\": \"192.168.10.11\"}], \"port_security_enabled\": false}}")
sb_vm_port vm1 hv1 "$p1"
sb_assert_ping vm1 203.0.113.1
echo "vm1 reaches the external host through the router's SNAT"

sb exec ext iperf3 -s -D -p 7811
sb_wait_listen ext 7811
# mbps [ARGS]: iperf3 from vm1 to the external host (-R: the external
# host sends, to the floating IP); prints the Mbit/s the receiver
# measured.
mbps() {
    sb exec vm1 iperf3 -c 203.0.113.1 -p 7811 -t 6 -O 2 -J "$@" \
        | jq '.end.sum_received.bits_per_second / 1e6'
}
sb_node_env gw1
# meters: the gateway QoS meters on gw1's br-int (0x60000-0x7ffff).
meters() {
    ovs-ofctl -O OpenFlow13 dump-meters br-int \
        | awk '/^meter=/ { split($1, m, "="); id = m[2] }
               /type=drop/ && id >= 393216 && id < 524288 { print id, $2 }' \
        | sort
}
n_meters() {
    [ "$(meters | wc -l)" = "$1" ]
}

sb_os_session <<EOF2
network qos policy create bw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --egress bw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --ingress bw
router set --qos-policy bw myrouter
EOF2
sb_await 5000 n_meters 2 >/dev/null || sb_fail "no meters on gw1: $(meters)"
sb_rate_near "gateway limited: egress" 50 mbps
sb_rate_near "gateway limited: ingress" 50 mbps -R

sb_os_session <<EOF2
router set --no-qos-policy myrouter
EOF2
sb_await 5000 n_meters 0 >/dev/null || sb_fail "meters left: $(meters)"
sb_rate_above "gateway policy removed: egress" 75 mbps
sb_rate_above "gateway policy removed: ingress" 75 mbps -R
echo "qos-gateway: ok"

#!/usr/bin/env bash
# System test (issue 20, QoS on floating IPs, Neutron's qos-fip): a
# bandwidth limit on a floating IP, with real traffic (netdev sandbox, one
# compute node, one network node, the external host 203.0.113.1).  VM vm1
# (192.168.10.11, hv1) has a floating IP; iperf3 between vm1 and the
# external host goes through it (DNAT and SNAT on hv1).
#   - Unlimited first: both directions well above 50 Mbit/s.
#   - `openstack floating ip set --qos-policy bw` (50 Mbit/s egress and
#     ingress): iperf3 measures each direction within 10% of 50 Mbit/s;
#     hv1 has the floating IP's two meters (0x40000 and 0x50000 + vm1's
#     ofport) and its NAT flows name them.
#   - `openstack floating ip set --no-qos-policy`: unlimited again, the
#     meters gone.
# The port itself has no policy: the limit is the floating IP's.
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
fipj=$(sb_api POST /floatingips "{\"floatingip\": {
    \"floating_network_id\": \"$pub\", \"port_id\": \"$p1\"}}")
fipid=$(echo "$fipj" | jq -r .floatingip.id)
fip=$(echo "$fipj" | jq -r .floatingip.floating_ip_address)
sb_assert_ping vm1 203.0.113.1
echo "vm1 reaches the external host through floating IP $fip"

sb exec ext iperf3 -s -D -p 7810
sb_wait_listen ext 7810
# mbps [ARGS]: iperf3 from vm1 to the external host (-R: the external
# host sends, to the floating IP); prints the Mbit/s the receiver
# measured.
mbps() {
    sb exec vm1 iperf3 -c 203.0.113.1 -p 7810 -t 6 -O 2 -J "$@" \
        | jq '.end.sum_received.bits_per_second / 1e6'
}
sb_node_env hv1
ofport=$(ovs-vsctl --bare --columns=ofport find interface \
         "external_ids:iface-id=$p1")
# meters: the floating-IP QoS meters on hv1's br-int (0x40000-0x5ffff).
meters() {
    ovs-ofctl -O OpenFlow13 dump-meters br-int \
        | awk '/^meter=/ { split($1, m, "="); id = m[2] }
               /type=drop/ && id >= 262144 && id < 393216 { print id, $2 }' \
        | sort
}
n_meters() {
    [ "$(meters | wc -l)" = "$1" ]
}

sb_rate_above "unlimited egress through the floating IP" 75 mbps
sb_rate_above "unlimited ingress through the floating IP" 75 mbps -R

sb_os_session <<EOF2
network qos policy create bw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --egress bw
network qos rule create --type bandwidth-limit --max-kbps 50000 --max-burst-kbits 20000 --ingress bw
floating ip set --qos-policy bw $fip
EOF2
sb_await 5000 n_meters 2 >/dev/null || sb_fail "no meters: $(meters)"
[ "$(meters | awk '{print $1}' | tr '\n' ' ')" \
    = "$((0x40000 + ofport)) $((0x50000 + ofport)) " ] \
    || sb_fail "meters are not 0x40000/0x50000 + $ofport: $(meters)"
ovs-ofctl -O OpenFlow13 dump-flows br-int "table=l3_egress,ip,nw_src=192.168.10.11" \
    | grep -q "meter:$((0x40000 + ofport))" || sb_fail "no egress meter flow"
ovs-ofctl -O OpenFlow13 dump-flows br-int "table=l3_ext_in,ip,nw_dst=$fip" \
    | grep -q "meter:$((0x50000 + ofport))" || sb_fail "no ingress meter flow"
[ "$(sb_api GET "/floatingips/$fipid" | jq -r .floatingip.qos_policy_id)" \
    != null ] || sb_fail "the floating IP shows no policy"
sb_rate_near "floating IP limited: egress" 50 mbps
sb_rate_near "floating IP limited: ingress" 50 mbps -R

sb_os_session <<EOF2
floating ip set --no-qos-policy $fip
EOF2
sb_await 5000 n_meters 0 >/dev/null || sb_fail "meters left: $(meters)"
sb_rate_above "policy removed: egress" 75 mbps
sb_rate_above "policy removed: ingress" 75 mbps -R
echo "qos-fip: ok"

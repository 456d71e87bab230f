#!/usr/bin/env bash
# Attack test (issue 14): a provider network whose gateway is a physical
# router, with DHCP on.  The VM's ARP request for the gateway must reach
# the gateway and be answered with its real MAC (dvrflow answers only for
# addresses it owns: 169.254.169.254, its routers' interfaces), so that
# the VM reaches an address behind the gateway; before, dvrflow answered
# with the DHCP server's MAC, which no flow delivers, and every
# off-subnet packet was flooded to every port of the network.  The netdev
# sandbox: the external host (203.0.113.1) is the gateway, with
# 198.18.0.1 behind it; the VM gets its address and route by DHCP.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/attack/lib.sh"
sb_init
sb_up --computes 1 --gateways 0 --no-api

net=$(sb_network prov flat "" 1500)
sb_nb "{\"op\":\"update\",\"table\":\"Network\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$net\"]]],
        \"row\":{\"provider_physical_network\":\"physnet1\"}}" >/dev/null
sub=$(sb_subnet "$net" 203.0.113.0/24 203.0.113.1 true)
sb exec ext ip addr add 198.18.0.1/32 dev lo
sb_vm v1 hv1 "$net" "$sub" 203.0.113.50 fa:16:3e:0a:00:50
sb exec v1 ip route show default | sb_has 'default via 203.0.113.1' \
    || sb_fail "no default route via 203.0.113.1 from DHCP"

ext_mac=$(sb exec ext cat /sys/class/net/eth0/address)
sb exec v1 ping -q -c 2 -i 0.3 -W 1 198.18.0.1 >/dev/null 2>&1 || true
neigh=$(sb exec v1 ip neigh show 203.0.113.1)
echo "v1's neighbour entry for its gateway: $neigh"
[[ $neigh == *"lladdr $ext_mac"* ]] \
    || sb_fail "the gateway's ARP was not answered by the gateway ($ext_mac)"
sb_assert_ping v1 198.18.0.1
atk_controllers_alive
echo "physical-gateway: ok"

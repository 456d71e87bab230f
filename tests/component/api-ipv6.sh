#!/usr/bin/env bash
# Component test: IPv6 subnet modes through the real openstack client
# (issue 18).  The client creates SLAAC and DHCPv6 subnets and shows
# their modes; dvr-api refuses, with Neutron's message and without a
# write, the combinations Neutron refuses; a port on a SLAAC subnet gets
# the EUI-64 address of its MAC, and an explicit address there is
# refused.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
command -v openstack >/dev/null || { echo "no openstack client"; exit 77; }
ovs_test_init
api_start
api_client_start

os network create net6 -f value -c id >/dev/null || ovs_fail "network create"
os subnet create --network net6 --ip-version 6 --subnet-range 2001:db8:1::/64 \
    --ipv6-ra-mode slaac --ipv6-address-mode slaac sub-slaac \
    -f value -c id >/dev/null || ovs_fail "slaac subnet create"
os subnet create --network net6 --ip-version 6 --subnet-range 2001:db8:2::/64 \
    --ipv6-ra-mode dhcpv6-stateful --ipv6-address-mode dhcpv6-stateful \
    sub-stateful -f value -c id >/dev/null || ovs_fail "stateful subnet create"
show=$(os subnet show sub-slaac -f value -c ipv6_ra_mode -c ipv6_address_mode)
[ "$(echo $show)" = "slaac slaac" ] || ovs_fail "sub-slaac modes: $show"
echo "subnets with modes: ok"

before=$(nb_dump)
refused() {
    local want=$1; shift
    if os subnet create --network net6 --ip-version 6 "$@" bad \
            >"$API_DIR/err" 2>&1; then
        ovs_fail "accepted: $*"
    fi
    grep -q "$want" "$API_DIR/err" || ovs_fail "no '$want' in: $(cat "$API_DIR/err")"
}
refused "they must be the same value" --subnet-range 2001:db8:3::/64 \
    --ipv6-ra-mode slaac --ipv6-address-mode dhcpv6-stateless
refused "requires the prefix to be /64" --subnet-range 2001:db8:3::/80 \
    --ipv6-address-mode slaac
refused "enable_dhcp is set to False" --subnet-range 2001:db8:3::/64 \
    --ipv6-ra-mode dhcpv6-stateless --no-dhcp
[ "$(nb_dump)" = "$before" ] || ovs_fail "a refused request changed NB"
echo "Neutron's refusals: ok"

ips=$(os port create --network net6 --mac-address fa:16:3e:12:34:56 p1 \
    -f json -c fixed_ips)
case "$ips" in
    *'"2001:db8:1:0:f816:3eff:fe12:3456"'*) ;;
    *) ovs_fail "no EUI-64 address on the SLAAC subnet: $ips" ;;
esac
# The stateful subnet gives an address from its pool, not EUI-64.
case "$ips" in
    *'"2001:db8:2::'*) ;;
    *) ovs_fail "no address from the stateful subnet: $ips" ;;
esac
if os port create --network net6 --fixed-ip subnet=sub-slaac,ip-address=2001:db8:1::99 \
        p2 >"$API_DIR/err" 2>&1; then
    ovs_fail "a fixed address on a SLAAC subnet was accepted"
fi
grep -q "configured for automatic addresses" "$API_DIR/err" \
    || ovs_fail "no message: $(cat "$API_DIR/err")"
echo "EUI-64 addresses: ok"

#!/usr/bin/env bash
# bench/lib/neutron-services.sh: the OpenStack side of bench/neutron-bench
# for one backend: a private MariaDB and Keystone (tests/lib/keystone.sh),
# and neutron-server on its own MariaDB (tests/lib/neutron.sh) with ML2
# configured for BACKEND.  It lives as long as its standard input: it
# prints the services' coordinates, one KEY=VALUE a line, then "READY",
# and waits; when its standard input closes (bench/neutron-bench exits,
# however it exits) or it gets SIGTERM, it stops everything it started,
# by pid, and exits.
#
# Usage: neutron-services.sh dvrflow|ovn DIR
#   dvrflow: mechanism_drivers = dvrflow, service_plugins = dvrflow-router,
#            [dvrflow] nb_connection = $BENCH_NB
#   ovn:     mechanism_drivers = ovn, service_plugins = ovn-router,
#            [ovn] ovn_nb_connection = $BENCH_NB,
#            ovn_sb_connection = $BENCH_SB
# Both: tenant networks of type geneve, Keystone authentication,
# BENCH_API_WORKERS API workers (default 1), no RPC worker, no agent
# (transport fake://).  Settings: KS_BIND_PORT and NEUTRON_PORT (TCP ports
# on 127.0.0.1).
set -u
backend=$1
dir=$2
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$abs_top_srcdir/tests/lib/keystone.sh"
. "$abs_top_srcdir/tests/lib/neutron.sh"

stopped=
stop_all() {
    [ -z "$stopped" ] || return 0
    stopped=yes
    neutron_down
    ks_down
}
trap 'stop_all' EXIT
trap 'exit 143' TERM INT HUP

die() {
    echo "neutron-services: $*" >&2
    exit 1
}

workers=${BENCH_API_WORKERS:-1}
geneve='[ml2_type_geneve]
max_header_size = 38'
case $backend in
    dvrflow)
        NEUTRON_EXTRA_CONF="[DEFAULT]
api_workers = $workers
[ml2]
tenant_network_types = geneve
$geneve"
        ;;
    ovn)
        # Later values win in oslo.config: these replace tests/lib/
        # neutron.sh's dvrflow settings.
        NEUTRON_EXTRA_CONF="[DEFAULT]
service_plugins = ovn-router
api_workers = $workers
[ml2]
tenant_network_types = geneve
mechanism_drivers = ovn
$geneve
[ovn]
ovn_nb_connection = $BENCH_NB
ovn_sb_connection = $BENCH_SB
ovn_l3_scheduler = leastloaded
ovn_metadata_enabled = false
enable_distributed_floating_ip = false"
        ;;
    *) die "unknown backend '$backend'" ;;
esac
export NEUTRON_EXTRA_CONF
# shellcheck disable=SC2034 # read by tests/lib/neutron.sh
NEUTRON_AUTH=keystone

mkdir -p "$dir"
ks_up "$dir/keystone" >&2 || die "Keystone did not start"
neutron_up "$dir" "$BENCH_NB" >&2 || die "neutron-server did not start"
echo "KS_URL=$KS_URL"
echo "KS_ADMIN_PASSWORD=$KS_ADMIN_PASSWORD"
echo "NEUTRON_URL=$NEUTRON_URL"
echo "NEUTRON_PID=$NEUTRON_PID"
echo "NEUTRON_LOG=$NEUTRON_LOG"
echo "NEUTRON_DB_URL=$NEUTRON_DB_URL"
echo "READY"
# Until the caller closes our standard input.
while read -r _; do :; done
exit 0

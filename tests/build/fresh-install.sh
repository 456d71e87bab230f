#!/usr/bin/env bash
# tests/build/fresh-install.sh: the packages on a fresh Debian 12, by hand:
#
#   ../shared/tools/fresh-machine tests/build/fresh-install.sh
#
# As root in the new machine: tools/install-deps, dpkg-buildpackage -us -uc
# -b, apt-get install of the built packages (their services kept from
# starting by policy-rc.d), systemd-analyze verify of the installed units,
# then, in a mount namespace with a private /run and a network namespace of
# its own (nothing of this machine's is touched), Open vSwitch on the dummy
# datapath as openvswitch-switch would run it, and dvrflow-nb, dvr-api and
# dvr-controller started by their installed units' ExecStartPre/ExecStart
# lines unchanged, as systemd would (no systemd runs in a chroot);
# `dvrctl status` must report both daemons running and connected.  Slow (it
# installs everything and builds libopenvswitch): not part of make check;
# tests/build/packages.sh is.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export DEBIAN_FRONTEND=noninteractive

step() { printf '== %s (%d s)\n' "$*" "$SECONDS"; }

if [ "${1:-}" != --inside ]; then
    step "tools/install-deps"
    tools/install-deps >/tmp/fresh-deps.log 2>&1 \
        || { tail -n 20 /tmp/fresh-deps.log; exit 1; }
    step "dpkg-buildpackage -us -uc -b"
    rm -rf /tmp/pkg && mkdir -p /tmp/pkg/src
    git ls-files -z | xargs -0 tar -cf - --no-recursion \
        | tar -xf - -C /tmp/pkg/src
    (cd /tmp/pkg/src && DEB_BUILD_OPTIONS=nocheck \
         dpkg-buildpackage -us -uc -b >/tmp/pkg/build.log 2>&1) \
        || { tail -n 30 /tmp/pkg/build.log; exit 1; }
    ls /tmp/pkg/*.deb
    step "apt-get install the packages"
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -q $(ls /tmp/pkg/*.deb | grep -v dbgsym) \
        >/tmp/pkg/install.log 2>&1 \
        || { tail -n 30 /tmp/pkg/install.log; exit 1; }
    rm -f /usr/sbin/policy-rc.d
    dpkg-query -W dvrflow-controller dvrflow-api dvrflow-nb dvrflow-tools \
        python3-networking-dvrflow
    step "systemd-analyze verify"
    for u in dvr-controller dvr-api dvrflow-nb; do
        systemd-analyze verify --man=no /lib/systemd/system/$u.service
        echo "$u.service: verified"
    done
    /usr/bin/python3 -c 'import networking_dvrflow.mech_driver' \
        && echo "networking_dvrflow imports"
    step "services from their units"
    exec unshare --mount --net --propagation private "$0" --inside
fi

# Inside: a private /run (tmpfs) and network namespace.
mount -t tmpfs tmpfs /run
ip link set lo up
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# Open vSwitch as openvswitch-switch runs it, on the dummy datapath.
mkdir -p /run/openvswitch
rm -f /etc/openvswitch/conf.db
ovsdb-tool create /etc/openvswitch/conf.db \
    /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server --detach --no-chdir --pidfile --log-file \
    --remote=punix:/run/openvswitch/db.sock /etc/openvswitch/conf.db
ovs-vsctl --no-wait init
ovs-vswitchd --detach --no-chdir --pidfile --log-file --enable-dummy \
    --disable-system --disable-system-route
ovs-vsctl set open . external_ids:system-id=fresh \
    external_ids:dvr-nb-remote=unix:/run/dvrflow/dvrflow-nb.sock \
    external_ids:dvr-encap-ip=127.0.0.1 external_ids:dvr-datapath-type=dummy
# An operator's change to the default config: dvr-api on a port of ours.
sed -i 's|^DVR_API_OPTS="\(.*\)"|DVR_API_OPTS="\1 --listen=127.0.0.1:7510"|' \
    /etc/dvrflow/dvr-api

# run_unit UNIT: what systemd does for it: RuntimeDirectory=,
# StateDirectory=, LogsDirectory=, EnvironmentFile=, ExecStartPre=, then
# ExecStart= in the background.
run_unit() {
    local u=$1 f=/lib/systemd/system/$1.service d
    for d in $(sed -n 's/^RuntimeDirectory=//p' "$f"); do
        mkdir -p "/run/$d"; done
    for d in $(sed -n 's/^StateDirectory=//p' "$f"); do
        mkdir -p "/var/lib/$d"; done
    for d in $(sed -n 's/^LogsDirectory=//p' "$f"); do
        mkdir -p "/var/log/$d"; done
    (
        set -a
        env=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$f")
        [ -z "$env" ] || . "$env"
        set +a
        pre=$(sed -n 's/^ExecStartPre=//p' "$f")
        [ -z "$pre" ] || eval "$pre"
        eval "set -- $(sed -n 's/^ExecStart=//p' "$f")"
        echo "$u.service: $*"
        exec "$@" </dev/null >>"/tmp/pkg/$u.out" 2>&1
    ) &
    pids+=($!)
}
run_unit dvrflow-nb
sleep 1
run_unit dvr-api
run_unit dvr-controller
for i in $(seq 100); do
    out=$(dvrctl status 2>&1) \
        && grep -q 'NB database: .*(connected)' <<<"$out" \
        && grep -q '^  nb: connected' <<<"$out" && break
    sleep 0.1
done
dvrctl status
echo "dvrctl status: exit $?"
ovs-appctl -t dvr-controller version
curl -s -o /dev/null -w 'GET /v2.0/networks without a token: %{http_code}\n' \
    http://127.0.0.1:7510/v2.0/networks
ls -l /var/log/dvrflow
ovs-appctl -t ovs-vswitchd exit || true
ovs-appctl -t ovsdb-server exit || true

#!/usr/bin/env bash
# Build test: the Debian packages (debian/).  Builds them from a copy of
# the tree with dpkg-buildpackage -us -uc -b, checks what each ships (units,
# default config under /etc/dvrflow, logrotate, man pages), checks the units
# with systemd-analyze verify (and that the check fails on a broken unit),
# then starts dvrflow-nb, dvr-api and dvr-controller from the packaged files
# by their units' ExecStartPre/ExecStart lines, as systemd would (each in
# the foreground, $VARS from the unit's EnvironmentFile), with the paths of
# the unit (/run/dvrflow, /var/lib/dvrflow, /var/log/dvrflow, /etc/dvrflow,
# /usr/sbin) mapped into a private directory and the controller's switch a
# private ovs-vswitchd on the dummy datapath; the packaged dvrctl status
# must report both daemons running and connected to the NB, and report a
# stopped one as not running.
#
# Nothing is installed on this machine (the packages are unpacked with
# dpkg-deb -x).  DVR_PACKAGE_DEBS=DIR checks the .debs in DIR instead of
# building them.  It takes about two minutes (the build) and so runs only
# with DVR_PACKAGE_TEST=yes; tools/check sets it with --packages.
set -euo pipefail

if [ "${DVR_PACKAGE_TEST:-}" != yes ]; then
    echo "SKIP: set DVR_PACKAGE_TEST=yes to build and start the packages"
    exit 77
fi
for c in dpkg-buildpackage dh systemd-analyze; do
    command -v "$c" >/dev/null \
        || { echo "SKIP: no $c (tools/install-deps installs it)"; exit 77; }
done

. "$abs_top_srcdir/tests/lib/ovs.sh"
ovs_test_init
T=$OVS_TEST_DIR

# The tree: what git tracks or would (uncommitted work included), else all
# of it but the build directories (a dist tree).
mkdir -p "$T/src"
if git -C "$abs_top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$abs_top_srcdir" && git ls-files -co --exclude-standard -z \
         | xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$T/src"
else
    tar -C "$abs_top_srcdir" --exclude=./_build --exclude=./debian/build \
        --exclude=./debian/tmp -cf - . | tar -xf - -C "$T/src"
fi

if [ -n "${DVR_PACKAGE_DEBS:-}" ]; then
    # Packages built before (by this test), to check them again quickly.
    cp "$DVR_PACKAGE_DEBS"/*.deb "$T/"
else
    echo "building the packages (log: $T/build.log)"
    start=$(date +%s)
    (cd "$T/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
         nice -n 10 dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1) \
        || { tail -n 40 "$T/build.log"; ovs_fail "dpkg-buildpackage failed"; }
    echo "built in $(( $(date +%s) - start )) s"
fi

mkdir -p "$T/root"
for p in dvrflow-controller dvrflow-api dvrflow-nb dvrflow-tools \
         python3-networking-dvrflow; do
    deb=$(ls "$T"/${p}_*.deb 2>/dev/null | head -n1)
    [ -n "$deb" ] || ovs_fail "no package $p"
    dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' \
        > "$T/$p.files"
    dpkg-deb -x "$deb" "$T/root"
done

# has PACKAGE FILE...: PACKAGE ships every FILE.
has() {
    local p=$1 f
    shift
    for f in "$@"; do
        grep -qx "$f" "$T/$p.files" || ovs_fail "$p does not ship $f"
    done
}
has dvrflow-controller /usr/sbin/dvr-controller \
    /lib/systemd/system/dvr-controller.service \
    /etc/dvrflow/dvr-controller.conf /etc/logrotate.d/dvrflow-controller \
    /usr/share/man/man8/dvr-controller.8.gz /usr/share/man/man7/dvrflow.7.gz
has dvrflow-api /usr/sbin/dvr-api /lib/systemd/system/dvr-api.service \
    /etc/dvrflow/dvr-api /etc/dvrflow/keystone.conf \
    /etc/logrotate.d/dvrflow-api /usr/share/man/man8/dvr-api.8.gz
has dvrflow-nb /lib/systemd/system/dvrflow-nb.service \
    /usr/share/dvrflow/dvrflow-nb.ovsschema /etc/dvrflow/dvrflow-nb \
    /usr/lib/dvrflow/nb-db-prepare /usr/lib/dvrflow/nb-db-upgrade \
    /etc/logrotate.d/dvrflow-nb
has dvrflow-tools /usr/bin/dvrctl /usr/share/man/man8/dvrctl.8.gz
has python3-networking-dvrflow /usr/bin/dvrflow-db-sync \
    /usr/lib/python3/dist-packages/networking_dvrflow/mech_driver.py \
    /usr/share/man/man8/dvrflow-db-sync.8.gz
# No package ships a run directory: systemd makes it.
if grep -h '^/var/run\|^/run' "$T"/*.files; then
    ovs_fail "a package ships a run directory"
fi
# The Neutron driver's entry points.
py=$T/root/usr/lib/python3/dist-packages
grep -q '^dvrflow = networking_dvrflow.mech_driver' \
    "$py"/networking_dvrflow-*.egg-info/entry_points.txt \
    || ovs_fail "no ML2 entry point 'dvrflow'"
[ "$(stat -c %a "$T/root/etc/dvrflow/keystone.conf")" = 640 ] \
    || ovs_fail "keystone.conf (a password) is not 0640"

# The units and programs they name that are not dvrflow's (systemd's
# targets, Open vSwitch's units and ovsdb-server): this machine's, which
# has the packages' dependencies.  Man pages: checked above.
units=$T/root/lib/systemd/system
cp -an /lib/systemd/system/. "$units/"
[ -f "$units/openvswitch-switch.service" ] \
    || ovs_fail "no openvswitch-switch.service here"
mkdir -p "$T/root/usr/sbin" "$T/root/usr/bin"
cp /usr/sbin/ovsdb-server "$T/root/usr/sbin/"
cp /usr/bin/ovsdb-tool "$T/root/usr/bin/"
for u in dvr-controller dvr-api dvrflow-nb; do
    out=$(systemd-analyze verify --man=no --root="$T/root" \
              "$units/$u.service" 2>&1) \
        || ovs_fail "systemd-analyze verify $u.service: $out"
    [ -z "$out" ] || ovs_fail "systemd-analyze verify $u.service: $out"
done
# The same check refuses a unit whose program is not there.
sed 's|^ExecStart=/usr/sbin/dvr-api|ExecStart=/usr/sbin/dvr-api-missing|' \
    "$units/dvr-api.service" > "$units/dvr-api-broken.service"
if systemd-analyze verify --man=no --root="$T/root" \
       "$units/dvr-api-broken.service" >/dev/null 2>&1; then
    ovs_fail "systemd-analyze verify passes a unit without its program"
fi
rm "$units/dvr-api-broken.service"
ctl=$units/dvr-controller.service
grep -qx 'Requires=openvswitch-switch.service' "$ctl" \
    && grep -q '^After=.*openvswitch-switch.service' "$ctl" \
    && grep -qx 'Restart=on-failure' "$ctl" \
    || ovs_fail "dvr-controller.service: not after openvswitch-switch" \
                "or not restarted on failure"
echo "packages and units checked"

# The services, from their units.  map: the unit's paths in $T.
mkdir -p "$T/run/dvrflow" "$T/lib" "$T/svc/log"
map() {
    sed -e "s|/usr/sbin/dvr-|$T/root/usr/sbin/dvr-|g" \
        -e "s|/run/dvrflow|$T/run/dvrflow|g" \
        -e "s|/var/lib/dvrflow|$T/lib|g" \
        -e "s|/var/log/dvrflow|$T/svc/log|g" \
        -e "s|/etc/dvrflow|$T/root/etc/dvrflow|g" \
        -e "s|/usr/share/dvrflow|$T/root/usr/share/dvrflow|g" \
        -e "s|/usr/lib/dvrflow|$T/root/usr/lib/dvrflow|g"
}
# unit_line UNIT KEY: the unit's KEY= value, mapped.
unit_line() {
    sed -n "s/^$2=//p" "$units/$1.service" | map
}
# run_unit UNIT [EXTRA_OPTS_VAR=VALUE]: ExecStartPre and then ExecStart of
# UNIT, with its EnvironmentFile's variables (mapped, plus the extra one),
# the latter in the background as systemd's main process.
run_unit() {
    local u=$1 extra=${2:-} envfile pre cmd
    envfile=$(unit_line "$u" EnvironmentFile | sed 's/^-//')
    pre=$(unit_line "$u" ExecStartPre)
    cmd=$(unit_line "$u" ExecStart)
    (
        set -a
        [ -z "$envfile" ] || . <(map <"$envfile")
        [ -z "$extra" ] || eval "$extra"
        set +a
        if [ -n "$pre" ]; then
            eval "$pre" || exit 1
        fi
        eval "set -- $cmd"
        exec ${RUN_WRAP:-} setsid "$@" </dev/null >>"$T/svc/log/$u.out" 2>&1
    ) &
}

run_unit dvrflow-nb
_ovs_track_pidfile "$T/run/dvrflow/dvrflow-nb.pid"
_ovs_wait_file "$T/run/dvrflow/dvrflow-nb.sock"

# dvr-api, with the packaged options and a port of its own; its run
# directory is the unit's RuntimeDirectory (/run/dvrflow, its built-in
# default), here $T/run/dvrflow.
port=$(/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
export OVS_RUNDIR=$T/run/dvrflow
run_unit dvr-api "DVR_API_OPTS=\"\$DVR_API_OPTS --listen=127.0.0.1:$port\""
_ovs_track_pidfile "$T/run/dvrflow/dvr-api.pid"
_ovs_wait_file "$T/run/dvrflow/dvr-api.pid"
unset OVS_RUNDIR

# The switch dvr-controller serves (openvswitch-switch), then the
# controller with the switch's run directory, as /var/run/openvswitch.
ovs_start_switch hv
ovs-vsctl set open . external_ids:system-id=hv \
    external_ids:dvr-nb-remote="unix:$T/run/dvrflow/dvrflow-nb.sock" \
    external_ids:dvr-encap-ip=127.0.0.1 external_ids:dvr-datapath-type=dummy
# In a network namespace of its own (only its loopback): its metadata
# port's address goes to the kernel's interface of that name.
RUN_WRAP="unshare --net" run_unit dvr-controller
_ovs_track_pidfile "$OVS_RUNDIR/dvr-controller.pid"
_ovs_wait_file "$OVS_RUNDIR/dvr-controller.pid"

dvrctl=$T/root/usr/bin/dvrctl
status=
for i in $(seq 100); do
    if status=$("$dvrctl" status --rundir "$T/run/dvrflow" \
                    --ovs-rundir "$OVS_RUNDIR" 2>&1) \
       && grep -q '^  NB database: .*(connected)' <<<"$status" \
       && grep -q '^  nb: connected' <<<"$status"; then
        break
    fi
    status=
    sleep 0.1
done
[ -n "$status" ] || {
    "$dvrctl" status --rundir "$T/run/dvrflow" --ovs-rundir "$OVS_RUNDIR" \
        || true
    ovs_fail "dvrctl status does not report both daemons connected"
}
echo "$status" | grep -E '^dvr-|^  (chassis|NB database|nb):'
grep -q '^dvr-controller: running' <<<"$status" \
    && grep -q '^dvr-api: running' <<<"$status" \
    || ovs_fail "dvrctl status: $status"

# dvr-api answers on its port (Keystone, from the packaged options: no
# token, 401).
code=$(curl -s -o /dev/null -w '%{http_code}' \
            "http://127.0.0.1:$port/v2.0/networks")
[ "$code" = 401 ] || ovs_fail "dvr-api: GET /v2.0/networks gave $code, not 401"

# logrotate's postrotate commands reach the daemons.
ovs-appctl -t dvr-controller vlog/reopen \
    || ovs_fail "vlog/reopen of dvr-controller failed"
OVS_RUNDIR=$T/run/dvrflow ovs-appctl -t dvr-api vlog/reopen \
    || ovs_fail "vlog/reopen of dvr-api failed"
[ -s "$T/svc/log/dvr-controller.log" ] && [ -s "$T/svc/log/dvr-api.log" ] \
    && [ -s "$T/svc/log/dvrflow-nb.log" ] || ovs_fail "a daemon's log is empty"

# A stopped daemon is reported as such.
_ovs_kill "$(cat "$T/run/dvrflow/dvr-api.pid")"
if out=$("$dvrctl" status --rundir "$T/run/dvrflow" \
             --ovs-rundir "$OVS_RUNDIR" 2>&1); then
    ovs_fail "dvrctl status exits 0 with dvr-api stopped: $out"
fi
grep -q '^dvr-api: not running' <<<"$out" \
    || ovs_fail "dvrctl status with dvr-api stopped: $out"
echo "PASS: packages built, units verified, services started from them"

#!/usr/bin/env bash
# Build test: configure stops with one clear line naming what is missing.
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dvrconf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
configure=$abs_top_srcdir/configure

# expect_error NAME PATTERN CONFIGURE_ARGS...: configure must fail and its
# last "error:" line must match PATTERN.
expect_error() {
    local name=$1 pattern=$2; shift 2
    mkdir -p "$tmp/$name"
    if (cd "$tmp/$name" && "$configure" "$@" >out 2>err); then
        echo "FAIL: $name: configure succeeded" >&2; exit 1
    fi
    local line
    line=$(grep 'error:' "$tmp/$name/err" | tail -n 1)
    if ! printf '%s\n' "$line" | grep -q -- "$pattern"; then
        echo "FAIL: $name: unexpected error: $line" >&2; exit 1
    fi
    echo "$name: $line"
}

expect_error ovs-source "no Open vSwitch source tree in '$tmp/empty'" \
    --with-ovs-source="$tmp/empty" --with-ovs-build="$OVS_BUILDDIR"
expect_error ovs-build "no built libopenvswitch in '$tmp/empty'" \
    --with-ovs-build="$tmp/empty" --with-ovs-source="$OVS_SRCDIR"

# A pkg-config search path that lacks jansson stands for a machine
# without libjansson-dev.
mkdir -p "$tmp/pc"
for pc in libevent libevent_openssl criterion libcrypto; do
    f=$(pkg-config --variable=pcfiledir "$pc")/$pc.pc
    cp "$f" "$tmp/pc/"
done
for dep in $(sed -n 's/^Requires.*: *//p' "$tmp"/pc/*.pc | tr ', ' '\n\n'); do
    case $dep in [a-z]*) f=$(pkg-config --variable=pcfiledir "$dep" \
        2>/dev/null)/$dep.pc; [ -f "$f" ] && cp "$f" "$tmp/pc/" ;; esac
done
PKG_CONFIG_LIBDIR=$tmp/pc PKG_CONFIG_PATH= \
    expect_error jansson "jansson not found: apt-get install libjansson-dev" \
    --with-ovs-source="$OVS_SRCDIR" --with-ovs-build="$OVS_BUILDDIR"

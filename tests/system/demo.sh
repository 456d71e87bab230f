#!/usr/bin/env bash
# System test: the README's demo command runs to its end (on this build,
# with a prefix of its own) and shows what it promises.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
out=$SB_TMP/demo.out
if ! DVR_BUILDDIR=$abs_top_builddir DVR_DEMO_PREFIX=$SB_PREFIX \
        "$abs_top_srcdir/tools/demo" >"$out" 2>&1; then
    cat "$out" >&2
    sb_fail "tools/demo failed"
fi
for want in "3 received, 0% packet loss" "succeeded" \
            " 1  192.168.10.1 " "nw_dst=192.168.20.0/24" \
            "nat(src=203.0.113" "nat(dst=192.168.10" \
            "br-int: [0-9]* flows" "Stop it with: tools/demo --down" \
            "from 2001:db8:20:0:.* ttl=63" "ipv6_dst=2001:db8:20::/64"; do
    grep -q -- "$want" "$out" || { cat "$out" >&2; sb_fail "demo: no '$want'"; }
done
DVR_DEMO_PREFIX=$SB_PREFIX "$abs_top_srcdir/tools/demo" --down >/dev/null
sb_assert_gone "$SB_PREFIX"
echo "demo: ok"

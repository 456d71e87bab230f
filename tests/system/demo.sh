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
            "refused, as it must be" "lladdr fa:16:3e:0a:00:02" \
            "table=\"tun_out\"" "^port .* mac=fa:16:3e:0a:00:01" \
            "br-int: [0-9]* flows" "Stop it with: tools/demo --down"; do
    grep -q -- "$want" "$out" || { cat "$out" >&2; sb_fail "demo: no '$want'"; }
done
DVR_DEMO_PREFIX=$SB_PREFIX "$abs_top_srcdir/tools/demo" --down >/dev/null
sb_assert_gone "$SB_PREFIX"
echo "demo: ok"

#!/usr/bin/env bash
# Build test: "make install" makes dvrflow's run and log directories, and
# the installed dvr-api's default control socket is in that run directory
# (before, it was in the OVS build's, which nothing made: dvr-api run from
# an installation exited with "could not initialize control socket" unless
# given --unixctl).
set -euo pipefail
: "${abs_top_builddir:?}"
dest=$(mktemp -d "${TMPDIR:-/tmp}/dvrinst.XXXXXX")
trap 'rm -rf "$dest"' EXIT

make -s -C "$abs_top_builddir" install DESTDIR="$dest" >"$dest.log" 2>&1 \
    || { cat "$dest.log"; rm -f "$dest.log"; exit 1; }
rm -f "$dest.log"
# The configured directories, as make expands them.
# (Without the parent's MAKEFLAGS: under "make -j check" the inner make
# would warn about the jobserver among its output.)
eval "$(env -u MAKEFLAGS -u MFLAGS make -s -C "$abs_top_builddir" \
            --no-print-directory -f - print-dirs <<'MK' | grep '^localstatedir='
include Makefile
print-dirs:
	@echo "localstatedir='$(localstatedir)' sbindir='$(sbindir)'"
MK
)"
for d in "$localstatedir/run/dvrflow" "$localstatedir/log/dvrflow"; do
    [ -d "$dest$d" ] || { echo "FAIL: make install did not make $d"; exit 1; }
done
help=$(env -u OVS_RUNDIR "$dest$sbindir/dvr-api" --help)
grep -qF "$localstatedir/run/dvrflow" <<<"$help" || {
    echo "FAIL: dvr-api's default control socket is not in" \
         "$localstatedir/run/dvrflow:"
    echo "$help" | grep -i socket
    exit 1
}
echo "PASS: $localstatedir/run/dvrflow and log/dvrflow made; dvr-api uses it"

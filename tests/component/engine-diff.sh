#!/usr/bin/env bash
# Component test: incremental must equal full.  tests/component/
# test-engine-diff makes random NB changes against a private NB
# ovsdb-server and checks after every step that controller/engine's
# incremental flows equal a fresh full compile (see the program's header).
#
# Then the same as a compute node that monitors the NB conditionally
# (--conditional): rows arrive and leave in condition rounds, and the
# engine compiles them incrementally (dvr-controller does not recompile in
# full after a round).  Then as a gateway chassis that monitors
# conditionally (--conditional --gateway).
#
# ENGINE_DIFF_STEPS (3000; 1000 under the sanitizer) and ENGINE_DIFF_SEED
# (from the clock, printed) choose the run; a failure prints the seed and
# step that reproduce it.  ENGINE_DIFF_DUMP=FILE writes the incremental
# engine's flows to FILE (test-engine-diff --dump), to compare two builds.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
ovs_test_init
ovs_start_nb nb
# The sanitizer build (tools/check sets ASAN_OPTIONS) runs ~8x slower.
steps=3000
[ -n "${ASAN_OPTIONS:-}" ] && steps=1000
args=(--steps "${ENGINE_DIFF_STEPS:-$steps}")
[ -n "${ENGINE_DIFF_SEED:-}" ] && args+=(--seed "$ENGINE_DIFF_SEED")
[ -n "${ENGINE_DIFF_DUMP:-}" ] && args+=(--dump "$ENGINE_DIFF_DUMP")
[ -n "${ENGINE_DIFF_VERBOSE:-}" ] && args+=(--verbose)
# In the sanitizer build, memory the engine loses counts too (the program
# frees everything it holds before it exits).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    "$abs_top_builddir/tests/component/test-engine-diff" "$NB_REMOTE" \
    "${args[@]}" || ovs_fail "incremental and full compiles differ"
# A second, empty database (the cleanup trap stops both servers).
ovs_start_nb nbc
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    "$abs_top_builddir/tests/component/test-engine-diff" "$NB_REMOTE" \
    "${args[@]}" --conditional \
    || ovs_fail "incremental and full compiles differ (conditional)"
# A gateway chassis that monitors conditionally (--gateway): every router
# with a gateway is active there, and its networks come in rounds.
ovs_start_nb nbg
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    "$abs_top_builddir/tests/component/test-engine-diff" "$NB_REMOTE" \
    "${args[@]}" --conditional --gateway \
    || ovs_fail "incremental and full compiles differ (conditional gateway)"
echo "engine-diff: ok"

#!/usr/bin/env bash
# Component test: thousands of malformed or mutated requests to dvr-api
# (tests/component/api/fuzz.py): every answer is a 4xx with a NeutronError
# body, never a 5xx; dvr-api does not crash; and the NB database is the
# same afterwards as before (compared as 'ovsdb-client dump' output).
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
ovs_test_init
api_start
FUZZ="python3 $abs_top_srcdir/tests/component/api/fuzz.py"

$FUZZ "$API_URL" SETUP || ovs_fail "setting up the topology"
before=$(nb_dump)
$FUZZ "$API_URL" FUZZ 1 || ovs_fail "fuzzing"
after=$(nb_dump)
if [ "$before" != "$after" ]; then
    diff <(echo "$before" | tr ',' '\n') <(echo "$after" | tr ',' '\n') \
        | head -40 >&2
    ovs_fail "the NB database changed"
fi
kill -0 "$(cat "$API_DIR/dvr-api.pid")" || ovs_fail "dvr-api died"
status=$(ovs-appctl -t "$API_DIR/dvr-api.ctl" dvr-api/status)
echo "$status"
echo "$status" | grep -q '^errors 5xx: 0$' || ovs_fail "dvr-api answered 5xx"
echo "api-robustness: ok"

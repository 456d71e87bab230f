# Runs a test script with the shell given first and ends its log with the
# script's wall time, which tools/check sums up (the slowest tests of each
# build).  Used as the test harness's SH_LOG_COMPILER.
shell=$1
shift
start=$(date +%s)
"$shell" "$@"
rc=$?
echo "test-time: $(($(date +%s) - start)) s"
exit $rc

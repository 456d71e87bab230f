# tests/system/: hypervisors and VMs as namespaces (tools/sandbox).
#
# tools/sandbox and its documentation, the system-test helper library and
# the dummy-datapath frame helpers (with their component test) are
# registered here too, as they belong to the sandbox.
EXTRA_DIST += \
	tools/sandbox \
	doc/sandbox.md \
	tests/system/lib.sh \
	tests/lib/dummy.sh

# Component test of tests/lib/dummy.sh (no namespaces).
TESTS += tests/component/dummy-frames.sh
EXTRA_DIST += tests/component/dummy-frames.sh

# System tests: each brings up its own sandbox with a unique prefix.
SANDBOX_TESTS = \
	tests/system/sandbox-underlay.sh \
	tests/system/sandbox-errors.sh \
	tests/system/sandbox-vms.sh \
	tests/system/sandbox-two.sh \
	tests/system/sandbox-dummy.sh \
	tests/system/sandbox-perf.sh \
	tests/system/dhcp.sh \
	tests/system/ipv6.sh \
	tests/system/ipv6-routing.sh \
	tests/system/ipv6-gateway.sh \
	tests/system/dhcpv6.sh \
	tests/system/metadata.sh \
	tests/system/dhcp-flood.sh \
	tests/system/nb-cluster.sh \
	tests/system/trace.sh \
	tests/system/verify.sh
TESTS += $(SANDBOX_TESTS)
EXTRA_DIST += $(SANDBOX_TESTS) tests/system/nb-cluster-load.py

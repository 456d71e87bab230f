# tests/attack/: the attack suite.  Each test plays a hostile tenant (raw
# frames from a VM, requests to dvr-api, NB rows) or a hostile external
# host, in a sandbox or on a dummy datapath of its own, and checks that the
# attack fails and that every controller still runs and still applies new
# changes.  doc/security.md is the threat model these tests enforce.

# Controllers that never abort on NB values, bounded resources.
ATTACK_ROBUSTNESS_TESTS = \
	tests/attack/mtu.sh \
	tests/attack/refused-flow.sh \
	tests/attack/big-flows.sh \
	tests/attack/quota.sh \
	tests/attack/zones.sh \
	tests/attack/sg-ids.sh \
	tests/attack/neighbor-expiry.sh
EXTRA_DIST += tests/attack/alive.sh

# First-hop security and isolation in the data path.
ATTACK_DATAPATH_TESTS = \
	tests/attack/vlan-hopping.sh \
	tests/attack/ipv6-first-hop.sh \
	tests/attack/admin-state.sh \
	tests/attack/gateway-takeover.sh \
	tests/attack/physical-gateway.sh \
	tests/attack/remote-group.sh \
	tests/attack/packet-in-fairness.sh
# Their helpers: hostile frames, the topology, the external host.
EXTRA_DIST += tests/attack/lib.sh tests/attack/frames.py

# Who is calling: Keystone, project scope, policy, metadata, TLS.
ATTACK_API_TESTS = \
	tests/attack/metadata-theft.sh \
	tests/attack/metadata-exhaustion.sh \
	tests/attack/metadata-invalid.sh \
	tests/attack/api-auth.sh \
	tests/attack/tls.sh

ATTACK_TESTS = $(ATTACK_ROBUSTNESS_TESTS) $(ATTACK_DATAPATH_TESTS) \
	$(ATTACK_API_TESTS)
TESTS += $(ATTACK_TESTS)
EXTRA_DIST += $(ATTACK_TESTS) tests/attack/automake.mk

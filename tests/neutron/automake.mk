# tests/neutron/: the Neutron tier.  Real MariaDB, Keystone and
# neutron-server (and Nova with its fake virt driver) started by the tests
# themselves, with the networking-dvrflow driver, against the sandbox's
# nodes.  tools/check runs this tier once, in the default build only
# (DVR_NEUTRON_TIER=yes); elsewhere the tests skip (exit 77).

# The driver: Neutron objects to NB rows, binding, provisioning, sync;
# QoS, port forwarding and trunks (features.sh).
NEUTRON_DRIVER_TESTS = \
	tests/neutron/driver-unit.sh \
	tests/neutron/nb-parity.sh \
	tests/neutron/features.sh \
	tests/neutron/neutron-system.sh

# Nova's side: the users' workflow with server create, vif-plugged.
NEUTRON_NOVA_TESTS = tests/neutron/workflow.sh

NEUTRON_TESTS = $(NEUTRON_NOVA_TESTS) $(NEUTRON_DRIVER_TESTS)
TESTS += $(NEUTRON_TESTS)
EXTRA_DIST += $(NEUTRON_TESTS) tests/neutron/automake.mk \
	tests/neutron/nb-compare.py tests/lib/neutron.sh \
	networking-dvrflow/setup.py networking-dvrflow/setup.cfg \
	networking-dvrflow/networking_dvrflow/__init__.py \
	networking-dvrflow/networking_dvrflow/agents.py \
	networking-dvrflow/networking_dvrflow/client.py \
	networking-dvrflow/networking_dvrflow/config.py \
	networking-dvrflow/networking_dvrflow/l3.py \
	networking-dvrflow/networking_dvrflow/mapping.py \
	networking-dvrflow/networking_dvrflow/mech_driver.py \
	networking-dvrflow/networking_dvrflow/nb.py \
	networking-dvrflow/networking_dvrflow/port_forwarding.py \
	networking-dvrflow/networking_dvrflow/qos.py \
	networking-dvrflow/networking_dvrflow/trunk.py \
	networking-dvrflow/networking_dvrflow/cmd/__init__.py \
	networking-dvrflow/networking_dvrflow/cmd/db_sync.py \
	networking-dvrflow/networking_dvrflow/tests/__init__.py \
	networking-dvrflow/networking_dvrflow/tests/test_mapping.py
EXTRA_DIST += tests/lib/nova.sh

# tests/neutron/: the Neutron tier.  Real MariaDB, Keystone and
# neutron-server (and Nova with its fake virt driver) started by the tests
# themselves, with the networking-dvrflow driver, against the sandbox's
# nodes.  tools/check runs this tier once, in the default build only
# (DVR_NEUTRON_TIER=yes); elsewhere the tests skip (exit 77).

# The driver: Neutron objects to NB rows, binding, provisioning, sync.
NEUTRON_DRIVER_TESTS =

# Nova's side: the users' workflow with server create, vif-plugged.
NEUTRON_NOVA_TESTS = tests/neutron/workflow.sh

NEUTRON_TESTS = $(NEUTRON_DRIVER_TESTS) $(NEUTRON_NOVA_TESTS)
TESTS += $(NEUTRON_TESTS)
EXTRA_DIST += $(NEUTRON_TESTS) tests/neutron/automake.mk
EXTRA_DIST += tests/lib/nova.sh

#!/usr/bin/env bash
# Component test: the generated NB and Open_vSwitch IDLs against a private
# NB ovsdb-server and a switch on the dummy datapath.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_switch hv1
ovs-vsctl add-br br-test -- set bridge br-test datapath_type=dummy \
    || ovs_fail "cannot add a bridge"
"$abs_top_builddir/tests/component/test-nb-idl" "$NB_REMOTE" \
    "$OVS_DB_REMOTE" || ovs_fail "IDL round trip"
echo "nb-idl: ok"

#!/usr/bin/env bash
# Neutron tier: the driver's pure mapping (Neutron dicts to the NB rows
# dvr-api writes), unit-tested with Debian's python3, and PEP 8 of the
# driver and of the tier's Python (pycodestyle).
set -eu
[ "${DVR_NEUTRON_TIER:-}" = yes ] \
    || { echo "the Neutron tier runs with DVR_NEUTRON_TIER=yes"; exit 77; }
cd "$abs_top_srcdir/networking-dvrflow"
/usr/bin/python3 -B -m unittest -v networking_dvrflow.tests.test_mapping
/usr/bin/python3 -m pycodestyle "$abs_top_srcdir/networking-dvrflow" \
    "$abs_top_srcdir/tests/neutron/nb-compare.py"
echo "pycodestyle: clean"

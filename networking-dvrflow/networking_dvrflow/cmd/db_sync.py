# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""dvrflow-db-sync: compares Neutron's database with dvrflow's NB
database, and in repair mode rebuilds what is missing, extra or
different (e.g. an NB database that was lost).

    dvrflow-db-sync --config-file /etc/neutron/neutron.conf \\
        --config-file /etc/neutron/plugins/ml2/ml2_conf.ini --mode repair

Exit status: 0 in sync (or repaired), 1 drift found in log mode, 2 error.
"""

import sys

from oslo_config import cfg

MODES = ('log', 'repair')


def main(argv=None):
    from neutron.common import config as common_config
    from neutron import manager
    from neutron_lib import context as n_context
    from neutron_lib.plugins import directory

    from networking_dvrflow import config
    from networking_dvrflow import mech_driver

    cfg.CONF.register_cli_opt(cfg.StrOpt(
        'mode', default='log', choices=MODES,
        help='log: report drift; repair: also fix it.'))
    config.register_opts()
    argv = sys.argv[1:] if argv is None else argv
    common_config.register_common_config_options()
    common_config.init(argv)
    common_config.setup_logging()
    manager.init()
    driver = mech_driver.get_driver()
    if driver is None:
        sys.stderr.write('dvrflow-db-sync: the dvrflow mechanism driver is '
                         'not configured ([ml2] mechanism_drivers)\n')
        return 2
    if directory.get_plugin('L3_ROUTER_NAT') is None:
        sys.stderr.write('dvrflow-db-sync: warning: no L3 plugin, routers '
                         'and floating IPs are not compared\n')
    drift = driver.sync_once(cfg.CONF.mode)
    if drift is None:
        return 2
    for kind, table, uuid, detail in drift:
        print('%s %s %s%s' % (kind, table, uuid,
                              ' ' + detail if detail else ''))
    print('%d rows of drift%s' % (len(drift),
                                  ', repaired' if drift and
                                  cfg.CONF.mode == 'repair' else ''))
    return 1 if drift and cfg.CONF.mode == 'log' else 0


if __name__ == '__main__':
    sys.exit(main())

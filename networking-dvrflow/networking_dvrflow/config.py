# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The [dvrflow] section of neutron.conf / ml2_conf.ini."""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('nb_connection',
               default='unix:/var/run/dvrflow/nb.sock',
               help='The dvrflow NB database: an OVSDB remote, or a '
                    'comma-separated list of the members of a Raft '
                    'cluster (tcp:IP:PORT, ssl:IP:PORT, unix:PATH).'),
    cfg.IntOpt('ovsdb_timeout', default=60,
               help='Seconds an NB transaction may take.'),
    cfg.IntOpt('sync_interval', default=300,
               help='Seconds between two repairs of NB drift (rows '
                    'missing, extra or different from Neutron\'s '
                    'database); 0 repairs only at start.'),
    cfg.StrOpt('sync_mode', default='repair',
               choices=['off', 'log', 'repair'],
               help='What the periodic sync does with drift: nothing, '
                    'log it, or repair it.'),
    cfg.IntOpt('agent_down_time', default=0,
               help='Seconds without a heartbeat after which a dvrflow '
                    'chassis is shown dead; 0: Neutron\'s '
                    'agent_down_time.'),
]

GROUP = 'dvrflow'


def register_opts(conf=cfg.CONF):
    conf.register_opts(OPTS, group=GROUP)


def get(name):
    return getattr(cfg.CONF.dvrflow, name)

# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""dvrflow chassis as Neutron agents, as ML2/OVN shows ovn-controller.

"openstack network agent list" shows one "dvrflow controller" agent per
NB Chassis row, on its hostname.  Its heartbeat is the controller's
acknowledgement of NB_Global.nb_cfg (Chassis_Private.nb_cfg and
nb_cfg_timestamp): listing agents bumps NB_Global.nb_cfg when the last
bump is older than half the agent down time, and an agent is alive when
it acknowledged within the agent down time.
"""

import datetime
import logging
import time
import uuid

from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import directory
from oslo_config import cfg

from networking_dvrflow import config

LOG = logging.getLogger(__name__)

AGENT_TYPE = 'dvrflow controller'
BINARY = 'dvr-controller'
_NAMESPACE = uuid.UUID('5d1c3a58-9d3e-4f1e-8a43-6f2b1c0de5f1')

_last_ping = [0.0]


def agent_id(chassis_name):
    return str(uuid.uuid5(_NAMESPACE, chassis_name))


def down_time():
    return config.get('agent_down_time') or cfg.CONF.agent_down_time


def _heartbeat(ms):
    """A heartbeat as Neutron's own agents have it: a naive UTC datetime
    (Neutron's RPC version manager passes it to timeutils.is_older_than,
    which cannot take None or a string in another format); the epoch for
    a chassis that never acknowledged."""
    return datetime.datetime.utcfromtimestamp(ms / 1000.0).replace(
        microsecond=0)


def chassis_agents(client):
    """The agent dicts of the NB Chassis rows."""
    idl = client.idl
    private = {cp.name: cp
               for cp in idl.tables['Chassis_Private'].rows.values()}
    now_ms = time.time() * 1000
    out = []
    for ch in idl.tables['Chassis'].rows.values():
        cp = private.get(ch.name)
        stamp = cp.nb_cfg_timestamp if cp is not None else 0
        alive = bool(stamp) and now_ms - stamp < down_time() * 1000
        out.append({
            'id': agent_id(ch.name),
            'agent_type': AGENT_TYPE,
            'binary': BINARY,
            'topic': 'n/a',
            'host': ch.hostname or ch.name,
            'admin_state_up': True,
            'alive': alive,
            'availability_zone': None,
            'description': '',
            'heartbeat_timestamp': _heartbeat(stamp or 0),
            'created_at': None,
            'started_at': None,
            'resources_synced': None,
            'configurations': {
                'chassis_name': ch.name,
                'encap_type': ch.encap_type,
                'encap_ip': ch.encap_ip,
                'bridge_mappings': dict(ch.bridge_mappings),
                'gateway_capable': ch.gateway_capable,
                'datapath_type': ch.other_config.get('datapath-type', ''),
            },
        })
    return out


def ping_all_chassis(client):
    """Bumps NB_Global.nb_cfg, at most every half agent down time."""
    now = time.monotonic()
    if now - _last_ping[0] < down_time() / 2.0:
        return
    _last_ping[0] = now

    def fn(idl, txn):
        glob = next(iter(idl.tables['NB_Global'].rows.values()), None)
        if glob is not None:
            # Not increment(): the Python IDL sends an increment only
            # with other writes in the same transaction, so this one
            # would commit nothing and the agents would go dead after a
            # quiet agent down time.  Two bumps at once may both write
            # the same value: one heartbeat, still acknowledged.
            glob.nb_cfg = glob.nb_cfg + 1
    try:
        client.nb.transact(fn)
    except Exception:
        LOG.exception('dvrflow: cannot bump NB_Global.nb_cfg')
        return
    # Give the controllers up to 2 s to acknowledge, so that a listing
    # after a quiet period shows the live ones alive.
    idl = client.idl
    glob = next(iter(idl.tables['NB_Global'].rows.values()), None)
    target = glob.nb_cfg if glob is not None else 0
    for _ in range(20):
        private = list(idl.tables['Chassis_Private'].rows.values())
        if all(cp.nb_cfg >= target for cp in private):
            break
        time.sleep(0.1)


def _matches(agent, filters):
    for key, values in (filters or {}).items():
        if key in agent and values and agent[key] not in values:
            return False
    return True


def _fields(agent, fields):
    return {k: v for k, v in agent.items() if k in fields} if fields \
        else agent


def patch_plugin(driver):
    """Makes the core plugin's agent API list dvrflow's chassis too (in
    each process, once the plugin exists)."""

    def patch(resource, event, trigger, payload=None):
        plugin = directory.get_plugin()
        if plugin is None or getattr(plugin, '_dvrflow_agents', False):
            return
        orig_get_agents = plugin.get_agents
        orig_get_agent = plugin.get_agent
        orig_delete_agent = plugin.delete_agent

        def ours():
            try:
                client = driver.client
                ping_all_chassis(client)
                return chassis_agents(client)
            except Exception:
                LOG.exception('dvrflow: cannot list chassis agents')
                return []

        def get_agents(context, filters=None, fields=None):
            agents = orig_get_agents(context, filters=filters, fields=fields)
            return agents + [_fields(a, fields) for a in ours()
                             if _matches(a, filters)]

        def get_agent(context, id, fields=None):
            for a in ours():
                if a['id'] == id:
                    return _fields(a, fields)
            return orig_get_agent(context, id, fields=fields)

        def delete_agent(context, id):
            for a in ours():
                if a['id'] == id:
                    raise n_exc.BadRequest(
                        resource='agent',
                        msg='a dvrflow chassis is removed by stopping its '
                            'dvr-controller')
            return orig_delete_agent(context, id)

        plugin.get_agents = get_agents
        plugin.get_agent = get_agent
        plugin.delete_agent = delete_agent
        plugin._dvrflow_agents = True

    registry.subscribe(patch, resources.PROCESS, events.AFTER_INIT)
    return patch

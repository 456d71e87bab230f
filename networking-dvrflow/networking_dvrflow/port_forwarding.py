# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The service plugin "dvrflow-port-forwarding": Neutron's port
forwarding plugin with dvrflow's driver side.

Neutron's PortForwardingPlugin (neutron/services/portforwarding/
pf_plugin.py) requires the L3 plugin "router" unless "ovn-router" is
configured, and would then load Neutron's own L3 plugin beside
dvrflow-router (and notify L3 agents that do not exist).  This subclass
only changes that: it requires "dvrflow-router" and sends no RPC; every
check and every database change is Neutron's.  Its driver side, as
neutron/services/portforwarding/drivers/ovn/driver.py, hears the plugin's
PORT_FORWARDING AFTER_CREATE, AFTER_UPDATE and AFTER_DELETE events and
writes the Port_Forwarding row (mapping.pf_row) with its floating IP's
row (Neutron sets the floating IP's router with its first forwarding and
clears it with its last) in one transaction.

dvrflow forwards single ports (as dvr-api): a forwarding with a port
range of more than one port is refused (400), before Neutron writes it.
"""

import logging

from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory

from neutron.objects import port_forwarding as pf_obj
from neutron.services.portforwarding import constants as pf_consts
from neutron.services.portforwarding import pf_plugin

from networking_dvrflow import mapping
from networking_dvrflow import mech_driver

LOG = logging.getLogger(__name__)


def pf_dict(pf):
    """A PortForwarding object as the dict mapping.pf_row reads."""
    out = {}
    for key in ('id', 'floatingip_id', 'internal_port_id', 'protocol',
                'internal_port', 'external_port', 'internal_port_range',
                'external_port_range', 'description', 'created_at',
                'updated_at', 'revision_number'):
        value = getattr(pf, key, None) if pf.obj_attr_is_set(key) else None
        out[key] = value
    ip = pf.internal_ip_address if pf.obj_attr_is_set(
        'internal_ip_address') else None
    out['internal_ip_address'] = str(ip) if ip is not None else None
    return out


def all_port_forwardings(context):
    """Every forwarding (dicts), for the sync."""
    return [pf_dict(pf) for pf in pf_obj.PortForwarding.get_objects(context)]


def _check_ranges(body):
    """Refuses (400) the ranges dvrflow does not carry: longer than
    mapping.PF_MAX_RANGE ports, or of two lengths (Neutron maps external
    port N+i to internal port M+i, or a range to one port)."""
    ranges = {}
    for key in ('internal_port', 'external_port'):
        if body.get(key + '_range') is not None:
            ranges[key] = mapping.pf_range(body, key)
    ext = ranges.get('external_port')
    if ext and ext[1] - ext[0] >= mapping.PF_MAX_RANGE:
        raise n_exc.BadRequest(
            resource='port_forwarding',
            msg='dvrflow forwards at most %d ports per forwarding: '
            'external_port_range %s' % (mapping.PF_MAX_RANGE,
                                        body['external_port_range']))
    internal = ranges.get('internal_port')
    if (ext and internal and internal[1] != internal[0]
            and internal[1] - internal[0] != ext[1] - ext[0]):
        raise n_exc.BadRequest(
            resource='port_forwarding',
            msg='internal_port_range %s and external_port_range %s differ '
            'in length' % (body['internal_port_range'],
                           body['external_port_range']))


class DvrflowPortForwardingPlugin(pf_plugin.PortForwardingPlugin):

    required_service_plugins = ['dvrflow-router']
    _rpc_notifications_required = False

    def __init__(self):
        super().__init__()
        for event in (events.AFTER_CREATE, events.AFTER_UPDATE,
                      events.AFTER_DELETE):
            registry.subscribe(self._pf_event, pf_consts.PORT_FORWARDING,
                               event)

    def create_floatingip_port_forwarding(self, context, floatingip_id,
                                          port_forwarding):
        _check_ranges(port_forwarding.get('port_forwarding') or {})
        return super().create_floatingip_port_forwarding(
            context, floatingip_id, port_forwarding)

    def update_floatingip_port_forwarding(self, context, id, floatingip_id,
                                          port_forwarding):
        _check_ranges(port_forwarding.get('port_forwarding') or {})
        return super().update_floatingip_port_forwarding(
            context, id, floatingip_id, port_forwarding)

    # The driver side.

    @property
    def _client(self):
        return mech_driver.get_driver().client

    def _fip_and_port(self, context, fip_id):
        l3 = directory.get_plugin(plugin_constants.L3)
        fip = l3.get_floatingip(context, fip_id)
        ports = directory.get_plugin().get_ports(
            context, filters={'device_id': [fip_id],
                              'device_owner': [
                                  n_const.DEVICE_OWNER_FLOATINGIP]})
        return fip, (ports[0] if ports else None)

    def _pf_event(self, resource, event, trigger, payload):
        pf = pf_dict(payload.states[-1])
        ctx = n_context.get_admin_context()

        def write():
            fip, port = self._fip_and_port(ctx, pf['floatingip_id'])
            if port is None:
                return
            if event == events.AFTER_DELETE:
                self._client.delete_port_forwarding(pf['id'], fip, port)
                return
            reason = mapping.check_port_forwarding(pf)
            if reason:
                LOG.warning('dvrflow: port forwarding %s not written: %s',
                            pf['id'], reason)
                return
            self._client.write_port_forwarding(pf, fip, port)

        mech_driver.get_driver()._write('port forwarding %s' % pf['id'],
                                        write)

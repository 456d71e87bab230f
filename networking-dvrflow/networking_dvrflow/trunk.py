# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The trunk driver "dvrflow" of Neutron's "trunk" service plugin.

Model: neutron/services/trunk/drivers/ovn/trunk_driver.py.  The
mechanism driver creates it (mech_driver.initialize); it registers with
the trunk plugin when the ML2 mechanism driver "dvrflow" is configured,
offering segmentation type "vlan" only (the plugin then refuses the
others, as dvr-api) and trunks of bound parents.

Each change of a trunk (created, updated, subports added or removed)
writes its Trunk row (mapping.trunk_row: parent port, sub_ports as VLAN
id -> subport) as the plugin has it; a deleted trunk deletes the row.
Subport binding: dvrflow needs none (a controller makes a subport local
where its parent's VIF is: controller/engine-trunk.c), but Neutron turns
a port ACTIVE only when it is bound.  So, as Neutron's other trunk
drivers do, a subport gets its parent's binding:host_id when it joins a
trunk and whenever the parent's host changes, and loses it when it
leaves; the mechanism driver then binds it like any port and the
controller's Port_Binding.up turns it ACTIVE.  A trunk's status is
ACTIVE while its parent port is ACTIVE, else DOWN, as dvr-api shows it.
"""

import logging

from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib.plugins import directory
from neutron_lib.services.trunk import constants as trunk_consts
from oslo_config import cfg

from neutron.objects import trunk as trunk_objects
from neutron.services.trunk.drivers import base as trunk_base

LOG = logging.getLogger(__name__)

NAME = 'dvrflow'


class DvrflowTrunkDriver(trunk_base.DriverBase):

    @classmethod
    def create(cls, mech):
        driver = cls(NAME, (portbindings.VIF_TYPE_OVS,),
                     (trunk_consts.SEGMENTATION_TYPE_VLAN,), None,
                     can_trunk_bound_port=True)
        driver._mech = mech
        return driver

    @property
    def is_loaded(self):
        try:
            return NAME in cfg.CONF.ml2.mechanism_drivers
        except cfg.NoSuchOptError:
            return False

    @registry.receives(resources.TRUNK_PLUGIN, [events.AFTER_INIT])
    def register(self, resource, event, trigger, payload=None):
        super().register(resource, event, trigger, payload=payload)
        for event in (events.AFTER_CREATE, events.AFTER_UPDATE,
                      events.AFTER_DELETE):
            registry.subscribe(self._trunk_event, resources.TRUNK, event)
        for event in (events.AFTER_CREATE, events.AFTER_DELETE):
            registry.subscribe(self._subports_event, resources.SUBPORTS,
                               event)
        registry.subscribe(self._port_updated, resources.PORT,
                           events.AFTER_UPDATE)

    @property
    def _plugin(self):
        return directory.get_plugin('trunk')

    def _write_trunk(self, context, trunk_id):
        def write():
            trunk = self._plugin.get_trunk(context.elevated(), trunk_id)
            self._mech.client.write_trunk(trunk)
        self._mech._write('trunk %s' % trunk_id, write)

    def _trunk_event(self, resource, event, trigger, payload):
        trunk = payload.states[-1]
        if event == events.AFTER_DELETE:
            self._mech._write('trunk %s' % trunk.id, self._mech.client.delete,
                              'Trunk', trunk.id)
            self._bind_subports(payload.context, trunk.sub_ports, '')
            return
        self._write_trunk(payload.context, trunk.id)
        if event == events.AFTER_CREATE:
            self._bind_subports(payload.context, trunk.sub_ports,
                                self._parent_host(payload.context, trunk))
            self._set_status(trunk.port_id)

    def _subports_event(self, resource, event, trigger, payload):
        trunk = payload.states[-1]
        self._write_trunk(payload.context, trunk.id)
        host = ('' if event == events.AFTER_DELETE
                else self._parent_host(payload.context, trunk))
        self._bind_subports(payload.context, payload.metadata['subports'],
                            host)

    # Subport binding.

    @staticmethod
    def _parent_host(context, trunk):
        port = directory.get_plugin().get_port(context.elevated(),
                                               trunk.port_id)
        return port.get(portbindings.HOST_ID) or ''

    def _bind_subports(self, context, subports, host):
        core = directory.get_plugin()
        ctx = n_context.get_admin_context()
        for sp in subports or []:
            def bind(port_id=sp.port_id):
                port = core.get_port(ctx, port_id)
                if (port.get(portbindings.HOST_ID) or '') != host:
                    core.update_port(ctx, port_id, {'port': {
                        portbindings.HOST_ID: host}})
            self._mech._write('binding of subport %s' % sp.port_id, bind)

    def _set_status(self, parent_id, status=None):
        """The status of the trunk of parent port 'parent_id' (if any):
        ACTIVE while the parent is, else DOWN."""
        def write():
            ctx = n_context.get_admin_context()
            trunk = trunk_objects.Trunk.get_object(ctx, port_id=parent_id)
            if trunk is None:
                return
            parent = status
            if parent is None:
                parent = directory.get_plugin().get_port(
                    ctx, parent_id)['status']
            want = (trunk_consts.TRUNK_ACTIVE_STATUS
                    if parent == n_const.PORT_STATUS_ACTIVE
                    else trunk_consts.TRUNK_DOWN_STATUS)
            if trunk.status != want:
                trunk.update(status=want)
        self._mech._write('status of the trunk of port %s' % parent_id,
                          write)

    def _port_updated(self, resource, event, trigger, payload):
        port, original = payload.latest_state, payload.states[0]
        if port.get('status') != original.get('status'):
            self._set_status(port['id'], port.get('status'))
        host = port.get(portbindings.HOST_ID) or ''
        if host == (original.get(portbindings.HOST_ID) or ''):
            return
        plugin = self._plugin
        if plugin is None:
            return
        ctx = n_context.get_admin_context()
        for trunk in plugin.get_trunks(ctx,
                                       filters={'port_id': [port['id']]}):
            subs = [_SubPort(sp['port_id']) for sp in trunk['sub_ports']]
            self._bind_subports(ctx, subs, host)


class _SubPort(object):
    def __init__(self, port_id):
        self.port_id = port_id

# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The L3 service plugin "dvrflow-router".

Neutron's L3 database logic (routers, interfaces, external gateways with
enable_snat, extra routes, floating IPs), with no L3 agent and no
scheduling: dvrflow routes in every node's flows.  After each change the
router or floating IP is written to the NB database as dvr-api writes it
(mapping.router_row, mapping.fip_row); its ports come from the ML2 driver,
except a floating IP's port, written with the floating IP (dvr-api gives
it the floating IP's project).  A floating IP's status is ACTIVE while it
is associated, DOWN otherwise, as with ML2/OVN.
"""

import logging

from neutron_lib import constants as n_const
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from neutron_lib.services import base as service_base

from neutron.db import extraroute_db
from neutron.db import l3_fip_qos
from neutron.db import l3_gateway_ip_qos
from neutron.db.models import l3 as l3_models
from neutron.quota import resource_registry
from neutron.services.l3_router import l3_router_plugin

from networking_dvrflow import mapping
from networking_dvrflow import mech_driver

LOG = logging.getLogger(__name__)


class DvrflowL3RouterPlugin(service_base.ServicePluginBase,
                            extraroute_db.ExtraRoute_dbonly_mixin,
                            l3_gateway_ip_qos.L3_gw_ip_qos_dbonly_mixin,
                            l3_fip_qos.FloatingQoSDbMixin):

    _supported_extension_aliases = ['router', 'ext-gw-mode', 'extraroute',
                                    'extraroute-atomic', 'qos-fip',
                                    'qos-gateway-ip']
    __filter_validation_support = True

    @resource_registry.tracked_resources(router=l3_models.Router,
                                         floatingip=l3_models.FloatingIP)
    def __init__(self):
        LOG.info('Starting the dvrflow L3 router plugin')
        super().__init__()

    @property
    def supported_extension_aliases(self):
        """QoS on floating IPs and router gateways only with Neutron's QoS
        plugin loaded (as Neutron's own L3 plugin)."""
        if not hasattr(self, '_aliases'):
            aliases = list(self._supported_extension_aliases)
            for ext in ('qos-fip', 'qos-gateway-ip'):
                l3_router_plugin.disable_l3_qos_extension_by_plugins(
                    ext, aliases)
            self._aliases = aliases
        return self._aliases

    def get_plugin_type(self):
        return plugin_constants.L3

    def get_plugin_description(self):
        return 'dvrflow distributed routers and floating IPs'

    @property
    def _core(self):
        return directory.get_plugin()

    @property
    def _client(self):
        return mech_driver.get_driver().client

    def _write(self, what, fn):
        try:
            fn()
        except Exception:
            LOG.exception('dvrflow: NB write failed (%s); the sync will '
                          'repair it', what)

    # Routers.

    def _router_ports(self, context, router_id):
        ports = self._core.get_ports(
            context.elevated(), filters={'device_id': [router_id]})
        return [p for p in ports
                if mapping.is_router_owner(p.get('device_owner') or '')]

    def _write_router(self, context, router_id):
        def write():
            router = self.get_router(context.elevated(), router_id)
            self._client.write_router(
                router, self._router_ports(context, router_id))
        self._write('router %s' % router_id, write)

    def create_router(self, context, router):
        result = super().create_router(context, router)
        self._write_router(context, result['id'])
        return result

    def update_router(self, context, id, router):
        result = super().update_router(context, id, router)
        self._write_router(context, id)
        return result

    def delete_router(self, context, id):
        super().delete_router(context, id)
        self._write('router %s' % id,
                    lambda: self._client.delete('Router', id))

    def add_router_interface(self, context, router_id, interface_info=None):
        info = super().add_router_interface(context, router_id,
                                            interface_info)
        self._write_router(context, router_id)
        return info

    def remove_router_interface(self, context, router_id, interface_info):
        info = super().remove_router_interface(context, router_id,
                                               interface_info)
        self._write_router(context, router_id)
        return info

    # Floating IPs.

    def _fip_port(self, context, fip_id):
        ports = self._core.get_ports(
            context.elevated(),
            filters={'device_id': [fip_id],
                     'device_owner': [n_const.DEVICE_OWNER_FLOATINGIP]})
        return ports[0] if ports else None

    def _sync_fip_status(self, context, fip):
        status = (n_const.FLOATINGIP_STATUS_ACTIVE if fip.get('port_id')
                  else n_const.FLOATINGIP_STATUS_DOWN)
        if fip.get('status') != status:
            super().update_floatingip_status(context.elevated(), fip['id'],
                                             status)
            fip['status'] = status
        return fip

    def _write_fip(self, context, fip_id):
        def write():
            fip = self.get_floatingip(context.elevated(), fip_id)
            port = self._fip_port(context, fip_id)
            if port is not None:
                self._client.write_floatingip(fip, port)
        self._write('floating IP %s' % fip_id, write)

    def create_floatingip(self, context, floatingip,
                          initial_status=n_const.FLOATINGIP_STATUS_DOWN):
        fip = super().create_floatingip(context, floatingip, initial_status)
        self._write_fip(context, fip['id'])
        return self._sync_fip_status(context, fip)

    def update_floatingip(self, context, id, floatingip):
        fip = super().update_floatingip(context, id, floatingip)
        self._write_fip(context, id)
        return self._sync_fip_status(context, fip)

    def delete_floatingip(self, context, id):
        super().delete_floatingip(context, id)
        self._write('floating IP %s' % id,
                    lambda: self._client.delete('Floating_IP', id))

    def disassociate_floatingips(self, context, port_id, do_notify=True):
        fips = self.get_floatingips(context.elevated(),
                                    filters={'port_id': [port_id]})
        result = super().disassociate_floatingips(context, port_id,
                                                  do_notify)
        for fip in fips:
            self._write_fip(context, fip['id'])
            fip['port_id'] = None
            self._sync_fip_status(context, fip)
        return result

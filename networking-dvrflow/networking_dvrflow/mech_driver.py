# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The ML2 mechanism driver "dvrflow".

Networks, subnets, ports and security groups go to dvrflow's NB database
as dvr-api writes them (mapping.py): each postcommit (and each security
group callback) writes the object's rows in one NB transaction, a port's
or network's QoS policy reference included.  The driver also creates the
drivers of the qos and trunk service plugins (qos.py, trunk.py).  A write
that fails is logged and left to the sync (client.sync), which repairs
drift at start and every [dvrflow] sync_interval seconds in the driver's
own worker process.

Port binding: a port is bound (vif_type ovs) only on a host whose
dvr-controller registered an NB Chassis with that hostname, with the
vif_details os-vif needs: bridge br-int, port_filter, and that chassis'
datapath type (Chassis other_config:datapath-type).  Provisioning: a
bound port gets Neutron's L2 provisioning block, which the worker
completes when the controller on its host reports Port_Binding.up, so
the port turns ACTIVE (and Nova hears network-vif-plugged) only once its
flows are in.
"""

import logging
import threading
import time

import eventlet
import greenlet
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import directory
from neutron_lib.plugins.ml2 import api
from neutron_lib import worker

from networking_dvrflow import agents
from networking_dvrflow import client as dvr_client
from networking_dvrflow import config
from networking_dvrflow import mapping
from networking_dvrflow import nb
from networking_dvrflow import qos as dvr_qos
from networking_dvrflow import trunk as dvr_trunk

LOG = logging.getLogger(__name__)

# The driver of this process, for the L3 plugin and the sync command.
_DRIVER = []


def get_driver():
    return _DRIVER[0] if _DRIVER else None


class DvrflowWorker(worker.BaseWorker):
    """The process that syncs the NB database with Neutron's and turns
    ports ACTIVE when their controller reports them up."""

    def __init__(self, driver):
        super().__init__(worker_process_count=1)
        self._driver = driver
        self._thread = None

    def start(self):
        super().start(desc='dvrflow worker')
        self._thread = eventlet.spawn(self._driver.run_worker)

    def wait(self):
        if self._thread is not None:
            try:
                self._thread.wait()
            except greenlet.GreenletExit:
                pass

    def stop(self):
        if self._thread is not None:
            self._thread.kill()

    @staticmethod
    def reset():
        pass


class DvrflowMechanismDriver(api.MechanismDriver):

    def initialize(self):
        config.register_opts()
        self._client = None
        self._connect_lock = threading.Lock()
        self._on_change = None
        self._events = None
        _DRIVER[:] = [self]
        self._subscribe()
        self._agent_patch = agents.patch_plugin(self)
        # The drivers of the qos and trunk service plugins (they register
        # when those plugins start, if configured).
        self.qos_driver = dvr_qos.DvrflowQosDriver.create(self)
        self.trunk_driver = dvr_trunk.DvrflowTrunkDriver.create(self)

    # The NB connection, made on first use in each process (after
    # neutron-server forked its workers).

    @property
    def client(self):
        if self._client is None:
            with self._connect_lock:
                if self._client is None:
                    conn = nb.NbClient(config.get('nb_connection'),
                                       timeout=config.get('ovsdb_timeout'),
                                       on_change=self._on_change)
                    self._client = dvr_client.DvrflowClient(conn)
        return self._client

    @property
    def _plugin(self):
        return directory.get_plugin()

    def get_workers(self):
        return [DvrflowWorker(self)]

    def supported_extensions(self, extensions):
        return extensions

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def _write(self, what, fn, *args):
        try:
            fn(*args)
        except Exception:
            LOG.exception('dvrflow: NB write failed (%s); the sync will '
                          'repair it', what)

    # Networks.

    def _check_network(self, net):
        reason = mapping.check_network(net)
        if reason:
            raise n_exc.InvalidInput(
                error_message='dvrflow cannot carry this network: ' + reason)

    def create_network_precommit(self, context):
        self._check_network(context.current)

    def update_network_precommit(self, context):
        self._check_network(context.current)

    def _ensure_qos_policy(self, context, obj):
        """The QoS policy 'obj' refers to, written first if the NB does not
        have it (its write failed), so that the reference holds."""
        policy_id = obj.get('qos_policy_id')
        if policy_id and not self.client.has('QoS_Policy', policy_id):
            qos = directory.get_plugin('QOS')
            if qos is not None:
                self.client.write_qos_policy(
                    qos.get_policy(context.elevated(), policy_id))

    def _write_network(self, context, net):
        self._ensure_qos_policy(context, net)
        self.client.write_network(net)

    def create_network_postcommit(self, context):
        self._write('network %s' % context.current['id'],
                    self._write_network, context._plugin_context,
                    context.current)

    def update_network_postcommit(self, context):
        self.create_network_postcommit(context)

    def delete_network_postcommit(self, context):
        self._write('network %s' % context.current['id'],
                    self.client.delete, 'Network', context.current['id'])

    # Subnets.

    def create_subnet_postcommit(self, context):
        self._write('subnet %s' % context.current['id'],
                    self.client.write_subnet, context.current)

    def update_subnet_postcommit(self, context):
        self.create_subnet_postcommit(context)

    def delete_subnet_postcommit(self, context):
        self._write('subnet %s' % context.current['id'],
                    self.client.delete, 'Subnet', context.current['id'])

    # Ports.

    def _provisioning_required(self, port, host, original_host=None):
        if port.get(portbindings.VNIC_TYPE,
                    portbindings.VNIC_NORMAL) != portbindings.VNIC_NORMAL:
            return False
        if port['status'] == n_const.PORT_STATUS_ACTIVE:
            return False
        if not host or host == original_host:
            return False
        if (port.get('device_owner') or '').startswith('network:'):
            return False
        return self.client.chassis_for_host(host) is not None

    def create_port_precommit(self, context):
        if self._provisioning_required(context.current, context.host):
            provisioning_blocks_add(context._plugin_context,
                                    context.current['id'])

    def update_port_precommit(self, context):
        if self._provisioning_required(context.current, context.host,
                                       context.original_host):
            provisioning_blocks_add(context._plugin_context,
                                    context.current['id'])

    def _ensure_security_groups(self, context, port):
        for sg_id in port.get('security_groups') or []:
            if not self.client.has('Security_Group', sg_id):
                sg = self._plugin.get_security_group(context, sg_id)
                self.client.write_security_group(sg)

    def _write_port(self, context, port):
        if port.get('device_owner') == n_const.DEVICE_OWNER_FLOATINGIP:
            # The L3 plugin writes it with its floating IP.
            return
        self._ensure_security_groups(context, port)
        self._ensure_qos_policy(context, port)
        self.client.write_port(port)

    def create_port_postcommit(self, context):
        port = context.current
        self._write('port %s' % port['id'], self._write_port,
                    context._plugin_context, port)
        if (context.vif_type == portbindings.VIF_TYPE_OVS
                and self.client.port_up(port['id'])):
            self.set_port_up(port['id'])

    def update_port_postcommit(self, context):
        self.create_port_postcommit(context)

    def delete_port_postcommit(self, context):
        self._write('port %s' % context.current['id'],
                    self.client.delete, 'Port', context.current['id'])

    # Binding.

    def bind_port(self, context):
        port = context.current
        vnic = port.get(portbindings.VNIC_TYPE, portbindings.VNIC_NORMAL)
        if vnic != portbindings.VNIC_NORMAL:
            LOG.info('dvrflow: port %s not bound: vnic_type %s is not '
                     'supported', port['id'], vnic)
            return
        chassis = (self.client.chassis_for_host(context.host)
                   if context.host else None)
        if chassis is None:
            LOG.warning('dvrflow: port %s not bound: host %s has no '
                        'dvrflow chassis (no dvr-controller registered '
                        'with that hostname)', port['id'], context.host)
            return
        for segment in context.segments_to_bind:
            ntype = segment[api.NETWORK_TYPE]
            physnet = segment.get(api.PHYSICAL_NETWORK)
            if ntype not in mapping.NETWORK_TYPES:
                continue
            if ntype in ('flat', 'vlan') and (
                    physnet not in chassis.bridge_mappings):
                LOG.warning('dvrflow: port %s not bound on host %s: its '
                            'chassis has no bridge mapping for physical '
                            'network %s', port['id'], context.host, physnet)
                continue
            details = {
                portbindings.CAP_PORT_FILTER: True,
                portbindings.OVS_HYBRID_PLUG: False,
                portbindings.VIF_DETAILS_BRIDGE_NAME: 'br-int',
                portbindings.OVS_DATAPATH_TYPE:
                    chassis.other_config.get('datapath-type', 'system'),
                portbindings.VIF_DETAILS_CONNECTIVITY:
                    portbindings.CONNECTIVITY_L2,
            }
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                                details)
            LOG.info('dvrflow: port %s bound on host %s (chassis %s)',
                     port['id'], context.host, chassis.name)
            return

    # Security groups (Neutron's callbacks, as ML2/OVN).

    def _subscribe(self):
        registry.subscribe(self._sg_changed, resources.SECURITY_GROUP,
                           events.AFTER_CREATE)
        registry.subscribe(self._sg_changed, resources.SECURITY_GROUP,
                           events.AFTER_UPDATE)
        registry.subscribe(self._sg_deleted, resources.SECURITY_GROUP,
                           events.AFTER_DELETE)
        registry.subscribe(self._rule_changed, resources.SECURITY_GROUP_RULE,
                           events.AFTER_CREATE)
        registry.subscribe(self._rule_changed, resources.SECURITY_GROUP_RULE,
                           events.AFTER_DELETE)

    def _sg_changed(self, resource, event, trigger, payload):
        sg = payload.latest_state
        if 'security_group_rules' not in sg:
            sg = self._plugin.get_security_group(payload.context, sg['id'])
        self._write('security group %s' % sg['id'],
                    self.client.write_security_group, sg)

    def _sg_deleted(self, resource, event, trigger, payload):
        self._write('security group %s' % payload.resource_id,
                    self.client.delete, 'Security_Group',
                    payload.resource_id)

    def _rule_changed(self, resource, event, trigger, payload):
        if event == events.AFTER_CREATE:
            sg_id = payload.latest_state['security_group_id']
        else:
            sg_id = payload.metadata.get('security_group_id')
        if not sg_id:
            return

        def write():
            sg = self._plugin.get_security_group(payload.context, sg_id)
            self.client.write_security_group(sg)
        self._write('security group %s' % sg_id, write)

    # Provisioning: the worker hears Port_Binding changes.

    def set_port_up(self, port_id):
        ctx = n_context.get_admin_context()
        LOG.info('dvrflow: controller reports port %s up', port_id)
        provisioning_complete(ctx, port_id)

    def set_port_down(self, port_id):
        ctx = n_context.get_admin_context()
        try:
            port = self._plugin.get_port(ctx, port_id)
        except n_exc.PortNotFound:
            return
        if port['status'] != n_const.PORT_STATUS_ACTIVE:
            return
        LOG.info('dvrflow: controller reports port %s down', port_id)
        provisioning_blocks_add(ctx, port_id)
        self._plugin.update_port_status(ctx, port_id,
                                        n_const.PORT_STATUS_DOWN)

    def _binding_changed(self, table, row, event):
        if table != 'Port_Binding' or not row.port:
            return
        up = bool(row.up) and event != 'delete'
        self._events.put((str(row.port[0].uuid), up))

    def _handle_binding_events(self):
        seen = {}
        while True:
            port_id, up = self._events.get()
            if seen.get(port_id) == up:
                continue
            seen[port_id] = up
            try:
                if up:
                    self.set_port_up(port_id)
                else:
                    self.set_port_down(port_id)
            except Exception:
                LOG.exception('dvrflow: status of port %s', port_id)
                seen.pop(port_id, None)

    def run_worker(self):
        self._events = eventlet.queue.LightQueue()
        self._on_change = self._binding_changed
        # Wait for the NB database (the sync restores it when it is back).
        while True:
            try:
                self.client
                break
            except Exception as e:
                LOG.warning('dvrflow: NB database %s unreachable (%s); '
                            'retrying', config.get('nb_connection'), e)
                eventlet.sleep(5)
        eventlet.spawn(self._handle_binding_events)
        for pb in list(self.client.idl.tables['Port_Binding'].rows.values()):
            self._binding_changed('Port_Binding', pb, 'create')
        # Sync at start, every sync_interval seconds, and soon after the
        # IDL reconnected (the NB database may have been lost).
        interval = config.get('sync_interval')
        last, seqno = None, None
        while True:
            now = time.monotonic()
            new_seqno = self.client.idl._session.get_seqno()
            if (last is None or new_seqno != seqno
                    or (interval > 0 and now - last >= interval)):
                if last is not None and new_seqno != seqno:
                    LOG.info('dvrflow: NB connection changed; syncing')
                    eventlet.sleep(1)
                seqno = self.client.idl._session.get_seqno()
                self.sync_once(config.get('sync_mode'))
                last = time.monotonic()
            eventlet.sleep(1)

    def sync_once(self, mode):
        if mode == 'off':
            return []
        try:
            ctx = n_context.get_admin_context()
            l3 = directory.get_plugin('L3_ROUTER_NAT')
            services = {'qos': directory.get_plugin('QOS'),
                        'trunk': directory.get_plugin('trunk')}
            if directory.get_plugin('PORTFORWARDING') is not None:
                from networking_dvrflow import port_forwarding
                services['pfs'] = port_forwarding.all_port_forwardings(ctx)
            drift = dvr_client.sync(self.client.nb, ctx, self._plugin, l3,
                                    mode, **services)
            LOG.info('dvrflow sync (%s): %d rows of drift', mode, len(drift))
            return drift
        except Exception:
            LOG.exception('dvrflow: sync failed')
            return None


def provisioning_blocks_add(context, port_id):
    from neutron.db import provisioning_blocks
    provisioning_blocks.add_provisioning_component(
        context, port_id, resources.PORT,
        provisioning_blocks.L2_AGENT_ENTITY)


def provisioning_complete(context, port_id):
    from neutron.db import provisioning_blocks
    provisioning_blocks.provisioning_complete(
        context, port_id, resources.PORT,
        provisioning_blocks.L2_AGENT_ENTITY)

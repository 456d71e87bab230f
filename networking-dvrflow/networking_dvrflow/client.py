# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""Writes Neutron objects to the NB database and repairs drift.

DvrflowClient puts one Neutron object (and the rows it owns) into the NB
database in one transaction, or deletes it.  desired_state() computes the
whole NB content that Neutron's database implies, and sync() compares it
with the NB database: rows missing, extra or different are logged and,
in repair mode, fixed in one transaction.  The NB tables the controllers
own (Chassis, Chassis_Private, Port_Binding, Gateway_Assignment) and
Instance (Nova's metadata) are never touched.
"""

import logging

from neutron_lib import constants as n_const

from networking_dvrflow import mapping
from networking_dvrflow import nb

LOG = logging.getLogger(__name__)

# Tables in the order rows are put (referenced before referencing); extra
# rows are deleted in the reverse order.
TABLES = ('QoS_Policy', 'Network', 'Subnet', 'Security_Group', 'Port',
          'Router', 'Floating_IP', 'Port_Forwarding', 'Trunk')


def _put(idl, txn, table, uuid, cols):
    if table == 'Port':
        return nb.put_port(idl, txn, uuid, cols)
    if table == 'Security_Group':
        sg = nb.put_security_group(idl, txn, uuid, cols)
        if cols['external_ids'].get(mapping.DEFAULT_SG_KEY) == 'true':
            nb.put_default_sg_key(idl, txn, cols['project_id'], uuid)
        return sg
    if table == 'QoS_Policy':
        return nb.put_qos_policy(idl, txn, uuid, cols)
    return nb.put_row(idl, txn, table, uuid, cols)


def _delete(idl, txn, table, uuid):
    if table == 'Port':
        return nb.delete_port(idl, txn, uuid)
    if table == 'Security_Group':
        return nb.delete_security_group(idl, txn, uuid)
    if table == 'Floating_IP':
        return nb.delete_floatingip(idl, txn, uuid)
    if table == 'Router':
        for fip in idl.tables['Floating_IP'].rows.values():
            if fip.router and str(fip.router[0].uuid) == uuid:
                fip.router = []
    return nb.delete_row(idl, txn, table, uuid)


def ensure_nb_global(idl, txn):
    """The NB_Global row, made if the database has none (an NB database
    that was lost and recreated empty)."""
    glob = next(iter(idl.tables['NB_Global'].rows.values()), None)
    if glob is None:
        glob = txn.insert(idl.tables['NB_Global'])
        glob.nb_cfg = 1
        glob.external_ids = {}
    return glob


class DvrflowClient(object):
    def __init__(self, nb_client):
        self.nb = nb_client

    @property
    def idl(self):
        return self.nb.idl

    def has(self, table, uuid):
        return nb.row_by_uuid(self.idl, table, uuid) is not None

    def put(self, *rows):
        """Puts rows (table, uuid, cols) in one transaction."""
        def fn(idl, txn):
            ensure_nb_global(idl, txn)
            for table, uuid, cols in rows:
                _put(idl, txn, table, uuid, cols)
        self.nb.transact(fn)

    def delete(self, table, uuid):
        def fn(idl, txn):
            _delete(idl, txn, table, uuid)
        self.nb.transact(fn)

    # Objects.

    def write_network(self, net):
        self.put(('Network', net['id'], mapping.network_row(net)))

    def write_subnet(self, subnet):
        self.put(('Subnet', subnet['id'], mapping.subnet_row(subnet)))

    def write_security_group(self, sg, rules=None):
        if rules is None:
            rules = sg.get('security_group_rules') or []
        self.put(('Security_Group', sg['id'], mapping.sg_row(sg, rules)))

    def port_rows(self, port, project=None):
        return ('Port', port['id'], mapping.port_row(port, project))

    def write_port(self, port, project=None):
        self.put(self.port_rows(port, project))

    def write_router(self, router, ports):
        """The router with its interface and gateway 'ports' (their
        Neutron dicts), so that its references hold, in one
        transaction."""
        interfaces = [p['id'] for p in ports
                      if (p.get('device_owner') or '').startswith(
                          'network:router_interface')]
        self.put(*[self.port_rows(p) for p in ports],
                 ('Router', router['id'],
                  mapping.router_row(router, interfaces)))

    def write_floatingip(self, fip, fip_port):
        """The floating IP and its port (given the floating IP's project,
        as dvr-api does), in one transaction."""
        self.put(self.port_rows(fip_port, mapping.project_of(fip)),
                 ('Floating_IP', fip['id'],
                  mapping.fip_row(fip, fip_port['id'])))

    def write_qos_policy(self, policy):
        """The policy (a dict with its rules) and its rules."""
        self.put(('QoS_Policy', policy['id'],
                  mapping.qos_policy_row(policy)))

    def write_port_forwarding(self, pf, fip, fip_port):
        """The forwarding with its floating IP (Neutron sets the floating
        IP's router with its first forwarding), in one transaction."""
        self.put(self.port_rows(fip_port, mapping.project_of(fip)),
                 ('Floating_IP', fip['id'],
                  mapping.fip_row(fip, fip_port['id'])),
                 ('Port_Forwarding', pf['id'], mapping.pf_row(pf)))

    def delete_port_forwarding(self, pf_id, fip, fip_port):
        """Deletes the forwarding and rewrites its floating IP (its router
        cleared with its last forwarding), in one transaction."""
        def fn(idl, txn):
            ensure_nb_global(idl, txn)
            nb.delete_row(idl, txn, 'Port_Forwarding', pf_id)
            if nb.row_by_uuid(idl, 'Floating_IP', fip['id']) is not None:
                _put(idl, txn, 'Port', fip_port['id'],
                     mapping.port_row(fip_port, mapping.project_of(fip)))
                _put(idl, txn, 'Floating_IP', fip['id'],
                     mapping.fip_row(fip, fip_port['id']))
        self.nb.transact(fn)

    def write_trunk(self, trunk):
        self.put(('Trunk', trunk['id'], mapping.trunk_row(trunk)))

    # Chassis (read only).

    def chassis_for_host(self, host):
        if not host:
            return None
        for ch in self.idl.tables['Chassis'].rows.values():
            if ch.hostname == host or ch.name == host:
                return ch
        return None

    def port_up(self, port_id):
        for pb in self.idl.tables['Port_Binding'].rows.values():
            if pb.port and str(pb.port[0].uuid) == port_id:
                return pb.up
        return False


def desired_state(context, core, l3, qos=None, pfs=None, trunk=None):
    """The NB rows Neutron's database implies: table -> {uuid: cols}.
    'qos' is the QoS plugin, 'pfs' the port forwardings (dicts), 'trunk'
    the trunk plugin (None: the service is not loaded)."""
    state = {t: {} for t in TABLES}
    if qos is not None:
        for policy in qos.get_policies(context):
            state['QoS_Policy'][policy['id']] = mapping.qos_policy_row(
                policy)
    for net in core.get_networks(context):
        if mapping.check_network(net) is None:
            state['Network'][net['id']] = mapping.network_row(net)
    for subnet in core.get_subnets(context):
        if subnet['network_id'] in state['Network']:
            state['Subnet'][subnet['id']] = mapping.subnet_row(subnet)
    rules = {}
    for rule in core.get_security_group_rules(context):
        rules.setdefault(rule['security_group_id'], []).append(rule)
    for sg in core.get_security_groups(context):
        state['Security_Group'][sg['id']] = mapping.sg_row(
            sg, rules.get(sg['id'], []))
    fips = l3.get_floatingips(context) if l3 else []
    fip_project = {f['id']: mapping.project_of(f) for f in fips}
    interfaces = {}
    fip_ports = {}
    for port in core.get_ports(context):
        if port['network_id'] not in state['Network']:
            continue
        owner = port.get('device_owner') or ''
        project = None
        if owner == n_const.DEVICE_OWNER_FLOATINGIP:
            if port['device_id'] not in fip_project:
                continue
            project = fip_project[port['device_id']]
            fip_ports[port['device_id']] = port['id']
        elif owner.startswith('network:router_interface'):
            interfaces.setdefault(port['device_id'], []).append(port['id'])
        state['Port'][port['id']] = mapping.port_row(port, project)
    if l3:
        for router in l3.get_routers(context):
            state['Router'][router['id']] = mapping.router_row(
                router, interfaces.get(router['id'], []))
        for fip in fips:
            if fip['id'] in fip_ports:
                state['Floating_IP'][fip['id']] = mapping.fip_row(
                    fip, fip_ports[fip['id']])
    for pf in pfs or []:
        if (pf['floatingip_id'] in state['Floating_IP']
                and mapping.check_port_forwarding(pf) is None):
            state['Port_Forwarding'][pf['id']] = mapping.pf_row(pf)
    if trunk is not None:
        for t in trunk.get_trunks(context):
            if t['port_id'] in state['Port']:
                state['Trunk'][t['id']] = mapping.trunk_row(t)
    return state


def _current_cols(idl, table, row, cols):
    """The columns of 'row' named in 'cols', in the desired form."""
    out = {}
    for col in cols:
        if col == 'fixed_ips' and table == 'Port':
            out[col] = sorted((str(f.subnet.uuid) if f.subnet else '',
                               f.ip_address) for f in row.fixed_ips)
        elif col == 'rules' and table in _RULE_TABLES:
            rule_table, columns = _RULE_TABLES[table]
            out[col] = {str(r.uuid): _current_cols(idl, rule_table, r,
                                                   columns)
                        for r in row.rules}
        else:
            out[col] = nb._norm(getattr(row, col))
    return out


_RULE_COLUMNS = ('project_id', 'description', 'direction', 'ethertype',
                 'protocol', 'port_range_min', 'port_range_max',
                 'remote_ip_prefix', 'remote_group', 'external_ids')
_QOS_RULE_COLUMNS = ('type', 'direction', 'max_kbps', 'max_burst_kbps',
                     'dscp_mark', 'external_ids')
# Tables whose "rules" column holds non-root rows: the rules' table and
# columns.
_RULE_TABLES = {
    'Security_Group': ('Security_Group_Rule', _RULE_COLUMNS),
    'QoS_Policy': ('QoS_Rule', _QOS_RULE_COLUMNS),
}


def _want_cols(idl, table, cols):
    out = {}
    for col, value in cols.items():
        if col == 'fixed_ips' and table == 'Port':
            out[col] = sorted(value)
        elif col == 'rules' and table in _RULE_TABLES:
            rule_table = _RULE_TABLES[table][0]
            out[col] = {rid: _want_cols(idl, rule_table, r)
                        for rid, r in value.items()}
        else:
            ctype = nb._column_type(idl, table, col)
            out[col] = nb._desired(ctype, value)
    return out


# external_ids keys that change without the NB row's content changing
# (Neutron bumps a network's revision when a subnet is added): not drift.
_VOLATILE_KEYS = ('neutron:updated_at', 'neutron:revision_number')


def _strip_volatile(cols):
    ids = cols.get('external_ids')
    if isinstance(ids, dict):
        cols['external_ids'] = {k: v for k, v in ids.items()
                                if k not in _VOLATILE_KEYS}
    for rule in (cols.get('rules') or {}).values() \
            if isinstance(cols.get('rules'), dict) else ():
        _strip_volatile(rule)
    return cols


def diff(idl, state):
    """Drift between the NB replica and 'state': a list of
    (kind, table, uuid, detail), kind in missing/extra/different."""
    drift = []
    for table in TABLES:
        rows = idl.tables[table].rows
        want = state[table]
        for uuid, cols in want.items():
            row = nb.row_by_uuid(idl, table, uuid)
            if row is None:
                drift.append(('missing', table, uuid, ''))
                continue
            have = _strip_volatile(_current_cols(idl, table, row, cols))
            wanted = _strip_volatile(_want_cols(idl, table, cols))
            cols_differ = sorted(c for c in wanted if have[c] != wanted[c])
            if cols_differ:
                drift.append(('different', table, uuid,
                              ','.join(cols_differ)))
        for row_uuid in list(rows):
            if str(row_uuid) not in want:
                drift.append(('extra', table, str(row_uuid), ''))
    return drift


def repair(idl, txn, state, drift):
    """Fixes 'drift' (from diff()) in transaction 'txn'."""
    fix = {(t, u) for kind, t, u, _ in drift if kind != 'extra'}
    for table in TABLES:
        for uuid, cols in state[table].items():
            if (table, uuid) in fix:
                _put(idl, txn, table, uuid, cols)
    for table in reversed(TABLES):
        for kind, t, uuid, _ in drift:
            if kind == 'extra' and t == table:
                _delete(idl, txn, table, uuid)


def sync(nb_client, context, core, l3, mode, **services):
    """Compares Neutron's database with the NB database; in 'repair' mode
    fixes the drift.  'services' are desired_state()'s optional plugins.
    Returns the drift found."""
    state = desired_state(context, core, l3, **services)
    result = {}

    def fn(idl, txn):
        drift = diff(idl, state)
        result['drift'] = drift
        if mode == 'repair' and drift:
            ensure_nb_global(idl, txn)
            repair(idl, txn, state, drift)

    nb_client.transact(fn)
    drift = result.get('drift', [])
    for kind, table, uuid, detail in drift:
        LOG.warning('dvrflow sync: %s row %s %s%s%s', kind, table, uuid,
                    ': ' if detail else '', detail)
    return drift

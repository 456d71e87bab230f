# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The NB database client: an OVSDB IDL replica of dvrflow's NB database
(ovsdbapp's connection thread, as ML2/OVN uses) and the writer that makes
NB rows equal to the rows mapping.py computes.

Contract:
  - NbClient(remote) connects to 'remote' (a comma-separated list of
    OVSDB remotes: a Raft cluster's members) and fetches the schema from
    the server.
  - transact(fn) runs fn(idl, txn) in the IDL's thread inside one OVSDB
    transaction and commits it (retried from the start when the replica
    was stale), so 'fn' must decide everything from its arguments and the
    replica.  Errors raise.
  - The put_*() and delete_*() functions are such 'fn' building blocks:
    each makes one object's rows equal to the desired ones, touching only
    the columns that differ.  New rows keep the Neutron object's UUID
    (OVSDB 3.1 "uuid" in insert: persist_uuid in the Python IDL).
"""

import functools
import json
import logging
import uuid as uuidlib

from ovs.db import idl as ovs_idl_mod
import ovs.db.types
import ovs.json
import ovs.ovsuuid
from ovsdbapp.backend import ovs_idl
from ovsdbapp.backend.ovs_idl import command
from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.backend.ovs_idl import idlutils
from ovsdbapp import api as ovsdbapp_api

from networking_dvrflow import mapping

LOG = logging.getLogger(__name__)

SCHEMA_NAME = 'DVRFLOW_Northbound'


def _fix_persist_uuid():
    """Open vSwitch 3.1's Python IDL has two bugs in persist_uuid, fixed
    in later releases; this applies the fixes:
      - it puts the row's uuid.UUID itself into the insert operation, which
        the JSON encoder cannot serialize (the encoder now can);
      - it turns a reference to such a row inserted in the same transaction
        into a "named-uuid", but the row has no uuid-name, so the server
        rejects the transaction (such references now stay "uuid")."""
    txn_class = ovs_idl_mod.Transaction
    if getattr(txn_class, '_dvrflow_fixed', False):
        return

    def default(obj):
        if isinstance(obj, uuidlib.UUID):
            return str(obj)
        raise TypeError('Object of type %s is not JSON serializable'
                        % obj.__class__.__name__)

    ovs.json.dumper = functools.partial(json.dumps, separators=(',', ':'),
                                        default=default)

    def _substitute_uuids(self, json):
        if isinstance(json, (list, tuple)):
            if (len(json) == 2 and json[0] == 'uuid'
                    and ovs.ovsuuid.is_valid_string(json[1])):
                uuid = ovs.ovsuuid.from_string(json[1])
                row = self._txn_rows.get(uuid, None)
                if (row and row._data is None
                        and not getattr(row, '_persist_uuid', False)):
                    return ['named-uuid',
                            ovs_idl_mod._uuid_name_from_uuid(uuid)]
            else:
                return [self._substitute_uuids(elem) for elem in json]
        return json

    txn_class._substitute_uuids = _substitute_uuids
    txn_class._dvrflow_fixed = True


_fix_persist_uuid()


class _FuncCommand(command.BaseCommand):
    def __init__(self, api, fn):
        super().__init__(api)
        self.fn = fn

    def run_idl(self, txn):
        self.result = self.fn(self.api.idl, txn)


class _NbBackend(ovs_idl.Backend, ovsdbapp_api.API):
    pass


class NbIdl(connection.OvsdbIdl):
    """The replica; 'on_change(table, row, event)' hears every change."""

    on_change = None

    def notify(self, event, row, updates=None):
        if self.on_change is not None:
            try:
                self.on_change(row._table.name, row, event)
            except Exception:
                LOG.exception('dvrflow: NB change handler failed')


class NbClient(object):
    def __init__(self, remote, timeout=60, on_change=None):
        self.remote = remote
        helper = None
        last_error = None
        for one in remote.split(','):
            try:
                helper = idlutils.get_schema_helper(one.strip(), SCHEMA_NAME)
                break
            except Exception as e:
                last_error = e
        if helper is None:
            raise RuntimeError('dvrflow: cannot fetch the %s schema from '
                               '%s: %s' % (SCHEMA_NAME, remote, last_error))
        helper.register_all()
        self.idl = NbIdl(remote, helper)
        self.idl.on_change = on_change
        self.conn = connection.Connection(self.idl, timeout=timeout)
        self.api = _NbBackend(self.conn)

    def transact(self, fn):
        cmd = _FuncCommand(self.api, fn)
        with self.api.transaction(check_error=True) as txn:
            txn.add(cmd)
        return getattr(cmd, 'result', None)

    def tables(self):
        return self.idl.tables


# The writer.

def _norm(value):
    """A column's value as mapping.py writes it (refs as id strings)."""
    if isinstance(value, ovs_idl_mod.Row):
        return str(value.uuid)
    if isinstance(value, uuidlib.UUID):
        return str(value)
    if isinstance(value, dict):
        return {_norm(k): _norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return sorted((_norm(v) for v in value), key=str)
    return value


def _column_type(idl, table, column):
    return idl.tables[table].columns[column].type


def _atom(base, v):
    """One atom of a desired value: an integer as int, others as str."""
    if base.type == ovs.db.types.IntegerType:
        return int(v)
    return str(v)


def _desired(ctype, value):
    """Desired 'value' in the normal form _norm() gives current values."""
    if ctype.is_map():
        return {_atom(ctype.key, k): _atom(ctype.value, v)
                for k, v in (value or {}).items()}
    if ctype.is_optional():
        return [] if value is None else [_norm(value)]
    if ctype.is_set():
        return sorted((_norm(v) for v in value or []), key=str)
    return _norm(value)


def _to_python(ctype, value):
    """'value' (normal form) as the IDL setter wants it."""
    is_ref = ctype.key.type == ovs.db.types.UuidType

    def atom(v):
        return uuidlib.UUID(v) if is_ref else v

    if ctype.is_map():
        if ctype.value.type == ovs.db.types.UuidType:
            return {k: uuidlib.UUID(v) for k, v in value.items()}
        return value
    if ctype.is_set():
        return [atom(v) for v in value]
    return atom(value)


def row_by_uuid(idl, table, uuid):
    try:
        return idl.tables[table].rows.get(uuidlib.UUID(str(uuid)))
    except ValueError:
        return None


def _set_columns(idl, table, row, cols, inserted):
    for col, value in cols.items():
        ctype = _column_type(idl, table, col)
        want = _desired(ctype, value)
        if not inserted and _norm(getattr(row, col)) == want:
            continue
        if inserted and want in ([], {}):
            continue
        setattr(row, col, _to_python(ctype, want))


def put_row(idl, txn, table, uuid, cols):
    """Makes row 'uuid' of 'table' equal to 'cols'.  Returns the row."""
    row = row_by_uuid(idl, table, uuid)
    inserted = row is None
    if inserted:
        row = txn.insert(idl.tables[table], new_uuid=uuidlib.UUID(uuid),
                         persist_uuid=True)
    _set_columns(idl, table, row, cols, inserted)
    return row


def _fixed_ip_rows(idl, txn, port_row, pairs):
    """Fixed_IP rows for 'pairs' (subnet id, ip): the port's own rows that
    match are kept, so that the (subnet, ip_address) index holds."""
    current = {}
    if port_row is not None:
        for fip in port_row.fixed_ips:
            subnet = fip.subnet
            key = (str(subnet.uuid) if subnet else '', fip.ip_address)
            current[key] = fip
    rows = []
    for subnet_id, ip in pairs:
        fip = current.get((subnet_id, ip))
        if fip is None:
            fip = txn.insert(idl.tables['Fixed_IP'])
            fip.subnet = uuidlib.UUID(subnet_id)
            fip.ip_address = ip
        rows.append(fip)
    return rows


def put_port(idl, txn, uuid, cols):
    cols = dict(cols)
    pairs = cols.pop('fixed_ips')
    existing = row_by_uuid(idl, 'Port', uuid)
    current = sorted((str(f.subnet.uuid) if f.subnet else '', f.ip_address)
                     for f in existing.fixed_ips) \
        if existing is not None else None
    row = put_row(idl, txn, 'Port', uuid, cols)
    if current != sorted(pairs):
        row.fixed_ips = _fixed_ip_rows(idl, txn, existing, pairs)
    return row


def put_security_group(idl, txn, uuid, cols):
    cols = dict(cols)
    rules = cols.pop('rules')
    existed = row_by_uuid(idl, 'Security_Group', uuid) is not None
    sg = put_row(idl, txn, 'Security_Group', uuid, cols)
    current = {str(r.uuid): r for r in sg.rules} if existed else {}
    rows = []
    for rule_id, rule_cols in rules.items():
        rows.append(put_row(idl, txn, 'Security_Group_Rule', rule_id,
                            rule_cols))
    if sorted(current) != sorted(rules):
        sg.rules = rows
    return sg


def put_qos_policy(idl, txn, uuid, cols):
    """A QoS policy with its rules (non-root rows it owns, keeping their
    Neutron ids), as put_security_group()."""
    cols = dict(cols)
    rules = cols.pop('rules')
    existed = row_by_uuid(idl, 'QoS_Policy', uuid) is not None
    policy = put_row(idl, txn, 'QoS_Policy', uuid, cols)
    current = {str(r.uuid) for r in policy.rules} if existed else set()
    rows = [put_row(idl, txn, 'QoS_Rule', rule_id, rule_cols)
            for rule_id, rule_cols in rules.items()]
    if current != set(rules) or not existed:
        policy.rules = rows
    return policy


def _delete_forwardings(idl, column, row):
    """Deletes the Port_Forwarding rows whose 'column' refers to 'row'."""
    for pf in list(idl.tables['Port_Forwarding'].rows.values()):
        ref = getattr(pf, column)
        if isinstance(ref, list):
            ref = ref[0] if ref else None
        if ref == row:
            pf.delete()


def delete_floatingip(idl, txn, uuid):
    """Deletes a floating IP and its port forwardings (Neutron's database
    drops them with it; the NB's refer to it strongly)."""
    row = row_by_uuid(idl, 'Floating_IP', uuid)
    if row is None:
        return False
    _delete_forwardings(idl, 'floating_ip', row)
    row.delete()
    return True


def delete_row(idl, txn, table, uuid):
    row = row_by_uuid(idl, table, uuid)
    if row is not None:
        row.delete()
    return row is not None


def delete_port(idl, txn, uuid):
    """Deletes a port and the references to it that Neutron has already
    dropped (a router's interface or gateway, a floating IP's port)."""
    row = row_by_uuid(idl, 'Port', uuid)
    if row is None:
        return False
    for router in idl.tables['Router'].rows.values():
        if row in router.interfaces:
            router.delvalue('interfaces', row)
        if router.gateway_port and router.gateway_port[0] == row:
            router.gateway_port = []
    for fip in list(idl.tables['Floating_IP'].rows.values()):
        if fip.floating_port == row:
            _delete_forwardings(idl, 'floating_ip', fip)
            fip.delete()
    _delete_forwardings(idl, 'port', row)
    row.delete()
    return True


def delete_security_group(idl, txn, uuid):
    sg = row_by_uuid(idl, 'Security_Group', uuid)
    if sg is None:
        return False
    for other in idl.tables['Security_Group'].rows.values():
        if other == sg:
            continue
        for rule in other.rules:
            if rule.remote_group and rule.remote_group[0] == sg:
                other.delvalue('rules', rule)
    for port in idl.tables['Port'].rows.values():
        if sg in port.security_groups:
            port.delvalue('security_groups', sg)
    _set_default_sg_key(idl, sg.project_id, None, only_if=str(sg.uuid))
    sg.delete()
    return True


def _set_default_sg_key(idl, project, sg_id, only_if=None):
    glob = next(iter(idl.tables['NB_Global'].rows.values()), None)
    if glob is None:
        return
    key = mapping.DEFAULT_SG_GLOBAL_KEY % project
    old = glob.external_ids.get(key)
    if glob._data is None:
        # Inserted in this transaction: set the whole column.
        ids = dict(glob.external_ids)
        if sg_id is None:
            ids.pop(key, None)
        else:
            ids[key] = sg_id
        glob.external_ids = ids
        return
    if sg_id is None:
        if old is not None and (only_if is None or old == only_if):
            glob.verify('external_ids')
            glob.delkey('external_ids', key)
    elif old != sg_id:
        glob.verify('external_ids')
        glob.setkey('external_ids', key, sg_id)


def put_default_sg_key(idl, txn, project, sg_id):
    _set_default_sg_key(idl, project, sg_id)

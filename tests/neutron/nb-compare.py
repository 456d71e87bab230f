#!/usr/bin/python3
"""Compares two dvrflow NB databases table by table, modulo what must
differ between one written by dvr-api and one written by neutron-server
with the networking-dvrflow driver for the same workflow.

Usage: nb-compare.py REMOTE_A REMOTE_B     (A: dvr-api, B: Neutron)

Every row is named by its content (a network, subnet, security group or
router by its name, a port by its name or else its owner and addresses,
a floating IP by its address, a rule by its group and match, a QoS policy
or trunk by its name, a QoS rule by its policy, type and direction, a
port forwarding by its floating IP, protocol and external port), references
are replaced by those names, and then every column of every row must be
equal, except (doc/neutron.md, "The NB contract"):

  1. Row UUIDs, and values that are UUIDs of rows (references,
     external_ids:dvrflow:remote-group-id, the default security group key
     of NB_Global, a router or floating IP port's device_id): compared
     through the names of the rows they designate.
  2. Timestamps and revisions: external_ids neutron:created_at,
     neutron:updated_at, neutron:revision_number.
  3. Projects: each side's project ids are mapped one to one, in order of
     appearance (dvr-api's default project, Neutron's request project).
  4. The VXLAN/Geneve segmentation id of a tenant network: each side
     allocates a free one (dvr-api the lowest, Neutron a random one of
     vni_ranges); both must have one.
  5. MAC addresses that the server generates (ports the workflow creates
     without --mac-address: router interfaces and gateways, floating IP
     ports): both must be fa:16:3e:xx:xx:xx.
  6. NB_Global nb_cfg and nb_cfg_timestamp (write counters), and the
     tables the controllers own (Chassis, Chassis_Private, Port_Binding,
     Gateway_Assignment), which no API writes.

Exit status 0 when equal; 1 with one line per difference.
"""

import json
import re
import subprocess
import sys

TABLES = ['NB_Global', 'Network', 'Subnet', 'Port', 'Fixed_IP', 'Router',
          'Floating_IP', 'Security_Group', 'Security_Group_Rule',
          'Instance', 'QoS_Policy', 'QoS_Rule', 'Port_Forwarding', 'Trunk']
VOLATILE_IDS = ('neutron:created_at', 'neutron:updated_at',
                'neutron:revision_number')
UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     r'[0-9a-f]{12}$')
MAC_RE = re.compile(r'^fa:16:3e(:[0-9a-f]{2}){3}$')


def dump(remote):
    ops = [{'op': 'select', 'table': t, 'where': []} for t in TABLES]
    out = subprocess.check_output(
        ['ovsdb-client', '--timeout=10', 'transact', remote,
         json.dumps(['DVRFLOW_Northbound'] + ops)])
    result = json.loads(out)
    db = {}
    for table, res in zip(TABLES, result):
        if 'error' in res:
            sys.exit('%s: %s' % (table, res))
        db[table] = {r['_uuid'][1]: r for r in res['rows']}
    return db


def atom(v):
    if (isinstance(v, list) and len(v) == 2
            and v[0] in ('uuid', 'named-uuid')):
        return v[1]
    return v


def value(v):
    """OVSDB JSON to Python: set -> sorted list, map -> dict."""
    if isinstance(v, list) and v and v[0] == 'set':
        return sorted((atom(x) for x in v[1]), key=str)
    if isinstance(v, list) and v and v[0] == 'map':
        return {atom(k): atom(x) for k, x in v[1]}
    return atom(v)


def as_list(v):
    """A set column's value (OVSDB writes a one-element set as the atom)."""
    return v if isinstance(v, list) else [v]


class Side(object):
    def __init__(self, remote):
        self.db = dump(remote)
        self.rows = {t: {u: {c: value(x) for c, x in r.items()
                             if not c.startswith('_')}
                         for u, r in rows.items()}
                     for t, rows in self.db.items()}
        self.projects = {}
        self.names = {}
        self._name_all()

    def project(self, p):
        if not p:
            return ''
        if p not in self.projects:
            self.projects[p] = 'project-%d' % (len(self.projects) + 1)
        return self.projects[p]

    def _name_all(self):
        r = self.rows
        for t in ('Network', 'Subnet', 'Router', 'Security_Group',
                  'QoS_Policy', 'Trunk'):
            for u, row in sorted(r[t].items(),
                                 key=lambda i: i[1].get('name', '')):
                self.names[u] = '%s:%s' % (t, row['name'])
        for u, row in r['Fixed_IP'].items():
            self.names[u] = 'Fixed_IP:%s@%s' % (
                row['ip_address'], self.names.get(row['subnet'], '?'))
        for u, row in r['Port'].items():
            if row['name']:
                self.names[u] = 'Port:' + row['name']
            else:
                ips = sorted(r['Fixed_IP'][f]['ip_address']
                             for f in as_list(row['fixed_ips'])
                             if f in r['Fixed_IP'])
                self.names[u] = 'Port:%s[%s]' % (row['device_owner'],
                                                 ','.join(ips))
        for u, row in r['Floating_IP'].items():
            self.names[u] = 'Floating_IP:' + row['floating_ip_address']
        for u, row in r['Security_Group_Rule'].items():
            group = [g for g, sg in r['Security_Group'].items()
                     if u in as_list(sg['rules'])]
            self.names[u] = 'Rule:%s/%s/%s/%s/%s-%s/%s/%s' % (
                self.names.get(group[0], '?') if group else '-',
                row['direction'], row['ethertype'], row['protocol'],
                row['port_range_min'], row['port_range_max'],
                row['remote_ip_prefix'],
                [self.names.get(g, g) for g in row['remote_group']]
                if isinstance(row['remote_group'], list)
                else self.names.get(row['remote_group']))
        for u, row in r['QoS_Rule'].items():
            policy = [p for p, qp in r['QoS_Policy'].items()
                      if u in as_list(qp['rules'])]
            self.names[u] = 'QoS_Rule:%s/%s/%s' % (
                self.names.get(policy[0], '?') if policy else '-',
                row['type'], row['direction'])
        for u, row in r['Port_Forwarding'].items():
            self.names[u] = 'Port_Forwarding:%s/%s/%s' % (
                self.names.get(row['floating_ip'], '?'), row['protocol'],
                row['external_port'])
        for u in r['NB_Global']:
            self.names[u] = 'NB_Global'
        for u, row in r['Instance'].items():
            self.names[u] = 'Instance:' + row['instance_id']

    def name(self, v):
        if isinstance(v, str) and UUID_RE.match(v):
            return self.names.get(v, 'dangling:' + v)
        return v

    def canon(self, table, row):
        out = {}
        generated_mac = (table == 'Port' and not row.get('name')
                         and row.get('device_owner', '').startswith(
                             'network:'))
        for col, v in row.items():
            if col == 'project_id':
                v = self.project(v)
            elif col == 'external_ids':
                ids = {}
                for k, x in v.items():
                    if k in VOLATILE_IDS:
                        continue
                    if k.startswith('dvrflow:default-security-group:'):
                        k = ('dvrflow:default-security-group:'
                             + self.project(k.split(':', 2)[2]))
                    ids[k] = self.name(x)
                v = ids
            elif col in ('nb_cfg', 'nb_cfg_timestamp'):
                continue
            elif (col == 'provider_segmentation_id'
                  and row.get('provider_network_type') in ('vxlan',
                                                           'geneve')):
                v = 'allocated' if v else 'none'
            elif col == 'mac_address' and generated_mac:
                v = 'generated' if MAC_RE.match(v) else 'bad:' + v
            elif isinstance(v, list):
                v = sorted((self.name(x) for x in v), key=str)
            elif isinstance(v, dict):
                v = {str(k): self.name(x) for k, x in v.items()}
            else:
                v = self.name(v)
            out[col] = v
        return out

    def canonical(self):
        out = {}
        for t, rows in self.rows.items():
            out[t] = {}
            for u, row in rows.items():
                key = self.names.get(u, u)
                if key in out[t]:
                    key = key + '#dup'
                out[t][key] = self.canon(t, row)
        return out


def main():
    a = Side(sys.argv[1]).canonical()
    b = Side(sys.argv[2]).canonical()
    diffs = []
    for t in TABLES:
        for key in sorted(set(a[t]) | set(b[t])):
            if key not in b[t]:
                diffs.append('%s %s: only in A' % (t, key))
            elif key not in a[t]:
                diffs.append('%s %s: only in B' % (t, key))
            else:
                for col in sorted(set(a[t][key]) | set(b[t][key])):
                    va, vb = a[t][key].get(col), b[t][key].get(col)
                    if va != vb:
                        diffs.append('%s %s: %s: A=%s B=%s'
                                     % (t, key, col, json.dumps(va),
                                        json.dumps(vb)))
    counts = ' '.join('%s=%d' % (t, len(a[t])) for t in TABLES)
    if diffs:
        print('\n'.join(diffs))
        print('%d differences (A: %s)' % (len(diffs), counts))
        return 1
    print('equal: %s' % counts)
    return 0


if __name__ == '__main__':
    sys.exit(main())

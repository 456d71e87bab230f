# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""Neutron objects (API dicts) to rows of dvrflow's NB database.

This module is the whole contract between Neutron and dvrflow: each
function takes the dict Neutron's plugin API returns for an object and
returns the NB row that dvr-api (api/*.c) writes for the same object, as
a dict column -> value:

  - scalars as Python values; an optional column (min 0, max 1) as the
    value or None; a set as a list; a map as a dict of strings;
  - a reference as the referenced row's UUID (a string: Neutron's id);
  - Port.fixed_ips as a list of (subnet id, ip address) pairs, since
    Fixed_IP rows have no identity of their own;
  - Security_Group.rules and QoS_Policy.rules as a dict rule id -> rule
    row.

Every row keeps its Neutron object's UUID (see nb.py).  Nothing here
talks to Neutron or to the NB database, so it is tested on its own
(networking_dvrflow/tests/test_mapping.py).
"""

import ipaddress

# dvr-api's device owners (api/router.c, api/floatingip.c).
ROUTER_INTERFACE_OWNER = 'network:router_interface_distributed'
ROUTER_GATEWAY_OWNER = 'network:router_gateway'
FLOATINGIP_OWNER = 'network:floatingip'

NETWORK_TYPES = ('flat', 'vlan', 'vxlan', 'geneve')

# pipeline/sg.h SG_REMOTE_GROUP_KEY, api/common.c.
REMOTE_GROUP_KEY = 'dvrflow:remote-group-id'
DEFAULT_SG_KEY = 'dvrflow:default'
DEFAULT_SG_GLOBAL_KEY = 'dvrflow:default-security-group:%s'

# IANA numbers of the protocol names dvr-api accepts (api/validate.c).
PROTOCOLS = {
    'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47, 'icmp': 1,
    'icmpv6': 58, 'igmp': 2, 'ipip': 4, 'ipv6-icmp': 58, 'ospf': 89,
    'pgm': 113, 'rsvp': 46, 'sctp': 132, 'tcp': 6, 'udp': 17,
    'udplite': 136, 'vrrp': 112,
}


def project_of(obj):
    return obj.get('project_id') or obj.get('tenant_id') or ''


def _time(value):
    """Neutron's timestamps as dvr-api writes them (RFC 3339, UTC)."""
    if not value:
        return None
    value = str(value).replace(' ', 'T')
    if value.endswith('+00:00'):
        value = value[:-6]
    return value if value.endswith('Z') else value + 'Z'


def stamps(obj):
    """The standard attributes dvr-api keeps in external_ids."""
    ids = {}
    created = _time(obj.get('created_at'))
    if created:
        ids['neutron:created_at'] = created
    updated = _time(obj.get('updated_at')) or created
    if updated:
        ids['neutron:updated_at'] = updated
    ids['neutron:revision_number'] = str(obj.get('revision_number', 1))
    return ids


def is_router_owner(device_owner):
    return (device_owner.startswith('network:router_interface')
            or device_owner in (ROUTER_GATEWAY_OWNER,
                                'network:ha_router_replicated_interface'))


def nb_device_owner(device_owner):
    """Router interfaces are always distributed in dvrflow."""
    if device_owner.startswith('network:router_interface'):
        return ROUTER_INTERFACE_OWNER
    return device_owner


def network_row(net):
    ntype = net.get('provider:network_type')
    segid = net.get('provider:segmentation_id')
    return {
        'name': net.get('name') or '',
        'project_id': project_of(net),
        'description': net.get('description') or '',
        'provider_network_type': ntype,
        'provider_physical_network':
            net.get('provider:physical_network') or None,
        'provider_segmentation_id': (int(segid) if segid is not None
                                     and ntype != 'flat' else None),
        'mtu': int(net.get('mtu') or 1500),
        'external': bool(net.get('router:external', False)),
        'shared': bool(net.get('shared', False)),
        'port_security_enabled': bool(net.get('port_security_enabled',
                                              True)),
        'admin_state_up': bool(net.get('admin_state_up', True)),
        'status': 'ACTIVE',
        'qos_policy': net.get('qos_policy_id') or None,
        'external_ids': stamps(net),
    }


def check_network(net):
    """None if dvrflow can carry 'net', else the reason it cannot."""
    if net.get('segments'):
        return 'multi-segment networks are not supported'
    ntype = net.get('provider:network_type')
    if ntype not in NETWORK_TYPES:
        return 'network type %s is not supported' % ntype
    mtu = net.get('mtu') or 1500
    if not 68 <= int(mtu) <= 65535:
        return 'MTU %s is out of range' % mtu
    return None


def _addr(text):
    return str(ipaddress.ip_address(text))


def _prefix(text):
    """A CIDR as dvr-api formats it (ipam_format_prefix)."""
    return str(ipaddress.ip_interface(text))


def _network_prefix(text):
    return str(ipaddress.ip_network(text, strict=False))


def subnet_row(subnet):
    ids = stamps(subnet)
    for mode in ('ipv6_ra_mode', 'ipv6_address_mode'):
        if subnet.get(mode):
            ids['neutron:' + mode] = subnet[mode]
    gateway = subnet.get('gateway_ip')
    return {
        'name': subnet.get('name') or '',
        'project_id': project_of(subnet),
        'description': subnet.get('description') or '',
        'network': subnet['network_id'],
        'cidr': _network_prefix(subnet['cidr']),
        'ip_version': int(subnet.get('ip_version', 4)),
        'gateway_ip': _addr(gateway) if gateway else None,
        'allocation_pools': {_addr(p['start']): _addr(p['end'])
                             for p in subnet.get('allocation_pools') or []},
        'enable_dhcp': bool(subnet.get('enable_dhcp', True)),
        'dns_nameservers': [_addr(a) for a in
                            subnet.get('dns_nameservers') or []],
        'host_routes': {_network_prefix(r['destination']):
                        _addr(r['nexthop'])
                        for r in subnet.get('host_routes') or []},
        'external_ids': ids,
    }


def _pair_key(ip):
    iface = ipaddress.ip_interface(ip)
    if iface.network.prefixlen == iface.max_prefixlen:
        return str(iface.ip)
    return str(iface)


def port_row(port, project=None):
    """The Port row of 'port'.  'project' overrides its project (dvr-api
    gives a floating IP's port the floating IP's project, Neutron none)."""
    owner = port.get('device_owner') or ''
    router_owned = is_router_owner(owner) or owner == FLOATINGIP_OWNER
    mac = port['mac_address'].lower()
    if router_owned:
        port_security = False
        sgs = []
        pairs = {}
    else:
        port_security = bool(port.get('port_security_enabled', True))
        sgs = list(port.get('security_groups') or [])
        pairs = {_pair_key(p['ip_address']):
                 (p.get('mac_address') or mac).lower()
                 for p in port.get('allowed_address_pairs') or []}
    ids = stamps(port)
    vnic = port.get('binding:vnic_type')
    if vnic and vnic != 'normal':
        ids['neutron:vnic_type'] = vnic
    if project is None:
        project = project_of(port)
    return {
        'name': port.get('name') or '',
        'project_id': project,
        'description': port.get('description') or '',
        'network': port['network_id'],
        'mac_address': mac,
        'fixed_ips': [(f['subnet_id'], _addr(f['ip_address']))
                      for f in port.get('fixed_ips') or []],
        'device_owner': nb_device_owner(owner),
        'device_id': port.get('device_id') or '',
        'admin_state_up': bool(port.get('admin_state_up', True)),
        'status': 'DOWN',
        'security_groups': sgs,
        'port_security_enabled': port_security,
        'allowed_address_pairs': pairs,
        'binding_host': port.get('binding:host_id') or '',
        'dns_name': port.get('dns_name') or '',
        'qos_policy': port.get('qos_policy_id') or None,
        'external_ids': ids,
    }


def _protocol(protocol, ethertype):
    """dvr-api's validate_protocol(): lower case, "any" is none, ICMP for
    IPv6 is ipv6-icmp."""
    if protocol is None:
        return None
    text = str(protocol).lower()
    if text == 'any':
        return None
    if ethertype == 'IPv6' and text in ('icmp', 'icmpv6'):
        return 'ipv6-icmp'
    return text


def rule_row(rule):
    ids = stamps(rule)
    remote = rule.get('remote_group_id')
    if remote:
        ids[REMOTE_GROUP_KEY] = remote
    prefix = rule.get('remote_ip_prefix')
    pmin = rule.get('port_range_min')
    pmax = rule.get('port_range_max')
    return {
        'project_id': project_of(rule),
        'description': rule.get('description') or '',
        'direction': rule['direction'],
        'ethertype': rule.get('ethertype') or 'IPv4',
        'protocol': _protocol(rule.get('protocol'), rule.get('ethertype')),
        'port_range_min': int(pmin) if pmin is not None else None,
        'port_range_max': int(pmax) if pmax is not None else None,
        'remote_ip_prefix': _network_prefix(prefix) if prefix else None,
        'remote_group': remote or None,
        'external_ids': ids,
    }


def is_default_sg(sg):
    return sg.get('name') == 'default'


def sg_row(sg, rules):
    """The Security_Group row of 'sg' with 'rules' (its rule dicts)."""
    ids = stamps(sg)
    if is_default_sg(sg):
        ids[DEFAULT_SG_KEY] = 'true'
    return {
        'name': sg.get('name') or '',
        'project_id': project_of(sg),
        'description': sg.get('description') or '',
        'stateful': bool(sg.get('stateful', True)),
        'rules': {r['id']: rule_row(r) for r in rules},
        'external_ids': ids,
    }


def router_row(router, interface_port_ids):
    gw = router.get('external_gateway_info') or {}
    return {
        'name': router.get('name') or '',
        'project_id': project_of(router),
        'description': router.get('description') or '',
        'admin_state_up': bool(router.get('admin_state_up', True)),
        'status': 'ACTIVE',
        'gateway_port': router.get('gw_port_id') or None,
        'enable_snat': bool(gw.get('enable_snat', True)) if gw else True,
        'interfaces': sorted(interface_port_ids),
        'routes': {_network_prefix(r['destination']): _addr(r['nexthop'])
                   for r in router.get('routes') or []},
        'gateway_qos_policy': gw.get('qos_policy_id') or None,
        'external_ids': stamps(router),
    }


def fip_row(fip, floating_port_id):
    fixed = fip.get('fixed_ip_address')
    return {
        'project_id': project_of(fip),
        'description': fip.get('description') or '',
        'floating_network': fip['floating_network_id'],
        'floating_port': floating_port_id,
        'floating_ip_address': _addr(fip['floating_ip_address']),
        'port': fip.get('port_id') or None,
        'fixed_ip_address': _addr(fixed) if fixed else None,
        'router': fip.get('router_id') or None,
        'qos_policy': fip.get('qos_policy_id') or None,
        'status': 'DOWN',
        'external_ids': stamps(fip),
    }


# QoS (api/qos.c).  A policy's rules as Neutron lists them ("type" names
# the kind); dvr-api's rule kinds and Neutron's valid DSCP marks.
QOS_BANDWIDTH_LIMIT = 'bandwidth_limit'
QOS_DSCP_MARKING = 'dscp_marking'
QOS_RULE_TYPES = (QOS_BANDWIDTH_LIMIT, QOS_DSCP_MARKING)
DSCP_MARKS = (0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36,
              38, 40, 46, 48, 56)
QOS_INT_MAX = 2147483647


def check_qos_rule(rule):
    """None if dvrflow carries 'rule' as dvr-api would accept it, else the
    reason it does not."""
    kind = rule.get('type')
    if kind == QOS_BANDWIDTH_LIMIT:
        kbps = rule.get('max_kbps')
        if kbps is None or not 1 <= int(kbps) <= QOS_INT_MAX:
            return 'max_kbps must be in 1..%d' % QOS_INT_MAX
        burst = rule.get('max_burst_kbps') or 0
        if not 0 <= int(burst) <= QOS_INT_MAX:
            return 'max_burst_kbps must be in 0..%d' % QOS_INT_MAX
        if (rule.get('direction') or 'egress') not in ('egress', 'ingress'):
            return 'direction must be egress or ingress'
        return None
    if kind == QOS_DSCP_MARKING:
        mark = rule.get('dscp_mark')
        if mark is None or int(mark) not in DSCP_MARKS:
            return 'dscp_mark %s is not a valid DSCP mark' % mark
        return None
    return 'rule type %s is not supported' % kind


def qos_rule_row(rule):
    """The QoS_Rule row of 'rule' (a dict with Neutron's "type")."""
    bw = rule['type'] == QOS_BANDWIDTH_LIMIT
    return {
        'type': rule['type'],
        'direction': (rule.get('direction') or 'egress') if bw else 'egress',
        'max_kbps': int(rule['max_kbps']) if bw else None,
        'max_burst_kbps': int(rule.get('max_burst_kbps') or 0) if bw
        else None,
        'dscp_mark': None if bw else int(rule['dscp_mark']),
        'external_ids': stamps(rule),
    }


def qos_policy_row(policy):
    """The QoS_Policy row of 'policy' with its rules (policy['rules']);
    rules dvrflow does not carry (check_qos_rule) are left out."""
    rules = [r for r in policy.get('rules') or []
             if check_qos_rule(r) is None]
    return {
        'name': policy.get('name') or '',
        'project_id': project_of(policy),
        'description': policy.get('description') or '',
        'shared': bool(policy.get('shared', False)),
        'rules': {r['id']: qos_rule_row(r) for r in rules},
        'external_ids': stamps(policy),
    }


# Port forwarding (api/portforwarding.c): single ports, TCP or UDP.
PF_PROTOCOLS = ('tcp', 'udp')


PF_MAX_RANGE = 256     # dvr/pf.h: a range is unrolled, one flow per port


def pf_range(pf, key):
    """A forwarding's internal or external ports ('key' is 'internal_port'
    or 'external_port'): (first, last), from the single port or from the
    range "N:M"; (None, None) without either."""
    text = pf.get(key + '_range')
    if text is not None:
        lo, _, hi = str(text).partition(':')
        return int(lo), int(hi or lo)
    port = pf.get(key)
    if port is not None:
        return int(port), int(port)
    return None, None


def check_port_forwarding(pf):
    """None if dvrflow carries 'pf', else the reason it does not (as
    dvr-api refuses it, api/portforwarding.c)."""
    if pf.get('protocol') not in PF_PROTOCOLS:
        return 'protocol %s is not supported' % pf.get('protocol')
    ext_lo, ext_hi = pf_range(pf, 'external_port')
    int_lo, int_hi = pf_range(pf, 'internal_port')
    if ext_lo is None or int_lo is None:
        return 'a forwarding needs an internal and an external port'
    if int_hi != int_lo and int_hi - int_lo != ext_hi - ext_lo:
        return ('internal_port_range %s and external_port_range %s differ '
                'in length' % (pf.get('internal_port_range'),
                               pf.get('external_port_range')))
    if ext_hi - ext_lo >= PF_MAX_RANGE:
        return ('external_port_range %d:%d: dvrflow forwards at most %d '
                'ports per forwarding' % (ext_lo, ext_hi, PF_MAX_RANGE))
    return None


def pf_row(pf):
    """The Port_Forwarding row of 'pf' (check_port_forwarding() passed):
    a range's first port and, if it has more than one, its last."""
    ext_lo, ext_hi = pf_range(pf, 'external_port')
    int_lo, int_hi = pf_range(pf, 'internal_port')
    return {
        'floating_ip': pf['floatingip_id'],
        'port': pf.get('internal_port_id') or None,
        'internal_ip_address': _addr(pf['internal_ip_address']),
        'protocol': pf['protocol'],
        'internal_port': int_lo,
        'external_port': ext_lo,
        'internal_port_end': int_hi if int_hi != int_lo else None,
        'external_port_end': ext_hi if ext_hi != ext_lo else None,
        'description': pf.get('description') or '',
        'external_ids': stamps(pf),
    }


# Trunks (api/trunk.c): VLAN subports only (the trunk driver offers only
# "vlan", so the trunk plugin refuses the others).

def trunk_row(trunk):
    return {
        'name': trunk.get('name') or '',
        'project_id': project_of(trunk),
        'description': trunk.get('description') or '',
        'admin_state_up': bool(trunk.get('admin_state_up', True)),
        'port': trunk['port_id'],
        'sub_ports': {int(sp['segmentation_id']): sp['port_id']
                      for sp in trunk.get('sub_ports') or []
                      if sp.get('segmentation_type', 'vlan') == 'vlan'},
        'external_ids': stamps(trunk),
    }

# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""Unit tests of mapping.py: Neutron dicts to the NB rows dvr-api writes."""

import unittest

from networking_dvrflow import mapping

NET = '11111111-1111-4111-8111-111111111111'
SUB = '22222222-2222-4222-8222-222222222222'
SG = '33333333-3333-4333-8333-333333333333'


class TestNetwork(unittest.TestCase):
    def test_tenant_vxlan(self):
        row = mapping.network_row({
            'id': NET, 'name': 'n', 'project_id': 'p',
            'provider:network_type': 'vxlan',
            'provider:segmentation_id': 42, 'mtu': 1450,
            'created_at': '2026-12-05T13:00:00Z', 'revision_number': 3})
        self.assertEqual(row['provider_segmentation_id'], 42)
        self.assertIsNone(row['provider_physical_network'])
        self.assertEqual(row['status'], 'ACTIVE')
        self.assertTrue(row['port_security_enabled'])
        self.assertEqual(row['external_ids'], {
            'neutron:created_at': '2026-12-05T13:00:00Z',
            'neutron:updated_at': '2026-12-05T13:00:00Z',
            'neutron:revision_number': '3'})

    def test_flat_has_no_segment(self):
        row = mapping.network_row({
            'id': NET, 'provider:network_type': 'flat',
            'provider:physical_network': 'ext',
            'provider:segmentation_id': None, 'router:external': True})
        self.assertIsNone(row['provider_segmentation_id'])
        self.assertEqual(row['provider_physical_network'], 'ext')
        self.assertTrue(row['external'])

    def test_refused(self):
        self.assertIsNone(mapping.check_network(
            {'provider:network_type': 'geneve', 'mtu': 1442}))
        self.assertIn('gre', mapping.check_network(
            {'provider:network_type': 'gre'}))
        self.assertIn('multi-segment', mapping.check_network(
            {'segments': [{}, {}]}))
        self.assertIn('MTU', mapping.check_network(
            {'provider:network_type': 'vxlan', 'mtu': 40}))


class TestSubnet(unittest.TestCase):
    def test_maps(self):
        row = mapping.subnet_row({
            'id': SUB, 'network_id': NET, 'cidr': '10.0.0.0/24',
            'ip_version': 4, 'gateway_ip': '10.0.0.1',
            'allocation_pools': [{'start': '10.0.0.2',
                                  'end': '10.0.0.254'}],
            'dns_nameservers': ['10.0.0.3'],
            'host_routes': [{'destination': '192.168.0.0/16',
                             'nexthop': '10.0.0.254'}],
            'enable_dhcp': False})
        self.assertEqual(row['allocation_pools'],
                         {'10.0.0.2': '10.0.0.254'})
        self.assertEqual(row['host_routes'],
                         {'192.168.0.0/16': '10.0.0.254'})
        self.assertEqual(row['dns_nameservers'], ['10.0.0.3'])
        self.assertFalse(row['enable_dhcp'])
        self.assertEqual(row['network'], NET)

    def test_no_gateway_ipv6_modes(self):
        row = mapping.subnet_row({
            'id': SUB, 'network_id': NET, 'cidr': '2001:db8::/64',
            'ip_version': 6, 'gateway_ip': None,
            'ipv6_ra_mode': 'slaac', 'ipv6_address_mode': 'slaac'})
        self.assertIsNone(row['gateway_ip'])
        self.assertEqual(row['external_ids']['neutron:ipv6_ra_mode'],
                         'slaac')
        self.assertEqual(row['external_ids']['neutron:ipv6_address_mode'],
                         'slaac')

    def test_ipv6_modes_as_dvr_api(self):
        # Issue 18: each mode alone, as dvr-api stores it; none unset.
        row = mapping.subnet_row({
            'id': SUB, 'network_id': NET, 'cidr': '2001:db8::/64',
            'ip_version': 6, 'gateway_ip': '2001:db8::1',
            'ipv6_ra_mode': None, 'ipv6_address_mode': 'dhcpv6-stateful'})
        ids = row['external_ids']
        self.assertEqual(ids['neutron:ipv6_address_mode'], 'dhcpv6-stateful')
        self.assertNotIn('neutron:ipv6_ra_mode', ids)
        self.assertEqual(row['gateway_ip'], '2001:db8::1')
        self.assertEqual(row['ip_version'], 6)


class TestPort(unittest.TestCase):
    def port(self, **kw):
        port = {'id': 'x', 'network_id': NET,
                'mac_address': 'FA:16:3E:00:00:01',
                'fixed_ips': [{'subnet_id': SUB,
                               'ip_address': '10.0.0.5'}],
                'device_owner': 'compute:nova', 'security_groups': [SG],
                'port_security_enabled': True,
                'allowed_address_pairs': [
                    {'ip_address': '10.0.0.100/32'},
                    {'ip_address': '10.0.5.0/24',
                     'mac_address': 'fa:16:3e:00:00:99'}],
                'binding:host_id': 'hv1', 'binding:vnic_type': 'normal'}
        port.update(kw)
        return port

    def test_vm_port(self):
        row = mapping.port_row(self.port())
        self.assertEqual(row['mac_address'], 'fa:16:3e:00:00:01')
        self.assertEqual(row['fixed_ips'], [(SUB, '10.0.0.5')])
        self.assertEqual(row['security_groups'], [SG])
        self.assertEqual(row['allowed_address_pairs'], {
            '10.0.0.100': 'fa:16:3e:00:00:01',
            '10.0.5.0/24': 'fa:16:3e:00:00:99'})
        self.assertEqual(row['binding_host'], 'hv1')
        self.assertEqual(row['status'], 'DOWN')
        self.assertNotIn('neutron:vnic_type', row['external_ids'])

    def test_router_port_normalized(self):
        row = mapping.port_row(self.port(
            device_owner='network:router_interface'))
        self.assertEqual(row['device_owner'],
                         mapping.ROUTER_INTERFACE_OWNER)
        self.assertFalse(row['port_security_enabled'])
        self.assertEqual(row['security_groups'], [])
        self.assertEqual(row['allowed_address_pairs'], {})

    def test_floating_ip_port_project(self):
        row = mapping.port_row(self.port(
            device_owner='network:floatingip', project_id=''), 'p9')
        self.assertEqual(row['project_id'], 'p9')

    def test_vnic_type_kept(self):
        row = mapping.port_row(self.port(**{'binding:vnic_type':
                                            'direct'}))
        self.assertEqual(row['external_ids']['neutron:vnic_type'],
                         'direct')


class TestSecurityGroup(unittest.TestCase):
    def test_default_group_and_rules(self):
        rules = [
            {'id': 'r1', 'direction': 'ingress', 'ethertype': 'IPv6',
             'protocol': 'icmp', 'remote_group_id': SG},
            {'id': 'r2', 'direction': 'ingress', 'ethertype': 'IPv4',
             'protocol': 'TCP', 'port_range_min': 80,
             'port_range_max': 81, 'remote_ip_prefix': '10.0.0.7/24'},
            {'id': 'r3', 'direction': 'egress', 'ethertype': 'IPv4',
             'protocol': 'any'},
        ]
        row = mapping.sg_row({'id': SG, 'name': 'default',
                              'project_id': 'p'}, rules)
        self.assertEqual(row['external_ids']['dvrflow:default'], 'true')
        r1, r2, r3 = (row['rules'][r] for r in ('r1', 'r2', 'r3'))
        self.assertEqual(r1['protocol'], 'ipv6-icmp')
        self.assertEqual(r1['remote_group'], SG)
        self.assertEqual(r1['external_ids'][mapping.REMOTE_GROUP_KEY], SG)
        self.assertEqual(r2['protocol'], 'tcp')
        self.assertEqual(r2['remote_ip_prefix'], '10.0.0.0/24')
        self.assertEqual((r2['port_range_min'], r2['port_range_max']),
                         (80, 81))
        self.assertIsNone(r3['protocol'])

    def test_other_group(self):
        row = mapping.sg_row({'id': SG, 'name': 'web'}, [])
        self.assertNotIn('dvrflow:default', row['external_ids'])


class TestL3(unittest.TestCase):
    def test_router(self):
        row = mapping.router_row({
            'id': 'r', 'name': 'r1', 'gw_port_id': 'gp',
            'external_gateway_info': {'network_id': NET,
                                      'enable_snat': False},
            'routes': [{'destination': '172.16.0.0/16',
                        'nexthop': '10.0.0.254'}]}, ['b', 'a'])
        self.assertEqual(row['gateway_port'], 'gp')
        self.assertFalse(row['enable_snat'])
        self.assertEqual(row['interfaces'], ['a', 'b'])
        self.assertEqual(row['routes'], {'172.16.0.0/16': '10.0.0.254'})

    def test_router_without_gateway_snat_on(self):
        row = mapping.router_row({'id': 'r', 'gw_port_id': None,
                                  'external_gateway_info': None}, [])
        self.assertTrue(row['enable_snat'])
        self.assertIsNone(row['gateway_port'])

    def test_floating_ip(self):
        row = mapping.fip_row({
            'id': 'f', 'project_id': 'p', 'floating_network_id': NET,
            'floating_ip_address': '203.0.113.5', 'port_id': 'vp',
            'fixed_ip_address': '10.0.0.5', 'router_id': 'r'}, 'fp')
        self.assertEqual(row['floating_port'], 'fp')
        self.assertEqual(row['port'], 'vp')
        self.assertEqual(row['router'], 'r')
        self.assertEqual(row['status'], 'DOWN')
        row = mapping.fip_row({
            'id': 'f', 'floating_network_id': NET,
            'floating_ip_address': '203.0.113.5', 'port_id': None,
            'fixed_ip_address': None, 'router_id': None}, 'fp')
        self.assertIsNone(row['port'])
        self.assertIsNone(row['fixed_ip_address'])

    def test_floating_ip_and_gateway_qos(self):
        row = mapping.fip_row({
            'id': 'f', 'floating_network_id': NET,
            'floating_ip_address': '203.0.113.5', 'qos_policy_id': QP},
            'fp')
        self.assertEqual(row['qos_policy'], QP)
        row = mapping.router_row({
            'id': 'r', 'gw_port_id': 'gp',
            'external_gateway_info': {'network_id': NET,
                                      'qos_policy_id': QP}}, [])
        self.assertEqual(row['gateway_qos_policy'], QP)
        row = mapping.router_row({'id': 'r', 'gw_port_id': None,
                                  'external_gateway_info': None}, [])
        self.assertIsNone(row['gateway_qos_policy'])


QP = '44444444-4444-4444-8444-444444444444'
FIP = '55555555-5555-4555-8555-555555555555'
PORT = '66666666-6666-4666-8666-666666666666'


class TestQos(unittest.TestCase):
    def policy(self, *rules):
        return {'id': QP, 'name': 'qp', 'project_id': 'p',
                'description': 'd', 'shared': False, 'is_default': False,
                'rules': list(rules)}

    def test_both_rule_kinds(self):
        row = mapping.qos_policy_row(self.policy(
            {'id': 'b1', 'type': 'bandwidth_limit', 'max_kbps': 1000,
             'max_burst_kbps': 100, 'direction': 'egress'},
            {'id': 'b2', 'type': 'bandwidth_limit', 'max_kbps': 2000,
             'max_burst_kbps': 0, 'direction': 'ingress'},
            {'id': 'd1', 'type': 'dscp_marking', 'dscp_mark': 26}))
        self.assertEqual(row['name'], 'qp')
        self.assertFalse(row['shared'])
        b1, b2, d1 = (row['rules'][r] for r in ('b1', 'b2', 'd1'))
        self.assertEqual((b1['type'], b1['direction'], b1['max_kbps'],
                          b1['max_burst_kbps'], b1['dscp_mark']),
                         ('bandwidth_limit', 'egress', 1000, 100, None))
        self.assertEqual((b2['direction'], b2['max_kbps'],
                          b2['max_burst_kbps']), ('ingress', 2000, 0))
        # dvr-api writes a DSCP rule with direction egress, no limits.
        self.assertEqual((d1['type'], d1['direction'], d1['max_kbps'],
                          d1['max_burst_kbps'], d1['dscp_mark']),
                         ('dscp_marking', 'egress', None, None, 26))

    def test_burst_defaults_to_zero(self):
        row = mapping.qos_policy_row(self.policy(
            {'id': 'b', 'type': 'bandwidth_limit', 'max_kbps': 5,
             'max_burst_kbps': None, 'direction': None}))
        self.assertEqual(row['rules']['b']['max_burst_kbps'], 0)
        self.assertEqual(row['rules']['b']['direction'], 'egress')

    def test_refused_rules(self):
        check = mapping.check_qos_rule
        self.assertIn('max_kbps', check({'type': 'bandwidth_limit',
                                         'max_kbps': 0}))
        self.assertIn('DSCP', check({'type': 'dscp_marking',
                                     'dscp_mark': 13}))
        self.assertIn('not supported', check({'type': 'minimum_bandwidth',
                                              'min_kbps': 10}))
        self.assertIsNone(check({'type': 'dscp_marking', 'dscp_mark': 0}))
        # A rule dvrflow cannot carry never reaches the NB.
        row = mapping.qos_policy_row(self.policy(
            {'id': 'm', 'type': 'minimum_bandwidth', 'min_kbps': 10}))
        self.assertEqual(row['rules'], {})

    def test_port_and_network_policy(self):
        port = {'id': 'x', 'network_id': NET, 'mac_address': 'fa:16:3e:0:0:1',
                'qos_policy_id': QP}
        self.assertEqual(mapping.port_row(port)['qos_policy'], QP)
        port['qos_policy_id'] = None
        self.assertIsNone(mapping.port_row(port)['qos_policy'])
        net = {'id': NET, 'provider:network_type': 'vxlan',
               'qos_policy_id': QP}
        self.assertEqual(mapping.network_row(net)['qos_policy'], QP)
        del net['qos_policy_id']
        self.assertIsNone(mapping.network_row(net)['qos_policy'])


class TestPortForwarding(unittest.TestCase):
    def pf(self, **kw):
        pf = {'id': 'f', 'floatingip_id': FIP, 'internal_port_id': PORT,
              'internal_ip_address': '10.0.0.11', 'protocol': 'tcp',
              'internal_port': 80, 'external_port': 8080,
              'description': None}
        pf.update(kw)
        return pf

    def test_single_ports(self):
        row = mapping.pf_row(self.pf())
        self.assertEqual(row['floating_ip'], FIP)
        self.assertEqual(row['port'], PORT)
        self.assertEqual((row['protocol'], row['internal_ip_address'],
                          row['internal_port'], row['external_port']),
                         ('tcp', '10.0.0.11', 80, 8080))
        self.assertEqual(row['description'], '')

    def test_one_port_ranges(self):
        pf = self.pf(internal_port=None, external_port=None,
                     internal_port_range='22:22', external_port_range='2222')
        self.assertIsNone(mapping.check_port_forwarding(pf))
        row = mapping.pf_row(pf)
        self.assertEqual((row['internal_port'], row['external_port']),
                         (22, 2222))

    def test_ranges(self):
        # As dvr-api writes them: the first port, and the last when the
        # range has more than one.
        pf = self.pf(internal_port=None, external_port=None,
                     internal_port_range='6000:6009',
                     external_port_range='2300:2309')
        self.assertIsNone(mapping.check_port_forwarding(pf))
        row = mapping.pf_row(pf)
        self.assertEqual((row['internal_port'], row['internal_port_end'],
                          row['external_port'], row['external_port_end']),
                         (6000, 6009, 2300, 2309))
        pf = self.pf(internal_port=None, external_port=None,
                     internal_port_range='22:22',
                     external_port_range='2400:2409')
        self.assertIsNone(mapping.check_port_forwarding(pf))
        row = mapping.pf_row(pf)
        self.assertEqual((row['internal_port'], row['internal_port_end'],
                          row['external_port'], row['external_port_end']),
                         (22, None, 2400, 2409))
        row = mapping.pf_row(self.pf())
        self.assertIsNone(row['internal_port_end'])
        self.assertIsNone(row['external_port_end'])

    def test_refused(self):
        self.assertIn('range', mapping.check_port_forwarding(self.pf(
            internal_port=None, internal_port_range='80:90')))
        self.assertIn('at most 256', mapping.check_port_forwarding(self.pf(
            internal_port=None, external_port=None,
            internal_port_range='22', external_port_range='1000:1256')))
        self.assertIsNone(mapping.check_port_forwarding(self.pf(
            internal_port=None, external_port=None,
            internal_port_range='22', external_port_range='1000:1255')))
        self.assertIn('protocol', mapping.check_port_forwarding(self.pf(
            protocol='sctp')))


class TestTrunk(unittest.TestCase):
    def test_subports_by_vlan(self):
        row = mapping.trunk_row({
            'id': 't', 'name': 'trunk1', 'project_id': 'p',
            'admin_state_up': False, 'port_id': PORT,
            'sub_ports': [{'port_id': 'a', 'segmentation_type': 'vlan',
                           'segmentation_id': 100},
                          {'port_id': 'b', 'segmentation_type': 'vlan',
                           'segmentation_id': 200}]})
        self.assertEqual(row['port'], PORT)
        self.assertEqual(row['sub_ports'], {100: 'a', 200: 'b'})
        self.assertFalse(row['admin_state_up'])
        self.assertEqual(row['name'], 'trunk1')


if __name__ == '__main__':
    unittest.main()

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


if __name__ == '__main__':
    unittest.main()

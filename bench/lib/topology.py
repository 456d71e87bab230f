"""topology: the benchmark's cloud, expressed as dvrflow NB rows and as
OVN NB rows (the way networking-ovn / Neutron's ML2/OVN driver writes them).

T tenants, each with one network and /24 subnet, a router with a gateway
on the shared external network "public" (flat, physnet1, 172.16.0.0/16)
and an interface on the subnet, P VM ports bound on one compute node, F of
them with a floating IP, and one security group: Neutron's two default
egress rules (IPv4 and IPv6 to anywhere, which dvr-api, like Neutron, adds
to every new group), ingress ICMP and R-1 ingress TCP ports from
0.0.0.0/0.  With dual_stack (bench/run --dual-stack, dvrflow only), every
tenant network also has an IPv6 SLAAC subnet 2001:db8:T::/64 on the same
router interface port, every VM port its EUI-64 address there, and the
external network an IPv6 subnet 2001:db8:ffff::/64 on which every router
gateway gets an address, as dvr-api allocates them (issue 18).

Every identifier is derived deterministically (uuid5), so a VIF's
iface-id (the Neutron port UUID, the same for both systems) is known
before the NB rows exist.  dvrflow rows are written exactly as dvr-api
writes them (api/network.c, subnet.c, port.c, router.c, floatingip.c,
secgroup.c and common.c): device owners, device ids, statuses, the
neutron:* stamps in external_ids, fixed IPs as Fixed_IP rows, Floating_IP
with its floating_port.
"""
import ipaddress
import time
import uuid

NS = uuid.UUID("6a1f5b80-3d43-4c39-9a63-5d2a7f0c9b11")
SIZES = {
    "tiny": dict(T=2, P=2, F=1, R=2),
    "small": dict(T=10, P=10, F=2, R=5),
    "medium": dict(T=100, P=10, F=2, R=5),
    "large": dict(T=200, P=25, F=5, R=10),
    # The cost-vs-size curve (bench/run --curve): medium's tenants,
    # T = 10 (small), 50, 100 (medium), 200 and 400.
    "t50": dict(T=50, P=10, F=2, R=5),
    "t200": dict(T=200, P=10, F=2, R=5),
    "t400": dict(T=400, P=10, F=2, R=5),
}
CURVE = ["small", "t50", "medium", "t200", "t400"]
EXT_CIDR = "172.16.0.0/16"
EXT_GW = "172.16.0.1"
EXT_CIDR6 = "2001:db8:ffff::/64"
EXT_GW6 = "2001:db8:ffff::1"
PHYSNET = "physnet1"
HV = "hv1"
GW = "gw1"


def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def mac(kind, t, p):
    """Unique per (kind, t, p) for kind a multiple of 0x10, t < 4096 and
    p < 256."""
    assert t < 4096 and p < 256
    return "fa:16:3e:%02x:%02x:%02x" % (kind + (t >> 8), t & 0xff, p)


def tenant_cidr(t):
    return "10.%d.%d" % (1 + t // 256, t % 256)


def tenant_prefix6(t):
    return "2001:db8:%x::" % (t + 1)


def eui64(prefix, mac_):
    """The EUI-64 address of 'mac_' in /64 'prefix' (dvr-api's
    ipam_eui64(), Neutron's)."""
    b = [int(x, 16) for x in mac_.split(":")]
    b[0] ^= 0x02
    iid = int.from_bytes(bytes(b[:3] + [0xff, 0xfe] + b[3:]), "big")
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address(prefix))
                                     | iid))


def fip_ip(t, p):
    """The floating IP of tenant t's port p (p < 10): 172.16.10.0 to
    172.16.239.255 hold 23,000 of them."""
    i = t * 10 + p
    return "172.16.%d.%d" % (10 + i // 100, 10 + i % 100)


class Port:
    """A VM port of tenant t (index p): what both systems need."""

    def __init__(self, t, p, fip, extra=False):
        tag = "extra" if extra else "vm"
        self.t, self.p = t, p
        self.id = uid(tag, t, p)
        self.mac = mac(0x10 if not extra else 0x30, t, p)
        base = tenant_cidr(t)
        self.ip = "%s.%d" % (base, (10 + p) if not extra else (200 + p))
        self.vm = uid("instance", tag, t, p)
        self.fip = None
        if fip:
            self.fip = dict(id=uid("fip", tag, t, p),
                            port=uid("fip-port", tag, t, p),
                            mac=mac(0x20 if not extra else 0x40, t, p),
                            ip=fip_ip(t, p) if not extra
                            else ("172.16.%d.%d" % (240 + p // 200,
                                                    10 + p % 200)))


class Topology:
    def __init__(self, T, P, F, R, dual_stack=False):
        self.T, self.P, self.F, self.R = T, P, F, R
        self.dual_stack = dual_stack
        self.ext_net = uid("net", "public")
        self.ext_subnet = uid("subnet", "public")
        self.ext_subnet6 = uid("subnet6", "public")
        self.ports = [Port(t, p, p < F) for t in range(T) for p in range(P)]

    def project(self, t):
        return uid("project", t).replace("-", "")

    def net(self, t):
        return uid("net", t)

    def subnet(self, t):
        return uid("subnet", t)

    def subnet6(self, t):
        return uid("subnet6", t)

    def gw_ip6(self, t):
        return "2001:db8:ffff::%x" % (t + 2)

    def router(self, t):
        return uid("router", t)

    def rif(self, t):
        return uid("router-if", t)

    def rgw(self, t):
        return uid("router-gw", t)

    def sg(self, t):
        return uid("sg", t)

    def gw_ip(self, t):
        return "172.16.%d.%d" % (1 + t // 250, 2 + t % 250)

    def tcp_ports(self):
        return [22] + [8000 + i for i in range(self.R - 2)] \
            if self.R >= 2 else []

    def extra_port(self, i):
        """The i-th port added by the incremental test (tenant i % T)."""
        return Port(i % self.T, i, True, extra=True)


# ---------------------------------------------------------------------------
# dvrflow NB (DVRFLOW_Northbound), as dvr-api writes it.

def _stamp():
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return ["map", [["neutron:created_at", now],
                    ["neutron:revision_number", "1"],
                    ["neutron:updated_at", now]]]


def _ref(u):
    return ["uuid", u]


def _set(*items):
    return ["set", list(items)]


def _map(d):
    return ["map", [[k, v] for k, v in sorted(d.items())]]


class DvrNB:
    DB = "DVRFLOW_Northbound"

    def __init__(self, topo):
        self.topo = topo
        self.n = 0

    def _name(self, prefix):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    def _fixed_ip(self, ops, subnet_ref, ip):
        name = self._name("ip")
        ops.append({"op": "insert", "table": "Fixed_IP", "uuid-name": name,
                    "row": {"subnet": subnet_ref, "ip_address": ip}})
        return ["named-uuid", name]

    def _port(self, ops, pid, net_ref, mac_, fixed, owner, device_id,
              project, port_security, sgs=(), host=""):
        ops.append({"op": "insert", "table": "Port", "uuid": pid,
                    "row": {"name": "", "description": "",
                            "project_id": project, "network": net_ref,
                            "mac_address": mac_, "fixed_ips": _set(*fixed),
                            "device_owner": owner, "device_id": device_id,
                            "admin_state_up": True, "status": "DOWN",
                            "security_groups": _set(*[_ref(s) for s in sgs]),
                            "port_security_enabled": port_security,
                            "allowed_address_pairs": ["map", []],
                            "binding_host": host, "dns_name": "",
                            "external_ids": _stamp()}})

    def external_ops(self):
        t = self.topo
        ops = [
            {"op": "insert", "table": "Network", "uuid": t.ext_net,
             "row": {"name": "public", "project_id": "admin",
                     "provider_network_type": "flat",
                     "provider_physical_network": PHYSNET, "mtu": 1500,
                     "external": True, "shared": False,
                     "port_security_enabled": True, "admin_state_up": True,
                     "status": "ACTIVE", "external_ids": _stamp()}},
            {"op": "insert", "table": "Subnet", "uuid": t.ext_subnet,
             "row": {"name": "public-subnet", "project_id": "admin",
                     "network": _ref(t.ext_net), "cidr": EXT_CIDR,
                     "ip_version": 4, "gateway_ip": EXT_GW,
                     "allocation_pools": _map({"172.16.0.2":
                                               "172.16.255.254"}),
                     "enable_dhcp": False, "external_ids": _stamp()}},
        ]
        if t.dual_stack:
            ops.append({"op": "insert", "table": "Subnet",
                        "uuid": t.ext_subnet6,
                        "row": {"name": "public-subnet6",
                                "project_id": "admin",
                                "network": _ref(t.ext_net),
                                "cidr": EXT_CIDR6, "ip_version": 6,
                                "gateway_ip": EXT_GW6,
                                "allocation_pools": _map({
                                    "2001:db8:ffff::2":
                                    "2001:db8:ffff::ffff:ffff:ffff:fffe"}),
                                "enable_dhcp": False,
                                "external_ids": _stamp()}})
        return ops

    def vm_port_ops(self, ops, port):
        """A VM port (and its floating IP) of an existing tenant."""
        t = self.topo
        pr = t.project(port.t)
        ips = [self._fixed_ip(ops, _ref(t.subnet(port.t)), port.ip)]
        if t.dual_stack:
            ips.append(self._fixed_ip(ops, _ref(t.subnet6(port.t)),
                                      eui64(tenant_prefix6(port.t),
                                            port.mac)))
        self._port(ops, port.id, _ref(t.net(port.t)), port.mac, ips,
                   "compute:nova", port.vm, pr, True, [t.sg(port.t)], HV)
        if port.fip:
            f = port.fip
            fip_ip = self._fixed_ip(ops, _ref(t.ext_subnet), f["ip"])
            self._port(ops, f["port"], _ref(t.ext_net), f["mac"], [fip_ip],
                       "network:floatingip", f["id"], pr, False)
            ops.append({"op": "insert", "table": "Floating_IP",
                        "uuid": f["id"],
                        "row": {"project_id": pr, "description": "",
                                "floating_network": _ref(t.ext_net),
                                "floating_port": _ref(f["port"]),
                                "floating_ip_address": f["ip"],
                                "port": _ref(port.id),
                                "fixed_ip_address": port.ip,
                                "router": _ref(t.router(port.t)),
                                "status": "DOWN",
                                "external_ids": _stamp()}})

    def tenant_ops(self, ti):
        t = self.topo
        pr = t.project(ti)
        base = tenant_cidr(ti)
        ops = [
            {"op": "insert", "table": "Network", "uuid": t.net(ti),
             "row": {"name": "net%d" % ti, "project_id": pr,
                     "provider_network_type": "vxlan",
                     "provider_segmentation_id": 1000 + ti, "mtu": 1450,
                     "external": False, "shared": False,
                     "port_security_enabled": True, "admin_state_up": True,
                     "status": "ACTIVE", "external_ids": _stamp()}},
            {"op": "insert", "table": "Subnet", "uuid": t.subnet(ti),
             "row": {"name": "subnet%d" % ti, "project_id": pr,
                     "network": _ref(t.net(ti)), "cidr": base + ".0/24",
                     "ip_version": 4, "gateway_ip": base + ".1",
                     "allocation_pools": _map({base + ".2": base + ".254"}),
                     "enable_dhcp": True, "external_ids": _stamp()}},
        ]
        if t.dual_stack:
            p6 = tenant_prefix6(ti)
            ids = _stamp()
            ids[1] += [["neutron:ipv6_address_mode", "slaac"],
                       ["neutron:ipv6_ra_mode", "slaac"]]
            ids[1].sort()
            ops.append({"op": "insert", "table": "Subnet",
                        "uuid": t.subnet6(ti),
                        "row": {"name": "subnet6-%d" % ti, "project_id": pr,
                                "network": _ref(t.net(ti)),
                                "cidr": p6 + "/64", "ip_version": 6,
                                "gateway_ip": p6 + "1",
                                "allocation_pools": _map({
                                    p6 + "2":
                                    p6 + "ffff:ffff:ffff:fffe"}),
                                "enable_dhcp": True, "external_ids": ids}})
        # The security group: dvr-api's default egress pair, then the
        # rules the tenant adds.
        rules = [dict(direction="egress", ethertype="IPv4"),
                 dict(direction="egress", ethertype="IPv6"),
                 dict(direction="ingress", ethertype="IPv4",
                      protocol="icmp", remote_ip_prefix="0.0.0.0/0")]
        for tp in t.tcp_ports():
            rules.append(dict(direction="ingress", ethertype="IPv4",
                              protocol="tcp", port_range_min=tp,
                              port_range_max=tp,
                              remote_ip_prefix="0.0.0.0/0"))
        rule_refs = []
        for r in rules:
            name = self._name("rule")
            row = {"project_id": pr, "description": "",
                   "external_ids": _stamp()}
            row.update(r)
            ops.append({"op": "insert", "table": "Security_Group_Rule",
                        "uuid-name": name, "row": row})
            rule_refs.append(["named-uuid", name])
        ops.append({"op": "insert", "table": "Security_Group",
                    "uuid": t.sg(ti),
                    "row": {"name": "sg%d" % ti, "project_id": pr,
                            "description": "", "stateful": True,
                            "rules": _set(*rule_refs),
                            "external_ids": _stamp()}})
        # The router: gateway port on public, interface on the subnet's
        # gateway address.
        gw_ips = [self._fixed_ip(ops, _ref(t.ext_subnet), t.gw_ip(ti))]
        if_ips = [self._fixed_ip(ops, _ref(t.subnet(ti)), base + ".1")]
        if t.dual_stack:
            gw_ips.append(self._fixed_ip(ops, _ref(t.ext_subnet6),
                                         t.gw_ip6(ti)))
            if_ips.append(self._fixed_ip(ops, _ref(t.subnet6(ti)),
                                         tenant_prefix6(ti) + "1"))
        self._port(ops, t.rgw(ti), _ref(t.ext_net), mac(0x01, ti, 0),
                   gw_ips, "network:router_gateway", t.router(ti), "",
                   False)
        self._port(ops, t.rif(ti), _ref(t.net(ti)), mac(0x02, ti, 0),
                   if_ips, "network:router_interface_distributed",
                   t.router(ti), pr, False)
        ops.append({"op": "insert", "table": "Router", "uuid": t.router(ti),
                    "row": {"name": "router%d" % ti, "project_id": pr,
                            "description": "", "admin_state_up": True,
                            "status": "ACTIVE",
                            "gateway_port": _ref(t.rgw(ti)),
                            "enable_snat": True,
                            "interfaces": _set(_ref(t.rif(ti))),
                            "routes": ["map", []],
                            "external_ids": _stamp()}})
        for port in t.ports[ti * t.P:(ti + 1) * t.P]:
            self.vm_port_ops(ops, port)
        return ops

    def load_txns(self, tenants_per_txn=100):
        """The whole topology in a few large transactions; the last one
        bumps NB_Global.nb_cfg."""
        txns = [self.external_ops()]
        cur = []
        for ti in range(self.topo.T):
            cur += self.tenant_ops(ti)
            if (ti + 1) % tenants_per_txn == 0:
                txns.append(cur)
                cur = []
        if cur:
            txns.append(cur)
        txns[-1].append(bump_nb_cfg())
        return txns

    def incremental_ops(self, port):
        ops = []
        self.vm_port_ops(ops, port)
        ops.append(bump_nb_cfg())
        return ops


def bump_nb_cfg():
    return {"op": "mutate", "table": "NB_Global", "where": [],
            "mutations": [["nb_cfg", "+=", 1]]}


# ---------------------------------------------------------------------------
# OVN NB (OVN_Northbound), as Neutron's ML2/OVN driver writes it.

class OvnNB:
    DB = "OVN_Northbound"

    def __init__(self, topo):
        self.topo = topo
        self.n = 0

    def _name(self, prefix):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    @staticmethod
    def pg_name(sg):
        return "pg_" + sg.replace("-", "_")

    def external_ops(self):
        t = self.topo
        return [
            {"op": "insert", "table": "Logical_Switch_Port",
             "uuid-name": "provnet",
             "row": {"name": "provnet-" + uid("segment", "public"),
                     "type": "localnet", "addresses": _set("unknown"),
                     "options": _map({"network_name": PHYSNET,
                                      "mcast_flood": "false",
                                      "mcast_flood_reports": "true"})}},
            {"op": "insert", "table": "Logical_Switch",
             "uuid-name": "public",
             "row": {"name": "neutron-" + t.ext_net,
                     "ports": _set(["named-uuid", "provnet"]),
                     "other_config": _map({"mcast_snoop": "false",
                                           "mcast_flood_unregistered":
                                           "false"}),
                     "external_ids": _map({"neutron:network_name":
                                           "public"})}},
            # Neutron's neutron_pg_drop: everything not allowed is dropped.
            {"op": "insert", "table": "ACL", "uuid-name": "drop_out",
             "row": {"direction": "from-lport", "priority": 1001,
                     "match": "inport == @neutron_pg_drop && ip",
                     "action": "drop"}},
            {"op": "insert", "table": "ACL", "uuid-name": "drop_in",
             "row": {"direction": "to-lport", "priority": 1001,
                     "match": "outport == @neutron_pg_drop && ip",
                     "action": "drop"}},
            {"op": "insert", "table": "Port_Group",
             "row": {"name": "neutron_pg_drop",
                     "acls": _set(["named-uuid", "drop_out"],
                                  ["named-uuid", "drop_in"])}},
        ]

    def vm_port_ops(self, ops, port, dhcp_ref, lsp_names):
        """Inserts the LSP (and NAT for the FIP).  Returns the LSP and NAT
        references; the caller adds them to their parents."""
        t = self.topo
        name = self._name("lsp")
        addr = "%s %s" % (port.mac, port.ip)
        ops.append({"op": "insert", "table": "Logical_Switch_Port",
                    "uuid-name": name,
                    "row": {"name": port.id, "addresses": _set(addr),
                            "port_security": _set(addr),
                            "dhcpv4_options": dhcp_ref,
                            "options": _map({"requested-chassis": HV,
                                             "mcast_flood_reports":
                                             "true"}),
                            "external_ids": _map({
                                "neutron:cidrs": port.ip + "/24",
                                "neutron:device_owner": "compute:nova",
                                "neutron:device_id": port.vm,
                                "neutron:project_id": t.project(port.t),
                                "neutron:security_group_ids":
                                    t.sg(port.t),
                                "neutron:revision_number": "1"})}})
        lsp_names.append(["named-uuid", name])
        nat = None
        if port.fip:
            f = port.fip
            nat = self._name("nat")
            ops.append({"op": "insert", "table": "NAT", "uuid-name": nat,
                        "row": {"type": "dnat_and_snat",
                                "external_ip": f["ip"],
                                "logical_ip": port.ip,
                                "logical_port": port.id,
                                "external_mac": f["mac"],
                                "external_ids": _map({
                                    "neutron:fip_id": f["id"],
                                    "neutron:fip_port_id": port.id,
                                    "neutron:fip_external_mac": f["mac"],
                                    "neutron:router_name":
                                        "neutron-" + t.router(port.t),
                                    "neutron:revision_number": "1"})}})
            nat = ["named-uuid", nat]
        return nat

    def tenant_ops(self, ti):
        t = self.topo
        base = tenant_cidr(ti)
        ops = []
        # DHCP options of the subnet (Neutron: enable_dhcp).
        dhcp = self._name("dhcp")
        ops.append({"op": "insert", "table": "DHCP_Options",
                    "uuid-name": dhcp,
                    "row": {"cidr": base + ".0/24",
                            "options": _map({
                                "lease_time": "43200", "mtu": "1450",
                                "router": base + ".1",
                                "server_id": base + ".1",
                                "server_mac": "fa:16:3e:ff:%02x:%02x"
                                % (ti >> 8, ti & 0xff),
                                "dns_server": "{8.8.8.8}"}),
                            "external_ids": _map({
                                "subnet_id": t.subnet(ti)})}})
        dhcp_ref = _set(["named-uuid", dhcp])
        lsps = []
        nats = []
        for port in t.ports[ti * t.P:(ti + 1) * t.P]:
            nat = self.vm_port_ops(ops, port, dhcp_ref, lsps)
            if nat:
                nats.append(nat)
        vm_lsps = list(lsps)
        # Router interface: LSP type router on the tenant switch.
        lrp_if = "lrp-" + t.rif(ti)
        lrp_gw = "lrp-" + t.rgw(ti)
        ops.append({"op": "insert", "table": "Logical_Switch_Port",
                    "uuid-name": "rif%d" % ti,
                    "row": {"name": t.rif(ti), "type": "router",
                            "addresses": _set("router"),
                            "options": _map({"router-port": lrp_if})}})
        lsps.append(["named-uuid", "rif%d" % ti])
        ops.append({"op": "insert", "table": "Logical_Switch",
                    "row": {"name": "neutron-" + t.net(ti),
                            "ports": _set(*lsps),
                            "other_config": _map({"mcast_snoop": "false",
                                                  "mcast_flood_unregistered":
                                                  "false"}),
                            "external_ids": _map({"neutron:network_name":
                                                  "net%d" % ti})}})
        # Router gateway: LSP type router on public, and the distributed
        # gateway port bound to the network node.
        ops.append({"op": "insert", "table": "Logical_Switch_Port",
                    "uuid-name": "rgw%d" % ti,
                    "row": {"name": t.rgw(ti), "type": "router",
                            "addresses": _set("router"),
                            "options": _map({"router-port": lrp_gw,
                                             "nat-addresses": "router"})}})
        ops.append({"op": "mutate", "table": "Logical_Switch",
                    "where": [["name", "==", "neutron-" + t.ext_net]],
                    "mutations": [["ports", "insert",
                                   _set(["named-uuid", "rgw%d" % ti])]]})
        ops.append({"op": "insert", "table": "Gateway_Chassis",
                    "uuid-name": "gwc%d" % ti,
                    "row": {"name": "%s_%s" % (lrp_gw, GW),
                            "chassis_name": GW, "priority": 1}})
        ops.append({"op": "insert", "table": "Logical_Router_Port",
                    "uuid-name": "lrpgw%d" % ti,
                    "row": {"name": lrp_gw, "mac": mac(0x01, ti, 0),
                            "networks": _set(t.gw_ip(ti) + "/16"),
                            "gateway_chassis": _set(["named-uuid",
                                                     "gwc%d" % ti]),
                            "external_ids": _map({
                                "neutron:is_ext_gw": "True",
                                "neutron:router_name":
                                    "neutron-" + t.router(ti)})}})
        ops.append({"op": "insert", "table": "Logical_Router_Port",
                    "uuid-name": "lrpif%d" % ti,
                    "row": {"name": lrp_if, "mac": mac(0x02, ti, 0),
                            "networks": _set(base + ".1/24")}})
        ops.append({"op": "insert", "table": "Logical_Router_Static_Route",
                    "uuid-name": "route%d" % ti,
                    "row": {"ip_prefix": "0.0.0.0/0", "nexthop": EXT_GW,
                            "external_ids": _map({
                                "neutron:is_ext_gw": "true"})}})
        ops.append({"op": "insert", "table": "NAT", "uuid-name": "snat%d" % ti,
                    "row": {"type": "snat", "external_ip": t.gw_ip(ti),
                            "logical_ip": base + ".0/24"}})
        nats.append(["named-uuid", "snat%d" % ti])
        ops.append({"op": "insert", "table": "Logical_Router",
                    "row": {"name": "neutron-" + t.router(ti),
                            "ports": _set(["named-uuid", "lrpgw%d" % ti],
                                          ["named-uuid", "lrpif%d" % ti]),
                            "static_routes": _set(["named-uuid",
                                                   "route%d" % ti]),
                            "nat": _set(*nats),
                            "options": _map({
                                "always_learn_from_arp_request": "false",
                                "dynamic_neigh_routers": "true",
                                "mac_binding_age_threshold": "0"}),
                            "external_ids": _map({
                                "neutron:router_name": "router%d" % ti})}})
        # The security group as a port group with its ACLs.
        pg = self.pg_name(t.sg(ti))
        acls = []

        def acl(direction, match):
            name = self._name("acl")
            ops.append({"op": "insert", "table": "ACL", "uuid-name": name,
                        "row": {"direction": direction, "priority": 1002,
                                "match": match, "action": "allow-related",
                                "name": _set(), "log": False}})
            acls.append(["named-uuid", name])
        acl("from-lport", "inport == @%s && ip4" % pg)
        acl("from-lport", "inport == @%s && ip6" % pg)
        acl("to-lport", "outport == @%s && ip4 && ip4.src == 0.0.0.0/0 "
            "&& icmp4" % pg)
        for tp in t.tcp_ports():
            acl("to-lport", "outport == @%s && ip4 && ip4.src == 0.0.0.0/0 "
                "&& tcp && tcp.dst == %d" % (pg, tp))
        ops.append({"op": "insert", "table": "Port_Group",
                    "row": {"name": pg, "ports": _set(*vm_lsps),
                            "acls": _set(*acls),
                            "external_ids": _map({
                                "neutron:security_group_id": t.sg(ti)})}})
        ops.append({"op": "mutate", "table": "Port_Group",
                    "where": [["name", "==", "neutron_pg_drop"]],
                    "mutations": [["ports", "insert", _set(*vm_lsps)]]})
        return ops

    def load_txns(self, tenants_per_txn=100):
        txns = [self.external_ops()]
        cur = []
        for ti in range(self.topo.T):
            cur += self.tenant_ops(ti)
            if (ti + 1) % tenants_per_txn == 0:
                txns.append(cur)
                cur = []
        if cur:
            txns.append(cur)
        txns[-1].append(bump_nb_cfg())
        return txns

    def incremental_ops(self, port, dhcp_uuid):
        """One more VM port with a floating IP: the LSP (with its subnet's
        DHCP_Options row, 'dhcp_uuid') into its switch and port groups, the
        dnat_and_snat into its router."""
        t = self.topo
        ops = []
        lsps = []
        dhcp_ref = _set(_ref(dhcp_uuid)) if dhcp_uuid else _set()
        nat = self.vm_port_ops(ops, port, dhcp_ref, lsps)
        ops.append({"op": "mutate", "table": "Logical_Switch",
                    "where": [["name", "==", "neutron-" + t.net(port.t)]],
                    "mutations": [["ports", "insert", _set(*lsps)]]})
        ops.append({"op": "mutate", "table": "Port_Group",
                    "where": [["name", "==", self.pg_name(t.sg(port.t))]],
                    "mutations": [["ports", "insert", _set(*lsps)]]})
        ops.append({"op": "mutate", "table": "Port_Group",
                    "where": [["name", "==", "neutron_pg_drop"]],
                    "mutations": [["ports", "insert", _set(*lsps)]]})
        if nat:
            ops.append({"op": "mutate", "table": "Logical_Router",
                        "where": [["name", "==",
                                   "neutron-" + t.router(port.t)]],
                        "mutations": [["nat", "insert", _set(nat)]]})
        ops.append(bump_nb_cfg())
        return ops

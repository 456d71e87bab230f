"""dataplane: throughput, latency and megaflows in the netdev sandbox.

Both systems run on the same sandbox shape (tools/sandbox: computes hv1,
hv2 and network node gw1 as network namespaces, each with its own
ovsdb-server and userspace ovs-vswitchd, a geneve underlay of MTU 1600):

  dvrflow  the sandbox's own NB database and dvr-controller on every node;
  ovn      the sandbox without dvr-controller (--no-controller); this
           module starts OVN's NB and SB ovsdb-servers and ovn-northd in
           the root namespace and ovn-controller inside each node's
           namespace, with the node's OVS_* directories and its own
           OVN_RUNDIR.

The topology: networks net1 (10.0.1.0/24) and net2 (10.0.2.0/24) on one
router whose gateway is on the flat external network (physnet1,
203.0.113.0/24, the sandbox's external host 203.0.113.1); vm1 on hv1 and
vm2 on hv2 in net1, vm3 on hv2 in net2; vm1 has floating IP
203.0.113.150; one security group (egress anything, ingress ICMP and the
iperf3 port).  dvrflow gets it as NB rows (as dvr-api writes them); OVN
as Neutron's ML2/OVN driver writes it (distributed gateway port on gw1,
SNAT, distributed dnat_and_snat, a port group with allow-related ACLs and
neutron_pg_drop), with the logical switch ports named by the same port
UUIDs.  The VMs are the sandbox's (tools/sandbox vm-add, which reads the
port from the sandbox's NB database in both cases).

Measured per path (l2: vm1 -> vm2; routed: vm1 -> vm3; fip: external host
-> vm1's floating IP), when the path works: ping (50 x 20 ms) and iperf3
(one stream, 3 s, median and spread of 5 runs); and the datapath flows
(megaflows) on hv1 after a 2 s routed iperf3 run with 1 and with 8
streams.  A path
that does not work is reported as not measured.
"""
import json
import os
import random
import re
import subprocess
import time

import nodes
import ovsdbrpc
import topology

NET_MTU = 1450
EXT_CIDR = "203.0.113.0/24"
EXT_HOST = "203.0.113.1"
ROUTER_GW_IP = "203.0.113.100"
FIP = "203.0.113.150"
NETS = [("net1", "10.0.1", 101), ("net2", "10.0.2", 102)]
# name, node, network index, address, MAC
VMS = [("vm1", "hv1", 0, "10.0.1.11", "fa:16:3e:00:01:11"),
       ("vm2", "hv2", 0, "10.0.1.12", "fa:16:3e:00:01:12"),
       ("vm3", "hv2", 1, "10.0.2.13", "fa:16:3e:00:02:13")]
GW_MAC = "fa:16:3e:00:ff:01"
IF_MACS = ["fa:16:3e:00:ff:11", "fa:16:3e:00:ff:12"]
FIP_MAC = "fa:16:3e:00:ff:51"
NODES = [("hv1", "192.0.2.11"), ("hv2", "192.0.2.12"), ("gw1", "192.0.2.13")]
IPERF_PORT = 5201
PROJECT = "benchproject"


class Sandbox:
    def __init__(self, a, prefix):
        self.a = a
        self.prefix = prefix
        self.tool = os.path.join(a.srcdir, "tools", "sandbox")
        self.dir = "/run/dvrsb/" + prefix

    def __call__(self, *args, check=True, timeout=120):
        return nodes.run([self.tool, "--prefix", self.prefix] + list(args),
                         check=check, timeout=timeout)

    def node_env(self, node):
        d = os.path.join(self.dir, node)
        env = dict(os.environ)
        env.update(OVS_RUNDIR=d + "/run", OVS_DBDIR=d + "/db",
                   OVS_LOGDIR=d + "/log", OVS_SYSCONFDIR=d + "/etc")
        return env


class Ids:
    def __init__(self):
        r = random.getrandbits
        self.u = lambda: "%08x-%04x-4%03x-8%03x-%012x" % (
            r(32), r(16), r(12), r(12), r(48))
        self.net = [self.u() for _ in NETS]
        self.subnet = [self.u() for _ in NETS]
        self.ext_net, self.ext_subnet = self.u(), self.u()
        self.router, self.gw_port = self.u(), self.u()
        self.ifs = [self.u() for _ in NETS]
        self.vm = {v[0]: self.u() for v in VMS}
        self.fip, self.fip_port = self.u(), self.u()
        self.sg = self.u()


def nb_rows(sb, ids):
    """The topology in the sandbox's NB database, as dvr-api writes it
    (bench/lib/topology.py): for dvrflow its input, for OVN only what
    vm-add reads."""
    topo = topology.Topology(1, 1, 0, 2)
    nb = topology.DvrNB(topo)
    ref = topology._ref
    stamp = topology._stamp
    ops = [{"op": "insert", "table": "Network", "uuid": ids.ext_net,
            "row": {"name": "public", "project_id": "admin",
                    "provider_network_type": "flat",
                    "provider_physical_network": topology.PHYSNET,
                    "mtu": 1500, "external": True,
                    "port_security_enabled": True, "admin_state_up": True,
                    "status": "ACTIVE", "external_ids": stamp()}},
           {"op": "insert", "table": "Subnet", "uuid": ids.ext_subnet,
            "row": {"name": "public-subnet", "project_id": "admin",
                    "network": ref(ids.ext_net), "cidr": EXT_CIDR,
                    "ip_version": 4, "gateway_ip": EXT_HOST,
                    "enable_dhcp": False, "external_ids": stamp()}}]
    for i, (name, base, seg) in enumerate(NETS):
        ops += [{"op": "insert", "table": "Network", "uuid": ids.net[i],
                 "row": {"name": name, "project_id": PROJECT,
                         "provider_network_type": "geneve",
                         "provider_segmentation_id": seg, "mtu": NET_MTU,
                         "port_security_enabled": True,
                         "admin_state_up": True, "status": "ACTIVE",
                         "external_ids": stamp()}},
                {"op": "insert", "table": "Subnet", "uuid": ids.subnet[i],
                 "row": {"name": name + "-subnet", "project_id": PROJECT,
                         "network": ref(ids.net[i]),
                         "cidr": base + ".0/24", "ip_version": 4,
                         "gateway_ip": base + ".1", "enable_dhcp": False,
                         "external_ids": stamp()}}]
        ip = nb._fixed_ip(ops, ref(ids.subnet[i]), base + ".1")
        nb._port(ops, ids.ifs[i], ref(ids.net[i]), IF_MACS[i], [ip],
                 "network:router_interface_distributed", ids.router,
                 PROJECT, False)
    ip = nb._fixed_ip(ops, ref(ids.ext_subnet), ROUTER_GW_IP)
    nb._port(ops, ids.gw_port, ref(ids.ext_net), GW_MAC, [ip],
             "network:router_gateway", ids.router, "", False)
    ops.append({"op": "insert", "table": "Router", "uuid": ids.router,
                "row": {"name": "router", "project_id": PROJECT,
                        "admin_state_up": True, "status": "ACTIVE",
                        "gateway_port": ref(ids.gw_port),
                        "enable_snat": True,
                        "interfaces": ["set", [ref(u) for u in ids.ifs]],
                        "external_ids": stamp()}})
    # The security group: egress anything, ingress ICMP and iperf3.
    rules = []
    for j, r in enumerate([
            dict(direction="egress", ethertype="IPv4"),
            dict(direction="egress", ethertype="IPv6"),
            dict(direction="ingress", ethertype="IPv4", protocol="icmp",
                 remote_ip_prefix="0.0.0.0/0"),
            dict(direction="ingress", ethertype="IPv4", protocol="tcp",
                 port_range_min=IPERF_PORT, port_range_max=IPERF_PORT,
                 remote_ip_prefix="0.0.0.0/0")]):
        row = {"project_id": PROJECT, "external_ids": stamp()}
        row.update(r)
        ops.append({"op": "insert", "table": "Security_Group_Rule",
                    "uuid-name": "rule%d" % j, "row": row})
        rules.append(["named-uuid", "rule%d" % j])
    ops.append({"op": "insert", "table": "Security_Group", "uuid": ids.sg,
                "row": {"name": "bench", "project_id": PROJECT,
                        "stateful": True, "rules": ["set", rules],
                        "external_ids": stamp()}})
    for name, node, i, addr, mac in VMS:
        ip = nb._fixed_ip(ops, ref(ids.subnet[i]), addr)
        nb._port(ops, ids.vm[name], ref(ids.net[i]), mac, [ip],
                 "compute:nova", topology.uid("instance", name), PROJECT,
                 True, (ids.sg,), node)
    ip = nb._fixed_ip(ops, ref(ids.ext_subnet), FIP)
    nb._port(ops, ids.fip_port, ref(ids.ext_net), FIP_MAC, [ip],
             "network:floatingip", ids.fip, PROJECT, False)
    ops.append({"op": "insert", "table": "Floating_IP", "uuid": ids.fip,
                "row": {"project_id": PROJECT,
                        "floating_network": ref(ids.ext_net),
                        "floating_port": ref(ids.fip_port),
                        "floating_ip_address": FIP,
                        "port": ref(ids.vm["vm1"]),
                        "fixed_ip_address": VMS[0][3],
                        "router": ref(ids.router), "status": "DOWN",
                        "external_ids": stamp()}})
    ops.append(topology.bump_nb_cfg())
    conn = ovsdbrpc.Connection("unix:%s/nb/nb.sock" % sb.dir)
    conn.transact("DVRFLOW_Northbound", ops)
    conn.close()


def start_ovn(sb, base, daemons, flavour):
    """OVN central in the root namespace, ovn-controller in each node."""
    c = nodes.Node(base, "dp-%s-central" % flavour)
    schemas = nodes.ovn_schemas(flavour)
    nb = nodes.start_db(daemons, c, "ovnnb",
                        os.path.join(schemas, "ovn-nb.ovsschema"), flavour)
    sbdb = nodes.start_db(daemons, c, "ovnsb",
                          os.path.join(schemas, "ovn-sb.ovsschema"), flavour)
    c.cmd(nodes.ovn_bin(flavour, "ovn-nbctl"), "--db=" + nb, "init")
    c.cmd(nodes.ovn_bin(flavour, "ovn-sbctl"), "--db=" + sbdb, "init")
    pidfile = c.path("run", "ovn-northd.pid")
    c.cmd(nodes.ovn_bin(flavour, "ovn-northd"), "--detach", "--no-chdir",
          "--pidfile=" + pidfile,
          "--log-file=" + c.path("log", "ovn-northd.log"),
          "--ovnnb-db=" + nb, "--ovnsb-db=" + sbdb)
    daemons.track(pidfile)
    for node, ip in NODES:
        env = sb.node_env(node)
        nodes.run(["ovs-vsctl", "--", "--may-exist", "add-br", "br-int",
                   "--", "set", "bridge", "br-int", "datapath_type=netdev",
                   "fail_mode=secure", "other_config:disable-in-band=true",
                   "--", "set", "open", ".",
                   "external_ids:ovn-remote=" + sbdb,
                   "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=" + ip,
                   "external_ids:ovn-bridge-mappings=physnet1:br-ex",
                   "external_ids:ovn-bridge-datapath-type=netdev"], env=env)
        n = nodes.Node(base, "dp-%s-%s" % (flavour, node))
        env.update(OVN_RUNDIR=n.run, OVN_LOGDIR=n.log, OVN_DBDIR=n.db,
                   OVN_SYSCONFDIR=n.path("etc"))
        pidfile = n.path("run", "ovn-controller.pid")
        nodes.run(["ip", "netns", "exec", "%s-%s" % (sb.prefix, node),
                   nodes.ovn_bin(flavour, "ovn-controller"), "--detach",
                   "--no-chdir",
                   "--pidfile=" + pidfile,
                   "--log-file=" + n.path("log", "ovn-controller.log"),
                   "unix:%s/%s/run/db.sock" % (sb.dir, node)], env=env)
        daemons.track(pidfile)
    return c, nb


def ovn_topology(c, nb, ids):
    """The same topology in OVN NB, as Neutron's ML2/OVN driver writes it:
    a distributed gateway port on gw1, SNAT, a distributed floating IP
    (external_mac + logical_port), the security group as a port group.
    One transaction (logical switch ports are named by UUIDs, which
    ovn-nbctl would take for row UUIDs), then waits like
    "ovn-nbctl --wait=hv sync"."""
    m = topology._map
    st = topology._set

    def named(n):
        return ["named-uuid", n]

    def lsp(ops, uname, name, **row):
        row["name"] = name
        for k in ("addresses", "port_security"):
            if k in row:
                row[k] = st(*row[k])
        if "options" in row:
            row["options"] = m(row["options"])
        ops.append({"op": "insert", "table": "Logical_Switch_Port",
                    "uuid-name": uname, "row": row})
        return named(uname)

    ops = []
    pub_ports = [lsp(ops, "provnet", "provnet-public", type="localnet",
                     addresses=["unknown"],
                     options={"network_name": topology.PHYSNET}),
                 lsp(ops, "rgw", ids.gw_port, type="router",
                     addresses=["router"],
                     options={"router-port": "lrp-gw",
                              "nat-addresses": "router"})]
    ops.append({"op": "insert", "table": "Logical_Switch",
                "row": {"name": "public", "ports": st(*pub_ports)}})
    lrps = []
    ops.append({"op": "insert", "table": "Gateway_Chassis",
                "uuid-name": "gwc",
                "row": {"name": "lrp-gw_gw1", "chassis_name": "gw1",
                        "priority": 1}})
    ops.append({"op": "insert", "table": "Logical_Router_Port",
                "uuid-name": "lrpgw",
                "row": {"name": "lrp-gw", "mac": GW_MAC,
                        "networks": st(ROUTER_GW_IP + "/24"),
                        "gateway_chassis": st(named("gwc"))}})
    lrps.append(named("lrpgw"))
    vm_lsps = []
    for i, (name, base, seg) in enumerate(NETS):
        lrp = "lrp-" + name
        ops.append({"op": "insert", "table": "Logical_Router_Port",
                    "uuid-name": "lrp%d" % i,
                    "row": {"name": lrp, "mac": IF_MACS[i],
                            "networks": st(base + ".1/24")}})
        lrps.append(named("lrp%d" % i))
        ports = [lsp(ops, "rif%d" % i, ids.ifs[i], type="router",
                     addresses=["router"], options={"router-port": lrp})]
        for vname, node, j, addr, mac in VMS:
            if j != i:
                continue
            a = "%s %s" % (mac, addr)
            ref = lsp(ops, "vm_" + vname, ids.vm[vname], addresses=[a],
                      port_security=[a])
            ports.append(ref)
            vm_lsps.append(ref)
        ops.append({"op": "insert", "table": "Logical_Switch",
                    "row": {"name": name, "ports": st(*ports)}})
    ops += [{"op": "insert", "table": "Logical_Router_Static_Route",
             "uuid-name": "route",
             "row": {"ip_prefix": "0.0.0.0/0", "nexthop": EXT_HOST}},
            {"op": "insert", "table": "NAT", "uuid-name": "snat",
             "row": {"type": "snat", "external_ip": ROUTER_GW_IP,
                     "logical_ip": "10.0.0.0/16"}},
            {"op": "insert", "table": "NAT", "uuid-name": "fip",
             "row": {"type": "dnat_and_snat", "external_ip": FIP,
                     "logical_ip": VMS[0][3], "logical_port": ids.vm["vm1"],
                     "external_mac": FIP_MAC}},
            {"op": "insert", "table": "Logical_Router",
             "row": {"name": "router", "ports": st(*lrps),
                     "static_routes": st(named("route")),
                     "nat": st(named("snat"), named("fip")),
                     "options": m({"always_learn_from_arp_request": "false",
                                   "dynamic_neigh_routers": "true"})}}]
    acls = []

    def acl(name, direction, prio, match, action):
        ops.append({"op": "insert", "table": "ACL", "uuid-name": name,
                    "row": {"direction": direction, "priority": prio,
                            "match": match, "action": action}})
        acls.append(named(name))
        return named(name)
    pg = "pg_bench"
    drop = [acl("d1", "from-lport", 1001,
                "inport == @neutron_pg_drop && ip", "drop"),
            acl("d2", "to-lport", 1001,
                "outport == @neutron_pg_drop && ip", "drop")]
    allow = [acl("a1", "from-lport", 1002, "inport == @%s && ip4" % pg,
                 "allow-related"),
             acl("a2", "to-lport", 1002, "outport == @%s && ip4 && "
                 "ip4.src == 0.0.0.0/0 && icmp4" % pg, "allow-related"),
             acl("a3", "to-lport", 1002, "outport == @%s && ip4 && "
                 "ip4.src == 0.0.0.0/0 && tcp && tcp.dst == %d"
                 % (pg, IPERF_PORT), "allow-related")]
    ops += [{"op": "insert", "table": "Port_Group",
             "row": {"name": "neutron_pg_drop", "ports": st(*vm_lsps),
                     "acls": st(*drop)}},
            {"op": "insert", "table": "Port_Group",
             "row": {"name": pg, "ports": st(*vm_lsps),
                     "acls": st(*allow)}},
            topology.bump_nb_cfg()]
    conn = ovsdbrpc.Connection(nb)
    rows = conn.monitor("OVN_Northbound", "ack",
                        {"NB_Global": ["nb_cfg", "hv_cfg"]})
    conn.transact("OVN_Northbound", ops)
    target = max(r["nb_cfg"] for r in rows["NB_Global"].values())
    ok = conn.wait_for(lambda: all(r.get("hv_cfg", 0) >= target
                                   for r in rows["NB_Global"].values()), 90)
    conn.close()
    if not ok:
        raise nodes.BenchError("OVN: the chassis did not apply the "
                               "topology in 90 s")


def megaflows(sb, node="hv1"):
    out = sb("ovs", node, "ovs-appctl", "dpctl/dump-flows", check=False)
    return sum(1 for line in out.splitlines() if "actions:" in line)


def wait_ping(sb, src, dst, tries=40):
    for _ in range(tries):
        out = sb("exec", src, "ping", "-c", "1", "-W", "1", dst, check=False)
        if " 0% packet loss" in out:
            return True
        time.sleep(0.25)
    return False


def ping(sb, src, dst):
    out = sb("exec", src, "ping", "-c", "50", "-i", "0.02", "-q", dst,
             check=False)
    m = re.search(r"= [\d.]+/([\d.]+)/([\d.]+)/", out)
    return float(m.group(1)) if m else None


def iperf(sb, client, dst, seconds=3, streams=1, runs=5):
    """Every one of 'runs' iperf3 runs, in Gbit/s, sorted: the report gives
    their median and spread (a shared machine's load moves single runs by
    a factor of two)."""
    rates = []
    for _ in range(runs):
        out = sb("exec", client, "iperf3", "-c", dst, "-p", str(IPERF_PORT),
                 "-t", str(seconds), "-P", str(streams), "-J", timeout=60)
        j = json.loads(out)
        rates.append(j["end"]["sum_received"]["bits_per_second"] / 1e9)
    return sorted(rates)


def iperf_server(sb, vm):
    pidfile = os.path.join(sb.dir, "bench-iperf3-%s.pid" % vm)
    sb("exec", vm, "iperf3", "-s", "-D", "-I", pidfile, "-p",
       str(IPERF_PORT))
    time.sleep(0.3)
    return pidfile


def measure(sb, log):
    """Each path: ping and iperf3 when it works, else why not."""
    r = {}
    paths = [("l2", "vm1", "vm2", VMS[1][3]),
             ("routed", "vm1", "vm3", VMS[2][3]),
             ("fip", "ext", "vm1", FIP)]
    servers = []
    try:
        for vm in ("vm1", "vm2", "vm3"):
            servers.append(iperf_server(sb, vm))
        for key, src, server, dst in paths:
            if not wait_ping(sb, src, dst):
                r[key + "_error"] = "%s cannot ping %s" % (src, dst)
                log("data plane: " + r[key + "_error"])
                continue
            r[key + "_ping_ms"] = ping(sb, src, dst)
            runs = iperf(sb, src, dst)
            r[key + "_gbps_runs"] = runs
            r[key + "_gbps"] = runs[len(runs) // 2]
        if "routed_gbps" in r:
            counts = {}
            for streams in (1, 8):
                for node in ("hv1", "hv2"):
                    sb("ovs", node, "ovs-appctl", "dpctl/del-flows",
                       check=False)
                sb("exec", "vm1", "iperf3", "-c", VMS[2][3], "-p",
                   str(IPERF_PORT), "-t", "2", "-P", str(streams), "-J",
                   timeout=60)
                counts[streams] = megaflows(sb)
            r["megaflows_1_stream"] = counts[1]
            r["megaflows_8_streams"] = counts[8]
            # iperf3 opens one control connection and one per stream.
            r["megaflows_per_conn"] = (counts[8] - counts[1]) / 7.0
    finally:
        for pidfile in servers:
            pid = nodes.read_pid(pidfile)
            if pid:
                nodes.Daemons.kill(pid)
    return r


def run_one(a, base, daemons, system, log):
    prefix = "bd%04d" % random.randrange(10000)
    sb = Sandbox(a, prefix)
    ids = Ids()
    up = ["up", "--computes", "2", "--gateways", "1", "--no-api",
          "--external-ip", EXT_HOST + "/24", "--builddir", a.builddir]
    if system != "dvrflow":
        up.append("--no-controller")
    try:
        sb(*up, timeout=120)
        nb_rows(sb, ids)
        if system != "dvrflow":
            c, nb = start_ovn(sb, base, daemons, system)
            ovn_topology(c, nb, ids)
        for name, node, i, addr, mac in VMS:
            sb("vm-add", name, "--node", node, "--port", ids.vm[name])
        r = measure(sb, log)
        flows = sb("ovs", "hv1", "ovs-ofctl", "-O", "OpenFlow13",
                   "dump-flows", "br-int", check=False)
        r["conntrack"] = "ct(" in flows
        r["path"] = ("VMs on hv1 and hv2 (geneve): l2 = one network, "
                     "routed = two networks through the distributed router, "
                     "fip = external host to vm1's floating IP; conntrack "
                     "in hv1's br-int: %s" % ("yes" if r["conntrack"]
                                              else "no"))
        return r
    finally:
        daemons.stop()
        sb("down", check=False, timeout=60)


def run_all(a, base, daemons, log):
    if os.geteuid() != 0:
        return {"dvrflow": {"error": "not root"}}
    out = {}
    for system in ["dvrflow"] + a.compare:
        log("data plane: %s" % system)
        try:
            out[system] = run_one(a, base, daemons, system, log)
        except (nodes.BenchError, subprocess.SubprocessError, OSError,
                ValueError, KeyError) as e:
            log("data plane: %s: %s" % (system, e))
            out[system] = {"error": str(e)[:200]}
    return out

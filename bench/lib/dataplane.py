"""dataplane: throughput, latency and megaflows in the netdev sandbox.

Both systems run on the same sandbox shape (tools/sandbox: computes hv1,
hv2 and network node gw1 as network namespaces, each with its own
ovsdb-server and userspace ovs-vswitchd, a geneve underlay of MTU 1600):

  dvrflow  the sandbox's own NB database and dvr-controller on every node;
  ovn      the sandbox without dvr-controller (--no-controller); this
           module starts OVN's NB and SB ovsdb-servers and ovn-northd in
           the root namespace and ovn-controller inside each node's
           namespace, with the node's OVS_* directories and its own
           OVN_RUNDIR, and writes the logical switch, its ports and the
           security group (a port group with allow-related ACLs and
           Neutron's neutron_pg_drop) to OVN NB.

The VMs are the sandbox's (tools/sandbox vm-add): a namespace per VM
plugged into br-int with iface-id = the port's UUID; for OVN the same
UUID is the logical switch port's name, and the sandbox's NB database
only describes the port to vm-add (no dvr-controller reads it).

Measured: ping (50 x 20 ms) and iperf3 (5 s, one stream) VM->VM on one
network across two nodes, and the datapath flows (megaflows) on hv1 after
one iperf3 run with 1 stream and with 8 streams.
"""
import json
import os
import random
import re
import subprocess
import time

import nodes
import ovsdbrpc

NET_MTU = 1450
VMS = [("vm1", "hv1", "10.0.0.11", "fa:16:3e:00:00:11"),
       ("vm2", "hv2", "10.0.0.12", "fa:16:3e:00:00:12")]
NODES = [("hv1", "192.0.2.11"), ("hv2", "192.0.2.12"), ("gw1", "192.0.2.13")]
IPERF_PORT = 5201


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


def nb_rows(sb, ports):
    """The network, subnet and ports in the sandbox's NB database."""
    conn = ovsdbrpc.Connection("unix:%s/nb/nb.sock" % sb.dir)
    ops = [{"op": "insert", "table": "Network", "uuid-name": "net",
            "row": {"name": "bench", "provider_network_type": "geneve",
                    "provider_segmentation_id": 100, "mtu": NET_MTU,
                    "admin_state_up": True, "port_security_enabled": True,
                    "status": "ACTIVE"}},
           {"op": "insert", "table": "Subnet", "uuid-name": "sub",
            "row": {"network": ["named-uuid", "net"],
                    "cidr": "10.0.0.0/24", "ip_version": 4,
                    "gateway_ip": "10.0.0.1", "enable_dhcp": False}}]
    for i, (name, node, ip, mac) in enumerate(VMS):
        ops += [{"op": "insert", "table": "Fixed_IP", "uuid-name": "ip%d" % i,
                 "row": {"subnet": ["named-uuid", "sub"], "ip_address": ip}},
                {"op": "insert", "table": "Port", "uuid": ports[name],
                 "row": {"network": ["named-uuid", "net"],
                         "name": name, "mac_address": mac,
                         "fixed_ips": ["named-uuid", "ip%d" % i],
                         "device_owner": "compute:nova",
                         "admin_state_up": True,
                         "port_security_enabled": True,
                         "binding_host": node}}]
    ops.append({"op": "mutate", "table": "NB_Global", "where": [],
                "mutations": [["nb_cfg", "+=", 1]]})
    conn.transact("DVRFLOW_Northbound", ops)
    conn.close()


def start_ovn(sb, base, daemons):
    """OVN central in the root namespace, ovn-controller in each node."""
    c = nodes.Node(base, "dp-ovn-central")
    nb = nodes.start_db(daemons, c, "ovnnb",
                        os.path.join(nodes.OVN_SCHEMAS, "ovn-nb.ovsschema"))
    sbdb = nodes.start_db(daemons, c, "ovnsb",
                          os.path.join(nodes.OVN_SCHEMAS,
                                       "ovn-sb.ovsschema"))
    c.cmd("ovn-nbctl", "--db=" + nb, "init")
    c.cmd("ovn-sbctl", "--db=" + sbdb, "init")
    pidfile = c.path("run", "ovn-northd.pid")
    c.cmd("ovn-northd", "--detach", "--no-chdir", "--pidfile=" + pidfile,
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
        n = nodes.Node(base, "dp-ovn-" + node)
        env.update(OVN_RUNDIR=n.run, OVN_LOGDIR=n.log, OVN_DBDIR=n.db,
                   OVN_SYSCONFDIR=n.path("etc"))
        pidfile = n.path("run", "ovn-controller.pid")
        nodes.run(["ip", "netns", "exec", "%s-%s" % (sb.prefix, node),
                   "ovn-controller", "--detach", "--no-chdir",
                   "--pidfile=" + pidfile,
                   "--log-file=" + n.path("log", "ovn-controller.log"),
                   "unix:%s/%s/run/db.sock" % (sb.dir, node)], env=env)
        daemons.track(pidfile)
    return c, nb


def ovn_topology(c, nb, ports, with_sg=True):
    cmd = ["ovn-nbctl", "--db=" + nb, "--wait=hv", "--timeout=60",
           "ls-add", "bench"]
    names = []
    for name, node, ip, mac in VMS:
        u = ports[name]
        names.append(u)
        cmd += ["--", "lsp-add", "bench", u,
                "--", "lsp-set-addresses", u, "%s %s" % (mac, ip),
                "--", "lsp-set-port-security", u, "%s %s" % (mac, ip)]
    if with_sg:
        pg = "pg_bench"
        cmd += ["--", "pg-add", pg] + names
        cmd += ["--", "pg-add", "neutron_pg_drop"] + names
        cmd += ["--", "acl-add", "neutron_pg_drop", "from-lport", "1001",
                "inport == @neutron_pg_drop && ip", "drop",
                "--", "acl-add", "neutron_pg_drop", "to-lport", "1001",
                "outport == @neutron_pg_drop && ip", "drop",
                "--", "acl-add", pg, "from-lport", "1002",
                "inport == @%s && ip4" % pg, "allow-related",
                "--", "acl-add", pg, "to-lport", "1002",
                "outport == @%s && ip4 && icmp4" % pg, "allow-related",
                "--", "acl-add", pg, "to-lport", "1002",
                "outport == @%s && ip4 && tcp && tcp.dst == %d"
                % (pg, IPERF_PORT), "allow-related"]
    c.cmd(*cmd, timeout=90)


def megaflows(sb, node="hv1"):
    out = sb("ovs", node, "ovs-appctl", "dpctl/dump-flows", check=False)
    return sum(1 for line in out.splitlines() if "actions:" in line)


def measure(sb, log):
    r = {}
    # Warm up: ARP and the first upcalls; wait for the path to work.
    ok = False
    for _ in range(20):
        out = sb("exec", "vm1", "ping", "-c", "1", "-W", "1", VMS[1][2],
                 check=False)
        if " 0% packet loss" in out:
            ok = True
            break
        time.sleep(0.5)
    if not ok:
        raise nodes.BenchError("vm1 cannot ping vm2")
    out = sb("exec", "vm1", "ping", "-c", "50", "-i", "0.02", "-q",
             VMS[1][2], check=False)
    m = re.search(r"= [\d.]+/([\d.]+)/([\d.]+)/", out)
    r["ping_avg_ms"] = float(m.group(1)) if m else None
    r["ping_max_ms"] = float(m.group(2)) if m else None
    pidfile = os.path.join(sb.dir, "bench-iperf3.pid")
    sb("exec", "vm2", "iperf3", "-s", "-D", "-I", pidfile, "-p",
       str(IPERF_PORT))
    try:
        time.sleep(0.5)
        out = sb("exec", "vm1", "iperf3", "-c", VMS[1][2], "-p",
                 str(IPERF_PORT), "-t", "5", "-J", timeout=60)
        j = json.loads(out)
        r["iperf_gbps"] = j["end"]["sum_received"]["bits_per_second"] / 1e9
        r["iperf_retransmits"] = j["end"]["sum_sent"].get("retransmits")
        counts = {}
        for streams in (1, 8):
            for node in ("hv1", "hv2"):
                sb("ovs", node, "ovs-appctl", "dpctl/del-flows",
                   check=False)
            sb("exec", "vm1", "iperf3", "-c", VMS[1][2], "-p",
               str(IPERF_PORT), "-t", "2", "-P", str(streams), "-J",
               timeout=60)
            counts[streams] = megaflows(sb)
        r["megaflows_1_stream"] = counts[1]
        r["megaflows_8_streams"] = counts[8]
        # iperf3 opens one control connection and one per stream.
        r["megaflows_per_conn"] = (counts[8] - counts[1]) / 7.0
    finally:
        pid = nodes.read_pid(pidfile)
        if pid:
            nodes.Daemons.kill(pid)
    return r


def run_one(a, base, daemons, system, log):
    prefix = "bd%04d" % random.randrange(10000)
    sb = Sandbox(a, prefix)
    ports = {name: "%08x-0000-4000-8000-%012x" % (random.getrandbits(32), i)
             for i, (name, _, _, _) in enumerate(VMS)}
    up = ["up", "--computes", "2", "--gateways", "1", "--no-api",
          "--builddir", a.builddir]
    if system == "ovn":
        up.append("--no-controller")
    try:
        sb(*up, timeout=120)
        nb_rows(sb, ports)
        if system == "ovn":
            c, nb = start_ovn(sb, base, daemons)
            ovn_topology(c, nb, ports)
        for name, node, ip, mac in VMS:
            sb("vm-add", name, "--node", node, "--port", ports[name])
        r = measure(sb, log)
        flows = sb("ovs", "hv1", "ovs-ofctl", "-O", "OpenFlow13",
                   "dump-flows", "br-int", check=False)
        ct = "ct(" in flows
        r["path"] = ("VM->VM, one network, across 2 nodes (geneve, L2); "
                     "conntrack security group: %s" % ("yes" if ct else "no"))
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

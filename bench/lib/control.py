"""control: control-plane figures of one system (dvrflow or OVN) for one
topology size, on one node with a private ovs-vswitchd (dummy datapath).

Both systems see the same cloud (bench/lib/topology.py): the measured
compute node hv1 with every VM port plugged (type "" interfaces with
external_ids:iface-id = the Neutron port UUID) before the NB load starts,
and one remote network node gw1 (a chassis row only) that hosts the
routers' gateways.  Figures:

  converge     from the start of the NB load to the node's
               acknowledgement of the load's nb_cfg (dvrflow:
               Chassis_Private.nb_cfg; OVN: NB_Global.hv_cfg, what
               "ovn-nbctl --wait=hv sync" waits for), or, if br-int's flow
               count still changed after the acknowledgement, to the first
               poll (every 0.1 s) that saw its final value (final =
               unchanged for 1 s)
  flows        OpenFlow flows per bridge and per br-int table
  cpu, rss     CPU seconds during the converge and peak RSS (VmHWM) of
               the controller (OVN: ovn-controller and ovn-northd)
  incremental  N times: plug a VIF, then one NB transaction adds its port
               and a floating IP and bumps nb_cfg; time to the ack
  restart      the controller stopped, nb_cfg bumped, the controller
               started: time to the ack, and the flows it changed (OpenFlow
               flow monitor on br-int; dvrflow also reports its ofctrl
               counters)
  raw          the installed flows dumped (--no-stats) and added with
               "ovs-ofctl --bundle add-flows" to a fresh bridge with as many
               ports: OVS's own install rate for exactly that flow set
"""
import os
import re
import resource
import signal
import subprocess
import threading
import time

import nodes
import ovsdbrpc
import topology

DVR_SCHEMA_REL = "ovsdb/dvrflow-nb.ovsschema"
ENCAP_HV = "192.0.2.11"
ENCAP_GW = "192.0.2.13"


def now():
    return time.monotonic()


class FlowPoller(threading.Thread):
    """Polls br-int's flow count every 'interval' seconds."""

    def __init__(self, node, bridge="br-int", interval=0.1):
        super().__init__(daemon=True)
        self.node, self.bridge, self.interval = node, bridge, interval
        self.samples = []
        self.stop_ev = threading.Event()

    def count(self):
        out = self.node.cmd("ovs-ofctl", "-O", "OpenFlow13",
                            "dump-aggregate", self.bridge, check=False)
        m = re.search(r"flow_count=(\d+)", out or "")
        return int(m.group(1)) if m else None

    def run(self):
        while not self.stop_ev.is_set():
            c = self.count()
            if c is not None:
                self.samples.append((now(), c))
            self.stop_ev.wait(self.interval)

    def wait_stable(self, after, quiet=1.0, timeout=120):
        """Waits until the count has not changed for 'quiet' seconds after
        time 'after'; returns (time the final count was first seen, count).
        """
        deadline = now() + timeout
        while now() < deadline:
            s = list(self.samples)
            if s:
                final, first = s[-1][1], s[-1][0]
                for t, c in reversed(s):
                    if c != final:
                        break
                    first = t
                if s[-1][0] - max(first, after) >= quiet:
                    return first, final
            time.sleep(self.interval)
        s = self.samples
        return (s[-1][0], s[-1][1]) if s else (now(), None)

    def stop(self):
        self.stop_ev.set()
        self.join(5)


class FlowMonitor:
    """Counts flow additions, modifications and deletions on a bridge
    (ovs-ofctl monitor watch:!initial) while it runs."""

    def __init__(self, node, bridge="br-int"):
        self.proc = subprocess.Popen(
            ["ovs-ofctl", "monitor", bridge, "watch:!initial"],
            env=node.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.counts = {"ADDED": 0, "DELETED": 0, "MODIFIED": 0}
        self.paused = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        time.sleep(0.3)

    def _read(self):
        for line in self.proc.stdout:
            m = re.search(r"event=(ADDED|DELETED|MODIFIED)", line)
            if m:
                self.counts[m.group(1)] += 1
            elif "paused" in line:
                self.paused += 1

    def stop(self, settle=0.5):
        time.sleep(settle)
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.thread.join(5)
        return dict(self.counts, total=sum(self.counts.values()),
                    paused=self.paused)


def flows_per_table(node, bridge):
    out = node.cmd("ovs-ofctl", "-O", "OpenFlow13", "--no-names",
                   "dump-flows", "--no-stats", bridge)
    tables = {}
    lines = []
    for line in out.splitlines():
        if "actions=" not in line:
            continue
        lines.append(line.strip())
        m = re.search(r"\btable=(\d+)", line)
        t = int(m.group(1)) if m else 0
        tables[t] = tables.get(t, 0) + 1
    return tables, lines


def bridges_of(node):
    return node.cmd("ovs-vsctl", "list-br").split()


def plug_vifs(node, ports, bridge="br-int"):
    """The VMs' VIFs, as os-vif plugs them (iface-id = Neutron port)."""
    args = []
    for p in ports:
        name = "tap" + p.id[:11]
        args += ["--", "--may-exist", "add-port", bridge, name,
                 "--", "set", "interface", name,
                 "external_ids:iface-id=" + p.id,
                 "external_ids:attached-mac=" + p.mac,
                 "external_ids:iface-status=active",
                 "external_ids:vm-uuid=" + p.vm]
    for i in range(0, len(args), 4000 * 13):
        node.cmd("ovs-vsctl", "--timeout=600", *args[i:i + 4000 * 13][1:],
                 timeout=700)


# A raw bridge gets at most this many ports: OVS accepts flows for ports
# that do not exist, and with thousands, adding and deleting the raw
# bridge's ports took ovs-vswitchd longer than the whole measurement (the
# large size timed out in "del-br").
RAW_PORTS_MAX = 1000


def raw_install(node, bridges_flows, tag):
    """For each (bridge, flow lines, n_ports): a fresh bridge with as many
    ports (up to RAW_PORTS_MAX), the groups, meters and tunnel metadata
    map copied, then the timed 'ovs-ofctl --bundle add-flows'.  Returns
    (seconds, flows, CPU seconds of ovs-ofctl, CPU seconds of
    ovs-vswitchd)."""
    total_s = 0.0
    total_flows = 0
    ofctl_cpu = 0.0
    vswitchd_cpu = 0.0
    vswitchd = nodes.read_pid(node.path("run", "ovs-vswitchd.pid"))
    for i, (br, lines, n_ports) in enumerate(bridges_flows):
        if not lines:
            continue
        raw = "raw%s%d" % (tag, i)
        args = ["ovs-vsctl", "--timeout=600", "add-br", raw, "--", "set",
                "bridge", raw, "datapath_type=dummy", "fail_mode=secure",
                "protocols=OpenFlow10,OpenFlow13,OpenFlow15",
                "other_config:disable-in-band=true"]
        for j in range(min(n_ports, RAW_PORTS_MAX)):
            args += ["--", "add-port", raw, "%s-p%d" % (raw, j)]
        node.cmd(*args, timeout=700)
        tlv = node.cmd("ovs-ofctl", "dump-tlv-map", br, check=False)
        maps = ["{class=%s,type=%s,len=%s}->%s" % m for m in re.findall(
            r"^\s*(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\d+)\s+(tun_metadata\d+)",
            tlv, re.M)]
        if maps:
            node.cmd("ovs-ofctl", "add-tlv-map", raw, ",".join(maps),
                     check=False)
        groups = node.cmd("ovs-ofctl", "-O", "OpenFlow15", "--no-names",
                          "dump-groups", br, check=False)
        glines = [g.strip() for g in groups.splitlines()
                  if g.strip().startswith("group_id=")]
        if glines:
            node.cmd("ovs-ofctl", "-O", "OpenFlow15", "add-groups", raw, "-",
                     input="\n".join(glines) + "\n")
        meters = node.cmd("ovs-ofctl", "-O", "OpenFlow13", "dump-meters",
                          br, check=False)
        # Every flag ("pktps burst stats"): a burst size needs "burst".
        for m in re.finditer(r"meter=(\d+) ([\w ]*?) ?bands=\n\s*type=(\w+) "
                             r"rate=(\d+)(?: burst_size=(\d+))?", meters):
            spec = "meter=%s,%s,band=type=%s,rate=%s" % (
                m.group(1), ",".join(m.group(2).split()), m.group(3),
                m.group(4))
            if m.group(5):
                spec += ",burst_size=" + m.group(5)
            node.cmd("ovs-ofctl", "-O", "OpenFlow13", "add-meter", raw,
                     spec, check=False)
        path = node.path("run", raw + ".flows")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        sw0 = nodes.proc_cpu(vswitchd)
        t = now()
        node.cmd("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows",
                 raw, path)
        total_s += now() - t
        vswitchd_cpu += nodes.proc_cpu(vswitchd) - sw0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        ofctl_cpu += (ru1.ru_utime - ru0.ru_utime
                      + ru1.ru_stime - ru0.ru_stime)
        n = FlowPoller(node, raw).count()
        if n != len(lines):
            raise nodes.BenchError("raw install of %s: %s flows, expected %d"
                                   % (br, n, len(lines)))
        total_flows += len(lines)
        node.cmd("ovs-vsctl", "--timeout=600", "del-br", raw, timeout=700)
    return total_s, total_flows, ofctl_cpu, vswitchd_cpu


def percentile(values, q):
    v = sorted(values)
    if not v:
        return None
    return v[min(len(v) - 1, int(len(v) * q))]


class System:
    """What both systems share; subclasses start the daemons and know how
    to wait for an acknowledgement."""

    name = "?"

    def __init__(self, base, daemons, topo, args):
        self.base = base
        self.daemons = daemons
        self.topo = topo
        self.args = args
        self.hv = None
        self.result = {"system": self.name}

    # Process figures.
    def procs(self):
        """{label: pid} of the control plane's processes."""
        raise NotImplementedError

    def cpu(self):
        return {k: nodes.proc_cpu(p) for k, p in self.procs().items()}

    def mem(self):
        return {k: nodes.proc_mem(p)[1] for k, p in self.procs().items()}

    def measure(self, n_changes):
        """Fills self.result as it goes, so that a step that fails leaves
        the figures measured before it."""
        r = self.result = {"system": self.name}
        topo = self.topo
        self.setup()
        plug_vifs(self.hv, topo.ports)
        time.sleep(1.0)
        self.settle()
        cpu0 = self.cpu()
        sw0 = nodes.proc_cpu(self.vswitchd_pid())
        poller = FlowPoller(self.hv)
        poller.start()

        # The load.
        txns = self.nb_txns()
        t0 = now()
        for ops in txns:
            self.conn.transact(self.db, ops)
        t_loaded = now()
        target = self.nb_cfg()
        t_ack = self.wait_ack(target, timeout=self.args.timeout)
        n_ack = poller.count()
        t_stable, n_final = poller.wait_stable(t_ack)
        poller.stop()
        if n_ack == n_final:
            # Nothing came after the acknowledgement.
            t_stable = t_ack
        cpu1 = self.cpu()
        r["load_s"] = t_loaded - t0
        r["n_ops"] = sum(len(x) for x in txns)
        r["n_txns"] = len(txns)
        r["ack_s"] = t_ack - t0
        r["converge_s"] = max(t_ack, t_stable) - t0
        r["cpu_converge_s"] = {k: cpu1[k] - cpu0.get(k, 0) for k in cpu1}
        r["vswitchd_cpu_converge_s"] = (nodes.proc_cpu(self.vswitchd_pid())
                                        - sw0)
        r["rss_converge_kib"] = self.mem()

        # The flows.
        r["flows"] = {}
        r["tables_br_int"] = {}
        bridges_flows = []
        for br in bridges_of(self.hv):
            tables, lines = flows_per_table(self.hv, br)
            r["flows"][br] = len(lines)
            if br == "br-int":
                r["tables_br_int"] = {str(k): v
                                      for k, v in sorted(tables.items())}
            n_ports = len(self.hv.cmd("ovs-vsctl", "list-ports",
                                      br).split())
            bridges_flows.append((br, lines, n_ports))
        r["flows_br_int"] = r["flows"].get("br-int", 0)
        r["flows_total"] = sum(r["flows"].values())
        if n_final is not None and n_final != r["flows_br_int"]:
            r["note_flows"] = ("br-int changed after the converge: %d then %d"
                               % (n_final, r["flows_br_int"]))

        # One port with a floating IP at a time.
        lat = []
        added = []
        inside = []
        for i in range(n_changes):
            port = topo.extra_port(i)
            plug_vifs(self.hv, [port])
            time.sleep(0.15)
            before = FlowPoller(self.hv).count()
            ops = self.incremental_ops(port)
            t = now()
            self.conn.transact(self.db, ops)
            self.wait_ack(self.nb_cfg(), timeout=60)
            lat.append((now() - t) * 1000)
            after = FlowPoller(self.hv).count()
            added.append(after - before)
            d = self.change_cost_ms()
            if d is not None:
                inside.append(d)
        if lat:
            r["incr_n"] = len(lat)
            r["incr_p50_ms"] = percentile(lat, 0.50)
            r["incr_p99_ms"] = percentile(lat, 0.99)
            r["incr_max_ms"] = max(lat)
            r["incr_flows_per_change"] = sum(added) / len(added)
        if inside:
            r["incr_ctl_p50_ms"] = percentile(inside, 0.50)
            r["incr_ctl_p99_ms"] = percentile(inside, 0.99)
        r["rss_peak_kib"] = self.mem()
        r["cpu_total_s"] = self.cpu()

        # Cold restart of the controller.
        mon = FlowMonitor(self.hv)
        self.stop_controller()
        self.conn.transact(self.db, [topology.bump_nb_cfg()])
        target = self.nb_cfg()
        t = now()
        self.start_controller()
        t_ack = self.wait_ack(target, timeout=self.args.timeout)
        r["restart_s"] = t_ack - t
        time.sleep(1.0)
        r["restart_flow_changes"] = mon.stop()
        r.update(self.restart_extra())

        # OVS's own limit for the same flows.
        raw_s, raw_flows, raw_ofctl, raw_sw = raw_install(
            self.hv, bridges_flows, self.name[:3])
        r["raw_ofctl_cpu_s"] = raw_ofctl
        r["raw_vswitchd_cpu_s"] = raw_sw
        r["raw_install_s"] = raw_s
        r["raw_flows"] = raw_flows
        r["raw_rate"] = raw_flows / raw_s if raw_s else None
        r["rate"] = r["flows_total"] / r["converge_s"]
        r["rate_vs_raw"] = r["rate"] / r["raw_rate"] if raw_s else None
        return r

    def vswitchd_pid(self):
        return nodes.read_pid(self.hv.path("run", "ovs-vswitchd.pid"))

    def nb_cfg(self):
        res = self.conn.transact(self.db, [{"op": "select",
                                            "table": "NB_Global",
                                            "where": [],
                                            "columns": ["nb_cfg"]}])
        return res[0]["rows"][0]["nb_cfg"]

    def wait_ack(self, target, timeout):
        """Waits for the node's acknowledgement of nb_cfg 'target';
        returns its time."""
        if not self.conn.wait_for(lambda: self.acked() >= target, timeout):
            raise nodes.BenchError("%s: no acknowledgement of nb_cfg %d in "
                                   "%d s" % (self.name, target, timeout))
        return now()

    def change_cost_ms(self):
        """The controller's own time for the last change, if it says."""
        return None

    def settle(self, quiet=1.0, timeout=60):
        """Waits until the switch's flow count stops changing."""
        p = FlowPoller(self.hv)
        last, since = None, now()
        deadline = now() + timeout
        while now() < deadline:
            c = p.count()
            if c != last:
                last, since = c, now()
            elif now() - since >= quiet:
                return
            time.sleep(0.1)


class Dvrflow(System):
    name = "dvrflow"
    db = topology.DvrNB.DB

    def setup(self):
        a = self.args
        self.nb = nodes.Node(self.base, "dvr-nb")
        schema = os.path.join(a.srcdir, DVR_SCHEMA_REL)
        self.nb_remote = nodes.start_db(self.daemons, self.nb, "nb", schema)
        self.conn = ovsdbrpc.Connection(self.nb_remote)
        self.conn.transact(self.db, [
            {"op": "insert", "table": "NB_Global", "row": {}},
            # The remote network node, as its controller registers it.
            {"op": "insert", "table": "Chassis",
             "row": {"name": topology.GW, "hostname": topology.GW,
                     "encap_type": "geneve", "encap_ip": ENCAP_GW,
                     "bridge_mappings": ["map", [[topology.PHYSNET,
                                                  "br-ex"]]],
                     "gateway_capable": True}}])
        self.rows = self.conn.monitor(self.db, "ack", {
            "Chassis_Private": ["name", "nb_cfg"]})
        self.hv = nodes.Node(self.base, "dvr-hv1")
        nodes.start_switch(self.daemons, self.hv)
        self.hv.cmd("ovs-vsctl", "--", "add-br", "br-ex", "--", "set",
                    "bridge", "br-ex", "datapath_type=dummy", "--", "set",
                    "open", ".",
                    "external_ids:system-id=" + topology.HV,
                    "external_ids:hostname=" + topology.HV,
                    "external_ids:dvr-nb-remote=" + self.nb_remote,
                    "external_ids:dvr-encap-ip=" + ENCAP_HV,
                    "external_ids:dvr-encap-type=geneve",
                    "external_ids:dvr-bridge-mappings=%s:br-ex"
                    % topology.PHYSNET,
                    "external_ids:dvr-gateway=false",
                    "external_ids:dvr-datapath-type=dummy",
                    "external_ids:dvr-monitor-all=%s"
                    % ("true" if a.monitor_all else "false"))
        self.start_controller()
        self.wait_ack(0, timeout=30)
        deadline = now() + 30
        while "br-int" not in bridges_of(self.hv):
            if now() > deadline:
                raise nodes.BenchError("dvr-controller made no br-int")
            time.sleep(0.1)

    def ctl(self, *args):
        return self.hv.cmd("ovs-appctl", "-t",
                           self.hv.path("run", "dvr-controller.ctl"), *args)

    def start_controller(self):
        pidfile = self.hv.path("run", "dvr-controller.pid")
        self.hv.cmd(os.path.join(self.args.builddir, "controller",
                                 "dvr-controller"),
                    "--detach", "--no-chdir", "--pidfile=" + pidfile,
                    "--log-file=" + self.hv.path("log",
                                                 "dvr-controller.log"),
                    "--unixctl=" + self.hv.path("run",
                                                "dvr-controller.ctl"),
                    "unix:" + self.hv.path("run", "db.sock"))
        self.daemons.track(pidfile)
        nodes.wait_file(pidfile)

    def stop_controller(self):
        self.daemons.stop_pidfile(self.hv.path("run", "dvr-controller.pid"))

    def procs(self):
        return {"dvr-controller":
                nodes.read_pid(self.hv.path("run", "dvr-controller.pid"))}

    def acked(self):
        for row in self.rows.get("Chassis_Private", {}).values():
            if row.get("name") == topology.HV:
                return row.get("nb_cfg", 0)
        return -1

    def nb_txns(self):
        return topology.DvrNB(self.topo).load_txns()

    def incremental_ops(self, port):
        return topology.DvrNB(self.topo).incremental_ops(port)

    def change_cost_ms(self):
        m = re.search(r"last change: compile\+install (\d+) us",
                      self.ctl("status"))
        return int(m.group(1)) / 1000.0 if m else None

    def restart_extra(self):
        """The restarted controller's own ofctrl counters."""
        st = self.ctl("status")
        changed = 0
        per = {}
        for m in re.finditer(r"^\s+(\S+): \w[\w ]*, (\d+) flows, \d+ bundles "
                             r"\((\d+) adds, (\d+) modifies, (\d+) deletes\)",
                             st, re.M):
            n = int(m.group(3)) + int(m.group(4)) + int(m.group(5))
            per[m.group(1)] = n
            changed += n
        return {"restart_ofctrl_changes": changed,
                "restart_ofctrl_per_bridge": per}


class Ovn(System):
    name = "ovn"
    db = topology.OvnNB.DB

    def bin(self, prog):
        return nodes.ovn_bin(self.name, prog)

    def setup(self, gateway=True):
        """The central node and hv1.  'gateway' false leaves out the
        remote network node gw1 (bench/scale-ovn.py writes its own
        chassis)."""
        self.central = c = nodes.Node(self.base, "ovn-central")
        schemas = nodes.ovn_schemas(self.name)
        self.nb_remote = nodes.start_db(
            self.daemons, c, "ovnnb",
            os.path.join(schemas, "ovn-nb.ovsschema"), self.name)
        self.sb_remote = nodes.start_db(
            self.daemons, c, "ovnsb",
            os.path.join(schemas, "ovn-sb.ovsschema"), self.name)
        c.cmd(self.bin("ovn-nbctl"), "--db=" + self.nb_remote, "init")
        c.cmd(self.bin("ovn-sbctl"), "--db=" + self.sb_remote, "init")
        pidfile = c.path("run", "ovn-northd.pid")
        c.cmd(self.bin("ovn-northd"), "--detach", "--no-chdir",
              "--pidfile=" + pidfile,
              "--log-file=" + c.path("log", "ovn-northd.log"),
              "--unixctl=" + c.path("run", "ovn-northd.ctl"),
              "--ovnnb-db=" + self.nb_remote,
              "--ovnsb-db=" + self.sb_remote)
        self.daemons.track(pidfile)
        nodes.wait_file(pidfile)
        # The remote network node hosting the gateway ports.
        if gateway:
            c.cmd(self.bin("ovn-sbctl"), "--db=" + self.sb_remote,
                  "chassis-add", topology.GW, "geneve", ENCAP_GW)
        self.conn = ovsdbrpc.Connection(self.nb_remote)
        self.rows = self.conn.monitor(self.db, "ack", {
            "NB_Global": ["nb_cfg", "hv_cfg"]})
        self.hv = hv = nodes.Node(self.base, "ovn-hv1")
        nodes.start_switch(self.daemons, hv)
        hv.cmd("ovs-vsctl", "--", "add-br", "br-int", "--", "set", "bridge",
               "br-int", "datapath_type=dummy", "fail_mode=secure",
               "other_config:disable-in-band=true",
               "--", "add-br", "br-ex", "--", "set", "bridge", "br-ex",
               "datapath_type=dummy", "--", "set", "open", ".",
               "external_ids:system-id=" + topology.HV,
               "external_ids:hostname=" + topology.HV,
               "external_ids:ovn-remote=" + self.sb_remote,
               "external_ids:ovn-encap-type=geneve",
               "external_ids:ovn-encap-ip=" + ENCAP_HV,
               "external_ids:ovn-bridge-mappings=%s:br-ex"
               % topology.PHYSNET,
               "external_ids:ovn-bridge-datapath-type=dummy")
        self.start_controller()
        self.conn.transact(self.db, [topology.bump_nb_cfg()])
        self.wait_ack(self.nb_cfg(), timeout=60)

    def start_controller(self):
        pidfile = self.hv.path("run", "ovn-controller.pid")
        self.hv.cmd(self.bin("ovn-controller"), "--detach", "--no-chdir",
                    "--pidfile=" + pidfile,
                    "--log-file=" + self.hv.path("log",
                                                 "ovn-controller.log"),
                    "unix:" + self.hv.path("run", "db.sock"))
        self.daemons.track(pidfile)
        nodes.wait_file(pidfile)

    def stop_controller(self):
        """As a package upgrade restarts it: exit --restart keeps the
        chassis in the SB database."""
        pidfile = self.hv.path("run", "ovn-controller.pid")
        pid = nodes.read_pid(pidfile)
        self.hv.cmd(self.bin("ovn-appctl"), "-t",
                    self.hv.path("run", "ovn-controller.%d.ctl" % pid),
                    "exit", "--restart", check=False)
        deadline = now() + 10
        while pid and os.path.exists("/proc/%d" % pid) and now() < deadline:
            time.sleep(0.05)
        self.daemons.stop_pidfile(pidfile)

    def procs(self):
        return {"ovn-controller":
                nodes.read_pid(self.hv.path("run", "ovn-controller.pid")),
                "ovn-northd":
                nodes.read_pid(self.central.path("run", "ovn-northd.pid"))}

    def acked(self):
        for row in self.rows.get("NB_Global", {}).values():
            return row.get("hv_cfg", 0)
        return -1

    def nb_txns(self):
        return topology.OvnNB(self.topo).load_txns()

    def incremental_ops(self, port):
        if not hasattr(self, "dhcp"):
            res = self.conn.transact(self.db, [{
                "op": "select", "table": "DHCP_Options", "where": [],
                "columns": ["_uuid", "external_ids"]}])
            self.dhcp = {}
            for row in res[0]["rows"]:
                ids = dict(row["external_ids"][1])
                self.dhcp[ids.get("subnet_id")] = row["_uuid"][1]
        return topology.OvnNB(self.topo).incremental_ops(
            port, self.dhcp.get(self.topo.subnet(port.t)))

    def restart_extra(self):
        return {}


class Ovn2603(Ovn):
    """OVN 26.03 LTS, built from source (bench/build-ovn-anchor)."""
    name = "ovn-26.03"


SYSTEMS = {"dvrflow": Dvrflow, "ovn": Ovn, "ovn-26.03": Ovn2603}


def stop_signal_safe(daemons):
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)

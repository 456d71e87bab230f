"""neutron_bed: the parts of bench/neutron-bench: the hypervisors of each
backend, the OpenStack services, and a REST client for Keystone and
Neutron.

Hypervisors (the same for both backends): H private ovs-vswitchd on the
dummy datapath (bench/lib/nodes.py: each with its own run/db/log/etc
directories and OVS_* variables), with external_ids:hostname hvN, and
  dvrflow: one NB ovsdb-server and a dvr-controller per hypervisor;
  ovn:     an OVN NB and SB ovsdb-server, ovn-northd, and an
           ovn-controller per hypervisor (OVN_* variables of the node).
Every daemon is started detached with a pid file that nodes.Daemons
tracks; the caller stops them on every exit path.

A VM port is plugged as os-vif plugs it: an interface on the
hypervisor's br-int (type "": a dummy device on that datapath) with
external_ids iface-id (the Neutron port's UUID), attached-mac,
iface-status=active and vm-uuid.  Both backends' node agents claim it
from those.

The services (Keystone, neutron-server and their MariaDBs) run under
bench/lib/neutron-services.sh, a child that lives as long as its
standard input: closing it (Services.stop, or this process dying) stops
them all.
"""
import http.client
import json
import os
import re
import subprocess
import time
import urllib.parse

import nodes

DVR_SCHEMA_REL = "ovsdb/dvrflow-nb.ovsschema"
HERE = os.path.dirname(os.path.abspath(__file__))


def now():
    return time.monotonic()


def encap_ip(i):
    return "192.0.2.%d" % (10 + i)


def descendants(pid):
    """'pid' and every process below it."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_of(pids):
    total = 0.0
    for p in pids:
        try:
            total += nodes.proc_cpu(p)
        except (OSError, ValueError, IndexError):
            pass
    return total


def flow_count(node, bridge="br-int"):
    out = node.cmd("ovs-ofctl", "-O", "OpenFlow13", "dump-aggregate",
                   bridge, check=False)
    m = re.search(r"flow_count=(\d+)", out or "")
    return int(m.group(1)) if m else None


class Bed:
    """What both backends' hypervisors share."""

    name = "?"

    def __init__(self, base, daemons, n_hvs, args):
        self.base = base
        self.daemons = daemons
        self.args = args
        self.hvs = []
        self.n_hvs = n_hvs

    def start_hv(self, i, ids):
        hv = nodes.Node(self.base, "hv%d" % i)
        hv.hostname = "hv%d" % i
        nodes.start_switch(self.daemons, hv)
        args = ["ovs-vsctl", "--", "set", "open", ".",
                "external_ids:system-id=hv%d" % i,
                "external_ids:hostname=hv%d" % i]
        hv.cmd(*(args + ["external_ids:%s=%s" % kv for kv in ids]))
        self.hvs.append(hv)
        return hv

    def plug(self, hv, port_id, mac, vm):
        """As os-vif plugs a VIF (ovs-vsctl, waiting for ovs-vswitchd)."""
        name = "tap" + port_id[:11]
        hv.cmd("ovs-vsctl", "--timeout=120", "--", "--may-exist", "add-port",
               "br-int", name, "--", "set", "interface", name,
               "external_ids:iface-id=" + port_id,
               "external_ids:attached-mac=" + mac,
               "external_ids:iface-status=active",
               "external_ids:vm-uuid=" + vm)

    def wait_br_int(self, timeout=60):
        deadline = now() + timeout
        for hv in self.hvs:
            while "br-int" not in hv.cmd("ovs-vsctl", "list-br").split():
                if now() > deadline:
                    raise nodes.BenchError("%s: no br-int on %s"
                                           % (self.name, hv.name))
                time.sleep(0.1)

    def pid(self, node, name):
        return nodes.read_pid(node.path("run", name + ".pid"))

    def vswitchd_pids(self):
        return [self.pid(hv, "ovs-vswitchd") for hv in self.hvs]

    def flows(self):
        return [flow_count(hv) for hv in self.hvs]


class DvrflowBed(Bed):
    name = "dvrflow"

    def start(self):
        a = self.args
        self.central = nodes.Node(self.base, "nb")
        self.nb = nodes.start_db(self.daemons, self.central, "nb",
                                 os.path.join(a.srcdir, DVR_SCHEMA_REL))
        self.central.cmd("ovsdb-client", "transact", self.nb,
                         '["DVRFLOW_Northbound", {"op": "insert", '
                         '"table": "NB_Global", "row": {}}]')
        self.sb = None
        for i in range(1, self.n_hvs + 1):
            hv = self.start_hv(i, [
                ("dvr-nb-remote", self.nb),
                ("dvr-encap-ip", encap_ip(i)),
                ("dvr-encap-type", "geneve"),
                ("dvr-gateway", "false"),
                ("dvr-datapath-type", "dummy")])
            pidfile = hv.path("run", "dvr-controller.pid")
            hv.cmd(os.path.join(a.builddir, "controller", "dvr-controller"),
                   "--detach", "--no-chdir", "--pidfile=" + pidfile,
                   "--log-file=" + hv.path("log", "dvr-controller.log"),
                   "--unixctl=" + hv.path("run", "dvr-controller.ctl"),
                   "unix:" + hv.path("run", "db.sock"))
            self.daemons.track(pidfile)
            nodes.wait_file(pidfile)
        self.wait_br_int()

    def procs(self):
        """{label: [pids]} of the backend's control plane."""
        return {"dvr-controller": [self.pid(hv, "dvr-controller")
                                   for hv in self.hvs],
                "NB ovsdb-server": [self.pid(self.central, "nb")]}


class OvnBed(Bed):
    name = "ovn"

    def start(self):
        c = self.central = nodes.Node(self.base, "ovn-central")
        self.nb = nodes.start_db(self.daemons, c, "ovnnb", os.path.join(
            nodes.OVN_SCHEMAS, "ovn-nb.ovsschema"))
        self.sb = nodes.start_db(self.daemons, c, "ovnsb", os.path.join(
            nodes.OVN_SCHEMAS, "ovn-sb.ovsschema"))
        c.cmd("ovn-nbctl", "--db=" + self.nb, "init")
        c.cmd("ovn-sbctl", "--db=" + self.sb, "init")
        pidfile = c.path("run", "ovn-northd.pid")
        c.cmd("ovn-northd", "--detach", "--no-chdir", "--pidfile=" + pidfile,
              "--log-file=" + c.path("log", "ovn-northd.log"),
              "--unixctl=" + c.path("run", "ovn-northd.ctl"),
              "--ovnnb-db=" + self.nb, "--ovnsb-db=" + self.sb)
        self.daemons.track(pidfile)
        nodes.wait_file(pidfile)
        for i in range(1, self.n_hvs + 1):
            hv = self.start_hv(i, [
                ("ovn-remote", self.sb),
                ("ovn-encap-type", "geneve"),
                ("ovn-encap-ip", encap_ip(i)),
                ("ovn-bridge-datapath-type", "dummy")])
            pidfile = hv.path("run", "ovn-controller.pid")
            hv.cmd("ovn-controller", "--detach", "--no-chdir",
                   "--pidfile=" + pidfile,
                   "--log-file=" + hv.path("log", "ovn-controller.log"),
                   "unix:" + hv.path("run", "db.sock"))
            self.daemons.track(pidfile)
            nodes.wait_file(pidfile)
        self.wait_br_int()

    def procs(self):
        return {"ovn-controller": [self.pid(hv, "ovn-controller")
                                   for hv in self.hvs],
                "ovn-northd": [self.pid(self.central, "ovn-northd")],
                "NB+SB ovsdb-server": [self.pid(self.central, "ovnnb"),
                                       self.pid(self.central, "ovnsb")]}


BEDS = {"dvrflow": DvrflowBed, "ovn": OvnBed}


class Services:
    """Keystone, neutron-server and their MariaDBs for one backend, under
    bench/lib/neutron-services.sh."""

    def __init__(self, backend, directory, bed, ks_port, neutron_port,
                 srcdir, api_workers=1, timeout=600):
        env = dict(os.environ, abs_top_srcdir=srcdir, BENCH_NB=bed.nb,
                   BENCH_SB=bed.sb or "", NEUTRON_PORT=str(neutron_port),
                   KS_BIND_PORT=str(ks_port),
                   BENCH_API_WORKERS=str(api_workers))
        self.log = open(os.path.join(directory, "services.log"), "w")
        self.proc = subprocess.Popen(
            ["bash", os.path.join(HERE, "neutron-services.sh"), backend,
             os.path.join(directory, "openstack")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            text=True, env=env, start_new_session=True)
        self.vars = {}
        deadline = now() + timeout
        for line in self.proc.stdout:
            line = line.strip()
            if line == "READY":
                break
            k, _, v = line.partition("=")
            self.vars[k] = v
            if now() > deadline:
                break
        if "NEUTRON_URL" not in self.vars or self.proc.poll() is not None:
            self.stop()
            raise nodes.BenchError(
                "%s: the OpenStack services did not start (see %s)"
                % (backend, self.log.name))

    def stop(self):
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(60)
        self.proc = None
        self.log.close()


class Api:
    """Neutron's REST API with one Keystone token, one HTTP connection
    (kept alive) per instance: one per client thread."""

    def __init__(self, url, token):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = None

    def call(self, method, path, body=None, ok=(200, 201, 204)):
        data = json.dumps(body) if body is not None else None
        headers = {"X-Auth-Token": self.token,
                   "Content-Type": "application/json",
                   "Accept": "application/json"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=300)
            try:
                self.conn.request(method, "/v2.0" + path, data, headers)
                r = self.conn.getresponse()
                text = r.read().decode()
                break
            except (http.client.HTTPException, OSError):
                # The server closed an idle connection: once more, afresh.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        if r.status not in ok:
            raise nodes.BenchError("%s %s: %d %s" % (method, path, r.status,
                                                     text[:500]))
        return json.loads(text) if text else None


def keystone_token(ks_url, password):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "admin", "domain": {"id": "default"},
                 "password": password}}},
        "scope": {"project": {"name": "admin",
                              "domain": {"id": "default"}}}}}
    u = urllib.parse.urlparse(ks_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("POST", u.path + "/auth/tokens", json.dumps(body),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    token = r.getheader("X-Subject-Token")
    conn.close()
    if r.status != 201 or not token:
        raise nodes.BenchError("Keystone gave no token (%d)" % r.status)
    return token

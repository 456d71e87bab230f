"""nodes: private OVS and OVN daemons for the benchmarks.

Every instance gets its own directory with run/, db/, log/, etc/ and its
own OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR, OVS_SYSCONFDIR (and OVN_* for OVN),
so it never meets the system's OVS or OVN, another test or another
benchmark.  Each daemon is started detached with a pid file; Daemons.stop()
stops every daemon it started, by pid (SIGTERM, then SIGKILL after 5 s),
and is called on every exit path by bench/run.
"""
import os
import shutil
import signal
import subprocess
import time

OVS_SRCDIR = os.environ.get("OVS_SRCDIR",
                            "/var/cache/dvrflow/ovs-current/src")
OVN_SCHEMAS = "/usr/share/ovn"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The OVNs a run compares with: Debian's packages ("ovn") and the newer
# long-term release built from source by bench/build-ovn-anchor
# ("ovn-26.03"), whose install prefix bench/run records here.  Only OVN's
# daemons, tools and database server differ; every system uses the same,
# installed ovs-vswitchd.
OVN_PREFIX = {"ovn": None, "ovn-26.03": None}


def ovn_bin(flavour, prog):
    """The path of OVN program 'prog' (or ovsdb-server/ovsdb-tool for the
    OVN central node) of 'flavour'."""
    prefix = OVN_PREFIX.get(flavour)
    return os.path.join(prefix, "bin", prog) if prefix else prog


def ovn_schemas(flavour):
    prefix = OVN_PREFIX.get(flavour)
    return os.path.join(prefix, "share", "ovn") if prefix else OVN_SCHEMAS


class BenchError(Exception):
    pass


def run(cmd, env=None, check=True, capture=True, timeout=300, input=None):
    p = subprocess.run(cmd, env=env, capture_output=capture, text=True,
                       timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise BenchError("%s failed (%d): %s"
                         % (" ".join(cmd[:6]), p.returncode,
                            (p.stderr or "").strip()[-800:]))
    return p.stdout if capture else ""


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def proc_cpu(pid):
    """User + system CPU seconds of 'pid'."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_mem(pid):
    """(VmRSS, VmHWM) of 'pid' in KiB."""
    rss = hwm = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def wait_file(path, timeout=10):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise BenchError("timed out waiting for %s" % path)
        time.sleep(0.05)


class Daemons:
    """The pid files of every daemon started, to stop them on exit."""

    def __init__(self):
        self.pidfiles = []

    def track(self, pidfile):
        if pidfile not in self.pidfiles:
            self.pidfiles.append(pidfile)

    @staticmethod
    def kill(pid, sig=signal.SIGTERM, wait=5.0):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return False
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                with open("/proc/%d/status" % pid) as f:
                    if "\nState:\tZ" in f.read():
                        break
            except (ProcessLookupError, FileNotFoundError):
                break
            time.sleep(0.05)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return True

    def stop_pidfile(self, pidfile, sig=signal.SIGTERM):
        pid = read_pid(pidfile)
        if pid:
            self.kill(pid, sig)
        try:
            os.unlink(pidfile)
        except OSError:
            pass

    def stop(self):
        for pf in reversed(self.pidfiles):
            pid = read_pid(pf)
            if pid:
                self.kill(pid)
        self.pidfiles = []


class Node:
    """One directory with run/ db/ log/ etc/ and the environment for it."""

    def __init__(self, base, name):
        self.name = name
        self.dir = os.path.join(base, name)
        for d in ("run", "db", "log", "etc"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        self.run = os.path.join(self.dir, "run")
        self.db = os.path.join(self.dir, "db")
        self.log = os.path.join(self.dir, "log")
        self.env = dict(os.environ)
        self.env.update(OVS_RUNDIR=self.run, OVS_DBDIR=self.db,
                        OVS_LOGDIR=self.log,
                        OVS_SYSCONFDIR=os.path.join(self.dir, "etc"),
                        OVS_PKGDATADIR=OVS_SRCDIR,
                        OVN_RUNDIR=self.run, OVN_DBDIR=self.db,
                        OVN_LOGDIR=self.log,
                        OVN_SYSCONFDIR=os.path.join(self.dir, "etc"),
                        OVN_PKGDATADIR=OVN_SCHEMAS)
        self.env["PATH"] = self.env.get("PATH", "") + ":/usr/sbin:/sbin"

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def cmd(self, *args, **kw):
        return run(list(args), env=self.env, **kw)


def start_db(daemons, node, name, schema, flavour=None):
    """ovsdb-server with one database from 'schema'; returns its remote.
    With an OVN 'flavour', the database server that OVN was built with."""
    db = node.path("db", name + ".db")
    if not os.path.exists(db):
        node.cmd(ovn_bin(flavour, "ovsdb-tool"), "create", db, schema)
    sock = node.path("run", name + ".sock")
    pidfile = node.path("run", name + ".pid")
    node.cmd(ovn_bin(flavour, "ovsdb-server"), "--detach", "--no-chdir",
             "--pidfile=" + pidfile,
             "--log-file=" + node.path("log", name + ".log"),
             "--remote=punix:" + sock,
             "--unixctl=" + node.path("run", name + ".ctl"), db)
    daemons.track(pidfile)
    wait_file(sock)
    return "unix:" + sock


def start_switch(daemons, node, datapath="dummy"):
    """ovsdb-server + ovs-vswitchd for 'node'.  On the dummy datapath
    (--enable-dummy=override) interfaces of type "" are dummy devices, so
    VIFs are plain ports (the type OVN handles incrementally)."""
    db = node.path("db", "conf.db")
    node.cmd("ovsdb-tool", "create", db,
             os.path.join(OVS_SRCDIR, "vswitchd", "vswitch.ovsschema"))
    pidfile = node.path("run", "ovsdb-server.pid")
    node.cmd("ovsdb-server", "--detach", "--no-chdir",
             "--pidfile=" + pidfile,
             "--log-file=" + node.path("log", "ovsdb-server.log"),
             "--remote=punix:" + node.path("run", "db.sock"), db)
    daemons.track(pidfile)
    wait_file(node.path("run", "db.sock"))
    node.cmd("ovs-vsctl", "--no-wait", "init")
    pidfile = node.path("run", "ovs-vswitchd.pid")
    args = ["ovs-vswitchd", "--detach", "--no-chdir",
            "--pidfile=" + pidfile,
            "--log-file=" + node.path("log", "ovs-vswitchd.log")]
    if datapath == "dummy":
        args += ["--enable-dummy=override", "--disable-system",
                 "--disable-system-route"]
    node.cmd(*(args + ["unix:" + node.path("run", "db.sock")]))
    daemons.track(pidfile)
    wait_file(pidfile)
    node.db_remote = "unix:" + node.path("run", "db.sock")


def cleanup_dir(path, keep):
    if not keep:
        shutil.rmtree(path, ignore_errors=True)

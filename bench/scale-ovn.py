#!/usr/bin/env python3
"""scale-ovn: bench/scale's cloud on OVN 23.03 (bench/scale --backend ovn).

  scale-ovn.py DIR SIZES PER CHANGES MODES TIMEOUT
      For each size H in SIZES (e.g. "10 100"): the cloud of
      bench/scale-load.py written into OVN's NB as Neutron's ML2/OVN
      driver would write it, with the same names, addresses and
      placement: two tenants per hypervisor, each a logical switch with
      its VM ports (addresses and port_security, DHCP options), a port
      group with the security group's ACLs (ingress TCP 22, ICMP and
      everything from the group's own members through its address set
      $pg_gT_ip4; egress allowed) and a logical router with one port on
      the switch and a distributed gateway port on the shared "public"
      switch, its gateway chassis a simulated hypervisor, an SNAT for the
      tenant subnet and one distributed floating IP (dnat_and_snat with
      logical_port and external_mac) on its first port; tenant t's ports
      sit on hypervisors t/2 and t/2+1.  The NB is written in
      transactions of 20 tenants (bench/lib/ovsdbrpc.py).

      Central: NB and SB ovsdb-servers and ovn-northd; hv1: a real
      ovn-controller with its own ovs-vswitchd on the dummy datapath and
      its PER VIFs plugged (iface-id = the logical switch port's name)
      (bench/lib/control.py's Ovn, without its gw1).  The other
      hypervisors are simulated in the SB as their ovn-controllers would
      write it: Chassis (with an Encap geneve of its own IP and hv1's
      other_config, so that northd sees the same features everywhere),
      Chassis_Private, and the Port_Binding claims (chassis, up) of their
      VM ports and of the chassisredirect ports of the gateways they host,
      once northd created them.  A long-lived acker ("ack" below) writes
      every simulated Chassis_Private.nb_cfg as soon as SB_Global.nb_cfg
      changes.

      For each mode in MODES ("cond": ovn-monitor-all=false, OVN's
      default conditional monitoring; "all": ovn-monitor-all=true) prints
      one line "ROW ovn H MODE PORTS LOAD_S FLOWS - CTL_MIB NB_MIB
      LOCAL - REMOTE CTL_MS NB_MS - SB_MIB ND_MIB SB_MS ND_MS" (bench/scale
      formats it): LOAD_S from the start of the NB write to every chassis
      acknowledging the loaded cloud (northd's computation, the claims and
      hv1's flows included); FLOWS on hv1's br-int; the RSS of
      ovn-controller and of the NB server; LOCAL and REMOTE the p50/p99 in
      ms of CHANGES changes each, a change being one NB transaction that
      rewrites a VM port's MAC (addresses and port_security) and bumps
      NB_Global.nb_cfg, timed until hv1's Chassis_Private.nb_cfg reaches
      it (ovn-controller reports it once the flows are installed; northd
      passes nb_cfg on only after computing the change): LOCAL over hv1's
      ports, REMOTE over ports on networks hv1 has no port on; CPU per
      change (ms) of ovn-controller, the NB server, the SB server and
      ovn-northd, over both series; RSS of the SB server and ovn-northd.
      A change not acknowledged within 60 s is left out of p50/p99 and
      counted in a "#" line (the next one starts; its acknowledgement
      covers both).  NB rows held and NB rows received are dvrflow's
      counters: "-".  A
      step that does not finish within TIMEOUT seconds prints a "#" line
      saying so and the next size runs.

  scale-ovn.py ack SB_REMOTE
      The acker: runs until killed.
"""
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
import control  # noqa: E402
import nodes  # noqa: E402
import ovsdbrpc  # noqa: E402
import topology  # noqa: E402
from topology import _map, _set  # noqa: E402

NB = "OVN_Northbound"
SB = "OVN_Southbound"
HV = topology.HV
BATCH = 4000                    # Rows per transaction (SB).
TENANTS_PER_TXN = 20            # As scale-load.py.
EXT_GW = "100.127.255.254"
CHANGE_TIMEOUT = 60             # Longest wait for one change's ack (s).


class Timeout(Exception):
    pass


def log(msg):
    sys.stderr.write("scale-ovn: %s %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def chassis_name(h):
    return HV if h == 0 else "sim%d" % (h + 1)


class VIF:
    """A VM port as control.plug_vifs() wants it."""

    def __init__(self, name, mac, ip, hv, t):
        self.id = self.vm = name
        self.mac, self.ip, self.hv, self.t = mac, ip, hv, t


def tenant_ops(t, n_hv, ppt, public, vifs):
    """Tenant t of scale-load.py as OVN NB rows; appends its VM ports to
    'vifs'."""
    a, b = t // 256, t % 256
    base = "10.%d.%d" % (a, b)
    ext_ip = ["100.%d.%d.%d" % (64 + t // 32768, (t // 128) % 256,
                                (t % 128) * 2 + k) for k in (1, 2)]
    gw = chassis_name(1 + t % (n_hv - 1))
    pg = "pg_g%d" % t
    n = "t%d_" % t
    ops = [{"op": "insert", "table": "DHCP_Options", "uuid-name": n + "dhcp",
            "row": {"cidr": base + ".0/24",
                    "options": _map({"lease_time": "43200", "mtu": "1442",
                                     "router": base + ".1",
                                     "server_id": base + ".1",
                                     "server_mac": "fa:16:3e:f3:%02x:%02x"
                                     % (a, b)}),
                    "external_ids": _map({"subnet_id": "sub%d" % t})}}]
    lsps = []
    for k in range(ppt):
        i = t * ppt + k
        hv = (t // 2 + (1 if k >= ppt // 2 else 0)) % n_hv
        v = VIF("vm%d" % i, "fa:16:3e:%02x:%02x:%02x" % (a, b, 10 + k),
                "%s.%d" % (base, 10 + k), hv, t)
        vifs.append(v)
        addr = "%s %s" % (v.mac, v.ip)
        ops.append({"op": "insert", "table": "Logical_Switch_Port",
                    "uuid-name": n + v.id,
                    "row": {"name": v.id, "addresses": addr,
                            "port_security": addr,
                            "dhcpv4_options": ["named-uuid", n + "dhcp"],
                            "options": _map({"requested-chassis":
                                             chassis_name(hv)}),
                            "external_ids": _map({
                                "neutron:device_owner": "compute:nova",
                                "neutron:security_group_ids": "sg%d" % t})}})
        lsps.append(["named-uuid", n + v.id])
    vm_lsps = list(lsps)
    ops.append({"op": "insert", "table": "Logical_Switch_Port",
                "uuid-name": n + "ri",
                "row": {"name": "ri%d" % t, "type": "router",
                        "addresses": "router",
                        "options": _map({"router-port": "lrp-ri%d" % t})}})
    lsps.append(["named-uuid", n + "ri"])
    ops.append({"op": "insert", "table": "Logical_Switch",
                "row": {"name": "net%d" % t, "ports": _set(*lsps),
                        "other_config": _map({"mcast_snoop": "false"})}})

    # The router: an interface, a distributed gateway port on "public"
    # hosted by a simulated hypervisor, SNAT, one distributed floating IP.
    ops += [
        {"op": "insert", "table": "Logical_Switch_Port",
         "uuid-name": n + "gw",
         "row": {"name": "gw%d" % t, "type": "router", "addresses": "router",
                 "options": _map({"router-port": "lrp-gw%d" % t,
                                  "nat-addresses": "router"})}},
        {"op": "mutate", "table": "Logical_Switch",
         "where": [["name", "==", public]],
         "mutations": [["ports", "insert", _set(["named-uuid", n + "gw"])]]},
        {"op": "insert", "table": "Gateway_Chassis", "uuid-name": n + "gwc",
         "row": {"name": "lrp-gw%d_%s" % (t, gw), "chassis_name": gw,
                 "priority": 1}},
        {"op": "insert", "table": "Logical_Router_Port",
         "uuid-name": n + "lrpgw",
         "row": {"name": "lrp-gw%d" % t,
                 "mac": "fa:16:3e:f1:%02x:%02x" % (a, b),
                 "networks": ext_ip[0] + "/10",
                 "gateway_chassis": ["named-uuid", n + "gwc"]}},
        {"op": "insert", "table": "Logical_Router_Port",
         "uuid-name": n + "lrpri",
         "row": {"name": "lrp-ri%d" % t,
                 "mac": "fa:16:3e:f0:%02x:%02x" % (a, b),
                 "networks": base + ".1/24"}},
        {"op": "insert", "table": "Logical_Router_Static_Route",
         "uuid-name": n + "route",
         "row": {"ip_prefix": "0.0.0.0/0", "nexthop": EXT_GW}},
        {"op": "insert", "table": "NAT", "uuid-name": n + "snat",
         "row": {"type": "snat", "external_ip": ext_ip[0],
                 "logical_ip": base + ".0/24"}},
        {"op": "insert", "table": "NAT", "uuid-name": n + "fip",
         "row": {"type": "dnat_and_snat", "external_ip": ext_ip[1],
                 "logical_ip": vifs[-ppt].ip,
                 "logical_port": vifs[-ppt].id,
                 "external_mac": "fa:16:3e:f2:%02x:%02x" % (a, b)}},
        {"op": "insert", "table": "Logical_Router",
         "row": {"name": "router%d" % t,
                 "ports": _set(["named-uuid", n + "lrpgw"],
                               ["named-uuid", n + "lrpri"]),
                 "static_routes": ["named-uuid", n + "route"],
                 "nat": _set(["named-uuid", n + "snat"],
                             ["named-uuid", n + "fip"]),
                 # As Neutron sets them: no ARP flows between the routers
                 # on the shared network.
                 "options": _map({"always_learn_from_arp_request": "false",
                                  "dynamic_neigh_routers": "true"})}}]

    # The security group as Neutron's port group: egress allowed; ingress
    # TCP 22, ICMP, everything from its own members.
    acls = []
    for direction, match in [
            ("from-lport", "inport == @%s && ip4" % pg),
            ("to-lport", "outport == @%s && ip4 && tcp && tcp.dst == 22"
             % pg),
            ("to-lport", "outport == @%s && ip4 && icmp4" % pg),
            ("to-lport", "outport == @%s && ip4 && ip4.src == $%s_ip4"
             % (pg, pg))]:
        acls.append(["named-uuid", n + "acl%d" % len(acls)])
        ops.append({"op": "insert", "table": "ACL", "uuid-name": acls[-1][1],
                    "row": {"direction": direction, "priority": 1002,
                            "match": match, "action": "allow-related"}})
    ops += [{"op": "insert", "table": "Port_Group",
             "row": {"name": pg, "ports": _set(*vm_lsps),
                     "acls": _set(*acls)}},
            {"op": "mutate", "table": "Port_Group",
             "where": [["name", "==", "neutron_pg_drop"]],
             "mutations": [["ports", "insert", _set(*vm_lsps)]]}]
    return ops


def value(rows, table, key="nb_cfg", name=None):
    for row in rows.get(table, {}).values():
        if name is None or row.get("name") == name:
            return row.get(key, 0)
    return -1


def wait(conn, pred, timeout, what):
    if not conn.wait_for(pred, timeout):
        raise Timeout(what)


class Bed:
    def __init__(self, base, n_hv, per, timeout):
        self.base, self.n_hv, self.per = base, n_hv, per
        self.timeout = timeout
        self.daemons = nodes.Daemons()
        self.acker = None

    def stop(self):
        if self.acker:
            self.acker.terminate()
            self.acker.wait()
        self.daemons.stop()

    def setup(self):
        """Central, hv1 (acknowledging nb_cfg 1), and the simulated
        chassis."""
        self.ovn = o = control.Ovn(self.base, self.daemons, None, None)
        o.setup(gateway=False)
        self.nb = o.conn
        self.nb.timeout = self.timeout
        self.nbrows = self.nb.monitor(NB, "scale", {
            "NB_Global": ["nb_cfg", "sb_cfg", "hv_cfg"]})
        self.sb = ovsdbrpc.Connection(o.sb_remote, timeout=self.timeout)
        self.sbrows = self.sb.monitor(SB, "ack", {
            "Chassis_Private": ["name", "nb_cfg"]})
        # hv1 registered and acknowledging.
        target = self.bump()
        wait(self.sb, lambda: self.hv1_cfg() >= target, 120,
             "hv1's first acknowledgement")
        res = self.sb.transact(SB, [{"op": "select", "table": "Chassis",
                                     "where": [["name", "==", HV]],
                                     "columns": ["other_config"]}])
        other = res[0]["rows"][0]["other_config"]
        ops = []
        for h in range(1, self.n_hv):
            name = chassis_name(h)
            ops += [{"op": "insert", "table": "Encap", "uuid-name": "e" + name,
                     "row": {"type": "geneve", "chassis_name": name,
                             "ip": "172.%d.%d.%d" % (16 + h // 65536,
                                                     (h // 256) % 256,
                                                     h % 256),
                             "options": _map({"csum": "true"})}},
                    {"op": "insert", "table": "Chassis", "uuid-name": name,
                     "row": {"name": name, "hostname": name,
                             "encaps": ["named-uuid", "e" + name],
                             "other_config": other}},
                    {"op": "insert", "table": "Chassis_Private",
                     "row": {"name": name,
                             "chassis": ["named-uuid", name],
                             "nb_cfg": value(self.nbrows, "NB_Global")}}]
        self.chassis = {}
        step = 3 * (BATCH // 3)
        for i in range(0, len(ops), step):
            chunk = ops[i:i + step]
            for op, r in zip(chunk, self.sb.transact(SB, chunk)):
                if op["table"] == "Chassis":
                    self.chassis[op["row"]["name"]] = ["uuid", r["uuid"][1]]
        self.pids = dict(o.procs())
        c = o.central
        self.pids["nb"] = nodes.read_pid(c.path("run", "ovnnb.pid"))
        self.pids["sb"] = nodes.read_pid(c.path("run", "ovnsb.pid"))

    def bump(self):
        res = self.nb.transact(NB, [topology.bump_nb_cfg(),
                                    {"op": "select", "table": "NB_Global",
                                     "where": [], "columns": ["nb_cfg"]}])
        return res[1]["rows"][0]["nb_cfg"]

    def load(self):
        """The cloud; returns its seconds to every chassis' ack."""
        ppt = max(2, self.per // 2)
        ext = topology.OvnNB(topology.Topology(0, 0, 0, 0))
        public = "neutron-" + ext.topo.ext_net
        t0 = time.monotonic()
        self.nb.transact(NB, ext.external_ops())
        self.vifs = []
        gws = {}
        for t0_ in range(0, 2 * self.n_hv, TENANTS_PER_TXN):
            ops = []
            for t in range(t0_, min(t0_ + TENANTS_PER_TXN, 2 * self.n_hv)):
                ops += tenant_ops(t, self.n_hv, ppt, public, self.vifs)
                gws["cr-lrp-gw%d" % t] = chassis_name(1 + t % (self.n_hv - 1))
            self.nb.transact(NB, ops)
        target = self.bump()
        log("%d hypervisors: NB written in %.1f s"
            % (self.n_hv, time.monotonic() - t0))
        wait(self.nb, lambda: value(self.nbrows, "NB_Global", "sb_cfg")
             >= target, self.timeout - (time.monotonic() - t0),
             "ovn-northd's SB for the loaded NB")
        log("%d hypervisors: northd done at %.1f s"
            % (self.n_hv, time.monotonic() - t0))

        # The simulated hypervisors claim their ports and gateways.
        owner = {v.id: chassis_name(v.hv) for v in self.vifs if v.hv}
        owner.update(gws)
        res = self.sb.transact(SB, [{"op": "select", "table": "Port_Binding",
                                     "where": [],
                                     "columns": ["_uuid", "logical_port"]}])
        ops = []
        for row in res[0]["rows"]:
            ch = owner.pop(row["logical_port"], None)
            if ch:
                ops.append({"op": "update", "table": "Port_Binding",
                            "where": [["_uuid", "==", row["_uuid"]]],
                            "row": {"chassis": self.chassis[ch],
                                    "up": True}})
        if owner:
            raise nodes.BenchError("northd made no Port_Binding for %d "
                                   "ports (%s...)"
                                   % (len(owner), sorted(owner)[0]))
        for i in range(0, len(ops), BATCH):
            self.sb.transact(SB, ops[i:i + BATCH])
        self.local = [v for v in self.vifs if v.hv == 0]
        control.plug_vifs(self.ovn.hv, self.local)

        self.acker = subprocess.Popen([sys.executable,
                                       os.path.abspath(__file__), "ack",
                                       self.ovn.sb_remote])
        target = self.bump()
        wait(self.nb, lambda: value(self.nbrows, "NB_Global", "hv_cfg")
             >= target, self.timeout - (time.monotonic() - t0),
             "every chassis' acknowledgement of the loaded cloud")
        load_s = time.monotonic() - t0
        log("%d hypervisors: every chassis acknowledged at %.1f s"
            % (self.n_hv, load_s))
        return load_s

    def hv1_cfg(self):
        return value(self.sbrows, "Chassis_Private", name=HV)

    def sync(self, what):
        target = self.bump()
        wait(self.sb, lambda: self.hv1_cfg() >= target, self.timeout, what)
        self.ovn.settle(quiet=2.0, timeout=self.timeout)

    def changes(self, ports, n, seq):
        """n MAC changes round robin over 'ports'; their latencies (ms)."""
        lat = []
        for i in range(n):
            v = ports[i % len(ports)]
            seq += 1
            mac = "fa:16:3f:%02x:%02x:%02x" % ((seq >> 16) & 0xff,
                                               (seq >> 8) & 0xff, seq & 0xff)
            addr = "%s %s" % (mac, v.ip)
            t0 = time.monotonic()
            res = self.nb.transact(NB, [
                {"op": "update", "table": "Logical_Switch_Port",
                 "where": [["name", "==", v.id]],
                 "row": {"addresses": addr, "port_security": addr}},
                topology.bump_nb_cfg(),
                {"op": "select", "table": "NB_Global", "where": [],
                 "columns": ["nb_cfg"]}])
            target = res[2]["rows"][0]["nb_cfg"]
            if self.sb.wait_for(lambda: self.hv1_cfg() >= target,
                                CHANGE_TIMEOUT):
                lat.append((time.monotonic() - t0) * 1000)
            else:
                log("no acknowledgement of nb_cfg %d in %d s"
                    % (target, CHANGE_TIMEOUT))
        return lat, seq

    def cpu_ms(self):
        return {k: nodes.proc_cpu(p) * 1000 for k, p in self.pids.items()}

    def mib(self, k):
        return nodes.proc_mem(self.pids[k])[0] // 1024

    def measure(self, mode, n, load_s):
        o = self.ovn
        o.hv.cmd("ovs-vsctl", "set", "open", ".",
                 "external_ids:ovn-monitor-all=%s"
                 % ("true" if mode == "all" else "false"))
        self.sync("hv1's acknowledgement with ovn-monitor-all for %s" % mode)
        flows = control.FlowPoller(o.hv).count()
        pid = self.pids["ovn-controller"]
        mem = o.hv.cmd("ovn-appctl", "-t",
                       o.hv.path("run", "ovn-controller.%d.ctl" % pid),
                       "memory/show", check=False).strip()
        log("%d hypervisors, %s: ovn-controller memory/show: %s"
            % (self.n_hv, mode, mem))
        # How much of the cloud hv1 computes: the datapaths (OpenFlow
        # metadata) its flows are for, of all the SB has.
        dump = o.hv.cmd("ovs-ofctl", "dump-flows", "br-int", "--no-stats",
                        timeout=self.timeout, check=False)
        local_dps = len(set(re.findall(r"metadata=(0x[0-9a-f]+)", dump)))
        res = self.sb.transact(SB, [{"op": "select",
                                     "table": "Datapath_Binding",
                                     "where": [], "columns": ["_uuid"]}])
        log("%d hypervisors, %s: hv1 has flows for %d of the %d datapaths"
            % (self.n_hv, mode, local_dps, len(res[0]["rows"])))
        local = self.local
        remote_nets = set(range(2 * self.n_hv)) - {v.t for v in local}
        remote = [v for v in self.vifs if v.t in remote_nets]
        # Spread over the networks: every k-th remote port.
        step = max(1, len(remote) // max(n, 1))
        remote = remote[::step] or remote
        seq = random.randrange(1 << 23)
        c0 = self.cpu_ms()
        lat_local, seq = self.changes(local, n, seq)
        lat_remote, seq = self.changes(remote, n, seq)
        c1 = self.cpu_ms()
        per = {k: "%d" % ((c1[k] - c0[k]) / (2 * n)) for k in c1}

        def pct(lat):
            if not lat:
                return "-"
            return "%.2f/%.2f" % (control.percentile(lat, 0.5),
                                  control.percentile(lat, 0.99))
        for what, lat in (("local", lat_local), ("remote", lat_remote)):
            if len(lat) < n:
                print("# ovn %d hypervisors, %s: %d of %d %s changes not "
                      "acknowledged within %d s, left out of p50/p99"
                      % (self.n_hv, mode, n - len(lat), n, what,
                         CHANGE_TIMEOUT), flush=True)
        print("ROW", "ovn", self.n_hv, mode, self.n_hv * self.per,
              "%.1f" % load_s, flows if flows is not None else "?", "-",
              self.mib("ovn-controller"), self.mib("nb"), pct(lat_local), "-",
              pct(lat_remote), per["ovn-controller"], per["nb"], "-",
              self.mib("sb"), self.mib("ovn-northd"), per["sb"],
              per["ovn-northd"], flush=True)


def acker(sb_remote):
    """Every simulated chassis acknowledges SB_Global.nb_cfg as soon as it
    changes (one transaction), as their ovn-controllers would."""
    conn = ovsdbrpc.Connection(sb_remote, timeout=600)
    rows = conn.monitor(SB, "cfg", {"SB_Global": ["nb_cfg"]})
    done = None
    while True:
        cfg = value(rows, "SB_Global")
        if cfg != done:
            conn.transact(SB, [{"op": "update", "table": "Chassis_Private",
                                "where": [["name", "!=", HV]],
                                "row": {"nb_cfg": cfg,
                                        "nb_cfg_timestamp":
                                        int(time.time() * 1000)}}])
            done = cfg
        conn.poll(5.0)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "ack":
        try:
            acker(sys.argv[2])
        except (ovsdbrpc.OvsdbError, OSError):
            pass                # The bed stopped.
        return
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    base, sizes, per, n, modes, timeout = sys.argv[1:]
    per, n, timeout = int(per), int(n), int(timeout)
    for hvs in [int(x) for x in sizes.split()]:
        bed = Bed(os.path.join(base, "ovn%d" % hvs), hvs, per, timeout)
        try:
            bed.setup()
            load_s = bed.load()
            for mode in modes.split():
                bed.measure(mode, n, load_s)
        except Timeout as e:
            print("# ovn %d hypervisors: no %s within %d s; skipped"
                  % (hvs, e, timeout), flush=True)
        except Exception as e:
            # A benchmark of the next size still runs; the trace says why.
            import traceback
            traceback.print_exc()
            print("# ovn %d hypervisors: %s; skipped" % (hvs, e), flush=True)
        finally:
            bed.stop()


if __name__ == "__main__":
    main()

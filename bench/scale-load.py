#!/usr/bin/env python3
"""scale-load: the cloud of bench/scale, and the hypervisors it simulates.

  scale-load.py SOCKET load HYPERVISORS PORTS_PER_HV REAL
      Writes, in transactions of a few thousand rows, a cloud of
      HYPERVISORS chassis ("hv1" is REAL: a real dvr-controller registers
      it; the others, "sim2"..., are rows written here as their controllers
      would) and HYPERVISORS * PORTS_PER_HV VM ports.  There are two
      tenants per hypervisor, each with a network, a subnet, a router
      (gateway on the shared external network "public", one interface), a
      security group (ingress TCP 22 and ICMP, and everything from its own
      members) and one floating IP on its first port.  Tenant t's ports
      sit on hypervisors t/2 and t/2+1, so each hypervisor hosts ports of
      about four tenants.  Ports on simulated chassis get their
      Port_Binding (up) here; the REAL chassis' ports are printed, one
      "name uuid" per line, for the caller to plug.
  scale-load.py SOCKET ack
      The simulated hypervisors acknowledge the current NB_Global.nb_cfg
      in their Chassis_Private rows (one transaction), as their
      controllers would after each change: the fan-in a real cloud puts on
      the NB server.
  scale-load.py SOCKET acker
      The same, as a long-lived client: it monitors NB_Global.nb_cfg and
      acknowledges each new value as soon as it arrives, until killed.
      (Polling with "ack" every 0.2 s cost a Python start and a select
      five times a second, whether anything changed or not, and delayed
      the acknowledgements by up to 0.2 s.)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from ovsdbrpc import Connection, OvsdbError  # noqa: E402

DB = "DVRFLOW_Northbound"
BATCH = 4000                    # Rows per transaction.


def run(conn, ops):
    try:
        return conn.transact(DB, ops)
    except OvsdbError as e:
        sys.exit("scale-load: %s" % e)


def named(n):
    return ["named-uuid", n]


def tenant_ops(t, n_hv, ports_per_tenant, ports, ext, extsub):
    """Ops of tenant t; appends (port index, hv) of its VM ports to
    'ports'."""
    net, sub, sg = "n%d" % t, "s%d" % t, "g%d" % t
    a, b = t // 256, t % 256
    ops = [{"op": "insert", "table": "Network", "uuid-name": net,
            "row": {"name": "net%d" % t, "project_id": "project%d" % t,
                    "provider_network_type": "geneve",
                    "provider_segmentation_id": 10000 + t, "mtu": 1442,
                    "admin_state_up": True, "port_security_enabled": True}},
           {"op": "insert", "table": "Subnet", "uuid-name": sub,
            "row": {"network": named(net), "name": "sub%d" % t,
                    "project_id": "project%d" % t,
                    "cidr": "10.%d.%d.0/24" % (a, b), "ip_version": 4,
                    "gateway_ip": "10.%d.%d.1" % (a, b),
                    "enable_dhcp": True}}]
    rules = []
    for i, r in enumerate([{"protocol": "tcp", "port_range_min": 22,
                            "port_range_max": 22},
                           {"protocol": "icmp"},
                           {"remote_group": named(sg)},
                           {"direction": "egress"}]):
        row = {"direction": "ingress", "ethertype": "IPv4",
               "project_id": "project%d" % t}
        row.update(r)
        rules.append(named("%sr%d" % (sg, i)))
        ops.append({"op": "insert", "table": "Security_Group_Rule",
                    "uuid-name": "%sr%d" % (sg, i), "row": row})
    ops.append({"op": "insert", "table": "Security_Group", "uuid-name": sg,
                "row": {"name": "sg%d" % t, "project_id": "project%d" % t,
                        "stateful": True, "rules": ["set", rules]}})

    def port(name, ip, mac, owner, groups, device="", network=None,
             subnet=None):
        """A port with one fixed IP, on the tenant's network unless
        'network' and 'subnet' name others."""
        ops.extend([
            {"op": "insert", "table": "Port", "uuid-name": name,
             "row": {"network": network or named(net), "name": name,
                     "project_id": "project%d" % t, "mac_address": mac,
                     "device_owner": owner, "device_id": device,
                     "admin_state_up": True,
                     "port_security_enabled": owner.startswith("compute"),
                     "security_groups": ["set", groups],
                     "fixed_ips": named(name + "ip")}},
            {"op": "insert", "table": "Fixed_IP", "uuid-name": name + "ip",
             "row": {"subnet": subnet or named(sub), "ip_address": ip}}])

    # Two external addresses per tenant: its router's gateway, its
    # floating IP.
    ext_ip = ["100.%d.%d.%d" % (64 + t // 32768, (t // 128) % 256,
                                (t % 128) * 2 + k) for k in (1, 2)]
    port("ri%d" % t, "10.%d.%d.1" % (a, b), "fa:16:3e:f0:%02x:%02x" % (a, b),
         "network:router_interface_distributed", [])
    gw = "gw%d" % t
    port(gw, ext_ip[0], "fa:16:3e:f1:%02x:%02x" % (a, b),
         "network:router_gateway", [], network=ext, subnet=extsub)
    ops.append({"op": "insert", "table": "Router", "uuid-name": "r%d" % t,
                "row": {"name": "router%d" % t,
                        "project_id": "project%d" % t,
                        "enable_snat": True, "admin_state_up": True,
                        "gateway_port": named(gw),
                        "interfaces": named("ri%d" % t)}})
    for k in range(ports_per_tenant):
        i = t * ports_per_tenant + k
        hv = (t // 2 + (1 if k >= ports_per_tenant // 2 else 0)) % n_hv
        name = "vm%d" % i
        port(name, "10.%d.%d.%d" % (a, b, 10 + k),
             "fa:16:3e:%02x:%02x:%02x" % (a, b, 10 + k), "compute:nova",
             [named(sg)], device="instance%d" % i)
        ports.append((name, hv))
    fip = "fip%d" % t
    port(fip, ext_ip[1], "fa:16:3e:f2:%02x:%02x" % (a, b),
         "network:floatingip", [], network=ext, subnet=extsub)
    ops.append({"op": "insert", "table": "Floating_IP",
                "row": {"floating_network": ext, "floating_port": named(fip),
                        "floating_ip_address": ext_ip[1],
                        "port": named("vm%d" % (t * ports_per_tenant)),
                        "fixed_ip_address": "10.%d.%d.10" % (a, b),
                        "router": named("r%d" % t),
                        "project_id": "project%d" % t}})
    return ops


def load(conn, n_hv, per_hv, real):
    ports_per_tenant = max(2, per_hv // 2)
    ops = [{"op": "insert", "table": "Network", "uuid-name": "ext",
            "row": {"name": "public", "provider_network_type": "flat",
                    "provider_physical_network": "physnet1",
                    "external": True, "mtu": 1500}},
           {"op": "insert", "table": "Subnet", "uuid-name": "extsub",
            "row": {"network": named("ext"), "name": "public",
                    "cidr": "100.64.0.0/10", "ip_version": 4,
                    "gateway_ip": "100.127.255.254", "enable_dhcp": False}}]
    res = run(conn, ops)
    ext = ["uuid", res[0]["uuid"][1]]
    extsub = ["uuid", res[1]["uuid"][1]]

    # The simulated chassis, as their controllers register them.
    ops = []
    for h in range(n_hv):
        if h == 0 and real:
            continue
        name = "sim%d" % (h + 1)
        ops.append({"op": "insert", "table": "Chassis", "uuid-name": name,
                    "row": {"name": name, "hostname": name,
                            "encap_type": "geneve",
                            "encap_ip": "172.%d.%d.%d"
                            % (16 + h // 65536, (h // 256) % 256, h % 256),
                            "bridge_mappings": ["map", [["physnet1",
                                                         "br-ex"]]],
                            "gateway_capable": False}})
        ops.append({"op": "insert", "table": "Chassis_Private",
                    "row": {"name": name}})
    chassis = {}
    for i in range(0, len(ops), BATCH):
        res = run(conn, ops[i:i + BATCH])
        for op, r in zip(ops[i:i + BATCH], res):
            if op["table"] == "Chassis":
                chassis[op["row"]["name"]] = ["uuid", r["uuid"][1]]

    # The tenants, a few at a time; bindings for the simulated chassis.
    real_ports = []
    for t0 in range(0, 2 * n_hv, 20):
        ops, ports = [], []
        for t in range(t0, min(t0 + 20, 2 * n_hv)):
            ops += tenant_ops(t, n_hv, ports_per_tenant, ports, ext, extsub)
        res = run(conn, ops)
        uuids = {op.get("uuid-name"): r["uuid"][1]
                 for op, r in zip(ops, res) if "uuid-name" in op}
        binds = []
        for name, hv in ports:
            if hv == 0 and real:
                real_ports.append((name, uuids[name]))
                continue
            binds.append({"op": "insert", "table": "Port_Binding",
                          "row": {"port": ["uuid", uuids[name]],
                                  "chassis": chassis["sim%d" % (hv + 1)],
                                  "up": True}})
        if binds:
            run(conn, binds)
    run(conn, [{"op": "mutate", "table": "NB_Global", "where": [],
                "mutations": [["nb_cfg", "+=", 1]]}])
    for name, uuid in real_ports:
        print(name, uuid)


def ack_cfg(conn, cfg):
    run(conn, [{"op": "update", "table": "Chassis_Private",
                "where": [["name", "!=", "hv1"]], "row": {"nb_cfg": cfg}}])


def ack(conn):
    g = run(conn, [{"op": "select", "table": "NB_Global", "where": [],
                    "columns": ["nb_cfg"]}])[0]["rows"]
    ack_cfg(conn, g[0]["nb_cfg"] if g else 0)


def acker(conn):
    rows = conn.monitor(DB, "acker", {"NB_Global": ["nb_cfg"]})
    done = None
    while True:
        cfg = max((r.get("nb_cfg", 0)
                   for r in rows.get("NB_Global", {}).values()), default=0)
        if cfg != done:
            ack_cfg(conn, cfg)
            done = cfg
        conn.poll(60)


def main():
    conn = Connection(sys.argv[1], timeout=600)
    if sys.argv[2] == "load":
        load(conn, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1")
    elif sys.argv[2] == "ack":
        ack(conn)
    elif sys.argv[2] == "acker":
        acker(conn)
    else:
        sys.exit("scale-load: unknown command %s" % sys.argv[2])


if __name__ == "__main__":
    main()

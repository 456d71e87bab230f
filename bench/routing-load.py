"""routing-load: the NB rows of bench/routing-bench, step by step, in one
transaction each (over OVSDB's JSON-RPC, bench/lib/ovsdbrpc.py).

Usage: routing-load.py SOCKET base PORTS   networks and PORTS VM ports
       routing-load.py SOCKET router        a router with a gateway and an
                                            interface on tenant network 0
       routing-load.py SOCKET iface         its interface on network 1
       routing-load.py SOCKET fips N        N floating IPs (unassociated)
"base" prints the UUIDs of the VM ports, one per line.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from ovsdbrpc import Connection, OvsdbError  # noqa: E402


def run(path, ops):
    ops = [{"op": "mutate", "table": "NB_Global", "where": [],
            "mutations": [["nb_cfg", "+=", 1]]}] + ops
    try:
        result = Connection(path).transact("DVRFLOW_Northbound", ops)
    except OvsdbError as e:
        sys.exit("routing-load: %s" % e)
    return result[1:]


def select(path, table, where, columns):
    return run(path, [{"op": "select", "table": table, "where": where,
                       "columns": columns}])[0]["rows"]


def port_ops(name, net, subnet, ip, mac, owner=""):
    """A port; a VM port (no owner) is in the "open" security group that
    the "base" step makes."""
    groups = ["named-uuid", "open"] if owner == "" else ["set", []]
    return [{"op": "insert", "table": "Port", "uuid-name": name,
             "row": {"network": net, "name": name, "mac_address": mac,
                     "device_owner": owner, "admin_state_up": True,
                     "port_security_enabled": owner == "",
                     "security_groups": groups,
                     "fixed_ips": ["named-uuid", name + "ip"]}},
            {"op": "insert", "table": "Fixed_IP", "uuid-name": name + "ip",
             "row": {"subnet": subnet, "ip_address": ip}}]


def uuid_of(path, table, column, value):
    return ["uuid", select(path, table, [[column, "==", value]],
                           ["_uuid"])[0]["_uuid"][1]]


def main():
    path, step = sys.argv[1], sys.argv[2]
    if step == "base":
        ports = int(sys.argv[3])
        ops = [{"op": "insert", "table": "Network", "uuid-name": "ext",
                "row": {"name": "public", "provider_network_type": "flat",
                        "provider_physical_network": "physnet1",
                        "external": True, "mtu": 1500,
                        "admin_state_up": True}},
               {"op": "insert", "table": "Subnet", "uuid-name": "extsub",
                "row": {"network": ["named-uuid", "ext"], "name": "public",
                        "cidr": "203.0.113.0/24", "ip_version": 4,
                        "gateway_ip": "203.0.113.1"}}]
        # Security group "open": everything in and out.
        rules = []
        for d in ("ingress", "egress"):
            for e in ("IPv4", "IPv6"):
                rules.append(["named-uuid", "open%s%s" % (d, e)])
                ops.append({"op": "insert", "table": "Security_Group_Rule",
                            "uuid-name": "open%s%s" % (d, e),
                            "row": {"direction": d, "ethertype": e}})
        ops.append({"op": "insert", "table": "Security_Group",
                    "uuid-name": "open",
                    "row": {"name": "open", "stateful": True,
                            "rules": ["set", rules]}})
        for n in range(2):
            ops += [{"op": "insert", "table": "Network",
                     "uuid-name": "n%d" % n,
                     "row": {"name": "t%d" % n,
                             "provider_network_type": "vxlan",
                             "provider_segmentation_id": 5000 + n,
                             "mtu": 1450, "admin_state_up": True}},
                    {"op": "insert", "table": "Subnet",
                     "uuid-name": "s%d" % n,
                     "row": {"network": ["named-uuid", "n%d" % n],
                             "name": "t%d" % n,
                             "cidr": "10.%d.0.0/16" % n, "ip_version": 4,
                             "gateway_ip": "10.%d.0.1" % n}}]
        first = len(ops)
        for p in range(ports):
            ops += port_ops("vm%d" % p, ["named-uuid", "n0"],
                            ["named-uuid", "s0"],
                            "10.0.%d.%d" % (1 + p // 250, p % 250 + 2),
                            "fa:16:3e:00:%02x:%02x" % (p >> 8, p & 0xff))
        result = run(path, ops)
        for i in range(first, len(ops), 2):
            print(result[i]["uuid"][1])
    elif step == "router":
        ext = uuid_of(path, "Network", "name", "public")
        extsub = uuid_of(path, "Subnet", "name", "public")
        ops = port_ops("gw", ext, extsub, "203.0.113.100",
                       "fa:16:3e:ff:00:01", "network:router_gateway")
        ops += port_ops("ri0", uuid_of(path, "Network", "name", "t0"),
                        uuid_of(path, "Subnet", "name", "t0"), "10.0.0.1",
                        "fa:16:3e:ff:01:01",
                        "network:router_interface_distributed")
        ops.append({"op": "insert", "table": "Router",
                    "row": {"name": "r", "enable_snat": True,
                            "admin_state_up": True,
                            "gateway_port": ["named-uuid", "gw"],
                            "interfaces": ["named-uuid", "ri0"]}})
        run(path, ops)
    elif step == "iface":
        ops = port_ops("ri1", uuid_of(path, "Network", "name", "t1"),
                       uuid_of(path, "Subnet", "name", "t1"), "10.1.0.1",
                       "fa:16:3e:ff:01:02",
                       "network:router_interface_distributed")
        ops.append({"op": "mutate", "table": "Router",
                    "where": [["name", "==", "r"]],
                    "mutations": [["interfaces", "insert",
                                   ["named-uuid", "ri1"]]]})
        run(path, ops)
    elif step == "fips":
        ext = uuid_of(path, "Network", "name", "public")
        extsub = uuid_of(path, "Subnet", "name", "public")
        router = uuid_of(path, "Router", "name", "r")
        ops = []
        for f in range(int(sys.argv[3])):
            ip = "203.0.%d.%d" % (113 + (101 + f) // 256, (101 + f) % 256)
            ops += port_ops("fp%d" % f, ext, extsub, ip,
                            "fa:16:3e:fe:%02x:%02x" % (f >> 8, f & 0xff),
                            "network:floatingip")
            ops.append({"op": "insert", "table": "Floating_IP",
                        "row": {"floating_network": ext,
                                "floating_port": ["named-uuid", "fp%d" % f],
                                "floating_ip_address": ip,
                                "router": router}})
        run(path, ops)
    else:
        sys.exit("routing-load: unknown step %s" % step)


if __name__ == "__main__":
    main()

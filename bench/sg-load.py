#!/usr/bin/env python3
"""sg-load: loads the security group benchmark's NB model in one
transaction: one network, group "bench" with RULES rules of mixed kinds
(TCP and UDP port ranges, single ports, ICMP types, remote IP prefixes,
remote groups: "bench" itself and "peers"), group "peers" with PEERS
ports that are bound nowhere, group "spare" (no rules), PORTS ports in
"bench" and SPARE ports in "spare".

Usage: sg-load.py SOCKET RULES PORTS PEERS SPARE
Prints "bench PORT_UUID" and "spare PORT_UUID" lines.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from ovsdbrpc import Connection, OvsdbError  # noqa: E402


def rule(i):
    """Rule i of group "bench": a mix of every kind."""
    kind = i % 5
    r = {"direction": "ingress", "ethertype": "IPv4"}
    if kind == 0:                       # TCP range from anywhere.
        lo = 1000 + 37 * i
        r.update(protocol="tcp", port_range_min=lo, port_range_max=lo + 99)
    elif kind == 1:                     # UDP port from the group itself.
        r.update(protocol="udp", port_range_min=2000 + i,
                 port_range_max=2000 + i,
                 remote_group=["named-uuid", "bench"])
    elif kind == 2:                     # TCP range from the peers.
        lo = 5000 + 11 * i
        r.update(protocol="tcp", port_range_min=lo, port_range_max=lo + 20,
                 remote_group=["named-uuid", "peers"])
    elif kind == 3:                     # ICMP type from a prefix.
        r.update(protocol="icmp", port_range_min=i % 16,
                 remote_ip_prefix="172.%d.0.0/16" % (16 + i % 16))
    else:                               # Egress TCP port to a prefix.
        r.update(direction="egress", protocol="tcp",
                 port_range_min=3000 + i, port_range_max=3000 + i,
                 remote_ip_prefix="192.168.%d.0/24" % i)
    return r


def main():
    path = sys.argv[1]
    n_rules, n_ports, n_peers, n_spare = map(int, sys.argv[2:6])
    ops = [{"op": "mutate", "table": "NB_Global", "where": [],
            "mutations": [["nb_cfg", "+=", 1]]},
           {"op": "insert", "table": "Network", "uuid-name": "net",
            "row": {"name": "benchnet", "provider_network_type": "vxlan",
                    "provider_segmentation_id": 4242, "mtu": 1450,
                    "admin_state_up": True,
                    "port_security_enabled": True}},
           {"op": "insert", "table": "Subnet", "uuid-name": "sub",
            "row": {"network": ["named-uuid", "net"],
                    "cidr": "10.0.0.0/16", "ip_version": 4,
                    "gateway_ip": "10.0.0.1"}}]
    for i in range(n_rules):
        ops.append({"op": "insert", "table": "Security_Group_Rule",
                    "uuid-name": "r%d" % i, "row": rule(i)})
    ops.append({"op": "insert", "table": "Security_Group",
                "uuid-name": "bench",
                "row": {"name": "bench", "stateful": True,
                        "rules": ["set", [["named-uuid", "r%d" % i]
                                          for i in range(n_rules)]]}})
    ops.append({"op": "insert", "table": "Security_Group",
                "uuid-name": "peers",
                "row": {"name": "peers", "stateful": True}})
    ops.append({"op": "insert", "table": "Security_Group",
                "uuid-name": "spare",
                "row": {"name": "spare", "stateful": True}})
    first_port = len(ops)
    kinds = (["bench"] * n_ports + ["peers"] * n_peers
             + ["spare"] * n_spare)
    for p, group in enumerate(kinds):
        ops.append({"op": "insert", "table": "Port", "uuid-name": "p%d" % p,
                    "row": {"network": ["named-uuid", "net"],
                            "name": "%s%d" % (group, p),
                            "mac_address": "fa:16:3e:00:%02x:%02x"
                            % (p >> 8, p & 0xff),
                            "admin_state_up": True,
                            "port_security_enabled": True,
                            "device_owner": "compute:nova",
                            "security_groups": ["named-uuid", group],
                            "fixed_ips": ["named-uuid", "i%d" % p]}})
        ops.append({"op": "insert", "table": "Fixed_IP",
                    "uuid-name": "i%d" % p,
                    "row": {"subnet": ["named-uuid", "sub"],
                            "ip_address": "10.0.%d.%d"
                            % (1 + p // 250, p % 250 + 2)}})
    try:
        result = Connection(path).transact("DVRFLOW_Northbound", ops)
    except OvsdbError as e:
        sys.exit("sg-load: %s" % e)
    for k, i in enumerate(range(first_port, len(ops), 2)):
        if kinds[k] != "peers":
            print(kinds[k], result[i]["uuid"][1])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""nb-load: loads a generated topology into the NB database in one large
transaction, over OVSDB's JSON-RPC on a unix socket (no size limit of a
command line).

Usage: nb-load.py SOCKET PORTS NETWORKS
Prints the UUIDs of the ports, one per line.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from ovsdbrpc import Connection, OvsdbError  # noqa: E402


def main():
    path, ports, nets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ops = [{"op": "mutate", "table": "NB_Global", "where": [],
            "mutations": [["nb_cfg", "+=", 1]]}]
    for n in range(nets):
        ops.append({"op": "insert", "table": "Network",
                    "uuid-name": "n%d" % n,
                    "row": {"name": "net%d" % n,
                            "provider_network_type": "vxlan",
                            "provider_segmentation_id": 1000 + n,
                            "mtu": 1450, "admin_state_up": True,
                            "port_security_enabled": True}})
        ops.append({"op": "insert", "table": "Subnet",
                    "uuid-name": "s%d" % n,
                    "row": {"network": ["named-uuid", "n%d" % n],
                            "cidr": "10.%d.0.0/16" % n, "ip_version": 4,
                            "gateway_ip": "10.%d.0.1" % n}})
    first_port = len(ops)
    for p in range(ports):
        n = p % nets
        ops.append({"op": "insert", "table": "Port", "uuid-name": "p%d" % p,
                    "row": {"network": ["named-uuid", "n%d" % n],
                            "name": "port%d" % p,
                            "mac_address": "fa:16:3e:%02x:%02x:%02x"
                            % (n, p >> 8, p & 0xff),
                            "admin_state_up": True,
                            "port_security_enabled": True,
                            "fixed_ips": ["named-uuid", "i%d" % p]}})
        ops.append({"op": "insert", "table": "Fixed_IP",
                    "uuid-name": "i%d" % p,
                    "row": {"subnet": ["named-uuid", "s%d" % n],
                            "ip_address": "10.%d.%d.%d"
                            % (n, 1 + p // 250, p % 250 + 2)}})
    try:
        result = Connection(path).transact("DVRFLOW_Northbound", ops)
    except OvsdbError as e:
        sys.exit("nb-load: %s" % e)
    for i in range(first_port, len(ops), 2):
        print(result[i]["uuid"][1])


if __name__ == "__main__":
    main()

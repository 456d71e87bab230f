#!/usr/bin/env python3
"""scale-api: bench/scale's "api" latency: from an API write to the flows
installed on the node that needs it.

  scale-api.py API_URL NB_SOCKET CHASSIS PORTS_FILE N

N times, round robin over the ports of PORTS_FILE ("name uuid" lines:
CHASSIS's ports, as scale-load.py prints them): sets the port's
allowed_address_pairs through dvr-api (PUT /v2.0/ports/UUID, a new
address each time, which changes the port-security flows on CHASSIS),
then, once dvr-api answered, increments NB_Global.nb_cfg (API writes do
not: doc/api.md) and waits until CHASSIS acknowledges it.  A controller
handles the NB's updates in order and acknowledges a value only once the
flows of everything before it are installed, so the acknowledgement
follows the write's flows.  The time is from the start of the API call to
the acknowledgement: the write, its flows and one more NB round trip.
Prints "api write to installed (n=N): p50 X ms, p99 Y ms, max Z ms", as
bench-nb-latency does (and with its percentiles: bench/lib/control.py).
"""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from control import percentile  # noqa: E402
from ovsdbrpc import Connection, OvsdbError  # noqa: E402

DB = "DVRFLOW_Northbound"


def put_pairs(url, uuid, ip):
    body = json.dumps({"port": {"allowed_address_pairs":
                                [{"ip_address": ip}]}}).encode()
    req = urllib.request.Request("%s/v2.0/ports/%s" % (url, uuid),
                                 data=body, method="PUT",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        if r.status != 200:
            sys.exit("scale-api: PUT port %s: HTTP %d" % (uuid, r.status))


def main():
    url, sock, chassis, ports_file, n = sys.argv[1:6]
    ports = [line.split()[1] for line in open(ports_file) if line.strip()]
    if not ports:
        sys.exit("scale-api: no port in %s" % ports_file)
    conn = Connection(sock, timeout=30)
    acks = conn.monitor_cond(DB, "ack", {
        "Chassis_Private": {"columns": ["name", "nb_cfg"],
                            "where": [["name", "==", chassis]]}})
    lat = []
    salt = int(time.time()) % 200
    try:
        for i in range(int(n)):
            ip = "10.%d.%d.%d" % (200 + salt % 50, i // 250 % 250,
                                  1 + i % 250)
            start = time.monotonic()
            put_pairs(url, ports[i % len(ports)], ip)
            res = conn.transact(DB, [
                {"op": "mutate", "table": "NB_Global", "where": [],
                 "mutations": [["nb_cfg", "+=", 1]]},
                {"op": "select", "table": "NB_Global", "where": [],
                 "columns": ["nb_cfg"]}])
            target = res[1]["rows"][0]["nb_cfg"]

            def acked():
                return any(r.get("nb_cfg", 0) >= target
                           for r in acks.get("Chassis_Private", {}).values())
            if not conn.wait_for(acked, 30):
                sys.exit("scale-api: %s did not acknowledge nb_cfg %d"
                         % (chassis, target))
            lat.append((time.monotonic() - start) * 1000)
    except (OvsdbError, OSError) as e:
        sys.exit("scale-api: %s" % e)
    print("api write to installed (n=%d): p50 %.2f ms, p99 %.2f ms, "
          "max %.2f ms" % (len(lat), percentile(lat, 0.5),
                           percentile(lat, 0.99), max(lat)))


if __name__ == "__main__":
    main()

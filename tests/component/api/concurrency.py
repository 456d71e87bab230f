#!/usr/bin/env python3
"""Concurrency check for dvr-api: CLIENTS clients (threads, each with its
own keep-alive HTTP connection) create PORTS ports on one /22 at once.
Every request must succeed (201) or fail cleanly (409); no address and no
MAC may be handed out twice; the API's list must agree with the answers.

Usage: concurrency.py URL [CLIENTS [PORTS]]
Prints a summary line; exits 1 on a failed check."""

import http.client
import json
import sys
import threading
import time
import urllib.parse

URL = urllib.parse.urlparse(sys.argv[1])
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
PORTS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000


def request(conn, method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    return r.status, json.loads(data) if data else None


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=60)
status, net = request(conn, "POST", "/v2.0/networks",
                      {"network": {"name": "concurrency"}})
if status != 201:
    fail("network create: %d %s" % (status, net))
net_id = net["network"]["id"]
status, sub = request(conn, "POST", "/v2.0/subnets",
                      {"subnet": {"network_id": net_id, "ip_version": 4,
                                  "cidr": "10.20.0.0/22"}})
if status != 201:
    fail("subnet create: %d %s" % (status, sub))

results = []
lock = threading.Lock()


def client(n, count):
    c = http.client.HTTPConnection(URL.hostname, URL.port, timeout=60)
    for i in range(count):
        status, body = request(c, "POST", "/v2.0/ports",
                               {"port": {"network_id": net_id,
                                         "name": "c%d-%d" % (n, i)}})
        with lock:
            results.append((status, body))


start = time.time()
threads = [threading.Thread(target=client,
                            args=(n, PORTS // CLIENTS
                                  + (n < PORTS % CLIENTS)))
           for n in range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - start

created = [b["port"] for s, b in results if s == 201]
conflicts = [b for s, b in results if s == 409]
others = [(s, b) for s, b in results if s not in (201, 409)]
if others:
    fail("unexpected answers: %r" % others[:3])
for b in conflicts:
    if "NeutronError" not in b:
        fail("409 without a NeutronError body: %r" % b)
if len(results) != PORTS:
    fail("%d answers for %d requests" % (len(results), PORTS))

ips = [p["fixed_ips"][0]["ip_address"] for p in created]
macs = [p["mac_address"] for p in created]
if len(set(ips)) != len(ips):
    fail("duplicate IP addresses")
if len(set(macs)) != len(macs):
    fail("duplicate MAC addresses")
if any(len(p["fixed_ips"]) != 1 for p in created):
    fail("a port without exactly one address")

status, listed = request(conn, "GET", "/v2.0/ports?network_id=" + net_id)
listed = listed["ports"]
if sorted(p["id"] for p in listed) != sorted(p["id"] for p in created):
    fail("the port list does not match the created ports")
if sorted(p["fixed_ips"][0]["ip_address"] for p in listed) != sorted(ips):
    fail("listed addresses differ from the answers")

print("concurrency: %d clients, %d ports: %d created, %d conflicts, "
      "%.1f s (%.0f/s), %d distinct IPs and MACs"
      % (CLIENTS, PORTS, len(created), len(conflicts), elapsed,
         len(created) / elapsed, len(set(ips))))

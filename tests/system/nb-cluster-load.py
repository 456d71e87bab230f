#!/usr/bin/python3
"""API write load across an NB failover: CLIENTS clients (threads, each
with its own HTTP connection and project) create ports on NETWORK for
SECONDS seconds, at most 400 each.

Writes one line per answer to OUT: "<ms since start> <status> <port id or
->" and, at the end, a summary line on stdout.  A request that gets no
answer (connection error or time-out) is logged as status 0 and retried
on a new connection; 503 is what dvr-api answers while the NB has no
leader.  Any other status but 201 is counted as an error.

Usage: nb-cluster-load.py URL NETWORK CLIENTS SECONDS OUT
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse

URL = urllib.parse.urlparse(sys.argv[1])
NETWORK = sys.argv[2]
CLIENTS = int(sys.argv[3])
SECONDS = float(sys.argv[4])
OUT = sys.argv[5]

t0 = time.monotonic()
lock = threading.Lock()
answers = []


def client(n):
    conn = None
    i = 0
    # At most 400 ports each: Neutron's default quota is 500 per project.
    while time.monotonic() - t0 < SECONDS and i < 400:
        i += 1
        body = json.dumps({"port": {"network_id": NETWORK,
                                    "name": "load-%d-%d" % (n, i)}})
        try:
            if conn is None:
                conn = http.client.HTTPConnection(URL.hostname, URL.port,
                                                  timeout=30)
            # A project per client: each stays within Neutron's default
            # port quota (dvr-api runs with --auth=none here).
            conn.request("POST", "/v2.0/ports", body=body,
                         headers={"Content-Type": "application/json",
                                  "X-Project-Id": "load-%d" % n})
            r = conn.getresponse()
            data = r.read()
            status = r.status
            port = json.loads(data)["port"]["id"] if status == 201 else "-"
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            status, port = 0, "-"
            if conn is not None:
                conn.close()
            conn = None
        ms = int((time.monotonic() - t0) * 1000)
        with lock:
            answers.append((ms, status, port))
        if status != 201:
            time.sleep(0.05)


threads = [threading.Thread(target=client, args=(n,))
           for n in range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()

answers.sort()
with open(OUT, "w") as f:
    for ms, status, port in answers:
        f.write("%d %d %s\n" % (ms, status, port))
ok = sum(1 for a in answers if a[1] == 201)
unavailable = sum(1 for a in answers if a[1] in (0, 503))
errors = len(answers) - ok - unavailable
print("load: %d requests, %d created, %d unavailable (503 or no answer), "
      "%d errors" % (len(answers), ok, unavailable, errors))

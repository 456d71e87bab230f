#!/usr/bin/env python3
"""Robustness check for dvr-api: sends thousands of malformed or mutated
requests, each invalid by construction (bad JSON, wrong types, values out
of range, unknown attributes, unknown paths, invalid or unknown ids, huge
bodies, unsupported methods, broken HTTP).  Every answer must be a 4xx
(never a 2xx: the request was invalid; never a 5xx), and every error body
a NeutronError.

Usage: fuzz.py URL SETUP|FUZZ [SEED]
SETUP creates a small topology for the requests to aim at; FUZZ sends
them.  Prints a summary; exits 1 on a failed check."""

import http.client
import json
import random
import socket
import sys
import urllib.parse

URL = urllib.parse.urlparse(sys.argv[1])
MODE = sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
conn = None


def connect():
    global conn
    conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=30)


class Closed(Exception):
    pass


def request(method, path, body=None, raw=None, headers=None):
    data = raw if raw is not None else (
        json.dumps(body).encode() if body is not None else None)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    for attempt in range(2):
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            text = r.read()
            return r.status, text
        except (http.client.HTTPException, ConnectionError, OSError):
            # The server may close a connection after an error; reconnect.
            connect()
    raise Closed("no answer to %s %s (%d bytes)"
                 % (method, path, len(data or b"")))


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


connect()
if MODE == "SETUP":
    def create(coll, member, body):
        status, text = request("POST", "/v2.0/" + coll, {member: body})
        if status != 201:
            fail("setup %s: %d %s" % (coll, status, text[:200]))
        return json.loads(text)[member]["id"]
    net = create("networks", "network", {"name": "fz-net"})
    sub = create("subnets", "subnet", {"network_id": net, "ip_version": 4,
                                       "cidr": "10.9.0.0/24"})
    ext = create("networks", "network", {
        "name": "fz-ext", "router:external": True,
        "provider:network_type": "flat",
        "provider:physical_network": "physnet1"})
    create("subnets", "subnet", {"network_id": ext, "ip_version": 4,
                                 "cidr": "198.51.100.0/24",
                                 "enable_dhcp": False})
    sg = create("security-groups", "security_group", {"name": "fz-sg"})
    port = create("ports", "port", {"network_id": net, "name": "fz-port",
                                    "security_groups": [sg]})
    create("ports", "port", {"network_id": net, "name": "fz-port2"})
    router = create("routers", "router", {
        "name": "fz-router", "external_gateway_info": {"network_id": ext}})
    status, text = request("PUT", "/v2.0/routers/%s/add_router_interface"
                           % router, {"subnet_id": sub})
    if status != 200:
        fail("setup interface: %d %s" % (status, text[:200]))
    create("floatingips", "floatingip", {"floating_network_id": ext,
                                         "port_id": port})
    create("security-group-rules", "security_group_rule", {
        "security_group_id": sg, "direction": "ingress",
        "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
    print("setup: ok")
    sys.exit(0)

# Ids of the existing objects.
ids = {}
for coll in ("networks", "subnets", "ports", "routers", "floatingips",
             "security-groups", "security-group-rules"):
    status, text = request("GET", "/v2.0/" + coll)
    key = coll.replace("-", "_")
    # Not the default group: renaming it "default" would be valid.
    ids[coll] = [o["id"] for o in json.loads(text)[key]
                 if o.get("name") != "default"]
net, ext = ids["networks"][0], ids["networks"][1]
for n in ids["networks"]:
    s, t = request("GET", "/v2.0/networks/" + n)
    if json.loads(t)["network"]["router:external"]:
        ext = n
    else:
        net = n
s, t = request("GET", "/v2.0/subnets?network_id=" + net)
sub = json.loads(t)["subnets"][0]["id"]
s, t = request("GET", "/v2.0/ports?name=fz-port")
port = json.loads(t)["ports"][0]["id"]
sg = ids["security-groups"][0]
MISSING = "6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0a1"

BAD_STRING = [12345, [], {}, True, "x" * 256]
BAD_BOOL = ["maybe", 2, [], {}, None, "yes"]
BAD_UUID = ["nope", 5, "", MISSING[:-1], MISSING + "0", [MISSING]]
BAD_INT = ["abc", 1.5, [], {}, True]
BAD_CIDR = ["10.0.0.0/33", "banana", "10.9.1.1/24", "", 5, "10.0.0.0/-1",
            "::/129", None]
BAD_IP = ["10.0.0.300", "x", 7, "", "10.0.0", "1::2::3"]

# resource -> (a valid create body, {field: invalid values})
CASES = {
    ("networks", "network"): ({"name": "n"}, {
        "name": BAD_STRING + [None],
        "admin_state_up": BAD_BOOL,
        "router:external": BAD_BOOL,
        "shared": BAD_BOOL,
        "mtu": BAD_INT + [0, 67, 65536, -1, 2 ** 40],
        "provider:network_type": ["gre", 5, "", "VXLAN"],
        "provider:segmentation_id": BAD_INT + [0, 16777216, -5],
        "provider:physical_network": BAD_STRING,
        "port_security_enabled": BAD_BOOL,
        "id": [MISSING], "status": ["ACTIVE"], "subnets": [[]],
    }),
    ("subnets", "subnet"): ({"network_id": net, "ip_version": 4,
                             "cidr": "10.77.0.0/24"}, {
        "network_id": BAD_UUID + [MISSING, None],
        "cidr": BAD_CIDR + ["10.9.0.0/25", "0.0.0.0/0"],
        "ip_version": [5, "four", 6, None, 0],
        "gateway_ip": BAD_IP + ["10.78.0.1", "10.77.0.0", "10.77.0.255"],
        "allocation_pools": [5, "x", [{"start": "10.77.0.5"}],
                             [{"start": "10.77.0.5", "end": "10.77.1.5"}],
                             [{"start": "10.77.0.9", "end": "10.77.0.5"}],
                             [{"start": "10.77.0.1", "end": "10.77.0.9"}],
                             [{"start": "10.77.0.2", "end": "10.77.0.9"},
                              {"start": "10.77.0.9", "end": "10.77.0.20"}],
                             [[1, 2]]],
        "host_routes": [5, [{"destination": "x", "nexthop": "10.77.0.1"}],
                        [{"destination": "10.0.0.0/8"}],
                        [{"destination": "10.0.0.0/8",
                          "nexthop": "::1"}]],
        "dns_nameservers": [5, ["x"], ["8.8.8.8", "8.8.8.8"], [[]]],
        "enable_dhcp": BAD_BOOL,
        "ipv6_ra_mode": ["slaac", "bogus"],
        "subnetpool_id": [MISSING],
    }),
    ("ports", "port"): ({"network_id": net}, {
        "network_id": BAD_UUID + [MISSING, None],
        "name": BAD_STRING,
        "mac_address": ["x", "01:00:5e:00:00:01", "00:00:00:00:00:00", 5,
                        "fa:16:3e:00:00", None],
        "fixed_ips": [5, "x", [{"subnet_id": MISSING}],
                      [{"ip_address": "10.99.0.5"}],
                      [{"subnet_id": sub, "ip_address": "10.9.0.255"}],
                      [{"subnet_id": sub, "ip_address": "10.9.0.1"}],
                      [{"subnet_id": "x"}], [{}], [{"foo": 1}],
                      [{"ip_address": "10.9.0.7"},
                       {"ip_address": "10.9.0.7"}]],
        "security_groups": [5, "x", [MISSING], ["x"], [5]],
        "allowed_address_pairs": [5, [{"mac_address": "fa:16:3e:00:00:01"}],
                                  [{"ip_address": "x"}],
                                  [{"ip_address": "10.0.0.1",
                                    "mac_address": "x"}]],
        "port_security_enabled": BAD_BOOL,
        "binding:host_id": BAD_STRING,
        "binding:vnic_type": ["bogus", 5],
        "device_owner": BAD_STRING,
        "status": ["ACTIVE"],
    }),
    ("routers", "router"): ({"name": "r"}, {
        "name": BAD_STRING,
        "admin_state_up": BAD_BOOL,
        "external_gateway_info": [5, "x", [], {"network_id": "x"},
                                  {"network_id": MISSING},
                                  {"network_id": net},
                                  {"network_id": ext, "enable_snat": "x"},
                                  {"network_id": ext, "bogus": 1},
                                  {"network_id": ext,
                                   "external_fixed_ips": [
                                       {"ip_address": "10.9.0.5"}]}],
        "routes": [[{"destination": "10.0.0.0/8", "nexthop": "1.2.3.4"}]],
        "distributed": [False, "x"], "ha": [True, "x"],
    }),
    ("floatingips", "floatingip"): ({"floating_network_id": ext}, {
        "floating_network_id": BAD_UUID + [MISSING, net, None],
        "floating_ip_address": BAD_IP + ["10.9.0.5", "198.51.100.0"],
        "port_id": BAD_UUID + [MISSING],
        "subnet_id": BAD_UUID + [MISSING, sub],
        "fixed_ip_address": BAD_IP,
        "description": BAD_STRING,
    }),
    ("security-groups", "security_group"): ({"name": "g"}, {
        "name": BAD_STRING + ["default"],
        "description": BAD_STRING,
        "stateful": BAD_BOOL,
        "security_group_rules": [[]],
    }),
    ("security-group-rules", "security_group_rule"): (
        {"security_group_id": sg, "direction": "ingress",
         "protocol": "udp", "port_range_min": 53, "port_range_max": 53}, {
            "security_group_id": BAD_UUID + [MISSING, None],
            "direction": ["in", 5, None, ""],
            "ethertype": ["IPv5", 4, ""],
            "protocol": ["bogus", 256, -1, [], "ipv6-icmp"],
            "port_range_min": [0, 70000, -1, "x", 54],
            "port_range_max": [0, 70000, 52, "x", []],
            "remote_ip_prefix": ["10.0.0.0/33", "banana", "", 5, "::/0",
                                 "::/129", "10.0.0.0/-1"],
            "remote_group_id": BAD_UUID + [MISSING],
        }),
}

counts = {}
n_requests = 0


def expect_error(method, path, body=None, raw=None, headers=None,
                 allow=(), may_close=False):
    global n_requests
    n_requests += 1
    try:
        status, text = request(method, path, body, raw, headers)
    except Closed as e:
        if may_close:
            counts["closed"] = counts.get("closed", 0) + 1
            return
        fail(str(e))
    counts[status] = counts.get(status, 0) + 1
    if status >= 500:
        fail("%d for %s %s %r: %s" % (status, method, path,
                                      raw[:80] if raw else body, text[:300]))
    if status < 400 and status not in allow:
        fail("accepted %s %s %r: %d %s" % (method, path,
                                           raw[:80] if raw else body,
                                           status, text[:300]))
    if status in (400, 404, 409) and text:
        try:
            err = json.loads(text)["NeutronError"]
            assert err["type"] and err["message"]
        except Exception:
            fail("%d without a NeutronError body: %s" % (status, text[:200]))


# 1. Wrong types and out-of-range values, one field at a time, on create
#    and (for existing objects) on update.
for (coll, member), (valid, fields) in CASES.items():
    for field, values in fields.items():
        for v in values:
            body = dict(valid)
            body[field] = v
            expect_error("POST", "/v2.0/" + coll, {member: body})
            if ids[coll]:
                target = rng.choice(ids[coll])
                expect_error("PUT", "/v2.0/%s/%s" % (coll, target),
                             {member: {field: v}})

# 2. Unknown attributes, wrong envelopes, bulk, empty bodies.
for (coll, member), (valid, fields) in CASES.items():
    for extra in ("bogus", "tenant", "id", "created_at", "revision_number"):
        body = dict(valid)
        body[extra] = "x"
        expect_error("POST", "/v2.0/" + coll, {member: body})
    for env in ({}, {"x": valid}, {member: valid, "x": 1}, [valid],
                {member: [valid]}, {member: None}, {member: "x"},
                {coll.replace("-", "_"): [valid]}, "x", 5, None):
        expect_error("POST", "/v2.0/" + coll, env)
    expect_error("POST", "/v2.0/" + coll, raw=b"")

# 3. Broken JSON: truncations and byte corruption of valid bodies.
for (coll, member), (valid, fields) in CASES.items():
    text = json.dumps({member: valid})
    for _ in range(300):
        b = bytearray(text.encode())
        how = rng.randrange(4)
        if how == 0:
            b = b[:rng.randrange(len(b))]
        elif how == 1:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif how == 2:
            i = rng.randrange(len(b))
            b[i:i] = bytes(rng.randrange(256) for _ in range(3))
        else:
            del b[rng.randrange(len(b))]
        try:
            json.loads(bytes(b).decode())
            continue            # Still valid JSON: not a broken body.
        except Exception:
            pass
        expect_error("POST", "/v2.0/" + coll, raw=bytes(b))
        if ids[coll]:
            expect_error("PUT", "/v2.0/%s/%s" % (coll, ids[coll][0]),
                         raw=bytes(b))
for raw in (b"{", b"[" * 5000 + b"]" * 5000, b'{"network": {"name": "\\u0000"}}',
            b"\xff\xfe", b'{"network": {"mtu": 1e400}}',
            b'{"network": {"mtu": 99999999999999999999999}}',
            b'{"network": {"name": "a", "name": "b"}}', b"null", b"nan"):
    expect_error("POST", "/v2.0/networks", raw=raw)

# 4. Huge bodies.
# (The server may answer 413 and close before reading it all.)
expect_error("POST", "/v2.0/networks",
             raw=b'{"network": {"name": "' + b"x" * (2 << 20) + b'"}}',
             may_close=True)
expect_error("POST", "/v2.0/ports", raw=json.dumps(
    {"port": {"network_id": net,
              "fixed_ips": [{"ip_address": "10.9.0.%d" % (i % 250)}
                            for i in range(5000)]}}).encode())

# 5. Unknown paths, invalid and unknown ids, unsupported methods.
paths = ["/v2.0/nothing", "/v3/networks", "/v2.0/networks/x/y/z/w",
         "/v2.0/routers/%s/bogus_action" % ids["routers"][0],
         "/v2.0/networks/%s/add_router_interface" % net,
         "/v2.0/extensions/nothing", "/v2.0/networks/" + "a" * 5000,
         "/v2.0/networks/%00", "/v2.0/%2e%2e/%2e%2e/etc/passwd"]
for coll in ids:
    for bad in ("x", MISSING, MISSING.upper()[:-1] + "Z", "-1", "%20",
                "..", MISSING + ".json"):
        paths.append("/v2.0/%s/%s" % (coll, bad))
for p in paths:
    for method in ("GET", "PUT", "DELETE", "POST"):
        expect_error(method, p, {"x": 1})
for coll in ids:
    for method in ("PATCH", "OPTIONS", "TRACE"):
        expect_error(method, "/v2.0/" + coll)
    expect_error("DELETE", "/v2.0/" + coll)
    expect_error("PUT", "/v2.0/" + coll, {"x": 1})
    if ids[coll]:
        expect_error("POST", "/v2.0/%s/%s" % (coll, ids[coll][0]), {})
for method in ("POST", "PUT", "DELETE"):
    expect_error(method, "/", {})
    expect_error(method, "/v2.0", {})
    expect_error(method, "/v2.0/extensions", {})

# 6. Router actions with bad bodies.
router = ids["routers"][0]
for action in ("add_router_interface", "remove_router_interface",
               "add_extraroutes", "remove_extraroutes"):
    for body in (None, {}, {"subnet_id": "x"}, {"port_id": MISSING},
                 {"subnet_id": MISSING}, {"subnet_id": sub, "port_id": port},
                 {"router": {"routes": "x"}}, {"bogus": 1}, [1], "x",
                 {"router": {"routes": [{"destination": "10.0.0.0/8",
                                         "nexthop": "1.1.1.1"}]}}):
        if action == "add_extraroutes" and isinstance(body, dict) \
                and body.get("router", {}).get("routes") == []:
            continue
        # Removing a route the router does not have is a valid no-op:
        # answered 200, and the NB comparison shows it wrote nothing.
        expect_error("PUT", "/v2.0/routers/%s/%s" % (router, action), body,
                     allow=(200,) if action == "remove_extraroutes" else ())

# 7. Deletes the model refuses: objects in use.
for coll, oid in (("networks", net), ("networks", ext), ("subnets", sub),
                  ("routers", router), ("security-groups", sg)):
    expect_error("DELETE", "/v2.0/%s/%s" % (coll, oid))
for p in ids["ports"]:
    s, t = request("GET", "/v2.0/ports/" + p)
    if json.loads(t)["port"]["device_owner"].startswith("network:"):
        expect_error("DELETE", "/v2.0/ports/" + p)

# 8. Broken HTTP on raw sockets: the server answers 4xx or closes.
garbage = [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
           b"POST /v2.0/networks HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
           b"POST /v2.0/networks HTTP/1.1\r\nContent-Length: 99999999999"
           b"\r\n\r\n",
           b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n",
           b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 20000 + b"\r\n",
           b"\x00\x01\x02\x03\r\n\r\n"]
for _ in range(100):
    garbage.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1,
                                                                        200)))
                   + b"\r\n\r\n")
for g in garbage:
    n_requests += 1
    s = socket.create_connection((URL.hostname, URL.port), timeout=10)
    try:
        s.sendall(g)
        s.shutdown(socket.SHUT_WR)
        answer = s.recv(100)
    except OSError:
        answer = b""
    s.close()
    if answer.startswith(b"HTTP/"):
        code = int(answer.split()[1])
        counts[code] = counts.get(code, 0) + 1
        if code >= 500 or code < 400:
            fail("raw request %r answered %d" % (g[:40], code))

connect()
status, _ = request("GET", "/")
if status != 200:
    fail("the server does not answer afterwards")
print("fuzz: %d requests, answers %s" % (
    n_requests, ", ".join("%s: %d" % (k, v) for k, v in
                          sorted(counts.items(), key=str))))

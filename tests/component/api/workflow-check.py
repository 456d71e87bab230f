#!/usr/bin/env python3
"""Checks, through dvr-api's REST API, the state that the openstack client
workflow of tests/component/api-openstack.sh should have produced.

Usage: workflow-check.py URL PHASE  (PHASE: setup, associated, up, empty)
Exits 1 with a message on the first check that fails."""

import json
import sys
import urllib.request

URL = sys.argv[1]
PHASE = sys.argv[2]


def get(path):
    with urllib.request.urlopen(URL + path) as r:
        return json.load(r)


def one(collection, **filters):
    q = "&".join("%s=%s" % kv for kv in filters.items())
    items = get("/v2.0/%s?%s" % (collection, q))[collection.replace("-", "_")]
    check(len(items) == 1, "%s %s: %d found" % (collection, filters,
                                                len(items)))
    return items[0]


def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)


def eq(got, want, what):
    check(got == want, "%s: got %r, want %r" % (what, got, want))


if PHASE == "setup" or PHASE == "associated":
    priv = one("networks", name="private-net")
    pub = one("networks", name="public-net")
    eq(priv["provider:network_type"], "vxlan", "private network type")
    eq(priv["mtu"], 1450, "private mtu")
    check(priv["provider:segmentation_id"] >= 1, "private VNI")
    eq(pub["router:external"], True, "public external")
    eq(pub["provider:network_type"], "flat", "public type")
    eq(pub["provider:physical_network"], "physnet1", "public physnet")
    eq(pub["mtu"], 1500, "public mtu")

    psub = one("subnets", name="private-subnet")
    xsub = one("subnets", name="public-subnet")
    eq(psub["gateway_ip"], "192.168.10.1", "private gateway")
    eq(psub["allocation_pools"],
       [{"start": "192.168.10.2", "end": "192.168.10.254"}], "pools")
    eq(psub["enable_dhcp"], True, "private dhcp")
    eq(xsub["enable_dhcp"], False, "public dhcp")
    eq(sorted(priv["subnets"]), [psub["id"]], "network's subnets")

    router = one("routers", name="myrouter")
    gw = router["external_gateway_info"]
    check(gw is not None, "router has no gateway")
    eq(gw["network_id"], pub["id"], "gateway network")
    eq(gw["enable_snat"], True, "enable_snat")
    eq(gw["external_fixed_ips"][0]["subnet_id"], xsub["id"], "gateway subnet")
    rports = get("/v2.0/ports?device_id=" + router["id"])["ports"]
    owners = sorted(p["device_owner"] for p in rports)
    eq(owners, ["network:router_gateway",
                "network:router_interface_distributed"], "router ports")
    iface = [p for p in rports if p["device_owner"].startswith(
        "network:router_interface")][0]
    eq(iface["fixed_ips"], [{"subnet_id": psub["id"],
                             "ip_address": "192.168.10.1"}], "interface IP")

    port = one("ports", name="vm1-port")
    eq(port["fixed_ips"], [{"subnet_id": psub["id"],
                            "ip_address": "192.168.10.2"}], "port IP")
    check(port["mac_address"].startswith("fa:16:3e:"), "port MAC")
    eq(port["status"], "DOWN", "port status")
    eq(port["port_security_enabled"], True, "port security")

    default = one("security-groups", name="default")
    dirs = sorted((r["direction"], r["ethertype"],
                   r["remote_group_id"] == default["id"])
                  for r in default["security_group_rules"])
    eq(dirs, [("egress", "IPv4", False), ("egress", "IPv6", False),
              ("ingress", "IPv4", True), ("ingress", "IPv6", True)],
       "default group rules")

    fip = one("floatingips", floating_network_id=pub["id"])
    check(fip["floating_ip_address"].startswith("203.0.113."), "fip address")

if PHASE == "associated":
    web = one("security-groups", name="web")
    rules = [(r["direction"], r["protocol"], r["port_range_min"],
              r["port_range_max"]) for r in web["security_group_rules"]]
    check(("ingress", "tcp", 80, 80) in rules, "web rule: %r" % rules)
    eq(len(rules), 3, "web rules (2 egress + 1)")
    eq(sorted(port["security_groups"]), sorted([default["id"], web["id"]]),
       "port groups")
    eq(fip["port_id"], port["id"], "fip port")
    eq(fip["fixed_ip_address"], "192.168.10.2", "fip fixed address")
    eq(fip["router_id"], router["id"], "fip router")
    eq(fip["status"], "DOWN", "fip status")

if PHASE == "up":
    port = one("ports", name="vm1-port")
    eq(port["status"], "ACTIVE", "port status when bound")
    fip = get("/v2.0/floatingips")["floatingips"][0]
    eq(fip["status"], "ACTIVE", "fip status when its port is up")

if PHASE == "empty":
    for c in ("networks", "subnets", "ports", "routers", "floatingips"):
        eq(get("/v2.0/" + c)[c], [], c + " after teardown")
    eq([g["name"] for g in get("/v2.0/security-groups")["security_groups"]],
       ["default"], "groups after teardown")

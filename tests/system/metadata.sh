#!/usr/bin/env bash
# System test: the metadata service, without any namespace of its own.  VMs
# fetch http://169.254.169.254/... with curl and wget and get their own
# instance's data: two VMs with the same IP in two tenants on one node each
# get their own; a floating IP shows as public-ipv4; user data and public
# keys come from the NB Instance row.  With --metadata-proxy, requests go
# to a (fake) Nova with the Neutron metadata agent's headers and signature.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --no-api
P=$SB_PREFIX
namespaces_before=$(sb_namespaces)

# sb_set TABLE UUID ROW_JSON: updates one NB row.
sb_set() {
    sb_nb "{\"op\":\"update\",\"table\":\"$1\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$2\"]]],\"row\":$3}" >/dev/null
}
# instance ID NAME PROJECT USER_DATA KEY: an NB Instance row.
instance() {
    sb_nb "{\"op\":\"insert\",\"table\":\"Instance\",\"row\":{
        \"instance_id\":\"$1\",\"name\":\"$2\",\"project_id\":\"$3\",
        \"availability_zone\":\"az1\",\"user_data\":\"$4\",
        \"public_keys\":[\"map\",[[\"key-$2\",\"$5\"]]],
        \"meta\":[\"map\",[[\"role\",\"$2-role\"]]]}}" >/dev/null
}

na=$(sb_network tenant-a geneve 201 1442)
sa=$(sb_subnet "$na" 10.0.0.0/24 10.0.0.1 true)
nb=$(sb_network tenant-b geneve 202 1442)
sb_=$(sb_subnet "$nb" 10.0.0.0/24 10.0.0.1 true)
ia=11111111-aaaa-4aaa-8aaa-000000000001
ib=22222222-bbbb-4bbb-8bbb-000000000002
ic=33333333-cccc-4ccc-8ccc-000000000003
instance "$ia" vm-a proj-a "#cloud-config a" "ssh-ed25519 AAAAkeyA a@x"
instance "$ib" vm-b proj-b "#cloud-config b" "ssh-ed25519 AAAAkeyB b@x"

pa=$(sb_port "$na" "$sa" 10.0.0.11 fa:16:3e:00:0a:11)
sb_set Port "$pa" "{\"device_id\":\"$ia\",\"project_id\":\"proj-a\"}"
pb=$(sb_port "$nb" "$sb_" 10.0.0.11 fa:16:3e:00:0b:11)
sb_set Port "$pb" "{\"device_id\":\"$ib\",\"project_id\":\"proj-b\"}"
pc=$(sb_port "$na" "$sa" 10.0.0.12 fa:16:3e:00:0a:12)
sb_set Port "$pc" "{\"device_id\":\"$ic\",\"project_id\":\"proj-a\"}"
# A floating IP for vm-a (the NB row only: this test needs no router).
ext=$(sb_network ext flat "" 1500)
esub=$(sb_subnet "$ext" 203.0.113.0/24 203.0.113.1)
fport=$(sb_port "$ext" "$esub" 203.0.113.50 fa:16:3e:00:ee:50)
sb_nb "{\"op\":\"insert\",\"table\":\"Floating_IP\",\"row\":{
    \"floating_network\":[\"uuid\",\"$ext\"],
    \"floating_port\":[\"uuid\",\"$fport\"],
    \"floating_ip_address\":\"203.0.113.50\",\"port\":[\"uuid\",\"$pa\"],
    \"fixed_ip_address\":\"10.0.0.11\",\"project_id\":\"proj-a\"}}" >/dev/null

sb vm-add vma --node hv1 --port "$pa" || sb_fail "vm-add vma"
sb vm-add vmb --node hv1 --port "$pb" || sb_fail "vm-add vmb"
sb vm-add vmc --node hv2 --port "$pc" || sb_fail "vm-add vmc"

# The service's port is in the node's own namespace: "the host".
sb exec hv1 ip -o addr show dev dvr-meta | sb_has 'inet 169.254.169.254/16' \
    || sb_fail "no 169.254.169.254 on hv1's dvr-meta: $(sb exec hv1 ip -o addr)"

# get VM PATH: the body of http://169.254.169.254PATH fetched from VM.
get() {
    sb exec "$1" curl -sf --max-time 5 "http://169.254.169.254$2"
}
t0=$(sb_ms)
for _ in $(seq 20); do get vma /openstack/latest/meta_data.json >/dev/null 2>&1 && break; sleep 0.25; done
json_a=$(get vma /openstack/latest/meta_data.json) \
    || sb_fail "vma cannot fetch meta_data.json"
echo "vma: first meta_data.json after $(( $(sb_ms) - t0 )) ms"
json_b=$(get vmb /openstack/latest/meta_data.json) \
    || sb_fail "vmb cannot fetch meta_data.json"
json_c=$(get vmc /openstack/latest/meta_data.json) \
    || sb_fail "vmc cannot fetch meta_data.json"
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval("d"+sys.argv[2]))' "$1" "$2"; }
[ "$(field "$json_a" '["uuid"]')" = "$ia" ] || sb_fail "vma got: $json_a"
[ "$(field "$json_b" '["uuid"]')" = "$ib" ] || sb_fail "vmb got: $json_b"
[ "$(field "$json_c" '["uuid"]')" = "$ic" ] || sb_fail "vmc got: $json_c"
[ "$(field "$json_a" '["project_id"]')" = proj-a ] || sb_fail "vma project: $json_a"
[ "$(field "$json_b" '["project_id"]')" = proj-b ] || sb_fail "vmb project: $json_b"
[ "$(field "$json_a" '["public_keys"]["key-vm-a"]')" = "ssh-ed25519 AAAAkeyA a@x" ] \
    || sb_fail "vma keys: $json_a"
[ "$(field "$json_a" '["meta"]["role"]')" = vm-a-role ] || sb_fail "vma meta: $json_a"
[ "$(field "$json_a" '["hostname"]')" = vm-a.openstacklocal ] \
    || sb_fail "vma hostname: $json_a"
[ "$(field "$json_a" '["availability_zone"]')" = az1 ] || sb_fail "vma az: $json_a"
echo "same IP in two tenants on one node, each its own meta_data.json: ok"

# The EC2 tree, with wget too.
[ "$(get vma /latest/meta-data/instance-id)" = "$ia" ] || sb_fail "vma instance-id"
[ "$(get vmb /latest/meta-data/instance-id)" = "$ib" ] || sb_fail "vmb instance-id"
[ "$(get vma /latest/meta-data/local-ipv4)" = 10.0.0.11 ] || sb_fail "vma local-ipv4"
[ "$(get vma /latest/meta-data/public-ipv4)" = 203.0.113.50 ] \
    || sb_fail "vma public-ipv4: $(get vma /latest/meta-data/public-ipv4)"
get vmb /latest/meta-data/public-ipv4 >/dev/null 2>&1 \
    && sb_fail "vmb has a public-ipv4 without a floating IP"
get vma /latest/meta-data/ | sb_has '^public-keys/$' || sb_fail "vma meta-data/ list"
[ "$(get vma /latest/meta-data/public-keys/0/openssh-key)" = "ssh-ed25519 AAAAkeyA a@x" ] \
    || sb_fail "vma openssh-key"
[ "$(get vma /latest/meta-data/hostname)" = vm-a.openstacklocal ] || sb_fail "vma hostname"
[ "$(get vma /latest/meta-data/placement/availability-zone)" = az1 ] || sb_fail "vma az"
[ "$(sb exec vmb wget -q -T 5 -O - http://169.254.169.254/latest/user-data)" = "#cloud-config b" ] \
    || sb_fail "vmb user-data (wget)"
[ "$(get vma /openstack/latest/user_data)" = "#cloud-config a" ] || sb_fail "vma user_data"
get vmc /latest/user-data >/dev/null 2>&1 && sb_fail "vmc has user data it was not given"
get vma /latest/no-such-thing >/dev/null 2>&1 && sb_fail "a bad path did not get 404"
echo "EC2 tree, user data, keys, floating IP: ok"

# No namespace besides the sandbox's nodes, VMs, fabric and ext.
[ "$(sb_namespaces)" = "$(printf '%s\n' $namespaces_before "$P-vma" "$P-vmb" "$P-vmc" | sort)" ] \
    || sb_fail "namespaces: $(sb_namespaces)"
echo "no extra namespace: ok"

# Proxy mode on hv2: a fake Nova on 127.0.0.1:8775 in hv2's namespace
# echoes the headers it gets.
d=/run/dvrsb/$P/hv2
echo "s3cr3t" > "$SB_TMP/secret"
cat > "$SB_TMP/nova.py" <<'PY'
import http.server, json
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path,
                           "headers": {k: v for k, v in self.headers.items()}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", 8775), H).serve_forever()
PY
sb exec hv2 python3 "$SB_TMP/nova.py" &
old=$(cat "$d/run/dvr-controller.pid")
kill "$old"
for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
sb exec hv2 env OVS_RUNDIR="$d/run" OVS_DBDIR="$d/db" OVS_LOGDIR="$d/log" \
    OVS_SYSCONFDIR="$d/etc" "$abs_top_builddir/controller/dvr-controller" \
    "unix:$d/run/db.sock" --pidfile="$d/run/dvr-controller.pid" --detach \
    --log-file="$d/log/dvr-controller.log" \
    --unixctl="$d/run/dvr-controller.ctl" \
    --metadata-proxy=http://127.0.0.1:8775/nova --metadata-secret-file="$SB_TMP/secret" \
    || sb_fail "cannot restart hv2's controller with --metadata-proxy"
out=""
for _ in $(seq 40); do
    out=$(get vmc /openstack/latest/meta_data.json 2>/dev/null) && break
    sleep 0.25
done
[ -n "$out" ] || sb_fail "vmc gets nothing through the proxy"
sig=$(python3 -c 'import hmac,hashlib,sys; print(hmac.new(b"s3cr3t", sys.argv[1].encode(), hashlib.sha256).hexdigest())' "$ic")
[ "$(field "$out" '["path"]')" = /nova/openstack/latest/meta_data.json ] || sb_fail "proxy path: $out"
[ "$(field "$out" '["headers"]["X-Instance-ID"]')" = "$ic" ] || sb_fail "X-Instance-ID: $out"
[ "$(field "$out" '["headers"]["X-Tenant-ID"]')" = proj-a ] || sb_fail "X-Tenant-ID: $out"
[ "$(field "$out" '["headers"]["X-Forwarded-For"]')" = 10.0.0.12 ] || sb_fail "X-Forwarded-For: $out"
[ "$(field "$out" '["headers"]["X-Instance-ID-Signature"]')" = "$sig" ] \
    || sb_fail "X-Instance-ID-Signature: $out (want $sig)"
echo "proxy to Nova with the metadata agent's headers: ok"
sb ovs hv1 ovs-appctl -t "/run/dvrsb/$P/hv1/run/dvr-controller.ctl" status | grep '^metadata'

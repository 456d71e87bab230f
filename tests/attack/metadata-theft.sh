#!/usr/bin/env bash
# Attack: metadata theft.  The metadata service finds a VM's instance by
# its port's device_id, which the port's owner sets at will (PUT
# /v2.0/ports/ID, as in Neutron).  Project A points its port at project
# B's instance and fetches B's name, SSH key and user data from its VM.
# The service must serve only an Instance of the port's own project, and
# the proxy to Nova must send the port's project, never the instance's.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up
P=$SB_PREFIX
api_port=$(. "/run/dvrsb/$P/config"; echo "$SB_API_PORT")

sb_set() {
    sb_nb "{\"op\":\"update\",\"table\":\"$1\",
        \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$2\"]]],\"row\":$3}" >/dev/null
}
na=$(sb_network tenant-a geneve 301 1442)
sa=$(sb_subnet "$na" 10.0.0.0/24 10.0.0.1 true)
nb=$(sb_network tenant-b geneve 302 1442)
sb_=$(sb_subnet "$nb" 10.0.0.0/24 10.0.0.1 true)
ia=11111111-aaaa-4aaa-8aaa-000000000001
ib=22222222-bbbb-4bbb-8bbb-000000000002
for i in "$ia vm-a proj-a AAAAkeyA" "$ib vm-b proj-b BBBBkeyB"; do
    set -- $i
    sb_nb "{\"op\":\"insert\",\"table\":\"Instance\",\"row\":{
        \"instance_id\":\"$1\",\"name\":\"$2\",\"project_id\":\"$3\",
        \"user_data\":\"secret of $2\",
        \"public_keys\":[\"map\",[[\"key-$2\",\"ssh-ed25519 $4\"]]]}}" >/dev/null
done
pa=$(sb_port "$na" "$sa" 10.0.0.11 fa:16:3e:00:0a:11)
sb_set Port "$pa" "{\"device_id\":\"$ia\",\"project_id\":\"proj-a\"}"
pb=$(sb_port "$nb" "$sb_" 10.0.0.12 fa:16:3e:00:0b:12)
sb_set Port "$pb" "{\"device_id\":\"$ib\",\"project_id\":\"proj-b\"}"
sb vm-add vma --node hv1 --port "$pa" || sb_fail "vm-add vma"
sb vm-add vmb --node hv1 --port "$pb" || sb_fail "vm-add vmb"

get() {
    sb exec "$1" curl -sf --max-time 5 "http://169.254.169.254$2"
}
for _ in $(seq 40); do get vma /latest/meta-data/instance-id >/dev/null 2>&1 && break; sleep 0.25; done
[ "$(get vma /openstack/latest/user_data)" = "secret of vm-a" ] \
    || sb_fail "vma does not get its own user data"
[ "$(get vmb /openstack/latest/user_data)" = "secret of vm-b" ] \
    || sb_fail "vmb does not get its own user data"

# The attack: project A names B's instance in its own port, through the
# API, as any tenant may.
code=$(curl -s -o "$SB_TMP/put.out" -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/json' -H 'X-Project-Id: proj-a' \
    --data "{\"port\":{\"device_id\":\"$ib\"}}" \
    "http://127.0.0.1:$api_port/v2.0/ports/$pa")
[ "$code" = 200 ] || sb_fail "PUT device_id: HTTP $code $(cat "$SB_TMP/put.out")"

# What vma sees once the controller has the change (its instance-id).
for _ in $(seq 40); do
    [ "$(get vma /latest/meta-data/instance-id 2>/dev/null)" = "$ib" ] && break
    sleep 0.25
done
json=$(get vma /openstack/latest/meta_data.json) || sb_fail "vma: no meta_data.json"
echo "vma's meta_data.json after the attack: $json"
leaks=""
[[ $json == *BBBBkeyB* ]] && leaks="$leaks B's SSH key;"
[[ $json == *'"vm-b"'* ]] && leaks="$leaks B's instance name;"
[[ $json == *proj-b* ]] && leaks="$leaks B's project;"
ud=$(get vma /openstack/latest/user_data 2>/dev/null || true)
[ "$ud" = "secret of vm-b" ] && leaks="$leaks B's user data;"
ud2=$(get vma /latest/user-data 2>/dev/null || true)
[ "$ud2" = "secret of vm-b" ] && leaks="$leaks B's user data (EC2);"
key=$(get vma /latest/meta-data/public-keys/0/openssh-key 2>/dev/null || true)
[[ $key == *BBBBkeyB* ]] && leaks="$leaks B's key (EC2);"
# Both halves of the attack run before the test fails, so that one run on
# the unfixed code shows both.
fails=""
if [ -n "$leaks" ]; then
    echo "ATTACK WORKED: project A read project B's instance:$leaks"
    fails="$fails served B's instance to A;"
elif [[ $json != *'"project_id": "proj-a"'* ]]; then
    fails="$fails vma's project is not its port's;"
else
    echo "a port naming another project's instance gets none of its data: ok"
fi
# B itself still gets its data.
[ "$(get vmb /openstack/latest/user_data)" = "secret of vm-b" ] \
    || sb_fail "vmb lost its user data"

# Proxy mode on hv1: a fake Nova that answers like Nova (it checks the
# tenant against the instance's project) and records the headers.
d=/run/dvrsb/$P/hv1
echo "s3cr3t" > "$SB_TMP/secret"
cat > "$SB_TMP/nova.py" <<'PY'
import http.server, json, sys
owners = {sys.argv[1]: "proj-a", sys.argv[2]: "proj-b"}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        iid = self.headers.get("X-Instance-ID", "")
        tenant = self.headers.get("X-Tenant-ID", "")
        ok = owners.get(iid) == tenant
        body = json.dumps({"instance": iid, "tenant": tenant,
                           "secret": "user data of " + iid if ok else ""})
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", 8775), H).serve_forever()
PY
sb exec hv1 python3 "$SB_TMP/nova.py" "$ia" "$ib" &
old=$(cat "$d/run/dvr-controller.pid")
kill "$old"
for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
sb exec hv1 env OVS_RUNDIR="$d/run" OVS_DBDIR="$d/db" OVS_LOGDIR="$d/log" \
    OVS_SYSCONFDIR="$d/etc" "$abs_top_builddir/controller/dvr-controller" \
    "unix:$d/run/db.sock" --pidfile="$d/run/dvr-controller.pid" --detach \
    --log-file="$d/log/dvr-controller.log" \
    --unixctl="$d/run/dvr-controller.ctl" \
    --metadata-proxy=http://127.0.0.1:8775/ --metadata-secret-file="$SB_TMP/secret" \
    || sb_fail "cannot restart hv1's controller with --metadata-proxy"
out=""
for _ in $(seq 40); do
    out=$(sb exec vmb curl -sf --max-time 5 http://169.254.169.254/openstack/latest/meta_data.json 2>/dev/null) \
        && break
    sleep 0.25
done
[[ $out == *"user data of $ib"* ]] || sb_fail "vmb gets nothing through the proxy: $out"
out=$(sb exec vma curl -s --max-time 5 http://169.254.169.254/openstack/latest/meta_data.json) || true
echo "vma through the proxy: $out"
if [[ $out == *"user data of $ib"* ]]; then
    echo "ATTACK WORKED: the proxy sent B's project for A's port"
    fails="$fails proxy sent B's project;"
elif [[ $out != *'"tenant": "proj-a"'* ]]; then
    fails="$fails the proxy did not send the port's project;"
else
    echo "the proxy sends the port's project, Nova refuses the foreign instance: ok"
fi
sb ovs hv1 ovs-appctl -t "$d/run/dvr-controller.ctl" status | grep '^metadata'
[ -z "$fails" ] || sb_fail "metadata theft:$fails"

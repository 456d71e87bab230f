#!/usr/bin/env bash
# TLS: tokens and NB rows must not cross the network in clear.  The test
# makes its own certificate authority with openssl, a certificate for the
# NB ovsdb-server, dvr-api and a controller, and a second authority with
# a rogue certificate.  The NB listens on ssl: only (for clients; the test
# itself reads it over a unix socket).  Then:
#   - dvr-api talks to the NB over ssl: and serves HTTPS only: a request
#     verified against the test's authority works and its network lands
#     in the NB; plain HTTP to the same port gets no HTTP answer at all;
#   - a dvr-controller (dummy datapath) with its certificate connects over
#     ssl:, registers its chassis and applies new NB rows (a port created
#     over HTTPS is bound and up once its VIF appears);
#   - a controller with the rogue certificate is refused by the NB.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
. "$abs_top_srcdir/tests/component/api/lib.sh"
command -v openssl >/dev/null || { echo "no openssl"; exit 77; }
ovs_test_init

pki=$OVS_TEST_DIR/pki
mkdir -p "$pki"
# ca NAME: a self-signed authority NAME.
ca() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
        -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>/dev/null
}
# cert NAME CA: a key and a certificate for 127.0.0.1 signed by CA.
cert() {
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" \
        -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
    openssl x509 -req -days 2 -in "$pki/$1.csr" -CA "$pki/$2.pem" \
        -CAkey "$pki/$2.key" -CAcreateserial -out "$pki/$1.pem" \
        -extfile <(printf 'subjectAltName=IP:127.0.0.1\n') 2>/dev/null
}
ca testca
ca rogueca
for n in nb api hv1; do
    cert $n testca
done
cert rogue rogueca
ssl_opts() {
    echo "--private-key=$pki/$1.key --certificate=$pki/$1.pem" \
         "--ca-cert=$pki/testca.pem"
}

# The NB: ssl: for clients, a unix socket for the test.
d=$OVS_TEST_DIR/nb
mkdir -p "$d/run" "$d/db" "$d/log"
ovsdb-tool create "$d/db/nb.db" "$DVR_NB_SCHEMA" >/dev/null
nb_port=$(api_free_port)
# shellcheck disable=SC2046
ovsdb-server --detach --no-chdir --pidfile="$d/run/nb.pid" \
    --log-file="$d/log/nb.log" --unixctl="$d/run/nb.ctl" \
    --remote=punix:"$d/run/nb.sock" --remote="pssl:$nb_port:127.0.0.1" \
    $(ssl_opts nb) "$d/db/nb.db" || ovs_fail "NB ovsdb-server"
_ovs_track_pidfile "$d/run/nb.pid"
_ovs_wait_file "$d/run/nb.sock"
NB_REMOTE=unix:$d/run/nb.sock
SSL_NB=ssl:127.0.0.1:$nb_port

# dvr-api: NB over ssl:, HTTPS only.
API_DIR=$OVS_TEST_DIR/api
mkdir -p "$API_DIR"
api_port=$(api_free_port)
# shellcheck disable=SC2046
"$DVR_API" --nb="$SSL_NB" $(ssl_opts api) --listen="127.0.0.1:$api_port" \
    --tls-certificate="$pki/api.pem" --tls-private-key="$pki/api.key" \
    --auth=none --detach --no-chdir --pidfile="$API_DIR/dvr-api.pid" \
    --log-file="$API_DIR/dvr-api.log" --unixctl="$API_DIR/dvr-api.ctl" \
    || ovs_fail "dvr-api with HTTPS does not start"
_ovs_track_pidfile "$API_DIR/dvr-api.pid"
HTTPS=https://127.0.0.1:$api_port
https() {
    curl -s --cacert "$pki/testca.pem" -H 'Content-Type: application/json' \
        "$@"
}
ovs_wait_until 20 sh -c "curl -sf --cacert '$pki/testca.pem' \
    '$HTTPS/v2.0/networks' >/dev/null" \
    || ovs_fail "no HTTPS answer on $HTTPS (verified against the test's CA)"
echo "HTTPS, verified against the test's authority: ok"

# Plain HTTP on the TLS port: no HTTP answer.
plain=$(python3 - "$api_port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /v2.0/networks HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
print(repr(data[:60]))
PY
)
echo "plain HTTP to the TLS port got: $plain"
[[ $plain != *HTTP/1* && $plain != *networks* ]] \
    || ovs_fail "the TLS port answered plain HTTP: $plain"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "http://127.0.0.1:$api_port/v2.0/networks" || true)
[ "$code" = 000 ] || ovs_fail "curl over plain HTTP got HTTP $code"
# A client that does not trust the server's authority refuses it too.
curl -sf --max-time 5 "$HTTPS/v2.0/networks" >/dev/null 2>&1 \
    && ovs_fail "curl trusted dvr-api without the test's CA"
echo "plain HTTP on the TLS port: refused: ok"

# A network and subnet over HTTPS, into the NB over ssl:.
net=$(https -X POST --data '{"network":{"name":"tls-net"}}' \
    "$HTTPS/v2.0/networks" | jq -r .network.id)
[ -n "$net" ] && [ "$net" != null ] || ovs_fail "no network over HTTPS"
sub=$(https -X POST --data "{\"subnet\":{\"network_id\":\"$net\",
    \"cidr\":\"10.5.0.0/24\",\"ip_version\":4}}" "$HTTPS/v2.0/subnets" \
    | jq -r .subnet.id)
[ -n "$sub" ] && [ "$sub" != null ] || ovs_fail "no subnet over HTTPS"
ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Network | grep -q tls-net \
    || ovs_fail "the network is not in the NB"

# A controller over ssl:.
ovs_start_switch hv1
ovs-vsctl set open . external_ids:system-id=hv1 \
    external_ids:dvr-nb-remote="$SSL_NB" \
    external_ids:dvr-encap-ip=192.168.100.1 \
    external_ids:dvr-datapath-type=dummy
# shellcheck disable=SC2046
ovs_start_controller hv1 $(ssl_opts hv1)
chassis() {
    ovsdb-client dump "$NB_REMOTE" DVRFLOW_Northbound Chassis name \
        | grep -qw "$1"
}
ovs_wait_until 20 chassis hv1 \
    || ovs_fail "the controller did not register over $SSL_NB"
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
port=$(https -X POST --data "{\"port\":{\"network_id\":\"$net\"}}" \
    "$HTTPS/v2.0/ports" | jq -r .port.id)
mac=$(https "$HTTPS/v2.0/ports/$port" | jq -r .port.mac_address)
ovs-vsctl add-port br-int vif1 -- set interface vif1 type=dummy \
    ofport_request=11 external_ids:iface-id="$port" \
    external_ids:attached-mac="$mac" external_ids:iface-status=active
port_up() {
    [ "$(https "$HTTPS/v2.0/ports/$port" | jq -r .port.status)" = ACTIVE ]
}
ovs_wait_until 20 port_up \
    || ovs_fail "the port did not become ACTIVE through a controller on ssl:"
echo "a controller over ssl: registers and applies new rows: ok"

# A controller whose certificate the NB's authority did not sign.
ovs_start_switch hv2
ovs-vsctl set open . external_ids:system-id=hv2 \
    external_ids:dvr-nb-remote="$SSL_NB" \
    external_ids:dvr-encap-ip=192.168.100.2 \
    external_ids:dvr-datapath-type=dummy
ovs_start_controller hv2 --private-key="$pki/rogue.key" \
    --certificate="$pki/rogue.pem" --ca-cert="$pki/testca.pem"
sleep 3
chassis hv2 && ovs_fail "the NB accepted a controller with a rogue certificate"
echo "a controller with a rogue certificate is refused: ok"

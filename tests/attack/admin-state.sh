#!/usr/bin/env bash
# Attack test (issue 14): admin_state_up=false.  Neutron's semantics: a
# port that is administratively down neither sends nor receives, and a
# network that is down takes all its ports down.  VMs a, b (hv1) and c
# (hv2) on one network exchange UDP; with b's port down (dvr-api PUT),
# nothing goes from or to b, on its node or across nodes, while a and c
# still talk; with the network down nothing passes; both back up, all
# passes again.  The dummy-datapath sandbox.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
. "$abs_top_srcdir/tests/lib/dummy.sh"
. "$abs_top_srcdir/tests/attack/lib.sh"
sb_init
sb_up --datapath dummy --computes 2 --gateways 0

net=$(sb_api_id POST /networks '{"network": {"name": "net"}}')
sub=$(sb_api_id POST /subnets "{\"subnet\": {\"network_id\": \"$net\",
    \"cidr\": \"10.8.0.0/24\", \"ip_version\": 4, \"enable_dhcp\": false}}")
sg=$(sb_api_id POST /security-groups '{"security_group": {"name": "open"}}')
atk_api_code POST /security-group-rules "{\"security_group_rule\": {
    \"security_group_id\": \"$sg\", \"direction\": \"ingress\",
    \"ethertype\": \"IPv4\"}}" >/dev/null
declare -A port
for vm in a:11:hv1 b:12:hv1 c:13:hv2; do
    IFS=: read -r name n node <<<"$vm"
    port[$name]=$(sb_api_id POST /ports "{\"port\": {\"network_id\": \"$net\",
        \"security_groups\": [\"$sg\"], \"device_owner\": \"compute:nova\",
        \"fixed_ips\": [{\"subnet_id\": \"$sub\", \"ip_address\": \"10.8.0.$n\"}]}}")
    sb_vm_port "$name" "$node" "${port[$name]}"
done
declare -A ip=([a]=10.8.0.11 [b]=10.8.0.12 [c]=10.8.0.13)

# talk FROM TO: FROM sends one UDP datagram to TO; true if it arrives
# (within 1.5 s).
talk() {
    atk_talk "$1" "$2" "$(sb_vm_var "$2" VM_MAC)" "${ip[$1]}" "${ip[$2]}"
}
# expect WHAT PAIRS...: each FROM-TO of PAIRS talks; "!FROM-TO" must not.
expect() {
    local what=$1 p from to
    shift
    for p in "$@"; do
        if [ "${p:0:1}" = '!' ]; then
            p=${p:1}
            from=${p%-*} to=${p#*-}
            if talk "$from" "$to"; then
                sb_fail "$what: $from reached $to"
            fi
        else
            from=${p%-*} to=${p#*-}
            talk "$from" "$to" || sb_fail "$what: $from cannot reach $to"
        fi
    done
    echo "$what: ok"
}
set_state() {
    sb_api PUT "/$1s/$2" "{\"$1\": {\"admin_state_up\": $3}}" >/dev/null
    sleep 1
}

# The tunnel between the nodes is up once a reaches c.
for _ in $(seq 50); do talk a c && break; sleep 0.1; done
expect "all up" a-b b-a a-c c-a b-c c-b
set_state port "${port[b]}" false
expect "port b down" '!a-b' '!b-a' '!c-b' '!b-c' a-c c-a
set_state port "${port[b]}" true
expect "port b up again" a-b b-a c-b b-c
set_state network "$net" false
expect "network down" '!a-b' '!b-a' '!a-c' '!c-a'
set_state network "$net" true
expect "network up again" a-b b-a a-c c-a b-c c-b
atk_controllers_alive
echo "admin-state: ok"

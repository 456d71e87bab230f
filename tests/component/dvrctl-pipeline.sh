#!/usr/bin/env bash
# Component test (issue 19): `dvrctl pipeline --dot` on one dummy-datapath
# node with br-int, br-tun (a tunnel to hv2, which binds a port) and br-ex
# (physnet1), a router with a gateway and interfaces on two tenant
# networks (bench/routing-load.py).  Proves, over the flows the node has
# installed:
#   - the output is DOT that Graphviz renders (dot -Tsvg);
#   - known jumps are edges of their kind: classify -> l2_lookup (goto), a
#     routed packet's tables l2_lookup -> l3_input -> l3_route -> l3_egress
#     -> l3_nexthop -> l2_lookup, conntrack (ct), the patch ports between
#     the bridges, the tunnel out of br-tun, the packet-in;
#   - every table's flow count is what `ovs-ofctl dump-flows` lists, also
#     after the flows change (a VIF plugged);
#   - --static draws the tables of pipeline/tables.c and no jump;
#   - bad input (unknown, unreadable (to user nobody) or switchless run
#     directory, stale or bad pid file, bad options): one "dvrctl: "
#     line, non-zero exit, nothing on stdout.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_switch hv1
ovs-vsctl set open . external_ids:system-id=hv1 \
    external_ids:dvr-nb-remote="$NB_REMOTE" \
    external_ids:dvr-encap-ip=192.168.100.1 \
    external_ids:dvr-bridge-mappings=physnet1:br-ex \
    external_ids:dvr-datapath-type=dummy
nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null
load() {
    /usr/bin/python3 "$abs_top_srcdir/bench/routing-load.py" \
        "${NB_REMOTE#unix:}" "$@"
}
mapfile -t ports < <(load base 3)
load router
load iface
# The third port lives on hv2: hv1 gets a tunnel to it.
nb_bind "${ports[2]}" "$(nb_chassis hv2 192.168.100.2)" >/dev/null
ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
ovs-vsctl add-port br-int vif1 -- set interface vif1 type=dummy \
    ofport_request=11 external_ids:iface-id="${ports[0]}"

DVRCTL=$abs_top_builddir/tools/dvrctl
NODE=hv1=$OVS_RUNDIR
DOT=$OVS_TEST_DIR/hv1.dot

# The node has settled once the router's and the tunnel's flows are in.
settled() {
    ovs-ofctl -O OpenFlow13 dump-flows br-int table=130 | grep -q resubmit \
        && ovs-ofctl -O OpenFlow13 dump-flows br-tun table=1 \
            | grep -q 'output:'
}
ovs_wait_until 20 settled || ovs_fail "the router or the tunnel has no flows"
sleep 1

# draw: the graph of hv1 into $DOT, rendered by Graphviz.
draw() {
    "$DVRCTL" pipeline --dot --node "$NODE" >"$DOT" \
        || ovs_fail "dvrctl pipeline exited $?"
    dot -Tsvg "$DOT" >"$DOT.svg" || ovs_fail "dot cannot render $DOT"
    grep -q '<svg' "$DOT.svg" || ovs_fail "dot made no SVG"
}
draw

# cluster BRIDGE: the graph's id prefix of BRIDGE's tables ("b1").
cluster() {
    awk -v br="$1" '/subgraph cluster_b/ {c = $2; sub("cluster_", "", c)}
        $0 ~ "label=\"" br " \\(" {print c; exit}' "$DOT"
}
INT=$(cluster br-int); TUN=$(cluster br-tun); EX=$(cluster br-ex)
if [ -z "$INT" ] || [ -z "$TUN" ] || [ -z "$EX" ]; then
    cat "$DOT" >&2
    ovs_fail "not three bridges in the graph"
fi

# edge FROM TO KIND: the graph has that edge.
edge() {
    grep -q "^    $1 -> $2 \[label=\"$3\"" "$DOT" \
        || { cat "$DOT" >&2; ovs_fail "no $3 edge $1 -> $2"; }
}
edge "${INT}t0" "${INT}t60" goto            # classify -> l2_lookup
edge "${INT}t0" "${INT}t5" goto             # classify -> qos_egress
edge "${INT}t5" "${INT}t10" goto            # qos_egress -> port_security
edge "${INT}t79" "${INT}t80" goto           # qos_ingress -> output
edge "${INT}t60" "${INT}t100" goto          # l2_lookup -> l3_input
edge "${INT}t100" "${INT}t110" goto         # l3_input -> l3_route
edge "${INT}t110" "${INT}t120" goto         # l3_route -> l3_egress
edge "${INT}t110" "${INT}t118" resubmit     # l3_route -> l3_mtu
edge "${INT}t120" "${INT}t130" goto         # l3_egress -> l3_nexthop
edge "${INT}t130" "${INT}t60" resubmit      # l3_nexthop -> l2_lookup
edge "${INT}t21" "${INT}t22" ct             # sg_egress_ct -> sg_egress_state
edge "${INT}t60" "${TUN}t0" patch           # to other chassis
edge "${INT}t60" "${EX}t0" patch            # to the provider network
edge "${TUN}t10" "${INT}t0" patch           # tun_in -> classify
edge "${EX}t0" "${INT}t0" patch             # ex_classify -> classify
edge "${TUN}t1" tunnels tunnel              # tun_out -> the tunnel
edge "${INT}t151" controller controller     # pin_out -> packet-in
edge "${INT}t80" "${INT}ports" output       # output -> the VIFs
grep -q "label=\"60 l2_lookup\\\\n" "$DOT" || ovs_fail "table 60 not named"
echo "edges: ok"

# counts_match: each table's count in the graph is the number of flows
# `ovs-ofctl dump-flows` lists in it; prints how many tables it compared.
counts_match() {
    local br prefix line id n want tables=0
    for br in br-int br-tun br-ex; do
        prefix=$(cluster "$br")
        while read -r line; do
            id=$(echo "$line" | sed -E 's/^ *b[0-9]+t([0-9]+) .*/\1/')
            n=$(echo "$line" | sed -E 's/.*\\n([0-9]+) flows?".*/\1/')
            want=$(ovs-ofctl -O OpenFlow13 dump-flows "$br" "table=$id" \
                   | grep -c 'actions=' || true)
            if [ "$n" != "$want" ]; then
                echo "$br table $id: graph $n, ovs-ofctl $want" >&2
                return 1
            fi
            tables=$((tables + 1))
        done < <(grep -E "^        ${prefix}t[0-9]+ \[label=" "$DOT")
    done
    echo "$tables"
}
n=$(counts_match) || ovs_fail "flow counts differ from ovs-ofctl"
[ "$n" -ge 30 ] || ovs_fail "only $n tables compared"
total=0
for br in br-int br-tun br-ex; do
    total=$((total + $(ovs-ofctl -O OpenFlow13 dump-flows "$br" \
                       | grep -c 'actions=')))
done
grep -q "label=\"dvrflow pipeline of node hv1: $total flows\"" "$DOT" \
    || ovs_fail "the total is not $total"
echo "flow counts of $n tables ($total flows): ok"

# Another VIF: more flows in l2_lookup (among others); the graph follows.
before=$(ovs-ofctl -O OpenFlow13 dump-flows br-int table=60 \
         | grep -c 'actions=')
ovs-vsctl add-port br-int vif2 -- set interface vif2 type=dummy \
    ofport_request=12 external_ids:iface-id="${ports[1]}"
more_flows() {
    [ "$(ovs-ofctl -O OpenFlow13 dump-flows br-int table=60 \
         | grep -c 'actions=')" -gt "$before" ]
}
ovs_wait_until 10 more_flows || ovs_fail "no new flow for vif2"
sleep 1
draw
n=$(counts_match) || ovs_fail "flow counts differ after vif2"
grep -q "label=\"60 l2_lookup\\\\n$before flows\"" "$DOT" \
    && ovs_fail "l2_lookup's count did not change"
echo "counts follow the flows: ok"

# --static: the table map of pipeline/tables.c, no jump.
"$DVRCTL" pipeline --static --dot >"$DOT" || ovs_fail "--static failed"
dot -Tsvg "$DOT" >/dev/null || ovs_fail "dot cannot render --static"
for t in '0 classify' '60 l2_lookup' '110 l3_route' '151 pin_out' \
         '1 tun_out' '10 tun_in' '0 ex_classify'; do
    grep -q "label=\"$t\"" "$DOT" || ovs_fail "--static: no table '$t'"
done
if grep -q -- '->' "$DOT"; then
    ovs_fail "--static draws jumps"
fi
echo "--static: ok"

# Bad input: one "dvrctl: " line on stderr, the exit status, no output.
# refused WANT_RC MESSAGE ARGS...; AS is what runs dvrctl.
AS=(env)
refused() {
    local want=$1 msg=$2 rc=0
    shift 2
    "${AS[@]}" "$DVRCTL" pipeline "$@" >"$OVS_TEST_DIR/out" 2>"$OVS_TEST_DIR/err" \
        || rc=$?
    [ "$rc" = "$want" ] || ovs_fail \
        "pipeline $*: exit $rc, not $want: $(cat "$OVS_TEST_DIR/err")"
    grep -q "^dvrctl: .*$msg" "$OVS_TEST_DIR/err" \
        || ovs_fail "pipeline $*: no '$msg' in: $(cat "$OVS_TEST_DIR/err")"
    [ ! -s "$OVS_TEST_DIR/out" ] || ovs_fail "pipeline $*: printed a graph"
}
empty=$OVS_TEST_DIR/empty
mkdir -p "$empty"
stale=$OVS_TEST_DIR/stale
mkdir -p "$stale"
echo 999999999 >"$stale/ovs-vswitchd.pid"
bad=$OVS_TEST_DIR/bad
mkdir -p "$bad"
echo 'not a pid' >"$bad/ovs-vswitchd.pid"
refused 1 "node hv9: cannot read run directory" --dot \
    --node "hv9=$OVS_TEST_DIR/nosuchnode"
refused 1 "is not a directory" --dot --node "hv9=$stale/ovs-vswitchd.pid"
refused 1 "node hv9: no ovs-vswitchd in" --dot --node "hv9=$empty"
refused 1 "node hv9: cannot connect to" --dot --node "hv9=$stale"
refused 1 "does not hold a process id" --dot --node "hv9=$bad"
# A run directory its user may not read (OVS_TEST_DIR is mode 700).
if [ "$(id -u)" = 0 ] && [ "$(stat -c %a "$OVS_TEST_DIR")" = 700 ]; then
    AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    refused 1 "node hv1: cannot read run directory .*Permission denied" \
        --dot --node "$NODE"
    AS=(env)
fi
refused 2 "wants NAME=RUNDIR" --dot --node hv1
refused 2 "wants NAME=RUNDIR" --dot --node "=$OVS_RUNDIR"
refused 2 "needs a value" --dot --node
refused 2 "unknown argument '--svg'" --svg --node "$NODE"
refused 2 "needs --dot" --node "$NODE"
refused 2 "needs --node NAME=RUNDIR or --static" --dot
refused 2 "needs --node NAME=RUNDIR or --static" --dot --static \
    --node "$NODE"
refused 2 "one --node at a time" --dot --node "$NODE" --node "$NODE"
echo "bad input: refused: ok"
echo "dvrctl pipeline: ok"

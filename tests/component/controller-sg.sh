#!/usr/bin/env bash
# Component test: dvr-controller's security group flows on one dummy-
# datapath node.  Proves: invalid rules (port_range_min > max, ports on a
# protocol without ports, an unknown protocol, a remote group that does
# not exist) are skipped with a log line naming the rule while the group's
# other rules compile; router ports and ports with port security off are
# not filtered; a port without groups receives nothing; conntrack-invalid
# packets are dropped; ARP is not filtered; after a series of incremental
# changes (rules, remote group members, group membership, a VIF moving) a
# full recompute gives exactly the same flows; a member added to a remote
# group changes one flow per address.
set -eu
. "$abs_top_srcdir/tests/lib/ovs.sh"
. "$abs_top_srcdir/tests/lib/nb.sh"
ovs_test_init
ovs_start_nb nb
ovs_start_chassis hv1 192.168.100.1

NA=$(nb_network A vxlan 100); SA=$(nb_subnet "$NA" 10.0.0.0/24 10.0.0.1)
G=$(nb_sg g)
G2=$(nb_sg g2)
good=$(nb_sg_rule "$G" ingress IPv4 protocol=tcp min=22 max=22 remote="$G")
nb_sg_rule "$G" egress IPv4 >/dev/null
bad1=$(nb_sg_rule "$G" ingress IPv4 protocol=tcp min=2000 max=1000)
bad2=$(nb_sg_rule "$G" ingress IPv4 protocol=gre min=1 max=2)
bad3=$(nb_sg_rule "$G" ingress IPv4 protocol=tcpp)
bad4=$(nb_sg_rule "$G" ingress IPv4 protocol=udp \
       external_ids='["map",[["dvrflow:remote-group-id","0badc0de-0000-0000-0000-000000000000"]]]')
P1=$(nb_port "$NA" "$SA" fa:16:3e:00:00:01 10.0.0.11 true "$G")
P2=$(nb_port "$NA" "$SA" fa:16:3e:00:00:02 10.0.0.12 true "$G")
R=$(nb_port "$NA" "$SA" fa:16:3e:00:00:0d 10.0.0.1 true none)
nb_transact "{\"op\":\"update\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$R\"]]],
    \"row\":{\"device_owner\":\"network:router_interface_distributed\"}}" \
    >/dev/null
P4=$(nb_port "$NA" "$SA" fa:16:3e:00:00:04 10.0.0.14 true none)
P5=$(nb_port "$NA" "$SA" fa:16:3e:00:00:05 10.0.0.15 false none)

ovs_start_controller hv1
ovs_wait_until 10 ovs-vsctl br-exists br-int || ovs_fail "no br-int"
plug() {
    ovs-vsctl add-port br-int "$1" -- set interface "$1" type=dummy \
        ofport_request="$2" external_ids:iface-id="$3" \
        external_ids:attached-mac="$4" external_ids:iface-status=active
}
plug vif1 11 "$P1" fa:16:3e:00:00:01
plug vif2 12 "$P2" fa:16:3e:00:00:02
plug vifr 13 "$R" fa:16:3e:00:00:0d
plug vif4 14 "$P4" fa:16:3e:00:00:04
plug vif5 15 "$P5" fa:16:3e:00:00:05
binding_up() {
    ovsdb-client query "$NB_REMOTE" "[\"DVRFLOW_Northbound\",{\"op\":
        \"select\",\"table\":\"Port_Binding\",\"where\":[[\"port\",\"==\",
        [\"uuid\",\"$1\"]],[\"up\",\"==\",true]]}]" | grep -q '"_uuid"'
}
for p in "$P1" "$P2" "$R" "$P4" "$P5"; do
    ovs_wait_until 10 binding_up "$p" || ovs_fail "port $p not bound up"
done
sleep 0.5

trace() {
    ovs-appctl ofproto/trace "$@" \
        | sed -e '/^\(Final flow\|Megaflow\|Datapath actions\):/d' \
              -e 's/-> output port is \([0-9]*\)$/output:\1/'
}
expect() {
    printf '%s\n' "$3" | grep -q -- "$2" \
        || { printf '%s\n' "$3" >&2; ovs_fail "$1: no '$2'"; }
}
expect_not() {
    if printf '%s\n' "$3" | grep -q -- "$2"; then
        printf '%s\n' "$3" >&2; ovs_fail "$1: unexpected '$2'"
    fi
}

# Bad input: each invalid rule is logged by name; the good rule compiles.
log=$OVS_TEST_DIR/hv1/log/dvr-controller.log
rule_logged() {
    grep -q "skipped: security group $G rule $1: $2" "$log"
}
ovs_wait_until 10 rule_logged "$bad1" \
    "port_range_min 2000 > port_range_max 1000" \
    || ovs_fail "min > max not logged"
rule_logged "$bad2" "port range on protocol 'gre', which has no ports" \
    || ovs_fail "ports on gre not logged"
rule_logged "$bad3" "unknown protocol 'tcpp'" \
    || ovs_fail "unknown protocol not logged"
rule_logged "$bad4" \
    "remote group 0badc0de-0000-0000-0000-000000000000 does not exist" \
    || ovs_fail "missing remote group not logged"
cookie=$(printf '%s' "$good" | tr -d - | cut -c1-16)
ovs-ofctl -O OpenFlow13 dump-flows br-int "cookie=0x$cookie/-1" \
    | grep -q "conj_id=" || ovs_fail "the good rule has no flows"
ovs_controller_ctl hv1 status \
    | grep -Eq "security groups: .*, ([4-9]|[1-9][0-9]+) rules skipped" \
    || ovs_fail "status does not count the skipped rules"
echo "bad rules skipped and logged by name: ok"

# The operator's view: a rule's cookie names it; sg/show lists the group.
ovs_controller_ctl hv1 flows/explain "0x$cookie" \
    | grep -q "security group rule $good group=$G ingress IPv4 protocol=tcp min=22 max=22 remote_group=$G" \
    || ovs_fail "flows/explain does not name the rule"
ovs_controller_ctl hv1 sg/show | grep -q "^group $G .*: 2 local ports, 2 rules" \
    || ovs_fail "sg/show: $(ovs_controller_ctl hv1 sg/show)"

ip=in_port=11,dl_src=fa:16:3e:00:00:01,ip,nw_src=10.0.0.11
# A router port and a port with port security off: no conntrack.
out=$(trace br-int "$ip,dl_dst=fa:16:3e:00:00:0d,nw_dst=10.0.0.1")
expect "to the router port" "output:13" "$out"
expect "to the router port" "70. reg7=0xd, priority 100" "$out"
expect_not "to the router port" "ct(table=72" "$out"
out=$(trace br-int "$ip,dl_dst=fa:16:3e:00:00:05,nw_dst=10.0.0.15")
expect "to port security off" "output:15" "$out"
expect_not "to port security off" "ct(table=72" "$out"
out=$(trace br-int "in_port=15,dl_src=fa:16:3e:00:00:05,ip,nw_src=10.9.9.9,dl_dst=fa:16:3e:00:00:0d,nw_dst=10.0.0.1")
expect "from port security off, any source" "output:13" "$out"
# P1's egress allows anything, P2's ingress is conntracked.
out=$(trace br-int "$ip,dl_dst=fa:16:3e:00:00:02,nw_dst=10.0.0.12")
expect "P1 -> P2" "ct(table=72,zone=NXM_NX_REG6" "$out"
# A port without groups gets nothing (new or established).
out=$(trace br-int "$ip,dl_dst=fa:16:3e:00:00:04,nw_dst=10.0.0.14")
expect_not "to a port without groups" "output:14" "$out"
out=$(trace --ct-next trk,est --ct-next trk,est br-int "$ip,dl_dst=fa:16:3e:00:00:04,nw_dst=10.0.0.14")
expect_not "to a port without groups (established)" "output:14" "$out"
# Conntrack-invalid is dropped, even towards a port that allows all.
out=$(trace --ct-next trk,inv br-int "$ip,dl_dst=fa:16:3e:00:00:02,nw_dst=10.0.0.12")
expect "invalid" "ct_state=+inv+trk, priority 200" "$out"
expect_not "invalid" "output:12" "$out"
# ARP is not filtered.
out=$(trace br-int "in_port=11,dl_src=fa:16:3e:00:00:01,arp,arp_op=2,arp_spa=10.0.0.11,arp_sha=fa:16:3e:00:00:01,arp_tpa=10.0.0.14,dl_dst=fa:16:3e:00:00:04")
expect "ARP to a port without groups" "output:14" "$out"
echo "unfiltered ports, no groups, invalid, ARP: ok"

# dump: br-int's flows without counters, sorted.
dump() {
    ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int | sed 's/^ *//' \
        | sort
}
adds() {
    ovs_controller_ctl hv1 status \
        | sed -n 's/.*br-int.*(\([0-9]*\) adds, \([0-9]*\) modifies, \([0-9]*\) deletes).*/\1 \2 \3/p'
}
settle() {
    nb_transact '{"op":"mutate","table":"NB_Global","where":[],
        "mutations":[["nb_cfg","+=",1]]}' >/dev/null
    sleep 0.5
}
nb_transact '{"op":"insert","table":"NB_Global","row":{}}' >/dev/null

# A member of a remote group that G's rules name: one flow more.
nb_sg_rule "$G" ingress IPv4 protocol=udp min=53 max=53 remote="$G2" \
    >/dev/null
settle
read -r a0 m0 d0 <<<"$(adds)"
P6=$(nb_port "$NA" "$SA" fa:16:3e:00:00:06 10.0.0.16 true "$G2")
settle
read -r a1 m1 d1 <<<"$(adds)"
ovs-ofctl -O OpenFlow13 dump-flows br-int | grep -q "ct_nw_src=10.0.0.16" \
    || ovs_fail "no flow for the new member's address"
changed=$(( a1 - a0 + m1 - m0 + d1 - d0 ))
[ "$changed" -le 3 ] || ovs_fail "a remote member changed $changed flows"
echo "remote member added: $changed flow changes: ok"

# Incremental changes, then a full recompute: the same flows.
nb_transact "{\"op\":\"update\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$P2\"]]],
    \"row\":{\"security_groups\":[\"set\",[[\"uuid\",\"$G2\"]]]}}" >/dev/null
nb_sg_rule_del "$G" "$good"
nb_sg_rule "$G2" ingress IPv6 protocol=tcp min=1000 max=1999 remote="$G" \
    >/dev/null
nb_transact "{\"op\":\"update\",\"table\":\"Port\",
    \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$P6\"]]],
    \"row\":{\"security_groups\":[\"set\",[[\"uuid\",\"$G\"]]]}}" >/dev/null
ovs-vsctl del-port vif1
plug vif1 21 "$P1" fa:16:3e:00:00:01
settle
before=$(dump)
echo "$before" | grep -q "ct_nw_src=10.0.0.16" \
    && ovs_fail "P6 left G2 but its address still has a flow"
echo "$before" | grep -q "reg7=0x15" || ovs_fail "moved VIF has no flows"
echo "$before" | grep -q "reg7=0xb" && ovs_fail "old VIF still has flows"
ovs_controller_ctl hv1 recompute
settle
after=$(dump)
if [ "$before" != "$after" ]; then
    diff <(echo "$before") <(echo "$after") >&2 || true
    ovs_fail "full recompute differs from the incremental result"
fi
echo "full recompute equals incremental ($(echo "$after" | wc -l) flows): ok"

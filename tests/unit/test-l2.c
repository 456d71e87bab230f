/*
 * Unit tests of the L2 compiler (pipeline/l2) and the flow model
 * (pipeline/flow): NB rows built in memory, flows checked as text.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/flow.h"
#include "tests/unit/flow-text.h"
#include "pipeline/l2.h"
#include "pipeline/tables.h"
#include "pipeline/trunk.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

struct fixture {
    struct nbrec_network net;
    struct nbrec_fixed_ip ip;
    struct nbrec_fixed_ip *ips[1];
    struct nbrec_port port;
    int64_t vni;
};

static void
fixture_init(struct fixture *fx, bool port_security)
{
    memset(fx, 0, sizeof *fx);
    uuid_from_string(&fx->net.header_.uuid,
                     "11111111-2222-3333-4444-555555555555");
    fx->net.provider_network_type = "vxlan";
    fx->vni = 100;
    fx->net.provider_segmentation_id = &fx->vni;
    fx->net.n_provider_segmentation_id = 1;
    fx->net.name = "A";

    fx->ip.ip_address = "10.0.0.11";
    fx->ips[0] = &fx->ip;
    uuid_from_string(&fx->port.header_.uuid,
                     "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    fx->port.mac_address = "fa:16:3e:00:00:01";
    fx->port.fixed_ips = fx->ips;
    fx->port.n_fixed_ips = 1;
    fx->port.network = &fx->net;
    fx->port.port_security_enabled = port_security;
    fx->port.admin_state_up = true;
    fx->net.admin_state_up = true;
    smap_init(&fx->port.allowed_address_pairs);
}

static struct l2_network
active_network(const struct fixture *fx)
{
    return (struct l2_network) {
        .nb = &fx->net,
        .lvid = 5,
        .tunnelled = true,
        .vni = 100,
        .int_uplink = u16_to_ofp(1),
        .tun_patch = u16_to_ofp(1),
        .ex_patch = OFPP_NONE,
    };
}

/* Compiles 'fx''s port at 'location' into 'out' (initialized here). */
static void
compile(const struct fixture *fx, enum l2_port_location location,
        uint16_t ofport, uint16_t tunnel, struct l2_output *out)
{
    struct l2_network net = active_network(fx);
    struct l2_port port = {
        .nb = &fx->port, .location = location,
        .ofport = ofport ? u16_to_ofp(ofport) : OFPP_NONE,
        .tunnel = tunnel ? u16_to_ofp(tunnel) : OFPP_NONE,
    };
    l2_output_init(out);
    char *error = l2_compile_port(&port, &net, out);
    cr_assert_null(error, "%s", error);
}

Test(l2, local_port)
{
    struct fixture fx;
    struct l2_output out;
    fixture_init(&fx, true);
    compile(&fx, L2_PORT_LOCAL, 7, 0, &out);

    char *t = flows_text(&out.int_flows);
    /* Every flow carries the port's cookie (its UUID's first 64 bits). */
    const struct dvr_flow *f;
    LIST_FOR_EACH (f, owner_node, &out.int_flows.flows) {
        cr_assert_eq(f->cookie, 0xaaaaaaaabbbbccccULL);
    }
    assert_has(t, "table=0, priority=100,in_port=7,vlan_tci=0x0000/0x1000 actions=set_field:0x5->metadata,goto_table:5");
    /* Port security: its MAC (marked as its own), then its address with
     * that MAC, one flow for IPv4 and ARP (port_security_load copied
     * nw_src or arp_spa into reg9, dl_src or arp_sha into reg10/reg11). */
    assert_has(t, "table=10, priority=90,in_port=7,dl_src=fa:16:3e:00:00:01 "
               "actions=load:0x1->NXM_NX_REG10[16],goto_table:12");
    assert_has(t, "table=13, priority=100,reg9=0xa00000b,"
               "reg10=0xfa16/0xffff,reg11=0x3e000001,in_port=7,"
               "dl_src=fa:16:3e:00:00:01 actions=goto_table:20");
    cr_assert_null(strstr(t, "nw_src="), "%s", t);
    cr_assert_null(strstr(t, "arp_spa="), "%s", t);
    assert_has(t, "table=40, priority=100,arp,metadata=0x5,arp_tpa=10.0.0.11,arp_op=1");
    assert_has(t, "table=60, priority=100,metadata=0x5,dl_dst=fa:16:3e:00:00:01 actions=set_field:0x7->reg7,goto_table:70");
    cr_assert(flow_list_size(&out.tun_flows) == 0);
    free(t);
    l2_output_destroy(&out);
}

/* Issue 14: first-hop security and isolation. */
Test(l2, first_hop_security)
{
    struct fixture fx;
    struct l2_output out;
    fixture_init(&fx, true);
    fx.ip.ip_address = "fd00::11";
    compile(&fx, L2_PORT_LOCAL, 7, 0, &out);
    char *t = flows_text(&out.int_flows);
    /* Only untagged frames enter (the skeleton drops the tagged ones,
     * below), with no per-VIF drop of them. */
    assert_has(t, "table=0, priority=100,in_port=7,vlan_tci=0x0000/0x1000 "
               "actions=");
    cr_assert_null(strstr(t, "vlan_tci=0x1000/0x1000"), "%s", t);
    /* Only its own link-local source (EUI-64), into ipv6_security. */
    assert_has(t, "ipv6,in_port=7,dl_src=fa:16:3e:00:00:01,"
               "ipv6_src=fe80::f816:3eff:fe00:1 actions=goto_table:11");
    cr_assert_null(strstr(t, "fe80::/10"));
    /* NA only for its own addresses, with its own MAC or none. */
    assert_has(t, "table=11, priority=100,icmp6,in_port=7,"
               "dl_src=fa:16:3e:00:00:01,icmp_type=136,icmp_code=0,"
               "nd_target=fd00::11,nd_tll=fa:16:3e:00:00:01 "
               "actions=goto_table:20");
    assert_has(t, "table=11, priority=100,icmp6,in_port=7,"
               "dl_src=fa:16:3e:00:00:01,icmp_type=135,icmp_code=0,"
               "nd_sll=00:00:00:00:00:00 actions=goto_table:20");
    /* It receives unicast only to its MAC. */
    assert_has(t, "table=80, priority=100,reg7=0x7,"
               "dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=drop");
    assert_has(t, "table=80, priority=110,reg7=0x7,"
               "dl_dst=fa:16:3e:00:00:01 actions=output:NXM_NX_REG7[]");
    free(t);
    l2_output_destroy(&out);

    /* Down: dropped both ways. */
    fx.port.admin_state_up = false;
    compile(&fx, L2_PORT_LOCAL, 7, 0, &out);
    t = flows_text(&out.int_flows);
    assert_has(t, "table=0, priority=100,in_port=7,vlan_tci=0x0000/0x1000 actions=drop");
    assert_has(t, "table=70, priority=110,reg7=0x7 actions=drop");
    free(t);
    l2_output_destroy(&out);
    fx.port.admin_state_up = true;
    fx.net.admin_state_up = false;
    compile(&fx, L2_PORT_LOCAL, 7, 0, &out);
    t = flows_text(&out.int_flows);
    assert_has(t, "table=70, priority=110,reg7=0x7 actions=drop");
    free(t);
    l2_output_destroy(&out);
}

/* Issue 18: neighbour solicitations for a port's IPv6 address answered
 * in flows, a router interface's with the router flag and for its
 * link-local address too (even though it is bound nowhere). */
Test(l2, nd_responder)
{
    struct fixture fx;
    struct l2_output out;
    fixture_init(&fx, true);
    fx.ip.ip_address = "fd00::11";
    compile(&fx, L2_PORT_REMOTE, 0, 0, &out);
    char *t = flows_text(&out.int_flows);
    assert_has(t, "table=40, priority=100,icmp6,metadata=0x5,icmp_type=135,"
               "icmp_code=0,nd_target=fd00::11 actions="
               "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
               "set_field:fa:16:3e:00:00:01->eth_src,"
               "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
               "set_field:fd00::11->ipv6_src,set_field:255->nw_ttl,"
               "set_field:136->icmpv6_type,"
               "set_field:1610612736->nd_reserved,"
               "set_field:2->nd_options_type,"
               "load:0x1->NXM_NX_REG0[2],resubmit(,40)");
    assert_has(t, "table=40, priority=100,icmp6,reg0=0x4/0x4,metadata=0x5,"
               "icmp_type=136,icmp_code=0,nd_target=fd00::11 "
               "actions=set_field:fa:16:3e:00:00:01->nd_tll,IN_PORT");
    cr_assert_null(strstr(t, "nd_target=fe80"));
    free(t);
    l2_output_destroy(&out);

    /* Unbound: no answer; unless it is a router's interface. */
    compile(&fx, L2_PORT_UNBOUND, 0, 0, &out);
    cr_assert_eq(flow_list_size(&out.int_flows), 0);
    l2_output_destroy(&out);
    fx.port.device_owner = "network:router_interface";
    compile(&fx, L2_PORT_UNBOUND, 0, 0, &out);
    t = flows_text(&out.int_flows);
    assert_has(t, "nd_target=fd00::11 actions=");
    assert_has(t, "nd_target=fe80::f816:3eff:fe00:1 actions=");
    assert_has(t, "set_field:3758096384->nd_reserved");
    cr_assert_null(strstr(t, "1610612736"));
    free(t);
    l2_output_destroy(&out);
    /* The skeleton passes on what it does not answer, and its other
     * defaults stay catch-alls. */
    struct l2_bridges br = { .int_patch_tun = OFPP_NONE,
                             .tun_patch_int = OFPP_NONE };
    l2_output_init(&out);
    l2_compile_skeleton(&br, &out);
    t = flows_text(&out.int_flows);
    assert_has(t, "table=40, priority=105,icmp6,ipv6_src=::,icmp_type=135 "
               "actions=goto_table:60");
    assert_has(t, "table=40, priority=105,icmp6,icmp_type=135,"
               "nd_sll=00:00:00:00:00:00 actions=goto_table:60");
    assert_has(t, "table=80, priority=0 actions=output:NXM_NX_REG7[]");
    /* port_security_load: the source address and MAC of IPv4 and ARP
     * into registers; DHCP from 0.0.0.0 from the port's own MAC. */
    assert_has(t, "table=12, priority=100,ip actions="
               "move:NXM_OF_IP_SRC[]->NXM_NX_REG9[],"
               "move:NXM_OF_ETH_SRC[32..47]->NXM_NX_REG10[0..15],"
               "move:NXM_OF_ETH_SRC[0..31]->NXM_NX_REG11[],goto_table:13");
    assert_has(t, "table=12, priority=100,arp actions="
               "move:NXM_OF_ARP_SPA[]->NXM_NX_REG9[],"
               "move:NXM_NX_ARP_SHA[32..47]->NXM_NX_REG10[0..15],"
               "move:NXM_NX_ARP_SHA[0..31]->NXM_NX_REG11[],goto_table:13");
    assert_has(t, "table=12, priority=110,udp,reg10=0x10000/0x10000,"
               "nw_src=0.0.0.0,nw_dst=255.255.255.255,tp_src=68,tp_dst=67 "
               "actions=goto_table:20");
    assert_has(t, "table=12, priority=0 actions=drop");
    assert_has(t, "table=13, priority=0 actions=drop");
    /* Tagged frames from any VIF: one drop, below the uplinks' (100). */
    assert_has(t, "table=0, priority=50,vlan_tci=0x1000/0x1000 "
               "actions=drop");
    free(t);
    l2_output_destroy(&out);
}

Test(l2, external_gateway_is_never_a_port)
{
    struct fixture fx;
    struct nbrec_subnet subnet = { .gateway_ip = "10.0.0.11" };
    struct l2_output out;
    fixture_init(&fx, true);
    fx.ip.subnet = &subnet;
    fx.net.external = true;
    compile(&fx, L2_PORT_REMOTE, 0, 9, &out);
    char *t = flows_text(&out.int_flows);
    cr_assert_null(strstr(t, "arp_tpa=10.0.0.11"), "%s", t);
    free(t);
    l2_output_destroy(&out);
}

Test(l2, port_security_off)
{
    struct fixture fx;
    struct l2_output out;
    fixture_init(&fx, false);
    compile(&fx, L2_PORT_LOCAL, 7, 0, &out);
    char *t = flows_text(&out.int_flows);
    assert_has(t, "table=10, priority=100,in_port=7 actions=goto_table:20");
    cr_assert_null(strstr(t, "reg9="), "%s", t);
    cr_assert_null(strstr(t, "goto_table:12"), "%s", t);
    free(t);
    l2_output_destroy(&out);
}

Test(l2, allowed_address_pairs)
{
    struct fixture fx;
    fixture_init(&fx, true);
    smap_add(&fx.port.allowed_address_pairs, "10.0.5.0/24",
             "fa:16:3e:00:00:99");
    struct l2_output out;
    compile(&fx, L2_PORT_LOCAL, 7, 0, &out);
    char *t = flows_text(&out.int_flows);
    /* The pair's own MAC (not marked as the port's), then its prefix
     * with that MAC. */
    assert_has(t, "table=10, priority=90,in_port=7,dl_src=fa:16:3e:00:00:99 "
               "actions=goto_table:12");
    assert_has(t, "table=13, priority=100,reg9=0xa000500/0xffffff00,"
               "reg10=0xfa16/0xffff,reg11=0x3e000099,in_port=7,"
               "dl_src=fa:16:3e:00:00:99 actions=goto_table:20");
    free(t);
    l2_output_destroy(&out);
    smap_destroy(&fx.port.allowed_address_pairs);
}

Test(l2, remote_port)
{
    struct fixture fx;
    struct l2_output out;
    fixture_init(&fx, true);
    compile(&fx, L2_PORT_REMOTE, 0, 9, &out);
    char *t = flows_text(&out.int_flows);
    assert_has(t, "table=60, priority=100,reg0=0/0x1,metadata=0x5,dl_dst=fa:16:3e:00:00:01 actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:1");
    assert_has(t, "arp_tpa=10.0.0.11");
    cr_assert_null(strstr(t, "in_port=7"));
    free(t);
    t = flows_text(&out.tun_flows);
    assert_has(t, "table=1, priority=100,dl_vlan=5,dl_dst=fa:16:3e:00:00:01 actions=pop_vlan,set_field:0x64->tun_id,output:9");
    free(t);
    l2_output_destroy(&out);
}

Test(l2, bad_values_name_the_field)
{
    struct fixture fx;
    fixture_init(&fx, true);
    struct l2_network net = active_network(&fx);
    struct l2_port port = {
        .nb = &fx.port, .location = L2_PORT_LOCAL,
        .ofport = u16_to_ofp(7), .tunnel = OFPP_NONE,
    };
    struct l2_output out;
    char *error;

    fx.port.mac_address = "not-a-mac";
    l2_output_init(&out);
    error = l2_compile_port(&port, &net, &out);
    cr_assert(error && strstr(error, "mac_address 'not-a-mac'"), "%s", error);
    cr_assert_eq(flow_list_size(&out.int_flows), 0);
    free(error);

    fx.port.mac_address = "fa:16:3e:00:00:01";
    fx.ip.ip_address = "10.0.0.300";
    error = l2_compile_port(&port, &net, &out);
    cr_assert(error && strstr(error, "fixed_ips"), "%s", error);
    free(error);

    fx.net.provider_network_type = "vlan";
    fx.vni = 5000;
    bool tunnelled;
    uint32_t seg;
    error = l2_network_segment(&fx.net, &tunnelled, &seg);
    cr_assert(error && strstr(error, "provider_segmentation_id"), "%s",
              error);
    free(error);
    l2_output_destroy(&out);
}

Test(l2, network_flood_and_segment)
{
    struct fixture fx;
    fixture_init(&fx, true);
    struct l2_network net = active_network(&fx);
    ofp_port_t locals[] = { u16_to_ofp(7), u16_to_ofp(8) };
    ofp_port_t tunnels[] = { u16_to_ofp(20) };
    net.local_ports = locals;
    net.n_local_ports = 2;
    net.tunnels = tunnels;
    net.n_tunnels = 1;

    struct l2_output out;
    l2_output_init(&out);
    cr_assert_null(l2_compile_network(&net, &out));
    char *t = flows_text(&out.int_flows);
    assert_has(t, "priority=50,reg0=0/0x1,metadata=0x5 actions=set_field:0x7->reg7,resubmit(,70),set_field:0x8->reg7,resubmit(,70),push_vlan:0x8100,set_field:4101->vlan_vid,output:1");
    assert_has(t, "priority=50,reg0=0x1/0x1,metadata=0x5 actions=set_field:0x7->reg7,resubmit(,70),set_field:0x8->reg7,resubmit(,70)\n");
    free(t);
    t = flows_text(&out.tun_flows);
    assert_has(t, "table=1, priority=50,dl_vlan=5 actions=pop_vlan,set_field:0x64->tun_id,output:20");
    assert_has(t, "table=10, priority=100,tun_id=0x64 actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:1");
    free(t);
    l2_output_destroy(&out);
}

/* flow_set: replacing an owner's flows marks only what changed. */
Test(flow_set, replace_owner_marks_changes)
{
    struct fixture fx;
    fixture_init(&fx, true);
    struct l2_network net = active_network(&fx);
    struct l2_port port = {
        .nb = &fx.port, .location = L2_PORT_LOCAL,
        .ofport = u16_to_ofp(7), .tunnel = OFPP_NONE,
    };
    struct flow_set desired, installed;
    struct flow_change *changes;
    struct l2_output out;

    flow_set_init(&desired);
    flow_set_init(&installed);
    l2_output_init(&out);
    cr_assert_null(l2_compile_port(&port, &net, &out));
    size_t n = flow_list_size(&out.int_flows);
    flow_set_replace_owner(&desired, 1, &out.int_flows);
    cr_assert_eq(flow_set_count(&desired), n);
    cr_assert_eq(flow_set_diff(&desired, &installed, false, &changes), n);
    /* Pretend the switch took them. */
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(changes[i].type, FLOW_CHANGE_ADD);
        flow_set_insert(&installed, dvr_flow_clone(changes[i].flow));
    }
    free(changes);
    flow_set_clear_dirty(&desired);

    /* Recompiling the same port changes nothing. */
    cr_assert_null(l2_compile_port(&port, &net, &out));
    flow_set_replace_owner(&desired, 1, &out.int_flows);
    cr_assert_eq(flow_set_diff(&desired, &installed, false, &changes), 0);
    free(changes);
    cr_assert_eq(flow_set_diff(&desired, &installed, true, &changes), 0);
    free(changes);

    /* A new output port: one modify, no add or delete. */
    port.ofport = u16_to_ofp(8);
    cr_assert_null(l2_compile_port(&port, &net, &out));
    flow_set_replace_owner(&desired, 1, &out.int_flows);
    n = flow_set_diff(&desired, &installed, false, &changes);
    size_t adds = 0, deletes = 0;
    for (size_t i = 0; i < n; i++) {
        adds += changes[i].type == FLOW_CHANGE_ADD;
        deletes += changes[i].type == FLOW_CHANGE_DELETE;
    }
    /* in_port changes the key of the classify and port security flows. */
    cr_assert(adds > 0 && adds == deletes);
    free(changes);

    /* Removing the owner deletes everything it had installed. */
    flow_set_remove_owner(&desired, 1);
    cr_assert_eq(flow_set_count(&desired), 0);
    n = flow_set_diff(&desired, &installed, true, &changes);
    cr_assert_eq(n, flow_set_count(&installed));
    free(changes);

    l2_output_destroy(&out);
    flow_set_destroy(&desired);
    flow_set_destroy(&installed);
}

Test(flow_set, cookie_is_uuid_prefix)
{
    struct uuid u;
    uuid_from_string(&u, "01234567-89ab-cdef-0123-456789abcdef");
    cr_assert_eq(flow_cookie_from_uuid(&u), 0x0123456789abcdefULL);
}

/* Adds to 'list' a flow in table 0 matching in_port=1 whose actions output
 * to 'out_port'. */
static void
add_output_flow(struct flow_list *list, uint64_t cookie, int out_port)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_in_port(&match, u16_to_ofp(1));
    ofpact_put_OUTPUT(&ofpacts)->port = u16_to_ofp(out_port);
    cr_assert_not_null(flow_list_add(list, 0, 100, cookie, &match,
                                     &ofpacts));
    ofpbuf_uninit(&ofpacts);
}

/* flow_set: of several owners' flows with one key, the same one goes to
 * the switch whatever order they were compiled in (incremental runs and a
 * full compile must agree). */
Test(flow_set, same_key_winner_is_order_independent)
{
    struct flow_set ab, ba;
    struct flow_list l;

    flow_set_init(&ab);
    flow_set_init(&ba);
    flow_list_init(&l);
    for (int i = 0; i < 2; i++) {
        struct flow_set *set = i ? &ba : &ab;
        uint64_t first = i ? 7 : 3, second = i ? 3 : 7;

        add_output_flow(&l, first, first);
        flow_set_replace_owner(set, first, &l);
        add_output_flow(&l, second, second);
        flow_set_replace_owner(set, second, &l);
        cr_assert_eq(flow_set_count(set), 2);
    }

    struct dvr_flow *a, *b;
    HMAP_FOR_EACH (a, node, &ab.flows) {
        break;
    }
    cr_assert_not_null(a);
    a = flow_set_find(&ab, a);
    b = flow_set_find(&ba, a);
    cr_assert_eq(a->cookie, 3);
    cr_assert_eq(b->cookie, 3);

    struct flow_change *changes;
    cr_assert_eq(flow_set_diff(&ab, &ba, true, &changes), 0);
    free(changes);
    cr_assert_eq(flow_set_diff(&ba, &ab, true, &changes), 0);
    free(changes);

    /* Without the winner, the other one goes. */
    flow_set_remove_owner(&ab, 3);
    cr_assert_eq(flow_set_find(&ab, b)->cookie, 7);

    flow_list_destroy(&l);
    flow_set_destroy(&ab);
    flow_set_destroy(&ba);
}

/* Issue 20: a trunk's subport, on pseudo port 0x3002 behind parent VIF 7
 * with VLAN 101. */
Test(l2, trunk_subport)
{
    struct fixture fx;
    struct l2_output out;
    struct l2_network net;
    struct trunk_subport sp = {
        .ofport = TRUNK_OFPORT(2), .parent = u16_to_ofp(7), .vlan = 101,
    };

    fixture_init(&fx, true);
    net = active_network(&fx);
    struct l2_port port = {
        .nb = &fx.port, .location = L2_PORT_LOCAL, .ofport = sp.ofport,
        .tunnel = OFPP_NONE, .subport = &sp,
    };
    l2_output_init(&out);
    char *error = l2_compile_port(&port, &net, &out);
    cr_assert_null(error, "%s", error);
    char *t = flows_text(&out.int_flows);
    const char *tagged_out = "push:NXM_OF_IN_PORT[],load:0->NXM_OF_IN_PORT[],"
        "push_vlan:0x8100,set_field:4197->vlan_vid,output:7,pop_vlan,"
        "pop:NXM_OF_IN_PORT[]";

    /* In: the parent's frames tagged 101 become the subport's. */
    assert_has(t, "table=0, priority=120,in_port=7,dl_vlan=101 "
               "actions=pop_vlan,load:0x3002->NXM_OF_IN_PORT[],"
               "resubmit(,0)");
    /* Its own classify takes untagged frames only: a second tag falls to
     * the skeleton's drop. */
    assert_has(t, "table=0, priority=100,in_port=12290,"
               "vlan_tci=0x0000/0x1000 "
               "actions=set_field:0x5->metadata,goto_table:5");
    assert_has(t, "table=13, priority=100,reg9=0xa00000b,"
               "reg10=0xfa16/0xffff,reg11=0x3e000001,in_port=12290,"
               "dl_src=fa:16:3e:00:00:01 actions=goto_table:20");
    /* Out: tagged on the parent, never back to itself. */
    struct ds want = DS_EMPTY_INITIALIZER;
    ds_put_format(&want, "table=80, priority=110,reg7=0x3002,"
                  "dl_dst=fa:16:3e:00:00:01 actions=%s", tagged_out);
    assert_has(t, ds_cstr(&want));
    ds_clear(&want);
    ds_put_format(&want, "table=80, priority=90,reg7=0x3002 actions=%s",
                  tagged_out);
    assert_has(t, ds_cstr(&want));
    ds_clear(&want);
    ds_put_format(&want, "table=81, priority=100,in_port=12290 actions=%s",
                  tagged_out);
    assert_has(t, ds_cstr(&want));
    ds_destroy(&want);
    assert_has(t, "table=80, priority=120,reg7=0x3002,in_port=12290 "
               "actions=drop");
    /* No plain output to the pseudo port. */
    cr_assert_null(strstr(t, "output:12290"), "%s", t);
    free(t);
    l2_output_destroy(&out);
}

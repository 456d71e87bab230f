/*
 * Unit tests of the router compiler (dvr/l3) for the external gateway
 * with an IPv6 address (issue 18): NB rows built in memory, flows checked
 * as text.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "dvr/l3.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/flow.h"
#include "tests/unit/flow-text.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

/* A router with an IPv6-only interface (2001:db8:62::1/64 on local VLAN
 * 3) and a gateway on the external network (local VLAN 2) with
 * 203.0.113.100/24 and 2001:db8:ff::100/64. */
struct fixture {
    struct nbrec_subnet sub4, sub6, tsub6;
    struct nbrec_fixed_ip gip4, gip6, tip6;
    struct nbrec_fixed_ip *gips[2], *tips[1];
    struct nbrec_network ext, net;
    struct nbrec_port gw, iface;
    struct nbrec_router router;
    struct l3_iface ifaces[1];
    ofp_port_t tunnels[1];
    struct l3_router r;
};

static void
fixture_init(struct fixture *fx, enum l3_gw_role role, bool gw_ip4)
{
    memset(fx, 0, sizeof *fx);
    fx->ext.mtu = 1500;
    fx->net.mtu = 1450;
    fx->sub4.cidr = "203.0.113.0/24";
    fx->sub6.cidr = "2001:db8:ff::/64";
    fx->tsub6.cidr = "2001:db8:62::/64";
    fx->gip4 = (struct nbrec_fixed_ip) { .subnet = &fx->sub4,
                                         .ip_address = "203.0.113.100" };
    fx->gip6 = (struct nbrec_fixed_ip) { .subnet = &fx->sub6,
                                         .ip_address = "2001:db8:ff::100" };
    fx->tip6 = (struct nbrec_fixed_ip) { .subnet = &fx->tsub6,
                                         .ip_address = "2001:db8:62::1" };
    size_t n = 0;
    if (gw_ip4) {
        fx->gips[n++] = &fx->gip4;
    }
    fx->gips[n++] = &fx->gip6;
    fx->tips[0] = &fx->tip6;
    fx->gw.mac_address = "fa:16:3e:ff:00:01";
    fx->gw.network = &fx->ext;
    fx->gw.fixed_ips = fx->gips;
    fx->gw.n_fixed_ips = n;
    fx->iface.mac_address = "fa:16:3e:ff:00:62";
    fx->iface.network = &fx->net;
    fx->iface.fixed_ips = fx->tips;
    fx->iface.n_fixed_ips = 1;
    uuid_from_string(&fx->router.header_.uuid,
                     "12345678-2222-3333-4444-555555555555");
    fx->router.enable_snat = true;
    smap_init(&fx->router.routes);

    char *error = l3_iface_parse(&fx->iface, &fx->ifaces[0]);
    cr_assert_null(error, "%s", error);
    fx->ifaces[0].lvid = 3;
    fx->ifaces[0].mtu = 1450;
    fx->ifaces[0].tunnelled = true;
    fx->ifaces[0].vni = 62;
    error = l3_iface_parse(&fx->gw, &fx->r.gw);
    cr_assert_null(error, "%s", error);
    fx->r.gw.lvid = 2;
    fx->r.gw.mtu = 1500;

    fx->r.nb = &fx->router;
    fx->r.lid = 7;
    fx->r.ifaces = fx->ifaces;
    fx->r.n_ifaces = 1;
    fx->r.gw_role = role;
    if (gw_ip4) {
        ip_parse("203.0.113.1", &fx->r.gw_nexthop);
    }
    ipv6_parse("2001:db8:ff::1", &fx->r.gw_nexthop6);
    fx->r.int_patch_tun = u16_to_ofp(1);
    fx->tunnels[0] = u16_to_ofp(5);
    fx->r.gw_tunnels = fx->tunnels;
    fx->r.n_gw_tunnels = role == L3_GW_REMOTE;
}

static void
assert_not(const char *text, const char *needle)
{
    cr_assert(!strstr(text, needle), "unexpected \"%s\" in:\n%s", needle,
              text);
}

static char *
compile(struct fixture *fx, char **tun)
{
    struct l3_output out;

    l3_output_init(&out);
    l3_compile_router(&fx->r, &out);
    cr_assert_eq(out.errors.n, 0, "errors: %s",
                 out.errors.n ? out.errors.names[0] : "");
    char *t = flows_text(&out.int_flows);
    if (tun) {
        *tun = flows_text(&out.tun_flows);
    }
    l3_output_destroy(&out);
    return t;
}

/* The dual-stack gateway's port has one address of each version. */
Test(l3, gateway_parse_dual_stack)
{
    struct fixture fx;
    fixture_init(&fx, L3_GW_ACTIVE, true);
    cr_assert(l3_iface_has_ip4(&fx.r.gw));
    cr_assert(l3_iface_has_ip6(&fx.r.gw));
}

/* The active gateway chassis: ND for the gateway's address (and its
 * link-local one) on the external network, IPv6 routed both ways without
 * NAT, IPv4 SNAT as before. */
Test(l3, gateway_dual_stack_active)
{
    struct fixture fx;
    fixture_init(&fx, L3_GW_ACTIVE, true);
    char *t = compile(&fx, NULL);

    /* Neighbour solicitations for 2001:db8:ff::100, from the physical
     * network or locally, answered with the gateway's MAC. */
    assert_has(t, "table=60, priority=110,icmp6,reg0=0x1/0x5,metadata=0x2,"
               "icmp_type=135,icmp_code=0,nd_target=2001:db8:ff::100 "
               "actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
               "set_field:fa:16:3e:ff:00:01->eth_src,");
    assert_has(t, "set_field:2001:db8:ff::100->ipv6_src,set_field:255->nw_ttl,"
               "set_field:136->icmpv6_type");
    assert_has(t, "table=60, priority=110,icmp6,reg0=0x5/0x5,metadata=0x2,"
               "icmp_type=136,icmp_code=0,nd_target=2001:db8:ff::100 "
               "actions=set_field:fa:16:3e:ff:00:01->nd_tll,"
               "push_vlan:0x8100,set_field:4098->vlan_vid,resubmit(,81)");
    assert_has(t, "nd_target=fe80::f816:3eff:feff:1 ");

    /* The IPv6 default route via 2001:db8:ff::1 and the external subnet,
     * out of the gateway's MAC on the external network. */
    assert_has(t, "table=110, priority=10,ipv6,reg1=0x7 actions="
               "load:0x5dc->NXM_NX_REG3[0..15],check_pkt_larger(1514)");
    assert_has(t, "set_field:0x20010db800ff00000000000000000001->xxreg3,"
               "set_field:0x2->metadata,set_field:fa:16:3e:ff:00:01->eth_src,"
               "goto_table:120");
    assert_has(t, "table=110, priority=138,ipv6,reg1=0x7,"
               "ipv6_dst=2001:db8:ff::/64");
    /* From outside: routed to the tenant prefixes, no NAT; the gateway's
     * own address answers ping and is not forwarded. */
    assert_has(t, "table=140, priority=90,ipv6,reg1=0x7,metadata=0x2 "
               "actions=resubmit(,110)");
    assert_has(t, "table=140, priority=100,ipv6,reg1=0x7,metadata=0x2,"
               "ipv6_dst=2001:db8:ff::100 actions=drop");
    assert_has(t, "table=140, priority=120,icmp6,reg0=0x1/0x1,reg1=0x7,"
               "metadata=0x2,ipv6_dst=2001:db8:ff::100,icmp_type=128");
    /* Tenant sources never enter from outside. */
    assert_has(t, "table=140, priority=150,ipv6,reg1=0x7,"
               "ipv6_src=2001:db8:62::/64 actions=drop");
    /* Every node knows the gateway's IPv6 address as a next hop. */
    assert_has(t, "table=130, priority=100,ipv6,reg12=0x20010db8,"
               "reg13=0xff0000,reg14=0,reg15=0x100,metadata=0x2 "
               "actions=set_field:fa:16:3e:ff:00:01->eth_dst");
    /* IPv4 as before: SNAT to the gateway's IPv4 address. */
    assert_has(t, "nat(src=203.0.113.100)");
    assert_not(t, "nat(src=2001");
    free(t);
}

/* A standby gateway chassis routes but does not answer ND. */
Test(l3, gateway_dual_stack_standby)
{
    struct fixture fx;
    fixture_init(&fx, L3_GW_STANDBY, true);
    char *t = compile(&fx, NULL);
    assert_not(t, "icmp_type=135,icmp_code=0,nd_target=2001:db8:ff::100");
    assert_has(t, "table=140, priority=90,ipv6,reg1=0x7,metadata=0x2 "
               "actions=resubmit(,110)");
    free(t);
}

/* A compute chassis sends external IPv6 to the gateway chassis, also from
 * an IPv6-only interface. */
Test(l3, gateway_dual_stack_remote)
{
    struct fixture fx;
    fixture_init(&fx, L3_GW_REMOTE, true);
    char *tun;
    char *t = compile(&fx, &tun);
    assert_has(t, "table=110, priority=10,ipv6,reg1=0x7 "
               "actions=goto_table:115\n");
    assert_has(t, "table=110, priority=138,ipv6,reg1=0x7,"
               "ipv6_dst=2001:db8:ff::/64 actions=goto_table:115\n");
    assert_has(t, "table=115, priority=100,reg1=0x7,metadata=0x3 "
               "actions=push_vlan:0x8100,set_field:4099->vlan_vid,output:1");
    assert_has(tun, "dl_dst=fa:16:3e:ff:00:62 actions=pop_vlan,"
               "set_field:0x3e->tun_id,bundle(eth_src,0,active_backup,"
               "ofport,members:5)");
    assert_not(t, "nd_target=2001:db8:ff::100");
    assert_not(t, "table=140, priority=90");
    free(t);
    free(tun);
}

/* A gateway with an IPv6 address only: routed, no SNAT, no ARP. */
Test(l3, gateway_ipv6_only)
{
    struct fixture fx;
    fixture_init(&fx, L3_GW_ACTIVE, false);
    cr_assert(!l3_iface_has_ip4(&fx.r.gw));
    char *t = compile(&fx, NULL);
    assert_not(t, "nat(src=");
    assert_not(t, "arp");
    assert_has(t, "nd_target=2001:db8:ff::100");
    assert_has(t, "table=140, priority=90,ipv6,reg1=0x7,metadata=0x2 "
               "actions=resubmit(,110)");
    free(t);
}

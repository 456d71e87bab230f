/*
 * Unit tests of pipeline/services (the DHCP and metadata steering flows)
 * and of the lease the DHCP server derives from NB rows
 * (controller/dhcp-server): NB rows built in memory, flows checked as
 * text, the lease field by field.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "controller/dhcp-server.h"
#include "lib/flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/dhcp.h"
#include "pipeline/flow.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

struct fixture {
    struct nbrec_network net;
    struct nbrec_subnet subnet;
    struct nbrec_fixed_ip ip;
    struct nbrec_fixed_ip *ips[1];
    struct nbrec_port port;
    char *dns[2];
};

static void
fixture_init(struct fixture *fx, bool dhcp, const char *gateway)
{
    memset(fx, 0, sizeof *fx);
    fx->net.mtu = 1442;
    uuid_from_string(&fx->subnet.header_.uuid,
                     "11111111-2222-3333-4444-555555555555");
    fx->subnet.network = &fx->net;
    fx->subnet.cidr = "10.0.0.0/24";
    fx->subnet.ip_version = 4;
    fx->subnet.enable_dhcp = dhcp;
    fx->subnet.gateway_ip = CONST_CAST(char *, gateway);
    fx->dns[0] = "8.8.8.8";
    fx->dns[1] = "not-an-ip";
    fx->subnet.dns_nameservers = fx->dns;
    fx->subnet.n_dns_nameservers = 2;
    smap_init(&fx->subnet.host_routes);

    fx->ip.ip_address = "10.0.0.11";
    fx->ip.subnet = &fx->subnet;
    fx->ips[0] = &fx->ip;
    uuid_from_string(&fx->port.header_.uuid,
                     "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    fx->port.mac_address = "fa:16:3e:00:00:01";
    fx->port.fixed_ips = fx->ips;
    fx->port.n_fixed_ips = 1;
    fx->port.network = &fx->net;
    fx->port.dns_name = "";
}

static void
fixture_destroy(struct fixture *fx)
{
    smap_destroy(&fx->subnet.host_routes);
}

/* Whether compile()'s metadata port serves IPv6 too. */
static bool meta_ip6;

static char *
compile(const struct fixture *fx, uint16_t meta_ofport)
{
    struct services_chassis sc = {
        .meta_ofport = meta_ofport ? u16_to_ofp(meta_ofport) : OFPP_NONE,
        .meta_mac = ETH_ADDR_C(0a, 00, 00, 00, 00, 01),
        .use_meters = true,
        .meta_ip6 = meta_ip6,
    };
    struct flow_list flows;
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct dvr_flow *f;

    flow_list_init(&flows);
    services_compile_skeleton(&sc, &flows);
    services_compile_port(&sc, &fx->port, u16_to_ofp(7), 5, &flows);
    LIST_FOR_EACH (f, owner_node, &flows.flows) {
        dvr_flow_format(f, NULL, NULL, &s);
        ds_put_char(&s, '\n');
    }
    flow_list_destroy(&flows);
    return ds_steal_cstr(&s);
}

static void
assert_has(const char *text, const char *needle)
{
    cr_assert(strstr(text, needle), "expected \"%s\" in:\n%s", needle, text);
}

static void
assert_has_not(const char *text, const char *needle)
{
    cr_assert(!strstr(text, needle), "unexpected \"%s\" in:\n%s", needle,
              text);
}

Test(services, dhcp_flow_only_with_enable_dhcp)
{
    struct fixture fx;
    char *t;

    fixture_init(&fx, true, "10.0.0.1");
    t = compile(&fx, 0);
    /* The per-VIF meter (0x10000 + 7 = 65543), then the shared one; the
     * userdata is PIN_DHCP and the port's UUID. */
    assert_has(t, "table=30, priority=100,udp,in_port=7,tp_src=68,tp_dst=67 "
               "actions=meter:65543,controller(userdata=01.aa.aa.aa.aa.bb.bb."
               "cc.cc.dd.dd.ee.ee.ee.ee.ee.ee,meter_id=1)");
    /* On a provider network the gateway is answered only by what owns it
     * (issue 14: a physical gateway must get its own ARP requests); the
     * metadata address is answered, for every VIF by one static flow
     * (without a gateway it is the DHCP server's address). */
    assert_has_not(t, "arp_tpa=10.0.0.1");
    assert_has(t, "table=40, priority=90,arp,arp_tpa=169.254.169.254,"
               "arp_op=1");
    assert_has_not(t, "in_port=7,arp_tpa=169.254.169.254");
    free(t);
    /* On a tunnelled network no physical gateway can be: answered, once
     * per network (its metadata), not per VIF. */
    fx.net.provider_network_type = "geneve";
    t = compile(&fx, 0);
    assert_has(t, "table=40, priority=90,arp,metadata=0x5,arp_tpa=10.0.0.1,"
               "arp_op=1");
    assert_has_not(t, "in_port=7,arp_tpa=10.0.0.1");
    /* The VIF's other packet-ins go through its meter too. */
    assert_has(t, "table=150, priority=100,in_port=7 actions=meter:65543,"
               "goto_table:151");
    /* No metadata port, no metadata flows. */
    assert_has_not(t, "ct(");
    free(t);

    /* Router solicitations go to the controller, above port security. */
    t = compile(&fx, 0);
    assert_has(t, "table=10, priority=150,icmp6,in_port=7,icmp_type=133,"
               "icmp_code=0 actions=meter:65543,controller(userdata=07.aa.aa."
               "aa.aa.bb.bb.cc.cc.dd.dd.ee.ee.ee.ee.ee.ee,meter_id=1)");
    free(t);

    fx.subnet.enable_dhcp = false;
    t = compile(&fx, 0);
    assert_has_not(t, "controller(userdata=01.");
    assert_has_not(t, "arp_tpa=10.0.0.1");
    free(t);
    fixture_destroy(&fx);
}

Test(services, metadata_flows)
{
    struct fixture fx;
    char *t;

    fixture_init(&fx, false, NULL);
    t = compile(&fx, 3);
    assert_has(t, "table=0, priority=100,in_port=3 actions=goto_table:30");
    /* Requests: SNAT to 169.254.64.7 in zone 0xc007 (reg0 bit 16 marks
     * the second pass), then to port 3. */
    assert_has(t, "table=30, priority=110,tcp,reg0=0/0x10000,in_port=7,"
               "nw_dst=169.254.169.254,tp_dst=80 actions=load:0x1->"
               "NXM_NX_REG0[16],ct(commit,table=30,zone=49159,"
               "nat(src=169.254.64.7))");
    assert_has(t, "ct_state=-inv+trk,ct_zone=49159,tcp,"
               "reg0=0x10000/0x10000,in_port=7,nw_dst=169.254.169.254,"
               "tp_dst=80 actions=set_field:02:00:a9:fe:a9:fe->eth_src,"
               "set_field:0a:00:00:00:00:01->eth_dst,output:3");
    /* What conntrack called invalid, and anything else with the flag
     * that no flow above took, is dropped. */
    assert_has(t, "table=30, priority=105,reg0=0x10000/0x10000 "
               "actions=drop");
    /* Replies: un-NAT in the same zone, to port 7 through sg_ingress. */
    assert_has(t, "tcp,reg0=0/0x10000,in_port=3,nw_src=169.254.169.254,"
               "nw_dst=169.254.64.7,tp_src=80 actions=load:0x1->"
               "NXM_NX_REG0[16],set_field:0x7->reg7,ct(table=30,zone=49159,"
               "nat)");
    assert_has(t, "ct_state=+est+rpl+trk,ct_zone=49159,tcp,"
               "reg0=0x10000/0x10000,reg7=0x7,in_port=3,tp_src=80 actions="
               "set_field:02:00:a9:fe:a9:fe->eth_src,set_field:fa:16:3e:00:"
               "00:01->eth_dst,goto_table:70");
    /* ARP: the metadata address for every VIF (one static flow, not one
     * per VIF), the clients for the host. */
    assert_has(t, "table=40, priority=90,arp,arp_tpa=169.254.169.254,"
               "arp_op=1");
    assert_has_not(t, "table=40, priority=90,arp,in_port=7,"
                   "arp_tpa=169.254.169.254");
    assert_has(t, "table=30, priority=100,arp,in_port=3,"
               "arp_tpa=169.254.64.0/18,arp_op=1");
    free(t);
    fixture_destroy(&fx);
}

Test(services, client_addresses)
{
    for (uint16_t p = 1; p <= ZONE_MAX_OFPORT; p++) {
        ovs_be32 ip = services_meta_client_ip(u16_to_ofp(p));
        cr_assert_eq(ofp_to_u16(services_meta_client_ofport(ip)), p);
    }
    cr_assert_eq(services_meta_client_ofport(htonl(0xa9fe4000)), OFPP_NONE);
    cr_assert_eq(services_meta_client_ofport(htonl(0x0a000001)), OFPP_NONE);
    cr_assert_eq(services_meta_client_ofport(htonl(SERVICES_META_IP)),
                 OFPP_NONE);
}

Test(services, dhcp6_flow)
{
    struct fixture fx;
    char *t;

    /* Every local port's DHCPv6 client messages go to the controller,
     * above port security, through the VIF's meter. */
    fixture_init(&fx, false, NULL);
    t = compile(&fx, 0);
    assert_has(t, "table=10, priority=150,udp6,in_port=7,tp_src=546,"
               "tp_dst=547 actions=meter:65543,controller(userdata=0b.aa.aa."
               "aa.aa.bb.bb.cc.cc.dd.dd.ee.ee.ee.ee.ee.ee,meter_id=1)");
    free(t);
    fixture_destroy(&fx);
}

Test(services, metadata6_flows)
{
    struct fixture fx;
    char *t;

    fixture_init(&fx, false, NULL);
    t = compile(&fx, 3);
    assert_has_not(t, "fe80::a9fe");
    free(t);

    /* A port without an IPv6 address gets none. */
    meta_ip6 = true;
    t = compile(&fx, 3);
    assert_has_not(t, "fe80::a9fe:a9fe");
    free(t);

    fx.ip.ip_address = "2001:db8::11";
    t = compile(&fx, 3);
    meta_ip6 = false;
    /* Requests: SNAT to fe80::a9fe:4000:7 in the VIF's zone, to port 3. */
    assert_has(t, "table=30, priority=110,tcp6,reg0=0/0x10000,in_port=7,"
               "ipv6_dst=fe80::a9fe:a9fe,tp_dst=80 actions=load:0x1->"
               "NXM_NX_REG0[16],ct(commit,table=30,zone=49159,"
               "nat(src=fe80::a9fe:4000:7))");
    assert_has(t, "ct_state=-inv+trk,ct_zone=49159,tcp6,"
               "reg0=0x10000/0x10000,in_port=7,ipv6_dst=fe80::a9fe:a9fe,"
               "tp_dst=80 actions=set_field:02:00:a9:fe:a9:fe->eth_src,"
               "set_field:0a:00:00:00:00:01->eth_dst,output:3");
    /* Replies: un-NAT, to port 7 through sg_ingress. */
    assert_has(t, "tcp6,reg0=0/0x10000,in_port=3,ipv6_src=fe80::a9fe:a9fe,"
               "ipv6_dst=fe80::a9fe:4000:7,tp_src=80 actions=load:0x1->"
               "NXM_NX_REG0[16],set_field:0x7->reg7,ct(table=30,zone=49159,"
               "nat)");
    assert_has(t, "ct_state=+est+rpl+trk,ct_zone=49159,tcp6,"
               "reg0=0x10000/0x10000,reg7=0x7,in_port=3,tp_src=80 actions="
               "set_field:02:00:a9:fe:a9:fe->eth_src,set_field:fa:16:3e:00:"
               "00:01->eth_dst,goto_table:70");
    /* Neighbour discovery: the VM's for the service, answered from
     * SERVICES_MAC; the host's for the client addresses. */
    assert_has(t, "table=40, priority=90,icmp6,in_port=7,icmp_type=135,"
               "icmp_code=0,nd_target=fe80::a9fe:a9fe,"
               "nd_sll=fa:16:3e:00:00:01 actions=");
    assert_has(t, "table=40, priority=90,icmp6,reg0=0x4/0x4,in_port=7,"
               "icmp_type=136,icmp_code=0,nd_target=fe80::a9fe:a9fe "
               "actions=set_field:02:00:a9:fe:a9:fe->nd_tll,resubmit(,81)");
    assert_has(t, "table=30, priority=100,icmp6,in_port=3,icmp_type=135,"
               "icmp_code=0,nd_target=fe80::a9fe:4000:0/112,"
               "nd_sll=0a:00:00:00:00:01 actions=");
    free(t);
    fixture_destroy(&fx);
}

Test(services, client_addresses6)
{
    struct in6_addr a;

    for (uint16_t p = 1; p <= ZONE_MAX_OFPORT; p++) {
        services_meta_client_ip6(u16_to_ofp(p), &a);
        cr_assert_eq(ofp_to_u16(services_meta_client6_ofport(&a)), p);
    }
    cr_assert(ipv6_parse("fe80::a9fe:4000:0", &a));
    cr_assert_eq(services_meta_client6_ofport(&a), OFPP_NONE);
    cr_assert(ipv6_parse("fe80::a9fe:4000:4000", &a));
    cr_assert_eq(services_meta_client6_ofport(&a), OFPP_NONE);
    cr_assert(ipv6_parse("fe80::a9fe:a9fe", &a));
    cr_assert_eq(services_meta_client6_ofport(&a), OFPP_NONE);
    cr_assert(ipv6_parse("fe80::1:a9fe:4000:7", &a));
    cr_assert_eq(services_meta_client6_ofport(&a), OFPP_NONE);

    /* The service's peers, as libevent prints them. */
    cr_assert_eq(ofp_to_u16(services_meta_peer_ofport("169.254.64.9")), 9);
    cr_assert_eq(ofp_to_u16(services_meta_peer_ofport(
                                "fe80::a9fe:4000:b%dvr-meta")), 11);
    cr_assert_eq(ofp_to_u16(services_meta_peer_ofport("fe80::a9fe:4000:c")),
                 12);
    cr_assert_eq(services_meta_peer_ofport("10.0.0.1"), OFPP_NONE);
    cr_assert_eq(services_meta_peer_ofport("fe80::1%eth0"), OFPP_NONE);
    cr_assert_eq(services_meta_peer_ofport("%"), OFPP_NONE);
    cr_assert_eq(services_meta_peer_ofport(""), OFPP_NONE);
    cr_assert_eq(services_meta_peer_ofport(NULL), OFPP_NONE);
}

Test(services, lease_from_nb)
{
    struct fixture fx;
    struct dhcp_lease l;

    fixture_init(&fx, true, "10.0.0.1");
    smap_add(&fx.subnet.host_routes, "172.16.0.0/12", "10.0.0.5");
    smap_add(&fx.subnet.host_routes, "bogus", "10.0.0.5");
    cr_assert(dhcp_server_lease_for_port(&fx.port, NULL, &l));
    cr_assert_eq(l.ip, htonl(0x0a00000b));
    cr_assert_eq(l.netmask, htonl(0xffffff00));
    cr_assert_eq(l.router, htonl(0x0a000001));
    cr_assert_eq(l.server_ip, htonl(0x0a000001));
    cr_assert_eq(l.n_dns, 1);
    cr_assert_eq(l.dns[0], htonl(0x08080808));
    cr_assert_eq(l.n_routes, 1);
    cr_assert_eq(l.routes[0].plen, 12);
    cr_assert_eq(l.mtu, 1442);
    cr_assert_eq(l.lease_time, 86400);
    cr_assert_str_eq(l.hostname, "host-10-0-0-11");
    cr_assert_str_eq(l.domain, "openstacklocal");

    /* dns_name, NB_Global options, a default host route. */
    struct nbrec_nb_global g;
    memset(&g, 0, sizeof g);
    smap_init(&g.options);
    smap_add(&g.options, "dns_domain", "example.org.");
    smap_add(&g.options, "dhcp_lease_time", "600");
    smap_add(&fx.subnet.host_routes, "0.0.0.0/0", "10.0.0.254");
    fx.port.dns_name = "vm1.example.org";
    cr_assert(dhcp_server_lease_for_port(&fx.port, &g, &l));
    cr_assert_str_eq(l.hostname, "vm1");
    cr_assert_str_eq(l.domain, "example.org");
    cr_assert_eq(l.lease_time, 600);
    cr_assert_eq(l.router, htonl(0x0a0000fe));
    smap_destroy(&g.options);

    /* Without a gateway: server 169.254.169.254, on-link route to it. */
    fx.subnet.gateway_ip = NULL;
    smap_clear(&fx.subnet.host_routes);
    cr_assert(dhcp_server_lease_for_port(&fx.port, NULL, &l));
    cr_assert_eq(l.router, 0);
    cr_assert_eq(l.server_ip, htonl(SERVICES_META_IP));
    cr_assert_eq(l.n_routes, 1);
    cr_assert_eq(l.routes[0].dst, htonl(SERVICES_META_IP));
    cr_assert_eq(l.routes[0].plen, 32);
    cr_assert_eq(l.routes[0].gw, 0);

    /* No DHCP on the subnet: no lease. */
    fx.subnet.enable_dhcp = false;
    cr_assert(!dhcp_server_lease_for_port(&fx.port, NULL, &l));
    fixture_destroy(&fx);
}

/*
 * Unit tests of the security group compiler (pipeline/sg): port ranges as
 * masked matches, rule validation, the conjunction layout (flows grow with
 * rules plus addresses), ports' entry flows.  NB rows are built in memory;
 * flows are checked as text.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/actions.h"
#include "pipeline/flow.h"
#include "tests/unit/flow-text.h"
#include "pipeline/sg.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"

/* Port ranges. */

/* True if the matches 'm' cover exactly [min, max]. */
static bool
covers_exactly(const struct sg_port_match *m, size_t n, uint32_t min,
               uint32_t max)
{
    for (uint32_t port = 0; port <= 0xffff; port++) {
        size_t hits = 0;
        for (size_t i = 0; i < n; i++) {
            hits += (port & m[i].mask) == m[i].value;
        }
        if (hits != (port >= min && port <= max)) {
            return false;
        }
    }
    return true;
}

Test(sg, port_range_1000_1999)
{
    static const struct sg_port_match expected[] = {
        { 1000, 0xfff8 },           /* 1000-1007 */
        { 1008, 0xfff0 },           /* 1008-1023 */
        { 1024, 0xfe00 },           /* 1024-1535 */
        { 1536, 0xff00 },           /* 1536-1791 */
        { 1792, 0xff80 },           /* 1792-1919 */
        { 1920, 0xffc0 },           /* 1920-1983 */
        { 1984, 0xfff0 },           /* 1984-1999 */
    };
    struct sg_port_match m[32];
    size_t n = sg_split_port_range(1000, 1999, m);

    cr_assert_eq(n, ARRAY_SIZE(expected), "%zu matches", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(m[i].value, expected[i].value, "match %zu", i);
        cr_assert_eq(m[i].mask, expected[i].mask, "match %zu", i);
    }
    cr_assert(covers_exactly(m, n, 1000, 1999));
}

Test(sg, port_range_edges)
{
    struct sg_port_match m[32];

    cr_assert_eq(sg_split_port_range(22, 22, m), 1);
    cr_assert_eq(m[0].value, 22);
    cr_assert_eq(m[0].mask, 0xffff);
    cr_assert_eq(sg_split_port_range(0, 65535, m), 1);
    cr_assert_eq(m[0].mask, 0);
    cr_assert_eq(sg_split_port_range(1, 65535, m), 16);
    cr_assert(covers_exactly(m, 16, 1, 65535));
    cr_assert_eq(sg_split_port_range(1, 65534, m), 30);
    cr_assert(covers_exactly(m, 30, 1, 65534));
    cr_assert_eq(sg_split_port_range(1024, 2047, m), 1);
    cr_assert_eq(m[0].mask, 0xfc00);
}

Test(sg, port_range_random)
{
    uint32_t seed = 12345;
    for (int i = 0; i < 40; i++) {
        seed = seed * 1103515245 + 12345;
        uint16_t a = seed >> 16;
        seed = seed * 1103515245 + 12345;
        uint16_t b = seed >> 16;
        uint16_t min = MIN(a, b), max = MAX(a, b);
        struct sg_port_match m[32];
        size_t n = sg_split_port_range(min, max, m);
        cr_assert(n >= 1 && n <= 30, "%u-%u: %zu matches", min, max, n);
        cr_assert(covers_exactly(m, n, min, max), "%u-%u", min, max);
    }
}

/* Rules. */

#define MAX_RULES 8

struct fixture {
    struct nbrec_security_group sg, remote, remote2;
    struct nbrec_security_group_rule rules[MAX_RULES];
    struct nbrec_security_group_rule *rule_ptrs[MAX_RULES];
    int64_t mins[MAX_RULES], maxs[MAX_RULES];
};

static void
fixture_init(struct fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    uuid_from_string(&fx->sg.header_.uuid,
                     "5e000000-0000-0000-0000-000000000001");
    uuid_from_string(&fx->remote.header_.uuid,
                     "5e000000-0000-0000-0000-000000000002");
    uuid_from_string(&fx->remote2.header_.uuid,
                     "5e000000-0000-0000-0000-000000000003");
    fx->sg.rules = fx->rule_ptrs;
}

/* Adds a rule: 'protocol' NULL for any, 'min'/'max' -1 for none. */
static struct nbrec_security_group_rule *
add_rule(struct fixture *fx, const char *direction, const char *ethertype,
         const char *protocol, int64_t min, int64_t max,
         const char *prefix, struct nbrec_security_group *remote)
{
    size_t i = fx->sg.n_rules++;
    struct nbrec_security_group_rule *r = &fx->rules[i];

    cr_assert(i < MAX_RULES);
    uuid_from_string(&r->header_.uuid, i == 0
                     ? "a0000000-0000-0000-0000-000000000000"
                     : i == 1 ? "a1000000-0000-0000-0000-000000000000"
                     : i == 2 ? "a2000000-0000-0000-0000-000000000000"
                     : i == 3 ? "a3000000-0000-0000-0000-000000000000"
                     : i == 4 ? "a4000000-0000-0000-0000-000000000000"
                     : i == 5 ? "a5000000-0000-0000-0000-000000000000"
                     : i == 6 ? "a6000000-0000-0000-0000-000000000000"
                     : "a7000000-0000-0000-0000-000000000000");
    r->direction = CONST_CAST(char *, direction);
    r->ethertype = CONST_CAST(char *, ethertype);
    r->protocol = CONST_CAST(char *, protocol);
    if (min >= 0) {
        fx->mins[i] = min;
        r->port_range_min = &fx->mins[i];
        r->n_port_range_min = 1;
    }
    if (max >= 0) {
        fx->maxs[i] = max;
        r->port_range_max = &fx->maxs[i];
        r->n_port_range_max = 1;
    }
    r->remote_ip_prefix = CONST_CAST(char *, prefix);
    r->remote_group = remote;
    smap_init(&r->external_ids);
    fx->rule_ptrs[i] = r;
    return r;
}

static void
fixture_destroy(struct fixture *fx)
{
    for (size_t i = 0; i < fx->sg.n_rules; i++) {
        smap_destroy(&fx->rules[i].external_ids);
    }
}

/* Parses rule 'i' and returns its error (or NULL). */
static char *
parse(struct fixture *fx, size_t i, struct sg_rule *r)
{
    return sg_rule_parse(&fx->sg, i, r);
}

static void
assert_error(struct fixture *fx, size_t i, const char *needle)
{
    struct sg_rule r;
    char *error = parse(fx, i, &r);
    cr_assert_not_null(error, "rule %zu should be invalid", i);
    cr_assert(strstr(error, needle), "'%s' not in '%s'", needle, error);
    /* The error names the rule. */
    char uuid[UUID_LEN + 1];
    snprintf(uuid, sizeof uuid, UUID_FMT,
             UUID_ARGS(&fx->rules[i].header_.uuid));
    cr_assert(strstr(error, uuid), "rule not named in '%s'", error);
    free(error);
}

Test(sg, bad_rules)
{
    struct fixture fx;
    fixture_init(&fx);
    add_rule(&fx, "ingress", "IPv4", "tcp", 2000, 1000, NULL, NULL);
    add_rule(&fx, "ingress", "IPv4", "gre", 1, 2, NULL, NULL);
    add_rule(&fx, "ingress", "IPv4", "tcpp", -1, -1, NULL, NULL);
    struct nbrec_security_group_rule *r
        = add_rule(&fx, "ingress", "IPv4", NULL, -1, -1, NULL, NULL);
    smap_add(&r->external_ids, SG_REMOTE_GROUP_KEY,
             "5e000000-0000-0000-0000-00000000dead");
    add_rule(&fx, "ingress", "IPv4", NULL, 22, 22, NULL, NULL);
    add_rule(&fx, "ingress", "IPv4", NULL, -1, -1, "fd00::/64", NULL);
    add_rule(&fx, "egress", "IPv4", "icmp", 300, -1, NULL, NULL);
    add_rule(&fx, "ingress", "IPv4", "tcp", -1, -1, "10.0.0.0/8",
             &fx.remote);

    assert_error(&fx, 0, "port_range_min 2000 > port_range_max 1000");
    assert_error(&fx, 1, "port range on protocol 'gre'");
    assert_error(&fx, 2, "unknown protocol 'tcpp'");
    assert_error(&fx, 3, "remote group "
                 "5e000000-0000-0000-0000-00000000dead does not exist");
    assert_error(&fx, 4, "port range on protocol 'any'");
    assert_error(&fx, 5, "invalid IPv4 remote_ip_prefix 'fd00::/64'");
    assert_error(&fx, 6, "ICMP type or code above 255");
    assert_error(&fx, 7, "both a remote group and a remote IP prefix");

    /* sg_rules_parse() keeps none of them and reports each. */
    struct svec errors = SVEC_EMPTY_INITIALIZER;
    struct sg_rules rules;
    sg_rules_parse(&fx.sg, &rules, &errors);
    cr_assert_eq(rules.n, 0);
    cr_assert_eq(errors.n, 8);
    svec_destroy(&errors);
    sg_rules_destroy(&rules);
    fixture_destroy(&fx);
}

Test(sg, good_rules)
{
    struct fixture fx;
    struct sg_rule r;
    fixture_init(&fx);
    add_rule(&fx, "ingress", "IPv6", "icmp", 128, -1, NULL, NULL);
    add_rule(&fx, "egress", "IPv4", "tcp", 1, 65535, "10.1.2.3/16", NULL);
    add_rule(&fx, "ingress", "IPv4", "17", 53, 53, "0.0.0.0/0", NULL);
    add_rule(&fx, "ingress", "IPv4", "any", -1, -1, NULL, &fx.remote);

    cr_assert_null(parse(&fx, 0, &r));
    cr_assert(r.ingress && r.ipv6);
    cr_assert_eq(r.proto, 58);          /* Neutron's "icmp" in IPv6. */
    cr_assert_eq(r.icmp_type, 128);
    cr_assert_eq(r.icmp_code, -1);

    cr_assert_null(parse(&fx, 1, &r));
    cr_assert(!r.ingress && !r.ipv6);
    cr_assert(!r.has_ports);            /* The full range is no match. */
    cr_assert(r.has_prefix);
    cr_assert_eq(in6_addr_get_mapped_ipv4(&r.prefix), htonl(0x0a010000));

    cr_assert_null(parse(&fx, 2, &r));
    cr_assert_eq(r.proto, 17);
    cr_assert(r.has_ports && r.port_min == 53 && r.port_max == 53);
    cr_assert(!r.has_prefix);           /* /0 is no match either. */

    cr_assert_null(parse(&fx, 3, &r));
    cr_assert_eq(r.proto, -1);
    cr_assert(r.has_remote_group);
    cr_assert(uuid_equals(&r.remote_group, &fx.remote.header_.uuid));
    fixture_destroy(&fx);
}

static size_t
count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* For sg_compile_remote_address(): on the network with local id 3,
 * 10.0.0.1 is in 'remote', 10.0.0.2 in both remote groups, 10.0.0.3 in
 * 'remote2', fd00::1 in 'remote'; on other networks, nothing. */
static bool
fixture_in_group(const struct uuid *group, const struct in6_addr *addr,
                 uint16_t net, void *fx_)
{
    const struct fixture *fx = fx_;
    if (net != 3) {
        return false;
    }
    bool r1 = uuid_equals(group, &fx->remote.header_.uuid);
    bool r2 = uuid_equals(group, &fx->remote2.header_.uuid);
    struct in6_addr a;

    ipv6_parse("::ffff:10.0.0.1", &a);
    if (ipv6_addr_equals(addr, &a)) {
        return r1;
    }
    ipv6_parse("::ffff:10.0.0.2", &a);
    if (ipv6_addr_equals(addr, &a)) {
        return r1 || r2;
    }
    ipv6_parse("::ffff:10.0.0.3", &a);
    if (ipv6_addr_equals(addr, &a)) {
        return r2;
    }
    ipv6_parse("fd00::1", &a);
    return ipv6_addr_equals(addr, &a) && r1;
}

static char *
compile_address_on(struct fixture *fx, const struct sg_rules *rules,
                   const char *s, uint16_t net)
{
    struct flow_list list;
    struct in6_addr addr;
    ovs_be32 ip4;

    if (ip_parse(s, &ip4)) {
        addr = in6_addr_mapped_ipv4(ip4);
    } else {
        cr_assert(ipv6_parse(s, &addr));
    }
    flow_list_init(&list);
    sg_compile_remote_address(rules, 7, 0x5e, &addr, net, fixture_in_group,
                              fx, &list);
    char *t = flows_text(&list);
    flow_list_destroy(&list);
    return t;
}

static char *
compile_address(struct fixture *fx, const struct sg_rules *rules,
                const char *s)
{
    return compile_address_on(fx, rules, s, 3);
}

Test(sg, conjunction_layout)
{
    struct fixture fx;
    fixture_init(&fx);
    /* a0: TCP 22 from 'remote'; a1: TCP 22 from 'remote2' (the same port
     * match: one flow, two conjunctions); a2: TCP 1000-1999 from
     * 'remote' (7 port matches); a3: TCP 80 from a prefix (no
     * conjunction); a4: egress any IPv4 (one flow); a5: ingress IPv6 from
     * 'remote'. */
    add_rule(&fx, "ingress", "IPv4", "tcp", 22, 22, NULL, &fx.remote);
    add_rule(&fx, "ingress", "IPv4", "tcp", 22, 22, NULL, &fx.remote2);
    add_rule(&fx, "ingress", "IPv4", "tcp", 1000, 1999, NULL, &fx.remote);
    add_rule(&fx, "ingress", "IPv4", "tcp", 80, 80, "10.9.0.0/16", NULL);
    add_rule(&fx, "egress", "IPv4", NULL, -1, -1, NULL, NULL);
    add_rule(&fx, "ingress", "IPv6", NULL, -1, -1, NULL, &fx.remote);

    struct svec errors = SVEC_EMPTY_INITIALIZER;
    struct sg_rules rules;
    sg_rules_parse(&fx.sg, &rules, &errors);
    cr_assert_eq(errors.n, 0);
    cr_assert_eq(rules.n, 6);
    /* Conjunction ids come from the rule UUIDs. */
    cr_assert_eq(rules.rules[0].conj_id, 0xa0000000);
    cr_assert_eq(rules.rules[1].conj_id, 0xa1000000);
    cr_assert_eq(rules.rules[3].conj_id, 0);

    struct flow_list list;
    flow_list_init(&list);
    sg_compile_group(&rules, 7, 0x5e, &list);
    char *t = flows_text(&list);

    /* 1 shared flow for port 22, 7 for the range, 4 conj_id flows, 1 for
     * TCP 80, 1 egress, 1 IPv6 clause. */
    cr_assert_eq(flow_list_size(&list), 15, "%s", t);
    assert_has(t, "cookie=0x5e, table=26, priority=90,ct_state=-inv+trk,"
               "ct_nw_proto=6,ct_tp_dst=22,ip,reg0=0x200/0x200,reg5=0x7 "
               "actions=conjunction(2684354560,1/2),"
               "conjunction(2701131776,1/2)");
    assert_has(t, "ct_tp_dst=0x3e8/0xfff8,ip,reg0=0x200/0x200,reg5=0x7 "
               "actions=conjunction(2717908992,1/2)");
    cr_assert_eq(count(t, "conjunction(2717908992,1/2)"), 7, "%s", t);
    assert_has(t, "cookie=0xa000000000000000, table=26, priority=90,"
               "conj_id=2684354560,reg5=0x7 "
               "actions=load:0x1->NXM_NX_REG0[10]");
    assert_has(t, "priority=100,ct_state=-inv+trk,ct_nw_src=10.9.0.0/16,"
               "ct_nw_proto=6,ct_tp_dst=80,ip,reg0=0x200/0x200,reg5=0x7 "
               "actions=load:0x1->NXM_NX_REG0[10]");
    assert_has(t, "priority=100,ct_state=-inv+trk,ip,reg0=0/0x200,reg5=0x7 "
               "actions=load:0x1->NXM_NX_REG0[10]");
    free(t);
    flow_list_destroy(&list);

    /* One flow per address and direction, with the conjunctions of every
     * rule whose remote group has it. */
    t = compile_address(&fx, &rules, "10.0.0.1");
    cr_assert_eq(count(t, "\n"), 1, "%s", t);
    assert_has(t, "priority=90,ct_state=-inv+trk,ct_nw_src=10.0.0.1,ip,"
               "reg5=0x7,reg8=0x3 actions=conjunction(2684354560,2/2),"
               "conjunction(2717908992,2/2)\n");
    free(t);
    t = compile_address(&fx, &rules, "10.0.0.2");
    assert_has(t, "ct_nw_src=10.0.0.2,ip,reg5=0x7,reg8=0x3 "
               "actions=conjunction(2684354560,2/2),"
               "conjunction(2701131776,2/2),conjunction(2717908992,2/2)\n");
    free(t);
    t = compile_address(&fx, &rules, "10.0.0.3");
    assert_has(t, "ct_nw_src=10.0.0.3,ip,reg5=0x7,reg8=0x3 "
               "actions=conjunction(2701131776,2/2)\n");
    free(t);
    t = compile_address(&fx, &rules, "fd00::1");
    assert_has(t, "ct_ipv6_src=fd00::1,ipv6,reg5=0x7,reg8=0x3 "
               "actions=conjunction(2768240640,2/2)\n");
    free(t);
    t = compile_address(&fx, &rules, "10.0.0.4");
    cr_assert_str_empty(t);
    free(t);
    /* The same address on another network is nobody's. */
    t = compile_address_on(&fx, &rules, "10.0.0.1", 4);
    cr_assert_str_empty(t);
    free(t);

    svec_destroy(&errors);
    sg_rules_destroy(&rules);
    fixture_destroy(&fx);
}

Test(sg, conjunction_ids_unique)
{
    struct fixture fx;
    fixture_init(&fx);
    add_rule(&fx, "ingress", "IPv4", "tcp", 22, 22, NULL, &fx.remote);
    add_rule(&fx, "ingress", "IPv4", "tcp", 23, 23, NULL, &fx.remote);
    /* Both UUIDs start with 0xa0000000 and 0xa1000000; force a clash. */
    uuid_from_string(&fx.rules[1].header_.uuid,
                     "a0000000-0000-0000-0000-000000000001");

    struct svec errors = SVEC_EMPTY_INITIALIZER;
    struct sg_rules rules;
    sg_rules_parse(&fx.sg, &rules, &errors);
    cr_assert_eq(rules.n, 2);
    cr_assert_eq(rules.rules[0].conj_id, 0xa0000000);
    cr_assert_eq(rules.rules[1].conj_id, 0xa0000001);
    svec_destroy(&errors);
    sg_rules_destroy(&rules);
    fixture_destroy(&fx);
}

Test(sg, ports)
{
    static const uint32_t groups[] = { 0x11, 0x22 };
    struct sg_port port = {
        .cookie = 0xc0,
        .ofport = u16_to_ofp(7),
        .filtered = true,
        .group_ids = groups,
        .n_groups = 2,
    };
    struct flow_list list;

    flow_list_init(&list);
    sg_compile_port(&port, &list);
    char *t = flows_text(&list);
    /* A filtered port has no entry flow of its own (the skeleton's
     * catch-all takes it into its zone), only its groups. */
    cr_assert_eq(flow_list_size(&list), 1, "%s", t);
    assert_has(t, "table=25, priority=100,reg6=0x7 "
               "actions=set_field:0x11->reg5,resubmit(,26),"
               "set_field:0x22->reg5,resubmit(,26)");
    free(t);
    flow_list_destroy(&list);

    port.filtered = false;
    flow_list_init(&list);
    sg_compile_port(&port, &list);
    t = flows_text(&list);
    cr_assert_eq(flow_list_size(&list), 2, "%s", t);
    assert_has(t, "table=20, priority=100,in_port=7 actions=goto_table:30");
    assert_has(t, "table=70, priority=100,reg7=0x7 actions=goto_table:79");
    free(t);
    flow_list_destroy(&list);
}

Test(sg, unfiltered_ports)
{
    struct nbrec_port port;
    memset(&port, 0, sizeof port);
    port.port_security_enabled = true;
    port.device_owner = "compute:nova";
    cr_assert(!sg_port_is_unfiltered(&port));
    const char *owners[] = { "network:router_interface_distributed",
                             "network:router_gateway",
                             "network:floatingip", "network:dhcp" };
    for (size_t i = 0; i < ARRAY_SIZE(owners); i++) {
        port.device_owner = CONST_CAST(char *, owners[i]);
        cr_assert(sg_port_is_unfiltered(&port), "%s", owners[i]);
    }
    port.device_owner = "compute:nova";
    port.port_security_enabled = false;
    cr_assert(sg_port_is_unfiltered(&port));
}

Test(sg, skeleton)
{
    struct flow_list list;
    flow_list_init(&list);
    sg_compile_skeleton(&list);
    char *t = flows_text(&list);
    assert_has(t, "table=21, priority=100,ip "
               "actions=ct(table=22,zone=NXM_NX_REG6[0..15])");
    /* Every VIF that has no flow of its own here (a filtered one) is
     * judged in its zone: its ofport, from in_port or reg7. */
    assert_has(t, "table=20, priority=0 "
               "actions=move:NXM_OF_IN_PORT[]->NXM_NX_REG6[0..15],"
               "goto_table:21");
    assert_has(t, "table=70, priority=0 "
               "actions=move:NXM_NX_REG7[]->NXM_NX_REG6[],goto_table:71");
    assert_has(t, "table=22, priority=200,ct_state=+inv+trk actions=drop");
    assert_has(t, "table=22, priority=100,ct_state=+rpl+trk "
               "actions=load:0x1->NXM_NX_REG0[9..10],"
               "resubmit(,24),resubmit(,25),goto_table:23");
    assert_has(t, "table=72, priority=100,ct_state=-rpl+trk "
               "actions=load:0x1->NXM_NX_REG0[9..10],"
               "resubmit(,74),resubmit(,25),goto_table:73");
    /* The peer is on the packet's network unless a router says not. */
    assert_has(t, "table=24, priority=0 "
               "actions=move:OXM_OF_METADATA[0..31]->NXM_NX_REG8[]");
    assert_has(t, "table=74, priority=0 "
               "actions=move:OXM_OF_METADATA[0..31]->NXM_NX_REG8[]");
    assert_has(t, "table=27, priority=0 actions=set_field:0->reg8");
    assert_has(t, "table=77, priority=0 actions=set_field:0->reg8");
    assert_has(t, "table=73, priority=100,ct_state=+new+trk,ip,"
               "reg0=0x400/0x400 actions=ct(commit,zone=NXM_NX_REG6[0..15]),"
               "goto_table:79");
    free(t);
    flow_list_destroy(&list);
}

/* A router names the network of a peer behind it by its subnets: a packet
 * from (ingress) or to (egress) the router's MAC on network 5 is from or to
 * network 5 or 6 by its address, else from nowhere known. */
Test(sg, router_peers)
{
    struct sg_router_iface ifaces[2] = {
        { .lvid = 5, .mac = ETH_ADDR_C(fa, 16, 3e, 00, 00, 05),
          .ip = htonl(0x0a000001), .mask = htonl(0xffffff00) },
        { .lvid = 6, .mac = ETH_ADDR_C(fa, 16, 3e, 00, 00, 06),
          .ip = htonl(0x0a010001), .mask = htonl(0xffff0000) },
    };
    struct flow_list list;

    flow_list_init(&list);
    sg_compile_router_peers(0x77, 9, ifaces, 2, &list);
    char *t = flows_text(&list);
    cr_assert_eq(flow_list_size(&list), 8, "%s", t);
    assert_has(t, "cookie=0x77, table=74, priority=100,metadata=0x5,"
               "dl_src=fa:16:3e:00:00:05 "
               "actions=set_field:0x9->reg8,resubmit(,77)");
    assert_has(t, "cookie=0x77, table=24, priority=100,metadata=0x6,"
               "dl_dst=fa:16:3e:00:00:06 "
               "actions=set_field:0x9->reg8,resubmit(,27)");
    assert_has(t, "cookie=0x77, table=77, priority=124,ip,reg8=0x9,"
               "nw_src=10.0.0.0/24 actions=set_field:0x5->reg8");
    assert_has(t, "cookie=0x77, table=27, priority=116,ip,reg8=0x9,"
               "nw_dst=10.1.0.0/16 actions=set_field:0x6->reg8");
    free(t);
    flow_list_destroy(&list);
}

/* Two groups whose UUIDs share their first 32 bits (issue 14): sg_group_id()
 * alone would give both the same reg5 id, so the rules of one would apply
 * to the members of the other.  sg_assign_group_ids() gives them distinct
 * ids, the same whatever the order they are seen in, and the compiled
 * rules of the two groups match distinct ids. */
Test(sg, colliding_group_ids)
{
    struct uuid u[3];

    cr_assert(uuid_from_string(&u[0],
                               "12345678-0000-4000-8000-000000000001"));
    cr_assert(uuid_from_string(&u[1],
                               "12345678-ffff-4000-8000-000000000002"));
    cr_assert(uuid_from_string(&u[2],
                               "12345679-0000-4000-8000-000000000003"));
    cr_assert_eq(sg_group_id(&u[0]), sg_group_id(&u[1]));

    uint32_t ids[3];
    sg_assign_group_ids(u, 3, ids);
    cr_assert_eq(ids[0], 0x12345678);
    cr_assert_neq(ids[1], ids[0]);
    cr_assert_neq(ids[1], ids[2]);
    cr_assert_neq(ids[0], ids[2]);

    /* Only the set counts: the second group alone keeps its own id, and
     * with the first it moves. */
    uint32_t one;
    sg_assign_group_ids(&u[1], 1, &one);
    cr_assert_eq(one, 0x12345678);
    uint32_t again[3];
    sg_assign_group_ids(u, 3, again);
    cr_assert_eq(memcmp(ids, again, sizeof ids), 0);

    /* The flows of a rule in each group never share a reg5 value. */
    struct sg_rules rules[2];
    struct ds flows[2];
    for (int i = 0; i < 2; i++) {
        struct sg_rule *r = xzalloc(sizeof *r);
        r->uuid = u[i];
        r->ingress = true;
        r->proto = 6;
        r->has_ports = true;
        r->port_min = r->port_max = i ? 80 : 22;
        r->icmp_type = r->icmp_code = -1;
        rules[i] = (struct sg_rules) { .group = u[i], .rules = r, .n = 1 };

        struct flow_list list;
        struct dvr_flow *f;
        flow_list_init(&list);
        sg_compile_group(&rules[i], ids[i], 1, &list);
        ds_init(&flows[i]);
        LIST_FOR_EACH (f, owner_node, &list.flows) {
            dvr_flow_format(f, NULL, NULL, &flows[i]);
        }
        flow_list_destroy(&list);
        sg_rules_destroy(&rules[i]);
    }
    char *reg0 = xasprintf("reg5=%#"PRIx32, ids[0]);
    char *reg1 = xasprintf("reg5=%#"PRIx32, ids[1]);
    cr_assert(strstr(ds_cstr(&flows[0]), reg0), "%s", ds_cstr(&flows[0]));
    cr_assert(!strstr(ds_cstr(&flows[0]), reg1), "%s", ds_cstr(&flows[0]));
    cr_assert(strstr(ds_cstr(&flows[1]), reg1), "%s", ds_cstr(&flows[1]));
    cr_assert(!strstr(ds_cstr(&flows[1]), reg0), "%s", ds_cstr(&flows[1]));
    free(reg0);
    free(reg1);
    ds_destroy(&flows[0]);
    ds_destroy(&flows[1]);
}

/* No value makes the compiler abort (issue 14): an action text that OVS's
 * parser refuses (check_pkt_larger takes 16 bits) and actions too long for
 * one OpenFlow message make flow_list_add() refuse the flow and say why;
 * the flow set passes the reasons on. */
Test(sg, refused_flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct flow_list list;
    struct match match;

    flow_list_init(&list);
    match_init_catchall(&match);
    put_parsed(&ofpacts, "check_pkt_larger(%d)->NXM_NX_REG0[1]", 65536);
    cr_assert_null(flow_list_add(&list, 118, 1, 7, &match, &ofpacts));
    cr_assert_eq(list.errors.n, 1);
    cr_assert(strstr(list.errors.names[0], "table 118 priority 1 cookie "
                     "0x7: flow refused: \"check_pkt_larger(65536)"),
              "%s", list.errors.names[0]);

    /* 4,200 conjunctions: 67,200 bytes of actions. */
    ofpbuf_clear(&ofpacts);
    for (int i = 0; i < 4200; i++) {
        struct ofpact_conjunction *c = ofpact_put_CONJUNCTION(&ofpacts);
        c->id = i + 1;
        c->clause = 1;
        c->n_clauses = 2;
    }
    cr_assert_null(flow_list_add(&list, 26, 90, 8, &match, &ofpacts));
    cr_assert_eq(list.errors.n, 2);
    cr_assert(strstr(list.errors.names[1], "exceeds 65471"), "%s",
              list.errors.names[1]);

    /* A good flow still goes in, and the set takes the reasons. */
    ofpbuf_clear(&ofpacts);
    put_parsed(&ofpacts, "check_pkt_larger(%d)->NXM_NX_REG0[1]", 65535);
    cr_assert_not_null(flow_list_add(&list, 118, 2, 7, &match, &ofpacts));
    struct flow_set set;
    struct svec out = SVEC_EMPTY_INITIALIZER;
    flow_set_init(&set);
    flow_set_replace_owner(&set, 7, &list);
    cr_assert_eq(flow_set_count(&set), 1);
    cr_assert_eq(flow_set_take_refused(&set, &out), 2);
    cr_assert_eq(out.n, 2);
    cr_assert_eq(flow_set_take_refused(&set, &out), 0);
    svec_destroy(&out);
    flow_set_destroy(&set);
    flow_list_destroy(&list);
    ofpbuf_uninit(&ofpacts);
}

/*
 * Unit tests of api/ipam: address parsing and formatting, Neutron's
 * gateway and allocation pool defaults, pool validation, allocation of
 * free addresses, MAC addresses.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sset.h"
#include "util.h"
#include "api/ipam.h"

static struct ipam_prefix
prefix(const char *s)
{
    struct ipam_prefix p;
    char *error = ipam_parse_cidr(s, true, &p);
    cr_assert_null(error, "%s: %s", s, error);
    return p;
}

static struct ipam_addr
addr(const char *s)
{
    struct ipam_addr a;
    cr_assert(ipam_parse_addr(s, &a), "%s", s);
    return a;
}

static void
assert_addr(const struct ipam_addr *a, const char *want)
{
    char buf[IPAM_ADDR_STRLEN];
    ipam_format_addr(a, buf);
    cr_assert_str_eq(buf, want);
}

Test(ipam, parse_and_format)
{
    struct ipam_addr a;
    cr_assert(ipam_parse_addr("192.168.10.1", &a));
    cr_assert_eq(a.family, 4);
    assert_addr(&a, "192.168.10.1");
    cr_assert(ipam_parse_addr("2001:DB8:0:0::1", &a));
    cr_assert_eq(a.family, 6);
    assert_addr(&a, "2001:db8::1");
    cr_assert_not(ipam_parse_addr("192.168.10.256", &a));
    cr_assert_not(ipam_parse_addr("192.168.10", &a));
    cr_assert_not(ipam_parse_addr("", &a));
    cr_assert_not(ipam_parse_addr(NULL, &a));
    cr_assert_not(ipam_parse_addr_family("::1", 4, &a));

    char *s = ipam_normalize_addr("2001:0db8::0001");
    cr_assert_str_eq(s, "2001:db8::1");
    free(s);
    cr_assert_null(ipam_normalize_addr("nope"));
}

Test(ipam, cidr)
{
    struct ipam_prefix p;
    cr_assert_null(ipam_parse_cidr("10.0.0.0/8", true, &p));
    cr_assert_eq(p.plen, 8);
    cr_assert_null(ipam_parse_cidr("2001:db8::/64", true, &p));
    cr_assert_eq(p.addr.family, 6);

    static const char *const bad[] = {
        "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "/24", "10.0.0.0/2x",
        "10.0.0.0/-1", "2001:db8::/129", "x/24", "10.0.0.0/0024", "",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *error = ipam_parse_cidr(bad[i], false, &p);
        cr_assert_not_null(error, "'%s' accepted", bad[i]);
        free(error);
    }

    /* Host bits: Neutron suggests the network address. */
    char *error = ipam_parse_cidr("192.168.10.5/24", true, &p);
    cr_assert_not_null(error);
    cr_assert(strstr(error, "192.168.10.0/24"), "%s", error);
    free(error);
    cr_assert_null(ipam_parse_cidr("192.168.10.5/24", false, &p));
    cr_assert(ipam_prefix_has_host_bits(&p));
}

Test(ipam, contains_and_overlaps)
{
    struct ipam_prefix a = prefix("10.0.0.0/8");
    struct ipam_prefix b = prefix("10.1.0.0/16");
    struct ipam_prefix c = prefix("11.0.0.0/8");
    struct ipam_prefix d = prefix("2001:db8::/32");

    cr_assert(ipam_prefix_overlaps(&a, &b));
    cr_assert(ipam_prefix_overlaps(&b, &a));
    cr_assert_not(ipam_prefix_overlaps(&a, &c));
    cr_assert_not(ipam_prefix_overlaps(&a, &d));

    struct ipam_addr x = addr("10.255.255.255");
    cr_assert(ipam_prefix_contains(&a, &x));
    cr_assert_not(ipam_prefix_contains(&b, &x));
    cr_assert_not(ipam_prefix_contains(&d, &x));

    struct ipam_addr last = ipam_prefix_last(&b);
    assert_addr(&last, "10.1.255.255");
}

Test(ipam, hosts_and_gateway)
{
    struct ipam_prefix p = prefix("192.168.10.0/24");
    struct ipam_range r;
    cr_assert(ipam_host_range(&p, &r));
    assert_addr(&r.start, "192.168.10.1");
    assert_addr(&r.end, "192.168.10.254");

    struct ipam_addr gw;
    cr_assert(ipam_default_gateway(&p, &gw));
    assert_addr(&gw, "192.168.10.1");

    struct ipam_addr net = addr("192.168.10.0");
    struct ipam_addr bcast = addr("192.168.10.255");
    cr_assert_not(ipam_is_host(&p, &net));
    cr_assert_not(ipam_is_host(&p, &bcast));
    cr_assert(ipam_is_host(&p, &gw));

    /* IPv6: the last address is a host; ::0 is not. */
    struct ipam_prefix v6 = prefix("2001:db8::/64");
    cr_assert(ipam_host_range(&v6, &r));
    assert_addr(&r.start, "2001:db8::1");
    assert_addr(&r.end, "2001:db8::ffff:ffff:ffff:ffff");

    /* /31 and /32 have hosts but /32 is its only one. */
    struct ipam_prefix p31 = prefix("10.0.0.0/31");
    cr_assert(ipam_host_range(&p31, &r));
    assert_addr(&r.start, "10.0.0.0");
    assert_addr(&r.end, "10.0.0.1");
}

Test(ipam, default_pools)
{
    struct ipam_prefix p = prefix("192.168.10.0/24");
    struct ipam_range pools[2];
    struct ipam_addr gw = addr("192.168.10.1");

    cr_assert_eq(ipam_default_pools(&p, &gw, pools), 1);
    assert_addr(&pools[0].start, "192.168.10.2");
    assert_addr(&pools[0].end, "192.168.10.254");

    /* A gateway in the middle splits the pool. */
    gw = addr("192.168.10.100");
    cr_assert_eq(ipam_default_pools(&p, &gw, pools), 2);
    assert_addr(&pools[0].end, "192.168.10.99");
    assert_addr(&pools[1].start, "192.168.10.101");

    /* No gateway: every host. */
    cr_assert_eq(ipam_default_pools(&p, NULL, pools), 1);
    assert_addr(&pools[0].start, "192.168.10.1");

    /* The last host as gateway. */
    gw = addr("192.168.10.254");
    cr_assert_eq(ipam_default_pools(&p, &gw, pools), 1);
    assert_addr(&pools[0].end, "192.168.10.253");
}

static char *
check_pools(const char *cidr, const char *gw_s, const char *spec)
{
    struct ipam_prefix p = prefix(cidr);
    struct ipam_range pools[4];
    size_t n = 0;
    char *copy = xstrdup(spec), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(tok, '-');
        *dash = '\0';
        pools[n].start = addr(tok);
        pools[n].end = addr(dash + 1);
        n++;
    }
    free(copy);
    struct ipam_addr gw;
    if (gw_s) {
        gw = addr(gw_s);
    }
    return ipam_check_pools(&p, gw_s ? &gw : NULL, pools, n);
}

Test(ipam, pool_validation)
{
    char *e;
    cr_assert_null(check_pools("10.0.0.0/24", "10.0.0.1",
                               "10.0.0.2-10.0.0.100,10.0.0.150-10.0.0.254"));

    /* Outside the CIDR, or on the network/broadcast address. */
    e = check_pools("10.0.0.0/24", "10.0.0.1", "10.0.0.2-10.0.1.5");
    cr_assert(e && strstr(e, "spans beyond"), "%s", e);
    free(e);
    e = check_pools("10.0.0.0/24", NULL, "10.0.0.0-10.0.0.10");
    cr_assert_not_null(e);
    free(e);
    e = check_pools("10.0.0.0/24", NULL, "10.0.0.200-10.0.0.255");
    cr_assert_not_null(e);
    free(e);

    /* Reversed, overlapping, gateway inside, wrong family. */
    e = check_pools("10.0.0.0/24", NULL, "10.0.0.20-10.0.0.10");
    cr_assert(e && strstr(e, "start after"), "%s", e);
    free(e);
    e = check_pools("10.0.0.0/24", NULL,
                    "10.0.0.2-10.0.0.20,10.0.0.20-10.0.0.30");
    cr_assert(e && strstr(e, "overlapping"), "%s", e);
    free(e);
    e = check_pools("10.0.0.0/24", "10.0.0.5", "10.0.0.2-10.0.0.20");
    cr_assert(e && strstr(e, "gateway_ip"), "%s", e);
    free(e);
    e = check_pools("10.0.0.0/24", NULL, "2001:db8::1-2001:db8::5");
    cr_assert(e && strstr(e, "IP version"), "%s", e);
    free(e);
}

static bool
in_set(const struct ipam_addr *a, void *set_)
{
    struct sset *set = set_;
    char buf[IPAM_ADDR_STRLEN];
    ipam_format_addr(a, buf);
    return sset_contains(set, buf);
}

Test(ipam, find_free)
{
    struct ipam_range pools[2] = {
        { addr("10.0.0.2"), addr("10.0.0.3") },
        { addr("10.0.0.10"), addr("10.0.0.10") },
    };
    struct sset used = SSET_INITIALIZER(&used);
    struct ipam_addr out;

    cr_assert(ipam_find_free(pools, 2, in_set, &used, 0, &out));
    assert_addr(&out, "10.0.0.2");
    sset_add(&used, "10.0.0.2");
    sset_add(&used, "10.0.0.3");
    cr_assert(ipam_find_free(pools, 2, in_set, &used, 0, &out));
    assert_addr(&out, "10.0.0.10");
    sset_add(&used, "10.0.0.10");
    cr_assert_not(ipam_find_free(pools, 2, in_set, &used, 0, &out));

    /* The limit on tries. */
    sset_clear(&used);
    sset_add(&used, "10.0.0.2");
    cr_assert_not(ipam_find_free(pools, 2, in_set, &used, 1, &out));
    sset_destroy(&used);

    /* The end of the IPv6 space does not wrap around. */
    struct ipam_range top = { addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
                                   "fffe"),
                              addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
                                   "ffff") };
    struct sset all = SSET_INITIALIZER(&all);
    sset_add(&all, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
    sset_add(&all, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cr_assert_not(ipam_find_free(&top, 1, in_set, &all, 0, &out));
    sset_destroy(&all);
}

Test(ipam, mac)
{
    uint8_t mac[6];
    char buf[IPAM_MAC_STRLEN];

    cr_assert(ipam_parse_mac("FA:16:3E:00:AB:cd", mac));
    ipam_format_mac(mac, buf);
    cr_assert_str_eq(buf, "fa:16:3e:00:ab:cd");
    cr_assert_not(ipam_parse_mac("fa:16:3e:00:ab", mac));
    cr_assert_not(ipam_parse_mac("fa:16:3e:00:ab:cg", mac));
    cr_assert_not(ipam_parse_mac("fa:16:3e:00:ab:cd:", mac));
    cr_assert_not(ipam_parse_mac(NULL, mac));

    char *e = ipam_check_port_mac("01:00:5e:00:00:01");
    cr_assert(e && strstr(e, "unicast"), "%s", e);
    free(e);
    e = ipam_check_port_mac("00:00:00:00:00:00");
    cr_assert_not_null(e);
    free(e);
    cr_assert_null(ipam_check_port_mac("fa:16:3e:12:34:56"));

    ipam_neutron_mac(0x00abcdef, buf);
    cr_assert_str_eq(buf, "fa:16:3e:ab:cd:ef");
}

/* Issue 18: SLAAC addresses as Neutron's
 * ipv6_utils.get_ipv6_addr_by_EUI64(cidr, mac) computes them. */
Test(ipam, eui64)
{
    struct ipam_prefix p = prefix("2001:db8:1:2::/64");
    uint8_t mac[6] = { 0xfa, 0x16, 0x3e, 0x12, 0x34, 0x56 };
    struct ipam_addr a;
    char buf[IPAM_ADDR_STRLEN];

    ipam_eui64(&p, mac, &a);
    ipam_format_addr(&a, buf);
    cr_assert_str_eq(buf, "2001:db8:1:2:f816:3eff:fe12:3456");

    /* A locally administered MAC loses the bit, a universal one gains
     * it. */
    uint8_t mac2[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 };
    ipam_eui64(&p, mac2, &a);
    ipam_format_addr(&a, buf);
    cr_assert_str_eq(buf, "2001:db8:1:2:200:5eff:fe00:5301");
}

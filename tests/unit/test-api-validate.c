/*
 * Unit tests of api/validate and api/query: request bodies against
 * attribute specs, the structured values (routes, pools, fixed IPs,
 * address pairs), security group protocols and port ranges, and list
 * filters and field selection.
 */

#include <config.h>

#include "api/json-compat.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "api/core.h"
#include "api/query.h"
#include "api/validate.h"

static const char *const colors[] = { "red", "green", NULL };

static const struct attr_spec specs[] = {
    { "name", ATTR_STRING, ATTR_POST | ATTR_PUT, 0, 10, NULL, NULL },
    { "id", ATTR_UUID, ATTR_POST | ATTR_REQUIRED, 0, 0, NULL, NULL },
    { "up", ATTR_BOOL, ATTR_POST | ATTR_PUT, 0, 0, NULL, NULL },
    { "mtu", ATTR_INT, ATTR_POST | ATTR_PUT, 68, 9000, NULL, NULL },
    { "mac", ATTR_MAC, ATTR_POST, 0, 0, NULL, NULL },
    { "ip", ATTR_IP, ATTR_POST | ATTR_NULLABLE, 0, 0, NULL, NULL },
    { "color", ATTR_ENUM, ATTR_POST, 0, 0, colors, NULL },
    { "list", ATTR_LIST, ATTR_POST, 0, 0, NULL,
      validate_check_list_of_strings },
    { "ro", ATTR_STRING, 0, 0, 0, NULL, NULL },
};

static char *
check(const char *body, enum validate_op op)
{
    json_error_t jerror;
    json_t *obj = json_loads(body, 0, &jerror);
    cr_assert_not_null(obj, "%s: %s", body, jerror.text);
    char *error = validate_body(specs, ARRAY_SIZE(specs), obj, op);
    json_decref(obj);
    return error;
}

static void
assert_ok(const char *body, enum validate_op op)
{
    char *error = check(body, op);
    cr_assert_null(error, "%s: %s", body, error);
}

static void
assert_error(const char *body, enum validate_op op, const char *substr)
{
    char *error = check(body, op);
    cr_assert_not_null(error, "%s accepted", body);
    cr_assert(strstr(error, substr), "%s: '%s' lacks '%s'", body, error,
              substr);
    free(error);
}

#define ID "\"id\": \"6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0a1\""

Test(validate, body)
{
    assert_ok("{" ID "}", VALIDATE_CREATE);
    assert_ok("{" ID ", \"name\": \"x\", \"up\": \"True\", \"mtu\": \"1500\","
              " \"mac\": \"FA:16:3e:00:00:01\", \"ip\": null,"
              " \"color\": \"red\", \"list\": [\"a\"]}", VALIDATE_CREATE);
    assert_ok("{\"name\": \"y\", \"up\": false}", VALIDATE_UPDATE);

    assert_error("{}", VALIDATE_CREATE, "Required attribute 'id'");
    assert_error("{" ID ", \"bogus\": 1, \"other\": 2}", VALIDATE_CREATE,
                 "Unrecognized attribute(s) 'bogus', 'other'");
    assert_error("{" ID ", \"ro\": \"x\"}", VALIDATE_CREATE,
                 "'ro' not allowed in POST");
    assert_error("{\"id\": \"6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0a1\"}",
                 VALIDATE_UPDATE, "read-only attribute id");
    assert_error("{\"id\": \"not-a-uuid\"}", VALIDATE_CREATE,
                 "Invalid input for id");
    assert_error("{" ID ", \"name\": \"01234567890\"}", VALIDATE_CREATE,
                 "exceeds maximum length");
    assert_error("{" ID ", \"name\": 5}", VALIDATE_CREATE,
                 "Invalid input for name");
    assert_error("{" ID ", \"up\": \"maybe\"}", VALIDATE_CREATE,
                 "valid boolean");
    assert_error("{" ID ", \"up\": null}", VALIDATE_CREATE, "'None'");
    assert_error("{" ID ", \"mtu\": 67}", VALIDATE_CREATE, "not in the range");
    assert_error("{" ID ", \"mtu\": 1.5}", VALIDATE_CREATE, "not an integer");
    assert_error("{" ID ", \"mtu\": \"12a\"}", VALIDATE_CREATE,
                 "not an integer");
    assert_error("{" ID ", \"mac\": \"01:00:5e:00:00:01\"}", VALIDATE_CREATE,
                 "unicast");
    assert_error("{" ID ", \"ip\": \"10.0.0.300\"}", VALIDATE_CREATE,
                 "valid IP address");
    assert_error("{" ID ", \"color\": \"blue\"}", VALIDATE_CREATE,
                 "valid value");
    assert_error("{" ID ", \"list\": [1]}", VALIDATE_CREATE,
                 "Invalid input for list");
    assert_error("{" ID ", \"list\": {}}", VALIDATE_CREATE, "a list");
}

Test(validate, uuid)
{
    cr_assert(validate_is_uuid("6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0a1"));
    cr_assert(validate_is_uuid("6C4A1F64-2BD0-4C29-9E3A-6FD5E2F4F0A1"));
    cr_assert_not(validate_is_uuid("6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0a"));
    cr_assert_not(validate_is_uuid("6c4a1f642bd04c299e3a6fd5e2f4f0a1abcd"));
    cr_assert_not(validate_is_uuid("6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0ag"));
    cr_assert_not(validate_is_uuid(""));
    cr_assert_not(validate_is_uuid(NULL));
}

static json_t *
parse(const char *s)
{
    json_error_t jerror;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &jerror);
    cr_assert_not_null(v, "%s: %s", s, jerror.text);
    return v;
}

Test(validate, routes)
{
    struct validate_route *routes;
    size_t n;
    json_t *v = parse("[{\"destination\": \"10.1.0.0/16\", "
                      "\"nexthop\": \"192.168.10.5\"}]");
    cr_assert_null(validate_routes("routes", v, 0, &routes, &n));
    cr_assert_eq(n, 1);
    cr_assert_eq(routes[0].destination.plen, 16);
    free(routes);
    json_decref(v);

    static const char *const bad[] = {
        "[{\"destination\": \"10.1.0.0/16\"}]",
        "[{\"destination\": \"10.1.0.5/16\", \"nexthop\": \"10.0.0.1\"}]",
        "[{\"destination\": \"10.1.0.0/16\", \"nexthop\": \"::1\"}]",
        "[{\"destination\": \"10.1.0.0/16\", \"nexthop\": \"10.0.0.1\","
        " \"x\": 1}]",
        "[{\"destination\": \"10.1.0.0/16\", \"nexthop\": \"10.0.0.1\"},"
        " {\"destination\": \"10.1.0.0/16\", \"nexthop\": \"10.0.0.2\"}]",
        "[\"10.1.0.0/16\"]",
        "{}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        v = parse(bad[i]);
        char *error = validate_routes("routes", v, 0, &routes, &n);
        cr_assert_not_null(error, "%s accepted", bad[i]);
        cr_assert(strstr(error, "routes"), "%s", error);
        free(error);
        json_decref(v);
    }
}

Test(validate, pools_nameservers)
{
    struct ipam_range *pools;
    size_t n;
    json_t *v = parse("[{\"start\": \"10.0.0.2\", \"end\": \"10.0.0.9\"}]");
    cr_assert_null(validate_pools("allocation_pools", v, 4, &pools, &n));
    cr_assert_eq(n, 1);
    free(pools);
    json_decref(v);

    v = parse("[{\"start\": \"10.0.0.2\"}]");
    char *e = validate_pools("allocation_pools", v, 4, &pools, &n);
    cr_assert_not_null(e);
    free(e);
    json_decref(v);

    v = parse("[{\"start\": \"::2\", \"end\": \"::9\"}]");
    e = validate_pools("allocation_pools", v, 4, &pools, &n);
    cr_assert(e && strstr(e, "IPv4"), "%s", e);
    free(e);
    json_decref(v);

    struct ipam_addr *addrs;
    v = parse("[\"8.8.8.8\", \"1.1.1.1\"]");
    cr_assert_null(validate_nameservers("dns_nameservers", v, 4, &addrs,
                                        &n));
    cr_assert_eq(n, 2);
    free(addrs);
    json_decref(v);
    v = parse("[\"8.8.8.8\", \"8.8.8.8\"]");
    e = validate_nameservers("dns_nameservers", v, 4, &addrs, &n);
    cr_assert(e && strstr(e, "duplicate"), "%s", e);
    free(e);
    json_decref(v);
}

Test(validate, fixed_ips_and_pairs)
{
    struct validate_fixed_ip *fips;
    size_t n;
    json_t *v = parse("[{\"subnet_id\": "
                      "\"6c4a1f64-2bd0-4c29-9e3a-6fd5e2f4f0a1\"}, "
                      "{\"ip_address\": \"10.0.0.5\"}]");
    cr_assert_null(validate_fixed_ips("fixed_ips", v, &fips, &n));
    cr_assert_eq(n, 2);
    cr_assert_not(fips[0].has_ip);
    cr_assert(fips[1].has_ip);
    free(fips);
    json_decref(v);

    static const char *const bad[] = {
        "[{}]", "[{\"subnet_id\": \"x\"}]", "[{\"ip_address\": \"1.2.3\"}]",
        "[{\"ip_address\": \"10.0.0.5\"}, {\"ip_address\": \"10.0.0.5\"}]",
        "[{\"ip\": \"10.0.0.5\"}]", "[5]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        v = parse(bad[i]);
        char *e = validate_fixed_ips("fixed_ips", v, &fips, &n);
        cr_assert_not_null(e, "%s accepted", bad[i]);
        free(e);
        json_decref(v);
    }

    struct validate_address_pair *pairs;
    v = parse("[{\"ip_address\": \"10.0.0.0/24\"}, "
              "{\"ip_address\": \"10.1.0.1\", \"mac_address\": "
              "\"fa:16:3e:00:00:01\"}]");
    cr_assert_null(validate_address_pairs("allowed_address_pairs", v,
                                          &pairs, &n));
    cr_assert_eq(n, 2);
    cr_assert_not(pairs[0].is_host);
    cr_assert(pairs[1].is_host);
    cr_assert_str_eq(pairs[1].mac, "fa:16:3e:00:00:01");
    free(pairs);
    json_decref(v);

    v = parse("[{\"ip_address\": \"10.1.0.1\", \"mac_address\": \"zz\"}]");
    char *e = validate_address_pairs("allowed_address_pairs", v, &pairs, &n);
    cr_assert_not_null(e);
    free(e);
    json_decref(v);
}

static char *
protocol(const char *json, const char *ethertype, char **out)
{
    json_t *v = parse(json);
    char *e = validate_protocol(v, ethertype, out);
    json_decref(v);
    return e;
}

Test(validate, protocols)
{
    char *p, *e;
    cr_assert_null(protocol("\"TCP\"", "IPv4", &p));
    cr_assert_str_eq(p, "tcp");
    free(p);
    cr_assert_null(protocol("6", "IPv4", &p));
    cr_assert_str_eq(p, "6");
    free(p);
    cr_assert_null(protocol("\"any\"", "IPv4", &p));
    cr_assert_null(p);
    cr_assert_null(protocol("null", "IPv4", &p));
    cr_assert_null(p);
    cr_assert_null(protocol("\"icmp\"", "IPv6", &p));
    cr_assert_str_eq(p, "ipv6-icmp");
    free(p);

    e = protocol("\"foo\"", "IPv4", &p);
    cr_assert(e && strstr(e, "not supported"), "%s", e);
    free(e);
    e = protocol("256", "IPv4", &p);
    cr_assert_not_null(e);
    free(e);
    e = protocol("\"ipv6-icmp\"", "IPv4", &p);
    cr_assert(e && strstr(e, "IPv4"), "%s", e);
    free(e);
    e = protocol("[]", "IPv4", &p);
    cr_assert_not_null(e);
    free(e);
}

static char *
range(const char *proto, const char *min, const char *max)
{
    json_t *jmin = min ? parse(min) : NULL;
    json_t *jmax = max ? parse(max) : NULL;
    int64_t a, b;
    char *e = validate_port_range(proto, jmin, jmax, &a, &b);
    json_decref(jmin);
    json_decref(jmax);
    return e;
}

Test(validate, port_ranges)
{
    cr_assert_null(range("tcp", "80", "80"));
    cr_assert_null(range("udp", "1", "65535"));
    cr_assert_null(range(NULL, NULL, NULL));
    cr_assert_null(range("icmp", "8", "0"));
    cr_assert_null(range("icmp", "8", NULL));

    struct {
        const char *proto, *min, *max, *msg;
    } bad[] = {
        { "tcp", "90", "80", "port_range_min must be <=" },
        { "tcp", "0", "80", "port 0" },
        { "tcp", "80", NULL, "port_range_min must be <=" },
        { "tcp", "80", "65536", "port_range_max" },
        { "tcp", "-1", "80", "port_range_min" },
        { NULL, "80", "80", "specify protocol" },
        { "icmp", "256", NULL, "ICMP type" },
        { "icmp", NULL, "0", "ICMP type (port_range_min) is missing" },
        { "gre", "1", "2", "Invalid protocol gre" },
        { "tcp", "\"x\"", "80", "port_range_min" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *e = range(bad[i].proto, bad[i].min, bad[i].max);
        cr_assert(e && strstr(e, bad[i].msg), "%zu: %s", i, e);
        free(e);
    }
}

static struct api_query
query(const char *const *pairs, size_t n)
{
    struct api_param params[8];
    for (size_t i = 0; i < n; i++) {
        params[i].name = CONST_CAST(char *, pairs[2 * i]);
        params[i].value = CONST_CAST(char *, pairs[2 * i + 1]);
    }
    struct api_query q;
    char *e = api_query_parse(&q, params, n);
    cr_assert_null(e);
    return q;
}

Test(query, filters_and_fields)
{
    json_t *port = parse("{\"id\": \"a\", \"name\": \"vm1\", \"up\": true, "
                         "\"mtu\": 1450, \"groups\": [\"g1\", \"g2\"], "
                         "\"fixed_ips\": [{\"subnet_id\": \"s1\", "
                         "\"ip_address\": \"10.0.0.5\"}]}");
    static const char *const match[][4] = {
        { "name", "vm1", NULL, NULL },
        { "name", "other", "name", "vm1" },
        { "up", "True", NULL, NULL },
        { "mtu", "1450", NULL, NULL },
        { "groups", "g2", NULL, NULL },
        { "fixed_ips", "ip_address=10.0.0.5", NULL, NULL },
        { "fixed_ips", "subnet_id=s1", NULL, NULL },
        { "unknown", "x", NULL, NULL },
        { "limit", "1", "sort_key", "name" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(match); i++) {
        struct api_query q = query(match[i], match[i][2] ? 2 : 1);
        cr_assert(api_query_match(&q, port), "case %zu", i);
        api_query_destroy(&q);
    }
    static const char *const nomatch[][4] = {
        { "name", "vm2", NULL, NULL },
        { "up", "false", NULL, NULL },
        { "mtu", "1500", NULL, NULL },
        { "groups", "g3", NULL, NULL },
        { "fixed_ips", "ip_address=10.0.0.6", NULL, NULL },
        { "name", "vm1", "mtu", "9000" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(nomatch); i++) {
        struct api_query q = query(nomatch[i], nomatch[i][2] ? 2 : 1);
        cr_assert_not(api_query_match(&q, port), "case %zu", i);
        api_query_destroy(&q);
    }

    static const char *const fields[] = { "fields", "id", "fields", "mtu" };
    struct api_query q = query(fields, 2);
    json_t *sel = api_query_select(&q, json_incref(port));
    cr_assert_eq(json_object_size(sel), 2);
    cr_assert_not_null(json_object_get(sel, "mtu"));
    json_decref(sel);
    api_query_destroy(&q);

    /* openstacksdk sends a Python list. */
    static const char *const pylist[] = { "fields", "['id', 'name']" };
    q = query(pylist, 1);
    sel = api_query_select(&q, json_incref(port));
    cr_assert_eq(json_object_size(sel), 2);
    cr_assert_not_null(json_object_get(sel, "name"));
    json_decref(sel);
    api_query_destroy(&q);
    json_decref(port);
}

/*
 * api/validate: Neutron's input validation.  See validate.h.
 */

#include <config.h>

#include "api/json-compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "api/validate.h"

/* Short text of a JSON value for messages (at most ~64 bytes). */
static char *
value_text(const json_t *v)
{
    char *s;
    if (json_is_string(v)) {
        s = xstrdup(json_string_value(v));
    } else {
        s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s) {
            return xstrdup("?");
        }
        char *copy = xstrdup(s);
        free(s);
        s = copy;
    }
    if (strlen(s) > 64) {
        strcpy(s + 60, "...");
    }
    return s;
}

static char *
invalid(const char *attr, const char *fmt, ...)
    OVS_PRINTF_FORMAT(2, 3);

static char *
invalid(const char *attr, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *reason = xvasprintf(fmt, args);
    va_end(args);
    char *msg = xasprintf("Invalid input for %s. Reason: %s.", attr, reason);
    free(reason);
    return msg;
}

static char *
invalid_value(const char *attr, const json_t *v, const char *what)
{
    char *text = value_text(v);
    char *msg = invalid(attr, "'%s' is not %s", text, what);
    free(text);
    return msg;
}

bool
validate_get_bool(const json_t *v, bool *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    } else if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i == 0 || i == 1) {
            *out = i;
            return true;
        }
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strcasecmp(s, "true") || !strcmp(s, "1")) {
            *out = true;
            return true;
        } else if (!strcasecmp(s, "false") || !strcmp(s, "0")) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool
validate_get_int(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        const char *p = s + (*s == '-');
        if (!*p || strlen(p) > 18) {
            return false;
        }
        for (; *p; p++) {
            if (!isdigit((unsigned char) *p)) {
                return false;
            }
        }
        *out = strtoll(s, NULL, 10);
        return true;
    }
    return false;
}

bool
validate_is_uuid(const char *s)
{
    static const int dash[] = { 8, 13, 18, 23 };
    if (!s || strlen(s) != 36) {
        return false;
    }
    for (int i = 0, d = 0; i < 36; i++) {
        if (d < 4 && i == dash[d]) {
            if (s[i] != '-') {
                return false;
            }
            d++;
        } else if (!isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

const struct attr_spec *
validate_find_spec(const struct attr_spec *specs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(specs[i].name, name)) {
            return &specs[i];
        }
    }
    return NULL;
}

/* Validates one attribute value against its spec. */
char *
validate_value(const struct attr_spec *spec, const json_t *v)
{
    const char *attr = spec->name;
    int64_t i;
    bool b;

    if (json_is_null(v)) {
        return (spec->flags & ATTR_NULLABLE
                ? NULL
                : invalid(attr, "'None' is not an accepted value"));
    }

    switch (spec->type) {
    case ATTR_STRING: {
        int64_t max = spec->max ? spec->max : 255;
        if (!json_is_string(v)) {
            return invalid_value(attr, v, "a valid string");
        }
        if (json_string_length(v) > (size_t) max) {
            return invalid(attr, "'%.40s...' exceeds maximum length of "
                           "%"PRId64, json_string_value(v), max);
        }
        break;
    }
    case ATTR_BOOL:
        if (!validate_get_bool(v, &b)) {
            return invalid_value(attr, v, "a valid boolean value");
        }
        break;
    case ATTR_INT:
        if (!validate_get_int(v, &i)) {
            return invalid_value(attr, v, "an integer");
        }
        if (i < spec->min || i > spec->max) {
            return invalid(attr, "%"PRId64" is not in the range "
                           "%"PRId64"..%"PRId64, i, spec->min, spec->max);
        }
        break;
    case ATTR_UUID:
        if (!json_is_string(v) || !validate_is_uuid(json_string_value(v))) {
            return invalid_value(attr, v, "a valid UUID");
        }
        break;
    case ATTR_MAC: {
        if (!json_is_string(v)) {
            return invalid_value(attr, v, "a valid MAC address");
        }
        char *error = ipam_check_port_mac(json_string_value(v));
        if (error) {
            char *msg = invalid(attr, "%s", error);
            free(error);
            return msg;
        }
        break;
    }
    case ATTR_IP: {
        struct ipam_addr addr;
        return validate_ip(attr, v, 0, &addr);
    }
    case ATTR_CIDR: {
        struct ipam_prefix prefix;
        return validate_cidr(attr, v, 0, false, &prefix);
    }
    case ATTR_ENUM:
        if (json_is_string(v)) {
            for (const char *const *p = spec->values; *p; p++) {
                if (!strcmp(*p, json_string_value(v))) {
                    goto check;
                }
            }
        }
        return invalid_value(attr, v, "a valid value");
    case ATTR_LIST:
        if (!json_is_array(v)) {
            return invalid_value(attr, v, "a list");
        }
        break;
    case ATTR_DICT:
        if (!json_is_object(v)) {
            return invalid_value(attr, v, "a dictionary");
        }
        break;
    case ATTR_ANY:
        break;
    }

check:
    if (spec->check) {
        char *reason = spec->check(v);
        if (reason) {
            char *msg = invalid(attr, "%s", reason);
            free(reason);
            return msg;
        }
    }
    return NULL;
}

/* Validates request body 'obj' (the object inside {"network": ...}) for a
 * create or an update of a resource with the given attribute specs. */
char *
validate_body(const struct attr_spec *specs, size_t n, const json_t *obj,
              enum validate_op op)
{
    if (!json_is_object(obj)) {
        return xstrdup("Invalid input: the resource body must be a JSON "
                       "object");
    }

    /* Unknown attributes first, all named at once, as Neutron does. */
    struct ds {
        char *s;
    } unknown = { NULL };
    const char *key;
    json_t *value;
    json_object_foreach (CONST_CAST(json_t *, obj), key, value) {
        if (!validate_find_spec(specs, n, key)) {
            char *prev = unknown.s;
            unknown.s = (prev
                         ? xasprintf("%s, '%.64s'", prev, key)
                         : xasprintf("'%.64s'", key));
            free(prev);
        }
    }
    if (unknown.s) {
        char *msg = xasprintf("Unrecognized attribute(s) %s", unknown.s);
        free(unknown.s);
        return msg;
    }

    json_object_foreach (CONST_CAST(json_t *, obj), key, value) {
        const struct attr_spec *spec = validate_find_spec(specs, n, key);
        if (op == VALIDATE_CREATE && !(spec->flags & ATTR_POST)) {
            return xasprintf("Attribute '%s' not allowed in POST", key);
        }
        if (op == VALIDATE_UPDATE && !(spec->flags & ATTR_PUT)) {
            return xasprintf("Cannot update read-only attribute %s", key);
        }
        char *error = validate_value(spec, value);
        if (error) {
            return error;
        }
    }

    if (op == VALIDATE_CREATE) {
        for (size_t i = 0; i < n; i++) {
            if (specs[i].flags & ATTR_REQUIRED
                && !json_object_get(obj, specs[i].name)) {
                return xasprintf("Failed to parse request. Required "
                                 "attribute '%s' not specified",
                                 specs[i].name);
            }
        }
    }
    return NULL;
}

/* Parses address 'v' for attribute 'attr'; 'family' 4 or 6 restricts it,
 * 0 accepts both. */
char *
validate_ip(const char *attr, const json_t *v, int family,
            struct ipam_addr *addr)
{
    if (!json_is_string(v) || !ipam_parse_addr(json_string_value(v), addr)) {
        return invalid_value(attr, v, "a valid IP address");
    }
    if (family && addr->family != family) {
        return invalid(attr, "'%s' is not an IPv%d address",
                       json_string_value(v), family);
    }
    return NULL;
}

char *
validate_cidr(const char *attr, const json_t *v, int family, bool strict,
              struct ipam_prefix *prefix)
{
    if (!json_is_string(v)) {
        return invalid_value(attr, v, "a valid IP subnet");
    }
    char *error = ipam_parse_cidr(json_string_value(v), strict, prefix);
    if (error) {
        char *msg = invalid(attr, "%s", error);
        free(error);
        return msg;
    }
    if (family && prefix->addr.family != family) {
        return invalid(attr, "'%s' is not an IPv%d subnet",
                       json_string_value(v), family);
    }
    return NULL;
}

/* Accepts "ADDR" (as a full-length prefix) or "ADDR/PLEN". */
char *
validate_ip_or_cidr(const char *attr, const json_t *v,
                    struct ipam_prefix *prefix)
{
    if (json_is_string(v) && !strchr(json_string_value(v), '/')) {
        char *error = validate_ip(attr, v, 0, &prefix->addr);
        if (!error) {
            prefix->plen = ipam_family_bits(prefix->addr.family);
        }
        return error;
    }
    return validate_cidr(attr, v, 0, false, prefix);
}

/* Checks that 'v' is an array of objects each with exactly the keys in
 * 'required' and optionally those in 'optional'. */
static char *
check_object_list(const char *attr, const json_t *v,
                  const char *const *required, const char *const *optional)
{
    if (!json_is_array(v)) {
        return invalid_value(attr, v, "a list");
    }
    if (json_array_size(v) > 1024) {
        return invalid(attr, "too many entries (%zu)", json_array_size(v));
    }
    size_t idx;
    json_t *item;
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        if (!json_is_object(item)) {
            return invalid_value(attr, item, "a dictionary");
        }
        const char *key;
        json_t *value;
        json_object_foreach (item, key, value) {
            bool known = false;
            for (const char *const *p = required; p && *p; p++) {
                known |= !strcmp(*p, key);
            }
            for (const char *const *p = optional; p && *p; p++) {
                known |= !strcmp(*p, key);
            }
            if (!known) {
                return invalid(attr, "unexpected key '%.64s' in entry %zu",
                               key, idx);
            }
        }
        for (const char *const *p = required; p && *p; p++) {
            if (!json_object_get(item, *p)) {
                return invalid(attr, "entry %zu lacks '%s'", idx, *p);
            }
        }
    }
    return NULL;
}

char *
validate_routes(const char *attr, const json_t *v, int family,
                struct validate_route **out, size_t *n)
{
    static const char *const keys[] = { "destination", "nexthop", NULL };
    char *error = check_object_list(attr, v, keys, NULL);
    if (error) {
        return error;
    }

    size_t idx;
    json_t *item;
    *n = json_array_size(v);
    *out = xcalloc(*n ? *n : 1, sizeof **out);
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        struct validate_route *r = &(*out)[idx];
        error = validate_cidr(attr, json_object_get(item, "destination"),
                              family, true, &r->destination);
        if (!error) {
            error = validate_ip(attr, json_object_get(item, "nexthop"),
                                r->destination.addr.family, &r->nexthop);
        }
        for (size_t j = 0; !error && j < idx; j++) {
            if (ipam_addr_equals(&(*out)[j].destination.addr,
                                 &r->destination.addr)
                && (*out)[j].destination.plen == r->destination.plen) {
                char buf[IPAM_PREFIX_STRLEN];
                ipam_format_prefix(&r->destination, buf);
                error = invalid(attr, "duplicate destination %s", buf);
            }
        }
        if (error) {
            free(*out);
            *out = NULL;
            *n = 0;
            return error;
        }
    }
    return NULL;
}

char *
validate_pools(const char *attr, const json_t *v, int family,
               struct ipam_range **out, size_t *n)
{
    static const char *const keys[] = { "start", "end", NULL };
    char *error = check_object_list(attr, v, keys, NULL);
    if (error) {
        return error;
    }

    size_t idx;
    json_t *item;
    *n = json_array_size(v);
    *out = xcalloc(*n ? *n : 1, sizeof **out);
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        struct ipam_range *r = &(*out)[idx];
        error = validate_ip(attr, json_object_get(item, "start"), family,
                            &r->start);
        if (!error) {
            error = validate_ip(attr, json_object_get(item, "end"),
                                r->start.family, &r->end);
        }
        if (error) {
            free(*out);
            *out = NULL;
            *n = 0;
            return error;
        }
    }
    return NULL;
}

char *
validate_nameservers(const char *attr, const json_t *v, int family,
                     struct ipam_addr **out, size_t *n)
{
    if (!json_is_array(v)) {
        return invalid_value(attr, v, "a list");
    }
    if (json_array_size(v) > 64) {
        return invalid(attr, "too many entries (%zu)", json_array_size(v));
    }

    size_t idx;
    json_t *item;
    *n = json_array_size(v);
    *out = xcalloc(*n ? *n : 1, sizeof **out);
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        char *error = validate_ip(attr, item, family, &(*out)[idx]);
        for (size_t j = 0; !error && j < idx; j++) {
            if (ipam_addr_equals(&(*out)[j], &(*out)[idx])) {
                error = invalid(attr, "duplicate nameserver '%s'",
                                json_string_value(item));
            }
        }
        if (error) {
            free(*out);
            *out = NULL;
            *n = 0;
            return error;
        }
    }
    return NULL;
}

char *
validate_fixed_ips(const char *attr, const json_t *v,
                   struct validate_fixed_ip **out, size_t *n)
{
    static const char *const keys[] = { "subnet_id", "ip_address", NULL };
    char *error = check_object_list(attr, v, NULL, keys);
    if (error) {
        return error;
    }

    size_t idx;
    json_t *item;
    *n = json_array_size(v);
    *out = xcalloc(*n ? *n : 1, sizeof **out);
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        struct validate_fixed_ip *f = &(*out)[idx];
        const json_t *subnet = json_object_get(item, "subnet_id");
        const json_t *ip = json_object_get(item, "ip_address");
        if (!subnet && !ip) {
            error = invalid(attr, "entry %zu has neither subnet_id nor "
                            "ip_address", idx);
        } else if (subnet && (!json_is_string(subnet)
                              || !validate_is_uuid(
                                  json_string_value(subnet)))) {
            error = invalid_value(attr, subnet, "a valid UUID");
        } else if (ip) {
            error = validate_ip(attr, ip, 0, &f->ip);
            f->has_ip = !error;
        }
        f->subnet_id = subnet ? json_string_value(subnet) : NULL;
        for (size_t j = 0; !error && j < idx; j++) {
            if (f->has_ip && (*out)[j].has_ip
                && ipam_addr_equals(&f->ip, &(*out)[j].ip)) {
                error = invalid(attr, "duplicate IP address '%s'",
                                json_string_value(ip));
            }
        }
        if (error) {
            free(*out);
            *out = NULL;
            *n = 0;
            return error;
        }
    }
    return NULL;
}

char *
validate_address_pairs(const char *attr, const json_t *v,
                       struct validate_address_pair **out, size_t *n)
{
    static const char *const required[] = { "ip_address", NULL };
    static const char *const optional[] = { "mac_address", NULL };
    char *error = check_object_list(attr, v, required, optional);
    if (error) {
        return error;
    }

    size_t idx;
    json_t *item;
    *n = json_array_size(v);
    *out = xcalloc(*n ? *n : 1, sizeof **out);
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        struct validate_address_pair *p = &(*out)[idx];
        const json_t *ip = json_object_get(item, "ip_address");
        const json_t *mac = json_object_get(item, "mac_address");

        error = validate_ip_or_cidr(attr, ip, &p->ip);
        if (!error) {
            p->is_host = p->ip.plen == ipam_family_bits(p->ip.addr.family);
        }
        if (!error && mac && !json_is_null(mac)) {
            char *mac_error = (json_is_string(mac)
                               ? ipam_check_port_mac(json_string_value(mac))
                               : xstrdup("not a valid MAC address"));
            if (mac_error) {
                error = invalid(attr, "%s", mac_error);
                free(mac_error);
            } else {
                p->mac = json_string_value(mac);
            }
        }
        for (size_t j = 0; !error && j < idx; j++) {
            if (ipam_addr_equals(&(*out)[j].ip.addr, &p->ip.addr)
                && (*out)[j].ip.plen == p->ip.plen) {
                error = invalid(attr, "duplicate address pair '%s'",
                                json_string_value(ip));
            }
        }
        if (error) {
            free(*out);
            *out = NULL;
            *n = 0;
            return error;
        }
    }
    return NULL;
}

/* IP protocols by name, as Neutron knows them. */
static const struct {
    const char *name;
    int number;
} protocols[] = {
    { "ah", 51 }, { "dccp", 33 }, { "egp", 8 }, { "esp", 50 },
    { "gre", 47 }, { "hopopt", 0 }, { "icmp", 1 }, { "igmp", 2 },
    { "ip", 0 }, { "ipip", 4 }, { "ipv6-encap", 41 }, { "ipv6-frag", 44 },
    { "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "ipv6-nonxt", 59 },
    { "ipv6-opts", 60 }, { "ipv6-route", 43 }, { "ospf", 89 },
    { "pgm", 113 }, { "rsvp", 46 }, { "sctp", 132 }, { "tcp", 6 },
    { "udp", 17 }, { "udplite", 136 }, { "vrrp", 112 },
};

static int
protocol_number(const char *protocol)
{
    if (!protocol) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
        if (!strcmp(protocols[i].name, protocol)) {
            return protocols[i].number;
        }
    }
    int64_t n;
    json_t *s = json_string(protocol);
    bool ok = s && validate_get_int(s, &n) && n >= 0 && n <= 255;
    json_decref(s);
    return ok ? n : -1;
}

/* Validates a rule's 'protocol' (NULL/null, "any", a name, or a number 0 to
 * 255 as integer or string).  On success stores in '*out' the protocol to
 * keep (malloc'd), or NULL for any protocol. */
char *
validate_protocol(const json_t *v, const char *ethertype, char **out)
{
    *out = NULL;
    if (!v || json_is_null(v)
        || (json_is_string(v) && !strcmp(json_string_value(v), "any"))) {
        return NULL;
    }

    char *text;
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0 || n > 255) {
            return xasprintf("Security group rule protocol "
                             "%"JSON_INTEGER_FORMAT" not supported. Only "
                             "protocol values [%s] and "
                             "integer representations [0 to 255] are "
                             "supported.", n, "tcp, udp, icmp, ...");
        }
        text = xasprintf("%"JSON_INTEGER_FORMAT, n);
    } else if (json_is_string(v)) {
        text = xstrdup(json_string_value(v));
        for (char *p = text; *p; p++) {
            *p = tolower((unsigned char) *p);
        }
    } else {
        char *t = value_text(v);
        char *msg = xasprintf("Security group rule protocol %s not "
                              "supported.", t);
        free(t);
        return msg;
    }

    int number = protocol_number(text);
    if (number < 0) {
        char *msg = xasprintf("Security group rule protocol %.64s not "
                              "supported. Only protocol values [ah, dccp, "
                              "egp, esp, gre, icmp, icmpv6, igmp, ipip, "
                              "ipv6-icmp, ospf, pgm, rsvp, sctp, tcp, udp, "
                              "udplite, vrrp] and integer representations "
                              "[0 to 255] are supported.", text);
        free(text);
        return msg;
    }
    if (ethertype && !strcmp(ethertype, "IPv4")
        && (number == 58 || number == 43 || number == 44 || number == 59
            || number == 60)) {
        char *msg = xasprintf("Security group rule for ethertype 'IPv4' not "
                              "supported. Allowed ethertypes are IPv6 for "
                              "protocol %s", text);
        free(text);
        return msg;
    }
    if (ethertype && !strcmp(ethertype, "IPv6")
        && (!strcmp(text, "icmp") || !strcmp(text, "icmpv6"))) {
        /* Neutron stores ICMP for IPv6 as ipv6-icmp. */
        free(text);
        text = xstrdup("ipv6-icmp");
    }
    *out = text;
    return NULL;
}

bool
validate_protocol_has_ports(const char *protocol)
{
    int n = protocol_number(protocol);
    return n == 6 || n == 17 || n == 33 || n == 132 || n == 136;
}

bool
validate_protocol_is_icmp(const char *protocol)
{
    int n = protocol_number(protocol);
    return n == 1 || n == 58;
}

/* Neutron's port range rules for a security group rule with 'protocol'
 * (as returned by validate_protocol()).  'min' and 'max' are the request's
 * values, NULL or null if absent.  Stores -1 for an absent bound. */
char *
validate_port_range(const char *protocol, const json_t *min,
                    const json_t *max, int64_t *min_out, int64_t *max_out)
{
    *min_out = *max_out = -1;
    bool has_min = min && !json_is_null(min);
    bool has_max = max && !json_is_null(max);
    if (has_min && (!validate_get_int(min, min_out) || *min_out < 0
                    || *min_out > 65535)) {
        return invalid_value("port_range_min", min,
                             "a valid port number (0 to 65535)");
    }
    if (has_max && (!validate_get_int(max, max_out) || *max_out < 0
                    || *max_out > 65535)) {
        return invalid_value("port_range_max", max,
                             "a valid port number (0 to 65535)");
    }
    if (!has_min && !has_max) {
        return NULL;
    }
    if (!protocol) {
        return xstrdup("Must also specify protocol if port range is given.");
    }
    if (validate_protocol_has_ports(protocol)) {
        if (*min_out == 0 || *max_out == 0) {
            return xstrdup("Invalid value for port 0.");
        }
        if (has_min && has_max && *min_out <= *max_out) {
            return NULL;
        }
        return xstrdup("For TCP/UDP protocols, port_range_min must be <= "
                       "port_range_max");
    } else if (validate_protocol_is_icmp(protocol)) {
        if (has_min && *min_out > 255) {
            return xasprintf("Invalid value for ICMP type "
                             "(port_range_min): %"PRId64". It must be 0 to "
                             "255.", *min_out);
        }
        if (has_max && *max_out > 255) {
            return xasprintf("Invalid value for ICMP code "
                             "(port_range_max): %"PRId64". It must be 0 to "
                             "255.", *max_out);
        }
        if (!has_min && has_max) {
            return xasprintf("ICMP code (port_range_max) %"PRId64" is "
                             "provided but ICMP type (port_range_min) is "
                             "missing.", *max_out);
        }
        return NULL;
    }
    return xasprintf("Invalid protocol %s for port range, only supported "
                     "for TCP, UDP, UDPLITE, SCTP and DCCP.", protocol);
}

char *
validate_check_list_of_strings(const json_t *v)
{
    size_t idx;
    json_t *item;
    if (!json_is_array(v)) {
        return xstrdup("not a list");
    }
    json_array_foreach (CONST_CAST(json_t *, v), idx, item) {
        if (!json_is_string(item) || json_string_length(item) > 255) {
            return xasprintf("entry %zu is not a valid string", idx);
        }
    }
    return NULL;
}

char *
validate_check_dict(const json_t *v)
{
    return json_is_object(v) ? NULL : xstrdup("not a dictionary");
}

/*
 * api/validate: Neutron's input validation for dvr-api, as pure functions
 * over jansson values (no I/O, no database).
 *
 * A resource declares its attributes in an array of struct attr_spec (the
 * counterpart of Neutron's RESOURCE_ATTRIBUTE_MAP).  validate_body() checks
 * a request body against it: unknown attributes, attributes that may not be
 * set on create or update, missing required ones, and every value's type
 * and range.  The remaining functions validate and convert the structured
 * values (fixed IPs, pools, routes, protocols, port ranges, ...).
 *
 * Contract: each function that can fail returns NULL on success or a
 * malloc'd message that names the attribute, in Neutron's wording
 * ("Invalid input for cidr. Reason: ..."); the caller answers 400 with it
 * and frees it.  Nothing here allocates on success except what the
 * function documents as its output.
 */

#ifndef API_VALIDATE_H
#define API_VALIDATE_H 1

#include "api/json-compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/ipam.h"

enum attr_type {
    ATTR_STRING,                /* String of at most 'max' bytes (255). */
    ATTR_BOOL,                  /* Boolean (also "true"/"false", 0/1). */
    ATTR_INT,                   /* Integer in [min, max]. */
    ATTR_UUID,                  /* UUID string. */
    ATTR_MAC,                   /* Unicast MAC address. */
    ATTR_IP,                    /* IPv4 or IPv6 address. */
    ATTR_CIDR,                  /* Prefix, host bits allowed. */
    ATTR_ENUM,                  /* One of 'values'. */
    ATTR_LIST,                  /* Array (elements checked by 'check'). */
    ATTR_DICT,                  /* Object (checked by 'check'). */
    ATTR_ANY,                   /* Anything; 'check' decides. */
};

/* Flags for struct attr_spec. */
#define ATTR_POST      (1u << 0) /* May be given on create. */
#define ATTR_PUT       (1u << 1) /* May be given on update. */
#define ATTR_REQUIRED  (1u << 2) /* Must be given on create. */
#define ATTR_NULLABLE  (1u << 3) /* JSON null is accepted. */

struct attr_spec {
    const char *name;
    enum attr_type type;
    unsigned int flags;
    int64_t min, max;           /* ATTR_INT range; ATTR_STRING max len. */
    const char *const *values;  /* ATTR_ENUM: NULL-terminated. */
    /* Optional extra check of a non-null value; returns a reason. */
    char *(*check)(const json_t *);
};

enum validate_op { VALIDATE_CREATE, VALIDATE_UPDATE };

char *validate_body(const struct attr_spec *, size_t n, const json_t *obj,
                    enum validate_op);
char *validate_value(const struct attr_spec *, const json_t *value);
const struct attr_spec *validate_find_spec(const struct attr_spec *,
                                           size_t n, const char *name);

/* Conversions of values that validate_body() accepted. */
bool validate_get_bool(const json_t *, bool *);
bool validate_get_int(const json_t *, int64_t *);

/* Scalars. */
bool validate_is_uuid(const char *);
char *validate_ip(const char *attr, const json_t *, int family,
                  struct ipam_addr *);
char *validate_cidr(const char *attr, const json_t *, int family,
                    bool strict, struct ipam_prefix *);
char *validate_ip_or_cidr(const char *attr, const json_t *,
                          struct ipam_prefix *);

/* Structured values.  Each parses a JSON list into a malloc'd array
 * stored in '*out' with its length in '*n' (the caller frees it). */
struct validate_route {
    struct ipam_prefix destination;
    struct ipam_addr nexthop;
};
char *validate_routes(const char *attr, const json_t *, int family,
                      struct validate_route **out, size_t *n);

char *validate_pools(const char *attr, const json_t *, int family,
                     struct ipam_range **out, size_t *n);

char *validate_nameservers(const char *attr, const json_t *, int family,
                           struct ipam_addr **out, size_t *n);

struct validate_fixed_ip {
    const char *subnet_id;      /* NULL if not given. */
    bool has_ip;
    struct ipam_addr ip;
};
char *validate_fixed_ips(const char *attr, const json_t *,
                         struct validate_fixed_ip **out, size_t *n);

struct validate_address_pair {
    struct ipam_prefix ip;      /* plen = full length for a host. */
    bool is_host;
    const char *mac;            /* NULL if not given. */
};
char *validate_address_pairs(const char *attr, const json_t *,
                             struct validate_address_pair **out, size_t *n);

/* Security group rules. */
char *validate_protocol(const json_t *, const char *ethertype, char **out);
char *validate_port_range(const char *protocol, const json_t *min,
                          const json_t *max, int64_t *min_out,
                          int64_t *max_out);
bool validate_protocol_has_ports(const char *protocol);
bool validate_protocol_is_icmp(const char *protocol);

/* Attribute checks usable as 'check' in struct attr_spec. */
char *validate_check_list_of_strings(const json_t *);
char *validate_check_dict(const json_t *);

#endif /* api/validate.h */

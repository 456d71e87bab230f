/*
 * api/core: the request context of dvr-api and the helpers that the
 * resource handlers (api/network.c, api/subnet.c, ...) share.
 *
 * Life of a request (see api/server.c):
 *
 *   1. The HTTP layer parses the request into a struct api_ctx and finds
 *      the resource (struct api_resource) and the row named in the path.
 *   2. A handler reads the IDL (the NB database's replica), validates, and
 *      either answers at once (GET, or an error via api_error()) or builds
 *      one OVSDB transaction in 'ctx->txn' (api_txn()) and sets
 *      'ctx->finish' to render the answer once the transaction commits.
 *   3. The server commits it without blocking.  On success it calls
 *      'finish' (the IDL already holds the committed rows: ovsdb-server
 *      sends monitor updates before the transaction's reply).  On a
 *      conflict it runs the handler again from the start against the
 *      newer replica: TXN_TRY_AGAIN (a verify() precondition failed) or, if
 *      the handler set 'ctx->retry_on_conflict', an index violation (an
 *      address, MAC or segment that another writer took first).
 *
 * Handlers therefore must be restartable: everything they decide comes
 * from the request and the IDL, and nothing is written but the
 * transaction.  A rejected request writes nothing.
 *
 * Reservations (api_reserve()) are hints between transactions that are in
 * flight at once in this process, so that two of them do not pick the same
 * free address; correctness never depends on them (the schema's indexes
 * do that).
 */

#ifndef API_CORE_H
#define API_CORE_H 1

#include "api/json-compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/list.h"
#include "openvswitch/uuid.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "uuidset.h"
#include "ovsdb/nb-idl.h"
#include "api/ipam.h"
#include "api/quota.h"
#include "api/validate.h"

struct api_server;
struct api_ctx;
struct evhttp_request;

enum api_method {
    API_GET,
    API_POST,
    API_PUT,
    API_DELETE,
};

/* A query string parameter (in order; names may repeat). */
struct api_param {
    char *name;
    char *value;
};

/* One REST resource collection. */
struct api_resource {
    const char *collection;     /* In the path: "security-groups". */
    const char *plural;         /* In JSON: "security_groups". */
    const char *member;         /* "network". */
    const struct ovsdb_idl_table_class *table;

    /* Renders 'row' as the Neutron JSON object (new reference). */
    json_t *(*render)(struct api_ctx *, const struct ovsdb_idl_row *);

    /* Handlers; NULL if the operation is not supported (405). */
    void (*create)(struct api_ctx *);
    void (*update)(struct api_ctx *, const struct ovsdb_idl_row *);
    void (*delete)(struct api_ctx *, const struct ovsdb_idl_row *);
    void (*action)(struct api_ctx *, const struct ovsdb_idl_row *,
                   const char *action);

    /* A sub-resource (/v2.0/<parent>/<id>/<collection>) names its parent
     * resource and says whether 'row' belongs to parent row 'parent'. */
    const struct api_resource *parent;
    bool (*in_parent)(const struct ovsdb_idl_row *row,
                      const struct ovsdb_idl_row *parent);
    bool get_actions;           /* 'action' also answers GETs (trunks'
                                 * get_subports); else only PUTs. */
};

struct api_ctx {
    struct api_server *server;
    struct ovsdb_idl *idl;
    struct ovs_list node;       /* In the server's list of pending ones. */

    /* The request. */
    struct evhttp_request *req; /* NULL for internal requests (tests). */
    enum api_method method;
    char *path;
    struct api_param *params;
    size_t n_params;
    json_t *body;               /* NULL if none. */
    char *project;              /* The project the request acts for. */
    bool is_admin;              /* The caller has the admin role. */
    const struct api_resource *res;
    char *id;                   /* Path's resource id, or NULL. */
    char *action;               /* Path's action, or NULL. */
    char *parent_id;            /* A sub-resource's parent id, or NULL... */
    const struct ovsdb_idl_row *parent; /* ...and its row (dispatch). */

    /* The answer. */
    int status;                 /* 0 until decided. */
    json_t *reply;              /* Body, or NULL for none. */

    /* The transaction, if any. */
    struct ovsdb_idl_txn *txn;
    bool retry_on_conflict;
    void (*finish)(struct api_ctx *);
    struct uuid created;        /* Provisional UUID of the inserted row. */
    struct uuid create_uuid;    /* The UUID a create gives its row, the
                                 * same in every attempt: see
                                 * api_replay_create(). */
    struct uuid target;         /* Updated row, for 'finish'. */
    json_t *finish_data;        /* Extra state for 'finish' (owned). */
    struct sset reserved;       /* Keys this attempt reserved. */

    /* Retries. */
    int attempts;
    unsigned int retry_seqno;
    long long int retry_at;
    long long int deadline;
    long long int started;
    long long int started_usec; /* time_usec() at arrival (metrics). */

};

/* Converts a generic IDL row into the generated type (NULL stays NULL):
 * 'header_' is the first member of every generated row type. */
#define API_ROW(TYPE, ROW) ((const struct TYPE *) (const void *) (ROW))

/* Errors, Neutron style.  Each sets the status and the NeutronError body
 * and returns false, so a handler can 'return api_error(...)'. */
bool api_error(struct api_ctx *, int status, const char *type,
               const char *format, ...) OVS_PRINTF_FORMAT(4, 5);
bool api_bad_request(struct api_ctx *, char *message);
bool api_not_found(struct api_ctx *, const char *what, const char *id);
const char *api_resource_name(const struct api_resource *);
bool api_conflict(struct api_ctx *, const char *type,
                  const char *format, ...) OVS_PRINTF_FORMAT(3, 4);

/* Request helpers. */
const char *api_param(const struct api_ctx *, const char *name);
json_t *api_body_member(struct api_ctx *, const struct attr_spec *,
                        size_t n_specs, enum validate_op);

/* Values of a body that validate_body() accepted. */
bool api_json_bool(const json_t *obj, const char *key, bool def);
const char *api_json_string(const json_t *obj, const char *key,
                            const char *def);
bool api_json_has(const json_t *obj, const char *key);

/* The body of a create request: the member object validated against
 * 'specs', and in '*projectp' its project (project_id or tenant_id, which
 * must agree, else the request's).  NULL after answering an error. */
json_t *api_create_body(struct api_ctx *, const struct attr_spec *,
                        size_t n_specs, const char **projectp);

/* Transactions. */
struct ovsdb_idl_txn *api_txn(struct api_ctx *);
void api_finish_row(struct api_ctx *);
void api_finish_created(struct api_ctx *);
void api_finish_no_content(struct api_ctx *);
void api_set_created(struct api_ctx *, const struct ovsdb_idl_row *);
bool api_replay_create(struct api_ctx *);
bool api_reserve(struct api_ctx *, const char *key);
bool api_is_reserved(const struct api_ctx *, const char *key);

/* Lookups in the IDL by id string ("" or malformed finds nothing). */
const struct nbrec_network *api_get_network(struct api_ctx *, const char *);
const struct nbrec_subnet *api_get_subnet(struct api_ctx *, const char *);
const struct nbrec_port *api_get_port(struct api_ctx *, const char *);
const struct nbrec_router *api_get_router(struct api_ctx *, const char *);
const struct nbrec_floating_ip *api_get_fip(struct api_ctx *, const char *);
const struct nbrec_security_group *api_get_sg(struct api_ctx *,
                                              const char *);

/* Model queries shared by several resources. */
bool api_port_is_up(struct api_ctx *, const struct nbrec_port *);
const struct nbrec_router *api_port_router(struct api_ctx *,
                                           const struct nbrec_port *);
const struct nbrec_security_group *api_rule_group(
    struct api_ctx *, const struct nbrec_security_group_rule *);
bool api_subnet_prefix(const struct nbrec_subnet *, struct ipam_prefix *);
/* True if 'subnet' gives its ports automatic addresses (SLAAC: its
 * ipv6_address_mode, or without one its ipv6_ra_mode, is slaac or
 * dhcpv6-stateless), as Neutron's is_auto_address_subnet(). */
bool api_subnet_is_auto_address(const struct nbrec_subnet *);
/* Allocates the EUI-64 address of 'mac' on auto-address 'subnet', as
 * api_allocate_ip() does a requested one.  Returns false after setting an
 * error. */
bool api_allocate_eui64(struct api_ctx *, const struct nbrec_subnet *,
                        const char *mac, struct ipam_addr *);
size_t api_subnet_pools(const struct nbrec_subnet *, struct ipam_range **);
bool api_ip_in_use(struct api_ctx *, const struct nbrec_subnet *,
                   const char *ip);
bool api_allocate_ip(struct api_ctx *, const struct nbrec_subnet *,
                     const struct ipam_addr *requested,
                     bool allow_gateway, struct ipam_addr *out);
struct nbrec_fixed_ip *api_insert_fixed_ip(struct api_ctx *,
                                           const struct nbrec_subnet *,
                                           const struct ipam_addr *);
bool api_allocate_mac(struct api_ctx *, const struct nbrec_network *,
                      const char *requested, char mac[IPAM_MAC_STRLEN]);
const struct nbrec_security_group *api_default_sg(struct api_ctx *,
                                                  const char *project,
                                                  bool create);
void api_insert_default_egress(struct api_ctx *,
                               const struct nbrec_security_group *,
                               const char *project);

/* Rendering helpers. */
char *api_uuid_str(const struct ovsdb_idl_row *);
void api_set_uuid(json_t *, const char *key, const struct ovsdb_idl_row *);
json_t *api_fixed_ips_json(struct nbrec_fixed_ip **, size_t n);
void api_add_std_attrs(json_t *, const struct smap *external_ids,
                       const char *project);
void api_stamp(struct smap *external_ids, bool create);

/* The resources. */
extern const struct api_resource api_networks;
extern const struct api_resource api_subnets;
extern const struct api_resource api_ports;
extern const struct api_resource api_routers;
extern const struct api_resource api_floatingips;
extern const struct api_resource api_security_groups;
extern const struct api_resource api_security_group_rules;
extern const struct api_resource api_port_forwardings;

/* api/floatingip.c: the router that routes between 'subnet' and external
 * network 'ext', or NULL. */
const struct nbrec_router *api_fip_find_router(
    struct api_ctx *, const struct nbrec_subnet *,
    const struct nbrec_network *ext);

/* api/portforwarding.c. */
bool api_pf_in_parent(const struct ovsdb_idl_row *row,
                      const struct ovsdb_idl_row *parent);
json_t *api_fip_port_forwardings_json(struct api_ctx *,
                                      const struct nbrec_floating_ip *);
bool api_fip_has_port_forwardings(struct api_ctx *,
                                  const struct nbrec_floating_ip *);
extern const struct api_resource api_qos_policies;
extern const struct api_resource api_qos_bandwidth_limit_rules;
extern const struct api_resource api_qos_dscp_marking_rules;

/* api/qos.c: the policy that holds QoS rule 'rule', or NULL. */
const struct nbrec_qos_policy *api_qos_rule_policy(
    struct api_ctx *, const struct nbrec_qos_rule *);
/* Reads attribute "qos_policy_id" of 'obj' (a port or network body): sets
 * '*policyp' (NULL for null) and returns true if it is given and names a
 * visible policy; returns false without a reply if it is absent, and
 * false after answering 404 if the policy does not exist. */
bool api_qos_policy_attr(struct api_ctx *, const json_t *obj,
                         const struct nbrec_qos_policy **policyp,
                         bool *given);
extern const struct api_resource api_trunks;

/* api/trunk.c: a parent port's "trunk_details" (NULL if it is none), and
 * whether 'port' is a trunk's parent or subport (then answered 409). */
json_t *api_trunk_details(struct api_ctx *, const struct nbrec_port *);
bool api_trunk_port_in_use(struct api_ctx *, const struct nbrec_port *);

/* api/extensions.c. */
json_t *api_extensions_json(void);
json_t *api_extension_json(const char *alias);

/* IDL indexes the handlers use instead of scanning tables, and the
 * allocation hints (where the last address was found, per subnet). */
struct api_indexes {
    struct ovsdb_idl_index *fixed_ip_by_address; /* (subnet, ip_address) */
    struct ovsdb_idl_index *port_by_mac;          /* mac_address */
    struct ovsdb_idl_index *binding_by_port;      /* port */
    struct smap alloc_hints;    /* Subnet UUID -> last allocated address. */
};
struct api_indexes *api_get_indexes(const struct api_ctx *);

/* Server-wide settings the handlers read. */
struct api_config {
    const char *tenant_network_type;   /* "vxlan" or "geneve". */
    const char *default_project;
    struct api_quotas quotas;          /* Per project (api/quota.h). */
    const char *auth_config;    /* Keystone's settings; NULL: no auth. */
    const char *tls_certificate;        /* HTTPS if nonnull, with... */
    const char *tls_private_key;        /* ...this key. */
};
const struct api_config *api_get_config(const struct api_ctx *);

#endif /* api/core.h */

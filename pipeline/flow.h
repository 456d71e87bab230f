/*
 * pipeline/flow: the flow model shared by the compiler and the installer.
 *
 * A "struct dvr_flow" is one OpenFlow flow that dvrflow wants on a bridge:
 * table, priority, match, actions and a cookie.  The cookie names the
 * flow's owner, the NB row it was compiled from (see flow_cookie_from_uuid),
 * so that an operator can map any flow back to its object and the
 * controller can replace one object's flows without touching the others.
 *
 * A "struct flow_set" holds flows by key (table, priority, match) and, for
 * a desired set, by owner.  Replacing an owner's flows records which keys
 * changed, so that the installer compares only those with the switch.  The
 * same structure holds what is installed on a switch (without owners).
 *
 * Everything here is pure: no I/O, no logging.
 */

#ifndef PIPELINE_FLOW_H
#define PIPELINE_FLOW_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/uuid.h"

struct ds;
struct ofputil_port_map;
struct ofputil_table_map;

struct dvr_flow {
    struct hmap_node node;          /* In flow_set's 'flows', by key. */
    struct ovs_list owner_node;     /* In flow_owner's 'flows', if any. */
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    struct minimatch match;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
};

struct dvr_flow *dvr_flow_create(uint8_t table_id, uint16_t priority,
                                 uint64_t cookie, const struct match *,
                                 const struct ofpact *, size_t ofpacts_len);
struct dvr_flow *dvr_flow_clone(const struct dvr_flow *);
void dvr_flow_destroy(struct dvr_flow *);
uint32_t dvr_flow_hash(const struct dvr_flow *);
bool dvr_flow_same_key(const struct dvr_flow *, const struct dvr_flow *);
bool dvr_flow_same_actions(const struct dvr_flow *, const struct dvr_flow *);
void dvr_flow_format(const struct dvr_flow *, const struct ofputil_port_map *,
                     const struct ofputil_table_map *, struct ds *);

/* The cookie of the flows owned by the row with 'uuid': its first 64 bits,
 * so that "cookie=0x0123456789abcdef" appears as the prefix
 * "01234567-89ab-cdef" of the row's UUID. */
uint64_t flow_cookie_from_uuid(const struct uuid *);

/* A list of flows produced by the compiler for one owner. */
struct flow_list {
    struct ovs_list flows;          /* Contains "struct dvr_flow"s. */
};

void flow_list_init(struct flow_list *);
void flow_list_destroy(struct flow_list *);
struct dvr_flow *flow_list_add(struct flow_list *, uint8_t table_id,
                               uint16_t priority, uint64_t cookie,
                               const struct match *, const struct ofpbuf *);
size_t flow_list_size(const struct flow_list *);

/* An owner: every flow compiled from one NB row (or one internal object). */
struct flow_owner {
    struct hmap_node node;          /* In flow_set's 'owners'. */
    uint64_t cookie;
    struct ovs_list flows;          /* Contains "struct dvr_flow"s. */
};

struct flow_set {
    struct hmap flows;              /* All flows, by dvr_flow_hash(). */
    struct hmap owners;             /* "struct flow_owner"s by cookie. */
    struct hmap dirty;              /* Key-only clones of changed flows. */
};

void flow_set_init(struct flow_set *);
void flow_set_destroy(struct flow_set *);
void flow_set_clear(struct flow_set *);
size_t flow_set_count(const struct flow_set *);
struct dvr_flow *flow_set_find(const struct flow_set *,
                               const struct dvr_flow *key);

/* Desired sets: flows by owner. */
void flow_set_replace_owner(struct flow_set *, uint64_t cookie,
                            struct flow_list *);
void flow_set_remove_owner(struct flow_set *, uint64_t cookie);
const struct flow_owner *flow_set_find_owner(const struct flow_set *,
                                             uint64_t cookie);
void flow_set_mark_all_dirty(struct flow_set *);
void flow_set_clear_dirty(struct flow_set *);

/* Installed sets: flows without owners. */
void flow_set_insert(struct flow_set *, struct dvr_flow *);
void flow_set_remove(struct flow_set *, struct dvr_flow *);

/* A change that brings one key of 'installed' to 'desired'. */
enum flow_change_type {
    FLOW_CHANGE_ADD,                /* New flow (or new cookie). */
    FLOW_CHANGE_MODIFY,             /* Same key and cookie, new actions. */
    FLOW_CHANGE_DELETE,             /* Installed but no longer desired. */
};

struct flow_change {
    enum flow_change_type type;
    const struct dvr_flow *flow;    /* The desired flow or, for a delete,
                                     * the installed one. */
};

/* Computes the changes that make 'installed' equal 'desired', over the
 * dirty keys of 'desired' only or, if 'full', over every key of both.
 * Stores them in '*changes' (caller frees) and returns their number.  The
 * pointers stay valid until either set changes. */
size_t flow_set_diff(const struct flow_set *desired,
                     const struct flow_set *installed, bool full,
                     struct flow_change **changes);

#endif /* pipeline/flow.h */

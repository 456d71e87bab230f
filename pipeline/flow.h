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
 * A flow that cannot be installed (its actions do not encode to OpenFlow
 * 1.3, its flow_mod would exceed an OpenFlow message's 64 KiB, or a
 * builder marked its actions unparsable, see put_parsed()) is never added:
 * flow_list_add() returns NULL and records why in the list's 'errors',
 * which flow_set_replace_owner() moves to the set's 'refused' for the
 * caller to log.  So no value from NB can make the compiler abort.
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
#include "svec.h"

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

/* The largest flow_mod dvrflow sends: an OpenFlow message is at most
 * 65,535 bytes, and one that goes into a bundle is wrapped in a 24-byte
 * bundle-add header (rounded up here). */
#define FLOW_MAX_FLOW_MOD (UINT16_MAX - 64)

/* A list of flows produced by the compiler for one owner. */
struct flow_list {
    struct ovs_list flows;          /* Contains "struct dvr_flow"s. */
    struct svec errors;             /* Flows refused by flow_list_add(). */
};

void flow_list_init(struct flow_list *);
void flow_list_destroy(struct flow_list *);
struct dvr_flow *flow_list_add(struct flow_list *, uint8_t table_id,
                               uint16_t priority, uint64_t cookie,
                               const struct match *, const struct ofpbuf *);
size_t flow_list_size(const struct flow_list *);

/* Marks the actions in 'ofpacts' as unusable, for the reason 'why': a
 * flow made from them is refused by flow_list_add(). */
void flow_poison_actions(struct ofpbuf *ofpacts, const char *why);

/* Returns NULL if 'match' and 'ofpacts' make a flow that can be installed,
 * otherwise why not (malloc'd). */
char *flow_check(const struct match *, const struct ofpbuf *ofpacts)
    OVS_WARN_UNUSED_RESULT;

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
    struct svec refused;            /* Why flows were refused (at most
                                     * FLOW_MAX_REFUSED lines), until
                                     * flow_set_take_refused(). */
    size_t n_new_refused;           /* Refused since the last take. */
    uint64_t n_refused;             /* Flows refused, ever. */
};

#define FLOW_MAX_REFUSED 100

void flow_set_init(struct flow_set *);
void flow_set_destroy(struct flow_set *);
void flow_set_clear(struct flow_set *);
size_t flow_set_count(const struct flow_set *);
/* A desired set may hold several flows with one key (several owners, or
 * one owner twice): the one that goes to the switch is the one with the
 * smallest cookie, then the smallest actions, whatever order they were
 * added in.  flow_set_find() returns that one. */
struct dvr_flow *flow_set_find(const struct flow_set *,
                               const struct dvr_flow *key);

/* Desired sets: flows by owner. */
void flow_set_replace_owner(struct flow_set *, uint64_t cookie,
                            struct flow_list *);
void flow_set_remove_owner(struct flow_set *, uint64_t cookie);
const struct flow_owner *flow_set_find_owner(const struct flow_set *,
                                             uint64_t cookie);
void flow_set_mark_all_dirty(struct flow_set *);
/* Moves the reasons of the flows refused since the last call to 'out'
 * (appended) and returns how many flows that was (more than lines in
 * 'out' if more than FLOW_MAX_REFUSED). */
size_t flow_set_take_refused(struct flow_set *, struct svec *out);
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

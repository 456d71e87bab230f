/*
 * pipeline/flow: see flow.h for the contract.
 */

#include <config.h>

#include "pipeline/flow.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "nx-match.h"
#include "openflow/openflow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/ofp-errors.h"
#include "svec.h"
#include "util.h"

struct dvr_flow *
dvr_flow_create(uint8_t table_id, uint16_t priority, uint64_t cookie,
                const struct match *match, const struct ofpact *ofpacts,
                size_t ofpacts_len)
{
    struct dvr_flow *f = xzalloc(sizeof *f);
    f->table_id = table_id;
    f->priority = priority;
    f->cookie = cookie;
    minimatch_init(&f->match, match);
    f->ofpacts = ofpacts_len ? xmemdup(ofpacts, ofpacts_len) : NULL;
    f->ofpacts_len = ofpacts_len;
    f->node.hash = dvr_flow_hash(f);
    ovs_list_init(&f->owner_node);
    return f;
}

struct dvr_flow *
dvr_flow_clone(const struct dvr_flow *src)
{
    struct dvr_flow *f = xzalloc(sizeof *f);
    f->table_id = src->table_id;
    f->priority = src->priority;
    f->cookie = src->cookie;
    minimatch_clone(&f->match, &src->match);
    f->ofpacts = (src->ofpacts_len
                  ? xmemdup(src->ofpacts, src->ofpacts_len) : NULL);
    f->ofpacts_len = src->ofpacts_len;
    f->node.hash = src->node.hash;
    ovs_list_init(&f->owner_node);
    return f;
}

void
dvr_flow_destroy(struct dvr_flow *f)
{
    if (f) {
        minimatch_destroy(&f->match);
        free(f->ofpacts);
        free(f);
    }
}

uint32_t
dvr_flow_hash(const struct dvr_flow *f)
{
    return minimatch_hash(&f->match,
                          hash_2words(f->table_id, f->priority));
}

bool
dvr_flow_same_key(const struct dvr_flow *a, const struct dvr_flow *b)
{
    return (a->table_id == b->table_id
            && a->priority == b->priority
            && minimatch_equal(&a->match, &b->match));
}

/* Two action lists are the same if they are identical or, failing that,
 * if they encode to the same OpenFlow 1.3 instructions (the switch may
 * report an action with another internal form than the one compiled). */
bool
dvr_flow_same_actions(const struct dvr_flow *a, const struct dvr_flow *b)
{
    if (ofpacts_equal(a->ofpacts, a->ofpacts_len,
                      b->ofpacts, b->ofpacts_len)) {
        return true;
    }

    uint64_t stub_a[512 / 8], stub_b[512 / 8];
    struct ofpbuf ea = OFPBUF_STUB_INITIALIZER(stub_a);
    struct ofpbuf eb = OFPBUF_STUB_INITIALIZER(stub_b);
    ofpacts_put_openflow_instructions(a->ofpacts, a->ofpacts_len, &ea,
                                      OFP13_VERSION);
    ofpacts_put_openflow_instructions(b->ofpacts, b->ofpacts_len, &eb,
                                      OFP13_VERSION);
    bool same = ea.size == eb.size && !memcmp(ea.data, eb.data, ea.size);
    ofpbuf_uninit(&ea);
    ofpbuf_uninit(&eb);
    return same;
}

void
dvr_flow_format(const struct dvr_flow *f,
                const struct ofputil_port_map *port_map,
                const struct ofputil_table_map *table_map, struct ds *s)
{
    struct match match;

    ds_put_format(s, "cookie=0x%"PRIx64", table=", f->cookie);
    ofputil_format_table(f->table_id, table_map, s);
    ds_put_cstr(s, ", ");
    minimatch_expand(&f->match, &match);
    match_format(&match, port_map, s, f->priority);
    if (s->length && s->string[s->length - 1] != ' ') {
        ds_put_char(s, ' ');
    }
    ds_put_cstr(s, "actions=");
    struct ofpact_format_params fp = {
        .port_map = port_map,
        .table_map = table_map,
        .s = s,
    };
    ofpacts_format(f->ofpacts, f->ofpacts_len, &fp);
}

uint64_t
flow_cookie_from_uuid(const struct uuid *uuid)
{
    return ((uint64_t) uuid->parts[0] << 32) | uuid->parts[1];
}

void
flow_list_init(struct flow_list *list)
{
    ovs_list_init(&list->flows);
    svec_init(&list->errors);
}

void
flow_list_destroy(struct flow_list *list)
{
    struct dvr_flow *f;

    LIST_FOR_EACH_POP (f, owner_node, &list->flows) {
        dvr_flow_destroy(f);
    }
    svec_destroy(&list->errors);
}

/* The note that flow_poison_actions() appends: this prefix, then why. */
static const char poison_prefix[] = "dvrflow:refused:";

void
flow_poison_actions(struct ofpbuf *ofpacts, const char *why)
{
    size_t start = ofpacts->size;
    struct ofpact_note *note;

    ofpact_put_NOTE(ofpacts);
    ofpbuf_put(ofpacts, poison_prefix, sizeof poison_prefix - 1);
    ofpbuf_put(ofpacts, why, MIN(strlen(why), 200));
    note = ofpbuf_at_assert(ofpacts, start, sizeof *note);
    note->length = ofpacts->size - (start + sizeof *note);
    ofpact_finish_NOTE(ofpacts, &note);
}

/* If 'ofpacts' were poisoned, returns why (malloc'd), else NULL. */
static char *
poisoned(const struct ofpbuf *ofpacts)
{
    const size_t plen = sizeof poison_prefix - 1;
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts->data, ofpacts->size) {
        if (a->type == OFPACT_NOTE) {
            const struct ofpact_note *note = ofpact_get_NOTE(a);
            if (note->length >= plen
                && !memcmp(note->data, poison_prefix, plen)) {
                return xmemdup0((const char *) note->data + plen,
                                note->length - plen);
            }
        }
    }
    return NULL;
}

/* Puts 'match' and 'ofpacts' through OpenFlow 1.3 encoding and decoding,
 * so that they have exactly the form in which the switch reports installed
 * flows: a flow read back after a restart then compares equal to the one
 * compiled.  Returns NULL or, if they cannot make a flow_mod (poisoned, not
 * encodable, or too long for one OpenFlow message), why not (malloc'd),
 * leaving them alone. */
static char *
normalize(struct match *match, struct ofpbuf *ofpacts)
{
    uint64_t buf_stub[512 / 8], acts_stub[512 / 8];
    struct ofpbuf buf = OFPBUF_STUB_INITIALIZER(buf_stub);
    struct ofpbuf acts = OFPBUF_STUB_INITIALIZER(acts_stub);
    struct match m;
    char *error = poisoned(ofpacts);
    enum ofperr oe;

    if (error) {
        goto out;
    }
    oxm_put_match(&buf, match, OFP13_VERSION);
    size_t match_len = buf.size;
    oe = oxm_pull_match(&buf, false, NULL, NULL, &m);
    if (oe) {
        error = xasprintf("match does not encode (%s)", ofperr_to_string(oe));
        goto out;
    }
    ofpbuf_clear(&buf);
    ofpacts_put_openflow_instructions(ofpacts->data, ofpacts->size, &buf,
                                      OFP13_VERSION);
    /* An OpenFlow 1.3 flow_mod: 48 bytes, the match, the instructions
     * (whose length field has 16 bits too). */
    size_t fm_len = (sizeof(struct ofp_header) + sizeof(struct ofp11_flow_mod)
                     + match_len + buf.size);
    if (fm_len > FLOW_MAX_FLOW_MOD) {
        error = xasprintf("flow_mod of %"PRIuSIZE" bytes exceeds %d "
                          "(%"PRIuSIZE" bytes of actions)", fm_len,
                          FLOW_MAX_FLOW_MOD, (size_t) ofpacts->size);
        goto out;
    }
    oe = ofpacts_pull_openflow_instructions(&buf, buf.size, OFP13_VERSION,
                                            NULL, NULL, &acts);
    if (oe) {
        error = xasprintf("actions do not encode (%s)", ofperr_to_string(oe));
        goto out;
    }
    *match = m;
    ofpbuf_clear(ofpacts);
    ofpbuf_put(ofpacts, acts.data, acts.size);
out:
    ofpbuf_uninit(&buf);
    ofpbuf_uninit(&acts);
    return error;
}

char *
flow_check(const struct match *match, const struct ofpbuf *ofpacts)
{
    uint64_t stub[512 / 8];
    struct ofpbuf acts = OFPBUF_STUB_INITIALIZER(stub);
    struct match m = *match;

    ofpbuf_put(&acts, ofpacts->data, ofpacts->size);
    char *error = normalize(&m, &acts);
    ofpbuf_uninit(&acts);
    return error;
}

struct dvr_flow *
flow_list_add(struct flow_list *list, uint8_t table_id, uint16_t priority,
              uint64_t cookie, const struct match *match,
              const struct ofpbuf *ofpacts)
{
    uint64_t stub[512 / 8];
    struct ofpbuf acts = OFPBUF_STUB_INITIALIZER(stub);
    struct match m = *match;

    ofpbuf_put(&acts, ofpacts->data, ofpacts->size);
    char *error = normalize(&m, &acts);
    if (error) {
        svec_add_nocopy(&list->errors,
                        xasprintf("table %d priority %d cookie %#"PRIx64
                                  ": flow refused: %s", table_id, priority,
                                  cookie, error));
        free(error);
        ofpbuf_uninit(&acts);
        return NULL;
    }
    struct dvr_flow *f = dvr_flow_create(table_id, priority, cookie, &m,
                                         acts.data, acts.size);
    ofpbuf_uninit(&acts);
    ovs_list_push_back(&list->flows, &f->owner_node);
    return f;
}

size_t
flow_list_size(const struct flow_list *list)
{
    return ovs_list_size(&list->flows);
}

void
flow_set_init(struct flow_set *set)
{
    hmap_init(&set->flows);
    hmap_init(&set->owners);
    hmap_init(&set->dirty);
    svec_init(&set->refused);
    set->n_new_refused = 0;
    set->n_refused = 0;
}

void
flow_set_clear_dirty(struct flow_set *set)
{
    struct dvr_flow *f;

    HMAP_FOR_EACH_POP (f, node, &set->dirty) {
        dvr_flow_destroy(f);
    }
}

void
flow_set_clear(struct flow_set *set)
{
    struct flow_owner *owner;
    struct dvr_flow *f;

    HMAP_FOR_EACH_POP (owner, node, &set->owners) {
        free(owner);
    }
    HMAP_FOR_EACH_POP (f, node, &set->flows) {
        dvr_flow_destroy(f);
    }
    flow_set_clear_dirty(set);
}

void
flow_set_destroy(struct flow_set *set)
{
    flow_set_clear(set);
    hmap_destroy(&set->flows);
    hmap_destroy(&set->owners);
    hmap_destroy(&set->dirty);
    svec_destroy(&set->refused);
}

size_t
flow_set_count(const struct flow_set *set)
{
    return hmap_count(&set->flows);
}

static struct dvr_flow *
find_in(const struct hmap *map, const struct dvr_flow *key)
{
    struct dvr_flow *f;

    HMAP_FOR_EACH_WITH_HASH (f, node, key->node.hash, map) {
        if (dvr_flow_same_key(f, key)) {
            return f;
        }
    }
    return NULL;
}

/* True if 'a' wins over 'b', a flow with the same key: the smaller cookie,
 * then the shorter or smaller actions.  A total order, so that which of
 * several owners' flows for one key goes to the switch does not depend on
 * the order in which they were compiled (an incremental run gives the same
 * as a full one). */
static bool
flow_wins(const struct dvr_flow *a, const struct dvr_flow *b)
{
    if (a->cookie != b->cookie) {
        return a->cookie < b->cookie;
    }
    if (a->ofpacts_len != b->ofpacts_len) {
        return a->ofpacts_len < b->ofpacts_len;
    }
    return (a->ofpacts_len
            && memcmp(a->ofpacts, b->ofpacts, a->ofpacts_len) < 0);
}

/* The flow of 'set' with the key of 'key' that goes to the switch. */
static struct dvr_flow *
find_winner(const struct hmap *map, const struct dvr_flow *key)
{
    struct dvr_flow *f, *best = NULL;

    HMAP_FOR_EACH_WITH_HASH (f, node, key->node.hash, map) {
        if (dvr_flow_same_key(f, key) && (!best || flow_wins(f, best))) {
            best = f;
        }
    }
    return best;
}

struct dvr_flow *
flow_set_find(const struct flow_set *set, const struct dvr_flow *key)
{
    return find_winner(&set->flows, key);
}

static void
mark_dirty(struct flow_set *set, const struct dvr_flow *f)
{
    if (!find_in(&set->dirty, f)) {
        struct dvr_flow *key = xzalloc(sizeof *key);
        key->table_id = f->table_id;
        key->priority = f->priority;
        minimatch_clone(&key->match, &f->match);
        ovs_list_init(&key->owner_node);
        hmap_insert(&set->dirty, &key->node, f->node.hash);
    }
}

void
flow_set_mark_all_dirty(struct flow_set *set)
{
    struct dvr_flow *f;

    HMAP_FOR_EACH (f, node, &set->flows) {
        mark_dirty(set, f);
    }
}

static struct flow_owner *
find_owner(const struct flow_set *set, uint64_t cookie)
{
    struct flow_owner *owner;

    HMAP_FOR_EACH_WITH_HASH (owner, node, hash_uint64(cookie),
                             &set->owners) {
        if (owner->cookie == cookie) {
            return owner;
        }
    }
    return NULL;
}

const struct flow_owner *
flow_set_find_owner(const struct flow_set *set, uint64_t cookie)
{
    return find_owner(set, cookie);
}

void
flow_set_remove_owner(struct flow_set *set, uint64_t cookie)
{
    struct flow_owner *owner = find_owner(set, cookie);
    struct dvr_flow *f;

    if (!owner) {
        return;
    }
    LIST_FOR_EACH_POP (f, owner_node, &owner->flows) {
        mark_dirty(set, f);
        hmap_remove(&set->flows, &f->node);
        dvr_flow_destroy(f);
    }
    hmap_remove(&set->owners, &owner->node);
    free(owner);
}

size_t
flow_set_take_refused(struct flow_set *set, struct svec *out)
{
    size_t n = set->n_new_refused;
    const char *s;
    size_t i;

    SVEC_FOR_EACH (i, s, &set->refused) {
        svec_add(out, s);
    }
    svec_clear(&set->refused);
    set->n_new_refused = 0;
    return n;
}

void
flow_set_replace_owner(struct flow_set *set, uint64_t cookie,
                       struct flow_list *list)
{
    struct flow_owner *owner = find_owner(set, cookie);
    const char *error;
    size_t i;

    SVEC_FOR_EACH (i, error, &list->errors) {
        if (set->refused.n < FLOW_MAX_REFUSED) {
            svec_add(&set->refused, error);
        }
        set->n_new_refused++;
        set->n_refused++;
    }
    svec_clear(&list->errors);
    struct ovs_list old = OVS_LIST_INITIALIZER(&old);
    struct dvr_flow *f;

    if (owner) {
        ovs_list_push_back_all(&old, &owner->flows);
    } else if (!ovs_list_is_empty(&list->flows)) {
        owner = xmalloc(sizeof *owner);
        owner->cookie = cookie;
        ovs_list_init(&owner->flows);
        hmap_insert(&set->owners, &owner->node, hash_uint64(cookie));
    }

    /* Insert the new flows.  A flow identical to one the owner had (same
     * key and actions) changes nothing on the switch, so it is not marked
     * dirty: recompiling an unchanged object costs no OpenFlow message. */
    LIST_FOR_EACH_POP (f, owner_node, &list->flows) {
        struct dvr_flow *prev = NULL, *g;

        LIST_FOR_EACH (g, owner_node, &old) {
            if (g->node.hash == f->node.hash && dvr_flow_same_key(g, f)) {
                prev = g;
                break;
            }
        }
        if (prev && dvr_flow_same_actions(prev, f)
            && prev->cookie == f->cookie) {
            ovs_list_remove(&prev->owner_node);
            ovs_list_push_back(&owner->flows, &prev->owner_node);
            dvr_flow_destroy(f);
            continue;
        }
        mark_dirty(set, f);
        hmap_insert(&set->flows, &f->node, f->node.hash);
        ovs_list_push_back(&owner->flows, &f->owner_node);
    }

    /* Remove what the owner no longer has. */
    LIST_FOR_EACH_POP (f, owner_node, &old) {
        mark_dirty(set, f);
        hmap_remove(&set->flows, &f->node);
        dvr_flow_destroy(f);
    }

    if (owner && ovs_list_is_empty(&owner->flows)) {
        hmap_remove(&set->owners, &owner->node);
        free(owner);
    }
}

void
flow_set_insert(struct flow_set *set, struct dvr_flow *f)
{
    hmap_insert(&set->flows, &f->node, f->node.hash);
}

void
flow_set_remove(struct flow_set *set, struct dvr_flow *f)
{
    hmap_remove(&set->flows, &f->node);
}

/* Appends to '*changes' what makes 'installed' hold 'd' (the desired flow
 * with this key, or NULL) instead of 'i' (the installed one, or NULL). */
static void
diff_key(const struct dvr_flow *d, const struct dvr_flow *i,
         struct flow_change **changes, size_t *n, size_t *allocated)
{
    struct flow_change c;

    if (d && !i) {
        c = (struct flow_change) { FLOW_CHANGE_ADD, d };
    } else if (!d && i) {
        c = (struct flow_change) { FLOW_CHANGE_DELETE, i };
    } else if (d && i && d->cookie != i->cookie) {
        c = (struct flow_change) { FLOW_CHANGE_ADD, d };
    } else if (d && i && !dvr_flow_same_actions(d, i)) {
        c = (struct flow_change) { FLOW_CHANGE_MODIFY, d };
    } else {
        return;
    }
    if (*n >= *allocated) {
        *changes = x2nrealloc(*changes, allocated, sizeof **changes);
    }
    (*changes)[(*n)++] = c;
}

size_t
flow_set_diff(const struct flow_set *desired,
              const struct flow_set *installed, bool full,
              struct flow_change **changes)
{
    size_t n = 0, allocated = 0;
    struct dvr_flow *f;

    *changes = NULL;
    if (full) {
        HMAP_FOR_EACH (f, node, &desired->flows) {
            /* Several owners may want the same key: see flow_wins(). */
            if (find_winner(&desired->flows, f) == f) {
                diff_key(f, find_winner(&installed->flows, f),
                         changes, &n, &allocated);
            }
        }
        HMAP_FOR_EACH (f, node, &installed->flows) {
            if (!find_in(&desired->flows, f)) {
                diff_key(NULL, f, changes, &n, &allocated);
            }
        }
    } else {
        HMAP_FOR_EACH (f, node, &desired->dirty) {
            diff_key(find_winner(&desired->flows, f),
                     find_winner(&installed->flows, f), changes, &n,
                     &allocated);
        }
    }
    return n;
}

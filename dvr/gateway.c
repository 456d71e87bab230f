/*
 * dvr/gateway: see gateway.h.
 */

#include <config.h>

#include "dvr/gateway.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb/nb-idl.h"
#include "sset.h"
#include "util.h"

struct ranked {
    const struct nbrec_chassis *ch;
    uint32_t rank;
};

static int
compare_ranked(const void *a_, const void *b_)
{
    const struct ranked *a = a_, *b = b_;
    return a->rank != b->rank ? (a->rank > b->rank ? -1 : 1)
                              : strcmp(a->ch->name, b->ch->name);
}

size_t
gateway_rank(struct ovsdb_idl *nb_idl, const struct uuid *router,
             const struct nbrec_chassis ***rankedp)
{
    const struct nbrec_chassis *ch;
    struct ranked *ranked = NULL;
    size_t n = 0, allocated = 0;

    NBREC_CHASSIS_FOR_EACH (ch, nb_idl) {
        if (ch->gateway_capable) {
            if (n >= allocated) {
                ranked = x2nrealloc(ranked, &allocated, sizeof *ranked);
            }
            ranked[n].ch = ch;
            ranked[n].rank = hash_bytes(router, sizeof *router,
                                        hash_string(ch->name, 0));
            n++;
        }
    }
    if (n) {
        qsort(ranked, n, sizeof *ranked, compare_ranked);
    }
    *rankedp = xmalloc((n + 1) * sizeof **rankedp);
    for (size_t i = 0; i < n; i++) {
        (*rankedp)[i] = ranked[i].ch;
    }
    free(ranked);
    return n;
}

enum l3_gw_role
gateway_role(struct ovsdb_idl *nb_idl, const char *system_id, bool gateway,
             const struct sset *bfd_down, const struct uuid *router)
{
    const struct nbrec_chassis **ranked;
    size_t n = gateway_rank(nb_idl, router, &ranked);
    enum l3_gw_role role = L3_GW_REMOTE;

    if (gateway) {
        role = L3_GW_STANDBY;
        for (size_t i = 0; i < n; i++) {
            const char *name = ranked[i]->name;
            if (!strcmp(name, system_id)) {
                role = L3_GW_ACTIVE;
                break;
            } else if (!sset_contains(bfd_down, name)) {
                break;          /* A better gateway is alive. */
            }
        }
    }
    free(ranked);
    return role;
}

char *
gateway_signature(struct ovsdb_idl *nb_idl, const struct sset *bfd_down)
{
    const struct nbrec_chassis *ch;
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *name;

    NBREC_CHASSIS_FOR_EACH (ch, nb_idl) {
        if (ch->gateway_capable) {
            ds_put_format(&s, "%s,", ch->name);
        }
    }
    ds_put_char(&s, ';');
    SSET_FOR_EACH (name, bfd_down) {
        ds_put_format(&s, "%s,", name);
    }
    return ds_steal_cstr(&s);
}

/*
 * controller/trunk: see trunk.h.
 */

#include <config.h>

#include "controller/trunk.h"

#include "controller/nb-monitor.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "simap.h"
#include "util.h"
#include "uuid.h"

/* The parent's UUID of 't' (from the raw datum: the parent's row may not
 * be monitored), or NULL. */
static const struct uuid *
trunk_parent(const struct nbrec_trunk *t)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(&t->header_,
                                                 &nbrec_trunk_col_port);
    return d->n ? &d->keys[0].uuid : NULL;
}

/* How many times 'port' is a subport, over all trunks; the last trunk and
 * VLAN found in '*tp' and '*vlan'. */
static size_t
count_subport(struct ovsdb_idl *idl, const struct uuid *port,
              const struct nbrec_trunk **tp, uint16_t *vlan)
{
    const struct nbrec_trunk *t;
    size_t n = 0;

    NBREC_TRUNK_FOR_EACH (t, idl) {
        const struct ovsdb_datum *d
            = ovsdb_idl_read(&t->header_, &nbrec_trunk_col_sub_ports);
        for (size_t i = 0; i < d->n; i++) {
            if (uuid_equals(&d->values[i].uuid, port)) {
                *tp = t;
                *vlan = d->keys[i].integer;
                n++;
            }
        }
    }
    return n;
}

static bool
is_parent(struct ovsdb_idl *idl, const struct uuid *port)
{
    const struct nbrec_trunk *t;

    NBREC_TRUNK_FOR_EACH (t, idl) {
        const struct uuid *parent = trunk_parent(t);
        if (parent && uuid_equals(parent, port)) {
            return true;
        }
    }
    return false;
}

const struct nbrec_trunk *
trunk_find_subport(struct ovsdb_idl *idl, const struct uuid *port,
                   uint16_t *vlan, char **error)
{
    const struct nbrec_trunk *t = NULL;
    size_t n = count_subport(idl, port, &t, vlan);

    *error = NULL;
    if (!n) {
        return NULL;
    }
    const struct uuid *parent = trunk_parent(t);
    uint16_t other;
    const struct nbrec_trunk *t2;
    if (n > 1) {
        *error = xasprintf("port "UUID_FMT": subport of more than one "
                           "trunk or twice in trunk "UUID_FMT,
                           UUID_ARGS(port), UUID_ARGS(&t->header_.uuid));
    } else if (!parent || *vlan < 1 || *vlan > 4094) {
        *error = xasprintf("trunk "UUID_FMT": no parent port or VLAN %d "
                           "of subport "UUID_FMT" not in 1..4094",
                           UUID_ARGS(&t->header_.uuid), *vlan,
                           UUID_ARGS(port));
    } else if (uuid_equals(parent, port) || is_parent(idl, port)) {
        *error = xasprintf("trunk "UUID_FMT": subport "UUID_FMT" is a "
                           "trunk's parent", UUID_ARGS(&t->header_.uuid),
                           UUID_ARGS(port));
    } else if (count_subport(idl, parent, &t2, &other)) {
        *error = xasprintf("trunk "UUID_FMT": its parent "UUID_FMT" is a "
                           "subport", UUID_ARGS(&t->header_.uuid),
                           UUID_ARGS(parent));
    }
    return *error ? NULL : t;
}

void
trunk_local_subports(struct ovsdb_idl *idl, const struct simap *vifs,
                     struct simap *out)
{
    const struct nbrec_trunk *t;

    NBREC_TRUNK_FOR_EACH (t, idl) {
        const struct uuid *parent = trunk_parent(t);
        if (!parent) {
            continue;
        }
        char *key = xasprintf(UUID_FMT, UUID_ARGS(parent));
        const struct simap_node *vif = simap_find(vifs, key);
        free(key);
        if (!vif) {
            continue;
        }
        const struct ovsdb_datum *d
            = ovsdb_idl_read(&t->header_, &nbrec_trunk_col_sub_ports);
        for (size_t i = 0; i < d->n; i++) {
            uint16_t vlan;
            char *error;
            if (trunk_find_subport(idl, &d->values[i].uuid, &vlan, &error)
                == t) {
                char *sub = xasprintf(UUID_FMT,
                                      UUID_ARGS(&d->values[i].uuid));
                simap_put(out, sub, vif->data);
                free(sub);
            }
            free(error);
        }
    }
}

/*
 * controller/engine-trunk: the engine's trunk subports (engine-private.h).
 *
 * A subport is local when its trunk's parent has its VIF here (Neutron
 * binds a subport where its parent is): it then gets a local id from the
 * pool of local VLANs (persisted with them, so a restart compiles the same
 * flows) and the pseudo port TRUNK_OFPORT(id) (pipeline/trunk.h), which
 * stands for its VIF in its flows and security groups.  Anywhere else a
 * subport is located by its binding like any port.  A trunk row changed
 * re-evaluates its parent and its subports, those it had included; a
 * parent's VIF that appears, moves or goes re-evaluates its subports.
 */

#include <config.h>

#include "controller/engine-private.h"

#include "controller/bridges.h"
#include "controller/trunk.h"
#include "flow.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/trunk.h"
#include "util.h"
#include "uuid.h"

void
engine_trunk_release(struct engine *e, struct port_state *ps)
{
    uint16_t id = ps->sub_id ? ps->sub_id
                             : engine_persisted_id(e, &ps->uuid);
    if (id) {
        char *key = xasprintf(UUID_FMT, UUID_ARGS(&ps->uuid));
        simap_find_and_delete(&e->subports, key);
        free(key);
        engine_release_id(e, &ps->uuid, &id);
    }
    ps->sub_id = 0;
    ps->subport = false;
    ps->parent = OFPP_NONE;
    ps->vlan = 0;
    memset(&ps->trunk, 0, sizeof ps->trunk);
}

bool
engine_trunk_locate(struct engine *e, const struct nbrec_port *row,
                    struct port_state *ps)
{
    const struct engine_input *in = e->in;
    uint16_t vlan;
    char *error;
    const struct nbrec_trunk *t = trunk_find_subport(in->nb_idl,
                                                     &row->header_.uuid,
                                                     &vlan, &error);
    const struct simap_node *vif = NULL;

    if (error) {
        engine_log_error(e, error);
    }
    if (t && t->port) {
        char *key = xasprintf(UUID_FMT, UUID_ARGS(&t->port->header_.uuid));
        vif = simap_find(&in->ports->vifs, key);
        free(key);
    }
    if (!vif) {
        engine_trunk_release(e, ps);
        return false;
    }

    if (!ps->sub_id) {
        ps->sub_id = engine_persisted_id(e, &ps->uuid);
    }
    engine_alloc_id(e, &ps->uuid, &ps->sub_id);
    if (!ps->sub_id) {
        return false;           /* No id left: logged. */
    }
    ps->subport = true;
    ps->parent = u16_to_ofp(vif->data);
    ps->vlan = vlan;
    ps->trunk = t->header_.uuid;
    ps->ofport = TRUNK_OFPORT(ps->sub_id);

    char *key = xasprintf(UUID_FMT, UUID_ARGS(&ps->uuid));
    simap_put(&e->subports, key, ofp_to_u16(ps->ofport));
    free(key);
    return true;
}

/* Column 'col' of 'row' as a raw datum (it names rows not monitored
 * too), also of a row deleted in this run (its last contents, which the
 * IDL keeps while it tracks the deletion: ovsdb_idl_read() would abort on
 * it); NULL if there is none. */
static const struct ovsdb_datum *
read_column(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_column *col)
{
    if (row->new_datum) {
        return ovsdb_idl_read(row, col);
    } else if (row->tracked_old_datum) {
        return &row->tracked_old_datum[col - row->table->class_->columns];
    }
    return NULL;
}

/* Adds the subports of trunk row 'row' to 'dirty'. */
static void
dirty_subports_of(const struct ovsdb_idl_row *row, struct uuid_set *dirty)
{
    const struct ovsdb_datum *d = read_column(row,
                                              &nbrec_trunk_col_sub_ports);
    for (size_t i = 0; d && i < d->n; i++) {
        uuid_set_add(dirty, &d->values[i].uuid);
    }
}

/* Edge: a trunk changed.  Whether a port is a valid subport depends on
 * every trunk (a port that became a subport invalidates the trunk it is
 * the parent of, and one that left another trunk can make it valid
 * again): every member of every trunk, the changed row's (deleted too),
 * and every port that is a local subport now.  A node holds few trunks
 * (its own, with conditional monitoring). */
void
engine_nb_trunk_dirty_ports(const struct engine *e,
                            const struct engine_input *in,
                            const struct engine_change *change,
                            struct uuid_set *dirty)
{
    const struct nbrec_trunk *t;
    const struct port_state *ps;

    if (change->row) {
        const struct ovsdb_datum *d = read_column(change->row,
                                                  &nbrec_trunk_col_port);
        if (d && d->n) {
            uuid_set_add(dirty, &d->keys[0].uuid);
        }
        dirty_subports_of(change->row, dirty);
    }
    NBREC_TRUNK_FOR_EACH (t, in->nb_idl) {
        const struct ovsdb_datum *d = read_column(&t->header_,
                                                  &nbrec_trunk_col_port);
        if (d && d->n) {
            uuid_set_add(dirty, &d->keys[0].uuid);
        }
        dirty_subports_of(&t->header_, dirty);
    }
    HMAP_FOR_EACH (ps, node, &e->ports) {
        if (ps->subport) {
            uuid_set_add(dirty, &ps->uuid);
        }
    }
}

/* Edge: a port's VIF appeared, moved or left: the subports of the trunks
 * it is the parent of. */
void
engine_vif_dirty_subports(const struct engine *e OVS_UNUSED,
                          const struct engine_input *in,
                          const struct engine_change *change,
                          struct uuid_set *dirty)
{
    const struct nbrec_trunk *t;

    NBREC_TRUNK_FOR_EACH (t, in->nb_idl) {
        const struct ovsdb_datum *d = ovsdb_idl_read(&t->header_,
                                                     &nbrec_trunk_col_port);
        if (d->n && uuid_equals(&d->keys[0].uuid, change->uuid)) {
            dirty_subports_of(&t->header_, dirty);
        }
    }
}

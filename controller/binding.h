/*
 * controller/binding: binds the VIFs plugged into br-int to their NB
 * ports.
 *
 * A VIF is an Interface whose external_ids:iface-id names an NB Port (by
 * UUID, as Nova's os-vif plugs it).  Binding writes a Port_Binding row
 * (port -> this chassis, up=false); once the port's flows are installed,
 * binding_mark_up() sets up=true, which dvr-api shows as ACTIVE.  A
 * binding of this chassis whose VIF is gone is cleared, and a binding
 * whose port was deleted is removed.  Writes are guarded by "verify" on
 * the chassis column, so a port moving to another node never has its new
 * binding overwritten by the old node.
 *
 * Work is proportional to the change: a full pass over the local VIFs
 * when they change (or at startup), otherwise only the NB rows that
 * changed (the IDL's tracked rows).
 */

#ifndef CONTROLLER_BINDING_H
#define CONTROLLER_BINDING_H 1

#include <stdbool.h>

#include "simap.h"
#include "sset.h"

struct nbrec_chassis;
struct nbrec_port;
struct nbrec_port_binding;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct ovsdb_idl_txn;

struct binding_ctx {
    struct sset unknown_logged;     /* iface-ids logged as unknown. */
    struct sset pending_up;         /* Bound here, not yet marked up. */
    bool need_full;                 /* Next run: a full pass. */
    bool startup_done;              /* Unowned stale bindings removed. */
};

struct binding_input {
    struct ovsdb_idl *nb_idl;
    struct ovsdb_idl_index *bindings_by_port;
    struct ovsdb_idl_index *bindings_by_chassis;
    const struct nbrec_chassis *me;
    const struct simap *vifs;       /* iface-id -> br-int ofport. */
    bool vifs_changed;
};

void binding_init(struct binding_ctx *);
void binding_destroy(struct binding_ctx *);
void binding_run(struct binding_ctx *, struct ovsdb_idl_txn *,
                 const struct binding_input *);
/* The binding of 'port': one that places it on a chassis (preferring one
 * that is up) if any, else any, else NULL. */
const struct nbrec_port_binding *binding_find(
    struct ovsdb_idl_index *bindings_by_port, const struct nbrec_port *);

void binding_mark_up(struct binding_ctx *, struct ovsdb_idl_txn *,
                     const struct binding_input *);

#endif /* controller/binding.h */

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
 */

#ifndef CONTROLLER_BINDING_H
#define CONTROLLER_BINDING_H 1

#include <stdbool.h>

#include "simap.h"
#include "sset.h"

struct nbrec_chassis;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct ovsdb_idl_txn;

struct binding_ctx {
    struct sset unknown_logged;     /* iface-ids logged as unknown. */
};

void binding_init(struct binding_ctx *);
void binding_destroy(struct binding_ctx *);

/* 'vifs' maps iface-id to br-int ofport. */
void binding_run(struct binding_ctx *, struct ovsdb_idl_txn *,
                 struct ovsdb_idl *nb_idl,
                 struct ovsdb_idl_index *bindings_by_port,
                 const struct nbrec_chassis *, const struct simap *vifs);
void binding_mark_up(struct ovsdb_idl_txn *, struct ovsdb_idl *nb_idl,
                     struct ovsdb_idl_index *bindings_by_port,
                     const struct nbrec_chassis *, const struct simap *vifs);

#endif /* controller/binding.h */

/*
 * controller/binding: see binding.h.
 */

#include <config.h>

#include "controller/binding.h"

#include <string.h>

#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(binding);

void
binding_init(struct binding_ctx *ctx)
{
    sset_init(&ctx->unknown_logged);
}

void
binding_destroy(struct binding_ctx *ctx)
{
    sset_destroy(&ctx->unknown_logged);
}

static const struct nbrec_port_binding *
find_binding(struct ovsdb_idl_index *index, const struct nbrec_port *port)
{
    struct nbrec_port_binding *target = nbrec_port_binding_index_init_row(
        index);
    const struct nbrec_port_binding *pb, *found = NULL;

    nbrec_port_binding_index_set_port(target, port);
    NBREC_PORT_BINDING_FOR_EACH_EQUAL (pb, target, index) {
        found = pb;
        break;
    }
    nbrec_port_binding_index_destroy_row(target);
    return found;
}

static const struct nbrec_port *
vif_port(struct ovsdb_idl *nb_idl, const char *iface_id)
{
    struct uuid uuid;

    return (uuid_from_string(&uuid, iface_id)
            ? nbrec_port_get_for_uuid(nb_idl, &uuid) : NULL);
}

void
binding_run(struct binding_ctx *ctx, struct ovsdb_idl_txn *txn,
            struct ovsdb_idl *nb_idl,
            struct ovsdb_idl_index *bindings_by_port,
            const struct nbrec_chassis *me, const struct simap *vifs)
{
    const struct nbrec_port_binding *pb;
    const struct simap_node *node;
    const char *name;

    if (!me) {
        return;
    }

    /* Forget unknown iface-ids that went away, so that they are logged
     * again if they come back. */
    SSET_FOR_EACH_SAFE (name, &ctx->unknown_logged) {
        if (!simap_contains(vifs, name)) {
            sset_delete(&ctx->unknown_logged,
                        SSET_NODE_FROM_NAME(name));
        }
    }

    SIMAP_FOR_EACH (node, vifs) {
        const struct nbrec_port *port = vif_port(nb_idl, node->name);
        if (!port) {
            if (sset_add(&ctx->unknown_logged, node->name)) {
                VLOG_WARN("interface with iface-id %s names no NB port: "
                          "ignored", node->name);
            }
            continue;
        }
        sset_find_and_delete(&ctx->unknown_logged, node->name);
        if (!txn) {
            continue;
        }
        pb = find_binding(bindings_by_port, port);
        if (!pb) {
            struct nbrec_port_binding *npb = nbrec_port_binding_insert(txn);
            nbrec_port_binding_set_port(npb, port);
            nbrec_port_binding_set_chassis(npb, me);
            nbrec_port_binding_set_up(npb, false);
            VLOG_INFO("binding port %s to this chassis", node->name);
        } else if (!pb->chassis || pb->chassis != me) {
            nbrec_port_binding_verify_chassis(pb);
            nbrec_port_binding_set_chassis(pb, me);
            nbrec_port_binding_set_up(pb, false);
            VLOG_INFO("binding port %s to this chassis", node->name);
        }
    }

    if (!txn) {
        return;
    }
    /* Bindings of this chassis without a VIF here, and bindings whose port
     * is gone. */
    NBREC_PORT_BINDING_FOR_EACH (pb, nb_idl) {
        if (!pb->port) {
            if (pb->chassis == me || !pb->chassis) {
                nbrec_port_binding_delete(pb);
            }
            continue;
        }
        if (pb->chassis == me) {
            char *id = xasprintf(UUID_FMT,
                                 UUID_ARGS(&pb->port->header_.uuid));
            if (!simap_contains(vifs, id)) {
                VLOG_INFO("unbinding port %s from this chassis", id);
                nbrec_port_binding_verify_chassis(pb);
                nbrec_port_binding_set_chassis(pb, NULL);
                nbrec_port_binding_set_up(pb, false);
            }
            free(id);
        }
    }
}

void
binding_mark_up(struct ovsdb_idl_txn *txn, struct ovsdb_idl *nb_idl,
                struct ovsdb_idl_index *bindings_by_port,
                const struct nbrec_chassis *me, const struct simap *vifs)
{
    const struct simap_node *node;

    if (!txn || !me) {
        return;
    }
    SIMAP_FOR_EACH (node, vifs) {
        const struct nbrec_port *port = vif_port(nb_idl, node->name);
        const struct nbrec_port_binding *pb
            = port ? find_binding(bindings_by_port, port) : NULL;
        if (pb && pb->chassis == me && !pb->up) {
            nbrec_port_binding_set_up(pb, true);
        }
    }
}

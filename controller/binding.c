/*
 * controller/binding: see binding.h.
 */

#include <config.h>

#include "controller/binding.h"

#include <string.h>

#include "controller/nb-monitor.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(binding);

void
binding_init(struct binding_ctx *ctx)
{
    sset_init(&ctx->unknown_logged);
    sset_init(&ctx->pending_up);
    ctx->need_full = true;
    ctx->startup_done = false;
}

void
binding_destroy(struct binding_ctx *ctx)
{
    sset_destroy(&ctx->unknown_logged);
    sset_destroy(&ctx->pending_up);
}

const struct nbrec_port_binding *
binding_find(struct ovsdb_idl_index *bindings_by_port,
             const struct nbrec_port *port)
{
    struct nbrec_port_binding *target = nbrec_port_binding_index_init_row(
        bindings_by_port);
    const struct nbrec_port_binding *pb, *found = NULL;

    nbrec_port_binding_index_set_port(target, port);
    NBREC_PORT_BINDING_FOR_EACH_EQUAL (pb, target, bindings_by_port) {
        if (!found || (pb->chassis && (!found->chassis || pb->up))) {
            found = pb;
        }
    }
    nbrec_port_binding_index_destroy_row(target);
    return found;
}

static const struct nbrec_port *
vif_port(struct ovsdb_idl *nb_idl, const char *iface_id)
{
    struct uuid uuid;

    return (uuid_from_string(&uuid, iface_id)
            ? NB_GET(port, nb_idl, &uuid) : NULL);
}

/* Binds the VIF 'iface_id' if it names a port. */
static void
bind_vif(struct binding_ctx *ctx, struct ovsdb_idl_txn *txn,
         const struct binding_input *in, const char *iface_id)
{
    const struct nbrec_port *port = vif_port(in->nb_idl, iface_id);
    const struct nbrec_port_binding *pb;

    if (!port) {
        if (sset_add(&ctx->unknown_logged, iface_id)) {
            VLOG_WARN("interface with iface-id %s names no NB port: "
                      "ignored", iface_id);
        }
        return;
    }
    sset_find_and_delete(&ctx->unknown_logged, iface_id);
    pb = binding_find(in->bindings_by_port, port);
    if (!pb) {
        struct nbrec_port_binding *npb = nbrec_port_binding_insert(txn);
        nbrec_port_binding_set_port(npb, port);
        nbrec_port_binding_set_chassis(npb, in->me);
        nbrec_port_binding_set_up(npb, false);
        VLOG_INFO("binding port %s to this chassis", iface_id);
        sset_add(&ctx->pending_up, iface_id);
    } else if (pb->chassis != in->me) {
        nbrec_port_binding_verify_chassis(pb);
        nbrec_port_binding_set_chassis(pb, in->me);
        nbrec_port_binding_set_up(pb, false);
        VLOG_INFO("binding port %s to this chassis", iface_id);
        sset_add(&ctx->pending_up, iface_id);
    } else if (!pb->up) {
        sset_add(&ctx->pending_up, iface_id);
    }
}

/* Clears 'pb' (of this chassis) if its port is gone or not plugged here. */
static void
check_own_binding(struct ovsdb_idl_txn *txn, const struct binding_input *in,
                  const struct nbrec_port_binding *pb)
{
    if (!pb->port) {
        nbrec_port_binding_delete(pb);
        return;
    }
    char *id = xasprintf(UUID_FMT, UUID_ARGS(&pb->port->header_.uuid));
    if (!simap_contains(in->vifs, id)) {
        VLOG_INFO("unbinding port %s from this chassis", id);
        nbrec_port_binding_verify_chassis(pb);
        nbrec_port_binding_set_chassis(pb, NULL);
        nbrec_port_binding_set_up(pb, false);
    }
    free(id);
}

static void
full_pass(struct binding_ctx *ctx, struct ovsdb_idl_txn *txn,
          const struct binding_input *in)
{
    const struct nbrec_port_binding *pb;
    const struct simap_node *node;
    const char *name;

    SSET_FOR_EACH_SAFE (name, &ctx->unknown_logged) {
        if (!simap_contains(in->vifs, name)) {
            sset_delete(&ctx->unknown_logged, SSET_NODE_FROM_NAME(name));
        }
    }
    SIMAP_FOR_EACH (node, in->vifs) {
        bind_vif(ctx, txn, in, node->name);
    }

    struct nbrec_port_binding *target = nbrec_port_binding_index_init_row(
        in->bindings_by_chassis);
    nbrec_port_binding_index_set_chassis(target, in->me);
    NBREC_PORT_BINDING_FOR_EACH_EQUAL (pb, target, in->bindings_by_chassis) {
        check_own_binding(txn, in, pb);
    }
    nbrec_port_binding_index_destroy_row(target);

    if (!ctx->startup_done) {
        /* Bindings whose port was deleted while no controller ran. */
        NBREC_PORT_BINDING_FOR_EACH (pb, in->nb_idl) {
            if (!pb->port && !pb->chassis) {
                nbrec_port_binding_delete(pb);
            }
        }
        ctx->startup_done = true;
    }
}

static void
incremental_pass(struct binding_ctx *ctx, struct ovsdb_idl_txn *txn,
                 const struct binding_input *in)
{
    const struct nbrec_port_binding *pb;
    const struct nbrec_port *port;

    /* A port created after its VIF was plugged. */
    NBREC_PORT_FOR_EACH_TRACKED (port, in->nb_idl) {
        if (nbrec_port_is_new(port)) {
            char *id = xasprintf(UUID_FMT, UUID_ARGS(&port->header_.uuid));
            if (simap_contains(in->vifs, id)) {
                bind_vif(ctx, txn, in, id);
            }
            free(id);
        }
    }
    /* Our bindings whose port went away. */
    NBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, in->nb_idl) {
        if (!nbrec_port_binding_is_deleted(pb) && pb->chassis == in->me
            && !pb->port) {
            nbrec_port_binding_delete(pb);
        }
    }
}

void
binding_run(struct binding_ctx *ctx, struct ovsdb_idl_txn *txn,
            const struct binding_input *in)
{
    if (!in->me || !txn) {
        /* The ports that arrive meanwhile are not tracked next time. */
        ctx->need_full = true;
        return;
    }
    if (ctx->need_full || in->vifs_changed) {
        full_pass(ctx, txn, in);
        ctx->need_full = false;
    } else {
        incremental_pass(ctx, txn, in);
    }
}

void
binding_mark_up(struct binding_ctx *ctx, struct ovsdb_idl_txn *txn,
                const struct binding_input *in)
{
    const char *name;

    if (!txn || !in->me) {
        return;
    }
    SSET_FOR_EACH_SAFE (name, &ctx->pending_up) {
        const struct nbrec_port *port = vif_port(in->nb_idl, name);
        const struct nbrec_port_binding *pb
            = port ? binding_find(in->bindings_by_port, port) : NULL;

        if (!port || !simap_contains(in->vifs, name)) {
            /* Gone: nothing to mark. */
        } else if (!pb) {
            continue;               /* Inserted, not yet in the index. */
        } else if (pb->chassis == in->me && !pb->up) {
            nbrec_port_binding_set_up(pb, true);
        }
        sset_delete(&ctx->pending_up, SSET_NODE_FROM_NAME(name));
    }
}

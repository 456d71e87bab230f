/*
 * dvr/gateway: which chassis performs a router's SNAT.
 *
 * A router's gateway chassis are the gateway-capable chassis of the NB
 * database ranked by a hash of their name and the router's UUID
 * (rendezvous hashing): every node computes the same order without a
 * scheduler, routers spread over the gateways, and a router moves only
 * when its own gateway goes.  The active gateway is the first in that
 * order that is alive, as this node's BFD sessions see it.
 *
 * Pure functions of the NB contents and the BFD state: no I/O.
 */

#ifndef DVR_GATEWAY_H
#define DVR_GATEWAY_H 1

#include <stdbool.h>
#include <stddef.h>

#include "dvr/l3.h"

struct nbrec_chassis;
struct ovsdb_idl;
struct sset;
struct uuid;

/* Stores in '*rankedp' (caller frees) the gateway chassis of 'router',
 * best first, and returns their number. */
size_t gateway_rank(struct ovsdb_idl *nb_idl, const struct uuid *router,
                    const struct nbrec_chassis ***rankedp);

/* This chassis' ('system_id', gateway-capable if 'gateway') role for a
 * router with a gateway; 'bfd_down' names the chassis BFD sees down. */
enum l3_gw_role gateway_role(struct ovsdb_idl *nb_idl, const char *system_id,
                             bool gateway, const struct sset *bfd_down,
                             const struct uuid *router);

/* A string that changes whenever a role may change. */
char *gateway_signature(struct ovsdb_idl *nb_idl, const struct sset *bfd_down);

#endif /* dvr/gateway.h */

/*
 * controller/trunk: the NB trunks (Neutron's VLAN-aware VMs) as this
 * chassis reads them.
 *
 * A Trunk row has a parent port and subports keyed by VLAN id (the schema
 * makes a VLAN id unique per trunk and keeps it in 1..4094).  A subport
 * has no VIF: it is where its parent is.  These helpers decide, without
 * writing anything, which trunk a port is a valid subport of.  A row the
 * API would have refused (written by another client) is not used, and
 * the error names it: a port that is the subport of two trunks or twice
 * in one, the parent of a trunk and a subport, a trunk whose parent is a
 * subport, a subport that is its trunk's parent.
 */

#ifndef CONTROLLER_TRUNK_H
#define CONTROLLER_TRUNK_H 1

#include <stdint.h>

struct nbrec_port;
struct nbrec_trunk;
struct ovsdb_idl;
struct simap;
struct uuid;

/* The trunk whose subport 'port' is, with the subport's VLAN in '*vlan',
 * or NULL.  If 'port' is a subport only of invalid rows, returns NULL and
 * sets '*error' (malloc'd) to what is wrong. */
const struct nbrec_trunk *trunk_find_subport(struct ovsdb_idl *,
                                             const struct uuid *port,
                                             uint16_t *vlan, char **error);

/* Adds to 'out' every valid subport (UUID as a string) of the trunks whose
 * parent is among 'vifs' (iface-id -> ofport), with its parent's ofport. */
void trunk_local_subports(struct ovsdb_idl *, const struct simap *vifs,
                          struct simap *out);

#endif /* controller/trunk.h */

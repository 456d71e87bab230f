/*
 * controller/chassis: this node's Chassis row in the NB database, and its
 * acknowledgement of the NB change sequence number (nb_cfg).
 *
 * The acknowledgement lives in its own table, Chassis_Private, which no
 * row refers to: every Port_Binding refers to its Chassis, and a write to
 * a referenced row makes every IDL client re-parse all referring rows.
 */

#ifndef CONTROLLER_CHASSIS_H
#define CONTROLLER_CHASSIS_H 1

#include <stdint.h>

struct dvr_config;
struct nbrec_chassis;
struct ovsdb_idl;
struct ovsdb_idl_txn;

/* Creates or updates this chassis' row; returns it (NULL if it does not
 * exist yet and 'txn' is NULL). */
const struct nbrec_chassis *chassis_run(struct ovsdb_idl_txn *,
                                        struct ovsdb_idl *nb_idl,
                                        const struct dvr_config *);

/* Records that the flows for NB sequence number 'nb_cfg' are installed. */
void chassis_ack(struct ovsdb_idl_txn *, struct ovsdb_idl *nb_idl,
                 const struct dvr_config *, int64_t nb_cfg);

#endif /* controller/chassis.h */

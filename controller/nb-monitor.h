/*
 * controller/nb-monitor: conditional monitoring of the NB database.
 *
 * With external_ids:dvr-monitor-all=false (the default) a compute node
 * asks the NB server only for the rows it needs, so its memory and the
 * updates it receives grow with what it hosts, not with the cloud:
 *
 *   - its local ports (the VIFs' iface-ids);
 *   - the networks it needs: those of its local ports, of their floating
 *     IPs, and of every interface and the gateway of a router that has an
 *     interface on one of those ("active" routers); their subnets;
 *   - every port and fixed IP of a needed network, except on an external
 *     network without a local port, of which only the routers' gateway
 *     ports and the floating IPs' ports (and their fixed IPs) are asked
 *     for;
 *   - the active routers, and the floating IPs of its ports and of those
 *     routers;
 *   - the security groups of its local ports and their rules, and the
 *     groups those rules name as remote groups with their member ports
 *     (and those ports' fixed IPs), wherever they are;
 *   - the bindings of the ports it holds and its own, every chassis, its
 *     own Chassis_Private row, the gateway assignments, NB_Global, and
 *     the Instance rows of its local ports.
 *
 * The sets are computed from what the IDL holds, so they grow in rounds
 * (a local port's row arrives, then its network's rows, then its
 * routers'); each round is one condition change.
 *
 * A gateway chassis ('gateway') also needs every router that has a
 * gateway, since routers are ranked over every gateway-capable chassis and
 * a standby holds the router's flows as the active one does: the Router
 * condition adds "gateway_port != []" (a column monitored from the first
 * request: see below), and such a router is active there, its interfaces'
 * networks needed as a local port's are (the other routers on those are
 * asked for but not active for that); the floating IPs of the external
 * networks it holds are asked for too.  Not asked for: routers without a
 * gateway, networks on none of those with no local port, the security
 * groups of ports that are not local.  dvr-monitor-all=true ('all')
 * monitors everything.
 *
 * It also counts, per table, the rows the node receives (inserted,
 * changed or deleted) and the size of the JSON updates that carried them,
 * for "status".
 *
 * Working around ovsdb-server 3.1: ovsdb-server shares one monitor among
 * the clients that ask for the same columns, and a condition on a column
 * that the monitor does not hold yet adds that column to the shared
 * monitor; rows that were already queued for the other clients lack it,
 * and composing their update reads past the end of the row (a SIGSEGV of
 * the NB server, seen when a new Raft leader served the reconnecting
 * controllers under API load).  So the only such column, "_uuid", is in
 * the controller's first request for every table whose conditions use it,
 * in both modes (nothing is added to a monitor later), and the
 * controller's monitored columns differ from those of any client that
 * monitors every column (dvr-api, the Neutron driver, ovsdb-client): it
 * does not monitor the columns it never reads (the descriptions), so no
 * monitor is shared with a client without "_uuid".
 *
 * Contract: nb_monitor_prepare() once after creating the IDL;
 * nb_monitor_start() before the IDL connects (conditional: the first
 * download is then only the chassis and the global row, and on a gateway
 * the routers with a gateway, not the cloud);
 * nb_monitor_count() after each ovsdb_idl_run() (before the changes are
 * cleared: it also notes which tables changed, and the sets are computed
 * again only for a change of a table they are computed from, or when no
 * change was counted); nb_monitor_run() before each engine run; until
 * nb_monitor_ready() the view is still growing towards what the node
 * needs and must not be compiled (flows installed before a restart stay
 * as they are).  nb_monitor_run() returns true once the server has
 * applied a condition change whose rows the engine has not compiled yet
 * (the caller then binds the VIFs whose ports arrived; the rows are tracked
 * changes like any other, and the IDL reports the rows that refer to an
 * arriving row as changed too).  nb_monitor_converged() is true when the
 * server has applied the conditions that the current view implies: only then
 * does the node hold every row its ports need, and only then may it
 * acknowledge an nb_cfg (a view between two rounds compiles to a part of the
 * node's flows).  Lookups by UUID use NB_GET(), and the engine
 * treats a row whose mandatory reference is not (yet) monitored as
 * absent.
 */

#ifndef CONTROLLER_NB_MONITOR_H
#define CONTROLLER_NB_MONITOR_H 1

#include <stdbool.h>

struct ds;
struct nb_monitor;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct ovsdb_idl_row;
struct ovsdb_idl_table_class;
struct simap;
struct uuid;

struct nb_monitor_input {
    struct ovsdb_idl *idl;
    struct ovsdb_idl_index *ports_by_network;
    const char *chassis;            /* This chassis' name. */
    const struct simap *vifs;       /* iface-id -> ofport. */
    bool all;                       /* Monitor everything. */
    bool gateway;                   /* A gateway chassis. */
};

/* The row of 'TABLE' (e.g. port) with UUID 'UUID', or NULL: unlike
 * nbrec_TABLE_get_for_uuid(), never the empty placeholder the IDL keeps
 * for a row that a monitored row refers to but that is not monitored. */
#define NB_GET(TABLE, IDL, UUID)                                        \
    ((const struct nbrec_##TABLE *)                                     \
     nb_row_get(IDL, &nbrec_table_##TABLE, UUID))
const struct ovsdb_idl_row *nb_row_get(const struct ovsdb_idl *,
                                       const struct ovsdb_idl_table_class *,
                                       const struct uuid *);

struct nb_monitor *nb_monitor_create(void);
void nb_monitor_destroy(struct nb_monitor *);
void nb_monitor_prepare(struct ovsdb_idl *);
void nb_monitor_start(struct nb_monitor *, struct ovsdb_idl *,
                      const char *chassis, bool all, bool gateway);
void nb_monitor_count(struct nb_monitor *, struct ovsdb_idl *);
bool nb_monitor_run(struct nb_monitor *, const struct nb_monitor_input *);
bool nb_monitor_ready(const struct nb_monitor *);
bool nb_monitor_converged(const struct nb_monitor *);
void nb_monitor_wait(const struct nb_monitor *);
void nb_monitor_status(const struct nb_monitor *, struct ovsdb_idl *,
                       struct ds *);

#endif /* controller/nb-monitor.h */

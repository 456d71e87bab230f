/*
 * controller/engine-sg: the incremental compilation of security groups
 * (pipeline/sg) into br-int's desired flows, for controller/engine.
 *
 * It keeps, between runs, what each port contributed: its br-int port if
 * local, its groups and its addresses, so that a change recompiles only
 * what it touches:
 *   - a port's own flows (its entry into sg_egress and sg_ingress, its
 *     groups) when the port, its VIF or its groups change;
 *   - a group's rules when its rules change or when it gets its first local
 *     member (groups without a local member have no flows);
 *   - the flows of one remote address in one group when the address joins
 *     or leaves a remote group that the group's rules name.
 * A full run (after engine_sg_clear()) goes through the same code for every
 * port and group and gives the same flows.
 *
 * Flow owners: a port's flows carry its cookie, a group's its rules' or
 * its own; each (port), (group) and (group, remote address) is one owner
 * in the flow_set, under a key of its own (see owner_key() in the .c).
 */

#ifndef CONTROLLER_ENGINE_SG_H
#define CONTROLLER_ENGINE_SG_H 1

#include <stddef.h>
#include <stdint.h>

struct ds;
struct engine_input;
struct flow_set;
struct simap;
struct uuid;

struct engine_sg_stats {
    uint64_t n_errors;              /* Rules skipped as invalid. */
    uint64_t last_n_ports;          /* Work of the last run: ports, */
    uint64_t last_n_groups;         /* groups and */
    uint64_t last_n_addresses;      /* remote addresses compiled. */
    long long int last_usec;        /* Duration of the last run. */
    long long int last_full_usec;   /* Of the last run after a clear. */
};

struct engine_sg *engine_sg_create(void);
void engine_sg_destroy(struct engine_sg *);

/* Forgets all state: the next run is a full one (the caller has cleared
 * the flow set). */
void engine_sg_clear(struct engine_sg *);

/* Brings the security group flows in 'int_flows' up to date with the NB
 * database: 'ports' are the ports that changed since the last run (NB row,
 * binding, VIF, or their network got its local id) or, after
 * engine_sg_clear(), all of them; changed groups and rules come from the
 * IDL's change tracking.  'lvids' maps network UUIDs (as strings) to their
 * local ids: a member's addresses count on its network's.  'subports'
 * maps the local trunk subports (UUIDs as strings) to their pseudo ports
 * (pipeline/trunk.h), which stand for their VIFs. */
void engine_sg_run(struct engine_sg *, const struct engine_input *,
                   const struct simap *lvids, const struct simap *subports,
                   const struct uuid *ports, size_t n_ports,
                   struct flow_set *int_flows);

const struct engine_sg_stats *engine_sg_get_stats(const struct engine_sg *);

/* Local ports and groups with flows, for "ovs-appctl ... sg/show". */
void engine_sg_format(const struct engine_sg *, struct ds *);

#endif /* controller/engine-sg.h */

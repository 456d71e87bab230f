/*
 * bench-sg-member: measures the time from adding one member to a security
 * group to the moment a chassis acknowledges having installed the result.
 *
 * Usage: bench-sg-member NB_REMOTE CHASSIS GROUP N [PORT...]
 *
 * N times, in one transaction each with a bump of NB_Global.nb_cfg: adds
 * group GROUP (by name) to the next of the given ports (round robin) or,
 * without ports, inserts a new port in GROUP with a fresh address on the
 * network and subnet of an existing member (a member bound nowhere: for
 * the chassis, an address of a remote group).  Then waits until CHASSIS
 * reports that nb_cfg in Chassis_Private (the controller acknowledges only
 * after its bundle committed).  Prints p50, p99 and maximum in ms.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench-util.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

static const struct nbrec_security_group *
find_group(struct ovsdb_idl *idl, const char *name)
{
    const struct nbrec_security_group *sg;

    NBREC_SECURITY_GROUP_FOR_EACH (sg, idl) {
        if (!strcmp(sg->name, name)) {
            return sg;
        }
    }
    return NULL;
}

/* A port of 'sg' with a fixed IP, to copy the network and subnet from. */
static const struct nbrec_port *
find_member(struct ovsdb_idl *idl, const struct nbrec_security_group *sg)
{
    const struct nbrec_port *port;

    NBREC_PORT_FOR_EACH (port, idl) {
        for (size_t i = 0; i < port->n_security_groups; i++) {
            if (port->security_groups[i] == sg && port->n_fixed_ips) {
                return port;
            }
        }
    }
    return NULL;
}

static void
wait_connected(struct ovsdb_idl *idl, const char *chassis, const char *group)
{
    long long int deadline = time_msec() + 10000;

    for (;;) {
        /* Checked after the run that may have brought the rows, not after
         * the poll that sleeps until the next message. */
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)
            && bench_find_chassis(idl, chassis) && find_group(idl, group)) {
            break;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "no chassis %s or no group %s", chassis, group);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    bench_watch_chassis(idl, chassis);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    if (argc < 5) {
        ovs_fatal(0, "usage: %s NB_REMOTE CHASSIS GROUP N [PORT...]",
                  argv[0]);
    }
    const char *chassis = argv[2], *group = argv[3];
    int n = atoi(argv[4]);
    char **ports = &argv[5];
    int n_ports = argc - 5;
    struct ovsdb_idl *idl = ovsdb_idl_create(argv[1], &nbrec_idl_class,
                                             true, true);
    wait_connected(idl, chassis, group);

    long long int *lat = xmalloc(n * sizeof *lat);
    for (int i = 0; i < n; i++) {
        const struct nbrec_security_group *sg = find_group(idl, group);
        int64_t next_cfg;
        struct ovsdb_idl_txn *txn = bench_txn_begin(idl, &next_cfg);

        if (n_ports) {
            struct uuid uuid;
            const struct nbrec_port *port = NULL;
            if (uuid_from_string(&uuid, ports[i % n_ports])) {
                port = nbrec_port_get_for_uuid(idl, &uuid);
            }
            if (!port) {
                ovs_fatal(0, "no port %s", ports[i % n_ports]);
            }
            nbrec_port_update_security_groups_addvalue(port, sg);
        } else {
            const struct nbrec_port *member = find_member(idl, sg);
            if (!member) {
                ovs_fatal(0, "group %s has no member with an address",
                          group);
            }
            struct nbrec_fixed_ip *ip = nbrec_fixed_ip_insert(txn);
            char addr[32], mac[32];
            snprintf(addr, sizeof addr, "10.0.%d.%d", 200 + i / 250,
                     i % 250 + 2);
            snprintf(mac, sizeof mac, "fa:16:3f:00:%02x:%02x",
                     (i >> 8) & 0xff, i & 0xff);
            nbrec_fixed_ip_set_subnet(ip, member->fixed_ips[0]->subnet);
            nbrec_fixed_ip_set_ip_address(ip, addr);
            struct nbrec_port *port = nbrec_port_insert(txn);
            nbrec_port_set_network(port, member->network);
            nbrec_port_set_mac_address(port, mac);
            nbrec_port_set_admin_state_up(port, true);
            nbrec_port_set_port_security_enabled(port, true);
            nbrec_port_set_device_owner(port, "compute:nova");
            nbrec_port_set_fixed_ips(port, &ip, 1);
            struct nbrec_security_group *sgs[1] = {
                CONST_CAST(struct nbrec_security_group *, sg)
            };
            nbrec_port_set_security_groups(port, sgs, 1);
        }

        lat[i] = bench_commit_and_wait(idl, txn, chassis, next_cfg);
    }
    bench_print_latency(n_ports ? "one local member added to installed"
                        : "one remote member added to installed", lat, n);
    free(lat);
    ovsdb_idl_destroy(idl);
    return 0;
}

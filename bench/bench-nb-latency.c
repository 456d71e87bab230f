/*
 * bench-nb-latency: measures the time from an NB change to the moment a
 * chassis acknowledges having installed it.
 *
 * Usage: bench-nb-latency NB_REMOTE CHASSIS N [fip|local|remote]
 *
 * N times: changes the MAC address of one port to one it does not have
 * (the values differ from run to run) (round robin over the ports of the
 * NB database; with "local" over the ports bound to CHASSIS;
 * with "remote" over the VM ports bound elsewhere, on networks where
 * CHASSIS has no port) or, with "fip", associates the next
 * unassociated floating IP with the next port that has no device_owner
 * (a VM's), and bumps NB_Global.nb_cfg in the same transaction, then
 * waits until chassis CHASSIS reports that nb_cfg in Chassis_Private (the
 * controller acknowledges only after its bundle committed).  Prints the
 * p50, p99 and maximum latency in milliseconds.
 */

#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench-util.h"
#include "hmapx.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "random.h"
#include "timeval.h"
#include "util.h"

static bool
port_has_fip(struct ovsdb_idl *idl, const struct nbrec_port *port)
{
    const struct nbrec_floating_ip *fip;

    NBREC_FLOATING_IP_FOR_EACH (fip, idl) {
        if (fip->port == port) {
            return true;
        }
    }
    return false;
}

/* Sorts the bindings: the ports bound to 'chassis' ('here'), those bound
 * elsewhere, and the networks where 'chassis' has a port. */
static void
sort_bindings(struct ovsdb_idl *idl, const char *chassis, struct hmapx *here,
              struct hmapx *elsewhere, struct hmapx *local_nets)
{
    const struct nbrec_port_binding *pb;

    NBREC_PORT_BINDING_FOR_EACH (pb, idl) {
        if (!pb->port) {
            continue;
        }
        if (pb->chassis && !strcmp(pb->chassis->name, chassis)) {
            hmapx_add(here, CONST_CAST(struct nbrec_port *, pb->port));
            hmapx_add(local_nets,
                      CONST_CAST(struct nbrec_network *, pb->port->network));
        } else {
            hmapx_add(elsewhere, CONST_CAST(struct nbrec_port *, pb->port));
        }
    }
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    const char *mode = argc == 5 ? argv[4] : "";
    if (argc != 4 && (argc != 5 || (strcmp(mode, "fip")
                                    && strcmp(mode, "local")
                                    && strcmp(mode, "remote")))) {
        ovs_fatal(0, "usage: %s NB_REMOTE CHASSIS N [fip|local|remote]",
                  argv[0]);
    }
    int n = atoi(argv[3]);
    bool fip_mode = !strcmp(mode, "fip");
    bool local_mode = !strcmp(mode, "local");
    bool remote_mode = !strcmp(mode, "remote");
    struct ovsdb_idl *idl = ovsdb_idl_create(argv[1], &nbrec_idl_class,
                                             true, true);
    /* The first download of a 1,000-hypervisor NB takes a while. */
    long long int deadline = time_msec() + 300000;
    for (;;) {
        /* The check follows the run that may have brought the rows: the
         * poll below sleeps until the next message (or the deadline). */
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)
            && bench_find_chassis(idl, argv[2]) && nbrec_port_first(idl)) {
            break;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "no chassis %s or no port in %s", argv[2], argv[1]);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }

    bench_watch_chassis(idl, argv[2]);

    struct hmapx here = HMAPX_INITIALIZER(&here);
    struct hmapx elsewhere = HMAPX_INITIALIZER(&elsewhere);
    struct hmapx local_nets = HMAPX_INITIALIZER(&local_nets);
    sort_bindings(idl, argv[2], &here, &elsewhere, &local_nets);

    size_t n_ports = 0;
    const struct nbrec_port *port;
    NBREC_PORT_FOR_EACH (port, idl) {
        n_ports++;
    }
    const struct nbrec_port **ports = xmalloc(n_ports * sizeof *ports);
    n_ports = 0;
    NBREC_PORT_FOR_EACH (port, idl) {
        if (local_mode) {
            if (hmapx_contains(&here, port)) {
                ports[n_ports++] = port;
            }
        } else if (remote_mode) {
            if (hmapx_contains(&elsewhere, port)
                && !hmapx_contains(&local_nets, port->network)) {
                ports[n_ports++] = port;
            }
        } else if (!fip_mode || (!port->device_owner[0]
                                 && port->n_fixed_ips
                                 && !port_has_fip(idl, port))) {
            ports[n_ports++] = port;
        }
    }
    if (!n_ports) {
        ovs_fatal(0, "no port to change in mode '%s'", mode);
    }
    const struct nbrec_floating_ip **fips = NULL;
    size_t n_fips = 0;
    if (fip_mode) {
        const struct nbrec_floating_ip *fip;
        NBREC_FLOATING_IP_FOR_EACH (fip, idl) {
            if (!fip->port) {
                fips = xrealloc(fips, (n_fips + 1) * sizeof *fips);
                fips[n_fips++] = fip;
            }
        }
        if (n_fips < (size_t) n || n_ports < (size_t) n) {
            ovs_fatal(0, "fip: %d changes need as many unassociated "
                      "floating IPs (%"PRIuSIZE") and VM ports (%"PRIuSIZE")",
                      n, n_fips, n_ports);
        }
    }

    int run_salt = random_range(64);
    long long int *lat = xmalloc(n * sizeof *lat);
    for (int i = 0; i < n; i++) {
        int64_t next_cfg;
        struct ovsdb_idl_txn *txn = bench_txn_begin(idl, &next_cfg);
        if (fip_mode) {
            nbrec_floating_ip_set_port(fips[i], ports[i]);
            nbrec_floating_ip_set_fixed_ip_address(
                fips[i], ports[i]->fixed_ips[0]->ip_address);
        } else {
            /* A MAC the port does not have yet: a run that repeated an
             * earlier run's values would change nothing, and
             * ovsdb-server sends no update for an unchanged column. */
            const struct nbrec_port *p = ports[i % n_ports];
            char mac[32];
            for (int salt = run_salt; ; salt++) {
                snprintf(mac, sizeof mac, "fa:16:%02x:%02x:%02x:%02x",
                         0x40 | (salt & 0x3f), (i >> 16) & 0xff,
                         (i >> 8) & 0xff, i & 0xff);
                if (strcmp(mac, p->mac_address)) {
                    break;
                }
            }
            nbrec_port_set_mac_address(p, mac);
        }

        lat[i] = bench_commit_and_wait(idl, txn, argv[2], next_cfg);
    }
    bench_print_latency(fip_mode ? "floating-IP association to installed"
                        : local_mode ? "local port change to installed"
                        : remote_mode ? "remote port change to acknowledged"
                        : "one-port change to installed", lat, n);
    free(lat);
    free(ports);
    hmapx_destroy(&here);
    hmapx_destroy(&elsewhere);
    hmapx_destroy(&local_nets);
    free(fips);
    ovsdb_idl_destroy(idl);
    return 0;
}

/*
 * test-nb-idl: round-trips rows through the generated IDLs against real
 * ovsdb-servers.
 *
 * Usage: test-nb-idl NB_REMOTE OVS_REMOTE
 *
 * Against the NB database it writes a network and a subnet through one IDL
 * connection, reads them back through a second one, and checks that the
 * schema's strong references refuse to delete a network that a subnet
 * still uses.  Against a switch's Open_vSwitch database it reads the
 * bridges through the vswitch IDL.  Exits 0 when every check holds.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-idl.h"

static int failures;

#define CHECK(COND)                                                     \
    do {                                                                \
        if (!(COND)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n",                \
                    __FILE__, __LINE__, #COND);                         \
            failures++;                                                 \
        }                                                               \
    } while (0)

/* Runs 'idl' until its contents reflect the server (at least one full
 * sequence after connecting) or 10 seconds pass. */
static void
sync_idl(struct ovsdb_idl *idl)
{
    long long int deadline = time_msec() + 10000;

    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)
            && !ovsdb_idl_is_lock_contended(idl)
            && ovsdb_idl_get_seqno(idl) > 0) {
            return;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "timed out connecting to %s",
                      "the database");
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Runs 'idl' until 'done(idl)' or 10 seconds. */
static bool
run_until(struct ovsdb_idl *idl, bool (*done)(struct ovsdb_idl *))
{
    long long int deadline = time_msec() + 10000;

    for (;;) {
        ovsdb_idl_run(idl);
        if (done(idl)) {
            return true;
        }
        if (time_msec() > deadline) {
            return false;
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
has_subnet(struct ovsdb_idl *idl)
{
    return nbrec_subnet_first(idl) != NULL;
}

static void
test_nb(const char *remote)
{
    struct ovsdb_idl *writer = ovsdb_idl_create(remote, &nbrec_idl_class,
                                                true, true);
    struct ovsdb_idl *reader = ovsdb_idl_create(remote, &nbrec_idl_class,
                                                true, true);
    sync_idl(writer);
    sync_idl(reader);

    /* Insert a network and a subnet that refers to it. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(writer);
    const struct nbrec_network *net = nbrec_network_insert(txn);
    nbrec_network_set_name(net, "net-a");
    nbrec_network_set_provider_network_type(net, "vxlan");
    int64_t vni = 1001;
    nbrec_network_set_provider_segmentation_id(net, &vni, 1);
    nbrec_network_set_mtu(net, 1450);
    nbrec_network_set_admin_state_up(net, true);
    const struct nbrec_subnet *subnet = nbrec_subnet_insert(txn);
    nbrec_subnet_set_name(subnet, "subnet-a");
    nbrec_subnet_set_network(subnet, net);
    nbrec_subnet_set_cidr(subnet, "10.0.0.0/24");
    nbrec_subnet_set_ip_version(subnet, 4);
    nbrec_subnet_set_gateway_ip(subnet, "10.0.0.1");
    nbrec_subnet_set_enable_dhcp(subnet, true);
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    CHECK(status == TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    /* The second connection sees both rows, the reference resolved. */
    CHECK(run_until(reader, has_subnet));
    const struct nbrec_subnet *seen = nbrec_subnet_first(reader);
    if (seen) {
        CHECK(!strcmp(seen->cidr, "10.0.0.0/24"));
        CHECK(seen->gateway_ip && !strcmp(seen->gateway_ip, "10.0.0.1"));
        CHECK(seen->network && !strcmp(seen->network->name, "net-a"));
        CHECK(seen->network && seen->network->n_provider_segmentation_id
              && seen->network->provider_segmentation_id[0] == 1001);
    }

    /* A network that a subnet still refers to cannot be deleted. */
    net = nbrec_network_first(writer);
    CHECK(net != NULL);
    if (net) {
        txn = ovsdb_idl_txn_create(writer);
        nbrec_network_delete(net);
        status = ovsdb_idl_txn_commit_block(txn);
        CHECK(status == TXN_ERROR);
        ovsdb_idl_txn_destroy(txn);
    }

    /* A second network with the same VNI violates the index. */
    txn = ovsdb_idl_txn_create(writer);
    const struct nbrec_network *dup = nbrec_network_insert(txn);
    nbrec_network_set_name(dup, "net-dup");
    nbrec_network_set_provider_network_type(dup, "vxlan");
    nbrec_network_set_provider_segmentation_id(dup, &vni, 1);
    nbrec_network_set_mtu(dup, 1450);
    status = ovsdb_idl_txn_commit_block(txn);
    CHECK(status == TXN_ERROR);
    ovsdb_idl_txn_destroy(txn);

    /* Subnet and network deleted together: allowed. */
    ovsdb_idl_run(writer);
    txn = ovsdb_idl_txn_create(writer);
    nbrec_subnet_delete(nbrec_subnet_first(writer));
    nbrec_network_delete(nbrec_network_first(writer));
    status = ovsdb_idl_txn_commit_block(txn);
    CHECK(status == TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    ovsdb_idl_destroy(writer);
    ovsdb_idl_destroy(reader);
}

static bool
has_bridge(struct ovsdb_idl *idl)
{
    return ovsrec_bridge_first(idl) != NULL;
}

static void
test_vswitch(const char *remote)
{
    struct ovsdb_idl *idl = ovsdb_idl_create(remote, &ovsrec_idl_class,
                                             true, true);
    sync_idl(idl);
    CHECK(run_until(idl, has_bridge));
    const struct ovsrec_bridge *br = ovsrec_bridge_first(idl);
    CHECK(br && !strcmp(br->name, "br-test"));
    CHECK(br && !strcmp(br->datapath_type, "dummy"));
    CHECK(ovsrec_open_vswitch_first(idl) != NULL);
    ovsdb_idl_destroy(idl);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    if (argc != 3) {
        ovs_fatal(0, "usage: %s NB_REMOTE OVS_REMOTE", argv[0]);
    }
    test_nb(argv[1]);
    test_vswitch(argv[2]);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}

/*
 * pipeline/tables: the table map and register conventions of dvrflow's
 * bridges.  doc/pipeline.md describes each table; keep the two in step.
 *
 * br-int
 *   classify (0)      in_port -> network (metadata) and origin (reg0)
 *   port_security (10) a VIF sends only from its MAC and addresses
 *   arp_responder (40) ARP requests for known addresses answered here
 *   l2_lookup (60)    destination MAC -> local VIF, uplink, or flood
 * br-tun
 *   tun_classify (0)  from br-int -> tun_out, from a tunnel -> tun_in
 *   tun_out (1)       local VLAN + MAC -> VNI + tunnel to the owner chassis
 *   tun_in (10)       VNI -> local VLAN -> br-int
 * br-ex (each mapped provider bridge)
 *   ex_classify (0)   local VLAN <-> flat/VLAN segment of the physnet
 *
 * Registers
 *   metadata          the network's local VLAN id (1..4094) on br-int
 *   reg0 bit 0        the packet came from another node (via br-tun or
 *                     br-ex): it is not sent back there
 */

#ifndef PIPELINE_TABLES_H
#define PIPELINE_TABLES_H 1

#include <stdint.h>

enum {
    T_CLASSIFY = 0,
    T_PORT_SEC = 10,
    T_ARP_RESP = 40,
    T_L2_LOOKUP = 60,
};

enum {
    T_TUN_CLASSIFY = 0,
    T_TUN_OUT = 1,
    T_TUN_IN = 10,
};

enum {
    T_EX_CLASSIFY = 0,
};

/* reg0 flags. */
#define REG_FLAGS 0
#define FLAG_FROM_REMOTE 0x1

/* The cookie of flows that no NB row owns (the static skeleton). */
#define COOKIE_STATIC 0

enum pipeline_bridge {
    BRIDGE_INT,
    BRIDGE_TUN,
    BRIDGE_EX,
    N_BRIDGE_KINDS
};

struct table_name {
    uint8_t id;
    const char *name;
};

/* The named tables of bridge 'kind', terminated by a NULL name. */
const struct table_name *pipeline_table_names(enum pipeline_bridge kind);

#endif /* pipeline/tables.h */

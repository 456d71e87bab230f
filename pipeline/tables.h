/*
 * pipeline/tables: the table map and register conventions of dvrflow's
 * bridges.  doc/pipeline.md describes each table; keep the two in step.
 *
 * br-int
 *   classify (0)      in_port -> network (metadata) and origin (reg0)
 *   qos_egress (5)    a VIF's QoS: its egress meter, DSCP mark
 *                     (pipeline/qos.h)
 *   port_security (10) a VIF sends only from its MAC and addresses
 *   ipv6_security (11) IPv6 from a VIF with port security: no router
 *                     advertisement, redirect or DHCPv6 server reply;
 *                     neighbour discovery only for its own addresses
 *   port_security_load (12) IPv4 and ARP: the source address and MAC into
 *                     registers (static); DHCP from 0.0.0.0
 *   port_security_addr (13) one flow per IPv4 address of a VIF
 *   sg_egress (20-29) security groups on what a VIF sends
 *   punt (30)         DHCP and metadata traffic to the controller's services
 *   arp_responder (40) ARP requests for known addresses answered here
 *   l2_lookup (60)    destination MAC -> local VIF (via reg7), uplink,
 *                     router (l3_input) or flood
 *   sg_ingress (70-77) security groups on what a VIF receives (reg7)
 *   qos_ingress (79)  a VIF's QoS: its ingress meter (pipeline/qos.h)
 *   output (80)       output to the port in reg7
 *   to_sender (81)    a reply back to where the packet came from: out
 *                     IN_PORT, or for a trunk's subport out its parent's
 *                     VIF tagged with its VLAN (pipeline/trunk.h)
 *   l3_input (100)    a packet to a router MAC: the router's own IPs, TTL
 *   l3_route (110)    longest-prefix match -> egress network, next hop
 *   l3_to_gw (115)    external traffic of a compute node -> gateway chassis
 *   l3_mtu (118)      too big for the egress network: "fragmentation
 *                     needed" (resubmitted to before the MACs change)
 *   l3_egress (120)   MTU, TTL decrement, source MAC, SNAT choice
 *   l3_nexthop (130)  next-hop IP -> destination MAC, then l2_lookup
 *   l3_ext_in (140)   packets to a floating IP or a router's gateway IP
 *   pin_meter (150)   a packet-in a VIF caused: through the VIF's own meter
 *   pin_out (151)     the packet-in of the opcode in reg0[24..31]
 * br-tun
 *   tun_classify (0)  from br-int -> tun_out, from a tunnel -> tun_in
 *   tun_out (1)       local VLAN + MAC -> VNI + tunnel to the owner chassis
 *   tun_in (10)       VNI -> local VLAN -> br-int
 * br-ex (each mapped provider bridge)
 *   ex_classify (0)   local VLAN <-> flat/VLAN segment of the physnet
 *
 * Registers (br-int)
 *   metadata          the network's local VLAN id (1..4094)
 *   reg0              flags: bit 0 FROM_REMOTE (came from another node via
 *                     br-tun or br-ex: not sent back there), bit 1
 *                     PKT_LARGER (larger than the egress MTU), bit 2
 *                     ND_REPLY (arp_responder's second pass); bits 8-15
 *                     security groups; bits 16-23 DHCP and metadata;
 *                     bits 24-31 the packet-in opcode (pin_meter, pin_out)
 *   reg1              routing: the router's local id (1..4094)
 *   reg2              routing: the next-hop IPv4 address
 *   reg3              routing: the egress network's MTU
 *   reg4              routing: the router's IPv4 address on the ingress
 *                     network (source of the ICMP errors it sends)
 *   reg5, reg6        security groups (conjunction ids, zones)
 *   reg7              the output port (l2_lookup -> sg_ingress -> output)
 *   reg8              security groups: the local id of the network the
 *                     packet's peer is on (pipeline/sg.h)
 *   reg9, reg10, reg11  port security: the IPv4 source address and MAC
 *                     of what a VIF sends (port_security_load to
 *                     port_security_addr), reg10 bit 16 "the port's own
 *                     MAC"
 *   xxreg3 (reg12-15) routing, IPv6: the router's IPv6 address on the
 *                     ingress network (l2_lookup to l3_mtu: the source of
 *                     the ICMPv6 errors it sends), then the next hop
 *
 * Conntrack zones (16 bits)
 *   ofport            security groups of the VIF with that OpenFlow port
 *                     (a VIF whose ofport is above ZONE_MAX_OFPORT is
 *                     not used, with a log line: controller/bridges.c)
 *   0x4000 | ofport   floating-IP NAT of that VIF
 *   0x8000 | lid      SNAT of the router with local id 'lid'
 *   0xc000 | ofport   metadata service connections of that VIF
 *
 * Packet-ins carry a controller() userdata whose first byte is a
 * "enum pin_op"; they all go through meter PIN_METER_ID, and every
 * packet-in a VIF can cause first through that VIF's own meter.
 */

#ifndef PIPELINE_TABLES_H
#define PIPELINE_TABLES_H 1

#include <stdint.h>

enum {
    T_CLASSIFY = 0,
    T_QOS_EGRESS = 5,
    T_PORT_SEC = 10,
    T_IP6_SEC = 11,
    T_PORT_SEC_LOAD = 12,
    T_PORT_SEC_ADDR = 13,
    T_SG_EGRESS = 20,
    T_PUNT = 30,
    T_ARP_RESP = 40,
    T_L2_LOOKUP = 60,
    T_SG_INGRESS = 70,
    T_QOS_INGRESS = 79,
    T_OUTPUT = 80,
    T_TO_SENDER = 81,
    T_L3_INPUT = 100,
    T_L3_ROUTE = 110,
    T_L3_TO_GW = 115,
    T_L3_MTU = 118,
    T_L3_EGRESS = 120,
    T_L3_NEXTHOP = 130,
    T_L3_EXT_IN = 140,
    T_PIN_METER = 150,
    T_PIN_OUT = 151,
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
#define FLAG_PKT_LARGER 0x2
#define FLAG_ND_REPLY 0x4       /* A neighbour advertisement being built
                                 * (pipeline/l2, table arp_responder). */

/* Register numbers. */
#define REG_ROUTER 1
#define REG_NEXTHOP 2
#define REG_MTU 3
#define REG_ROUTER_IP 4
#define REG_OUTPORT 7
#define REG_NEXTHOP6 12         /* xxreg3: reg12 (high) to reg15 (low). */
/* Port security (port_security_load -> port_security_addr): the IPv4
 * source address (nw_src or arp_spa) and the source MAC (dl_src or
 * arp_sha: its high 16 bits in REG_SRC_MAC_HI[0..15], its low 32 bits in
 * REG_SRC_MAC_LO); FLAG_OWN_MAC in REG_SRC_MAC_HI: the frame came from the
 * port's own MAC (not an address pair's). */
#define REG_SRC_IP4 9
#define REG_SRC_MAC_HI 10
#define REG_SRC_MAC_LO 11
#define FLAG_OWN_MAC 0x10000

/* Conntrack zone bases. */
#define ZONE_FIP_BASE 0x4000
#define ZONE_SNAT_BASE 0x8000
#define ZONE_META_BASE 0xc000
#define ZONE_MAX_OFPORT 0x3fff

/* Packet-in opcodes: the first byte of a controller() action's userdata. */
enum pin_op {
    PIN_DHCP = 1,               /* A DHCP request from a VIF. */
    PIN_ICMP_TTL = 2,           /* Send "time exceeded" (from reg4). */
    PIN_ICMP_FRAG = 3,          /* Send "fragmentation needed" (reg3). */
    PIN_ICMP_UNREACH = 4,       /* Send "destination unreachable". */
    PIN_ARP_LEARN = 5,          /* An ARP reply to learn a next hop. */
    PIN_ARP_RESOLVE = 6,        /* Next hop (reg2) unknown: ask by ARP. */
    PIN_ND_RS = 7,              /* An IPv6 router solicitation from a VIF
                                 * (controller/ra-server). */
    PIN_ICMP6_TTL = 8,          /* Send ICMPv6 "time exceeded" (from the
                                 * router's IPv6 address in xxreg3). */
    PIN_ICMP6_UNREACH = 9,      /* ICMPv6 "destination unreachable". */
    PIN_ICMP6_BIG = 10,         /* ICMPv6 "packet too big" (reg3). */
    PIN_DHCP6 = 11,             /* A DHCPv6 client message from a VIF
                                 * (controller/dhcp6-server). */
};

/* The meter every packet-in goes through. */
#define PIN_METER_ID 1

/* Per-VIF meters, applied before PIN_METER_ID to every packet-in a VIF
 * causes (its DHCP in table punt, the others in pin_meter): the VIF with
 * OpenFlow port P has meter PIN_PORT_METER(P) of its own, which the
 * controller makes when the VIF appears and deletes when it goes (meter
 * ids are 32 bits: no two VIFs share one). */
#define PIN_PORT_METER_BASE 0x10000
#define PIN_PORT_METER(OFPORT) \
    ((uint32_t) (PIN_PORT_METER_BASE + ofp_to_u16(OFPORT)))

/* reg0 bits 24-31: the opcode of a packet-in on its way through pin_meter
 * to pin_out. */
#define PIN_OP_SHIFT 24

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

/*
 * pipeline/tables: see tables.h.
 */

#include <config.h>

#include "pipeline/tables.h"

#include "pipeline/sg.h"

#include <stddef.h>

static const struct table_name int_tables[] = {
    { T_CLASSIFY, "classify" },
    { T_QOS_EGRESS, "qos_egress" },
    { T_PORT_SEC, "port_security" },
    { T_IP6_SEC, "ipv6_security" },
    { T_PORT_SEC_LOAD, "port_security_load" },
    { T_PORT_SEC_ADDR, "port_security_addr" },
    { T_SG_EGRESS, "sg_egress" },
    { T_SG_EGRESS_CT, "sg_egress_ct" },
    { T_SG_EGRESS_STATE, "sg_egress_state" },
    { T_SG_EGRESS_VERDICT, "sg_egress_verdict" },
    { T_SG_EGRESS_PEER, "sg_egress_peer" },
    { T_SG_PORT_GROUPS, "sg_port_groups" },
    { T_SG_RULES, "sg_rules" },
    { T_SG_EGRESS_PEER_NET, "sg_egress_peer_net" },
    { T_PUNT, "punt" },
    { T_ARP_RESP, "arp_responder" },
    { T_L2_LOOKUP, "l2_lookup" },
    { T_SG_INGRESS, "sg_ingress" },
    { T_SG_INGRESS_CT, "sg_ingress_ct" },
    { T_SG_INGRESS_STATE, "sg_ingress_state" },
    { T_SG_INGRESS_VERDICT, "sg_ingress_verdict" },
    { T_SG_INGRESS_PEER, "sg_ingress_peer" },
    { T_SG_INGRESS_PEER_NET, "sg_ingress_peer_net" },
    { T_QOS_INGRESS, "qos_ingress" },
    { T_OUTPUT, "output" },
    { T_TO_SENDER, "to_sender" },
    { T_L3_INPUT, "l3_input" },
    { T_L3_ROUTE, "l3_route" },
    { T_L3_TO_GW, "l3_to_gw" },
    { T_L3_MTU, "l3_mtu" },
    { T_L3_EGRESS, "l3_egress" },
    { T_L3_NEXTHOP, "l3_nexthop" },
    { T_L3_EXT_IN, "l3_ext_in" },
    { T_PIN_METER, "pin_meter" },
    { T_PIN_OUT, "pin_out" },
    { 0, NULL },
};

static const struct table_name tun_tables[] = {
    { T_TUN_CLASSIFY, "tun_classify" },
    { T_TUN_OUT, "tun_out" },
    { T_TUN_IN, "tun_in" },
    { 0, NULL },
};

static const struct table_name ex_tables[] = {
    { T_EX_CLASSIFY, "ex_classify" },
    { 0, NULL },
};

const struct table_name *
pipeline_table_names(enum pipeline_bridge kind)
{
    switch (kind) {
    case BRIDGE_INT:
        return int_tables;
    case BRIDGE_TUN:
        return tun_tables;
    case BRIDGE_EX:
        return ex_tables;
    case N_BRIDGE_KINDS:
    default:
        return NULL;
    }
}

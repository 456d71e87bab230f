/*
 * controller/pinctrl: the controller's packet path.  One non-blocking
 * OpenFlow 1.3 connection to br-int's management socket receives the
 * packet-ins that flows send with controller(userdata=OP...) and sends
 * packet-outs.
 *
 * Contract
 *   - On every (re)connection it asks for NXT_PACKET_IN2 (so a packet-in
 *     carries the registers and metadata of the flow that sent it) and
 *     installs meter PIN_METER_ID (pipeline/tables.h), which every
 *     controller() action of the pipeline goes through, so a VIF flooding
 *     the controller cannot starve the others.
 *   - A packet-in is dispatched on the first byte of its userdata ("enum
 *     pin_op") to the handler registered for it.  Handlers run in the main
 *     loop, must not block, and own nothing of the packet after they
 *     return.  Packet-ins without a handler, without userdata or that fail
 *     to decode are dropped and counted.
 *   - Packet-outs are queued on the connection; while it is down they are
 *     dropped and counted (the senders retry: DHCP clients, ARP
 *     resolution).
 *   - It also installs one meter per VIF, PIN_PORT_METER(ofport)
 *     (pipeline/tables.h), for the VIFs pinctrl_set_vif_meters() names,
 *     and deletes it when the VIF goes: every packet-in a VIF can cause
 *     goes through it first, so that one VIF's flood uses up its own
 *     budget, not everybody's, and no two VIFs share one.
 *   - pinctrl_is_ready() is true once the switch has acknowledged the
 *     meters on the current connection, including those of the VIFs added
 *     since (a barrier): flows that use them must not be installed before
 *     (the switch refuses a flow with an unknown meter).
 */

#ifndef CONTROLLER_PINCTRL_H
#define CONTROLLER_PINCTRL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"

struct dp_packet;
struct uuid;
struct simap;
struct ds;
struct flow;
struct ofpbuf;
struct pinctrl;

/* One received packet-in, as a handler sees it. */
struct pinctrl_packet {
    const struct dp_packet *packet; /* The frame, parsed (l2..l4 set). */
    const struct flow *headers;     /* Its headers, from flow_extract(). */
    const struct flow *md;          /* Pipeline metadata at the controller()
                                     * action: in_port, metadata, regs. */
    const uint8_t *userdata;        /* After the opcode byte. */
    size_t userdata_len;
    uint8_t table_id;               /* The table of the sending flow. */
    uint64_t cookie;                /* Its cookie (the owning row). */
};

typedef void pinctrl_handler_cb(struct pinctrl *,
                                const struct pinctrl_packet *, void *aux);

/* Counters (controller/exporter exports them). */
struct pinctrl_stats {
    uint64_t n_connects;
    uint64_t n_in[256];             /* Packet-ins handled, by opcode. */
    uint64_t n_no_handler;          /* Without a handler or userdata. */
    uint64_t n_bad;                 /* That failed to decode. */
    uint64_t n_out;                 /* Packet-outs sent. */
    uint64_t n_out_dropped;         /* Not connected or queue full. */
};

struct pinctrl *pinctrl_create(const char *bridge, const char *rundir);
void pinctrl_destroy(struct pinctrl *);

/* Registers 'cb' for packet-ins whose userdata starts with 'op'. */
void pinctrl_register(struct pinctrl *, uint8_t op, pinctrl_handler_cb *cb,
                      void *aux);

/* Sets meter PIN_METER_ID's rate (packets per second, burst 'burst'). */
void pinctrl_set_meter(struct pinctrl *, uint32_t pps, uint32_t burst);

/* Sets the rate of each per-VIF meter. */
void pinctrl_set_port_meter(struct pinctrl *, uint32_t pps, uint32_t burst);

/* True once the meters are installed on the current connection. */
/* The VIFs on the bridge (iface-id -> ofport): each gets its meter, the
 * meters of VIFs that went are deleted. */
void pinctrl_set_vif_meters(struct pinctrl *, const struct simap *vifs);

bool pinctrl_is_ready(const struct pinctrl *);

/* False if the switch refused a meter (a datapath without meters): flows
 * must then do without them. */
bool pinctrl_meters_ok(const struct pinctrl *);

void pinctrl_run(struct pinctrl *);
void pinctrl_wait(struct pinctrl *);

/* The port UUID that a per-VIF packet-in carries after its opcode (as
 * pipeline/services.c puts it: its 16 bytes in the order of its text
 * form) into '*uuid'; false if the userdata is not one UUID. */
bool pinctrl_packet_uuid(const struct pinctrl_packet *, struct uuid *);

/* Sends 'frame' ('len' bytes) into br-int as if received on 'in_port'
 * (OFPP_CONTROLLER for none) and applies 'ofpacts' to it. */
void pinctrl_send(struct pinctrl *, const void *frame, size_t len,
                  ofp_port_t in_port, const struct ofpbuf *ofpacts);

const struct pinctrl_stats *pinctrl_get_stats(const struct pinctrl *);

/* The name of packet-in opcode 'op' ("dhcp", "arp-resolve", ...), or NULL
 * for an opcode the pipeline does not use. */
const char *pinctrl_op_name(uint8_t op);

/* Asks the switch for every meter's statistics, unless a request is in
 * flight (and less than 10 s old) or the connection is down.  The reply (read
 * by pinctrl_run()) replaces what pinctrl_meter_drops() reports. */
void pinctrl_request_meter_stats(struct pinctrl *);

/* Sets '*drops' to the packets meter 'meter_id' dropped, as of the last
 * complete reply, and returns true; false if that reply did not name the
 * meter (or none came yet). */
bool pinctrl_meter_drops(const struct pinctrl *, uint32_t meter_id,
                         uint64_t *drops);

/* time_msec() of the last complete meter statistics reply, or 0. */
long long int pinctrl_meter_stats_msec(const struct pinctrl *);

/* "status" of the packet path: connection, counters per opcode. */
void pinctrl_format_status(const struct pinctrl *, struct ds *);

#endif /* controller/pinctrl.h */

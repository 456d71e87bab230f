/*
 * controller/dhcp6-server: see dhcp6-server.h.
 */

#include <config.h>

#include "controller/dhcp6-server.h"

#include <netinet/ip6.h>
#include <stdlib.h>
#include <string.h>

#include "controller/nb-monitor.h"
#include "controller/pinctrl.h"
#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/actions.h"
#include "pipeline/dhcp6.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dhcp6_server);

#define DEFAULT_LEASE_TIME 86400

/* Why a message got no answer. */
enum drop_reason {
    DROP_USERDATA,              /* The flow's userdata is not a UUID. */
    DROP_NO_PORT,               /* The port is gone. */
    DROP_NOT_UDP,               /* Not an unfragmented UDP datagram. */
    DROP_BAD_SOURCE,            /* From :: or a multicast address. */
    DROP_NO_SUBNET,             /* No DHCPv6 subnet on the network. */
    DROP_NO_REPLY,              /* Another server's, a Confirm of nothing. */
    N_DROP_REASONS
};

static const char *const drop_names[N_DROP_REASONS] = {
    [DROP_USERDATA] = "bad userdata",
    [DROP_NO_PORT] = "unknown port",
    [DROP_NOT_UDP] = "not UDP",
    [DROP_BAD_SOURCE] = "bad source address",
    [DROP_NO_SUBNET] = "no DHCPv6 subnet",
    [DROP_NO_REPLY] = "no reply due",
};

struct dhcp6_server {
    struct ovsdb_idl *nb_idl;
    struct dp_packet reply;             /* Reused for every reply. */
    uint64_t n_requests[DHCP6_N_TYPES]; /* By message type. */
    uint64_t n_replies[DHCP6_N_TYPES];  /* By message type. */
    uint64_t n_no_addrs;                /* Answers with NoAddrsAvail. */
    uint64_t n_not_on_link;             /* Answers with NotOnLink. */
    uint64_t n_parse_errors[DHCP6_PARSE_N_RESULTS];
    uint64_t n_drops[N_DROP_REASONS];
};

struct dhcp6_server *
dhcp6_server_create(struct ovsdb_idl *nb_idl)
{
    struct dhcp6_server *s = xzalloc(sizeof *s);

    s->nb_idl = nb_idl;
    dp_packet_init(&s->reply, DHCP6_MAX_REPLY + 128);
    return s;
}

void
dhcp6_server_destroy(struct dhcp6_server *s)
{
    if (s) {
        dp_packet_uninit(&s->reply);
        free(s);
    }
}

/* The subnet's ipv6_address_mode if it serves DHCPv6: "dhcpv6-stateful"
 * or "dhcpv6-stateless"; else NULL. */
static const char *
dhcp6_mode(const struct nbrec_subnet *subnet)
{
    const char *mode = smap_get(&subnet->external_ids,
                                "neutron:ipv6_address_mode");

    if (subnet->ip_version != 6 || !subnet->enable_dhcp || !mode
        || (strcmp(mode, "dhcpv6-stateful")
            && strcmp(mode, "dhcpv6-stateless"))) {
        return NULL;
    }
    return mode;
}

bool
dhcp6_server_lease_for_port(struct ovsdb_idl *idl,
                            const struct nbrec_port *port,
                            const struct nbrec_nb_global *global,
                            struct dhcp6_lease *lease)
{
    const struct nbrec_network *net = port->network;
    const struct nbrec_subnet *subnet;
    bool served = false;

    memset(lease, 0, sizeof *lease);
    if (!net) {
        return false;
    }
    NBREC_SUBNET_FOR_EACH (subnet, idl) {
        struct in6_addr prefix;
        unsigned int plen;

        if (subnet->network != net || subnet->ip_version != 6) {
            continue;
        }
        char *error = ipv6_parse_cidr(subnet->cidr, &prefix, &plen);
        if (error) {
            free(error);
            continue;
        }
        if (lease->n_links < DHCP6_MAX_LINKS) {
            lease->links[lease->n_links] = prefix;
            lease->link_plens[lease->n_links++] = plen;
        }
        if (!dhcp6_mode(subnet)) {
            continue;
        }
        served = true;
        for (size_t i = 0; i < subnet->n_dns_nameservers
                           && lease->n_dns < DHCP6_MAX_DNS; i++) {
            if (ipv6_parse(subnet->dns_nameservers[i],
                           &lease->dns[lease->n_dns])) {
                lease->n_dns++;
            }
        }
    }
    if (!served) {
        return false;
    }

    for (size_t i = 0; i < port->n_fixed_ips
                       && lease->n_addrs < DHCP6_MAX_ADDRS; i++) {
        const struct nbrec_fixed_ip *fip = port->fixed_ips[i];
        const char *mode = fip->subnet ? dhcp6_mode(fip->subnet) : NULL;

        if (mode && !strcmp(mode, "dhcpv6-stateful")
            && ipv6_parse(fip->ip_address, &lease->addrs[lease->n_addrs])) {
            lease->n_addrs++;
        }
    }

    lease->server_mac = (struct eth_addr) SERVICES_MAC;
    uint32_t lease_time = global ? smap_get_uint(&global->options,
                                                 "dhcp_lease_time", 0) : 0;
    if (!lease_time) {
        lease_time = DEFAULT_LEASE_TIME;
    }
    lease->valid_lifetime = lease->preferred_lifetime = lease_time;
    lease->t1 = lease_time / 2;
    lease->t2 = (uint32_t) ((uint64_t) lease_time * 4 / 5);

    services_dns_domain(global, lease->domain, sizeof lease->domain);
    return true;
}

static void
handle_dhcp6(struct pinctrl *pinctrl, const struct pinctrl_packet *pp,
             void *s_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct dhcp6_server *s = s_;
    const struct flow *h = pp->headers;
    struct uuid uuid;

    if (!pinctrl_packet_uuid(pp, &uuid)) {
        s->n_drops[DROP_USERDATA]++;
        return;
    }
    const struct nbrec_port *port = NB_GET(port, s->nb_idl, &uuid);
    if (!port) {
        s->n_drops[DROP_NO_PORT]++;
        return;
    }
    if (h->dl_type != htons(ETH_TYPE_IPV6) || h->nw_proto != IPPROTO_UDP
        || h->nw_frag || !dp_packet_l4(pp->packet)
        || dp_packet_l4_size(pp->packet) < UDP_HEADER_LEN) {
        s->n_drops[DROP_NOT_UDP]++;
        return;
    }
    if (ipv6_addr_equals(&h->ipv6_src, &in6addr_any)
        || ipv6_addr_is_multicast(&h->ipv6_src)) {
        s->n_drops[DROP_BAD_SOURCE]++;
        return;
    }

    /* The UDP length, unless the frame is shorter (Ethernet padding makes
     * it longer). */
    const struct udp_header *udp = dp_packet_l4(pp->packet);
    size_t len = dp_packet_l4_size(pp->packet) - UDP_HEADER_LEN;
    size_t udp_len = ntohs(udp->udp_len);
    if (udp_len >= UDP_HEADER_LEN && udp_len - UDP_HEADER_LEN < len) {
        len = udp_len - UDP_HEADER_LEN;
    }

    struct dhcp6_request req;
    enum dhcp6_parse_result r = dhcp6_parse(udp + 1, len, &req);
    if (r != DHCP6_PARSE_OK) {
        s->n_parse_errors[r]++;
        VLOG_DBG_RL(&rl, "port "UUID_FMT": dropped DHCPv6 message: %s",
                    UUID_ARGS(&uuid), dhcp6_parse_result_to_string(r));
        return;
    }
    s->n_requests[req.type]++;

    struct dhcp6_lease lease;
    if (!dhcp6_server_lease_for_port(s->nb_idl, port,
                                     nbrec_nb_global_first(s->nb_idl),
                                     &lease)) {
        s->n_drops[DROP_NO_SUBNET]++;
        return;
    }
    struct dhcp6_answer a;
    if (!dhcp6_decide(&req, &lease, &a)) {
        s->n_drops[DROP_NO_REPLY]++;
        return;
    }
    if (a.status == DHCP6_STATUS_NO_ADDRS_AVAIL
        || (a.ias && !lease.n_addrs)) {
        s->n_no_addrs++;
    } else if (a.status == DHCP6_STATUS_NOT_ON_LINK) {
        s->n_not_on_link++;
    }
    dhcp6_build_reply(&req, &lease, &a, h->dl_src, &h->ipv6_src, &s->reply);

    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    /* Back to the client's port, through table to_sender: a trunk's
     * subport has no OpenFlow port of its own (pipeline/trunk.h). */
    put_to_sender(&ofpacts);
    pinctrl_send(pinctrl, dp_packet_data(&s->reply),
                 dp_packet_size(&s->reply), pp->md->in_port.ofp_port,
                 &ofpacts);
    ofpbuf_uninit(&ofpacts);
    s->n_replies[a.type]++;
}

void
dhcp6_server_attach(struct dhcp6_server *s, struct pinctrl *pinctrl)
{
    pinctrl_register(pinctrl, PIN_DHCP6, handle_dhcp6, s);
}

void
dhcp6_server_format_status(const struct dhcp6_server *s, struct ds *out)
{
    ds_put_cstr(out, "dhcpv6: requests");
    for (int t = 1; t < DHCP6_N_TYPES; t++) {
        if (s->n_requests[t]) {
            ds_put_format(out, " %s %"PRIu64, dhcp6_type_to_string(t),
                          s->n_requests[t]);
        }
    }
    ds_put_cstr(out, "; replies");
    for (int t = 1; t < DHCP6_N_TYPES; t++) {
        if (s->n_replies[t]) {
            ds_put_format(out, " %s %"PRIu64, dhcp6_type_to_string(t),
                          s->n_replies[t]);
        }
    }
    if (s->n_no_addrs) {
        ds_put_format(out, " (no address %"PRIu64")", s->n_no_addrs);
    }
    if (s->n_not_on_link) {
        ds_put_format(out, " (not on link %"PRIu64")", s->n_not_on_link);
    }
    ds_put_cstr(out, "; dropped");
    for (int r = 1; r < DHCP6_PARSE_N_RESULTS; r++) {
        if (s->n_parse_errors[r]) {
            ds_put_format(out, " %s %"PRIu64,
                          dhcp6_parse_result_to_string(r),
                          s->n_parse_errors[r]);
        }
    }
    for (int r = 0; r < N_DROP_REASONS; r++) {
        if (s->n_drops[r]) {
            ds_put_format(out, " %s %"PRIu64, drop_names[r], s->n_drops[r]);
        }
    }
    ds_put_char(out, '\n');
}

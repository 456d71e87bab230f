/*
 * controller/dhcp-server: see dhcp-server.h.
 */

#include <config.h>

#include "controller/dhcp-server.h"

#include <stdlib.h>
#include <string.h>

#include "controller/pinctrl.h"
#include "controller/nb-monitor.h"
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
#include "pipeline/dhcp.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dhcp_server);

#define DEFAULT_LEASE_TIME 86400

/* Why a message got no answer. */
enum drop_reason {
    DROP_USERDATA,              /* The flow's userdata is not a UUID. */
    DROP_NO_PORT,               /* The port is gone. */
    DROP_NOT_UDP,               /* Not an unfragmented UDP datagram. */
    DROP_NO_LEASE,              /* No IPv4 address with DHCP. */
    DROP_CHADDR,                /* chaddr is not the port's MAC. */
    DROP_NO_REPLY,              /* RELEASE, DECLINE, another server's. */
    N_DROP_REASONS
};

static const char *const drop_names[N_DROP_REASONS] = {
    [DROP_USERDATA] = "bad userdata",
    [DROP_NO_PORT] = "unknown port",
    [DROP_NOT_UDP] = "not UDP",
    [DROP_NO_LEASE] = "no DHCP address",
    [DROP_CHADDR] = "foreign chaddr",
    [DROP_NO_REPLY] = "no reply due",
};

struct dhcp_server {
    struct ovsdb_idl *nb_idl;
    struct dp_packet reply;             /* Reused for every reply. */
    uint64_t n_requests[DHCPV4_INFORM + 1];     /* By message type. */
    uint64_t n_replies[DHCPV4_INFORM + 1];      /* By message type. */
    uint64_t n_parse_errors[DHCP_PARSE_N_RESULTS];
    uint64_t n_drops[N_DROP_REASONS];
};

struct dhcp_server *
dhcp_server_create(struct ovsdb_idl *nb_idl)
{
    struct dhcp_server *s = xzalloc(sizeof *s);

    s->nb_idl = nb_idl;
    dp_packet_init(&s->reply, DHCP_MAX_REPLY + 64);
    return s;
}

void
dhcp_server_destroy(struct dhcp_server *s)
{
    if (s) {
        dp_packet_uninit(&s->reply);
        free(s);
    }
}

/* Copies to 'dst' (DHCP_MAX_HOSTNAME + 1 bytes) the first label of
 * 'name', as far as it is a valid host name. */
static void
copy_hostname(char *dst, const char *name)
{
    size_t n = 0;

    for (; name[n] && name[n] != '.' && n < DHCP_MAX_HOSTNAME; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-')) {
            break;
        }
        dst[n] = c;
    }
    dst[n] = '\0';
}

bool
dhcp_server_lease_for_port(const struct nbrec_port *port,
                           const struct nbrec_nb_global *global,
                           struct dhcp_lease *lease)
{
    const struct nbrec_fixed_ip *fip = services_dhcp_ip(port);
    const struct nbrec_subnet *subnet;
    unsigned int plen;
    ovs_be32 net;
    char *error;

    memset(lease, 0, sizeof *lease);
    if (!fip) {
        return false;
    }
    subnet = fip->subnet;
    error = ip_parse_cidr(subnet->cidr, &net, &plen);
    if (error) {
        free(error);
        return false;
    }
    ovs_assert(ip_parse(fip->ip_address, &lease->ip));
    lease->server_mac = (struct eth_addr) SERVICES_MAC;
    lease->netmask = be32_prefix_mask(plen);
    lease->server_ip = services_dhcp_server_ip(fip);
    if (lease->server_ip != htonl(SERVICES_META_IP)) {
        lease->router = lease->server_ip;
    }

    for (size_t i = 0; i < subnet->n_dns_nameservers
                       && lease->n_dns < DHCP_MAX_DNS; i++) {
        if (ip_parse(subnet->dns_nameservers[i],
                     &lease->dns[lease->n_dns])) {
            lease->n_dns++;
        }
    }

    const struct smap_node **routes = smap_sort(&subnet->host_routes);
    for (size_t i = 0; i < smap_count(&subnet->host_routes); i++) {
        struct dhcp_route r;
        unsigned int rplen;

        error = ip_parse_cidr(routes[i]->key, &r.dst, &rplen);
        if (error) {
            free(error);
            continue;
        }
        if (!ip_parse(routes[i]->value, &r.gw)) {
            continue;
        }
        r.plen = rplen;
        if (!rplen) {
            /* A default host route replaces the gateway's. */
            lease->router = r.gw;
        } else if (lease->n_routes < DHCP_MAX_ROUTES) {
            lease->routes[lease->n_routes++] = r;
        }
    }
    free(routes);
    if (!lease->router && lease->n_routes < DHCP_MAX_ROUTES) {
        /* Without a gateway the metadata address is on link (its ARP is
         * answered by pipeline/services). */
        lease->routes[lease->n_routes++] = (struct dhcp_route) {
            .dst = htonl(SERVICES_META_IP), .plen = 32, .gw = 0,
        };
    }

    lease->mtu = port->network ? port->network->mtu : 0;
    lease->lease_time = global ? smap_get_uint(&global->options,
                                               "dhcp_lease_time", 0) : 0;
    if (!lease->lease_time) {
        lease->lease_time = DEFAULT_LEASE_TIME;
    }

    if (port->dns_name && port->dns_name[0]) {
        copy_hostname(lease->hostname, port->dns_name);
    }
    if (!lease->hostname[0]) {
        /* Neutron's default: host-10-0-0-11. */
        char ip[INET_ADDRSTRLEN];
        snprintf(ip, sizeof ip, IP_FMT, IP_ARGS(lease->ip));
        for (char *p = ip; *p; p++) {
            if (*p == '.') {
                *p = '-';
            }
        }
        snprintf(lease->hostname, sizeof lease->hostname, "host-%s", ip);
    }
    services_dns_domain(global, lease->domain, sizeof lease->domain);
    return true;
}

static void
handle_dhcp(struct pinctrl *pinctrl, const struct pinctrl_packet *pp,
            void *s_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct dhcp_server *s = s_;
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
    if (h->dl_type != htons(ETH_TYPE_IP) || h->nw_proto != IPPROTO_UDP
        || h->nw_frag || !dp_packet_l4(pp->packet)
        || dp_packet_l4_size(pp->packet) < UDP_HEADER_LEN) {
        s->n_drops[DROP_NOT_UDP]++;
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

    struct dhcp_request req;
    enum dhcp_parse_result r = dhcp_parse_request(udp + 1, len, &req);
    if (r != DHCP_PARSE_OK) {
        s->n_parse_errors[r]++;
        VLOG_DBG_RL(&rl, "port "UUID_FMT": dropped DHCP message: %s",
                    UUID_ARGS(&uuid), dhcp_parse_result_to_string(r));
        return;
    }
    s->n_requests[req.type]++;

    struct dhcp_lease lease;
    if (!dhcp_server_lease_for_port(port, nbrec_nb_global_first(s->nb_idl),
                                    &lease)) {
        s->n_drops[DROP_NO_LEASE]++;
        return;
    }
    struct eth_addr port_mac;
    if (!eth_addr_from_string(port->mac_address, &port_mac)
        || !eth_addr_equals(port_mac, req.chaddr)) {
        s->n_drops[DROP_CHADDR]++;
        return;
    }

    uint8_t type = dhcp_reply_type(&req, &lease);
    if (!type) {
        if (req.type == DHCPV4_RELEASE) {
            VLOG_DBG("port "UUID_FMT": "IP_FMT" released",
                     UUID_ARGS(&uuid), IP_ARGS(lease.ip));
        }
        s->n_drops[DROP_NO_REPLY]++;
        return;
    }
    dhcp_build_reply(&req, &lease, type, h->dl_src, &s->reply);

    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    /* Back to the client's port, through table to_sender: a trunk's
     * subport has no OpenFlow port of its own (pipeline/trunk.h). */
    put_to_sender(&ofpacts);
    pinctrl_send(pinctrl, dp_packet_data(&s->reply),
                 dp_packet_size(&s->reply), pp->md->in_port.ofp_port,
                 &ofpacts);
    ofpbuf_uninit(&ofpacts);
    s->n_replies[type]++;
}

void
dhcp_server_attach(struct dhcp_server *s, struct pinctrl *pinctrl)
{
    pinctrl_register(pinctrl, PIN_DHCP, handle_dhcp, s);
}

void
dhcp_server_format_status(const struct dhcp_server *s, struct ds *out)
{
    static const char *const types[] = {
        [DHCPV4_DISCOVER] = "discover", [DHCPV4_OFFER] = "offer",
        [DHCPV4_REQUEST] = "request", [DHCPV4_DECLINE] = "decline",
        [DHCPV4_ACK] = "ack", [DHCPV4_NAK] = "nak",
        [DHCPV4_RELEASE] = "release", [DHCPV4_INFORM] = "inform",
    };

    ds_put_cstr(out, "dhcp: requests");
    for (int t = 1; t <= DHCPV4_INFORM; t++) {
        if (s->n_requests[t]) {
            ds_put_format(out, " %s %"PRIu64, types[t], s->n_requests[t]);
        }
    }
    ds_put_cstr(out, "; replies");
    for (int t = 1; t <= DHCPV4_INFORM; t++) {
        if (s->n_replies[t]) {
            ds_put_format(out, " %s %"PRIu64, types[t], s->n_replies[t]);
        }
    }
    ds_put_cstr(out, "; dropped");
    for (int r = 1; r < DHCP_PARSE_N_RESULTS; r++) {
        if (s->n_parse_errors[r]) {
            ds_put_format(out, " %s %"PRIu64, dhcp_parse_result_to_string(r),
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

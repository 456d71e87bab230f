/*
 * controller/ra-server: see ra-server.h.
 */

#include <config.h>

#include "controller/ra-server.h"

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
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/ra.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "random.h"
#include "simap.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ra_server);

/* Lifetimes of the options (seconds, radvd's defaults). */
#define PREFIX_VALID_LIFETIME 86400
#define PREFIX_PREFERRED_LIFETIME 14400
#define RDNSS_LIFETIME RA_SERVER_ROUTER_LIFETIME

static const struct eth_addr all_nodes_mac
    = ETH_ADDR_C(33, 33, 00, 00, 00, 01);

/* Retry for a VIF whose port has not arrived from the NB yet (ms). */
#define RETRY_UNKNOWN_PORT 2000

enum drop_reason {
    DROP_USERDATA,              /* The flow's userdata is not a UUID. */
    DROP_NO_PORT,               /* The port is gone. */
    DROP_NOT_ICMP6,             /* Not an unfragmented ICMPv6 message. */
    DROP_NOTHING,               /* Nothing to advertise to the port. */
    N_DROP_REASONS
};

static const char *const drop_names[N_DROP_REASONS] = {
    [DROP_USERDATA] = "bad userdata",
    [DROP_NO_PORT] = "unknown port",
    [DROP_NOT_ICMP6] = "not ICMPv6",
    [DROP_NOTHING] = "nothing to advertise",
};

/* A local VIF's timer. */
struct ra_vif {
    ofp_port_t ofport;
    long long int next;         /* time_msec() of its next advertisement. */
};

struct ra_server {
    struct ovsdb_idl *nb_idl;
    struct shash vifs;          /* iface-id -> struct ra_vif. */
    long long int next_wake;
    struct dp_packet frame;     /* Reused for every advertisement. */
    uint64_t n_solicitations;
    uint64_t n_solicited;       /* Advertisements in answer to one. */
    uint64_t n_unsolicited;
    uint64_t n_parse_errors[RA_PARSE_N_RESULTS];
    uint64_t n_drops[N_DROP_REASONS];
};

struct ra_server *
ra_server_create(struct ovsdb_idl *nb_idl)
{
    struct ra_server *s = xzalloc(sizeof *s);

    s->nb_idl = nb_idl;
    shash_init(&s->vifs);
    s->next_wake = LLONG_MAX;
    dp_packet_init(&s->frame, 512);
    return s;
}

void
ra_server_destroy(struct ra_server *s)
{
    if (s) {
        shash_destroy_free_data(&s->vifs);
        dp_packet_uninit(&s->frame);
        free(s);
    }
}

static bool
is_router_interface(const struct nbrec_port *port)
{
    return (port->device_owner
            && !strncmp(port->device_owner, "network:router_interface", 24));
}

/* The router interface port with an address on 'subnet', or NULL. */
static const struct nbrec_port *
subnet_router_port(struct ovsdb_idl *idl, const struct nbrec_subnet *subnet)
{
    const struct nbrec_port *port;

    NBREC_PORT_FOR_EACH (port, idl) {
        if (port->network == subnet->network && is_router_interface(port)) {
            for (size_t i = 0; i < port->n_fixed_ips; i++) {
                if (port->fixed_ips[i]->subnet == subnet) {
                    return port;
                }
            }
        }
    }
    return NULL;
}

bool
ra_server_info_for_port(struct ovsdb_idl *idl, const struct nbrec_port *port,
                        struct ra_info *ra)
{
    const struct nbrec_network *net = port->network;
    const struct nbrec_port *router = NULL;
    const struct nbrec_subnet *subnet;

    memset(ra, 0, sizeof *ra);
    if (!net) {
        return false;
    }
    NBREC_SUBNET_FOR_EACH (subnet, idl) {
        const char *mode = smap_get(&subnet->external_ids,
                                    "neutron:ipv6_ra_mode");
        struct in6_addr prefix;
        unsigned int plen;

        if (subnet->network != net || subnet->ip_version != 6 || !mode
            || ra->n_prefixes >= RA_MAX_PREFIXES) {
            continue;
        }
        char *error = ipv6_parse_cidr(subnet->cidr, &prefix, &plen);
        if (error) {
            free(error);
            continue;
        }
        bool slaac = !strcmp(mode, "slaac");
        bool stateless = !strcmp(mode, "dhcpv6-stateless");
        bool stateful = !strcmp(mode, "dhcpv6-stateful");
        if (!slaac && !stateless && !stateful) {
            continue;
        }
        ra->prefixes[ra->n_prefixes++] = (struct ra_prefix) {
            .prefix = prefix,
            .plen = plen,
            .on_link = true,
            .autonomous = slaac || stateless,
            .valid_lifetime = PREFIX_VALID_LIFETIME,
            .preferred_lifetime = PREFIX_PREFERRED_LIFETIME,
        };
        ra->managed |= stateful;
        ra->other |= stateless;
        for (size_t i = 0; i < subnet->n_dns_nameservers
                           && ra->n_dns < RA_MAX_DNS; i++) {
            if (ipv6_parse(subnet->dns_nameservers[i],
                           &ra->dns[ra->n_dns])) {
                ra->n_dns++;
            }
        }
        if (!router) {
            router = subnet_router_port(idl, subnet);
        }
    }
    if (!ra->n_prefixes) {
        return false;
    }
    ra->cur_hop_limit = 64;
    ra->dns_lifetime = RDNSS_LIFETIME;
    if (net->mtu >= 1280 && net->mtu <= UINT32_MAX) {
        ra->mtu = net->mtu;
    }
    if (router && eth_addr_from_string(router->mac_address, &ra->src_mac)) {
        ra->router_lifetime = RA_SERVER_ROUTER_LIFETIME;
    } else {
        ra->src_mac = (struct eth_addr) SERVICES_MAC;
        ra->router_lifetime = 0;
    }
    in6_generate_lla(ra->src_mac, &ra->src_ip);
    return true;
}

/* Sends the advertisement 'ra' to 'ofport' alone. */
static void
send_ra(struct ra_server *s, struct pinctrl *pinctrl, const struct ra_info *ra,
        struct eth_addr dst_mac, const struct in6_addr *dst_ip,
        ofp_port_t ofport)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    ra_build(ra, dst_mac, dst_ip, &s->frame);
    ofpact_put_OUTPUT(&ofpacts)->port = ofport;
    pinctrl_send(pinctrl, dp_packet_data(&s->frame),
                 dp_packet_size(&s->frame), OFPP_CONTROLLER, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
handle_rs(struct pinctrl *pinctrl, const struct pinctrl_packet *pp, void *s_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ra_server *s = s_;
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
    const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(pp->packet);
    if (h->dl_type != htons(ETH_TYPE_IPV6) || h->nw_proto != IPPROTO_ICMPV6
        || h->nw_frag || !ip6 || !dp_packet_l4(pp->packet)) {
        s->n_drops[DROP_NOT_ICMP6]++;
        return;
    }

    /* The IPv6 payload length, unless the frame is shorter (Ethernet
     * padding makes it longer).  flow_extract() stops at the first
     * extension header it does not know: ICMPv6 only right after the
     * fixed header. */
    size_t len = dp_packet_l4_size(pp->packet);
    size_t plen = ntohs(ip6->ip6_plen);
    if (ip6->ip6_nxt != IPPROTO_ICMPV6) {
        s->n_drops[DROP_NOT_ICMP6]++;
        return;
    }
    if (plen < len) {
        len = plen;
    }
    struct ra_message msg;
    enum ra_parse_result r = ra_parse(&h->ipv6_src, &h->ipv6_dst, h->nw_ttl,
                                      dp_packet_l4(pp->packet), len, &msg);
    if (r == RA_PARSE_OK && msg.type != RA_TYPE_RS) {
        r = RA_PARSE_BAD_TYPE;
    }
    if (r != RA_PARSE_OK) {
        s->n_parse_errors[r]++;
        VLOG_DBG_RL(&rl, "port "UUID_FMT": dropped solicitation: %s",
                    UUID_ARGS(&uuid), ra_parse_result_to_string(r));
        return;
    }
    s->n_solicitations++;

    struct ra_info ra;
    if (!ra_server_info_for_port(s->nb_idl, port, &ra)) {
        s->n_drops[DROP_NOTHING]++;
        return;
    }

    /* To the soliciting address (RFC 4861 6.2.6), or to all nodes for a
     * solicitation from the unspecified address. */
    if (ipv6_addr_equals(&h->ipv6_src, &in6addr_any)) {
        struct in6_addr all_nodes;
        ovs_assert(ipv6_parse("ff02::1", &all_nodes));
        send_ra(s, pinctrl, &ra, all_nodes_mac,
                &all_nodes, pp->md->in_port.ofp_port);
    } else {
        send_ra(s, pinctrl, &ra, h->dl_src, &h->ipv6_src,
                pp->md->in_port.ofp_port);
    }
    s->n_solicited++;
}

void
ra_server_attach(struct ra_server *s, struct pinctrl *pinctrl)
{
    pinctrl_register(pinctrl, PIN_ND_RS, handle_rs, s);
}

static long long int
next_interval(void)
{
    return RA_SERVER_MIN_INTERVAL
           + random_range(RA_SERVER_MAX_INTERVAL - RA_SERVER_MIN_INTERVAL
                          + 1);
}

void
ra_server_run(struct ra_server *s, struct pinctrl *pinctrl,
              const struct simap *vifs)
{
    long long int now = time_msec();
    const struct simap_node *node;
    struct shash_node *sn;

    /* Forget the VIFs that left. */
    SHASH_FOR_EACH_SAFE (sn, &s->vifs) {
        if (!simap_contains(vifs, sn->name)) {
            free(sn->data);
            shash_delete(&s->vifs, sn);
        }
    }

    s->next_wake = LLONG_MAX;
    SIMAP_FOR_EACH (node, vifs) {
        ofp_port_t ofport = u16_to_ofp(node->data);
        struct ra_vif *v = shash_find_data(&s->vifs, node->name);

        if (!v) {
            v = xmalloc(sizeof *v);
            shash_add(&s->vifs, node->name, v);
            v->ofport = OFPP_NONE;
        }
        if (v->ofport != ofport) {
            /* A new VIF, or one that came back on another port: now. */
            v->ofport = ofport;
            v->next = now;
        }
        if (now >= v->next) {
            struct uuid uuid;
            const struct nbrec_port *port
                = (uuid_from_string(&uuid, node->name)
                   ? NB_GET(port, s->nb_idl, &uuid) : NULL);
            struct ra_info ra;

            if (!port) {
                v->next = now + RETRY_UNKNOWN_PORT;
            } else {
                if (ra_server_info_for_port(s->nb_idl, port, &ra)) {
                    struct in6_addr all_nodes;
                    ovs_assert(ipv6_parse("ff02::1", &all_nodes));
                    send_ra(s, pinctrl, &ra,
                            all_nodes_mac,
                            &all_nodes, ofport);
                    s->n_unsolicited++;
                }
                v->next = now + next_interval();
            }
        }
        s->next_wake = MIN(s->next_wake, v->next);
    }
}

void
ra_server_wait(const struct ra_server *s)
{
    if (s->next_wake != LLONG_MAX) {
        poll_timer_wait_until(s->next_wake);
    }
}

void
ra_server_format_status(const struct ra_server *s, struct ds *out)
{
    ds_put_format(out, "router advertisements: %"PRIuSIZE" VIFs, "
                  "solicitations %"PRIu64", answered %"PRIu64", "
                  "unsolicited %"PRIu64"; dropped",
                  shash_count(&s->vifs), s->n_solicitations, s->n_solicited,
                  s->n_unsolicited);
    for (int r = 1; r < RA_PARSE_N_RESULTS; r++) {
        if (s->n_parse_errors[r]) {
            ds_put_format(out, " %s %"PRIu64, ra_parse_result_to_string(r),
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

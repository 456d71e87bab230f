/*
 * tests/component/engine-diff-gen: see engine-diff-gen.h.
 */

#include <config.h>

#include "tests/component/engine-diff-gen.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/sg.h"
#include "simap.h"
#include "sset.h"
#include "util.h"
#include "uuid.h"

/* Limits that keep the topology small, so that objects interact. */
#define MAX_NETS 8
#define MAX_SUBNETS 12
#define MAX_VM_PORTS 30
#define MAX_ROUTERS 4
#define MAX_FIPS 8
#define MAX_PFS 10
#define MAX_SGS 5
#define MAX_RULES 6
#define MAX_TRUNKS 4

const char *const ediff_chassis[EDIFF_N_CHASSIS] = {
    EDIFF_ME, "hv2", "hv3", "hv4",
};

/* The random source: splitmix64, so that a seed means the same run on
 * every machine. */
static uint64_t rng_state;

void
ediff_seed(uint64_t seed)
{
    rng_state = seed;
}

static uint64_t
rnd64(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A number in [0, n). */
static uint32_t
rnd(uint32_t n)
{
    return n ? rnd64() % n : 0;
}

static bool
chance(int percent)
{
    return rnd(100) < (uint32_t) percent;
}

static struct uuid
new_uuid(void)
{
    struct uuid u;
    uint64_t a = rnd64(), b = rnd64();

    u.parts[0] = a >> 32;
    u.parts[1] = (a & 0xffff0fff) | 0x4000;             /* Version 4. */
    u.parts[2] = ((b >> 32) & 0x3fffffff) | 0x80000000; /* Variant. */
    u.parts[3] = b;
    return u;
}


#define NOTE(RUN, ...) ds_put_format(&(RUN)->desc, __VA_ARGS__)
#define ID(ROW) ((ROW)->header_.uuid.parts[0])   /* For the notes. */

/* Random row pickers over the writer's view. */
#define DEFINE_PICK(NAME, TYPE, FOR_EACH)                               \
    static const struct TYPE *                                          \
    pick_##NAME(struct ediff_run *run,                                  \
                bool (*filter)(struct ediff_run *, const struct TYPE *)) \
    {                                                                   \
        const struct TYPE *row, *chosen = NULL;                         \
        size_t n = 0;                                                   \
                                                                        \
        FOR_EACH (row, run->w) {                                        \
            if (!filter || filter(run, row)) {                          \
                if (!rnd(++n)) {                                        \
                    chosen = row;                                       \
                }                                                       \
            }                                                           \
        }                                                               \
        return chosen;                                                  \
    }                                                                   \
    static size_t OVS_UNUSED                                            \
    count_##NAME(struct ediff_run *run,                                 \
                 bool (*filter)(struct ediff_run *, const struct TYPE *)) \
    {                                                                   \
        const struct TYPE *row;                                         \
        size_t n = 0;                                                   \
                                                                        \
        FOR_EACH (row, run->w) {                                        \
            n += !filter || filter(run, row);                           \
        }                                                               \
        return n;                                                       \
    }

DEFINE_PICK(network, nbrec_network, NBREC_NETWORK_FOR_EACH)
DEFINE_PICK(subnet, nbrec_subnet, NBREC_SUBNET_FOR_EACH)
DEFINE_PICK(port, nbrec_port, NBREC_PORT_FOR_EACH)
DEFINE_PICK(router, nbrec_router, NBREC_ROUTER_FOR_EACH)
DEFINE_PICK(fip, nbrec_floating_ip, NBREC_FLOATING_IP_FOR_EACH)
DEFINE_PICK(pf, nbrec_port_forwarding, NBREC_PORT_FORWARDING_FOR_EACH)
DEFINE_PICK(sg, nbrec_security_group, NBREC_SECURITY_GROUP_FOR_EACH)
DEFINE_PICK(binding, nbrec_port_binding, NBREC_PORT_BINDING_FOR_EACH)
DEFINE_PICK(chassis, nbrec_chassis, NBREC_CHASSIS_FOR_EACH)
DEFINE_PICK(qos, nbrec_qos_policy, NBREC_QOS_POLICY_FOR_EACH)
DEFINE_PICK(trunk, nbrec_trunk, NBREC_TRUNK_FOR_EACH)

static bool
is_vm_port(struct ediff_run *run OVS_UNUSED, const struct nbrec_port *p)
{
    return !strncmp(p->device_owner, "compute:", 8);
}

static bool
is_external(struct ediff_run *run OVS_UNUSED, const struct nbrec_network *n)
{
    return n->external;
}

static bool
has_interfaces(struct ediff_run *run OVS_UNUSED, const struct nbrec_router *r)
{
    return r->n_interfaces > 0;
}

static bool
has_gateway(struct ediff_run *run OVS_UNUSED, const struct nbrec_router *r)
{
    return r->gateway_port != NULL;
}

static bool
has_rules(struct ediff_run *run OVS_UNUSED,
          const struct nbrec_security_group *g)
{
    return g->n_rules > 0;
}

static bool
is_associated(struct ediff_run *run OVS_UNUSED,
              const struct nbrec_floating_ip *f)
{
    return f->port != NULL;
}

/* A subnet of 'net', or NULL. */
static const struct nbrec_subnet *
pick_subnet_of(struct ediff_run *run, const struct nbrec_network *net)
{
    const struct nbrec_subnet *s, *chosen = NULL;
    size_t n = 0;

    NBREC_SUBNET_FOR_EACH (s, run->w) {
        if (s->network == net && !rnd(++n)) {
            chosen = s;
        }
    }
    return chosen;
}

static struct eth_addr
new_mac(struct ediff_run *run)
{
    unsigned int c = ++run->counter;
    struct eth_addr mac = { .ea = { 0xfa, 0x16, 0x3e, c >> 16, c >> 8, c } };

    return mac;
}

static char *
new_mac_string(struct ediff_run *run)
{
    if (chance(2)) {
        return xstrdup("fa:16:3e:zz:00:01");
    }
    struct eth_addr mac = new_mac(run);
    return xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
}

/* An address in 'subnet' (host part 'host' if nonzero). */
static char *
address_in(struct ediff_run *run, const struct nbrec_subnet *subnet, int host)
{
    unsigned int plen;
    ovs_be32 ip;

    if (!host) {
        host = 2 + rnd(250);
    }
    if (strchr(subnet->cidr, ':')) {
        /* IPv6: the host part in the last 16 bits of a /64 or longer. */
        struct in6_addr ip6;
        char *error = ipv6_parse_cidr(subnet->cidr, &ip6, &plen);
        if (error || plen > 112) {
            free(error);
            return xasprintf("2001:db8:ffff:%x::%x", run->counter++ & 0xffff,
                             host);
        }
        ip6.s6_addr[14] = 0;
        ip6.s6_addr[15] = host;
        char buf[INET6_ADDRSTRLEN];
        return xstrdup(inet_ntop(AF_INET6, &ip6, buf, sizeof buf));
    }
    char *error = ip_parse_cidr(subnet->cidr, &ip, &plen);
    if (error || plen > 24) {
        free(error);
        return xasprintf("10.255.%u.%d", run->counter++ & 0xff, host);
    }
    ip = htonl((ntohl(ip) & 0xffffff00) | host);
    return xasprintf(IP_FMT, IP_ARGS(ip));
}

/* True if a port has address 'ip' on 'subnet' already. */
static bool
ip_taken(struct ediff_run *run, const struct nbrec_subnet *s, const char *ip)
{
    const struct nbrec_fixed_ip *f;

    NBREC_FIXED_IP_FOR_EACH (f, run->w) {
        if (f->subnet == s && !strcmp(f->ip_address, ip)) {
            return true;
        }
    }
    return false;
}

static struct nbrec_fixed_ip *
insert_fixed_ip(struct ediff_run *run, const struct nbrec_subnet *subnet,
                const char *ip)
{
    struct uuid u = new_uuid();
    struct nbrec_fixed_ip *f
        = nbrec_fixed_ip_insert_persist_uuid(run->txn, &u);

    nbrec_fixed_ip_set_subnet(f, subnet);
    nbrec_fixed_ip_set_ip_address(f, ip);
    return f;
}

static struct nbrec_port *
insert_port(struct ediff_run *run, const struct nbrec_network *net,
            const char *owner, const char *device_id)
{
    struct uuid u = new_uuid();
    struct nbrec_port *p = nbrec_port_insert_persist_uuid(run->txn, &u);
    char *mac = new_mac_string(run);

    nbrec_port_set_network(p, net);
    nbrec_port_set_mac_address(p, mac);
    nbrec_port_set_device_owner(p, owner);
    nbrec_port_set_device_id(p, device_id);
    nbrec_port_set_admin_state_up(p, true);
    nbrec_port_set_port_security_enabled(p, false);
    free(mac);
    return p;
}

/* Networks. */

static void
network_set_random(struct ediff_run *run, const struct nbrec_network *net)
{
    static const char *const types[] = { "vxlan", "geneve", "vlan", "flat" };
    const char *type = types[rnd(4)];
    int64_t seg;

    nbrec_network_set_provider_network_type(net, type);
    if (!strcmp(type, "vlan") || !strcmp(type, "flat")) {
        const char *pn = chance(80) ? "physnet1" : "physnet2";
        nbrec_network_set_provider_physical_network(net, pn);
        seg = 1 + rnd(4094);
        nbrec_network_set_provider_segmentation_id(net, &seg,
                                                   *type == 'v' ? 1 : 0);
    } else {
        nbrec_network_set_provider_physical_network(net, NULL);
        seg = chance(95) ? 1 + rnd(1 << 24) - 1 : 0;
        /* A tunnelled network without a segment is invalid. */
        nbrec_network_set_provider_segmentation_id(net, &seg, chance(97));
    }
    NOTE(run, " %s/%s/%"PRId64, type,
         net->provider_physical_network ? net->provider_physical_network
                                        : "-", seg);
}

static int64_t
random_mtu(void)
{
    static const int64_t mtus[] = { 1450, 1450, 1500, 9000, 68, 65535 };
    return mtus[rnd(ARRAY_SIZE(mtus))];
}

static void
net_create(struct ediff_run *run)
{
    struct uuid u = new_uuid();
    struct nbrec_network *net
        = nbrec_network_insert_persist_uuid(run->txn, &u);
    char *name = xasprintf("net%u", run->counter++);

    nbrec_network_set_name(net, name);
    nbrec_network_set_mtu(net, random_mtu());
    nbrec_network_set_external(net, chance(30));
    nbrec_network_set_admin_state_up(net, true);
    nbrec_network_set_port_security_enabled(net, true);
    NOTE(run, "network %08x create%s mtu %"PRId64, ID(net),
         net->external ? " external" : "", net->mtu);
    network_set_random(run, net);
    free(name);
}

static void
net_update(struct ediff_run *run, const struct nbrec_network *net)
{
    NOTE(run, "network %08x", ID(net));
    switch (rnd(4)) {
    case 0:
        nbrec_network_set_mtu(net, random_mtu());
        NOTE(run, " mtu %"PRId64, net->mtu);
        break;
    case 1:
        nbrec_network_set_external(net, !net->external);
        NOTE(run, " external %d", net->external);
        break;
    case 2:
        nbrec_network_set_admin_state_up(net, !net->admin_state_up);
        NOTE(run, " admin %d", net->admin_state_up);
        break;
    default:
        NOTE(run, " segment");
        network_set_random(run, net);
        break;
    }
}

static void delete_port(struct ediff_run *, const struct nbrec_port *);

/* Deletes floating IP 'fip' and its port forwardings (which refer to it
 * strongly). */
static void
delete_fip_row(struct ediff_run *run, const struct nbrec_floating_ip *fip)
{
    const struct nbrec_port_forwarding *pf, *next;

    NBREC_PORT_FORWARDING_FOR_EACH_SAFE (pf, next, run->w) {
        if (pf->floating_ip == fip) {
            nbrec_port_forwarding_delete(pf);
        }
    }
    nbrec_floating_ip_delete(fip);
}

/* Deletes the ports of 'net' (and the floating IPs on it) or, if it has
 * none left, its subnets and itself (see subnet_delete()). */
static void
net_delete(struct ediff_run *run, const struct nbrec_network *net)
{
    const struct nbrec_floating_ip *fip, *next_fip;
    const struct nbrec_subnet *s, *next_s;
    const struct nbrec_port *p, *next_p;
    bool had_ports = false;

    NBREC_FLOATING_IP_FOR_EACH_SAFE (fip, next_fip, run->w) {
        if (fip->floating_network == net) {
            delete_fip_row(run, fip);
        }
    }
    NBREC_PORT_FOR_EACH_SAFE (p, next_p, run->w) {
        if (p->network == net) {
            delete_port(run, p);
            had_ports = true;
        }
    }
    if (had_ports) {
        NOTE(run, "network %08x delete its ports", ID(net));
    } else {
        NOTE(run, "network %08x delete", ID(net));
        NBREC_SUBNET_FOR_EACH_SAFE (s, next_s, run->w) {
            if (s->network == net) {
                nbrec_subnet_delete(s);
            }
        }
        nbrec_network_delete(net);
    }
    run->deleted = true;
}

/* Subnets. */

static void
subnet_set_gateway(struct ediff_run *run, const struct nbrec_subnet *s)
{
    int c = rnd(100);
    if (c < 75) {
        char *gw = address_in(run, s, 1);
        nbrec_subnet_set_gateway_ip(s, gw);
        free(gw);
    } else if (c < 95) {
        nbrec_subnet_set_gateway_ip(s, NULL);
    } else {
        nbrec_subnet_set_gateway_ip(s, "10.1.2");
    }
    NOTE(run, " gateway %s", s->gateway_ip ? s->gateway_ip : "-");
}

static void
subnet_create(struct ediff_run *run, const struct nbrec_network *net)
{
    struct uuid u = new_uuid();
    struct nbrec_subnet *s = nbrec_subnet_insert_persist_uuid(run->txn, &u);
    const struct nbrec_subnet *other;
    int version = 4;
    char *cidr;
    int c = rnd(100);

    if (c < 4) {
        cidr = xstrdup(chance(50) ? "10.0.0.0/33" : "bogus");
    } else if (c < 14 && (other = pick_subnet(run, NULL))) {
        cidr = xstrdup(other->cidr);        /* Overlapping networks. */
    } else if (c < 34) {
        /* IPv6 (issue 18): routed east-west, no DHCPv4. */
        cidr = xasprintf("2001:db8:%x::/64", run->counter++ & 0xffff);
        version = 6;
    } else {
        unsigned int n = run->counter++;
        cidr = xasprintf("10.%u.%u.0/24", (n >> 8) & 0xff, n & 0xff);
    }
    nbrec_subnet_set_network(s, net);
    nbrec_subnet_set_cidr(s, cidr);
    nbrec_subnet_set_ip_version(s, version);
    nbrec_subnet_set_enable_dhcp(s, chance(50));
    NOTE(run, "subnet %08x create on %08x %s dhcp %d", ID(s), ID(net), cidr,
         s->enable_dhcp);
    subnet_set_gateway(run, s);
    free(cidr);
}

static void
subnet_update(struct ediff_run *run, const struct nbrec_subnet *s)
{
    NOTE(run, "subnet %08x", ID(s));
    if (chance(50)) {
        nbrec_subnet_set_enable_dhcp(s, !s->enable_dhcp);
        NOTE(run, " dhcp %d", s->enable_dhcp);
    } else {
        subnet_set_gateway(run, s);
    }
}

/* True if a Fixed_IP is on 'subnet'. */
static bool
subnet_in_use(struct ediff_run *run, const struct nbrec_subnet *s)
{
    const struct nbrec_fixed_ip *f;

    NBREC_FIXED_IP_FOR_EACH (f, run->w) {
        if (f->subnet == s) {
            return true;
        }
    }
    return false;
}

/* The database checks the references to a deleted row before it collects
 * the Fixed_IPs that no port holds any more (dvr-api refuses to delete a
 * subnet in use): a subnet with addresses loses them in this step and can
 * be deleted in a later one. */
static void
subnet_delete(struct ediff_run *run, const struct nbrec_subnet *s)
{
    const struct nbrec_port *p;

    if (!subnet_in_use(run, s)) {
        NOTE(run, "subnet %08x delete", ID(s));
        nbrec_subnet_delete(s);
        run->deleted = true;
        return;
    }
    NOTE(run, "subnet %08x release its addresses", ID(s));
    NBREC_PORT_FOR_EACH (p, run->w) {
        struct nbrec_fixed_ip **keep = xmalloc(p->n_fixed_ips
                                               * sizeof *keep);
        size_t n = 0;

        for (size_t i = 0; i < p->n_fixed_ips; i++) {
            if (p->fixed_ips[i]->subnet != s) {
                keep[n++] = p->fixed_ips[i];
            }
        }
        if (n < p->n_fixed_ips) {
            nbrec_port_set_fixed_ips(p, keep, n);
        }
        free(keep);
    }
}

/* VM ports. */

static void
port_set_fixed_ips(struct ediff_run *run, const struct nbrec_port *p)
{
    struct nbrec_fixed_ip *fips[2];
    size_t n = 0;

    for (int i = rnd(100) < 85 ? 1 + chance(15) : 0; i > 0; i--) {
        const struct nbrec_subnet *s = pick_subnet_of(run, p->network);
        if (!s) {
            break;
        }
        char *ip = (chance(2) ? xasprintf("10.%u.0.256", run->counter++)
                    : address_in(run, s, 0));
        fips[n++] = insert_fixed_ip(run, s, ip);
        NOTE(run, " ip %s", ip);
        free(ip);
    }
    nbrec_port_set_fixed_ips(p, fips, n);
}

static void
port_set_sgs(struct ediff_run *run, const struct nbrec_port *p)
{
    struct nbrec_security_group **sgs = NULL;
    size_t n = 0, allocated = 0;
    const struct nbrec_security_group *g;

    NBREC_SECURITY_GROUP_FOR_EACH (g, run->w) {
        if (chance(40)) {
            if (n >= allocated) {
                sgs = x2nrealloc(sgs, &allocated, sizeof *sgs);
            }
            sgs[n++] = CONST_CAST(struct nbrec_security_group *, g);
            NOTE(run, " sg %08x", ID(g));
        }
    }
    nbrec_port_set_security_groups(p, sgs, n);
    free(sgs);
}

static void
port_set_pairs(struct ediff_run *run, const struct nbrec_port *p)
{
    struct smap pairs = SMAP_INITIALIZER(&pairs);

    for (int i = chance(25) ? 1 + rnd(2) : 0; i > 0; i--) {
        static const char *const ips[] = {
            "10.0.0.100", "10.0.0.0/24", "192.168.0.5/32", "fe80::1",
            "10.0.0.0/40", "nonsense",
        };
        char *mac = chance(50) ? xstrdup("") : new_mac_string(run);
        smap_replace(&pairs, ips[rnd(ARRAY_SIZE(ips))], mac);
        free(mac);
    }
    nbrec_port_set_allowed_address_pairs(p, &pairs);
    NOTE(run, " pairs %"PRIuSIZE, smap_count(&pairs));
    smap_destroy(&pairs);
}

static void
port_create(struct ediff_run *run, const struct nbrec_network *net)
{
    struct nbrec_port *p = insert_port(run, net, "compute:nova", "");

    nbrec_port_set_port_security_enabled(p, chance(85));
    nbrec_port_set_admin_state_up(p, chance(92));
    NOTE(run, "port %08x create on %08x mac %s ps %d admin %d", ID(p),
         ID(net), p->mac_address, p->port_security_enabled,
         p->admin_state_up);
    port_set_fixed_ips(run, p);
    if (p->port_security_enabled) {
        port_set_sgs(run, p);
    }
    port_set_pairs(run, p);
}

static void
port_update(struct ediff_run *run, const struct nbrec_port *p)
{
    NOTE(run, "port %08x", ID(p));
    switch (rnd(6)) {
    case 0:
        port_set_fixed_ips(run, p);
        break;
    case 1:
        port_set_sgs(run, p);
        break;
    case 2:
        nbrec_port_set_port_security_enabled(p, !p->port_security_enabled);
        NOTE(run, " ps %d", p->port_security_enabled);
        break;
    case 3:
        nbrec_port_set_admin_state_up(p, !p->admin_state_up);
        NOTE(run, " admin %d", p->admin_state_up);
        break;
    case 4:
        port_set_pairs(run, p);
        break;
    default: {
        char *mac = new_mac_string(run);
        nbrec_port_set_mac_address(p, mac);
        NOTE(run, " mac %s", mac);
        free(mac);
        break;
    }
    }
}

/* Deletes port 'p' and what holds it strongly: a router's reference, a
 * floating IP whose address it holds. */
static void
delete_port(struct ediff_run *run, const struct nbrec_port *p)
{
    const struct nbrec_floating_ip *fip, *next;
    const struct nbrec_router *r;

    NBREC_ROUTER_FOR_EACH (r, run->w) {
        if (r->gateway_port == p) {
            nbrec_router_set_gateway_port(r, NULL);
        }
        for (size_t i = 0; i < r->n_interfaces; i++) {
            if (r->interfaces[i] == p) {
                nbrec_router_update_interfaces_delvalue(r, p);
                break;
            }
        }
    }
    NBREC_FLOATING_IP_FOR_EACH_SAFE (fip, next, run->w) {
        if (fip->floating_port == p) {
            delete_fip_row(run, fip);
        }
    }
    const struct nbrec_trunk *t, *next_t;
    NBREC_TRUNK_FOR_EACH_SAFE (t, next_t, run->w) {
        if (t->port == p) {
            nbrec_trunk_delete(t);
            continue;
        }
        for (size_t i = 0; i < t->n_sub_ports; i++) {
            if (t->value_sub_ports[i] == p) {
                nbrec_trunk_update_sub_ports_delkey(t, t->key_sub_ports[i]);
            }
        }
    }
    nbrec_port_delete(p);
    run->deleted = true;
}

/* Trunks: a VM port as parent, others as subports on VLANs 100..103 (so
 * that ids collide with others' and are reused), and sometimes a row the
 * API would refuse (a subport of two trunks, a subport that is a parent,
 * a parent that is a subport), which the controller skips. */
static void
trunk_change(struct ediff_run *run)
{
    const struct nbrec_trunk *t = pick_trunk(run, NULL);
    const struct nbrec_port *p;
    int c = rnd(100);

    if (!t || (c < 30 && count_trunk(run, NULL) < MAX_TRUNKS)) {
        p = pick_port(run, is_vm_port);
        if (!p) {
            return;
        }
        const struct nbrec_trunk *other;
        NBREC_TRUNK_FOR_EACH (other, run->w) {
            if (other->port == p) {
                return;                 /* The index refuses it. */
            }
        }
        struct uuid u = new_uuid();
        struct nbrec_trunk *n = nbrec_trunk_insert_persist_uuid(run->txn,
                                                                &u);
        nbrec_trunk_set_port(n, p);
        nbrec_trunk_set_admin_state_up(n, true);
        NOTE(run, "trunk %08x create on port %08x", ID(n), ID(p));
        for (int i = rnd(3); i > 0; i--) {
            const struct nbrec_port *s = pick_port(run, is_vm_port);
            if (s && s != p) {
                int64_t vlan = 100 + rnd(4);
                nbrec_trunk_update_sub_ports_setkey(n, vlan, s);
                NOTE(run, " %"PRId64"=%08x", vlan, ID(s));
            }
        }
    } else if (c < 45) {
        NOTE(run, "trunk %08x delete", ID(t));
        nbrec_trunk_delete(t);
        run->deleted = true;
    } else if (c < 80 || !t->n_sub_ports) {
        p = pick_port(run, is_vm_port);
        if (p && (p != t->port || chance(10))) {
            int64_t vlan = 100 + rnd(4);
            NOTE(run, "trunk %08x subport %"PRId64"=%08x", ID(t), vlan,
                 ID(p));
            nbrec_trunk_update_sub_ports_setkey(t, vlan, p);
        }
    } else {
        size_t i = rnd(t->n_sub_ports);
        NOTE(run, "trunk %08x remove subport %"PRId64, ID(t),
             t->key_sub_ports[i]);
        nbrec_trunk_update_sub_ports_delkey(t, t->key_sub_ports[i]);
    }
}

/* Routers. */

static char *
uuid_string(const struct uuid *u)
{
    return xasprintf(UUID_FMT, UUID_ARGS(u));
}

static void
router_create(struct ediff_run *run)
{
    struct uuid u = new_uuid();
    struct nbrec_router *r = nbrec_router_insert_persist_uuid(run->txn, &u);

    nbrec_router_set_name(r, "router");
    nbrec_router_set_admin_state_up(r, true);
    nbrec_router_set_enable_snat(r, chance(80));
    NOTE(run, "router %08x create snat %d", ID(r), r->enable_snat);
}

static void
router_add_iface(struct ediff_run *run, const struct nbrec_router *r)
{
    const struct nbrec_subnet *s = pick_subnet(run, NULL);

    if (!s) {
        return;
    }
    char *id = uuid_string(&r->header_.uuid);
    struct nbrec_port *p = insert_port(run, s->network,
                                       "network:router_interface", id);
    /* The subnet's gateway, unless another router has it already. */
    char *ip = (s->gateway_ip && !ip_taken(run, s, s->gateway_ip)
                && chance(90)
                ? xstrdup(s->gateway_ip) : address_in(run, s, 0));
    struct nbrec_fixed_ip *fip = insert_fixed_ip(run, s, ip);

    nbrec_port_set_fixed_ips(p, &fip, 1);
    nbrec_router_update_interfaces_addvalue(r, p);
    NOTE(run, "router %08x add interface %08x on subnet %08x ip %s", ID(r),
         ID(p), ID(s), ip);
    free(ip);
    free(id);
}

static void
router_del_iface(struct ediff_run *run, const struct nbrec_router *r)
{
    const struct nbrec_port *p = r->interfaces[rnd(r->n_interfaces)];

    NOTE(run, "router %08x remove interface %08x", ID(r), ID(p));
    nbrec_router_update_interfaces_delvalue(r, p);
    nbrec_port_delete(p);
    run->deleted = true;
}

static void
router_set_gw(struct ediff_run *run, const struct nbrec_router *r)
{
    const struct nbrec_network *ext = pick_network(run, is_external);
    const struct nbrec_subnet *s = ext ? pick_subnet_of(run, ext) : NULL;

    if (!s) {
        return;
    }
    char *id = uuid_string(&r->header_.uuid);
    struct nbrec_port *p = insert_port(run, ext, "network:router_gateway",
                                       id);
    char *ip = address_in(run, s, 0);
    struct nbrec_fixed_ip *fips[2];
    size_t n_fips = 0;
    const struct nbrec_port *old = r->gateway_port;

    fips[n_fips++] = insert_fixed_ip(run, s, ip);
    NOTE(run, "router %08x gateway %08x on %08x ip %s", ID(r), ID(p),
         ID(ext), ip);
    free(ip);

    /* Dual stack (issue 18): often a second address of the other IP
     * version, from another subnet of the external network. */
    for (int i = 0; i < 4 && chance(60); i++) {
        const struct nbrec_subnet *s2 = pick_subnet_of(run, ext);
        if (s2 && s2->ip_version != s->ip_version) {
            ip = address_in(run, s2, 0);
            fips[n_fips++] = insert_fixed_ip(run, s2, ip);
            NOTE(run, " and %s", ip);
            free(ip);
            break;
        }
    }
    nbrec_port_set_fixed_ips(p, fips, n_fips);
    nbrec_router_set_gateway_port(r, p);
    if (old) {
        nbrec_port_delete(old);
        run->deleted = true;
    }
    free(id);
}

static void
router_clear_gw(struct ediff_run *run, const struct nbrec_router *r)
{
    const struct nbrec_port *p = r->gateway_port;

    NOTE(run, "router %08x clear gateway %08x", ID(r), ID(p));
    nbrec_router_set_gateway_port(r, NULL);
    nbrec_port_delete(p);
    run->deleted = true;
}

static void
router_update(struct ediff_run *run, const struct nbrec_router *r)
{
    NOTE(run, "router %08x", ID(r));
    if (chance(40)) {
        nbrec_router_set_enable_snat(r, !r->enable_snat);
        NOTE(run, " snat %d", r->enable_snat);
    } else if (chance(30) || !r->n_interfaces) {
        nbrec_router_set_routes(r, NULL);
        NOTE(run, " no routes");
    } else {
        const struct nbrec_port *p = r->interfaces[rnd(r->n_interfaces)];
        bool v6 = (p->n_fixed_ips && p->fixed_ips[0]->subnet
                   && strchr(p->fixed_ips[0]->subnet->cidr, ':'));
        char *dst = (v6 ? xasprintf("2001:db8:ff%02x::/64", rnd(4))
                     : xasprintf("192.168.%u.0/24", rnd(4)));
        char *nh = (p->n_fixed_ips && chance(85)
                    ? address_in(run, p->fixed_ips[0]->subnet, 0)
                    : xstrdup(chance(50) ? "172.31.0.1" : "bad"));
        nbrec_router_update_routes_setkey(r, dst, nh);
        NOTE(run, " route %s via %s", dst, nh);
        free(dst);
        free(nh);
    }
}

static void
router_delete(struct ediff_run *run, const struct nbrec_router *r)
{
    NOTE(run, "router %08x delete", ID(r));
    for (size_t i = 0; i < r->n_interfaces; i++) {
        nbrec_port_delete(r->interfaces[i]);
    }
    if (r->gateway_port) {
        nbrec_port_delete(r->gateway_port);
    }
    nbrec_router_delete(r);
    run->deleted = true;
}

/* Floating IPs. */

static bool
vm_port_with_ip(struct ediff_run *run OVS_UNUSED, const struct nbrec_port *p)
{
    return is_vm_port(run, p) && (p->n_fixed_ips || chance(10));
}

static void
fip_associate(struct ediff_run *run, const struct nbrec_floating_ip *fip)
{
    const struct nbrec_port *p = pick_port(run, vm_port_with_ip);
    const struct nbrec_router *r, *chosen = NULL;
    size_t n = 0;

    if (!p) {
        return;
    }
    /* A router with an interface on the port's network, mostly. */
    NBREC_ROUTER_FOR_EACH (r, run->w) {
        for (size_t i = 0; i < r->n_interfaces; i++) {
            if (r->interfaces[i]->network == p->network && !rnd(++n)) {
                chosen = r;
            }
        }
    }
    if (!chosen || chance(10)) {
        chosen = pick_router(run, NULL);
    }
    nbrec_floating_ip_set_port(fip, p);
    nbrec_floating_ip_set_router(fip, chosen);
    if (chance(20) && p->n_fixed_ips) {
        nbrec_floating_ip_set_fixed_ip_address(
            fip, p->fixed_ips[rnd(p->n_fixed_ips)]->ip_address);
    } else {
        nbrec_floating_ip_set_fixed_ip_address(fip, NULL);
    }
    NOTE(run, " to port %08x router %08x", ID(p),
         chosen ? ID(chosen) : 0);
}

static void
fip_create(struct ediff_run *run)
{
    const struct nbrec_network *ext = pick_network(run, is_external);
    const struct nbrec_subnet *s = ext ? pick_subnet_of(run, ext) : NULL;

    if (!s) {
        return;
    }
    struct uuid u = new_uuid();
    struct nbrec_floating_ip *fip
        = nbrec_floating_ip_insert_persist_uuid(run->txn, &u);
    char *id = uuid_string(&u);
    struct nbrec_port *p = insert_port(run, ext, "network:floatingip", id);
    char *ip = address_in(run, s, 0);
    struct nbrec_fixed_ip *fixed = insert_fixed_ip(run, s, ip);

    nbrec_port_set_fixed_ips(p, &fixed, 1);
    nbrec_floating_ip_set_floating_network(fip, ext);
    nbrec_floating_ip_set_floating_port(fip, p);
    nbrec_floating_ip_set_floating_ip_address(fip, ip);
    NOTE(run, "fip %08x create %s on %08x", ID(fip), ip, ID(ext));
    if (chance(60)) {
        fip_associate(run, fip);
    }
    free(ip);
    free(id);
}

static void
fip_delete(struct ediff_run *run, const struct nbrec_floating_ip *fip)
{
    NOTE(run, "fip %08x delete", ID(fip));
    nbrec_port_delete(fip->floating_port);
    delete_fip_row(run, fip);
    run->deleted = true;
}

/* Port forwardings: to a VM port's address (or, sometimes, a wrong one),
 * on a few external ports so that they collide; the floating IP's router
 * is set if it has none (a floating IP with a port keeps its: the
 * compiler skips the forwardings). */
static void
pf_set(struct ediff_run *run, const struct nbrec_port_forwarding *pf,
       const struct nbrec_floating_ip *fip)
{
    const struct nbrec_port *p = pick_port(run, vm_port_with_ip);

    nbrec_port_forwarding_set_port(pf, p);
    nbrec_port_forwarding_set_internal_ip_address(
        pf, p && p->n_fixed_ips && !chance(10)
            ? p->fixed_ips[rnd(p->n_fixed_ips)]->ip_address : "10.9.9.9");
    nbrec_port_forwarding_set_protocol(pf, chance(50) ? "tcp" : "udp");
    nbrec_port_forwarding_set_external_port(pf, 2200 + rnd(4));
    nbrec_port_forwarding_set_internal_port(pf, chance(5) ? 0 : 22);
    if (!fip->router || chance(10)) {
        const struct nbrec_router *r = pick_router(run, NULL);
        nbrec_floating_ip_set_router(fip, r);
    }
    NOTE(run, " port %08x %s %"PRId64" -> %s",
         p ? ID(p) : 0, pf->protocol, pf->external_port,
         pf->internal_ip_address);
}

static void
pf_create(struct ediff_run *run)
{
    const struct nbrec_floating_ip *fip = pick_fip(run, NULL);

    if (!fip) {
        return;
    }
    struct nbrec_port_forwarding *pf = nbrec_port_forwarding_insert(run->txn);
    nbrec_port_forwarding_set_floating_ip(pf, fip);
    NOTE(run, "pf of fip %08x create", ID(fip));
    pf_set(run, pf, fip);
}

/* Security groups. */

static void
sg_create(struct ediff_run *run)
{
    struct uuid u = new_uuid();
    struct nbrec_security_group *g
        = nbrec_security_group_insert_persist_uuid(run->txn, &u);

    nbrec_security_group_set_name(g, "sg");
    nbrec_security_group_set_stateful(g, true);
    NOTE(run, "sg %08x create", ID(g));
}

static void
sg_delete(struct ediff_run *run, const struct nbrec_security_group *g)
{
    const struct nbrec_port *p;

    NOTE(run, "sg %08x delete", ID(g));
    NBREC_PORT_FOR_EACH (p, run->w) {
        for (size_t i = 0; i < p->n_security_groups; i++) {
            if (p->security_groups[i] == g) {
                nbrec_port_update_security_groups_delvalue(p, g);
                break;
            }
        }
    }
    nbrec_security_group_delete(g);
    run->deleted = true;
}

static void
rule_add(struct ediff_run *run, const struct nbrec_security_group *g)
{
    static const char *const protos[] = {
        NULL, "tcp", "tcp", "udp", "icmp", "6", "47", "bogus",
    };
    struct uuid u = new_uuid();
    struct nbrec_security_group_rule *rule
        = nbrec_security_group_rule_insert_persist_uuid(run->txn, &u);
    const char *proto = protos[rnd(ARRAY_SIZE(protos))];
    bool v6 = chance(15);

    nbrec_security_group_rule_set_direction(rule,
                                            chance(50) ? "ingress" : "egress");
    nbrec_security_group_rule_set_ethertype(rule, v6 ? "IPv6" : "IPv4");
    nbrec_security_group_rule_set_protocol(rule, proto);
    NOTE(run, "sg %08x add rule %08x %s %s %s", ID(g), ID(rule),
         rule->direction, rule->ethertype, proto ? proto : "any");
    if (proto && chance(60)) {
        int64_t min = chance(90) ? rnd(400) : 300 + rnd(60000);
        int64_t max = chance(85) ? min + rnd(40) : rnd(300);
        nbrec_security_group_rule_set_port_range_min(rule, &min, 1);
        nbrec_security_group_rule_set_port_range_max(rule, &max,
                                                      chance(90));
        NOTE(run, " ports %"PRId64"-%"PRId64, min, max);
    }
    int c = rnd(100);
    if (c < 30) {
        const struct nbrec_security_group *remote
            = chance(30) ? g : pick_sg(run, NULL);
        struct smap ids = SMAP_INITIALIZER(&ids);
        char *id = uuid_string(&remote->header_.uuid);

        smap_add(&ids, SG_REMOTE_GROUP_KEY, id);
        nbrec_security_group_rule_set_remote_group(rule, remote);
        nbrec_security_group_rule_set_external_ids(rule, &ids);
        NOTE(run, " remote group %08x", ID(remote));
        if (chance(5)) {
            nbrec_security_group_rule_set_remote_ip_prefix(rule,
                                                           "10.0.0.0/8");
        }
        smap_destroy(&ids);
        free(id);
    } else if (c < 55) {
        static const char *const prefixes[] = {
            "10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "192.168.1.1/32",
            "fe80::/64", "10.0.0.0/99", "garbage", "",
        };
        const char *prefix = prefixes[rnd(ARRAY_SIZE(prefixes))];
        nbrec_security_group_rule_set_remote_ip_prefix(rule, prefix);
        NOTE(run, " prefix %s", prefix);
    }
    nbrec_security_group_update_rules_addvalue(g, rule);
}

static void
rule_del(struct ediff_run *run, const struct nbrec_security_group *g)
{
    const struct nbrec_security_group_rule *rule = g->rules[rnd(g->n_rules)];

    NOTE(run, "sg %08x remove rule %08x", ID(g), ID(rule));
    nbrec_security_group_update_rules_delvalue(g, rule);
}

/* Bindings and chassis. */

static const struct nbrec_chassis *
find_chassis(struct ediff_run *run, const char *name)
{
    const struct nbrec_chassis *ch;

    NBREC_CHASSIS_FOR_EACH (ch, run->w) {
        if (!strcmp(ch->name, name)) {
            return ch;
        }
    }
    return NULL;
}

static void
binding_set(struct ediff_run *run)
{
    const struct nbrec_port *p = pick_port(run, NULL);
    const struct nbrec_port_binding *pb;

    if (!p) {
        return;
    }
    const struct nbrec_port_binding *found = NULL;
    NBREC_PORT_BINDING_FOR_EACH (pb, run->w) {
        if (pb->port == p) {
            found = pb;
        }
    }
    if (!found || chance(5)) {
        struct uuid u = new_uuid();
        struct nbrec_port_binding *b
            = nbrec_port_binding_insert_persist_uuid(run->txn, &u);
        nbrec_port_binding_set_port(b, p);
        found = b;
    }
    size_t i = rnd(EDIFF_N_CHASSIS + 1);
    const struct nbrec_chassis *ch
        = i < EDIFF_N_CHASSIS ? find_chassis(run, ediff_chassis[i]) : NULL;
    nbrec_port_binding_set_chassis(found, ch);
    nbrec_port_binding_set_up(found, chance(70));
    NOTE(run, "binding %08x of port %08x on %s", ID(found), ID(p),
         ch ? ch->name : "-");
}

static void
binding_delete(struct ediff_run *run, const struct nbrec_port_binding *pb)
{
    NOTE(run, "binding %08x delete", ID(pb));
    nbrec_port_binding_delete(pb);
    run->deleted = true;
}

static void
chassis_toggle(struct ediff_run *run, const struct nbrec_chassis *ch)
{
    nbrec_chassis_set_gateway_capable(ch, !ch->gateway_capable);
    NOTE(run, "chassis %s gateway %d", ch->name, ch->gateway_capable);
}

/* What the bridges report (no NB change). */

static void
vif_change(struct ediff_run *run)
{
    const struct nbrec_port *p = pick_port(run, chance(80) ? is_vm_port
                                                           : NULL);
    char *id;

    if (chance(4) || !p) {
        struct uuid u = new_uuid();
        id = uuid_string(&u);               /* No such port. */
    } else {
        id = uuid_string(&p->header_.uuid);
    }
    if (simap_contains(&run->ports.vifs, id) && chance(50)) {
        simap_find_and_delete(&run->ports.vifs, id);
        NOTE(run, "vif %.8s gone", id);
    } else {
        unsigned int ofport = run->next_ofport++;
        if (run->next_ofport > 200) {
            run->next_ofport = 10;
        }
        simap_put(&run->ports.vifs, id, ofport);
        NOTE(run, "vif %.8s on ofport %u", id, ofport);
    }
    run->vifs_gen++;
    run->ports_gen++;
    free(id);
}

static void
bfd_toggle(struct ediff_run *run)
{
    const char *name = ediff_chassis[1 + rnd(EDIFF_N_CHASSIS - 1)];

    if (!sset_find_and_delete(&run->ports.bfd_down, name)) {
        sset_add(&run->ports.bfd_down, name);
    }
    run->ports_gen++;
    NOTE(run, "bfd %s %s", name,
         sset_contains(&run->ports.bfd_down, name) ? "down" : "up");
}

static void
topology_change(struct ediff_run *run)
{
    if (chance(50)) {
        if (!simap_find_and_delete(&run->ports.tunnels, "hv4")) {
            simap_put(&run->ports.tunnels, "hv4", 4);
        }
        run->ports_gen++;
        NOTE(run, "tunnel to hv4 %s",
             simap_contains(&run->ports.tunnels, "hv4") ? "up" : "gone");
    } else {
        run->services.meta_ofport = (run->services.meta_ofport == OFPP_NONE
                                     ? u16_to_ofp(9) : OFPP_NONE);
        NOTE(run, "metadata port %s",
             run->services.meta_ofport == OFPP_NONE ? "gone" : "up");
    }
}

/* QoS. */

/* A random rule: mostly valid, sometimes a limit of 0 or a DSCP mark
 * Neutron does not allow (the compiler skips those). */
static struct nbrec_qos_rule *
qos_rule_create(struct ediff_run *run)
{
    struct uuid u = new_uuid();
    struct nbrec_qos_rule *r = nbrec_qos_rule_insert_persist_uuid(run->txn,
                                                                  &u);
    if (chance(70)) {
        int64_t kbps = chance(10) ? 0 : 1000 * (1 + rnd(100));
        int64_t burst = chance(50) ? 0 : 100 * rnd(100);
        nbrec_qos_rule_set_type(r, "bandwidth_limit");
        nbrec_qos_rule_set_direction(r, chance(50) ? "egress" : "ingress");
        nbrec_qos_rule_set_max_kbps(r, &kbps, 1);
        nbrec_qos_rule_set_max_burst_kbps(r, &burst, 1);
    } else {
        int64_t mark = chance(10) ? 7 : 8 * rnd(8);
        nbrec_qos_rule_set_type(r, "dscp_marking");
        nbrec_qos_rule_set_direction(r, "egress");
        nbrec_qos_rule_set_dscp_mark(r, &mark, 1);
    }
    return r;
}

/* Creates a policy, or changes one: a rule added, changed in place or
 * removed, or the policy deleted (its references first). */
static void
qos_change(struct ediff_run *run)
{
    const struct nbrec_qos_policy *q = pick_qos(run, NULL);
    int c = rnd(100);

    if (!q || (count_qos(run, NULL) < 3 && c < 25)) {
        struct uuid u = new_uuid();
        struct nbrec_qos_policy *p
            = nbrec_qos_policy_insert_persist_uuid(run->txn, &u);
        nbrec_qos_policy_set_name(p, "qos");
        for (int i = rnd(3); i >= 0; i--) {
            nbrec_qos_policy_update_rules_addvalue(p, qos_rule_create(run));
        }
        NOTE(run, "qos %08x create", ID(p));
    } else if (c < 50 && q->n_rules < 4) {
        NOTE(run, "qos %08x add rule", ID(q));
        nbrec_qos_policy_update_rules_addvalue(q, qos_rule_create(run));
    } else if (c < 75 && q->n_rules) {
        const struct nbrec_qos_rule *r = q->rules[rnd(q->n_rules)];
        int64_t kbps = 1000 * (1 + rnd(100));
        NOTE(run, "qos %08x rule %08x rate", ID(q), ID(r));
        if (!strcmp(r->type, "bandwidth_limit")) {
            nbrec_qos_rule_set_max_kbps(r, &kbps, 1);
        } else {
            int64_t mark = 8 * rnd(8);
            nbrec_qos_rule_set_dscp_mark(r, &mark, 1);
        }
    } else if (c < 90 && q->n_rules) {
        NOTE(run, "qos %08x del rule", ID(q));
        nbrec_qos_policy_update_rules_delvalue(q, q->rules[rnd(q->n_rules)]);
    } else {
        const struct nbrec_port *p;
        const struct nbrec_network *n;
        NOTE(run, "qos %08x delete", ID(q));
        NBREC_PORT_FOR_EACH (p, run->w) {
            if (p->qos_policy == q) {
                nbrec_port_set_qos_policy(p, NULL);
            }
        }
        NBREC_NETWORK_FOR_EACH (n, run->w) {
            if (n->qos_policy == q) {
                nbrec_network_set_qos_policy(n, NULL);
            }
        }
        const struct nbrec_floating_ip *f;
        NBREC_FLOATING_IP_FOR_EACH (f, run->w) {
            if (f->qos_policy == q) {
                nbrec_floating_ip_set_qos_policy(f, NULL);
            }
        }
        const struct nbrec_router *r;
        NBREC_ROUTER_FOR_EACH (r, run->w) {
            if (r->gateway_qos_policy == q) {
                nbrec_router_set_gateway_qos_policy(r, NULL);
            }
        }
        nbrec_qos_policy_delete(q);
        run->deleted = true;
    }
}

/* Gives a VM port, a network, a floating IP or a router's gateway a
 * policy, or takes it away. */
static void
qos_assign(struct ediff_run *run)
{
    const struct nbrec_qos_policy *q = chance(30) ? NULL
                                                  : pick_qos(run, NULL);
    if (chance(60)) {
        const struct nbrec_port *p = pick_port(run, is_vm_port);
        if (p) {
            NOTE(run, "port %08x qos %08x", ID(p), q ? ID(q) : 0);
            nbrec_port_set_qos_policy(p, q);
        }
    } else if (chance(50)) {
        const struct nbrec_network *n = pick_network(run, NULL);
        if (n) {
            NOTE(run, "net %08x qos %08x", ID(n), q ? ID(q) : 0);
            nbrec_network_set_qos_policy(n, q);
        }
    } else if (chance(60)) {
        const struct nbrec_floating_ip *f = pick_fip(run, NULL);
        if (f) {
            NOTE(run, "fip %08x qos %08x", ID(f), q ? ID(q) : 0);
            nbrec_floating_ip_set_qos_policy(f, q);
        }
    } else {
        const struct nbrec_router *r = pick_router(run, NULL);
        if (r) {
            NOTE(run, "router %08x gateway qos %08x", ID(r),
                 q ? ID(q) : 0);
            nbrec_router_set_gateway_qos_policy(r, q);
        }
    }
}

void
ediff_random_change(struct ediff_run *run)
{
    size_t n_nets = count_network(run, NULL);
    /* The weights below sum to 1,173 (keep the draw above their sum, or
     * the last kinds of change are never drawn); the rest changes
     * nothing. */
    int c = rnd(1200);

#define PICK_OR_RETURN(VAR, PICK) \
    VAR = PICK; if (!VAR) { return; }
    const struct nbrec_network *net;
    const struct nbrec_subnet *subnet;
    const struct nbrec_port *port;
    const struct nbrec_router *router;
    const struct nbrec_floating_ip *fip;
    const struct nbrec_security_group *sg;
    const struct nbrec_port_binding *pb;
    const struct nbrec_chassis *ch;

    if ((c -= 40) < 0) {
        if (n_nets < MAX_NETS) {
            net_create(run);
        }
    } else if ((c -= 25) < 0) {
        PICK_OR_RETURN(net, pick_network(run, NULL));
        net_update(run, net);
    } else if ((c -= 8) < 0) {
        PICK_OR_RETURN(net, pick_network(run, NULL));
        net_delete(run, net);
    } else if ((c -= 50) < 0) {
        PICK_OR_RETURN(net, pick_network(run, NULL));
        if (count_subnet(run, NULL) < MAX_SUBNETS) {
            subnet_create(run, net);
        }
    } else if ((c -= 30) < 0) {
        PICK_OR_RETURN(subnet, pick_subnet(run, NULL));
        subnet_update(run, subnet);
    } else if ((c -= 10) < 0) {
        PICK_OR_RETURN(subnet, pick_subnet(run, NULL));
        subnet_delete(run, subnet);
    } else if ((c -= 110) < 0) {
        PICK_OR_RETURN(net, pick_network(run, NULL));
        if (count_port(run, is_vm_port) < MAX_VM_PORTS) {
            port_create(run, net);
        }
    } else if ((c -= 90) < 0) {
        PICK_OR_RETURN(port, pick_port(run, is_vm_port));
        port_update(run, port);
    } else if ((c -= 40) < 0) {
        PICK_OR_RETURN(port, pick_port(run, is_vm_port));
        NOTE(run, "port %08x delete", ID(port));
        delete_port(run, port);
    } else if ((c -= 20) < 0) {
        if (count_router(run, NULL) < MAX_ROUTERS) {
            router_create(run);
        }
    } else if ((c -= 50) < 0) {
        PICK_OR_RETURN(router, pick_router(run, NULL));
        router_add_iface(run, router);
    } else if ((c -= 25) < 0) {
        PICK_OR_RETURN(router, pick_router(run, has_interfaces));
        router_del_iface(run, router);
    } else if ((c -= 30) < 0) {
        PICK_OR_RETURN(router, pick_router(run, NULL));
        router_set_gw(run, router);
    } else if ((c -= 12) < 0) {
        PICK_OR_RETURN(router, pick_router(run, has_gateway));
        router_clear_gw(run, router);
    } else if ((c -= 20) < 0) {
        PICK_OR_RETURN(router, pick_router(run, NULL));
        router_update(run, router);
    } else if ((c -= 5) < 0) {
        PICK_OR_RETURN(router, pick_router(run, NULL));
        router_delete(run, router);
    } else if ((c -= 30) < 0) {
        if (count_fip(run, NULL) < MAX_FIPS) {
            fip_create(run);
        }
    } else if ((c -= 40) < 0) {
        PICK_OR_RETURN(fip, pick_fip(run, NULL));
        NOTE(run, "fip %08x associate", ID(fip));
        fip_associate(run, fip);
    } else if ((c -= 20) < 0) {
        PICK_OR_RETURN(fip, pick_fip(run, is_associated));
        NOTE(run, "fip %08x disassociate", ID(fip));
        nbrec_floating_ip_set_port(fip, NULL);
        nbrec_floating_ip_set_router(fip, NULL);
        nbrec_floating_ip_set_fixed_ip_address(fip, NULL);
    } else if ((c -= 10) < 0) {
        PICK_OR_RETURN(fip, pick_fip(run, NULL));
        fip_delete(run, fip);
    } else if ((c -= 25) < 0) {
        if (count_pf(run, NULL) < MAX_PFS) {
            pf_create(run);
        }
    } else if ((c -= 15) < 0) {
        const struct nbrec_port_forwarding *pf;
        PICK_OR_RETURN(pf, pick_pf(run, NULL));
        if (pf->floating_ip) {
            NOTE(run, "pf %08x update", ID(pf));
            pf_set(run, pf, pf->floating_ip);
        }
    } else if ((c -= 10) < 0) {
        const struct nbrec_port_forwarding *pf;
        PICK_OR_RETURN(pf, pick_pf(run, NULL));
        NOTE(run, "pf %08x delete", ID(pf));
        nbrec_port_forwarding_delete(pf);
    } else if ((c -= 20) < 0) {
        if (count_sg(run, NULL) < MAX_SGS) {
            sg_create(run);
        }
    } else if ((c -= 5) < 0) {
        PICK_OR_RETURN(sg, pick_sg(run, NULL));
        sg_delete(run, sg);
    } else if ((c -= 60) < 0) {
        PICK_OR_RETURN(sg, pick_sg(run, NULL));
        if (sg->n_rules < MAX_RULES) {
            rule_add(run, sg);
        }
    } else if ((c -= 30) < 0) {
        PICK_OR_RETURN(sg, pick_sg(run, has_rules));
        rule_del(run, sg);
    } else if ((c -= 90) < 0) {
        binding_set(run);
    } else if ((c -= 15) < 0) {
        PICK_OR_RETURN(pb, pick_binding(run, NULL));
        binding_delete(run, pb);
    } else if ((c -= 20) < 0) {
        PICK_OR_RETURN(ch, pick_chassis(run, NULL));
        chassis_toggle(run, ch);
    } else if ((c -= 12) < 0) {
        qos_change(run);
    } else if ((c -= 13) < 0) {
        qos_assign(run);
    } else if ((c -= 30) < 0) {
        trunk_change(run);
    } else if ((c -= 150) < 0) {
        vif_change(run);
    } else if ((c -= 10) < 0) {
        bfd_toggle(run);
    } else if ((c -= 3) < 0) {
        topology_change(run);
    } else {
        /* A step that changes nothing for the engine. */
        NOTE(run, "nothing");
    }
#undef PICK_OR_RETURN
}

int
ediff_n_changes(void)
{
    return chance(75) ? 1 : 2 + rnd(3);
}

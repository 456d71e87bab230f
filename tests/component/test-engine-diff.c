/*
 * test-engine-diff: incremental must equal full.
 *
 * Usage: test-engine-diff NB_REMOTE [--seed N] [--steps M] [--verbose]
 *
 * A randomized differential test of controller/engine.  One IDL connection
 * (the writer) makes random changes to the NB database, one transaction a
 * step: networks (tunnelled and provider, external), subnets, VM ports
 * (addresses, security groups, port security, admin state, allowed address
 * pairs), routers with interfaces, gateways and extra routes, floating IPs,
 * security groups and rules (remote groups and prefixes), port bindings
 * moving between this chassis and others, gateway-capable chassis; mostly
 * valid, some with values the compilers must skip (bad CIDRs and MACs,
 * MTUs out of range, rules with bad ports or prefixes, tunnelled networks
 * without a segment).  Besides NB, a step may change what the bridges
 * report: VIFs appearing, moving to another ofport or vanishing, BFD
 * marking a gateway down, a tunnel or the metadata port coming or going.
 *
 * A second IDL connection (the reader, with the indexes and change
 * tracking dvr-controller uses) waits for each step's transaction, then
 * engine A, created once, runs incrementally as the controller's does.
 * After every step a fresh engine B compiles the same input in full, with
 * A's local-VLAN allocations loaded the way the controller loads the ones
 * it persisted at a restart, and A's flows on every bridge (br-int, br-tun,
 * the provider bridges) must equal B's: the same keys (table, priority,
 * match) with the same cookie and actions, as the switch would see them
 * (flow_set_diff(), which ofctrl uses).
 *
 * Everything random comes from the seed, row UUIDs included, so a seed and
 * a number of steps reproduce a run.  On a difference the program prints
 * the seed, the step, the last steps' changes and the differing flows, and
 * exits 1.  Exits 0 when every step compared equal.
 */

#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/bridges.h"
#include "controller/config.h"
#include "controller/engine.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/flow.h"
#include "pipeline/services.h"
#include "pipeline/sg.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

#define ME "hv-me"
#define N_HISTORY 8             /* Steps printed on a failure. */

/* Limits that keep the topology small, so that objects interact. */
#define MAX_NETS 8
#define MAX_SUBNETS 12
#define MAX_VM_PORTS 30
#define MAX_ROUTERS 4
#define MAX_FIPS 8
#define MAX_SGS 5
#define MAX_RULES 6

static const char *const chassis_names[] = { ME, "hv2", "hv3", "hv4" };
#define N_CHASSIS ARRAY_SIZE(chassis_names)

/* The random source: splitmix64, so that a seed means the same run on
 * every machine. */
static uint64_t rng_state;

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

/* Everything one run works on. */
struct run {
    struct ovsdb_idl *w;            /* Writer. */
    struct ovsdb_idl *r;            /* Reader (the engine's). */
    struct ovsdb_idl_txn *txn;      /* The writer's, during a step. */
    struct ds desc;                 /* What the step changes. */
    unsigned int counter;           /* For unique names and addresses. */
    bool deleted;                   /* The step deleted a row. */

    /* The engine's input. */
    struct dvr_config cfg;
    struct services_chassis services;
    struct bridge_ports ports;
    unsigned int vifs_gen;
    struct ovsdb_idl_index *ports_by_network;
    struct ovsdb_idl_index *bindings_by_port;
    struct ovsdb_idl_index *fips_by_port;
    struct ovsdb_idl_index *fips_by_router;
    struct smap persisted;          /* Engine A's local VLANs. */
    unsigned int next_ofport;
};

#define NOTE(RUN, ...) ds_put_format(&(RUN)->desc, __VA_ARGS__)
#define ID(ROW) ((ROW)->header_.uuid.parts[0])   /* For the notes. */

/* Random row pickers over the writer's view. */
#define DEFINE_PICK(NAME, TYPE, FOR_EACH)                                  \
    static const struct TYPE *                                          \
    pick_##NAME(struct run *run,                                        \
                bool (*filter)(struct run *, const struct TYPE *))      \
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
    count_##NAME(struct run *run,                                       \
                 bool (*filter)(struct run *, const struct TYPE *))     \
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
DEFINE_PICK(sg, nbrec_security_group, NBREC_SECURITY_GROUP_FOR_EACH)
DEFINE_PICK(binding, nbrec_port_binding, NBREC_PORT_BINDING_FOR_EACH)
DEFINE_PICK(chassis, nbrec_chassis, NBREC_CHASSIS_FOR_EACH)

static bool
is_vm_port(struct run *run OVS_UNUSED, const struct nbrec_port *p)
{
    return !strncmp(p->device_owner, "compute:", 8);
}

static bool
is_external(struct run *run OVS_UNUSED, const struct nbrec_network *n)
{
    return n->external;
}

static bool
has_interfaces(struct run *run OVS_UNUSED, const struct nbrec_router *r)
{
    return r->n_interfaces > 0;
}

static bool
has_gateway(struct run *run OVS_UNUSED, const struct nbrec_router *r)
{
    return r->gateway_port != NULL;
}

static bool
has_rules(struct run *run OVS_UNUSED, const struct nbrec_security_group *g)
{
    return g->n_rules > 0;
}

static bool
is_associated(struct run *run OVS_UNUSED, const struct nbrec_floating_ip *f)
{
    return f->port != NULL;
}

/* A subnet of 'net', or NULL. */
static const struct nbrec_subnet *
pick_subnet_of(struct run *run, const struct nbrec_network *net)
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
new_mac(struct run *run)
{
    unsigned int c = ++run->counter;
    struct eth_addr mac = { .ea = { 0xfa, 0x16, 0x3e, c >> 16, c >> 8, c } };

    return mac;
}

static char *
new_mac_string(struct run *run)
{
    if (chance(2)) {
        return xstrdup("fa:16:3e:zz:00:01");
    }
    struct eth_addr mac = new_mac(run);
    return xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
}

/* An address in 'subnet' (host part 'host' if nonzero). */
static char *
address_in(struct run *run, const struct nbrec_subnet *subnet, int host)
{
    unsigned int plen;
    ovs_be32 ip;
    char *error = ip_parse_cidr(subnet->cidr, &ip, &plen);

    if (!host) {
        host = 2 + rnd(250);
    }
    if (error || plen > 24) {
        free(error);
        return xasprintf("10.255.%u.%d", run->counter++ & 0xff, host);
    }
    ip = htonl((ntohl(ip) & 0xffffff00) | host);
    return xasprintf(IP_FMT, IP_ARGS(ip));
}

/* True if a port has address 'ip' on 'subnet' already. */
static bool
ip_taken(struct run *run, const struct nbrec_subnet *s, const char *ip)
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
insert_fixed_ip(struct run *run, const struct nbrec_subnet *subnet,
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
insert_port(struct run *run, const struct nbrec_network *net,
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
network_set_random(struct run *run, const struct nbrec_network *net)
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
net_create(struct run *run)
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
net_update(struct run *run, const struct nbrec_network *net)
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

static void delete_port(struct run *, const struct nbrec_port *);

/* Deletes the ports of 'net' (and the floating IPs on it) or, if it has
 * none left, its subnets and itself (see subnet_delete()). */
static void
net_delete(struct run *run, const struct nbrec_network *net)
{
    const struct nbrec_floating_ip *fip, *next_fip;
    const struct nbrec_subnet *s, *next_s;
    const struct nbrec_port *p, *next_p;
    bool had_ports = false;

    NBREC_FLOATING_IP_FOR_EACH_SAFE (fip, next_fip, run->w) {
        if (fip->floating_network == net) {
            nbrec_floating_ip_delete(fip);
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
subnet_set_gateway(struct run *run, const struct nbrec_subnet *s)
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
subnet_create(struct run *run, const struct nbrec_network *net)
{
    struct uuid u = new_uuid();
    struct nbrec_subnet *s = nbrec_subnet_insert_persist_uuid(run->txn, &u);
    const struct nbrec_subnet *other;
    char *cidr;
    int c = rnd(100);

    if (c < 4) {
        cidr = xstrdup(chance(50) ? "10.0.0.0/33" : "bogus");
    } else if (c < 14 && (other = pick_subnet(run, NULL))) {
        cidr = xstrdup(other->cidr);        /* Overlapping networks. */
    } else {
        unsigned int n = run->counter++;
        cidr = xasprintf("10.%u.%u.0/24", (n >> 8) & 0xff, n & 0xff);
    }
    nbrec_subnet_set_network(s, net);
    nbrec_subnet_set_cidr(s, cidr);
    nbrec_subnet_set_ip_version(s, 4);
    nbrec_subnet_set_enable_dhcp(s, chance(50));
    NOTE(run, "subnet %08x create on %08x %s dhcp %d", ID(s), ID(net), cidr,
         s->enable_dhcp);
    subnet_set_gateway(run, s);
    free(cidr);
}

static void
subnet_update(struct run *run, const struct nbrec_subnet *s)
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
subnet_in_use(struct run *run, const struct nbrec_subnet *s)
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
subnet_delete(struct run *run, const struct nbrec_subnet *s)
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
port_set_fixed_ips(struct run *run, const struct nbrec_port *p)
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
port_set_sgs(struct run *run, const struct nbrec_port *p)
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
port_set_pairs(struct run *run, const struct nbrec_port *p)
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
port_create(struct run *run, const struct nbrec_network *net)
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
port_update(struct run *run, const struct nbrec_port *p)
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
delete_port(struct run *run, const struct nbrec_port *p)
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
            nbrec_floating_ip_delete(fip);
        }
    }
    nbrec_port_delete(p);
    run->deleted = true;
}

/* Routers. */

static char *
uuid_string(const struct uuid *u)
{
    return xasprintf(UUID_FMT, UUID_ARGS(u));
}

static void
router_create(struct run *run)
{
    struct uuid u = new_uuid();
    struct nbrec_router *r = nbrec_router_insert_persist_uuid(run->txn, &u);

    nbrec_router_set_name(r, "router");
    nbrec_router_set_admin_state_up(r, true);
    nbrec_router_set_enable_snat(r, chance(80));
    NOTE(run, "router %08x create snat %d", ID(r), r->enable_snat);
}

static void
router_add_iface(struct run *run, const struct nbrec_router *r)
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
router_del_iface(struct run *run, const struct nbrec_router *r)
{
    const struct nbrec_port *p = r->interfaces[rnd(r->n_interfaces)];

    NOTE(run, "router %08x remove interface %08x", ID(r), ID(p));
    nbrec_router_update_interfaces_delvalue(r, p);
    nbrec_port_delete(p);
    run->deleted = true;
}

static void
router_set_gw(struct run *run, const struct nbrec_router *r)
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
    struct nbrec_fixed_ip *fip = insert_fixed_ip(run, s, ip);
    const struct nbrec_port *old = r->gateway_port;

    nbrec_port_set_fixed_ips(p, &fip, 1);
    nbrec_router_set_gateway_port(r, p);
    if (old) {
        nbrec_port_delete(old);
        run->deleted = true;
    }
    NOTE(run, "router %08x gateway %08x on %08x ip %s", ID(r), ID(p),
         ID(ext), ip);
    free(ip);
    free(id);
}

static void
router_clear_gw(struct run *run, const struct nbrec_router *r)
{
    const struct nbrec_port *p = r->gateway_port;

    NOTE(run, "router %08x clear gateway %08x", ID(r), ID(p));
    nbrec_router_set_gateway_port(r, NULL);
    nbrec_port_delete(p);
    run->deleted = true;
}

static void
router_update(struct run *run, const struct nbrec_router *r)
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
        char *dst = xasprintf("192.168.%u.0/24", rnd(4));
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
router_delete(struct run *run, const struct nbrec_router *r)
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
vm_port_with_ip(struct run *run OVS_UNUSED, const struct nbrec_port *p)
{
    return is_vm_port(run, p) && (p->n_fixed_ips || chance(10));
}

static void
fip_associate(struct run *run, const struct nbrec_floating_ip *fip)
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
fip_create(struct run *run)
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
fip_delete(struct run *run, const struct nbrec_floating_ip *fip)
{
    NOTE(run, "fip %08x delete", ID(fip));
    nbrec_port_delete(fip->floating_port);
    nbrec_floating_ip_delete(fip);
    run->deleted = true;
}

/* Security groups. */

static void
sg_create(struct run *run)
{
    struct uuid u = new_uuid();
    struct nbrec_security_group *g
        = nbrec_security_group_insert_persist_uuid(run->txn, &u);

    nbrec_security_group_set_name(g, "sg");
    nbrec_security_group_set_stateful(g, true);
    NOTE(run, "sg %08x create", ID(g));
}

static void
sg_delete(struct run *run, const struct nbrec_security_group *g)
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
rule_add(struct run *run, const struct nbrec_security_group *g)
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
rule_del(struct run *run, const struct nbrec_security_group *g)
{
    const struct nbrec_security_group_rule *rule = g->rules[rnd(g->n_rules)];

    NOTE(run, "sg %08x remove rule %08x", ID(g), ID(rule));
    nbrec_security_group_update_rules_delvalue(g, rule);
}

/* Bindings and chassis. */

static const struct nbrec_chassis *
find_chassis(struct run *run, const char *name)
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
binding_set(struct run *run)
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
    size_t i = rnd(N_CHASSIS + 1);
    const struct nbrec_chassis *ch
        = i < N_CHASSIS ? find_chassis(run, chassis_names[i]) : NULL;
    nbrec_port_binding_set_chassis(found, ch);
    nbrec_port_binding_set_up(found, chance(70));
    NOTE(run, "binding %08x of port %08x on %s", ID(found), ID(p),
         ch ? ch->name : "-");
}

static void
binding_delete(struct run *run, const struct nbrec_port_binding *pb)
{
    NOTE(run, "binding %08x delete", ID(pb));
    nbrec_port_binding_delete(pb);
    run->deleted = true;
}

static void
chassis_toggle(struct run *run, const struct nbrec_chassis *ch)
{
    nbrec_chassis_set_gateway_capable(ch, !ch->gateway_capable);
    NOTE(run, "chassis %s gateway %d", ch->name, ch->gateway_capable);
}

/* What the bridges report (no NB change). */

static void
vif_change(struct run *run)
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
    free(id);
}

static void
bfd_toggle(struct run *run)
{
    const char *name = chassis_names[1 + rnd(N_CHASSIS - 1)];

    if (!sset_find_and_delete(&run->ports.bfd_down, name)) {
        sset_add(&run->ports.bfd_down, name);
    }
    NOTE(run, "bfd %s %s", name,
         sset_contains(&run->ports.bfd_down, name) ? "down" : "up");
}

static void
topology_change(struct run *run)
{
    if (chance(50)) {
        if (!simap_find_and_delete(&run->ports.tunnels, "hv4")) {
            simap_put(&run->ports.tunnels, "hv4", 4);
        }
        NOTE(run, "tunnel to hv4 %s",
             simap_contains(&run->ports.tunnels, "hv4") ? "up" : "gone");
    } else {
        run->services.meta_ofport = (run->services.meta_ofport == OFPP_NONE
                                     ? u16_to_ofp(9) : OFPP_NONE);
        NOTE(run, "metadata port %s",
             run->services.meta_ofport == OFPP_NONE ? "gone" : "up");
    }
}

/* One random change (none if the chosen kind finds nothing to change). */
static void
random_change(struct run *run)
{
    size_t n_nets = count_network(run, NULL);
    int c = rnd(1000);

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

/* IDL plumbing. */

static void
wait_idl(struct ovsdb_idl *idl, bool (*done)(struct ovsdb_idl *, void *),
         void *aux, const char *what)
{
    long long int deadline = time_msec() + 30000;

    for (;;) {
        ovsdb_idl_run(idl);
        if (done(idl, aux)) {
            return;
        }
        if (time_msec() > deadline) {
            ovs_fatal(0, "timed out waiting for %s", what);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
connected(struct ovsdb_idl *idl, void *aux OVS_UNUSED)
{
    return ovsdb_idl_has_ever_connected(idl);
}

/* True once 'idl' has seen the NB_Global row with nb_cfg *'aux'. */
static bool
has_step(struct ovsdb_idl *idl, void *aux)
{
    const struct nbrec_nb_global *g = nbrec_nb_global_first(idl);
    return g && g->nb_cfg == *(int64_t *) aux;
}

static const struct nbrec_nb_global *
nb_global(struct ovsdb_idl *idl)
{
    const struct nbrec_nb_global *g = nbrec_nb_global_first(idl);
    if (!g) {
        ovs_fatal(0, "no NB_Global row");
    }
    return g;
}

/* The chassis and NB_Global rows, as dvr-controller's and other nodes'
 * would be. */
static void
setup_db(struct run *run)
{
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(run->w);
    struct nbrec_nb_global *g = nbrec_nb_global_insert(txn);

    nbrec_nb_global_set_nb_cfg(g, 0);
    for (size_t i = 0; i < N_CHASSIS; i++) {
        struct nbrec_chassis *ch = nbrec_chassis_insert(txn);
        char *ip = xasprintf("192.0.2.%"PRIuSIZE, i + 1);

        nbrec_chassis_set_name(ch, chassis_names[i]);
        nbrec_chassis_set_hostname(ch, chassis_names[i]);
        nbrec_chassis_set_encap_type(ch, "geneve");
        nbrec_chassis_set_encap_ip(ch, ip);
        nbrec_chassis_set_gateway_capable(ch, i < 3);
        free(ip);
    }
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status != TXN_SUCCESS) {
        ovs_fatal(0, "setup transaction: %s (%s)",
                  ovsdb_idl_txn_status_to_string(status),
                  ovsdb_idl_txn_get_error(txn));
    }
    ovsdb_idl_txn_destroy(txn);
    int64_t zero = 0;
    wait_idl(run->w, has_step, &zero, "the writer");
    wait_idl(run->r, has_step, &zero, "the reader");
}

static void
setup_input(struct run *run)
{
    memset(&run->cfg, 0, sizeof run->cfg);
    run->cfg.system_id = xstrdup(ME);
    run->cfg.hostname = xstrdup(ME);
    run->cfg.nb_remote = xstrdup("");
    run->cfg.encap_ip = xstrdup("192.0.2.1");
    run->cfg.encap_type = xstrdup("geneve");
    smap_init(&run->cfg.bridge_mappings);
    smap_add(&run->cfg.bridge_mappings, "physnet1", "br-ex");
    run->cfg.gateway = true;
    run->cfg.datapath_type = xstrdup("");
    run->cfg.int_bridge = xstrdup("br-int");
    run->cfg.tun_bridge = xstrdup("br-tun");

    run->services.meta_ofport = OFPP_NONE;
    run->services.meta_mac = (struct eth_addr) ETH_ADDR_C(02, 00, 00, 00,
                                                          00, 09);
    run->services.use_meters = true;

    bridge_ports_init(&run->ports);
    run->ports.int_patch_tun = u16_to_ofp(1);
    run->ports.tun_patch_int = u16_to_ofp(1);
    simap_put(&run->ports.tunnels, "hv2", 2);
    simap_put(&run->ports.tunnels, "hv3", 3);
    struct ex_bridge *eb = xzalloc(sizeof *eb);
    eb->physnet = xstrdup("physnet1");
    eb->bridge = xstrdup("br-ex");
    eb->int_patch = u16_to_ofp(5);
    eb->ex_patch = u16_to_ofp(1);
    shash_add(&run->ports.ex_bridges, "physnet1", eb);
    run->next_ofport = 10;
    smap_init(&run->persisted);
}

/* Comparison. */

static void
format_flow(const char *label, const struct dvr_flow *f, struct ds *s)
{
    ds_put_format(s, "    %s: ", label);
    if (f) {
        dvr_flow_format(f, NULL, NULL, s);
    } else {
        ds_put_cstr(s, "(none)");
    }
    ds_put_char(s, '\n');
}

/* Appends to 's' how 'inc' differs from 'full' (on bridge 'name') and
 * returns the number of keys that differ. */
static size_t
compare_sets(const char *name, const struct flow_set *inc,
             const struct flow_set *full, struct ds *s)
{
    struct flow_change *changes;
    size_t n = flow_set_diff(inc, full, true, &changes);

    for (size_t i = 0; i < n && i < 20; i++) {
        const struct dvr_flow *f = changes[i].flow;
        const struct dvr_flow *a = flow_set_find(inc, f);
        const struct dvr_flow *b = flow_set_find(full, f);

        ds_put_format(s, "  %s: %s\n", name,
                      !b ? "only in incremental"
                      : !a ? "only in full"
                      : "differs");
        format_flow("incremental", a, s);
        format_flow("full       ", b, s);
    }
    if (n > 20) {
        ds_put_format(s, "  %s: ... %"PRIuSIZE" differences in all\n",
                      name, n);
    }
    free(changes);
    return n;
}

static size_t
compare_engines(struct engine *a, struct engine *b, struct ds *s)
{
    struct flow_set empty;
    struct sset names = SSET_INITIALIZER(&names);
    struct shash_node *node;
    const char *name;
    size_t n = 0;

    n += compare_sets("br-int", engine_int_flows(a), engine_int_flows(b), s);
    n += compare_sets("br-tun", engine_tun_flows(a), engine_tun_flows(b), s);
    flow_set_init(&empty);
    SHASH_FOR_EACH (node, engine_ex_flows(a)) {
        sset_add(&names, node->name);
    }
    SHASH_FOR_EACH (node, engine_ex_flows(b)) {
        sset_add(&names, node->name);
    }
    SSET_FOR_EACH (name, &names) {
        const struct flow_set *fa = shash_find_data(engine_ex_flows(a), name);
        const struct flow_set *fb = shash_find_data(engine_ex_flows(b), name);
        n += compare_sets(name, fa ? fa : &empty, fb ? fb : &empty, s);
    }
    flow_set_destroy(&empty);
    sset_destroy(&names);
    return n;
}

static void
drain_garps(struct engine *e)
{
    struct ovs_list garps = OVS_LIST_INITIALIZER(&garps);
    struct engine_garp *g;

    engine_take_garps(e, &garps);
    LIST_FOR_EACH_POP (g, list_node, &garps) {
        free(g);
    }
}

/* Persists engine A's local VLAN changes, as bridges_store_lvids() does
 * in br-int's external_ids. */
static void
persist_lvids(struct run *run, struct engine *a)
{
    struct smap set = SMAP_INITIALIZER(&set);
    struct sset unset = SSET_INITIALIZER(&unset);
    struct smap_node *node;
    const char *name;

    engine_take_lvid_changes(a, &set, &unset);
    SSET_FOR_EACH (name, &unset) {
        smap_remove(&run->persisted, name);
    }
    SMAP_FOR_EACH (node, &set) {
        smap_replace(&run->persisted, node->key, node->value);
    }
    smap_destroy(&set);
    sset_destroy(&unset);
}

static void
usage(void)
{
    printf("usage: test-engine-diff NB_REMOTE [--seed N] [--steps M] "
           "[--verbose]\n");
    exit(EXIT_FAILURE);
}

int
main(int argc, char *argv[])
{
    const char *remote = NULL;
    uint64_t seed = time_wall_msec();
    long long int steps = 2000;
    bool verbose = false;

    set_program_name(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
            steps = atoll(argv[++i]);
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else if (argv[i][0] != '-' && !remote) {
            remote = argv[i];
        } else {
            usage();
        }
    }
    if (!remote) {
        usage();
    }
    /* The compilers log every skipped row: the point here is the flows. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, verbose ? VLL_WARN : VLL_OFF);
    printf("test-engine-diff: seed %"PRIu64", %lld steps\n", seed, steps);
    fflush(stdout);
    rng_state = seed;

    struct run run;
    memset(&run, 0, sizeof run);
    ds_init(&run.desc);
    run.w = ovsdb_idl_create(remote, &nbrec_idl_class, true, true);
    run.r = ovsdb_idl_create(remote, &nbrec_idl_class, true, true);
    ovsdb_idl_track_add_all(run.r);
    run.ports_by_network = ovsdb_idl_index_create1(run.r,
                                                   &nbrec_port_col_network);
    run.bindings_by_port = ovsdb_idl_index_create1(
        run.r, &nbrec_port_binding_col_port);
    run.fips_by_port = ovsdb_idl_index_create1(run.r,
                                               &nbrec_floating_ip_col_port);
    run.fips_by_router = ovsdb_idl_index_create1(
        run.r, &nbrec_floating_ip_col_router);
    wait_idl(run.w, connected, NULL, "the writer to connect");
    wait_idl(run.r, connected, NULL, "the reader to connect");
    setup_input(&run);
    setup_db(&run);

    struct engine *a = engine_create();
    struct ds history[N_HISTORY];
    long long int start = time_msec();
    size_t n_failed_txns = 0, max_flows = 0;
    int status = EXIT_SUCCESS;

    for (size_t i = 0; i < N_HISTORY; i++) {
        ds_init(&history[i]);
    }
    for (int64_t step = 1; step <= steps; step++) {
        ds_clear(&run.desc);
        run.deleted = false;
        run.txn = ovsdb_idl_txn_create(run.w);
        nbrec_nb_global_set_nb_cfg(nb_global(run.w), step);

        /* Mostly one change a step, sometimes a few at once; a deletion
         * ends the step (the writer's view of a deleted row is gone). */
        int n_changes = chance(75) ? 1 : 2 + rnd(3);
        for (int k = 0; k < n_changes && !run.deleted; k++) {
            if (k) {
                ds_put_cstr(&run.desc, "; ");
            }
            size_t len = run.desc.length;
            random_change(&run);
            if (run.desc.length == len) {
                ds_put_cstr(&run.desc, "(no change)");
            }
        }

        enum ovsdb_idl_txn_status ts = ovsdb_idl_txn_commit_block(run.txn);
        if (ts != TXN_SUCCESS) {
            /* A change the database refused (a unique index, say): the
             * step changes only what the bridges report. */
            ds_put_format(&run.desc, " [transaction %s: %s]",
                          ovsdb_idl_txn_status_to_string(ts),
                          ovsdb_idl_txn_get_error(run.txn));
            n_failed_txns++;
        }
        ovsdb_idl_txn_destroy(run.txn);
        run.txn = NULL;
        if (ts == TXN_SUCCESS) {
            wait_idl(run.w, has_step, &step, "the writer");
            wait_idl(run.r, has_step, &step, "the reader");
        }
        ds_clear(&history[step % N_HISTORY]);
        ds_put_format(&history[step % N_HISTORY], "step %"PRId64": %s",
                      step, ds_cstr(&run.desc));
        if (verbose) {
            printf("%s\n", ds_cstr(&history[step % N_HISTORY]));
        }

        struct engine_input in = {
            .cfg = &run.cfg,
            .services = &run.services,
            .nb_idl = run.r,
            .ports_by_network = run.ports_by_network,
            .bindings_by_port = run.bindings_by_port,
            .fips_by_port = run.fips_by_port,
            .fips_by_router = run.fips_by_router,
            .ports = &run.ports,
            .vifs_gen = run.vifs_gen,
        };
        engine_run(a, &in);
        ovsdb_idl_track_clear(run.r);
        drain_garps(a);
        persist_lvids(&run, a);

        /* A fresh engine over the same input, with A's local VLANs as a
         * restarted controller reads them from br-int. */
        struct smap saved;
        smap_clone(&saved, &run.ports.lvids);
        smap_destroy(&run.ports.lvids);
        smap_clone(&run.ports.lvids, &run.persisted);
        struct engine *b = engine_create();
        engine_force_full(b);
        engine_run(b, &in);
        smap_destroy(&run.ports.lvids);
        smap_clone(&run.ports.lvids, &saved);
        smap_destroy(&saved);

        max_flows = MAX(max_flows, flow_set_count(engine_int_flows(a)));
        struct ds diff = DS_EMPTY_INITIALIZER;
        if (compare_engines(a, b, &diff)) {
            printf("FAIL: seed %"PRIu64", step %"PRId64": the incremental "
                   "flows differ from a full compile\n", seed, step);
            printf("the last steps:\n");
            for (int64_t k = MAX(1, step - N_HISTORY + 1); k <= step; k++) {
                printf("  %s\n", ds_cstr(&history[k % N_HISTORY]));
            }
            printf("differences:\n%s", ds_cstr(&diff));
            printf("reproduce: test-engine-diff NB_REMOTE --seed %"PRIu64
                   " --steps %"PRId64" (on an empty database)\n", seed, step);
            status = EXIT_FAILURE;
        }
        ds_destroy(&diff);
        engine_destroy(b);
        if (status != EXIT_SUCCESS) {
            break;
        }
    }

    long long int elapsed = time_msec() - start;
    if (status == EXIT_SUCCESS) {
        printf("test-engine-diff: seed %"PRIu64": %lld steps equal in "
               "%.1f s (%.0f steps/s); %"PRIuSIZE" transactions refused by "
               "the database; up to %"PRIuSIZE" br-int flows\n", seed,
               steps, elapsed / 1000.0,
               elapsed ? steps * 1000.0 / elapsed : 0.0, n_failed_txns,
               max_flows);
    }

    for (size_t i = 0; i < N_HISTORY; i++) {
        ds_destroy(&history[i]);
    }
    engine_destroy(a);
    ovsdb_idl_destroy(run.w);
    ovsdb_idl_destroy(run.r);
    bridge_ports_destroy(&run.ports);
    config_destroy(&run.cfg);
    smap_destroy(&run.persisted);
    ds_destroy(&run.desc);
    return status;
}

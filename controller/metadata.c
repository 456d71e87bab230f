/*
 * controller/metadata: see metadata.h.
 *
 * Threads: the main loop owns the IDLs and builds the snapshot (one
 * "struct meta_instance" per local VIF, by OpenFlow port) under
 * 'm->mutex'; the HTTP thread owns the libevent base and reads the
 * snapshot under the same mutex.  Nothing else is shared.
 */

#include <config.h>
#include "api/json-compat.h"

#include "controller/metadata.h"
#include "controller/nb-monitor.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "lib/flow.h"
#include "netdev.h"
#include "netlink.h"
#include "netlink-socket.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "simap.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(metadata);

#define RETRY_MSEC 1000                 /* Port and address checks. */

/* What one client may hold: a VM (a VIF, identified by its client
 * address) or the host.  Every connection costs the controller a file
 * descriptor and buffers, which it shares with OVSDB and OpenFlow. */
#define META_MAX_CONNS 256              /* In total. */
#define META_MAX_CONNS_PER_CLIENT 16
#define META_MAX_HEADERS 8192           /* Bytes, request line included. */
#define META_MAX_BODY 1024              /* Bytes; GET and HEAD need none. */
#define META_IDLE_TIMEOUT 10            /* Seconds without progress. */
#define META_MAX_LIFE_MSEC 30000        /* Of any connection. */
#define META_SWEEP_MSEC 1000
#define DEFAULT_DNS_DOMAIN "openstacklocal"

/* What the service knows of the instance behind one local VIF. */
struct meta_instance {
    struct hmap_node node;              /* In 'instances', by ofport. */
    uint16_t ofport;
    char *instance_id;                  /* The port's device_id. */
    char *project_id;
    char *name;
    char *hostname;                     /* Short. */
    char *domain;
    char *local_ipv4;                   /* "" without one. */
    char *public_ipv4;                  /* NULL without a floating IP. */
    char *az;
    char *user_data;                    /* NULL without. */
    struct smap public_keys;            /* Name -> key. */
    struct smap meta;
};

/* One accepted connection (the HTTP thread only). */
struct meta_conn {
    struct hmap_node node;              /* In 'conns', by 'evcon'. */
    struct evhttp_connection *evcon;    /* NULL once closed. */
    uint16_t client;                    /* VIF ofport; 0 for the host. */
    long long int since;
    unsigned int n_proxied;             /* Proxy requests in flight. */
};

struct metadata {
    /* Main loop only. */
    char *proxy_url;
    char *secret;
    uint16_t http_port;
    ofp_port_t ofport;                  /* Of the port, when known. */
    struct eth_addr mac;
    bool addr_ok;                       /* The address is configured. */
    bool addr6_ok;                      /* SERVICES_META_IP6 too. */
    bool serving6;                      /* Listening on it. */
    long long int next_check;
    unsigned int nb_seqno;
    uint32_t vifs_hash;
    char *last_error;                   /* Last logged, to log once. */

    /* The HTTP thread, once started. */
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_uri *proxy;           /* Parsed 'proxy_url'. */
    struct evhttp_connection *proxy_conn;
    pthread_t thread;
    bool started;
    atomic_bool exiting;

    /* Connections (the HTTP thread only): the bufferevents evhttp made
     * for connections it accepted and we have not counted yet, those we
     * count, and how many each client holds. */
    struct bufferevent **fresh;
    size_t n_fresh, allocated_fresh;
    struct event *adopt_event;
    struct event *sweep_event;
    struct hmap conns;
    uint16_t *client_conns;             /* By client, ZONE_MAX_OFPORT + 1. */
    struct evhttp_bound_socket *bound6; /* The IPv6 listener, if any... */
    int bound6_ifindex;                 /* ...bound on this link. */

    /* Shared. */
    struct ovs_mutex mutex;
    struct hmap instances OVS_GUARDED;
    uint64_t n_requests OVS_GUARDED;
    uint64_t n_unknown OVS_GUARDED;     /* Not from a local VIF. */
    uint64_t n_not_found OVS_GUARDED;   /* No such path. */
    uint64_t n_proxied OVS_GUARDED;
    uint64_t n_proxy_errors OVS_GUARDED;
    size_t n_foreign OVS_GUARDED;       /* Ports naming others' instances. */
    size_t n_conns OVS_GUARDED;         /* Open connections. */
    uint64_t n_refused OVS_GUARDED;     /* Connections over a limit. */
    uint64_t n_expired OVS_GUARDED;     /* Closed for their age. */
    int ifindex6 OVS_GUARDED;           /* The link SERVICES_META_IP6 is on
                                         * now (a restarted ovs-vswitchd
                                         * makes the port anew)... */
    uint64_t n_rebound6 OVS_GUARDED;    /* ...and the IPv6 listener moved
                                         * to a new one. */
    uint64_t n_bad_method OVS_GUARDED;  /* Neither GET nor HEAD. */
};

static void
meta_instance_free(struct meta_instance *mi)
{
    free(mi->instance_id);
    free(mi->project_id);
    free(mi->name);
    free(mi->hostname);
    free(mi->domain);
    free(mi->local_ipv4);
    free(mi->public_ipv4);
    free(mi->az);
    free(mi->user_data);
    smap_destroy(&mi->public_keys);
    smap_destroy(&mi->meta);
    free(mi);
}

struct metadata *
metadata_create(const struct metadata_options *opts)
{
    struct metadata *m = xzalloc(sizeof *m);

    m->proxy_url = nullable_xstrdup(opts->proxy_url);
    m->secret = nullable_xstrdup(opts->secret);
    m->http_port = opts->http_port;
    m->ofport = OFPP_NONE;
    ovs_mutex_init(&m->mutex);
    hmap_init(&m->instances);
    hmap_init(&m->conns);
    m->client_conns = xcalloc(ZONE_MAX_OFPORT + 1, sizeof *m->client_conns);
    atomic_init(&m->exiting, false);
    return m;
}

void
metadata_destroy(struct metadata *m)
{
    if (!m) {
        return;
    }
    if (m->started) {
        atomic_store(&m->exiting, true);
        xpthread_join(m->thread, NULL);
    }
    if (m->proxy_conn) {
        evhttp_connection_free(m->proxy_conn);
    }
    for (size_t i = 0; i < m->n_fresh; i++) {
        bufferevent_decref(m->fresh[i]);
    }
    free(m->fresh);
    if (m->http) {
        /* Calls conn_closed() for every connection still open. */
        evhttp_free(m->http);
    }
    struct meta_conn *conn;
    HMAP_FOR_EACH_POP (conn, node, &m->conns) {
        free(conn);
    }
    hmap_destroy(&m->conns);
    free(m->client_conns);
    if (m->adopt_event) {
        event_free(m->adopt_event);
    }
    if (m->sweep_event) {
        event_free(m->sweep_event);
    }
    if (m->proxy) {
        evhttp_uri_free(m->proxy);
    }
    if (m->base) {
        event_base_free(m->base);
    }

    struct meta_instance *mi;
    HMAP_FOR_EACH_POP (mi, node, &m->instances) {
        meta_instance_free(mi);
    }
    hmap_destroy(&m->instances);
    ovs_mutex_destroy(&m->mutex);
    free(m->proxy_url);
    free(m->secret);
    free(m->last_error);
    free(m);
}

char *
metadata_sign(const char *secret, const char *instance_id)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    struct ds s = DS_EMPTY_INITIALIZER;

    HMAC(EVP_sha256(), secret, strlen(secret),
         (const unsigned char *) instance_id, strlen(instance_id), md, &len);
    for (unsigned int i = 0; i < len; i++) {
        ds_put_format(&s, "%02x", md[i]);
    }
    return ds_steal_cstr(&s);
}

/* Logs 'error' (which it frees) unless it was the last one logged. */
static void
log_once(struct metadata *m, char *error)
{
    if (!m->last_error || strcmp(error, m->last_error)) {
        VLOG_WARN("%s", error);
        free(m->last_error);
        m->last_error = error;
    } else {
        free(error);
    }
}

/* The port: created if missing; its interface, if any. */
static const struct ovsrec_interface *
ensure_port(struct ovsdb_idl_txn *txn, struct ovsdb_idl *idl,
            const char *int_bridge)
{
    const struct ovsrec_bridge *br = NULL, *b;

    OVSREC_BRIDGE_FOR_EACH (b, idl) {
        if (!strcmp(b->name, int_bridge)) {
            br = b;
            break;
        }
    }
    if (!br) {
        return NULL;
    }
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];
        if (!strcmp(port->name, METADATA_PORT_NAME)
            && port->n_interfaces == 1) {
            return port->interfaces[0];
        }
    }
    if (txn) {
        struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
        ovsrec_interface_set_name(iface, METADATA_PORT_NAME);
        ovsrec_interface_set_type(iface, "internal");
        struct ovsrec_port *port = ovsrec_port_insert(txn);
        ovsrec_port_set_name(port, METADATA_PORT_NAME);
        ovsrec_port_set_interfaces(port, &iface, 1);
        ovsrec_bridge_update_ports_addvalue(br, port);
        VLOG_INFO("%s: adding port %s (internal)", br->name,
                  METADATA_PORT_NAME);
    }
    return NULL;
}

/* Gives the port its address and brings it up. */
static bool
configure_address(struct metadata *m)
{
    struct in_addr addr = { .s_addr = htonl(SERVICES_META_IP) };
    struct in_addr mask = { .s_addr = be32_prefix_mask(SERVICES_META_PLEN) };
    struct in_addr cur;
    struct netdev *netdev;
    int error;

    /* The address list is cached until flushed. */
    netdev_get_addrs_list_flush();
    if (!netdev_get_in4_by_name(METADATA_PORT_NAME, &cur)
        && cur.s_addr == addr.s_addr) {
        return true;
    }
    error = netdev_open(METADATA_PORT_NAME, "system", &netdev);
    if (!error) {
        error = netdev_set_in4(netdev, addr, mask);
        if (!error) {
            error = netdev_turn_flags_on(netdev, NETDEV_UP, NULL);
        }
        netdev_close(netdev);
    }
    if (error) {
        log_once(m, xasprintf("%s: cannot configure "IP_FMT"/%d (%s): no "
                              "metadata service", METADATA_PORT_NAME,
                              IP_ARGS(addr.s_addr), SERVICES_META_PLEN,
                              ovs_strerror(error)));
        return false;
    }
    VLOG_INFO("%s: "IP_FMT"/%d", METADATA_PORT_NAME, IP_ARGS(addr.s_addr),
              SERVICES_META_PLEN);
    return true;
}

/* Gives the port SERVICES_META_IP6/64 too (enabling IPv6 on it, which a
 * host may have off by default, and without duplicate address detection,
 * so that the service can listen at once).  Without it the service is
 * IPv4 only. */
static bool
configure_address6(struct metadata *m, int *ifindexp)
{
    struct in6_addr addr;
    struct netdev *netdev;
    int ifindex = -1;
    int error;

    ovs_assert(ipv6_parse(SERVICES_META_IP6, &addr));
    FILE *f = fopen("/proc/sys/net/ipv6/conf/" METADATA_PORT_NAME
                    "/disable_ipv6", "w");
    if (f) {
        fputs("0\n", f);
        error = fclose(f) ? errno : 0;
    } else {
        error = errno;
    }
    if (!error) {
        error = netdev_open(METADATA_PORT_NAME, "system", &netdev);
        if (!error) {
            ifindex = netdev_get_ifindex(netdev);
            error = ifindex < 0 ? -ifindex : 0;
            netdev_close(netdev);
        }
    }
    if (!error) {
        struct ofpbuf request;
        ofpbuf_init(&request, 0);
        nl_msg_put_nlmsghdr(&request, sizeof(struct ifaddrmsg), RTM_NEWADDR,
                            NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE
                            | NLM_F_ACK);
        struct ifaddrmsg *ifa = ofpbuf_put_zeros(&request, sizeof *ifa);
        ifa->ifa_family = AF_INET6;
        ifa->ifa_prefixlen = 64;
        ifa->ifa_flags = IFA_F_NODAD | IFA_F_PERMANENT;
        ifa->ifa_scope = RT_SCOPE_LINK;
        ifa->ifa_index = ifindex;
        nl_msg_put_unspec(&request, IFA_LOCAL, &addr, sizeof addr);
        nl_msg_put_unspec(&request, IFA_ADDRESS, &addr, sizeof addr);
        error = nl_transact(NETLINK_ROUTE, &request, NULL);
        ofpbuf_uninit(&request);
    }
    if (error) {
        log_once(m, xasprintf("%s: cannot configure %s/64 (%s): no "
                              "metadata service over IPv6",
                              METADATA_PORT_NAME, SERVICES_META_IP6,
                              ovs_strerror(error)));
        return false;
    }
    *ifindexp = ifindex;
    return true;
}

/* The snapshot. */

static char *
first_ipv4(const struct nbrec_port *port)
{
    for (size_t i = 0; i < port->n_fixed_ips; i++) {
        ovs_be32 ip;
        if (ip_parse(port->fixed_ips[i]->ip_address, &ip)) {
            return xstrdup(port->fixed_ips[i]->ip_address);
        }
    }
    return xstrdup("");
}

/* A host name: the first label of 'name', as far as it is valid. */
static char *
host_label(const char *name)
{
    size_t n = 0;

    while (name[n] && name[n] != '.' && n < 63
           && (isalnum((unsigned char) name[n]) || name[n] == '-')) {
        n++;
    }
    return xmemdup0(name, n);
}

static struct meta_instance *
build_instance(const struct nbrec_port *port, uint16_t ofport,
               const struct shash *instances, const struct smap *fips,
               const char *domain, bool *foreign)
{
    struct meta_instance *mi = xzalloc(sizeof *mi);
    const struct nbrec_instance *inst
        = shash_find_data(instances, port->device_id);
    char key[UUID_LEN + 1];

    /* A tenant sets its port's device_id at will, also to the id of
     * another project's instance: only an Instance of the port's own
     * project is the port's.  The project served (and sent to Nova) is
     * always the port's. */
    if (inst && strcmp(inst->project_id, port->project_id)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "port "UUID_FMT" (project %s) names instance "
                     "%s of project %s: not served",
                     UUID_ARGS(&port->header_.uuid), port->project_id,
                     inst->instance_id, inst->project_id);
        inst = NULL;
        *foreign = true;
    }
    mi->ofport = ofport;
    mi->instance_id = xstrdup(port->device_id);
    mi->project_id = xstrdup(port->project_id);
    mi->local_ipv4 = first_ipv4(port);
    snprintf(key, sizeof key, UUID_FMT, UUID_ARGS(&port->header_.uuid));
    mi->public_ipv4 = nullable_xstrdup(smap_get(fips, key));
    mi->domain = xstrdup(domain);
    mi->hostname = host_label(port->dns_name && port->dns_name[0]
                              ? port->dns_name
                              : inst && inst->name[0] ? inst->name : "");
    if (!mi->hostname[0]) {
        free(mi->hostname);
        mi->hostname = xasprintf("host-%s", mi->local_ipv4);
        for (char *p = mi->hostname; *p; p++) {
            *p = *p == '.' ? '-' : *p;
        }
    }
    mi->name = xstrdup(inst && inst->name[0] ? inst->name : mi->hostname);
    mi->az = xstrdup(inst && inst->availability_zone[0]
                     ? inst->availability_zone : "nova");
    mi->user_data = inst ? nullable_xstrdup(inst->user_data) : NULL;
    if (inst) {
        smap_clone(&mi->public_keys, &inst->public_keys);
        smap_clone(&mi->meta, &inst->meta);
    } else {
        smap_init(&mi->public_keys);
        smap_init(&mi->meta);
    }
    return mi;
}

static uint32_t
hash_vifs(const struct simap *vifs)
{
    const struct simap_node *node;
    uint32_t hash = simap_count(vifs);

    SIMAP_FOR_EACH (node, vifs) {
        /* Order-independent. */
        hash ^= hash_string(node->name, node->data);
    }
    return hash;
}

static void
refresh_snapshot(struct metadata *m, struct ovsdb_idl *nb_idl,
                 const struct simap *vifs)
{
    unsigned int seqno = ovsdb_idl_get_seqno(nb_idl);
    uint32_t vifs_hash = hash_vifs(vifs);

    if (seqno == m->nb_seqno && vifs_hash == m->vifs_hash) {
        return;
    }
    m->nb_seqno = seqno;
    m->vifs_hash = vifs_hash;

    struct shash instances = SHASH_INITIALIZER(&instances);
    const struct nbrec_instance *inst;
    NBREC_INSTANCE_FOR_EACH (inst, nb_idl) {
        shash_replace(&instances, inst->instance_id, inst);
    }
    struct smap fips = SMAP_INITIALIZER(&fips);
    const struct nbrec_floating_ip *fip;
    NBREC_FLOATING_IP_FOR_EACH (fip, nb_idl) {
        if (fip->port) {
            char key[UUID_LEN + 1];
            snprintf(key, sizeof key, UUID_FMT,
                     UUID_ARGS(&fip->port->header_.uuid));
            smap_replace(&fips, key, fip->floating_ip_address);
        }
    }
    const struct nbrec_nb_global *g = nbrec_nb_global_first(nb_idl);
    const char *domain = g ? smap_get(&g->options, "dns_domain") : NULL;
    char *dom = xstrdup(domain && domain[0] ? domain : DEFAULT_DNS_DOMAIN);
    if (dom[strlen(dom) - 1] == '.') {
        dom[strlen(dom) - 1] = '\0';
    }

    struct hmap fresh = HMAP_INITIALIZER(&fresh);
    const struct simap_node *node;
    size_t n_foreign = 0;
    SIMAP_FOR_EACH (node, vifs) {
        struct uuid uuid;
        const struct nbrec_port *port;
        if (uuid_from_string(&uuid, node->name)
            && (port = NB_GET(port, nb_idl, &uuid))) {
            bool foreign = false;
            struct meta_instance *mi = build_instance(port, node->data,
                                                      &instances, &fips,
                                                      dom, &foreign);
            hmap_insert(&fresh, &mi->node, hash_int(mi->ofport, 0));
            n_foreign += foreign;
        }
    }
    free(dom);
    smap_destroy(&fips);
    shash_destroy(&instances);

    ovs_mutex_lock(&m->mutex);
    hmap_swap(&fresh, &m->instances);
    m->n_foreign = n_foreign;
    ovs_mutex_unlock(&m->mutex);

    struct meta_instance *mi;
    HMAP_FOR_EACH_POP (mi, node, &fresh) {
        meta_instance_free(mi);
    }
    hmap_destroy(&fresh);
}

static struct meta_instance *
find_instance(struct metadata *m, uint16_t ofport)
    OVS_REQUIRES(m->mutex)
{
    struct meta_instance *mi;

    HMAP_FOR_EACH_WITH_HASH (mi, node, hash_int(ofport, 0), &m->instances) {
        if (mi->ofport == ofport) {
            return mi;
        }
    }
    return NULL;
}

/* The HTTP thread. */

static void
reply(struct evhttp_request *req, int code, const char *reason,
      const char *type, const char *body, size_t len)
{
    struct evbuffer *buf = evbuffer_new();

    evhttp_add_header(evhttp_request_get_output_headers(req),
                      "Content-Type", type);
    evbuffer_add(buf, body, len);
    evhttp_send_reply(req, code, reason, buf);
    evbuffer_free(buf);
}

static void
reply_text(struct evhttp_request *req, const char *text)
{
    reply(req, HTTP_OK, "OK", "text/plain; charset=UTF-8", text,
          strlen(text));
}

static char *
meta_data_json(const struct meta_instance *mi)
{
    json_t *o = json_object(), *keys = json_object(), *list = json_array();
    json_t *meta = json_object();
    const struct smap_node **nodes = smap_sort(&mi->public_keys);
    char *fqdn = xasprintf("%s.%s", mi->hostname, mi->domain);

    for (size_t i = 0; i < smap_count(&mi->public_keys); i++) {
        json_object_set_new(keys, nodes[i]->key,
                            json_string(nodes[i]->value));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}",
                                              "name", nodes[i]->key,
                                              "type", "ssh",
                                              "data", nodes[i]->value));
    }
    free(nodes);
    const struct smap_node *node;
    SMAP_FOR_EACH (node, &mi->meta) {
        json_object_set_new(meta, node->key, json_string(node->value));
    }
    json_object_set_new(o, "uuid", json_string(mi->instance_id));
    json_object_set_new(o, "name", json_string(mi->name));
    json_object_set_new(o, "hostname", json_string(fqdn));
    json_object_set_new(o, "project_id", json_string(mi->project_id));
    json_object_set_new(o, "availability_zone", json_string(mi->az));
    json_object_set_new(o, "launch_index", json_integer(0));
    json_object_set_new(o, "public_keys", keys);
    json_object_set_new(o, "keys", list);
    json_object_set_new(o, "meta", meta);
    json_object_set_new(o, "devices", json_array());
    char *s = json_dumps(o, JSON_SORT_KEYS);
    json_decref(o);
    free(fqdn);
    return s;
}

/* True if 'v' names a metadata version: "latest" or a date. */
static bool
is_version(const char *v)
{
    if (!strcmp(v, "latest") || !strcmp(v, "1.0")) {
        return true;
    }
    int n = 0;
    for (const char *p = v; *p; p++) {
        if (!isdigit((unsigned char) *p) && *p != '-') {
            return false;
        }
        n++;
    }
    return n == 10;
}

/* The EC2 meta-data tree under "/VERSION/meta-data/", 'key' the rest of
 * the path.  Returns the body or NULL for 404. */
static char *
ec2_meta_data(const struct meta_instance *mi, const char *key)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char *fqdn = xasprintf("%s.%s", mi->hostname, mi->domain);

    if (!key[0]) {
        ds_put_cstr(&s, "hostname\ninstance-id\nlocal-hostname\n"
                    "local-ipv4\nplacement/\n");
        if (mi->public_ipv4) {
            ds_put_cstr(&s, "public-hostname\npublic-ipv4\n");
        }
        if (!smap_is_empty(&mi->public_keys)) {
            ds_put_cstr(&s, "public-keys/\n");
        }
    } else if (!strcmp(key, "hostname") || !strcmp(key, "local-hostname")
               || (!strcmp(key, "public-hostname") && mi->public_ipv4)) {
        ds_put_cstr(&s, fqdn);
    } else if (!strcmp(key, "instance-id")) {
        ds_put_cstr(&s, mi->instance_id);
    } else if (!strcmp(key, "local-ipv4")) {
        ds_put_cstr(&s, mi->local_ipv4);
    } else if (!strcmp(key, "public-ipv4") && mi->public_ipv4) {
        ds_put_cstr(&s, mi->public_ipv4);
    } else if (!strcmp(key, "placement")) {
        ds_put_cstr(&s, "availability-zone\n");
    } else if (!strcmp(key, "placement/availability-zone")) {
        ds_put_cstr(&s, mi->az);
    } else if (!strncmp(key, "public-keys", 11)
               && !smap_is_empty(&mi->public_keys)) {
        const struct smap_node **nodes = smap_sort(&mi->public_keys);
        size_t n = smap_count(&mi->public_keys);
        const char *rest = key + 11;
        unsigned int idx;
        int consumed = 0;

        if (!rest[0]) {
            for (size_t i = 0; i < n; i++) {
                ds_put_format(&s, "%"PRIuSIZE"=%s\n", i, nodes[i]->key);
            }
        } else if (sscanf(rest, "/%u%n", &idx, &consumed) == 1
                   && idx < n) {
            if (!rest[consumed]) {
                ds_put_cstr(&s, "openssh-key\n");
            } else if (!strcmp(rest + consumed, "/openssh-key")) {
                ds_put_cstr(&s, nodes[idx]->value);
            } else {
                ds_destroy(&s);
            }
        } else {
            ds_destroy(&s);
        }
        free(nodes);
    } else {
        ds_destroy(&s);
    }
    free(fqdn);
    return s.string ? ds_steal_cstr(&s) : NULL;
}

/* Serves 'path' for 'mi'.  Returns false for 404. */
static bool
serve(struct evhttp_request *req, const struct meta_instance *mi,
      const char *path)
{
    char *copy = xstrdup(path);
    char *save = NULL, *parts[8];
    size_t n = 0;
    bool ok = true;

    /* Split on '/', keeping the rest after the third part whole. */
    for (char *t = strtok_r(copy, "/", &save); t && n < ARRAY_SIZE(parts);
         t = strtok_r(NULL, "/", &save)) {
        parts[n++] = t;
    }
    if (n == 0) {
        reply_text(req, "latest\n");
    } else if (!strcmp(parts[0], "openstack")) {
        if (n == 1) {
            reply_text(req, "latest\n");
        } else if (!is_version(parts[1])) {
            ok = false;
        } else if (n == 2) {
            reply_text(req, mi->user_data ? "meta_data.json\nuser_data\n"
                                          : "meta_data.json\n");
        } else if (n == 3 && !strcmp(parts[2], "meta_data.json")) {
            char *json = meta_data_json(mi);
            reply(req, HTTP_OK, "OK", "application/json", json,
                  strlen(json));
            free(json);
        } else if (n == 3 && !strcmp(parts[2], "user_data")
                   && mi->user_data) {
            reply(req, HTTP_OK, "OK", "application/octet-stream",
                  mi->user_data, strlen(mi->user_data));
        } else {
            ok = false;
        }
    } else if (!is_version(parts[0])) {
        ok = false;
    } else if (n == 1) {
        reply_text(req, mi->user_data ? "meta-data/\nuser-data\n"
                                      : "meta-data/\n");
    } else if (!strcmp(parts[1], "user-data") && n == 2) {
        if (mi->user_data) {
            reply(req, HTTP_OK, "OK", "application/octet-stream",
                  mi->user_data, strlen(mi->user_data));
        } else {
            ok = false;
        }
    } else if (!strcmp(parts[1], "meta-data")) {
        struct ds key = DS_EMPTY_INITIALIZER;
        for (size_t i = 2; i < n; i++) {
            ds_put_format(&key, "%s%s", i > 2 ? "/" : "", parts[i]);
        }
        char *body = ec2_meta_data(mi, ds_cstr(&key));
        ds_destroy(&key);
        if (body) {
            reply_text(req, body);
            free(body);
        } else {
            ok = false;
        }
    } else {
        ok = false;
    }
    free(copy);
    return ok;
}

/* Connections: limits per client and in total.
 *
 * evhttp (libevent 2.1) accepts connections itself and tells nobody.  It
 * does ask us for each one's bufferevent (evhttp_set_bevcb()), before it
 * gives the bufferevent its socket and callbacks: new_bufferevent() makes
 * it, keeps a reference and schedules adopt_fresh(), which runs once the
 * accept callback has returned.  By then the bufferevent's callback
 * argument is its evhttp_connection: adopt_fresh() finds the client from
 * the peer's address and counts the connection (conn_closed(), evhttp's
 * close callback, uncounts it), or frees it at once if the client or the
 * service is at its limit. */

static struct meta_conn *
find_conn(struct metadata *m, const struct evhttp_connection *evcon)
{
    struct meta_conn *conn;

    HMAP_FOR_EACH_WITH_HASH (conn, node, hash_pointer(evcon, 0), &m->conns) {
        if (conn->evcon == evcon) {
            return conn;
        }
    }
    return NULL;
}

/* The client of 'evcon': the VIF's OpenFlow port, or 0 (the host or any
 * other address). */
static uint16_t
conn_client(struct evhttp_connection *evcon)
{
    char *peer = NULL;
    ev_uint16_t peer_port;

    evhttp_connection_get_peer(evcon, &peer, &peer_port);
    ofp_port_t ofport = services_meta_peer_ofport(peer);
    return (ofport == OFPP_NONE || ofp_to_u16(ofport) > ZONE_MAX_OFPORT
            ? 0 : ofp_to_u16(ofport));
}

static void
conn_closed(struct evhttp_connection *evcon, void *m_)
{
    struct metadata *m = m_;
    struct meta_conn *conn = find_conn(m, evcon);

    if (!conn) {
        return;
    }
    hmap_remove(&m->conns, &conn->node);
    m->client_conns[conn->client]--;
    ovs_mutex_lock(&m->mutex);
    m->n_conns--;
    ovs_mutex_unlock(&m->mutex);
    if (conn->n_proxied) {
        /* proxy_done() frees it. */
        conn->evcon = NULL;
    } else {
        free(conn);
    }
}

static struct bufferevent *
new_bufferevent(struct event_base *base, void *m_)
{
    struct metadata *m = m_;
    struct bufferevent *bev = bufferevent_socket_new(base, -1,
                                                     BEV_OPT_CLOSE_ON_FREE);
    if (bev) {
        bufferevent_incref(bev);
        if (m->n_fresh >= m->allocated_fresh) {
            m->fresh = x2nrealloc(m->fresh, &m->allocated_fresh,
                                  sizeof *m->fresh);
        }
        m->fresh[m->n_fresh++] = bev;
        event_active(m->adopt_event, EV_TIMEOUT, 0);
    }
    return bev;
}

static void
adopt_fresh(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *m_)
{
    struct metadata *m = m_;

    for (size_t i = 0; i < m->n_fresh; i++) {
        struct bufferevent *bev = m->fresh[i];
        bufferevent_data_cb readcb = NULL;
        void *arg = NULL;

        /* A bufferevent that evhttp has freed already (its accept failed)
         * has no callbacks left. */
        bufferevent_getcb(bev, &readcb, NULL, NULL, &arg);
        if (readcb && arg) {
            struct evhttp_connection *evcon = arg;
            uint16_t client = conn_client(evcon);

            if (hmap_count(&m->conns) >= META_MAX_CONNS
                || m->client_conns[client] >= META_MAX_CONNS_PER_CLIENT) {
                ovs_mutex_lock(&m->mutex);
                m->n_refused++;
                ovs_mutex_unlock(&m->mutex);
                evhttp_connection_free(evcon);
            } else {
                struct meta_conn *conn = xzalloc(sizeof *conn);
                conn->evcon = evcon;
                conn->client = client;
                conn->since = time_msec();
                hmap_insert(&m->conns, &conn->node, hash_pointer(evcon, 0));
                m->client_conns[client]++;
                ovs_mutex_lock(&m->mutex);
                m->n_conns++;
                ovs_mutex_unlock(&m->mutex);
                evhttp_connection_set_closecb(evcon, conn_closed, m);
            }
        }
        bufferevent_decref(bev);
    }
    m->n_fresh = 0;
}

/* Closes connections older than META_MAX_LIFE_MSEC: a client that sends
 * a byte now and then never meets the idle timeout. */
static void
sweep_conns(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *m_)
{
    struct metadata *m = m_;
    long long int now = time_msec();
    struct meta_conn *conn;

    HMAP_FOR_EACH_SAFE (conn, node, &m->conns) {
        if (now - conn->since > META_MAX_LIFE_MSEC && !conn->n_proxied) {
            ovs_mutex_lock(&m->mutex);
            m->n_expired++;
            ovs_mutex_unlock(&m->mutex);
            /* Calls conn_closed(), which frees 'conn'. */
            evhttp_connection_free(conn->evcon);
        }
    }
}

/* Proxying to Nova. */

struct proxy_ctx {
    struct metadata *m;
    struct evhttp_request *client;
    struct meta_conn *conn;             /* The client's, or NULL. */
};

static void
proxy_done(struct evhttp_request *preq, void *ctx_)
{
    struct proxy_ctx *ctx = ctx_;
    struct metadata *m = ctx->m;

    if (!preq || !evhttp_request_get_response_code(preq)) {
        ovs_mutex_lock(&m->mutex);
        m->n_proxy_errors++;
        ovs_mutex_unlock(&m->mutex);
        evhttp_send_error(ctx->client, 502, "Bad Gateway");
    } else {
        struct evkeyvalq *in = evhttp_request_get_input_headers(preq);
        const char *type = evhttp_find_header(in, "Content-Type");
        struct evbuffer *body = evhttp_request_get_input_buffer(preq);

        if (type) {
            evhttp_add_header(evhttp_request_get_output_headers(ctx->client),
                              "Content-Type", type);
        }
        evhttp_send_reply(ctx->client, evhttp_request_get_response_code(preq),
                          evhttp_request_get_response_code_line(preq), body);
    }
    if (ctx->conn && !--ctx->conn->n_proxied && !ctx->conn->evcon) {
        free(ctx->conn);
    }
    free(ctx);
}

static void
proxy(struct metadata *m, struct evhttp_request *req,
      const struct meta_instance *mi, const char *uri)
    OVS_REQUIRES(m->mutex)
{
    if (!m->proxy_conn) {
        int port = evhttp_uri_get_port(m->proxy);
        m->proxy_conn = evhttp_connection_base_new(
            m->base, NULL, evhttp_uri_get_host(m->proxy),
            port > 0 ? port : 80);
        evhttp_connection_set_timeout(m->proxy_conn, 10);
    }

    struct proxy_ctx *ctx = xmalloc(sizeof *ctx);
    ctx->m = m;
    ctx->client = req;
    ctx->conn = find_conn(m, evhttp_request_get_connection(req));
    struct evhttp_request *preq = evhttp_request_new(proxy_done, ctx);
    struct evkeyvalq *h = evhttp_request_get_output_headers(preq);
    char *sig = metadata_sign(m->secret ? m->secret : "", mi->instance_id);
    evhttp_add_header(h, "Host", evhttp_uri_get_host(m->proxy));
    evhttp_add_header(h, "X-Instance-ID", mi->instance_id);
    evhttp_add_header(h, "X-Tenant-ID", mi->project_id);
    evhttp_add_header(h, "X-Forwarded-For", mi->local_ipv4);
    evhttp_add_header(h, "X-Instance-ID-Signature", sig);
    free(sig);

    const char *prefix = evhttp_uri_get_path(m->proxy);
    size_t plen = prefix ? strlen(prefix) : 0;
    char *target = xasprintf("%.*s%s", (int) (plen && prefix[plen - 1] == '/'
                                              ? plen - 1 : plen),
                             prefix ? prefix : "", uri);
    if (evhttp_make_request(m->proxy_conn, preq, EVHTTP_REQ_GET, target)) {
        m->n_proxy_errors++;
        evhttp_send_error(req, 502, "Bad Gateway");
        free(ctx);
    } else {
        m->n_proxied++;
        if (ctx->conn) {
            ctx->conn->n_proxied++;
        }
    }
    free(target);
}

static void
handle_request(struct evhttp_request *req, void *m_)
{
    struct metadata *m = m_;
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    const char *uri = evhttp_request_get_uri(req);
    char *peer = NULL;
    ev_uint16_t peer_port;

    evhttp_connection_get_peer(conn, &peer, &peer_port);
    ofp_port_t ofport = services_meta_peer_ofport(peer);

    ovs_mutex_lock(&m->mutex);
    m->n_requests++;
    const struct meta_instance *mi = (ofport == OFPP_NONE ? NULL
                                      : find_instance(m, ofp_to_u16(ofport)));
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET
        && evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
        m->n_bad_method++;
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                          "GET, HEAD");
        evhttp_send_error(req, 405, "Method Not Allowed");
    } else if (!mi || !mi->instance_id[0]) {
        m->n_unknown++;
        evhttp_send_error(req, HTTP_NOTFOUND, "no instance for this "
                          "address");
    } else if (m->proxy) {
        proxy(m, req, mi, uri);
    } else {
        struct evhttp_uri *parsed = evhttp_uri_parse(uri);
        const char *path = parsed ? evhttp_uri_get_path(parsed) : NULL;
        if (!path || !serve(req, mi, path)) {
            m->n_not_found++;
            evhttp_send_error(req, HTTP_NOTFOUND, NULL);
        }
        if (parsed) {
            evhttp_uri_free(parsed);
        }
    }
    ovs_mutex_unlock(&m->mutex);
}

/* Binds the IPv6 listener: the link-local address on the metadata port's
 * link, whose index the kernel takes when binding (the scope).  Returns
 * the listener or NULL. */
static struct evhttp_bound_socket *
bind6(struct metadata *m)
{
    char addr6[64];

    snprintf(addr6, sizeof addr6, "%s%%%s", SERVICES_META_IP6,
             METADATA_PORT_NAME);
    return evhttp_bind_socket_with_handle(m->http, addr6, m->http_port);
}

/* HTTP thread: a listener bound to a link that is gone (ovs-vswitchd
 * restarted and made the metadata port anew, with a new index) would
 * never accept again: it moves to the new link. */
static void
rebind6(struct metadata *m)
{
    int ifindex;

    ovs_mutex_lock(&m->mutex);
    ifindex = m->ifindex6;
    ovs_mutex_unlock(&m->mutex);
    if (!m->bound6_ifindex || ifindex <= 0 || ifindex == m->bound6_ifindex) {
        return;
    }
    if (m->bound6) {
        evhttp_del_accept_socket(m->http, m->bound6);
    }
    m->bound6 = bind6(m);
    if (!m->bound6) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "cannot listen on [%s%%%s]:%"PRIu16" again (%s)",
                     SERVICES_META_IP6, METADATA_PORT_NAME, m->http_port,
                     ovs_strerror(errno));
        return;
    }
    VLOG_INFO("metadata service over IPv6 moved to the new %s (index %d, "
              "was %d)", METADATA_PORT_NAME, ifindex, m->bound6_ifindex);
    m->bound6_ifindex = ifindex;
    ovs_mutex_lock(&m->mutex);
    m->n_rebound6++;
    ovs_mutex_unlock(&m->mutex);
}

static void
check_exit(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *m_)
{
    struct metadata *m = m_;
    bool exiting;

    atomic_read(&m->exiting, &exiting);
    if (exiting) {
        event_base_loopbreak(m->base);
        return;
    }
    rebind6(m);
}

static void *
http_thread(void *m_)
{
    struct metadata *m = m_;
    struct timeval tv = { .tv_sec = 0, .tv_usec = 100 * 1000 };
    struct event *timer = event_new(m->base, -1, EV_PERSIST, check_exit, m);

    /* This thread never touches RCU-protected data: quiescent for good,
     * so that it never holds back the others' RCU callbacks. */
    ovsrcu_quiesce_start();
    event_add(timer, &tv);
    event_base_dispatch(m->base);
    event_free(timer);
    return NULL;
}

static bool
start_server(struct metadata *m)
{
    char addr[INET_ADDRSTRLEN];

    snprintf(addr, sizeof addr, IP_FMT, IP_ARGS(htonl(SERVICES_META_IP)));
    if (!m->base) {
        m->base = event_base_new();
        m->http = evhttp_new(m->base);
        evhttp_set_gencb(m->http, handle_request, m);
        evhttp_set_timeout(m->http, META_IDLE_TIMEOUT);
        evhttp_set_max_headers_size(m->http, META_MAX_HEADERS);
        evhttp_set_max_body_size(m->http, META_MAX_BODY);
        /* Every method libevent knows reaches handle_request(), which
         * answers 405 but to GET and HEAD (libevent would answer 501). */
        evhttp_set_allowed_methods(m->http,
                                   EVHTTP_REQ_GET | EVHTTP_REQ_POST
                                   | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT
                                   | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS
                                   | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT
                                   | EVHTTP_REQ_PATCH);
        evhttp_set_bevcb(m->http, new_bufferevent, m);
        m->adopt_event = event_new(m->base, -1, 0, adopt_fresh, m);
        m->sweep_event = event_new(m->base, -1, EV_PERSIST, sweep_conns, m);
        struct timeval sweep = { .tv_sec = META_SWEEP_MSEC / 1000 };
        event_add(m->sweep_event, &sweep);
        if (m->proxy_url) {
            m->proxy = evhttp_uri_parse(m->proxy_url);
            if (!m->proxy || !evhttp_uri_get_host(m->proxy)) {
                VLOG_FATAL("bad --metadata-proxy URL '%s'", m->proxy_url);
            }
        }
    }
    if (evhttp_bind_socket(m->http, addr, m->http_port)) {
        log_once(m, xasprintf("cannot listen on %s:%"PRIu16" (%s)", addr,
                              m->http_port, ovs_strerror(errno)));
        return false;
    }
    if (m->addr6_ok) {
        /* The link-local address, on the metadata port's link. */
        m->bound6 = bind6(m);
        if (!m->bound6) {
            log_once(m, xasprintf("cannot listen on [%s%%%s]:%"PRIu16" (%s): "
                                  "IPv4 only", SERVICES_META_IP6,
                                  METADATA_PORT_NAME, m->http_port,
                                  ovs_strerror(errno)));
        } else {
            ovs_mutex_lock(&m->mutex);
            m->bound6_ifindex = m->ifindex6;
            ovs_mutex_unlock(&m->mutex);
            m->serving6 = true;
        }
    }
    m->started = true;
    m->thread = ovs_thread_create("metadata", http_thread, m);
    VLOG_INFO("metadata service on http://%s:%"PRIu16"%s%s", addr,
              m->http_port, m->proxy_url ? ", proxying to " : "",
              m->proxy_url ? m->proxy_url : "");
    return true;
}

void
metadata_run(struct metadata *m, struct ovsdb_idl_txn *ovs_txn,
             struct ovsdb_idl *ovs_idl, const char *int_bridge,
             struct ovsdb_idl *nb_idl, const struct simap *vifs,
             struct services_chassis *sc)
{
    const struct ovsrec_interface *iface = ensure_port(ovs_txn, ovs_idl,
                                                       int_bridge);
    ofp_port_t ofport = OFPP_NONE;
    struct eth_addr mac = eth_addr_zero;

    if (iface && iface->n_ofport && iface->ofport[0] > 0
        && iface->ofport[0] < OFPP_MAX && iface->mac_in_use
        && eth_addr_from_string(iface->mac_in_use, &mac)) {
        ofport = u16_to_ofp(iface->ofport[0]);
    }
    if (ofport != m->ofport || !eth_addr_equals(mac, m->mac)) {
        m->ofport = ofport;
        m->mac = mac;
        m->addr_ok = false;
        m->next_check = 0;
    }
    if (ofport != OFPP_NONE && time_msec() >= m->next_check) {
        /* Checked again now and then: a restarted ovs-vswitchd makes the
         * device anew. */
        m->addr_ok = configure_address(m);
        if (m->addr_ok && (!m->started || m->serving6)) {
            /* (Once the server listens, only again on the same link.) */
            int ifindex;
            m->addr6_ok = configure_address6(m, &ifindex);
            if (m->addr6_ok) {
                /* The HTTP thread moves its listener if the link is new. */
                ovs_mutex_lock(&m->mutex);
                m->ifindex6 = ifindex;
                ovs_mutex_unlock(&m->mutex);
            }
        }
        m->next_check = time_msec() + (m->addr_ok ? 5 * RETRY_MSEC
                                                  : RETRY_MSEC);
    }
    if (m->addr_ok && !m->started) {
        start_server(m);
    }
    refresh_snapshot(m, nb_idl, vifs);

    bool ready = m->addr_ok && m->started;
    sc->meta_ofport = ready ? m->ofport : OFPP_NONE;
    sc->meta_mac = ready ? m->mac : eth_addr_zero;
    sc->meta_ip6 = ready && m->serving6 && m->addr6_ok;
}

void
metadata_wait(struct metadata *m)
{
    if (m->ofport != OFPP_NONE) {
        poll_timer_wait_until(m->next_check);
    }
}

void
metadata_format_status(struct metadata *m, struct ds *s)
{
    ovs_mutex_lock(&m->mutex);
    ds_put_format(s, "metadata: %s%s, port %d, %s, %"PRIuSIZE" instances; "
                  "%"PRIu64" requests, %"PRIu64" from unknown addresses, "
                  "%"PRIu64" not found, %"PRIu64" proxied (%"PRIu64
                  " errors)\n",
                  m->started ? "serving" : "not serving",
                  m->serving6 ? " (and on "SERVICES_META_IP6")" : "",
                  ofp_to_u16(m->ofport),
                  m->proxy_url ? m->proxy_url : "from NB",
                  hmap_count(&m->instances), m->n_requests, m->n_unknown,
                  m->n_not_found, m->n_proxied, m->n_proxy_errors);
    if (m->serving6) {
        ds_put_format(s, "metadata over IPv6: on index %d, listener moved "
                      "%"PRIu64" times\n", m->ifindex6, m->n_rebound6);
    }
    ds_put_format(s, "metadata connections: %"PRIuSIZE" open (at most %d, "
                  "%d per client), %"PRIu64" refused, %"PRIu64" expired; "
                  "%"PRIu64" requests neither GET nor HEAD; %"PRIuSIZE
                  " ports naming another project's instance\n",
                  m->n_conns, META_MAX_CONNS, META_MAX_CONNS_PER_CLIENT,
                  m->n_refused, m->n_expired, m->n_bad_method,
                  m->n_foreign);
    ovs_mutex_unlock(&m->mutex);
}

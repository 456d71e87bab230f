/*
 * controller/config: see config.h.
 */

#include <config.h>

#include "controller/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "packets.h"
#include "socket-util.h"
#include "util.h"

static const char *
get(const struct smap *ids, const struct smap *file, const char *key,
    const char *def)
{
    const char *v = smap_get(ids, key);
    if (!v && file) {
        v = smap_get(file, key);
    }
    return v ? v : def;
}

char *
config_read(const struct smap *ids, const struct smap *file,
            struct dvr_config *cfg)
{
    char hostname[256];
    const char *v;

    memset(cfg, 0, sizeof *cfg);
    smap_init(&cfg->bridge_mappings);

    v = get(ids, file, "system-id", NULL);
    if (!v || !v[0]) {
        return xstrdup("external_ids:system-id is not set");
    }
    cfg->system_id = xstrdup(v);

    if (gethostname(hostname, sizeof hostname)) {
        hostname[0] = '\0';
    }
    hostname[sizeof hostname - 1] = '\0';
    cfg->hostname = xstrdup(get(ids, file, "hostname", hostname));
    cfg->nb_remote = xstrdup(get(ids, file, "dvr-nb-remote",
                                 "unix:/var/run/dvrflow/nb.sock"));

    v = get(ids, file, "dvr-encap-ip", "");
    if (v[0]) {
        ovs_be32 ip;
        if (!ip_parse(v, &ip)) {
            return xasprintf("external_ids:dvr-encap-ip: '%s' is not an "
                             "IPv4 address", v);
        }
    }
    cfg->encap_ip = xstrdup(v);

    v = get(ids, file, "dvr-encap-type", "geneve");
    if (strcmp(v, "geneve") && strcmp(v, "vxlan")) {
        return xasprintf("external_ids:dvr-encap-type: '%s' is not geneve "
                         "or vxlan", v);
    }
    cfg->encap_type = xstrdup(v);

    v = get(ids, file, "dvr-bridge-mappings", "");
    char *copy = xstrdup(v), *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon || colon == tok || !colon[1]) {
            char *error = xasprintf("external_ids:dvr-bridge-mappings: "
                                    "'%s' is not physnet:bridge", tok);
            free(copy);
            return error;
        }
        *colon = '\0';
        if (!smap_add_once(&cfg->bridge_mappings, tok, colon + 1)) {
            char *error = xasprintf("external_ids:dvr-bridge-mappings: "
                                    "physnet '%s' mapped twice", tok);
            free(copy);
            return error;
        }
    }
    free(copy);

    v = get(ids, file, "dvr-gateway", "false");
    if (!strcmp(v, "true")) {
        cfg->gateway = true;
    } else if (strcmp(v, "false")) {
        return xasprintf("external_ids:dvr-gateway: '%s' is not true or "
                         "false", v);
    }
    v = get(ids, file, "dvr-monitor-all", "false");
    if (strcmp(v, "true") && strcmp(v, "false")) {
        return xasprintf("external_ids:dvr-monitor-all: '%s' is not true "
                         "or false", v);
    }
    cfg->monitor_all = !strcmp(v, "true");
    cfg->datapath_type = xstrdup(get(ids, file, "dvr-datapath-type", ""));
    cfg->int_bridge = xstrdup(get(ids, file, "dvr-int-bridge", "br-int"));
    cfg->tun_bridge = xstrdup(get(ids, file, "dvr-tun-bridge", "br-tun"));
    if (!strcmp(cfg->int_bridge, cfg->tun_bridge)) {
        return xstrdup("external_ids:dvr-tun-bridge: must differ from "
                       "dvr-int-bridge");
    }
    return NULL;
}

void
config_destroy(struct dvr_config *cfg)
{
    free(cfg->system_id);
    free(cfg->hostname);
    free(cfg->nb_remote);
    free(cfg->encap_ip);
    free(cfg->encap_type);
    smap_destroy(&cfg->bridge_mappings);
    free(cfg->datapath_type);
    free(cfg->int_bridge);
    free(cfg->tun_bridge);
    memset(cfg, 0, sizeof *cfg);
    smap_init(&cfg->bridge_mappings);
}

void
config_move(struct dvr_config *dst, struct dvr_config *src)
{
    *dst = *src;
    hmap_moved(&dst->bridge_mappings.map);
    memset(src, 0, sizeof *src);
    smap_init(&src->bridge_mappings);
}

static bool
str_eq(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

bool
config_equal(const struct dvr_config *a, const struct dvr_config *b)
{
    return (str_eq(a->system_id, b->system_id)
            && str_eq(a->hostname, b->hostname)
            && str_eq(a->nb_remote, b->nb_remote)
            && str_eq(a->encap_ip, b->encap_ip)
            && str_eq(a->encap_type, b->encap_type)
            && smap_equal(&a->bridge_mappings, &b->bridge_mappings)
            && a->gateway == b->gateway
            && a->monitor_all == b->monitor_all
            && str_eq(a->datapath_type, b->datapath_type)
            && str_eq(a->int_bridge, b->int_bridge)
            && str_eq(a->tun_bridge, b->tun_bridge));
}

static char *
trim(char *s)
{
    while (isspace((unsigned char) *s)) {
        s++;
    }
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char) end[-1])) {
        *--end = '\0';
    }
    return s;
}

char *
config_load_file(const char *path, struct smap *out)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int n = 0;

    if (!f) {
        return xasprintf("%s: cannot open (%s)", path, ovs_strerror(errno));
    }
    while (fgets(line, sizeof line, f)) {
        n++;
        char *s = trim(line);
        if (!s[0] || s[0] == '#' || s[0] == ';' || s[0] == '[') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            fclose(f);
            return xasprintf("%s:%d: expected 'key = value'", path, n);
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (!key[0]) {
            fclose(f);
            return xasprintf("%s:%d: empty key", path, n);
        }
        smap_replace(out, key, value);
    }
    fclose(f);
    return NULL;
}

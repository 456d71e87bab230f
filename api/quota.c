/*
 * api/quota: see quota.h.
 */

#include <config.h>

#include "api/quota.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/core.h"
#include "openvswitch/util.h"
#include "ovsdb/nb-idl.h"
#include "util.h"

/* The resources by their names in Neutron's quota API (and the members of
 * the REST resources), with Neutron's default limits. */
static const struct {
    const char *name;
    int64_t neutron_default;
} resources[N_QUOTAS] = {
    [QUOTA_NETWORK] = { "network", 100 },
    [QUOTA_SUBNET] = { "subnet", 100 },
    [QUOTA_PORT] = { "port", 500 },
    [QUOTA_ROUTER] = { "router", 10 },
    [QUOTA_FLOATINGIP] = { "floatingip", 50 },
    [QUOTA_SECURITY_GROUP] = { "security_group", 10 },
    [QUOTA_SECURITY_GROUP_RULE] = { "security_group_rule", 100 },
};

void
api_quotas_init(struct api_quotas *q)
{
    for (size_t i = 0; i < N_QUOTAS; i++) {
        q->limit[i] = resources[i].neutron_default;
    }
}

static int
find_resource(const char *name, size_t len)
{
    for (size_t i = 0; i < N_QUOTAS; i++) {
        if (strlen(resources[i].name) == len
            && !strncmp(resources[i].name, name, len)) {
            return i;
        }
    }
    return -1;
}

char *
api_quotas_parse(struct api_quotas *q, const char *arg)
{
    const char *eq = strchr(arg, '=');
    int i = eq ? find_resource(arg, eq - arg) : -1;
    char *end;

    if (i < 0) {
        return xasprintf("--quota=%s: expected RESOURCE=N with RESOURCE one "
                         "of network, subnet, port, router, floatingip, "
                         "security_group, security_group_rule", arg);
    }
    errno = 0;
    long long int n = strtoll(eq + 1, &end, 10);
    if (errno || end == eq + 1 || *end || n < -1) {
        return xasprintf("--quota=%s: N must be -1 (unlimited) or more",
                         arg);
    }
    q->limit[i] = n;
    return NULL;
}

/* The rows of 'res' that belong to 'project'. */
static int64_t
count_rows(struct api_ctx *ctx, enum api_quota_resource res,
           const char *project)
{
    int64_t n = 0;

#define COUNT(TYPE, UPPER)                              \
    {                                                   \
        const struct nbrec_##TYPE *row;                 \
        NBREC_##UPPER##_FOR_EACH (row, ctx->idl) {      \
            n += !strcmp(row->project_id, project);     \
        }                                               \
    }
    switch (res) {
    case QUOTA_NETWORK: COUNT(network, NETWORK); break;
    case QUOTA_SUBNET: COUNT(subnet, SUBNET); break;
    case QUOTA_PORT: COUNT(port, PORT); break;
    case QUOTA_ROUTER: COUNT(router, ROUTER); break;
    case QUOTA_FLOATINGIP: COUNT(floating_ip, FLOATING_IP); break;
    case QUOTA_SECURITY_GROUP: COUNT(security_group, SECURITY_GROUP); break;
    case QUOTA_SECURITY_GROUP_RULE:
        COUNT(security_group_rule, SECURITY_GROUP_RULE);
        break;
    case N_QUOTAS:
    default:
        OVS_NOT_REACHED();
    }
#undef COUNT
    return n;
}

bool
api_quota_check(struct api_ctx *ctx, const char *project)
{
    int i = ctx->res ? find_resource(ctx->res->member,
                                     strlen(ctx->res->member)) : -1;
    if (i < 0) {
        return true;
    }
    int64_t limit = api_get_config(ctx)->quotas.limit[i];
    if (limit < 0) {
        return true;
    }

    /* The slots from the rows' count up: the first one that no other
     * request in flight holds is this request's. */
    for (int64_t k = count_rows(ctx, i, project); k < limit; k++) {
        char *key = xasprintf("quota:%s:%s:%"PRId64, resources[i].name,
                              project, k);
        bool ok = api_reserve(ctx, key);
        free(key);
        if (ok) {
            return true;
        }
    }
    return api_error(ctx, 409, "OverQuota", "Quota exceeded for resources: "
                     "['%s'].", resources[i].name);
}

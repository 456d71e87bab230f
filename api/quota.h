/*
 * api/quota: Neutron's per-project quotas in dvr-api.
 *
 * Every create counts the rows of its table that belong to the project
 * (the project_id column) plus the creates of the same project still in
 * flight in this process (api_reserve()), and refuses one that would
 * exceed the limit with Neutron's 409 OverQuota error.  The defaults are
 * Neutron's (neutron/conf/quota.py): network 100, subnet 100, port 500,
 * router 10, floatingip 50, security_group 10, security_group_rule 100;
 * --quota=RESOURCE=N changes one, -1 is unlimited.  Rows dvr-api creates
 * by itself (a project's default security group and its rules) are not
 * checked, but count.
 *
 * The quotas bound what the API lets one project write: the controllers
 * must still survive NB rows written by other means (doc/security.md).
 */

#ifndef API_QUOTA_H
#define API_QUOTA_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct api_ctx;

enum api_quota_resource {
    QUOTA_NETWORK,
    QUOTA_SUBNET,
    QUOTA_PORT,
    QUOTA_ROUTER,
    QUOTA_FLOATINGIP,
    QUOTA_SECURITY_GROUP,
    QUOTA_SECURITY_GROUP_RULE,
    N_QUOTAS
};

struct api_quotas {
    int64_t limit[N_QUOTAS];        /* -1: unlimited. */
};

/* Neutron's defaults. */
void api_quotas_init(struct api_quotas *);

/* Parses "RESOURCE=N" (N -1 or more) into 'q'.  Returns an error, or
 * NULL. */
char *api_quotas_parse(struct api_quotas *q, const char *arg)
    OVS_WARN_UNUSED_RESULT;

/* True if 'project' may create one more row of the resource of 'ctx'
 * (resources without a quota always may); the slot is reserved until the
 * request ends.  Otherwise answers 409 OverQuota and returns false. */
bool api_quota_check(struct api_ctx *, const char *project);

#endif /* api/quota.h */

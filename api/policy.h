/*
 * api/policy: what a caller of dvr-api may see and do: the project scope
 * and Neutron's default policy.
 *
 * Contract (for a caller without the admin role; an admin may do all):
 *   - Visible: networks of the caller's project, shared ones and external
 *     ones; subnets of its project or of shared networks; ports of its
 *     project or on its networks; routers, floating IPs and security
 *     groups of its project; rules of its project or its groups.  What is
 *     not visible does not exist: 404, as in Neutron.
 *   - Updates, deletes and actions: only of its own objects (ports also
 *     deleted by the network's owner); else 403 (the object is visible).
 *   - Admin only (403): a project_id or tenant_id other than the
 *     caller's; networks' shared, router:external, provider:*, segments,
 *     is_default; ports' binding:host_id and binding:profile; routers'
 *     enable_snat and external_fixed_ips of the gateway, distributed, ha;
 *     a floating IP's address.  Only the network's owner (or an admin):
 *     subnets on it, and on its ports fixed IP addresses (ip_address, and
 *     subnet_id unless the network is shared), mac_address,
 *     port_security_enabled, allowed_address_pairs, a device_owner
 *     "network:*".  Objects named in a body (network, subnet, port,
 *     security group, remote group) must be visible to the caller (404),
 *     and those it attaches (security groups, the port of a floating IP,
 *     a router interface's subnet or port) its own.
 *   - Non-admins do not see networks' provider attributes and ports'
 *     binding:host_id, binding:profile, binding:vif_type and
 *     binding:vif_details.
 *   - Pure: it reads the request and the IDL and writes nothing; a refused
 *     request never reaches a handler, so it changes nothing.
 */

#ifndef API_POLICY_H
#define API_POLICY_H 1

#include <stdbool.h>

#include "api/json-compat.h"

struct api_ctx;
struct api_resource;
struct ovsdb_idl_row;

bool api_policy_visible(struct api_ctx *, const struct api_resource *,
                        const struct ovsdb_idl_row *);
bool api_policy_check(struct api_ctx *, const struct ovsdb_idl_row *row);
void api_policy_filter(const struct api_ctx *, const struct api_resource *,
                       json_t *obj);

#endif /* api/policy.h */

/*
 * api/extensions: the Neutron API extensions that dvr-api implements, as
 * listed by GET /v2.0/extensions.  Clients (the openstack client among
 * them) look here before they use an extension's attributes, so the list
 * says exactly what the handlers support.
 */

#include <config.h>

#include "api/json-compat.h"

#include <string.h>

#include "util.h"
#include "api/core.h"

struct api_extension {
    const char *alias;
    const char *name;
    const char *description;
};

static const struct api_extension extensions[] = {
    { "allowed-address-pairs", "Allowed Address Pairs",
      "Provides allowed address pairs" },
    { "binding", "Port Binding",
      "Expose port bindings of a virtual port to external application" },
    { "dvr", "Distributed Virtual Router",
      "Enables configuration of Distributed Virtual Routers." },
    { "ext-gw-mode", "Neutron L3 Configurable external gateway mode",
      "Extension of the router abstraction for specifying whether SNAT "
      "should occur on the external gateway" },
    { "expose-port-forwarding-in-fip",
      "Expose port forwardings of a floating IP in its details",
      "Add port_forwardings to the floating IP's details" },
    { "external-net", "Neutron external network",
      "Adds external network attribute to network resource." },
    { "extraroute", "Neutron Extra Route",
      "Extra routes configuration for L3 router" },
    { "extraroute-atomic", "Atomically add/remove extra routes",
      "Edit extra routes of a router on server side by atomically "
      "adding/removing extra routes" },
    { "floating-ip-port-forwarding", "Floating IP Port Forwarding",
      "Allow port forwarding from floating IP port to an internal port" },
    { "floating-ip-port-forwarding-port-ranges",
      "Floating IP Port Forwarding support port ranges",
      "Add suport to port ranges" },
    { "net-mtu", "Network MTU", "Provides MTU attribute for a network "
      "resource." },
    { "port-security", "Port Security",
      "Provides port security" },
    { "project-id", "project_id field enabled",
      "Extension that indicates that project_id field is enabled." },
    { "provider", "Provider Network",
      "Expose mapping of virtual networks to physical networks" },
    { "qos", "Quality of Service",
      "The Quality of Service extension." },
    { "qos-bw-limit-direction", "Direction for QoS bandwidth limit rule",
      "Allow to configure QoS bandwidth limit rule with specific "
      "direction: ingress or egress" },
    { "qos-fip", "Floating IP QoS",
      "The floating IP Quality of Service extension" },
    { "qos-gateway-ip", "Router gateway IP QoS",
      "The router gateway IP Quality of Service extension" },
    { "router", "Neutron L3 Router",
      "Router abstraction for basic L3 forwarding between L2 Neutron "
      "networks and access to external networks via a NAT gateway." },
    { "security-group", "security-group",
      "The security groups extension." },
    { "standard-attr-description", "standard-attr-description",
      "Extension to add descriptions to standard attributes" },
    { "standard-attr-revisions", "Resource revision numbers",
      "This extension will display the revision number of neutron "
      "resources." },
    { "standard-attr-timestamp", "Resource timestamps",
      "Adds created_at and updated_at fields to all Neutron resources "
      "that have Neutron standard attributes." },
    { "stateful-security-group", "Stateful security group",
      "Indicates if the security group is stateful or not" },
    { "trunk", "Trunk Extension",
      "Provides support for trunk ports" },
    { "trunk-details", "Trunk port details",
      "Expose trunk port details" },
};

static json_t *
extension_json(const struct api_extension *ext)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:[]}", "alias", ext->alias,
                     "name", ext->name, "description", ext->description,
                     "updated", "2024-01-01T00:00:00-00:00", "links");
}

json_t *
api_extensions_json(void)
{
    json_t *list = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(extensions); i++) {
        json_array_append_new(list, extension_json(&extensions[i]));
    }
    return list;
}

/* Returns the extension with 'alias', or NULL. */
json_t *
api_extension_json(const char *alias)
{
    for (size_t i = 0; i < ARRAY_SIZE(extensions); i++) {
        if (!strcmp(extensions[i].alias, alias)) {
            return extension_json(&extensions[i]);
        }
    }
    return NULL;
}

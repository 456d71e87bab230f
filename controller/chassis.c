/*
 * controller/chassis: see chassis.h.
 */

#include <config.h>

#include "controller/chassis.h"

#include <string.h>

#include "controller/config.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(chassis);

const struct nbrec_chassis *
chassis_run(struct ovsdb_idl_txn *txn, struct ovsdb_idl *nb_idl,
            const struct dvr_config *cfg)
{
    const struct nbrec_chassis *ch, *found = NULL;

    NBREC_CHASSIS_FOR_EACH (ch, nb_idl) {
        if (!strcmp(ch->name, cfg->system_id)) {
            found = ch;
            break;
        }
    }
    if (!txn) {
        return found;
    }
    if (!found) {
        VLOG_INFO("registering chassis %s", cfg->system_id);
        struct nbrec_chassis *nch = nbrec_chassis_insert(txn);
        nbrec_chassis_set_name(nch, cfg->system_id);
        found = nch;
    }
    if (strcmp(found->hostname, cfg->hostname)) {
        nbrec_chassis_set_hostname(found, cfg->hostname);
    }
    if (strcmp(found->encap_type, cfg->encap_type)) {
        nbrec_chassis_set_encap_type(found, cfg->encap_type);
    }
    if (strcmp(found->encap_ip, cfg->encap_ip)) {
        nbrec_chassis_set_encap_ip(found, cfg->encap_ip);
    }
    if (!smap_equal(&found->bridge_mappings, &cfg->bridge_mappings)) {
        nbrec_chassis_set_bridge_mappings(found, &cfg->bridge_mappings);
    }
    if (found->gateway_capable != cfg->gateway) {
        nbrec_chassis_set_gateway_capable(found, cfg->gateway);
    }

    /* The bridges' datapath type, for the Neutron driver's port binding
     * (vif_details:datapath_type, which os-vif gives the VM's port). */
    const char *dp_type = (*cfg->datapath_type ? cfg->datapath_type
                                               : "system");
    if (strcmp(smap_get_def(&found->other_config, "datapath-type", ""),
               dp_type)) {
        nbrec_chassis_update_other_config_setkey(found, "datapath-type",
                                                 dp_type);
    }
    return found;
}

void
chassis_ack(struct ovsdb_idl_txn *txn, struct ovsdb_idl *nb_idl,
            const struct dvr_config *cfg, int64_t nb_cfg)
{
    const struct nbrec_chassis_private *cp, *found = NULL;

    if (!txn) {
        return;
    }
    NBREC_CHASSIS_PRIVATE_FOR_EACH (cp, nb_idl) {
        if (!strcmp(cp->name, cfg->system_id)) {
            found = cp;
            break;
        }
    }
    if (!found) {
        struct nbrec_chassis_private *ncp = nbrec_chassis_private_insert(txn);
        nbrec_chassis_private_set_name(ncp, cfg->system_id);
        found = ncp;
    } else if (found->nb_cfg == nb_cfg) {
        return;
    }
    nbrec_chassis_private_set_nb_cfg(found, nb_cfg);
    nbrec_chassis_private_set_nb_cfg_timestamp(found, time_wall_msec());
}

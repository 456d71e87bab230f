/*
 * controller/config: dvr-controller's settings.
 *
 * Read, like ovn-controller's, from the external_ids of the local
 * Open_vSwitch row; an INI file given with --config provides values for
 * keys the database does not set.  Every key has a default (doc:
 * dvr-controller(8)):
 *
 *   system-id             chassis name                (required)
 *   hostname              chassis hostname            (system hostname)
 *   dvr-nb-remote         NB database
 *                         (unix:/var/run/dvrflow/nb.sock)
 *   dvr-encap-ip          tunnel endpoint IP          (required for tunnels)
 *   dvr-encap-type        geneve | vxlan              (geneve)
 *   dvr-bridge-mappings   physnet:bridge,...          (none)
 *   dvr-gateway           true | false                (false)
 *   dvr-datapath-type     bridges' datapath_type      (system default "")
 *   dvr-int-bridge        integration bridge          (br-int)
 *   dvr-tun-bridge        tunnel bridge               (br-tun)
 *   dvr-monitor-all       true: the whole NB; false:  (false)
 *                         what this node needs
 *                         (controller/nb-monitor)
 *
 * dvr-metrics-address (IP:PORT, metrics; unset: off) is not part of the
 * config: a bad value must leave the metrics off, not the controller
 * unconfigured.  dvr-controller reads it for controller/exporter.
 *
 * config_read() is pure: it takes the key/value maps and returns a config
 * or an error naming the bad key.
 */

#ifndef CONTROLLER_CONFIG_H
#define CONTROLLER_CONFIG_H 1

#include <stdbool.h>

#include "smap.h"

struct dvr_config {
    char *system_id;
    char *hostname;
    char *nb_remote;
    char *encap_ip;
    char *encap_type;
    struct smap bridge_mappings;    /* physnet -> bridge. */
    bool gateway;
    char *datapath_type;
    char *int_bridge;
    char *tun_bridge;
    bool monitor_all;
};

char *config_read(const struct smap *external_ids, const struct smap *file,
                  struct dvr_config *) OVS_WARN_UNUSED_RESULT;
void config_destroy(struct dvr_config *);
/* Moves 'src' to 'dst' (a plain assignment would break the smap). */
void config_move(struct dvr_config *dst, struct dvr_config *src);
bool config_equal(const struct dvr_config *, const struct dvr_config *);

/* Parses the INI file 'path' ("key = value" lines, '#' or ';' comments,
 * [section] headers ignored) into 'out'.  Returns an error naming the file
 * and line, or NULL. */
char *config_load_file(const char *path, struct smap *out)
    OVS_WARN_UNUSED_RESULT;

#endif /* controller/config.h */

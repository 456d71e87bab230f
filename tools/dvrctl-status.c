/*
 * dvrctl status: reports whether the node's dvrflow daemons run, and what
 * each says of itself, through their control sockets (the same unixctl
 * ovs-appctl uses).
 *
 *   dvrctl status [--rundir DIR] [--ovs-rundir DIR] [DAEMON...]
 *
 * DAEMON is dvr-controller or dvr-api; both by default.  dvr-controller's
 * control socket is in the Open vSwitch run directory of the switch it
 * serves ($OVS_RUNDIR, else the one configure was given with
 * --with-ovs-rundir: /var/run/openvswitch, Debian's), dvr-api's in
 * dvrflow's own run directory ($OVS_RUNDIR, else $(localstatedir)/run/
 * dvrflow), where the daemons put them by default (doc/dvrctl.8).  A
 * socket is NAME.ctl (a daemon started with --unixctl=NAME.ctl, as in the
 * sandbox) or NAME.PID.ctl with PID from NAME.pid (the default, with
 * --pidfile).
 *
 * Contract: reads only (the "status" and "dvr-api/status" commands).
 * Prints, for each daemon, "NAME: running (SOCKET)" and its status
 * indented, or "NAME: not running (REASON)"; exit 0 if every daemon asked
 * for runs, 1 if one does not, 2 on a usage error.
 */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "tools/dvrctl.h"
#include "util.h"

/* Returns the control socket of daemon 'name' in 'rundir', or NULL with
 * '*error' set if it has none. */
static char *
find_socket(const char *rundir, const char *name, char **error)
{
    char *path = xasprintf("%s/%s.ctl", rundir, name);
    if (!access(path, F_OK)) {
        return path;
    }
    free(path);

    char *pidfile = xasprintf("%s/%s.pid", rundir, name);
    FILE *f = fopen(pidfile, "r");
    long pid = 0;
    if (!f) {
        *error = xasprintf("no %s/%s.ctl, cannot open %s (%s)", rundir,
                           name, pidfile, ovs_strerror(errno));
        free(pidfile);
        return NULL;
    }
    if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
        *error = xasprintf("%s holds no process id", pidfile);
        fclose(f);
        free(pidfile);
        return NULL;
    }
    fclose(f);
    free(pidfile);
    return xasprintf("%s/%s.%ld.ctl", rundir, name, pid);
}

/* Prints the status of daemon 'name' (control command 'cmd') whose socket
 * is in 'rundir'; returns true if it answered. */
static bool
report(const char *rundir, const char *name, const char *cmd)
{
    char *error = NULL;
    char *path = find_socket(rundir, name, &error);
    char *out = path ? dvrctl_appctl(path, cmd, NULL, NULL, NULL, &error) : NULL;
    if (!out) {
        printf("%s: not running (%s)\n", name, error);
        free(error);
        free(path);
        return false;
    }

    printf("%s: running (%s)\n", name, path);
    struct ds s = DS_EMPTY_INITIALIZER;
    for (const char *p = out; *p; ) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? nl - p : strlen(p);
        ds_put_format(&s, "  %.*s\n", (int) len, p);
        p += len + (nl != NULL);
    }
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    free(out);
    free(path);
    return true;
}

int
dvrctl_status(int argc, char *argv[])
{
    const char *env = getenv("OVS_RUNDIR");
    const char *rundir = env && *env ? env : DVR_RUNDIR;
    const char *ovs_rundir = env && *env ? env : DVR_OVS_RUNDIR;
    bool controller = false, api = false;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--rundir") && i + 1 < argc) {
            rundir = argv[++i];
        } else if (!strcmp(argv[i], "--ovs-rundir") && i + 1 < argc) {
            ovs_rundir = argv[++i];
        } else if (!strcmp(argv[i], "dvr-controller")) {
            controller = true;
        } else if (!strcmp(argv[i], "dvr-api")) {
            api = true;
        } else {
            dvrctl_die(2, "status: unknown argument '%s' (--rundir DIR, "
                       "--ovs-rundir DIR, dvr-controller, dvr-api)",
                       argv[i]);
        }
    }
    if (!controller && !api) {
        controller = api = true;
    }

    bool ok = true;
    if (controller) {
        ok = report(ovs_rundir, "dvr-controller", "status") && ok;
    }
    if (api) {
        ok = report(rundir, "dvr-api", "dvr-api/status") && ok;
    }
    return ok ? 0 : 1;
}

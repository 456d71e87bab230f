/*
 * dvr-api: the Neutron v2.0 REST API of dvrflow.  It serves HTTP on
 * --listen (127.0.0.1:9696 by default) and keeps the logical model in the
 * NB database (--nb), which is its only storage.  See doc/dvr-api.8 and
 * doc/api.md.
 */

#include <config.h>

#include "api/json-compat.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "stream-ssl.h"
#include "stream.h"
#include "unixctl.h"
#include "util.h"
#include "api/core.h"
#include "api/server.h"
#include "metrics/http.h"

VLOG_DEFINE_THIS_MODULE(dvr_api);

static const char *nb_remote;
static const char *listen_address = "127.0.0.1:9696";
static const char *metrics_address; /* NULL: no metrics. */
static char *unixctl_path;
static const char *auth_mode;
static struct api_config config = {
    .tenant_network_type = "vxlan",
    .default_project = "dvrflow",
};

OVS_NO_RETURN static void usage(void);

static void
usage(void)
{
    printf("%s: the Neutron v2.0 REST API of dvrflow\n"
           "usage: %s [OPTIONS]\n"
           "\n"
           "Options:\n"
           "  --nb=REMOTE             NB database (unix:, tcp:, ssl:, or a\n"
           "                          comma-separated list; default\n"
           "                          unix:%s/dvrflow-nb.sock)\n"
           "  --listen=ADDR:PORT      HTTP address (default %s; IPv6 as\n"
           "                          [::1]:9696)\n"
           "  --metrics=ADDR:PORT     serve Prometheus metrics on\n"
           "                          http://ADDR:PORT/metrics (off by\n"
           "                          default; no authentication: use a\n"
           "                          management address)\n"
           "  --tenant-network-type=vxlan|geneve\n"
           "                          type of tenant networks (vxlan)\n"
           "  --quota=RESOURCE=N      per-project quota of RESOURCE\n"
           "                          (network, subnet, port, router,\n"
           "                          floatingip,\n"
           "                          security_group, security_group_rule;\n"
           "                          Neutron's defaults; -1 unlimited)\n"
           "  --auth=keystone|none    who is calling: Keystone tokens\n"
           "                          (with --auth-config), or nobody\n"
           "                          checks (a test bed: every client\n"
           "                          is admin); required\n"
           "  --tls-certificate=FILE  serve HTTPS (only) with this PEM\n"
           "                          certificate (chain)...\n"
           "  --tls-private-key=FILE  ...and this private key\n"
           "  --auth-config=FILE      Keystone's URL and the service's\n"
           "                          credentials ([keystone_authtoken])\n"
           "  --default-project=ID    with --auth=none, the project of\n"
           "                          requests without X-Project-Id (%s)\n"
           "  --unixctl=SOCKET        override default control socket\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           program_name, program_name, ovs_rundir(), listen_address,
           config.default_project);
    daemon_usage();
    vlog_usage();
    stream_usage("NB database", true, true, true);
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_NB = UCHAR_MAX + 1,
        OPT_LISTEN,
        OPT_METRICS,
        OPT_TENANT_NETWORK_TYPE,
        OPT_DEFAULT_PROJECT,
        OPT_QUOTA,
        OPT_AUTH,
        OPT_AUTH_CONFIG,
        OPT_TLS_CERTIFICATE,
        OPT_TLS_PRIVATE_KEY,
        OPT_UNIXCTL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"nb", required_argument, NULL, OPT_NB},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"tenant-network-type", required_argument, NULL,
         OPT_TENANT_NETWORK_TYPE},
        {"default-project", required_argument, NULL, OPT_DEFAULT_PROJECT},
        {"quota", required_argument, NULL, OPT_QUOTA},
        {"auth", required_argument, NULL, OPT_AUTH},
        {"auth-config", required_argument, NULL, OPT_AUTH_CONFIG},
        {"tls-certificate", required_argument, NULL, OPT_TLS_CERTIFICATE},
        {"tls-private-key", required_argument, NULL, OPT_TLS_PRIVATE_KEY},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    api_quotas_init(&config.quotas);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_NB:
            nb_remote = optarg;
            break;
        case OPT_LISTEN:
            listen_address = optarg;
            break;
        case OPT_METRICS: {
            char *host, *error;
            uint16_t port;
            error = metrics_http_parse_address(optarg, &host, &port);
            if (error) {
                ovs_fatal(0, "--metrics: %s", error);
            }
            free(host);
            metrics_address = optarg;
            break;
        }
        case OPT_TENANT_NETWORK_TYPE:
            if (strcmp(optarg, "vxlan") && strcmp(optarg, "geneve")) {
                ovs_fatal(0, "--tenant-network-type must be vxlan or "
                          "geneve");
            }
            config.tenant_network_type = optarg;
            break;
        case OPT_DEFAULT_PROJECT:
            if (!*optarg || strlen(optarg) > 255) {
                ovs_fatal(0, "--default-project: bad project id");
            }
            config.default_project = optarg;
            break;
        case OPT_QUOTA: {
            char *error = api_quotas_parse(&config.quotas, optarg);
            if (error) {
                ovs_fatal(0, "%s", error);
            }
            break;
        }
        case OPT_AUTH:
            if (strcmp(optarg, "keystone") && strcmp(optarg, "none")) {
                ovs_fatal(0, "--auth must be keystone or none");
            }
            auth_mode = optarg;
            break;
        case OPT_AUTH_CONFIG:
            config.auth_config = optarg;
            break;
        case OPT_TLS_CERTIFICATE:
            config.tls_certificate = optarg;
            break;
        case OPT_TLS_PRIVATE_KEY:
            config.tls_private_key = optarg;
            break;
        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;
        case 'h':
            usage();
        case 'V':
            printf("dvr-api (dvrflow) %s\n", DVR_VERSION);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);

    if (!auth_mode) {
        ovs_fatal(0, "--auth is required: --auth=keystone with "
                  "--auth-config=FILE, or --auth=none for a test bed "
                  "(every client is admin of every project)");
    } else if (!strcmp(auth_mode, "keystone") && !config.auth_config) {
        ovs_fatal(0, "--auth=keystone needs --auth-config=FILE");
    } else if (!strcmp(auth_mode, "none")) {
        config.auth_config = NULL;
    }

    if (!config.tls_certificate != !config.tls_private_key) {
        ovs_fatal(0, "--tls-certificate and --tls-private-key go together");
    }

    if (optind < argc) {
        ovs_fatal(0, "unexpected argument '%s' (use --help for usage)",
                  argv[optind]);
    }
}

static void
dvr_api_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *exiting_)
{
    bool *exiting = exiting_;
    *exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
dvr_api_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
               const char *argv[] OVS_UNUSED, void *server_)
{
    char *status = api_server_status(server_);
    unixctl_command_reply(conn, status);
    free(status);
}

int
main(int argc, char *argv[])
{
    bool exiting = false;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    /* Without $OVS_RUNDIR, the control socket, the pid file and the NB
     * socket are in dvrflow's run directory, which "make install" and the
     * package's unit create (not in the OVS build's, which nothing makes). */
    if (!getenv("OVS_RUNDIR")) {
        setenv("OVS_RUNDIR", DVR_RUNDIR, 1);
    }
    service_start(&argc, &argv);
    parse_options(argc, argv);
    fatal_ignore_sigpipe();

    char *default_nb = NULL;
    if (!nb_remote) {
        default_nb = xasprintf("unix:%s/dvrflow-nb.sock", ovs_rundir());
        nb_remote = default_nb;
    }

    daemonize_start(false);

    /* libevent's event base is created after the fork, in the daemon. */
    struct api_server *server = api_server_create(nb_remote, &config);
    char *error;
    if (api_server_listen(server, listen_address, &error)) {
        ovs_fatal(0, "%s", error);
    }
    if (metrics_address
        && api_server_listen_metrics(server, metrics_address, &error)) {
        ovs_fatal(0, "--metrics: %s", error);
    }

    struct unixctl_server *unixctl;
    if (unixctl_server_create(unixctl_path, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, dvr_api_exit, &exiting);
    unixctl_command_register("dvr-api/status", "", 0, 0, dvr_api_status,
                             server);

    daemonize_complete();
    VLOG_INFO("dvr-api %s: NB %s, HTTP %s", DVR_VERSION, nb_remote,
              listen_address);

    while (!exiting) {
        unixctl_server_run(unixctl);
        api_server_run(server);

        unixctl_server_wait(unixctl);
        api_server_wait(server);
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    unixctl_server_destroy(unixctl);
    api_server_destroy(server);
    free(default_nb);
    service_stop();
    return 0;
}

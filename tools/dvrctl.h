/*
 * dvrctl's shared pieces: the API call and the error exit, used by the
 * commands kept in their own files (dvrctl-trace.c, dvrctl-pipeline.c).
 */

#ifndef TOOLS_DVRCTL_H
#define TOOLS_DVRCTL_H 1

#include "api/json-compat.h"
#include <stdbool.h>
#include <stdio.h>

#include "compiler.h"
#include "svec.h"

/* Sends METHOD PATH with 'body' (consumed, may be NULL) to dvr-api and
 * returns the JSON answer; exits with the server's message on an error
 * status. */
json_t *dvrctl_call(const char *method, const char *path, json_t *body);

/* Prints "dvrctl: MESSAGE" to stderr and exits with 'status'. */
OVS_NO_RETURN void dvrctl_die(int status, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);

/* Runs unixctl 'cmd' with up to three arguments (the first null ends
 * them) on the daemon whose control socket is 'path'; returns its output
 * (to free), or NULL with '*error' (to free). */
char *dvrctl_appctl(const char *path, const char *cmd, const char *a1,
                    const char *a2, const char *a3, char **error);

/* "dvrctl trace ARGS...": see dvrctl-trace.c. */
int dvrctl_trace(int argc, char *argv[]);

/* "dvrctl pipeline ARGS...": see dvrctl-pipeline.c. */
int dvrctl_pipeline(int argc, char *argv[]);

/* "dvrctl status ARGS...": see dvrctl-status.c. */
int dvrctl_status(int argc, char *argv[]);

/* "dvrctl sync ARGS...": see dvrctl-sync.c. */
int dvrctl_sync(int argc, char *argv[]);

/* "dvrctl verify ARGS...": see dvrctl-verify.c. */
int dvrctl_verify(int argc, char *argv[]);

/* What dvrctl-trace.c offers dvrctl-verify.c: the nodes, and one packet
 * traced from a port as `dvrctl trace` does, with what it found. */

/* A packet's headers as they travel.  'proto' is "tcp", "udp", "icmp"
 * (an echo request), "arp" (a request for 'nw_dst' from 'nw_src' and
 * 'dl_src') or "other" (EtherType 0x88b5, no addresses above L2). */
struct dvrctl_pkt {
    char dl_src[32], dl_dst[32];
    char nw_src[48], nw_dst[48];
    int ttl;
    const char *proto;
    int dport;
};

/* What one traced packet did, over every node it was followed onto. */
struct dvrctl_trace_result {
    struct svec outputs;        /* "NODE OFPORT" of every br-int output
                                 * (other than back to the input port). */
    struct svec owners;         /* "NODE TABLE OWNER" of every step whose
                                 * flow has a cookie, in order. */
    bool left_provider;         /* Left a node on a provider network. */
    bool not_followed;          /* A tunnel or hop that was not followed. */
    bool nw_dst_used;           /* A megaflow matched nw_dst or arp_tpa. */
    bool tp_dst_used;           /* A megaflow matched tp_dst. */
    char dropped_in[32];        /* The table it was last dropped in. */
};

/* Adds node "NAME=RUNDIR" (dies if malformed or too many). */
void dvrctl_trace_add_node(const char *arg);
int dvrctl_trace_n_nodes(void);
const char *dvrctl_trace_node_name(int);
const char *dvrctl_trace_node_rundir(int);
/* Runs unixctl 'cmd' (with 'arg' if nonnull) against node 'i''s
 * dvr-controller; its output (to free), or NULL with '*error' (to free). */
char *dvrctl_trace_controller(int i, const char *cmd, const char *arg,
                              char **error);
/* dvr-api's port list (borrowed: the caller keeps it alive). */
void dvrctl_trace_set_ports(json_t *ports);

void dvrctl_trace_result_init(struct dvrctl_trace_result *);
void dvrctl_trace_result_destroy(struct dvrctl_trace_result *);
/* Traces 'pkt' into br-int port 'ofport' of node 'node', printing the
 * steps to 'out' and recording into 'r'; returns 0 if delivered, answered
 * or sent out, 3 if dropped or not followed. */
int dvrctl_trace_packet(int node, int ofport, struct dvrctl_pkt *,
                        FILE *out, struct dvrctl_trace_result *r);

#endif /* tools/dvrctl.h */

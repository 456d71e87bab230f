/*
 * dvrctl's shared pieces: the API call and the error exit, used by the
 * commands kept in their own files (dvrctl-trace.c, dvrctl-pipeline.c).
 */

#ifndef TOOLS_DVRCTL_H
#define TOOLS_DVRCTL_H 1

#include "api/json-compat.h"
#include "compiler.h"

/* Sends METHOD PATH with 'body' (consumed, may be NULL) to dvr-api and
 * returns the JSON answer; exits with the server's message on an error
 * status. */
json_t *dvrctl_call(const char *method, const char *path, json_t *body);

/* Prints "dvrctl: MESSAGE" to stderr and exits with 'status'. */
OVS_NO_RETURN void dvrctl_die(int status, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);

/* "dvrctl trace ARGS...": see dvrctl-trace.c. */
int dvrctl_trace(int argc, char *argv[]);

/* "dvrctl pipeline ARGS...": see dvrctl-pipeline.c. */
int dvrctl_pipeline(int argc, char *argv[]);

#endif /* tools/dvrctl.h */

/*
 * api/server: dvr-api's server: the NB database connection (one IDL), the
 * HTTP listener (libevent's evhttp), the routing of requests to the
 * resource handlers, and the life of each request's OVSDB transaction.
 *
 * Event loop: the Open vSwitch poll loop is the main loop.  libevent runs
 * inside it without blocking: api_server_wait() registers every file
 * descriptor and timeout that libevent is waiting for with poll_fd_wait()
 * and poll_timer_wait_until(), and api_server_run() lets libevent dispatch
 * what is ready (event_base_loop() with EVLOOP_NONBLOCK).  So one thread
 * serves HTTP and the IDL, and handlers read the IDL without locks.
 *
 * Contract:
 *   - Every request gets exactly one answer; a request whose transaction
 *     cannot commit within its deadline (the NB database unreachable)
 *     gets 503.
 *   - Requests that arrive before the IDL has its first copy of the
 *     database wait for it.
 *   - Every write transaction also increments NB_Global.nb_cfg (inserting
 *     the row if it is missing).
 */

#ifndef API_SERVER_H
#define API_SERVER_H 1

#include <stdbool.h>

struct api_server;
struct api_config;
struct sset;
struct unixctl_conn;

struct api_server *api_server_create(const char *nb_remote,
                                     const struct api_config *);
int api_server_listen(struct api_server *, const char *address,
                      char **error);
/* Serves the metrics (api/exporter) on 'address', beside the API. */
int api_server_listen_metrics(struct api_server *, const char *address,
                              char **error);
void api_server_run(struct api_server *);
void api_server_wait(struct api_server *);
void api_server_destroy(struct api_server *);

struct sset *api_server_reserved(struct api_server *);
char *api_server_status(const struct api_server *);

#endif /* api/server.h */

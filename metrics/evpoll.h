/*
 * metrics/evpoll: a libevent base inside Open vSwitch's poll loop.
 *
 * dvr-api and the metrics endpoints run libevent (evhttp) in a daemon
 * whose loop is OVS's poll_block().  The daemon runs the base with
 * event_base_loop(base, EVLOOP_NONBLOCK) once per iteration and calls
 * evpoll_wait() before poll_block(): it registers every fd the base waits
 * on with poll_fd_wait(), the base's next timeout with poll_timer_wait(),
 * and wakes at once if an event is already active.
 */

#ifndef METRICS_EVPOLL_H
#define METRICS_EVPOLL_H 1

struct event_base;

void evpoll_wait(struct event_base *);

#endif /* metrics/evpoll.h */

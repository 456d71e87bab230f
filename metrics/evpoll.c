/*
 * metrics/evpoll: see evpoll.h.
 */

#include <config.h>

#include "metrics/evpoll.h"

#include <poll.h>
#include <sys/time.h>

#include <event2/event.h>

#include "openvswitch/poll-loop.h"
#include "util.h"

static int
wait_event(const struct event_base *base OVS_UNUSED,
           const struct event *ev, void *now_)
{
    const struct timeval *now = now_;
    short what = event_get_events(ev);
    evutil_socket_t fd = event_get_fd(ev);
    struct timeval tv;

    if (!(what & EV_SIGNAL) && fd >= 0
        && event_pending(ev, EV_READ | EV_WRITE, NULL)) {
        short events = ((what & EV_READ ? POLLIN : 0)
                        | (what & EV_WRITE ? POLLOUT : 0));
        if (events) {
            poll_fd_wait(fd, events);
        }
    }
    if (event_pending(ev, EV_TIMEOUT, &tv)) {
        long long int ms = ((long long int) (tv.tv_sec - now->tv_sec)
                            * 1000
                            + (tv.tv_usec - now->tv_usec) / 1000);
        poll_timer_wait(MAX(ms, 0) + 1);
    }
    return 0;
}

void
evpoll_wait(struct event_base *base)
{
    struct timeval now;

    gettimeofday(&now, NULL);
    event_base_foreach_event(base, wait_event, &now);
    if (event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE)) {
        poll_immediate_wake();
    }
}

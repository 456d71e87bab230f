/*
 * ovsdb/nb-session: see nb-session.h.
 */

#include <config.h>

#include "ovsdb/nb-session.h"

#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(nb_session);

void
nb_session_init(struct nb_session *s, struct ovsdb_idl *idl)
{
    memset(s, 0, sizeof *s);
    s->idl = idl;
}

static void
free_members(struct nb_session *s)
{
    for (size_t i = 0; i < s->n_members; i++) {
        free(s->members[i]);
    }
    free(s->members);
    s->members = NULL;
    s->n_members = 0;
}

void
nb_session_destroy(struct nb_session *s)
{
    free_members(s);
}

/* The remote whose member list starts at 'rotation'. */
static char *
rotated_remote(const struct nb_session *s)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < s->n_members; i++) {
        ds_put_format(&ds, "%s%s", i ? "," : "",
                      s->members[(s->rotation + i) % s->n_members]);
    }
    return ds_steal_cstr(&ds);
}

void
nb_session_set_remote(struct nb_session *s, const char *remote)
{
    free_members(s);
    char *copy = xstrdup(remote);
    char *save = NULL;
    for (char *m = strtok_r(copy, ", ", &save); m;
         m = strtok_r(NULL, ", ", &save)) {
        s->members = xrealloc(s->members,
                              (s->n_members + 1) * sizeof *s->members);
        s->members[s->n_members++] = xstrdup(m);
    }
    free(copy);
    s->rotation = 0;
    s->down = false;
    ovsdb_idl_set_remote(s->idl, remote, true);
}

void
nb_session_run(struct nb_session *s)
{
    if (s->n_members < 2) {
        return;
    }
    long long int now = time_msec();
    unsigned int seqno = ovsdb_idl_get_seqno(s->idl);
    bool connected = ovsdb_idl_is_connected(s->idl);

    if (!s->down) {
        if (!connected) {
            s->down = true;
            s->down_seqno = seqno;
            s->down_since = now;
            s->retry_at = now + NB_SESSION_RETRY_MSEC;
        }
    } else if (connected && seqno != s->down_seqno) {
        /* The IDL monitors the database again: only a leader session
         * gets that far. */
        s->down = false;
    } else if (now >= s->retry_at) {
        s->rotation = (s->rotation + 1) % s->n_members;
        char *remote = rotated_remote(s);
        VLOG_INFO("no NB leader for %lld ms: trying the members again, "
                  "from %s", now - s->down_since,
                  s->members[s->rotation]);
        ovsdb_idl_set_remote(s->idl, remote, true);
        free(remote);
        s->n_reopened++;
        s->retry_at = now + NB_SESSION_RETRY_MSEC;
    }
}

void
nb_session_wait(const struct nb_session *s)
{
    if (s->n_members >= 2 && s->down) {
        poll_timer_wait_until(s->retry_at);
    }
}

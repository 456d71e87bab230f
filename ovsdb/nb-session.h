/*
 * ovsdb/nb-session: quick failover of an NB connection to a cluster.
 *
 * The NB remote may list the members of a Raft cluster ("unix:a,tcp:b,...").
 * The OVSDB IDL connects to the leader only; when the leader dies it tries
 * each member once, but the election takes a second or two, and after
 * that round its reconnection back-off grows 1, 2, 4, 8 s, so a client
 * could stay away from the new leader for seconds after it was elected.
 * nb_session_run() watches an IDL: once it has been without a leader
 * session for NB_SESSION_RETRY_MSEC, it reopens the session with the
 * members in another order, which tries every member again at once.  The
 * IDL's contents are kept meanwhile (the IDL resynchronises with the new
 * leader from its last transaction id).
 *
 * Contract: call nb_session_run() after every ovsdb_idl_run() (or
 * ovsdb_idl_loop_run()) of the IDL and nb_session_wait() with the other
 * waits; nb_session_set_remote() replaces ovsdb_idl_set_remote().  A
 * remote with one member is left to the IDL alone.
 */

#ifndef OVSDB_NB_SESSION_H
#define OVSDB_NB_SESSION_H 1

#include <stdbool.h>
#include <stddef.h>

struct ovsdb_idl;

#define NB_SESSION_RETRY_MSEC 500

struct nb_session {
    struct ovsdb_idl *idl;
    char **members;             /* The remote's members, in its order. */
    size_t n_members;
    size_t rotation;            /* The current session starts there. */
    bool down;                  /* No leader session since 'down_since'. */
    long long int down_since;
    unsigned int down_seqno;    /* The IDL's seqno when it went down. */
    long long int retry_at;     /* When to reopen, if still down. */
    unsigned int n_reopened;    /* Sessions reopened, for status. */
};

void nb_session_init(struct nb_session *, struct ovsdb_idl *);
void nb_session_destroy(struct nb_session *);
void nb_session_set_remote(struct nb_session *, const char *remote);
void nb_session_run(struct nb_session *);
void nb_session_wait(const struct nb_session *);

#endif /* ovsdb/nb-session.h */

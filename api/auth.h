/*
 * api/auth: who is calling dvr-api.  Keystone token validation with a
 * bounded cache, and the service's own credentials.
 *
 * Contract:
 *   - api_auth_create() reads the service's configuration file (section
 *     [keystone_authtoken]: auth_url, username, password, project_name,
 *     user_domain_name, project_domain_name, cache_time) and returns NULL
 *     with '*error' set if it is unusable.
 *   - api_auth_validate() finds who owns 'token': at once from the cache,
 *     or it asks Keystone (GET
 *     /v3/auth/tokens with X-Subject-Token, authenticated with the
 *     service's own token, which it obtains and renews itself) and calls
 *     'cb' later, on the same event base, with the identity or a status:
 *     401 for a token Keystone does not know (or an unscoped one), 503 if
 *     Keystone cannot be asked.  Only project-scoped tokens identify a
 *     caller.
 *   - Validations are cached by the SHA-256 of the token (never the token
 *     itself) until the token expires, at most cache_time seconds
 *     (default 300: a revoked token is honoured that long at most), and
 *     at most 4,096 of them.  At most 256 validations wait for Keystone;
 *     more get 503 at once.
 *   - Nothing that Keystone or a client sends can abort the daemon:
 *     malformed answers are 401 or 503 and logged (rate-limited).
 */

#ifndef API_AUTH_H
#define API_AUTH_H 1

#include <stdbool.h>

struct api_auth;
struct event_base;

/* A caller. */
struct api_identity {
    char *project;              /* The token's project id. */
    bool is_admin;              /* The token has the "admin" role. */
};

typedef void api_auth_cb(void *aux, int status,
                         const struct api_identity *);

struct api_auth *api_auth_create(const char *config_file,
                                 struct event_base *, char **error);
void api_auth_destroy(struct api_auth *);

/* Returns 0 with '*id' filled in (the caller frees 'id->project'), -1 if
 * 'cb' will be called with the answer, or an HTTP status to answer now
 * (503: too many validations wait for Keystone). */
int api_auth_validate(struct api_auth *, const char *token,
                      struct api_identity *id, api_auth_cb *, void *aux);
void api_auth_cancel(struct api_auth *, void *aux);

char *api_auth_status(const struct api_auth *);

#endif /* api/auth.h */

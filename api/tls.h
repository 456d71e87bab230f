/*
 * api/tls: HTTPS for dvr-api's listener (libevent's bufferevent_openssl).
 *
 * Contract: api_tls_enable() loads a PEM certificate (chain) and its
 * private key and makes 'http' speak TLS (1.2 or later) on every
 * connection it accepts, and nothing else: a client that speaks plain
 * HTTP to it fails the handshake and is disconnected without an answer.
 * Returns NULL, or an error message (which the caller frees) if the files
 * are unusable.
 */

#ifndef API_TLS_H
#define API_TLS_H 1

struct evhttp;

char *api_tls_enable(struct evhttp *, const char *certificate,
                     const char *private_key);
void api_tls_disable(void);

#endif /* api/tls.h */

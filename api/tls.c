/*
 * api/tls: HTTPS for dvr-api.  See tls.h.
 */

#include <config.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "openvswitch/vlog.h"
#include "util.h"
#include "api/tls.h"

VLOG_DEFINE_THIS_MODULE(api_tls);

/* One per process: dvr-api has one listener. */
static SSL_CTX *tls_ctx;

static char *
ssl_error(const char *what, const char *file)
{
    char buf[256];

    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    return xasprintf("%s %s: %s", what, file, buf);
}

static struct bufferevent *
new_tls_bufferevent(struct event_base *base, void *ctx_)
{
    SSL *ssl = SSL_new(ctx_);

    if (!ssl) {
        return NULL;
    }
    /* evhttp gives it its socket; the bufferevent frees 'ssl'. */
    return bufferevent_openssl_socket_new(base, -1, ssl,
                                          BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
}

char *
api_tls_enable(struct evhttp *http, const char *certificate,
               const char *private_key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (!ctx) {
        return xstrdup("cannot make a TLS context");
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate) != 1) {
        char *error = ssl_error("cannot load certificate", certificate);
        SSL_CTX_free(ctx);
        return error;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, private_key, SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(ctx) != 1) {
        char *error = ssl_error("cannot load private key", private_key);
        SSL_CTX_free(ctx);
        return error;
    }
    api_tls_disable();
    tls_ctx = ctx;
    evhttp_set_bevcb(http, new_tls_bufferevent, ctx);
    VLOG_INFO("HTTPS with certificate %s", certificate);
    return NULL;
}

void
api_tls_disable(void)
{
    if (tls_ctx) {
        SSL_CTX_free(tls_ctx);
        tls_ctx = NULL;
    }
}

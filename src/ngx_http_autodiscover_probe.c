
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


/*
 * The certificate a host presents: a TLS handshake with the host's name
 * (SNI) at an address, all probes of a request at once, each within the
 * location's resolver_timeout. What is kept: whether the certificate
 * names the host (subjectAltName, as TLS clients match it), whether its
 * chain verifies against the trusted certificates (OpenSSL's reason when
 * not), and when it expires. Nothing is sent after the handshake.
 */


#if (NGX_HTTP_SSL)

typedef struct {
    ngx_http_request_t                  *request;
    ngx_uint_t                           pending;
    ngx_http_autodiscover_probe_done_pt  done;
    ngx_event_t                          finish;  /* posted: all ended */
} ngx_http_autodiscover_probes_t;


typedef struct {
    ngx_http_autodiscover_probes_t      *all;
    ngx_http_autodiscover_probe_t       *probe;
    ngx_peer_connection_t                peer;
} ngx_http_autodiscover_probe_ctx_t;


static void ngx_http_autodiscover_probe_connected(ngx_event_t *ev);
static void ngx_http_autodiscover_probe_handshaked(ngx_connection_t *c);
static void ngx_http_autodiscover_probe_end(
    ngx_http_autodiscover_probe_ctx_t *pctx, char *error);
static void ngx_http_autodiscover_probe_close(
    ngx_http_autodiscover_probe_ctx_t *pctx);
static void ngx_http_autodiscover_probe_cleanup(void *data);
static void ngx_http_autodiscover_probes_cleanup(void *data);
static void ngx_http_autodiscover_probes_finish(ngx_event_t *ev);


/*
 * starts every probe; done(r) is called once all have ended, never
 * before this returns NGX_OK
 */

ngx_int_t
ngx_http_autodiscover_probe(ngx_http_request_t *r, ngx_ssl_t *ssl,
    ngx_array_t *probes, ngx_http_autodiscover_probe_done_pt done)
{
    ngx_int_t                           rc;
    ngx_uint_t                          i;
    ngx_connection_t                   *c;
    ngx_pool_cleanup_t                 *cln;
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_autodiscover_probe_t      *p;
    ngx_http_autodiscover_probes_t     *all;
    ngx_http_autodiscover_probe_ctx_t  *pctx;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    all = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_probes_t));
    if (all == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    all->request = r;
    all->done = done;
    all->finish.handler = ngx_http_autodiscover_probes_finish;
    all->finish.data = all;
    all->finish.log = r->connection->log;

    cln->handler = ngx_http_autodiscover_probes_cleanup;
    cln->data = all;

    /* one pending more while they start: none ends the whole too soon */

    all->pending = 1;

    p = probes->elts;

    for (i = 0; i < probes->nelts; i++) {

        pctx = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_probe_ctx_t));
        if (pctx == NULL) {
            return NGX_ERROR;
        }

        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            return NGX_ERROR;
        }

        pctx->all = all;
        pctx->probe = &p[i];

        pctx->peer.sockaddr = p[i].addr.sockaddr;
        pctx->peer.socklen = p[i].addr.socklen;
        pctx->peer.name = &p[i].addr.name;
        pctx->peer.get = ngx_event_get_peer;
        pctx->peer.log = r->connection->log;
        pctx->peer.log_error = NGX_ERROR_INFO;

        cln->handler = ngx_http_autodiscover_probe_cleanup;
        cln->data = pctx;

        all->pending++;

        rc = ngx_event_connect_peer(&pctx->peer);

        if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
            ngx_http_autodiscover_probe_end(pctx, "no connection");
            continue;
        }

        c = pctx->peer.connection;
        c->data = pctx;
        c->pool = r->pool;

        if (ngx_ssl_create_connection(ssl, c, NGX_SSL_CLIENT) != NGX_OK
            || SSL_set_tlsext_host_name(c->ssl->connection,
                                        (char *) p[i].host.data)
               == 0)
        {
            ngx_http_autodiscover_probe_end(pctx, "no TLS connection");
            continue;
        }

        c->read->handler = ngx_http_autodiscover_probe_connected;
        c->write->handler = ngx_http_autodiscover_probe_connected;

        ngx_add_timer(c->write, clcf->resolver_timeout);

        if (rc == NGX_OK) {
            ngx_http_autodiscover_probe_connected(c->write);
        }
    }

    if (--all->pending == 0) {
        ngx_post_event(&all->finish, &ngx_posted_events);
    }

    return NGX_OK;
}


/* connected (or not): the handshake */

static void
ngx_http_autodiscover_probe_connected(ngx_event_t *ev)
{
    int                                 err;
    socklen_t                           len;
    ngx_int_t                           rc;
    ngx_connection_t                   *c;
    ngx_http_autodiscover_probe_ctx_t  *pctx;

    c = ev->data;
    pctx = c->data;

    if (ev->timedout) {
        ngx_http_autodiscover_probe_end(pctx, "timed out");
        return;
    }

    /* the connect() that was under way: its result */

    if (!c->ssl->handshaked && c->ssl->connection
        && SSL_in_before(c->ssl->connection))
    {
        err = 0;
        len = sizeof(int);

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len)
            == -1)
        {
            err = ngx_socket_errno;
        }

        if (err) {
            ngx_http_autodiscover_probe_end(pctx, "no connection");
            return;
        }
    }

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        c->ssl->handler = ngx_http_autodiscover_probe_handshaked;
        return;
    }

    ngx_http_autodiscover_probe_handshaked(c);
}


static void
ngx_http_autodiscover_probe_handshaked(ngx_connection_t *c)
{
    int                                 days, secs;
    long                                rc;
    X509                               *cert;
    struct tm                           tm;
    const ASN1_TIME                    *after;
    ngx_http_autodiscover_probe_t      *p;
    ngx_http_autodiscover_probe_ctx_t  *pctx;

    pctx = c->data;
    p = pctx->probe;

    if (c->write->timedout || c->read->timedout) {
        ngx_http_autodiscover_probe_end(pctx, "timed out");
        return;
    }

    if (!c->ssl->handshaked) {
        ngx_http_autodiscover_probe_end(pctx, "no TLS handshake");
        return;
    }

    cert = SSL_get_peer_certificate(c->ssl->connection);

    if (cert == NULL) {
        ngx_http_autodiscover_probe_end(pctx, "no certificate");
        return;
    }

    p->covers = (X509_check_host(cert, (char *) p->host.data, p->host.len,
                                 0, NULL)
                 == 1);

    rc = SSL_get_verify_result(c->ssl->connection);

    p->verified = (rc == X509_V_OK);
    p->verify = (u_char *) X509_verify_cert_error_string(rc);

    after = X509_get0_notAfter(cert);

    if (ASN1_TIME_to_tm(after, &tm) == 1
        && ASN1_TIME_diff(&days, &secs, NULL, after) == 1)
    {
        p->expires.data = ngx_pnalloc(c->pool, sizeof("2026-12-31") - 1);

        if (p->expires.data != NULL) {
            p->expires.len = ngx_sprintf(p->expires.data, "%04d-%02d-%02d",
                                         tm.tm_year + 1900, tm.tm_mon + 1,
                                         tm.tm_mday)
                             - p->expires.data;
        }

        p->days = days;
    }

    X509_free(cert);

    ngx_http_autodiscover_probe_end(pctx, NULL);
}


/* a probe ended: its connection closed, the whole finished when last */

static void
ngx_http_autodiscover_probe_end(ngx_http_autodiscover_probe_ctx_t *pctx,
    char *error)
{
    ngx_http_autodiscover_probe_close(pctx);

    if (pctx->probe->done) {
        return;
    }

    pctx->probe->done = 1;

    if (error) {
        pctx->probe->error = (u_char *) error;
    }

    if (--pctx->all->pending == 0) {
        ngx_post_event(&pctx->all->finish, &ngx_posted_events);
    }
}


static void
ngx_http_autodiscover_probes_finish(ngx_event_t *ev)
{
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_autodiscover_probes_t  *all;

    all = ev->data;
    r = all->request;
    c = r->connection;

    all->done(r);

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_autodiscover_probe_close(ngx_http_autodiscover_probe_ctx_t *pctx)
{
    ngx_connection_t  *c;

    c = pctx->peer.connection;

    if (c == NULL) {
        return;
    }

    if (c->ssl) {
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = 1;
        (void) ngx_ssl_shutdown(c);
    }

    ngx_close_connection(c);
    pctx->peer.connection = NULL;
}


/* the request ended first: the connections go with it */

static void
ngx_http_autodiscover_probe_cleanup(void *data)
{
    ngx_http_autodiscover_probe_ctx_t  *pctx = data;

    pctx->probe->done = 1;

    ngx_http_autodiscover_probe_close(pctx);
}


static void
ngx_http_autodiscover_probes_cleanup(void *data)
{
    ngx_http_autodiscover_probes_t  *all = data;

    if (all->finish.posted) {
        ngx_delete_posted_event(&all->finish);
    }
}

#endif

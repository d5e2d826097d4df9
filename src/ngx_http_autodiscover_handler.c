
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


/*
 * The content handler of every location the module answers: the
 * location's format (its directive's entry in the format table) says how
 * the request is read; then the one decision, and its verdict answered,
 * or the fallback client started.  The request flows one way: handler ->
 * request readers, decide, respond, client; the client -> decide,
 * respond; nothing calls back into this file.
 */


static void ngx_http_autodiscover_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_autodiscover_act(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t read);


ngx_int_t
ngx_http_autodiscover_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_http_autodiscover_ctx_t       *ctx;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->conf = alcf;
    ctx->format = alcf->format;

    ngx_http_set_ctx(r, ctx, ngx_http_autodiscover_module);

    if ((ctx->format->rules & NGX_HTTP_AUTODISCOVER_RULE_BODY)
        && r->method == NGX_HTTP_POST && r == r->main)
    {
        if (r->headers_in.content_length_n > (off_t) alcf->max_body) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: client intended to send too large "
                          "request body: %O bytes, autodiscover_max_body "
                          "is %uz", r->headers_in.content_length_n,
                          alcf->max_body);

            ctx->body_seen = 1;
            ctx->body_size = r->headers_in.content_length_n;
            ctx->refusal = NGX_HTTP_AUTODISCOVER_R_TOO_LARGE;

            rc = ngx_http_discard_request_body(r);

            if (rc != NGX_OK) {
                return rc;
            }

            return ngx_http_autodiscover_act(r, ctx, NGX_DECLINED);
        }

        r->request_body_in_single_buf = 1;

        rc = ngx_http_read_client_request_body(r,
                                           ngx_http_autodiscover_body_handler);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    /* GET, HEAD, and any other method: the URL, never a 405 by method */

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ctx->format->read(r, ctx);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: \"%V\" request read from the URL: %i",
                   &ctx->format->name, rc);

    rc = ngx_http_autodiscover_act(r, ctx, rc);

    if (rc == NGX_DONE) {
        /* a fallback subrequest runs: the request waits for it */
        r->main->count++;
    }

    return rc;
}


static void
ngx_http_autodiscover_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_str_t                     body;
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

    rc = ngx_http_autodiscover_read_body(r, ctx, &body);

    if (rc == NGX_OK) {
        ctx->body = body;
        rc = ngx_http_autodiscover_xml_parse(r, ctx, &body);
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: request body of %uz bytes parsed: %i",
                   body.len, rc);

    rc = ngx_http_autodiscover_act(r, ctx, rc);

    /*
     * NGX_DONE: a fallback subrequest runs and holds the request, which
     * the client's resume handler finalizes
     */

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* the verdict on what was read, acted on */

static ngx_int_t
ngx_http_autodiscover_act(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t read)
{
    if (ngx_http_autodiscover_decide(r, ctx, read) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_FALLBACK) {
        return ngx_http_autodiscover_client(r, ctx);
    }

    return ngx_http_autodiscover_respond(r, ctx);
}


/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


static void ngx_http_autodiscover_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_autodiscover_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t rc);
static ngx_int_t ngx_http_autodiscover_get(ngx_http_request_t *r,
    ngx_http_autodiscover_read_pt read, ngx_http_autodiscover_send_pt send);
static ngx_http_autodiscover_ctx_t *ngx_http_autodiscover_create_ctx(
    ngx_http_request_t *r);


ngx_int_t
ngx_http_autodiscover_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_http_autodiscover_ctx_t       *ctx;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    ctx = ngx_http_autodiscover_create_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->method == NGX_HTTP_POST && r == r->main) {
        alcf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

        if (r->headers_in.content_length_n > (off_t) alcf->max_body) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: client intended to send too large "
                          "request body: %O bytes, autodiscover_max_body "
                          "is %uz", r->headers_in.content_length_n,
                          alcf->max_body);

            rc = ngx_http_discard_request_body(r);

            if (rc != NGX_OK) {
                return rc;
            }

            return ngx_http_autodiscover_send_error(r, ctx, 600);
        }

        r->request_body_in_single_buf = 1;

        rc = ngx_http_read_client_request_body(r,
                                           ngx_http_autodiscover_body_handler);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    /* GET, HEAD, and any other method: the query string, never a 405 */

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_autodiscover_read_args(r, ctx);

    rc = ngx_http_autodiscover_answer(r, ctx, rc);

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

    rc = ngx_http_autodiscover_read_body(r, &body);

    if (rc == NGX_OK) {
        ctx->body = body;
        rc = ngx_http_autodiscover_xml_parse(r, ctx, &body);
    }

    rc = ngx_http_autodiscover_answer(r, ctx, rc);

    /*
     * NGX_DONE: a fallback subrequest runs and holds the request, which
     * the client's resume handler finalizes
     */

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/*
 * rc is what reading the request gave: NGX_OK, NGX_DECLINED for a request
 * that is not valid, NGX_ERROR
 */

static ngx_int_t
ngx_http_autodiscover_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t rc)
{
    ngx_uint_t                         code;
    ngx_http_autodiscover_renderer_t  *rd;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != NGX_OK) {
        return ngx_http_autodiscover_send_error(r, ctx, 600);
    }

    rd = ngx_http_autodiscover_renderer(ctx->schema_id);

    if (rd == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: unsupported response schema \"%V\"",
                      ngx_http_autodiscover_loggable(r, &ctx->schema));
        return ngx_http_autodiscover_send_error(r, ctx, 601);
    }

    rc = ngx_http_autodiscover_resolve(r, ctx);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        alcf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

        if (ctx->error == 500 && alcf->fallback_uri.len && ctx->email.len) {
            return ngx_http_autodiscover_client(r, ctx);
        }

        if (ctx->error == 500
            && alcf->not_served == NGX_HTTP_AUTODISCOVER_NOT_SERVED_404)
        {
            return NGX_HTTP_NOT_FOUND;
        }

        return ngx_http_autodiscover_send_error(r, ctx, ctx->error);
    }

    code = (rd->check != NULL) ? rd->check(ctx) : 0;

    if (code) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: error %ui for domain \"%V\" in the "
                      "schema \"%V\"", code, &ctx->domain, &ctx->schema);

        /* nothing configured here for this address: ask the fallback */

        if (code != 600 && ctx->conf->fallback_uri.len && ctx->email.len) {
            return ngx_http_autodiscover_client(r, ctx);
        }

        return ngx_http_autodiscover_send_error(r, ctx, code);
    }

    if (ctx->service.action == NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_URL
        && (rd->redirect_url_302
            || ctx->conf->redirect_mode == NGX_HTTP_AUTODISCOVER_REDIRECT_302))
    {
        return ngx_http_autodiscover_send_redirect(r,
                     &ctx->service.str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL]);
    }

    return ngx_http_autodiscover_send(r, ctx, rd);
}


ngx_int_t
ngx_http_autodiscover_json_handler(ngx_http_request_t *r)
{
    return ngx_http_autodiscover_get(r,
                                     ngx_http_autodiscover_read_json_request,
                                     ngx_http_autodiscover_send_json);
}


ngx_int_t
ngx_http_autodiscover_autoconfig_handler(ngx_http_request_t *r)
{
    return ngx_http_autodiscover_get(r,
                               ngx_http_autodiscover_read_autoconfig_request,
                               ngx_http_autodiscover_send_autoconfig);
}


ngx_int_t
ngx_http_autodiscover_mobileconfig_handler(ngx_http_request_t *r)
{
    return ngx_http_autodiscover_get(r,
                             ngx_http_autodiscover_read_mobileconfig_request,
                             ngx_http_autodiscover_send_mobileconfig);
}


/*
 * the endpoints that read their request from the URL: any method, the
 * body discarded; a domain not served is a plain 404 whatever
 * autodiscover_not_served says; ctx->error tells the format's sender of
 * an invalid request (600) or an invalid value from variables (602)
 */

static ngx_int_t
ngx_http_autodiscover_get(ngx_http_request_t *r,
    ngx_http_autodiscover_read_pt read, ngx_http_autodiscover_send_pt send)
{
    ngx_int_t                     rc;
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_autodiscover_create_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    rc = read(r, ctx);

    if (rc == NGX_OK) {
        rc = ngx_http_autodiscover_resolve(r, ctx);

    } else if (rc == NGX_DECLINED) {
        ctx->error = 600;
    }

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED && ctx->error == 500) {
        return NGX_HTTP_NOT_FOUND;
    }

    return send(r, ctx);
}


static ngx_http_autodiscover_ctx_t *
ngx_http_autodiscover_create_ctx(ngx_http_request_t *r)
{
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->conf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

    ngx_http_set_ctx(r, ctx, ngx_http_autodiscover_module);

    return ctx;
}


/*
 * what every format shares: is the domain served, and the service
 * evaluated once; NGX_DECLINED with ctx->error 500 (not served) or 602
 * (a variable gave an invalid value)
 */

ngx_int_t
ngx_http_autodiscover_resolve(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                          rc;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

    rc = ngx_http_autodiscover_served(r, alcf, ctx);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: domain \"%V\" is not served",
                      &ctx->domain);
        ctx->error = 500;
        return NGX_DECLINED;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_autodiscover_evaluate(r, alcf, ctx);

    if (rc == NGX_DECLINED) {
        ctx->error = 602;
    }

    return rc;
}


/*
 * the plain-HTTP endpoint (port 80): whatever the method, a 302 to the
 * https URL configured, never settings and never a 401
 */

ngx_int_t
ngx_http_autodiscover_http_redirect_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc, n;
    ngx_str_t                          url;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

    if (ngx_http_complex_value(r, alcf->http_redirect, &url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (url.len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no redirect for \"%V\"",
                      &r->headers_in.server);
        return NGX_HTTP_NOT_FOUND;
    }

    if (ngx_http_autodiscover_account[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL]
            .parse(&url, &n)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: invalid redirect URL \"%V\" from "
                      "variables, it must be an absolute \"https://\" URL",
                      ngx_http_autodiscover_loggable(r, &url));
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_autodiscover_send_redirect(r, &url);
}

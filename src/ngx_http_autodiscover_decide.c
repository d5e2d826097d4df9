
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


/*
 * The one decision: from what reading the request gave and the
 * location's configuration, what the request gets.  It reads variables
 * (maps) and writes the error log, and does nothing else: no sending, no
 * subrequest.  Every path acts on its verdict: the content handler for a
 * POST and a GET, the fallback client after a redirectAddr, the fuzz
 * harnesses.
 */


static void ngx_http_autodiscover_decide_http_redirect(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static void ngx_http_autodiscover_decide_redirect(
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_uint_t ngx_http_autodiscover_may_fall_back(
    ngx_http_autodiscover_ctx_t *ctx);


ngx_str_t  ngx_http_autodiscover_verdict_names[] = {
    ngx_string("settings"),
    ngx_string("redirect_url"),
    ngx_string("redirect_addr"),
    ngx_string("redirect_http"),
    ngx_string("unavailable"),
    ngx_string("invalid"),
    ngx_string("error"),
    ngx_string("not_served"),
    ngx_string("not_allowed"),
    ngx_string("fallback"),
    ngx_string("relayed")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_verdict_names,
                                  NGX_HTTP_AUTODISCOVER_V_COUNT);


/*
 * read is what reading the request gave: NGX_OK, NGX_DECLINED for a
 * request that is not valid, NGX_ABORT for no request at all (a GET
 * without an address of an endpoint that takes a POST); ctx->format is
 * the endpoint's.  Returns NGX_OK with ctx->verdict set, or NGX_ERROR.
 */

ngx_int_t
ngx_http_autodiscover_decide(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t read)
{
    ngx_int_t                              rc;
    const ngx_http_autodiscover_format_t  *fmt;

    ngx_memzero(&ctx->verdict, sizeof(ngx_http_autodiscover_verdict_t));
    ngx_memzero(&ctx->service, sizeof(ngx_http_autodiscover_service_t));
    ctx->decided = 0;

    fmt = ctx->format;

    if (read == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (read == NGX_ABORT) {
        ngx_http_autodiscover_verdict(r, ctx,
                                      NGX_HTTP_AUTODISCOVER_V_NOT_ALLOWED,
                                      NGX_HTTP_AUTODISCOVER_E_NONE);
        return NGX_OK;
    }

    if (read != NGX_OK) {

        /* what the readers did not name: the request's content or URL */

        if (ctx->refusal == NGX_HTTP_AUTODISCOVER_R_NONE) {
            ctx->refusal = ctx->body_seen ? NGX_HTTP_AUTODISCOVER_R_CONTENT
                                          : NGX_HTTP_AUTODISCOVER_R_URL;
        }

        ngx_http_autodiscover_verdict(r, ctx, NGX_HTTP_AUTODISCOVER_V_INVALID,
                                      NGX_HTTP_AUTODISCOVER_E_INVALID);
        return NGX_OK;
    }

    if (fmt->rules & NGX_HTTP_AUTODISCOVER_RULE_HTTP_REDIRECT) {
        ngx_http_autodiscover_decide_http_redirect(r, ctx);
        return NGX_OK;
    }

    /* the endpoint answers in the schema the request asks for */

    if (fmt->rules & NGX_HTTP_AUTODISCOVER_RULE_BY_SCHEMA) {
        fmt = ngx_http_autodiscover_format_for(ctx->schema_id);

        if (fmt == NULL) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: unsupported response schema \"%V\"",
                          ngx_http_autodiscover_loggable(r, &ctx->schema));
            ngx_http_autodiscover_verdict(r, ctx,
                                          NGX_HTTP_AUTODISCOVER_V_ERROR,
                                          NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER);
            return NGX_OK;
        }

        ctx->format = fmt;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: request for \"%V\" in the format \"%V\", "
                   "domain \"%V\"", &ctx->email, &fmt->name, &ctx->domain);

    rc = ngx_http_autodiscover_served(r, ctx->conf, ctx);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: domain \"%V\" is not served",
                      &ctx->domain);

        if (ngx_http_autodiscover_may_fall_back(ctx)) {
            ngx_http_autodiscover_verdict(r, ctx,
                                          NGX_HTTP_AUTODISCOVER_V_FALLBACK,
                                          NGX_HTTP_AUTODISCOVER_E_NONE);

        } else if ((fmt->rules & NGX_HTTP_AUTODISCOVER_RULE_NOT_SERVED)
                   && ctx->conf->not_served
                      == NGX_HTTP_AUTODISCOVER_NOT_SERVED_ERROR)
        {
            ngx_http_autodiscover_verdict(r, ctx,
                                          NGX_HTTP_AUTODISCOVER_V_ERROR,
                                          NGX_HTTP_AUTODISCOVER_E_NOT_FOUND);

        } else {
            ngx_http_autodiscover_verdict(r, ctx,
                                          NGX_HTTP_AUTODISCOVER_V_NOT_SERVED,
                                          NGX_HTTP_AUTODISCOVER_E_NONE);
        }

        return NGX_OK;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: domain served");

    rc = ngx_http_autodiscover_evaluate(r, ctx->conf, ctx, fmt->rules);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_http_autodiscover_verdict(r, ctx, NGX_HTTP_AUTODISCOVER_V_ERROR,
                                      NGX_HTTP_AUTODISCOVER_E_BAD_VALUE);
        return NGX_OK;
    }

    switch (ctx->service.action) {

    case NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_URL:
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_REDIRECT_URL;
        break;

    case NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_ADDR:
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_REDIRECT_ADDR;
        break;

    default: /* NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS */
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_SETTINGS;
    }

    /* what the format can say of this service */

    if (fmt->check != NULL) {
        fmt->check(r, ctx);
    }

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_ERROR
        || ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_INVALID)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: error %d for domain \"%V\" in the "
                      "schema \"%V\"", (int) ctx->verdict.code,
                      &ctx->domain, &ctx->schema);

        /* nothing configured here for this address: ask the fallback */

        if (ngx_http_autodiscover_may_fall_back(ctx)) {
            ngx_http_autodiscover_verdict(r, ctx,
                                          NGX_HTTP_AUTODISCOVER_V_FALLBACK,
                                          NGX_HTTP_AUTODISCOVER_E_NONE);
            return NGX_OK;
        }
    }

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_REDIRECT_URL) {
        ngx_http_autodiscover_decide_redirect(ctx);
    }

    ngx_http_autodiscover_verdict(r, ctx, ctx->verdict.kind,
                                  ctx->verdict.code);

    return NGX_OK;
}


/* sets the verdict, and says so in the debug log */

void
ngx_http_autodiscover_verdict(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_verdict_e kind,
    ngx_http_autodiscover_code_e code)
{
    ctx->verdict.kind = kind;
    ctx->verdict.code = code;
    ctx->decided = 1;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: verdict %V, code %d, format \"%V\"",
                   &ngx_http_autodiscover_verdict_names[kind], (int) code,
                   &ctx->format->name);
}


/*
 * a redirectUrl is a document, or an HTTP 302 where the format has no
 * document for it or the configuration prefers a 302
 */

static void
ngx_http_autodiscover_decide_redirect(ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t  rules;

    rules = ctx->format->rules;

    if ((rules & NGX_HTTP_AUTODISCOVER_RULE_302)
        || ((rules & NGX_HTTP_AUTODISCOVER_RULE_REDIRECT_MODE)
            && ctx->conf->redirect_mode == NGX_HTTP_AUTODISCOVER_REDIRECT_302))
    {
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP;
        ctx->verdict.target =
                  ctx->service.str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL];
    }
}


/*
 * the plain-HTTP endpoint: the configured https URL, whatever the
 * request; an empty one is a 404, an invalid one from variables a 500
 */

static void
ngx_http_autodiscover_decide_http_redirect(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t   n;
    ngx_str_t   url;

    if (ngx_http_complex_value(r, ctx->conf->http_redirect, &url) != NGX_OK) {
        ngx_http_autodiscover_verdict(r, ctx, NGX_HTTP_AUTODISCOVER_V_ERROR,
                                      NGX_HTTP_AUTODISCOVER_E_INTERNAL);
        return;
    }

    if (url.len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no redirect for \"%V\"",
                      ngx_http_autodiscover_loggable(r,
                                                     &r->headers_in.server));
        ngx_http_autodiscover_verdict(r, ctx,
                                      NGX_HTTP_AUTODISCOVER_V_NOT_SERVED,
                                      NGX_HTTP_AUTODISCOVER_E_NONE);
        return;
    }

    if (ngx_http_autodiscover_account[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL]
            .parse(&url, &n)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: invalid redirect URL \"%V\" from "
                      "variables, it must be an absolute \"https://\" URL",
                      ngx_http_autodiscover_loggable(r, &url));
        ngx_http_autodiscover_verdict(r, ctx, NGX_HTTP_AUTODISCOVER_V_ERROR,
                                      NGX_HTTP_AUTODISCOVER_E_BAD_VALUE);
        return;
    }

    ctx->verdict.target = url;

    ngx_http_autodiscover_verdict(r, ctx,
                                  NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP,
                                  NGX_HTTP_AUTODISCOVER_E_NONE);
}


/* an address this configuration has no answer for, and a fallback */

static ngx_uint_t
ngx_http_autodiscover_may_fall_back(ngx_http_autodiscover_ctx_t *ctx)
{
    if (!(ctx->format->rules & NGX_HTTP_AUTODISCOVER_RULE_FALLBACK)
        || ctx->conf->fallback_uri.len == 0
        || ctx->email.len == 0)
    {
        return 0;
    }

    /* a request that is not valid is not one to pass on */

    return (ctx->verdict.kind != NGX_HTTP_AUTODISCOVER_V_INVALID);
}


/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


static ngx_int_t ngx_http_autodiscover_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_autodiscover_client_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_autodiscover_log_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_autodiscover_variable_value(
    ngx_http_variable_value_t *v, ngx_str_t *s);
static ngx_http_autodiscover_ctx_t *ngx_http_autodiscover_variable_ctx(
    ngx_http_request_t *r);


/*
 * not cacheable: their values appear only when the content handler has
 * read the request, and a map keyed on them must see that
 */

ngx_http_variable_t  ngx_http_autodiscover_vars[] = {

    { ngx_string("autodiscover_email"), NULL,
      ngx_http_autodiscover_variable,
      offsetof(ngx_http_autodiscover_ctx_t, email),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_user"), NULL,
      ngx_http_autodiscover_variable,
      offsetof(ngx_http_autodiscover_ctx_t, user),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_domain"), NULL,
      ngx_http_autodiscover_variable,
      offsetof(ngx_http_autodiscover_ctx_t, domain),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_schema"), NULL,
      ngx_http_autodiscover_variable,
      offsetof(ngx_http_autodiscover_ctx_t, schema),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_legacydn"), NULL,
      ngx_http_autodiscover_variable,
      offsetof(ngx_http_autodiscover_ctx_t, legacydn),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_pacc_digest"), NULL,
      ngx_http_autodiscover_variable,
      offsetof(ngx_http_autodiscover_ctx_t, pacc_digest),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_fallback_url"), NULL,
      ngx_http_autodiscover_client_variable,
      offsetof(ngx_http_autodiscover_client_t, url),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_fallback_host"), NULL,
      ngx_http_autodiscover_client_variable,
      offsetof(ngx_http_autodiscover_client_t, host),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_fallback_uri"), NULL,
      ngx_http_autodiscover_client_variable,
      offsetof(ngx_http_autodiscover_client_t, uri),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    /* for log_format: what was asked, what it got, who asked */

    { ngx_string("autodiscover_surface"), NULL,
      ngx_http_autodiscover_log_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_outcome"), NULL,
      ngx_http_autodiscover_log_variable, 1,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("autodiscover_client"), NULL,
      ngx_http_autodiscover_log_variable, 2,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_int_t
ngx_http_autodiscover_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_autodiscover_variable_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_autodiscover_variable_value(v,
                                        (ngx_str_t *) ((u_char *) ctx + data));
}


/* the fallback client's current hop */

static ngx_int_t
ngx_http_autodiscover_client_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_autodiscover_variable_ctx(r);

    if (ctx == NULL || ctx->client == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_autodiscover_variable_value(v,
                                (ngx_str_t *) ((u_char *) ctx->client + data));
}


/*
 * for log_format: the format answered, as the format table names it (0),
 * the outcome (1), the client family (2)
 */

static ngx_int_t
ngx_http_autodiscover_log_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                    *s;
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_autodiscover_variable_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    switch (data) {

    case 0:
        s = (ngx_str_t *) &ctx->format->name;
        break;

    case 1:
        s = &ngx_http_autodiscover_outcome_names[
                                 ngx_http_autodiscover_outcome(r->main, ctx)];
        break;

    default: /* 2 */
        s = &ngx_http_autodiscover_family_names[
                                  ngx_http_autodiscover_family(r->main, ctx)];
    }

    return ngx_http_autodiscover_variable_value(v, s);
}


static ngx_int_t
ngx_http_autodiscover_variable_value(ngx_http_variable_value_t *v,
    ngx_str_t *s)
{
    v->len = s->len;
    v->data = s->data;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


/* a subrequest, the fallback client's, sees what its parent read */

static ngx_http_autodiscover_ctx_t *
ngx_http_autodiscover_variable_ctx(ngx_http_request_t *r)
{
    ngx_http_request_t           *pr;
    ngx_http_autodiscover_ctx_t  *ctx;

    for (pr = r; pr != NULL; pr = pr->parent) {
        ctx = ngx_http_get_module_ctx(pr, ngx_http_autodiscover_module);

        if (ctx != NULL) {
            return ctx;
        }
    }

    return NULL;
}

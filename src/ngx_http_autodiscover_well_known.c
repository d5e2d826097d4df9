
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


/*
 * /.well-known/caldav, /.well-known/carddav (RFC 6764 section 5) and
 * /.well-known/jmap (RFC 8620 section 2.2): the server redirects to where
 * the service is, and never answers there itself. The URL is the first
 * protocol of the location's type (autodiscover_well_known) evaluated
 * for the Host's domain; whatever the method (PROPFIND, GET, OPTIONS).
 */


void
ngx_http_autodiscover_check_well_known(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                      i;
    ngx_http_autodiscover_proto_t  *p;

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_SETTINGS) {
        p = ctx->service.protocols.elts;

        for (i = 0; i < ctx->service.protocols.nelts; i++) {
            if ((ngx_uint_t) p[i].num[NGX_HTTP_AUTODISCOVER_F_TYPE]
                == ctx->conf->well_known)
            {
                ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP;
                ctx->verdict.target = p[i].str[NGX_HTTP_AUTODISCOVER_F_URL];
                return;
            }
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "autodiscover: no %V URL for domain \"%V\"",
                  &ngx_http_autodiscover_types[ctx->conf->well_known],
                  &ctx->domain);

    ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE;
}

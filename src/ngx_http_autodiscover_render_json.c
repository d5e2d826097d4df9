
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * Autodiscover v2: {"Protocol":P,"Url":U}, or a 400 naming the protocols
 * this address has, as Exchange answers it
 */


static const ngx_str_t *ngx_http_autodiscover_json_url(
    const ngx_http_autodiscover_ctx_t *ctx, ngx_uint_t protocol);
static void ngx_http_autodiscover_json_error(
    ngx_http_autodiscover_out_t *out, char *code, ngx_str_t *message);


/* sorted, as the list of supported values is */

static ngx_str_t  ngx_http_autodiscover_json_protocols[] = {
    ngx_string("ActiveSync"),
    ngx_string("AutodiscoverV1"),
    ngx_string("Ews"),
    ngx_null_string
};


static ngx_str_t  ngx_http_autodiscover_json_none = ngx_null_string;


/* the protocol asked for must have a URL for this address */

void
ngx_http_autodiscover_check_json(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t  i;

    for (i = 0; ngx_http_autodiscover_json_protocols[i].len; i++) {
        if (ctx->protocol.len == ngx_http_autodiscover_json_protocols[i].len
            && ngx_strncasecmp(ctx->protocol.data,
                               ngx_http_autodiscover_json_protocols[i].data,
                               ctx->protocol.len)
               == 0)
        {
            if (ngx_http_autodiscover_json_url(ctx, i)->len) {
                return;
            }

            break;
        }
    }

    ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE;
}


/* the URL for a protocol, empty when this address has none */

static const ngx_str_t *
ngx_http_autodiscover_json_url(const ngx_http_autodiscover_ctx_t *ctx,
    ngx_uint_t protocol)
{
    ngx_uint_t                              i;
    const ngx_http_autodiscover_proto_t    *p;
    const ngx_http_autodiscover_service_t  *svc;

    svc = &ctx->service;

    switch (protocol) {

    case 0: /* ActiveSync */
        return &svc->str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_URL];

    case 1: /* AutodiscoverV1: a hosted domain's POX is the hoster's */

        if (svc->action == NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_URL) {
            return &svc->str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL];
        }

        return &svc->str[NGX_HTTP_AUTODISCOVER_A_V1_URL];

    default: /* Ews: the first protocol that has an EWS URL */

        p = svc->protocols.elts;

        for (i = 0; i < svc->protocols.nelts; i++) {
            if (p[i].str[NGX_HTTP_AUTODISCOVER_F_EWS_URL].len) {
                return &p[i].str[NGX_HTTP_AUTODISCOVER_F_EWS_URL];
            }
        }

        return &ngx_http_autodiscover_json_none;
    }
}


void
ngx_http_autodiscover_render_json(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t        i, n;
    ngx_str_t         message;
    const ngx_str_t  *url;

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_INVALID) {
        ngx_str_set(&message, "The email address is missing or not valid.");
        ngx_http_autodiscover_json_error(out, "InvalidUser", &message);
        return;
    }

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_ERROR) {
        ngx_str_set(&message,
                    "The Autodiscover server has a configuration error.");
        ngx_http_autodiscover_json_error(out, "InternalServerError",
                                         &message);
        return;
    }

    if (ctx->verdict.kind != NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE) {
        for (i = 0; ngx_http_autodiscover_json_protocols[i].len; i++) {
            if (ctx->protocol.len
                == ngx_http_autodiscover_json_protocols[i].len
                && ngx_strncasecmp(ctx->protocol.data,
                                   ngx_http_autodiscover_json_protocols[i].data,
                                   ctx->protocol.len)
                   == 0)
            {
                break;
            }
        }

        url = ngx_http_autodiscover_json_url(ctx, i);

        /* the client's own spelling, as Exchange Online echoes it */

        ngx_http_autodiscover_out_literal(out, "{\"Protocol\":\"");
        ngx_http_autodiscover_out_json(out, &ctx->protocol);
        ngx_http_autodiscover_out_literal(out, "\",\"Url\":\"");
        ngx_http_autodiscover_out_json(out, url);
        ngx_http_autodiscover_out_literal(out, "\"}");
        return;
    }

    ngx_http_autodiscover_out_literal(out,
        "{\"ErrorCode\":\"InvalidProtocol\","
        "\"ErrorMessage\":\"The given protocol value '");
    ngx_http_autodiscover_out_json(out, &ctx->protocol);
    ngx_http_autodiscover_out_literal(out,
        "' is invalid. Supported values are '");

    n = 0;

    for (i = 0; ngx_http_autodiscover_json_protocols[i].len; i++) {
        if (ngx_http_autodiscover_json_url(ctx, i)->len == 0) {
            continue;
        }

        if (n++) {
            ngx_http_autodiscover_out_literal(out, ",");
        }

        ngx_http_autodiscover_out_json(out,
                                     &ngx_http_autodiscover_json_protocols[i]);
    }

    ngx_http_autodiscover_out_literal(out, "'\"}");
}


static void
ngx_http_autodiscover_json_error(ngx_http_autodiscover_out_t *out,
    char *code, ngx_str_t *message)
{
    ngx_str_t  s;

    s.data = (u_char *) code;
    s.len = ngx_strlen(code);

    ngx_http_autodiscover_out_literal(out, "{\"ErrorCode\":\"");
    ngx_http_autodiscover_out_json(out, &s);
    ngx_http_autodiscover_out_literal(out, "\",\"ErrorMessage\":\"");
    ngx_http_autodiscover_out_json(out, message);
    ngx_http_autodiscover_out_literal(out, "\"}");
}

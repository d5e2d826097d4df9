
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * Exchange ActiveSync: mobilesync/responseschema/2006 inside the
 * Autodiscover envelope (MS-ASCMD 2.2.3, 4.2)
 */


#define ngx_http_autodiscover_activesync_url(ctx)                             \
    (&(ctx)->service.str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_URL])


static ngx_str_t  ngx_http_autodiscover_activesync_error =
    ngx_string("ActiveSync is not available for this address.");


void
ngx_http_autodiscover_check_activesync(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    /* User/EMailAddress is required, a LegacyDN does not do */

    if (ctx->email.len == 0) {
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_INVALID;
        ctx->verdict.code = NGX_HTTP_AUTODISCOVER_E_INVALID;
        return;
    }

    /*
     * with no ActiveSync URL, a request in the mobilesync namespace gets
     * the schema's own error; one that only asked for the schema, 601,
     * and so does any when there is a fallback to ask instead
     */

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_SETTINGS
        && ngx_http_autodiscover_activesync_url(ctx)->len == 0
        && (ctx->request_ns != NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC
            || ctx->conf->fallback_uri.len))
    {
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_ERROR;
        ctx->verdict.code = NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER;
    }
}


void
ngx_http_autodiscover_render_activesync(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    const ngx_str_t                        *s, *url;
    const ngx_http_autodiscover_service_t  *svc;

    svc = &ctx->service;
    s = svc->str;
    url = ngx_http_autodiscover_activesync_url(ctx);

    ngx_http_autodiscover_out_literal(out,
        NGX_HTTP_AUTODISCOVER_ENVELOPE_OPEN
        "  <Response xmlns=\"" NGX_HTTP_AUTODISCOVER_NS
        "mobilesync/responseschema/2006\">\n");

    ngx_http_autodiscover_out_element(out, 2, "Culture",
                                      &s[NGX_HTTP_AUTODISCOVER_A_CULTURE]);

    ngx_http_autodiscover_out_tag(out, 2, "<User>");

    if (s[NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME].len) {
        ngx_http_autodiscover_out_element(out, 3, "DisplayName",
                                    &s[NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME]);
    }

    ngx_http_autodiscover_out_element(out, 3, "EMailAddress", &ctx->email);
    ngx_http_autodiscover_out_tag(out, 2, "</User>");

    ngx_http_autodiscover_out_tag(out, 2, "<Action>");

    if (svc->action == NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_ADDR) {
        ngx_http_autodiscover_out_element(out, 3, "Redirect",
                                   &s[NGX_HTTP_AUTODISCOVER_A_REDIRECT_ADDR]);

    } else if (url->len == 0) {
        ngx_http_autodiscover_out_tag(out, 3, "<Error>");
        ngx_http_autodiscover_out_number(out, 4, "Status", 2);
        ngx_http_autodiscover_out_element(out, 4, "Message",
                                      &ngx_http_autodiscover_activesync_error);
        ngx_http_autodiscover_out_tag(out, 4, "<DebugData />");
        ngx_http_autodiscover_out_number(out, 4, "ErrorCode", 601);
        ngx_http_autodiscover_out_tag(out, 3, "</Error>");

    } else {
        ngx_http_autodiscover_out_tag(out, 3, "<Settings>");
        ngx_http_autodiscover_out_tag(out, 4, "<Server>");
        ngx_http_autodiscover_out_tag(out, 5, "<Type>MobileSync</Type>");
        ngx_http_autodiscover_out_element(out, 5, "Url", url);
        ngx_http_autodiscover_out_element(out, 5, "Name",
                                 &s[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_NAME]);
        ngx_http_autodiscover_out_tag(out, 4, "</Server>");

        if (s[NGX_HTTP_AUTODISCOVER_A_CERTENROLL_URL].len) {
            ngx_http_autodiscover_out_tag(out, 4, "<Server>");
            ngx_http_autodiscover_out_tag(out, 5, "<Type>CertEnroll</Type>");
            ngx_http_autodiscover_out_element(out, 5, "Url",
                                  &s[NGX_HTTP_AUTODISCOVER_A_CERTENROLL_URL]);

            if (s[NGX_HTTP_AUTODISCOVER_A_CERTENROLL_TEMPLATE].len) {
                ngx_http_autodiscover_out_element(out, 5, "ServerData",
                             &s[NGX_HTTP_AUTODISCOVER_A_CERTENROLL_TEMPLATE]);
            }

            ngx_http_autodiscover_out_tag(out, 4, "</Server>");
        }

        ngx_http_autodiscover_out_tag(out, 3, "</Settings>");
    }

    ngx_http_autodiscover_out_literal(out,
        "    </Action>\n"
        "  </Response>\n"
        NGX_HTTP_AUTODISCOVER_ENVELOPE_CLOSE);
}


/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * Outlook POX: outlook/responseschema/2006a inside the Autodiscover
 * envelope (MS-OXDSCLI 2.2.4)
 */


static void ngx_http_autodiscover_outlook_protocol(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_proto_t *p);


static ngx_str_t  ngx_http_autodiscover_outlook_actions[] = {
    ngx_string("settings"),
    ngx_string("redirectUrl"),
    ngx_string("redirectAddr")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_outlook_actions,
                                  NGX_HTTP_AUTODISCOVER_ACTION_COUNT);


typedef struct {
    ngx_http_autodiscover_field_e   field;
    ngx_str_t                       open;
    ngx_str_t                       close;
} ngx_http_autodiscover_outlook_url_t;


#define ngx_http_autodiscover_outlook_url(field, name)                        \
    { NGX_HTTP_AUTODISCOVER_F_ ## field,                                      \
      ngx_string(NGX_HTTP_AUTODISCOVER_INDENT_4 "<" name ">"),                \
      ngx_string("</" name ">\n") }


static ngx_http_autodiscover_outlook_url_t
    ngx_http_autodiscover_outlook_urls[] =
{
    ngx_http_autodiscover_outlook_url(AS_URL, "ASUrl"),
    ngx_http_autodiscover_outlook_url(EWS_URL, "EwsUrl"),
    ngx_http_autodiscover_outlook_url(OOF_URL, "OOFUrl"),
    ngx_http_autodiscover_outlook_url(OAB_URL, "OABUrl")
};


#define ngx_http_autodiscover_outlook_set(p, f)                               \
    ((p)->num[NGX_HTTP_AUTODISCOVER_F_ ## f] != NGX_CONF_UNSET)


void
ngx_http_autodiscover_check_outlook(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    /*
     * settings without a protocol: "no configuration" for an Outlook
     * request, "no provider" for a request that only asked for the schema
     */

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_SETTINGS
        && ctx->service.protocols.nelts == 0)
    {
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_ERROR;
        ctx->verdict.code =
            (ctx->request_ns == NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK)
            ? NGX_HTTP_AUTODISCOVER_E_NO_SETTINGS
            : NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER;
    }
}


void
ngx_http_autodiscover_render_outlook(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                              i;
    const ngx_str_t                        *s;
    const ngx_http_autodiscover_proto_t    *p;
    const ngx_http_autodiscover_service_t  *svc;

    svc = &ctx->service;
    s = svc->str;

    ngx_http_autodiscover_out_literal(out,
        NGX_HTTP_AUTODISCOVER_ENVELOPE_OPEN
        "  <Response xmlns=\"" NGX_HTTP_AUTODISCOVER_NS
        "outlook/responseschema/2006a\">\n");

    if (svc->action == NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS
        && s[NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME].len)
    {
        ngx_http_autodiscover_out_tag(out, 2, "<User>");
        ngx_http_autodiscover_out_element(out, 3, "DisplayName",
                                    &s[NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME]);
        ngx_http_autodiscover_out_tag(out, 2, "</User>");
    }

    ngx_http_autodiscover_out_tag(out, 2, "<Account>");
    ngx_http_autodiscover_out_element(out, 3, "AccountType",
                                    &s[NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE]);
    ngx_http_autodiscover_out_element(out, 3, "Action",
                           &ngx_http_autodiscover_outlook_actions[svc->action]);

    switch (svc->action) {

    case NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_URL:
        ngx_http_autodiscover_out_element(out, 3, "RedirectUrl",
                                    &s[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL]);
        break;

    case NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_ADDR:
        ngx_http_autodiscover_out_element(out, 3, "RedirectAddr",
                                   &s[NGX_HTTP_AUTODISCOVER_A_REDIRECT_ADDR]);
        break;

    default: /* NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS */

        if (s[NGX_HTTP_AUTODISCOVER_A_IMAGE].len) {
            ngx_http_autodiscover_out_element(out, 3, "Image",
                                          &s[NGX_HTTP_AUTODISCOVER_A_IMAGE]);
        }

        if (s[NGX_HTTP_AUTODISCOVER_A_SERVICE_HOME].len) {
            ngx_http_autodiscover_out_element(out, 3, "ServiceHome",
                                    &s[NGX_HTTP_AUTODISCOVER_A_SERVICE_HOME]);
        }

        p = svc->protocols.elts;

        for (i = 0; i < svc->protocols.nelts; i++) {

            /* JMAP has no Outlook entry that any client reads */

            if (p[i].num[NGX_HTTP_AUTODISCOVER_F_TYPE]
                != NGX_HTTP_AUTODISCOVER_JMAP)
            {
                ngx_http_autodiscover_outlook_protocol(out, &p[i]);
            }
        }
    }

    ngx_http_autodiscover_out_literal(out,
        "    </Account>\n"
        "  </Response>\n"
        NGX_HTTP_AUTODISCOVER_ENVELOPE_CLOSE);
}


/* a protocol's Outlook entry, rendered now with the holes in p */

ngx_int_t
ngx_http_autodiscover_outlook_template(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_http_autodiscover_proto_t *p)
{
    return ngx_http_autodiscover_make_template(cf,
                                       ngx_http_autodiscover_outlook_protocol,
                                       p, &pc->outlook);
}


static void
ngx_http_autodiscover_outlook_protocol(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_proto_t *p)
{
    ngx_str_t                             tls;
    ngx_uint_t                            i;
    const ngx_str_t                      *s;
    const int32_t                        *n;
    ngx_http_autodiscover_outlook_url_t  *u;

    s = p->str;
    n = p->num;

    /* rendered with the configuration, when every hole has its value */

    if (p->conf != NULL
        && ngx_http_autodiscover_out_template(out, p->conf->outlook, p)
           == NGX_OK)
    {
        return;
    }

    ngx_http_autodiscover_out_tag(out, 3, "<Protocol>");
    ngx_http_autodiscover_out_element(out, 4, "Type",
                                      &s[NGX_HTTP_AUTODISCOVER_F_TYPE]);

    if (ngx_http_autodiscover_outlook_set(p, EXPIRES)) {
        ngx_http_autodiscover_out_number(out, 4, "ExpirationDate",
                                         n[NGX_HTTP_AUTODISCOVER_F_EXPIRES]);
    }

    if (ngx_http_autodiscover_outlook_set(p, TTL)) {
        ngx_http_autodiscover_out_number(out, 4, "TTL",
                                         n[NGX_HTTP_AUTODISCOVER_F_TTL]);
    }

    /*
     * CalDAV and CardDAV as eM Client reads them, and as mailcow and
     * automx2 write them: the URL as the Server, no Port; Outlook and
     * Thunderbird skip a Type they do not know
     */

    if (ngx_http_autodiscover_url_type(n[NGX_HTTP_AUTODISCOVER_F_TYPE])) {
        ngx_http_autodiscover_out_element(out, 4, "Server",
                                          &s[NGX_HTTP_AUTODISCOVER_F_URL]);

    } else {
        ngx_http_autodiscover_out_element(out, 4, "Server",
                                          &s[NGX_HTTP_AUTODISCOVER_F_SERVER]);
    }

    if (ngx_http_autodiscover_outlook_set(p, PORT)
        && !ngx_http_autodiscover_url_type(n[NGX_HTTP_AUTODISCOVER_F_TYPE]))
    {
        ngx_http_autodiscover_out_number(out, 4, "Port",
                                         n[NGX_HTTP_AUTODISCOVER_F_PORT]);
    }

    ngx_http_autodiscover_out_flag(out, 4, "DomainRequired",
                                   n[NGX_HTTP_AUTODISCOVER_F_DOMAIN_REQUIRED]);

    if (s[NGX_HTTP_AUTODISCOVER_F_LOGIN].len) {
        ngx_http_autodiscover_out_element(out, 4, "LoginName",
                                          &s[NGX_HTTP_AUTODISCOVER_F_LOGIN]);
    }

    if (s[NGX_HTTP_AUTODISCOVER_F_DOMAIN_NAME].len) {
        ngx_http_autodiscover_out_element(out, 4, "DomainName",
                                    &s[NGX_HTTP_AUTODISCOVER_F_DOMAIN_NAME]);
    }

    ngx_http_autodiscover_out_flag(out, 4, "SPA",
                                   n[NGX_HTTP_AUTODISCOVER_F_SPA]);

    /*
     * implicit TLS: SSL on; STARTTLS: SSL on and Encryption TLS; none:
     * SSL off -- read the same way by Outlook and Thunderbird
     */

    ngx_http_autodiscover_out_flag(out, 4, "SSL",
                                   n[NGX_HTTP_AUTODISCOVER_F_TLS]
                                   != NGX_HTTP_AUTODISCOVER_TLS_NONE);

    if (n[NGX_HTTP_AUTODISCOVER_F_TLS] == NGX_HTTP_AUTODISCOVER_TLS_STARTTLS) {
        ngx_str_set(&tls, "TLS");
        ngx_http_autodiscover_out_element(out, 4, "Encryption", &tls);
    }

    ngx_http_autodiscover_out_flag(out, 4, "AuthRequired",
                                   n[NGX_HTTP_AUTODISCOVER_F_AUTH_REQUIRED]);

    if (ngx_http_autodiscover_outlook_set(p, POPAUTH)) {
        ngx_http_autodiscover_out_flag(out, 4, "UsePOPAuth",
                                       n[NGX_HTTP_AUTODISCOVER_F_POPAUTH]);
    }

    if (ngx_http_autodiscover_outlook_set(p, SMTP_LAST)) {
        ngx_http_autodiscover_out_flag(out, 4, "SMTPLast",
                                       n[NGX_HTTP_AUTODISCOVER_F_SMTP_LAST]);
    }

    for (i = 0;
         i < sizeof(ngx_http_autodiscover_outlook_urls)
             / sizeof(ngx_http_autodiscover_outlook_url_t);
         i++)
    {
        u = &ngx_http_autodiscover_outlook_urls[i];

        if (s[u->field].len) {
            ngx_http_autodiscover_out_element_n(out, u->open.data,
                                                u->open.len, u->close.data,
                                                u->close.len, &s[u->field]);
        }
    }

    ngx_http_autodiscover_out_tag(out, 3, "</Protocol>");
}

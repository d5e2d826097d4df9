
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/sha.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * PACC (draft-ietf-mailmaint-pacc, as Stalwart serves it): the user
 * agent configuration document at
 * https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json
 * and the DNS TXT record that vouches for it,
 * _ua-auto-config.<domain>. TXT "v=UAAC1; a=sha256; d=<Base64 of the
 * SHA-256 of the exact body>", in $autodiscover_pacc_digest.
 *
 * The document names hosts for IMAP, POP3 and SMTP only with implicit
 * TLS on their standard ports (993, 995, 465), the only way PACC has;
 * JMAP, CalDAV and CardDAV by their URLs. The first protocol of each
 * kind is taken.
 */


typedef struct {
    ngx_http_autodiscover_type_e   type;
    ngx_str_t                      key;    /* "imap":{"host": */
    int32_t                        port;   /* the only one PACC has */
} ngx_http_autodiscover_pacc_kind_t;


static const ngx_http_autodiscover_proto_t *ngx_http_autodiscover_pacc_proto(
    const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_pacc_kind_t *kind);
static ngx_uint_t ngx_http_autodiscover_pacc_password(
    const ngx_http_autodiscover_ctx_t *ctx);


static ngx_http_autodiscover_pacc_kind_t  ngx_http_autodiscover_pacc_kinds[]
    = {
    { NGX_HTTP_AUTODISCOVER_JMAP, ngx_string("\"jmap\":{\"url\":\""), 0 },
    { NGX_HTTP_AUTODISCOVER_IMAP, ngx_string("\"imap\":{\"host\":\""), 993 },
    { NGX_HTTP_AUTODISCOVER_POP3, ngx_string("\"pop3\":{\"host\":\""), 995 },
    { NGX_HTTP_AUTODISCOVER_SMTP, ngx_string("\"smtp\":{\"host\":\""), 465 },
    { NGX_HTTP_AUTODISCOVER_CALDAV, ngx_string("\"caldav\":{\"url\":\""), 0 },
    { NGX_HTTP_AUTODISCOVER_CARDDAV, ngx_string("\"carddav\":{\"url\":\""),
      0 }
};


#define ngx_http_autodiscover_pacc_nkinds                                     \
    (sizeof(ngx_http_autodiscover_pacc_kinds)                                 \
     / sizeof(ngx_http_autodiscover_pacc_kind_t))


/* a document needs a protocol PACC can name */

void
ngx_http_autodiscover_check_pacc(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t  i;

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_SETTINGS) {
        for (i = 0; i < ngx_http_autodiscover_pacc_nkinds; i++) {
            if (ngx_http_autodiscover_pacc_proto(ctx,
                                         &ngx_http_autodiscover_pacc_kinds[i])
                != NULL)
            {
                return;
            }
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "autodiscover: nothing PACC can say (or a redirect) for "
                  "domain \"%V\"", &ctx->domain);

    ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE;
}


void
ngx_http_autodiscover_render_pacc(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                                i, n;
    const ngx_str_t                          *s, *issuer;
    const ngx_http_autodiscover_proto_t      *p;
    const ngx_http_autodiscover_pacc_kind_t  *k;

    s = ctx->service.str;

    ngx_http_autodiscover_out_literal(out, "{\"protocols\":{");

    n = 0;

    for (i = 0; i < ngx_http_autodiscover_pacc_nkinds; i++) {
        k = &ngx_http_autodiscover_pacc_kinds[i];
        p = ngx_http_autodiscover_pacc_proto(ctx, k);

        if (p == NULL) {
            continue;
        }

        if (n++) {
            ngx_http_autodiscover_out_literal(out, ",");
        }

        ngx_http_autodiscover_out_raw(out, k->key.data, k->key.len);
        ngx_http_autodiscover_out_json(out,
                              &p->str[k->port ? NGX_HTTP_AUTODISCOVER_F_SERVER
                                              : NGX_HTTP_AUTODISCOVER_F_URL]);
        ngx_http_autodiscover_out_literal(out, "\"}");
    }

    ngx_http_autodiscover_out_literal(out, "},\"authentication\":{");

    issuer = &s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_ISSUER];

    if (issuer->len) {

        /* an https URL; autoconfig's sample writes a bare host */

        ngx_http_autodiscover_out_literal(out,
                                          "\"oauth-public\":{\"issuer\":\"");

        if (issuer->len < sizeof("https://") - 1
            || ngx_strncasecmp(issuer->data, (u_char *) "https://",
                               sizeof("https://") - 1)
               != 0)
        {
            ngx_http_autodiscover_out_literal(out, "https://");
        }

        ngx_http_autodiscover_out_json(out, issuer);
        ngx_http_autodiscover_out_literal(out, "\"},");
    }

    if (ngx_http_autodiscover_pacc_password(ctx)) {
        ngx_http_autodiscover_out_literal(out, "\"password\":true}");

    } else {
        ngx_http_autodiscover_out_literal(out, "\"password\":false}");
    }

    ngx_http_autodiscover_out_literal(out,
                                      ",\"info\":{\"provider\":{\"name\":\"");
    ngx_http_autodiscover_out_json(out,
                                   s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME].len
                                   ? &s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME]
                                   : &ctx->domain);
    ngx_http_autodiscover_out_literal(out, "\"");

    if (s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_SHORT_NAME].len) {
        ngx_http_autodiscover_out_literal(out, ",\"shortName\":\"");
        ngx_http_autodiscover_out_json(out,
                              &s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_SHORT_NAME]);
        ngx_http_autodiscover_out_literal(out, "\"");
    }

    ngx_http_autodiscover_out_literal(out, "}");

    if (s[NGX_HTTP_AUTODISCOVER_A_DOCUMENTATION_URL].len) {
        ngx_http_autodiscover_out_literal(out,
                                          ",\"help\":{\"documentation\":\"");
        ngx_http_autodiscover_out_json(out,
                                &s[NGX_HTTP_AUTODISCOVER_A_DOCUMENTATION_URL]);
        ngx_http_autodiscover_out_literal(out, "\"}");
    }

    ngx_http_autodiscover_out_literal(out, "}}");
}


/* the first protocol of a kind, and only in the form PACC can name */

static const ngx_http_autodiscover_proto_t *
ngx_http_autodiscover_pacc_proto(const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_pacc_kind_t *kind)
{
    ngx_uint_t                            i;
    const ngx_http_autodiscover_proto_t  *p;

    p = ctx->service.protocols.elts;

    for (i = 0; i < ctx->service.protocols.nelts; i++) {
        if (p[i].num[NGX_HTTP_AUTODISCOVER_F_TYPE] != (int32_t) kind->type) {
            continue;
        }

        if (kind->port == 0) {
            return &p[i];
        }

        return (p[i].num[NGX_HTTP_AUTODISCOVER_F_TLS]
                == NGX_HTTP_AUTODISCOVER_TLS_SSL
                && p[i].num[NGX_HTTP_AUTODISCOVER_F_PORT] == kind->port)
               ? &p[i] : NULL;
    }

    return NULL;
}


/* does a protocol the document names take a password */

static ngx_uint_t
ngx_http_autodiscover_pacc_password(const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                             auth;
    ngx_uint_t                            i, k;
    const ngx_http_autodiscover_proto_t  *p;

    for (k = 0; k < ngx_http_autodiscover_pacc_nkinds; k++) {
        p = ngx_http_autodiscover_pacc_proto(ctx,
                                         &ngx_http_autodiscover_pacc_kinds[k]);
        if (p == NULL) {
            continue;
        }

        for (i = 0; i < NGX_HTTP_AUTODISCOVER_AUTHS; i++) {
            auth = ngx_http_autodiscover_auth_at(
                                     p->num[NGX_HTTP_AUTODISCOVER_F_AUTH], i);

            if (auth == NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT
                || auth == NGX_HTTP_AUTODISCOVER_AUTH_ENCRYPTED)
            {
                return 1;
            }
        }
    }

    return 0;
}


/* any origin may read it: it is public */

ngx_int_t
ngx_http_autodiscover_headers_pacc(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Access-Control-Allow-Origin");
    ngx_str_set(&h->value, "*");

    return NGX_OK;
}


/* the TXT record's value for exactly these bytes */

ngx_int_t
ngx_http_autodiscover_finish_pacc(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body)
{
    u_char     *p;
    u_char      md[SHA256_DIGEST_LENGTH];
    ngx_str_t   digest, b64;

    SHA256(body->data, body->len, md);

    digest.data = md;
    digest.len = SHA256_DIGEST_LENGTH;

    p = ngx_pnalloc(r->pool, sizeof("v=UAAC1; a=sha256; d=") - 1
                             + ngx_base64_encoded_length(digest.len));
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->pacc_digest.data = p;
    p = ngx_cpymem(p, "v=UAAC1; a=sha256; d=",
                   sizeof("v=UAAC1; a=sha256; d=") - 1);

    b64.data = p;
    ngx_encode_base64(&b64, &digest);

    ctx->pacc_digest.len = p - ctx->pacc_digest.data + b64.len;

    return NGX_OK;
}

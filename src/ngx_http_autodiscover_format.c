
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * The format table: for every format, how its request is read, the
 * decision rules it follows, its own check of what it can say, and how
 * each verdict is answered (an HTTP status, and the renderer of the
 * document, if any); each directive that makes a location answer points
 * at its entry.  ngx_http_autodiscover_respond() answers a verdict as
 * the entry says; the renderers only render bytes.
 */


static ngx_int_t ngx_http_autodiscover_send_redirect(ngx_http_request_t *r,
    ngx_str_t *location, ngx_uint_t status);
static ngx_int_t ngx_http_autodiscover_send_body(ngx_http_request_t *r,
    const ngx_http_autodiscover_format_t *fmt, ngx_uint_t status,
    ngx_str_t *body);


/*
 * the answers of the endpoints a client only GETs: a document for what
 * the format says, a bare status for the rest
 */

#define ngx_http_autodiscover_get_answers(render, unavailable, unavailable_r, \
                                          invalid, invalid_r, error, error_r, \
                                          redirect)                           \
    {   { NGX_HTTP_OK, render },                  /* SETTINGS */              \
        { NGX_HTTP_OK, render },                  /* REDIRECT_URL */          \
        { NGX_HTTP_OK, render },                  /* REDIRECT_ADDR */         \
        { redirect, NULL },                       /* REDIRECT_HTTP */         \
        { unavailable, unavailable_r },           /* UNAVAILABLE */           \
        { invalid, invalid_r },                   /* INVALID */               \
        { error, error_r },                       /* ERROR */                 \
        { NGX_HTTP_NOT_FOUND, NULL },             /* NOT_SERVED */            \
        { NGX_HTTP_NOT_ALLOWED, NULL },           /* NOT_ALLOWED */           \
        { NGX_HTTP_INTERNAL_SERVER_ERROR, NULL }, /* FALLBACK: none */        \
        { NGX_HTTP_OK, NULL } }                   /* RELAYED */

/*
 * Outlook's and ActiveSync's: every error is an Autodiscover error
 * document, which clients read with a 200
 */

#define ngx_http_autodiscover_pox_answers(render)                             \
    ngx_http_autodiscover_get_answers(render,                                 \
        NGX_HTTP_NOT_FOUND, NULL,                                             \
        NGX_HTTP_OK, ngx_http_autodiscover_render_error,                      \
        NGX_HTTP_OK, ngx_http_autodiscover_render_error,                      \
        NGX_HTTP_MOVED_TEMPORARILY)

/* the other formats': a status alone, as a client of theirs expects */

#define ngx_http_autodiscover_bare_answers(render)                            \
    ngx_http_autodiscover_get_answers(render,                                 \
        NGX_HTTP_NOT_FOUND, NULL,                                             \
        NGX_HTTP_BAD_REQUEST, NULL,                                           \
        NGX_HTTP_INTERNAL_SERVER_ERROR, NULL,                                 \
        NGX_HTTP_MOVED_TEMPORARILY)


ngx_http_autodiscover_format_t  ngx_http_autodiscover_formats[] = {

    /* "autodiscover": Outlook's POX, and the format of its errors */

    { ngx_string("pox"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK,
      ngx_http_autodiscover_read_args,
      NGX_HTTP_AUTODISCOVER_RULE_BODY
      |NGX_HTTP_AUTODISCOVER_RULE_BY_SCHEMA
      |NGX_HTTP_AUTODISCOVER_RULE_FALLBACK
      |NGX_HTTP_AUTODISCOVER_RULE_NOT_SERVED
      |NGX_HTTP_AUTODISCOVER_RULE_REDIRECT_MODE,
      ngx_http_autodiscover_check_outlook,
      ngx_http_autodiscover_prepare_error,
      NULL,
      NULL,
      ngx_null_string,
      ngx_string("autodiscover."),
      ngx_string("text/xml"), 0,
      ngx_http_autodiscover_pox_answers(ngx_http_autodiscover_render_outlook) },

    /* the same endpoint asked for mobilesync: no redirectUrl but a 302 */

    { ngx_string("activesync"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC,
      ngx_http_autodiscover_read_args,
      NGX_HTTP_AUTODISCOVER_RULE_BODY
      |NGX_HTTP_AUTODISCOVER_RULE_BY_SCHEMA
      |NGX_HTTP_AUTODISCOVER_RULE_FALLBACK
      |NGX_HTTP_AUTODISCOVER_RULE_NOT_SERVED
      |NGX_HTTP_AUTODISCOVER_RULE_302,
      ngx_http_autodiscover_check_activesync,
      ngx_http_autodiscover_prepare_error,
      NULL,
      NULL,
      ngx_null_string,
      ngx_string("autodiscover."),
      ngx_string("text/xml"), 0,
      ngx_http_autodiscover_pox_answers(
          ngx_http_autodiscover_render_activesync) },

    /* "autodiscover_json": Autodiscover v2, errors as Exchange's JSON */

    { ngx_string("json"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_JSON,
      ngx_http_autodiscover_read_json_request,
      NGX_HTTP_AUTODISCOVER_RULE_URLS,
      ngx_http_autodiscover_check_json,
      NULL,
      NULL,
      NULL,
      ngx_null_string,
      ngx_string("autodiscover."),
      ngx_string("application/json"), 0,
      ngx_http_autodiscover_get_answers(ngx_http_autodiscover_render_json,
          NGX_HTTP_BAD_REQUEST, ngx_http_autodiscover_render_json,
          NGX_HTTP_BAD_REQUEST, ngx_http_autodiscover_render_json,
          NGX_HTTP_INTERNAL_SERVER_ERROR,
          ngx_http_autodiscover_render_json,
          NGX_HTTP_MOVED_TEMPORARILY) },

    /* "autodiscover_autoconfig": Thunderbird's config-v1.1.xml */

    { ngx_string("autoconfig"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG,
      ngx_http_autodiscover_read_autoconfig_request,
      0,
      ngx_http_autodiscover_check_autoconfig,
      NULL,
      NULL,
      NULL,
      ngx_string("autoconfig."),
      ngx_string("autoconfig."),
      ngx_string("text/xml"), 0,
      ngx_http_autodiscover_bare_answers(
          ngx_http_autodiscover_render_autoconfig) },

    /* "autodiscover_mobileconfig": an Apple profile, signed or not */

    { ngx_string("mobileconfig"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG,
      ngx_http_autodiscover_read_mobileconfig_request,
      0,
      ngx_http_autodiscover_check_apple,
      ngx_http_autodiscover_prepare_apple,
      ngx_http_autodiscover_finish_apple,
      ngx_http_autodiscover_headers_apple,
      ngx_null_string,
      ngx_null_string,
      ngx_string("application/x-apple-aspen-config"), 1,
      ngx_http_autodiscover_bare_answers(
          ngx_http_autodiscover_render_apple) },

    /* "autodiscover_http_redirect": the plain-HTTP endpoint, a 302 only */

    { ngx_string("http_redirect"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_NONE,
      ngx_http_autodiscover_read_nothing,
      NGX_HTTP_AUTODISCOVER_RULE_HTTP_REDIRECT,
      NULL,
      NULL,
      NULL,
      NULL,
      ngx_null_string,
      ngx_string("autodiscover."),
      ngx_string("text/html"), 0,
      ngx_http_autodiscover_bare_answers(NULL) },

    /*
     * "autodiscover_well_known": /.well-known/caldav, carddav (RFC 6764)
     * and jmap (RFC 8620), every method redirected to the configured URL
     * for the Host's domain, never a 2xx
     */

    { ngx_string("well_known"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_NONE,
      ngx_http_autodiscover_read_host,
      0,
      ngx_http_autodiscover_check_well_known,
      NULL,
      NULL,
      NULL,
      ngx_null_string,
      ngx_string(""),
      ngx_string("text/html"), 0,
      ngx_http_autodiscover_get_answers(NULL,
          NGX_HTTP_NOT_FOUND, NULL,
          NGX_HTTP_BAD_REQUEST, NULL,
          NGX_HTTP_INTERNAL_SERVER_ERROR, NULL,
          NGX_HTTP_MOVED_PERMANENTLY) },

    /*
     * "autodiscover_pacc": the user agent configuration document of
     * draft-ietf-mailmaint-pacc on ua-auto-config.<domain>
     */

    { ngx_string("pacc"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_NONE,
      ngx_http_autodiscover_read_host,
      0,
      ngx_http_autodiscover_check_pacc,
      NULL,
      ngx_http_autodiscover_finish_pacc,
      ngx_http_autodiscover_headers_pacc,
      ngx_string("ua-auto-config."),
      ngx_string("ua-auto-config."),
      ngx_string("application/json"), 0,
      ngx_http_autodiscover_bare_answers(ngx_http_autodiscover_render_pacc) },

    /*
     * "autodiscover_records": the DNS records a domain needs, for an
     * admin location; ?format=json picks the second entry
     */

    { ngx_string("records"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_NONE,
      ngx_http_autodiscover_read_records_request,
      0,
      NULL,
      ngx_http_autodiscover_prepare_records,
      NULL,
      NULL,
      ngx_null_string,
      ngx_null_string,
      ngx_string("text/plain"), 0,
      ngx_http_autodiscover_bare_answers(
          ngx_http_autodiscover_render_zone) },

    { ngx_string("records_json"),
      NGX_HTTP_AUTODISCOVER_SCHEMA_NONE,
      ngx_http_autodiscover_read_records_request,
      0,
      NULL,
      ngx_http_autodiscover_prepare_records,
      NULL,
      NULL,
      ngx_null_string,
      ngx_null_string,
      ngx_string("application/json"), 0,
      ngx_http_autodiscover_bare_answers(
          ngx_http_autodiscover_render_records_json) }
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_formats,
                                  NGX_HTTP_AUTODISCOVER_FMT_COUNT);


/* the format of an endpoint that follows the schema asked for */

const ngx_http_autodiscover_format_t *
ngx_http_autodiscover_format_for(ngx_http_autodiscover_schema_e schema)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_FMT_COUNT; i++) {
        if ((ngx_http_autodiscover_formats[i].rules
             & NGX_HTTP_AUTODISCOVER_RULE_BY_SCHEMA)
            && ngx_http_autodiscover_formats[i].schema == schema)
        {
            return &ngx_http_autodiscover_formats[i];
        }
    }

    return NULL;
}


/*
 * answers ctx->verdict in ctx->format: what the content handler returns
 * (a status for nginx to send, or what the output filters said)
 */

ngx_int_t
ngx_http_autodiscover_respond(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                              rc;
    ngx_table_elt_t                       *h;
    const ngx_http_autodiscover_answer_t  *a;
    const ngx_http_autodiscover_format_t  *fmt;

    fmt = ctx->format;
    a = &fmt->answer[ctx->verdict.kind];

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: answer %V in \"%V\", status %ui",
                   &ngx_http_autodiscover_verdict_names[ctx->verdict.kind],
                   &fmt->name, a->status);

    switch (ctx->verdict.kind) {

    case NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP:
        return ngx_http_autodiscover_send_redirect(r, &ctx->verdict.target,
                                                   a->status);

    case NGX_HTTP_AUTODISCOVER_V_RELAYED:
        return ngx_http_autodiscover_send_body(r, fmt, a->status,
                                               &ctx->verdict.target);

    case NGX_HTTP_AUTODISCOVER_V_NOT_ALLOWED:

        /* an endpoint that takes a POST, asked without an address */

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "POST");

        return NGX_HTTP_NOT_ALLOWED;

    default:
        break;
    }

    if (a->render == NULL) {
        return a->status;
    }

    if (fmt->prepare != NULL) {
        rc = fmt->prepare(r, ctx);

        if (rc == NGX_DONE) {
            /* it looks something up, and answers when it knows */
            return NGX_DONE;
        }

        if (rc != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_autodiscover_answer(r, ctx);
}


/* the prepared verdict, rendered and sent */

ngx_int_t
ngx_http_autodiscover_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t                              body;
    const ngx_http_autodiscover_answer_t  *a;
    const ngx_http_autodiscover_format_t  *fmt;

    fmt = ctx->format;
    a = &fmt->answer[ctx->verdict.kind];

    if (ngx_http_autodiscover_render(r, ctx, a->render, &body) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->verdict.kind <= NGX_HTTP_AUTODISCOVER_V_REDIRECT_ADDR) {

        if (fmt->finish != NULL && fmt->finish(r, ctx, &body) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (fmt->headers != NULL && fmt->headers(r, ctx) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_autodiscover_send_body(r, fmt, a->status, &body);
}


/* the headers, then the body as it is */

static ngx_int_t
ngx_http_autodiscover_send_body(ngx_http_request_t *r,
    const ngx_http_autodiscover_format_t *fmt, ngx_uint_t status,
    ngx_str_t *body)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;
    r->headers_out.content_length_n = body->len;
    r->headers_out.content_type = fmt->content_type;
    r->headers_out.content_type_len = fmt->content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    if (!fmt->binary) {
        ngx_str_set(&r->headers_out.charset, "utf-8");
    }

    r->allow_ranges = 0;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = body->data;
    b->last = body->data + body->len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* an HTTP redirect, 301 or 302, to an absolute URL */

static ngx_int_t
ngx_http_autodiscover_send_redirect(ngx_http_request_t *r,
    ngx_str_t *location, ngx_uint_t status)
{
    ngx_http_clear_location(r);

    r->headers_out.location = ngx_list_push(&r->headers_out.headers);
    if (r->headers_out.location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.location->hash = 1;
    ngx_str_set(&r->headers_out.location->key, "Location");
    r->headers_out.location->value = *location;

    return status;
}


/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


static ngx_int_t ngx_http_autodiscover_unescape(ngx_http_request_t *r,
    ngx_str_t *value);
static ngx_int_t ngx_http_autodiscover_check_domain(u_char *p, u_char *last);
static ngx_int_t ngx_http_autodiscover_set_domain(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *domain);


#define NGX_HTTP_AUTODISCOVER_NS_PREFIX                                       \
    "schemas.microsoft.com/exchange/autodiscover/"


static ngx_str_t  ngx_http_autodiscover_schemas[] = {
    ngx_null_string,
    ngx_string("http://" NGX_HTTP_AUTODISCOVER_NS_PREFIX
               "outlook/responseschema/2006a"),
    ngx_string("http://" NGX_HTTP_AUTODISCOVER_NS_PREFIX
               "mobilesync/responseschema/2006"),
    ngx_null_string,  /* Autodiscover v2 has no schema */
    ngx_string("http://autoconfig.thunderbird.net/config-v1.1"),
    ngx_string("http://www.apple.com/DTDs/PropertyList-1.0.dtd"),
    ngx_null_string   /* unknown: the client's own value */
};


static ngx_str_t  ngx_http_autodiscover_unloggable = ngx_string("(...)");

static u_char  ngx_http_autodiscover_hex[] = "0123456789abcdef";


/* "email" and "local part" characters other than letters and digits */

static uint32_t  ngx_http_autodiscover_atext[] = {
    0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */

                /* ?>=< ;:98 7654 3210  /.-, +*)( '&%$ #"!  */
    0xa3ffecfa, /* 1010 0011 1111 1111  1110 1100 1111 1010 */

                /* _^]\ [ZYX WVUT SRQP  ONML KJIH GFED CBA@ */
    0xc7fffffe, /* 1100 0111 1111 1111  1111 1111 1111 1110 */

                /*  ~}| {zyx wvut srqp  onml kjih gfed cba` */
    0x7fffffff, /* 0111 1111 1111 1111  1111 1111 1111 1111 */

    0x00000000,
    0x00000000,
    0x00000000,
    0x00000000
};


/*
 * collects the request body however nginx stored it: one buffer (used in
 * place), several buffers, or a temporary file; NGX_DECLINED when it is
 * larger than autodiscover_max_body
 */

ngx_int_t
ngx_http_autodiscover_read_body(ngx_http_request_t *r, ngx_str_t *body)
{
    off_t                              len, size;
    u_char                            *p;
    ssize_t                            n;
    ngx_buf_t                         *b;
    ngx_chain_t                       *cl;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_autodiscover_module);

    body->len = 0;
    body->data = NULL;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > (off_t) alcf->max_body) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent too large request body: "
                      "%O bytes, autodiscover_max_body is %uz",
                      len, alcf->max_body);
        return NGX_DECLINED;
    }

    cl = r->request_body->bufs;

    if (cl->next == NULL && !cl->buf->in_file) {
        body->data = cl->buf->pos;
        body->len = cl->buf->last - cl->buf->pos;
        return NGX_OK;
    }

    body->data = ngx_pnalloc(r->pool, (size_t) len + 1);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    p = body->data;

    for ( /* void */ ; cl; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) size, b->file_pos);

            if (n == NGX_ERROR) {
                return NGX_ERROR;
            }

            if (n != size) {
                ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                              "autodiscover: read only %z of %O bytes "
                              "from \"%V\"", n, size, &b->file->name);
                return NGX_ERROR;
            }

            p += n;

        } else if (size) {
            p = ngx_cpymem(p, b->pos, size);
        }
    }

    body->len = p - body->data;

    return NGX_OK;
}


/*
 * GET for people testing from a browser or curl: "?email=ADDR", or
 * "?<EMailAddress>ADDR</EMailAddress>"; NGX_DECLINED when neither is there
 */

ngx_int_t
ngx_http_autodiscover_read_args(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    size_t     open, close;
    ngx_str_t  value;

    ngx_http_autodiscover_use_schema(ctx, NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK);
    ctx->request_ns = NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK;

    if (ngx_http_arg(r, (u_char *) "email", 5, &value) != NGX_OK) {

        value = r->args;

        if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
            return NGX_ERROR;
        }

        open = sizeof("<EMailAddress>") - 1;
        close = sizeof("</EMailAddress>") - 1;

        if (value.len < open + close
            || ngx_strncmp(value.data, "<EMailAddress>", open) != 0
            || ngx_strncmp(value.data + value.len - close, "</EMailAddress>",
                           close)
               != 0)
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: no address in the query string");
            return NGX_DECLINED;
        }

        value.data += open;
        value.len -= open + close;

        return ngx_http_autodiscover_set_address(r, ctx, &value);
    }

    if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_autodiscover_set_address(r, ctx, &value);
}


/*
 * Autodiscover v2: GET .../autodiscover.json/v1.0/ADDR?Protocol=P or
 * GET .../autodiscover.json?Email=ADDR&Protocol=P; NGX_DECLINED when the
 * address is missing or invalid
 */

ngx_int_t
ngx_http_autodiscover_read_json_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    u_char     *p, *last;
    ngx_str_t   value;

    ngx_http_autodiscover_use_schema(ctx, NGX_HTTP_AUTODISCOVER_SCHEMA_JSON);
    ctx->request_ns = NGX_HTTP_AUTODISCOVER_SCHEMA_JSON;

    if (ngx_http_arg(r, (u_char *) "Protocol", 8, &value) == NGX_OK) {
        if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
            return NGX_ERROR;
        }

        /* it is echoed: a value no client sends is not */

        if (value.len > NGX_HTTP_AUTODISCOVER_MAX_PROTOCOL
            || ngx_http_autodiscover_check_text(&value) != NGX_OK)
        {
            value.len = 0;
        }

        ctx->protocol = value;
    }

    /* the path is already percent-decoded by nginx */

    last = r->uri.data + r->uri.len;
    p = ngx_strlcasestrn(r->uri.data, last, (u_char *) "/v1.0/",
                         sizeof("/v1.0/") - 2);

    if (p != NULL) {
        value.data = p + sizeof("/v1.0/") - 1;
        value.len = last - value.data;

    } else if (ngx_http_arg(r, (u_char *) "Email", 5, &value) == NGX_OK) {
        if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
            return NGX_ERROR;
        }

    } else {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no address in the request");
        return NGX_DECLINED;
    }

    return ngx_http_autodiscover_set_address(r, ctx, &value);
}


/*
 * Thunderbird autoconfig: ?emailaddress=ADDR, which Thunderbird for
 * Android leaves out and Evolution sends as EVOLUTIONUSER@domain; without
 * an address the domain is the Host's, less "autoconfig.", and the
 * address variables hold Thunderbird's placeholders
 */

ngx_int_t
ngx_http_autodiscover_read_autoconfig_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t  value;

    ngx_http_autodiscover_use_schema(ctx,
                                     NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG);
    ctx->request_ns = NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG;

    if (ngx_http_arg(r, (u_char *) "emailaddress", 12, &value) == NGX_OK
        && value.len)
    {
        if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
            return NGX_ERROR;
        }

        if (value.len > sizeof("EVOLUTIONUSER@") - 1
            && ngx_strncasecmp(value.data, (u_char *) "EVOLUTIONUSER@",
                               sizeof("EVOLUTIONUSER@") - 1)
               == 0)
        {
            value.data += sizeof("EVOLUTIONUSER@") - 1;
            value.len -= sizeof("EVOLUTIONUSER@") - 1;

            return ngx_http_autodiscover_set_domain(r, ctx, &value);
        }

        return ngx_http_autodiscover_set_address(r, ctx, &value);
    }

    value = r->headers_in.server;

    if (value.len > sizeof("autoconfig.") - 1
        && ngx_strncmp(value.data, "autoconfig.", sizeof("autoconfig.") - 1)
           == 0)
    {
        value.data += sizeof("autoconfig.") - 1;
        value.len -= sizeof("autoconfig.") - 1;
    }

    return ngx_http_autodiscover_set_domain(r, ctx, &value);
}


/* Apple profiles: ?emailaddress=ADDR, required, and ?name=, optional */

ngx_int_t
ngx_http_autodiscover_read_mobileconfig_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t   rc;
    ngx_str_t   value;
    ngx_uint_t  i;

    ngx_http_autodiscover_use_schema(ctx,
                                     NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG);
    ctx->request_ns = NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG;

    if (ngx_http_arg(r, (u_char *) "emailaddress", 12, &value) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no emailaddress in the request");
        return NGX_DECLINED;
    }

    if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_autodiscover_set_address(r, ctx, &value);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_arg(r, (u_char *) "name", 4, &value) != NGX_OK) {
        return NGX_OK;
    }

    if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    /* an HTML form's GET writes a space as "+" */

    for (i = 0; i < value.len; i++) {
        if (value.data[i] == '+') {
            value.data[i] = ' ';
        }
    }

    if (value.len > NGX_HTTP_AUTODISCOVER_MAX_NAME
        || ngx_http_autodiscover_check_text(&value) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent an invalid name "
                      "of %uz bytes", value.len);
        return NGX_DECLINED;
    }

    ctx->name = value;

    return NGX_OK;
}


/* a domain without an address: Thunderbird's placeholders stand in */

static ngx_int_t
ngx_http_autodiscover_set_domain(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *domain)
{
    u_char  *p;

    if (domain->len == 0
        || ngx_http_autodiscover_check_domain(domain->data,
                                              domain->data + domain->len)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no valid domain in the request");
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, domain->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_strlow(p, domain->data, domain->len);

    ctx->domain.data = p;
    ctx->domain.len = domain->len;

    ngx_str_set(&ctx->email, "%EMAILADDRESS%");
    ngx_str_set(&ctx->user, "%EMAILLOCALPART%");

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_unescape(ngx_http_request_t *r, ngx_str_t *value)
{
    u_char  *src, *dst;

    dst = ngx_pnalloc(r->pool, value->len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    src = value->data;
    value->data = dst;

    ngx_unescape_uri(&dst, &src, value->len, 0);

    value->len = dst - value->data;

    return NGX_OK;
}


/*
 * checks the address and stores it with its domain in lower case;
 * NGX_DECLINED for an address that is not one
 */

ngx_int_t
ngx_http_autodiscover_set_address(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *addr)
{
    u_char     *p;
    ngx_int_t   at;

    if (ngx_http_autodiscover_check_address(addr, &at) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent an invalid address "
                      "of %uz bytes", addr->len);
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, addr->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, addr->data, at + 1);
    ngx_strlow(p + at + 1, addr->data + at + 1, addr->len - at - 1);

    ctx->email.data = p;
    ctx->email.len = addr->len;

    ctx->user.data = p;
    ctx->user.len = at;

    ctx->domain.data = p + at + 1;
    ctx->domain.len = addr->len - at - 1;

    return NGX_OK;
}


/*
 * local@domain: a dot-atom local part of up to 64 bytes (UTF-8 allowed),
 * a host name of up to 253 bytes, 254 in all
 */

ngx_int_t
ngx_http_autodiscover_check_address(ngx_str_t *addr, ngx_int_t *at)
{
    u_char    *p, *last, *local;
    uint32_t   c;

    if (addr->len < 3 || addr->len > NGX_HTTP_AUTODISCOVER_MAX_ADDRESS) {
        return NGX_ERROR;
    }

    local = addr->data;
    last = addr->data + addr->len;
    p = local;

    if (*p == '.') {
        return NGX_ERROR;
    }

    while (p < last && *p != '@') {

        if (*p >= 0x80) {
            c = ngx_http_autodiscover_utf8(&p, last);

            if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8 || c < 0xa0) {
                return NGX_ERROR;
            }

            continue;
        }

        if (!(ngx_http_autodiscover_atext[*p >> 5] & (1U << (*p & 0x1f)))) {
            return NGX_ERROR;
        }

        if (*p == '.' && (p + 1 == last || p[1] == '.' || p[1] == '@')) {
            return NGX_ERROR;
        }

        p++;
    }

    if (p == last || p == local || p - local > NGX_HTTP_AUTODISCOVER_MAX_LOCAL)
    {
        return NGX_ERROR;
    }

    *at = p - local;

    return ngx_http_autodiscover_check_domain(p + 1, last);
}


static ngx_int_t
ngx_http_autodiscover_check_domain(u_char *p, u_char *last)
{
    u_char    *label;
    uint32_t   c;

    if (p == last || last - p > 253) {
        return NGX_ERROR;
    }

    label = p;

    while (p < last) {

        if (*p == '.') {
            if (p == label || p[-1] == '-' || p + 1 == last) {
                return NGX_ERROR;
            }

            p++;
            label = p;
            continue;
        }

        if (*p == '-') {
            if (p == label) {
                return NGX_ERROR;
            }

        } else if (*p >= 0x80) {
            c = ngx_http_autodiscover_utf8(&p, last);

            if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8 || c < 0xa0) {
                return NGX_ERROR;
            }

            if (p - label > 63) {
                return NGX_ERROR;
            }

            continue;

        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                     || (*p >= '0' && *p <= '9')))
        {
            return NGX_ERROR;
        }

        p++;

        if (p - label > 63) {
            return NGX_ERROR;
        }
    }

    if (p[-1] == '-') {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* UTF-8 without control characters: anything that XML 1.0 can carry */

ngx_int_t
ngx_http_autodiscover_check_text(ngx_str_t *value)
{
    u_char    *p, *last;
    uint32_t   c;

    p = value->data;
    last = p + value->len;

    while (p < last) {

        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f) {
                return NGX_ERROR;
            }

            p++;
            continue;
        }

        c = ngx_http_autodiscover_utf8(&p, last);

        if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8 || (c >= 0x80 && c < 0xa0)) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * a client's value fit for the error log: at most 128 bytes, and with
 * bytes outside printable ASCII written as \xNN
 */

ngx_str_t *
ngx_http_autodiscover_loggable(ngx_http_request_t *r, ngx_str_t *value)
{
    u_char     *p, *last, *dst;
    size_t      len;
    ngx_str_t  *s;

    len = ngx_min(value->len, 128);

    s = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (s == NULL) {
        return &ngx_http_autodiscover_unloggable;
    }

    dst = ngx_pnalloc(r->pool, len * 4);
    if (dst == NULL) {
        return &ngx_http_autodiscover_unloggable;
    }

    s->data = dst;
    last = value->data + len;

    for (p = value->data; p < last; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\' && *p != '"') {
            *dst++ = *p;
            continue;
        }

        *dst++ = '\\';
        *dst++ = 'x';
        *dst++ = ngx_http_autodiscover_hex[*p >> 4];
        *dst++ = ngx_http_autodiscover_hex[*p & 0xf];
    }

    s->len = dst - s->data;

    return s;
}


/*
 * one UTF-8 character, strictly: no overlong forms, no lead bytes past
 * U+10FFFF, no surrogates, no U+FFFE or U+FFFF, none of which XML allows
 */

uint32_t
ngx_http_autodiscover_utf8(u_char **p, u_char *last)
{
    u_char    *q;
    size_t     n;
    uint32_t   c;

    if (**p < 0xc2 || **p > 0xf4) {
        return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
    }

    /* ngx_utf8_decode() looks only at the high bit of what follows */

    n = (**p < 0xe0) ? 2 : (**p < 0xf0) ? 3 : 4;

    if ((size_t) (last - *p) < n) {
        return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
    }

    for (q = *p + 1; q < *p + n; q++) {
        if ((*q & 0xc0) != 0x80) {
            return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
        }
    }

    c = ngx_utf8_decode(p, last - *p);

    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)
        || c == 0xfffe || c == 0xffff)
    {
        return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
    }

    return c;
}


/*
 * a name in a list of "name", "*.domain" (its subdomains) and "*" (any),
 * without regard to case
 */

ngx_int_t
ngx_http_autodiscover_match_domain(ngx_array_t *names, ngx_str_t *name)
{
    size_t       len;
    ngx_str_t   *n;
    ngx_uint_t   i;

    n = names->elts;

    for (i = 0; i < names->nelts; i++) {

        if (n[i].len == 1 && n[i].data[0] == '*') {
            return NGX_OK;
        }

        if (n[i].len > 2 && n[i].data[0] == '*') {
            len = n[i].len - 1;

            if (name->len > len
                && ngx_strncasecmp(name->data + name->len - len,
                                   n[i].data + 1, len)
                   == 0)
            {
                return NGX_OK;
            }

            continue;
        }

        if (n[i].len == name->len
            && ngx_strncasecmp(n[i].data, name->data, name->len) == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* "http://X" and "https://X" both give X, anything else NGX_DECLINED */

ngx_int_t
ngx_http_autodiscover_strip_scheme(ngx_str_t *uri, ngx_str_t *rest)
{
    size_t  n;

    if (uri->len > 7 && ngx_strncmp(uri->data, "http://", 7) == 0) {
        n = 7;

    } else if (uri->len > 8 && ngx_strncmp(uri->data, "https://", 8) == 0) {
        n = 8;

    } else {
        return NGX_DECLINED;
    }

    rest->data = uri->data + n;
    rest->len = uri->len - n;

    return NGX_OK;
}


/*
 * AcceptableResponseSchema: either spelling of a known schema is stored
 * in its http:// spelling, the one every answer uses
 */

ngx_int_t
ngx_http_autodiscover_set_schema(ngx_http_autodiscover_ctx_t *ctx,
    ngx_str_t *schema)
{
    ngx_uint_t  i;
    ngx_str_t   rest, known;

    ctx->schema_id = NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
    ctx->schema = *schema;

    if (ngx_http_autodiscover_strip_scheme(schema, &rest) != NGX_OK) {
        return NGX_OK;
    }

    for (i = NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK;
         i <= NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC;
         i++)
    {
        known.data = ngx_http_autodiscover_schemas[i].data + 7;
        known.len = ngx_http_autodiscover_schemas[i].len - 7;

        if (rest.len == known.len
            && ngx_strncmp(rest.data, known.data, known.len) == 0)
        {
            ctx->schema_id = i;
            ctx->schema = ngx_http_autodiscover_schemas[i];
            break;
        }
    }

    return NGX_OK;
}


void
ngx_http_autodiscover_use_schema(ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_schema_e schema)
{
    ctx->schema_id = schema;
    ctx->schema = ngx_http_autodiscover_schemas[schema];
}

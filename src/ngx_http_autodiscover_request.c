
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


static ngx_int_t ngx_http_autodiscover_unescape(ngx_http_request_t *r,
    ngx_str_t *value);
static ngx_int_t ngx_http_autodiscover_set_domain(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *domain,
    ngx_uint_t placeholders);
static void ngx_http_autodiscover_host_domain(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *domain);


#define NGX_HTTP_AUTODISCOVER_NS_PREFIX                                       \
    "schemas.microsoft.com/exchange/autodiscover/"


/* indexed by ngx_http_autodiscover_schema_e */

ngx_http_autodiscover_schema_t  ngx_http_autodiscover_schemas[] = {

    /* no schema of its own: the Autodiscover envelope's namespace */
    { ngx_null_string,
      ngx_string(NGX_HTTP_AUTODISCOVER_NS_PREFIX "responseschema/2006"),
      ngx_null_string },

    { ngx_string(NGX_HTTP_AUTODISCOVER_NS_PREFIX "outlook/requestschema/2006"),
      ngx_string(NGX_HTTP_AUTODISCOVER_NS_PREFIX
                 "outlook/responseschema/2006a"),
      ngx_string("http://" NGX_HTTP_AUTODISCOVER_NS_PREFIX
                 "outlook/responseschema/2006a") },

    { ngx_string(NGX_HTTP_AUTODISCOVER_NS_PREFIX
                 "mobilesync/requestschema/2006"),
      ngx_string(NGX_HTTP_AUTODISCOVER_NS_PREFIX
                 "mobilesync/responseschema/2006"),
      ngx_string("http://" NGX_HTTP_AUTODISCOVER_NS_PREFIX
                 "mobilesync/responseschema/2006") },

    /* Autodiscover v2 has no schema */
    { ngx_null_string, ngx_null_string, ngx_null_string },

    { ngx_null_string, ngx_null_string,
      ngx_string("http://autoconfig.thunderbird.net/config-v1.1") },

    { ngx_null_string, ngx_null_string,
      ngx_string("http://www.apple.com/DTDs/PropertyList-1.0.dtd") },

    /* unknown: the client's own value */
    { ngx_null_string, ngx_null_string, ngx_null_string }
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_schemas,
                                  NGX_HTTP_AUTODISCOVER_SCHEMA_COUNT);


/*
 * collects the request body however nginx stored it: one buffer (used in
 * place), several buffers, or a temporary file; NGX_DECLINED when it is
 * larger than autodiscover_max_body
 */

ngx_int_t
ngx_http_autodiscover_read_body(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body)
{
    off_t                              len, size;
    u_char                            *p;
    ssize_t                            n;
    ngx_buf_t                         *b;
    ngx_chain_t                       *cl;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    alcf = ctx->conf;

    body->len = 0;
    body->data = NULL;

    ctx->body_seen = 1;
    ctx->body_size = 0;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    ctx->body_size = len;

    if (len > (off_t) alcf->max_body) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent too large request body: "
                      "%O bytes, autodiscover_max_body is %uz",
                      len, alcf->max_body);
        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_TOO_LARGE;
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
 * "?<EMailAddress>ADDR</EMailAddress>"; NGX_DECLINED for an invalid
 * address, NGX_ABORT when neither is there: that GET is no request (a
 * client that followed a 302 of its POST as a GET must see it fail)
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
            return NGX_ABORT;
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

            return ngx_http_autodiscover_set_domain(r, ctx, &value, 1);
        }

        return ngx_http_autodiscover_set_address(r, ctx, &value);
    }

    ngx_http_autodiscover_host_domain(r, ctx, &value);

    return ngx_http_autodiscover_set_domain(r, ctx, &value, 1);
}


/*
 * the endpoints that know a domain only (RFC 6764's well-known URLs,
 * PACC): the Host's, less the format's own host prefix; no address
 */

ngx_int_t
ngx_http_autodiscover_read_host(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t  value;

    ngx_http_autodiscover_host_domain(r, ctx, &value);

    return ngx_http_autodiscover_set_domain(r, ctx, &value, 0);
}


/*
 * the DNS records of a domain: ?domain=, required, ?format=zone (the
 * default) or json, which picks the format's descriptor, and ?check=1,
 * each record looked up
 */

ngx_int_t
ngx_http_autodiscover_read_records_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t   value;
    ngx_uint_t  i;

    if (ngx_http_arg(r, (u_char *) "format", 6, &value) == NGX_OK) {

        if (value.len == 4 && ngx_strncmp(value.data, "json", 4) == 0) {
            ctx->format = &ngx_http_autodiscover_formats[
                                       NGX_HTTP_AUTODISCOVER_FMT_RECORDS_JSON];

        } else if (value.len != 4 || ngx_strncmp(value.data, "zone", 4) != 0)
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: records format \"%V\" is neither "
                          "\"zone\" nor \"json\"",
                          ngx_http_autodiscover_loggable(r, &value));
            return NGX_DECLINED;
        }
    }

    if (ngx_http_arg(r, (u_char *) "check", 5, &value) == NGX_OK) {

        if (value.len != 1 || (value.data[0] != '0' && value.data[0] != '1'))
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: check \"%V\" is neither \"0\" "
                          "nor \"1\"",
                          ngx_http_autodiscover_loggable(r, &value));
            return NGX_DECLINED;
        }

        ctx->check = (value.data[0] == '1');
    }

    if (ngx_http_arg(r, (u_char *) "domain", 6, &value) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no domain in the request");
        return NGX_DECLINED;
    }

    if (ngx_http_autodiscover_unescape(r, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * the DNS holds a name's A-labels (xn--...): a U-label in a zone file
     * is a name no client asks for
     */

    for (i = 0; i < value.len; i++) {
        if (value.data[i] >= 0x80) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: records domain \"%V\" is not "
                          "ASCII: ask with its A-labels (xn--)",
                          ngx_http_autodiscover_loggable(r, &value));
            return NGX_DECLINED;
        }
    }

    return ngx_http_autodiscover_set_domain(r, ctx, &value, 0);
}


/* the Host without its port (nginx has left it out), less the prefix */

static void
ngx_http_autodiscover_host_domain(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *domain)
{
    const ngx_str_t  *prefix;

    *domain = r->headers_in.server;
    prefix = &ctx->format->host_prefix;

    if (prefix->len && domain->len > prefix->len
        && ngx_strncasecmp(domain->data, prefix->data, prefix->len) == 0)
    {
        domain->data += prefix->len;
        domain->len -= prefix->len;
    }
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


/* the plain-HTTP endpoint reads nothing: it only ever redirects */

ngx_int_t
ngx_http_autodiscover_read_nothing(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    return NGX_OK;
}


/*
 * a domain without an address: Thunderbird's placeholders stand in
 * where the client replaces them, else the address is empty
 */

static ngx_int_t
ngx_http_autodiscover_set_domain(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *domain,
    ngx_uint_t placeholders)
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

    if (placeholders) {
        ngx_str_set(&ctx->email, "%EMAILADDRESS%");
        ngx_str_set(&ctx->user, "%EMAILLOCALPART%");
    }

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
 * AcceptableResponseSchema: either spelling of a known schema is stored
 * in its http:// spelling, the one every answer uses
 */

ngx_int_t
ngx_http_autodiscover_set_schema(ngx_http_autodiscover_ctx_t *ctx,
    ngx_str_t *schema)
{
    ngx_http_autodiscover_schema_e  id;

    ctx->schema_id = NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
    ctx->schema = *schema;

    id = ngx_http_autodiscover_find_ns(schema, 1);

    if (id == NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK
        || id == NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC)
    {
        ngx_http_autodiscover_use_schema(ctx, id);
    }

    return NGX_OK;
}


void
ngx_http_autodiscover_use_schema(ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_schema_e schema)
{
    ctx->schema_id = schema;
    ctx->schema = ngx_http_autodiscover_schemas[schema].name;
}


/*
 * the schema a namespace names, in "http://" or "https://": of requests,
 * or of answers (where NONE is the envelope's); UNKNOWN for no schema
 */

ngx_http_autodiscover_schema_e
ngx_http_autodiscover_find_ns(ngx_str_t *uri, ngx_uint_t response)
{
    ngx_str_t                        rest;
    ngx_uint_t                       i;
    const ngx_str_t                 *ns;

    if (ngx_http_autodiscover_strip_scheme(uri, &rest) != NGX_OK) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
    }

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_SCHEMA_COUNT; i++) {
        ns = response ? &ngx_http_autodiscover_schemas[i].response_ns
                      : &ngx_http_autodiscover_schemas[i].request_ns;

        if (ns->len && rest.len == ns->len
            && ngx_strncmp(rest.data, ns->data, ns->len) == 0)
        {
            return i;
        }
    }

    return NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
}


/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * The client: for an address the configuration has no answer for, the
 * request is POSTed, as an in-memory subrequest, to the location named
 * by autodiscover_fallback (which proxies it to another Autodiscover
 * server); the answer is relayed once checked. With
 * autodiscover_fallback_follow, redirects are followed the way Outlook
 * does: HTTP 3xx Location and redirectUrl to the next URL, redirectAddr
 * looked up locally first; at most autodiscover_fallback_max_redirects
 * hops, a URL or an address seen twice is a loop, only allowed https
 * hosts. Each hop's URL is in $autodiscover_fallback_url (and _host,
 * _uri) for the fallback location.
 */


static ngx_int_t ngx_http_autodiscover_client_start(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_int_t ngx_http_autodiscover_client_done(ngx_http_request_t *sr,
    void *data, ngx_int_t rc);
static void ngx_http_autodiscover_client_resume(ngx_http_request_t *r);
static ngx_int_t ngx_http_autodiscover_client_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_int_t ngx_http_autodiscover_client_hop(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *url);
static ngx_int_t ngx_http_autodiscover_client_body(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_int_t ngx_http_autodiscover_client_seen(ngx_array_t *seen,
    ngx_str_t *value);
static ngx_int_t ngx_http_autodiscover_client_error(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, char *why);
static ngx_int_t ngx_http_autodiscover_client_redirect_addr(
    ngx_http_request_t *r, ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *addr);
static ngx_int_t ngx_http_autodiscover_client_verdict(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_verdict_e kind,
    ngx_str_t *target);
static ngx_int_t ngx_http_autodiscover_client_url_ok(ngx_str_t *url);


/*
 * the first hop; NGX_DONE when a subrequest runs, and then the request
 * is finalized by the resume handler
 */

ngx_int_t
ngx_http_autodiscover_client(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t  n;
    ngx_str_t  url;

    if (ctx->client == NULL) {
        ctx->client = ngx_pcalloc(r->pool,
                                  sizeof(ngx_http_autodiscover_client_t));
        if (ctx->client == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_array_init(&ctx->client->seen, r->pool, 4, sizeof(ngx_str_t))
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    ngx_str_null(&url);

    if (ctx->conf->fallback_url != NULL
        && ngx_http_complex_value(r, ctx->conf->fallback_url, &url) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (url.len
        && ngx_http_autodiscover_account[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL]
               .parse(&url, &n)
           != NGX_OK)
    {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "a fallback URL from "
                                                  "variables that is not "
                                                  "https");
    }

    return ngx_http_autodiscover_client_hop(r, ctx, &url);
}


/* one more hop to url (empty: the fallback location's own upstream) */

static ngx_int_t
ngx_http_autodiscover_client_hop(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *url)
{
    u_char                           *p, *last, *colon;
    ngx_str_t                         host, name, key;
    ngx_http_autodiscover_client_t   *c;

    c = ctx->client;

    if (c->hops > ctx->conf->fallback_max_redirects) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "too many redirects");
    }

    ngx_str_null(&c->url);
    ngx_str_null(&c->host);
    ngx_str_null(&c->uri);

    /*
     * nothing of an upstream's URL is used, logged or put into a variable
     * before it is known to be printable ASCII without spaces: a CR or LF
     * would split the request nginx sends next
     */

    if (ngx_http_autodiscover_client_url_ok(url) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "autodiscover: fallback for \"%V\": a redirect URL "
                      "with a space, a control or a non-ASCII byte: \"%V\"",
                      &ctx->email, ngx_http_autodiscover_loggable(r, url));
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "an invalid redirect URL");
    }

    c->url = *url;

    if (url->len) {

        /* a loop is the same URL asked for the same address again */

        key.len = ctx->email.len + 1 + url->len;
        key.data = ngx_pnalloc(r->pool, key.len);
        if (key.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_cpymem(key.data, ctx->email.data, ctx->email.len);
        *p++ = ' ';
        ngx_memcpy(p, url->data, url->len);

        if (ngx_http_autodiscover_client_seen(&c->seen, &key) != NGX_OK) {
            return ngx_http_autodiscover_client_error(r, ctx,
                                                      "a redirect loop");
        }

        /* https://host[:port]/uri: only these carry settings */

        c->https = (url->len > 8
                    && ngx_strncasecmp(url->data, (u_char *) "https://", 8)
                       == 0);

        p = url->data + (c->https ? 8 : 7);
        last = url->data + url->len;

        if (!c->https
            && !(url->len > 7
                 && ngx_strncasecmp(url->data, (u_char *) "http://", 7) == 0))
        {
            return ngx_http_autodiscover_client_error(r, ctx,
                                                      "a redirect that is "
                                                      "not http(s)");
        }

        host.data = p;

        while (p < last && *p != '/' && *p != '?' && *p != '#') {
            p++;
        }

        host.len = p - host.data;

        /* a plain host[:port]: no user information, nothing to smuggle */

        name = host;
        colon = ngx_strlchr(host.data, host.data + host.len, ':');

        if (colon != NULL) {
            name.len = colon - host.data;
        }

        /*
         * the allow-list is compared with the host as written, its port
         * included: a listed name on another port is another server
         */

        if (name.len == 0
            || ngx_strlchr(host.data, host.data + host.len, '@') != NULL
            || ngx_strlchr(host.data, host.data + host.len, '\\') != NULL)
        {
            return ngx_http_autodiscover_client_error(r, ctx,
                                                      "a redirect without "
                                                      "a plain host");
        }

        if (c->hops > 0
            && ngx_http_autodiscover_match_domain(ctx->conf->fallback_follow,
                                                  &host)
               != NGX_OK)
        {
            return ngx_http_autodiscover_client_error(r, ctx,
                                                      "a redirect to a host "
                                                      "not allowed");
        }

        c->host = host;
        c->uri.data = p;
        c->uri.len = last - p;

        p = ngx_strlchr(c->uri.data, last, '#');

        if (p != NULL) {
            c->uri.len = p - c->uri.data;
        }

        if (c->uri.len == 0) {
            ngx_str_set(&c->uri, "/");
        }

    } else {
        c->https = 1;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "autodiscover: fallback hop %ui to \"%V\" for \"%V\"",
                  c->hops, url->len ? url : &ctx->conf->fallback_uri,
                  &ctx->email);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: fallback hop %ui, host \"%V\", uri \"%V\"",
                   c->hops, &c->host, &c->uri);

    c->hops++;

    if (ngx_http_autodiscover_client_start(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_autodiscover_client_start(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    u_char                          *q;
    ngx_buf_t                       *b;
    ngx_str_t                        uri, args;
    ngx_chain_t                     *cl;
    ngx_http_request_t              *sr;
    ngx_http_request_body_t         *rb;
    ngx_http_post_subrequest_t      *ps;
    ngx_http_autodiscover_client_t  *c;

    c = ctx->client;

    if (c->body.len == 0
        && ngx_http_autodiscover_client_body(r, ctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        return NGX_ERROR;
    }

    ps->handler = ngx_http_autodiscover_client_done;
    ps->data = ctx;

    uri = ctx->conf->fallback_uri;
    ngx_str_null(&args);

    q = ngx_strlchr(uri.data, uri.data + uri.len, '?');

    if (q != NULL) {
        args.data = q + 1;
        args.len = uri.data + uri.len - args.data;
        uri.len = q - uri.data;
    }

    c->done = 0;
    c->status = 0;
    ngx_str_null(&c->reply);
    ngx_str_null(&c->location);

    if (ngx_http_subrequest(r, &uri, &args, &sr, ps,
                            NGX_HTTP_SUBREQUEST_IN_MEMORY
                            |NGX_HTTP_SUBREQUEST_WAITED)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a body of its own, with its own length: the parent's stays intact */

    rb = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (rb == NULL) {
        return NGX_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = c->body.data;
    b->last = c->body.data + c->body.len;
    b->start = b->pos;
    b->end = b->last;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;

    rb->bufs = cl;
    rb->buf = b;

    sr->request_body = rb;

    /*
     * the client's headers stay with the client: the subrequest gets an
     * empty list of its own (headers_in is a copy, the parent's list is
     * untouched), so no Authorization or Cookie can go upstream
     */

    if (ngx_list_init(&sr->headers_in.headers, r->pool, 2,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    sr->headers_in.authorization = NULL;
    sr->headers_in.content_length_n = c->body.len;
    sr->headers_in.chunked = 0;
    sr->method = NGX_HTTP_POST;
    ngx_str_set(&sr->method_name, "POST");
    sr->header_only = 0;

    r->write_event_handler = ngx_http_autodiscover_client_resume;

    return NGX_OK;
}


/*
 * the body to send: the client's own request when it POSTed one for this
 * address, else one made like Outlook's
 */

#define NGX_HTTP_AUTODISCOVER_CLIENT_HEAD                                     \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"                          \
    "<Autodiscover xmlns=\"" NGX_HTTP_AUTODISCOVER_NS                         \
    "outlook/requestschema/2006\">\r\n"                                       \
    "  <Request>\r\n"                                                         \
    "    <EMailAddress>"

#define NGX_HTTP_AUTODISCOVER_CLIENT_MIDDLE                                   \
    "</EMailAddress>\r\n"                                                     \
    "    <AcceptableResponseSchema>"

#define NGX_HTTP_AUTODISCOVER_CLIENT_TAIL                                     \
    "</AcceptableResponseSchema>\r\n"                                         \
    "  </Request>\r\n"                                                        \
    "</Autodiscover>\r\n"


static ngx_int_t
ngx_http_autodiscover_client_body(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t                        schema;
    ngx_uint_t                       pass;
    ngx_http_autodiscover_out_t      o;
    ngx_http_autodiscover_client_t  *c;

    c = ctx->client;

    if (ctx->body.len && !c->rewritten) {
        c->body = ctx->body;
        return NGX_OK;
    }

    schema = ctx->schema;

    if (schema.len == 0) {
        schema = ngx_http_autodiscover_schemas[
                     NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK].name;
    }

    /*
     * the address may hold "&" and "'", which XML must escape; measured,
     * then written
     */

    ngx_memzero(&o, sizeof(ngx_http_autodiscover_out_t));

    for (pass = 0; pass < 2; pass++) {
        ngx_http_autodiscover_out_literal(&o,
                                          NGX_HTTP_AUTODISCOVER_CLIENT_HEAD);
        ngx_http_autodiscover_out_xml(&o, &ctx->email);
        ngx_http_autodiscover_out_literal(&o,
                                          NGX_HTTP_AUTODISCOVER_CLIENT_MIDDLE);
        ngx_http_autodiscover_out_xml(&o, &schema);
        ngx_http_autodiscover_out_literal(&o,
                                          NGX_HTTP_AUTODISCOVER_CLIENT_TAIL);

        if (pass == 1) {
            break;
        }

        c->body.len = o.len;
        c->body.data = ngx_pnalloc(r->pool, o.len);
        if (c->body.data == NULL) {
            return NGX_ERROR;
        }

        o.pos = c->body.data;
        o.end = c->body.data + o.len;
        o.len = 0;
    }

    if (o.overflow || o.pos != o.end) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* runs on every finalization of the subrequest: once is what counts */

static ngx_int_t
ngx_http_autodiscover_client_done(ngx_http_request_t *sr, void *data,
    ngx_int_t rc)
{
    ngx_http_autodiscover_ctx_t  *ctx = data;

    ngx_http_autodiscover_client_t  *c;

    c = ctx->client;

    if (c->done) {
        return NGX_OK;
    }

    c->done = 1;
    c->rc = rc;
    c->status = sr->headers_out.status;

    if (rc == NGX_OK && sr->out != NULL && sr->out->buf != NULL) {
        c->reply.data = sr->out->buf->pos;
        c->reply.len = sr->out->buf->last - sr->out->buf->pos;
    }

    if (sr->headers_out.location != NULL) {
        c->location = sr->headers_out.location->value;
    }

    /*
     * the failure is the parent's to answer, with a 603: NGX_ERROR here
     * would terminate the whole request (as "too big subrequest
     * response" does); the parent's write handler runs next
     */

    return NGX_OK;
}


static void
ngx_http_autodiscover_client_resume(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

    if (ctx == NULL || ctx->client == NULL || !ctx->client->done) {
        return;
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    rc = ngx_http_autodiscover_client_answer(r, ctx);

    if (rc == NGX_DONE) {
        /* the next hop runs */
        return;
    }

    ngx_http_finalize_request(r, rc);
}


static ngx_int_t
ngx_http_autodiscover_client_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                         rc, follow;
    ngx_str_t                         target;
    ngx_http_autodiscover_reply_t     reply;
    ngx_http_autodiscover_client_t   *c;

    c = ctx->client;
    follow = (ctx->conf->fallback_follow != NULL);

    if (c->rc != NGX_OK || r->connection->error) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "the subrequest failed");
    }

    /* an HTTP redirect */

    if (c->status >= NGX_HTTP_MOVED_PERMANENTLY
        && c->status <= NGX_HTTP_PERMANENT_REDIRECT
        && c->status != NGX_HTTP_NOT_MODIFIED
        && c->location.len)
    {
        if (follow) {
            return ngx_http_autodiscover_client_hop(r, ctx, &c->location);
        }

        if (ngx_http_autodiscover_client_url_ok(&c->location) != NGX_OK) {
            return ngx_http_autodiscover_client_error(r, ctx,
                                                      "an invalid redirect "
                                                      "URL");
        }

        if (c->location.len > 8
            && ngx_strncasecmp(c->location.data, (u_char *) "https://", 8)
               == 0)
        {
            return ngx_http_autodiscover_client_verdict(r, ctx,
                                         NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP,
                                         &c->location);
        }

        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "a redirect to plain http");
    }

    if (c->status != NGX_HTTP_OK) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "an HTTP error status");
    }

    if (c->reply.len > ctx->conf->fallback_max_reply) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "an answer larger than "
                                                  "autodiscover_fallback_"
                                                  "max_reply");
    }

    rc = ngx_http_autodiscover_xml_reply(r, ctx->format->schema, &c->reply,
                                         &reply);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != NGX_OK) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "no Autodiscover document "
                                                  "of the schema asked for");
    }

    if (follow && reply.kind == NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_URL) {
        return ngx_http_autodiscover_client_hop(r, ctx, &reply.target);
    }

    if (follow && reply.kind == NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_ADDR) {
        return ngx_http_autodiscover_client_redirect_addr(r, ctx,
                                                          &reply.target);
    }

    /* settings only from https; errors and redirects from anywhere */

    if (reply.kind == NGX_HTTP_AUTODISCOVER_REPLY_SETTINGS && !c->https) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "settings over plain http");
    }

    target = c->reply;

    return ngx_http_autodiscover_client_verdict(r, ctx,
                                              NGX_HTTP_AUTODISCOVER_V_RELAYED,
                                              &target);
}


/*
 * Action redirectAddr: the new address gets what a request for it would
 * get here, by the same decision; only when that is "ask the fallback"
 * is it asked for where the fallback asks
 */

static ngx_int_t
ngx_http_autodiscover_client_redirect_addr(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *addr)
{
    ngx_http_autodiscover_client_t  *c;

    c = ctx->client;

    if (c->hops > ctx->conf->fallback_max_redirects) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "too many redirects");
    }

    if (ngx_http_autodiscover_client_seen(&c->seen, &ctx->email) != NGX_OK
        || (addr->len == ctx->email.len
            && ngx_strncasecmp(addr->data, ctx->email.data, addr->len) == 0))
    {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "an address loop");
    }

    if (ngx_http_autodiscover_set_address(r, ctx, addr) != NGX_OK) {
        return ngx_http_autodiscover_client_error(r, ctx,
                                                  "an invalid redirect "
                                                  "address");
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "autodiscover: fallback redirected to the address \"%V\"",
                  &ctx->email);

    c->rewritten = 1;
    ngx_str_null(&c->body);

    if (ngx_http_autodiscover_decide(r, ctx, NGX_OK) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_FALLBACK
        || ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_NOT_SERVED)
    {
        return ngx_http_autodiscover_client(r, ctx);
    }

    c->result = NGX_HTTP_AUTODISCOVER_FB_HERE;

    return ngx_http_autodiscover_respond(r, ctx);
}


/* the chain ends here: what the client gets, as the format answers it */

static ngx_int_t
ngx_http_autodiscover_client_verdict(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_verdict_e kind,
    ngx_str_t *target)
{
    ngx_http_autodiscover_verdict(r, ctx, kind, NGX_HTTP_AUTODISCOVER_E_NONE);

    ctx->client->result = (kind == NGX_HTTP_AUTODISCOVER_V_RELAYED)
                          ? NGX_HTTP_AUTODISCOVER_FB_RELAYED
                          : NGX_HTTP_AUTODISCOVER_FB_REDIRECT;

    if (target != NULL) {
        ctx->verdict.target = *target;
    }

    return ngx_http_autodiscover_respond(r, ctx);
}


/* an absolute URL of printable ASCII: no space, control or 8-bit byte */

static ngx_int_t
ngx_http_autodiscover_client_url_ok(ngx_str_t *url)
{
    u_char  *p, *last;

    /* an empty URL (its data may be NULL) has no byte to refuse */

    if (url->len == 0) {
        return NGX_OK;
    }

    last = url->data + url->len;

    for (p = url->data; p < last; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_client_seen(ngx_array_t *seen, ngx_str_t *value)
{
    ngx_str_t   *s;
    ngx_uint_t   i;

    s = seen->elts;

    for (i = 0; i < seen->nelts; i++) {
        if (s[i].len == value->len
            && ngx_strncasecmp(s[i].data, value->data, value->len) == 0)
        {
            return NGX_DECLINED;
        }
    }

    s = ngx_array_push(seen);
    if (s == NULL) {
        return NGX_ERROR;
    }

    *s = *value;

    return NGX_OK;
}


/* the chain failed: a schema-correct 603, never a broken document */

static ngx_int_t
ngx_http_autodiscover_client_error(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, char *why)
{
    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "autodiscover: fallback for \"%V\" failed: %s, at "
                  "\"%V\" (HTTP status %ui)", &ctx->email, why,
                  ctx->client->url.len ? &ctx->client->url
                                       : &ctx->conf->fallback_uri,
                  ctx->client->status);

    ngx_http_autodiscover_verdict(r, ctx, NGX_HTTP_AUTODISCOVER_V_ERROR,
                                  NGX_HTTP_AUTODISCOVER_E_INTERNAL);

    ctx->client->result = NGX_HTTP_AUTODISCOVER_FB_FAILED;

    return ngx_http_autodiscover_respond(r, ctx);
}

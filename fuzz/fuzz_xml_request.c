
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * libFuzzer harness: a POSTed body, as a client sends it to the POX and
 * ActiveSync endpoint.  ngx_http_autodiscover_xml_parse() reads it, then
 * the answer is made as the handler makes it (resolve, check, render,
 * headers and body through fake filters) and checked: a well-formed XML
 * document whose Content-Length is its length.  The same bytes are also
 * given to ngx_http_autodiscover_xml_reply(), the fallback client's
 * reader of another server's answer, for both schemas.
 *
 * The body reaches the parser as it reaches the handler: in
 * r->request_body->bufs, read by ngx_http_autodiscover_read_body(), which
 * must give back exactly its bytes (or refuse it when it is larger than
 * autodiscover_max_body).
 *
 * The first byte of the input picks the configuration (bits 0-1,
 * fuzz_conf.c) and the buffers (bits 2-7, n): n == 0, one buffer, as
 * nginx leaves a body read in one piece; otherwise pieces of n bytes
 * (larger ones when that would make more than 64), each followed by an
 * empty buffer whose pos and last are NULL, as the last buffer of a
 * chunked body is.  The rest of the input is the body.
 */


#include "fuzz_common.h"
#include "fuzz_conf.h"


#define FUZZ_PIECES  64


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_body(ngx_http_request_t *r, const u_char *data,
    size_t size, size_t piece);
static ngx_buf_t *fuzz_buf(ngx_http_request_t *r, const u_char *data,
    size_t size);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


static void
fuzz_check_ctx(ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t  at;

    if (ctx->email.len == 0) {
        return;
    }

    /* an address the module took is one, and its parts are in it */

    if (ngx_http_autodiscover_check_address(&ctx->email, &at) != NGX_OK) {
        fuzz_fail("the module took an invalid address");
    }

    if (ctx->user.data != ctx->email.data || ctx->user.len != (size_t) at
        || ctx->domain.data != ctx->email.data + at + 1
        || ctx->domain.len != ctx->email.len - at - 1)
    {
        fuzz_fail("user and domain are not the address's");
    }
}


/* a memory buffer of an exactly sized copy; pos and last NULL if empty */

static ngx_buf_t *
fuzz_buf(ngx_http_request_t *r, const u_char *data, size_t size)
{
    ngx_buf_t  *b;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        abort();
    }

    if (size == 0) {
        return b;
    }

    b->pos = ngx_pnalloc(r->pool, size);
    if (b->pos == NULL) {
        abort();
    }

    ngx_memcpy(b->pos, data, size);

    b->last = b->pos + size;
    b->start = b->pos;
    b->end = b->last;
    b->memory = 1;

    return b;
}


static void
fuzz_body(ngx_http_request_t *r, const u_char *data, size_t size,
    size_t piece)
{
    size_t        n;
    ngx_chain_t  *cl, **ll;

    r->request_body = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (r->request_body == NULL) {
        abort();
    }

    r->headers_in.content_length_n = piece ? -1 : (off_t) size;

    /* an empty body read in one piece: no buffers at all */

    if (piece == 0 && size == 0) {
        return;
    }

    ll = &r->request_body->bufs;

    do {
        n = piece ? ngx_min(piece, size) : size;

        cl = ngx_alloc_chain_link(r->pool);
        if (cl == NULL) {
            abort();
        }

        cl->buf = fuzz_buf(r, data, n);
        *ll = cl;
        ll = &cl->next;

        data += n;
        size -= n;

        if (piece) {
            cl = ngx_alloc_chain_link(r->pool);
            if (cl == NULL) {
                abort();
            }

            cl->buf = fuzz_buf(r, NULL, 0);
            *ll = cl;
            ll = &cl->next;
        }

    } while (size);

    cl->buf->last_buf = 1;
    *ll = NULL;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                             piece;
    ngx_int_t                          rc;
    ngx_str_t                          body;
    ngx_uint_t                         i;
    ngx_http_request_t                *r;
    ngx_http_autodiscover_ctx_t       *ctx;
    ngx_http_autodiscover_reply_t      reply;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    static ngx_http_autodiscover_schema_e  schemas[] = {
        NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK,
        NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC
    };

    if (size < 1) {
        return 0;
    }

    alcf = fuzz_conf(data[0] & 3);
    piece = data[0] >> 2;
    data++;
    size--;

    /* at most FUZZ_PIECES pieces: thousands only slow the fuzzing down */

    if (piece && size / piece >= FUZZ_PIECES) {
        piece = size / FUZZ_PIECES + 1;
    }

    r = fuzz_request(alcf, (u_char *) "/autodiscover/autodiscover.xml",
                     sizeof("/autodiscover/autodiscover.xml") - 1, NULL, 0,
                     (u_char *) "autodiscover.example.com",
                     sizeof("autodiscover.example.com") - 1);

    r->method = NGX_HTTP_POST;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_ctx_t));
    if (ctx == NULL) {
        abort();
    }

    ctx->conf = alcf;
    ctx->format = &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_POX];
    ngx_http_set_ctx(r, ctx, ngx_http_autodiscover_module);

    /* every piece exactly as long as it is, as client buffers are */

    fuzz_body(r, data, size, piece);

    /* as ngx_http_autodiscover_body_handler() does */

    rc = ngx_http_autodiscover_read_body(r, ctx, &body);

    if (rc == NGX_OK) {
        if (body.len != size
            || (size && ngx_memcmp(body.data, data, size) != 0))
        {
            fuzz_fail("read_body() gave %zu bytes, not the %zu sent",
                      body.len, size);
        }

        ctx->body = body;

        rc = ngx_http_autodiscover_xml_parse(r, ctx, &body);

        if (rc != NGX_OK && rc != NGX_DECLINED) {
            fuzz_fail("xml_parse() returned %d", (int) rc);
        }

    } else if (rc == NGX_DECLINED) {
        if (size <= alcf->max_body) {
            fuzz_fail("read_body() refused %zu bytes", size);
        }

    } else {
        fuzz_fail("read_body() returned %d", (int) rc);
    }

    if (rc == NGX_OK) {
        fuzz_check_ctx(ctx);

        if (ctx->email.len == 0 && ctx->legacydn.len == 0) {
            fuzz_fail("a request without an address or a LegacyDN");
        }

        if (ctx->legacydn.len > NGX_HTTP_AUTODISCOVER_MAX_VALUE) {
            fuzz_fail("a LegacyDN of %zu bytes", ctx->legacydn.len);
        }
    }

    rc = fuzz_answer_request(r, ctx, rc);
    fuzz_check_answer(r, rc);

    fuzz_request_free(r);

    /* the fallback client's reader: another server's answer */

    for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
        r = fuzz_request(alcf, NULL, 0, NULL, 0, NULL, 0);

        body.data = ngx_pnalloc(r->pool, size ? size : 1);
        if (body.data == NULL) {
            abort();
        }

        if (size) {
            ngx_memcpy(body.data, data, size);
        }

        rc = ngx_http_autodiscover_xml_reply(r, schemas[i], &body, &reply);

        if (rc != NGX_OK && rc != NGX_DECLINED) {
            fuzz_fail("xml_reply() returned %d", (int) rc);
        }

        if (rc == NGX_OK
            && (reply.kind == NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_URL
                || reply.kind == NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_ADDR)
            && reply.target.len > NGX_HTTP_AUTODISCOVER_MAX_VALUE)
        {
            fuzz_fail("a redirect target of %zu bytes", reply.target.len);
        }

        fuzz_request_free(r);
    }

    fuzz_answer_reset();

    return 0;
}


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
 * The first byte of the input picks the configuration (fuzz_conf.c);
 * the rest is the body.
 */


#include "fuzz_common.h"
#include "fuzz_conf.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


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


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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

    alcf = fuzz_conf(data[0]);
    data++;
    size--;

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
    ngx_http_set_ctx(r, ctx, ngx_http_autodiscover_module);

    /* exactly as long as the body, as a client buffer is: not terminated */

    body.len = size;
    body.data = ngx_pnalloc(r->pool, size ? size : 1);
    if (body.data == NULL) {
        abort();
    }

    if (size) {
        ngx_memcpy(body.data, data, size);
    }

    ctx->body = body;

    rc = ngx_http_autodiscover_xml_parse(r, ctx, &body);

    if (rc != NGX_OK && rc != NGX_DECLINED) {
        fuzz_fail("xml_parse() returned %d", (int) rc);
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

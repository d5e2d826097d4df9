
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * libFuzzer harness: the endpoints that read their request from the URL,
 * called as nginx calls a content handler, with a fuzzed path, query
 * string and Host header:
 *
 *   POX GET        the "pox" format           read_args()
 *   v2 JSON        the "json" format          read_json_request()
 *   autoconfig     the "autoconfig" format    read_autoconfig_request()
 *   Apple profile  the "mobileconfig" format  read_mobileconfig_request()
 *   DNS records    the "records" format       read_records_request()
 *                  (?domain=, ?format=zone|json, ?check=0|1)
 *
 * all through ngx_http_autodiscover_handler(), the module's one content
 * handler, with the location's format set as its directive sets it,
 *
 * each answered through fake filters and checked (well-formed XML or
 * JSON, a zone file's printable lines, Content-Length, or a bare status).
 *
 * The records location has no "resolver" here (a core location
 * configuration of zeros): ?check=1 is read and decided, the records are
 * built, and the DNS client refuses before it opens a socket, a 500; no
 * query is ever sent.
 *
 * Input: one byte (endpoint: bits 0-1, configuration: bits 2-3, no Host
 * header: bit 4, the records endpoint instead: bit 5), then
 * "path\nquery\nhost"; a missing part is empty.
 */


#include "fuzz_common.h"
#include "fuzz_conf.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* "resolver" unset: the DNS check ends before any socket */
static ngx_http_core_loc_conf_t  fuzz_clcf;

/* autodiscover_records target=mail.example.net, a literal */
static ngx_http_complex_value_t  fuzz_records_target = {
    ngx_string("mail.example.net"), NULL, NULL, NULL, { 0 }
};


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


static const u_char *
fuzz_part(const u_char **p, const u_char *last, size_t *len)
{
    const u_char  *start, *nl;

    start = *p;
    nl = (start < last) ? memchr(start, '\n', last - start) : NULL;

    if (nl == NULL) {
        *len = last - start;
        *p = last;

    } else {
        *len = nl - start;
        *p = nl + 1;
    }

    return start;
}


static ngx_http_autodiscover_format_e  fuzz_endpoints[] = {
    NGX_HTTP_AUTODISCOVER_FMT_POX,
    NGX_HTTP_AUTODISCOVER_FMT_JSON,
    NGX_HTTP_AUTODISCOVER_FMT_AUTOCONFIG,
    NGX_HTTP_AUTODISCOVER_FMT_MOBILECONFIG
};


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                             uri_len, args_len, host_len;
    ngx_int_t                          rc;
    ngx_uint_t                         endpoint, records;
    const u_char                      *p, *last, *uri, *args, *host;
    ngx_http_request_t                *r;
    ngx_http_autodiscover_ctx_t       *ctx;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    if (size < 1) {
        return 0;
    }

    endpoint = data[0] & 3;
    records = data[0] & 0x20;
    alcf = fuzz_conf((data[0] >> 2) & 3);

    p = data + 1;
    last = data + size;

    uri = fuzz_part(&p, last, &uri_len);
    args = fuzz_part(&p, last, &args_len);
    host = fuzz_part(&p, last, &host_len);

    if (data[0] & 0x10) {
        host = NULL;
        host_len = 0;
    }

    r = fuzz_request(alcf, uri, uri_len, args, args_len, host, host_len);

    /* the location's directive: its entry in the format table */

    if (records) {
        alcf->format =
            &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_RECORDS];
        alcf->records_target = &fuzz_records_target;
        alcf->records_ttl = 3600;
        alcf->records_https_port = 443;

        r->loc_conf[ngx_http_core_module.ctx_index] = &fuzz_clcf;

    } else {
        alcf->format =
            &ngx_http_autodiscover_formats[fuzz_endpoints[endpoint]];
        alcf->records_target = NULL;
    }

    rc = ngx_http_autodiscover_handler(r);

    if (rc == NGX_DONE) {
        fuzz_fail("a fallback subrequest or a DNS check, with neither "
                  "configured");
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

    if (records && ctx != NULL && ctx->check
        && rc == NGX_HTTP_INTERNAL_SERVER_ERROR)
    {
        /* ?check=1 read and decided: the DNS client found no resolver */

        if (fuzz_answer.headers != 0) {
            fuzz_fail("a DNS check answered without a resolver");
        }

    } else {
        fuzz_check_answer(r, rc);
    }

    fuzz_request_free(r);
    fuzz_answer_reset();

    return 0;
}

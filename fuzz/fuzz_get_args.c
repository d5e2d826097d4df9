
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * libFuzzer harness: the endpoints that read their request from the URL,
 * called as nginx calls a content handler, with a fuzzed path, query
 * string and Host header:
 *
 *   POX GET        ngx_http_autodiscover_handler()       read_args()
 *   v2 JSON        ngx_http_autodiscover_json_handler()  read_json_request()
 *   autoconfig     ..._autoconfig_handler()     read_autoconfig_request()
 *   Apple profile  ..._mobileconfig_handler()   read_mobileconfig_request()
 *
 * each answered through fake filters and checked (well-formed XML or
 * JSON, Content-Length, or a bare status).
 *
 * Input: one byte (endpoint: bits 0-1, configuration: bits 2-3, no Host
 * header: bit 4), then "path\nquery\nhost"; a missing part is empty.
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


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                             uri_len, args_len, host_len;
    ngx_int_t                          rc;
    ngx_uint_t                         endpoint;
    const u_char                      *p, *last, *uri, *args, *host;
    ngx_http_request_t                *r;
    ngx_http_autodiscover_loc_conf_t  *alcf;

    if (size < 1) {
        return 0;
    }

    endpoint = data[0] & 3;
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

    switch (endpoint) {

    case 0:
        rc = ngx_http_autodiscover_handler(r);
        break;

    case 1:
        rc = ngx_http_autodiscover_json_handler(r);
        break;

    case 2:
        rc = ngx_http_autodiscover_autoconfig_handler(r);
        break;

    default:
        rc = ngx_http_autodiscover_mobileconfig_handler(r);
        break;
    }

    if (rc == NGX_DONE) {
        fuzz_fail("a fallback subrequest, with none configured");
    }

    fuzz_check_answer(r, rc);

    fuzz_request_free(r);
    fuzz_answer_reset();

    return 0;
}

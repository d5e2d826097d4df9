
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * What the libFuzzer harnesses share: nginx's globals set up once, a
 * request as nginx hands it to the module (a pool, a connection with a
 * log, the module's location configuration), the header and body filters
 * replaced by ones that keep the answer, and the checks of an answer.
 */


#ifndef _FUZZ_COMMON_H_INCLUDED_
#define _FUZZ_COMMON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/* what the fake filters kept of one answer */

typedef struct {
    ngx_uint_t     headers;       /* how many times the header filter ran */
    ngx_uint_t     status;
    off_t          content_length;
    ngx_str_t      content_type;
    u_char        *body;          /* malloc()ed, body_len bytes */
    size_t         body_len;
    ngx_uint_t     last_buf;
} fuzz_answer_t;


extern fuzz_answer_t   fuzz_answer;
extern ngx_log_t      *fuzz_log;


/* once per process */
void fuzz_init(void);

/*
 * a fresh request on a fresh pool: uri, args and Host as given (copied,
 * so that reading past them is caught), the location configuration alcf
 * and a server configuration whose server_name is "localhost"
 */
ngx_http_request_t *fuzz_request(ngx_http_autodiscover_loc_conf_t *alcf,
    const u_char *uri, size_t uri_len, const u_char *args, size_t args_len,
    const u_char *host, size_t host_len);
void fuzz_request_free(ngx_http_request_t *r);

/* a location configuration as create_loc_conf + merge_loc_conf leave it */
ngx_http_autodiscover_loc_conf_t *fuzz_loc_conf(ngx_pool_t *pool);

/*
 * a literal value as the directive compiles it: checked and parsed by the
 * field's parser; NULL when nginx -t would refuse it
 */
ngx_http_autodiscover_value_t *fuzz_value(ngx_pool_t *pool,
    ngx_http_autodiscover_field_t *field, const char *s, size_t len);

/*
 * a value with variables: a script that gives s, evaluated and checked
 * for each request as a map's value would be
 */
ngx_http_autodiscover_value_t *fuzz_variable(ngx_pool_t *pool,
    const char *s, size_t len);

/* adds one "autodiscover_protocol TYPE server=... k=v ..." */
ngx_int_t fuzz_protocol(ngx_pool_t *pool,
    ngx_http_autodiscover_loc_conf_t *alcf, const char *type,
    const char *server, const char *login, ngx_uint_t tls, ngx_uint_t port);

/* what the handler's answer() does with a request that was read */
ngx_int_t fuzz_answer_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t rc);

/*
 * checks what the filters kept after a handler returned rc: one header,
 * Content-Length equal to the body, a well-formed XML document or JSON
 * text; abort()s otherwise
 */
void fuzz_check_answer(ngx_http_request_t *r, ngx_int_t rc);

void fuzz_answer_reset(void);

/* strict UTF-8 (RFC 3629), independent of nginx's and the module's */
ngx_uint_t fuzz_utf8_valid(const u_char *p, size_t len);

/*
 * the size of the scratch buffer answers are rendered into: an answer
 * larger than it is measured there and rendered again
 */
void fuzz_scratch_size(size_t size);

/* abort() with a message */
void fuzz_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* a copy of n bytes in a malloc()ed block of exactly that size */
u_char *fuzz_dup(const u_char *data, size_t n);


#endif /* _FUZZ_COMMON_H_INCLUDED_ */

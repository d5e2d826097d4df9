
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_common.h"


fuzz_answer_t   fuzz_answer;
ngx_log_t      *fuzz_log;


static ngx_log_t        fuzz_log_s;
static ngx_open_file_t  fuzz_log_file;
static ngx_cycle_t      fuzz_cycle;
static ngx_event_t      fuzz_event;

static ngx_http_core_srv_conf_t  fuzz_cscf;

/* the parser context and scratch buffer of this process, as a worker's */
static ngx_http_autodiscover_main_conf_t  fuzz_amcf;
static u_char  fuzz_scratch[NGX_HTTP_AUTODISCOVER_SCRATCH_SIZE];


static void fuzz_log_writer(ngx_log_t *log, ngx_uint_t level, u_char *buf,
    size_t len);
static ngx_int_t fuzz_header_filter(ngx_http_request_t *r);
static ngx_int_t fuzz_body_filter(ngx_http_request_t *r, ngx_chain_t *in);
static void fuzz_check_xml(void);
static void fuzz_check_json(void);
static void fuzz_check_zone(void);
static void fuzz_xml_error(void *ctx, const char *msg, ...);


void
fuzz_fail(const char *fmt, ...)
{
    va_list  args;

    fprintf(stderr, "\n*** fuzz check failed: ");
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n");

    if (fuzz_answer.body != NULL) {
        fprintf(stderr, "*** status %u, body (%zu bytes):\n%.*s\n",
                (unsigned) fuzz_answer.status, fuzz_answer.body_len,
                (int) fuzz_answer.body_len, fuzz_answer.body);
    }

    abort();
}


u_char *
fuzz_dup(const u_char *data, size_t n)
{
    u_char  *p;

    p = malloc(n ? n : 1);
    if (p == NULL) {
        abort();
    }

    if (n) {
        memcpy(p, data, n);
    }

    return p;
}


void
fuzz_init(void)
{
    static ngx_uint_t  done;

    if (done) {
        return;
    }

    done = 1;

    fuzz_amcf.scratch = fuzz_scratch;
    fuzz_amcf.scratch_size = sizeof(fuzz_scratch);

    ngx_pagesize = getpagesize();
    ngx_cacheline_size = NGX_CPU_CACHE_LINE;

    for (ngx_pagesize_shift = 0;
         (ngx_uint_t) (1 << ngx_pagesize_shift) < ngx_pagesize;
         ngx_pagesize_shift++)
    {
        /* void */
    }

    ngx_time_init();

    /*
     * every level, debug included, is formatted (the module logs what
     * clients send): the writer sees each line and fails on [alert] and
     * worse, which the module only logs when it is broken
     */

    fuzz_log_file.fd = ngx_open_file("/dev/null", NGX_FILE_WRONLY,
                                     NGX_FILE_OPEN, 0);
    fuzz_log_s.file = &fuzz_log_file;
    fuzz_log_s.log_level = NGX_LOG_DEBUG_ALL;
    fuzz_log_s.writer = fuzz_log_writer;
    fuzz_log = &fuzz_log_s;

    /*
     * nginx copies [warn] and worse to stderr until it has read its
     * configuration (ngx_use_stderr), once per execution here: only with
     * FUZZ_VERBOSE, which fuzz_log_writer() honours too
     */

    ngx_use_stderr = (getenv("FUZZ_VERBOSE") != NULL);

    ngx_str_set(&fuzz_cycle.hostname, "fuzz.example.com");
    fuzz_cycle.log = fuzz_log;
    ngx_cycle = &fuzz_cycle;

    ngx_str_set(&fuzz_cscf.server_name, "localhost");

    /*
     * NGX_MODULE_V1 leaves the indexes unset: nginx numbers the modules
     * when it reads a configuration, which no harness does
     */

    ngx_http_core_module.ctx_index = 0;
    ngx_http_autodiscover_module.ctx_index = 1;

    ngx_http_top_header_filter = fuzz_header_filter;
    ngx_http_top_body_filter = fuzz_body_filter;

    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, fuzz_xml_error);
}


static void
fuzz_xml_error(void *ctx, const char *msg, ...)
{
    /* libxml2's messages about our checks' documents: not wanted */
}


static void
fuzz_log_writer(ngx_log_t *log, ngx_uint_t level, u_char *buf, size_t len)
{
    if (getenv("FUZZ_VERBOSE") != NULL) {
        fprintf(stderr, "%.*s\n", (int) len, buf);
    }

    if (level <= NGX_LOG_ALERT) {
        fuzz_fail("the module logged at level %u: %.*s", (unsigned) level,
                  (int) len, buf);
    }
}


void
fuzz_answer_reset(void)
{
    free(fuzz_answer.body);
    ngx_memzero(&fuzz_answer, sizeof(fuzz_answer_t));
    fuzz_answer.content_length = -2;
}


static ngx_int_t
fuzz_header_filter(ngx_http_request_t *r)
{
    fuzz_answer.headers++;
    fuzz_answer.status = r->headers_out.status;
    fuzz_answer.content_length = r->headers_out.content_length_n;
    fuzz_answer.content_type = r->headers_out.content_type;

    r->header_sent = 1;

    return NGX_OK;
}


static ngx_int_t
fuzz_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    u_char       *p;
    size_t        len;
    ngx_chain_t  *cl;

    if (!r->header_sent) {
        fuzz_fail("body before the header");
    }

    for (cl = in; cl; cl = cl->next) {
        if (cl->buf->in_file) {
            fuzz_fail("a body buffer in a file");
        }

        len = cl->buf->last - cl->buf->pos;

        p = realloc(fuzz_answer.body, fuzz_answer.body_len + len + 1);
        if (p == NULL) {
            abort();
        }

        if (len) {
            memcpy(p + fuzz_answer.body_len, cl->buf->pos, len);
        }

        fuzz_answer.body = p;
        fuzz_answer.body_len += len;

        if (cl->buf->last_buf) {
            fuzz_answer.last_buf++;
        }
    }

    return NGX_OK;
}


ngx_http_request_t *
fuzz_request(ngx_http_autodiscover_loc_conf_t *alcf, const u_char *uri,
    size_t uri_len, const u_char *args, size_t args_len, const u_char *host,
    size_t host_len)
{
    ngx_pool_t          *pool;
    ngx_table_elt_t     *h;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    fuzz_answer_reset();

    pool = ngx_create_pool(1024, fuzz_log);
    if (pool == NULL) {
        abort();
    }

    c = ngx_pcalloc(pool, sizeof(ngx_connection_t));
    r = ngx_pcalloc(pool, sizeof(ngx_http_request_t));

    if (c == NULL || r == NULL) {
        abort();
    }

    c->log = fuzz_log;
    c->pool = pool;
    c->fd = (ngx_socket_t) -1;
    c->read = &fuzz_event;
    c->write = &fuzz_event;

    r->pool = pool;
    r->connection = c;
    r->main = r;
    r->method = NGX_HTTP_GET;
    r->http_version = NGX_HTTP_VERSION_11;
    r->count = 1;

    /* the body, if any, is not ours to read: discarding is a no-op */
    r->discard_body = 1;

    /* the module indexes are fuzz_init()'s */

    r->ctx = ngx_pcalloc(pool, sizeof(void *) * 64);
    r->loc_conf = ngx_pcalloc(pool, sizeof(void *) * 64);
    r->srv_conf = ngx_pcalloc(pool, sizeof(void *) * 64);
    r->main_conf = ngx_pcalloc(pool, sizeof(void *) * 64);

    if (r->ctx == NULL || r->loc_conf == NULL || r->srv_conf == NULL
        || r->main_conf == NULL)
    {
        abort();
    }

    r->loc_conf[ngx_http_autodiscover_module.ctx_index] = alcf;
    r->main_conf[ngx_http_autodiscover_module.ctx_index] = &fuzz_amcf;
    r->srv_conf[ngx_http_core_module.ctx_index] = &fuzz_cscf;

    /* exactly sized copies: ASan sees a read past any of them */

    r->uri.len = uri_len;
    r->uri.data = ngx_pnalloc(pool, uri_len);
    r->args.len = args_len;
    r->args.data = ngx_pnalloc(pool, args_len);

    if ((uri_len && r->uri.data == NULL) || (args_len && r->args.data == NULL))
    {
        abort();
    }

    if (uri_len) {
        ngx_memcpy(r->uri.data, uri, uri_len);
    }

    if (args_len) {
        ngx_memcpy(r->args.data, args, args_len);
    }

    if (ngx_list_init(&r->headers_out.headers, pool, 4,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        abort();
    }

    r->headers_in.content_length_n = -1;
    r->headers_out.content_length_n = -1;

    if (host != NULL) {
        h = ngx_pcalloc(pool, sizeof(ngx_table_elt_t));
        if (h == NULL) {
            abort();
        }

        ngx_str_set(&h->key, "Host");
        h->value.len = host_len;
        h->value.data = ngx_pnalloc(pool, host_len);
        if (host_len && h->value.data == NULL) {
            abort();
        }

        if (host_len) {
            ngx_memcpy(h->value.data, host, host_len);
        }

        h->hash = 1;
        r->headers_in.host = h;
        r->headers_in.server = h->value;
    }

    return r;
}


void
fuzz_request_free(ngx_http_request_t *r)
{
    ngx_destroy_pool(r->pool);
}


ngx_http_autodiscover_loc_conf_t *
fuzz_loc_conf(ngx_pool_t *pool)
{
    ngx_http_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_pcalloc(pool, sizeof(ngx_http_autodiscover_loc_conf_t));
    if (alcf == NULL) {
        abort();
    }

    /* as ngx_http_autodiscover_merge_loc_conf() leaves an unset one */

    alcf->redirect_mode = NGX_HTTP_AUTODISCOVER_REDIRECT_DOCUMENT;
    alcf->fallback_max_redirects = 10;
    alcf->fallback_max_reply = 16384;
    alcf->not_served = NGX_HTTP_AUTODISCOVER_NOT_SERVED_404;
    alcf->max_body = 4096;
    alcf->profile_payloads = NGX_CONF_BITMASK_SET
                   |ngx_http_autodiscover_apple_bit(
                        NGX_HTTP_AUTODISCOVER_APPLE_MAIL)
                   |ngx_http_autodiscover_apple_bit(
                        NGX_HTTP_AUTODISCOVER_APPLE_CALDAV)
                   |ngx_http_autodiscover_apple_bit(
                        NGX_HTTP_AUTODISCOVER_APPLE_CARDDAV);

    /*
     * the directive that binds the handler sets the format; a harness
     * sets its own for each request (POX until then)
     */

    alcf->format =
        &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_POX];

    return alcf;
}


ngx_http_autodiscover_value_t *
fuzz_value(ngx_pool_t *pool, ngx_http_autodiscover_field_t *field,
    const char *s, size_t len)
{
    ngx_http_autodiscover_value_t  *v;

    v = ngx_pcalloc(pool, sizeof(ngx_http_autodiscover_value_t));
    if (v == NULL) {
        abort();
    }

    v->cv.value.len = len;
    v->cv.value.data = ngx_pnalloc(pool, len ? len : 1);
    if (v->cv.value.data == NULL) {
        abort();
    }

    if (len) {
        ngx_memcpy(v->cv.value.data, s, len);
    }

    v->num = NGX_CONF_UNSET;

    if (field->parse(&v->cv.value, &v->num) != NGX_OK) {
        return NULL;
    }

    /* as the directive's compile leaves an empty literal */

    if (len == 0) {
        v->num = NGX_CONF_UNSET;
    }

    return v;
}


ngx_http_autodiscover_value_t *
fuzz_variable(ngx_pool_t *pool, const char *s, size_t len)
{
    u_char                         *p;
    size_t                          size;
    ngx_http_script_copy_code_t    *code;
    ngx_http_autodiscover_value_t  *v;

    v = ngx_pcalloc(pool, sizeof(ngx_http_autodiscover_value_t));
    if (v == NULL) {
        abort();
    }

    v->num = NGX_CONF_UNSET;

    /* as ngx_http_script_add_copy_code() lays them out, then a NULL */

    v->cv.lengths = ngx_pcalloc(pool, sizeof(ngx_http_script_copy_code_t)
                                      + sizeof(uintptr_t));
    if (v->cv.lengths == NULL) {
        abort();
    }

    code = v->cv.lengths;
    code->code = (ngx_http_script_code_pt) (void *)
                                                 ngx_http_script_copy_len_code;
    code->len = len;

    size = (sizeof(ngx_http_script_copy_code_t) + len + sizeof(uintptr_t) - 1)
           & ~(sizeof(uintptr_t) - 1);

    v->cv.values = ngx_pcalloc(pool, size + sizeof(uintptr_t));
    if (v->cv.values == NULL) {
        abort();
    }

    code = v->cv.values;
    code->code = ngx_http_script_copy_code;
    code->len = len;

    p = (u_char *) code + sizeof(ngx_http_script_copy_code_t);

    if (len) {
        ngx_memcpy(p, s, len);
    }

    return v;
}


ngx_int_t
fuzz_protocol(ngx_pool_t *pool, ngx_http_autodiscover_loc_conf_t *alcf,
    const char *type, const char *server, const char *login, ngx_uint_t tls,
    ngx_uint_t port)
{
    char                                 buf[16];
    ngx_http_autodiscover_field_t       *f;
    ngx_http_autodiscover_proto_conf_t  *pc;

    f = ngx_http_autodiscover_fields;

    if (alcf->protocols == NULL) {
        alcf->protocols = ngx_array_create(pool, 4,
                                  sizeof(ngx_http_autodiscover_proto_conf_t));
        if (alcf->protocols == NULL) {
            abort();
        }
    }

    pc = ngx_array_push(alcf->protocols);
    if (pc == NULL) {
        abort();
    }

    ngx_memzero(pc, sizeof(ngx_http_autodiscover_proto_conf_t));

    pc->value[NGX_HTTP_AUTODISCOVER_F_TYPE] =
        fuzz_value(pool, &f[NGX_HTTP_AUTODISCOVER_F_TYPE], type, strlen(type));
    pc->value[NGX_HTTP_AUTODISCOVER_F_SERVER] =
        fuzz_value(pool, &f[NGX_HTTP_AUTODISCOVER_F_SERVER], server,
                   strlen(server));

    if (login != NULL) {
        pc->value[NGX_HTTP_AUTODISCOVER_F_LOGIN] =
            fuzz_value(pool, &f[NGX_HTTP_AUTODISCOVER_F_LOGIN], login,
                       strlen(login));
    }

    if (tls != (ngx_uint_t) -1) {
        const char *names[] = { "ssl", "starttls", "none" };

        pc->value[NGX_HTTP_AUTODISCOVER_F_TLS] =
            fuzz_value(pool, &f[NGX_HTTP_AUTODISCOVER_F_TLS], names[tls],
                       strlen(names[tls]));
    }

    if (port) {
        snprintf(buf, sizeof(buf), "%u", (unsigned) port);
        pc->value[NGX_HTTP_AUTODISCOVER_F_PORT] =
            fuzz_value(pool, &f[NGX_HTTP_AUTODISCOVER_F_PORT], buf,
                       strlen(buf));
    }

    ngx_http_autodiscover_prepare_protocol(pc);

    return NGX_OK;
}


/*
 * the module's own decision on a request read with rc, answered as the
 * module answers it (ngx_http_autodiscover_handler() does the same); the
 * fallback client is not configured in the harnesses
 */

ngx_int_t
fuzz_answer_request(ngx_http_request_t *r, ngx_http_autodiscover_ctx_t *ctx,
    ngx_int_t rc)
{
    if (ngx_http_autodiscover_decide(r, ctx, rc) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->verdict.kind == NGX_HTTP_AUTODISCOVER_V_FALLBACK) {
        fuzz_fail("a fallback verdict, with no fallback configured");
    }

    return ngx_http_autodiscover_respond(r, ctx);
}


void
fuzz_check_answer(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_str_t                    *ct;
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

    if (rc == NGX_HTTP_INTERNAL_SERVER_ERROR && ctx != NULL
        && ctx->verdict.code == NGX_HTTP_AUTODISCOVER_E_BAD_VALUE)
    {
        /* a variable gave an invalid value: a bare 500 in some formats */
        return;
    }

    if (rc == NGX_HTTP_INTERNAL_SERVER_ERROR || rc == NGX_ERROR) {
        /* only an allocation failure may do that, and malloc() does not */
        fuzz_fail("the handler returned %d", (int) rc);
    }

    if (fuzz_answer.headers == 0) {
        /* a status for nginx to send: 302, 400, 404, 405 */

        if (rc != NGX_HTTP_MOVED_TEMPORARILY && rc != NGX_HTTP_BAD_REQUEST
            && rc != NGX_HTTP_NOT_FOUND && rc != NGX_HTTP_NOT_ALLOWED)
        {
            fuzz_fail("no answer, and the handler returned %d", (int) rc);
        }

        if (rc == NGX_HTTP_MOVED_TEMPORARILY
            && (r->headers_out.location == NULL
                || r->headers_out.location->value.len == 0))
        {
            fuzz_fail("a 302 without a Location");
        }

        return;
    }

    if (fuzz_answer.headers != 1) {
        fuzz_fail("the header filter ran %u times",
                  (unsigned) fuzz_answer.headers);
    }

    if (fuzz_answer.content_length != (off_t) fuzz_answer.body_len) {
        fuzz_fail("Content-Length %lld, body of %zu bytes",
                  (long long) fuzz_answer.content_length,
                  fuzz_answer.body_len);
    }

    if (fuzz_answer.last_buf != 1) {
        fuzz_fail("%u last buffers", (unsigned) fuzz_answer.last_buf);
    }

    ct = &fuzz_answer.content_type;

    if (ct->len == sizeof("application/json") - 1
        && ngx_strncmp(ct->data, "application/json", ct->len) == 0)
    {
        fuzz_check_json();

    } else if (ct->len == sizeof("text/plain") - 1
               && ngx_strncmp(ct->data, "text/plain", ct->len) == 0)
    {
        fuzz_check_zone();

    } else {
        fuzz_check_xml();
    }
}


/* UTF-8 as RFC 3629 has it, written out here, not nginx's or the module's */

ngx_uint_t
fuzz_utf8_valid(const u_char *p, size_t len)
{
    size_t    i, n;
    uint32_t  c, min;

    for (i = 0; i < len; i += n) {
        c = p[i];

        if (c < 0x80) {
            n = 1;
            continue;
        }

        if (c >= 0xc2 && c <= 0xdf) {
            n = 2; c &= 0x1f; min = 0x80;

        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3; c &= 0x0f; min = 0x800;

        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4; c &= 0x07; min = 0x10000;

        } else {
            return 0;
        }

        if (len - i < n) {
            return 0;
        }

        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            c = (c << 6) | (p[i + k] & 0x3f);
        }

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


/* an answer that is not UTF-8 is a failure */

static void
fuzz_check_utf8(void)
{
    if (!fuzz_utf8_valid(fuzz_answer.body, fuzz_answer.body_len)) {
        fuzz_fail("the answer is not UTF-8");
    }
}


/* XML: well-formed, and in UTF-8 (libxml2 checks what the prolog says) */

static void
fuzz_check_xml(void)
{
    xmlDocPtr  doc;

    if (fuzz_answer.body_len == 0) {
        fuzz_fail("an empty XML answer");
    }

    fuzz_check_utf8();

    doc = xmlReadMemory((char *) fuzz_answer.body, (int) fuzz_answer.body_len,
                        "answer.xml", NULL,
                        XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING);

    if (doc == NULL) {
        fuzz_fail("the answer is not well-formed XML");
    }

    if (xmlDocGetRootElement(doc) == NULL) {
        xmlFreeDoc(doc);
        fuzz_fail("the answer has no root element");
    }

    xmlFreeDoc(doc);
}


/* JSON (RFC 8259), strictly: one value, UTF-8 strings */

typedef struct {
    const u_char  *p;
    const u_char  *last;
    ngx_uint_t     depth;
} fuzz_json_t;


static ngx_int_t fuzz_json_value(fuzz_json_t *j);
static ngx_int_t fuzz_json_number(fuzz_json_t *j);
static ngx_int_t fuzz_json_digits(fuzz_json_t *j);
static ngx_int_t fuzz_json_literal(fuzz_json_t *j);


static void
fuzz_json_ws(fuzz_json_t *j)
{
    while (j->p < j->last
           && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n'
               || *j->p == '\r'))
    {
        j->p++;
    }
}


static ngx_int_t
fuzz_json_string(fuzz_json_t *j)
{
    u_char     *p;
    uint32_t    c;
    ngx_uint_t  i;

    if (j->p >= j->last || *j->p != '"') {
        return NGX_ERROR;
    }

    j->p++;

    while (j->p < j->last) {

        if (*j->p == '"') {
            j->p++;
            return NGX_OK;
        }

        if (*j->p < 0x20) {
            return NGX_ERROR;
        }

        if (*j->p == '\\') {
            j->p++;

            if (j->p >= j->last) {
                return NGX_ERROR;
            }

            switch (*j->p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n':
            case 'r': case 't':
                j->p++;
                continue;

            case 'u':
                j->p++;

                for (i = 0; i < 4; i++) {
                    if (j->p >= j->last || !isxdigit(*j->p)) {
                        return NGX_ERROR;
                    }

                    j->p++;
                }

                continue;

            default:
                return NGX_ERROR;
            }
        }

        if (*j->p >= 0x80) {
            p = (u_char *) j->p;
            c = ngx_http_autodiscover_utf8(&p, (u_char *) j->last);

            if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8) {
                return NGX_ERROR;
            }

            j->p = p;
            continue;
        }

        j->p++;
    }

    return NGX_ERROR;
}


static ngx_int_t
fuzz_json_value(fuzz_json_t *j)
{
    ngx_uint_t  first;

    if (++j->depth > 32) {
        return NGX_ERROR;
    }

    fuzz_json_ws(j);

    if (j->p >= j->last) {
        return NGX_ERROR;
    }

    if (*j->p == '"') {
        j->depth--;
        return fuzz_json_string(j);
    }

    if (*j->p == '{' || *j->p == '[') {
        u_char  close = (*j->p == '{') ? '}' : ']';
        u_char  open = *j->p;

        j->p++;
        first = 1;

        for ( ;; ) {
            fuzz_json_ws(j);

            if (j->p < j->last && *j->p == close) {
                j->p++;
                j->depth--;
                return NGX_OK;
            }

            if (!first) {
                if (j->p >= j->last || *j->p != ',') {
                    return NGX_ERROR;
                }

                j->p++;
                fuzz_json_ws(j);
            }

            first = 0;

            if (open == '{') {
                if (fuzz_json_string(j) != NGX_OK) {
                    return NGX_ERROR;
                }

                fuzz_json_ws(j);

                if (j->p >= j->last || *j->p != ':') {
                    return NGX_ERROR;
                }

                j->p++;
            }

            if (fuzz_json_value(j) != NGX_OK) {
                return NGX_ERROR;
            }
        }
    }

    /* numbers (the records' TTL, ports, days) and the three literals */

    j->depth--;

    if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
        return fuzz_json_number(j);
    }

    return fuzz_json_literal(j);
}


/* RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */

static ngx_int_t
fuzz_json_number(fuzz_json_t *j)
{
    if (j->p < j->last && *j->p == '-') {
        j->p++;
    }

    if (j->p >= j->last || *j->p < '0' || *j->p > '9') {
        return NGX_ERROR;
    }

    if (*j->p++ != '0') {
        while (j->p < j->last && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }

    if (j->p < j->last && *j->p == '.') {
        j->p++;

        if (fuzz_json_digits(j) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (j->p < j->last && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;

        if (j->p < j->last && (*j->p == '+' || *j->p == '-')) {
            j->p++;
        }

        if (fuzz_json_digits(j) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* one digit or more */

static ngx_int_t
fuzz_json_digits(fuzz_json_t *j)
{
    const u_char  *start;

    start = j->p;

    while (j->p < j->last && *j->p >= '0' && *j->p <= '9') {
        j->p++;
    }

    return (j->p > start) ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
fuzz_json_literal(fuzz_json_t *j)
{
    size_t       len;
    ngx_uint_t   i;

    static const char  *literals[] = { "true", "false", "null" };

    for (i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
        len = ngx_strlen(literals[i]);

        if ((size_t) (j->last - j->p) >= len
            && ngx_strncmp(j->p, literals[i], len) == 0)
        {
            j->p += len;
            return NGX_OK;
        }
    }

    return NGX_ERROR;
}


static void
fuzz_check_json(void)
{
    fuzz_json_t  j;

    fuzz_check_utf8();

    j.p = fuzz_answer.body;
    j.last = fuzz_answer.body + fuzz_answer.body_len;
    j.depth = 0;

    if (fuzz_json_value(&j) != NGX_OK) {
        fuzz_fail("the answer is not valid JSON (at byte %d)",
                  (int) (j.p - fuzz_answer.body));
    }

    fuzz_json_ws(&j);

    if (j.p != j.last) {
        fuzz_fail("trailing bytes after the JSON value");
    }
}


/*
 * a zone-file fragment (autodiscover_records): whole lines of printable
 * ASCII, so that nothing of a request starts a record of its own
 */

static void
fuzz_check_zone(void)
{
    size_t   i;
    u_char   c;

    if (fuzz_answer.body_len == 0
        || fuzz_answer.body[fuzz_answer.body_len - 1] != '\n')
    {
        fuzz_fail("the zone text does not end with a whole line");
    }

    for (i = 0; i < fuzz_answer.body_len; i++) {
        c = fuzz_answer.body[i];

        if (c != '\n' && (c < 0x20 || c > 0x7e)) {
            fuzz_fail("byte 0x%02x at %zu of the zone text", c, i);
        }
    }
}


void
fuzz_scratch_size(size_t size)
{
    fuzz_amcf.scratch_size = ngx_min(size, sizeof(fuzz_scratch));
}

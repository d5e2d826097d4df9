
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * What operators watch: what a request got ($autodiscover_outcome, from
 * the verdict), the client family ($autodiscover_client, from the
 * request), and the counters of autodiscover_metrics_zone, a shared
 * memory zone every worker adds to atomically.  Requests are counted
 * once, in the log phase, from what the verdict and the request say;
 * autodiscover_metrics answers the counters in the Prometheus text
 * exposition format, version 0.0.4.
 */


/* request body sizes: the upper bounds of the histogram's buckets */

#define NGX_HTTP_AUTODISCOVER_BUCKETS  7

#define NGX_HTTP_AUTODISCOVER_CONTENT_TYPE                                    \
    "text/plain; version=0.0.4; charset=utf-8"


/* in the shared zone: every counter an ngx_atomic_t */

typedef struct {
    ngx_atomic_t   requests[NGX_HTTP_AUTODISCOVER_FMT_COUNT]
                           [NGX_HTTP_AUTODISCOVER_O_COUNT];
    ngx_atomic_t   clients[NGX_HTTP_AUTODISCOVER_C_COUNT];
    ngx_atomic_t   fallback_hops;
    ngx_atomic_t   fallback[NGX_HTTP_AUTODISCOVER_FB_COUNT];
    ngx_atomic_t   signatures[2];           /* made, failed */
    ngx_atomic_t   refusals[NGX_HTTP_AUTODISCOVER_R_COUNT];
    ngx_atomic_t   body_bucket[NGX_HTTP_AUTODISCOVER_BUCKETS + 1];
    ngx_atomic_t   body_sum;
    ngx_atomic_t   body_count;
} ngx_http_autodiscover_counters_t;


/* the zone's configuration-time side, its shm_zone->data */

typedef struct {
    ngx_http_autodiscover_counters_t  *counters;
} ngx_http_autodiscover_zone_t;


/* a User-Agent token, lower case, and the family it says */

typedef struct {
    ngx_str_t                          token;
    ngx_http_autodiscover_family_e     family;
} ngx_http_autodiscover_token_t;


static ngx_int_t ngx_http_autodiscover_metrics_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static ngx_int_t ngx_http_autodiscover_metrics_log(ngx_http_request_t *r);
static ngx_int_t ngx_http_autodiscover_metrics_handler(
    ngx_http_request_t *r);
static void ngx_http_autodiscover_metrics_render(
    ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_counters_t *c);
static void ngx_http_autodiscover_metrics_family(
    ngx_http_autodiscover_out_t *out, const char *name, const char *type,
    const char *help);
static void ngx_http_autodiscover_metrics_sample(
    ngx_http_autodiscover_out_t *out, const char *name, const char *label,
    const ngx_str_t *value, ngx_atomic_uint_t n);
static void ngx_http_autodiscover_metrics_str(ngx_http_autodiscover_out_t *out,
    const char *s);


ngx_str_t  ngx_http_autodiscover_outcome_names[] = {
    ngx_string("settings"),
    ngx_string("redirect-url"),
    ngx_string("redirect-addr"),
    ngx_string("redirect-http"),
    ngx_string("unavailable"),
    ngx_string("error-500"),
    ngx_string("error-501"),
    ngx_string("error-600"),
    ngx_string("error-601"),
    ngx_string("error-602"),
    ngx_string("error-603"),
    ngx_string("not-served"),
    ngx_string("not-allowed"),
    ngx_string("relayed"),
    ngx_string("fallback-failed"),
    ngx_string("failed")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_outcome_names,
                                  NGX_HTTP_AUTODISCOVER_O_COUNT);


ngx_str_t  ngx_http_autodiscover_family_names[] = {
    ngx_string("outlook"),
    ngx_string("activesync"),
    ngx_string("thunderbird"),
    ngx_string("apple"),
    ngx_string("other")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_family_names,
                                  NGX_HTTP_AUTODISCOVER_C_COUNT);


static ngx_str_t  ngx_http_autodiscover_refusal_names[] = {
    ngx_null_string,
    ngx_string("too-large"),
    ngx_string("empty"),
    ngx_string("prohibited"),
    ngx_string("malformed"),
    ngx_string("limit"),
    ngx_string("content"),
    ngx_string("url")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_refusal_names,
                                  NGX_HTTP_AUTODISCOVER_R_COUNT);


static ngx_str_t  ngx_http_autodiscover_fallback_names[] = {
    ngx_string("failed"),
    ngx_string("relayed"),
    ngx_string("redirect"),
    ngx_string("here")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_fallback_names,
                                  NGX_HTTP_AUTODISCOVER_FB_COUNT);


static ngx_str_t  ngx_http_autodiscover_signature_names[] = {
    ngx_string("made"),
    ngx_string("failed")
};


static off_t  ngx_http_autodiscover_buckets[] = {
    256, 512, 1024, 2048, 4096, 16384, 65536
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_buckets,
                                  NGX_HTTP_AUTODISCOVER_BUCKETS);


static ngx_str_t  ngx_http_autodiscover_bucket_names[] = {
    ngx_string("256"),
    ngx_string("512"),
    ngx_string("1024"),
    ngx_string("2048"),
    ngx_string("4096"),
    ngx_string("16384"),
    ngx_string("65536"),
    ngx_string("+Inf")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_bucket_names,
                                  NGX_HTTP_AUTODISCOVER_BUCKETS + 1);


/*
 * the rules of $autodiscover_client: these tokens anywhere in User-Agent,
 * the family of highest rank found (Thunderbird and Outlook on a Mac name
 * the Mac too; Android's browsers say "AppleWebKit", which is not a token
 * here), then a request in the mobilesync schema; else "other".  The
 * tokens are in lower case, and each starts with one of the letters
 * ngx_http_autodiscover_family() looks for.
 */

static ngx_http_autodiscover_token_t  ngx_http_autodiscover_tokens[] = {
    { ngx_string("thunderbird"), NGX_HTTP_AUTODISCOVER_C_THUNDERBIRD },
    { ngx_string("microsoft office"), NGX_HTTP_AUTODISCOVER_C_OUTLOOK },
    { ngx_string("outlook"), NGX_HTTP_AUTODISCOVER_C_OUTLOOK },
    { ngx_string("activesync"), NGX_HTTP_AUTODISCOVER_C_ACTIVESYNC },
    { ngx_string("msft-"), NGX_HTTP_AUTODISCOVER_C_ACTIVESYNC },
    { ngx_string("android-mail"), NGX_HTTP_AUTODISCOVER_C_ACTIVESYNC },
    { ngx_string("iphone"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_string("ipad"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_string("ios/"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_string("mac os x"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_string("macintosh"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_string("darwin"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_string("dataaccessd"), NGX_HTTP_AUTODISCOVER_C_APPLE },
    { ngx_null_string, 0 }
};


/* the rank of each family's tokens: the lowest wins */

static ngx_uint_t  ngx_http_autodiscover_family_rank[] = {
    1,      /* outlook */
    2,      /* activesync */
    0,      /* thunderbird */
    3,      /* apple */
    4       /* other */
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_family_rank,
                                  NGX_HTTP_AUTODISCOVER_C_COUNT);


/*
 * what the request got: its verdict, unless there was none, or nginx
 * sent a 500 where the verdict's answer is not one
 */

ngx_http_autodiscover_outcome_e
ngx_http_autodiscover_outcome(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t  status;

    if (!ctx->decided) {
        return NGX_HTTP_AUTODISCOVER_O_FAILED;
    }

    status = r->err_status ? r->err_status : r->headers_out.status;

    if (status == NGX_HTTP_INTERNAL_SERVER_ERROR
        && ctx->format->answer[ctx->verdict.kind].status
           != NGX_HTTP_INTERNAL_SERVER_ERROR)
    {
        return NGX_HTTP_AUTODISCOVER_O_FAILED;
    }

    switch (ctx->verdict.kind) {

    case NGX_HTTP_AUTODISCOVER_V_SETTINGS:
        return NGX_HTTP_AUTODISCOVER_O_SETTINGS;

    case NGX_HTTP_AUTODISCOVER_V_REDIRECT_URL:
        return NGX_HTTP_AUTODISCOVER_O_REDIRECT_URL;

    case NGX_HTTP_AUTODISCOVER_V_REDIRECT_ADDR:
        return NGX_HTTP_AUTODISCOVER_O_REDIRECT_ADDR;

    case NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP:
        return NGX_HTTP_AUTODISCOVER_O_REDIRECT_HTTP;

    case NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE:
        return NGX_HTTP_AUTODISCOVER_O_UNAVAILABLE;

    case NGX_HTTP_AUTODISCOVER_V_INVALID:
    case NGX_HTTP_AUTODISCOVER_V_ERROR:

        if (ctx->client != NULL
            && ctx->client->result == NGX_HTTP_AUTODISCOVER_FB_FAILED)
        {
            return NGX_HTTP_AUTODISCOVER_O_FALLBACK_FAILED;
        }

        switch (ctx->verdict.code) {
        case NGX_HTTP_AUTODISCOVER_E_NOT_FOUND:
            return NGX_HTTP_AUTODISCOVER_O_ERROR_500;
        case NGX_HTTP_AUTODISCOVER_E_NO_SETTINGS:
            return NGX_HTTP_AUTODISCOVER_O_ERROR_501;
        case NGX_HTTP_AUTODISCOVER_E_INVALID:
            return NGX_HTTP_AUTODISCOVER_O_ERROR_600;
        case NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER:
            return NGX_HTTP_AUTODISCOVER_O_ERROR_601;
        case NGX_HTTP_AUTODISCOVER_E_BAD_VALUE:
            return NGX_HTTP_AUTODISCOVER_O_ERROR_602;
        case NGX_HTTP_AUTODISCOVER_E_INTERNAL:
            return NGX_HTTP_AUTODISCOVER_O_ERROR_603;
        default:
            return NGX_HTTP_AUTODISCOVER_O_FAILED;
        }

    case NGX_HTTP_AUTODISCOVER_V_NOT_SERVED:
        return NGX_HTTP_AUTODISCOVER_O_NOT_SERVED;

    case NGX_HTTP_AUTODISCOVER_V_NOT_ALLOWED:
        return NGX_HTTP_AUTODISCOVER_O_NOT_ALLOWED;

    case NGX_HTTP_AUTODISCOVER_V_RELAYED:
        return NGX_HTTP_AUTODISCOVER_O_RELAYED;

    default: /* NGX_HTTP_AUTODISCOVER_V_FALLBACK: it never started */
        return NGX_HTTP_AUTODISCOVER_O_FAILED;
    }
}


/*
 * one pass over User-Agent, the tokens compared only where a letter that
 * starts one is: a few instructions a byte
 */

ngx_http_autodiscover_family_e
ngx_http_autodiscover_family(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    u_char                          c, *p, *last;
    ngx_http_autodiscover_token_t  *t;
    ngx_http_autodiscover_family_e  family;

    /* the first letters of the tokens, either case: a d i m o t */

    static uint32_t   first[] = {
        0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */

                    /* ?>=< ;:98 7654 3210  /.-, +*)( '&%$ #"!  */
        0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */

                    /* _^]\ [ZYX WVUT SRQP  ONML KJIH GFED CBA@ */
        0x0010a212, /* 0000 0000 0001 0000  1010 0010 0001 0010 */

                    /*  ~}| {zyx wvut srqp  onml kjih gfed cba` */
        0x0010a212, /* 0000 0000 0001 0000  1010 0010 0001 0010 */

        0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */
        0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */
        0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */
        0x00000000  /* 0000 0000 0000 0000  0000 0000 0000 0000 */
    };

    family = NGX_HTTP_AUTODISCOVER_C_OTHER;

    if (r->headers_in.user_agent != NULL) {
        p = r->headers_in.user_agent->value.data;
        last = p + r->headers_in.user_agent->value.len;

        for ( /* void */ ; p < last; p++) {
            if (!(first[*p >> 5] & (1U << (*p & 0x1f)))) {
                continue;
            }

            c = ngx_tolower(*p);

            for (t = ngx_http_autodiscover_tokens; t->token.len; t++) {
                if (t->token.data[0] == c
                    && (size_t) (last - p) >= t->token.len
                    && ngx_http_autodiscover_family_rank[t->family]
                       < ngx_http_autodiscover_family_rank[family]
                    && ngx_strncasecmp(p, t->token.data, t->token.len) == 0)
                {
                    family = t->family;
                }
            }

            if (family == NGX_HTTP_AUTODISCOVER_C_THUNDERBIRD) {
                break;
            }
        }

        if (family != NGX_HTTP_AUTODISCOVER_C_OTHER) {
            return family;
        }
    }

    if (ctx->format
        == &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_ACTIVESYNC])
    {
        return NGX_HTTP_AUTODISCOVER_C_ACTIVESYNC;
    }

    return NGX_HTTP_AUTODISCOVER_C_OTHER;
}


/* autodiscover_metrics_zone name:size */

char *
ngx_http_autodiscover_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_main_conf_t *amcf = conf;

    u_char                        *p;
    ssize_t                        size;
    ngx_str_t                     *value, name, s;
    ngx_http_autodiscover_zone_t  *zone;

    if (amcf->metrics_zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    p = (u_char *) ngx_strchr(value[1].data, ':');

    if (p == NULL || p == value[1].data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone \"%V\", it must be name:size",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    name.data = value[1].data;
    name.len = p - value[1].data;

    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small", &value[1]);
        return NGX_CONF_ERROR;
    }

    zone = ngx_pcalloc(cf->pool, sizeof(ngx_http_autodiscover_zone_t));
    if (zone == NULL) {
        return NGX_CONF_ERROR;
    }

    amcf->metrics_zone = ngx_shared_memory_add(cf, &name, size,
                                               &ngx_http_autodiscover_module);
    if (amcf->metrics_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (amcf->metrics_zone->data != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate zone \"%V\"", &name);
        return NGX_CONF_ERROR;
    }

    amcf->metrics_zone->init = ngx_http_autodiscover_metrics_init_zone;
    amcf->metrics_zone->data = zone;

    return NGX_CONF_OK;
}


/*
 * a zone nginx keeps across a reload (the same name and size) keeps its
 * counters: data is then the old cycle's side of it
 */

static ngx_int_t
ngx_http_autodiscover_metrics_init_zone(ngx_shm_zone_t *shm_zone,
    void *data)
{
    ngx_http_autodiscover_zone_t *ozone = data;

    ngx_slab_pool_t               *shpool;
    ngx_http_autodiscover_zone_t  *zone;

    zone = shm_zone->data;

    if (ozone != NULL) {
        zone->counters = ozone->counters;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->counters = shpool->data;
        return NGX_OK;
    }

    zone->counters = ngx_slab_calloc(shpool,
                                     sizeof(ngx_http_autodiscover_counters_t));
    if (zone->counters == NULL) {
        return NGX_ERROR;
    }

    shpool->data = zone->counters;

    return NGX_OK;
}


/* autodiscover_metrics: the location answers the counters */

char *
ngx_http_autodiscover_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_autodiscover_main_conf_t  *amcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler == ngx_http_autodiscover_metrics_handler) {
        return "is duplicate";
    }

    if (clcf->handler != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"autodiscover_metrics\" cannot share a location "
                           "with another content handler");
        return NGX_CONF_ERROR;
    }

    clcf->handler = ngx_http_autodiscover_metrics_handler;

    amcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_autodiscover_module);
    amcf->metrics_endpoint = 1;

    return NGX_CONF_OK;
}


/* postconfiguration: with a zone, requests are counted in the log phase */

ngx_int_t
ngx_http_autodiscover_metrics_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt                *h;
    ngx_http_core_main_conf_t          *cmcf;
    ngx_http_autodiscover_main_conf_t  *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_autodiscover_module);

    if (amcf->metrics_zone == NULL) {
        if (amcf->metrics_endpoint) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"autodiscover_metrics\" requires "
                               "\"autodiscover_metrics_zone\"");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_autodiscover_metrics_log;

    return NGX_OK;
}


/* the one place a request is counted: a few atomic additions */

static ngx_int_t
ngx_http_autodiscover_metrics_log(ngx_http_request_t *r)
{
    ngx_uint_t                          i, fmt;
    ngx_http_autodiscover_ctx_t        *ctx;
    ngx_http_autodiscover_zone_t       *zone;
    ngx_http_autodiscover_client_t     *c;
    ngx_http_autodiscover_counters_t   *m;
    ngx_http_autodiscover_main_conf_t  *amcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

    if (ctx == NULL || r != r->main) {
        return NGX_OK;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);
    zone = amcf->metrics_zone->data;
    m = zone->counters;

    fmt = ctx->format - ngx_http_autodiscover_formats;

    (void) ngx_atomic_fetch_add(
                &m->requests[fmt][ngx_http_autodiscover_outcome(r, ctx)], 1);
    (void) ngx_atomic_fetch_add(
                &m->clients[ngx_http_autodiscover_family(r, ctx)], 1);

    if (ctx->body_seen) {
        for (i = 0; i < NGX_HTTP_AUTODISCOVER_BUCKETS; i++) {
            if (ctx->body_size <= ngx_http_autodiscover_buckets[i]) {
                break;
            }
        }

        (void) ngx_atomic_fetch_add(&m->body_bucket[i], 1);
        (void) ngx_atomic_fetch_add(&m->body_sum,
                                    (ngx_atomic_int_t) ctx->body_size);
        (void) ngx_atomic_fetch_add(&m->body_count, 1);
    }

    if (ctx->refusal != NGX_HTTP_AUTODISCOVER_R_NONE) {
        (void) ngx_atomic_fetch_add(&m->refusals[ctx->refusal], 1);
    }

    if (ctx->signature != NGX_HTTP_AUTODISCOVER_SIG_NONE) {
        (void) ngx_atomic_fetch_add(&m->signatures[ctx->signature - 1], 1);
    }

    c = ctx->client;

    if (c != NULL) {
        (void) ngx_atomic_fetch_add(&m->fallback_hops, c->hops);
        (void) ngx_atomic_fetch_add(&m->fallback[c->result], 1);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_metrics_handler(ngx_http_request_t *r)
{
    ngx_int_t                           rc;
    ngx_buf_t                          *b;
    ngx_chain_t                         out;
    ngx_http_autodiscover_out_t         o;
    ngx_http_autodiscover_zone_t       *zone;
    ngx_http_autodiscover_counters_t   *snapshot;
    ngx_http_autodiscover_main_conf_t  *amcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);
    zone = amcf->metrics_zone->data;

    /* the counters move while they are written: written from a copy */

    snapshot = ngx_palloc(r->pool, sizeof(ngx_http_autodiscover_counters_t));
    if (snapshot == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(snapshot, zone->counters,
               sizeof(ngx_http_autodiscover_counters_t));

    ngx_memzero(&o, sizeof(ngx_http_autodiscover_out_t));

    ngx_http_autodiscover_metrics_render(&o, snapshot);

    b = ngx_create_temp_buf(r->pool, o.len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    o.pos = b->pos;
    o.end = b->pos + o.len;
    o.len = 0;

    ngx_http_autodiscover_metrics_render(&o, snapshot);

    if (o.overflow || o.pos != o.end) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "autodiscover: rendered %uz bytes of metrics instead "
                      "of %uz", o.len, (size_t) (b->end - b->pos));
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = o.pos;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;
    ngx_str_set(&r->headers_out.content_type,
                NGX_HTTP_AUTODISCOVER_CONTENT_TYPE);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* the exposition, from a copy of the counters: both passes write alike */

static void
ngx_http_autodiscover_metrics_render(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_counters_t *c)
{
    ngx_uint_t         i, j;
    ngx_atomic_uint_t  n;

    ngx_http_autodiscover_metrics_family(out, "autodiscover_requests_total",
        "counter",
        "Requests answered, by surface (the format answered) and outcome; "
        "only the pairs counted so far.");

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_FMT_COUNT; i++) {
        for (j = 0; j < NGX_HTTP_AUTODISCOVER_O_COUNT; j++) {
            if (c->requests[i][j] == 0) {
                continue;
            }

            ngx_http_autodiscover_metrics_str(out,
                                            "autodiscover_requests_total"
                                            "{surface=\"");
            ngx_http_autodiscover_out_raw(out,
                                   ngx_http_autodiscover_formats[i].name.data,
                                   ngx_http_autodiscover_formats[i].name.len);
            ngx_http_autodiscover_metrics_sample(out, NULL, "\",outcome",
                                   &ngx_http_autodiscover_outcome_names[j],
                                   c->requests[i][j]);
        }
    }

    ngx_http_autodiscover_metrics_family(out,
        "autodiscover_client_requests_total", "counter",
        "Requests answered, by client family (User-Agent, schema).");

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_C_COUNT; i++) {
        ngx_http_autodiscover_metrics_sample(out,
                                        "autodiscover_client_requests_total",
                                        "client",
                                        &ngx_http_autodiscover_family_names[i],
                                        c->clients[i]);
    }

    ngx_http_autodiscover_metrics_family(out,
        "autodiscover_fallback_hops_total", "counter",
        "Subrequests made to autodiscover_fallback, redirects followed "
        "included.");
    ngx_http_autodiscover_metrics_sample(out,
                                         "autodiscover_fallback_hops_total",
                                         NULL, NULL, c->fallback_hops);

    ngx_http_autodiscover_metrics_family(out,
        "autodiscover_fallback_results_total", "counter",
        "Requests passed to the fallback, by how the chain ended.");

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_FB_COUNT; i++) {
        ngx_http_autodiscover_metrics_sample(out,
                                      "autodiscover_fallback_results_total",
                                      "result",
                                      &ngx_http_autodiscover_fallback_names[i],
                                      c->fallback[i]);
    }

    ngx_http_autodiscover_metrics_family(out,
        "autodiscover_signatures_total", "counter",
        "Apple profile signatures, made per request (there is no cache).");

    for (i = 0; i < 2; i++) {
        ngx_http_autodiscover_metrics_sample(out,
                                     "autodiscover_signatures_total",
                                     "result",
                                     &ngx_http_autodiscover_signature_names[i],
                                     c->signatures[i]);
    }

    ngx_http_autodiscover_metrics_family(out,
        "autodiscover_refusals_total", "counter",
        "Requests refused before the decision, by reason.");

    for (i = 1; i < NGX_HTTP_AUTODISCOVER_R_COUNT; i++) {
        ngx_http_autodiscover_metrics_sample(out,
                                       "autodiscover_refusals_total",
                                       "reason",
                                       &ngx_http_autodiscover_refusal_names[i],
                                       c->refusals[i]);
    }

    ngx_http_autodiscover_metrics_family(out,
        "autodiscover_request_body_bytes", "histogram",
        "Sizes of the request bodies POSTed, or declared by those refused "
        "as too large.");

    n = 0;

    for (i = 0; i <= NGX_HTTP_AUTODISCOVER_BUCKETS; i++) {
        n += c->body_bucket[i];
        ngx_http_autodiscover_metrics_sample(out,
                                         "autodiscover_request_body_bytes"
                                         "_bucket", "le",
                                         &ngx_http_autodiscover_bucket_names[i],
                                         n);
    }

    ngx_http_autodiscover_metrics_sample(out,
                                         "autodiscover_request_body_bytes_sum",
                                         NULL, NULL, c->body_sum);
    ngx_http_autodiscover_metrics_sample(out,
                                       "autodiscover_request_body_bytes_count",
                                       NULL, NULL, n);
}


static void
ngx_http_autodiscover_metrics_family(ngx_http_autodiscover_out_t *out,
    const char *name, const char *type, const char *help)
{
    ngx_http_autodiscover_out_literal(out, "# HELP ");
    ngx_http_autodiscover_metrics_str(out, name);
    ngx_http_autodiscover_out_literal(out, " ");
    ngx_http_autodiscover_metrics_str(out, help);
    ngx_http_autodiscover_out_literal(out, "\n# TYPE ");
    ngx_http_autodiscover_metrics_str(out, name);
    ngx_http_autodiscover_out_literal(out, " ");
    ngx_http_autodiscover_metrics_str(out, type);
    ngx_http_autodiscover_out_literal(out, "\n");
}


/*
 * name{label="value"} n, or name n without a label; name NULL continues
 * a sample whose start is written, label then ending the last value
 */

static void
ngx_http_autodiscover_metrics_sample(ngx_http_autodiscover_out_t *out,
    const char *name, const char *label, const ngx_str_t *value,
    ngx_atomic_uint_t n)
{
    u_char  *p, num[NGX_ATOMIC_T_LEN + 2];

    if (name != NULL) {
        ngx_http_autodiscover_metrics_str(out, name);

        if (label != NULL) {
            ngx_http_autodiscover_out_literal(out, "{");
        }
    }

    if (label != NULL) {
        ngx_http_autodiscover_metrics_str(out, label);
        ngx_http_autodiscover_out_literal(out, "=\"");
        ngx_http_autodiscover_out_raw(out, value->data, value->len);
        ngx_http_autodiscover_out_literal(out, "\"}");
    }

    p = ngx_sprintf(num, " %uA\n", n);
    ngx_http_autodiscover_out_raw(out, num, p - num);
}


static void
ngx_http_autodiscover_metrics_str(ngx_http_autodiscover_out_t *out,
    const char *s)
{
    ngx_http_autodiscover_out_raw(out, (u_char *) s, ngx_strlen(s));
}

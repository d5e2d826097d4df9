
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


static u_char *ngx_http_autodiscover_out_reserve(
    ngx_http_autodiscover_out_t *out, size_t len);
static size_t ngx_http_autodiscover_xml_len(const ngx_str_t *value);
static u_char *ngx_http_autodiscover_xml_copy(u_char *dst,
    const ngx_str_t *value, size_t len);


/* MS-OXDSCLI 2.2.4.1.1.3.2 */

typedef struct {
    ngx_http_autodiscover_code_e   code;
    ngx_str_t                      message;
} ngx_http_autodiscover_error_t;


/*
 * 500 as Exchange words it, which is also the text clients match
 * (exchangelib maps exactly this one, and "The email address can't be
 * found.", to a missing mailbox); MS-OXDSCLI's table has no hyphen
 */

static ngx_http_autodiscover_error_t  ngx_http_autodiscover_errors[] = {
    { NGX_HTTP_AUTODISCOVER_E_NOT_FOUND,
      ngx_string("The e-mail address cannot be found.") },
    { NGX_HTTP_AUTODISCOVER_E_NO_SETTINGS, ngx_string("Bad Address") },
    { NGX_HTTP_AUTODISCOVER_E_INVALID, ngx_string("Invalid Request") },
    { NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER,
      ngx_string("Provider is not available") },
    { NGX_HTTP_AUTODISCOVER_E_BAD_VALUE, ngx_string("Bad Address") },
    { NGX_HTTP_AUTODISCOVER_E_INTERNAL,
      ngx_string("The Autodiscover server threw an internal error.") },
    { NGX_HTTP_AUTODISCOVER_E_NONE, ngx_null_string }
};


static u_char  ngx_http_autodiscover_hex[] = "0123456789abcdef";


/* what escaping adds to a byte of XML text: &lt; &gt; &amp; &quot; &apos; */

const u_char  ngx_http_autodiscover_xml_extra[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 5, 0, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0,     /*  "   &' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0      /* < > */
};

const ngx_str_t  ngx_http_autodiscover_on_off[] = {
    ngx_string("off"),
    ngx_string("on")
};


/*
 * renders once into the worker's scratch buffer and copies the answer
 * into a buffer of exactly its size; an answer that does not fit there is
 * measured by that pass and rendered again, into its own buffer
 */

ngx_int_t
ngx_http_autodiscover_render(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_render_pt render,
    ngx_str_t *body)
{
    size_t                              len;
    ngx_http_autodiscover_out_t         o;
    ngx_http_autodiscover_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);

    ngx_memzero(&o, sizeof(ngx_http_autodiscover_out_t));

    o.pos = amcf->scratch;
    o.end = amcf->scratch + amcf->scratch_size;

    render(&o, ctx);

    len = o.len;

    body->data = ngx_pnalloc(r->pool, len);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    body->len = len;

    if (!o.overflow) {
        ngx_memcpy(body->data, amcf->scratch, len);
        return NGX_OK;
    }

    /* the second pass can never write past the end, whatever happens */

    o.pos = body->data;
    o.end = body->data + len;
    o.len = 0;
    o.overflow = 0;

    render(&o, ctx);

    if (o.overflow || o.len != len || o.pos != o.end) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "autodiscover: rendered %uz bytes instead of %uz",
                      o.len, len);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * a protocol's part of an answer, rendered when the configuration is read
 * with the holes that ngx_http_autodiscover_template_protocol() put in p
 * (a 0x01 byte, then 'A' plus the field), cut into pieces at the holes
 */

ngx_int_t
ngx_http_autodiscover_make_template(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_render_pt render,
    const ngx_http_autodiscover_proto_t *p,
    ngx_http_autodiscover_template_t **template)
{
    u_char                            *start, *q, *last;
    ngx_uint_t                         n;
    ngx_http_autodiscover_out_t        out;
    ngx_http_autodiscover_piece_t     *piece;
    ngx_http_autodiscover_template_t  *t;

    ngx_memzero(&out, sizeof(ngx_http_autodiscover_out_t));

    render(&out, p);

    start = ngx_pnalloc(cf->pool, out.len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    last = start + out.len;

    out.pos = start;
    out.end = last;
    out.len = 0;

    render(&out, p);

    if (out.overflow || out.pos != last) {
        return NGX_ERROR;
    }

    n = 1;

    for (q = start; q < last; q++) {
        if (*q == '\x01') {
            n++;
        }
    }

    t = ngx_palloc(cf->pool, sizeof(ngx_http_autodiscover_template_t));
    if (t == NULL) {
        return NGX_ERROR;
    }

    t->piece = ngx_palloc(cf->pool, n * sizeof(ngx_http_autodiscover_piece_t));
    if (t->piece == NULL) {
        return NGX_ERROR;
    }

    t->n = n;

    piece = t->piece;
    piece->text.data = start;

    for (q = start; q < last; q++) {
        if (*q != '\x01') {
            continue;
        }

        piece->text.len = q - piece->text.data;
        piece->field = q[1] - 'A';
        piece++;

        q++;
        piece->text.data = q + 1;
    }

    piece->text.len = last - piece->text.data;
    piece->field = NGX_ERROR;

    *template = t;

    return NGX_OK;
}


/*
 * the pieces of a template with this request's values in its holes,
 * escaped; NGX_DECLINED, and nothing written, when there is no template
 * or a hole's value is empty (the part is then rendered whole, without
 * the element that value would have)
 */

ngx_int_t
ngx_http_autodiscover_out_template(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_template_t *t,
    const ngx_http_autodiscover_proto_t *p)
{
    ngx_uint_t                            i;
    const ngx_str_t                      *s;
    const ngx_http_autodiscover_piece_t  *piece;

    if (t == NULL) {
        return NGX_DECLINED;
    }

    s = p->str;
    piece = t->piece;

    for (i = 0; i < t->n - 1; i++) {
        if (s[piece[i].field].len == 0) {
            return NGX_DECLINED;
        }
    }

    for (i = 0; i < t->n - 1; i++) {
        ngx_http_autodiscover_out_put(out, piece[i].text.data,
                                      piece[i].text.len);
        ngx_http_autodiscover_out_put_xml(out, &s[piece[i].field]);
    }

    ngx_http_autodiscover_out_put(out, piece[i].text.data, piece[i].text.len);

    return NGX_OK;
}


/* what an Autodiscover error document says besides its code */

ngx_int_t
ngx_http_autodiscover_prepare_error(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    u_char      *p;
    ngx_tm_t     tm;
    ngx_time_t  *tp;

    if (ctx->verdict.kind != NGX_HTTP_AUTODISCOVER_V_INVALID
        && ctx->verdict.kind != NGX_HTTP_AUTODISCOVER_V_ERROR)
    {
        return NGX_OK;
    }

    /* the time of day and a number naming this server, as Exchange does */

    p = ngx_pnalloc(r->pool, sizeof("00:00:00.000") - 1 + NGX_INT32_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    tp = ngx_timeofday();
    ngx_gmtime(tp->sec, &tm);

    ctx->error_time.data = p;
    p = ngx_sprintf(p, "%02d:%02d:%02d.%03M",
                    tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec, tp->msec);
    ctx->error_time.len = p - ctx->error_time.data;

    ctx->error_id.data = p;
    p = ngx_sprintf(p, "%uD", ngx_crc32_long(ngx_cycle->hostname.data,
                                             ngx_cycle->hostname.len));
    ctx->error_id.len = p - ctx->error_id.data;

    return NGX_OK;
}


/* the Autodiscover error document of Outlook's and ActiveSync's */

void
ngx_http_autodiscover_render_error(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_http_autodiscover_error_t  *e;

    for (e = ngx_http_autodiscover_errors; e->code; e++) {
        if (e->code == ctx->verdict.code) {
            break;
        }
    }

    ngx_http_autodiscover_out_literal(out,
        NGX_HTTP_AUTODISCOVER_ENVELOPE_OPEN
        "  <Response>\n"
        "    <Error Time=\"");
    ngx_http_autodiscover_out_raw(out, ctx->error_time.data,
                                  ctx->error_time.len);
    ngx_http_autodiscover_out_literal(out, "\" Id=\"");
    ngx_http_autodiscover_out_raw(out, ctx->error_id.data, ctx->error_id.len);
    ngx_http_autodiscover_out_literal(out, "\">\n");

    ngx_http_autodiscover_out_number(out, 3, "ErrorCode", e->code);
    ngx_http_autodiscover_out_element(out, 3, "Message", &e->message);

    ngx_http_autodiscover_out_literal(out,
        "      <DebugData />\n"
        "    </Error>\n"
        "  </Response>\n"
        NGX_HTTP_AUTODISCOVER_ENVELOPE_CLOSE);
}


/*
 * room for len bytes, counted whether or not there is: NULL when
 * measuring, and from the first thing that does not fit on
 */

static u_char *
ngx_http_autodiscover_out_reserve(ngx_http_autodiscover_out_t *out,
    size_t len)
{
    u_char  *p;

    out->len += len;

    if (out->pos == NULL) {
        return NULL;
    }

    if ((size_t) (out->end - out->pos) < len) {
        out->overflow = 1;
        out->pos = NULL;
        return NULL;
    }

    p = out->pos;
    out->pos += len;

    return p;
}


void
ngx_http_autodiscover_out_raw(ngx_http_autodiscover_out_t *out,
    const u_char *data, size_t len)
{
    u_char  *p;

    p = ngx_http_autodiscover_out_reserve(out, len);

    if (p != NULL) {
        ngx_memcpy(p, data, len);
    }
}


/* XML text and attribute values: < > & " ' */

void
ngx_http_autodiscover_out_xml(ngx_http_autodiscover_out_t *out,
    const ngx_str_t *value)
{
    size_t   len;
    u_char  *dst;

    if (value->len == 0) {
        return;
    }

    len = ngx_http_autodiscover_xml_len(value);

    dst = ngx_http_autodiscover_out_reserve(out, len);

    if (dst != NULL) {
        (void) ngx_http_autodiscover_xml_copy(dst, value, len);
    }
}


/* the length of a value with < > & " ' escaped */

static size_t
ngx_http_autodiscover_xml_len(const ngx_str_t *value)
{
    size_t         len;
    const u_char  *p, *last;

    len = value->len;
    p = value->data;
    last = p + len;

    while (p < last) {
        len += ngx_http_autodiscover_xml_extra[*p++];
    }

    return len;
}


/* writes a value escaped; len is what ngx_http_autodiscover_xml_len() said */

static u_char *
ngx_http_autodiscover_xml_copy(u_char *dst, const ngx_str_t *value,
    size_t len)
{
    const u_char  *p, *last;

    if (len == value->len) {
        return (len == 0) ? dst : ngx_cpymem(dst, value->data, len);
    }

    last = value->data + value->len;

    for (p = value->data; p < last; p++) {
        switch (*p) {
        case '<':
            dst = ngx_cpymem(dst, "&lt;", sizeof("&lt;") - 1);
            break;
        case '>':
            dst = ngx_cpymem(dst, "&gt;", sizeof("&gt;") - 1);
            break;
        case '&':
            dst = ngx_cpymem(dst, "&amp;", sizeof("&amp;") - 1);
            break;
        case '"':
            dst = ngx_cpymem(dst, "&quot;", sizeof("&quot;") - 1);
            break;
        case '\'':
            dst = ngx_cpymem(dst, "&apos;", sizeof("&apos;") - 1);
            break;
        default:
            *dst++ = *p;
        }
    }

    return dst;
}


/*
 * JSON string content: the quote, the backslash and control characters,
 * and < > & as \u escapes so that no sniffing browser sees markup
 */

void
ngx_http_autodiscover_out_json(ngx_http_autodiscover_out_t *out,
    const ngx_str_t *value)
{
    size_t         len;
    u_char        *dst;
    const u_char  *p, *last;

    if (value->len == 0) {
        return;
    }

    last = value->data + value->len;
    len = value->len;

    for (p = value->data; p < last; p++) {
        if (*p == '"' || *p == '\\') {
            len++;

        } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
            len += sizeof("\\u0000") - 2;
        }
    }

    dst = ngx_http_autodiscover_out_reserve(out, len);

    if (dst == NULL) {
        return;
    }

    if (len == value->len) {
        ngx_memcpy(dst, value->data, len);
        return;
    }

    for (p = value->data; p < last; p++) {
        if (*p == '"' || *p == '\\') {
            *dst++ = '\\';
            *dst++ = *p;

        } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
            dst = ngx_cpymem(dst, "\\u00", sizeof("\\u00") - 1);
            *dst++ = ngx_http_autodiscover_hex[*p >> 4];
            *dst++ = ngx_http_autodiscover_hex[*p & 0xf];

        } else {
            *dst++ = *p;
        }
    }
}


/*
 * open tag, value escaped, close tag: one reservation for the whole line
 */

void
ngx_http_autodiscover_out_element_n(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    const ngx_str_t *value)
{
    u_char  *p;
    size_t   len;

    len = ngx_http_autodiscover_xml_len(value);

    p = ngx_http_autodiscover_out_reserve(out, open_len + len + close_len);
    if (p == NULL) {
        return;
    }

    p = ngx_cpymem(p, open, open_len);
    p = ngx_http_autodiscover_xml_copy(p, value, len);
    ngx_memcpy(p, close, close_len);
}


void
ngx_http_autodiscover_out_number_n(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    ngx_int_t value)
{
    u_char      *digit;
    u_char       buf[NGX_INT_T_LEN];
    ngx_str_t    s;
    ngx_uint_t   n;

    /* the digits from the last, as ngx_sprintf("%i") would write them */

    digit = buf + NGX_INT_T_LEN;
    n = (value < 0) ? (ngx_uint_t) -(value + 1) + 1 : (ngx_uint_t) value;

    do {
        *--digit = (u_char) ('0' + n % 10);
        n /= 10;
    } while (n);

    if (value < 0) {
        *--digit = '-';
    }

    s.data = digit;
    s.len = buf + NGX_INT_T_LEN - digit;

    ngx_http_autodiscover_out_element_n(out, open, open_len, close, close_len,
                                        &s);
}


void
ngx_http_autodiscover_out_flag_n(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    ngx_int_t value)
{
    ngx_http_autodiscover_out_element_n(out, open, open_len, close, close_len,
                                    &ngx_http_autodiscover_on_off[value != 0]);
}

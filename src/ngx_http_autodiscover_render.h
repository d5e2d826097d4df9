
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#ifndef _NGX_HTTP_AUTODISCOVER_RENDER_H_INCLUDED_
#define _NGX_HTTP_AUTODISCOVER_RENDER_H_INCLUDED_


#include "ngx_http_autodiscover.h"


/*
 * render.c's face: the output primitives every renderer writes with, the
 * macros that put a line of XML together from literals, and their
 * inlined fast paths
 */


#define ngx_http_autodiscover_out_literal(out, s)                             \
    ngx_http_autodiscover_out_put(out, (u_char *) s, sizeof(s) - 1)


/*
 * a line of XML, indented by depth (a number from 1 to 6): the open tag
 * with its indentation and the close tag with its newline are string
 * literals put together here, so that a line is three copies
 */

#define NGX_HTTP_AUTODISCOVER_INDENT_1  "  "
#define NGX_HTTP_AUTODISCOVER_INDENT_2  "    "
#define NGX_HTTP_AUTODISCOVER_INDENT_3  "      "
#define NGX_HTTP_AUTODISCOVER_INDENT_4  "        "
#define NGX_HTTP_AUTODISCOVER_INDENT_5  "          "
#define NGX_HTTP_AUTODISCOVER_INDENT_6  "            "

#define ngx_http_autodiscover_open(depth, name)                               \
    (u_char *) NGX_HTTP_AUTODISCOVER_INDENT_ ## depth "<" name ">",          \
    sizeof(NGX_HTTP_AUTODISCOVER_INDENT_ ## depth "<" name ">") - 1

#define ngx_http_autodiscover_close(name)                                     \
    (u_char *) "</" name ">\n", sizeof("</" name ">\n") - 1

/* "<name>value</name>", the value escaped */
#define ngx_http_autodiscover_out_element(out, depth, name, value)            \
    ngx_http_autodiscover_out_put_element(out,                               \
                                        ngx_http_autodiscover_open(depth,    \
                                                                   name),    \
                                        ngx_http_autodiscover_close(name),   \
                                        value)

#define ngx_http_autodiscover_out_number(out, depth, name, value)             \
    ngx_http_autodiscover_out_number_n(out,                                  \
                                       ngx_http_autodiscover_open(depth,     \
                                                                  name),     \
                                       ngx_http_autodiscover_close(name),    \
                                       value)

/* "on" or "off" */
#define ngx_http_autodiscover_out_flag(out, depth, name, value)               \
    ngx_http_autodiscover_out_put_element(out,                               \
                                     ngx_http_autodiscover_open(depth,       \
                                                                name),       \
                                     ngx_http_autodiscover_close(name),      \
                                     &ngx_http_autodiscover_on_off[          \
                                                            (value) != 0])

/* a tag, as written, on a line of its own */
#define ngx_http_autodiscover_out_tag(out, depth, tag)                        \
    ngx_http_autodiscover_out_literal(out,                                   \
                                  NGX_HTTP_AUTODISCOVER_INDENT_ ## depth tag \
                                  "\n")



/* render: the output primitives every renderer writes with */
ngx_int_t ngx_http_autodiscover_render(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_render_pt render,
    ngx_str_t *body);
ngx_int_t ngx_http_autodiscover_prepare_error(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_render_error(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_make_template(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_render_pt render,
    const ngx_http_autodiscover_proto_t *p,
    ngx_http_autodiscover_template_t **template);
ngx_int_t ngx_http_autodiscover_out_template(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_template_t *t,
    const ngx_http_autodiscover_proto_t *p);
void ngx_http_autodiscover_out_raw(ngx_http_autodiscover_out_t *out,
    const u_char *data, size_t len);
void ngx_http_autodiscover_out_xml(ngx_http_autodiscover_out_t *out,
    const ngx_str_t *value);
void ngx_http_autodiscover_out_json(ngx_http_autodiscover_out_t *out,
    const ngx_str_t *value);
void ngx_http_autodiscover_out_element_n(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    const ngx_str_t *value);
void ngx_http_autodiscover_out_number_n(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    ngx_int_t value);
void ngx_http_autodiscover_out_flag_n(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    ngx_int_t value);


/* render: the escaping table of XML text, and "off" and "on" */
extern const u_char     ngx_http_autodiscover_xml_extra[];
extern const ngx_str_t  ngx_http_autodiscover_on_off[];


/*
 * the fast paths of the output primitives, inlined where a renderer calls
 * them, so that the copies of literal tags, whose lengths the compiler
 * knows, are a few moves: bytes that fit, and a value with nothing to
 * escape; anything else goes to the functions of render.c
 */

static ngx_inline void
ngx_http_autodiscover_out_put(ngx_http_autodiscover_out_t *out,
    const u_char *data, size_t len)
{
    if (out->pos != NULL && (size_t) (out->end - out->pos) >= len) {
        out->pos = ngx_cpymem(out->pos, data, len);
        out->len += len;
        return;
    }

    ngx_http_autodiscover_out_raw(out, data, len);
}


static ngx_inline void
ngx_http_autodiscover_out_put_xml(ngx_http_autodiscover_out_t *out,
    const ngx_str_t *value)
{
    const u_char  *v, *last;

    if (out->pos == NULL || (size_t) (out->end - out->pos) < value->len) {
        goto slow;
    }

    last = value->data + value->len;

    for (v = value->data; v < last; v++) {
        if (ngx_http_autodiscover_xml_extra[*v]) {
            goto slow;
        }
    }

    out->pos = ngx_cpymem(out->pos, value->data, value->len);
    out->len += value->len;

    return;

slow:

    ngx_http_autodiscover_out_xml(out, value);
}


static ngx_inline void
ngx_http_autodiscover_out_put_element(ngx_http_autodiscover_out_t *out,
    u_char *open, size_t open_len, u_char *close, size_t close_len,
    const ngx_str_t *value)
{
    u_char        *p;
    const u_char  *v, *last;

    if (out->pos == NULL
        || (size_t) (out->end - out->pos) < open_len + value->len + close_len)
    {
        goto slow;
    }

    last = value->data + value->len;

    for (v = value->data; v < last; v++) {
        if (ngx_http_autodiscover_xml_extra[*v]) {
            goto slow;
        }
    }

    p = ngx_cpymem(out->pos, open, open_len);
    p = ngx_cpymem(p, value->data, value->len);
    out->pos = ngx_cpymem(p, close, close_len);
    out->len += open_len + value->len + close_len;

    return;

slow:

    ngx_http_autodiscover_out_element_n(out, open, open_len, close, close_len,
                                        value);
}


#endif /* _NGX_HTTP_AUTODISCOVER_RENDER_H_INCLUDED_ */

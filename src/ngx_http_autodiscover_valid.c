
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


/*
 * the validators: what an address, a domain and a text value may be,
 * how a client's value is written into the error log, and how a name is
 * matched against a list of domains; no request state, no I/O
 */


/* a letter or a digit, the most of any address and domain */

#define ngx_http_autodiscover_is_alnum(c)                                     \
    (ngx_http_autodiscover_alnum[(c) >> 5] & (1U << ((c) & 0x1f)))


static ngx_str_t  ngx_http_autodiscover_unloggable = ngx_string("(...)");

static u_char  ngx_http_autodiscover_hex[] = "0123456789abcdef";


/* "email" and "local part" characters other than letters and digits */

static uint32_t  ngx_http_autodiscover_atext[] = {
    0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */

                /* ?>=< ;:98 7654 3210  /.-, +*)( '&%$ #"!  */
    0xa3ffecfa, /* 1010 0011 1111 1111  1110 1100 1111 1010 */

                /* _^]\ [ZYX WVUT SRQP  ONML KJIH GFED CBA@ */
    0xc7fffffe, /* 1100 0111 1111 1111  1111 1111 1111 1110 */

                /*  ~}| {zyx wvut srqp  onml kjih gfed cba` */
    0x7fffffff, /* 0111 1111 1111 1111  1111 1111 1111 1111 */

    0x00000000,
    0x00000000,
    0x00000000,
    0x00000000
};


static uint32_t  ngx_http_autodiscover_alnum[] = {
    0x00000000,
    0x03ff0000, /* 9876543210 */
    0x07fffffe, /* Z-A */
    0x07fffffe, /* z-a */
    0x00000000,
    0x00000000,
    0x00000000,
    0x00000000
};



/*
 * local@domain: a dot-atom local part of up to 64 bytes (UTF-8 allowed),
 * a host name of up to 253 bytes, 254 in all
 */

ngx_int_t
ngx_http_autodiscover_check_address(ngx_str_t *addr, ngx_int_t *at)
{
    u_char    *p, *last, *local;
    uint32_t   c;

    if (addr->len < 3 || addr->len > NGX_HTTP_AUTODISCOVER_MAX_ADDRESS) {
        return NGX_ERROR;
    }

    local = addr->data;
    last = addr->data + addr->len;
    p = local;

    if (*p == '.') {
        return NGX_ERROR;
    }

    while (p < last && *p != '@') {

        if (ngx_http_autodiscover_is_alnum(*p)) {
            p++;
            continue;
        }

        if (*p >= 0x80) {
            c = ngx_http_autodiscover_utf8(&p, last);

            if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8 || c < 0xa0) {
                return NGX_ERROR;
            }

            continue;
        }

        if (!(ngx_http_autodiscover_atext[*p >> 5] & (1U << (*p & 0x1f)))) {
            return NGX_ERROR;
        }

        if (*p == '.' && (p + 1 == last || p[1] == '.' || p[1] == '@')) {
            return NGX_ERROR;
        }

        p++;
    }

    if (p == last || p == local || p - local > NGX_HTTP_AUTODISCOVER_MAX_LOCAL)
    {
        return NGX_ERROR;
    }

    *at = p - local;

    return ngx_http_autodiscover_check_domain(p + 1, last);
}


ngx_int_t
ngx_http_autodiscover_check_domain(u_char *p, u_char *last)
{
    u_char    *label;
    uint32_t   c;

    if (p == last || last - p > 253) {
        return NGX_ERROR;
    }

    label = p;

    while (p < last) {

        if (ngx_http_autodiscover_is_alnum(*p)) {
            do {
                p++;
            } while (p < last && ngx_http_autodiscover_is_alnum(*p));

            if (p - label > 63) {
                return NGX_ERROR;
            }

            continue;
        }

        if (*p == '.') {
            if (p == label || p[-1] == '-' || p + 1 == last) {
                return NGX_ERROR;
            }

            p++;
            label = p;
            continue;
        }

        if (*p == '-') {
            if (p == label) {
                return NGX_ERROR;
            }

        } else if (*p >= 0x80) {
            c = ngx_http_autodiscover_utf8(&p, last);

            if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8 || c < 0xa0) {
                return NGX_ERROR;
            }

            if (p - label > 63) {
                return NGX_ERROR;
            }

            continue;

        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                     || (*p >= '0' && *p <= '9')))
        {
            return NGX_ERROR;
        }

        p++;

        if (p - label > 63) {
            return NGX_ERROR;
        }
    }

    if (p[-1] == '-') {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* UTF-8 without control characters: anything that XML 1.0 can carry */

ngx_int_t
ngx_http_autodiscover_check_text(ngx_str_t *value)
{
    u_char    *p, *last;
    uint32_t   c;
    uint64_t   w;

    p = value->data;
    last = p + value->len;

    /*
     * eight bytes at a time while they are all printable ASCII: no byte
     * has its high bit set, none is below 0x20 (no borrow), none is 0x7f
     * (no carry into the high bit); anything else byte by byte
     */

    while (last - p >= 8) {
        ngx_memcpy(&w, p, 8);

        if ((w | (w - 0x2020202020202020ULL) | (w + 0x0101010101010101ULL))
            & 0x8080808080808080ULL)
        {
            break;
        }

        p += 8;
    }

    while (p < last) {

        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f) {
                return NGX_ERROR;
            }

            p++;
            continue;
        }

        c = ngx_http_autodiscover_utf8(&p, last);

        if (c == NGX_HTTP_AUTODISCOVER_BAD_UTF8 || (c >= 0x80 && c < 0xa0)) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * a client's value fit for the error log: at most 128 bytes, and with
 * bytes outside printable ASCII written as \xNN
 */

ngx_str_t *
ngx_http_autodiscover_loggable(ngx_http_request_t *r, ngx_str_t *value)
{
    u_char     *p, *last, *dst;
    size_t      len;
    ngx_str_t  *s;

    len = ngx_min(value->len, 128);

    s = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (s == NULL) {
        return &ngx_http_autodiscover_unloggable;
    }

    dst = ngx_pnalloc(r->pool, len * 4);
    if (dst == NULL) {
        return &ngx_http_autodiscover_unloggable;
    }

    s->data = dst;
    last = value->data + len;

    for (p = value->data; p < last; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\' && *p != '"') {
            *dst++ = *p;
            continue;
        }

        *dst++ = '\\';
        *dst++ = 'x';
        *dst++ = ngx_http_autodiscover_hex[*p >> 4];
        *dst++ = ngx_http_autodiscover_hex[*p & 0xf];
    }

    s->len = dst - s->data;

    return s;
}


/*
 * one UTF-8 character, strictly: no overlong forms, no lead bytes past
 * U+10FFFF, no surrogates, no U+FFFE or U+FFFF, none of which XML allows
 */

uint32_t
ngx_http_autodiscover_utf8(u_char **p, u_char *last)
{
    u_char    *q;
    size_t     n;
    uint32_t   c;

    if (**p < 0xc2 || **p > 0xf4) {
        return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
    }

    /* ngx_utf8_decode() looks only at the high bit of what follows */

    n = (**p < 0xe0) ? 2 : (**p < 0xf0) ? 3 : 4;

    if ((size_t) (last - *p) < n) {
        return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
    }

    for (q = *p + 1; q < *p + n; q++) {
        if ((*q & 0xc0) != 0x80) {
            return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
        }
    }

    c = ngx_utf8_decode(p, last - *p);

    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)
        || c == 0xfffe || c == 0xffff)
    {
        return NGX_HTTP_AUTODISCOVER_BAD_UTF8;
    }

    return c;
}


/*
 * a name in a list of "name", "*.domain" (its subdomains) and "*" (any),
 * without regard to case
 */

ngx_int_t
ngx_http_autodiscover_match_domain(ngx_array_t *names, ngx_str_t *name)
{
    size_t       len;
    ngx_str_t   *n;
    ngx_uint_t   i;

    n = names->elts;

    for (i = 0; i < names->nelts; i++) {

        if (n[i].len == 1 && n[i].data[0] == '*') {
            return NGX_OK;
        }

        if (n[i].len > 2 && n[i].data[0] == '*') {
            len = n[i].len - 1;

            if (name->len > len
                && ngx_strncasecmp(name->data + name->len - len,
                                   n[i].data + 1, len)
                   == 0)
            {
                return NGX_OK;
            }

            continue;
        }

        if (n[i].len == name->len
            && ngx_strncasecmp(n[i].data, name->data, name->len) == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* "http://X" and "https://X" both give X, anything else NGX_DECLINED */

ngx_int_t
ngx_http_autodiscover_strip_scheme(ngx_str_t *uri, ngx_str_t *rest)
{
    size_t  n;

    if (uri->len > 7 && ngx_strncmp(uri->data, "http://", 7) == 0) {
        n = 7;

    } else if (uri->len > 8 && ngx_strncmp(uri->data, "https://", 8) == 0) {
        n = 8;

    } else {
        return NGX_DECLINED;
    }

    rest->data = uri->data + n;
    rest->len = uri->len - n;

    return NGX_OK;
}

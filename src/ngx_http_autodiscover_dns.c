
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


/*
 * A DNS client for the checks: any record type (nginx's resolver asks A,
 * AAAA, SRV and PTR only), sent to the first server of the location's
 * "resolver" within its "resolver_timeout", over UDP, every query of a
 * request at once on one socket. Each answer is kept in presentation
 * form: "192.0.2.1", "2001:db8::1", "host.", "10 1 993 host." and a TXT
 * record's strings, joined, with '"', '\' and bytes outside 0x20-0x7e
 * escaped as a zone file writes them. Nothing from an answer is used
 * but as text to compare and show.
 */


#define NGX_HTTP_AUTODISCOVER_DNS_BUF   4096


typedef struct {
    ngx_http_request_t                 *request;
    ngx_array_t                        *queries;
    ngx_connection_t                   *udp;
    ngx_uint_t                          pending;
    ngx_uint_t                          id;      /* of the first query */
    ngx_http_autodiscover_dns_done_pt   done;
    u_char                             *buf;
} ngx_http_autodiscover_dns_t;


static ngx_int_t ngx_http_autodiscover_dns_send(
    ngx_http_autodiscover_dns_t *dns, ngx_uint_t i);
static void ngx_http_autodiscover_dns_read(ngx_event_t *rev);
static void ngx_http_autodiscover_dns_reply(ngx_http_autodiscover_dns_t *dns,
    u_char *buf, size_t len);
static ngx_int_t ngx_http_autodiscover_dns_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_dns_query_t *q, u_char *start, u_char *p,
    u_char *last, ngx_uint_t len);
static u_char *ngx_http_autodiscover_dns_name(u_char *start, u_char *p,
    u_char *last, u_char *dst, size_t *dlen);
static void ngx_http_autodiscover_dns_finish(
    ngx_http_autodiscover_dns_t *dns);
static void ngx_http_autodiscover_dns_cleanup(void *data);


/* the query types, by ngx_http_autodiscover_dns_type_e */

static ngx_uint_t  ngx_http_autodiscover_dns_qtypes[] = {
    1,      /* A */
    28,     /* AAAA */
    5,      /* CNAME */
    33,     /* SRV */
    16      /* TXT */
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_dns_qtypes,
                                  NGX_HTTP_AUTODISCOVER_DNS_COUNT);


/*
 * sends every query; done(r) is called once all are answered or the
 * timeout passed, never before this returns NGX_OK
 */

ngx_int_t
ngx_http_autodiscover_dns(ngx_http_request_t *r, ngx_array_t *queries,
    ngx_http_autodiscover_dns_done_pt done)
{
    int                           rc;
    ngx_uint_t                    i;
    ngx_socket_t                  s;
    ngx_event_t                  *rev, *wev;
    ngx_connection_t             *c;
    ngx_pool_cleanup_t           *cln;
    ngx_resolver_connection_t    *rec;
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_autodiscover_dns_t  *dns;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->resolver == NULL || clcf->resolver->connections.nelts == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: no \"resolver\" for the DNS check");
        return NGX_ERROR;
    }

    rec = clcf->resolver->connections.elts;

    dns = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_dns_t));
    if (dns == NULL) {
        return NGX_ERROR;
    }

    dns->buf = ngx_pnalloc(r->pool, NGX_HTTP_AUTODISCOVER_DNS_BUF);
    if (dns->buf == NULL) {
        return NGX_ERROR;
    }

    dns->request = r;
    dns->queries = queries;
    dns->done = done;
    dns->id = ngx_random() & 0xffff;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    s = ngx_socket(rec[0].sockaddr->sa_family, SOCK_DGRAM, 0);

    if (s == (ngx_socket_t) -1) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, ngx_socket_errno,
                      ngx_socket_n " failed");
        return NGX_ERROR;
    }

    c = ngx_get_connection(s, r->connection->log);

    if (c == NULL) {
        if (ngx_close_socket(s) == -1) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log,
                          ngx_socket_errno, ngx_close_socket_n " failed");
        }

        return NGX_ERROR;
    }

    if (ngx_nonblocking(s) == -1) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, ngx_socket_errno,
                      ngx_nonblocking_n " failed");
        ngx_close_connection(c);
        return NGX_ERROR;
    }

    rev = c->read;
    wev = c->write;

    rev->log = r->connection->log;
    wev->log = r->connection->log;

    c->recv = ngx_udp_recv;
    c->send = ngx_send;
    c->type = SOCK_DGRAM;
    c->log_error = NGX_ERROR_INFO;
    c->data = dns;
    c->number = ngx_atomic_fetch_add(ngx_connection_counter, 1);

    rc = connect(s, rec[0].sockaddr, rec[0].socklen);

    if (rc == -1) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, ngx_socket_errno,
                      "autodiscover: connect() to the resolver %V failed",
                      &rec[0].server);
        ngx_close_connection(c);
        return NGX_ERROR;
    }

    dns->udp = c;
    cln->handler = ngx_http_autodiscover_dns_cleanup;
    cln->data = dns;

    wev->ready = 1;
    rev->handler = ngx_http_autodiscover_dns_read;

    if (ngx_add_event(rev, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
        return NGX_ERROR;
    }

    for (i = 0; i < queries->nelts; i++) {
        if (ngx_http_autodiscover_dns_send(dns, i) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    dns->pending = queries->nelts;

    ngx_add_timer(rev, clcf->resolver_timeout);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: %ui DNS queries sent to %V",
                   queries->nelts, &rec[0].server);

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_dns_send(ngx_http_autodiscover_dns_t *dns,
    ngx_uint_t i)
{
    u_char                             *p, *label, *dot, *last;
    ngx_uint_t                          id, type;
    ngx_http_autodiscover_dns_query_t  *q;

    q = dns->queries->elts;
    q = &q[i];

    q->rcode = NGX_HTTP_AUTODISCOVER_DNS_NO_ANSWER;

    if (ngx_array_init(&q->answers, dns->request->pool, 2, sizeof(ngx_str_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a name is at most 255 bytes: with the header and question, 273 */

    if (q->name.len == 0 || q->name.len > 254) {
        return NGX_ERROR;
    }

    p = dns->buf;
    id = (dns->id + i) & 0xffff;
    type = ngx_http_autodiscover_dns_qtypes[q->type];

    *p++ = (u_char) (id >> 8);
    *p++ = (u_char) id;
    *p++ = 0x01;                /* recursion desired */
    *p++ = 0;
    *p++ = 0; *p++ = 1;         /* one question */
    *p++ = 0; *p++ = 0;
    *p++ = 0; *p++ = 0;
    *p++ = 0; *p++ = 0;

    /* the name, label by label, with or without its final dot */

    last = q->name.data + q->name.len;
    label = q->name.data;

    while (label < last) {
        dot = ngx_strlchr(label, last, '.');

        if (dot == NULL) {
            dot = last;
        }

        if (dot == label || dot - label > 63) {
            return NGX_ERROR;
        }

        *p++ = (u_char) (dot - label);
        p = ngx_cpymem(p, label, dot - label);

        label = dot + 1;
    }

    *p++ = 0;
    *p++ = (u_char) (type >> 8);
    *p++ = (u_char) type;
    *p++ = 0; *p++ = 1;         /* IN */

    /* a datagram refused (ngx_send() logs why) stays unanswered */

    (void) dns->udp->send(dns->udp, dns->buf, p - dns->buf);

    return NGX_OK;
}


static void
ngx_http_autodiscover_dns_read(ngx_event_t *rev)
{
    ssize_t                       n;
    ngx_connection_t             *c;
    ngx_http_autodiscover_dns_t  *dns;

    c = rev->data;
    dns = c->data;

    if (rev->timedout) {
        ngx_log_error(NGX_LOG_INFO, rev->log, 0,
                      "autodiscover: %ui of the DNS queries got no answer "
                      "in time", dns->pending);
        ngx_http_autodiscover_dns_finish(dns);
        return;
    }

    while (rev->ready) {
        n = c->recv(c, dns->buf, NGX_HTTP_AUTODISCOVER_DNS_BUF);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            /* an ICMP error: no server there; what is unanswered stays */
            ngx_http_autodiscover_dns_finish(dns);
            return;
        }

        ngx_http_autodiscover_dns_reply(dns, dns->buf, n);

        if (dns->pending == 0) {
            ngx_http_autodiscover_dns_finish(dns);
            return;
        }
    }
}


/* one datagram: the query it answers, its code and its answers */

static void
ngx_http_autodiscover_dns_reply(ngx_http_autodiscover_dns_t *dns,
    u_char *buf, size_t len)
{
    u_char                             *p, *last;
    size_t                              nlen, qlen;
    ngx_uint_t                          id, i, qd, an, type, rdlen;
    u_char                              qname[256];
    ngx_http_autodiscover_dns_query_t  *q;

    if (len < 12) {
        return;
    }

    id = (buf[0] << 8) + buf[1];
    i = (id - dns->id) & 0xffff;

    if (i >= dns->queries->nelts || !(buf[2] & 0x80)) {
        return;
    }

    q = dns->queries->elts;
    q = &q[i];

    if (q->rcode != NGX_HTTP_AUTODISCOVER_DNS_NO_ANSWER) {
        return;
    }

    qd = (buf[4] << 8) + buf[5];
    an = (buf[6] << 8) + buf[7];
    last = buf + len;

    /* the question must be ours: a stray answer is dropped */

    if (qd != 1) {
        return;
    }

    nlen = 0;
    p = ngx_http_autodiscover_dns_name(buf, buf + 12, last, qname, &nlen);

    if (p == NULL || last - p < 4) {
        return;
    }

    qlen = q->name.len;

    if (q->name.data[qlen - 1] == '.') {
        qlen--;
    }

    if (nlen != qlen || ngx_strncasecmp(qname, q->name.data, qlen) != 0) {
        return;
    }

    type = (p[0] << 8) + p[1];

    if (type != ngx_http_autodiscover_dns_qtypes[q->type]) {
        return;
    }

    p += 4;

    q->rcode = buf[3] & 0x0f;
    dns->pending--;

    for (i = 0; i < an; i++) {
        nlen = 0;
        p = ngx_http_autodiscover_dns_name(buf, p, last, NULL, &nlen);

        if (p == NULL || last - p < 10) {
            return;
        }

        type = (p[0] << 8) + p[1];
        rdlen = (p[8] << 8) + p[9];
        p += 10;

        if ((size_t) (last - p) < rdlen) {
            return;
        }

        if (type == ngx_http_autodiscover_dns_qtypes[q->type]
            && ngx_http_autodiscover_dns_answer(dns->request, q, buf, p,
                                                last, rdlen)
               != NGX_OK)
        {
            return;
        }

        p += rdlen;
    }
}


/* one answer's data in presentation form */

static ngx_int_t
ngx_http_autodiscover_dns_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_dns_query_t *q, u_char *start, u_char *p,
    u_char *last, ngx_uint_t len)
{
    u_char      *d, *end;
    size_t       nlen;
    ngx_str_t   *a;
    ngx_uint_t   n;
    u_char       name[256];

    a = ngx_array_push(&q->answers);
    if (a == NULL) {
        return NGX_ERROR;
    }

    /* the longest: TXT, each byte as \DDD */

    a->data = ngx_pnalloc(r->pool, ngx_max(len * 4, NGX_SOCKADDR_STRLEN)
                                   + 3 * NGX_INT_T_LEN + sizeof(name) + 4);
    if (a->data == NULL) {
        return NGX_ERROR;
    }

    d = a->data;
    end = p + len;

    switch (q->type) {

    case NGX_HTTP_AUTODISCOVER_DNS_A:
        if (len != 4) {
            return NGX_DECLINED;
        }

        d = ngx_sprintf(d, "%ud.%ud.%ud.%ud", p[0], p[1], p[2], p[3]);
        break;

#if (NGX_HAVE_INET6)
    case NGX_HTTP_AUTODISCOVER_DNS_AAAA:
        if (len != 16) {
            return NGX_DECLINED;
        }

        d += ngx_inet6_ntop(p, d, NGX_INET6_ADDRSTRLEN);
        break;
#endif

    case NGX_HTTP_AUTODISCOVER_DNS_SRV:
        if (len < 7) {
            return NGX_DECLINED;
        }

        d = ngx_sprintf(d, "%ui %ui %ui ", (ngx_uint_t) (p[0] << 8) + p[1],
                        (ngx_uint_t) (p[2] << 8) + p[3],
                        (ngx_uint_t) (p[4] << 8) + p[5]);
        p += 6;

        /* fall through */

    case NGX_HTTP_AUTODISCOVER_DNS_CNAME:
        nlen = 0;

        if (ngx_http_autodiscover_dns_name(start, p, last, name, &nlen)
            == NULL)
        {
            return NGX_DECLINED;
        }

        d = ngx_cpymem(d, name, nlen);
        *d++ = '.';
        break;

    default: /* NGX_HTTP_AUTODISCOVER_DNS_TXT */

        while (p < end) {
            n = *p++;

            if ((ngx_uint_t) (end - p) < n) {
                return NGX_DECLINED;
            }

            while (n--) {
                if (*p == '"' || *p == '\\') {
                    *d++ = '\\';
                    *d++ = *p;

                } else if (*p < 0x20 || *p > 0x7e) {
                    d = ngx_sprintf(d, "\\%03ud", (ngx_uint_t) *p);

                } else {
                    *d++ = *p;
                }

                p++;
            }
        }
    }

    a->len = d - a->data;

    return NGX_OK;
}


/*
 * a name at p, compression pointers followed (at most 32): where the data
 * after it starts, and into dst (when not NULL) its labels joined with
 * dots, escaped as \DDD where a byte is not a letter, digit, '-' or '_';
 * the root is the empty name
 */

static u_char *
ngx_http_autodiscover_dns_name(u_char *start, u_char *p, u_char *last,
    u_char *dst, size_t *dlen)
{
    u_char      *next, c;
    size_t       len;
    ngx_uint_t   hops, n;

    next = NULL;
    hops = 0;
    len = 0;

    for ( ;; ) {
        if (p >= last) {
            return NULL;
        }

        n = *p++;

        if (n == 0) {
            break;
        }

        if ((n & 0xc0) == 0xc0) {
            if (p >= last || ++hops > 32) {
                return NULL;
            }

            if (next == NULL) {
                next = p + 1;
            }

            p = start + (((n & 0x3f) << 8) | *p);
            continue;
        }

        if (n > 63 || (ngx_uint_t) (last - p) < n) {
            return NULL;
        }

        if (dst) {
            if (len) {
                if (len + 1 > 255) {
                    return NULL;
                }

                dst[len++] = '.';
            }

            while (n--) {
                c = *p++;

                if (len + 4 > 255) {
                    return NULL;
                }

                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9') || c == '-' || c == '_')
                {
                    dst[len++] = c;

                } else {
                    len = ngx_sprintf(&dst[len], "\\%03ud", (ngx_uint_t) c)
                          - dst;
                }
            }

        } else {
            p += n;
        }
    }

    *dlen = len;

    return next ? next : p;
}


static void
ngx_http_autodiscover_dns_finish(ngx_http_autodiscover_dns_t *dns)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = dns->request;

    if (dns->udp) {
        ngx_close_connection(dns->udp);
        dns->udp = NULL;
    }

    c = r->connection;

    dns->done(r);

    ngx_http_run_posted_requests(c);
}


/* the request ended first: the socket goes with it */

static void
ngx_http_autodiscover_dns_cleanup(void *data)
{
    ngx_http_autodiscover_dns_t  *dns = data;

    if (dns->udp) {
        ngx_close_connection(dns->udp);
        dns->udp = NULL;
    }
}

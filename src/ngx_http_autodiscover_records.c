
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * autodiscover_records: the DNS records a domain needs for what this
 * configuration serves, built once (prepare) from the locations that
 * answer for the domain and from the description evaluated for it, and
 * rendered as a zone-file fragment or as JSON:
 *
 *   the names clients ask (autodiscover., autoconfig., ua-auto-config.),
 *   a CNAME to the target (A or AAAA when the target is an address);
 *   _autodiscover._tcp SRV, where Outlook's endpoint answers;
 *   RFC 6186 and RFC 8314 SRV for IMAP, POP3 and submission, in the
 *   configured order, "0 0 0 ." for the services not offered;
 *   _caldavs._tcp and _carddavs._tcp SRV with their TXT path=, and
 *   _jmap._tcp SRV (RFC 6764, RFC 8620);
 *   _ua-auto-config TXT, the digest of the PACC document served.
 */


typedef struct {
    ngx_str_t                      label;
    ngx_http_autodiscover_type_e   type;
    ngx_uint_t                     tls;     /* implicit TLS */
    ngx_uint_t                     group;   /* priorities counted within */
} ngx_http_autodiscover_srv_t;


static ngx_int_t ngx_http_autodiscover_records_names(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *target, ngx_str_t *type);
static ngx_int_t ngx_http_autodiscover_records_mail(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_int_t ngx_http_autodiscover_records_dav(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_int_t ngx_http_autodiscover_records_digest(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_loc_conf_t *s);
static ngx_http_autodiscover_record_t *ngx_http_autodiscover_record_add(
    ngx_http_request_t *r, ngx_http_autodiscover_ctx_t *ctx, char *prefix,
    char *type, char *purpose);
static ngx_int_t ngx_http_autodiscover_record_data(ngx_http_request_t *r,
    ngx_http_autodiscover_record_t *rec, ngx_uint_t priority,
    ngx_uint_t weight, ngx_int_t port, ngx_str_t *host);
static ngx_uint_t ngx_http_autodiscover_record_for(ngx_str_t *purpose,
    ngx_str_t *endpoint);
static ngx_int_t ngx_http_autodiscover_records_check(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
static void ngx_http_autodiscover_records_checked(ngx_http_request_t *r);
static void ngx_http_autodiscover_records_probed(ngx_http_request_t *r);
static void ngx_http_autodiscover_out_certificate(
    ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_record_t *rec, ngx_uint_t json);
static const ngx_str_t *ngx_http_autodiscover_record_status(
    const ngx_http_autodiscover_record_t *rec);
static void ngx_http_autodiscover_out_zone_text(
    ngx_http_autodiscover_out_t *out, const ngx_str_t *text);


static ngx_http_autodiscover_srv_t  ngx_http_autodiscover_mail_srv[] = {
    { ngx_string("_imaps._tcp."), NGX_HTTP_AUTODISCOVER_IMAP, 1, 0 },
    { ngx_string("_imap._tcp."), NGX_HTTP_AUTODISCOVER_IMAP, 0, 0 },
    { ngx_string("_pop3s._tcp."), NGX_HTTP_AUTODISCOVER_POP3, 1, 0 },
    { ngx_string("_pop3._tcp."), NGX_HTTP_AUTODISCOVER_POP3, 0, 0 },
    { ngx_string("_submissions._tcp."), NGX_HTTP_AUTODISCOVER_SMTP, 1, 1 },
    { ngx_string("_submission._tcp."), NGX_HTTP_AUTODISCOVER_SMTP, 0, 1 }
};


static ngx_http_autodiscover_srv_t  ngx_http_autodiscover_dav_srv[] = {
    { ngx_string("_caldavs._tcp."), NGX_HTTP_AUTODISCOVER_CALDAV, 1, 0 },
    { ngx_string("_carddavs._tcp."), NGX_HTTP_AUTODISCOVER_CARDDAV, 1, 0 },
    { ngx_string("_jmap._tcp."), NGX_HTTP_AUTODISCOVER_JMAP, 1, 0 }
};


#define ngx_http_autodiscover_nelts(a)  (sizeof(a) / sizeof(a[0]))


/*
 * what record names a target: "A", "AAAA" or "CNAME", or NULL when it is
 * none of an IPv4 address, an IPv6 address and an ASCII host name
 */

char *
ngx_http_autodiscover_records_target(ngx_str_t *target)
{
    ngx_uint_t  i;
#if (NGX_HAVE_INET6)
    u_char      addr6[16];
#endif

    if (target->len == 0) {
        return NULL;
    }

    if (ngx_inet_addr(target->data, target->len) != INADDR_NONE) {
        return "A";
    }

#if (NGX_HAVE_INET6)
    if (ngx_inet6_addr(target->data, target->len, addr6) == NGX_OK) {
        return "AAAA";
    }
#endif

    /* a CNAME's target is written as the DNS holds it: A-labels only */

    for (i = 0; i < target->len; i++) {
        if (target->data[i] >= 0x80) {
            return NULL;
        }
    }

    if (ngx_http_autodiscover_check_domain(target->data,
                                           target->data + target->len)
        == NGX_OK)
    {
        return "CNAME";
    }

    return NULL;
}


ngx_int_t
ngx_http_autodiscover_prepare_records(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    char       *type;
    ngx_str_t   target, t;

    if (ngx_http_complex_value(r, ctx->conf->records_target, &target)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    type = ngx_http_autodiscover_records_target(&target);

    if (type == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: records target \"%V\" is neither a "
                      "host name nor an IP address",
                      ngx_http_autodiscover_loggable(r, &target));
        return NGX_ERROR;
    }

    ctx->records = ngx_array_create(r->pool, 16,
                                    sizeof(ngx_http_autodiscover_record_t));
    if (ctx->records == NULL) {
        return NGX_ERROR;
    }

    t.data = (u_char *) type;
    t.len = ngx_strlen(type);

    if (ngx_http_autodiscover_records_names(r, ctx, &target, &t) != NGX_OK
        || ngx_http_autodiscover_records_mail(r, ctx) != NGX_OK
        || ngx_http_autodiscover_records_dav(r, ctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->check) {
        return ngx_http_autodiscover_records_check(r, ctx);
    }

    return NGX_OK;
}


/* ?check=1: each record asked of the location's resolver, all at once */

static ngx_int_t
ngx_http_autodiscover_records_check(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                          i, k;
    ngx_array_t                        *queries;
    ngx_http_autodiscover_record_t     *rec;
    ngx_http_autodiscover_dns_query_t  *q;

    static ngx_str_t  types[] = {
        ngx_string("A"),
        ngx_string("AAAA"),
        ngx_string("CNAME"),
        ngx_string("SRV"),
        ngx_string("TXT")
    };

    /* room for each record and an address query per HTTPS name */

    queries = ngx_array_create(r->pool, 2 * ctx->records->nelts,
                               sizeof(ngx_http_autodiscover_dns_query_t));
    if (queries == NULL) {
        return NGX_ERROR;
    }

    rec = ctx->records->elts;

    for (i = 0; i < ctx->records->nelts; i++) {

        if (rec[i].invalid) {
            continue;
        }

        q = ngx_array_push(queries);
        if (q == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(q, sizeof(ngx_http_autodiscover_dns_query_t));

        q->name = rec[i].name;

        for (k = 0; k < NGX_HTTP_AUTODISCOVER_DNS_COUNT; k++) {
            if (rec[i].type.len == types[k].len
                && ngx_strncmp(rec[i].type.data, types[k].data,
                               types[k].len) == 0)
            {
                q->type = k;
                break;
            }
        }

        rec[i].check = q;

        if (!rec[i].https) {
            continue;
        }

        /* a CNAME's name: its addresses, the chain followed */

        if (q->type != NGX_HTTP_AUTODISCOVER_DNS_CNAME) {
            rec[i].addr = q;
            continue;
        }

        q = ngx_array_push(queries);
        if (q == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(q, sizeof(ngx_http_autodiscover_dns_query_t));

        q->name = rec[i].name;
        q->type = NGX_HTTP_AUTODISCOVER_DNS_A;

        rec[i].addr = q;
    }

    if (ngx_http_autodiscover_dns(r, queries,
                                  ngx_http_autodiscover_records_checked)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * a client that goes away ends the request at once (as limit_req
     * does while it delays), and the pool's cleanups close the DNS
     * socket and the probes' connections
     */

    r->read_event_handler = ngx_http_test_reading;

    return NGX_DONE;
}


/*
 * the DNS has answered: the certificate of each HTTPS name that has an
 * address, at its first address, then the answer
 */

static void
ngx_http_autodiscover_records_checked(ngx_http_request_t *r)
{
#if (NGX_HTTP_SSL)
    u_char                             *p;
    ngx_str_t                          *a;
    ngx_uint_t                          i;
    ngx_array_t                        *probes;
    ngx_http_autodiscover_probe_t      *probe;
    ngx_http_autodiscover_record_t     *rec;
    ngx_http_autodiscover_loc_conf_t   *alcf;
#endif
    ngx_http_autodiscover_ctx_t        *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

#if (NGX_HTTP_SSL)

    alcf = ctx->conf;
    rec = ctx->records->elts;

    /* room for every record: the array never moves, records point in */

    probes = ngx_array_create(r->pool, ctx->records->nelts,
                              sizeof(ngx_http_autodiscover_probe_t));
    if (probes == NULL) {
        goto failed;
    }

    for (i = 0; i < ctx->records->nelts; i++) {

        if (rec[i].addr == NULL || rec[i].addr->answers.nelts == 0) {
            continue;
        }

        a = rec[i].addr->answers.elts;

        probe = ngx_array_push(probes);
        if (probe == NULL) {
            goto failed;
        }

        ngx_memzero(probe, sizeof(ngx_http_autodiscover_probe_t));

        if (ngx_parse_addr(r->pool, &probe->addr, a[0].data, a[0].len)
            != NGX_OK)
        {
            probes->nelts--;
            continue;
        }

        ngx_inet_set_port(probe->addr.sockaddr, alcf->records_https_port);

        probe->addr.name.data = ngx_pnalloc(r->pool, NGX_SOCKADDR_STRLEN);
        if (probe->addr.name.data == NULL) {
            goto failed;
        }

        probe->addr.name.len = ngx_sock_ntop(probe->addr.sockaddr,
                                             probe->addr.socklen,
                                             probe->addr.name.data,
                                             NGX_SOCKADDR_STRLEN, 1);

        /* the name without its final dot, for SNI and the match */

        probe->host.len = rec[i].name.len - 1;
        p = ngx_pnalloc(r->pool, rec[i].name.len);
        if (p == NULL) {
            goto failed;
        }

        ngx_memcpy(p, rec[i].name.data, probe->host.len);
        p[probe->host.len] = '\0';
        probe->host.data = p;

        rec[i].probe = probe;
    }

    if (probes->nelts) {
        if (ngx_http_autodiscover_probe(r, alcf->records_ssl, probes,
                                        ngx_http_autodiscover_records_probed)
            != NGX_OK)
        {
            goto failed;
        }

        return;
    }

#endif

    ngx_http_autodiscover_records_probed(r);

#if (NGX_HTTP_SSL)
    return;

failed:

    ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
#endif
}


static void
ngx_http_autodiscover_records_probed(ngx_http_request_t *r)
{
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_autodiscover_module);

    ngx_http_finalize_request(r, ngx_http_autodiscover_answer(r, ctx));
}


/*
 * what the DNS said of a record: present (an answer is the record),
 * different (answers, none the record), missing (NXDOMAIN, or no record
 * of the type), no answer, or the server's error
 */

static ngx_str_t  ngx_http_autodiscover_statuses[] = {
    ngx_string("present"),
    ngx_string("different"),
    ngx_string("missing"),
    ngx_string("no answer"),
    ngx_string("error FORMERR"),
    ngx_string("error SERVFAIL"),
    ngx_string("error NOTIMP"),
    ngx_string("error REFUSED"),
    ngx_string("error")
};


static const ngx_str_t *
ngx_http_autodiscover_record_status(const ngx_http_autodiscover_record_t *rec)
{
    ngx_uint_t                                i;
    const ngx_str_t                          *a;
    const ngx_http_autodiscover_dns_query_t  *q;
#if (NGX_HAVE_INET6)
    u_char                                    want[16], got[16];
#endif

    q = rec->check;

    switch (q->rcode) {

    case NGX_HTTP_AUTODISCOVER_DNS_NO_ANSWER:
        return &ngx_http_autodiscover_statuses[3];

    case 0:
        break;

    case 1:
    case 2:
        return &ngx_http_autodiscover_statuses[3 + q->rcode];

    case 3:
        return &ngx_http_autodiscover_statuses[2];

    case 4:
    case 5:
        return &ngx_http_autodiscover_statuses[2 + q->rcode];

    default:
        return &ngx_http_autodiscover_statuses[8];
    }

    if (q->answers.nelts == 0) {
        return &ngx_http_autodiscover_statuses[2];
    }

    a = q->answers.elts;

    for (i = 0; i < q->answers.nelts; i++) {

#if (NGX_HAVE_INET6)
        if (q->type == NGX_HTTP_AUTODISCOVER_DNS_AAAA) {
            if (ngx_inet6_addr(rec->data.data, rec->data.len, want) == NGX_OK
                && ngx_inet6_addr(a[i].data, a[i].len, got) == NGX_OK
                && ngx_memcmp(want, got, 16) == 0)
            {
                return &ngx_http_autodiscover_statuses[0];
            }

            continue;
        }
#endif

        /* "not offered": any SRV record whose target is the root */

        if (q->type == NGX_HTTP_AUTODISCOVER_DNS_SRV
            && rec->data.len > 2 && a[i].len > 2
            && ngx_strncmp(rec->data.data + rec->data.len - 2, " .", 2) == 0
            && ngx_strncmp(a[i].data + a[i].len - 2, " .", 2) == 0)
        {
            return &ngx_http_autodiscover_statuses[0];
        }

        if (a[i].len != rec->data.len) {
            continue;
        }

        if (q->type == NGX_HTTP_AUTODISCOVER_DNS_TXT
            ? ngx_strncmp(a[i].data, rec->data.data, a[i].len) == 0
            : ngx_strncasecmp(a[i].data, rec->data.data, a[i].len) == 0)
        {
            return &ngx_http_autodiscover_statuses[0];
        }
    }

    return &ngx_http_autodiscover_statuses[1];
}


/*
 * the names the answering locations' clients ask for this domain, one
 * record each with the directives that answer there; _autodiscover._tcp
 * where Outlook's endpoint answers; the PACC digest where PACC does
 */

static ngx_int_t
ngx_http_autodiscover_records_names(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *target, ngx_str_t *type)
{
    u_char                              *p;
    ngx_int_t                            rc;
    ngx_str_t                            name, srv;
    ngx_uint_t                           i, k, pox, pacc;
    ngx_http_autodiscover_record_t      *rec;
    ngx_http_autodiscover_loc_conf_t   **s;
    ngx_http_autodiscover_main_conf_t   *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);
    s = amcf->surfaces.elts;

    pox = 0;
    pacc = 0;

    for (i = 0; i < amcf->surfaces.nelts; i++) {

        if (s[i]->format->asked.len == 0) {
            continue;
        }

        rc = ngx_http_autodiscover_served(r, s[i], ctx);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc != NGX_OK) {
            continue;
        }

        if (s[i]->format->rules & NGX_HTTP_AUTODISCOVER_RULE_BY_SCHEMA) {
            pox = 1;
        }

        if (s[i]->format
            == &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_PACC]
            && !pacc)
        {
            pacc = 1;

            if (ngx_http_autodiscover_records_digest(r, ctx, s[i]) != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        /* one record per name, for every directive answering there */

        name.len = s[i]->format->asked.len + ctx->domain.len + 1;

        rec = ctx->records->elts;

        for (k = 0; k < ctx->records->nelts; k++) {
            if (rec[k].name.len == name.len
                && ngx_strncmp(rec[k].name.data, s[i]->format->asked.data,
                               s[i]->format->asked.len)
                   == 0)
            {
                break;
            }
        }

        if (k < ctx->records->nelts) {
            rec = &rec[k];

            if (ngx_http_autodiscover_record_for(&rec->purpose,
                                                 s[i]->endpoint))
            {
                continue;
            }

            p = ngx_pnalloc(r->pool,
                            rec->purpose.len + 2 + s[i]->endpoint->len);
            if (p == NULL) {
                return NGX_ERROR;
            }

            name.data = p;
            p = ngx_cpymem(p, rec->purpose.data, rec->purpose.len);
            *p++ = ',';
            *p++ = ' ';
            p = ngx_cpymem(p, s[i]->endpoint->data, s[i]->endpoint->len);

            rec->purpose.data = name.data;
            rec->purpose.len = p - name.data;
            continue;
        }

        rec = ngx_http_autodiscover_record_add(r, ctx,
                                              (char *) s[i]->format->asked.data,
                                              (char *) type->data, NULL);
        if (rec == NULL) {
            return NGX_ERROR;
        }

        rec->purpose = *s[i]->endpoint;
        rec->https = 1;

        if (type->len == sizeof("CNAME") - 1) {
            if (ngx_http_autodiscover_record_data(r, rec, 0, 0, -1, target)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

        } else {
            rec->data = *target;
        }
    }

    if (pox) {
        rec = ngx_http_autodiscover_record_add(r, ctx, "_autodiscover._tcp.",
                                              "SRV", "autodiscover");
        if (rec == NULL) {
            return NGX_ERROR;
        }

        /* an address cannot be an SRV target: the name that has it */

        srv = *target;

        if (type->len != sizeof("CNAME") - 1) {
            srv.len = sizeof("autodiscover.") - 1 + ctx->domain.len;
            srv.data = ngx_pnalloc(r->pool, srv.len);
            if (srv.data == NULL) {
                return NGX_ERROR;
            }

            p = ngx_cpymem(srv.data, "autodiscover.",
                           sizeof("autodiscover.") - 1);
            ngx_memcpy(p, ctx->domain.data, ctx->domain.len);
        }

        if (ngx_http_autodiscover_record_data(r, rec, 0, 1, 443, &srv)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (pacc && ctx->pacc_digest.len) {
        rec = ngx_http_autodiscover_record_add(r, ctx, "_ua-auto-config.",
                                              "TXT", "autodiscover_pacc");
        if (rec == NULL) {
            return NGX_ERROR;
        }

        rec->data = ctx->pacc_digest;
    }

    return NGX_OK;
}


/*
 * the digest of the document a PACC location serves for this domain, as
 * that location decides and renders it
 */

static ngx_int_t
ngx_http_autodiscover_records_digest(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_loc_conf_t *s)
{
    ngx_str_t                              body;
    ngx_http_autodiscover_ctx_t            pacc;
    const ngx_http_autodiscover_format_t  *fmt;

    pacc = *ctx;
    pacc.conf = s;
    pacc.format = s->format;
    pacc.records = NULL;

    if (ngx_http_autodiscover_decide(r, &pacc, NGX_OK) != NGX_OK) {
        return NGX_ERROR;
    }

    fmt = pacc.format;

    if (pacc.verdict.kind != NGX_HTTP_AUTODISCOVER_V_SETTINGS) {
        return NGX_OK;
    }

    if (ngx_http_autodiscover_render(r, &pacc,
                              fmt->answer[NGX_HTTP_AUTODISCOVER_V_SETTINGS]
                                  .render,
                              &body)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (fmt->finish(r, &pacc, &body) != NGX_OK) {
        return NGX_ERROR;
    }

    ctx->pacc_digest = pacc.pacc_digest;

    return NGX_OK;
}


/* RFC 6186 and RFC 8314: every label, offered or "0 0 0 ." */

static ngx_int_t
ngx_http_autodiscover_records_mail(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t                             none;
    ngx_uint_t                            i, k, n[2], order, found;
    ngx_http_autodiscover_srv_t          *srv;
    ngx_http_autodiscover_record_t       *rec;
    const ngx_http_autodiscover_proto_t  *p;

    p = ctx->service.protocols.elts;
    ngx_str_null(&none);

    for (i = 0; i < ngx_http_autodiscover_nelts(ngx_http_autodiscover_mail_srv);
         i++)
    {
        srv = &ngx_http_autodiscover_mail_srv[i];
        found = 0;

        /* the priority: the protocol's place among its group's */

        n[0] = 0;
        n[1] = 0;

        for (k = 0; k < ctx->service.protocols.nelts; k++) {

            if (p[k].num[NGX_HTTP_AUTODISCOVER_F_TYPE]
                == NGX_HTTP_AUTODISCOVER_SMTP)
            {
                order = ++n[1];

            } else if (p[k].num[NGX_HTTP_AUTODISCOVER_F_TYPE]
                       == NGX_HTTP_AUTODISCOVER_IMAP
                       || p[k].num[NGX_HTTP_AUTODISCOVER_F_TYPE]
                          == NGX_HTTP_AUTODISCOVER_POP3)
            {
                order = ++n[0];

            } else {
                continue;
            }

            if (p[k].num[NGX_HTTP_AUTODISCOVER_F_TYPE] != (int32_t) srv->type
                || (p[k].num[NGX_HTTP_AUTODISCOVER_F_TLS]
                    == NGX_HTTP_AUTODISCOVER_TLS_SSL)
                   != srv->tls)
            {
                continue;
            }

            rec = ngx_http_autodiscover_record_add(r, ctx,
                                                  (char *) srv->label.data,
                                                  "SRV",
                                                  "autodiscover_protocol");
            if (rec == NULL
                || ngx_http_autodiscover_record_data(r, rec, order * 10, 1,
                            p[k].num[NGX_HTTP_AUTODISCOVER_F_PORT],
                            (ngx_str_t *)
                                &p[k].str[NGX_HTTP_AUTODISCOVER_F_SERVER])
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            found = 1;
        }

        if (found) {
            continue;
        }

        rec = ngx_http_autodiscover_record_add(r, ctx,
                                              (char *) srv->label.data,
                                              "SRV", "not offered");
        if (rec == NULL
            || ngx_http_autodiscover_record_data(r, rec, 0, 0, 0, &none)
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* the first CalDAV, CardDAV and JMAP URLs: SRV, and TXT path= for DAV */

static ngx_int_t
ngx_http_autodiscover_records_dav(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    u_char                               *q, *last;
    ngx_str_t                             path;
    ngx_uint_t                            i, k;
    ngx_http_autodiscover_srv_t          *srv;
    ngx_http_autodiscover_record_t       *rec;
    const ngx_http_autodiscover_proto_t  *p;

    p = ctx->service.protocols.elts;

    for (i = 0; i < ngx_http_autodiscover_nelts(ngx_http_autodiscover_dav_srv);
         i++)
    {
        srv = &ngx_http_autodiscover_dav_srv[i];

        for (k = 0; k < ctx->service.protocols.nelts; k++) {
            if (p[k].num[NGX_HTTP_AUTODISCOVER_F_TYPE] == (int32_t) srv->type)
            {
                break;
            }
        }

        if (k == ctx->service.protocols.nelts) {
            continue;
        }

        rec = ngx_http_autodiscover_record_add(r, ctx,
                                              (char *) srv->label.data,
                                              "SRV", "autodiscover_protocol");
        if (rec == NULL
            || ngx_http_autodiscover_record_data(r, rec, 0, 1,
                            p[k].num[NGX_HTTP_AUTODISCOVER_F_PORT],
                            (ngx_str_t *)
                                &p[k].str[NGX_HTTP_AUTODISCOVER_F_SERVER])
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (srv->type == NGX_HTTP_AUTODISCOVER_JMAP) {
            continue;
        }

        /* the context path: the URL's path without its query */

        q = p[k].str[NGX_HTTP_AUTODISCOVER_F_URL].data + sizeof("https://") - 1;
        last = p[k].str[NGX_HTTP_AUTODISCOVER_F_URL].data
               + p[k].str[NGX_HTTP_AUTODISCOVER_F_URL].len;

        while (q < last && *q != '/' && *q != '?') {
            q++;
        }

        path.data = q;

        while (q < last && *q != '?' && *q != '#') {
            q++;
        }

        path.len = q - path.data;

        if (path.len == 0) {
            ngx_str_set(&path, "/");
        }

        rec = ngx_http_autodiscover_record_add(r, ctx,
                                              (char *) srv->label.data,
                                              "TXT", "autodiscover_protocol");
        if (rec == NULL) {
            return NGX_ERROR;
        }

        rec->data.len = sizeof("path=") - 1 + path.len;
        rec->data.data = ngx_pnalloc(r->pool, rec->data.len);
        if (rec->data.data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(ngx_cpymem(rec->data.data, "path=", sizeof("path=") - 1),
                   path.data, path.len);
    }

    return NGX_OK;
}


/* a record named prefix + the domain + "." */

static ngx_http_autodiscover_record_t *
ngx_http_autodiscover_record_add(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, char *prefix, char *type,
    char *purpose)
{
    u_char                          *p;
    size_t                           len;
    ngx_http_autodiscover_record_t  *rec;

    rec = ngx_array_push(ctx->records);
    if (rec == NULL) {
        return NULL;
    }

    len = ngx_strlen(prefix);

    rec->name.len = len + ctx->domain.len + 1;
    rec->name.data = ngx_pnalloc(r->pool, rec->name.len);
    if (rec->name.data == NULL) {
        return NULL;
    }

    p = ngx_cpymem(rec->name.data, prefix, len);
    p = ngx_cpymem(p, ctx->domain.data, ctx->domain.len);
    *p = '.';

    rec->type.data = (u_char *) type;
    rec->type.len = ngx_strlen(type);

    if (purpose) {
        rec->purpose.data = (u_char *) purpose;
        rec->purpose.len = ngx_strlen(purpose);

    } else {
        ngx_str_null(&rec->purpose);
    }

    ngx_str_null(&rec->data);
    rec->check = NULL;
    rec->addr = NULL;
    rec->probe = NULL;
    rec->https = 0;
    rec->invalid = 0;

    return rec;
}


/* is a directive among a record's, a list of names with ", " */

static ngx_uint_t
ngx_http_autodiscover_record_for(ngx_str_t *purpose, ngx_str_t *endpoint)
{
    u_char  *p, *last, *end;

    p = purpose->data;
    last = purpose->data + purpose->len;

    while (p < last) {
        end = ngx_strlchr(p, last, ',');

        if (end == NULL) {
            end = last;
        }

        if ((size_t) (end - p) == endpoint->len
            && ngx_strncmp(p, endpoint->data, endpoint->len) == 0)
        {
            return 1;
        }

        p = end + 2;
    }

    return 0;
}


/*
 * "priority weight port host." for an SRV record (port >= 0), "host."
 * for a CNAME (port -1); an empty host is the root, "."
 */

static ngx_int_t
ngx_http_autodiscover_record_data(ngx_http_request_t *r,
    ngx_http_autodiscover_record_t *rec, ngx_uint_t priority,
    ngx_uint_t weight, ngx_int_t port, ngx_str_t *host)
{
    u_char  *p;
    char    *type;

    /* an SRV record's target must be a name (RFC 2782): left out */

    if (port >= 0 && host->len) {
        type = ngx_http_autodiscover_records_target(host);
        rec->invalid = (type != NULL && type[0] == 'A');
    }

    p = ngx_pnalloc(r->pool, 3 * NGX_INT_T_LEN + host->len + 5);
    if (p == NULL) {
        return NGX_ERROR;
    }

    rec->data.data = p;

    if (port >= 0) {
        p = ngx_sprintf(p, "%ui %ui %i ", priority, weight, port);
    }

    /* the root: no bytes to copy, and host->data may be NULL */

    if (host->len) {
        p = ngx_cpymem(p, host->data, host->len);
    }

    if (host->len == 0 || host->data[host->len - 1] != '.') {
        *p++ = '.';
    }

    rec->data.len = p - rec->data.data;

    return NGX_OK;
}


/* the zone-file fragment: one line per record, names aligned */

void
ngx_http_autodiscover_render_zone(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    u_char                                 ttl[NGX_INT_T_LEN + 1];
    size_t                                 width, len, k;
    ngx_uint_t                             i;
    const ngx_str_t                       *status, *a;
    const ngx_http_autodiscover_record_t  *rec;

    rec = ctx->records->elts;
    width = 0;

    for (i = 0; i < ctx->records->nelts; i++) {
        width = ngx_max(width, rec[i].name.len);
    }

    ngx_http_autodiscover_out_literal(out, "; the DNS records ");
    ngx_http_autodiscover_out_raw(out, ctx->domain.data, ctx->domain.len);
    ngx_http_autodiscover_out_literal(out,
                                      " needs for this nginx configuration"
                                      " (autodiscover_records)\n");

    len = ngx_sprintf(ttl, " %ui IN ", ctx->conf->records_ttl) - ttl;

    for (i = 0; i < ctx->records->nelts; i++) {

        if (rec[i].invalid) {
            ngx_http_autodiscover_out_literal(out, "; ");
            ngx_http_autodiscover_out_raw(out, rec[i].name.data,
                                          rec[i].name.len);
            ngx_http_autodiscover_out_literal(out, " SRV ");
            ngx_http_autodiscover_out_raw(out, rec[i].data.data,
                                          rec[i].data.len);
            ngx_http_autodiscover_out_literal(out,
                                  " ; left out: the target is an address, "
                                  "and an SRV target must be a host name\n");
            continue;
        }

        ngx_http_autodiscover_out_raw(out, rec[i].name.data,
                                      rec[i].name.len);
        for (k = rec[i].name.len; k < width; k++) {
            ngx_http_autodiscover_out_literal(out, " ");
        }

        ngx_http_autodiscover_out_raw(out, ttl, len);
        ngx_http_autodiscover_out_raw(out, rec[i].type.data,
                                      rec[i].type.len);
        ngx_http_autodiscover_out_literal(out, " ");

        if (rec[i].type.data[0] == 'T') {
            ngx_http_autodiscover_out_zone_text(out, &rec[i].data);

        } else {
            ngx_http_autodiscover_out_raw(out, rec[i].data.data,
                                          rec[i].data.len);
        }

        if (rec[i].purpose.len) {
            ngx_http_autodiscover_out_literal(out, " ; ");
            ngx_http_autodiscover_out_raw(out, rec[i].purpose.data,
                                          rec[i].purpose.len);
        }

        if (rec[i].check) {
            status = ngx_http_autodiscover_record_status(&rec[i]);

            ngx_http_autodiscover_out_literal(out, " ; ");
            ngx_http_autodiscover_out_raw(out, status->data, status->len);

            a = rec[i].check->answers.elts;

            for (k = 0;
                 status == &ngx_http_autodiscover_statuses[1]
                 && k < rec[i].check->answers.nelts;
                 k++)
            {
                if (k) {
                    ngx_http_autodiscover_out_literal(out, ", ");

                } else {
                    ngx_http_autodiscover_out_literal(out, ": ");
                }

                ngx_http_autodiscover_out_raw(out, a[k].data, a[k].len);
            }

            ngx_http_autodiscover_out_certificate(out, &rec[i], 0);
        }

        ngx_http_autodiscover_out_literal(out, "\n");
    }
}


/* a TXT record's one string, quoted, with '"' and '\' escaped */

static void
ngx_http_autodiscover_out_zone_text(ngx_http_autodiscover_out_t *out,
    const ngx_str_t *text)
{
    u_char  *p, *last, *start;

    ngx_http_autodiscover_out_literal(out, "\"");

    p = text->data;
    last = text->data + text->len;
    start = p;

    for ( /* void */ ; p < last; p++) {
        if (*p == '"' || *p == '\\') {
            ngx_http_autodiscover_out_raw(out, start, p - start);
            ngx_http_autodiscover_out_literal(out, "\\");
            start = p;
        }
    }

    ngx_http_autodiscover_out_raw(out, start, p - start);
    ngx_http_autodiscover_out_literal(out, "\"");
}


/* the same records as JSON */

void
ngx_http_autodiscover_render_records_json(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    u_char                                 ttl[NGX_INT_T_LEN];
    ngx_uint_t                             i, k;
    const ngx_str_t                       *a;
    const ngx_http_autodiscover_record_t  *rec;

    rec = ctx->records->elts;

    ngx_http_autodiscover_out_literal(out, "{\"domain\":\"");
    ngx_http_autodiscover_out_json(out, &ctx->domain);
    ngx_http_autodiscover_out_literal(out, "\",\"ttl\":");
    ngx_http_autodiscover_out_raw(out, ttl,
                                  ngx_sprintf(ttl, "%ui",
                                              ctx->conf->records_ttl)
                                  - ttl);
    ngx_http_autodiscover_out_literal(out, ",\"records\":[");

    for (i = 0; i < ctx->records->nelts; i++) {
        if (i) {
            ngx_http_autodiscover_out_literal(out, ",");
        }

        ngx_http_autodiscover_out_literal(out, "{\"name\":\"");
        ngx_http_autodiscover_out_json(out, &rec[i].name);
        ngx_http_autodiscover_out_literal(out, "\",\"type\":\"");
        ngx_http_autodiscover_out_json(out, &rec[i].type);
        ngx_http_autodiscover_out_literal(out, "\",\"data\":\"");
        ngx_http_autodiscover_out_json(out, &rec[i].data);
        ngx_http_autodiscover_out_literal(out, "\",\"for\":\"");
        ngx_http_autodiscover_out_json(out, &rec[i].purpose);

        if (rec[i].invalid) {
            ngx_http_autodiscover_out_literal(out,
                          "\",\"error\":\"the target is an address, and "
                          "an SRV target must be a host name\"}");
            continue;
        }

        if (rec[i].check) {
            ngx_http_autodiscover_out_literal(out, "\",\"status\":\"");
            ngx_http_autodiscover_out_json(out,
                               ngx_http_autodiscover_record_status(&rec[i]));
            ngx_http_autodiscover_out_literal(out, "\",\"found\":[");

            a = rec[i].check->answers.elts;

            for (k = 0; k < rec[i].check->answers.nelts; k++) {
                if (k) {
                    ngx_http_autodiscover_out_literal(out, ",");
                }

                ngx_http_autodiscover_out_literal(out, "\"");
                ngx_http_autodiscover_out_json(out, &a[k]);
                ngx_http_autodiscover_out_literal(out, "\"");
            }

            ngx_http_autodiscover_out_literal(out, "]");
            ngx_http_autodiscover_out_certificate(out, &rec[i], 1);
            ngx_http_autodiscover_out_literal(out, "}");
            continue;
        }

        ngx_http_autodiscover_out_literal(out, "\"}");
    }

    ngx_http_autodiscover_out_literal(out, "]}\n");
}


/*
 * what the certificate at an HTTPS name says: "; certificate: names the
 * host, verified, expires 2027-01-31 (56 days)", or why there is none;
 * in JSON an object
 */

static void
ngx_http_autodiscover_out_certificate(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_record_t *rec, ngx_uint_t json)
{
    u_char                                *err;
    u_char                                 days[NGX_INT_T_LEN + 1];
    ngx_str_t                              s;
    const ngx_http_autodiscover_probe_t   *p;

    if (!rec->https) {
        return;
    }

    p = rec->probe;

    err = (p == NULL) ? (u_char *) "no address" : p->error;

    if (err) {
        s.data = err;
        s.len = ngx_strlen(err);

        if (json) {
            ngx_http_autodiscover_out_literal(out,
                                             ",\"certificate\":{\"error\":\"");
            ngx_http_autodiscover_out_json(out, &s);
            ngx_http_autodiscover_out_literal(out, "\"}");

        } else {
            ngx_http_autodiscover_out_literal(out, " ; certificate: ");
            ngx_http_autodiscover_out_raw(out, s.data, s.len);
        }

        return;
    }

    s.data = p->verify;
    s.len = ngx_strlen(p->verify);

    if (json) {
        ngx_http_autodiscover_out_literal(out, ",\"certificate\":{");

        if (p->covers) {
            ngx_http_autodiscover_out_literal(out, "\"names_host\":true,");

        } else {
            ngx_http_autodiscover_out_literal(out, "\"names_host\":false,");
        }

        if (p->verified) {
            ngx_http_autodiscover_out_literal(out, "\"verified\":true,");

        } else {
            ngx_http_autodiscover_out_literal(out, "\"verified\":false,");
        }

        ngx_http_autodiscover_out_literal(out, "\"verify\":\"");
        ngx_http_autodiscover_out_json(out, &s);
        ngx_http_autodiscover_out_literal(out, "\",\"expires\":\"");
        ngx_http_autodiscover_out_json(out, &p->expires);
        ngx_http_autodiscover_out_literal(out, "\",\"days\":");
        ngx_http_autodiscover_out_raw(out, days,
                                      ngx_sprintf(days, "%i", p->days)
                                      - days);
        ngx_http_autodiscover_out_literal(out, "}");
        return;
    }

    if (p->covers) {
        ngx_http_autodiscover_out_literal(out,
                                          " ; certificate: names the host, ");

    } else {
        ngx_http_autodiscover_out_literal(out,
                                    " ; certificate: does not name the host, ");
    }

    if (p->verified) {
        ngx_http_autodiscover_out_literal(out, "verified, ");

    } else {
        ngx_http_autodiscover_out_literal(out, "not verified (");
        ngx_http_autodiscover_out_raw(out, s.data, s.len);
        ngx_http_autodiscover_out_literal(out, "), ");
    }

    ngx_http_autodiscover_out_literal(out, "expires ");
    ngx_http_autodiscover_out_raw(out, p->expires.data, p->expires.len);
    ngx_http_autodiscover_out_literal(out, " (");
    ngx_http_autodiscover_out_raw(out, days,
                                  ngx_sprintf(days, "%i", p->days) - days);
    ngx_http_autodiscover_out_literal(out, " days)");
}

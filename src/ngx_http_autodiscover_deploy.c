
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#if (NGX_HTTP_SSL)
#include <openssl/x509v3.h>
#endif

#include "ngx_http_autodiscover.h"


/*
 * Deployment checks at "nginx -t": warnings, never failures, for what
 * breaks clients around a valid configuration: a port whose TLS mode is
 * not the standard one (Thunderbird decides by the port when it reads an
 * Outlook answer; Outlook told Encryption TLS tries STARTTLS), and a
 * certificate that does not name the host clients ask.
 */


typedef struct {
    ngx_http_autodiscover_type_e   type;
    ngx_int_t                      port;
    ngx_http_autodiscover_tls_e    tls;    /* the standard one */
} ngx_http_autodiscover_port_t;


static ngx_http_autodiscover_port_t  ngx_http_autodiscover_ports[] = {
    { NGX_HTTP_AUTODISCOVER_IMAP, 993, NGX_HTTP_AUTODISCOVER_TLS_SSL },
    { NGX_HTTP_AUTODISCOVER_IMAP, 143, NGX_HTTP_AUTODISCOVER_TLS_STARTTLS },
    { NGX_HTTP_AUTODISCOVER_POP3, 995, NGX_HTTP_AUTODISCOVER_TLS_SSL },
    { NGX_HTTP_AUTODISCOVER_POP3, 110, NGX_HTTP_AUTODISCOVER_TLS_STARTTLS },
    { NGX_HTTP_AUTODISCOVER_SMTP, 465, NGX_HTTP_AUTODISCOVER_TLS_SSL },
    { NGX_HTTP_AUTODISCOVER_SMTP, 587, NGX_HTTP_AUTODISCOVER_TLS_STARTTLS },
    { NGX_HTTP_AUTODISCOVER_SMTP, 25, NGX_HTTP_AUTODISCOVER_TLS_STARTTLS }
};


/* a literal protocol whose port and TLS mode are not a standard pair */

void
ngx_http_autodiscover_deploy_protocol(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc)
{
    ngx_int_t                      type, port, tls;
    ngx_uint_t                     i;
    ngx_http_autodiscover_port_t  *s;

    type = pc->base.num[NGX_HTTP_AUTODISCOVER_F_TYPE];
    port = pc->base.num[NGX_HTTP_AUTODISCOVER_F_PORT];
    tls = pc->base.num[NGX_HTTP_AUTODISCOVER_F_TLS];

    if (type == NGX_CONF_UNSET || port == NGX_CONF_UNSET
        || (pc->value[NGX_HTTP_AUTODISCOVER_F_TLS] != NULL
            && pc->value[NGX_HTTP_AUTODISCOVER_F_TLS]->cv.lengths != NULL))
    {
        return;
    }

    if (tls == NGX_CONF_UNSET) {
        tls = NGX_HTTP_AUTODISCOVER_TLS_SSL;
    }

    for (i = 0;
         i < sizeof(ngx_http_autodiscover_ports)
             / sizeof(ngx_http_autodiscover_port_t);
         i++)
    {
        s = &ngx_http_autodiscover_ports[i];

        if (s->type != type || s->port != port || s->tls == tls) {
            continue;
        }

        if (s->tls == NGX_HTTP_AUTODISCOVER_TLS_STARTTLS) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "autodiscover: protocol \"%V\" with tls=%s on "
                               "port %i, a STARTTLS port: Thunderbird decides "
                               "by the port when it reads an Outlook answer "
                               "and would use STARTTLS",
                               &ngx_http_autodiscover_types[type],
                               tls == NGX_HTTP_AUTODISCOVER_TLS_SSL
                               ? "ssl" : "none", port);

        } else if (tls == NGX_HTTP_AUTODISCOVER_TLS_STARTTLS) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "autodiscover: protocol \"%V\" with "
                               "tls=starttls on port %i, an implicit-TLS "
                               "port: Outlook, told <Encryption>TLS"
                               "</Encryption>, would try STARTTLS there",
                               &ngx_http_autodiscover_types[type], port);

        } else {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "autodiscover: protocol \"%V\" with tls=none "
                               "on port %i, an implicit-TLS port: clients "
                               "would speak plain text to a port that "
                               "speaks TLS first",
                               &ngx_http_autodiscover_types[type], port);
        }

        return;
    }
}


static void ngx_http_autodiscover_deploy_certificate(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf);
static void ngx_http_autodiscover_deploy_strict(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf);


/* a location that answers, once merged */

void
ngx_http_autodiscover_deploy_location(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf)
{
    if (alcf->format == NGX_CONF_UNSET_PTR) {
        return;
    }

    ngx_http_autodiscover_deploy_certificate(cf, alcf);

    if (alcf->format
        == &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_AUTOCONFIG])
    {
        ngx_http_autodiscover_deploy_strict(cf, alcf);
    }
}


/*
 * a location answering for literal domains in a server with certificates
 * of its own: each domain's host must be named by one of them
 */

static void
ngx_http_autodiscover_deploy_certificate(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf)
{
#if (NGX_HTTP_SSL)
    char                      *name;
    u_char                    *p;
    X509                      *cert;
    ngx_str_t                 *d, *prefix, host;
    ngx_uint_t                 i;
    ngx_http_ssl_srv_conf_t   *sscf;
    ngx_http_core_loc_conf_t  *clcf;

    if (alcf->domains == NULL) {
        return;
    }

    /* the host the format's clients ask: "" for the domain itself */

    prefix = &alcf->format->asked;

    if (prefix->data == NULL) {
        return;
    }

    sscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_ssl_module);

    if (sscf == NULL || sscf->ssl.ctx == NULL || sscf->certificates == NULL
        || sscf->certificate_values != NULL)
    {
        return;
    }

    /* while locations merge, the context holds the one merged */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    d = alcf->domains->elts;

    for (i = 0; i < alcf->domains->nelts; i++) {

        /* "*" and "*.example.com" name no host to check */

        if (ngx_strlchr(d[i].data, d[i].data + d[i].len, '*') != NULL) {
            continue;
        }

        host.len = prefix->len + d[i].len;
        host.data = ngx_pnalloc(cf->temp_pool, host.len);
        if (host.data == NULL) {
            return;
        }

        p = ngx_cpymem(host.data, prefix->data, prefix->len);
        ngx_memcpy(p, d[i].data, d[i].len);

        name = NULL;

        for (cert = SSL_CTX_get_ex_data(sscf->ssl.ctx,
                                        ngx_ssl_certificate_index);
             cert;
             cert = X509_get_ex_data(cert, ngx_ssl_next_certificate_index))
        {
            if (X509_check_host(cert, (char *) host.data, host.len, 0, NULL)
                == 1)
            {
                break;
            }

            if (name == NULL) {
                name = X509_get_ex_data(cert, ngx_ssl_certificate_name_index);
            }
        }

        if (cert == NULL) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "autodiscover: location \"%V\" answers "
                               "for \"%V\", but no certificate of its "
                               "server (\"%s\") names \"%V\", the host "
                               "its clients ask: add it to the "
                               "certificate's subjectAltName",
                               &clcf->name, &d[i],
                               name ? name : "?", &host);
        }
    }
#endif
}


/*
 * an autoconfig document that Thunderbird for Android or for iOS rejects
 * whatever the renderer leaves out (render_autoconfig.c): no incoming or
 * no outgoing server they can use, or, for Android, no IMAP; protocols
 * with variables in their type, TLS mode or mechanisms are not known
 * here, and a direction with one is not judged
 */

static void
ngx_http_autodiscover_deploy_strict(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf)
{
    ngx_int_t                            type;
    ngx_uint_t                           i, f, d, n[2], usable[2], unknown[2];
    ngx_uint_t                           imap;
    ngx_http_core_loc_conf_t            *clcf;
    ngx_http_autodiscover_proto_t        p;
    ngx_http_autodiscover_proto_conf_t  *pc;

    static ngx_uint_t  literal[] = {
        NGX_HTTP_AUTODISCOVER_F_TYPE,
        NGX_HTTP_AUTODISCOVER_F_TLS,
        NGX_HTTP_AUTODISCOVER_F_AUTH
    };

    static char  *direction[] = { "incoming", "outgoing" };

    if (alcf->protocols == NULL) {
        return;
    }

    n[0] = n[1] = usable[0] = usable[1] = unknown[0] = unknown[1] = 0;
    imap = 0;

    pc = alcf->protocols->elts;

    for (i = 0; i < alcf->protocols->nelts; i++) {

        for (f = 0; f < sizeof(literal) / sizeof(literal[0]); f++) {
            if (pc[i].value[literal[f]] != NULL
                && pc[i].value[literal[f]]->cv.lengths != NULL)
            {
                break;
            }
        }

        type = pc[i].base.num[NGX_HTTP_AUTODISCOVER_F_TYPE];

        if (f < sizeof(literal) / sizeof(literal[0])) {
            unknown[0] = unknown[1] = 1;
            continue;
        }

        if (type != NGX_HTTP_AUTODISCOVER_IMAP
            && type != NGX_HTTP_AUTODISCOVER_POP3
            && type != NGX_HTTP_AUTODISCOVER_SMTP)
        {
            continue;
        }

        /* the defaults, as a request evaluates them */

        p = pc[i].base;

        if (p.num[NGX_HTTP_AUTODISCOVER_F_TLS] == NGX_CONF_UNSET) {
            p.num[NGX_HTTP_AUTODISCOVER_F_TLS] = NGX_HTTP_AUTODISCOVER_TLS_SSL;
        }

        if (p.num[NGX_HTTP_AUTODISCOVER_F_AUTH] == NGX_CONF_UNSET) {
            p.num[NGX_HTTP_AUTODISCOVER_F_AUTH] =
                                       NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT + 1;
        }

        d = (type == NGX_HTTP_AUTODISCOVER_SMTP);
        n[d]++;
        usable[d] += ngx_http_autodiscover_autoconfig_usable(&p);
        imap += (type == NGX_HTTP_AUTODISCOVER_IMAP);
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    for (d = 0; d < 2; d++) {
        if (n[d] && !usable[d] && !unknown[d]) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "autodiscover: location \"%V\" has no %s "
                               "server that Thunderbird for Android and iOS "
                               "can use (SSL or STARTTLS, with OAuth2 or a "
                               "password): they reject its whole autoconfig "
                               "document", &clcf->name, direction[d]);
        }
    }

    if (n[0] && !imap && !unknown[0]) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "autodiscover: location \"%V\" has POP3 but no "
                           "IMAP server: Thunderbird for Android reads IMAP "
                           "only and rejects its whole autoconfig document",
                           &clcf->name);
    }
}

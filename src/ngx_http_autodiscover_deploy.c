
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


/*
 * a location answering for literal domains in a server with certificates
 * of its own: each domain's host must be named by one of them
 */

void
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

    if (alcf->format == NGX_CONF_UNSET_PTR || alcf->domains == NULL) {
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

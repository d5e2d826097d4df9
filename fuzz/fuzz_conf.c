
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * The configurations that the request harnesses (xml_request, get_args)
 * answer with, as the directives would build them without variables:
 *
 *   0: conf-examples/run.conf and activesync-v2.conf in one: IMAP, POP3,
 *      SMTP, an EXCH protocol with EWS URLs, ActiveSync, a display name
 *   1: a redirectUrl for every domain, autodiscover_not_served error,
 *      autodiscover_redirect_mode 302
 *   2: a redirectAddr, and every domain served (autodiscover_serve 1)
 *   3: profiles and autoconfig: provider names, documentation and webmail
 *      URLs, provider domains, POP3 keeping mail on the server
 */


#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_conf.h"


#define fuzz_set(alcf, pool, field, s)                                        \
    (alcf)->account[NGX_HTTP_AUTODISCOVER_A_ ## field] =                      \
        fuzz_value(pool,                                                      \
                   &ngx_http_autodiscover_account[NGX_HTTP_AUTODISCOVER_A_    \
                                                  ## field],                  \
                   s, sizeof(s) - 1)

/* a parameter more for the last protocol added */
#define fuzz_set_proto(pool, alcf, field, s)                                  \
    fuzz_proto_value(pool, alcf, NGX_HTTP_AUTODISCOVER_F_ ## field, s,        \
                     sizeof(s) - 1)


static void
fuzz_proto_value(ngx_pool_t *pool, ngx_http_autodiscover_loc_conf_t *alcf,
    ngx_uint_t f, const char *s, size_t len)
{
    ngx_http_autodiscover_proto_conf_t  *pc;

    pc = alcf->protocols->elts;
    pc += alcf->protocols->nelts - 1;

    pc->value[f] = fuzz_value(pool, &ngx_http_autodiscover_fields[f], s, len);

    if (pc->value[f] == NULL) {
        fuzz_fail("fuzz_conf: invalid literal \"%.*s\"", (int) len, s);
    }

    ngx_http_autodiscover_prepare_protocol(pc);
}


static ngx_array_t *
fuzz_domains(ngx_pool_t *pool, const char **names)
{
    ngx_str_t    *n;
    ngx_array_t  *a;

    a = ngx_array_create(pool, 4, sizeof(ngx_str_t));
    if (a == NULL) {
        abort();
    }

    for ( /* void */ ; *names; names++) {
        n = ngx_array_push(a);
        if (n == NULL) {
            abort();
        }

        n->len = strlen(*names);
        n->data = (u_char *) *names;
    }

    return a;
}


ngx_http_autodiscover_loc_conf_t *
fuzz_conf(ngx_uint_t n)
{
    static ngx_pool_t                        *pool;
    static ngx_http_autodiscover_loc_conf_t  *confs[FUZZ_CONFS];

    const char                        *domains[] = {
        "example.com", "example.net", "*.example.org", NULL
    };
    const char                        *providers[] = {
        "example.com", "example.net", "example.org", NULL
    };
    ngx_http_autodiscover_loc_conf_t  *alcf;

    n %= FUZZ_CONFS;

    if (confs[n] != NULL) {
        return confs[n];
    }

    if (pool == NULL) {
        pool = ngx_create_pool(4096, fuzz_log);
        if (pool == NULL) {
            abort();
        }
    }

    alcf = fuzz_loc_conf(pool);

    switch (n) {

    case 0:
        alcf->domains = fuzz_domains(pool, domains);
        fuzz_set(alcf, pool, DISPLAY_NAME, "Example Mail");
        fuzz_set(alcf, pool, ACTIVESYNC_URL,
                 "https://mail.example.com/Microsoft-Server-ActiveSync");
        fuzz_set(alcf, pool, CERTENROLL_URL,
                 "https://mail.example.com/certenroll");
        fuzz_set(alcf, pool, CERTENROLL_TEMPLATE, "EASCert");
        fuzz_set(alcf, pool, IMAGE, "https://example.com/logo.png");
        fuzz_set(alcf, pool, SERVICE_HOME, "https://example.com/");

        fuzz_protocol(pool, alcf, "IMAP", "mail.example.com",
                      "alice@example.com", 0, 993);
        fuzz_protocol(pool, alcf, "POP3", "mail.example.com", NULL, 0, 995);
        fuzz_protocol(pool, alcf, "SMTP", "mail.example.com", NULL, 1, 587);
        fuzz_set_proto(pool, alcf, POPAUTH, "on");
        fuzz_set_proto(pool, alcf, SMTP_LAST, "off");
        fuzz_set_proto(pool, alcf, AUTH, "password-encrypted");
        fuzz_protocol(pool, alcf, "EXCH", "exch.example.com", NULL,
                      (ngx_uint_t) -1, 0);
        fuzz_set_proto(pool, alcf, EWS_URL,
                       "https://mail.example.com/EWS/Exchange.asmx");
        fuzz_set_proto(pool, alcf, AS_URL,
                       "https://mail.example.com/EWS/Exchange.asmx");
        fuzz_set_proto(pool, alcf, OAB_URL, "https://mail.example.com/OAB/");
        fuzz_set_proto(pool, alcf, TTL, "1");
        fuzz_set_proto(pool, alcf, EXPIRES, "20301231");
        fuzz_set_proto(pool, alcf, DOMAIN_REQUIRED, "on");
        fuzz_set_proto(pool, alcf, DOMAIN_NAME, "EXAMPLE");
        break;

    case 1:
        alcf->domains = fuzz_domains(pool, domains);
        alcf->not_served = NGX_HTTP_AUTODISCOVER_NOT_SERVED_ERROR;
        alcf->redirect_mode = NGX_HTTP_AUTODISCOVER_REDIRECT_302;
        fuzz_set(alcf, pool, REDIRECT_URL,
                 "https://autodiscover.hoster.example/autodiscover/"
                 "autodiscover.xml");
        fuzz_protocol(pool, alcf, "EXCH", "exch.example.com", NULL,
                      (ngx_uint_t) -1, 0);
        fuzz_set_proto(pool, alcf, EWS_URL,
                       "https://mail.example.com/EWS/Exchange.asmx");
        break;

    case 2:
        fuzz_set(alcf, pool, SERVE, "1");
        fuzz_set(alcf, pool, REDIRECT_ADDR, "alice@example.com");
        fuzz_set(alcf, pool, ACTIVESYNC_URL,
                 "https://mail.example.com/Microsoft-Server-ActiveSync");
        fuzz_protocol(pool, alcf, "IMAP", "mail.example.com", NULL, 2, 143);
        fuzz_protocol(pool, alcf, "SMTP", "mail.example.com", NULL, 2, 25);
        break;

    default:
        alcf->domains = fuzz_domains(pool, domains);
        alcf->provider_domains = fuzz_domains(pool, providers);
        fuzz_set(alcf, pool, PROVIDER_NAME, "Example <Mail> & \"Co\"");
        fuzz_set(alcf, pool, PROVIDER_SHORT_NAME, "Example");
        fuzz_set(alcf, pool, DOCUMENTATION_URL, "https://example.com/help?a&b");
        fuzz_set(alcf, pool, WEBMAIL_URL, "https://webmail.example.com/");
        fuzz_set(alcf, pool, PROFILE_ORGANIZATION, "Example Org");
        fuzz_set(alcf, pool, V1_URL,
                 "https://autodiscover.example.com/autodiscover/"
                 "autodiscover.xml");
        fuzz_protocol(pool, alcf, "POP3", "pop.example.com", NULL, 1, 0);
        fuzz_set_proto(pool, alcf, LEAVE_ON_SERVER, "on");
        fuzz_set_proto(pool, alcf, DAYS_TO_LEAVE, "14");
        fuzz_protocol(pool, alcf, "IMAP", "imap.example.com", NULL, 0, 0);
        fuzz_protocol(pool, alcf, "SMTP", "smtp.example.com", NULL, 1, 0);
        fuzz_set_proto(pool, alcf, AUTH, "OAuth2");
        break;
    }

    confs[n] = alcf;

    return alcf;
}

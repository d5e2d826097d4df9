
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * Thunderbird's autoconfig, config-v1.1.xml: the incoming (IMAP, POP3)
 * and outgoing (SMTP) protocols of the service, in their order
 */


static void ngx_http_autodiscover_autoconfig_server(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_proto_t *p);
static void ngx_http_autodiscover_autoconfig_server_alone(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_proto_t *p);
static ngx_uint_t ngx_http_autodiscover_autoconfig_v12(
    const ngx_http_autodiscover_ctx_t *ctx);
static ngx_uint_t ngx_http_autodiscover_autoconfig_oauth2(
    const ngx_http_autodiscover_ctx_t *ctx);
static void ngx_http_autodiscover_autoconfig_dav(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_proto_t *p);
static void ngx_http_autodiscover_autoconfig_url(
    ngx_http_autodiscover_out_t *out, char *open, const ngx_str_t *url,
    char *close);
static ngx_uint_t ngx_http_autodiscover_autoconfig_kept(
    const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_proto_t *p);
static ngx_uint_t ngx_http_autodiscover_autoconfig_shown(
    const ngx_http_autodiscover_proto_t *p, ngx_int_t auth);
static ngx_uint_t ngx_http_autodiscover_autoconfig_nauth(
    const ngx_http_autodiscover_proto_t *p);


/* indexed by the TLS mode */

static ngx_str_t  ngx_http_autodiscover_socket_types[] = {
    ngx_string("SSL"),
    ngx_string("STARTTLS"),
    ngx_string("plain")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_socket_types,
                                  NGX_HTTP_AUTODISCOVER_TLS_COUNT);


static ngx_str_t  ngx_http_autodiscover_server_types[] = {
    ngx_string("pop3"),
    ngx_string("imap"),
    ngx_string("smtp")
};


static ngx_str_t  ngx_http_autodiscover_booleans[] = {
    ngx_string("false"),
    ngx_string("true")
};


#define ngx_http_autodiscover_autoconfig_type(p)                              \
    ((p)->num[NGX_HTTP_AUTODISCOVER_F_TYPE] <= NGX_HTTP_AUTODISCOVER_SMTP)

#define ngx_http_autodiscover_autoconfig_smtp(p)                              \
    ((p)->num[NGX_HTTP_AUTODISCOVER_F_TYPE] == NGX_HTTP_AUTODISCOVER_SMTP)


void
ngx_http_autodiscover_check_autoconfig(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                      i;
    ngx_http_autodiscover_proto_t  *p;

    /*
     * a redirected address, or one without an incoming server (Thunderbird
     * can do nothing with an outgoing server alone): nothing here
     */

    if (ctx->verdict.kind != NGX_HTTP_AUTODISCOVER_V_SETTINGS) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: domain \"%V\" is redirected, which "
                      "autoconfig cannot say", &ctx->domain);
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE;
        return;
    }

    p = ctx->service.protocols.elts;

    for (i = 0; i < ctx->service.protocols.nelts; i++) {
        if (ngx_http_autodiscover_autoconfig_type(&p[i])
            && !ngx_http_autodiscover_autoconfig_smtp(&p[i]))
        {
            return;
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "autodiscover: no IMAP or POP3 settings for "
                  "domain \"%V\"", &ctx->domain);

    ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE;
}


void
ngx_http_autodiscover_render_autoconfig(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                              i;
    const ngx_str_t                        *s, *name, *d;
    const ngx_http_autodiscover_proto_t    *p;
    const ngx_http_autodiscover_service_t  *svc;

    svc = &ctx->service;
    s = svc->str;

    /*
     * version 1.2 (draft-ietf-mailmaint-autoconfig) only when the
     * document has what 1.1 has not: a document of 1.1's features is
     * written as before
     */

    if (ngx_http_autodiscover_autoconfig_v12(ctx)) {
        ngx_http_autodiscover_out_literal(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<clientConfig version=\"1.2\">\n"
            "  <emailProvider id=\"");

    } else {
        ngx_http_autodiscover_out_literal(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<clientConfig version=\"1.1\">\n"
            "  <emailProvider id=\"");
    }
    ngx_http_autodiscover_out_put_xml(out, &ctx->domain);
    ngx_http_autodiscover_out_literal(out, "\">\n");

    ngx_http_autodiscover_out_element(out, 2, "domain", &ctx->domain);

    if (ctx->conf->provider_domains != NULL) {
        d = ctx->conf->provider_domains->elts;

        for (i = 0; i < ctx->conf->provider_domains->nelts; i++) {
            if (d[i].len != ctx->domain.len
                || ngx_strncmp(d[i].data, ctx->domain.data, d[i].len) != 0)
            {
                ngx_http_autodiscover_out_element(out, 2, "domain", &d[i]);
            }
        }
    }

    name = s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME].len
           ? &s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME] : &ctx->domain;

    ngx_http_autodiscover_out_element(out, 2, "displayName", name);

    if (s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_SHORT_NAME].len) {
        name = &s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_SHORT_NAME];
    }

    ngx_http_autodiscover_out_element(out, 2, "displayShortName", name);

    p = svc->protocols.elts;

    /* incoming servers first, as the format has them, each in its order */

    for (i = 0; i < svc->protocols.nelts; i++) {
        if (ngx_http_autodiscover_autoconfig_type(&p[i])
            && !ngx_http_autodiscover_autoconfig_smtp(&p[i])
            && ngx_http_autodiscover_autoconfig_kept(ctx, &p[i]))
        {
            ngx_http_autodiscover_autoconfig_server(out, ctx, &p[i]);
        }
    }

    for (i = 0; i < svc->protocols.nelts; i++) {
        if (ngx_http_autodiscover_autoconfig_smtp(&p[i])
            && ngx_http_autodiscover_autoconfig_kept(ctx, &p[i]))
        {
            ngx_http_autodiscover_autoconfig_server(out, ctx, &p[i]);
        }
    }

    ngx_http_autodiscover_autoconfig_url(out, "    <documentation url=\"",
                                 &s[NGX_HTTP_AUTODISCOVER_A_DOCUMENTATION_URL],
                                 "\"/>\n");

    ngx_http_autodiscover_out_literal(out, "  </emailProvider>\n");

    ngx_http_autodiscover_autoconfig_url(out,
                                       "  <webMail>\n    <loginPage url=\"",
                                       &s[NGX_HTTP_AUTODISCOVER_A_WEBMAIL_URL],
                                       "\"/>\n  </webMail>\n");

    /*
     * calendars and address books, in their order; JMAP is left out:
     * Thunderbird skips it, and Thunderbird for iOS rejects a whole
     * document with an incomingServer it does not know
     */

    for (i = 0; i < svc->protocols.nelts; i++) {
        ngx_http_autodiscover_autoconfig_dav(out, ctx, &p[i]);
    }

    /* only whole: Thunderbird for iOS rejects a document with a part */

    if (ngx_http_autodiscover_autoconfig_oauth2(ctx)) {
        ngx_http_autodiscover_out_tag(out, 1, "<oAuth2>");
        ngx_http_autodiscover_out_element(out, 2, "issuer",
                                   &s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_ISSUER]);
        ngx_http_autodiscover_out_element(out, 2, "scope",
                                    &s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_SCOPE]);
        ngx_http_autodiscover_out_element(out, 2, "authURL",
                                 &s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_AUTH_URL]);
        ngx_http_autodiscover_out_element(out, 2, "tokenURL",
                                &s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_TOKEN_URL]);

        if (s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_CLIENT_ID].len) {
            ngx_http_autodiscover_out_element(out, 2, "clientID",
                                &s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_CLIENT_ID]);
        }

        ngx_http_autodiscover_out_tag(out, 1, "</oAuth2>");
    }

    ngx_http_autodiscover_out_literal(out, "</clientConfig>\n");
}


/*
 * a mail server's entry, rendered now with the holes in p; only with a
 * login, literal or in a hole: without one, the entry names the address
 * asked for
 */

ngx_int_t
ngx_http_autodiscover_autoconfig_template(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_http_autodiscover_proto_t *p)
{
    if (!ngx_http_autodiscover_autoconfig_type(p)
        || p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN].len == 0)
    {
        return NGX_OK;
    }

    return ngx_http_autodiscover_make_template(cf,
                                  ngx_http_autodiscover_autoconfig_server_alone,
                                  p, &pc->autoconfig);
}


/* the entry of a server with a login: the request is not needed */

static void
ngx_http_autodiscover_autoconfig_server_alone(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_proto_t *p)
{
    ngx_http_autodiscover_autoconfig_server(out, NULL, p);
}


static void
ngx_http_autodiscover_autoconfig_server(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_proto_t *p)
{
    ngx_int_t         type, auth;
    ngx_uint_t        i;
    const ngx_str_t  *s, *login;
    const int32_t    *n;

    s = p->str;
    n = p->num;
    type = n[NGX_HTTP_AUTODISCOVER_F_TYPE];

    /* rendered with the configuration, when every hole has its value */

    if (p->conf != NULL
        && ngx_http_autodiscover_out_template(out, p->conf->autoconfig, p)
           == NGX_OK)
    {
        return;
    }

    if (type == NGX_HTTP_AUTODISCOVER_SMTP) {
        ngx_http_autodiscover_out_literal(out,
                                        "    <outgoingServer type=\"smtp\">\n");

    } else {
        ngx_http_autodiscover_out_literal(out,
                                         "    <incomingServer type=\"");
        ngx_http_autodiscover_out_put_xml(out,
                                   &ngx_http_autodiscover_server_types[type]);
        ngx_http_autodiscover_out_literal(out, "\">\n");
    }

    ngx_http_autodiscover_out_element(out, 3, "hostname",
                                      &s[NGX_HTTP_AUTODISCOVER_F_SERVER]);
    ngx_http_autodiscover_out_number(out, 3, "port",
                                     n[NGX_HTTP_AUTODISCOVER_F_PORT]);
    ngx_http_autodiscover_out_element(out, 3, "socketType",
                                      &ngx_http_autodiscover_socket_types[
                                          n[NGX_HTTP_AUTODISCOVER_F_TLS]]);
    /* every mechanism, in the order of preference */

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_AUTHS; i++) {
        auth = ngx_http_autodiscover_auth_at(n[NGX_HTTP_AUTODISCOVER_F_AUTH],
                                             i);
        if (auth < 0) {
            break;
        }

        if (!ngx_http_autodiscover_autoconfig_shown(p, auth)) {
            continue;
        }

        ngx_http_autodiscover_out_element(out, 3, "authentication",
                                          &ngx_http_autodiscover_auth_names[
                                              auth]);
    }

    /* no login configured: the whole address, Thunderbird's default too */

    login = s[NGX_HTTP_AUTODISCOVER_F_LOGIN].len
            ? &s[NGX_HTTP_AUTODISCOVER_F_LOGIN] : &ctx->email;

    ngx_http_autodiscover_out_element(out, 3, "username", login);

    if (type == NGX_HTTP_AUTODISCOVER_POP3
        && (n[NGX_HTTP_AUTODISCOVER_F_LEAVE_ON_SERVER] != NGX_CONF_UNSET
            || n[NGX_HTTP_AUTODISCOVER_F_DAYS_TO_LEAVE] != NGX_CONF_UNSET))
    {
        ngx_http_autodiscover_out_tag(out, 3, "<pop3>");

        if (n[NGX_HTTP_AUTODISCOVER_F_LEAVE_ON_SERVER] != NGX_CONF_UNSET) {
            ngx_http_autodiscover_out_element(out, 4, "leaveMessagesOnServer",
                                 &ngx_http_autodiscover_booleans[
                                   n[NGX_HTTP_AUTODISCOVER_F_LEAVE_ON_SERVER]]);
        }

        if (n[NGX_HTTP_AUTODISCOVER_F_DAYS_TO_LEAVE] != NGX_CONF_UNSET) {
            ngx_http_autodiscover_out_number(out, 4,
                                      "daysToLeaveMessagesOnServer",
                                      n[NGX_HTTP_AUTODISCOVER_F_DAYS_TO_LEAVE]);
        }

        ngx_http_autodiscover_out_tag(out, 3, "</pop3>");
    }

    if (type == NGX_HTTP_AUTODISCOVER_SMTP) {
        ngx_http_autodiscover_out_literal(out, "    </outgoingServer>\n");

    } else {
        ngx_http_autodiscover_out_literal(out, "    </incomingServer>\n");
    }
}


/* a calendar or an address book: its URL, how to log in, who */

static void
ngx_http_autodiscover_autoconfig_dav(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_proto_t *p)
{
    ngx_int_t         type, auth;
    ngx_uint_t        i;
    const ngx_str_t  *login;

    type = p->num[NGX_HTTP_AUTODISCOVER_F_TYPE];

    if (type == NGX_HTTP_AUTODISCOVER_CALDAV) {
        ngx_http_autodiscover_out_tag(out, 1, "<calendar type=\"caldav\">");

    } else if (type == NGX_HTTP_AUTODISCOVER_CARDDAV) {
        ngx_http_autodiscover_out_tag(out, 1,
                                      "<addressbook type=\"carddav\">");

    } else {
        return;
    }

    ngx_http_autodiscover_out_element(out, 2, "url",
                                      &p->str[NGX_HTTP_AUTODISCOVER_F_URL]);

    /* HTTP's own schemes; the draft has no system for OAuth2 */

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_AUTHS; i++) {
        auth = ngx_http_autodiscover_auth_at(
                                     p->num[NGX_HTTP_AUTODISCOVER_F_AUTH], i);

        switch (auth) {

        case NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT:
            ngx_http_autodiscover_out_tag(out, 2,
                     "<authentication system=\"http\">Basic</authentication>");
            continue;

        case NGX_HTTP_AUTODISCOVER_AUTH_ENCRYPTED:
            ngx_http_autodiscover_out_tag(out, 2,
                    "<authentication system=\"http\">Digest</authentication>");
            continue;

        case NGX_HTTP_AUTODISCOVER_AUTH_OAUTH2:
            ngx_http_autodiscover_out_tag(out, 2,
                                     "<authentication>OAuth2</authentication>");
            continue;

        default:
            break;
        }

        if (auth < 0) {
            break;
        }
    }

    login = p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN].len
            ? &p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN] : &ctx->email;

    ngx_http_autodiscover_out_element(out, 2, "username", login);

    if (type == NGX_HTTP_AUTODISCOVER_CALDAV) {
        ngx_http_autodiscover_out_tag(out, 1, "</calendar>");

    } else {
        ngx_http_autodiscover_out_tag(out, 1, "</addressbook>");
    }
}


/* the four values Thunderbird for iOS needs of an oAuth2 block */

static ngx_uint_t
ngx_http_autodiscover_autoconfig_oauth2(const ngx_http_autodiscover_ctx_t *ctx)
{
    const ngx_str_t  *s;

    s = ctx->service.str;

    return s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_ISSUER].len
           && s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_SCOPE].len
           && s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_AUTH_URL].len
           && s[NGX_HTTP_AUTODISCOVER_A_OAUTH2_TOKEN_URL].len;
}


/*
 * what only version 1.2 has: a calendar or an address book, an oAuth2
 * block, a server with several authentication methods
 */

static ngx_uint_t
ngx_http_autodiscover_autoconfig_v12(const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                             type;
    ngx_uint_t                            i;
    const ngx_http_autodiscover_proto_t  *p;

    if (ngx_http_autodiscover_autoconfig_oauth2(ctx)) {
        return 1;
    }

    p = ctx->service.protocols.elts;

    for (i = 0; i < ctx->service.protocols.nelts; i++) {
        type = p[i].num[NGX_HTTP_AUTODISCOVER_F_TYPE];

        if (type == NGX_HTTP_AUTODISCOVER_CALDAV
            || type == NGX_HTTP_AUTODISCOVER_CARDDAV
            || (ngx_http_autodiscover_autoconfig_type(&p[i])
                && ngx_http_autodiscover_autoconfig_kept(ctx, &p[i])
                && ngx_http_autodiscover_autoconfig_nauth(&p[i]) > 1))
        {
            return 1;
        }
    }

    return 0;
}


/* an element with a url="" attribute, when there is a URL */

static void
ngx_http_autodiscover_autoconfig_url(ngx_http_autodiscover_out_t *out,
    char *open, const ngx_str_t *url, char *close)
{
    if (url->len == 0) {
        return;
    }

    ngx_http_autodiscover_out_raw(out, (u_char *) open, ngx_strlen(open));
    ngx_http_autodiscover_out_put_xml(out, url);
    ngx_http_autodiscover_out_raw(out, (u_char *) close, ngx_strlen(close));
}


/*
 * Thunderbird for Android and for iOS reject a whole document for one
 * server they cannot use: plain text, or no mechanism they know (OAuth2,
 * password-cleartext, password-encrypted). Such a server is left out
 * when another server of its direction (incoming, outgoing) is usable;
 * alone, it stays for desktop Thunderbird, and nginx -t warns. Of a
 * usable server, the mechanisms Thunderbird for iOS does not know (NTLM,
 * GSSAPI, TLS-client-cert, none) are left out; client-IP-address stays
 * (iOS knows it, Android skips it).
 */

ngx_uint_t
ngx_http_autodiscover_autoconfig_usable(const ngx_http_autodiscover_proto_t *p)
{
    ngx_int_t   auth;
    ngx_uint_t  i;

    if (p->num[NGX_HTTP_AUTODISCOVER_F_TLS] == NGX_HTTP_AUTODISCOVER_TLS_NONE)
    {
        return 0;
    }

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_AUTHS; i++) {
        auth = ngx_http_autodiscover_auth_at(
                                     p->num[NGX_HTTP_AUTODISCOVER_F_AUTH], i);

        if (auth == NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT
            || auth == NGX_HTTP_AUTODISCOVER_AUTH_ENCRYPTED
            || auth == NGX_HTTP_AUTODISCOVER_AUTH_OAUTH2)
        {
            return 1;
        }

        if (auth < 0) {
            break;
        }
    }

    return 0;
}


static ngx_uint_t
ngx_http_autodiscover_autoconfig_kept(const ngx_http_autodiscover_ctx_t *ctx,
    const ngx_http_autodiscover_proto_t *p)
{
    ngx_uint_t                            i;
    const ngx_http_autodiscover_proto_t  *q;

    if (ngx_http_autodiscover_autoconfig_usable(p)) {
        return 1;
    }

    q = ctx->service.protocols.elts;

    for (i = 0; i < ctx->service.protocols.nelts; i++) {
        if (ngx_http_autodiscover_autoconfig_type(&q[i])
            && ngx_http_autodiscover_autoconfig_smtp(&q[i])
               == ngx_http_autodiscover_autoconfig_smtp(p)
            && ngx_http_autodiscover_autoconfig_usable(&q[i]))
        {
            return 0;
        }
    }

    return 1;
}


static ngx_uint_t
ngx_http_autodiscover_autoconfig_shown(const ngx_http_autodiscover_proto_t *p,
    ngx_int_t auth)
{
    if (!ngx_http_autodiscover_autoconfig_usable(p)) {
        return 1;
    }

    return auth == NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT
           || auth == NGX_HTTP_AUTODISCOVER_AUTH_ENCRYPTED
           || auth == NGX_HTTP_AUTODISCOVER_AUTH_OAUTH2
           || auth == NGX_HTTP_AUTODISCOVER_AUTH_CLIENT_IP;
}


/* the mechanisms a server's element lists */

static ngx_uint_t
ngx_http_autodiscover_autoconfig_nauth(const ngx_http_autodiscover_proto_t *p)
{
    ngx_int_t   auth;
    ngx_uint_t  i, n;

    n = 0;

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_AUTHS; i++) {
        auth = ngx_http_autodiscover_auth_at(
                                     p->num[NGX_HTTP_AUTODISCOVER_F_AUTH], i);
        if (auth < 0) {
            break;
        }

        n += ngx_http_autodiscover_autoconfig_shown(p, auth);
    }

    return n;
}

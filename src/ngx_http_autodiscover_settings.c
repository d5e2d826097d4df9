
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"


static ngx_int_t ngx_http_autodiscover_parse_enum(ngx_str_t *value,
    ngx_str_t *names, ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_type(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_tls(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_auth(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_account_type(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_flag(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_port(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_ttl(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_date(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_text(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_https(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_parse_url(ngx_str_t *value,
    ngx_int_t *num);
/*
 * the values of parameters several protocols share (one configured value,
 * see ngx_http_autodiscover_share()), as this request evaluated them
 */

#define NGX_HTTP_AUTODISCOVER_TAKEN  8

typedef struct {
    ngx_uint_t                       n;
    ngx_http_autodiscover_value_t   *value[NGX_HTTP_AUTODISCOVER_TAKEN];
    ngx_str_t                        str[NGX_HTTP_AUTODISCOVER_TAKEN];
    int32_t                          num[NGX_HTTP_AUTODISCOVER_TAKEN];
} ngx_http_autodiscover_taken_t;


static ngx_int_t ngx_http_autodiscover_parse_addr(ngx_str_t *value,
    ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_eval(ngx_http_request_t *r,
    ngx_http_autodiscover_value_t *v, ngx_str_t *str);
static ngx_int_t ngx_http_autodiscover_value(ngx_http_request_t *r,
    ngx_http_autodiscover_value_t *v, ngx_http_autodiscover_field_t *field,
    ngx_str_t *str, ngx_int_t *num);
static ngx_int_t ngx_http_autodiscover_evaluate_protocols(
    ngx_http_request_t *r, ngx_http_autodiscover_loc_conf_t *alcf,
    ngx_http_autodiscover_ctx_t *ctx);
static ngx_int_t ngx_http_autodiscover_evaluate_protocol(
    ngx_http_request_t *r, ngx_http_autodiscover_proto_conf_t *pc,
    ngx_http_autodiscover_proto_t *p, ngx_http_autodiscover_taken_t *taken);
static void ngx_http_autodiscover_protocol_defaults(
    ngx_http_autodiscover_proto_t *p);
static ngx_int_t ngx_http_autodiscover_default_port(ngx_int_t type,
    ngx_int_t tls);
static void ngx_http_autodiscover_url_host(ngx_http_autodiscover_proto_t *p);
static ngx_int_t ngx_http_autodiscover_v1_url(ngx_http_request_t *r,
    ngx_str_t *url);
static ngx_uint_t ngx_http_autodiscover_plain_host(ngx_str_t *host);


ngx_str_t  ngx_http_autodiscover_types[] = {
    ngx_string("POP3"),
    ngx_string("IMAP"),
    ngx_string("SMTP"),
    ngx_string("DAV"),
    ngx_string("WEB"),
    ngx_string("NNTP"),
    ngx_string("EXCH"),
    ngx_string("EXPR"),
    ngx_string("EXHTTP"),
    ngx_string("CalDAV"),
    ngx_string("CardDAV"),
    ngx_string("JMAP"),
    ngx_null_string
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_types,
                                  NGX_HTTP_AUTODISCOVER_TYPE_COUNT + 1);


static ngx_str_t  ngx_http_autodiscover_tls_names[] = {
    ngx_string("ssl"),
    ngx_string("starttls"),
    ngx_string("none"),
    ngx_null_string
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_tls_names,
                                  NGX_HTTP_AUTODISCOVER_TLS_COUNT + 1);


/* Thunderbird's autoconfig names them so too */

ngx_str_t  ngx_http_autodiscover_auth_names[] = {
    ngx_string("password-cleartext"),
    ngx_string("password-encrypted"),
    ngx_string("NTLM"),
    ngx_string("GSSAPI"),
    ngx_string("OAuth2"),
    ngx_string("client-IP-address"),
    ngx_string("TLS-client-cert"),
    ngx_string("none"),
    ngx_null_string
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_auth_names,
                                  NGX_HTTP_AUTODISCOVER_AUTH_COUNT + 1);


static ngx_str_t  ngx_http_autodiscover_account_types[] = {
    ngx_string("email"),
    ngx_string("nntp"),
    ngx_null_string
};


static ngx_str_t  ngx_http_autodiscover_flags[] = {
    ngx_string("off"),
    ngx_string("on"),
    ngx_null_string
};


#define NGX_HTTP_AUTODISCOVER_ALL                                             \
    ((1 << NGX_HTTP_AUTODISCOVER_TYPE_COUNT) - 1)
#define NGX_HTTP_AUTODISCOVER_SMTP_ONLY  (1 << NGX_HTTP_AUTODISCOVER_SMTP)
#define NGX_HTTP_AUTODISCOVER_URL_TYPES                                       \
    ((1 << NGX_HTTP_AUTODISCOVER_CALDAV) | (1 << NGX_HTTP_AUTODISCOVER_CARDDAV)\
     | (1 << NGX_HTTP_AUTODISCOVER_JMAP))
#define NGX_HTTP_AUTODISCOVER_EXCHANGE                                        \
    ((1 << NGX_HTTP_AUTODISCOVER_EXCH) | (1 << NGX_HTTP_AUTODISCOVER_EXPR)    \
     | (1 << NGX_HTTP_AUTODISCOVER_EXHTTP) | (1 << NGX_HTTP_AUTODISCOVER_WEB))

#define NGX_HTTP_AUTODISCOVER_FLAG_EXPECT  "it must be \"on\" or \"off\""
#define NGX_HTTP_AUTODISCOVER_TEXT_EXPECT                                     \
    "it must be UTF-8 text without control characters"
#define NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT                                    \
    "it must be an absolute \"https://\" URL"


/* indexed by ngx_http_autodiscover_field_e */

ngx_http_autodiscover_field_t  ngx_http_autodiscover_fields[] = {

    { ngx_string("protocol type"), ngx_http_autodiscover_parse_type,
      "it must be one of POP3, IMAP, SMTP, DAV, WEB, NNTP, EXCH, EXPR, "
      "EXHTTP, CalDAV, CardDAV, JMAP",
      NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("server"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("port"), ngx_http_autodiscover_parse_port,
      "it must be a number from 1 to 65535", NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("tls"), ngx_http_autodiscover_parse_tls,
      "it must be \"ssl\", \"starttls\" or \"none\"",
      NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("auth"), ngx_http_autodiscover_parse_auth,
      "it must be one of password-cleartext, password-encrypted, NTLM, "
      "GSSAPI, OAuth2, client-IP-address, TLS-client-cert, none, or up to "
      "four of them separated by commas",
      NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("spa"), ngx_http_autodiscover_parse_flag,
      NGX_HTTP_AUTODISCOVER_FLAG_EXPECT, NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("auth_required"), ngx_http_autodiscover_parse_flag,
      NGX_HTTP_AUTODISCOVER_FLAG_EXPECT, NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("login"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("domain_required"), ngx_http_autodiscover_parse_flag,
      NGX_HTTP_AUTODISCOVER_FLAG_EXPECT, NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("domain_name"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("ttl"), ngx_http_autodiscover_parse_ttl,
      "it must be a number of hours from 0 to 876000",
      NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("expires"), ngx_http_autodiscover_parse_date,
      "it must be a date written YYYYMMDD", NGX_HTTP_AUTODISCOVER_ALL },

    { ngx_string("popauth"), ngx_http_autodiscover_parse_flag,
      NGX_HTTP_AUTODISCOVER_FLAG_EXPECT, NGX_HTTP_AUTODISCOVER_SMTP_ONLY },

    { ngx_string("smtp_last"), ngx_http_autodiscover_parse_flag,
      NGX_HTTP_AUTODISCOVER_FLAG_EXPECT, NGX_HTTP_AUTODISCOVER_SMTP_ONLY },

    { ngx_string("as_url"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, NGX_HTTP_AUTODISCOVER_EXCHANGE },

    { ngx_string("ews_url"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, NGX_HTTP_AUTODISCOVER_EXCHANGE },

    { ngx_string("oof_url"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, NGX_HTTP_AUTODISCOVER_EXCHANGE },

    { ngx_string("oab_url"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, NGX_HTTP_AUTODISCOVER_EXCHANGE },

    { ngx_string("leave_on_server"), ngx_http_autodiscover_parse_flag,
      NGX_HTTP_AUTODISCOVER_FLAG_EXPECT, 1 << NGX_HTTP_AUTODISCOVER_POP3 },

    { ngx_string("days_to_leave"), ngx_http_autodiscover_parse_ttl,
      "it must be a number of days from 0 to 876000",
      1 << NGX_HTTP_AUTODISCOVER_POP3 },

    { ngx_string("url"), ngx_http_autodiscover_parse_url,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT ", its host a host name, an IPv4 "
      "address or an IPv6 address in brackets, a port from 1 to 65535 if "
      "any, and no user name", NGX_HTTP_AUTODISCOVER_URL_TYPES }
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_fields,
                                  NGX_HTTP_AUTODISCOVER_F_COUNT);


/* indexed by ngx_http_autodiscover_account_e */

ngx_http_autodiscover_field_t  ngx_http_autodiscover_account[] = {

    { ngx_string("autodiscover_serve value"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("account type"), ngx_http_autodiscover_parse_account_type,
      "it must be \"email\" or \"nntp\"", 0 },

    { ngx_string("display name"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("image URL"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("service home URL"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("redirect URL"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, 0 },

    { ngx_string("redirect address"), ngx_http_autodiscover_parse_addr,
      "it must be an e-mail address", 0 },

    { ngx_string("culture"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("ActiveSync URL"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, 0 },

    { ngx_string("ActiveSync name"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("CertEnroll URL"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, 0 },

    { ngx_string("CertEnroll template"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("Autodiscover v1 URL"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, 0 },

    { ngx_string("provider name"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("provider short name"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("documentation URL"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("webmail URL"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("profile name"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("profile organization"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("profile description"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("OAuth2 issuer"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("OAuth2 scope"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 },

    { ngx_string("OAuth2 authorization URL"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, 0 },

    { ngx_string("OAuth2 token URL"), ngx_http_autodiscover_parse_https,
      NGX_HTTP_AUTODISCOVER_HTTPS_EXPECT, 0 },

    { ngx_string("OAuth2 client ID"), ngx_http_autodiscover_parse_text,
      NGX_HTTP_AUTODISCOVER_TEXT_EXPECT, 0 }
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_account,
                                  NGX_HTTP_AUTODISCOVER_A_COUNT);


static ngx_int_t
ngx_http_autodiscover_parse_enum(ngx_str_t *value, ngx_str_t *names,
    ngx_int_t *num)
{
    ngx_int_t  i;

    for (i = 0; names[i].len; i++) {
        if (names[i].len == value->len
            && ngx_strncasecmp(names[i].data, value->data, value->len) == 0)
        {
            *num = i;
            return NGX_OK;
        }
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_autodiscover_parse_type(ngx_str_t *value, ngx_int_t *num)
{
    return ngx_http_autodiscover_parse_enum(value,
                                            ngx_http_autodiscover_types, num);
}


static ngx_int_t
ngx_http_autodiscover_parse_tls(ngx_str_t *value, ngx_int_t *num)
{
    return ngx_http_autodiscover_parse_enum(value,
                                            ngx_http_autodiscover_tls_names,
                                            num);
}


/* "OAuth2,password-cleartext": the mechanisms packed, in their order */

static ngx_int_t
ngx_http_autodiscover_parse_auth(ngx_str_t *value, ngx_int_t *num)
{
    u_char     *p, *last, *comma;
    ngx_int_t   one, packed;
    ngx_str_t   name;
    ngx_uint_t  i;

    p = value->data;
    last = p + value->len;
    packed = 0;

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_AUTHS; i++) {
        comma = ngx_strlchr(p, last, ',');

        name.data = p;
        name.len = (comma ? comma : last) - p;

        if (ngx_http_autodiscover_parse_enum(&name,
                                             ngx_http_autodiscover_auth_names,
                                             &one)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        packed |= (one + 1) << (i * 4);

        if (comma == NULL) {
            *num = packed;
            return NGX_OK;
        }

        p = comma + 1;
    }

    /* more than NGX_HTTP_AUTODISCOVER_AUTHS */

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_autodiscover_parse_account_type(ngx_str_t *value, ngx_int_t *num)
{
    return ngx_http_autodiscover_parse_enum(value,
                                          ngx_http_autodiscover_account_types,
                                          num);
}


static ngx_int_t
ngx_http_autodiscover_parse_flag(ngx_str_t *value, ngx_int_t *num)
{
    return ngx_http_autodiscover_parse_enum(value, ngx_http_autodiscover_flags,
                                            num);
}


static ngx_int_t
ngx_http_autodiscover_parse_port(ngx_str_t *value, ngx_int_t *num)
{
    ngx_int_t  n;

    if (value->len > 5) {
        return NGX_ERROR;
    }

    n = ngx_atoi(value->data, value->len);

    if (n < 1 || n > 65535) {
        return NGX_ERROR;
    }

    *num = n;

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_parse_ttl(ngx_str_t *value, ngx_int_t *num)
{
    ngx_int_t  n;

    if (value->len > 6) {
        return NGX_ERROR;
    }

    n = ngx_atoi(value->data, value->len);

    if (n == NGX_ERROR || n > 876000) {
        return NGX_ERROR;
    }

    *num = n;

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_parse_date(ngx_str_t *value, ngx_int_t *num)
{
    ngx_int_t  year, month, day, days;

    if (value->len != 8) {
        return NGX_ERROR;
    }

    year = ngx_atoi(value->data, 4);
    month = ngx_atoi(value->data + 4, 2);
    day = ngx_atoi(value->data + 6, 2);

    if (year < 1970 || month < 1 || month > 12 || day < 1) {
        return NGX_ERROR;
    }

    if (month == 2) {
        days = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
               ? 29 : 28;

    } else if (month == 4 || month == 6 || month == 9 || month == 11) {
        days = 30;

    } else {
        days = 31;
    }

    if (day > days) {
        return NGX_ERROR;
    }

    *num = year * 10000 + month * 100 + day;

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_parse_text(ngx_str_t *value, ngx_int_t *num)
{
    return ngx_http_autodiscover_check_text(value);
}


static ngx_int_t
ngx_http_autodiscover_parse_https(ngx_str_t *value, ngx_int_t *num)
{
    size_t  n;

    if (value->len == 0) {
        return NGX_OK;
    }

    n = sizeof("https://") - 1;

    if (value->len <= n
        || ngx_strncasecmp(value->data, (u_char *) "https://", n) != 0
        || value->data[n] == '/')
    {
        return NGX_ERROR;
    }

    return ngx_http_autodiscover_parse_text(value, num);
}


/*
 * url= of CalDAV, CardDAV and JMAP: an https:// URL whose host and port
 * the formats that name a host take apart (Apple's profiles, DNS
 * records): a host name or an IPv4 address, or an IPv6 address in
 * brackets, then a port from 1 to 65535 if any, and no user name
 */

static ngx_int_t
ngx_http_autodiscover_parse_url(ngx_str_t *value, ngx_int_t *num)
{
    u_char     *p, *host, *last;
    ngx_int_t   port;
#if (NGX_HAVE_INET6)
    u_char      addr6[16];
#endif

    if (value->len == 0) {
        return NGX_OK;
    }

    if (ngx_http_autodiscover_parse_https(value, num) != NGX_OK) {
        return NGX_ERROR;
    }

    host = value->data + sizeof("https://") - 1;
    last = value->data + value->len;

    if (*host == '[') {

        for (p = host + 1; p < last && *p != ']'; p++) {
            /* void */
        }

        if (p == last) {
            return NGX_ERROR;
        }

#if (NGX_HAVE_INET6)
        if (ngx_inet6_addr(host + 1, p - host - 1, addr6) != NGX_OK) {
            return NGX_ERROR;
        }
#else
        return NGX_ERROR;
#endif

        p++;

    } else {

        for (p = host;
             p < last && *p != ':' && *p != '/' && *p != '?' && *p != '#';
             p++)
        {
            /* void */
        }

        if (ngx_http_autodiscover_check_domain(host, p) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (p < last && *p == ':') {
        host = ++p;

        while (p < last && *p >= '0' && *p <= '9') {
            p++;
        }

        port = ngx_atoi(host, p - host);

        if (port < 1 || port > 65535) {
            return NGX_ERROR;
        }
    }

    if (p < last && *p != '/' && *p != '?' && *p != '#') {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_parse_addr(ngx_str_t *value, ngx_int_t *num)
{
    ngx_int_t  at;

    if (value->len == 0) {
        return NGX_OK;
    }

    return ngx_http_autodiscover_check_address(value, &at);
}


ngx_int_t
ngx_http_autodiscover_served(ngx_http_request_t *r,
    ngx_http_autodiscover_loc_conf_t *alcf, ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_str_t                       serve;
    ngx_http_autodiscover_value_t  *v;

    if (alcf->domains != NULL && ctx->domain.len
        && ngx_http_autodiscover_match_domain(alcf->domains, &ctx->domain)
           == NGX_OK)
    {
        return NGX_OK;
    }

    v = alcf->account[NGX_HTTP_AUTODISCOVER_A_SERVE];

    if (v != NULL) {
        if (ngx_http_autodiscover_eval(r, v, &serve) != NGX_OK) {
            return NGX_ERROR;
        }

        if (serve.len && !(serve.len == 1 && serve.data[0] == '0')) {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/*
 * evaluates the configured service for this request, once: the account
 * values, the action, and for settings every protocol in order;
 * NGX_DECLINED means a variable produced an invalid value
 */

ngx_int_t
ngx_http_autodiscover_evaluate(ngx_http_request_t *r,
    ngx_http_autodiscover_loc_conf_t *alcf, ngx_http_autodiscover_ctx_t *ctx,
    ngx_uint_t rules)
{
    ngx_int_t                              rc;
    ngx_uint_t                             i, k;
    ngx_http_autodiscover_service_t       *svc;
    ngx_http_autodiscover_account_base_t  *base;

    svc = &ctx->service;
    base = alcf->account_base;

    if (base != NULL) {
        /* the literals, as the configuration was read; then the variables */

        ngx_memcpy(svc->str, base->str, sizeof(svc->str));
        ngx_memcpy(svc->num, base->num, sizeof(svc->num));

        for (k = 0; k < base->nvars; k++) {
            i = base->vars[k];

            rc = ngx_http_autodiscover_value(r, alcf->account[i],
                                             &ngx_http_autodiscover_account[i],
                                             &svc->str[i], &svc->num[i]);
            if (rc != NGX_OK) {
                return rc;
            }
        }

    } else {

        for (i = NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE;
             i < NGX_HTTP_AUTODISCOVER_A_COUNT;
             i++)
        {
            rc = ngx_http_autodiscover_value(r, alcf->account[i],
                                             &ngx_http_autodiscover_account[i],
                                             &svc->str[i], &svc->num[i]);
            if (rc != NGX_OK) {
                return rc;
            }
        }
    }

    if (svc->str[NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE].len == 0) {
        ngx_str_set(&svc->str[NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE], "email");
        svc->num[NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE] = 0;
    }

    svc->str[NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE] =
        ngx_http_autodiscover_account_types[
            svc->num[NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE]];

    if (svc->str[NGX_HTTP_AUTODISCOVER_A_CULTURE].len == 0) {
        ngx_str_set(&svc->str[NGX_HTTP_AUTODISCOVER_A_CULTURE], "en:us");
    }

    if (svc->str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_NAME].len == 0) {
        svc->str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_NAME] =
            svc->str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_URL];
    }

    if (svc->str[NGX_HTTP_AUTODISCOVER_A_V1_URL].len == 0
        && (rules & NGX_HTTP_AUTODISCOVER_RULE_URLS))
    {
        rc = ngx_http_autodiscover_v1_url(r,
                                   &svc->str[NGX_HTTP_AUTODISCOVER_A_V1_URL]);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (svc->str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL].len) {
        svc->action = NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_URL;
        goto redirect;
    }

    /* a redirect to the address asked for would only make clients loop */

    if (svc->str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_ADDR].len
        && (svc->str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_ADDR].len
            != ctx->email.len
            || ngx_strncasecmp(
                   svc->str[NGX_HTTP_AUTODISCOVER_A_REDIRECT_ADDR].data,
                   ctx->email.data, ctx->email.len)
               != 0))
    {
        svc->action = NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_ADDR;
        goto redirect;
    }

    svc->action = NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS;

    return ngx_http_autodiscover_evaluate_protocols(r, alcf, ctx);

redirect:

    /* Autodiscover v2 still names the protocols' URLs, such as EWS */

    if (rules & NGX_HTTP_AUTODISCOVER_RULE_URLS) {
        return ngx_http_autodiscover_evaluate_protocols(r, alcf, ctx);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_evaluate_protocols(ngx_http_request_t *r,
    ngx_http_autodiscover_loc_conf_t *alcf, ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                            rc;
    ngx_uint_t                           i;
    ngx_http_autodiscover_proto_t       *p;
    ngx_http_autodiscover_taken_t        taken;
    ngx_http_autodiscover_service_t     *svc;
    ngx_http_autodiscover_proto_conf_t  *pc;

    svc = &ctx->service;

    if (alcf->protocols == NULL) {
        return NGX_OK;
    }

    taken.n = 0;

    if (ngx_array_init(&svc->protocols, r->pool, alcf->protocols->nelts,
                       sizeof(ngx_http_autodiscover_proto_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    pc = alcf->protocols->elts;

    for (i = 0; i < alcf->protocols->nelts; i++) {
        p = ngx_array_push(&svc->protocols);
        if (p == NULL) {
            return NGX_ERROR;
        }

        rc = ngx_http_autodiscover_evaluate_protocol(r, &pc[i], p, &taken);

        if (rc == NGX_DONE) {
            /* the server evaluated empty: the protocol is left out */
            svc->protocols.nelts--;
            continue;
        }

        if (rc != NGX_OK) {
            return rc;
        }
    }

    return NGX_OK;
}


/*
 * a location's account values, as ngx_http_autodiscover_evaluate() would
 * set them from the literals; autodiscover_serve (A_SERVE) is not among
 * them, and stays as the request's context had it, zero
 */

ngx_int_t
ngx_http_autodiscover_prepare_account(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf)
{
    ngx_uint_t                             i;
    ngx_http_autodiscover_value_t         *v;
    ngx_http_autodiscover_account_base_t  *base;

    base = ngx_pcalloc(cf->pool, sizeof(ngx_http_autodiscover_account_base_t));
    if (base == NULL) {
        return NGX_ERROR;
    }

    for (i = NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE;
         i < NGX_HTTP_AUTODISCOVER_A_COUNT;
         i++)
    {
        v = alcf->account[i];

        base->num[i] = NGX_CONF_UNSET;

        if (v == NULL) {
            continue;
        }

        if (v->cv.lengths != NULL) {
            base->vars[base->nvars++] = i;
            continue;
        }

        base->str[i] = v->cv.value;
        base->num[i] = v->num;
    }

    alcf->account_base = base;

    return NGX_OK;
}


/* a protocol's literals are taken once, when the configuration is read */

void
ngx_http_autodiscover_prepare_protocol(ngx_http_autodiscover_proto_conf_t *pc)
{
    ngx_uint_t                      f;
    ngx_http_autodiscover_value_t  *v;

    pc->nvars = 0;
    pc->outlook = NULL;
    pc->autoconfig = NULL;
    pc->base.conf = NULL;

    for (f = 0; f < NGX_HTTP_AUTODISCOVER_F_COUNT; f++) {
        v = pc->value[f];

        ngx_str_null(&pc->base.str[f]);
        pc->base.num[f] = NGX_CONF_UNSET;

        if (v == NULL) {
            continue;
        }

        if (v->cv.lengths != NULL) {
            pc->vars[pc->nvars++] = f;
            continue;
        }

        pc->base.str[f] = v->cv.value;
        pc->base.num[f] = (int32_t) v->num;
    }
}


static ngx_int_t
ngx_http_autodiscover_evaluate_protocol(ngx_http_request_t *r,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_http_autodiscover_proto_t *p,
    ngx_http_autodiscover_taken_t *taken)
{
    ngx_int_t                       rc, type, num;
    ngx_uint_t                      f, i, k;
    ngx_http_autodiscover_value_t  *v;

    /* the literals, as the configuration was read; then the variables */

    *p = pc->base;
    p->conf = pc;

    for (i = 0; i < pc->nvars; i++) {
        f = pc->vars[i];
        v = pc->value[f];

        for (k = 0; k < taken->n; k++) {
            if (taken->value[k] == v) {
                break;
            }
        }

        if (k < taken->n) {
            p->str[f] = taken->str[k];
            p->num[f] = taken->num[k];

        } else {
            rc = ngx_http_autodiscover_value(r, v,
                                             &ngx_http_autodiscover_fields[f],
                                             &p->str[f], &num);
            if (rc != NGX_OK) {
                return rc;
            }

            p->num[f] = (int32_t) num;

            if (v->shared && taken->n < NGX_HTTP_AUTODISCOVER_TAKEN) {
                taken->value[taken->n] = v;
                taken->str[taken->n] = p->str[f];
                taken->num[taken->n] = p->num[f];
                taken->n++;
            }
        }

        if (f == NGX_HTTP_AUTODISCOVER_F_SERVER && p->str[f].len == 0
            && !ngx_http_autodiscover_url_type(p->num[
                                                NGX_HTTP_AUTODISCOVER_F_TYPE]))
        {
            return NGX_DONE;
        }
    }

    type = p->num[NGX_HTTP_AUTODISCOVER_F_TYPE];

    if (type == NGX_CONF_UNSET) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: protocol type evaluated empty");
        return NGX_DECLINED;
    }

    /* calendars, contacts, JMAP: a URL, or the protocol is left out */

    if (ngx_http_autodiscover_url_type(type)) {
        if (p->str[NGX_HTTP_AUTODISCOVER_F_URL].len == 0) {
            return NGX_DONE;
        }

        ngx_http_autodiscover_url_host(p);

    } else if (p->str[NGX_HTTP_AUTODISCOVER_F_SERVER].len == 0) {
        return NGX_DONE;
    }

    p->str[NGX_HTTP_AUTODISCOVER_F_TYPE] = ngx_http_autodiscover_types[type];

    /*
     * a value that does not apply to this type is not rendered; with a
     * literal type, the configuration was refused if one did not apply
     */

    if (pc->value[NGX_HTTP_AUTODISCOVER_F_TYPE]->cv.lengths != NULL) {

        for (f = NGX_HTTP_AUTODISCOVER_F_TYPE + 1;
             f < NGX_HTTP_AUTODISCOVER_F_COUNT;
             f++)
        {
            if (!(ngx_http_autodiscover_fields[f].types & (1 << type))) {
                p->str[f].len = 0;
                p->num[f] = NGX_CONF_UNSET;
            }
        }
    }

    ngx_http_autodiscover_protocol_defaults(p);

    return NGX_OK;
}


/* the defaults, so that every renderer gets the same answer */

static void
ngx_http_autodiscover_protocol_defaults(ngx_http_autodiscover_proto_t *p)
{
    ngx_int_t  auth, type;

    type = p->num[NGX_HTTP_AUTODISCOVER_F_TYPE];

    if (p->num[NGX_HTTP_AUTODISCOVER_F_TLS] == NGX_CONF_UNSET) {
        p->num[NGX_HTTP_AUTODISCOVER_F_TLS] = NGX_HTTP_AUTODISCOVER_TLS_SSL;
    }

    if (p->num[NGX_HTTP_AUTODISCOVER_F_PORT] == NGX_CONF_UNSET) {
        p->num[NGX_HTTP_AUTODISCOVER_F_PORT] =
            ngx_http_autodiscover_default_port(type,
                                         p->num[NGX_HTTP_AUTODISCOVER_F_TLS]);
    }

    if (p->num[NGX_HTTP_AUTODISCOVER_F_AUTH] == NGX_CONF_UNSET) {
        p->num[NGX_HTTP_AUTODISCOVER_F_AUTH] =
                                       NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT + 1;
    }

    /* the first mechanism is the one a format with room for one names */

    auth = ngx_http_autodiscover_auth_at(p->num[NGX_HTTP_AUTODISCOVER_F_AUTH],
                                         0);

    if (p->num[NGX_HTTP_AUTODISCOVER_F_SPA] == NGX_CONF_UNSET) {
        p->num[NGX_HTTP_AUTODISCOVER_F_SPA] =
            (auth == NGX_HTTP_AUTODISCOVER_AUTH_ENCRYPTED
             || auth == NGX_HTTP_AUTODISCOVER_AUTH_NTLM
             || auth == NGX_HTTP_AUTODISCOVER_AUTH_GSSAPI);
    }

    if (p->num[NGX_HTTP_AUTODISCOVER_F_AUTH_REQUIRED] == NGX_CONF_UNSET) {
        p->num[NGX_HTTP_AUTODISCOVER_F_AUTH_REQUIRED] =
            (auth != NGX_HTTP_AUTODISCOVER_AUTH_NONE
             && auth != NGX_HTTP_AUTODISCOVER_AUTH_CLIENT_IP);
    }

    if (p->num[NGX_HTTP_AUTODISCOVER_F_DOMAIN_REQUIRED] == NGX_CONF_UNSET) {
        p->num[NGX_HTTP_AUTODISCOVER_F_DOMAIN_REQUIRED] = 0;
    }
}


/*
 * a mail protocol whose type and every number are literal, and whose
 * variables are only its server, login and domain name, is rendered for
 * Outlook and autoconfig now, with holes for those three; a request whose
 * values for them are all set gets the pieces and its values, escaped
 */

ngx_int_t
ngx_http_autodiscover_template_protocol(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc)
{
    u_char                         hole[NGX_HTTP_AUTODISCOVER_F_COUNT][2];
    ngx_int_t                      type;
    ngx_uint_t                     i, f;
    ngx_http_autodiscover_proto_t  p;

    type = pc->base.num[NGX_HTTP_AUTODISCOVER_F_TYPE];

    if (type == NGX_CONF_UNSET || ngx_http_autodiscover_url_type(type)
        || type == NGX_HTTP_AUTODISCOVER_JMAP)
    {
        return NGX_OK;
    }

    p = pc->base;

    for (i = 0; i < pc->nvars; i++) {
        f = pc->vars[i];

        if (f != NGX_HTTP_AUTODISCOVER_F_SERVER
            && f != NGX_HTTP_AUTODISCOVER_F_LOGIN
            && f != NGX_HTTP_AUTODISCOVER_F_DOMAIN_NAME)
        {
            return NGX_OK;
        }

        /* a byte no checked text has, and the field */

        hole[f][0] = '\x01';
        hole[f][1] = (u_char) ('A' + f);

        p.str[f].data = hole[f];
        p.str[f].len = 2;
    }

    if (p.str[NGX_HTTP_AUTODISCOVER_F_SERVER].len == 0) {
        return NGX_OK;
    }

    p.str[NGX_HTTP_AUTODISCOVER_F_TYPE] = ngx_http_autodiscover_types[type];

    ngx_http_autodiscover_protocol_defaults(&p);

    if (ngx_http_autodiscover_outlook_template(cf, pc, &p) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_autodiscover_autoconfig_template(cf, pc, &p);
}


/*
 * the server and port of a URL type, from its https:// URL (checked by
 * ngx_http_autodiscover_parse_url()), for the formats that name a host
 * (Apple's profiles, DNS records): the host as written, an IPv6 address
 * without its brackets, the port written or 443
 */

static void
ngx_http_autodiscover_url_host(ngx_http_autodiscover_proto_t *p)
{
    u_char     *host, *q, *last;
    size_t      len;
    ngx_int_t   port;
    ngx_str_t  *url;

    url = &p->str[NGX_HTTP_AUTODISCOVER_F_URL];

    host = url->data + sizeof("https://") - 1;
    last = url->data + url->len;

    if (host < last && *host == '[') {

        for (q = ++host; q < last && *q != ']'; q++) {
            /* void */
        }

        len = q - host;

        if (q < last) {
            q++;
        }

    } else {

        for (q = host;
             q < last && *q != '/' && *q != ':' && *q != '?' && *q != '#';
             q++)
        {
            /* void */
        }

        len = q - host;
    }

    if (p->str[NGX_HTTP_AUTODISCOVER_F_SERVER].len == 0) {
        p->str[NGX_HTTP_AUTODISCOVER_F_SERVER].data = host;
        p->str[NGX_HTTP_AUTODISCOVER_F_SERVER].len = len;
    }

    if (p->num[NGX_HTTP_AUTODISCOVER_F_PORT] != NGX_CONF_UNSET) {
        return;
    }

    port = 443;

    if (q < last && *q == ':') {
        host = ++q;

        while (q < last && *q >= '0' && *q <= '9') {
            q++;
        }

        port = ngx_atoi(host, q - host);

        if (port < 1 || port > 65535) {
            port = 443;
        }
    }

    p->num[NGX_HTTP_AUTODISCOVER_F_PORT] = (int32_t) port;
}


static ngx_int_t
ngx_http_autodiscover_default_port(ngx_int_t type, ngx_int_t tls)
{
    ngx_int_t  ssl;

    ssl = (tls == NGX_HTTP_AUTODISCOVER_TLS_SSL);

    switch (type) {

    case NGX_HTTP_AUTODISCOVER_IMAP:
        return ssl ? 993 : 143;

    case NGX_HTTP_AUTODISCOVER_POP3:
        return ssl ? 995 : 110;

    case NGX_HTTP_AUTODISCOVER_SMTP:
        return ssl ? 465 : (tls == NGX_HTTP_AUTODISCOVER_TLS_STARTTLS ? 587
                                                                      : 25);

    case NGX_HTTP_AUTODISCOVER_NNTP:
        return ssl ? 563 : 119;

    default:
        return NGX_CONF_UNSET;
    }
}


/*
 * evaluates one value and checks it as at configuration time; an empty
 * result means "not set"
 */

static ngx_int_t
ngx_http_autodiscover_value(ngx_http_request_t *r,
    ngx_http_autodiscover_value_t *v, ngx_http_autodiscover_field_t *field,
    ngx_str_t *str, ngx_int_t *num)
{
    *num = NGX_CONF_UNSET;

    if (v == NULL) {
        str->len = 0;
        str->data = NULL;
        return NGX_OK;
    }

    if (v->cv.lengths == NULL) {
        /* checked and parsed when the configuration was read */

        *str = v->cv.value;
        *num = v->num;

        return NGX_OK;
    }

    if (ngx_http_autodiscover_eval(r, v, str) != NGX_OK) {
        return NGX_ERROR;
    }

    if (str->len == 0) {
        return NGX_OK;
    }

    if (field->parse(str, num) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: invalid %V \"%V\" from variables, %s",
                      &field->name, ngx_http_autodiscover_loggable(r, str),
                      field->expect);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * a value with variables, as ngx_http_complex_value() gives it; one that
 * is only a variable is that variable's value, flushed as the script
 * engine would, not copied
 */

static ngx_int_t
ngx_http_autodiscover_eval(ngx_http_request_t *r,
    ngx_http_autodiscover_value_t *v, ngx_str_t *str)
{
    ngx_http_variable_value_t  *vv;

    if (v->index == NGX_ERROR) {
        return ngx_http_complex_value(r, &v->cv, str);
    }

    vv = ngx_http_get_flushed_variable(r, v->index);

    if (vv == NULL || vv->not_found || vv->len == 0) {
        ngx_str_set(str, "");
        return NGX_OK;
    }

    str->data = vv->data;
    str->len = vv->len;

    return NGX_OK;
}


/*
 * the POX endpoint on the host this request came in with, always over
 * https (clients take settings from https only; TLS may well end in
 * front of nginx); empty when neither the Host header nor server_name is
 * a plain host name
 */

static ngx_int_t
ngx_http_autodiscover_v1_url(ngx_http_request_t *r, ngx_str_t *url)
{
    u_char                    *p;
    ngx_str_t                  host;
    ngx_http_core_srv_conf_t  *cscf;

    ngx_str_null(url);
    ngx_str_null(&host);

    if (r->headers_in.host != NULL) {
        host = r->headers_in.host->value;
    }

    if (!ngx_http_autodiscover_plain_host(&host)) {
        cscf = ngx_http_get_module_srv_conf(r, ngx_http_core_module);
        host = cscf->server_name;

        if (!ngx_http_autodiscover_plain_host(&host)) {
            return NGX_OK;
        }
    }

    p = ngx_pnalloc(r->pool, sizeof("https://") - 1 + host.len
                             + sizeof("/autodiscover/autodiscover.xml") - 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    url->data = p;

    p = ngx_cpymem(p, "https://", sizeof("https://") - 1);
    p = ngx_cpymem(p, host.data, host.len);
    p = ngx_cpymem(p, "/autodiscover/autodiscover.xml",
                   sizeof("/autodiscover/autodiscover.xml") - 1);

    url->len = p - url->data;

    return NGX_OK;
}


/* a host name or address, with a port maybe: nothing to escape or fear */

static ngx_uint_t
ngx_http_autodiscover_plain_host(ngx_str_t *host)
{
    u_char  *p, *last;

    if (host->len == 0 || host->data[0] == '.' || host->data[0] == '_') {
        return 0;
    }

    last = host->data + host->len;

    for (p = host->data; p < last; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'
              || *p == ':' || *p == '[' || *p == ']'))
        {
            return 0;
        }
    }

    return 1;
}

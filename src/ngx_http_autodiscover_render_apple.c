
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>

#include "ngx_http_autodiscover.h"
#include "ngx_http_autodiscover_render.h"


/*
 * Apple configuration profiles: a Configuration payload holding, as
 * autodiscover_profile_payloads says and as far as the service has them,
 * a com.apple.mail.managed payload (the first incoming, IMAP or POP3,
 * and the first outgoing, SMTP, protocol), a com.apple.eas.account
 * payload (autodiscover_activesync_url), a com.apple.caldav.account and a
 * com.apple.carddav.account payload (the first CalDAV and CardDAV
 * protocols); each payload with an identifier and a UUID of its own
 */


typedef struct {
    const ngx_http_autodiscover_proto_t  *in;
    const ngx_http_autodiscover_proto_t  *out;
} ngx_http_autodiscover_apple_servers_t;


static ngx_int_t ngx_http_autodiscover_apple_servers(
    const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_servers_t *servers);
static ngx_uint_t ngx_http_autodiscover_apple_payloads(
    const ngx_http_autodiscover_ctx_t *ctx);
static const ngx_http_autodiscover_proto_t *ngx_http_autodiscover_apple_dav(
    const ngx_http_autodiscover_ctx_t *ctx, ngx_int_t type);
static ngx_int_t ngx_http_autodiscover_apple_ids(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t type);
static void ngx_http_autodiscover_apple_mail(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx, const ngx_str_t *name,
    const ngx_str_t *description);
static void ngx_http_autodiscover_apple_eas(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx, const ngx_str_t *name,
    const ngx_str_t *description);
static void ngx_http_autodiscover_apple_dav_payload(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_e payload, const ngx_str_t *name,
    const ngx_str_t *description);
static void ngx_http_autodiscover_apple_common(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_e payload, const ngx_str_t *name,
    const ngx_str_t *description, char *type);
static void ngx_http_autodiscover_apple_number(
    ngx_http_autodiscover_out_t *out, char *prefix, char *key,
    ngx_int_t value);
static u_char *ngx_http_autodiscover_apple_local(u_char *p,
    ngx_str_t *user);
static ngx_int_t ngx_http_autodiscover_apple_uuid(ngx_http_request_t *r,
    ngx_str_t *name, ngx_str_t *uuid);
static void ngx_http_autodiscover_apple_server(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx,
    char *prefix, const ngx_http_autodiscover_proto_t *p);
static void ngx_http_autodiscover_apple_string(
    ngx_http_autodiscover_out_t *out, char *key, const ngx_str_t *value);
static void ngx_http_autodiscover_apple_key(ngx_http_autodiscover_out_t *out,
    char *prefix, char *key);


/* indexed by the authentication mechanism */

static ngx_str_t  ngx_http_autodiscover_apple_auth[] = {
    ngx_string("EmailAuthPassword"),     /* password-cleartext */
    ngx_string("EmailAuthCRAMMD5"),      /* password-encrypted */
    ngx_string("EmailAuthNTLM"),         /* NTLM */
    ngx_string("EmailAuthPassword"),     /* GSSAPI */
    ngx_string("EmailAuthPassword"),     /* OAuth2 */
    ngx_string("EmailAuthNone"),         /* client-IP-address */
    ngx_string("EmailAuthNone"),         /* TLS-client-cert */
    ngx_string("EmailAuthNone")          /* none */
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_apple_auth,
                                  NGX_HTTP_AUTODISCOVER_AUTH_COUNT);


/* RFC 4122's DNS namespace: the names are reverse-DNS identifiers */

static u_char  ngx_http_autodiscover_apple_namespace[16] = {
    0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8
};


static u_char  ngx_http_autodiscover_apple_hex[] = "0123456789ABCDEF";


/* what each payload's identifier adds to the profile's */

#define NGX_HTTP_AUTODISCOVER_APPLE_BIT(payload)                              \
    ngx_http_autodiscover_apple_bit(NGX_HTTP_AUTODISCOVER_APPLE_ ## payload)


static ngx_str_t  ngx_http_autodiscover_apple_suffixes[] = {
    ngx_null_string,
    ngx_string(".imap"),      /* ".pop" for a POP3 account */
    ngx_string(".eas"),
    ngx_string(".caldav"),
    ngx_string(".carddav")
};

ngx_http_autodiscover_check_table(ngx_http_autodiscover_apple_suffixes,
                                  NGX_HTTP_AUTODISCOVER_APPLE_COUNT);


/*
 * a profile needs one payload at least, and no redirect; which ones it
 * has is decided here, once
 */

void
ngx_http_autodiscover_check_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ctx->apple_payloads = ngx_http_autodiscover_apple_payloads(ctx);

    if (ctx->apple_payloads == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no incoming and outgoing settings "
                      "(or a redirect) for domain \"%V\"", &ctx->domain);
        ctx->verdict.kind = NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE;
    }
}


/* the payloads' identifiers and UUIDs, made in the pool */

ngx_int_t
ngx_http_autodiscover_prepare_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_int_t                              type;
    ngx_http_autodiscover_apple_servers_t  servers;

    type = NGX_HTTP_AUTODISCOVER_IMAP;

    if (ngx_http_autodiscover_apple_servers(ctx, &servers) == NGX_OK) {
        type = servers.in->num[NGX_HTTP_AUTODISCOVER_F_TYPE];
    }

    return ngx_http_autodiscover_apple_ids(r, ctx, type);
}


/* the payloads configured and possible for this service */

static ngx_uint_t
ngx_http_autodiscover_apple_payloads(const ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_uint_t                             want, have;
    ngx_http_autodiscover_apple_servers_t  servers;

    if (ctx->service.action != NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS) {
        return 0;
    }

    want = ctx->conf->profile_payloads;
    have = 0;

    if ((want & NGX_HTTP_AUTODISCOVER_APPLE_BIT(MAIL))
        && ngx_http_autodiscover_apple_servers(ctx, &servers) == NGX_OK)
    {
        have |= NGX_HTTP_AUTODISCOVER_APPLE_BIT(MAIL);
    }

    if ((want & NGX_HTTP_AUTODISCOVER_APPLE_BIT(EAS))
        && ctx->service.str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_URL].len)
    {
        have |= NGX_HTTP_AUTODISCOVER_APPLE_BIT(EAS);
    }

    if ((want & NGX_HTTP_AUTODISCOVER_APPLE_BIT(CALDAV))
        && ngx_http_autodiscover_apple_dav(ctx, NGX_HTTP_AUTODISCOVER_CALDAV))
    {
        have |= NGX_HTTP_AUTODISCOVER_APPLE_BIT(CALDAV);
    }

    if ((want & NGX_HTTP_AUTODISCOVER_APPLE_BIT(CARDDAV))
        && ngx_http_autodiscover_apple_dav(ctx, NGX_HTTP_AUTODISCOVER_CARDDAV))
    {
        have |= NGX_HTTP_AUTODISCOVER_APPLE_BIT(CARDDAV);
    }

    return have;
}


/* the first CalDAV or CardDAV protocol */

static const ngx_http_autodiscover_proto_t *
ngx_http_autodiscover_apple_dav(const ngx_http_autodiscover_ctx_t *ctx,
    ngx_int_t type)
{
    ngx_uint_t                            i;
    const ngx_http_autodiscover_proto_t  *p;

    p = ctx->service.protocols.elts;

    for (i = 0; i < ctx->service.protocols.nelts; i++) {
        if (p[i].num[NGX_HTTP_AUTODISCOVER_F_TYPE] == type) {
            return &p[i];
        }
    }

    return NULL;
}


/* attachment; filename="example.com.mobileconfig" */

ngx_int_t
ngx_http_autodiscover_headers_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, sizeof("attachment; filename=\".mobileconfig\"")
                             - 1 + ctx->domain.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Content-Disposition");
    h->value.data = p;
    h->value.len = ngx_sprintf(p, "attachment; filename=\"%V.mobileconfig\"",
                               &ctx->domain)
                   - p;

    return NGX_OK;
}


/* with autodiscover_sign, the profile is sent signed */

ngx_int_t
ngx_http_autodiscover_finish_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body)
{
    ngx_str_t  der;

    if (ctx->conf->signer == NULL) {
        return NGX_OK;
    }

    if (ngx_http_autodiscover_sign(r, ctx->conf->signer, body, &der)
        != NGX_OK)
    {
        ctx->signature = NGX_HTTP_AUTODISCOVER_SIG_FAILED;
        return NGX_ERROR;
    }

    ctx->signature = NGX_HTTP_AUTODISCOVER_SIG_MADE;
    *body = der;

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_apple_servers(const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_servers_t *servers)
{
    ngx_int_t                             type;
    ngx_uint_t                            i;
    const ngx_http_autodiscover_proto_t  *p;

    servers->in = NULL;
    servers->out = NULL;

    if (ctx->service.action != NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS) {
        return NGX_DECLINED;
    }

    p = ctx->service.protocols.elts;

    for (i = 0; i < ctx->service.protocols.nelts; i++) {
        type = p[i].num[NGX_HTTP_AUTODISCOVER_F_TYPE];

        if (servers->in == NULL
            && (type == NGX_HTTP_AUTODISCOVER_IMAP
                || type == NGX_HTTP_AUTODISCOVER_POP3))
        {
            servers->in = &p[i];
        }

        if (servers->out == NULL && type == NGX_HTTP_AUTODISCOVER_SMTP) {
            servers->out = &p[i];
        }
    }

    if (servers->in == NULL || servers->out == NULL) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * "com.example.mail.alice" for alice@example.com, and name-based UUIDs
 * of it: installing the profile again replaces the one installed before.
 *
 * The local part is its own last label, written so that it holds no dot:
 * letters in lower case, digits and UTF-8 as they are, any other byte as
 * "-" and two hex digits ("mail-2Ebob" for mail.bob).  An identifier
 * thus gives back the address, but for the case of its ASCII letters:
 * mail.bob@example.org is "org.example.mail.mail-2Ebob" and
 * bob@mail.example.org "org.example.mail.mail.bob", and no two
 * addresses share an identifier, or UUIDs.
 */

static ngx_int_t
ngx_http_autodiscover_apple_ids(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t type)
{
    u_char      *p, *dot, *end;
    ngx_str_t   *id, suffix;
    ngx_uint_t   i;

    p = ngx_pnalloc(r->pool, NGX_HTTP_AUTODISCOVER_APPLE_COUNT
                             * (ctx->domain.len + sizeof(".mail.")
                                + 3 * ctx->user.len + sizeof(".carddav")));
    if (p == NULL) {
        return NGX_ERROR;
    }

    id = ctx->apple_id;
    id[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE].data = p;

    /* the domain's labels (already in lower case) in reverse order */

    end = ctx->domain.data + ctx->domain.len;

    while (end > ctx->domain.data) {
        for (dot = end; dot > ctx->domain.data && dot[-1] != '.'; dot--) {
            /* void */
        }

        p = ngx_cpymem(p, dot, end - dot);

        if (dot > ctx->domain.data) {
            *p++ = '.';
            dot--;
        }

        end = dot;
    }

    p = ngx_cpymem(p, ".mail.", sizeof(".mail.") - 1);
    p = ngx_http_autodiscover_apple_local(p, &ctx->user);

    id[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE].len =
                              p - id[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE].data;

    /* each payload's: the profile's, and what it adds */

    for (i = NGX_HTTP_AUTODISCOVER_APPLE_MAIL;
         i < NGX_HTTP_AUTODISCOVER_APPLE_COUNT;
         i++)
    {
        suffix = ngx_http_autodiscover_apple_suffixes[i];

        if (i == NGX_HTTP_AUTODISCOVER_APPLE_MAIL
            && type == NGX_HTTP_AUTODISCOVER_POP3)
        {
            ngx_str_set(&suffix, ".pop");
        }

        id[i].data = p;
        p = ngx_cpymem(p, id[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE].data,
                       id[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE].len);
        p = ngx_cpymem(p, suffix.data, suffix.len);
        id[i].len = p - id[i].data;
    }

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_APPLE_COUNT; i++) {
        if (ngx_http_autodiscover_apple_uuid(r, &id[i], &ctx->uuid[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static u_char *
ngx_http_autodiscover_apple_local(u_char *p, ngx_str_t *user)
{
    u_char      c;
    ngx_uint_t  i;

    for (i = 0; i < user->len; i++) {
        c = ngx_tolower(user->data[i]);

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
            *p++ = c;
            continue;
        }

        *p++ = '-';
        *p++ = ngx_http_autodiscover_apple_hex[c >> 4];
        *p++ = ngx_http_autodiscover_apple_hex[c & 0xf];
    }

    return p;
}


/* an RFC 4122 version 5 UUID, upper case as Apple writes them */

static ngx_int_t
ngx_http_autodiscover_apple_uuid(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *uuid)
{
    u_char      *p, hash[20];
    ngx_uint_t   i;
    ngx_sha1_t   sha1;

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, ngx_http_autodiscover_apple_namespace, 16);
    ngx_sha1_update(&sha1, name->data, name->len);
    ngx_sha1_final(hash, &sha1);

    hash[6] = (hash[6] & 0x0f) | 0x50;
    hash[8] = (hash[8] & 0x3f) | 0x80;

    p = ngx_pnalloc(r->pool, 36);
    if (p == NULL) {
        return NGX_ERROR;
    }

    uuid->data = p;
    uuid->len = 36;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *p++ = '-';
        }

        *p++ = ngx_http_autodiscover_apple_hex[hash[i] >> 4];
        *p++ = ngx_http_autodiscover_apple_hex[hash[i] & 0xf];
    }

    return NGX_OK;
}


void
ngx_http_autodiscover_render_apple(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx)
{
    const ngx_str_t  *s, *name, *description;

    s = ctx->service.str;

    name = s[NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME].len
           ? &s[NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME]
           : s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME].len
             ? &s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME] : &ctx->domain;

    description = s[NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION].len
                  ? &s[NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION] : name;

    ngx_http_autodiscover_out_literal(out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
        "<plist version=\"1.0\">\n"
        "<dict>\n"
        "  <key>PayloadContent</key>\n"
        "  <array>\n");

    if (ctx->apple_payloads & NGX_HTTP_AUTODISCOVER_APPLE_BIT(MAIL)) {
        ngx_http_autodiscover_apple_mail(out, ctx, name, description);
    }

    if (ctx->apple_payloads & NGX_HTTP_AUTODISCOVER_APPLE_BIT(EAS)) {
        ngx_http_autodiscover_apple_eas(out, ctx, name, description);
    }

    if (ctx->apple_payloads & NGX_HTTP_AUTODISCOVER_APPLE_BIT(CALDAV)) {
        ngx_http_autodiscover_apple_dav_payload(out, ctx,
                                            NGX_HTTP_AUTODISCOVER_APPLE_CALDAV,
                                            name, description);
    }

    if (ctx->apple_payloads & NGX_HTTP_AUTODISCOVER_APPLE_BIT(CARDDAV)) {
        ngx_http_autodiscover_apple_dav_payload(out, ctx,
                                           NGX_HTTP_AUTODISCOVER_APPLE_CARDDAV,
                                           name, description);
    }

    ngx_http_autodiscover_out_literal(out, "  </array>\n"
                                           "  <key>PayloadDescription</key>\n"
                                           "  <string>");
    ngx_http_autodiscover_out_put_xml(out, description);
    ngx_http_autodiscover_out_literal(out, "</string>\n"
                                           "  <key>PayloadDisplayName</key>\n"
                                           "  <string>");
    ngx_http_autodiscover_out_put_xml(out, name);
    ngx_http_autodiscover_out_literal(out, "</string>\n"
                                           "  <key>PayloadIdentifier</key>\n"
                                           "  <string>");
    ngx_http_autodiscover_out_put_xml(out,
                          &ctx->apple_id[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    if (s[NGX_HTTP_AUTODISCOVER_A_PROFILE_ORGANIZATION].len) {
        ngx_http_autodiscover_out_literal(out,
                                          "  <key>PayloadOrganization</key>\n"
                                          "  <string>");
        ngx_http_autodiscover_out_put_xml(out,
                             &s[NGX_HTTP_AUTODISCOVER_A_PROFILE_ORGANIZATION]);
        ngx_http_autodiscover_out_literal(out, "</string>\n");
    }

    ngx_http_autodiscover_out_literal(out,
        "  <key>PayloadRemovalDisallowed</key>\n"
        "  <false/>\n"
        "  <key>PayloadType</key>\n"
        "  <string>Configuration</string>\n"
        "  <key>PayloadUUID</key>\n"
        "  <string>");
    ngx_http_autodiscover_out_put_xml(out,
                              &ctx->uuid[NGX_HTTP_AUTODISCOVER_APPLE_PROFILE]);
    ngx_http_autodiscover_out_literal(out,
        "</string>\n"
        "  <key>PayloadVersion</key>\n"
        "  <integer>1</integer>\n"
        "</dict>\n"
        "</plist>\n");
}


/* com.apple.mail.managed: the incoming and the outgoing server */

static void
ngx_http_autodiscover_apple_mail(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx, const ngx_str_t *name,
    const ngx_str_t *description)
{
    ngx_str_t                               type;
    ngx_http_autodiscover_apple_servers_t   servers;

    (void) ngx_http_autodiscover_apple_servers(ctx, &servers);

    if (servers.in->num[NGX_HTTP_AUTODISCOVER_F_TYPE]
        == NGX_HTTP_AUTODISCOVER_IMAP)
    {
        ngx_str_set(&type, "EmailTypeIMAP");

    } else {
        ngx_str_set(&type, "EmailTypePOP");
    }

    ngx_http_autodiscover_out_literal(out, "    <dict>\n");

    ngx_http_autodiscover_apple_string(out, "EmailAccountDescription",
                                       description);

    if (ctx->name.len) {
        ngx_http_autodiscover_apple_string(out, "EmailAccountName",
                                           &ctx->name);
    }

    ngx_http_autodiscover_apple_string(out, "EmailAccountType", &type);
    ngx_http_autodiscover_apple_string(out, "EmailAddress", &ctx->email);

    ngx_http_autodiscover_apple_server(out, ctx, "Incoming", servers.in);
    ngx_http_autodiscover_apple_server(out, ctx, "Outgoing", servers.out);

    ngx_http_autodiscover_out_literal(out,
        "      <key>OutgoingPasswordSameAsIncomingPassword</key>\n"
        "      <true/>\n");

    ngx_http_autodiscover_apple_common(out, ctx,
                                       NGX_HTTP_AUTODISCOVER_APPLE_MAIL, name,
                                       description, "com.apple.mail.managed");
}


/*
 * com.apple.eas.account: mail, contacts and calendars over ActiveSync,
 * from the host of autodiscover_activesync_url (iOS; macOS has none)
 */

static void
ngx_http_autodiscover_apple_eas(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx, const ngx_str_t *name,
    const ngx_str_t *description)
{
    u_char           *q, *last;
    ngx_str_t         host;
    const ngx_str_t  *url;

    url = &ctx->service.str[NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_URL];

    /* checked as an https:// URL: its host, port included as written */

    host.data = url->data + sizeof("https://") - 1;
    last = url->data + url->len;

    for (q = host.data; q < last && *q != '/' && *q != '?'; q++) {
        /* void */
    }

    host.len = q - host.data;

    ngx_http_autodiscover_out_literal(out, "    <dict>\n");
    ngx_http_autodiscover_apple_string(out, "EmailAddress", &ctx->email);
    ngx_http_autodiscover_apple_string(out, "Host", &host);

    ngx_http_autodiscover_out_literal(out, "      <key>SSL</key>\n"
                                           "      <true/>\n");

    ngx_http_autodiscover_apple_string(out, "UserName", &ctx->email);

    ngx_http_autodiscover_apple_common(out, ctx,
                                       NGX_HTTP_AUTODISCOVER_APPLE_EAS, name,
                                       description, "com.apple.eas.account");
}


/*
 * com.apple.caldav.account, com.apple.carddav.account: the host and port
 * of the URL, the URL itself as the principal URL (as automx2 writes it;
 * a device that finds nothing there looks for the principal itself)
 */

static void
ngx_http_autodiscover_apple_dav_payload(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_e payload, const ngx_str_t *name,
    const ngx_str_t *description)
{
    char                                 *prefix;
    const ngx_str_t                      *login;
    const ngx_http_autodiscover_proto_t  *p;

    if (payload == NGX_HTTP_AUTODISCOVER_APPLE_CALDAV) {
        prefix = "CalDAV";
        p = ngx_http_autodiscover_apple_dav(ctx, NGX_HTTP_AUTODISCOVER_CALDAV);

    } else {
        prefix = "CardDAV";
        p = ngx_http_autodiscover_apple_dav(ctx,
                                            NGX_HTTP_AUTODISCOVER_CARDDAV);
    }

    login = p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN].len
            ? &p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN] : &ctx->email;

    ngx_http_autodiscover_out_literal(out, "    <dict>\n");

    ngx_http_autodiscover_apple_key(out, prefix, "AccountDescription");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out, description);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_key(out, prefix, "HostName");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out,
                                      &p->str[NGX_HTTP_AUTODISCOVER_F_SERVER]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_number(out, prefix, "Port",
                                      p->num[NGX_HTTP_AUTODISCOVER_F_PORT]);

    ngx_http_autodiscover_apple_key(out, prefix, "PrincipalURL");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out,
                                      &p->str[NGX_HTTP_AUTODISCOVER_F_URL]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_key(out, prefix, "UseSSL");
    ngx_http_autodiscover_out_literal(out, "      <true/>\n");

    ngx_http_autodiscover_apple_key(out, prefix, "Username");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out, login);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_common(out, ctx, payload, name, description,
                                       payload
                                       == NGX_HTTP_AUTODISCOVER_APPLE_CALDAV
                                       ? "com.apple.caldav.account"
                                       : "com.apple.carddav.account");
}


/* what every payload ends with, and the end of its dict */

static void
ngx_http_autodiscover_apple_common(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_e payload, const ngx_str_t *name,
    const ngx_str_t *description, char *type)
{
    ngx_http_autodiscover_apple_string(out, "PayloadDescription",
                                       description);
    ngx_http_autodiscover_apple_string(out, "PayloadDisplayName", name);
    ngx_http_autodiscover_apple_string(out, "PayloadIdentifier",
                                       &ctx->apple_id[payload]);

    ngx_http_autodiscover_out_literal(out, "      <key>PayloadType</key>\n"
                                           "      <string>");
    ngx_http_autodiscover_out_put(out, (u_char *) type, ngx_strlen(type));
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_string(out, "PayloadUUID",
                                       &ctx->uuid[payload]);

    ngx_http_autodiscover_out_literal(out,
        "      <key>PayloadVersion</key>\n"
        "      <integer>1</integer>\n"
        "    </dict>\n");
}


/* Incoming... or Outgoing...: host, port, TLS, authentication, user */

static void
ngx_http_autodiscover_apple_server(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx, char *prefix,
    const ngx_http_autodiscover_proto_t *p)
{
    const ngx_str_t  *login;

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerAuthentication");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out,
                  &ngx_http_autodiscover_apple_auth[
                      ngx_http_autodiscover_auth_at(
                          p->num[NGX_HTTP_AUTODISCOVER_F_AUTH], 0)]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerHostName");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out,
                                      &p->str[NGX_HTTP_AUTODISCOVER_F_SERVER]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_number(out, prefix, "MailServerPortNumber",
                                      p->num[NGX_HTTP_AUTODISCOVER_F_PORT]);

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerUseSSL");

    if (p->num[NGX_HTTP_AUTODISCOVER_F_TLS] == NGX_HTTP_AUTODISCOVER_TLS_NONE) {
        ngx_http_autodiscover_out_literal(out, "      <false/>\n");

    } else {
        ngx_http_autodiscover_out_literal(out, "      <true/>\n");
    }

    login = p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN].len
            ? &p->str[NGX_HTTP_AUTODISCOVER_F_LOGIN] : &ctx->email;

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerUsername");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out, login);
    ngx_http_autodiscover_out_literal(out, "</string>\n");
}


static void
ngx_http_autodiscover_apple_string(ngx_http_autodiscover_out_t *out,
    char *key, const ngx_str_t *value)
{
    ngx_http_autodiscover_apple_key(out, "", key);
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_put_xml(out, value);
    ngx_http_autodiscover_out_literal(out, "</string>\n");
}


static void
ngx_http_autodiscover_apple_key(ngx_http_autodiscover_out_t *out,
    char *prefix, char *key)
{
    ngx_http_autodiscover_out_literal(out, "      <key>");
    ngx_http_autodiscover_out_put(out, (u_char *) prefix, ngx_strlen(prefix));
    ngx_http_autodiscover_out_put(out, (u_char *) key, ngx_strlen(key));
    ngx_http_autodiscover_out_literal(out, "</key>\n");
}


/* <key>prefix key</key> <integer>value</integer> */

static void
ngx_http_autodiscover_apple_number(ngx_http_autodiscover_out_t *out,
    char *prefix, char *key, ngx_int_t value)
{
    u_char      *digit, buf[NGX_INT_T_LEN];
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

    ngx_http_autodiscover_apple_key(out, prefix, key);
    ngx_http_autodiscover_out_literal(out, "      <integer>");
    ngx_http_autodiscover_out_put(out, digit, buf + NGX_INT_T_LEN - digit);
    ngx_http_autodiscover_out_literal(out, "</integer>\n");
}

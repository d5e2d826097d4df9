
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>

#include "ngx_http_autodiscover.h"


/*
 * Apple configuration profiles: a Configuration payload holding one
 * com.apple.mail.managed payload, from the first incoming (IMAP or POP3)
 * and the first outgoing (SMTP) protocol of the service
 */


typedef struct {
    const ngx_http_autodiscover_proto_t  *in;
    const ngx_http_autodiscover_proto_t  *out;
} ngx_http_autodiscover_apple_servers_t;


static ngx_int_t ngx_http_autodiscover_apple_servers(
    const ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_apple_servers_t *servers);
static ngx_int_t ngx_http_autodiscover_apple_ids(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t type);
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


/* a profile needs an incoming and an outgoing server, and no redirect */

void
ngx_http_autodiscover_check_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx)
{
    ngx_http_autodiscover_apple_servers_t  servers;

    if (ngx_http_autodiscover_apple_servers(ctx, &servers) != NGX_OK) {
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
    ngx_http_autodiscover_apple_servers_t  servers;

    if (ngx_http_autodiscover_apple_servers(ctx, &servers) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_autodiscover_apple_ids(r, ctx,
                                 servers.in->num[NGX_HTTP_AUTODISCOVER_F_TYPE]);
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
        return NGX_ERROR;
    }

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
    u_char     *p, *dot, *end;
    ngx_str_t   account;

    p = ngx_pnalloc(r->pool, 2 * (ctx->domain.len + sizeof(".mail.")
                                  + 3 * ctx->user.len + sizeof(".imap")));
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->identifier.data = p;

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

    ctx->identifier.len = p - ctx->identifier.data;

    account.data = p;
    p = ngx_cpymem(p, ctx->identifier.data, ctx->identifier.len);
    p = (type == NGX_HTTP_AUTODISCOVER_IMAP)
        ? ngx_cpymem(p, ".imap", sizeof(".imap") - 1)
        : ngx_cpymem(p, ".pop", sizeof(".pop") - 1);
    account.len = p - account.data;

    if (ngx_http_autodiscover_apple_uuid(r, &ctx->identifier, &ctx->uuid[0])
        != NGX_OK
        || ngx_http_autodiscover_apple_uuid(r, &account, &ctx->uuid[1])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the account's identifier follows the profile's in the same buffer */

    return NGX_OK;
}


/*
 * the local part as one label: Alice@ and alice@ are one mailbox, and
 * must be one profile; "-" starts every escape, so it is one itself
 */

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
    ngx_str_t                               account, type;
    const ngx_str_t                        *s, *name, *description;
    ngx_http_autodiscover_apple_servers_t   servers;

    s = ctx->service.str;

    (void) ngx_http_autodiscover_apple_servers(ctx, &servers);

    name = s[NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME].len
           ? &s[NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME]
           : s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME].len
             ? &s[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME] : &ctx->domain;

    description = s[NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION].len
                  ? &s[NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION] : name;

    account.data = ctx->identifier.data + ctx->identifier.len;
    account.len = ctx->identifier.len
                  + (servers.in->num[NGX_HTTP_AUTODISCOVER_F_TYPE]
                     == NGX_HTTP_AUTODISCOVER_IMAP
                     ? sizeof(".imap") - 1 : sizeof(".pop") - 1);

    if (servers.in->num[NGX_HTTP_AUTODISCOVER_F_TYPE]
        == NGX_HTTP_AUTODISCOVER_IMAP)
    {
        ngx_str_set(&type, "EmailTypeIMAP");

    } else {
        ngx_str_set(&type, "EmailTypePOP");
    }

    ngx_http_autodiscover_out_literal(out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
        "<plist version=\"1.0\">\n"
        "<dict>\n"
        "  <key>PayloadContent</key>\n"
        "  <array>\n"
        "    <dict>\n");

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

    ngx_http_autodiscover_apple_string(out, "PayloadDescription",
                                       description);
    ngx_http_autodiscover_apple_string(out, "PayloadDisplayName", name);
    ngx_http_autodiscover_apple_string(out, "PayloadIdentifier", &account);

    ngx_http_autodiscover_out_literal(out,
        "      <key>PayloadType</key>\n"
        "      <string>com.apple.mail.managed</string>\n");

    ngx_http_autodiscover_apple_string(out, "PayloadUUID", &ctx->uuid[1]);

    ngx_http_autodiscover_out_literal(out,
        "      <key>PayloadVersion</key>\n"
        "      <integer>1</integer>\n"
        "    </dict>\n"
        "  </array>\n");

    ngx_http_autodiscover_out_literal(out, "  <key>PayloadDescription</key>\n"
                                           "  <string>");
    ngx_http_autodiscover_out_xml(out, description);
    ngx_http_autodiscover_out_literal(out, "</string>\n"
                                           "  <key>PayloadDisplayName</key>\n"
                                           "  <string>");
    ngx_http_autodiscover_out_xml(out, name);
    ngx_http_autodiscover_out_literal(out, "</string>\n"
                                           "  <key>PayloadIdentifier</key>\n"
                                           "  <string>");
    ngx_http_autodiscover_out_xml(out, &ctx->identifier);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    if (s[NGX_HTTP_AUTODISCOVER_A_PROFILE_ORGANIZATION].len) {
        ngx_http_autodiscover_out_literal(out,
                                          "  <key>PayloadOrganization</key>\n"
                                          "  <string>");
        ngx_http_autodiscover_out_xml(out,
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
    ngx_http_autodiscover_out_xml(out, &ctx->uuid[0]);
    ngx_http_autodiscover_out_literal(out,
        "</string>\n"
        "  <key>PayloadVersion</key>\n"
        "  <integer>1</integer>\n"
        "</dict>\n"
        "</plist>\n");
}


/* Incoming... or Outgoing...: host, port, TLS, authentication, user */

static void
ngx_http_autodiscover_apple_server(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx, char *prefix,
    const ngx_http_autodiscover_proto_t *p)
{
    u_char            buf[NGX_INT_T_LEN];
    ngx_str_t         port;
    const ngx_str_t  *login;

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerAuthentication");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_xml(out,
                  &ngx_http_autodiscover_apple_auth[
                      ngx_http_autodiscover_auth_at(
                          p->num[NGX_HTTP_AUTODISCOVER_F_AUTH], 0)]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerHostName");
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_xml(out, &p->str[NGX_HTTP_AUTODISCOVER_F_SERVER]);
    ngx_http_autodiscover_out_literal(out, "</string>\n");

    port.data = buf;
    port.len = ngx_sprintf(buf, "%i",
                           (ngx_int_t) p->num[NGX_HTTP_AUTODISCOVER_F_PORT])
               - buf;

    ngx_http_autodiscover_apple_key(out, prefix, "MailServerPortNumber");
    ngx_http_autodiscover_out_literal(out, "      <integer>");
    ngx_http_autodiscover_out_raw(out, port.data, port.len);
    ngx_http_autodiscover_out_literal(out, "</integer>\n");

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
    ngx_http_autodiscover_out_xml(out, login);
    ngx_http_autodiscover_out_literal(out, "</string>\n");
}


static void
ngx_http_autodiscover_apple_string(ngx_http_autodiscover_out_t *out,
    char *key, const ngx_str_t *value)
{
    ngx_http_autodiscover_apple_key(out, "", key);
    ngx_http_autodiscover_out_literal(out, "      <string>");
    ngx_http_autodiscover_out_xml(out, value);
    ngx_http_autodiscover_out_literal(out, "</string>\n");
}


static void
ngx_http_autodiscover_apple_key(ngx_http_autodiscover_out_t *out,
    char *prefix, char *key)
{
    ngx_http_autodiscover_out_literal(out, "      <key>");
    ngx_http_autodiscover_out_raw(out, (u_char *) prefix, ngx_strlen(prefix));
    ngx_http_autodiscover_out_raw(out, (u_char *) key, ngx_strlen(key));
    ngx_http_autodiscover_out_literal(out, "</key>\n");
}

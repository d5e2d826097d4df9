
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * libFuzzer harness: the renderers.  Every account-wide value and every
 * protocol parameter of the location configuration is fuzzed, as values
 * that variables produce at run time (a map on the client's domain, the
 * address itself): the module's own ngx_http_autodiscover_decide()
 * checks and evaluates them, and ngx_http_autodiscover_respond() answers
 * the verdict in each format, Outlook POX, ActiveSync, Autodiscover v2
 * JSON, Thunderbird autoconfig and Apple profiles, as the format table
 * says; then the error document of every code.
 *
 * ngx_http_autodiscover_render() logs an alert when its two passes differ
 * (the harness aborts on any alert); the answer must be well-formed XML
 * or valid JSON as long as Content-Length says, and the display name and
 * the address must read back from the XML as they went in.
 *
 * Input: lines.  Line 0 is control bytes: [0] the number of protocols
 * (mod 5), [1] flags (bit 0: redirect mode 302, bit 1: not_served error,
 * bit 2: autodiscover_serve instead of a domain list, bit 3: autoconfig
 * without an address, bit 4: the POX request in the other namespace,
 * bit 5: a scratch buffer of 256 bytes, so that most answers are
 * rendered twice, measured and then written),
 * [2] the error code for the error document.  Then: the address, the
 * profile name (?name=), the v2 Protocol, the Host header, the domain list
 * (space-separated), the provider domains; one line per account value
 * (ACCOUNT_TYPE .. PROFILE_DESCRIPTION); one line per protocol parameter
 * (TYPE .. DAYS_TO_LEAVE) for each protocol.  An empty line is an unset
 * value; missing lines are empty.
 */


#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_common.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


typedef struct {
    const u_char  *p;
    const u_char  *last;
} fuzz_lines_t;


static ngx_http_autodiscover_code_e  fuzz_codes[] = {
    NGX_HTTP_AUTODISCOVER_E_NOT_FOUND, NGX_HTTP_AUTODISCOVER_E_NO_SETTINGS,
    NGX_HTTP_AUTODISCOVER_E_INVALID, NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER,
    NGX_HTTP_AUTODISCOVER_E_BAD_VALUE, NGX_HTTP_AUTODISCOVER_E_INTERNAL
};


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


static ngx_str_t
fuzz_line(fuzz_lines_t *l)
{
    ngx_str_t      s;
    const u_char  *nl;

    s.data = (u_char *) l->p;

    nl = (l->p < l->last) ? memchr(l->p, '\n', l->last - l->p) : NULL;

    if (nl == NULL) {
        s.len = l->last - l->p;
        l->p = l->last;

    } else {
        s.len = nl - l->p;
        l->p = nl + 1;
    }

    return s;
}


/*
 * a value line: NULL when empty (the directive is not there); a value
 * from variables otherwise, which the module checks for each request
 */

static ngx_http_autodiscover_value_t *
fuzz_cv(ngx_pool_t *pool, fuzz_lines_t *l)
{
    ngx_str_t  s;

    s = fuzz_line(l);

    if (s.len == 0) {
        return NULL;
    }

    return fuzz_variable(pool, (char *) s.data, s.len);
}


/* "autodiscover_domains" and "autodiscover_provider_domains" as parsed */

static ngx_array_t *
fuzz_domain_list(ngx_pool_t *pool, ngx_str_t *line, ngx_uint_t wildcards)
{
    u_char       *p, *last, *start;
    ngx_str_t     check, *name;
    ngx_array_t  *a;

    a = NULL;
    p = line->data;
    last = p + line->len;

    while (p < last) {
        while (p < last && *p == ' ') {
            p++;
        }

        start = p;

        while (p < last && *p != ' ') {
            p++;
        }

        if (p == start) {
            break;
        }

        check.data = start;
        check.len = p - start;

        if (!wildcards && ngx_strlchr(start, p, '*') != NULL) {
            continue;
        }

        if (check.len == 1 && check.data[0] == '*') {
            check.len = 0;

        } else if (check.len > 2 && check.data[0] == '*'
                   && check.data[1] == '.')
        {
            check.data += 2;
            check.len -= 2;
        }

        /* the module's own validator, as its directives use it */

        if (check.len
            && ngx_http_autodiscover_check_domain(check.data,
                                                  check.data + check.len)
               != NGX_OK)
        {
            continue;
        }

        if (a == NULL) {
            a = ngx_array_create(pool, 4, sizeof(ngx_str_t));
            if (a == NULL) {
                abort();
            }
        }

        name = ngx_array_push(a);
        if (name == NULL) {
            abort();
        }

        name->len = p - start;
        name->data = ngx_pnalloc(pool, name->len);
        if (name->data == NULL) {
            abort();
        }

        ngx_strlow(name->data, start, name->len);
    }

    return a;
}


/* the text of the first element called name, or NULL */

static xmlChar *
fuzz_xml_text(xmlNodePtr node, const char *name)
{
    xmlChar  *s;

    for ( /* void */ ; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (xmlStrEqual(node->name, (const xmlChar *) name)) {
            s = xmlNodeGetContent(node);
            return s ? s : xmlStrdup((const xmlChar *) "");
        }

        s = fuzz_xml_text(node->children, name);
        if (s != NULL) {
            return s;
        }
    }

    return NULL;
}


/* the element's text must be the value, byte for byte */

static void
fuzz_read_back(const char *element, const ngx_str_t *value)
{
    xmlChar    *text;
    xmlDocPtr   doc;

    doc = xmlReadMemory((char *) fuzz_answer.body, (int) fuzz_answer.body_len,
                        "answer.xml", NULL,
                        XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING);
    if (doc == NULL) {
        fuzz_fail("not well-formed");
    }

    text = fuzz_xml_text(xmlDocGetRootElement(doc), element);

    if (text == NULL) {
        xmlFreeDoc(doc);
        fuzz_fail("no %s element", element);
    }

    if ((size_t) xmlStrlen(text) != value->len
        || ngx_memcmp(text, value->data, value->len) != 0)
    {
        fuzz_fail("%s reads back as \"%s\", not \"%.*s\"", element, text,
                  (int) value->len, value->data);
    }

    xmlFree(text);
    xmlFreeDoc(doc);
}


typedef struct {
    ngx_str_t                      email;
    ngx_str_t                      name;
    ngx_str_t                      protocol;
    ngx_str_t                      host;
    ngx_uint_t                     flags;
    ngx_http_autodiscover_code_e   code;
} fuzz_input_t;


static ngx_http_autodiscover_ctx_t *
fuzz_ctx(ngx_http_request_t *r, ngx_http_autodiscover_loc_conf_t *alcf,
    fuzz_input_t *in, ngx_http_autodiscover_schema_e schema)
{
    u_char                       *p;
    ngx_str_t                     email;
    ngx_http_autodiscover_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_autodiscover_ctx_t));
    if (ctx == NULL) {
        abort();
    }

    ctx->conf = alcf;
    ngx_http_set_ctx(r, ctx, ngx_http_autodiscover_module);

    ctx->format = &ngx_http_autodiscover_formats[
                      (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_JSON)
                      ? NGX_HTTP_AUTODISCOVER_FMT_JSON
                      : (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG)
                        ? NGX_HTTP_AUTODISCOVER_FMT_AUTOCONFIG
                        : (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG)
                          ? NGX_HTTP_AUTODISCOVER_FMT_MOBILECONFIG
                          : NGX_HTTP_AUTODISCOVER_FMT_POX];

    ngx_http_autodiscover_use_schema(ctx, schema);
    ctx->request_ns = schema;

    if (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK && (in->flags & 0x10)) {
        ctx->request_ns = NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC;

    } else if (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC
               && (in->flags & 0x10))
    {
        ctx->request_ns = NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK;
    }

    /* the address as a reader takes it, or a valid one */

    email = in->email;

    if (ngx_http_autodiscover_set_address(r, ctx, &email) != NGX_OK) {
        ngx_str_set(&email, "Alice.Smith@Example.COM");

        if (ngx_http_autodiscover_set_address(r, ctx, &email) != NGX_OK) {
            abort();
        }
    }

    if (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG
        && (in->flags & 0x08))
    {
        /* ?emailaddress= left out: the domain only, and placeholders */

        p = ngx_pnalloc(r->pool, ctx->domain.len);
        if (p == NULL) {
            abort();
        }

        ngx_memcpy(p, ctx->domain.data, ctx->domain.len);
        ctx->domain.data = p;
        ngx_str_set(&ctx->email, "%EMAILADDRESS%");
        ngx_str_set(&ctx->user, "%EMAILLOCALPART%");
    }

    if (in->name.len <= NGX_HTTP_AUTODISCOVER_MAX_NAME
        && ngx_http_autodiscover_check_text(&in->name) == NGX_OK)
    {
        ctx->name = in->name;
    }

    if (in->protocol.len <= NGX_HTTP_AUTODISCOVER_MAX_PROTOCOL
        && ngx_http_autodiscover_check_text(&in->protocol) == NGX_OK)
    {
        ctx->protocol = in->protocol;
    }

    return ctx;
}


static void
fuzz_format(ngx_http_autodiscover_loc_conf_t *alcf, fuzz_input_t *in,
    ngx_http_autodiscover_schema_e schema)
{
    ngx_int_t                     rc;
    ngx_http_request_t           *r;
    ngx_http_autodiscover_ctx_t  *ctx;

    r = fuzz_request(alcf, (u_char *) "/", 1, NULL, 0, in->host.data,
                     in->host.len);

    ctx = fuzz_ctx(r, alcf, in, schema);

    /* the module's own decision and answer, whatever the format */

    rc = fuzz_answer_request(r, ctx, NGX_OK);
    fuzz_check_answer(r, rc);

    switch (schema) {

    case NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK:
    case NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC:

        if (fuzz_answer.body == NULL
            || ctx->verdict.kind > NGX_HTTP_AUTODISCOVER_V_REDIRECT_ADDR)
        {
            break;
        }

        if (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC) {
            fuzz_read_back("EMailAddress", &ctx->email);
        }

        if (ctx->service.action == NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS
            && ctx->service.str[NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME].len)
        {
            fuzz_read_back("DisplayName",
                   &ctx->service.str[NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME]);
        }

        break;

    default:

        if (fuzz_answer.body != NULL
            && ctx->verdict.kind <= NGX_HTTP_AUTODISCOVER_V_REDIRECT_ADDR
            && schema == NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG)
        {
            fuzz_read_back("string", /* EmailAccountDescription's */
                  ctx->service.str[NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION]
                  .len
                  ? &ctx->service.str[
                        NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION]
                  : ctx->service.str[NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME].len
                    ? &ctx->service.str[NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME]
                    : ctx->service.str[NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME]
                      .len
                      ? &ctx->service.str[
                            NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME]
                      : &ctx->domain);
        }

        break;
    }

    fuzz_request_free(r);

    /* the error document, with this request's values */

    r = fuzz_request(alcf, (u_char *) "/", 1, NULL, 0, NULL, 0);
    ctx = fuzz_ctx(r, alcf, in, schema);

    ctx->format = &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_POX];
    ngx_http_autodiscover_verdict(r, ctx, NGX_HTTP_AUTODISCOVER_V_ERROR,
                                  in->code);

    rc = ngx_http_autodiscover_respond(r, ctx);
    fuzz_check_answer(r, rc);

    fuzz_request_free(r);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_str_t                           line, domains, providers;
    ngx_uint_t                          i, f, n;
    ngx_pool_t                         *pool;
    fuzz_lines_t                        l;
    fuzz_input_t                        in;
    ngx_http_autodiscover_loc_conf_t   *alcf;
    ngx_http_autodiscover_proto_conf_t *pc;

    l.p = data;
    l.last = data + size;

    pool = ngx_create_pool(1024, fuzz_log);
    if (pool == NULL) {
        abort();
    }

    alcf = fuzz_loc_conf(pool);

    line = fuzz_line(&l);

    n = (line.len > 0) ? line.data[0] % 5 : 1;
    in.flags = (line.len > 1) ? line.data[1] : 0;
    in.code = fuzz_codes[(line.len > 2 ? line.data[2] : 0)
                         % (sizeof(fuzz_codes) / sizeof(fuzz_codes[0]))];

    fuzz_scratch_size((in.flags & 0x20) ? 256
                                        : NGX_HTTP_AUTODISCOVER_SCRATCH_SIZE);

    if (in.flags & 0x01) {
        alcf->redirect_mode = NGX_HTTP_AUTODISCOVER_REDIRECT_302;
    }

    if (in.flags & 0x02) {
        alcf->not_served = NGX_HTTP_AUTODISCOVER_NOT_SERVED_ERROR;
    }

    in.email = fuzz_line(&l);
    in.name = fuzz_line(&l);
    in.protocol = fuzz_line(&l);
    in.host = fuzz_line(&l);
    domains = fuzz_line(&l);
    providers = fuzz_line(&l);

    if (in.flags & 0x04) {
        alcf->account[NGX_HTTP_AUTODISCOVER_A_SERVE] =
            fuzz_value(pool, ngx_http_autodiscover_account
                             + NGX_HTTP_AUTODISCOVER_A_SERVE, "1", 1);

    } else {
        alcf->domains = fuzz_domain_list(pool, &domains, 1);

        if (alcf->domains == NULL) {
            /* the address's domain, whatever it is */
            alcf->account[NGX_HTTP_AUTODISCOVER_A_SERVE] =
                fuzz_value(pool, ngx_http_autodiscover_account
                                 + NGX_HTTP_AUTODISCOVER_A_SERVE, "on", 2);
        }
    }

    alcf->provider_domains = fuzz_domain_list(pool, &providers, 0);

    for (i = NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE;
         i < NGX_HTTP_AUTODISCOVER_A_COUNT;
         i++)
    {
        alcf->account[i] = fuzz_cv(pool, &l);
    }

    if (n) {
        alcf->protocols = ngx_array_create(pool, n,
                                  sizeof(ngx_http_autodiscover_proto_conf_t));
        if (alcf->protocols == NULL) {
            abort();
        }
    }

    for (i = 0; i < n; i++) {
        pc = ngx_array_push(alcf->protocols);
        if (pc == NULL) {
            abort();
        }

        for (f = 0; f < NGX_HTTP_AUTODISCOVER_F_COUNT; f++) {
            pc->value[f] = fuzz_cv(pool, &l);
        }

        /*
         * the directive needs a type and a server, as nginx -t says; the
         * type from a variable too, as nginx -t refuses a literal type
         * with parameters that do not apply to it
         */

        if (pc->value[NGX_HTTP_AUTODISCOVER_F_TYPE] == NULL) {
            pc->value[NGX_HTTP_AUTODISCOVER_F_TYPE] =
                fuzz_variable(pool, "IMAP", 4);
        }

        if (pc->value[NGX_HTTP_AUTODISCOVER_F_SERVER] == NULL) {
            pc->value[NGX_HTTP_AUTODISCOVER_F_SERVER] =
                fuzz_value(pool, ngx_http_autodiscover_fields
                                 + NGX_HTTP_AUTODISCOVER_F_SERVER,
                           "mail.example.com", 16);
        }

        ngx_http_autodiscover_prepare_protocol(pc);
    }

    fuzz_format(alcf, &in, NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK);
    fuzz_format(alcf, &in, NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC);
    fuzz_format(alcf, &in, NGX_HTTP_AUTODISCOVER_SCHEMA_JSON);
    fuzz_format(alcf, &in, NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG);
    fuzz_format(alcf, &in, NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG);

    ngx_destroy_pool(pool);
    fuzz_answer_reset();

    return 0;
}

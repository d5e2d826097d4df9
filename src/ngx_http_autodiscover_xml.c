
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ngx_http_autodiscover.h"


/*
 * the only code that talks to libxml2: a document is parsed, what is
 * needed is copied into the request pool, and the document and the
 * parser context are freed before returning
 */


#define NGX_HTTP_AUTODISCOVER_XML_OPTIONS                                     \
    (XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING|XML_PARSE_NOCDATA)


static ngx_int_t ngx_http_autodiscover_xml_read(ngx_http_request_t *r,
    ngx_str_t *body, xmlParserCtxtPtr *ctxt, xmlDocPtr *doc, char **refused);
static char *ngx_http_autodiscover_xml_refused(ngx_str_t *body);
static ngx_http_autodiscover_schema_e ngx_http_autodiscover_xml_ns(
    xmlNodePtr node);
static ngx_int_t ngx_http_autodiscover_xml_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, xmlDocPtr doc);
static ngx_int_t ngx_http_autodiscover_xml_text(ngx_http_request_t *r,
    xmlNodePtr node, ngx_str_t *text);
static ngx_http_autodiscover_schema_e ngx_http_autodiscover_xml_response_ns(
    xmlNodePtr node);
static ngx_int_t ngx_http_autodiscover_xml_action(ngx_http_request_t *r,
    ngx_http_autodiscover_schema_e schema, xmlNodePtr response,
    ngx_http_autodiscover_reply_t *reply);
static xmlNodePtr ngx_http_autodiscover_xml_child(xmlNodePtr parent,
    char *name);


static ngx_str_t  ngx_http_autodiscover_request_ns[] = {
    ngx_null_string,
    ngx_string("schemas.microsoft.com/exchange/autodiscover/"
               "outlook/requestschema/2006"),
    ngx_string("schemas.microsoft.com/exchange/autodiscover/"
               "mobilesync/requestschema/2006")
};


/* indexed by the schema: NONE is the base schema of the envelope */

static ngx_str_t  ngx_http_autodiscover_response_ns[] = {
    ngx_string("schemas.microsoft.com/exchange/autodiscover/"
               "responseschema/2006"),
    ngx_string("schemas.microsoft.com/exchange/autodiscover/"
               "outlook/responseschema/2006a"),
    ngx_string("schemas.microsoft.com/exchange/autodiscover/"
               "mobilesync/responseschema/2006")
};


ngx_int_t
ngx_http_autodiscover_xml_parse(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body)
{
    char              *refused;
    size_t             len;
    ngx_int_t          rc;
    xmlDocPtr          doc;
    const xmlError    *err;
    xmlParserCtxtPtr   ctxt;

    if (body->len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent no request body");
        return NGX_DECLINED;
    }

    rc = ngx_http_autodiscover_xml_read(r, body, &ctxt, &doc, &refused);

    if (rc == NGX_DECLINED) {
        len = 0;

        if (ctxt != NULL) {
            err = xmlCtxtGetLastError(ctxt);

            if (err != NULL && err->message != NULL) {
                len = ngx_strlen(err->message);

                while (len && (err->message[len - 1] == '\n'
                               || err->message[len - 1] == ' '))
                {
                    len--;
                }
            }

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: client sent invalid XML: %*s",
                          len, (err != NULL) ? err->message : "");

            xmlFreeParserCtxt(ctxt);

        } else {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: client sent %s", refused);
        }

        return NGX_DECLINED;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_autodiscover_xml_request(r, ctx, doc);

    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);

    return rc;
}


/*
 * parses a document, or declines it: refused before parsing (*ctxt is
 * NULL, *refused says why), or not well-formed (*ctxt is left for the
 * caller's message, and to free)
 */

static ngx_int_t
ngx_http_autodiscover_xml_read(ngx_http_request_t *r, ngx_str_t *body,
    xmlParserCtxtPtr *ctxt, xmlDocPtr *doc, char **refused)
{
    *ctxt = NULL;
    *doc = NULL;

    *refused = ngx_http_autodiscover_xml_refused(body);

    if (*refused != NULL) {
        return NGX_DECLINED;
    }

    *ctxt = xmlNewParserCtxt();
    if (*ctxt == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: xmlNewParserCtxt() failed");
        return NGX_ERROR;
    }

    /*
     * the encoding is forced to UTF-8, as the protocol demands: a body in
     * another encoding fails instead of hiding a DOCTYPE from the check
     */

    *doc = xmlCtxtReadMemory(*ctxt, (char *) body->data, (int) body->len,
                             NULL, "UTF-8",
                             NGX_HTTP_AUTODISCOVER_XML_OPTIONS);

    if (*doc == NULL) {
        return NGX_DECLINED;
    }

    if ((*doc)->intSubset != NULL || (*doc)->extSubset != NULL) {
        xmlFreeDoc(*doc);
        xmlFreeParserCtxt(*ctxt);
        *ctxt = NULL;
        *doc = NULL;
        *refused = "a DOCTYPE or ENTITY declaration";
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * what is never parsed at all: "<!DOCTYPE" or "<!ENTITY" anywhere, and a
 * NUL byte anywhere (libxml2 would take it for the end of the input and
 * ignore what follows); NULL for a body to parse
 */

static char *
ngx_http_autodiscover_xml_refused(ngx_str_t *body)
{
    u_char  *p, *last;

    if (body->len > NGX_MAX_INT32_VALUE) {
        return "too large a body";
    }

    p = body->data;
    last = body->data + body->len;

    if (ngx_strlchr(p, last, '\0') != NULL) {
        return "a NUL byte";
    }

    while (p < last) {
        p = ngx_strlchr(p, last, '<');

        if (p == NULL) {
            return NULL;
        }

        p++;

        if (last - p >= (ssize_t) sizeof("!DOCTYPE") - 1
            && ngx_memcmp(p, "!DOCTYPE", sizeof("!DOCTYPE") - 1) == 0)
        {
            return "a DOCTYPE or ENTITY declaration";
        }

        if (last - p >= (ssize_t) sizeof("!ENTITY") - 1
            && ngx_memcmp(p, "!ENTITY", sizeof("!ENTITY") - 1) == 0)
        {
            return "a DOCTYPE or ENTITY declaration";
        }
    }

    return NULL;
}


/* which request namespace an element is in, either spelling */

static ngx_http_autodiscover_schema_e
ngx_http_autodiscover_xml_ns(xmlNodePtr node)
{
    ngx_str_t   href, rest;
    ngx_uint_t  i;

    if (node->ns == NULL || node->ns->href == NULL) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_NONE;
    }

    href.data = (u_char *) node->ns->href;
    href.len = ngx_strlen(href.data);

    if (ngx_http_autodiscover_strip_scheme(&href, &rest) != NGX_OK) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_NONE;
    }

    for (i = NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK;
         i <= NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC;
         i++)
    {
        if (rest.len == ngx_http_autodiscover_request_ns[i].len
            && ngx_strncmp(rest.data, ngx_http_autodiscover_request_ns[i].data,
                           rest.len)
               == 0)
        {
            return i;
        }
    }

    return NGX_HTTP_AUTODISCOVER_SCHEMA_NONE;
}


static ngx_int_t
ngx_http_autodiscover_xml_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, xmlDocPtr doc)
{
    ngx_int_t                        rc;
    ngx_str_t                        email, schema, *text;
    xmlNodePtr                       root, node, request;
    ngx_http_autodiscover_schema_e   ns;

    root = xmlDocGetRootElement(doc);

    if (root == NULL
        || !xmlStrEqual(root->name, (const xmlChar *) "Autodiscover"))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: the root element is not Autodiscover");
        return NGX_DECLINED;
    }

    ns = ngx_http_autodiscover_xml_ns(root);

    if (ns == NGX_HTTP_AUTODISCOVER_SCHEMA_NONE) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: the request is not in an Autodiscover "
                      "request namespace");
        return NGX_DECLINED;
    }

    ctx->request_ns = ns;

    request = NULL;

    for (node = root->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE
            && xmlStrEqual(node->name, (const xmlChar *) "Request")
            && ngx_http_autodiscover_xml_ns(node) == ns)
        {
            request = node;
            break;
        }
    }

    if (request == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no Request element");
        return NGX_DECLINED;
    }

    ngx_str_null(&email);
    ngx_str_null(&schema);

    for (node = request->children; node; node = node->next) {

        if (node->type != XML_ELEMENT_NODE
            || ngx_http_autodiscover_xml_ns(node) != ns)
        {
            continue;
        }

        if (xmlStrEqual(node->name, (const xmlChar *) "EMailAddress")
            || xmlStrEqual(node->name, (const xmlChar *) "EmailAddress"))
        {
            text = &email;

        } else if (xmlStrEqual(node->name, (const xmlChar *) "LegacyDN")) {
            text = &ctx->legacydn;

        } else if (xmlStrEqual(node->name,
                               (const xmlChar *) "AcceptableResponseSchema"))
        {
            text = &schema;

        } else {
            continue;
        }

        if (text->data != NULL) {
            continue;
        }

        rc = ngx_http_autodiscover_xml_text(r, node, text);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (schema.len) {
        ngx_http_autodiscover_set_schema(ctx, &schema);

    } else {
        /* the schema of the request's own namespace */
        ngx_http_autodiscover_use_schema(ctx, ns);
    }

    if (email.len) {
        rc = ngx_http_autodiscover_set_address(r, ctx, &email);
        if (rc != NGX_OK) {
            return rc;
        }

    } else if (ctx->legacydn.len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no EMailAddress or LegacyDN");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* text content, without surrounding white space, copied into the pool */

static ngx_int_t
ngx_http_autodiscover_xml_text(ngx_http_request_t *r, xmlNodePtr node,
    ngx_str_t *text)
{
    u_char   *p, *last;
    xmlChar  *content;

    content = xmlNodeGetContent(node);
    if (content == NULL) {
        ngx_str_set(text, "");
        return NGX_OK;
    }

    p = content;
    last = p + ngx_strlen(p);

    while (p < last && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
    }

    while (last > p
           && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\r'
               || last[-1] == '\n'))
    {
        last--;
    }

    if (last - p > NGX_HTTP_AUTODISCOVER_MAX_VALUE) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent an element of %z bytes",
                      last - p);
        xmlFree(content);
        return NGX_DECLINED;
    }

    text->len = last - p;
    text->data = ngx_pnalloc(r->pool, text->len + 1);

    if (text->data == NULL) {
        xmlFree(content);
        return NGX_ERROR;
    }

    ngx_memcpy(text->data, p, text->len);
    xmlFree(content);

    return NGX_OK;
}


/*
 * an answer from another Autodiscover server: a well-formed document of
 * the schema asked for (or the base schema's error), and what it says;
 * NGX_DECLINED for anything else
 */

ngx_int_t
ngx_http_autodiscover_xml_reply(ngx_http_request_t *r,
    ngx_http_autodiscover_schema_e schema, ngx_str_t *body,
    ngx_http_autodiscover_reply_t *reply)
{
    char              *refused;
    ngx_int_t          rc;
    xmlDocPtr          doc;
    xmlNodePtr         root, node;
    xmlParserCtxtPtr   ctxt;

    if (body->len == 0) {
        return NGX_DECLINED;
    }

    rc = ngx_http_autodiscover_xml_read(r, body, &ctxt, &doc, &refused);

    if (rc != NGX_OK) {
        if (ctxt != NULL) {
            xmlFreeParserCtxt(ctxt);
        }

        return rc;
    }

    rc = NGX_DECLINED;
    ngx_memzero(reply, sizeof(ngx_http_autodiscover_reply_t));

    root = xmlDocGetRootElement(doc);

    if (root == NULL
        || !xmlStrEqual(root->name, (const xmlChar *) "Autodiscover")
        || ngx_http_autodiscover_xml_response_ns(root)
           != NGX_HTTP_AUTODISCOVER_SCHEMA_NONE)
    {
        goto done;
    }

    for (node = root->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE
            && xmlStrEqual(node->name, (const xmlChar *) "Response"))
        {
            break;
        }
    }

    if (node == NULL) {
        goto done;
    }

    if (ngx_http_autodiscover_xml_response_ns(node)
        == NGX_HTTP_AUTODISCOVER_SCHEMA_NONE)
    {
        /* the base schema's Response: an error */

        reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_ERROR;
        rc = NGX_OK;
        goto done;
    }

    if (ngx_http_autodiscover_xml_response_ns(node) != schema) {
        goto done;
    }

    rc = ngx_http_autodiscover_xml_action(r, schema, node, reply);

done:

    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);

    return rc;
}


/*
 * the schema of a response element's namespace: NONE for the base
 * responseschema/2006, UNKNOWN for anything that is not Autodiscover's
 */

static ngx_http_autodiscover_schema_e
ngx_http_autodiscover_xml_response_ns(xmlNodePtr node)
{
    ngx_str_t   href, rest;
    ngx_uint_t  i;

    if (node->ns == NULL || node->ns->href == NULL) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
    }

    href.data = (u_char *) node->ns->href;
    href.len = ngx_strlen(href.data);

    if (ngx_http_autodiscover_strip_scheme(&href, &rest) != NGX_OK) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
    }

    for (i = 0; i < 3; i++) {
        if (rest.len == ngx_http_autodiscover_response_ns[i].len
            && ngx_strncmp(rest.data, ngx_http_autodiscover_response_ns[i].data,
                           rest.len)
               == 0)
        {
            return i;   /* NONE, OUTLOOK, MOBILESYNC */
        }
    }

    return NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
}


/* what a Response says: settings, a redirect, or an error */

static ngx_int_t
ngx_http_autodiscover_xml_action(ngx_http_request_t *r,
    ngx_http_autodiscover_schema_e schema, xmlNodePtr response,
    ngx_http_autodiscover_reply_t *reply)
{
    ngx_str_t   action;
    xmlNodePtr  node, child;

    if (schema == NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC) {

        /* Response/Action/{Settings,Redirect,Error} */

        node = ngx_http_autodiscover_xml_child(response, "Action");
        if (node == NULL) {
            return NGX_DECLINED;
        }

        if (ngx_http_autodiscover_xml_child(node, "Settings") != NULL) {
            reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_SETTINGS;
            return NGX_OK;
        }

        child = ngx_http_autodiscover_xml_child(node, "Redirect");

        if (child != NULL) {
            reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_ADDR;
            return ngx_http_autodiscover_xml_text(r, child, &reply->target);
        }

        if (ngx_http_autodiscover_xml_child(node, "Error") != NULL) {
            reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_ERROR;
            return NGX_OK;
        }

        return NGX_DECLINED;
    }

    /* Response/Account/Action, and RedirectUrl or RedirectAddr */

    node = ngx_http_autodiscover_xml_child(response, "Account");
    if (node == NULL) {
        if (ngx_http_autodiscover_xml_child(response, "Error") != NULL) {
            reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_ERROR;
            return NGX_OK;
        }

        return NGX_DECLINED;
    }

    child = ngx_http_autodiscover_xml_child(node, "Action");
    if (child == NULL
        || ngx_http_autodiscover_xml_text(r, child, &action) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (action.len == sizeof("redirectUrl") - 1
        && ngx_strncmp(action.data, "redirectUrl", action.len) == 0)
    {
        child = ngx_http_autodiscover_xml_child(node, "RedirectUrl");
        if (child == NULL) {
            return NGX_DECLINED;
        }

        reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_URL;
        return ngx_http_autodiscover_xml_text(r, child, &reply->target);
    }

    if (action.len == sizeof("redirectAddr") - 1
        && ngx_strncmp(action.data, "redirectAddr", action.len) == 0)
    {
        child = ngx_http_autodiscover_xml_child(node, "RedirectAddr");
        if (child == NULL) {
            return NGX_DECLINED;
        }

        reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_ADDR;
        return ngx_http_autodiscover_xml_text(r, child, &reply->target);
    }

    reply->kind = NGX_HTTP_AUTODISCOVER_REPLY_SETTINGS;

    return NGX_OK;
}


static xmlNodePtr
ngx_http_autodiscover_xml_child(xmlNodePtr parent, char *name)
{
    xmlNodePtr  node;

    for (node = parent->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE
            && xmlStrEqual(node->name, (const xmlChar *) name))
        {
            return node;
        }
    }

    return NULL;
}

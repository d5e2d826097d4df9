
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/catalog.h>

#include "ngx_http_autodiscover.h"


/*
 * the only code that talks to libxml2.  A request is read by SAX into
 * the request pool, with this worker's parser context, which is reused
 * from request to request and made anew after a document that failed or
 * filled its dictionary; nothing of a request stays in it.  An answer of
 * another Autodiscover server (the fallback client) is read into a tree
 * with a parser context of its own.
 */


#define NGX_HTTP_AUTODISCOVER_XML_OPTIONS                                     \
    (XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING|XML_PARSE_NOCDATA \
     |XML_PARSE_IGNORE_ENC)

/*
 * names, and bytes of them, a worker's context may keep (a request has a
 * dozen, some 300 bytes): libxml2's dictionary only ever grows
 */
#define NGX_HTTP_AUTODISCOVER_XML_MAX_NAMES  256
#define NGX_HTTP_AUTODISCOVER_XML_MAX_DICT   16384

/* XML's white space */
#define ngx_http_autodiscover_xml_space(c)                                    \
    ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')

/*
 * levels of elements, libxml2's own limit without XML_PARSE_HUGE, which
 * its push parser checks only when it builds a tree
 */
#define NGX_HTTP_AUTODISCOVER_XML_MAX_DEPTH  256


/* what a request's SAX events give */

typedef enum {
    NGX_HTTP_AUTODISCOVER_XML_EMAIL = 0,
    NGX_HTTP_AUTODISCOVER_XML_LEGACYDN,
    NGX_HTTP_AUTODISCOVER_XML_SCHEMA,
    NGX_HTTP_AUTODISCOVER_XML_SLOTS
} ngx_http_autodiscover_xml_slot_e;


typedef struct {
    ngx_http_request_t              *r;
    xmlParserCtxtPtr                 ctxt;
    ngx_str_t                        slot[NGX_HTTP_AUTODISCOVER_XML_SLOTS];
    u_char                          *pos;       /* text, in the pool */
    u_char                          *end;
    size_t                           size;      /* of the body */
    ngx_str_t                       *text;      /* being collected */
    ngx_uint_t                       depth;
    ngx_uint_t                       text_depth;
    ngx_http_autodiscover_schema_e   ns;
    const xmlChar                   *ns_uri;    /* the root's, as is */
    char                            *error;     /* the first one */
    size_t                           too_long;
    unsigned                         request:1; /* in the Request */
    unsigned                         requests:1;  /* one was seen */
    unsigned                         dtd:1;
    unsigned                         deep:1;
    unsigned                         nomem:1;
} ngx_http_autodiscover_sax_t;


static xmlParserCtxtPtr ngx_http_autodiscover_xml_parser(
    ngx_http_request_t *r);
static void ngx_http_autodiscover_xml_cleanup(void *data);
static void ngx_http_autodiscover_sax_start(void *data,
    const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
    int nb_defaulted, const xmlChar **attributes);
static void ngx_http_autodiscover_sax_end(void *data,
    const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri);
static void ngx_http_autodiscover_sax_text(void *data, const xmlChar *ch,
    int len);
static void ngx_http_autodiscover_sax_subset(void *data, const xmlChar *name,
    const xmlChar *external_id, const xmlChar *system_id);
static void ngx_http_autodiscover_xml_log(ngx_http_request_t *r,
    xmlParserCtxtPtr ctxt, char *refused);
static ngx_int_t ngx_http_autodiscover_xml_read(ngx_http_request_t *r,
    ngx_str_t *body, xmlParserCtxtPtr *ctxt, xmlDocPtr *doc);
static char *ngx_http_autodiscover_xml_check(ngx_str_t *body, size_t *skip);
static size_t ngx_http_autodiscover_xml_decl(u_char *p, u_char *last);
static ngx_http_autodiscover_schema_e ngx_http_autodiscover_xml_ns(
    const xmlChar *uri);
static ngx_int_t ngx_http_autodiscover_xml_text(ngx_http_request_t *r,
    xmlNodePtr node, ngx_str_t *text);
static ngx_http_autodiscover_schema_e ngx_http_autodiscover_xml_response_ns(
    xmlNodePtr node);
static ngx_int_t ngx_http_autodiscover_xml_action(ngx_http_request_t *r,
    ngx_http_autodiscover_schema_e schema, xmlNodePtr response,
    ngx_http_autodiscover_reply_t *reply);
static xmlNodePtr ngx_http_autodiscover_xml_child(xmlNodePtr parent,
    char *name);


/*
 * markup never parsed, what follows a "<": a DTD, and a catalog PI, which
 * would make libxml2 read the system's catalog files
 */

typedef struct {
    ngx_str_t                        markup;
    char                            *reason;
} ngx_http_autodiscover_refused_t;


static ngx_http_autodiscover_refused_t  ngx_http_autodiscover_refused[] = {
    { ngx_string("!DOCTYPE"), "a DOCTYPE or ENTITY declaration" },
    { ngx_string("!ENTITY"), "a DOCTYPE or ENTITY declaration" },
    { ngx_string("?oasis-xml-catalog"), "a catalog processing instruction" },
    { ngx_null_string, NULL }
};


/* the worker's context goes with the configuration that made it */

ngx_int_t
ngx_http_autodiscover_xml_init_conf(ngx_conf_t *cf,
    ngx_http_autodiscover_main_conf_t *amcf)
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_autodiscover_xml_cleanup;
    cln->data = amcf;

    return NGX_OK;
}


void
ngx_http_autodiscover_xml_exit(ngx_cycle_t *cycle)
{
    ngx_http_autodiscover_main_conf_t  *amcf;

    /* NULL without an http block */

    amcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_autodiscover_module);

    if (amcf != NULL) {
        ngx_http_autodiscover_xml_cleanup(amcf);
    }
}


static void
ngx_http_autodiscover_xml_cleanup(void *data)
{
    ngx_http_autodiscover_main_conf_t  *amcf = data;

    if (amcf->parser != NULL) {
        xmlFreeParserCtxt(amcf->parser);
        amcf->parser = NULL;
    }
}


/* this worker's context, with the module's SAX handlers */

static xmlParserCtxtPtr
ngx_http_autodiscover_xml_parser(ngx_http_request_t *r)
{
    xmlSAXHandler                      *sax;
    xmlParserCtxtPtr                    ctxt;
    ngx_http_autodiscover_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);

    if (amcf->parser != NULL) {
        return amcf->parser;
    }

    /*
     * a push parser: the document is handed over whole, copied once, and
     * parsed without the pull parser's refills of its input buffer
     */

    ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
    if (ctxt == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: xmlCreatePushParserCtxt() failed");
        return NULL;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "autodiscover: new parser context");

    /* the context's own handler block: xmlFreeParserCtxt() frees it */

    sax = ctxt->sax;
    ngx_memzero(sax, sizeof(xmlSAXHandler));

    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = ngx_http_autodiscover_sax_start;
    sax->endElementNs = ngx_http_autodiscover_sax_end;
    sax->characters = ngx_http_autodiscover_sax_text;
    sax->ignorableWhitespace = ngx_http_autodiscover_sax_text;
    sax->internalSubset = ngx_http_autodiscover_sax_subset;

    amcf->parser = ctxt;

    return ctxt;
}


ngx_int_t
ngx_http_autodiscover_xml_parse(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body)
{
    char                               *reason;
    size_t                              skip;
    ngx_int_t                           rc;
    ngx_str_t                          *email, *schema;
    xmlParserCtxtPtr                    ctxt;
    ngx_http_autodiscover_sax_t         sax;
    ngx_http_autodiscover_refused_t    *m;
    ngx_http_autodiscover_main_conf_t  *amcf;

    if (body->len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent no request body");
        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_EMPTY;
        return NGX_DECLINED;
    }

    reason = ngx_http_autodiscover_xml_check(body, &skip);

    if (reason != NULL) {
        ngx_http_autodiscover_xml_log(r, NULL, reason);

        /* refused markup, or no XML document at all */

        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_MALFORMED;

        for (m = ngx_http_autodiscover_refused; m->markup.len; m++) {
            if (m->reason == reason) {
                ctx->refusal = NGX_HTTP_AUTODISCOVER_R_PROHIBITED;
            }
        }

        return NGX_DECLINED;
    }

    ctxt = ngx_http_autodiscover_xml_parser(r);
    if (ctxt == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&sax, sizeof(ngx_http_autodiscover_sax_t));
    sax.r = r;
    sax.ctxt = ctxt;
    sax.size = body->len;

    if (xmlCtxtResetPush(ctxt, NULL, 0, NULL, NULL) != 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: xmlCtxtResetPush() failed");
        amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);
        ngx_http_autodiscover_xml_cleanup(amcf);
        return NGX_ERROR;
    }

    (void) xmlCtxtUseOptions(ctxt, NGX_HTTP_AUTODISCOVER_XML_OPTIONS);

    /* with the module's SAX handlers, no document is built */

    ctxt->userData = &sax;

    /* a byte order mark and an XML declaration, maybe: see xml_check() */

    (void) xmlParseChunk(ctxt, (char *) body->data + skip,
                         (int) (body->len - skip), 1);

    ctxt->userData = ctxt;

    if (sax.error == NULL && !sax.requests) {
        sax.error = "no Request element";
    }

    if (sax.nomem) {
        rc = NGX_ERROR;

    } else if (sax.dtd) {
        ngx_http_autodiscover_xml_log(r, NULL,
                                      "a DOCTYPE or ENTITY declaration");
        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_PROHIBITED;
        rc = NGX_DECLINED;

    } else if (!ctxt->wellFormed) {
        ngx_http_autodiscover_xml_log(r, ctxt, NULL);
        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_MALFORMED;
        rc = NGX_DECLINED;

    } else if (sax.deep) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent invalid XML: more than %d "
                      "levels of elements",
                      NGX_HTTP_AUTODISCOVER_XML_MAX_DEPTH);
        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_LIMIT;
        rc = NGX_DECLINED;

    } else if (ctxt->disableSAX || ctxt->errNo == XML_ERR_NO_MEMORY) {

        /* stopped, as on reaching a limit, with wellFormed still set */

        ngx_http_autodiscover_xml_log(r, ctxt, NULL);
        ctx->refusal = NGX_HTTP_AUTODISCOVER_R_LIMIT;
        rc = NGX_DECLINED;

    } else if (sax.error != NULL) {
        if (sax.too_long) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: client sent an element of %uz bytes",
                          sax.too_long);
            ctx->refusal = NGX_HTTP_AUTODISCOVER_R_LIMIT;

        } else {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "autodiscover: %s", sax.error);
            ctx->refusal = NGX_HTTP_AUTODISCOVER_R_CONTENT;
        }

        rc = NGX_DECLINED;

    } else {
        rc = NGX_OK;
    }

    /*
     * a context that stopped in the middle of a document, or whose
     * dictionary grew with the names of hostile documents, is not reused
     */

    if (!ctxt->wellFormed || ctxt->disableSAX
        || sax.dtd || sax.deep || sax.nomem
        || xmlDictSize(ctxt->dict) > NGX_HTTP_AUTODISCOVER_XML_MAX_NAMES
        || xmlDictGetUsage(ctxt->dict) > NGX_HTTP_AUTODISCOVER_XML_MAX_DICT)
    {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "autodiscover: parser context dropped, %d names "
                       "of %uz bytes", xmlDictSize(ctxt->dict),
                       xmlDictGetUsage(ctxt->dict));

        amcf = ngx_http_get_module_main_conf(r, ngx_http_autodiscover_module);
        ngx_http_autodiscover_xml_cleanup(amcf);

    } else {
        /*
         * the copy of the document goes now, not with the next one;
         * xmlCtxtReset() forgets a document's catalogs without freeing
         * them, but a catalog PI is refused before parsing anyway
         */

        if (ctxt->catalogs != NULL) {
            xmlCatalogFreeLocal(ctxt->catalogs);
            ctxt->catalogs = NULL;
        }

        xmlCtxtReset(ctxt);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    ctx->request_ns = sax.ns;

    email = &sax.slot[NGX_HTTP_AUTODISCOVER_XML_EMAIL];
    schema = &sax.slot[NGX_HTTP_AUTODISCOVER_XML_SCHEMA];

    if (sax.slot[NGX_HTTP_AUTODISCOVER_XML_LEGACYDN].data != NULL) {
        ctx->legacydn = sax.slot[NGX_HTTP_AUTODISCOVER_XML_LEGACYDN];
    }

    if (schema->len) {
        ngx_http_autodiscover_set_schema(ctx, schema);

    } else {
        /* the schema of the request's own namespace */
        ngx_http_autodiscover_use_schema(ctx, sax.ns);
    }

    if (email->len) {
        return ngx_http_autodiscover_set_address(r, ctx, email);
    }

    if (ctx->legacydn.len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: no EMailAddress or LegacyDN");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * Autodiscover/Request/{EMailAddress,LegacyDN,AcceptableResponseSchema},
 * all in the root's request namespace: the first Request, the first of
 * each child, the text of each child and of its descendants
 */

static void
ngx_http_autodiscover_sax_start(void *data, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
    const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
    ngx_http_autodiscover_sax_t  *sax = data;

    ngx_str_t                       *text;
    ngx_http_autodiscover_schema_e   ns;

    if (++sax->depth > NGX_HTTP_AUTODISCOVER_XML_MAX_DEPTH) {
        sax->deep = 1;
        xmlStopParser(sax->ctxt);
        return;
    }

    if (sax->text != NULL || sax->error != NULL) {
        return;
    }

    if (sax->depth == 1) {

        if (!xmlStrEqual(localname, (const xmlChar *) "Autodiscover")) {
            sax->error = "the root element is not Autodiscover";
            return;
        }

        sax->ns = ngx_http_autodiscover_xml_ns(uri);
        sax->ns_uri = uri;

        if (sax->ns == NGX_HTTP_AUTODISCOVER_SCHEMA_NONE) {
            sax->error = "the request is not in an Autodiscover request "
                         "namespace";
        }

        return;
    }

    if (sax->depth > 3 || (sax->depth == 3 && !sax->request)) {
        return;
    }

    /* names are libxml2's dictionary's: the same name, the same pointer */

    ns = (uri == sax->ns_uri) ? sax->ns : ngx_http_autodiscover_xml_ns(uri);

    if (ns != sax->ns) {
        return;
    }

    if (sax->depth == 2) {
        if (!sax->requests
            && xmlStrEqual(localname, (const xmlChar *) "Request"))
        {
            sax->request = 1;
            sax->requests = 1;
        }

        return;
    }

    if (xmlStrEqual(localname, (const xmlChar *) "EMailAddress")
        || xmlStrEqual(localname, (const xmlChar *) "EmailAddress"))
    {
        text = &sax->slot[NGX_HTTP_AUTODISCOVER_XML_EMAIL];

    } else if (xmlStrEqual(localname, (const xmlChar *) "LegacyDN")) {
        text = &sax->slot[NGX_HTTP_AUTODISCOVER_XML_LEGACYDN];

    } else if (xmlStrEqual(localname,
                           (const xmlChar *) "AcceptableResponseSchema"))
    {
        text = &sax->slot[NGX_HTTP_AUTODISCOVER_XML_SCHEMA];

    } else {
        return;
    }

    if (text->data != NULL) {
        return;
    }

    /* every text of a document fits in as many bytes as the document */

    if (sax->pos == NULL) {
        sax->pos = ngx_pnalloc(sax->r->pool, sax->size);
        if (sax->pos == NULL) {
            sax->nomem = 1;
            xmlStopParser(sax->ctxt);
            return;
        }

        sax->end = sax->pos + sax->size;
    }

    text->data = sax->pos;
    text->len = 0;

    sax->text = text;
    sax->text_depth = sax->depth;
}


static void
ngx_http_autodiscover_sax_end(void *data, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri)
{
    ngx_http_autodiscover_sax_t  *sax = data;

    u_char     *last;
    ngx_str_t  *text;

    if (sax->depth == 2) {
        sax->request = 0;
    }

    if (sax->text != NULL && sax->depth == sax->text_depth) {

        text = sax->text;
        sax->text = NULL;

        last = text->data + text->len;

        while (last > text->data && ngx_http_autodiscover_xml_space(last[-1]))
        {
            last--;
        }

        text->len = last - text->data;

        if (text->len > NGX_HTTP_AUTODISCOVER_MAX_VALUE
            && sax->error == NULL)
        {
            sax->error = "too long";
            sax->too_long = text->len;
        }
    }

    sax->depth--;
}


static void
ngx_http_autodiscover_sax_text(void *data, const xmlChar *ch, int len)
{
    ngx_http_autodiscover_sax_t  *sax = data;

    const u_char  *p, *last;
    ngx_str_t     *text;

    text = sax->text;

    if (text == NULL || len <= 0) {
        return;
    }

    p = ch;
    last = p + len;

    if (text->len == 0) {
        while (p < last && ngx_http_autodiscover_xml_space(*p)) {
            p++;
        }
    }

    if ((size_t) (last - p) > (size_t) (sax->end - sax->pos)) {
        /* cannot happen: "&lt;" is one byte, and so on */
        ngx_log_error(NGX_LOG_ALERT, sax->r->connection->log, 0,
                      "autodiscover: text longer than the document");
        sax->nomem = 1;
        xmlStopParser(sax->ctxt);
        return;
    }

    sax->pos = ngx_cpymem(sax->pos, p, last - p);
    text->len += last - p;
}


/* never reached: a DOCTYPE is refused before parsing */

static void
ngx_http_autodiscover_sax_subset(void *data, const xmlChar *name,
    const xmlChar *external_id, const xmlChar *system_id)
{
    ngx_http_autodiscover_sax_t  *sax = data;

    sax->dtd = 1;
}


/*
 * libxml2's message quotes up to 50 bytes of the document, line breaks
 * and all (an unterminated comment, "Bytes: 0x.." after a line break for
 * bad UTF-8): it is logged escaped, on one line, as any client's value
 */

static void
ngx_http_autodiscover_xml_log(ngx_http_request_t *r, xmlParserCtxtPtr ctxt,
    char *refused)
{
    ngx_str_t        msg;
    const xmlError  *err;

    if (refused != NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: client sent %s", refused);
        return;
    }

    ngx_str_set(&msg, "");
    err = xmlCtxtGetLastError(ctxt);

    if (err != NULL && err->message != NULL) {
        msg.data = (u_char *) err->message;
        msg.len = ngx_strlen(msg.data);

        while (msg.len && (msg.data[msg.len - 1] == '\n'
                           || msg.data[msg.len - 1] == ' '))
        {
            msg.len--;
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "autodiscover: client sent invalid XML: %V",
                  ngx_http_autodiscover_loggable(r, &msg));
}


/*
 * parses a document into a tree, or declines it: refused before parsing
 * (*ctxt is NULL), or not well-formed (*ctxt is left for the caller to
 * free)
 */

static ngx_int_t
ngx_http_autodiscover_xml_read(ngx_http_request_t *r, ngx_str_t *body,
    xmlParserCtxtPtr *ctxt, xmlDocPtr *doc)
{
    size_t  skip;

    *ctxt = NULL;
    *doc = NULL;

    if (ngx_http_autodiscover_xml_check(body, &skip) != NULL) {
        return NGX_DECLINED;
    }

    *ctxt = xmlNewParserCtxt();
    if (*ctxt == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "autodiscover: xmlNewParserCtxt() failed");
        return NGX_ERROR;
    }

    *doc = xmlCtxtReadMemory(*ctxt, (char *) body->data, (int) body->len,
                             NULL, NULL, NGX_HTTP_AUTODISCOVER_XML_OPTIONS);

    if (*doc == NULL) {
        return NGX_DECLINED;
    }

    if ((*doc)->intSubset != NULL || (*doc)->extSubset != NULL) {
        xmlFreeDoc(*doc);
        xmlFreeParserCtxt(*ctxt);
        *ctxt = NULL;
        *doc = NULL;
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * what is refused before libxml2 sees it, and why: "<!DOCTYPE",
 * "<!ENTITY" or "<?oasis-xml-catalog" anywhere; a NUL byte anywhere,
 * which libxml2 would take for the end of the input, ignoring what
 * follows, and which every UTF-16 or UCS-4 document has; and anything
 * but "<" first (after a UTF-8 byte order mark and white space), such as
 * EBCDIC.  What is left is parsed as UTF-8 whatever its XML declaration
 * says (XML_PARSE_IGNORE_ENC), so no encoding can hide a DOCTYPE from
 * this check.  NULL: to be parsed, without the first *skip bytes.
 *
 * Those are a UTF-8 byte order mark (a reset context would not skip it),
 * and then the XML declaration Outlook and devices send, when it is the
 * document's only "<?": libxml2 parses a document without a declaration
 * as it parses one that declares version 1.0 and UTF-8, for a tenth of
 * the cost of the whole document.
 */

static char *
ngx_http_autodiscover_xml_check(ngx_str_t *body, size_t *skip)
{
    u_char                           *p, *last, *start;
    size_t                            decl;
    ngx_uint_t                        pis;
    ngx_http_autodiscover_refused_t  *m;

    if (body->len > NGX_MAX_INT32_VALUE) {
        return "too large a body";
    }

    p = body->data;
    last = body->data + body->len;

    if (memchr(p, '\0', body->len) != NULL) {
        return "a NUL byte";
    }

    if (last - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        p += 3;
    }

    start = p;
    decl = ngx_http_autodiscover_xml_decl(p, last);

    while (p < last && ngx_http_autodiscover_xml_space(*p)) {
        p++;
    }

    if (p == last || *p != '<') {
        return "something other than an XML document";
    }

    pis = 0;

    for ( ;; ) {
        p = memchr(p, '<', last - p);

        if (p == NULL) {
            break;
        }

        p++;

        /* every refused markup starts with one of these */

        if (p == last || (*p != '!' && *p != '?')) {
            continue;
        }

        if (*p == '?') {
            pis++;
        }

        for (m = ngx_http_autodiscover_refused; m->markup.len; m++) {
            if ((size_t) (last - p) >= m->markup.len
                && ngx_memcmp(p, m->markup.data, m->markup.len) == 0)
            {
                return m->reason;
            }
        }
    }

    *skip = (start - body->data) + ((decl && pis == 1) ? decl : 0);

    return NULL;
}


/*
 * the length of an XML declaration of version 1.0, in UTF-8 or with no
 * encoding, as clients write it, at p; 0 for any other
 */

static size_t
ngx_http_autodiscover_xml_decl(u_char *p, u_char *last)
{
    u_char  *start, q;

    start = p;

    if (last - p < (ssize_t) sizeof("<?xml version='1.0'?>") - 1
        || ngx_strncmp(p, "<?xml version=", sizeof("<?xml version=") - 1)
           != 0)
    {
        return 0;
    }

    p += sizeof("<?xml version=") - 1;
    q = *p;

    if ((q != '"' && q != '\'') || ngx_strncmp(p + 1, "1.0", 3) != 0
        || p[4] != q)
    {
        return 0;
    }

    p += sizeof("'1.0'") - 1;

    if (last - p >= (ssize_t) sizeof(" encoding='utf-8'") - 1
        && ngx_strncmp(p, " encoding=", sizeof(" encoding=") - 1) == 0)
    {
        p += sizeof(" encoding=") - 1;
        q = *p;

        if ((q != '"' && q != '\'')
            || ngx_strncasecmp(p + 1, (u_char *) "utf-8", 5) != 0
            || p[6] != q)
        {
            return 0;
        }

        p += sizeof("'utf-8'") - 1;
    }

    if (last - p < 2 || p[0] != '?' || p[1] != '>') {
        return 0;
    }

    return p + 2 - start;
}


/* which request namespace a namespace name is, either spelling */

static ngx_http_autodiscover_schema_e
ngx_http_autodiscover_xml_ns(const xmlChar *uri)
{
    ngx_str_t                        href;
    ngx_http_autodiscover_schema_e   ns;

    if (uri == NULL) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_NONE;
    }

    href.data = (u_char *) uri;
    href.len = ngx_strlen(href.data);

    ns = ngx_http_autodiscover_find_ns(&href, 0);

    return (ns == NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN)
           ? NGX_HTTP_AUTODISCOVER_SCHEMA_NONE : ns;
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

    while (p < last && ngx_http_autodiscover_xml_space(*p)) {
        p++;
    }

    while (last > p && ngx_http_autodiscover_xml_space(last[-1])) {
        last--;
    }

    if (last - p > NGX_HTTP_AUTODISCOVER_MAX_VALUE) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "autodiscover: fallback answer with an element of "
                      "%z bytes", last - p);
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
    ngx_int_t          rc;
    xmlDocPtr          doc;
    xmlNodePtr         root, node;
    xmlParserCtxtPtr   ctxt;

    if (body->len == 0) {
        return NGX_DECLINED;
    }

    rc = ngx_http_autodiscover_xml_read(r, body, &ctxt, &doc);

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
    ngx_str_t  href;

    if (node->ns == NULL || node->ns->href == NULL) {
        return NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN;
    }

    href.data = (u_char *) node->ns->href;
    href.len = ngx_strlen(href.data);

    /* NONE (the envelope's), OUTLOOK, MOBILESYNC, or UNKNOWN */

    return ngx_http_autodiscover_find_ns(&href, 1);
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

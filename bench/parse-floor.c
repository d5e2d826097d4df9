
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


/*
 * The parse floor of a POST row of bench/bench.pl: libxml2's bare SAX2
 * push parse of the row's request body, with the module's parser options,
 * one parser context reused for every parse (as each nginx worker does)
 * and handlers that do nothing.  Run under callgrind with
 * --toggle-collect=ngx_http_autodiscover_floor_parse, it gives the
 * instructions of one parse; nothing of the module is in it.
 *
 *     parse-floor FILE [N]    parses FILE's bytes N times (1000), after
 *                             one parse that is not counted
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>


#define NGX_HTTP_AUTODISCOVER_FLOOR_OPTIONS                                   \
    (XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING|XML_PARSE_NOCDATA \
     |XML_PARSE_IGNORE_ENC)


static void ngx_http_autodiscover_floor_start(void *data,
    const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
    int nb_defaulted, const xmlChar **attributes);
static void ngx_http_autodiscover_floor_end(void *data,
    const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri);
static void ngx_http_autodiscover_floor_text(void *data, const xmlChar *ch,
    int len);
static inline int ngx_http_autodiscover_floor_once(xmlParserCtxtPtr ctxt,
    const char *body, int len) __attribute__((always_inline));
int ngx_http_autodiscover_floor_parse(xmlParserCtxtPtr ctxt,
    const char *body, int len);
int ngx_http_autodiscover_floor_warm(xmlParserCtxtPtr ctxt,
    const char *body, int len);


static void
ngx_http_autodiscover_floor_start(void *data, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
    const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
}


static void
ngx_http_autodiscover_floor_end(void *data, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri)
{
}


static void
ngx_http_autodiscover_floor_text(void *data, const xmlChar *ch, int len)
{
}


/* one parse, as the module's: reset, options, the whole body, reset */

static inline int
ngx_http_autodiscover_floor_once(xmlParserCtxtPtr ctxt, const char *body,
    int len)
{
    int  wf;

    if (xmlCtxtResetPush(ctxt, NULL, 0, NULL, NULL) != 0) {
        return -1;
    }

    (void) xmlCtxtUseOptions(ctxt, NGX_HTTP_AUTODISCOVER_FLOOR_OPTIONS);

    (void) xmlParseChunk(ctxt, body, len, 1);

    wf = ctxt->wellFormed;

    xmlCtxtReset(ctxt);

    return wf;
}


/* a counted parse */

int __attribute__((noinline))
ngx_http_autodiscover_floor_parse(xmlParserCtxtPtr ctxt, const char *body,
    int len)
{
    return ngx_http_autodiscover_floor_once(ctxt, body, len);
}


/* the same, not counted: the first parse fills the context's dictionary */

int __attribute__((noinline))
ngx_http_autodiscover_floor_warm(xmlParserCtxtPtr ctxt, const char *body,
    int len)
{
    return ngx_http_autodiscover_floor_once(ctxt, body, len);
}


int
main(int argc, char **argv)
{
    int               len, n, i;
    char             *body;
    long              size;
    FILE             *f;
    xmlSAXHandler    *sax;
    xmlParserCtxtPtr  ctxt;

    if (argc < 2) {
        fprintf(stderr, "usage: parse-floor FILE [N]\n");
        return 2;
    }

    n = (argc > 2) ? atoi(argv[2]) : 1000;

    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }

    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);

    body = malloc(size + 1);
    if (body == NULL || fread(body, 1, size, f) != (size_t) size) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }

    fclose(f);
    len = (int) size;

    xmlInitParser();

    ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
    if (ctxt == NULL) {
        fprintf(stderr, "xmlCreatePushParserCtxt() failed\n");
        return 1;
    }

    sax = ctxt->sax;
    memset(sax, 0, sizeof(xmlSAXHandler));

    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = ngx_http_autodiscover_floor_start;
    sax->endElementNs = ngx_http_autodiscover_floor_end;
    sax->characters = ngx_http_autodiscover_floor_text;
    sax->ignorableWhitespace = ngx_http_autodiscover_floor_text;

    if (ngx_http_autodiscover_floor_warm(ctxt, body, len) != 1) {
        fprintf(stderr, "%s: not well-formed\n", argv[1]);
        return 1;
    }

    for (i = 0; i < n; i++) {
        if (ngx_http_autodiscover_floor_parse(ctxt, body, len) != 1) {
            fprintf(stderr, "%s: not well-formed\n", argv[1]);
            return 1;
        }
    }

    printf("%d parses of %d bytes\n", n, len);

    xmlFreeParserCtxt(ctxt);
    free(body);

    return 0;
}

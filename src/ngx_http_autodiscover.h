
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#ifndef _NGX_HTTP_AUTODISCOVER_H_INCLUDED_
#define _NGX_HTTP_AUTODISCOVER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_AUTODISCOVER_MAX_VALUE       1024
#define NGX_HTTP_AUTODISCOVER_MAX_ADDRESS     254
#define NGX_HTTP_AUTODISCOVER_MAX_LOCAL       64
#define NGX_HTTP_AUTODISCOVER_MAX_PROTOCOL    64
#define NGX_HTTP_AUTODISCOVER_MAX_NAME        256
#define NGX_HTTP_AUTODISCOVER_BAD_UTF8        0xffffffff


/*
 * a table indexed by an enumeration has exactly the enumeration's count
 * of entries, checked when the module is compiled
 */
#define ngx_http_autodiscover_check_table(table, count)                       \
    typedef char ngx_http_autodiscover_size_of_ ## table[                     \
        (sizeof(table) / sizeof(table[0]) == (count)) ? 1 : -1]


/* the Autodiscover error codes (MS-OXDSCLI 2.2.4.1.1.3.2) */

typedef enum {
    NGX_HTTP_AUTODISCOVER_E_NONE = 0,
    NGX_HTTP_AUTODISCOVER_E_NOT_FOUND = 500,    /* the address is unknown */
    NGX_HTTP_AUTODISCOVER_E_NO_SETTINGS = 501,  /* nothing configured */
    NGX_HTTP_AUTODISCOVER_E_INVALID = 600,      /* not a valid request */
    NGX_HTTP_AUTODISCOVER_E_NO_PROVIDER = 601,  /* not in that schema */
    NGX_HTTP_AUTODISCOVER_E_BAD_VALUE = 602,    /* a variable's value */
    NGX_HTTP_AUTODISCOVER_E_INTERNAL = 603      /* the fallback failed */
} ngx_http_autodiscover_code_e;


/* protocol types, in the order of ngx_http_autodiscover_types[] */

typedef enum {
    NGX_HTTP_AUTODISCOVER_POP3 = 0,
    NGX_HTTP_AUTODISCOVER_IMAP,
    NGX_HTTP_AUTODISCOVER_SMTP,
    NGX_HTTP_AUTODISCOVER_DAV,
    NGX_HTTP_AUTODISCOVER_WEB,
    NGX_HTTP_AUTODISCOVER_NNTP,
    NGX_HTTP_AUTODISCOVER_EXCH,
    NGX_HTTP_AUTODISCOVER_EXPR,
    NGX_HTTP_AUTODISCOVER_EXHTTP,
    NGX_HTTP_AUTODISCOVER_CALDAV,     /* calendars, a URL */
    NGX_HTTP_AUTODISCOVER_CARDDAV,    /* contacts, a URL */
    NGX_HTTP_AUTODISCOVER_JMAP,       /* a JMAP session URL */
    NGX_HTTP_AUTODISCOVER_TYPE_COUNT
} ngx_http_autodiscover_type_e;


/* the types described by a URL, not by a server and a port */

#define ngx_http_autodiscover_url_type(type)                                  \
    ((type) >= NGX_HTTP_AUTODISCOVER_CALDAV                                   \
     && (type) <= NGX_HTTP_AUTODISCOVER_JMAP)


typedef enum {
    NGX_HTTP_AUTODISCOVER_TLS_SSL = 0,
    NGX_HTTP_AUTODISCOVER_TLS_STARTTLS,
    NGX_HTTP_AUTODISCOVER_TLS_NONE,
    NGX_HTTP_AUTODISCOVER_TLS_COUNT
} ngx_http_autodiscover_tls_e;


/* authentication mechanisms, named as Thunderbird's autoconfig names them */

typedef enum {
    NGX_HTTP_AUTODISCOVER_AUTH_CLEARTEXT = 0,
    NGX_HTTP_AUTODISCOVER_AUTH_ENCRYPTED,
    NGX_HTTP_AUTODISCOVER_AUTH_NTLM,
    NGX_HTTP_AUTODISCOVER_AUTH_GSSAPI,
    NGX_HTTP_AUTODISCOVER_AUTH_OAUTH2,
    NGX_HTTP_AUTODISCOVER_AUTH_CLIENT_IP,
    NGX_HTTP_AUTODISCOVER_AUTH_CLIENT_CERT,
    NGX_HTTP_AUTODISCOVER_AUTH_NONE,
    NGX_HTTP_AUTODISCOVER_AUTH_COUNT
} ngx_http_autodiscover_auth_e;


/*
 * "auth=" is a list of mechanisms in the order of preference, at most
 * NGX_HTTP_AUTODISCOVER_AUTHS, packed into one number four bits each,
 * the first in the lowest bits, each as its value plus one (0 ends it);
 * ngx_http_autodiscover_auth_at() gives the i-th, or -1
 */

#define NGX_HTTP_AUTODISCOVER_AUTHS  4

#define ngx_http_autodiscover_auth_at(packed, i)                              \
    ((ngx_int_t) (((packed) >> ((i) * 4)) & 0xf) - 1)


/* the parameters of one autodiscover_protocol directive */

typedef enum {
    NGX_HTTP_AUTODISCOVER_F_TYPE = 0,
    NGX_HTTP_AUTODISCOVER_F_SERVER,
    NGX_HTTP_AUTODISCOVER_F_PORT,
    NGX_HTTP_AUTODISCOVER_F_TLS,
    NGX_HTTP_AUTODISCOVER_F_AUTH,
    NGX_HTTP_AUTODISCOVER_F_SPA,
    NGX_HTTP_AUTODISCOVER_F_AUTH_REQUIRED,
    NGX_HTTP_AUTODISCOVER_F_LOGIN,
    NGX_HTTP_AUTODISCOVER_F_DOMAIN_REQUIRED,
    NGX_HTTP_AUTODISCOVER_F_DOMAIN_NAME,
    NGX_HTTP_AUTODISCOVER_F_TTL,
    NGX_HTTP_AUTODISCOVER_F_EXPIRES,
    NGX_HTTP_AUTODISCOVER_F_POPAUTH,
    NGX_HTTP_AUTODISCOVER_F_SMTP_LAST,
    NGX_HTTP_AUTODISCOVER_F_AS_URL,
    NGX_HTTP_AUTODISCOVER_F_EWS_URL,
    NGX_HTTP_AUTODISCOVER_F_OOF_URL,
    NGX_HTTP_AUTODISCOVER_F_OAB_URL,
    NGX_HTTP_AUTODISCOVER_F_LEAVE_ON_SERVER,
    NGX_HTTP_AUTODISCOVER_F_DAYS_TO_LEAVE,
    NGX_HTTP_AUTODISCOVER_F_URL,
    NGX_HTTP_AUTODISCOVER_F_COUNT
} ngx_http_autodiscover_field_e;


/* account-wide values, one directive each */

typedef enum {
    NGX_HTTP_AUTODISCOVER_A_SERVE = 0,
    NGX_HTTP_AUTODISCOVER_A_ACCOUNT_TYPE,
    NGX_HTTP_AUTODISCOVER_A_DISPLAY_NAME,
    NGX_HTTP_AUTODISCOVER_A_IMAGE,
    NGX_HTTP_AUTODISCOVER_A_SERVICE_HOME,
    NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL,
    NGX_HTTP_AUTODISCOVER_A_REDIRECT_ADDR,
    NGX_HTTP_AUTODISCOVER_A_CULTURE,
    NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_URL,
    NGX_HTTP_AUTODISCOVER_A_ACTIVESYNC_NAME,
    NGX_HTTP_AUTODISCOVER_A_CERTENROLL_URL,
    NGX_HTTP_AUTODISCOVER_A_CERTENROLL_TEMPLATE,
    NGX_HTTP_AUTODISCOVER_A_V1_URL,
    NGX_HTTP_AUTODISCOVER_A_PROVIDER_NAME,
    NGX_HTTP_AUTODISCOVER_A_PROVIDER_SHORT_NAME,
    NGX_HTTP_AUTODISCOVER_A_DOCUMENTATION_URL,
    NGX_HTTP_AUTODISCOVER_A_WEBMAIL_URL,
    NGX_HTTP_AUTODISCOVER_A_PROFILE_NAME,
    NGX_HTTP_AUTODISCOVER_A_PROFILE_ORGANIZATION,
    NGX_HTTP_AUTODISCOVER_A_PROFILE_DESCRIPTION,
    NGX_HTTP_AUTODISCOVER_A_OAUTH2_ISSUER,
    NGX_HTTP_AUTODISCOVER_A_OAUTH2_SCOPE,
    NGX_HTTP_AUTODISCOVER_A_OAUTH2_AUTH_URL,
    NGX_HTTP_AUTODISCOVER_A_OAUTH2_TOKEN_URL,
    NGX_HTTP_AUTODISCOVER_A_OAUTH2_CLIENT_ID,
    NGX_HTTP_AUTODISCOVER_A_COUNT
} ngx_http_autodiscover_account_e;


typedef enum {
    NGX_HTTP_AUTODISCOVER_ACTION_SETTINGS = 0,
    NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_URL,
    NGX_HTTP_AUTODISCOVER_ACTION_REDIRECT_ADDR,
    NGX_HTTP_AUTODISCOVER_ACTION_COUNT
} ngx_http_autodiscover_action_e;


typedef enum {
    NGX_HTTP_AUTODISCOVER_SCHEMA_NONE = 0,
    NGX_HTTP_AUTODISCOVER_SCHEMA_OUTLOOK,
    NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILESYNC,
    NGX_HTTP_AUTODISCOVER_SCHEMA_JSON,
    NGX_HTTP_AUTODISCOVER_SCHEMA_AUTOCONFIG,
    NGX_HTTP_AUTODISCOVER_SCHEMA_MOBILECONFIG,
    NGX_HTTP_AUTODISCOVER_SCHEMA_UNKNOWN,
    NGX_HTTP_AUTODISCOVER_SCHEMA_COUNT
} ngx_http_autodiscover_schema_e;


/*
 * the one namespace table, indexed by the schema: the namespace of its
 * requests and of its answers' Response element (without "http://" or
 * "https://", either of which clients send), and the schema's name as
 * answers and $autodiscover_schema spell it
 */

typedef struct {
    ngx_str_t                        request_ns;
    ngx_str_t                        response_ns;
    ngx_str_t                        name;
} ngx_http_autodiscover_schema_t;

extern ngx_http_autodiscover_schema_t  ngx_http_autodiscover_schemas[];


/*
 * the verdict: what a request gets, decided once, without I/O, by
 * ngx_http_autodiscover_decide(), whatever the path that asks (a POST, a
 * GET, the fallback client after a redirectAddr, a fuzz harness)
 */

typedef enum {
    NGX_HTTP_AUTODISCOVER_V_SETTINGS = 0,
    NGX_HTTP_AUTODISCOVER_V_REDIRECT_URL,    /* a redirectUrl document */
    NGX_HTTP_AUTODISCOVER_V_REDIRECT_ADDR,   /* a redirectAddr document */
    NGX_HTTP_AUTODISCOVER_V_REDIRECT_HTTP,   /* HTTP 3xx to the target */
    NGX_HTTP_AUTODISCOVER_V_UNAVAILABLE,     /* nothing the format says */
    NGX_HTTP_AUTODISCOVER_V_INVALID,         /* not a valid request, 600 */
    NGX_HTTP_AUTODISCOVER_V_ERROR,           /* an error code */
    NGX_HTTP_AUTODISCOVER_V_NOT_SERVED,      /* the domain is not served */
    NGX_HTTP_AUTODISCOVER_V_NOT_ALLOWED,     /* no request: a 405 */
    NGX_HTTP_AUTODISCOVER_V_FALLBACK,        /* ask autodiscover_fallback */
    NGX_HTTP_AUTODISCOVER_V_RELAYED,         /* the fallback's answer */
    NGX_HTTP_AUTODISCOVER_V_COUNT
} ngx_http_autodiscover_verdict_e;


typedef struct {
    ngx_http_autodiscover_verdict_e  kind;
    ngx_http_autodiscover_code_e     code;    /* INVALID, ERROR */
    ngx_str_t                        target;  /* REDIRECT_HTTP, RELAYED */
} ngx_http_autodiscover_verdict_t;

extern ngx_str_t  ngx_http_autodiscover_verdict_names[];


/* the formats, one descriptor each in ngx_http_autodiscover_formats[] */

typedef enum {
    NGX_HTTP_AUTODISCOVER_FMT_POX = 0,        /* Outlook's schema */
    NGX_HTTP_AUTODISCOVER_FMT_ACTIVESYNC,     /* mobilesync, same endpoint */
    NGX_HTTP_AUTODISCOVER_FMT_JSON,           /* Autodiscover v2 */
    NGX_HTTP_AUTODISCOVER_FMT_AUTOCONFIG,     /* Thunderbird */
    NGX_HTTP_AUTODISCOVER_FMT_MOBILECONFIG,   /* Apple profiles */
    NGX_HTTP_AUTODISCOVER_FMT_HTTP_REDIRECT,  /* the plain-HTTP endpoint */
    NGX_HTTP_AUTODISCOVER_FMT_WELL_KNOWN,     /* RFC 6764, RFC 8620 */
    NGX_HTTP_AUTODISCOVER_FMT_PACC,           /* draft-ietf-mailmaint-pacc */
    NGX_HTTP_AUTODISCOVER_FMT_RECORDS,        /* DNS records, a zone file */
    NGX_HTTP_AUTODISCOVER_FMT_RECORDS_JSON,   /* the same, as JSON */
    NGX_HTTP_AUTODISCOVER_FMT_COUNT
} ngx_http_autodiscover_format_e;


/*
 * what a request got, as $autodiscover_outcome names it and the metrics
 * count it: the verdict, with an error's code, the fallback's failure,
 * and FAILED for a request that got no answer from its verdict (nginx
 * answered it, or an internal error did)
 */

typedef enum {
    NGX_HTTP_AUTODISCOVER_O_SETTINGS = 0,
    NGX_HTTP_AUTODISCOVER_O_REDIRECT_URL,
    NGX_HTTP_AUTODISCOVER_O_REDIRECT_ADDR,
    NGX_HTTP_AUTODISCOVER_O_REDIRECT_HTTP,
    NGX_HTTP_AUTODISCOVER_O_UNAVAILABLE,
    NGX_HTTP_AUTODISCOVER_O_ERROR_500,
    NGX_HTTP_AUTODISCOVER_O_ERROR_501,
    NGX_HTTP_AUTODISCOVER_O_ERROR_600,
    NGX_HTTP_AUTODISCOVER_O_ERROR_601,
    NGX_HTTP_AUTODISCOVER_O_ERROR_602,
    NGX_HTTP_AUTODISCOVER_O_ERROR_603,
    NGX_HTTP_AUTODISCOVER_O_NOT_SERVED,
    NGX_HTTP_AUTODISCOVER_O_NOT_ALLOWED,
    NGX_HTTP_AUTODISCOVER_O_RELAYED,
    NGX_HTTP_AUTODISCOVER_O_FALLBACK_FAILED,
    NGX_HTTP_AUTODISCOVER_O_FAILED,
    NGX_HTTP_AUTODISCOVER_O_COUNT
} ngx_http_autodiscover_outcome_e;


/* the client family of $autodiscover_client, from the request */

typedef enum {
    NGX_HTTP_AUTODISCOVER_C_OUTLOOK = 0,
    NGX_HTTP_AUTODISCOVER_C_ACTIVESYNC,
    NGX_HTTP_AUTODISCOVER_C_THUNDERBIRD,
    NGX_HTTP_AUTODISCOVER_C_APPLE,
    NGX_HTTP_AUTODISCOVER_C_OTHER,
    NGX_HTTP_AUTODISCOVER_C_COUNT
} ngx_http_autodiscover_family_e;


/* why a request was refused before the decision (NONE: it was not) */

typedef enum {
    NGX_HTTP_AUTODISCOVER_R_NONE = 0,
    NGX_HTTP_AUTODISCOVER_R_TOO_LARGE,    /* over autodiscover_max_body */
    NGX_HTTP_AUTODISCOVER_R_EMPTY,        /* a POST without a body */
    NGX_HTTP_AUTODISCOVER_R_PROHIBITED,   /* DOCTYPE, entities, PIs */
    NGX_HTTP_AUTODISCOVER_R_MALFORMED,    /* not well-formed XML */
    NGX_HTTP_AUTODISCOVER_R_LIMIT,        /* too deep, too long */
    NGX_HTTP_AUTODISCOVER_R_CONTENT,      /* XML, but not a valid request */
    NGX_HTTP_AUTODISCOVER_R_URL,          /* a GET that is not valid */
    NGX_HTTP_AUTODISCOVER_R_COUNT
} ngx_http_autodiscover_refusal_e;


/* how the fallback chain ended; FAILED (0) also when it never did */

typedef enum {
    NGX_HTTP_AUTODISCOVER_FB_FAILED = 0,
    NGX_HTTP_AUTODISCOVER_FB_RELAYED,     /* its answer, relayed */
    NGX_HTTP_AUTODISCOVER_FB_REDIRECT,    /* its HTTP redirect, passed on */
    NGX_HTTP_AUTODISCOVER_FB_HERE,        /* a redirectAddr answered here */
    NGX_HTTP_AUTODISCOVER_FB_COUNT
} ngx_http_autodiscover_fallback_e;


/* a profile's signature: none made, made, or failed */

typedef enum {
    NGX_HTTP_AUTODISCOVER_SIG_NONE = 0,
    NGX_HTTP_AUTODISCOVER_SIG_MADE,
    NGX_HTTP_AUTODISCOVER_SIG_FAILED
} ngx_http_autodiscover_signature_e;


/* the decision rules a format follows */

/* the request may be POSTed XML, else it is read from the URL */
#define NGX_HTTP_AUTODISCOVER_RULE_BODY           0x0001
/* the format follows the schema the request asks for */
#define NGX_HTTP_AUTODISCOVER_RULE_BY_SCHEMA      0x0002
/* what is not answered here is asked of autodiscover_fallback */
#define NGX_HTTP_AUTODISCOVER_RULE_FALLBACK       0x0004
/* "autodiscover_not_served error" gives error 500 instead of a 404 */
#define NGX_HTTP_AUTODISCOVER_RULE_NOT_SERVED     0x0008
/* redirectUrl as a 302, or as autodiscover_redirect_mode says */
#define NGX_HTTP_AUTODISCOVER_RULE_302            0x0010
#define NGX_HTTP_AUTODISCOVER_RULE_REDIRECT_MODE  0x0020
/* the protocols are evaluated for a redirect too, and the v1 URL */
#define NGX_HTTP_AUTODISCOVER_RULE_URLS           0x0040
/* no address: only ever the autodiscover_http_redirect URL */
#define NGX_HTTP_AUTODISCOVER_RULE_HTTP_REDIRECT  0x0080


typedef enum {
    NGX_HTTP_AUTODISCOVER_NOT_SERVED_404 = 0,
    NGX_HTTP_AUTODISCOVER_NOT_SERVED_ERROR
} ngx_http_autodiscover_not_served_e;

typedef enum {
    NGX_HTTP_AUTODISCOVER_REDIRECT_DOCUMENT = 0,
    NGX_HTTP_AUTODISCOVER_REDIRECT_302
} ngx_http_autodiscover_redirect_mode_e;

typedef struct ngx_http_autodiscover_format_s  ngx_http_autodiscover_format_t;


/* the payloads of an Apple profile, in their order in it */

typedef enum {
    NGX_HTTP_AUTODISCOVER_APPLE_PROFILE = 0,  /* the Configuration itself */
    NGX_HTTP_AUTODISCOVER_APPLE_MAIL,         /* com.apple.mail.managed */
    NGX_HTTP_AUTODISCOVER_APPLE_EAS,          /* com.apple.eas.account */
    NGX_HTTP_AUTODISCOVER_APPLE_CALDAV,       /* com.apple.caldav.account */
    NGX_HTTP_AUTODISCOVER_APPLE_CARDDAV,      /* com.apple.carddav.account */
    NGX_HTTP_AUTODISCOVER_APPLE_COUNT
} ngx_http_autodiscover_apple_e;

/* autodiscover_profile_payloads, a bit per payload */
#define ngx_http_autodiscover_apple_bit(payload)  (1 << (payload))


/*
 * checks a value (a literal at configuration time, or the result of
 * evaluating a complex value at run time); sets *num for enumerations
 * and numbers; returns NGX_OK or NGX_ERROR
 */
typedef ngx_int_t (*ngx_http_autodiscover_parse_pt)(ngx_str_t *value,
    ngx_int_t *num);


typedef struct {
    ngx_str_t                        name;
    ngx_http_autodiscover_parse_pt   parse;
    char                            *expect;
    ngx_uint_t                       types;    /* bit mask of types */
} ngx_http_autodiscover_field_t;


/* a configured value: with variables, or a literal checked once, at -t */

typedef struct {
    ngx_http_complex_value_t         cv;
    ngx_int_t                        num;       /* a literal's, parsed */
    ngx_int_t                        index;     /* one variable's, or -1 */
    ngx_uint_t                       shared;    /* by several protocols */
} ngx_http_autodiscover_value_t;


/*
 * one protocol of the evaluated service description; every number fits
 * in 32 bits (a port, an enumeration, a TTL, a date as YYYYMMDD), which
 * keeps a request's protocols small enough for its pool
 */

typedef struct ngx_http_autodiscover_proto_conf_s
    ngx_http_autodiscover_proto_conf_t;

typedef struct {
    ngx_str_t                        str[NGX_HTTP_AUTODISCOVER_F_COUNT];
    int32_t                          num[NGX_HTTP_AUTODISCOVER_F_COUNT];
    const ngx_http_autodiscover_proto_conf_t  *conf;  /* evaluated from */
} ngx_http_autodiscover_proto_t;


/*
 * a protocol's part of an answer rendered when the configuration was
 * read, with holes for the values of variables: text, a hole, text, ...;
 * the last piece has no hole (field -1)
 */

typedef struct {
    ngx_str_t                        text;
    ngx_int_t                        field;
} ngx_http_autodiscover_piece_t;

typedef struct {
    ngx_http_autodiscover_piece_t   *piece;
    ngx_uint_t                       n;
} ngx_http_autodiscover_template_t;


/*
 * one autodiscover_protocol directive: its values, and what evaluating
 * them starts from, the literals' strings and numbers (base) with the
 * fields that have variables (vars, in field order) left to evaluate
 */

struct ngx_http_autodiscover_proto_conf_s {
    ngx_http_autodiscover_value_t   *value[NGX_HTTP_AUTODISCOVER_F_COUNT];
    ngx_http_autodiscover_proto_t    base;
    ngx_uint_t                       vars[NGX_HTTP_AUTODISCOVER_F_COUNT];
    ngx_uint_t                       nvars;
    ngx_http_autodiscover_template_t  *outlook;  /* NULL: rendered whole */
    ngx_http_autodiscover_template_t  *autoconfig;
};


/* the profile signer: certificates and key (sign.c) */

typedef struct ngx_http_autodiscover_signer_s  ngx_http_autodiscover_signer_t;


/*
 * what evaluating a location's account values starts from: the literals
 * as the configuration was read, the values with variables (vars) left
 */

typedef struct {
    ngx_str_t                        str[NGX_HTTP_AUTODISCOVER_A_COUNT];
    ngx_int_t                        num[NGX_HTTP_AUTODISCOVER_A_COUNT];
    ngx_uint_t                       vars[NGX_HTTP_AUTODISCOVER_A_COUNT];
    ngx_uint_t                       nvars;
} ngx_http_autodiscover_account_base_t;


typedef struct {
    ngx_http_autodiscover_value_t   *account[NGX_HTTP_AUTODISCOVER_A_COUNT];
    ngx_http_autodiscover_account_base_t  *account_base;  /* or NULL */
    ngx_array_t                     *protocols;  /* proto_conf_t */
    ngx_array_t                     *domains;    /* ngx_str_t, lower case */
    ngx_array_t                     *provider_domains;  /* ngx_str_t */
    ngx_uint_t                       not_served;     /* not_served_e */
    size_t                           max_body;
    ngx_http_autodiscover_format_t  *format;     /* what answers here */
    ngx_uint_t                       well_known;  /* its type_e */
    ngx_str_t                       *endpoint;   /* the directive's name */
    ngx_http_autodiscover_signer_t  *signer;
    ngx_uint_t                       profile_payloads;  /* apple_bit()s */
    ngx_http_complex_value_t        *http_redirect;
    ngx_uint_t                       redirect_mode;  /* redirect_mode_e */
    ngx_str_t                        fallback_uri;
    ngx_http_complex_value_t        *fallback_url;
    ngx_array_t                     *fallback_follow;  /* ngx_str_t */
    ngx_uint_t                       fallback_max_redirects;
    size_t                           fallback_max_reply;
    ngx_http_complex_value_t        *records_target;
    ngx_uint_t                       records_ttl;
    in_port_t                        records_https_port;
#if (NGX_HTTP_SSL)
    ngx_ssl_t                       *records_ssl;  /* the probes' */
#endif
} ngx_http_autodiscover_loc_conf_t;


/*
 * what a worker keeps from request to request: its XML parser context,
 * and the buffer answers are rendered into before they are copied into
 * one of exactly their size
 */

#define NGX_HTTP_AUTODISCOVER_SCRATCH_SIZE    16384

typedef struct {
    struct _xmlParserCtxt           *parser;
    u_char                          *scratch;
    size_t                           scratch_size;
    ngx_array_t                      surfaces;   /* loc_conf_t *: answer */
    ngx_shm_zone_t                  *metrics_zone;
    ngx_uint_t                       metrics_endpoint;  /* one is set */
} ngx_http_autodiscover_main_conf_t;


/* the fallback client's state, for one request and all its hops */

typedef struct {
    ngx_str_t                        url;         /* this hop's */
    ngx_str_t                        host;
    ngx_str_t                        uri;
    ngx_str_t                        body;        /* what is POSTed */
    ngx_array_t                      seen;        /* URLs and addresses */
    ngx_uint_t                       hops;
    ngx_int_t                        rc;
    ngx_uint_t                       status;
    ngx_str_t                        reply;
    ngx_str_t                        location;
    ngx_http_autodiscover_fallback_e result;
    unsigned                         done:1;
    unsigned                         https:1;
    unsigned                         rewritten:1;
} ngx_http_autodiscover_client_t;


/* a DNS query of the checks, and what came back (dns.c) */

typedef enum {
    NGX_HTTP_AUTODISCOVER_DNS_A = 0,
    NGX_HTTP_AUTODISCOVER_DNS_AAAA,
    NGX_HTTP_AUTODISCOVER_DNS_CNAME,
    NGX_HTTP_AUTODISCOVER_DNS_SRV,
    NGX_HTTP_AUTODISCOVER_DNS_TXT,
    NGX_HTTP_AUTODISCOVER_DNS_COUNT
} ngx_http_autodiscover_dns_type_e;

#define NGX_HTTP_AUTODISCOVER_DNS_NO_ANSWER  -1

typedef struct {
    ngx_str_t                        name;
    ngx_uint_t                       type;       /* dns_type_e */
    ngx_int_t                        rcode;      /* or DNS_NO_ANSWER */
    ngx_array_t                      answers;    /* ngx_str_t */
} ngx_http_autodiscover_dns_query_t;

typedef void (*ngx_http_autodiscover_dns_done_pt)(ngx_http_request_t *r);


/* the certificate a host presents (probe.c) */

typedef struct {
    ngx_str_t                        host;       /* with a NUL after it */
    ngx_addr_t                       addr;
    u_char                          *error;      /* NULL: a handshake */
    u_char                          *verify;     /* OpenSSL's reason */
    ngx_str_t                        expires;    /* YYYY-MM-DD */
    ngx_int_t                        days;
    unsigned                         covers:1;
    unsigned                         verified:1;
    unsigned                         done:1;
} ngx_http_autodiscover_probe_t;

typedef void (*ngx_http_autodiscover_probe_done_pt)(ngx_http_request_t *r);


/* one DNS record a domain needs (records.c) */

typedef struct {
    ngx_str_t                        name;       /* absolute, with its dot */
    ngx_str_t                        type;       /* CNAME, SRV, TXT, A */
    ngx_str_t                        data;       /* a TXT's text unquoted */
    ngx_str_t                        purpose;    /* who asks for it */
    ngx_http_autodiscover_dns_query_t *check;    /* ?check=1 */
    ngx_http_autodiscover_dns_query_t *addr;     /* an HTTPS name's */
    ngx_http_autodiscover_probe_t   *probe;      /* its certificate */
    ngx_uint_t                       https;      /* clients ask HTTPS */
    ngx_uint_t                       invalid;    /* SRV to an address */
} ngx_http_autodiscover_record_t;


/*
 * the mail service as evaluated once for this request; every renderer
 * reads this and nothing else
 */

typedef struct {
    ngx_str_t                        str[NGX_HTTP_AUTODISCOVER_A_COUNT];
    ngx_int_t                        num[NGX_HTTP_AUTODISCOVER_A_COUNT];
    ngx_http_autodiscover_action_e   action;
    ngx_array_t                      protocols;  /* proto_t */
} ngx_http_autodiscover_service_t;


typedef struct {
    ngx_str_t                        email;
    ngx_str_t                        user;
    ngx_str_t                        domain;
    ngx_str_t                        schema;
    ngx_str_t                        legacydn;

    ngx_http_autodiscover_schema_e   schema_id;
    ngx_http_autodiscover_schema_e   request_ns;
    ngx_http_autodiscover_service_t  service;

    ngx_str_t                        protocol;    /* Autodiscover v2 */
    ngx_str_t                        name;        /* Apple profiles */
    /* Apple profiles: the payloads sent, their identifiers and UUIDs */
    ngx_uint_t                       apple_payloads;
    ngx_str_t  apple_id[NGX_HTTP_AUTODISCOVER_APPLE_COUNT];
    ngx_str_t  uuid[NGX_HTTP_AUTODISCOVER_APPLE_COUNT];
    ngx_http_autodiscover_loc_conf_t *conf;
    ngx_str_t                        body;        /* as the client POSTed */
    ngx_http_autodiscover_client_t  *client;

    const ngx_http_autodiscover_format_t  *format;
    ngx_http_autodiscover_verdict_t  verdict;
    ngx_str_t                        error_time;  /* error documents */
    ngx_str_t                        error_id;
    ngx_str_t                        pacc_digest; /* its DNS TXT record */
    ngx_array_t                     *records;    /* record_t, DNS */
    ngx_uint_t                       check;      /* the records, live */
    off_t                            body_size;   /* as sent or declared */
    ngx_http_autodiscover_refusal_e  refusal;
    ngx_http_autodiscover_signature_e  signature;
    unsigned                         decided:1;   /* a verdict is set */
    unsigned                         body_seen:1; /* body_size is set */
} ngx_http_autodiscover_ctx_t;


/*
 * output: writes while there is room between pos and end, and measures
 * all the same: len is the whole answer's length even when it did not fit
 * (overflow), and with pos NULL it only measures
 */

typedef struct {
    u_char                          *pos;
    u_char                          *end;
    size_t                           len;
    unsigned                         overflow:1;
} ngx_http_autodiscover_out_t;


/* a renderer of one protocol's part of an answer, from the protocol alone */

typedef void (*ngx_http_autodiscover_proto_render_pt)(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_proto_t *p);


/* renderers read the context only: any two passes must write the same */
typedef void (*ngx_http_autodiscover_render_pt)(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx);

/* NGX_OK, NGX_DECLINED for an invalid request, NGX_ABORT for none */
typedef ngx_int_t (*ngx_http_autodiscover_read_pt)(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);

/*
 * a format's own rule: may turn the verdict into INVALID, ERROR or
 * UNAVAILABLE when the service cannot be said in this format
 */
typedef void (*ngx_http_autodiscover_check_pt)(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);

/* what a renderer needs made in the pool first; NGX_OK or NGX_ERROR */
typedef ngx_int_t (*ngx_http_autodiscover_prepare_pt)(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);

/* the rendered document made into what is sent: signing */
typedef ngx_int_t (*ngx_http_autodiscover_finish_pt)(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body);

/* headers of a document besides its content type */
typedef ngx_int_t (*ngx_http_autodiscover_headers_pt)(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);


/* how one verdict is answered: a rendered document, or a bare status */

typedef struct {
    ngx_uint_t                         status;
    ngx_http_autodiscover_render_pt    render;   /* NULL: the status only */
} ngx_http_autodiscover_answer_t;


struct ngx_http_autodiscover_format_s {
    ngx_str_t                          name;     /* logs and variables */
    ngx_http_autodiscover_schema_e     schema;   /* of its answers */
    ngx_http_autodiscover_read_pt      read;     /* from the URL */
    ngx_uint_t                         rules;    /* RULE_* */
    ngx_http_autodiscover_check_pt     check;
    ngx_http_autodiscover_prepare_pt   prepare;
    ngx_http_autodiscover_finish_pt    finish;
    ngx_http_autodiscover_headers_pt   headers;
    ngx_str_t                          host_prefix;  /* of a Host read */
    ngx_str_t                          asked;    /* the host clients ask */
    ngx_str_t                          content_type;
    ngx_uint_t                         binary;   /* no charset */
    ngx_http_autodiscover_answer_t     answer[NGX_HTTP_AUTODISCOVER_V_COUNT];
};

extern ngx_http_autodiscover_format_t  ngx_http_autodiscover_formats[];


#define NGX_HTTP_AUTODISCOVER_NS                                              \
    "http://schemas.microsoft.com/exchange/autodiscover/"

/* the outer document of every POX and ActiveSync answer */

#define NGX_HTTP_AUTODISCOVER_ENVELOPE_OPEN                                   \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                           \
    "<Autodiscover xmlns=\"" NGX_HTTP_AUTODISCOVER_NS                         \
    "responseschema/2006\">\n"

#define NGX_HTTP_AUTODISCOVER_ENVELOPE_CLOSE  "</Autodiscover>\n"


/* handler: the content handler of every location the module answers */
ngx_int_t ngx_http_autodiscover_handler(ngx_http_request_t *r);

/* decide: the one decision */
ngx_int_t ngx_http_autodiscover_decide(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_int_t read);
void ngx_http_autodiscover_verdict(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_http_autodiscover_verdict_e kind,
    ngx_http_autodiscover_code_e code);

/* format: the verdict answered as the format's descriptor says */
ngx_int_t ngx_http_autodiscover_answer(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_respond(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
const ngx_http_autodiscover_format_t *ngx_http_autodiscover_format_for(
    ngx_http_autodiscover_schema_e schema);

/* request: the readers */
ngx_int_t ngx_http_autodiscover_read_body(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body);
ngx_int_t ngx_http_autodiscover_read_args(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_read_json_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_read_autoconfig_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_read_mobileconfig_request(
    ngx_http_request_t *r, ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_read_nothing(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_read_host(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_set_address(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *addr);
ngx_int_t ngx_http_autodiscover_set_schema(ngx_http_autodiscover_ctx_t *ctx,
    ngx_str_t *schema);
void ngx_http_autodiscover_use_schema(ngx_http_autodiscover_ctx_t *ctx,
    ngx_http_autodiscover_schema_e schema);
ngx_http_autodiscover_schema_e ngx_http_autodiscover_find_ns(ngx_str_t *uri,
    ngx_uint_t response);

/* valid: the validators */
ngx_int_t ngx_http_autodiscover_check_address(ngx_str_t *addr,
    ngx_int_t *at);
ngx_int_t ngx_http_autodiscover_check_domain(u_char *p, u_char *last);
uint32_t ngx_http_autodiscover_utf8(u_char **p, u_char *last);
ngx_int_t ngx_http_autodiscover_match_domain(ngx_array_t *names,
    ngx_str_t *name);
ngx_str_t *ngx_http_autodiscover_loggable(ngx_http_request_t *r,
    ngx_str_t *value);
ngx_int_t ngx_http_autodiscover_check_text(ngx_str_t *value);
ngx_int_t ngx_http_autodiscover_strip_scheme(ngx_str_t *uri,
    ngx_str_t *rest);

typedef enum {
    NGX_HTTP_AUTODISCOVER_REPLY_SETTINGS = 0,
    NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_URL,
    NGX_HTTP_AUTODISCOVER_REPLY_REDIRECT_ADDR,
    NGX_HTTP_AUTODISCOVER_REPLY_ERROR
} ngx_http_autodiscover_reply_e;


typedef struct {
    ngx_http_autodiscover_reply_e    kind;
    ngx_str_t                        target;
} ngx_http_autodiscover_reply_t;


/* xml */
ngx_int_t ngx_http_autodiscover_xml_init_conf(ngx_conf_t *cf,
    ngx_http_autodiscover_main_conf_t *amcf);
void ngx_http_autodiscover_xml_exit(ngx_cycle_t *cycle);
ngx_int_t ngx_http_autodiscover_xml_parse(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body);
ngx_int_t ngx_http_autodiscover_xml_reply(ngx_http_request_t *r,
    ngx_http_autodiscover_schema_e schema, ngx_str_t *body,
    ngx_http_autodiscover_reply_t *reply);

/* variables */
extern ngx_http_variable_t  ngx_http_autodiscover_vars[];

/* metrics: what the log variables say, the zone, the endpoint */
extern ngx_str_t  ngx_http_autodiscover_outcome_names[];
extern ngx_str_t  ngx_http_autodiscover_family_names[];
ngx_http_autodiscover_outcome_e ngx_http_autodiscover_outcome(
    ngx_http_request_t *r, ngx_http_autodiscover_ctx_t *ctx);
ngx_http_autodiscover_family_e ngx_http_autodiscover_family(
    ngx_http_request_t *r, ngx_http_autodiscover_ctx_t *ctx);
char *ngx_http_autodiscover_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_autodiscover_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_autodiscover_metrics_init(ngx_conf_t *cf);

/* settings */
extern ngx_http_autodiscover_field_t  ngx_http_autodiscover_fields[];
extern ngx_http_autodiscover_field_t  ngx_http_autodiscover_account[];
extern ngx_str_t  ngx_http_autodiscover_types[];
extern ngx_str_t  ngx_http_autodiscover_auth_names[];
ngx_int_t ngx_http_autodiscover_served(ngx_http_request_t *r,
    ngx_http_autodiscover_loc_conf_t *alcf, ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_prepare_protocol(
    ngx_http_autodiscover_proto_conf_t *pc);
ngx_int_t ngx_http_autodiscover_template_protocol(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc);
ngx_int_t ngx_http_autodiscover_prepare_account(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf);
ngx_int_t ngx_http_autodiscover_evaluate(ngx_http_request_t *r,
    ngx_http_autodiscover_loc_conf_t *alcf, ngx_http_autodiscover_ctx_t *ctx,
    ngx_uint_t rules);

ngx_uint_t ngx_http_autodiscover_autoconfig_usable(
    const ngx_http_autodiscover_proto_t *p);

/* dns: the checks' DNS client */
ngx_int_t ngx_http_autodiscover_dns(ngx_http_request_t *r,
    ngx_array_t *queries, ngx_http_autodiscover_dns_done_pt done);

/* probe: the certificate of a host */
#if (NGX_HTTP_SSL)
ngx_int_t ngx_http_autodiscover_probe(ngx_http_request_t *r, ngx_ssl_t *ssl,
    ngx_array_t *probes, ngx_http_autodiscover_probe_done_pt done);
#endif

/* deploy: the warnings of nginx -t */
void ngx_http_autodiscover_deploy_protocol(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc);
void ngx_http_autodiscover_deploy_location(ngx_conf_t *cf,
    ngx_http_autodiscover_loc_conf_t *alcf);

/* client: the fallback, with subrequests */
ngx_int_t ngx_http_autodiscover_client(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);

/* sign */
char *ngx_http_autodiscover_sign_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_autodiscover_sign(ngx_http_request_t *r,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out);

/* the formats' own rules, preparations and renderers */
void ngx_http_autodiscover_check_outlook(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_outlook_template(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_http_autodiscover_proto_t *p);
ngx_int_t ngx_http_autodiscover_autoconfig_template(ngx_conf_t *cf,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_http_autodiscover_proto_t *p);
void ngx_http_autodiscover_render_outlook(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_check_activesync(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_render_activesync(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_check_json(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_render_json(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_check_autoconfig(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_render_autoconfig(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_check_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_prepare_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_headers_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_finish_apple(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body);
void ngx_http_autodiscover_render_apple(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_check_well_known(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_check_pacc(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_headers_pacc(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_finish_pacc(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx, ngx_str_t *body);
void ngx_http_autodiscover_render_pacc(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx);
ngx_int_t ngx_http_autodiscover_read_records_request(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
char *ngx_http_autodiscover_records_target(ngx_str_t *target);
ngx_int_t ngx_http_autodiscover_prepare_records(ngx_http_request_t *r,
    ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_render_zone(ngx_http_autodiscover_out_t *out,
    const ngx_http_autodiscover_ctx_t *ctx);
void ngx_http_autodiscover_render_records_json(
    ngx_http_autodiscover_out_t *out, const ngx_http_autodiscover_ctx_t *ctx);


extern ngx_module_t  ngx_http_autodiscover_module;


#endif /* _NGX_HTTP_AUTODISCOVER_H_INCLUDED_ */

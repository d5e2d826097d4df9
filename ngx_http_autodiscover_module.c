
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <libxml/parser.h>

#include "ngx_http_autodiscover.h"


static ngx_int_t ngx_http_autodiscover_preconfiguration(ngx_conf_t *cf);
static void *ngx_http_autodiscover_create_main_conf(ngx_conf_t *cf);
static void ngx_http_autodiscover_exit_process(ngx_cycle_t *cycle);
static void *ngx_http_autodiscover_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_autodiscover_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_autodiscover(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_autodiscover_protocol(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_autodiscover_value(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_autodiscover_domains(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_autodiscover_enum(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_autodiscover_http_redirect(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_autodiscover_well_known(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_autodiscover_records(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static void ngx_http_autodiscover_share(ngx_array_t *protocols,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_uint_t f);
static ngx_http_autodiscover_value_t *ngx_http_autodiscover_compile(
    ngx_conf_t *cf, ngx_str_t *value, ngx_http_autodiscover_field_t *field,
    ngx_int_t *num);
static ngx_http_autodiscover_value_t *ngx_http_autodiscover_one_variable(
    ngx_conf_t *cf, ngx_http_autodiscover_value_t *v, ngx_str_t *value);


static char *ngx_http_autodiscover_check_fallback(ngx_conf_t *cf,
    void *post, void *data);
static char *ngx_http_autodiscover_check_max_redirects(ngx_conf_t *cf,
    void *post, void *data);
static char *ngx_http_autodiscover_check_max_body(ngx_conf_t *cf,
    void *post, void *data);


/*
 * what a list of names may hold: "*" and "*.domain", domains only, or
 * hosts, which may also name a port ("exchange.example.com:8443")
 */
#define NGX_HTTP_AUTODISCOVER_NAMES_WILDCARD  1
#define NGX_HTTP_AUTODISCOVER_NAMES_EXACT     2
#define NGX_HTTP_AUTODISCOVER_NAMES_HOSTS     3


static ngx_conf_post_t  ngx_http_autodiscover_fallback_post =
    { ngx_http_autodiscover_check_fallback };

static ngx_conf_post_t  ngx_http_autodiscover_max_redirects_post =
    { ngx_http_autodiscover_check_max_redirects };

static ngx_conf_post_t  ngx_http_autodiscover_max_body_post =
    { ngx_http_autodiscover_check_max_body };


/* the payloads of an Apple profile; bit 0 is nginx's "set" mark */

static ngx_conf_bitmask_t  ngx_http_autodiscover_profile_payloads[] = {
    { ngx_string("mail"),
      ngx_http_autodiscover_apple_bit(NGX_HTTP_AUTODISCOVER_APPLE_MAIL) },
    { ngx_string("activesync"),
      ngx_http_autodiscover_apple_bit(NGX_HTTP_AUTODISCOVER_APPLE_EAS) },
    { ngx_string("caldav"),
      ngx_http_autodiscover_apple_bit(NGX_HTTP_AUTODISCOVER_APPLE_CALDAV) },
    { ngx_string("carddav"),
      ngx_http_autodiscover_apple_bit(NGX_HTTP_AUTODISCOVER_APPLE_CARDDAV) },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_autodiscover_redirect_modes[] = {
    { ngx_string("document"), NGX_HTTP_AUTODISCOVER_REDIRECT_DOCUMENT },
    { ngx_string("302"), NGX_HTTP_AUTODISCOVER_REDIRECT_302 },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_autodiscover_not_served_values[] = {
    { ngx_string("404"), NGX_HTTP_AUTODISCOVER_NOT_SERVED_404 },
    { ngx_string("error"), NGX_HTTP_AUTODISCOVER_NOT_SERVED_ERROR },
    { ngx_null_string, 0 }
};


#define ngx_http_autodiscover_account_offset(n)                               \
    (offsetof(ngx_http_autodiscover_loc_conf_t, account)                      \
     + (n) * sizeof(ngx_http_complex_value_t *))


/* a directive setting one account-wide value */

#define ngx_http_autodiscover_value_command(name, field)                      \
    { ngx_string(name),                                                       \
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,  \
      ngx_http_autodiscover_value,                                            \
      NGX_HTTP_LOC_CONF_OFFSET,                                               \
      ngx_http_autodiscover_account_offset(NGX_HTTP_AUTODISCOVER_A_ ## field),\
      &ngx_http_autodiscover_account[NGX_HTTP_AUTODISCOVER_A_ ## field] }


static ngx_command_t  ngx_http_autodiscover_commands[] = {

    { ngx_string("autodiscover"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_autodiscover,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_POX] },

    { ngx_string("autodiscover_json"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_autodiscover,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_JSON] },

    { ngx_string("autodiscover_autoconfig"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_autodiscover,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_AUTOCONFIG] },

    { ngx_string("autodiscover_mobileconfig"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_autodiscover,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_MOBILECONFIG] },

    { ngx_string("autodiscover_well_known"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_autodiscover_well_known,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_WELL_KNOWN] },

    { ngx_string("autodiscover_pacc"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_autodiscover,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_PACC] },

    { ngx_string("autodiscover_records"),
      NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_autodiscover_records,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_RECORDS] },

    { ngx_string("autodiscover_http_redirect"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_autodiscover_http_redirect,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      &ngx_http_autodiscover_formats[NGX_HTTP_AUTODISCOVER_FMT_HTTP_REDIRECT] },

    { ngx_string("autodiscover_redirect_mode"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_autodiscover_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, redirect_mode),
      &ngx_http_autodiscover_redirect_modes },

    { ngx_string("autodiscover_fallback"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, fallback_uri),
      &ngx_http_autodiscover_fallback_post },

    { ngx_string("autodiscover_fallback_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_autodiscover_value,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, fallback_url),
      &ngx_http_autodiscover_account[NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL] },

    { ngx_string("autodiscover_fallback_follow"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_autodiscover_domains,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, fallback_follow),
      (void *) NGX_HTTP_AUTODISCOVER_NAMES_HOSTS },

    { ngx_string("autodiscover_fallback_max_redirects"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, fallback_max_redirects),
      &ngx_http_autodiscover_max_redirects_post },

    { ngx_string("autodiscover_fallback_max_reply"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, fallback_max_reply),
      NULL },

    { ngx_string("autodiscover_provider_domains"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_autodiscover_domains,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, provider_domains),
      (void *) NGX_HTTP_AUTODISCOVER_NAMES_EXACT },

    { ngx_string("autodiscover_protocol"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_autodiscover_protocol,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("autodiscover_domains"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_autodiscover_domains,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, domains),
      (void *) NGX_HTTP_AUTODISCOVER_NAMES_WILDCARD },

    { ngx_string("autodiscover_not_served"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_autodiscover_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, not_served),
      &ngx_http_autodiscover_not_served_values },

    { ngx_string("autodiscover_sign"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_autodiscover_sign_conf,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("autodiscover_profile_payloads"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_conf_set_bitmask_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, profile_payloads),
      &ngx_http_autodiscover_profile_payloads },

    { ngx_string("autodiscover_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_autodiscover_loc_conf_t, max_body),
      &ngx_http_autodiscover_max_body_post },

    { ngx_string("autodiscover_metrics_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_autodiscover_metrics_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("autodiscover_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_autodiscover_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    ngx_http_autodiscover_value_command("autodiscover_serve", SERVE),
    ngx_http_autodiscover_value_command("autodiscover_account_type",
                                        ACCOUNT_TYPE),
    ngx_http_autodiscover_value_command("autodiscover_display_name",
                                        DISPLAY_NAME),
    ngx_http_autodiscover_value_command("autodiscover_image", IMAGE),
    ngx_http_autodiscover_value_command("autodiscover_service_home",
                                        SERVICE_HOME),
    ngx_http_autodiscover_value_command("autodiscover_redirect_url",
                                        REDIRECT_URL),
    ngx_http_autodiscover_value_command("autodiscover_redirect_addr",
                                        REDIRECT_ADDR),
    ngx_http_autodiscover_value_command("autodiscover_culture", CULTURE),
    ngx_http_autodiscover_value_command("autodiscover_activesync_url",
                                        ACTIVESYNC_URL),
    ngx_http_autodiscover_value_command("autodiscover_activesync_name",
                                        ACTIVESYNC_NAME),
    ngx_http_autodiscover_value_command("autodiscover_certenroll_url",
                                        CERTENROLL_URL),
    ngx_http_autodiscover_value_command("autodiscover_certenroll_template",
                                        CERTENROLL_TEMPLATE),
    ngx_http_autodiscover_value_command("autodiscover_v1_url", V1_URL),
    ngx_http_autodiscover_value_command("autodiscover_provider_name",
                                        PROVIDER_NAME),
    ngx_http_autodiscover_value_command("autodiscover_provider_short_name",
                                        PROVIDER_SHORT_NAME),
    ngx_http_autodiscover_value_command("autodiscover_documentation_url",
                                        DOCUMENTATION_URL),
    ngx_http_autodiscover_value_command("autodiscover_webmail_url",
                                        WEBMAIL_URL),
    ngx_http_autodiscover_value_command("autodiscover_profile_name",
                                        PROFILE_NAME),
    ngx_http_autodiscover_value_command("autodiscover_profile_organization",
                                        PROFILE_ORGANIZATION),
    ngx_http_autodiscover_value_command("autodiscover_profile_description",
                                        PROFILE_DESCRIPTION),
    ngx_http_autodiscover_value_command("autodiscover_oauth2_issuer",
                                        OAUTH2_ISSUER),
    ngx_http_autodiscover_value_command("autodiscover_oauth2_scope",
                                        OAUTH2_SCOPE),
    ngx_http_autodiscover_value_command("autodiscover_oauth2_auth_url",
                                        OAUTH2_AUTH_URL),
    ngx_http_autodiscover_value_command("autodiscover_oauth2_token_url",
                                        OAUTH2_TOKEN_URL),
    ngx_http_autodiscover_value_command("autodiscover_oauth2_client_id",
                                        OAUTH2_CLIENT_ID),

      ngx_null_command
};


static ngx_http_module_t  ngx_http_autodiscover_module_ctx = {
    ngx_http_autodiscover_preconfiguration,  /* preconfiguration */
    ngx_http_autodiscover_metrics_init,      /* postconfiguration */

    ngx_http_autodiscover_create_main_conf,  /* create main configuration */
    NULL,                                    /* init main configuration */

    NULL,                                    /* create server configuration */
    NULL,                                    /* merge server configuration */

    ngx_http_autodiscover_create_loc_conf,   /* create location configuration */
    ngx_http_autodiscover_merge_loc_conf     /* merge location configuration */
};


ngx_module_t  ngx_http_autodiscover_module = {
    NGX_MODULE_V1,
    &ngx_http_autodiscover_module_ctx,       /* module context */
    ngx_http_autodiscover_commands,          /* module directives */
    NGX_HTTP_MODULE,                         /* module type */
    NULL,                                    /* init master */
    NULL,                                    /* init module */
    NULL,                                    /* init process */
    NULL,                                    /* init thread */
    NULL,                                    /* exit thread */
    ngx_http_autodiscover_exit_process,      /* exit process */
    NULL,                                    /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_autodiscover_preconfiguration(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    /* idempotent; the parser is never torn down, as in the xslt filter */

    xmlInitParser();

    for (v = ngx_http_autodiscover_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void *
ngx_http_autodiscover_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_autodiscover_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_autodiscover_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     amcf->parser = NULL;
     *     amcf->metrics_zone = NULL;
     *     amcf->metrics_endpoint = 0;
     */

    amcf->scratch_size = NGX_HTTP_AUTODISCOVER_SCRATCH_SIZE;

    amcf->scratch = ngx_pnalloc(cf->pool, amcf->scratch_size);
    if (amcf->scratch == NULL) {
        return NULL;
    }

    if (ngx_http_autodiscover_xml_init_conf(cf, amcf) != NGX_OK) {
        return NULL;
    }

    if (ngx_array_init(&amcf->surfaces, cf->pool, 8,
                       sizeof(ngx_http_autodiscover_loc_conf_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return amcf;
}


static void
ngx_http_autodiscover_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_autodiscover_xml_exit(cycle);
}


static void *
ngx_http_autodiscover_create_loc_conf(ngx_conf_t *cf)
{
    ngx_uint_t                         i;
    ngx_http_autodiscover_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_autodiscover_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->account_base = NULL;  (made by merge, never inherited)
     *
     * every other field is set below
     */

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_A_COUNT; i++) {
        conf->account[i] = NGX_CONF_UNSET_PTR;
    }

    conf->protocols = NGX_CONF_UNSET_PTR;
    conf->domains = NGX_CONF_UNSET_PTR;
    conf->provider_domains = NGX_CONF_UNSET_PTR;
    conf->signer = NGX_CONF_UNSET_PTR;
    conf->http_redirect = NGX_CONF_UNSET_PTR;
    conf->redirect_mode = NGX_CONF_UNSET_UINT;
    conf->fallback_url = NGX_CONF_UNSET_PTR;
    conf->fallback_follow = NGX_CONF_UNSET_PTR;
    conf->fallback_max_redirects = NGX_CONF_UNSET_UINT;
    conf->fallback_max_reply = NGX_CONF_UNSET_SIZE;
    conf->not_served = NGX_CONF_UNSET_UINT;
    conf->max_body = NGX_CONF_UNSET_SIZE;
    conf->format = NGX_CONF_UNSET_PTR;
    conf->records_target = NGX_CONF_UNSET_PTR;
    conf->records_ttl = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_autodiscover_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_autodiscover_loc_conf_t *prev = parent;
    ngx_http_autodiscover_loc_conf_t *conf = child;

    ngx_uint_t                          i;
    ngx_http_autodiscover_loc_conf_t  **surface;
    ngx_http_autodiscover_main_conf_t  *amcf;

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_A_COUNT; i++) {
        ngx_conf_merge_ptr_value(conf->account[i], prev->account[i], NULL);
    }

    ngx_conf_merge_ptr_value(conf->protocols, prev->protocols, NULL);
    ngx_conf_merge_ptr_value(conf->domains, prev->domains, NULL);
    ngx_conf_merge_ptr_value(conf->provider_domains, prev->provider_domains,
                             NULL);
    ngx_conf_merge_ptr_value(conf->signer, prev->signer, NULL);
    ngx_conf_merge_bitmask_value(conf->profile_payloads,
                     prev->profile_payloads,
                     (NGX_CONF_BITMASK_SET
                      |ngx_http_autodiscover_apple_bit(
                           NGX_HTTP_AUTODISCOVER_APPLE_MAIL)
                      |ngx_http_autodiscover_apple_bit(
                           NGX_HTTP_AUTODISCOVER_APPLE_CALDAV)
                      |ngx_http_autodiscover_apple_bit(
                           NGX_HTTP_AUTODISCOVER_APPLE_CARDDAV)));
    ngx_conf_merge_uint_value(conf->redirect_mode, prev->redirect_mode,
                              NGX_HTTP_AUTODISCOVER_REDIRECT_DOCUMENT);

    ngx_conf_merge_str_value(conf->fallback_uri, prev->fallback_uri, "");
    ngx_conf_merge_ptr_value(conf->fallback_url, prev->fallback_url, NULL);
    ngx_conf_merge_ptr_value(conf->fallback_follow, prev->fallback_follow,
                             NULL);
    ngx_conf_merge_uint_value(conf->fallback_max_redirects,
                              prev->fallback_max_redirects, 10);
    ngx_conf_merge_size_value(conf->fallback_max_reply,
                              prev->fallback_max_reply, 16384);

    /* "autodiscover_http_redirect" binds one location's handler */

    if (conf->http_redirect == NGX_CONF_UNSET_PTR) {
        conf->http_redirect = NULL;
    }
    ngx_conf_merge_uint_value(conf->not_served, prev->not_served,
                              NGX_HTTP_AUTODISCOVER_NOT_SERVED_404);
    ngx_conf_merge_size_value(conf->max_body, prev->max_body, 4096);

    /* "autodiscover_records" is one location's too */

    if (conf->records_target == NGX_CONF_UNSET_PTR) {
        conf->records_target = NULL;
        conf->records_ttl = 3600;
    }

    /*
     * the directive that makes a location answer is not inherited: it
     * binds one location's handler; all but the plain-HTTP endpoint need
     * to know which domains they answer for
     */

    if (conf->format != NGX_CONF_UNSET_PTR
        && !(conf->format->rules & NGX_HTTP_AUTODISCOVER_RULE_HTTP_REDIRECT)
        && conf->domains == NULL
        && conf->account[NGX_HTTP_AUTODISCOVER_A_SERVE] == NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" needs \"autodiscover_domains\" "
                           "or \"autodiscover_serve\" to know which domains "
                           "it answers for", conf->endpoint);
        return NGX_CONF_ERROR;
    }

    ngx_http_autodiscover_deploy_location(cf, conf);

    /* the DNS records name the hosts of the locations that answer */

    if (conf->format != NGX_CONF_UNSET_PTR) {
        if (ngx_http_autodiscover_prepare_account(cf, conf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        amcf = ngx_http_conf_get_module_main_conf(cf,
                                                 ngx_http_autodiscover_module);
        surface = ngx_array_push(&amcf->surfaces);
        if (surface == NULL) {
            return NGX_CONF_ERROR;
        }

        *surface = conf;
    }

    return NGX_CONF_OK;
}


/*
 * "autodiscover", "autodiscover_json", "autodiscover_autoconfig",
 * "autodiscover_mobileconfig" and "autodiscover_http_redirect": the
 * location answers in the format of the directive's entry (cmd->post)
 */

static char *
ngx_http_autodiscover(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    ngx_http_core_loc_conf_t        *clcf;
    ngx_http_autodiscover_format_t  *fmt;

    fmt = cmd->post;

    if (alcf->format == fmt) {
        return "is duplicate";
    }

    if (alcf->format != NGX_CONF_UNSET_PTR) {
        if ((alcf->format->rules | fmt->rules)
            & NGX_HTTP_AUTODISCOVER_RULE_HTTP_REDIRECT)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"autodiscover_http_redirect\" only ever "
                               "redirects: it cannot share a location with "
                               "\"%V\"", alcf->endpoint);
            return NGX_CONF_ERROR;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" cannot share a location with \"%V\": "
                           "one location answers in one format",
                           &cmd->name, alcf->endpoint);
        return NGX_CONF_ERROR;
    }

    alcf->format = fmt;
    alcf->endpoint = &cmd->name;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_autodiscover_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_autodiscover_protocol(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    u_char                              *eq;
    ngx_int_t                            type;
    ngx_str_t                           *value, name, arg;
    ngx_uint_t                           i, f;
    ngx_http_autodiscover_field_t       *field;
    ngx_http_autodiscover_proto_conf_t  *pc;

    if (alcf->protocols == NGX_CONF_UNSET_PTR) {
        alcf->protocols = ngx_array_create(cf->pool, 4,
                                  sizeof(ngx_http_autodiscover_proto_conf_t));
        if (alcf->protocols == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    pc = ngx_array_push(alcf->protocols);
    if (pc == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(pc, sizeof(ngx_http_autodiscover_proto_conf_t));

    value = cf->args->elts;
    type = NGX_CONF_UNSET;

    field = &ngx_http_autodiscover_fields[NGX_HTTP_AUTODISCOVER_F_TYPE];

    pc->value[NGX_HTTP_AUTODISCOVER_F_TYPE] =
                  ngx_http_autodiscover_compile(cf, &value[1], field, &type);
    if (pc->value[NGX_HTTP_AUTODISCOVER_F_TYPE] == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        eq = ngx_strlchr(value[i].data, value[i].data + value[i].len, '=');

        if (eq == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\", "
                               "expected name=value", &value[i]);
            return NGX_CONF_ERROR;
        }

        name.data = value[i].data;
        name.len = eq - value[i].data;
        arg.data = eq + 1;
        arg.len = value[i].data + value[i].len - arg.data;

        field = NULL;

        for (f = NGX_HTTP_AUTODISCOVER_F_TYPE + 1;
             f < NGX_HTTP_AUTODISCOVER_F_COUNT;
             f++)
        {
            if (name.len == ngx_http_autodiscover_fields[f].name.len
                && ngx_strncmp(name.data,
                               ngx_http_autodiscover_fields[f].name.data,
                               name.len)
                   == 0)
            {
                field = &ngx_http_autodiscover_fields[f];
                break;
            }
        }

        if (field == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown parameter \"%V\"", &name);
            return NGX_CONF_ERROR;
        }

        if (pc->value[f] != NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate parameter \"%V\"", &name);
            return NGX_CONF_ERROR;
        }

        if (type != NGX_CONF_UNSET && !(field->types & (1 << type))) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "parameter \"%V\" does not apply to "
                               "protocol type \"%V\"",
                               &name, &ngx_http_autodiscover_types[type]);
            return NGX_CONF_ERROR;
        }

        pc->value[f] = ngx_http_autodiscover_compile(cf, &arg, field, NULL);
        if (pc->value[f] == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_http_autodiscover_share(alcf->protocols, pc, f);
    }

    /* a server for mail, a URL for calendars, contacts and JMAP */

    f = (type != NGX_CONF_UNSET && ngx_http_autodiscover_url_type(type))
        ? NGX_HTTP_AUTODISCOVER_F_URL : NGX_HTTP_AUTODISCOVER_F_SERVER;

    if (type == NGX_CONF_UNSET && pc->value[f] == NULL) {
        f = NGX_HTTP_AUTODISCOVER_F_URL;
    }

    if (pc->value[f] == NULL
        || (pc->value[f]->cv.lengths == NULL
            && pc->value[f]->cv.value.len == 0))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "missing or empty \"%V=\" parameter "
                           "for protocol \"%V\"",
                           &ngx_http_autodiscover_fields[f].name, &value[1]);
        return NGX_CONF_ERROR;
    }

    ngx_http_autodiscover_prepare_protocol(pc);

    if (ngx_http_autodiscover_template_protocol(cf, pc) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_http_autodiscover_deploy_protocol(cf, pc);

    return NGX_CONF_OK;
}


/*
 * a parameter with variables written as an earlier protocol of the same
 * directive level wrote it, such as login=$login on every protocol, is
 * that protocol's value: evaluated once per request for all of them
 */

static void
ngx_http_autodiscover_share(ngx_array_t *protocols,
    ngx_http_autodiscover_proto_conf_t *pc, ngx_uint_t f)
{
    ngx_http_autodiscover_value_t       *v, *w;
    ngx_http_autodiscover_proto_conf_t  *prev;

    v = pc->value[f];

    if (v->cv.lengths == NULL) {
        return;
    }

    for (prev = protocols->elts; prev < pc; prev++) {
        w = prev->value[f];

        if (w != NULL && w->cv.lengths != NULL
            && w->cv.value.len == v->cv.value.len
            && ngx_strncmp(w->cv.value.data, v->cv.value.data,
                           v->cv.value.len)
               == 0)
        {
            w->shared = 1;
            pc->value[f] = w;
            return;
        }
    }
}


static char *
ngx_http_autodiscover_value(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t                       *value;
    ngx_http_autodiscover_value_t  **cv;

    cv = (ngx_http_autodiscover_value_t **) (p + cmd->offset);

    if (*cv != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    *cv = ngx_http_autodiscover_compile(cf, &value[1], cmd->post, NULL);
    if (*cv == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_autodiscover_domains(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    u_char        *colon;
    ngx_int_t      port;
    ngx_str_t     *value, *name, check;
    ngx_uint_t     i;
    ngx_array_t  **domains;

    domains = (ngx_array_t **) (p + cmd->offset);

    if (*domains != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    *domains = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                sizeof(ngx_str_t));
    if (*domains == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        /* "*" and "*.example.com" are checked by the part after "*." */

        check = value[i];

        if ((uintptr_t) cmd->post == NGX_HTTP_AUTODISCOVER_NAMES_EXACT
            && ngx_strlchr(check.data, check.data + check.len, '*') != NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" takes domain names, not \"%V\"",
                               &cmd->name, &value[i]);
            return NGX_CONF_ERROR;
        }

        /* a host's port is compared as written, and must be one */

        colon = ngx_strlchr(check.data, check.data + check.len, ':');

        if (colon != NULL) {
            port = ngx_atoi(colon + 1, check.data + check.len - colon - 1);

            if ((uintptr_t) cmd->post != NGX_HTTP_AUTODISCOVER_NAMES_HOSTS
                || port < 1 || port > 65535 || colon[1] == '0')
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid domain \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            check.len = colon - check.data;
        }

        if (check.len == 1 && check.data[0] == '*') {
            check.len = 0;

        } else if (check.len > 2 && check.data[0] == '*'
                   && check.data[1] == '.')
        {
            check.data += 2;
            check.len -= 2;
        }

        if (check.len
            && ngx_http_autodiscover_check_domain(check.data,
                                                  check.data + check.len)
               != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid domain \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        name = ngx_array_push(*domains);
        if (name == NULL) {
            return NGX_CONF_ERROR;
        }

        name->len = value[i].len;
        name->data = ngx_pnalloc(cf->pool, name->len);
        if (name->data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_strlow(name->data, value[i].data, name->len);
    }

    return NGX_CONF_OK;
}


/* ngx_conf_set_enum_slot() with a message that names the values */

static char *
ngx_http_autodiscover_enum(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t        *value;
    ngx_uint_t       *field;
    ngx_conf_enum_t  *e;

    field = (ngx_uint_t *) (p + cmd->offset);

    if (*field != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (e = cmd->post; e->name.len; e++) {
        if (e->name.len == value[1].len
            && ngx_strcmp(e->name.data, value[1].data) == 0)
        {
            *field = e->value;
            return NGX_CONF_OK;
        }
    }

    e = cmd->post;

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, "
                       "it must be \"%V\" or \"%V\"",
                       &value[1], &cmd->name, &e[0].name, &e[1].name);

    return NGX_CONF_ERROR;
}


/* a location that only ever redirects: the plain-HTTP endpoint */

static char *
ngx_http_autodiscover_http_redirect(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    char                           *rv;
    ngx_str_t                      *value;
    ngx_http_autodiscover_field_t  *field;
    ngx_http_autodiscover_value_t  *v;

    if (alcf->http_redirect != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    rv = ngx_http_autodiscover(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;

    field = ngx_http_autodiscover_account
            + NGX_HTTP_AUTODISCOVER_A_REDIRECT_URL;

    v = ngx_http_autodiscover_compile(cf, &value[1], field, NULL);
    if (v == NULL) {
        return NGX_CONF_ERROR;
    }

    alcf->http_redirect = &v->cv;

    return NGX_CONF_OK;
}


/*
 * autodiscover_records target=HOST [ttl=SECONDS]: the DNS records a
 * domain needs, for an admin location; HOST may hold variables
 */

static char *
ngx_http_autodiscover_records(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    char                              *rv;
    ngx_int_t                          ttl;
    ngx_str_t                         *value, s, trusted;
    ngx_uint_t                         i;
#if (NGX_HTTP_SSL)
    ngx_pool_cleanup_t                *cln;
#endif
    ngx_http_compile_complex_value_t   ccv;

    rv = ngx_http_autodiscover(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;
    alcf->records_ttl = 3600;
    alcf->records_https_port = 443;
    ngx_str_null(&trusted);

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "target=", 7) == 0
            && alcf->records_target == NGX_CONF_UNSET_PTR)
        {
            s.data = value[i].data + 7;
            s.len = value[i].len - 7;

            if (s.len == 0) {
                goto invalid;
            }

            alcf->records_target = ngx_palloc(cf->pool,
                                             sizeof(ngx_http_complex_value_t));
            if (alcf->records_target == NULL) {
                return NGX_CONF_ERROR;
            }

            ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

            ccv.cf = cf;
            ccv.value = &s;
            ccv.complex_value = alcf->records_target;

            if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
                return NGX_CONF_ERROR;
            }

            if (alcf->records_target->lengths == NULL
                && ngx_http_autodiscover_records_target(&s) == NULL)
            {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "ttl=", 4) == 0) {
            ttl = ngx_atoi(value[i].data + 4, value[i].len - 4);

            if (ttl < 0 || ttl > 2147483647) {
                goto invalid;
            }

            alcf->records_ttl = ttl;
            continue;
        }

        if (ngx_strncmp(value[i].data, "https_port=", 11) == 0) {
            ttl = ngx_atoi(value[i].data + 11, value[i].len - 11);

            if (ttl < 1 || ttl > 65535) {
                goto invalid;
            }

            alcf->records_https_port = (in_port_t) ttl;
            continue;
        }

        if (ngx_strncmp(value[i].data, "trusted=", 8) == 0
            && value[i].len > 8 && trusted.len == 0)
        {
            trusted.data = value[i].data + 8;
            trusted.len = value[i].len - 8;
            continue;
        }

        goto invalid;
    }

    if (alcf->records_target == NGX_CONF_UNSET_PTR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" needs \"target=\", the host that "
                           "answers autodiscover., autoconfig. and "
                           "ua-auto-config. names", &cmd->name);
        return NGX_CONF_ERROR;
    }

#if (NGX_HTTP_SSL)

    /*
     * the checks' TLS client: every certificate is taken, then judged
     * against the trusted ones (trusted=, else the system's)
     */

    alcf->records_ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (alcf->records_ssl == NULL) {
        return NGX_CONF_ERROR;
    }

    alcf->records_ssl->log = cf->log;

    if (ngx_ssl_create(alcf->records_ssl,
                       NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(alcf->records_ssl);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = alcf->records_ssl;

    if (trusted.len) {
        if (ngx_ssl_trusted_certificate(cf, alcf->records_ssl, &trusted, 9)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else if (SSL_CTX_set_default_verify_paths(alcf->records_ssl->ctx)
               != 1)
    {
        ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0,
                      "SSL_CTX_set_default_verify_paths() failed");
        return NGX_CONF_ERROR;
    }

    SSL_CTX_set_verify(alcf->records_ssl->ctx, SSL_VERIFY_NONE, NULL);

#else

    if (trusted.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"trusted=\" needs nginx with SSL");
        return NGX_CONF_ERROR;
    }

#endif

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\", it must be "
                       "target=<host name or IP address>, ttl=<seconds>, "
                       "https_port=<port> or trusted=<file>",
                       &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


/* /.well-known/caldav, carddav or jmap: a redirect to that protocol */

static char *
ngx_http_autodiscover_well_known(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    char       *rv;
    ngx_int_t   type;
    ngx_str_t  *value;

    value = cf->args->elts;

    if (ngx_strcasecmp(value[1].data, (u_char *) "caldav") == 0) {
        type = NGX_HTTP_AUTODISCOVER_CALDAV;

    } else if (ngx_strcasecmp(value[1].data, (u_char *) "carddav") == 0) {
        type = NGX_HTTP_AUTODISCOVER_CARDDAV;

    } else if (ngx_strcasecmp(value[1].data, (u_char *) "jmap") == 0) {
        type = NGX_HTTP_AUTODISCOVER_JMAP;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be \"caldav\", \"carddav\" or \"jmap\"",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    rv = ngx_http_autodiscover(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    alcf->well_known = type;

    return NGX_CONF_OK;
}


static char *
ngx_http_autodiscover_check_fallback(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *uri = data;

    if (uri->len == 0 || uri->data[0] != '/') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"autodiscover_fallback\" must name a location, "
                           "\"%V\" does not start with \"/\"", uri);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_autodiscover_check_max_redirects(ngx_conf_t *cf, void *post,
    void *data)
{
    ngx_uint_t  *n = data;

    if (*n > 10) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"autodiscover_fallback_max_redirects\" must be "
                           "at most 10, as Outlook follows no more");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_autodiscover_check_max_body(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *n = data;

    if (*n == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"autodiscover_max_body\" must be at least 1");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * compiles a value that may contain variables; a literal value is checked
 * now, so that "nginx -t" reports it with its file and line
 */

/*
 * a value that is one variable and nothing else, "$name" or "${name}", is
 * read at run time as the variable's value, without the script engine's
 * two passes and copy; what it evaluates to is the same
 */

static ngx_http_autodiscover_value_t *
ngx_http_autodiscover_one_variable(ngx_conf_t *cf,
    ngx_http_autodiscover_value_t *v, ngx_str_t *value)
{
    u_char     *p, *last;
    ngx_str_t   name;

    p = value->data + 1;
    last = value->data + value->len;

    if (value->len < 2 || value->data[0] != '$') {
        return v;
    }

    if (*p == '{') {
        if (last[-1] != '}') {
            return v;
        }

        p++;
        last--;
    }

    name.data = p;
    name.len = last - p;

    /* "$1" is a capture, not a variable */

    if (name.len == 0 || (*p >= '0' && *p <= '9')) {
        return v;
    }

    for ( /* void */ ; p < last; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_'))
        {
            return v;
        }
    }

    v->index = ngx_http_get_variable_index(cf, &name);

    if (v->index == NGX_ERROR) {
        return NULL;
    }

    return v;
}


static ngx_http_autodiscover_value_t *
ngx_http_autodiscover_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_http_autodiscover_field_t *field, ngx_int_t *num)
{
    ngx_http_autodiscover_value_t     *v;
    ngx_http_compile_complex_value_t   ccv;

    v = ngx_palloc(cf->pool, sizeof(ngx_http_autodiscover_value_t));
    if (v == NULL) {
        return NULL;
    }

    v->num = NGX_CONF_UNSET;
    v->index = NGX_ERROR;
    v->shared = 0;

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = value;
    ccv.complex_value = &v->cv;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NULL;
    }

    if (v->cv.lengths != NULL) {
        return ngx_http_autodiscover_one_variable(cf, v, value);
    }

    /* a literal is parsed here, once, and never at run time */

    if (field->parse(&v->cv.value, &v->num) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid %V \"%V\", %s",
                           &field->name, value, field->expect);
        return NULL;
    }

    /* as a variable's empty value: no number */

    if (v->cv.value.len == 0) {
        v->num = NGX_CONF_UNSET;
    }

    if (num != NULL) {
        *num = v->num;
    }

    return v;
}


/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_autodiscover.h"

#if (NGX_OPENSSL)
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#endif


/*
 * Signed Apple profiles: CMS SignedData with the profile inside, as
 * "openssl smime -sign -nodetach -outform der" makes it, with the
 * OpenSSL nginx links; the certificate and key are read when the
 * configuration is, and the signed profiles of one worker are kept in a
 * 4-way set-associative cache keyed by the unsigned profile itself: its
 * hash chooses a set of 4 slots, a slot keeps the unsigned profile with
 * its signed bytes and is taken only when the two unsigned profiles are
 * the same byte for byte, and a new profile takes the place of the one
 * in its set that was used least recently
 */


#define NGX_HTTP_AUTODISCOVER_SIGN_CACHE  1024
#define NGX_HTTP_AUTODISCOVER_SIGN_WAYS   4


typedef struct {
    uint32_t                         hash;
    u_char                          *key;       /* the unsigned profile */
    size_t                           key_len;
    u_char                          *data;      /* signed, after the key */
    size_t                           len;
    ngx_uint_t                       used;      /* when, in signer->clock */
} ngx_http_autodiscover_sign_slot_t;


struct ngx_http_autodiscover_signer_s {
#if (NGX_OPENSSL)
    X509                            *cert;
    EVP_PKEY                        *key;
    STACK_OF(X509)                  *chain;
#endif
    ngx_http_autodiscover_sign_slot_t  *slots;
    ngx_uint_t                       nslots;    /* a multiple of the ways */
    ngx_uint_t                       clock;     /* profiles looked up */
    ngx_log_t                       *log;
};


#if (NGX_OPENSSL)

static void ngx_http_autodiscover_sign_cleanup(void *data);
static int ngx_http_autodiscover_sign_password(char *buf, int size,
    int rwflag, void *userdata);
static ngx_int_t ngx_http_autodiscover_sign_read(ngx_conf_t *cf,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *cert, ngx_str_t *key,
    ngx_str_t *chain);
static ngx_int_t ngx_http_autodiscover_sign_cms(ngx_http_request_t *r,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out);


/*
 * autodiscover_sign certificate.pem key.pem [chain.pem] [cache=N];
 * autodiscover_sign off;
 */

char *
ngx_http_autodiscover_sign_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    ngx_int_t                        n;
    ngx_str_t                       *value, file[3];
    ngx_uint_t                       i, files;
    ngx_pool_cleanup_t              *cln;
    ngx_http_autodiscover_signer_t  *signer;

    if (alcf->signer != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        alcf->signer = NULL;
        return NGX_CONF_OK;
    }

    signer = ngx_pcalloc(cf->pool, sizeof(ngx_http_autodiscover_signer_t));
    if (signer == NULL) {
        return NGX_CONF_ERROR;
    }

    signer->nslots = NGX_HTTP_AUTODISCOVER_SIGN_CACHE;
    files = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "cache=", 6) == 0) {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (n == NGX_ERROR || n > 1000000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid cache size \"%V\", it must be "
                                   "a number from 0 to 1000000", &value[i]);
                return NGX_CONF_ERROR;
            }

            signer->nslots = (n + NGX_HTTP_AUTODISCOVER_SIGN_WAYS - 1)
                             / NGX_HTTP_AUTODISCOVER_SIGN_WAYS
                             * NGX_HTTP_AUTODISCOVER_SIGN_WAYS;
            continue;
        }

        if (files == 3) {
            files++;
            break;
        }

        file[files++] = value[i];
    }

    if (files < 2 || files > 3) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"autodiscover_sign\" takes a certificate, a key "
                           "and optionally a chain of certificates");
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_autodiscover_sign_cleanup;
    cln->data = signer;

    if (ngx_http_autodiscover_sign_read(cf, signer, &file[0], &file[1],
                                        (files == 3) ? &file[2] : NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    alcf->signer = signer;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_autodiscover_sign_read(ngx_conf_t *cf,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *cert, ngx_str_t *key,
    ngx_str_t *chain)
{
    BIO        *bio;
    X509       *x509;
    ngx_str_t  *name, full;

    name = cert;

    if (ngx_conf_full_name(cf->cycle, cert, 1) != NGX_OK
        || ngx_conf_full_name(cf->cycle, key, 1) != NGX_OK
        || (chain != NULL && ngx_conf_full_name(cf->cycle, chain, 1) != NGX_OK))
    {
        return NGX_ERROR;
    }

    bio = BIO_new_file((char *) cert->data, "r");
    if (bio == NULL) {
        goto failed;
    }

    signer->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);

    if (signer->cert == NULL) {
        goto failed;
    }

    name = key;

    bio = BIO_new_file((char *) key->data, "r");
    if (bio == NULL) {
        goto failed;
    }

    /* no passphrase prompt, ever: an encrypted key is refused */

    signer->key = PEM_read_bio_PrivateKey(bio, NULL,
                                         ngx_http_autodiscover_sign_password,
                                         NULL);
    BIO_free(bio);

    if (signer->key == NULL) {
        ERR_clear_error();
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot read an unencrypted private key from "
                           "\"%V\" for \"autodiscover_sign\"", key);
        return NGX_ERROR;
    }

    if (!X509_check_private_key(signer->cert, signer->key)) {
        ERR_clear_error();
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the key \"%V\" does not match the certificate "
                           "\"%V\"", key, cert);
        return NGX_ERROR;
    }

    signer->chain = sk_X509_new_null();
    if (signer->chain == NULL) {
        return NGX_ERROR;
    }

    if (chain == NULL) {
        return NGX_OK;
    }

    name = chain;

    bio = BIO_new_file((char *) chain->data, "r");
    if (bio == NULL) {
        goto failed;
    }

    for ( ;; ) {
        x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);

        if (x509 == NULL) {
            break;
        }

        if (sk_X509_push(signer->chain, x509) == 0) {
            X509_free(x509);
            BIO_free(bio);
            return NGX_ERROR;
        }
    }

    BIO_free(bio);
    ERR_clear_error();

    if (sk_X509_num(signer->chain) == 0) {
        goto failed;
    }

    return NGX_OK;

failed:

    ERR_clear_error();

    full = *name;

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "cannot read PEM data from \"%V\" for "
                       "\"autodiscover_sign\"", &full);

    return NGX_ERROR;
}


static int
ngx_http_autodiscover_sign_password(char *buf, int size, int rwflag,
    void *userdata)
{
    return 0;
}


static void
ngx_http_autodiscover_sign_cleanup(void *data)
{
    ngx_http_autodiscover_signer_t  *signer = data;

    ngx_uint_t  i;

    if (signer->cert != NULL) {
        X509_free(signer->cert);
    }

    if (signer->key != NULL) {
        EVP_PKEY_free(signer->key);
    }

    if (signer->chain != NULL) {
        sk_X509_pop_free(signer->chain, X509_free);
    }

    if (signer->slots != NULL) {
        for (i = 0; i < signer->nslots; i++) {
            if (signer->slots[i].key != NULL) {
                ngx_free(signer->slots[i].key);
            }
        }

        ngx_free(signer->slots);
    }
}


/* a signed profile, from the cache or signed now and cached */

ngx_int_t
ngx_http_autodiscover_sign(ngx_http_request_t *r,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out)
{
    u_char                             *p;
    uint32_t                            hash;
    ngx_uint_t                          i;
    ngx_http_autodiscover_sign_slot_t  *slot, *s;

    if (signer->nslots == 0) {
        return ngx_http_autodiscover_sign_cms(r, signer, in, out);
    }

    if (signer->slots == NULL) {
        signer->slots = ngx_calloc(signer->nslots
                                   * sizeof(ngx_http_autodiscover_sign_slot_t),
                                   r->connection->log);
        if (signer->slots == NULL) {
            return NGX_ERROR;
        }
    }

    hash = ngx_murmur_hash2(in->data, in->len);

    s = &signer->slots[hash % (signer->nslots / NGX_HTTP_AUTODISCOVER_SIGN_WAYS)
                       * NGX_HTTP_AUTODISCOVER_SIGN_WAYS];
    slot = s;

    signer->clock++;

    for (i = 0; i < NGX_HTTP_AUTODISCOVER_SIGN_WAYS; i++) {

        if (s[i].key != NULL
            && s[i].hash == hash
            && s[i].key_len == in->len
            && ngx_memcmp(s[i].key, in->data, in->len) == 0)
        {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "autodiscover: signed profile from the cache");
            s[i].used = signer->clock;

            /*
             * a copy: the slot may be given to another profile while
             * this answer still waits to be sent to a slow client
             */

            out->data = ngx_pnalloc(r->pool, s[i].len);
            if (out->data == NULL) {
                return NGX_ERROR;
            }

            out->len = s[i].len;
            ngx_memcpy(out->data, s[i].data, s[i].len);

            return NGX_OK;
        }

        /* an empty slot, or else the least recently used one */

        if (slot->key != NULL
            && (s[i].key == NULL || s[i].used < slot->used))
        {
            slot = &s[i];
        }
    }

    if (ngx_http_autodiscover_sign_cms(r, signer, in, out) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the slot's previous profile makes room: the cache stays bounded */

    p = ngx_alloc(in->len + out->len, r->connection->log);
    if (p == NULL) {
        return NGX_OK;
    }

    if (slot->key != NULL) {
        ngx_free(slot->key);
    }

    slot->hash = hash;
    slot->key = p;
    slot->key_len = in->len;
    slot->data = ngx_cpymem(p, in->data, in->len);
    slot->len = out->len;
    slot->used = signer->clock;

    ngx_memcpy(slot->data, out->data, out->len);

    return NGX_OK;
}


static ngx_int_t
ngx_http_autodiscover_sign_cms(ngx_http_request_t *r,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out)
{
    int               len;
    BIO              *bio;
    u_char           *p;
    CMS_ContentInfo  *cms;

    bio = BIO_new_mem_buf(in->data, (int) in->len);
    if (bio == NULL) {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "autodiscover: BIO_new_mem_buf() failed");
        return NGX_ERROR;
    }

    cms = CMS_sign(signer->cert, signer->key, signer->chain, bio, CMS_BINARY);
    BIO_free(bio);

    if (cms == NULL) {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "autodiscover: CMS_sign() failed");
        return NGX_ERROR;
    }

    len = i2d_CMS_ContentInfo(cms, NULL);

    if (len <= 0) {
        CMS_ContentInfo_free(cms);
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "autodiscover: i2d_CMS_ContentInfo() failed");
        return NGX_ERROR;
    }

    out->data = ngx_pnalloc(r->pool, len);
    if (out->data == NULL) {
        CMS_ContentInfo_free(cms);
        return NGX_ERROR;
    }

    p = out->data;
    out->len = i2d_CMS_ContentInfo(cms, &p);

    CMS_ContentInfo_free(cms);

    return NGX_OK;
}


#else


char *
ngx_http_autodiscover_sign_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        alcf->signer = NULL;
        return NGX_CONF_OK;
    }

    return "needs nginx built with OpenSSL (--with-http_ssl_module)";
}


ngx_int_t
ngx_http_autodiscover_sign(ngx_http_request_t *r,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out)
{
    return NGX_ERROR;
}


#endif

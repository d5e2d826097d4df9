
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
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#endif


/*
 * Signed Apple profiles: CMS SignedData with the profile inside, as
 * "openssl smime -sign -nodetach -outform der" makes it, with the
 * OpenSSL nginx links, but without the signing time: the signed
 * attributes are the content type, the message digest and the S/MIME
 * capabilities.  The certificate and key are read when the configuration
 * is; every profile is signed for its own request, and nothing of one
 * request is kept for another, so that no answer, by its bytes or by
 * how long it took, tells whether or when anyone asked for the same
 * profile before.
 */


#if (NGX_OPENSSL)

struct ngx_http_autodiscover_signer_s {
    X509                            *cert;
    EVP_PKEY                        *key;
    STACK_OF(X509)                  *chain;
};


static void ngx_http_autodiscover_sign_cleanup(void *data);
static int ngx_http_autodiscover_sign_password(char *buf, int size,
    int rwflag, void *userdata);
static ngx_int_t ngx_http_autodiscover_sign_read(ngx_conf_t *cf,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *cert, ngx_str_t *key,
    ngx_str_t *chain);
static ngx_int_t ngx_http_autodiscover_sign_der(ngx_pool_t *pool,
    ngx_log_t *log, ngx_http_autodiscover_signer_t *signer, ngx_str_t *in,
    ngx_str_t *out);
static ngx_int_t ngx_http_autodiscover_sign_attrs(ngx_log_t *log,
    ngx_http_autodiscover_signer_t *signer, CMS_SignerInfo *si,
    ngx_str_t *in);


/*
 * autodiscover_sign certificate.pem key.pem [chain.pem] [cache=N];
 * (cache=N checked, then ignored)
 * autodiscover_sign off;
 */

char *
ngx_http_autodiscover_sign_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_autodiscover_loc_conf_t *alcf = conf;

    ngx_int_t                        n;
    ngx_str_t                       *value, file[3], test, der;
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

    files = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        /*
         * the size of a signing cache there no longer is: still checked,
         * so that a configuration that was valid stays valid
         */

        if (ngx_strncmp(value[i].data, "cache=", 6) == 0) {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (n == NGX_ERROR || n > 1000000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid cache size \"%V\", it must be "
                                   "a number from 0 to 1000000", &value[i]);
                return NGX_CONF_ERROR;
            }

            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "\"%V\" is ignored: signed profiles are "
                               "not cached", &value[i]);
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

    /*
     * one signature now, by the master: nginx -t shows that the key
     * signs, and OpenSSL's one-time work for this key and its algorithms
     * (some 9 million instructions with RSA) is done before the workers
     * start, so that a worker's first signed profile takes no longer
     * than the next ones, and does not tell that it is the first
     */

    ngx_str_set(&test, "autodiscover");

    if (ngx_http_autodiscover_sign_der(cf->temp_pool, cf->log, signer, &test,
                                       &der)
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot sign with the key \"%V\"", &file[1]);
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

    /* the keys whose signatures sign_attrs() makes, and Apple checks */

    if (EVP_PKEY_base_id(signer->key) != EVP_PKEY_RSA
        && EVP_PKEY_base_id(signer->key) != EVP_PKEY_EC)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the key \"%V\" is neither an RSA nor an EC key, "
                           "which \"autodiscover_sign\" needs", key);
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

    if (signer->cert != NULL) {
        X509_free(signer->cert);
    }

    if (signer->key != NULL) {
        EVP_PKEY_free(signer->key);
    }

    if (signer->chain != NULL) {
        sk_X509_pop_free(signer->chain, X509_free);
    }
}


/* the profile signed for this request */

ngx_int_t
ngx_http_autodiscover_sign(ngx_http_request_t *r,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out)
{
    return ngx_http_autodiscover_sign_der(r->pool, r->connection->log, signer,
                                          in, out);
}


/*
 * CMS_sign() would add a signing time, which CMS_SignerInfo_sign() does
 * for any signer with signed attributes, so the structure is made by
 * CMS_sign() and CMS_add1_signer() without signing, and its signature
 * computed here
 */

static ngx_int_t
ngx_http_autodiscover_sign_der(ngx_pool_t *pool, ngx_log_t *log,
    ngx_http_autodiscover_signer_t *signer, ngx_str_t *in, ngx_str_t *out)
{
    int                  len;
    u_char              *p;
    ngx_int_t            rc;
    CMS_SignerInfo      *si;
    CMS_ContentInfo     *cms;
    ASN1_OCTET_STRING  **content;

    if (in->len > NGX_MAX_INT32_VALUE) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    cms = CMS_sign(NULL, NULL, signer->chain, NULL, CMS_BINARY|CMS_PARTIAL);
    if (cms == NULL) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: CMS_sign() failed");
        return NGX_ERROR;
    }

    si = CMS_add1_signer(cms, signer->cert, signer->key, EVP_sha256(),
                         CMS_BINARY|CMS_PARTIAL);
    if (si == NULL) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: CMS_add1_signer() failed");
        goto done;
    }

    /* the profile inside, as CMS_final() would copy it there */

    content = CMS_get0_content(cms);

    if (content == NULL) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: CMS_get0_content() failed");
        goto done;
    }

    if (*content == NULL) {
        *content = ASN1_OCTET_STRING_new();
        if (*content == NULL) {
            ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                          "autodiscover: ASN1_OCTET_STRING_new() failed");
            goto done;
        }
    }

    if (!ASN1_OCTET_STRING_set(*content, in->data, (int) in->len)) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: ASN1_OCTET_STRING_set() failed");
        goto done;
    }

    /* no longer a place holder for content still to come */

    (*content)->flags &= ~ASN1_STRING_FLAG_CONT;

    if (ngx_http_autodiscover_sign_attrs(log, signer, si, in) != NGX_OK) {
        goto done;
    }

    len = i2d_CMS_ContentInfo(cms, NULL);

    if (len <= 0) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: i2d_CMS_ContentInfo() failed");
        goto done;
    }

    out->data = ngx_pnalloc(pool, len);
    if (out->data == NULL) {
        goto done;
    }

    p = out->data;
    out->len = i2d_CMS_ContentInfo(cms, &p);

    rc = NGX_OK;

done:

    CMS_ContentInfo_free(cms);

    return rc;
}


/*
 * the content type and the message digest among the signed attributes
 * (CMS_add1_signer() added the S/MIME capabilities), and the signature of
 * their DER, a SET OF Attribute as RFC 5652 5.4 says
 */

static ngx_int_t
ngx_http_autodiscover_sign_attrs(ngx_log_t *log,
    ngx_http_autodiscover_signer_t *signer, CMS_SignerInfo *si,
    ngx_str_t *in)
{
    int                        i, n, len;
    size_t                     siglen;
    u_char                    *der, *sig, md[EVP_MAX_MD_SIZE];
    ngx_int_t                  rc;
    EVP_MD_CTX                *mctx;
    unsigned int               mdlen;
    STACK_OF(X509_ATTRIBUTE)  *attrs;

    if (!EVP_Digest(in->data, in->len, md, &mdlen, EVP_sha256(), NULL)) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: EVP_Digest() failed");
        return NGX_ERROR;
    }

    if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                     OBJ_nid2obj(NID_pkcs7_data), -1)
        || !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
                                        V_ASN1_OCTET_STRING, md, (int) mdlen))
    {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: CMS_signed_add1_attr_by_NID() failed");
        return NGX_ERROR;
    }

    /* the signer's own attributes, borrowed: encoded, not freed */

    attrs = sk_X509_ATTRIBUTE_new_null();
    if (attrs == NULL) {
        return NGX_ERROR;
    }

    n = CMS_signed_get_attr_count(si);

    for (i = 0; i < n; i++) {
        if (sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i)) == 0) {
            sk_X509_ATTRIBUTE_free(attrs);
            return NGX_ERROR;
        }
    }

    der = NULL;
    len = ASN1_item_i2d((ASN1_VALUE *) attrs, &der,
                        ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));

    sk_X509_ATTRIBUTE_free(attrs);

    if (len <= 0) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: ASN1_item_i2d() failed");
        return NGX_ERROR;
    }

    rc = NGX_ERROR;
    sig = NULL;

    mctx = EVP_MD_CTX_new();
    if (mctx == NULL) {
        goto done;
    }

    if (EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, signer->key) <= 0
        || EVP_DigestSignUpdate(mctx, der, len) <= 0
        || EVP_DigestSignFinal(mctx, NULL, &siglen) <= 0)
    {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: EVP_DigestSign() failed");
        goto done;
    }

    sig = OPENSSL_malloc(siglen);
    if (sig == NULL) {
        goto done;
    }

    if (EVP_DigestSignFinal(mctx, sig, &siglen) <= 0) {
        ngx_ssl_error(NGX_LOG_ALERT, log, 0,
                      "autodiscover: EVP_DigestSignFinal() failed");
        goto done;
    }

    /* the signature's octet string takes sig over */

    ASN1_STRING_set0(CMS_SignerInfo_get0_signature(si), sig, (int) siglen);
    sig = NULL;

    rc = NGX_OK;

done:

    if (sig != NULL) {
        OPENSSL_free(sig);
    }

    EVP_MD_CTX_free(mctx);
    OPENSSL_free(der);

    return rc;
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

/*
 * keys.c - the key ring: HKDF-SHA256 (RFC 5869) of each FlashMsgSecret into
 * a MAC key and an encryption key, done once at configuration time.
 */
#include <string.h>

#include <apr_strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keys.h"

#define FM_HKDF_SALT     "mod_flashmsg"
#define FM_HKDF_INFO_MAC "mod_flashmsg cookie mac v1"
#define FM_HKDF_INFO_ENC "mod_flashmsg cookie enc v1"

#define SHA256_BLOCK 64

static apr_status_t keyring_wipe(void *data)
{
    fm_keyring *kr = data;
    int i;
    if (kr->keys && kr->nkeys > 0) {
        for (i = 0; i < kr->nkeys; i++) {
            EVP_MD_CTX_free(kr->keys[i].hmac_inner);   /* cleanses the state */
            EVP_MD_CTX_free(kr->keys[i].hmac_outer);
        }
        OPENSSL_cleanse(kr->keys, (size_t)kr->nkeys * sizeof(fm_key));
    }
    return APR_SUCCESS;
}

/* The two SHA-256 states HMAC starts from: H(key^ipad ...), H(key^opad ...). */
static int hmac_prepare(EVP_MD *md, fm_key *k)
{
    unsigned char pad[SHA256_BLOCK];
    int j, ok;
    EVP_MD_CTX *in = EVP_MD_CTX_new(), *out = EVP_MD_CTX_new();

    k->hmac_inner = in;
    k->hmac_outer = out;
    if (!in || !out)
        return -1;
    memset(pad, 0x36, sizeof(pad));
    for (j = 0; j < FM_KEY_LEN; j++)
        pad[j] ^= k->mac[j];
    ok = EVP_DigestInit_ex(in, md, NULL) == 1
         && EVP_DigestUpdate(in, pad, sizeof(pad)) == 1;
    memset(pad, 0x5c, sizeof(pad));
    for (j = 0; j < FM_KEY_LEN; j++)
        pad[j] ^= k->mac[j];
    ok = ok && EVP_DigestInit_ex(out, md, NULL) == 1
         && EVP_DigestUpdate(out, pad, sizeof(pad)) == 1;
    OPENSSL_cleanse(pad, sizeof(pad));
    return ok ? 0 : -1;
}

int fm_key_hmac(const fm_key *k, const unsigned char *msg, apr_size_t len,
                unsigned char *out)
{
    unsigned char inner[32];
    unsigned int n = 0;
    int ok;
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    if (!c)
        return -1;
    ok = EVP_MD_CTX_copy_ex(c, k->hmac_inner) == 1
         && EVP_DigestUpdate(c, msg, len) == 1
         && EVP_DigestFinal_ex(c, inner, &n) == 1 && n == sizeof(inner)
         && EVP_MD_CTX_copy_ex(c, k->hmac_outer) == 1
         && EVP_DigestUpdate(c, inner, sizeof(inner)) == 1
         && EVP_DigestFinal_ex(c, out, &n) == 1 && n == 32;
    EVP_MD_CTX_free(c);
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok ? 0 : -1;
}

/* HKDF-SHA256(ikm, salt, info) -> out[FM_KEY_LEN].  Returns 0 on success. */
static int hkdf_sha256(EVP_KDF *kdf, const char *ikm, size_t ikm_len,
                       const char *info, unsigned char *out)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    EVP_KDF_CTX *kctx;
    int ok;

    kctx = EVP_KDF_CTX_new(kdf);
    if (!kctx)
        return -1;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 digest, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  (void *)ikm, ikm_len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                  (void *)FM_HKDF_SALT,
                                                  sizeof(FM_HKDF_SALT) - 1);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                  (void *)info, strlen(info));
    params[4] = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kctx, out, FM_KEY_LEN, params) == 1;
    EVP_KDF_CTX_free(kctx);
    return ok ? 0 : -1;
}

const char *fm_keyring_make(apr_pool_t *p, const char *const *secrets, int n,
                            fm_keyring **out)
{
    fm_keyring *kr;
    EVP_KDF *kdf;
    EVP_MD *md;
    int i;

    if (out)
        *out = NULL;
    if (n < 1 || !secrets)
        return "at least one secret is required";
    for (i = 0; i < n; i++) {
        apr_size_t len = secrets[i] ? strlen(secrets[i]) : 0;
        if (len < FM_SECRET_MIN) {
            /* Never echo the secret itself. */
            if (n == 1)
                return apr_psprintf(p, "the secret is %"
                                    APR_SIZE_T_FMT " bytes long; at least %d "
                                    "bytes are required", len, FM_SECRET_MIN);
            return apr_psprintf(p, "secret %d of %d is %"
                                APR_SIZE_T_FMT " bytes long; at least %d "
                                "bytes are required", i + 1, n, len,
                                FM_SECRET_MIN);
        }
    }

    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (!kdf)
        return "HKDF is not available from OpenSSL";
    md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!md) {
        EVP_KDF_free(kdf);
        return "SHA-256 is not available from OpenSSL";
    }

    kr = apr_pcalloc(p, sizeof(*kr));
    kr->keys = apr_pcalloc(p, (apr_size_t)n * sizeof(fm_key));
    kr->nkeys = n;
    /* Registered before deriving, so even a failed derivation is wiped. */
    apr_pool_cleanup_register(p, kr, keyring_wipe, apr_pool_cleanup_null);

    for (i = 0; i < n; i++) {
        size_t len = strlen(secrets[i]);
        if (hkdf_sha256(kdf, secrets[i], len, FM_HKDF_INFO_MAC,
                        kr->keys[i].mac) != 0
            || hkdf_sha256(kdf, secrets[i], len, FM_HKDF_INFO_ENC,
                           kr->keys[i].enc) != 0
            || hmac_prepare(md, &kr->keys[i]) != 0) {
            EVP_KDF_free(kdf);
            EVP_MD_free(md);
            keyring_wipe(kr);
            return "key derivation (HKDF-SHA256) failed";
        }
    }
    EVP_KDF_free(kdf);
    EVP_MD_free(md);
    if (out)
        *out = kr;
    return NULL;
}

/*
 * keys.c - the key ring: HKDF-SHA256 (RFC 5869) of each FlashMsgSecret into
 * a MAC key and an encryption key, done once at configuration time.
 */
#include <string.h>

#include <apr_strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keys.h"

#define FM_HKDF_SALT     "mod_flashmsg"
#define FM_HKDF_INFO_MAC "mod_flashmsg cookie mac v1"
#define FM_HKDF_INFO_ENC "mod_flashmsg cookie enc v1"

static apr_status_t keyring_wipe(void *data)
{
    fm_keyring *kr = data;
    if (kr->keys && kr->nkeys > 0)
        OPENSSL_cleanse(kr->keys, (size_t)kr->nkeys * sizeof(fm_key));
    return APR_SUCCESS;
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
                           kr->keys[i].enc) != 0) {
            EVP_KDF_free(kdf);
            keyring_wipe(kr);
            return "key derivation (HKDF-SHA256) failed";
        }
    }
    EVP_KDF_free(kdf);
    if (out)
        *out = kr;
    return NULL;
}

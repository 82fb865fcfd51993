/*
 * keys.c - the key ring: HKDF-SHA256 (RFC 5869) of each FlashMsgSecret into
 * a MAC key and an encryption key, done once at configuration time.
 */
#include <string.h>

#include <apr_strings.h>

#include "keys.h"   /* first: openssl_api.h checks the OpenSSL release */

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

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

/* One HMAC pad state: SHA-256 after absorbing the key XORed into a block of
 * `fill` (0x36 inner, 0x5c outer), RFC 2104. */
static int hmac_pad_state(const fm_key *k, unsigned char fill, SHA256_CTX *state)
{
    unsigned char pad[SHA256_CBLOCK];
    int j, ok;

    memset(pad, fill, sizeof(pad));
    for (j = 0; j < FM_KEY_LEN; j++)
        pad[j] ^= k->mac[j];
    ok = SHA256_Init(state) == 1 && SHA256_Update(state, pad, sizeof(pad)) == 1;
    OPENSSL_cleanse(pad, sizeof(pad));
    return ok ? 0 : -1;
}

int fm_key_hmac(const fm_key *k, const unsigned char *msg, apr_size_t len,
                unsigned char *out)
{
    unsigned char inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX c = k->hmac_inner;
    int ok;

    ok = SHA256_Update(&c, msg, len) == 1 && SHA256_Final(inner, &c) == 1;
    c = k->hmac_outer;
    ok = ok && SHA256_Update(&c, inner, sizeof(inner)) == 1
         && SHA256_Final(out, &c) == 1;
    /* c ends holding the MAC itself (SHA256_Final wipes its block buffer),
     * so only the inner digest needs wiping. */
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok ? 0 : -1;
}

/* HKDF-SHA256(ikm, salt, info) -> out[FM_KEY_LEN] through EVP_PKEY_derive,
 * the interface OpenSSL 1.1.1 and 3.x both offer.  Returns 0 on success. */
static int hkdf_sha256(const char *ikm, size_t ikm_len, const char *info,
                       unsigned char *out)
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t outlen = FM_KEY_LEN;
    int ok;

    if (!kctx)
        return -1;
    ok = EVP_PKEY_derive_init(kctx) == 1
         && EVP_PKEY_CTX_set_hkdf_md(kctx, EVP_sha256()) == 1
         && EVP_PKEY_CTX_set1_hkdf_salt(kctx, (unsigned char *)FM_HKDF_SALT,
                                        (int)sizeof(FM_HKDF_SALT) - 1) == 1
         && EVP_PKEY_CTX_set1_hkdf_key(kctx, (unsigned char *)ikm,
                                       (int)ikm_len) == 1
         && EVP_PKEY_CTX_add1_hkdf_info(kctx, (unsigned char *)info,
                                        (int)strlen(info)) == 1
         && EVP_PKEY_derive(kctx, out, &outlen) == 1
         && outlen == FM_KEY_LEN;
    EVP_PKEY_CTX_free(kctx);
    return ok ? 0 : -1;
}

const char *fm_keyring_make(apr_pool_t *p, const char *const *secrets, int n,
                            fm_keyring **out)
{
    fm_keyring *kr;
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

    kr = apr_pcalloc(p, sizeof(*kr));
    kr->keys = apr_pcalloc(p, (apr_size_t)n * sizeof(fm_key));
    kr->nkeys = n;
    /* Registered before deriving, so even a failed derivation is wiped. */
    apr_pool_cleanup_register(p, kr, keyring_wipe, apr_pool_cleanup_null);

    for (i = 0; i < n; i++) {
        fm_key *k = &kr->keys[i];
        size_t len = strlen(secrets[i]);
        if (hkdf_sha256(secrets[i], len, FM_HKDF_INFO_MAC, k->mac) != 0
            || hkdf_sha256(secrets[i], len, FM_HKDF_INFO_ENC, k->enc) != 0
            || hmac_pad_state(k, 0x36, &k->hmac_inner) != 0
            || hmac_pad_state(k, 0x5c, &k->hmac_outer) != 0) {
            keyring_wipe(kr);
            return "key derivation (HKDF-SHA256) failed";
        }
    }
    if (out)
        *out = kr;
    return NULL;
}

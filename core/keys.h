/*
 * keys.h - the key ring derived from FlashMsgSecret: for each secret, a MAC
 * key and an encryption key, both derived once (at configuration time)
 * with HKDF-SHA256 under distinct labels.  The first secret signs and
 * encrypts; every secret verifies and decrypts (rotation).
 */
#ifndef FM_KEYS_H
#define FM_KEYS_H

#include <apr_pools.h>

#include "openssl_api.h"
#include <openssl/sha.h>

#define FM_KEY_LEN 32
#define FM_SECRET_MIN 32

typedef struct {
    unsigned char mac[FM_KEY_LEN];
    unsigned char enc[FM_KEY_LEN];
    /* SHA-256 states after absorbing mac^ipad and mac^opad, prepared once
     * so that a MAC costs two struct copies: no allocation, no provider
     * context to duplicate (EVP_MD_CTX_copy_ex does both on OpenSSL 3), and
     * no pad blocks hashed again per request. */
    SHA256_CTX hmac_inner;
    SHA256_CTX hmac_outer;
} fm_key;

typedef struct fm_keyring {
    int nkeys;
    fm_key *keys;          /* keys[0] is current */
} fm_keyring;

/*
 * Derive a key ring from n secrets of at least FM_SECRET_MIN bytes each.
 * Returns NULL and sets *out, or returns an error message.
 * Key memory is wiped when p is cleared.  Works the same on OpenSSL 1.1.1
 * and 3.x (tests/unit/core/test_cookie_codec.c holds fixed vectors).
 */
const char *fm_keyring_make(apr_pool_t *p, const char *const *secrets, int n,
                            fm_keyring **out);

/* HMAC-SHA256(k->mac, msg) into out[32]; returns 0 on success.  Safe to
 * call from many threads at once (the prepared states are only copied). */
int fm_key_hmac(const fm_key *k, const unsigned char *msg, apr_size_t len,
                unsigned char *out);

#endif

/*
 * keys.h - the key ring derived from FlashMsgSecret: for each secret, a MAC
 * key and an encryption key, both derived once (at configuration time)
 * with HKDF-SHA256 under distinct labels.  The first secret signs and
 * encrypts; every secret verifies and decrypts (rotation).
 */
#ifndef FM_KEYS_H
#define FM_KEYS_H

#include <apr_pools.h>

#define FM_KEY_LEN 32
#define FM_SECRET_MIN 32

typedef struct {
    unsigned char mac[FM_KEY_LEN];
    unsigned char enc[FM_KEY_LEN];
} fm_key;

typedef struct fm_keyring {
    int nkeys;
    fm_key *keys;          /* keys[0] is current */
} fm_keyring;

/*
 * Derive a key ring from n secrets of at least FM_SECRET_MIN bytes each.
 * Returns NULL and sets *out, or returns an error message.
 * Key memory is wiped when p is cleared.
 */
const char *fm_keyring_make(apr_pool_t *p, const char *const *secrets, int n,
                            fm_keyring **out);

#endif

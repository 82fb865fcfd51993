/*
 * cookie_codec.h - the pending messages as a cookie value: compact binary
 * serialization, HMAC-SHA256 signature or AES-256-GCM encryption, base64url,
 * per message age, size fitting.  Server independent (APR + libcrypto).
 *
 * Value formats (ASCII, cookie-safe):
 *   signed     "s1." B64(payload) "." B64(HMAC-SHA256(k_mac, AD || 0x00 || "s1." B64(payload)))
 *   encrypted  "e1." B64(nonce[12] || ciphertext || tag[16])
 * where B64 is base64url without padding (decoding is strict: no padding,
 * no stray bits), AD binds the format and the cookie name, and k_mac/k_enc
 * are derived from each secret with HKDF-SHA256 (see keys.h).
 *
 * payload:
 *   byte    version (2; version 1, without usec, is still read)
 *   byte    flags (FM_COOKIE_CONTINUED, ...)
 *   varint  t0: creation time of the oldest message, seconds since epoch
 *   per message, oldest first:
 *     varint level, varint (created - t0), usec (3 bytes big endian,
 *     < 1000000: microseconds within the second, orders one second's messages),
 *     varint tags length, tags bytes, varint text length, text bytes
 * varint = unsigned LEB128, at most 10 bytes, minimal encoding required.
 */
#ifndef FM_COOKIE_CODEC_H
#define FM_COOKIE_CODEC_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "message.h"
#include "keys.h"

/* The cookie holds the oldest messages; newer ones continue in the session. */
#define FM_COOKIE_CONTINUED 0x01
/* The value holds no messages but a reference: one entry whose text is the
 * random id of a batch kept server side (socache storage). */
#define FM_COOKIE_REF       0x02

/* How far in the future a creation time may lie (clock skew between nodes). */
#define FM_CLOCK_SKEW 300

typedef struct {
    const char *cookie_name;   /* bound into the MAC / AEAD data */
    int encrypt;               /* 1: write and accept only "e1." values */
    apr_int64_t max_age;       /* seconds a message may stay pending */
} fm_codec_opts;

typedef enum {
    FM_DECODE_OK = 0,
    FM_DECODE_MALFORMED,      /* not our format, bad base64, bad payload */
    FM_DECODE_BAD_SIGNATURE,  /* MAC or AEAD tag does not verify under any key */
    FM_DECODE_WRONG_KIND,     /* signed value where encryption is on, or vice versa */
    FM_DECODE_FUTURE          /* creation time beyond now + FM_CLOCK_SKEW */
} fm_decode_status;

/*
 * Encode msgs[0..n) (n may be 0: an empty list with flags).  Never fails:
 * returns a NUL terminated value allocated from p.
 */
const char *fm_cookie_encode(apr_pool_t *p, const fm_keyring *kr,
                             const fm_codec_opts *o, const fm_message *msgs,
                             int n, unsigned flags, apr_int64_t now);

/* Exact length fm_cookie_encode() would produce, without any crypto. */
apr_size_t fm_cookie_encoded_len(const fm_codec_opts *o,
                                 const fm_message *msgs, int n);

/*
 * Decode and verify value[0..len).  On FM_DECODE_OK the messages that have
 * not expired (created + max_age >= now) are appended to out, *flags gets the
 * payload flags, *expired the number of messages dropped for age, and
 * *key_index the index of the secret that verified (0 = current).
 * On any other status nothing is appended.  Text and tags are re-validated
 * (UTF-8, no control characters) even under a valid signature.
 */
fm_decode_status fm_cookie_decode(apr_pool_t *p, const fm_keyring *kr,
                                  const fm_codec_opts *o, const char *value,
                                  apr_size_t len, apr_int64_t now,
                                  apr_array_header_t *out, unsigned *flags,
                                  int *expired, int *key_index);

const char *fm_decode_status_str(fm_decode_status s);

/* Has a message created at `created` (seconds) expired at `now` under
 * max_age (0: never)?  The rule fm_cookie_decode() drops messages by. */
int fm_cookie_expired(apr_int64_t created, apr_int64_t max_age,
                      apr_int64_t now);

/*
 * How many messages fit in max_len bytes of encoded value.  keep_newest:
 * the count is of the newest messages (msgs[n-k..n)); otherwise of the
 * oldest (msgs[0..k)).  Monotonic, found by bisection.
 */
int fm_cookie_fit(const fm_codec_opts *o, const fm_message *msgs, int n,
                  apr_size_t max_len, int keep_newest);

/* Strict base64url (no padding) helpers, exposed for tests and fuzzers. */
apr_size_t fm_b64url_encoded_len(apr_size_t n);
void fm_b64url_encode(char *dst, const unsigned char *src, apr_size_t n);
/* Returns decoded length, or -1 when src is not canonical base64url. */
long fm_b64url_decode(unsigned char *dst, const char *src, apr_size_t n);

#endif

/*
 * fixtures.h - what the unit tests (tests/unit/), the fuzz targets
 * (tests/fuzz/) and the codec benchmark (bench/codec_bench.c) build their
 * inputs from: secrets and key rings, codec options, message builders, a
 * comparison of message lists, and the raw-cookie forger (payloads written
 * byte by byte, then validly signed or encrypted by hand, independently of
 * core/cookie_codec.c, so that the payload parser is reached behind a
 * valid MAC or AEAD tag).
 *
 * APR and libcrypto only: no Check, no httpd types.  Nothing here can fail
 * on the inputs the tests give it; a broken invariant (a secret too short,
 * an OpenSSL failure) aborts with a message on stderr.
 */
#ifndef FM_TEST_FIXTURES_H
#define FM_TEST_FIXTURES_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "message.h"
#include "keys.h"
#include "cookie_codec.h"

/* Secrets of at least FM_SECRET_MIN bytes, all different. */
#define FX_SECRET_A "A-secret-of-at-least-32-bytes-long-0001"
#define FX_SECRET_B "B-secret-of-at-least-32-bytes-long-0002"
#define FX_SECRET_C "C-secret-of-at-least-32-bytes-long-0003"

#define FX_COOKIE_NAME "flashmsg"
/* A fixed "now" (seconds since the epoch) for deterministic tests. */
#define FX_NOW ((apr_int64_t)1700000000)

/* ------------------------------------------------------------------ */
/* APR                                                                  */

/* APR initialised once and a pool that lives for the whole process (the
 * fuzz targets and the benchmark; unit tests use a pool per test). */
apr_pool_t *fx_process_pool(void);

/* The level vocabulary the header-parser fuzz targets parse against: the
 * built-in levels plus "notice" (35) and "Trace" (5, mixed case). */
fm_levels *fx_fuzz_levels(apr_pool_t *p);

/* ------------------------------------------------------------------ */
/* Key rings and codec options                                          */

/* A key ring from the given secrets, current first, NULL terminated:
 * fx_keyring(p, FX_SECRET_B, FX_SECRET_A, NULL). */
fm_keyring *fx_keyring(apr_pool_t *p, const char *current, ...);

fm_codec_opts fx_opts(const char *cookie_name, int encrypt,
                      apr_int64_t max_age);

/* ------------------------------------------------------------------ */
/* Messages                                                             */

fm_message fx_msg(int level, const char *text, const char *extra_tags,
                  apr_int64_t created);
/* An empty list of fm_message. */
apr_array_header_t *fx_list(apr_pool_t *p);

/* n messages with varied levels (0, INT_MAX, custom ones), texts (UTF-8,
 * markup, TAB), extra tags and increasing creation times from now - 1000. */
fm_message *fx_msgs_varied(apr_pool_t *p, int n, apr_int64_t now);
/* n FM_INFO messages without tags, message i of lens[i] bytes of the
 * letter 'a' + i % 26, created at t0 + i * step. */
fm_message *fx_msgs_sized(apr_pool_t *p, int n, const apr_size_t *lens,
                          apr_int64_t t0, apr_int64_t step);
/* The same with every message size bytes long. */
fm_message *fx_msgs_uniform(apr_pool_t *p, int n, apr_size_t size,
                            apr_int64_t t0, apr_int64_t step);
/* n copies of a typical message (success, "Your profile was saved
 * successfully.", every other one tagged "sticky"), created at t. */
fm_message *fx_msgs_typical(apr_pool_t *p, int n, apr_int64_t t);

/* NULL when got holds exactly want[0..n) (level, text, extra tags,
 * creation time), else what differs first. */
const char *fx_messages_differ(apr_pool_t *p, const fm_message *want, int n,
                               const apr_array_header_t *got);

/* ------------------------------------------------------------------ */
/* The raw-cookie forger                                                */

/* A cookie payload (cookie_codec.h) under construction. */
typedef struct {
    unsigned char d[4096];
    apr_size_t n;
} fx_payload;

void fx_put_byte(fx_payload *b, unsigned c);
/* Unsigned LEB128, minimal. */
void fx_put_var(fx_payload *b, apr_uint64_t v);
/* A varint length, then n bytes of s. */
void fx_put_str(fx_payload *b, const char *s, apr_size_t n);
/* Start over with the header: version 1, flags 0, t0. */
void fx_put_head(fx_payload *b, apr_uint64_t t0);
/* One message: level, delta from t0, tags, text. */
void fx_put_msg(fx_payload *b, apr_uint64_t level, apr_uint64_t delta,
                const char *tags, const char *text);

/* base64url without padding, NUL terminated. */
char *fx_b64(apr_pool_t *p, const unsigned char *d, apr_size_t n);

/* "s1." B64(payload) "." B64(HMAC) under key key_index of kr, bound to
 * cookie_name (NULL as the codec takes it: no name). */
const char *fx_forge_signed(apr_pool_t *p, const fm_keyring *kr,
                            int key_index, const char *cookie_name,
                            const unsigned char *payload, apr_size_t len);
/* "e1." B64(nonce || AES-256-GCM(payload) || tag) under key key_index. */
const char *fx_forge_encrypted(apr_pool_t *p, const fm_keyring *kr,
                               int key_index, const char *cookie_name,
                               const unsigned char *payload, apr_size_t len);

#endif

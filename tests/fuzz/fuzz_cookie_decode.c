/*
 * fuzz_cookie_decode.c - libFuzzer target for the cookie codec.
 *
 * Each input is used four ways:
 *   1. as a cookie value, decoded as signed and as encrypted;
 *   2. as a raw payload, wrapped in a valid signature (forged by hand with
 *      tests/common/fixtures.c) so that the payload parser is reached
 *      despite the MAC;
 *   3. the same raw payload, wrapped in valid AES-256-GCM;
 *   4. as base64url text: whatever decodes must re-encode to the same text.
 * Whenever a decode succeeds, the messages are re-encoded and decoded again
 * and must come back identical.
 */
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "cookie_codec.h"
#include "../common/fixtures.h"

#define NAME FX_COOKIE_NAME
#define NOW  FX_NOW

static apr_pool_t *root;
static fm_keyring *ring;        /* [current, old] */

#define CHECK(c) do { if (!(c)) { \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
        abort(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    root = fx_process_pool();
    ring = fx_keyring(root, FX_SECRET_A, FX_SECRET_B, NULL);
    return 0;
}

/* Decode value[0..len) (not NUL terminated); on success, round-trip it. */
static void check_value(apr_pool_t *p, const char *value, size_t len,
                        int encrypt, apr_int64_t now, apr_int64_t max_age)
{
    fm_codec_opts o;
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(fm_message));
    apr_array_header_t *again;
    unsigned flags = 0, flags2 = 0;
    int expired = 0, key = -1, expired2 = -1, key2 = -1, i;
    fm_decode_status st;
    const fm_message *m;
    const char *v;

    o.cookie_name = NAME;
    o.encrypt = encrypt;
    o.max_age = max_age;
    st = fm_cookie_decode(p, ring, &o, value, len, now, out, &flags,
                          &expired, &key);
    CHECK(fm_decode_status_str(st) != NULL);
    if (st != FM_DECODE_OK) {
        CHECK(out->nelts == 0);
        return;
    }
    CHECK(key == 0 || key == 1);
    CHECK(flags <= 0xFF);
    CHECK(expired >= 0);
    m = (const fm_message *)out->elts;
    for (i = 0; i < out->nelts; i++) {
        CHECK(m[i].level >= 0);
        CHECK(m[i].created >= 0);
        CHECK(m[i].text[0] != '\0');
        CHECK(fm_text_valid(m[i].text, strlen(m[i].text)));
        CHECK(fm_text_valid(m[i].extra_tags, strlen(m[i].extra_tags)));
    }

    v = fm_cookie_encode(p, ring, &o, m, out->nelts, flags, now);
    CHECK(strlen(v) == fm_cookie_encoded_len(&o, m, out->nelts));
    again = apr_array_make(p, 4, sizeof(fm_message));
    st = fm_cookie_decode(p, ring, &o, v, strlen(v), now, again, &flags2,
                          &expired2, &key2);
    CHECK(st == FM_DECODE_OK);
    CHECK(flags2 == flags);
    CHECK(expired2 == 0);
    CHECK(key2 == 0);
    CHECK(fx_messages_differ(p, m, out->nelts, again) == NULL);
    /* fit agrees with the encoded length */
    {
        int k = fm_cookie_fit(&o, m, out->nelts, strlen(v), (int)(len & 1));
        CHECK(k == out->nelts);
        if (out->nelts > 0) {
            k = fm_cookie_fit(&o, m, out->nelts, strlen(v) - 1, 1);
            CHECK(k < out->nelts);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    int k = (int)(size & 1);
    const char *v;

    if (size > (1 << 20))
        return 0;
    apr_pool_create(&p, root);

    /* 1. the input as a cookie value */
    check_value(p, (const char *)data, size, 0, NOW, 86400);
    check_value(p, (const char *)data, size, 1, NOW, 86400);

    /* 2, 3. the input as a payload behind valid authentication */
    v = fx_forge_signed(p, ring, k, NAME, data, size);
    check_value(p, v, strlen(v), 0, NOW, 86400);
    check_value(p, v, strlen(v), 0, APR_INT64_MAX, 0);
    check_value(p, v, strlen(v), 0, APR_INT64_MIN, APR_INT64_MAX);
    v = fx_forge_encrypted(p, ring, k, NAME, data, size);
    check_value(p, v, strlen(v), 1, NOW, 86400);
    check_value(p, v, strlen(v), 1, APR_INT64_MAX, 1);

    /* 4. strict base64url is canonical */
    {
        unsigned char *dst = apr_palloc(p, size / 4 * 3 + 3);
        long n = fm_b64url_decode(dst, (const char *)data, size);
        if (n >= 0) {
            char *back = fx_b64(p, dst, (size_t)n);
            CHECK(strlen(back) == size);
            CHECK(memcmp(back, data, size) == 0);
        }
    }

    apr_pool_destroy(p);
    return 0;
}

/*
 * fuzz_cookie_decode.c - libFuzzer target for the cookie codec.
 *
 * Each input is used four ways:
 *   1. as a cookie value, decoded as signed and as encrypted;
 *   2. as a raw payload, wrapped in a valid signature (made here by hand)
 *      so that the payload parser is reached despite the MAC;
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

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cookie_codec.h"

#define NAME "flashmsg"
#define NOW  ((apr_int64_t)1700000000)

static apr_pool_t *root;
static fm_keyring *ring;        /* [current, old] */
/* The key ring lives for the whole run in an APR pool, whose blocks
 * LeakSanitizer does not scan; the OpenSSL contexts it owns (prepared HMAC
 * states) are kept reachable from here so they are not reported. */
static void *keep_reachable[4];

#define CHECK(c) do { if (!(c)) { \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
        abort(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const secrets[] = {
        "fuzz-current-secret-0123456789abcdef",
        "fuzz-old-secret-0123456789abcdef-xyz",
    };
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    if (fm_keyring_make(root, secrets, 2, &ring) != NULL)
        abort();
    keep_reachable[0] = ring->keys[0].hmac_inner;
    keep_reachable[1] = ring->keys[0].hmac_outer;
    keep_reachable[2] = ring->keys[1].hmac_inner;
    keep_reachable[3] = ring->keys[1].hmac_outer;
    return 0;
}

static void same_messages(const apr_array_header_t *a,
                          const apr_array_header_t *b)
{
    const fm_message *x = (const fm_message *)a->elts;
    const fm_message *y = (const fm_message *)b->elts;
    int i;
    CHECK(a->nelts == b->nelts);
    for (i = 0; i < a->nelts; i++) {
        CHECK(x[i].level == y[i].level);
        CHECK(x[i].created == y[i].created);
        CHECK(strcmp(x[i].text, y[i].text) == 0);
        CHECK(strcmp(x[i].extra_tags, y[i].extra_tags) == 0);
    }
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
    same_messages(out, again);
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

static char *b64(apr_pool_t *p, const unsigned char *d, size_t n)
{
    size_t l = fm_b64url_encoded_len(n);
    char *s = apr_palloc(p, l + 1);
    fm_b64url_encode(s, d, n);
    s[l] = '\0';
    return s;
}

/* A valid signature (under ring key `k`) around an arbitrary payload. */
static const char *sign_raw(apr_pool_t *p, int k, const unsigned char *pl,
                            size_t plen)
{
    static const char ad[] = "mod_flashmsg v1 signed " NAME;   /* + NUL */
    const char *body = apr_pstrcat(p, "s1.", b64(p, pl, plen), NULL);
    size_t bl = strlen(body);
    unsigned char *in = apr_palloc(p, sizeof(ad) + bl);
    unsigned char mac[32];
    unsigned int ml = 0;
    memcpy(in, ad, sizeof(ad));
    memcpy(in + sizeof(ad), body, bl);
    if (!HMAC(EVP_sha256(), ring->keys[k].mac, FM_KEY_LEN, in,
              sizeof(ad) + bl, mac, &ml))
        abort();
    return apr_pstrcat(p, body, ".", b64(p, mac, 32), NULL);
}

/* A valid AES-256-GCM box (under ring key `k`) around a payload. */
static const char *encrypt_raw(apr_pool_t *p, int k, const unsigned char *pl,
                               size_t plen)
{
    static const char aad[] = "mod_flashmsg v1 encrypted " NAME;
    unsigned char *bin = apr_palloc(p, 12 + plen + 16 + 16);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l = 0, ok;
    memset(bin, 0x5A, 12);
    ok = ctx
         && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL,
                               ring->keys[k].enc, bin) == 1
         && EVP_EncryptUpdate(ctx, NULL, &l, (const unsigned char *)aad,
                              (int)(sizeof(aad) - 1)) == 1
         && EVP_EncryptUpdate(ctx, bin + 12, &l, pl, (int)plen) == 1
         && EVP_EncryptFinal_ex(ctx, bin + 12 + l, &l) == 1
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
                                bin + 12 + plen) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        abort();
    return apr_pstrcat(p, "e1.", b64(p, bin, 12 + plen + 16), NULL);
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
    v = sign_raw(p, k, data, size);
    check_value(p, v, strlen(v), 0, NOW, 86400);
    check_value(p, v, strlen(v), 0, APR_INT64_MAX, 0);
    check_value(p, v, strlen(v), 0, APR_INT64_MIN, APR_INT64_MAX);
    v = encrypt_raw(p, k, data, size);
    check_value(p, v, strlen(v), 1, NOW, 86400);
    check_value(p, v, strlen(v), 1, APR_INT64_MAX, 1);

    /* 4. strict base64url is canonical */
    {
        unsigned char *dst = apr_palloc(p, size / 4 * 3 + 3);
        long n = fm_b64url_decode(dst, (const char *)data, size);
        if (n >= 0) {
            char *back = b64(p, dst, (size_t)n);
            CHECK(strlen(back) == size);
            CHECK(memcmp(back, data, size) == 0);
        }
    }

    apr_pool_destroy(p);
    return 0;
}

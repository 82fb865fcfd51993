/*
 * test_cookie_codec.c - key ring, base64url, payload, signed and encrypted
 * cookie values, age, tampering, rotation, size fitting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "unit.h"
#include "../../common/fixtures.h"

#define SECRET_A FX_SECRET_A
#define SECRET_B FX_SECRET_B
#define SECRET_C FX_SECRET_C
#define NOW      FX_NOW

/* ---------------------------------------------------------------- */
/* helpers (the shared ones are in tests/common/fixtures.h)           */
/* ---------------------------------------------------------------- */

/* A key ring of the first n of s0, s1, s2. */
static fm_keyring *ring(int n, const char *s0, const char *s1,
                        const char *s2)
{
    fm_keyring *kr = fx_keyring(ut_pool, s0, n > 1 ? s1 : NULL,
                                n > 2 ? s2 : NULL, NULL);
    ck_assert_int_eq(kr->nkeys, n);
    return kr;
}

/*
 * Decode from an exact-size heap copy (no NUL terminator, so ASan sees any
 * read past the end).
 */
static fm_decode_status dec(const fm_keyring *kr, const fm_codec_opts *o,
                            const char *v, apr_size_t len, apr_int64_t now,
                            apr_array_header_t *out, unsigned *flags,
                            int *expired, int *key)
{
    char *copy = malloc(len ? len : 1);
    fm_decode_status st;
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, v, len);
    st = fm_cookie_decode(ut_pool, kr, o, copy, len, now, out, flags,
                          expired, key);
    free(copy);
    return st;
}

static fm_decode_status dec_str(const fm_keyring *kr, const fm_codec_opts *o,
                                const char *v, apr_array_header_t *out)
{
    unsigned fl;
    int ex, key;
    return dec(kr, o, v, strlen(v), NOW, out, &fl, &ex, &key);
}

static apr_array_header_t *new_list(void)
{
    return fx_list(ut_pool);
}

static void assert_same(const fm_message *want, int n,
                        const apr_array_header_t *got)
{
    const char *why = fx_messages_differ(ut_pool, want, n, got);
    ck_assert_msg(why == NULL, "%s", why);
}

/* ---------------------------------------------------------------- */
/* key ring                                                           */
/* ---------------------------------------------------------------- */

START_TEST(keyring_errors)
{
    const char *one[] = { SECRET_A };
    const char *shrt[] = { "0123456789012345678901234567890" };   /* 31 */
    const char *second_short[] = { SECRET_A, "short" };
    const char *nul[] = { SECRET_A, NULL };
    const char *exact[] = { "01234567890123456789012345678901" }; /* 32 */
    fm_keyring *kr = (fm_keyring *)1;
    const char *err;

    err = fm_keyring_make(ut_pool, one, 0, &kr);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(kr);
    ck_assert_ptr_nonnull(strstr(err, "at least one"));
    err = fm_keyring_make(ut_pool, one, -1, &kr);
    ck_assert_ptr_nonnull(err);
    err = fm_keyring_make(ut_pool, NULL, 1, &kr);
    ck_assert_ptr_nonnull(err);

    err = fm_keyring_make(ut_pool, shrt, 1, &kr);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(kr);
    ck_assert_ptr_nonnull(strstr(err, "32"));
    ck_assert_ptr_null(strstr(err, shrt[0]));        /* secret not echoed */

    err = fm_keyring_make(ut_pool, second_short, 2, &kr);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "secret 2"));
    ck_assert_ptr_null(strstr(err, "short"));
    err = fm_keyring_make(ut_pool, nul, 2, &kr);
    ck_assert_ptr_nonnull(err);

    err = fm_keyring_make(ut_pool, exact, 1, &kr);
    ck_assert_ptr_null(err);
    ck_assert_ptr_nonnull(kr);
    ck_assert_int_eq(kr->nkeys, 1);
}
END_TEST

/* HKDF-SHA256 computed independently from RFC 5869 with plain HMAC. */
static void hkdf_ref(const char *secret, const char *info, unsigned char *out)
{
    unsigned char prk[32], in[128];
    unsigned int l = 0;
    apr_size_t il = strlen(info);
    HMAC(EVP_sha256(), "mod_flashmsg", 12, (const unsigned char *)secret,
         strlen(secret), prk, &l);
    memcpy(in, info, il);
    in[il] = 0x01;
    HMAC(EVP_sha256(), prk, 32, in, il + 1, out, &l);
}

START_TEST(keyring_derivation)
{
    fm_keyring *kr = ring(3, SECRET_A, SECRET_B, SECRET_A);
    unsigned char want[32];
    int i;

    ck_assert_int_eq(kr->nkeys, 3);
    for (i = 0; i < 2; i++) {
        const char *s = i == 0 ? SECRET_A : SECRET_B;
        hkdf_ref(s, "mod_flashmsg cookie mac v1", want);
        ck_assert_mem_eq(kr->keys[i].mac, want, 32);
        hkdf_ref(s, "mod_flashmsg cookie enc v1", want);
        ck_assert_mem_eq(kr->keys[i].enc, want, 32);
    }
    ck_assert(memcmp(kr->keys[0].mac, kr->keys[0].enc, 32) != 0);
    ck_assert(memcmp(kr->keys[0].mac, kr->keys[1].mac, 32) != 0);
    ck_assert_mem_eq(kr->keys[0].mac, kr->keys[2].mac, 32);   /* determinism */
}
END_TEST

/*
 * Fixed vectors, computed once outside this code base (Python's hmac and
 * hashlib: HKDF-SHA256 per RFC 5869, then HMAC-SHA256), so that the same
 * bytes must come out whichever OpenSSL release the module is built
 * against (1.1.1 on Debian 11 and RHEL 8, 3.x elsewhere).
 */
static void hex_to(unsigned char *out, const char *hex)
{
    apr_size_t i;
    for (i = 0; hex[2 * i]; i++) {
        unsigned int b;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
        out[i] = (unsigned char)b;
    }
}

START_TEST(keyring_fixed_vectors)
{
    fm_keyring *kr = ring(1, "A-secret-of-at-least-32-bytes-long-0001", NULL, NULL);
    unsigned char want[32], got[32], block[100];
    const char *ad = "flashmsg";
    unsigned char msg[32];
    apr_size_t i, adl = strlen(ad) + 1;

    hex_to(want, "62221ba7f0cf05bb2238628678ef9f92388d09b461337ea6fa09fe582684c872");
    ck_assert_mem_eq(kr->keys[0].mac, want, 32);
    hex_to(want, "e512009df92d2d7eb9ab234a18b58c415ec0aa446aeabd31585e28a75bf9f448");
    ck_assert_mem_eq(kr->keys[0].enc, want, 32);

    /* a message shorter than one SHA-256 block: "flashmsg\0s1.payload" */
    memcpy(msg, ad, adl);
    memcpy(msg + adl, "s1.payload", 10);
    ck_assert_int_eq(fm_key_hmac(&kr->keys[0], msg, adl + 10, got), 0);
    hex_to(want, "363999e7a9d3c3bb0d274b628c9bd8b9847dff88899ed8ab4e92c06e8fe42c77");
    ck_assert_mem_eq(got, want, 32);
    /* one longer than a block: bytes 0..99 */
    for (i = 0; i < sizeof(block); i++)
        block[i] = (unsigned char)i;
    ck_assert_int_eq(fm_key_hmac(&kr->keys[0], block, sizeof(block), got), 0);
    hex_to(want, "c0ee32da00b7e5dcc2639d08b2f220902ba85b7b4bc150aecff074f05be8369a");
    ck_assert_mem_eq(got, want, 32);
    /* the prepared states are only copied: the same MAC again */
    ck_assert_int_eq(fm_key_hmac(&kr->keys[0], block, sizeof(block), got), 0);
    ck_assert_mem_eq(got, want, 32);
}
END_TEST

START_TEST(keyring_wiped_on_clear)
{
    apr_pool_t *sub;
    const char *one[] = { SECRET_A };
    fm_keyring *kr = NULL;
    static const unsigned char zero[sizeof(fm_key)];   /* keys and pad states */
    fm_key *keys;

    apr_pool_create(&sub, ut_pool);
    ck_assert_ptr_null(fm_keyring_make(sub, one, 1, &kr));
    keys = kr->keys;
    ck_assert(memcmp(keys, zero, sizeof(zero)) != 0);
    /*
     * apr_pool_clear() runs the cleanups and keeps the pool's first block,
     * where the small key ring lives, so the bytes can still be inspected.
     */
    apr_pool_clear(sub);
    ck_assert_mem_eq(keys, zero, sizeof(zero));
    apr_pool_destroy(sub);
}
END_TEST

/* ---------------------------------------------------------------- */
/* base64url                                                          */
/* ---------------------------------------------------------------- */

START_TEST(b64_round_trip)
{
    unsigned char src[200], dst[200];
    char enc[300];
    apr_size_t n, i;
    static const struct { const char *in; const char *out; } vec[] = {
        { "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
        { "\xfb\xff", "-_8" }, { "\xff\xff\xff", "____" },
    };

    for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        apr_size_t l = strlen(vec[i].in);
        ck_assert_uint_eq(fm_b64url_encoded_len(l), strlen(vec[i].out));
        fm_b64url_encode(enc, (const unsigned char *)vec[i].in, l);
        enc[fm_b64url_encoded_len(l)] = '\0';
        ck_assert_str_eq(enc, vec[i].out);
        ck_assert_int_eq(fm_b64url_decode(dst, vec[i].out,
                                          strlen(vec[i].out)), (long)l);
        ck_assert_mem_eq(dst, vec[i].in, l);
    }
    for (i = 0; i < sizeof(src); i++)
        src[i] = (unsigned char)(i * 151 + 7);
    for (n = 0; n <= sizeof(src); n++) {
        apr_size_t el = fm_b64url_encoded_len(n);
        memset(enc, '#', sizeof(enc));
        fm_b64url_encode(enc, src, n);
        ck_assert_int_eq(enc[el], '#');          /* no overrun */
        for (i = 0; i < el; i++)
            ck_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789-_", enc[i]) && enc[i]);
        ck_assert_int_eq(fm_b64url_decode(dst, enc, el), (long)n);
        ck_assert_mem_eq(dst, src, n);
    }
}
END_TEST

START_TEST(b64_strict)
{
    unsigned char dst[16];
    char s[4];
    int a, b, c, accepted;

    ck_assert_int_eq(fm_b64url_decode(dst, "Zg==", 4), -1);   /* padding */
    ck_assert_int_eq(fm_b64url_decode(dst, "Zg=", 3), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm9v+/8A", 8), -1); /* std b64 */
    ck_assert_int_eq(fm_b64url_decode(dst, "Z", 1), -1);      /* 1 mod 4 */
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm9vY", 5), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "Zh", 2), -1);     /* stray bits */
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm9", 3), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm 9v", 5), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm9v\n", 5), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm\0v", 4), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "Zm9.", 4), -1);
    ck_assert_int_eq(fm_b64url_decode(dst, "", 0), 0);

    /* Any byte other than the 64 characters is refused at any position. */
    for (a = 0; a < 256; a++) {
        int ok = (a >= 'A' && a <= 'Z') || (a >= 'a' && a <= 'z')
                 || (a >= '0' && a <= '9') || a == '-' || a == '_';
        memcpy(s, "AAAA", 4);
        for (b = 0; b < 4; b++) {
            memcpy(s, "AAAA", 4);
            s[b] = (char)a;
            ck_assert_int_eq(fm_b64url_decode(dst, s, 4), ok ? 3 : -1);
        }
    }
    /* Exactly one accepted 2-character spelling per byte value... */
    accepted = 0;
    for (a = 0; a < 256; a++)
        for (b = 0; b < 256; b++) {
            s[0] = (char)a;
            s[1] = (char)b;
            if (fm_b64url_decode(dst, s, 2) == 1)
                accepted++;
        }
    ck_assert_int_eq(accepted, 256);
    /* ...and one 3-character spelling per 2-byte value, which re-encodes. */
    {
        static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                 "qrstuvwxyz0123456789-_";
        accepted = 0;
        for (a = 0; a < 64; a++)
            for (b = 0; b < 64; b++)
                for (c = 0; c < 64; c++) {
                    char back[4];
                    s[0] = al[a];
                    s[1] = al[b];
                    s[2] = al[c];
                    if (fm_b64url_decode(dst, s, 3) == 2) {
                        accepted++;
                        fm_b64url_encode(back, dst, 2);
                        ck_assert(memcmp(back, s, 3) == 0);
                    }
                }
        ck_assert_int_eq(accepted, 65536);
    }
}
END_TEST

/* ---------------------------------------------------------------- */
/* round trips                                                        */
/* ---------------------------------------------------------------- */

static void round_trip(int encrypt)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fm_codec_opts o = fx_opts("flashmsg", encrypt, 86400);
    static const int counts[] = { 0, 1, 5, 20 };
    static const unsigned flagsets[] = { 0, FM_COOKIE_CONTINUED };
    size_t c, f;

    for (c = 0; c < 4; c++)
        for (f = 0; f < 2; f++) {
            int n = counts[c];
            fm_message *m = fx_msgs_varied(ut_pool, n, NOW);
            const char *v = fm_cookie_encode(ut_pool, kr, &o, m, n,
                                             flagsets[f], NOW);
            apr_array_header_t *out = new_list();
            unsigned fl = 99;
            int ex = 99, key = 99, i;

            ck_assert_ptr_nonnull(v);
            ck_assert(strncmp(v, encrypt ? "e1." : "s1.", 3) == 0);
            ck_assert_uint_eq(strlen(v), fm_cookie_encoded_len(&o, m, n));
            ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW, out, &fl, &ex,
                                 &key), FM_DECODE_OK);
            ck_assert_uint_eq(fl, flagsets[f]);
            ck_assert_int_eq(ex, 0);
            ck_assert_int_eq(key, 0);
            assert_same(m, n, out);
            for (i = 0; i < n; i++) {
                const fm_message *g = &((const fm_message *)out->elts)[i];
                /* NUL terminated copies, not pointers into the value */
                ck_assert(g->text < v || g->text >= v + strlen(v));
                ck_assert(g->text != m[i].text);
            }
        }
}

START_TEST(round_trip_signed)
{
    round_trip(0);
}
END_TEST

START_TEST(round_trip_encrypted)
{
    round_trip(1);
}
END_TEST

START_TEST(round_trip_unordered_and_extremes)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fm_message m[4];
    int e;
    char big[5001];

    memset(big, 'z', 5000);
    big[5000] = '\0';
    /* Creation times not sorted (clock skew across nodes): kept as is. */
    m[0].level = 20; m[0].text = "second"; m[0].extra_tags = "";
    m[0].created = NOW - 5;
    m[1].level = 40; m[1].text = "first"; m[1].extra_tags = "t";
    m[1].created = NOW - 50;
    m[2].level = INT_MAX; m[2].text = big; m[2].extra_tags = "";
    m[2].created = NOW + FM_CLOCK_SKEW;
    m[3].level = 0; m[3].text = "\xe2\x80\xae rtl"; m[3].extra_tags = "x y";
    m[3].created = 0;
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 0);
        const char *v = fm_cookie_encode(ut_pool, kr, &o, m, 4, 0, NOW);
        apr_array_header_t *out = new_list();
        ck_assert_uint_eq(strlen(v), fm_cookie_encoded_len(&o, m, 4));
        ck_assert_int_eq(dec_str(kr, &o, v, out), FM_DECODE_OK);
        assert_same(m, 4, out);
    }
}
END_TEST

START_TEST(encode_skips_undecodable)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fm_message m[5], want[3];
    int e;

    memset(m, 0, sizeof(m));
    m[0].level = 20; m[0].text = "kept"; m[0].extra_tags = NULL;
    m[0].created = NOW;
    m[1].level = 20; m[1].text = ""; m[1].extra_tags = "";
    m[1].created = NOW - 999;                 /* skipped: not in t0 either */
    m[2].level = 20; m[2].text = "bad\x01"; m[2].extra_tags = "";
    m[2].created = NOW;
    m[3].level = -5; m[3].text = "neg"; m[3].extra_tags = "bad\xff";
    m[3].created = NOW;
    m[4].level = 25; m[4].text = NULL; m[4].extra_tags = "";
    m[4].created = NOW;
    want[0] = m[0];
    want[0].extra_tags = "";
    want[1] = m[3];
    want[1].level = 0;
    want[1].extra_tags = "";
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 0);
        const char *v = fm_cookie_encode(ut_pool, kr, &o, m, 5, 0, NOW);
        apr_array_header_t *out = new_list();
        ck_assert_uint_eq(strlen(v), fm_cookie_encoded_len(&o, m, 5));
        ck_assert_int_eq(dec_str(kr, &o, v, out), FM_DECODE_OK);
        assert_same(want, 2, out);
    }
}
END_TEST

START_TEST(encrypted_hides_and_varies)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fm_codec_opts o = fx_opts("flashmsg", 1, 86400);
    fm_message m[2];
    const char *v1, *v2;
    apr_size_t i, l;
    unsigned char *bin;
    long bl;

    m[0].level = 20; m[0].text = "TOPSECRETTEXTTOPSECRETTEXT";
    m[0].extra_tags = "hiddentag"; m[0].created = NOW;
    m[1] = m[0];
    v1 = fm_cookie_encode(ut_pool, kr, &o, m, 2, 0, NOW);
    v2 = fm_cookie_encode(ut_pool, kr, &o, m, 2, 0, NOW);
    ck_assert_str_ne(v1, v2);
    ck_assert_uint_eq(strlen(v1), strlen(v2));
    ck_assert(memcmp(v1 + 3, v2 + 3, 16) != 0);     /* nonces differ */
    /* Neither the value nor its base64 decoding shows the text. */
    ck_assert_ptr_null(strstr(v1, "TOPSECRET"));
    ck_assert_ptr_null(strstr(v1, fx_b64(ut_pool,
                                         (const unsigned char *)"TOPSECRET",
                                         9)));
    l = strlen(v1) - 3;
    bin = apr_palloc(ut_pool, l);
    bl = fm_b64url_decode(bin, v1 + 3, l);
    ck_assert_int_gt(bl, 0);
    for (i = 0; i + 9 <= (apr_size_t)bl; i++) {
        ck_assert(memcmp(bin + i, "TOPSECRET", 9) != 0);
        ck_assert(memcmp(bin + i, "hiddentag", 9) != 0);
    }
    /* The signed form, by contrast, is readable (sanity of the check). */
    o.encrypt = 0;
    v1 = fm_cookie_encode(ut_pool, kr, &o, m, 1, 0, NOW);
    l = strlen(v1);
    bl = fm_b64url_decode(bin, v1 + 3, l - 3 - 44);
    ck_assert_int_gt(bl, 0);
    ck_assert_ptr_nonnull(memchr(bin, 'T', (apr_size_t)bl));
}
END_TEST

START_TEST(encoded_len_matches)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    char *text = apr_palloc(ut_pool, 400);
    int n, e, shape;

    memset(text, 'q', 399);
    text[399] = '\0';
    for (e = 0; e < 2; e++)
        for (shape = 0; shape < 6; shape++)
            for (n = 0; n <= 25; n++) {
                fm_codec_opts o = fx_opts(shape & 1 ? "x"
                                                    : "a-much-longer-name",
                                          e, 0);
                fm_message *m = apr_pcalloc(ut_pool, sizeof(*m) * 26);
                const char *v;
                apr_array_header_t *out = new_list();
                unsigned fl;
                int i, ex, key;
                for (i = 0; i < n; i++) {
                    m[i].level = shape == 2 ? INT_MAX : (i * 977) % 200;
                    m[i].text = text + 399 - ((i * 53 + shape * 11) % 399 + 1);
                    m[i].extra_tags = shape == 3 ? "" : "a bb ccc";
                    m[i].created = shape == 4 ? APR_INT64_MAX - i
                                   : shape == 5 ? (apr_int64_t)i * 100000
                                   : NOW + i;
                }
                v = fm_cookie_encode(ut_pool, kr, &o, m, n, (unsigned)shape,
                                     NOW);
                ck_assert_uint_eq(strlen(v), fm_cookie_encoded_len(&o, m, n));
                ck_assert_int_eq(dec(kr, &o, v, strlen(v), APR_INT64_MAX, out,
                                     &fl, &ex, &key), FM_DECODE_OK);
                assert_same(m, n, out);
                ck_assert_uint_eq(fl, (unsigned)shape);
            }
}
END_TEST

/* ---------------------------------------------------------------- */
/* tampering                                                          */
/* ---------------------------------------------------------------- */

static void every_byte_change(int encrypt)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fm_codec_opts o = fx_opts("flashmsg", encrypt, 86400);
    fm_message *m = fx_msgs_varied(ut_pool, 3, NOW);
    const char *v = fm_cookie_encode(ut_pool, kr, &o, m, 3, 0, NOW);
    apr_size_t len = strlen(v), i;
    char *t = apr_pstrdup(ut_pool, v);
    static const char repl[] = { 'A', 'B', 'Q', 'g', 'w', '0', '9', '-', '_',
                                 '.', '=', '+', '/', ' ', '\0', '\x7f',
                                 '\x80', '\xff', 's', 'e', '1' };
    int tried = 0;

    ck_assert_int_eq(dec_str(kr, &o, v, new_list()), FM_DECODE_OK);
    for (i = 0; i < len; i++) {
        size_t r;
        char cand[sizeof(repl) + 3];
        memcpy(cand, repl, sizeof(repl));
        cand[sizeof(repl)] = (char)(v[i] ^ 0x01);
        cand[sizeof(repl) + 1] = (char)(v[i] ^ 0x20);
        cand[sizeof(repl) + 2] = (char)(v[i] + 1);
        for (r = 0; r < sizeof(cand); r++) {
            apr_array_header_t *out = new_list();
            unsigned fl;
            int ex, key;
            fm_decode_status st;
            if (cand[r] == v[i])
                continue;
            t[i] = cand[r];
            st = dec(kr, &o, t, len, NOW, out, &fl, &ex, &key);
            ck_assert_msg(st != FM_DECODE_OK,
                          "change at %u to 0x%02x accepted", (unsigned)i,
                          (unsigned char)cand[r]);
            ck_assert_int_eq(out->nelts, 0);
            tried++;
        }
        t[i] = v[i];
    }
    ck_assert_int_gt(tried, (int)len * 15);
}

START_TEST(tamper_signed)
{
    every_byte_change(0);
}
END_TEST

START_TEST(tamper_encrypted)
{
    every_byte_change(1);
}
END_TEST

START_TEST(truncated_and_extended)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    int e;
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 86400);
        fm_message *m = fx_msgs_varied(ut_pool, 4, NOW);
        const char *v = fm_cookie_encode(ut_pool, kr, &o, m, 4, 0, NOW);
        apr_size_t len = strlen(v), k;
        const char *more[] = { "A", "AA", "AAA", "AAAA", ".", "=" };
        for (k = 0; k < len; k++) {
            apr_array_header_t *out = new_list();
            unsigned fl;
            int ex, key;
            ck_assert_int_ne(dec(kr, &o, v, k, NOW, out, &fl, &ex, &key),
                             FM_DECODE_OK);
            ck_assert_int_eq(out->nelts, 0);
            /* the tail alone, too */
            ck_assert_int_ne(dec(kr, &o, v + k + 1, len - k - 1, NOW, out,
                                 &fl, &ex, &key), FM_DECODE_OK);
        }
        for (k = 0; k < sizeof(more) / sizeof(more[0]); k++) {
            const char *x = apr_pstrcat(ut_pool, v, more[k], NULL);
            ck_assert_int_ne(dec_str(kr, &o, x, new_list()), FM_DECODE_OK);
            x = apr_pstrcat(ut_pool, more[k], v, NULL);
            ck_assert_int_ne(dec_str(kr, &o, x, new_list()), FM_DECODE_OK);
        }
    }
}
END_TEST

/* ---------------------------------------------------------------- */
/* keys, names, kinds                                                 */
/* ---------------------------------------------------------------- */

START_TEST(wrong_key_and_rotation)
{
    fm_keyring *old = ring(1, SECRET_A, NULL, NULL);
    fm_keyring *rotated = ring(2, SECRET_B, SECRET_A, NULL);
    fm_keyring *three = ring(3, SECRET_C, SECRET_B, SECRET_A);
    fm_keyring *fresh = ring(1, SECRET_B, NULL, NULL);
    fm_keyring *other = ring(2, SECRET_C, SECRET_B, NULL);
    int e;

    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 86400);
        fm_message *m = fx_msgs_varied(ut_pool, 3, NOW);
        const char *v = fm_cookie_encode(ut_pool, old, &o, m, 3, 1, NOW);
        const char *vn;
        apr_array_header_t *out = new_list();
        unsigned fl;
        int ex, key;

        /* wrong key */
        ck_assert_int_eq(dec(fresh, &o, v, strlen(v), NOW, out, &fl, &ex,
                             &key), FM_DECODE_BAD_SIGNATURE);
        ck_assert_int_eq(out->nelts, 0);
        /* old key still verifies, reported as index 1, then 2 */
        ck_assert_int_eq(dec(rotated, &o, v, strlen(v), NOW, out, &fl, &ex,
                             &key), FM_DECODE_OK);
        ck_assert_int_eq(key, 1);
        ck_assert_uint_eq(fl, 1);
        assert_same(m, 3, out);
        out = new_list();
        ck_assert_int_eq(dec(three, &o, v, strlen(v), NOW, out, &fl, &ex,
                             &key), FM_DECODE_OK);
        ck_assert_int_eq(key, 2);
        /* a rotated ring writes with its first key */
        vn = fm_cookie_encode(ut_pool, rotated, &o, m, 3, 0, NOW);
        ck_assert_int_eq(dec(fresh, &o, vn, strlen(vn), NOW, new_list(), &fl,
                             &ex, &key), FM_DECODE_OK);
        ck_assert_int_eq(key, 0);
        ck_assert_int_eq(dec(old, &o, vn, strlen(vn), NOW, new_list(), &fl,
                             &ex, &key), FM_DECODE_BAD_SIGNATURE);
        /* old key removed from the ring */
        ck_assert_int_eq(dec(other, &o, v, strlen(v), NOW, new_list(), &fl,
                             &ex, &key), FM_DECODE_BAD_SIGNATURE);
    }
}
END_TEST

START_TEST(cookie_name_binding)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    int e;
    for (e = 0; e < 2; e++) {
        fm_codec_opts a = fx_opts("a", e, 86400), b = fx_opts("b", e, 86400);
        fm_codec_opts ab = fx_opts("ab", e, 86400);
        fm_codec_opts none = fx_opts(NULL, e, 86400);
        fm_message *m = fx_msgs_varied(ut_pool, 2, NOW);
        const char *v = fm_cookie_encode(ut_pool, kr, &a, m, 2, 0, NOW);
        const char *vn = fm_cookie_encode(ut_pool, kr, &none, m, 2, 0, NOW);
        ck_assert_int_eq(dec_str(kr, &a, v, new_list()), FM_DECODE_OK);
        ck_assert_int_eq(dec_str(kr, &b, v, new_list()),
                         FM_DECODE_BAD_SIGNATURE);
        ck_assert_int_eq(dec_str(kr, &ab, v, new_list()),
                         FM_DECODE_BAD_SIGNATURE);
        ck_assert_int_eq(dec_str(kr, &none, v, new_list()),
                         FM_DECODE_BAD_SIGNATURE);
        ck_assert_int_eq(dec_str(kr, &none, vn, new_list()), FM_DECODE_OK);
        ck_assert_int_eq(dec_str(kr, &a, vn, new_list()),
                         FM_DECODE_BAD_SIGNATURE);
    }
}
END_TEST

START_TEST(wrong_kind)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fm_codec_opts s = fx_opts("flashmsg", 0, 86400);
    fm_codec_opts e = fx_opts("flashmsg", 1, 86400);
    fm_message *m = fx_msgs_varied(ut_pool, 2, NOW);
    const char *vs = fm_cookie_encode(ut_pool, kr, &s, m, 2, 0, NOW);
    const char *ve = fm_cookie_encode(ut_pool, kr, &e, m, 2, 0, NOW);
    apr_array_header_t *out = new_list();

    ck_assert_int_eq(dec_str(kr, &e, vs, out), FM_DECODE_WRONG_KIND);
    ck_assert_int_eq(dec_str(kr, &s, ve, out), FM_DECODE_WRONG_KIND);
    ck_assert_int_eq(out->nelts, 0);
    ck_assert_int_eq(dec_str(kr, &s, "x1.abc", out), FM_DECODE_MALFORMED);
    ck_assert_int_eq(dec_str(kr, &s, "S1.abc", out), FM_DECODE_MALFORMED);
    ck_assert_int_eq(dec_str(kr, &s, "", out), FM_DECODE_MALFORMED);
    ck_assert_int_eq(dec_str(kr, &s, "s1", out), FM_DECODE_MALFORMED);
    ck_assert_int_eq(dec_str(kr, &s, "s1.", out), FM_DECODE_MALFORMED);
    ck_assert_int_eq(dec_str(kr, &e, "e1.", out), FM_DECODE_MALFORMED);
    ck_assert_int_eq(out->nelts, 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* age                                                                */
/* ---------------------------------------------------------------- */

START_TEST(future_rejected)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    int e;
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 86400);
        fm_message *m = fx_msgs_varied(ut_pool, 3, NOW);
        const char *v;
        apr_array_header_t *out = new_list();
        unsigned fl;
        int ex, key;

        fm_list_add(out, 0, 20, "already there", "", NOW);
        m[2].created = NOW + FM_CLOCK_SKEW + 1;
        v = fm_cookie_encode(ut_pool, kr, &o, m, 3, 0, NOW);
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW, out, &fl, &ex, &key),
                         FM_DECODE_FUTURE);
        ck_assert_int_eq(out->nelts, 1);
        m[2].created = NOW + FM_CLOCK_SKEW;          /* within the skew */
        v = fm_cookie_encode(ut_pool, kr, &o, m, 3, 0, NOW);
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW, out, &fl, &ex, &key),
                         FM_DECODE_OK);
        ck_assert_int_eq(out->nelts, 4);
        /* a far future time at the edge of the type */
        m[0].created = APR_INT64_MAX;
        v = fm_cookie_encode(ut_pool, kr, &o, m, 3, 0, NOW);
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW, new_list(), &fl, &ex,
                             &key), FM_DECODE_FUTURE);
    }
}
END_TEST

START_TEST(expired_dropped)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    int e;
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 100);
        fm_message *m = fx_msgs_varied(ut_pool, 5, NOW), want[3];
        const char *v;
        apr_array_header_t *out = new_list();
        unsigned fl;
        int ex, key;

        m[0].created = NOW - 200;      /* expired */
        m[1].created = NOW - 101;      /* expired: created + max_age < now */
        m[2].created = NOW - 100;      /* kept: exactly max_age old */
        m[3].created = NOW - 1;
        m[4].created = NOW + 10;       /* slight skew */
        want[0] = m[2];
        want[1] = m[3];
        want[2] = m[4];
        v = fm_cookie_encode(ut_pool, kr, &o, m, 5, 1, NOW);
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW, out, &fl, &ex, &key),
                         FM_DECODE_OK);
        ck_assert_int_eq(ex, 2);
        ck_assert_uint_eq(fl, 1);
        assert_same(want, 3, out);

        /* all expired: still a valid (empty) result */
        out = new_list();
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW + 100000, out, &fl,
                             &ex, &key), FM_DECODE_OK);
        ck_assert_int_eq(ex, 5);
        ck_assert_int_eq(out->nelts, 0);

        /* max_age <= 0: no limit */
        o.max_age = 0;
        out = new_list();
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), NOW + 100000000, out, &fl,
                             &ex, &key), FM_DECODE_OK);
        ck_assert_int_eq(ex, 0);
        assert_same(m, 5, out);
        o.max_age = -1;
        out = new_list();
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), APR_INT64_MAX, out, &fl,
                             &ex, &key), FM_DECODE_OK);
        ck_assert_int_eq(out->nelts, 5);
        /* extreme now and max_age do not overflow */
        o.max_age = APR_INT64_MAX;
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), APR_INT64_MIN, new_list(),
                             &fl, &ex, &key), FM_DECODE_FUTURE);
        ck_assert_int_eq(dec(kr, &o, v, strlen(v), APR_INT64_MAX, new_list(),
                             &fl, &ex, &key), FM_DECODE_OK);
        ck_assert_int_eq(ex, 0);
    }
}
END_TEST

/* ---------------------------------------------------------------- */
/* validly authenticated, malformed payloads                          */
/* ---------------------------------------------------------------- */

static void expect_payload(const fm_keyring *kr, const fx_payload *b,
                           fm_decode_status want, const char *what)
{
    int e;
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 0);
        const char *v = e ? fx_forge_encrypted(ut_pool, kr, 0, "flashmsg",
                                               b->d, b->n)
                          : fx_forge_signed(ut_pool, kr, 0, "flashmsg",
                                            b->d, b->n);
        apr_array_header_t *out = new_list();
        unsigned fl;
        int ex, key;
        fm_decode_status st = dec(kr, &o, v, strlen(v), NOW, out, &fl, &ex,
                                  &key);
        ck_assert_msg(st == want, "%s (%s): got %s", what,
                      e ? "encrypted" : "signed", fm_decode_status_str(st));
        if (st != FM_DECODE_OK)
            ck_assert_int_eq(out->nelts, 0);
    }
}

START_TEST(malformed_payloads)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    fx_payload b;

    /* The hand-built reference payload is accepted. */
    fx_put_head(&b, NOW);
    fx_put_msg(&b, 20, 0, "t", "hello");
    fx_put_msg(&b, 40, 5, "", "caf\xc3\xa9\tx");
    expect_payload(kr, &b, FM_DECODE_OK, "reference");
    b.n = 0;
    fx_put_byte(&b, 1); fx_put_byte(&b, 0x81); fx_put_var(&b, 0);
    expect_payload(kr, &b, FM_DECODE_OK, "empty list with flags");
    /* A t0 below every created time is fine (not required to be the min). */
    fx_put_head(&b, 0);
    fx_put_msg(&b, 20, NOW, "", "x");
    expect_payload(kr, &b, FM_DECODE_OK, "t0 not minimal");

    b.n = 0;
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "empty payload");
    fx_put_byte(&b, 1);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "version only");
    fx_put_byte(&b, 0);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "no t0");

    fx_put_head(&b, NOW);
    b.d[0] = 2;
    fx_put_msg(&b, 20, 0, "", "hello");
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "version 2");
    b.d[0] = 0;
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "version 0");

    /* non-minimal varints, in each varint position */
    b.n = 0;
    fx_put_byte(&b, 1); fx_put_byte(&b, 0);
    fx_put_byte(&b, 0x80); fx_put_byte(&b, 0x00);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "non-minimal t0");
    fx_put_head(&b, NOW);
    fx_put_byte(&b, 0x94); fx_put_byte(&b, 0x00);      /* level 20, 2 bytes */
    fx_put_var(&b, 0); fx_put_str(&b, "", 0); fx_put_str(&b, "x", 1);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "non-minimal level");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_byte(&b, 0x80); fx_put_byte(&b, 0x80);
    fx_put_byte(&b, 0x00); fx_put_str(&b, "", 0); fx_put_str(&b, "x", 1);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "non-minimal delta");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0);
    fx_put_byte(&b, 0x81); fx_put_byte(&b, 0x00);
    fx_put_byte(&b, 'a'); fx_put_str(&b, "x", 1);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "non-minimal tags length");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0); fx_put_str(&b, "", 0);
    fx_put_byte(&b, 0x81); fx_put_byte(&b, 0x00); fx_put_byte(&b, 'x');
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "non-minimal text length");

    /* varints too long or beyond 64 bits */
    b.n = 0;
    fx_put_byte(&b, 1); fx_put_byte(&b, 0);
    { int i; for (i = 0; i < 10; i++) fx_put_byte(&b, 0xFF); }
    fx_put_byte(&b, 0x01);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "11-byte varint");
    b.n = 0;
    fx_put_byte(&b, 1); fx_put_byte(&b, 0);
    { int i; for (i = 0; i < 9; i++) fx_put_byte(&b, 0xFF); }
    fx_put_byte(&b, 0x02);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "varint overflow");
    b.n = 0;
    fx_put_byte(&b, 1); fx_put_byte(&b, 0); fx_put_byte(&b, 0x80);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "truncated varint");
    b.n = 0;
    fx_put_byte(&b, 1); fx_put_byte(&b, 0);
    fx_put_var(&b, (apr_uint64_t)APR_INT64_MAX + 1);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "t0 beyond int64");

    fx_put_head(&b, NOW);
    fx_put_msg(&b, (apr_uint64_t)INT_MAX + 1, 0, "", "x");
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "level > INT_MAX");
    fx_put_head(&b, NOW);
    fx_put_msg(&b, INT_MAX, 0, "", "x");
    expect_payload(kr, &b, FM_DECODE_OK, "level INT_MAX");
    fx_put_head(&b, (apr_uint64_t)APR_INT64_MAX - 5);
    fx_put_msg(&b, 20, 6, "", "x");
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "t0 + delta overflow");
    fx_put_head(&b, 0);
    fx_put_msg(&b, 20, ~(apr_uint64_t)0, "", "x");
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "delta 2^64-1");

    /* lengths past the end */
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0); fx_put_str(&b, "", 0);
    fx_put_var(&b, 10); fx_put_byte(&b, 'x');
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "text length past end");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0);
    fx_put_var(&b, ~(apr_uint64_t)0 >> 1);
    fx_put_byte(&b, 'x');
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "huge tags length");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0); fx_put_str(&b, "", 0);
    fx_put_var(&b, ~(apr_uint64_t)0);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "2^64-1 text length");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0); fx_put_str(&b, "", 0);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "missing text");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "level only");

    /* trailing bytes */
    fx_put_head(&b, NOW);
    fx_put_msg(&b, 20, 0, "", "hello");
    fx_put_byte(&b, 0);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "trailing zero");
    fx_put_head(&b, NOW);
    fx_put_msg(&b, 20, 0, "", "hello");
    fx_put_byte(&b, 20); fx_put_byte(&b, 0);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "trailing partial message");

    /* text and tags content */
    fx_put_head(&b, NOW);
    fx_put_msg(&b, 20, 0, "", "");
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "empty text");
    {
        static const char *const bad[] = {
            "\xc3", "\xc3\x28", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
            "\xf4\x90\x80\x80", "\xff", "a\x01", "line\nbreak", "cr\r",
            "esc\x1b[0m", "del\x7f",
        };
        size_t i;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            fx_put_head(&b, NOW);
            fx_put_msg(&b, 20, 0, "", bad[i]);
            expect_payload(kr, &b, FM_DECODE_MALFORMED, "bad text");
            fx_put_head(&b, NOW);
            fx_put_msg(&b, 20, 0, bad[i], "fine");
            expect_payload(kr, &b, FM_DECODE_MALFORMED, "bad tags");
        }
    }
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0); fx_put_str(&b, "", 0);
    fx_put_str(&b, "a\0b", 3);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "NUL in text");
    fx_put_head(&b, NOW);
    fx_put_var(&b, 20); fx_put_var(&b, 0); fx_put_str(&b, "t\0", 2);
    fx_put_str(&b, "ab", 2);
    expect_payload(kr, &b, FM_DECODE_MALFORMED, "NUL in tags");
}
END_TEST

/* ---------------------------------------------------------------- */
/* hostile values                                                     */
/* ---------------------------------------------------------------- */

START_TEST(hostile_values)
{
    fm_keyring *kr = ring(2, SECRET_A, SECRET_B, NULL);
    static const apr_size_t sizes[] = { 0, 1, 2, 3, 4, 47, 48, 49, 4096,
                                        65536, 65537, 1 << 20 };
    char *buf = malloc((1 << 20) + 64);
    unsigned seed = 12345;
    size_t s;
    int e, fill;

    ck_assert_ptr_nonnull(buf);
    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 86400);
        for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
            for (fill = 0; fill < 5; fill++) {
                apr_size_t n = sizes[s], i;
                apr_array_header_t *out = new_list();
                unsigned fl;
                int ex, key;
                for (i = 0; i < n; i++) {
                    seed = seed * 1103515245u + 12345u;
                    switch (fill) {
                    case 0: buf[i] = (char)(seed >> 16); break;
                    case 1: buf[i] = 'A'; break;
                    case 2: buf[i] = (char)("AZaz09-_"[(seed >> 16) & 7]);
                            break;
                    case 3: buf[i] = '\0'; break;
                    default: buf[i] = (i % 7 == 3) ? '\0' : '_'; break;
                    }
                }
                if (n >= 3 && fill != 3)
                    memcpy(buf, e ? "e1." : "s1.", 3);
                if (n > 48 && fill != 3 && !e)
                    buf[n - 44] = '.';
                ck_assert_int_ne(dec(kr, &o, buf, n, NOW, out, &fl, &ex,
                                     &key), FM_DECODE_OK);
                ck_assert_int_eq(out->nelts, 0);
            }
    }
    free(buf);
}
END_TEST

START_TEST(status_strings)
{
    int s;
    for (s = FM_DECODE_OK; s <= FM_DECODE_FUTURE; s++) {
        const char *str = fm_decode_status_str((fm_decode_status)s);
        ck_assert_ptr_nonnull(str);
        ck_assert_int_gt((int)strlen(str), 0);
        if (s > 0)
            ck_assert_str_ne(str,
                             fm_decode_status_str((fm_decode_status)(s - 1)));
    }
    ck_assert_ptr_nonnull(fm_decode_status_str((fm_decode_status)42));
}
END_TEST

/* ---------------------------------------------------------------- */
/* fitting                                                            */
/* ---------------------------------------------------------------- */

/* k is the largest count that fits: k fits (or is 0), k + 1 does not. */
static void assert_fit(const fm_codec_opts *o, const fm_message *m, int n,
                       apr_size_t max, int newest, int k)
{
    ck_assert_int_ge(k, 0);
    ck_assert_int_le(k, n);
    if (k > 0)
        ck_assert_uint_le(fm_cookie_encoded_len(o, newest ? m + n - k : m, k),
                          max);
    if (k < n)
        ck_assert_uint_gt(fm_cookie_encoded_len(o, newest ? m + n - k - 1 : m,
                                                k + 1), max);
}

START_TEST(fit_newest_oldest)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    static const apr_size_t lens[10] = { 10, 20, 30, 40, 50, 300, 400, 500,
                                         600, 700 };
    fm_message *m = fx_msgs_sized(ut_pool, 10, lens, NOW, 1);
    int e;

    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 86400);
        apr_size_t max;
        int newest, oldest;

        ck_assert_int_eq(fm_cookie_fit(&o, m, 0, 2048, 1), 0);
        ck_assert_int_eq(fm_cookie_fit(&o, m, 10, 100000, 1), 10);
        ck_assert_int_eq(fm_cookie_fit(&o, m, 10, 0, 0), 0);
        ck_assert_int_eq(fm_cookie_fit(&o, m, 10, 0, 1), 0);

        /* big messages are the newest: fewer of them fit */
        newest = fm_cookie_fit(&o, m, 10, 2048, 1);
        oldest = fm_cookie_fit(&o, m, 10, 2048, 0);
        assert_fit(&o, m, 10, 2048, 1, newest);
        assert_fit(&o, m, 10, 2048, 0, oldest);
        ck_assert_int_lt(newest, oldest);
        ck_assert_int_eq(oldest, 8);
        ck_assert_int_eq(newest, 2);

        for (max = 0; max < 6000; max += 13) {
            int k1 = fm_cookie_fit(&o, m, 10, max, 1);
            int k0 = fm_cookie_fit(&o, m, 10, max, 0);
            assert_fit(&o, m, 10, max, 1, k1);
            assert_fit(&o, m, 10, max, 0, k0);
            /* and what is kept really encodes within max */
            if (k1 > 0) {
                const char *v = fm_cookie_encode(ut_pool, kr, &o, m + 10 - k1,
                                                 k1, 0, NOW);
                ck_assert_uint_le(strlen(v), max);
            }
        }
    }
}
END_TEST

START_TEST(fit_django_like)
{
    fm_keyring *kr = ring(1, SECRET_A, NULL, NULL);
    static const apr_size_t five[5] = { 100, 100, 100, 100, 100 };
    static const apr_size_t one[1] = { 5000 };
    static const apr_size_t many[30] = {
        100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
        100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
        100, 100, 100, 100, 100, 100, 100, 100, 100, 100 };
    fm_message *m5 = fx_msgs_sized(ut_pool, 5, five, NOW, 1);
    fm_message *m1 = fx_msgs_sized(ut_pool, 1, one, NOW, 1);
    fm_message *m30 = fx_msgs_sized(ut_pool, 30, many, NOW, 1);
    int e;

    for (e = 0; e < 2; e++) {
        fm_codec_opts o = fx_opts("flashmsg", e, 86400);
        int k;
        ck_assert_int_eq(fm_cookie_fit(&o, m5, 5, 2048, 1), 5);
        ck_assert_int_eq(fm_cookie_fit(&o, m5, 5, 2048, 0), 5);
        ck_assert_int_eq(fm_cookie_fit(&o, m1, 1, 2048, 1), 0);
        ck_assert_int_eq(fm_cookie_fit(&o, m1, 1, 2048, 0), 0);
        k = fm_cookie_fit(&o, m30, 30, 2048, 1);
        assert_fit(&o, m30, 30, 2048, 1, k);
        ck_assert_int_gt(k, 5);
        ck_assert_int_lt(k, 30);
        {
            const char *v = fm_cookie_encode(ut_pool, kr, &o, m30 + 30 - k, k,
                                             FM_COOKIE_CONTINUED, NOW);
            const char *v1 = fm_cookie_encode(ut_pool, kr, &o,
                                              m30 + 30 - k - 1, k + 1,
                                              FM_COOKIE_CONTINUED, NOW);
            ck_assert_uint_le(strlen(v), 2048);
            ck_assert_uint_gt(strlen(v1), 2048);
        }
        k = fm_cookie_fit(&o, m30, 30, 2048, 0);
        assert_fit(&o, m30, 30, 2048, 0, k);
    }
}
END_TEST

Suite *cookie_codec_suite(void)
{
    Suite *s = suite_create("cookie_codec");
    TCase *tc = tcase_create("cookie_codec");

    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, keyring_errors);
    tcase_add_test(tc, keyring_derivation);
    tcase_add_test(tc, keyring_fixed_vectors);
    tcase_add_test(tc, keyring_wiped_on_clear);
    tcase_add_test(tc, b64_round_trip);
    tcase_add_test(tc, b64_strict);
    tcase_add_test(tc, round_trip_signed);
    tcase_add_test(tc, round_trip_encrypted);
    tcase_add_test(tc, round_trip_unordered_and_extremes);
    tcase_add_test(tc, encode_skips_undecodable);
    tcase_add_test(tc, encrypted_hides_and_varies);
    tcase_add_test(tc, encoded_len_matches);
    tcase_add_test(tc, tamper_signed);
    tcase_add_test(tc, tamper_encrypted);
    tcase_add_test(tc, truncated_and_extended);
    tcase_add_test(tc, wrong_key_and_rotation);
    tcase_add_test(tc, cookie_name_binding);
    tcase_add_test(tc, wrong_kind);
    tcase_add_test(tc, future_rejected);
    tcase_add_test(tc, expired_dropped);
    tcase_add_test(tc, malformed_payloads);
    tcase_add_test(tc, hostile_values);
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, fit_newest_oldest);
    tcase_add_test(tc, fit_django_like);
    suite_add_tcase(s, tc);
    return s;
}

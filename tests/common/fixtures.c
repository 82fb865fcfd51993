/*
 * fixtures.c - shared test inputs (see fixtures.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fixtures.h"

static void fx_die(const char *what)
{
    fprintf(stderr, "test fixtures: %s\n", what);
    abort();
}

apr_pool_t *fx_process_pool(void)
{
    static apr_pool_t *pool;
    if (!pool) {
        apr_initialize();
        if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
            fx_die("no pool");
    }
    return pool;
}

fm_levels *fx_fuzz_levels(apr_pool_t *p)
{
    fm_levels *lv = fm_levels_make(p);
    fm_levels_define(lv, p, "notice", "35");
    fm_levels_define(lv, p, "Trace", "5");
    return lv;
}

/* ------------------------------------------------------------------ */
/* Key rings and codec options                                          */

#define FX_MAX_SECRETS 8

fm_keyring *fx_keyring(apr_pool_t *p, const char *current, ...)
{
    const char *secrets[FX_MAX_SECRETS];
    const char *s, *err;
    fm_keyring *kr = NULL;
    int n = 0;
    va_list ap;

    va_start(ap, current);
    for (s = current; s; s = va_arg(ap, const char *)) {
        if (n == FX_MAX_SECRETS)
            fx_die("too many secrets");
        secrets[n++] = s;
    }
    va_end(ap);
    if ((err = fm_keyring_make(p, secrets, n, &kr)) != NULL)
        fx_die(err);
    return kr;
}

fm_codec_opts fx_opts(const char *cookie_name, int encrypt,
                      apr_int64_t max_age)
{
    fm_codec_opts o;
    o.cookie_name = cookie_name;
    o.encrypt = encrypt;
    o.max_age = max_age;
    return o;
}

/* ------------------------------------------------------------------ */
/* Messages                                                             */

fm_message fx_msg(int level, const char *text, const char *extra_tags,
                  apr_int64_t created)
{
    fm_message m;
    m.level = level;
    m.text = text;
    m.extra_tags = extra_tags;
    m.created = created;
    return m;
}

apr_array_header_t *fx_list(apr_pool_t *p)
{
    return apr_array_make(p, 4, sizeof(fm_message));
}

static fm_message *msg_array(apr_pool_t *p, int n)
{
    return apr_pcalloc(p, sizeof(fm_message) * (apr_size_t)(n > 0 ? n : 1));
}

fm_message *fx_msgs_varied(apr_pool_t *p, int n, apr_int64_t now)
{
    static const char *const texts[] = {
        "Profile saved.",
        ("Gr\xc3\xbc\xc3\x9f" "e, caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\x89"),
        "<script>alert('x')</script> & \"quotes\"",
        "tab\there",
        "x",
    };
    static const char *const tagsets[] = { "", "sticky", "sticky big",
                                           "a-b_c" };
    static const int levels[] = { FM_INFO, FM_SUCCESS, FM_WARNING, FM_ERROR,
                                  FM_DEBUG, 0, 7, INT_MAX };
    fm_message *m = msg_array(p, n);
    int i;
    for (i = 0; i < n; i++)
        m[i] = fx_msg(levels[i % 8],
                      apr_psprintf(p, "%d: %s", i, texts[i % 5]),
                      tagsets[i % 4], now - 1000 + i * 37);
    return m;
}

fm_message *fx_msgs_sized(apr_pool_t *p, int n, const apr_size_t *lens,
                          apr_int64_t t0, apr_int64_t step)
{
    fm_message *m = msg_array(p, n);
    int i;
    for (i = 0; i < n; i++) {
        char *t = apr_palloc(p, lens[i] + 1);
        memset(t, 'a' + i % 26, lens[i]);
        t[lens[i]] = '\0';
        m[i] = fx_msg(FM_INFO, t, "", t0 + i * step);
    }
    return m;
}

fm_message *fx_msgs_uniform(apr_pool_t *p, int n, apr_size_t size,
                            apr_int64_t t0, apr_int64_t step)
{
    apr_size_t *lens = apr_palloc(p, sizeof(*lens)
                                     * (apr_size_t)(n > 0 ? n : 1));
    int i;
    for (i = 0; i < n; i++)
        lens[i] = size;
    return fx_msgs_sized(p, n, lens, t0, step);
}

fm_message *fx_msgs_typical(apr_pool_t *p, int n, apr_int64_t t)
{
    fm_message *m = msg_array(p, n);
    int i;
    for (i = 0; i < n; i++)
        m[i] = fx_msg(FM_SUCCESS, "Your profile was saved successfully.",
                      i % 2 ? "sticky" : "", t);
    return m;
}

const char *fx_messages_differ(apr_pool_t *p, const fm_message *want, int n,
                               const apr_array_header_t *got)
{
    const fm_message *g = (const fm_message *)got->elts;
    int i;
    if (got->nelts != n)
        return apr_psprintf(p, "%d messages, want %d", got->nelts, n);
    for (i = 0; i < n; i++) {
        if (g[i].level != want[i].level)
            return apr_psprintf(p, "message %d: level %d, want %d", i,
                                g[i].level, want[i].level);
        if (strcmp(g[i].text, want[i].text))
            return apr_psprintf(p, "message %d: text \"%s\", want \"%s\"", i,
                                g[i].text, want[i].text);
        if (strcmp(g[i].extra_tags, want[i].extra_tags))
            return apr_psprintf(p, "message %d: tags \"%s\", want \"%s\"", i,
                                g[i].extra_tags, want[i].extra_tags);
        if (g[i].created != want[i].created)
            return apr_psprintf(p, "message %d: created %" APR_INT64_T_FMT
                                ", want %" APR_INT64_T_FMT, i, g[i].created,
                                want[i].created);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The raw-cookie forger                                                */

void fx_put_byte(fx_payload *b, unsigned c)
{
    if (b->n >= sizeof(b->d))
        fx_die("payload too long");
    b->d[b->n++] = (unsigned char)c;
}

void fx_put_var(fx_payload *b, apr_uint64_t v)
{
    while (v >= 0x80) {
        fx_put_byte(b, (unsigned)(v & 0x7F) | 0x80);
        v >>= 7;
    }
    fx_put_byte(b, (unsigned)v);
}

void fx_put_str(fx_payload *b, const char *s, apr_size_t n)
{
    fx_put_var(b, n);
    if (n > sizeof(b->d) - b->n)
        fx_die("payload too long");
    memcpy(b->d + b->n, s, n);
    b->n += n;
}

void fx_put_head(fx_payload *b, apr_uint64_t t0)
{
    b->n = 0;
    fx_put_byte(b, 1);
    fx_put_byte(b, 0);
    fx_put_var(b, t0);
}

void fx_put_msg(fx_payload *b, apr_uint64_t level, apr_uint64_t delta,
                const char *tags, const char *text)
{
    fx_put_var(b, level);
    fx_put_var(b, delta);
    fx_put_str(b, tags, strlen(tags));
    fx_put_str(b, text, strlen(text));
}

char *fx_b64(apr_pool_t *p, const unsigned char *d, apr_size_t n)
{
    apr_size_t l = fm_b64url_encoded_len(n);
    char *s = apr_palloc(p, l + 1);
    fm_b64url_encode(s, d, n);
    s[l] = '\0';
    return s;
}

const char *fx_forge_signed(apr_pool_t *p, const fm_keyring *kr,
                            int key_index, const char *cookie_name,
                            const unsigned char *payload, apr_size_t len)
{
    const char *body = apr_pstrcat(p, "s1.", fx_b64(p, payload, len), NULL);
    const char *ad = apr_pstrcat(p, "mod_flashmsg v1 signed ",
                                 cookie_name ? cookie_name : "", NULL);
    apr_size_t adl = strlen(ad) + 1, bl = strlen(body);
    unsigned char *in = apr_palloc(p, adl + bl);
    unsigned char mac[32];
    unsigned int maclen = 0;

    memcpy(in, ad, adl);            /* with its NUL separator */
    memcpy(in + adl, body, bl);
    if (!HMAC(EVP_sha256(), kr->keys[key_index].mac, FM_KEY_LEN, in,
              adl + bl, mac, &maclen) || maclen != 32)
        fx_die("HMAC failed");
    return apr_pstrcat(p, body, ".", fx_b64(p, mac, 32), NULL);
}

const char *fx_forge_encrypted(apr_pool_t *p, const fm_keyring *kr,
                               int key_index, const char *cookie_name,
                               const unsigned char *payload, apr_size_t len)
{
    const char *aad = apr_pstrcat(p, "mod_flashmsg v1 encrypted ",
                                  cookie_name ? cookie_name : "", NULL);
    unsigned char *bin = apr_palloc(p, 12 + len + 16 + 16);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l = 0, ok;

    memset(bin, 0x42, 12);          /* a fixed nonce: tests are repeatable */
    ok = ctx
         && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL,
                               kr->keys[key_index].enc, bin) == 1
         && EVP_EncryptUpdate(ctx, NULL, &l, (const unsigned char *)aad,
                              (int)strlen(aad)) == 1
         && EVP_EncryptUpdate(ctx, bin + 12, &l, payload, (int)len) == 1
         && EVP_EncryptFinal_ex(ctx, bin + 12 + l, &l) == 1
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
                                bin + 12 + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        fx_die("AES-256-GCM failed");
    return apr_pstrcat(p, "e1.", fx_b64(p, bin, 12 + len + 16), NULL);
}

/*
 * cookie_codec.c - pending messages <-> cookie value (see cookie_codec.h).
 *
 * Everything here treats the value as hostile: explicit lengths, no NUL
 * termination assumed, every length checked against what remains, strict
 * base64url, minimal varints, and the payload is only parsed after the MAC
 * or the AEAD tag has verified.
 */
#include <string.h>
#include <limits.h>

#include <apr_strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "cookie_codec.h"
#include "requirements.h"

/* Payload versions: 1 had whole seconds only; 2 adds each message's
 * microseconds within its second, so messages of one second keep their
 * order across storages.  Version 1 is still read (usec 0). */
#define FM_PAYLOAD_V1 1
#define FM_PAYLOAD_VERSION 2
#define FM_USEC_LIMIT 1000000
/* usec is written in a fixed 3 bytes (big endian), not as a varint: the
 * length of a value, and so what fits in the cookie, must not depend on
 * the microsecond a message happened to be added in. */
#define FM_USEC_BYTES 3

#define SIGNED_PREFIX  "s1."
#define ENC_PREFIX     "e1."
#define PREFIX_LEN     3

#define MAC_LEN        32
#define MAC_B64_LEN    43          /* fm_b64url_encoded_len(MAC_LEN) */
#define NONCE_LEN      12
#define TAG_LEN        16

#define AD_SIGNED      "mod_flashmsg v1 signed "
#define AD_ENCRYPTED   "mod_flashmsg v1 encrypted "

#define VARINT_MAX     10

/* ------------------------------------------------------------------ */
/* base64url, no padding, strict                                        */
/* ------------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of byte c as a base64url character, or -1 (a constant
 * expression: the tables below are built from it by the compiler). */
#define B64_VALUE(c) \
    ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 \
     : (c) == '-' ? 62 : (c) == '_' ? 63 : -1)
#define B64_ROW4(F, a, c) F(a, c), F(a, (c) + 1), F(a, (c) + 2), F(a, (c) + 3)
#define B64_ROW16(F, a, c) B64_ROW4(F, a, c), B64_ROW4(F, a, (c) + 4), \
    B64_ROW4(F, a, (c) + 8), B64_ROW4(F, a, (c) + 12)
#define B64_ROW64(F, a, c) B64_ROW16(F, a, c), B64_ROW16(F, a, (c) + 16), \
    B64_ROW16(F, a, (c) + 32), B64_ROW16(F, a, (c) + 48)
#define B64_ALL(F, a) B64_ROW64(F, a, 0), B64_ROW64(F, a, 64), \
    B64_ROW64(F, a, 128), B64_ROW64(F, a, 192)

/* Value of each byte as a base64url character, or -1: one load per
 * character instead of five range tests. */
#define B64_PLAIN(unused, c) B64_VALUE(c)
static const signed char b64_values[256] = { B64_ALL(B64_PLAIN, 0) };

/* The same value already shifted to its place in a group of four
 * characters (24 bits), or B64_BAD: a group decodes with four loads and
 * one test (decoding runs on every page view with messages pending). */
#define B64_BAD 0x80000000u
#define B64_SHIFTED(shift, c) \
    (B64_VALUE(c) < 0 ? B64_BAD : (apr_uint32_t)B64_VALUE(c) << (shift))
static const apr_uint32_t b64_at18[256] = { B64_ALL(B64_SHIFTED, 18) };
static const apr_uint32_t b64_at12[256] = { B64_ALL(B64_SHIFTED, 12) };
static const apr_uint32_t b64_at6[256] = { B64_ALL(B64_SHIFTED, 6) };
static const apr_uint32_t b64_at0[256] = { B64_ALL(B64_SHIFTED, 0) };

static int b64_value(unsigned char c)
{
    return b64_values[c];
}

apr_size_t fm_b64url_encoded_len(apr_size_t n)
{
    static const apr_size_t tail[3] = { 0, 2, 3 };
    return (n / 3) * 4 + tail[n % 3];
}

void fm_b64url_encode(char *dst, const unsigned char *src, apr_size_t n)
{
    apr_size_t i = 0;
    while (n - i >= 3) {
        unsigned long v = ((unsigned long)src[i] << 16)
                          | ((unsigned long)src[i + 1] << 8) | src[i + 2];
        *dst++ = b64_alphabet[(v >> 18) & 63];
        *dst++ = b64_alphabet[(v >> 12) & 63];
        *dst++ = b64_alphabet[(v >> 6) & 63];
        *dst++ = b64_alphabet[v & 63];
        i += 3;
    }
    if (n - i == 1) {
        unsigned long v = (unsigned long)src[i] << 16;
        *dst++ = b64_alphabet[(v >> 18) & 63];
        *dst++ = b64_alphabet[(v >> 12) & 63];
    }
    else if (n - i == 2) {
        unsigned long v = ((unsigned long)src[i] << 16)
                          | ((unsigned long)src[i + 1] << 8);
        *dst++ = b64_alphabet[(v >> 18) & 63];
        *dst++ = b64_alphabet[(v >> 12) & 63];
        *dst++ = b64_alphabet[(v >> 6) & 63];
    }
}

long fm_b64url_decode(unsigned char *dst, const char *src, apr_size_t n)
{
    const unsigned char *s = (const unsigned char *)src;
    apr_size_t i = 0, o = 0, rem = n % 4;

    if (rem == 1 || n / 4 > (apr_size_t)(LONG_MAX / 3 - 2))
        return -1;
    while (n - i >= 4) {
        apr_uint32_t v = b64_at18[s[i]] | b64_at12[s[i + 1]]
                         | b64_at6[s[i + 2]] | b64_at0[s[i + 3]];
        if (v & B64_BAD)
            return -1;
        dst[o++] = (unsigned char)(v >> 16);
        dst[o++] = (unsigned char)(v >> 8);
        dst[o++] = (unsigned char)v;
        i += 4;
    }
    if (rem == 2) {
        int a = b64_value(s[i]), b = b64_value(s[i + 1]);
        if ((a | b) < 0 || (b & 0x0F) != 0)   /* stray bits */
            return -1;
        dst[o++] = (unsigned char)((a << 2) | (b >> 4));
    }
    else if (rem == 3) {
        int a = b64_value(s[i]), b = b64_value(s[i + 1]);
        int c = b64_value(s[i + 2]);
        if ((a | b | c) < 0 || (c & 0x03) != 0)
            return -1;
        dst[o++] = (unsigned char)((a << 2) | (b >> 4));
        dst[o++] = (unsigned char)(((b & 0x0F) << 4) | (c >> 2));
    }
    return (long)o;
}

/* Upper bound of the decoded length of n base64url characters. */
static apr_size_t b64_decoded_max(apr_size_t n)
{
    return (n / 4) * 3 + 2;
}

/* ------------------------------------------------------------------ */
/* varints                                                              */
/* ------------------------------------------------------------------ */

static apr_size_t varint_len(apr_uint64_t v)
{
    apr_size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static unsigned char *varint_put(unsigned char *d, apr_uint64_t v)
{
    while (v >= 0x80) {
        *d++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *d++ = (unsigned char)v;
    return d;
}

/* A bounded reader over the payload. */
typedef struct {
    const unsigned char *p;
    apr_size_t len;
    apr_size_t pos;
} reader;

/* Unsigned LEB128, at most 10 bytes, minimal, no overflow.  0 or -1. */
static int varint_get(reader *r, apr_uint64_t *out)
{
    apr_uint64_t v = 0;
    int i;
    for (i = 0; i < VARINT_MAX; i++) {
        unsigned char b;
        if (r->pos >= r->len)
            return -1;
        b = r->p[r->pos++];
        if (i == VARINT_MAX - 1 && b > 1)      /* beyond 64 bits */
            return -1;
        v |= (apr_uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0)               /* non-minimal */
                return -1;
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* payload                                                              */
/* ------------------------------------------------------------------ */

/*
 * What the encoder writes for a message.  A message the decoder would
 * refuse (empty or invalid text) is skipped rather than poisoning the whole
 * cookie; invalid extra tags are written as "".  A negative level or
 * creation time (outside the model) is written as 0.  encoded_len, fit and
 * encode all go through here, so they agree.
 */
typedef struct {
    int skip;
    apr_uint64_t level;
    apr_uint64_t created;
    apr_uint64_t usec;
    const char *text;
    apr_size_t text_len;
    const char *tags;
    apr_size_t tags_len;
} enc_msg;

static void enc_prepare(const fm_message *m, enc_msg *e)
{
    e->text = m->text ? m->text : "";
    e->text_len = strlen(e->text);
    e->skip = e->text_len == 0 || !fm_text_valid(e->text, e->text_len);
    e->tags = m->extra_tags ? m->extra_tags : "";
    e->tags_len = strlen(e->tags);
    if (e->tags_len && !fm_text_valid(e->tags, e->tags_len)) {
        e->tags = "";
        e->tags_len = 0;
    }
    e->level = m->level < 0 ? 0 : (apr_uint64_t)m->level;
    e->created = m->created < 0 ? 0 : (apr_uint64_t)m->created;
    e->usec = m->usec < 0 || m->usec >= FM_USEC_LIMIT ? 0 : (apr_uint64_t)m->usec;
}

/* t0: the smallest creation time written, 0 for an empty list. */
static apr_uint64_t payload_t0(const fm_message *msgs, int n)
{
    apr_uint64_t t0 = 0;
    int i, any = 0;
    for (i = 0; i < n; i++) {
        enc_msg e;
        enc_prepare(&msgs[i], &e);
        if (e.skip)
            continue;
        if (!any || e.created < t0)
            t0 = e.created;
        any = 1;
    }
    return t0;
}

static apr_size_t payload_len(const fm_message *msgs, int n)
{
    apr_uint64_t t0 = payload_t0(msgs, n);
    apr_size_t len = 2 + varint_len(t0);
    int i;
    for (i = 0; i < n; i++) {
        enc_msg e;
        enc_prepare(&msgs[i], &e);
        if (e.skip)
            continue;
        len += varint_len(e.level) + varint_len(e.created - t0)
               + FM_USEC_BYTES + varint_len(e.tags_len) + e.tags_len
               + varint_len(e.text_len) + e.text_len;
    }
    return len;
}

/* Writes the payload into buf (payload_len() bytes); returns its length. */
static apr_size_t payload_write(unsigned char *buf, const fm_message *msgs,
                                int n, unsigned flags)
{
    apr_uint64_t t0 = payload_t0(msgs, n);
    unsigned char *d = buf;
    int i;
    *d++ = FM_PAYLOAD_VERSION;
    *d++ = (unsigned char)flags;
    d = varint_put(d, t0);
    for (i = 0; i < n; i++) {
        enc_msg e;
        enc_prepare(&msgs[i], &e);
        if (e.skip)
            continue;
        d = varint_put(d, e.level);
        d = varint_put(d, e.created - t0);
        *d++ = (unsigned char)(e.usec >> 16);
        *d++ = (unsigned char)(e.usec >> 8);
        *d++ = (unsigned char)e.usec;
        d = varint_put(d, e.tags_len);
        memcpy(d, e.tags, e.tags_len);
        d += e.tags_len;
        d = varint_put(d, e.text_len);
        memcpy(d, e.text, e.text_len);
        d += e.text_len;
    }
    return (apr_size_t)(d - buf);
}

/* A string field: varint length, then that many bytes of valid text. */
static int get_text(reader *r, apr_pool_t *p, int allow_empty,
                    const char **out)
{
    apr_uint64_t n;
    const char *s;
    if (varint_get(r, &n) != 0 || n > r->len - r->pos)
        return -1;
    if (n == 0 && !allow_empty)
        return -1;
    s = (const char *)r->p + r->pos;
    if (!fm_text_valid(s, (apr_size_t)n))
        return -1;
    *out = apr_pstrmemdup(p, s, (apr_size_t)n);
    r->pos += (apr_size_t)n;
    return 0;
}

/* Parses a whole payload into list (fm_message).  0 or -1. */
static int payload_parse(apr_pool_t *p, const unsigned char *buf,
                         apr_size_t len, apr_array_header_t *list,
                         unsigned *flags)
{
    reader r;
    apr_uint64_t t0;

    if (len < 3 || (buf[0] != FM_PAYLOAD_VERSION && buf[0] != FM_PAYLOAD_V1))
        return -1;
    *flags = buf[1];
    r.p = buf;
    r.len = len;
    r.pos = 2;
    if (varint_get(&r, &t0) != 0 || t0 > (apr_uint64_t)APR_INT64_MAX)
        return -1;
    while (r.pos < r.len) {
        apr_uint64_t level, delta, usec = 0;
        fm_message *m;
        const char *tags, *text;
        if (varint_get(&r, &level) != 0 || level > (apr_uint64_t)INT_MAX)
            return -1;
        if (varint_get(&r, &delta) != 0
            || delta > (apr_uint64_t)APR_INT64_MAX - t0)
            return -1;
        if (buf[0] != FM_PAYLOAD_V1) {
            if (r.len - r.pos < FM_USEC_BYTES)
                return -1;
            usec = ((apr_uint64_t)r.p[r.pos] << 16)
                   | ((apr_uint64_t)r.p[r.pos + 1] << 8) | r.p[r.pos + 2];
            r.pos += FM_USEC_BYTES;
            if (usec >= FM_USEC_LIMIT)
                return -1;
        }
        if (get_text(&r, p, 1, &tags) != 0)
            return -1;
        if (get_text(&r, p, 0, &text) != 0)
            return -1;
        m = apr_array_push(list);
        m->level = (int)level;
        m->created = (apr_int64_t)(t0 + delta);
        m->usec = (apr_int32_t)usec;
        m->extra_tags = tags;
        m->text = text;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* value                                                                */
/* ------------------------------------------------------------------ */

static apr_size_t signed_len(apr_size_t plen)
{
    return PREFIX_LEN + fm_b64url_encoded_len(plen) + 1 + MAC_B64_LEN;
}

static apr_size_t encrypted_len(apr_size_t plen)
{
    return PREFIX_LEN + fm_b64url_encoded_len(NONCE_LEN + plen + TAG_LEN);
}

apr_size_t fm_cookie_encoded_len(const fm_codec_opts *o,
                                 const fm_message *msgs, int n)
{
    apr_size_t plen = payload_len(msgs, n);
    return o->encrypt ? encrypted_len(plen) : signed_len(plen);
}

/* The MAC input prefix "AD || 0x00": written at buf, returns its length. */
static apr_size_t signed_ad(char *buf, const char *cookie_name)
{
    apr_size_t al = sizeof(AD_SIGNED) - 1, nl = strlen(cookie_name);
    if (buf) {
        memcpy(buf, AD_SIGNED, al);
        memcpy(buf + al, cookie_name, nl);
        buf[al + nl] = '\0';
    }
    return al + nl + 1;
}

static const char *encode_signed(apr_pool_t *p, const fm_keyring *kr,
                                 const char *name, const unsigned char *pl,
                                 apr_size_t plen)
{
    apr_size_t adl = signed_ad(NULL, name);
    apr_size_t vlen = signed_len(plen);
    apr_size_t blen = fm_b64url_encoded_len(plen);
    /* One buffer: AD || 0x00 || value, so the MAC input is contiguous. */
    char *buf = apr_palloc(p, adl + vlen + 1);
    char *v = buf + adl;
    unsigned char mac[EVP_MAX_MD_SIZE];

    signed_ad(buf, name);
    memcpy(v, SIGNED_PREFIX, PREFIX_LEN);
    fm_b64url_encode(v + PREFIX_LEN, pl, plen);
    if (fm_key_hmac(&kr->keys[0], (const unsigned char *)buf,
                    adl + PREFIX_LEN + blen, mac) != 0)
        return "";   /* unreachable in practice; decodes as malformed */
    v[PREFIX_LEN + blen] = '.';
    fm_b64url_encode(v + PREFIX_LEN + blen + 1, mac, MAC_LEN);
    v[vlen] = '\0';
    /* (mac is not wiped: it goes out in the cookie) */
    return v;
}

static const char *encrypted_aad(apr_pool_t *p, const char *name,
                                 apr_size_t *len)
{
    const char *aad = apr_pstrcat(p, AD_ENCRYPTED, name, NULL);
    *len = strlen(aad);
    return aad;
}

static const char *encode_encrypted(apr_pool_t *p, const fm_keyring *kr,
                                    const char *name, const unsigned char *pl,
                                    apr_size_t plen)
{
    apr_size_t aadl, blen = NONCE_LEN + plen + TAG_LEN;
    const char *aad = encrypted_aad(p, name, &aadl);
    unsigned char *bin = apr_palloc(p, blen);
    apr_size_t vlen = encrypted_len(plen);
    char *v;
    EVP_CIPHER_CTX *ctx;
    int outl = 0, finl = 0, ok;

    if (plen > INT_MAX - 64 || aadl > INT_MAX)
        return "";
    if (RAND_bytes(bin, NONCE_LEN) != 1)
        return "";   /* never reuse or invent a nonce */
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return "";
    ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, kr->keys[0].enc,
                            bin) == 1
         && EVP_EncryptUpdate(ctx, NULL, &outl, (const unsigned char *)aad,
                              (int)aadl) == 1
         && EVP_EncryptUpdate(ctx, bin + NONCE_LEN, &outl, pl,
                              (int)plen) == 1
         && (apr_size_t)outl == plen
         && EVP_EncryptFinal_ex(ctx, bin + NONCE_LEN + outl, &finl) == 1
         && finl == 0
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
                                bin + NONCE_LEN + plen) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        return "";
    v = apr_palloc(p, vlen + 1);
    memcpy(v, ENC_PREFIX, PREFIX_LEN);
    fm_b64url_encode(v + PREFIX_LEN, bin, blen);
    v[vlen] = '\0';
    return v;
}

const char *fm_cookie_encode(apr_pool_t *p, const fm_keyring *kr,
                             const fm_codec_opts *o, const fm_message *msgs,
                             int n, unsigned flags, apr_int64_t now)
{
    const char *name = o->cookie_name ? o->cookie_name : "";
    apr_size_t plen;
    unsigned char *pl;
    const char *v;

    (void)now;   /* creation times come from the messages */
    if (n < 0)
        n = 0;
    plen = payload_len(msgs, n);
    pl = apr_palloc(p, plen);
    payload_write(pl, msgs, n, flags);
    if (o->encrypt) {
        v = encode_encrypted(p, kr, name, pl, plen);
        OPENSSL_cleanse(pl, plen);   /* the plaintext is not left around */
    }
    else {
        v = encode_signed(p, kr, name, pl, plen);
    }
    return v;
}

/* Verifies a signed value; on success sets *payload, *plen and *key. */
static fm_decode_status decode_signed(apr_pool_t *p, const fm_keyring *kr,
                                      const char *name, const char *value,
                                      apr_size_t len,
                                      unsigned char **payload,
                                      apr_size_t *plen, int *key)
{
    unsigned char want[MAC_LEN + 2];
    unsigned char mac[EVP_MAX_MD_SIZE];
    apr_size_t adl, blen;
    char *buf;
    unsigned char *pl;
    long dl;
    int i;

    if (len < PREFIX_LEN + 1 + MAC_B64_LEN
        || value[len - MAC_B64_LEN - 1] != '.')
        return FM_DECODE_MALFORMED;
    blen = len - PREFIX_LEN - 1 - MAC_B64_LEN;
    if (fm_b64url_decode(want, value + len - MAC_B64_LEN, MAC_B64_LEN)
        != MAC_LEN)
        return FM_DECODE_MALFORMED;
    pl = apr_palloc(p, b64_decoded_max(blen));
    dl = fm_b64url_decode(pl, value + PREFIX_LEN, blen);
    if (dl < 0)
        return FM_DECODE_MALFORMED;

    adl = signed_ad(NULL, name);
    buf = apr_palloc(p, adl + PREFIX_LEN + blen);
    signed_ad(buf, name);
    memcpy(buf + adl, value, PREFIX_LEN + blen);
    for (i = 0; i < kr->nkeys; i++) {
        if (fm_key_hmac(&kr->keys[i], (const unsigned char *)buf,
                        adl + PREFIX_LEN + blen, mac) != 0)
            continue;
        if (CRYPTO_memcmp(mac, want, MAC_LEN) == 0) {
            /* Not wiped: it is the tag the client sent.  A tag that did not
             * match is (below): it would sign the client's bytes. */
            *payload = pl;
            *plen = (apr_size_t)dl;
            *key = i;
            return FM_DECODE_OK;
        }
    }
    OPENSSL_cleanse(mac, sizeof(mac));
    return FM_DECODE_BAD_SIGNATURE;
}

/* Tries one key; 1 when the tag verified and out holds the plaintext. */
static int gcm_open(EVP_CIPHER_CTX *ctx, const unsigned char *key,
                    const unsigned char *bin, apr_size_t clen,
                    const char *aad, apr_size_t aadl, unsigned char *out)
{
    int outl = 0, finl = 0;
    unsigned char tag[TAG_LEN];

    memcpy(tag, bin + NONCE_LEN + clen, TAG_LEN);
    if (EVP_CIPHER_CTX_reset(ctx) != 1
        || EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, bin) != 1
        || EVP_DecryptUpdate(ctx, NULL, &outl, (const unsigned char *)aad,
                             (int)aadl) != 1
        || EVP_DecryptUpdate(ctx, out, &outl, bin + NONCE_LEN,
                             (int)clen) != 1
        || (apr_size_t)outl != clen
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1
        || EVP_DecryptFinal_ex(ctx, out + outl, &finl) != 1)
        return 0;
    return 1;
}

static fm_decode_status decode_encrypted(apr_pool_t *p, const fm_keyring *kr,
                                         const char *name, const char *value,
                                         apr_size_t len,
                                         unsigned char **payload,
                                         apr_size_t *plen, int *key)
{
    apr_size_t blen = len - PREFIX_LEN, aadl, clen;
    const char *aad;
    unsigned char *bin, *out;
    EVP_CIPHER_CTX *ctx;
    long dl;
    int i;

    if (blen < fm_b64url_encoded_len(NONCE_LEN + TAG_LEN))
        return FM_DECODE_MALFORMED;
    bin = apr_palloc(p, b64_decoded_max(blen));
    dl = fm_b64url_decode(bin, value + PREFIX_LEN, blen);
    if (dl < NONCE_LEN + TAG_LEN)
        return FM_DECODE_MALFORMED;
    clen = (apr_size_t)dl - NONCE_LEN - TAG_LEN;
    aad = encrypted_aad(p, name, &aadl);
    if (clen > INT_MAX - 64 || aadl > INT_MAX)
        return FM_DECODE_MALFORMED;
    out = apr_palloc(p, clen + 32);   /* room for a block, though GCM adds none */
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return FM_DECODE_BAD_SIGNATURE;
    for (i = 0; i < kr->nkeys; i++) {
        if (gcm_open(ctx, kr->keys[i].enc, bin, clen, aad, aadl, out)) {
            EVP_CIPHER_CTX_free(ctx);
            *payload = out;
            *plen = clen;
            *key = i;
            return FM_DECODE_OK;
        }
    }
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(out, clen);
    return FM_DECODE_BAD_SIGNATURE;
}

fm_decode_status fm_cookie_decode(apr_pool_t *p, const fm_keyring *kr,
                                  const fm_codec_opts *o, const char *value,
                                  apr_size_t len, apr_int64_t now,
                                  apr_array_header_t *out, unsigned *flags,
                                  int *expired, int *key_index)
{
    const char *name = o->cookie_name ? o->cookie_name : "";
    unsigned char *payload = NULL;
    apr_size_t plen = 0;
    apr_array_header_t *list;
    fm_decode_status st;
    const fm_message *m;
    unsigned fl = 0;
    int key = -1, i, dropped = 0;

    if (flags)
        *flags = 0;
    if (expired)
        *expired = 0;
    if (key_index)
        *key_index = -1;
    if (!value || len < PREFIX_LEN || !kr || kr->nkeys < 1)
        return FM_DECODE_MALFORMED;

    if (memcmp(value, SIGNED_PREFIX, PREFIX_LEN) == 0) {
        if (o->encrypt)
            return FM_DECODE_WRONG_KIND;
        st = decode_signed(p, kr, name, value, len, &payload, &plen, &key);
    }
    else if (memcmp(value, ENC_PREFIX, PREFIX_LEN) == 0) {
        if (!o->encrypt)
            return FM_DECODE_WRONG_KIND;
        st = decode_encrypted(p, kr, name, value, len, &payload, &plen, &key);
    }
    else {
        return FM_DECODE_MALFORMED;
    }
    if (st != FM_DECODE_OK)
        return st;

    list = apr_array_make(p, 8, sizeof(fm_message));
    if (payload_parse(p, payload, plen, list, &fl) != 0)
        return FM_DECODE_MALFORMED;

    m = (const fm_message *)list->elts;
    for (i = 0; i < list->nelts; i++)
        /* created >= 0, so created - skew cannot overflow */
        if (m[i].created - FM_CLOCK_SKEW > now)
            return FM_DECODE_FUTURE;

    for (i = 0; i < list->nelts; i++) {
        if (fm_cookie_expired(m[i].created, o->max_age, now)) {
            dropped++;
            continue;
        }
        *(fm_message *)apr_array_push(out) = m[i];
    }
    if (flags)
        *flags = fl;
    if (expired)
        *expired = dropped;
    if (key_index)
        *key_index = key;
    return FM_DECODE_OK;
}

int fm_cookie_expired(apr_int64_t created, apr_int64_t max_age,
                      apr_int64_t now)
{
    /* created + max_age < now, computed without overflow */
    return max_age > 0 && now > created && now - created > max_age;
}

const char *fm_decode_status_str(fm_decode_status s)
{
    switch (s) {
    case FM_DECODE_OK:
        return "ok";
    case FM_DECODE_MALFORMED:
        return "malformed value";
    case FM_DECODE_BAD_SIGNATURE:
        return "signature does not verify";
    case FM_DECODE_WRONG_KIND:
        return "signed value where encryption is required, or vice versa";
    case FM_DECODE_FUTURE:
        return "creation time in the future";
    }
    return "unknown status";
}

int fm_cookie_fit(const fm_codec_opts *o, const fm_message *msgs, int n,
                  apr_size_t max_len, int keep_newest)
{
    int lo = 0, hi;

    if (n <= 0)
        return 0;
    if (fm_cookie_encoded_len(o, msgs, n) <= max_len)
        return n;
    /* Invariant: lo messages fit (or lo == 0), hi messages do not. */
    hi = n;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        const fm_message *start = keep_newest ? msgs + (n - mid) : msgs;
        if (fm_cookie_encoded_len(o, start, mid) <= max_len)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

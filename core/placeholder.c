/*
 * placeholder.c - streaming placeholder matcher (KMP over chunks).
 *
 * When nothing is held, whole placeholders are searched for by their
 * rarest byte: memchr() runs at memory speed, and a candidate is confirmed
 * with one memcmp().  HTML is full of '<' and letters, so stopping at the
 * first byte would be slow; glibc's memmem() was a quarter of the CPU time
 * of a 1 GiB page with a placeholder every 64 KiB.  A page full of that
 * byte falls back to memmem().  Only the last len-1 bytes of a chunk,
 * where a placeholder split across chunks can start, go through the KMP
 * automaton.
 */
#include <string.h>

#include "placeholder.h"

/* How often byte c turns up in HTML and text, roughly: 0 = seldom (so a
 * good byte to search for), 3 = everywhere. */
static int page_frequency(unsigned char c)
{
    if (c == ' ' || c == 'e' || c == 't' || c == 'a' || c == 'o'
        || c == 'i' || c == 'n' || c == 's' || c == 'r')
        return 3;
    if ((c >= 'a' && c <= 'z') || c == '<' || c == '>' || c == '/'
        || c == '"' || c == '=' || c == '\n' || c == '.' || c == '-')
        return 2;
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\t'
        || c == '\r' || c == '_' || c == ':' || c == ';' || c == ','
        || c == '&' || c == '#' || c == '\'' || c == '(' || c == ')'
        || c == '?' || c == '%' || c >= 0x80)
        return 1;
    return 0;   /* ! { } | ^ ~ ` $ @ [ ] * + \ and control bytes */
}

const fm_pattern *fm_pattern_compile(apr_pool_t *p, const char *pat,
                                     apr_size_t len)
{
    fm_pattern *pt = apr_palloc(p, sizeof(*pt));
    apr_size_t *fail = apr_palloc(p, len * sizeof(apr_size_t));
    apr_size_t i, k = 0;
    char *copy = apr_palloc(p, len + 1);

    memcpy(copy, pat, len);
    copy[len] = '\0';
    fail[0] = 0;
    for (i = 1; i < len; i++) {
        while (k > 0 && pat[i] != pat[k])
            k = fail[k - 1];
        if (pat[i] == pat[k])
            k++;
        fail[i] = k;
    }
    pt->rare = 0;
    for (i = 1; i < len; i++)
        if (page_frequency((unsigned char)pat[i])
            < page_frequency((unsigned char)pat[pt->rare]))
            pt->rare = i;
    pt->pat = copy;
    pt->len = len;
    pt->fail = fail;
    return pt;
}

/* Where the first whole pattern in buf[i..n) starts, or NULL. */
static const char *find_whole(const fm_pattern *p, const char *buf,
                              apr_size_t i, apr_size_t n)
{
    const char *at, *last;
    apr_size_t misses = 0;

    if (n - i < p->len)
        return NULL;
    /* A match at s has pat[rare] at s + rare; s runs up to n - len. */
    at = buf + i + p->rare;
    last = buf + (n - p->len) + p->rare;
    while (at <= last) {
        const char *hit = memchr(at, (unsigned char)p->pat[p->rare],
                                 (apr_size_t)(last - at) + 1);
        if (!hit)
            return NULL;
        if (memcmp(hit - p->rare, p->pat, p->len) == 0)
            return hit - p->rare;
        at = hit + 1;
        /* The byte is common in this page after all: memmem's worst case
         * is linear, ours would not be. */
        if (++misses > 16 && misses * 64 > (apr_size_t)(at - buf) - i)
            return memmem(at - p->rare, (apr_size_t)(buf + n - (at - p->rare)),
                          p->pat, p->len);
    }
    return NULL;
}

void fm_matcher_start(fm_matcher *m, const fm_pattern *pattern)
{
    m->p = pattern;
    m->held = 0;
}

void fm_matcher_step(fm_matcher *m, const char *buf, apr_size_t start,
                     apr_size_t n, fm_step *out)
{
    apr_size_t q0 = m->held;    /* held from earlier chunks */
    apr_size_t q = q0;
    apr_size_t i = start;
    int matched = 0, in_tail = 0;

    while (i < n && !matched) {
        if (q == 0 && !in_tail) {
            const char *hit = find_whole(m->p, buf, i, n);
            if (hit) {
                i = (apr_size_t)(hit - buf) + m->p->len;
                matched = 1;
                break;
            }
            /* No whole placeholder left in the chunk: only its tail can
             * hold the start of one, byte by byte through the automaton
             * (no whole one fits there: not searched again per byte). */
            if (n - i > m->p->len - 1)
                i = n - (m->p->len - 1);
            in_tail = 1;
            if (i == n)
                break;
        }
        if (q == 0) {
            /* Bytes other than the placeholder's first leave the
             * automaton at 0: skip to the next one at once. */
            const char *c0 = memchr(buf + i, (unsigned char)m->p->pat[0],
                                    n - i);
            if (!c0) {
                i = n;
                break;
            }
            i = (apr_size_t)(c0 - buf);
        }
        while (q > 0 && buf[i] != m->p->pat[q])
            q = m->p->fail[q - 1];
        if (buf[i] == m->p->pat[q])
            q++;
        i++;
        matched = q == m->p->len;
    }
    if (matched) {
        /* The match covers the last len bytes of (held + buf[start..i)). */
        apr_size_t scanned = i - start;
        if (scanned >= m->p->len) {
            out->release = q0;
            out->data_len = scanned - m->p->len;
        }
        else {
            out->release = q0 - (m->p->len - scanned);
            out->data_len = 0;
        }
        out->matched = 1;
        out->next = i;
        m->held = 0;
        return;
    }
    /* No match: the last q bytes of (held + chunk) are held back. */
    {
        apr_size_t scanned = n - start;
        if (scanned >= q) {
            out->release = q0;
            out->data_len = scanned - q;
        }
        else {
            out->release = q0 - (q - scanned);
            out->data_len = 0;
        }
    }
    out->matched = 0;
    out->next = n;
    m->held = q;
}

apr_size_t fm_matcher_finish(fm_matcher *m)
{
    apr_size_t h = m->held;
    m->held = 0;
    return h;
}

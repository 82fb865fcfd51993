/*
 * placeholder.c - streaming placeholder matcher (KMP over chunks).
 *
 * When nothing is held, the whole pattern is searched with memmem() (HTML
 * is full of '<', so stopping at each one would be slow); only the last
 * len-1 bytes of a chunk, where a placeholder split across chunks can start,
 * go through the KMP automaton.
 */
#include <string.h>

#include "placeholder.h"

void fm_matcher_init(fm_matcher *m, apr_pool_t *p, const char *pat,
                     apr_size_t len)
{
    apr_size_t i, k = 0;
    m->pat = pat;
    m->len = len;
    m->held = 0;
    m->fail = apr_palloc(p, len * sizeof(apr_size_t));
    m->fail[0] = 0;
    for (i = 1; i < len; i++) {
        while (k > 0 && pat[i] != pat[k])
            k = m->fail[k - 1];
        if (pat[i] == pat[k])
            k++;
        m->fail[i] = k;
    }
}

void fm_matcher_step(fm_matcher *m, const char *buf, apr_size_t start,
                     apr_size_t n, fm_step *out)
{
    apr_size_t q0 = m->held;    /* held from earlier chunks */
    apr_size_t q = q0;
    apr_size_t i = start;
    int matched = 0;

    while (i < n && !matched) {
        if (q == 0) {
            const char *hit = memmem(buf + i, n - i, m->pat, m->len);
            if (hit) {
                i = (apr_size_t)(hit - buf) + m->len;
                matched = 1;
                break;
            }
            /* No whole placeholder left in the chunk: only its tail can
             * hold the start of one. */
            if (n - i > m->len - 1)
                i = n - (m->len - 1);
            if (i == n)
                break;
        }
        while (q > 0 && buf[i] != m->pat[q])
            q = m->fail[q - 1];
        if (buf[i] == m->pat[q])
            q++;
        i++;
        matched = q == m->len;
    }
    if (matched) {
        /* The match covers the last len bytes of (held + buf[start..i)). */
        apr_size_t scanned = i - start;
        if (scanned >= m->len) {
            out->release = q0;
            out->data_len = scanned - m->len;
        }
        else {
            out->release = q0 - (m->len - scanned);
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

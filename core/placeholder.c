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
    pt->pat = copy;
    pt->len = len;
    pt->fail = fail;
    return pt;
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
    int matched = 0;

    while (i < n && !matched) {
        if (q == 0) {
            const char *hit = memmem(buf + i, n - i, m->p->pat, m->p->len);
            if (hit) {
                i = (apr_size_t)(hit - buf) + m->p->len;
                matched = 1;
                break;
            }
            /* No whole placeholder left in the chunk: only its tail can
             * hold the start of one. */
            if (n - i > m->p->len - 1)
                i = n - (m->p->len - 1);
            if (i == n)
                break;
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

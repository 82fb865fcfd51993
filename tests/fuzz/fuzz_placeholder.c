/*
 * fuzz_placeholder.c - the streaming matcher fed random splits must agree
 * with a naive whole-buffer replace, and never hold len or more bytes.
 * Input: byte 0 = pattern length (1..16), then the pattern, then split
 * sizes are drawn from the rest of the input as it is consumed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include "placeholder.h"
#include "../common/fixtures.h"

static apr_pool_t *pool;

static size_t naive(const char *s, size_t n, const char *pat, size_t pl, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (n - i >= pl && memcmp(s + i, pat, pl) == 0) {
            out[o++] = '#';
            i += pl;
        }
        else {
            out[o++] = s[i++];
        }
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fm_matcher m;
    size_t pl, n, pos = 0, o = 0, wl;
    const char *pat, *body;
    char *want, *got;
    unsigned seed;

    if (!pool)
        apr_pool_create(&pool, fx_process_pool());
    if (size < 2)
        return 0;
    pl = (size_t)(data[0] % 16) + 1;
    if (size < 1 + pl)
        return 0;
    pat = (const char *)data + 1;
    body = pat + pl;
    n = size - 1 - pl;
    seed = (unsigned)size * 2654435761u;
    want = malloc(n + 1);
    got = malloc(n + 1);
    wl = naive(body, n, pat, pl, want);
    fm_matcher_start(&m, fm_pattern_compile(pool, pat, pl));
    while (pos < n) {
        /* mostly small pieces (split placeholders), sometimes the whole
         * rest (the whole-pattern search by the rarest byte) */
        size_t chunk = rand_r(&seed) % 4 ? (size_t)(rand_r(&seed) % 9) : n - pos;
        size_t start = 0;
        if (chunk > n - pos)
            chunk = n - pos;
        for (;;) {
            fm_step st;
            fm_matcher_step(&m, body + pos, start, chunk, &st);
            if (st.release > pl || m.held >= pl)
                abort();
            memcpy(got + o, pat, st.release);
            o += st.release;
            memcpy(got + o, body + pos + start, st.data_len);
            o += st.data_len;
            if (!st.matched)
                break;
            got[o++] = '#';
            start = st.next;
            if (start == chunk)
                break;
        }
        pos += chunk;
    }
    {
        size_t h = fm_matcher_finish(&m);
        memcpy(got + o, pat, h);
        o += h;
    }
    if (o != wl || memcmp(got, want, wl) != 0)
        abort();
    free(want);
    free(got);
    apr_pool_clear(pool);
    return 0;
}

/*
 * near_miss.c - finding a placeholder written almost right (near_miss.h).
 *
 * Asked only of pages that keep messages waiting, over at most
 * FlashMsgScanLimit bytes, so a byte at a time is fast enough.
 */
#include <apr_lib.h>

#include "near_miss.h"

/* White space is dropped; everything else is compared folded to lower
 * case (-1: dropped). */
static int fold(unsigned char c)
{
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'
        || c == '\v')
        return -1;
    return apr_tolower(c);
}

void fm_near_miss_start(fm_near_miss *nm, apr_pool_t *p, const char *pat,
                        apr_size_t len)
{
    char *folded = apr_palloc(p, len + 1);
    apr_size_t i, n = 0;

    for (i = 0; i < len; i++) {
        int c = fold((unsigned char)pat[i]);
        if (c >= 0)
            folded[n++] = (char)c;
    }
    /* The exact matcher's compiler gives the failure function. */
    nm->folded = n ? fm_pattern_compile(p, folded, n) : NULL;
    nm->matched = 0;
    nm->found = 0;
}

int fm_near_miss_feed(fm_near_miss *nm, const char *buf, apr_size_t n)
{
    const fm_pattern *f = nm->folded;
    apr_size_t i, k = nm->matched;

    if (nm->found || !f)
        return nm->found;
    for (i = 0; i < n; i++) {
        int c = fold((unsigned char)buf[i]);
        if (c < 0)
            continue;
        while (k > 0 && f->pat[k] != (char)c)
            k = f->fail[k - 1];
        if (f->pat[k] == (char)c && ++k == f->len) {
            nm->found = 1;
            break;
        }
    }
    nm->matched = k;
    return nm->found;
}

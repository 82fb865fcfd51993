/*
 * near_miss.h - a placeholder written almost right: the page holds the
 * placeholder's text with other white space or in another case
 * ("<!-- FLASH_MESSAGES -->", "<!--flash_messages-->" for the default).
 * Placeholder and page are compared with white space removed and ASCII
 * letters folded to lower case, chunk by chunk (KMP over the folded text:
 * a near miss split between chunks is found too), holding no page bytes.
 * It is asked only of a page where the exact placeholder was not found, so
 * an exact placeholder, which would also match, never reaches it.
 * Server independent.
 */
#ifndef FM_NEAR_MISS_H
#define FM_NEAR_MISS_H

#include <apr_pools.h>

#include "placeholder.h"

typedef struct {
    const fm_pattern *folded;   /* the placeholder folded, with its KMP
                                 * failure function; NULL if it is only
                                 * white space (never found) */
    apr_size_t matched;         /* folded page bytes matched so far */
    int found;
} fm_near_miss;

/* Start looking for near misses of placeholder pat[0..len); the folded
 * pattern is allocated from p. */
void fm_near_miss_start(fm_near_miss *nm, apr_pool_t *p, const char *pat,
                        apr_size_t len);
/* The next chunk of the page; returns nm->found (once found, stays). */
int fm_near_miss_feed(fm_near_miss *nm, const char *buf, apr_size_t n);

#endif

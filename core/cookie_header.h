/*
 * cookie_header.h - find the values of one cookie in a Cookie request
 * header (RFC 6265 cookie-string).  Server independent.
 */
#ifndef FM_COOKIE_HEADER_H
#define FM_COOKIE_HEADER_H

#include <apr_pools.h>
#include <apr_tables.h>

/*
 * Append to out (array of const char *) every value of the cookie `name`
 * found in `header` (pairs separated by ';', optional spaces, names compared
 * exactly).  Values are copied into p; a value in double quotes is taken
 * without them.  Every value is taken: junk put in front of a valid value
 * (cookie tossing from a sibling domain) must not hide it.  The header's
 * own size limit (LimitRequestFieldSize) bounds how many there can be.
 */
void fm_cookie_header_find(apr_pool_t *p, const char *header,
                           const char *name, apr_array_header_t *out);

/* A cookie's family: the cookie `base` and every cookie named `base.ID`
 * (one per batch of messages: see storage/cookie_storage.c). */
typedef struct {
    const char *name;
    const char *value;
    apr_size_t value_len;       /* strlen(value), known from the scan */
} fm_cookie_pair;

/* Append every cookie of base's family found in header to out (an array
 * of fm_cookie_pair), names and values copied into p. */
void fm_cookie_header_find_family(apr_pool_t *p, const char *header,
                                  const char *base, apr_array_header_t *out);

/* Does `header` carry the cookie `name` (family: or one of its family)
 * at all?  No allocation. */
int fm_cookie_header_has(const char *header, const char *name, int family);

#endif

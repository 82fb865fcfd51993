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

/* Does `header` carry the cookie `name` at all?  No allocation. */
int fm_cookie_header_has(const char *header, const char *name);

#endif

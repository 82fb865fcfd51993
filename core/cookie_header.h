/*
 * cookie_header.h - find the values of one cookie in a Cookie request
 * header (RFC 6265 cookie-string).  Server independent.
 */
#ifndef FM_COOKIE_HEADER_H
#define FM_COOKIE_HEADER_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Most values of one name taken from a request; more are ignored. */
#define FM_COOKIE_VALUES_MAX 8

/*
 * Append to out (array of const char *) every value of the cookie `name`
 * found in `header` (pairs separated by ';', optional spaces, names compared
 * exactly).  Values are copied into p; a value in double quotes is taken
 * without them.  Stops once out holds FM_COOKIE_VALUES_MAX values.
 */
void fm_cookie_header_find(apr_pool_t *p, const char *header,
                           const char *name, apr_array_header_t *out);

/* Does `header` carry the cookie `name` at all?  No allocation. */
int fm_cookie_header_has(const char *header, const char *name);

#endif

/*
 * request_origin.h - who started a request: this site's own pages (or the
 * user, typing an address), or another site.  A browser sends none of the
 * module's SameSite=Lax cookies with another site's form POST, yet keeps
 * the cookies its answer sets; storage must not let such answers pile up
 * new cookies the next requests cannot see (docs/spec.md §5, the browser-side
 * bound).
 */
#ifndef FM_REQUEST_ORIGIN_H
#define FM_REQUEST_ORIGIN_H

#include <httpd.h>

/* Did another site (or a sibling subdomain) start this request?  From
 * Sec-Fetch-Site (every current browser sends it), else from Origin
 * ("null", or another host); a request with neither is taken as the
 * site's own (an older browser's navigation, or a client that is no
 * browser). */
int fm_request_from_other_site(request_rec *r);

#endif

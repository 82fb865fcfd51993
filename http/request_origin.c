/*
 * request_origin.c - was a request started by another site?  (Contract in
 * request_origin.h.)  Sec-Fetch-Site is set by the browser and cannot be
 * set by a page's script, so another site cannot pass its request off as
 * the site's own; "same-site" (a sibling subdomain) counts as another site:
 * a sibling is exactly who tosses cookies.
 */
#include <string.h>

#include <apr_strings.h>
#include <httpd.h>

#include "http/request_origin.h"

/* Is the host of an Origin value ("scheme://host[:port]") this request's
 * host?  IPv6 literals keep their brackets in both. */
static int origin_is_this_host(request_rec *r, const char *origin)
{
    const char *host = ap_strstr_c(origin, "://"), *end;
    if (!host || !r->hostname)
        return 0;
    host += 3;
    end = host[0] == '[' ? strchr(host, ']') : NULL;
    end = end ? end + 1 : host + strcspn(host, ":/");
    return (apr_size_t)(end - host) == strlen(r->hostname)
           && !strncasecmp(host, r->hostname, (apr_size_t)(end - host));
}

int fm_request_from_other_site(request_rec *r)
{
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin;
    if (site)
        return strcasecmp(site, "same-origin") && strcasecmp(site, "none");
    origin = apr_table_get(r->headers_in, "Origin");
    if (!origin)
        return 0;
    return !strcmp(origin, "null") || !origin_is_this_host(r, origin);
}

/*
 * response.c - questions about a response (see response.h).
 */
#include <string.h>

#include <apr_strings.h>
#include <httpd.h>

#include "http/response.h"

request_rec *fm_initial_request(request_rec *r)
{
    for (;;) {
        if (r->main)
            r = r->main;
        else if (r->prev)
            r = r->prev;
        else
            return r;
    }
}

static int is_html(const char *ct)
{
    apr_size_t n;
    if (!ct)
        return 0;
    n = strcspn(ct, "; \t");
    return (n == 9 && !strncasecmp(ct, "text/html", 9))
        || (n == 21 && !strncasecmp(ct, "application/xhtml+xml", 21));
}

const char *fm_response_header(request_rec *r, const char *name)
{
    const char *v = apr_table_get(r->headers_out, name);
    return v ? v : apr_table_get(r->err_headers_out, name);
}

void fm_response_unset(request_rec *r, const char *name)
{
    apr_table_unset(r->headers_out, name);
    apr_table_unset(r->err_headers_out, name);
}

static int is_encoded(request_rec *r)
{
    const char *ce = fm_response_header(r, "Content-Encoding");
    return ce && *ce && strcasecmp(ce, "identity") != 0;
}

int fm_response_is_2xx(request_rec *r)
{
    return r->status >= 200 && r->status <= 299;
}

/* The checks of both questions below, in one place: with a pool, the
 * reason carries the response's own status or type. */
static const char *why_not_renderable(request_rec *r, apr_pool_t *p)
{
    if (r->header_only)
        return "HEAD request";
    if (!fm_response_is_2xx(r))
        return p ? apr_psprintf(p, "status %d", r->status)
                 : "status is not 2xx";
    if (r->status == HTTP_NO_CONTENT || r->status == HTTP_PARTIAL_CONTENT)
        return p ? apr_psprintf(p, "status %d", r->status)
                 : "204/206 response";
    if (!is_html(r->content_type))
        return p ? apr_psprintf(p, "not HTML (%s)", r->content_type
                                ? r->content_type : "no Content-Type")
                 : "not an HTML page";
    if (is_encoded(r))
        return "body already compressed by the backend";
    return NULL;
}

const char *fm_response_why_not_renderable(request_rec *r)
{
    return why_not_renderable(r, NULL);
}

const char *fm_response_why_not_renderable_detail(request_rec *r)
{
    return why_not_renderable(r, r->pool);
}

/* Only a page declared UTF-8 gets message bytes as they are; any other
 * charset, or none, gets character references, which are right whatever
 * the browser decides. */
int fm_response_is_utf8(request_rec *r)
{
    const char *cs = r->content_type ? ap_strcasestr(r->content_type,
                                                     "charset=") : NULL;
    if (!cs)
        return 0;
    cs += 8;
    if (*cs == '"')
        cs++;
    return !strncasecmp(cs, "utf-8", 5) || !strncasecmp(cs, "utf8", 4);
}

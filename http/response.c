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

const char *fm_response_header(request_rec *r, const char *name)
{
    const char *v = apr_table_get(r->headers_out, name);
    return v ? v : apr_table_get(r->err_headers_out, name);
}

/* Header names are ASCII tokens: folded without the locale. */
static int fold(char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Is the media type of ct (up to ';', a space or a tab) `type`, n bytes
 * long and free of those three?  Compared in place: no scan for the end. */
static int media_type_is(const char *ct, const char *type, apr_size_t n)
{
    return !strncasecmp(ct, type, n)
        && (!ct[n] || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

static int is_html(const char *ct)
{
    if (!ct)
        return 0;
    return (fold(*ct) == 't' && media_type_is(ct, "text/html", 9))
        || (fold(*ct) == 'a'
            && media_type_is(ct, "application/xhtml+xml", 21));
}

/* The slot of `seen` for key k, or NULL.  Each table's first entry of a
 * name wins, headers_out's before err_headers_out's, as apr_table_get()
 * would find them.  The first two bytes rule out almost every other key
 * (k[1] exists when k[0] matched a letter). */
static const char **slot_of(const char *k, const char *flash,
                            fm_response_seen *seen)
{
    char k0 = fold(k[0]), k1;
    if (k0 == fold(flash[0]) && !strcasecmp(k, flash))
        return &seen->flash;
    if (k0 != 'c' && k0 != 'e' && k0 != 'x')
        return NULL;
    k1 = fold(k[1]);
    if (k0 == 'c' && k1 == 'a' && !strcasecmp(k, "Cache-Control"))
        return &seen->cache_control;
    if (k0 == 'c' && k1 == 'o' && !strcasecmp(k, "Content-Encoding"))
        return &seen->content_encoding;
    if (k0 == 'e' && k1 == 'x' && !strcasecmp(k, "Expires"))
        return &seen->expires;
    if (k0 == 'x' && k1 == '-' && !strcasecmp(k, FM_CONSUMED_HEADER))
        return &seen->consumed;
    return NULL;
}

static void look_at(const apr_table_t *t, const char *flash,
                    fm_response_seen *seen)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    int i;
    for (i = 0; i < a->nelts; i++) {
        const char **slot = slot_of(e[i].key, flash, seen);
        if (slot && !*slot)
            *slot = e[i].val;
    }
}

void fm_response_look(request_rec *r, fm_response_seen *seen)
{
    const char *flash = fm_settings_of(r)->header;
    memset(seen, 0, sizeof(*seen));
    look_at(r->headers_out, flash, seen);
    look_at(r->err_headers_out, flash, seen);
}

void fm_response_unset(request_rec *r, const char *name)
{
    apr_table_unset(r->headers_out, name);
    apr_table_unset(r->err_headers_out, name);
}

static int is_encoded(const fm_response_seen *seen)
{
    const char *ce = seen->content_encoding;
    return ce && *ce && strcasecmp(ce, "identity") != 0;
}

int fm_response_is_2xx(request_rec *r)
{
    return r->status >= 200 && r->status <= 299;
}

/* The checks of both questions below, in one place: with a pool, the
 * reason carries the response's own status or type. */
static const char *why_not_renderable(request_rec *r, apr_pool_t *p,
                                      const fm_response_seen *seen)
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
    if (is_encoded(seen))
        return "body already compressed by the backend";
    return NULL;
}

const char *fm_response_why_not_renderable(request_rec *r,
                                           const fm_response_seen *seen)
{
    return why_not_renderable(r, NULL, seen);
}

const char *fm_response_why_not_renderable_detail(request_rec *r)
{
    fm_response_seen seen;
    fm_response_look(r, &seen);
    return why_not_renderable(r, r->pool, &seen);
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

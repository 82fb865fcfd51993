/*
 * cache_policy.c - every caching header the module sets, in one place.
 *
 * Three rules (docs/spec.md §2.6, §4):
 *  - a response that writes our state (sets or deletes the cookie, changes
 *    the session entry) is never storable by a shared cache: one user's
 *    Set-Cookie replayed to another hands over the first user's messages;
 *  - a page into which messages were rendered is stored by no cache at all
 *    and loses its validators, so no 304 and no copy can show them again;
 *  - an HTML page with no caching headers of its own must be revalidated,
 *    or browsers reuse it heuristically and hide pending messages.
 * And for requests: a client that may have pending messages is never
 * answered from mod_cache, nor with a 304 that would hide them.
 * The first two are applied where the decision is taken (before mod_cache's
 * CACHE_SAVE sees the response) and again by the last-line filter, after
 * mod_headers and mod_expires may have set other values.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>

#include "http/cache_policy.h"
#include "http/response.h"

APLOG_USE_MODULE(flashmsg);

/* Is the directive d (length n) one that lets a shared cache store? */
static int shared_cache_directive(const char *d, apr_size_t n)
{
    return (n == 6 && !strncasecmp(d, "public", 6))
        || (n >= 8 && !strncasecmp(d, "s-maxage", 8)
            && (n == 8 || d[8] == '=' || d[8] == ' '));
}

/* Append the directives of one Cache-Control value to *out, without those
 * that allow shared caching; note whether it already says private/no-store. */
static void keep_private_directives(apr_pool_t *p, const char *value,
                                    const char **out, int *private_already)
{
    const char *s = value;
    while (*s) {
        const char *start, *end;
        apr_size_t n;
        while (*s == ',' || apr_isspace(*s))
            s++;
        start = s;
        while (*s && *s != ',')
            s++;
        end = s;
        while (end > start && apr_isspace(end[-1]))
            end--;
        n = (apr_size_t)(end - start);
        if (n == 0 || shared_cache_directive(start, n))
            continue;
        if ((n == 7 && !strncasecmp(start, "private", 7))
            || (n == 8 && !strncasecmp(start, "no-store", 8)))
            *private_already = 1;
        *out = **out ? apr_pstrcat(p, *out, ", ", apr_pstrmemdup(p, start, n),
                                   NULL)
                     : apr_pstrmemdup(p, start, n);
    }
}

typedef struct {
    apr_pool_t *p;
    const char *kept;
    int private_already;
} cc_ctx;

static int collect_cc(void *v, const char *key, const char *value)
{
    cc_ctx *cc = v;
    (void)key;
    keep_private_directives(cc->p, value, &cc->kept, &cc->private_already);
    return 1;
}

void fm_cache_forbid_sharing(request_rec *r)
{
    cc_ctx cc;
    cc.p = r->pool;
    cc.kept = "";
    cc.private_already = 0;
    apr_table_do(collect_cc, &cc, r->headers_out, "Cache-Control", NULL);
    apr_table_do(collect_cc, &cc, r->err_headers_out, "Cache-Control", NULL);
    if (!cc.private_already)
        cc.kept = *cc.kept ? apr_pstrcat(r->pool, "private, ", cc.kept, NULL)
                           : "private";
    apr_table_unset(r->err_headers_out, "Cache-Control");
    apr_table_setn(r->headers_out, "Cache-Control", cc.kept);
    /* mod_cache: neither store this response nor keep an old copy. */
    r->no_cache = 1;
}

void fm_cache_forbid_all(request_rec *r)
{
    static const char *const validators[] = {
        "Content-Length", "ETag", "Last-Modified", "Expires", NULL
    };
    int i;
    for (i = 0; validators[i]; i++)
        fm_response_unset(r, validators[i]);
    apr_table_unset(r->err_headers_out, "Cache-Control");
    apr_table_setn(r->headers_out, "Cache-Control", "private, no-store");
    apr_table_setn(r->notes, "no-etag", "1");
    r->no_cache = 1;
}

void fm_cache_revalidate_html(request_rec *r, const fm_response_seen *seen)
{
    /* (neither table has one: adding is setting) */
    if (!seen->cache_control && !seen->expires)
        apr_table_addn(r->headers_out, "Cache-Control", "no-cache");
}

void fm_cache_bypass(request_rec *r)
{
    /* A request with no-store asks caches not to use a stored response,
     * which mod_cache honours by neither serving nor storing. */
    apr_table_mergen(r->headers_in, "Cache-Control", "no-store");
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "messages may be pending: bypassing mod_cache");
}

void fm_cache_no_304(request_rec *r)
{
    /* Not from httpd's own handlers (no_local_copy), nor from a backend
     * that sees the validators. */
    r->no_local_copy = 1;
    apr_table_unset(r->headers_in, "If-None-Match");
    apr_table_unset(r->headers_in, "If-Modified-Since");
    apr_table_unset(r->headers_in, "If-Range");
}

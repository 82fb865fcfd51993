/*
 * guard_filter.c - FLASHMSG_GUARD, the last line: added to every main
 * request where FlashMsg is On, it runs just before the HTTP header filter,
 * after every content filter (mod_headers, mod_deflate, mod_cache's
 * CACHE_SAVE, mod_expires, ModSecurity, ...), and acts once:
 *
 *  - the X-Flash header (FlashMsgHeader) and X-Flash-Consumed never leave
 *    httpd, whatever happened before;
 *  - if the body filter (FLASHMSG) never saw this response -- another
 *    module removed it or sent the response around it -- the response's
 *    messages are still taken and stored, and an error line lists the
 *    output filters, so the admin can see which chain caused it;
 *  - the cache rules (cache_policy.c) are applied again, after mod_headers
 *    or mod_expires may have set other Cache-Control values.
 */
#include <apr_strings.h>
#include <util_filter.h>

#include "flashmsg_private.h"

APLOG_USE_MODULE(flashmsg);

ap_filter_rec_t *fm_guard_filter_rec;

/* The guard's ctx is this marker once the body filter has seen the
 * response: nothing is allocated for it. */
static char body_seen_marker;

void fm_guard_note_body_seen(ap_filter_t *f)
{
    ap_filter_t *g;
    for (g = f->next; g; g = g->next)
        if (g->frec == fm_guard_filter_rec && g->r == f->r) {
            g->ctx = &body_seen_marker;
            return;
        }
}

static const char *output_filter_names(request_rec *r)
{
    const char *names = "";
    ap_filter_t *f;
    for (f = r->output_filters; f; f = f->next)
        names = apr_pstrcat(r->pool, names, *names ? ", " : "",
                            f->frec->name, NULL);
    return names;
}

static void strip(request_rec *r, const char *header)
{
    apr_table_unset(r->headers_out, header);
    apr_table_unset(r->err_headers_out, header);
}

apr_status_t fm_guard_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    fm_state *st = fm_state_peek(r);
    const char *header = fm_header_name(r);
    int body_seen = f->ctx == &body_seen_marker;

    if (!body_seen && !(st && st->captured) && fm_response_concerns_us(r)) {
        /* The body filter never saw this response: take what it adds now,
         * while the headers can still carry the cookie. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the body filter did not run on this response (%s); "
                      "its messages are stored but cannot be rendered. "
                      "output filters: %s", r->uri, output_filter_names(r));
        fm_capture(r);
        st = fm_load(r);
        fm_save(r);
        st->committed = 1;
    }
    else if (apr_table_get(r->headers_out, header)
             || apr_table_get(r->err_headers_out, header)) {
        /* Set after the body filter ran, by a filter between us (mod_headers'
         * "Header set", say): kept if the decision is still open. */
        if (st && st->committed) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                          "%s was set after the page's messages were decided "
                          "(by one of the output filters: %s); removed, its "
                          "messages are lost", header, output_filter_names(r));
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "%s was set by a filter after mod_flashmsg's body "
                          "filter (one of: %s); its messages are kept for a "
                          "later page", header, output_filter_names(r));
            fm_capture(r);
            st = fm_load(r);
            fm_save(r);
            st->committed = 1;
        }
    }
    strip(r, header);
    strip(r, FM_CONSUMED_HEADER);
    if (st && st->rendered)
        fm_cache_forbid_all(r);
    else if (st && st->saved)
        fm_cache_forbid_sharing(r);
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

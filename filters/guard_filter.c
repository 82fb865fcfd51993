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
 *  - a session save that mod_session (MOD_SESSION_OUT, before us) could
 *    not make is reported, and under fallback storage the messages go to
 *    the cookie instead (fm_store_confirm);
 *  - the cache rules (http/cache_policy.c) are applied again, after
 *    mod_headers or mod_expires may have set other Cache-Control values;
 *  - with FlashMsgTrace On, the X-Flash-Trace header is written
 *    (http/trace.h): the body filter holds a page back until its verdict,
 *    so the verdict is known here, before the headers go out.
 */
#include <apr_strings.h>
#include <util_filter.h>

#include "filters/filters.h"
#include "http/cache_policy.h"
#include "http/response.h"
#include "http/trace.h"
#include "storage/storage.h"

APLOG_USE_MODULE(flashmsg);

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

void fm_guard_release(ap_filter_t *f)
{
    request_rec *r = f->r;
    /* The guard stays with FlashMsgTrace On (it writes the header), after
     * an internal redirect (it removes a trace header inherited from the
     * first request), and where storage must confirm a save that
     * mod_session makes after us (fallback and session storage). */
    if (!fm_settings_of(r)->trace && !r->prev
        && !(fm_store_flags(r) && fm_storage_confirms(r))
        && f->next && f->next->frec == fm_guard_filter_rec && f->next->r == r)
        ap_remove_output_filter(f->next);   /* nothing between us */
    else
        fm_guard_note_body_seen(f);
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

apr_status_t fm_guard_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    const char *header = fm_settings_of(r)->header;
    int body_seen = f->ctx == &body_seen_marker, late = 0;
    unsigned flags = fm_store_flags(r);
    fm_response_seen seen;

    fm_response_look(r, &seen);
    if (!body_seen && !(flags & FM_STORE_CAPTURED)
        && fm_response_concerns_us(r, &seen)) {
        /* The body filter never saw this response: take what it adds now,
         * while the headers can still carry the cookie. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the body filter did not run on this response (%s); "
                      "its messages are stored but cannot be rendered. "
                      "output filters: %s", r->uri, output_filter_names(r));
        fm_take_response(r);
        fm_trace_kept(r, fm_store_pending(r)->nelts,
                      "the body filter did not run");
        fm_store_commit(r, 0);
    }
    else if ((late = seen.flash != NULL)) {
        /* Set after the body filter ran, by a filter between us (mod_headers'
         * "Header set", say): kept if the decision is still open. */
        if (flags & FM_STORE_COMMITTED) {
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
            fm_take_response(r);
            fm_trace_kept(r, fm_store_pending(r)->nelts, apr_psprintf(
                              r->pool, "%s set after the body filter",
                              header));
            fm_store_commit(r, 0);
        }
    }
    /* Never out, whatever happened (a look first: this runs on every
     * response, and most carry neither). */
    if (late || !body_seen)
        fm_response_unset(r, header);
    if (seen.consumed)
        fm_response_unset(r, FM_CONSUMED_HEADER);
    if ((flags = fm_store_flags(r)) != 0) {
        /* mod_session saved in MOD_SESSION_OUT, before us: did it? */
        fm_store_confirm(r);
        flags = fm_store_flags(r);
        if (flags & FM_STORE_RENDERED)
            fm_cache_forbid_all(r);
        else if (flags & FM_STORE_SAVED)
            fm_cache_forbid_sharing(r);
    }
    if (!body_seen && !fm_trace_decided(r))
        /* Removed or gone around: nothing of this response was decided,
         * what was pending stays so. */
        fm_trace_kept(r, flags ? fm_store_pending(r)->nelts : 0,
                      "the body filter did not see this response");
    fm_trace_send(r);
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

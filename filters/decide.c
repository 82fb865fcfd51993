/*
 * decide.c - the one decision a response gets, taken when its headers are
 * first seen by the body filter: leave it alone (nothing of ours in it),
 * keep the messages pending (write storage now), deliver them elsewhere
 * (an htmx event), or look for the placeholder to render them here.
 */
#include <string.h>

#include "filters/filters.h"
#include "delivery/delivery.h"
#include "http/cache_policy.h"
#include "http/response.h"
#include "http/trace.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

int fm_response_concerns_us(request_rec *r, const fm_response_seen *seen)
{
    return seen->consumed || fm_store_response_adds(r, seen);
}

void fm_take_response(request_rec *r)
{
    if (!(fm_store_flags(r) & FM_STORE_CAPTURED))
        fm_expose_take_consumed(r);
    fm_store_capture(r);
}

/* Does mod_include's filter run before us on this request?  Directly, or
 * through mod_filter ("AddOutputFilterByType INCLUDES" is "BYTYPE:INCLUDES"). */
static int includes_run_before(ap_filter_t *f)
{
    ap_filter_t *n;
    for (n = f->r->output_filters; n && n != f; n = n->next) {
        const char *name = n->frec->name, *colon = strrchr(name, ':');
        if (!strcasecmp(colon ? colon + 1 : name, "includes"))
            return 1;
    }
    return 0;
}

fm_decision fm_decide(ap_filter_t *f)
{
    request_rec *r = f->r;
    fm_response_seen seen;
    const char *why;
    int pending;

    /* One look at the response's headers answers every question below. */
    fm_response_look(r, &seen);
    if (!fm_store_flags(r) && !fm_response_concerns_us(r, &seen)
        && !includes_run_before(f)) {
        /* The common case: no messages anywhere.  Nothing allocated. */
        if (!fm_response_why_not_renderable(r, &seen))
            fm_cache_revalidate_html(r, &seen);
        fm_trace_verdict(r, 0, NULL);
        return FM_PASS;
    }
    fm_take_response(r);
    pending = fm_store_pending(r)->nelts;
    /* An htmx request that is not a navigation: the event (htmx.c decides,
     * for successes and errors alike). */
    if (pending && fm_htmx_deliver(r)) {
        fm_count(FM_C_CONSUMED_HTMX, pending);
        fm_trace_verdict(r, pending, "htmx event");
        pending = 0;
    }
    /* Taking the response's messages and an htmx event changed headers
     * (the event sets Cache-Control): look again. */
    fm_response_look(r, &seen);
    why = fm_response_why_not_renderable(r, &seen);
    if (!why)
        fm_cache_revalidate_html(r, &seen);
    /* Nothing pending: keep, unless SSI includes may still add some before
     * the placeholder comes by. */
    if (why || (pending == 0 && !includes_run_before(f))) {
        if (pending && why)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                          "%d message(s) stay pending: %s; for %s", pending,
                          why, r->uri);
        if (why)
            fm_trace_kept_unrenderable(r, pending);
        else
            fm_trace_verdict(r, 0, NULL);
        fm_store_commit(r, 0);
        return FM_KEEP;
    }
    return FM_LOOK;
}

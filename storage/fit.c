/*
 * fit.c - keeping pending messages within a size budget (the cookie's
 * FlashMsgCookieMaxSize, the session's FlashMsgSessionMaxSize).  The
 * newest are kept, as Django's cookie storage does; a message too large on
 * its own is dropped first, so that one oversized newcomer cannot push out
 * everything that was pending before it.  What is dropped is logged once.
 */
#include "storage/backend.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

void fm_cookie_budget(request_rec *r, fm_budget *b)
{
    const fm_settings *c = fm_settings_of(r);
    b->opts.cookie_name = fm_cookie_name(r);
    b->opts.encrypt = c->encrypt;
    b->opts.max_age = c->max_age;
    b->max = c->cookie_max_size;
    b->limit = c->cookie_max_size;
    b->directive = "FlashMsgCookieMaxSize";
}

int fm_fits_alone(const fm_budget *b, const fm_message *m)
{
    return fm_cookie_fit(&b->opts, m, 1, b->max, 1) == 1;
}

const fm_message *fm_fit_newest(request_rec *r, const fm_budget *b,
                                const fm_message *msgs, int n, int *kept)
{
    apr_array_header_t *fit = apr_array_make(r->pool, n ? n : 1,
                                             sizeof(fm_message));
    int i, keep, oversized = 0;

    for (i = 0; i < n; i++) {
        if (fm_fits_alone(b, &msgs[i]))
            APR_ARRAY_PUSH(fit, fm_message) = msgs[i];
        else
            oversized++;
    }
    keep = fm_cookie_fit(&b->opts, (const fm_message *)fit->elts, fit->nelts,
                         b->max, 1);
    fm_count(FM_C_DROPPED_SIZE, n - keep);
    if (keep < n)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d message(s) dropped: they do not fit in "
                      "%s %" APR_SIZE_T_FMT " (%d too large on their own, "
                      "%d oldest)", n - keep, b->directive, b->limit, oversized,
                      fit->nelts - keep);
    *kept = keep;
    return (const fm_message *)fit->elts + (fit->nelts - keep);
}

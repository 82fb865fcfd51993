/*
 * fallback_storage.c - Django's FallbackStorage, with its gaps closed:
 * the cookie holds the oldest messages that fit FlashMsgCookieMaxSize and,
 * when more remain, is marked "continued in session"; the newest overflow
 * goes to the session.  Loading reads the cookie and then the session,
 * also when the cookie is gone (Django would orphan the session's part).
 * Without a usable session it is cookie storage.
 */
#include "storage/storage.h"

APLOG_USE_MODULE(flashmsg);

static void fallback_load(request_rec *r, apr_array_header_t *list,
                          fm_held *held)
{
    int from_cookie;
    fm_cookie_read(r, list, held);
    from_cookie = list->nelts;
    /* The session is read whether or not the cookie says "continued": a
     * lost or rejected cookie must not orphan the session's part. */
    fm_session_read(r, list, held);
    if (from_cookie && list->nelts > from_cookie)
        fm_list_sort_by_age(list);   /* oldest first across both */
}

/* With the oldest `drop` messages gone, does the rest fit: the oldest that
 * fit in the cookie (*in_cookie of them), the remainder in the session? */
static int fits_split(const fm_budget *cb, const fm_budget *sb,
                      const fm_message *msgs, int n, int *in_cookie)
{
    int k = fm_cookie_fit(&cb->opts, msgs, n, cb->max, 0);
    *in_cookie = k;
    return k == n || fm_cookie_fit(&sb->opts, msgs + k, n - k, sb->max, 1)
                     == n - k;
}

static void fallback_save(request_rec *r, const apr_array_header_t *list,
                          const fm_held *held)
{
    fm_budget cb, sb;
    apr_array_header_t *fit;
    const fm_message *msgs;
    int i, n, k, lo, hi, oversized = 0;

    fm_cookie_budget(r, &cb);
    fm_session_budget(r, &sb);
    /* A message that fits neither place on its own goes first. */
    fit = apr_array_make(r->pool, list->nelts ? list->nelts : 1,
                         sizeof(fm_message));
    for (i = 0; i < list->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(list, i, fm_message);
        if (fm_fits_alone(&cb, m) || fm_fits_alone(&sb, m))
            APR_ARRAY_PUSH(fit, fm_message) = *m;
        else
            oversized++;
    }
    msgs = (const fm_message *)fit->elts;
    n = fit->nelts;
    /* The fewest oldest messages to drop so that the rest fits both
     * budgets (bisection: dropping more never makes it fit less). */
    lo = 0;
    hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (fits_split(&cb, &sb, msgs + mid, n - mid, &k))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo || oversized)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d message(s) dropped: they do not fit in "
                      "FlashMsgCookieMaxSize %" APR_SIZE_T_FMT " and "
                      "FlashMsgSessionMaxSize %" APR_SIZE_T_FMT " (%d too "
                      "large on their own, %d oldest)", lo + oversized,
                      cb.max, sb.max, oversized, lo);
    msgs += lo;
    n -= lo;
    fits_split(&cb, &sb, msgs, n, &k);

    if (k == n) {
        /* Everything fits in the cookie (or nothing is left). */
        if (fm_session_write(r, held, NULL, 0) != FM_SESSION_OK
            && held->had_session)
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "could not clear the messages kept in the session");
        fm_cookie_write(r, held, msgs, n, 0);
        return;
    }
    switch (fm_session_write(r, held, msgs + k, n - k)) {
    case FM_SESSION_OK:
        fm_cookie_write(r, held, msgs, k, FM_COOKIE_CONTINUED);
        return;
    case FM_SESSION_UNAVAILABLE:
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "no session here: fallback storage acts as cookie "
                      "storage");
        break;
    case FM_SESSION_FAILED:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "the session could not be written: keeping what fits "
                      "in the cookie");
        break;
    }
    fm_cookie_storage.save(r, list, held);
}

const fm_storage_ops fm_fallback_storage = {
    "fallback",
    fallback_load,
    fallback_save
};

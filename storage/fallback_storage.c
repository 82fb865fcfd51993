/*
 * fallback_storage.c - Django's FallbackStorage, with its gaps closed:
 * the cookies (one per batch, cookie_storage.c) hold what fits
 * FlashMsgCookieMaxSize -- the cookies the client holds stay as they are,
 * and of the other pending messages the oldest that fit go into one new
 * cookie -- and the newest overflow goes to the session, up to
 * FlashMsgSessionMaxSize.  Loading reads the cookies and then the session,
 * also when the cookies are gone (Django would orphan the session's part).
 * Without a usable session it is cookie storage.
 */
#include "storage/backend.h"
#include "core/message_list.h"

APLOG_USE_MODULE(flashmsg);

static void fallback_load(request_rec *r, apr_array_header_t *list,
                          fm_held *held)
{
    int from_cookie;
    fm_cookie_read(r, list, held);
    fm_socache_follow(r, list, held);
    from_cookie = list->nelts;
    /* The session is read whether or not the cookie says "continued": a
     * lost or rejected cookie must not orphan the session's part. */
    fm_session_read(r, list, held);
    if (from_cookie && list->nelts > from_cookie)
        fm_list_sort_by_age(list);   /* oldest first across both */
}

/*
 * The cookie and the session together cannot hold loose[0..*n): the
 * oldest go, never a gap in the middle (docs/spec.md §5) -- the session keeps the
 * newest that fit, the cookie the newest of the older ones that fit; a
 * message too large for either on its own goes first, so that it cannot
 * push out what was pending.  Returns the kept run, *n its length and *k
 * how many of it (the oldest) go into the cookie; one warning says what
 * was given up.
 */
static const fm_message *keep_newest_across(request_rec *r,
                                            const fm_budget *cookie,
                                            const fm_budget *session,
                                            const fm_message *loose,
                                            int *n, int *k)
{
    apr_array_header_t *fit = apr_array_make(r->pool, *n, sizeof(fm_message));
    const fm_message *msgs;
    int i, alone = 0, in_session, in_cookie, dropped;

    for (i = 0; i < *n; i++) {
        if (fm_fits_alone(cookie, &loose[i])
            || fm_fits_alone(session, &loose[i]))
            APR_ARRAY_PUSH(fit, fm_message) = loose[i];
        else
            alone++;
    }
    msgs = (const fm_message *)fit->elts;
    in_session = fm_cookie_fit(&session->opts, msgs, fit->nelts,
                               session->max, 1);
    in_cookie = fm_cookie_fit(&cookie->opts, msgs, fit->nelts - in_session,
                              cookie->max, 1);
    dropped = *n - in_session - in_cookie;
    fm_count(FM_C_DROPPED_SIZE, dropped);
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                  "%d message(s) dropped: they do not fit in "
                  "FlashMsgCookieMaxSize %" APR_SIZE_T_FMT " and "
                  "FlashMsgSessionMaxSize %" APR_SIZE_T_FMT " together (%d "
                  "too large on their own, %d oldest)", dropped, cookie->limit,
                  session->limit, alone, dropped - alone);
    *n = in_cookie + in_session;
    *k = in_cookie;
    return msgs + (fit->nelts - *n);
}

/* The cookies the client holds stay as they are while their messages are
 * pending; the loose messages (added now, or kept in the session) go to
 * one new cookie, the oldest that fit, and the rest to the session, up to
 * FlashMsgSessionMaxSize; past both, the oldest are given up. */
static void fallback_save(request_rec *r, const apr_array_header_t *list,
                          const fm_held *held)
{
    fm_cookie_plan plan;
    fm_budget cb, sb, room;
    const fm_message *loose;
    int n, k;

    fm_cookie_plan_make(r, list, held, &plan);
    fm_cookie_budget(r, &cb);
    fm_session_budget(r, &sb);
    room = cb;
    room.max = fm_cookie_plan_room(&plan, &cb);
    loose = (const fm_message *)plan.loose->elts;
    n = plan.loose->nelts;
    k = fm_cookie_fit(&cb.opts, loose, n, room.max, 0);
    if (k == n) {
        /* Everything fits in the cookies (or nothing is left). */
        if (fm_session_write(r, held, NULL, 0) != FM_SESSION_OK
            && held->had_session)
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "could not clear the messages kept in the session");
        fm_cookie_plan_write(r, held, &plan, loose, n, 0);
        return;
    }
    if (fm_cookie_fit(&sb.opts, loose + k, n - k, sb.max, 1) < n - k) {
        /* Something must go: the oldest, and the cookies the client holds
         * have the oldest messages -- they go back into the count. */
        fm_cookie_plan_unkeep(&plan);
        room.max = fm_cookie_plan_room(&plan, &cb);
        loose = (const fm_message *)plan.loose->elts;
        n = plan.loose->nelts;
        loose = keep_newest_across(r, &room, &sb, loose, &n, &k);
    }
    switch (fm_session_write(r, held, loose + k, n - k)) {
    case FM_SESSION_OK:
        fm_cookie_plan_write(r, held, &plan, loose, k, FM_COOKIE_CONTINUED);
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

/* The session's part is saved later, by MOD_SESSION_OUT: when that
 * failed, the cookie carries the messages instead, as many as fit. */
static void fallback_confirm(request_rec *r, const apr_array_header_t *list,
                             const fm_held *held)
{
    int n = fm_session_unsaved(r, FM_C_FALLBACK_FAILURES);
    if (n == 0)
        return;
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                  "the session could not be saved (see mod_session's "
                  "error) for %s: its %d message(s) go to the cookie "
                  "instead, as many as fit", r->uri, n);
    fm_cookie_storage.save(r, list, held);
}

const fm_storage_ops fm_fallback_storage = {
    "fallback",
    FM_C_FALLBACK_LOADS,
    fallback_load,
    fallback_save,
    fallback_confirm
};

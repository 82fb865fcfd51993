/*
 * storage.c - choose the storage for a request (FlashMsgStorage, default
 * fallback).  Fallback without mod_session is cookie storage.
 */
#include "storage/storage.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

static const fm_storage_ops *storage_for(request_rec *r)
{
    switch (fm_settings_of(r)->storage) {
    case FM_STORAGE_COOKIE:
        return &fm_cookie_storage;
    case FM_STORAGE_SESSION:
        return &fm_session_storage;
    case FM_STORAGE_SOCACHE:
        return &fm_socache_storage;
    default:
        return fm_session_loaded() ? &fm_fallback_storage : &fm_cookie_storage;
    }
}

int fm_storage_may_hold(request_rec *r)
{
    /* the cookie, or a session that may hold messages without one */
    fm_storage_kind k = fm_settings_of(r)->storage;
    return fm_cookie_present(r)
           || (fm_session_loaded()
               && (k == FM_STORAGE_SESSION || k == FM_STORAGE_FALLBACK));
}

/* The first of a storage's three counters (loads, saves, failures). */
static fm_counter counters_of(const fm_storage_ops *ops)
{
    if (ops == &fm_session_storage)
        return FM_C_SESSION_LOADS;
    if (ops == &fm_fallback_storage)
        return FM_C_FALLBACK_LOADS;
    if (ops == &fm_socache_storage)
        return FM_C_SOCACHE_LOADS;
    return FM_C_COOKIE_LOADS;
}

/* A load counts when it found something of ours (messages, or a cookie
 * or session entry that held some): a request that brings nothing, and
 * session storage's look into every session, count nothing. */
void fm_storage_load(request_rec *r, apr_array_header_t *msgs, fm_held *held)
{
    const fm_storage_ops *ops = storage_for(r);
    int before = msgs->nelts;
    ops->load(r, msgs, held);
    if (msgs->nelts > before || held->had_cookie || held->had_session) {
        fm_count(counters_of(ops), 1);
        fm_count(FM_C_LOADED, msgs->nelts - before);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%s storage: %d pending message(s) for %s",
                      ops->name, msgs->nelts - before, r->uri);
    }
}

void fm_storage_save(request_rec *r, const apr_array_header_t *msgs,
                     const fm_held *held)
{
    const fm_storage_ops *ops = storage_for(r);
    fm_count(counters_of(ops) + 1, 1);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%s storage: saving %d message(s) for %s", ops->name,
                  msgs->nelts, r->uri);
    ops->save(r, msgs, held);
}

void fm_storage_confirm(request_rec *r, const apr_array_header_t *msgs,
                        const fm_held *held)
{
    const fm_storage_ops *ops = storage_for(r);
    int n = 0;
    if (ops == &fm_cookie_storage || ops == &fm_socache_storage
        || fm_session_outcome(r, &n) == FM_SESSION_OK)
        return;
    fm_count(counters_of(ops) + 2, 1);
    if (n == 0)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the session could not be saved (see mod_session's "
                      "error) for %s: messages already shown are still in "
                      "it and may be shown again", r->uri);
    else if (ops == &fm_fallback_storage) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the session could not be saved (see mod_session's "
                      "error) for %s: its %d message(s) go to the cookie "
                      "instead, as many as fit", r->uri, n);
        fm_cookie_storage.save(r, msgs, held);
    }
    else {
        fm_count(FM_C_LOST_SAVE, n);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the session could not be saved (see mod_session's "
                      "error) for %s: %d message(s) lost", r->uri, n);
    }
}

void fm_storage_expired(request_rec *r, fm_held *held, int expired)
{
    if (!expired)
        return;
    fm_count(FM_C_DROPPED_AGE, expired);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                  "%d message(s) expired (FlashMsgMaxAge) for %s", expired,
                  r->uri);
    held->stale = 1;    /* what the client holds must be rewritten */
}

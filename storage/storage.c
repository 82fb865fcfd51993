/*
 * storage.c - the storage contract (storage.h) over the backends
 * (backend.h): choose the storage for a request (FlashMsgStorage, default
 * fallback; fallback without mod_session is cookie storage), dispatch to
 * it and count.  Backends are named only where one is chosen.
 */
#include "storage/backend.h"

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

/* A load counts when it found something of ours (messages, or a cookie
 * or session entry that held some): a request that brings nothing, and
 * session storage's look into every session, count nothing. */
void fm_storage_load(request_rec *r, apr_array_header_t *msgs, fm_held *held)
{
    const fm_storage_ops *ops = storage_for(r);
    int before = msgs->nelts;
    ops->load(r, msgs, held);
    if (msgs->nelts > before || held->had_cookie || held->had_session) {
        fm_count(ops->counters, 1);
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
    fm_count(ops->counters + 1, 1);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%s storage: saving %d message(s) for %s", ops->name,
                  msgs->nelts, r->uri);
    ops->save(r, msgs, held);
}

void fm_storage_confirm(request_rec *r, const apr_array_header_t *msgs,
                        const fm_held *held)
{
    const fm_storage_ops *ops = storage_for(r);
    if (ops->confirm)
        ops->confirm(r, msgs, held);
}

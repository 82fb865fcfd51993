/*
 * storage.c - the storage contract (storage.h) over the backends
 * (backend.h): choose the storage for a request (FlashMsgStorage, default
 * fallback; fallback without mod_session is cookie storage), dispatch to
 * it and count, and start the storage layer up.  Backends are named only
 * where one is chosen and in the start-up hooks.
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

int fm_storage_confirms(request_rec *r)
{
    return storage_for(r)->confirm != NULL;
}

void fm_storage_confirm(request_rec *r, const apr_array_header_t *msgs,
                        const fm_held *held)
{
    const fm_storage_ops *ops = storage_for(r);
    if (ops->confirm)
        ops->confirm(r, msgs, held);
}

/* ------------------------------------------------------------------ */
/* Start-up                                                             */

/* What a server's storage needs, checked in check_config's one walk over
 * the servers (config/validate.c), socache's first. */
static const fm_server_need storage_needs[] = {
    fm_socache_need,
    fm_session_need
};

int fm_storage_check_config(server_rec *s, apr_pool_t *ptemp)
{
    /* optional_fn_retrieve runs only after post_config: look now. */
    fm_session_retrieve();
    return fm_config_validate(s, ptemp, storage_needs,
                              (int)(sizeof(storage_needs)
                                    / sizeof(storage_needs[0])));
}

void fm_storage_pre_config(apr_pool_t *pconf, apr_pool_t *plog)
{
    fm_socache_pre_config(pconf, plog);
}

int fm_storage_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           server_rec *s)
{
    fm_session_post_config(s);
    return fm_socache_post_config(pconf, plog, s);
}

void fm_storage_child_init(apr_pool_t *p, server_rec *s)
{
    fm_socache_child_init(p, s);
}

void fm_storage_optional_fn_retrieve(void)
{
    fm_session_retrieve();
}

int fm_storage_fallback_is_cookie(void)
{
    return !fm_session_loaded();
}

const char *fm_storage_summary(void)
{
    return fm_session_loaded()
           ? "found: session and fallback storage available"
           : "not loaded: fallback storage acts as cookie storage";
}

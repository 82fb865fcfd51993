/*
 * storage.c - choose the storage for a request (FlashMsgStorage, default
 * fallback).  Fallback without mod_session is cookie storage.
 */
#include "storage/storage.h"

APLOG_USE_MODULE(flashmsg);

static const fm_storage_ops *storage_for(request_rec *r)
{
    switch (fm_settings_of(r)->storage) {
    case FM_STORAGE_COOKIE:
        return &fm_cookie_storage;
    case FM_STORAGE_SESSION:
        return &fm_session_storage;
    default:
        return fm_session_loaded() ? &fm_fallback_storage : &fm_cookie_storage;
    }
}

int fm_storage_may_hold(request_rec *r)
{
    /* the cookie, or a session that may hold messages without one */
    return fm_cookie_present(r)
           || (fm_session_loaded()
               && fm_settings_of(r)->storage != FM_STORAGE_COOKIE);
}

void fm_storage_load(request_rec *r, apr_array_header_t *msgs, fm_held *held)
{
    storage_for(r)->load(r, msgs, held);
}

void fm_storage_save(request_rec *r, const apr_array_header_t *msgs,
                     const fm_held *held)
{
    storage_for(r)->save(r, msgs, held);
}

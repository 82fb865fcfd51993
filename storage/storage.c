/*
 * storage.c - choose the storage for a request.  Until session storage
 * exists, fallback (the default) behaves as cookie storage.
 */
#include "storage/storage.h"

APLOG_USE_MODULE(flashmsg);

static const fm_storage_ops *storage_for(request_rec *r)
{
    (void)r;
    return &fm_cookie_storage;
}

void fm_storage_load(request_rec *r, fm_state *st)
{
    storage_for(r)->load(r, st);
}

void fm_storage_save(request_rec *r, fm_state *st)
{
    storage_for(r)->save(r, st);
}

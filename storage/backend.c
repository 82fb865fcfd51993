/*
 * backend.c - the note every backend makes when what it read has expired
 * (FlashMsgMaxAge): shared below the backends so none calls back up into
 * storage.c.
 */
#include "storage/backend.h"

APLOG_USE_MODULE(flashmsg);

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

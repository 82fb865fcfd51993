/*
 * socache_engine.h - one FlashMsgSocache engine as socache storage uses it
 * (private to storage/): start-up (backend.h declares those entries), the
 * calls on an entry through the stall breaker and the lock a provider
 * needs, and the rate-limited error line when the engine fails.
 * socache_storage.c decides what to store; this file only talks to the
 * engine.
 */
#ifndef FM_SOCACHE_ENGINE_H
#define FM_SOCACHE_ENGINE_H

#include "storage/backend.h"

typedef enum { FM_CACHE_STORE, FM_CACHE_RETRIEVE } fm_cache_op;

/* One provider call on the entry of id (FM_SOCACHE_ID_CHARS of base64url):
 * store data[0..*len) until expiry, or retrieve into data (*len: its
 * size in, the entry's out).  The provider's status, APR_EINIT without an
 * engine, or a status of our own when the engine has stalled. */
apr_status_t fm_cache_call(request_rec *r, fm_cache_op op, const char *id,
                           unsigned char *data, unsigned int *len,
                           apr_time_t expiry);
/* The engine failed (rv) doing `what`: counted, and one error line per
 * interval and process. */
void fm_cache_error(request_rec *r, apr_status_t rv, const char *what);
/* Does the engine answer?  After a "not found": apr's redis and memcache
 * clients say so without asking while they hold their server for dead.
 * *probe: -1 not asked yet in this request, else the answer. */
int fm_cache_answers(request_rec *r, int *probe);

#endif

/*
 * storage.h - the storage contract: where pending messages live between
 * requests, as store/ and mod_flashmsg.c see it.  FlashMsgStorage picks
 * the backend per request (storage.c); what the backends share, and the
 * interface they implement, is below this one in backend.h.
 */
#ifndef FM_STORAGE_H
#define FM_STORAGE_H

#include "config/config.h"

/* What the client held when the request came in: decides what a save must
 * delete or rewrite.  Filled by a load, handed back to the save; the store
 * keeps it and never looks inside. */
typedef struct {
    int had_cookie;     /* the client sent our cookie */
    int had_session;    /* the session held our entry */
    int stale;          /* what the client holds must be rewritten (expired
                         * or rejected values) */
    apr_array_header_t *batches;    /* fm_batch: our valid cookies */
    apr_array_header_t *rejected;   /* const char *: names of bad ones */
} fm_held;

/* Dispatch on the request's FlashMsgStorage. */
void fm_storage_load(request_rec *r, apr_array_header_t *msgs, fm_held *held);
void fm_storage_save(request_rec *r, const apr_array_header_t *msgs,
                     const fm_held *held);
/* Once every content filter ran (mod_session saves in one): report a save
 * that did not happen, and where the cookie can still carry the messages
 * (fallback), put them there.  msgs: what was saved. */
void fm_storage_confirm(request_rec *r, const apr_array_header_t *msgs,
                        const fm_held *held);
/* Does r's storage confirm its saves (fm_storage_confirm does something)? */
int fm_storage_confirms(request_rec *r);
/* Could the client have pending messages?  No decoding, no allocation. */
int fm_storage_may_hold(request_rec *r);
/* Does the request carry our cookie?  No allocation. */
int fm_cookie_present(request_rec *r);

/* Start-up, one entry per hook.  check_config: the whole configuration,
 * and what each server's storage needs (OK or an error status, having
 * logged why). */
int fm_storage_check_config(server_rec *s, apr_pool_t *ptemp);
void fm_storage_pre_config(apr_pool_t *pconf, apr_pool_t *plog);
int fm_storage_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           server_rec *s);
void fm_storage_child_init(apr_pool_t *p, server_rec *s);
void fm_storage_optional_fn_retrieve(void);
/* For the ready line: whether mod_session is there, and so which
 * storages are available. */
const char *fm_storage_summary(void);
/* Whether FlashMsgStorage fallback (the default) runs as cookie storage
 * (mod_session is not loaded), and so counts under the Cookie* counters. */
int fm_storage_fallback_is_cookie(void);

#endif

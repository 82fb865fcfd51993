/*
 * storage.h - where pending messages live between requests.  One small
 * interface; FlashMsgStorage picks the implementation:
 *   storage/cookie_storage.c    the signed (or encrypted) cookie
 *   storage/session_storage.c   mod_session (cookie, dbd, crypto behind it)
 *   storage/fallback_storage.c  cookie first, overflow to the session
 *   storage/storage.c           the choice per request
 */
#ifndef FM_STORAGE_H
#define FM_STORAGE_H

#include "flashmsg_private.h"

typedef struct {
    const char *name;
    /* Append the pending messages to st->msgs (oldest first); note what the
     * client sent (st->had_cookie, st->had_session) and set st->changed
     * when storage must be rewritten. */
    void (*load)(request_rec *r, fm_state *st);
    /* Persist st->msgs (an empty list clears what the client holds). */
    void (*save)(request_rec *r, fm_state *st);
} fm_storage_ops;

extern const fm_storage_ops fm_cookie_storage;
extern const fm_storage_ops fm_session_storage;
extern const fm_storage_ops fm_fallback_storage;

/* Dispatch on the request's FlashMsgStorage. */
void fm_storage_load(request_rec *r, fm_state *st);
void fm_storage_save(request_rec *r, fm_state *st);

/* Cookie primitives (cookie_storage.c). */
unsigned fm_cookie_read(request_rec *r, fm_state *st);   /* returns flags */
/* n == 0 and no flags deletes the cookie if the client had one. */
void fm_cookie_write(request_rec *r, fm_state *st, const fm_message *msgs,
                     int n, unsigned flags);
int fm_cookie_fit_count(request_rec *r, const fm_message *msgs, int n,
                        int keep_newest);
apr_size_t fm_cookie_max_size(request_rec *r);

/* Session primitives (session_storage.c). */
typedef enum {
    FM_SESSION_OK,
    FM_SESSION_UNAVAILABLE,   /* mod_session not loaded, or Session off here */
    FM_SESSION_FAILED         /* on, but the session could not be written */
} fm_session_status;

/* Look up mod_session's optional functions (optional_fn_retrieve hook). */
void fm_session_retrieve(void);
int fm_session_loaded(void);
void fm_session_read(request_rec *r, fm_state *st);
/* n == 0 removes our entry if the session holds one. */
fm_session_status fm_session_write(request_rec *r, fm_state *st,
                                   const fm_message *msgs, int n);

#endif

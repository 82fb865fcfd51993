/*
 * storage.h - where pending messages live between requests.  One small
 * interface; FlashMsgStorage picks the implementation.
 *   storage/cookie_storage.c   the signed (or encrypted) cookie
 */
#ifndef FM_STORAGE_H
#define FM_STORAGE_H

#include "flashmsg_private.h"

typedef struct {
    const char *name;
    /* Append the pending messages to st->msgs; set st->had_state when the
     * client sent state, st->changed when storage must be rewritten. */
    void (*load)(request_rec *r, fm_state *st);
    /* Persist st->msgs (an empty list clears what the client holds). */
    void (*save)(request_rec *r, fm_state *st);
} fm_storage_ops;

extern const fm_storage_ops fm_cookie_storage;

/* Dispatch on the request's FlashMsgStorage. */
void fm_storage_load(request_rec *r, fm_state *st);
void fm_storage_save(request_rec *r, fm_state *st);

#endif

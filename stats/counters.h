/*
 * counters.h - server-wide counters since start, summed over all children
 * (shared memory created once by the parent, kept across graceful
 * restarts), shown by mod_status's server-status page.  Everything above
 * config/ counts through fm_count(); nothing here knows about messages.
 *
 * The idle path never counts: every call site is on a path that a request
 * with no cookie of ours and no X-Flash/note/FlashMsgAdd does not take.
 */
#ifndef FM_COUNTERS_H
#define FM_COUNTERS_H

#include <httpd.h>

typedef enum {
    FM_C_ADDED_HEADER,      /* messages from X-Flash response fields */
    FM_C_ADDED_NOTE,        /* from the "flashmsg" request note */
    FM_C_ADDED_CONFIG,      /* from FlashMsgAdd */
    FM_C_ADDED_API,         /* from the C API (flashmsg_add) */
    FM_C_LOADED,            /* read back from storage (not expired) */
    FM_C_RENDERED,          /* shown in a page (the placeholder) */
    FM_C_CONSUMED_JSON,     /* taken by SetHandler flashmsg-json */
    FM_C_CONSUMED_HTMX,     /* delivered as an htmx event */
    FM_C_CONSUMED_BACKEND,  /* shown by the backend (X-Flash-Consumed) */
    FM_C_CLEARED,           /* removed by FlashMsgClear / flashmsg-clear */
    FM_C_KEPT_PENDING,      /* kept for a later response by one that could
                             * not show them (again each time: a message kept
                             * by two responses counts twice) */
    FM_C_DROPPED_SIZE,      /* did not fit in the cookie / session */
    FM_C_DROPPED_AGE,       /* older than FlashMsgMaxAge when read */
    FM_C_DROPPED_LEVEL,     /* below FlashMsgMinLevel */
    FM_C_LOST_LATE,         /* added after the headers went out */
    FM_C_LOST_SAVE,         /* storage could not be written */
    FM_C_REJECTED_SIGNATURE,/* cookie values: bad MAC / AEAD tag, wrong kind */
    FM_C_REJECTED_EXPIRED,  /* created in the future / all messages expired */
    FM_C_REJECTED_MALFORMED,/* not our format */
    /* per storage: loads (a request read it), saves, failures */
    FM_C_COOKIE_LOADS, FM_C_COOKIE_SAVES, FM_C_COOKIE_FAILURES,
    FM_C_SESSION_LOADS, FM_C_SESSION_SAVES, FM_C_SESSION_FAILURES,
    FM_C_FALLBACK_LOADS, FM_C_FALLBACK_SAVES, FM_C_FALLBACK_FAILURES,
    FM_C_SOCACHE_LOADS, FM_C_SOCACHE_SAVES, FM_C_SOCACHE_FAILURES,
    FM_C_COUNT
} fm_counter;

/* Every message a response holds ends it one way, so over any time span
 *   Added + Loaded = Rendered + Consumed* + Cleared + KeptPending
 *                    + DroppedLevel + LostLate
 * and what was kept is read back, expires, does not fit or is still out:
 *   KeptPending = Loaded + DroppedAge + DroppedSize + LostSave + (pending)
 */

/* Add n to a counter: one atomic add, nothing when n is 0 or the shared
 * segment does not exist (configtest, unit tests). */
void fm_count(fm_counter c, int n);

/* The value now (tests, the status page). */
apr_uint32_t fm_counter_value(fm_counter c);

/* post_config: create the segment the first time, find it again after a
 * graceful restart. */
int fm_counters_post_config(apr_pool_t *pconf, server_rec *s);

/* post_config: whether fallback storage runs as cookie storage (no
 * mod_session), which the status page then says, since its loads, saves
 * and failures count under Cookie* and Fallback* stays 0. */
void fm_counters_fallback_as_cookie(int yes);

/* mod_status's status_hook: "FlashMsgXxx: n" lines for ?auto, a table
 * otherwise. */
int fm_counters_status(request_rec *r, int flags);

#endif

/*
 * backend.h - what the storage backends share, below the contract
 * (storage.h): the interface each implements, the cookie plan and the
 * cookie primitives (cookie_storage.c), the size budgets (fit.c), the
 * session primitives (session_storage.c), the socache start-up
 * (socache_storage.c) and the expiry note (backend.c).  storage.c
 * dispatches through fm_storage_ops; the backends call only what is
 * declared here, sideways or down, never back up into storage.c.
 *   storage/cookie_storage.c    the signed (or encrypted) cookie
 *   storage/session_storage.c   mod_session (cookie, dbd, crypto behind it)
 *   storage/fallback_storage.c  cookie first, overflow to the session
 *   storage/socache_storage.c   an socache entry per batch, cookies refer
 */
#ifndef FM_STORAGE_BACKEND_H
#define FM_STORAGE_BACKEND_H

#include "storage/storage.h"
#include "stats/counters.h"
#include "core/cookie_codec.h"

/* socache storage: a batch's id, 16 random bytes in base64url. */
#define FM_SOCACHE_ID_BYTES 16
#define FM_SOCACHE_ID_CHARS 22

typedef struct {                    /* one cookie of ours (fm_held) */
    const char *name;
    apr_array_header_t *msgs;   /* fm_message: what it holds, unexpired */
    apr_size_t size;            /* "name=value; " as the browser sends it */
    int keep;                   /* may stay as it is (no expired messages,
                                 * its name not sent twice) */
    const char *ref;            /* socache storage: the id of the batch's
                                 * cache entry (FM_COOKIE_REF), else NULL */
    apr_int64_t ref_created;    /* ref: when it was issued (seconds) */
    int unread;                 /* ref whose entry this request did not
                                 * read (no cache here, the engine down,
                                 * or beyond what one request reads):
                                 * kept as it is, shows nothing */
} fm_batch;

typedef struct {
    const char *name;
    /* The first of its three counters: loads, saves, failures. */
    fm_counter counters;
    /* Append the pending messages to msgs (oldest first) and note what the
     * client held. */
    void (*load)(request_rec *r, apr_array_header_t *msgs, fm_held *held);
    /* Persist msgs (an empty list clears what the client holds). */
    void (*save)(request_rec *r, const apr_array_header_t *msgs,
                 const fm_held *held);
    /* fm_storage_confirm, for a storage whose save completes later (in
     * MOD_SESSION_OUT); NULL where the save is done when it returns. */
    void (*confirm)(request_rec *r, const apr_array_header_t *msgs,
                    const fm_held *held);
} fm_storage_ops;

extern const fm_storage_ops fm_cookie_storage;
extern const fm_storage_ops fm_session_storage;
extern const fm_storage_ops fm_fallback_storage;
extern const fm_storage_ops fm_socache_storage;

/* A storage found `expired` messages past FlashMsgMaxAge: count, log,
 * and mark what the client holds for rewriting. */
void fm_storage_expired(request_rec *r, fm_held *held, int expired);

/* Size budgets (fit.c): how messages are encoded and how many bytes they
 * may take in one place. */
typedef struct {
    fm_codec_opts opts;
    apr_size_t max;             /* bytes available */
    apr_size_t limit;           /* the directive's value, for logs */
    const char *directive;      /* the directive that sets it */
} fm_budget;

void fm_cookie_budget(request_rec *r, fm_budget *b);
void fm_session_budget(request_rec *r, fm_budget *b);
/* Does m fit the budget on its own? */
int fm_fits_alone(const fm_budget *b, const fm_message *m);
/* The newest of msgs[0..n) that fit b (*kept of them), dropping first any
 * message too large on its own; one warning says what was dropped. */
const fm_message *fm_fit_newest(request_rec *r, const fm_budget *b,
                                const fm_message *msgs, int n, int *kept);

/* Cookie primitives (cookie_storage.c). */
/* Returns the cookies' flags (FM_COOKIE_CONTINUED).  A reference cookie
 * (socache storage) is noted, unread: fm_socache_follow reads it where the
 * server has the cache, and elsewhere it stays as it is. */
unsigned fm_cookie_read(request_rec *r, apr_array_header_t *msgs,
                        fm_held *held);

/* What a save does with the cookies the client holds: the ones whose
 * messages are all still pending stay as they are (kept); every other
 * pending message is loose and goes into one new cookie (or elsewhere). */
typedef struct {
    apr_array_header_t *kept;       /* const fm_batch * */
    apr_size_t kept_size;
    apr_array_header_t *loose;      /* fm_message, oldest first */
    int dropped;                    /* messages of kept cookies given up */
} fm_cookie_plan;

/* (cookie_plan.c) */
void fm_cookie_plan_make(request_rec *r, const apr_array_header_t *list,
                         const fm_held *held, fm_cookie_plan *plan);
/* "." and 8 characters from 6 random bytes: new batches never collide. */
#define FM_BATCH_ID_LEN 9
/*
 * The name of a new batch's cookie.  The site's own requests carry every
 * cookie of ours the browser holds, so each batch gets a name of its own
 * (two tabs adding at once keep both) and the budget sees them all.
 * Another site's request (a cross-site form POST) carries none of them,
 * yet the browser keeps what its answer sets: such answers all use the
 * base name, one cookie the newest replaces, so that no sequence of them
 * can grow the browser's cookies (docs/spec.md §5, the browser-side bound).
 */
const char *fm_cookie_new_batch_name(request_rec *r, const char *base);
/* Browser-side bytes of a new batch's cookie beyond its value (the longer
 * of the two names fm_cookie_new_batch_name gives). */
apr_size_t fm_cookie_batch_overhead(const fm_budget *b);
/* Bytes left in b for the value of one new cookie. */
apr_size_t fm_cookie_plan_room(const fm_cookie_plan *plan, const fm_budget *b);
/* Keep none of the cookies: their messages are loose again, oldest first
 * (when the oldest messages must be given up). */
void fm_cookie_plan_unkeep(fm_cookie_plan *plan);
/* Does the plan keep cookie bt as it is? */
int fm_cookie_plan_keeps(const fm_cookie_plan *plan, const fm_batch *bt);
/* Give up the oldest kept cookies until a new value of `need` bytes fits. */
void fm_cookie_plan_make_room(fm_cookie_plan *plan, const fm_budget *b,
                              apr_size_t need);
/* Delete the cookies read and not kept, and add one new cookie holding
 * msgs[0..n) (none if n == 0). */
void fm_cookie_plan_write(request_rec *r, const fm_held *held,
                          const fm_cookie_plan *plan, const fm_message *msgs,
                          int n, unsigned flags);

/* Delete the cookies read and not kept, and add one new cookie holding
 * value (a reference, socache_storage.c) under a new name of the family. */
void fm_cookie_plan_write_ref(request_rec *r, const fm_held *held,
                              const fm_cookie_plan *plan, const char *id);
/* Bytes of a reference cookie's value. */
apr_size_t fm_cookie_ref_size(request_rec *r);

/* socache primitives (socache_storage.c).  Read the entries of the
 * references held, where this server has the cache (any FlashMsgStorage:
 * a reference from another scope is read, not deleted unread). */
void fm_socache_follow(request_rec *r, apr_array_header_t *msgs,
                       fm_held *held);
/* The cookie of reference bt is deleted: its entry becomes a tombstone. */
void fm_socache_retire(request_rec *r, const fm_batch *bt);
/* For the startup hooks. */
void fm_socache_pre_config(apr_pool_t *pconf, apr_pool_t *plog);
/* check_config (fm_server_need): FlashMsgStorage socache without a
 * FlashMsgSocache. */
int fm_socache_need(server_rec *v, const fm_srv_conf *sc, int say);
int fm_socache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           server_rec *s);
void fm_socache_child_init(apr_pool_t *p, server_rec *s);

/* Session primitives (session_storage.c). */
typedef enum {
    FM_SESSION_OK,
    FM_SESSION_UNAVAILABLE,   /* mod_session not loaded, or Session off here */
    FM_SESSION_FAILED         /* on, but the session could not be written */
} fm_session_status;

/* Look up mod_session's optional functions (optional_fn_retrieve hook). */
void fm_session_retrieve(void);
int fm_session_loaded(void);
/* check_config (fm_server_need): FlashMsgStorage session without
 * mod_session. */
int fm_session_need(server_rec *v, const fm_srv_conf *sc, int say);
/* post_config: say which bound the session part has when only
 * mod_session_dbd is loaded and FlashMsgSessionMaxSize is not set. */
void fm_session_post_config(server_rec *s);
void fm_session_read(request_rec *r, apr_array_header_t *msgs,
                     fm_held *held);
/* n == 0 removes our entry if the session holds one. */
fm_session_status fm_session_write(request_rec *r, const fm_held *held,
                                   const fm_message *msgs, int n);
/* After MOD_SESSION_OUT ran: did the session written above reach its
 * store?  If not, counts one of `failures` and returns the messages it
 * was to hold; a failed save of none (what was shown stays in the
 * session) is logged here and returns 0. */
int fm_session_unsaved(request_rec *r, fm_counter failures);

#endif

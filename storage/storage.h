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

#include "config/config.h"
#include "core/cookie_codec.h"

/* socache storage: a batch's id, 16 random bytes in base64url. */
#define FM_SOCACHE_ID_BYTES 16
#define FM_SOCACHE_ID_CHARS 22

/* What the client held when the request came in: decides what a save must
 * delete or rewrite. */
typedef struct {                    /* one cookie of ours */
    const char *name;
    apr_array_header_t *msgs;   /* fm_message: what it holds, unexpired */
    apr_size_t size;            /* "name=value; " as the browser sends it */
    int keep;                   /* may stay as it is (no expired messages,
                                 * its name not sent twice) */
    const char *ref;            /* socache storage: the id of the batch's
                                 * cache entry (FM_COOKIE_REF), else NULL */
    apr_int64_t ref_created;    /* ref: when it was issued (seconds) */
    int unavailable;            /* ref whose entry could not be read (the
                                 * cache is down): kept, shows nothing */
} fm_batch;

typedef struct {
    int had_cookie;     /* the client sent our cookie */
    int had_session;    /* the session held our entry */
    int stale;          /* what the client holds must be rewritten (expired
                         * or rejected values) */
    apr_array_header_t *batches;    /* fm_batch: our valid cookies */
    apr_array_header_t *rejected;   /* const char *: names of bad ones */
} fm_held;

typedef struct {
    const char *name;
    /* Append the pending messages to msgs (oldest first) and note what the
     * client held. */
    void (*load)(request_rec *r, apr_array_header_t *msgs, fm_held *held);
    /* Persist msgs (an empty list clears what the client holds). */
    void (*save)(request_rec *r, const apr_array_header_t *msgs,
                 const fm_held *held);
} fm_storage_ops;

extern const fm_storage_ops fm_cookie_storage;
extern const fm_storage_ops fm_session_storage;
extern const fm_storage_ops fm_fallback_storage;
extern const fm_storage_ops fm_socache_storage;

/* Dispatch on the request's FlashMsgStorage. */
void fm_storage_load(request_rec *r, apr_array_header_t *msgs, fm_held *held);
void fm_storage_save(request_rec *r, const apr_array_header_t *msgs,
                     const fm_held *held);
/* Once every content filter ran (mod_session saves in one): report a save
 * that did not happen, and where the cookie can still carry the messages
 * (fallback), put them there.  msgs: what was saved. */
void fm_storage_confirm(request_rec *r, const apr_array_header_t *msgs,
                        const fm_held *held);
/* A storage found `expired` messages past FlashMsgMaxAge: count, log,
 * and mark what the client holds for rewriting. */
void fm_storage_expired(request_rec *r, fm_held *held, int expired);
/* Could the client have pending messages?  No decoding, no allocation. */
int fm_storage_may_hold(request_rec *r);
/* Does the request carry our cookie?  No allocation. */
int fm_cookie_present(request_rec *r);

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
/* Returns the cookies' flags (FM_COOKIE_CONTINUED). */
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

void fm_cookie_plan_make(request_rec *r, const apr_array_header_t *list,
                         const fm_held *held, fm_cookie_plan *plan);
/* Bytes left in b for the value of one new cookie. */
apr_size_t fm_cookie_plan_room(const fm_cookie_plan *plan, const fm_budget *b);
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

/* socache primitives (socache_storage.c), for the startup hooks. */
void fm_socache_pre_config(apr_pool_t *pconf, apr_pool_t *plog);
/* check_config: FlashMsgStorage socache has a FlashMsgSocache. */
int fm_socache_check(server_rec *s);
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
void fm_session_read(request_rec *r, apr_array_header_t *msgs,
                     fm_held *held);
/* n == 0 removes our entry if the session holds one. */
fm_session_status fm_session_write(request_rec *r, const fm_held *held,
                                   const fm_message *msgs, int n);
/* After MOD_SESSION_OUT ran: did the session written above reach its store?
 * FM_SESSION_FAILED with *n = the messages it was to hold. */
fm_session_status fm_session_outcome(request_rec *r, int *n);

#endif

/*
 * socache_storage.c - FlashMsgStorage socache: the messages live in one of
 * httpd's socache providers (FlashMsgSocache: shmcb on one machine, redis
 * or memcache shared by several), the client holds only references.
 *
 * It is cookie storage (cookie_storage.c: one cookie per batch, a render
 * deletes exactly the cookies it read) with the batch's messages moved
 * into the cache: each batch's cookie, NAME.ID, holds a signed (or
 * encrypted) reference -- 16 random bytes from the OS -- and the batch's
 * messages are one cache entry under those 16 bytes, expiring after
 * FlashMsgMaxAge.  (The key begins with the random bytes: shmcb picks its
 * subcache by the key's first byte, and keys that all began with one
 * prefix shared one subcache, a sixteenth of a default-sized cache.)  A
 * response that adds messages stores one new entry and sets one new
 * cookie; a response that shows messages replaces exactly the
 * entries it read with a tombstone ("shown", FM_SOCACHE_TOMBSTONE_TTL) and
 * deletes their cookies.  No entry is ever rewritten but into its
 * tombstone, so two requests of one browser (two tabs) neither lose what
 * the other added nor bring back what the other showed; and a replayed
 * cookie finds a tombstone or nothing and shows nothing.
 *
 * Entries are encoded like cookie values (core/cookie_codec.c), bound to
 * "flashmsg:" + the id: signed, or encrypted with FlashMsgCookieEncrypt On,
 * and checked like a cookie when read (the cache is shared infrastructure).
 * Each entry holds at most FlashMsgSessionMaxSize bytes and the reference
 * cookies stay within FlashMsgCookieMaxSize.
 *
 * Engine down (store, retrieve or remove fail): pages are served, the
 * references the client holds stay, and what is added meanwhile goes into
 * plain message cookies (as far as they fit FlashMsgCookieMaxSize); one
 * error line per FM_SOCACHE_LOG_INTERVAL and process says so.  apr's
 * redis and memcache clients answer "not found" at once, without asking,
 * while they hold a server for dead (5 s after a failure, and on until it
 * answers again): so a reference that finds no entry in such an engine is
 * followed by a probe store, and kept when the probe fails too.  A
 * reference that finds neither its entry nor its tombstone while the cache
 * works is logged at warn: its messages are lost (evicted from a full
 * cache, the engine restarted) -- or it is a cookie replayed after the
 * tombstone expired.  A loss must not pass silently; a parallel request
 * of the same browser (which finds the tombstone) must not cry wolf.
 *
 * Talking to the engine (start-up, locks, error lines) is
 * socache_engine.c's.  Engine hanging (no answer at all, no error):
 * neither provider bounds the wait, so each process watches its calls
 * (engine_watch.c): once the calls in flight have gone without an answer
 * for FlashMsgSocacheTimeout, later calls are not made and take the
 * "engine down" path above, until a call in flight returns.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_general.h>

#include "storage/backend.h"
#include "core/message_list.h"
#include "storage/socache_engine.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

#define FM_SOCACHE_KEY_PREFIX "flashmsg:"
/* What a shown entry becomes, and for how long at most (seconds): long
 * enough for the parallel requests of one browser, short enough to cost
 * the cache little.  Not a valid encoded value. */
#define FM_SOCACHE_TOMBSTONE "-"
#define FM_SOCACHE_TOMBSTONE_TTL 60

/* The name an entry's MAC (or AEAD data) binds: "flashmsg:" + its id. */
static const char *entry_key(request_rec *r, const char *id)
{
    return apr_pstrcat(r->pool, FM_SOCACHE_KEY_PREFIX, id, NULL);
}

/* The codec options of one entry: its key is bound into the MAC (or the
 * AEAD data), so an entry cannot be moved to another key. */
static void entry_budget(request_rec *r, const char *key, fm_budget *b)
{
    const fm_settings *c = fm_settings_of(r);
    b->opts.cookie_name = key;
    b->opts.encrypt = c->encrypt;
    b->opts.max_age = c->max_age;
    b->max = c->session_max_size;
    b->limit = c->session_max_size;
    b->directive = "FlashMsgSessionMaxSize";
}

/* Largest entry read back: the largest bound of the server (an entry
 * written where FlashMsgSessionMaxSize is larger is read here too), with
 * room for a node whose bound is larger still. */
static unsigned int entry_buffer_size(request_rec *r)
{
    apr_size_t n = fm_settings_of(r)->session_max_size;
    apr_int64_t largest = fm_server_of(r)->largest_session_max_size;
    if ((apr_int64_t)n < largest)
        n = (apr_size_t)largest;
    return (unsigned int)(n < 8192 ? 16384 : 2 * n);
}

/* ------------------------------------------------------------------ */
/* Load and save                                                        */

/* What reading a reference's entry found. */
typedef enum {
    ENTRY_READ,         /* its messages (maybe none left after checks) */
    ENTRY_SHOWN,        /* its tombstone */
    ENTRY_MISSING,      /* nothing while the engine answers: lost */
    ENTRY_UNREAD        /* the engine did not answer: the cookie stays */
} entry_found;

/* Read one reference's entry into bt (and msgs). */
static entry_found read_entry(request_rec *r, fm_held *held, fm_batch *bt,
                              apr_array_header_t *msgs, int *probe)
{
    const fm_srv_conf *sc = fm_server_of(r);
    const char *key = entry_key(r, bt->ref);
    unsigned int len = entry_buffer_size(r);
    unsigned char *buf = apr_palloc(r->pool, len + 1);
    fm_budget b;
    fm_decode_status ds;
    unsigned flags = 0;
    int expired = 0, key_index = 0;
    apr_status_t rv = fm_cache_call(r, FM_CACHE_RETRIEVE, bt->ref, buf, &len,
                                    0);

    if (APR_STATUS_IS_NOTFOUND(rv) && !fm_cache_answers(r, probe))
        return ENTRY_UNREAD;
    if (rv != APR_SUCCESS && !APR_STATUS_IS_NOTFOUND(rv)) {
        fm_cache_error(r, rv, "retrieve");
        return ENTRY_UNREAD;
    }
    bt->unread = 0;
    if (APR_STATUS_IS_NOTFOUND(rv)) {
        bt->keep = 0;
        bt->ref = NULL;     /* no entry to replace with a tombstone (in
                             * shmcb that store would evict another) */
        held->stale = 1;
        return ENTRY_MISSING;
    }
    if (len == sizeof(FM_SOCACHE_TOMBSTONE) - 1
        && !memcmp(buf, FM_SOCACHE_TOMBSTONE, len)) {
        /* Shown already: by a parallel request, or a replayed cookie. */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "cookie %s refers to an entry shown already",
                      bt->name);
        bt->keep = 0;
        held->stale = 1;
        return ENTRY_SHOWN;
    }
    entry_budget(r, key, &b);
    ds = fm_cookie_decode(msgs->pool, sc->keys, &b.opts, (const char *)buf,
                          len, fm_now(), bt->msgs, &flags, &expired,
                          &key_index);
    if (ds != FM_DECODE_OK || (flags & FM_COOKIE_REF)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "cache entry of cookie %s ignored and removed: %s "
                      "(%u bytes)", bt->name,
                      ds != FM_DECODE_OK ? fm_decode_status_str(ds)
                      : "not a batch", len);
        apr_array_clear(bt->msgs);
        bt->keep = 0;
        held->stale = 1;
        return ENTRY_READ;
    }
    if (expired) {
        fm_storage_expired(r, held, expired);
        bt->keep = 0;
    }
    apr_array_cat(msgs, bt->msgs);
    return ENTRY_READ;
}

/* Missing entries are logged, a few of them: a replayed jar can hold
 * dozens of references. */
#define FM_MISSING_LOGGED 3

/* References read oldest first. */
static int by_issue_time(const void *a, const void *b)
{
    const fm_batch *x = *(const fm_batch *const *)a;
    const fm_batch *y = *(const fm_batch *const *)b;
    return (x->ref_created > y->ref_created)
           - (x->ref_created < y->ref_created);
}

/*
 * Read the entries of the references fm_cookie_read found, where this
 * server has the cache -- whatever FlashMsgStorage says here: a reference
 * issued in another scope is read too, and never deleted unread.  One
 * request reads no more references than FlashMsgCookieMaxSize holds,
 * oldest first; the others stay, unread, for a later request (a client
 * that replays many cannot make one request read them all).
 */
void fm_socache_follow(request_rec *r, apr_array_header_t *msgs,
                       fm_held *held)
{
    const fm_srv_conf *sc = fm_server_of(r);
    apr_size_t budget = fm_settings_of(r)->cookie_max_size, used = 0;
    apr_array_header_t *refs;
    int i, got = 0, sources = 0, missing = 0, probe = -1, before;

    if (!held->batches || !sc->socache_instance)
        return;
    refs = apr_array_make(r->pool, held->batches->nelts, sizeof(fm_batch *));
    for (i = 0; i < held->batches->nelts; i++) {
        fm_batch *bt = &APR_ARRAY_IDX(held->batches, i, fm_batch);
        if (bt->ref && bt->keep)
            APR_ARRAY_PUSH(refs, fm_batch *) = bt;
        else
            sources += bt->msgs->nelts > 0;
    }
    qsort(refs->elts, (size_t)refs->nelts, sizeof(fm_batch *), by_issue_time);
    before = msgs->nelts;
    for (i = 0; i < refs->nelts; i++) {
        fm_batch *bt = APR_ARRAY_IDX(refs, i, fm_batch *);
        const char *name = bt->name;
        apr_int64_t issued = bt->ref_created;
        if (used + bt->size > budget)
            break;                  /* the rest: a later request */
        used += bt->size;
        switch (read_entry(r, held, bt, msgs, &probe)) {
        case ENTRY_READ:
            sources += bt->msgs->nelts > 0;
            break;
        case ENTRY_MISSING:
            /* Within FlashMsgMaxAge (an expired reference is not
             * followed) and not even a tombstone: lost, or replayed long
             * after it was shown.  A loss must not pass silently. */
            if (missing++ < FM_MISSING_LOGGED)
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                              "cookie %s (issued %" APR_INT64_T_FMT " s ago) "
                              "refers to no cache entry: its messages are "
                              "lost before FlashMsgMaxAge (evicted from a "
                              "full FlashMsgSocache %s, or the engine "
                              "restarted), or the cookie is replayed", name,
                              fm_now() - issued, sc->socache_spec);
            break;
        default:
            break;
        }
    }
    if (missing > FM_MISSING_LOGGED)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d more reference(s) found no cache entry",
                      missing - FM_MISSING_LOGGED);
    if (i < refs->nelts)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%d reference(s) beyond FlashMsgCookieMaxSize %"
                      APR_SIZE_T_FMT " left for a later request",
                      refs->nelts - i, budget);
    got = msgs->nelts - before;
    if (sources > 1)
        fm_list_sort_unique(msgs);   /* oldest first, each message once */
    if (got)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%d pending message(s) loaded from the cache", got);
}

static void socache_load(request_rec *r, apr_array_header_t *msgs,
                         fm_held *held)
{
    fm_cookie_read(r, msgs, held);
    fm_socache_follow(r, msgs, held);
}

/* A reference's cookie is deleted (shown, or given up): its entry becomes
 * a tombstone, so that a parallel request of the same browser knows it
 * was shown and a replayed cookie shows nothing. */
void fm_socache_retire(request_rec *r, const fm_batch *bt)
{
    apr_int64_t ttl = fm_settings_of(r)->max_age;
    unsigned int len = sizeof(FM_SOCACHE_TOMBSTONE) - 1;
    apr_status_t rv;
    if (!fm_server_of(r)->socache_instance)
        return;
    if (ttl > FM_SOCACHE_TOMBSTONE_TTL || ttl < 1)
        ttl = FM_SOCACHE_TOMBSTONE_TTL;
    rv = fm_cache_call(r, FM_CACHE_STORE, bt->ref,
                       (unsigned char *)FM_SOCACHE_TOMBSTONE, &len,
                  apr_time_now() + apr_time_from_sec(ttl));
    if (rv != APR_SUCCESS)
        fm_cache_error(r, rv, "remove");
    else
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "the cache entry of cookie %s replaced by a tombstone",
                      bt->name);
}

static const char *new_id(request_rec *r)
{
    unsigned char rnd[FM_SOCACHE_ID_BYTES];
    char *id = apr_palloc(r->pool, FM_SOCACHE_ID_CHARS + 1);
    if (apr_generate_random_bytes(rnd, sizeof(rnd)) != APR_SUCCESS)
        return NULL;
    fm_b64url_encode(id, rnd, sizeof(rnd));
    id[FM_SOCACHE_ID_CHARS] = '\0';
    return id;
}

static void socache_save(request_rec *r, const apr_array_header_t *list,
                         const fm_held *held)
{
    const fm_srv_conf *sc = fm_server_of(r);
    fm_cookie_plan plan;
    fm_budget cb, eb;
    const fm_message *rest;
    const char *id, *key, *value;
    unsigned int len;
    apr_status_t rv;
    int m;

    fm_cookie_plan_make(r, list, held, &plan);
    if (plan.loose->nelts == 0) {
        /* Only shown (or expired, or unusable) batches to forget. */
        fm_cookie_plan_write_ref(r, held, &plan, NULL);
        return;
    }
    if (!sc->keys) {
        fm_cookie_storage.save(r, list, held);   /* logs the loss */
        return;
    }
    if (!(id = new_id(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "no random bytes for a cache entry: the messages go "
                      "to the cookie");
        fm_cookie_storage.save(r, list, held);
        return;
    }
    key = entry_key(r, id);
    entry_budget(r, key, &eb);
    rest = fm_fit_newest(r, &eb, (const fm_message *)plan.loose->elts,
                         plan.loose->nelts, &m);
    fm_cookie_budget(r, &cb);
    fm_cookie_plan_make_room(&plan, &cb, fm_cookie_ref_size(r));
    fm_count(FM_C_DROPPED_SIZE, plan.dropped);
    if (plan.dropped)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d message(s) dropped: older references made room "
                      "for a new one within FlashMsgCookieMaxSize %"
                      APR_SIZE_T_FMT, plan.dropped, cb.max);
    if (m == 0) {
        fm_cookie_plan_write_ref(r, held, &plan, NULL);
        return;
    }
    value = fm_cookie_encode(r->pool, sc->keys, &eb.opts, rest, m, 0,
                             fm_now());
    len = (unsigned int)strlen(value);
    rv = fm_cache_call(r, FM_CACHE_STORE, id, (unsigned char *)value, &len,
                  apr_time_now()
                  + apr_time_from_sec(fm_settings_of(r)->max_age));
    if (rv != APR_SUCCESS) {
        /* Engine down: plain message cookies, as cookie storage writes
         * them; the references the client holds stay. */
        fm_cache_error(r, rv, "store");
        fm_cookie_storage.save(r, list, held);
        return;
    }
    fm_cookie_plan_write_ref(r, held, &plan, id);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) stored in the cache (%u bytes), %d "
                  "cookie(s) kept as they are", m, len, plan.kept->nelts);
}

const fm_storage_ops fm_socache_storage = {
    "socache",
    FM_C_SOCACHE_LOADS,
    socache_load,
    socache_save,
    NULL            /* the entry is stored when it saves */
};

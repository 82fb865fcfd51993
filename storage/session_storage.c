/*
 * session_storage.c - pending messages in mod_session, under the session
 * key "flashmsg", serialized and signed (or encrypted) exactly like the
 * cookie: a session may itself live in a client-side cookie.
 *
 * mod_session traps handled here:
 *  - The session is saved by MOD_SESSION_OUT (a CONTENT_SET filter, after
 *    ours); we only set our entry, before passing any data, and never call
 *    ap_session_save ourselves in the normal case.
 *  - When the incoming session has expired, every ap_session_load() hands
 *    out a new blank session, so a value set on one is lost and
 *    MOD_SESSION_OUT saves another blank one.  When it cannot be decoded
 *    (e.g. garbage under mod_session_crypto) ap_session_load() fails and
 *    nothing can be stored at all.  Both are detected (two loads disagree,
 *    or the load fails); we then save our own session once with
 *    ap_session_save() and take MOD_SESSION_OUT out of this request's chain
 *    so it cannot overwrite it.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_uuid.h>
#include <apr_optional.h>
#include <util_filter.h>

#include <http_core.h>

#include "storage/backend.h"
#include "stats/counters.h"
#include "mod_session.h"

APLOG_USE_MODULE(flashmsg);

#define FM_SESSION_KEY "flashmsg"

static APR_OPTIONAL_FN_TYPE(ap_session_load) *session_load;
static APR_OPTIONAL_FN_TYPE(ap_session_get) *session_get;
static APR_OPTIONAL_FN_TYPE(ap_session_set) *session_set;
static APR_OPTIONAL_FN_TYPE(ap_session_save) *session_save;

void fm_session_retrieve(void)
{
    session_load = APR_RETRIEVE_OPTIONAL_FN(ap_session_load);
    session_get = APR_RETRIEVE_OPTIONAL_FN(ap_session_get);
    session_set = APR_RETRIEVE_OPTIONAL_FN(ap_session_set);
    session_save = APR_RETRIEVE_OPTIONAL_FN(ap_session_save);
}

int fm_session_loaded(void)
{
    return session_load && session_get && session_set && session_save;
}

int fm_session_need(server_rec *v, const fm_srv_conf *sc, int say)
{
    if (!sc->session_at || fm_session_loaded())
        return 0;
    if (say)
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX
            "FlashMsgStorage session (%s) needs mod_session and a "
            "session provider: 'a2enmod session_cookie' (or "
            "session_dbd), and 'Session On' where messages are used",
            sc->session_at);
    return 1;
}

/* The session value is bound to its own name, so a value cannot be moved
 * between the cookie and the session. */
void fm_session_budget(request_rec *r, fm_budget *b)
{
    const fm_settings *c = fm_settings_of(r);
    b->opts.cookie_name = "session:" FM_SESSION_KEY;
    b->opts.encrypt = c->encrypt;
    b->opts.max_age = c->max_age;
    b->max = c->session_max_size;
    b->limit = c->session_max_size;
    b->directive = "FlashMsgSessionMaxSize";
}

void fm_session_read(request_rec *r, apr_array_header_t *msgs,
                     fm_held *held)
{
    const fm_srv_conf *sc = fm_server_of(r);
    const char *v = NULL;
    session_rec *z = NULL;
    fm_budget b;
    fm_decode_status ds;
    unsigned flags;
    int expired = 0, key_index = 0, before = msgs->nelts;

    if (!fm_session_loaded() || !sc->keys)
        return;
    if (session_load(r, &z) != APR_SUCCESS || !z)
        return;
    if (session_get(r, z, FM_SESSION_KEY, &v) != APR_SUCCESS || !v || !*v)
        return;
    held->had_session = 1;
    fm_session_budget(r, &b);
    ds = fm_cookie_decode(msgs->pool, sc->keys, &b.opts, v, strlen(v),
                          fm_now(), msgs, &flags, &expired, &key_index);
    if (ds != FM_DECODE_OK) {
        fm_count(FM_C_SESSION_FAILURES, 1);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "session entry ignored and removed: %s",
                      fm_decode_status_str(ds));
        held->stale = 1;
        return;
    }
    fm_storage_expired(r, held, expired);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d pending message(s) loaded from the session for %s",
                  msgs->nelts - before, r->uri);
}

/* A blank session, as mod_session makes one, for when it cannot give us any. */
static session_rec *blank_session(request_rec *r)
{
    session_rec *z = apr_pcalloc(r->pool, sizeof(*z));
    z->pool = r->pool;
    z->entries = apr_table_make(r->pool, 4);
    z->uuid = apr_pcalloc(r->pool, sizeof(apr_uuid_t));
    apr_uuid_get(z->uuid);
    return z;
}

static void remove_session_out_filter(request_rec *r)
{
    ap_filter_t *f;
    for (f = r->output_filters; f; f = f->next) {
        if (!strcasecmp(f->frec->name, "MOD_SESSION_OUT")) {
            ap_remove_output_filter(f);
            return;
        }
    }
}

/* Our entry is set; MOD_SESSION_OUT saves the session later, and marks it
 * written only if the save succeeded (mod_session.c): remember the session
 * to ask afterwards (fm_session_unsaved). */
#define FM_AWAITED_SAVE "mod_flashmsg:awaited-session-save"
typedef struct {
    session_rec *z;
    int n;          /* messages set in it (0: our entry removed) */
} awaited_save;

static void await_save(request_rec *r, session_rec *z, int n)
{
    awaited_save *w = apr_palloc(r->pool, sizeof(*w));
    w->z = z;
    w->n = n;
    apr_pool_userdata_setn(w, FM_AWAITED_SAVE, NULL, r->pool);
}

fm_session_status fm_session_write(request_rec *r, const fm_held *held,
                                   const fm_message *msgs, int n)
{
    const fm_srv_conf *sc = fm_server_of(r);
    session_rec *z = NULL, *again = NULL;
    const char *value = NULL;
    apr_status_t rv;
    int unstable;

    if (!fm_session_loaded())
        return FM_SESSION_UNAVAILABLE;
    rv = session_load(r, &z);
    if (rv == APR_SUCCESS && !z)
        return FM_SESSION_UNAVAILABLE;          /* Session off here */
    if (n == 0 && !held->had_session)
        return FM_SESSION_OK;                   /* nothing of ours to clear */
    if (n > 0) {
        fm_budget b;
        fm_session_budget(r, &b);
        value = fm_cookie_encode(r->pool, sc->keys, &b.opts, msgs, n, 0,
                                 fm_now());
    }
    if (rv != APR_SUCCESS) {
        /* Undecodable incoming session: start a new one. */
        z = blank_session(r);
        unstable = 1;
    }
    else {
        unstable = session_load(r, &again) != APR_SUCCESS || again != z;
    }
    if (session_set(r, z, FM_SESSION_KEY, value) != APR_SUCCESS)
        return FM_SESSION_FAILED;
    if (unstable) {
        /* Expired or broken session: MOD_SESSION_OUT would save a different,
         * blank session object.  Save ours, once, and keep it from doing so. */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "the incoming session was expired or unreadable; "
                      "saving a new session for the messages");
        remove_session_out_filter(r);
        if (session_save(r, z) != APR_SUCCESS)
            return FM_SESSION_FAILED;
    }
    else {
        await_save(r, z, n);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) stored in the session", n);
    return FM_SESSION_OK;
}

int fm_session_unsaved(request_rec *r, fm_counter failures)
{
    awaited_save *w = NULL;
    apr_pool_userdata_get((void **)&w, FM_AWAITED_SAVE, r->pool);
    if (!w || w->z->written)
        return 0;
    fm_count(failures, 1);
    if (w->n == 0)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the session could not be saved (see mod_session's "
                      "error) for %s: messages already shown are still in "
                      "it and may be shown again", r->uri);
    return w->n;
}

static void session_storage_load(request_rec *r, apr_array_header_t *msgs,
                                 fm_held *held)
{
    fm_session_read(r, msgs, held);
}

static void session_storage_save(request_rec *r,
                                 const apr_array_header_t *list,
                                 const fm_held *held)
{
    fm_budget b;
    const fm_message *kept;
    int n;
    fm_session_budget(r, &b);
    kept = fm_fit_newest(r, &b, (const fm_message *)list->elts, list->nelts,
                         &n);
    switch (fm_session_write(r, held, kept, n)) {
    case FM_SESSION_OK:
        return;
    case FM_SESSION_UNAVAILABLE:
        fm_count(FM_C_LOST_SAVE, n);
        fm_count(FM_C_SESSION_FAILURES, n > 0);
        if (n)
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                          "FlashMsgStorage session needs mod_session with "
                          "\"Session On\" for %s; %d message(s) lost",
                          r->uri, n);
        return;
    case FM_SESSION_FAILED:
        fm_count(FM_C_LOST_SAVE, n);
        fm_count(FM_C_SESSION_FAILURES, 1);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "the session could not be written; %d message(s) lost",
                      n);
        return;
    }
}

/* The session is saved later, by MOD_SESSION_OUT: a failure there loses
 * the messages it was to hold. */
static void session_storage_confirm(request_rec *r,
                                    const apr_array_header_t *list,
                                    const fm_held *held)
{
    int n = fm_session_unsaved(r, FM_C_SESSION_FAILURES);
    (void)list;
    (void)held;
    if (n == 0)
        return;
    fm_count(FM_C_LOST_SAVE, n);
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                  "the session could not be saved (see mod_session's "
                  "error) for %s: %d message(s) lost", r->uri, n);
}

const fm_storage_ops fm_session_storage = {
    "session",
    FM_C_SESSION_LOADS,
    session_storage_load,
    session_storage_save,
    session_storage_confirm
};

/* The session part's bound, FlashMsgSessionMaxSize, defaults to what a
 * cookie session can carry (mod_session_cookie); a database session
 * (mod_session_dbd) holds far more, and messages that Django's session
 * storage would keep are dropped at the default.  The module cannot tell
 * which provider a <Location> uses, so it says at start which bound
 * applies when only the database provider is loaded and no bound is set. */
void fm_session_post_config(server_rec *s)
{
    server_rec *v;
    if (!fm_session_loaded() || !ap_find_linked_module("mod_session_dbd.c")
        || ap_find_linked_module("mod_session_cookie.c")
        || ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return;
    for (v = s; v; v = v->next) {
        const fm_srv_conf *sc = ap_get_module_config(v->module_config,
                                                     &flashmsg_module);
        if (sc && sc->largest_session_max_size)
            return;
    }
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, FM_LOGPFX
                 "the session part of fallback and session storage is "
                 "bounded by FlashMsgSessionMaxSize, %d bytes by default "
                 "(what mod_session_cookie can carry); with mod_session_dbd "
                 "set it higher, e.g. 'FlashMsgSessionMaxSize 65536'",
                 FM_DEFAULT_SESSION_MAX_SIZE);
}


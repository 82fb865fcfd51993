/*
 * socache_engine.c - talking to the FlashMsgSocache engine (contract in
 * socache_engine.h): the provider is created when the directive is read
 * (config/), initialised here in post_config, re-attached in child_init;
 * providers that are not multi-process safe (shmcb) get a global mutex.
 * Every call goes through the stall breaker (engine_watch.c): neither the
 * redis nor the memcache provider bounds a hung engine.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_global_mutex.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <util_mutex.h>

#include "storage/socache_engine.h"
#include "storage/engine_watch.h"

APLOG_USE_MODULE(flashmsg);

#define FM_SOCACHE_MUTEX "flashmsg-socache"
/* The key of the probe store (fm_cache_answers). */
#define FM_SOCACHE_PROBE_KEY "flashmsg-probe"
/* Seconds between two error lines about an engine that does not answer. */
#define FM_SOCACHE_LOG_INTERVAL 60
/* What cache_do answers for a call it did not make because the engine
 * has stalled: not a provider's status, so the error line can tell. */
#define FM_SOCACHE_SKIPPED (APR_OS_START_USERERR + 1)

/* Providers without AP_SOCACHE_FLAG_NOTMPSAFE need no lock (redis,
 * memcache); shmcb does. */
static apr_global_mutex_t *cache_mutex;

static apr_status_t forget_mutex(void *unused)
{
    (void)unused;
    cache_mutex = NULL;
    return APR_SUCCESS;
}

typedef struct {
    const ap_socache_provider_t *prov;
    ap_socache_instance_t *inst;
    server_rec *s;
} destroy_ctx;

static apr_status_t destroy_instance(void *v)
{
    destroy_ctx *d = v;
    d->prov->destroy(d->inst, d->s);
    return APR_SUCCESS;
}

void fm_socache_pre_config(apr_pool_t *pconf, apr_pool_t *plog)
{
    apr_status_t rv = ap_mutex_register(pconf, FM_SOCACHE_MUTEX, NULL,
                                        APR_LOCK_DEFAULT, 0);
    if (rv != APR_SUCCESS)
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog, FM_LOGPFX
                      "could not register the %s mutex", FM_SOCACHE_MUTEX);
}

int fm_socache_need(server_rec *v, const fm_srv_conf *sc, int say)
{
    if (!sc->socache_at || sc->socache_instance)
        return 0;
    if (say)
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX
                     "FlashMsgStorage socache (%s) needs FlashMsgSocache "
                     "PROVIDER[:ARGS] for this server, e.g. "
                     "'FlashMsgSocache shmcb' (a2enmod socache_shmcb)",
                     sc->socache_at);
    return 1;
}

int fm_socache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           server_rec *s)
{
    static struct ap_socache_hints hints = { 32, 256, 30000000 };
    /* The instances initialised so far, and the server of each. */
    apr_array_header_t *done = apr_array_make(pconf, 2, sizeof(void *));
    server_rec *v;
    int i;
    (void)plog;

    for (v = s; v; v = v->next) {
        fm_srv_conf *sc = ap_get_module_config(v->module_config,
                                               &flashmsg_module);
        const ap_socache_provider_t *prov;
        destroy_ctx *d;
        apr_status_t rv;
        void *watch = NULL;

        if (!sc || !sc->socache_instance)
            continue;
        /* Virtual hosts without their own FlashMsgSocache share one, and
         * its watch: a stall seen by one is a stall for all. */
        for (i = 0; i < done->nelts && !watch; i++) {
            const fm_srv_conf *o = APR_ARRAY_IDX(done, i, const fm_srv_conf *);
            if (o->socache_instance == sc->socache_instance)
                watch = o->socache_watch;
        }
        if (watch) {
            sc->socache_watch = watch;
            continue;
        }
        sc->socache_watch = fm_engine_watch_make(pconf);
        APR_ARRAY_PUSH(done, const fm_srv_conf *) = sc;
        prov = sc->socache_provider;
        if ((prov->flags & AP_SOCACHE_FLAG_NOTMPSAFE) && !cache_mutex) {
            rv = ap_global_mutex_create(&cache_mutex, NULL, FM_SOCACHE_MUTEX,
                                        NULL, s, pconf, 0);
            if (rv != APR_SUCCESS) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, rv, v, FM_LOGPFX
                             "could not create the %s mutex",
                             FM_SOCACHE_MUTEX);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            apr_pool_cleanup_register(pconf, NULL, forget_mutex,
                                      apr_pool_cleanup_null);
        }
        rv = prov->init(sc->socache_instance, "mod_flashmsg", &hints, v,
                        pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, v, FM_LOGPFX
                         "could not initialise FlashMsgSocache %s",
                         sc->socache_spec);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        d = apr_palloc(pconf, sizeof(*d));
        d->prov = prov;
        d->inst = sc->socache_instance;
        d->s = v;
        apr_pool_cleanup_register(pconf, d, destroy_instance,
                                  apr_pool_cleanup_null);
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, v, FM_LOGPFX
                     "socache storage on %s%s", sc->socache_spec,
                     cache_mutex ? " (with a global mutex)" : "");
    }
    return OK;
}

void fm_socache_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;
    if (!cache_mutex)
        return;
    rv = apr_global_mutex_child_init(&cache_mutex,
                                     apr_global_mutex_lockfile(cache_mutex),
                                     p);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, FM_LOGPFX
                     "could not attach to the %s mutex in a child",
                     FM_SOCACHE_MUTEX);
}

/* ------------------------------------------------------------------ */
/* The cache                                                            */


/* One process's error lines about the engine: at most one per interval. */
static apr_time_t last_error_line;
static int errors_since;

void fm_cache_error(request_rec *r, apr_status_t rv, const char *what)
{
    const fm_srv_conf *sc = fm_server_of(r);
    apr_time_t now = apr_time_now();
    fm_count(FM_C_SOCACHE_FAILURES, 1);
    if (last_error_line
        && now - last_error_line < apr_time_from_sec(FM_SOCACHE_LOG_INTERVAL)) {
        errors_since++;
        return;
    }
    if (rv == FM_SOCACHE_SKIPPED)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, APR_TIMEUP, r, FM_LOGPFX
                      "FlashMsgSocache %s has stalled for %" APR_INT64_T_FMT
                      " ms (%s): calls in flight have had no answer for "
                      "longer than FlashMsgSocacheTimeout, so this process "
                      "skips the engine until one returns; messages added "
                      "meanwhile go to the cookie as far as they fit; "
                      "%d more failure(s) since the last line, next line in "
                      "%d s at the earliest", sc->socache_spec,
                      (apr_int64_t)apr_time_as_msec(fm_engine_watch_stalled(
                          sc->socache_watch, now)),
                      what, errors_since, FM_SOCACHE_LOG_INTERVAL);
    else
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, FM_LOGPFX
                      "FlashMsgSocache %s does not answer (%s): messages "
                      "added meanwhile go to the cookie as far as they fit; "
                      "%d more failure(s) since the last line, next line in "
                      "%d s at the earliest", sc->socache_spec,
                      what, errors_since, FM_SOCACHE_LOG_INTERVAL);
    last_error_line = now;
    errors_since = 0;
}

/* The provider's key of an entry: the id's random bytes, first byte
 * first (shmcb's subcache). */
static int cache_key(const char *id, unsigned char *key, unsigned int *klen)
{
    long n;
    if (strlen(id) != FM_SOCACHE_ID_CHARS)
        return 0;
    n = fm_b64url_decode(key, id, FM_SOCACHE_ID_CHARS);
    if (n != FM_SOCACHE_ID_BYTES)
        return 0;
    *klen = (unsigned int)n;
    return 1;
}

/* One provider call on the entry of id (or on raw key bytes when id is
 * NULL: the probe). */
static apr_status_t cache_do(request_rec *r, fm_cache_op op, const char *id,
                             const unsigned char *raw, unsigned int rawlen,
                             unsigned char *data, unsigned int *len,
                             apr_time_t expiry)
{
    const fm_srv_conf *sc = fm_server_of(r);
    const ap_socache_provider_t *prov = sc->socache_provider;
    ap_socache_instance_t *inst = sc->socache_instance;
    unsigned char buf[FM_SOCACHE_ID_BYTES + 1];
    const unsigned char *key = raw;
    unsigned int klen = rawlen;
    int locked = 0;
    apr_status_t rv;

    if (!prov || !inst || !sc->socache_watch)
        return APR_EINIT;
    if (id) {
        if (!cache_key(id, buf, &klen))
            return APR_EINVAL;
        key = buf;
    }
    if (!fm_engine_watch_begin(sc->socache_watch, apr_time_now(),
                               fm_socache_timeout(sc)))
        return FM_SOCACHE_SKIPPED;
    if ((prov->flags & AP_SOCACHE_FLAG_NOTMPSAFE) && cache_mutex) {
        if ((rv = apr_global_mutex_lock(cache_mutex)) != APR_SUCCESS) {
            fm_engine_watch_end(sc->socache_watch, apr_time_now());
            return rv;
        }
        locked = 1;
    }
    switch (op) {
    case FM_CACHE_STORE:
        rv = prov->store(inst, r->server, key, klen, expiry, data, *len,
                         r->pool);
        break;
    default:
        rv = prov->retrieve(inst, r->server, key, klen, data, len, r->pool);
        break;
    }
    if (locked)
        apr_global_mutex_unlock(cache_mutex);
    fm_engine_watch_end(sc->socache_watch, apr_time_now());
    return rv;
}

/* Does the engine answer?  apr's redis and memcache clients say "not
 * found" without asking while they hold their server for dead; a store
 * asks (or fails).  Providers that live in this machine's memory (shmcb,
 * dbm: AP_SOCACHE_FLAG_NOTMPSAFE) have no such state and are not probed.
 * *probe: -1 not asked yet in this request, else the answer. */
int fm_cache_answers(request_rec *r, int *probe)
{
    const ap_socache_provider_t *prov = fm_server_of(r)->socache_provider;
    unsigned char one = '1';
    unsigned int len = 1;
    apr_status_t rv;

    if (*probe >= 0)
        return *probe;
    if (prov && (prov->flags & AP_SOCACHE_FLAG_NOTMPSAFE))
        return *probe = 1;
    rv = cache_do(r, FM_CACHE_STORE, NULL, (const unsigned char *)FM_SOCACHE_PROBE_KEY,
                  sizeof(FM_SOCACHE_PROBE_KEY) - 1, &one, &len,
                  apr_time_now() + apr_time_from_sec(2));
    if (rv != APR_SUCCESS)
        fm_cache_error(r, rv, "retrieve: no live server");
    return *probe = rv == APR_SUCCESS;
}


apr_status_t fm_cache_call(request_rec *r, fm_cache_op op, const char *id,
                           unsigned char *data, unsigned int *len,
                           apr_time_t expiry)
{
    return cache_do(r, op, id, NULL, 0, data, len, expiry);
}

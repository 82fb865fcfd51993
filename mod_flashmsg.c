/*
 * mod_flashmsg.c - the module record, the request hooks, the startup hooks
 * and the C API (mod_flashmsg.h).  Everything else is a layer below:
 *   filters/   the two output filters and the response's decision
 *   delivery/  JSON handler, htmx events, backend expose
 *   store/     the per-request message store
 *   storage/   cookie, mod_session, fallback, socache
 *   http/      caching headers and questions about a response
 *   config/    directives, merged settings, startup validation
 *   core/      everything that needs no httpd (grammar, codec, template)
 */
#include <apr_optional.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_status.h>

#include "mod_flashmsg.h"
#include "core/requirements.h"

/* httpd 2.4.21 (module magic 20120211.61): ap_cstr_casecmp (.61) and
 * conn_rec->master (.52, 2.4.17) are the newest things called (include/
 * ap_mmn.h lists when each came); socache providers, ap_state_query and
 * ap_global_mutex_create are older.  mod_socache_redis (FlashMsgSocache
 * redis:) came with 2.4.39, checked at start (config/socache_directives.c). */
#if !AP_MODULE_MAGIC_AT_LEAST(20120211, 61)
#error "mod_flashmsg needs httpd 2.4.21 or later (module magic 20120211.61)"
#endif
#include "filters/filters.h"
#include "delivery/delivery.h"
#include "storage/storage.h"
#include "http/cache_policy.h"
#include "http/trace.h"
#include "stats/counters.h"

/* AP_DECLARE_MODULE below also declares the log module index. */

/* mod_cache is loaded (post_config): see fm_post_read_request. */
static int cache_loaded;

/* ------------------------------------------------------------------ */
/* Startup                                                              */

/* Runs for `apache2 -t` too, so configtest reports what start would. */
static int fm_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    return fm_storage_check_config(s, ptemp);
}

static int fm_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp)
{
    (void)ptemp;
    fm_storage_pre_config(pconf, plog);
    return OK;
}

static int fm_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    int rv;
    (void)ptemp;
    if ((rv = fm_storage_post_config(pconf, plog, s)) != OK
        || (rv = fm_counters_post_config(pconf, s)) != OK)
        return rv;
    cache_loaded = ap_find_linked_module("mod_cache.c") != NULL;
    fm_counters_fallback_as_cookie(fm_storage_fallback_is_cookie());
    /* httpd runs post_config twice at start (the first pass only checks the
     * configuration): say "ready" once, for the configuration it runs. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, FM_LOGPFX "version "
                 FM_VERSION " ready; mod_session %s", fm_storage_summary());
    return OK;
}

static void fm_child_init(apr_pool_t *p, server_rec *s)
{
    fm_storage_child_init(p, s);
}

static void fm_optional_fn_retrieve(void)
{
    fm_storage_optional_fn_retrieve();
}

/* ------------------------------------------------------------------ */
/* Requests                                                             */

/* mod_cache answers from its quick handler before any hook of ours runs,
 * and would serve a cached copy of the page to a user with pending
 * messages, who would then not see them. */
static int fm_post_read_request(request_rec *r)
{
    const fm_srv_conf *sc = fm_server_of(r);
    if (!cache_loaded || r->main || !sc->enabled_at || !fm_cookie_present(r))
        return DECLINED;
    fm_cache_bypass(r);
    return DECLINED;
}

/* Before the handler: load pending messages when the client sent our
 * state, and then make sure no 304 can hide them. */
static void fm_insert_filter(request_rec *r)
{
    if (!fm_settings_of(r)->enabled) {
        fm_trace_flashmsg_off(r);
        return;
    }
    /* In a subrequest the filter only takes what the subrequest adds.
     * Nothing is read (or allocated) unless the client may hold messages. */
    if (!r->main && fm_storage_may_hold(r) && fm_store_pending(r)->nelts > 0)
        fm_cache_no_304(r);
    fm_filters_add(r);
}

/* Error responses (ap_die) start a new filter chain: add ours again. */
static void fm_insert_error_filter(request_rec *r)
{
    if (r->main)
        return;
    if (!fm_settings_of(r)->enabled) {
        fm_trace_flashmsg_off(r);
        return;
    }
    fm_filters_add(r);
}

/* ------------------------------------------------------------------ */
/* C API (mod_flashmsg.h)                                               */

static int flashmsg_add(request_rec *r, int level, const char *text,
                        const char *extra_tags)
{
    if (level < 0)
        return 0;
    return fm_store_add(r, level, text, extra_tags);
}

static apr_array_header_t *flashmsg_pending(request_rec *r)
{
    const apr_array_header_t *msgs = fm_store_pending(r);
    apr_array_header_t *out = apr_array_make(r->pool, msgs->nelts + 1,
                                             sizeof(flashmsg_message));
    int i;
    for (i = 0; i < msgs->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(msgs, i, fm_message);
        flashmsg_message *o = apr_array_push(out);
        o->level = m->level;
        o->text = m->text;
        o->extra_tags = m->extra_tags;
    }
    return out;
}

static void fm_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(fm_optional_fn_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_check_config(fm_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(fm_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(fm_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(fm_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, fm_counters_status, NULL, NULL,
                      APR_HOOK_MIDDLE);
    ap_hook_post_read_request(fm_post_read_request, NULL, NULL,
                              APR_HOOK_MIDDLE);
    ap_hook_fixups(fm_expose_fixups, NULL, NULL, APR_HOOK_LAST);
    ap_hook_handler(fm_json_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(fm_insert_filter, NULL, NULL, APR_HOOK_LAST);
    ap_hook_insert_error_filter(fm_insert_error_filter, NULL, NULL,
                                APR_HOOK_LAST);
    fm_filters_register();
    APR_REGISTER_OPTIONAL_FN(flashmsg_add);
    APR_REGISTER_OPTIONAL_FN(flashmsg_pending);
}

AP_DECLARE_MODULE(flashmsg) = {
    STANDARD20_MODULE_STUFF,
    fm_create_dir_conf,
    fm_merge_dir_conf,
    fm_create_srv_conf,
    fm_merge_srv_conf,
    fm_directives,
    fm_register_hooks,
    AP_MODULE_FLAG_NONE
};

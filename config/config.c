/*
 * config.c - the configuration records: creating, merging and resolving
 * the per-directory settings, and the per-server records.
 *
 * Each per-directory record keeps the directives' values as written (FM_UNSET
 * or NULL when absent: needed to merge inner over outer) and, beside them,
 * the effective settings with every default filled in.  Both are brought
 * up to date whenever a record changes -- a directive is read or two records
 * are merged -- so a request only ever reads finished values.
 */
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>

#include "config/dir_conf.h"

APLOG_USE_MODULE(flashmsg);

/* Compiled once per configuration cycle, from the defaults in config.h and
 * core/template.h; reset when the configuration pool goes (restart). */
static const fm_template *default_template;
static const fm_pattern *default_placeholder;
static fm_srv_conf *main_server_conf;

static apr_status_t forget_defaults(void *unused)
{
    (void)unused;
    default_template = NULL;
    default_placeholder = NULL;
    main_server_conf = NULL;
    return APR_SUCCESS;
}

static void compile_defaults(apr_pool_t *pconf)
{
    fm_template *t;
    if (default_template)
        return;
    /* The built-in template is known to compile (unit-tested). */
    if (fm_template_compile(pconf, FM_DEFAULT_ITEM, FM_DEFAULT_WRAPPER, &t))
        return;
    default_template = t;
    default_placeholder = fm_pattern_compile(pconf, FM_DEFAULT_PLACEHOLDER,
                                             sizeof(FM_DEFAULT_PLACEHOLDER) - 1);
    apr_pool_cleanup_register(pconf, NULL, forget_defaults,
                              apr_pool_cleanup_null);
}

fm_srv_conf *fm_main_server_conf(void)
{
    return main_server_conf;
}

/* The one place where "the setting or its default" is decided. */
static void resolve(fm_dir_conf *c)
{
    fm_settings *e = &c->eff;
#define OR_DEFAULT(field, unset, dflt) \
    ((c->field != (unset)) ? c->field : (dflt))
    e->enabled = OR_DEFAULT(enabled, FM_UNSET, 0);
    e->storage = (fm_storage_kind)OR_DEFAULT(storage, FM_UNSET,
                                             FM_STORAGE_FALLBACK);
    e->cookie_name = OR_DEFAULT(cookie_name, NULL, FM_DEFAULT_COOKIE);
    e->cookie_domain = c->cookie_domain && *c->cookie_domain
                       && !fm_cookie_name_is_host_only(e->cookie_name)
                       ? c->cookie_domain : NULL;
    /* Secure by default: a configured name or domain is the admin's
     * choice and stays as written (a domain cannot go with __Host-). */
    e->cookie_name_https = c->cookie_name || e->cookie_domain
                           ? e->cookie_name : FM_HOST_PREFIX FM_DEFAULT_COOKIE;
    e->cookie_max_size = (apr_size_t)OR_DEFAULT(cookie_max_size, FM_UNSET,
                                                FM_DEFAULT_MAX_SIZE);
    e->session_max_size = (apr_size_t)OR_DEFAULT(session_max_size, FM_UNSET,
                                                 FM_DEFAULT_SESSION_MAX_SIZE);
    e->max_age = OR_DEFAULT(max_age, FM_UNSET, FM_DEFAULT_MAX_AGE);
    e->encrypt = OR_DEFAULT(encrypt, FM_UNSET, 0) == 1;
    e->min_level = OR_DEFAULT(min_level, FM_UNSET, FM_INFO);
    e->tags = c->tags;
    e->header = OR_DEFAULT(header, NULL, FM_DEFAULT_HEADER);
    e->placeholder = OR_DEFAULT(placeholder, NULL, default_placeholder);
    e->tmpl = OR_DEFAULT(tmpl, NULL, default_template);
    e->adds = c->adds;
    e->scan_limit = (apr_size_t)OR_DEFAULT(scan_limit, FM_UNSET,
                                           FM_DEFAULT_SCAN_LIMIT);
    e->expose = OR_DEFAULT(expose, FM_UNSET, 0) == 1;
    e->htmx = OR_DEFAULT(htmx, FM_UNSET, 0) == 1;
    e->htmx_event = OR_DEFAULT(htmx_event, NULL, FM_DEFAULT_HTMX_EVENT);
    e->clear = OR_DEFAULT(clear, FM_UNSET, 0) == 1;
    e->history_guard = OR_DEFAULT(history_guard, FM_UNSET, 0) == 1;
    e->guard_nonce_var = c->guard_nonce_var && *c->guard_nonce_var
                         ? c->guard_nonce_var : NULL;
    e->trace = OR_DEFAULT(trace, FM_UNSET, 0) == 1;
#undef OR_DEFAULT
}

void fm_dir_conf_changed(fm_dir_conf *c)
{
    resolve(c);
}

void *fm_create_dir_conf(apr_pool_t *p, char *dir)
{
    fm_dir_conf *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    compile_defaults(p);
    c->enabled = FM_UNSET;
    c->storage = FM_UNSET;
    c->cookie_name = NULL;
    c->cookie_domain = NULL;
    c->cookie_max_size = FM_UNSET;
    c->session_max_size = FM_UNSET;
    c->max_age = FM_UNSET;
    c->encrypt = FM_UNSET;
    c->min_level = FM_UNSET;
    c->tags = NULL;
    c->header = NULL;
    c->placeholder = NULL;
    c->tmpl = NULL;
    c->adds = NULL;
    c->scan_limit = FM_UNSET;
    c->expose = FM_UNSET;
    c->htmx = FM_UNSET;
    c->htmx_event = NULL;
    c->clear = FM_UNSET;
    c->history_guard = FM_UNSET;
    c->guard_nonce_var = NULL;
    c->trace = FM_UNSET;
    resolve(c);
    return c;
}

void *fm_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const fm_dir_conf *base = basev, *add = addv;
    fm_dir_conf *m = apr_pcalloc(p, sizeof(*m));
#define MERGE(field, unset) \
    m->field = (add->field != (unset)) ? add->field : base->field
    MERGE(enabled, FM_UNSET);
    MERGE(storage, FM_UNSET);
    MERGE(cookie_name, NULL);
    MERGE(cookie_domain, NULL);
    MERGE(cookie_max_size, FM_UNSET);
    MERGE(session_max_size, FM_UNSET);
    MERGE(max_age, FM_UNSET);
    MERGE(encrypt, FM_UNSET);
    MERGE(min_level, FM_UNSET);
    MERGE(header, NULL);
    MERGE(placeholder, NULL);
    MERGE(tmpl, NULL);
    MERGE(adds, NULL);
    MERGE(scan_limit, FM_UNSET);
    MERGE(expose, FM_UNSET);
    MERGE(htmx, FM_UNSET);
    MERGE(htmx_event, NULL);
    MERGE(clear, FM_UNSET);
    /* One directive sets both: an inner FlashMsgHistoryGuard without a
     * variable means none (""), not the outer one's. */
    MERGE(history_guard, FM_UNSET);
    MERGE(guard_nonce_var, NULL);
    MERGE(trace, FM_UNSET);
#undef MERGE
    /* Tag overrides merge entry by entry: inner entries win per level. */
    if (base->tags && add->tags)
        m->tags = fm_tagmap_merge(p, base->tags, add->tags);
    else
        m->tags = add->tags ? add->tags : base->tags;
    resolve(m);
    return m;
}

void *fm_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    fm_srv_conf *c = apr_pcalloc(p, sizeof(*c));
    c->levels = fm_levels_make(p);
    c->keys = NULL;
    c->enabled_at = NULL;
    c->session_at = NULL;
    c->socache_at = NULL;
    c->socache_spec = NULL;
    c->socache_provider = NULL;
    c->socache_instance = NULL;
    c->socache_watch = NULL;
    c->socache_timeout = FM_UNSET;
    c->largest_session_max_size = 0;
    if (!s->is_virtual)
        main_server_conf = c;
    return c;
}

void *fm_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    const fm_srv_conf *base = basev, *add = addv;
    fm_srv_conf *m = apr_pcalloc(p, sizeof(*m));
    m->levels = fm_levels_merge(p, base->levels, add->levels);
    m->keys = add->keys ? add->keys : base->keys;
    m->enabled_at = add->enabled_at ? add->enabled_at : base->enabled_at;
    m->session_at = add->session_at ? add->session_at : base->session_at;
    m->socache_at = add->socache_at ? add->socache_at : base->socache_at;
    /* A virtual host without FlashMsgSocache shares the main server's. */
    if (add->socache_spec) {
        m->socache_spec = add->socache_spec;
        m->socache_provider = add->socache_provider;
        m->socache_instance = add->socache_instance;
        m->socache_watch = add->socache_watch;
    }
    else {
        m->socache_spec = base->socache_spec;
        m->socache_provider = base->socache_provider;
        m->socache_instance = base->socache_instance;
        m->socache_watch = base->socache_watch;
    }
    m->largest_session_max_size = add->largest_session_max_size
                                  > base->largest_session_max_size
                                  ? add->largest_session_max_size
                                  : base->largest_session_max_size;
    m->socache_timeout = add->socache_timeout != FM_UNSET
                         ? add->socache_timeout : base->socache_timeout;
    return m;
}

const fm_settings *fm_settings_in(ap_conf_vector_t *v)
{
    const fm_dir_conf *c = ap_get_module_config(v, &flashmsg_module);
    return c ? &c->eff : NULL;
}

const fm_settings *fm_settings_of(request_rec *r)
{
    return fm_settings_in(r->per_dir_config);
}

const fm_srv_conf *fm_server_of(request_rec *r)
{
    return ap_get_module_config(r->server->module_config, &flashmsg_module);
}

/* Server records keep what was written (the main server's is never merged
 * over anything that could fill in a default), so the default is decided
 * here, the one place. */
apr_interval_time_t fm_socache_timeout(const fm_srv_conf *sc)
{
    return sc->socache_timeout != FM_UNSET ? sc->socache_timeout
                                           : FM_DEFAULT_SOCACHE_TIMEOUT;
}

const char *fm_cookie_name(request_rec *r)
{
    const fm_settings *e = fm_settings_of(r);
    return e->cookie_name_https != e->cookie_name
           && !strcmp(ap_http_scheme(r), "https")
           ? e->cookie_name_https : e->cookie_name;
}

int fm_cookie_name_is_host_only(const char *name)
{
    return !strncmp(name, FM_HOST_PREFIX, sizeof(FM_HOST_PREFIX) - 1);
}

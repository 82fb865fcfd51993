/*
 * validate.c - checks of the whole configuration at start, where one
 * directive alone cannot see the problem (a FlashMsg On without a secret
 * for its server, a __Host- name with a Domain set in another section, a
 * FlashMsgAdd below the FlashMsgMinLevel of its section), and the one walk
 * over the servers that also asks what the layers above need of each (a
 * storage's module).  They run in check_config, so `apachectl configtest`
 * reports them too.
 */
#include <limits.h>
#include <string.h>

#include <apr_strings.h>
#include <http_core.h>

#include "config/dir_conf.h"

APLOG_USE_MODULE(flashmsg);

static const char *server_name(server_rec *s, apr_pool_t *p)
{
    return s->is_virtual ? apr_psprintf(p, "the virtual host at %s:%d",
                                        s->defn_name, s->defn_line_number)
                         : "the main server";
}

/* Does this virtual host look like HTTPS?  httpd has no server-level
 * "is TLS" flag mod_ssl shares; an https ServerName or port 443 says so. */
static int looks_like_https(server_rec *s)
{
    server_addr_rec *a;
    if (s->server_scheme && !strcasecmp(s->server_scheme, "https"))
        return 1;
    if (s->port == 443)
        return 1;
    for (a = s->addrs; a; a = a->next)
        if (a->host_port == 443)
            return 1;
    return 0;
}

/* The __Host- prefix across contexts: a name in one <Location> and a
 * domain inherited from the server are only seen together here.  Returns
 * what is wrong, or NULL; warns about hosts that look like plain HTTP. */
static const char *check_host_prefix(server_rec *s, apr_pool_t *ptemp)
{
    core_server_config *core = ap_get_core_module_config(s->module_config);
    const fm_dir_conf *top = ap_get_module_config(s->lookup_defaults,
                                                  &flashmsg_module);
    apr_array_header_t *sections[2];
    int k, i, host_only = 0;

    sections[0] = core->sec_dir;
    sections[1] = core->sec_url;
    for (k = -1; k < 2; k++) {
        int n = k < 0 ? 1 : sections[k]->nelts;
        for (i = 0; i < n; i++) {
            const fm_dir_conf *c = k < 0 ? top : ap_get_module_config(
                ((ap_conf_vector_t **)sections[k]->elts)[i], &flashmsg_module);
            const char *name, *domain;
            if (!c)
                continue;
            name = c->cookie_name ? c->cookie_name : top->cookie_name;
            domain = c->cookie_domain ? c->cookie_domain : top->cookie_domain;
            if (!name || !fm_cookie_name_is_host_only(name))
                continue;
            host_only = 1;
            if (domain && *domain)
                return apr_psprintf(ptemp, "FlashMsgCookieName %s (__Host- "
                    "prefix) cannot be used with FlashMsgCookieDomain %s: "
                    "browsers reject such a cookie", name, domain);
        }
    }
    if (host_only && !looks_like_https(s))
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, FM_LOGPFX
            "a __Host- cookie name is used on %s, which looks like plain "
            "HTTP (no https ServerName, not port 443): browsers accept "
            "__Host- cookies only over HTTPS, so messages would not be kept",
            server_name(s, ptemp));
    return NULL;
}

/* Every section of a server: its defaults, each <Directory> and <Location>
 * (and their Match forms), and the <Files> and <If> sections nested in any
 * of them. */
typedef void (*section_fn)(const fm_dir_conf *c, void *ctx);

static void walk_nested(ap_conf_vector_t *v, section_fn fn, void *ctx,
                        int depth);

/* The sections listed in a and b (either may be NULL): each one, then
 * what is nested in it, depth levels down already. */
static void walk_lists(const apr_array_header_t *a,
                       const apr_array_header_t *b, section_fn fn,
                       void *ctx, int depth)
{
    const apr_array_header_t *lists[2];
    int k, i;
    lists[0] = a;
    lists[1] = b;
    for (k = 0; k < 2; k++)
        for (i = 0; lists[k] && i < lists[k]->nelts; i++) {
            ap_conf_vector_t *v = ((ap_conf_vector_t **)lists[k]->elts)[i];
            const fm_dir_conf *c = ap_get_module_config(v, &flashmsg_module);
            if (c)
                fn(c, ctx);
            walk_nested(v, fn, ctx, depth);
        }
}

static void walk_nested(ap_conf_vector_t *v, section_fn fn, void *ctx,
                        int depth)
{
    const core_dir_config *core = ap_get_core_module_config(v);
    if (!core || depth > 16)
        return;
    walk_lists(core->sec_file, core->sec_if, fn, ctx, depth + 1);
}

static void walk_sections(server_rec *s, section_fn fn, void *ctx)
{
    core_server_config *core = ap_get_core_module_config(s->module_config);
    const fm_dir_conf *top = ap_get_module_config(s->lookup_defaults,
                                                  &flashmsg_module);
    if (top)
        fn(top, ctx);
    walk_nested(s->lookup_defaults, fn, ctx, 0);
    walk_lists(core->sec_dir, core->sec_url, fn, ctx, 0);
}

/* FlashMsgAdd below FlashMsgMinLevel: the message would be dropped on
 * every request.  A section without its own FlashMsgMinLevel has the
 * server's (or the default, info).  Sections merge at request time, so a
 * lower FlashMsgMinLevel set in any section may apply to the same
 * requests: then nothing is said. */
typedef struct {
    server_rec *s;
    apr_pool_t *p;
    const fm_levels *levels;
    const fm_dir_conf *top;     /* the server's defaults */
    int server_min;             /* the server's own, or FM_UNSET */
    int lowest;                 /* lowest FlashMsgMinLevel of any section */
    apr_hash_t *warned;         /* fm_conf_add already reported */
} add_check;

static void lowest_min(const fm_dir_conf *c, void *ctx)
{
    add_check *a = ctx;
    if (c != a->top && c->min_level != FM_UNSET && c->min_level < a->lowest)
        a->lowest = c->min_level;
}

static const char *level_str(const add_check *a, int level)
{
    const char *name = fm_levels_name(a->levels, level);
    return name ? name : apr_itoa(a->p, level);
}

static void check_adds(const fm_dir_conf *c, void *ctx)
{
    add_check *a = ctx;
    int min = c->min_level != FM_UNSET ? c->min_level
              : a->server_min != FM_UNSET ? a->server_min : FM_INFO;
    int i;
    for (i = 0; c->adds && i < c->adds->nelts; i++) {
        const fm_conf_add *add = &APR_ARRAY_IDX(c->adds, i, fm_conf_add);
        if (add->level >= min || add->level >= a->lowest
            || apr_hash_get(a->warned, &add, sizeof(add)))
            continue;
        apr_hash_set(a->warned, apr_pmemdup(a->p, &add, sizeof(add)),
                     sizeof(add), "");
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, a->s, FM_LOGPFX
                     "FlashMsgAdd %s (%s) is below FlashMsgMinLevel %s, "
                     "which applies there (%s): its message is never added",
                     level_str(a, add->level), add->where ? add->where : "?",
                     level_str(a, min), server_name(a->s, a->p));
    }
}

static void check_add_levels(server_rec *s, apr_pool_t *ptemp,
                             apr_hash_t *warned)
{
    const fm_srv_conf *sc = ap_get_module_config(s->module_config,
                                                 &flashmsg_module);
    const fm_dir_conf *top = ap_get_module_config(s->lookup_defaults,
                                                  &flashmsg_module);
    add_check a;
    if (!sc || !top)
        return;
    a.s = s;
    a.p = ptemp;
    a.levels = sc->levels;
    a.top = top;
    a.server_min = top->min_level;
    a.lowest = INT_MAX;
    a.warned = warned;
    walk_sections(s, lowest_min, &a);
    walk_sections(s, check_adds, &a);
}

/* One walk over the servers.  A server lacking what a need asks is told
 * only after every server's configuration checked out, and the first
 * need's before the second's: so each check reports the same server it
 * did when each walked the servers on its own. */
int fm_config_validate(server_rec *s, apr_pool_t *ptemp,
                       const fm_server_need *needs, int n)
{
    server_rec *v;
    const char *err;
    apr_hash_t *warned = apr_hash_make(ptemp);
    server_rec **lacking = apr_pcalloc(ptemp, (n + 1) * sizeof(*lacking));
    int k;
    for (v = s; v; v = v->next) {
        const fm_srv_conf *sc = ap_get_module_config(v->module_config,
                                                     &flashmsg_module);
        if (sc && sc->enabled_at && !sc->keys) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX
                "FlashMsg On (%s) needs FlashMsgSecret for %s: the message "
                "cookie is signed with it. Add e.g. 'FlashMsgSecret <64 hex "
                "digits from openssl rand -hex 32>' to the server or virtual "
                "host", sc->enabled_at, server_name(v, ptemp));
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if ((err = check_host_prefix(v, ptemp)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX "%s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        check_add_levels(v, ptemp, warned);
        for (k = 0; sc && k < n; k++)
            if (!lacking[k] && needs[k](v, sc, 0))
                lacking[k] = v;
    }
    for (k = 0; k < n; k++)
        if (lacking[k]) {
            needs[k](lacking[k], ap_get_module_config(
                         lacking[k]->module_config, &flashmsg_module), 1);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    return OK;
}

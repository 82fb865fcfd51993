/*
 * validate.c - checks of the whole configuration at start, where one
 * directive alone cannot see the problem (a FlashMsg On without a secret
 * for its server, a __Host- name with a Domain set in another section).
 * They run in check_config, so `apachectl configtest` reports them too.
 */
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


int fm_config_validate(server_rec *s, apr_pool_t *ptemp)
{
    server_rec *v;
    const char *err;
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
    }
    return OK;
}

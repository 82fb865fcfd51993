/*
 * socache_directives.c - FlashMsgSocache and FlashMsgSocacheTimeout: the
 * provider's instance made where the directive is written (as
 * AuthnCacheSOCache and SSLSessionCache do), and a redis or memcache
 * server list checked there too -- the providers parse it only at start,
 * after `apache2 -t` said Syntax OK, and without the directive's line.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_network_io.h>
#include <http_core.h>
#include <ap_provider.h>
#include <ap_socache.h>

#include "config/dir_conf.h"
#include "config/directives.h"

APLOG_USE_MODULE(flashmsg);

/* One server of a redis or memcache list: host, host:port, [v6] or
 * [v6]:port.  NULL if fine, else why not. */
static const char *check_cache_server(apr_pool_t *p, const char *e)
{
    const char *colon, *port = NULL, *s;
    char *host, *scope;
    apr_port_t pn;

    for (s = e; *s; s++)
        if (apr_isspace(*s))
            return "not host[:port] (no spaces)";
    if (*e == '[') {
        const char *close = strchr(e, ']');
        if (!close || (close[1] && close[1] != ':'))
            return "not host[:port] (an IPv6 address is written "
                   "[address] or [address]:port)";
        if (close[1] == ':')
            port = close + 2;
    }
    else if ((colon = strrchr(e, ':')) != NULL) {
        if (memchr(e, ':', (apr_size_t)(colon - e)))
            return "not host[:port] (write an IPv6 address in "
                   "brackets: [address]:port)";
        if (colon == e)
            return "no host name";
        port = colon + 1;
    }
    else if (strspn(e, "0123456789") == strlen(e))
        return "no host name (a port alone)";
    if (port) {
        apr_size_t n = strspn(port, "0123456789");
        if (!*port)
            return "the port after ':' is empty";
        if (port[n])
            return "not host[:port] (the port is not a number)";
        if (n > 5 || atoi(port) < 1 || atoi(port) > 65535)
            return apr_psprintf(p, "port %s is not from 1 to 65535", port);
    }
    /* The providers' own parser has the last word (what init will say). */
    if (apr_parse_addr_port(&host, &scope, &pn, e, p) != APR_SUCCESS
        || !host)
        return "not host[:port]";
    return NULL;
}

/* mod_socache_redis and mod_socache_memcache take a comma-separated list
 * of servers, but parse it only in their init (post_config): after
 * `apache2 -t` said Syntax OK, and without the directive's file:line.
 * Their parser (apr_strtok) also skips empty entries, so ",,," was an
 * empty list.  Checked here instead, where errors name the line. */
static const char *check_cache_servers(cmd_parms *cmd, const char *name,
                                       const char *list)
{
    int default_port, i, n = 1;
    const char *s, *why;

    if (!strcmp(name, "redis"))
        default_port = 6379;
    else if (!strcmp(name, "memcache"))
        default_port = 11211;
    else
        return NULL;
    if (!list || !*list)
        return NULL;   /* the provider's create says "list required" */
    for (s = list; *s; s++)
        n += *s == ',';
    for (i = 1, s = list; i <= n; i++) {
        const char *end = strchr(s, ',');
        const char *e = end ? apr_pstrmemdup(cmd->temp_pool, s, end - s) : s;
        why = *e ? check_cache_server(cmd->temp_pool, e) : NULL;
        if (!*e || why)
            return apr_psprintf(cmd->pool, "server %d of %d %s%s%s (each "
                                "server is host[:port], the port from 1 to "
                                "65535, %d when left out; servers separated "
                                "by commas, none empty)", i, n,
                                *e ? "'" : "is empty", e,
                                *e ? apr_pstrcat(cmd->temp_pool, "': ", why,
                                                 NULL) : "", default_port);
        s = end ? end + 1 : s + strlen(s);
    }
    return NULL;
}

/* FlashMsgSocache PROVIDER[:ARGS], as AuthnCacheSOCache and
 * SSLSessionCache: the provider's instance is created now (its arguments
 * are checked at configuration time), initialised in post_config. */
const char *fm_set_socache(cmd_parms *cmd, void *dc, const char *arg)
{
    fm_srv_conf *sc = server_conf(cmd);
    const ap_socache_provider_t *prov;
    ap_socache_instance_t *inst = NULL;
    const char *sep = ap_strchr_c(arg, ':'), *name, *err;
    (void)dc;
    if ((err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE)) != NULL)
        return err;
    name = sep ? apr_pstrmemdup(cmd->temp_pool, arg, sep - arg) : arg;
    prov = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                              AP_SOCACHE_PROVIDER_VERSION);
    if (!prov)
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "unknown socache provider '%s': load mod_socache_%s first "
            "('a2enmod socache_%s')%s", name, name, name,
            /* mod_socache_redis came with httpd 2.4.39 (and needs
             * APR-util 1.6's apr_redis) */
            strcmp(name, "redis") == 0 ? " (httpd 2.4.39 or later)" : ""));
    err = check_cache_servers(cmd, name, sep ? sep + 1 : NULL);
    if (!err)
        err = prov->create(&inst, sep ? sep + 1 : NULL, cmd->temp_pool,
                           cmd->pool);
    if (err)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "%s: %s", arg, err));
    sc->socache_spec = apr_pstrdup(cmd->pool, arg);
    sc->socache_provider = prov;
    sc->socache_instance = inst;
    return NULL;
}

/* FlashMsgSocacheTimeout DURATION: seconds, or a number with a unit
 * (500ms, 2s), read by httpd's own ap_timeout_parameter_parse as mod_proxy
 * reads its worker timeouts. */
const char *fm_set_socache_timeout(cmd_parms *cmd, void *dc,
                                   const char *arg)
{
    fm_srv_conf *sc = server_conf(cmd);
    apr_interval_time_t t;
    const char *err;
    (void)dc;
    if ((err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE)) != NULL)
        return err;
    if (!apr_isdigit(*arg)
        || ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS
        || t < apr_time_from_msec(1) || t > apr_time_from_sec(3600))
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "'%s' is not a duration from 1ms to 3600s (seconds, or a "
            "number with ms, s, mi or h)", arg));
    sc->socache_timeout = t;
    return NULL;
}

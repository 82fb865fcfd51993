/*
 * mod_flashmsg.c - module record, directives, configuration merging and
 * validation, request hooks, the per-request message store and the C API.
 *
 * Storage lives in storage/, the output filter in filters/, and everything
 * that does not need httpd (grammar, codec, template, matcher) in core/.
 */
#include <errno.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_file_io.h>
#include <apr_optional.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_flashmsg.h"
#include "flashmsg_private.h"
#include "core/header_parser.h"
#include "core/json.h"
#include "storage/storage.h"

/* AP_DECLARE_MODULE below also declares the log module index. */

/* The main server's configuration, for resolving level names while
 * directives inside <VirtualHost> are read. */
static fm_srv_conf *main_sconf;

/* mod_cache is loaded (post_config): see fm_post_read_request. */
static int cache_loaded;

/* Compiled at startup from FM_DEFAULT_ITEM / FM_DEFAULT_WRAPPER. */
static const fm_template *default_template;

const fm_template *fm_default_template(void)
{
    return default_template;
}

/* ------------------------------------------------------------------ */
/* Configuration records                                                */

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    fm_dir_conf *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    c->enabled = FM_UNSET;
    c->storage = FM_STORAGE_UNSET;
    c->cookie_max_size = FM_UNSET;
    c->max_age = FM_UNSET;
    c->encrypt = FM_UNSET;
    c->min_level = FM_UNSET;
    c->scan_limit = FM_UNSET;
    c->expose = FM_UNSET;
    c->htmx = FM_UNSET;
    c->clear = FM_UNSET;
    return c;
}

#define MERGE(field, unset) \
    m->field = (add->field != (unset)) ? add->field : base->field

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const fm_dir_conf *base = basev, *add = addv;
    fm_dir_conf *m = apr_pcalloc(p, sizeof(*m));

    MERGE(enabled, FM_UNSET);
    MERGE(storage, FM_STORAGE_UNSET);
    MERGE(cookie_name, NULL);
    MERGE(cookie_domain, NULL);
    MERGE(cookie_max_size, FM_UNSET);
    MERGE(max_age, FM_UNSET);
    MERGE(encrypt, FM_UNSET);
    MERGE(min_level, FM_UNSET);
    MERGE(header, NULL);
    MERGE(tmpl, NULL);
    MERGE(adds, NULL);
    MERGE(scan_limit, FM_UNSET);
    MERGE(expose, FM_UNSET);
    MERGE(htmx, FM_UNSET);
    MERGE(htmx_event, NULL);
    MERGE(clear, FM_UNSET);
    if (add->placeholder) {
        m->placeholder = add->placeholder;
        m->placeholder_fail = add->placeholder_fail;
    }
    else {
        m->placeholder = base->placeholder;
        m->placeholder_fail = base->placeholder_fail;
    }
    /* Tag overrides merge entry by entry: inner entries win per level. */
    if (base->tags && add->tags)
        m->tags = fm_tagmap_merge(p, base->tags, add->tags);
    else
        m->tags = add->tags ? add->tags : base->tags;
    return m;
}

static void *create_srv_conf(apr_pool_t *p, server_rec *s)
{
    fm_srv_conf *c = apr_pcalloc(p, sizeof(*c));
    c->levels = fm_levels_make(p);
    if (!s->is_virtual)
        main_sconf = c;
    return c;
}

static void *merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    const fm_srv_conf *base = basev, *add = addv;
    fm_srv_conf *m = apr_pcalloc(p, sizeof(*m));
    m->levels = fm_levels_merge(p, base->levels, add->levels);
    m->keys = add->keys ? add->keys : base->keys;
    m->enabled_at = add->enabled_at ? add->enabled_at : base->enabled_at;
    m->session_at = add->session_at ? add->session_at : base->session_at;
    return m;
}

/* Effective values, with defaults for what was never set. */
const fm_dir_conf *fm_dconf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &flashmsg_module);
}

const fm_srv_conf *fm_sconf(request_rec *r)
{
    return ap_get_module_config(r->server->module_config, &flashmsg_module);
}

/* ------------------------------------------------------------------ */
/* Directives                                                           */

static const char *cmd_err(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

static const char *where(cmd_parms *cmd)
{
    if (!cmd->directive)
        return "(unknown)";
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

/* Levels known while this directive is read: the main server's and this
 * virtual host's FlashMsgLevel definitions so far. */
static const fm_levels *levels_for(cmd_parms *cmd)
{
    fm_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                           &flashmsg_module);
    if (!cmd->server->is_virtual || !main_sconf || sc == main_sconf)
        return sc->levels;
    return fm_levels_merge(cmd->temp_pool, main_sconf->levels, sc->levels);
}

static const char *parse_level(cmd_parms *cmd, const char *arg, int *level)
{
    if (fm_levels_parse(levels_for(cmd), arg, strlen(arg), level) != 0)
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "unknown level '%s' (built-in: debug info success warning "
            "error; define others with FlashMsgLevel first, or give an "
            "integer)", arg));
    return NULL;
}

static const char *parse_number(cmd_parms *cmd, const char *arg,
                                apr_int64_t min, apr_int64_t max,
                                apr_int64_t *out)
{
    char *end;
    apr_int64_t v;
    if (!apr_isdigit(*arg))
        goto bad;
    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (*end || errno == ERANGE || v < min || v > max)
        goto bad;
    *out = v;
    return NULL;
bad:
    return cmd_err(cmd, apr_psprintf(cmd->pool,
        "'%s' is not a whole number from %" APR_INT64_T_FMT " to %"
        APR_INT64_T_FMT, arg, min, max));
}

static int is_token(const char *s)
{
    /* RFC 9110 token: usable as cookie and header field name. */
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!apr_isalnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return 0;
    return 1;
}

static const char *set_enabled(cmd_parms *cmd, void *dc, int on)
{
    fm_dir_conf *c = dc;
    c->enabled = on;
    if (on) {
        fm_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                               &flashmsg_module);
        if (!sc->enabled_at)
            sc->enabled_at = where(cmd);
    }
    return NULL;
}

static const char *set_storage(cmd_parms *cmd, void *dc, const char *arg)
{
    fm_dir_conf *c = dc;
    if (!strcasecmp(arg, "cookie"))
        c->storage = FM_STORAGE_COOKIE;
    else if (!strcasecmp(arg, "fallback"))
        c->storage = FM_STORAGE_FALLBACK;
    else if (!strcasecmp(arg, "session")) {
        fm_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                               &flashmsg_module);
        c->storage = FM_STORAGE_SESSION;
        if (!sc->session_at)
            sc->session_at = where(cmd);
    }
    else
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "'%s' is not a storage; use cookie, session or fallback", arg));
    return NULL;
}

/* A secret given as file:/path is read from that file (first line). */
static const char *read_secret(cmd_parms *cmd, const char *arg,
                               const char **secret)
{
    const char *path;
    char *buf;
    apr_file_t *f;
    apr_size_t n = 1024;
    apr_status_t rv;

    if (strncmp(arg, "file:", 5) != 0) {
        *secret = arg;
        return NULL;
    }
    path = ap_server_root_relative(cmd->temp_pool, arg + 5);
    if (!path)
        return cmd_err(cmd, "invalid secret file path");
    {
        apr_finfo_t fi;
        if (apr_stat(&fi, path, APR_FINFO_PROT, cmd->temp_pool) == APR_SUCCESS
            && (fi.protection & (APR_GREAD | APR_WREAD)))
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server, FM_LOGPFX
                         "FlashMsgSecret file %s (%s) can be read by users "
                         "other than its owner: chmod 600 it", path,
                         where(cmd));
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv != APR_SUCCESS)
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "cannot open secret file %s: %pm", path, &rv));
    buf = apr_pcalloc(cmd->pool, n + 1);
    rv = apr_file_read(f, buf, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "cannot read secret file %s: %pm", path, &rv));
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    *secret = buf;
    return NULL;
}

static const char *set_secret(cmd_parms *cmd, void *dc, int argc,
                              char *const argv[])
{
    fm_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                           &flashmsg_module);
    const char **secrets;
    const char *err;
    fm_keyring *kr;
    int i;

    (void)dc;
    if (argc < 1)
        return cmd_err(cmd, "needs at least one key");
    if (sc->keys)
        return cmd_err(cmd, "given twice for this server; list the "
                       "current key first and old keys after it on one line");
    secrets = apr_palloc(cmd->temp_pool, sizeof(*secrets) * (apr_size_t)argc);
    for (i = 0; i < argc; i++) {
        if ((err = read_secret(cmd, argv[i], &secrets[i])) != NULL)
            return err;
        if (strlen(secrets[i]) < FM_SECRET_MIN)
            return cmd_err(cmd, apr_psprintf(cmd->pool,
                "key %d is %" APR_SIZE_T_FMT " bytes; a key must be at "
                "least %d bytes (e.g. the output of 'openssl rand -hex 32')",
                i + 1, strlen(secrets[i]), FM_SECRET_MIN));
    }
    if ((err = fm_keyring_make(cmd->pool, secrets, argc, &kr)) != NULL)
        return cmd_err(cmd, err);
    sc->keys = kr;
    /* mod_info's server-info shows directive arguments from this tree:
     * keep inline keys out of it (file: paths may stay). */
    if (cmd->directive) {
        const char *shown = "";
        for (i = 0; i < argc; i++)
            shown = apr_pstrcat(cmd->pool, shown, i ? " " : "",
                                strncmp(argv[i], "file:", 5) ? "[hidden]"
                                                             : argv[i], NULL);
        cmd->directive->args = shown;
    }
    return NULL;
}

/* A __Host- cookie is refused by browsers if it carries a Domain. */
static const char *host_prefix_conflict(cmd_parms *cmd, const char *name,
                                        const char *domain)
{
    if (!name || !fm_cookie_name_is_host_only(name) || !domain || !*domain)
        return NULL;
    return apr_psprintf(cmd->pool, "%s: the cookie name %s (__Host- prefix) "
                        "cannot have a FlashMsgCookieDomain (%s): browsers "
                        "reject such a cookie", cmd->cmd->name, name, domain);
}

static const char *set_cookie_name(cmd_parms *cmd, void *dc, const char *arg)
{
    fm_dir_conf *c = dc;
    if (!is_token(arg))
        return cmd_err(cmd, "a cookie name must be a token (letters, "
                       "digits and !#$%&'*+-.^_`|~)");
    c->cookie_name = arg;
    return host_prefix_conflict(cmd, c->cookie_name, c->cookie_domain);
}

static const char *set_cookie_domain(cmd_parms *cmd, void *dc,
                                     const char *arg)
{
    const char *s;
    for (s = arg; *s; s++)
        if (!apr_isalnum(*s) && *s != '.' && *s != '-')
            return cmd_err(cmd, "a cookie domain may contain only letters, "
                           "digits, '.' and '-'");
    ((fm_dir_conf *)dc)->cookie_domain = arg;
    return host_prefix_conflict(cmd, ((fm_dir_conf *)dc)->cookie_name, arg);
}

static const char *set_cookie_max_size(cmd_parms *cmd, void *dc,
                                       const char *arg)
{
    return parse_number(cmd, arg, 256, 16384,
                        &((fm_dir_conf *)dc)->cookie_max_size);
}

static const char *set_max_age(cmd_parms *cmd, void *dc, const char *arg)
{
    return parse_number(cmd, arg, 1, 10LL * 365 * 86400,
                        &((fm_dir_conf *)dc)->max_age);
}

static const char *set_htmx_event(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *s;
    if (!*arg)
        return cmd_err(cmd, "the event name is empty");
    for (s = arg; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f
            || *s == '"' || *s == '\\' || *s == ',')
            return cmd_err(cmd, "an event name is printable ASCII without "
                           "spaces, quotes, backslashes or commas");
    ((fm_dir_conf *)dc)->htmx_event = arg;
    return NULL;
}

static const char *set_scan_limit(cmd_parms *cmd, void *dc, const char *arg)
{
    return parse_number(cmd, arg, 1024, 64 * 1024 * 1024,
                        &((fm_dir_conf *)dc)->scan_limit);
}

static const char *set_min_level(cmd_parms *cmd, void *dc, const char *arg)
{
    return parse_level(cmd, arg, &((fm_dir_conf *)dc)->min_level);
}

static const char *set_level(cmd_parms *cmd, void *dc, const char *name,
                             const char *number)
{
    fm_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                           &flashmsg_module);
    const char *err = fm_levels_define(sc->levels, cmd->pool, name, number);
    (void)dc;
    return err ? cmd_err(cmd, err) : NULL;
}

static const char *set_tag(cmd_parms *cmd, void *dc, const char *lvl,
                           const char *cls)
{
    fm_dir_conf *c = dc;
    const char *s;
    int level;
    const char *err = parse_level(cmd, lvl, &level);
    if (err)
        return err;
    if (!cls)
        cls = "";   /* no CLASS (or "") removes the level's tag */
    for (s = cls; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return cmd_err(cmd, "a tag class may not contain control "
                           "characters");
    if (!c->tags)
        c->tags = fm_tagmap_make(cmd->pool);
    fm_tagmap_set((fm_tagmap *)c->tags, level, cls);
    return NULL;
}

static const char *set_header(cmd_parms *cmd, void *dc, const char *arg)
{
    if (!is_token(arg))
        return cmd_err(cmd, "a header field name must be a token");
    ((fm_dir_conf *)dc)->header = arg;
    return NULL;
}

static const char *set_placeholder(cmd_parms *cmd, void *dc, const char *arg)
{
    fm_dir_conf *c = dc;
    fm_matcher m;
    apr_size_t n = strlen(arg);
    if (n == 0 || n > 256)
        return cmd_err(cmd, "the placeholder must be 1 to 256 bytes");
    fm_matcher_init(&m, cmd->pool, arg, n);
    c->placeholder = arg;
    c->placeholder_fail = m.fail;
    return NULL;
}

static const char *set_template(cmd_parms *cmd, void *dc, const char *item,
                                const char *wrapper)
{
    fm_template *t;
    const char *err = fm_template_compile(cmd->pool, item, wrapper, &t);
    if (err)
        return cmd_err(cmd, err);
    ((fm_dir_conf *)dc)->tmpl = t;
    return NULL;
}

#define FM_TEMPLATE_FILE_MAX (256 * 1024)

static const char *set_template_file(cmd_parms *cmd, void *dc,
                                     const char *arg)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);
    apr_finfo_t fi;
    apr_file_t *f;
    apr_size_t n;
    apr_status_t rv;
    char *text;
    fm_template *t;
    const char *err;

    if (!path)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "invalid path '%s'", arg));
    rv = apr_stat(&fi, path, APR_FINFO_SIZE, cmd->temp_pool);
    if (rv != APR_SUCCESS)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "cannot read %s: %pm",
                                         path, &rv));
    if (fi.size > FM_TEMPLATE_FILE_MAX)
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "%s is larger than %d bytes", path, FM_TEMPLATE_FILE_MAX));
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv != APR_SUCCESS)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "cannot open %s: %pm",
                                         path, &rv));
    n = (apr_size_t)fi.size;
    text = apr_palloc(cmd->pool, n + 1);
    rv = apr_file_read_full(f, text, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !(rv == APR_EOF && n == 0))
        return cmd_err(cmd, apr_psprintf(cmd->pool, "cannot read %s: %pm",
                                         path, &rv));
    text[n] = '\0';
    if (strlen(text) != n)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "%s contains a NUL byte",
                                         path));
    if ((err = fm_template_compile_file_text(cmd->pool, text, &t)) != NULL)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "%s: %s", path, err));
    ((fm_dir_conf *)dc)->tmpl = t;
    return NULL;
}

static const char *set_add(cmd_parms *cmd, void *dc, const char *lvl,
                           const char *text)
{
    fm_dir_conf *c = dc;
    fm_conf_add *a;
    int level;
    const char *err = parse_level(cmd, lvl, &level);
    if (err)
        return err;
    if (!*text)
        return cmd_err(cmd, "the message text is empty");
    if (!fm_text_valid(text, strlen(text)))
        return cmd_err(cmd, "the message text must be UTF-8 without control "
                       "characters");
    if (!c->adds)
        c->adds = apr_array_make(cmd->pool, 2, sizeof(fm_conf_add));
    a = apr_array_push((apr_array_header_t *)c->adds);
    a->level = level;
    a->text = text;
    return NULL;
}

#define DIR_CTX (RSRC_CONF | ACCESS_CONF)

static const command_rec fm_cmds[] = {
    AP_INIT_FLAG("FlashMsg", set_enabled, NULL, DIR_CTX,
                 "On to handle flash messages here (default Off)"),
    AP_INIT_TAKE1("FlashMsgStorage", set_storage, NULL, DIR_CTX,
                  "cookie, session or fallback (default fallback)"),
    AP_INIT_TAKE_ARGV("FlashMsgSecret", set_secret, NULL, RSRC_CONF,
                      "KEY [OLDKEY ...]: the first key signs, every key "
                      "verifies; 'file:/path' reads a key from a file"),
    AP_INIT_TAKE1("FlashMsgCookieName", set_cookie_name, NULL, DIR_CTX,
                  "name of the cookie (default flashmsg)"),
    AP_INIT_TAKE1("FlashMsgCookieDomain", set_cookie_domain, NULL, DIR_CTX,
                  "Domain attribute of the cookie (default none)"),
    AP_INIT_TAKE1("FlashMsgCookieMaxSize", set_cookie_max_size, NULL, DIR_CTX,
                  "largest cookie value in bytes (default 2048)"),
    AP_INIT_FLAG("FlashMsgCookieEncrypt", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(fm_dir_conf, encrypt), DIR_CTX,
                 "On to encrypt the cookie with AES-256-GCM (default Off)"),
    AP_INIT_TAKE1("FlashMsgMaxAge", set_max_age, NULL, DIR_CTX,
                  "seconds a message may stay pending (default 86400)"),
    AP_INIT_TAKE1("FlashMsgMinLevel", set_min_level, NULL, DIR_CTX,
                  "messages below this level are ignored (default info)"),
    AP_INIT_TAKE2("FlashMsgLevel", set_level, NULL, RSRC_CONF,
                  "NAME NUMBER: define a custom level"),
    AP_INIT_TAKE12("FlashMsgTag", set_tag, NULL, DIR_CTX,
                   "LEVEL [CLASS]: the level_tag of a level (no CLASS or "
                   "\"\" removes it)"),
    AP_INIT_TAKE1("FlashMsgHeader", set_header, NULL, DIR_CTX,
                  "response header that adds messages (default X-Flash)"),
    AP_INIT_TAKE1("FlashMsgPlaceholder", set_placeholder, NULL, DIR_CTX,
                  "text replaced by the messages (default "
                  "<!--FLASH_MESSAGES-->)"),
    AP_INIT_TAKE12("FlashMsgTemplate", set_template, NULL, DIR_CTX,
                   "ITEM [WRAPPER]: markup per message and around them"),
    AP_INIT_TAKE1("FlashMsgTemplateFile", set_template_file, NULL, DIR_CTX,
                  "file holding the template (%{item}...%{/item} marks ITEM)"),
    AP_INIT_TAKE2("FlashMsgAdd", set_add, NULL, DIR_CTX,
                  "LEVEL TEXT: add a message to every matching request"),
    AP_INIT_TAKE1("FlashMsgScanLimit", set_scan_limit, NULL, DIR_CTX,
                  "bytes of a page searched for the placeholder before the "
                  "response must start (default 131072)"),
    AP_INIT_FLAG("FlashMsgExpose", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(fm_dir_conf, expose), DIR_CTX,
                 "On to hand pending messages to the backend as JSON "
                 "(variable FLASHMSG, request header X-Flash-Pending)"),
    AP_INIT_FLAG("FlashMsgClear", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(fm_dir_conf, clear), DIR_CTX,
                 "On to drop every pending message on matching requests "
                 "(e.g. logout); messages added by the response stay"),
    AP_INIT_FLAG("FlashMsgHTMX", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(fm_dir_conf, htmx), DIR_CTX,
                 "On to deliver messages to htmx requests as an HX-Trigger "
                 "event"),
    AP_INIT_TAKE1("FlashMsgHTMXEvent", set_htmx_event, NULL, DIR_CTX,
                  "name of the HX-Trigger event (default flashmsg)"),
    { NULL }
};

/* ------------------------------------------------------------------ */
/* Startup validation                                                   */

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
 * the offending section's conf or NULL; warns about plain-HTTP hosts. */
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
            s->is_virtual ? apr_psprintf(ptemp, "the virtual host at %s:%d",
                                         s->defn_name, s->defn_line_number)
                          : "the main server");
    return NULL;
}

/* Runs for `apache2 -t` too, so configtest reports what start would. */
static int fm_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    server_rec *v;
    const char *err;
    (void)pconf;
    (void)plog;
    /* optional_fn_retrieve runs only after post_config: look now. */
    fm_session_retrieve();
    for (v = s; v; v = v->next) {
        const fm_srv_conf *sc = ap_get_module_config(v->module_config,
                                                     &flashmsg_module);
        if (sc && sc->enabled_at && !sc->keys) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX
                "FlashMsg On (%s) needs FlashMsgSecret for %s: the message "
                "cookie is signed with it. Add e.g. 'FlashMsgSecret <64 hex "
                "digits from openssl rand -hex 32>' to the server or virtual "
                "host", sc->enabled_at, v->is_virtual
                ? apr_psprintf(ptemp, "the virtual host at %s:%d",
                               v->defn_name, v->defn_line_number)
                : "the main server");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if ((err = check_host_prefix(v, ptemp)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX "%s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (sc && sc->session_at && !fm_session_loaded()) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, FM_LOGPFX
                "FlashMsgStorage session (%s) needs mod_session and a "
                "session provider: 'a2enmod session_cookie' (or "
                "session_dbd), and 'Session On' where messages are used",
                sc->session_at);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

static int fm_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    fm_template *t;
    const char *err;
    (void)plog;
    (void)ptemp;
    if ((err = fm_template_compile(pconf, FM_DEFAULT_ITEM, FM_DEFAULT_WRAPPER,
                                   &t)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, FM_LOGPFX
                     "default template: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    default_template = t;
    cache_loaded = ap_find_linked_module("mod_cache.c") != NULL;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, FM_LOGPFX "version "
                 FM_VERSION " ready; mod_session %s", fm_session_loaded()
                 ? "found: session and fallback storage available"
                 : "not loaded: fallback storage acts as cookie storage");
    return OK;
}

/* ------------------------------------------------------------------ */
/* The per-request message store                                        */

apr_int64_t fm_now(void)
{
    return (apr_int64_t)apr_time_sec(apr_time_now());
}

static request_rec *initial_request(request_rec *r)
{
    for (;;) {
        if (r->main)
            r = r->main;
        else if (r->prev)
            r = r->prev;
        else
            return r;
    }
}

fm_state *fm_state_peek(request_rec *r)
{
    return ap_get_module_config(initial_request(r)->request_config,
                                &flashmsg_module);
}

fm_state *fm_state_of(request_rec *r)
{
    request_rec *ir = initial_request(r);
    fm_state *st = ap_get_module_config(ir->request_config, &flashmsg_module);
    if (!st) {
        st = apr_pcalloc(ir->pool, sizeof(*st));
        st->msgs = apr_array_make(ir->pool, 4, sizeof(fm_message));
        ap_set_module_config(ir->request_config, &flashmsg_module, st);
    }
    return st;
}

fm_state *fm_load(request_rec *r)
{
    fm_state *st = fm_state_of(r);
    if (!st->loaded) {
        st->loaded = 1;
        fm_storage_load(r, st);
    }
    return st;
}

static int effective_min_level(const fm_dir_conf *c)
{
    return c->min_level != FM_UNSET ? c->min_level : FM_INFO;
}

int fm_add(request_rec *r, int level, const char *text,
           const char *extra_tags)
{
    const fm_dir_conf *c = fm_dconf(r);
    fm_state *st;
    if (c->enabled != 1 || !text || !fm_text_valid(text, strlen(text)))
        return 0;
    if (extra_tags && !fm_text_valid(extra_tags, strlen(extra_tags)))
        return 0;
    st = fm_load(r);
    if (!fm_list_add(st->msgs, effective_min_level(c), level,
                     apr_pstrdup(st->msgs->pool, text),
                     extra_tags ? apr_pstrdup(st->msgs->pool, extra_tags) : "",
                     fm_now()))
        return 0;
    st->changed = 1;
    if (st->committed)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "message added after the response headers were sent; "
                      "it is lost");
    return 1;
}

#define FM_LOG_VALUE_MAX 80

void fm_add_from_value(request_rec *r, const char *origin, const char *value)
{
    const fm_dir_conf *c = fm_dconf(r);
    fm_state *st = fm_load(r);
    int before = st->msgs->nelts;
    const char *err = fm_header_parse(st->msgs->pool, fm_sconf(r)->levels,
                                      effective_min_level(c), value,
                                      strlen(value), fm_now(), st->msgs);
    if (err) {
        /* The value is logged cut short and with control bytes escaped. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "ignored %s: %s; value: \"%s\"%s", origin, err,
                      ap_escape_logitem(r->pool, apr_pstrndup(r->pool, value,
                                        FM_LOG_VALUE_MAX)),
                      strlen(value) > FM_LOG_VALUE_MAX ? "..." : "");
    }
    if (st->msgs->nelts != before) {
        st->changed = 1;
        if (st->committed)
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "%d message(s) from a %s of %s came after the "
                          "page's headers were sent and are lost",
                          st->msgs->nelts - before, origin, r->uri);
        else
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                          "%d message(s) added from %s",
                          st->msgs->nelts - before, origin);
    }
}

typedef struct {
    request_rec *r;
    const char *origin;
    int n;
} take_ctx;

static int take_one(void *vctx, const char *key, const char *value)
{
    take_ctx *t = vctx;
    (void)key;
    fm_add_from_value(t->r, t->origin, value);
    t->n++;
    return 1;
}

/* Add the messages of every `name` entry of table t and remove them. */
static void take_table(request_rec *r, apr_table_t *t, const char *name,
                       const char *origin)
{
    take_ctx tc;
    tc.r = r;
    tc.origin = origin;
    tc.n = 0;
    apr_table_do(take_one, &tc, t, name, NULL);
    if (tc.n)
        apr_table_unset(t, name);
}

/* A module asked to clear the store (note "flashmsg-clear"), here or in a
 * request this one was redirected from. */
static int clear_noted(request_rec *r)
{
    for (; r; r = r->prev)
        if (apr_table_get(r->notes, FM_CLEAR_NOTE))
            return 1;
    return 0;
}

const char *fm_header_name(request_rec *r)
{
    const fm_dir_conf *c = fm_dconf(r);
    return c->header ? c->header : FM_DEFAULT_HEADER;
}

int fm_response_concerns_us(request_rec *r)
{
    const fm_dir_conf *c = fm_dconf(r);
    const char *hdr = fm_header_name(r);
    request_rec *q;

    if (c->adds || c->clear == 1)
        return 1;
    for (q = r; q; q = q->prev)
        if (apr_table_get(q->headers_out, hdr)
            || apr_table_get(q->err_headers_out, hdr)
            || apr_table_get(q->notes, FM_NOTE_KEY)
            || apr_table_get(q->notes, FM_CLEAR_NOTE))
            return 1;
    return apr_table_get(r->headers_out, FM_CONSUMED_HEADER)
           || apr_table_get(r->err_headers_out, FM_CONSUMED_HEADER);
}

void fm_capture(request_rec *r)
{
    const fm_dir_conf *c = fm_dconf(r);
    const char *hdr = fm_header_name(r);
    fm_state *st = fm_state_of(r);
    request_rec *q;

    if (c->enabled != 1)
        return;
    if (!r->main) {
        if (st->captured)
            return;
        st->captured = 1;
        fm_take_consumed(r);
        if (c->clear == 1 || clear_noted(r)) {
            fm_load(r);
            if (st->msgs->nelts)
                ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                              "%d pending message(s) cleared",
                              st->msgs->nelts);
            fm_consume_all(r);
        }
    }
    /* This request and the ones it was internally redirected from: their
     * headers and notes are not seen by any other filter call.  A
     * subrequest (an SSI include) takes its own. */
    for (q = r; q; q = q->prev) {
        take_table(r, q->headers_out, hdr, "response header");
        take_table(r, q->err_headers_out, hdr, "response header");
        take_table(r, q->notes, FM_NOTE_KEY, "request note");
    }
    if (c->adds && !r->main) {
        const fm_conf_add *a = (const fm_conf_add *)c->adds->elts;
        int i;
        for (i = 0; i < c->adds->nelts; i++)
            fm_add(r, a[i].level, a[i].text, NULL);
    }
}

void fm_consume_all(request_rec *r)
{
    fm_state *st = fm_state_of(r);
    if (st->msgs->nelts) {
        st->msgs->nelts = 0;
        st->changed = 1;
    }
}

void fm_save(request_rec *r)
{
    fm_state *st = fm_state_of(r);
    if (st->saved || !st->changed)
        return;
    st->saved = 1;
    fm_storage_save(r, st);
    /* This response now carries one client's state (SPEC §2.6). */
    fm_cache_forbid_sharing(r);
}

const char *fm_json_of(request_rec *r, const apr_array_header_t *msgs)
{
    return fm_json_messages(r->pool, fm_sconf(r)->levels, fm_dconf(r)->tags,
                            (const fm_message *)msgs->elts, msgs->nelts);
}

/* ------------------------------------------------------------------ */
/* Hooks                                                                */

static ap_filter_rec_t *inject_filter_handle;

/* The body filter, and for the response itself (not a subrequest, whose
 * headers never leave httpd) the last-line guard. */
static void add_filters(request_rec *r)
{
    ap_add_output_filter_handle(inject_filter_handle, NULL, r, r->connection);
    if (!r->main)
        ap_add_output_filter_handle(fm_guard_filter_rec, NULL, r,
                                    r->connection);
}

/* Before the handler: load pending messages when the client sent our
 * state, and then make sure no 304 can hide them. */
static void fm_insert_filter(request_rec *r)
{
    const fm_dir_conf *c = fm_dconf(r);
    if (c->enabled != 1)
        return;
    /* In a subrequest the filter only takes what the subrequest adds.
     * Nothing is read (or allocated) unless the client may hold messages. */
    if (!r->main && fm_storage_may_hold(r) && fm_load(r)->msgs->nelts > 0) {
        /* No 304 may hide pending messages: not from httpd's handlers
         * (no_local_copy), nor from a backend that sees the validators. */
        r->no_local_copy = 1;
        apr_table_unset(r->headers_in, "If-None-Match");
        apr_table_unset(r->headers_in, "If-Modified-Since");
        apr_table_unset(r->headers_in, "If-Range");
    }
    add_filters(r);
}

/* mod_cache answers from its quick handler before any hook of ours runs,
 * and would serve a cached copy of the page to a user with pending
 * messages, who would then not see them.  A request that carries our
 * cookie asks caches not to use a stored response (no-store), which
 * mod_cache honours by not serving and not storing. */
static int fm_post_read_request(request_rec *r)
{
    const fm_srv_conf *sc = fm_sconf(r);
    if (!cache_loaded || r->main || !sc->enabled_at || !fm_cookie_present(r))
        return DECLINED;
    apr_table_mergen(r->headers_in, "Cache-Control", "no-store");
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "messages may be pending: bypassing mod_cache");
    return DECLINED;
}

/* Error responses (ap_die) drop the filters added above: add it again. */
static void fm_insert_error_filter(request_rec *r)
{
    if (fm_dconf(r)->enabled != 1 || r->main)
        return;
    add_filters(r);
}

/* ------------------------------------------------------------------ */
/* C API (mod_flashmsg.h)                                               */

static int flashmsg_add(request_rec *r, int level, const char *text,
                   const char *extra_tags)
{
    if (level < 0)
        return 0;
    return fm_add(r, level, text, extra_tags);
}

static apr_array_header_t *flashmsg_pending(request_rec *r)
{
    fm_state *st = fm_load(r);
    apr_array_header_t *out = apr_array_make(r->pool, st->msgs->nelts + 1,
                                             sizeof(flashmsg_message));
    int i;
    for (i = 0; i < st->msgs->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(st->msgs, i, fm_message);
        flashmsg_message *o = apr_array_push(out);
        o->level = m->level;
        o->text = m->text;
        o->extra_tags = m->extra_tags;
    }
    return out;
}

static void fm_optional_fn_retrieve(void)
{
    fm_session_retrieve();
}

static void fm_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(fm_optional_fn_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_check_config(fm_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(fm_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(fm_insert_filter, NULL, NULL, APR_HOOK_LAST);
    ap_hook_insert_error_filter(fm_insert_error_filter, NULL, NULL,
                                APR_HOOK_LAST);
    ap_hook_post_read_request(fm_post_read_request, NULL, NULL,
                              APR_HOOK_MIDDLE);
    ap_hook_fixups(fm_expose_fixups, NULL, NULL, APR_HOOK_LAST);
    ap_hook_handler(fm_json_handler, NULL, NULL, APR_HOOK_MIDDLE);
    inject_filter_handle = ap_register_output_filter(
        FM_FILTER_NAME, fm_inject_filter, NULL, FM_FILTER_FTYPE);
    fm_guard_filter_rec = ap_register_output_filter(
        FM_GUARD_FILTER_NAME, fm_guard_filter, NULL, FM_GUARD_FTYPE);
    APR_REGISTER_OPTIONAL_FN(flashmsg_add);
    APR_REGISTER_OPTIONAL_FN(flashmsg_pending);
}

AP_DECLARE_MODULE(flashmsg) = {
    STANDARD20_MODULE_STUFF,
    create_dir_conf,
    merge_dir_conf,
    create_srv_conf,
    merge_srv_conf,
    fm_cmds,
    fm_register_hooks,
    AP_MODULE_FLAG_NONE
};

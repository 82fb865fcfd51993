/*
 * directives.c - the FlashMsg* directives: parsing and checking each
 * argument where it is written, so errors name the directive and its
 * file:line.  Every setter ends by bringing the record's effective
 * settings up to date (fm_dir_conf_changed).  The table of every directive
 * is here; the template directives' setters are in template_directives.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_file_io.h>

#include <http_core.h>

#include "config/dir_conf.h"
#include "config/directives.h"
#include "core/key_file.h"

APLOG_USE_MODULE(flashmsg);

static const char *where(cmd_parms *cmd)
{
    if (!cmd->directive)
        return "(unknown)";
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}


/* Remember where a server first used a feature, for start-up errors that
 * point at the line ("FlashMsgStorage session (file:line) needs ..."). */
static void note_first_use(cmd_parms *cmd, const char **at)
{
    if (!*at)
        *at = where(cmd);
}

/* The arguments of a RAW_ARGS directive, split as httpd splits them
 * (quotes, backslash escapes), but keeping "" as an empty argument:
 * httpd's TAKE1 and TAKE2 take an empty argument for a missing one and
 * answer with their generic "takes one argument", whatever the directive
 * would have said about an empty value. */
static const char *split_args(cmd_parms *cmd, const char *args, int n,
                              const char **out, const char *usage)
{
    int i;
    for (i = 0; i < n; i++) {
        while (apr_isspace(*args))
            args++;
        if (!*args)
            break;
        out[i] = ap_getword_conf(cmd->pool, &args);
    }
    while (apr_isspace(*args))
        args++;
    if (i < n || *args)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "takes %s; quote an "
                                         "argument that contains spaces",
                                         usage));
    return NULL;
}

/* Levels known while this directive is read: the main server's and this
 * virtual host's FlashMsgLevel definitions so far. */
static const fm_levels *levels_for(cmd_parms *cmd)
{
    fm_srv_conf *sc = server_conf(cmd);
    fm_srv_conf *main_sc = fm_main_server_conf();
    if (!cmd->server->is_virtual || !main_sc || sc == main_sc)
        return sc->levels;
    return fm_levels_merge(cmd->temp_pool, main_sc->levels, sc->levels);
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
    if (on)
        note_first_use(cmd, &server_conf(cmd)->enabled_at);
    return changed(dc, NULL);
}

static const char *set_storage(cmd_parms *cmd, void *dc, const char *arg)
{
    fm_dir_conf *c = dc;
    if (!strcasecmp(arg, "cookie"))
        c->storage = FM_STORAGE_COOKIE;
    else if (!strcasecmp(arg, "fallback"))
        c->storage = FM_STORAGE_FALLBACK;
    else if (!strcasecmp(arg, "session")) {
        c->storage = FM_STORAGE_SESSION;
        note_first_use(cmd, &server_conf(cmd)->session_at);
    }
    else if (!strcasecmp(arg, "socache")) {
        c->storage = FM_STORAGE_SOCACHE;
        note_first_use(cmd, &server_conf(cmd)->socache_at);
    }
    else
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "'%s' is not a storage; use cookie, session, fallback or "
            "socache", arg));
    return changed(dc, NULL);
}

/* A secret given as file:/path is read from that file by the rules of
 * core/key_file.c (first line; refused if others can write it), which the
 * flashmsg tool follows too. */
static const char *read_secret(cmd_parms *cmd, const char *arg,
                               const char **secret)
{
    const char *path, *err;
    int others_can_read;

    if (strncmp(arg, "file:", 5) != 0) {
        *secret = arg;
        return NULL;
    }
    path = ap_server_root_relative(cmd->temp_pool, arg + 5);
    if (!path)
        return cmd_err(cmd, "invalid secret file path");
    err = fm_key_file_read(cmd->pool, path, secret, &others_can_read);
    if (err)
        return cmd_err(cmd, err);
    /* Logged for no server in particular (to the startup log, at httpd's
     * default level): while a <VirtualHost> is being read its server_rec
     * has no log level yet (APLOG_UNSET until httpd merges it with the
     * main server's after the whole file is read), so a line logged for
     * it would be dropped. */
    if (others_can_read)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, NULL, FM_LOGPFX
                     "FlashMsgSecret file %s (%s) can be read by users "
                     "other than its owner: chmod 600 it", path, where(cmd));
    return NULL;
}

static const char *set_secret(cmd_parms *cmd, void *dc, int argc,
                              char *const argv[])
{
    fm_srv_conf *sc = server_conf(cmd);
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
    return changed(dc, host_prefix_conflict(cmd, c->cookie_name,
                                            c->cookie_domain));
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
    return changed(dc, host_prefix_conflict(cmd,
                       ((fm_dir_conf *)dc)->cookie_name, arg));
}

static const char *set_cookie_max_size(cmd_parms *cmd, void *dc,
                                       const char *arg)
{
    return changed(dc, parse_number(cmd, arg, 256, 16384,
                        &((fm_dir_conf *)dc)->cookie_max_size));
}

static const char *set_session_max_size(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    fm_dir_conf *c = dc;
    fm_srv_conf *sc = server_conf(cmd);
    const char *err = parse_number(cmd, arg, 256, 1024 * 1024,
                                   &c->session_max_size);
    if (!err && c->session_max_size > sc->largest_session_max_size)
        sc->largest_session_max_size = c->session_max_size;
    return changed(dc, err);
}

static const char *set_max_age(cmd_parms *cmd, void *dc, const char *arg)
{
    return changed(dc, parse_number(cmd, arg, 1, 10LL * 365 * 86400,
                        &((fm_dir_conf *)dc)->max_age));
}

static const char *set_htmx_event(cmd_parms *cmd, void *dc,
                                  const char *args)
{
    const char *s, *arg, *err = split_args(cmd, args, 1, &arg,
                                           "one argument, the event name");
    if (err)
        return err;
    if (!*arg)
        return cmd_err(cmd, "the event name is empty");
    for (s = arg; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f
            || *s == '"' || *s == '\\' || *s == ',')
            return cmd_err(cmd, "an event name is printable ASCII without "
                           "spaces, quotes, backslashes or commas");
    ((fm_dir_conf *)dc)->htmx_event = arg;
    return changed(dc, NULL);
}

/* FlashMsgHistoryGuard On|Off [VARIABLE]: the variable (request
 * environment, else note) that holds the page's CSP nonce. */
static const char *set_history_guard(cmd_parms *cmd, void *dc,
                                     const char *flag, const char *var)
{
    fm_dir_conf *c = dc;
    const char *s;
    if (!strcasecmp(flag, "on"))
        c->history_guard = 1;
    else if (!strcasecmp(flag, "off"))
        c->history_guard = 0;
    else
        return cmd_err(cmd, "the first argument must be On or Off");
    if (var && !c->history_guard)
        return cmd_err(cmd, "a nonce variable only goes with On");
    if (var) {
        if (!*var)
            return cmd_err(cmd, "the nonce variable's name is empty");
        for (s = var; *s; s++)
            if (!apr_isalnum(*s) && *s != '_' && *s != '-' && *s != '.')
                return cmd_err(cmd, "a nonce variable's name is made of "
                               "letters, digits, '_', '-' and '.'");
    }
    c->guard_nonce_var = var ? var : "";
    return changed(dc, NULL);
}

static const char *set_scan_limit(cmd_parms *cmd, void *dc, const char *arg)
{
    return changed(dc, parse_number(cmd, arg, 1024, 64 * 1024 * 1024,
                        &((fm_dir_conf *)dc)->scan_limit));
}

static const char *set_min_level(cmd_parms *cmd, void *dc, const char *arg)
{
    return changed(dc, parse_level(cmd, arg,
                                   &((fm_dir_conf *)dc)->min_level));
}

static const char *set_level(cmd_parms *cmd, void *dc, const char *name,
                             const char *number)
{
    fm_srv_conf *sc = server_conf(cmd);
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
    return changed(dc, NULL);
}

static const char *set_header(cmd_parms *cmd, void *dc, const char *arg)
{
    if (!is_token(arg))
        return cmd_err(cmd, "a header field name must be a token");
    ((fm_dir_conf *)dc)->header = arg;
    return changed(dc, NULL);
}

static const char *set_placeholder(cmd_parms *cmd, void *dc,
                                   const char *args)
{
    fm_dir_conf *c = dc;
    const char *arg, *err = split_args(cmd, args, 1, &arg, "one argument, "
                                       "the text the messages replace");
    apr_size_t n;
    if (err)
        return err;
    n = strlen(arg);
    if (n == 0)
        return cmd_err(cmd, "the placeholder is empty (\"\"): no page "
                       "could contain it. Give the text the messages "
                       "replace, e.g. " FM_DEFAULT_PLACEHOLDER " (the "
                       "default)");
    if (n > 256)
        return cmd_err(cmd, "the placeholder must be 1 to 256 bytes");
    c->placeholder = fm_pattern_compile(cmd->pool, arg, n);
    return changed(dc, NULL);
}

static const char *set_add(cmd_parms *cmd, void *dc, const char *args)
{
    fm_dir_conf *c = dc;
    fm_conf_add *a;
    int level;
    const char *argv[2], *text;
    const char *err = split_args(cmd, args, 2, argv,
                                 "two arguments, LEVEL TEXT");
    if (err || (err = parse_level(cmd, argv[0], &level)) != NULL)
        return err;
    text = argv[1];
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
    a->where = where(cmd);
    return changed(dc, NULL);
}

#define DIR_CTX (RSRC_CONF | ACCESS_CONF)

/* The plain On/Off directives: httpd's flag setter, then refresh. */
static const char *set_flag(cmd_parms *cmd, void *dc, int on)
{
    return changed(dc, ap_set_flag_slot(cmd, dc, on));
}

const command_rec fm_directives[] = {
    AP_INIT_FLAG("FlashMsg", set_enabled, NULL, DIR_CTX,
                 "On to handle flash messages here (default Off)"),
    AP_INIT_TAKE1("FlashMsgStorage", set_storage, NULL, DIR_CTX,
                  "cookie, session, fallback or socache (default fallback)"),
    AP_INIT_TAKE1("FlashMsgSocache", fm_set_socache, NULL, RSRC_CONF,
                  "PROVIDER[:ARGS]: the socache of FlashMsgStorage socache "
                  "(shmcb, shmcb:/path(bytes), redis:host:port, "
                  "memcache:host:port)"),
    AP_INIT_TAKE1("FlashMsgSocacheTimeout", fm_set_socache_timeout, NULL,
                  RSRC_CONF,
                  "how long socache calls in flight may go without an "
                  "answer before new ones skip the engine (default 1s)"),
    AP_INIT_TAKE_ARGV("FlashMsgSecret", set_secret, NULL, RSRC_CONF,
                      "KEY [OLDKEY ...]: the first key signs, every key "
                      "verifies; 'file:/path' reads a key from a file"),
    AP_INIT_TAKE1("FlashMsgCookieName", set_cookie_name, NULL, DIR_CTX,
                  "name of the cookie (default flashmsg)"),
    AP_INIT_TAKE1("FlashMsgCookieDomain", set_cookie_domain, NULL, DIR_CTX,
                  "Domain attribute of the cookie (default none)"),
    AP_INIT_TAKE1("FlashMsgCookieMaxSize", set_cookie_max_size, NULL, DIR_CTX,
                  "largest cookie value in bytes (default 2048)"),
    AP_INIT_TAKE1("FlashMsgSessionMaxSize", set_session_max_size, NULL,
                  DIR_CTX, "largest session entry in bytes (default 2048)"),
    AP_INIT_FLAG("FlashMsgCookieEncrypt", set_flag,
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
    AP_INIT_RAW_ARGS("FlashMsgPlaceholder", set_placeholder, NULL, DIR_CTX,
                     "text replaced by the messages (default "
                     "<!--FLASH_MESSAGES-->)"),
    AP_INIT_TAKE12("FlashMsgTemplate", fm_set_template, NULL, DIR_CTX,
                   "ITEM [WRAPPER]: markup per message and around them"),
    AP_INIT_TAKE1("FlashMsgTemplateFile", fm_set_template_file, NULL, DIR_CTX,
                  "file holding the template (%{item}...%{/item} marks ITEM)"),
    AP_INIT_RAW_ARGS("FlashMsgAdd", set_add, NULL, DIR_CTX,
                     "LEVEL TEXT: add a message to every matching request"),
    AP_INIT_TAKE1("FlashMsgScanLimit", set_scan_limit, NULL, DIR_CTX,
                  "bytes of a page searched for the placeholder before the "
                  "response must start (default 131072)"),
    AP_INIT_FLAG("FlashMsgExpose", set_flag,
                 (void *)APR_OFFSETOF(fm_dir_conf, expose), DIR_CTX,
                 "On to hand pending messages to the backend as JSON "
                 "(variable FLASHMSG, request header X-Flash-Pending)"),
    AP_INIT_FLAG("FlashMsgClear", set_flag,
                 (void *)APR_OFFSETOF(fm_dir_conf, clear), DIR_CTX,
                 "On to drop every pending message on matching requests "
                 "(e.g. logout); messages added by the response stay"),
    AP_INIT_FLAG("FlashMsgHTMX", set_flag,
                 (void *)APR_OFFSETOF(fm_dir_conf, htmx), DIR_CTX,
                 "On to deliver messages to htmx requests as an HX-Trigger "
                 "event"),
    AP_INIT_RAW_ARGS("FlashMsgHTMXEvent", set_htmx_event, NULL, DIR_CTX,
                     "name of the HX-Trigger event (default flashmsg)"),
    AP_INIT_TAKE12("FlashMsgHistoryGuard", set_history_guard, NULL, DIR_CTX,
                   "On [VARIABLE] to add a script that removes shown "
                   "messages from the back/forward cache, with the CSP "
                   "nonce from VARIABLE (default Off)"),
    AP_INIT_FLAG("FlashMsgTrace", set_flag,
                 (void *)APR_OFFSETOF(fm_dir_conf, trace), DIR_CTX,
                 "On to name in an X-Flash-Trace response header what was "
                 "decided for each response and why (default Off)"),
    { NULL }
};


/*
 * inspect.c - flashmsg inspect: verify and decode mod_flashmsg cookies
 * with the site's keys, the way the module reads them (core/cookie_codec.c
 * decodes, core/cookie_header.c finds the cookies in a Cookie header).
 *
 * Each argument is a whole Cookie header ("a=1; flashmsg.AbCd1234=s1...."),
 * one name=value pair, or a bare value, checked under the full cookie name
 * --name gives (the name is bound into the signature).  "-" reads one such
 * argument per line from standard input (keeps cookies out of ps).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "cli.h"
#include "cookie_codec.h"
#include "cookie_header.h"

static const char usage[] =
"Usage: flashmsg inspect --secret KEY [--secret OLDKEY]... [OPTIONS] COOKIE...\n"
"\n"
"Verify and decode mod_flashmsg cookies.  COOKIE is a whole Cookie header\n"
"('a=1; flashmsg.AbCd1234=s1...; b=2'), one NAME=VALUE pair, a bare value\n"
"(checked under --name), or '-' to read one of those per line from stdin.\n"
"Every cookie of the module's family is shown: its name, the key that\n"
"verified it, signed or encrypted, its flags and messages (level, extra\n"
"tags, text, creation time and age), or why it was refused.\n"
"\n"
"Options:\n"
"  -s, --secret KEY     a key as FlashMsgSecret takes it: the key itself, or\n"
"                       file:PATH (first line of PATH; refused if others can\n"
"                       write it).  Give the keys in FlashMsgSecret's order:\n"
"                       the first is the current key, the others old ones\n"
"  -n, --name NAME      the cookie name (FlashMsgCookieName): in headers the\n"
"                       cookies NAME and NAME.ID are read (default: flashmsg\n"
"                       and __Host-flashmsg); a bare value is checked under\n"
"                       NAME exactly (default: flashmsg)\n"
"      --max-age SECS   FlashMsgMaxAge: older messages are marked expired\n"
"                       (default 86400; 0: never)\n"
"      --encrypt on|off FlashMsgCookieEncrypt: refuse values of the other\n"
"                       kind, as the module does (default: accept both)\n"
"      --level NAME=NUMBER  a FlashMsgLevel, to name custom levels\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 every cookie verified; 1 a value was refused, every message\n"
"of a cookie has expired, or an argument held no cookie of the module;\n"
"2 usage error or unusable key.\n";

enum { OPT_MAX_AGE = 256, OPT_ENCRYPT, OPT_LEVEL };

static const apr_getopt_option_t options[] = {
    { "secret", 's', 1, "key" },
    { "name", 'n', 1, "cookie name" },
    { "max-age", OPT_MAX_AGE, 1, "seconds" },
    { "encrypt", OPT_ENCRYPT, 1, "on|off" },
    { "level", OPT_LEVEL, 1, "NAME=NUMBER" },
    { "help", 'h', 0, "help" },
    { NULL, 0, 0, NULL }
};

/* What "-" becomes while the options are parsed (compared by address). */
static const char stdin_mark[] = "(standard input)";

typedef struct {
    apr_pool_t *p;
    const fm_keyring *kr;
    fm_report rp;
    const char *name;   /* --name, or NULL */
    int encrypt;        /* --encrypt: 0, 1, or -1 for either */
    int found;          /* cookies looked at */
    int failed;         /* refused values, wholly expired cookies, empty
                         * arguments */
} inspect_ctx;

/* One value, under its full cookie name. */
static void inspect_value(inspect_ctx *c, const char *name, const char *value,
                          int bare)
{
    fm_codec_opts o;
    apr_array_header_t *msgs = apr_array_make(c->p, 4, sizeof(fm_message));
    fm_decode_status ds;
    unsigned flags = 0;
    int expired = 0, key = -1, n_old;

    c->found++;
    o.cookie_name = name;
    o.max_age = 0;                /* every message; report.c marks age */
    o.encrypt = c->encrypt == 1;
    ds = fm_cookie_decode(c->p, c->kr, &o, value, strlen(value),
                          c->rp.now, msgs, &flags, &expired, &key);
    if (ds == FM_DECODE_WRONG_KIND && c->encrypt < 0) {
        o.encrypt = 1;            /* no --encrypt: either kind will do */
        ds = fm_cookie_decode(c->p, c->kr, &o, value, strlen(value),
                              c->rp.now, msgs, &flags, &expired, &key);
    }
    if (ds != FM_DECODE_OK) {
        const char *why = fm_decode_status_str(ds);
        if (bare && !c->name && ds == FM_DECODE_BAD_SIGNATURE)
            why = apr_psprintf(c->p, "%s under the name %s (a value is "
                               "signed for its cookie's full name: give "
                               "it with --name, e.g. %s.AbCd1234, or the "
                               "whole NAME=VALUE pair)", why, name, name);
        fm_report_refused(&c->rp, name, why);
        c->failed++;
        return;
    }
    n_old = fm_report_verified(&c->rp, name, o.encrypt ? "encrypted"
                               : "signed", key, flags,
                               (const fm_message *)msgs->elts, msgs->nelts);
    if (msgs->nelts > 0 && n_old == msgs->nelts) {
        fprintf(c->rp.out, "  every message has expired: the module shows "
                "nothing of this cookie and deletes it\n");
        c->failed++;
    }
}

/* "Cookie: " or "Set-Cookie: " in front of a pasted header, if any. */
static const char *skip_field_name(const char *s)
{
    static const char *const names[] = { "Cookie:", "Set-Cookie:" };
    size_t i;
    while (*s == ' ' || *s == '\t')
        s++;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strncasecmp(s, names[i], strlen(names[i])))
            return s + strlen(names[i]);
    return s;
}

/* One command-line argument (or stdin line). */
static void inspect_arg(inspect_ctx *c, const char *arg, const char *where)
{
    apr_array_header_t *pairs;
    const char *s = skip_field_name(arg);
    int i;

    if (!strchr(s, '=')) {
        char *v = apr_pstrdup(c->p, s);
        apr_collapse_spaces(v, v);    /* base64url holds no spaces */
        inspect_value(c, c->name ? c->name : "flashmsg", v, 1);
        return;
    }
    pairs = apr_array_make(c->p, 4, sizeof(fm_cookie_pair));
    if (c->name) {
        fm_cookie_header_find_family(c->p, s, c->name, pairs);
    }
    else {
        fm_cookie_header_find_family(c->p, s, "flashmsg", pairs);
        fm_cookie_header_find_family(c->p, s, "__Host-flashmsg", pairs);
    }
    if (pairs->nelts == 0) {
        fm_cli_error("inspect", "%s holds no cookie named %s or %s.ID%s",
                     where, c->name ? c->name : "flashmsg",
                     c->name ? c->name : "flashmsg",
                     c->name ? "" : " (nor __Host-flashmsg)");
        c->failed++;
        return;
    }
    for (i = 0; i < pairs->nelts; i++) {
        const fm_cookie_pair *cp = &APR_ARRAY_IDX(pairs, i, fm_cookie_pair);
        inspect_value(c, cp->name, cp->value, 0);
    }
}

/* "-": one argument per line of standard input. */
static void inspect_stdin(inspect_ctx *c)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[strspn(line, " \t")] == '\0')
            continue;
        inspect_arg(c, line, apr_psprintf(c->p, "stdin line %d", lineno));
    }
    free(line);
}

static int parse_max_age(const char *arg, apr_int64_t *out)
{
    char *end;
    apr_int64_t v;
    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (!apr_isdigit(*arg) || *end || errno || v < 0)
        return -1;
    *out = v;
    return 0;
}

static int define_level(apr_pool_t *p, fm_levels *lv, const char *arg)
{
    const char *eq = strchr(arg, '='), *err;
    if (!eq) {
        fm_cli_error("inspect", "--level %s: give NAME=NUMBER, as "
                     "FlashMsgLevel NAME NUMBER", arg);
        return -1;
    }
    err = fm_levels_define(lv, p, apr_pstrmemdup(p, arg, eq - arg), eq + 1);
    if (err) {
        fm_cli_error("inspect", "--level %s: %s", arg, err);
        return -1;
    }
    return 0;
}

int fm_cli_inspect(apr_pool_t *p, int argc, const char *const *argv)
{
    apr_array_header_t *secrets = apr_array_make(p, 2, sizeof(const char *));
    fm_levels *levels = fm_levels_make(p);
    apr_getopt_t *os;
    const char *arg, *err, **args;
    fm_keyring *kr;
    inspect_ctx c;
    apr_status_t rv;
    int opt, i;

    /* apr_getopt takes a lone "-" for an option: stand it in. */
    args = apr_palloc(p, sizeof(*args) * (apr_size_t)(argc + 1));
    for (i = 0; i < argc; i++)
        args[i] = strcmp(argv[i], "-") ? argv[i] : stdin_mark;
    args[argc] = NULL;
    memset(&c, 0, sizeof(c));
    c.p = p;
    c.encrypt = -1;
    c.rp.out = stdout;
    c.rp.levels = levels;
    c.rp.max_age = 86400;          /* FlashMsgMaxAge's default */
    fm_cli_getopt_init(&os, p, argc, args);
    while ((rv = apr_getopt_long(os, options, &opt, &arg)) == APR_SUCCESS) {
        switch (opt) {
        case 's':
            APR_ARRAY_PUSH(secrets, const char *) = arg;
            break;
        case 'n':
            if (!*arg || strpbrk(arg, "=; \t")) {
                fm_cli_error("inspect", "--name '%s' is not a cookie name",
                             arg);
                return FM_EXIT_USAGE;
            }
            c.name = arg;
            break;
        case OPT_MAX_AGE:
            if (parse_max_age(arg, &c.rp.max_age) != 0) {
                fm_cli_error("inspect", "--max-age '%s' is not a number of "
                             "seconds", arg);
                return FM_EXIT_USAGE;
            }
            break;
        case OPT_ENCRYPT:
            if (!strcasecmp(arg, "on"))
                c.encrypt = 1;
            else if (!strcasecmp(arg, "off"))
                c.encrypt = 0;
            else {
                fm_cli_error("inspect", "--encrypt takes on or off, not '%s'",
                             arg);
                return FM_EXIT_USAGE;
            }
            break;
        case OPT_LEVEL:
            if (define_level(p, levels, arg) != 0)
                return FM_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return FM_EXIT_OK;
        }
    }
    if (rv != APR_EOF)
        return FM_EXIT_USAGE;      /* apr_getopt said why */
    if (secrets->nelts == 0) {
        fm_cli_error("inspect", "give the site's keys with --secret "
                     "(e.g. --secret file:/etc/apache2/flashmsg.key)");
        return FM_EXIT_USAGE;
    }
    if (os->ind >= os->argc) {
        fm_cli_error("inspect", "give the cookies to inspect (a Cookie "
                     "header, NAME=VALUE, a value, or - for stdin)");
        return FM_EXIT_USAGE;
    }
    err = fm_cli_keyring(p, "inspect", (const char *const *)secrets->elts,
                         secrets->nelts, &kr);
    if (err) {
        fm_cli_error("inspect", "%s", err);
        return FM_EXIT_USAGE;
    }
    c.kr = kr;
    c.rp.nkeys = kr->nkeys;
    c.rp.now = fm_now();
    for (i = os->ind; i < os->argc; i++) {
        if (os->argv[i] == stdin_mark)
            inspect_stdin(&c);
        else
            inspect_arg(&c, os->argv[i],
                        apr_psprintf(p, "argument %d", i - os->ind + 1));
    }
    return c.failed || !c.found ? FM_EXIT_REFUSED : FM_EXIT_OK;
}

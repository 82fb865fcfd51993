/*
 * flashmsg.c - the flashmsg command-line tool: look inside mod_flashmsg's
 * cookies and make keys for FlashMsgSecret (docs/cli.md, flashmsg(1)).
 * This file holds the command table, the shared helpers and main().
 */
#include <stdarg.h>
#include <string.h>

#include <apr_general.h>

#include "cli.h"
#include "version.h"

static const char usage[] =
"Usage: flashmsg COMMAND [OPTIONS] [ARGUMENTS]\n"
"\n"
"Look inside mod_flashmsg's cookies and make keys for FlashMsgSecret.\n"
"\n"
"Commands:\n"
"  inspect --secret KEY [--secret OLDKEY]... COOKIE...\n"
"                 verify and decode cookies: which key verified each,\n"
"                 its messages (level, tags, text, age), or why it was refused\n"
"  keygen [--force] PATH\n"
"                 write a new random key to PATH (mode 0600) and print\n"
"                 the FlashMsgSecret line that uses it\n"
"\n"
"Options:\n"
"  -h, --help     this help; 'flashmsg COMMAND --help' for a command's\n"
"  -V, --version  the version\n"
"\n"
"Exit status: 0 success, 1 a cookie refused (inspect) or no key written\n"
"(keygen), 2 usage error.  Manual: flashmsg(1), docs/cli.md.\n";

void fm_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, FM_PROG "%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* apr_getopt's error callback: it writes "CMD: what: option\n" (its
 * argv[0] is the command's name). */
static void getopt_error(void *arg, const char *fmt, ...)
{
    va_list ap;
    (void)arg;
    fputs(FM_PROG " ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void fm_cli_getopt_init(apr_getopt_t **os, apr_pool_t *p, int argc,
                        const char *const *argv)
{
    apr_getopt_init(os, p, argc, argv);
    (*os)->interleave = 1;          /* options after arguments too */
    (*os)->errfn = getopt_error;
}

static const struct {
    const char *name;
    int (*run)(apr_pool_t *p, int argc, const char *const *argv);
} commands[] = {
    { "inspect", fm_cli_inspect },
    { "keygen", fm_cli_keygen },
};

static int run(apr_pool_t *p, int argc, const char *const *argv)
{
    size_t i;
    if (argc < 2) {
        fputs(usage, stderr);
        return FM_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc > 2) {     /* help COMMAND */
        const char *sub[] = { argv[0], argv[2], "--help", NULL };
        return run(p, 3, sub);
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")
        || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return FM_EXIT_OK;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        puts(FM_PROG " " FM_VERSION);
        return FM_EXIT_OK;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(p, argc - 1, argv + 1);
    fm_cli_error(NULL, "unknown command '%s' (commands: inspect, keygen; "
                 "try --help)", argv[1]);
    return FM_EXIT_USAGE;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fputs(FM_PROG ": cannot initialise APR\n", stderr);
        return FM_EXIT_USAGE;
    }
    apr_pool_create(&p, NULL);
    rc = run(p, argc, argv);
    apr_pool_destroy(p);          /* wipes the derived keys */
    apr_terminate();
    if (fflush(stdout) != 0 && rc == FM_EXIT_OK)
        rc = FM_EXIT_REFUSED;     /* e.g. a full disk or a closed pipe */
    return rc;
}

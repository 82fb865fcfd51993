/*
 * cli.h - the flashmsg command-line tool: what its commands share.
 * The tool uses core/ only (APR and libcrypto), never httpd.
 *
 *   flashmsg.c   main: the command table, --help, --version
 *   inspect.c    flashmsg inspect: options, arguments, verdicts
 *   report.c     how inspect prints a cookie and its messages
 *   keygen.c     flashmsg keygen: a new key file, mode 0600
 *   secrets.c    --secret values read as FlashMsgSecret reads them
 */
#ifndef FM_CLI_H
#define FM_CLI_H

#include <stdio.h>

#include <apr_getopt.h>
#include <apr_pools.h>

#include "keys.h"
#include "message.h"

/* Exit statuses. */
#define FM_EXIT_OK      0
#define FM_EXIT_REFUSED 1   /* inspect: a value refused; keygen: not written */
#define FM_EXIT_USAGE   2   /* bad options or arguments, unusable keys */

#define FM_PROG "flashmsg"

/* The commands: argv[0] is the command's name. */
int fm_cli_inspect(apr_pool_t *p, int argc, const char *const *argv);
int fm_cli_keygen(apr_pool_t *p, int argc, const char *const *argv);

/* "flashmsg CMD: message" on stderr. */
void fm_cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Option parsing for a command, with errors reported as fm_cli_error(). */
void fm_cli_getopt_init(apr_getopt_t **os, apr_pool_t *p, int argc,
                        const char *const *argv);

/*
 * The key ring of n FlashMsgSecret values (an inline key, or file:PATH
 * read by core/key_file.c: refused if others can write the file, a
 * warning on stderr if they can read it).  NULL and *kr set, or an error.
 */
const char *fm_cli_keyring(apr_pool_t *p, const char *cmd,
                           const char *const *secrets, int n,
                           fm_keyring **kr);

/* What inspect prints (report.c). */
typedef struct {
    FILE *out;
    const fm_levels *levels;
    apr_int64_t now;
    apr_int64_t max_age;
    int nkeys;
} fm_report;

/* A refused value: the cookie's name and why. */
void fm_report_refused(const fm_report *rp, const char *name,
                       const char *why);
/*
 * A verified value: its name, kind ("signed", "encrypted"), the index of
 * the key that verified it, its flags and msgs[0..n).  Returns the number
 * of messages older than max_age (the module drops them).
 */
int fm_report_verified(const fm_report *rp, const char *name,
                       const char *kind, int key_index, unsigned flags,
                       const fm_message *msgs, int n);

#endif

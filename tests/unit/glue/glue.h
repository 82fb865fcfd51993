/*
 * glue.h - unit tests of the glue (the httpd-facing code) without httpd:
 * the module's real sources are linked with APR and with stubs of the
 * httpd functions they call (httpd_stubs.c), and run on fake requests
 * (fake_request.c) whose output filter chain ends in a capturing filter.
 * Modelled on mod_auth_openidc's test/stub.c and test/util.c.
 */
#ifndef FM_GLUE_TEST_H
#define FM_GLUE_TEST_H

#include <check.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

#include "config/config.h"

Suite *inject_filter_suite(void);
Suite *engine_watch_suite(void);

/* ------------------------------------------------------------------ */
/* httpd_stubs.c                                                        */

/* The hooks the module registered (register_hooks). */
extern ap_HOOK_insert_filter_t *ft_insert_filter_hook;

/* Every log line of the module since ft_log_reset(), one per line as
 * "LEVEL message".  Lines up to APLOG_TRACE8 are kept. */
void ft_log_reset(void);
const char *ft_log(void);
/* Is some line of the log at this level (APLOG_*) containing s? */
int ft_log_has(int level, const char *s);

/* ------------------------------------------------------------------ */
/* fake_request.c                                                       */

/* What reached the end of the filter chain: the network, for the test. */
typedef struct {
    char *body;             /* data bytes, in order (NUL terminated) */
    apr_size_t body_len;
    char *trace;            /* the same with {FLUSH} and {EOS} where those
                             * buckets were and '|' after each call */
    int passes;             /* calls of the capturing filter */
    int eos;                /* an EOS came by */
    int file_buckets;       /* data that came as file buckets */
    apr_bucket_brigade *last_bb;    /* the brigade of the last call */
} ft_capture;

typedef struct {
    apr_pool_t *pool;       /* the "configuration" pool of this test */
    server_rec *s;
    ap_conf_vector_t *dir;  /* the <Location> the request maps to */
    request_rec *r;
    apr_bucket_brigade *sent_bb;    /* the brigade ft_send passed last */
    ft_capture out;
} ft_env;

/* The module loaded: its hooks and filters registered.  Once, in main. */
void ft_module_init(apr_pool_t *pconf);

/* A server with one section; directives are applied to the section in
 * order: ft_env_make(p, "FlashMsg", "On", NULL, "FlashMsgScanLimit",
 * "1024", NULL, NULL) -- each directive's arguments end with NULL, the
 * list with a second NULL.  A directive that fails fails the test. */
ft_env *ft_env_make(apr_pool_t *p, ...);

/* A GET of an HTML page in that section, with this Cookie header (or
 * none), through the module's insert_filter hook as httpd runs it before
 * the handler: r->output_filters is then the chain FLASHMSG ->
 * FLASHMSG_GUARD -> capture. */
request_rec *ft_request(ft_env *env, const char *cookie);

/* The module's body filter on the request's chain, NULL once removed. */
ap_filter_t *ft_find_filter(request_rec *r, const char *name);

/* A Cookie header with our cookie holding msgs[0..n), written with the
 * codec under the key ring ft_env_make configures (FX_SECRET_A). */
const char *ft_cookie(ft_env *env, const fm_message *msgs, int n);

/* Markers for ft_send: a FLUSH or an EOS bucket in that place. */
extern const char FT_FLUSH[];
extern const char FT_EOS[];

/* Pass one brigade down the request's chain, as a handler does: each
 * argument a data bucket (a transient bucket on a heap copy that is
 * overwritten and freed as soon as the call returns, so that any bucket
 * the filter kept without setting it aside shows) or a marker, ending
 * with NULL.  Returns what ap_pass_brigade returned. */
apr_status_t ft_send(ft_env *env, ...);
/* The same for text cut into buckets of `piece` bytes (0: one bucket),
 * all in one brigade, then an EOS bucket if eos. */
apr_status_t ft_send_pieces(ft_env *env, const char *text, apr_size_t piece,
                            int eos);
/* The same for text written to a file and sent as one file bucket and an
 * EOS, as the default handler sends a static page. */
apr_status_t ft_send_file(ft_env *env, const char *text);

#endif

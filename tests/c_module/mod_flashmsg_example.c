/*
 * mod_flashmsg_example.c - how another httpd module uses mod_flashmsg's C API.
 *
 * It provides the handler "flashmsg-example":
 *
 *   GET /where?text=Saved&level=success&tags=a+b   add a message
 *       &redirect=/page.html                        ... then answer 303 there
 *                                                   (otherwise: text/plain "kept"
 *                                                   or "ignored")
 *   GET /where?list=1                               list the pending messages as
 *                                                   text/plain, one per line:
 *                                                   LEVEL<TAB>EXTRA_TAGS<TAB>TEXT
 *                                                   (does not consume them)
 *
 * Both can be combined (?text=...&list=1 lists after adding).  When
 * mod_flashmsg is not loaded the optional functions are NULL and the handler
 * answers 503 with a plain explanation instead of crashing.
 *
 * Build (from the top of the mod_flashmsg tree):
 *
 *   apxs -c -Wc,-Wall -Wc,-Wextra -Wc,-Werror -I. tests/c_module/mod_flashmsg_example.c
 *
 * and configure it with conf/examples/c-module.conf.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"
#include "http_log.h"
#include "apr_strings.h"

#include "mod_flashmsg.h"

module AP_MODULE_DECLARE_DATA flashmsg_example_module;

/* Resolved once all modules are loaded; NULL without mod_flashmsg. */
static APR_OPTIONAL_FN_TYPE(flashmsg_add) *flash_add;
static APR_OPTIONAL_FN_TYPE(flashmsg_pending) *flash_pending;

static void example_retrieve(void)
{
    flash_add = APR_RETRIEVE_OPTIONAL_FN(flashmsg_add);
    flash_pending = APR_RETRIEVE_OPTIONAL_FN(flashmsg_pending);
}

/* A level name of mod_flashmsg's built-ins, or a number; -1 if neither. */
static int parse_level(const char *s)
{
    static const struct { const char *name; int level; } names[] = {
        { "debug", FLASHMSG_DEBUG },     { "info", FLASHMSG_INFO },
        { "success", FLASHMSG_SUCCESS }, { "warning", FLASHMSG_WARNING },
        { "error", FLASHMSG_ERROR },
    };
    apr_size_t i;
    char *end;
    long n;

    if (!s || !*s)
        return FLASHMSG_INFO;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!ap_cstr_casecmp(s, names[i].name))
            return names[i].level;
    n = strtol(s, &end, 10);
    if (*end || n < 0 || n > 1000000)
        return -1;
    return (int)n;
}

/* The query as a table, form-decoded ('+' is a space). */
static apr_table_t *query_args(request_rec *r)
{
    apr_table_t *t = apr_table_make(r->pool, 4);
    char *rest = apr_pstrdup(r->pool, r->args ? r->args : "");
    char *pair, *last;

    for (pair = apr_strtok(rest, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        char *value = strchr(pair, '=');
        if (value)
            *value++ = '\0';
        else
            value = pair + strlen(pair);    /* "" inside our own copy */
        if (ap_unescape_urlencoded(pair) || ap_unescape_urlencoded(value))
            continue;                   /* malformed %-escape: skip it */
        apr_table_setn(t, pair, value);
    }
    return t;
}

static int example_handler(request_rec *r)
{
    apr_table_t *args;
    const char *text, *redirect;
    int added = -1;

    if (!r->handler || strcmp(r->handler, "flashmsg-example"))
        return DECLINED;
    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;

    if (!flash_add || !flash_pending) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "flashmsg-example: mod_flashmsg is not loaded");
        r->status = HTTP_SERVICE_UNAVAILABLE;
        ap_set_content_type(r, "text/plain; charset=utf-8");
        ap_rputs("mod_flashmsg is not loaded: no messages here\n", r);
        return OK;
    }

    args = query_args(r);
    text = apr_table_get(args, "text");
    redirect = apr_table_get(args, "redirect");

    if (text) {
        int level = parse_level(apr_table_get(args, "level"));
        if (level < 0)
            return HTTP_BAD_REQUEST;
        added = flash_add(r, level, text, apr_table_get(args, "tags"));
    }

    if (redirect && *redirect == '/') {
        apr_table_setn(r->headers_out, "Location", redirect);
        return HTTP_SEE_OTHER;
    }

    ap_set_content_type(r, "text/plain; charset=utf-8");
    if (added >= 0)
        ap_rputs(added ? "kept\n" : "ignored\n", r);
    if (apr_table_get(args, "list")) {
        const apr_array_header_t *msgs = flash_pending(r);
        int i;
        for (i = 0; i < msgs->nelts; i++) {
            const flashmsg_message *m =
                &APR_ARRAY_IDX(msgs, i, flashmsg_message);
            ap_rprintf(r, "%d\t%s\t%s\n", m->level, m->extra_tags, m->text);
        }
    }
    return OK;
}

static void example_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(example_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_handler(example_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(flashmsg_example) = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    example_register_hooks,
    AP_MODULE_FLAG_NONE
};

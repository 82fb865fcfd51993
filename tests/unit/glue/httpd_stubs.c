/*
 * httpd_stubs.c - the httpd functions the module's glue calls, for tests
 * that link the glue without httpd (see glue.h).  APR is real.  Each stub
 * does the least that keeps the glue's contract: filters are chained and
 * called as httpd chains and calls them, hooks are recorded, log lines are
 * kept for the tests to read, the rest does nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include <http_core.h>
#include <http_log.h>

#include "glue.h"

/* ------------------------------------------------------------------ */
/* Hooks (register_hooks): the ones tests call are recorded.            */

ap_HOOK_insert_filter_t *ft_insert_filter_hook;

AP_DECLARE(void) ap_hook_insert_filter(ap_HOOK_insert_filter_t *pf,
                                       const char *const *pre,
                                       const char *const *succ, int order)
{
    (void)pre; (void)succ; (void)order;
    ft_insert_filter_hook = pf;
}

/* The others are not called by these tests. */
#define FT_IGNORED_HOOK(name)                                             \
    AP_DECLARE(void) ap_hook_##name(ap_HOOK_##name##_t *pf,               \
                                    const char *const *pre,               \
                                    const char *const *succ, int order)   \
    {                                                                     \
        (void)pf; (void)pre; (void)succ; (void)order;                     \
    }

FT_IGNORED_HOOK(insert_error_filter)
FT_IGNORED_HOOK(fixups)
FT_IGNORED_HOOK(handler)
FT_IGNORED_HOOK(post_read_request)
FT_IGNORED_HOOK(check_config)
FT_IGNORED_HOOK(post_config)
FT_IGNORED_HOOK(optional_fn_retrieve)

AP_DECLARE(module *) ap_find_linked_module(const char *name)
{
    (void)name;
    return NULL;
}

/* (the start-up hooks ask; the glue tests run no start-up) */
AP_DECLARE(int) ap_state_query(int query)
{
    (void)query;
    return AP_SQ_NOT_SUPPORTED;
}

/* ------------------------------------------------------------------ */
/* Filters, as util_filter.c chains and calls them.                     */

/* The end-of-request bucket type (http_request.h): only compared against
 * here (AP_BUCKET_IS_EOR), never created. */
AP_DECLARE_DATA const apr_bucket_type_t ap_bucket_type_eor = {
    "EOR", 5, APR_BUCKET_METADATA, apr_bucket_destroy_noop, NULL,
    apr_bucket_setaside_noop, apr_bucket_split_notimpl,
    apr_bucket_simple_copy
};

AP_DECLARE(ap_filter_rec_t *) ap_register_output_filter(
    const char *name, ap_out_filter_func filter_func,
    ap_init_filter_func filter_init, ap_filter_type ftype)
{
    /* Registered once per process, as in httpd (lives until exit). */
    static ap_filter_rec_t recs[8];
    static int n;
    ap_filter_rec_t *f;
    if (n == (int)(sizeof(recs) / sizeof(recs[0])))
        abort();
    f = &recs[n++];
    f->name = name;
    f->filter_func.out_func = filter_func;
    f->filter_init_func = filter_init;
    f->ftype = ftype;
    return f;
}

/* Added in the order of the filter types: a filter goes before the first
 * one of a higher type. */
AP_DECLARE(ap_filter_t *) ap_add_output_filter_handle(ap_filter_rec_t *frec,
                                                      void *ctx,
                                                      request_rec *r,
                                                      conn_rec *c)
{
    ap_filter_t *f = apr_pcalloc(r->pool, sizeof(*f)), **at;
    f->frec = frec;
    f->ctx = ctx;
    f->r = r;
    f->c = c;
    for (at = &r->output_filters; *at && (*at)->frec->ftype <= frec->ftype;
         at = &(*at)->next)
        ;
    f->next = *at;
    *at = f;
    return f;
}

/* Unlinked from the chain; f->next stays, so that the filter can still
 * pass on what it holds (as in httpd). */
AP_DECLARE(void) ap_remove_output_filter(ap_filter_t *f)
{
    ap_filter_t **at;
    for (at = &f->r->output_filters; *at; at = &(*at)->next)
        if (*at == f) {
            *at = f->next;
            return;
        }
}

AP_DECLARE(apr_status_t) ap_pass_brigade(ap_filter_t *next,
                                         apr_bucket_brigade *bb)
{
    if (!next)
        return AP_NOBODY_WROTE;
    return next->frec->filter_func.out_func(next, bb);
}

/* ------------------------------------------------------------------ */
/* Logging: kept for the tests.                                         */

static char *log_text;
static apr_size_t log_len, log_cap;

void ft_log_reset(void)
{
    free(log_text);
    log_text = NULL;
    log_len = log_cap = 0;
}

const char *ft_log(void)
{
    return log_text ? log_text : "";
}

static void log_append(int level, const char *fmt, va_list ap)
{
    char line[4096];
    int n = snprintf(line, sizeof(line), "%d ", level & APLOG_LEVELMASK);
    vsnprintf(line + n, sizeof(line) - (apr_size_t)n - 1, fmt, ap);
    strcat(line, "\n");
    n = (int)strlen(line);
    if (log_len + (apr_size_t)n + 1 > log_cap) {
        log_cap = 2 * (log_len + (apr_size_t)n + 1);
        log_text = realloc(log_text, log_cap);
        if (!log_text)
            abort();
    }
    memcpy(log_text + log_len, line, (apr_size_t)n + 1);
    log_len += (apr_size_t)n;
}

int ft_log_has(int level, const char *s)
{
    char prefix[16];
    const char *line = ft_log();
    snprintf(prefix, sizeof(prefix), "%d ", level);
    while (*line) {
        const char *end = strchr(line, '\n');
        if (!strncmp(line, prefix, strlen(prefix))) {
            char *l = strndup(line, (apr_size_t)(end - line));
            int found = strstr(l, s) != NULL;
            free(l);
            if (found)
                return 1;
        }
        line = end + 1;
    }
    return 0;
}

AP_DECLARE(void) ap_log_rerror_(const char *file, int line, int module_index,
                                int level, apr_status_t status,
                                const request_rec *r, const char *fmt, ...)
{
    va_list ap;
    (void)file; (void)line; (void)module_index; (void)status; (void)r;
    va_start(ap, fmt);
    log_append(level, fmt, ap);
    va_end(ap);
}

AP_DECLARE(void) ap_log_error_(const char *file, int line, int module_index,
                               int level, apr_status_t status,
                               const server_rec *s, const char *fmt, ...)
{
    va_list ap;
    (void)file; (void)line; (void)module_index; (void)status; (void)s;
    va_start(ap, fmt);
    log_append(level, fmt, ap);
    va_end(ap);
}

/* Control bytes, quotes and backslashes escaped, as in httpd. */
AP_DECLARE(char *) ap_escape_logitem(apr_pool_t *p, const char *str)
{
    char *out, *o;
    if (!str)
        return NULL;
    out = o = apr_palloc(p, 4 * strlen(str) + 1);
    for (; *str; str++) {
        unsigned char c = (unsigned char)*str;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            if (c == '"' || c == '\\')
                *o++ = '\\', *o++ = (char)c;
            else
                o += sprintf(o, "\\x%02x", c);
        }
        else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* The rest of what the glue calls.                                     */

AP_DECLARE(char *) ap_strcasestr(const char *s1, const char *s2)
{
    return strcasestr(s1, s2);
}

AP_DECLARE(const char *) ap_run_http_scheme(const request_rec *r)
{
    (void)r;
    return "http";
}

AP_DECLARE(void) ap_set_content_type(request_rec *r, const char *ct)
{
    r->content_type = ct;
}

AP_DECLARE(void) ap_allow_methods(request_rec *r, int reset, ...)
{
    (void)r; (void)reset;
}

AP_DECLARE(int) ap_rwrite(const void *buf, int nbyte, request_rec *r)
{
    (void)buf; (void)r;
    return nbyte;
}

AP_DECLARE(char *) ap_server_root_relative(apr_pool_t *p, const char *fname)
{
    return apr_pstrdup(p, fname);
}

/* As httpd: the int at offset cmd->info of the record. */
AP_DECLARE_NONSTD(const char *) ap_set_flag_slot(cmd_parms *cmd,
                                                 void *struct_ptr, int arg)
{
    int offset = (int)(long)cmd->info;
    *(int *)((char *)struct_ptr + offset) = arg ? 1 : 0;
    return NULL;
}

/* One configuration word, as httpd's util.c reads it (quotes, backslash
 * escapes inside them), then the blanks after it. */
AP_DECLARE(char *) ap_getword_conf(apr_pool_t *p, const char **line)
{
    const char *s = *line;
    char *w, *d;
    char q = 0;
    while (apr_isspace(*s))
        s++;
    if (*s == '"' || *s == '\'')
        q = *s++;
    d = w = apr_palloc(p, strlen(s) + 1);
    while (*s && (q ? *s != q : !apr_isspace(*s))) {
        if (q && *s == '\\' && s[1] == q)
            s++;
        *d++ = *s++;
    }
    *d = '\0';
    if (q && *s)
        s++;
    while (apr_isspace(*s))
        s++;
    *line = s;
    return w;
}

/* socache storage (storage/socache_storage.c, config/directives.c): the
 * startup side is exercised by the integration tests; here it only links. */
AP_DECLARE(void) ap_log_perror_(const char *file, int line, int module_index,
                                int level, apr_status_t status, apr_pool_t *p,
                                const char *fmt, ...)
{
    va_list ap;
    (void)file; (void)line; (void)module_index; (void)status; (void)p;
    va_start(ap, fmt);
    log_append(level, fmt, ap);
    va_end(ap);
}

AP_DECLARE(const char *) ap_check_cmd_context(cmd_parms *cmd,
                                              unsigned forbidden)
{
    (void)cmd; (void)forbidden;
    return NULL;
}

/* Only FlashMsgSocacheTimeout calls it, and no test reads that directive. */
AP_DECLARE(apr_status_t) ap_timeout_parameter_parse(
    const char *timeout_parameter, apr_interval_time_t *timeout,
    const char *default_time_unit)
{
    (void)timeout_parameter; (void)timeout; (void)default_time_unit;
    return APR_ENOTIMPL;
}

AP_DECLARE(void *) ap_lookup_provider(const char *provider_group,
                                      const char *provider_name,
                                      const char *provider_version)
{
    (void)provider_group; (void)provider_name; (void)provider_version;
    return NULL;
}

AP_DECLARE(apr_status_t) ap_mutex_register(apr_pool_t *pconf,
                                           const char *type,
                                           const char *default_dir,
                                           apr_lockmech_e default_mech,
                                           apr_int32_t options)
{
    (void)pconf; (void)type; (void)default_dir; (void)default_mech;
    (void)options;
    return APR_SUCCESS;
}

AP_DECLARE(apr_status_t) ap_global_mutex_create(apr_global_mutex_t **mutex,
                                                const char **name,
                                                const char *type,
                                                const char *instance_id,
                                                server_rec *server,
                                                apr_pool_t *pool,
                                                apr_int32_t options)
{
    (void)mutex; (void)name; (void)type; (void)instance_id; (void)server;
    (void)pool; (void)options;
    return APR_ENOTIMPL;
}

AP_DECLARE(void) ap_hook_pre_config(ap_HOOK_pre_config_t *pf,
                                    const char * const *aszPre,
                                    const char * const *aszSucc, int nOrder)
{
    (void)pf; (void)aszPre; (void)aszSucc; (void)nOrder;
}

AP_DECLARE(void) ap_hook_child_init(ap_HOOK_child_init_t *pf,
                                    const char * const *aszPre,
                                    const char * const *aszSucc, int nOrder)
{
    (void)pf; (void)aszPre; (void)aszSucc; (void)nOrder;
}

/* The server-status section (stats/counters.c), through ap_rwrite. */
AP_DECLARE_NONSTD(int) ap_rprintf(request_rec *r, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = apr_pvsprintf(r->pool, fmt, ap);
    va_end(ap);
    return ap_rwrite(s, (int)strlen(s), r);
}

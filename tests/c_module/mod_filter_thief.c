/*
 * mod_filter_thief.c - a test-only module that misbehaves on purpose: where
 * the environment variable "steal-flashmsg" is set (SetEnv), it removes
 * mod_flashmsg's body filter from the request's output chain after every
 * insert_filter hook has run, as a careless third-party module could.  The
 * integration tests use it to prove mod_flashmsg's last-line guard: the
 * X-Flash header still never leaves httpd and the message is still stored.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

static void steal(request_rec *r)
{
    ap_filter_t *f, *next;
    if (!apr_table_get(r->subprocess_env, "steal-flashmsg"))
        return;
    for (f = r->output_filters; f; f = next) {
        next = f->next;
        if (!strcasecmp(f->frec->name, "flashmsg"))
            ap_remove_output_filter(f);
    }
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_flashmsg[] = { "mod_flashmsg.c", NULL };
    (void)p;
    ap_hook_insert_filter(steal, after_flashmsg, NULL, APR_HOOK_REALLY_LAST);
    ap_hook_insert_error_filter(steal, after_flashmsg, NULL, APR_HOOK_REALLY_LAST);
}

AP_DECLARE_MODULE(filter_thief) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, register_hooks,
    AP_MODULE_FLAG_NONE
};

/*
 * json_handler.c - "SetHandler flashmsg-json": GET returns the pending
 * messages as JSON and consumes them; ?peek=1 returns them and keeps them;
 * HEAD keeps them; other methods get 405.  Never cached (no-store).
 */
#include <string.h>

#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>

#include "delivery/delivery.h"
#include "http/cache_policy.h"
#include "http/trace.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

static int query_flag(request_rec *r, const char *name)
{
    const char *a = r->args;
    apr_size_t n = strlen(name);
    while (a && *a) {
        if (!strncmp(a, name, n) && a[n] == '=' && (a[n + 1] == '1'
            || !strncasecmp(a + n + 1, "true", 4)))
            return 1;
        a = strchr(a, '&');
        if (a)
            a++;
    }
    return 0;
}


/* An include (a subrequest) shares the page's store, and only the page's
 * response can carry the deletion to the client: it must still be able
 * to.  NULL if it can, else why not. */
static const char *include_cannot_consume(request_rec *r)
{
    if (!r->main)
        return NULL;
    if (!fm_settings_of(r->main)->enabled)
        return "FlashMsg is Off for the page";
    if (fm_store_flags(r) & FM_STORE_COMMITTED)
        return "the page's headers were already sent (an include past "
               "FlashMsgScanLimit, or after the page's placeholder)";
    return NULL;
}

int fm_json_handler(request_rec *r)
{
    const char *json, *why;
    int n;

    if (!r->handler || strcmp(r->handler, FM_JSON_HANDLER))
        return DECLINED;
    if (!fm_settings_of(r)->enabled) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "SetHandler " FM_JSON_HANDLER " where FlashMsg is Off");
        return HTTP_NOT_FOUND;
    }
    r->allowed |= (AP_METHOD_BIT << M_GET);
    ap_allow_methods(r, REPLACE_ALLOW, "GET", "HEAD", NULL);
    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;
    json = fm_store_json(r);
    n = fm_store_pending(r)->nelts;
    ap_set_content_type(r, "application/json");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    fm_cache_forbid_all(r);
    if (!query_flag(r, "peek") && !r->header_only && n) {
        if ((why = include_cannot_consume(r)) != NULL) {
            /* Shown now and again on the next page would be twice:
             * show nothing here, keep them for a page that can. */
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "%s, included in %s, cannot consume the %d "
                          "pending message(s): %s; it shows none, they stay "
                          "pending", r->uri, r->main->uri, n, why);
            fm_trace_kept(r, n, "json handler in an include that cannot "
                                "consume");
            json = fm_store_json_oldest(r, 0);
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                          "%d message(s) delivered as JSON by %s", n,
                          r->uri);
            fm_count(FM_C_CONSUMED_JSON, n);
            fm_trace_verdict(r, n, "consumed: json handler");
            fm_store_consume_all(r);
        }
    }
    else
        fm_trace_kept(r, n, r->header_only ? "HEAD request"
                                           : "json handler, peek");
    /* Storage changes must be made before the body goes out.  In an
     * include the page's response makes them (the store is shared): a
     * subrequest's own headers never reach the client, and saving here
     * would mark the store saved with the deletion lost. */
    fm_store_capture(r);
    if (!r->main)
        fm_store_commit(r, 0);
    if (!r->header_only)
        ap_rputs(json, r);
    return OK;
}


/*
 * htmx.c - FlashMsgHTMX: when htmx navigates, the page; otherwise, the
 * event.
 *
 * An htmx request (HX-Request: true) that is not a navigation and is
 * answered with a success or an error (2xx, 4xx, 5xx: htmx dispatches
 * HX-Trigger events for both, and htmx 4 swaps 4xx bodies) gets the
 * pending messages as an HX-Trigger event (FlashMsgHTMXEvent, default
 * "flashmsg") with the same JSON as the flashmsg-json handler, merged with
 * every HX-Trigger field the backend sent (fm_json_trigger_merge), and they
 * are consumed.
 *
 * A navigation -- a boosted request (HX-Boosted) or a history restore
 * (HX-History-Restore-Request) -- swaps in a whole page: it is treated as
 * a page load, so the messages are rendered at its placeholder and no
 * event is sent; a site that does not listen for the event still shows
 * them.  Redirects (htmx follows them: the final answer decides) and
 * answers that navigate away (HX-Redirect, HX-Location, HX-Refresh) keep
 * them pending for the page the client lands on.
 */
#include <string.h>

#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>

#include "core/htmx_trigger.h"
#include "delivery/delivery.h"
#include "http/cache_policy.h"
#include "http/response.h"

APLOG_USE_MODULE(flashmsg);

static int navigates_away(request_rec *r)
{
    static const char *const hdrs[] = { "HX-Redirect", "HX-Location",
                                        "HX-Refresh", NULL };
    int i;
    for (i = 0; hdrs[i]; i++)
        if (fm_response_header(r, hdrs[i]))
            return 1;
    return 0;
}

static int header_is_true(request_rec *r, const char *name)
{
    const char *v = apr_table_get(r->headers_in, name);
    return v && !strcasecmp(v, "true");
}

/* htmx swaps in a whole page: hx-boost, or Back/Forward to a page htmx
 * has not cached (htmx 4 always asks; htmx 2 sends HX-Request too). */
static int is_navigation(request_rec *r)
{
    return header_is_true(r, "HX-Boosted")
           || header_is_true(r, "HX-History-Restore-Request");
}

/* An answer htmx handles itself: a success or an error. */
static int status_takes_event(request_rec *r)
{
    return (r->status >= 200 && r->status <= 299)
           || (r->status >= 400 && r->status <= 599);
}

/* Every field `name` of the response, in the order httpd sends them
 * (err_headers_out first), each entry on its own. */
static int collect(void *rec, const char *key, const char *value)
{
    (void)key;
    APR_ARRAY_PUSH((apr_array_header_t *)rec, const char *) = value;
    return 1;
}

static const char *merge_into(request_rec *r, const char *name,
                              const char *event, const char *detail,
                              int *replaced)
{
    apr_array_header_t *fields = apr_array_make(r->pool, 2,
                                                 sizeof(const char *));
    const char *merged;
    apr_table_do(collect, fields, r->err_headers_out, name, NULL);
    apr_table_do(collect, fields, r->headers_out, name, NULL);
    merged = fm_json_trigger_merge(r->pool, (const char *const *)fields->elts,
                                   fields->nelts, event, detail, replaced);
    if (merged) {
        fm_response_unset(r, name);
        apr_table_setn(r->headers_out, name, merged);
    }
    return merged;
}

int fm_htmx_deliver(request_rec *r)
{
    const fm_settings *c = fm_settings_of(r);
    const char *detail, *header = "HX-Trigger";
    int n, replaced;

    if (!c->htmx || !header_is_true(r, "HX-Request")
        || (n = fm_store_pending(r)->nelts) == 0 || !status_takes_event(r))
        return 0;
    /* A navigation shows them in the page it swaps in, like a page load. */
    if (is_navigation(r))
        return 0;
    /* Client-side navigations keep them pending: the page the client lands
     * on shows them. */
    if (navigates_away(r))
        return 0;
    /* Merged with what the backend sent (htmx_trigger.h says how); a backend
     * value that is neither a list of event names nor a JSON object is
     * left exactly as it is, and the event goes in HX-Trigger-After-Settle
     * instead (merged the same way). */
    detail = fm_store_json(r);
    if (!merge_into(r, header, c->htmx_event, detail, &replaced)) {
        header = "HX-Trigger-After-Settle";
        if (!merge_into(r, header, c->htmx_event, detail, &replaced)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                          "the backend's HX-Trigger and "
                          "HX-Trigger-After-Settle are neither lists of "
                          "event names nor JSON objects: both kept as they "
                          "are, %d message(s) stay pending", n);
            return 0;
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "the backend's HX-Trigger is neither a list of event "
                      "names nor a JSON object: kept as it is, the messages "
                      "go in HX-Trigger-After-Settle");
    }
    if (replaced)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "the backend's %s member %s was replaced by the "
                      "messages (FlashMsgHTMXEvent)", header, c->htmx_event);
    apr_table_mergen(r->headers_out, "Vary", "HX-Request");
    fm_cache_forbid_all(r);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) delivered to htmx as event %s",
                  n, c->htmx_event);
    fm_store_consume_all(r);
    return 1;
}

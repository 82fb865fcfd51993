/*
 * htmx.c - FlashMsgHTMX: an htmx request (HX-Request: true) whose 2xx
 * response does not navigate away gets the pending messages as an
 * HX-Trigger event (FlashMsgHTMXEvent, default "flashmsg") with the same
 * JSON as the flashmsg-json handler, merged with any HX-Trigger the backend
 * sent, and they are consumed.  Redirects and errors keep them pending.
 */
#include <string.h>

#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>

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

int fm_htmx_deliver(request_rec *r)
{
    const fm_settings *c = fm_settings_of(r);
    const char *hx = apr_table_get(r->headers_in, "HX-Request");
    const char *payload, *prev;
    apr_table_t *t;
    int n;

    if (!c->htmx || !hx || strcasecmp(hx, "true")
        || (n = fm_store_pending(r)->nelts) == 0)
        return 0;
    /* Client-side navigations keep them pending: the page the client lands
     * on shows them. */
    if (navigates_away(r))
        return 0;
    payload = apr_psprintf(r->pool, "\"%s\":%s", c->htmx_event,
                           fm_store_json(r));
    /* Merge with an HX-Trigger the backend sent: a JSON object gets our
     * member, a list of event names becomes an object. */
    t = apr_table_get(r->headers_out, "HX-Trigger") ? r->headers_out
                                                     : r->err_headers_out;
    prev = apr_table_get(t, "HX-Trigger");
    if (prev) {
        while (*prev == ' ')
            prev++;
    }
    if (prev && *prev == '{') {
        const char *rest = prev + 1;
        while (*rest == ' ')
            rest++;
        payload = apr_pstrcat(r->pool, "{", payload, *rest == '}' ? "" : ",",
                              rest, NULL);
    }
    else if (prev && *prev) {
        char *names = apr_pstrdup(r->pool, prev), *last, *name;
        const char *obj = "";
        for (name = apr_strtok(names, ", ", &last); name;
             name = apr_strtok(NULL, ", ", &last))
            obj = apr_pstrcat(r->pool, obj, "\"", name, "\":\"\",", NULL);
        payload = apr_pstrcat(r->pool, "{", obj, payload, "}", NULL);
    }
    else {
        payload = apr_pstrcat(r->pool, "{", payload, "}", NULL);
    }
    fm_response_unset(r, "HX-Trigger");
    apr_table_setn(r->headers_out, "HX-Trigger", payload);
    apr_table_mergen(r->headers_out, "Vary", "HX-Request");
    fm_cache_forbid_all(r);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) delivered to htmx as event %s",
                  n, c->htmx_event);
    fm_store_consume_all(r);
    return 1;
}

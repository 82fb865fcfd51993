/*
 * expose.c - FlashMsgExpose: backends that render messages themselves get
 * the pending ones as JSON, in the variable FLASHMSG (CGI, FastCGI) and the
 * request header X-Flash-Pending (proxied backends), and answer
 * "X-Flash-Consumed: 1" once they have shown them.  A client-sent
 * X-Flash-Pending is always removed: clients never speak for the store.
 */
#include <string.h>

#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>

#include "delivery/delivery.h"
#include "http/response.h"
#include "http/trace.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

/* The JSON goes out as a request header: keep it below the 8 KiB that
 * httpd and most app servers accept for one header field.  Messages that
 * do not fit are not exposed and stay pending for a later request. */
#define FM_EXPOSE_MAX 8000

int fm_expose_fixups(request_rec *r)
{
    const fm_settings *c = fm_settings_of(r);
    const char *json;
    int n, all, lo, hi;

    if (!c->enabled || r->main)
        return DECLINED;
    /* Only this module may speak for the message store. */
    apr_table_unset(r->headers_in, FM_PENDING_HEADER);
    if (!c->expose || (all = fm_store_pending(r)->nelts) == 0)
        return DECLINED;
    /* the most of the oldest that fit (bisection; more never fits better) */
    lo = 0;
    hi = all;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (strlen(fm_store_json_oldest(r, mid)) <= FM_EXPOSE_MAX)
            lo = mid;
        else
            hi = mid - 1;
    }
    if ((n = lo) == 0)
        return DECLINED;
    if (n < all)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "%d of %d pending message(s) exposed to the backend: "
                      "the rest would pass %d bytes of JSON", n, all,
                      FM_EXPOSE_MAX);
    json = fm_store_json_oldest(r, n);
    apr_table_setn(r->subprocess_env, FM_PENDING_ENV, json);
    apr_table_setn(r->headers_in, FM_PENDING_HEADER, json);
    fm_store_mark_exposed(r, n);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d pending message(s) exposed to the backend of %s", n,
                  r->uri);
    return DECLINED;
}

void fm_expose_take_consumed(request_rec *r)
{
    const char *v = fm_response_header(r, FM_CONSUMED_HEADER);
    int n;
    if (!v)
        return;
    fm_response_unset(r, FM_CONSUMED_HEADER);
    while (*v == ' ' || *v == '\t')
        v++;
    if (strncmp(v, "1", 1) || (v[1] && v[1] != ' ' && v[1] != '\t'
                               && v[1] != ',')) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      FM_CONSUMED_HEADER " must be 1; ignored");
        return;
    }
    if ((n = fm_store_exposed(r)) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      FM_CONSUMED_HEADER " without exposed messages: nothing "
                      "to consume");
        return;
    }
    /* The exposed messages are the oldest ones; any added since stay. */
    fm_store_consume(r, n);
    fm_count(FM_C_CONSUMED_BACKEND, n);
    fm_trace_add(r, FM_TRACE_BACKEND, n);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) consumed by the backend of %s", n, r->uri);
}


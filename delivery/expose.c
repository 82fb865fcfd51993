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
#include "core/json.h"
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
    const fm_levels *lv;
    const apr_array_header_t *pending;
    const fm_message *m;
    fm_message *sel;
    char *skip = NULL;
    const char *json;
    apr_size_t empty, total, big_len = 0;
    int all, n = 0, span, left_out = 0, big_at = 0;

    if (!c->enabled || r->main)
        return DECLINED;
    /* Only this module may speak for the message store. */
    apr_table_unset(r->headers_in, FM_PENDING_HEADER);
    if (!c->expose || (all = (pending = fm_store_pending(r))->nelts) == 0)
        return DECLINED;
    lv = fm_server_of(r)->levels;
    m = (const fm_message *)pending->elts;
    sel = apr_palloc(r->pool, sizeof(*sel) * (apr_size_t)all);
    /* The oldest that fit, in order, one pass: the JSON is the envelope
     * plus the items joined by commas, so each message's own JSON gives
     * its share.  A message whose JSON passes the bound on its own can
     * never be exposed: it is skipped (it stays pending for the
     * placeholder or the JSON handler) instead of holding back every
     * newer one.  The first that merely does not fit beside the others
     * ends the run, so the exposed ones never have a gap. */
    empty = strlen(fm_json_messages(r->pool, lv, c->tags, m, 0));
    total = empty;
    for (span = 0; span < all; span++) {
        apr_size_t item = strlen(fm_json_messages(r->pool, lv, c->tags,
                                                  &m[span], 1)) - empty;
        if (empty + item > FM_EXPOSE_MAX) {
            if (!skip)
                skip = apr_pcalloc(r->pool, (apr_size_t)all);
            skip[span] = 1;
            if (!left_out++) {
                big_at = span + 1;
                big_len = empty + item;
            }
            continue;
        }
        if (total + item + (n > 0) > FM_EXPOSE_MAX)
            break;
        total += item + (n > 0);
        sel[n++] = m[span];
    }
    if (left_out)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d of %d pending message(s) not exposed to the "
                      "backend of %s: the JSON of each passes %d bytes on "
                      "its own (message %d, %" APR_SIZE_T_FMT " bytes); "
                      "they stay pending for a page with the placeholder "
                      "or the " FM_JSON_HANDLER " handler", left_out, all,
                      r->uri, FM_EXPOSE_MAX, big_at, big_len);
    if (n == 0)
        return DECLINED;
    if (span < all)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "%d of %d pending message(s) exposed to the backend: "
                      "the rest would pass %d bytes of JSON", n, all,
                      FM_EXPOSE_MAX);
    json = fm_json_messages(r->pool, lv, c->tags, sel, n);
    apr_table_setn(r->subprocess_env, FM_PENDING_ENV, json);
    apr_table_setn(r->headers_in, FM_PENDING_HEADER, json);
    fm_store_mark_exposed(r, span, skip);
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
    /* Exactly the exposed ones go: those left out (too large) and any
     * added since stay. */
    if ((n = fm_store_consume_exposed(r)) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      FM_CONSUMED_HEADER " without exposed messages: nothing "
                      "to consume");
        return;
    }
    fm_count(FM_C_CONSUMED_BACKEND, n);
    fm_trace_add(r, FM_TRACE_BACKEND, n);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) consumed by the backend of %s", n, r->uri);
}


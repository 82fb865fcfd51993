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

#include "flashmsg_private.h"

APLOG_USE_MODULE(flashmsg);

int fm_expose_fixups(request_rec *r)
{
    const fm_dir_conf *c = fm_dconf(r);
    fm_state *st;

    if (c->enabled != 1 || r->main)
        return DECLINED;
    /* Only this module may speak for the message store. */
    apr_table_unset(r->headers_in, FM_PENDING_HEADER);
    if (c->expose != 1)
        return DECLINED;
    st = fm_load(r);
    if (!st->msgs->nelts)
        return DECLINED;
    {
        const char *json = fm_json_of(r, st->msgs);
        apr_table_setn(r->subprocess_env, FM_PENDING_ENV, json);
        apr_table_setn(r->headers_in, FM_PENDING_HEADER, json);
    }
    st->exposed = st->msgs->nelts;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d pending message(s) exposed to the backend", st->exposed);
    return DECLINED;
}

static const char *consumed_value(request_rec *r)
{
    const char *v = apr_table_get(r->headers_out, FM_CONSUMED_HEADER);
    if (!v)
        v = apr_table_get(r->err_headers_out, FM_CONSUMED_HEADER);
    return v;
}

void fm_take_consumed(request_rec *r)
{
    fm_state *st = fm_state_of(r);
    const char *v = consumed_value(r);
    if (!v)
        return;
    apr_table_unset(r->headers_out, FM_CONSUMED_HEADER);
    apr_table_unset(r->err_headers_out, FM_CONSUMED_HEADER);
    while (*v == ' ' || *v == '\t')
        v++;
    if (strncmp(v, "1", 1) || (v[1] && v[1] != ' ' && v[1] != '\t'
                               && v[1] != ',')) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      FM_CONSUMED_HEADER " must be 1; ignored");
        return;
    }
    if (!st->exposed) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      FM_CONSUMED_HEADER " without exposed messages: nothing "
                      "to consume");
        return;
    }
    /* The exposed messages are the oldest ones; any added since stay. */
    {
        apr_array_header_t *m = st->msgs;
        int n = st->exposed < m->nelts ? st->exposed : m->nelts;
        memmove(m->elts, m->elts + (apr_size_t)n * sizeof(fm_message),
                (apr_size_t)(m->nelts - n) * sizeof(fm_message));
        m->nelts -= n;
        st->changed = 1;
        st->exposed = 0;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%d message(s) consumed by the backend", n);
    }
}


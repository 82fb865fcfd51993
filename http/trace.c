/*
 * trace.c - the X-Flash-Trace record of one response (see trace.h).
 */
#include <stdarg.h>

#include <apr_strings.h>

#include "http/trace.h"
#include "http/response.h"

APLOG_USE_MODULE(flashmsg);

/* Kept in the initial request's pool under this key: the module's slot in
 * request_config belongs to the store, and pool user data costs nothing
 * where the trace is off (it is never asked for). */
#define FM_TRACE_KEY "flashmsg-trace"

typedef struct {
    int counts[FM_TRACE_COUNTS];
    int decided;            /* a verdict was recorded */
    int pending;            /* messages pending at the verdict */
    const char *verdict;    /* NULL: the count says it all */
} fm_trace;

static const char *const count_names[FM_TRACE_COUNTS] = {
    "added", "below FlashMsgMinLevel", "cleared", "consumed by backend"
};

static int trace_on(request_rec *r)
{
    return fm_settings_of(r)->trace;
}

/* The record of r's response, made on first use. */
static fm_trace *record(request_rec *r)
{
    apr_pool_t *p = fm_initial_request(r)->pool;
    void *t = NULL;
    apr_pool_userdata_get(&t, FM_TRACE_KEY, p);
    if (!t) {
        t = apr_pcalloc(p, sizeof(fm_trace));
        apr_pool_userdata_setn(t, FM_TRACE_KEY, NULL, p);
    }
    return t;
}

void fm_trace_add(request_rec *r, fm_trace_count which, int n)
{
    if (n > 0 && trace_on(r))
        record(r)->counts[which] += n;
}

void fm_trace_verdict(request_rec *r, int pending, const char *fmt, ...)
{
    fm_trace *t;
    va_list ap;

    if (!trace_on(r) || (t = record(r))->decided)
        return;
    t->decided = 1;
    t->pending = pending;
    if (fmt) {
        va_start(ap, fmt);
        t->verdict = apr_pvsprintf(r->pool, fmt, ap);
        va_end(ap);
    }
}

void fm_trace_kept(request_rec *r, int pending, const char *why)
{
    if (pending)
        fm_trace_verdict(r, pending, "kept: %s", why);
    else
        fm_trace_verdict(r, 0, NULL);
}

void fm_trace_kept_unrenderable(request_rec *r, int pending)
{
    if (trace_on(r))
        fm_trace_kept(r, pending, fm_response_why_not_renderable_detail(r));
}

int fm_trace_decided(request_rec *r)
{
    return trace_on(r) && record(r)->decided;
}

/* A header an earlier request of an internal redirect set where the trace
 * was on must not go out where it is off. */
static void unset_inherited(request_rec *r)
{
    if (r->prev)
        apr_table_unset(r->err_headers_out, FM_TRACE_HEADER);
}

void fm_trace_send(request_rec *r)
{
    fm_trace *t;
    const char *text = "";
    int i;

    if (!trace_on(r)) {
        unset_inherited(r);
        return;
    }
    t = record(r);
    for (i = 0; i < FM_TRACE_COUNTS; i++)
        if (t->counts[i])
            text = apr_psprintf(r->pool, "%s%s=%d; ", text, count_names[i],
                                t->counts[i]);
    /* The body filter holds a page back until its verdict is in, so every
     * path records one before the headers go out; "undecided" would mean a
     * path that does not. */
    if (!t->decided)
        text = apr_pstrcat(r->pool, text, "undecided", NULL);
    else
        text = apr_psprintf(r->pool, "%spending=%d%s%s", text, t->pending,
                            t->verdict ? "; " : "",
                            t->verdict ? t->verdict : "");
    apr_table_unset(r->headers_out, FM_TRACE_HEADER);
    apr_table_setn(r->err_headers_out, FM_TRACE_HEADER, text);
}

void fm_trace_flashmsg_off(request_rec *r)
{
    if (r->main)
        return;
    if (trace_on(r))
        apr_table_setn(r->err_headers_out, FM_TRACE_HEADER, "FlashMsg Off");
    else
        unset_inherited(r);
}

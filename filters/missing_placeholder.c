/*
 * missing_placeholder.c - telling the operator, in the error log at the
 * default LogLevel, about pages that keep messages waiting because the
 * placeholder is not in them (the body filter's "no placeholder" verdict):
 *
 *  - a placeholder written almost right (core/near_miss.h) is reported at
 *    warn once per child process and URI.  Each process remembers the URIs
 *    it reported as 32-bit hashes in a fixed table of NEAR_MISS_SLOTS
 *    (1 KiB); when the table is full, it reports no more until the process
 *    is replaced, and two URIs whose hashes collide share one report;
 *  - every such response is counted, and at most once per
 *    WAITING_REPORT_SECONDS per process one warn line gives the count and
 *    the URI of the response that wrote it.
 *
 * Both are shared by the threads of a process, so they are updated with
 * atomic operations only: no lock, nothing to create at start.
 */
#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "filters/filters.h"

APLOG_USE_MODULE(flashmsg);

#define NEAR_MISS_SLOTS 256
#define WAITING_REPORT_SECONDS 60

/* Hashes of the URIs reported in this process; 0: a free slot. */
static apr_uint32_t near_miss_reported[NEAR_MISS_SLOTS];

/* Responses counted since the last waiting line, and when (in seconds
 * since the epoch) that line was written; 0: never. */
static apr_uint32_t waiting_responses;
static apr_uint32_t waiting_reported_at;

static apr_uint32_t uri_hash(request_rec *r)
{
    apr_ssize_t len = APR_HASH_KEY_STRING;
    apr_uint32_t h = (apr_uint32_t)apr_hashfunc_default(r->uri, &len);
    return h ? h : 1;   /* 0 marks a free slot */
}

/* Take a slot for hash h: 1 if this call took it, 0 if h was there
 * already or the table is full. */
static int remember(apr_uint32_t h)
{
    apr_uint32_t i, at = h % NEAR_MISS_SLOTS;
    for (i = 0; i < NEAR_MISS_SLOTS; i++) {
        apr_uint32_t *slot = &near_miss_reported[(at + i) % NEAR_MISS_SLOTS];
        apr_uint32_t v = apr_atomic_read32(slot);
        if (v == 0) {
            v = apr_atomic_cas32(slot, h, 0);
            if (v == 0)
                return 1;
        }
        if (v == h)
            return 0;   /* this thread or another got there first */
    }
    return 0;
}

int fm_near_miss_reported(request_rec *r)
{
    apr_uint32_t h = uri_hash(r), i, at = h % NEAR_MISS_SLOTS;
    for (i = 0; i < NEAR_MISS_SLOTS; i++) {
        apr_uint32_t v = apr_atomic_read32(
            &near_miss_reported[(at + i) % NEAR_MISS_SLOTS]);
        if (v == h)
            return 1;
        if (v == 0)
            return 0;
    }
    return 1;   /* full: reports no more */
}

void fm_report_near_miss(request_rec *r)
{
    const fm_pattern *ph = fm_settings_of(r)->placeholder;
    if (!remember(uri_hash(r)))
        return;
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                  "the page %s has a placeholder written almost right "
                  "(other white space or case than %s): messages wait until "
                  "a page has it exactly; reported once per process and URI",
                  r->uri, ph->pat);
}

void fm_report_waiting(request_rec *r)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last, n;

    apr_atomic_inc32(&waiting_responses);
    last = apr_atomic_read32(&waiting_reported_at);
    if (last && now - last < WAITING_REPORT_SECONDS)
        return;
    /* One thread writes the line; the others counted and go on. */
    if (apr_atomic_cas32(&waiting_reported_at, now, last) != last)
        return;
    n = apr_atomic_xchg32(&waiting_responses, 0);
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                  "%u response(s) %s kept messages pending on HTML pages "
                  "without the placeholder %s, for example %s: the messages "
                  "wait for a page with the placeholder (at most one such "
                  "line a minute per process; FlashMsgTrace On names the "
                  "reason in each response)", n,
                  last ? apr_psprintf(r->pool, "in the last %u seconds",
                                      now - last)
                       : "since this process started",
                  fm_settings_of(r)->placeholder->pat, r->uri);
}

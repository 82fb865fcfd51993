/*
 * trace.h - FlashMsgTrace: an X-Flash-Trace response header that names
 * what the module decided for this response and why, for an operator
 * asking "why is nothing shown?" one response at a time, e.g.
 *   added=1; pending=1; kept: status 303
 *   pending=2; kept: no placeholder in the first 134 bytes
 *   pending=2; rendered=2
 *
 * Each fact is recorded where it is decided (store/, delivery/, filters/);
 * the record hangs off the initial request, so internal redirects and SSI
 * includes add to the same one.  The last-line filter writes it once, just
 * before the headers go out, into err_headers_out, which error responses
 * keep.  Where FlashMsgTrace is Off every call returns after one look at
 * the settings, and nothing is ever sent.
 */
#ifndef FM_TRACE_H
#define FM_TRACE_H

#include "config/config.h"

#define FM_TRACE_HEADER "X-Flash-Trace"

/* Counts of what happened to messages besides the verdict, in the order
 * the header names them. */
typedef enum {
    FM_TRACE_ADDED,             /* added by this response */
    FM_TRACE_BELOW_MIN_LEVEL,   /* added, but below FlashMsgMinLevel */
    FM_TRACE_CLEARED,           /* pending ones FlashMsgClear removed */
    FM_TRACE_BACKEND,           /* shown by the backend (X-Flash-Consumed) */
    FM_TRACE_COUNTS
} fm_trace_count;

void fm_trace_add(request_rec *r, fm_trace_count which, int n);

/* The verdict, with the number of messages pending when it was taken.  A
 * response is decided once: the first verdict stands and later ones are
 * ignored (the JSON handler decides before the body filter sees a response
 * that is not HTML).  fmt NULL: nothing to say beyond the count. */
void fm_trace_verdict(request_rec *r, int pending, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "kept: why" -- or only the count when nothing is pending. */
void fm_trace_kept(request_rec *r, int pending, const char *why);
/* "kept: " the reason the response cannot show messages, with its own
 * status or type (fm_response_why_not_renderable_detail). */
void fm_trace_kept_unrenderable(request_rec *r, int pending);
/* Was a verdict recorded (0 when FlashMsgTrace is Off)? */
int fm_trace_decided(request_rec *r);

/* The last-line filter, once per response: the header, when the response's
 * headers are about to go out. */
void fm_trace_send(request_rec *r);
/* FlashMsg is Off for r (the insert_filter hooks): none of the above runs,
 * so the header says that. */
void fm_trace_flashmsg_off(request_rec *r);

#endif

/*
 * response.h - what the module needs to know about a response, asked in
 * one place each (response.c): can it show messages, is it a success, in
 * which charset, and reading or removing a header wherever httpd keeps it.
 */
#ifndef FM_RESPONSE_H
#define FM_RESPONSE_H

#include "config/config.h"

/* The request the client sent: r itself, or the one r is a subrequest or
 * an internal redirect of.  What one response decides hangs off it. */
request_rec *fm_initial_request(request_rec *r);

/* The response headers a response's first filter call asks about, each
 * as fm_response_header gives it, found in one pass over headers_out and
 * err_headers_out (fm_response_look) and handed to every question about
 * them: a response has a few headers, and a key is skipped on its first
 * two bytes, where ten apr_table_get()s cost about 25 instructions each. */
typedef struct {
    const char *flash;              /* FlashMsgHeader (X-Flash) */
    const char *consumed;           /* X-Flash-Consumed */
    const char *cache_control;
    const char *expires;
    const char *content_encoding;
} fm_response_seen;
void fm_response_look(request_rec *r, fm_response_seen *seen);

/* A 2xx status. */
int fm_response_is_2xx(request_rec *r);
/* NULL if the response is a page that can show messages (docs/spec.md §2: HTML,
 * 2xx but not 204/206, not HEAD, not compressed by the backend); else why
 * not, for the log. */
const char *fm_response_why_not_renderable(request_rec *r,
                                           const fm_response_seen *seen);
/* The same with the response's own status or Content-Type in it ("status
 * 302", "not HTML (application/json)"), from r->pool: for FlashMsgTrace,
 * which an operator reads one response at a time. */
const char *fm_response_why_not_renderable_detail(request_rec *r);
/* Is the page's declared charset UTF-8? */
int fm_response_is_utf8(request_rec *r);
/* A response header from headers_out, else err_headers_out (NULL if none). */
const char *fm_response_header(request_rec *r, const char *name);
/* Remove a response header from both tables. */
void fm_response_unset(request_rec *r, const char *name);

#endif

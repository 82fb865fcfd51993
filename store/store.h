/*
 * store.h - the message store of one request: what is pending for the
 * client, loaded from storage once, added to while the request runs, and
 * written back once when the response's headers are decided.  It hangs off
 * the initial request, so subrequests and internal redirects share it.  Its
 * state is private to store.c; everyone else uses these verbs.
 */
#ifndef FM_STORE_H
#define FM_STORE_H

#include "config/config.h"
#include "http/response.h"

/* Where the store stands (fm_store_flags). */
#define FM_STORE_EXISTS    0x01   /* created for this request */
#define FM_STORE_CAPTURED  0x02   /* this response's additions were taken */
#define FM_STORE_COMMITTED 0x04   /* the response's headers are decided */
#define FM_STORE_SAVED     0x08   /* storage was written */
#define FM_STORE_RENDERED  0x10   /* the messages were rendered into the page */

/* The flags above; 0 when the request has no store.  Never allocates. */
unsigned fm_store_flags(request_rec *r);

/* The pending messages (fm_message, oldest first), read from storage on
 * the first call.  The array belongs to the store: read only. */
const apr_array_header_t *fm_store_pending(request_rec *r);

/* Add one message under r's settings; returns 1 if kept. */
int fm_store_add(request_rec *r, int level, const char *text,
                 const char *extra_tags);
/* Parse one X-Flash value or flashmsg note and add its messages, logging
 * what is wrong with it. */
void fm_store_add_value(request_rec *r, const char *origin, const char *value);

/* Does anything in this response add or clear messages (X-Flash fields,
 * flashmsg notes, FlashMsgAdd, FlashMsgClear)?  seen: r's own headers
 * (fm_response_look).  Never allocates. */
int fm_store_response_adds(request_rec *r, const fm_response_seen *seen);
/* Take this response's X-Flash fields (removing them), flashmsg notes,
 * FlashMsgClear and FlashMsgAdd.  Once per response; a subrequest takes
 * its own. */
void fm_store_capture(request_rec *r);

/* The oldest n pending messages were shown elsewhere. */
void fm_store_consume(request_rec *r, int n);
void fm_store_consume_all(request_rec *r);

/* The response's headers are decided now: write storage if it changed
 * (once per request) and mark the store committed; a response that wrote
 * the client's state is kept out of shared caches.  `rendered` says the
 * messages were shown in this page. */
void fm_store_commit(request_rec *r, int rendered);

/* Every content filter has run (the last-line filter): check that what
 * commit wrote reached storage, and recover or report what did not. */
void fm_store_confirm(request_rec *r);

/* The pending messages as JSON under r's levels and tags; the _oldest
 * form only the oldest n of them. */
const char *fm_store_json(request_rec *r);
const char *fm_store_json_oldest(request_rec *r, int n);

/* FlashMsgExpose: remember which pending messages were handed to the
 * backend: the first `span`, except those with skip[i] set (skip may be
 * NULL; it must live as long as the request).  fm_store_consume_exposed
 * removes exactly those (the backend showed them) and returns how many. */
void fm_store_mark_exposed(request_rec *r, int span, const char *skip);
int fm_store_consume_exposed(request_rec *r);

#endif

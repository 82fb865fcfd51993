/*
 * filters.h - the module's two output filters and the decision they share.
 *
 * FLASHMSG (inject_filter.c), the body filter, sits at one fixed type just
 * below CONTENT_SET and never moves: after every body rewriter (RESOURCE:
 * mod_include, mod_substitute, mod_sed, mod_proxy_html, mod_lua) and
 * whatever else lies between (mod_expires at CONTENT_SET-2, ModSecurity at
 * CONTENT_SET-3, ext_filter ftype 11..18), before compression and
 * mod_session's MOD_SESSION_OUT (CONTENT_SET) and mod_cache's CACHE_SAVE
 * (CONTENT_SET+1).
 *
 * FLASHMSG_GUARD (guard_filter.c), the last line, sits just before the HTTP
 * header filter: it strips X-Flash whatever happened, stores what the body
 * filter never saw, and re-applies the cache rules after mod_headers.
 */
#ifndef FM_FILTERS_H
#define FM_FILTERS_H

#include <util_filter.h>

#include "store/store.h"

#define FM_FILTER_NAME "FLASHMSG"
#define FM_FILTER_FTYPE (AP_FTYPE_CONTENT_SET - 1)
#define FM_GUARD_FILTER_NAME "FLASHMSG_GUARD"
#define FM_GUARD_FTYPE (AP_FTYPE_PROTOCOL - 1)

/* Register both filters (register_hooks) and add them to a request
 * (insert_filter, insert_error_filter); a subrequest gets only the body
 * filter, its headers never leave httpd. */
void fm_filters_register(void);
void fm_filters_add(request_rec *r);

apr_status_t fm_inject_filter(ap_filter_t *f, apr_bucket_brigade *bb);
apr_status_t fm_guard_filter(ap_filter_t *f, apr_bucket_brigade *bb);
extern ap_filter_rec_t *fm_guard_filter_rec;   /* chain.c */
/* The body filter f saw the response: tell the guard further down. */
void fm_guard_note_body_seen(ap_filter_t *f);
/* The body filter f took the response's decision: when the guard comes
 * right after it, no filter in between can add or change a header, and
 * the guard leaves the chain (unless it still has work: the trace, an
 * internal redirect, a save to confirm); otherwise it is told as above. */
void fm_guard_release(ap_filter_t *f);

/* nph_filter.c: FLASHMSG_NPH, a connection filter for nph- CGI scripts,
 * whose header block httpd passes on unparsed: it removes X-Flash and
 * X-Flash-Consumed from that block (their messages cannot be stored). */
#define FM_NPH_FILTER_NAME "FLASHMSG_NPH"
void fm_nph_filter_register(void);
void fm_nph_filter_add(request_rec *r);

/* decide.c */
typedef enum {
    FM_PASS,    /* nothing of ours in this response: leave it untouched */
    FM_KEEP,    /* decided and stored: messages (if any) stay pending */
    FM_LOOK     /* a page with messages pending: look for the placeholder */
} fm_decision;

/* Does anything in this response add, clear or consume messages?  seen:
 * its headers (fm_response_look). */
int fm_response_concerns_us(request_rec *r, const fm_response_seen *seen);
/* Take what the response adds or consumes (X-Flash, notes, FlashMsgAdd,
 * FlashMsgClear, X-Flash-Consumed). */
void fm_take_response(request_rec *r);
/* The decision for the response of f's main request (f: the body filter;
 * SSI includes before it may still add messages while the page streams). */
fm_decision fm_decide(ap_filter_t *f);

/* missing_placeholder.c: a page kept messages waiting because the
 * placeholder is not in it.  A near miss is reported at warn once per
 * process and URI (fm_near_miss_reported: already, or no room to remember
 * more -- then the page need not be searched); every such response is
 * counted, and at most once a minute per process a warn line says so. */
int fm_near_miss_reported(request_rec *r);
void fm_report_near_miss(request_rec *r);
void fm_report_waiting(request_rec *r);

/* history_guard.c: FlashMsgHistoryGuard.  The rendered block with the
 * marker before it and the guard script after it (*len updated), or the
 * block as it is where the guard is off or its nonce is missing. */
const char *fm_history_guard(request_rec *r, const char *block,
                             apr_size_t *len);
/* What the guard adds: the marker ends the script's search for the block;
 * the script's text is constant (a CSP hash of it is documented:
 * docs/directives.md, FlashMsgHistoryGuard; tests/docs checks it). */
#define FM_GUARD_MARK "<!--flashmsg-->"
#define FM_GUARD_SCRIPT \
    "(function(s){if(!s)return;var n=[],e=s.previousSibling;" \
    "while(e&&!(e.nodeType==8&&e.data=='flashmsg')){n.push(e);e=e.previousSibling}" \
    "function h(v){if(v.persisted!==false)n.forEach(function(x){x.remove()})}" \
    "addEventListener('pagehide',h);addEventListener('pageshow',h);" \
    "document.addEventListener('turbo:before-cache',h);" \
    "document.addEventListener('htmx:beforeHistorySave',h)})(document.currentScript)"

#endif

/*
 * history_guard.c - FlashMsgHistoryGuard: after the rendered messages, a
 * small inline script that takes them out of the page before any history
 * cache can show them again.
 *
 * A page that showed messages is sent "Cache-Control: private, no-store",
 * yet Chromium's back/forward cache keeps such pages and restores them,
 * messages included, on Back and Forward; no response header prevents
 * that.  The script removes the block when the page is put into or taken
 * out of that cache (pagehide/pageshow with persisted) and before Turbo
 * (turbo:before-cache) or htmx 2 (htmx:beforeHistorySave) snapshot the
 * page.  It finds the block itself: every node between the marker comment
 * and the script, whatever the template, so it works for any markup.
 *
 * The script's text never changes, so a Content-Security-Policy can allow
 * it by hash (docs/directives.md gives the value); or the page's nonce is
 * taken from a request variable (FlashMsgHistoryGuard On VARIABLE).
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>

#include "filters/filters.h"

APLOG_USE_MODULE(flashmsg);

/* A CSP nonce: base64 or base64url, as the CSP grammar has it. */
static int nonce_valid(const char *s)
{
    apr_size_t n = 0;
    for (; *s; s++, n++)
        if (!apr_isalnum(*s) && *s != '+' && *s != '/' && *s != '-'
            && *s != '_' && *s != '=')
            return 0;
    return n > 0 && n <= 256;
}

static const char *nonce_of(request_rec *r, const char *var)
{
    request_rec *q;
    for (q = r; q; q = q->main) {
        const char *v = apr_table_get(q->subprocess_env, var);
        if (!v)
            v = apr_table_get(q->notes, var);
        if (v)
            return v;
    }
    return NULL;
}

const char *fm_history_guard(request_rec *r, const char *block,
                             apr_size_t *len)
{
    const fm_settings *c = fm_settings_of(r);
    const char *attr = "";

    if (!c->history_guard)
        return block;
    if (c->guard_nonce_var) {
        const char *nonce = nonce_of(r, c->guard_nonce_var);
        if (!nonce || !*nonce) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "FlashMsgHistoryGuard: no nonce in %s: the page "
                          "shows its messages without the guard script",
                          c->guard_nonce_var);
            return block;
        }
        if (!nonce_valid(nonce)) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "FlashMsgHistoryGuard: %s is not a CSP nonce: the "
                          "page shows its messages without the guard script",
                          c->guard_nonce_var);
            return block;
        }
        attr = apr_pstrcat(r->pool, " nonce=\"", nonce, "\"", NULL);
    }
    block = apr_pstrcat(r->pool, FM_GUARD_MARK, block, "<script", attr, ">",
                        FM_GUARD_SCRIPT, "</script>", NULL);
    *len = strlen(block);
    return block;
}

/*
 * counters.c - the server-wide counters (counters.h): one anonymous shared
 * memory segment of apr_uint32_t slots, created by the parent in the first
 * post_config and kept in the process pool, so that graceful restarts (and
 * the reloaded module) find it again and every child, old and new, adds to
 * the same slots with apr_atomic_add32.  Each counter wraps at 2^32.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>
#include <mod_status.h>

#include "stats/counters.h"
#include "config/config.h"

APLOG_USE_MODULE(flashmsg);

#define FM_COUNTERS_KEY "mod_flashmsg-counters"

/* This process's view of the segment; NULL until post_config. */
static volatile apr_uint32_t *slots;

/* Set by post_config in the parent, inherited by the children. */
static int fallback_as_cookie;

#define FM_FALLBACK_AS_COOKIE "fallback storage acts as cookie storage: " \
    "mod_session not loaded"

static const struct {
    const char *name;       /* ?auto: "FlashMsg<name>: n" */
    const char *what;       /* the HTML table */
} info[FM_C_COUNT] = {
    { "AddedHeader", "messages added from X-Flash response fields" },
    { "AddedNote", "messages added from the flashmsg request note" },
    { "AddedConfig", "messages added by FlashMsgAdd" },
    { "AddedAPI", "messages added through the C API" },
    { "Loaded", "messages read back from storage" },
    { "Rendered", "messages rendered into a page" },
    { "ConsumedJSON", "messages taken as JSON (flashmsg-json)" },
    { "ConsumedHTMX", "messages delivered as htmx events" },
    { "ConsumedBackend", "messages shown by the backend (X-Flash-Consumed)" },
    { "Cleared", "messages cleared (FlashMsgClear, flashmsg-clear)" },
    { "KeptPending", "messages kept pending by a response that could not "
                     "show them" },
    { "DroppedSize", "messages dropped: too large for the storage" },
    { "DroppedAge", "messages dropped: older than FlashMsgMaxAge" },
    { "DroppedLevel", "messages dropped: below FlashMsgMinLevel" },
    { "LostLate", "messages lost: added after the headers were sent" },
    { "LostSave", "messages lost: storage could not be written" },
    { "RejectedSignature", "cookie values rejected: bad signature" },
    { "RejectedExpired", "cookie values rejected: expired or from the "
                         "future" },
    { "RejectedMalformed", "cookie values rejected: malformed" },
    { "CookieLoads", "cookie storage: loads" },
    { "CookieSaves", "cookie storage: saves" },
    { "CookieFailures", "cookie storage: failures" },
    { "SessionLoads", "session storage: loads" },
    { "SessionSaves", "session storage: saves" },
    { "SessionFailures", "session storage: failures" },
    { "FallbackLoads", "fallback storage: loads" },
    { "FallbackSaves", "fallback storage: saves" },
    { "FallbackFailures", "fallback storage: failures" },
    { "SocacheLoads", "socache storage: loads" },
    { "SocacheSaves", "socache storage: saves" },
    { "SocacheFailures", "socache storage: failures" },
};

void fm_count(fm_counter c, int n)
{
    if (slots && n > 0 && (unsigned)c < FM_C_COUNT)
        apr_atomic_add32(&slots[c], (apr_uint32_t)n);
}

apr_uint32_t fm_counter_value(fm_counter c)
{
    return slots && (unsigned)c < FM_C_COUNT ? apr_atomic_read32(&slots[c])
                                             : 0;
}

int fm_counters_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_pool_t *pp = s->process->pool;
    apr_shm_t *shm = NULL;
    void *data = NULL;
    apr_status_t rv;
    (void)pconf;

    apr_pool_userdata_get(&data, FM_COUNTERS_KEY, pp);
    if (data)
        shm = data;
    else {
        /* Anonymous: no file, no name to clash; the children inherit it. */
        rv = apr_shm_create(&shm, sizeof(apr_uint32_t) * FM_C_COUNT, NULL,
                            pp);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, FM_LOGPFX
                         "no shared memory for the counters: "
                         "server-status will not show them");
            slots = NULL;
            return OK;
        }
        memset(apr_shm_baseaddr_get(shm), 0,
               sizeof(apr_uint32_t) * FM_C_COUNT);
        apr_pool_userdata_set(shm, FM_COUNTERS_KEY, apr_pool_cleanup_null,
                              pp);
    }
    slots = apr_shm_baseaddr_get(shm);
    return OK;
}

void fm_counters_fallback_as_cookie(int yes)
{
    fallback_as_cookie = yes;
}

int fm_counters_status(request_rec *r, int flags)
{
    int i;
    if (!slots)
        return OK;
    if (flags & AP_STATUS_SHORT) {
        for (i = 0; i < FM_C_COUNT; i++)
            ap_rprintf(r, "FlashMsg%s: %u\n", info[i].name,
                       apr_atomic_read32(&slots[i]));
        /* a flag, not a counter: numeric like the lines above */
        ap_rprintf(r, "FlashMsgFallbackAsCookie: %d\n", fallback_as_cookie);
        return OK;
    }
    ap_rputs("<hr />\n<h2>mod_flashmsg counters (since start, all "
             "children)</h2>\n", r);
    if (fallback_as_cookie)
        ap_rputs("<p>" FM_FALLBACK_AS_COOKIE ": what FlashMsgStorage "
                 "fallback (the default) stores counts under "
                 "FlashMsgCookie*, and FlashMsgFallback* stays 0.</p>\n", r);
    ap_rputs("<table border=\"0\">\n", r);
    for (i = 0; i < FM_C_COUNT; i++)
        ap_rprintf(r, "<tr><td>FlashMsg%s</td><td align=\"right\">%u</td>"
                   "<td>%s</td></tr>\n", info[i].name,
                   apr_atomic_read32(&slots[i]), info[i].what);
    ap_rputs("</table>\n", r);
    return OK;
}

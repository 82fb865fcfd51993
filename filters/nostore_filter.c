/*
 * nostore_filter.c - FLASHMSG_NOSTORE, added only to a response whose page
 * shows messages.  It runs after the CONTENT_SET filters (mod_headers'
 * FIXUP_HEADERS_OUT, mod_deflate, mod_cache's CACHE_SAVE) and before the
 * HTTP header filter, so that "Header set Cache-Control ..." or a
 * regenerated ETag cannot make a page with one user's messages cacheable or
 * validatable.  It acts once and leaves the chain.
 */
#include <util_filter.h>

#include "flashmsg_private.h"

APLOG_USE_MODULE(flashmsg);

apr_status_t fm_nostore_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    fm_mark_uncacheable(f->r);
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/*
 * nph_filter.c - FLASHMSG_NPH, for nph- CGI scripts only.
 *
 * An nph- script writes its whole response, status line and header fields
 * included; mod_cgi and mod_cgid hand those bytes to the connection's
 * filters, after removing every request and protocol filter (ours, the
 * guard, mod_headers, the HTTP header filter): httpd never parses them.
 * Its X-Flash fields can then be neither stored (no Set-Cookie can be
 * added to a header block httpd does not write) nor rendered, but they
 * must still not reach the client.  This connection filter, added for
 * such a request only, holds the bytes up to the blank line that ends the
 * header block, passes them on without X-Flash and X-Flash-Consumed, says
 * so in the error log, and leaves the chain; the body passes untouched.
 */
#include <string.h>

#include <apr_strings.h>
#include <util_filter.h>
#include <http_request.h>

#include "filters/filters.h"
#include "core/raw_header.h"

APLOG_USE_MODULE(flashmsg);

/* A header block larger than this is passed as it is (and reported):
 * httpd's own limit for a script's header block is 8190 bytes a line. */
#define FM_NPH_HEAD_MAX (64 * 1024)

static ap_filter_rec_t *nph_filter_rec;

typedef struct {
    request_rec *r;             /* the nph request (this filter leaves the
                                 * connection's chain before it ends) */
    char *buf;                  /* the header block so far */
    apr_size_t len, cap;
    apr_bucket_brigade *meta;   /* FLUSH and the like, held in order */
    int done;                   /* the block went out */
} nph_ctx;

/* Does r run an nph- script through mod_cgi or mod_cgid?  They decide it
 * the same way: handler cgi-script (or the old magic type), and a file
 * name that starts with "nph-". */
static int runs_nph_script(request_rec *r)
{
    const char *base;
    if (!r->handler || !r->filename
        || (strcmp(r->handler, "cgi-script")
            && strcmp(r->handler, "application/x-httpd-cgi")))
        return 0;
    base = strrchr(r->filename, '/');
    return !strncmp(base ? base + 1 : r->filename, "nph-", 4);
}

/* Pass the held block (cut at `end`, or all of it if 0) without our
 * fields, the rest of it, the held metadata and bb, and leave. */
static apr_status_t release(ap_filter_t *f, nph_ctx *ctx, apr_size_t end,
                            apr_bucket_brigade *bb)
{
    request_rec *r = ctx->r;
    const char *names[2];
    apr_bucket_alloc_t *ba = f->c->bucket_alloc;
    apr_size_t head = end ? end : ctx->len, kept = 0;
    char *out = apr_palloc(r->pool, head ? head : 1);
    int n;

    names[0] = fm_settings_of(r)->header;
    names[1] = FM_CONSUMED_HEADER;
    n = fm_raw_header_strip(ctx->buf, head, names, 2, out, &kept);
    if (n)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "nph- script %s sent %d field(s) of mod_flashmsg "
                      "(%s, " FM_CONSUMED_HEADER "): removed before they "
                      "reached the client. An nph- script writes its "
                      "header block past httpd, so its messages cannot be "
                      "stored: drop the nph- prefix to have them kept",
                      r->uri, n, names[0]);
    /* In front of what bb still holds: the block, the bytes after it. */
    if (ctx->len > head)
        APR_BRIGADE_INSERT_HEAD(bb, apr_bucket_pool_create(
            ctx->buf + head, ctx->len - head, r->pool, ba));
    APR_BRIGADE_PREPEND(bb, ctx->meta);
    if (kept)
        APR_BRIGADE_INSERT_HEAD(bb, apr_bucket_pool_create(out, kept,
                                                           r->pool, ba));
    ctx->done = 1;
    /* mod_cgi points r->output_filters straight at the first connection
     * filter, this one, and later brigades of the request (the final EOS)
     * still come that way: point it past us, and pass on whatever still
     * arrives (ctx->done). */
    if (r->output_filters == f)
        r->output_filters = f->next;
    if (r->proto_output_filters == f)
        r->proto_output_filters = f->next;
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static apr_status_t nph_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    nph_ctx *ctx = f->ctx;

    if (ctx->done)
        return ap_pass_brigade(f->next, bb);
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *e = APR_BRIGADE_FIRST(bb);
        const char *data;
        apr_size_t n, end, from;
        apr_status_t rv;

        /* The end of the response (EOS) or of the request (EOR, after
         * which ctx->r is gone): what is held goes now. */
        if (APR_BUCKET_IS_EOS(e) || AP_BUCKET_IS_EOR(e))
            return release(f, ctx, 0, bb);
        if (APR_BUCKET_IS_METADATA(e)) {
            APR_BUCKET_REMOVE(e);
            APR_BRIGADE_INSERT_TAIL(ctx->meta, e);
            continue;
        }
        rv = apr_bucket_read(e, &data, &n, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, ctx->r, FM_LOGPFX
                          "reading the output of nph- script %s failed",
                          ctx->r->uri);
            return rv;
        }
        if (ctx->len + n > ctx->cap) {
            apr_size_t cap = ctx->cap ? ctx->cap : 1024;
            char *buf;
            while (cap < ctx->len + n)
                cap *= 2;
            buf = apr_palloc(ctx->r->pool, cap);
            if (ctx->len)           /* (memcpy from NULL is undefined) */
                memcpy(buf, ctx->buf, ctx->len);
            ctx->buf = buf;
            ctx->cap = cap;
        }
        if (n)
            memcpy(ctx->buf + ctx->len, data, n);
        /* The blank line may straddle the two pieces: look from 2 bytes
         * before the new one. */
        from = ctx->len > 2 ? ctx->len - 2 : 0;
        ctx->len += n;
        apr_bucket_delete(e);
        end = fm_raw_header_end(ctx->buf + from, ctx->len - from);
        if (end)
            return release(f, ctx, from + end, bb);
        if (ctx->len > FM_NPH_HEAD_MAX) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, ctx->r, FM_LOGPFX
                          "nph- script %s: no end of its header block in "
                          "the first %d bytes; fields of mod_flashmsg are "
                          "removed from those only", ctx->r->uri,
                          FM_NPH_HEAD_MAX);
            return release(f, ctx, 0, bb);
        }
    }
    return APR_SUCCESS;
}

void fm_nph_filter_register(void)
{
    nph_filter_rec = ap_register_output_filter(
        FM_NPH_FILTER_NAME, nph_filter, NULL, AP_FTYPE_CONNECTION);
}

void fm_nph_filter_add(request_rec *r)
{
    nph_ctx *ctx;

    if (r->main || !runs_nph_script(r))
        return;
    /* Once per request (insert_error_filter may come by again). */
    if (apr_table_get(r->notes, FM_NPH_FILTER_NAME))
        return;
    apr_table_setn(r->notes, FM_NPH_FILTER_NAME, "1");
    ctx = apr_pcalloc(r->pool, sizeof(*ctx));
    ctx->r = r;
    ctx->meta = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    ap_add_output_filter_handle(nph_filter_rec, ctx, r, r->connection);
}

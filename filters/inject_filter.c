/*
 * inject_filter.c - the FLASHMSG output filter.
 *
 * On its first call it takes this response's X-Flash fields and flashmsg
 * notes (fm_capture), then decides:
 *   - not a renderable page, or nothing pending: store what changed, remove
 *     itself, pass the body untouched;
 *   - a renderable page with messages pending: look for the placeholder.
 *     Until the first placeholder is found (LOOKAHEAD) the filtered output
 *     is held back, at most FlashMsgScanLimit bytes, because the decision
 *     (consume the messages or keep them) must go out in the response
 *     headers.  Found: the messages are consumed, the headers fixed, and the
 *     rest streams (RENDER) with every placeholder replaced.  End of body or
 *     limit reached first: nothing is consumed and the body passes as is.
 *
 * Bytes are never copied: buckets are split around placeholders, which are
 * deleted, and the rendered block is inserted as a bucket of its own.  A
 * placeholder split across buckets is tracked by the core matcher, which
 * holds back at most placeholder-length - 1 bytes, always a prefix of the
 * placeholder, so held bytes are re-emitted from the pattern itself.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_buckets.h>
#include <util_filter.h>
#include <http_protocol.h>
#include <http_request.h>

#include "flashmsg_private.h"

APLOG_USE_MODULE(flashmsg);

/* In RENDER mode, pass output down once this much has accumulated. */
#define FM_PASS_BYTES (1024 * 1024)
/* Largest piece of a file read at once. */
#define FM_FILE_PIECE (1024 * 1024)
/* Files up to this size are read with read() instead of mmap. */
#define FM_SMALL_FILE (64 * 1024)

typedef enum {
    FM_LOOKAHEAD,   /* holding output until the placeholder decides */
    FM_RENDER,      /* messages shown: replacing every placeholder */
    FM_DONE         /* placeholder reached with nothing to show */
} fm_mode;

typedef struct {
    fm_mode mode;
    fm_matcher m;
    const char *block;          /* rendered messages */
    apr_size_t block_len;
    apr_bucket_brigade *out;    /* filtered output not passed yet */
    apr_size_t out_bytes;
    apr_size_t limit;           /* FlashMsgScanLimit */
} fm_ctx;

static int is_html(const char *ct)
{
    apr_size_t n;
    if (!ct)
        return 0;
    n = strcspn(ct, "; \t");
    return (n == 9 && !strncasecmp(ct, "text/html", 9))
        || (n == 21 && !strncasecmp(ct, "application/xhtml+xml", 21));
}

static int is_encoded(request_rec *r)
{
    const char *ce = apr_table_get(r->headers_out, "Content-Encoding");
    if (!ce)
        ce = apr_table_get(r->err_headers_out, "Content-Encoding");
    return ce && *ce && strcasecmp(ce, "identity") != 0;
}

/* SPEC §2: only a successful, complete HTML body can show messages. */
static const char *why_not_renderable(request_rec *r)
{
    if (r->header_only)
        return "HEAD request";
    if (r->status < 200 || r->status > 299)
        return "status is not 2xx";
    if (r->status == HTTP_NO_CONTENT || r->status == HTTP_PARTIAL_CONTENT)
        return "204/206 response";
    if (!is_html(r->content_type))
        return "not an HTML page";
    if (is_encoded(r))
        return "body already compressed by the backend";
    return NULL;
}

/* Is the page's charset UTF-8?  Only then are message bytes written as
 * they are; any other charset, or none declared, gets character
 * references, which are right whatever the browser decides. */
static int page_is_utf8(request_rec *r)
{
    const char *cs = r->content_type ? ap_strcasestr(r->content_type,
                                                     "charset=") : NULL;
    if (!cs)
        return 0;
    cs += 8;
    if (*cs == '"')
        cs++;
    return !strncasecmp(cs, "utf-8", 5) || !strncasecmp(cs, "utf8", 4);
}

/* The page will show the messages: render them, consume them, and make
 * sure the page is neither cached nor validated as the unmodified one. */
static int begin_render(request_rec *r, fm_ctx *ctx)
{
    const fm_dir_conf *c = fm_dconf(r);
    const fm_srv_conf *sc = fm_sconf(r);
    fm_state *st = fm_state_of(r);
    char *block;

    if (!st->msgs->nelts)
        return 0;   /* an SSI page that got nothing to show */

    block = fm_template_render(r->pool, c->tmpl ? c->tmpl
                               : fm_default_template(), sc->levels, c->tags,
                               (const fm_message *)st->msgs->elts,
                               st->msgs->nelts,
                               page_is_utf8(r) ? 0 : FM_RENDER_ASCII,
                               &ctx->block_len);
    ctx->block = block;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "rendering %d message(s) into the page", st->msgs->nelts);
    fm_consume_all(r);
    fm_save(r);
    st->committed = 1;
    st->rendered = 1;
    /* mod_headers and mod_deflate run after us and may set Cache-Control
     * or an ETag again: the guard filter applies this once more. */
    fm_cache_forbid_all(r);
    /* A range of this page would cut the messages: send it whole. */
    apr_table_unset(r->headers_in, "Range");
    apr_table_unset(r->headers_in, "If-Range");
    ctx->mode = FM_RENDER;
    return 1;
}

/* Move the first n bytes of *cur into out (splitting if needed). */
static void take(apr_bucket **cur, apr_size_t n, fm_ctx *ctx)
{
    apr_bucket *b = *cur;
    if (n < b->length) {
        apr_bucket_split(b, n);
        *cur = APR_BUCKET_NEXT(b);
    }
    else {
        *cur = NULL;
    }
    APR_BUCKET_REMOVE(b);
    APR_BRIGADE_INSERT_TAIL(ctx->out, b);
    ctx->out_bytes += n;
}

/* Delete the first n bytes of *cur. */
static void drop(apr_bucket **cur, apr_size_t n)
{
    apr_bucket *b = *cur;
    if (n == 0)
        return;
    if (n < b->length) {
        apr_bucket_split(b, n);
        *cur = APR_BUCKET_NEXT(b);
    }
    else {
        *cur = NULL;
    }
    apr_bucket_delete(b);
}

static void emit_pattern(fm_ctx *ctx, apr_size_t n, apr_bucket_alloc_t *ba)
{
    if (n == 0)
        return;
    APR_BRIGADE_INSERT_TAIL(ctx->out,
                            apr_bucket_immortal_create(ctx->m.pat, n, ba));
    ctx->out_bytes += n;
}

/* Scan one read data bucket e (data[0..len)), moving its pieces to out. */
static void scan_bucket(request_rec *r, fm_ctx *ctx, apr_bucket *e,
                        const char *data, apr_size_t len)
{
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    apr_bucket *cur = e;
    apr_size_t start = 0;

    if (len == 0) {
        apr_bucket_delete(e);
        return;
    }
    for (;;) {
        fm_step s;
        fm_matcher_step(&ctx->m, data, start, len, &s);
        emit_pattern(ctx, s.release, ba);
        if (s.data_len)
            take(&cur, s.data_len, ctx);
        if (!s.matched) {
            drop(&cur, len - start - s.data_len);   /* held back */
            return;
        }
        drop(&cur, s.next - start - s.data_len);     /* the placeholder */
        if (ctx->mode == FM_LOOKAHEAD && !begin_render(r, ctx)) {
            /* Nothing to show: the placeholder stays, the rest passes. */
            emit_pattern(ctx, ctx->m.len, ba);
            ctx->mode = FM_DONE;
            return;
        }
        /* The block lives in r->pool, which the EOR bucket keeps alive
         * until everything before it is written: no copy, no cleanup. */
        APR_BRIGADE_INSERT_TAIL(ctx->out,
            apr_bucket_immortal_create(ctx->block, ctx->block_len, ba));
        ctx->out_bytes += ctx->block_len;
        start = s.next;
        if (start == len)
            return;
    }
}

static apr_status_t pass_out(ap_filter_t *f, fm_ctx *ctx)
{
    apr_status_t rv;
    if (APR_BRIGADE_EMPTY(ctx->out))
        return APR_SUCCESS;
    rv = ap_pass_brigade(f->next, ctx->out);
    apr_brigade_cleanup(ctx->out);
    ctx->out_bytes = 0;
    return rv;
}

/* Stop filtering: emit any held bytes, pass what we have and the rest of
 * bb, and leave the chain. */
static apr_status_t finish(ap_filter_t *f, fm_ctx *ctx, apr_bucket_brigade *bb)
{
    if (ctx->mode != FM_RENDER) {
        /* No placeholder seen: messages stay pending (plus any added). */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, f->r, FM_LOGPFX
                      "no placeholder in the first %" APR_SIZE_T_FMT
                      " bytes of the page; messages stay pending",
                      ctx->out_bytes);
        fm_save(f->r);
        fm_state_of(f->r)->committed = 1;
    }
    emit_pattern(ctx, fm_matcher_finish(&ctx->m), f->c->bucket_alloc);
    APR_BRIGADE_CONCAT(ctx->out, bb);
    ap_remove_output_filter(f);
    return pass_out(f, ctx);
}

/* Does mod_include's filter run before us on this request?  Directly, or
 * through mod_filter ("AddOutputFilterByType INCLUDES" is "BYTYPE:INCLUDES"). */
static int after_includes(ap_filter_t *f)
{
    ap_filter_t *n;
    for (n = f->r->output_filters; n && n != f; n = n->next) {
        const char *name = n->frec->name, *colon = strrchr(name, ':');
        if (!strcasecmp(colon ? colon + 1 : name, "includes"))
            return 1;
    }
    return 0;
}

static fm_ctx *make_ctx(ap_filter_t *f)
{
    request_rec *r = f->r;
    const fm_dir_conf *c = fm_dconf(r);
    fm_ctx *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

    ctx->mode = FM_LOOKAHEAD;
    if (c->placeholder && c->placeholder_fail) {
        ctx->m.pat = c->placeholder;
        ctx->m.len = strlen(c->placeholder);
        ctx->m.fail = (apr_size_t *)c->placeholder_fail;
        ctx->m.held = 0;
    }
    else {
        fm_matcher_init(&ctx->m, r->pool, FM_DEFAULT_PLACEHOLDER,
                        sizeof(FM_DEFAULT_PLACEHOLDER) - 1);
    }
    ctx->out = apr_brigade_create(r->pool, f->c->bucket_alloc);
    ctx->limit = c->scan_limit != FM_UNSET ? (apr_size_t)c->scan_limit
                                           : FM_DEFAULT_SCAN_LIMIT;
    return ctx;
}

apr_status_t fm_inject_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    fm_ctx *ctx = f->ctx;
    apr_status_t rv;

    if (!ctx) {
        const char *why;
        fm_state *st;

        if (!r->main)
            fm_guard_note_body_seen(f);
        if (r->main) {
            /* A subrequest (SSI include): take what it adds to the shared
             * store; its output flows on into the main page's filter. */
            fm_capture(r);
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        if (!fm_state_peek(r) && !fm_response_concerns_us(r)
            && !after_includes(f)) {
            /* The common case: no messages anywhere.  Nothing allocated. */
            if (!why_not_renderable(r))
                fm_cache_revalidate_html(r);
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        fm_capture(r);
        st = fm_load(r);
        fm_htmx_deliver(r);
        why = why_not_renderable(r);
        if (!why)
            fm_cache_revalidate_html(r);
        /* Nothing pending: pass, unless SSI includes may still add some
         * before the placeholder comes by. */
        if (why || (st->msgs->nelts == 0 && !after_includes(f))) {
            if (st->msgs->nelts && why)
                ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                              "%d message(s) stay pending: %s",
                              st->msgs->nelts, why);
            fm_save(r);
            st->committed = 1;
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        f->ctx = ctx = make_ctx(f);
    }

    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *e = APR_BRIGADE_FIRST(bb);
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_EOS(e))
            return finish(f, ctx, bb);
        if (APR_BUCKET_IS_METADATA(e)) {
            /* While looking ahead a FLUSH is held in order with the data:
             * flushing would commit the headers before the decision. */
            APR_BUCKET_REMOVE(e);
            APR_BRIGADE_INSERT_TAIL(ctx->out, e);
            if (APR_BUCKET_IS_FLUSH(e) && ctx->mode == FM_RENDER
                && (rv = pass_out(f, ctx)) != APR_SUCCESS)
                return rv;
            continue;
        }
        /* A file is read (mmapped) at most FM_FILE_PIECE at a time, so
         * memory stays flat however large the page; the rest of the file
         * stays a file bucket for whoever comes after us. */
        if (APR_BUCKET_IS_FILE(e) && e->length != (apr_size_t)-1) {
            if (e->length > FM_FILE_PIECE)
                apr_bucket_split(e, FM_FILE_PIECE);
            else if (e->length <= FM_SMALL_FILE)
                /* a small page is read whole by us: read() beats
                 * mmap + munmap, and nobody reads this file after us */
                apr_bucket_file_enable_mmap(e, 0);
        }
        if (ctx->mode == FM_RENDER) {
            rv = apr_bucket_read(e, &data, &len, APR_NONBLOCK_READ);
            if (APR_STATUS_IS_EAGAIN(rv)) {
                /* The generator is slow: send what we have, then wait. */
                APR_BRIGADE_INSERT_TAIL(ctx->out,
                                        apr_bucket_flush_create(f->c->bucket_alloc));
                if ((rv = pass_out(f, ctx)) != APR_SUCCESS)
                    return rv;
                rv = apr_bucket_read(e, &data, &len, APR_BLOCK_READ);
            }
        }
        else {
            rv = apr_bucket_read(e, &data, &len, APR_BLOCK_READ);
        }
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, FM_LOGPFX
                          "reading the response body failed");
            return rv;
        }
        scan_bucket(r, ctx, e, data, len);
        if (ctx->mode == FM_DONE
            || (ctx->mode == FM_LOOKAHEAD && ctx->out_bytes > ctx->limit))
            return finish(f, ctx, bb);
        if (ctx->mode == FM_RENDER && ctx->out_bytes >= FM_PASS_BYTES
            && (rv = pass_out(f, ctx)) != APR_SUCCESS)
            return rv;
    }

    if (ctx->mode == FM_RENDER)
        return pass_out(f, ctx);
    /* Still looking: the held output must outlive this call. */
    {
        apr_bucket *e;
        for (e = APR_BRIGADE_FIRST(ctx->out); e != APR_BRIGADE_SENTINEL(ctx->out);
             e = APR_BUCKET_NEXT(e)) {
            rv = apr_bucket_setaside(e, r->pool);
            if (rv != APR_SUCCESS && rv != APR_ENOTIMPL)
                return rv;
        }
    }
    return APR_SUCCESS;
}

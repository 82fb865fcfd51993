/*
 * inject_filter.c - the FLASHMSG output filter.
 *
 * On its first call the response gets its decision (decide.c):
 *   - nothing of ours, or not a renderable page, or nothing pending: what
 *     changed is stored, the filter removes itself and the body passes
 *     untouched;
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
 * small file is read with one pread(): over HTTP/1 into one heap bucket
 * (fewer system calls than the core's 8000-byte reads or sendfile per
 * segment); over HTTP/2 aside, so it stays a file bucket that crosses to
 * the client's connection as it would without us (heap buckets there cost
 * an allocator node per 8000 bytes, which mod_http2 unmaps per stream: a
 * TLB shootdown each).  A placeholder split across buckets is tracked by
 * the core matcher, which
 * holds back at most placeholder-length - 1 bytes, always a prefix of the
 * placeholder, so held bytes are re-emitted from the pattern itself.
 */
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_portable.h>
#include <apr_buckets.h>
#include <util_filter.h>
#include <http_protocol.h>
#include <http_request.h>

#include "filters/filters.h"
#include "core/near_miss.h"
#include "http/response.h"
#include "http/trace.h"
#include "stats/counters.h"

APLOG_USE_MODULE(flashmsg);

/* In RENDER mode, pass output down once this much has accumulated. */
#define FM_PASS_BYTES (1024 * 1024)
/* Largest piece of a file read at once. */
#define FM_FILE_PIECE (1024 * 1024)
/* File buckets up to this size are scanned aside (read into a buffer on
 * the stack) and passed on as file buckets; larger ones are read in place. */
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

/* The page will show the messages: render them, consume them, and commit
 * (which also keeps the page out of every cache and drops its validators). */
static int begin_render(request_rec *r, fm_ctx *ctx)
{
    const fm_settings *c = fm_settings_of(r);
    const apr_array_header_t *msgs = fm_store_pending(r);

    if (!msgs->nelts)
        return 0;   /* an SSI page that got nothing to show */
    ctx->block = fm_template_render(r->pool, c->tmpl,
                                    fm_server_of(r)->levels, c->tags,
                                    (const fm_message *)msgs->elts,
                                    msgs->nelts, fm_response_is_utf8(r)
                                    ? 0 : FM_RENDER_ASCII, &ctx->block_len);
    ctx->block = fm_history_guard(r, ctx->block, &ctx->block_len);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "rendering %d message(s) into the page %s", msgs->nelts,
                  r->uri);
    fm_count(FM_C_RENDERED, msgs->nelts);
    fm_trace_verdict(r, msgs->nelts, "rendered=%d", msgs->nelts);
    fm_store_consume_all(r);
    fm_store_commit(r, 1);
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
                            apr_bucket_immortal_create(ctx->m.p->pat, n, ba));
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
            fm_trace_verdict(r, 0, NULL);
            emit_pattern(ctx, ctx->m.p->len, ba);
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

/* Copy the bytes of file bucket e into buf (e->length bytes) without
 * touching the bucket: pread() neither moves the file's offset nor morphs
 * the bucket.  0 if the file could not be read whole (it shrank, an error):
 * the caller then reads the bucket the ordinary way, which reports it. */
static int read_file_aside(apr_bucket *e, char *buf)
{
    apr_bucket_file *fb = e->data;
    apr_os_file_t fd;
    apr_size_t got = 0;

    if (apr_os_file_get(&fd, fb->fd) != APR_SUCCESS)
        return 0;
    while (got < e->length) {
        ssize_t n = pread(fd, buf + got, e->length - got,
                          (off_t)(e->start + (apr_off_t)got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        got += (apr_size_t)n;
    }
    return 1;
}

/* Over HTTP/1: small file bucket *e replaced by one heap bucket holding
 * its bytes, read with one pread(); left as it is if that failed. */
static void file_to_heap(apr_bucket **e, apr_bucket_alloc_t *ba)
{
    char *buf = apr_bucket_alloc((*e)->length, ba);
    apr_bucket *h;

    if (!read_file_aside(*e, buf)) {
        apr_bucket_free(buf);
        return;
    }
    h = apr_bucket_heap_create(buf, (*e)->length, apr_bucket_free, ba);
    APR_BUCKET_INSERT_BEFORE(*e, h);
    apr_bucket_delete(*e);
    *e = h;
}

/* Ready data bucket *e to be read the cheapest way for what comes after
 * us.  A file is read (mmapped) at most FM_FILE_PIECE at a time, so memory
 * stays flat however large the page; the rest of the file stays a file
 * bucket.  A small page is read with one read() (which beats mmap + munmap
 * for whoever sends it without sendfile): over HTTP/1 into one heap bucket
 * (one writev() later beats cork + sendfile per segment, and lseek + read
 * per 8000 bytes without sendfile); over HTTP/2 (a secondary connection)
 * into aside, leaving a file bucket that crosses to the client's
 * connection without a copy -- then 1, with *data and *len set. */
static int read_file_piece(ap_filter_t *f, apr_bucket **e, char *aside,
                           const char **data, apr_size_t *len)
{
    apr_bucket *b = *e;

    if (!APR_BUCKET_IS_FILE(b) || b->length == (apr_size_t)-1)
        return 0;
    if (b->length > FM_FILE_PIECE) {
        apr_bucket_split(b, FM_FILE_PIECE);
        return 0;
    }
    if (b->length > FM_SMALL_FILE)
        return 0;
    apr_bucket_file_enable_mmap(b, 0);
    if (!f->c->master) {
        file_to_heap(e, f->c->bucket_alloc);
        return 0;
    }
    if (!read_file_aside(b, aside))
        return 0;
    *data = aside;
    *len = b->length;
    return 1;
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

/* Do the held bytes (the page as far as it was searched) hold the
 * placeholder written almost right?  Asked only of a page that keeps its
 * messages: reading a file bucket here turns it into heap buckets, which
 * costs a copy over HTTP/2 on that path alone. */
static int held_near_miss(request_rec *r, fm_ctx *ctx)
{
    const fm_pattern *ph = fm_settings_of(r)->placeholder;
    fm_near_miss nm;
    apr_bucket *e;

    fm_near_miss_start(&nm, r->pool, ph->pat, ph->len);
    for (e = APR_BRIGADE_FIRST(ctx->out); e != APR_BRIGADE_SENTINEL(ctx->out);
         e = APR_BUCKET_NEXT(e)) {
        const char *data;
        apr_size_t len;
        if (APR_BUCKET_IS_METADATA(e))
            continue;
        if (apr_bucket_read(e, &data, &len, APR_BLOCK_READ) != APR_SUCCESS)
            return 0;   /* the body filter's own read reports it */
        if (fm_near_miss_feed(&nm, data, len))
            return 1;
    }
    return 0;
}

/* No placeholder in the first ctx->out_bytes bytes: the trace says so and,
 * when messages wait for it, the operator is told (missing_placeholder.c).
 * The search for a near miss is skipped once its report is made, unless
 * the trace asks. */
static void kept_without_placeholder(request_rec *r, fm_ctx *ctx)
{
    int pending = fm_store_pending(r)->nelts, near_miss = 0;

    if (!pending) {
        fm_trace_verdict(r, 0, NULL);   /* an SSI page that got none */
        return;
    }
    if (fm_settings_of(r)->trace || !fm_near_miss_reported(r))
        near_miss = held_near_miss(r, ctx);
    if (near_miss)
        fm_report_near_miss(r);
    fm_trace_verdict(r, pending, "kept: no placeholder in the first %"
                     APR_SIZE_T_FMT " bytes%s", ctx->out_bytes, near_miss
                     ? ", but one written almost right (other white space "
                       "or case)" : "");
    fm_report_waiting(r);
}

/* Stop filtering: emit any held bytes, pass what we have and the rest of
 * bb, and leave the chain. */
static apr_status_t finish(ap_filter_t *f, fm_ctx *ctx, apr_bucket_brigade *bb)
{
    emit_pattern(ctx, fm_matcher_finish(&ctx->m), f->c->bucket_alloc);
    if (ctx->mode != FM_RENDER) {
        /* No placeholder seen: messages stay pending (plus any added). */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, f->r, FM_LOGPFX
                      "no placeholder in the first %" APR_SIZE_T_FMT
                      " bytes of the page; messages stay pending for %s",
                      ctx->out_bytes, f->r->uri);
        kept_without_placeholder(f->r, ctx);
        fm_store_commit(f->r, 0);
    }
    APR_BRIGADE_CONCAT(ctx->out, bb);
    ap_remove_output_filter(f);
    return pass_out(f, ctx);
}

static fm_ctx *make_ctx(ap_filter_t *f)
{
    request_rec *r = f->r;
    const fm_settings *c = fm_settings_of(r);
    fm_ctx *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

    ctx->mode = FM_LOOKAHEAD;
    fm_matcher_start(&ctx->m, c->placeholder);
    ctx->out = apr_brigade_create(r->pool, f->c->bucket_alloc);
    ctx->limit = c->scan_limit;
    return ctx;
}

apr_status_t fm_inject_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    fm_ctx *ctx = f->ctx;
    apr_status_t rv;
    /* 64 KiB of a thread stack (8 MiB unless ThreadStackSize says less) */
    char aside[FM_SMALL_FILE];

    if (!ctx) {
        if (r->main) {
            /* A subrequest (SSI include): take what it adds to the shared
             * store; its output flows on into the main page's filter. */
            fm_store_capture(r);
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        /* The decision is taken here, and what is committed later (the
         * page renders or keeps) changes no header but ours: the guard is
         * needed only if a filter between us could still change one. */
        switch (fm_decide(f)) {
        case FM_LOOK:
            fm_guard_release(f);
            break;
        case FM_KEEP:
        case FM_PASS:
            fm_guard_release(f);
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
        if (read_file_piece(f, &e, aside, &data, &len)) {
            rv = APR_SUCCESS;
        }
        else if (ctx->mode == FM_RENDER) {
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

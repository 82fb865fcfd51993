/*
 * store.c - the message store of one request (see store.h).
 *
 * The state below is private: storage/ reads and writes the messages
 * through its own interface, everything above uses the verbs in store.h.
 */
#include <limits.h>
#include <string.h>

#include <apr_strings.h>

#include "store/store.h"
#include "storage/storage.h"
#include "http/cache_policy.h"
#include "http/response.h"
#include "http/trace.h"
#include "stats/counters.h"
#include "core/header_parser.h"
#include "core/json.h"

APLOG_USE_MODULE(flashmsg);

typedef struct {
    apr_array_header_t *msgs;   /* fm_message, pending, oldest first */
    fm_held held;               /* what the client held (storage/) */
    unsigned flags;             /* FM_STORE_* */
    int loaded;                 /* storage has been read */
    int changed;                /* storage must be written */
    int exposed;                /* of the first `exposed` messages, those
                                 * not marked in exposed_skip were handed
                                 * to the backend (FlashMsgExpose) */
    const char *exposed_skip;   /* NULL: none skipped */
} fm_state;

static fm_state *peek(request_rec *r)
{
    return ap_get_module_config(fm_initial_request(r)->request_config,
                                &flashmsg_module);
}

static fm_state *state_of(request_rec *r)
{
    request_rec *ir = fm_initial_request(r);
    fm_state *st = ap_get_module_config(ir->request_config, &flashmsg_module);
    if (!st) {
        st = apr_pcalloc(ir->pool, sizeof(*st));
        st->msgs = apr_array_make(ir->pool, 4, sizeof(fm_message));
        st->flags = FM_STORE_EXISTS;
        ap_set_module_config(ir->request_config, &flashmsg_module, st);
    }
    return st;
}

static fm_state *loaded(request_rec *r)
{
    fm_state *st = state_of(r);
    if (!st->loaded) {
        st->loaded = 1;
        fm_storage_load(r, st->msgs, &st->held);
        if (st->held.stale)
            st->changed = 1;
    }
    return st;
}

unsigned fm_store_flags(request_rec *r)
{
    fm_state *st = peek(r);
    return st ? st->flags : 0;
}

const apr_array_header_t *fm_store_pending(request_rec *r)
{
    return loaded(r)->msgs;
}

/* The n messages just appended were created at `at`: give them its
 * microsecond, strictly after any pending message of the same second, so
 * that their order survives being split between storages and merged back
 * (creation times are whole seconds). */
static void stamp(fm_state *st, int n, apr_time_t at)
{
    fm_message *m = (fm_message *)st->msgs->elts;
    apr_int64_t sec = apr_time_sec(at);
    apr_int32_t usec = (apr_int32_t)apr_time_usec(at);
    int i;
    for (i = st->msgs->nelts - n; i < st->msgs->nelts; i++) {
        if (i > 0 && m[i - 1].created == sec && m[i - 1].usec >= usec)
            usec = m[i - 1].usec < 999999 ? m[i - 1].usec + 1 : 999999;
        m[i].usec = usec;
    }
}

/* Messages that arrive once the headers are decided cannot be stored. */
static void added(request_rec *r, fm_state *st, int n, apr_time_t at,
                  const char *origin)
{
    if (n <= 0)
        return;
    stamp(st, n, at);
    st->changed = 1;
    if (st->flags & FM_STORE_COMMITTED) {
        fm_count(FM_C_LOST_LATE, n);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d message(s) from a %s of %s came after the page's "
                      "headers were sent and are lost", n, origin, r->uri);
    }
    else {
        fm_trace_add(r, FM_TRACE_ADDED, n);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%d message(s) added from %s for %s", n, origin,
                      r->uri);
    }
}

/* One message from FlashMsgAdd (FM_C_ADDED_CONFIG) or the C API. */
static int add_one(request_rec *r, int level, const char *text,
                   const char *extra_tags, fm_counter source)
{
    const fm_settings *c = fm_settings_of(r);
    apr_time_t at = apr_time_now();
    fm_state *st;
    if (!c->enabled || !text || !fm_text_valid(text, strlen(text)))
        return 0;
    if (extra_tags && !fm_text_valid(extra_tags, strlen(extra_tags)))
        return 0;
    if (!*text)
        return 0;
    fm_count(source, 1);
    if (level < c->min_level) {
        fm_count(FM_C_DROPPED_LEVEL, 1);
        fm_trace_add(r, FM_TRACE_BELOW_MIN_LEVEL, 1);
        return 0;
    }
    st = loaded(r);
    if (!fm_list_add(st->msgs, c->min_level, level,
                     apr_pstrdup(st->msgs->pool, text),
                     extra_tags ? apr_pstrdup(st->msgs->pool, extra_tags) : "",
                     apr_time_sec(at)))
        return 0;
    added(r, st, 1, at, source == FM_C_ADDED_CONFIG ? "FlashMsgAdd"
                                                    : "module call");
    return 1;
}

int fm_store_add(request_rec *r, int level, const char *text,
                 const char *extra_tags)
{
    return add_one(r, level, text, extra_tags, FM_C_ADDED_API);
}

/* Remove the messages below min_level among the last n of msgs; returns
 * how many went. */
static int drop_below(apr_array_header_t *msgs, int n, int min_level)
{
    fm_message *m = (fm_message *)msgs->elts;
    int i, j = msgs->nelts - n, dropped = 0;
    for (i = msgs->nelts - n; i < msgs->nelts; i++) {
        if (m[i].level < min_level)
            dropped++;
        else
            m[j++] = m[i];
    }
    msgs->nelts = j;
    return dropped;
}

#define FM_LOG_VALUE_MAX 80
/* Warn lines for the skipped members of one value; then one for the rest. */
#define FM_LOG_SKIPS_MAX 5

/* n bytes of s for the log: cut short, control bytes and quotes escaped;
 * cut_mark(n) follows the closing quote. */
static const char *log_bytes(request_rec *r, const char *s, apr_size_t n)
{
    return ap_escape_logitem(r->pool, apr_pstrmemdup(r->pool, s,
                             n < FM_LOG_VALUE_MAX ? n : FM_LOG_VALUE_MAX));
}

static const char *cut_mark(apr_size_t n)
{
    return n > FM_LOG_VALUE_MAX ? "..." : "";
}

void fm_store_add_value(request_rec *r, const char *origin, const char *value)
{
    const fm_settings *c = fm_settings_of(r);
    fm_state *st = loaded(r);
    int before = st->msgs->nelts, i;
    apr_time_t at = apr_time_now();
    apr_size_t len = strlen(value);
    fm_header_report rep;
    /* Every level is parsed, so that those below FlashMsgMinLevel are
     * counted (and then dropped, as the parser would have). */
    const char *err = fm_header_parse_ex(st->msgs->pool,
                                         fm_server_of(r)->levels,
                                         INT_MIN, value, len,
                                         apr_time_sec(at), st->msgs, &rep);
    int got = st->msgs->nelts - before, below;

    fm_count(strcmp(origin, "request note") ? FM_C_ADDED_HEADER
                                            : FM_C_ADDED_NOTE, got);
    below = drop_below(st->msgs, got, c->min_level);
    fm_count(FM_C_DROPPED_LEVEL, below);
    fm_trace_add(r, FM_TRACE_BELOW_MIN_LEVEL, below);

    if (rep.lenient)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%s is not a strict RFC 9651 list (raw UTF-8 or a "
                      "malformed member): parsed member by member", origin);
    if (rep.nskipped) {
        /* One line per skipped member, with that member's own bytes. */
        for (i = 0; i < rep.skipped->nelts && i < FM_LOG_SKIPS_MAX; i++) {
            const fm_header_skip *k = &APR_ARRAY_IDX(rep.skipped, i,
                                                     fm_header_skip);
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "%s: member %" APR_SIZE_T_FMT " of %" APR_SIZE_T_FMT
                          " skipped: %s; member: \"%s\"%s", origin, k->index,
                          rep.members, k->reason,
                          log_bytes(r, value + k->offset, k->len),
                          cut_mark(k->len));
        }
        if (rep.nskipped > (apr_size_t)i)
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                          "%s: %" APR_SIZE_T_FMT " more members of %"
                          APR_SIZE_T_FMT " skipped", origin,
                          rep.nskipped - (apr_size_t)i, rep.members);
    }
    else if (err) {
        /* The value is logged cut short and with control bytes escaped. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "ignored %s: %s; value: \"%s\"%s", origin, err,
                      log_bytes(r, value, len), cut_mark(len));
    }
    added(r, st, st->msgs->nelts - before, at, origin);
}

/* A module asked to clear the store (note "flashmsg-clear"), here or in a
 * request this one was redirected from. */
static int clear_noted(request_rec *r)
{
    for (; r; r = r->prev)
        if (apr_table_get(r->notes, FM_CLEAR_NOTE))
            return 1;
    return 0;
}

int fm_store_response_adds(request_rec *r, const fm_response_seen *seen)
{
    const fm_settings *c = fm_settings_of(r);
    request_rec *q;

    if (c->adds || c->clear || seen->flash)
        return 1;
    for (q = r; q; q = q->prev)
        if ((q != r && (apr_table_get(q->headers_out, c->header)
                        || apr_table_get(q->err_headers_out, c->header)))
            || apr_table_get(q->notes, FM_NOTE_KEY)
            || apr_table_get(q->notes, FM_CLEAR_NOTE))
            return 1;
    return 0;
}

typedef struct {
    request_rec *r;
    const char *origin;
    int n;
} take_ctx;

static int take_one(void *vctx, const char *key, const char *value)
{
    take_ctx *t = vctx;
    (void)key;
    fm_store_add_value(t->r, t->origin, value);
    t->n++;
    return 1;
}

/* Add the messages of every `name` entry of table t and remove them. */
static void take_table(request_rec *r, apr_table_t *t, const char *name,
                       const char *origin)
{
    take_ctx tc;
    tc.r = r;
    tc.origin = origin;
    tc.n = 0;
    apr_table_do(take_one, &tc, t, name, NULL);
    if (tc.n)
        apr_table_unset(t, name);
}

void fm_store_capture(request_rec *r)
{
    const fm_settings *c = fm_settings_of(r);
    fm_state *st = state_of(r);
    request_rec *q;

    if (!c->enabled)
        return;
    if (!r->main) {
        if (st->flags & FM_STORE_CAPTURED)
            return;
        st->flags |= FM_STORE_CAPTURED;
        if (c->clear || clear_noted(r)) {
            loaded(r);
            if (st->msgs->nelts) {
                fm_count(FM_C_CLEARED, st->msgs->nelts);
                fm_trace_add(r, FM_TRACE_CLEARED, st->msgs->nelts);
                ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                              "%d pending message(s) cleared for %s",
                              st->msgs->nelts, r->uri);
            }
            fm_store_consume_all(r);
        }
    }
    /* This request and the ones it was internally redirected from: their
     * headers and notes are not seen by any other filter call.  A
     * subrequest (an SSI include) takes its own. */
    for (q = r; q; q = q->prev) {
        take_table(r, q->headers_out, c->header, "response header");
        take_table(r, q->err_headers_out, c->header, "response header");
        take_table(r, q->notes, FM_NOTE_KEY, "request note");
    }
    if (c->adds && !r->main) {
        const fm_conf_add *a = (const fm_conf_add *)c->adds->elts;
        int i;
        for (i = 0; i < c->adds->nelts; i++)
            add_one(r, a[i].level, a[i].text, NULL, FM_C_ADDED_CONFIG);
    }
}

void fm_store_consume(request_rec *r, int n)
{
    fm_state *st = loaded(r);
    apr_array_header_t *m = st->msgs;
    if (n > m->nelts)
        n = m->nelts;
    if (n <= 0)
        return;
    memmove(m->elts, m->elts + (apr_size_t)n * sizeof(fm_message),
            (apr_size_t)(m->nelts - n) * sizeof(fm_message));
    m->nelts -= n;
    if (st->exposed > n) {
        st->exposed -= n;
        if (st->exposed_skip)
            st->exposed_skip += n;
    }
    else {
        st->exposed = 0;
        st->exposed_skip = NULL;
    }
    st->changed = 1;
}

void fm_store_consume_all(request_rec *r)
{
    fm_store_consume(r, state_of(r)->msgs->nelts);
}

void fm_store_commit(request_rec *r, int rendered)
{
    fm_state *st = state_of(r);
    /* Pending messages this response could not show (a redirect, an error,
     * JSON ?peek, no placeholder): counted once per response. */
    if (!rendered && !(st->flags & FM_STORE_COMMITTED) && st->loaded
        && st->msgs->nelts)
        fm_count(FM_C_KEPT_PENDING, st->msgs->nelts);
    st->flags |= FM_STORE_COMMITTED;
    if (rendered) {
        st->flags |= FM_STORE_RENDERED;
        fm_cache_forbid_all(r);
    }
    if ((st->flags & FM_STORE_SAVED) || !st->changed)
        return;
    st->flags |= FM_STORE_SAVED;
    fm_storage_save(r, st->msgs, &st->held);
    /* This response now carries one client's state (docs/spec.md §2.6). */
    if (!rendered)
        fm_cache_forbid_sharing(r);
}

void fm_store_confirm(request_rec *r)
{
    fm_state *st = peek(r);
    if (st && (st->flags & FM_STORE_SAVED))
        fm_storage_confirm(r, st->msgs, &st->held);
}

const char *fm_store_json_oldest(request_rec *r, int n)
{
    const apr_array_header_t *msgs = fm_store_pending(r);
    return fm_json_messages(r->pool, fm_server_of(r)->levels,
                            fm_settings_of(r)->tags,
                            (const fm_message *)msgs->elts,
                            n < msgs->nelts ? n : msgs->nelts);
}

const char *fm_store_json(request_rec *r)
{
    return fm_store_json_oldest(r, fm_store_pending(r)->nelts);
}

void fm_store_mark_exposed(request_rec *r, int span, const char *skip)
{
    fm_state *st = state_of(r);
    st->exposed = span;
    st->exposed_skip = skip;
}

int fm_store_consume_exposed(request_rec *r)
{
    fm_state *st = peek(r);
    fm_message *m;
    int i, j, span;
    if (!st || (span = st->exposed) <= 0)
        return 0;
    if (span > st->msgs->nelts)
        span = st->msgs->nelts;
    /* One pass: the skipped ones keep their places among the rest. */
    m = (fm_message *)st->msgs->elts;
    for (i = j = 0; i < st->msgs->nelts; i++)
        if (i >= span || (st->exposed_skip && st->exposed_skip[i]))
            m[j++] = m[i];
    i = st->msgs->nelts - j;
    st->msgs->nelts = j;
    st->exposed = 0;
    st->exposed_skip = NULL;
    if (i)
        st->changed = 1;
    return i;
}

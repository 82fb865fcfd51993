/*
 * cookie_storage.c - pending messages in signed (optionally encrypted)
 * cookies, one cookie per batch: the messages one response adds go into a
 * cookie of their own, NAME.ID (ID random), and a response that shows
 * messages deletes exactly the cookies it showed.  Nothing is ever
 * rewritten, so two requests of one browser in parallel (two tabs, a page
 * and an XHR) neither lose a message one of them added nor bring back one
 * the other showed: each only creates its own cookies and deletes the ones
 * it read (docs/storage.md, "Two tabs").  All of them together stay within
 * FlashMsgCookieMaxSize.  The codec (core/cookie_codec.c) does the bytes,
 * with the cookie's full name bound into the MAC, so a value cannot be
 * moved to another name.  A single cookie NAME from earlier versions is
 * read as one batch.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_general.h>
#include <http_protocol.h>

#include "storage/backend.h"
#include "core/message_list.h"
#include "stats/counters.h"
#include "core/cookie_header.h"

APLOG_USE_MODULE(flashmsg);


typedef struct {
    apr_pool_t *p;
    const char *base;
    apr_array_header_t *pairs;
} find_ctx;

static int find_in_header(void *vctx, const char *key, const char *value)
{
    find_ctx *fc = vctx;
    (void)key;
    fm_cookie_header_find_family(fc->p, value, fc->base, fc->pairs);
    return 1;
}

/* Every cookie of our family, from every Cookie field (HTTP/2 may send
 * several). */
static apr_array_header_t *family_cookies(request_rec *r, const char *base)
{
    find_ctx fc;
    fc.p = r->pool;
    fc.base = base;
    fc.pairs = apr_array_make(r->pool, 2, sizeof(fm_cookie_pair));
    apr_table_do(find_in_header, &fc, r->headers_in, "Cookie", NULL);
    return fc.pairs;
}

/* apr_table_do callback: stop (return 0) at the first header with one.
 * The name is asked for only when there is a Cookie header: a request
 * without one (most requests for images, scripts, styles) does not pay
 * for the scheme lookup fm_cookie_name makes. */
typedef struct {
    request_rec *r;
    const char *base;
} presence_ctx;

static int lacks_cookie(void *v, const char *key, const char *value)
{
    presence_ctx *pc = v;
    (void)key;
    if (!pc->base)
        pc->base = fm_cookie_name(pc->r);
    return !fm_cookie_header_has(value, pc->base, 1);
}

int fm_cookie_present(request_rec *r)
{
    presence_ctx pc;
    pc.r = r;
    pc.base = NULL;
    /* apr_table_do returns 0 when a callback stopped it. */
    return !apr_table_do(lacks_cookie, &pc, r->headers_in, "Cookie", NULL);
}

/* Up to this many cookies of ours, duplicates are found by comparing with
 * the earlier ones; more (a hostile header) go through a hash so the work
 * stays linear.  Hashing whole values costs more than the comparisons for
 * the usual one to three cookies. */
#define FM_FEW_COOKIES 8

/* Was `key` (name, or name=value) met before in this request?  `count` is
 * how many candidates there are in all; `earlier` lists the earlier keys'
 * owners for the comparison. */
static int met_before(apr_pool_t *p, apr_hash_t **index, int count,
                      const char *name, const char *value,
                      const fm_cookie_pair *earlier, int n_earlier)
{
    int j;
    if (count <= FM_FEW_COOKIES) {
        for (j = 0; j < n_earlier; j++)
            if (!strcmp(earlier[j].name, name)
                && (!value || !strcmp(earlier[j].value, value)))
                return 1;
        return 0;
    }
    {
        const char *key = value ? apr_pstrcat(p, name, "=", value, NULL)
                                : name;
        if (!*index)
            *index = apr_hash_make(p);
        if (apr_hash_get(*index, key, APR_HASH_KEY_STRING))
            return 1;
        apr_hash_set(*index, key, APR_HASH_KEY_STRING, key);
        return 0;
    }
}

/* Rejected values are logged, a few of them: junk can come by the dozen. */
#define FM_REJECTS_LOGGED 3

/*
 * Every cookie of our family the client sent is considered (docs/spec.md §5): junk
 * set from a sibling domain or over plain HTTP cannot hide a valid value,
 * and is not ours to judge -- it is neither trusted nor a reason to write.
 * Only when no value checks out are the family's cookies deleted.
 */
unsigned fm_cookie_read(request_rec *r, apr_array_header_t *msgs,
                        fm_held *held)
{
    const fm_srv_conf *sc = fm_server_of(r);
    fm_budget b;
    const char *base;
    apr_array_header_t *pairs;
    apr_hash_t *seen = NULL, *names = NULL;
    apr_array_header_t *valid_names;
    const char *why[FM_REJECTS_LOGGED];
    apr_size_t why_len[FM_REJECTS_LOGGED];
    unsigned all_flags = 0;
    int i, valid = 0, rejected = 0, before = msgs->nelts;

    fm_cookie_budget(r, &b);
    base = b.opts.cookie_name;
    pairs = family_cookies(r, base);
    if (pairs->nelts == 0)
        return 0;
    held->had_cookie = 1;
    if (!sc->keys) {
        fm_count(FM_C_COOKIE_FAILURES, 1);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "no FlashMsgSecret for this server; cookie ignored");
        return 0;
    }
    held->batches = apr_array_make(r->pool, pairs->nelts, sizeof(fm_batch));
    /* (only needed to spot a name sent twice) */
    valid_names = pairs->nelts > 1 ? apr_array_make(r->pool, pairs->nelts,
                                                    sizeof(fm_cookie_pair))
                                   : NULL;
    for (i = 0; i < pairs->nelts; i++) {
        const fm_cookie_pair *c = &APR_ARRAY_IDX(pairs, i, fm_cookie_pair);
        fm_codec_opts o = b.opts;
        fm_batch *batch;
        apr_array_header_t *got;
        unsigned flags = 0;
        int expired = 0, key_index = 0;
        fm_decode_status ds;

        if (met_before(r->pool, &seen, pairs->nelts, c->name, c->value,
                       (const fm_cookie_pair *)pairs->elts, i))
            continue;           /* the same cookie twice counts once */
        o.cookie_name = c->name;
        got = apr_array_make(msgs->pool, 2, sizeof(fm_message));
        ds = fm_cookie_decode(msgs->pool, sc->keys, &o, c->value,
                              c->value_len, fm_now(), got, &flags,
                              &expired, &key_index);
        if (ds != FM_DECODE_OK) {
            fm_count(ds == FM_DECODE_MALFORMED ? FM_C_REJECTED_MALFORMED
                     : ds == FM_DECODE_FUTURE ? FM_C_REJECTED_EXPIRED
                     : FM_C_REJECTED_SIGNATURE, 1);
            if (rejected < FM_REJECTS_LOGGED) {
                why[rejected] = fm_decode_status_str(ds);
                why_len[rejected] = c->value_len;
            }
            rejected++;
            if (!held->rejected)
                held->rejected = apr_array_make(r->pool, 1,
                                                sizeof(const char *));
            APR_ARRAY_PUSH(held->rejected, const char *) = c->name;
            continue;
        }
        valid++;
        all_flags |= flags & ~(unsigned)FM_COOKIE_REF;
        batch = apr_array_push(held->batches);
        batch->name = c->name;
        batch->msgs = got;
        batch->size = strlen(c->name) + c->value_len + 3;  /* "=", "; " */
        batch->keep = !expired;
        batch->ref = NULL;
        batch->ref_created = 0;
        batch->unread = 0;
        if (flags & FM_COOKIE_REF) {
            /* A reference to a batch in the cache (socache storage): its
             * one entry's text is the id; the messages are read there. */
            if (got->nelts == 1) {
                batch->ref = APR_ARRAY_IDX(got, 0, fm_message).text;
                batch->ref_created = APR_ARRAY_IDX(got, 0, fm_message).created;
            }
            batch->msgs = apr_array_make(msgs->pool, 2, sizeof(fm_message));
            /* Read where the server has the cache (fm_socache_follow),
             * else left as it is: never deleted unread. */
            batch->unread = 1;
            if (!batch->ref)
                batch->keep = 0;      /* expired */
            if (!batch->keep)
                held->stale = 1;
            continue;
        }
        apr_array_cat(msgs, got);
        fm_storage_expired(r, held, expired);
        if (key_index > 0)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                          "cookie verified with old key %d", key_index + 1);
        /* Two valid values under one name (say, after FlashMsgCookieDomain
         * changed) cannot be told apart by a deletion: rewrite both. */
        if (valid_names
            && met_before(r->pool, &names, pairs->nelts, c->name, NULL,
                          (const fm_cookie_pair *)valid_names->elts,
                          valid_names->nelts)) {
            for (int j = 0; j < held->batches->nelts; j++)
                if (!strcmp(APR_ARRAY_IDX(held->batches, j, fm_batch).name,
                            c->name))
                    APR_ARRAY_IDX(held->batches, j, fm_batch).keep = 0;
            held->stale = 1;
        }
        if (valid_names)
            APR_ARRAY_PUSH(valid_names, fm_cookie_pair) = *c;
    }
    for (i = 0; i < rejected && i < FM_REJECTS_LOGGED; i++)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "cookie %s ignored%s: %s (%" APR_SIZE_T_FMT " bytes)",
                      base, valid ? " (a valid value was found)"
                      : " and deleted", why[i], why_len[i]);
    if (rejected > FM_REJECTS_LOGGED)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "cookie %s: %d more value(s) ignored", base,
                      rejected - FM_REJECTS_LOGGED);
    if (valid == 0) {
        /* Nothing usable: delete what the client holds under our names. */
        held->stale = 1;
        return 0;
    }
    if (valid > 1)
        fm_list_sort_unique(msgs);   /* oldest first, each message once */
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d pending message(s) loaded from %d cookie(s)%s",
                  msgs->nelts - before, valid,
                  (all_flags & FM_COOKIE_CONTINUED)
                  ? ", more in the session" : "");
    return all_flags;
}

/* What every cookie of ours ends with: the fixed attributes, then the
 * pieces below, all concatenated with the cookie in one go. */
#define FIXED_ATTRS "; Path=/; HttpOnly; SameSite=Lax"

typedef struct {
    const char *secure;         /* "; Secure" or "" */
    const char *domain_attr;    /* "; Domain=" or "" */
    const char *domain;
} cookie_attrs_t;

/* Browsers enforce the name prefixes (RFC 6265bis): __Secure- needs Secure,
 * __Host- needs Secure, Path=/ and no Domain.  Secure also on HTTPS. */
static void cookie_attrs(request_rec *r, cookie_attrs_t *a)
{
    const fm_settings *c = fm_settings_of(r);
    const char *name = fm_cookie_name(r);
    int secure = fm_cookie_name_is_host_only(name)
                 || !strncmp(name, "__Secure-", 9)
                 || !strcasecmp(ap_http_scheme(r), "https");
    /* (a __Host- name never has a domain: config.c resolves it away) */
    a->secure = secure ? "; Secure" : "";
    a->domain_attr = c->cookie_domain ? "; Domain=" : "";
    a->domain = c->cookie_domain ? c->cookie_domain : "";
}

typedef struct {
    const char *base;
    apr_size_t len;
    apr_array_header_t *others;
    int ours;
} set_cookie_ctx;

/* Is this Set-Cookie value one of our family's ("base=" or "base.")? */
static int keep_others(void *v, const char *key, const char *value)
{
    set_cookie_ctx *sc = v;
    (void)key;
    if (!strncmp(value, sc->base, sc->len)
        && (value[sc->len] == '=' || value[sc->len] == '.'))
        sc->ours++;
    else
        APR_ARRAY_PUSH(sc->others, const char *) = value;
    return 1;
}

/* A second save in one response replaces the first (the last-line filter
 * may redo what the body filter did): only the last one's cookies go out. */
static void forget_earlier_writes(request_rec *r, const char *base)
{
    set_cookie_ctx sc;
    int i;
    sc.base = base;
    sc.len = strlen(base);
    sc.others = apr_array_make(r->pool, 2, sizeof(const char *));
    sc.ours = 0;
    apr_table_do(keep_others, &sc, r->err_headers_out, "Set-Cookie", NULL);
    if (!sc.ours)
        return;
    apr_table_unset(r->err_headers_out, "Set-Cookie");
    for (i = 0; i < sc.others->nelts; i++)
        apr_table_addn(r->err_headers_out, "Set-Cookie",
                       APR_ARRAY_IDX(sc.others, i, const char *));
}

static void delete_cookie(request_rec *r, const char *name)
{
    cookie_attrs_t a;
    cookie_attrs(r, &a);
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_pstrcat(r->pool, name, "=; Max-Age=0; "
                               "Expires=Thu, 01 Jan 1970 00:00:00 GMT"
                               FIXED_ATTRS, a.secure, a.domain_attr,
                               a.domain, NULL));
}

static int sent_twice_before(const fm_held *held, int i)
{
    const char *name = APR_ARRAY_IDX(held->batches, i, fm_batch).name;
    int j;
    for (j = 0; j < i; j++)
        if (!strcmp(APR_ARRAY_IDX(held->batches, j, fm_batch).name, name))
            return 1;
    return 0;
}

static void set_batch_cookie(request_rec *r, const char *name,
                             const char *value, apr_int64_t max_age)
{
    cookie_attrs_t a;
    cookie_attrs(r, &a);
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, "%s=%s; Max-Age=%" APR_INT64_T_FMT
                                FIXED_ATTRS "%s%s%s", name, value, max_age,
                                a.secure, a.domain_attr, a.domain));
}

/* Delete exactly the cookies that were read and do not stay: a cookie
 * another request added meanwhile is not among them.  A reference's entry
 * goes with its cookie (a tombstone, socache_storage.c).  new_name: the
 * cookie about to be set, NULL if none (a name it replaces is not deleted
 * first). */
static void delete_unkept(request_rec *r, const fm_held *held,
                          const fm_cookie_plan *plan, const char *new_name)
{
    int i;
    forget_earlier_writes(r, fm_cookie_name(r));
    for (i = 0; held->batches && i < held->batches->nelts; i++) {
        const fm_batch *bt = &APR_ARRAY_IDX(held->batches, i, fm_batch);
        /* (a name sent twice is deleted once) */
        if (fm_cookie_plan_keeps(plan, bt) || sent_twice_before(held, i))
            continue;
        if (!new_name || strcmp(new_name, bt->name))
            delete_cookie(r, bt->name);
        if (bt->ref && !bt->unread)
            fm_socache_retire(r, bt);
    }
    if (held->rejected && (!held->batches || !held->batches->nelts))
        for (i = 0; i < held->rejected->nelts; i++)
            delete_cookie(r, APR_ARRAY_IDX(held->rejected, i, const char *));
}

/* Set the new batch cookie `name` holding msgs[0..n) with flags; returns
 * its value, or NULL (and the loss logged) without a secret. */
static const char *write_batch(request_rec *r, const char *name,
                               const fm_message *msgs, int n, unsigned flags)
{
    const fm_srv_conf *sc = fm_server_of(r);
    const char *value;
    fm_budget b;
    if (!sc->keys) {
        fm_count(FM_C_COOKIE_FAILURES, 1);
        fm_count(FM_C_LOST_SAVE, n);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "no FlashMsgSecret for this server; %d message(s) "
                      "lost", n);
        return NULL;
    }
    fm_cookie_budget(r, &b);
    b.opts.cookie_name = name;
    value = fm_cookie_encode(r->pool, sc->keys, &b.opts, msgs, n, flags,
                             msgs[0].created);
    set_batch_cookie(r, name, value, b.opts.max_age);
    return value;
}

void fm_cookie_plan_write(request_rec *r, const fm_held *held,
                          const fm_cookie_plan *plan, const fm_message *msgs,
                          int n, unsigned flags)
{
    const char *name = n ? fm_cookie_new_batch_name(r, fm_cookie_name(r))
                         : NULL;
    const char *value;
    delete_unkept(r, held, plan, name);
    if (n && (value = write_batch(r, name, msgs, n, flags)))
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                      "%d message(s) stored in cookie %s (%" APR_SIZE_T_FMT
                      " bytes), %d cookie(s) kept as they are", n, name,
                      strlen(value), plan->kept->nelts);
}

void fm_cookie_plan_write_ref(request_rec *r, const fm_held *held,
                              const fm_cookie_plan *plan, const char *id)
{
    const char *name = id ? fm_cookie_new_batch_name(r, fm_cookie_name(r))
                          : NULL;
    fm_message m;
    delete_unkept(r, held, plan, name);
    if (!id)
        return;
    memset(&m, 0, sizeof(m));
    m.created = fm_now();
    m.extra_tags = "";
    m.text = id;
    write_batch(r, name, &m, 1, FM_COOKIE_REF);
}

apr_size_t fm_cookie_ref_size(request_rec *r)
{
    fm_budget b;
    fm_message m;
    char id[FM_SOCACHE_ID_CHARS + 1];
    fm_cookie_budget(r, &b);
    memset(&m, 0, sizeof(m));
    memset(id, 'A', FM_SOCACHE_ID_CHARS);
    id[FM_SOCACHE_ID_CHARS] = '\0';
    m.created = fm_now();
    m.extra_tags = "";
    m.text = id;
    return fm_cookie_encoded_len(&b.opts, &m, 1);
}

static void cookie_load(request_rec *r, apr_array_header_t *msgs,
                        fm_held *held)
{
    fm_cookie_read(r, msgs, held);
    fm_socache_follow(r, msgs, held);
}

/* Cookie storage alone keeps the newest messages that fit: a message too
 * large for any cookie goes first (it must not push out what is pending),
 * then older cookies make room, then the oldest of the new ones (fit.c). */
static void cookie_save(request_rec *r, const apr_array_header_t *list,
                        const fm_held *held)
{
    fm_cookie_plan plan;
    fm_budget b, room;
    apr_array_header_t *fitting;
    const fm_message *loose;
    int i, n, oversized = 0;

    fm_cookie_plan_make(r, list, held, &plan);
    fm_cookie_budget(r, &b);
    room = b;
    room.max = b.max > fm_cookie_batch_overhead(&b)
               ? b.max - fm_cookie_batch_overhead(&b) : 0;
    fitting = apr_array_make(r->pool, plan.loose->nelts + 1,
                             sizeof(fm_message));
    for (i = 0; i < plan.loose->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(plan.loose, i, fm_message);
        if (fm_fits_alone(&room, m))
            APR_ARRAY_PUSH(fitting, fm_message) = *m;
        else
            oversized++;
    }
    fm_count(FM_C_DROPPED_SIZE, oversized);
    if (oversized)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d message(s) dropped: they do not fit in "
                      "FlashMsgCookieMaxSize %" APR_SIZE_T_FMT " (%d too large "
                      "on their own, 0 oldest)", oversized, b.max, oversized);
    loose = (const fm_message *)fitting->elts;
    n = fitting->nelts;
    if (n)
        fm_cookie_plan_make_room(&plan, &b, fm_cookie_encoded_len(&b.opts,
                                                                  loose, n));
    fm_count(FM_C_DROPPED_SIZE, plan.dropped);
    if (plan.dropped)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FM_LOGPFX
                      "%d message(s) dropped: older cookies made room for "
                      "%d new one(s) within FlashMsgCookieMaxSize %"
                      APR_SIZE_T_FMT, plan.dropped, n, b.max);
    room.max = fm_cookie_plan_room(&plan, &b);
    loose = fm_fit_newest(r, &room, loose, n, &n);
    fm_cookie_plan_write(r, held, &plan, loose, n, 0);
}

const fm_storage_ops fm_cookie_storage = {
    "cookie",
    FM_C_COOKIE_LOADS,
    cookie_load,
    cookie_save,
    NULL            /* the Set-Cookie fields are written when it saves */
};

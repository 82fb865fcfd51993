/*
 * cookie_storage.c - pending messages in one signed (optionally encrypted)
 * cookie.  The codec (core/cookie_codec.c) does the bytes; this file reads
 * the Cookie header, logs what it rejects, and writes Set-Cookie.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_hash.h>
#include <http_protocol.h>

#include "storage/storage.h"
#include "core/cookie_header.h"

APLOG_USE_MODULE(flashmsg);

typedef struct {
    apr_pool_t *p;
    const char *name;
    apr_array_header_t *values;
} find_ctx;

static int find_in_header(void *vctx, const char *key, const char *value)
{
    find_ctx *fc = vctx;
    (void)key;
    fm_cookie_header_find(fc->p, value, fc->name, fc->values);
    return 1;
}

static apr_array_header_t *cookie_values(request_rec *r, const char *name)
{
    find_ctx fc;
    fc.p = r->pool;
    fc.name = name;
    fc.values = apr_array_make(r->pool, 2, sizeof(const char *));
    /* HTTP/2 may send several Cookie fields: look at all of them. */
    apr_table_do(find_in_header, &fc, r->headers_in, "Cookie", NULL);
    return fc.values;
}

/* apr_table_do callback: stop (return 0) at the first header with it. */
static int lacks_cookie(void *name, const char *key, const char *value)
{
    (void)key;
    return !fm_cookie_header_has(value, name);
}

int fm_cookie_present(request_rec *r)
{
    /* apr_table_do returns 0 when a callback stopped it. */
    return !apr_table_do(lacks_cookie, (void *)fm_settings_of(r)->cookie_name,
                         r->headers_in, "Cookie", NULL);
}

/* Rejected values are logged, a few of them: junk can come by the dozen. */
#define FM_REJECTS_LOGGED 3

/*
 * Every value of our cookie the client sent is considered (SPEC §5): junk
 * set from a sibling domain or over plain HTTP cannot hide a valid value,
 * and is not ours to judge -- it is neither trusted nor a reason to write.
 * Valid values are merged (a client may hold two of ours, e.g. after
 * FlashMsgCookieDomain changed) and then rewritten as one.  Only when no
 * value checks out is the cookie deleted.
 */
unsigned fm_cookie_read(request_rec *r, apr_array_header_t *msgs,
                        fm_held *held)
{
    const fm_srv_conf *sc = fm_server_of(r);
    fm_budget b;
    const char *name;
    apr_array_header_t *values;
    apr_hash_t *seen;
    const char *why[FM_REJECTS_LOGGED];
    apr_size_t why_len[FM_REJECTS_LOGGED];
    unsigned all_flags = 0;
    int i, valid = 0, rejected = 0, before = msgs->nelts;

    fm_cookie_budget(r, &b);
    name = b.opts.cookie_name;
    values = cookie_values(r, name);
    if (values->nelts == 0)
        return 0;
    held->had_cookie = 1;
    if (!sc->keys) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "no FlashMsgSecret for this server; cookie ignored");
        return 0;
    }
    seen = apr_hash_make(r->pool);
    for (i = 0; i < values->nelts; i++) {
        const char *v = APR_ARRAY_IDX(values, i, const char *);
        unsigned flags = 0;
        int expired = 0, key_index = 0;
        fm_decode_status ds;

        if (apr_hash_get(seen, v, APR_HASH_KEY_STRING))
            continue;           /* the same value twice counts once */
        apr_hash_set(seen, v, APR_HASH_KEY_STRING, v);
        ds = fm_cookie_decode(msgs->pool, sc->keys, &b.opts, v, strlen(v),
                              fm_now(), msgs, &flags, &expired, &key_index);
        if (ds != FM_DECODE_OK) {
            if (rejected < FM_REJECTS_LOGGED) {
                why[rejected] = fm_decode_status_str(ds);
                why_len[rejected] = strlen(v);
            }
            rejected++;
            continue;
        }
        valid++;
        all_flags |= flags;
        if (expired) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                          "%d message(s) expired (FlashMsgMaxAge)", expired);
            held->stale = 1;
        }
        if (key_index > 0)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                          "cookie verified with old key %d", key_index + 1);
    }
    for (i = 0; i < rejected && i < FM_REJECTS_LOGGED; i++)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "cookie %s ignored%s: %s (%" APR_SIZE_T_FMT " bytes)",
                      name, valid ? " (a valid value was found)"
                      : " and deleted", why[i], why_len[i]);
    if (rejected > FM_REJECTS_LOGGED)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FM_LOGPFX
                      "cookie %s: %d more value(s) ignored", name,
                      rejected - FM_REJECTS_LOGGED);
    if (valid == 0) {
        /* Nothing usable: delete what the client holds under our name. */
        held->stale = 1;
        return 0;
    }
    if (valid > 1) {
        /* Several of ours: one list, oldest first, each message once,
         * written back as one cookie. */
        fm_list_sort_unique(msgs);
        held->stale = 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d pending message(s) loaded from cookie%s",
                  msgs->nelts - before, (all_flags & FM_COOKIE_CONTINUED)
                  ? ", more in the session" : "");
    return all_flags;
}

/* Browsers enforce the name prefixes (RFC 6265bis): __Secure- needs Secure,
 * __Host- needs Secure, Path=/ and no Domain.  Secure also on HTTPS. */
static const char *cookie_attrs(request_rec *r)
{
    const fm_settings *c = fm_settings_of(r);
    int secure = fm_cookie_name_is_host_only(c->cookie_name)
                 || !strncmp(c->cookie_name, "__Secure-", 9)
                 || !strcasecmp(ap_http_scheme(r), "https");
    /* (a __Host- name never has a domain: config.c resolves it away) */
    return apr_pstrcat(r->pool, "; Path=/; HttpOnly; SameSite=Lax",
                       secure ? "; Secure" : "",
                       c->cookie_domain ? "; Domain=" : "",
                       c->cookie_domain ? c->cookie_domain : "", NULL);
}

typedef struct {
    const char *prefix;         /* "name=" */
    apr_size_t len;
    apr_array_header_t *others;
    int ours;
} set_cookie_ctx;

static int keep_others(void *v, const char *key, const char *value)
{
    set_cookie_ctx *sc = v;
    (void)key;
    if (strncmp(value, sc->prefix, sc->len))
        APR_ARRAY_PUSH(sc->others, const char *) = value;
    else
        sc->ours++;
    return 1;
}

/* A second write in one response replaces the first (the last-line filter
 * may rewrite what the body filter wrote): one Set-Cookie of ours at most. */
static void forget_earlier_write(request_rec *r, const char *name)
{
    set_cookie_ctx sc;
    int i;
    sc.prefix = apr_pstrcat(r->pool, name, "=", NULL);
    sc.len = strlen(sc.prefix);
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

void fm_cookie_write(request_rec *r, const fm_held *held,
                     const fm_message *msgs, int n, unsigned flags)
{
    const fm_srv_conf *sc = fm_server_of(r);
    fm_budget b;
    const char *name, *value;

    fm_cookie_budget(r, &b);
    name = b.opts.cookie_name;
    forget_earlier_write(r, name);
    if (n == 0 && !flags) {
        if (held->had_cookie)
            apr_table_addn(r->err_headers_out, "Set-Cookie",
                           apr_pstrcat(r->pool, name, "=; Max-Age=0; "
                                       "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                                       cookie_attrs(r), NULL));
        return;
    }
    if (!sc->keys) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FM_LOGPFX
                      "no FlashMsgSecret for this server; %d message(s) "
                      "lost", n);
        return;
    }
    value = fm_cookie_encode(r->pool, sc->keys, &b.opts, msgs, n, flags,
                             fm_now());
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, "%s=%s; Max-Age=%" APR_INT64_T_FMT
                                "%s", name, value, b.opts.max_age,
                                cookie_attrs(r)));
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FM_LOGPFX
                  "%d message(s) stored in cookie (%" APR_SIZE_T_FMT
                  " bytes)%s", n, strlen(value),
                  (flags & FM_COOKIE_CONTINUED) ? ", more in the session" : "");
}

static void cookie_load(request_rec *r, apr_array_header_t *msgs,
                        fm_held *held)
{
    fm_cookie_read(r, msgs, held);
}

/* Cookie storage alone keeps the newest messages that fit (fit.c). */
static void cookie_save(request_rec *r, const apr_array_header_t *list,
                        const fm_held *held)
{
    fm_budget b;
    const fm_message *kept;
    int n;
    fm_cookie_budget(r, &b);
    kept = fm_fit_newest(r, &b, (const fm_message *)list->elts, list->nelts,
                         &n);
    fm_cookie_write(r, held, kept, n, 0);
}

const fm_storage_ops fm_cookie_storage = {
    "cookie",
    cookie_load,
    cookie_save
};

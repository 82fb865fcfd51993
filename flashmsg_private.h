/*
 * flashmsg_private.h - what the httpd glue (mod_flashmsg.c, storage/,
 * filters/) shares: configuration, the per-request message store, and the
 * functions between them.  The core (core/) knows nothing of this file.
 */
#ifndef FLASHMSG_PRIVATE_H
#define FLASHMSG_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <util_filter.h>

#include "core/message.h"
#include "core/keys.h"
#include "core/template.h"
#include "core/placeholder.h"
#include "core/cookie_codec.h"

extern module AP_MODULE_DECLARE_DATA flashmsg_module;

#define FM_VERSION "0.1.0"

/* Log lines carry their own prefix: AHxxxxx numbers belong to httpd. */
#define FM_LOGPFX "mod_flashmsg: "

#define FM_UNSET -1

typedef enum {
    FM_STORAGE_UNSET = -1,
    FM_STORAGE_COOKIE = 0,
    FM_STORAGE_SESSION,
    FM_STORAGE_FALLBACK
} fm_storage_kind;

typedef struct {
    int level;
    const char *text;
} fm_conf_add;

/* Per-directory configuration; every field has an unset value and a merge rule
 * (see fm_merge_dir_conf). */
typedef struct {
    int enabled;                    /* FlashMsg */
    int storage;                    /* FlashMsgStorage */
    const char *cookie_name;        /* FlashMsgCookieName */
    const char *cookie_domain;      /* FlashMsgCookieDomain */
    apr_int64_t cookie_max_size;    /* FlashMsgCookieMaxSize */
    apr_int64_t max_age;            /* FlashMsgMaxAge */
    int encrypt;                    /* FlashMsgCookieEncrypt */
    int min_level;                  /* FlashMsgMinLevel */
    const fm_tagmap *tags;          /* FlashMsgTag, merged entry by entry */
    const char *header;             /* FlashMsgHeader */
    const char *placeholder;        /* FlashMsgPlaceholder */
    const apr_size_t *placeholder_fail;  /* its KMP table, built once */
    const fm_template *tmpl;        /* FlashMsgTemplate / FlashMsgTemplateFile */
    const apr_array_header_t *adds; /* FlashMsgAdd (fm_conf_add); inner replaces outer */
    apr_int64_t scan_limit;         /* FlashMsgScanLimit */
    int expose;                     /* FlashMsgExpose */
    int htmx;                       /* FlashMsgHTMX */
    const char *htmx_event;         /* FlashMsgHTMXEvent */
    int clear;                      /* FlashMsgClear */
} fm_dir_conf;

/* Per-server configuration. */
typedef struct {
    fm_levels *levels;              /* FlashMsgLevel, server-wide vocabulary */
    const fm_keyring *keys;         /* FlashMsgSecret, derived at start */
    const char *enabled_at;         /* "file:line" of a FlashMsg On in this server */
    const char *session_at;         /* "file:line" of a FlashMsgStorage session */
} fm_srv_conf;

/* Defaults. */
#define FM_DEFAULT_COOKIE      "flashmsg"
#define FM_DEFAULT_HEADER      "X-Flash"
#define FM_DEFAULT_PLACEHOLDER "<!--FLASH_MESSAGES-->"
#define FM_DEFAULT_MAX_SIZE    2048
#define FM_DEFAULT_MAX_AGE     86400
#define FM_DEFAULT_SCAN_LIMIT  (128 * 1024)
#define FM_NOTE_KEY            "flashmsg"
#define FM_DEFAULT_HTMX_EVENT  "flashmsg"
#define FM_PENDING_HEADER      "X-Flash-Pending"
#define FM_CONSUMED_HEADER     "X-Flash-Consumed"
#define FM_PENDING_ENV         "FLASHMSG"
#define FM_JSON_HANDLER        "flashmsg-json"
#define FM_CLEAR_NOTE          "flashmsg-clear"

/* The one message store of a request, shared by its subrequests and
 * internal redirects (it hangs off the initial request). */
typedef struct {
    apr_array_header_t *msgs;   /* fm_message, pending, oldest first */
    int loaded;                 /* storage has been read */
    int had_cookie;             /* the client sent our cookie */
    int had_session;            /* the session held our entry */
    int changed;                /* storage must be written */
    int captured;               /* this response's additions were taken */
    int saved;                  /* storage was written (once per request) */
    int exposed;                /* the first `exposed` messages were handed
                                 * to the backend (FlashMsgExpose) */
    int committed;              /* the page's headers are decided: later
                                 * additions (from subrequests) are lost */
    int rendered;               /* messages were rendered into this page */
} fm_state;

/* mod_flashmsg.c */
const fm_dir_conf *fm_dconf(request_rec *r);
const fm_srv_conf *fm_sconf(request_rec *r);
fm_state *fm_state_of(request_rec *r);
/* The store if this request has one already; never creates it. */
fm_state *fm_state_peek(request_rec *r);
/* Read storage once (no-op unless FlashMsg is on and state was sent). */
fm_state *fm_load(request_rec *r);
/* Add a message under r's configuration; returns 1 if kept. */
int fm_add(request_rec *r, int level, const char *text, const char *extra_tags);
/* Parse one X-Flash value / note and add its messages, logging problems. */
void fm_add_from_value(request_rec *r, const char *origin, const char *value);
/* Take the X-Flash fields, flashmsg notes and FlashMsgAdd of this response. */
void fm_capture(request_rec *r);
/* Does anything in this response add, clear or consume messages? */
int fm_response_concerns_us(request_rec *r);
/* Write storage if it changed; at most once per request. */
void fm_save(request_rec *r);
/* Everything pending was shown: clear the store. */
void fm_consume_all(request_rec *r);
apr_int64_t fm_now(void);
/* The compiled default template (Django's markup). */
const fm_template *fm_default_template(void);

/* Messages as JSON (core/json.c) under r's level and tag configuration. */
const char *fm_json_of(request_rec *r, const apr_array_header_t *msgs);

/* delivery/: the ways out other than the page placeholder */
int fm_json_handler(request_rec *r);
int fm_expose_fixups(request_rec *r);
/* X-Flash-Consumed from a backend that rendered the exposed messages. */
void fm_take_consumed(request_rec *r);
/* HTMX requests: pending messages as an HX-Trigger event; returns 1 if
 * they were delivered (and consumed). */
int fm_htmx_deliver(request_rec *r);

/* storage/cookie_storage.c */
int fm_cookie_present(request_rec *r);
/* A __Host- name: Secure, Path=/ and never a Domain. */
int fm_cookie_name_is_host_only(const char *name);
/* storage/storage.c: could the client have pending messages? (no decoding) */
int fm_storage_may_hold(request_rec *r);

/* The response header that adds messages (FlashMsgHeader or X-Flash). */
const char *fm_header_name(request_rec *r);

/* filters/inject_filter.c: the body filter.  It sits at one fixed type,
 * just below CONTENT_SET, and never moves: after every body rewriter
 * (RESOURCE: mod_include, mod_substitute, mod_sed, mod_proxy_html, mod_lua)
 * and whatever else lies between (mod_expires at CONTENT_SET-2,
 * ModSecurity at CONTENT_SET-3, ext_filter ftype 11..18), before
 * compression and mod_session's MOD_SESSION_OUT (CONTENT_SET) and mod_cache's
 * CACHE_SAVE (CONTENT_SET+1). */
#define FM_FILTER_NAME "FLASHMSG"
#define FM_FILTER_FTYPE (AP_FTYPE_CONTENT_SET - 1)
apr_status_t fm_inject_filter(ap_filter_t *f, apr_bucket_brigade *bb);

/* filters/guard_filter.c: the last line, just before the HTTP header
 * filter: strips X-Flash whatever happened, stores what the body filter
 * never saw, and re-applies the cache rules after mod_headers. */
#define FM_GUARD_FILTER_NAME "FLASHMSG_GUARD"
#define FM_GUARD_FTYPE (AP_FTYPE_PROTOCOL - 1)
extern ap_filter_rec_t *fm_guard_filter_rec;
apr_status_t fm_guard_filter(ap_filter_t *f, apr_bucket_brigade *bb);
/* The body filter f saw the response: tell the guard further down. */
void fm_guard_note_body_seen(ap_filter_t *f);

/* filters/cache_policy.c: every caching header the module sets. */
/* The response writes our state: no shared cache may store it. */
void fm_cache_forbid_sharing(request_rec *r);
/* The page shows messages: no cache at all, no validators. */
void fm_cache_forbid_all(request_rec *r);
/* HTML without caching headers of its own: browsers must revalidate. */
void fm_cache_revalidate_html(request_rec *r);

#endif

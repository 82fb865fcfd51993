/*
 * config.h - the configuration as the rest of the glue sees it: settings
 * with every default already resolved (fm_settings_of), the server-wide
 * records (fm_server_of), and the names every layer shares.  How the
 * directives are parsed and merged is private to config/.
 */
#ifndef FM_CONFIG_H
#define FM_CONFIG_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "core/message.h"
#include "core/keys.h"
#include "core/template.h"
#include "core/placeholder.h"
#include "core/version.h"

extern module AP_MODULE_DECLARE_DATA flashmsg_module;

/* Log lines carry their own prefix: AHxxxxx numbers belong to httpd. */
#define FM_LOGPFX "mod_flashmsg: "

/* Names the module uses on the wire and in httpd. */
#define FM_NOTE_KEY            "flashmsg"
#define FM_CLEAR_NOTE          "flashmsg-clear"
#define FM_PENDING_HEADER      "X-Flash-Pending"
#define FM_CONSUMED_HEADER     "X-Flash-Consumed"
#define FM_PENDING_ENV         "FLASHMSG"
#define FM_JSON_HANDLER        "flashmsg-json"

/* Defaults of the directives (docs/directives.md says
 * the same; `make docs-check` compares them). */
#define FM_DEFAULT_COOKIE      "flashmsg"
#define FM_HOST_PREFIX         "__Host-"
#define FM_DEFAULT_HEADER      "X-Flash"
#define FM_DEFAULT_PLACEHOLDER "<!--FLASH_MESSAGES-->"
#define FM_DEFAULT_MAX_SIZE    2048
#define FM_DEFAULT_SESSION_MAX_SIZE 2048
#define FM_DEFAULT_MAX_AGE     86400
#define FM_DEFAULT_SCAN_LIMIT  (128 * 1024)
#define FM_DEFAULT_HTMX_EVENT  "flashmsg"
/* FlashMsgSocacheTimeout: microseconds (apr_interval_time_t). */
#define FM_DEFAULT_SOCACHE_TIMEOUT 1000000

typedef enum {
    FM_STORAGE_COOKIE,
    FM_STORAGE_SESSION,
    FM_STORAGE_FALLBACK,
    FM_STORAGE_SOCACHE
} fm_storage_kind;

/* FlashMsgAdd LEVEL TEXT */
typedef struct {
    int level;
    const char *text;
    const char *where;              /* "file:line" of the directive */
} fm_conf_add;

/* The effective settings of a request's directory: every field holds its
 * directive's value or its default, resolved when the configuration is
 * merged, never at the point of use. */
typedef struct {
    int enabled;                    /* FlashMsg */
    fm_storage_kind storage;        /* FlashMsgStorage */
    const char *cookie_name;        /* FlashMsgCookieName */
    const char *cookie_name_https;  /* the name on HTTPS: __Host- before
                                     * the default name, unless a name or
                                     * a domain is configured */
    const char *cookie_domain;      /* FlashMsgCookieDomain, NULL if none */
    apr_size_t cookie_max_size;     /* FlashMsgCookieMaxSize */
    apr_size_t session_max_size;    /* FlashMsgSessionMaxSize */
    apr_int64_t max_age;            /* FlashMsgMaxAge */
    int encrypt;                    /* FlashMsgCookieEncrypt */
    int min_level;                  /* FlashMsgMinLevel */
    const fm_tagmap *tags;          /* FlashMsgTag, NULL if none */
    const char *header;             /* FlashMsgHeader */
    const fm_pattern *placeholder;  /* FlashMsgPlaceholder, compiled */
    const fm_template *tmpl;        /* FlashMsgTemplate(File), compiled */
    const apr_array_header_t *adds; /* FlashMsgAdd (fm_conf_add), or NULL */
    apr_size_t scan_limit;          /* FlashMsgScanLimit */
    int expose;                     /* FlashMsgExpose */
    int htmx;                       /* FlashMsgHTMX */
    const char *htmx_event;         /* FlashMsgHTMXEvent */
    int clear;                      /* FlashMsgClear */
    int history_guard;              /* FlashMsgHistoryGuard */
    const char *guard_nonce_var;    /* its nonce variable, NULL if none */
    int trace;                      /* FlashMsgTrace */
} fm_settings;

/* Per-server records. */
typedef struct {
    fm_levels *levels;              /* FlashMsgLevel, server-wide vocabulary */
    const fm_keyring *keys;         /* FlashMsgSecret, derived at start */
    const char *enabled_at;         /* "file:line" of a FlashMsg On here */
    const char *session_at;         /* "file:line" of a FlashMsgStorage session */
    const char *socache_at;         /* "file:line" of a FlashMsgStorage socache */
    const char *socache_spec;       /* FlashMsgSocache as written, or NULL */
    const void *socache_provider;   /* its ap_socache_provider_t */
    void *socache_instance;         /* its ap_socache_instance_t, created
                                     * when the directive is read */
    void *socache_watch;            /* its stall breaker (fm_engine_watch),
                                     * one per instance, made at start */
    apr_interval_time_t socache_timeout;    /* FlashMsgSocacheTimeout, or
                                             * FM_UNSET */
    apr_int64_t largest_session_max_size;   /* the largest
                                             * FlashMsgSessionMaxSize in the
                                             * server and its sections (0:
                                             * none set): an socache entry
                                             * written in one is read in any */
} fm_srv_conf;

const fm_settings *fm_settings_of(request_rec *r);
const fm_srv_conf *fm_server_of(request_rec *r);
/* FlashMsgSocacheTimeout of a server, or its default. */
apr_interval_time_t fm_socache_timeout(const fm_srv_conf *sc);
/* The settings of a configuration vector (a server's defaults or one
 * <Directory>/<Location> section), as merged so far. */
const fm_settings *fm_settings_in(ap_conf_vector_t *v);

/* The base name of the module's cookies for this request: on HTTPS with
 * the default name, __Host-flashmsg (docs/spec.md §5: a sibling subdomain cannot
 * set or shadow such a cookie). */
const char *fm_cookie_name(request_rec *r);

/* A __Host- cookie name: Secure, Path=/ and never a Domain. */
int fm_cookie_name_is_host_only(const char *name);

/* What a layer above needs of a server at start (storage/: a module, a
 * cache): does server v, configured sc, lack it?  With `say`, also log
 * why (the error check_config stops with). */
typedef int (*fm_server_need)(server_rec *v, const fm_srv_conf *sc, int say);

/* For the module record in mod_flashmsg.c: the directive table
 * (config/directives.c), the configuration records (config/config.c) and
 * the whole-configuration checks (config/validate.c; OK or an error status,
 * having logged why), with the n needs of the layers above checked in the
 * same walk over the servers. */
int fm_config_validate(server_rec *s, apr_pool_t *ptemp,
                       const fm_server_need *needs, int n);
extern const command_rec fm_directives[];
void *fm_create_dir_conf(apr_pool_t *p, char *dir);
void *fm_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *fm_create_srv_conf(apr_pool_t *p, server_rec *s);
void *fm_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

#endif

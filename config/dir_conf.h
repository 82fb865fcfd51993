/*
 * dir_conf.h - the per-directory record as the directives fill it, private
 * to config/.  Every field has an "unset" value and a merge rule in
 * config.c; `make config-check` (scripts/check_config_fields.py) verifies
 * that each field is initialised in create and merged in merge.
 */
#ifndef FM_DIR_CONF_H
#define FM_DIR_CONF_H

#include "config/config.h"

#define FM_UNSET -1

typedef struct {
    /* As written by the directives; FM_UNSET / NULL when not given. */
    int enabled;                    /* FlashMsg */
    int storage;                    /* FlashMsgStorage (fm_storage_kind) */
    const char *cookie_name;        /* FlashMsgCookieName */
    const char *cookie_domain;      /* FlashMsgCookieDomain */
    apr_int64_t cookie_max_size;    /* FlashMsgCookieMaxSize */
    apr_int64_t session_max_size;   /* FlashMsgSessionMaxSize */
    apr_int64_t max_age;            /* FlashMsgMaxAge */
    int encrypt;                    /* FlashMsgCookieEncrypt */
    int min_level;                  /* FlashMsgMinLevel */
    const fm_tagmap *tags;          /* FlashMsgTag, merged entry by entry */
    const char *header;             /* FlashMsgHeader */
    const fm_pattern *placeholder;  /* FlashMsgPlaceholder, compiled */
    const fm_template *tmpl;        /* FlashMsgTemplate / FlashMsgTemplateFile */
    const apr_array_header_t *adds; /* FlashMsgAdd; inner replaces outer */
    apr_int64_t scan_limit;         /* FlashMsgScanLimit */
    int expose;                     /* FlashMsgExpose */
    int htmx;                       /* FlashMsgHTMX */
    const char *htmx_event;         /* FlashMsgHTMXEvent */
    int clear;                      /* FlashMsgClear */
    int history_guard;              /* FlashMsgHistoryGuard On|Off */
    const char *guard_nonce_var;    /* FlashMsgHistoryGuard's VARIABLE, "" if
                                       none was given */
    int trace;                      /* FlashMsgTrace */

    /* The same with defaults filled in: what requests read. */
    fm_settings eff;
} fm_dir_conf;

/* A directive changed c: bring its effective settings up to date. */
void fm_dir_conf_changed(fm_dir_conf *c);

/* The main server's record: level names defined there are known while
 * the directives of a <VirtualHost> are read. */
fm_srv_conf *fm_main_server_conf(void);

#endif

/*
 * cache_policy.h - every caching header the module sets (cache_policy.c).
 */
#ifndef FM_CACHE_POLICY_H
#define FM_CACHE_POLICY_H

#include "config/config.h"
#include "http/response.h"

/* The response writes a client's state: no shared cache may store it
 * (public and s-maxage removed, private added, mod_cache told). */
void fm_cache_forbid_sharing(request_rec *r);
/* The page shows messages: no cache at all, no validators. */
void fm_cache_forbid_all(request_rec *r);
/* HTML without caching headers of its own (seen: its headers, looked at
 * by fm_response_look): browsers must revalidate. */
void fm_cache_revalidate_html(request_rec *r, const fm_response_seen *seen);

/* The request carries our cookie: mod_cache must neither serve nor store. */
void fm_cache_bypass(request_rec *r);
/* Messages are pending: no 304 may hide them. */
void fm_cache_no_304(request_rec *r);

#endif

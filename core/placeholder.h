/*
 * placeholder.h - streaming placeholder matcher.  Finds every occurrence of
 * a fixed pattern in a stream split into arbitrary chunks while holding
 * back at most len-1 bytes, and those held bytes are always a prefix of the
 * pattern, so the matcher itself stores no data: the caller drops held
 * bytes from its buffers and re-emits them from the pattern if they turn
 * out not to be a match (KMP failure function).  Server independent.
 */
#ifndef FM_PLACEHOLDER_H
#define FM_PLACEHOLDER_H

#include <apr_pools.h>

/* A placeholder compiled once (at configuration time): shared, read-only. */
typedef struct {
    const char *pat;
    apr_size_t len;
    const apr_size_t *fail;   /* KMP failure function, len entries */
    apr_size_t rare;          /* index of the byte of pat least likely in
                               * a page: the whole-pattern search looks
                               * for it with memchr() */
} fm_pattern;

/* The state of one stream's scan for a pattern. */
typedef struct {
    const fm_pattern *p;
    apr_size_t held;    /* bytes of pat[0..held) held back so far */
} fm_matcher;

/* One step of output for a chunk, in this order:
 *   1. pat[0..release)                 (previously held bytes, now known
 *                                       not to be part of a match)
 *   2. buf[start .. start + data_len)  (chunk bytes to pass on)
 *   3. the replacement, if matched
 * Scanning continues at buf offset next.  When matched == 0, next == the
 * chunk length and the bytes buf[start+data_len .. n) are held (drop them).
 * When matched == 1, the bytes buf[start+data_len .. next) are the part of
 * the placeholder inside this chunk (drop them). */
typedef struct {
    apr_size_t release;
    apr_size_t data_len;
    int matched;
    apr_size_t next;
} fm_step;

/* Compile pat (len >= 1, copied into p). */
const fm_pattern *fm_pattern_compile(apr_pool_t *p, const char *pat,
                                     apr_size_t len);
/* Start scanning a new stream for pattern. */
void fm_matcher_start(fm_matcher *m, const fm_pattern *pattern);
/* Scan buf[start..n). */
void fm_matcher_step(fm_matcher *m, const char *buf, apr_size_t start,
                     apr_size_t n, fm_step *out);
/* At end of stream: bytes of pat to emit (the held prefix); resets held. */
apr_size_t fm_matcher_finish(fm_matcher *m);

#endif

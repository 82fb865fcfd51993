/*
 * header_parser.h - the X-Flash grammar (also used for "flashmsg" request
 * notes).  Server independent.
 *
 * Two forms, chosen by the first non-blank byte of the value:
 *   simple      LEVEL [EXTRA-TAG ...] ":" TEXT
 *               e.g.  "success: Profile saved."   "warning sticky big: Disk"
 *   structured  an RFC 9651 List whose members are sf-strings or Display
 *               Strings with parameters level (token or integer, default
 *               info) and tags (sf-string), used when the value starts with
 *               '"' or '%"'; parsed strictly first, then leniently (see
 *               fm_header_parse_ex).
 */
#ifndef FM_HEADER_PARSER_H
#define FM_HEADER_PARSER_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "message.h"

/*
 * What a parse did beyond adding messages, for the log.  Structured form
 * only: a simple-form value reports members == 0 and nothing skipped.
 */
typedef struct {
    apr_size_t index;       /* 1-based position of the member in the list */
    apr_size_t offset, len; /* the member's bytes in the value, without the
                             * blanks around it (len 0: an empty member) */
    const char *reason;     /* why: short ASCII, no bytes of the value */
} fm_header_skip;

/* At most this many fm_header_skip records are kept (all are counted). */
#define FM_HEADER_SKIPS_KEPT 16

typedef struct {
    apr_size_t members;     /* members of the list, skipped ones included */
    int lenient;            /* the strict RFC 9651 parse failed and the list
                             * was parsed member by member (below) */
    apr_size_t nskipped;    /* members that added nothing because they were
                             * malformed or unusable */
    apr_array_header_t *skipped;    /* the first FM_HEADER_SKIPS_KEPT of
                                     * them (fm_header_skip), in order */
} fm_header_report;

/*
 * Parse one field value of len bytes and append the messages it carries to
 * out (an array of fm_message), through fm_list_add (so empty text and
 * levels below min_level are dropped silently: that is not an error).
 *
 * The structured form is parsed as RFC 9651 says first (the fast path).
 * Only when that fails is it parsed leniently, with two extensions:
 *  1. inside a String ("...") or a Display String (%"..."), bytes 0x80-0xFF
 *     are text when the string's text is valid UTF-8 (invalid UTF-8, CTLs
 *     and DEL are still refused);
 *  2. a member that cannot be parsed is skipped on its own: the value is
 *     cut into members at every ',' outside strings (a '"' opens a String,
 *     with backslash escapes, or a Display String when a '%' is just before
 *     it, without escapes; a string that never closes runs to the end of
 *     the value), and each member is parsed alone, between its commas.
 * A well formed member that is unusable (an inner list, not a string, an
 * unknown level, tags not a string, text with control characters) is
 * skipped the same way, in both parses.
 *
 * Returns NULL when nothing was refused.  Otherwise a short human readable
 * reason (allocated from p, no value bytes in it):
 *  - simple form: why the value added nothing;
 *  - structured form: "member I of N skipped: WHY", followed by
 *    " (and K more members skipped)" when there were several; the other
 *    members were added.
 * report, when not NULL, gets the details (every skipped member's position
 * and reason).  created is stored in each added message.
 */
const char *fm_header_parse_ex(apr_pool_t *p, const fm_levels *lv,
                               int min_level, const char *value,
                               apr_size_t len, apr_int64_t created,
                               apr_array_header_t *out,
                               fm_header_report *report);

/* fm_header_parse_ex() without the report. */
const char *fm_header_parse(apr_pool_t *p, const fm_levels *lv, int min_level,
                            const char *value, apr_size_t len,
                            apr_int64_t created, apr_array_header_t *out);

#endif

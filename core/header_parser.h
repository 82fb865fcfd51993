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
 *               '"' or '%"'.
 */
#ifndef FM_HEADER_PARSER_H
#define FM_HEADER_PARSER_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "message.h"

/*
 * Parse one field value of len bytes and append the messages it carries to
 * out (an array of fm_message), through fm_list_add (so empty text and
 * levels below min_level are dropped silently: that is not an error).
 *
 * Returns NULL when the value was well formed.  Otherwise returns a short
 * human readable reason (allocated from p, no value bytes in it):
 *  - a syntax error anywhere in the value adds nothing at all;
 *  - a structured member that is well formed but unusable (unknown level,
 *    not a string, bad tags, text that is not valid UTF-8 or has control
 *    characters) is skipped, the other members are added, and the reason
 *    names the member's position (1-based).
 * created is stored in each added message.
 */
const char *fm_header_parse(apr_pool_t *p, const fm_levels *lv, int min_level,
                            const char *value, apr_size_t len,
                            apr_int64_t created, apr_array_header_t *out);

#endif

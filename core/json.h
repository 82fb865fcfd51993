/*
 * json.h - pending messages as JSON for backends and scripts:
 *   {"messages":[{"level":25,"level_tag":"success","tags":"success",
 *                 "extra_tags":"","message":"Saved"}]}
 * The output is pure ASCII: non-ASCII is written as \uXXXX (surrogate pairs
 * above U+FFFF) and < > & ' as \u003c \u003e \u0026 \u0027, so the same text
 * is safe in a response header, a CGI variable and an inline <script>.
 * Server independent.
 */
#ifndef FM_JSON_H
#define FM_JSON_H

#include <apr_pools.h>
#include "message.h"

/* A JSON string literal (with quotes) for s; invalid UTF-8 becomes U+FFFD. */
const char *fm_json_quote(apr_pool_t *p, const char *s);

/* The messages object shown above. */
const char *fm_json_messages(apr_pool_t *p, const fm_levels *lv,
                             const fm_tagmap *tm, const fm_message *msgs,
                             int n);

#endif

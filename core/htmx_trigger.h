/*
 * htmx_trigger.h - our htmx event in the HX-Trigger (or
 * HX-Trigger-After-Settle) response field, beside whatever events the
 * backend put there.  Server independent.
 */
#ifndef FM_HTMX_TRIGGER_H
#define FM_HTMX_TRIGGER_H

#include <apr_pools.h>

/* Containers nested deeper than this make a backend's JSON unusable. */
#define FM_JSON_MAX_DEPTH 64

/* Our htmx event `event` (printable ASCII) with the JSON value `detail`,
 * merged with the backend's HX-Trigger (or HX-Trigger-After-Settle) field
 * values fields[0..n), into one JSON object, which is always valid JSON:
 *
 * - Each value is a comma-separated sequence of items (httpd and browsers
 *   join several fields with ", "); an empty item names nothing.
 * - An item that starts with "{" must be a whole JSON object (RFC 8259,
 *   strings in UTF-8, at most FM_JSON_MAX_DEPTH levels): each member is
 *   kept, its name and value as the backend wrote them.
 * - Any other item is an event name, as htmx reads one: up to the next
 *   ",", spaces and tabs trimmed, printable ASCII (inner spaces and tabs
 *   allowed); it becomes the member NAME:"" with NAME quoted by
 *   fm_json_quote.
 * - Names compare as decoded ("a" and "\u0061" are one name).  A name seen
 *   again keeps its first place and takes the later value (as JSON.parse
 *   does); a backend member named `event` is dropped (*replaced = 1) and
 *   ours is always the last member.
 *
 * Returns NULL, changing nothing, when some value is neither: the caller
 * must then leave the backend's fields as they are. */
const char *fm_json_trigger_merge(apr_pool_t *p, const char *const *fields,
                                  int n, const char *event,
                                  const char *detail, int *replaced);

#endif

/*
 * template.h - the message markup: an ITEM template rendered per message
 * and a WRAPPER around all items, compiled once at configuration time,
 * with every substituted value HTML-escaped.  Server independent.
 *
 * ITEM variables:    %{message} %{level} %{level_tag} %{tags} %{extra_tags}
 * WRAPPER variables: %{items} (required) %{count} %{live} ("assertive"
 *                    when a message of level error or above is among
 *                    them, else "polite": for aria-live)
 * "%%" is a literal '%'; any other '%' not starting "%{name}" is an error.
 *
 * Escaping is right in element text and quoted attribute values only, so
 * the compiler reads the markup as a browser does and refuses a variable
 * anywhere else: tag and attribute names, unquoted values, URL, event
 * handler (on*), style and srcdoc attributes, attributes of elements that
 * load or run content (<script>, <meta>, <iframe>...), the text of <script>,
 * <style> and the other raw-text elements, comments, <!...> declarations,
 * anything inside <svg> or <math>.
 * ITEM and WRAPPER must each end in element text, where %{items} stands.
 * Errors name the variable and its position ("column C", or "line L,
 * column C" in a template file).
 */
#ifndef FM_TEMPLATE_H
#define FM_TEMPLATE_H

#include <apr_pools.h>
#include "message.h"

/* Django's documented markup (ul.messages, the tags as each item's
 * classes) inside a live region for screen readers, which Turbo
 * (data-turbo-temporary) and htmx 2 (data-hx-history="false") keep out
 * of their history snapshots.  Each item takes its direction from its own
 * text (dir="auto"), so a message in Arabic or Hebrew reads right, and
 * bidi controls a backend copied from user input (U+202E) act inside
 * their item only. */
#define FM_DEFAULT_ITEM    "<li class=\"%{tags}\" dir=\"auto\">%{message}</li>"
#define FM_DEFAULT_WRAPPER "<div class=\"flashmsg\" role=\"status\" " \
    "aria-live=\"%{live}\" data-turbo-temporary data-hx-history=\"false\">" \
    "<ul class=\"messages\">%{items}</ul></div>"

typedef struct fm_template fm_template;

/* wrapper may be NULL (just the items).  Returns NULL or an error message. */
const char *fm_template_compile(apr_pool_t *p, const char *item,
                                const char *wrapper, fm_template **out);

/*
 * A template file: the per-message markup sits between the lines
 * "%{item}" ... "%{/item}" (markers may also be inline); everything
 * around it is the wrapper.  A file with no markers is all ITEM.
 */
const char *fm_template_compile_file_text(apr_pool_t *p, const char *text,
                                          fm_template **out);

/* Render flags. */
#define FM_RENDER_ASCII 0x01   /* non-ASCII values as &#xHHHH; (pages whose
                                  charset is not UTF-8) */

/* Render msgs[0..n) into a new string of *len bytes. */
char *fm_template_render(apr_pool_t *p, const fm_template *t,
                         const fm_levels *lv, const fm_tagmap *tm,
                         const fm_message *msgs, int n, unsigned flags,
                         apr_size_t *len);

#endif

/*
 * html.h - where a value may go in HTML markup, and how it is escaped
 * there.  The template compiler (template.c) uses the first to place its
 * variables and the renderer the second to write their values.  Server
 * independent.
 *
 * Why the two together make a value safe:
 *
 *  1. Escaping (html_escape.c) writes & < > " ' as character references,
 *     so escaped output contains none of those five bytes.
 *  2. A browser's tokenizer leaves element text only at '<', a quoted
 *     attribute value only at its quote, and the text of <title> and
 *     <textarea> only at '<'; '&' starts a character reference, which
 *     ends where it began.  So escaped output cannot leave any of these
 *     contexts: the markup after it is read exactly as the template's
 *     author wrote it.
 *  3. The context module (html_context.c) reads the template as such a
 *     tokenizer does and lets a variable stand only in those contexts, and
 *     not even there where staying in the context is not enough: attribute
 *     values that are URLs, JavaScript, CSS or HTML, attributes of
 *     elements that load or run content, anything inside <svg> or <math>.
 *     Everywhere else (tag and attribute names, unquoted values, <script>,
 *     <style>, comments, declarations...) the compiler refuses it with a
 *     message that says why.
 */
#ifndef FM_HTML_H
#define FM_HTML_H

#include <apr_pools.h>

/* ------------------------------------------------------------------ */
/* The context of a position in markup (html_context.c)                 */

/* The markup read so far, as every reading a browser might make of it
 * (the same bytes are raw text in the body but ordinary markup inside
 * <svg> or <select>): all of them are followed at once. */
typedef struct fm_html_context fm_html_context;

/* A context in element text, from p. */
fm_html_context *fm_html_context_make(apr_pool_t *p);

/* Back to element text, one reading. */
void fm_html_reset(fm_html_context *h);

/* *to becomes *from (to save a context and come back to it). */
void fm_html_copy(fm_html_context *to, const fm_html_context *from);

/* Read on over one byte c of markup (never NUL).  Returns 0 when the
 * markup reads in more ways than can be followed (h is then unusable). */
int fm_html_step(fm_html_context *h, int c);

/* NULL when an escaped value may stand here in every reading; otherwise
 * why not, as a phrase to follow "%{name} at column C ": "is inside
 * <script>: ...".  markup: the value is markup (the items, in a wrapper),
 * which needs element text itself. */
const char *fm_html_refuse_variable(apr_pool_t *p, const fm_html_context *h,
                                    int markup);

/* NULL when every reading is back in element text with nothing left open
 * that changes how markup is read (<svg>, <math>); otherwise what is
 * open, to follow "ends inside ": "a comment", "<script>"... */
const char *fm_html_unclosed(apr_pool_t *p, const fm_html_context *h);

/* ------------------------------------------------------------------ */
/* Escaping (html_escape.c)                                             */

/* Escape s into d, or with d NULL only count: the length either way.
 * ascii: bytes of UTF-8 sequences as numeric references too (&#xHHHH;,
 * for pages whose charset is not UTF-8; a byte that starts no well-formed
 * sequence becomes U+FFFD).  A numeric reference is written with a NUL
 * after it, so d needs one byte more than the length. */
apr_size_t fm_html_escape_to(char *d, const char *s, int ascii);

/* Length of the first run of s that escaping leaves as it is (all of s,
 * up to its NUL, when nothing in it needs escaping): a caller copies such
 * a value whole instead of counting it and then escaping it. */
apr_size_t fm_html_plain_len(const char *s, int ascii);

/* HTML-escape & < > " ' ; returns a new string (or s itself if clean). */
const char *fm_html_escape(apr_pool_t *p, const char *s);

#endif

/*
 * html_escape.c - a value made safe for element text and quoted attribute
 * values: & < > " ' written as character references, and in a page whose
 * charset is not UTF-8 every non-ASCII character as a numeric reference.
 * html.h says why the escaped text cannot leave the context it stands in;
 * html_context.c keeps values out of the places where it would not be
 * enough.
 */
#include <string.h>

#include <apr_strings.h>

#include "html.h"
#include "message.h"

/* What escaping each byte needs: ESC_HTML for & < > " ' (and for the NUL
 * that ends a value, so runs stop there too), ESC_HIGH for the bytes of a
 * UTF-8 sequence, which become references only in an ASCII page.  Runs of
 * bytes that need nothing are then counted and copied whole. */
#define ESC_HTML 1
#define ESC_HIGH 2
static const unsigned char escape_class[256] = {
    [0] = ESC_HTML, ['&'] = ESC_HTML, ['<'] = ESC_HTML, ['>'] = ESC_HTML,
    ['"'] = ESC_HTML, ['\''] = ESC_HTML,
    [0x80 ... 0xFF] = ESC_HIGH
};

/* The reference for one escaped byte, or NULL for a byte kept. */
static const char *html_reference(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#x27;";
    default: return NULL;
    }
}

/* Length of the first run of s that needs no escaping. */
static apr_size_t plain_run(const char *s, unsigned mask)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t n = 0;
    while (!(escape_class[u[n]] & mask))
        n++;
    return n;
}

/* The UTF-8 sequence at s written as a numeric reference into tmp (at
 * least 16 bytes); *len gets the bytes it took.  A byte that starts no
 * well-formed sequence becomes U+FFFD on its own. */
static apr_size_t numeric_reference(const char *s, char *tmp, apr_size_t *len)
{
    unsigned cp;
    apr_size_t l = fm_utf8_next((const unsigned char *)s, strnlen(s, 4), &cp);
    *len = l ? l : 1;
    return (apr_size_t)apr_snprintf(tmp, 16, "&#x%x;", l ? cp : 0xFFFDu);
}

static unsigned escape_mask(int ascii)
{
    return ascii ? ESC_HTML | ESC_HIGH : ESC_HTML;
}

apr_size_t fm_html_plain_len(const char *s, int ascii)
{
    return plain_run(s, escape_mask(ascii));
}

apr_size_t fm_html_escape_to(char *d, const char *s, int ascii)
{
    unsigned mask = escape_mask(ascii);
    apr_size_t n = 0;
    for (;;) {
        apr_size_t run = plain_run(s, mask), l, k;
        const char *rep;
        char tmp[16];
        if (d)
            memcpy(d + n, s, run);
        n += run;
        s += run;
        if (!*s)
            return n;
        if ((unsigned char)*s >= 0x80) {
            n += numeric_reference(s, d ? d + n : tmp, &l);
            s += l;
            continue;
        }
        rep = html_reference(*s++);
        k = strlen(rep);
        if (d)
            memcpy(d + n, rep, k);
        n += k;
    }
}

const char *fm_html_escape(apr_pool_t *p, const char *s)
{
    apr_size_t n = fm_html_escape_to(NULL, s, 0);
    char *r;
    if (n == strlen(s))
        return s;
    r = apr_palloc(p, n + 1);
    r[fm_html_escape_to(r, s, 0)] = '\0';
    return r;
}

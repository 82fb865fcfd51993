/*
 * json.c - pending messages as ASCII-only JSON (json.h), and the string
 * quoting that every JSON text the module writes goes through, so that
 * none of them can carry a byte a header, a CGI variable or an inline
 * <script> would misread.  Reading a backend's JSON is htmx_trigger.c's.
 */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "json.h"

const char *fm_json_quote(apr_pool_t *p, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t len = strlen(str), i = 0;
    /* worst case: every byte a 12-character surrogate pair per 4 bytes,
     * or 6 characters per byte */
    char *out = apr_palloc(p, len * 6 + 3), *d = out;

    *d++ = '"';
    while (i < len) {
        unsigned c = s[i];
        if (c >= 0x80) {
            unsigned cp = 0xFFFD;
            apr_size_t n = fm_utf8_next(s + i, len - i, &cp);
            i += n ? n : 1;
            if (cp > 0xFFFF) {
                cp -= 0x10000;
                d += sprintf(d, "\\u%04x\\u%04x", 0xD800 + (cp >> 10),
                             0xDC00 + (cp & 0x3FF));
            }
            else {
                d += sprintf(d, "\\u%04x", cp);
            }
            continue;
        }
        i++;
        if (c == '"' || c == '\\') {
            *d++ = '\\';
            *d++ = (char)c;
        }
        else if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&'
                 || c == '\'') {
            d += sprintf(d, "\\u%04x", c);
        }
        else {
            *d++ = (char)c;
        }
    }
    *d++ = '"';
    *d = '\0';
    return out;
}

const char *fm_json_messages(apr_pool_t *p, const fm_levels *lv,
                             const fm_tagmap *tm, const fm_message *msgs,
                             int n)
{
    apr_array_header_t *parts = apr_array_make(p, n > 0 ? n : 1,
                                               sizeof(const char *));
    int i;
    for (i = 0; i < n; i++) {
        const fm_message *m = &msgs[i];
        APR_ARRAY_PUSH(parts, const char *) = apr_psprintf(p,
            "{\"level\":%d,\"level_tag\":%s,\"tags\":%s,\"extra_tags\":%s,"
            "\"message\":%s}", m->level,
            fm_json_quote(p, fm_level_tag(lv, tm, m->level)),
            fm_json_quote(p, fm_message_tags(p, lv, tm, m)),
            fm_json_quote(p, m->extra_tags ? m->extra_tags : ""),
            fm_json_quote(p, m->text));
    }
    return apr_pstrcat(p, "{\"messages\":[", apr_array_pstrcat(p, parts, ','),
                       "]}", NULL);
}

/*
 * cookie_header.c - pick one cookie's values out of a Cookie header.
 */
#include <string.h>

#include <apr_strings.h>

#include "cookie_header.h"

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

void fm_cookie_header_find(apr_pool_t *p, const char *header,
                           const char *name, apr_array_header_t *out)
{
    apr_size_t nlen = strlen(name);
    const char *s = header;

    while (*s && out->nelts < FM_COOKIE_VALUES_MAX) {
        const char *pair_end, *eq, *v, *ve;
        while (ows(*s) || *s == ';')
            s++;
        if (!*s)
            break;
        pair_end = strchr(s, ';');
        if (!pair_end)
            pair_end = s + strlen(s);
        eq = memchr(s, '=', (apr_size_t)(pair_end - s));
        if (eq) {
            const char *ne = eq;
            while (ne > s && ows(ne[-1]))
                ne--;
            if ((apr_size_t)(ne - s) == nlen && memcmp(s, name, nlen) == 0) {
                v = eq + 1;
                ve = pair_end;
                while (v < ve && ows(*v))
                    v++;
                while (ve > v && ows(ve[-1]))
                    ve--;
                if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
                    v++;
                    ve--;
                }
                APR_ARRAY_PUSH(out, const char *) =
                    apr_pstrmemdup(p, v, (apr_size_t)(ve - v));
            }
        }
        s = pair_end;
    }
}

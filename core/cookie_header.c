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

/* The next "name=value" pair of `name` at or after *s: returns the value
 * start and sets *vlen, or returns NULL at the end of the header. */
static const char *next_value(const char **s, const char *name,
                              apr_size_t nlen, apr_size_t *vlen)
{
    while (**s) {
        const char *p = *s, *pair_end, *eq, *v, *ve;
        while (ows(*p) || *p == ';')
            p++;
        if (!*p)
            break;
        pair_end = strchr(p, ';');
        if (!pair_end)
            pair_end = p + strlen(p);
        *s = pair_end;
        eq = memchr(p, '=', (apr_size_t)(pair_end - p));
        if (eq) {
            const char *ne = eq;
            while (ne > p && ows(ne[-1]))
                ne--;
            if ((apr_size_t)(ne - p) == nlen && memcmp(p, name, nlen) == 0) {
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
                *vlen = (apr_size_t)(ve - v);
                return v;
            }
        }
    }
    *s += strlen(*s);
    return NULL;
}

void fm_cookie_header_find(apr_pool_t *p, const char *header,
                           const char *name, apr_array_header_t *out)
{
    apr_size_t nlen = strlen(name), vlen;
    const char *s = header, *v;
    while ((v = next_value(&s, name, nlen, &vlen)) != NULL)
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, v, vlen);
}

int fm_cookie_header_has(const char *header, const char *name)
{
    apr_size_t vlen;
    const char *s = header;
    return next_value(&s, name, strlen(name), &vlen) != NULL;
}

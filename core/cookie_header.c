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

/* Is the pair name p[0..n) `name`, or (family) `name` "." something? */
static int name_matches(const char *p, apr_size_t n, const char *name,
                        apr_size_t nlen, int family)
{
    if (n < nlen || memcmp(p, name, nlen) != 0)
        return 0;
    if (n == nlen)
        return 1;
    return family && n > nlen + 1 && p[nlen] == '.';
}

/* The next pair whose name matches at or after *s: returns the value
 * start and sets *vlen (and the name's start and length), or returns NULL
 * at the end of the header. */
static const char *next_pair(const char **s, const char *name,
                             apr_size_t nlen, int family,
                             const char **pname, apr_size_t *pnlen,
                             apr_size_t *vlen)
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
            if (name_matches(p, (apr_size_t)(ne - p), name, nlen, family)) {
                *pname = p;
                *pnlen = (apr_size_t)(ne - p);
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
    apr_size_t nlen = strlen(name), pnlen, vlen;
    const char *s = header, *pname, *v;
    while ((v = next_pair(&s, name, nlen, 0, &pname, &pnlen, &vlen)) != NULL)
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, v, vlen);
}

void fm_cookie_header_find_family(apr_pool_t *p, const char *header,
                                  const char *base, apr_array_header_t *out)
{
    apr_size_t nlen = strlen(base), pnlen, vlen;
    const char *s = header, *pname, *v;
    while ((v = next_pair(&s, base, nlen, 1, &pname, &pnlen, &vlen)) != NULL) {
        fm_cookie_pair *c = apr_array_push(out);
        c->name = apr_pstrmemdup(p, pname, pnlen);
        c->value = apr_pstrmemdup(p, v, vlen);
        c->value_len = vlen;
    }
}

int fm_cookie_header_has(const char *header, const char *name, int family)
{
    apr_size_t pnlen, vlen;
    const char *s = header, *pname;
    return next_pair(&s, name, strlen(name), family, &pname, &pnlen,
                     &vlen) != NULL;
}

/*
 * raw_header.c - see raw_header.h.  Lines end at LF (a CR before it is
 * part of the line end); a line that starts with a space or a tab
 * continues the field before it (obs-fold), and goes where that field
 * goes.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "raw_header.h"

apr_size_t fm_raw_header_end(const char *buf, apr_size_t len)
{
    const char *p = buf, *end = buf + len;
    while ((p = memchr(p, '\n', (apr_size_t)(end - p))) != NULL) {
        p++;
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            return (apr_size_t)(p + 1 - buf);
    }
    return 0;
}

/* Is line[0..n) a field named one of names?  The name ends at the colon;
 * spaces or tabs before the colon are not part of it (some clients accept
 * them, so such a field is ours too). */
static int is_ours(const char *line, apr_size_t n, const char *const *names,
                   int nnames)
{
    const char *colon = memchr(line, ':', n);
    apr_size_t k;
    int i;
    if (!colon)
        return 0;
    k = (apr_size_t)(colon - line);
    while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
        k--;
    for (i = 0; i < nnames; i++)
        if (k && strlen(names[i]) == k && !strncasecmp(line, names[i], k))
            return 1;
    return 0;
}

int fm_raw_header_strip(const char *in, apr_size_t len,
                        const char *const *names, int nnames,
                        char *out, apr_size_t *out_len)
{
    apr_size_t i = 0, o = 0;
    int removed = 0, dropping = 0, first = 1;

    while (i < len) {
        const char *nl = memchr(in + i, '\n', len - i);
        apr_size_t n = nl ? (apr_size_t)(nl - (in + i)) + 1 : len - i;
        const char *line = in + i;
        /* A folded line goes where its field went.  The status line never
         * has a field's name (nor does the first line of a script that
         * forgot it: then that line is checked as a field). */
        if (first || !n || (line[0] != ' ' && line[0] != '\t')) {
            dropping = is_ours(line, n, names, nnames);
            removed += dropping;
        }
        if (!dropping) {
            memcpy(out + o, line, n);
            o += n;
        }
        first = 0;
        i += n;
    }
    *out_len = o;
    return removed;
}

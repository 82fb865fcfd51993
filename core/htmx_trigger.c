/*
 * htmx_trigger.c - our htmx event merged into the HX-Trigger fields a
 * backend sent (htmx_trigger.h): a strict reader of the backend's JSON,
 * and the merged object written with json.c's quoting.  Strict, because
 * the merged field must be JSON that htmx can parse, or the backend's
 * fields are left as they were.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "htmx_trigger.h"
#include "json.h"
#include "message.h"

/* A strict reader of JSON text (RFC 8259): strings must be UTF-8 without
 * raw control characters, escapes and numbers exactly as the grammar says,
 * containers nested at most FM_JSON_MAX_DEPTH deep. */
typedef struct {
    const unsigned char *s;
    apr_size_t n, i;
} reader;

/* One member of the merged object: its name as JSON text (with quotes)
 * and decoded (to compare names however they were escaped), its value as
 * JSON text. */
typedef struct {
    const char *key;
    const char *name;
    apr_size_t name_len;
    const char *value;
    int dropped;
} member;

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *members;    /* member, in order of first appearance */
    apr_hash_t *index;              /* decoded name -> position + 1 */
} trigger_set;

static void skip_ws(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t'
                           || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
        r->i++;
}

/* Optional whitespace of a header field: SP and HTAB. */
static void skip_ows(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t'))
        r->i++;
}

static int hex4(reader *r, unsigned *cp)
{
    apr_size_t k;
    unsigned v = 0;
    if (r->n - r->i < 4)
        return 0;
    for (k = 0; k < 4; k++) {
        unsigned c = r->s[r->i + k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return 0;
    }
    r->i += 4;
    *cp = v;
    return 1;
}

/* cp as UTF-8 (a lone surrogate as its three-byte form, so that names
 * that differ compare different); returns the length. */
static apr_size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string at r->i (its opening quote).  With out (at least as long as
 * the string's JSON text), its value is decoded there and *len set. */
static int read_string(reader *r, char *out, apr_size_t *len)
{
    apr_size_t k = 0;
    if (r->i >= r->n || r->s[r->i] != '"')
        return 0;
    r->i++;
    while (r->i < r->n) {
        unsigned c = r->s[r->i], cp;
        if (c == '"') {
            r->i++;
            if (len)
                *len = k;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c >= 0x80) {
            apr_size_t m = fm_utf8_next(r->s + r->i, r->n - r->i, &cp);
            if (!m)
                return 0;
            if (out)
                memcpy(out + k, r->s + r->i, m);
            k += m;
            r->i += m;
            continue;
        }
        r->i++;
        if (c != '\\') {
            if (out)
                out[k] = (char)c;
            k++;
            continue;
        }
        if (r->i >= r->n)
            return 0;
        c = r->s[r->i++];
        switch (c) {
        case '"': case '\\': case '/': cp = c; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (!hex4(r, &cp))
                return 0;
            if (cp >= 0xD800 && cp <= 0xDBFF && r->n - r->i >= 6
                && r->s[r->i] == '\\' && r->s[r->i + 1] == 'u') {
                reader lo = *r;
                unsigned low;
                lo.i += 2;
                if (hex4(&lo, &low) && low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    r->i = lo.i;
                }
            }
            break;
        default:
            return 0;
        }
        if (out)
            k += put_utf8(out + k, cp);
        else
            k++;
    }
    return 0;
}

static int read_digits(reader *r)
{
    apr_size_t start = r->i;
    while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
        r->i++;
    return r->i > start;
}

static int read_number(reader *r)
{
    if (r->i < r->n && r->s[r->i] == '-')
        r->i++;
    if (r->i < r->n && r->s[r->i] == '0')
        r->i++;
    else if (!(r->i < r->n && r->s[r->i] >= '1' && r->s[r->i] <= '9')
             || !read_digits(r))
        return 0;
    if (r->i < r->n && r->s[r->i] == '.') {
        r->i++;
        if (!read_digits(r))
            return 0;
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
            r->i++;
        if (!read_digits(r))
            return 0;
    }
    return 1;
}

static int read_literal(reader *r, const char *word)
{
    apr_size_t len = strlen(word);
    if (r->n - r->i < len || memcmp(r->s + r->i, word, len) != 0)
        return 0;
    r->i += len;
    return 1;
}

static void add_member(trigger_set *t, const char *key, const char *name,
                       apr_size_t name_len, const char *value);
static int read_value(reader *r, int depth);

/* Object and array share their punctuation.  Both steps answer 1 when an
 * item follows (r->i at it), 0 when the list ends with close (consumed),
 * -1 when the text is not JSON. */

/* Past the opening bracket at r->i. */
static int open_list(reader *r, char close)
{
    r->i++;
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == close) {
        r->i++;
        return 0;
    }
    return 1;
}

/* After an item: a comma and the next item, or the end of the list. */
static int next_in_list(reader *r, char close)
{
    skip_ws(r);
    if (r->i >= r->n)
        return -1;
    if (r->s[r->i] == close) {
        r->i++;
        return 0;
    }
    if (r->s[r->i] != ',')
        return -1;
    r->i++;
    skip_ws(r);
    return 1;
}

/* An object at r->i, at nesting level depth (the top is 1).  With t, its
 * members are added to t. */
static int read_object(reader *r, int depth, trigger_set *t)
{
    int more;
    if (depth > FM_JSON_MAX_DEPTH)
        return 0;
    if ((more = open_list(r, '}')) <= 0)
        return more == 0;
    for (;;) {
        apr_size_t ks = r->i, ke, vs, name_len = 0;
        char *name = NULL;
        if (!read_string(r, NULL, NULL))
            return 0;
        ke = r->i;
        if (t) {
            reader again = *r;
            again.i = ks;
            name = apr_palloc(t->p, ke - ks);
            read_string(&again, name, &name_len);
        }
        skip_ws(r);
        if (r->i >= r->n || r->s[r->i] != ':')
            return 0;
        r->i++;
        skip_ws(r);
        vs = r->i;
        if (!read_value(r, depth + 1))
            return 0;
        if (t)
            add_member(t, apr_pstrmemdup(t->p, (const char *)r->s + ks,
                                         ke - ks),
                       name, name_len,
                       apr_pstrmemdup(t->p, (const char *)r->s + vs,
                                      r->i - vs));
        if ((more = next_in_list(r, '}')) <= 0)
            return more == 0;
    }
}

static int read_array(reader *r, int depth)
{
    int more;
    if (depth > FM_JSON_MAX_DEPTH)
        return 0;
    if ((more = open_list(r, ']')) <= 0)
        return more == 0;
    for (;;) {
        if (!read_value(r, depth + 1))
            return 0;
        if ((more = next_in_list(r, ']')) <= 0)
            return more == 0;
    }
}

/* A value at r->i (no leading whitespace), at nesting level depth. */
static int read_value(reader *r, int depth)
{
    if (r->i >= r->n)
        return 0;
    switch (r->s[r->i]) {
    case '{': return read_object(r, depth, NULL);
    case '[': return read_array(r, depth);
    case '"': return read_string(r, NULL, NULL);
    case 't': return read_literal(r, "true");
    case 'f': return read_literal(r, "false");
    case 'n': return read_literal(r, "null");
    default:  return read_number(r);
    }
}

/* A name seen again keeps its first place and takes the later value, as
 * JSON.parse does with a repeated name. */
static void add_member(trigger_set *t, const char *key, const char *name,
                       apr_size_t name_len, const char *value)
{
    apr_size_t pos = (apr_size_t)(apr_uintptr_t)apr_hash_get(t->index, name,
                                                             name_len);
    member *m;
    if (pos) {
        APR_ARRAY_IDX(t->members, pos - 1, member).value = value;
        return;
    }
    m = apr_array_push(t->members);
    m->key = key;
    m->name = name;
    m->name_len = name_len;
    m->value = value;
    m->dropped = 0;
    apr_hash_set(t->index, name, name_len,
                 (void *)(apr_uintptr_t)t->members->nelts);
}

/* One field value: a comma-separated sequence of event names and JSON
 * objects.  0 if it is not one. */
static int add_field(trigger_set *t, const char *value)
{
    reader r;
    r.s = (const unsigned char *)value;
    r.n = strlen(value);
    r.i = 0;
    for (;;) {
        apr_size_t start, end;
        skip_ows(&r);
        if (r.i >= r.n)
            return 1;
        if (r.s[r.i] == ',') {          /* an empty item names nothing */
            r.i++;
            continue;
        }
        if (r.s[r.i] == '{') {
            if (!read_object(&r, 1, t))
                return 0;
            skip_ows(&r);
            if (r.i < r.n && r.s[r.i] != ',')
                return 0;
            continue;
        }
        /* An event name, as htmx reads one: up to the next comma, trimmed;
         * printable ASCII (with inner spaces and tabs) so that it means
         * the same once quoted as it did in the raw header. */
        for (start = r.i; r.i < r.n && r.s[r.i] != ','; r.i++) {
            unsigned c = r.s[r.i];
            if (!(c == ' ' || c == '\t' || (c > 0x20 && c < 0x7F)))
                return 0;
        }
        for (end = r.i; end > start
             && (r.s[end - 1] == ' ' || r.s[end - 1] == '\t'); end--)
            ;
        {
            const char *name = apr_pstrmemdup(t->p, value + start,
                                              end - start);
            add_member(t, fm_json_quote(t->p, name), name, end - start,
                       "\"\"");
        }
    }
}

const char *fm_json_trigger_merge(apr_pool_t *p, const char *const *fields,
                                  int n, const char *event,
                                  const char *detail, int *replaced)
{
    trigger_set t;
    apr_array_header_t *parts;
    apr_size_t pos;
    int i;

    t.p = p;
    t.members = apr_array_make(p, 8, sizeof(member));
    t.index = apr_hash_make(p);
    *replaced = 0;
    for (i = 0; i < n; i++)
        if (!add_field(&t, fields[i]))
            return NULL;
    /* Our event is ours: a backend member of that name gives way. */
    pos = (apr_size_t)(apr_uintptr_t)apr_hash_get(t.index, event,
                                                  strlen(event));
    if (pos) {
        APR_ARRAY_IDX(t.members, pos - 1, member).dropped = 1;
        *replaced = 1;
    }
    parts = apr_array_make(p, t.members->nelts + 1, sizeof(const char *));
    for (i = 0; i < t.members->nelts; i++) {
        const member *m = &APR_ARRAY_IDX(t.members, i, member);
        if (!m->dropped)
            APR_ARRAY_PUSH(parts, const char *) = apr_pstrcat(p, m->key, ":",
                                                              m->value, NULL);
    }
    APR_ARRAY_PUSH(parts, const char *) = apr_pstrcat(p,
        fm_json_quote(p, event), ":", detail, NULL);
    return apr_pstrcat(p, "{", apr_array_pstrcat(p, parts, ','), "}", NULL);
}

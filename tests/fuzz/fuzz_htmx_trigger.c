/* fuzz_htmx_trigger.c - fm_json_trigger_merge on arbitrary HX-Trigger
 * field values (the input split at each LF into up to 8 fields; a NUL ends
 * its field, as in a C string).
 *
 * The target reads every field itself, with its own JSON parser written
 * apart from core/htmx_trigger.c, and checks:
 * - the merge refuses (NULL) exactly the inputs that are neither lists of
 *   event names nor JSON objects (core/htmx_trigger.h's grammar);
 * - otherwise its output is one valid JSON object (RFC 8259, UTF-8, no
 *   repeated name) whose members are exactly every backend event name
 *   (decoded), with the last value the backend gave it, plus our event,
 *   last, with our detail; *replaced says whether the backend used our
 *   name. */
#include <stdint.h>
#include <string.h>
#include <apr_general.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "htmx_trigger.h"
#include "../common/fixtures.h"

#define MAX_FIELDS 8
#define DETAIL "{\"messages\":[{\"level\":20,\"message\":\"x\\u003c\"}]}"

static apr_pool_t *pool;

/* A name (decoded bytes) and its value (JSON text). */
typedef struct {
    const char *name, *value;
    size_t name_len, value_len;
} entry;

typedef struct {
    apr_array_header_t *e;  /* entry, distinct names in order */
    apr_hash_t *pos;        /* name -> index + 1 */
    int puts;               /* members seen, repeats included */
} entries;

static void entries_init(entries *es)
{
    es->e = apr_array_make(pool, 16, sizeof(entry));
    es->pos = apr_hash_make(pool);
    es->puts = 0;
}

#define E(es, k) APR_ARRAY_IDX((es)->e, k, entry)

/* Set name to value: a name seen again keeps its place, takes the value. */
static void put(entries *es, const char *name, size_t name_len,
                const char *value, size_t value_len)
{
    size_t k = (size_t)(uintptr_t)apr_hash_get(es->pos, name,
                                               (apr_ssize_t)name_len);
    entry *x;
    es->puts++;
    if (k) {
        E(es, k - 1).value = value;
        E(es, k - 1).value_len = value_len;
        return;
    }
    x = apr_array_push(es->e);
    x->name = name;
    x->name_len = name_len;
    x->value = value;
    x->value_len = value_len;
    apr_hash_set(es->pos, name, (apr_ssize_t)name_len,
                 (void *)(uintptr_t)es->e->nelts);
}

/* --- an independent JSON parser --------------------------------------- */

typedef struct {
    const unsigned char *p, *end;
} cur;

static int at(const cur *c, unsigned ch)
{
    return c->p < c->end && *c->p == ch;
}

static void ws(cur *c)
{
    while (c->p < c->end && strchr(" \t\r\n", *c->p) && *c->p)
        c->p++;
}

/* Length of a valid UTF-8 sequence at p (shortest form, no surrogates,
 * at most U+10FFFF), else 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    size_t n = (size_t)(end - p);
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        unsigned lo = p[0] == 0xE0 ? 0xA0 : 0x80;
        unsigned hi = p[0] == 0xED ? 0x9F : 0xBF;
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80
               ? 3 : 0;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        unsigned lo = p[0] == 0xF0 ? 0x90 : 0x80;
        unsigned hi = p[0] == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80
               && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

static int hexdig(unsigned ch)
{
    if (ch >= '0' && ch <= '9')
        return (int)(ch - '0');
    ch |= 0x20;
    return ch >= 'a' && ch <= 'f' ? (int)(ch - 'a' + 10) : -1;
}

static int u4(const unsigned char *p, const unsigned char *end, unsigned *v)
{
    int k;
    *v = 0;
    if (end - p < 4)
        return 0;
    for (k = 0; k < 4; k++) {
        int d = hexdig(p[k]);
        if (d < 0)
            return 0;
        *v = *v * 16 + (unsigned)d;
    }
    return 1;
}

static size_t emit(char *d, unsigned v)
{
    if (v < 0x80) { d[0] = (char)v; return 1; }
    if (v < 0x800) {
        d[0] = (char)(0xC0 | v >> 6); d[1] = (char)(0x80 | (v & 63));
        return 2;
    }
    if (v < 0x10000) {
        d[0] = (char)(0xE0 | v >> 12); d[1] = (char)(0x80 | (v >> 6 & 63));
        d[2] = (char)(0x80 | (v & 63));
        return 3;
    }
    d[0] = (char)(0xF0 | v >> 18); d[1] = (char)(0x80 | (v >> 12 & 63));
    d[2] = (char)(0x80 | (v >> 6 & 63)); d[3] = (char)(0x80 | (v & 63));
    return 4;
}

/* A string; its value decoded into a new buffer (*out, *out_len). */
static int str(cur *c, char **out, size_t *out_len)
{
    const unsigned char *q;
    char *d;
    size_t k = 0;
    if (!at(c, '"'))
        return 0;
    c->p++;
    /* the decoded value is never longer than the text up to the next
     * unescaped quote */
    for (q = c->p; q < c->end && *q != '"';
         q += *q == '\\' && q + 1 < c->end ? 2 : 1)
        ;
    d = apr_palloc(pool, (size_t)(q - c->p) + 2);
    while (c->p < c->end) {
        unsigned ch = *c->p;
        if (ch == '"') {
            c->p++;
            *out = d;
            *out_len = k;
            return 1;
        }
        if (ch < 0x20)
            return 0;
        if (ch >= 0x80) {
            size_t m = utf8_len(c->p, c->end);
            if (!m)
                return 0;
            memcpy(d + k, c->p, m);
            k += m;
            c->p += m;
        }
        else if (ch != '\\') {
            d[k++] = (char)ch;
            c->p++;
        }
        else {
            const char *simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
            const char *hit;
            unsigned v, w;
            if (c->end - c->p < 2)
                return 0;
            ch = c->p[1];
            if (ch == 'u') {
                if (!u4(c->p + 2, c->end, &v))
                    return 0;
                c->p += 6;
                if (v >= 0xD800 && v < 0xDC00 && c->end - c->p >= 6
                    && c->p[0] == '\\' && c->p[1] == 'u'
                    && u4(c->p + 2, c->end, &w) && w >= 0xDC00 && w < 0xE000) {
                    v = 0x10000 + ((v - 0xD800) << 10 | (w - 0xDC00));
                    c->p += 6;
                }
                k += emit(d + k, v);
            }
            else {
                for (hit = simple; *hit && (unsigned char)*hit != ch; hit += 2)
                    ;
                if (!*hit)
                    return 0;
                d[k++] = hit[1];
                c->p += 2;
            }
        }
    }
    return 0;
}

static int value(cur *c, int level, entries *top);

static int number(cur *c)
{
    const unsigned char *s;
    if (at(c, '-'))
        c->p++;
    if (at(c, '0'))
        c->p++;
    else {
        for (s = c->p; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++)
            ;
        if (c->p == s || *s == '0')
            return 0;
    }
    if (at(c, '.')) {
        c->p++;
        for (s = c->p; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++)
            ;
        if (c->p == s)
            return 0;
    }
    if (at(c, 'e') || at(c, 'E')) {
        c->p++;
        if (at(c, '+') || at(c, '-'))
            c->p++;
        for (s = c->p; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++)
            ;
        if (c->p == s)
            return 0;
    }
    return 1;
}

/* A container or scalar at level (the outermost value is level 1); with
 * top, the value must be an object and its members are put there. */
static int value(cur *c, int level, entries *top)
{
    int obj;
    if (c->p >= c->end)
        return 0;
    if (top && *c->p != '{')
        return 0;
    if (*c->p == '"') {
        char *s;
        size_t n;
        return str(c, &s, &n);
    }
    if (*c->p != '{' && *c->p != '[') {
        static const char *const words[] = { "true", "false", "null" };
        int k;
        for (k = 0; k < 3; k++) {
            size_t n = strlen(words[k]);
            if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, words[k], n)) {
                c->p += n;
                return 1;
            }
        }
        return number(c);
    }
    if (level > FM_JSON_MAX_DEPTH)
        return 0;
    obj = *c->p == '{';
    c->p++;
    ws(c);
    if (at(c, obj ? '}' : ']')) {
        c->p++;
        return 1;
    }
    for (;;) {
        char *name = NULL;
        size_t name_len = 0;
        const unsigned char *v;
        if (obj) {
            if (!str(c, &name, &name_len))
                return 0;
            ws(c);
            if (!at(c, ':'))
                return 0;
            c->p++;
            ws(c);
        }
        v = c->p;
        if (!value(c, level + 1, NULL))
            return 0;
        if (top)
            put(top, name, name_len, (const char *)v, (size_t)(c->p - v));
        ws(c);
        if (at(c, obj ? '}' : ']')) {
            c->p++;
            return 1;
        }
        if (!at(c, ','))
            return 0;
        c->p++;
        ws(c);
    }
}

/* --- the backend's fields, read the way core/htmx_trigger.h says ----- */

static int is_ows(unsigned ch)
{
    return ch == ' ' || ch == '\t';
}

static int read_field(const char *f, entries *want)
{
    cur c;
    c.p = (const unsigned char *)f;
    c.end = c.p + strlen(f);
    while (c.p < c.end) {
        const unsigned char *s, *e;
        if (is_ows(*c.p) || *c.p == ',') {
            c.p++;
            continue;
        }
        if (*c.p == '{') {
            if (!value(&c, 1, want))
                return 0;
            while (c.p < c.end && is_ows(*c.p))
                c.p++;
            if (c.p < c.end && *c.p != ',')
                return 0;
            continue;
        }
        s = c.p;
        while (c.p < c.end && *c.p != ',') {
            if (*c.p > 0x7E || (*c.p < 0x20 && *c.p != '\t'))
                return 0;
            c.p++;
        }
        for (e = c.p; is_ows(e[-1]); e--)
            ;
        put(want, (const char *)s, (size_t)(e - s), "\"\"", 2);
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const events[] = { "flashmsg", "a", "n0", "x" };
    entries want, got;
    const char *fields[MAX_FIELDS], *out, *event;
    char *copy;
    size_t i, start;
    int n = 0, usable = 1, replaced = -1, k, j, ours;
    cur c;

    if (!pool)
        apr_pool_create(&pool, fx_process_pool());
    if (size < 1)
        return 0;
    event = events[data[0] % 4];
    /* size bytes, the last one for the NUL: not apr_pstrmemdup, whose
     * alloc_size(3) in APR 1.7.5's header claims one byte fewer than it
     * allocates, so that UBSan (gcc 14, Debian 13) flags the write below. */
    copy = apr_palloc(pool, size);
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    for (start = 0, i = 0; i <= size - 1 && n < MAX_FIELDS; i++)
        if (i == size - 1 || copy[i] == '\n') {
            copy[i] = '\0';
            fields[n++] = copy + start;
            start = i + 1;
        }
    entries_init(&want);
    for (k = 0; k < n && usable; k++)
        usable = read_field(fields[k], &want);
    out = fm_json_trigger_merge(pool, fields, n, event, DETAIL, &replaced);
    if (!usable) {
        if (out)
            __builtin_trap();           /* accepted what is neither */
        apr_pool_clear(pool);
        return 0;
    }
    if (!out)
        __builtin_trap();               /* refused a usable value */

    /* the output: one valid JSON object, nothing after it */
    entries_init(&got);
    c.p = (const unsigned char *)out;
    c.end = c.p + strlen(out);
    if (!value(&c, 1, &got) || c.p != c.end
        || got.puts != got.e->nelts)    /* no name twice */
        __builtin_trap();
    /* our event, last, with our detail */
    if (got.e->nelts < 1)
        __builtin_trap();
    {
        const entry *last = &E(&got, got.e->nelts - 1);
        if (last->name_len != strlen(event)
            || memcmp(last->name, event, last->name_len)
            || last->value_len != strlen(DETAIL)
            || memcmp(last->value, DETAIL, last->value_len))
            __builtin_trap();
    }
    /* every backend name, in the order first seen, with its last value;
     * nothing else */
    ours = 0;
    for (k = 0, j = 0; k < want.e->nelts; k++) {
        const entry *w = &E(&want, k);
        if (w->name_len == strlen(event) && !memcmp(w->name, event, w->name_len)) {
            ours = 1;
            continue;
        }
        if (j >= got.e->nelts - 1 || E(&got, j).name_len != w->name_len
            || memcmp(E(&got, j).name, w->name, w->name_len)
            || E(&got, j).value_len != w->value_len
            || memcmp(E(&got, j).value, w->value, w->value_len))
            __builtin_trap();
        j++;
    }
    if (j != got.e->nelts - 1 || replaced != ours)
        __builtin_trap();
    apr_pool_clear(pool);
    return 0;
}

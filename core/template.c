/*
 * template.c - compile ITEM/WRAPPER templates once, render them per
 * request with every substituted value HTML-escaped.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "template.h"

typedef enum {
    SEG_TEXT,
    SEG_MESSAGE,
    SEG_LEVEL,
    SEG_LEVEL_TAG,
    SEG_TAGS,
    SEG_EXTRA_TAGS,
    SEG_ITEMS,
    SEG_COUNT
} seg_kind;

typedef struct {
    seg_kind kind;
    const char *text;   /* SEG_TEXT */
    apr_size_t len;
} segment;

struct fm_template {
    apr_array_header_t *item;     /* segment */
    apr_array_header_t *wrapper;  /* segment; NULL: items only */
};

static const struct {
    const char *name;
    seg_kind kind;
    int in_item;    /* allowed in ITEM (else WRAPPER only) */
} variables[] = {
    { "message", SEG_MESSAGE, 1 },
    { "level", SEG_LEVEL, 1 },
    { "level_tag", SEG_LEVEL_TAG, 1 },
    { "tags", SEG_TAGS, 1 },
    { "extra_tags", SEG_EXTRA_TAGS, 1 },
    { "items", SEG_ITEMS, 0 },
    { "count", SEG_COUNT, 0 },
};
#define N_VARS (sizeof(variables) / sizeof(variables[0]))

static void push_text(apr_array_header_t *segs, apr_pool_t *p,
                      const char *s, apr_size_t len)
{
    segment *sg;
    if (len == 0)
        return;
    sg = apr_array_push(segs);
    sg->kind = SEG_TEXT;
    sg->text = apr_pstrmemdup(p, s, len);
    sg->len = len;
}

/* Split src into segments; is_item selects the allowed variables. */
static const char *compile_part(apr_pool_t *p, const char *src, int is_item,
                                apr_array_header_t **out)
{
    apr_array_header_t *segs = apr_array_make(p, 8, sizeof(segment));
    apr_array_header_t *lit = apr_array_make(p, 64, 1);
    const char *s = src;
    int items = 0;

    while (*s) {
        if (s[0] == '%' && s[1] == '%') {
            *(char *)apr_array_push(lit) = '%';
            s += 2;
        }
        else if (s[0] == '%' && s[1] == '{') {
            const char *end = strchr(s + 2, '}');
            apr_size_t i, n;
            segment *sg;
            if (!end)
                return apr_psprintf(p, "unterminated variable \"%.20s\"", s);
            n = (apr_size_t)(end - (s + 2));
            for (i = 0; i < N_VARS; i++)
                if (strlen(variables[i].name) == n
                    && strncmp(variables[i].name, s + 2, n) == 0)
                    break;
            if (i == N_VARS)
                return apr_psprintf(p, "unknown variable %%{%.*s}; "
                                    "%s knows %s", (int)(n > 40 ? 40 : n),
                                    s + 2, is_item ? "ITEM" : "WRAPPER",
                                    is_item ? "%{message} %{level} "
                                    "%{level_tag} %{tags} %{extra_tags}"
                                    : "%{items} %{count}");
            if (variables[i].in_item != is_item)
                return apr_psprintf(p, "%%{%s} cannot be used in %s",
                                    variables[i].name,
                                    is_item ? "ITEM" : "WRAPPER");
            push_text(segs, p, lit->elts, (apr_size_t)lit->nelts);
            lit->nelts = 0;
            sg = apr_array_push(segs);
            sg->kind = variables[i].kind;
            sg->text = NULL;
            sg->len = 0;
            if (sg->kind == SEG_ITEMS)
                items++;
            s = end + 1;
        }
        else {
            *(char *)apr_array_push(lit) = *s++;
        }
    }
    push_text(segs, p, lit->elts, (apr_size_t)lit->nelts);
    if (!is_item && items == 0)
        return "WRAPPER must contain %{items}";
    *out = segs;
    return NULL;
}

const char *fm_template_compile(apr_pool_t *p, const char *item,
                                const char *wrapper, fm_template **out)
{
    fm_template *t = apr_pcalloc(p, sizeof(*t));
    const char *err;

    if ((err = compile_part(p, item, 1, &t->item)) != NULL)
        return apr_pstrcat(p, "ITEM: ", err, NULL);
    if (wrapper && (err = compile_part(p, wrapper, 0, &t->wrapper)) != NULL)
        return apr_pstrcat(p, "WRAPPER: ", err, NULL);
    *out = t;
    return NULL;
}

#define ITEM_OPEN  "%{item}"
#define ITEM_CLOSE "%{/item}"

/* Drop one line break right after an inline marker line. */
static const char *skip_eol(const char *s)
{
    if (s[0] == '\r' && s[1] == '\n')
        return s + 2;
    if (s[0] == '\n')
        return s + 1;
    return s;
}

const char *fm_template_compile_file_text(apr_pool_t *p, const char *text,
                                          fm_template **out)
{
    const char *open = strstr(text, ITEM_OPEN);
    const char *close, *body;

    if (!open) {
        if (strstr(text, ITEM_CLOSE))
            return "%{/item} without %{item}";
        return fm_template_compile(p, text, NULL, out);
    }
    body = skip_eol(open + strlen(ITEM_OPEN));
    close = strstr(body, ITEM_CLOSE);
    if (!close)
        return "%{item} without %{/item}";
    if (strstr(close + strlen(ITEM_CLOSE), ITEM_OPEN))
        return "more than one %{item} block";
    return fm_template_compile(
        p, apr_pstrmemdup(p, body, (apr_size_t)(close - body)),
        apr_pstrcat(p, apr_pstrmemdup(p, text, (apr_size_t)(open - text)),
                    "%{items}", skip_eol(close + strlen(ITEM_CLOSE)), NULL),
        out);
}

/* Length of the UTF-8 sequence starting with lead byte c (1 if invalid). */
static apr_size_t seq_len(const unsigned char *s)
{
    apr_size_t n, k;
    if (s[0] < 0xC2 || s[0] > 0xF4)
        return 1;
    n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    for (k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 1;
    return n;
}

static unsigned seq_cp(const unsigned char *s, apr_size_t n)
{
    unsigned cp = n == 2 ? (s[0] & 0x1Fu) : n == 3 ? (s[0] & 0x0Fu) : (s[0] & 0x07u);
    apr_size_t k;
    for (k = 1; k < n; k++)
        cp = (cp << 6) | (s[k] & 0x3Fu);
    return cp;
}

static apr_size_t escaped_len(const char *s, int ascii)
{
    apr_size_t n = 0;
    for (; *s; s++) {
        if (ascii && (unsigned char)*s >= 0x80) {
            apr_size_t l = seq_len((const unsigned char *)s);
            char tmp[16];
            n += (apr_size_t)apr_snprintf(tmp, sizeof(tmp), "&#x%x;", l > 1
                    ? seq_cp((const unsigned char *)s, l) : 0xFFFDu);
            s += l - 1;
            continue;
        }
        switch (*s) {
        case '&': n += 5; break;           /* &amp; */
        case '<': case '>': n += 4; break; /* &lt; &gt; */
        case '"': n += 6; break;           /* &quot; */
        case '\'': n += 6; break;          /* &#x27; */
        default: n++;
        }
    }
    return n;
}

static char *escape_into(char *d, const char *s, int ascii)
{
    for (; *s; s++) {
        const char *rep;
        if (ascii && (unsigned char)*s >= 0x80) {
            apr_size_t l = seq_len((const unsigned char *)s);
            d += apr_snprintf(d, 16, "&#x%x;", l > 1
                    ? seq_cp((const unsigned char *)s, l) : 0xFFFDu);
            s += l - 1;
            continue;
        }
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#x27;"; break;
        default: *d++ = *s; continue;
        }
        while (*rep)
            *d++ = *rep++;
    }
    return d;
}

const char *fm_html_escape(apr_pool_t *p, const char *s)
{
    apr_size_t n = escaped_len(s, 0);
    char *r, *e;
    if (n == strlen(s))
        return s;
    r = apr_palloc(p, n + 1);
    e = escape_into(r, s, 0);
    *e = '\0';
    return r;
}

/* Values of one message's variables, raw (escaped when emitted). */
static const char *item_value(apr_pool_t *p, seg_kind k, const fm_message *m,
                              const fm_levels *lv, const fm_tagmap *tm)
{
    switch (k) {
    case SEG_MESSAGE: return m->text;
    case SEG_LEVEL: return apr_itoa(p, m->level);
    case SEG_LEVEL_TAG: return fm_level_tag(lv, tm, m->level);
    case SEG_TAGS: return fm_message_tags(p, lv, tm, m);
    case SEG_EXTRA_TAGS: return m->extra_tags;
    default: return "";
    }
}

/* A growable byte buffer in a pool. */
typedef struct {
    apr_pool_t *p;
    char *d;
    apr_size_t len, cap;
} buf_t;

static char *buf_grow(buf_t *b, apr_size_t n)
{
    if (b->cap - b->len < n) {
        apr_size_t cap = b->cap ? b->cap * 2 : 256;
        char *nd;
        while (cap - b->len < n)
            cap *= 2;
        nd = apr_palloc(b->p, cap);
        if (b->len)
            memcpy(nd, b->d, b->len);
        b->d = nd;
        b->cap = cap;
    }
    b->len += n;
    return b->d + b->len - n;
}

static void buf_put(buf_t *b, const char *s, apr_size_t n)
{
    if (n)
        memcpy(buf_grow(b, n), s, n);
}

/* Append segments to b, with the items text for SEG_ITEMS. */
static void emit(buf_t *b, const apr_array_header_t *segs,
                 const fm_message *m, const fm_levels *lv,
                 const fm_tagmap *tm, const buf_t *items, int count,
                 int ascii)
{
    const segment *sg = (const segment *)segs->elts;
    int i;
    for (i = 0; i < segs->nelts; i++) {
        const char *v;
        if (sg[i].kind == SEG_TEXT) {
            buf_put(b, sg[i].text, sg[i].len);
            continue;
        }
        if (sg[i].kind == SEG_ITEMS) {
            buf_put(b, items->d, items->len);
            continue;
        }
        v = sg[i].kind == SEG_COUNT ? apr_itoa(b->p, count)
                                    : item_value(b->p, sg[i].kind, m, lv, tm);
        {
            /* escape_into writes a NUL after the last reference: room for it */
            apr_size_t need = escaped_len(v, ascii);
            escape_into(buf_grow(b, need + 1), v, ascii);
            b->len--;
        }
    }
}

char *fm_template_render(apr_pool_t *p, const fm_template *t,
                         const fm_levels *lv, const fm_tagmap *tm,
                         const fm_message *msgs, int n, unsigned flags,
                         apr_size_t *len)
{
    buf_t items = { p, NULL, 0, 0 }, out = { p, NULL, 0, 0 };
    buf_t *res = &items;
    int ascii = (flags & FM_RENDER_ASCII) != 0;
    int i;

    for (i = 0; i < n; i++)
        emit(&items, t->item, &msgs[i], lv, tm, NULL, n, ascii);
    if (t->wrapper) {
        emit(&out, t->wrapper, NULL, lv, tm, &items, n, ascii);
        res = &out;
    }
    *buf_grow(res, 1) = '\0';
    *len = res->len - 1;
    return res->d;
}

/*
 * template.c - compile ITEM/WRAPPER templates once (at configuration
 * time), render them per request: the variables, the compiler that cuts a
 * template into text and variables, the %{item} markers of a template
 * file, and rendering.  Compiling is where the markup is read, so that
 * errors point at a line of the configuration; where each variable may
 * stand is html_context.c's to say and how its value is escaped
 * html_escape.c's (html.h: why the two make a value safe).
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "template.h"
#include "html.h"

typedef enum {
    SEG_TEXT,
    SEG_MESSAGE,
    SEG_LEVEL,
    SEG_LEVEL_TAG,
    SEG_TAGS,
    SEG_EXTRA_TAGS,
    SEG_ITEMS,
    SEG_COUNT,
    SEG_LIVE
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
    { "live", SEG_LIVE, 0 },
};
#define N_VARS (sizeof(variables) / sizeof(variables[0]))

/* ------------------------------------------------------------------ */
/* The compiler                                                         */

typedef struct {
    apr_pool_t *p;
    const char *base;   /* the text positions count from */
    int file;           /* a template file: "line L, column C" */
    const char *part;   /* "ITEM", "WRAPPER", ... for messages */
    int items;          /* %{items} seen */
    fm_html_context *h; /* where the markup so far has left the reader */
} compiler;

/* Where at is, for messages. */
static const char *where(const compiler *c, const char *at)
{
    const char *s;
    int line = 1, col = 1;
    for (s = c->base; s < at; s++) {
        if (*s == '\n') {
            line++;
            col = 1;
        }
        else if (((unsigned char)*s & 0xC0) != 0x80) {
            col++;
        }
    }
    return c->file ? apr_psprintf(c->p, "line %d, column %d", line, col)
                   : apr_psprintf(c->p, "column %d", col);
}

/* NULL when variable name (n bytes) at `at` may stand where the markup is
 * in every reading; markup (%{items}, %{item}) needs element text. */
static const char *check_var(const compiler *c, const char *at,
                             const char *name, apr_size_t n, int markup)
{
    const char *why = fm_html_refuse_variable(c->p, c->h, markup);
    if (why)
        return apr_psprintf(c->p, "%%{%.*s} at %s %s", (int)n, name,
                            where(c, at), why);
    return NULL;
}

/* NULL when every reading is back in element text where a part ends. */
static const char *check_end(const compiler *c, const char *at,
                             const char *what)
{
    const char *open = fm_html_unclosed(c->p, c->h);
    if (open)
        return apr_psprintf(c->p, "%s%s%s ends inside %s: close it first",
                            at ? where(c, at) : "", at ? ": " : "", what,
                            open);
    return NULL;
}

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

/* Compile [s, e) into segs, the markup read on from c->h. */
static const char *scan(compiler *c, const char *s, const char *e,
                        int is_item, apr_array_header_t *segs)
{
    apr_array_header_t *lit = apr_array_make(c->p, 64, 1);
    const char *err;

    while (s < e) {
        const char *at = s;
        int ch;
        if (s[0] == '%' && s + 1 < e && s[1] == '{') {
            const char *name = s + 2;
            const char *end = memchr(name, '}', (apr_size_t)(e - name));
            apr_size_t i, n;
            segment *sg;
            if (!end)
                return apr_psprintf(c->p, "unterminated variable \"%.*s\" at "
                                    "%s", (int)(e - s > 20 ? 20 : e - s), s,
                                    where(c, s));
            n = (apr_size_t)(end - name);
            for (i = 0; i < N_VARS; i++)
                if (strlen(variables[i].name) == n
                    && strncmp(variables[i].name, name, n) == 0)
                    break;
            if (i == N_VARS)
                return apr_psprintf(c->p, "unknown variable %%{%.*s} at %s; "
                                    "%s knows %s", (int)(n > 40 ? 40 : n),
                                    name, where(c, s), c->part, is_item
                                    ? "%{message} %{level} %{level_tag} "
                                      "%{tags} %{extra_tags}"
                                    : "%{items} %{count} %{live}");
            if (variables[i].in_item != is_item)
                return apr_psprintf(c->p, "%%{%s} at %s cannot be used in %s",
                                    variables[i].name, where(c, s), c->part);
            if ((err = check_var(c, s, name, n,
                                 variables[i].kind == SEG_ITEMS)) != NULL)
                return err;
            push_text(segs, c->p, lit->elts, (apr_size_t)lit->nelts);
            lit->nelts = 0;
            sg = apr_array_push(segs);
            sg->kind = variables[i].kind;
            sg->text = NULL;
            sg->len = 0;
            if (sg->kind == SEG_ITEMS)
                c->items++;
            s = end + 1;
            continue;
        }
        if (s[0] == '%') {
            if (s + 1 == e || s[1] != '%')
                return apr_psprintf(c->p, "'%%' at %s is neither %%%% nor "
                                    "%%{name}: write %%%% for a percent sign",
                                    where(c, s));
            ch = '%';
            s += 2;
        }
        else {
            ch = (unsigned char)*s++;
        }
        if (!fm_html_step(c->h, ch))
            return apr_psprintf(c->p, "the markup at %s reads in too many "
                                "ways to check (a <script>, <style>, <title> "
                                "or <textarea> left open?)", where(c, at));
        *(char *)apr_array_push(lit) = (char)ch;
    }
    push_text(segs, c->p, lit->elts, (apr_size_t)lit->nelts);
    return NULL;
}

static compiler *compiler_make(apr_pool_t *p, const char *base, int file)
{
    compiler *c = apr_pcalloc(p, sizeof(*c));
    c->p = p;
    c->base = base;
    c->file = file;
    c->h = fm_html_context_make(p);
    return c;
}

const char *fm_template_compile(apr_pool_t *p, const char *item,
                                const char *wrapper, fm_template **out)
{
    fm_template *t = apr_pcalloc(p, sizeof(*t));
    compiler *c = compiler_make(p, item, 0);
    const char *err;

    c->part = "ITEM";
    t->item = apr_array_make(p, 8, sizeof(segment));
    if ((err = scan(c, item, item + strlen(item), 1, t->item)) != NULL
        || (err = check_end(c, NULL, "the markup")) != NULL)
        return apr_pstrcat(p, "ITEM: ", err, NULL);
    if (wrapper) {
        c = compiler_make(p, wrapper, 0);
        c->part = "WRAPPER";
        t->wrapper = apr_array_make(p, 8, sizeof(segment));
        if ((err = scan(c, wrapper, wrapper + strlen(wrapper), 0,
                        t->wrapper)) == NULL && c->items == 0)
            err = "WRAPPER must contain %{items}";
        if (err || (err = check_end(c, NULL, "the markup")) != NULL)
            return apr_pstrcat(p, "WRAPPER: ", err, NULL);
    }
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

/* The first marker in s that is not part of a "%%". */
static const char *find_marker(const char *s, const char *marker)
{
    apr_size_t n = strlen(marker);
    for (; (s = strchr(s, '%')) != NULL; s++) {
        if (s[1] == '%')
            s++;
        else if (strncmp(s, marker, n) == 0)
            return s;
    }
    return NULL;
}

const char *fm_template_compile_file_text(apr_pool_t *p, const char *text,
                                          fm_template **out)
{
    const char *open = find_marker(text, ITEM_OPEN);
    const char *end = text + strlen(text);
    const char *close, *body, *err;
    fm_template *t = apr_pcalloc(p, sizeof(*t));
    compiler *c = compiler_make(p, text, 1);
    fm_html_context *outside;

    t->item = apr_array_make(p, 8, sizeof(segment));
    if (!open) {
        if (find_marker(text, ITEM_CLOSE))
            return "%{/item} without %{item}";
        c->part = "the template";
        if ((err = scan(c, text, end, 1, t->item)) != NULL
            || (err = check_end(c, end, "the template")) != NULL)
            return err;
        *out = t;
        return NULL;
    }
    body = skip_eol(open + strlen(ITEM_OPEN));
    close = find_marker(body, ITEM_CLOSE);
    if (!close)
        return "%{item} without %{/item}";
    if (find_marker(close + strlen(ITEM_CLOSE), ITEM_OPEN))
        return "more than one %{item} block";

    /* the wrapper: the text around the block, which stands for %{items} */
    t->wrapper = apr_array_make(p, 8, sizeof(segment));
    c->part = "the text around %{item}...%{/item}";
    if ((err = scan(c, text, open, 0, t->wrapper)) != NULL
        || (err = check_var(c, open, "item", 4, 1)) != NULL)
        return err;
    {
        segment *sg = apr_array_push(t->wrapper);
        sg->kind = SEG_ITEMS;
        sg->text = NULL;
        sg->len = 0;
    }
    outside = fm_html_context_make(p);
    fm_html_copy(outside, c->h);

    /* the block, read from element text to element text */
    fm_html_reset(c->h);
    c->part = "the %{item} block";
    if ((err = scan(c, body, close, 1, t->item)) != NULL
        || (err = check_end(c, close, "the %{item} block")) != NULL)
        return err;

    fm_html_copy(c->h, outside);
    c->part = "the text around %{item}...%{/item}";
    if ((err = scan(c, skip_eol(close + strlen(ITEM_CLOSE)), end, 0,
                    t->wrapper)) != NULL
        || (err = check_end(c, end, "the template")) != NULL)
        return err;
    *out = t;
    return NULL;
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

/* Append segments to b, with the items text for SEG_ITEMS and the
 * wrapper's values count and live. */
static void emit(buf_t *b, const apr_array_header_t *segs,
                 const fm_message *m, const fm_levels *lv,
                 const fm_tagmap *tm, const buf_t *items, int count,
                 const char *live, int ascii)
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
            : sg[i].kind == SEG_LIVE ? live
            : item_value(b->p, sg[i].kind, m, lv, tm);
        {
            /* Most values need no escaping: copied in one pass.  Else the
             * clean start is copied and the rest counted, then escaped
             * (room for the NUL after a last numeric reference). */
            apr_size_t plain = fm_html_plain_len(v, ascii), need;
            buf_put(b, v, plain);
            v += plain;
            if (!*v)
                continue;
            need = fm_html_escape_to(NULL, v, ascii);
            fm_html_escape_to(buf_grow(b, need + 1), v, ascii);
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
    /* %{live}: an error among the messages interrupts a screen reader */
    const char *live = "polite";
    int i;

    for (i = 0; i < n; i++) {
        emit(&items, t->item, &msgs[i], lv, tm, NULL, n, NULL, ascii);
        if (msgs[i].level >= FM_ERROR)
            live = "assertive";
    }
    if (t->wrapper) {
        emit(&out, t->wrapper, NULL, lv, tm, &items, n, live, ascii);
        res = &out;
    }
    *buf_grow(res, 1) = '\0';
    *len = res->len - 1;
    return res->d;
}

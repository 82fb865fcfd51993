/*
 * fuzz_header_lenient.c - libFuzzer target for the lenient parse of a
 * structured X-Flash value (fm_header_parse_ex; the strict parse is its
 * fast path).  Two modes, chosen by the first byte of the input:
 *
 *  even: the rest of the input is the value as it is (after '"' when it
 *        would not be structured otherwise);
 *  odd:  the rest drives a generator: 1 to 12 pieces, each a valid member
 *        built from the data (a String with escapes and raw UTF-8, or a
 *        Display String, percent-encoded or with raw UTF-8; a level as a
 *        name or an integer or none; tags with untidy blanks; unknown
 *        parameters of every type, strings with commas among them), or
 *        junk (raw bytes, or a valid member with one byte changed), its
 *        strings closed so that it cannot swallow its neighbours; joined
 *        with ", " as httpd joins repeated fields.
 *
 * Checked on both, besides the sanitizers:
 *  - no member invented: the messages are exactly, in order, those that
 *    each member gives when parsed on its own, the members being the value
 *    cut at the commas outside strings (this file's own cutter, written
 *    from the rule documented in header_parser.h, not the parser's); a
 *    member that does not start with '"' or '%"' gives none;
 *  - the report agrees: as many members as pieces of the cut, each kept
 *    skipped member is the piece at its position (the bytes without the
 *    blanks around them), the reason names the first;
 *  - every message is acceptable (valid text, tags normalized);
 * and on the generated values:
 *  - every valid member survives: their messages come out, in order (as a
 *    subsequence: a junk piece may itself hold a valid member).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "header_parser.h"
#include "../common/fixtures.h"

static apr_pool_t *global_pool, *pool;
static fm_levels *levels;

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* ------------------------------------------------------------------ */
/* The cut (the rule of header_parser.h, written again)                */
/* ------------------------------------------------------------------ */

enum cut_state { TOP, STR, STR_ESC, DISP };

/* The state after the n bytes of s, from st (prev: the byte before s[0],
 * or -1). */
static enum cut_state scan(const char *s, size_t n, enum cut_state st,
                           int prev, size_t *commas, size_t ncap,
                           size_t *found)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        switch (st) {
        case TOP:
            if (c == ',') {
                if (commas && *found < ncap)
                    commas[*found] = i;
                if (found)
                    (*found)++;
            }
            else if (c == '"') {
                st = (i > 0 ? s[i - 1] == '%' : prev == '%') ? DISP : STR;
            }
            break;
        case STR:
            if (c == '\\')
                st = STR_ESC;
            else if (c == '"')
                st = TOP;
            break;
        case STR_ESC:
            st = STR;
            break;
        case DISP:
            if (c == '"')
                st = TOP;
            break;
        }
    }
    return st;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

typedef struct {
    size_t start, end;      /* without the blanks around it */
} piece;

/* The members of v (n bytes, no blanks at either end). */
static piece *cut(const char *v, size_t n, size_t *count)
{
    size_t ncommas = 0, i, from = 0;
    size_t *commas = apr_palloc(pool, (n + 1) * sizeof(size_t));
    piece *out;

    scan(v, n, TOP, -1, commas, n + 1, &ncommas);
    out = apr_palloc(pool, (ncommas + 1) * sizeof(piece));
    for (i = 0; i <= ncommas; i++) {
        size_t to = i < ncommas ? commas[i] : n, a = from, b = to;
        while (a < b && is_ows(v[a]))
            a++;
        while (b > a && is_ows(v[b - 1]))
            b--;
        out[i].start = a;
        out[i].end = b;
        from = to + 1;
    }
    *count = ncommas + 1;
    return out;
}

static int starts_structured(const char *v, size_t n)
{
    return n > 0 && (v[0] == '"' || (v[0] == '%' && n > 1 && v[1] == '"'));
}

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

static int same_message(const fm_message *x, const fm_message *y)
{
    return x->level == y->level && strcmp(x->text, y->text) == 0
           && strcmp(x->extra_tags, y->extra_tags) == 0;
}

static void check_messages(const apr_array_header_t *a)
{
    int i;
    for (i = 0; i < a->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(a, i, fm_message);
        size_t n = strlen(m->extra_tags), k;
        CHECK(m->text[0] != '\0');
        CHECK(fm_text_valid(m->text, strlen(m->text)));
        CHECK(fm_text_valid(m->extra_tags, n));
        CHECK(n == 0 || (m->extra_tags[0] != ' '
                         && m->extra_tags[n - 1] != ' '));
        for (k = 0; k + 1 < n; k++)
            CHECK(m->extra_tags[k] != ' ' || m->extra_tags[k + 1] != ' ');
    }
}

/*
 * Parse the value v (n bytes) and check it against its members parsed one
 * by one.  Returns the messages.
 */
static apr_array_header_t *check_value(const char *v, size_t n)
{
    apr_array_header_t *all = apr_array_make(pool, 4, sizeof(fm_message));
    apr_array_header_t *alone = apr_array_make(pool, 4, sizeof(fm_message));
    fm_header_report rep;
    const char *r;
    size_t a = 0, b = n, count, i, kept;
    piece *pc;

    r = fm_header_parse_ex(pool, levels, 0, v, n, 42, all, &rep);
    check_messages(all);
    while (a < b && is_ows(v[a]))
        a++;
    while (b > a && is_ows(v[b - 1]))
        b--;
    CHECK(starts_structured(v + a, b - a));

    pc = cut(v + a, b - a, &count);
    CHECK(rep.members == count);
    CHECK(rep.nskipped <= count);
    CHECK((r == NULL) == (rep.nskipped == 0));
    kept = rep.nskipped < FM_HEADER_SKIPS_KEPT ? rep.nskipped
                                               : FM_HEADER_SKIPS_KEPT;
    CHECK((size_t)rep.skipped->nelts == kept);
    for (i = 0; i < kept; i++) {
        const fm_header_skip *k = &APR_ARRAY_IDX(rep.skipped, i,
                                                 fm_header_skip);
        const piece *p;
        CHECK(k->index >= 1 && k->index <= count);
        p = &pc[k->index - 1];
        CHECK(k->offset == a + p->start && k->len == p->end - p->start);
        if (i == 0) {
            const char *head = apr_psprintf(pool, "member %" APR_SIZE_T_FMT
                                            " of %" APR_SIZE_T_FMT
                                            " skipped: ", k->index, count);
            CHECK(strncmp(r, head, strlen(head)) == 0);
        }
    }

    /* Each member alone (a copy of exactly its bytes, for ASan). */
    for (i = 0; i < count; i++) {
        size_t len = pc[i].end - pc[i].start;
        char *copy;
        if (!starts_structured(v + a + pc[i].start, len))
            continue;
        copy = malloc(len);
        CHECK(copy);
        memcpy(copy, v + a + pc[i].start, len);
        fm_header_parse(pool, levels, 0, copy, len, 42, alone);
        free(copy);
    }
    CHECK(all->nelts == alone->nelts);
    for (i = 0; i < (size_t)all->nelts; i++)
        CHECK(same_message(&APR_ARRAY_IDX(all, i, fm_message),
                           &APR_ARRAY_IDX(alone, i, fm_message)));
    return all;
}

/* ------------------------------------------------------------------ */
/* The generator                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
    const uint8_t *d;
    size_t n, i;
} reader;

static unsigned byte(reader *rd)
{
    return rd->i < rd->n ? rd->d[rd->i++] : 0;
}

/* A growing buffer from pool. */
typedef struct {
    char *s;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *s2 = apr_palloc(pool, cap);
        if (b->n)
            memcpy(s2, b->s, b->n);
        b->s = s2;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const char *const utf8_chars[] = {
    "\xc3\xa9", "\xc3\x9f", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xe2\x82\xac",
    "\xc3\xbc"
};
static const struct { const char *name; int level; } level_names[] = {
    { "debug", 10 }, { "info", 20 }, { "success", 25 }, { "WARNING", 30 },
    { "error", 40 }, { "notice", 35 }, { "trace", 5 }
};
static const char *const tag_words[] = {
    "sticky", "big", "a,b", "x\\\"y", "caf\xc3\xa9", "q:r", "%20"
};
static const char *const tag_norm[] = {
    "sticky", "big", "a,b", "x\"y", "caf\xc3\xa9", "q:r", "%20"
};
static const char *const extras[] = {
    ";x=1", ";y=\"a, b\"", ";z=?0", ";w=%\"%c3%a9, q\"", ";k", ";d=@5",
    ";b=:YQ==:", ";t=to:k/x", ";n=-1.5", ";s=\"\\\\\"", ";u=\"\xc3\xa9,\""
};

/* A valid member into b; its message into m.  len_text >= 1 characters. */
static void valid_member(reader *rd, buf *b, fm_message *m)
{
    buf text = { 0 }, tags = { 0 };
    unsigned nchars = 1 + byte(rd) % 12, enc = byte(rd) % 3, i, k;
    unsigned lv = byte(rd) % 4, tg = byte(rd) % 3, nx = byte(rd) % 3;
    int level = FM_INFO;

    for (i = 0; i < nchars; i++) {
        unsigned c = byte(rd);
        if (c < 0xc0) {
            char ch = (char)(0x20 + c % 95);
            put(&text, &ch, 1);
        }
        else {
            puts_(&text, utf8_chars[c % 6]);
        }
    }
    /* The item. */
    if (enc == 0) {
        puts_(b, "\"");
        for (i = 0; i < text.n; i++) {
            if (text.s[i] == '"' || text.s[i] == '\\')
                puts_(b, "\\");
            put(b, text.s + i, 1);
        }
        puts_(b, "\"");
    }
    else {
        puts_(b, "%\"");
        for (i = 0; i < text.n; i++) {
            unsigned char c = (unsigned char)text.s[i];
            if (c == '%' || c == '"' || (enc == 1 && c >= 0x80)) {
                char hex[4];
                apr_snprintf(hex, sizeof(hex), "%%%02x", c);
                puts_(b, hex);
            }
            else {
                put(b, text.s + i, 1);
            }
        }
        puts_(b, "\"");
    }
    /* Parameters: extras, level and tags in an order from the data. */
    for (k = 0; k < 3; k++) {
        unsigned which = (k + byte(rd)) % 3;
        if (which == 0 && nx) {
            for (i = 0; i < nx; i++)
                puts_(b, extras[byte(rd) % (sizeof(extras) / sizeof(*extras))]);
            nx = 0;
        }
        else if (which == 1 && lv) {
            if (lv == 1 || lv == 3) {
                unsigned j = byte(rd) % 7;
                puts_(b, ";level=");
                puts_(b, level_names[j].name);
                level = level_names[j].level;
            }
            else {
                level = (int)(byte(rd) * 256 + byte(rd));
                puts_(b, apr_psprintf(pool, ";level=%d", level));
            }
            lv = 0;
        }
        else if (which == 2 && tg) {
            puts_(b, ";tags=\"");
            if (tg == 1) {
                unsigned nw = 1 + byte(rd) % 3;
                for (i = 0; i < nw; i++) {
                    unsigned j = byte(rd) % 7;
                    puts_(b, byte(rd) % 2 ? "  " : (i ? " " : ""));
                    puts_(b, tag_words[j]);
                    if (i)
                        puts_(&tags, " ");
                    puts_(&tags, tag_norm[j]);
                }
                if (byte(rd) % 2)
                    puts_(b, " ");
            }
            puts_(b, "\"");
            tg = 0;
        }
    }
    m->level = level;
    m->text = text.s;
    m->extra_tags = tags.n ? tags.s : "";
}

/* Close the strings a piece leaves open (in the joined value a piece
 * follows ", ", so nothing before it matters). */
static void close_strings(buf *b)
{
    enum cut_state st = scan(b->s, b->n, TOP, -1, NULL, 0, NULL);
    if (st == STR_ESC)
        puts_(b, "x\"");
    else if (st != TOP)
        puts_(b, "\"");
}

static void generated(reader *rd)
{
    unsigned npieces = 1 + byte(rd) % 12, i;
    apr_array_header_t *want = apr_array_make(pool, 12, sizeof(fm_message));
    apr_array_header_t *got;
    buf v = { 0 };
    int j;

    for (i = 0; i < npieces; i++) {
        unsigned kind = byte(rd) % 4;
        buf p = { 0 };
        fm_message m;

        if (i)
            puts_(&v, ", ");
        if (kind >= 2) {
            valid_member(rd, &p, &m);
            APR_ARRAY_PUSH(want, fm_message) = m;   /* min_level 0 */
        }
        else {
            if (i == 0)
                puts_(&p, "\"");    /* keep the value structured */
            if (kind == 0) {
                unsigned n = byte(rd) % 24, k;
                for (k = 0; k < n; k++) {
                    char c = (char)byte(rd);
                    put(&p, &c, 1);
                }
            }
            else {
                /* after the '"' of the first piece, which stays */
                size_t keep = p.n;
                valid_member(rd, &p, &m);
                p.s[keep + byte(rd) % (p.n - keep)] = (char)byte(rd);
            }
            close_strings(&p);
        }
        if (p.n)
            put(&v, p.s, p.n);
    }
    if (!v.n)
        return;
    got = check_value(v.s, v.n);
    /* The valid members' messages, in order. */
    for (i = 0, j = 0; i < (unsigned)want->nelts; i++) {
        const fm_message *w = &APR_ARRAY_IDX(want, i, fm_message);
        while (j < got->nelts
               && !same_message(w, &APR_ARRAY_IDX(got, j, fm_message)))
            j++;
        CHECK(j < got->nelts);
        j++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!global_pool) {
        global_pool = fx_process_pool();
        apr_pool_create(&pool, global_pool);
        levels = fx_fuzz_levels(global_pool);
    }
    apr_pool_clear(pool);
    if (size == 0)
        return 0;

    if (data[0] % 2 == 0) {
        const char *v = (const char *)data + 1;
        size_t n = size - 1, a = 0;
        while (a < n && is_ows(v[a]))
            a++;
        if (!starts_structured(v + a, n - a)) {
            char *w = apr_palloc(pool, n + 1);
            w[0] = '"';
            if (n)
                memcpy(w + 1, v, n);
            v = w;
            n++;
        }
        check_value(v, n);
    }
    else {
        reader rd = { data + 1, size - 1, 0 };
        generated(&rd);
    }
    return 0;
}

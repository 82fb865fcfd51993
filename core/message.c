/*
 * message.c - levels, level tags, tags and the pending list.
 */
#include <string.h>
#include <limits.h>

#include <apr_strings.h>
#include <apr_lib.h>

#include "message.h"

typedef struct {
    const char *name;   /* lower case */
    int number;
} fm_level_def;

struct fm_levels {
    apr_array_header_t *defs;   /* fm_level_def, custom levels only */
};

typedef struct {
    int level;
    const char *cls;
} fm_tag_def;

struct fm_tagmap {
    apr_array_header_t *defs;   /* fm_tag_def */
};

static const fm_level_def builtin_levels[] = {
    { "debug", FM_DEBUG },
    { "info", FM_INFO },
    { "success", FM_SUCCESS },
    { "warning", FM_WARNING },
    { "error", FM_ERROR },
};
#define N_BUILTIN (sizeof(builtin_levels) / sizeof(builtin_levels[0]))

/* Both tables are lists searched newest first, so merging is appending
 * the child's entries after the parent's. */
static apr_array_header_t *defs_merge(apr_pool_t *p,
                                      const apr_array_header_t *parent,
                                      const apr_array_header_t *child,
                                      int elt_size)
{
    apr_array_header_t *a = apr_array_make(p, 4, elt_size);
    if (parent)
        apr_array_cat(a, parent);
    if (child)
        apr_array_cat(a, child);
    return a;
}

fm_levels *fm_levels_make(apr_pool_t *p)
{
    fm_levels *lv = apr_palloc(p, sizeof(*lv));
    lv->defs = apr_array_make(p, 4, sizeof(fm_level_def));
    return lv;
}

fm_levels *fm_levels_merge(apr_pool_t *p, const fm_levels *parent,
                           const fm_levels *child)
{
    fm_levels *lv = apr_palloc(p, sizeof(*lv));
    lv->defs = defs_merge(p, parent ? parent->defs : NULL,
                          child ? child->defs : NULL, sizeof(fm_level_def));
    return lv;
}

/* Parse a non-negative decimal integer of len bytes; -1 when not one. */
static int parse_uint(const char *s, apr_size_t len, int *out)
{
    long v = 0;
    apr_size_t i;
    if (len == 0 || len > 10)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

static int name_char(char c, int first)
{
    if (apr_isalpha(c) || c == '_')
        return 1;
    return !first && (apr_isdigit(c) || c == '-');
}

const char *fm_levels_define(fm_levels *lv, apr_pool_t *p, const char *name,
                             const char *number)
{
    apr_size_t i, n = strlen(name);
    fm_level_def *d;
    int num;

    if (n == 0 || n > FM_LEVEL_NAME_MAX)
        return "level name must be 1 to 32 characters";
    for (i = 0; i < n; i++)
        if (!name_char(name[i], i == 0))
            return "level name must start with a letter or '_' and contain "
                   "only letters, digits, '_' and '-'";
    if (parse_uint(number, strlen(number), &num) != 0)
        return "level number must be an integer from 0 to 2147483647";
    for (i = 0; i < N_BUILTIN; i++)
        if (strcasecmp(builtin_levels[i].name, name) == 0)
            return "a built-in level cannot be redefined";
    d = apr_array_push(lv->defs);
    {
        char *lower = apr_pstrdup(p, name);
        for (i = 0; i < n; i++)
            lower[i] = (char)apr_tolower(lower[i]);
        d->name = lower;
    }
    d->number = num;
    return NULL;
}

int fm_levels_parse(const fm_levels *lv, const char *s, apr_size_t len,
                    int *level)
{
    apr_size_t i;
    int k;

    if (len == 0)
        return -1;
    if (apr_isdigit(s[0]))
        return parse_uint(s, len, level);
    if (len > FM_LEVEL_NAME_MAX)
        return -1;
    for (i = 0; i < N_BUILTIN; i++) {
        if (strlen(builtin_levels[i].name) == len
            && strncasecmp(builtin_levels[i].name, s, len) == 0) {
            *level = builtin_levels[i].number;
            return 0;
        }
    }
    if (lv) {
        const fm_level_def *d = (const fm_level_def *)lv->defs->elts;
        for (k = lv->defs->nelts - 1; k >= 0; k--) {
            if (strlen(d[k].name) == len
                && strncasecmp(d[k].name, s, len) == 0) {
                *level = d[k].number;
                return 0;
            }
        }
    }
    return -1;
}

const char *fm_levels_name(const fm_levels *lv, int level)
{
    apr_size_t i;
    int k;
    for (i = 0; i < N_BUILTIN; i++)
        if (builtin_levels[i].number == level)
            return builtin_levels[i].name;
    if (lv) {
        /* The first custom name defined for a number names it. */
        const fm_level_def *d = (const fm_level_def *)lv->defs->elts;
        for (k = 0; k < lv->defs->nelts; k++)
            if (d[k].number == level)
                return d[k].name;
    }
    return NULL;
}

fm_tagmap *fm_tagmap_make(apr_pool_t *p)
{
    fm_tagmap *tm = apr_palloc(p, sizeof(*tm));
    tm->defs = apr_array_make(p, 4, sizeof(fm_tag_def));
    return tm;
}

fm_tagmap *fm_tagmap_merge(apr_pool_t *p, const fm_tagmap *parent,
                           const fm_tagmap *child)
{
    fm_tagmap *tm = apr_palloc(p, sizeof(*tm));
    tm->defs = defs_merge(p, parent ? parent->defs : NULL,
                          child ? child->defs : NULL, sizeof(fm_tag_def));
    return tm;
}

void fm_tagmap_set(fm_tagmap *tm, int level, const char *cls)
{
    fm_tag_def *d = apr_array_push(tm->defs);
    d->level = level;
    d->cls = cls;
}

const char *fm_level_tag(const fm_levels *lv, const fm_tagmap *tm, int level)
{
    const char *name;
    if (tm) {
        const fm_tag_def *d = (const fm_tag_def *)tm->defs->elts;
        int k;
        for (k = tm->defs->nelts - 1; k >= 0; k--)   /* last one wins */
            if (d[k].level == level)
                return d[k].cls;
    }
    name = fm_levels_name(lv, level);
    return name ? name : "";
}

const char *fm_message_tags(apr_pool_t *p, const fm_levels *lv,
                            const fm_tagmap *tm, const fm_message *m)
{
    const char *lt = fm_level_tag(lv, tm, m->level);
    const char *et = m->extra_tags ? m->extra_tags : "";
    if (!*et)
        return lt;
    if (!*lt)
        return et;
    {
        /* (apr_pstrcat would measure both twice, through a va_list) */
        apr_size_t el = strlen(et), ll = strlen(lt);
        char *s = apr_palloc(p, el + 1 + ll + 1);
        memcpy(s, et, el);
        s[el] = ' ';
        memcpy(s + el + 1, lt, ll + 1);
        return s;
    }
}

apr_size_t fm_utf8_next(const unsigned char *s, apr_size_t n, unsigned *cp)
{
    unsigned char c = s[0];
    apr_size_t need, k;
    unsigned v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
    }
    else {
        return 0;
    }
    if (n <= need)
        return 0;
    for (k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if ((need == 2 && v < 0x800) || (need == 3 && v < 0x10000)
        || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return need + 1;
}

/* Eight bytes at once: are they all printable ASCII (0x20..0x7E)?  Most
 * message text is, and a byte-by-byte look costs about ten instructions a
 * byte.  (x + 0x01 sets a high bit where a byte is 0x7F; x - 0x20 sets one
 * where a byte is below 0x20, or borrows from one that is; either answer
 * "no" only sends those eight bytes to the exact check below.) */
static int printable8(const unsigned char *s)
{
    const apr_uint64_t ones = APR_UINT64_C(0x0101010101010101);
    const apr_uint64_t high = ones * 0x80;
    apr_uint64_t x;
    memcpy(&x, s, 8);
    return ((x | (x + ones) | (x - ones * 0x20)) & high) == 0;
}

/* Well-formed UTF-8 and, if no_controls, no control character but TAB,
 * C1 (U+0080..U+009F) as well as C0 and DEL: NEL is a line break to some
 * readers and CSI starts a terminal escape, none is text for a user.  One
 * pass (every message read from a cookie goes through it). */
static int text_check(const char *str, apr_size_t len, int no_controls)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0, exact_until = 0;
    while (i < len) {
        unsigned char c;
        if (i >= exact_until && len - i >= 8) {
            if (printable8(s + i)) {
                i += 8;
                continue;
            }
            exact_until = i + 8;    /* (text that is not ASCII is not
                                     * tried eight bytes at a time at
                                     * every byte) */
        }
        c = s[i];
        if (c < 0x80) {
            if (no_controls && ((c < 0x20 && c != '\t') || c == 0x7F))
                return 0;
            i++;
        }
        else {
            unsigned cp;
            apr_size_t l = fm_utf8_next(s + i, len - i, &cp);
            if (!l || (no_controls && cp <= 0x9F))
                return 0;
            i += l;
        }
    }
    return 1;
}

int fm_utf8_valid(const char *s, apr_size_t len)
{
    return text_check(s, len, 0);
}

int fm_text_valid(const char *s, apr_size_t len)
{
    return text_check(s, len, 1);
}

int fm_list_add(apr_array_header_t *list, int min_level, int level,
                const char *text, const char *extra_tags, apr_int64_t created)
{
    fm_message *m;
    if (!text || !*text || level < min_level)
        return 0;
    m = apr_array_push(list);
    m->level = level;
    m->text = text;
    m->extra_tags = extra_tags ? extra_tags : "";
    m->created = created;
    m->usec = 0;
    return 1;
}

/*
 * header_parser.c - the X-Flash grammar (see header_parser.h).
 *
 * simple      LEVEL [EXTRA-TAG ...] ":" TEXT
 * structured  an RFC 9651 List, each member a String or Display String
 *             with parameters "level" and "tags"; the List is walked here,
 *             its members parsed by structured_field.c (section 4.2.1.1
 *             and following, step by step for syntax).
 *
 * Every loop moves forward through the value and nothing recurses, so the
 * cost is linear in the length of the value.  The value is never read past
 * len and need not be NUL terminated.
 *
 * The structured form is parsed strictly first, twice: once to check the
 * syntax of the whole value, then again to add the messages; the first pass
 * allocates at most one scratch buffer.  Only when the strict check fails
 * is the value parsed leniently (sf_list_lenient): cut into members at the
 * commas outside strings, each member parsed alone with raw UTF-8 accepted
 * in strings, and skipped on its own when it does not parse.  That is two
 * more passes (the cut and the parse), still linear.
 */
#include <string.h>
#include <limits.h>

#include <apr_strings.h>

#include "header_parser.h"
#include "structured_field.h"

#define TEXT_INVALID "text is not valid UTF-8 or contains control characters"

/* Character classes of the simple form (structured_field.h has the
 * shared ones). */
static int is_vchar(unsigned char c)
{
    return c >= 0x21 && c <= 0x7E;
}

/* Level names in the simple form (and anything fm_levels_parse takes). */
static int is_name_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
}

/*
 * Copy the words of s (separated by runs of SP / HTAB) into a new string
 * from p, joined by single spaces.  "" when there are none.
 */
static const char *join_words(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out, *o;
    apr_size_t i = 0;

    while (i < n && is_ows((unsigned char)s[i]))
        i++;
    if (i == n)
        return "";
    out = o = apr_palloc(p, n - i + 1);
    while (i < n) {
        if (is_ows((unsigned char)s[i])) {
            while (i < n && is_ows((unsigned char)s[i]))
                i++;
            if (i < n)
                *o++ = ' ';
        }
        else {
            *o++ = s[i++];
        }
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* Simple form                                                          */
/* ------------------------------------------------------------------ */

static const char *parse_simple(apr_pool_t *p, const fm_levels *lv,
                                int min_level, const char *v, apr_size_t n,
                                apr_int64_t created, apr_array_header_t *out)
{
    apr_size_t i = 0, llen, ts, te;
    const char *text, *tags;
    int level;

    while (i < n && is_name_char((unsigned char)v[i]))
        i++;
    if (i == 0)
        return "missing level";
    llen = i;
    if (i < n && !is_ows((unsigned char)v[i]) && v[i] != ':')
        return "invalid character in level";

    /* Extra tags: VCHAR words except ':', up to the colon. */
    ts = i;
    for (;;) {
        while (i < n && is_ows((unsigned char)v[i]))
            i++;
        if (i == n)
            return "missing ':' after level";
        if (v[i] == ':')
            break;
        while (i < n && is_vchar((unsigned char)v[i]) && v[i] != ':')
            i++;
        if (i < n && !is_ows((unsigned char)v[i]) && v[i] != ':')
            return "invalid character in extra tags";
    }
    te = i++;

    if (fm_levels_parse(lv, v, llen, &level) != 0)
        return "unknown level";

    /* Text: the rest, trimmed (the trailing blanks are already gone). */
    while (i < n && is_ows((unsigned char)v[i]))
        i++;
    if (!fm_text_valid(v + i, n - i))
        return TEXT_INVALID;
    text = apr_pstrmemdup(p, v + i, n - i);
    tags = join_words(p, v + ts, te - ts);
    fm_list_add(out, min_level, level, text, tags, created);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Structured form: RFC 9651 List (its members: structured_field.c)     */
/* ------------------------------------------------------------------ */

/* Add a member as a message; returns NULL or why it is unusable. */
static const char *sf_add(const sf_parser *ps, const sf_member *m,
                          const fm_levels *lv, int min_level,
                          apr_int64_t created, apr_array_header_t *out)
{
    int level = FM_INFO;
    const char *tags = "", *text;
    apr_size_t tlen;

    if (m->inner)
        return "inner list is not a message";
    if (m->item.type != SF_STRING && m->item.type != SF_DISPLAY)
        return "not a string";

    if (m->has_level) {
        const sf_item *l = &m->level;
        if (l->type == SF_TOKEN) {
            if (fm_levels_parse(lv, ps->s + l->start, l->len, &level) != 0)
                return "unknown level";
        }
        else if (l->type == SF_INTEGER) {
            apr_size_t i;
            if (l->neg)
                for (i = 0; i < l->len; i++)
                    if (ps->s[l->start + i] != '0')
                        return "negative level";
            if (fm_levels_parse(lv, ps->s + l->start, l->len, &level) != 0)
                return "level out of range";
        }
        else {
            return "level is not a token or an integer";
        }
    }

    if (m->has_tags) {
        if (m->tags.type != SF_STRING)
            return "tags is not a string";
        tags = fm_sf_string_value(ps, &m->tags);
        tags = join_words(ps->p, tags, strlen(tags));
    }

    if (m->item.type == SF_STRING) {
        text = fm_sf_string_value(ps, &m->item);
        tlen = strlen(text);
    }
    else {
        text = fm_sf_display_value(ps, &m->item, &tlen);
    }
    if (!fm_text_valid(text, tlen))
        return TEXT_INVALID;

    fm_list_add(out, min_level, level, text, tags, created);
    return NULL;
}

/* The skipped members of a list, while it is parsed. */
typedef struct {
    apr_pool_t *p;
    apr_size_t members;     /* members seen so far */
    apr_size_t n;           /* of which skipped */
    apr_array_header_t *kept;   /* the first FM_HEADER_SKIPS_KEPT */
} skip_log;

/*
 * Member index (offset, len in the value) is skipped because of why; at is
 * where a syntax error is (the reason then says so), or NO_POS.
 * Only the records kept are formatted: a value of a million empty members
 * costs a counter, not a million strings.
 */
#define NO_POS ((apr_size_t)-1)

static void skip_member(skip_log *sl, apr_size_t index, apr_size_t offset,
                        apr_size_t len, const char *why, apr_size_t at)
{
    fm_header_skip *k;

    if (sl->n++ >= FM_HEADER_SKIPS_KEPT)
        return;
    if (!sl->kept)
        sl->kept = apr_array_make(sl->p, 4, sizeof(fm_header_skip));
    k = apr_array_push(sl->kept);
    k->index = index;
    k->offset = offset;
    k->len = len;
    k->reason = at == NO_POS ? why
                : apr_psprintf(sl->p, "%s at byte %" APR_SIZE_T_FMT, why, at);
}

/*
 * 4.2.1 Parsing a List, strictly.  Returns 0 when the whole value is a
 * List; otherwise -1 with ps->err set.  With out == NULL only the syntax is
 * checked; otherwise the usable members are added and the others recorded
 * in sl.
 */
static int sf_list(sf_parser *ps, const fm_levels *lv, int min_level,
                   apr_int64_t created, apr_array_header_t *out, skip_log *sl)
{
    while (sf_more(ps)) {
        apr_size_t mstart = ps->pos;
        sf_member m;

        if (fm_sf_member_parse(ps, &m) != 0)
            return -1;
        if (out) {
            const char *r = sf_add(ps, &m, lv, min_level, created, out);
            sl->members++;
            if (r)
                skip_member(sl, sl->members, mstart, ps->pos - mstart, r,
                            NO_POS);
        }
        while (sf_more(ps) && is_ows(sf_peek(ps)))
            ps->pos++;
        if (!sf_more(ps))
            break;
        if (sf_peek(ps) != ',')
            return sf_fail(ps, ps->pos, "expected ',' after list member");
        ps->pos++;
        while (sf_more(ps) && is_ows(sf_peek(ps)))
            ps->pos++;
        if (!sf_more(ps))
            return sf_fail(ps, ps->pos, "trailing ',' in list");
    }
    return 0;
}

/*
 * Where the member that starts at i ends: at the next ',' outside strings,
 * or at end.  A '"' opens a Display String when a '%' is just before it
 * (no escapes inside), a String otherwise ('\' escapes the next byte); a
 * string that is not closed runs to end.  For a valid List these are its
 * members exactly: a ',' occurs in a member only inside a string, and
 * tokens, numbers, byte sequences, keys and inner lists hold no '"'.
 */
static apr_size_t member_end(const char *s, apr_size_t i, apr_size_t end)
{
    while (i < end) {
        if (s[i] == ',')
            return i;
        if (s[i] == '"') {
            int display = i > 0 && s[i - 1] == '%';
            for (i++; i < end && s[i] != '"'; i++)
                if (s[i] == '\\' && !display)
                    i++;
            if (i >= end)
                return end;
        }
        i++;
    }
    return end;
}

/* After a member parsed alone: only blanks may follow (-1 otherwise). */
static int trailing(sf_parser *ps)
{
    while (sf_more(ps) && is_ows(sf_peek(ps)))
        ps->pos++;
    return sf_more(ps) ? sf_fail(ps, ps->pos, "expected ',' after list member")
                       : 0;
}

/*
 * The lenient parse of start..end (after the strict one failed): each
 * member alone, between its commas and without the blanks around it; one
 * that does not parse, or is unusable, is skipped.
 */
static void sf_list_lenient(sf_parser *ps, apr_size_t start, apr_size_t end,
                            const fm_levels *lv, int min_level,
                            apr_int64_t created, apr_array_header_t *out,
                            skip_log *sl)
{
    apr_size_t i = start;

    ps->lenient = 1;
    for (;;) {
        apr_size_t stop = member_end(ps->s, i, end), a = i, b = stop;
        sf_member m;
        const char *r;

        while (a < b && is_ows((unsigned char)ps->s[a]))
            a++;
        while (b > a && is_ows((unsigned char)ps->s[b - 1]))
            b--;
        sl->members++;
        ps->pos = a;
        ps->end = b;
        ps->err = NULL;
        if (a == b)
            skip_member(sl, sl->members, a, 0, "empty member", NO_POS);
        else if (fm_sf_member_parse(ps, &m) != 0 || trailing(ps) != 0)
            skip_member(sl, sl->members, a, b - a, ps->err, ps->errpos);
        else if ((r = sf_add(ps, &m, lv, min_level, created, out)) != NULL)
            skip_member(sl, sl->members, a, b - a, r, NO_POS);
        if (stop == end)
            break;
        i = stop + 1;
    }
}

static const char *parse_structured(apr_pool_t *p, const fm_levels *lv,
                                    int min_level, const char *value,
                                    apr_size_t start, apr_size_t end,
                                    apr_int64_t created,
                                    apr_array_header_t *out,
                                    fm_header_report *report)
{
    sf_parser ps;
    skip_log sl;
    const fm_header_skip *first;

    memset(&ps, 0, sizeof(ps));
    ps.p = p;
    ps.s = value;
    ps.pos = start;
    ps.end = ps.limit = end;
    memset(&sl, 0, sizeof(sl));
    sl.p = p;
    if (sf_list(&ps, lv, min_level, created, NULL, NULL) == 0) {
        ps.pos = start;
        sf_list(&ps, lv, min_level, created, out, &sl);
    }
    else {
        sf_list_lenient(&ps, start, end, lv, min_level, created, out, &sl);
    }
    if (report) {
        report->members = sl.members;
        report->lenient = ps.lenient;
        report->nskipped = sl.n;
        if (sl.kept)
            report->skipped = sl.kept;
    }
    if (!sl.n)
        return NULL;
    first = &APR_ARRAY_IDX(sl.kept, 0, fm_header_skip);
    if (sl.n == 1)
        return apr_psprintf(p, "member %" APR_SIZE_T_FMT " of %"
                            APR_SIZE_T_FMT " skipped: %s", first->index,
                            sl.members, first->reason);
    return apr_psprintf(p, "member %" APR_SIZE_T_FMT " of %" APR_SIZE_T_FMT
                        " skipped: %s (and %" APR_SIZE_T_FMT " more members "
                        "skipped)", first->index, sl.members, first->reason,
                        sl.n - 1);
}

const char *fm_header_parse_ex(apr_pool_t *p, const fm_levels *lv,
                               int min_level, const char *value,
                               apr_size_t len, apr_int64_t created,
                               apr_array_header_t *out,
                               fm_header_report *report)
{
    apr_size_t start = 0, end = len;

    if (report) {
        memset(report, 0, sizeof(*report));
        report->skipped = apr_array_make(p, 1, sizeof(fm_header_skip));
    }
    if (!value)
        end = 0;
    while (start < end && is_ows((unsigned char)value[start]))
        start++;
    while (end > start && is_ows((unsigned char)value[end - 1]))
        end--;
    if (start == end)
        return "empty value";
    if (value[start] == '"'
        || (value[start] == '%' && end - start > 1 && value[start + 1] == '"'))
        return parse_structured(p, lv, min_level, value, start, end, created,
                                out, report);
    return parse_simple(p, lv, min_level, value + start, end - start,
                        created, out);
}

const char *fm_header_parse(apr_pool_t *p, const fm_levels *lv, int min_level,
                            const char *value, apr_size_t len,
                            apr_int64_t created, apr_array_header_t *out)
{
    return fm_header_parse_ex(p, lv, min_level, value, len, created, out,
                              NULL);
}

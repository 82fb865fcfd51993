/*
 * header_parser.c - the X-Flash grammar (see header_parser.h).
 *
 * simple      LEVEL [EXTRA-TAG ...] ":" TEXT
 * structured  an RFC 9651 List (section 4.2.1 and following, implemented
 *             step by step for syntax), each member a String or Display
 *             String with parameters "level" and "tags".
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

#define TEXT_INVALID "text is not valid UTF-8 or contains control characters"

/* Character classes, on bytes, independent of the locale. */
static int is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_lcalpha(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_lchex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int hex_val(unsigned char c)
{
    return is_digit(c) ? c - '0' : c - 'a' + 10;
}

static int is_vchar(unsigned char c)
{
    return c >= 0x21 && c <= 0x7E;
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    if (is_alpha(c) || is_digit(c))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_b64(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '+' || c == '/' || c == '=';
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
/* Structured form: RFC 9651 List                                       */
/* ------------------------------------------------------------------ */

enum sf_type {
    SF_INTEGER, SF_DECIMAL, SF_STRING, SF_TOKEN, SF_BYTES, SF_BOOLEAN,
    SF_DATE, SF_DISPLAY
};

/*
 * A bare item, as a span of the value.  start/len cover: the digits
 * (without the sign) of an Integer, Decimal or Date; the content between
 * the quotes of a String or Display String, still encoded; the token; the
 * base64 of a Byte Sequence; the digit of a Boolean.
 */
typedef struct {
    enum sf_type type;
    apr_size_t start, len;
    int neg;
} sf_item;

typedef struct {
    int inner;              /* an Inner List */
    sf_item item;           /* when !inner */
    int has_level, has_tags;
    sf_item level, tags;    /* the last "level" / "tags" parameter */
} sf_member;

typedef struct {
    apr_pool_t *p;
    const char *s;
    apr_size_t pos, end;
    const char *err;        /* the first syntax error */
    apr_size_t errpos;
    int lenient;            /* raw UTF-8 accepted in strings */
    apr_size_t limit;       /* the end of the whole value (end is that of
                             * one member in the lenient parse) */
    unsigned char *scratch; /* decoded Display String bytes, limit bytes */
} sf_parser;

static int sf_fail(sf_parser *ps, apr_size_t at, const char *what)
{
    if (!ps->err) {
        ps->err = what;
        ps->errpos = at;
    }
    return -1;
}

static unsigned char sf_peek(const sf_parser *ps)
{
    return (unsigned char)ps->s[ps->pos];
}

static int sf_more(const sf_parser *ps)
{
    return ps->pos < ps->end;
}

/* 4.2.4 Parsing an Integer or Decimal */
static int sf_number(sf_parser *ps, sf_item *it)
{
    apr_size_t n = 0, frac = 0, dstart;
    int decimal = 0;

    it->neg = 0;
    if (sf_more(ps) && sf_peek(ps) == '-') {
        it->neg = 1;
        ps->pos++;
    }
    if (!sf_more(ps) || !is_digit(sf_peek(ps)))
        return sf_fail(ps, ps->pos, "expected a digit");
    dstart = ps->pos;
    while (sf_more(ps)) {
        unsigned char c = sf_peek(ps);
        if (is_digit(c)) {
            if (decimal)
                frac++;
        }
        else if (!decimal && c == '.') {
            if (n > 12)
                return sf_fail(ps, ps->pos, "decimal has more than 12 "
                               "integer digits");
            decimal = 1;
        }
        else {
            break;
        }
        ps->pos++;
        n++;
        if (!decimal && n > 15)
            return sf_fail(ps, ps->pos - 1, "integer has more than 15 digits");
        if (decimal && n > 16)
            return sf_fail(ps, ps->pos - 1, "decimal is too long");
    }
    if (decimal) {
        if (frac == 0)
            return sf_fail(ps, ps->pos - 1, "decimal ends with '.'");
        if (frac > 3)
            return sf_fail(ps, ps->pos - 1, "decimal has more than 3 "
                           "fraction digits");
    }
    it->type = decimal ? SF_DECIMAL : SF_INTEGER;
    it->start = dstart;
    it->len = ps->pos - dstart;
    return 0;
}

/*
 * 4.2.5 Parsing a String.  Lenient: bytes 0x80-0xFF too, when the content
 * is valid UTF-8 (the escapes are ASCII pairs, so checking the content
 * still escaped is the same as checking it unescaped).
 */
static int sf_string(sf_parser *ps, sf_item *it)
{
    apr_size_t start = ++ps->pos;   /* past DQUOTE */
    int raw = 0;

    while (sf_more(ps)) {
        unsigned char c = sf_peek(ps);
        if (c == '\\') {
            ps->pos++;
            if (!sf_more(ps))
                break;
            c = sf_peek(ps);
            if (c != '"' && c != '\\')
                return sf_fail(ps, ps->pos, "invalid escape in string");
        }
        else if (c == '"') {
            if (raw && !fm_utf8_valid(ps->s + start, ps->pos - start))
                return sf_fail(ps, start, "string is not valid UTF-8");
            it->type = SF_STRING;
            it->start = start;
            it->len = ps->pos - start;
            ps->pos++;
            return 0;
        }
        else if (c >= 0x80 && ps->lenient) {
            raw = 1;
        }
        else if (c < 0x20 || c > 0x7E) {
            return sf_fail(ps, ps->pos, "invalid character in string");
        }
        ps->pos++;
    }
    return sf_fail(ps, ps->pos, "unterminated string");
}

/* 4.2.6 Parsing a Token (the caller saw ALPHA or "*") */
static int sf_token(sf_parser *ps, sf_item *it)
{
    apr_size_t start = ps->pos++;

    while (sf_more(ps)) {
        unsigned char c = sf_peek(ps);
        if (!is_tchar(c) && c != ':' && c != '/')
            break;
        ps->pos++;
    }
    it->type = SF_TOKEN;
    it->start = start;
    it->len = ps->pos - start;
    return 0;
}

/*
 * 4.2.7 Parsing a Byte Sequence.  The content must be base64 that a
 * decoder accepts: '=' only as trailing padding (at most two, completing a
 * group of four when present), and not a lone sixth-bit character.
 * Missing padding is accepted, as the RFC asks.
 */
static int sf_bytes(sf_parser *ps, sf_item *it)
{
    apr_size_t start = ++ps->pos, data = 0, pad = 0, i;

    while (sf_more(ps) && is_b64(sf_peek(ps)))
        ps->pos++;
    if (!sf_more(ps) || sf_peek(ps) != ':')
        return sf_fail(ps, ps->pos, "invalid byte sequence");
    for (i = start; i < ps->pos; i++) {
        if (ps->s[i] == '=')
            pad++;
        else if (pad)
            return sf_fail(ps, i, "invalid base64 padding");
        else
            data++;
    }
    if (pad > 2 || data % 4 == 1 || (pad && (data + pad) % 4 != 0))
        return sf_fail(ps, start, "invalid base64 in byte sequence");
    it->type = SF_BYTES;
    it->start = start;
    it->len = ps->pos - start;
    ps->pos++;
    return 0;
}

/* 4.2.8 Parsing a Boolean */
static int sf_boolean(sf_parser *ps, sf_item *it)
{
    ps->pos++;
    if (!sf_more(ps) || (sf_peek(ps) != '0' && sf_peek(ps) != '1'))
        return sf_fail(ps, ps->pos, "invalid boolean");
    it->type = SF_BOOLEAN;
    it->start = ps->pos++;
    it->len = 1;
    return 0;
}

/* 4.2.9 Parsing a Date */
static int sf_date(sf_parser *ps, sf_item *it)
{
    ps->pos++;
    if (sf_number(ps, it) != 0)
        return -1;
    if (it->type != SF_INTEGER)
        return sf_fail(ps, it->start, "date is not an integer");
    it->type = SF_DATE;
    return 0;
}

/*
 * 4.2.10 Parsing a Display String.  The decoded bytes go to the scratch
 * buffer (decoding never makes them longer) to check that they are UTF-8.
 * Lenient: raw bytes 0x80-0xFF are taken as they are (and checked with the
 * decoded ones).
 */
static int sf_display(sf_parser *ps, sf_item *it)
{
    apr_size_t start, k = 0;

    ps->pos++;
    if (!sf_more(ps) || sf_peek(ps) != '"')
        return sf_fail(ps, ps->pos, "expected '\"' after '%'");
    start = ++ps->pos;
    if (!ps->scratch)
        ps->scratch = apr_palloc(ps->p, ps->limit);
    while (sf_more(ps)) {
        unsigned char c = sf_peek(ps);
        if ((c < 0x20 || c > 0x7E) && !(c >= 0x80 && ps->lenient))
            return sf_fail(ps, ps->pos, "invalid character in display string");
        if (c == '%') {
            unsigned char h1, h2;
            if (ps->end - ps->pos < 3)
                return sf_fail(ps, ps->pos, "truncated percent-encoding");
            h1 = (unsigned char)ps->s[ps->pos + 1];
            h2 = (unsigned char)ps->s[ps->pos + 2];
            if (!is_lchex(h1) || !is_lchex(h2))
                return sf_fail(ps, ps->pos, "invalid percent-encoding (two "
                               "lowercase hex digits expected)");
            ps->scratch[k++] = (unsigned char)(hex_val(h1) * 16 + hex_val(h2));
            ps->pos += 3;
        }
        else if (c == '"') {
            if (!fm_utf8_valid((const char *)ps->scratch, k))
                return sf_fail(ps, start, "display string is not valid UTF-8");
            it->type = SF_DISPLAY;
            it->start = start;
            it->len = ps->pos - start;
            ps->pos++;
            return 0;
        }
        else {
            ps->scratch[k++] = c;
            ps->pos++;
        }
    }
    return sf_fail(ps, ps->pos, "unterminated display string");
}

/* 4.2.3.1 Parsing a Bare Item */
static int sf_bare_item(sf_parser *ps, sf_item *it)
{
    unsigned char c;

    if (!sf_more(ps))
        return sf_fail(ps, ps->pos, "expected an item");
    c = sf_peek(ps);
    if (c == '-' || is_digit(c))
        return sf_number(ps, it);
    if (c == '"')
        return sf_string(ps, it);
    if (is_alpha(c) || c == '*')
        return sf_token(ps, it);
    if (c == ':')
        return sf_bytes(ps, it);
    if (c == '?')
        return sf_boolean(ps, it);
    if (c == '@')
        return sf_date(ps, it);
    if (c == '%')
        return sf_display(ps, it);
    return sf_fail(ps, ps->pos, "expected an item");
}

static int key_is(const sf_parser *ps, apr_size_t start, apr_size_t len,
                  const char *name)
{
    return strlen(name) == len && memcmp(ps->s + start, name, len) == 0;
}

/*
 * 4.2.3.2 Parsing Parameters (with 4.2.3.3 Parsing a Key).  m may be NULL
 * (parameters of an item inside an inner list): syntax only.
 */
static int sf_params(sf_parser *ps, sf_member *m)
{
    while (sf_more(ps) && sf_peek(ps) == ';') {
        apr_size_t kstart, klen;
        sf_item val;

        ps->pos++;
        while (sf_more(ps) && sf_peek(ps) == ' ')
            ps->pos++;
        if (!sf_more(ps)
            || (!is_lcalpha(sf_peek(ps)) && sf_peek(ps) != '*'))
            return sf_fail(ps, ps->pos, "expected a parameter key");
        kstart = ps->pos++;
        while (sf_more(ps)) {
            unsigned char c = sf_peek(ps);
            if (!is_lcalpha(c) && !is_digit(c) && c != '_' && c != '-'
                && c != '.' && c != '*')
                break;
            ps->pos++;
        }
        klen = ps->pos - kstart;
        val.type = SF_BOOLEAN;      /* a key alone means ?1 */
        val.start = kstart;
        val.len = 0;
        val.neg = 0;
        if (sf_more(ps) && sf_peek(ps) == '=') {
            ps->pos++;
            if (sf_bare_item(ps, &val) != 0)
                return -1;
        }
        if (m && key_is(ps, kstart, klen, "level")) {
            m->has_level = 1;
            m->level = val;
        }
        else if (m && key_is(ps, kstart, klen, "tags")) {
            m->has_tags = 1;
            m->tags = val;
        }
    }
    return 0;
}

/* 4.2.1.2 Parsing an Inner List (the caller saw "(") */
static int sf_inner_list(sf_parser *ps, sf_member *m)
{
    ps->pos++;
    while (sf_more(ps)) {
        sf_item it;
        while (sf_more(ps) && sf_peek(ps) == ' ')
            ps->pos++;
        if (!sf_more(ps))
            break;
        if (sf_peek(ps) == ')') {
            ps->pos++;
            return sf_params(ps, m);
        }
        if (sf_bare_item(ps, &it) != 0 || sf_params(ps, NULL) != 0)
            return -1;
        if (!sf_more(ps) || (sf_peek(ps) != ' ' && sf_peek(ps) != ')'))
            return sf_fail(ps, ps->pos, "expected ' ' or ')' in inner list");
    }
    return sf_fail(ps, ps->pos, "unterminated inner list");
}

/* 4.2.1.1 Parsing an Item or Inner List */
static int sf_member_parse(sf_parser *ps, sf_member *m)
{
    m->has_level = m->has_tags = 0;
    if (sf_more(ps) && sf_peek(ps) == '(') {
        m->inner = 1;
        return sf_inner_list(ps, m);
    }
    m->inner = 0;
    if (sf_bare_item(ps, &m->item) != 0)
        return -1;
    return sf_params(ps, m);
}

/* The content of a String, unescaped, as a new string from p. */
static char *string_value(const sf_parser *ps, const sf_item *it)
{
    char *out = apr_palloc(ps->p, it->len + 1), *o = out;
    const char *s = ps->s + it->start, *e = s + it->len;

    while (s < e) {
        if (*s == '\\')
            s++;
        *o++ = *s++;
    }
    *o = '\0';
    return out;
}

/* The bytes of a (valid) Display String as a new string from p. */
static char *display_value(const sf_parser *ps, const sf_item *it,
                           apr_size_t *n)
{
    char *out = apr_palloc(ps->p, it->len + 1), *o = out;
    const char *s = ps->s + it->start, *e = s + it->len;

    while (s < e) {
        if (*s == '%') {
            *o++ = (char)(hex_val((unsigned char)s[1]) * 16
                          + hex_val((unsigned char)s[2]));
            s += 3;
        }
        else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    *n = (apr_size_t)(o - out);
    return out;
}

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
        tags = string_value(ps, &m->tags);
        tags = join_words(ps->p, tags, strlen(tags));
    }

    if (m->item.type == SF_STRING) {
        text = string_value(ps, &m->item);
        tlen = strlen(text);
    }
    else {
        text = display_value(ps, &m->item, &tlen);
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

        if (sf_member_parse(ps, &m) != 0)
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
        else if (sf_member_parse(ps, &m) != 0 || trailing(ps) != 0)
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

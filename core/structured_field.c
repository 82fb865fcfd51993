/*
 * structured_field.c - RFC 9651 (Structured Field Values) syntax, step by
 * step as its section 4.2 parses it, for one member of a List at a time:
 * Items, Inner Lists, Parameters, every bare item type (so that a valid
 * List is accepted whatever else it holds), and the decoding of Strings
 * and Display Strings.  structured_field.h says what header_parser.c gets.
 *
 * Lenient (ps->lenient, the second parse header_parser.c may make): raw
 * bytes 0x80-0xFF are taken inside Strings and Display Strings when the
 * text is valid UTF-8.
 */
#include <string.h>

#include <apr_strings.h>

#include "structured_field.h"
#include "message.h"

/* Character classes of the syntax alone (structured_field.h has the
 * shared ones). */
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
int fm_sf_member_parse(sf_parser *ps, sf_member *m)
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
char *fm_sf_string_value(const sf_parser *ps, const sf_item *it)
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
char *fm_sf_display_value(const sf_parser *ps, const sf_item *it,
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

/*
 * structured_field.h - the RFC 9651 syntax that the X-Flash structured
 * form is written in: one member of a List (an Item or an Inner List with
 * its parameters) parsed at a time, and the value of a String or Display
 * String decoded.  Private to header_parser.c, which walks the List,
 * turns members into messages and decides what is skipped.
 *
 * Nothing here recurses and every loop moves forward, so parsing is
 * linear in the length of the value; the value is never read past its
 * end (end, limit) and need not be NUL terminated.
 */
#ifndef FM_STRUCTURED_FIELD_H
#define FM_STRUCTURED_FIELD_H

#include <apr_pools.h>

/* Character classes, on bytes, independent of the locale (these three are
 * the ones both the syntax and the simple form use). */
static inline int is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static inline int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

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

/* A member of a List, with the parameters the X-Flash form reads. */
typedef struct {
    int inner;              /* an Inner List */
    sf_item item;           /* when !inner */
    int has_level, has_tags;
    sf_item level, tags;    /* the last "level" / "tags" parameter */
} sf_member;

/* A parse of s from pos to end. */
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

/* A syntax error at byte at: the first one is kept (the message names
 * it); returns -1 for the caller to return. */
static inline int sf_fail(sf_parser *ps, apr_size_t at, const char *what)
{
    if (!ps->err) {
        ps->err = what;
        ps->errpos = at;
    }
    return -1;
}

/* The byte at pos, which must be before end (sf_more). */
static inline unsigned char sf_peek(const sf_parser *ps)
{
    return (unsigned char)ps->s[ps->pos];
}

static inline int sf_more(const sf_parser *ps)
{
    return ps->pos < ps->end;
}

/* 4.2.1.1 Parsing an Item or Inner List, at ps->pos: 0, or -1 with
 * ps->err set.  m gets the item (or that it is an Inner List) and its
 * "level" and "tags" parameters (the last of each). */
int fm_sf_member_parse(sf_parser *ps, sf_member *m);

/* The content of a String, unescaped, as a new string from ps->p. */
char *fm_sf_string_value(const sf_parser *ps, const sf_item *it);

/* The bytes of a (valid) Display String as a new string from ps->p; *n
 * gets their number. */
char *fm_sf_display_value(const sf_parser *ps, const sf_item *it,
                          apr_size_t *n);

#endif

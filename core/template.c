/*
 * template.c - compile ITEM/WRAPPER templates once, render them per
 * request with every substituted value HTML-escaped.
 *
 * HTML escaping is right in element text and in quoted attribute values,
 * and only there.  So the compiler reads the markup of the template the
 * way a browser's tokenizer does (the states of the HTML standard, 13.2.5)
 * and refuses a variable anywhere else: in a tag or attribute name, an
 * unquoted value, an attribute whose value is a URL, JavaScript, CSS or
 * HTML, an attribute of an element that loads or runs content, inside
 * <script>, <style> and the other raw-text elements, comments and
 * declarations, and inside <svg> and <math>.  An escaped value holds none
 * of & < > " ', so it cannot move the tokenizer out of the context it
 * starts in.
 *
 * Where a browser's reading depends on the tree around the markup, every
 * reading is followed at once: <script>, <style>, <title>, <textarea>...
 * are raw text in the body but ordinary markup inside <svg>, <math> or
 * <select>, and <![CDATA[ is a section there but a bogus comment in HTML.
 * A variable must be allowed in all of the readings.
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
/* The HTML tokenizer, reduced to what decides where a variable stands  */

enum {
    H_DATA,                 /* element text */
    H_TAG_OPEN,             /* "<" */
    H_END_TAG_OPEN,         /* "</" */
    H_TAG_NAME,
    H_BEFORE_ATTR_NAME,
    H_ATTR_NAME,
    H_AFTER_ATTR_NAME,
    H_BEFORE_ATTR_VALUE,
    H_ATTR_DQ,              /* attribute value (double-quoted) */
    H_ATTR_SQ,              /* attribute value (single-quoted) */
    H_ATTR_UNQ,             /* attribute value (unquoted) */
    H_AFTER_ATTR_VALUE,     /* after a quoted value */
    H_SELF_CLOSING,         /* "/" in a tag */
    H_MARKUP,               /* "<!" */
    H_MARKUP_DASH,          /* "<!-" */
    H_MARKUP_CDATA,         /* "<![CDA..." (n characters of "[CDATA[") */
    H_BOGUS,                /* bogus comment, <!DOCTYPE>, <?...>: up to ">" */
    H_COMMENT_START,
    H_COMMENT_START_DASH,
    H_COMMENT,
    H_COMMENT_END_DASH,
    H_COMMENT_END,
    H_COMMENT_END_BANG,
    H_CDATA,                /* CDATA section (SVG, MathML) */
    H_CDATA_B1,             /* "]" */
    H_CDATA_B2,             /* "]]" */
    H_TEXT,                 /* RCDATA or RAWTEXT of element raw */
    H_TEXT_LT,
    H_TEXT_END,             /* "</" + n characters of its name */
    H_PLAINTEXT,            /* after <plaintext>: to the end */
    H_SCRIPT,               /* script data and its escape states */
    H_SCRIPT_LT,
    H_SCRIPT_END,
    H_SCRIPT_ESC_START,
    H_SCRIPT_ESC_START_DASH,
    H_SCRIPT_ESC,
    H_SCRIPT_ESC_DASH,
    H_SCRIPT_ESC_DASH_DASH,
    H_SCRIPT_ESC_LT,
    H_SCRIPT_ESC_END,
    H_SCRIPT_DESC_START,    /* "<!--" then "<" + n characters of "script" */
    H_SCRIPT_DESC,          /* double escaped: "</script>" does not end it */
    H_SCRIPT_DESC_DASH,
    H_SCRIPT_DESC_DASH_DASH,
    H_SCRIPT_DESC_LT,
    H_SCRIPT_DESC_END
};

/* Elements whose start tag switches the tokenizer (in the body). */
enum { RAW_RCDATA = 1, RAW_RAWTEXT, RAW_SCRIPT, RAW_PLAINTEXT };
static const struct {
    const char *name;
    int kind;
} raw_elems[] = {
    { "script", RAW_SCRIPT },
    { "style", RAW_RAWTEXT },
    { "xmp", RAW_RAWTEXT },
    { "iframe", RAW_RAWTEXT },
    { "noembed", RAW_RAWTEXT },
    { "noframes", RAW_RAWTEXT },
    { "noscript", RAW_RAWTEXT },
    { "plaintext", RAW_PLAINTEXT },
    { "title", RAW_RCDATA },
    { "textarea", RAW_RCDATA },
};
#define N_RAW ((int)(sizeof(raw_elems) / sizeof(raw_elems[0])))
#define ALT_CDATA (N_RAW + 1)

/* Elements whose attributes load or run content: no variable in any of
 * them (<meta http-equiv=refresh content=...>, <param value=...>, SVG's
 * <animate attributeName=href values=...>). */
static const char *const loading_elems[] = {
    "script", "style", "link", "meta", "base", "iframe", "frame", "object",
    "embed", "applet", "param", "animate", "animatemotion",
    "animatetransform", "animatecolor", "set",
};
#define N_LOADING (sizeof(loading_elems) / sizeof(loading_elems[0]))

/* Attributes whose value is a URL (after a "data-" or "ns:" prefix). */
static const char *const url_attrs[] = {
    "action", "archive", "background", "cite", "classid", "codebase",
    "data", "formaction", "href", "icon", "longdesc", "manifest", "ping",
    "poster", "profile", "src", "srcset", "usemap", "xmlns",
};
#define N_URL (sizeof(url_attrs) / sizeof(url_attrs[0]))

/* Why a variable is refused where it stands (0: it is not). */
enum {
    REF_OK,
    REF_TAG_OPEN, REF_TAG_NAME, REF_END_TAG, REF_ATTR_NAME, REF_UNQUOTED,
    REF_URL, REF_JS, REF_CSS, REF_HTML, REF_ELEMENT, REF_LONG_NAME,
    REF_SCRIPT, REF_STYLE, REF_RAWTEXT, REF_RAW_END, REF_COMMENT, REF_MARKUP,
    REF_CDATA, REF_FOREIGN, REF_LOST, REF_ITEMS_TEXT
};

/* SVG and MathML: inside them <script> and <style> are ordinary markup
 * whose text still runs, so no variable goes inside them.  Their HTML
 * integration points may hold HTML elements, and an end tag among those
 * does not close what it names: after one, a reading cannot follow the
 * elements any more ("lost"). */
enum { FT_FOREIGN = 1, FT_INTEGRATION };
static const struct {
    const char *name;
    int kind;
} foreign_elems[] = {
    { "svg", FT_FOREIGN }, { "math", FT_FOREIGN },
    { "foreignobject", FT_INTEGRATION }, { "desc", FT_INTEGRATION },
    { "title", FT_INTEGRATION }, { "mi", FT_INTEGRATION },
    { "mo", FT_INTEGRATION }, { "mn", FT_INTEGRATION },
    { "ms", FT_INTEGRATION }, { "mtext", FT_INTEGRATION },
    { "annotation-xml", FT_INTEGRATION },
};
#define N_FOREIGN ((int)(sizeof(foreign_elems) / sizeof(foreign_elems[0])))
#define FDEPTH_MAX 1000

#define TAG_MAX  24     /* longer names are none of the known elements */
#define ATTR_MAX 64     /* longer attribute names are refused */

typedef struct {
    int st;
    int n;              /* characters matched (see the states) */
    int raw;            /* raw_elems index + 1: the element of H_TEXT... or
                           of the tag being read; 0: none */
    int end;            /* the tag is an end tag */
    int loads;          /* the tag is one of loading_elems */
    int attr;           /* REF_* for a value of the current attribute */
    int ftag;           /* the tag is one of foreign_elems (FT_*) */
    int fdepth;         /* <svg>/<math> open (start tags - end tags) */
    int ipdepth;        /* integration points open inside them */
    int lost;           /* an element inside an integration point */
    apr_size_t tag_len, attr_len;
    char tag[TAG_MAX];  /* lower case, NUL terminated (cut short) */
    char attr_name[ATTR_MAX];
    int alt;            /* not part of the state: the reading took element
                           alt - 1 as ordinary markup (ALT_CDATA: read a
                           CDATA section); for messages */
} hstate;

#define H_MAX 64        /* readings followed at once (a bound, not reached
                           by markup that closes what it opens) */

typedef struct {
    hstate s[H_MAX];
    int n;
} hset;

#define IS_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\f' \
                  || (c) == '\r')
#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + ('a' - 'A') : (c))

static void name_add(char *buf, apr_size_t size, apr_size_t *len, int c)
{
    if (*len < size - 1)
        buf[*len] = (char)LOWER(c);
    (*len)++;
}

static void to_data(hstate *h)
{
    int alt = h->alt, fdepth = h->fdepth, ipdepth = h->ipdepth;
    int lost = h->lost;
    memset(h, 0, sizeof(*h));
    h->st = H_DATA;
    h->alt = alt;
    h->fdepth = fdepth;
    h->ipdepth = ipdepth;
    h->lost = lost;
}

static void tag_start(hstate *h, int end)
{
    to_data(h);
    h->st = H_TAG_NAME;
    h->end = end;
}

/* The tag name is complete: is it a raw-text or a loading element? */
static void tag_named(hstate *h)
{
    int i;
    h->raw = 0;
    h->loads = 0;
    h->ftag = 0;
    if (h->tag_len >= TAG_MAX)
        return;
    for (i = 0; i < N_FOREIGN; i++)
        if (strcmp(h->tag, foreign_elems[i].name) == 0)
            h->ftag = foreign_elems[i].kind;
    for (i = 0; i < N_RAW; i++)
        if (strcmp(h->tag, raw_elems[i].name) == 0)
            h->raw = i + 1;
    for (i = 0; i < (int)N_LOADING; i++)
        if (strcmp(h->tag, loading_elems[i]) == 0)
            h->loads = 1;
}

static void attr_start(hstate *h)
{
    memset(h->attr_name, 0, sizeof(h->attr_name));
    h->attr_len = 0;
    h->attr = REF_OK;
}

/* What the value of attribute name (lower case) is, as REF_*: the classes of
 * Go's html/template, refused here instead of filtered. */
static int attr_class(const char *name)
{
    const char *n = name, *colon;
    apr_size_t i;

    if (strncmp(n, "data-", 5) == 0) {
        /* scripts copy data-src, data-href... into the real attribute */
        n += 5;
    }
    else if ((colon = strchr(n, ':')) != NULL) {
        if (colon - n == 5 && strncmp(n, "xmlns", 5) == 0)
            return REF_URL;
        n = colon + 1;          /* xlink:href is href */
    }
    if (strcmp(n, "style") == 0)
        return REF_CSS;
    if (strcmp(n, "srcdoc") == 0)
        return REF_HTML;
    if (strncmp(n, "on", 2) == 0)
        return REF_JS;
    for (i = 0; i < N_URL; i++)
        if (strcmp(n, url_attrs[i]) == 0)
            return REF_URL;
    if (strstr(n, "src") || strstr(n, "url") || strstr(n, "uri")
        || strstr(n, "href"))
        return REF_URL;
    return REF_OK;
}

static void attr_named(hstate *h)
{
    h->attr = h->attr_len >= ATTR_MAX ? REF_LONG_NAME : attr_class(h->attr_name);
    if (h->attr == REF_OK && h->loads)
        h->attr = REF_ELEMENT;
}

/* ">" ends the tag (selfclose: "/>").  A start tag of a raw-text element
 * switches the tokenizer in the body, not in SVG, MathML or <select>: h
 * takes the first reading, *fork the second.  Returns 1 when there is a
 * fork. */
static int tag_end(hstate *h, hstate *fork, int selfclose)
{
    int raw = h->end ? 0 : h->raw;
    if (h->end) {
        if (h->ftag == FT_FOREIGN && h->fdepth > 0) {
            h->fdepth--;        /* pops what is open inside it */
            h->ipdepth = 0;
        }
        else if (h->ftag == FT_INTEGRATION && h->ipdepth > 0) {
            h->ipdepth--;
        }
    }
    else {
        if (h->ipdepth > 0)
            h->lost = 1;
        if (h->ftag == FT_FOREIGN && !selfclose) {
            if (++h->fdepth >= FDEPTH_MAX)
                h->lost = 1;
        }
        else if (h->ftag == FT_INTEGRATION && h->fdepth > 0 && !selfclose) {
            h->ipdepth++;
        }
    }
    to_data(h);
    if (!raw)
        return 0;
    *fork = *h;
    fork->alt = raw;
    h->raw = raw;
    switch (raw_elems[raw - 1].kind) {
    case RAW_SCRIPT: h->st = H_SCRIPT; break;
    case RAW_PLAINTEXT: h->st = H_PLAINTEXT; break;
    default: h->st = H_TEXT; break;
    }
    return 1;
}

/* After "</" and h->n characters of the raw-text element's name: c goes
 * on with the name, or ends an end tag of the element (returns 1), or the
 * "</..." was text (returns 0: reconsume c in the element's text). */
static int end_name(hstate *h, int c)
{
    const char *name = raw_elems[h->raw - 1].name;
    if (name[h->n]) {
        if (LOWER(c) != name[h->n])
            return 0;
        h->n++;
        return 1;
    }
    if (!IS_WS(c) && c != '/' && c != '>')
        return 0;
    tag_start(h, 1);
    h->tag_len = strlen(name);
    memcpy(h->tag, name, h->tag_len + 1);
    tag_named(h);
    if (c == '>')
        tag_end(h, NULL, 0);
    else
        h->st = c == '/' ? H_SELF_CLOSING : H_BEFORE_ATTR_NAME;
    return 1;
}

/* The double escape states of script data: is "<script"/"</script" there? */
static int desc_name(hstate *h, int c, int match, int other)
{
    if (IS_WS(c) || c == '/' || c == '>') {
        h->st = h->n == 6 ? match : other;
        h->n = 0;
        return 1;
    }
    if (IS_ALPHA(c)) {
        if (h->n >= 0 && h->n < 6 && LOWER(c) == "script"[h->n])
            h->n++;
        else
            h->n = -1;
        return 1;
    }
    h->n = 0;
    return 0;
}

/* Advance h over character c (never NUL).  Returns 1 when *fork got a
 * second reading. */
static int h_step(hstate *h, int c, hstate *fork)
{
    for (;;) {
        switch (h->st) {
        case H_DATA:
            if (c == '<')
                h->st = H_TAG_OPEN;
            return 0;
        case H_TAG_OPEN:
            if (c == '!')
                h->st = H_MARKUP;
            else if (c == '/')
                h->st = H_END_TAG_OPEN;
            else if (c == '?')
                h->st = H_BOGUS;
            else if (IS_ALPHA(c)) {
                tag_start(h, 0);
                continue;
            }
            else {
                h->st = H_DATA;
                continue;
            }
            return 0;
        case H_END_TAG_OPEN:
            if (IS_ALPHA(c)) {
                tag_start(h, 1);
                continue;
            }
            if (c == '>') {
                to_data(h);
                return 0;
            }
            h->st = H_BOGUS;
            continue;
        case H_TAG_NAME:
            if (IS_WS(c) || c == '/' || c == '>') {
                tag_named(h);
                if (c == '>')
                    return tag_end(h, fork, 0);
                h->st = c == '/' ? H_SELF_CLOSING : H_BEFORE_ATTR_NAME;
                return 0;
            }
            name_add(h->tag, TAG_MAX, &h->tag_len, c);
            return 0;
        case H_BEFORE_ATTR_NAME:
            if (IS_WS(c))
                return 0;
            if (c == '/' || c == '>') {
                h->st = H_AFTER_ATTR_NAME;
                continue;
            }
            attr_start(h);
            h->st = H_ATTR_NAME;
            if (c == '=') {         /* a name may start with "=" */
                name_add(h->attr_name, ATTR_MAX, &h->attr_len, c);
                return 0;
            }
            continue;
        case H_ATTR_NAME:
            if (IS_WS(c) || c == '/' || c == '>') {
                attr_named(h);
                h->st = H_AFTER_ATTR_NAME;
                continue;
            }
            if (c == '=') {
                attr_named(h);
                h->st = H_BEFORE_ATTR_VALUE;
                return 0;
            }
            name_add(h->attr_name, ATTR_MAX, &h->attr_len, c);
            return 0;
        case H_AFTER_ATTR_NAME:
            if (IS_WS(c))
                return 0;
            if (c == '/')
                h->st = H_SELF_CLOSING;
            else if (c == '=')
                h->st = H_BEFORE_ATTR_VALUE;
            else if (c == '>')
                return tag_end(h, fork, 0);
            else {
                attr_start(h);
                h->st = H_ATTR_NAME;
                continue;
            }
            return 0;
        case H_BEFORE_ATTR_VALUE:
            if (IS_WS(c))
                return 0;
            if (c == '"')
                h->st = H_ATTR_DQ;
            else if (c == '\'')
                h->st = H_ATTR_SQ;
            else if (c == '>')
                return tag_end(h, fork, 0);
            else {
                h->st = H_ATTR_UNQ;
                continue;
            }
            return 0;
        case H_ATTR_DQ:
            if (c == '"')
                h->st = H_AFTER_ATTR_VALUE;
            return 0;
        case H_ATTR_SQ:
            if (c == '\'')
                h->st = H_AFTER_ATTR_VALUE;
            return 0;
        case H_ATTR_UNQ:
            if (IS_WS(c))
                h->st = H_BEFORE_ATTR_NAME;
            else if (c == '>')
                return tag_end(h, fork, 0);
            return 0;
        case H_AFTER_ATTR_VALUE:
            if (IS_WS(c))
                h->st = H_BEFORE_ATTR_NAME;
            else if (c == '/')
                h->st = H_SELF_CLOSING;
            else if (c == '>')
                return tag_end(h, fork, 0);
            else {
                h->st = H_BEFORE_ATTR_NAME;
                continue;
            }
            return 0;
        case H_SELF_CLOSING:
            if (c == '>')
                return tag_end(h, fork, 1);
            h->st = H_BEFORE_ATTR_NAME;
            continue;
        case H_MARKUP:
            if (c == '-')
                h->st = H_MARKUP_DASH;
            else if (c == '[') {
                h->st = H_MARKUP_CDATA;
                h->n = 1;
            }
            else {
                h->st = H_BOGUS;    /* also <!DOCTYPE ...>: up to ">" */
                continue;
            }
            return 0;
        case H_MARKUP_DASH:
            if (c == '-') {
                h->st = H_COMMENT_START;
                return 0;
            }
            h->st = H_BOGUS;
            continue;
        case H_MARKUP_CDATA:
            if (c == "[CDATA["[h->n]) {
                if (++h->n < 7)
                    return 0;
                /* a bogus comment in HTML, a CDATA section in SVG/MathML */
                h->st = H_BOGUS;
                h->n = 0;
                *fork = *h;
                fork->st = H_CDATA;
                fork->alt = ALT_CDATA;
                return 1;
            }
            h->st = H_BOGUS;
            h->n = 0;
            continue;
        case H_BOGUS:
            if (c == '>')
                to_data(h);
            return 0;
        case H_COMMENT_START:
        case H_COMMENT_START_DASH:
            if (c == '>') {         /* <!--> and <!---> end at once */
                to_data(h);
                return 0;
            }
            if (c == '-') {
                h->st = h->st == H_COMMENT_START ? H_COMMENT_START_DASH
                                                 : H_COMMENT_END;
                return 0;
            }
            h->st = H_COMMENT;
            continue;
        case H_COMMENT:
            if (c == '-')
                h->st = H_COMMENT_END_DASH;
            return 0;
        case H_COMMENT_END_DASH:
            if (c == '-') {
                h->st = H_COMMENT_END;
                return 0;
            }
            h->st = H_COMMENT;
            continue;
        case H_COMMENT_END:
            if (c == '>')
                to_data(h);
            else if (c == '!')
                h->st = H_COMMENT_END_BANG;
            else if (c != '-') {
                h->st = H_COMMENT;
                continue;
            }
            return 0;
        case H_COMMENT_END_BANG:    /* "--!>" ends a comment too */
            if (c == '-')
                h->st = H_COMMENT_END_DASH;
            else if (c == '>')
                to_data(h);
            else {
                h->st = H_COMMENT;
                continue;
            }
            return 0;
        case H_CDATA:
            if (c == ']')
                h->st = H_CDATA_B1;
            return 0;
        case H_CDATA_B1:
            if (c == ']') {
                h->st = H_CDATA_B2;
                return 0;
            }
            h->st = H_CDATA;
            continue;
        case H_CDATA_B2:
            if (c == '>')
                to_data(h);
            else if (c != ']') {
                h->st = H_CDATA;
                continue;
            }
            return 0;
        case H_TEXT:
            if (c == '<')
                h->st = H_TEXT_LT;
            return 0;
        case H_TEXT_LT:
            if (c == '/') {
                h->st = H_TEXT_END;
                h->n = 0;
                return 0;
            }
            h->st = H_TEXT;
            continue;
        case H_TEXT_END:
            if (end_name(h, c))
                return 0;
            h->st = H_TEXT;
            continue;
        case H_PLAINTEXT:
            return 0;
        case H_SCRIPT:
            if (c == '<')
                h->st = H_SCRIPT_LT;
            return 0;
        case H_SCRIPT_LT:
            if (c == '/') {
                h->st = H_SCRIPT_END;
                h->n = 0;
            }
            else if (c == '!')
                h->st = H_SCRIPT_ESC_START;
            else {
                h->st = H_SCRIPT;
                continue;
            }
            return 0;
        case H_SCRIPT_END:
            if (end_name(h, c))
                return 0;
            h->st = H_SCRIPT;
            continue;
        case H_SCRIPT_ESC_START:
        case H_SCRIPT_ESC_START_DASH:
            if (c == '-') {
                h->st = h->st == H_SCRIPT_ESC_START ? H_SCRIPT_ESC_START_DASH
                                                    : H_SCRIPT_ESC_DASH_DASH;
                return 0;
            }
            h->st = H_SCRIPT;
            continue;
        case H_SCRIPT_ESC:
        case H_SCRIPT_ESC_DASH:
        case H_SCRIPT_ESC_DASH_DASH:
            if (c == '<')
                h->st = H_SCRIPT_ESC_LT;
            else if (c == '-')
                h->st = h->st == H_SCRIPT_ESC ? H_SCRIPT_ESC_DASH
                                              : H_SCRIPT_ESC_DASH_DASH;
            else if (c == '>' && h->st == H_SCRIPT_ESC_DASH_DASH)
                h->st = H_SCRIPT;
            else
                h->st = H_SCRIPT_ESC;
            return 0;
        case H_SCRIPT_ESC_LT:
            if (c == '/') {
                h->st = H_SCRIPT_ESC_END;
                h->n = 0;
                return 0;
            }
            if (IS_ALPHA(c)) {
                h->st = H_SCRIPT_DESC_START;
                h->n = 0;
            }
            else
                h->st = H_SCRIPT_ESC;
            continue;
        case H_SCRIPT_ESC_END:
            if (end_name(h, c))
                return 0;
            h->st = H_SCRIPT_ESC;
            continue;
        case H_SCRIPT_DESC_START:
            if (desc_name(h, c, H_SCRIPT_DESC, H_SCRIPT_ESC))
                return 0;
            h->st = H_SCRIPT_ESC;
            continue;
        case H_SCRIPT_DESC:
        case H_SCRIPT_DESC_DASH:
        case H_SCRIPT_DESC_DASH_DASH:
            if (c == '<')
                h->st = H_SCRIPT_DESC_LT;
            else if (c == '-')
                h->st = h->st == H_SCRIPT_DESC ? H_SCRIPT_DESC_DASH
                                               : H_SCRIPT_DESC_DASH_DASH;
            else if (c == '>' && h->st == H_SCRIPT_DESC_DASH_DASH)
                h->st = H_SCRIPT;
            else
                h->st = H_SCRIPT_DESC;
            return 0;
        case H_SCRIPT_DESC_LT:
            if (c == '/') {
                h->st = H_SCRIPT_DESC_END;
                h->n = 0;
                return 0;
            }
            h->st = H_SCRIPT_DESC;
            continue;
        case H_SCRIPT_DESC_END:
            if (desc_name(h, c, H_SCRIPT_ESC, H_SCRIPT_DESC))
                return 0;
            h->st = H_SCRIPT_DESC;
            continue;
        default:
            return 0;
        }
    }
}

/* Same state (the reading it came from aside). */
static int h_same(const hstate *a, const hstate *b)
{
    return a->st == b->st && a->n == b->n && a->raw == b->raw
        && a->end == b->end && a->loads == b->loads && a->attr == b->attr
        && a->ftag == b->ftag && a->fdepth == b->fdepth
        && a->ipdepth == b->ipdepth && a->lost == b->lost
        && a->tag_len == b->tag_len && a->attr_len == b->attr_len
        && memcmp(a->tag, b->tag, sizeof(a->tag)) == 0
        && memcmp(a->attr_name, b->attr_name, sizeof(a->attr_name)) == 0;
}

static void hset_reset(hset *hs)
{
    memset(&hs->s[0], 0, sizeof(hs->s[0]));
    hs->s[0].st = H_DATA;
    hs->n = 1;
}

/* Every reading over c; 0 when there would be more than H_MAX. */
static int hset_step(hset *hs, int c)
{
    int i, j, n = hs->n;
    hstate fork;

    for (i = 0; i < n; i++) {
        if (!h_step(&hs->s[i], c, &fork))
            continue;
        for (j = 0; j < hs->n && !h_same(&hs->s[j], &fork); j++)
            ;
        if (j < hs->n)
            continue;
        if (hs->n == H_MAX)
            return 0;
        hs->s[hs->n++] = fork;
    }
    if (hs->n > 1) {
        /* readings that agree again become one (the first kept) */
        for (i = 1, n = 1; i < hs->n; i++) {
            for (j = 0; j < n && !h_same(&hs->s[j], &hs->s[i]); j++)
                ;
            if (j == n)
                hs->s[n++] = hs->s[i];
        }
        hs->n = n;
    }
    return 1;
}

/* Why a variable cannot stand where the tokenizer of h is (REF_OK). */
static int h_markup_refusal(const hstate *h)
{
    int kind = h->raw ? raw_elems[h->raw - 1].kind : 0;
    switch (h->st) {
    case H_DATA:
        return REF_OK;
    case H_TAG_OPEN:
        return REF_TAG_OPEN;
    case H_END_TAG_OPEN:
        return REF_END_TAG;
    case H_TAG_NAME: case H_BEFORE_ATTR_NAME: case H_ATTR_NAME:
    case H_AFTER_ATTR_NAME: case H_BEFORE_ATTR_VALUE: case H_ATTR_DQ:
    case H_ATTR_SQ: case H_ATTR_UNQ: case H_AFTER_ATTR_VALUE:
    case H_SELF_CLOSING:
        if (h->end)
            return REF_END_TAG;
        if (h->st == H_TAG_NAME)
            return REF_TAG_NAME;
        if (h->st == H_BEFORE_ATTR_VALUE || h->st == H_ATTR_UNQ)
            return REF_UNQUOTED;
        if (h->st == H_ATTR_DQ || h->st == H_ATTR_SQ)
            return h->attr;
        return REF_ATTR_NAME;
    case H_MARKUP: case H_MARKUP_DASH: case H_MARKUP_CDATA: case H_BOGUS:
        return REF_MARKUP;
    case H_COMMENT_START: case H_COMMENT_START_DASH: case H_COMMENT:
    case H_COMMENT_END_DASH: case H_COMMENT_END: case H_COMMENT_END_BANG:
        return REF_COMMENT;
    case H_CDATA: case H_CDATA_B1: case H_CDATA_B2:
        return REF_CDATA;
    case H_TEXT: case H_TEXT_LT: case H_TEXT_END:
        if (kind == RAW_RCDATA)
            return h->st == H_TEXT ? REF_OK : REF_RAW_END;
        return strcmp(raw_elems[h->raw - 1].name, "style") == 0 ? REF_STYLE
                                                                 : REF_RAWTEXT;
    case H_PLAINTEXT:
        return REF_RAWTEXT;
    default:
        return REF_SCRIPT;
    }
}

/* Why a variable cannot stand where h is (REF_OK: it can). */
static int h_refusal(const hstate *h)
{
    int r = h_markup_refusal(h);
    if (r == REF_OK && h->lost)
        return REF_LOST;
    if (r == REF_OK && h->fdepth)
        return REF_FOREIGN;
    return r;
}

/* ------------------------------------------------------------------ */
/* Messages                                                             */

/* The current tag and attribute, for messages. */
static const char *tag_of(apr_pool_t *p, const hstate *h)
{
    return apr_psprintf(p, "%s%s%s", h->end ? "/" : "", h->tag,
                        h->tag_len >= TAG_MAX ? "..." : "");
}

static const char *attr_of(apr_pool_t *p, const hstate *h)
{
    return apr_psprintf(p, "%s%s", h->attr_name,
                        h->attr_len >= ATTR_MAX ? "..." : "");
}

/* What the reading of h assumed, when it is not the body's. */
static const char *alt_note(apr_pool_t *p, const hstate *h)
{
    if (h->alt == ALT_CDATA)
        return " (reading <![CDATA[ as a CDATA section, as inside <svg> "
               "or <math>)";
    if (h->alt)
        return apr_psprintf(p, " (reading <%s> as ordinary markup, as "
                            "inside <svg>, <math> or <select>)",
                            raw_elems[h->alt - 1].name);
    return "";
}

static const char *raw_name(const hstate *h)
{
    return h->raw ? raw_elems[h->raw - 1].name : "?";
}

/* "is ..." for refusal r where h is. */
static const char *refusal_text(apr_pool_t *p, const hstate *h, int r)
{
    const char *tag = tag_of(p, h), *attr = attr_of(p, h);
    switch (r) {
    case REF_TAG_OPEN:
        return "is right after '<', where its value could start a tag";
    case REF_TAG_NAME:
        return apr_psprintf(p, "is inside the tag name <%s", tag);
    case REF_END_TAG:
        return apr_psprintf(p, "is inside the end tag </%s", h->tag);
    case REF_ATTR_NAME:
        return apr_psprintf(p, "is inside the tag <%s> but not in a quoted "
                            "attribute value", tag);
    case REF_UNQUOTED:
        return apr_psprintf(p, "is in the unquoted value of attribute %s of "
                            "<%s>: quote the value (%s=\"...\")", attr, tag,
                            attr);
    case REF_URL:
        return apr_psprintf(p, "is in attribute %s of <%s>, a URL: escaping "
                            "does not keep out javascript: and other schemes",
                            attr, tag);
    case REF_JS:
        return apr_psprintf(p, "is in attribute %s of <%s>, an event handler "
                            "(JavaScript)", attr, tag);
    case REF_CSS:
        return apr_psprintf(p, "is in attribute %s of <%s>, CSS", attr, tag);
    case REF_HTML:
        return apr_psprintf(p, "is in attribute %s of <%s>, HTML markup",
                            attr, tag);
    case REF_ELEMENT:
        return apr_psprintf(p, "is in attribute %s of <%s>, an element whose "
                            "attributes load or run content", attr, tag);
    case REF_LONG_NAME:
        return apr_psprintf(p, "is in attribute %s of <%s>, a name too long "
                            "to check", attr, tag);
    case REF_SCRIPT:
        return "is inside <script>: HTML escaping does not make JavaScript "
               "safe (let the script read a data-* attribute instead)";
    case REF_STYLE:
        return "is inside <style>, CSS";
    case REF_RAWTEXT:
        return apr_psprintf(p, "is inside <%s>, raw text where escaping does "
                            "not apply", raw_name(h));
    case REF_RAW_END:
        return apr_psprintf(p, "is inside what could be the end tag of <%s>",
                            raw_name(h));
    case REF_COMMENT:
        return "is inside an HTML comment";
    case REF_MARKUP:
        return "is inside a <!...> or <?...> declaration";
    case REF_CDATA:
        return "is inside a CDATA section";
    case REF_FOREIGN:
        return "is inside <svg> or <math>, where <script> and <style> are "
               "read differently";
    case REF_LOST:
        return "follows an element inside an SVG <foreignObject>, <desc> or "
               "<title> (or a MathML text element), after which the elements "
               "around it cannot be told";
    default:            /* REF_ITEMS_TEXT: allowed for a value, not markup */
        if (h->st == H_TEXT)
            return apr_psprintf(p, "is inside <%s>, where markup is text",
                                raw_name(h));
        return apr_psprintf(p, "is in attribute %s of <%s>", attr, tag);
    }
}

/* Where h is, for a part that ends there. */
static const char *h_where(apr_pool_t *p, const hstate *h)
{
    switch (h_refusal(h)) {
    case REF_TAG_OPEN:
        return "a '<' that could start a tag";
    case REF_COMMENT:
        return "a comment";
    case REF_MARKUP:
        return "a <!...> or <?...> declaration";
    case REF_CDATA:
        return "a CDATA section";
    case REF_FOREIGN:
        return "<svg> or <math>";
    case REF_LOST:
        return "markup that cannot be followed (an element inside an SVG "
               "<foreignObject>, <desc> or <title>, or a MathML text element)";
    case REF_SCRIPT: case REF_STYLE: case REF_RAWTEXT: case REF_RAW_END:
        return apr_psprintf(p, "<%s>", raw_name(h));
    default:
        if (h->st == H_TEXT)
            return apr_psprintf(p, "<%s>", raw_name(h));
        return apr_psprintf(p, "the tag <%s", tag_of(p, h));
    }
}

/* ------------------------------------------------------------------ */
/* The compiler                                                         */

typedef struct {
    apr_pool_t *p;
    const char *base;   /* the text positions count from */
    int file;           /* a template file: "line L, column C" */
    const char *part;   /* "ITEM", "WRAPPER", ... for messages */
    int items;          /* %{items} seen */
    hset h;             /* the readings of the markup so far */
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
    int i;
    for (i = 0; i < c->h.n; i++) {
        const hstate *h = &c->h.s[i];
        int r = h_refusal(h);
        if (r == REF_OK && markup && h->st != H_DATA)
            r = REF_ITEMS_TEXT;
        if (r != REF_OK)
            return apr_psprintf(c->p, "%%{%.*s} at %s %s%s; %s", (int)n,
                                name, where(c, at), refusal_text(c->p, h, r),
                                alt_note(c->p, h), markup
                                ? "the messages must go in element text"
                                : "variables may stand in element text and "
                                  "in quoted values of other attributes");
    }
    return NULL;
}

/* NULL when every reading is back in element text where a part ends. */
static const char *check_end(const compiler *c, const char *at,
                             const char *what)
{
    int i;
    for (i = 0; i < c->h.n; i++) {
        const hstate *h = &c->h.s[i];
        if (h->st != H_DATA || h->fdepth || h->lost)
            return apr_psprintf(c->p, "%s%s%s ends inside %s%s: close it "
                                "first", at ? where(c, at) : "",
                                at ? ": " : "", what, h_where(c->p, h),
                                alt_note(c->p, h));
    }
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
        if (!hset_step(&c->h, ch))
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
    hset_reset(&c->h);
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
    hset *outside;

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
    outside = apr_pmemdup(p, &c->h, sizeof(c->h));

    /* the block, read from element text to element text */
    hset_reset(&c->h);
    c->part = "the %{item} block";
    if ((err = scan(c, body, close, 1, t->item)) != NULL
        || (err = check_end(c, close, "the %{item} block")) != NULL)
        return err;

    c->h = *outside;
    c->part = "the text around %{item}...%{/item}";
    if ((err = scan(c, skip_eol(close + strlen(ITEM_CLOSE)), end, 0,
                    t->wrapper)) != NULL
        || (err = check_end(c, end, "the template")) != NULL)
        return err;
    *out = t;
    return NULL;
}

/* What escaping each byte needs: ESC_HTML for & < > " ' (and for the NUL
 * that ends a value, so runs stop there too), ESC_HIGH for the bytes of a
 * UTF-8 sequence, which become references only in an ASCII page.  Runs of
 * bytes that need nothing are then counted and copied whole. */
#define ESC_HTML 1
#define ESC_HIGH 2
static const unsigned char escape_class[256] = {
    [0] = ESC_HTML, ['&'] = ESC_HTML, ['<'] = ESC_HTML, ['>'] = ESC_HTML,
    ['"'] = ESC_HTML, ['\''] = ESC_HTML,
    [0x80 ... 0xFF] = ESC_HIGH
};

/* The reference for one escaped byte, or NULL for a byte kept. */
static const char *html_reference(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#x27;";
    default: return NULL;
    }
}

/* Length of the first run of s that needs no escaping. */
static apr_size_t plain_run(const char *s, unsigned mask)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t n = 0;
    while (!(escape_class[u[n]] & mask))
        n++;
    return n;
}

/* The UTF-8 sequence at s written as a numeric reference into tmp (at
 * least 16 bytes); *len gets the bytes it took.  A byte that starts no
 * well-formed sequence becomes U+FFFD on its own. */
static apr_size_t numeric_reference(const char *s, char *tmp, apr_size_t *len)
{
    unsigned cp;
    apr_size_t l = fm_utf8_next((const unsigned char *)s, strnlen(s, 4), &cp);
    *len = l ? l : 1;
    return (apr_size_t)apr_snprintf(tmp, 16, "&#x%x;", l ? cp : 0xFFFDu);
}

/* Escape s into d, or with d NULL only count: the length either way.  A
 * numeric reference is written with its NUL, so d needs one byte more
 * than the length. */
static apr_size_t escape(char *d, const char *s, int ascii)
{
    unsigned mask = ascii ? ESC_HTML | ESC_HIGH : ESC_HTML;
    apr_size_t n = 0;
    for (;;) {
        apr_size_t run = plain_run(s, mask), l, k;
        const char *rep;
        char tmp[16];
        if (d)
            memcpy(d + n, s, run);
        n += run;
        s += run;
        if (!*s)
            return n;
        if ((unsigned char)*s >= 0x80) {
            n += numeric_reference(s, d ? d + n : tmp, &l);
            s += l;
            continue;
        }
        rep = html_reference(*s++);
        k = strlen(rep);
        if (d)
            memcpy(d + n, rep, k);
        n += k;
    }
}

const char *fm_html_escape(apr_pool_t *p, const char *s)
{
    apr_size_t n = escape(NULL, s, 0);
    char *r;
    if (n == strlen(s))
        return s;
    r = apr_palloc(p, n + 1);
    r[escape(r, s, 0)] = '\0';
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
            /* room for the NUL after a last numeric reference */
            apr_size_t need = escape(NULL, v, ascii);
            escape(buf_grow(b, need + 1), v, ascii);
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

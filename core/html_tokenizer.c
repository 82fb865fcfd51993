/*
 * html_tokenizer.c - one reading of HTML markup, byte by byte, as a
 * browser's tokenizer reads it (html_tokenizer.h): the states of the HTML
 * standard (13.2.5) reduced to what decides where a variable stands, and
 * what the tag and the attribute being read are (a raw-text element, an
 * element that loads content, an attribute whose value is a URL, script,
 * CSS or HTML, <svg> and <math> open around it).
 *
 * fm_html_token_step is one switch with a case per state, in the
 * standard's order, so that each can be checked against the standard's
 * text: keep it that way rather than folding states together.
 */
#include <string.h>

#include "html_tokenizer.h"

/* Raw-text elements; alt and raw in hstate count from 1 in this order. */
const html_raw_elem fm_html_raw_elems[] = {
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
        if (strcmp(h->tag, fm_html_raw_elems[i].name) == 0)
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
    switch (fm_html_raw_elems[raw - 1].kind) {
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
    const char *name = fm_html_raw_elems[h->raw - 1].name;
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
int fm_html_token_step(hstate *h, int c, hstate *fork)
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


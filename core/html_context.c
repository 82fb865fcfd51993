/*
 * html_context.c - where in HTML markup a variable stands, and whether an
 * escaped value may stand there (html.h's interface and safety argument):
 * every reading a browser might make of the markup followed at once, each
 * one judged, and the messages that say why a place is refused.  The
 * reading itself is html_tokenizer.c's.
 *
 * A value is refused anywhere but element text and quoted attribute
 * values: in a tag or attribute name, an unquoted value, an attribute whose
 * value is a URL, JavaScript, CSS or HTML, an attribute of an element that
 * loads or runs content, inside <script>, <style> and the other raw-text
 * elements, comments and declarations, and inside <svg> and <math>.
 *
 * Where a browser's reading depends on the tree around the markup, every
 * reading is followed at once: <script>, <style>, <title>, <textarea>...
 * are raw text in the body but ordinary markup inside <svg>, <math> or
 * <select>, and <![CDATA[ is a section there but a bogus comment in HTML.
 * A value must be allowed in all of the readings.
 */
#include <string.h>

#include <apr_strings.h>

#include "html.h"
#include "html_tokenizer.h"

#define H_MAX 64        /* readings followed at once (a bound, not reached
                           by markup that closes what it opens) */

struct fm_html_context {
    hstate s[H_MAX];
    int n;
};

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

void fm_html_reset(fm_html_context *hs)
{
    memset(&hs->s[0], 0, sizeof(hs->s[0]));
    hs->s[0].st = H_DATA;
    hs->n = 1;
}

/* Every reading over c; 0 when there would be more than H_MAX. */
int fm_html_step(fm_html_context *hs, int c)
{
    int i, j, n = hs->n;
    hstate fork;

    for (i = 0; i < n; i++) {
        if (!fm_html_token_step(&hs->s[i], c, &fork))
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
    int kind = h->raw ? fm_html_raw_elems[h->raw - 1].kind : 0;
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
        return strcmp(fm_html_raw_elems[h->raw - 1].name, "style") == 0
               ? REF_STYLE : REF_RAWTEXT;
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
                            fm_html_raw_elems[h->alt - 1].name);
    return "";
}

static const char *raw_name(const hstate *h)
{
    return h->raw ? fm_html_raw_elems[h->raw - 1].name : "?";
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
/* The rest of the interface (html.h)                                   */

fm_html_context *fm_html_context_make(apr_pool_t *p)
{
    fm_html_context *h = apr_pcalloc(p, sizeof(*h));
    fm_html_reset(h);
    return h;
}

void fm_html_copy(fm_html_context *to, const fm_html_context *from)
{
    *to = *from;
}

const char *fm_html_refuse_variable(apr_pool_t *p, const fm_html_context *hs,
                                    int markup)
{
    int i;
    for (i = 0; i < hs->n; i++) {
        const hstate *h = &hs->s[i];
        int r = h_refusal(h);
        if (r == REF_OK && markup && h->st != H_DATA)
            r = REF_ITEMS_TEXT;
        if (r != REF_OK)
            return apr_psprintf(p, "%s%s; %s", refusal_text(p, h, r),
                                alt_note(p, h), markup
                                ? "the messages must go in element text"
                                : "variables may stand in element text and "
                                  "in quoted values of other attributes");
    }
    return NULL;
}

const char *fm_html_unclosed(apr_pool_t *p, const fm_html_context *hs)
{
    int i;
    for (i = 0; i < hs->n; i++) {
        const hstate *h = &hs->s[i];
        if (h->st != H_DATA || h->fdepth || h->lost)
            return apr_pstrcat(p, h_where(p, h), alt_note(p, h), NULL);
    }
    return NULL;
}

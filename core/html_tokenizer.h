/*
 * html_tokenizer.h - one reading of HTML markup: the state of the
 * tokenizer at a byte, and the step to the next byte.  Private to the HTML
 * context module: html_tokenizer.c reads (the states of the HTML standard,
 * 13.2.5, one case each), html_context.c follows every reading a browser
 * might make and says whether a value may stand where each one is.  The
 * rest of the module sees html.h only.
 */
#ifndef FM_HTML_TOKENIZER_H
#define FM_HTML_TOKENIZER_H

#include <apr.h>

/* The tokenizer's states, reduced to what decides where a variable
 * stands. */
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

/* Elements whose start tag switches the tokenizer (in the body), and the
 * kind of text that follows it. */
enum { RAW_RCDATA = 1, RAW_RAWTEXT, RAW_SCRIPT, RAW_PLAINTEXT };
typedef struct {
    const char *name;
    int kind;
} html_raw_elem;
#define N_RAW 10        /* fm_html_raw_elems has exactly these (the
                           definition's size is checked against it) */
extern const html_raw_elem fm_html_raw_elems[N_RAW];
#define ALT_CDATA (N_RAW + 1)

/* Why a variable is refused where it stands (0: it is not). */
enum {
    REF_OK,
    REF_TAG_OPEN, REF_TAG_NAME, REF_END_TAG, REF_ATTR_NAME, REF_UNQUOTED,
    REF_URL, REF_JS, REF_CSS, REF_HTML, REF_ELEMENT, REF_LONG_NAME,
    REF_SCRIPT, REF_STYLE, REF_RAWTEXT, REF_RAW_END, REF_COMMENT, REF_MARKUP,
    REF_CDATA, REF_FOREIGN, REF_LOST, REF_ITEMS_TEXT
};

#define TAG_MAX  24     /* longer names are none of the known elements */
#define ATTR_MAX 64     /* longer attribute names are refused */

typedef struct {
    int st;
    int n;              /* characters matched (see the states) */
    int raw;            /* fm_html_raw_elems index + 1: the element
                           of H_TEXT... or of the tag being read; 0: none */
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

/* Advance h over character c (never NUL).  A start tag of a raw-text
 * element and "<![CDATA[" read two ways: h takes the body's reading,
 * *fork the other, and the step returns 1. */
int fm_html_token_step(hstate *h, int c, hstate *fork);

#endif

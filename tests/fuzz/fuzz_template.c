/*
 * fuzz_template.c - the template compiler on arbitrary ITEM/WRAPPER text
 * (input split at the first NUL, or the file-text form when there is none),
 * then rendering of hostile messages with it: nothing crashes, the reported
 * length is the real one, and messages full of '<' produce exactly as many
 * '<' as harmless messages of the same shape: none of theirs gets through.
 *
 * And no accepted template has a variable where escaping is not enough:
 * an independent, deliberately simple reader (below, sharing nothing with
 * core/html_context.c and core/html_tokenizer.c) follows the markup of the
 * templates it understands and says where each variable stands; one inside
 * <script> or <style>, in an on* event handler, href, src or style value,
 * an unquoted value, or elsewhere inside a tag makes the target trap if the
 * compiler accepted it.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "template.h"
#include "../common/fixtures.h"

static apr_pool_t *pool;

static apr_size_t count_lt(const char *s, apr_size_t n)
{
    apr_size_t i, c = 0;
    for (i = 0; i < n; i++)
        c += s[i] == '<';
    return c;
}

/* ------------------------------------------------------------------ */
/* The simple reader                                                    */

#define R_VAR  (-2)     /* a variable */
#define R_END  (-1)     /* end of the text */
#define R_BAD  (-3)     /* a '%' the compiler refuses anyway */

typedef struct {
    const char *s, *e;
} reader;

/* The next character of the template text, R_VAR or R_END; the item
 * markers of a template file stand for nothing (the item's markup starts
 * and ends in text, so the text reads on as if one message were there). */
static int next(reader *r)
{
    for (;;) {
        const char *close;
        if (r->s >= r->e)
            return R_END;
        if (r->s[0] != '%')
            return (unsigned char)*r->s++;
        if (r->s + 1 < r->e && r->s[1] == '%') {
            r->s += 2;
            return '%';
        }
        if (r->s + 1 >= r->e || r->s[1] != '{')
            return R_BAD;
        close = memchr(r->s, '}', (size_t)(r->e - r->s));
        if (!close)
            return R_BAD;
        if ((close - r->s == 6 && memcmp(r->s, "%{item", 6) == 0)
            || (close - r->s == 7 && memcmp(r->s, "%{/item", 7) == 0)) {
            r->s = close + 1;
            continue;
        }
        r->s = close + 1;
        return R_VAR;
    }
}

static int peek(reader *r)
{
    reader copy = *r;
    return next(&copy);
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Reads the rest of a name of [A-Za-z0-9] (attributes: also "_:-") whose
 * first character c was read, into buf in lower case; the character after
 * it is not read. */
static void read_name(reader *r, int c, char *buf, size_t size, int attr)
{
    size_t n = 0;
    for (;;) {
        if (n < size - 1)
            buf[n++] = (char)lower(c);
        c = peek(r);
        if (!(is_alnum(c) || (attr && (c == '-' || c == '_' || c == ':'))))
            break;
        next(r);
    }
    buf[n] = '\0';
}

/* The attributes of a tag, up to its '>'.  1: a variable in a refused
 * place; 0: '>' reached with none; -1: not simple. */
static int read_attrs(reader *r, int end_tag)
{
    int c = next(r);
    for (;;) {
        char name[32];
        int refused_value;
        while (is_space(c) || c == '/')
            c = next(r);
        if (c == '>')
            return 0;
        if (c == R_VAR)
            return 1;                   /* between attributes */
        if (!is_alpha(c))
            return -1;
        read_name(r, c, name, sizeof(name), 1);
        c = next(r);
        if (c == R_VAR)
            return 1;                   /* in the name */
        refused_value = end_tag || strncmp(name, "on", 2) == 0
            || strcmp(name, "href") == 0 || strcmp(name, "src") == 0
            || strcmp(name, "style") == 0;
        while (is_space(c))
            c = next(r);
        if (c != '=')
            continue;                   /* no value */
        c = next(r);
        while (is_space(c))
            c = next(r);
        if (c == R_VAR)
            return 1;                   /* unquoted */
        if (c == '"' || c == '\'') {
            int q = c;
            while ((c = next(r)) != q) {
                if (c == R_END || c == R_BAD)
                    return -1;
                if (c == R_VAR && refused_value)
                    return 1;
            }
            c = next(r);
            if (!(is_space(c) || c == '/' || c == '>' || c == R_VAR))
                return -1;
            continue;
        }
        /* unquoted value */
        for (;;) {
            if (c == R_VAR)
                return 1;
            if (c == R_END || c == R_BAD || c == '"' || c == '\'' || c == '<'
                || c == '=' || c == '`')
                return -1;
            if (is_space(c) || c == '>')
                break;
            c = next(r);
        }
    }
}

/* 1: some variable of [s, e) stands in a refused place; 0: none does (as
 * far as the text goes); -1: the markup is beyond this reader (comments,
 * declarations, raw-text elements other than <script> and <style>, SVG,
 * MathML, <select>, unusual names). */
static int simple_reading(const char *s, const char *e)
{
    static const char *const beyond[] = {
        "title", "textarea", "xmp", "iframe", "noembed", "noframes",
        "noscript", "plaintext", "svg", "math", "select", "template",
    };
    reader r = { s, e };
    int c;

    while ((c = next(&r)) != R_END) {
        char name[32];
        int end_tag = 0, res;
        reader save;
        size_t i;
        if (c == R_BAD)
            return -1;
        if (c != '<')
            continue;                   /* text, variables included */
        save = r;
        c = next(&r);
        if (c == R_VAR)
            return 1;                   /* right after '<' */
        if (c == '/') {
            end_tag = 1;
            c = next(&r);
            if (c == R_VAR)
                return 1;
            if (!is_alpha(c))
                return -1;
        }
        else if (c == '!' || c == '?') {
            return -1;
        }
        else if (!is_alpha(c)) {
            r = save;                   /* '<' was text */
            continue;
        }
        read_name(&r, c, name, sizeof(name), 0);
        c = peek(&r);
        if (c == R_VAR)
            return 1;                   /* in the tag name */
        if (!(is_space(c) || c == '/' || c == '>'))
            return -1;
        for (i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++)
            if (strcmp(name, beyond[i]) == 0)
                return -1;
        if ((res = read_attrs(&r, end_tag)) != 0)
            return res;
        if (!end_tag && (strcmp(name, "script") == 0
                         || strcmp(name, "style") == 0)) {
            /* raw text up to "</name" + space, '/' or '>' */
            size_t n = strlen(name);
            for (;;) {
                c = next(&r);
                if (c == R_VAR)
                    return 1;
                if (c == R_END)
                    return 0;
                if (c == R_BAD)
                    return -1;
                if (c != '<')
                    continue;
                if (r.e - r.s >= 3 && memcmp(r.s, "!--", 3) == 0)
                    return -1;          /* script data escapes */
                if (r.e - r.s > (long)n + 1 && r.s[0] == '/'
                    && strncasecmp(r.s + 1, name, n) == 0
                    && (is_space(r.s[n + 1]) || r.s[n + 1] == '/'
                        || r.s[n + 1] == '>')) {
                    r.s += n + 1;
                    if ((res = read_attrs(&r, 1)) != 0)
                        return res;
                    break;
                }
            }
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in, *nul;
    fm_template *t = NULL;
    int i, refused_here = 0;

    if (!pool)
        apr_pool_create(&pool, fx_process_pool());
    in = apr_pstrmemdup(pool, (const char *)data, size);
    nul = memchr(data, 0, size);
    if (nul) {
        const char *item = in, *wrapper = in + (nul - (const char *)data) + 1;
        if (fm_template_compile(pool, item, *wrapper ? wrapper : NULL, &t))
            t = NULL;
        refused_here = simple_reading(item, item + strlen(item)) == 1
            || simple_reading(wrapper, wrapper + strlen(wrapper)) == 1;
    }
    else {
        if (fm_template_compile_file_text(pool, in, &t))
            t = NULL;
        refused_here = simple_reading(in, in + strlen(in)) == 1;
    }
    if (t && refused_here)
        __builtin_trap();           /* accepted a variable in a bad place */
    if (t) {
        fm_message hostile[3], benign[3];
        for (i = 0; i < 3; i++) {
            hostile[i] = fx_msg(i * 17, "<<<\"'&\xc3\xbc", i ? "<x>" : "", 0);
            benign[i] = fx_msg(i * 17, "aaa\"'&\xc3\xbc", i ? "axa" : "", 0);
        }
        for (i = 0; i < 2; i++) {
            unsigned flags = i ? FM_RENDER_ASCII : 0;
            apr_size_t lb, lh;
            char *ob = fm_template_render(pool, t, NULL, NULL, benign, 3, flags, &lb);
            char *oh = fm_template_render(pool, t, NULL, NULL, hostile, 3, flags, &lh);
            if (lb != strlen(ob) || lh != strlen(oh))
                __builtin_trap();
            if (count_lt(ob, lb) != count_lt(oh, lh))
                __builtin_trap();
        }
    }
    apr_pool_clear(pool);
    return 0;
}

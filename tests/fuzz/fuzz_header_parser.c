/*
 * fuzz_header_parser.c - libFuzzer target for fm_header_parse().
 *
 * The input is one field value.  Besides the sanitizers, it checks that:
 *  - every added message is acceptable (non-empty valid text, level at or
 *    above the threshold, extra_tags normalized: words of printable ASCII
 *    or UTF-8 -- raw UTF-8 in a tags string is accepted by the lenient
 *    parse -- joined by single spaces) and is a copy;
 *  - a reason is short printable ASCII, and an error that is not about a
 *    structured member ("member N: ...") added nothing;
 *  - the threshold only filters: same reason, a subset of the messages;
 *  - re-encoding the messages as a structured value and parsing that gives
 *    the same messages back, with no error.
 * fuzz_header_lenient.c checks the lenient parse member by member.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "header_parser.h"
#include "../common/fixtures.h"

static apr_pool_t *global_pool, *pool;
static fm_levels *levels;

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_messages(const apr_array_header_t *a, int min_level,
                           const char *value, size_t len)
{
    int i;
    for (i = 0; i < a->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(a, i, fm_message);
        const char *t = m->extra_tags;
        size_t n = strlen(t), k;
        CHECK(m->level >= min_level);
        CHECK(m->text[0] != '\0');
        CHECK(fm_text_valid(m->text, strlen(m->text)));
        CHECK(m->created == 42);
        /* Copies, never pointers into the value. */
        CHECK(m->text < value || m->text >= value + len);
        CHECK(n == 0 || (t < value || t >= value + len));
        CHECK(n == 0 || (t[0] != ' ' && t[n - 1] != ' '));
        CHECK(fm_text_valid(t, n));
        for (k = 0; k < n; k++) {
            unsigned char c = (unsigned char)t[k];
            CHECK(c == ' ' ? t[k + 1] != ' ' : (c > 0x20 && c != 0x7f));
        }
    }
}

static void check_reason(const char *r, const apr_array_header_t *a)
{
    const char *c;
    if (!r)
        return;
    CHECK(strlen(r) < 200);
    for (c = r; *c; c++)
        CHECK(*c >= 0x20 && *c <= 0x7e);
    if (strncmp(r, "member ", 7) != 0)
        CHECK(a->nelts == 0);
}

static int same_message(const fm_message *x, const fm_message *y)
{
    return x->level == y->level && strcmp(x->text, y->text) == 0
           && strcmp(x->extra_tags, y->extra_tags) == 0
           && x->created == y->created;
}

/* The messages as an RFC 9651 List of Display Strings. */
static char *encode(const apr_array_header_t *a, size_t *len)
{
    size_t cap = 16, n = 0;
    char *out;
    int i;

    for (i = 0; i < a->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(a, i, fm_message);
        cap += 3 * strlen(m->text) + 2 * strlen(m->extra_tags) + 48;
    }
    out = apr_palloc(pool, cap);
    for (i = 0; i < a->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(a, i, fm_message);
        const unsigned char *s;
        if (i)
            n += (size_t)apr_snprintf(out + n, cap - n, ", ");
        out[n++] = '%';
        out[n++] = '"';
        for (s = (const unsigned char *)m->text; *s; s++) {
            if (*s >= 0x20 && *s <= 0x7e && *s != '%' && *s != '"')
                out[n++] = (char)*s;
            else
                n += (size_t)apr_snprintf(out + n, cap - n, "%%%02x", *s);
        }
        n += (size_t)apr_snprintf(out + n, cap - n, "\";level=%d", m->level);
        if (*m->extra_tags) {
            out[n++] = ';';
            n += (size_t)apr_snprintf(out + n, cap - n, "tags=\"");
            for (s = (const unsigned char *)m->extra_tags; *s; s++) {
                if (*s == '"' || *s == '\\')
                    out[n++] = '\\';
                out[n++] = (char)*s;
            }
            out[n++] = '"';
        }
    }
    CHECK(n < cap);
    *len = n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *value = (const char *)data;
    apr_array_header_t *all, *some, *again;
    const char *r_all, *r_some, *r_again;
    int i, j;

    if (!global_pool) {
        global_pool = fx_process_pool();
        apr_pool_create(&pool, global_pool);
        levels = fx_fuzz_levels(global_pool);
    }
    apr_pool_clear(pool);

    all = apr_array_make(pool, 4, sizeof(fm_message));
    r_all = fm_header_parse(pool, levels, 0, value, size, 42, all);
    check_reason(r_all, all);
    check_messages(all, 0, value, size);

    some = apr_array_make(pool, 4, sizeof(fm_message));
    r_some = fm_header_parse(pool, levels, FM_INFO, value, size, 42, some);
    check_reason(r_some, some);
    check_messages(some, FM_INFO, value, size);
    CHECK((r_all == NULL) == (r_some == NULL));
    CHECK(!r_all || strcmp(r_all, r_some) == 0);
    for (i = 0, j = 0; i < all->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(all, i, fm_message);
        if (m->level < FM_INFO)
            continue;
        CHECK(j < some->nelts);
        CHECK(same_message(m, &APR_ARRAY_IDX(some, j, fm_message)));
        j++;
    }
    CHECK(j == some->nelts);

    if (all->nelts > 0) {
        size_t n;
        char *enc = encode(all, &n);
        again = apr_array_make(pool, 4, sizeof(fm_message));
        r_again = fm_header_parse(pool, levels, 0, enc, n, 42, again);
        CHECK(r_again == NULL);
        CHECK(again->nelts == all->nelts);
        for (i = 0; i < all->nelts; i++)
            CHECK(same_message(&APR_ARRAY_IDX(all, i, fm_message),
                               &APR_ARRAY_IDX(again, i, fm_message)));
    }
    return 0;
}

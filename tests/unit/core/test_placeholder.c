/* test_placeholder.c - the streaming matcher against a naive replace. */
#include <string.h>
#include <stdlib.h>
#include <apr_strings.h>
#include "unit.h"
#include "placeholder.h"

#define REP "[R]"

/* Leftmost, non-overlapping replace of every pat in s with REP. */
static char *naive(const char *s, const char *pat)
{
    apr_size_t pl = strlen(pat);
    char *out = apr_palloc(ut_pool, strlen(s) * 3 + 16), *d = out;
    while (*s) {
        if (strncmp(s, pat, pl) == 0) {
            memcpy(d, REP, 3);
            d += 3;
            s += pl;
        }
        else {
            *d++ = *s++;
        }
    }
    *d = 0;
    return out;
}

/* Feed s to the matcher in chunks ending at the given cut offsets. */
static char *streamed(const char *s, const char *pat, const apr_size_t *cuts,
                      int ncuts)
{
    fm_matcher m;
    apr_size_t n = strlen(s), pos = 0, pl = strlen(pat);
    char *out = apr_palloc(ut_pool, n * 3 + 16), *d = out;
    int c;
    fm_matcher_start(&m, fm_pattern_compile(ut_pool, pat, pl));
    for (c = 0; c <= ncuts; c++) {
        apr_size_t end = c < ncuts ? cuts[c] : n;
        const char *chunk = s + pos;
        apr_size_t clen = end - pos, start = 0;
        while (start < clen || (clen == 0 && start == 0)) {
            fm_step st;
            fm_matcher_step(&m, chunk, start, clen, &st);
            ck_assert_uint_le(st.release, pl);
            memcpy(d, pat, st.release);
            d += st.release;
            memcpy(d, chunk + start, st.data_len);
            d += st.data_len;
            if (st.matched) {
                memcpy(d, REP, 3);
                d += 3;
            }
            ck_assert_uint_lt(m.held, pl);   /* at most len-1 held */
            start = st.next;
            if (!st.matched)
                break;
        }
        pos = end;
    }
    {
        apr_size_t h = fm_matcher_finish(&m);
        memcpy(d, pat, h);
        d += h;
    }
    *d = 0;
    return out;
}

static void check_all_two_way_splits(const char *s, const char *pat)
{
    apr_size_t n = strlen(s), i;
    const char *want = naive(s, pat);
    for (i = 0; i <= n; i++) {
        apr_size_t cut = i;
        ck_assert_str_eq(streamed(s, pat, &cut, 1), want);
    }
}

static void check_one_byte_chunks(const char *s, const char *pat)
{
    apr_size_t n = strlen(s), i;
    apr_size_t *cuts = apr_palloc(ut_pool, (n + 1) * sizeof(*cuts));
    for (i = 0; i < n; i++)
        cuts[i] = i;
    ck_assert_str_eq(streamed(s, pat, cuts, (int)n), naive(s, pat));
}

static const char *cases[] = {
    "",
    "no placeholder here",
    "<!--FLASH_MESSAGES-->",
    "<body><!--FLASH_MESSAGES--><p>x</p></body>",
    "<!--FLASH_MESSAGES--><!--FLASH_MESSAGES-->",
    "<!--FLASH_MESSAGE<!--FLASH_MESSAGES-->",
    "<!--<!--FLASH_MESSAGES-- <!--FLASH_MESSAGES-->-->",
    "<<<!--FLASH_MESSAGES--",
    "<!--FLASH_MESSAGES-",
    "trailing <!--FLASH",
    "<!-- comment --> <!--FLASH_MESSAGES--> <!--FLASH_MESSAGES-->>",
};

START_TEST(split_at_every_offset)
{
    unsigned i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_all_two_way_splits(cases[i], "<!--FLASH_MESSAGES-->");
}
END_TEST

START_TEST(one_byte_buffers)
{
    unsigned i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_one_byte_chunks(cases[i], "<!--FLASH_MESSAGES-->");
}
END_TEST

START_TEST(self_overlapping_patterns)
{
    /* Patterns whose prefixes recur inside them exercise the failure function. */
    check_all_two_way_splits("aaab aab aaaab aaaaaab", "aab");
    check_one_byte_chunks("aaab aab aaaab aaaaaab", "aab");
    check_all_two_way_splits("abababcababc ababab", "ababc");
    check_one_byte_chunks("abababcababc ababab", "ababc");
    check_all_two_way_splits("xxxxxxx", "xx");
    check_one_byte_chunks("xxxxxxx", "xx");
    check_all_two_way_splits("a-a-a", "a");
    check_one_byte_chunks("{{{FLASH}}{{{FLASH}}}", "{{FLASH}}");
}
END_TEST

START_TEST(every_pair_of_cuts)
{
    const char *s = "ab<!--FLASH_MESSAGES-->cd<!--FLASH_MESSAGES";
    const char *pat = "<!--FLASH_MESSAGES-->";
    const char *want = naive(s, pat);
    apr_size_t n = strlen(s), i, j;
    for (i = 0; i <= n; i++)
        for (j = i; j <= n; j++) {
            apr_size_t cuts[2];
            cuts[0] = i;
            cuts[1] = j;
            ck_assert_str_eq(streamed(s, pat, cuts, 2), want);
        }
}
END_TEST

START_TEST(random_against_naive)
{
    /* Small alphabet so partial matches are frequent; fixed seed. */
    const char *pat = "abaab";
    unsigned seed = 12345;
    int round;
    for (round = 0; round < 2000; round++) {
        char s[64];
        apr_size_t cuts[6];
        int i, n = (int)(rand_r(&seed) % 60), nc = (int)(rand_r(&seed) % 6);
        for (i = 0; i < n; i++)
            s[i] = "ab"[rand_r(&seed) % 2];
        s[n] = 0;
        for (i = 0; i < nc; i++)
            cuts[i] = n ? (apr_size_t)(rand_r(&seed) % (unsigned)(n + 1)) : 0;
        /* cuts must be ascending */
        {
            int a, b;
            for (a = 0; a < nc; a++)
                for (b = a + 1; b < nc; b++)
                    if (cuts[b] < cuts[a]) {
                        apr_size_t t = cuts[a];
                        cuts[a] = cuts[b];
                        cuts[b] = t;
                    }
        }
        ck_assert_str_eq(streamed(s, pat, cuts, nc), naive(s, pat));
    }
}
END_TEST

START_TEST(held_bytes_are_pattern_prefix)
{
    fm_matcher m;
    fm_step st;
    const char *pat = "<!--FLASH_MESSAGES-->";
    fm_matcher_start(&m, fm_pattern_compile(ut_pool, pat, strlen(pat)));
    fm_matcher_step(&m, "hello <!--FLA", 0, 13, &st);
    ck_assert_int_eq(st.matched, 0);
    ck_assert_uint_eq(st.data_len, 6);
    ck_assert_uint_eq(m.held, 7);
    fm_matcher_step(&m, "SH_X", 0, 4, &st);
    ck_assert_int_eq(st.matched, 0);
    ck_assert_uint_eq(st.release, 7);   /* "<!--FLA" comes back */
    ck_assert_uint_eq(st.data_len, 4);
    ck_assert_uint_eq(m.held, 0);
}
END_TEST

START_TEST(whole_chunks_full_of_the_rare_byte)
{
    /* '!' is the byte searched for in the default placeholder: a page full
     * of it takes the memmem() fallback, matches stay exact. */
    const char *pat = "<!--FLASH_MESSAGES-->";
    char s[4096];
    const char *want;
    apr_size_t i, cuts[1];
    for (i = 0; i < sizeof(s) - 1; i++)
        s[i] = "!!<!-"[i % 5];
    s[sizeof(s) - 1] = 0;
    memcpy(s + 3000, pat, strlen(pat));
    memcpy(s + 10, pat, strlen(pat));
    want = naive(s, pat);
    ck_assert_ptr_nonnull(strstr(strstr(want, REP) + 1, REP));   /* both */
    cuts[0] = 0;
    ck_assert_str_eq(streamed(s, pat, cuts, 1), want);
    cuts[0] = 3010;
    ck_assert_str_eq(streamed(s, pat, cuts, 1), want);
}
END_TEST

START_TEST(rarest_byte_is_chosen)
{
    ck_assert_uint_eq(fm_pattern_compile(ut_pool, "<!--FLASH_MESSAGES-->", 21)->rare, 1);
    ck_assert_uint_eq(fm_pattern_compile(ut_pool, "{{ messages }}", 14)->rare, 0);
    ck_assert_uint_eq(fm_pattern_compile(ut_pool, "<div id=\"FLASH\">", 16)->rare, 9);
    ck_assert_uint_eq(fm_pattern_compile(ut_pool, "x", 1)->rare, 0);
}
END_TEST

Suite *placeholder_suite(void)
{
    Suite *s = suite_create("placeholder");
    TCase *tc = tcase_create("placeholder");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, split_at_every_offset);
    tcase_add_test(tc, one_byte_buffers);
    tcase_add_test(tc, self_overlapping_patterns);
    tcase_add_test(tc, every_pair_of_cuts);
    tcase_add_test(tc, random_against_naive);
    tcase_add_test(tc, held_bytes_are_pattern_prefix);
    tcase_add_test(tc, whole_chunks_full_of_the_rare_byte);
    tcase_add_test(tc, rarest_byte_is_chosen);
    suite_add_tcase(s, tc);
    return s;
}

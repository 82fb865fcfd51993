/* test_near_miss.c - a placeholder written almost right (other white
 * space, other case) is found, whole or split at any offset; the exact
 * placeholder's neighbours that differ otherwise are not. */
#include <string.h>
#include "unit.h"
#include "near_miss.h"

#define PH "<!--FLASH_MESSAGES-->"

/* Is there a near miss of pat in page, fed in chunks of `step` bytes? */
static int found_in_steps(const char *pat, const char *page, apr_size_t step)
{
    fm_near_miss nm;
    apr_size_t n = strlen(page), pos;
    fm_near_miss_start(&nm, ut_pool, pat, strlen(pat));
    for (pos = 0; pos < n; pos += step)
        fm_near_miss_feed(&nm, page + pos, n - pos < step ? n - pos : step);
    return nm.found;
}

static int found(const char *pat, const char *page)
{
    return found_in_steps(pat, page, strlen(page) + 1);
}

START_TEST(spaces_and_case_are_near_misses)
{
    ck_assert(found(PH, "<body><!-- FLASH_MESSAGES --></body>"));
    ck_assert(found(PH, "<body><!--flash_messages--></body>"));
    ck_assert(found(PH, "<body><!--\n  Flash_Messages\t--></body>"));
    ck_assert(found(PH, "< ! - - FLASH_MESSAGES - - >"));
    /* a custom placeholder: the same rule */
    ck_assert(found("{{flash}}", "<p>{{ Flash }}</p>"));
}
END_TEST

START_TEST(other_differences_are_not)
{
    ck_assert(!found(PH, "<html><body><p>no placeholder</p></body></html>"));
    ck_assert(!found(PH, "<!--FLASH-MESSAGES-->"));
    ck_assert(!found(PH, "<!--FLASH_MESSAGE-->"));
    ck_assert(!found(PH, "<!--FLASH_MESSAGES->"));
    ck_assert(!found(PH, ""));
}
END_TEST

START_TEST(split_at_every_offset)
{
    const char *page = "<p>x</p><!--<!-- Flash_Messages  --><p>y</p>";
    apr_size_t step;
    for (step = 1; step <= strlen(page); step++)
        ck_assert_msg(found_in_steps(PH, page, step), "step %zu", step);
}
END_TEST

START_TEST(restarts_after_a_partial_match)
{
    /* KMP: a failed match that holds the start of the next one */
    ck_assert(found("aab", "aaab"));
    ck_assert(found("aab", "a a A b"));
    ck_assert(found(PH, "<!--FLASH<!--flash_messages-->"));
}
END_TEST

START_TEST(white_space_only_placeholder_never_matches)
{
    ck_assert(!found(" \t", "  \t  anything"));
}
END_TEST

Suite *near_miss_suite(void)
{
    Suite *s = suite_create("near_miss");
    TCase *tc = tcase_create("near_miss");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, spaces_and_case_are_near_misses);
    tcase_add_test(tc, other_differences_are_not);
    tcase_add_test(tc, split_at_every_offset);
    tcase_add_test(tc, restarts_after_a_partial_match);
    tcase_add_test(tc, white_space_only_placeholder_never_matches);
    suite_add_tcase(s, tc);
    return s;
}

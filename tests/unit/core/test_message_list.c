/* test_message_list.c - order, duplicates and membership of message lists
 * (core/message_list.c), including lists of the sizes a hostile client or
 * a generous configuration can bring (red team finding 4). */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "message_list.h"

static void push(apr_array_header_t *l, apr_int64_t sec, int usec,
                 const char *text)
{
    fm_list_add(l, 0, FM_INFO, text, "", sec);
    APR_ARRAY_IDX(l, l->nelts - 1, fm_message).usec = usec;
}

static const char *text_at(apr_array_header_t *l, int i)
{
    return APR_ARRAY_IDX(l, i, fm_message).text;
}

START_TEST(sort_orders_by_second_then_usec_and_drops_copies)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 4, sizeof(fm_message));
    push(l, 100, 7, "c");
    push(l, 100, 5, "b");
    push(l, 99, 900000, "a");
    push(l, 100, 5, "b");          /* a copy from a second cookie */
    push(l, 100, 5, "b2");         /* same time, other text: kept */
    push(l, 100, 7, "c");
    fm_list_sort_unique(l);
    ck_assert_int_eq(l->nelts, 4);
    ck_assert_str_eq(text_at(l, 0), "a");
    ck_assert_str_eq(text_at(l, 1), "b");
    ck_assert_str_eq(text_at(l, 2), "b2");
    ck_assert_str_eq(text_at(l, 3), "c");
}
END_TEST

/* Batches arriving newest first (the order a client chose): the sort is
 * stable and ends oldest first, with 100,000 messages. */
START_TEST(sort_hundred_thousand_newest_first)
{
    const int batches = 10, per = 10000;
    apr_array_header_t *l = apr_array_make(ut_pool, batches * per,
                                           sizeof(fm_message));
    int b, i;
    for (b = batches - 1; b >= 0; b--)
        for (i = 0; i < per; i++)
            push(l, 1000 + b, i, apr_psprintf(ut_pool, "b%d.%05d", b, i));
    fm_list_sort_unique(l);
    ck_assert_int_eq(l->nelts, batches * per);
    for (b = 0; b < batches; b++)
        for (i = 0; i < per; i += 997)
            ck_assert_str_eq(text_at(l, b * per + i),
                             apr_psprintf(ut_pool, "b%d.%05d", b, i));
}
END_TEST

/* Equal times keep the order they came in (a merge sort that compared
 * "not older" the wrong way round would swap them). */
START_TEST(sort_is_stable_for_equal_times)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    int i;
    push(l, 5, 0, "late");
    for (i = 0; i < 20; i++)
        push(l, 1, 0, apr_psprintf(ut_pool, "e%02d", i));
    fm_list_sort_by_age(l);
    for (i = 0; i < 20; i++)
        ck_assert_str_eq(text_at(l, i), apr_psprintf(ut_pool, "e%02d", i));
    ck_assert_str_eq(text_at(l, 20), "late");
}
END_TEST

/* One long run of one time (a forged cookie can make every time equal):
 * copies anywhere in the run are dropped, first copies kept in order. */
START_TEST(unique_in_a_long_run_of_one_time)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    int i;
    for (i = 0; i < 30000; i++)
        push(l, 7, 3, apr_psprintf(ut_pool, "t%d", i % 1000));
    fm_list_sort_unique(l);
    ck_assert_int_eq(l->nelts, 1000);
    for (i = 0; i < 1000; i++)
        ck_assert_str_eq(text_at(l, i), apr_psprintf(ut_pool, "t%d", i));
}
END_TEST

START_TEST(set_membership_compares_every_field)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    fm_message_set *set = fm_message_set_make(ut_pool);
    fm_message m;
    char *big = apr_palloc(ut_pool, 5001);
    memset(big, 'x', 5000);
    big[5000] = '\0';
    push(l, 10, 1, "hello");
    push(l, 10, 2, big);                 /* a key larger than the stack one */
    fm_message_set_add_all(set, l);
    m = APR_ARRAY_IDX(l, 0, fm_message);
    ck_assert(fm_message_set_has(set, &m));
    m.usec = 9;
    ck_assert(!fm_message_set_has(set, &m));
    m = APR_ARRAY_IDX(l, 0, fm_message);
    m.level = FM_ERROR;
    ck_assert(!fm_message_set_has(set, &m));
    m = APR_ARRAY_IDX(l, 0, fm_message);
    m.extra_tags = "hello";              /* tags and text do not run together */
    m.text = "";
    ck_assert(!fm_message_set_has(set, &m));
    m = APR_ARRAY_IDX(l, 1, fm_message);
    ck_assert(fm_message_set_has(set, &m));
}
END_TEST

Suite *message_list_suite(void)
{
    Suite *s = suite_create("message_list");
    TCase *tc = tcase_create("message_list");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sort_orders_by_second_then_usec_and_drops_copies);
    tcase_add_test(tc, sort_hundred_thousand_newest_first);
    tcase_add_test(tc, sort_is_stable_for_equal_times);
    tcase_add_test(tc, unique_in_a_long_run_of_one_time);
    tcase_add_test(tc, set_membership_compares_every_field);
    suite_add_tcase(s, tc);
    return s;
}

/* test_cookie_header.c - finding our cookie in hostile Cookie headers. */
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "cookie_header.h"

static apr_array_header_t *find(const char *header, const char *name)
{
    apr_array_header_t *out = apr_array_make(ut_pool, 2, sizeof(const char *));
    fm_cookie_header_find(ut_pool, header, name, out);
    return out;
}

#define VAL(a, i) APR_ARRAY_IDX((a), (i), const char *)

START_TEST(finds_among_others)
{
    apr_array_header_t *a = find("a=1; flashmsg=s1.abc.def; b=2", "flashmsg");
    ck_assert_int_eq(a->nelts, 1);
    ck_assert_str_eq(VAL(a, 0), "s1.abc.def");
}
END_TEST

START_TEST(exact_names_only)
{
    ck_assert_int_eq(find("xflashmsg=1; flashmsgx=2; FLASHMSG=3", "flashmsg")->nelts, 0);
    ck_assert_int_eq(find("flash msg=1", "flashmsg")->nelts, 0);
}
END_TEST

START_TEST(spaces_quotes_and_empties)
{
    apr_array_header_t *a = find(" ;; flashmsg = \"v1\" ;flashmsg=;flashmsg=\t v3 \t", "flashmsg");
    ck_assert_int_eq(a->nelts, 3);
    ck_assert_str_eq(VAL(a, 0), "v1");
    ck_assert_str_eq(VAL(a, 1), "");
    ck_assert_str_eq(VAL(a, 2), "v3");
    a = find("flashmsg=\"", "flashmsg");
    ck_assert_int_eq(a->nelts, 1);
    ck_assert_str_eq(VAL(a, 0), "\"");
}
END_TEST

START_TEST(no_equals_and_garbage)
{
    ck_assert_int_eq(find("", "flashmsg")->nelts, 0);
    ck_assert_int_eq(find(";;;;", "flashmsg")->nelts, 0);
    ck_assert_int_eq(find("flashmsg", "flashmsg")->nelts, 0);
    ck_assert_int_eq(find("flashmsg;=x", "flashmsg")->nelts, 0);
    ck_assert_int_eq(find("=flashmsg", "flashmsg")->nelts, 0);
    ck_assert_int_eq(find("\xff\xfe=\x01", "flashmsg")->nelts, 0);
}
END_TEST

START_TEST(value_with_equals_signs)
{
    apr_array_header_t *a = find("flashmsg=a=b==", "flashmsg");
    ck_assert_str_eq(VAL(a, 0), "a=b==");
}
END_TEST

START_TEST(every_value_is_found_behind_junk)
{
    /* cookie tossing: many junk values in front must not hide the last */
    char *h = "";
    apr_array_header_t *a;
    int i;
    for (i = 0; i < 100; i++)
        h = apr_psprintf(ut_pool, "%sflashmsg=%d; ", h, i);
    a = find(apr_pstrcat(ut_pool, h, "flashmsg=last", NULL), "flashmsg");
    ck_assert_int_eq(a->nelts, 101);
    ck_assert_str_eq(VAL(a, 0), "0");
    ck_assert_str_eq(VAL(a, 100), "last");
}
END_TEST

START_TEST(huge_header)
{
    apr_size_t n = 1 << 20;
    char *h = apr_palloc(ut_pool, n + 32);
    memset(h, ';', n);
    strcpy(h + n, "flashmsg=end");
    ck_assert_str_eq(VAL(find(h, "flashmsg"), 0), "end");
    memset(h, 'a', n);
    h[n] = 0;
    ck_assert_int_eq(find(h, "flashmsg")->nelts, 0);
}
END_TEST

START_TEST(has_without_allocating)
{
    ck_assert(fm_cookie_header_has("a=1; flashmsg=x", "flashmsg", 0));
    ck_assert(fm_cookie_header_has("flashmsg=", "flashmsg", 0));
    ck_assert(!fm_cookie_header_has("flashmsgx=1; xflashmsg=2", "flashmsg", 0));
    ck_assert(!fm_cookie_header_has("flashmsg", "flashmsg", 0));
    ck_assert(!fm_cookie_header_has("", "flashmsg", 0));
    ck_assert(fm_cookie_header_has(" ; ;flashmsg = \"q\"", "flashmsg", 0));
}
END_TEST

START_TEST(family_members_are_found)
{
    apr_array_header_t *out = apr_array_make(ut_pool, 2, sizeof(fm_cookie_pair));
    fm_cookie_header_find_family(ut_pool, "flashmsg.ab=1; x=2; flashmsg=3; "
                                 "flashmsgx=4; flashmsg.=5; flashmsg.c.d=6",
                                 "flashmsg", out);
    ck_assert_int_eq(out->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(out, 0, fm_cookie_pair).name, "flashmsg.ab");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 0, fm_cookie_pair).value, "1");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 1, fm_cookie_pair).name, "flashmsg");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 2, fm_cookie_pair).name, "flashmsg.c.d");
    for (int i = 0; i < out->nelts; i++)
        ck_assert_uint_eq(APR_ARRAY_IDX(out, i, fm_cookie_pair).value_len,
                          strlen(APR_ARRAY_IDX(out, i, fm_cookie_pair).value));
    apr_array_clear(out);
    fm_cookie_header_find_family(ut_pool, "flashmsg=\" a b \" ", "flashmsg", out);
    ck_assert_str_eq(APR_ARRAY_IDX(out, 0, fm_cookie_pair).value, " a b ");
    ck_assert_uint_eq(APR_ARRAY_IDX(out, 0, fm_cookie_pair).value_len, 5);
    ck_assert(fm_cookie_header_has("a=1; flashmsg.q=2", "flashmsg", 1));
    ck_assert(!fm_cookie_header_has("a=1; flashmsg.q=2", "flashmsg", 0));
    ck_assert(!fm_cookie_header_has("flashmsg.=2; flashmsgq=1", "flashmsg", 1));
}
END_TEST

Suite *cookie_header_suite(void)
{
    Suite *s = suite_create("cookie_header");
    TCase *tc = tcase_create("cookie_header");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, finds_among_others);
    tcase_add_test(tc, exact_names_only);
    tcase_add_test(tc, spaces_quotes_and_empties);
    tcase_add_test(tc, no_equals_and_garbage);
    tcase_add_test(tc, value_with_equals_signs);
    tcase_add_test(tc, every_value_is_found_behind_junk);
    tcase_add_test(tc, huge_header);
    tcase_add_test(tc, has_without_allocating);
    tcase_add_test(tc, family_members_are_found);
    suite_add_tcase(s, tc);
    return s;
}

/* test_raw_header.c - the header block of an nph- script's response. */
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "raw_header.h"

static const char *const NAMES[] = {"X-Flash", "X-Flash-Consumed"};

/* in without our fields; *n gets how many went. */
static const char *strip(const char *in, int *n)
{
    apr_size_t len = strlen(in), got = 0;
    char *out = apr_palloc(ut_pool, len + 1);
    *n = fm_raw_header_strip(in, len, NAMES, 2, out, &got);
    ck_assert_uint_le(got, len);
    out[got] = '\0';
    return out;
}

START_TEST(end_of_block)
{
    const char *b = "HTTP/1.1 200 OK\r\nA: 1\r\n\r\nbody";
    ck_assert_uint_eq(fm_raw_header_end(b, strlen(b)), strlen(b) - 4);
    ck_assert_uint_eq(fm_raw_header_end("HTTP/1.1 200 OK\nA: 1\n\nbody", 26), 22);
    ck_assert_uint_eq(fm_raw_header_end("A: 1\n\r\nb", 8), 7);
    /* not there yet: a block cut anywhere before its blank line */
    ck_assert_uint_eq(fm_raw_header_end(b, 24), 0);
    ck_assert_uint_eq(fm_raw_header_end(b, 23), 0);
    ck_assert_uint_eq(fm_raw_header_end(b, 0), 0);
    ck_assert_uint_eq(fm_raw_header_end("A: 1\r\nB: 2\r\n", 12), 0);
}
END_TEST

START_TEST(removes_our_fields_only)
{
    int n;
    ck_assert_str_eq(strip("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                           "X-Flash: success: saved\r\nX-Flash-Other: kept\r\n"
                           "x-flash-consumed: 1\r\nX-Flashy: kept\r\n\r\n", &n),
                     "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                     "X-Flash-Other: kept\r\nX-Flashy: kept\r\n\r\n");
    ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(folded_lines_go_with_their_field)
{
    int n;
    ck_assert_str_eq(strip("HTTP/1.1 200 OK\r\nX-FLASH: warning\r\n  folded: x\r\n"
                           "\tmore\r\nA: 1\r\n folded a\r\n\r\n", &n),
                     "HTTP/1.1 200 OK\r\nA: 1\r\n folded a\r\n\r\n");
    ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(space_before_colon_and_bare_lf)
{
    int n;
    /* some clients read "X-Flash :" as X-Flash: it goes too */
    ck_assert_str_eq(strip("HTTP/1.0 302 Found\nX-Flash \t: info: x\nLocation: /\n\n", &n),
                     "HTTP/1.0 302 Found\nLocation: /\n\n");
    ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(nothing_of_ours_is_byte_exact)
{
    int n;
    const char *in = "HTTP/1.1 200 OK\r\nA: 1\r\nX-Flash\r\n: no\r\nB\r\n\r\n";
    ck_assert_str_eq(strip(in, &n), in);
    ck_assert_int_eq(n, 0);
    /* a cut block (no blank line yet, no final line end) */
    ck_assert_str_eq(strip("HTTP/1.1 200 OK\r\nX-Flash: a\r\nB: 2", &n),
                     "HTTP/1.1 200 OK\r\nB: 2");
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(strip("X-Flash: first line", &n), "");
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(strip("", &n), "");
    ck_assert_int_eq(n, 0);
}
END_TEST

Suite *raw_header_suite(void)
{
    Suite *s = suite_create("raw_header");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, end_of_block);
    tcase_add_test(tc, removes_our_fields_only);
    tcase_add_test(tc, folded_lines_go_with_their_field);
    tcase_add_test(tc, space_before_colon_and_bare_lf);
    tcase_add_test(tc, nothing_of_ours_is_byte_exact);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * test_fallback.c - how fallback storage splits messages between the cookie
 * (oldest that fit) and the session (the rest), the "continued" marker,
 * and the order after loading from both.
 *
 * Expected counts are derived by hand from the documented format, not from
 * the code: value = "s1." B64(payload) "." B64(mac32) = 47 + ceil(4p/3)
 * bytes, payload p = 7 (version, flags, 5-byte t0) + per message 3 (level,
 * delta, tags length) + length varint (1 byte below 128, else 2) + text.
 */
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "message_list.h"
#include "../../common/fixtures.h"

#define T0 1700000000

/* n messages of size bytes each, all created at T0. */
static fm_message *msgs_of(int n, int size)
{
    return fx_msgs_uniform(ut_pool, n, (apr_size_t)size, T0, 0);
}

static const fm_keyring *keyring(void)
{
    return fx_keyring(ut_pool, FX_SECRET_A, NULL);
}

static fm_codec_opts opts(void)
{
    return fx_opts(FX_COOKIE_NAME, 0, 86400);
}

START_TEST(split_table)
{
    /* {n, size, messages kept in a 2048-byte cookie (oldest first)} */
    static const int table[][3] = {
        {1, 100, 1}, {4, 100, 4}, {5, 100, 5}, {8, 100, 8},   /* Django: 5 x 100 all in cookie */
        {1, 300, 1}, {4, 300, 4}, {5, 300, 4}, {8, 300, 4},   /* Django: 4 + 1 split */
        {1, 400, 1}, {4, 400, 3}, {5, 400, 3}, {8, 400, 3},
        {1, 5000, 0}, {4, 5000, 0}, {5, 5000, 0}, {8, 5000, 0}, /* Django: 1 x 5000 all in session */
    };
    fm_codec_opts o = opts();
    unsigned i;
    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        fm_message *m = msgs_of(table[i][0], table[i][1]);
        int k = fm_cookie_fit(&o, m, table[i][0], 2048, 0);
        ck_assert_msg(k == table[i][2], "%d x %d bytes: %d in cookie, want %d",
                      table[i][0], table[i][1], k, table[i][2]);
        /* the length the split relied on is the real one */
        if (k > 0)
            ck_assert_uint_le(strlen(fm_cookie_encode(ut_pool, keyring(), &o, m, k,
                                                      FM_COOKIE_CONTINUED, T0)),
                              2048);
    }
}
END_TEST

START_TEST(oldest_kept_for_fallback_newest_for_cookie)
{
    fm_codec_opts o = opts();
    fm_message *m = msgs_of(8, 400);
    /* fallback keeps msgs[0..3) in the cookie; cookie storage keeps [5..8) */
    ck_assert_int_eq(fm_cookie_fit(&o, m, 8, 2048, 0), 3);
    ck_assert_int_eq(fm_cookie_fit(&o, m, 8, 2048, 1), 3);
    m[7].text = "short";   /* the newest is small: more of the newest fit */
    ck_assert_int_eq(fm_cookie_fit(&o, m, 8, 2048, 1), 4);
    ck_assert_int_eq(fm_cookie_fit(&o, m, 8, 2048, 0), 3);
}
END_TEST

START_TEST(continued_marker_round_trip)
{
    const fm_keyring *kr = keyring();
    fm_codec_opts o = opts();
    fm_message *m = msgs_of(2, 10);
    apr_array_header_t *out = apr_array_make(ut_pool, 2, sizeof(fm_message));
    unsigned flags = 0;
    int expired, key;
    const char *v;

    v = fm_cookie_encode(ut_pool, kr, &o, m, 2, FM_COOKIE_CONTINUED, T0);
    ck_assert_int_eq(fm_cookie_decode(ut_pool, kr, &o, v, strlen(v), T0, out,
                                      &flags, &expired, &key), FM_DECODE_OK);
    ck_assert_uint_eq(flags & FM_COOKIE_CONTINUED, FM_COOKIE_CONTINUED);
    ck_assert_int_eq(out->nelts, 2);
    /* a cookie with no messages, only the marker (everything in the session) */
    out->nelts = 0;
    v = fm_cookie_encode(ut_pool, kr, &o, m, 0, FM_COOKIE_CONTINUED, T0);
    ck_assert_int_eq(fm_cookie_decode(ut_pool, kr, &o, v, strlen(v), T0, out,
                                      &flags, &expired, &key), FM_DECODE_OK);
    ck_assert_uint_eq(flags, FM_COOKIE_CONTINUED);
    ck_assert_int_eq(out->nelts, 0);
}
END_TEST

START_TEST(loading_order_across_storages)
{
    /* cookie part then session part, possibly interleaved after a partial
     * failure: loading sorts them oldest first, stable for equal times */
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    fm_list_add(l, 0, FM_INFO, "c1", "", 100);
    fm_list_add(l, 0, FM_INFO, "c2", "", 300);
    fm_list_add(l, 0, FM_INFO, "s1", "", 200);
    fm_list_add(l, 0, FM_INFO, "s2", "", 300);
    fm_list_add(l, 0, FM_INFO, "s3", "", 400);
    fm_list_sort_by_age(l);
    ck_assert_str_eq(APR_ARRAY_IDX(l, 0, fm_message).text, "c1");
    ck_assert_str_eq(APR_ARRAY_IDX(l, 1, fm_message).text, "s1");
    ck_assert_str_eq(APR_ARRAY_IDX(l, 2, fm_message).text, "c2");
    ck_assert_str_eq(APR_ARRAY_IDX(l, 3, fm_message).text, "s2");
    ck_assert_str_eq(APR_ARRAY_IDX(l, 4, fm_message).text, "s3");
}
END_TEST

Suite *fallback_suite(void)
{
    Suite *s = suite_create("fallback");
    TCase *tc = tcase_create("fallback");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, split_table);
    tcase_add_test(tc, oldest_kept_for_fallback_newest_for_cookie);
    tcase_add_test(tc, continued_marker_round_trip);
    tcase_add_test(tc, loading_order_across_storages);
    suite_add_tcase(s, tc);
    return s;
}

/* test_json.c - the JSON encoding of messages. */
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "json.h"
#include "../../common/fixtures.h"

START_TEST(quote_escapes)
{
    ck_assert_str_eq(fm_json_quote(ut_pool, ""), "\"\"");
    ck_assert_str_eq(fm_json_quote(ut_pool, "plain text"), "\"plain text\"");
    ck_assert_str_eq(fm_json_quote(ut_pool, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    ck_assert_str_eq(fm_json_quote(ut_pool, "\t\n\x01\x7f"),
                     "\"\\u0009\\u000a\\u0001\\u007f\"");
    ck_assert_str_eq(fm_json_quote(ut_pool, "</script><b>&'"),
                     "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u0027\"");
}
END_TEST

START_TEST(quote_non_ascii)
{
    ck_assert_str_eq(fm_json_quote(ut_pool, "Gr\xc3\xbc\xc3\x9f" "e"),
                     "\"Gr\\u00fc\\u00dfe\"");
    ck_assert_str_eq(fm_json_quote(ut_pool, "\xe6\x9d\xb1"), "\"\\u6771\"");
    /* U+1F600 as a surrogate pair */
    ck_assert_str_eq(fm_json_quote(ut_pool, "\xf0\x9f\x98\x80"),
                     "\"\\ud83d\\ude00\"");
    /* invalid UTF-8 never passes through raw */
    ck_assert_str_eq(fm_json_quote(ut_pool, "a\xff" "b\xc3"),
                     "\"a\\ufffdb\\ufffd\"");
    ck_assert_str_eq(fm_json_quote(ut_pool, "\xed\xa0\x80"),
                     "\"\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(output_is_ascii)
{
    char s[256];
    const char *q;
    int i;
    for (i = 0; i < 255; i++)
        s[i] = (char)(i + 1);
    s[255] = 0;
    q = fm_json_quote(ut_pool, s);
    for (; *q; q++)
        ck_assert((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f);
}
END_TEST

START_TEST(messages_object)
{
    fm_levels *lv = fm_levels_make(ut_pool);
    fm_tagmap *tm = fm_tagmap_make(ut_pool);
    fm_message m[2];
    fm_tagmap_set(tm, FM_ERROR, "danger");
    m[0] = fx_msg(FM_SUCCESS, "Saved", "", 0);
    m[1] = fx_msg(FM_ERROR, "Bad \"x\"", "sticky", 0);
    ck_assert_str_eq(fm_json_messages(ut_pool, lv, tm, m, 2),
        "{\"messages\":[{\"level\":25,\"level_tag\":\"success\",\"tags\":\"success\","
        "\"extra_tags\":\"\",\"message\":\"Saved\"},{\"level\":40,\"level_tag\":"
        "\"danger\",\"tags\":\"sticky danger\",\"extra_tags\":\"sticky\","
        "\"message\":\"Bad \\\"x\\\"\"}]}");
    ck_assert_str_eq(fm_json_messages(ut_pool, lv, tm, NULL, 0), "{\"messages\":[]}");
}
END_TEST

Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, quote_escapes);
    tcase_add_test(tc, quote_non_ascii);
    tcase_add_test(tc, output_is_ascii);
    tcase_add_test(tc, messages_object);
    suite_add_tcase(s, tc);
    return s;
}

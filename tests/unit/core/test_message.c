/* test_message.c - levels, threshold and tags (ported from Django's tables). */
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "message.h"
#include "../../common/fixtures.h"

/* Django's add_level_messages(): six messages, one at custom level 29. */
static void add_django_messages(apr_array_header_t *l, int min)
{
    fm_list_add(l, min, FM_INFO, "A generic info message", "", 0);
    fm_list_add(l, min, 29, "Some custom level", "", 0);
    fm_list_add(l, min, FM_DEBUG, "A debugging message", "extra-tag", 0);
    fm_list_add(l, min, FM_WARNING, "A warning", "", 0);
    fm_list_add(l, min, FM_ERROR, "An error", "", 0);
    fm_list_add(l, min, FM_SUCCESS, "This was a triumph.", "", 0);
}

START_TEST(threshold_default_keeps_five)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    add_django_messages(l, FM_INFO);
    ck_assert_int_eq(l->nelts, 5);
}
END_TEST

START_TEST(threshold_low_keeps_six)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    add_django_messages(l, 5);
    ck_assert_int_eq(l->nelts, 6);
}
END_TEST

START_TEST(threshold_warning_keeps_two)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    add_django_messages(l, FM_WARNING);
    ck_assert_int_eq(l->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(l, 0, fm_message).text, "A warning");
    ck_assert_str_eq(APR_ARRAY_IDX(l, 1, fm_message).text, "An error");
}
END_TEST

START_TEST(empty_text_ignored)
{
    apr_array_header_t *l = apr_array_make(ut_pool, 8, sizeof(fm_message));
    ck_assert_int_eq(fm_list_add(l, 0, FM_INFO, "", "", 0), 0);
    ck_assert_int_eq(fm_list_add(l, 0, FM_INFO, NULL, "", 0), 0);
    ck_assert_int_eq(l->nelts, 0);
}
END_TEST

static const char *tags_of(const fm_levels *lv, const fm_tagmap *tm,
                           int level, const char *extra)
{
    fm_message m = fx_msg(level, "x", extra, 0);
    return fm_message_tags(ut_pool, lv, tm, &m);
}

START_TEST(tags_default)
{
    /* Django: ['info', '', 'extra-tag debug', 'warning', 'error', 'success'] */
    fm_levels *lv = fm_levels_make(ut_pool);
    ck_assert_str_eq(tags_of(lv, NULL, FM_INFO, ""), "info");
    ck_assert_str_eq(tags_of(lv, NULL, 29, ""), "");
    ck_assert_str_eq(tags_of(lv, NULL, FM_DEBUG, "extra-tag"), "extra-tag debug");
    ck_assert_str_eq(tags_of(lv, NULL, FM_WARNING, ""), "warning");
    ck_assert_str_eq(tags_of(lv, NULL, FM_ERROR, ""), "error");
    ck_assert_str_eq(tags_of(lv, NULL, FM_SUCCESS, ""), "success");
}
END_TEST

START_TEST(tags_custom_map)
{
    /* Django MESSAGE_TAGS {INFO:'info', DEBUG:'', WARNING:'', ERROR:'bad', 29:'custom'}
     * -> ['info', 'custom', 'extra-tag', '', 'bad', 'success'] */
    fm_levels *lv = fm_levels_make(ut_pool);
    fm_tagmap *tm = fm_tagmap_make(ut_pool);
    fm_tagmap_set(tm, FM_INFO, "info");
    fm_tagmap_set(tm, FM_DEBUG, "");
    fm_tagmap_set(tm, FM_WARNING, "");
    fm_tagmap_set(tm, FM_ERROR, "bad");
    fm_tagmap_set(tm, 29, "custom");
    ck_assert_str_eq(tags_of(lv, tm, FM_INFO, ""), "info");
    ck_assert_str_eq(tags_of(lv, tm, 29, ""), "custom");
    ck_assert_str_eq(tags_of(lv, tm, FM_DEBUG, "extra-tag"), "extra-tag");
    ck_assert_str_eq(tags_of(lv, tm, FM_WARNING, ""), "");
    ck_assert_str_eq(tags_of(lv, tm, FM_ERROR, ""), "bad");
    ck_assert_str_eq(tags_of(lv, tm, FM_SUCCESS, ""), "success");
}
END_TEST

START_TEST(tagmap_merge_child_wins)
{
    fm_levels *lv = fm_levels_make(ut_pool);
    fm_tagmap *a = fm_tagmap_make(ut_pool), *b = fm_tagmap_make(ut_pool), *m;
    fm_tagmap_set(a, FM_ERROR, "danger");
    fm_tagmap_set(a, FM_INFO, "blue");
    fm_tagmap_set(b, FM_ERROR, "red");
    m = fm_tagmap_merge(ut_pool, a, b);
    ck_assert_str_eq(fm_level_tag(lv, m, FM_ERROR), "red");
    ck_assert_str_eq(fm_level_tag(lv, m, FM_INFO), "blue");
    ck_assert_str_eq(fm_level_tag(lv, m, FM_WARNING), "warning");
}
END_TEST

START_TEST(levels_parse_builtin_and_int)
{
    fm_levels *lv = fm_levels_make(ut_pool);
    int v = -1;
    ck_assert_int_eq(fm_levels_parse(lv, "SUCCESS", 7, &v), 0);
    ck_assert_int_eq(v, 25);
    ck_assert_int_eq(fm_levels_parse(lv, "Warning", 7, &v), 0);
    ck_assert_int_eq(v, 30);
    ck_assert_int_eq(fm_levels_parse(lv, "42", 2, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(fm_levels_parse(lv, "infox", 5, &v), -1);
    ck_assert_int_eq(fm_levels_parse(lv, "info", 3, &v), -1);   /* "inf" */
    ck_assert_int_eq(fm_levels_parse(lv, "", 0, &v), -1);
    ck_assert_int_eq(fm_levels_parse(lv, "99999999999", 11, &v), -1);
    ck_assert_int_eq(fm_levels_parse(lv, "2147483648", 10, &v), -1);
    ck_assert_int_eq(fm_levels_parse(lv, "2147483647", 10, &v), 0);
    ck_assert_int_eq(fm_levels_parse(lv, "12a", 3, &v), -1);
}
END_TEST

START_TEST(levels_custom)
{
    fm_levels *lv = fm_levels_make(ut_pool), *child, *m;
    int v = 0;
    ck_assert_ptr_null(fm_levels_define(lv, ut_pool, "Critical", "50"));
    ck_assert_int_eq(fm_levels_parse(lv, "CRITICAL", 8, &v), 0);
    ck_assert_int_eq(v, 50);
    ck_assert_str_eq(fm_levels_name(lv, 50), "critical");
    ck_assert_ptr_null(fm_levels_name(lv, 51));
    ck_assert_ptr_nonnull(fm_levels_define(lv, ut_pool, "error", "41"));
    ck_assert_ptr_nonnull(fm_levels_define(lv, ut_pool, "1abc", "41"));
    ck_assert_ptr_nonnull(fm_levels_define(lv, ut_pool, "bad name", "41"));
    ck_assert_ptr_nonnull(fm_levels_define(lv, ut_pool, "ok", "-1"));
    ck_assert_ptr_nonnull(fm_levels_define(lv, ut_pool, "ok", "x"));
    ck_assert_ptr_nonnull(fm_levels_define(lv, ut_pool, "ok", "99999999999"));
    child = fm_levels_make(ut_pool);
    ck_assert_ptr_null(fm_levels_define(child, ut_pool, "critical", "60"));
    m = fm_levels_merge(ut_pool, lv, child);
    ck_assert_int_eq(fm_levels_parse(m, "critical", 8, &v), 0);
    ck_assert_int_eq(v, 60);
    ck_assert_str_eq(fm_level_tag(m, NULL, 60), "critical");
    ck_assert_str_eq(fm_level_tag(m, NULL, 25), "success");
}
END_TEST

START_TEST(utf8_validation)
{
    ck_assert(fm_text_valid("Gr\xc3\xbc\xc3\x9f" "e", 7));
    ck_assert(fm_text_valid("tab\there", 8));
    ck_assert(fm_text_valid("\xf0\x9f\x98\x80", 4));
    ck_assert(!fm_text_valid("a\nb", 3));
    ck_assert(!fm_text_valid("a\rb", 3));
    ck_assert(!fm_text_valid("a\0b", 3));
    ck_assert(!fm_text_valid("a\x7f", 2));
    ck_assert(!fm_text_valid("\xc3", 1));             /* truncated */
    ck_assert(!fm_text_valid("\xc0\xaf", 2));         /* overlong */
    ck_assert(!fm_text_valid("\xe0\x80\xaf", 3));     /* overlong */
    ck_assert(!fm_text_valid("\xed\xa0\x80", 3));     /* surrogate */
    ck_assert(!fm_text_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    ck_assert(!fm_text_valid("\xff", 1));
    ck_assert(!fm_text_valid("\x80", 1));
}
END_TEST

/* C1 controls (U+0080..U+009F) are refused like C0 ones: NEL (U+0085) is a
 * line break to some readers, the others mean nothing in text shown to a
 * user.  Their neighbours and the bidi formatting characters stay text: the
 * default markup isolates each message (dir="auto"). */
START_TEST(c1_controls_refused)
{
    ck_assert(!fm_text_valid("a\xc2\x85" "b", 4));   /* NEL */
    ck_assert(!fm_text_valid("\xc2\x80", 2));
    ck_assert(!fm_text_valid("x\xc2\x9f", 3));
    ck_assert(!fm_text_valid("\xc2\x9b" "31m", 5));  /* CSI */
    ck_assert(fm_text_valid("\xc2\xa0", 2));          /* NBSP */
    ck_assert(fm_text_valid("\xe2\x80\xae" "gnp.exe\xe2\x80\xac", 13));
    ck_assert(fm_text_valid("\xe2\x81\xa8" "name\xe2\x81\xa9", 10));
    ck_assert(fm_text_valid("\xe2\x80\x8f\xd8\x9c", 5));
    /* a cookie, a header or a directive: one rule, one function */
    ck_assert(fm_utf8_valid("a\xc2\x85" "b", 4));     /* UTF-8, as such */
}
END_TEST

/* Text is checked eight bytes at a time where it is printable ASCII: every
 * byte value, at every place of a 24-byte text, gets the byte-by-byte
 * answer (a lone byte of 0x80 and above is not UTF-8). */
START_TEST(every_byte_at_every_place)
{
    char buf[24];
    int b;
    apr_size_t at;
    for (b = 0; b < 256; b++)
        for (at = 0; at < sizeof(buf); at++) {
            int ok = b == '\t' || (b >= 0x20 && b < 0x7F);
            memset(buf, 'x', sizeof(buf));
            buf[at] = (char)b;
            ck_assert_int_eq(fm_text_valid(buf, sizeof(buf)), ok);
            ck_assert_int_eq(fm_utf8_valid(buf, sizeof(buf)), b < 0x80);
        }
}
END_TEST

Suite *message_suite(void)
{
    Suite *s = suite_create("message");
    TCase *tc = tcase_create("message");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, threshold_default_keeps_five);
    tcase_add_test(tc, threshold_low_keeps_six);
    tcase_add_test(tc, threshold_warning_keeps_two);
    tcase_add_test(tc, empty_text_ignored);
    tcase_add_test(tc, tags_default);
    tcase_add_test(tc, tags_custom_map);
    tcase_add_test(tc, tagmap_merge_child_wins);
    tcase_add_test(tc, levels_parse_builtin_and_int);
    tcase_add_test(tc, levels_custom);
    tcase_add_test(tc, utf8_validation);
    tcase_add_test(tc, c1_controls_refused);
    tcase_add_test(tc, every_byte_at_every_place);
    suite_add_tcase(s, tc);
    return s;
}

/* test_htmx_trigger.c - our htmx event merged into a backend's HX-Trigger. */
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "unit.h"
#include "htmx_trigger.h"

#define DETAIL "{\"messages\":[]}"
#define OURS "\"flashmsg\":" DETAIL

static int replaced;

static const char *merge_n(const char *const *fields, int n)
{
    replaced = -1;
    return fm_json_trigger_merge(ut_pool, fields, n, "flashmsg", DETAIL,
                                 &replaced);
}

static const char *merge1(const char *value)
{
    return merge_n(&value, 1);
}

#define MERGED(value, members) \
    ck_assert_str_eq(merge1(value), "{" members OURS "}")
#define UNUSABLE(value) ck_assert_ptr_null(merge1(value))

START_TEST(trigger_nothing)
{
    ck_assert_str_eq(merge_n(NULL, 0), "{" OURS "}");
    ck_assert_int_eq(replaced, 0);
    MERGED("", "");
    MERGED("   \t ", "");
    MERGED(",", "");
    MERGED(" , ,\t, ", "");
    MERGED("{}", "");
    MERGED(" {  } ", "");
    MERGED("{\t}", "");
    MERGED("{}, {}", "");
    ck_assert_int_eq(replaced, 0);
}
END_TEST

START_TEST(trigger_names_quoted)
{
    MERGED("a\"b, c", "\"a\\\"b\":\"\",\"c\":\"\",");
    /* no member smuggled in: the comma splits, the rest is a name */
    MERGED("x\":{\"evil\":1},\"y",
           "\"x\\\":{\\\"evil\\\":1}\":\"\",\"\\\"y\":\"\",");
    MERGED("a\\b, \\", "\"a\\\\b\":\"\",\"\\\\\":\"\",");
    MERGED("<b>&'x", "\"\\u003cb\\u003e\\u0026\\u0027x\":\"\",");
    MERGED("}{, ]", "\"}{\":\"\",\"]\":\"\",");
    MERGED("\"quoted\"", "\"\\\"quoted\\\"\":\"\",");
}
END_TEST

START_TEST(trigger_names_split_on_commas)
{
    /* htmx splits on "," and trims; spaces inside a name stay */
    MERGED("closeModal, refresh", "\"closeModal\":\"\",\"refresh\":\"\",");
    MERGED("  close Modal ,refresh\t,", "\"close Modal\":\"\",\"refresh\":\"\",");
    MERGED("a,,b, ,c", "\"a\":\"\",\"b\":\"\",\"c\":\"\",");
    MERGED("a\tb", "\"a\\u0009b\":\"\",");
    MERGED("a b c", "\"a b c\":\"\",");
}
END_TEST

START_TEST(trigger_names_must_be_printable_ascii)
{
    UNUSABLE("a\x01" "b");
    UNUSABLE("ok, a\x7f");
    UNUSABLE("caf\xc3\xa9");          /* htmx would see Latin-1 bytes */
    UNUSABLE("a\nb");
    UNUSABLE("a\rb");
    UNUSABLE("\xff");
}
END_TEST

START_TEST(trigger_object_members)
{
    MERGED("{\"a\":1, \"b\" : [1,{\"c\":\"}\"}] }",
           "\"a\":1,\"b\":[1,{\"c\":\"}\"}],");
    /* names and values exactly as written, escapes included */
    MERGED("{\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\":\"v\\u00e9\\ud83d\\ude00\"}",
           "\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\":\"v\\u00e9\\ud83d\\ude00\",");
    MERGED("{\"t\":true,\"f\":false,\"n\":null,\"x\":-0.5E+10,\"z\":0,\"e\":1e5}",
           "\"t\":true,\"f\":false,\"n\":null,\"x\":-0.5E+10,\"z\":0,\"e\":1e5,");
    MERGED("{\"o\":{ \"a\" : [ ] , \"b\":{}}}", "\"o\":{ \"a\" : [ ] , \"b\":{}},");
    /* raw UTF-8 inside strings is valid JSON: kept */
    MERGED("{\"caf\xc3\xa9\":\"\xf0\x9f\x98\x80\"}",
           "\"caf\xc3\xa9\":\"\xf0\x9f\x98\x80\",");
    MERGED("{\"\":1}", "\"\":1,");
}
END_TEST

START_TEST(trigger_several_fields)
{
    const char *f[] = { "{\"a\":1}", "b", "{\"c\":[]}, d", "" };
    ck_assert_str_eq(merge_n(f, 4),
                     "{\"a\":1,\"b\":\"\",\"c\":[],\"d\":\"\"," OURS "}");
    /* joined by httpd: object, names, object */
    MERGED("{\"a\":{\"n\":1}}, b, c, {\"d\":2}",
           "\"a\":{\"n\":1},\"b\":\"\",\"c\":\"\",\"d\":2,");
    MERGED("b, {\"a\":1}", "\"b\":\"\",\"a\":1,");
    {
        const char *bad[] = { "a", "{" };
        ck_assert_ptr_null(merge_n(bad, 2));
    }
}
END_TEST

START_TEST(trigger_repeated_names)
{
    /* first place, later value; names compare decoded */
    MERGED("{\"a\":1,\"b\":2,\"a\":3}", "\"a\":3,\"b\":2,");
    MERGED("a, {\"a\":1}", "\"a\":1,");
    MERGED("{\"\\u0061\":1}, a", "\"\\u0061\":\"\",");
    MERGED("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "\"\\ud83d\\ude00\":2,");
    /* different names stay apart: lone surrogates, NUL inside a name */
    MERGED("{\"\\ud800\":1,\"\\udc00\":2,\"\\ud800x\":3}",
           "\"\\ud800\":1,\"\\udc00\":2,\"\\ud800x\":3,");
    MERGED("{\"a\\u0000b\":1,\"a\":2,\"\\u0000\":3,\"\":4}",
           "\"a\\u0000b\":1,\"a\":2,\"\\u0000\":3,\"\":4,");
}
END_TEST

START_TEST(trigger_our_event_replaces)
{
    MERGED("{\"flashmsg\":\"theirs\",\"o\":1}", "\"o\":1,");
    ck_assert_int_eq(replaced, 1);
    MERGED("{\"flash\\u006dsg\":1}", "");
    ck_assert_int_eq(replaced, 1);
    MERGED("flashmsg, o", "\"o\":\"\",");
    ck_assert_int_eq(replaced, 1);
    MERGED("{\"flashmsgx\":1}, Flashmsg", "\"flashmsgx\":1,\"Flashmsg\":\"\",");
    ck_assert_int_eq(replaced, 0);
}
END_TEST

START_TEST(trigger_unusable_json)
{
    static const char *const bad[] = {
        "{", "{\"a\":1", "{\"a\":1}}", "{\"a\":1} x", "{\"a\":1}{\"b\":2}",
        "{\"a\"}", "{\"a\":}", "{a:1}", "{'a':1}", "{\"a\":1,}", "{,}",
        "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":[}", "{\"a\":{]}",
        "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":.5}",
        "{\"a\":+1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":True}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
        "{\"a\":\"\\\"}", "{\"a\":\"raw\x01" "ctl\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xe2\x82\"}", "{\"a\x01\":1}", "{\"a\":1}, {", "b, {x",
        "{not json}", "{\"a\":1};", "{\"a\":\"}", "{\"a\":'x'}",
        "{\"a\":1}\n", "{\n\"a\":1}\x7f",
    };
    apr_size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(merge1(bad[i]) == NULL, "accepted: %s", bad[i]);
    /* JSON whitespace inside the object is fine, even LF and CR */
    MERGED("{\n\"a\"\r:\t1 }", "\"a\":1,");
}
END_TEST

START_TEST(trigger_depth_limit)
{
    /* the object is level 1: 63 arrays inside reach level 64 */
    char *ok = apr_pstrcat(ut_pool, "{\"a\":", apr_psprintf(ut_pool, "%63s", ""),
                           apr_psprintf(ut_pool, "%63s", ""), "}", NULL);
    char *deep = apr_pstrcat(ut_pool, "{\"a\":", apr_psprintf(ut_pool, "%64s", ""),
                             apr_psprintf(ut_pool, "%64s", ""), "}", NULL);
    memset(ok + 5, '[', 63);
    memset(ok + 5 + 63, ']', 63);
    memset(deep + 5, '[', 64);
    memset(deep + 5 + 64, ']', 64);
    ck_assert_ptr_nonnull(merge1(ok));
    ck_assert_ptr_null(merge1(deep));
    /* deeply unbalanced input fails cleanly */
    {
        char *open = apr_palloc(ut_pool, 100001);
        memset(open, '[', 100000);
        open[0] = '{';
        open[100000] = '\0';
        ck_assert_ptr_null(merge1(open));
    }
}
END_TEST

START_TEST(trigger_huge_values)
{
    apr_array_header_t *names = apr_array_make(ut_pool, 20000, sizeof(char *));
    char *big = apr_palloc(ut_pool, 1000001);
    const char *out;
    int i;
    for (i = 0; i < 20000; i++)
        APR_ARRAY_PUSH(names, char *) = apr_psprintf(ut_pool, "n%d", i);
    out = merge1(apr_array_pstrcat(ut_pool, names, ','));
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(strstr(out, "{\"n0\":\"\",\"n1\":\"\","));
    ck_assert_ptr_nonnull(strstr(out, ",\"n19999\":\"\"," OURS "}"));
    memset(big, 'x', 1000000);
    big[1000000] = '\0';
    out = merge1(apr_pstrcat(ut_pool, "{\"big\":\"", big, "\"}", NULL));
    ck_assert_int_eq(strlen(out), 1000000 + strlen("{\"big\":\"\"," OURS "}"));
    ck_assert_int_eq(strlen(merge1(big)), 1000000 + strlen("{\"\":\"\"," OURS "}"));
}
END_TEST

Suite *htmx_trigger_suite(void)
{
    Suite *s = suite_create("htmx_trigger");
    TCase *tc = tcase_create("htmx_trigger");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, trigger_nothing);
    tcase_add_test(tc, trigger_names_quoted);
    tcase_add_test(tc, trigger_names_split_on_commas);
    tcase_add_test(tc, trigger_names_must_be_printable_ascii);
    tcase_add_test(tc, trigger_object_members);
    tcase_add_test(tc, trigger_several_fields);
    tcase_add_test(tc, trigger_repeated_names);
    tcase_add_test(tc, trigger_our_event_replaces);
    tcase_add_test(tc, trigger_unusable_json);
    tcase_add_test(tc, trigger_depth_limit);
    tcase_add_test(tc, trigger_huge_values);
    suite_add_tcase(s, tc);
    return s;
}

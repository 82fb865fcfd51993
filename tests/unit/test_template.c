/* test_template.c - template compile errors, rendering and escaping. */
#include <string.h>
#include <apr_strings.h>
#include "unit.h"
#include "template.h"
#include "../common/fixtures.h"

static const char *render(const fm_template *t, const fm_message *m, int n)
{
    apr_size_t len;
    char *s = fm_template_render(ut_pool, t, fm_levels_make(ut_pool), NULL,
                                 m, n, 0, &len);
    ck_assert_uint_eq(len, strlen(s));
    return s;
}

START_TEST(default_markup_is_djangos)
{
    fm_template *t;
    fm_message m[2];
    m[0] = fx_msg(FM_SUCCESS, "Saved", "", 0);
    m[1] = fx_msg(FM_DEBUG, "Dbg", "extra-tag", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, FM_DEFAULT_ITEM,
                                           FM_DEFAULT_WRAPPER, &t));
    ck_assert_str_eq(render(t, m, 2),
                     "<ul class=\"messages\"><li class=\"success\">Saved</li>"
                     "<li class=\"extra-tag debug\">Dbg</li></ul>");
}
END_TEST

START_TEST(all_variables)
{
    fm_template *t;
    fm_message m = fx_msg(FM_WARNING, "W", "a b", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool,
        "[%{message}|%{level}|%{level_tag}|%{tags}|%{extra_tags}]",
        "<%{count}>%{items}<%{items}>", &t));
    ck_assert_str_eq(render(t, &m, 1),
                     "<1>[W|30|warning|a b warning|a b]<[W|30|warning|a b warning|a b]>");
}
END_TEST

START_TEST(escaping)
{
    fm_template *t;
    fm_message m = fx_msg(FM_INFO, "<script>alert('x')&\"</script>",
                          "\"><img", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, FM_DEFAULT_ITEM, NULL, &t));
    ck_assert_str_eq(render(t, &m, 1),
        "<li class=\"&quot;&gt;&lt;img info\">&lt;script&gt;alert(&#x27;x&#x27;)"
        "&amp;&quot;&lt;/script&gt;</li>");
    ck_assert_str_eq(fm_html_escape(ut_pool, "plain"), "plain");
    ck_assert_str_eq(fm_html_escape(ut_pool, ""), "");
}
END_TEST

START_TEST(placeholder_text_in_message_is_inert)
{
    fm_template *t;
    fm_message m = fx_msg(FM_INFO, "<!--FLASH_MESSAGES-->", "", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, "%{message}", NULL, &t));
    ck_assert_str_eq(render(t, &m, 1), "&lt;!--FLASH_MESSAGES--&gt;");
}
END_TEST

START_TEST(percent_literals)
{
    fm_template *t;
    fm_message m = fx_msg(FM_INFO, "x", "", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool,
        "<p style=\"width:100%\">%%{message} %{message} 5%</p>", NULL, &t));
    ck_assert_str_eq(render(t, &m, 1),
                     "<p style=\"width:100%\">%{message} x 5%</p>");
}
END_TEST

START_TEST(compile_errors)
{
    fm_template *t;
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, "%{nope}", NULL, &t));
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, "%{message", NULL, &t));
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, "%{items}", NULL, &t));
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, "x", "<ul></ul>", &t));
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, "x", "%{message}%{items}", &t));
    ck_assert_ptr_nonnull(strstr(fm_template_compile(ut_pool, "%{mesage}", NULL, &t),
                                 "unknown variable %{mesage}"));
}
END_TEST

START_TEST(no_messages_renders_wrapper_only)
{
    fm_template *t;
    ck_assert_ptr_null(fm_template_compile(ut_pool, FM_DEFAULT_ITEM,
                                           FM_DEFAULT_WRAPPER, &t));
    ck_assert_str_eq(render(t, NULL, 0), "<ul class=\"messages\"></ul>");
}
END_TEST

START_TEST(file_text_with_markers)
{
    fm_template *t;
    fm_message m[2];
    m[0] = fx_msg(FM_ERROR, "E", "", 0);
    m[1] = fx_msg(FM_INFO, "I", "", 0);
    ck_assert_ptr_null(fm_template_compile_file_text(ut_pool,
        "<div class=\"alerts\">\n%{item}\n<p class=\"%{level_tag}\">%{message}</p>\n%{/item}\n</div>\n",
        &t));
    ck_assert_str_eq(render(t, m, 2),
        "<div class=\"alerts\">\n<p class=\"error\">E</p>\n<p class=\"info\">I</p>\n</div>\n");
    ck_assert_ptr_null(fm_template_compile_file_text(ut_pool, "<b>%{message}</b>", &t));
    ck_assert_str_eq(render(t, m, 2), "<b>E</b><b>I</b>");
    ck_assert_ptr_nonnull(fm_template_compile_file_text(ut_pool, "%{item}x", &t));
    ck_assert_ptr_nonnull(fm_template_compile_file_text(ut_pool, "x%{/item}", &t));
    ck_assert_ptr_nonnull(fm_template_compile_file_text(ut_pool,
        "%{item}a%{/item}%{item}b%{/item}", &t));
    ck_assert_ptr_nonnull(fm_template_compile_file_text(ut_pool,
        "%{item}%{nope}%{/item}", &t));
}
END_TEST

START_TEST(many_messages)
{
    fm_template *t;
    fm_message m[500];
    int i;
    const char *s;
    for (i = 0; i < 500; i++)
        m[i] = fx_msg(FM_INFO, apr_psprintf(ut_pool, "m%d", i), "", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, "%{message};", NULL, &t));
    s = render(t, m, 500);
    ck_assert(strncmp(s, "m0;m1;m2;", 9) == 0);
    ck_assert_ptr_nonnull(strstr(s, "m498;m499;"));
}
END_TEST

START_TEST(ascii_rendering_for_other_charsets)
{
    fm_template *t;
    fm_message m = fx_msg(FM_INFO, "Gr\xc3\xbc\xc3\x9f" "e \xe6\x9d\xb1 \xf0\x9f\x98\x80 <&>",
                          "t\xc3\xa9", 0);
    apr_size_t len;
    char *s;
    ck_assert_ptr_null(fm_template_compile(ut_pool, "<li class=\"%{tags}\">%{message}</li>", NULL, &t));
    s = fm_template_render(ut_pool, t, fm_levels_make(ut_pool), NULL, &m, 1,
                           FM_RENDER_ASCII, &len);
    ck_assert_str_eq(s, "<li class=\"t&#xe9; info\">Gr&#xfc;&#xdf;e &#x6771; &#x1f600; "
                        "&lt;&amp;&gt;</li>");
    ck_assert_uint_eq(len, strlen(s));
    /* without the flag the bytes stay UTF-8 */
    s = fm_template_render(ut_pool, t, fm_levels_make(ut_pool), NULL, &m, 1, 0, &len);
    ck_assert_ptr_nonnull(strstr(s, "Gr\xc3\xbc\xc3\x9f" "e"));
}
END_TEST

Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("template");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, default_markup_is_djangos);
    tcase_add_test(tc, all_variables);
    tcase_add_test(tc, escaping);
    tcase_add_test(tc, placeholder_text_in_message_is_inert);
    tcase_add_test(tc, percent_literals);
    tcase_add_test(tc, compile_errors);
    tcase_add_test(tc, no_messages_renders_wrapper_only);
    tcase_add_test(tc, file_text_with_markers);
    tcase_add_test(tc, many_messages);
    tcase_add_test(tc, ascii_rendering_for_other_charsets);
    suite_add_tcase(s, tc);
    return s;
}

/* test_header_parser.c - the X-Flash grammar, simple and structured forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_strings.h>
#include "unit.h"
#include "header_parser.h"

#define CREATED ((apr_int64_t)1700000000)
#define TEXT_INVALID "text is not valid UTF-8 or contains control characters"
#define SYNTAX "invalid structured value at byte "

static apr_array_header_t *msgs;
static const char *reason;

/*
 * Parse n bytes of v, passed in a malloc'd buffer of exactly n bytes (so
 * ASan sees any read past len) that is freed right after the call (so any
 * message pointing into the value would be a use after free).
 */
static void run(const fm_levels *lv, int min, const char *v, apr_size_t n)
{
    char *copy = malloc(n ? n : 1);
    const char *r;

    ck_assert_ptr_nonnull(copy);
    if (n)
        memcpy(copy, v, n);
    if (!lv)
        lv = fm_levels_make(ut_pool);
    msgs = apr_array_make(ut_pool, 2, sizeof(fm_message));
    reason = fm_header_parse(ut_pool, lv, min, copy, n, CREATED, msgs);
    free(copy);
    /* A reason is short printable ASCII. */
    if (reason) {
        for (r = reason; *r; r++)
            ck_assert(*r >= 0x20 && *r <= 0x7e);
        ck_assert_uint_lt(strlen(reason), 200);
    }
}

#define P(v)        run(NULL, FM_INFO, (v), strlen(v))
#define PN(v, n)    run(NULL, FM_INFO, (v), (n))
#define PMIN(v, m)  run(NULL, (m), (v), strlen(v))

#define MSG(i) APR_ARRAY_IDX(msgs, (i), fm_message)

#define ASSERT_MSG(i, lvl, txt, tg) do {                              \
        ck_assert_int_gt(msgs->nelts, (i));                           \
        ck_assert_int_eq(MSG(i).level, (lvl));                        \
        ck_assert_str_eq(MSG(i).text, (txt));                         \
        ck_assert_str_eq(MSG(i).extra_tags, (tg));                    \
        ck_assert(MSG(i).created == CREATED);                         \
    } while (0)

#define ASSERT_OK(n) do {                                             \
        ck_assert_msg(reason == NULL, "unexpected reason: %s", reason); \
        ck_assert_int_eq(msgs->nelts, (n));                           \
    } while (0)

/* An error that added nothing, with exactly this reason. */
#define ASSERT_ERR(why) do {                                          \
        ck_assert_ptr_nonnull(reason);                                \
        ck_assert_str_eq(reason, (why));                              \
        ck_assert_int_eq(msgs->nelts, 0);                             \
    } while (0)

/* A structured syntax error: nothing added. */
#define ASSERT_SYNTAX() do {                                          \
        ck_assert_ptr_nonnull(reason);                                \
        ck_assert_msg(strncmp(reason, SYNTAX, strlen(SYNTAX)) == 0,   \
                      "not a syntax error: %s", reason);              \
        ck_assert_int_eq(msgs->nelts, 0);                             \
    } while (0)

/* A structured value with unusable members: n messages added. */
#define ASSERT_SKIPPED(why, n) do {                                   \
        ck_assert_ptr_nonnull(reason);                                \
        ck_assert_str_eq(reason, (why));                              \
        ck_assert_int_eq(msgs->nelts, (n));                           \
    } while (0)

static double now_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* A string of n copies of c. */
static char *repeat(char c, apr_size_t n)
{
    char *s = apr_palloc(ut_pool, n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ------------------------------------------------------------------ */
/* Simple form                                                          */
/* ------------------------------------------------------------------ */

START_TEST(simple_builtin_levels)
{
    PMIN("debug: d", 0);
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_DEBUG, "d", "");
    P("info: i");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "i", "");
    P("success: Profile saved.");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "Profile saved.", "");
    P("warning: w");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "w", "");
    P("error: e");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_ERROR, "e", "");
}
END_TEST

START_TEST(simple_level_case_insensitive)
{
    P("SUCCESS: a");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "a", "");
    P("Warning: b");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "b", "");
    P("eRRoR: c");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_ERROR, "c", "");
}
END_TEST

START_TEST(simple_integer_level)
{
    P("35: thirty-five");
    ASSERT_OK(1);
    ASSERT_MSG(0, 35, "thirty-five", "");
    PMIN("0: zero", 0);
    ASSERT_OK(1);
    ASSERT_MSG(0, 0, "zero", "");
    P("2147483647: max");
    ASSERT_OK(1);
    ASSERT_MSG(0, 2147483647, "max", "");
}
END_TEST

START_TEST(simple_integer_level_out_of_range)
{
    P("2147483648: x");
    ASSERT_ERR("unknown level");
    P("99999999999999999999: x");
    ASSERT_ERR("unknown level");
    P("12abc: x");
    ASSERT_ERR("unknown level");
}
END_TEST

START_TEST(simple_custom_level)
{
    fm_levels *lv = fm_levels_make(ut_pool);
    ck_assert_ptr_null(fm_levels_define(lv, ut_pool, "notice", "35"));
    run(lv, FM_INFO, "Notice: custom", 14);
    ASSERT_OK(1);
    ASSERT_MSG(0, 35, "custom", "");
    /* Not known without the definition. */
    P("notice: custom");
    ASSERT_ERR("unknown level");
}
END_TEST

START_TEST(simple_extra_tags)
{
    P("warning sticky big: Disk almost full");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "Disk almost full", "sticky big");
    P("warning \t sticky   big\t : x");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "x", "sticky big");
    P("info a-b c.d/e! [x]{y}: t");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "t", "a-b c.d/e! [x]{y}");
    P("info one:two");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "two", "one");
}
END_TEST

START_TEST(simple_colon_in_text)
{
    P("info: a: b: c");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "a: b: c", "");
    P("error:Time is 12:30");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_ERROR, "Time is 12:30", "");
}
END_TEST

START_TEST(simple_whitespace_trimmed)
{
    P("  \t success : \t Saved. \t ");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "Saved.", "");
    P("info: a  \t b");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "a  \t b", "");   /* inner blanks kept */
}
END_TEST

START_TEST(simple_utf8_text)
{
    P("info: Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO,
               "Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
               "");
}
END_TEST

START_TEST(simple_invalid_utf8_text)
{
    P("info: \xc3(");
    ASSERT_ERR(TEXT_INVALID);
    P("info: \xc0\xaf");
    ASSERT_ERR(TEXT_INVALID);
    P("info: \xed\xa0\x80");
    ASSERT_ERR(TEXT_INVALID);
    P("info: abc\xc3");
    ASSERT_ERR(TEXT_INVALID);
    P("info: a\x7f");
    ASSERT_ERR(TEXT_INVALID);
}
END_TEST

START_TEST(simple_empty_text_dropped)
{
    P("success:");
    ASSERT_OK(0);
    P("success:   \t ");
    ASSERT_OK(0);
    P("warning tag :");
    ASSERT_OK(0);
}
END_TEST

START_TEST(simple_below_min_level_dropped)
{
    P("debug: hidden");
    ASSERT_OK(0);
    PMIN("info: hidden", FM_WARNING);
    ASSERT_OK(0);
    PMIN("warning: shown", FM_WARNING);
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "shown", "");
}
END_TEST

START_TEST(simple_unknown_level)
{
    P("notice: x");
    ASSERT_ERR("unknown level");
    P("a234567890123456789012345678901234567890: x");
    ASSERT_ERR("unknown level");
    P("-: x");
    ASSERT_ERR("unknown level");
}
END_TEST

START_TEST(simple_missing_colon)
{
    P("success Profile saved");
    ASSERT_ERR("missing ':' after level");
    P("success");
    ASSERT_ERR("missing ':' after level");
    P("Hello world.");
    ASSERT_ERR("missing ':' after level");
}
END_TEST

START_TEST(simple_no_level)
{
    P(": text");
    ASSERT_ERR("missing level");
    P("  : text");
    ASSERT_ERR("missing level");
    P("");
    ASSERT_ERR("empty value");
    P(" \t ");
    ASSERT_ERR("empty value");
    PN(NULL, 0);
    ASSERT_ERR("empty value");
}
END_TEST

START_TEST(simple_bad_characters)
{
    P("succ!ess: x");
    ASSERT_ERR("invalid character in level");
    P("caf\xc3\xa9: x");
    ASSERT_ERR("invalid character in level");
    P("info t\xc3\xa9g: x");
    ASSERT_ERR("invalid character in extra tags");
    P("info tag\x01: x");
    ASSERT_ERR("invalid character in extra tags");
    P("%abc: x");
    ASSERT_ERR("missing level");
    P("'info': x");
    ASSERT_ERR("missing level");
}
END_TEST

START_TEST(simple_tab_in_text_kept)
{
    P("info: a\tb");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "a\tb", "");
}
END_TEST

START_TEST(simple_len_is_respected)
{
    /* Only the first 9 bytes are the value. */
    PN("info: abcdef", 9);
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "abc", "");
    PN("info: ", 4);
    ASSERT_ERR("missing ':' after level");
}
END_TEST

START_TEST(simple_cr_lf_nul)
{
    P("info: a\r\nb");
    ASSERT_ERR(TEXT_INVALID);
    P("info: a\r");
    ASSERT_ERR(TEXT_INVALID);
    P("info: a\n");
    ASSERT_ERR(TEXT_INVALID);
    P("info\n: a");
    ASSERT_ERR("invalid character in level");
    PN("info: a\0b", 9);
    ASSERT_ERR(TEXT_INVALID);
    PN("in\0fo: a", 8);
    ASSERT_ERR("invalid character in level");
    PN("info t\0g: a", 11);
    ASSERT_ERR("invalid character in extra tags");
    PN("info: a\0", 8);
    ASSERT_ERR(TEXT_INVALID);
    PN("\0", 1);
    ASSERT_ERR("missing level");
}
END_TEST

/* httpd joins repeated fields with ", ": the first level applies to all. */
START_TEST(simple_joined_by_httpd)
{
    P("success: A, info: B");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "A, info: B", "");
    P("warning big: Disk, error: Boom, info: ok");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "Disk, error: Boom, info: ok", "big");
}
END_TEST

START_TEST(simple_64k_value)
{
    char *v = apr_pstrcat(ut_pool, "info: ", repeat('x', 65536), NULL);
    P(v);
    ASSERT_OK(1);
    ck_assert_uint_eq(strlen(MSG(0).text), 65536);
    ck_assert_str_eq(MSG(0).text, v + 6);
}
END_TEST

START_TEST(simple_1m_of_tags)
{
    apr_size_t n = 1 << 20, i;
    char *v = apr_palloc(ut_pool, n + 16);
    double t0 = now_seconds();

    memcpy(v, "info", 4);
    for (i = 4; i + 1 < n; i += 2) {
        v[i] = ' ';
        v[i + 1] = 't';
    }
    memcpy(v + i, ": x", 3);
    PN(v, i + 3);
    ASSERT_OK(1);
    ck_assert_str_eq(MSG(0).text, "x");
    ck_assert_uint_eq(strlen(MSG(0).extra_tags), i - 5);
    ck_assert_double_lt(now_seconds() - t0, 10.0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Structured form                                                      */
/* ------------------------------------------------------------------ */

START_TEST(sf_one_member)
{
    P("\"Profile saved\";level=success");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "Profile saved", "");
}
END_TEST

START_TEST(sf_spec_example)
{
    P("\"Profile saved\";level=success, \"Check your mail\";level=info;"
      "tags=\"sticky\"");
    ASSERT_OK(2);
    ASSERT_MSG(0, FM_SUCCESS, "Profile saved", "");
    ASSERT_MSG(1, FM_INFO, "Check your mail", "sticky");
}
END_TEST

START_TEST(sf_order_preserved)
{
    P("\"one\";level=error, \"two\";level=debug, \"three\", \"four\";level=30,"
      "\"five\";level=success");
    ASSERT_OK(4);
    ASSERT_MSG(0, FM_ERROR, "one", "");
    ASSERT_MSG(1, FM_INFO, "three", "");
    ASSERT_MSG(2, FM_WARNING, "four", "");
    ASSERT_MSG(3, FM_SUCCESS, "five", "");
}
END_TEST

START_TEST(sf_default_level)
{
    P("\"plain\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "plain", "");
    P("\"x\";tags=\"a\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "a");
}
END_TEST

START_TEST(sf_integer_level)
{
    P("\"x\";level=35");
    ASSERT_OK(1);
    ASSERT_MSG(0, 35, "x", "");
    PMIN("\"x\";level=0", 0);
    ASSERT_OK(1);
    ASSERT_MSG(0, 0, "x", "");
    PMIN("\"x\";level=-0", 0);
    ASSERT_OK(1);
    ASSERT_MSG(0, 0, "x", "");
    P("\"x\";level=2147483647");
    ASSERT_OK(1);
    ASSERT_MSG(0, 2147483647, "x", "");
}
END_TEST

START_TEST(sf_bad_level_values)
{
    P("\"x\";level=-5");
    ASSERT_SKIPPED("member 1: negative level", 0);
    P("\"x\";level=2147483648");
    ASSERT_SKIPPED("member 1: level out of range", 0);
    P("\"x\";level=999999999999999");
    ASSERT_SKIPPED("member 1: level out of range", 0);
    P("\"x\";level=\"success\"");
    ASSERT_SKIPPED("member 1: level is not a token or an integer", 0);
    P("\"x\";level=2.5");
    ASSERT_SKIPPED("member 1: level is not a token or an integer", 0);
    P("\"x\";level");
    ASSERT_SKIPPED("member 1: level is not a token or an integer", 0);
    P("\"x\";level=?1");
    ASSERT_SKIPPED("member 1: level is not a token or an integer", 0);
    P("\"x\";level=notice");
    ASSERT_SKIPPED("member 1: unknown level", 0);
    P("\"x\";level=info:x");
    ASSERT_SKIPPED("member 1: unknown level", 0);
}
END_TEST

START_TEST(sf_level_token_case_and_custom)
{
    fm_levels *lv = fm_levels_make(ut_pool);
    const char *v = "\"a\";level=SUCCESS, \"b\";level=Notice";
    ck_assert_ptr_null(fm_levels_define(lv, ut_pool, "notice", "35"));
    run(lv, FM_INFO, v, strlen(v));
    ASSERT_OK(2);
    ASSERT_MSG(0, FM_SUCCESS, "a", "");
    ASSERT_MSG(1, 35, "b", "");
}
END_TEST

START_TEST(sf_tags)
{
    P("\"x\";tags=\"sticky big\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "sticky big");
    P("\"x\";tags=\"  sticky   big  \"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "sticky big");
    P("\"x\";tags=\"\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "");
    P("\"x\";tags=\"a:b \\\"q\\\"\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "a:b \"q\"");
    P("\"x\";level=warning;tags=\"t\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "x", "t");
}
END_TEST

START_TEST(sf_tags_not_string)
{
    P("\"x\";tags=sticky, \"y\"");
    ASSERT_SKIPPED("member 1: tags is not a string", 1);
    ASSERT_MSG(0, FM_INFO, "y", "");
    P("\"x\";tags=%\"a\"");
    ASSERT_SKIPPED("member 1: tags is not a string", 0);
    P("\"x\";tags");
    ASSERT_SKIPPED("member 1: tags is not a string", 0);
}
END_TEST

START_TEST(sf_display_string)
{
    P("%\"Gr%c3%bc%c3%9fe\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "Gr\xc3\xbc\xc3\x9f" "e", "");
    P("%\"%e6%97%a5%e6%9c%ac %f0%9f%98%80\";level=success;tags=\"j\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
               "j");
    P("%\"100%25 done\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "100% done", "");
    P("%\"say %22hi%22 \\ ok\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "say \"hi\" \\ ok", "");
    P("%\"\"");
    ASSERT_OK(0);
}
END_TEST

START_TEST(sf_display_string_controls_unusable)
{
    P("%\"a%0ab\", \"ok\"");
    ASSERT_SKIPPED("member 1: " TEXT_INVALID, 1);
    ASSERT_MSG(0, FM_INFO, "ok", "");
    P("\"ok\", %\"a%00b\"");
    ASSERT_SKIPPED("member 2: " TEXT_INVALID, 1);
    ASSERT_MSG(0, FM_INFO, "ok", "");
    P("%\"%7f\"");
    ASSERT_SKIPPED("member 1: " TEXT_INVALID, 0);
    P("%\"a%09b\"");     /* TAB is allowed */
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "a\tb", "");
}
END_TEST

START_TEST(sf_escapes)
{
    P("\"say \\\"hi\\\" \\\\ ok\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "say \"hi\" \\ ok", "");
    P("\"\\\\\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "\\", "");
    P("\"  spaced  \"");      /* sf-string text is taken as is */
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "  spaced  ", "");
}
END_TEST

START_TEST(sf_unknown_params_ignored)
{
    P("\"x\";foo=1;bar;baz=\"q\";*k=?0;a.b-c_d*=tok;level=warning;"
      "zz=:aGVsbG8=:;d=@1659578233;e=-1.125;f=%\"%c3%a9\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "x", "");
}
END_TEST

START_TEST(sf_duplicate_param_last_wins)
{
    P("\"x\";level=error;level=success");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_SUCCESS, "x", "");
    P("\"x\";level=bogus;level=warning");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_WARNING, "x", "");
    P("\"x\";level=warning;level=bogus");
    ASSERT_SKIPPED("member 1: unknown level", 0);
    P("\"x\";tags=1;tags=\"a b\";tags=\"c\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "c");
}
END_TEST

START_TEST(sf_whitespace)
{
    P("\"a\" ,\t\"b\"  ,  \"c\"\t,\"d\"");
    ASSERT_OK(4);
    ASSERT_MSG(0, FM_INFO, "a", "");
    ASSERT_MSG(3, FM_INFO, "d", "");
    P(" \t \"a\";level=error \t ");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_ERROR, "a", "");
    P("\"a\";  level=error");          /* SP allowed after ';' */
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_ERROR, "a", "");
}
END_TEST

START_TEST(sf_whitespace_not_allowed)
{
    P("\"a\";\tlevel=error");          /* only SP after ';' */
    ASSERT_SYNTAX();
    P("\"a\" ;level=error");
    ASSERT_SYNTAX();
    P("\"a\";level =error");
    ASSERT_SYNTAX();
    P("\"a\";level= error");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(sf_joined_by_httpd)
{
    P("\"A\";level=success, \"B\";level=error");
    ASSERT_OK(2);
    ASSERT_MSG(0, FM_SUCCESS, "A", "");
    ASSERT_MSG(1, FM_ERROR, "B", "");
    /* A simple field joined after a structured one breaks the list. */
    P("\"A\";level=success, info: B");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(sf_below_min_and_empty_dropped)
{
    P("\"a\";level=debug, \"\", \"b\"");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "b", "");
}
END_TEST

START_TEST(sf_unusable_members_skipped)
{
    P("\"a\", tok, \"b\";level=nope, \"c\"");
    ASSERT_SKIPPED("member 2: not a string (and 1 more unusable members "
                   "skipped)", 2);
    ASSERT_MSG(0, FM_INFO, "a", "");
    ASSERT_MSG(1, FM_INFO, "c", "");
    P("\"a\", \"b\";level=nope");
    ASSERT_SKIPPED("member 2: unknown level", 1);
    ASSERT_MSG(0, FM_INFO, "a", "");
}
END_TEST

START_TEST(sf_non_string_members)
{
    P("\"a\", tok");
    ASSERT_SKIPPED("member 2: not a string", 1);
    ASSERT_MSG(0, FM_INFO, "a", "");
    P("\"a\", 42;level=error");
    ASSERT_SKIPPED("member 2: not a string", 1);
    P("\"a\", 4.5");
    ASSERT_SKIPPED("member 2: not a string", 1);
    P("\"a\", ?1");
    ASSERT_SKIPPED("member 2: not a string", 1);
    P("\"a\", @1659578233");
    ASSERT_SKIPPED("member 2: not a string", 1);
    P("\"a\", *star");
    ASSERT_SKIPPED("member 2: not a string", 1);
}
END_TEST

START_TEST(sf_byte_sequence_member)
{
    P("\"a\", :aGVsbG8=:");
    ASSERT_SKIPPED("member 2: not a string", 1);
    ASSERT_MSG(0, FM_INFO, "a", "");
    P("\"a\", ::");
    ASSERT_SKIPPED("member 2: not a string", 1);
    P("\"a\", :aGVsbG8:");                 /* padding may be omitted */
    ASSERT_SKIPPED("member 2: not a string", 1);
    P("\"a\", :aGVs*bG8=:");
    ASSERT_SYNTAX();
    P("\"a\", :a=b:");
    ASSERT_SYNTAX();
    P("\"a\", :aGVsbG8=");
    ASSERT_SYNTAX();
    P("\"a\", :aGVsbG8===:");
    ASSERT_SYNTAX();
    P("\"a\", :a:");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(sf_inner_list_member)
{
    P("\"a\", (\"b\" \"c\");level=error, \"d\"");
    ASSERT_SKIPPED("member 2: inner list is not a message", 2);
    ASSERT_MSG(0, FM_INFO, "a", "");
    ASSERT_MSG(1, FM_INFO, "d", "");
    P("\"a\", ()");
    ASSERT_SKIPPED("member 2: inner list is not a message", 1);
    P("\"a\", (  1;x=2   tok  );y");
    ASSERT_SKIPPED("member 2: inner list is not a message", 1);
    P("\"a\", (\"b\"");
    ASSERT_SYNTAX();
    P("\"a\", (");
    ASSERT_SYNTAX();
    P("\"a\", (\"b\"\"c\")");
    ASSERT_SYNTAX();
    P("\"a\", (\"b\",\"c\")");
    ASSERT_SYNTAX();
    P("\"a\", ((\"b\"))");
    ASSERT_SYNTAX();
    P("\"a\", (\t\"b\")");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(sf_bare_item_syntax)
{
    P("\"x\";a=123456789012345;b=-123456789012345;c=123456789012.123;"
      "d=?0;e=@-1;f=*;g=a:b/c!#$%&'*+-.^_`|~9");
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "x", "");
    P("\"x\";a=?2");
    ASSERT_SYNTAX();
    P("\"x\";a=?");
    ASSERT_SYNTAX();
    P("\"x\";a=@1.5");
    ASSERT_SYNTAX();
    P("\"x\";a=@");
    ASSERT_SYNTAX();
    P("\"x\";a=-");
    ASSERT_SYNTAX();
    P("\"x\";a=-a");
    ASSERT_SYNTAX();
    P("\"x\";a=");
    ASSERT_SYNTAX();
    P("\"x\";a=$");
    ASSERT_SYNTAX();
    P("\"x\";a=1.");
    ASSERT_SYNTAX();
    P("\"x\";a=1.2.3");
    ASSERT_SYNTAX();
    P("\"x\";a=%x");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(sf_integer_too_long)
{
    P("\"x\";level=1234567890123456");
    ASSERT_SYNTAX();
    P("\"x\", 1234567890123456");
    ASSERT_SYNTAX();
    P("\"x\";a=-1234567890123456");
    ASSERT_SYNTAX();
    P("\"x\";a=1234567890123.1");
    ASSERT_SYNTAX();
    P("\"x\";a=1.1234");
    ASSERT_SYNTAX();
    P("\"x\";a=123456789012.1234");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(sf_bad_keys)
{
    P("\"x\";Level=error");
    ASSERT_SYNTAX();
    P("\"x\";1a=2");
    ASSERT_SYNTAX();
    P("\"x\";=2");
    ASSERT_SYNTAX();
    P("\"x\";");
    ASSERT_SYNTAX();
    P("\"x\";;level=error");
    ASSERT_SYNTAX();
    P("\"x\";_a=1");
    ASSERT_SYNTAX();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile input                                                        */
/* ------------------------------------------------------------------ */

START_TEST(bad_unterminated_string)
{
    P("\"abc");
    ASSERT_SYNTAX();
    P("\"");
    ASSERT_SYNTAX();
    P("\"abc\\");
    ASSERT_SYNTAX();
    P("\"abc\\\"");
    ASSERT_SYNTAX();
    P("\"a\", \"b");
    ASSERT_SYNTAX();
    P("%\"abc");
    ASSERT_SYNTAX();
    P("%\"");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_escape)
{
    P("\"a\\nb\"");
    ASSERT_SYNTAX();
    P("\"a\\tb\"");
    ASSERT_SYNTAX();
    P("\"a\\'b\"");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_non_ascii_in_string)
{
    P("\"Gr\xc3\xbc\xc3\x9f" "e\"");
    ASSERT_SYNTAX();
    P("%\"Gr\xc3\xbc\"");
    ASSERT_SYNTAX();
    P("\"a\", \xc3\xa9");
    ASSERT_SYNTAX();
    P("\"a\t\"");
    ASSERT_SYNTAX();
    P("\"a\x7f\"");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_percent_encoding)
{
    P("%\"%zz\"");
    ASSERT_SYNTAX();
    P("%\"%C3%BC\"");
    ASSERT_SYNTAX();
    P("%\"%c3%Bc\"");
    ASSERT_SYNTAX();
    P("%\"%c\"");
    ASSERT_SYNTAX();
    P("%\"%c");
    ASSERT_SYNTAX();
    P("%\"ab%");
    ASSERT_SYNTAX();
    P("%\"%\"");
    ASSERT_SYNTAX();
    P("\"ok\", %\"%g0\"");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_display_string_utf8)
{
    P("%\"%c3%28\"");
    ASSERT_SYNTAX();
    P("%\"%c3\"");
    ASSERT_SYNTAX();
    P("%\"%ed%a0%80\"");          /* surrogate */
    ASSERT_SYNTAX();
    P("%\"%c0%af\"");             /* overlong */
    ASSERT_SYNTAX();
    P("%\"%ff\"");
    ASSERT_SYNTAX();
    P("\"ok\";x=%\"%80\"");       /* also as a parameter value */
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_list_separators)
{
    P("\"a\",");
    ASSERT_SYNTAX();
    P("\"a\", ");
    ASSERT_SYNTAX();
    P("\"a\",,\"b\"");
    ASSERT_SYNTAX();
    P("\"a\", ,\"b\"");
    ASSERT_SYNTAX();
    P("\"a\" \"b\"");
    ASSERT_SYNTAX();
    P("\"a\"x");
    ASSERT_SYNTAX();
    P("\"a\";level=error\"b\"");
    ASSERT_SYNTAX();
    P("\"a\"; \"b\"");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_syntax_error_position)
{
    P("\"a\",,\"b\"");
    ASSERT_SYNTAX();
    ck_assert_str_eq(reason, SYNTAX "4: expected an item");
    P("  \"a\" x");
    ASSERT_SYNTAX();
    ck_assert_str_eq(reason, SYNTAX "6: expected ',' after list member");
    P("\"a\",");
    ASSERT_SYNTAX();
    ck_assert_str_eq(reason, SYNTAX "4: trailing ',' in list");
}
END_TEST

START_TEST(bad_cr_lf)
{
    P("\"a\"\r\n");
    ASSERT_SYNTAX();
    P("\"a\",\r\n\"b\"");
    ASSERT_SYNTAX();
    P("\"a\r\"");
    ASSERT_SYNTAX();
    P("\"a\"\n, \"b\"");
    ASSERT_SYNTAX();
    P("%\"a\nb\"");
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(bad_nul_embedded)
{
    PN("\"a\0b\"", 5);
    ASSERT_SYNTAX();
    PN("\"a\"\0", 4);
    ASSERT_SYNTAX();
    PN("\"a\",\0\"b\"", 8);
    ASSERT_SYNTAX();
    PN("\"a\";level\0=error", 16);
    ASSERT_SYNTAX();
    PN("%\"a\0\"", 5);
    ASSERT_SYNTAX();
    PN("\"a\\\0\"", 5);
    ASSERT_SYNTAX();
    /* The value ends at len even where the buffer goes on. */
    PN("\"a\", \"b\"", 3);
    ASSERT_OK(1);
    ASSERT_MSG(0, FM_INFO, "a", "");
    PN("%\"abc\"", 1);
    ASSERT_ERR("missing level");
}
END_TEST

START_TEST(bad_reason_has_no_value_bytes)
{
    P("\"SECRET\";level=SECRETLEVEL");
    ck_assert_ptr_nonnull(reason);
    ck_assert_ptr_null(strstr(reason, "SECRET"));
    P("\"a\", SECRET\"");
    ck_assert_ptr_nonnull(reason);
    ck_assert_ptr_null(strstr(reason, "SECRET"));
    P("SECRET: \x01");
    ck_assert_ptr_nonnull(reason);
    ck_assert_ptr_null(strstr(reason, "SECRET"));
}
END_TEST

START_TEST(big_64k_value)
{
    char *v = apr_pstrcat(ut_pool, "\"", repeat('x', 65536), "\";level=error",
                          NULL);
    P(v);
    ASSERT_OK(1);
    ck_assert_int_eq(MSG(0).level, FM_ERROR);
    ck_assert_uint_eq(strlen(MSG(0).text), 65536);
    ck_assert_str_eq(MSG(0).text, repeat('x', 65536));
}
END_TEST

/* "m0";level=L0, "m1";level=L1, ... */
static char *members(int n)
{
    static const char *const names[] = { "info", "success", "warning",
                                         "error" };
    apr_array_header_t *parts = apr_array_make(ut_pool, n, sizeof(char *));
    int i;
    for (i = 0; i < n; i++)
        APR_ARRAY_PUSH(parts, char *) =
            apr_psprintf(ut_pool, "\"m%d\";level=%s;tags=\"t%d\"", i,
                         names[i % 4], i);
    return apr_array_pstrcat(ut_pool, parts, ',');
}

START_TEST(big_1000_members)
{
    static const int levels[] = { FM_INFO, FM_SUCCESS, FM_WARNING, FM_ERROR };
    int i;
    P(members(1000));
    ASSERT_OK(1000);
    for (i = 0; i < 1000; i++) {
        char text[16], tags[16];
        snprintf(text, sizeof(text), "m%d", i);
        snprintf(tags, sizeof(tags), "t%d", i);
        ASSERT_MSG(i, levels[i % 4], text, tags);
    }
}
END_TEST

START_TEST(big_10000_members)
{
    double t0 = now_seconds();
    int i;
    P(members(10000));
    ASSERT_OK(10000);
    for (i = 0; i < 10000; i += 997) {
        char text[16];
        snprintf(text, sizeof(text), "m%d", i);
        ck_assert_str_eq(MSG(i).text, text);
    }
    ck_assert_str_eq(MSG(9999).text, "m9999");
    ck_assert_double_lt(now_seconds() - t0, 10.0);
}
END_TEST

START_TEST(big_10000_members_last_bad)
{
    char *v = apr_pstrcat(ut_pool, members(10000), ",", NULL);
    P(v);
    ASSERT_SYNTAX();
}
END_TEST

START_TEST(big_1m_quotes)
{
    double t0 = now_seconds();
    P(repeat('"', 1 << 20));
    ASSERT_SYNTAX();
    ck_assert_str_eq(reason, SYNTAX "2: expected ',' after list member");
    ck_assert_double_lt(now_seconds() - t0, 10.0);
}
END_TEST

START_TEST(big_1m_hostile_patterns)
{
    apr_size_t n = 1 << 20;
    double t0 = now_seconds();
    char *v;

    /* Backslashes inside a string that never ends. */
    v = apr_pstrcat(ut_pool, "\"", repeat('\\', n), NULL);
    P(v);
    ASSERT_SYNTAX();
    /* A display string of percent-escapes that never ends. */
    v = apr_pstrcat(ut_pool, "%\"", repeat('a', n), NULL);
    memcpy(v + 2, "%c3%bc", 6);
    P(v);
    ASSERT_SYNTAX();
    /* Many parameters. */
    v = repeat(';', n);
    {
        apr_size_t i;
        v[0] = '"';
        v[1] = '"';
        for (i = 2; i + 1 < n; i += 2)
            v[i + 1] = 'a';
        v[i] = '\0';
    }
    P(v);
    ASSERT_OK(0);
    /* Open parentheses. */
    v = apr_pstrcat(ut_pool, "\"a\",", repeat('(', n), NULL);
    P(v);
    ASSERT_SYNTAX();
    /* Many empty display strings, then garbage. */
    {
        apr_size_t i;
        v = apr_palloc(ut_pool, n + 1);
        for (i = 0; i + 4 <= n; i += 4)
            memcpy(v + i, "%\"\",", 4);
        v[i - 1] = '!';
        PN(v, i);
        ASSERT_SYNTAX();
        v[i - 1] = ' ';
        PN(v, i);
        ASSERT_OK(0);
    }
    ck_assert_double_lt(now_seconds() - t0, 10.0);
}
END_TEST

START_TEST(big_1m_members)
{
    apr_size_t n = 1 << 20, i;
    char *v = apr_palloc(ut_pool, n);
    double t0 = now_seconds();

    for (i = 0; i + 4 <= n; i += 4)
        memcpy(v + i, "\"x\",", 4);
    PN(v, i - 1);
    ASSERT_OK((int)(n / 4));
    ASSERT_MSG((int)(n / 4) - 1, FM_INFO, "x", "");
    ck_assert_double_lt(now_seconds() - t0, 10.0);
}
END_TEST

Suite *header_parser_suite(void)
{
    Suite *s = suite_create("header_parser");
    TCase *tc = tcase_create("simple");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, simple_builtin_levels);
    tcase_add_test(tc, simple_level_case_insensitive);
    tcase_add_test(tc, simple_integer_level);
    tcase_add_test(tc, simple_integer_level_out_of_range);
    tcase_add_test(tc, simple_custom_level);
    tcase_add_test(tc, simple_extra_tags);
    tcase_add_test(tc, simple_colon_in_text);
    tcase_add_test(tc, simple_whitespace_trimmed);
    tcase_add_test(tc, simple_utf8_text);
    tcase_add_test(tc, simple_invalid_utf8_text);
    tcase_add_test(tc, simple_empty_text_dropped);
    tcase_add_test(tc, simple_below_min_level_dropped);
    tcase_add_test(tc, simple_unknown_level);
    tcase_add_test(tc, simple_missing_colon);
    tcase_add_test(tc, simple_no_level);
    tcase_add_test(tc, simple_bad_characters);
    tcase_add_test(tc, simple_tab_in_text_kept);
    tcase_add_test(tc, simple_len_is_respected);
    tcase_add_test(tc, simple_cr_lf_nul);
    tcase_add_test(tc, simple_joined_by_httpd);
    tcase_add_test(tc, simple_64k_value);
    tcase_add_test(tc, simple_1m_of_tags);
    suite_add_tcase(s, tc);

    tc = tcase_create("structured");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_test(tc, sf_one_member);
    tcase_add_test(tc, sf_spec_example);
    tcase_add_test(tc, sf_order_preserved);
    tcase_add_test(tc, sf_default_level);
    tcase_add_test(tc, sf_integer_level);
    tcase_add_test(tc, sf_bad_level_values);
    tcase_add_test(tc, sf_level_token_case_and_custom);
    tcase_add_test(tc, sf_tags);
    tcase_add_test(tc, sf_tags_not_string);
    tcase_add_test(tc, sf_display_string);
    tcase_add_test(tc, sf_display_string_controls_unusable);
    tcase_add_test(tc, sf_escapes);
    tcase_add_test(tc, sf_unknown_params_ignored);
    tcase_add_test(tc, sf_duplicate_param_last_wins);
    tcase_add_test(tc, sf_whitespace);
    tcase_add_test(tc, sf_whitespace_not_allowed);
    tcase_add_test(tc, sf_joined_by_httpd);
    tcase_add_test(tc, sf_below_min_and_empty_dropped);
    tcase_add_test(tc, sf_unusable_members_skipped);
    tcase_add_test(tc, sf_non_string_members);
    tcase_add_test(tc, sf_byte_sequence_member);
    tcase_add_test(tc, sf_inner_list_member);
    tcase_add_test(tc, sf_bare_item_syntax);
    tcase_add_test(tc, sf_integer_too_long);
    tcase_add_test(tc, sf_bad_keys);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bad_unterminated_string);
    tcase_add_test(tc, bad_escape);
    tcase_add_test(tc, bad_non_ascii_in_string);
    tcase_add_test(tc, bad_percent_encoding);
    tcase_add_test(tc, bad_display_string_utf8);
    tcase_add_test(tc, bad_list_separators);
    tcase_add_test(tc, bad_syntax_error_position);
    tcase_add_test(tc, bad_cr_lf);
    tcase_add_test(tc, bad_nul_embedded);
    tcase_add_test(tc, bad_reason_has_no_value_bytes);
    tcase_add_test(tc, big_64k_value);
    tcase_add_test(tc, big_1000_members);
    tcase_add_test(tc, big_10000_members);
    tcase_add_test(tc, big_10000_members_last_bad);
    tcase_add_test(tc, big_1m_quotes);
    tcase_add_test(tc, big_1m_hostile_patterns);
    tcase_add_test(tc, big_1m_members);
    suite_add_tcase(s, tc);
    return s;
}

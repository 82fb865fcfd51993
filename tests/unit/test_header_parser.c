/*
 * test_header_parser.c - the X-Flash grammar, simple and structured forms.
 *
 * Every literal case is one row of the table below: the value (its bytes
 * and length), the threshold, whether the custom level "notice" (35) is
 * defined, and the expected result -- the messages (level, text, extra
 * tags) or the error.  One loop test runs every row.  The large generated
 * inputs (64 KiB to 1 MiB, thousands of members) follow as tests of their
 * own.
 */
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

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

typedef enum {
    HP_OK,          /* no reason; n messages */
    HP_ERR,         /* exactly this reason; nothing added */
    HP_SYNTAX,      /* a structured syntax error (this reason, if given);
                     * nothing added */
    HP_SKIPPED,     /* unusable members: exactly this reason; n messages */
    HP_ANY_ERROR    /* some reason, without the bytes `absent` */
} hp_expect;

typedef struct {
    int level;
    const char *text;
    const char *tags;   /* extra tags */
} hp_msg;

#define HP_MAX_MSGS 4

typedef struct {
    const char *value;
    apr_size_t len;         /* bytes of value parsed */
    int min;                /* FlashMsgMinLevel */
    int custom;             /* "notice" = 35 is defined */
    hp_expect expect;
    const char *reason;
    const char *absent;
    int n;                  /* messages added, all listed in m */
    hp_msg m[HP_MAX_MSGS];
} hp_case;

/* The value: a string literal (its length is sizeof - 1, so embedded NULs
 * count), or a literal cut at n bytes, or no value at all. */
#define V(v)        .value = (v), .len = sizeof(v) - 1, .min = FM_INFO
#define VMIN(v, l)  .value = (v), .len = sizeof(v) - 1, .min = (l)
#define VN(v, n)    .value = (v), .len = (n), .min = FM_INFO
#define VNULL       .value = NULL, .len = 0, .min = FM_INFO
#define VLV(v)      V(v), .custom = 1
/* The result. */
#define OK(k)            .expect = HP_OK, .n = (k)
#define ERR(why)         .expect = HP_ERR, .reason = (why)
#define SYNTAX_ERR       .expect = HP_SYNTAX
#define SYNTAX_AT(why)   .expect = HP_SYNTAX, .reason = SYNTAX why
#define SKIPPED(why, k)  .expect = HP_SKIPPED, .reason = (why), .n = (k)
#define ERROR_WITHOUT(s) .expect = HP_ANY_ERROR, .absent = (s)
#define M(l, t, g)       { (l), (t), (g) }

/* Grouped as the tests they were written as (simple_*: the simple form,
 * sf_*: the structured form, bad_*: hostile input). */
static const hp_case cases[] = {
    /* simple_builtin_levels */
    { VMIN("debug: d", 0), OK(1), .m = { M(FM_DEBUG, "d", "") } },
    { V("info: i"), OK(1), .m = { M(FM_INFO, "i", "") } },
    { V("success: Profile saved."),
      OK(1), .m = { M(FM_SUCCESS, "Profile saved.", "") } },
    { V("warning: w"), OK(1), .m = { M(FM_WARNING, "w", "") } },
    { V("error: e"), OK(1), .m = { M(FM_ERROR, "e", "") } },

    /* simple_level_case_insensitive */
    { V("SUCCESS: a"), OK(1), .m = { M(FM_SUCCESS, "a", "") } },
    { V("Warning: b"), OK(1), .m = { M(FM_WARNING, "b", "") } },
    { V("eRRoR: c"), OK(1), .m = { M(FM_ERROR, "c", "") } },

    /* simple_integer_level */
    { V("35: thirty-five"), OK(1), .m = { M(35, "thirty-five", "") } },
    { VMIN("0: zero", 0), OK(1), .m = { M(0, "zero", "") } },
    { V("2147483647: max"), OK(1), .m = { M(2147483647, "max", "") } },

    /* simple_integer_level_out_of_range */
    { V("2147483648: x"), ERR("unknown level") },
    { V("99999999999999999999: x"), ERR("unknown level") },
    { V("12abc: x"), ERR("unknown level") },

    /* simple_custom_level: known with the definition only */
    { VLV("Notice: custom"), OK(1), .m = { M(35, "custom", "") } },
    { V("notice: custom"), ERR("unknown level") },

    /* simple_extra_tags */
    { V("warning sticky big: Disk almost full"),
      OK(1), .m = { M(FM_WARNING, "Disk almost full", "sticky big") } },
    { V("warning \t sticky   big\t : x"),
      OK(1), .m = { M(FM_WARNING, "x", "sticky big") } },
    { V("info a-b c.d/e! [x]{y}: t"),
      OK(1), .m = { M(FM_INFO, "t", "a-b c.d/e! [x]{y}") } },
    { V("info one:two"), OK(1), .m = { M(FM_INFO, "two", "one") } },

    /* simple_colon_in_text */
    { V("info: a: b: c"), OK(1), .m = { M(FM_INFO, "a: b: c", "") } },
    { V("error:Time is 12:30"),
      OK(1), .m = { M(FM_ERROR, "Time is 12:30", "") } },

    /* simple_whitespace_trimmed */
    { V("  \t success : \t Saved. \t "),
      OK(1), .m = { M(FM_SUCCESS, "Saved.", "") } },
    { V("info: a  \t b"), OK(1), .m = { M(FM_INFO, "a  \t b", "") } },

    /* simple_utf8_text */
    { V("info: Gr\xc3\xbc\xc3\x9f"
        "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
      OK(1),
      .m = { M(FM_INFO,
          "Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
          "") } },

    /* simple_invalid_utf8_text */
    { V("info: \xc3("), ERR(TEXT_INVALID) },
    { V("info: \xc0\xaf"), ERR(TEXT_INVALID) },
    { V("info: \xed\xa0\x80"), ERR(TEXT_INVALID) },
    { V("info: abc\xc3"), ERR(TEXT_INVALID) },
    { V("info: a\x7f"), ERR(TEXT_INVALID) },

    /* simple_empty_text_dropped */
    { V("success:"), OK(0) },
    { V("success:   \t "), OK(0) },
    { V("warning tag :"), OK(0) },

    /* simple_below_min_level_dropped */
    { V("debug: hidden"), OK(0) },
    { VMIN("info: hidden", FM_WARNING), OK(0) },
    { VMIN("warning: shown", FM_WARNING),
      OK(1), .m = { M(FM_WARNING, "shown", "") } },

    /* simple_unknown_level */
    { V("notice: x"), ERR("unknown level") },
    { V("a234567890123456789012345678901234567890: x"), ERR("unknown level") },
    { V("-: x"), ERR("unknown level") },

    /* simple_missing_colon */
    { V("success Profile saved"), ERR("missing ':' after level") },
    { V("success"), ERR("missing ':' after level") },
    { V("Hello world."), ERR("missing ':' after level") },

    /* simple_no_level */
    { V(": text"), ERR("missing level") },
    { V("  : text"), ERR("missing level") },
    { V(""), ERR("empty value") },
    { V(" \t "), ERR("empty value") },
    { VNULL, ERR("empty value") },

    /* simple_bad_characters */
    { V("succ!ess: x"), ERR("invalid character in level") },
    { V("caf\xc3\xa9: x"), ERR("invalid character in level") },
    { V("info t\xc3\xa9g: x"), ERR("invalid character in extra tags") },
    { V("info tag\x01: x"), ERR("invalid character in extra tags") },
    { V("%abc: x"), ERR("missing level") },
    { V("'info': x"), ERR("missing level") },

    /* simple_tab_in_text_kept */
    { V("info: a\tb"), OK(1), .m = { M(FM_INFO, "a\tb", "") } },

    /* simple_len_is_respected */
    /* only the first 9 bytes are the value */
    { VN("info: abcdef", 9), OK(1), .m = { M(FM_INFO, "abc", "") } },
    { VN("info: ", 4), ERR("missing ':' after level") },

    /* simple_cr_lf_nul */
    { V("info: a\r\nb"), ERR(TEXT_INVALID) },
    { V("info: a\r"), ERR(TEXT_INVALID) },
    { V("info: a\n"), ERR(TEXT_INVALID) },
    { V("info\n: a"), ERR("invalid character in level") },
    { VN("info: a\0b", 9), ERR(TEXT_INVALID) },
    { VN("in\0fo: a", 8), ERR("invalid character in level") },
    { VN("info t\0g: a", 11), ERR("invalid character in extra tags") },
    { VN("info: a\0", 8), ERR(TEXT_INVALID) },
    { VN("\0", 1), ERR("missing level") },

    /* simple_joined_by_httpd: the first level applies to all */
    { V("success: A, info: B"),
      OK(1), .m = { M(FM_SUCCESS, "A, info: B", "") } },
    { V("warning big: Disk, error: Boom, info: ok"),
      OK(1), .m = { M(FM_WARNING, "Disk, error: Boom, info: ok", "big") } },

    /* sf_one_member */
    { V("\"Profile saved\";level=success"),
      OK(1), .m = { M(FM_SUCCESS, "Profile saved", "") } },

    /* sf_spec_example */
    { V("\"Profile saved\";level=success, \"Check your mail\";level=info;"
        "tags=\"sticky\""),
      OK(2),
      .m = { M(FM_SUCCESS, "Profile saved", ""),
        M(FM_INFO, "Check your mail", "sticky") } },

    /* sf_order_preserved */
    { V("\"one\";level=error, \"two\";level=debug, \"three\", "
        "\"four\";level=30,\"five\";level=success"),
      OK(4),
      .m = { M(FM_ERROR, "one", ""), M(FM_INFO, "three", ""),
        M(FM_WARNING, "four", ""), M(FM_SUCCESS, "five", "") } },

    /* sf_default_level */
    { V("\"plain\""), OK(1), .m = { M(FM_INFO, "plain", "") } },
    { V("\"x\";tags=\"a\""), OK(1), .m = { M(FM_INFO, "x", "a") } },

    /* sf_integer_level */
    { V("\"x\";level=35"), OK(1), .m = { M(35, "x", "") } },
    { VMIN("\"x\";level=0", 0), OK(1), .m = { M(0, "x", "") } },
    { VMIN("\"x\";level=-0", 0), OK(1), .m = { M(0, "x", "") } },
    { V("\"x\";level=2147483647"), OK(1), .m = { M(2147483647, "x", "") } },

    /* sf_bad_level_values */
    { V("\"x\";level=-5"), SKIPPED("member 1: negative level", 0) },
    { V("\"x\";level=2147483648"),
      SKIPPED("member 1: level out of range", 0) },
    { V("\"x\";level=999999999999999"),
      SKIPPED("member 1: level out of range", 0) },
    { V("\"x\";level=\"success\""),
      SKIPPED("member 1: level is not a token or an integer", 0) },
    { V("\"x\";level=2.5"),
      SKIPPED("member 1: level is not a token or an integer", 0) },
    { V("\"x\";level"),
      SKIPPED("member 1: level is not a token or an integer", 0) },
    { V("\"x\";level=?1"),
      SKIPPED("member 1: level is not a token or an integer", 0) },
    { V("\"x\";level=notice"), SKIPPED("member 1: unknown level", 0) },
    { V("\"x\";level=info:x"), SKIPPED("member 1: unknown level", 0) },

    /* sf_level_token_case_and_custom */
    { VLV("\"a\";level=SUCCESS, \"b\";level=Notice"),
      OK(2), .m = { M(FM_SUCCESS, "a", ""), M(35, "b", "") } },

    /* sf_tags */
    { V("\"x\";tags=\"sticky big\""),
      OK(1), .m = { M(FM_INFO, "x", "sticky big") } },
    { V("\"x\";tags=\"  sticky   big  \""),
      OK(1), .m = { M(FM_INFO, "x", "sticky big") } },
    { V("\"x\";tags=\"\""), OK(1), .m = { M(FM_INFO, "x", "") } },
    { V("\"x\";tags=\"a:b \\\"q\\\"\""),
      OK(1), .m = { M(FM_INFO, "x", "a:b \"q\"") } },
    { V("\"x\";level=warning;tags=\"t\""),
      OK(1), .m = { M(FM_WARNING, "x", "t") } },

    /* sf_tags_not_string */
    { V("\"x\";tags=sticky, \"y\""),
      SKIPPED("member 1: tags is not a string", 1),
      .m = { M(FM_INFO, "y", "") } },
    { V("\"x\";tags=%\"a\""), SKIPPED("member 1: tags is not a string", 0) },
    { V("\"x\";tags"), SKIPPED("member 1: tags is not a string", 0) },

    /* sf_display_string */
    { V("%\"Gr%c3%bc%c3%9fe\""),
      OK(1), .m = { M(FM_INFO, "Gr\xc3\xbc\xc3\x9f" "e", "") } },
    { V("%\"%e6%97%a5%e6%9c%ac %f0%9f%98%80\";level=success;tags=\"j\""),
      OK(1),
      .m = { M(FM_SUCCESS, "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
               "j") } },
    { V("%\"100%25 done\""), OK(1), .m = { M(FM_INFO, "100% done", "") } },
    { V("%\"say %22hi%22 \\ ok\""),
      OK(1), .m = { M(FM_INFO, "say \"hi\" \\ ok", "") } },
    { V("%\"\""), OK(0) },

    /* sf_display_string_controls_unusable */
    { V("%\"a%0ab\", \"ok\""),
      SKIPPED("member 1: " TEXT_INVALID, 1), .m = { M(FM_INFO, "ok", "") } },
    { V("\"ok\", %\"a%00b\""),
      SKIPPED("member 2: " TEXT_INVALID, 1), .m = { M(FM_INFO, "ok", "") } },
    { V("%\"%7f\""), SKIPPED("member 1: " TEXT_INVALID, 0) },
    /* TAB is allowed */
    { V("%\"a%09b\""), OK(1), .m = { M(FM_INFO, "a\tb", "") } },

    /* sf_escapes */
    { V("\"say \\\"hi\\\" \\\\ ok\""),
      OK(1), .m = { M(FM_INFO, "say \"hi\" \\ ok", "") } },
    { V("\"\\\\\""), OK(1), .m = { M(FM_INFO, "\\", "") } },
    /* sf-string text is taken as is */
    { V("\"  spaced  \""), OK(1), .m = { M(FM_INFO, "  spaced  ", "") } },

    /* sf_unknown_params_ignored */
    { V("\"x\";foo=1;bar;baz=\"q\";*k=?0;a.b-c_d*=tok;level=warning;"
        "zz=:aGVsbG8=:;d=@1659578233;e=-1.125;f=%\"%c3%a9\""),
      OK(1), .m = { M(FM_WARNING, "x", "") } },

    /* sf_duplicate_param_last_wins */
    { V("\"x\";level=error;level=success"),
      OK(1), .m = { M(FM_SUCCESS, "x", "") } },
    { V("\"x\";level=bogus;level=warning"),
      OK(1), .m = { M(FM_WARNING, "x", "") } },
    { V("\"x\";level=warning;level=bogus"),
      SKIPPED("member 1: unknown level", 0) },
    { V("\"x\";tags=1;tags=\"a b\";tags=\"c\""),
      OK(1), .m = { M(FM_INFO, "x", "c") } },

    /* sf_whitespace */
    { V("\"a\" ,\t\"b\"  ,  \"c\"\t,\"d\""),
      OK(4),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "b", ""), M(FM_INFO, "c", ""),
        M(FM_INFO, "d", "") } },
    { V(" \t \"a\";level=error \t "), OK(1), .m = { M(FM_ERROR, "a", "") } },
    /* SP allowed after ';' */
    { V("\"a\";  level=error"), OK(1), .m = { M(FM_ERROR, "a", "") } },

    /* sf_whitespace_not_allowed */
    /* only SP after ';' */
    { V("\"a\";\tlevel=error"), SYNTAX_ERR },
    { V("\"a\" ;level=error"), SYNTAX_ERR },
    { V("\"a\";level =error"), SYNTAX_ERR },
    { V("\"a\";level= error"), SYNTAX_ERR },

    /* sf_joined_by_httpd */
    { V("\"A\";level=success, \"B\";level=error"),
      OK(2), .m = { M(FM_SUCCESS, "A", ""), M(FM_ERROR, "B", "") } },
    /* a simple field joined after a structured one breaks the list */
    { V("\"A\";level=success, info: B"), SYNTAX_ERR },

    /* sf_below_min_and_empty_dropped */
    { V("\"a\";level=debug, \"\", \"b\""),
      OK(1), .m = { M(FM_INFO, "b", "") } },

    /* sf_unusable_members_skipped */
    { V("\"a\", tok, \"b\";level=nope, \"c\""),
      SKIPPED("member 2: not a string (and 1 more unusable members "
              "skipped)", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "c", "") } },
    { V("\"a\", \"b\";level=nope"),
      SKIPPED("member 2: unknown level", 1), .m = { M(FM_INFO, "a", "") } },

    /* sf_non_string_members */
    { V("\"a\", tok"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", 42;level=error"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", 4.5"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", ?1"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", @1659578233"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", *star"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },

    /* sf_byte_sequence_member */
    { V("\"a\", :aGVsbG8=:"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", ::"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    /* padding may be omitted */
    { V("\"a\", :aGVsbG8:"),
      SKIPPED("member 2: not a string", 1), .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", :aGVs*bG8=:"), SYNTAX_ERR },
    { V("\"a\", :a=b:"), SYNTAX_ERR },
    { V("\"a\", :aGVsbG8="), SYNTAX_ERR },
    { V("\"a\", :aGVsbG8===:"), SYNTAX_ERR },
    { V("\"a\", :a:"), SYNTAX_ERR },

    /* sf_inner_list_member */
    { V("\"a\", (\"b\" \"c\");level=error, \"d\""),
      SKIPPED("member 2: inner list is not a message", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "d", "") } },
    { V("\"a\", ()"),
      SKIPPED("member 2: inner list is not a message", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (  1;x=2   tok  );y"),
      SKIPPED("member 2: inner list is not a message", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (\"b\""), SYNTAX_ERR },
    { V("\"a\", ("), SYNTAX_ERR },
    { V("\"a\", (\"b\"\"c\")"), SYNTAX_ERR },
    { V("\"a\", (\"b\",\"c\")"), SYNTAX_ERR },
    { V("\"a\", ((\"b\"))"), SYNTAX_ERR },
    { V("\"a\", (\t\"b\")"), SYNTAX_ERR },

    /* sf_bare_item_syntax */
    { V("\"x\";a=123456789012345;b=-123456789012345;c=123456789012.123;"
        "d=?0;e=@-1;f=*;g=a:b/c!#$%&'*+-.^_`|~9"),
      OK(1), .m = { M(FM_INFO, "x", "") } },
    { V("\"x\";a=?2"), SYNTAX_ERR },
    { V("\"x\";a=?"), SYNTAX_ERR },
    { V("\"x\";a=@1.5"), SYNTAX_ERR },
    { V("\"x\";a=@"), SYNTAX_ERR },
    { V("\"x\";a=-"), SYNTAX_ERR },
    { V("\"x\";a=-a"), SYNTAX_ERR },
    { V("\"x\";a="), SYNTAX_ERR },
    { V("\"x\";a=$"), SYNTAX_ERR },
    { V("\"x\";a=1."), SYNTAX_ERR },
    { V("\"x\";a=1.2.3"), SYNTAX_ERR },
    { V("\"x\";a=%x"), SYNTAX_ERR },

    /* sf_integer_too_long */
    { V("\"x\";level=1234567890123456"), SYNTAX_ERR },
    { V("\"x\", 1234567890123456"), SYNTAX_ERR },
    { V("\"x\";a=-1234567890123456"), SYNTAX_ERR },
    { V("\"x\";a=1234567890123.1"), SYNTAX_ERR },
    { V("\"x\";a=1.1234"), SYNTAX_ERR },
    { V("\"x\";a=123456789012.1234"), SYNTAX_ERR },

    /* sf_bad_keys */
    { V("\"x\";Level=error"), SYNTAX_ERR },
    { V("\"x\";1a=2"), SYNTAX_ERR },
    { V("\"x\";=2"), SYNTAX_ERR },
    { V("\"x\";"), SYNTAX_ERR },
    { V("\"x\";;level=error"), SYNTAX_ERR },
    { V("\"x\";_a=1"), SYNTAX_ERR },

    /* bad_unterminated_string */
    { V("\"abc"), SYNTAX_ERR },
    { V("\""), SYNTAX_ERR },
    { V("\"abc\\"), SYNTAX_ERR },
    { V("\"abc\\\""), SYNTAX_ERR },
    { V("\"a\", \"b"), SYNTAX_ERR },
    { V("%\"abc"), SYNTAX_ERR },
    { V("%\""), SYNTAX_ERR },

    /* bad_escape */
    { V("\"a\\nb\""), SYNTAX_ERR },
    { V("\"a\\tb\""), SYNTAX_ERR },
    { V("\"a\\'b\""), SYNTAX_ERR },

    /* bad_non_ascii_in_string */
    { V("\"Gr\xc3\xbc\xc3\x9f" "e\""), SYNTAX_ERR },
    { V("%\"Gr\xc3\xbc\""), SYNTAX_ERR },
    { V("\"a\", \xc3\xa9"), SYNTAX_ERR },
    { V("\"a\t\""), SYNTAX_ERR },
    { V("\"a\x7f\""), SYNTAX_ERR },

    /* bad_percent_encoding */
    { V("%\"%zz\""), SYNTAX_ERR },
    { V("%\"%C3%BC\""), SYNTAX_ERR },
    { V("%\"%c3%Bc\""), SYNTAX_ERR },
    { V("%\"%c\""), SYNTAX_ERR },
    { V("%\"%c"), SYNTAX_ERR },
    { V("%\"ab%"), SYNTAX_ERR },
    { V("%\"%\""), SYNTAX_ERR },
    { V("\"ok\", %\"%g0\""), SYNTAX_ERR },

    /* bad_display_string_utf8 */
    { V("%\"%c3%28\""), SYNTAX_ERR },
    { V("%\"%c3\""), SYNTAX_ERR },
    /* surrogate */
    { V("%\"%ed%a0%80\""), SYNTAX_ERR },
    /* overlong */
    { V("%\"%c0%af\""), SYNTAX_ERR },
    { V("%\"%ff\""), SYNTAX_ERR },
    /* also as a parameter value */
    { V("\"ok\";x=%\"%80\""), SYNTAX_ERR },

    /* bad_list_separators */
    { V("\"a\","), SYNTAX_ERR },
    { V("\"a\", "), SYNTAX_ERR },
    { V("\"a\",,\"b\""), SYNTAX_ERR },
    { V("\"a\", ,\"b\""), SYNTAX_ERR },
    { V("\"a\" \"b\""), SYNTAX_ERR },
    { V("\"a\"x"), SYNTAX_ERR },
    { V("\"a\";level=error\"b\""), SYNTAX_ERR },
    { V("\"a\"; \"b\""), SYNTAX_ERR },

    /* bad_syntax_error_position */
    { V("\"a\",,\"b\""), SYNTAX_AT("4: expected an item") },
    { V("  \"a\" x"), SYNTAX_AT("6: expected ',' after list member") },
    { V("\"a\","), SYNTAX_AT("4: trailing ',' in list") },

    /* bad_cr_lf */
    { V("\"a\"\r\n"), SYNTAX_ERR },
    { V("\"a\",\r\n\"b\""), SYNTAX_ERR },
    { V("\"a\r\""), SYNTAX_ERR },
    { V("\"a\"\n, \"b\""), SYNTAX_ERR },
    { V("%\"a\nb\""), SYNTAX_ERR },

    /* bad_nul_embedded */
    { VN("\"a\0b\"", 5), SYNTAX_ERR },
    { VN("\"a\"\0", 4), SYNTAX_ERR },
    { VN("\"a\",\0\"b\"", 8), SYNTAX_ERR },
    { VN("\"a\";level\0=error", 16), SYNTAX_ERR },
    { VN("%\"a\0\"", 5), SYNTAX_ERR },
    { VN("\"a\\\0\"", 5), SYNTAX_ERR },
    /* the value ends at len even where the buffer goes on */
    { VN("\"a\", \"b\"", 3), OK(1), .m = { M(FM_INFO, "a", "") } },
    { VN("%\"abc\"", 1), ERR("missing level") },

    /* bad_reason_has_no_value_bytes */
    { V("\"SECRET\";level=SECRETLEVEL"), ERROR_WITHOUT("SECRET") },
    { V("\"a\", SECRET\""), ERROR_WITHOUT("SECRET") },
    { V("SECRET: \x01"), ERROR_WITHOUT("SECRET") },
};

/* Where a row is, for failure messages: its index and value. */
static const char *row_name(int i)
{
    const hp_case *c = &cases[i];
    char *v = c->value ? apr_pstrmemdup(ut_pool, c->value, c->len) : "(null)";
    apr_size_t k;
    for (k = 0; c->value && k < c->len; k++)
        if ((unsigned char)v[k] < 0x20 || (unsigned char)v[k] >= 0x7f)
            v[k] = '?';
    return apr_psprintf(ut_pool, "row %d \"%.60s\"", i, v);
}

START_TEST(header_table)
{
    const hp_case *c = &cases[_i];
    const char *at = row_name(_i);
    fm_levels *lv = fm_levels_make(ut_pool);
    int i;

    ck_assert_int_le(c->n, HP_MAX_MSGS);
    if (c->custom)
        ck_assert_ptr_null(fm_levels_define(lv, ut_pool, "notice", "35"));
    run(lv, c->min, c->value, c->len);

    switch (c->expect) {
    case HP_OK:
        ck_assert_msg(reason == NULL, "%s: unexpected reason: %s", at,
                      reason);
        break;
    case HP_ERR:
    case HP_SKIPPED:
        ck_assert_msg(reason != NULL, "%s: no reason, want \"%s\"", at,
                      c->reason);
        ck_assert_msg(strcmp(reason, c->reason) == 0,
                      "%s: reason \"%s\", want \"%s\"", at, reason,
                      c->reason);
        break;
    case HP_SYNTAX:
        ck_assert_msg(reason != NULL, "%s: no reason, want a syntax error",
                      at);
        ck_assert_msg(strncmp(reason, SYNTAX, strlen(SYNTAX)) == 0,
                      "%s: not a syntax error: %s", at, reason);
        if (c->reason)
            ck_assert_msg(strcmp(reason, c->reason) == 0,
                          "%s: reason \"%s\", want \"%s\"", at, reason,
                          c->reason);
        break;
    case HP_ANY_ERROR:
        ck_assert_msg(reason != NULL, "%s: no reason", at);
        ck_assert_msg(strstr(reason, c->absent) == NULL,
                      "%s: reason \"%s\" shows \"%s\"", at, reason,
                      c->absent);
        break;
    }
    if (c->expect == HP_ANY_ERROR)
        return;
    ck_assert_msg(msgs->nelts == c->n, "%s: %d messages, want %d", at,
                  msgs->nelts, c->n);
    for (i = 0; i < c->n; i++) {
        const fm_message *g = &APR_ARRAY_IDX(msgs, i, fm_message);
        const hp_msg *w = &c->m[i];
        ck_assert_msg(g->level == w->level, "%s: message %d: level %d, "
                      "want %d", at, i, g->level, w->level);
        ck_assert_msg(strcmp(g->text, w->text) == 0, "%s: message %d: "
                      "text \"%s\", want \"%s\"", at, i, g->text, w->text);
        ck_assert_msg(strcmp(g->extra_tags, w->tags) == 0, "%s: message %d: "
                      "tags \"%s\", want \"%s\"", at, i, g->extra_tags,
                      w->tags);
        ck_assert_msg(g->created == CREATED, "%s: message %d: created", at,
                      i);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Large generated inputs                                               */
/* ------------------------------------------------------------------ */

#define P(v)        run(NULL, FM_INFO, (v), strlen(v))
#define PN(v, n)    run(NULL, FM_INFO, (v), (n))

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

/* A structured syntax error: nothing added. */
#define ASSERT_SYNTAX() do {                                          \
        ck_assert_ptr_nonnull(reason);                                \
        ck_assert_msg(strncmp(reason, SYNTAX, strlen(SYNTAX)) == 0,   \
                      "not a syntax error: %s", reason);              \
        ck_assert_int_eq(msgs->nelts, 0);                             \
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
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_add_loop_test(tc, header_table, 0,
                        (int)(sizeof(cases) / sizeof(cases[0])));
    suite_add_tcase(s, tc);

    tc = tcase_create("large");
    tcase_add_checked_fixture(tc, ut_setup, ut_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, simple_64k_value);
    tcase_add_test(tc, simple_1m_of_tags);
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

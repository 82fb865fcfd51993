/*
 * test_header_parser.c - the X-Flash grammar, simple and structured forms.
 *
 * Every literal case is one row of the table below: the value (its bytes
 * and length), the threshold, whether the custom level "notice" (35) is
 * defined, and the expected result -- the messages (level, text, extra
 * tags) or the error, and for some rows the report (how many members,
 * whether the lenient parse ran, which members were skipped and their
 * bytes).  One loop test runs every row, and checks the report's
 * invariants on every row.  The large generated inputs (64 KiB to 1 MiB,
 * thousands of members) follow as tests of their own.
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
#define PCT_INVALID \
    "invalid percent-encoding (two lowercase hex digits expected)"

static apr_array_header_t *msgs;
static const char *reason;
static fm_header_report report;

/* The value is structured: its first byte after blanks is '"' or '%"'. */
static int structured(const char *v, apr_size_t n)
{
    apr_size_t i = 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    return i < n && (v[i] == '"' || (v[i] == '%' && i + 1 < n
                                      && v[i + 1] == '"'));
}

/*
 * What holds for the report of any value v (n bytes): a simple value has
 * none; a structured one has a reason exactly when members were skipped,
 * naming the first; the skipped members are kept in order, bounded, each
 * a span of the value without blanks around it.
 */
static void check_report(const char *v, apr_size_t n)
{
    apr_size_t i, last = 0;

    ck_assert_ptr_nonnull(report.skipped);
    if (!v || !structured(v, n)) {
        ck_assert_uint_eq(report.members, 0);
        ck_assert_uint_eq(report.nskipped, 0);
        ck_assert_int_eq(report.lenient, 0);
        return;
    }
    ck_assert_uint_ge(report.members, 1);
    ck_assert_uint_le(report.nskipped, report.members);
    ck_assert_uint_le((apr_size_t)msgs->nelts,
                      report.members - report.nskipped);
    ck_assert_uint_eq((apr_size_t)report.skipped->nelts,
                      report.nskipped < FM_HEADER_SKIPS_KEPT
                      ? report.nskipped : FM_HEADER_SKIPS_KEPT);
    if (!report.nskipped) {
        ck_assert_ptr_null(reason);
        return;
    }
    ck_assert_ptr_nonnull(reason);
    for (i = 0; i < (apr_size_t)report.skipped->nelts; i++) {
        const fm_header_skip *k = &APR_ARRAY_IDX(report.skipped, i,
                                                 fm_header_skip);
        ck_assert_uint_gt(k->index, last);
        ck_assert_uint_le(k->index, report.members);
        ck_assert_uint_le(k->offset + k->len, n);
        ck_assert_ptr_nonnull(k->reason);
        if (k->len) {
            ck_assert(v[k->offset] != ' ' && v[k->offset] != '\t');
            ck_assert(v[k->offset + k->len - 1] != ' '
                      && v[k->offset + k->len - 1] != '\t');
        }
        if (i == 0) {
            char *head = apr_psprintf(ut_pool, "member %" APR_SIZE_T_FMT
                                      " of %" APR_SIZE_T_FMT " skipped: %s",
                                      k->index, report.members, k->reason);
            ck_assert_msg(strncmp(reason, head, strlen(head)) == 0,
                          "reason \"%s\" does not start with \"%s\"", reason,
                          head);
        }
        last = k->index;
    }
}

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
    reason = fm_header_parse_ex(ut_pool, lv, min, copy, n, CREATED, msgs,
                                &report);
    free(copy);
    /* A reason is short printable ASCII. */
    if (reason) {
        for (r = reason; *r; r++)
            ck_assert(*r >= 0x20 && *r <= 0x7e);
        ck_assert_uint_lt(strlen(reason), 200);
    }
    check_report(v, n);
}

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

typedef enum {
    HP_OK,          /* no reason; n messages */
    HP_ERR,         /* exactly this reason; nothing added */
    HP_SKIPPED,     /* members skipped: exactly this reason; n messages */
    HP_ANY_ERROR    /* some reason, without the bytes `absent` */
} hp_expect;

typedef struct {
    int level;
    const char *text;
    const char *tags;   /* extra tags */
} hp_msg;

#define HP_MAX_MSGS 4
#define HP_MAX_SKIPS 4

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
    int has_report;         /* the report is checked: */
    apr_size_t members;     /*   members in the list */
    int lenient;            /*   the strict parse failed */
    const char *skips[HP_MAX_SKIPS];    /* every skipped member, as
                                         * "INDEX:its bytes" */
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
#define SKIPPED(why, k)  .expect = HP_SKIPPED, .reason = (why), .n = (k)
/* the value's only member is skipped: nothing added */
#define SKIP1(why)       SKIPPED("member 1 of 1 skipped: " why, 0)
#define ERROR_WITHOUT(s) .expect = HP_ANY_ERROR, .absent = (s)
#define M(l, t, g)       { (l), (t), (g) }
/* The report: members, lenient, then "INDEX:bytes" of each skipped member
 * (NULL for none). */
#define REPORT(k, l, ...) .has_report = 1, .members = (k), .lenient = (l), \
                          .skips = { __VA_ARGS__ }

/* Grouped as the tests they were written as (simple_*: the simple form,
 * sf_*: the structured form, bad_*: hostile input, lenient_*: the two
 * extensions of RFC 9651 -- raw UTF-8 in strings, and a member that does
 * not parse skipped on its own). */
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
    { V("\"x\";level=-5"), SKIP1("negative level") },
    { V("\"x\";level=2147483648"), SKIP1("level out of range") },
    { V("\"x\";level=999999999999999"), SKIP1("level out of range") },
    { V("\"x\";level=\"success\""),
      SKIP1("level is not a token or an integer") },
    { V("\"x\";level=2.5"), SKIP1("level is not a token or an integer") },
    { V("\"x\";level"), SKIP1("level is not a token or an integer") },
    { V("\"x\";level=?1"), SKIP1("level is not a token or an integer") },
    { V("\"x\";level=notice"), SKIP1("unknown level") },
    { V("\"x\";level=info:x"), SKIP1("unknown level") },

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
      SKIPPED("member 1 of 2 skipped: tags is not a string", 1),
      .m = { M(FM_INFO, "y", "") } },
    { V("\"x\";tags=%\"a\""), SKIP1("tags is not a string") },
    { V("\"x\";tags"), SKIP1("tags is not a string") },

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
      SKIPPED("member 1 of 2 skipped: " TEXT_INVALID, 1),
      .m = { M(FM_INFO, "ok", "") } },
    { V("\"ok\", %\"a%00b\""),
      SKIPPED("member 2 of 2 skipped: " TEXT_INVALID, 1),
      .m = { M(FM_INFO, "ok", "") } },
    { V("%\"%7f\""), SKIP1(TEXT_INVALID) },
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
    { V("\"x\";level=warning;level=bogus"), SKIP1("unknown level") },
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
    { V("\"a\";\tlevel=error"), SKIP1("expected a parameter key at byte 4") },
    { V("\"a\" ;level=error"),
      SKIP1("expected ',' after list member at byte 4") },
    { V("\"a\";level =error"),
      SKIP1("expected ',' after list member at byte 10") },
    { V("\"a\";level= error"), SKIP1("expected an item at byte 10") },

    /* sf_joined_by_httpd */
    { V("\"A\";level=success, \"B\";level=error"),
      OK(2), .m = { M(FM_SUCCESS, "A", ""), M(FM_ERROR, "B", "") } },
    /* a simple field joined after a structured one: skipped on its own */
    { V("\"A\";level=success, info: B"),
      SKIPPED("member 2 of 2 skipped: expected ',' after list member at "
              "byte 25", 1),
      .m = { M(FM_SUCCESS, "A", "") } },

    /* sf_below_min_and_empty_dropped */
    { V("\"a\";level=debug, \"\", \"b\""),
      OK(1), .m = { M(FM_INFO, "b", "") } },

    /* sf_unusable_members_skipped */
    { V("\"a\", tok, \"b\";level=nope, \"c\""),
      SKIPPED("member 2 of 4 skipped: not a string (and 1 more members "
              "skipped)", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "c", "") } },
    { V("\"a\", \"b\";level=nope"),
      SKIPPED("member 2 of 2 skipped: unknown level", 1),
      .m = { M(FM_INFO, "a", "") } },

    /* sf_non_string_members */
    { V("\"a\", tok"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", 42;level=error"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", 4.5"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", ?1"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", @1659578233"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", *star"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },

    /* sf_byte_sequence_member */
    { V("\"a\", :aGVsbG8=:"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", ::"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    /* padding may be omitted */
    { V("\"a\", :aGVsbG8:"),
      SKIPPED("member 2 of 2 skipped: not a string", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", :aGVs*bG8=:"),
      SKIPPED("member 2 of 2 skipped: invalid byte sequence at byte 10", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", :a=b:"),
      SKIPPED("member 2 of 2 skipped: invalid base64 padding at byte 8", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", :aGVsbG8="),
      SKIPPED("member 2 of 2 skipped: invalid byte sequence at byte 14", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", :aGVsbG8===:"),
      SKIPPED("member 2 of 2 skipped: invalid base64 in byte sequence at "
              "byte 6", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", :a:"),
      SKIPPED("member 2 of 2 skipped: invalid base64 in byte sequence at "
              "byte 6", 1),
      .m = { M(FM_INFO, "a", "") } },

    /* sf_inner_list_member */
    { V("\"a\", (\"b\" \"c\");level=error, \"d\""),
      SKIPPED("member 2 of 3 skipped: inner list is not a message", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "d", "") } },
    { V("\"a\", ()"),
      SKIPPED("member 2 of 2 skipped: inner list is not a message", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (  1;x=2   tok  );y"),
      SKIPPED("member 2 of 2 skipped: inner list is not a message", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (\"b\""),
      SKIPPED("member 2 of 2 skipped: expected ' ' or ')' in inner list "
              "at byte 9", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", ("),
      SKIPPED("member 2 of 2 skipped: unterminated inner list at byte 6", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (\"b\"\"c\")"),
      SKIPPED("member 2 of 2 skipped: expected ' ' or ')' in inner list "
              "at byte 9", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (\"b\",\"c\")"),
      SKIPPED("member 2 of 3 skipped: expected ' ' or ')' in inner list "
              "at byte 9 (and 1 more members skipped)", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", ((\"b\"))"),
      SKIPPED("member 2 of 2 skipped: expected an item at byte 6", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", (\t\"b\")"),
      SKIPPED("member 2 of 2 skipped: expected an item at byte 6", 1),
      .m = { M(FM_INFO, "a", "") } },

    /* sf_bare_item_syntax */
    { V("\"x\";a=123456789012345;b=-123456789012345;c=123456789012.123;"
        "d=?0;e=@-1;f=*;g=a:b/c!#$%&'*+-.^_`|~9"),
      OK(1), .m = { M(FM_INFO, "x", "") } },
    { V("\"x\";a=?2"), SKIP1("invalid boolean at byte 7") },
    { V("\"x\";a=?"), SKIP1("invalid boolean at byte 7") },
    { V("\"x\";a=@1.5"), SKIP1("date is not an integer at byte 7") },
    { V("\"x\";a=@"), SKIP1("expected a digit at byte 7") },
    { V("\"x\";a=-"), SKIP1("expected a digit at byte 7") },
    { V("\"x\";a=-a"), SKIP1("expected a digit at byte 7") },
    { V("\"x\";a="), SKIP1("expected an item at byte 6") },
    { V("\"x\";a=$"), SKIP1("expected an item at byte 6") },
    { V("\"x\";a=1."), SKIP1("decimal ends with '.' at byte 7") },
    { V("\"x\";a=1.2.3"), SKIP1("expected ',' after list member at byte 9") },
    { V("\"x\";a=%x"), SKIP1("expected '\"' after '%' at byte 7") },

    /* sf_integer_too_long */
    { V("\"x\";level=1234567890123456"),
      SKIP1("integer has more than 15 digits at byte 25") },
    { V("\"x\", 1234567890123456"),
      SKIPPED("member 2 of 2 skipped: integer has more than 15 digits at "
              "byte 20", 1),
      .m = { M(FM_INFO, "x", "") } },
    { V("\"x\";a=-1234567890123456"),
      SKIP1("integer has more than 15 digits at byte 22") },
    { V("\"x\";a=1234567890123.1"),
      SKIP1("decimal has more than 12 integer digits at byte 19") },
    { V("\"x\";a=1.1234"),
      SKIP1("decimal has more than 3 fraction digits at byte 11") },
    { V("\"x\";a=123456789012.1234"),
      SKIP1("decimal is too long at byte 22") },

    /* sf_bad_keys */
    { V("\"x\";Level=error"), SKIP1("expected a parameter key at byte 4") },
    { V("\"x\";1a=2"), SKIP1("expected a parameter key at byte 4") },
    { V("\"x\";=2"), SKIP1("expected a parameter key at byte 4") },
    { V("\"x\";"), SKIP1("expected a parameter key at byte 4") },
    { V("\"x\";;level=error"), SKIP1("expected a parameter key at byte 4") },
    { V("\"x\";_a=1"), SKIP1("expected a parameter key at byte 4") },

    /* bad_unterminated_string */
    { V("\"abc"), SKIP1("unterminated string at byte 4") },
    { V("\""), SKIP1("unterminated string at byte 1") },
    { V("\"abc\\"), SKIP1("unterminated string at byte 5") },
    { V("\"abc\\\""), SKIP1("unterminated string at byte 6") },
    { V("\"a\", \"b"),
      SKIPPED("member 2 of 2 skipped: unterminated string at byte 7", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("%\"abc"), SKIP1("unterminated display string at byte 5") },
    { V("%\""), SKIP1("unterminated display string at byte 2") },

    /* bad_escape */
    { V("\"a\\nb\""), SKIP1("invalid escape in string at byte 3") },
    { V("\"a\\tb\""), SKIP1("invalid escape in string at byte 3") },
    { V("\"a\\'b\""), SKIP1("invalid escape in string at byte 3") },

    /* bad_non_ascii_in_string: raw UTF-8 inside a string is text (see
     * lenient_*); outside a string it is not an item; CTLs and DEL stay
     * refused */
    { V("\"Gr\xc3\xbc\xc3\x9f" "e\""), OK(1),
      .m = { M(FM_INFO, "Gr\xc3\xbc\xc3\x9f" "e", "") } },
    { V("%\"Gr\xc3\xbc\""), OK(1),
      .m = { M(FM_INFO, "Gr\xc3\xbc", "") } },
    { V("\"a\", \xc3\xa9"),
      SKIPPED("member 2 of 2 skipped: expected an item at byte 5", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\t\""), SKIP1("invalid character in string at byte 2") },
    { V("\"a\x7f\""), SKIP1("invalid character in string at byte 2") },

    /* bad_percent_encoding */
    { V("%\"%zz\""),
      SKIP1(PCT_INVALID " at byte 2") },
    { V("%\"%C3%BC\""),
      SKIP1(PCT_INVALID " at byte 2") },
    { V("%\"%c3%Bc\""),
      SKIP1(PCT_INVALID " at byte 5") },
    { V("%\"%c\""),
      SKIP1(PCT_INVALID " at byte 2") },
    { V("%\"%c"), SKIP1("truncated percent-encoding at byte 2") },
    { V("%\"ab%"), SKIP1("truncated percent-encoding at byte 4") },
    { V("%\"%\""), SKIP1("truncated percent-encoding at byte 2") },
    { V("\"ok\", %\"%g0\""),
      SKIPPED("member 2 of 2 skipped: invalid percent-encoding (two "
              "lowercase hex digits expected) at byte 8", 1),
      .m = { M(FM_INFO, "ok", "") } },

    /* bad_display_string_utf8 */
    { V("%\"%c3%28\""), SKIP1("display string is not valid UTF-8 at byte 2") },
    { V("%\"%c3\""), SKIP1("display string is not valid UTF-8 at byte 2") },
    /* surrogate */
    { V("%\"%ed%a0%80\""),
      SKIP1("display string is not valid UTF-8 at byte 2") },
    /* overlong */
    { V("%\"%c0%af\""), SKIP1("display string is not valid UTF-8 at byte 2") },
    { V("%\"%ff\""), SKIP1("display string is not valid UTF-8 at byte 2") },
    /* also as a parameter value */
    { V("\"ok\";x=%\"%80\""),
      SKIP1("display string is not valid UTF-8 at byte 9") },

    /* bad_list_separators */
    { V("\"a\","), SKIPPED("member 2 of 2 skipped: empty member", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\", "), SKIPPED("member 2 of 2 skipped: empty member", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\",,\"b\""), SKIPPED("member 2 of 3 skipped: empty member", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "b", "") } },
    { V("\"a\", ,\"b\""), SKIPPED("member 2 of 3 skipped: empty member", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "b", "") } },
    { V("\"a\" \"b\""), SKIP1("expected ',' after list member at byte 4") },
    { V("\"a\"x"), SKIP1("expected ',' after list member at byte 3") },
    { V("\"a\";level=error\"b\""),
      SKIP1("expected ',' after list member at byte 15") },
    { V("\"a\"; \"b\""), SKIP1("expected a parameter key at byte 5") },

    /* bad_syntax_error_position: a byte of the whole value */
    { V("  \"a\" x"), SKIP1("expected ',' after list member at byte 6") },
    { V("\"a\", \"b\";level= x"),
      SKIPPED("member 2 of 2 skipped: expected an item at byte 15", 1),
      .m = { M(FM_INFO, "a", "") } },

    /* bad_cr_lf */
    { V("\"a\"\r\n"), SKIP1("expected ',' after list member at byte 3") },
    { V("\"a\",\r\n\"b\""),
      SKIPPED("member 2 of 2 skipped: expected an item at byte 4", 1),
      .m = { M(FM_INFO, "a", "") } },
    { V("\"a\r\""), SKIP1("invalid character in string at byte 2") },
    { V("\"a\"\n, \"b\""),
      SKIPPED("member 1 of 2 skipped: expected ',' after list member at "
              "byte 3", 1),
      .m = { M(FM_INFO, "b", "") } },
    { V("%\"a\nb\""), SKIP1("invalid character in display string at byte 3") },

    /* bad_nul_embedded */
    { VN("\"a\0b\"", 5), SKIP1("invalid character in string at byte 2") },
    { VN("\"a\"\0", 4), SKIP1("expected ',' after list member at byte 3") },
    { VN("\"a\",\0\"b\"", 8),
      SKIPPED("member 2 of 2 skipped: expected an item at byte 4", 1),
      .m = { M(FM_INFO, "a", "") } },
    { VN("\"a\";level\0=error", 16),
      SKIP1("expected ',' after list member at byte 9") },
    { VN("%\"a\0\"", 5),
      SKIP1("invalid character in display string at byte 3") },
    { VN("\"a\\\0\"", 5), SKIP1("invalid escape in string at byte 3") },
    /* the value ends at len even where the buffer goes on */
    { VN("\"a\", \"b\"", 3), OK(1), .m = { M(FM_INFO, "a", "") } },
    { VN("%\"abc\"", 1), ERR("missing level") },

    /* lenient_raw_utf8: the PHP example (two header() calls joined by
     * php-cgi / php-fpm); strict first, then member by member */
    { V("\"Saved\";level=success, \"Gr\xc3\xbc\xc3\x9f" "e\";level=info"),
      OK(2), .m = { M(FM_SUCCESS, "Saved", ""),
        M(FM_INFO, "Gr\xc3\xbc\xc3\x9f" "e", "") },
      REPORT(2, 1, NULL) },
    { V("\"\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\";level=warning;"
        "tags=\"  \xc3\xa9t\xc3\xa9   hiver \""),
      OK(1), .m = { M(FM_WARNING, "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
                      "\xc3\xa9t\xc3\xa9 hiver") },
      REPORT(1, 1, NULL) },
    /* in a Display String too, beside percent-encoding */
    { V("%\"Gr\xc3\xbc%c3%9f" "e\";level=success"),
      OK(1), .m = { M(FM_SUCCESS, "Gr\xc3\xbc\xc3\x9f" "e", "") },
      REPORT(1, 1, NULL) },
    /* and in a parameter that is not used */
    { V("\"x\";note=\"caf\xc3\xa9\";level=error"),
      OK(1), .m = { M(FM_ERROR, "x", "") }, REPORT(1, 1, NULL) },
    /* strict values take the fast path */
    { V("\"Saved\";level=success, %\"Gr%c3%bc%c3%9f" "e\";level=info"),
      OK(2), .m = { M(FM_SUCCESS, "Saved", ""),
        M(FM_INFO, "Gr\xc3\xbc\xc3\x9f" "e", "") },
      REPORT(2, 0, NULL) },
    { V("\"a\", tok, \"b\""),
      SKIPPED("member 2 of 3 skipped: not a string", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "b", "") },
      REPORT(3, 0, "2:tok") },

    /* lenient_invalid_utf8: still refused, on its own */
    { V("\"Saved\";level=success, \"Gr\xfc\xdf" "e\";level=info, \"After\""),
      SKIPPED("member 2 of 3 skipped: string is not valid UTF-8 at byte 24",
              2),
      .m = { M(FM_SUCCESS, "Saved", ""), M(FM_INFO, "After", "") },
      REPORT(3, 1, "2:\"Gr\xfc\xdf" "e\";level=info") },
    /* truncated, overlong, surrogate, out of range, lone continuation */
    { V("\"abc\xc3\""), SKIP1("string is not valid UTF-8 at byte 1") },
    { V("\"\xc0\xaf\""), SKIP1("string is not valid UTF-8 at byte 1") },
    { V("\"\xed\xa0\x80\""), SKIP1("string is not valid UTF-8 at byte 1") },
    { V("\"\xf4\x90\x80\x80\""),
      SKIP1("string is not valid UTF-8 at byte 1") },
    { V("\"\x80\""), SKIP1("string is not valid UTF-8 at byte 1") },
    /* in tags, in a Display String, raw or mixed with percent-encoding */
    { V("\"x\";tags=\"\xff\", \"y\""),
      SKIPPED("member 1 of 2 skipped: string is not valid UTF-8 at byte 10",
              1), .m = { M(FM_INFO, "y", "") },
      REPORT(2, 1, "1:\"x\";tags=\"\xff\"") },
    { V("%\"\xff\""), SKIP1("display string is not valid UTF-8 at byte 2") },
    { V("%\"%c3\xc3\""),
      SKIP1("display string is not valid UTF-8 at byte 2") },
    /* CTLs and DEL beside raw UTF-8 */
    { V("\"Gr\xc3\xbc\x7f\""),
      SKIP1("invalid character in string at byte 5") },
    { V("\"\xc3\xa9\", \"a\tb\""),
      SKIPPED("member 2 of 2 skipped: invalid character in string at byte 8",
              1), .m = { M(FM_INFO, "\xc3\xa9", "") } },

    /* lenient_bad_middle: the first and the last survive */
    { V("\"First\";level=success, \"Middle\";Level=error, "
        "\"Last\";level=warning"),
      SKIPPED("member 2 of 3 skipped: expected a parameter key at byte 32", 2),
      .m = { M(FM_SUCCESS, "First", ""), M(FM_WARNING, "Last", "") },
      REPORT(3, 1, "2:\"Middle\";Level=error") },
    { V("\"a\", \"b\" \"c\", \"d\""),
      SKIPPED("member 2 of 3 skipped: expected ',' after list member at "
              "byte 9", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "d", "") },
      REPORT(3, 1, "2:\"b\" \"c\"") },
    { V("\"a\", info: plain text, \"d\""),
      SKIPPED("member 2 of 3 skipped: expected ',' after list member at "
              "byte 11", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "d", "") },
      REPORT(3, 1, "2:info: plain text") },
    /* two bad members, each counted; an unusable one among them */
    { V("\"a\";level=nope, \"b\", \"c\" \"d\", \"e\";level=error"),
      SKIPPED("member 1 of 4 skipped: unknown level (and 1 more members "
              "skipped)", 2),
      .m = { M(FM_INFO, "b", ""), M(FM_ERROR, "e", "") },
      REPORT(4, 1, "1:\"a\";level=nope", "3:\"c\" \"d\"") },
    /* every member bad */
    { V("\"a\";Level=1, tok:x;, \"c"),
      SKIPPED("member 1 of 3 skipped: expected a parameter key at byte 4 "
              "(and 2 more members skipped)", 0),
      REPORT(3, 1, "1:\"a\";Level=1", "2:tok:x;", "3:\"c") },

    /* lenient_unterminated: a string that never closes takes the rest of
     * the value with it (a '"' further on closes it, so no comma after
     * it is a member boundary any more) */
    { V("\"a\", \"oops;level=info, \"b\";level=warning"),
      SKIPPED("member 2 of 2 skipped: expected ',' after list member at "
              "byte 24", 1),
      .m = { M(FM_INFO, "a", "") },
      REPORT(2, 1, "2:\"oops;level=info, \"b\";level=warning") },
    /* docs/backends.md's example */
    { V("\"A\", \"oops, \"B\""),
      SKIPPED("member 2 of 2 skipped: expected ',' after list member at "
              "byte 13", 1),
      .m = { M(FM_INFO, "A", "") }, REPORT(2, 1, "2:\"oops, \"B\"") },
    { V("\"oops, \"a\", \"b\""),
      SKIP1("expected ',' after list member at byte 8"),
      REPORT(1, 1, "1:\"oops, \"a\", \"b\"") },
    { V("\"a\", \"b\", \"c"),
      SKIPPED("member 3 of 3 skipped: unterminated string at byte 12", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "b", "") },
      REPORT(3, 1, "3:\"c") },
    { V("\"a\", %\"oops, \"b\""),
      SKIPPED("member 2 of 2 skipped: expected ',' after list member at "
              "byte 14", 1),
      .m = { M(FM_INFO, "a", "") },
      REPORT(2, 1, "2:%\"oops, \"b\"") },
    /* an escaped quote does not close it */
    { V("\"a\", \"b\\\", \"c\", \"d\""),
      SKIPPED("member 2 of 2 skipped: expected ',' after list member at "
              "byte 12", 1),
      .m = { M(FM_INFO, "a", "") },
      REPORT(2, 1, "2:\"b\\\", \"c\", \"d\"") },

    /* lenient_commas_in_strings: not member boundaries */
    { V("\"a, b\";tags=\"x,y\", \"c,d\", %\"e,%2c f\", "
        "\"\xc3\xa9, \xc3\xa8\""),
      OK(4), .m = { M(FM_INFO, "a, b", "x,y"), M(FM_INFO, "c,d", ""),
        M(FM_INFO, "e,, f", ""), M(FM_INFO, "\xc3\xa9, \xc3\xa8", "") },
      REPORT(4, 1, NULL) },
    { V("\"a, b\";Level=1, \"c, d\""),
      SKIPPED("member 1 of 2 skipped: expected a parameter key at byte 7", 1),
      .m = { M(FM_INFO, "c, d", "") },
      REPORT(2, 1, "1:\"a, b\";Level=1") },
    { V("\"x\", (\"a, b\" \"c\"), \"\xc3\xa9\""),
      SKIPPED("member 2 of 3 skipped: inner list is not a message", 2),
      .m = { M(FM_INFO, "x", ""), M(FM_INFO, "\xc3\xa9", "") },
      REPORT(3, 1, "2:(\"a, b\" \"c\")") },
    /* but a comma in an inner list outside strings is */
    { V("\"a\", (\"b\", \"c\")"),
      SKIPPED("member 2 of 3 skipped: expected ' ' or ')' in inner list at "
              "byte 9 (and 1 more members skipped)", 1),
      .m = { M(FM_INFO, "a", "") },
      REPORT(3, 1, "2:(\"b\"", "3:\"c\")") },

    /* lenient_escapes */
    { V("\"say \\\"hi\\\", \\\\ \xc3\xbc\", \"b\""),
      OK(2), .m = { M(FM_INFO, "say \"hi\", \\ \xc3\xbc", ""),
        M(FM_INFO, "b", "") },
      REPORT(2, 1, NULL) },
    { V("\"a\\\\\", \"\xc3\xa9\""),
      OK(2), .m = { M(FM_INFO, "a\\", ""), M(FM_INFO, "\xc3\xa9", "") },
      REPORT(2, 1, NULL) },
    /* no escapes in a Display String: its '\' before '"' is text */
    { V("%\"C:\\\", \"\xc3\xa9\""),
      OK(2), .m = { M(FM_INFO, "C:\\", ""), M(FM_INFO, "\xc3\xa9", "") },
      REPORT(2, 1, NULL) },
    { V("\"a\", \"b\\nc\", \"d\""),
      SKIPPED("member 2 of 3 skipped: invalid escape in string at byte 8",
              2), .m = { M(FM_INFO, "a", ""), M(FM_INFO, "d", "") },
      REPORT(3, 1, "2:\"b\\nc\"") },
    { V("\"x\\\", y\";Level=1, \"z\""),
      SKIPPED("member 1 of 2 skipped: expected a parameter key at byte 9", 1),
      .m = { M(FM_INFO, "z", "") },
      REPORT(2, 1, "1:\"x\\\", y\";Level=1") },

    /* lenient_display_strings */
    { V("\"a\", %\"%zz\", \"c\""),
      SKIPPED("member 2 of 3 skipped: invalid percent-encoding (two "
              "lowercase hex digits expected) at byte 7", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "c", "") },
      REPORT(3, 1, "2:%\"%zz\"") },
    { V("%\"caf\xc3\xa9\", %\"caf%c3%a9\";level=success"),
      OK(2), .m = { M(FM_INFO, "caf\xc3\xa9", ""),
        M(FM_SUCCESS, "caf\xc3\xa9", "") },
      REPORT(2, 1, NULL) },
    { V("%\"%22quoted%22, ok\", \"\xc3\xa9\""),
      OK(2), .m = { M(FM_INFO, "\"quoted\", ok", ""),
        M(FM_INFO, "\xc3\xa9", "") },
      REPORT(2, 1, NULL) },
    { V("\"a\", %\"%c3%28\";level=error, %\"ok\""),
      SKIPPED("member 2 of 3 skipped: display string is not valid UTF-8 at "
              "byte 7", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "ok", "") },
      REPORT(3, 1, "2:%\"%c3%28\";level=error") },

    /* lenient_params_after_bad: the next member has its own parameters,
     * and a skipped member's parameters go with it */
    { V("\"a\";Level=error, \"b\";level=warning;tags=\"x y\""),
      SKIPPED("member 1 of 2 skipped: expected a parameter key at byte 4", 1),
      .m = { M(FM_WARNING, "b", "x y") } },
    { V("\"a\" junk;level=error;tags=\"t\", \"b\""),
      SKIPPED("member 1 of 2 skipped: expected ',' after list member at "
              "byte 4", 1),
      .m = { M(FM_INFO, "b", "") },
      REPORT(2, 1, "1:\"a\" junk;level=error;tags=\"t\"") },
    { V("\"a\";tags=\"x, y\";Level=1, \"b\";level=error;tags=\"z\""),
      SKIPPED("member 1 of 2 skipped: expected a parameter key at byte 16",
              1), .m = { M(FM_ERROR, "b", "z") } },
    { V("\"a\";=1, \"b\";level=success;tags=\"\xc3\xa9t\xc3\xa9\""),
      SKIPPED("member 1 of 2 skipped: expected a parameter key at byte 4", 1),
      .m = { M(FM_SUCCESS, "b", "\xc3\xa9t\xc3\xa9") } },
    { VLV("\"a\";level=, \"b\";level=notice;x=?1;level=35"),
      SKIPPED("member 1 of 2 skipped: expected an item at byte 10", 1),
      .m = { M(35, "b", "") } },

    /* lenient_blanks: OWS around members is not part of them */
    { V("\"a\" ,\t\"b\" \"c\"\t , \"\xc3\xa9\" "),
      SKIPPED("member 2 of 3 skipped: expected ',' after list member at "
              "byte 10", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "\xc3\xa9", "") },
      REPORT(3, 1, "2:\"b\" \"c\"") },
    { V("\"a\",  \t ,\"b\""),
      SKIPPED("member 2 of 3 skipped: empty member", 2),
      .m = { M(FM_INFO, "a", ""), M(FM_INFO, "b", "") },
      REPORT(3, 1, "2:") },

    /* bad_reason_has_no_value_bytes */
    { V("\"SECRET\";level=SECRETLEVEL"), ERROR_WITHOUT("SECRET") },
    { V("\"a\", SECRET\""), ERROR_WITHOUT("SECRET") },
    { V("SECRET: \x01"), ERROR_WITHOUT("SECRET") },
    { V("\"a\", \"SECRET\xff\", SECRET;Level=1"), ERROR_WITHOUT("SECRET") },
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

/* The row's REPORT(...) against the report. */
static void check_row_report(const hp_case *c, const char *at)
{
    apr_size_t want = 0;
    int i;

    ck_assert_msg(report.members == c->members, "%s: %" APR_SIZE_T_FMT
                  " members, want %" APR_SIZE_T_FMT, at, report.members,
                  c->members);
    ck_assert_msg(report.lenient == c->lenient, "%s: lenient %d, want %d",
                  at, report.lenient, c->lenient);
    while (want < HP_MAX_SKIPS && c->skips[want])
        want++;
    ck_assert_msg(report.nskipped == want, "%s: %" APR_SIZE_T_FMT
                  " skipped, want %" APR_SIZE_T_FMT, at, report.nskipped,
                  want);
    for (i = 0; i < (int)want; i++) {
        const fm_header_skip *k = &APR_ARRAY_IDX(report.skipped, i,
                                                 fm_header_skip);
        const char *colon = strchr(c->skips[i], ':');
        const char *bytes = apr_pstrmemdup(ut_pool, c->value + k->offset,
                                           k->len);
        ck_assert_ptr_nonnull(colon);
        ck_assert_msg(k->index == (apr_size_t)atoi(c->skips[i]),
                      "%s: skip %d is member %" APR_SIZE_T_FMT ", want %s",
                      at, i, k->index, c->skips[i]);
        ck_assert_msg(k->len == strlen(colon + 1)
                      && memcmp(bytes, colon + 1, k->len) == 0,
                      "%s: skip %d is \"%s\", want \"%s\"", at, i, bytes,
                      colon + 1);
    }
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
    if (c->has_report)
        check_row_report(c, at);
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

/* k members skipped (after a failed strict parse); n messages added. */
#define ASSERT_SKIPPED(k, n) do {                                     \
        ck_assert_ptr_nonnull(reason);                                \
        ck_assert_int_eq(report.lenient, 1);                          \
        ck_assert_uint_eq(report.nskipped, (k));                      \
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
    /* the trailing ',' makes an empty member 10001; the rest is added */
    ASSERT_SKIPPED(1, 10000);
    ck_assert_str_eq(reason, "member 10001 of 10001 skipped: empty member");
    ck_assert_str_eq(MSG(9999).text, "m9999");
}
END_TEST

START_TEST(big_1m_quotes)
{
    double t0 = now_seconds();
    P(repeat('"', 1 << 20));
    ASSERT_SKIPPED(1, 0);
    ck_assert_str_eq(reason, "member 1 of 1 skipped: expected ',' after "
                     "list member at byte 2");
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
    ASSERT_SKIPPED(1, 0);
    /* A display string of percent-escapes that never ends. */
    v = apr_pstrcat(ut_pool, "%\"", repeat('a', n), NULL);
    memcpy(v + 2, "%c3%bc", 6);
    P(v);
    ASSERT_SKIPPED(1, 0);
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
    ASSERT_SKIPPED(1, 1);
    /* Many empty display strings, then garbage. */
    {
        apr_size_t i;
        v = apr_palloc(ut_pool, n + 1);
        for (i = 0; i + 4 <= n; i += 4)
            memcpy(v + i, "%\"\",", 4);
        v[i - 1] = '!';
        PN(v, i);
        ASSERT_SKIPPED(1, 0);
        ck_assert_uint_eq(report.members, n / 4);
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

/*
 * 1000 members, every 7th malformed (five ways, none of them an unclosed
 * string), the others valid, some with raw UTF-8: every valid one is
 * added, in order; every bad one is counted, the first 16 kept with their
 * positions and bytes.
 */
START_TEST(lenient_1000_members_every_7th_bad)
{
    static const char *const bad[] = {
        "\"b%d\";Level=error", "\"b%d\" \"x\"", "tok%d:;", "\"b\xff%d\"", ""
    };
    apr_array_header_t *parts = apr_array_make(ut_pool, 1000, sizeof(char *));
    apr_array_header_t *want = apr_array_make(ut_pool, 1000, sizeof(char *));
    const char *v;
    apr_size_t i;

    for (i = 1; i <= 1000; i++) {
        char *m;
        if (i % 7 == 0) {
            m = apr_psprintf(ut_pool, bad[(i / 7) % 5], (int)i);
        }
        else {
            const char *text = apr_psprintf(ut_pool, i % 2 ? "m%d"
                                            : "m%d \xc3\xa9", (int)i);
            m = apr_psprintf(ut_pool, "\"%s\";level=warning", text);
            APR_ARRAY_PUSH(want, const char *) = text;
        }
        APR_ARRAY_PUSH(parts, char *) = m;
    }
    v = apr_array_pstrcat(ut_pool, parts, ',');
    P(v);
    ck_assert_int_eq(report.lenient, 1);
    ck_assert_uint_eq(report.members, 1000);
    ck_assert_uint_eq(report.nskipped, 142);
    ck_assert_int_eq(report.skipped->nelts, FM_HEADER_SKIPS_KEPT);
    ck_assert_int_eq(msgs->nelts, want->nelts);
    for (i = 0; i < (apr_size_t)want->nelts; i++)
        ASSERT_MSG((int)i, FM_WARNING, APR_ARRAY_IDX(want, i, const char *),
                   "");
    for (i = 0; i < FM_HEADER_SKIPS_KEPT; i++) {
        const fm_header_skip *s = &APR_ARRAY_IDX(report.skipped, i,
                                                 fm_header_skip);
        ck_assert_uint_eq(s->index, 7 * (i + 1));
        ck_assert_str_eq(apr_pstrmemdup(ut_pool, v + s->offset, s->len),
                         APR_ARRAY_IDX(parts, s->index - 1, char *));
    }
    /* member 7 is "b7" "x": the error is at its second string */
    ck_assert_str_eq(reason, apr_psprintf(ut_pool, "member 7 of 1000 skipped: "
                     "expected ',' after list member at byte %" APR_SIZE_T_FMT
                     " (and 141 more members skipped)",
                     APR_ARRAY_IDX(report.skipped, 0, fm_header_skip).offset
                     + 5));
}
END_TEST

/* A million empty members: counted, not kept (the report stays small). */
START_TEST(lenient_1m_empty_members)
{
    apr_size_t n = 1 << 20;
    double t0 = now_seconds();
    char *v = apr_pstrcat(ut_pool, "\"a\"", repeat(',', n), NULL);

    P(v);
    ASSERT_SKIPPED(n, 1);
    ASSERT_MSG(0, FM_INFO, "a", "");
    ck_assert_uint_eq(report.members, n + 1);
    ck_assert_int_eq(report.skipped->nelts, FM_HEADER_SKIPS_KEPT);
    ck_assert_str_eq(reason, apr_psprintf(ut_pool, "member 2 of %"
                     APR_SIZE_T_FMT " skipped: empty member (and %"
                     APR_SIZE_T_FMT " more members skipped)", n + 1, n - 1));
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
    tcase_add_test(tc, lenient_1000_members_every_7th_bad);
    tcase_add_test(tc, lenient_1m_empty_members);
    suite_add_tcase(s, tc);
    return s;
}

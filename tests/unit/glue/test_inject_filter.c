/*
 * test_inject_filter.c - the body filter's brigade handling
 * (filters/inject_filter.c) on fake requests: the configuration made by
 * the module's own directives, pending messages in a real cookie, the
 * module's insert_filter hook building the chain FLASHMSG ->
 * FLASHMSG_GUARD -> capture, and brigades passed as a handler passes them.
 */
#include <string.h>

#include <apr_strings.h>

#include "glue.h"
#include "store/store.h"
#include "filters/filters.h"
#include "../../common/fixtures.h"

#define PH "<!--FLASH_MESSAGES-->"
/* The two pending messages below, in the default template. */
#define BLOCK "<div class=\"flashmsg\" role=\"status\" aria-live=\"polite\" " \
              "data-turbo-temporary data-hx-history=\"false\">" \
              "<ul class=\"messages\"><li class=\"success\" dir=\"auto\">Saved.</li>" \
              "<li class=\"sticky warning\" dir=\"auto\">Disk &lt;almost&gt; full</li></ul></div>"
/* FlashMsg On with the key the test cookies are made with. */
#define ON "FlashMsg", "On", NULL, "FlashMsgSecret", FX_SECRET_A, NULL

static apr_pool_t *tp;

static void setup(void)
{
    apr_pool_create(&tp, NULL);
    ft_log_reset();
}

static void teardown(void)
{
    apr_pool_destroy(tp);
    tp = NULL;
}

/* A page request whose client holds two pending messages. */
static request_rec *page_with_pending(ft_env *env)
{
    fm_message m[2];
    m[0] = fx_msg(FM_SUCCESS, "Saved.", "", fm_now());
    m[1] = fx_msg(FM_WARNING, "Disk <almost> full", "sticky", fm_now());
    return ft_request(env, ft_cookie(env, m, 2));
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
        n++;
    return n;
}

static void assert_body(const ft_env *env, const char *want)
{
    ck_assert_uint_eq(env->out.body_len, strlen(want));
    ck_assert_str_eq(env->out.body, want);
    ck_assert(env->out.eos);
}

/* The messages were shown in the page: consumed, the cookie deleted, the
 * page kept out of every cache. */
static void assert_rendered(request_rec *r)
{
    const char *sc = apr_table_get(r->err_headers_out, "Set-Cookie");
    ck_assert_int_eq(fm_store_pending(r)->nelts, 0);
    ck_assert(fm_store_flags(r) & FM_STORE_RENDERED);
    ck_assert_ptr_nonnull(sc);
    ck_assert_msg(!strncmp(sc, FX_COOKIE_NAME "=; Max-Age=0; ",
                           strlen(FX_COOKIE_NAME "=; Max-Age=0; ")),
                  "Set-Cookie: %s", sc);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Cache-Control"),
                     "private, no-store");
    ck_assert_ptr_null(ft_find_filter(r, "FLASHMSG"));
}

/* The messages stay pending and nothing is written. */
static void assert_kept(request_rec *r, int n)
{
    ck_assert_int_eq(fm_store_pending(r)->nelts, n);
    ck_assert(!(fm_store_flags(r) & FM_STORE_RENDERED));
    ck_assert(!(fm_store_flags(r) & FM_STORE_SAVED));
    ck_assert_ptr_null(apr_table_get(r->err_headers_out, "Set-Cookie"));
    ck_assert_ptr_null(ft_find_filter(r, "FLASHMSG"));
}

START_TEST(placeholder_one_byte_per_bucket)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);
    const char *page = "<html><body>" PH "<main><p>x</p>" PH "</main>"
                       "<!--FLASH_MESSAGES- -->" "</body></html>";

    ck_assert_ptr_nonnull(ft_find_filter(r, "FLASHMSG"));
    ck_assert_ptr_nonnull(ft_find_filter(r, "FLASHMSG_GUARD"));
    ck_assert_int_eq(ft_send_pieces(env, page, 1, 1), APR_SUCCESS);
    assert_body(env, "<html><body>" BLOCK "<main><p>x</p>" BLOCK "</main>"
                "<!--FLASH_MESSAGES- -->" "</body></html>");
    ck_assert_int_eq(count(env->out.body, BLOCK), 2);
    ck_assert_int_eq(env->out.passes, 1);
    assert_rendered(r);
    ck_assert(ft_log_has(APLOG_DEBUG, "rendering 2 message(s)"));
}
END_TEST

#define FILE_PAGE "<html><body>" PH "<main><p>x</p>" PH "</main>" \
                  "</body></html>" "<!--FLASH_MESS"
#define FILE_PAGE_RENDERED "<html><body>" BLOCK "<main><p>x</p>" BLOCK \
                           "</main>" "</body></html>" "<!--FLASH_MESS"

/* A static page of FILE_PAGE with the messages pending, sent as a file
 * bucket on an HTTP/2 stream (a secondary connection) or over HTTP/1:
 * rendered either way, and this many data buckets reach the network as
 * file buckets. */
static void send_small_file(int over_http2, int file_buckets)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);
    conn_rec client;

    memset(&client, 0, sizeof(client));
    if (over_http2)
        r->connection->master = &client;
    ck_assert_int_eq(ft_send_file(env, FILE_PAGE), APR_SUCCESS);
    assert_body(env, FILE_PAGE_RENDERED);
    ck_assert_int_eq(env->out.file_buckets, file_buckets);
    assert_rendered(r);
}

START_TEST(small_file_stays_a_file_over_http2)
{
    /* crosses to the client's connection as file buckets: only the
     * placeholders are cut out (before, between, after; the held-back tail
     * comes from the pattern) */
    send_small_file(1, 3);
}
END_TEST

START_TEST(small_file_read_once_over_http1)
{
    /* one read into one heap bucket */
    send_small_file(0, 0);
}
END_TEST

START_TEST(large_file_is_read_in_place)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);
    apr_size_t n = 200 * 1024, at = 100 * 1024 - 5;
    char *page = apr_palloc(tp, n + 1), *want;

    memset(page, 'x', n);
    page[n] = '\0';
    memcpy(page, PH, strlen(PH));
    memcpy(page + at, PH, strlen(PH));
    want = apr_pstrcat(tp, BLOCK, apr_pstrndup(tp, page + strlen(PH),
                                               at - strlen(PH)),
                       BLOCK, page + at + strlen(PH), NULL);
    ck_assert_int_eq(ft_send_file(env, page), APR_SUCCESS);
    assert_body(env, want);
    assert_rendered(r);
}
END_TEST

START_TEST(placeholder_one_byte_per_brigade)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);
    const char *page = "<html><body>" PH "<p>x</p>" PH "</body></html>";
    apr_size_t i, ph_end = strlen("<html><body>" PH);

    for (i = 0; page[i]; i++) {
        char one[2] = { page[i], '\0' };
        ck_assert_int_eq(ft_send_pieces(env, one, 0, 0), APR_SUCCESS);
        /* held until the first placeholder decides, then streamed */
        if (i + 1 < ph_end)
            ck_assert_int_eq(env->out.passes, 0);
        else if (i + 1 == ph_end)
            ck_assert_str_eq(env->out.trace, "<html><body>" BLOCK "|");
    }
    ck_assert_int_eq(ft_send(env, FT_EOS, NULL), APR_SUCCESS);
    assert_body(env, "<html><body>" BLOCK "<p>x</p>" BLOCK "</body></html>");
    assert_rendered(r);
}
END_TEST

START_TEST(no_placeholder_within_scan_limit)
{
    ft_env *env = ft_env_make(tp, ON, "FlashMsgScanLimit", "1024", NULL,
                              NULL);
    request_rec *r = page_with_pending(env);
    char filler[1501];
    const char *page, *first, *rest;

    memset(filler, 'a', 1500);
    filler[1500] = '\0';
    /* the placeholder comes only after the first 1024 bytes */
    page = apr_pstrcat(tp, "<html><body><p>", filler, "</p>", PH,
                       "</body></html>", NULL);
    first = apr_pstrndup(tp, page, 1000);
    rest = page + 1000;

    ck_assert_int_eq(ft_send_pieces(env, first, 100, 0), APR_SUCCESS);
    ck_assert_int_eq(env->out.passes, 0);              /* still looking */
    ck_assert_int_eq(ft_send_pieces(env, rest, 100, 1), APR_SUCCESS);
    assert_body(env, page);                            /* byte for byte */
    ck_assert_int_eq(env->out.passes, 1);
    assert_kept(r, 2);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Cache-Control"),
                     "no-cache");
    ck_assert(ft_log_has(APLOG_DEBUG, "no placeholder in the first"));
    ck_assert(ft_log_has(APLOG_DEBUG, "messages stay pending"));
}
END_TEST

START_TEST(trace_names_the_verdict_only_when_on)
{
    ft_env *env = ft_env_make(tp, ON, "FlashMsgTrace", "On", NULL, NULL);
    request_rec *r = page_with_pending(env);

    ck_assert_int_eq(ft_send_pieces(env, "<html><body>" PH "</body></html>",
                                    5, 1), APR_SUCCESS);
    assert_rendered(r);
    /* in the headers that error responses keep */
    ck_assert_str_eq(apr_table_get(r->err_headers_out, "X-Flash-Trace"),
                     "pending=2; rendered=2");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "X-Flash-Trace"));

    env = ft_env_make(tp, ON, NULL);
    r = page_with_pending(env);
    ck_assert_int_eq(ft_send_pieces(env, "<html><body></body></html>", 0, 1),
                     APR_SUCCESS);
    assert_kept(r, 2);
    ck_assert_ptr_null(apr_table_get(r->err_headers_out, "X-Flash-Trace"));
    ck_assert_ptr_null(apr_table_get(r->headers_out, "X-Flash-Trace"));
}
END_TEST

/* A placeholder written almost right, cut anywhere between buckets: the
 * trace says so every time; the warn line comes once per process and URI. */
START_TEST(near_miss_split_anywhere)
{
    const char *page = "<html><body><!-- Flash_Messages\n --><p>x</p>"
                       "</body></html>";
    apr_size_t piece;

    for (piece = 1; piece <= strlen(page); piece++) {
        ft_env *env = ft_env_make(tp, ON, "FlashMsgTrace", "On", NULL, NULL);
        request_rec *r = page_with_pending(env);
        const char *trace;

        ft_log_reset();
        ck_assert_int_eq(ft_send_pieces(env, page, piece, 1), APR_SUCCESS);
        assert_body(env, page);
        assert_kept(r, 2);
        trace = apr_table_get(r->err_headers_out, "X-Flash-Trace");
        ck_assert_msg(trace && strstr(trace, "kept: no placeholder in the "
                                      "first 58 bytes, but one written "
                                      "almost right"), "piece %zu: %s",
                      piece, trace);
        ck_assert_int_eq(ft_log_has(APLOG_WARNING, "written almost right"),
                         piece == 1);
    }
}
END_TEST

START_TEST(flush_held_while_looking_ahead)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);

    /* looking ahead: the FLUSH would send the headers before the
     * decision, so it is held in its place with the data */
    ck_assert_int_eq(ft_send(env, "<html><head>", FT_FLUSH,
                             "<title>t</title>", NULL), APR_SUCCESS);
    ck_assert_int_eq(env->out.passes, 0);
    /* rendering: a FLUSH passes everything before it at once */
    ck_assert_int_eq(ft_send(env, "</head><body>" PH "<p>", FT_FLUSH, NULL),
                     APR_SUCCESS);
    ck_assert_int_eq(env->out.passes, 1);
    ck_assert_str_eq(env->out.trace, "<html><head>{FLUSH}<title>t</title>"
                     "</head><body>" BLOCK "<p>{FLUSH}|");
    ck_assert_int_eq(ft_send(env, "</p></body></html>", FT_EOS, NULL),
                     APR_SUCCESS);
    ck_assert_int_eq(env->out.passes, 2);
    ck_assert_str_eq(env->out.trace, "<html><head>{FLUSH}<title>t</title>"
                     "</head><body>" BLOCK "<p>{FLUSH}|"
                     "</p></body></html>{EOS}|");
    assert_rendered(r);
}
END_TEST

START_TEST(eos_in_first_brigade)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);

    ck_assert_int_eq(ft_send(env, "<html>" PH "</html>", FT_EOS, NULL),
                     APR_SUCCESS);
    ck_assert_str_eq(env->out.trace, "<html>" BLOCK "</html>{EOS}|");
    assert_rendered(r);
}
END_TEST

START_TEST(eos_in_first_brigade_without_placeholder)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);

    ck_assert_int_eq(ft_send(env, "<html><body>no place for them",
                             FT_FLUSH, "</body></html>", FT_EOS, NULL),
                     APR_SUCCESS);
    ck_assert_str_eq(env->out.trace, "<html><body>no place for them{FLUSH}"
                     "</body></html>{EOS}|");
    assert_kept(r, 2);
    ck_assert(ft_log_has(APLOG_DEBUG, "messages stay pending"));
}
END_TEST

START_TEST(partial_placeholder_at_end)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);
    /* the matcher holds "<!--FLASH_MESS" to the end: given back as is */
    const char *page = "<html><!--FLASH_<!--FLASH_MESS";

    ck_assert_int_eq(ft_send_pieces(env, page, 1, 1), APR_SUCCESS);
    assert_body(env, page);
    assert_kept(r, 2);
}
END_TEST

START_TEST(non_html_passes_untouched)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = page_with_pending(env);
    const char *body = "{\"x\":\"" PH "\"}";

    r->content_type = "application/json";
    ck_assert_int_eq(ft_send(env, body, FT_EOS, NULL), APR_SUCCESS);
    assert_body(env, body);
    ck_assert_ptr_eq(env->out.last_bb, env->sent_bb);
    ck_assert_int_eq(env->out.passes, 1);
    assert_kept(r, 2);
    ck_assert(ft_log_has(APLOG_DEBUG,
                         "2 message(s) stay pending: not an HTML page"));
}
END_TEST

START_TEST(nothing_pending_filter_leaves)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = ft_request(env, NULL);
    const char *page = "<html><body>" PH "</body></html>";

    ck_assert_ptr_nonnull(ft_find_filter(r, "FLASHMSG"));
    ck_assert_int_eq(ft_send(env, page, FT_EOS, NULL), APR_SUCCESS);
    ck_assert_ptr_null(ft_find_filter(r, "FLASHMSG"));
    /* the same brigade, untouched, and nothing allocated for messages */
    ck_assert_ptr_eq(env->out.last_bb, env->sent_bb);
    ck_assert_int_eq(env->out.passes, 1);
    assert_body(env, page);
    ck_assert_uint_eq(fm_store_flags(r), 0);
    ck_assert_ptr_null(apr_table_get(r->err_headers_out, "Set-Cookie"));
    ck_assert_str_eq(apr_table_get(r->headers_out, "Cache-Control"),
                     "no-cache");
}
END_TEST

/* Which Content-Types are pages: the media type (up to ';', a space or a
 * tab) compared without case.  Seen through Cache-Control: no-cache, which
 * only a renderable page gets. */
START_TEST(which_content_types_are_html)
{
    static const struct { const char *ct; int html; } cases[] = {
        { "text/html", 1 }, { "TEXT/Html", 1 },
        { "text/html;charset=utf-8", 1 }, { "text/html ; charset=x", 1 },
        { "text/html\tx", 1 }, { "application/xhtml+xml", 1 },
        { "Application/XHTML+XML; charset=utf-8", 1 },
        { "text/htm", 0 }, { "text/htmlx", 0 }, { "text/html,x", 0 },
        { "atext/html", 0 }, { "application/xhtml+xmlx", 0 },
        { "application/xhtml", 0 }, { "text/plain", 0 }, { "", 0 },
        { "t", 0 }, { "a", 0 },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ft_env *env = ft_env_make(tp, ON, NULL);
        request_rec *r = ft_request(env, NULL);
        const char *cc;
        r->content_type = cases[i].ct;
        ck_assert_int_eq(ft_send(env, "<p>x</p>", FT_EOS, NULL), APR_SUCCESS);
        cc = apr_table_get(r->headers_out, "Cache-Control");
        ck_assert_msg((cc != NULL) == cases[i].html, "%s", cases[i].ct);
    }
}
END_TEST

START_TEST(response_header_messages_rendered)
{
    ft_env *env = ft_env_make(tp, ON, NULL);
    request_rec *r = ft_request(env, NULL);

    apr_table_setn(r->headers_out, "X-Flash", "success: Welcome back");
    ck_assert_int_eq(ft_send_pieces(env, "<html>" PH "</html>", 3, 1),
                     APR_SUCCESS);
    assert_body(env, "<html><div class=\"flashmsg\" role=\"status\" "
                "aria-live=\"polite\" data-turbo-temporary "
                "data-hx-history=\"false\"><ul class=\"messages\">"
                "<li class=\"success\" dir=\"auto\">Welcome back</li></ul></div></html>");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "X-Flash"));
    ck_assert_int_eq(fm_store_pending(r)->nelts, 0);
    ck_assert(fm_store_flags(r) & FM_STORE_RENDERED);
    /* the client held nothing and nothing is left: no cookie written */
    ck_assert_ptr_null(apr_table_get(r->err_headers_out, "Set-Cookie"));
}
END_TEST

START_TEST(configured_placeholder_and_template)
{
    ft_env *env = ft_env_make(tp, ON, "FlashMsgPlaceholder", "{{flash}}",
                              NULL, "FlashMsgTemplate",
                              "<b class=\"%{level_tag}\">%{message}</b>",
                              NULL, NULL);
    request_rec *r = page_with_pending(env);

    ck_assert_int_eq(ft_send_pieces(env, "x" PH "y{{fl{{flash}}z", 1, 1),
                     APR_SUCCESS);
    assert_body(env, "x" PH "y{{fl<b class=\"success\">Saved.</b>"
                "<b class=\"warning\">Disk &lt;almost&gt; full</b>z");
    assert_rendered(r);
}
END_TEST

/* FlashMsgHistoryGuard: the marker before each rendered block, the
 * constant script after it; a nonce from the request's environment. */
#define GUARDED_TMPL "FlashMsgTemplate", "<b>%{message}</b>", NULL
#define GUARDED(attr) FM_GUARD_MARK "<b>Saved.</b><b>Disk &lt;almost&gt; full</b>" \
                      "<script" attr ">" FM_GUARD_SCRIPT "</script>"

START_TEST(history_guard_after_each_block)
{
    ft_env *env = ft_env_make(tp, ON, GUARDED_TMPL,
                              "FlashMsgHistoryGuard", "On", NULL, NULL);
    request_rec *r = page_with_pending(env);

    ck_assert_int_eq(ft_send_pieces(env, "x" PH "y" PH "z", 2, 1),
                     APR_SUCCESS);
    assert_body(env, "x" GUARDED("") "y" GUARDED("") "z");
    assert_rendered(r);
}
END_TEST

START_TEST(history_guard_nonce_from_environment)
{
    ft_env *env = ft_env_make(tp, ON, GUARDED_TMPL, "FlashMsgHistoryGuard",
                              "On", "CSP_NONCE", NULL, NULL);
    request_rec *r = page_with_pending(env);

    apr_table_setn(r->subprocess_env, "CSP_NONCE", "rAnd0m+/_-=");
    ck_assert_int_eq(ft_send_pieces(env, "x" PH "y", 0, 1), APR_SUCCESS);
    assert_body(env, "x" GUARDED(" nonce=\"rAnd0m+/_-=\"") "y");
    assert_rendered(r);
}
END_TEST

/* No nonce, or one that is not a nonce: the messages without the script
 * (the browser would refuse it), and a warning. */
START_TEST(history_guard_without_usable_nonce)
{
    static const char *const bad[] = { NULL, "", "a\"><script>x", NULL };
    int i;
    for (i = 0; i < 3; i++) {
        ft_env *env = ft_env_make(tp, ON, GUARDED_TMPL, "FlashMsgHistoryGuard",
                                  "On", "CSP_NONCE", NULL, NULL);
        request_rec *r = page_with_pending(env);
        ft_log_reset();
        if (bad[i])
            apr_table_setn(r->subprocess_env, "CSP_NONCE", bad[i]);
        ck_assert_int_eq(ft_send_pieces(env, "x" PH "y", 0, 1), APR_SUCCESS);
        assert_body(env, "x<b>Saved.</b><b>Disk &lt;almost&gt; full</b>y");
        assert_rendered(r);
        ck_assert(ft_log_has(APLOG_WARNING, i == 2 ? "CSP_NONCE is not a CSP nonce"
                                              : "no nonce in CSP_NONCE"));
    }
}
END_TEST

Suite *inject_filter_suite(void)
{
    Suite *s = suite_create("inject_filter");
    TCase *tc = tcase_create("brigades");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, placeholder_one_byte_per_bucket);
    tcase_add_test(tc, placeholder_one_byte_per_brigade);
    tcase_add_test(tc, small_file_stays_a_file_over_http2);
    tcase_add_test(tc, small_file_read_once_over_http1);
    tcase_add_test(tc, large_file_is_read_in_place);
    tcase_add_test(tc, no_placeholder_within_scan_limit);
    tcase_add_test(tc, flush_held_while_looking_ahead);
    tcase_add_test(tc, eos_in_first_brigade);
    tcase_add_test(tc, eos_in_first_brigade_without_placeholder);
    tcase_add_test(tc, partial_placeholder_at_end);
    tcase_add_test(tc, non_html_passes_untouched);
    tcase_add_test(tc, nothing_pending_filter_leaves);
    tcase_add_test(tc, which_content_types_are_html);
    tcase_add_test(tc, response_header_messages_rendered);
    tcase_add_test(tc, configured_placeholder_and_template);
    tcase_add_test(tc, trace_names_the_verdict_only_when_on);
    tcase_add_test(tc, near_miss_split_anywhere);
    tcase_add_test(tc, history_guard_after_each_block);
    tcase_add_test(tc, history_guard_nonce_from_environment);
    tcase_add_test(tc, history_guard_without_usable_nonce);
    suite_add_tcase(s, tc);
    return s;
}

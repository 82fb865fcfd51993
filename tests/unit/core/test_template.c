/* test_template.c - template compile errors, rendering and escaping. */
#include <string.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include "unit.h"
#include "template.h"
#include "html.h"
#include "../../common/fixtures.h"

static const char *render(const fm_template *t, const fm_message *m, int n)
{
    apr_size_t len;
    char *s = fm_template_render(ut_pool, t, fm_levels_make(ut_pool), NULL,
                                 m, n, 0, &len);
    ck_assert_uint_eq(len, strlen(s));
    return s;
}

/* Django's ul.messages inside a polite live region that history caches
 * leave out. */
#define LIVE_REGION(live) "<div class=\"flashmsg\" role=\"status\" " \
    "aria-live=\"" live "\" data-turbo-temporary data-hx-history=\"false\">"

START_TEST(default_markup_is_djangos)
{
    fm_template *t;
    fm_message m[2];
    m[0] = fx_msg(FM_SUCCESS, "Saved", "", 0);
    m[1] = fx_msg(FM_DEBUG, "Dbg", "extra-tag", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, FM_DEFAULT_ITEM,
                                           FM_DEFAULT_WRAPPER, &t));
    ck_assert_str_eq(render(t, m, 2), LIVE_REGION("polite")
                     "<ul class=\"messages\"><li class=\"success\" dir=\"auto\">"
                     "Saved</li><li class=\"extra-tag debug\" dir=\"auto\">Dbg</li>"
                     "</ul></div>");
}
END_TEST

/* %{live}: assertive as soon as one message is an error (or above). */
START_TEST(live_is_assertive_for_errors)
{
    fm_template *t;
    fm_message m[3];
    m[0] = fx_msg(FM_WARNING, "W", "", 0);
    m[1] = fx_msg(FM_ERROR, "E", "", 0);
    m[2] = fx_msg(55, "Critical", "", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, "%{level};", "<p aria-live=\"%{live}\">%{items}</p>", &t));
    ck_assert_str_eq(render(t, m, 1), "<p aria-live=\"polite\">30;</p>");
    ck_assert_str_eq(render(t, m, 2), "<p aria-live=\"assertive\">30;40;</p>");
    ck_assert_str_eq(render(t, m + 2, 1), "<p aria-live=\"assertive\">55;</p>");
    ck_assert_str_eq(render(t, NULL, 0), "<p aria-live=\"polite\"></p>");
    /* a wrapper variable only */
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, "%{live}", NULL, &t));
}
END_TEST

START_TEST(all_variables)
{
    fm_template *t;
    fm_message m = fx_msg(FM_WARNING, "W", "a b", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool,
        "[%{message}|%{level}|%{level_tag}|%{tags}|%{extra_tags}]",
        "(%{count})%{items}(%{items})", &t));
    ck_assert_str_eq(render(t, &m, 1),
                     "(1)[W|30|warning|a b warning|a b]([W|30|warning|a b warning|a b])");
}
END_TEST

START_TEST(escaping)
{
    fm_template *t;
    fm_message m = fx_msg(FM_INFO, "<script>alert('x')&\"</script>",
                          "\"><img", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool, FM_DEFAULT_ITEM, NULL, &t));
    ck_assert_str_eq(render(t, &m, 1),
        "<li class=\"&quot;&gt;&lt;img info\" dir=\"auto\">&lt;script&gt;alert(&#x27;x&#x27;)"
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
        "<p style=\"width:100%%\">%%{message} %{message} 5%%</p>", NULL, &t));
    ck_assert_str_eq(render(t, &m, 1),
                     "<p style=\"width:100%\">%{message} x 5%</p>");
    /* "%%{item}" is text, not the marker of a template file */
    ck_assert_ptr_null(fm_template_compile_file_text(ut_pool,
        "%%{item}<b>%{message}</b>%%{/item}", &t));
    ck_assert_str_eq(render(t, &m, 1), "%{item}<b>x</b>%{/item}");
}
END_TEST

/* A '%' that is neither "%%" nor "%{name}" is an error naming where. */
START_TEST(lone_percent_is_an_error)
{
    static const struct {
        const char *item, *want;
    } cases[] = {
        { "<p style=\"width:100%\">%{message}</p>", "'%' at column 20 is neither %% nor %{name}" },
        { "5% done", "at column 2 " },
        { "%", "at column 1 " },
        { "%{message}%", "at column 11 " },
        { "% {message}", "at column 1 " },
        { "%message", "at column 1 " },
        { "%%%", "at column 3 " },
        { "\xc3\xa9t\xc3\xa9 %", "at column 5 " },      /* columns count characters */
    };
    fm_template *t;
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *err = fm_template_compile(ut_pool, cases[i].item, NULL, &t);
        ck_assert_msg(err && strstr(err, cases[i].want), "%s: %s", cases[i].item,
                      err ? err : "accepted");
        ck_assert_ptr_nonnull(strstr(err, "write %% for a percent sign"));
    }
    ck_assert_ptr_nonnull(strstr(fm_template_compile(ut_pool, "x", "%{items} 100%", &t),
                                 "WRAPPER: '%' at column 13 "));
    ck_assert_str_eq(fm_template_compile_file_text(ut_pool,
        "<div>\n%{item}\n<p>%{message} 50%</p>\n%{/item}\n</div>\n", &t),
        "'%' at line 3, column 17 is neither %% nor %{name}: write %% for a "
        "percent sign");
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
    ck_assert_str_eq(render(t, NULL, 0),
                     LIVE_REGION("polite") "<ul class=\"messages\"></ul></div>");
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

/*
 * Contexts: where a variable may stand (element text, quoted values of
 * ordinary attributes) and where it is refused, with the reason the error
 * gives.  want NULL: accepted.  wrapper NULL: ITEM alone.
 */
static const struct {
    const char *item, *wrapper, *want;
} contexts[] = {
    /* accepted: element text and quoted ordinary attributes */
    { FM_DEFAULT_ITEM, FM_DEFAULT_WRAPPER, NULL },
    { "<div class=\"alert alert-%{level_tag} %{extra_tags}\" role=\"alert\">%{message}</div>", NULL, NULL },
    { "<p title='%{message}' id='m-%{level}'>%{message}</p>", NULL, NULL },
    { "<input type=\"checkbox\" checked disabled value=\"%{message}\">", NULL, NULL },
    { "<DIV CLASS=\"%{tags}\">%{message}</DIV>", NULL, NULL },
    { "<div class = \"%{tags}\" data-x =  '%{level}'>x</div>", NULL, NULL },
    { "<div aria-label=\"%{message}\" data-bs-dismiss=\"alert\" aria-describedby=\"x\">y</div>", NULL, NULL },
    { "<div data-message=\"%{message}\" data-level=\"%{level}\" data-tags=\"%{tags}\"></div>", NULL, NULL },
    { "<img alt=\"%{message}\" src=\"/i.png\" title=\"%{level_tag}\">", NULL, NULL },
    { "<a href=\"/messages\" title=\"%{message}\">more</a >", NULL, NULL },
    { "<!-- a > b -->%{message}", NULL, NULL },
    { "<!-- <script> -->%{message}", NULL, NULL },
    { "<!---->%{message}<!-->%{message}<!--->%{message}", NULL, NULL },
    { "<!-- x --!>%{message}", NULL, NULL },
    { "<!DOCTYPE html>%{message}<?xml x?>%{message}", NULL, NULL },
    { "<script>var a = 1;</script >%{message}", NULL, NULL },
    { "<SCRIPT>f()</SCRIPT>%{message}<script>g()</script\t>%{tags}", NULL, NULL },
    { "<script>if (a < b && c > d) f();</script>%{message}", NULL, NULL },
    { "<script><!-- f() --></script>%{message}", NULL, NULL },
    { "<style>.a > .b { width: 100%% }</style>%{message}", NULL, NULL },
    { "<textarea>%{message}</textarea><title>%{level_tag}</title>", NULL, NULL },
    { "<svg class=\"bi\" role=\"img\" aria-label=\"%{level_tag}\"><use href=\"#i\"/></svg>%{message}", NULL, NULL },
    { "a < b %{message} <3 </>", NULL, NULL },
    { "<p>%{message}</p><![CDATA[ x ]]>", NULL, NULL },
    { "<br/><hr / ><p/>%{message}", NULL, NULL },
    { "%{message}", "<div data-count=\"%{count}\" title=\"%{count} messages\">%{items}</div>", NULL },
    { "%{message}", "<textarea></textarea>%{items}<!-- end -->", NULL },

    /* the three findings */
    { "<div class=alert-%{tags}>%{message}</div>", NULL,
      "%{tags} at column 18 is in the unquoted value of attribute class of <div>" },
    { "<a href=\"%{message}\">x</a>", NULL, "%{message} at column 10 is in attribute href of <a>, a URL" },
    { "<script>show('%{message}')</script>", NULL, "%{message} at column 15 is inside <script>" },

    /* unquoted values */
    { "<div class=%{tags}>", NULL, "unquoted value of attribute class" },
    { "<div class= %{tags}>", NULL, "unquoted value of attribute class" },
    { "<div class=x-%{tags}-y title=\"%{message}\">", NULL, "unquoted value of attribute class" },
    /* URL attributes */
    { "<a HREF='%{message}'>", NULL, "attribute href of <a>, a URL" },
    { "<img src=\"/icons/%{level_tag}.png\">", NULL, "attribute src of <img>, a URL" },
    { "<img srcset=\"%{message} 2x\">", NULL, "attribute srcset" },
    { "<form action=\"%{message}\">", NULL, "attribute action" },
    { "<button formaction=\"%{message}\">", NULL, "attribute formaction" },
    { "<video poster=\"%{message}\">", NULL, "attribute poster" },
    { "<blockquote cite=\"%{message}\">", NULL, "attribute cite" },
    { "<object data=\"%{message}\">", NULL, "attribute data" },
    { "<td background=\"%{message}\">", NULL, "attribute background" },
    { "<a ping=\"%{message}\">", NULL, "attribute ping" },
    { "<svg><a xlink:href=\"%{message}\">", NULL, "attribute xlink:href of <a>, a URL" },
    { "<html manifest=\"%{message}\">", NULL, "attribute manifest" },
    { "<applet codebase=\"%{message}\">", NULL, "attribute codebase" },
    { "<img longdesc=\"%{message}\">", NULL, "attribute longdesc" },
    { "<img usemap=\"%{message}\">", NULL, "attribute usemap" },
    { "<div data-href=\"%{message}\">", NULL, "attribute data-href of <div>, a URL" },
    { "<div data-src=\"%{message}\">", NULL, "attribute data-src" },
    { "<x-link my-image-url=\"%{message}\">", NULL, "attribute my-image-url" },
    { "<div xmlns:foo=\"%{message}\">", NULL, "attribute xmlns:foo" },
    /* event handlers, CSS, HTML */
    { "<div onmouseover=\"%{message}\">", NULL, "attribute onmouseover of <div>, an event handler" },
    { "<body ONLOAD='%{message}'>", NULL, "attribute onload of <body>, an event handler" },
    { "<div data-onclick=\"%{message}\">", NULL, "an event handler" },
    { "<p style=\"color: %{level_tag}\">", NULL, "attribute style of <p>, CSS" },
    { "<iframe srcdoc=\"%{message}\">", NULL, "attribute srcdoc of <iframe>, HTML markup" },
    /* elements whose attributes load or run content */
    { "<meta http-equiv=\"refresh\" content=\"0;url=%{message}\">", NULL,
      "attribute content of <meta>, an element whose attributes load or run content" },
    { "<param name=\"movie\" value=\"%{message}\">", NULL, "attribute value of <param>" },
    { "<svg><animate attributeName=\"href\" values=\"%{message}\"/></svg>", NULL, "attribute values of <animate>" },
    { "<script type=\"%{tags}\"></script>", NULL, "attribute type of <script>" },
    /* raw text */
    { "<script>x</script><script>%{message}</script>", NULL, "is inside <script>" },
    { "<script><!--<script></script>%{message}</script>", NULL, "is inside <script>" },
    { "<script><!--<script>--></script>%{message}", NULL, NULL },   /* "-->" ends the escape */
    { "<script><!--<script></script>--></script>%{message}", NULL, NULL },
    { "<script>a</scripts>%{message}</script>", NULL, "is inside <script>" },
    { "<script>a</script%{message}", NULL, "inside <script>" },
    { "<style>p { color: %{level_tag} }</style>", NULL, "is inside <style>, CSS" },
    { "<style><!--</style>-->%{message}", NULL, NULL },
    { "<xmp>%{message}</xmp>", NULL, "is inside <xmp>, raw text" },
    { "<noscript>%{message}</noscript>", NULL, "is inside <noscript>" },
    { "<iframe>%{message}</iframe>", NULL, "is inside <iframe>" },
    { "<plaintext>%{message}", NULL, "is inside <plaintext>" },
    { "<title></%{message}</title>", NULL, "could be the end tag of <title>" },
    { "<textarea><%{message}</textarea>", NULL, "could be the end tag of <textarea>" },
    /* tags and names */
    { "<%{tags}>", NULL, "%{tags} at column 2 is right after '<'" },
    { "</%{tags}>", NULL, "is inside the end tag </" },
    { "</p class=\"%{tags}\">", NULL, "is inside the end tag </p" },
    { "<div%{tags}>", NULL, "is inside the tag name <div" },
    { "<div %{tags}>", NULL, "is inside the tag <div> but not in a quoted attribute value" },
    { "<div data-%{tags}=\"x\">", NULL, "is inside the tag <div> but not" },
    { "<div class=\"x\"%{tags}>", NULL, "is inside the tag <div> but not" },
    { "<div class=\"x\" / %{tags}>", NULL, "is inside the tag <div> but not" },
    { "<a title=\"x' onclick=\"%{message}\">", NULL, "is inside the tag <a> but not" },
    { "<a title='x\" onclick='%{message}'>", NULL, "is inside the tag <a> but not" },
    /* comments and declarations */
    { "<!-- %{message} -->", NULL, "is inside an HTML comment" },
    { "<!-- a > %{message} -->", NULL, "is inside an HTML comment" },
    { "<!-- a -- > %{message} -->", NULL, "is inside an HTML comment" },
    { "<!%{message}>", NULL, "inside a <!...> or <?...> declaration" },
    { "<!-%{message}>", NULL, "inside a <!...> or <?...> declaration" },
    { "<!DOCTYPE %{message}>", NULL, "inside a <!...> or <?...> declaration" },
    { "<?x %{message}?>", NULL, "inside a <!...> or <?...> declaration" },
    /* readings outside the body: SVG, MathML, <select> */
    { "<title><a href=\"%{message}\"></title>", NULL,
      "attribute href of <a>, a URL: escaping does not keep out javascript: and other "
      "schemes (reading <title> as ordinary markup, as inside <svg>, <math> or <select>)" },
    { "<![CDATA[ %{message} ]]>", NULL, "declaration" },
    { "<![CDATA[ > %{message} ]]>", NULL,
      "is inside a CDATA section (reading <![CDATA[ as a CDATA section" },
    /* SVG and MathML: <style> and <script> there are markup whose text runs */
    { "<div class=\"alert d-flex\" role=\"alert\"><svg class=\"bi\" role=\"img\" "
      "aria-label=\"%{level_tag}:\"><title>Icon</title><use xlink:href=\"#check\"/></svg>"
      "<div>%{message}</div></div>", NULL, NULL },
    { "<svg/>%{message}<math><mi>x</mi><mo>+</mo></math>%{message}", NULL, NULL },
    { "<svg><text>%{message}</text></svg>", NULL, "is inside <svg> or <math>" },
    { "<svg><style>\" </</style>%{message}", NULL, "is inside <svg> or <math>" },
    { "</style><svg><script></alt==</script>%{message}", NULL, "is inside <svg> or <math>" },
    { "<svg><g class=\"%{tags}\"></g></svg>", NULL, "is inside <svg> or <math>" },
    { "<math><mtext>%{message}</mtext></math>", NULL, "is inside <svg> or <math>" },
    { "<svg><foreignObject><div></div></foreignObject></svg>%{message}", NULL,
      "follows an element inside an SVG <foreignObject>" },
    { "<svg><script><foreignObject><div></script></svg></div></foreignObject>%{message}", NULL,
      "follows an element inside an SVG <foreignObject>" },
    { "%{message}<svg>", NULL, "ITEM: the markup ends inside <svg> or <math>" },
    { "%{message}", "<svg>%{items}</svg>", "%{items} at column 6 is inside <svg> or <math>" },
    /* a part must end in element text */
    { "<div>%{message}<script>", NULL, "ITEM: the markup ends inside <script>" },
    { "<div class=\"%{tags}", NULL, "ITEM: the markup ends inside the tag <div" },
    { "%{message}<!-- x", NULL, "ITEM: the markup ends inside a comment" },
    { "%{message}<", NULL, "ITEM: the markup ends inside a '<'" },
    { "%{message}<title>", NULL, "ends inside <title>" },
    { "%{message}", "%{items}<style>", "WRAPPER: the markup ends inside <style>" },
    /* %{items} goes in element text */
    { "%{message}", "<div title=\"%{items}\"></div>", "WRAPPER: %{items} at column 13 is in attribute title of <div>; the messages must go in element text" },
    { "%{message}", "<textarea>%{items}</textarea>", "is inside <textarea>, where markup is text" },
    { "%{message}", "<script>%{items}</script>", "is inside <script>" },
    { "%{message}", "<ul class=\"%{count}\" %{items}>", "but not in a quoted" },
    { "%{message}", "<div data-n=%{count}>%{items}</div>", "WRAPPER: %{count} at column 13 is in the unquoted value" },
};

START_TEST(contexts_table)
{
    fm_template *t;
    const char *err = fm_template_compile(ut_pool, contexts[_i].item,
                                          contexts[_i].wrapper, &t);
    if (!contexts[_i].want)
        ck_assert_msg(err == NULL, "%s: refused: %s", contexts[_i].item, err);
    else
        ck_assert_msg(err && strstr(err, contexts[_i].want), "%s: %s (want %s)",
                      contexts[_i].item, err ? err : "accepted", contexts[_i].want);
}
END_TEST

/* Accepted templates still escape every value (no context changes that). */
START_TEST(accepted_contexts_render_escaped)
{
    fm_template *t;
    fm_message m = fx_msg(FM_INFO, "'\"><script>alert(1)</script>", "x onmouseover=alert(1)", 0);
    ck_assert_ptr_null(fm_template_compile(ut_pool,
        "<p title='%{message}' class=\"%{tags}\">%{message}</p>"
        "<textarea>%{message}</textarea>", NULL, &t));
    ck_assert_str_eq(render(t, &m, 1),
        "<p title='&#x27;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' "
        "class=\"x onmouseover=alert(1) info\">&#x27;&quot;&gt;&lt;script&gt;"
        "alert(1)&lt;/script&gt;</p><textarea>&#x27;&quot;&gt;&lt;script&gt;"
        "alert(1)&lt;/script&gt;</textarea>");
}
END_TEST

/* A template file: positions are lines and columns of the file. */
START_TEST(file_contexts_with_positions)
{
    fm_template *t;
    ck_assert_str_eq(fm_template_compile_file_text(ut_pool,
        "<div class=\"flash\">\n%{item}\n  <p class=%{tags}>%{message}</p>\n%{/item}\n</div>\n", &t),
        "%{tags} at line 3, column 12 is in the unquoted value of attribute "
        "class of <p>: quote the value (class=\"...\"); variables may stand in "
        "element text and in quoted values of other attributes");
    ck_assert_ptr_nonnull(strstr(fm_template_compile_file_text(ut_pool,
        "<script>\n%{item}\n<p>%{message}</p>\n%{/item}\n</script>\n", &t),
        "%{item} at line 2, column 1 is inside <script>"));
    ck_assert_ptr_nonnull(strstr(fm_template_compile_file_text(ut_pool,
        "<ul>\n%{item}\n<li>%{message}\n<!-- \n%{/item}\n</ul>\n", &t),
        "line 5, column 1: the %{item} block ends inside a comment"));
    ck_assert_ptr_nonnull(strstr(fm_template_compile_file_text(ut_pool,
        "<ul>\n%{item}\n<li>%{message}</li>\n%{/item}\n</ul><script>\n", &t),
        "line 6, column 1: the template ends inside <script>"));
    ck_assert_ptr_nonnull(strstr(fm_template_compile_file_text(ut_pool,
        "<p>\n<a href=\"%{message}\">x</a>\n</p>", &t),
        "%{message} at line 2, column 10 is in attribute href of <a>, a URL"));
    /* the wrapper is read on past the block, in the context it left */
    ck_assert_ptr_nonnull(strstr(fm_template_compile_file_text(ut_pool,
        "<div title=\"%{count}\">%{item}<p>%{message}</p>%{/item}<i %{count}>", &t),
        "%{count} at line 1, column 58 is inside the tag <i>"));
}
END_TEST

/* The markup the project ships: the default, every conf/examples .tmpl. */
START_TEST(shipped_templates_compile)
{
    /* this file is tests/unit/core/test_template.c under the source tree */
    const char *self = __FILE__;
    const char *dir = apr_pstrcat(ut_pool, apr_pstrmemdup(ut_pool, self,
        strlen(self) - strlen("tests/unit/core/test_template.c")), "conf/examples", NULL);
    apr_dir_t *d;
    apr_finfo_t fi;
    int n = 0;
    fm_template *t;

    ck_assert_ptr_null(fm_template_compile(ut_pool, FM_DEFAULT_ITEM, FM_DEFAULT_WRAPPER, &t));
    ck_assert_int_eq(apr_dir_open(&d, *dir ? dir : ".", ut_pool), APR_SUCCESS);
    while (apr_dir_read(&fi, APR_FINFO_NAME, d) == APR_SUCCESS) {
        const char *path;
        apr_file_t *f;
        char buf[65536];
        apr_size_t len = sizeof(buf) - 1;
        const char *err;
        if (strlen(fi.name) < 5 || strcmp(fi.name + strlen(fi.name) - 5, ".tmpl") != 0)
            continue;
        path = apr_pstrcat(ut_pool, dir, "/", fi.name, NULL);
        ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_READ, 0, ut_pool), APR_SUCCESS);
        apr_file_read_full(f, buf, len, &len);
        apr_file_close(f);
        buf[len] = '\0';
        err = fm_template_compile_file_text(ut_pool, buf, &t);
        ck_assert_msg(err == NULL, "%s: %s", path, err);
        n++;
    }
    apr_dir_close(d);
    ck_assert_int_ge(n, 2);         /* bootstrap5.tmpl, tailwind.tmpl */
}
END_TEST

/* Many raw-text elements that read differently in and out of <svg> do not
 * make the compiler slow or lose a reading. */
START_TEST(many_readings)
{
    fm_template *t;
    const char *s = "";
    int i;
    for (i = 0; i < 200; i++)
        s = apr_pstrcat(ut_pool, s, "<title><script><textarea></textarea></script></title>", NULL);
    ck_assert_ptr_null(fm_template_compile(ut_pool, apr_pstrcat(ut_pool, s, "%{message}", NULL),
                                           NULL, &t));
    /* every raw-text element open at once, in one reading or another */
    s = "<title><textarea><xmp><iframe><noembed><noframes><noscript><style><script>";
    ck_assert_ptr_nonnull(fm_template_compile(ut_pool, apr_pstrcat(ut_pool, s,
        "%{message}", NULL), NULL, &t));
    ck_assert_ptr_null(fm_template_compile(ut_pool, apr_pstrcat(ut_pool, s,
        "</script></style></noscript></noframes></noembed></iframe></xmp>"
        "</textarea></title>%{message}", NULL), NULL, &t));
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
    tcase_add_test(tc, lone_percent_is_an_error);
    tcase_add_loop_test(tc, contexts_table, 0,
                        (int)(sizeof(contexts) / sizeof(contexts[0])));
    tcase_add_test(tc, accepted_contexts_render_escaped);
    tcase_add_test(tc, file_contexts_with_positions);
    tcase_add_test(tc, shipped_templates_compile);
    tcase_add_test(tc, many_readings);
    tcase_add_test(tc, compile_errors);
    tcase_add_test(tc, no_messages_renders_wrapper_only);
    tcase_add_test(tc, live_is_assertive_for_errors);
    tcase_add_test(tc, file_text_with_markers);
    tcase_add_test(tc, many_messages);
    tcase_add_test(tc, ascii_rendering_for_other_charsets);
    suite_add_tcase(s, tc);
    return s;
}

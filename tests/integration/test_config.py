"""Directives: templates, levels, and configuration errors that stop httpd
with a message naming the directive and file:line."""
import re

import pytest

from conftest import EMIT_CGI, rendered, texts, emit_url
from harness import Httpd


def configtest(conf, secret=True, **kw):
    srv = Httpd(conf, secret=("x" * 40 if secret else None), name="conf", **kw)
    try:
        return srv.configtest()
    finally:
        srv.cleanup()


@pytest.mark.parametrize("conf,message", [
    ("FlashMsgMinLevel loud", r"FlashMsgMinLevel: unknown level 'loud'"),
    ("FlashMsgAdd shout \"x\"", r"FlashMsgAdd: unknown level 'shout'"),
    ("FlashMsgTag nope red", r"FlashMsgTag: unknown level 'nope'"),
    ("FlashMsgTemplate \"<li>%{msg}</li>\"", r"FlashMsgTemplate: ITEM: unknown variable %\{msg\}"),
    ("FlashMsgTemplate \"<li>%{message}</li>\" \"<ul></ul>\"", r"WRAPPER must contain %\{items\}"),
    ("FlashMsgTemplateFile /nonexistent/t.html", r"FlashMsgTemplateFile: cannot read /nonexistent/t.html"),
    ("FlashMsgStorage disk", r"FlashMsgStorage: 'disk' is not a storage"),
    ("FlashMsgCookieMaxSize 10", r"FlashMsgCookieMaxSize: '10' is not a whole number"),
    ("FlashMsgMaxAge -5", r"FlashMsgMaxAge: '-5' is not a whole number"),
    ("FlashMsgCookieName \"a b\"", r"FlashMsgCookieName: a cookie name must be a token"),
    ("FlashMsgLevel error 41", r"FlashMsgLevel: a built-in level cannot be redefined"),
    ("FlashMsgPlaceholder \"\"", r"FlashMsgPlaceholder"),
    ("<Location /x>\nFlashMsgSecret %s\n</Location>" % ("k" * 40), r"FlashMsgSecret not allowed"),
])
def test_bad_directive_stops_httpd(conf, message):
    rc, out = configtest(conf)
    assert rc != 0
    assert re.search(message, out), out
    assert re.search(r"Syntax error on line \d+ of .*httpd\.conf", out), out


def test_short_secret_is_refused():
    rc, out = configtest("FlashMsgSecret short-key")
    # the harness already sets one secret; this names the duplicate or the size
    assert rc != 0 and "FlashMsgSecret" in out
    srv = Httpd("", secret="too-short", name="conf")
    try:
        rc, out = srv.configtest()
    finally:
        srv.cleanup()
    assert rc != 0
    assert "FlashMsgSecret: key 1 is 9 bytes; a key must be at least 32 bytes" in out


def test_missing_secret_stops_start_naming_the_directive(make_server):
    srv = make_server("", secret=None, start=False)
    srv.expect_error(r"needs FlashMsgSecret")
    with pytest.raises(RuntimeError) as e:
        srv.start()
    assert re.search(r"FlashMsg On \(.*httpd\.conf:\d+\) needs FlashMsgSecret for "
                     r"the main server", str(e.value))


def test_missing_secret_in_virtual_host(make_server):
    srv = make_server("<VirtualHost 127.0.0.2:80>\nServerName v.test\n</VirtualHost>\n"
                      "<VirtualHost 127.0.0.3:80>\nServerName w.test\n</VirtualHost>",
                      secret=None, start=False)
    # FlashMsg On in the main server reaches every virtual host
    rc, out = srv.configtest()
    assert rc != 0 and "needs FlashMsgSecret" in out


def test_custom_template(make_server, client):
    srv = make_server('<Location /t/>\nFlashMsgTemplate "<p class=\\"alert alert-%{level_tag}\\" '
                      'data-level=\\"%{level}\\">%{message}</p>" '
                      '"<div id=\\"flash\\">%{count}:%{items}</div>"\n</Location>')
    srv.write("t/page.html", "<body><!--FLASH_MESSAGES--></body>")
    client.get(emit_url(srv.url, status="302", location="/t/page.html",
                        h='X-Flash: "A & B";level=error'), allow_redirects=False)
    r = client.get(srv.url + "/t/page.html")
    assert r.text == ('<body><div id="flash">1:<p class="alert alert-error" '
                      'data-level="40">A &amp; B</p></div></body>')


def test_template_file_and_placeholder(make_server, client):
    srv = make_server('<Location /f/>\nFlashMsgTemplateFile conf/flash.tmpl\n'
                      'FlashMsgPlaceholder "{{ messages }}"\n</Location>', start=False)
    with open(srv.root + "/conf/flash.tmpl", "w") as f:
        f.write('<div class="toasts">\n%{item}\n<div class="toast %{tags}">%{message}</div>\n'
                '%{/item}\n</div>')
    srv.write("f/page.html", "<body>{{ messages }}|{{ messages }}</body>")
    srv.start()
    client.get(emit_url(srv.url, status="302", location="/f/page.html",
                        h="X-Flash: success extra: Done"), allow_redirects=False)
    r = client.get(srv.url + "/f/page.html")
    block = '<div class="toasts">\n<div class="toast extra success">Done</div>\n</div>'
    assert r.text == "<body>%s|%s</body>" % (block, block)


def test_min_level_per_location(make_server, client):
    srv = make_server("<Location /dbg/>\nFlashMsgMinLevel debug\n</Location>\n"
                      "<Location /quiet/>\nFlashMsgMinLevel warning\n</Location>",
                      files={"dbg/emit.cgi": EMIT_CGI, "quiet/emit.cgi": EMIT_CGI})
    h = 'X-Flash: "d";level=debug, "i";level=info, "w";level=warning'
    # FlashMsgMinLevel applies where the message is added
    r = client.get(emit_url(srv.url, h=h))
    assert texts(r.text) == ["i", "w"]
    r = client.get(emit_url(srv.url, h=h).replace("/cgi/", "/dbg/"))
    assert texts(r.text) == ["d", "i", "w"]
    r = client.get(emit_url(srv.url, h=h).replace("/cgi/", "/quiet/"))
    assert texts(r.text) == ["w"]


def test_levels_directive_order_and_integer_tags(make_server, client):
    srv = make_server("FlashMsgLevel notice 22\nFlashMsgTag 22 hint\nFlashMsgTag success ok")
    r = client.get(emit_url(srv.url, h='X-Flash: "n";level=notice, "s";level=success, "x";level=22'))
    assert rendered(r.text) == [("hint", "n"), ("ok", "s"), ("hint", "x")]


def test_custom_header_name(make_server, client):
    srv = make_server("FlashMsgHeader X-Notify")
    r = client.get(emit_url(srv.url, h=["X-Notify: info: via custom header",
                                        "X-Flash: info: ignored here"]))
    assert texts(r.text) == ["via custom header"]
    assert "X-Notify" not in r.headers

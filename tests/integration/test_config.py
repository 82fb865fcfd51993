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
    # our own message for "", not httpd's generic "takes one argument"
    ("FlashMsgPlaceholder \"\"", r'FlashMsgPlaceholder: the placeholder is empty \(""\): no page '
                                   r"could contain it\. Give the text the messages replace, e\.g\. "
                                   r"<!--FLASH_MESSAGES--> \(the default\)"),
    ("FlashMsgPlaceholder", r"FlashMsgPlaceholder: takes one argument, the text the messages replace"),
    ("FlashMsgPlaceholder a b", r"FlashMsgPlaceholder: takes one argument.*quote an argument"),
    ("FlashMsgHTMXEvent \"\"", r"FlashMsgHTMXEvent: the event name is empty"),
    ("FlashMsgAdd info \"\"", r"FlashMsgAdd: the message text is empty"),
    ("FlashMsgAdd info", r"FlashMsgAdd: takes two arguments, LEVEL TEXT"),
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


# --- FlashMsgAdd below FlashMsgMinLevel ---------------------------------

def configtest_lines(conf, **kw):
    """apache2 -t on conf: (exit code, output, {directive line: line number})."""
    srv = Httpd(conf, secret="x" * 40, name="conf", **kw)
    try:
        rc, out = srv.configtest()
        lines = {l: i + 1 for i, l in enumerate(srv.config.splitlines())}
        return rc, out, lines, srv.conf_path
    finally:
        srv.cleanup()


BELOW = ("mod_flashmsg: FlashMsgAdd %s (%s:%d) is below FlashMsgMinLevel %s, which "
         "applies there (%s): its message is never added")


def test_add_below_min_level_warns_naming_file_and_line():
    rc, out, lines, path = configtest_lines(
        'FlashMsgAdd debug "server-wide, below the default info"\n'
        'FlashMsgAdd info "server-wide, fine"\n'
        "FlashMsgLevel notice 22\n"
        "<Location /quiet>\n"
        "  FlashMsgMinLevel warning\n"
        '  FlashMsgAdd notice "below warning"\n'
        '  FlashMsgAdd 15 "an integer level"\n'
        '  FlashMsgAdd error "fine"\n'
        "</Location>\n"
        '<Directory "/srv">\n'
        "  <Files x.html>\n"
        '    FlashMsgAdd debug "nested in <Files>"\n'
        "  </Files>\n"
        "</Directory>\n")
    assert rc == 0, out
    want = [("debug", 'FlashMsgAdd debug "server-wide, below the default info"', "info"),
            ("notice", '  FlashMsgAdd notice "below warning"', "warning"),
            ("15", '  FlashMsgAdd 15 "an integer level"', "warning"),
            ("debug", '    FlashMsgAdd debug "nested in <Files>"', "info")]
    for level, line, minimum in want:
        assert BELOW % (level, path, lines[line], minimum, "the main server") in out, out
    assert out.count("is below FlashMsgMinLevel") == len(want), out


def test_add_below_min_level_in_virtual_host_warned_once():
    rc, out, lines, path = configtest_lines(
        'FlashMsgAdd warning "main: fine here, below the virtual host\'s error"\n'
        "<VirtualHost 127.0.0.2:80>\n"
        "  ServerName v.test\n"
        "  FlashMsgMinLevel error\n"
        "  <Location /v>\n"
        '    FlashMsgAdd warning "v"\n'
        "  </Location>\n"
        "</VirtualHost>\n")
    assert rc == 0, out
    vhost = "the virtual host at %s:%d" % (path, lines["<VirtualHost 127.0.0.2:80>"])
    for line in ('FlashMsgAdd warning "main: fine here, below the virtual host\'s error"',
                 '    FlashMsgAdd warning "v"'):
        assert BELOW % ("warning", path, lines[line], "error", vhost) in out, out
    assert out.count("is below FlashMsgMinLevel") == 2, out


@pytest.mark.parametrize("conf", [
    'FlashMsgMinLevel debug\nFlashMsgAdd debug "x"',
    '<Location /a>\n  FlashMsgMinLevel debug\n  FlashMsgAdd debug "x"\n</Location>',
    'FlashMsgMinLevel debug\n<Location /a>\n  FlashMsgAdd debug "x"\n</Location>',
    # a lower FlashMsgMinLevel elsewhere may apply to the same requests
    '<Location /a>\n  FlashMsgAdd debug "x"\n</Location>\n'
    '<Location /a/b>\n  FlashMsgMinLevel debug\n</Location>',
    'FlashMsgAdd success "x"\nFlashMsgAdd 20 "y"',
])
def test_add_at_or_above_min_level_is_quiet(conf):
    rc, out, _, _ = configtest_lines(conf)
    assert rc == 0 and "is below FlashMsgMinLevel" not in out, out


def test_add_below_min_level_still_starts(make_server, client):
    """A warning, not an error: httpd starts, and the message is indeed
    dropped where the warning said so."""
    srv = make_server('<Location /page.html>\nFlashMsgAdd debug "dropped"\n'
                      'FlashMsgAdd info "shown"\n</Location>')
    assert "is below FlashMsgMinLevel info" in srv.read_log()
    assert texts(client.get(srv.url + "/page.html").text) == ["shown"]


# --- FlashMsgSecret file: permissions, in a virtual host too ------------

@pytest.mark.parametrize("where", ["server", "vhost"])
def test_readable_key_file_warned_in_virtual_host_too(where):
    import os
    import tempfile
    from harness import SECRET
    fd, key = tempfile.mkstemp(prefix="flashmsg-key-")
    os.write(fd, SECRET.encode())
    os.close(fd)
    try:
        line = "FlashMsgSecret file:%s" % key
        conf = line if where == "server" else (
            "<VirtualHost 127.0.0.2:80>\nServerName v.test\n%s\n</VirtualHost>" % line)
        for mode, warned in ((0o644, True), (0o640, True), (0o600, False)):
            os.chmod(key, mode)
            srv = Httpd(conf, secret=None if where == "server" else "x" * 40, name="conf")
            try:
                rc, out = srv.configtest()
                n = srv.config.splitlines().index(line) + 1
            finally:
                srv.cleanup()
            assert rc == 0, out
            msg = ("mod_flashmsg: FlashMsgSecret file %s (%s:%d) can be read by users "
                   "other than its owner: chmod 600 it" % (key, srv.conf_path, n))
            assert (msg in out) == warned, (oct(mode), out)
    finally:
        os.unlink(key)


# --- the start-up line -------------------------------------------------

READY = re.compile(r"mod_flashmsg: version \S+ ready; ")


def test_ready_logged_once_at_start(make_server, client):
    """httpd runs post_config twice at start (the first pass only checks
    the configuration): "ready" is said once, for the server that runs;
    apache2 -t, which only checks, does not say it."""
    srv = make_server()
    assert client.get(srv.url + "/page.html").status_code == 200
    ready = [line for line in srv.read_log().splitlines() if READY.search(line)]
    assert len(ready) == 1, "\n".join(ready) or srv.read_log()
    check = Httpd("", name="conf")
    try:
        rc, out = check.configtest()
    finally:
        check.cleanup()
    assert rc == 0 and not READY.search(out), out

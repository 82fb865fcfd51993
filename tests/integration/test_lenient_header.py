"""Liberal X-Flash parsing through real backends (issue 14, item 1).

PHP's header('X-Flash: ...', false) called twice, or any two parts of an
application that each send an X-Flash field, reach the module as ONE value:
php-cgi (through mod_cgid), php-fpm (through mod_proxy_fcgi) and any CGI
have their repeated fields joined with ", " by httpd.  The module parses
that value as an RFC 9651 List with two extensions: valid UTF-8 inside a
string is text, and a member that cannot be parsed is skipped on its own
(one warn line naming its position) while its neighbours are added.

Every case is sent byte for byte the same by a CGI script, by php-cgi and by
php-fpm: the page must show exactly the surviving messages, with status 200,
no X-Flash reaching the client, and exactly the warn lines listed.
"""
import pytest
import requests

from conftest import emit_url, rendered, texts
from test_backends import no_flash_header, php_fpm, php_server  # noqa: F401


# case: (the X-Flash fields as bytes, the messages shown, the warn lines
# expected: each a substring of exactly one warn line, in order)
CASES = {
    # docs/backends.md's PHP example: raw UTF-8 in the second string
    "php_example": ([b'"Saved";level=success',
                     '"Grüße";level=info'.encode()],
                    [("success", "Saved"), ("info", "Grüße")], []),
    # raw UTF-8 in every string, and a display string beside them
    "utf8_everywhere": (['"日本語 😀";level=warning;tags="jp"'.encode(),
                         b'%"Gr%c3%bc%c3%9fe";level=success',
                         '"Ça va, \\"très\\" bien";level=error'.encode()],
                        [("jp warning", "日本語 😀"), ("success", "Grüße"),
                         ("error", 'Ça va, "très" bien')], []),
    # a malformed member in the middle: its neighbours survive
    "bad_middle": ([b'"First";level=success', b'"Middle";Level=error',
                    b'"Last";level=warning'],
                   [("success", "First"), ("warning", "Last")],
                   ["member 2 of 3 skipped: "]),
    # invalid UTF-8 (Latin-1 bytes) stays refused, on its own
    "latin1_member": ([b'"Saved";level=success', b'"Gr\xfc\xdfe";level=info',
                       b'"After";level=info'],
                      [("success", "Saved"), ("info", "After")],
                      ["member 2 of 3 skipped: string is not valid UTF-8"]),
    # a simple-form field joined after a structured one
    "simple_after_structured": ([b'"Saved";level=success', b'info: plain'],
                                [("success", "Saved")],
                                ["member 2 of 2 skipped: "]),
    # a string that never closes swallows the rest of the value, and only that
    "unterminated_last": ([b'"First";level=success', b'"Oops;level=info'],
                          [("success", "First")],
                          ["member 2 of 2 skipped: unterminated string"]),
    # two bad members, each named
    "two_bad": ([b'"a";level=nope', b'"b"', b'"c" "d"', b'"e";level=error'],
                [("info", "b"), ("error", "e")],
                ["member 1 of 4 skipped: unknown level",
                 "member 3 of 4 skipped: "]),
}

PAGE_BODY = b"<html><body><!--FLASH_MESSAGES--><p>lenient</p></body></html>"


def php_literal(b):
    """b as a PHP double-quoted string literal, every byte escaped."""
    return '"' + "".join("\\x%02x" % c for c in b) + '"'


def py_literal(b):
    return repr(bytes(b))


def php_script():
    out = ["<?php", "$cases = array("]
    for name, (fields, _, _) in sorted(CASES.items()):
        out.append("  '%s' => array(%s)," % (
            name, ", ".join(php_literal(f) for f in fields)))
    out += [");",
            "foreach ($cases[$_GET['case']] as $f) {",
            "    header('X-Flash: ' . $f, false);",
            "}",
            "if (isset($_GET['redirect'])) {",
            "    header('Location: /page.html', true, 303);",
            "    exit;",
            "}",
            "?>",
            PAGE_BODY.decode()]
    return "\n".join(out) + "\n"


def cgi_script():
    out = ["#!/usr/bin/python3",
           "import os, sys, urllib.parse",
           "CASES = {"]
    for name, (fields, _, _) in sorted(CASES.items()):
        out.append("    %r: [%s]," % (name, ", ".join(py_literal(f) for f in fields)))
    out += ["}",
            "q = urllib.parse.parse_qs(os.environ.get('QUERY_STRING', ''))",
            "head = [b'X-Flash: ' + f for f in CASES[q['case'][0]]]",
            "if 'redirect' in q:",
            "    head += [b'Status: 303 See Other', b'Location: /page.html']",
            "else:",
            "    head += [b'Content-Type: text/html; charset=utf-8']",
            "sys.stdout.buffer.write(b'\\r\\n'.join(head) + b'\\r\\n\\r\\n' + %r)"
            % PAGE_BODY]
    return "\n".join(out) + "\n"


FILES = {"lenient.php": php_script(), "cgi/lenient.cgi": cgi_script()}


@pytest.fixture(params=["cgi", "php-cgi", "php-fpm"])
def backend(request, make_server):
    """(server, URL of the script) for each backend."""
    if request.param == "php-fpm":
        fpm = request.getfixturevalue("php_fpm")
        srv = php_server(make_server, fpm, FILES)
        return srv, srv.url + "/lenient.php"
    srv = make_server("", files=FILES)
    path = "/cgi/lenient.cgi" if request.param == "cgi" else "/lenient.php"
    return srv, srv.url + path


def warn_lines(srv):
    """The module's warn lines about requests (not the startup ones, such as
    the key file's permissions, which a server may log late)."""
    return [l for l in srv.log_since_mark().splitlines()
            if "mod_flashmsg:" in l and ":warn]" in l and "[client " in l]


def check_warns(srv, want):
    got = warn_lines(srv)
    assert len(got) == len(want), got
    for line, part in zip(got, want):
        assert part in line, (part, got)


@pytest.mark.parametrize("case", sorted(CASES))
def test_joined_fields_on_the_same_page(backend, case, client):
    srv, url = backend
    _, shown, warns = CASES[case]
    srv.mark_log()
    r = client.get(url, params={"case": case})
    r.encoding = "utf-8"
    assert r.status_code == 200, r.text
    no_flash_header(r)
    assert rendered(r.text) == shown
    check_warns(srv, warns)
    # shown, so consumed: nothing left for the next page
    assert texts(client.get(srv.url + "/page.html").text) == []


@pytest.mark.parametrize("case", ["php_example", "bad_middle"])
def test_joined_fields_on_a_redirect(backend, case, client):
    srv, url = backend
    _, shown, warns = CASES[case]
    srv.mark_log()
    r = client.post(url + "?case=%s&redirect=1" % case, allow_redirects=False)
    assert r.status_code == 303, r.text
    no_flash_header(r)
    check_warns(srv, warns)
    r = client.get(srv.url + "/page.html")
    r.encoding = "utf-8"
    assert rendered(r.text) == shown


def test_emit_cgi_joined_value(server, client):
    """The test site's emit.cgi: any header lines from the query."""
    r = client.get(emit_url(server.url, h=['X-Flash: "Saved";level=success',
                                           'X-Flash: "Broken";level=',
                                           'X-Flash: "Grüße";level=info']))
    r.encoding = "utf-8"
    assert r.status_code == 200
    no_flash_header(r)
    assert rendered(r.text) == [("success", "Saved"), ("info", "Grüße")]
    check_warns(server, ["member 2 of 3 skipped: "])


def test_warn_line_names_member_and_shows_it_escaped(server, client):
    """The warn line gives the member's position, the reason and the
    member's own bytes (escaped, cut short), not its neighbours'."""
    r = client.get(emit_url(server.url, h=['X-Flash: "ok";level=success',
                                           'X-Flash: "b\\a\u00e9d";level=info']))
    assert r.status_code == 200
    no_flash_header(r)
    assert texts(r.text) == ["ok"]
    (line,) = warn_lines(server)
    assert ("response header: member 2 of 2 skipped: invalid escape in string "
            "at byte 23; member: ") in line, line
    # ap_escape_logitem, then the error log's own escaping of backslashes
    assert line.endswith(r'member: "\\"b\\\\a\\xc3\\xa9d\\";level=info"'), line
    assert '"ok"' not in line.split("member:")[1], line

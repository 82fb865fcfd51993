"""Trust nothing from the client: hostile cookies (some with a valid
signature over a malformed payload), hostile X-Flash values and notes, and
HTML/JS payloads rendered inertly.  Every case: a correct status, the server
still answering, no X-Flash leaked, at most one clear log line, and nothing
lost that was legitimately pending."""
import html.parser
import re
import time

import pytest
import requests

from conftest import log_window, texts, emit_url
from forge import b64, payload, sign
from harness import SECRET

LUA_HOSTILE = r"""
function handle(r)
  local case = r:parseargs().case
  local v
  if case == 'crlf' then v = 'info: a\r\nSet-Cookie: evil=1'
  elseif case == 'lf' then v = '"a";level=info, "b\nc";level=info'
  elseif case == 'nul' then v = 'info: before\0after'
  elseif case == 'mib' then v = 'info: ' .. string.rep('x', 1048576)
  elseif case == 'members' then v = string.rep('"m";level=info, ', 9999) .. '"last";level=info'
  elseif case == 'params' then v = '"deep"' .. string.rep(';level=info', 10000)
  elseif case == 'nested' then v = string.rep('(', 5000) .. '"x"' .. string.rep(')', 5000)
  end
  r.notes['flashmsg'] = v
  r.headers_out['Location'] = '/page.html'
  return 302
end
"""


@pytest.fixture(scope="module")
def srv():
    from harness import Httpd
    from conftest import SITE
    files = dict(SITE)
    files["lua/hostile.lua"] = LUA_HOSTILE
    s = Httpd("AddHandler lua-script .lua\nLogLevel warn flashmsg:info",
              files=files, modules=["lua"], name="hostile")
    s.start()
    yield s
    s.cleanup()


@pytest.fixture
def server(srv):
    for s in log_window(srv):
        yield s
        assert requests.get(srv.url + "/page.html").status_code == 200   # still alive


def flash_lines(server):
    return [l for l in server.log_since_mark().splitlines() if "mod_flashmsg:" in l]


def get_with_cookie(server, value, path="/page.html"):
    return requests.get(server.url + path, headers={"Cookie": "flashmsg=" + value})


# --- the forger is right: the server accepts what it builds --------------

def test_forged_valid_cookie_is_accepted(server):
    v = sign(SECRET, payload([(25, "forged but valid", "t")]))
    r = get_with_cookie(server, v)
    assert texts(r.text) == ["forged but valid"]


# --- hostile cookies -----------------------------------------------------

def valid_sig(raw):
    return sign(SECRET, raw)


HOSTILE_COOKIES = {
    "empty": "",
    "8k": "s1." + "A" * 8000,
    "bad base64": "s1.!!!!.????",
    "base64 of garbage": "s1." + b64(bytes(range(256)) * 2) + "." + b64(b"\x01" * 32),
    "padding": "s1.AQE=.AAAA",
    "wrong kind": "e1." + b64(b"\0" * 40),
    "signed: version 2": valid_sig(payload([(20, "x", "")], version=2)),
    "signed: truncated": valid_sig(payload([(20, "hello", "")])[:-2]),
    "signed: trailing bytes": valid_sig(payload([(20, "x", "")]) + b"\0\0"),
    "signed: non-minimal varint": valid_sig(bytes([1, 0]) + b"\x80\x00"),
    "signed: length past end": valid_sig(bytes([1, 0, 5, 20, 0, 0, 100]) + b"short"),
    "signed: bad utf-8": valid_sig(payload([(20, b"\xc3\x28", "")])),
    "signed: control chars": valid_sig(payload([(20, "a\r\nSet-Cookie: x=1", "")])),
    "signed: empty text": valid_sig(payload([(20, "", "")])),
    "signed: huge level": valid_sig(payload([(2 ** 40, "x", "")])),
    "signed: future": valid_sig(payload([(20, "from the future", "")], t0=int(time.time()) + 3600)),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_COOKIES))
def test_hostile_cookie_is_ignored_and_deleted(server, case):
    r = get_with_cookie(server, HOSTILE_COOKIES[case])
    assert r.status_code == 200
    assert texts(r.text) == []
    assert "X-Flash" not in r.headers
    assert re.search(r"flashmsg=; Max-Age=0", r.headers.get("Set-Cookie", "")), case
    lines = flash_lines(server)
    assert len(lines) == 1 and "ignored and deleted" in lines[0], lines
    # the value is never echoed into the log
    if len(HOSTILE_COOKIES[case]) > 20:
        assert HOSTILE_COOKIES[case] not in server.log_since_mark()


def test_expired_messages_dropped_fresh_ones_kept(server):
    now = int(time.time())
    raw = bytes([1, 0]) + payload([], t0=now - 200000)[2:]
    # two messages: one from 200000 s ago, one from now (delta 200000)
    from forge import varint
    raw += varint(20) + varint(0) + varint(0) + varint(3) + b"old"
    raw += varint(20) + varint(200000) + varint(0) + varint(5) + b"fresh"
    r = get_with_cookie(server, sign(SECRET, raw))
    assert texts(r.text) == ["fresh"]
    assert any("expired" in l for l in flash_lines(server))


def test_64k_cookie_is_refused_by_httpd_itself(server):
    r = requests.get(server.url + "/page.html",
                     headers={"Cookie": "flashmsg=s1." + "A" * 65536})
    assert r.status_code == 400          # LimitRequestFieldSize, before any module
    server.expect_error(r"AH00561|Size of a request header field exceeds")


def test_two_hostile_values_and_one_good(server, client):
    good = sign(SECRET, payload([(25, "the good one", "")]))
    r = requests.get(server.url + "/page.html",
                     headers={"Cookie": "flashmsg=junk; other=1; flashmsg=%s; flashmsg=s1.x.y" % good})
    assert texts(r.text) == ["the good one"]


# --- hostile X-Flash values and notes ------------------------------------

def pending_then(server, client, case):
    """A legitimate message is pending; a hostile note arrives; the
    legitimate one must survive, the hostile one add nothing harmful."""
    r = client.get(emit_url(server.url, status="302", location="/x",
                            h="X-Flash: success: legit"), allow_redirects=False)
    assert r.status_code == 302
    server.mark_log()
    r = client.get(server.url + "/lua/hostile.lua?case=" + case, allow_redirects=False)
    assert r.status_code == 302 and "X-Flash" not in r.headers
    assert "evil" not in r.headers.get("Set-Cookie", "")
    return client.get(server.url + "/page.html")


@pytest.mark.parametrize("case", ["crlf", "lf", "nul", "params", "nested"])
def test_hostile_note_adds_nothing(server, client, case):
    r = pending_then(server, client, case)
    shown = texts(r.text)
    assert shown[0] == "legit"
    if case in ("crlf", "nested"):
        assert shown == ["legit"]
    if case == "nul":
        # C sees the note end at the NUL: "info: before" is a fine message
        assert shown == ["legit", "before"]
    lines = flash_lines(server)
    warns = [l for l in lines if ":warn]" in l]
    assert len(warns) <= 1, warns


def test_one_mib_value_is_parsed_and_bounded_by_the_cookie(server, client):
    r = pending_then(server, client, "mib")
    shown = texts(r.text)
    # the 1 MiB message cannot fit a cookie: it is dropped with one warning,
    # the legitimate one stays
    assert shown == ["legit"]
    assert any("dropped" in l for l in flash_lines(server))


def test_ten_thousand_members(server, client):
    t = time.time()
    r = pending_then(server, client, "members")
    assert time.time() - t < 10
    shown = texts(r.text)
    assert shown[-1] == "last"             # the newest that fit are kept


def test_x_flash_from_cgi_with_control_bytes(server, client):
    r = client.get(emit_url(server.url, h="X-Flash: info: tab\there and \x7f del"))
    assert r.status_code == 200 and "X-Flash" not in r.headers
    assert texts(r.text) == []
    assert len([l for l in flash_lines(server) if ":warn]" in l]) == 1


# --- inert rendering -----------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=x onerror=alert(1)//",
    "\"><script>alert(String.fromCharCode(88,83,83))</script>",
    "<svg/onload=alert(1)>",
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    "<a href=\"jav&#x09;ascript:alert('XSS');\">x</a>",
    "<BODY ONLOAD=alert('XSS')>",
    "'';!--\"<XSS>=&{()}",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "</li></ul><script>alert(1)</script>",
    "<!--FLASH_MESSAGES-->",
    "%{message} %{tags} %{items}",
    "&lt;script&gt; already escaped",
    "<style>@import'http://x/xss.css';</style>",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<div style=\"background-image: url(javascript:alert('XSS'))\">",
    "`onmouseover=alert(1)`",
]


def display_string(s):
    out = ""
    for b in s.encode():
        out += chr(b) if 0x20 <= b <= 0x7E and b not in (0x25, 0x22) else "%%%02x" % b
    return '%"' + out + '"'


def sf_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.items, self._in_li = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "li":
            self._in_li = True
            self.items.append("")

    def handle_endtag(self, tag):
        if tag == "li":
            self._in_li = False

    def handle_data(self, data):
        if self._in_li:
            self.items[-1] += data


def test_xss_payloads_render_inertly(server, client):
    members = []
    for p in XSS:
        members.append("%s;level=error;tags=%s" % (display_string(p), sf_string(p)))
    body = "<html><body><!--FLASH_MESSAGES--></body></html>"
    r = client.get(emit_url(server.url, h="X-Flash: " + ", ".join(members), body=body))
    parser = Tags()
    parser.feed(r.text)
    # only our own markup: one ul, one li per payload, class attributes only
    assert [t for t, _ in parser.tags] == ["html", "body", "ul"] + ["li"] * len(XSS)
    for tag, attrs in parser.tags[3:]:
        assert [a for a, _ in attrs] == ["class"]
    assert parser.items == XSS
    classes = [dict(a)["class"] for t, a in parser.tags[3:]]
    assert classes == [p + " error" for p in XSS]
    assert r.text.count("<!--FLASH_MESSAGES-->") == 0

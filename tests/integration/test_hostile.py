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

from conftest import DECODE_REASONS, log_window, rendered, texts, emit_url
from forge import b64, payload, sign, tampered, unb64, varint
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
  elseif case == 'params' then v = '"deep"' .. string.rep(';level=info', 9999) .. ';level=warning'
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
    """Forged values go under the legacy single-cookie name "flashmsg"
    (still read as one batch), which they are signed for."""
    return requests.get(server.url + path, headers={"Cookie": "flashmsg=" + value})


# --- the forger is right: the server accepts what it builds --------------

def test_forged_valid_cookie_is_accepted(server):
    v = sign(SECRET, payload([(25, "forged but valid", "t")]))
    r = get_with_cookie(server, v)
    assert texts(r.text) == ["forged but valid"]


# --- hostile cookies -----------------------------------------------------

def valid_sig(raw):
    return sign(SECRET, raw)


def flipped(value, piece, index):
    """value with one byte of its MAC or payload changed (forge.tampered)."""
    return next(v for p, i, v in tampered(value) if (p, i) == (piece, index))


GOOD = valid_sig(payload([(20, "a message that would show", "")]))

# the reason the info line gives (fm_decode_status_str)
MALFORMED, BAD_SIG, WRONG_KIND, FUTURE = DECODE_REASONS

# case: (cookie value, the reason it must be refused for)
HOSTILE_COOKIES = {
    "empty": ("", MALFORMED),
    "8k": ("s1." + "A" * 8000, MALFORMED),
    "bad base64": ("s1.!!!!.????", MALFORMED),
    "base64 of garbage": ("s1." + b64(bytes(range(256)) * 2) + "." + b64(b"\x01" * 32), BAD_SIG),
    "padding": ("s1.AQE=.AAAA", MALFORMED),
    "wrong kind": ("e1." + b64(b"\0" * 40), WRONG_KIND),
    # a well-formed payload whose MAC does not verify
    "MAC: first byte changed": (flipped(GOOD, "mac", 0), BAD_SIG),
    "MAC: middle byte changed": (flipped(GOOD, "mac", 16), BAD_SIG),
    "MAC: last byte changed": (flipped(GOOD, "mac", 31), BAD_SIG),
    "MAC: all zero": (GOOD.rsplit(".", 1)[0] + "." + b64(b"\0" * 32), BAD_SIG),
    "MAC: of another key": (sign("another-secret-that-is-long-enough-0123456789",
                                 payload([(20, "other key", "")])), BAD_SIG),
    "MAC: for another cookie name": (sign(SECRET, payload([(20, "other name", "")]),
                                          cookie_name="notice"), BAD_SIG),
    # the MAC binds the full name: a batch cookie's value under another name
    "MAC: for a batch cookie's name": (sign(SECRET, payload([(20, "batch name", "")]),
                                            cookie_name="flashmsg.AbCd1234"), BAD_SIG),
    "MAC: text changed after signing": (flipped(GOOD, "payload", len(unb64(GOOD.split(".")[1])) - 1), BAD_SIG),
    "MAC: level changed after signing": (flipped(GOOD, "payload", 2 + len(varint(int(time.time())))), BAD_SIG),
    "MAC: one character short": (GOOD[:-1], MALFORMED),
    # a valid MAC over a payload that must still be refused
    "signed: version 2": (valid_sig(payload([(20, "x", "")], version=2)), MALFORMED),
    "signed: truncated": (valid_sig(payload([(20, "hello", "")])[:-2]), MALFORMED),
    "signed: trailing bytes": (valid_sig(payload([(20, "x", "")]) + b"\0\0"), MALFORMED),
    "signed: non-minimal varint": (valid_sig(bytes([1, 0]) + b"\x80\x00"), MALFORMED),
    "signed: length past end": (valid_sig(bytes([1, 0, 5, 20, 0, 0, 100]) + b"short"), MALFORMED),
    "signed: bad utf-8": (valid_sig(payload([(20, b"\xc3\x28", "")])), MALFORMED),
    "signed: control chars": (valid_sig(payload([(20, "a\r\nSet-Cookie: x=1", "")])), MALFORMED),
    "signed: empty text": (valid_sig(payload([(20, "", "")])), MALFORMED),
    "signed: huge level": (valid_sig(payload([(2 ** 40, "x", "")])), MALFORMED),
    "signed: future": (valid_sig(payload([(20, "from the future", "")], t0=int(time.time()) + 3600)), FUTURE),
}


def test_the_good_value_behind_the_mac_cases_is_accepted(server):
    assert texts(get_with_cookie(server, GOOD).text) == ["a message that would show"]


@pytest.mark.parametrize("case", sorted(HOSTILE_COOKIES))
def test_hostile_cookie_is_ignored_and_deleted(server, case):
    value, reason = HOSTILE_COOKIES[case]
    r = get_with_cookie(server, value)
    assert r.status_code == 200
    assert texts(r.text) == []
    assert "X-Flash" not in r.headers
    assert re.search(r"flashmsg=; Max-Age=0", r.headers.get("Set-Cookie", "")), case
    lines = flash_lines(server)
    assert len(lines) == 1 and "ignored and deleted" in lines[0], lines
    assert reason in lines[0], (case, reason, lines)
    # the value is never echoed into the log
    if len(value) > 20:
        assert value not in server.log_since_mark()


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

def pending_then(server, client, case, timeout=None):
    """A legitimate message is pending; a hostile note arrives; the
    legitimate one must survive, the hostile one add nothing harmful."""
    r = client.get(emit_url(server.url, status="302", location="/x",
                            h="X-Flash: success: legit"), allow_redirects=False)
    assert r.status_code == 302
    server.mark_log()
    r = client.get(server.url + "/lua/hostile.lua?case=" + case, allow_redirects=False,
                   timeout=timeout)
    assert r.status_code == 302 and "X-Flash" not in r.headers
    assert "evil" not in r.headers.get("Set-Cookie", "")
    return client.get(server.url + "/page.html")


# case: (what the next page shows, the warning logged or None)
NOTE_CASES = {
    # a header injection attempt: refused whole, as control characters
    "crlf": ([("success", "legit")],
             "ignored request note: text is not valid UTF-8 or contains control characters"),
    # a bare LF inside an sf-string is a syntax error: that member is
    # skipped on its own (docs/backends.md: one malformed member of a list), "a" is added
    "lf": ([("success", "legit"), ("info", "a")],
           "request note: member 2 of 2 skipped: invalid character in string at byte 18"),
    # C sees the note end at the NUL: "info: before" is a fine message
    "nul": ([("success", "legit"), ("info", "before")], None),
    # 10000 parameters are all read and, as RFC 9651 says, the last "level" wins
    "params": ([("success", "legit"), ("warning", "deep")], None),
    # not structured (no leading quote), and no level before a ':'
    "nested": ([("success", "legit")], "ignored request note: missing level"),
}


@pytest.mark.parametrize("case", sorted(NOTE_CASES))
def test_hostile_note_adds_nothing(server, client, case):
    """Nothing beyond what the grammar allows: the pending message stays,
    the hostile note adds exactly the listed messages (none where it is
    malformed) and at most one warning, with its value escaped."""
    want, warning = NOTE_CASES[case]
    r = pending_then(server, client, case)
    assert rendered(r.text) == want
    lines = flash_lines(server)
    warns = [l for l in lines if ":warn]" in l]
    if warning is None:
        assert warns == []
    else:
        assert len(warns) == 1 and warning in warns[0], warns
    # the value is logged escaped: nothing of it starts a log line of its own
    assert all(l.startswith("[") for l in server.log_since_mark().splitlines())
    if case == "lf":
        assert re.search(r"b\\+nc", warns[0]), warns   # the LF as an escape
    assert texts(client.get(server.url + "/page.html").text) == []


def test_one_mib_value_is_parsed_and_bounded_by_the_cookie(server, client):
    r = pending_then(server, client, "mib")
    shown = texts(r.text)
    # the 1 MiB message cannot fit a cookie: it is dropped with one warning,
    # the legitimate one stays
    assert shown == ["legit"]
    assert any("dropped" in l for l in flash_lines(server))


def test_ten_thousand_members(server, client):
    """All 10000 members are parsed (every one is accounted for: shown or
    dropped for size) and the newest that fit are kept.  No wall-clock
    threshold, which a loaded machine can miss: a parser that loops or
    goes quadratic is caught by the client's timeout, a liveness bound
    far above any normal run."""
    r = pending_then(server, client, "members", timeout=60)
    shown = texts(r.text)
    assert shown[-1] == "last"             # the newest that fit are kept
    assert set(shown[:-1]) == {"m"}
    log = server.log_since_mark()
    m = re.search(r"(\d+) message\(s\) dropped: they do not fit .*\(0 too large on their own, (\d+) oldest\)",
                  log)
    assert m and m.group(1) == m.group(2), m
    # the pending "legit", the oldest, has a cookie of its own: that cookie
    # is given up to make room for the newcomers, on a line of its own
    k = re.search(r"(\d+) message\(s\) dropped: older cookies made room", log)
    assert k and int(k.group(1)) == 1, log
    assert "legit" not in shown
    # 9999 "m" + "last" + "legit": every one shown or dropped, once
    assert int(m.group(1)) + int(k.group(1)) + len(shown) == 9999 + 1 + 1


def test_x_flash_from_cgi_with_control_bytes(server, client):
    r = client.get(emit_url(server.url, h="X-Flash: info: tab\there and \x7f del"))
    assert r.status_code == 200 and "X-Flash" not in r.headers
    assert texts(r.text) == []
    assert len([l for l in flash_lines(server) if ":warn]" in l]) == 1


@pytest.mark.parametrize("char", ["\u0085", "\u0080", "\u009b", "\u009f"])
@pytest.mark.parametrize("form", ["simple", "display"])
def test_c1_control_in_text_is_refused_like_c0(server, client, char, form):
    # NEL (U+0085) breaks lines for some readers; CSI (U+009B) starts a
    # terminal escape in a log viewer: refused whole, as C0 controls are.
    text = "before" + char + "after"
    value = "info: " + text if form == "simple" else display_string(text) + ";level=info"
    r = client.get(emit_url(server.url, h="X-Flash: " + value))
    assert r.status_code == 200 and "X-Flash" not in r.headers
    assert texts(r.text) == []
    assert len([l for l in flash_lines(server) if ":warn]" in l]) == 1


def test_bidi_override_stays_inside_its_message(server, client):
    # A backend copies a file name from user input; U+202E (RIGHT-TO-LEFT
    # OVERRIDE) is kept as text, and each message is an isolated item
    # (dir="auto"): the override cannot reorder the markup around it.
    spoof = "Uploaded \u202egnp.exe"
    client.get(emit_url(server.url, status="302", location="/x",
                        h='X-Flash: %s;level=info, "Next";level=success' % display_string(spoof)),
               allow_redirects=False)
    r = client.get(server.url + "/page.html")
    items = re.findall(r"<li [^>]*>", r.text)
    assert items == ['<li class="info" dir="auto">', '<li class="success" dir="auto">'], r.text
    assert texts(r.text) == [spoof, "Next"]


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
    # only our own markup: the live region, one ul, one li per payload,
    # with its class and dir="auto" only
    assert [t for t, _ in parser.tags] == ["html", "body", "div", "ul"] + ["li"] * len(XSS)
    assert dict(parser.tags[2][1]) == {
        "class": "flashmsg", "role": "status", "aria-live": "assertive",
        "data-turbo-temporary": None, "data-hx-history": "false"}
    for tag, attrs in parser.tags[4:]:
        assert [a for a, _ in attrs] == ["class", "dir"] and dict(attrs)["dir"] == "auto"
    assert parser.items == XSS
    classes = [dict(a)["class"] for t, a in parser.tags[4:]]
    assert classes == [p + " error" for p in XSS]
    assert r.text.count("<!--FLASH_MESSAGES-->") == 0

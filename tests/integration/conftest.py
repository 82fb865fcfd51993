"""Fixtures: a shared apache2 with the standard test site, and a factory for
servers with their own configuration.  Every test fails on an unexpected
[error]/[crit] line in the error log written while it ran."""
import html
import os
import re
import shutil
import tempfile
import time

import pytest
import requests

import forge
from harness import Httpd, TOP
from postgres import Postgres

PAGE = "<html><head><title>t</title></head><body>\n<!--FLASH_MESSAGES-->\n<p>page body</p>\n</body></html>\n"
PLAIN = "<html><body><p>no placeholder</p></body></html>\n"

EMIT_CGI = r'''#!/usr/bin/python3
# Emits whatever the query asks for: status, location, h (header lines), ct, body.
import os, sys, urllib.parse
q = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""), keep_blank_values=True)
out = []
if "status" in q:
    out.append("Status: " + q["status"][0])
if "location" in q:
    out.append("Location: " + q["location"][0])
out += q.get("h", [])
if "ct" in q:
    out.append("Content-Type: " + q["ct"][0])
elif "location" not in q or "status" in q:
    out.append("Content-Type: text/html; charset=utf-8")
body = q.get("body", ["<html><body><!--FLASH_MESSAGES--><p>emitted</p></body></html>"])[0]
sys.stdout.buffer.write(("\r\n".join(out) + "\r\n\r\n").encode("utf-8") + body.encode("utf-8"))
'''

SAVE_CGI = """#!/bin/sh
# A form handler: flash a message and redirect with Status 302.
printf 'Status: 302 Found\\r\\n'
printf 'Location: /page.html\\r\\n'
printf 'X-Flash: success: Profile saved.\\r\\n'
printf 'Content-Type: text/html\\r\\n\\r\\n'
printf '<html><body>moved</body></html>'
"""

LOCAL_CGI = """#!/bin/sh
# Location without Status: httpd redirects internally to the page.
printf 'Location: /page.html\\r\\n'
printf 'X-Flash: info: Internal hop\\r\\n\\r\\n'
"""

NOTFOUND_CGI = """#!/bin/sh
printf 'Status: 404 Not Found\\r\\n'
printf 'X-Flash: error: Nothing here\\r\\n'
printf 'Content-Type: text/html\\r\\n\\r\\n'
printf '<html><body><!--FLASH_MESSAGES-->gone</body></html>'
"""

FAIL_CGI = """#!/bin/sh
printf 'Status: 500 Internal Server Error\\r\\n'
printf 'X-Flash: error: Backend failed\\r\\n'
printf 'Content-Type: text/html\\r\\n\\r\\n'
printf '<html><body><!--FLASH_MESSAGES-->failed</body></html>'
"""

SAVE_PHP = """<?php
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $name = isset($_POST['name']) ? $_POST['name'] : '';
    header('X-Flash: "Saved ' . addcslashes($name, '"\\\\') . '";level=success', false);
    header('X-Flash: %"Gr%c3%bc%c3%9fe aus PHP";level=info;tags="php"', false);
    header('Location: /page.html', true, 303);
    exit;
}
?>
<html><body><!--FLASH_MESSAGES--><form method="post"><input name="name"></form></body></html>
"""

def _png():
    """A valid 1x1 PNG whose tEXt chunk holds the placeholder's bytes: an
    image must pass untouched and consume nothing even so."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\0<!--FLASH_MESSAGES-->")
            + chunk(b"IDAT", zlib.compress(b"\0\xff\x00\x00"))
            + chunk(b"IEND", b""))


PNG = _png()

SITE = {
    "page.html": PAGE,
    "img.png": PNG,
    "index.html": PAGE,
    "plain.html": PLAIN,
    "data.json": '{"ok": true}\n',
    "cgi/emit.cgi": EMIT_CGI,
    "cgi/save.cgi": SAVE_CGI,
    "cgi/local.cgi": LOCAL_CGI,
    "cgi/notfound.cgi": NOTFOUND_CGI,
    "cgi/fail.cgi": FAIL_CGI,
    "php/save.php": SAVE_PHP,
    "split/page.html": PAGE,
}

SITE_CONF = """
FlashMsgLevel critical 50
<Location /split/>
  SetOutputFilter BUCKETEER
</Location>
<Location /tagged/>
  FlashMsgTag error danger
  FlashMsgTag info ""
</Location>
<Location /old>
  FlashMsgAdd warning "This page has moved."
  Redirect 301 /old /page.html
</Location>
<Location /off/>
  FlashMsg Off
</Location>
"""


def rendered(text):
    """The messages rendered by the default template: [(class, text)]."""
    m = re.search(r'<ul class="messages">(.*?)</ul>', text, re.S)
    if not m:
        return []
    return [(html.unescape(c), html.unescape(t)) for c, t in
            re.findall(r'<li class="([^"]*)"[^>]*>(.*?)</li>', m.group(1), re.S)]


def texts(text):
    return [t for _, t in rendered(text)]


# The reasons cookie storage logs (at info) when it ignores and deletes a
# cookie value: fm_decode_status_str() in core/cookie_codec.c.  Tests match
# on these, which stay stable even if the rest of that log line changes.
BAD_SIGNATURE = "signature does not verify"
DECODE_REASONS = ("malformed value", BAD_SIGNATURE,
                  "signed value where encryption is required, or vice versa",
                  "creation time in the future")


def readable_in(value, words):
    """Whether any of `words` can be read in a cookie value: as it is, or
    base64url-encoded at any of the three byte alignments.  A test that an
    encrypted value hides its text must not trip over two letters that a
    random ciphertext happens to contain, so the words should be long
    (seven bytes or more make a chance match negligible)."""
    import base64
    decoded = []
    for segment in re.findall(r"[A-Za-z0-9_-]+", value):
        for skip in range(4):
            part = segment[skip:]
            part = part[:-1] if len(part) % 4 == 1 else part
            decoded.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return any(w in value or w.encode() in d for w in words for d in decoded)


def log_lines_since(srv, since, text):
    """The error-log lines written after offset `since` that contain text."""
    return [l for l in srv.read_log()[since:].splitlines() if text in l]


def assert_every_change_rejected(srv, value, other_cookies="", name="flashmsg"):
    """`value` (a genuine cookie value of the message "genuine", sent under
    `name`, the full name it was signed for: flashmsg.ID) is accepted; each one-byte change of its payload and MAC (signed) or of its
    nonce, ciphertext and tag (encrypted) is rejected because the signature
    or tag does not verify (logged once), deleted, and renders nothing.
    Returns the set of pieces that were changed."""
    def get(v):
        return requests.get(srv.url + "/page.html",
                            headers={"Cookie": "%s=%s%s" % (name, v, other_cookies)})
    r = get(value)
    assert texts(r.text) == ["genuine"], "the untouched value must be accepted"
    tried = set()
    for piece, i, forged in forge.tampered(value):
        since = len(srv.read_log())
        r = get(forged)
        where = "%s byte %d" % (piece, i)
        assert r.status_code == 200, where
        assert texts(r.text) == [], where
        assert re.search(r"(^|, )%s=; Max-Age=0" % re.escape(name),
                         r.headers.get("Set-Cookie", "")), where
        lines = log_lines_since(srv, since, BAD_SIGNATURE)
        assert len(lines) == 1, (where, srv.read_log()[since:])
        tried.add(piece)
    assert tried == {p for p, _ in forge.parts(value)}
    return tried


def emit_url(base, **params):
    """URL of emit.cgi; h may be a list of header lines."""
    return requests.Request("GET", base + "/cgi/emit.cgi", params=params).prepare().url


def shared_server(conf, files=None, **kw):
    """Body of a fixture that shares one server among many tests: the
    standard site plus `files`, started once, removed at the end."""
    all_files = dict(SITE)
    all_files.update(files or {})
    srv = Httpd(conf, files=all_files, **kw)
    srv.start()
    yield srv
    srv.cleanup()


@pytest.fixture(scope="session")
def site():
    yield from shared_server(SITE_CONF, modules=["bucketeer"], name="site")


def log_window(srv):
    """Yield srv to one test and fail it on error-log lines it caused.
    Fixtures that share a server across tests use it: yield from log_window(s)."""
    srv.mark_log()
    srv.expected_errors = []
    yield srv
    bad = srv.unexpected_errors()
    assert not bad, "unexpected error log lines:\n" + "\n".join(bad)


def readme_dbd_queries():
    """The mod_session_dbd statements exactly as docs/storage.md gives them
    (for the table session (key varchar(255) primary key, value text, expiry
    bigint)): the tests run what users copy."""
    guide = open(os.path.join(TOP, "docs", "storage.md")).read()
    lines = [l for l in guide.splitlines() if l.startswith("DBDPrepareSQL ")]
    names = [l.rsplit(" ", 1)[1] for l in lines]
    assert sorted(names) == sorted(set(names)) and len(names) == 5, names
    return "\n" + "\n".join(lines) + "\n"


DBD_QUERIES = readme_dbd_queries()


@pytest.fixture
def server(site):
    """The shared site, with this test's error-log window."""
    yield from log_window(site)


@pytest.fixture
def make_server():
    made = []

    def make(conf="", files=None, start=True, **kw):
        all_files = dict(SITE)
        all_files.update(files or {})
        srv = Httpd(conf, files=all_files, **kw)
        made.append(srv)
        if start:
            srv.start()
        return srv

    yield make
    for srv in made:
        bad = srv.unexpected_errors()
        srv.cleanup()
        assert not bad, "unexpected error log lines:\n" + "\n".join(bad)


@pytest.fixture
def client():
    s = requests.Session()
    yield s
    s.close()


@pytest.fixture
def postgres():
    pg = Postgres().start()
    pg.psql("create database flash")
    pg.psql("create table session (key varchar(255) primary key, value text, "
            "expiry bigint)", db="flash")
    yield pg
    pg.stop()


class Gates:
    """Order of events instead of wall-clock thresholds: a backend waits
    until the test creates a file (opens a gate), and leaves a file behind
    to say how far it got.  The directory is writable by the backend
    (www-data when the tests run as root)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="flashmsg-gates-", dir="/tmp")
        os.chmod(self.dir, 0o777)

    def path(self, name):
        return os.path.join(self.dir, name)

    def open(self, name):
        with open(self.path(name), "w"):
            pass

    def exists(self, name):
        return os.path.exists(self.path(name))

    def wait_for(self, name, timeout=15):
        """True once the file exists; False after `timeout` seconds (a
        liveness bound for a backend that never gets there)."""
        deadline = time.time() + timeout
        while not self.exists(name):
            if time.time() > deadline:
                return False
            time.sleep(0.01)
        return True


@pytest.fixture
def gates():
    g = Gates()
    yield g
    shutil.rmtree(g.dir, ignore_errors=True)


# --- the module's cookies --------------------------------------------------
# Pending messages live in one cookie per batch, named flashmsg.ID (a single
# cookie "flashmsg" from earlier versions is still read).

def is_flash_name(name, base="flashmsg"):
    """A cookie of the module's family: base or base.ID, and over HTTPS with
    the default name their __Host- forms (docs/spec.md §5)."""
    if base == "flashmsg" and name.startswith("__Host-"):
        name = name[len("__Host-"):]
    return name == base or name.startswith(base + ".")


def flash_cookies(jar, base="flashmsg"):
    """{name: value} of the module's cookies in a requests cookie jar."""
    return {c.name: c.value for c in jar if is_flash_name(c.name, base)}


def has_flash(jar, base="flashmsg"):
    return bool(flash_cookies(jar, base))


def only_flash_cookie(jar, base="flashmsg"):
    """(name, value) of the one cookie of the module the jar holds."""
    found = flash_cookies(jar, base)
    assert len(found) == 1, found
    return next(iter(found.items()))


def flash_cookie_header(jar, base="flashmsg"):
    """A Cookie header value with the module's cookies of jar."""
    return "; ".join("%s=%s" % kv for kv in flash_cookies(jar, base).items())


# A batch cookie's name: the base, ".", 8 random base64url characters.
BATCH_ID = r"\.[A-Za-z0-9_-]{8}"


def batch_name_re(base="flashmsg"):
    """A regex (for re.fullmatch) of the name of a new batch cookie."""
    return re.escape(base) + BATCH_ID


def flash_cookies_size(jar, base="flashmsg"):
    """What the module's cookies of jar take in a Cookie header, counted as
    the module counts them against FlashMsgCookieMaxSize: "name=value; "
    each."""
    return sum(len(n) + 1 + len(v) + 2 for n, v in flash_cookies(jar, base).items())


def flash_set_cookies(response, base="flashmsg"):
    """The response's Set-Cookie lines for the module's cookies."""
    return [h for h in response.raw.headers.getlist("Set-Cookie")
            if is_flash_name(h.split("=", 1)[0].strip(), base)]


def _is_deletion(line):
    return "max-age=0" in line.lower().replace(" ", "")


def flash_set(response, base="flashmsg"):
    """{name: value} of the module's cookies the response sets (not the
    deletions)."""
    return {h.split(";")[0].split("=", 1)[0].strip(): h.split(";")[0].split("=", 1)[1]
            for h in flash_set_cookies(response, base) if not _is_deletion(h)}


def flash_deleted(response, base="flashmsg"):
    """Names of the module's cookies the response deletes (NAME=; Max-Age=0),
    in order (a name deleted twice appears twice)."""
    out = []
    for h in flash_set_cookies(response, base):
        if _is_deletion(h):
            pair = h.split(";")[0]
            assert pair.endswith("="), h       # a deletion carries no value
            out.append(pair[:-1].strip())
    return out


class BrowserJar:
    """What a browser does with cookies, for requests sent in any order: a
    Cookie header from the current jar, and each response's Set-Cookie
    applied when that response is handled (Max-Age=0 deletes)."""

    def __init__(self):
        self.cookies = {}

    def header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def apply(self, response):
        for line in response.raw.headers.getlist("Set-Cookie"):
            pair, _, attrs = line.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attrs.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def tab_add(srv, jar, text, level="info", timeout=None):
    """A tab's form handler adds a message and redirects (not followed),
    with the cookies of jar (a BrowserJar)."""
    r = requests.get(emit_url(srv.url, status="303", location="/plain.html",
                              h="X-Flash: %s: %s" % (level, text)),
                     headers={"Cookie": jar.header()}, allow_redirects=False,
                     timeout=timeout)
    assert r.status_code == 303, r.text[:300]
    return r


def tab_show(srv, jar, timeout=None):
    """A tab loads a page with the placeholder, with the cookies of jar."""
    r = requests.get(srv.url + "/page.html", headers={"Cookie": jar.header()},
                     timeout=timeout)
    assert r.status_code == 200, r.text[:300]
    return r

"""The module's cookies stay bounded in the browser whatever it is sent
(docs/spec.md §5, red team finding 1), and on HTTPS they carry the __Host- prefix by
default so that a sibling subdomain cannot toss cookies at them (finding 2).

A browser's cross-site form POST carries none of the module's cookies
(SameSite=Lax), yet the browser stores the cookies its answer sets.  Each
such answer used to create a new batch cookie: 76 of them made every later
request of that browser too large for httpd (400) for a day.  These tests
keep a browser-like jar that applies every Set-Cookie, send the requests a
browser would send (Sec-Fetch-Site, Origin), and check the jar's size and
what the next page shows."""
import random

import pytest
import requests
import urllib3

import forge
from conftest import BrowserJar, emit_url, texts
from harness import SECRET

BUDGET = 2048                     # FlashMsgCookieMaxSize's default
# What the module's cookies may take in a browser: its own batches within
# the budget, plus the one cookie answers to other sites' requests share.
JAR_BOUND = 2 * BUDGET

# What a browser sends with a form POSTed from another site: no cookie of
# ours (SameSite=Lax), and who started the request.
CROSS_SITE = {
    "modern": {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
               "Origin": "https://attacker.example"},
    # browsers before Sec-Fetch-* (Safari < 16.4) still send Origin on a POST
    "origin-only": {"Origin": "https://attacker.example"},
    # an opaque origin (sandboxed frame, cross-origin redirect chain)
    "origin-null": {"Origin": "null"},
    # a sibling subdomain is "same-site" but not this origin (finding 2)
    "sibling": {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example.org"},
}
OWN = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}

# A form handler that flashes its query string and redirects (a shell
# script: hundreds of requests per test).
ADD_CGI = """#!/bin/sh
printf 'Status: 303 See Other\\r\\nLocation: /plain.html\\r\\n'
printf 'X-Flash: info: %s\\r\\n' "$(printf '%s' "$QUERY_STRING" | tr '+' ' ')"
printf 'Content-Type: text/html\\r\\n\\r\\nmoved'
"""


@pytest.fixture(scope="module")
def site_with_add():
    from conftest import shared_server
    yield from shared_server("", files={"cgi/add.cgi": ADD_CGI}, name="bound")


@pytest.fixture
def server(site_with_add):
    from conftest import log_window
    yield from log_window(site_with_add)


def add_url(srv, text):
    return srv.url + "/cgi/add.cgi?" + text.replace(" ", "+")


def jar_size(jar, base="flashmsg"):
    """Bytes of the module's cookies in the Cookie header the jar sends."""
    return sum(len(n) + 1 + len(v) + 2 for n, v in jar.cookies.items()
               if n == base or n.startswith(base + "."))


def cross_site_add(srv, text, headers, jar=None):
    """A form on another site POSTs to a handler that flashes and redirects.
    Without jar: the request carries no cookie (a cross-site POST)."""
    h = dict(headers)
    if jar is not None:
        h["Cookie"] = jar.header()
    r = requests.post(add_url(srv, text), headers=h, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return r


def own_add(srv, jar, text):
    r = requests.get(add_url(srv, text), headers=dict(OWN, Cookie=jar.header()),
                     allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return r


def page(srv, jar, headers=OWN):
    return requests.get(srv.url + "/page.html", headers=dict(headers, Cookie=jar.header()))


@pytest.mark.parametrize("browser", sorted(CROSS_SITE))
def test_cross_site_adds_cannot_grow_the_jar(server, browser):
    """200 cross-site POSTs: the jar keeps every cookie they set, stays
    within the bound, and the next page answers 200 with the newest
    message."""
    jar = BrowserJar()
    for i in range(200):
        jar.apply(cross_site_add(server, "m%03d" % i, CROSS_SITE[browser]))
        assert jar_size(jar) <= JAR_BOUND, (i, sorted(jar.cookies))
    assert len(flash_cookies_of(jar)) == 1, sorted(jar.cookies)
    r = page(server, jar)
    assert r.status_code == 200
    assert texts(r.text) == ["m199"]
    jar.apply(r)
    assert texts(page(server, jar).text) == []


def flash_cookies_of(jar):
    return [n for n in jar.cookies if n == "flashmsg" or n.startswith("flashmsg.")]


def test_cross_site_add_beside_own_pending_messages(server):
    """What the site itself added stays; the cross-site answers share one
    cookie, the newest replacing an older one the request could not see;
    a cross-site request that carries the cookies (a top-level GET from
    another site) adds to that one cookie instead of a new one."""
    jar = BrowserJar()
    jar.apply(own_add(server, jar, "own"))
    jar.apply(cross_site_add(server, "cross 1", CROSS_SITE["modern"]))
    jar.apply(cross_site_add(server, "cross 2", CROSS_SITE["modern"]))
    before = set(flash_cookies_of(jar))
    assert len(before) == 2, before
    # a cross-site navigation that carries the cookies adds to the shared one
    jar.apply(cross_site_add(server, "cross 3", CROSS_SITE["modern"], jar=jar))
    assert set(flash_cookies_of(jar)) == before
    r = page(server, jar)
    assert texts(r.text) == ["own", "cross 2", "cross 3"]
    jar.apply(r)
    assert flash_cookies_of(jar) == []


def test_own_parallel_adds_keep_their_own_cookies(server):
    """Requests of the site's own pages (Sec-Fetch-Site: same-origin) that
    leave at once with an empty jar each keep their batch (two tabs)."""
    jar = BrowserJar()
    a = own_add(server, jar, "tab one")
    b = own_add(server, jar, "tab two")
    jar.apply(b)
    jar.apply(a)
    assert sorted(texts(page(server, jar).text)) == ["tab one", "tab two"]


def test_any_sequence_stays_bounded(server):
    """A random mix of the site's own adds, cross-site adds with and without
    cookies, and pages, applied to one jar: never more than the bound,
    never a 400, and each message shown at most once."""
    rnd = random.Random(1234)
    jar = BrowserJar()
    shown = []
    big = "x" * 300
    for i in range(300):
        # mostly adds: pages (which empty the jar) are the rare step
        kind = rnd.choices(["own", "cross", "cross-with-cookies", "page"],
                           weights=[1, 6, 1, 0.3])[0]
        text = "n%03d %s" % (i, big if rnd.random() < 0.5 else "")
        if kind == "own":
            r = own_add(server, jar, text)
        elif kind == "cross":
            r = cross_site_add(server, text, CROSS_SITE["modern"])
        elif kind == "cross-with-cookies":
            r = cross_site_add(server, text, CROSS_SITE["modern"], jar=jar)
        else:
            r = page(server, jar)
            assert r.status_code == 200
            shown += texts(r.text)
        jar.apply(r)
        assert jar_size(jar) <= JAR_BOUND, (i, kind, jar_size(jar))
    assert len(shown) == len(set(shown))


# --- __Host- by default on HTTPS (finding 2) -------------------------------

def tls_server(make_server, conf=""):
    srv = make_server(conf, start=False, modules=["ssl", "socache_shmcb"], name="tls")
    srv.serve_tls()
    srv.start()
    urllib3.disable_warnings()
    return srv


def tls_add(srv, text="info: over TLS", cookie=""):
    return requests.get(emit_url(srv.url, status="303", location="/page.html",
                                 h="X-Flash: " + text),
                        headers={"Cookie": cookie}, allow_redirects=False, verify=False)


def set_cookie_lines(r):
    return r.raw.headers.getlist("Set-Cookie")


def test_https_default_name_is_host_prefixed(make_server):
    srv = tls_server(make_server)
    r = tls_add(srv)
    lines = set_cookie_lines(r)
    assert len(lines) == 1, lines
    name = lines[0].split("=", 1)[0]
    assert name.startswith("__Host-flashmsg."), lines
    attrs = [a.strip().lower() for a in lines[0].split(";")[1:]]
    assert "secure" in attrs and "path=/" in attrs
    assert not any(a.startswith("domain") for a in attrs)
    jar = BrowserJar()
    jar.apply(r)
    r = requests.get(srv.url + "/page.html", headers={"Cookie": jar.header()}, verify=False)
    assert texts(r.text) == ["over TLS"]


def test_tossed_cookie_is_not_shown_on_https(make_server):
    """A valid batch planted from a sibling subdomain can only be unprefixed
    (a browser refuses a __Host- cookie with Domain): on HTTPS with the
    default name it is not read."""
    srv = tls_server(make_server)
    name = "flashmsg.AbCd1234"
    value = forge.sign(SECRET, forge.payload([(20, "tossed", "")]), name)
    r = requests.get(srv.url + "/page.html", headers={"Cookie": "%s=%s" % (name, value)},
                     verify=False)
    assert r.status_code == 200
    assert texts(r.text) == []
    # the same value under its name is genuine: an HTTP server reads it
    plain = make_server(name="plain")
    r = requests.get(plain.url + "/page.html", headers={"Cookie": "%s=%s" % (name, value)})
    assert texts(r.text) == ["tossed"]


def test_explicit_name_wins_on_https(make_server):
    srv = tls_server(make_server, "FlashMsgCookieName flashmsg")
    lines = set_cookie_lines(tls_add(srv))
    assert lines[0].startswith("flashmsg."), lines
    assert "; Secure" in lines[0]


def test_cookie_domain_keeps_the_plain_name_on_https(make_server):
    srv = tls_server(make_server, "FlashMsgCookieDomain example.org")
    lines = set_cookie_lines(tls_add(srv))
    assert lines[0].startswith("flashmsg."), lines
    assert "Domain=example.org" in lines[0]

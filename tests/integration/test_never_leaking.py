"""Never silently off, never leaking (issue 11): the filter runs whatever
other output filters sit around it, X-Flash never reaches a client, a
response that writes our state is never stored by a shared cache, and junk
cookies of our name cannot hide a valid one."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest
import requests

from conftest import (PAGE, batch_name_re, emit_url, flash_deleted, flash_set, has_flash,
                      only_flash_cookie, texts)

FLOW_CGI = "/cgi/save.cgi"     # 302 + X-Flash: success: Profile saved.


def no_flash_headers(r):
    for h in r.headers:
        assert not h.lower().startswith("x-flash"), "%s leaked: %r" % (h, r.headers)


def core_flow(srv, client, page="/page.html"):
    r = client.get(srv.url + FLOW_CGI, allow_redirects=False)
    no_flash_headers(r)
    assert r.status_code == 302 and has_flash(client.cookies), r.headers
    r = client.get(srv.url + page)
    no_flash_headers(r)
    assert texts(r.text) == ["Profile saved."]
    r = client.get(srv.url + page)
    no_flash_headers(r)
    assert texts(r.text) == [] and not has_flash(client.cookies)


# --- 1. other output filters around ours ---------------------------------

EXPIRES = {
    "bytype": "ExpiresActive On\nExpiresByType text/html \"access plus 1 hour\"",
    "default": "ExpiresActive On\nExpiresDefault \"access plus 1 hour\"",
}


@pytest.mark.parametrize("how", sorted(EXPIRES))
def test_mod_expires_does_not_switch_us_off(make_server, client, how):
    srv = make_server(EXPIRES[how], modules=["expires"])
    core_flow(srv, client)


def test_mod_expires_with_encryption_does_not_leak(make_server, client):
    srv = make_server(EXPIRES["default"] + "\nFlashMsgCookieEncrypt On",
                      modules=["expires"])
    core_flow(srv, client)


# ftype 30 (PROTOCOL) sits after the HTTP header filter and turns the
# headers into body bytes even without this module: not a usable setup.
@pytest.mark.parametrize("ftype", [11, 15, 18, 19, 20, 21, 25, 29])
def test_filters_of_any_type_around_us(make_server, client, ftype):
    conf = ('ExtFilterDefine passthru mode=output cmd="/bin/cat" ftype=%d\n'
            "<Location /page.html>\nSetOutputFilter passthru\n</Location>\n"
            "<Location /cgi/>\nSetOutputFilter passthru\n</Location>\n" % ftype)
    srv = make_server(conf, modules=["ext_filter"])
    core_flow(srv, client)


def test_clear_and_add_work_beside_mod_expires(make_server, client):
    conf = EXPIRES["default"] + """
<Location /moved>
  FlashMsgAdd warning "This page has moved."
  Redirect 302 /moved /page.html
</Location>
<Location /logout>
  FlashMsgClear On
</Location>
"""
    srv = make_server(conf, modules=["expires"],
                      files={"logout/index.html": "<html>bye</html>"})
    r = client.get(srv.url + "/moved", allow_redirects=False)
    assert r.status_code == 302 and has_flash(client.cookies)
    client.get(srv.url + "/logout/")
    assert not has_flash(client.cookies)
    assert texts(client.get(srv.url + "/page.html").text) == []


THIEF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "c_module",
                     "mod_filter_thief.c")


@pytest.fixture(scope="module")
def thief_module():
    apxs = shutil.which("apxs") or shutil.which("apxs2")
    build = tempfile.mkdtemp(prefix="flashmsg-thief-", dir="/tmp")
    try:
        shutil.copy(THIEF, build)
        p = subprocess.run([apxs, "-c", "-Wc,-Wall", "-Wc,-Wextra", "-Wc,-Werror",
                            os.path.basename(THIEF)], cwd=build, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        assert p.returncode == 0, "apxs failed:\n" + p.stdout
        yield os.path.join(build, ".libs", "mod_filter_thief.so")
    finally:
        shutil.rmtree(build, ignore_errors=True)


@pytest.mark.parametrize("where", ["/cgi/save.cgi", "/cgi/notfound.cgi"])
def test_last_line_strips_and_keeps_when_the_body_filter_is_gone(make_server, client,
                                                                 thief_module, where):
    """Another module removes our body filter: X-Flash still never leaves,
    the message is still stored, and an error line names the chain."""
    srv = make_server("LoadModule filter_thief_module %s\n"
                      "<Location /cgi/>\nSetEnv steal-flashmsg 1\n</Location>\n" % thief_module)
    srv.expect_error(r"mod_flashmsg: .*body filter did not run.*output filters:")
    r = client.get(srv.url + where, allow_redirects=False)
    no_flash_headers(r)
    assert has_flash(client.cookies), r.headers
    assert "output filters:" in srv.log_since_mark()
    r = client.get(srv.url + "/page.html")
    assert len(texts(r.text)) == 1


# mod_headers' `Header set` (no `early`) is applied by its output filter,
# FIXUP_HEADERS_OUT at AP_FTYPE_CONTENT_SET: after our body filter
# (CONTENT_SET - 1) has decided, before the guard (PROTOCOL - 1).
LATE_HEADER_CONF = """
<Location /late/>
  Header set X-Flash "warning: set by mod_headers"
</Location>
"""


def test_x_flash_set_after_the_body_filter_is_stripped_by_the_guard(make_server, client):
    """Mutant guard-keeps-x-flash: only the guard can remove an X-Flash that a
    filter sets once the page's messages are decided (the capture has run)."""
    srv = make_server(LATE_HEADER_CONF, files={"late/page.html": PAGE})
    srv.expect_error(r"mod_flashmsg: X-Flash was set after the page's messages "
                     r"were decided .*removed, its messages are lost")

    # Nothing pending: the decision is still open when the header comes, so
    # the guard keeps its message for a later page (and strips the header).
    r = client.get(srv.url + "/late/page.html")
    no_flash_headers(r)
    assert r.status_code == 200 and texts(r.text) == []
    assert has_flash(client.cookies), r.headers
    assert re.search(r"flashmsg:warn.*X-Flash was set by a filter after "
                     r"mod_flashmsg's body filter", srv.log_since_mark())
    assert texts(client.get(srv.url + "/page.html").text) == ["set by mod_headers"]

    # A page that renders pending messages: decided and committed before
    # mod_headers sets the header.  The guard strips it and says so.
    r = client.get(emit_url(srv.url, status="302", location="/late/page.html",
                            h="X-Flash: info: pending"), allow_redirects=False)
    assert r.status_code == 302
    srv.mark_log()
    r = client.get(srv.url + "/late/page.html")
    no_flash_headers(r)
    assert texts(r.text) == ["pending"]
    assert "were decided" in srv.log_since_mark()


# --- 2. shared caches ----------------------------------------------------

CACHEABLE_CGI = r'''#!/usr/bin/python3
# A GET the backend calls cacheable, adding a message named after the query.
import os, sys
q = os.environ.get("QUERY_STRING", "")
who = q.split("who=")[1].split("&")[0] if "who=" in q else ""
caching = {"maxage": "Cache-Control: public, max-age=60",
           "smaxage": "Cache-Control: s-maxage=60",
           "expires": "Expires: Thu, 01 Jan 2099 00:00:00 GMT"}[q.split("how=")[1].split("&")[0]]
out = ["Content-Type: text/html; charset=utf-8", caching]
if who:
    out.append("X-Flash: info: for " + who)
body = "<html><body>no placeholder here</body></html>"
out.append("Content-Length: %d" % len(body))
sys.stdout.write("\r\n".join(out) + "\r\n\r\n" + body)
'''

CACHE_CONF = {
    "disk": ("CacheRoot \"{root}/cache\"\nCacheEnable disk /\nCacheHeader on\n"
             "CacheIgnoreNoLastMod On\n", ["cache", "cache_disk", "headers"]),
    "socache": ("CacheSocache shmcb\nCacheEnable socache /\nCacheHeader on\n"
                "CacheIgnoreNoLastMod On\n", ["cache", "cache_socache", "socache_shmcb",
                                              "headers"]),
}
# A static page cacheable for everyone, and one that also adds a message
# (mod_cache_socache stores only responses of known length: static files).
STATIC_CACHEABLE = """
<LocationMatch "^/shared/">
  Header set Cache-Control "public, max-age=60"
</LocationMatch>
<Location /shared/adds.html>
  FlashMsgAdd info "for whoever came first"
</Location>
"""


def cache_server(make_server, kind, storage="cookie"):
    conf, mods = CACHE_CONF[kind]
    extra = ""
    if storage == "session":
        mods = mods + ["session", "session_cookie"]
        extra = "Session On\nSessionCookieName sess path=/\nFlashMsgStorage session\n"
    srv = make_server(start=False, modules=mods, name="shared-" + kind,
                      files={"cgi/cacheable.cgi": CACHEABLE_CGI,
                             "shared/adds.html": "<html><body>no placeholder</body></html>",
                             "shared/plain.html": "<html><body>no placeholder</body></html>"})
    os.makedirs(srv.root + "/cache")
    if os.geteuid() == 0:
        shutil.chown(srv.root + "/cache", "www-data", "www-data")
    with open(srv.conf_path, "a") as f:
        f.write(conf.format(root=srv.root) + STATIC_CACHEABLE + extra)
    return srv.start()


def not_from_cache(r):
    return not r.headers.get("X-Cache", "").startswith("HIT") and "Age" not in r.headers


def never_shareable(r):
    assert r.headers.get("Set-Cookie"), r.headers
    cc = r.headers.get("Cache-Control", "")
    assert "private" in cc or "no-store" in cc, r.headers
    assert "public" not in cc and "s-maxage" not in cc, r.headers


@pytest.mark.parametrize("how", ["maxage", "smaxage", "expires"])
@pytest.mark.parametrize("storage", ["cookie", "session"])
def test_a_backend_response_that_stores_a_message_is_never_shared(make_server, how, storage):
    """CGI output has no known length: mod_cache_disk is the cache that could store it."""
    srv = cache_server(make_server, "disk", storage)
    url = srv.url + "/cgi/cacheable.cgi?how=%s&who=" % how
    alice, bob = requests.Session(), requests.Session()
    r = alice.get(url + "alice")
    assert not_from_cache(r)
    never_shareable(r)
    # the same URL for bob: the backend runs again, bob never gets alice's
    r = bob.get(url + "alice")
    assert not_from_cache(r), r.headers
    assert texts(bob.get(srv.url + "/page.html").text) == ["for alice"]
    assert texts(alice.get(srv.url + "/page.html").text) == ["for alice"]
    # a third client asking without adding gets nothing from either
    carol = requests.Session()
    r = carol.get(url)
    assert "Set-Cookie" not in r.headers, r.headers
    assert texts(carol.get(srv.url + "/page.html").text) == []


@pytest.mark.parametrize("kind", ["disk", "socache"])
def test_a_page_that_adds_a_message_is_never_shared(make_server, kind):
    srv = cache_server(make_server, kind)
    alice, bob = requests.Session(), requests.Session()
    r = alice.get(srv.url + "/shared/adds.html")
    assert not_from_cache(r)
    never_shareable(r)
    r = bob.get(srv.url + "/shared/adds.html")
    assert not_from_cache(r), r.headers
    never_shareable(r)


@pytest.mark.parametrize("kind", ["disk", "socache"])
def test_responses_without_messages_still_hit_the_cache(make_server, kind):
    srv = cache_server(make_server, kind)
    s = requests.Session()
    assert s.get(srv.url + "/shared/plain.html").headers["X-Cache"].startswith("MISS")
    r = s.get(srv.url + "/shared/plain.html")
    assert r.headers["X-Cache"].startswith("HIT"), r.headers
    assert "Set-Cookie" not in r.headers
    if kind == "disk":
        url = srv.url + "/cgi/cacheable.cgi?how=maxage&who="
        assert s.get(url).headers["X-Cache"].startswith("MISS")
        assert s.get(url).headers["X-Cache"].startswith("HIT")


# --- 3. cookies under attack ---------------------------------------------

def valid_cookie(srv, text="Survivor"):
    """(name, value) of the new batch cookie holding one message."""
    s = requests.Session()
    s.get(emit_url(srv.url, status="302", location="/page.html",
                   h="X-Flash: info: " + text), allow_redirects=False)
    return only_flash_cookie(s.cookies)


@pytest.mark.parametrize("junk_first", [True, False])
def test_junk_cookies_do_not_hide_a_valid_one(server, junk_first):
    name, good = valid_cookie(server)
    # junk under the valid cookie's own name, and under the legacy name
    junk = ["%s=x%d" % (name, i) for i in range(12)] + ["flashmsg=y%d" % i for i in range(3)]
    parts = junk + ["%s=%s" % (name, good)] if junk_first else ["%s=%s" % (name, good)] + junk
    r = requests.get(server.url + "/page.html", headers={"Cookie": "; ".join(parts)})
    assert texts(r.text) == ["Survivor"]


def test_junk_beside_a_valid_cookie_is_not_a_reason_to_write(server):
    name, good = valid_cookie(server)
    cookie = "; ".join(["%s=junk%d" % (name, i) for i in range(12)]
                       + ["flashmsg=junk", "%s=%s" % (name, good)])
    r = requests.get(server.url + "/plain.html", headers={"Cookie": cookie})
    assert "Set-Cookie" not in r.headers, r.headers
    r = requests.get(server.url + "/page.html", headers={"Cookie": "%s=%s" % (name, good)})
    assert texts(r.text) == ["Survivor"]


def test_two_valid_cookies_stay_apart_and_show_together(server):
    """Was "two valid cookies are merged into one" (one name, so the module
    rewrote them into one).  Now each batch has a cookie of its own and
    nothing is rewritten: a page that consumes nothing writes nothing, and
    the page that shows them shows both, oldest first, and deletes exactly
    those two.  (Two values under ONE name are still merged into a new
    cookie: test_cookie.py::test_two_valid_values_under_one_name_are_merged.)"""
    (na, a), (nb, b) = valid_cookie(server, "first"), valid_cookie(server, "second")
    assert na != nb
    both = {"Cookie": "%s=%s; %s=%s" % (nb, b, na, a)}
    r = requests.get(server.url + "/plain.html", headers=both)
    assert "Set-Cookie" not in r.headers, r.headers
    r = requests.get(server.url + "/page.html", headers=both)
    assert texts(r.text) == ["first", "second"]
    assert sorted(flash_deleted(r)) == sorted([na, nb]) and not flash_set(r), r.headers


def test_host_prefix_cookie(make_server, client):
    srv = make_server("FlashMsgCookieName __Host-flashmsg")
    r = client.get(srv.url + FLOW_CGI, allow_redirects=False)
    # logged at start (the children answer only after it)
    assert re.search(r"__Host-.*plain HTTP", srv.read_log())
    sc = r.headers["Set-Cookie"]
    # the batch cookie keeps the prefix: __Host-flashmsg.ID
    assert re.match(batch_name_re("__Host-flashmsg") + "=", sc), sc
    assert "; Secure" in sc and "; Path=/" in sc and "Domain" not in sc
    name, value = sc.split(";")[0].split("=", 1)
    r = requests.get(srv.url + "/page.html", headers={"Cookie": "%s=%s" % (name, value)})
    assert texts(r.text) == ["Profile saved."]
    assert flash_deleted(r, "__Host-flashmsg") == [name]


def test_host_prefix_refuses_a_domain(make_server):
    srv = make_server("FlashMsgCookieName __Host-flashmsg\nFlashMsgCookieDomain example.org",
                      start=False)
    rc, out = srv.configtest()
    assert rc != 0 and "__Host-" in out and "FlashMsgCookieDomain" in out, out


def test_host_prefix_refuses_a_domain_set_elsewhere(make_server):
    srv = make_server("FlashMsgCookieDomain example.org\n<Location /x/>\n"
                      "FlashMsgCookieName __Host-flashmsg\n</Location>", start=False)
    rc, out = srv.configtest()
    assert rc != 0 and "__Host-" in out, out


# An nph- CGI script writes the whole response itself, status line and
# headers: mod_cgi and mod_cgid pass its bytes to the connection's filters,
# past every request filter (ours included), so nothing can store its
# messages.  X-Flash still must not reach the client.
NPH_CGI = r'''#!/bin/sh
printf 'HTTP/1.1 200 OK\r\n'
printf 'Content-Type: text/html\r\n'
printf 'X-Flash: success: from nph\r\n'
printf 'x-flash: warning\r\n  folded: onto the next line\r\n'
printf 'X-Flash-Consumed: 1\r\n'
printf 'X-Flash-Other: kept\r\n'
printf 'Connection: close\r\n'
printf '\r\n'
printf '<html><body>X-Flash: in the body stays</body></html>\n'
'''


@pytest.mark.parametrize("mpm", ["event", "prefork"])
def test_nph_script_headers_never_carry_x_flash(make_server, mpm):
    import socket
    srv = make_server(files={"cgi/nph-flash.cgi": NPH_CGI}, mpm=mpm)
    srv.mark_log()
    with socket.create_connection(("127.0.0.1", srv.port)) as s:
        s.sendall(b"GET /cgi/nph-flash.cgi HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines == [b"HTTP/1.1 200 OK", b"Content-Type: text/html",
                     b"X-Flash-Other: kept", b"Connection: close"], raw
    assert body == b"<html><body>X-Flash: in the body stays</body></html>\n", raw
    log = srv.log_since_mark()
    assert re.search(r":warn\].*nph- script /cgi/nph-flash\.cgi sent 3 field\(s\) of mod_flashmsg "
                     r"\(X-Flash, X-Flash-Consumed\): "
                     r"removed before they reached the client", log), log
    # the same server goes on as before
    assert requests.get(srv.url + "/page.html").status_code == 200

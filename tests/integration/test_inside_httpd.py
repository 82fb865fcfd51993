"""The filter inside the rest of httpd: compression, caching, streaming,
HTTP/2, SSI, error documents, rewrites, mod_dir, mod_headers, other
content filters, every MPM, and page charsets."""
import gzip
import json
import os
import shutil
import re
import subprocess
import threading
import time

import pytest
import requests

from conftest import EMIT_CGI, PAGE, SITE, flash_cookie_header, has_flash, rendered, texts, emit_url
from harness import Httpd


def pend(srv, client, text="Pending"):
    r = client.get(emit_url(srv.url, status="302", location="/page.html",
                            h="X-Flash: info: " + text), allow_redirects=False)
    assert r.status_code == 302 and has_flash(client.cookies)


def cookie_header(client):
    """The client's pending cookies (flashmsg.ID each) as a Cookie value."""
    assert has_flash(client.cookies)
    return flash_cookie_header(client.cookies)


def curl(*args, timeout=20):
    p = subprocess.run(["curl", "-sS", "--max-time", str(timeout)] + list(args),
                       capture_output=True, timeout=timeout + 5)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout


# --- compression ---------------------------------------------------------

GZIP_CGI = r'''#!/usr/bin/python3
import gzip, sys
body = gzip.compress(b"<html><body><!--FLASH_MESSAGES--><p>zipped</p></body></html>")
sys.stdout.buffer.write(b"Content-Type: text/html\r\nContent-Encoding: gzip\r\n"
                        b"X-Flash: warning: from a gzip backend\r\n\r\n" + body)
'''


def test_deflate_compresses_the_rendered_page(make_server, client):
    srv = make_server("AddOutputFilterByType DEFLATE text/html", modules=["deflate", "filter"])
    pend(srv, client, "compressed")
    r = client.get(srv.url + "/page.html", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert texts(r.text) == ["compressed"]          # requests inflated it
    assert "ETag" not in r.headers and r.headers["Cache-Control"] == "private, no-store"
    r = client.get(srv.url + "/page.html", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and r.text == PAGE


def test_brotli_compresses_the_rendered_page(make_server, client):
    srv = make_server("AddOutputFilterByType BROTLI_COMPRESS text/html",
                      modules=["brotli", "filter"])
    pend(srv, client, "brotli")
    out = curl("-D", "-", "--compressed", "-H", "Accept-Encoding: br",
               "-H", "Cookie: " + cookie_header(client), srv.url + "/page.html")
    head, _, body = out.partition(b"\r\n\r\n")
    assert b"content-encoding: br" in head.lower()
    assert texts(body.decode()) == ["brotli"]


def test_backend_gzip_is_not_corrupted_and_keeps_messages(make_server, client):
    srv = make_server(files={"gz/page.cgi": GZIP_CGI})
    pend(srv, client, "earlier")
    r = client.get(srv.url + "/gz/page.cgi", headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = r.raw.read()
    assert r.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw) == b"<html><body><!--FLASH_MESSAGES--><p>zipped</p></body></html>"
    assert texts(client.get(srv.url + "/page.html").text) == ["earlier", "from a gzip backend"]


def test_inflate_before_us_lets_messages_render(make_server, client):
    srv = make_server("<Location /gz/>\nSetOutputFilter INFLATE\n</Location>",
                      modules=["deflate"], files={"gz/page.cgi": GZIP_CGI})
    pend(srv, client, "earlier")
    r = client.get(srv.url + "/gz/page.cgi", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in r.headers
    assert texts(r.text) == ["earlier", "from a gzip backend"]


# --- mod_cache -----------------------------------------------------------

CACHE_DISK = """
CacheRoot "{root}/cache"
CacheEnable disk /
CacheDefaultExpire 300
CacheHeader on
"""
CACHE_SOCACHE = """
CacheSocache shmcb
CacheEnable socache /
CacheDefaultExpire 300
CacheHeader on
"""


@pytest.mark.parametrize("kind", ["disk", "socache"])
def test_cache_never_shares_messages(make_server, kind):
    mods = ["cache", "cache_disk"] if kind == "disk" else ["cache", "cache_socache", "socache_shmcb"]
    srv = make_server(start=False, modules=mods, name="cache-" + kind)
    os.makedirs(srv.root + "/cache")
    if os.geteuid() == 0:
        shutil.chown(srv.root + "/cache", "www-data", "www-data")
    with open(srv.conf_path, "a") as f:
        f.write((CACHE_DISK if kind == "disk" else CACHE_SOCACHE).format(root=srv.root))
        f.write('<Location /page.html>\nHeader set Cache-Control "public, max-age=300"\n</Location>\n')
    srv.start()
    alice, bob = requests.Session(), requests.Session()
    # bob, with nothing pending, fills the cache and then hits it
    assert bob.get(srv.url + "/page.html").headers["X-Cache"].startswith("MISS")
    r = bob.get(srv.url + "/page.html")
    assert r.headers["X-Cache"].startswith("HIT") and r.text == PAGE
    # alice has a message: she gets the page with it, not the cached copy
    pend(srv, alice, "only for alice")
    r = alice.get(srv.url + "/page.html")
    assert texts(r.text) == ["only for alice"]
    assert not r.headers.get("X-Cache", "").startswith("HIT")
    # and that page was not stored: bob still gets the plain cached copy
    r = bob.get(srv.url + "/page.html")
    assert r.headers["X-Cache"].startswith("HIT") and r.text == PAGE
    # a cached page without placeholder does not consume alice's messages
    pend(srv, alice, "still pending")
    bob.get(srv.url + "/plain.html")
    alice.get(srv.url + "/plain.html")
    assert texts(alice.get(srv.url + "/page.html").text) == ["still pending"]
    # a freshly rendered page is never stored either: start from an empty cache
    pend(srv, alice, "fresh")
    r = alice.get(srv.url + "/index.html")
    assert texts(r.text) == ["fresh"]
    r = bob.get(srv.url + "/index.html")
    assert texts(r.text) == [] and "fresh" not in r.text


# --- streaming -----------------------------------------------------------

SLOW_CGI = r'''#!/usr/bin/python3
# The page in four parts, each flushed.  Before parts 1..3 the CGI waits
# until the test creates the file go<i> in the directory named by the query
# string (at most 10 s; then it says so in the page and waits no more).
import os, sys, time
gates = os.environ["QUERY_STRING"]
out = sys.stdout.buffer
out.write(b"Content-Type: text/html\r\n\r\n")
out.write(b"<html><body><!--FLASH_MESSAGES--><p>first</p>" + b" " * 4096)
out.flush()
patient = True
for i in range(3):
    deadline = time.time() + 10
    while patient and not os.path.exists(os.path.join(gates, "go%d" % i)):
        if time.time() > deadline:
            out.write(b"<p>gate %d timed out</p>" % i)
            patient = False
        time.sleep(0.01)
    out.write(b"<p>chunk %d</p>" % i + b" " * 4096)
    out.flush()
out.write(b"</body></html>")
'''


@pytest.mark.parametrize("pending", [False, True])
def test_streaming_reaches_the_client_progressively(make_server, client, gates, pending):
    """Each part of the page reaches the client while the CGI is still
    waiting to write the next one: the test opens the CGI's next gate only
    once it has received the part before, so a filter that held the page
    back would leave the CGI waiting until its gates time out."""
    srv = make_server(files={"slow.cgi": SLOW_CGI})
    if pending:
        pend(srv, client, "while streaming")
    markers = [b"<p>first</p>", b"<p>chunk 0</p>", b"<p>chunk 1</p>"]
    data, opened = b"", 0
    with client.get(srv.url + "/slow.cgi?" + gates.dir, stream=True, timeout=30) as r:
        for chunk in r.raw.stream(1024, decode_content=False):
            data += chunk
            while opened < 3 and markers[opened] in data:
                assert b"<p>chunk %d</p>" % opened not in data   # not written yet
                gates.open("go%d" % opened)
                opened += 1
    assert b"timed out" not in data, data[-200:]
    assert opened == 3
    assert data.endswith(b"<p>chunk 2</p>" + b" " * 4096 + b"</body></html>")
    if pending:
        assert texts(data.decode()) == ["while streaming"]


BIG_CGI = r'''#!/usr/bin/python3
# 1 GiB of HTML; placeholders where the query says (start, end).
import os, sys
q = os.environ.get("QUERY_STRING", "")
out = sys.stdout.buffer
out.write(b"Content-Type: text/html\r\n\r\n<html><body>")
if "start" in q:
    out.write(b"<!--FLASH_MESSAGES-->")
block = (b"<p>" + b"x" * 1017 + b"</p>\n") * 64          # 64 KiB
for i in range(16384 - 1):
    out.write(block)
if "end" in q:
    out.write(b"<!--FLASH_MESSAGES-->")
out.write(block)
out.write(b"</body></html>")
'''


def child_rss(srv):
    pids = subprocess.run(["pgrep", "-P", str(srv.proc.pid)], capture_output=True,
                          text=True).stdout.split()
    rss = {}
    for p in pids:
        try:
            with open("/proc/%s/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss[p] = int(line.split()[1])
        except FileNotFoundError:
            pass
    return rss


def download(url, client):
    """Byte count, rendered blocks and raw placeholders over the whole body."""
    n, blocks, placeholders, carry = 0, 0, 0, b""
    with client.get(url, stream=True) as r:
        for chunk in r.iter_content(1 << 20):
            n += len(chunk)
            data = carry + chunk
            blocks += data.count(b'<ul class="messages">')
            placeholders += data.count(b"<!--FLASH_MESSAGES-->")
            carry = data[-30:]
            # what was counted in carry is not counted again
            blocks -= carry.count(b'<ul class="messages">')
            placeholders -= carry.count(b"<!--FLASH_MESSAGES-->")
    return n, blocks + carry.count(b'<ul class="messages">'), \
        placeholders + carry.count(b"<!--FLASH_MESSAGES-->")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["end", "start,end"])
def test_one_gib_page_with_flat_memory(make_server, client, where):
    srv = make_server(files={"big.cgi": BIG_CGI})
    url = srv.url + "/big.cgi?" + where
    download(srv.url + "/big.cgi", client)          # warm up the children
    pend(srv, client, "big page")
    before = child_rss(srv)
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for p, v in child_rss(srv).items():
                peak[p] = max(peak.get(p, 0), v)
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    try:
        n, blocks, placeholders = download(url, client)
    finally:
        done.set()
        t.join()
    growth = max(peak.get(p, 0) - before.get(p, peak[p]) for p in peak)
    print("1 GiB (%s): %d bytes, server RSS growth %d KiB" % (where, n, growth))
    assert n > (1 << 30)
    assert growth < 4096, "server RSS grew by %d KiB" % growth
    if where == "end":
        # the placeholder came long after FlashMsgScanLimit: it passes
        # untouched and the message stays pending for the next page
        assert (blocks, placeholders) == (0, 1)
        assert texts(client.get(srv.url + "/page.html").text) == ["big page"]
    else:
        # found at the start: rendered there and again 1 GiB later
        assert (blocks, placeholders) == (2, 0)
        assert texts(client.get(srv.url + "/page.html").text) == []


# --- HTTP/2 --------------------------------------------------------------

def test_http2_cleartext_prior_knowledge(make_server, tmp_path):
    srv = make_server("Protocols h2c http/1.1", modules=["http2"])
    jar = str(tmp_path / "jar")
    out = curl("--http2-prior-knowledge", "-c", jar, "-b", jar, "-o", "/dev/null",
               "-w", "%{http_version} %{http_code}", srv.url + "/cgi/save.cgi")
    assert out == b"2 302"
    page = curl("--http2-prior-knowledge", "-c", jar, "-b", jar, srv.url + "/page.html")
    assert texts(page.decode()) == ["Profile saved."]
    page = curl("--http2-prior-knowledge", "-c", jar, "-b", jar, srv.url + "/page.html")
    assert texts(page.decode()) == []


def test_http2_over_tls_sets_secure(make_server, tmp_path):
    srv = make_server(start=False, modules=["ssl", "socache_shmcb", "http2"], name="h2tls")
    srv.serve_tls("Protocols h2 http/1.1\n")
    srv.start()
    url = srv.url
    jar = str(tmp_path / "jar")
    out = curl("-k", "--http2", "-c", jar, "-b", jar, "-D", "-", "-o", "/dev/null",
               "-w", "%{http_version}", url + "/cgi/save.cgi")
    assert out.endswith(b"2")
    assert re.search(rb"(?im)^set-cookie: __Host-flashmsg\.[A-Za-z0-9_-]{8}=s1\.[^\r\n]*; Secure", out), out
    page = curl("-k", "--http2", "-c", jar, "-b", jar, url + "/page.html")
    assert texts(page.decode()) == ["Profile saved."]


# --- other generators and filters ----------------------------------------

SSI_PAGE = '<html><body><!--#include virtual="/frag.html" --><p>main</p></body></html>'
SSI_CGI_PAGE = ('<html><body><!--#include virtual="/cgi/emit.cgi?ct=text/plain&body=x'
                '&h=X-Flash%3A+success%3A+from+an+include" -->'
                '<!--FLASH_MESSAGES--></body></html>')


@pytest.mark.parametrize("how", ["AddOutputFilter INCLUDES .shtml",
                                 "AddOutputFilterByType INCLUDES text/html"])
def test_ssi_placeholder_in_included_fragment_renders_once(make_server, client, how):
    srv = make_server("<Directory \"{}\">\nOptions +Includes\n</Directory>\n"
                      "AddType text/html .shtml\n%s\n" % how,
                      modules=["include", "filter"], start=False, name="ssi",
                      files={"ssi.shtml": SSI_PAGE, "frag.html": "<div><!--FLASH_MESSAGES--></div>",
                             "ssi2.shtml": SSI_CGI_PAGE})
    srv.config = srv.config.replace("{}", srv.htdocs)
    with open(srv.conf_path, "w") as f:
        f.write(srv.config)
    srv.start()
    pend(srv, client, "through SSI")
    r = client.get(srv.url + "/ssi.shtml")
    assert r.text.count('<ul class="messages">') == 1
    assert texts(r.text) == ["through SSI"]
    r = client.get(srv.url + "/ssi.shtml")
    assert "<!--FLASH_MESSAGES-->" in r.text and "<ul" not in r.text
    # a message added by an included CGI (a subrequest) before the placeholder
    r = client.get(srv.url + "/ssi2.shtml")
    assert texts(r.text) == ["from an include"]


SSI_JSON_PAGES = {
    # the include first: the subrequest runs before the page's body filter
    "first.shtml": '<!--#include virtual="/flash.json" --><p>main</p>',
    # some text first: the page's body filter has started looking
    "later.shtml": '<html><body><p>main</p><!--#include virtual="/flash.json" --></body></html>',
    # past FlashMsgScanLimit: the page's headers are decided before the include
    "late.shtml": "<html><body>" + "x" * 5000 + '<!--#include virtual="/flash.json" --></body></html>',
    "off/page.shtml": '<p>off</p><!--#include virtual="/flash.json" -->',
}


def ssi_json_server(make_server):
    srv = make_server("<Directory \"{}\">\nOptions +Includes\n</Directory>\n"
                      "AddType text/html .shtml\nAddOutputFilter INCLUDES .shtml\n"
                      "<Location /flash.json>\nSetHandler flashmsg-json\n</Location>\n"
                      "<Location /late.shtml>\nFlashMsgScanLimit 1024\n</Location>\n"
                      "<Location /off/>\nFlashMsg Off\n</Location>\n",
                      modules=["include"], start=False, name="ssi-json", files=SSI_JSON_PAGES)
    srv.config = srv.config.replace("{}", srv.htdocs)
    with open(srv.conf_path, "w") as f:
        f.write(srv.config)
    srv.start()
    return srv


def included_messages(text):
    m = re.search(r'(\{"messages":.*\]\})', text)
    assert m, text
    return [x["message"] for x in json.loads(m.group(1))["messages"]]


@pytest.mark.parametrize("page", ["first.shtml", "later.shtml"])
def test_ssi_include_of_json_endpoint_consumes_once(make_server, client, page):
    """<!--#include virtual="/flash.json" --> shows the messages, and the
    page's response deletes them: the subrequest's consumption reaches the
    main response's Set-Cookie (the store is shared)."""
    srv = ssi_json_server(make_server)
    pend(srv, client, "shown by an include")
    r = client.get(srv.url + "/" + page)
    assert r.status_code == 200
    assert included_messages(r.text) == ["shown by an include"]
    assert not has_flash(client.cookies), r.headers.get("Set-Cookie")
    assert "private" in r.headers.get("Cache-Control", "") or \
        "no-store" in r.headers.get("Cache-Control", ""), r.headers
    r = client.get(srv.url + "/" + page)
    assert included_messages(r.text) == []
    assert texts(client.get(srv.url + "/page.html").text) == []


@pytest.mark.parametrize("page,why", [
    ("late.shtml", "the page's headers were already sent"),
    ("off/page.shtml", "FlashMsg is Off for the page"),
])
def test_ssi_include_of_json_endpoint_cannot_consume_shows_nothing(make_server, client, page, why):
    """Where the page's response cannot delete them, the include shows
    nothing and the messages stay pending: never shown twice, never lost."""
    srv = ssi_json_server(make_server)
    pend(srv, client, "kept for later")
    srv.mark_log()
    r = client.get(srv.url + "/" + page)
    assert r.status_code == 200
    assert included_messages(r.text) == []
    assert re.search(r":warn\].*/flash\.json, included in /%s, cannot consume the 1 pending "
                     r"message\(s\): %s" % (re.escape(page), why), srv.log_since_mark())
    assert has_flash(client.cookies)
    assert texts(client.get(srv.url + "/page.html").text) == ["kept for later"]


def test_error_document_keeps_messages(make_server, client):
    srv = make_server("ErrorDocument 404 /page.html")
    pend(srv, client, "kept through a 404")
    r = client.get(srv.url + "/missing.html")
    assert r.status_code == 404 and "<ul" not in r.text and "X-Flash" not in r.headers
    r = client.get(srv.url + "/cgi/notfound.cgi")
    assert r.status_code == 404
    assert texts(client.get(srv.url + "/page.html").text) == ["kept through a 404", "Nothing here"]


def test_rewrite_redirect_with_flashmsgadd(make_server, client):
    srv = make_server("RewriteEngine On\nRewriteRule ^/promo$ /page.html [R=302,L]\n"
                      "<Location /promo>\nFlashMsgAdd success \"Promo applied\"\n</Location>",
                      modules=["rewrite"])
    r = client.get(srv.url + "/promo", allow_redirects=False)
    assert r.status_code == 302
    assert texts(client.get(srv.url + "/page.html").text) == ["Promo applied"]


def test_mod_dir_trailing_slash_redirect(make_server, client):
    srv = make_server(files={"sub/index.html": PAGE})
    pend(srv, client, "after the slash")
    r = client.get(srv.url + "/sub", allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"].endswith("/sub/")
    r = client.get(srv.url + "/sub")
    assert texts(r.text) == ["after the slash"]


def test_mod_headers_cannot_make_a_rendered_page_cacheable(make_server, client):
    srv = make_server('Header set Cache-Control "public, max-age=3600"\n'
                      'Header always set ETag "\\"fixed\\""')
    r = client.get(srv.url + "/page.html")
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    pend(srv, client, "private")
    r = client.get(srv.url + "/page.html")
    assert texts(r.text) == ["private"]
    assert r.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in r.headers


def test_substitute_and_sed_in_the_same_chain(make_server, client):
    srv = make_server('<Location /page.html>\nAddOutputFilterByType SUBSTITUTE text/html\n'
                      'Substitute "s/page body/substituted body/"\n</Location>\n'
                      '<Location /plain.html>\nSetOutputFilter Sed\n'
                      'OutputSed "s|<p>no placeholder</p>|<!--FLASH_MESSAGES--><p>sed</p>|"\n'
                      '</Location>', modules=["substitute", "sed", "filter"])
    pend(srv, client, "with substitute")
    r = client.get(srv.url + "/page.html")
    assert "substituted body" in r.text and texts(r.text) == ["with substitute"]
    # a placeholder produced by another filter before us is rendered too
    pend(srv, client, "placed by sed")
    r = client.get(srv.url + "/plain.html")
    assert "<p>sed</p>" in r.text and texts(r.text) == ["placed by sed"]


# --- MPMs ----------------------------------------------------------------

@pytest.mark.parametrize("mpm", ["event", "worker", "prefork"])
def test_core_flow_under_every_mpm(make_server, client, mpm):
    srv = make_server(mpm=mpm, name=mpm)
    r = client.post(srv.url + "/cgi/save.cgi", allow_redirects=False)
    assert r.status_code == 302 and "X-Flash" not in r.headers
    assert texts(client.get(srv.url + "/page.html").text) == ["Profile saved."]
    assert texts(client.get(srv.url + "/page.html").text) == []
    r = client.post(srv.url + "/php/save.php", data={"name": "mpm"}, allow_redirects=False)
    assert r.status_code == 303
    assert texts(client.get(srv.url + "/page.html").text)[0] == "Saved mpm"


# --- charsets ------------------------------------------------------------

def test_latin1_page_gets_character_references(server, client):
    r = client.get(emit_url(server.url, h='X-Flash: %"Gr%c3%bc%c3%9fe %e2%82%ac";level=info',
                            ct="text/html; charset=iso-8859-1",
                            body="<html><body><!--FLASH_MESSAGES--></body></html>"))
    assert b"Gr&#xfc;&#xdf;e &#x20ac;" in r.content
    assert b"\xc3" not in r.content
    r.encoding = "iso-8859-1"
    assert texts(r.text) == ["Grüße €"]


def test_utf8_page_gets_raw_utf8(server, client):
    r = client.get(emit_url(server.url, h='X-Flash: %"Gr%c3%bc%c3%9fe";level=info',
                            ct="text/html; charset=UTF-8"))
    assert "Grüße".encode() in r.content

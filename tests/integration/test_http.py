"""HTTP hygiene: what keeps messages pending, byte-identical pages, headers
of rendered pages, conditional and range requests, split placeholders, and
X-Flash never reaching the client."""
import re

import requests

from conftest import PAGE, PNG, flash_deleted, has_flash, only_flash_cookie, rendered, texts, emit_url


def flash(server, client, text="Pending one"):
    r = client.get(emit_url(server.url, status="302", location="/page.html",
                            h="X-Flash: info: " + text), allow_redirects=False)
    assert r.status_code == 302
    assert has_flash(client.cookies)
    name, _ = only_flash_cookie(r.cookies)    # the new batch's own cookie
    return name


def test_page_without_messages_is_byte_identical(server, client):
    r = client.get(server.url + "/page.html")
    assert r.content == PAGE.encode()
    assert "Set-Cookie" not in r.headers
    assert r.headers["Content-Length"] == str(len(PAGE))
    assert "ETag" in r.headers and "Last-Modified" in r.headers


def test_rendered_page_headers(server, client):
    flash(server, client)
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == ["Pending one"]
    assert r.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in r.headers
    assert "Last-Modified" not in r.headers
    if "Content-Length" in r.headers:
        assert int(r.headers["Content-Length"]) == len(r.content)


def test_head_keeps_messages(server, client):
    flash(server, client)
    r = client.head(server.url + "/page.html")
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers
    assert texts(client.get(server.url + "/page.html").text) == ["Pending one"]


def test_conditional_request_gets_full_page_when_pending(server, client):
    first = requests.get(server.url + "/page.html")
    etag, lm = first.headers["ETag"], first.headers["Last-Modified"]
    # without messages: a normal 304
    r = requests.get(server.url + "/page.html", headers={"If-None-Match": etag})
    assert r.status_code == 304
    flash(server, client)
    r = client.get(server.url + "/page.html",
                   headers={"If-None-Match": etag, "If-Modified-Since": lm})
    assert r.status_code == 200
    assert texts(r.text) == ["Pending one"]


def test_range_request_gets_whole_page_when_rendering(server, client):
    flash(server, client)
    r = client.get(server.url + "/page.html", headers={"Range": "bytes=0-10"})
    assert r.status_code == 200
    assert texts(r.text) == ["Pending one"]
    # without messages, ranges work as before
    r = client.get(server.url + "/page.html", headers={"Range": "bytes=0-5"})
    assert r.status_code == 206 and r.content == PAGE.encode()[:6]


def test_json_image_and_plain_page_keep_messages(server, client):
    flash(server, client)
    r = client.get(server.url + "/data.json")
    assert r.json() == {"ok": True}
    # an image (with the placeholder's bytes in a tEXt chunk) passes
    # byte for byte, with its validators, and consumes nothing
    r = client.get(server.url + "/img.png")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    assert r.content == PNG
    assert "ETag" in r.headers and r.headers["Content-Length"] == str(len(PNG))
    assert "Set-Cookie" not in r.headers
    r = client.get(server.url + "/plain.html")
    assert "no placeholder" in r.text and "<ul" not in r.text
    r = client.get(emit_url(server.url, ct="application/json",
                            body='{"x": "<!--FLASH_MESSAGES-->"}'))
    assert r.json() == {"x": "<!--FLASH_MESSAGES-->"}
    assert texts(client.get(server.url + "/page.html").text) == ["Pending one"]


def test_redirects_keep_messages_any_number_of_times(server, client):
    flash(server, client, "survivor")
    for _ in range(3):
        r = client.get(emit_url(server.url, status="302", location="/elsewhere"),
                       allow_redirects=False)
        assert r.status_code == 302
    assert texts(client.get(server.url + "/page.html").text) == ["survivor"]


def test_no_set_cookie_when_nothing_changes(server, client):
    flash(server, client)
    for path in ("/data.json", "/img.png", "/plain.html"):
        r = client.get(server.url + path)
        assert "Set-Cookie" not in r.headers, path
    r = requests.get(server.url + "/plain.html")
    assert "Set-Cookie" not in r.headers


def test_x_flash_never_reaches_the_client(server, client):
    for path in ("/cgi/notfound.cgi", "/cgi/fail.cgi", "/cgi/save.cgi",
                 "/cgi/local.cgi"):
        r = client.get(server.url + path, allow_redirects=False)
        assert "X-Flash" not in r.headers, path
    r = client.head(emit_url(server.url, h="X-Flash: info: head"))
    assert "X-Flash" not in r.headers
    r = client.get(emit_url(server.url, ct="application/json", body="{}",
                            h="X-Flash: info: json"))
    assert "X-Flash" not in r.headers


def test_error_responses_keep_their_messages(server, client):
    r = client.get(server.url + "/cgi/notfound.cgi")
    assert r.status_code == 404
    assert "<ul" not in r.text
    r = client.get(server.url + "/cgi/fail.cgi")
    assert r.status_code == 500
    assert texts(client.get(server.url + "/page.html").text) == \
        ["Nothing here", "Backend failed"]


def test_head_with_new_message_stores_it(server, client):
    r = client.head(emit_url(server.url, h="X-Flash: info: from head"))
    assert has_flash(client.cookies)
    assert texts(client.get(server.url + "/page.html").text) == ["from head"]


def test_backend_compressed_html_passes_untouched(server, client):
    flash(server, client)
    r = client.get(emit_url(server.url, h=["Content-Encoding: gzip"],
                            body="<html><!--FLASH_MESSAGES--></html>"),
                   headers={"Accept-Encoding": "identity"}, stream=True)
    raw = r.raw.read()
    assert b"<ul" not in raw
    assert texts(client.get(server.url + "/page.html").text) == ["Pending one"]


def test_malformed_header_is_logged_and_ignored(server, client):
    r = client.get(emit_url(server.url, h='X-Flash: "unterminated;level=info'))
    assert r.status_code == 200
    assert "<ul" not in r.text
    assert "X-Flash" not in r.headers
    log = server.log_since_mark()
    assert re.search(r"flashmsg:warn.*response header: member 1 of 1 skipped: "
                     r"unterminated string", log), log


def test_placeholder_split_across_buckets(server, client):
    """mod_bucketeer splits buckets at 0x02, flushes at 0x06 and passes at
    0x10 (removing those bytes): a placeholder cut at every offset."""
    ph = "<!--FLASH_MESSAGES-->"
    for i in range(1, len(ph)):
        for ctl in ("\x02", "\x06", "\x10"):
            page = "<html><body>%s%s%s<p>x</p></body></html>" % (ph[:i], ctl, ph[i:])
            server.write("split/cut.html", page)
            flash(server, client, "cut %d %r" % (i, ctl))
            r = client.get(server.url + "/split/cut.html")
            assert texts(r.text) == ["cut %d %r" % (i, ctl)], (i, ctl, r.text)
            assert ph not in r.text
    # every byte in its own bucket, with flushes in between
    page = "<p>a</p>" + "".join(c + "\x02\x06" for c in ph) + "<p>b</p>" + ph
    server.write("split/each.html", page)
    flash(server, client, "each")
    r = client.get(server.url + "/split/each.html")
    assert r.text.count('<ul class="messages">') == 2
    assert texts(r.text) == ["each"]
    # a partial placeholder that never completes comes back intact
    server.write("split/partial.html", "<p><!--FLASH_MESS\x02AGE</p>")
    r = client.get(server.url + "/split/partial.html")
    assert r.text == "<p><!--FLASH_MESSAGE</p>"
    assert texts(client.get(server.url + "/page.html").text) == []


def scan_page(n):
    """A page for /split/ (mod_bucketeer cuts buckets at 0x02): its first
    bucket is exactly n bytes holding no placeholder, nor the start of one;
    the placeholder opens the second bucket.  The filter counts the bytes
    it holds after each bucket and gives up once they exceed the limit, so
    the placeholder is found for n <= FlashMsgScanLimit and not beyond."""
    head = "<html><body><p>"
    return head + "x" * (n - len(head)) + "\x02<!--FLASH_MESSAGES--><p>after</p></body></html>"


def check_scan_limit(srv, client, limit):
    # just inside: n == limit bytes held when the placeholder comes
    srv.write("split/inside.html", scan_page(limit))
    name = flash(srv, client, "inside")
    r = client.get(srv.url + "/split/inside.html")
    assert texts(r.text) == ["inside"]
    assert flash_deleted(r) == [name]
    # just outside: one byte more, the page passes untouched, nothing consumed
    page = scan_page(limit + 1)
    srv.write("split/outside.html", page)
    flash(srv, client, "outside")
    srv.mark_log()
    r = client.get(srv.url + "/split/outside.html")
    assert r.status_code == 200
    assert r.text == page.replace("\x02", "")
    assert "Set-Cookie" not in r.headers
    assert ("no placeholder in the first %d bytes of the page; messages stay pending"
            % (limit + 1)) in srv.log_since_mark()
    assert texts(client.get(srv.url + "/page.html").text) == ["outside"]


def test_scan_limit_small(make_server, client):
    srv = make_server("FlashMsgScanLimit 4096\n<Location /split/>\n"
                      "  SetOutputFilter BUCKETEER\n</Location>",
                      modules=["bucketeer"], name="scan")
    check_scan_limit(srv, client, 4096)


def test_scan_limit_default_is_128_kib(server, client):
    check_scan_limit(server, client, 128 * 1024)


def test_html_without_caching_headers_must_be_revalidated(server, client):
    """Browsers cache pages heuristically from Last-Modified and would show a
    stale copy without the pending messages after a redirect."""
    r = client.get(server.url + "/page.html")
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.content == PAGE.encode()
    # explicit caching headers are the admin's and stay
    r = client.get(emit_url(server.url, h="Cache-Control: max-age=60"))
    assert r.headers["Cache-Control"] == "max-age=60"
    # not HTML: untouched
    assert "Cache-Control" not in client.get(server.url + "/data.json").headers

"""The signed cookie: attributes, tampering, foreign and rotated keys,
expiry, the size bound."""
import re
import time

import pytest
import requests

from conftest import DECODE_REASONS, assert_every_change_rejected, texts, emit_url
from harness import SECRET, OLD_SECRET


def store(srv, client, *values, **kw):
    r = client.get(emit_url(srv.url, status="302", location="/page.html",
                            h=["X-Flash: " + v for v in values]),
                   allow_redirects=False, **kw)
    assert r.status_code == 302
    return r


def test_cookie_attributes(server, client):
    r = store(server, client, "info: attrs")
    sc = r.headers["Set-Cookie"]
    assert sc.startswith("flashmsg=s1.")
    for attr in ("Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=86400"):
        assert attr in sc
    assert "Secure" not in sc          # plain http
    assert "Domain" not in sc


def test_cookie_value_does_not_need_escaping(server, client):
    r = store(server, client, "info: ü & ; , = \" \\ spaces")
    value = r.cookies["flashmsg"]
    assert re.fullmatch(r"s1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", value)


@pytest.mark.parametrize("encrypt", [False, True], ids=["signed", "encrypted"])
def test_tampered_cookie_is_ignored_and_deleted(server, make_server, client, encrypt):
    """Every byte of the MAC and of the payload (signed), of the nonce, the
    ciphertext and the GCM tag (encrypted), changed one at a time: the
    base64 stays valid, so only the MAC or tag check can refuse it, and the
    log must say that it did."""
    srv = make_server("FlashMsgCookieEncrypt On", name="enc") if encrypt else server
    store(srv, client, "info: genuine")
    value = client.cookies["flashmsg"]
    assert value.startswith("e1." if encrypt else "s1.")
    tried = assert_every_change_rejected(srv, value)
    assert tried == ({"nonce", "ciphertext", "tag"} if encrypt else {"payload", "mac"})


def test_garbage_cookies_are_deleted_never_500(server):
    for v in ("", "x", "s1.", "s1..", "s1.AAAA.AAAA", "e1.AAAA", "%00%ff",
              "s1." + "A" * 5000 + ".AAAA", "é"):
        since = len(server.read_log())
        r = requests.get(server.url + "/page.html",
                         headers={"Cookie": "flashmsg=" + v})
        assert r.status_code == 200, v
        assert texts(r.text) == []
        assert re.search(r"^flashmsg=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
                         r.headers.get("Set-Cookie", "")), v
        # one line says why, with one of the decoder's reasons
        lines = [l for l in server.read_log()[since:].splitlines()
                 if "[flashmsg:" in l and any(why in l for why in DECODE_REASONS)]
        assert len(lines) == 1, (v, server.read_log()[since:])


def test_foreign_secret_is_rejected(server, make_server, client):
    other = make_server(secret="another-secret-that-is-long-enough-0123456789")
    store(other, client, "info: from elsewhere")
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == []
    assert "Max-Age=0" in r.headers["Set-Cookie"]


def test_key_rotation(make_server, client):
    old = make_server(secret=OLD_SECRET, name="old")
    store(old, client, "info: signed with the old key")
    cookie = client.cookies["flashmsg"]
    rotated = make_server(secret="%s %s" % (SECRET, OLD_SECRET), name="rotated")
    r = requests.get(rotated.url + "/page.html", cookies={"flashmsg": cookie})
    assert texts(r.text) == ["signed with the old key"]
    # a key removed from the list no longer verifies
    new_only = make_server(secret=SECRET, name="new")
    r = requests.get(new_only.url + "/page.html", cookies={"flashmsg": cookie})
    assert texts(r.text) == []


def test_rotated_server_signs_with_first_key(make_server, client):
    rotated = make_server(secret="%s %s" % (SECRET, OLD_SECRET), name="rotated")
    store(rotated, client, "info: new key")
    cookie = client.cookies["flashmsg"]
    new_only = make_server(secret=SECRET, name="new")
    r = requests.get(new_only.url + "/page.html", cookies={"flashmsg": cookie})
    assert texts(r.text) == ["new key"]


def test_expired_messages_are_dropped(make_server, client):
    srv = make_server("FlashMsgMaxAge 1")
    r = store(srv, client, "info: short lived")
    assert "Max-Age=1" in r.headers["Set-Cookie"]
    cookie = client.cookies["flashmsg"]
    time.sleep(2.2)
    r = requests.get(srv.url + "/page.html", cookies={"flashmsg": cookie})
    assert texts(r.text) == []
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert "expired" in srv.log_since_mark()


def test_size_bound_keeps_newest(server, client):
    msgs = ['"%s %03d";level=info' % ("x" * 180, i) for i in range(30)]
    r = client.get(emit_url(server.url, status="302", location="/page.html",
                            h="X-Flash: " + ", ".join(msgs)), allow_redirects=False)
    value = r.cookies["flashmsg"]
    assert len(value) <= 2048
    assert re.search(r"flashmsg:warn.*message\(s\) dropped: they do not fit .*\(0 too large on their own, \d+ oldest\)", server.log_since_mark())
    shown = texts(client.get(server.url + "/page.html").text)
    assert 3 < len(shown) < 30
    assert shown[-1].endswith(" 029")
    nums = [int(t[-3:]) for t in shown]
    assert nums == list(range(30 - len(shown), 30))


def test_custom_cookie_name_domain_and_size(make_server, client):
    srv = make_server("FlashMsgCookieName notice\nFlashMsgCookieDomain example.test\n"
                      "FlashMsgCookieMaxSize 400")
    r = client.get(emit_url(srv.url, status="302", location="/x",
                            h="X-Flash: info: " + "y" * 600), allow_redirects=False)
    # a single message larger than the cookie is dropped (and logged)
    assert "Set-Cookie" not in r.headers
    assert "dropped" in srv.log_since_mark()
    r = client.get(emit_url(srv.url, status="302", location="/x",
                            h="X-Flash: info: short"), allow_redirects=False)
    sc = r.headers["Set-Cookie"]
    assert sc.startswith("notice=s1.") and "Domain=example.test" in sc


def test_two_cookies_with_the_same_name(server, client):
    store(server, client, "info: real one")
    good = client.cookies["flashmsg"]
    store(server, client, "info: second one")
    both_valid = client.cookies["flashmsg"]
    with_junk = {"Cookie": "flashmsg=garbage; flashmsg=%s" % good}
    # junk beside a valid value is ignored, not ours to judge: no rewrite
    for path in ("/plain.html", "/data.json"):
        r = requests.get(server.url + path, headers=with_junk)
        assert not [h for h in r.raw.headers.getlist("Set-Cookie")
                    if h.startswith("flashmsg=")], path
    # two valid values of ours: a page that consumes nothing rewrites them
    # into one cookie holding both
    two = {"Cookie": "flashmsg=%s; flashmsg=%s" % (good, both_valid)}
    for path in ("/plain.html", "/data.json"):
        r = requests.get(server.url + path, headers=two)
        ours = [h for h in r.raw.headers.getlist("Set-Cookie") if h.startswith("flashmsg=")]
        assert len(ours) == 1, (path, ours)
        value = ours[0].split(";")[0][len("flashmsg="):]
        assert value.startswith("s1.") and "Max-Age=86400" in ours[0]
        # the rewritten cookie carries the messages, each once
        r = requests.get(server.url + "/page.html", cookies={"flashmsg": value})
        assert texts(r.text) == ["real one", "second one"]
    # the page that shows it: rendered once, and the client told to delete
    r = requests.get(server.url + "/page.html", headers=with_junk)
    assert texts(r.text) == ["real one"]
    ours = [h for h in r.raw.headers.getlist("Set-Cookie") if h.startswith("flashmsg=")]
    assert len(ours) == 1 and ours[0].startswith("flashmsg=; Max-Age=0"), ours


def test_encrypted_cookie(make_server, client):
    srv = make_server("FlashMsgCookieEncrypt On", name="enc")
    r = store(srv, client, "info: secret plans")
    value = r.cookies["flashmsg"]
    assert value.startswith("e1.")
    assert "secret" not in value
    assert texts(client.get(srv.url + "/page.html").text) == ["secret plans"]
    # no downgrade: a signed cookie is refused where encryption is on
    plain = make_server(name="plain")
    store(plain, client, "info: signed only")
    signed = client.cookies["flashmsg"]
    r = requests.get(srv.url + "/page.html", cookies={"flashmsg": signed})
    assert texts(r.text) == []
    assert "Max-Age=0" in r.headers["Set-Cookie"]


def test_secret_from_file(make_server, client):
    import os
    import tempfile
    fd, path = tempfile.mkstemp(prefix="flashmsg-key-")
    os.write(fd, (SECRET + "\n").encode())
    os.close(fd)
    os.chmod(path, 0o600)
    try:
        by_file = make_server(secret="file:" + path, name="keyfile")
        store(by_file, client, "info: key from a file")
        cookie = client.cookies["flashmsg"]
        inline = make_server(secret=SECRET, name="inline")
        r = requests.get(inline.url + "/page.html", cookies={"flashmsg": cookie})
        assert texts(r.text) == ["key from a file"]
    finally:
        os.unlink(path)


def test_secure_attribute_on_https(make_server, client):
    import subprocess
    srv = make_server(start=False, modules=["ssl", "socache_shmcb"], name="tls")
    crt, key = srv.root + "/conf/t.crt", srv.root + "/conf/t.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", crt, "-days", "2",
                    "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    with open(srv.conf_path, "a") as f:
        f.write("SSLEngine on\nSSLCertificateFile %s\nSSLCertificateKeyFile %s\n" % (crt, key))
    srv.url = srv.url.replace("http:", "https:")
    srv.start()
    import urllib3
    urllib3.disable_warnings()
    # verify=False per call: a session-level setting loses to REQUESTS_CA_BUNDLE
    r = store(srv, client, "info: over TLS", verify=False)
    sc = r.headers["Set-Cookie"]
    assert "; Secure" in sc
    assert texts(client.get(srv.url + "/page.html", verify=False).text) == ["over TLS"]


def test_oversized_newcomer_does_not_evict_pending_messages(server, client):
    store(server, client, "info: small and older")
    store(server, client, "info: " + "z" * 3000)           # can never fit 2048
    log = server.log_since_mark()
    assert re.search(r"1 message\(s\) dropped: .*\(1 too large on their own, 0 oldest\)", log)
    assert texts(client.get(server.url + "/page.html").text) == ["small and older"]


def _sf(texts_):
    return ", ".join('"%s";level=info' % t for t in texts_)


@pytest.mark.parametrize("encrypt", [False, True], ids=["signed", "encrypted"])
def test_size_fit_exact_boundary(make_server, client, encrypt):
    """FlashMsgCookieMaxSize is the largest value allowed, inclusive: a set
    of messages whose encoded value is exactly the limit is kept whole, and
    so are the newest that fit exactly; one byte more drops one."""
    enc = "FlashMsgCookieEncrypt On\n" if encrypt else ""
    x, y = "x" * 150, "y" * 150
    # measure the encoded length of [x, y] where it fits easily
    wide = make_server(enc, name="wide")

    def measure(texts_):
        r = requests.get(emit_url(wide.url, status="302", location="/page.html",
                                  h="X-Flash: " + _sf(texts_)), allow_redirects=False)
        return len(r.cookies["flashmsg"])
    limit = measure([x, y])
    assert 256 <= limit < 2048
    # one more byte of text is one or two more base64 characters
    assert limit < measure([x, y + "y"]) <= limit + 2

    srv = make_server(enc + "FlashMsgCookieMaxSize %d" % limit, name="exact")

    def send(texts_):
        client.cookies.clear()
        srv.mark_log()
        r = client.get(emit_url(srv.url, status="302", location="/page.html",
                                h="X-Flash: " + _sf(texts_)), allow_redirects=False)
        assert r.status_code == 302
        return r.cookies.get("flashmsg"), srv.log_since_mark()

    # exactly the limit: the whole set is kept (fm_cookie_fit's first test)
    value, log = send([x, y])
    assert len(value) == limit
    assert "dropped" not in log
    assert texts(client.get(srv.url + "/page.html").text) == [x, y]

    # an older message that does not fit: the newest two, exactly the limit,
    # are kept (the binary search's test)
    value, log = send(["w" * 40, x, y])
    assert len(value) == limit
    assert re.search(r"1 message\(s\) dropped: .*\(0 too large on their own, 1 oldest\)", log)
    assert texts(client.get(srv.url + "/page.html").text) == [x, y]

    # one byte more than the limit: the oldest is dropped
    value, log = send([x, y + "y"])
    assert len(value) < limit
    assert re.search(r"1 message\(s\) dropped: .*\(0 too large on their own, 1 oldest\)", log)
    assert texts(client.get(srv.url + "/page.html").text) == [y + "y"]

"""The signed cookie: attributes, tampering, foreign and rotated keys,
expiry, the size bound."""
import re
import time

import pytest
import requests

import forge
from conftest import (BAD_SIGNATURE, rendered, readable_in, DECODE_REASONS, assert_every_change_rejected,
                      batch_name_re, flash_cookies, flash_cookies_size, flash_deleted,
                      flash_set, flash_set_cookies, has_flash, log_lines_since,
                      only_flash_cookie, texts, emit_url)
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
    # one cookie of its own for this batch: flashmsg.<8 random base64url>
    assert len(flash_set_cookies(r)) == 1, r.headers
    assert re.match(batch_name_re() + r"=s1\.", sc), sc
    for attr in ("Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=86400"):
        assert attr in sc
    assert "Secure" not in sc          # plain http
    assert "Domain" not in sc


def test_cookie_value_does_not_need_escaping(server, client):
    r = store(server, client, "info: ü & ; , = \" \\ spaces")
    _, value = only_flash_cookie(r.cookies)
    assert re.fullmatch(r"s1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", value)


@pytest.mark.parametrize("encrypt", [False, True], ids=["signed", "encrypted"])
def test_tampered_cookie_is_ignored_and_deleted(server, make_server, client, encrypt):
    """Every byte of the MAC and of the payload (signed), of the nonce, the
    ciphertext and the GCM tag (encrypted), changed one at a time: the
    base64 stays valid, so only the MAC or tag check can refuse it, and the
    log must say that it did."""
    srv = make_server("FlashMsgCookieEncrypt On", name="enc") if encrypt else server
    store(srv, client, "info: genuine")
    name, value = only_flash_cookie(client.cookies)
    assert value.startswith("e1." if encrypt else "s1.")
    # re-sent under its own full name: only the changed byte can fail it
    tried = assert_every_change_rejected(srv, value, name=name)
    assert tried == ({"nonce", "ciphertext", "tag"} if encrypt else {"payload", "mac"})


@pytest.mark.parametrize("name", ["flashmsg", "flashmsg.AbCd1234"], ids=["legacy", "batch"])
def test_garbage_cookies_are_deleted_never_500(server, name):
    """Under the legacy name and under a batch name alike."""
    for v in ("", "x", "s1.", "s1..", "s1.AAAA.AAAA", "e1.AAAA", "%00%ff",
              "s1." + "A" * 5000 + ".AAAA", "é"):
        since = len(server.read_log())
        r = requests.get(server.url + "/page.html",
                         headers={"Cookie": "%s=%s" % (name, v)})
        assert r.status_code == 200, v
        assert texts(r.text) == []
        assert re.search(r"^%s=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"
                         % re.escape(name), r.headers.get("Set-Cookie", "")), v
        assert flash_deleted(r) == [name], v
        # one line says why, with one of the decoder's reasons
        lines = [l for l in server.read_log()[since:].splitlines()
                 if "[flashmsg:" in l and any(why in l for why in DECODE_REASONS)]
        assert len(lines) == 1, (v, server.read_log()[since:])


def test_foreign_secret_is_rejected(server, make_server, client):
    other = make_server(secret="another-secret-that-is-long-enough-0123456789")
    store(other, client, "info: from elsewhere")
    name, _ = only_flash_cookie(client.cookies)
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == []
    assert flash_deleted(r) == [name]


def test_key_rotation(make_server, client):
    old = make_server(secret=OLD_SECRET, name="old")
    store(old, client, "info: signed with the old key")
    name, cookie = only_flash_cookie(client.cookies)
    rotated = make_server(secret="%s %s" % (SECRET, OLD_SECRET), name="rotated")
    r = requests.get(rotated.url + "/page.html", cookies={name: cookie})
    assert texts(r.text) == ["signed with the old key"]
    # a key removed from the list no longer verifies
    new_only = make_server(secret=SECRET, name="new")
    r = requests.get(new_only.url + "/page.html", cookies={name: cookie})
    assert texts(r.text) == []


def test_rotated_server_signs_with_first_key(make_server, client):
    rotated = make_server(secret="%s %s" % (SECRET, OLD_SECRET), name="rotated")
    store(rotated, client, "info: new key")
    name, cookie = only_flash_cookie(client.cookies)
    new_only = make_server(secret=SECRET, name="new")
    r = requests.get(new_only.url + "/page.html", cookies={name: cookie})
    assert texts(r.text) == ["new key"]


def test_expired_messages_are_dropped(make_server, client):
    srv = make_server("FlashMsgMaxAge 1")
    r = store(srv, client, "info: short lived")
    assert "Max-Age=1" in r.headers["Set-Cookie"]
    name, cookie = only_flash_cookie(client.cookies)
    time.sleep(2.2)
    r = requests.get(srv.url + "/page.html", cookies={name: cookie})
    assert texts(r.text) == []
    assert flash_deleted(r) == [name] and not flash_set(r)
    assert "expired" in srv.log_since_mark()


def test_size_bound_keeps_newest(server, client):
    msgs = ['"%s %03d";level=info' % ("x" * 180, i) for i in range(30)]
    r = client.get(emit_url(server.url, status="302", location="/page.html",
                            h="X-Flash: " + ", ".join(msgs)), allow_redirects=False)
    # the cookies together ("name=value; " each, as the browser sends them)
    # stay within FlashMsgCookieMaxSize; here that is one new cookie
    only_flash_cookie(r.cookies)
    assert flash_cookies_size(r.cookies) <= 2048
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
    assert re.match(batch_name_re("notice") + r"=s1\.", sc), sc
    assert "Domain=example.test" in sc


def test_two_cookies_with_the_same_name(server, client):
    store(server, client, "info: real one")
    name, good = only_flash_cookie(client.cookies)
    with_junk = {"Cookie": "%s=garbage; %s=%s" % (name, name, good)}
    # junk beside a valid value is ignored, not ours to judge: no write
    for path in ("/plain.html", "/data.json"):
        r = requests.get(server.url + path, headers=with_junk)
        assert not flash_set_cookies(r), path
    # the page that shows it: rendered once, and the client told to delete
    # that cookie (the one name it read), nothing else written
    r = requests.get(server.url + "/page.html", headers=with_junk)
    assert texts(r.text) == ["real one"]
    ours = flash_set_cookies(r)
    assert len(ours) == 1 and ours[0].startswith(name + "=; Max-Age=0"), ours


@pytest.mark.parametrize("name", ["flashmsg.Same0001", "flashmsg"], ids=["batch", "legacy"])
def test_two_valid_values_under_one_name_are_merged(server, name):
    """The single-cookie design rewrote two valid values of its one name
    into one cookie.  Now the server never sets a name twice, but a client
    can still hold two (say, a host-only and a domain cookie after
    FlashMsgCookieDomain changed).  A deletion cannot tell them apart, so a
    page that consumes nothing merges both into one new batch cookie, each
    message once, and deletes the name.  Both values are forged for the
    same full name (the MAC binds it)."""
    t0 = int(time.time()) - 10
    first = forge.sign(SECRET, forge.payload([(20, "real one", "", 0)], t0=t0), name)
    both = forge.sign(SECRET, forge.payload([(20, "real one", "", 0),
                                             (20, "second one", "", 1)], t0=t0), name)
    two = {"Cookie": "%s=%s; %s=%s" % (name, first, name, both)}
    for path in ("/plain.html", "/data.json"):
        r = requests.get(server.url + path, headers=two)
        assert set(flash_deleted(r)) == {name}, (path, r.headers)
        new = flash_set(r)
        assert len(new) == 1, (path, r.headers)
        (new_name, value), = new.items()
        assert re.fullmatch(batch_name_re(), new_name) and new_name != name
        assert value.startswith("s1.")
        assert "Max-Age=86400" in [h for h in flash_set_cookies(r)
                                   if h.startswith(new_name + "=")][0]
        # the new cookie carries the messages, each once
        r = requests.get(server.url + "/page.html", cookies={new_name: value})
        assert texts(r.text) == ["real one", "second one"]
        assert flash_deleted(r) == [new_name] and not flash_set(r)


def test_value_is_bound_to_its_full_name(server, client):
    """The MAC binds the cookie's full name: a value moved to another
    batch name, or to the legacy name, does not verify (and is deleted)."""
    store(server, client, "info: bound")
    name, value = only_flash_cookie(client.cookies)
    another_batch = "flashmsg.Zz9_-Zz9" if name != "flashmsg.Zz9_-Zz9" else "flashmsg.Yy8_-Yy8"
    for other in (another_batch, "flashmsg"):
        since = len(server.read_log())
        r = requests.get(server.url + "/page.html", headers={"Cookie": "%s=%s" % (other, value)})
        assert texts(r.text) == [], other
        assert flash_deleted(r) == [other], other
        assert len(log_lines_since(server, since, BAD_SIGNATURE)) == 1, other
    r = requests.get(server.url + "/page.html", headers={"Cookie": "%s=%s" % (name, value)})
    assert texts(r.text) == ["bound"]


def test_legacy_single_cookie_is_read_shown_once_and_deleted(server):
    """Upgrade path: the single cookie "flashmsg" of earlier versions (its
    value signed for the name "flashmsg") is read as one batch, shown once,
    and deleted; no new cookie is written for it."""
    legacy = forge.sign(SECRET, forge.payload([(25, "from the old version", "")]), "flashmsg")
    jar = {"flashmsg": legacy}
    # a page without the placeholder leaves it alone
    r = requests.get(server.url + "/plain.html", cookies=jar)
    assert not flash_set_cookies(r), r.headers
    # the page shows it once and deletes exactly that cookie
    r = requests.get(server.url + "/page.html", cookies=jar)
    assert rendered(r.text) == [("success", "from the old version")]
    assert flash_deleted(r) == ["flashmsg"] and not flash_set(r), r.headers
    # the browser applied the deletion: nothing is shown again
    r = requests.get(server.url + "/page.html")
    assert texts(r.text) == [] and not flash_set_cookies(r)
    # beside a new batch cookie, both are shown (oldest first), both deleted
    old = forge.sign(SECRET, forge.payload([(20, "older, legacy", "")],
                                           t0=int(time.time()) - 60), "flashmsg")
    s = requests.Session()
    store(server, s, "info: newer, batch")
    name, value = only_flash_cookie(s.cookies)
    r = requests.get(server.url + "/page.html", cookies={"flashmsg": old, name: value})
    assert texts(r.text) == ["older, legacy", "newer, batch"]
    assert sorted(flash_deleted(r)) == sorted(["flashmsg", name]) and not flash_set(r)


def test_encrypted_cookie(make_server, client):
    srv = make_server("FlashMsgCookieEncrypt On", name="enc")
    r = store(srv, client, "info: secret plans")
    _, value = only_flash_cookie(r.cookies)
    assert value.startswith("e1.")
    assert not readable_in(value, ["secret plans"])
    assert texts(client.get(srv.url + "/page.html").text) == ["secret plans"]
    # no downgrade: a signed cookie is refused where encryption is on
    plain = make_server(name="plain")
    store(plain, client, "info: signed only")
    name, signed = only_flash_cookie(client.cookies)
    assert readable_in(signed, ["signed only"])   # what encryption hides
    r = requests.get(srv.url + "/page.html", cookies={name: signed})
    assert texts(r.text) == []
    assert flash_deleted(r) == [name]


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
        name, cookie = only_flash_cookie(client.cookies)
        inline = make_server(secret=SECRET, name="inline")
        r = requests.get(inline.url + "/page.html", cookies={name: cookie})
        assert texts(r.text) == ["key from a file"]
    finally:
        os.unlink(path)


def test_secure_attribute_on_https(make_server, client):
    srv = make_server(start=False, modules=["ssl", "socache_shmcb"], name="tls")
    srv.serve_tls()
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
    """FlashMsgCookieMaxSize is the largest size allowed, inclusive: a set
    of messages whose cookie is exactly the limit is kept whole, and so are
    the newest that fit exactly; one byte more drops one.  The limit bounds
    the module's cookies together, each counted as "name=value; " (the
    batch name, flashmsg.ID, has a fixed length), so sizes are measured that
    way; a fresh client holds no other cookie of ours."""
    enc = "FlashMsgCookieEncrypt On\n" if encrypt else ""
    x, y = "x" * 150, "y" * 150
    # measure the encoded length of [x, y] where it fits easily
    wide = make_server(enc, name="wide")

    def measure(texts_):
        r = requests.get(emit_url(wide.url, status="302", location="/page.html",
                                  h="X-Flash: " + _sf(texts_)), allow_redirects=False)
        only_flash_cookie(r.cookies)
        return flash_cookies_size(r.cookies)
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
        assert len(flash_cookies(r.cookies)) <= 1
        return flash_cookies_size(r.cookies), srv.log_since_mark()

    # exactly the limit: the whole set is kept (fm_cookie_fit's first test)
    size, log = send([x, y])
    assert size == limit
    assert "dropped" not in log
    assert texts(client.get(srv.url + "/page.html").text) == [x, y]

    # an older message that does not fit: the newest two, exactly the limit,
    # are kept (the binary search's test)
    size, log = send(["w" * 40, x, y])
    assert size == limit
    assert re.search(r"1 message\(s\) dropped: .*\(0 too large on their own, 1 oldest\)", log)
    assert texts(client.get(srv.url + "/page.html").text) == [x, y]

    # one byte more than the limit: the oldest is dropped
    size, log = send([x, y + "y"])
    assert 0 < size < limit
    assert re.search(r"1 message\(s\) dropped: .*\(0 too large on their own, 1 oldest\)", log)
    assert texts(client.get(srv.url + "/page.html").text) == [y + "y"]

"""Session and fallback storage on the real mod_session: mod_session_cookie,
mod_session_cookie + mod_session_crypto, mod_session_dbd on SQLite."""
import os
import re
import shutil
import sqlite3
import time

import pytest
import requests

from conftest import (DBD_QUERIES, assert_every_change_rejected, flash_cookies, flash_cookies_size,
                      flash_deleted, flash_set, has_flash, only_flash_cookie, texts, emit_url)
from harness import Httpd

SQLITE_SCHEMA = "create table session (key varchar(255) primary key, value text, expiry integer)"


BACKENDS = {
    "cookie": (["session", "session_cookie"],
               "Session On\nSessionCookieName session path=/;httponly\n"),
    "crypto": (["session", "session_cookie", "session_crypto"],
               "Session On\nSessionCookieName session path=/;httponly\n"
               "SessionCryptoDriver openssl\n"
               "SessionCryptoPassphrase session-crypto-passphrase-0123456789\n"),
    "dbd": (["session", "session_dbd", "dbd"],
            "DBDriver sqlite3\nDBDParams \"{db}\"\n" + DBD_QUERIES +
            "Session On\nSessionDBDCookieName session path=/;httponly\n"),
}


def session_server(make_server, backend, storage, extra="", **kw):
    modules, conf = BACKENDS[backend]
    srv = make_server("FlashMsgStorage %s\n%s\n%s" % (storage, conf, extra),
                      modules=modules, start=False, name="sess-" + backend, **kw)
    if backend == "dbd":
        dbdir = os.path.join(srv.root, "db")
        os.makedirs(dbdir)
        db = os.path.join(dbdir, "sessions.db")
        with sqlite3.connect(db) as c:
            c.execute(SQLITE_SCHEMA)
        srv.db = db
        srv.config = srv.config.replace("{db}", db)
        with open(srv.conf_path, "w") as f:
            f.write(srv.config)
        if os.geteuid() == 0:
            # the children (www-data) write the database and its journal
            for p in (dbdir, db):
                shutil.chown(p, "www-data", "www-data")
        srv.start()
    else:
        srv.start()
    return srv


def redirect_with(srv, client, header_value):
    r = client.get(emit_url(srv.url, status="302", location="/page.html",
                            h="X-Flash: " + header_value), allow_redirects=False)
    assert r.status_code == 302, r.text
    return r


def big(n, size):
    return ", ".join('"%s %d";level=info' % ("m" * size, i) for i in range(n))


@pytest.mark.parametrize("backend", ["cookie", "crypto", "dbd"])
def test_session_storage(make_server, client, backend):
    srv = session_server(make_server, backend, "session")
    r = redirect_with(srv, client, "success: kept server side")
    assert not has_flash(r.cookies)          # our own cookie is not used
    assert "session" in client.cookies
    if backend == "cookie":
        assert "kept" not in client.cookies["session"]   # signed value, not text
    r = client.get(srv.url + "/page.html")
    assert texts(r.text) == ["kept server side"]
    assert texts(client.get(srv.url + "/page.html").text) == []


@pytest.mark.parametrize("backend", ["cookie", "crypto", "dbd"])
def test_fallback_overflow_end_to_end(make_server, client, backend):
    # more than the default FlashMsgSessionMaxSize (2048): raised here
    srv = session_server(make_server, backend, "fallback", "FlashMsgSessionMaxSize 8192")
    r = redirect_with(srv, client, big(8, 400))
    assert has_flash(r.cookies) and "session" in client.cookies
    # one new cookie with the oldest that fit (within FlashMsgCookieMaxSize,
    # counted "name=value; "), the rest in the session
    only_flash_cookie(r.cookies)
    assert flash_cookies_size(r.cookies) <= 2048
    log = srv.log_since_mark()
    in_cookie = re.search(r"(\d+) message\(s\) stored in cookie flashmsg\.", log)
    in_session = re.search(r"(\d+) message\(s\) stored in the session", log)
    assert in_cookie and in_session, log
    assert int(in_session.group(1)) > 0
    assert int(in_cookie.group(1)) + int(in_session.group(1)) == 8
    srv.mark_log()
    shown = texts(client.get(srv.url + "/page.html").text)
    assert shown == ["%s %d" % ("m" * 400, i) for i in range(8)]
    # the cookie said so: marked continued in the session
    assert "more in the session" in srv.log_since_mark()
    # consumed: both places cleared
    assert not has_flash(client.cookies)
    assert texts(client.get(srv.url + "/page.html").text) == []
    if backend == "dbd":
        with sqlite3.connect(srv.db) as c:
            values = [v for (v,) in c.execute("select value from session")]
        assert all("flashmsg=" not in (v or "") for v in values), values


def test_fallback_small_messages_stay_in_cookie(make_server, client):
    srv = session_server(make_server, "cookie", "fallback")
    redirect_with(srv, client, big(5, 100))
    assert has_flash(client.cookies)
    # the session cookie carries no entry of ours
    assert "flashmsg" not in requests.utils.unquote(client.cookies.get("session", ""))
    assert len(texts(client.get(srv.url + "/page.html").text)) == 5


def test_fallback_single_huge_message_goes_to_session(make_server, client):
    srv = session_server(make_server, "dbd", "fallback", "FlashMsgSessionMaxSize 8192")
    redirect_with(srv, client, big(1, 5000))
    assert texts(client.get(srv.url + "/page.html").text) == ["m" * 5000 + " 0"]


def test_orphaned_session_leftovers_are_shown(make_server, client):
    srv = session_server(make_server, "dbd", "fallback", "FlashMsgSessionMaxSize 8192")
    redirect_with(srv, client, big(8, 400))
    # the browser loses our cookies but keeps the session
    domain = list(client.cookies.list_domains())[0]
    for name in flash_cookies(client.cookies):
        client.cookies.clear(domain=domain, path="/", name=name)
    assert not has_flash(client.cookies) and "session" in client.cookies
    shown = texts(client.get(srv.url + "/page.html").text)
    assert shown and shown == ["%s %d" % ("m" * 400, i) for i in range(8 - len(shown), 8)]
    assert texts(client.get(srv.url + "/page.html").text) == []


def test_tampered_cookie_deleted_under_fallback(make_server, client):
    """Under fallback, with the browser's session cookie sent along: every
    one-byte change of the MAC or payload is refused because the signature
    does not verify (logged), the cookie is deleted, and nothing renders."""
    srv = session_server(make_server, "cookie", "fallback")
    redirect_with(srv, client, "info: genuine")
    name, value = only_flash_cookie(client.cookies)
    session = client.cookies.get("session")
    others = "; session=" + session if session else ""
    assert assert_every_change_rejected(srv, value, others, name=name) == {"payload", "mac"}


def test_expired_session_does_not_lose_a_new_message(make_server, client):
    srv = session_server(make_server, "cookie", "session", "SessionMaxAge 1")
    redirect_with(srv, client, "info: first")
    stale = client.cookies["session"]
    time.sleep(2.2)                       # the session expires
    # the client still presents it (its cookie Max-Age has passed too, but a
    # replayed or clock-skewed cookie must not break anything)
    fresh = requests.Session()
    r = fresh.get(emit_url(srv.url, status="302", location="/page.html",
                           h="X-Flash: warning: added with an expired session"),
                  cookies={"session": stale}, allow_redirects=False)
    assert r.status_code == 302
    assert len([h for h in r.raw.headers.getlist("Set-Cookie")
                if h.startswith("session=")]) == 1
    r = fresh.get(srv.url + "/page.html")
    assert texts(r.text) == ["added with an expired session"]
    assert "expired or unreadable" in srv.log_since_mark()
    # exactly one session cookie was set in that response (no double save)
    assert "attempt made to save the session twice" not in srv.log_since_mark()


@pytest.mark.parametrize("backend", ["crypto", "cookie", "dbd"])
def test_garbage_session_does_not_lose_a_new_message(make_server, client, backend):
    srv = session_server(make_server, backend, "session")
    srv.expect_error(r"session_crypto:error|AH01842|AH01840|error while decoding the session")
    r = client.get(emit_url(srv.url, status="302", location="/page.html",
                            h="X-Flash: error: despite garbage"),
                   headers={"Cookie": "session=%21%21garbage%21%21"},
                   allow_redirects=False)
    assert r.status_code == 302
    r = client.get(srv.url + "/page.html")
    assert texts(r.text) == ["despite garbage"]


def test_session_off_for_a_location(make_server, client):
    srv = session_server(make_server, "cookie", "session",
                         "<Location /nosess/>\nSession Off\n</Location>",
                         files={"nosess/emit.cgi": open(os.path.join(
                             os.path.dirname(__file__), "conftest.py")).read().split("EMIT_CGI = r'''")[1].split("'''")[0]})
    srv.expect_error(r'needs mod_session with "Session On" for /nosess/emit.cgi; 1 message\(s\) lost')
    r = client.get(emit_url(srv.url, status="302", location="/page.html",
                            h="X-Flash: info: nowhere to go").replace("/cgi/", "/nosess/"),
                   allow_redirects=False)
    assert r.status_code == 302
    assert 'needs mod_session with "Session On"' in srv.log_since_mark()


def test_fallback_with_session_off_acts_as_cookie(make_server, client):
    srv = session_server(make_server, "cookie", "fallback", "Session Off")
    redirect_with(srv, client, big(8, 400))
    assert "session" not in client.cookies
    assert re.search(r"message\(s\) dropped: .*\d+ oldest\)", srv.log_since_mark())
    shown = texts(client.get(srv.url + "/page.html").text)
    assert shown == ["%s %d" % ("m" * 400, i) for i in range(8 - len(shown), 8)]


def test_session_storage_without_mod_session_stops_start():
    srv = Httpd("FlashMsgStorage session", secret="s" * 40, name="nosession")
    try:
        rc, out = srv.configtest()
    finally:
        srv.cleanup()
    assert rc != 0
    assert re.search(r"FlashMsgStorage session \(.*httpd\.conf:\d+\) needs mod_session", out), out


def test_fallback_without_mod_session_is_cookie_storage(make_server, client):
    srv = make_server("FlashMsgStorage fallback")
    redirect_with(srv, client, "info: plain cookie")
    assert texts(client.get(srv.url + "/page.html").text) == ["plain cookie"]
    assert "fallback storage acts as cookie storage" in srv.read_log()


def test_internal_redirect_shares_the_session_store(make_server, client):
    srv = session_server(make_server, "dbd", "session")
    r = client.get(srv.url + "/cgi/local.cgi")
    assert texts(r.text) == ["Internal hop"]
    redirect_with(srv, client, "info: pending")
    r = client.get(srv.url + "/cgi/local.cgi")
    assert texts(r.text) == ["pending", "Internal hop"]


def message_rows(srv):
    """Rows of the session table that still hold one of our entries."""
    with sqlite3.connect(srv.db) as c:
        return [r for r in c.execute("select key, value, expiry from session")
                if "flashmsg=" in (r[1] or "")]


@pytest.mark.parametrize("storage", ["session", "fallback"])
def test_readme_dbd_statements_forget_what_was_shown(make_server, client, storage):
    """mod_session_dbd gives the session a new key on every save and updates
    by the old one: docs/storage.md's statements must leave no shown message in
    the database (the three-parameter update matched nothing and kept one row
    per save, holding messages already shown)."""
    srv = session_server(make_server, "dbd", storage)
    for i in range(3):
        # two saves in a row that leave the session non-empty: each rotates
        # the key and must update (not insert beside) the row
        for j in range(2):
            value = big(6, 300) if storage == "fallback" else "info: round %d.%d" % (i, j)
            redirect_with(srv, client, value)
            assert message_rows(srv), "the pending message is in the database"
        assert texts(client.get(srv.url + "/page.html").text)
    assert message_rows(srv) == []
    with sqlite3.connect(srv.db) as c:
        assert c.execute("select count(*) from session").fetchone()[0] <= 1


def test_readme_dbd_statements_on_postgresql(make_server, client, postgres):
    srv = make_server('FlashMsgStorage session\nDBDriver pgsql\nDBDParams "%s"\n%s\n'
                      'Session On\nSessionDBDCookieName session path=/;httponly\n'
                      % (postgres.dbd_params("flash"), DBD_QUERIES),
                      modules=["session", "session_dbd", "dbd"], name="sess-pg")
    held = "select count(*) from session where value like '%flashmsg=%'"
    for i in range(3):
        for j in range(2):
            redirect_with(srv, client, "info: round %d.%d" % (i, j))
            assert int(postgres.psql(held, db="flash")) >= 1
        assert len(texts(client.get(srv.url + "/page.html").text)) == 2
    assert int(postgres.psql(held, db="flash")) == 0
    assert int(postgres.psql("select count(*) from session", db="flash")) <= 1


def test_order_survives_a_session_that_was_not_read(make_server):
    """Creation times are whole seconds: a message added while the session
    part was not read sat in the cookie beside older ones, and merging the
    two parts later put it in front of older messages of the same second."""
    srv = session_server(make_server, "cookie", "fallback")
    first = requests.Session()
    redirect_with(srv, first, big(6, 300))
    (name, cookie), session = only_flash_cookie(first.cookies), first.cookies["session"]
    # the session cookie does not come along (lost, or not yet readable):
    # only the cookie part is read, and a late message joins it -- now in a
    # cookie of its own, the one read staying as it is
    r = requests.get(emit_url(srv.url, status="302", location="/page.html",
                              h="X-Flash: info: late"), allow_redirects=False,
                     cookies={name: cookie})
    assert not flash_deleted(r), r.headers
    (late_name, late), = flash_set(r).items()
    # all parts again: everything, oldest first
    r = requests.get(srv.url + "/page.html",
                     cookies={name: cookie, late_name: late, "session": session})
    shown = texts(r.text)
    assert shown[-1] == "late" and len(shown) == 7, shown
    assert [t.rsplit(" ", 1)[1] for t in shown[:-1]] == [str(i) for i in range(6)]


@pytest.mark.parametrize("backend", ["cookie", "dbd"])
def test_session_part_stays_bounded(make_server, backend):
    """A FlashMsgAdd + Redirect to a page without the placeholder, hit again
    and again: the session part used to grow with every hit until the
    browser's Cookie header passed httpd's limit and every request of the
    client got 400 (mod_session_cookie), or the row grew without end (dbd)."""
    extra = ('<Location /again>\nFlashMsgAdd info "another one from the '
             'configuration, long enough to fill the cookie quickly"\n'
             'Redirect 302 /again /plain.html\n</Location>')
    srv = session_server(make_server, backend, "fallback", extra)
    client = requests.Session()
    sizes = []
    for i in range(120):
        r = client.get(srv.url + "/again")      # follows to /plain.html
        assert r.status_code == 200, (i, r.status_code)
        sizes.append(len(client.cookies.get("session", "")))
    if backend == "cookie":
        # FlashMsgSessionMaxSize (default 2048) plus mod_session's own framing
        assert max(sizes) < 2048 + 600, max(sizes)
    else:
        with sqlite3.connect(srv.db) as c:
            longest = c.execute("select max(length(value)) from session").fetchone()[0]
        assert longest < 2048 + 600, longest
    # our cookies together, "name=value; " each as the module counts them
    assert has_flash(client.cookies)
    assert flash_cookies_size(client.cookies) <= 2048, flash_cookies(client.cookies)
    # the cookie keeps the oldest that fit, the session the newest; when the
    # two together are full, the oldest go (never a gap between the parts)
    assert re.search(r"message\(s\) dropped: they do not fit in "
                     r"FlashMsgCookieMaxSize 2048 and FlashMsgSessionMaxSize "
                     r"2048 together \(0 too large on their own, \d+ oldest\)",
                     srv.read_log())
    shown = texts(client.get(srv.url + "/page.html").text)
    assert 10 < len(shown) < 120


def read_only(srv):
    """The database can be read but no longer written (as under a lock that
    never clears): every session save of mod_session_dbd fails."""
    os.chmod(srv.db, 0o444)
    os.chmod(os.path.dirname(srv.db), 0o555)


@pytest.mark.parametrize("storage", ["session", "fallback"])
def test_a_session_that_cannot_be_saved_is_not_silent(make_server, client, storage):
    srv = session_server(make_server, "dbd", storage)
    srv.expect_error(r"session not saved|AH0185[0-9]")    # mod_session(_dbd)
    srv.expect_error(r"mod_flashmsg: the session could not be saved")
    read_only(srv)
    value = big(6, 300) if storage == "fallback" else "info: never stored"
    r = redirect_with(srv, client, value)
    log = srv.log_since_mark()
    if storage == "session":
        assert re.search(r"the session could not be saved .* 1 message\(s\) lost", log), log
    else:
        # what the session could not take goes to the cookie, newest first
        assert re.search(r"its \d+ message\(s\) go to the cookie instead", log), log
        shown = texts(client.get(srv.url + "/page.html").text)
        assert shown and shown[-1].endswith(" 5"), shown

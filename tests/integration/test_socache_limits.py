"""socache storage where its configuration differs by scope, and what one
request may cost (red team findings 3, 4 and 5): a reference is never
deleted unread, an entry is read whatever bound the reading scope has,
replayed references log a few lines, not one each, and the work a request
does stays linear in the messages pending and bounded by the budget."""
import re
import time

import requests

from conftest import BrowserJar, emit_url, texts
from conftest import tab_add as add, tab_show as show
from harness import SECRET

SHMCB = "FlashMsgStorage socache\nFlashMsgSocache shmcb\n"


def refs(jar):
    return {k: v for k, v in jar.cookies.items() if k.startswith("flashmsg")}


def test_reference_from_another_scope_is_followed(make_server):
    """FlashMsgStorage socache in <Location /cgi/> only: a page outside it
    shows the message (the server has the cache) instead of deleting the
    reference unread."""
    srv = make_server("FlashMsgSocache shmcb\n<Location /cgi/>\n  FlashMsgStorage socache\n"
                      "</Location>\n", modules=["socache_shmcb"])
    jar = BrowserJar()
    jar.apply(add(srv, jar, "from /cgi/"))
    assert len(refs(jar)) == 1
    r = show(srv, jar)
    assert texts(r.text) == ["from /cgi/"]
    jar.apply(r)
    assert refs(jar) == {}
    assert texts(show(srv, jar).text) == []


def test_reference_is_left_where_the_server_has_no_cache(make_server):
    """A node without the cache (cookie storage only, same secret) neither
    shows nor deletes a reference another node issued."""
    node1 = make_server(SHMCB, modules=["socache_shmcb"], name="node1")
    node2 = make_server("FlashMsgStorage cookie\n", name="node2")
    jar = BrowserJar()
    jar.apply(add(node1, jar, "on node 1"))
    r = requests.get(node2.url + "/page.html", headers={"Cookie": jar.header()})
    assert r.status_code == 200
    assert texts(r.text) == []
    assert not r.raw.headers.getlist("Set-Cookie"), r.raw.headers.getlist("Set-Cookie")
    assert texts(show(node1, jar).text) == ["on node 1"]


# Three messages of 7,000 characters: an entry of about 28 KB (the reading
# buffer where FlashMsgSessionMaxSize is the default 2048 was 16 KB).
LONG_CGI = """#!/bin/sh
printf 'Status: 303 See Other\\r\\nLocation: /page.html\\r\\n'
for c in L M N; do printf 'X-Flash: "'; head -c 7000 /dev/zero | tr '\\0' $c; printf '"\\r\\n'; done
printf 'Content-Type: text/html\\r\\n\\r\\nmoved'
"""


def test_entry_is_read_where_the_bound_is_smaller(make_server):
    """An entry written under a larger FlashMsgSessionMaxSize (one Location)
    is read where the bound is the default."""
    srv = make_server(SHMCB + "<Location /big/>\n  FlashMsgSessionMaxSize 65536\n</Location>\n",
                      files={"big/add.cgi": LONG_CGI}, modules=["socache_shmcb"])
    jar = BrowserJar()
    r = requests.get(srv.url + "/big/add.cgi", allow_redirects=False)
    assert r.status_code == 303
    jar.apply(r)
    assert len(refs(jar)) == 1
    srv.mark_log()
    r = show(srv, jar)
    assert texts(r.text) == [c * 7000 for c in "LMN"]
    assert "lost" not in srv.log_since_mark()


def test_replayed_references_log_a_few_lines(make_server):
    """Twelve references whose entries are gone: three warnings and one
    line that counts the rest, as for rejected cookies."""
    srv = make_server(SHMCB + "FlashMsgCookieMaxSize 4096\n", modules=["socache_shmcb"], name="a")
    jars = []
    for i in range(12):
        jar = BrowserJar()
        jar.apply(add(srv, jar, "m%d" % i))
        jars.append(jar)
    header = "; ".join(j.header() for j in jars)
    # a restart empties shmcb: every reference now finds nothing
    srv.stop()
    srv.start()
    srv.mark_log()
    r = requests.get(srv.url + "/page.html", headers={"Cookie": header})
    assert r.status_code == 200 and texts(r.text) == []
    log = srv.log_since_mark()
    assert len(re.findall(r"refers to no cache entry", log)) == 3, log
    assert re.search(r"9 more reference\(s\) found no cache entry", log), log


def test_references_beyond_the_budget_wait_for_a_later_request(make_server):
    """A request follows no more references than FlashMsgCookieMaxSize
    holds; the others stay, unread and not deleted, for the next page."""
    srv = make_server(SHMCB + "FlashMsgCookieMaxSize 400\n", modules=["socache_shmcb"])
    jars = []
    for i in range(10):
        jar = BrowserJar()
        jar.apply(add(srv, jar, "m%d" % i))
        jars.append(jar)
        time.sleep(0.01)
    together = BrowserJar()
    for j in jars:
        together.cookies.update(j.cookies)
    assert len(refs(together)) == 10
    seen = []
    for _ in range(10):
        r = show(srv, together)
        got = texts(r.text)
        assert len(got) < 10, got
        seen += got
        together.apply(r)
        if not refs(together):
            break
    assert sorted(seen) == sorted("m%d" % i for i in range(10)), seen


BULK, REFS = 5000, 20


def test_hundred_thousand_pending_messages(make_server, tmp_path):
    """Twenty references of 5,000 tiny messages each, sent newest first: the
    page without the placeholder and then the one with it answer, every
    message shown once, oldest first (the work is n log n, not n^2: before,
    this took minutes).  bench/pending.py times it."""
    adds = "\n".join('  FlashMsgAdd info "b%05d"' % i for i in range(BULK))
    shm = "%s/fm.shm" % tmp_path
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache shmcb:%s(268435456)\n"
                      "FlashMsgSessionMaxSize 1048576\nFlashMsgCookieMaxSize 16384\n"
                      "<Location /bulk>\n%s\n  Redirect 303 /bulk /plain.html\n</Location>\n"
                      % (shm, adds), modules=["socache_shmcb"], log_level="flashmsg:info")
    # (shmcb keeps an entry in one subcache of a few hundred KB, chosen by
    # the key's first byte: entries of 5,000 messages, ~90 KB, leave room
    # for two in one; 10,000 each left room for one, and one reference in
    # six lost its entry to a neighbour -- the cache's doing, logged)
    # each add from a fresh client, each in a second of its own: a request
    # numbers its messages' microseconds from its start and stops at
    # 999,999, so two adds of the same 10,000 texts in one second can write
    # identical messages, which a later request rightly merges as copies
    cookies = []
    for i in range(REFS):
        time.sleep(1.0 - time.time() % 1.0 + 0.01)
        r = requests.get(srv.url + "/bulk", allow_redirects=False, timeout=30)
        assert r.status_code == 303
        cookies += [h.split(";")[0] for h in r.raw.headers.getlist("Set-Cookie")]
    assert len(cookies) == REFS
    newest_first = "; ".join(reversed(cookies))
    r = requests.get(srv.url + "/plain.html", headers={"Cookie": newest_first}, timeout=30)
    assert r.status_code == 200
    r = requests.get(srv.url + "/page.html", headers={"Cookie": newest_first}, timeout=30)
    shown = texts(r.text)
    assert len(shown) == REFS * BULK
    assert shown[:3] == ["b00000", "b00001", "b00002"]

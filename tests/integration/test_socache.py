"""FlashMsgStorage socache (issue 17): the messages live in httpd's socache
(shmcb, Redis, memcached), the client holds only signed references.  A
shown message is removed from the cache, so replaying an old cookie shows
nothing; two tabs neither lose nor resurrect; two nodes on one Redis or
memcached share messages; an engine that is down serves pages and falls
back to the cookie."""
import re
import time

import pytest
import requests

from conftest import BrowserJar, texts, SITE
from conftest import tab_add as add, tab_show as show
from engines import Redis, Memcached, available
from harness import Httpd, SECRET

SHMCB = "FlashMsgStorage socache\nFlashMsgSocache shmcb\n"


def refs(jar):
    return {k: v for k, v in jar.cookies.items() if k.startswith("flashmsg")}


@pytest.fixture
def redis():
    if not available(Redis):
        pytest.skip("redis-server not installed (make deps)")
    e = Redis().start()
    yield e
    e.cleanup()


@pytest.fixture
def memcached():
    if not available(Memcached):
        pytest.skip("memcached not installed (make deps)")
    e = Memcached().start()
    yield e
    e.cleanup()


def test_shmcb_flow_and_no_replay(make_server):
    srv = make_server(SHMCB, modules=["socache_shmcb"])
    jar = BrowserJar()
    jar.apply(add(srv, jar, "Profile saved."))
    jar.apply(add(srv, jar, "Second one", "warning"))
    held = refs(jar)
    assert len(held) == 2
    # the cookie holds a reference, never the text
    for v in held.values():
        assert "Profile" not in v and len(v) < 120
    captured = jar.header()
    r = show(srv, jar)
    assert texts(r.text) == ["Profile saved.", "Second one"]
    jar.apply(r)
    assert refs(jar) == {}
    assert texts(show(srv, jar).text) == []
    # replaying the captured cookies shows nothing: the entries are gone
    r = requests.get(srv.url + "/page.html", headers={"Cookie": captured})
    assert texts(r.text) == []
    assert "Max-Age=0" in " ".join(r.raw.headers.getlist("Set-Cookie"))


def test_shmcb_encrypted_and_order(make_server):
    srv = make_server(SHMCB + "FlashMsgCookieEncrypt On\n", modules=["socache_shmcb"])
    jar = BrowserJar()
    for i in range(5):
        jar.apply(add(srv, jar, "m%d" % i))
    assert all(v.startswith("e1.") for v in refs(jar).values())
    r = show(srv, jar)
    assert texts(r.text) == ["m%d" % i for i in range(5)]


def test_forged_and_moved_references_are_refused(make_server):
    srv = make_server(SHMCB, modules=["socache_shmcb"])
    jar = BrowserJar()
    jar.apply(add(srv, jar, "mine"))
    (name, value), = refs(jar).items()
    # the value under another name of the family: the MAC binds the name
    r = requests.get(srv.url + "/page.html", headers={"Cookie": "flashmsg.AAAAAAAA=" + value})
    assert texts(r.text) == []
    # tampered
    r = requests.get(srv.url + "/page.html",
                     headers={"Cookie": "%s=%s" % (name, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))})
    assert texts(r.text) == []
    assert texts(show(srv, jar).text) == ["mine"]


# The two-tab race for socache storage: tests/integration/test_two_tabs.py
# (parametrized over every storage that promises it).


def test_bounded_per_client(make_server):
    srv = make_server(SHMCB + "FlashMsgCookieMaxSize 400\n", modules=["socache_shmcb"])
    jar = BrowserJar()
    for i in range(20):
        jar.apply(add(srv, jar, "msg %d" % i))
    assert sum(len(k) + len(v) + 3 for k, v in refs(jar).items()) <= 400
    shown = texts(show(srv, jar).text)
    assert shown and shown == ["msg %d" % i for i in range(20 - len(shown), 20)]
    srv.expect_error(r"dropped")


def test_unknown_provider_is_a_config_error(make_server):
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache nosuch\n", start=False)
    rc, out = srv.configtest()
    assert rc != 0 and "unknown socache provider 'nosuch'" in out


def test_socache_storage_without_flashmsgsocache_stops_start(make_server):
    srv = make_server("FlashMsgStorage socache\n", modules=["socache_shmcb"], start=False)
    srv.expect_error(r"needs FlashMsgSocache")
    with pytest.raises(RuntimeError) as e:
        srv.start()
    assert "needs FlashMsgSocache" in str(e.value)


def _nodes(engine, n=2, extra=""):
    return [Httpd("Header always set X-Node n%d\nFlashMsgStorage socache\n"
                  "FlashMsgSocache %s\n%s" % (i + 1, engine.spec, extra),
                  secret=SECRET, modules=["headers", engine.module],
                  name="%snode%d" % (engine.provider, i + 1), files=dict(SITE))
            for i in range(n)]


def _two_nodes_flow(engine):
    nodes = _nodes(engine)
    try:
        for n in nodes:
            n.start()
        a, b = nodes
        jar = BrowserJar()
        sent = []
        for i in range(6):
            jar.apply(add(a if i % 2 else b, jar, "msg %d" % i))
            sent.append("msg %d" % i)
        captured = jar.header()
        r = show(b, jar)
        assert texts(r.text) == sent
        jar.apply(r)
        assert texts(show(a, jar).text) == []
        # replay through the other node: nothing
        r = requests.get(a.url + "/page.html", headers={"Cookie": captured})
        assert texts(r.text) == []
        # a node stopped mid-flow loses nothing: added on a, a stops, b shows
        jar.apply(add(a, jar, "before the stop"))
        a.stop()
        r = show(b, jar)
        assert texts(r.text) == ["before the stop"]
        jar.apply(r)
        for n in nodes:
            assert not n.unexpected_errors()
    finally:
        for n in nodes:
            n.cleanup()


def test_two_nodes_on_one_redis(redis):
    _two_nodes_flow(redis)
    assert redis.keys("*flashmsg:*") == []      # everything shown is removed


def test_two_nodes_on_one_memcached(memcached):
    _two_nodes_flow(memcached)


def test_redis_entries_are_encrypted_at_rest(redis):
    node, = _nodes(redis, 1, "FlashMsgCookieEncrypt On\n")
    try:
        node.start()
        jar = BrowserJar()
        jar.apply(add(node, jar, "secret text"))
        keys = redis.keys("*flashmsg:*")
        assert len(keys) == 1, redis.keys()
        assert redis.get(keys[0]).startswith("e1.")
        assert "secret" not in redis.get(keys[0])
    finally:
        node.cleanup()


def test_engine_down_pages_served_messages_in_cookie(redis):
    node, = _nodes(redis, 1, "RedisTimeout 1\n")
    try:
        node.start()
        jar = BrowserJar()
        jar.apply(add(node, jar, "while up"))
        redis.stop()
        t = time.time()
        # a page is served; the reference can not be read now and stays
        r = show(node, jar)
        assert texts(r.text) == []
        jar.apply(r)
        # messages added meanwhile go to the cookie
        jar.apply(add(node, jar, "while down 1"))
        jar.apply(add(node, jar, "while down 2"))
        assert any(v.startswith("s1.") for v in jar.cookies.values())
        r = show(node, jar)
        assert texts(r.text) == ["while down 1", "while down 2"]
        jar.apply(r)
        assert time.time() - t < 10
        log = node.read_log()
        lines = re.findall(r"FlashMsgSocache .* does not answer", log)
        # one line per interval and process (two children at most here)
        assert 1 <= len(lines) <= 2, lines
        node.expect_error(r"does not answer")
        # the engine comes back: what was stored before is shown then
        redis.port = redis.port
        redis.start()
        time.sleep(0.5)
        r = show(node, jar)
        # redis keeps nothing across a restart without persistence: the
        # reference finds no entry and is deleted, nothing is shown twice
        jar.apply(r)
        assert texts(show(node, jar).text) == []
    finally:
        node.cleanup()

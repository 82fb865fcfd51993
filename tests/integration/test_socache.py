"""FlashMsgStorage socache (issue 17): the messages live in httpd's socache
(shmcb, Redis, memcached), the client holds only signed references.  A
shown message is removed from the cache, so replaying an old cookie shows
nothing; two tabs neither lose nor resurrect; two nodes on one Redis or
memcached share messages; an engine that is down serves pages and falls
back to the cookie."""
import base64
import re
import threading
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


ENGINES = {"redis": Redis, "memcache": Memcached}


def _engine(cls, **kw):
    if not available(cls):
        pytest.skip("%s not installed (make deps)" % cls.binary)
    e = cls(**kw).start()
    return e


@pytest.fixture
def redis():
    e = _engine(Redis)
    yield e
    e.cleanup()


@pytest.fixture
def memcached():
    e = _engine(Memcached)
    yield e
    e.cleanup()


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    """Each network engine in turn; Redis saves its entries when stopped
    and loads them at start, memcached keeps nothing across a restart."""
    cls = ENGINES[request.param]
    e = _engine(cls, **({"persistent": True} if cls is Redis else {}))
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
    srv.mark_log()
    r = requests.get(srv.url + "/page.html", headers={"Cookie": captured})
    assert texts(r.text) == []
    assert "Max-Age=0" in " ".join(r.raw.headers.getlist("Set-Cookie"))
    # ... and each is known as shown (its tombstone), which is not a loss
    log = srv.log_since_mark()
    assert len(re.findall(r"refers to an entry shown already", log)) == 2
    assert "[flashmsg:warn]" not in log


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


def _add_then_show_per_client(srv, n):
    """n browsers each add one message, then each loads a page: the cache
    holds n entries at once.  Returns (shown texts, sent texts)."""
    jars, sent = [], []
    for i in range(n):
        jar = BrowserJar()
        jar.apply(add(srv, jar, "client %d" % i))
        jars.append(jar)
        sent.append("client %d" % i)
    shown = []
    for jar in jars:
        r = show(srv, jar)
        shown.extend(texts(r.text))
        jar.apply(r)
        assert refs(jar) == {}
    return shown, sent


def test_shmcb_entries_use_the_whole_cache(make_server):
    # shmcb picks one of its subcaches (16 for the default 512 000 bytes,
    # 113 entries each) by the first byte of the key: keys that all begin
    # alike share one subcache, a sixteenth of the cache.  300 pending
    # entries fit the whole cache many times over, one subcache not.
    srv = make_server(SHMCB, modules=["socache_shmcb"])
    shown, sent = _add_then_show_per_client(srv, 300)
    assert sorted(shown) == sorted(sent), "%d of %d lost" % (
        len(set(sent) - set(shown)), len(sent))


def test_tiny_shmcb_every_message_shown_or_its_loss_logged(make_server):
    # The smallest shmcb (8192 bytes: 2 subcaches of 14 entries) under more
    # pending entries than it holds evicts the oldest.  A reference that
    # finds no entry before FlashMsgMaxAge is logged at warn: a loss is
    # never silent.
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache shmcb:run/tiny(8192)\n",
                      modules=["socache_shmcb"])
    srv.mark_log()
    shown, sent = _add_then_show_per_client(srv, 60)
    assert len(shown) == len(set(shown))                # none twice
    lost = set(sent) - set(shown)
    assert lost, "the tiny cache held all 60 entries: nothing was evicted"
    warned = re.findall(r"\[flashmsg:warn\].* cookie flashmsg\.\S+ .*refers to no "
                        r"cache entry: its messages are lost", srv.log_since_mark())
    print("shmcb(8192): %d of %d shown, %d lost, %d warn lines"
          % (len(shown), len(sent), len(lost), len(warned)))
    assert len(warned) == len(lost), (len(warned), len(lost))


def test_unknown_provider_is_a_config_error(make_server):
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache nosuch\n", start=False)
    rc, out = srv.configtest()
    assert rc != 0 and "unknown socache provider 'nosuch'" in out


@pytest.mark.parametrize("provider, module, why", [
    ("redis", "mod_socache_redis", "(httpd 2.4.39 or later)"),
    ("memcache", "mod_socache_memcache", ""),
    ("shmcb", "mod_socache_shmcb", ""),
])
def test_missing_socache_module_is_named(make_server, provider, module, why):
    """A provider whose module is not loaded stops the start with a message
    that names the module (redis: which httpd has it)."""
    spec = provider + (":127.0.0.1:1" if provider != "shmcb" else "")
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache %s\n" % spec, start=False)
    rc, out = srv.configtest()
    assert rc != 0
    assert "load %s first" % module in out, out
    assert why in out, out
    with pytest.raises(RuntimeError) as e:
        srv.start()
    assert module in str(e.value)


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


def test_two_nodes_on_one_engine(engine):
    _two_nodes_flow(engine)
    assert engine.live_entries() == []      # everything shown is removed


def test_redis_entries_are_encrypted_at_rest(redis):
    node, = _nodes(redis, 1, "FlashMsgCookieEncrypt On\n")
    try:
        node.start()
        jar = BrowserJar()
        jar.apply(add(node, jar, "secret text"))
        keys = redis.entries()
        assert len(keys) == 1, redis.keys()
        assert redis.get(keys[0]).startswith("e1.")
        assert "secret" not in redis.get(keys[0])
    finally:
        node.cleanup()


# The engine's own lines when it does not answer, and ours.
ENGINE_ERRORS = r"does not answer|scache_(rd|mc): "


def is_ref(value):
    """A signed value that holds a reference (FM_COOKIE_REF in the flags
    byte after the version), not messages."""
    if not value.startswith("s1."):
        return False
    payload = value[3:].split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return bool(raw[1] & 0x02)


def _ref_names(jar):
    return {k for k, v in refs(jar).items() if is_ref(v)}


def _messages_in_cookie(jar):
    return [k for k, v in refs(jar).items() if not is_ref(v)]


def test_engine_down_pages_served_messages_in_cookie(engine):
    """The engine stops: pages are served at once, the reference the
    browser holds stays, messages added meanwhile go to the cookie and are
    shown once; one error line per interval and process; the engine
    comes back and the node uses it again."""
    node, = _nodes(engine, 1)
    try:
        node.start()
        node.expect_error(ENGINE_ERRORS)
        jar = BrowserJar()
        jar.apply(add(node, jar, "while up"))
        held, = _ref_names(jar)
        engine.stop()
        t = time.time()
        # a page is served; the reference can not be read now and stays
        for _ in range(2):          # the first failure, then "no live server"
            r = show(node, jar, timeout=10)
            assert texts(r.text) == []
            jar.apply(r)
            assert held in jar.cookies
        # messages added meanwhile go to the cookie
        jar.apply(add(node, jar, "while down 1", timeout=10))
        jar.apply(add(node, jar, "while down 2", timeout=10))
        assert len(_messages_in_cookie(jar)) == 2
        r = show(node, jar, timeout=10)
        assert texts(r.text) == ["while down 1", "while down 2"]
        jar.apply(r)
        assert held in jar.cookies
        assert time.time() - t < 10
        lines = re.findall(r"FlashMsgSocache .* does not answer", node.read_log())
        # one line per interval and process (two children at most here)
        assert 1 <= len(lines) <= 2, lines
        # the engine comes back (apr retries a dead server after 5 s)
        engine.start()
        deadline = time.time() + 20
        while held in jar.cookies and time.time() < deadline:
            r = show(node, jar, timeout=10)
            jar.apply(r)
            shown = texts(r.text)
            if shown:
                break
            time.sleep(0.5)
        if engine.provider == "redis":
            # Redis saved its entries and loaded them: shown now, once
            assert shown == ["while up"]
        else:
            # memcached lost them: the reference finds nothing, says so at
            # warn, and is deleted; nothing is shown twice
            assert shown == []
            assert re.search(r"\[flashmsg:warn\].* %s .*refers to no cache entry"
                             % re.escape(held), node.read_log())
        assert held not in jar.cookies
        assert texts(show(node, jar, timeout=10).text) == []
        # a new message goes through the engine again, shown once
        jar.apply(add(node, jar, "after", timeout=10))
        assert len(_ref_names(jar)) == 1 and not _messages_in_cookie(jar)
        r = show(node, jar, timeout=10)
        assert texts(r.text) == ["after"]
        jar.apply(r)
        assert texts(show(node, jar, timeout=10).text) == []
        assert not node.unexpected_errors()
    finally:
        node.cleanup()


# One event-MPM child of 16 threads: the stall breaker's state is per
# process, so with one child every request below meets the same state.
ONE_CHILD = ("ServerLimit 1\nStartServers 1\nThreadsPerChild 16\n"
             "MaxRequestWorkers 16\n")
STALLED = r"has stalled for \d+ ms"


def _timed(call, *args, **kw):
    """(result, seconds): one request, timed."""
    t = time.time()
    r = call(*args, **kw)
    return r, time.time() - t


def _paused_engine_flow(engine):
    """A hanging engine, not a stopped one: the process is paused
    (SIGSTOP), its kernel still accepts connections, nothing answers.
    Neither provider bounds that wait (httpd 2.4.71, apr-util 1.6.3:
    mod_socache_redis hands RedisTimeout to apr_redis in microseconds
    where seconds are expected, apr_memcache reads with no timeout), so
    the request that meets the stall first waits until the engine
    answers.  Once an operation has been in flight without progress for
    FlashMsgSocacheTimeout (1 s), the child skips the engine: later
    requests are served at once, what they add goes to the cookie, the
    references they hold stay.  When the engine answers again, the
    waiting request finishes and the engine is used again."""
    node, = _nodes(engine, 1, ONE_CHILD)
    engine_paused = False
    try:
        node.start()
        node.expect_error(ENGINE_ERRORS + "|" + STALLED)
        jar = BrowserJar()
        jar.apply(add(node, jar, "while up"))
        held, = _ref_names(jar)
        engine.pause()
        engine_paused = True
        paused_at = time.time()
        first = {}

        def blocked():
            t = time.time()
            try:
                first["response"] = show(node, jar, timeout=60)
            except Exception as e:          # reported by the main thread
                first["error"] = e
            first["seconds"] = time.time() - t

        waiter = threading.Thread(target=blocked, daemon=True)
        waiter.start()
        time.sleep(1.5)
        assert waiter.is_alive(), "the first request did not wait: %r" % first
        # later requests are served at once, while the first still waits
        times = {}
        r, times["held reference"] = _timed(show, node, jar, timeout=10)
        assert texts(r.text) == []
        jar.apply(r)
        assert held in jar.cookies          # kept, to be shown later
        r, times["no messages"] = _timed(requests.get, node.url + "/page.html",
                                         timeout=10)
        assert r.status_code == 200
        other = BrowserJar()
        r, times["add"] = _timed(add, node, other, "while stalled", timeout=10)
        other.apply(r)
        assert len(_messages_in_cookie(other)) == 1 and not _ref_names(other)
        r, times["show the cookie"] = _timed(show, node, other, timeout=10)
        assert texts(r.text) == ["while stalled"]
        other.apply(r)
        assert texts(show(node, other, timeout=10).text) == []
        print("%s paused, first request still waiting; later requests: %s"
              % (engine.provider, ", ".join("%s %.3f s" % kv for kv in times.items())))
        assert max(times.values()) < 3, times
        assert waiter.is_alive()
        engine.resume()
        engine_paused = False
        paused = time.time() - paused_at
        waiter.join(30)
        assert not waiter.is_alive() and "error" not in first, first
        print("%s: the first request waited %.3f s, the engine was paused %.3f s"
              % (engine.provider, first["seconds"], paused))
        # it read the entry once the engine answered: shown once
        assert texts(first["response"].text) == ["while up"]
        jar.apply(first["response"])
        assert held not in jar.cookies
        assert texts(show(node, jar, timeout=10).text) == []
        # the engine is used again: a new message is an entry, shown once
        r, t = _timed(add, node, jar, "after", timeout=10)
        jar.apply(r)
        assert t < 3
        assert len(_ref_names(jar)) == 1 and not _messages_in_cookie(jar)
        r = show(node, jar, timeout=10)
        assert texts(r.text) == ["after"]
        jar.apply(r)
        assert texts(show(node, jar, timeout=10).text) == []
        log = node.read_log()
        assert "AH00052" not in log and "Segmentation" not in log
        print("\n".join(l for l in log.splitlines() if re.search(STALLED, l)))
        assert 1 <= len(re.findall(STALLED, log)) <= 3
        assert len(re.findall(r"does not answer|" + STALLED, log)) <= 3
        assert not node.unexpected_errors()
    finally:
        if engine_paused:
            engine.resume()
        node.cleanup()


def test_paused_engine_stalls_only_the_first_requests(engine):
    _paused_engine_flow(engine)


@pytest.mark.parametrize("value", ["0", "0ms", "abc", "-1", "2h", "1 s"])
def test_socache_timeout_refuses_what_is_no_duration(make_server, value):
    srv = make_server(SHMCB + 'FlashMsgSocacheTimeout "%s"\n' % value,
                      modules=["socache_shmcb"], start=False)
    rc, out = srv.configtest()
    assert rc != 0 and "FlashMsgSocacheTimeout: '%s' is not a duration" % value in out, out


@pytest.mark.parametrize("value", ["1", "250ms", "2s", "1mi"])
def test_socache_timeout_takes_seconds_or_a_unit(make_server, value):
    srv = make_server(SHMCB + "FlashMsgSocacheTimeout %s\n" % value,
                      modules=["socache_shmcb"], start=False)
    rc, out = srv.configtest()
    assert rc == 0, out


# Server lists of mod_socache_redis and mod_socache_memcache are parsed
# only by their init, in post_config, after `apache2 -t` said Syntax OK:
# FlashMsgSocache checks them where the directive stands.
@pytest.mark.parametrize("provider", ["redis", "memcache"])
@pytest.mark.parametrize("servers,why", [
    ("127.0.0.1:99999", "port 99999 is not from 1 to 65535"),
    ("127.0.0.1:0", "port 0 is not from 1 to 65535"),
    ("127.0.0.1:", "the port after ':' is empty"),
    (",,,", "server 1 of 4 is empty"),
    ("a:1,,b:2", "server 2 of 3 is empty"),
    ("a:1,", "server 2 of 2 is empty"),
    ("6379", "no host name"),
    ("[::1", "not host\\[:port\\]"),
    ("a:b", "not host\\[:port\\]"),
    ("::1", "not host\\[:port\\] \\(write an IPv6 address in brackets"),
    ("a b", "not host\\[:port\\]"),
])
def test_socache_server_list_checked_where_written(make_server, provider, servers, why):
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache \"%s:%s\"\n" % (provider, servers),
                      modules=["socache_" + provider], start=False)
    rc, out = srv.configtest()
    assert rc != 0, out
    assert re.search(r"Syntax error on line \d+ of .*httpd\.conf", out), out
    assert re.search(r"FlashMsgSocache: %s:%s: .*%s" % (provider, re.escape(servers), why), out), out


@pytest.mark.parametrize("provider", ["redis", "memcache"])
@pytest.mark.parametrize("servers", ["127.0.0.1", "127.0.0.1:6379", "localhost:1,localhost:65535",
                                     "[::1]:6379", "[::1]", "cache.example.com"])
def test_socache_server_list_takes_host_and_port(make_server, provider, servers):
    srv = make_server("FlashMsgStorage socache\nFlashMsgSocache \"%s:%s\"\n" % (provider, servers),
                      modules=["socache_" + provider], start=False)
    rc, out = srv.configtest()
    assert rc == 0, out

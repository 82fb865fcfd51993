"""Several httpd nodes behind a mod_proxy_balancer front (round robin, no
stickiness) share messages: (a) cookie storage with one shared secret,
(b) session storage on mod_session_dbd against one PostgreSQL server,
(c) socache storage on one Redis (mod_socache_redis) or one memcached
(mod_socache_memcache).
A message added through any node is shown exactly once through any other,
and stopping a node mid-flow loses nothing."""
import os
import re

import pytest
import requests

from conftest import DBD_QUERIES, has_flash, texts, emit_url
from harness import Httpd, SECRET
from postgres import Postgres
from engines import Memcached, Redis, available

ROUNDS = 30
ARTIFACTS = os.path.join(os.path.dirname(__file__), ".artifacts")



def front_for(nodes):
    members = "\n".join("  BalancerMember http://127.0.0.1:%d retry=1" % n.port for n in nodes)
    conf = """
<Proxy balancer://nodes>
%s
  ProxySet lbmethod=byrequests
</Proxy>
ProxyPass / balancer://nodes/
ProxyPassReverse / balancer://nodes/
""" % members
    return Httpd(conf, flashmsg=False, name="front",
                 modules=["proxy", "proxy_http", "proxy_balancer",
                          "lbmethod_byrequests", "slotmem_shm"])


def run_flow(front, nodes, client, label):
    """Add one message per round through the front, show it through the
    front; stop node 2 half way.  Returns (sent, shown_once, lost, stats)."""
    sent, shown, added_on, shown_on = [], [], set(), set()
    for i in range(ROUNDS):
        if i == ROUNDS // 2:
            nodes[1].stop()          # a node goes away mid-flow
        text = "%s message %d" % (label, i)
        r = client.get(emit_url(front.url, status="302", location="/page.html",
                                h="X-Flash: info: " + text), allow_redirects=False)
        assert r.status_code == 302, (i, r.status_code, r.text[:200])
        added_on.add(r.headers.get("X-Node"))
        sent.append(text)
        # a second message piles up before the page is seen, every third round
        if i % 3 == 0:
            extra = text + " (extra)"
            r = client.get(emit_url(front.url, status="302", location="/page.html",
                                    h="X-Flash: warning: " + extra), allow_redirects=False)
            assert r.status_code == 302
            sent.append(extra)
        r = client.get(front.url + "/page.html")
        assert r.status_code == 200
        shown_on.add(r.headers.get("X-Node"))
        shown.extend(texts(r.text))
    lost = [m for m in sent if m not in shown]
    dup = [m for m in set(shown) if shown.count(m) > 1]
    return sent, shown, lost, dup, added_on, shown_on


def report(label, sent, shown, lost, dup, added_on, shown_on):
    os.makedirs(ARTIFACTS, exist_ok=True)
    line = ("%s: sent %d, shown %d, lost %d, shown twice %d; added via %s, shown via %s"
            % (label, len(sent), len(shown), len(lost), len(dup),
               sorted(x for x in added_on if x), sorted(x for x in shown_on if x)))
    with open(os.path.join(ARTIFACTS, "multinode.txt"), "a") as f:
        f.write(line + "\n")
    print(line)


def check_flow(label, flow):
    """Report a run_flow result and hold it to what every storage owes:
    each message shown exactly once, in order, adds and pages spread over
    at least two nodes."""
    sent, shown, lost, dup, added_on, shown_on = flow
    report(label, sent, shown, lost, dup, added_on, shown_on)
    assert not lost and not dup
    assert shown == sent                  # in order, each exactly once
    assert len(added_on - {None}) >= 2 and len(shown_on - {None}) >= 2


def assert_no_node_errors(nodes):
    for n in nodes:
        bad = [l for l in n.unexpected_errors() if not re.search(r"proxy", l)]
        assert not bad, bad


def start_all(nodes, front):
    for n in nodes:
        n.start()
    front.start()


def stop_all(nodes, front):
    front.cleanup()
    for n in nodes:
        n.cleanup()


def test_cookie_storage_across_three_nodes(client):
    nodes = [Httpd('Header always set X-Node n%d\nFlashMsgStorage cookie' % (i + 1),
                   secret=SECRET, modules=["headers"], name="node%d" % (i + 1),
                   files=_site()) for i in range(3)]
    front = front_for(nodes)
    try:
        start_all(nodes, front)
        check_flow("cookie storage, 3 nodes", run_flow(front, nodes, client, "cookie"))
    finally:
        stop_all(nodes, front)


def test_session_dbd_on_postgresql_across_three_nodes(client, postgres):
    conf = ('Header always set X-Node n{n}\nFlashMsgStorage session\n'
            'DBDriver pgsql\nDBDParams "%s"\n%s\nSession On\n'
            'SessionDBDCookieName session path=/;httponly\n'
            % (postgres.dbd_params("flash"), DBD_QUERIES))
    nodes = [Httpd(conf.replace("{n}", str(i + 1)), secret=SECRET, name="pgnode%d" % (i + 1),
                   modules=["headers", "session", "session_dbd", "dbd"], files=_site())
             for i in range(3)]
    front = front_for(nodes)
    try:
        start_all(nodes, front)
        check_flow("session storage on mod_session_dbd + PostgreSQL, 3 nodes",
                   run_flow(front, nodes, client, "dbd"))
        assert not has_flash(client.cookies)       # server side only
        # everything was shown: no row may still hold a message (docs/storage.md's
        # statements update the row under its rotated key)
        held = postgres.psql("select count(*) from session where value like "
                             "'%flashmsg=%'", db="flash").strip()
        assert int(held) == 0, postgres.psql("select * from session", db="flash")
        assert_no_node_errors(nodes)
    finally:
        stop_all(nodes, front)


@pytest.mark.parametrize("engine_cls", [Redis, Memcached], ids=["redis", "memcache"])
def test_socache_on_one_engine_across_three_nodes(client, engine_cls):
    if not available(engine_cls):
        pytest.skip("%s not installed (make deps)" % engine_cls.binary)
    engine = engine_cls().start()
    conf = ('Header always set X-Node n{n}\nFlashMsgStorage socache\n'
            'FlashMsgSocache %s\n' % engine.spec)
    nodes = [Httpd(conf.replace("{n}", str(i + 1)), secret=SECRET,
                   name="%snode%d" % (engine.provider, i + 1),
                   modules=["headers", engine.module], files=_site())
             for i in range(3)]
    front = front_for(nodes)
    try:
        start_all(nodes, front)
        check_flow("socache storage on one %s, 3 nodes" % engine.provider,
                   run_flow(front, nodes, client, engine.provider))
        assert engine.live_entries() == []      # everything shown is removed
        assert_no_node_errors(nodes)
    finally:
        stop_all(nodes, front)
        engine.cleanup()


def _site():
    from conftest import SITE
    return SITE

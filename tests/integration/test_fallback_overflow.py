"""Fallback storage when the cookie and the session together cannot hold
what is pending (red team finding 6): the oldest messages go, never a gap
in the middle, and the log says how many."""
import re

import requests

from conftest import emit_url, texts
from test_session import session_server


def test_overflow_drops_the_oldest_never_the_middle(make_server):
    """One response adds eight messages of 400 bytes, more than the cookie
    (2048) and the session (2048) hold together: what the page shows is the
    newest that fit, in order, without a hole."""
    srv = session_server(make_server, "cookie", "fallback")
    msgs = ["m%02d %s" % (i, chr(ord("a") + i) * 400) for i in range(8)]
    value = ", ".join('"%s";level=info' % m for m in msgs)
    s = requests.Session()
    r = s.get(emit_url(srv.url, status="303", location="/page.html", h="X-Flash: " + value))
    shown = texts(r.text)
    assert shown, srv.log_since_mark()
    first = msgs.index(shown[0])
    assert shown == msgs[first:], [m[:3] for m in shown]
    dropped = re.findall(r"(\d+) message\(s\) dropped", srv.log_since_mark())
    assert sum(int(n) for n in dropped) == first, dropped
    srv.expect_error("dropped")


def test_start_says_which_bound_the_database_session_has(make_server):
    """With mod_session_dbd (and not mod_session_cookie) loaded, the start
    says that the session part is bounded by the cookie-sized default; once
    FlashMsgSessionMaxSize is set, a 5,000-byte message is kept and nothing
    is said."""
    srv = session_server(make_server, "dbd", "fallback")
    assert re.search(r"with mod_session_dbd set it higher", srv.read_log())
    big = session_server(make_server, "dbd", "fallback", "FlashMsgSessionMaxSize 65536\n")
    assert "set it higher" not in big.read_log()
    text = "x" * 5000
    s = requests.Session()
    r = s.get(emit_url(big.url, status="303", location="/page.html",
                       h='X-Flash: "%s";level=warning' % text))
    assert texts(r.text) == [text]

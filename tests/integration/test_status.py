"""server-status: mod_flashmsg's counters (docs/spec.md §9), summed over all
children, in ?auto and the HTML page, kept across a graceful restart, and
balanced over a scripted flow."""
import os
import signal
import time

import requests

from conftest import EMIT_CGI, emit_url, has_flash, rendered, texts

STATUS_CONF = """
AddHandler lua-script .lua
<Location /server-status>
  SetHandler server-status
  FlashMsg Off
</Location>
<Location /flash.json>
  SetHandler flashmsg-json
</Location>
<Location /added/>
  FlashMsgAdd info "From the configuration"
</Location>
<Location /small/>
  FlashMsgCookieMaxSize 400
</Location>
"""

LUA_NOTE = """
function handle(r)
  r.notes['flashmsg'] = 'success: Hello from a note'
  r.content_type = 'text/html'
  r:puts('<html><body><!--FLASH_MESSAGES--></body></html>')
  return apache2.OK
end
"""

STATUS_MODULES = ["status", "lua"]
STATUS_FILES = {"lua/note.lua": LUA_NOTE,
                "added/page.html": "<html><body><!--FLASH_MESSAGES--></body></html>",
                "small/emit.cgi": EMIT_CGI}


def status_lines(srv):
    """Every FlashMsg<Name>: <n> line of server-status?auto, as {Name: n}:
    the counters and the FallbackAsCookie flag."""
    r = requests.get(srv.url + "/server-status?auto")
    assert r.status_code == 200
    out = {}
    for line in r.text.splitlines():
        if line.startswith("FlashMsg"):
            name, _, value = line.partition(": ")
            out[name[len("FlashMsg"):]] = int(value)
    return out


def counters(srv):
    out = status_lines(srv)
    out.pop("FallbackAsCookie")
    return out


def delta(after, before):
    return {k: after[k] - before.get(k, 0) for k in after}


def test_status_shows_every_counter(make_server):
    srv = make_server(STATUS_CONF, modules=STATUS_MODULES, files=STATUS_FILES)
    c = counters(srv)
    for name in ("AddedHeader", "AddedNote", "AddedConfig", "AddedAPI",
                 "Loaded", "Rendered", "ConsumedJSON", "ConsumedHTMX",
                 "ConsumedBackend", "Cleared", "KeptPending", "DroppedSize",
                 "DroppedAge", "DroppedLevel", "LostLate", "LostSave",
                 "RejectedSignature", "RejectedExpired", "RejectedMalformed",
                 "CookieLoads", "CookieSaves", "CookieFailures",
                 "SessionLoads", "SocacheFailures"):
        assert name in c, name
    assert set(c.values()) == {0}
    html = requests.get(srv.url + "/server-status").text
    assert "mod_flashmsg counters" in html
    assert "<td>FlashMsgRendered</td>" in html


def test_idle_requests_count_nothing(make_server):
    srv = make_server(STATUS_CONF, modules=STATUS_MODULES, files=STATUS_FILES)
    before = counters(srv)
    s = requests.Session()
    for _ in range(20):
        assert s.get(srv.url + "/page.html").status_code == 200
        assert s.get(srv.url + "/img.png").status_code == 200
    assert counters(srv) == before


def test_flow_adds_up_and_survives_graceful_restart(make_server):
    srv = make_server(STATUS_CONF, modules=STATUS_MODULES, files=STATUS_FILES)
    base = counters(srv)
    a = requests.Session()
    # header: rendered at once
    r = a.get(emit_url(srv.url, h="X-Flash: info: now"))
    assert rendered(r.text) == [("info", "now")]
    # note: rendered at once
    assert texts(a.get(srv.url + "/lua/note.lua").text) == ["Hello from a note"]
    # FlashMsgAdd: rendered at once
    assert texts(a.get(srv.url + "/added/page.html").text) == [
        "From the configuration"]
    # header on a redirect: kept, then read back and rendered
    r = a.get(emit_url(srv.url, status="302", location="/page.html",
                       h="X-Flash: success: saved"), allow_redirects=False)
    assert has_flash(a.cookies)
    assert texts(a.get(srv.url + "/page.html").text) == ["saved"]
    # two kept, then taken as JSON
    a.get(emit_url(srv.url, status="303", location="/x",
                   h='X-Flash: "j1";level=info, "j2";level=warning'),
          allow_redirects=False)
    r = a.get(srv.url + "/flash.json")
    assert [m["message"] for m in r.json()["messages"]] == ["j1", "j2"]
    # below the minimum level (info): dropped
    a.get(emit_url(srv.url, h="X-Flash: debug: quiet"))
    # too large for the cookie on its own: dropped by size
    a.get(emit_url(srv.url, status="302", location="/x",
                   h="X-Flash: info: " + "x" * 600).replace("/cgi/", "/small/"),
          allow_redirects=False)
    # a tampered cookie: rejected
    t = requests.Session()
    t.get(emit_url(srv.url, status="302", location="/x",
                   h="X-Flash: info: tamper"), allow_redirects=False)
    (name, value), = [(k, v) for k, v in t.cookies.items() if k.startswith("flashmsg")]
    t.cookies.clear()
    t.cookies.set(name, value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    assert texts(t.get(srv.url + "/page.html").text) == []
    # one left pending at the end
    a.get(emit_url(srv.url, status="302", location="/x",
                   h="X-Flash: error: left"), allow_redirects=False)

    d = delta(counters(srv), base)
    added = d["AddedHeader"] + d["AddedNote"] + d["AddedConfig"] + d["AddedAPI"]
    consumed = d["ConsumedJSON"] + d["ConsumedHTMX"] + d["ConsumedBackend"]
    assert d["AddedHeader"] == 8 and d["AddedNote"] == 1 and d["AddedConfig"] == 1
    assert d["Rendered"] == 4 and d["ConsumedJSON"] == 2
    assert d["DroppedLevel"] == 1 and d["DroppedSize"] == 1
    assert d["RejectedSignature"] + d["RejectedMalformed"] == 1
    assert d["Loaded"] == 3 and d["CookieLoads"] == 3   # the tampered one too
    assert d["KeptPending"] == 6   # saved, j1, j2, the large one, tamper, left
    # every message a response held ended it one way
    assert added + d["Loaded"] == (d["Rendered"] + consumed + d["Cleared"]
                                   + d["KeptPending"] + d["DroppedLevel"]
                                   + d["LostLate"])
    # what was kept: read back, dropped, rejected with its cookie, or pending
    pending_at_end = 1          # "left"
    assert d["KeptPending"] == (d["Loaded"] + d["DroppedAge"] + d["DroppedSize"]
                                + d["LostSave"] + 1 + pending_at_end)
    # and so, for the flow: added = rendered + consumed + pending + dropped
    # (+ the one whose cookie was tampered with)
    assert added == (d["Rendered"] + consumed + pending_at_end
                     + d["DroppedLevel"] + d["DroppedSize"] + 1)

    # a graceful restart keeps them; the new children add to them
    before = counters(srv)
    pid = int(open(os.path.join(srv.root, "run", "httpd.pid")).read())
    srv.mark_log()
    os.kill(pid, signal.SIGUSR1)
    deadline = time.time() + 15
    while "resuming normal operations" not in srv.log_since_mark():
        assert time.time() < deadline, srv.log_since_mark()
        time.sleep(0.1)
    after = counters(srv)
    assert after == before
    r = a.get(emit_url(srv.url, h="X-Flash: info: after restart"))
    assert texts(r.text) == ["left", "after restart"]
    again = counters(srv)
    assert again["AddedHeader"] == before["AddedHeader"] + 1
    assert again["Loaded"] == before["Loaded"] + 1
    assert again["Rendered"] == before["Rendered"] + 2


# FlashMsgStorage fallback (the default) without mod_session runs as cookie
# storage: its loads and saves count under Cookie*, and server-status says so.
AS_COOKIE = "fallback storage acts as cookie storage: mod_session not loaded"


def redirect_and_show(srv):
    s = requests.Session()
    r = s.get(emit_url(srv.url, status="302", location="/page.html",
                       h="X-Flash: success: saved"), allow_redirects=False)
    assert r.status_code == 302
    assert texts(s.get(srv.url + "/page.html").text) == ["saved"]


def test_fallback_without_mod_session_says_it_counts_as_cookie(make_server):
    srv = make_server(STATUS_CONF, modules=STATUS_MODULES, files=STATUS_FILES)
    before = status_lines(srv)
    assert before["FallbackAsCookie"] == 1
    redirect_and_show(srv)
    d = delta(status_lines(srv), before)
    assert (d["CookieSaves"], d["CookieLoads"]) == (2, 1)   # saved on the redirect, deleted when shown
    assert (d["FallbackSaves"], d["FallbackLoads"]) == (0, 0)
    html = requests.get(srv.url + "/server-status").text
    assert AS_COOKIE in html
    assert html.index(AS_COOKIE) < html.index("<td>FlashMsgFallbackLoads</td>")


def test_fallback_with_mod_session_counts_as_fallback(make_server):
    srv = make_server(STATUS_CONF + "Session On\nSessionCookieName session path=/;httponly\n",
                      modules=STATUS_MODULES + ["session", "session_cookie"],
                      files=STATUS_FILES)
    before = status_lines(srv)
    assert before["FallbackAsCookie"] == 0
    redirect_and_show(srv)
    d = delta(status_lines(srv), before)
    assert (d["FallbackSaves"], d["FallbackLoads"]) == (2, 1)   # saved on the redirect, deleted when shown
    assert (d["CookieSaves"], d["CookieLoads"]) == (0, 0)
    assert AS_COOKIE not in requests.get(srv.url + "/server-status").text

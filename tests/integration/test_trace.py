"""Why is nothing shown?  FlashMsgTrace's X-Flash-Trace header names what the
module decided for each response and why; a placeholder written almost
right is reported at warn once per child process and URI; pages that keep
messages waiting for want of the placeholder are reported at the default
LogLevel, at most once a minute per process."""
import re

import pytest
import requests

from conftest import PLAIN, emit_url, log_window, shared_server, texts

TRACE = "X-Flash-Trace"

CONF = """
FlashMsgTrace On
FlashMsgHTMX On
<Location /flash.json>
  SetHandler flashmsg-json
</Location>
<Location /moved>
  FlashMsgAdd warning "This page has moved."
  Redirect 301 /moved /page.html
</Location>
<Location /quiet/>
  FlashMsgTrace Off
</Location>
<Location /off/>
  FlashMsg Off
</Location>
"""

NEAR_SPACES = "<html><body>\n<!-- FLASH_MESSAGES -->\n<p>spaces</p></body></html>\n"
NEAR_CASE = "<html><body><!--flash_messages--><p>case</p></body></html>\n"
FILES = {"quiet/page.html": PLAIN, "off/page.html": PLAIN,
         "near.html": NEAR_SPACES, "near-case.html": NEAR_CASE}

# The lines the module writes at warn (tests match on these words).
NEAR_MISS = "placeholder written almost right"
WAITING = "wait for a page with the placeholder"


@pytest.fixture(scope="module")
def srv():
    yield from shared_server(CONF, files=FILES, name="trace")


@pytest.fixture
def server(srv):
    yield from log_window(srv)


def add(base, client, text="hello", level="info"):
    """A form handler flashes a message and redirects (not followed)."""
    return client.get(emit_url(base, status="303", location="/page.html",
                               h="X-Flash: %s: %s" % (level, text)),
                      allow_redirects=False)


# --- X-Flash-Trace ----------------------------------------------------------

def test_redirect_says_added_and_kept_with_the_status(server, client):
    r = add(server.url, client)
    assert r.status_code == 303
    assert r.headers[TRACE] == "added=1; pending=1; kept: status 303"


def test_page_without_placeholder_says_kept_and_why(server, client):
    add(server.url, client)
    r = client.get(server.url + "/plain.html")
    assert r.headers[TRACE] == (
        "pending=1; kept: no placeholder in the first %d bytes" % len(PLAIN))
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == ["hello"]
    assert r.headers[TRACE] == "pending=1; rendered=1"
    assert client.get(server.url + "/page.html").headers[TRACE] == "pending=0"


def test_no_cookie_nothing_pending(server):
    assert requests.get(server.url + "/page.html").headers[TRACE] == "pending=0"


def test_not_html_says_so_with_the_type(server, client):
    add(server.url, client)
    r = client.get(server.url + "/data.json")
    assert r.headers[TRACE] == "pending=1; kept: not HTML (application/json)"


def test_json_handler_consumes(server, client):
    add(server.url, client, "one")
    add(server.url, client, "two")
    r = client.get(server.url + "/flash.json?peek=1")
    assert r.headers[TRACE] == "pending=2; kept: json handler, peek"
    r = client.get(server.url + "/flash.json")
    assert len(r.json()["messages"]) == 2
    assert r.headers[TRACE] == "pending=2; consumed: json handler"


def test_htmx_event(server, client):
    add(server.url, client)
    r = client.get(emit_url(server.url), headers={"HX-Request": "true"})
    assert "flashmsg" in r.headers["HX-Trigger"]
    assert r.headers[TRACE] == "pending=1; htmx event"


def test_below_min_level_is_named(server, client):
    r = add(server.url, client, "noise", level="debug")
    assert r.headers[TRACE] == "below FlashMsgMinLevel=1; pending=0"


def test_error_response_keeps_the_header(server, client):
    """Redirect goes through ap_die: the header must be in err_headers_out."""
    r = client.get(server.url + "/moved", allow_redirects=False)
    assert r.status_code == 301
    assert r.headers[TRACE] == "added=1; pending=1; kept: status 301"
    r = client.get(server.url + "/missing.html")
    assert r.status_code == 404
    assert r.headers[TRACE] == "pending=1; kept: status 404"


def test_flashmsg_off_is_named(server, client):
    r = client.get(server.url + "/off/page.html")
    assert r.headers[TRACE] == "FlashMsg Off"


def test_trace_off_sends_nothing(server, client):
    add(server.url, client)
    for path in ("/quiet/page.html", "/quiet/missing.html"):
        assert TRACE not in client.get(server.url + path).headers


def test_default_is_off(site, client):
    """The standard site has no FlashMsgTrace: never a header."""
    r = client.get(emit_url(site.url, status="303", location="/page.html",
                            h="X-Flash: info: hi"), allow_redirects=False)
    assert TRACE not in r.headers
    for path in ("/plain.html", "/page.html", "/missing.html"):
        assert TRACE not in client.get(site.url + path).headers


@pytest.mark.parametrize("net,shown", [("127.0.0.0/8", True), ("10.0.0.0/8", False)])
def test_limited_to_trusted_clients_with_if(make_server, net, shown):
    """The way docs/directives.md gives: <If "-R 'net'">."""
    srv = make_server('<If "-R \'%s\'">\n  FlashMsgTrace On\n</If>\n' % net)
    r = requests.get(srv.url + "/page.html")
    assert (TRACE in r.headers) == shown
    r = requests.get(srv.url + "/missing.html")
    assert (TRACE in r.headers) == shown


# --- the error log at the default LogLevel ----------------------------------

def lines_with(srv, text):
    return [l for l in srv.read_log().splitlines() if text in l]


def per_pid(lines):
    out = {}
    for l in lines:
        pid = re.search(r"\[pid (\d+)", l).group(1)
        out.setdefault(pid, []).append(l)
    return out


def test_near_miss_reported_once_per_uri(make_server, client):
    srv = make_server(files=FILES, log_level="")
    add(srv.url, client)
    for _ in range(2):
        for path in ("/near.html", "/near-case.html"):
            r = client.get(srv.url + path)
            assert r.status_code == 200 and texts(r.text) == []
    lines = lines_with(srv, NEAR_MISS)
    for path in ("/near.html", "/near-case.html"):
        mine = [l for l in lines if " %s " % path in l]
        assert mine, (path, srv.read_log())
        assert all(len(v) == 1 for v in per_pid(mine).values()), mine
        assert "[flashmsg:warn]" in mine[0]
    # a page without any placeholder is no near miss
    client.get(srv.url + "/plain.html")
    assert not [l for l in lines_with(srv, NEAR_MISS) if "/plain.html" in l]
    # the exact placeholder still renders
    assert texts(client.get(srv.url + "/page.html").text) == ["hello"]


def test_waiting_messages_reported_rate_limited(make_server, client):
    srv = make_server(files=FILES, log_level="")
    add(srv.url, client)
    for _ in range(20):
        client.get(srv.url + "/plain.html")
    lines = lines_with(srv, WAITING)
    assert lines, srv.read_log()
    assert all(len(v) == 1 for v in per_pid(lines).values()), lines
    assert "[flashmsg:warn]" in lines[0] and "/plain.html" in lines[0]
    # nothing at warn for responses that could not show them anyway
    assert not [l for l in srv.read_log().splitlines()
                if "flashmsg:" in l and "/plain.html" not in l and WAITING not in l
                and NEAR_MISS not in l and ":warn]" in l]


def test_nothing_at_warn_when_messages_are_shown(make_server, client):
    srv = make_server(files=FILES, log_level="")
    add(srv.url, client)
    client.get(srv.url + "/page.html")
    client.get(srv.url + "/plain.html")   # nothing pending any more
    assert not lines_with(srv, WAITING) and not lines_with(srv, NEAR_MISS)

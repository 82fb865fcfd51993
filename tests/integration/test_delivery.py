"""Ways out besides the placeholder: the flashmsg-json handler,
FlashMsgExpose for backends that render messages themselves, and HTMX
delivery as an HX-Trigger event.  Clients can never inject or consume."""
import json
import re

import pytest

from conftest import flash_deleted, flash_set, log_window, only_flash_cookie, texts, emit_url

EXPOSE_CGI = r'''#!/usr/bin/python3
# Shows what the backend was handed; ?consume=1 answers X-Flash-Consumed.
import json, os, sys
q = os.environ.get("QUERY_STRING", "")
out = {"env": os.environ.get("FLASHMSG"), "header": os.environ.get("HTTP_X_FLASH_PENDING")}
head = "Content-Type: application/json\r\n"
if "consume=1" in q:
    head += "X-Flash-Consumed: 1\r\n"
if "add=1" in q:
    head += "X-Flash: info: added while consuming\r\n"
sys.stdout.write(head + "\r\n" + json.dumps(out))
'''

CONF = """
<Location /flash.json>
  SetHandler flashmsg-json
</Location>
<Location /expose/>
  FlashMsgExpose On
</Location>
<Location /hx/>
  FlashMsgHTMX On
</Location>
<Location /hxe/>
  FlashMsgHTMX On
  FlashMsgHTMXEvent toast
</Location>
"""


@pytest.fixture(scope="module")
def srv():
    from conftest import SITE, EMIT_CGI, shared_server
    yield from shared_server(CONF, name="delivery", files={
        "expose/show.cgi": EXPOSE_CGI, "hx/emit.cgi": EMIT_CGI,
        "hxe/emit.cgi": EMIT_CGI, "hx/frag.html": "<p>fragment</p>",
        "hx/page.html": SITE["page.html"]})


@pytest.fixture
def server(srv):
    yield from log_window(srv)


def flash(server, client, *values):
    r = client.get(emit_url(server.url, status="302", location="/x",
                            h=["X-Flash: " + v for v in values]), allow_redirects=False)
    assert r.status_code == 302
    name, _ = only_flash_cookie(r.cookies)    # the new batch's own cookie
    return name


# --- flashmsg-json -------------------------------------------------------

def test_json_get_returns_and_consumes(server, client):
    name = flash(server, client, '"Saved";level=success, %"Gr%c3%bc%c3%9fe <b>";level=error;tags="x"')
    r = client.get(server.url + "/flash.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Cache-Control"] == "private, no-store"
    assert r.json() == {"messages": [
        {"level": 25, "level_tag": "success", "tags": "success", "extra_tags": "",
         "message": "Saved"},
        {"level": 40, "level_tag": "error", "tags": "x error", "extra_tags": "x",
         "message": "Grüße <b>"}]}
    assert r.content.isascii() and b"<b>" not in r.content
    assert flash_deleted(r) == [name] and not flash_set(r)
    assert client.get(server.url + "/flash.json").json() == {"messages": []}


def test_json_peek_and_head_keep(server, client):
    flash(server, client, "info: keep me")
    for _ in range(2):
        r = client.get(server.url + "/flash.json?peek=1")
        assert [m["message"] for m in r.json()["messages"]] == ["keep me"]
        assert "Set-Cookie" not in r.headers
    r = client.head(server.url + "/flash.json")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    assert texts(client.get(server.url + "/page.html").text) == ["keep me"]


def test_json_empty_store(server, client):
    r = client.get(server.url + "/flash.json")
    assert r.json() == {"messages": []}
    assert "Set-Cookie" not in r.headers


def test_json_other_methods_405(server, client):
    flash(server, client, "info: still here")
    for method in ("POST", "PUT", "DELETE"):
        r = client.request(method, server.url + "/flash.json")
        assert r.status_code == 405, method
        assert "GET" in r.headers.get("Allow", "")
    assert texts(client.get(server.url + "/page.html").text) == ["still here"]


# --- FlashMsgExpose ------------------------------------------------------

def test_expose_hands_messages_to_the_backend(server, client):
    flash(server, client, "warning: for the backend")
    seen = client.get(server.url + "/expose/show.cgi").json()
    env = json.loads(seen["env"])
    assert env == json.loads(seen["header"])
    assert [m["message"] for m in env["messages"]] == ["for the backend"]
    # not consumed: the backend did not say so
    assert texts(client.get(server.url + "/page.html").text) == ["for the backend"]


def test_expose_consumed_by_backend(server, client):
    name = flash(server, client, "info: rendered by the app")
    r = client.get(server.url + "/expose/show.cgi?consume=1&add=1")
    assert "X-Flash-Consumed" not in r.headers
    # (one cookie used to be rewritten, never deleted, here) the exposed
    # batch's cookie is deleted and the message added in the same response
    # gets a new cookie of its own
    assert flash_deleted(r) == [name]
    added = flash_set(r)
    assert len(added) == 1 and name not in added, r.headers
    # the exposed one is gone, the one added in the same response stays
    assert texts(client.get(server.url + "/page.html").text) == ["added while consuming"]


def test_nothing_exposed_without_messages(server, client):
    seen = client.get(server.url + "/expose/show.cgi").json()
    assert seen == {"env": None, "header": None}


def test_client_cannot_inject_or_consume(server, client):
    fake = json.dumps({"messages": [{"level": 40, "message": "injected"}]})
    r = client.get(server.url + "/expose/show.cgi",
                   headers={"X-Flash-Pending": fake, "X-Flash": "error: injected",
                            "X-Flash-Consumed": "1"})
    assert r.json() == {"env": None, "header": None}
    assert "Set-Cookie" not in r.headers
    flash(server, client, "info: real one")
    r = client.get(server.url + "/expose/show.cgi",
                   headers={"X-Flash-Pending": fake, "X-Flash-Consumed": "1"})
    assert "injected" not in r.text
    r = client.get(server.url + "/page.html",
                   headers={"X-Flash": "error: injected", "X-Flash-Consumed": "1"})
    assert texts(r.text) == ["real one"]


def test_consumed_header_never_leaks_and_bad_values_are_ignored(server, client):
    flash(server, client, "info: survives a bad consume")
    client.get(server.url + "/expose/show.cgi")  # exposes
    r = client.get(emit_url(server.url, h="X-Flash-Consumed: yes",
                            ct="application/json", body="{}"))
    assert "X-Flash-Consumed" not in r.headers
    assert texts(client.get(server.url + "/page.html").text) == ["survives a bad consume"]


# --- HTMX ----------------------------------------------------------------

HX = {"HX-Request": "true"}


def test_htmx_request_gets_hx_trigger_and_consumes(server, client):
    name = flash(server, client, "success: Saved via htmx")
    r = client.get(server.url + "/hx/frag.html", headers=HX)
    trig = json.loads(r.headers["HX-Trigger"])
    assert [m["message"] for m in trig["flashmsg"]["messages"]] == ["Saved via htmx"]
    assert "HX-Request" in r.headers["Vary"]
    assert r.headers["Cache-Control"] == "private, no-store"
    assert r.text == "<p>fragment</p>"
    assert flash_deleted(r) == [name] and not flash_set(r)
    assert texts(client.get(server.url + "/page.html").text) == []


def test_htmx_same_response_message_and_custom_event(server, client):
    r = client.get(emit_url(server.url, h="X-Flash: info: right away",
                            body="<p>x</p>").replace("/cgi/", "/hxe/"), headers=HX)
    trig = json.loads(r.headers["HX-Trigger"])
    assert list(trig) == ["toast"]
    assert trig["toast"]["messages"][0]["message"] == "right away"
    assert "Set-Cookie" not in r.headers


def test_htmx_merges_with_backend_trigger(server, client):
    r = client.get(emit_url(server.url, h=['HX-Trigger: {"other": {"a": 1}}',
                                           "X-Flash: info: one"]).replace("/cgi/", "/hx/"),
                   headers=HX)
    trig = json.loads(r.headers["HX-Trigger"])
    assert trig["other"] == {"a": 1} and trig["flashmsg"]["messages"][0]["message"] == "one"
    r = client.get(emit_url(server.url, h=["HX-Trigger: closeModal, refresh",
                                           "X-Flash: info: two"]).replace("/cgi/", "/hx/"),
                   headers=HX)
    trig = json.loads(r.headers["HX-Trigger"])
    assert set(trig) == {"closeModal", "refresh", "flashmsg"}


def test_htmx_redirects_keep_messages(server, client):
    flash(server, client, "info: wait for the page")
    r = client.get(emit_url(server.url, h="HX-Redirect: /page.html",
                            body="").replace("/cgi/", "/hx/"), headers=HX)
    assert "HX-Trigger" not in r.headers
    r = client.get(emit_url(server.url, status="302", location="/page.html")
                   .replace("/cgi/", "/hx/"), headers=HX, allow_redirects=False)
    assert "HX-Trigger" not in r.headers
    assert texts(client.get(server.url + "/page.html").text) == ["wait for the page"]


def test_htmx_off_or_plain_requests_unchanged(server, client):
    flash(server, client, "info: for a full page")
    r = client.get(server.url + "/page.html", headers=HX)      # FlashMsgHTMX is off here
    assert "HX-Trigger" not in r.headers
    assert texts(r.text) == ["for a full page"]
    flash(server, client, "info: no htmx header")
    r = client.get(server.url + "/hx/frag.html")
    assert "HX-Trigger" not in r.headers
    assert texts(client.get(server.url + "/hx/page.html").text) == ["no htmx header"]


# A navigation by htmx (boosted, or a history restore) swaps in a whole
# page: the messages go into it, not into an event nobody may listen to.
NAVIGATIONS = [dict(HX, **{"HX-Boosted": "true"}),
               dict(HX, **{"HX-History-Restore-Request": "true"}),
               {"HX-History-Restore-Request": "true"}]


@pytest.mark.parametrize("headers", NAVIGATIONS, ids=["boosted", "restore", "restore-only"])
def test_htmx_navigation_renders_into_the_page(server, client, headers):
    flash(server, client, "success: Shown in the swapped-in page")
    r = client.get(server.url + "/hx/page.html", headers=headers)
    assert "HX-Trigger" not in r.headers
    assert texts(r.text) == ["Shown in the swapped-in page"]
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert texts(client.get(server.url + "/hx/page.html").text) == []
    # the same response adding a message: in the page too
    r = client.get(emit_url(server.url, h="X-Flash: info: added now")
                   .replace("/cgi/", "/hx/"), headers=headers)
    assert "HX-Trigger" not in r.headers and texts(r.text) == ["added now"]


def test_htmx_boosted_error_keeps_messages(server, client):
    """A boosted request answered with an error is a page that cannot show
    messages (not 2xx): they stay pending, no event."""
    r = client.get(emit_url(server.url, status="422", h="X-Flash: error: Try again")
                   .replace("/cgi/", "/hx/"), headers=NAVIGATIONS[0])
    assert r.status_code == 422 and "HX-Trigger" not in r.headers
    assert texts(client.get(server.url + "/page.html").text) == ["Try again"]


@pytest.mark.parametrize("status", ["422", "400", "500", "503"])
def test_htmx_error_response_gets_the_event(server, client, status):
    """An hx-post answered with an error and X-Flash: the event comes with
    that answer (htmx fires HX-Trigger for errors too) and the messages,
    older pending ones included, are consumed."""
    flash(server, client, "info: from before")
    r = client.get(emit_url(server.url, status=status, h="X-Flash: error: Name is required",
                            body="<p>fix the form</p>").replace("/cgi/", "/hx/"),
                   headers=HX)
    assert r.status_code == int(status)
    trig = json.loads(r.headers["HX-Trigger"])
    assert [(m["level_tag"], m["message"]) for m in trig["flashmsg"]["messages"]] == \
        [("info", "from before"), ("error", "Name is required")]
    assert r.text == "<p>fix the form</p>"
    assert r.headers["Cache-Control"] == "private, no-store"
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert texts(client.get(server.url + "/page.html").text) == []


def test_htmx_error_from_httpd_gets_pending_messages(server, client):
    """httpd's own 404 to an htmx request: the pending messages as an event."""
    flash(server, client, "info: still here")
    r = client.get(server.url + "/hx/missing.html", headers=HX)
    assert r.status_code == 404
    trig = json.loads(r.headers["HX-Trigger"])
    assert [m["message"] for m in trig["flashmsg"]["messages"]] == ["still here"]
    assert texts(client.get(server.url + "/page.html").text) == []


def test_expose_is_bounded_and_consumes_only_what_was_exposed(make_server, client):
    """What goes to the backend as a request header stays below 8000 bytes
    of JSON (typical header limits); what does not fit is not exposed, and
    X-Flash-Consumed: 1 consumes only the exposed ones."""
    srv = make_server("FlashMsgCookieMaxSize 6000\n"
                      "<Location /expose/>\nFlashMsgExpose On\n</Location>\n",
                      files={"expose/show.cgi": EXPOSE_CGI})
    # non-ASCII text: 2 bytes in the cookie, 6 characters of JSON (\u00e9)
    texts_ = ["%d %s" % (i, "\u00e9" * 250) for i in range(6)]
    for t in texts_:
        client.get(emit_url(srv.url, status="302", location="/plain.html",
                            h="X-Flash: info: " + t), allow_redirects=False)
    seen = client.get(srv.url + "/expose/show.cgi?consume=1").json()
    assert len(seen["header"]) <= 8000
    exposed = [m["message"] for m in json.loads(seen["header"])["messages"]]
    assert 0 < len(exposed) < 6 and exposed == texts_[:len(exposed)]
    assert texts(client.get(srv.url + "/page.html").text) == texts_[len(exposed):]


def test_expose_skips_a_message_too_large_to_ever_pass(make_server, client):
    """One message whose JSON alone passes 8000 bytes can never go to the
    backend: it must not block the messages around it.  They are exposed
    (oldest first), the large one stays pending for the placeholder and is
    named in a warn line; X-Flash-Consumed consumes exactly the exposed."""
    srv = make_server("FlashMsgCookieMaxSize 8000\n"
                      "<Location /expose/>\nFlashMsgExpose On\n</Location>\n",
                      files={"expose/show.cgi": EXPOSE_CGI})
    big = "big " + "<" * 1400      # 1,404 bytes of text; JSON writes each < as \u003c
    sent = ["before", big, "after"]
    for t in sent:
        client.get(emit_url(srv.url, status="302", location="/plain.html",
                            h="X-Flash: info: " + t), allow_redirects=False)
    srv.mark_log()
    seen = client.get(srv.url + "/expose/show.cgi?consume=1").json()
    assert seen["header"] and len(seen["header"]) <= 8000, seen
    exposed = [m["message"] for m in json.loads(seen["header"])["messages"]]
    assert exposed == ["before", "after"]
    assert json.loads(seen["env"]) == json.loads(seen["header"])
    log = srv.log_since_mark()
    assert re.search(r":warn\].*1 of 3 pending message\(s\) not exposed to the backend of "
                     r"/expose/show\.cgi: the JSON of each passes 8000 bytes on its own "
                     r"\(message 2, \d+ bytes\); they stay pending", log), log
    # the large one was not lost: the next page shows it, and only it
    assert texts(client.get(srv.url + "/page.html").text) == [big]
    assert texts(client.get(srv.url + "/page.html").text) == []

"""What users see when pages are not simply loaded: htmx (2 and 4, from
npm) and Hotwire Turbo 8 navigating without full loads, htmx requests that
are not navigations, and Back/Forward through every history cache there is
(htmx 2's, Turbo's snapshots, Chromium's back/forward cache).

The rule (docs/frontends.md, "htmx"): with FlashMsgHTMX On, an htmx request that is a
navigation -- boosted (HX-Boosted) or a history restore
(HX-History-Restore-Request) -- gets the messages rendered into the page it
swaps in, like a full load; any other htmx request gets them as an
HX-Trigger event, also when it is answered with an error (4xx, 5xx).  A
message the user has seen never comes back from a history cache.

Each flow runs against the demo with FlashMsgHistoryGuard On (and its
script allowed by the CSP hash) and, where the default markup alone must
do, with the guard Off.  Screenshots: artifacts/.
"""
import pytest

from helpers import (NONCE, By, flash_cookie_names, console, fill_form, h1, messages,
                     missing, responses, save_artifact, submit_and_wait,
                     toasts, vendor_missing, wait_for, wait_loaded)

pytestmark = [pytest.mark.skipif(bool(missing()), reason=missing() or "-"),
              pytest.mark.skipif(bool(vendor_missing()), reason=vendor_missing() or "-")]

HTMX_PAGES = {2: "/htmx.html", 4: "/htmx4.html"}
HTMX_H1 = "htmx: into the page, or as an event"
HOW_H1 = "How it works"
TURBO_H1 = "Turbo Drive: once, also on Back and Forward"


@pytest.fixture(params=["guard", "noguard"])
def site(request):
    """The demo with FlashMsgHistoryGuard On, and Off."""
    return request.getfixturevalue("server" if request.param == "guard" else "noguard")


# A probe in the page: counts finished htmx requests and history restores,
# and records every "flashmsg" event.  It lives in the window, so it also
# tells whether the document stayed the same (no full load happened).
PROBE = """
if (!window.__probe) {
  window.__probe = {done: 0, events: [], visits: []};
  ['htmx:afterRequest', 'htmx:historyRestore', 'htmx:finally:request'].forEach(
      n => document.addEventListener(n, () => window.__probe.done++));
  // the messages only: htmx 2 adds the element (elt) to the detail
  document.addEventListener('flashmsg', e => window.__probe.events.push(
      {messages: JSON.parse(JSON.stringify(e.detail.messages))}));
  document.addEventListener('turbo:visit', e => window.__probe.visits.push(e.detail.action));
}
return window.__probe;
"""


def probe(drv):
    return drv.execute_script("return window.__probe || null")


def install_probe(drv):
    return drv.execute_script(PROBE)


def wait_done(drv, n, what):
    wait_for(drv, what, lambda d: (probe(d) or {}).get("done", 0) >= n)


def csp_violations(drv):
    return [t for lvl, t in console(drv) if "Content Security Policy" in t]


def open_htmx(drv, srv, version):
    drv.get(srv.url + HTMX_PAGES[version])
    wait_loaded(drv)
    wait_for(drv, "htmx %d to load" % version, lambda d: d.execute_script(
        "return !!window.htmx && String(htmx.version).startsWith(arguments[0])",
        str(version)))
    install_probe(drv)
    assert messages(drv) == [] and toasts(drv) == []


# ---------------------------------------------------------------- htmx

def boosted_link(drv):
    """htmx.html's boosted link to How it works (the header's is not)."""
    return drv.find_element(By.CSS_SELECTOR, "[hx-boost] a[href='/how.html']")


@pytest.mark.parametrize("version", [2, 4])
def test_htmx_boosted_navigation_shows_message_once(site, browser, version):
    """hx-boost: the form POST -> 303 -> GET is done by htmx (HX-Request,
    HX-Boosted); the page it swaps in shows the message, no event is sent;
    Back and Forward through htmx's history do not show it again."""
    drv, srv = browser, site
    open_htmx(drv, srv, version)
    text = "Boosted and shown in the page (htmx %d)" % version
    fill_form(drv, text, "success").click()
    wait_done(drv, 1, "the boosted form's request")
    wait_for(drv, "the message in the page", lambda d: messages(d) or toasts(d)
             or probe(d)["events"])
    assert probe(drv) is not None, "a full page load happened, not an htmx swap"
    assert drv.current_url == srv.url + HTMX_PAGES[version]
    assert h1(drv) == HTMX_H1
    assert messages(drv) == [("success", text)], \
        "not rendered into the page (events: %s)" % probe(drv)["events"]
    assert probe(drv)["events"] == [] and toasts(drv) == [], "also sent as an event"
    assert not flash_cookie_names(drv)
    save_artifact(drv, "htmx%d-boosted-%s" % (version, srv.tag))

    # a boosted link away, then Back and Forward (htmx restores the page
    # from its own history: htmx 2 from its cache or the server, htmx 4
    # from the server)
    boosted_link(drv).click()
    wait_for(drv, "the boosted link's page", lambda d: h1(d) == HOW_H1)
    for step in ("back", "forward", "back"):
        getattr(drv, step)()
        want = HTMX_H1 if step == "back" else HOW_H1
        wait_for(drv, "%s to %s" % (step, want), lambda d: h1(d) == want)
        wait_loaded(drv)
        assert probe(drv) is not None, "%s was a full load, not htmx's history" % step
        assert messages(drv) == [], "the message came back on %s" % step
    save_artifact(drv, "htmx%d-boosted-back-%s" % (version, srv.tag))
    assert probe(drv)["events"] == []
    assert csp_violations(drv) == []


@pytest.mark.parametrize("version", [2, 4])
def test_htmx_history_restore_renders_pending_message(server, browser, version):
    """A message that became pending meanwhile (another tab, a fetch) shows
    in the page htmx restores from the server on Back
    (HX-History-Restore-Request): a restore is a navigation."""
    drv, srv = browser, server
    open_htmx(drv, srv, version)
    boosted_link(drv).click()
    wait_for(drv, "the boosted link's page", lambda d: h1(d) == HOW_H1)
    done = probe(drv)["done"]
    text = "Pending while you were away (htmx %d)" % version
    pending = drv.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/flash.php', {method: 'POST', body: new URLSearchParams(
            {level: 'info', text: arguments[0], back: '/flash.json?peek=1'})})
          .then(r => r.json()).then(done, e => done({error: String(e)}));""", text)
    assert [m["message"] for m in pending["messages"]] == [text]
    if version == 2:
        # htmx 2 asks the server when its history cache misses (full,
        # disabled, or a page marked hx-history="false"): make it miss
        drv.execute_script("sessionStorage.removeItem('htmx-history-cache')")
    drv.back()
    wait_for(drv, "htmx's history restore", lambda d: h1(d) == HTMX_H1)
    wait_done(drv, done + 1, "the restore request")
    wait_for(drv, "the message", lambda d: messages(d) or probe(d)["events"])
    assert probe(drv) is not None, "Back was a full load, not htmx's history restore"
    assert messages(drv) == [("info", text)], \
        "not rendered into the restored page (events: %s)" % probe(drv)["events"]
    assert probe(drv)["events"] == []
    assert not flash_cookie_names(drv), "the restore did not consume it"
    save_artifact(drv, "htmx%d-history-restore" % version)


@pytest.mark.parametrize("version", [2, 4])
def test_htmx_request_gets_event_once(server, browser, version):
    """hx-post answered 200 with X-Flash: not a navigation, so the message
    arrives as one HX-Trigger event (shown by the page's toasts.js), once,
    and is consumed."""
    drv, srv = browser, server
    open_htmx(drv, srv, version)
    drv.find_element(By.ID, "save").click()
    wait_done(drv, 1, "the hx-post request")
    wait_for(drv, "the event", lambda d: probe(d)["events"])
    wait_for(drv, "the fragment", lambda d: "Saved at" in d.find_element(By.ID, "result").text)
    text = "Saved without leaving the page (an HX-Trigger event)."
    assert [[m["message"] for m in e["messages"]] for e in probe(drv)["events"]] == [[text]]
    assert toasts(drv) == [("success", text)]
    assert messages(drv) == []
    assert not flash_cookie_names(drv)
    save_artifact(drv, "htmx%d-event" % version)
    # consumed: a full load of the page shows nothing
    drv.get(srv.url + HTMX_PAGES[version])
    wait_loaded(drv)
    assert messages(drv) == [] and toasts(drv) == []


@pytest.mark.parametrize("version", [2, 4])
def test_htmx_error_response_gets_event(server, browser, version):
    """hx-post answered 422 with X-Flash: the event comes with that answer
    (htmx fires HX-Trigger for error answers too); the message does not
    linger until the next successful htmx request or page."""
    drv, srv = browser, server
    open_htmx(drv, srv, version)
    drv.find_element(By.ID, "invalid").click()
    wait_done(drv, 1, "the hx-post request")
    text = "Nothing saved: the form was invalid (422)."
    got = [[m["message"] for m in e["messages"]] for e in probe(drv)["events"]]
    assert got == [[text]], "no event on the 422 (the message stays pending: %s)" % (
        bool(flash_cookie_names(drv)))
    assert toasts(drv) == [("error", text)]
    assert not flash_cookie_names(drv)
    result = drv.find_element(By.ID, "result").text
    if version == 4:    # htmx 4 swaps 4xx answers, htmx 2 does not
        assert result.startswith("422:")
    else:
        assert result == "The fragment goes here."
    save_artifact(drv, "htmx%d-422-event" % version)
    drv.get(srv.url + HTMX_PAGES[version])
    wait_loaded(drv)
    assert messages(drv) == []


# --------------------------------------------------------------- Turbo

def test_turbo_form_then_back_and_forward(site, browser):
    """Turbo Drive: the form POST -> 303 -> page, all through fetch; the
    message shows once; Back, Forward, Back restore the pages from Turbo's
    snapshot cache without asking the server, and the message is not in
    the snapshot."""
    drv, srv = browser, site
    drv.get(srv.url + "/turbo.html")
    wait_loaded(drv)
    wait_for(drv, "Turbo to start", lambda d: d.execute_script("return !!window.Turbo"))
    install_probe(drv)
    text = "Saved through Turbo Drive"
    fill_form(drv, text, "success").click()
    wait_for(drv, "the message", lambda d: messages(d))
    assert probe(drv) is not None, "a full page load happened, not Turbo"
    assert drv.current_url == srv.url + "/turbo.html"
    assert messages(drv) == [("success", text)]
    assert not flash_cookie_names(drv)
    save_artifact(drv, "turbo-message-%s" % srv.tag)

    drv.find_element(By.CSS_SELECTOR, "p.lead a[href='/how.html']").click()
    wait_for(drv, "Turbo's visit to How it works", lambda d: h1(d) == HOW_H1)
    for step in ("back", "forward", "back"):
        getattr(drv, step)()
        want = TURBO_H1 if step == "back" else HOW_H1
        wait_for(drv, "%s to %s" % (step, want), lambda d: h1(d) == want)
        assert probe(drv) is not None, "%s was a full load, not Turbo" % step
        assert messages(drv) == [], "the message came back on %s from Turbo's " \
            "snapshot" % step
    assert probe(drv)["visits"][-3:] == ["restore"] * 3
    save_artifact(drv, "turbo-back-%s" % srv.tag)
    assert csp_violations(drv) == []


# ------------------------------------------- the back/forward cache

def leave_and_come_back(drv, away_link):
    """Click a link to another page (a full navigation), then Back, Forward,
    Back; after each Back, (restored from the bfcache?, messages)."""
    drv.execute_script("window.__stayed = true")
    submit_and_wait(drv, drv.find_element(By.LINK_TEXT, away_link))
    seen = []
    for step in ("back", "forward", "back"):
        old = drv.find_element(By.TAG_NAME, "html")
        getattr(drv, step)()
        wait_for(drv, step, lambda d: d.find_element(By.TAG_NAME, "html") != old)
        wait_loaded(drv)
        if step == "back":
            seen.append((bool(drv.execute_script("return window.__stayed === true")),
                         messages(drv)))
    return seen


def flash_on_index(drv, srv, text):
    drv.get(srv.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, fill_form(drv, text, "success"))
    assert messages(drv) == [("success", text)]


def test_bfcache_back_forward_with_guard(server, browser):
    """Plain pages, no framework: Chromium keeps the page (sent private,
    no-store) in its back/forward cache and restores it on Back.  The
    guard's script (allowed by the CSP hash) took the message out: Back and
    Forward never show it again."""
    drv, srv = browser, server
    text = "Shown once, also on Back"
    flash_on_index(drv, srv, text)
    assert drv.find_elements(By.CSS_SELECTOR, "script"), "no guard script"
    save_artifact(drv, "bfcache-guard-message")
    seen = leave_and_come_back(drv, "How it works")
    save_artifact(drv, "bfcache-guard-back")
    assert all(msgs == [] for _, msgs in seen), seen
    assert any(restored for restored, _ in seen), \
        "Chromium did not use its back/forward cache here: nothing was tested"
    assert csp_violations(drv) == []


def test_bfcache_back_forward_without_guard(noguard, browser):
    """What users get with FlashMsgHistoryGuard Off: Chromium restores the
    page from its back/forward cache on Back, message included, although
    it was sent Cache-Control: private, no-store; a reload clears it."""
    drv, srv = browser, noguard
    text = "Comes back without the guard"
    flash_on_index(drv, srv, text)
    seen = leave_and_come_back(drv, "How it works")
    save_artifact(drv, "bfcache-noguard-back")
    if not any(restored for restored, _ in seen):
        pytest.skip("this Chromium did not restore the page from its back/forward cache")
    assert [msgs for restored, msgs in seen if restored][0] == [("success", text)]
    drv.refresh()
    wait_loaded(drv)
    assert messages(drv) == []


def test_bfcache_guard_with_csp_nonce(extra_server, browser):
    """FlashMsgHistoryGuard On CSP_NONCE under a CSP that allows only that
    nonce: the script carries it, runs, and Back does not show the message."""
    drv, srv = browser, extra_server
    drv.get(srv.url + "/nonce/add.cgi?m=success:Guarded+by+a+nonce")
    wait_loaded(drv)
    assert messages(drv) == [("success", "Guarded by a nonce")]
    script = drv.find_element(By.CSS_SELECTOR, "main script")
    assert script.get_property("nonce") == NONCE
    hdr = [h for u, s, h in responses(drv, srv.url) if u.endswith("/nonce/page.html")][-1]
    assert "nonce-" in hdr["content-security-policy"]
    seen = leave_and_come_back(drv, "Somewhere else")
    assert all(msgs == [] for _, msgs in seen), seen
    assert any(restored for restored, _ in seen)
    assert csp_violations(drv) == []
    save_artifact(drv, "bfcache-nonce-back")


def test_guard_script_refused_by_csp_leaves_page_intact(server, browser):
    """Sanity: the demo's CSP is enforced (an inline script it does not
    allow is refused), so the guard tests above do test the hash."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    drv.execute_script("""
        const s = document.createElement('script');
        s.textContent = 'window.__ran = 1';
        document.body.appendChild(s);""")
    assert drv.execute_script("return window.__ran === undefined")
    assert csp_violations(drv)

"""Browser end-to-end tests: a real headless Chromium, driven by Selenium,
against the real /usr/sbin/apache2 serving the `make demo` site (demo/site,
demo/run_demo.py's CONF) with the freshly built mod_flashmsg.so.

What a user does, and what they must see:

  index.html form -> POST /flash.php -> 303 (X-Flash taken by httpd, never
  seen by the browser; message kept in a cookie) -> GET /index.html with the
  message rendered in <ul class="messages"> -> reload: gone -> new tab: gone.

Screenshots of pages with a message go to tests/browser/artifacts/.  With
FLASHMSG_UPDATE_SCREENSHOT=1 the README screenshot docs/screenshot.png is
rewritten too (it is committed, so ordinary runs leave it alone).

Needs chromium, chromium-driver and python3-selenium (Debian packages); the
tests are skipped, with the reason, when one is missing.  CHROMIUM and
CHROMEDRIVER override the binaries' paths.  Shared code: helpers.py and
conftest.py; htmx, Turbo and Back/Forward: test_navigation.py; the demo
site itself and the markup: test_site.py.
"""
import os
import shutil

import pytest

from helpers import (README_SHOT, VIEWPORT, WAIT, By, NoAlertPresentException,
                     WebDriverWait, assert_demo_page, assert_messages,
                     fill_form, flash_cookie_names, lower_keys, messages, missing,
                     page_json, page_messages_empty, redirects_from,
                     save_artifact, submit_and_wait, wait_loaded)

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing() or "-")


# ----------------------------------------------------------------- tests

# Non-ASCII (Latin-1, beyond Latin-1, a typographic dash), HTML that must be
# shown as text, and the characters sf_display() percent-encodes (% and ").
TYPED = 'Grüße aus Köln — <b>bold</b> & 100% "quoted" €'


@pytest.mark.parametrize("level", ["success", "warning"])
def test_form_flow_shows_message_once(server, browser, level):
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    assert_demo_page(drv)
    assert messages(drv) == []
    assert not flash_cookie_names(drv)

    submit_and_wait(drv, fill_form(drv, TYPED, level))

    # the browser posted to flash.php, got a 303 and followed it to the page
    assert drv.current_url == server.url + "/index.html"
    hops = redirects_from(drv, "/flash.php")
    assert len(hops) == 1, hops
    assert hops[0]["status"] == 303
    headers = lower_keys(hops[0]["headers"])
    assert headers["location"] == "/index.html"
    # httpd took X-Flash out of the response: the client never sees it
    assert not [k for k in headers if k.startswith("x-flash")], headers

    # the message is on the page, with its level as the class, as plain text
    assert_demo_page(drv)
    assert_messages(drv, [(level, TYPED)])
    ul = drv.find_element(By.CSS_SELECTOR, "ul.messages")
    assert ul.find_elements(By.TAG_NAME, "b") == [], "message HTML was not escaped"
    assert "&lt;b&gt;bold&lt;/b&gt;" in ul.get_attribute("innerHTML")
    # the demo's stylesheet applies to it (the message box really renders)
    li = ul.find_element(By.TAG_NAME, "li")
    assert li.is_displayed()
    assert li.value_of_css_property("border-top-style") == "solid"
    assert li.size["height"] > 20
    # consumed in this response: the cookie is gone
    assert not flash_cookie_names(drv)
    save_artifact(drv, "flow-%s" % level)

    # reload: nothing (a plain GET: POST/redirect/GET means no re-POST)
    drv.refresh()
    wait_loaded(drv)
    assert_demo_page(drv)
    assert messages(drv) == []

    # a second tab opened afterwards on the same page: nothing either
    first = drv.current_window_handle
    drv.execute_script("window.open(arguments[0], '_blank');", server.url + "/index.html")
    WebDriverWait(drv, WAIT).until(lambda d: len(d.window_handles) == 2)
    second = [h for h in drv.window_handles if h != first][0]
    drv.switch_to.window(second)
    wait_loaded(drv)
    assert drv.current_url == server.url + "/index.html"
    assert_demo_page(drv)
    assert messages(drv) == []
    drv.close()
    drv.switch_to.window(first)
    assert messages(drv) == []


def test_json_endpoint_shows_pending_message(server, browser):
    """The demo's "Read it as JSON (peek)" button: flash.php redirects to
    /flash.json?peek=1, which shows the pending message and keeps it, until
    a page with the placeholder renders it."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    assert page_messages_empty(drv)
    button = drv.find_element(
        By.XPATH, "//button[normalize-space()='Read it as JSON (peek)']")
    submit_and_wait(drv, button)

    assert drv.current_url == server.url + "/flash.json?peek=1"
    hops = redirects_from(drv, "/flash.php")
    assert [h["status"] for h in hops] == [303]
    data = page_json(drv)
    assert [(m["level_tag"], m["message"]) for m in data["messages"]] == \
        [("info", "Read me as JSON")]
    assert data["messages"][0]["level"] == 20
    assert len(flash_cookie_names(drv)) == 1  # still pending: the batch's cookie

    # the same from a script on a page of the site (same-origin fetch,
    # cookies included), from a page without the placeholder
    drv.get(server.url + "/style.css")
    wait_loaded(drv)
    fetched = drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/flash.json?peek=1').then(r => r.json()).then(done,"
        " e => done({error: String(e)}));")
    assert fetched == data

    # peeking again still shows it; the page then renders and consumes it
    drv.get(server.url + "/flash.json?peek=1")
    wait_loaded(drv)
    assert page_json(drv) == data
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    assert_messages(drv, [("info", "Read me as JSON")])
    save_artifact(drv, "json-then-page")

    drv.get(server.url + "/flash.json?peek=1")
    wait_loaded(drv)
    assert page_json(drv) == {"messages": []}
    assert not flash_cookie_names(drv)


def test_injected_script_stays_text(server, browser):
    """The demo's "Try to inject HTML" button posts a <script>: the page shows
    it as text and no script runs."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    button = drv.find_element(By.XPATH, "//button[normalize-space()='Try to inject HTML']")
    submit_and_wait(drv, button)

    assert_messages(drv, [("error", "<script>alert('xss')</script> stays text")])
    assert drv.find_elements(By.CSS_SELECTOR, "ul.messages script") == []
    try:
        alert = drv.switch_to.alert
        text = alert.text
        alert.dismiss()
        pytest.fail("an injected script ran: alert(%r)" % text)
    except NoAlertPresentException:
        pass
    save_artifact(drv, "inject-html")


def test_three_at_once_in_order(server, browser):
    """The demo's "Three at once": one structured X-Flash list, three
    messages, in order, with the extra tag ahead of the level tag."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, drv.find_element(
        By.XPATH, "//button[normalize-space()='Three at once']"))
    assert drv.current_url == server.url + "/index.html"
    assert_messages(drv, [
        ("success", "Order #1042 placed."),
        ("info", "A receipt is on its way to your inbox."),
        ("sticky warning", "Shipping may take longer this week."),
    ])
    save_artifact(drv, "three-at-once")
    drv.refresh()
    wait_loaded(drv)
    assert page_messages_empty(drv)


def test_message_survives_redirect_chain(server, browser):
    """The demo's "Survive 3 redirects": four 302s, then the page."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, drv.find_element(
        By.XPATH, "//button[normalize-space()='Survive 3 redirects']"))
    assert drv.current_url == server.url + "/index.html"
    assert [h["status"] for h in redirects_from(drv, "/chain.php")] == [302] * 4
    assert_messages(drv, [("info", "This message was added 3 redirects ago.")])


def test_old_link_flashmsgadd_redirect(server, browser):
    """The demo's "Old link": FlashMsgAdd on a Redirect, no backend at all.
    A link, so the page it lands on is /index.html, not /index.html? (it was
    an empty GET form, and Redirect keeps the query)."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    link = drv.find_element(By.LINK_TEXT, "Old link (FlashMsgAdd + Redirect)")
    submit_and_wait(drv, link)
    assert drv.current_url == server.url + "/index.html"
    assert [h["status"] for h in redirects_from(drv, "/moved")] == [302]
    assert_messages(drv, [("info", "You followed an old link: /moved redirects here, "
                                   "and FlashMsgAdd said so.")])
    save_artifact(drv, "old-link")


def test_readme_screenshot(server, browser):
    """The README picture: the demo page with a success message just flashed.
    Saved as an artifact; also as docs/screenshot.png with
    FLASHMSG_UPDATE_SCREENSHOT=1."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, fill_form(drv, "Profile saved. Welcome back, Zoë!", "success"))
    assert_messages(drv, [("success", "Profile saved. Welcome back, Zoë!")])
    assert drv.execute_script("return [window.innerWidth, window.innerHeight]") == \
        list(VIEWPORT)
    # let web fonts and layout settle before the picture (there are none to
    # fetch, but be sure the frame with the message has been painted)
    drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));")
    shot = save_artifact(drv, "readme")
    with open(shot, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == VIEWPORT
    if os.environ.get("FLASHMSG_UPDATE_SCREENSHOT") == "1":
        os.makedirs(os.path.dirname(README_SHOT), exist_ok=True)
        shutil.copyfile(shot, README_SHOT)

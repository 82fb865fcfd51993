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
CHROMEDRIVER override the binaries' paths.
"""
import json
import os
import shutil
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
DEMO = os.path.join(TOP, "demo")
ARTIFACTS = os.path.join(HERE, "artifacts")
README_SHOT = os.path.join(TOP, "docs", "screenshot.png")

# One way to run httpd and one demo configuration, shared with make demo.
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
sys.path.insert(0, DEMO)
from harness import Httpd  # noqa: E402
from run_demo import CONF as DEMO_CONF  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PHP_CGI = "/usr/lib/cgi-bin/php"
VIEWPORT = (1100, 750)
WAIT = 15  # seconds for any page to arrive

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
    SELENIUM_ERROR = None
except ImportError as e:  # pragma: no cover - depends on the machine
    SELENIUM_ERROR = str(e)


def _missing():
    why = []
    if SELENIUM_ERROR:
        why.append("selenium is not importable (%s; apt-get install python3-selenium)"
                   % SELENIUM_ERROR)
    if not os.access(CHROMIUM, os.X_OK):
        why.append("%s is missing (apt-get install chromium)" % CHROMIUM)
    if not os.access(CHROMEDRIVER, os.X_OK):
        why.append("%s is missing (apt-get install chromium-driver)" % CHROMEDRIVER)
    if not os.path.exists(PHP_CGI):
        why.append("%s is missing: the demo's flash.php needs php-cgi" % PHP_CGI)
    return "; ".join(why)


pytestmark = pytest.mark.skipif(bool(_missing()), reason=_missing() or "-")


def demo_files():
    """demo/site/* as Httpd files, read the way demo/run_demo.py reads them."""
    site = os.path.join(DEMO, "site")
    files = {}
    for dirpath, _, names in os.walk(site):
        for n in names:
            full = os.path.join(dirpath, n)
            with open(full, "rb") as f:
                files[os.path.relpath(full, site)] = f.read()
    return files


def age_files(root, days=30):
    """Give the site's files the age they have on a deployed site.

    Chromium caches a response without Cache-Control/Expires for 10% of its
    Last-Modified age (heuristic freshness) and then serves it without asking
    the server.  Files written a second ago would make that window tiny, so a
    page reused from the cache would depend on how long the run took; a month
    old makes every run behave the way a real site does."""
    old = time.time() - days * 86400
    for dirpath, _, names in os.walk(root):
        for n in names:
            os.utime(os.path.join(dirpath, n), (old, old))


@pytest.fixture(scope="module")
def demo():
    srv = Httpd(DEMO_CONF, files=demo_files(), name="browser",
                secret=os.urandom(32).hex(), log_level="flashmsg:info")
    age_files(srv.htdocs)
    # artifacts are those of the last run only
    if os.path.isdir(ARTIFACTS):
        for n in os.listdir(ARTIFACTS):
            if n.endswith((".png", ".html")):
                os.remove(os.path.join(ARTIFACTS, n))
    try:
        srv.start()
        yield srv
    finally:
        srv.cleanup()


@pytest.fixture
def server(demo):
    """The demo server, failing the test on an [error] line it logged."""
    demo.mark_log()
    demo.expected_errors = []
    yield demo
    bad = demo.unexpected_errors()
    assert not bad, "unexpected error log lines:\n" + "\n".join(bad)


def start_chromium(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--no-sandbox", "--headless", "--disable-gpu",
                "--disable-background-networking", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=%d,%d" % VIEWPORT, "--force-device-scale-factor=1",
                "--hide-scrollbars", "--lang=en-US"):
        opts.add_argument(arg)
    # the network events tell us what the browser itself received
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        drv.set_page_load_timeout(WAIT)
        # headless Chromium still subtracts room for browser UI from the
        # window: grow the window until the page itself is VIEWPORT
        w, h = drv.execute_script("return [window.innerWidth, window.innerHeight]")
        if (w, h) != VIEWPORT:
            size = drv.get_window_size()
            drv.set_window_size(size["width"] + VIEWPORT[0] - w,
                                size["height"] + VIEWPORT[1] - h)
    except Exception:
        drv.quit()
        raise
    return drv


@pytest.fixture
def browser(request):
    profile = tempfile.mkdtemp(prefix="flashmsg-chromium-")
    drv = None
    failed_before = request.session.testsfailed
    try:
        drv = start_chromium(profile)
        yield drv
        if request.session.testsfailed > failed_before:
            # keep what the browser showed when the test failed (best effort)
            name = "FAILED-" + safe_name(request.node.name)
            try:
                save_artifact(drv, name)
                with open(os.path.join(ARTIFACTS, name + ".html"), "w") as f:
                    f.write(drv.page_source)
            except Exception:
                pass
    finally:
        if drv is not None:
            drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------- helpers

def safe_name(s):
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in s)


def save_artifact(drv, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    assert drv.save_screenshot(path), "screenshot failed"
    return path


def wait_loaded(drv):
    WebDriverWait(drv, WAIT).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def submit_and_wait(drv, button):
    """Click a submit button and wait for the page the redirects end on."""
    old = drv.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(drv, WAIT).until(EC.staleness_of(old))
    wait_loaded(drv)


def messages(drv):
    """[(class, text)] of the rendered messages on the current page."""
    return [(li.get_attribute("class"), li.text)
            for li in drv.find_elements(By.CSS_SELECTOR, "ul.messages li")]


def assert_demo_page(drv):
    """The page really is the demo's form page (so 'no messages' means it)."""
    assert drv.find_element(By.TAG_NAME, "h1").text == "Flash messages, done by httpd"
    assert drv.find_elements(By.CSS_SELECTOR, "form.flash input#text")


def page_messages_empty(drv):
    assert_demo_page(drv)
    return messages(drv) == []


def network(drv):
    """Chromium's network events since the driver started (the performance
    log hands each event out once, so they are kept on the driver)."""
    buf = drv.__dict__.setdefault("_flashmsg_events", [])
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method", "").startswith("Network."):
            buf.append(msg)
    return buf


def network_events(drv, method):
    return [m["params"] for m in network(drv) if m["method"] == method]


def redirects_from(drv, path):
    """The redirect responses the browser received for URLs ending in path."""
    return [p["redirectResponse"]
            for p in network_events(drv, "Network.requestWillBeSent")
            if "redirectResponse" in p
            and p["redirectResponse"]["url"].split("?")[0].endswith(path)]


def from_cache(drv, url):
    """Whether the last document load of url came out of Chromium's cache
    without the server seeing a request."""
    ids = [p["requestId"] for p in network_events(drv, "Network.responseReceived")
           if p["response"]["url"] == url and p.get("type") == "Document"]
    if not ids:
        return False
    last = [p for p in network_events(drv, "Network.responseReceived")
            if p["requestId"] == ids[-1]][-1]["response"]
    served = {p["requestId"] for p in network_events(drv, "Network.requestServedFromCache")}
    return bool(last.get("fromDiskCache") or ids[-1] in served)


def assert_messages(drv, expected):
    """The page shows exactly `expected` [(class, text)]; when it does not,
    say whether the server was even asked for it."""
    got = messages(drv)
    if got == expected:
        return
    why = []
    if from_cache(drv, drv.current_url):
        why.append("%s was served from Chromium's HTTP cache: the server never saw "
                   "the request (a static page without Cache-Control is reused for "
                   "10%% of its Last-Modified age)" % drv.current_url)
    if flash_cookie_names(drv):
        why.append("flashmsg cookies are still set (%s): messages are pending"
                   % ", ".join(flash_cookie_names(drv)))
    assert got == expected, "; ".join(why) or None


def lower_keys(headers):
    return {k.lower(): v for k, v in headers.items()}


def page_json(drv):
    """The JSON document Chromium is showing (it renders it inside a <pre>)."""
    return json.loads(drv.find_element(By.TAG_NAME, "body").text)


def cookie_names(drv):
    return sorted(c["name"] for c in drv.get_cookies())


def flash_cookie_names(drv):
    """The module's cookies the browser holds: one per batch of pending
    messages, flashmsg.ID (a single "flashmsg" from earlier versions too)."""
    return [n for n in cookie_names(drv) if n == "flashmsg" or n.startswith("flashmsg.")]


def fill_form(drv, text, level):
    Select(drv.find_element(By.ID, "level")).select_by_visible_text(level)
    field = drv.find_element(By.ID, "text")
    field.clear()
    field.send_keys(text)
    # what the browser will post is what we typed, byte for byte
    assert field.get_attribute("value") == text
    return drv.find_element(By.CSS_SELECTOR, "form.flash button[type=submit]")


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
    """The demo's "Old link": FlashMsgAdd on a Redirect, no backend at all."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, drv.find_element(
        By.XPATH, "//button[normalize-space()='Old link (FlashMsgAdd + Redirect)']"))
    # the empty GET form asks for /moved?, and Redirect keeps the query
    assert drv.current_url in (server.url + "/index.html", server.url + "/index.html?")
    assert [h["status"] for h in redirects_from(drv, "/moved")] == [302]
    assert_messages(drv, [("info", "You followed an old link: /moved redirects here, "
                                   "and FlashMsgAdd said so.")])


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

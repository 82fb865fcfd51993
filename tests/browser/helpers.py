"""What the browser tests share: starting headless Chromium, reading what
it shows and what it received, and saving screenshots to artifacts/.

Needs chromium, chromium-driver and python3-selenium (Debian packages);
CHROMIUM and CHROMEDRIVER override the binaries' paths.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
DEMO = os.path.join(TOP, "demo")
ARTIFACTS = os.path.join(HERE, "artifacts")
README_SHOT = os.path.join(TOP, "docs", "screenshot.png")

# One way to run httpd and one demo configuration, shared with make demo.
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
sys.path.insert(0, DEMO)
from harness import Httpd  # noqa: E402,F401
import run_demo  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PHP_CGI = "/usr/lib/cgi-bin/php"
VIEWPORT = (1100, 750)
PHONE = (390, 844)   # CSS pixels of a common phone
WAIT = 15  # seconds for any page to arrive
# The CSP nonce of the extra server's /nonce/ pages (conftest.py).
NONCE = os.urandom(16).hex()

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException,  # noqa: F401
                                            StaleElementReferenceException,
                                            WebDriverException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
    SELENIUM_ERROR = None
except ImportError as e:  # pragma: no cover - depends on the machine
    SELENIUM_ERROR = str(e)


def missing():
    """Why the browser tests cannot run here ("" when they can)."""
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


def vendor_missing():
    """Why the htmx and Turbo tests cannot run ("" when they can)."""
    gone = run_demo.vendor_missing()
    return ("%s missing under %s: run make deps (it installs the npm packages "
            "pinned in tests/browser/vendor)" % (", ".join(gone), run_demo.NPM)) \
        if gone else ""


def start_chromium(profile, phone=False):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    args = ["--no-sandbox", "--headless", "--disable-gpu",
            "--disable-background-networking", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile, "--hide-scrollbars", "--lang=en-US"]
    if phone:
        # a phone: its width in CSS pixels, touch, a mobile user agent; the
        # page is laid out at 980 px and shrunk unless it has a viewport meta
        opts.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": PHONE[0], "height": PHONE[1],
                              "pixelRatio": 2.0, "touch": True},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                         "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"})
    else:
        args += ["--window-size=%d,%d" % VIEWPORT, "--force-device-scale-factor=1"]
    for arg in args:
        opts.add_argument(arg)
    # the network events tell us what the browser itself received, the
    # console what scripts (and the CSP) complained about
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        drv.set_page_load_timeout(WAIT)
        if not phone:
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


def safe_name(s):
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in s)


def save_artifact(drv, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, safe_name(name) + ".png")
    assert drv.save_screenshot(path), "screenshot failed"
    return path


def wait_loaded(drv):
    WebDriverWait(drv, WAIT).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def wait_for(drv, what, cond, timeout=WAIT):
    """Wait until cond(drv) is true; fail saying what was awaited."""
    try:
        # pages that Turbo or htmx swap replace elements under our feet
        # (chromedriver reports some stale nodes as a plain WebDriverException,
        # "Node with given id does not belong to the document": retried too)
        WebDriverWait(drv, timeout, ignored_exceptions=[StaleElementReferenceException,
                                                        WebDriverException]
                      ).until(lambda d: cond(d))
    except Exception:
        raise AssertionError("waited %ds for %s; the page is %s (%r)"
                             % (timeout, what, drv.current_url, drv.title))


def _replaced(element):
    """A wait condition: element no longer belongs to the page.  Chromedriver
    says so either as StaleElementReferenceException or, while a navigation
    is under way, as "Node with given id does not belong to the document"."""
    def check(_):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise
    return check


def submit_and_wait(drv, button):
    """Click a submit button and wait for the page the redirects end on."""
    old = drv.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(drv, WAIT).until(_replaced(old))
    wait_loaded(drv)


# Lists are read in one script call: Turbo and htmx swap the document while
# a test looks, and element handles taken before a swap go stale ("Node
# with given id does not belong to the document").
_ITEMS = ("return Array.from(document.querySelectorAll(arguments[0]))"
          ".filter(li => !arguments[1] || !li.closest('#toasts'))"
          ".map(li => [li.getAttribute('class') || '', li.innerText.trim()])")


def messages(drv):
    """[(class, text)] of the messages httpd rendered into the current page
    (the toasts of htmx.html, made by a script, are not among them)."""
    return [tuple(x) for x in drv.execute_script(_ITEMS, "ul.messages li", True)]


def toasts(drv):
    """[(class, text)] of the messages htmx.html's toasts.js shows."""
    return [tuple(x) for x in drv.execute_script(_ITEMS, "#toasts li", False)]


def h1(drv):
    """The page's heading (read in one go: Turbo and htmx swap pages)."""
    return drv.execute_script("const h = document.querySelector('h1');"
                              "return h ? h.innerText : null")


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


def responses(drv, origin):
    """[(url, status, headers)] of every response from origin so far."""
    return [(p["response"]["url"], p["response"]["status"], lower_keys(p["response"]["headers"]))
            for p in network_events(drv, "Network.responseReceived")
            if p["response"]["url"].startswith(origin)]


def console(drv):
    """The console messages since the last call: [(level, text)]."""
    return [(e["level"], e["message"]) for e in drv.get_log("browser")]


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


def ax_live_regions(drv):
    """The live regions in Chromium's accessibility tree (what a screen
    reader is given): [(role, live, text)]."""
    drv.execute_cdp_cmd("Accessibility.enable", {})
    nodes = drv.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}

    def text(n):
        own = n.get("name", {}).get("value", "") \
            if n.get("role", {}).get("value") == "StaticText" else ""
        return own + "".join(text(by_id[c]) for c in n.get("childIds", []) if c in by_id)

    out = []
    for n in nodes:
        role = n.get("role", {}).get("value")
        props = {p["name"]: p["value"].get("value") for p in n.get("properties", [])}
        if role in ("status", "alert"):
            out.append((role, props.get("live"), text(n)))
    drv.execute_cdp_cmd("Accessibility.disable", {})
    return out

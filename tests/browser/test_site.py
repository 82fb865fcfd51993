"""The demo site as a visitor meets it, and the markup as assistive
technology gets it: the pages fit a phone, nothing is missing (no 404, not
even favicon.ico), links land where they say, how.html shows the demo's
real configuration; the messages are a live region (polite, assertive for
errors) in Chromium's accessibility tree; the Bootstrap and Tailwind
example templates get the same and a dismiss button that works with no
JavaScript at all.  Screenshots: artifacts/.
"""
import html

import pytest

from helpers import (PHONE, By, ax_live_regions, fill_form, messages, missing,
                     responses, run_demo, save_artifact, submit_and_wait,
                     vendor_missing, wait_for, wait_loaded)

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing() or "-")

PAGES = ["/index.html", "/template.html", "/how.html", "/htmx.html", "/htmx4.html",
         "/turbo.html"]


def test_pages_fit_a_phone(server, phone):
    """<meta name="viewport">: on a 390 px phone the page is laid out 390 px
    wide (without it: 980 px, shrunk), and nothing sticks out sideways."""
    drv = phone
    for page in PAGES:
        drv.get(server.url + page)
        wait_loaded(drv)
        width, scroll = drv.execute_script(
            "return [window.innerWidth, document.documentElement.scrollWidth]")
        assert width == PHONE[0], "%s is laid out %d px wide on a %d px phone" % (
            page, width, PHONE[0])
        assert scroll <= width, "%s is %d px wide on a %d px screen" % (page, scroll, width)
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, fill_form(drv, "Fits on a phone", "success"))
    assert messages(drv) == [("success", "Fits on a phone")]
    save_artifact(drv, "phone")


@pytest.mark.skipif(bool(vendor_missing()), reason=vendor_missing() or "-")
def test_no_page_misses_anything(server, browser):
    """Every demo page and everything it loads (styles, scripts from the
    npm packages, the favicon) is there: no response of 400 or more."""
    drv = browser
    for page in PAGES + ["/flash.json?peek=1"]:
        drv.get(server.url + page)
        wait_loaded(drv)
    got = responses(drv, server.url)
    assert server.url + "/favicon.ico" in [u for u, s, h in got if s == 200]
    bad = [(u, s) for u, s, h in got if s >= 400]
    assert bad == []


def test_how_shows_the_demo_configuration(server, browser):
    """how.html's configuration block is the one the demo runs: every line
    of demo/run_demo.py's CONF (the JSON location included)."""
    drv = browser
    drv.get(server.url + "/how.html")
    wait_loaded(drv)
    shown = "\n".join(e.text for e in drv.find_elements(By.CSS_SELECTOR, "pre code"))
    shown_lines = {line.strip() for line in shown.splitlines()}
    for line in run_demo.CONF.strip().splitlines():
        assert line.strip() in shown_lines, "how.html does not show %r" % line.strip()
    assert "SetHandler flashmsg-json" in shown_lines


@pytest.mark.parametrize("level,live", [("success", "polite"), ("error", "assertive")])
def test_messages_are_a_live_region(server, browser, level, live):
    """The default markup in the accessibility tree: one status region
    (polite; assertive when it holds an error) with the message text;
    Django's ul.messages and the per-item classes are still there."""
    drv = browser
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    assert ax_live_regions(drv) == []
    text = "Read out by screen readers (%s)" % level
    submit_and_wait(drv, fill_form(drv, text, level))
    assert messages(drv) == [(level, text)]
    # Chromium builds its accessibility tree asynchronously: let it settle
    want = [("status", live, text)]
    try:
        wait_for(drv, "the live region", lambda d: ax_live_regions(d) == want, timeout=5)
    except AssertionError:
        pass
    assert ax_live_regions(drv) == want
    block = drv.find_element(By.CSS_SELECTOR, "[role=status]")
    assert block.find_elements(By.CSS_SELECTOR, "ul.messages > li." + level)
    save_artifact(drv, "live-region-%s" % level)


# ------------------------------------------------- the example templates

def dismiss_buttons(drv):
    return [b for b in drv.find_elements(By.CSS_SELECTOR, "main button") if b.is_displayed()]


@pytest.mark.parametrize("kind", ["bs", "tw"])
def test_example_templates_live_region_and_dismiss(extra_server, browser, kind):
    """conf/examples/bootstrap5.tmpl (with Bootstrap's own CSS) and
    tailwind.tmpl: the messages are a live region, each can be dismissed
    with its button, with no JavaScript on the page."""
    drv, srv = browser, extra_server
    drv.get(srv.url + "/%s/add.cgi?m=error:Card+declined&m=success:Profile+saved" % kind)
    wait_loaded(drv)
    assert drv.find_elements(By.TAG_NAME, "script") == []
    try:
        wait_for(drv, "the live region", lambda d: "Profile saved" in "".join(
            t for _, _, t in ax_live_regions(d)), timeout=5)
    except AssertionError:
        pass
    regions = ax_live_regions(drv)
    assert [(r, live) for r, live, t in regions] == [("status", "assertive")]
    assert "Card declined" in regions[0][2] and "Profile saved" in regions[0][2]
    items = drv.find_elements(By.CSS_SELECTOR, "[role=status] > *")
    # each message's own text (the close button aside)
    assert [drv.execute_script(
        "return [...arguments[0].childNodes].filter(n => n.nodeType == 3)"
        ".map(n => n.textContent).join('').trim()", i) for i in items] == \
        ["Card declined", "Profile saved"]
    # what a screen reader gets: the messages, not the buttons' glyphs
    assert "\u00d7" not in regions[0][2]
    if kind == "bs":
        # Bootstrap's CSS applies: alert boxes as wide as the container
        alert = drv.find_element(By.CSS_SELECTOR, ".alert-danger")
        main = drv.find_element(By.TAG_NAME, "main")
        assert alert.size["width"] > 0.9 * main.size["width"] - 30
        assert alert.value_of_css_property("position") == "relative"
    buttons = dismiss_buttons(drv)
    assert len(buttons) == 2
    assert [b.accessible_name for b in buttons] == ["Close", "Close"]
    save_artifact(drv, "template-%s" % kind)
    buttons[0].click()
    wait_for(drv, "the first message to go", lambda d: not items[0].is_displayed())
    assert items[1].is_displayed()
    assert len(dismiss_buttons(drv)) == 1
    save_artifact(drv, "template-%s-dismissed" % kind)
    # nothing was submitted anywhere: still the same page
    assert drv.current_url == srv.url + "/%s/page.html" % kind


def test_template_page_describes_the_default_markup(server, browser):
    """template.html shows the markup users actually get."""
    drv = browser
    drv.get(server.url + "/template.html")
    wait_loaded(drv)
    shown = html.unescape(" ".join(e.text for e in drv.find_elements(By.TAG_NAME, "pre")))
    assert 'role="status"' in shown and 'class="messages"' in shown

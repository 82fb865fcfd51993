"""The stylesheet and dismiss script the module ships (share/flashmsg.css,
share/flashmsg.js), as the demo serves them under /flashmsg/: a colour per
level, light and dark, readable (contrast 4.5:1 at least); a dismiss button
per message that a keyboard reaches and presses (Tab, Enter, Space,
Escape), that screen readers know by name, that keeps the focus on the
messages left, and that messages swapped in by htmx and Turbo, and the htmx
demo's toasts, get too; the toasts stay in view at 1200x800.
Screenshots: artifacts/.
"""
import pytest

from helpers import (By, ax_live_regions, console, fill_form, messages, missing,
                     save_artifact, submit_and_wait, toasts, vendor_missing,
                     wait_for, wait_loaded)

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing() or "-")
needs_vendor = pytest.mark.skipif(bool(vendor_missing()), reason=vendor_missing() or "-")

LEVELS = ["debug", "info", "success", "warning", "error"]

# Adds messages without leaving the page: the 303 of flash.php is not
# followed (its Set-Cookie is kept), so a reload shows them all at once.
ADD = """
const done = arguments[arguments.length - 1];
(async () => {
  for (const [level, text] of arguments[0])
    await fetch('/flash.php', {method: 'POST', redirect: 'manual',
        body: new URLSearchParams({level, text, back: '/index.html'})});
})().then(() => done(true), e => done(String(e)));
"""

# [background, text colour, accent (inline-start border)] of each message
COLOURS = """
return [...document.querySelectorAll('.flashmsg .messages > li')].map(li => {
  const s = getComputedStyle(li);
  return [li.className, s.backgroundColor, s.color, s.borderInlineStartColor];
});
"""


def rgb(css):
    parts = css[css.index("(") + 1:css.index(")")].replace(",", " ").split()
    return tuple(float(p) for p in parts[:3])


def luminance(c):
    def ch(v):
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def color_scheme(drv, scheme):
    drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": scheme}]})


def add_and_show(drv, srv, items):
    drv.get(srv.url + "/index.html")
    wait_loaded(drv)
    assert drv.execute_async_script(ADD, items) is True
    drv.get(srv.url + "/index.html")
    wait_loaded(drv)
    assert messages(drv) == items
    wait_for(drv, "the dismiss buttons", lambda d: len(dismiss_buttons(d)) == len(items))


def dismiss_buttons(drv):
    return drv.find_elements(By.CSS_SELECTOR, ".flashmsg .messages > li > button.flashmsg-dismiss")


def active(drv):
    return drv.execute_script(
        "const a = document.activeElement; return a ? [a.tagName, a.className, "
        "a.closest('li') ? a.closest('li').innerText.trim() : null] : null")


def test_levels_light_and_dark(server, browser):
    drv = browser
    items = [(level, "A %s message, styled by flashmsg.css" % level) for level in LEVELS]
    add_and_show(drv, server, items)
    for scheme in ("light", "dark"):
        color_scheme(drv, scheme)
        got = drv.execute_script(COLOURS)
        assert [c for c, *_ in got] == LEVELS
        backgrounds = {rgb(bg) for _, bg, _, _ in got}
        accents = {rgb(a) for _, _, _, a in got}
        assert len(backgrounds) == len(LEVELS) and len(accents) == len(LEVELS), got
        for level, bg, fg, _ in got:
            assert "rgba(0, 0, 0, 0)" != bg, level
            assert contrast(rgb(fg), rgb(bg)) >= 4.5, (scheme, level, fg, bg)
            dark = luminance(rgb(bg)) < 0.1
            assert dark == (scheme == "dark"), (scheme, level, bg)
        save_artifact(drv, "stylesheet-%s" % scheme)
    color_scheme(drv, "light")
    # the list is no longer a bulleted list
    assert drv.execute_script(
        "return getComputedStyle(document.querySelector('.flashmsg .messages'))"
        ".listStyleType") == "none"


def test_dismiss_with_the_keyboard(server, browser):
    """Tab reaches each message's button; Enter, Space and Escape dismiss;
    the focus moves to the button of the next message left; the buttons
    have a name and stay out of what the live region reads."""
    drv = browser
    items = [("success", "First"), ("info", "Second"), ("warning", "Third")]
    add_and_show(drv, server, items)
    buttons = dismiss_buttons(drv)
    assert [b.accessible_name for b in buttons] == ["Dismiss message"] * 3
    assert [b.get_attribute("type") for b in buttons] == ["button"] * 3
    assert [b.aria_role for b in buttons] == ["button"] * 3
    assert [t for _, _, t in ax_live_regions(drv)] == ["FirstSecondThird"]
    assert messages(drv) == items        # the button adds no text to a message
    save_artifact(drv, "dismiss-before")
    body = drv.find_element(By.TAG_NAME, "body")
    for _ in range(20):                  # from the top of the page, with Tab
        if active(drv)[1] == "flashmsg-dismiss":
            break
        drv.switch_to.active_element.send_keys("\ue004") if active(drv)[0] != "BODY" \
            else body.send_keys("\ue004")
    assert active(drv) == ["BUTTON", "flashmsg-dismiss", "First"]
    drv.execute_script("document.activeElement.scrollIntoView({block: 'center'})")
    save_artifact(drv, "dismiss-focused")
    drv.switch_to.active_element.send_keys("\ue007")        # Enter
    assert messages(drv) == items[1:]
    assert active(drv) == ["BUTTON", "flashmsg-dismiss", "Second"]
    drv.switch_to.active_element.send_keys(" ")              # Space
    assert messages(drv) == items[2:]
    assert active(drv) == ["BUTTON", "flashmsg-dismiss", "Third"]
    drv.switch_to.active_element.send_keys("\ue00c")        # Escape
    assert messages(drv) == []
    assert drv.find_elements(By.CSS_SELECTOR, ".flashmsg ul") == []
    # nothing was submitted: still the same page, nothing pending
    assert drv.current_url == server.url + "/index.html"
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    assert messages(drv) == []


def test_dismiss_with_a_click_and_no_csp_complaint(server, browser):
    """The demo's CSP (script-src 'self' and the guard's hash) allows the
    script: no violation in the console."""
    drv = browser
    console(drv)
    drv.get(server.url + "/index.html")
    wait_loaded(drv)
    submit_and_wait(drv, fill_form(drv, "Click the cross", "error"))
    wait_for(drv, "the dismiss button", lambda d: len(dismiss_buttons(d)) == 1)
    dismiss_buttons(drv)[0].click()
    assert messages(drv) == []
    assert [t for _, t in console(drv) if "Content Security Policy" in t] == []


@needs_vendor
@pytest.mark.parametrize("page", ["/htmx.html", "/htmx4.html", "/turbo.html"])
def test_dismiss_after_htmx_and_turbo_swaps(server, browser, page):
    """A form that htmx (boosted) or Turbo submits: the page it swaps in
    without a full load gets the buttons too."""
    drv = browser
    drv.get(server.url + page)
    wait_loaded(drv)
    wait_for(drv, "htmx or Turbo", lambda d: d.execute_script(
        "return !!(window.htmx || window.Turbo)"))
    drv.execute_script("window.__same = 1")
    fill_form(drv, "Swapped in", "success").click()
    wait_for(drv, "the message", lambda d: messages(d) == [("success", "Swapped in")])
    assert drv.execute_script("return window.__same") == 1, "a full load happened"
    wait_for(drv, "its dismiss button", lambda d: len(dismiss_buttons(d)) == 1)
    dismiss_buttons(drv)[0].click()
    assert messages(drv) == []


@needs_vendor
def test_htmx_toast_in_view_at_1200x800(server, browser):
    """htmx.html's toasts (the HX-Trigger event) at 1200x800, the page
    scrolled to the buttons that send them: the toast shows inside the
    window, with its dismiss button, and moves nothing (in the flow of the
    page it pushed the buttons and the answer out of the window)."""
    drv = browser
    w, h = drv.execute_script("return [window.innerWidth, window.innerHeight]")
    size = drv.get_window_size()
    drv.set_window_size(size["width"] + 1200 - w, size["height"] + 800 - h)
    assert drv.execute_script("return [window.innerWidth, window.innerHeight]") == [1200, 800]
    drv.get(server.url + "/htmx.html")
    wait_loaded(drv)
    wait_for(drv, "htmx", lambda d: d.execute_script("return !!window.htmx"))
    drv.execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
    rect = "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]"
    save = drv.find_element(By.ID, "save")
    before = drv.execute_script(rect, save)
    assert before[1] <= 800, "the Save button is not in the window"
    save.click()
    wait_for(drv, "the toast", lambda d: toasts(d))
    wait_for(drv, "its dismiss button", lambda d: d.find_elements(
        By.CSS_SELECTOR, "#toasts button.flashmsg-dismiss"))
    top, bottom, left, right = drv.execute_script(
        rect, drv.find_element(By.CSS_SELECTOR, "#toasts li"))
    assert 0 <= top < bottom <= 800 and 0 <= left < right <= 1200, (top, bottom, left, right)
    assert drv.execute_script(rect, save) == before, "the toast moved the page"
    save_artifact(drv, "htmx-toast-1200x800")
    drv.find_element(By.CSS_SELECTOR, "#toasts button.flashmsg-dismiss").click()
    assert toasts(drv) == []

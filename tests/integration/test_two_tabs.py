"""Two tabs, one browser (issue 16): requests of one browser that run in
parallel neither lose a message nor show an already shown one again.  The
race is reproduced deterministically: two requests leave with the same
cookies, and their answers are applied in both orders."""
import pytest
import requests

from conftest import BrowserJar, emit_url, texts


def add(srv, jar, text):
    """Tab A: a form handler adds a message and redirects (not followed)."""
    return requests.get(emit_url(srv.url, status="303", location="/plain.html",
                                 h="X-Flash: info: " + text),
                        headers={"Cookie": jar.header()}, allow_redirects=False)


def show(srv, jar):
    """Tab B: a page with the placeholder."""
    return requests.get(srv.url + "/page.html", headers={"Cookie": jar.header()})


@pytest.mark.parametrize("order", ["add-answer-first", "show-answer-first"])
@pytest.mark.parametrize("storage", ["cookie", "fallback"])
def test_add_and_show_in_parallel(make_server, order, storage):
    srv = make_server("FlashMsgStorage %s" % storage)
    jar = BrowserJar()
    jar.apply(add(srv, jar, "first"))
    # both requests leave with the same cookies ...
    a = add(srv, jar, "second")
    b = show(srv, jar)
    assert texts(b.text) == ["first"]
    # ... and their answers reach the jar in either order
    for r in ([a, b] if order == "add-answer-first" else [b, a]):
        jar.apply(r)
    # nothing lost, nothing shown again
    r = show(srv, jar)
    assert texts(r.text) == ["second"]
    jar.apply(r)
    assert texts(show(srv, jar).text) == []


@pytest.mark.parametrize("order", ["first-answer-first", "second-answer-first"])
def test_two_adds_in_parallel(make_server, order):
    srv = make_server("FlashMsgStorage cookie")
    jar = BrowserJar()
    a = add(srv, jar, "from tab one")
    b = add(srv, jar, "from tab two")
    for r in ([a, b] if order == "first-answer-first" else [b, a]):
        jar.apply(r)
    shown = texts(show(srv, jar).text)
    assert sorted(shown) == ["from tab one", "from tab two"], shown


@pytest.mark.parametrize("order", ["one-first", "other-first"])
def test_two_shows_in_parallel_show_each_message_once_per_tab_at_most(make_server, order):
    """Two pages rendering at once both show what was pending (they left with
    the same cookies: that cannot be helped), but afterwards nothing comes
    back, whichever answer arrives last."""
    srv = make_server("FlashMsgStorage cookie")
    jar = BrowserJar()
    jar.apply(add(srv, jar, "once"))
    a, b = show(srv, jar), show(srv, jar)
    for r in ([a, b] if order == "one-first" else [b, a]):
        jar.apply(r)
    assert texts(show(srv, jar).text) == []

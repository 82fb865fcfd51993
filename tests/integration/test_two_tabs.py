"""Two tabs, one browser (issue 16): requests of one browser that run in
parallel neither lose a message nor show an already shown one again.  The
race is reproduced deterministically: two requests leave with the same
cookies, and their answers are applied in both orders."""
import pytest

from conftest import BrowserJar, texts
from conftest import tab_add as add, tab_show as show

# Every storage that promises it (docs/spec.md §2.7): the cookie family, fallback
# (messages that fit the cookies), and socache (entries never rewritten).
STORAGES = {
    "cookie": ("FlashMsgStorage cookie", []),
    "fallback": ("FlashMsgStorage fallback", []),
    "socache": ("FlashMsgStorage socache\nFlashMsgSocache shmcb", ["socache_shmcb"]),
}


def storage_server(make_server, storage):
    conf, modules = STORAGES[storage]
    return make_server(conf, modules=modules)


@pytest.mark.parametrize("order", ["add-answer-first", "show-answer-first"])
@pytest.mark.parametrize("storage", sorted(STORAGES))
def test_add_and_show_in_parallel(make_server, order, storage):
    srv = storage_server(make_server, storage)
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
@pytest.mark.parametrize("storage", sorted(STORAGES))
def test_two_adds_in_parallel(make_server, order, storage):
    srv = storage_server(make_server, storage)
    jar = BrowserJar()
    a = add(srv, jar, "from tab one")
    b = add(srv, jar, "from tab two")
    for r in ([a, b] if order == "first-answer-first" else [b, a]):
        jar.apply(r)
    shown = texts(show(srv, jar).text)
    assert sorted(shown) == ["from tab one", "from tab two"], shown


@pytest.mark.parametrize("order", ["one-first", "other-first"])
@pytest.mark.parametrize("storage", sorted(STORAGES))
def test_two_shows_in_parallel_show_each_message_once_per_tab_at_most(make_server, order,
                                                                      storage):
    """Two pages rendering at once both show what was pending (they left with
    the same cookies: that cannot be helped), but afterwards nothing comes
    back, whichever answer arrives last."""
    srv = storage_server(make_server, storage)
    jar = BrowserJar()
    jar.apply(add(srv, jar, "once"))
    a, b = show(srv, jar), show(srv, jar)
    for r in ([a, b] if order == "one-first" else [b, a]):
        jar.apply(r)
    assert texts(show(srv, jar).text) == []

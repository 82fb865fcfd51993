"""Behaviours that `make mutate` (scripts/mutate.py, tests/mutations.txt)
found unguarded: each test here fails on the mutant it is named for."""
import re

from conftest import PAGE, emit_url, has_flash, texts

# mod_headers' `Header set` (no `early`) is applied by its output filter,
# FIXUP_HEADERS_OUT at AP_FTYPE_CONTENT_SET: after our body filter
# (CONTENT_SET - 1) has decided, before the guard (PROTOCOL - 1).
LATE_HEADER_CONF = """
<Location /late/>
  Header set X-Flash "warning: set by mod_headers"
</Location>
"""


def no_flash_headers(r):
    for h in r.headers:
        assert not h.lower().startswith("x-flash"), "%s leaked: %r" % (h, r.headers)


def test_x_flash_set_after_the_body_filter_is_stripped_by_the_guard(make_server, client):
    """Mutant guard-keeps-x-flash: only the guard can remove an X-Flash that a
    filter sets once the page's messages are decided (the capture has run)."""
    srv = make_server(LATE_HEADER_CONF, files={"late/page.html": PAGE})
    srv.expect_error(r"mod_flashmsg: X-Flash was set after the page's messages "
                     r"were decided .*removed, its messages are lost")

    # Nothing pending: the decision is still open when the header comes, so
    # the guard keeps its message for a later page (and strips the header).
    r = client.get(srv.url + "/late/page.html")
    no_flash_headers(r)
    assert r.status_code == 200 and texts(r.text) == []
    assert has_flash(client.cookies), r.headers
    assert re.search(r"flashmsg:warn.*X-Flash was set by a filter after "
                     r"mod_flashmsg's body filter", srv.log_since_mark())
    assert texts(client.get(srv.url + "/page.html").text) == ["set by mod_headers"]

    # A page that renders pending messages: decided and committed before
    # mod_headers sets the header.  The guard strips it and says so.
    r = client.get(emit_url(srv.url, status="302", location="/late/page.html",
                            h="X-Flash: info: pending"), allow_redirects=False)
    assert r.status_code == 302
    srv.mark_log()
    r = client.get(srv.url + "/late/page.html")
    no_flash_headers(r)
    assert texts(r.text) == ["pending"]
    assert "were decided" in srv.log_since_mark()

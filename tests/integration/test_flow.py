"""The read-once lifecycle through real backends: shell CGI, php-cgi, mod_lua."""
from conftest import flash_deleted, has_flash, only_flash_cookie, rendered, texts, emit_url


def test_cgi_302_redirect_then_shown_once(server, client):
    r = client.post(server.url + "/cgi/save.cgi", allow_redirects=False)
    assert r.status_code == 302
    assert "X-Flash" not in r.headers
    name, _ = only_flash_cookie(r.cookies)
    r = client.get(server.url + "/page.html")
    assert rendered(r.text) == [("success", "Profile saved.")]
    # shown: the cookie is deleted in the same response
    assert not has_flash(client.cookies)
    assert flash_deleted(r) == [name]
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == []
    assert "Set-Cookie" not in r.headers


def test_followed_redirect_in_one_go(server, client):
    r = client.post(server.url + "/cgi/save.cgi")
    assert r.status_code == 200
    assert texts(r.text) == ["Profile saved."]


def test_cgi_location_without_status_is_internal_redirect(server, client):
    # httpd serves /page.html in the same response: rendered at once,
    # so nothing is ever stored.
    r = client.get(server.url + "/cgi/local.cgi", allow_redirects=False)
    assert r.status_code == 200
    assert texts(r.text) == ["Internal hop"]
    assert "Set-Cookie" not in r.headers
    assert "X-Flash" not in r.headers


def test_several_posts_then_one_get_in_order(server, client):
    for i in range(4):
        r = client.get(emit_url(server.url, status="302", location="/page.html",
                                h="X-Flash: info: message %d" % i),
                       allow_redirects=False)
        assert r.status_code == 302
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == ["message 0", "message 1", "message 2", "message 3"]
    assert not has_flash(client.cookies)
    assert texts(client.get(server.url + "/page.html").text) == []


def test_same_request_rendering(server, client):
    r = client.get(emit_url(server.url, h="X-Flash: warning: Right now"))
    assert rendered(r.text) == [("warning", "Right now")]
    assert "Set-Cookie" not in r.headers
    assert "X-Flash" not in r.headers


def test_pending_and_new_render_together_oldest_first(server, client):
    client.get(emit_url(server.url, status="302", location="/x",
                        h="X-Flash: info: older"), allow_redirects=False)
    r = client.get(emit_url(server.url, h="X-Flash: error: newer"))
    assert rendered(r.text) == [("info", "older"), ("error", "newer")]
    assert not has_flash(client.cookies)


def test_structured_fields_survive_cgi_merging(server, client):
    # Two header fields: mod_cgid joins them with ", " into one value.
    r = client.get(emit_url(server.url, h=[
        'X-Flash: "First";level=success',
        'X-Flash: "Second, with comma";level=error;tags="sticky"']))
    assert rendered(r.text) == [("success", "First"),
                                ("sticky error", "Second, with comma")]


def test_simple_fields_joined_by_httpd_become_one_message(server, client):
    # Documented: the simple form cannot be split again after httpd joined it.
    r = client.get(emit_url(server.url, h=["X-Flash: info: A", "X-Flash: error: B"]))
    assert texts(r.text) == ["A, error: B"]


def test_extra_tags_and_integer_level(server, client):
    r = client.get(emit_url(server.url, h="X-Flash: warning sticky big: Disk almost full"))
    assert rendered(r.text) == [("sticky big warning", "Disk almost full")]
    r = client.get(emit_url(server.url, h="X-Flash: 35: odd level"))
    assert rendered(r.text) == [("", "odd level")]


def test_non_ascii_text(server, client):
    r = client.get(emit_url(server.url, h=[
        "X-Flash: success: Grüße, 東京 ✓",
        'X-Flash: %"Gr%c3%bc%c3%9fe";level=info']))
    r.encoding = "utf-8"
    # httpd joined the two fields; the value starts in the simple form, so
    # it is one message whose text runs to the end of the joined value.
    assert texts(r.text) == ['Grüße, 東京 ✓, %"Gr%c3%bc%c3%9fe";level=info']


def test_non_ascii_display_string_alone(server, client):
    r = client.get(emit_url(server.url, h='X-Flash: %"Gr%c3%bc%c3%9fe aus K%c3%b6ln";level=success'))
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", "Grüße aus Köln")]


def test_html_in_messages_is_escaped(server, client):
    r = client.get(emit_url(server.url, h='X-Flash: error x"><script>: <script>alert(1)</script>&'))
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in r.text
    assert 'class="x&quot;&gt;&lt;script&gt; error"' in r.text


def test_placeholder_text_inside_message_is_not_expanded(server, client):
    r = client.get(emit_url(server.url, h=[
        'X-Flash: "<!--FLASH_MESSAGES-->";level=info', 'X-Flash: "two";level=info'],
        body="<p><!--FLASH_MESSAGES--></p>"))
    assert r.text.count("<ul") == 1
    assert "&lt;!--FLASH_MESSAGES--&gt;" in r.text


def test_min_level_drops_debug_by_default(server, client):
    r = client.get(emit_url(server.url, h='X-Flash: "dbg";level=debug, "inf";level=info'))
    assert texts(r.text) == ["inf"]


def test_custom_level_and_tag_overrides(server, client):
    r = client.get(emit_url(server.url, h="X-Flash: critical: Meltdown"))
    assert rendered(r.text) == [("critical", "Meltdown")]
    client.get(emit_url(server.url, status="302", location="/x",
                        h='X-Flash: "bad";level=error, "note";level=info;tags="t"'),
               allow_redirects=False)
    server.write("tagged/page.html", open(server.htdocs + "/page.html").read())
    r = client.get(server.url + "/tagged/page.html")
    assert rendered(r.text) == [("danger", "bad"), ("t", "note")]


def test_flashmsgadd_with_redirect(server, client):
    r = client.get(server.url + "/old", allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/page.html")
    r = client.get(server.url + "/page.html")
    assert rendered(r.text) == [("warning", "This page has moved.")]


def test_php_cgi_post_redirect_get(server, client):
    r = client.post(server.url + "/php/save.php", data={"name": 'Alice "A"'},
                    allow_redirects=False)
    assert r.status_code == 303, r.text
    assert "X-Flash" not in r.headers
    r = client.get(server.url + "/page.html")
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", 'Saved Alice "A"'),
                                ("php info", "Grüße aus PHP")]
    assert texts(client.get(server.url + "/page.html").text) == []


def test_php_page_renders_placeholder(server, client):
    client.post(server.url + "/cgi/save.cgi", allow_redirects=False)
    r = client.get(server.url + "/php/save.php")
    assert texts(r.text) == ["Profile saved."]


def test_module_off_location_leaves_page_alone(server, client):
    client.post(server.url + "/cgi/save.cgi", allow_redirects=False)
    server.write("off/page.html", open(server.htdocs + "/page.html").read())
    r = client.get(server.url + "/off/page.html")
    assert "<!--FLASH_MESSAGES-->" in r.text
    assert texts(client.get(server.url + "/page.html").text) == ["Profile saved."]


LUA_HANDLER = """
function handle(r)
  r.notes['flashmsg'] = 'success: Hello from Lua'
  r.content_type = 'text/html'
  r:puts('<html><body><!--FLASH_MESSAGES--></body></html>')
  return apache2.OK
end
"""

LUA_REDIRECT = """
function handle(r)
  r.notes['flashmsg'] = '"Stored by Lua";level=warning'
  r.headers_out['Location'] = '/page.html'
  return 302
end
"""


def test_notes_from_mod_lua(make_server, client):
    srv = make_server("AddHandler lua-script .lua", modules=["lua"],
                      files={"lua/show.lua": LUA_HANDLER,
                             "lua/redirect.lua": LUA_REDIRECT})
    r = client.get(srv.url + "/lua/show.lua")
    assert rendered(r.text) == [("success", "Hello from Lua")]
    r = client.get(srv.url + "/lua/redirect.lua", allow_redirects=False)
    assert r.status_code == 302
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("warning", "Stored by Lua")]

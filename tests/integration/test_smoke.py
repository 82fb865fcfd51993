from conftest import texts


def test_redirect_flow_shows_message_once(server, client):
    r = client.post(server.url + "/cgi/save.cgi", allow_redirects=False)
    assert r.status_code == 302
    assert "X-Flash" not in r.headers
    assert "flashmsg" in r.cookies
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == ["Profile saved."]
    r = client.get(server.url + "/page.html")
    assert texts(r.text) == []

"""Secrets stay secret, and logout clears what the user had pending."""
import os
import re
import tempfile

import pytest
import requests

from conftest import texts, emit_url
from harness import SECRET, OLD_SECRET, TOP


def test_inline_secrets_hidden_from_server_info(make_server, client):
    srv = make_server("<Location /server-info>\nSetHandler server-info\n</Location>",
                      modules=["info"], secret="%s %s" % (SECRET, OLD_SECRET))
    r = client.get(srv.url + "/server-info?config")
    assert r.status_code == 200 and "FlashMsgSecret" in r.text
    assert SECRET not in r.text and OLD_SECRET not in r.text
    assert "[hidden] [hidden]" in r.text
    r = client.get(srv.url + "/server-info?mod_flashmsg.c")
    assert SECRET not in r.text
    assert SECRET not in srv.read_log()


def test_world_readable_key_file_is_warned_about(make_server):
    fd, path = tempfile.mkstemp(prefix="flashmsg-key-")
    os.write(fd, SECRET.encode())
    os.close(fd)
    os.chmod(path, 0o644)
    try:
        srv = make_server(secret="file:" + path, start=False)
        rc, out = srv.configtest()
        assert rc == 0
        assert re.search(r"FlashMsgSecret file .* can be read by users other than its owner", out)
        os.chmod(path, 0o600)
        rc, out = srv.configtest()
        assert rc == 0 and "can be read" not in out
    finally:
        os.unlink(path)


def test_secret_never_in_error_pages_or_logs(make_server, client):
    srv = make_server()
    for v in ("s1.x.y", "garbage", "e1.AAAA"):
        r = requests.get(srv.url + "/nope", headers={"Cookie": "flashmsg=" + v})
        assert SECRET not in r.text
    assert SECRET not in srv.read_log()


def test_logout_clears_pending_and_keeps_the_goodbye(make_server, client):
    with open(os.path.join(TOP, "conf", "examples", "auth-form-logout.conf")) as f:
        example = f.read()
    srv = make_server(example, modules=["auth_form", "session", "session_cookie",
                                        "request", "authn_core", "auth_basic"])
    for text in ("Your invoice #42 is overdue", "Password changed"):
        client.get(emit_url(srv.url, status="302", location="/x", h="X-Flash: info: " + text),
                   allow_redirects=False)
    r = client.get(srv.url + "/logout", allow_redirects=False)
    assert r.status_code in (302, 303, 307)
    assert r.headers["Location"].endswith("/index.html")
    r = client.get(srv.url + "/index.html")
    assert texts(r.text) == ["You have been signed out."]


LUA_CLEAR = """
function handle(r)
  r.notes['flashmsg-clear'] = '1'
  r.notes['flashmsg'] = 'success: fresh start'
  r.headers_out['Location'] = '/page.html'
  return 302
end
"""


def test_clear_note_from_a_module(make_server, client):
    srv = make_server("AddHandler lua-script .lua", modules=["lua"],
                      files={"lua/clear.lua": LUA_CLEAR})
    client.get(emit_url(srv.url, status="302", location="/x", h="X-Flash: info: stale"),
               allow_redirects=False)
    client.get(srv.url + "/lua/clear.lua", allow_redirects=False)
    assert texts(client.get(srv.url + "/page.html").text) == ["fresh start"]


def _key_file(mode):
    fd, path = tempfile.mkstemp(prefix="flashmsg-key-")
    os.write(fd, SECRET.encode())
    os.close(fd)
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize("mode", [0o622, 0o620, 0o602, 0o666])
def test_key_file_others_can_write_refuses_start(make_server, mode):
    # Whoever can write the key can replace it and forge every cookie.
    path = _key_file(mode)
    try:
        srv = make_server(secret="file:" + path, start=False)
        rc, out = srv.configtest()
        assert rc != 0, out
        assert re.search(r"FlashMsgSecret: the key file %s can be written by users "
                         r"other than its owner.*chmod go-w %s" % (re.escape(path), re.escape(path)),
                         out), out
        assert re.search(r"Syntax error on line \d+ of .*httpd\.conf", out), out
        os.chmod(path, 0o600)
        rc, out = srv.configtest()
        assert rc == 0, out
    finally:
        os.unlink(path)


def test_key_file_that_is_a_directory_says_so(make_server):
    path = tempfile.mkdtemp(prefix="flashmsg-keydir-")
    os.chmod(path, 0o755)
    try:
        srv = make_server(secret="file:" + path, start=False)
        rc, out = srv.configtest()
        assert rc != 0
        assert "FlashMsgSecret: %s is a directory, not a key file" % path in out, out
        assert "can be read by users" not in out and "Is a directory" not in out, out
    finally:
        os.rmdir(path)

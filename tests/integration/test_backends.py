"""Messages from real backends, each started and stopped here on loopback:
php-fpm behind mod_proxy_fcgi, Python and Node app servers behind
mod_proxy_http, mod_lua hooks and handlers, and a C module on the C API
(tests/c_module, built with apxs).

The examples in conf/examples/ are run as written: their scripts and apps are
loaded from there, and their httpd snippets are used with only the paths and
ports replaced, so a broken example fails a test.
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

from conftest import PAGE, emit_url, flash_cookies_size, has_flash, only_flash_cookie, rendered, texts
from harness import HERE, SECRET, TOP, free_port

EXAMPLES = os.path.join(TOP, "conf", "examples")
BACKENDS = os.path.join(HERE, "backends")
C_MODULE = os.path.join(TOP, "tests", "c_module", "mod_flashmsg_example.c")
KEY_IN_EXAMPLES = "file:/etc/apache2/flashmsg.key"

# proxy errors the tests provoke on purpose
FCGI_BROKE = r"\[proxy_fcgi:error\].*(AH01067|AH01075)"


# ---------------------------------------------------------------------------
# helpers

class Backend:
    """A backend process listening on a loopback port; stopped by its pid."""

    def __init__(self, name, argv, port, cwd=None, env=None):
        self.name = name
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        fd, self.log_path = tempfile.mkstemp(prefix="flashmsg-%s-" % name,
                                             suffix=".log", dir="/tmp")
        with os.fdopen(fd, "w") as log:
            self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         env=env)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                log = self.log()
                self.stop()
                raise RuntimeError("%s exited at start (%s):\n%s" %
                                   (self.name, self.proc.returncode, log))
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        log = self.log()
        self.stop()
        raise RuntimeError("%s did not listen on %d:\n%s" % (self.name, self.port, log))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.path.exists(self.log_path):
            os.unlink(self.log_path)


def example(name):
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
        return f.read()


def example_conf(name, srv, subst):
    """The httpd snippet conf/examples/NAME with the placeholder paths and
    ports replaced (each must still be there), its secret file created."""
    text = example(name)
    key = os.path.join(srv.root, "conf", "flashmsg.key")
    with open(key, "w") as f:
        f.write(SECRET + "\n")
    subst = dict(subst)
    subst[KEY_IN_EXAMPLES] = "file:" + key
    for old, new in subst.items():
        assert old in text, "%s no longer contains %r: update the test" % (name, old)
        text = text.replace(old, new)
    return text


def serve(make_server, conf, files=None, **kw):
    """make_server, with conf a function of the not yet started server
    (paths under its root are known only once it exists)."""
    srv = make_server("", files=files, start=False, **kw)
    srv.config += conf(srv) + "\n"
    with open(srv.conf_path, "w") as f:
        f.write(srv.config)
    srv.start()
    return srv


def add_pending(srv, client, text):
    """A message left pending by a redirect (through mod_cgid)."""
    r = client.get(emit_url(srv.url, status="302", location="/page.html",
                            h="X-Flash: info: " + text), allow_redirects=False)
    assert r.status_code == 302 and has_flash(client.cookies)


def no_flash_header(r):
    assert not any(k.lower() == "x-flash" for k in r.headers), r.headers


# ---------------------------------------------------------------------------
# PHP through php-fpm and mod_proxy_fcgi

@pytest.fixture(scope="module")
def php_fpm():
    found = sorted(glob.glob("/usr/sbin/php-fpm*"))
    if not found:
        pytest.skip("php-fpm is not installed (Debian: apt-get install php-fpm)")
    prefix = tempfile.mkdtemp(prefix="flashmsg-fpm-", dir="/tmp")
    os.chmod(prefix, 0o755)
    port = free_port()
    conf = os.path.join(prefix, "php-fpm.conf")
    lines = [
        "[global]",
        "pid = %s/php-fpm.pid" % prefix,
        "error_log = %s/php-fpm.log" % prefix,
        "daemonize = no",
        "[flashmsg]",
        "listen = 127.0.0.1:%d" % port,
        "listen.allowed_clients = 127.0.0.1",
        "pm = static",
        "pm.max_children = 6",
        "request_terminate_timeout = 20s",
        # flush() must reach httpd, and a rewritten script must be re-read
        "php_admin_value[output_buffering] = 0",
        "php_admin_value[opcache.enable] = 0",
    ]
    if os.geteuid() == 0:
        lines += ["user = www-data", "group = www-data"]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    fpm = Backend("php-fpm", [found[-1], "-F", "-y", conf, "-p", prefix], port)
    try:
        yield fpm.wait_ready()
    finally:
        fpm.stop()
        shutil.rmtree(prefix, ignore_errors=True)


def php_server(make_server, fpm, files, conf=""):
    """httpd with conf/examples/php-fpm.conf pointing at the test's php-fpm."""
    return serve(make_server, lambda srv: example_conf(
        "php-fpm.conf", srv, {"127.0.0.1:9000": "127.0.0.1:%d" % fpm.port}) + conf,
        files=files, modules=["proxy", "proxy_fcgi"], secret=None)


PHP_MULTI = r"""<?php
// One header() call per message; mod_proxy_fcgi joins them with ", ".
header('X-Flash: "First";level=success', false);
header('X-Flash: "Second, with a comma";level=warning;tags="sticky"', false);
header('X-Flash: %"Dritte: Gr%c3%bc%c3%9fe";level=info', false);
header('Location: /page.html', true, 303);
"""

PHP_SIMPLE_TWICE = r"""<?php
header('X-Flash: info: A', false);
header('X-Flash: error: B', false);
?>
<html><body><!--FLASH_MESSAGES--></body></html>
"""

PHP_RAW_UTF8 = r"""<?php
header('X-Flash: success: Grüße aus PHP-FPM');
?>
<html><body><!--FLASH_MESSAGES--><p>fast</p></body></html>
"""

PHP_BURST = r"""<?php
for ($i = 1; $i <= 20; $i++) {
    header(sprintf('X-Flash: "m%02d";level=%s', $i, $i % 2 ? 'info' : 'warning'), false);
}
header('Location: /page.html', true, 303);
"""

# The worker sends its headers (and maybe the start of the page), then dies.
PHP_CRASH = r"""<?php
header('X-Flash: "Before the crash";level=error', false);
if (isset($_GET['body'])) {
    echo $_GET['body'];
    flush();
}
if (function_exists('posix_kill')) {
    posix_kill(getmypid(), 9);
} else {
    exec('kill -9 ' . getmypid());
}
"""

# Holds until the test creates the file ?gate=PATH (at most 10 s), then
# leaves PATH.done behind: the test knows the order of events, not times.
PHP_SLOW = r"""<?php
ignore_user_abort(true);
header('X-Flash: "Too late";level=error', false);
if (isset($_GET['flush'])) {
    echo '<html><body><p>started';
    flush();
}
$gate = isset($_GET['gate']) ? $_GET['gate'] : '';
for ($i = 0; $i < 1000; $i++) {
    clearstatcache();
    if ($gate !== '' && file_exists($gate))
        break;
    usleep(10000);
}
if ($gate !== '')
    touch($gate . '.done');
echo '<!--FLASH_MESSAGES--></body></html>';
"""

PHP_FILES = {"multi.php": PHP_MULTI, "twice.php": PHP_SIMPLE_TWICE,
             "fast.php": PHP_RAW_UTF8, "burst.php": PHP_BURST,
             "crash.php": PHP_CRASH, "slow.php": PHP_SLOW}


def test_php_fpm_several_header_calls_post_redirect_get(make_server, php_fpm, client):
    srv = php_server(make_server, php_fpm, PHP_FILES)
    r = client.post(srv.url + "/multi.php", data={"x": "1"}, allow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["Location"].endswith("/page.html")
    no_flash_header(r)
    r = client.get(srv.url + "/page.html")
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", "First"),
                                ("sticky warning", "Second, with a comma"),
                                ("info", "Dritte: Grüße")]
    assert texts(client.get(srv.url + "/page.html").text) == []


def test_php_fpm_joins_simple_fields_and_raw_utf8_works(make_server, php_fpm, client):
    srv = php_server(make_server, php_fpm, PHP_FILES)
    # mod_proxy_fcgi joins repeated fields like mod_cgi: one simple message
    r = client.get(srv.url + "/twice.php")
    no_flash_header(r)
    assert rendered(r.text) == [("info", "A, error: B")]
    # raw UTF-8 bytes in the simple form, rendered on the same page
    r = client.get(srv.url + "/fast.php")
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", "Grüße aus PHP-FPM")]
    assert "Set-Cookie" not in r.headers


def test_php_fpm_twenty_messages_in_one_response(make_server, php_fpm, client):
    srv = php_server(make_server, php_fpm, PHP_FILES)
    r = client.post(srv.url + "/burst.php", allow_redirects=False)
    assert r.status_code == 303
    no_flash_header(r)
    # twenty messages of one response: one new cookie, within the bound
    only_flash_cookie(client.cookies)
    assert flash_cookies_size(client.cookies) <= 2048
    r = client.get(srv.url + "/page.html")
    want = [("info" if i % 2 else "warning", "m%02d" % i) for i in range(1, 21)]
    assert rendered(r.text) == want
    assert not has_flash(client.cookies)


def test_php_fpm_worker_killed_before_headers(make_server, php_fpm, client):
    srv = php_server(make_server, php_fpm, PHP_FILES)
    srv.expect_error(FCGI_BROKE)
    add_pending(srv, client, "earlier")
    r = client.get(srv.url + "/crash.php")
    # nothing came back: mod_proxy_fcgi's own 503; the header never existed
    assert r.status_code == 503
    no_flash_header(r)
    assert "Set-Cookie" not in r.headers
    assert texts(client.get(srv.url + "/page.html").text) == ["earlier"]


def test_php_fpm_worker_killed_after_page_start_with_placeholder(make_server, php_fpm, client):
    """The placeholder came before the crash: the messages were rendered and
    the response committed; then httpd truncates it (no last chunk), as it
    does without the module."""
    srv = php_server(make_server, php_fpm, PHP_FILES)
    srv.expect_error(FCGI_BROKE)
    add_pending(srv, client, "earlier")
    r = client.get(srv.url + "/crash.php",
                   params={"body": "<html><body><!--FLASH_MESSAGES--><p>partial"},
                   stream=True, timeout=10)
    assert r.status_code == 200
    no_flash_header(r)
    body = b""
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        for chunk in r.iter_content(256):
            body += chunk
    r.close()
    # shown in the part that arrived, so consumed: the cookie went with the headers
    assert texts(body.decode()) == ["earlier", "Before the crash"]
    assert "<p>partial" in body.decode()
    assert not has_flash(client.cookies)
    r = client.get(srv.url + "/page.html")
    assert r.status_code == 200 and texts(r.text) == []


def test_php_fpm_worker_killed_before_placeholder_keeps_messages(make_server, php_fpm, client):
    """With messages pending the page is held until the placeholder shows
    up; the backend dies first, so nothing was sent and httpd can still
    answer with an error status; the messages stay pending (none was shown).
    (Without pending messages the client gets a truncated 200 instead.)"""
    srv = php_server(make_server, php_fpm, PHP_FILES)
    srv.expect_error(FCGI_BROKE)
    add_pending(srv, client, "earlier")
    r = client.get(srv.url + "/crash.php",
                   params={"body": "<html><body><p>no placeholder yet"}, timeout=10)
    # mod_proxy_fcgi had passed the headers on, so it ends with AP_FILTER_ERROR;
    # ap_die() finds the response not started and makes it a 500 (AH02831)
    assert r.status_code == 500
    no_flash_header(r)
    assert "no placeholder yet" not in r.text
    assert "Max-Age=0" not in r.headers.get("Set-Cookie", "")
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("info", "earlier"), ("error", "Before the crash")]


def test_php_fpm_timeout_is_504_and_server_goes_on(make_server, php_fpm, client, gates):
    srv = php_server(make_server, php_fpm, PHP_FILES, conf="ProxyTimeout 1\n")
    srv.expect_error(FCGI_BROKE)
    add_pending(srv, client, "earlier")
    r = client.get(srv.url + "/slow.php", params={"gate": gates.path("slow")}, timeout=30)
    # the 504 came while the backend was still held at its gate: ProxyTimeout
    # applied (without it httpd would wait for the backend and relay its 200)
    assert r.status_code == 504
    assert not gates.exists("slow.done")
    gates.open("slow")
    assert gates.wait_for("slow.done"), "the backend was not waiting at the gate"
    no_flash_header(r)
    assert "Set-Cookie" not in r.headers          # nothing added, nothing consumed
    # the header never arrived: only the earlier message, and the server goes on
    r = client.get(srv.url + "/fast.php")
    r.encoding = "utf-8"
    assert texts(r.text) == ["earlier", "Grüße aus PHP-FPM"]
    assert srv.proc.poll() is None
    assert "AH01075" in srv.log_since_mark()


def test_php_fpm_timeout_after_headers_keeps_message(make_server, php_fpm, client, gates):
    """Headers (with X-Flash) and a first chunk arrive, then the backend
    stalls past ProxyTimeout: the held page is dropped, httpd answers with an
    error, and the message is kept for the next page."""
    srv = php_server(make_server, php_fpm, PHP_FILES, conf="ProxyTimeout 1\n")
    srv.expect_error(FCGI_BROKE)
    r = client.get(srv.url + "/slow.php", params={"flush": "1", "gate": gates.path("slow")},
                   timeout=30)
    assert not gates.exists("slow.done")    # answered while the backend stalled
    gates.open("slow")
    assert r.status_code == 500       # as above: not 504 once headers were passed on
    no_flash_header(r)
    assert "started" not in r.text
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("error", "Too late")]


# ---------------------------------------------------------------------------
# app servers behind mod_proxy_http: backends/app.py and backends/app.js

def node_binary():
    return shutil.which("node") or shutil.which("nodejs")


@pytest.fixture(scope="module", params=["python", "node"])
def app_server(request):
    if request.param == "node":
        node = node_binary()
        if not node:
            pytest.skip("node is not installed (Debian: apt-get install nodejs)")
        argv = [node, os.path.join(BACKENDS, "app.js")]
    else:
        argv = [sys.executable, os.path.join(BACKENDS, "app.py")]
    port = free_port()
    app = Backend(request.param, argv + [str(port)], port)
    try:
        yield app.wait_ready()
    finally:
        app.stop()


def proxy_server(make_server, app):
    conf = """
ProxyPass        /app/ http://127.0.0.1:{port}/
ProxyPassReverse /app/ http://127.0.0.1:{port}/
<Location /app/override/>
    ProxyErrorOverride On
</Location>
ErrorDocument 404 /page.html
""".format(port=app.port)
    return make_server(conf, modules=["proxy", "proxy_http"])


def app_url(srv, path="page", **query):
    return requests.Request("GET", srv.url + "/app/" + path,
                            params=query).prepare().url


def test_proxy_http_keeps_fields_separate(make_server, app_server, client):
    srv = proxy_server(make_server, app_server)
    # the app sends three X-Flash fields: three simple-form messages
    r = client.get(app_url(srv, h=["X-Flash: info: A", "X-Flash: error: B",
                                   "X-Flash: success: Grüße, 東京"]))
    r.encoding = "utf-8"
    assert r.status_code == 200
    assert ("%s app" % app_server.name) in r.text
    no_flash_header(r)
    assert rendered(r.text) == [("info", "A"), ("error", "B"),
                                ("success", "Grüße, 東京")]
    assert "Set-Cookie" not in r.headers


def test_proxy_http_absolute_redirect_rewritten(make_server, app_server, client):
    srv = proxy_server(make_server, app_server)
    r = client.post(app_url(srv, "save", status="303",
                            location=app_server.url + "/done",
                            h=['X-Flash: "Saved";level=success', "X-Flash: info: Next"]),
                    allow_redirects=False)
    assert r.status_code == 303
    # ProxyPassReverse: the backend's own URL became the public one
    assert r.headers["Location"] == srv.url + "/app/done"
    no_flash_header(r)
    assert has_flash(client.cookies)
    r = client.get(r.headers["Location"])
    assert "app: /done" in r.text
    assert rendered(r.text) == [("success", "Saved"), ("info", "Next")]
    assert texts(client.get(srv.url + "/app/done").text) == []


def test_proxy_http_errors_keep_messages_pending(make_server, app_server, client):
    srv = proxy_server(make_server, app_server)
    # ProxyErrorOverride: httpd serves its ErrorDocument (page.html, which has
    # the placeholder) with the backend's 404; the message stays pending
    r = client.get(app_url(srv, "override/gone", status="404",
                           h="X-Flash: error: Gone"))
    assert r.status_code == 404
    no_flash_header(r)
    assert "page body" in r.text and "app:" not in r.text
    assert "<!--FLASH_MESSAGES-->" in r.text and texts(r.text) == []
    assert has_flash(client.cookies)
    # without the override: the backend's own 404 page, also left alone
    r = client.get(app_url(srv, "gone", status="404", h="X-Flash: warning: Also gone"))
    assert r.status_code == 404
    no_flash_header(r)
    assert "app: /gone" in r.text and "<!--FLASH_MESSAGES-->" in r.text
    # JSON from the app: untouched, pending too
    r = client.get(app_url(srv, "api", ct="application/json", body='{"ok":1}',
                           h="X-Flash: success: From the API"))
    assert r.text == '{"ok":1}'
    no_flash_header(r)
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("error", "Gone"), ("warning", "Also gone"),
                                ("success", "From the API")]


# ---------------------------------------------------------------------------
# mod_lua: conf/examples/lua.conf + flash.lua, and a translate_name hook

def lua_example_server(make_server):
    def conf(srv):
        script = srv.write("../lua/flash.lua", example("flash.lua"))
        return example_conf("lua.conf", srv, {"/etc/apache2/lua/flash.lua": script})
    return serve(make_server, conf, modules=["lua"], secret=None, files={
        "docs/v1/intro.html": PAGE, "docs/v2/intro.html": PAGE,
        "settings/index.html": PAGE})


def test_example_lua_fixups_hook_on_static_page(make_server, client):
    srv = lua_example_server(make_server)
    r = client.get(srv.url + "/docs/v1/intro.html")
    assert rendered(r.text) == [("outdated warning",
                                 "You are reading the docs of version 1.")]
    assert "Set-Cookie" not in r.headers
    # only where the hook is configured
    assert texts(client.get(srv.url + "/docs/v2/intro.html").text) == []


def test_example_lua_handler_redirect(make_server, client):
    srv = lua_example_server(make_server)
    r = client.post(srv.url + "/settings/save", data={"theme": "dark"},
                    allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/settings/")
    no_flash_header(r)
    r = client.get(srv.url + "/settings/")
    assert rendered(r.text) == [("success", "Settings saved."), ("info", "See you soon.")]
    assert texts(client.get(srv.url + "/settings/").text) == []
    assert client.get(srv.url + "/settings/save").status_code == 405


LUA_TRANSLATE = """
function welcome(r)
  if r.uri == '/welcome' then
    r.notes['flashmsg'] = '"Welcome!";level=success;tags="first-visit"'
  end
  return apache2.DECLINED
end
"""


def test_lua_translate_name_hook_message_survives_404(make_server, client):
    def conf(srv):
        script = srv.write("../lua/hook.lua", LUA_TRANSLATE)
        return "LuaHookTranslateName %s welcome early" % script
    srv = serve(make_server, conf, modules=["lua"])
    # no such file: a 404, which keeps the hook's message pending
    r = client.get(srv.url + "/welcome")
    assert r.status_code == 404
    assert has_flash(client.cookies)
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("first-visit success", "Welcome!")]


# ---------------------------------------------------------------------------
# a C module on mod_flashmsg.h: tests/c_module, conf/examples/c-module.conf

@pytest.fixture(scope="module")
def example_module():
    apxs = shutil.which("apxs") or shutil.which("apxs2")
    assert apxs, "apxs is needed (Debian: apache2-dev)"
    build = tempfile.mkdtemp(prefix="flashmsg-cmod-", dir="/tmp")
    try:
        shutil.copy(C_MODULE, build)
        p = subprocess.run(
            [apxs, "-c", "-Wc,-Wall", "-Wc,-Wextra", "-Wc,-Werror", "-I" + TOP,
             os.path.basename(C_MODULE)],
            cwd=build, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=120)
        assert p.returncode == 0, "apxs failed:\n" + p.stdout
        yield os.path.join(build, ".libs", "mod_flashmsg_example.so")
    finally:
        shutil.rmtree(build, ignore_errors=True)


def c_server(make_server, so, **kw):
    return serve(make_server, lambda srv: example_conf(
        "c-module.conf", srv,
        {"/usr/lib/apache2/modules/mod_flashmsg_example.so": so}),
        secret=None, **kw)


def test_c_module_adds_then_redirect_shows(make_server, example_module, client):
    srv = c_server(make_server, example_module)
    r = client.get(srv.url + "/example", params={
        "text": "Saved via C <b>", "level": "success", "tags": "api",
        "redirect": "/page.html"}, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/page.html")
    assert has_flash(client.cookies)
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("api success", "Saved via C <b>")]
    assert "Saved via C &lt;b&gt;" in r.text


def test_c_module_add_result_and_levels(make_server, example_module, client):
    srv = c_server(make_server, example_module)
    # below FlashMsgMinLevel (info): flashmsg_add says it was ignored
    r = client.get(srv.url + "/example", params={"text": "dbg", "level": "debug"})
    assert r.text == "ignored\n"
    assert "Set-Cookie" not in r.headers
    r = client.get(srv.url + "/example", params={"text": "", "level": "error"})
    assert r.text == "ignored\n"
    r = client.get(srv.url + "/example?text=bad%FFutf8")      # not UTF-8
    assert r.text == "ignored\n"
    r = client.get(srv.url + "/example", params={"text": "numbered", "level": "35"})
    assert r.text == "kept\n"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert client.get(srv.url + "/example",
                      params={"text": "x", "level": "loud"}).status_code == 400
    # text/plain showed nothing: the kept one is pending
    r = client.get(srv.url + "/page.html")
    assert rendered(r.text) == [("", "numbered")]


def test_c_module_pending_list_does_not_consume(make_server, example_module, client):
    srv = c_server(make_server, example_module)
    add_pending(srv, client, "from a CGI")
    client.get(srv.url + "/example", params={"text": "from C", "level": "warning",
                                             "tags": "a b", "redirect": "/"},
               allow_redirects=False)
    r = client.get(srv.url + "/example?list")
    assert r.text == "20\t\tfrom a CGI\n30\ta b\tfrom C\n"
    assert "Set-Cookie" not in r.headers          # read, not consumed
    # adding and listing in one request: the new one is listed too
    r = client.get(srv.url + "/example", params={"text": "third", "list": "1"})
    assert r.text == "kept\n20\t\tfrom a CGI\n30\ta b\tfrom C\n20\t\tthird\n"
    r = client.get(srv.url + "/page.html")
    assert texts(r.text) == ["from a CGI", "from C", "third"]
    assert client.get(srv.url + "/example?list").text == ""


def test_c_module_without_mod_flashmsg(make_server, example_module, client):
    srv = c_server(make_server, example_module, flashmsg=False)
    assert "LoadModule flashmsg_module" not in srv.config
    r = client.get(srv.url + "/example", params={"text": "hi", "redirect": "/page.html"},
                   allow_redirects=False)
    assert r.status_code == 503
    assert "mod_flashmsg is not loaded" in r.text
    assert client.get(srv.url + "/example", params={"list": "1"}).status_code == 503
    assert "<!--FLASH_MESSAGES-->" in client.get(srv.url + "/page.html").text


# ---------------------------------------------------------------------------
# the other examples, run as written

def test_example_cgi_shell(make_server, client):
    def conf(srv):
        cgi_dir = os.path.join(srv.root, "cgi-bin")
        os.makedirs(cgi_dir)
        path = os.path.join(cgi_dir, "flash.sh")
        with open(path, "w") as f:
            f.write(example("flash.sh"))
        os.chmod(path, 0o755)
        return example_conf("cgi-shell.conf", srv, {"/usr/lib/cgi-bin": cgi_dir})
    srv = serve(make_server, conf, secret=None)
    r = client.post(srv.url + "/cgi-bin/flash.sh", data={"email": "a@example.com"},
                    allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/cgi-bin/flash.sh")
    no_flash_header(r)
    r = client.get(srv.url + "/cgi-bin/flash.sh")
    assert rendered(r.text) == [("success", "Settings saved."),
                                ("later info", "They apply at your next login.")]
    assert texts(client.get(srv.url + "/cgi-bin/flash.sh").text) == []


def test_example_php_fpm(make_server, php_fpm, client):
    srv = php_server(make_server, php_fpm, {"profile.php": example("php-app.php")})
    name = 'Zoë "Z" 100% 東京'
    r = client.post(srv.url + "/profile.php", data={"name": name}, allow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["Location"].endswith("/profile.php")
    no_flash_header(r)
    r = client.get(srv.url + "/profile.php")
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", "Saved: " + name),
                                ("privacy info", "Your profile is visible to everyone.")]
    r = client.post(srv.url + "/profile.php", data={"name": " "})
    assert rendered(r.text) == [("error", "Please enter your name.")]


EXAMPLE_APPS = {
    "python": ("proxy-python.conf", "app.py", "/app/", "127.0.0.1:8000"),
    "node": ("proxy-node.conf", "app.js", "/node/", "127.0.0.1:3000"),
}


@pytest.mark.parametrize("kind", sorted(EXAMPLE_APPS))
def test_example_proxied_app(make_server, client, kind):
    conf_name, app_name, prefix, address = EXAMPLE_APPS[kind]
    if kind == "node":
        if not node_binary():
            pytest.skip("node is not installed (Debian: apt-get install nodejs)")
        interpreter = node_binary()
    else:
        interpreter = sys.executable
    port = free_port()
    app = Backend("example-" + kind,
                  [interpreter, os.path.join(EXAMPLES, app_name), str(port)], port)
    try:
        app.wait_ready()
        srv = serve(make_server, lambda srv: example_conf(
            conf_name, srv, {address: "127.0.0.1:%d" % port}),
            modules=["proxy", "proxy_http"], secret=None)
        base = srv.url + prefix
        r = client.post(base, data={"name": "Zoë"}, allow_redirects=False)
        assert r.status_code == 303
        assert r.headers["Location"] == base       # rewritten by ProxyPassReverse
        no_flash_header(r)
        r = client.get(r.headers["Location"])
        r.encoding = "utf-8"
        assert rendered(r.text) == [("success", "Saved: Zoë"),
                                    ("info", "Your profile is visible to everyone.")]
        r = client.get(base + "missing")
        assert r.status_code == 404
        no_flash_header(r)
        r = client.post(base, data={"name": ""})
        assert rendered(r.text) == [("warning", "No such page: /missing"),
                                    ("error", "Please enter your name.")]
    finally:
        app.stop()


# --- FlashMsgExpose through FastCGI and through the proxy ----------------

PHP_EXPOSE = r"""<?php
// A backend that renders messages itself: FlashMsgExpose hands them over in
// the FastCGI variable FLASHMSG; it answers X-Flash-Consumed: 1 once shown.
$pending = getenv('FLASHMSG');
$data = $pending ? json_decode($pending, true) : array('messages' => array());
if (isset($_GET['consume']) && count($data['messages'])) {
    header('X-Flash-Consumed: 1');
}
header('Content-Type: application/json');
echo json_encode(array('env' => $pending ? $data : null,
                       'header' => isset($_SERVER['HTTP_X_FLASH_PENDING'])));
"""


def test_expose_through_fastcgi_variable(make_server, php_fpm, client):
    srv = php_server(make_server, php_fpm, {"expose.php": PHP_EXPOSE},
                     conf="\nFlashMsgExpose On\n")
    add_pending(srv, client, "Rendered by PHP")
    seen = client.get(srv.url + "/expose.php",
                      headers={"X-Flash-Pending": '{"messages":[{"message":"fake"}]}'}).json()
    assert [m["message"] for m in seen["env"]["messages"]] == ["Rendered by PHP"]
    r = client.get(srv.url + "/expose.php?consume=1")
    no_flash_header(r)
    assert "X-Flash-Consumed" not in r.headers
    assert texts(client.get(srv.url + "/page.html").text) == []


def test_expose_through_proxied_request_header(make_server, app_server, client):
    srv = proxy_server(make_server, app_server)
    with open(srv.conf_path, "a") as f:
        f.write("<Location /app/>\nFlashMsgExpose On\n</Location>\n")
    srv.stop()
    srv.start()
    # nothing pending: no header reaches the backend, and a client's is dropped
    r = client.get(app_url(srv, "x", echo="X-Flash-Pending"),
                   headers={"X-Flash-Pending": '{"messages":[{"message":"fake"}]}'})
    assert r.text == "-"
    add_pending(srv, client, "For the app")
    r = client.get(app_url(srv, "x", echo="X-Flash-Pending"))
    assert [m["message"] for m in json.loads(r.text)["messages"]] == ["For the app"]
    r = client.get(app_url(srv, "x", h="X-Flash-Consumed: 1", ct="text/plain", body="ok"))
    assert "X-Flash-Consumed" not in r.headers
    assert texts(client.get(srv.url + "/page.html").text) == []


def test_proxied_backend_never_sees_validators_while_messages_pend(make_server, app_server, client):
    """A backend answering 304 itself would hide pending messages."""
    srv = proxy_server(make_server, app_server)
    r = client.get(app_url(srv, "x", echo="If-None-Match"), headers={"If-None-Match": '"v1"'})
    assert r.text == '"v1"'                     # nothing pending: passed on
    add_pending(srv, client, "no 304 for you")
    r = client.get(app_url(srv, "x", echo="If-None-Match"), headers={"If-None-Match": '"v1"'})
    assert r.text == "-"
    r = client.get(app_url(srv, "x", echo="If-Modified-Since"),
                   headers={"If-Modified-Since": "Tue, 24 Nov 2026 08:00:00 GMT"})
    assert r.text == "-"

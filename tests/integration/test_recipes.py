"""Framework recipes of conf/examples/, run for real behind mod_proxy_http:
Flask (flask_flashmsg.py, flask_app.py, flask.conf), Express
(express_flashmsg.js, express_app.js, express.conf) and Django
(django_flashmsg.py, django.conf).  The helpers, apps and httpd snippets are
used as written (only ports and the key path replaced), so a broken recipe
fails here.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import requests

from conftest import has_flash, rendered, texts
from harness import TOP, free_port
from test_backends import EXAMPLES, Backend, example_conf, no_flash_header, serve


def python_with(module):
    """An interpreter that can import module: this one, or Debian's (where
    apt-get install python3-MODULE puts it)."""
    for exe in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if os.path.exists(exe) and subprocess.run(
                [exe, "-c", "import " + module], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return exe
    pytest.skip("%s is not installed (Debian: apt-get install python3-%s)" % (module, module))


NAME = 'Zoë "the" \\ one'


# ---------------------------------------------------------------------------
# Flask

def running(app):
    """Fixture body for a backend: ready before the tests, stopped after."""
    try:
        yield app.wait_ready()
    finally:
        app.stop()


@pytest.fixture(scope="module")
def flask_app():
    exe = python_with("flask")
    port = free_port()
    yield from running(Backend("flask", [exe, os.path.join(EXAMPLES, "flask_app.py"),
                                         str(port)], port, cwd=EXAMPLES))


def test_flask_helper_sends_one_structured_field(flask_app):
    # straight to the app: what httpd receives
    r = requests.post(flask_app.url + "/", data={"name": NAME}, allow_redirects=False)
    assert r.status_code == 303
    assert r.raw.headers.getlist("X-Flash") == [
        '%"Saved: %22Zo%c3%ab %22the%22 \\ one%22";level=success, '
        '"Your profile is visible to everyone.";level=info;tags="privacy"']
    r = requests.post(flask_app.url + "/", data={"name": 'A "quoted" \\ name'},
                      allow_redirects=False)
    assert r.headers["X-Flash"].startswith(
        r'"Saved: \"A \"quoted\" \\ name\"";level=success, ')
    r = requests.get(flask_app.url + "/")
    assert "X-Flash" not in r.headers


def flask_server(make_server, app):
    return serve(make_server, lambda srv: example_conf(
        "flask.conf", srv, {"127.0.0.1:5000": "127.0.0.1:%d" % app.port}),
        modules=["proxy", "proxy_http"], secret=None)


@pytest.mark.parametrize("name", [NAME, 'A "quoted" \\ name', "Plain"])
def test_flask_post_redirect_shows_once(make_server, flask_app, client, name):
    srv = flask_server(make_server, flask_app)
    r = client.post(srv.url + "/", data={"name": name}, allow_redirects=False)
    assert r.status_code == 303
    no_flash_header(r)
    assert has_flash(client.cookies)
    r = client.get(requests.compat.urljoin(srv.url + "/", r.headers["Location"]))
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", 'Saved: "%s"' % name),
                                ("privacy info", "Your profile is visible to everyone.")]
    assert texts(client.get(srv.url + "/").text) == []


def test_flask_message_on_the_same_page(make_server, flask_app, client):
    srv = flask_server(make_server, flask_app)
    r = client.post(srv.url + "/", data={"name": " "})
    assert r.status_code == 200
    no_flash_header(r)
    assert rendered(r.text) == [("error", "Please enter your name.")]
    assert texts(client.get(srv.url + "/").text) == []


# ---------------------------------------------------------------------------
# Express (express_flashmsg.js on the real Express, pinned in
# tests/browser/vendor/package.json and installed by make deps into
# build/npm; express_app.js falls back to node's http module elsewhere)

@pytest.fixture(scope="module")
def express_app():
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        pytest.skip("node is not installed (Debian: apt-get install nodejs)")
    modules = os.path.join(TOP, "build", "npm", "node_modules")
    assert os.path.isdir(os.path.join(modules, "express")), \
        "express is missing from build/npm: run make deps"
    port = free_port()
    env = dict(os.environ, NODE_PATH=modules)
    yield from running(Backend("express", [node, os.path.join(EXAMPLES, "express_app.js"),
                                           str(port)], port, cwd=EXAMPLES, env=env))


def test_express_middleware_header(express_app):
    r = requests.post(express_app.url + "/", data={"name": NAME}, allow_redirects=False)
    assert r.headers.get("X-Powered-By") == "Express"     # the real thing
    assert r.status_code == 303
    assert r.raw.headers.getlist("X-Flash") == [
        '%"Saved: %22Zo%c3%ab %22the%22 \\ one%22";level=success, '
        '"Your profile is visible to everyone.";level=info;tags="privacy"']
    r = requests.post(express_app.url + "/", data={"name": 'A "quoted" \\ name'},
                      allow_redirects=False)
    assert r.headers["X-Flash"].startswith(r'"Saved: \"A \"quoted\" \\ name\"";level=success, ')


@pytest.mark.parametrize("name", [NAME, 'A "quoted" \\ name'])
def test_express_post_redirect_shows_once(make_server, express_app, client, name):
    srv = serve(make_server, lambda srv: example_conf(
        "express.conf", srv, {"127.0.0.1:3000": "127.0.0.1:%d" % express_app.port}),
        modules=["proxy", "proxy_http"], secret=None)
    r = client.post(srv.url + "/", data={"name": name}, allow_redirects=False)
    assert r.status_code == 303
    no_flash_header(r)
    r = client.get(srv.url + r.headers["Location"])
    r.encoding = "utf-8"
    assert rendered(r.text) == [("success", 'Saved: "%s"' % name),
                                ("privacy info", "Your profile is visible to everyone.")]
    assert texts(client.get(srv.url + "/").text) == []
    r = client.post(srv.url + "/", data={"name": ""})
    assert rendered(r.text) == [("error", "Please enter your name.")]


# ---------------------------------------------------------------------------
# Django

DJANGO_PROJECT = r'''
import os, sys
sys.path.insert(0, sys.argv[2])             # conf/examples: django_flashmsg
from django.conf import settings

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<!--FLASH_MESSAGES-->
{% for m in messages %}<p class="django {{ m.tags }}">{{ m }}</p>
{% endfor %}<p>{{ title }}</p>
</body></html>
"""

settings.configure(
    DEBUG=False,
    SECRET_KEY="not secret: a test",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.messages"],
    MIDDLEWARE=[
        "django.contrib.messages.middleware.MessageMiddleware",
        "django_flashmsg.FlashMsgMiddleware",
    ],
    MESSAGE_STORAGE="django.contrib.messages.storage.cookie.CookieStorage",
    MESSAGE_LEVEL=10,
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "context_processors": ["django.contrib.messages.context_processors.messages"],
            "loaders": [("django.template.loaders.locmem.Loader", {"page.html": PAGE})],
        },
    }],
)
import django
django.setup()
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path


def home(request):
    return render(request, "page.html", {"title": "home"})


def save(request):
    messages.success(request, "Saved")
    messages.warning(request, 'Grüße "quoted" \\', extra_tags="sticky  big")
    messages.add_message(request, 35, "Custom level")
    messages.debug(request, "Debug")
    return redirect("/")


def own(request):
    # a page Django renders its messages into; one added after rendering
    messages.error(request, "Django shows this")
    response = render(request, "page.html", {"title": "own"})
    if "late" in request.GET:
        messages.info(request, "Added after rendering")
    return response


def keep(request):
    # a message waits in Django's cookie for a page Django renders
    messages.info(request, "Waiting in Django")
    return HttpResponse("plain", content_type="text/plain")


urlpatterns = [path("", home), path("save/", save), path("own/", own), path("keep/", keep)]

if __name__ == "__main__":
    from wsgiref.simple_server import WSGIRequestHandler, make_server
    from django.core.wsgi import get_wsgi_application
    make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application(),
                handler_class=WSGIRequestHandler).serve_forever()
'''


@pytest.fixture(scope="module")
def django_app():
    exe = python_with("django")
    tmp = tempfile.mkdtemp(prefix="flashmsg-django-", dir="/tmp")
    project = os.path.join(tmp, "project.py")
    with open(project, "w", encoding="utf-8") as f:
        f.write(DJANGO_PROJECT)
    port = free_port()
    try:
        yield from running(Backend("django", [exe, project, str(port), EXAMPLES], port,
                                   cwd=tmp))
    finally:
        os.unlink(project)
        os.rmdir(tmp)


def django_server(make_server, app):
    return serve(make_server, lambda srv: example_conf(
        "django.conf", srv, {"127.0.0.1:8000": "127.0.0.1:%d" % app.port})
        + "\nFlashMsgLevel notice 35\nFlashMsgMinLevel debug\n",
        modules=["proxy", "proxy_http"], secret=None)


def test_django_middleware_header(django_app):
    r = requests.post(django_app.url + "/save/", allow_redirects=False)
    assert r.status_code == 302
    assert r.raw.headers.getlist("X-Flash") == [
        '"Saved";level=success, '
        '%"Gr%c3%bc%c3%9fe %22quoted%22 \\";level=warning;tags="sticky big", '
        '"Custom level";level=35, "Debug";level=debug']
    # handed over: Django keeps nothing in its own cookie (at most deletes it)
    cookie = r.headers.get("Set-Cookie", "")
    assert "messages=" not in cookie or 'messages=""' in cookie


def test_django_redirect_shows_once(make_server, django_app, client):
    srv = django_server(make_server, django_app)
    r = client.post(srv.url + "/save/", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    no_flash_header(r)
    assert has_flash(client.cookies) and "messages" not in client.cookies
    r = client.get(srv.url + "/")
    r.encoding = "utf-8"
    # shown by httpd, once; Django's own loop on the same page has nothing
    assert rendered(r.text) == [("success", "Saved"),
                                ("sticky big warning", 'Grüße "quoted" \\'),
                                ("notice", "Custom level"), ("debug", "Debug")]
    assert 'class="django' not in r.text
    r = client.get(srv.url + "/")
    assert texts(r.text) == [] and 'class="django' not in r.text


def test_django_renders_its_own_messages(make_server, django_app, client):
    srv = django_server(make_server, django_app)
    r = client.post(srv.url + "/own/")
    assert r.status_code == 200
    no_flash_header(r)
    # Django showed it; httpd adds nothing to the same page, nor later
    assert r.text.count("Django shows this") == 1
    assert '<p class="django error">Django shows this</p>' in r.text
    assert texts(r.text) == [] and not has_flash(client.cookies)
    r = client.get(srv.url + "/")
    assert texts(r.text) == [] and 'class="django' not in r.text
    # a message added after Django rendered goes to httpd: the same page
    # has the placeholder, so it shows there, once
    r = client.post(srv.url + "/own/?late=1")
    assert '<p class="django error">Django shows this</p>' in r.text
    assert rendered(r.text) == [("info", "Added after rendering")]
    r = client.get(srv.url + "/")
    assert texts(r.text) == [] and 'class="django' not in r.text


def test_django_message_on_a_non_html_response(make_server, django_app, client):
    srv = django_server(make_server, django_app)
    r = client.get(srv.url + "/keep/")
    assert r.text == "plain"
    no_flash_header(r)
    r = client.get(srv.url + "/")
    assert rendered(r.text) == [("info", "Waiting in Django")]
    assert 'class="django' not in r.text

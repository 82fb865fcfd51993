"""Fixtures of the browser tests: the demo site on a real apache2 (guard on
and guard off), a server for the example templates and CSP nonces, and a
fresh headless Chromium per test."""
import os
import shutil
import tempfile
import time

import pytest

from helpers import (ARTIFACTS, NONCE, TOP, Httpd, missing, run_demo, safe_name,
                     save_artifact, start_chromium)


def age_files(root, days=30):
    """Give the site's files the age they have on a deployed site.

    Chromium caches a response without Cache-Control/Expires for 10% of its
    Last-Modified age (heuristic freshness) and then serves it without asking
    the server.  Files written a second ago would make that window tiny, so a
    page reused from the cache would depend on how long the run took; a month
    old makes every run behave the way a real site does."""
    old = time.time() - days * 86400
    for dirpath, _, names in os.walk(root):
        for n in names:
            os.utime(os.path.join(dirpath, n), (old, old))


def start(conf, files, name):
    srv = Httpd(conf, files=files, name=name, secret=os.urandom(32).hex(),
                log_level="flashmsg:info")
    srv.tag = name      # for the names of screenshots
    age_files(srv.htdocs)
    srv.start()
    return srv


@pytest.fixture(scope="session", autouse=True)
def fresh_artifacts():
    """artifacts/ holds those of the last run only."""
    if not missing() and os.path.isdir(ARTIFACTS):
        for n in os.listdir(ARTIFACTS):
            if n.endswith((".png", ".html")):
                os.remove(os.path.join(ARTIFACTS, n))
    yield


@pytest.fixture(scope="session")
def demo():
    """The make demo site: FlashMsgHistoryGuard On, its script allowed by
    the CSP hash."""
    srv = start(run_demo.demo_conf(), run_demo.site_files(), "guard")
    try:
        yield srv
    finally:
        srv.cleanup()


NOGUARD_CONF = run_demo.demo_conf().replace("FlashMsgHistoryGuard On\n",
                                            "FlashMsgHistoryGuard Off\n")


@pytest.fixture(scope="session")
def demo_noguard():
    """The same site with FlashMsgHistoryGuard Off: what the default markup
    alone does."""
    assert NOGUARD_CONF != run_demo.demo_conf()
    srv = start(NOGUARD_CONF, run_demo.site_files(), "noguard")
    try:
        yield srv
    finally:
        srv.cleanup()


EXAMPLES = os.path.join(TOP, "conf", "examples")
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>%(head)s<link rel="icon" href="data:,"></head>
<body><main class="%(main)s">
<!--FLASH_MESSAGES-->
<h1>%(title)s</h1>
<p><a id="away" href="%(away)s">Somewhere else</a></p>
</main></body></html>
"""
BOOTSTRAP_CSS = '<link rel="stylesheet" href="/vendor/bootstrap/css/bootstrap.min.css">'
# The Tailwind utilities tailwind.tmpl uses, as Tailwind defines them (and
# its preflight's border reset): the test has no Tailwind build.
TAILWIND_STANDIN = """<style>
*, ::before, ::after { box-sizing: border-box; border-width: 0; border-style: solid; }
.relative { position: relative; } .absolute { position: absolute; } .m-0 { margin: 0; }
.w-full { width: 100%; } .right-2 { right: .5rem; } .top-2 { top: .5rem; }
.rounded-md { border-radius: .375rem; } .rounded { border-radius: .25rem; }
.border { border-width: 1px; } .px-4 { padding-left: 1rem; padding-right: 1rem; }
.py-3 { padding-top: .75rem; padding-bottom: .75rem; } .pr-10 { padding-right: 2.5rem; }
.px-2 { padding-left: .5rem; padding-right: .5rem; } .text-sm { font-size: .875rem; }
.space-y-2 > :not([hidden]) ~ :not([hidden]) { margin-top: .5rem; }
</style>"""

EXTRA_CONF = """
FlashMsgMinLevel debug
# Bootstrap 5 and Tailwind, as conf/examples/templates.conf sets them up
<Location /bs/>
  FlashMsgTemplateFile "%(examples)s/bootstrap5.tmpl"
  FlashMsgTag error danger
  FlashMsgTag debug secondary
</Location>
<Location /tw/>
  FlashMsgTemplateFile "%(examples)s/tailwind.tmpl"
</Location>
# a CSP with a nonce (a real site makes one per response, e.g. mod_cspnonce's CSP_NONCE)
<Location /nonce/>
  FlashMsgHistoryGuard On CSP_NONCE
  SetEnv CSP_NONCE %(nonce)s
  Header set Content-Security-Policy "script-src 'nonce-%(nonce)s'"
</Location>
"""
# /x/add.cgi?m=LEVEL:TEXT&m=... adds the messages (one structured X-Flash
# list) and redirects to /x/page.html.
ADD_CGI = r'''#!/usr/bin/python3
import os, urllib.parse
q = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""))
items = []
for m in q.get("m", ["success:Saved."]):
    level, _, text = m.partition(":")
    items.append('"%s";level=%s' % (text.replace("\\", "").replace('"', ""), level))
print("Status: 303 See Other")
print("Location: " + os.path.dirname(os.environ["SCRIPT_NAME"]) + "/page.html")
print("X-Flash: " + ", ".join(items))
print()
'''


@pytest.fixture(scope="session")
def extra():
    files = {}
    for d, head, main in (("bs", BOOTSTRAP_CSS, "container py-4"), ("tw", TAILWIND_STANDIN, ""),
                          ("nonce", "", "")):
        files["%s/add.cgi" % d] = ADD_CGI
        files["%s/page.html" % d] = PAGE % dict(title="Page " + d, head=head, main=main,
                                                away="/%s/other.html" % d)
        files["%s/other.html" % d] = PAGE % dict(title="Other " + d, head=head, main=main,
                                                 away="/%s/page.html" % d)
    files.update(run_demo.vendor_files(
        {"vendor/bootstrap/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css"}))
    conf = EXTRA_CONF % dict(examples=EXAMPLES, nonce=NONCE)
    srv = start(conf, files, "extra")
    try:
        yield srv
    finally:
        srv.cleanup()


def watched(srv):
    """srv, failing the test on an [error] line it logged meanwhile."""
    srv.mark_log()
    srv.expected_errors = []
    yield srv
    bad = srv.unexpected_errors()
    assert not bad, "unexpected error log lines:\n" + "\n".join(bad)


@pytest.fixture
def server(demo):
    yield from watched(demo)


@pytest.fixture
def noguard(demo_noguard):
    yield from watched(demo_noguard)


@pytest.fixture
def extra_server(extra):
    yield from watched(extra)


def _driver(request, phone):
    profile = tempfile.mkdtemp(prefix="flashmsg-chromium-")
    drv = None
    failed_before = request.session.testsfailed
    try:
        drv = start_chromium(profile, phone=phone)
        yield drv
        if request.session.testsfailed > failed_before:
            # keep what the browser showed when the test failed (best effort)
            name = "FAILED-" + safe_name(request.node.name)
            try:
                save_artifact(drv, name)
                with open(os.path.join(ARTIFACTS, name + ".html"), "w") as f:
                    f.write(drv.page_source)
            except Exception:
                pass
    finally:
        if drv is not None:
            drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(request):
    yield from _driver(request, phone=False)


@pytest.fixture
def phone(request):
    """Chromium emulating a phone (390 CSS pixels wide, touch)."""
    yield from _driver(request, phone=True)

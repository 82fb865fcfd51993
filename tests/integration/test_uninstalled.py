"""The shipped configuration without the module (disabled with a2dismod, or
the package purged while virtual hosts still use it): conf/flashmsg.conf and
every httpd snippet in conf/examples keep each mod_flashmsg directive inside
<IfModule flashmsg_module>, so httpd still parses them and starts."""
import glob
import os
import re

import pytest

from harness import TOP, Httpd

CONF = os.path.join(TOP, "conf")
EXAMPLES = os.path.join(CONF, "examples")

# What each example needs besides mod_flashmsg to be parsed at all.
MODULES = {
    "auth-form-logout.conf": ["auth_form", "session", "session_cookie", "request",
                              "authn_core", "auth_basic"],
    "cgi-shell.conf": [],
    "django.conf": ["proxy", "proxy_http"],
    "express.conf": ["proxy", "proxy_http"],
    "flask.conf": ["proxy", "proxy_http"],
    "lua.conf": ["lua"],
    "php-fpm.conf": ["proxy", "proxy_fcgi"],
    "proxy-node.conf": ["proxy", "proxy_http"],
    "proxy-python.conf": ["proxy", "proxy_http"],
    "templates.conf": [],
    "vhost.conf": [],
}
# c-module.conf loads the example C module, built separately: checked by
# the static test only.
SHIPPED = sorted(glob.glob(os.path.join(EXAMPLES, "*.conf"))) + [
    os.path.join(CONF, "flashmsg.conf")]


def outside_ifmodule(text):
    """The FlashMsg* directive lines of text not inside
    <IfModule flashmsg_module> (comments aside)."""
    depth, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith("#") or not s:
            continue
        m = re.match(r"<(/?)(\w+)\s*([^>]*)>", s)
        if m:
            if m.group(1):
                depth.pop()
            else:
                depth.append((m.group(2).lower(), m.group(3).strip().strip('"')))
            continue
        if s.lower().startswith("flashmsg") and \
                ("ifmodule", "flashmsg_module") not in depth:
            bad.append("%d: %s" % (n, s))
    return bad


@pytest.mark.parametrize("path", SHIPPED, ids=os.path.basename)
def test_directives_inside_ifmodule(path):
    with open(path) as f:
        assert outside_ifmodule(f.read()) == []


def test_every_example_is_checked():
    assert set(MODULES) | {"c-module.conf"} == {
        os.path.basename(p) for p in glob.glob(os.path.join(EXAMPLES, "*.conf"))}


@pytest.mark.parametrize("name", sorted(MODULES) + ["../flashmsg.conf"])
def test_loads_without_the_module(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        text = f.read()
    srv = Httpd(text, modules=MODULES.get(name, []), flashmsg=False, name="nomod")
    try:
        rc, out = srv.configtest()
    finally:
        srv.cleanup()
    assert rc == 0, out

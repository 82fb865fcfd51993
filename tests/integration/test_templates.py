"""The framework templates in conf/examples render as those frameworks expect."""
import os
import re

from conftest import emit_url
from harness import TOP

EX = os.path.join(TOP, "conf", "examples")


def test_bootstrap5_template(make_server, client):
    conf = open(os.path.join(EX, "templates.conf")).read().replace(
        "/etc/apache2/flashmsg/bootstrap5.tmpl", os.path.join(EX, "bootstrap5.tmpl"))
    srv = make_server(conf)
    r = client.get(emit_url(srv.url, h='X-Flash: "Saved";level=success, "Failed <x>";level=error;tags="sticky"'))
    assert '<div class="alert alert-success alert-dismissible fade show " role="alert">Saved<button' in r.text
    assert re.search(r'class="alert alert-danger alert-dismissible fade show sticky" role="alert">Failed &lt;x&gt;', r.text)
    assert r.text.count('<div class="flash-messages">') == 1


def test_tailwind_template(make_server, client):
    srv = make_server('FlashMsgTemplateFile "%s"\nFlashMsgTag success "flash-success bg-green-50"'
                      % os.path.join(EX, "tailwind.tmpl"))
    r = client.get(emit_url(srv.url, h='X-Flash: "Done";level=success'))
    assert 'class="rounded-md border px-4 py-3 text-sm flash-success bg-green-50 ">Done</div>' in r.text

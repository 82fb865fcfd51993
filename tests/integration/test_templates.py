"""The framework templates in conf/examples render as those frameworks expect."""
import os
import re

from conftest import EMIT_CGI, emit_url, texts
from harness import TOP

EX = os.path.join(TOP, "conf", "examples")


def test_bootstrap5_template(make_server, client):
    conf = open(os.path.join(EX, "templates.conf")).read().replace(
        "/etc/apache2/flashmsg/bootstrap5.tmpl", os.path.join(EX, "bootstrap5.tmpl"))
    srv = make_server(conf)
    r = client.get(emit_url(srv.url, h='X-Flash: "Saved";level=success, "Failed <x>";level=error;tags="sticky"'))
    assert '<dialog open class="alert alert-success alert-dismissible w-100 ">Saved<form method="dialog">' \
        '<button class="btn-close" aria-label="Close"></button></form></dialog>' in r.text
    assert re.search(r'class="alert alert-danger alert-dismissible w-100 sticky">Failed &lt;x&gt;<form', r.text)
    # an error among them: an assertive live region
    assert r.text.count('<div class="flash-messages" role="status" aria-live="assertive" '
                        'data-turbo-temporary data-hx-history="false">') == 1
    r = client.get(emit_url(srv.url, h='X-Flash: "Saved";level=success'))
    assert r.text.count('<div class="flash-messages" role="status" aria-live="polite" ') == 1


def test_tailwind_template(make_server, client):
    srv = make_server('FlashMsgTemplateFile "%s"\nFlashMsgTag success "flash-success bg-green-50"'
                      % os.path.join(EX, "tailwind.tmpl"))
    r = client.get(emit_url(srv.url, h='X-Flash: "Done";level=success'))
    assert 'class="relative m-0 w-full rounded-md border px-4 py-3 pr-10 text-sm flash-success ' \
        'bg-green-50 ">Done<form method="dialog" ' in r.text
    assert '<div class="space-y-2" role="status" aria-live="polite" ' in r.text


# FlashMsgHistoryGuard: the marker and the constant script around every
# rendered block, with the CSP nonce of the request where configured.
GUARD_MARK = "<!--flashmsg-->"


def guard_script():
    """FM_GUARD_SCRIPT as filters/filters.h defines it."""
    src = open(os.path.join(TOP, "filters", "filters.h")).read()
    body = src.split("#define FM_GUARD_SCRIPT", 1)[1].split("\n\n", 1)[0]
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body))


def test_history_guard_markup(make_server, client):
    srv = make_server("FlashMsgHistoryGuard On\n"
                      "<Location /cgi/off/>\nFlashMsgHistoryGuard Off\n</Location>",
                      files={"cgi/off/emit.cgi": EMIT_CGI})
    page = "<html><body><!--FLASH_MESSAGES--><p>x</p><!--FLASH_MESSAGES--></body></html>"
    r = client.get(emit_url(srv.url, h="X-Flash: success: Guarded", body=page))
    block = r.text.split("<body>", 1)[1].split("<p>", 1)[0]
    assert block.startswith(GUARD_MARK)
    assert block.endswith("<script>" + guard_script() + "</script>")
    assert texts(block) == ["Guarded"]
    assert r.text.count(block) == 2
    # nothing pending: the page untouched, no script
    r = client.get(emit_url(srv.url, body=page))
    assert r.text == page
    # off in an inner section
    r = client.get(emit_url(srv.url, h="X-Flash: success: Unguarded", body=page)
                   .replace("/cgi/", "/cgi/off/"))
    assert r.text.count("Unguarded") == 2 and "<script" not in r.text


def test_history_guard_nonce(make_server, client):
    # the nonce as a nonce module would set it (here: from a request header)
    srv = make_server('SetEnvIf X-Test-Nonce "^(.*)$" CSP_NONCE=$1\n'
                      "FlashMsgHistoryGuard On CSP_NONCE\n")
    page = "<html><!--FLASH_MESSAGES--></html>"
    r = client.get(emit_url(srv.url, h="X-Flash: success: With a nonce", body=page),
                   headers={"X-Test-Nonce": "QmFzZTY0+/_-="})
    assert '<script nonce="QmFzZTY0+/_-=">' + guard_script() + "</script>" in r.text
    # no nonce, or one that is not: the messages without the script, a warning
    srv.mark_log()
    r = client.get(emit_url(srv.url, h="X-Flash: success: No nonce", body=page))
    assert texts(r.text) == ["No nonce"] and "<script" not in r.text
    r = client.get(emit_url(srv.url, h="X-Flash: success: Bad nonce", body=page),
                   headers={"X-Test-Nonce": 'x" onload="alert(1)'})
    assert texts(r.text) == ["Bad nonce"] and "<script" not in r.text and "alert" not in r.text
    log = srv.log_since_mark()
    assert "FlashMsgHistoryGuard: no nonce in CSP_NONCE" in log
    assert "FlashMsgHistoryGuard: CSP_NONCE is not a CSP nonce" in log
    assert re.search(r"\[flashmsg:warn\].*not a CSP nonce", log)


def test_history_guard_directive_errors(make_server):
    for conf, why in (("FlashMsgHistoryGuard Maybe", "must be On or Off"),
                      ("FlashMsgHistoryGuard Off CSP_NONCE", "only goes with On"),
                      ('FlashMsgHistoryGuard On "bad name"', "letters, digits")):
        srv = make_server(conf, start=False)
        rc, out = srv.configtest()
        assert rc != 0 and "FlashMsgHistoryGuard" in out and why in out, out

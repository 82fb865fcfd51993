#!/usr/bin/env python3
"""A profile form as a tiny app server behind mod_proxy_http (see
proxy-python.conf); standard library only.  Run: python3 app.py [PORT]

Messages are X-Flash response headers.  mod_proxy_http keeps each header
field separate, so one field per message is fine, in either form.
"""
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Profile</title></head>
<body>
<!--FLASH_MESSAGES-->
<form method="post"><label>Name <input name="name"></label> <button>Save</button></form>
</body></html>
""".encode()


def flash(level, text):
    """One message in the structured form: a Display String carries any
    UTF-8 text (everything outside printable ASCII, and % and ", encoded)."""
    enc = "".join(c if " " <= c <= "~" and c not in '%"'
                  else "".join("%%%02x" % b for b in c.encode()) for c in text)
    return '%%"%s";level=%s' % (enc, level)


class App(BaseHTTPRequestHandler):
    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self.reply(200, PAGE)
        else:
            # An error keeps its message pending until a page shows it.
            self.reply(404, b"<p>Not found</p>",
                       [("X-Flash", flash("warning", "No such page: " + self.path))])

    def do_POST(self):
        size = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(size).decode())
        name = form.get("name", [""])[0].strip()
        if name:
            # ... save name ...
            msgs = [("X-Flash", flash("success", "Saved: " + name)),
                    ("X-Flash", "info: Your profile is visible to everyone.")]
        else:
            msgs = [("X-Flash", "error: Please enter your name.")]
        # An absolute URL of this app: ProxyPassReverse makes it public.
        self.reply(303, headers=[("Location", "http://%s/" % self.headers["Host"])] + msgs)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    ThreadingHTTPServer(("127.0.0.1", port), App).serve_forever()

#!/usr/bin/python3
"""Test app server for mod_proxy_http (python3 app.py PORT): every request is
answered the way its query asks, like tests/integration/conftest.py's
emit.cgi, so the tests can send any header combination through the proxy.

  status=303            the status (default 200)
  location=URL          a Location header
  h=Name: value         a header field; repeat h for several fields (each one
                        is sent as its own field, never joined)
  ct=type               Content-Type (default text/html; charset=utf-8)
  body=...              the body (default: an HTML page with the placeholder)
  sleep=SECONDS         wait before answering
  echo=Name             the body is the value of request header Name (or "-")

Only the standard library; loopback only; GET and POST alike.
"""
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_BODY = ("<html><body><!--FLASH_MESSAGES--><p>python app: %s</p>"
                "</body></html>")


class Emit(BaseHTTPRequestHandler):
    server_version = "flashmsg-test-python"

    def answer(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if "sleep" in q:
            time.sleep(float(q["sleep"][0]))
        self.send_response(int(q.get("status", ["200"])[0]))
        if "location" in q:
            self.send_header("Location", q["location"][0])
        for line in q.get("h", []):
            name, _, value = line.partition(":")
            # raw UTF-8 bytes on the wire (http.server encodes as latin-1)
            self.send_header(name.strip(), value.strip().encode("utf-8").decode("latin-1"))
        if "echo" in q:
            body = (self.headers.get(q["echo"][0]) or "-").encode("utf-8")
        else:
            body = q.get("body", [DEFAULT_BODY % url.path])[0].encode("utf-8")
        self.send_header("Content-Type", q.get("ct", ["text/html; charset=utf-8"])[0])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = answer

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Emit).serve_forever()

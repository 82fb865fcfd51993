#!/usr/bin/env python3
"""make demo: start a real apache2 on 127.0.0.1 with mod_flashmsg and a small
site that shows the whole flow: plain pages, htmx 2 and 4 (htmx.html,
htmx4.html) and Turbo 8 (turbo.html), the client libraries served from the
npm packages make deps installed under build/npm.  Ctrl-C stops it."""
import os
import shutil
import signal
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, ".."))
SITE = os.path.join(HERE, "site")
NPM = os.path.join(TOP, "build", "npm", "node_modules")
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from harness import Httpd  # noqa: E402  (one way to run httpd, shared with the tests)

# The demo's configuration as how.html shows it (after LoadModule,
# FlashMsgSecret and FlashMsg On, which the harness writes); the browser
# tests check that how.html shows every line of it.  The hash in the CSP is
# the one of FlashMsgHistoryGuard's script (docs/directives.md).
CONF = """
FlashMsgLevel notice 22
FlashMsgMinLevel debug
FlashMsgHTMX On
FlashMsgHistoryGuard On
<Location /flash.json>
  SetHandler flashmsg-json
</Location>
<Location /moved>
  FlashMsgAdd info "You followed an old link: /moved redirects here, and FlashMsgAdd said so."
  Redirect 302 /moved /index.html
</Location>
Header set Content-Security-Policy "script-src 'self' 'sha256-jvN6PKRq+EtlJe9elXc0WJQUHB87s3BzgWA2zwP7y0M='"
"""

# htmx 2, htmx 4 and Turbo 8 from the npm tree (pinned by
# tests/browser/vendor/package-lock.json): URL path under the site -> file
# under build/npm/node_modules.  They are copied into the served tree, not
# aliased into the checkout: httpd's children run as www-data, and a
# checkout may sit below a directory they cannot enter.
VENDOR_FILES = {
    "vendor/htmx2/htmx.min.js": "htmx2/dist/htmx.min.js",
    "vendor/htmx4/htmx.min.js": "htmx4/dist/htmx.min.js",
    "vendor/turbo/turbo.es2017-esm.js": "@hotwired/turbo/dist/turbo.es2017-esm.js",
}


def demo_conf():
    return CONF + "LogLevel warn flashmsg:info\n"


def vendor_missing(files=VENDOR_FILES):
    """The vendored files that are not there (make deps installs them)."""
    return [f for f in files.values() if not os.path.isfile(os.path.join(NPM, f))]


def vendor_files(files=VENDOR_FILES):
    """{site path: bytes} of the vendored files that are there."""
    out = {}
    for url, src in files.items():
        path = os.path.join(NPM, src)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                out[url] = f.read()
    return out


def htmx4_page(htmx2_page):
    """htmx4.html: htmx.html with htmx 4 instead of htmx 2 (the markup
    works with both: hx-boost:inherited is what htmx 4 inherits)."""
    s = htmx2_page.decode()
    for old, new in (("/vendor/htmx2/", "/vendor/htmx4/"),
                     ("<title>htmx - ", "<title>htmx 4 - "),
                     ('name="back" value="/htmx.html"', 'name="back" value="/htmx4.html"'),
                     ("<span data-htmx-version>2</span>", "<span data-htmx-version>4</span>")):
        assert old in s, old
        s = s.replace(old, new)
    return s.encode()


# The stylesheet and dismiss script the module ships (share/, installed
# under apxs's DATADIR/flashmsg/), served where docs/directives.md suggests.
SHARE = os.path.join(TOP, "share")
SHARED_FILES = ["flashmsg.css", "flashmsg.js"]


def site_files():
    """demo/site/* (and the derived htmx4.html), and share/'s stylesheet
    and script under /flashmsg/, as Httpd files."""
    files = {}
    for n in SHARED_FILES:
        with open(os.path.join(SHARE, n), "rb") as f:
            files["flashmsg/" + n] = f.read()
    for dirpath, _, names in os.walk(SITE):
        for n in names:
            full = os.path.join(dirpath, n)
            with open(full, "rb") as f:
                files[os.path.relpath(full, SITE)] = f.read()
    files["htmx4.html"] = htmx4_page(files["htmx.html"])
    files.update(vendor_files())
    return files


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


DEFAULT_PORT = 8080


class PortError(Exception):
    """DEMO_PORT cannot be used; the text says why and what to do."""


def choose_port(env=None, default=DEFAULT_PORT):
    """(port, note) for the demo.  DEMO_PORT, when set, is the port or an
    error: a port asked for by name is never swapped for another one behind
    the user's back (DEMO_PORT=0: any free port).  Without DEMO_PORT the
    default is used when free, else a free port, and the note says so."""
    value = (os.environ if env is None else env).get("DEMO_PORT", "").strip()
    if value:
        try:
            port = int(value)
            if not 0 <= port <= 65535:
                raise ValueError
        except ValueError:
            raise PortError("DEMO_PORT=%r is not a port number (0-65535; 0 picks a "
                            "free port)" % value)
        if port == 0:
            return None, ""
        if not port_is_free(port):
            raise PortError("DEMO_PORT=%d: 127.0.0.1:%d is already in use (another "
                            "demo still running?); stop what listens there, or pick "
                            "another port: DEMO_PORT=8081 make demo (0: any free port)"
                            % (port, port))
        return port, ""
    if port_is_free(default):
        return default, ""
    return None, ("  NOTE: 127.0.0.1:%d is in use, so the demo took port {port} instead "
                  "(DEMO_PORT=N picks one; a busy DEMO_PORT is an error)" % default)


def main():
    try:
        port, note = choose_port()
    except PortError as e:
        print("make demo: %s" % e, file=sys.stderr)
        sys.exit(2)
    missing = vendor_missing()
    if missing:
        print("  note: %s missing under %s (run make deps): the htmx and Turbo "
              "pages will not work" % (", ".join(missing), NPM))
    srv = Httpd(demo_conf(), files=site_files(), name="demo", port=port,
                secret=os.urandom(32).hex(), log_level="flashmsg:info")
    srv.start()
    if note:
        print("\n" + note.format(port=srv.port))
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    print("\n  mod_flashmsg demo running at  %s/\n" % srv.url)
    print("  htmx: %s/htmx.html (htmx 4: /htmx4.html)   Turbo: %s/turbo.html"
          % (srv.url, srv.url))
    print("  server root: %s (error log: %s)" % (srv.root, srv.error_log))
    print("  press Ctrl-C to stop\n", flush=True)
    try:
        while not stop and srv.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        shutil.rmtree(srv.root, ignore_errors=True)
        print("\n  demo stopped")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""make demo: start a real apache2 on 127.0.0.1 with mod_flashmsg and a small
site that shows the whole flow.  Ctrl-C stops it."""
import os
import shutil
import signal
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Httpd  # noqa: E402  (one way to run httpd, shared with the tests)

CONF = """
FlashMsgLevel notice 22
FlashMsgMinLevel debug
<Location /flash.json>
  SetHandler flashmsg-json
</Location>
<Location /moved>
  FlashMsgAdd info "You followed an old link: /moved redirects here, and FlashMsgAdd said so."
  Redirect 302 /moved /index.html
</Location>
LogLevel warn flashmsg:info
"""


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def main():
    port = int(os.environ.get("DEMO_PORT", "8080"))
    if not port_is_free(port):
        port = None
    site = os.path.join(HERE, "site")
    files = {}
    for dirpath, _, names in os.walk(site):
        for n in names:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, site)
            with open(full, "rb") as f:
                files[rel] = f.read()
    srv = Httpd(CONF, files=files, name="demo", port=port,
                secret=os.urandom(32).hex(), log_level="flashmsg:info")
    srv.start()
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    print("\n  mod_flashmsg demo running at  %s/\n" % srv.url)
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

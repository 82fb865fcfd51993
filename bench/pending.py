#!/usr/bin/env python3
"""make bench-pending: what a request costs when a client holds very many
pending messages (red team finding 4).  socache storage on shmcb with
FlashMsgSessionMaxSize 1 MiB and FlashMsgCookieMaxSize 16 KiB: REFS
references of PER tiny messages each (100,000 in all by default), sent
newest first; then a page without the placeholder (keeps them: the work
repeats on every such page) and a page with it (renders and consumes).
Prints seconds per request.  A benchmark: it never fails on speed."""
import argparse
import os
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
from harness import Httpd  # noqa: E402

PAGE = "<html><body><!--FLASH_MESSAGES--><p>page</p></body></html>\n"
PLAIN = "<html><body><p>no placeholder</p></body></html>\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--refs", type=int, default=20)
    ap.add_argument("--per", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    adds = "\n".join('  FlashMsgAdd info "b%05d"' % i for i in range(args.per))
    shm = os.path.join(tempfile.mkdtemp(prefix="flashmsg-pending-"), "fm.shm")
    srv = Httpd("FlashMsgStorage socache\nFlashMsgSocache shmcb:%s(268435456)\n"
                "FlashMsgSessionMaxSize 1048576\nFlashMsgCookieMaxSize 16384\n"
                "<Location /bulk>\n%s\n  Redirect 303 /bulk /plain.html\n</Location>\n"
                % (shm, adds), files={"page.html": PAGE, "plain.html": PLAIN},
                modules=["socache_shmcb"], log_level="flashmsg:warn", name="pending")
    srv.start()
    try:
        rows = []
        for _ in range(args.repeat):
            cookies = []
            t = time.monotonic()
            for _ in range(args.refs):
                # each add carries no cookie: its own batch, one reference
                r = requests.get(srv.url + "/bulk", allow_redirects=False, timeout=600)
                cookies += [h.split(";")[0] for h in r.raw.headers.getlist("Set-Cookie")]
            add_s = (time.monotonic() - t) / args.refs
            header = "; ".join(reversed(cookies))          # newest first
            t = time.monotonic()
            requests.get(srv.url + "/plain.html", headers={"Cookie": header}, timeout=600)
            keep_s = time.monotonic() - t
            t = time.monotonic()
            r = requests.get(srv.url + "/page.html", headers={"Cookie": header}, timeout=600)
            show_s = time.monotonic() - t
            shown = r.text.count("<li")
            rows.append((add_s, keep_s, show_s, shown))
        print("%d references x %d messages, newest first" % (args.refs, args.per))
        print("%-28s %s" % ("", "  ".join("run %d" % (i + 1) for i in range(len(rows)))))
        for label, k in (("add (s per request)", 0), ("page, kept (s)", 1),
                         ("page, rendered (s)", 2)):
            print("%-28s %s" % (label, "  ".join("%5.2f" % row[k] for row in rows)))
        print("%-28s %s" % ("messages shown", "  ".join("%5d" % row[3] for row in rows)))
    finally:
        srv.cleanup()


if __name__ == "__main__":
    main()

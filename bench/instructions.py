#!/usr/bin/env python3
"""make bench-instructions: the module's cost counted in instructions.

Wall-clock timings on a shared 2-core machine move by several percent from
run to run; the number of user-space instructions a request executes does
not.  Each configuration runs `apache2 -X` (one process) under
`valgrind --tool=callgrind` twice, serving the same 10 KiB page as
bench/run.py (`EnableMMAP Off`, keep-alive, one connection) SHORT and then
LONG times; (count(LONG) - count(SHORT)) / (LONG - SHORT) is the cost of one
request, with start-up, the first request's warm-up and shutdown cancelled
out.  Configurations:

  base       httpd without the module
  idle       FlashMsg On, no cookie (no pending messages)
  rendering  FlashMsg On, every request sends bench/run.py's cookie of 3
             pending messages; each response must contain them (the module
             answers with the cookie's deletion, which this client ignores,
             so every request renders the same 3 messages)
  base+cookie  httpd without the module sent the same cookie: what httpd
             itself spends on the larger request (for information)

Prints instructions per request, idle - base and rendering - base, the
functions whose count moved most (callgrind_annotate, per request, module
on minus off), and the same numbers of the recorded baseline
(bench/results/instructions-baseline.json; --record writes it).  A
benchmark, not a test: it never fails on a number.  The callgrind files
stay in build/bench/ (callgrind_annotate FILE).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from harness import APACHE2, Httpd  # noqa: E402
from run import SNIPPET, httpd_common, page_10k, pending_cookie  # noqa: E402

OUT = os.path.join(TOP, "build", "bench")
BASELINE = os.path.join(HERE, "results", "instructions-baseline.json")
CONFIGS = ("base", "idle", "rendering", "base+cookie")
MODULE_ON = ("idle", "rendering")
SENDS_COOKIE = ("rendering", "base+cookie")
SHORT, LONG = 100, 2000


def server(mode):
    """The bench/run.py server for mode, with EnableMMAP Off, under the
    prefork MPM: with -X it reads the next request of the connection where
    it wrote the last answer, where the event MPM's worker either finds it
    there or hands the connection to its listener thread and back, as the
    client's timing falls (+-150 instructions per request from run to run)."""
    srv = Httpd(httpd_common() + "EnableMMAP Off\n", files={"page.html": page_10k()},
                flashmsg=mode in MODULE_ON, log_level="flashmsg:warn", mpm="prefork",
                name="instr-" + mode.replace("+", "-"))
    os.makedirs(os.path.join(srv.root, "callgrind"), exist_ok=True)
    return srv


def as_server_user(root):
    """callgrind creates its output file at start and writes it at exit;
    apache2 started as root is www-data by then and could not write it.  So
    valgrind runs as www-data from the start (httpd then keeps its user),
    owning the server root.  Returns a preexec_fn, or None when not root."""
    if os.geteuid() != 0:
        return None
    import pwd
    pw = pwd.getpwnam("www-data")
    for d, dirs, files in os.walk(root):
        for n in [d] + [os.path.join(d, f) for f in files]:
            os.chown(n, pw.pw_uid, pw.pw_gid)

    def drop():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return drop


def count(mode, requests, cookie, tag):
    """Run apache2 -X under callgrind for `requests` requests on one
    keep-alive connection; returns the callgrind file (moved to build/bench/)."""
    srv = server(mode)
    out_dir = os.path.join(srv.root, "callgrind")
    out = os.path.join(out_dir, "callgrind.out")
    proc = None
    try:
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
             APACHE2, "-X", "-f", srv.conf_path],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=as_server_user(srv.root))
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError("apache2 under valgrind exited at start:\n%s\n%s"
                                   % (proc.stderr.read().decode(errors="replace"),
                                      srv.read_log()))
            try:
                socket.create_connection(("127.0.0.1", srv.port), 0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("apache2 under valgrind did not listen")
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        for i in range(requests):
            conn.request("GET", "/page.html", headers=headers)
            r = conn.getresponse()
            body = r.read().decode()
            if r.status != 200 or (SNIPPET in body) != (mode == "rendering"):
                raise RuntimeError("%s request %d: status %d, messages %s"
                                   % (mode, i, r.status, SNIPPET in body))
            if mode == "rendering" and "flashmsg" not in (r.getheader("Set-Cookie") or ""):
                raise RuntimeError("rendering request %d: no cookie deletion" % i)
        conn.close()
        # A SIGTERM that falls while prefork -X is still closing the
        # connection can be lost: sent again every 5 s, at most 12 times.
        for _ in range(12):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                pass
        else:
            raise RuntimeError("apache2 under valgrind did not stop")
        errors = srv.unexpected_errors()
        if errors:
            raise RuntimeError("%s: error log:\n%s" % (mode, "\n".join(errors)))
        os.makedirs(OUT, exist_ok=True)
        dest = os.path.join(OUT, "callgrind.%s.%s.%d" % (mode, tag, requests))
        shutil.move(out, dest)
        return dest
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        srv.cleanup()


def totals(path):
    """(total instructions, {function: instructions}) of a callgrind file,
    self cost per function as callgrind_annotate reports it."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100",
                           "--auto=no", path], capture_output=True, text=True,
                          check=True).stdout
    total = None
    funcs = {}
    line_re = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$")
    for line in text.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        name = m.group(2).strip()
        if name.startswith("PROGRAM TOTALS"):
            total = n
            continue
        if total is None:
            continue
        # "file:function [object]": keep the function and the object's name.
        # valgrind names a function without a symbol by its address, and
        # gives an address of httpd's modules (their PLT) to whichever module
        # it met first, differently from run to run: those are summed.
        fm = re.match(r"^(?:.*?:)?([^:\s][^\s]*)\s*(?:\[(.*)\])?$", name)
        if fm:
            fn, obj = fm.group(1), fm.group(2) or ""
            if fn.startswith("0x") and "/apache2/modules/" in obj:
                name = "(no symbol) [httpd's modules]"
            else:
                name = "%s [%s]" % (fn, os.path.basename(obj)) if obj else fn
        funcs[name] = funcs.get(name, 0) + n
    if total is None:
        raise RuntimeError("no PROGRAM TOTALS in " + path)
    return total, funcs


def per_request(short_file, long_file):
    t1, f1 = totals(short_file)
    t2, f2 = totals(long_file)
    n = LONG - SHORT
    funcs = {k: (f2.get(k, 0) - f1.get(k, 0)) / n for k in set(f1) | set(f2)}
    return (t2 - t1) / n, funcs


def measure(mode, cookie, tag):
    cookie = cookie if mode in SENDS_COOKIE else None
    short = count(mode, SHORT, cookie, tag)
    long_ = count(mode, LONG, cookie, tag)
    return per_request(short, long_)


def top_diff(on, off, n):
    keys = set(on) | set(off)
    diff = {k: on.get(k, 0) - off.get(k, 0) for k in keys}
    return sorted(((k, v) for k, v in diff.items() if abs(v) >= 1),
                  key=lambda kv: -abs(kv[1]))[:n]


def git_describe():
    try:
        return subprocess.run(["git", "-C", TOP, "log", "-1", "--format=%h %s"],
                              capture_output=True, text=True).stdout.strip()[:100]
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--record", action="store_true",
                    help="write the numbers as the baseline (%s)" % os.path.relpath(BASELINE, TOP))
    ap.add_argument("--repeat", type=int, default=1,
                    help="measure each configuration N times and print the spread")
    ap.add_argument("--top", type=int, default=15, help="functions listed per configuration")
    ap.add_argument("--only", choices=CONFIGS, action="append",
                    help="measure only these configurations (repeatable)")
    args = ap.parse_args()
    modes = args.only or list(CONFIGS)
    if "base" not in modes:
        modes.insert(0, "base")
    cookie = pending_cookie()
    runs = {m: [] for m in modes}
    for rep in range(args.repeat):
        for mode in modes:
            t0 = time.time()
            ins, funcs = measure(mode, cookie, "r%d" % rep)
            runs[mode].append((ins, funcs))
            print("%-11s run %d: %9.0f instructions per request (%.0f s)"
                  % (mode, rep + 1, ins, time.time() - t0), flush=True)
    now = {m: sum(r[0] for r in runs[m]) / len(runs[m]) for m in modes}
    funcs = {m: runs[m][0][1] for m in modes}
    base_line = None
    if os.path.exists(BASELINE) and not args.record:
        with open(BASELINE) as f:
            base_line = json.load(f)

    print("\ninstructions per request (callgrind, apache2 -X, %d - %d requests, "
          "EnableMMAP Off, keep-alive):" % (LONG, SHORT))
    hdr = "  %-22s %10s" % ("", "now")
    if base_line:
        hdr += " %10s %9s" % ("baseline", "change")
    print(hdr)
    rows = [(m, now[m]) for m in modes] + [("%s - base" % m, now[m] - now["base"])
                                           for m in modes if m != "base"]
    for name, val in rows:
        line = "  %-22s %10.0f" % (name, val)
        if base_line:
            key = name.replace(" - ", "_minus_")
            old = base_line["per_request"].get(key)
            if old is not None:
                line += " %10.0f %+9.0f" % (old, val - old)
        print(line)
    if base_line:
        print("  (baseline: %s)" % base_line.get("commit", "?"))
    if args.repeat > 1:
        print("\nrepeatability (spread of %d runs, instructions per request):" % args.repeat)
        for m in modes:
            vals = [r[0] for r in runs[m]]
            print("  %-11s %s  spread %.3f %%" % (m, "  ".join("%.0f" % v for v in vals),
                                                100 * (max(vals) - min(vals)) / min(vals)))
    top = {}
    for m in modes:
        if m not in MODULE_ON:
            continue
        top[m] = top_diff(funcs[m], funcs["base"], max(args.top, 40))
        old = (base_line or {}).get("top_functions", {}).get(m, {})
        print("\n%s - base, by function (instructions per request%s):"
              % (m, "; baseline" if old else ""))
        for k, v in top[m][:args.top]:
            print("  %+8.0f  %s  %s" % (v, "%+8d" % old[k] if k in old else " " * 8, k))
    if args.record:
        os.makedirs(os.path.dirname(BASELINE), exist_ok=True)
        rec = {"commit": git_describe(), "date": time.strftime("%Y-%m-%d"),
               "method": "callgrind, apache2 -X, (count(%d) - count(%d)) / %d requests"
                         % (LONG, SHORT, LONG - SHORT),
               "per_request": {k.replace(" - ", "_minus_"): round(v) for k, v in rows},
               "top_functions": {m: {k: round(v) for k, v in top[m]} for m in top}}
        with open(BASELINE, "w") as f:
            json.dump(rec, f, indent=1)
            f.write("\n")
        print("\nwrote %s" % os.path.relpath(BASELINE, TOP))


if __name__ == "__main__":
    main()

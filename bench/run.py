#!/usr/bin/env python3
"""make bench / make bench-quick: mod_flashmsg's cost, measured side by side.

Every server runs on 127.0.0.1 at once; wrk drives them in alternation,
round after round, and the medians become ratios against each server's own
baseline:

  httpd, module not loaded              baseline
  httpd, FlashMsg On, no cookie         idle           target >= 0.99
  same, cookie with 3 messages          rendering      target >= 0.95
  httpd + mod_substitute (same snippet) peer
  nginx                                 peer baseline
  nginx + sub_filter (same snippet)     peer

plus 1 GiB streaming (bytes/s, server RSS), and the C codec micro-benchmark.
Writes bench/results/latest.csv and latest.png (gnuplot).  A benchmark, not
a test: it never fails on speed.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from harness import Httpd, SECRET, free_port  # noqa: E402
from forge import payload, sign  # noqa: E402

RESULTS = os.path.join(HERE, "results")
MESSAGES = [(25, "Your profile was saved.", ""),
            (20, "A confirmation mail is on its way.", ""),
            (30, "Your password expires in 5 days.", "sticky")]
# What our default template renders for MESSAGES: the peers substitute the
# same bytes, so every server sends the same page.
SNIPPET = ('<div class="flashmsg" role="status" aria-live="polite" data-turbo-temporary '
           'data-hx-history="false">'
           '<ul class="messages"><li class="success">Your profile was saved.</li>'
           '<li class="info">A confirmation mail is on its way.</li>'
           '<li class="sticky warning">Your password expires in 5 days.</li></ul></div>')


# The pending messages as a browser now holds them: one batch cookie,
# flashmsg.ID (the MAC binds that full name).  Every request of the
# "rendering" run sends the same cookie; the module renders it and answers
# with its deletion, which wrk ignores.
BATCH_COOKIE = "flashmsg.Bench001"


def pending_cookie():
    """A Cookie header value holding MESSAGES, signed for BATCH_COOKIE."""
    return "%s=%s" % (BATCH_COOKIE, sign(SECRET, payload(MESSAGES), BATCH_COOKIE))


def page_10k():
    head = "<!DOCTYPE html><html><head><title>bench</title></head><body>\n<!--FLASH_MESSAGES-->\n"
    filler = "<p>%s</p>\n" % ("lorem ipsum dolor sit amet " * 3)
    body = head
    while len(body) < 10 * 1024 - 20:
        body += filler
    return (body + "</body></html>\n")[:10 * 1024 - 15] + "</body></html>\n"


def httpd_common():
    # httpd defaults otherwise (EnableSendfile Off, as Debian ships it and as
    # nginx defaults too, so both baselines write from user space)
    return "KeepAlive On\nMaxKeepAliveRequests 0\n"


def start_nginx(docroot, sub):
    d = tempfile.mkdtemp(prefix="flashmsg-nginx-", dir="/tmp")
    os.chmod(d, 0o755)
    port = free_port()
    loc = ("location / { sub_filter '<!--FLASH_MESSAGES-->' '%s'; sub_filter_types text/html; }"
           % SNIPPET.replace("'", "\\'")) if sub else "location / { }"
    conf = """
worker_processes 2;
daemon off;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path %(d)s/body; proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fcgi; uwsgi_temp_path %(d)s/uwsgi; scgi_temp_path %(d)s/scgi;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:%(port)d; root %(root)s; %(loc)s }
}
""" % {"d": d, "port": port, "root": docroot, "loc": loc}
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["nginx", "-c", os.path.join(d, "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            import socket
            with socket.create_connection(("127.0.0.1", port), 0.2):
                break
        except OSError:
            time.sleep(0.05)
    return proc, "http://127.0.0.1:%d" % port, d


def server_cpu_ticks(pid):
    """utime + stime (clock ticks) of a server's processes (parent + children)."""
    pids = [str(pid)] + subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                       text=True).stdout.split()
    total = 0
    for p in pids:
        try:
            with open("/proc/%s/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            pass
    return total


def wrk(url, seconds, cookie=None, threads=1, conns=16):
    argv = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, url]
    if cookie:
        argv[1:1] = ["-H", "Cookie: " + cookie]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError("wrk printed no rate:\n" + out)


def check_page(url, cookie, expect_messages):
    import requests
    r = requests.get(url, headers={"Cookie": cookie} if cookie else {})
    has = SNIPPET in r.text
    if has != expect_messages:
        raise RuntimeError("%s: expected messages=%s, got a page without/with them"
                           % (url, expect_messages))


def child_rss_kib(pid):
    total = 0
    for c in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                            text=True).stdout.split():
        try:
            with open("/proc/%s/status" % c) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total = max(total, int(line.split()[1]))
        except FileNotFoundError:
            pass
    return total


def stream(url, cookie, pid):
    """Download url; returns (bytes/s, peak child RSS growth KiB)."""
    base = child_rss_kib(pid)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], child_rss_kib(pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}", url]
    if cookie:
        argv[1:1] = ["-H", "Cookie: " + cookie]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300).stdout.split()
    finally:
        done.set()
        t.join()
    return float(out[0]), peak[0] - base


def make_big_file(path, with_placeholders):
    block = (b"<p>" + b"x" * 1017 + b"</p>\n") * 64            # 64 KiB
    marked = b"<!--FLASH_MESSAGES-->" + block[21:]
    with open(path, "wb") as f:
        f.write(b"<html><body>")
        for _ in range(16384):
            f.write(marked if with_placeholders else block)
        f.write(b"</body></html>")


def codec_bench(quick):
    exe = os.path.join(TOP, "build", "codec_bench")
    out = subprocess.run([exe, "5000" if quick else "50000"], capture_output=True,
                         text=True, check=True).stdout
    return list(csv.DictReader(out.splitlines()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--streams-only", action="store_true",
                    help="only the 1 GiB streaming measurement")
    args = ap.parse_args()
    rounds, seconds = (3, 3) if args.quick else (7, 8)
    stream_reps = 1 if args.quick else 3

    site = {"page.html": page_10k()}
    cookie = pending_cookie()
    servers = {
        "httpd": Httpd(httpd_common(), files=site, flashmsg=False, name="b-base"),
        "flashmsg": Httpd(httpd_common(), files=site, log_level="flashmsg:warn",
                          name="b-fm"),
        "substitute": Httpd(httpd_common() + "AddOutputFilterByType SUBSTITUTE text/html\n"
                            "Substitute \"s|<!--FLASH_MESSAGES-->|%s|n\"\n"
                            % SNIPPET.replace('"', '\\"'),
                            files=site, flashmsg=False, modules=["substitute", "filter"],
                            name="b-sub"),
    }
    nginx = {}
    try:
        for s in servers.values():
            s.start()
        nginx["nginx"] = start_nginx(servers["httpd"].htdocs, False)
        nginx["nginx_sub"] = start_nginx(servers["httpd"].htdocs, True)
        urls = {
            "httpd": (servers["httpd"].url + "/page.html", None),
            "idle": (servers["flashmsg"].url + "/page.html", None),
            "rendering": (servers["flashmsg"].url + "/page.html", cookie),
            "substitute": (servers["substitute"].url + "/page.html", None),
            "nginx": (nginx["nginx"][1] + "/page.html", None),
            "nginx_sub": (nginx["nginx_sub"][1] + "/page.html", None),
        }
        # every configuration serves what it claims before it is measured
        check_page(urls["idle"][0], None, False)
        check_page(urls["rendering"][0], cookie, True)
        check_page(urls["substitute"][0], None, True)
        check_page(urls["nginx_sub"][0], None, True)
        check_page(urls["nginx"][0], None, False)
        for name, (url, ck) in urls.items():              # warm-up
            wrk(url, 1, ck)
        rates = {k: [] for k in urls}
        cpu = {k: [] for k in urls}       # server CPU microseconds per request
        pid_of = {"httpd": servers["httpd"].proc.pid, "idle": servers["flashmsg"].proc.pid,
                  "rendering": servers["flashmsg"].proc.pid,
                  "substitute": servers["substitute"].proc.pid,
                  "nginx": nginx["nginx"][0].pid, "nginx_sub": nginx["nginx_sub"][0].pid}
        hz = os.sysconf("SC_CLK_TCK")
        for rnd in range(0 if args.streams_only else rounds):
            order = list(urls) if rnd % 2 == 0 else list(reversed(list(urls)))
            for name in order:
                url, ck = urls[name]
                t0 = server_cpu_ticks(pid_of[name])
                rate = wrk(url, seconds, ck)
                ticks = server_cpu_ticks(pid_of[name]) - t0
                rates[name].append(rate)
                cpu[name].append(ticks / hz * 1e6 / (rate * seconds))
            print("round %d/%d: %s" % (rnd + 1, rounds, ", ".join(
                "%s %.0f" % (k, rates[k][-1]) for k in urls)), flush=True)
        med = {k: statistics.median(v) if v else float("nan") for k, v in rates.items()}

        def paired(a, b):
            """Median of per-round ratios: each pair ran back to back, so
            the machine's drift between rounds cancels out."""
            if not rates[a]:
                return float("nan")
            return statistics.median(x / y for x, y in zip(rates[a], rates[b]))

        ratios = [
            ("idle (module on, no cookie) / httpd", paired("idle", "httpd"), 0.99),
            ("rendering 3 messages / httpd", paired("rendering", "httpd"), 0.95),
            ("mod_substitute / httpd", paired("substitute", "httpd"), None),
            ("nginx sub_filter / nginx", paired("nginx_sub", "nginx"), None),
        ]

        # streaming: 1 GiB, module off vs on (messages pending)
        bigdir = os.path.join(servers["httpd"].htdocs, "big")
        os.makedirs(bigdir, exist_ok=True)
        make_big_file(os.path.join(bigdir, "plain.html"), False)
        make_big_file(os.path.join(bigdir, "marked.html"), True)
        for s in (servers["flashmsg"],):
            os.makedirs(os.path.join(s.htdocs, "big"), exist_ok=True)
            for f in ("plain.html", "marked.html"):
                dst = os.path.join(s.htdocs, "big", f)
                if not os.path.exists(dst):
                    os.link(os.path.join(bigdir, f), dst)
        streams = {}
        for body in ("plain", "marked"):
            off, on, rss = [], [], []
            for _ in range(stream_reps):
                bps, _ = stream(servers["httpd"].url + "/big/%s.html" % body, None,
                                servers["httpd"].proc.pid)
                off.append(bps)
                bps, grow = stream(servers["flashmsg"].url + "/big/%s.html" % body, cookie,
                                   servers["flashmsg"].proc.pid)
                on.append(bps)
                rss.append(grow)
            streams[body] = (statistics.median(off), statistics.median(on), max(rss))
        ratios.append(("1 GiB, no placeholder: bytes/s on / off",
                       streams["plain"][1] / streams["plain"][0], 0.9))
        ratios.append(("1 GiB, placeholder every 64 KiB: on / off",
                       streams["marked"][1] / streams["marked"][0], 0.9))
    finally:
        for s in servers.values():
            s.cleanup()
        for proc, _, d in nginx.values():
            proc.terminate()
            proc.wait(10)
            shutil.rmtree(d, ignore_errors=True)

    codec = codec_bench(args.quick)

    # report
    print("\nrequests/s (median of %d x %ds, wrk -t1 -c16, keep-alive, 10 KiB page):" % (rounds, seconds))
    for k, v in med.items():
        print("  %-11s %10.0f" % (k, v))
    print("\nserver CPU per request (median, microseconds):")
    cpu_med = {k: statistics.median(v) if v else float("nan") for k, v in cpu.items()}
    for k, v in cpu_med.items():
        print("  %-11s %8.1f" % (k, v))
    print("  module cost: idle %+.1f us, rendering %+.1f us; mod_substitute %+.1f us; "
          "nginx sub_filter %+.1f us" % (cpu_med["idle"] - cpu_med["httpd"],
                                         cpu_med["rendering"] - cpu_med["httpd"],
                                         cpu_med["substitute"] - cpu_med["httpd"],
                                         cpu_med["nginx_sub"] - cpu_med["nginx"]))
    print("\nratios:")
    for name, val, target in ratios:
        verdict = "" if target is None else ("  target >= %.2f: %s" % (target, "met" if val >= target else "NOT met"))
        print("  %-42s %.3f%s" % (name, val, verdict))
    print("\nrendering overhead (1 - paired ratio): ours %.1f%%, mod_substitute %.1f%%, "
          "nginx sub_filter %.1f%%" % tuple(100 * (1 - r[1]) for r in ratios[1:4]))
    for body, (off, on, grow) in streams.items():
        print("1 GiB %-6s: off %.0f MB/s, on %.0f MB/s, server RSS growth %d KiB"
              % (body, off / 1e6, on / 1e6, grow))
    print("\ncodec (ns per operation):")
    for row in codec:
        print("  %-9s %2s messages, %4s bytes: store %6s ns, load %6s ns"
              % (row["kind"], row["messages"], row["value_bytes"], row["store_ns"], row["load_ns"]))

    os.makedirs(RESULTS, exist_ok=True)
    csv_path = os.path.join(RESULTS, "latest.csv")
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "value", "target"])
        for k, v in med.items():
            w.writerow(["rps_" + k, "%.0f" % v, ""])
        for k, v in cpu_med.items():
            w.writerow(["cpu_us_per_request_" + k, "%.1f" % v, ""])
        for name, val, target in ratios:
            w.writerow([name, "%.4f" % val, "" if target is None else target])
        for body, (off, on, grow) in streams.items():
            w.writerow(["stream_%s_off_Bps" % body, "%.0f" % off, ""])
            w.writerow(["stream_%s_on_Bps" % body, "%.0f" % on, ""])
            w.writerow(["stream_%s_rss_growth_KiB" % body, grow, ""])
        for row in codec:
            w.writerow(["codec_%s_%s_store_ns" % (row["kind"], row["messages"]), row["store_ns"], ""])
            w.writerow(["codec_%s_%s_load_ns" % (row["kind"], row["messages"]), row["load_ns"], ""])
    print("\nwrote %s" % csv_path)
    if shutil.which("gnuplot"):
        dat = os.path.join(RESULTS, "ratios.dat")
        with open(dat, "w") as f:
            for name, val, target in ratios:
                f.write('"%s" %.4f\n' % (name.replace(" / ", "/\\n").replace(": ", ":\\n"), val))
        png = os.path.join(RESULTS, "latest.png")
        subprocess.run(["gnuplot", "-e", """
set terminal pngcairo size 900,420 font ',10' noenhanced;
set output '%s';
set title 'mod_flashmsg: throughput relative to each server without the feature (1.0 = no cost)';
set style fill solid 0.6; set boxwidth 0.6; set yrange [0:1.15]; set grid ytics;
set ylabel 'ratio';
plot '%s' using 0:2:xtic(1) with boxes notitle lc rgb '#3553c7', '' using 0:2:(sprintf('%%.3f',$2)) with labels offset 0,1 notitle
""" % (png, dat)], check=False)
        os.unlink(dat)
        print("wrote %s" % png)


if __name__ == "__main__":
    main()

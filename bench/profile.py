#!/usr/bin/env python3
"""Where does a request's time go?  Runs one configuration of the benchmark
(base | idle | rendering) under wrk and samples every apache2 process with
perf's software clock (no hardware counters needed), then prints the top
symbols.  Usage: bench/profile.py rendering [seconds]"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Httpd  # noqa: E402
from run import page_10k, pending_cookie, httpd_common  # noqa: E402

mode = sys.argv[1] if len(sys.argv) > 1 else "rendering"
seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
srv = Httpd(httpd_common(), files={"page.html": page_10k()}, flashmsg=mode != "base",
            log_level="flashmsg:warn", name="profile")
srv.start()
data = "/tmp/flashmsg-perf-%s.data" % mode
try:
    pids = subprocess.run(["pgrep", "-f", srv.conf_path], capture_output=True,
                          text=True).stdout.split()
    argv = ["wrk", "-t1", "-c16", "-d%ds" % seconds, srv.url + "/page.html"]
    if mode == "rendering":
        argv[1:1] = ["-H", "Cookie: " + pending_cookie()]
    perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "2000", "-g",
                             "-o", data, "-p", ",".join(pids)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    print(subprocess.run(argv, capture_output=True, text=True).stdout)
    perf.send_signal(2)
    perf.wait()
finally:
    srv.cleanup()
print(subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                      "--sort", "dso,symbol", "--percent-limit", "1"],
                     capture_output=True, text=True).stdout[:6000])

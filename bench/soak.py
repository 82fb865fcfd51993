#!/usr/bin/env python3
"""make soak: many simulated users through add -> redirect -> render, for
each storage, against the real apache2 with the freshly built module.

Loopback only, bounded twice: a request budget per run (--requests, load
phase; the drain afterwards is bounded by --drain-pages/--drain-time) and a
wall-time limit per run (--time) and for the whole invocation (--max-total;
the defaults keep `make soak` under 10 minutes).  Everything it starts
(apache2, a private PostgreSQL, redis-server, memcached) is stopped by PID, also on Ctrl-C/SIGTERM.
An idle keep-alive connection that httpd closes as a request goes out is
retried once on a new connection, as browsers do (counted as "retried").

Every message text is a unique id "u<user>-<seq>", added by a CGI backend
with the structured header form (X-Flash: "u3-17";level=info), so at the end
the script counts exactly, per storage:

  added         add requests answered with the 303 (the module took the message)
  shown         distinct added messages rendered at least once
  lost          added, never rendered (after the run every user loads the
                page until nothing more renders: "lost" means never shown)
  twice         distinct messages rendered more than once
  reshown       total extra renderings of already shown messages
  out of order  first renderings of a message after a newer one of the same user
  foreign       a message of another user rendered (must always be 0)

plus requests, 5xx, 4xx, connection errors, the apache2 children's total RSS
(VmRSS from /proc/<pid>/status) at start / middle / end of the load, and the
"database is locked" lines in the error log.

Modes (--mode):
  single   issue 13: each user, sequentially: 1-3 adds, each a 303 redirect
           to a page without the placeholder, then a page with it.
  twotabs  issue 16: each user has two tabs sharing ONE cookie jar, in
           parallel: tab A adds a message (303) and follows the redirect to a
           page without the placeholder; tab B loads the page with the
           placeholder, paced to A's request count.  The jar behaves like a
           browser's: a Cookie header built from it when a request is sent,
           each response's Set-Cookie (including Max-Age=0 deletion) applied
           when that response arrives.

Results: a table per mode on stdout (markdown), and build/soak/soak-<time>.csv
(plus build/soak/latest.csv); each run's error log is kept in build/soak/logs/.
A measurement, not a test: it never fails on the numbers (exit 0), only when
a server cannot be started.
"""
import argparse
import csv
import email.utils
import http.cookiejar
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import threading
import time
import urllib.parse

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from harness import Httpd  # noqa: E402
from conftest import SITE, DBD_QUERIES, texts  # noqa: E402
from postgres import Postgres  # noqa: E402
from engines import Memcached, Redis  # noqa: E402

OUT = os.path.join(TOP, "build", "soak")
SQLITE_SCHEMA = "create table session (key varchar(255) primary key, value text, expiry integer)"
PG_SCHEMA = "create table session (key varchar(255) primary key, value text, expiry bigint)"
SESSION_DBD = ["session", "session_dbd", "dbd"]
DBD_SESSION_CONF = "Session On\nSessionDBDCookieName session path=/;httponly\n"

# name -> (label, FlashMsgStorage, database, modules, extra configuration)
STORAGES = {
    "cookie": ("cookie", "cookie", None, [], ""),
    "fallback-sqlite": ("fallback + session_dbd SQLite", "fallback", "sqlite", SESSION_DBD,
                        'DBDriver sqlite3\nDBDParams "{db}"\n' + DBD_QUERIES + DBD_SESSION_CONF),
    "session-pgsql": ("session + session_dbd PostgreSQL", "session", "pgsql", SESSION_DBD,
                      'DBDriver pgsql\nDBDParams "{db}"\n' + DBD_QUERIES + DBD_SESSION_CONF),
    "fallback-sessioncookie": ("fallback + session_cookie", "fallback", None,
                               ["session", "session_cookie"],
                               "Session On\nSessionCookieName session path=/;httponly\n"),
    "session-sqlite": ("session + session_dbd SQLite", "session", "sqlite", SESSION_DBD,
                       'DBDriver sqlite3\nDBDParams "{db}"\n' + DBD_QUERIES + DBD_SESSION_CONF),
    "socache-shmcb": ("socache shmcb", "socache", None, ["socache_shmcb"],
                      "FlashMsgSocache shmcb\n"),
    "socache-redis": ("socache redis", "socache", "redis", ["socache_redis"],
                      "FlashMsgSocache redis:{redis}\n"),
    "socache-memcache": ("socache memcached", "socache", "memcache", ["socache_memcache"],
                         "FlashMsgSocache memcache:{memcache}\n"),
}
# database -> cache engine started for it (once per invocation)
ENGINES = {"redis": Redis, "memcache": Memcached}
DEFAULT_STORAGES = ("cookie,fallback-sqlite,session-pgsql,fallback-sessioncookie,session-sqlite,"
                    "socache-shmcb,socache-redis,socache-memcache")
DEFAULT_REQUESTS = 2400
DEFAULT_TIME = 45.0          # per run, with the default budget
DEFAULT_MAX_TOTAL = 520.0    # the whole default invocation: make soak < 10 minutes

PAGE = "/page.html"          # has the placeholder
PLAIN = "/plain.html"        # has none: a redirect target that keeps messages pending
ID = re.compile(r"^u(\d+)-(\d+)$")
DB_LOCKED = "database is locked"
RETRYABLE = ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError")


class Stop(Exception):
    """The run's request budget or wall time is used up."""


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """requests.Session must not keep cookies of its own: the Jar does."""

    def set_ok(self, cookie, request):
        return False

    def return_ok(self, cookie, request):
        return False


class Jar:
    """One browser's cookie jar, shared by its tabs: the Cookie header is
    built when a request is sent, Set-Cookie applied when a response arrives."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cookies = {}    # name -> value, in creation order (as browsers send them)

    def header(self):
        with self.lock:
            return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def apply(self, set_cookies):
        with self.lock:
            for sc in set_cookies:
                parts = [p.strip() for p in sc.split(";")]
                name, _, value = parts[0].partition("=")
                name = name.strip()
                delete = False
                for attr in parts[1:]:
                    k, _, v = attr.partition("=")
                    k = k.strip().lower()
                    if k == "max-age":
                        try:
                            delete = int(v) <= 0
                        except ValueError:
                            pass
                    elif k == "expires" and not any(
                            a.lower().startswith("max-age") for a in parts[1:]):
                        try:
                            delete = email.utils.parsedate_to_datetime(v).timestamp() <= time.time()
                        except (TypeError, ValueError):
                            pass
                if delete:
                    self.cookies.pop(name, None)
                elif name in self.cookies:
                    self.cookies[name] = value      # keeps its creation position
                else:
                    self.cookies[name] = value


class Budget:
    """Request tickets for one run: at most `limit`, and none after `deadline`."""

    def __init__(self, limit, seconds):
        self.limit = limit
        self.start = time.monotonic()
        self.deadline = self.start + seconds
        self.used = 0
        self.lock = threading.Lock()
        self.stopped_by = None
        self.halt = threading.Event()

    def take(self):
        with self.lock:
            if self.halt.is_set():
                raise Stop()
            if self.used >= self.limit:
                self.stopped_by = self.stopped_by or "requests"
                self.halt.set()
                raise Stop()
            if time.monotonic() >= self.deadline:
                self.stopped_by = self.stopped_by or "time"
                self.halt.set()
                raise Stop()
            self.used += 1


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = self.s5xx = self.s4xx = self.errors = 0
        self.drain_requests = 0
        self.error_kinds = {}
        self.retries = 0

    def retried(self):
        with self.lock:
            self.retries += 1

    def count(self, status, drain=False, error=None):
        with self.lock:
            if error:
                self.error_kinds[error] = self.error_kinds.get(error, 0) + 1
            self.requests += 1
            if drain:
                self.drain_requests += 1
            if status is None:
                self.errors += 1
            elif status >= 500:
                self.s5xx += 1
            elif status >= 400:
                self.s4xx += 1


class User:
    def __init__(self, uid, seed):
        self.uid = uid
        self.jar = Jar()
        self.rng = random.Random(seed * 1000003 + uid)
        self.seq = 0
        self.attempted = []      # seqs whose add request was sent
        self.added = []          # seqs whose add was answered 303
        self.displays = []       # seqs in the order the pages rendered them
        self.foreign = 0
        self.lock = threading.Lock()

    def next_id(self):
        self.seq += 1
        return self.seq, "u%d-%d" % (self.uid, self.seq)

    def record(self, body):
        got = []
        for t in texts(body):
            m = ID.match(t)
            if not m or int(m.group(1)) != self.uid:
                self.foreign += 1
                continue
            got.append(int(m.group(2)))
        with self.lock:
            self.displays.extend(got)
        return got


class Tab:
    """One browser tab: its own keep-alive connection, the user's jar."""

    def __init__(self, base, user, stats, budget, timeout):
        self.base = base
        self.user = user
        self.stats = stats
        self.budget = budget
        self.timeout = timeout
        self.http = requests.Session()
        self.http.cookies.set_policy(NoCookies())

    def get(self, path, drain=False):
        if not drain:
            self.budget.take()
        for attempt in (1, 2):
            cookie = self.user.jar.header()
            try:
                r = self.http.get(self.base + path, allow_redirects=False, timeout=self.timeout,
                                  headers={"Cookie": cookie} if cookie else {})
                break
            except requests.ConnectionError as e:
                # httpd closed an idle keep-alive connection as the request
                # went out (event MPM under load): nothing was processed, and
                # a browser sends the request again on a new connection
                if attempt == 1 and any(x in str(e) for x in RETRYABLE):
                    self.stats.retried()
                    continue
                self.stats.count(None, drain, "%s: %s" % (type(e).__name__, str(e)[-120:]))
                return None
            except requests.RequestException as e:
                self.stats.count(None, drain, "%s: %s" % (type(e).__name__, str(e)[-120:]))
                return None
        self.user.jar.apply(r.raw.headers.getlist("Set-Cookie"))
        self.stats.count(r.status_code, drain)
        return r

    def add(self):
        """Add one message via a 303 to the page without placeholder, and
        follow the redirect."""
        seq, text = self.user.next_id()
        header = 'X-Flash: "%s";level=info' % text
        path = "/cgi/emit.cgi?" + urllib.parse.urlencode(
            {"status": "303 See Other", "location": PLAIN, "h": header, "body": "moved"})
        r = self.get(path)          # raises Stop before anything is sent
        with self.user.lock:
            self.user.attempted.append(seq)
            if r is not None and r.status_code == 303:
                self.user.added.append(seq)
        if r is not None and r.status_code == 303:
            self.get(r.headers.get("Location", PLAIN))

    def page(self, drain=False):
        r = self.get(PAGE, drain)
        if r is None or r.status_code != 200:
            return None
        return self.user.record(r.text)

    def close(self):
        self.http.close()


# --- the two modes -----------------------------------------------------------

def run_single(user, tab, budget):
    try:
        while True:
            for _ in range(user.rng.randint(1, 3)):
                tab.add()
            tab.page()
    except Stop:
        pass


def run_twotabs(user, tab_a, tab_b, budget):
    cond = threading.Condition()
    count = {"a": 0, "b": 0, "a_done": False}

    def a():
        try:
            while True:
                tab_a.add()
                with cond:
                    count["a"] += 2
                    cond.notify_all()
        except Stop:
            pass
        finally:
            with cond:
                count["a_done"] = True
                cond.notify_all()

    def b():
        # B keeps pace with A (about one page per A request), so the two
        # tabs' requests overlap all the time instead of B running alone
        try:
            while True:
                with cond:
                    while count["b"] > count["a"] and not count["a_done"]:
                        cond.wait(0.5)
                    if count["a_done"]:
                        return
                    count["b"] += 1
                tab_b.page()
        except Stop:
            pass

    ta = threading.Thread(target=a, daemon=True)
    ta.start()
    b()
    ta.join()


# --- servers -------------------------------------------------------------------

def children_rss_kib(pid):
    """Sum of VmRSS of the processes whose parent is `pid` (apache2's
    children: the worker processes and the cgid daemon)."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            if ppid != pid:
                continue
            with open("/proc/%s/status" % d) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


class Servers:
    """What one invocation started, stopped by PID in stop()."""

    def __init__(self):
        self.httpd = []
        self.pg = None
        self.pg_dbs = 0
        self.engines = {}    # database -> Redis or Memcached

    def postgres(self):
        if self.pg is None:
            self.pg = Postgres()
            self.pg.start()
        self.pg_dbs += 1
        db = "soak%d" % self.pg_dbs
        self.pg.psql("create database %s" % db)
        self.pg.psql(PG_SCHEMA, db=db)
        return db

    def start_httpd(self, name, loglevel):
        label, storage, database, modules, extra = STORAGES[name]
        site = dict(SITE)
        conf = "FlashMsgStorage %s\n%s" % (storage, extra)
        srv = Httpd(conf, files=site, modules=modules, name="soak-" + name,
                    log_level=loglevel)
        self.httpd.append(srv)
        srv.db = None
        if database == "sqlite":
            dbdir = os.path.join(srv.root, "db")
            os.makedirs(dbdir)
            srv.db = os.path.join(dbdir, "sessions.db")
            with sqlite3.connect(srv.db) as c:
                c.execute(SQLITE_SCHEMA)
            if os.geteuid() == 0:      # the children (www-data) write it and its journal
                for p in (dbdir, srv.db):
                    shutil.chown(p, "www-data", "www-data")
            srv.config = srv.config.replace("{db}", srv.db)
        elif database == "pgsql":
            srv.pgdb = self.postgres()
            srv.config = srv.config.replace("{db}", self.pg.dbd_params(srv.pgdb))
        elif database in ENGINES:
            if database not in self.engines:
                self.engines[database] = ENGINES[database]().start()
            srv.config = srv.config.replace("{%s}" % database,
                                            "127.0.0.1:%d" % self.engines[database].port)
        with open(srv.conf_path, "w") as f:
            f.write(srv.config)
        srv.database = database
        srv.start()
        return srv

    def rows_left(self, srv):
        """Session rows that still hold a message after everything was shown."""
        q = "select count(*) from session where value like '%flashmsg=%'"
        try:
            if srv.database == "sqlite":
                with sqlite3.connect(srv.db, timeout=10) as c:
                    return c.execute(q).fetchone()[0]
            if srv.database == "pgsql":
                return int(self.pg.psql(q, db=srv.pgdb).strip())
        except Exception as e:  # a measurement: report, do not fail
            return "?(%s)" % e
        return ""

    def stop_httpd(self, srv):
        srv.cleanup()
        if srv in self.httpd:
            self.httpd.remove(srv)

    def stop(self):
        for srv in list(self.httpd):
            self.stop_httpd(srv)
        if self.pg is not None:
            self.pg.stop()
            self.pg = None
        for engine in self.engines.values():
            engine.cleanup()
        self.engines = {}


# --- one run -------------------------------------------------------------------

def run(servers, mode, name, args, total_deadline):
    seconds = min(args.time, max(1.0, total_deadline - time.monotonic()))
    srv = servers.start_httpd(name, args.loglevel)
    pid = srv.proc.pid
    try:
        # warm up: one request so the child and cgid exist, then the start RSS
        requests.get(srv.url + PLAIN, timeout=10)
        rss = {"start": children_rss_kib(pid), "mid": None, "end": None, "peak": 0}
        stats = Stats()
        budget = Budget(args.requests, seconds)
        users = [User(u, args.seed) for u in range(1, args.users + 1)]
        tabs = []

        def monitor():
            while not budget.halt.wait(0.25):
                now = children_rss_kib(pid)
                rss["peak"] = max(rss["peak"], now)
                if rss["mid"] is None and (
                        budget.used >= budget.limit // 2
                        or time.monotonic() - budget.start >= seconds / 2):
                    rss["mid"] = now

        def user_main(user):
            if mode == "single":
                t = Tab(srv.url, user, stats, budget, args.timeout)
                tabs.append(t)
                run_single(user, t, budget)
            else:
                ta = Tab(srv.url, user, stats, budget, args.timeout)
                tb = Tab(srv.url, user, stats, budget, args.timeout)
                tabs.extend((ta, tb))
                run_twotabs(user, ta, tb, budget)

        mon = threading.Thread(target=monitor, daemon=True)
        mon.start()
        threads = [threading.Thread(target=user_main, args=(u,), daemon=True) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            # a thread blocked in a request ends with the request's timeout
            t.join(seconds + 2 * args.timeout + 5)
        load_seconds = time.monotonic() - budget.start
        budget.halt.set()
        mon.join(5)
        rss["end"] = children_rss_kib(pid)
        rss["peak"] = max(rss["peak"], rss["end"])
        if rss["mid"] is None:
            rss["mid"] = rss["end"]
        load_requests = stats.requests

        # drain: every user loads the page until nothing more renders
        drain_deadline = time.monotonic() + args.drain_time

        def drain(user):
            t = Tab(srv.url, user, stats, budget, args.timeout)
            for _ in range(args.drain_pages):
                if time.monotonic() > drain_deadline:
                    break
                got = t.page(drain=True)
                if got == []:
                    break
            t.close()

        dthreads = [threading.Thread(target=drain, args=(u,), daemon=True) for u in users]
        for t in dthreads:
            t.start()
        for t in dthreads:
            t.join(args.drain_time + args.timeout + 5)
        for t in tabs:
            t.close()

        row = tally(users)
        log = srv.read_log()
        os.makedirs(os.path.join(OUT, "logs"), exist_ok=True)
        log_path = os.path.join(OUT, "logs", "%s-%s-%s-error.log" % (args.stamp, mode, name))
        with open(log_path, "w") as f:
            f.write(log)
        row.update({
            "mode": mode, "storage": name, "label": STORAGES[name][0],
            "users": args.users, "request_budget": args.requests,
            "time_limit_s": round(seconds, 1),
            "stopped_by": budget.stopped_by or "done",
            "requests": stats.requests, "load_requests": load_requests,
            "drain_requests": stats.drain_requests,
            "5xx": stats.s5xx, "4xx": stats.s4xx, "conn_errors": stats.errors,
            "retried": stats.retries, "child_crashes": log.count("exit signal"),
            "rss_start_kib": rss["start"], "rss_mid_kib": rss["mid"],
            "rss_end_kib": rss["end"], "rss_peak_kib": rss["peak"],
            "db_locked": log.count(DB_LOCKED),
            "module_lost": sum(int(n) for n in re.findall(r"(\d+) message\(s\) lost", log)),
            "log": os.path.relpath(log_path, TOP),
            "log_error_lines": len(re.findall(r"^\[[^\]]*\] \[[a-z_0-9]*:(?:error|crit|alert|emerg)\]",
                                              log, re.M)),
            "log_warn_lines": len(re.findall(r"^\[[^\]]*\] \[[a-z_0-9]*:warn\]", log, re.M)),
            "rows_left": servers.rows_left(srv),
            "error_kinds": "; ".join("%dx %s" % (n, k) for k, n in
                                     sorted(stats.error_kinds.items(), key=lambda kv: -kv[1])[:3]),
            "load_seconds": round(load_seconds, 1),
            "req_per_s": round(load_requests / load_seconds, 1) if load_seconds else 0,
        })
        return row
    finally:
        servers.stop_httpd(srv)


def tally(users):
    attempted = added = shown = lost = twice = reshown = ooo = foreign = unknown = 0
    for u in users:
        attempted += len(u.attempted)
        added += len(u.added)
        foreign += u.foreign
        counts = {}
        top = 0
        for seq in u.displays:
            n = counts.get(seq, 0)
            counts[seq] = n + 1
            if n == 0:
                if seq < top:
                    ooo += 1
                top = max(top, seq)
        ok = set(u.added)
        shown += sum(1 for s in ok if s in counts)
        lost += sum(1 for s in ok if s not in counts)
        twice += sum(1 for s, n in counts.items() if n > 1)
        reshown += sum(n - 1 for n in counts.values())
        unknown += sum(1 for s in counts if s not in ok)
    return {"attempted": attempted, "added": added, "shown": shown, "lost": lost,
            "twice": twice, "reshown": reshown, "out_of_order": ooo,
            "foreign": foreign, "shown_not_added": unknown}


# --- output ---------------------------------------------------------------------

COLUMNS = ["stamp", "mode", "storage", "label", "users", "request_budget", "time_limit_s",
           "stopped_by", "requests", "load_requests", "drain_requests", "5xx", "4xx",
           "conn_errors", "retried", "child_crashes", "attempted", "added", "shown", "lost", "twice", "reshown",
           "out_of_order", "foreign", "shown_not_added", "rss_start_kib", "rss_mid_kib",
           "rss_end_kib", "rss_peak_kib", "db_locked", "module_lost", "log_error_lines", "log_warn_lines",
           "rows_left", "load_seconds", "req_per_s", "error_kinds", "log"]


def mib(kib):
    return "%.1f" % (kib / 1024.0)


def table(rows, mode):
    head = ("| storage | requests | 5xx | 4xx | added | shown | lost | shown twice "
            "(extra displays) | out of order | children RSS MiB start / mid / end "
            "| db locked | time s |")
    out = ["", "mode %s" % mode, head, "|" + "---|" * 12]
    for r in rows:
        out.append("| %s | %d | %d | %d | %d | %d | %d | %d (%d) | %d | %s / %s / %s | %d | %.0f |" % (
            r["label"], r["requests"], r["5xx"], r["4xx"],
            r["added"], r["shown"], r["lost"], r["twice"], r["reshown"],
            r["out_of_order"], mib(r["rss_start_kib"]), mib(r["rss_mid_kib"]),
            mib(r["rss_end_kib"]), r["db_locked"], r["load_seconds"]))
    notes = []
    for r in rows:
        extra = []
        if r["conn_errors"]:
            extra.append("%d connection errors/timeouts (%s)" % (r["conn_errors"], r["error_kinds"]))
        if r["child_crashes"]:
            extra.append("%d apache2 children died of a signal" % r["child_crashes"])
        if r["foreign"]:
            extra.append("%d messages of another user rendered" % r["foreign"])
        if r["stopped_by"] == "time":
            extra.append("stopped by the time limit after %d load requests" % r["load_requests"])
        if r["rows_left"] not in ("", 0):
            extra.append("%s session rows still hold a message" % r["rows_left"])
        if r["module_lost"]:
            extra.append("the module logged %d message(s) lost" % r["module_lost"])
        if r["log_error_lines"]:
            extra.append("%d error log lines (%s)" % (r["log_error_lines"], r["log"]))
        if extra:
            notes.append("  %s: %s" % (r["label"], "; ".join(extra)))
    return "\n".join(out + notes)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["single", "twotabs", "both"], default="both")
    ap.add_argument("--storages", default=DEFAULT_STORAGES,
                    help="comma-separated, of: %s (default %%(default)s)" % ", ".join(STORAGES))
    ap.add_argument("--users", type=int, default=16, help="simulated users (default %(default)s)")
    ap.add_argument("--requests", type=int, default=DEFAULT_REQUESTS,
                    help="request budget per storage and mode, drain not counted "
                         "(default %(default)s)")
    ap.add_argument("--time", type=float, default=None,
                    help="wall-time limit of one run's load, seconds (default %g with the "
                         "default budget, else requests/30)" % DEFAULT_TIME)
    ap.add_argument("--max-total", type=float, default=None,
                    help="wall-time limit of the whole invocation, seconds: a run's load "
                         "ends at it and later runs are skipped (default %g with the default "
                         "budget and time, else runs x (time + 60))" % DEFAULT_MAX_TOTAL)
    ap.add_argument("--drain-pages", type=int, default=20,
                    help="at most this many page loads per user after the run")
    ap.add_argument("--drain-time", type=float, default=30)
    ap.add_argument("--timeout", type=float, default=20, help="per request, seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loglevel", default="flashmsg:warn",
                    help="the servers' LogLevel after 'warn' (default %(default)s)")
    args = ap.parse_args()
    names = [s.strip() for s in args.storages.split(",") if s.strip()]
    for n in names:
        if n not in STORAGES:
            ap.error("unknown storage %r" % n)
    modes = ["single", "twotabs"] if args.mode == "both" else [args.mode]
    defaults = args.requests == DEFAULT_REQUESTS and args.time is None
    if args.time is None:
        args.time = DEFAULT_TIME if args.requests == DEFAULT_REQUESTS else max(
            DEFAULT_TIME, args.requests / 30.0)
    if args.max_total is None:
        args.max_total = (DEFAULT_MAX_TOTAL if defaults
                          else len(modes) * len(names) * (args.time + 60))
    if args.users < 1 or args.requests < 1 or args.time <= 0 or args.max_total <= 0:
        ap.error("--users, --requests, --time and --max-total must be positive")
    args.stamp = time.strftime("%Y%m%d-%H%M%S")

    start = time.monotonic()
    total_deadline = start + args.max_total
    servers = Servers()

    def on_signal(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)

    os.makedirs(OUT, exist_ok=True)
    csv_path = os.path.join(OUT, "soak-%s.csv" % args.stamp)
    results = {m: [] for m in modes}
    skipped = []
    print("soak: %d users, %d requests and %gs per run (%gs in all at most), modes %s, "
          "storages %s" % (args.users, args.requests, args.time, args.max_total,
                           "+".join(modes), ", ".join(names)), flush=True)
    try:
        with open(csv_path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
            w.writeheader()
            for mode in modes:
                for name in names:
                    if time.monotonic() >= total_deadline - 5:
                        skipped.append("%s/%s" % (mode, name))
                        continue
                    row = run(servers, mode, name, args, total_deadline)
                    row["stamp"] = args.stamp
                    results[mode].append(row)
                    w.writerow(row)
                    f.flush()
                    print("  %-8s %-24s %6d requests in %5.1fs: added %d, lost %d, twice %d, "
                          "out of order %d" % (mode, name, row["requests"], row["load_seconds"],
                                               row["added"], row["lost"], row["twice"],
                                               row["out_of_order"]), flush=True)
    except KeyboardInterrupt:
        print("soak: interrupted, stopping what it started", file=sys.stderr)
    finally:
        servers.stop()
    shutil.copyfile(csv_path, os.path.join(OUT, "latest.csv"))
    for mode in modes:
        if results[mode]:
            print(table(results[mode], mode))
    if skipped:
        print("\nskipped (--max-total reached): %s" % ", ".join(skipped))
    print("\n%.0f s in all; CSV: %s" % (time.monotonic() - start, os.path.relpath(csv_path, TOP)))


if __name__ == "__main__":
    main()

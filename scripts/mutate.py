#!/usr/bin/env python3
"""Mutation check: break one behaviour at a time and see which tests notice.

For each mutation in tests/mutations.txt: copy the tracked tree (git
ls-files) to a temporary directory, apply the mutation's exact text
replacements there, build mod_flashmsg.so, run `make unit` in the copy if
the mutation lists `unit`, and run the integration test files it lists from
this tree's tests/integration against the mutant module (FLASHMSG_MODULE).
A failed test counts if it fails again when run once more (a catch must be
reproducible) and passes on an unmutated copy (the baseline, which runs the
union of the listed tests).  The working tree is never modified.

    make mutate                         every mutation, listed test files
    scripts/mutate.py --list            the mutations and their test files
    scripts/mutate.py --only NAME       one mutation (repeatable)
    scripts/mutate.py --all             the whole integration suite each time

Prints "mutation -> caught by N tests / SURVIVED" and exits 1 if any mutant
survived (or did not build, or its original text was not found exactly once).
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LIST = os.path.join(TOP, "tests", "mutations.txt")
INTEGRATION = os.path.join(TOP, "tests", "integration")


class ListError(Exception):
    pass


class Mutation:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.what = []
        self.tests = None
        self.edits = []        # [path, original, replacement]

    @property
    def unit(self):
        return "unit" in self.tests

    @property
    def files(self):
        return [t for t in self.tests if t != "unit"]


def _text(lines):
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def parse_list(path):
    """tests/mutations.txt -> [Mutation] (format: see the file's header)."""
    muts, m, block = [], None, None
    with open(path) as f:
        lines = f.read().splitlines()
    for no, line in enumerate(lines, 1):
        if line.startswith("== "):
            m = Mutation(line[3:].strip(), no)
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", m.name):
                raise ListError("%s:%d: bad mutation name %r" % (path, no, m.name))
            if any(x.name == m.name for x in muts):
                raise ListError("%s:%d: duplicate mutation %s" % (path, no, m.name))
            muts.append(m)
            block = None
        elif m is None:
            if line.strip() and not line.startswith("#"):
                raise ListError("%s:%d: text before the first mutation" % (path, no))
        elif line.startswith("--- "):
            m.edits.append([line[4:].strip(), [], None])
            block = "old"
        elif line.rstrip() == "+++" and block == "old":
            m.edits[-1][2] = []
            block = "new"
        elif block == "old":
            m.edits[-1][1].append(line)
        elif block == "new":
            m.edits[-1][2].append(line)
        elif line.startswith("#"):
            m.what.append(line.lstrip("# ").rstrip())
        elif line.startswith("tests:"):
            m.tests = line[6:].split()
        elif line.strip():
            raise ListError("%s:%d: unexpected line in %s: %r" % (path, no, m.name, line))
    for m in muts:
        if m.tests is None:
            raise ListError("%s:%d: %s has no tests: line" % (path, m.line, m.name))
        if not m.edits:
            raise ListError("%s:%d: %s has no edit" % (path, m.line, m.name))
        for e in m.edits:
            if e[2] is None:
                raise ListError("%s:%d: %s: edit of %s has no +++" % (path, m.line, m.name, e[0]))
            e[1], e[2] = _text(e[1]), _text(e[2])
            if not e[1].strip():
                raise ListError("%s:%d: %s: empty original text" % (path, m.line, m.name))
        for t in m.files:
            if not os.path.isfile(os.path.join(INTEGRATION, t)):
                raise ListError("%s:%d: %s: no tests/integration/%s" % (path, m.line, m.name, t))
    return muts


def check_edits(m):
    """Each original text must occur exactly once in this tree's file."""
    for path, old, _ in m.edits:
        full = os.path.join(TOP, path)
        if not os.path.isfile(full):
            raise ListError("%s: %s does not exist" % (m.name, path))
        with open(full) as f:
            n = f.read().count(old)
        if n != 1:
            raise ListError("%s: original text found %d times in %s (must be "
                            "exactly once; update tests/mutations.txt):\n%s"
                            % (m.name, n, path, old))


def tree_files():
    out = subprocess.run(["git", "ls-files", "-z"], cwd=TOP, check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return sorted({p for p in out.split("\0") if p
                   and os.path.lexists(os.path.join(TOP, p))})


def copy_tree(dest):
    for p in tree_files():
        src, dst = os.path.join(TOP, p), os.path.join(dest, p)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isfile(src):
            shutil.copy2(src, dst)


def apply_edits(m, dest):
    for path, old, new in m.edits:
        full = os.path.join(dest, path)
        with open(full) as f:
            src = f.read()
        if src.count(old) != 1:   # an earlier edit of this mutation changed it
            raise ListError("%s: original text not found exactly once in %s "
                            "after the mutation's earlier edits" % (m.name, path))
        with open(full, "w") as f:
            f.write(src.replace(old, new))


def run(cmd, cwd, log, timeout, env=None):
    """Run cmd with its output appended to log; (exit code or None on
    timeout).  On timeout the command gets SIGINT (pytest then tears its
    servers down), SIGKILL if it lingers."""
    with open(log, "a") as out:
        out.write("\n$ %s\n" % " ".join(cmd))
        out.flush()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            out.write("\n*** timeout after %ds\n" % timeout)
            out.flush()
            try:
                os.killpg(p.pid, signal.SIGINT)
                p.wait(timeout=30)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
            return None


def junit_failures(path):
    """Node ids (file.py::test[param]) that failed or errored in a pytest
    JUnit XML report."""
    failed = set()
    root = ET.parse(path).getroot()
    for tc in root.iter("testcase"):
        if tc.find("failure") is None and tc.find("error") is None:
            continue
        parts = tc.get("classname", "").split(".")
        node = None
        for k in range(len(parts), 0, -1):
            f = "/".join(parts[:k]) + ".py"
            if os.path.isfile(os.path.join(INTEGRATION, f)):
                node = "::".join([f] + parts[k:] + [tc.get("name", "")])
                break
        failed.add(node or "%s::%s" % (tc.get("classname"), tc.get("name")))
    return failed


# Check's report of a failed test: "file:line:F:tcase:test:iteration: message"
CHECK_FAIL = re.compile(r"^[^:\n]+:\d+:[FE]:([^:\n]*):([^:\n]*):", re.M)
MAKE_IGNORED = re.compile(r"^make: \[[^\]]*\] Error (\d+) \(ignored\)", re.M)


class Result:
    def __init__(self, m):
        self.m = m
        self.failed = set()      # test ids that failed (confirmed)
        self.flaky = set()       # failed once, passed when run again
        self.status = None       # None | "build" | "timeout" | "error"
        self.note = ""
        self.seconds = 0.0
        self.dir = None


def pytest_cmd(xml, opts, targets):
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-o", "junit_family=xunit2", "--junitxml=" + xml]
    if not opts.slow:
        cmd += ["-m", "not slow"]
    return cmd + targets


def run_unit(res, tmp, opts, make):
    """`make unit` in the copy; every test program runs (-i) and every
    failure is counted.  False if it did not build."""
    ulog = os.path.join(tmp, "unit.log")
    rc = run([make, "-i", "unit"], tmp, ulog, opts.build_timeout + opts.timeout)
    with open(ulog, errors="replace") as f:
        text = f.read()
    if rc is None:
        res.status, res.note = "timeout", "make unit timed out"
    elif "Running suite" not in text:
        res.status, res.note = "build", "the unit tests did not build (see %s)" % ulog
        return False
    found = {"unit:%s:%s" % x for x in CHECK_FAIL.findall(text)}
    errors = MAKE_IGNORED.findall(text)
    if errors and not found:
        # a sanitizer report, a crash, or a fuzz corpus input rejected
        found = {"unit:(a test program failed, see %s)" % ulog}
    res.failed |= found
    return True


def run_integration(res, tmp, opts, files):
    log = os.path.join(tmp, "mutate.log")
    env = dict(os.environ, FLASHMSG_MODULE=os.path.join(tmp, "mod_flashmsg.so"),
               PYTHONDONTWRITEBYTECODE="1")
    xml = os.path.join(tmp, "junit.xml")
    rc = run(pytest_cmd(xml, opts, ["."] if opts.all else files),
             INTEGRATION, log, opts.timeout, env)
    if rc is None:
        res.status = "timeout"
        res.note = "integration tests timed out after %ds" % opts.timeout
    if not os.path.exists(xml):
        if rc not in (0, None):
            res.status = "error"
            res.note = "pytest exited %d without a report (see %s)" % (rc, log)
        return
    failed = junit_failures(xml)
    if failed and not opts.no_rerun and rc is not None:
        # A catch must be reproducible: run the failed tests once more; one
        # that passes now is flaky, not evidence.
        xml2 = os.path.join(tmp, "junit-rerun.xml")
        rc2 = run(pytest_cmd(xml2, opts, sorted(failed)), INTEGRATION, log,
                  opts.timeout, env)
        if os.path.exists(xml2):
            again = junit_failures(xml2)
            res.flaky = {"integration:" + t for t in failed - again}
            failed &= again
        elif rc2 is None:
            res.status = "timeout"
            res.note = "re-run of the failed tests timed out"
    res.failed |= {"integration:" + t for t in failed}


def run_one(m, opts, files):
    """Copy, mutate, build and test; returns a Result."""
    res = Result(m)
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="flashmsg-mutant-%s-" % m.name.strip("()"))
    res.dir = tmp
    log = os.path.join(tmp, "mutate.log")
    make = os.environ.get("MAKE", "make")
    try:
        copy_tree(tmp)
        apply_edits(m, tmp)
        # A fresh copy: nothing is up to date, every build is real.
        if run([make, "mod_flashmsg.so"], tmp, log, opts.build_timeout) != 0:
            res.status, res.note = "build", "mod_flashmsg.so did not build (see %s)" % log
            return res
        if opts.build_only:
            return res
        if m.unit and not run_unit(res, tmp, opts, make):
            return res
        if files or opts.all:
            run_integration(res, tmp, opts, files)
    except ListError as e:
        res.status, res.note = "error", str(e)
    except Exception as e:   # report it in the table, go on with the others
        res.status, res.note = "error", "%s: %s" % (type(e).__name__, e)
    finally:
        res.seconds = time.time() - t0
        if not opts.keep and res.status is None:
            shutil.rmtree(tmp, ignore_errors=True)
            res.dir = None
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", action="store_true", help="list the mutations and exit")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this mutation (repeatable)")
    ap.add_argument("--all", action="store_true",
                    help="run the whole integration suite for every mutant")
    ap.add_argument("--slow", action="store_true",
                    help="include tests marked slow (1 GiB bodies)")
    ap.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="mutants built and tested at once (default: %(default)s)")
    ap.add_argument("--timeout", type=int, default=600,
                    help="seconds for each test run (default: %(default)s)")
    ap.add_argument("--build-timeout", type=int, default=300,
                    help="seconds for each build (default: %(default)s)")
    ap.add_argument("--build-only", action="store_true",
                    help="only check that every mutant applies and builds")
    ap.add_argument("--no-rerun", action="store_true",
                    help="count a failure without running the failed tests again")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the unmutated run (every failure then counts)")
    ap.add_argument("--keep", action="store_true",
                    help="keep every mutant's copy (those with problems are always kept)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="name every test that caught each mutant")
    opts = ap.parse_args()

    try:
        muts = parse_list(LIST)
        if opts.only:
            unknown = [n for n in opts.only if n not in {m.name for m in muts}]
            if unknown:
                raise ListError("unknown mutation(s): %s (see --list)" % ", ".join(unknown))
            muts = [m for m in muts if m.name in opts.only]
        if opts.list:
            for m in muts:
                print("%-28s %s" % (m.name, " ".join(m.what)))
                print("%-28s   %s; tests: %s" % ("", ", ".join(sorted({e[0] for e in m.edits})),
                                                 " ".join(m.tests) or "-"))
            return 0
        for m in muts:
            check_edits(m)
    except ListError as e:
        print("mutate: %s" % e, file=sys.stderr)
        return 2

    start = time.time()
    lock = threading.Lock()
    done = [0]
    if opts.build_only:
        opts.no_baseline = True
    total = len(muts) + (0 if opts.no_baseline else 1)

    def progress(res):
        with lock:
            done[0] += 1
            if res.status in ("build", "error"):
                verdict = res.status.upper()
            elif opts.build_only:
                verdict = "builds"
            elif res.m.name == "(baseline)":
                verdict = "%d failing" % len(res.failed)
            else:
                verdict = "%d failed" % len(res.failed)
            print("[%d/%d] %-28s %-12s %4.0fs" % (done[0], total, res.m.name, verdict,
                                                res.seconds), flush=True)

    def task(m, files):
        res = run_one(m, opts, files)
        progress(res)
        return res

    base = None
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = []
        if not opts.no_baseline:
            b = Mutation("(baseline)", 0)
            b.tests = (["unit"] if any(m.unit for m in muts) else []) + \
                sorted({f for m in muts for f in m.files})
            futures.append(pool.submit(task, b, b.files))
        futures += [pool.submit(task, m, m.files) for m in muts]
        results = [f.result() for f in futures]
    if not opts.no_baseline:
        base, results = results[0], results[1:]

    ignored = base.failed if base else set()
    print()
    print("Mutation check: %d mutation(s), %s, %d job(s), %.0fs"
          % (len(muts), "whole integration suite" if opts.all else "listed test files",
             opts.jobs, time.time() - start))
    if base and (base.status or base.failed):
        print("baseline (unmutated): %s%s" % (base.status.upper() + " " if base.status else "",
                                               base.note))
        for t in sorted(base.failed):
            print("  failing without any mutation, not counted: %s" % t)
    bad = 0
    width = max(len(m.name) for m in muts) if muts else 10
    for res in results:
        caught = sorted(res.failed - ignored)
        units = sum(1 for t in caught if t.startswith("unit:"))
        if res.status in ("build", "error"):
            verdict = "%s: %s" % (res.status.upper(), res.note)
            bad += 1
        elif opts.build_only:
            verdict = "applies and builds"
        elif caught:
            verdict = "caught by %d test%s (%d unit, %d integration)" % (
                len(caught), "" if len(caught) == 1 else "s", units, len(caught) - units)
            if res.status == "timeout":
                verdict += "; %s" % res.note
        elif res.status == "timeout":
            verdict = "TIMEOUT: %s" % res.note
            bad += 1
        else:
            verdict = "SURVIVED"
            bad += 1
        print("%-*s -> %s" % (width, res.m.name, verdict))
        if opts.verbose or len(caught) <= 3:
            for t in caught:
                print("%-*s      %s" % (width, "", t))
        for t in sorted(res.flaky):
            print("%-*s      (flaky, passed when run again; not counted: %s)" % (width, "", t))
        if res.dir:
            print("%-*s      kept: %s" % (width, "", res.dir))
    survived = [r.m.name for r in results if not opts.build_only
                and r.status is None and not (r.failed - ignored)]
    if survived:
        print("\nSURVIVED: %s" % " ".join(survived))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

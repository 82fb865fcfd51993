"""The Debian package, built, installed and used the way an admin would.

Builds libapache2-mod-flashmsg with dpkg-buildpackage in a copy of the
working tree (the .deb lands next to the copy, never next to the repository),
checks what the .deb contains, installs it with dpkg -i, enables it with
a2enmod, runs apache2ctl configtest on the system configuration, and then runs
a copy of that system configuration -- rewritten to listen on 127.0.0.1 and a
free port only -- through the core flow: a CGI answers a redirect with
"X-Flash: success: Saved", the next page shows the message once.  The key
is written by the package's /usr/bin/flashmsg keygen, and its flashmsg
inspect decodes the cookie that server issued.

Whatever happens, the package is purged, and every file the package or
a2enmod/a2dismod touch is put back as it was before the test (including
a2enmod's state markers in /var/lib/apache2), so the machine is left as found.

dpkg runs the package's maintainer scripts, which restart the web server
through invoke-rc.d after enabling the module.  The test puts a stub
invoke-rc.d first in PATH for dpkg, so the system's apache2 is never started
or restarted (it would listen on port 80); the stub's log shows that the
postinst got that far.

Needs root (dpkg -i) and dpkg-buildpackage; skipped otherwise.
Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/package
"""

import datetime
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PKG = "libapache2-mod-flashmsg"
VERSION = "0.1.0-1"
APACHE2 = "/usr/sbin/apache2"
SYS_CONF = Path("/etc/apache2")
STATE_DIR = Path("/var/lib/apache2/module")

# What the package must contain (paths as dpkg-deb -c prints them).
EXPECTED = [
    "./usr/lib/apache2/modules/mod_flashmsg.so",
    "./etc/apache2/mods-available/flashmsg.load",
    "./etc/apache2/mods-available/flashmsg.conf",
    "./usr/include/apache2/mod_flashmsg.h",
    "./usr/bin/flashmsg",
    "./usr/share/man/man1/flashmsg.1.gz",
    "./usr/share/doc/libapache2-mod-flashmsg/copyright",
    "./usr/share/doc/libapache2-mod-flashmsg/examples/vhost.conf",
    "./usr/share/doc/libapache2-mod-flashmsg/examples/mod_flashmsg_example.c",
    "./usr/share/doc/libapache2-mod-flashmsg/directives.md.gz",
    "./usr/share/doc/libapache2-mod-flashmsg/stylesheet.md.gz",
    "./usr/share/apache2/flashmsg/flashmsg.css",
    "./usr/share/apache2/flashmsg/flashmsg.js",
    "./usr/share/doc/libapache2-mod-flashmsg/README.Debian",
    "./usr/share/doc/libapache2-mod-flashmsg/changelog.gz",
    "./usr/share/doc/libapache2-mod-flashmsg/changelog.Debian.gz",
]

PAGE = ("<!DOCTYPE html>\n<html><head><title>pkg</title></head><body>\n"
        "<!--FLASH_MESSAGES-->\n<p>The page.</p>\n</body></html>\n")
RENDERED = ('<div class="flashmsg" role="status" aria-live="polite" data-turbo-temporary '
            'data-hx-history="false"><ul class="messages"><li class="success" dir="auto">Saved</li></ul></div>')

SAVE_CGI = r"""#!/bin/sh
cat >/dev/null
printf 'Status: 303 See Other\r\n'
printf 'Location: /page.html\r\n'
printf 'X-Flash: success: Saved\r\n'
printf 'Content-Type: text/plain\r\n\r\n'
"""

STUB_INVOKE_RC_D = """#!/bin/sh
# Stands in for invoke-rc.d while the test runs dpkg: logs, starts nothing.
echo "invoke-rc.d $*" >> "%s"
exit 0
"""


def run(cmd, timeout=120, check=True, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, **kw)
    out = p.stdout.decode(errors="replace")
    if check and p.returncode != 0:
        pytest.fail("%s failed (exit %d):\n%s" % (" ".join(map(str, cmd)),
                                                   p.returncode, out[-6000:]))
    return p.returncode, out


def pkg_status():
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Status} ${Version}", PKG],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    status = p.stdout.decode().strip() if p.returncode == 0 else ""
    return "" if "not-installed" in status else status   # purged, or unknown


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- leaving the machine as found -------------------------------------------

class Snapshot:
    """Saves the given paths (files or symlinks) and puts them back later:
    paths that did not exist are removed again, the others restored."""

    def __init__(self, paths, store):
        self.store = Path(store)
        self.saved = {}
        for i, p in enumerate(sorted(set(map(Path, paths)))):
            if p.is_symlink() or p.exists():
                dst = self.store / str(i)
                if p.is_symlink():
                    os.symlink(os.readlink(p), dst)
                else:
                    shutil.copy2(p, dst)
                self.saved[p] = dst
            else:
                self.saved[p] = None

    def clear(self):
        for p in self.saved:
            if p.is_symlink() or p.is_file():
                p.unlink()

    def restore(self):
        for p, src in self.saved.items():
            if p.is_symlink() or p.is_file():
                p.unlink()
            if src is None:
                continue
            p.parent.mkdir(parents=True, exist_ok=True)
            if src.is_symlink():
                os.symlink(os.readlink(src), p)
            else:
                shutil.copy2(src, p)


def touched_paths(deb_files):
    paths = ["/" + f.lstrip("./") for f in deb_files]
    paths += [str(SYS_CONF / "mods-enabled" / n)
              for n in ("flashmsg.load", "flashmsg.conf")]
    for d in ("enabled_by_admin", "disabled_by_admin",
              "enabled_by_maint", "disabled_by_maint"):
        paths.append(str(STATE_DIR / d / "flashmsg"))
    return paths


# --- building ----------------------------------------------------------------

def copy_tree(dst):
    """The files git knows about plus untracked, not ignored ones."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"], check=True, stdout=subprocess.PIPE).stdout
    for rel in filter(None, out.decode().split("\0")):
        src = REPO / rel
        if not (src.is_symlink() or src.exists()):
            continue                      # deleted in the working tree
        d = dst / rel
        d.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), d)
        else:
            shutil.copy2(src, d)


def deb_contents(deb):
    _, out = run(["dpkg-deb", "-c", str(deb)])
    files = []
    for line in out.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and not fields[0].startswith("d"):
            files.append(fields[5].split(" -> ")[0])
    return files


# --- the server ----------------------------------------------------------------

def build_server_conf(work, port, secret):
    """A copy of /etc/apache2 on 127.0.0.1:port with our site and a
    FlashMsg snippet (FlashMsgSecret secret); returns (confdir, env)."""
    conf = work / "apache2"
    # Symlinks (mods-enabled -> mods-available) become files of the copy, so
    # nothing below can edit the system's files through a link.  (Not
    # copytree(symlinks=False, ignore_dangling_symlinks=True): it tests
    # relative link targets against the current directory and so drops
    # every a2enmod link as dangling.)
    shutil.copytree(SYS_CONF, conf, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(conf):
        for name in dirnames + filenames:
            link = Path(dirpath) / name
            if not link.is_symlink():
                continue
            target = (SYS_CONF / link.relative_to(conf)).resolve()
            link.unlink()
            if target.is_file():
                shutil.copy2(target, link)
            elif target.is_dir():
                shutil.copytree(target, link)
    assert (conf / "mods-enabled" / "flashmsg.load").is_file(), \
        "a2enmod flashmsg did not enable the module"

    run_dir, lock_dir, log_dir = work / "run", work / "lock", work / "log"
    docroot, cgidir = work / "htdocs", work / "cgi"
    for d in (run_dir, lock_dir, log_dir, docroot, cgidir):
        d.mkdir()
        d.chmod(0o755)
    (docroot / "page.html").write_text(PAGE)
    (docroot / "page.html").chmod(0o644)
    (cgidir / "save.sh").write_text(SAVE_CGI)
    (cgidir / "save.sh").chmod(0o755)

    # Only the loopback port; no :80, no :443, no other sites.
    (conf / "ports.conf").write_text("Listen 127.0.0.1:%d\n" % port)
    for p in (conf / "sites-enabled").iterdir():
        p.unlink()
    enabled = conf / "mods-enabled"
    if not (enabled / "cgid.load").exists() and not (enabled / "cgi.load").exists():
        for n in ("cgid.load", "cgid.conf"):
            shutil.copy2(conf / "mods-available" / n, enabled / n)
    (conf / "sites-enabled" / "pkgtest.conf").write_text("""\
<VirtualHost 127.0.0.1:{port}>
    ServerName 127.0.0.1
    DocumentRoot {docroot}
    <Directory {docroot}>
        Require all granted
    </Directory>
    ScriptAlias /flash-cgi/ {cgidir}/
    <Directory {cgidir}>
        Options +ExecCGI
        Require all granted
    </Directory>
    ErrorLog {log}/pkgtest-error.log
    LogLevel info
</VirtualHost>
""".format(port=port, docroot=docroot, cgidir=cgidir, log=log_dir))
    (conf / "conf-enabled" / "flashmsg-pkgtest.conf").write_text(
        "ServerName 127.0.0.1\n"
        "FlashMsgSecret %s\n"
        "FlashMsg On\n" % secret)

    # Nothing but our Listen line may remain anywhere in the copy's config.
    listens = []
    for f in conf.rglob("*"):
        if f.is_file() and "available" not in f.parent.name:
            for line in f.read_text(errors="replace").splitlines():
                if re.match(r"\s*Listen\b", line):
                    listens.append("%s: %s" % (f.relative_to(conf), line.strip()))
    assert listens == ["ports.conf: Listen 127.0.0.1:%d" % port], listens

    # The system's envvars (APACHE_RUN_USER, ...), with the run, lock and
    # log directories moved into the work directory.
    with open(conf / "envvars", "a") as f:
        f.write("\n# pkgtest\nexport APACHE_RUN_DIR=%s\n"
                "export APACHE_PID_FILE=%s/apache2.pid\n"
                "export APACHE_LOCK_DIR=%s\nexport APACHE_LOG_DIR=%s\n"
                % (run_dir, run_dir, lock_dir, log_dir))
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "APACHE_CONFDIR": str(conf)}
    out = subprocess.run(["sh", "-c", '. "$APACHE_CONFDIR/envvars" && env -0'],
                         env=env, check=True, stdout=subprocess.PIPE).stdout
    for item in out.decode().split("\0"):
        if "=" in item:
            k, v = item.split("=", 1)
            env[k] = v
    assert env.get("APACHE_RUN_USER"), "envvars set no APACHE_RUN_USER"
    assert env["APACHE_LOG_DIR"] == str(log_dir)
    return conf, env


class Jar:
    def __init__(self):
        self.cookies = {}

    def header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def update(self, resp):
        for sc in resp.msg.get_all("Set-Cookie") or []:
            parts = [p.strip() for p in sc.split(";")]
            name, _, value = parts[0].partition("=")
            attrs = {}
            for a in parts[1:]:
                k, _, v = a.partition("=")
                attrs[k.lower()] = v
            gone = value == "" or attrs.get("max-age", "1").strip() == "0"
            if "expires" in attrs and not gone:
                try:
                    exp = datetime.datetime.strptime(
                        attrs["expires"], "%a, %d %b %Y %H:%M:%S GMT")
                    gone = exp < datetime.datetime.utcnow()
                except ValueError:
                    pass
            if gone:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def request(port, method, path, jar, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        headers = {"Host": "127.0.0.1:%d" % port}
        if jar.cookies:
            headers["Cookie"] = jar.header()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read().decode(errors="replace")
        jar.update(r)
        return r, data
    finally:
        c.close()


def wait_listening(proc, port, logs):
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail("apache2 exited with %d:\n%s" % (proc.returncode, logs()))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("apache2 did not listen on 127.0.0.1:%d:\n%s" % (port, logs()))


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)   # our own session, see Popen
        proc.wait()


# --- the module's symbols ---------------------------------------------------------

def defined_symbols(path):
    _, out = run(["nm", "-D", "--defined-only", str(path)])
    return {l.split()[-1].split("@")[0] for l in out.splitlines() if l.strip()}


def unresolved_symbols(so):
    """The undefined (non-weak) symbols of so that none of the libraries it
    needs defines: what it expects from the program that loads it."""
    _, out = run(["nm", "-D", "--undefined-only", str(so)])
    wanted = {l.split()[-1].split("@")[0] for l in out.splitlines()
              if l.split()[0] == "U"}
    _, out = run(["ldd", str(so)])
    for line in out.splitlines():
        m = re.search(r"=> (/\S+)", line)
        if m:
            wanted -= defined_symbols(m.group(1))
    return wanted


def check_module_symbols(so):
    """Every symbol the module needs is in a library it links (apr, apr-util,
    libcrypto, libc: dpkg-shlibdeps turns them into Depends) or exported by
    httpd itself; the latter is why debian/rules turns off dpkg-shlibdeps's
    "symbol not found" warnings, and the only reason."""
    rest = unresolved_symbols(so)
    assert rest, "no symbol from httpd at all?"
    assert sorted(s for s in rest if not s.startswith("ap_")) == [], \
        "symbols from no linked library and not httpd's ap_*: link their library"
    assert rest <= defined_symbols(APACHE2), sorted(rest - defined_symbols(APACHE2))


def test_module_symbols_come_from_its_libraries_or_httpd():
    """The built module (make), without building a package."""
    so = REPO / "mod_flashmsg.so"
    if not so.exists() or not os.access(APACHE2, os.X_OK) or not shutil.which("nm"):
        pytest.skip("needs make's mod_flashmsg.so, %s and nm" % APACHE2)
    check_module_symbols(so)


# --- the test --------------------------------------------------------------------

def test_deb_builds_installs_and_flashes():
    if os.geteuid() != 0:
        pytest.skip("needs root: the test installs the package with dpkg -i")
    if shutil.which("dpkg-buildpackage") is None:
        pytest.skip("dpkg-buildpackage is missing (apt-get install dpkg-dev "
                    "debhelper fakeroot apache2-dev)")
    if not os.access(APACHE2, os.X_OK) or shutil.which("a2enmod") is None:
        pytest.skip("apache2 is not installed")
    if pkg_status().startswith("install ok"):
        pytest.skip("%s is already installed here; the test would remove it" % PKG)
    # apache2ctl creates these for the system configuration; if they were
    # not there before, they go again afterwards.
    run_dirs = [d for d in (Path("/var/run/apache2"), Path("/var/lock/apache2"))
                if not d.exists()]
    rc, out = run(["apache2ctl", "configtest"], check=False)
    if rc != 0:
        pytest.skip("the system's apache2 configuration fails configtest "
                    "before anything is installed:\n" + out)

    work = Path(tempfile.mkdtemp(prefix="flashmsg-deb-"))
    work.chmod(0o755)          # www-data runs the CGI from in here
    beside_repo = set(REPO.parent.glob(PKG + "*"))
    proc = None
    snap = None
    try:
        # Build in a copy: everything dpkg-buildpackage writes goes to work/.
        src = work / "src"
        src.mkdir()
        copy_tree(src)
        rc, out = run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src,
                      timeout=600, check=False)
        assert rc == 0, "dpkg-buildpackage failed:\n" + out[-8000:]
        assert not re.search(r"^\s*make (-j\d+ )?(test|check)\b", out, re.M), \
            "dh_auto_test must not run the repository's test suite"
        warnings = [l for l in out.splitlines() if "dpkg-shlibdeps: warning" in l]
        assert warnings == [], "\n".join(warnings)
        debs = sorted(work.glob("%s_%s_*.deb" % (PKG, VERSION)))
        assert len(debs) == 1, sorted(p.name for p in work.iterdir())
        deb = debs[0]
        assert set(REPO.parent.glob(PKG + "*")) == beside_repo, \
            "the build wrote next to the repository"

        files = deb_contents(deb)
        for f in EXPECTED:
            assert f in files, "%s not in the package:\n%s" % (f, "\n".join(files))
        # lintian at warning level; the only accepted tag is the one every
        # package outside the archive gets.
        if shutil.which("lintian"):
            rc, out = run(["lintian", "--fail-on", "warning", "--suppress-tags",
                           "initial-upload-closes-no-bugs", str(deb)],
                          timeout=300, check=False)
            assert rc == 0, "lintian:\n" + out
        _, info = run(["dpkg-deb", "-f", str(deb), "Depends", "Version"])
        assert "Version: " + VERSION in info
        assert "apache2-api-" in info, "dh_apache2 added no apache2 ABI dependency"
        assert "libssl" in info, "no libssl dependency (the module uses libcrypto)"
        assert "libapr1" in info and "libaprutil1" in info, info
        pkg_so = work / "pkg-so"
        run(["dpkg-deb", "-x", str(deb), str(pkg_so)])
        check_module_symbols(pkg_so / "usr/lib/apache2/modules/mod_flashmsg.so")

        # Install, with the maintainer scripts' web server restart stubbed.
        snap_dir = work / "snapshot"
        snap_dir.mkdir()
        snap = Snapshot(touched_paths(files), snap_dir)
        snap.clear()            # e.g. a disabled_by_admin marker from earlier
        stub_bin, rc_log = work / "stub-bin", work / "invoke-rc.d.log"
        stub_bin.mkdir()
        (stub_bin / "invoke-rc.d").write_text(STUB_INVOKE_RC_D % rc_log)
        (stub_bin / "invoke-rc.d").chmod(0o755)
        dpkg_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive",
                        PATH="%s:/usr/sbin:/usr/bin:/sbin:/bin" % stub_bin)
        run(["dpkg", "-i", str(deb)], env=dpkg_env)
        assert pkg_status() == "install ok installed " + VERSION, pkg_status()
        # postinst: a2enmod -m flashmsg, configtest, then invoke-rc.d restart
        assert (SYS_CONF / "mods-enabled" / "flashmsg.load").is_symlink(), \
            "the postinst did not enable the module"
        assert rc_log.exists() and "apache2 restart" in rc_log.read_text(), \
            "the postinst did not ask for a restart (configtest failed?)"

        run(["a2enmod", "flashmsg"])
        _, out = run(["apache2ctl", "configtest"])
        _, out = run(["apache2ctl", "-M"])
        assert "flashmsg_module (shared)" in out, out

        # The tool: on PATH, with its manual; a key for the server.
        flashmsg = shutil.which("flashmsg", path="/usr/bin")
        assert flashmsg == "/usr/bin/flashmsg", flashmsg
        _, out = run([flashmsg, "--help"])
        assert out.startswith("Usage: flashmsg") and "keygen" in out, out
        _, out = run([flashmsg, "--version"])
        assert out.strip() == "flashmsg " + VERSION.split("-")[0], out
        if shutil.which("man"):
            _, out = run(["man", "-w", "flashmsg"])
            assert out.strip() == "/usr/share/man/man1/flashmsg.1.gz", out
        key = work / "flashmsg.key"
        _, out = run([flashmsg, "keygen", str(key)])
        assert out.strip() == "FlashMsgSecret file:%s" % key, out
        assert (key.stat().st_mode & 0o777) == 0o600
        assert run([flashmsg, "keygen", str(key)], check=False)[0] == 1

        # The system configuration, copied, on a loopback port only.
        port = free_port()
        conf, env = build_server_conf(work, port, "file:%s" % key)
        run(["apache2ctl", "configtest"], env=env)
        log_dir = Path(env["APACHE_LOG_DIR"])
        out_path = work / "apache2.out"

        def logs():
            text = []
            for f in [out_path] + sorted(log_dir.glob("*.log")):
                if f.exists():
                    text.append("== %s\n%s" % (f.name, f.read_text(errors="replace")[-4000:]))
            return "\n".join(text)

        with open(out_path, "wb") as out_f:
            # Own session: prefork and event signal their whole process group.
            proc = subprocess.Popen(
                [APACHE2, "-d", str(conf), "-f", str(conf / "apache2.conf"),
                 "-DFOREGROUND"], env=env, stdout=out_f,
                stderr=subprocess.STDOUT, start_new_session=True)
        wait_listening(proc, port, logs)

        jar = Jar()
        r, body = request(port, "GET", "/page.html", jar)
        assert r.status == 200, (r.status, body, logs())
        assert body == PAGE, "with nothing pending the page must pass unchanged"

        r, body = request(port, "POST", "/flash-cgi/save.sh", jar, body="x=1")
        assert r.status == 303, (r.status, body, logs())
        assert r.getheader("Location", "").endswith("/page.html")
        assert r.getheader("X-Flash") is None, "X-Flash reached the client"
        assert jar.cookies, "no message cookie after the redirect"
        # one cookie per batch of messages: flashmsg.<8 random base64url>
        assert [n for n in jar.cookies if re.fullmatch(r"flashmsg\.[A-Za-z0-9_-]{8}", n)] \
            == list(jar.cookies), jar.cookies
        # the installed tool verifies it with the key it wrote
        _, out = run([flashmsg, "inspect", "--secret", "file:%s" % key,
                      "Cookie: other=1; " + jar.header()])
        assert re.search(r"^flashmsg\.\S+: verified by key 1 of 1 \(the current key\), signed\n"
                         r"  message 1: level 25 \(success\), created \S+Z, age \d+s\n"
                         r"    text: Saved\n$", out), out

        r, body = request(port, "GET", "/page.html", jar)
        assert r.status == 200, (r.status, body, logs())
        assert body.count(RENDERED) == 1, body
        assert "<!--FLASH_MESSAGES-->" not in body
        assert not jar.cookies, "the shown message was not deleted: %r" % jar.cookies

        r, body = request(port, "GET", "/page.html", jar)
        assert r.status == 200
        assert body == PAGE, "the message was shown twice"

        stop(proc)
        bad = [l for f in log_dir.glob("*.log")
               for l in f.read_text(errors="replace").splitlines()
               if re.search(r"\[(\w+:)?(error|crit|alert|emerg)\]", l)]
        assert not bad, "\n".join(bad)
    finally:
        stop(proc)
        if pkg_status():
            subprocess.run(["a2dismod", "-f", "flashmsg"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stub_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive",
                            PATH="%s:/usr/sbin:/usr/bin:/sbin:/bin" % (work / "stub-bin"))
            subprocess.run(["dpkg", "--purge", PKG], env=stub_env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if snap is not None:
            snap.restore()
        shutil.rmtree(work, ignore_errors=True)
        for d in run_dirs:
            for sub in (d / "socks", d):
                try:
                    sub.rmdir()       # only if empty: never remove others' files
                except OSError:
                    pass
    assert pkg_status() == "", "the package is still installed: " + pkg_status()

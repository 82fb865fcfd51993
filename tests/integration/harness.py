"""A real apache2 for the tests: generated server root, free loopback port,
the freshly built mod_flashmsg.so, and an error log that the test reads.

Nothing here is mocked: the server is Debian's /usr/sbin/apache2 with its
own modules, CGI runs through mod_cgid, PHP through php-cgi.  APACHE2 and
APACHE_MODDIR name another httpd and its modules directory, FLASHMSG_MODULE
another mod_flashmsg.so (make test-source-httpd, make test-asan).
"""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
MODULE = os.environ.get("FLASHMSG_MODULE") or os.path.join(TOP, "mod_flashmsg.so")
# make test-asan: the sanitizer runtime to preload into apache2 (only there).
PRELOAD = os.environ.get("FLASHMSG_PRELOAD")
APACHE2 = os.environ.get("APACHE2", "/usr/sbin/apache2")
MODDIR = os.environ.get("APACHE_MODDIR", "/usr/lib/apache2/modules")
SECRET = "test-secret-0123456789abcdef0123456789abcdef"
OLD_SECRET = "old-secret-0123456789abcdef0123456789abcdef0"

BASE_MODULES = ["authz_core", "mime", "dir", "alias", "env", "cgid",
                "actions", "headers", "setenvif"]

# An error log line of level error or worse: "[module:error]" etc.
ERROR_LINE = re.compile(r"\[[a-z_0-9]*:(error|crit|alert|emerg)\]")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_tree_readable(path):
    """apache2 runs its children as www-data: let them read the tree."""
    for dirpath, dirnames, filenames in os.walk(path):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            p = os.path.join(dirpath, f)
            mode = os.stat(p).st_mode
            os.chmod(p, mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


class Httpd:
    """One apache2 instance.  `conf` is added inside the server config after
    the base directives; `files` maps paths under htdocs to contents (str or
    bytes); names ending in .cgi become executable."""

    def __init__(self, conf="", files=None, modules=(), mpm="event",
                 flashmsg=True, secret=SECRET, log_level="flashmsg:debug",
                 name="httpd", port=None):
        self.root = tempfile.mkdtemp(prefix="flashmsg-%s-" % name, dir="/tmp")
        os.chmod(self.root, 0o755)
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.expected_errors = []
        self.log_offset = 0
        for d in ("conf", "logs", "run", "htdocs", "sanitizer"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        self.htdocs = os.path.join(self.root, "htdocs")
        for path, content in (files or {}).items():
            self.write(path, content)
        mods = BASE_MODULES + [m for m in modules if m not in BASE_MODULES]
        self.config = self._config(conf, mods, mpm, flashmsg, secret, log_level)
        with open(self.conf_path, "w") as f:
            f.write(self.config)

    @property
    def conf_path(self):
        return os.path.join(self.root, "conf", "httpd.conf")

    @property
    def error_log(self):
        return os.path.join(self.root, "logs", "error.log")

    def write(self, path, content):
        full = os.path.join(self.htdocs, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(full, mode) as f:
            f.write(content)
        if full.endswith(".cgi"):
            os.chmod(full, 0o755)
        return full

    def _config(self, conf, mods, mpm, flashmsg, secret, log_level):
        lines = [
            'ServerRoot "%s"' % self.root,
            "ServerName 127.0.0.1:%d" % self.port,
            "Listen 127.0.0.1:%d" % self.port,
            'PidFile "%s/run/httpd.pid"' % self.root,
            'DefaultRuntimeDir "%s/run"' % self.root,
            'ErrorLog "%s"' % self.error_log,
            "LogLevel warn %s" % (log_level if flashmsg else ""),
            'LoadModule mpm_%s_module "%s/mod_mpm_%s.so"' % (mpm, MODDIR, mpm),
        ]
        # User and Group come from mod_unixd: built into Debian's apache2, a
        # module of its own in an httpd built with its modules shared
        # (./configure --enable-mods-shared, make test-source-httpd).
        if "unixd" not in mods and os.path.exists(os.path.join(MODDIR, "mod_unixd.so")):
            mods = ["unixd"] + mods
        for m in mods:
            if m == "cgid" and mpm == "prefork":
                m = "cgi"
            lines.append('LoadModule %s_module "%s/mod_%s.so"' % (m, MODDIR, m))
        if flashmsg:
            lines.append('LoadModule flashmsg_module "%s"' % MODULE)
        if os.geteuid() == 0:
            lines += ["User www-data", "Group www-data"]
        lines += [
            "TypesConfig /etc/mime.types",
            "AddDefaultCharset Off",
            'DocumentRoot "%s"' % self.htdocs,
            '<IfModule cgid_module>\nScriptSock "%s/run/cgid.sock"\n</IfModule>' % self.root,
            "StartServers 1",
            "Timeout 20",
            "KeepAliveTimeout 2",
            "DirectoryIndex index.html",
            '<Directory "%s">' % self.htdocs,
            "  Require all granted",
            "  Options +ExecCGI",
            "  AddHandler cgi-script .cgi",
            "</Directory>",
            # php-cgi the Debian way: mod_actions hands .php to the binary.
            'ScriptAlias /php-cgi-bin/ "/usr/lib/cgi-bin/"',
            '<Directory "/usr/lib/cgi-bin">',
            "  Require all granted",
            "</Directory>",
            '<FilesMatch "\\.php$">',
            "  SetHandler application/x-httpd-php",
            "</FilesMatch>",
            "Action application/x-httpd-php /php-cgi-bin/php",
        ]
        if mpm in ("event", "worker"):
            lines += ["ServerLimit 2", "ThreadsPerChild 16",
                      "MaxRequestWorkers 32", "MinSpareThreads 8",
                      "MaxSpareThreads 32"]
        if flashmsg and secret:
            lines.append("FlashMsgSecret %s" % secret)
        if flashmsg:
            lines.append("FlashMsg On")
        lines.append(conf)
        return "\n".join(lines) + "\n"

    def self_signed_cert(self, cn="127.0.0.1"):
        """A throwaway key and certificate under conf/: (crt, key) paths."""
        crt, key = self.root + "/conf/t.crt", self.root + "/conf/t.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=" + cn],
                       check=True, capture_output=True)
        return crt, key

    def serve_tls(self, extra=""):
        """Before start(): TLS on the server (mod_ssl must be among the
        modules) with a self-signed certificate; self.url becomes https."""
        crt, key = self.self_signed_cert()
        with open(self.conf_path, "a") as f:
            f.write("SSLEngine on\nSSLCertificateFile %s\nSSLCertificateKeyFile %s\n%s"
                    % (crt, key, extra))
        self.url = self.url.replace("http:", "https:")

    def configtest(self):
        """apache2 -t: returns (exit code, output)."""
        _make_tree_readable(self.root)
        p = subprocess.run([APACHE2, "-t", "-f", self.conf_path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30, env=self._env())
        return p.returncode, p.stdout

    def _env(self):
        env = dict(os.environ)
        if PRELOAD:
            logs = os.path.join(self.root, "sanitizer")
            env["LD_PRELOAD"] = PRELOAD
            # httpd frees its pools at exit only in part: leaks are not ours to judge here
            env["ASAN_OPTIONS"] = "detect_leaks=0:log_path=%s/asan" % logs
            env["UBSAN_OPTIONS"] = "print_stacktrace=1:log_path=%s/ubsan" % logs
        return env

    def sanitizer_reports(self):
        logs = os.path.join(self.root, "sanitizer")
        out = []
        for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
            if name.startswith(("asan", "ubsan")):
                with open(os.path.join(logs, name), errors="replace") as f:
                    out.append("%s:\n%s" % (name, f.read()))
        return out

    def start(self):
        _make_tree_readable(self.root)
        # children run as www-data and must be able to write their reports
        os.chmod(os.path.join(self.root, "sanitizer"), 0o1777)
        # its own session: prefork signals its whole process group at
        # shutdown, which must not include the test runner
        self.proc = subprocess.Popen(
            [APACHE2, "-f", self.conf_path, "-DFOREGROUND"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self._env(),
            start_new_session=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace")
                raise RuntimeError("apache2 exited at start (%s):\n%s\n%s" %
                                   (self.proc.returncode, out, self.read_log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    self._wait_for_cgid()
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("apache2 did not listen on %d" % self.port)

    def _wait_for_cgid(self, timeout=10):
        """mod_cgid's daemon makes its socket and then hands it to the User
        (www-data); the listener accepts before that, and a CGI request in
        between fails with 'Permission denied ... unable to connect to cgi
        daemon'.  Wait until the socket is handed over."""
        if os.geteuid() != 0 or "mod_cgid.so" not in self.config:
            return
        import glob
        import pwd
        # (mod_cgid names it ScriptSock + "." + the daemon's pid)
        socks = os.path.join(self.root, "run", "cgid.sock*")
        uid = pwd.getpwnam("www-data").pw_uid
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if any(os.stat(p).st_uid == uid for p in glob.glob(socks)):
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None

    def read_log(self):
        try:
            with open(self.error_log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log_since_mark(self):
        return self.read_log()[self.log_offset:]

    def mark_log(self):
        self.log_offset = len(self.read_log())

    def expect_error(self, pattern):
        """Declare an error-log line the current test expects."""
        self.expected_errors.append(re.compile(pattern))

    def unexpected_errors(self):
        bad = self.sanitizer_reports()
        for line in self.log_since_mark().splitlines():
            if ERROR_LINE.search(line) and not any(
                    p.search(line) for p in self.expected_errors):
                bad.append(line)
        return bad

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

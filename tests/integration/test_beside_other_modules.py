"""The company a real site keeps: the module beside other httpd modules, each
loaded AND active with its usual configuration (issue 11, the integration
matrix).

One table, one flow.  Every row starts its own apache2 and runs, with curl
sending what a browser sends (a host name, User-Agent, Accept, compression):

  1. the page without messages: nothing rendered (and the row's module works);
  2. emit.cgi answers 303 with an `X-Flash` header: a cookie is set (one
     per batch: flashmsg.ID);
  3. the page renders the message, exactly once, and deletes that cookie;
  4. a reload shows nothing and sends no cookie; the row's own check runs here.

No response of the flow carries `X-Flash` or `X-Flash-Consumed`, and the
fixtures fail the row on an unexpected [error] line in the error log.

Adding a module is one row: Row(id, modules, conf, files, client, page, check).
In `conf`, {root} is the server root, {htdocs} its document root and {port}
its port.
"""
import os
import re
import shutil
import subprocess
import urllib.parse
from collections import namedtuple

import pytest

from conftest import PAGE, batch_name_re, is_flash_name, texts
from harness import MODDIR

MESSAGE = "Profile saved."
HOST = "www.flash.test"          # a name, as a browser sends it (CRS dislikes numeric hosts)
BROWSER = [
    "-A", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "-H", "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "-H", "Accept-Language: en-US,en;q=0.5",
    "--compressed",              # Accept-Encoding: deflate, gzip, br, zstd
]
LEAKS = ("x-flash", "x-flash-consumed")

Row = namedtuple("Row", "id modules conf files client page check")
Row.__new__.__defaults__ = (None, "http1", "/page.html", None)


class Response:
    def __init__(self, status, version, headers, body):
        self.status, self.version, self.headers, self.body = status, version, headers, body

    def header(self, name):
        """Every value of a header field, in order (names are case-insensitive)."""
        return [v for n, v in self.headers if n == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def flash_cookies(self):
        """Set-Cookie values for the module's cookies (flashmsg, flashmsg.ID)."""
        return [v for v in self.header("set-cookie")
                if is_flash_name(v.split("=", 1)[0].strip())]


class Browser:
    """curl with a cookie jar, one request per call, redirects not followed."""

    def __init__(self, srv, client, tmp_path):
        self.srv, self.client, self.tmp = srv, client, tmp_path
        self.jar = str(tmp_path / "jar")
        scheme = "https" if client == "h2tls" else "http"
        self.base = "%s://%s:%d" % (scheme, HOST, srv.port)
        self.n = 0

    def get(self, path, extra=()):
        self.n += 1
        head, body = self.tmp / ("h%d" % self.n), self.tmp / ("b%d" % self.n)
        args = ["curl", "-sS", "--max-time", "20",
                "--resolve", "%s:%d:127.0.0.1" % (HOST, self.srv.port),
                "-c", self.jar, "-b", self.jar, "-D", str(head), "-o", str(body)]
        args += BROWSER + list(extra)
        if self.client == "h2c":
            args.append("--http2-prior-knowledge")
        elif self.client == "h2tls":
            args += ["-k", "--http2"]
        p = subprocess.run(args + [self.base + path], capture_output=True, timeout=30)
        assert p.returncode == 0, "curl %s: %s" % (path, p.stderr.decode())
        lines = head.read_bytes().decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ")[0], int(lines[0].split(" ")[1])
        headers = []
        for line in lines[1:]:
            if ":" in line:
                n, _, v = line.partition(":")
                headers.append((n.strip().lower(), v.strip()))
        return Response(status, version, headers, body.read_bytes())

    def has_cookie(self):
        try:
            with open(self.jar) as f:
                return any(len(line.split("\t")) > 5 and is_flash_name(line.split("\t")[5])
                           for line in f if not line.startswith("# "))
        except FileNotFoundError:
            return False


def emit_path(**params):
    """Path of conftest's emit.cgi with these query parameters."""
    return "/cgi/emit.cgi?" + urllib.parse.urlencode(params)


def assert_no_leak(r, step):
    leaked = [(n, v) for n, v in r.headers if n in LEAKS]
    assert not leaked, "%s: the client got %s" % (step, leaked)


def company_flow(srv, browser, page, check=None):
    # 1. no messages yet: the page passes, nothing rendered
    r = browser.get(page)
    assert r.status == 200, r.text
    assert_no_leak(r, "first page")
    assert texts(r.text) == [] and not r.flash_cookies()
    # 2. a form handler answers 303 with X-Flash
    path = emit_path(status="303", location=page, h="X-Flash: success: " + MESSAGE)
    r = browser.get(path)
    assert_no_leak(r, "redirect")
    assert r.status == 303 and r.header("location")[0].endswith(page)
    assert r.flash_cookies() and browser.has_cookie(), \
        "redirect stored no message; Set-Cookie: %s" % r.header("set-cookie")
    set_names = [c.split("=", 1)[0] for c in r.flash_cookies()]
    # (over HTTPS the family is __Host-flashmsg by default)
    base = "__Host-flashmsg" if browser.client == "h2tls" else "flashmsg"
    assert len(set_names) == 1 and re.fullmatch(batch_name_re(base), set_names[0]), set_names
    # 3. the next page renders it, exactly once, and deletes the cookie
    r = browser.get(page)
    assert_no_leak(r, "page")
    assert r.status == 200
    assert texts(r.text) == [MESSAGE], r.text
    assert r.text.count(MESSAGE) == 1 and r.text.count('<ul class="messages">') == 1
    # exactly the cookie the redirect set is deleted, nothing else written
    assert [c.split("=", 1)[0] for c in r.flash_cookies() if "Max-Age=0" in c] == set_names, \
        r.flash_cookies()
    assert len(r.flash_cookies()) == 1, r.flash_cookies()
    assert not browser.has_cookie()
    # 4. a reload shows it no more
    r = browser.get(page)
    assert_no_leak(r, "reload")
    assert r.status == 200 and texts(r.text) == [] and MESSAGE not in r.text
    assert not r.flash_cookies()
    if check:
        check(srv, browser, r)


# --- what each row checks to prove its module was active ----------------

def has_header(name, pattern):
    def check(srv, browser, r):
        values = r.header(name)
        assert values and any(re.search(pattern, v) for v in values), (name, r.headers)
    return check


def body_has(*needles):
    def check(srv, browser, r):
        for n in needles:
            assert n in r.text, (n, r.text)
    return check


def all_of(*checks):
    def check(srv, browser, r):
        for c in checks:
            c(srv, browser, r)
    return check


def expires(srv, browser, r):
    """The admin's expiry policy reaches the client unchanged on a page
    without messages: mod_expires is how a site sets its own caching headers
    (docs/frontends.md: "Set your own Cache-Control to decide otherwise")."""
    assert r.header("expires"), r.headers
    assert r.header("cache-control") == ["max-age=3600"], r.headers


def cache_hit(srv, browser, r):
    # the reload refilled the cache (or was served from it): one more is a hit
    r = browser.get("/page.html")
    assert r.header("x-cache") and r.header("x-cache")[0].startswith("HIT"), r.headers
    assert texts(r.text) == []


def waf_blocks(srv, browser, r):
    """CRS is active and blocking: an obvious XSS probe is refused."""
    srv.expect_error(r"ModSecurity: (Warning|Access denied)")
    bad = browser.get("/page.html?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E")
    assert bad.status == 403, bad.status
    assert_no_leak(bad, "blocked request")


def http2(srv, browser, r):
    assert r.version == "HTTP/2", r.version


def secure_cookie(srv, browser, r):
    r = browser.get(emit_path(status="303", location="/page.html",
                             h="X-Flash: info: over TLS"))
    assert_no_leak(r, "TLS redirect")
    assert any("; Secure" in c for c in r.flash_cookies()), r.flash_cookies()
    r = browser.get("/page.html")
    assert texts(r.text) == ["over TLS"]


# --- configurations ------------------------------------------------------

EXPIRES_BY_TYPE = """
ExpiresActive On
ExpiresByType text/html "access plus 1 hour"
"""
EXPIRES_DEFAULT = """
ExpiresActive On
ExpiresDefault "access plus 1 hour"
"""

# Debian's wiring (mods-available/security2.conf): SecDataDir, then
# /etc/modsecurity/*.conf (modsecurity.conf-recommended, made ours in
# write_modsecurity_conf), then /usr/share/modsecurity-crs/*.load, which
# includes crs-setup.conf and the CRS rules.
MODSECURITY = """
<IfModule security2_module>
  SecDataDir {root}/modsec/data
  Include {root}/conf/modsecurity.conf
  IncludeOptional /usr/share/modsecurity-crs/*.load
</IfModule>
"""

from test_inside_httpd import CACHE_DISK, CACHE_SOCACHE  # noqa: E402  (one copy)
# A cached site says what may be cached (mod_flashmsg gives HTML without
# caching headers of its own "no-cache", which mod_cache revalidates).
CACHEABLE_PAGE = """
<Location /page.html>
  Header set Cache-Control "public, max-age=300"
</Location>
"""

SECURITY_HEADERS = """
Header set X-Frame-Options DENY
Header always set X-Content-Type-Options nosniff
Header always set Referrer-Policy same-origin
Header merge Vary Cookie
"""
HEADERS = SECURITY_HEADERS + 'Header set Cache-Control "public, max-age=600"\n'

SUBSTITUTE = """
AddOutputFilterByType SUBSTITUTE text/html
Substitute "s/page body/substituted body/"
"""

SED = """
<Location />
  AddOutputFilterByType Sed text/html
  OutputSed "s/page body/sed body/"
</Location>
"""

SSI = """
<Directory "{htdocs}">
  Options +Includes
</Directory>
AddType text/html .shtml
AddOutputFilterByType INCLUDES text/html
"""
SSI_FILES = {
    "ssi.shtml": '<html><body><!--#include virtual="/frag.html" -->'
                 '<p>served as <!--#echo var="DOCUMENT_NAME" --></p></body></html>\n',
    "frag.html": "<div><!--FLASH_MESSAGES--></div>",
}

# mod_proxy_html rewrites proxied responses only ("Non-proxy request"
# otherwise): the app is this same server under /backend/, proxied at /app/.
# The backend is another application, not one that renders our messages.
PROXY_HTML = """
Include /etc/apache2/mods-available/proxy_html.conf
ProxyPass /app/ http://127.0.0.1:{port}/backend/
ProxyPassReverse /app/ http://127.0.0.1:{port}/backend/
<Location /app/>
  ProxyHTMLEnable On
  ProxyHTMLURLMap http://backend.internal/ /app/
</Location>
<Location /backend/>
  FlashMsg Off
</Location>
"""
PROXY_HTML_FILES = {
    "backend/page.html": '<html><head><title>app</title></head><body>\n<!--FLASH_MESSAGES-->\n'
                         '<p><a href="http://backend.internal/account">account</a></p>\n'
                         '</body></html>\n',
}

LUA = """
LuaOutputFilter LUAUPPER "{htdocs}/lua/upper.lua" upper
<Location /page.html>
  SetOutputFilter LUAUPPER
</Location>
"""
LUA_FILES = {
    "lua/upper.lua": '''
function upper(r)
    coroutine.yield("")
    while bucket ~= nil do
        local out = string.gsub(bucket, "page body", "PAGE BODY")
        coroutine.yield(out)
    end
end
''',
}

H2C = "Protocols h2c http/1.1\n"
H2_TLS = """
SSLEngine on
SSLCertificateFile {root}/conf/t.crt
SSLCertificateKeyFile {root}/conf/t.key
Protocols h2 http/1.1
"""

FILTER_CHAIN = """
FilterDeclare SUBST
FilterProvider SUBST SUBSTITUTE "%{CONTENT_TYPE} =~ m|^text/html|"
FilterDeclare COMPRESS CONTENT_SET
FilterProvider COMPRESS DEFLATE "%{CONTENT_TYPE} =~ m|^text/html|"
FilterChain SUBST COMPRESS
Substitute "s/page body/chained body/"
"""


def ext_filter(ftype):
    # sed, not cat, so that the row proves the filter ran ("page" only
    # occurs in the page's body, never in the message)
    return ('ExtFilterDefine ext%d mode=output intype=text/html ftype=%d '
            'cmd="/bin/sed s/page/ext%d/"\n'
            'SetOutputFilter ext%d\n' % (ftype, ftype, ftype, ftype))


# A body rewriter at RESOURCE (ftype 10) that creates the placeholder: it must
# run before us, or there is nothing to render into.
EXT_INSERT = """
ExtFilterDefine mkplace mode=output intype=text/html ftype=10 cmd="/bin/sed s/@@FLASH@@/<!--FLASH_MESSAGES-->/"
<Location /made/>
  SetOutputFilter mkplace
</Location>
"""
EXT_INSERT_FILES = {"made/page.html": PAGE.replace("<!--FLASH_MESSAGES-->", "@@FLASH@@")}

REAL_SITE = (EXPIRES_BY_TYPE + "AddOutputFilterByType DEFLATE text/html\n" + SECURITY_HEADERS
             + CACHE_DISK + MODSECURITY + SUBSTITUTE)

ROWS = [
    Row("expires-bytype", ["expires"], EXPIRES_BY_TYPE, check=expires),
    Row("expires-default", ["expires"], EXPIRES_DEFAULT, check=expires),
    Row("security2-crs", ["unique_id", "security2"], MODSECURITY, check=waf_blocks),
    Row("headers", ["headers"], HEADERS,
        check=all_of(has_header("x-frame-options", "DENY"),
                     has_header("referrer-policy", "same-origin"),
                     has_header("cache-control", "public, max-age=600"))),
    Row("deflate", ["deflate", "filter"], "AddOutputFilterByType DEFLATE text/html\n",
        check=has_header("content-encoding", "^gzip$")),
    Row("brotli", ["brotli", "filter"], "AddOutputFilterByType BROTLI_COMPRESS text/html\n",
        check=has_header("content-encoding", "^br$")),
    Row("cache-disk", ["cache", "cache_disk"], CACHE_DISK + CACHEABLE_PAGE, check=cache_hit),
    Row("cache-socache", ["cache", "cache_socache", "socache_shmcb"],
        CACHE_SOCACHE + CACHEABLE_PAGE, check=cache_hit),
    Row("substitute", ["substitute", "filter"], SUBSTITUTE, check=body_has("substituted body")),
    Row("sed", ["sed", "filter"], SED, check=body_has("sed body")),
    Row("include", ["include", "filter"], SSI, SSI_FILES, page="/ssi.shtml",
        check=body_has("served as ssi.shtml")),
    Row("proxy_html", ["proxy", "proxy_http", "xml2enc", "proxy_html"], PROXY_HTML, PROXY_HTML_FILES,
        page="/app/page.html", check=body_has('href="/app/account"')),
    Row("lua-filter", ["lua"], LUA, LUA_FILES, check=body_has("PAGE BODY")),
    Row("http2-h2c", ["http2"], H2C, client="h2c", check=http2),
    Row("ssl-h2", ["ssl", "socache_shmcb", "http2"], H2_TLS, client="h2tls",
        check=all_of(http2, secure_cookie)),
    Row("filter-chain", ["filter", "substitute", "deflate"], FILTER_CHAIN,
        check=all_of(body_has("chained body"), has_header("content-encoding", "^gzip$"))),
    Row("ext_filter-inserts-placeholder", ["ext_filter"], EXT_INSERT, EXT_INSERT_FILES,
        page="/made/page.html"),
] + [
    Row("ext_filter-ftype%d" % n, ["ext_filter"], ext_filter(n), check=body_has("ext%d body" % n))
    for n in range(10, 31)
] + [
    Row("real-site", ["expires", "deflate", "filter", "headers", "cache", "cache_disk",
                      "unique_id", "security2", "substitute"], REAL_SITE,
        check=all_of(expires, has_header("content-encoding", "^gzip$"),
                     has_header("x-frame-options", "DENY"), body_has("substituted body"),
                     cache_hit, waf_blocks)),
]


# --- per-module setup inside the server root -----------------------------

def writable_dir(path):
    """A directory apache2's children (www-data when run as root) write to."""
    os.makedirs(path, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "www-data", "www-data")


def write_modsecurity_conf(root):
    """Debian's recommended configuration, switched on, with everything it
    writes kept inside the server root."""
    with open("/etc/modsecurity/modsecurity.conf-recommended") as f:
        conf = f.read()
    subst = [
        (r"^SecRuleEngine .*$", "SecRuleEngine On"),
        (r"^SecResponseBodyAccess .*$", "SecResponseBodyAccess On"),
        (r"^SecTmpDir .*$", "SecTmpDir %s/modsec/tmp/" % root),
        (r"^SecDataDir .*$", "SecDataDir %s/modsec/data/" % root),
        (r"^SecAuditLog .*$", "SecAuditLog %s/logs/modsec_audit.log" % root),
        # relative paths are read from the including file's directory: not ours
        (r"^SecUnicodeMapFile unicode.mapping", "SecUnicodeMapFile /etc/modsecurity/unicode.mapping"),
    ]
    for pattern, repl in subst:
        conf, n = re.subn(pattern, repl, conf, flags=re.M)
        assert n == 1, "modsecurity.conf-recommended changed: %s" % pattern
    conf += "\nSecDebugLog %s/logs/modsec_debug.log\nSecDebugLogLevel 1\n" % root
    with open(os.path.join(root, "conf", "modsecurity.conf"), "w") as f:
        f.write(conf)
    writable_dir(os.path.join(root, "modsec", "tmp"))
    writable_dir(os.path.join(root, "modsec", "data"))


def prepare(srv, row):
    for m in row.modules:
        assert os.path.exists(os.path.join(MODDIR, "mod_%s.so" % m)), \
            "mod_%s is not installed: run 'make deps'" % m
    if "cache_disk" in row.modules:
        writable_dir(os.path.join(srv.root, "cache"))
    if "security2" in row.modules:
        assert os.path.exists("/usr/share/modsecurity-crs/owasp-crs.load"), \
            "modsecurity-crs is not installed: run 'make deps'"
        write_modsecurity_conf(srv.root)
    if "ssl" in row.modules:
        srv.self_signed_cert(HOST)
    conf = (row.conf.replace("{root}", srv.root).replace("{htdocs}", srv.htdocs)
            .replace("{port}", str(srv.port)))
    with open(srv.conf_path, "a") as f:
        f.write(conf)


# Rows that cannot work in httpd whatever we do, with the reason.
IMPOSSIBLE = {
    # ftype 30 is AP_FTYPE_PROTOCOL: the ext filter sits behind HTTP_HEADER,
    # receives the serialized status line and headers, and CHUNK then frames
    # them together with the body ("f7\r\nHTTP/1.1 303 ...", curl: HTTP/0.9).
    # Any chunked response breaks so, also without mod_flashmsg loaded.
    "ext_filter-ftype30": "httpd: an ext filter at ftype 30 (PROTOCOL) corrupts every "
                          "chunked response, with or without mod_flashmsg",
}


@pytest.mark.parametrize("row", [
    pytest.param(r, id=r.id, marks=[pytest.mark.skip(reason=IMPOSSIBLE[r.id])]
                 if r.id in IMPOSSIBLE else []) for r in ROWS])
def test_flow_beside(make_server, tmp_path, row):
    srv = make_server(start=False, modules=row.modules, files=row.files,
                      name=re.sub(r"[^a-z0-9]+", "-", row.id.lower()))
    prepare(srv, row)
    srv.start()
    company_flow(srv, Browser(srv, row.client, tmp_path), row.page, row.check)

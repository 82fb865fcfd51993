"""The flashmsg command-line tool (cli/, docs/cli.md) against the real
apache2: `flashmsg inspect` decodes exactly the cookies the module issued
(signed, encrypted, after a key rotation, socache references, continued in
the session), refuses tampered, moved, expired and future values with the
codec's reason, and finds the module's cookies in a whole Cookie header;
`flashmsg keygen` writes a private key that apache2 accepts and that then
verifies the cookies that server issues.  Key files follow the same rules
in the tool and in httpd (core/key_file.c)."""
import datetime
import os
import re
import stat
import subprocess
import tempfile
import time

import pytest
import requests

import forge
from conftest import emit_url, flash_set, texts, readable_in, BAD_SIGNATURE
from harness import SECRET, OLD_SECRET, TOP

FLASHMSG = os.environ.get("FLASHMSG_CLI") or os.path.join(TOP, "build", "flashmsg")
SHMCB = "FlashMsgStorage socache\nFlashMsgSocache shmcb\n"
MALFORMED = "malformed value"
FUTURE = "creation time in the future"
WRONG_KIND = "signed value where encryption is required, or vice versa"


@pytest.fixture(scope="module", autouse=True)
def built():
    if not os.access(FLASHMSG, os.X_OK):
        pytest.fail("%s is not built: run make" % FLASHMSG)


def run(*args, stdin=None, umask=None):
    """flashmsg ARGS: (exit status, stdout, stderr)."""
    p = subprocess.run([FLASHMSG] + list(args), input=stdin, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30,
                       preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    return p.returncode, p.stdout, p.stderr


# --- reading inspect's report ----------------------------------------------

HEAD = re.compile(r"^(?P<name>\S+): (?:verified by key (?P<key>\d+) of (?P<of>\d+) "
                  r"\((?P<which>the current key|an old key)\), (?P<kind>signed|encrypted)"
                  r"|refused: (?P<why>.*))$")
MESSAGE = re.compile(r"^  message (?P<n>\d+): level (?P<level>\d+)(?: \((?P<level_name>[^)]+)\))?, "
                     r"created (?P<created>\S+), (?:age (?P<age>[^,]+)|in the future by [^,]+)"
                     r"(?P<expired>, expired .*)?$")
REFERENCE = re.compile(r"^  socache reference (?P<id>\S+), created (?P<created>\S+), age (?P<age>[^,]+)"
                       r"(?P<expired>, expired .*)?$")


def report(out):
    """inspect's stdout as [{name, key, of, which, kind, why, flags,
    messages: [{level, level_name, created, age, expired, extra_tags, text}],
    refs: [...]}], in order."""
    cookies = []
    for line in out.splitlines():
        m = HEAD.match(line)
        if m:
            cookies.append(dict(m.groupdict(), flags=[], messages=[], refs=[], notes=[]))
            continue
        assert cookies, "report starts with %r" % line
        c = cookies[-1]
        m = MESSAGE.match(line)
        if m:
            c["messages"].append(dict(m.groupdict(), extra_tags=""))
        elif line.startswith("    extra tags: "):
            c["messages"][-1]["extra_tags"] = line[len("    extra tags: "):]
        elif line.startswith("    text: "):
            c["messages"][-1]["text"] = line[len("    text: "):]
        elif REFERENCE.match(line):
            c["refs"].append(REFERENCE.match(line).groupdict())
        elif line.startswith("  continued in the session"):
            c["flags"].append("continued")
        else:
            c["notes"].append(line.strip())
    return cookies


def messages(cookie):
    return [(int(m["level"]), m["level_name"], m["extra_tags"], m["text"])
            for m in cookie["messages"]]


def inspect(*args, secrets=(SECRET,), stdin=None):
    argv = ["inspect"]
    for s in secrets:
        argv += ["--secret", s]
    rc, out, err = run(*(argv + list(args)), stdin=stdin)
    return rc, report(out), err


def add(srv, jar_header, *headers, base="flashmsg"):
    """One response that adds messages (X-Flash lines), as a form handler's
    redirect; returns {name: value} of the cookies of family base it set."""
    r = requests.get(emit_url(srv.url, status="303", location="/page.html", h=list(headers)),
                     headers={"Cookie": jar_header} if jar_header else {},
                     allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return flash_set(r, base)


def header_of(cookies, before="session=abc123", after="theme=dark"):
    pairs = ["%s=%s" % kv for kv in cookies.items()]
    return "; ".join([before] + pairs + [after])


def shown(srv, header):
    return texts(requests.get(srv.url + "/page.html", headers={"Cookie": header}).text)


# --- usage -----------------------------------------------------------------------

def test_help_version_and_usage_errors():
    for args in (["--help"], ["-h"], ["help"], ["inspect", "--help"],
                 ["keygen", "--help"], ["help", "keygen"]):
        rc, out, err = run(*args)
        assert rc == 0 and out.startswith("Usage: flashmsg") and err == "", (args, out, err)
    rc, out, _ = run("inspect", "--help")
    for opt in ("--secret", "--name", "--max-age", "--encrypt", "--level", "Exit status"):
        assert opt in out
    version = re.search(r'#define FM_VERSION "([^"]+)"',
                        open(os.path.join(TOP, "core", "version.h")).read()).group(1)
    assert run("--version")[:2] == (0, "flashmsg %s\n" % version)
    for args, says in ((["frobnicate"], "unknown command 'frobnicate'"),
                       ([], "Usage: flashmsg"),
                       (["inspect", "flashmsg.x=y"], "give the site's keys with --secret"),
                       (["inspect", "--secret", SECRET], "give the cookies to inspect"),
                       (["inspect", "--bogus"], "invalid option"),
                       (["inspect", "--secret", "short", "x=1"], "at least 32 bytes"),
                       (["inspect", "--secret", SECRET, "--max-age", "-1", "x=1"], "--max-age"),
                       (["inspect", "--secret", SECRET, "--encrypt", "maybe", "x=1"], "on or off"),
                       (["inspect", "--secret", SECRET, "--level", "info=3", "x=1"], "built-in"),
                       (["keygen"], "give one PATH"),
                       (["keygen", "a", "b"], "give one PATH")):
        rc, out, err = run(*args)
        assert rc == 2, (args, rc, out, err)
        assert says in err, (args, err)
        assert SECRET not in err and SECRET not in out


# --- inspect: what the server issued ----------------------------------------------

def test_inspect_decodes_signed_cookies_exactly(server):
    before = int(time.time())
    first = add(server, "", 'X-Flash: "Profile saved";level=success;tags="sticky big", '
                            '"Check your mail";level=info')
    second = add(server, header_of(first), "X-Flash: critical: Disk almost full",
                 "X-Flash: 42: Custom number")
    assert len(first) == 1 and len(second) == 1, (first, second)
    cookies = dict(first, **second)
    header = header_of(cookies)

    rc, got, err = inspect(header)
    assert rc == 0 and err == "", err
    assert [c["name"] for c in got] == list(cookies)
    for c in got:
        assert (c["key"], c["of"], c["which"], c["kind"], c["why"]) == \
            ("1", "1", "the current key", "signed", None)
        assert c["flags"] == [] and c["refs"] == [] and c["notes"] == []
    # httpd joined the two X-Flash fields of the second response with ", "
    # (simple form: one message, whose text runs to the end of the value)
    assert messages(got[0]) == [(25, "success", "sticky big", "Profile saved"),
                                (20, "info", "", "Check your mail")]
    assert messages(got[1]) == [(50, None, "", "Disk almost full, 42: Custom number")]
    for m in got[0]["messages"] + got[1]["messages"]:
        created = datetime.datetime.strptime(m["created"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        assert before - 1 <= created <= time.time() + 1
        assert re.fullmatch(r"\d+s", m["age"]) and int(m["age"][:-1]) < 60
        assert m["expired"] is None
    # FlashMsgLevel critical 50 names the custom level, as the site's config does
    rc, got, _ = inspect("--level", "critical=50", header)
    assert rc == 0 and messages(got[1])[0][:2] == (50, "critical")
    # the server shows what inspect read, in that order
    assert shown(server, header) == ["Profile saved", "Check your mail",
                                     "Disk almost full, 42: Custom number"]


def test_inspect_encrypted_cookies(make_server):
    srv = make_server("FlashMsgCookieEncrypt On", name="enc")
    text = 'Grüße aus PHP <b>&amp; "q"'
    cookies = add(srv, "", 'X-Flash: %"Gr%c3%bc%c3%9fe aus PHP <b>&amp; %22q%22";'
                           'level=warning;tags="php x"')
    (name, value), = cookies.items()
    assert value.startswith("e1.") and not readable_in(value, ["aus PHP", "php x"])
    rc, got, err = inspect(header_of(cookies))
    assert rc == 0, err
    assert got[0]["kind"] == "encrypted"
    assert messages(got[0]) == [(30, "warning", "php x", text)]
    # as the module with FlashMsgCookieEncrypt On / Off would take it
    rc, got, _ = inspect("--encrypt", "on", "%s=%s" % (name, value))
    assert rc == 0 and got[0]["kind"] == "encrypted"
    rc, got, _ = inspect("--encrypt", "off", "%s=%s" % (name, value))
    assert rc == 1 and got[0]["why"] == WRONG_KIND
    # a bare value, checked under the full name it was encrypted for
    rc, got, _ = inspect("--name", name, value)
    assert rc == 0 and messages(got[0]) == [(30, "warning", "php x", text)]
    assert shown(srv, "%s=%s" % (name, value)) == [text]


def test_inspect_tells_which_key_after_rotation(make_server):
    old = make_server(secret=OLD_SECRET, name="old")
    cookies = add(old, "", "X-Flash: info: Signed with the old key")
    rotated = make_server(secret="%s %s" % (SECRET, OLD_SECRET), name="rotated")
    fresh = add(rotated, "", "X-Flash: success: Signed with the new key")
    both = dict(cookies, **fresh)
    # FlashMsgSecret NEW OLD: --secret NEW --secret OLD
    rc, got, err = inspect(header_of(both), secrets=(SECRET, OLD_SECRET))
    assert rc == 0, err
    assert [(c["key"], c["of"], c["which"]) for c in got] == \
        [("2", "2", "an old key"), ("1", "2", "the current key")]
    assert [messages(c)[0][3] for c in got] == ["Signed with the old key",
                                                "Signed with the new key"]
    # with the new key only, the old cookie is refused, the new one verified
    rc, got, _ = inspect(header_of(both), secrets=(SECRET,))
    assert rc == 1
    assert [c["why"] for c in got] == [BAD_SIGNATURE, None]
    # and the rotated server agrees: it shows both
    assert shown(rotated, header_of(both)) == ["Signed with the old key",
                                               "Signed with the new key"]


def test_inspect_socache_reference(make_server):
    srv = make_server(SHMCB, modules=["socache_shmcb"], name="socache")
    cookies = add(srv, "", "X-Flash: success: Kept in the cache")
    (name, value), = cookies.items()
    rc, got, err = inspect(header_of(cookies))
    assert rc == 0, err
    c, = got
    assert c["messages"] == [] and len(c["refs"]) == 1
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", c["refs"][0]["id"])
    assert c["refs"][0]["expired"] is None
    assert not readable_in(value, ["Kept in the cache"])
    assert shown(srv, header_of(cookies)) == ["Kept in the cache"]


def test_inspect_continued_in_session(make_server, client):
    srv = make_server("FlashMsgStorage fallback\nSession On\n"
                      "SessionCookieName session path=/;httponly\n"
                      "FlashMsgSessionMaxSize 8192\n",
                      modules=["session", "session_cookie"], name="fallback")
    many = ", ".join('"%s %d";level=info' % ("m" * 400, i) for i in range(8))
    r = client.get(emit_url(srv.url, status="302", location="/page.html", h="X-Flash: " + many),
                   allow_redirects=False)
    cookies = flash_set(r)
    assert len(cookies) == 1 and "session" in client.cookies
    rc, got, err = inspect(header_of(cookies))
    assert rc == 0, err
    c, = got
    assert c["flags"] == ["continued"]
    n = len(c["messages"])
    assert 0 < n < 8
    assert [m[3] for m in messages(c)] == ["%s %d" % ("m" * 400, i) for i in range(n)]


def test_custom_cookie_name_and_host_prefix(make_server):
    srv = make_server("FlashMsgCookieName myflash", name="named")
    cookies = add(srv, "", "X-Flash: info: Under my name", base="myflash")
    (name, _), = cookies.items()
    assert name.startswith("myflash.")
    # not of the default family: said so, exit 1
    rc, got, err = inspect(header_of(cookies))
    assert rc == 1 and got == [] and "holds no cookie named flashmsg" in err
    rc, got, _ = inspect("--name", "myflash", header_of(cookies))
    assert rc == 0 and messages(got[0])[0][3] == "Under my name"
    # __Host-flashmsg (HTTPS default) is read without --name
    value = forge.sign(SECRET, forge.payload([(25, "Over TLS", "")], version=1),
                       "__Host-flashmsg.AbCd1234")
    rc, got, _ = inspect("a=1; __Host-flashmsg.AbCd1234=%s" % value)
    assert rc == 0 and got[0]["name"] == "__Host-flashmsg.AbCd1234"
    assert messages(got[0]) == [(25, "success", "", "Over TLS")]


# --- inspect: refusals -------------------------------------------------------------

def test_tampered_values_are_refused_with_the_reason(server):
    cookies = add(server, "", "X-Flash: info: genuine")
    (name, value), = cookies.items()
    tried = set()
    for i, (piece, at, forged) in enumerate(forge.tampered(value)):
        if i % 5 and at != 0:
            continue                  # a sample of each piece: one process each
        rc, got, _ = inspect("%s=%s" % (name, forged))
        assert rc == 1, (piece, at)
        assert got == [dict(got[0], name=name, why=BAD_SIGNATURE)], (piece, at, got)
        tried.add(piece)
    assert tried == {"payload", "mac"}
    # moved to another batch's name: the name is bound into the MAC
    rc, got, _ = inspect("flashmsg.ZzZzZzZz=%s" % value)
    assert rc == 1 and got[0]["why"] == BAD_SIGNATURE
    # not base64url, cut short, empty (a deletion), another format
    for bad in (value[:-1], value[:20], "", "s1.%%%." + "A" * 43, "x1.AAAA"):
        rc, got, _ = inspect("%s=%s" % (name, bad))
        assert rc == 1 and got[0]["why"] == MALFORMED, (bad, got)
    # a foreign key
    rc, got, _ = inspect("%s=%s" % (name, value), secrets=(OLD_SECRET,))
    assert rc == 1 and got[0]["why"] == BAD_SIGNATURE
    # the untouched value still verifies
    rc, got, _ = inspect("%s=%s" % (name, value))
    assert rc == 0 and messages(got[0]) == [(20, "info", "", "genuine")]


def test_encrypted_tampering_refused(make_server):
    srv = make_server("FlashMsgCookieEncrypt On", name="enc-tamper")
    (name, value), = add(srv, "", "X-Flash: info: genuine").items()
    tried = set()
    for i, (piece, at, forged) in enumerate(forge.tampered(value)):
        if i % 5 and at != 0:
            continue
        rc, got, _ = inspect("%s=%s" % (name, forged))
        assert rc == 1 and got[0]["why"] == BAD_SIGNATURE, (piece, at, got)
        tried.add(piece)
    assert tried == {"nonce", "ciphertext", "tag"}


def test_future_and_expired(server):
    now = int(time.time())
    name = "flashmsg.AbCd1234"
    future = forge.sign(SECRET, forge.payload([(20, "from the future", "")], version=1,
                                              t0=now + 3600), name)
    rc, got, _ = inspect("%s=%s" % (name, future))
    assert rc == 1 and got[0]["why"] == FUTURE
    # both old (2 days) and recent messages: the old one is marked expired
    mixed = forge.sign(SECRET, forge.payload([(20, "old", "", 0), (25, "recent", "", 2 * 86400 - 5)],
                                             version=1, t0=now - 2 * 86400), name)
    rc, got, _ = inspect("%s=%s" % (name, mixed))
    assert rc == 0
    old, recent = got[0]["messages"]
    assert old["expired"] and old["age"].startswith("2d ")
    assert recent["expired"] is None
    assert shown(server, "%s=%s" % (name, mixed)) == ["recent"]
    # every message expired: the module shows nothing and deletes the cookie
    stale = forge.sign(SECRET, forge.payload([(20, "old", "")], version=1, t0=now - 2 * 86400), name)
    rc, got, _ = inspect("%s=%s" % (name, stale))
    assert rc == 1 and got[0]["messages"][0]["expired"]
    assert any("every message has expired" in n for n in got[0]["notes"])
    assert shown(server, "%s=%s" % (name, stale)) == []
    # --max-age: FlashMsgMaxAge of the site (0: never)
    assert inspect("--max-age", "0", "%s=%s" % (name, stale))[0] == 0
    assert inspect("--max-age", str(3 * 86400), "%s=%s" % (name, stale))[0] == 0
    assert inspect("--max-age", "60", "%s=%s" % (name, mixed))[0] == 0   # one left
    assert inspect("--max-age", "2", "%s=%s" % (name, mixed))[0] == 1    # none left


# --- inspect: headers and arguments ---------------------------------------------------

def test_whole_cookie_header_with_others_around(server):
    a = add(server, "", "X-Flash: success: First")
    b = add(server, header_of(a), "X-Flash: error: Second")
    (na, va), = a.items()
    (nb, vb), = b.items()
    header = ("Cookie: _ga=GA1.2.3; flashmsgx=1; xflashmsg.Q=2; %s=%s;flashmsg.junk=abc ;"
              " PHPSESSID=\"q=1\";  %s = %s ; flashmsg" % (na, va, nb, vb))
    rc, got, err = inspect(header)
    assert rc == 1, err                     # flashmsg.junk is refused
    assert [(c["name"], c["why"]) for c in got] == [(na, None), ("flashmsg.junk", MALFORMED),
                                                    (nb, None)]
    assert [messages(c)[0][3] for c in got if not c["why"]] == ["First", "Second"]
    # pairs as several arguments, a bare value with --name, stdin
    rc, got, _ = inspect("%s=%s" % (na, va), "%s=%s" % (nb, vb))
    assert rc == 0 and [c["name"] for c in got] == [na, nb]
    rc, got, _ = inspect("--name", nb, vb)
    assert rc == 0 and [c["name"] for c in got] == [nb]
    rc, got, err = inspect("-", stdin="%s=%s\n\n  \nCookie: %s=%s\r\n" % (na, va, nb, vb))
    assert rc == 0 and [c["name"] for c in got] == [na, nb], err
    # a bare value under the default name: refused, and told how to fix it
    rc, got, _ = inspect(va)
    assert rc == 1 and got[0]["name"] == "flashmsg"
    assert got[0]["why"].startswith(BAD_SIGNATURE) and "--name" in got[0]["why"]
    # nothing of ours: said on stderr, exit 1
    rc, got, err = inspect("a=1; b=2")
    assert rc == 1 and got == [] and "argument 1 holds no cookie named flashmsg" in err


def test_hostile_names_are_escaped(server):
    (name, value), = add(server, "", "X-Flash: info: x").items()
    rc, out, _ = run("inspect", "--secret", SECRET,
                     "flashmsg.\x1b[31mred\x7f=%s; flashmsg.\u00e9=v" % value)
    assert rc == 1
    assert "\x1b" not in out and "\x7f" not in out
    assert "flashmsg.\\x1b[31mred\\x7f: refused: " + BAD_SIGNATURE in out
    assert "flashmsg.\\xc3\\xa9: refused: " + MALFORMED in out


# --- key files ----------------------------------------------------------------------

@pytest.fixture
def keydir():
    d = tempfile.mkdtemp(prefix="flashmsg-cli-")
    os.chmod(d, 0o755)
    yield d
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_keygen_writes_a_private_key_once(keydir):
    path = os.path.join(keydir, "flashmsg.key")
    for umask in (0o000, 0o077, 0o277):
        if os.path.exists(path):
            os.unlink(path)
        rc, out, err = run("keygen", path, umask=umask)
        assert rc == 0 and err == "", err
        assert out == "FlashMsgSecret file:%s\n" % path
        assert mode(path) == 0o600, (umask, oct(mode(path)))
        key = open(path).read()
        assert re.fullmatch(r"[0-9a-f]{64}\n", key)
    # never overwritten without --force
    rc, out, err = run("keygen", path)
    assert rc == 1 and out == "" and "exists; not overwritten" in err
    assert open(path).read() == key
    rc, out, _ = run("keygen", "--force", path, umask=0o022)
    assert rc == 0 and open(path).read() != key and mode(path) == 0o600
    assert sorted(os.listdir(keydir)) == ["flashmsg.key"]   # no temporary left
    # a link at PATH is not followed, a directory is not a key file
    target = os.path.join(keydir, "target")
    link = os.path.join(keydir, "link")
    os.symlink(target, link)
    rc, _, err = run("keygen", link)
    assert rc == 1 and not os.path.exists(target) and "exists" in err
    rc, _, err = run("keygen", keydir)
    assert rc == 1 and "is a directory" in err
    rc, _, err = run("keygen", os.path.join(keydir, "nodir", "k"))
    assert rc == 1 and "No such file or directory" in err
    # a relative PATH is printed absolute (httpd would take it from ServerRoot)
    p = subprocess.run([FLASHMSG, "keygen", "rel.key"], cwd=keydir, text=True,
                       stdout=subprocess.PIPE)
    assert p.returncode == 0 and mode(os.path.join(keydir, "rel.key")) == 0o600
    assert p.stdout == "FlashMsgSecret file:%s\n" % os.path.realpath(
        os.path.join(keydir, "rel.key"))
    # two keys are different
    other = os.path.join(keydir, "other.key")
    run("keygen", other)
    assert open(other).read() != open(path).read()


def test_keygen_key_runs_apache2_and_verifies_its_cookies(make_server, keydir):
    path = os.path.join(keydir, "site.key")
    rc, out, _ = run("keygen", path)
    assert rc == 0
    line = out.strip()
    srv = make_server(secret=line.split(" ", 1)[1], name="keygen")
    assert line == "FlashMsgSecret file:" + path
    assert "can be read by users" not in srv.read_log()
    cookies = add(srv, "", "X-Flash: success: Signed with a generated key")
    rc, got, err = inspect(header_of(cookies), secrets=("file:" + path,))
    assert rc == 0 and err == "", err
    assert messages(got[0]) == [(25, "success", "", "Signed with a generated key")]
    # the same key given inline verifies too; another one does not
    rc, got, _ = inspect(header_of(cookies), secrets=(open(path).read().strip(),))
    assert rc == 0
    rc, got, _ = inspect(header_of(cookies), secrets=(SECRET,))
    assert rc == 1 and got[0]["why"] == BAD_SIGNATURE
    # rotation: a new key first, the generated one after it
    newer = os.path.join(keydir, "newer.key")
    run("keygen", newer)
    rc, got, _ = inspect(header_of(cookies), secrets=("file:" + newer, "file:" + path))
    assert rc == 0 and got[0]["which"] == "an old key"


def test_key_file_rules_are_httpds(make_server, keydir):
    """One rule set (core/key_file.c) for the tool and the module."""
    path = os.path.join(keydir, "k")
    with open(path, "w") as f:
        f.write(SECRET + "\n")
    srv = make_server(secret="file:" + path, start=False, name="keyrules")
    cookie = "flashmsg.AbCd1234=" + forge.sign(SECRET, forge.payload([(20, "ok", "")], version=1),
                                               "flashmsg.AbCd1234")
    os.chmod(path, 0o644)                  # others can read: warned, accepted
    rc, got, err = inspect(cookie, secrets=("file:" + path,))
    assert rc == 0 and "can be read by users other than its owner" in err
    rc, out = srv.configtest()
    assert rc == 0 and "can be read by users other than its owner" in out
    for m in (0o620, 0o602, 0o666):        # others can write: refused by both
        os.chmod(path, m)
        rc, got, err = inspect(cookie, secrets=("file:" + path,))
        assert rc == 2 and got == []
        assert "the key file %s can be written by users other than its owner" % path in err
        assert SECRET not in err
        rc, out = srv.configtest()
        assert rc != 0 and "can be written by users other than its owner" in out
    os.chmod(path, 0o600)
    rc, got, err = inspect(cookie, secrets=("file:" + path,))
    assert rc == 0 and err == ""
    assert srv.configtest()[0] == 0
    # a directory, a missing file
    rc, _, err = inspect(cookie, secrets=("file:" + keydir,))
    assert rc == 2 and "%s is a directory, not a key file" % keydir in err
    rc, _, err = inspect(cookie, secrets=("file:" + path + ".missing",))
    assert rc == 2 and "cannot open secret file" in err

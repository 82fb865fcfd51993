"""The flashmsg tool's two manuals against its code.

docs/cli.md (for the repository's readers) and docs/flashmsg.1 (the man
page the package installs) say the same thing in two formats.  Checked here:

- both have the man page sections, in order;
- every option of every command (the apr_getopt tables in cli/*.c), and
  --help/--version, is documented in both and named in the tool's own
  usage text;
- every exit status of cli/cli.h is listed under EXIT STATUS in both;
- every reason the codec gives for a refused value (fm_decode_status_str in
  core/cookie_codec.c) is quoted in both, word for word;
- the man page's version is FM_VERSION (core/version.h), and the links of
  docs/cli.md lead to existing files and anchors.

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/docs
"""
import glob
import os
import re

ROOT = os.environ.get("FLASHMSG_SRC_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MD = os.path.join(ROOT, "docs", "cli.md")
MAN = os.path.join(ROOT, "docs", "flashmsg.1")
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES"]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def man_text():
    """The man page's words: roff escapes for '-' and '\\' undone, font
    changes dropped."""
    text = read(MAN)
    text = re.sub(r"\\f[BIRP]", "", text)
    return text.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")


def cli_sources():
    return {p: read(p) for p in sorted(glob.glob(os.path.join(ROOT, "cli", "*.c")))}


def options():
    """(file, long option, short letter or None) of every apr_getopt table."""
    found = []
    for path, src in cli_sources().items():
        for m in re.finditer(r'\{\s*"([a-z][a-z-]*)",\s*(\'(.)\'|\w+),\s*[01],', src):
            found.append((os.path.basename(path), m.group(1), m.group(3)))
    return found


def test_sections_in_order():
    md = [m.group(1) for m in re.finditer(r"^## (.+)$", read(MD), re.M)]
    man = [m.group(1).strip('"') for m in re.finditer(r"^\.SH (.+)$", read(MAN), re.M)]
    for name, have in (("docs/cli.md", md), ("docs/flashmsg.1", man)):
        assert [s for s in have if s in SECTIONS] == SECTIONS, (name, have)


def test_every_option_documented_and_in_usage():
    opts = options()
    assert {o for _, o, _ in opts} >= {"secret", "name", "max-age", "encrypt", "level",
                                       "force", "help"}, opts
    md, man, srcs = read(MD), man_text(), cli_sources()
    for path, long_opt, short in opts + [("flashmsg.c", "version", "V")]:
        usage = srcs[os.path.join(ROOT, "cli", path)]
        for where, text in (("docs/cli.md", md), ("docs/flashmsg.1", man),
                            ("cli/%s usage" % path, usage)):
            assert "--" + long_opt in text, ("--" + long_opt, where)
            if short:
                assert re.search(r"-%s\b" % short, text), ("-" + short, where)


def test_exit_statuses():
    codes = sorted(int(v) for v in re.findall(r"#define FM_EXIT_\w+\s+(\d+)",
                                              read(os.path.join(ROOT, "cli", "cli.h"))))
    assert codes == [0, 1, 2]
    md_part = read(MD).split("## EXIT STATUS", 1)[1].split("\n## ", 1)[0]
    man_part = read(MAN).split(".SH EXIT STATUS", 1)[1].split("\n.SH ", 1)[0]
    assert [int(c) for c in re.findall(r"^`(\d+)`$", md_part, re.M)] == codes
    assert [int(c) for c in re.findall(r"^\.B (\d+)$", man_part, re.M)] == codes


def test_refusal_reasons_quoted_as_the_codec_words_them():
    src = read(os.path.join(ROOT, "core", "cookie_codec.c"))
    body = re.search(r"fm_decode_status_str\(fm_decode_status s\)\s*\{(.*?)\n\}", src, re.S)
    reasons = [r for r in re.findall(r'return "([^"]+)";', body.group(1))
               if r not in ("ok", "unknown status")]
    assert len(reasons) == 4, reasons
    md = re.sub(r"`\s*\n\s*", " ", read(MD)).replace("\n  ", " ").replace("\n", " ")
    man = re.sub(r"\s+", " ", man_text().replace("\n.B ", " ").replace("\n.BR ", " "))
    for r in reasons:
        assert r in md, ("docs/cli.md", r)
        assert r in man, ("docs/flashmsg.1", r)


def test_version_and_links():
    version = re.search(r'#define FM_VERSION "([^"]+)"',
                        read(os.path.join(ROOT, "core", "version.h"))).group(1)
    th = re.search(r'^\.TH FLASHMSG 1 "[^"]+" "mod_flashmsg ([^"]+)"', read(MAN), re.M)
    assert th and th.group(1) == version
    for target in re.findall(r"\]\(([^)#]+\.md)(?:#([^)]+))?\)", read(MD)):
        path = os.path.join(ROOT, "docs", target[0])
        assert os.path.exists(path), target
        if target[1]:
            anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                       for h in re.findall(r"^#+ (.+)$", read(path), re.M)}
            assert target[1] in anchors, target

"""The documentation holds together (issue 25 section 2).

- Every relative link and #anchor in README.md and docs/*.md resolves: the
  file exists, and an anchor names a heading of the target page, spelled
  the way GitHub spells heading anchors (lowercase, spaces to '-',
  punctuation dropped, '-1', '-2' for repeated headings).
- Every page of docs/*.md can be reached from README.md by following links.
- README.md, the front door, stays within 400 lines.

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/docs
FLASHMSG_SRC_ROOT=/some/copy runs the same checks against a copy of the tree.
"""
import glob
import os
import re
import unicodedata

ROOT = os.environ.get("FLASHMSG_SRC_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
README = os.path.join(ROOT, "README.md")
README_MAX_LINES = 400

FENCE_RE = re.compile(r'^ {0,3}(```|~~~).*?^ {0,3}\1[ \t]*$', re.M | re.S)
CODE_SPAN_RE = re.compile(r'(`+)(?:.+?)\1', re.S)
# [text](target) and ![alt](target); the target ends at the first space or ')'
LINK_RE = re.compile(r'!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HEADING_RE = re.compile(r'^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$', re.M)
HTML_ID_RE = re.compile(r'<a\s+(?:name|id)="([^"]+)"', re.I)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def pages():
    return [README] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))


def rel(path):
    return os.path.relpath(path, ROOT)


def without_code(text):
    """The text with fenced blocks and code spans blanked (their line breaks
    kept), so that neither links nor headings are read from code."""
    text = FENCE_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return text


def slug(heading):
    """GitHub's anchor for a heading's text."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)   # links: their text
    text = text.replace("`", "")
    text = re.sub(r'<[^>]+>', "", text)                         # inline HTML tags
    text = text.strip().lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "-_ " or cat[0] in "LNM" or cat == "Pc":
            out.append("-" if ch == " " else ch)
    return "".join(out)


def anchors(path, _cache={}):
    if path not in _cache:
        text = without_code(read(path))
        found, seen = set(), {}
        for m in HEADING_RE.finditer(text):
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else "%s-%d" % (base, n))
        found |= set(HTML_ID_RE.findall(text))
        _cache[path] = found
    return _cache[path]


def links(path):
    """(line number, target) of every link outside code."""
    text = without_code(read(path))
    text = CODE_SPAN_RE.sub(lambda m: re.sub(r'[^\n]', " ", m.group(0)), text)
    out = []
    for m in LINK_RE.finditer(text):
        out.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return out


def is_external(target):
    return re.match(r'^[a-z][a-z0-9+.-]*:', target, re.I) is not None


def resolve(path, target):
    """(file the link points at, anchor or None)."""
    target, _, anchor = target.partition("#")
    dest = path if not target else os.path.normpath(
        os.path.join(os.path.dirname(path), target))
    return dest, anchor or None


def test_the_link_reader_finds_what_it_is_for():
    assert slug("`FlashMsg` Directive") == "flashmsg-directive"
    assert slug("mod_lua and other modules: the request note") == \
        "mod_lua-and-other-modules-the-request-note"
    assert slug("`__Host-` by default on HTTPS") == "__host--by-default-on-https"
    assert slug("Soak: does every message arrive exactly once?") == \
        "soak-does-every-message-arrive-exactly-once"
    assert slug("Pages and the browser's HTTP cache") == "pages-and-the-browsers-http-cache"
    text = "a [x](docs/a.md#b) `[y](no.md)` ![p](docs/p.png)\n```\n[z](no.md)\n```\n"
    found = LINK_RE.findall(CODE_SPAN_RE.sub(" ", without_code(text)))
    assert found == ["docs/a.md#b", "docs/p.png"], found


def test_every_relative_link_and_anchor_resolves():
    bad = []
    for path in pages():
        for line, target in links(path):
            if is_external(target):
                continue
            dest, anchor = resolve(path, target)
            if not os.path.exists(dest):
                bad.append("%s:%d: %s: no such file %s" % (rel(path), line, target, rel(dest)))
                continue
            if anchor is None:
                continue
            if not dest.endswith(".md"):
                bad.append("%s:%d: %s: an anchor into a file that is not Markdown"
                           % (rel(path), line, target))
            elif anchor not in anchors(dest):
                bad.append("%s:%d: %s: %s has no heading with the anchor #%s"
                           % (rel(path), line, target, rel(dest), anchor))
    assert not bad, "broken links:\n" + "\n".join(bad)


def test_every_docs_page_is_reachable_from_the_readme():
    reached, todo = {README}, [README]
    while todo:
        path = todo.pop()
        for _line, target in links(path):
            if is_external(target):
                continue
            dest, _anchor = resolve(path, target)
            if dest.endswith(".md") and os.path.isfile(dest) and dest not in reached:
                reached.add(dest)
                todo.append(dest)
    unreached = sorted(rel(p) for p in pages() if p not in reached)
    assert not unreached, "docs pages no link from README.md leads to: %s" % unreached


def test_readme_links_every_docs_page_itself():
    direct = {resolve(README, t)[0] for _l, t in links(README) if not is_external(t)}
    missing = sorted(rel(p) for p in pages()[1:] if p not in direct)
    assert not missing, "README.md does not link these docs pages: %s" % missing


def test_readme_is_the_front_door():
    lines = read(README).count("\n")
    assert lines <= README_MAX_LINES, \
        "README.md has %d lines; at most %d (the rest belongs in docs/)" % (lines, README_MAX_LINES)
    head = read(README).split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head, \
        "README.md must open with the two commands make demo and make test"

"""The CSP hash of FlashMsgHistoryGuard's script, wherever it is written
(README.md and docs/*.md, the demo's Content-Security-Policy), is the hash
of the script the module writes (FM_GUARD_SCRIPT, filters/filters.h): a site
that copies it allows exactly that script.  docs/directives.md, the
front-ends guide and the demo must give it."""
import base64
import glob
import hashlib
import os
import re

ROOT = os.environ.get("FLASHMSG_SRC_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


def guard_script():
    src = read("filters", "filters.h")
    m = re.search(r'#define FM_GUARD_SCRIPT\s*\\\n((?:[ \t]*"(?:[^"\\\n]|\\.)*"[ \t]*\\?\n)+)', src)
    assert m, "no FM_GUARD_SCRIPT in filters/filters.h"
    text = "".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1)))
    assert "\\" not in text, "escapes in the script: decode them here first"
    return text


def test_guard_script_hash_is_the_documented_one():
    js = guard_script()
    assert js.startswith("(function(s){") and js.endswith("})(document.currentScript)")
    want = "sha256-" + base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()
    must = [("docs", "directives.md"), ("docs", "frontends.md"), ("demo", "run_demo.py"),
            ("demo", "site", "how.html")]
    docs = [("README.md",)] + [("docs", os.path.basename(p))
                               for p in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))]
    for where in must + [d for d in docs if d not in must]:
        hashes = set(re.findall(r"sha256-[A-Za-z0-9+/]+=*", read(*where)))
        if where not in must and not hashes:
            continue
        assert hashes == {want}, "%s gives %s, the script's hash is %s" % (
            "/".join(where), sorted(hashes), want)

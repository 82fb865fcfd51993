"""The CSP hash of FlashMsgHistoryGuard's script, wherever it is written
(README, docs/directives.md, the demo's Content-Security-Policy), is the
hash of the script the module writes (FM_GUARD_SCRIPT, filters/filters.h):
a site that copies it allows exactly that script."""
import base64
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
    for where in (("README.md",), ("docs", "directives.md"), ("demo", "run_demo.py"),
                  ("demo", "site", "how.html")):
        hashes = set(re.findall(r"sha256-[A-Za-z0-9+/]+=*", read(*where)))
        assert hashes == {want}, "%s gives %s, the script's hash is %s" % (
            "/".join(where), sorted(hashes), want)

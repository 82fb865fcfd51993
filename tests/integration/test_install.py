"""make install into a scratch directory (every destination overridden,
nothing of the system touched): the module, the header, the tool and its
manual, and the stylesheet and dismiss script for the default markup under
apxs's data directory (docs/stylesheet.md)."""
import filecmp
import os
import shutil
import subprocess
import tempfile

import pytest

from harness import TOP


@pytest.fixture
def dest():
    d = tempfile.mkdtemp(prefix="flashmsg-install-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_make_install_ships_the_stylesheet(dest):
    if shutil.which("apxs") is None:
        pytest.skip("apxs is missing (apache2-dev)")
    mod, inc = os.path.join(dest, "mod"), os.path.join(dest, "inc")
    os.makedirs(mod)
    os.makedirs(inc)
    datadir = subprocess.run(["apxs", "-q", "exp_datadir"], stdout=subprocess.PIPE,
                             text=True).stdout.strip()
    p = subprocess.run(["make", "-s", "install", "DESTDIR=" + dest, "MODULE_DIR=" + mod,
                        "HEADER_DIR=" + inc, "MODS_AVAILABLE=" + os.path.join(dest, "none")],
                       cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout
    share = os.path.join(dest + datadir, "flashmsg")
    for name in ("flashmsg.css", "flashmsg.js"):
        path = os.path.join(share, name)
        assert filecmp.cmp(path, os.path.join(TOP, "share", name), shallow=False), path
        assert os.stat(path).st_mode & 0o777 == 0o644
    assert os.path.isfile(os.path.join(mod, "mod_flashmsg.so"))

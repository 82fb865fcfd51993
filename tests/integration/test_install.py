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
    datadir = subprocess.run(["apxs", "-q", "exp_datadir"], stdout=subprocess.PIPE,
                             text=True).stdout.strip()
    # every path under DESTDIR, the module and header directories too
    p = subprocess.run(["make", "-s", "install", "DESTDIR=" + dest, "MODULE_DIR=/mod",
                        "HEADER_DIR=/inc", "MODS_AVAILABLE=/none"],
                       cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout
    mod = os.path.join(dest, "mod")
    share = os.path.join(dest + datadir, "flashmsg")
    for name in ("flashmsg.css", "flashmsg.js"):
        path = os.path.join(share, name)
        assert filecmp.cmp(path, os.path.join(TOP, "share", name), shallow=False), path
        assert os.stat(path).st_mode & 0o777 == 0o644
    assert os.path.isfile(os.path.join(mod, "mod_flashmsg.so"))


def test_make_install_with_prefix_and_another_apxs(dest):
    """An apxs that is not Debian's (an httpd built from source, the RHEL
    family): the module and header where it says, the tool, manual and
    share files under PREFIX, and no a2enmod files, even where
    /etc/apache2/mods-available exists."""
    if shutil.which("apxs") is None:
        pytest.skip("apxs is missing (apache2-dev)")
    real = shutil.which("apxs")
    fake = os.path.join(dest, "apxs")
    with open(fake, "w") as f:
        # Debian's answers (its headers build the module), but SYSCONFDIR
        # and LIBEXECDIR of an httpd elsewhere
        f.write('#!/bin/sh\ncase "$2" in SYSCONFDIR) echo /opt/httpd/conf;;\n'
                'LIBEXECDIR) echo /opt/httpd/modules;;\n'
                '*) exec %s "$@";; esac\n' % real)
    os.chmod(fake, 0o755)
    root = os.path.join(dest, "root")
    os.makedirs(os.path.join(root, "etc/apache2/mods-available"))
    p = subprocess.run(["make", "-s", "install", "APXS=" + fake, "DESTDIR=" + root,
                        "PREFIX=/opt/flashmsg", "HEADER_DIR=/opt/httpd/include"],
                       cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout
    for path in ("opt/httpd/modules/mod_flashmsg.so", "opt/httpd/include/mod_flashmsg.h",
                 "opt/flashmsg/bin/flashmsg", "opt/flashmsg/share/man/man1/flashmsg.1",
                 "opt/flashmsg/share/flashmsg/flashmsg.css",
                 "opt/flashmsg/share/flashmsg/flashmsg.js"):
        assert os.path.isfile(os.path.join(root, path)), path
    assert os.listdir(os.path.join(root, "etc/apache2/mods-available")) == []
    assert "a2enmod" not in p.stdout

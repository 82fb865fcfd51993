"""make demo's port (demo/run_demo.py): a DEMO_PORT that is in use stops
the demo with a message naming the port, instead of quietly listening
somewhere else; without DEMO_PORT a busy 8080 gives another port and says
which."""
import os
import socket
import subprocess
import sys

import pytest

from harness import TOP

sys.path.insert(0, os.path.join(TOP, "demo"))
import run_demo  # noqa: E402

RUN_DEMO = os.path.join(TOP, "demo", "run_demo.py")


@pytest.fixture
def busy_port():
    """A port something listens on, for the test's duration."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    yield s.getsockname()[1]
    s.close()


def test_busy_demo_port_fails_naming_it(busy_port):
    env = dict(os.environ, DEMO_PORT=str(busy_port))
    p = subprocess.run([sys.executable, RUN_DEMO], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    err = p.stderr.decode()
    assert p.returncode == 2, (p.stdout, err)
    assert "DEMO_PORT=%d: 127.0.0.1:%d is already in use" % (busy_port, busy_port) in err
    assert b"demo running at" not in p.stdout


@pytest.mark.parametrize("value", ["abc", "70000", "-1"])
def test_bad_demo_port_is_refused(value):
    with pytest.raises(run_demo.PortError, match="is not a port number"):
        run_demo.choose_port({"DEMO_PORT": value})


def test_free_demo_port_is_taken(busy_port):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert run_demo.choose_port({"DEMO_PORT": str(free)}) == (free, "")
    assert run_demo.choose_port({"DEMO_PORT": "0"}) == (None, "")


def test_busy_default_port_says_which_it_took(busy_port):
    port, note = run_demo.choose_port({}, default=busy_port)
    assert port is None       # the harness picks a free one
    assert "127.0.0.1:%d is in use" % busy_port in note
    assert "took port 4242 instead" in note.format(port=4242)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert run_demo.choose_port({}, default=free) == (free, "")

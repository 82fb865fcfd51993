"""Setup leaves the machine's services alone (docs/spec.md §10, issue 25 section 1).

- No tracked file outside tests/, docs/ and debian/ (the rule of the
  before-stop hook) stops, starts or restarts a service: `service X
  stop|start|restart`, `systemctl stop|start|restart`, and also
  `invoke-rc.d X ...`, `/etc/init.d/X ...`, `systemctl ... --now`, pkill and
  killall.  The tests, the demo and the benchmark run their own servers on
  127.0.0.1 and stop them by PID.
- scripts/install-deps.sh keeps newly installed daemons from starting with a
  policy-rc.d that exists only while `apt-get install` runs, leaves a
  policy-rc.d of the machine's own untouched, and removes its own when apt-get
  fails or the script is interrupted.  The script runs for real with apt-get,
  dpkg-query and id replaced by stubs and FLASHMSG_POLICY_RC_D pointing at a
  scratch path: nothing is installed and /usr/sbin is not touched.

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/docs
FLASHMSG_SRC_ROOT=/some/copy runs the same checks against a copy of the tree.
"""
import os
import re
import stat
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("FLASHMSG_SRC_ROOT") or os.path.abspath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "install-deps.sh")

# The before-stop hook's two patterns, then the other ways of doing the same.
SERVICE_ACTION = re.compile(
    r"(service [a-z0-9-]+ (stop|start|restart))"
    r"|(systemctl (stop|start|restart))"
    r"|(systemctl [^\n]*--now)"
    r"|((invoke-rc\.d|/etc/init\.d/)\s*[a-z0-9.@-]+ (stop|start|restart|force-reload))"
    r"|\b(pkill|killall)\b")
EXCLUDED = re.compile(r"^(tests|docs|debian)/")


def project_files():
    """The tracked files the hook reads (every file but .git and build/ in a copy)."""
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True,
                             capture_output=True, text=True).stdout
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(ROOT):
            dirs[:] = [x for x in dirs if x not in (".git", "build")]
            files += [os.path.relpath(os.path.join(d, n), ROOT) for n in names]
    return [f for f in files if not EXCLUDED.match(f)]


def service_actions(text):
    return [m.group(0) for m in SERVICE_ACTION.finditer(text)]


def test_the_pattern_finds_what_it_is_for():
    for line in ["service apache2 stop >/dev/null 2>&1 || true",
                 "  service postgresql stop", "sudo systemctl restart apache2",
                 "systemctl start redis-server", "systemctl enable --now memcached",
                 "invoke-rc.d nginx stop", "/etc/init.d/apache2 restart",
                 "pkill -f apache2", "killall memcached"]:
        assert service_actions(line), line
    for line in ["invoke-rc.d (init scripts) or deb-systemd-invoke (systemd units)",
                 "sudo systemctl reload apache2", "proc.terminate()",
                 "os.killpg(p.pid, signal.SIGINT)", "a2enmod flashmsg"]:
        assert not service_actions(line), line


def test_no_project_script_stops_starts_or_restarts_a_service():
    files = project_files()
    assert "scripts/install-deps.sh" in files and "Makefile" in files
    found = []
    for f in files:
        path = os.path.join(ROOT, f)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        if b"\0" in data:
            continue
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if service_actions(line):
                found.append("%s:%d: %s" % (f, n, line.strip()))
    assert found == []


# Stubs for the sandboxed run.  apt-get logs each call; during "install" it
# records what the policy-rc.d at FLASHMSG_POLICY_RC_D answers to "nginx
# start" (invoke-rc.d's question), and then does what FAKE_APT does.
APT_GET = r"""#!/bin/sh
echo "apt-get $*" >> "$SANDBOX/log"
case " $* " in *" install "*) ;; *) exit 0 ;; esac
if [ -x "$FLASHMSG_POLICY_RC_D" ]; then
  "$FLASHMSG_POLICY_RC_D" nginx start; echo "policy answers $?" >> "$SANDBOX/log"
  cp "$FLASHMSG_POLICY_RC_D" "$SANDBOX/policy-seen"
else
  echo "no policy" >> "$SANDBOX/log"
fi
case "$FAKE_APT" in
  fail) exit 100 ;;
  interrupt) kill -TERM "$PPID" ;;
  replace) printf '#!/bin/sh\nexit 0\n' > "$FLASHMSG_POLICY_RC_D" ;;
esac
exit 0
"""
ID = "#!/bin/sh\necho \"${FAKE_UID:-0}\"\n"
DPKG_QUERY = "#!/bin/sh\nexit 1\n"           # nothing is installed


@pytest.fixture
def sandbox(tmp_path):
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, text in (("apt-get", APT_GET), ("id", ID), ("dpkg-query", DPKG_QUERY)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    (tmp_path / "sbin").mkdir()
    policy = tmp_path / "sbin" / "policy-rc.d"

    def run(fake_apt="", uid="0"):
        env = {"PATH": "%s:/usr/bin:/bin" % stubs, "SANDBOX": str(tmp_path),
               "FLASHMSG_POLICY_RC_D": str(policy), "FAKE_APT": fake_apt,
               "FAKE_UID": uid, "HOME": str(tmp_path)}
        # "bench" skips the npm step, which is not under test here
        r = subprocess.run(["bash", SCRIPT, "bench"], env=env, capture_output=True,
                           text=True, timeout=60)
        log = (tmp_path / "log").read_text() if (tmp_path / "log").exists() else ""
        return r, log

    run.policy = policy
    run.seen = tmp_path / "policy-seen"
    return run


def test_a_policy_denying_starts_is_there_only_while_apt_get_installs(sandbox):
    r, log = sandbox()
    assert r.returncode == 0, r.stderr
    lines = log.splitlines()
    assert lines[0] == "apt-get update -q"
    assert lines[1].startswith("apt-get install -y -q --no-install-recommends ")
    assert "nginx-light" in lines[1] and "apache2" in lines[1]
    assert lines[2] == "policy answers 101"
    assert "install-deps.sh" in sandbox.seen.read_text()
    assert not os.path.lexists(sandbox.policy)


def test_the_machines_own_policy_is_left_alone(sandbox):
    own = "#!/bin/sh\n# the administrator's\nexit 104\n"
    sandbox.policy.write_text(own)
    sandbox.policy.chmod(0o750)
    r, log = sandbox()
    assert r.returncode == 0, r.stderr
    assert "policy answers 104" in log.splitlines()
    assert sandbox.seen.read_text() == own
    assert sandbox.policy.read_text() == own
    assert stat.S_IMODE(sandbox.policy.stat().st_mode) == 0o750
    assert "left as it is" in r.stdout


def test_the_policy_goes_when_apt_get_fails(sandbox):
    r, log = sandbox("fail")
    assert r.returncode == 100
    assert "policy answers 101" in log.splitlines()
    assert not os.path.lexists(sandbox.policy)


def test_the_policy_goes_when_the_script_is_interrupted(sandbox):
    r, log = sandbox("interrupt")
    assert r.returncode == 143
    assert "policy answers 101" in log.splitlines()
    assert not os.path.lexists(sandbox.policy)


def test_a_policy_replaced_during_the_install_is_not_removed(sandbox):
    # e.g. a package that ships its own: only the file the script wrote goes
    r, _ = sandbox("replace")
    assert r.returncode == 0, r.stderr
    assert sandbox.policy.read_text() == "#!/bin/sh\nexit 0\n"


def test_without_root_it_only_says_what_is_missing(sandbox):
    r, log = sandbox(uid="1000")
    assert r.returncode == 1
    assert "missing packages:" in r.stderr and "nginx-light" in r.stderr
    assert log == ""
    assert not os.path.lexists(sandbox.policy)

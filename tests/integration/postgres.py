"""A private PostgreSQL server for tests: its own data directory, a Unix
socket in a temp dir (no TCP), trust authentication, stopped by the test."""
import glob
import os
import shutil
import subprocess
import tempfile
import time


def _bin(name):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (%s); run make deps" % name)
    return found[-1]


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="flashmsg-pg-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.makedirs(self.sock)
        self.port = 5432
        # the server refuses to run as root: use the postgres account then
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user)
            shutil.chown(self.sock, self.user)
        os.chmod(self.sock, 0o777)

    def _run(self, argv, **kw):
        if self.user:
            argv = ["runuser", "-u", self.user, "--"] + argv
        return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)

    def start(self):
        self._run([_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres",
                   "--no-sync"])
        self._run([_bin("pg_ctl"), "-D", self.data, "-w", "-l",
                   os.path.join(self.dir, "server.log"), "-o",
                   "-k %s -c listen_addresses='' -p %d -c fsync=off" % (self.sock, self.port),
                   "start"])
        return self

    def psql(self, sql, db="postgres"):
        return self._run([_bin("psql"),
                          "-h", self.sock, "-p", str(self.port), "-U", "postgres",
                          "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]).stdout

    def dbd_params(self, db):
        return "host=%s port=%d dbname=%s user=postgres" % (self.sock, self.port, db)

    def stop(self):
        try:
            self._run([_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])
        except (subprocess.CalledProcessError, RuntimeError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

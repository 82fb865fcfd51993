"""Cache engines for socache storage tests: Debian's redis-server and
memcached, each started by the test on a free loopback port and stopped by
its PID (never by name)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

from harness import free_port


def _wait_port(port, proc, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("engine exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("engine did not listen on %d" % port)


class Engine:
    provider = None

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="flashmsg-%s-" % self.provider, dir="/tmp")
        self.proc = None

    @property
    def spec(self):
        """The FlashMsgSocache argument."""
        return "%s:127.0.0.1:%d" % (self.provider, self.port)

    @property
    def module(self):
        return "socache_" + self.provider

    def entries(self):
        """The keys of mod_flashmsg's entries: mod_socache_redis and
        _memcache write "mod_flashmsg:" + the key in hex, and an entry's
        key is 16 random bytes (the probe store's key is not)."""
        return [k for k in self.keys() if re.fullmatch(r"mod_flashmsg:[0-9a-f]{32}", k)]

    def live_entries(self):
        """Entries that hold messages: a shown one is replaced by its
        tombstone "-" for a minute."""
        return [k for k in self.entries() if self.get(k) != "-"]

    def pause(self):
        """A slow engine, not a stopped one: the process is still there,
        its kernel still accepts connections, it answers nothing."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def start(self):
        self.proc = subprocess.Popen(self.command(), cwd=self.dir,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        _wait_port(self.port, self.proc)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.resume()           # a paused engine cannot act on SIGTERM
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis(Engine):
    provider = "redis"
    binary = "/usr/bin/redis-server"

    def __init__(self, persistent=False):
        """persistent: save to dump.rdb when stopped, load it at start (a
        restart keeps the entries)."""
        super().__init__()
        self.persistent = persistent

    def command(self):
        return [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "3600 1" if self.persistent else "",
                "--appendonly", "no", "--dir", self.dir, "--daemonize", "no"]

    def keys(self, pattern="*"):
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", "keys", pattern],
                             capture_output=True, text=True, check=True).stdout
        return [k for k in out.split("\n") if k]

    def get(self, key):
        return subprocess.run(["redis-cli", "-p", str(self.port), "--raw", "get", key],
                              capture_output=True, text=True, check=True).stdout.rstrip("\n")


class Memcached(Engine):
    provider = "memcache"
    binary = "/usr/bin/memcached"

    def command(self):
        cmd = [self.binary, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0"]
        if os.getuid() == 0:
            cmd += ["-u", "nobody"]
        return cmd

    def get(self, key):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"get " + key.encode() + b"\r\n")
            out = b""
            while not out.endswith(b"END\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        lines = out.split(b"\r\n")
        return lines[1].decode() if lines[0].startswith(b"VALUE") else None

    def keys(self):
        """Every key (lru_crawler metadump, memcached 1.4.31 and later)."""
        out = b""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"lru_crawler metadump all\r\n")
            while not out.endswith(b"END\r\n") and not out.startswith(b"ERROR"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        keys = []
        for line in out.decode().splitlines():
            m = re.match(r"key=(\S+)", line)
            if m:
                keys.append(urllib.parse.unquote(m.group(1)))
        return keys


def available(cls):
    return os.path.exists(cls.binary)

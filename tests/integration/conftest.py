# SPDX-License-Identifier: BSD-3-Clause
#
# The integration fixtures: `server` starts a real loom-server on a free port
# (config overrides as keyword arguments) and stops it afterwards; `r` is a
# redis-py client on it; `oracle` is a redis-server 7.0 started once per session
# (skipped when redis-server is not installed) for byte-for-byte comparisons.
#
# Environment:
#   LOOM_SERVER       the binary to test (default src/loom-server)
#   LOOM_MULTIPLEXER  passed as --multiplexer (the suite runs once per backend)
#   LOOM_IO_THREADS   passed as --io-threads
#   LOOM_AGAINST_REDIS=1  run the suite against redis-server itself (to check that
#                     a test encodes Redis's behaviour); loom-only tests are skipped
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AGAINST_REDIS = os.environ.get("LOOM_AGAINST_REDIS") == "1"
REDIS_SERVER = shutil.which("redis-server")


def server_binary():
    if AGAINST_REDIS:
        return REDIS_SERVER
    return os.path.abspath(os.environ.get("LOOM_SERVER", os.path.join(ROOT, "src", "loom-server")))


def default_maxclients():
    """Redis's default maxclients; the select multiplexer serves fewer (its
    fd_set ends at FD_SETSIZE) and loom lowers maxclients to fit."""
    if os.environ.get("LOOM_MULTIPLEXER") == "select" and not AGAINST_REDIS:
        return str(1024 - 32 - 96)
    return "10000"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_configure(config):
    config.addinivalue_line("markers", "loom_only: tests of loom-specific behaviour")


def pytest_collection_modifyitems(config, items):
    if not AGAINST_REDIS:
        return
    skip = pytest.mark.skip(reason="loom-only test")
    for item in items:
        if "loom_only" in item.keywords:
            item.add_marker(skip)


class Server:
    """A running server process. `config` maps directive -> value (strings or
    lists for repeated/multi-value directives); `conf_text` is written to a config
    file passed first on the command line."""

    def __init__(self, config=None, conf_text=None, binary=None, env=None):
        self.port = free_port()
        self.host = "127.0.0.1"
        self.dir = tempfile.mkdtemp(prefix="loom-test-")
        self.logfile = os.path.join(self.dir, "server.log")
        self.conf_path = None
        self.binary = binary or server_binary()
        args = [self.binary]
        if conf_text is not None:
            self.conf_path = os.path.join(self.dir, "loom.conf")
            with open(self.conf_path, "w") as f:
                f.write(conf_text)
            args.append(self.conf_path)
        base = {"port": str(self.port), "bind": "127.0.0.1", "dir": self.dir,
                "logfile": self.logfile, "enable-debug-command": "yes"}
        # No save points unless a test asks for them: servers must not leave
        # dump.rdb files behind or snapshot in the middle of other tests.
        base["save"] = ""
        if not (AGAINST_REDIS or self.binary == REDIS_SERVER):
            if os.environ.get("LOOM_MULTIPLEXER"):
                base["multiplexer"] = os.environ["LOOM_MULTIPLEXER"]
            if os.environ.get("LOOM_IO_THREADS"):
                base["io-threads"] = os.environ["LOOM_IO_THREADS"]
                # Keep every thread active even under the suite's light load,
                # so the threaded read/write path is what gets tested.
                base["io-threads-events-per-thread"] = "0"
        base.update(config or {})
        self.config = base
        for name, value in base.items():
            args.append("--" + name)
            if isinstance(value, (list, tuple)):
                args.extend(str(v) for v in value)
            else:
                args.append(str(value))
        self.args = args
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self._stdout = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(args, cwd=self.dir, env=env,
                                     stdout=self._stdout, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except Exception:
            self.stop(sig=signal.SIGKILL)
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def _wait_ready(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   f"{self.output()}{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("server did not start: " + self.log())

    def client(self, **kwargs):
        kwargs.setdefault("socket_timeout", 10)
        kwargs.setdefault("host", self.host)
        return redis.Redis(port=self.port, **kwargs)

    def connect(self):
        """A raw socket to the server."""
        s = socket.create_connection((self.host, self.port), timeout=10)
        return s

    def output(self):
        """What the process wrote to stdout/stderr (config errors, sanitizer reports)."""
        with open(self.stdout_path, errors="replace") as f:
            return f.read()

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stdout.close()
        return self.proc.returncode

    def cleanup(self):
        self.stop()
        report = self.output()
        shutil.rmtree(self.dir, ignore_errors=True)
        if "Sanitizer" in report or "runtime error:" in report:
            raise AssertionError("sanitizer report from the server:\n" + report[-4000:])


@pytest.fixture
def server_factory():
    """Starts servers with chosen config: server_factory(config={...}, conf_text=...)."""
    started = []

    def start(**kwargs):
        srv = Server(**kwargs)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.cleanup()


@pytest.fixture(scope="module")
def module_server():
    srv = Server()
    yield srv
    srv.cleanup()


@pytest.fixture
def server(module_server):
    """A shared server for the module, flushed before each test."""
    c = module_server.client()
    c.flushall()
    c.close()
    return module_server


@pytest.fixture
def r(server):
    c = server.client()
    yield c
    c.close()


@pytest.fixture(scope="session")
def oracle_server():
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    srv = Server(binary=REDIS_SERVER)
    yield srv
    srv.cleanup()


@pytest.fixture
def oracle(oracle_server):
    c = oracle_server.client()
    c.flushall()
    c.close()
    return oracle_server


# --- raw protocol helpers ----------------------------------------------------

def encode(*args):
    """A RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = str(a)
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def read_reply(sock, buf=b""):
    """Reads exactly one RESP reply from sock; returns (raw_bytes, rest)."""
    buf = bytearray(buf)
    def need(n):
        nonlocal buf
        while len(buf) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            buf += chunk

    def line(pos):
        nonlocal buf
        while True:
            i = buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            buf += chunk

    def parse(pos):
        end = line(pos)
        kind, head = buf[pos:pos + 1], buf[pos + 1:end]
        pos = end + 2
        if kind in (b"$", b"=", b"!"):
            n = int(head)
            if n < 0:
                return pos
            need(pos + n + 2)
            return pos + n + 2
        if kind in (b"*", b"~", b">", b"%", b"|"):
            n = int(head)
            if kind in (b"%", b"|"):
                n *= 2
            for _ in range(max(n, 0)):
                pos = parse(pos)
            return pos
        return pos

    end = parse(0)
    return bytes(buf[:end]), bytes(buf[end:])


def roundtrip(sock, *commands):
    """Sends every command (already encoded bytes, or argument tuples) in one
    write and returns the list of raw replies."""
    data = b"".join(c if isinstance(c, bytes) else encode(*c) for c in commands)
    sock.sendall(data)
    replies, rest = [], b""
    for _ in commands:
        raw, rest = read_reply(sock, rest)
        replies.append(raw)
    return replies

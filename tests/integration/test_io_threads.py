# SPDX-License-Identifier: BSD-3-Clause
#
# Threaded I/O under stress and its observable behaviour: many pipelining clients
# with small and large values, clients that vanish mid-command or mid-reply,
# CLIENT KILL of busy clients, CONFIG SET io-threads under load, the INFO
# counters and Threads section, the adaptive activation of threads, idle CPU,
# and client-output-buffer-limit. Every test starts its own server. Every
# reply is compared byte for byte and in order with the one expected; loads are
# sized to finish in seconds under ThreadSanitizer too, and waits use deadlines.
import os
import random
import re
import socket
import struct
import threading
import time
import traceback

import pytest

from conftest import encode, read_reply
from helpers_server import parse_info, read_until_closed, wait_until

THREADED = {"io-threads": "4", "io-threads-events-per-thread": "0"}
IO_TIMEOUT = 30.0  # a socket read this slow means a lost reply (sanitizer builds included)

OK = b"+OK\r\n"
NIL = b"$-1\r\n"


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def integer(n):
    return b":%d\r\n" % n


def payload(seed, size):
    """Reproducible bytes of any value (\\r\\n included) for a seed."""
    return random.Random(seed).randbytes(size)


def describe_mismatch(expected, got):
    offset = 0
    for i, want in enumerate(expected):
        have = got[offset:offset + len(want)]
        if have != want:
            return (f"reply {i} of {len(expected)} differs: expected {want[:80]!r}"
                    f"{'...' if len(want) > 80 else ''} ({len(want)} bytes), "
                    f"got {have[:80]!r} ({len(got) - offset} bytes left)")
        offset += len(want)
    return f"{len(got) - offset} unexpected bytes after the replies: {got[offset:offset + 80]!r}"


class Closed(Exception):
    """The server closed the connection; `complete` replies had fully arrived."""

    def __init__(self, complete):
        super().__init__(f"connection closed after {complete} replies")
        self.complete = complete


class Conn:
    """A raw connection whose replies are checked against the exact bytes expected."""

    def __init__(self, srv, rcvbuf=None, timeout=IO_TIMEOUT):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((srv.host, srv.port))
        self.buf = bytearray()

    def send(self, commands):
        self.sock.sendall(b"".join(c if isinstance(c, bytes) else encode(*c) for c in commands))

    def expect(self, expected):
        """Reads replies that must be exactly `expected` (raw RESP, in order).
        If the server closes first, checks that what came is a prefix of them
        and raises Closed."""
        want = b"".join(expected)
        while len(self.buf) < len(want):
            try:
                chunk = self.sock.recv(min(len(want) - len(self.buf), 1 << 20))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                got = bytes(self.buf)
                if not want.startswith(got):
                    raise AssertionError("before the close: " + describe_mismatch(expected, got))
                complete, offset = 0, 0
                for e in expected:
                    if offset + len(e) > len(got):
                        break
                    offset += len(e)
                    complete += 1
                raise Closed(complete)
            self.buf += chunk
        got = bytes(self.buf[:len(want)])
        del self.buf[:len(want)]
        if got != want:
            raise AssertionError(describe_mismatch(expected, got))

    def call_reply(self):
        """Reads one reply, whatever it is, and returns it raw."""
        raw, rest = read_reply(self.sock, bytes(self.buf))
        self.buf = bytearray(rest)
        return raw

    def call(self, *args):
        """Sends one command and returns its raw reply."""
        self.send([args])
        return self.call_reply()

    def check(self, args, reply):
        got = self.call(*args)
        assert got == reply, f"{args[:2]}: expected {reply[:80]!r}, got {got[:200]!r}"

    def bulk_text(self, *args):
        raw = self.call(*args)
        assert raw.startswith(b"$"), raw[:200]
        header, _, body = raw.partition(b"\r\n")
        return body[:int(header[1:])].decode("utf-8", "replace")

    def info(self, *sections):
        return parse_info(self.bulk_text("INFO", *sections))

    def close(self):
        self.sock.close()


class Runner(threading.Thread):
    """Runs fn(*args) in a thread and keeps its result or its failure."""

    def __init__(self, name, fn, *args):
        super().__init__(name=name, daemon=True)
        self.fn, self.args = fn, args
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.fn(*self.args)
        except BaseException:  # reported by finish()
            self.error = traceback.format_exc()

    def finish(self, timeout=60.0):
        self.join(timeout)
        assert not self.is_alive(), f"{self.name} is still running after {timeout}s"
        assert self.error is None, f"{self.name} failed:\n{self.error}"
        return self.result


class Traffic(Runner):
    """A well-behaved client that keeps sending pipelines of SET/GET/INCR/APPEND
    (with a 100 KB value now and then when `big`) and checks every reply, until
    `halt` is set (stop_all); `rounds` counts the pipelines answered."""

    def __init__(self, srv, name, big=False):
        super().__init__(name, self.loop, srv, big)
        self.halt = threading.Event()
        self.rounds = 0

    def loop(self, srv, big):
        conn = Conn(srv)
        rnd = random.Random(self.name)
        counter, appended = 0, b""
        ctr, app = f"{self.name}:ctr", f"{self.name}:app"
        while not self.halt.is_set():
            cmds, exp = [], []
            for i in range(rnd.randint(1, 16)):
                key = f"{self.name}:k{i}"
                val = b"%d:%d|" % (self.rounds, i) * rnd.randint(1, 40)
                counter += 1
                piece = b"%d," % counter
                appended += piece
                cmds += [("SET", key, val), ("GET", key), ("INCR", ctr), ("APPEND", app, piece)]
                exp += [OK, bulk(val), integer(counter), integer(len(appended))]
            if big and self.rounds % 5 == 0:
                val = payload(f"{self.name}:{self.rounds}", 100 * 1024)
                cmds += [("SET", f"{self.name}:big", val), ("GET", f"{self.name}:big")]
                exp += [OK, bulk(val)]
            cmds.append(("GET", f"{self.name}:missing"))
            exp.append(NIL)
            conn.send(cmds)
            conn.expect(exp)
            self.rounds += 1
        conn.send([("GET", ctr), ("GET", app)])
        conn.expect([bulk(b"%d" % counter), bulk(appended)] if counter else [NIL, NIL])
        conn.close()
        return self.rounds


def start_traffic(srv, count, prefix, big=False):
    workers = [Traffic(srv, f"{prefix}{i}", big=big) for i in range(count)]
    for w in workers:
        w.start()
    return workers


def stop_all(workers):
    for w in workers:
        w.halt.set()
    return [w.finish() for w in workers]


def wait_rounds(workers, rounds, timeout=20.0):
    """Waits until every worker answered at least `rounds` more pipelines (and
    fails early if one of them died)."""
    targets = [w.rounds + rounds for w in workers]

    def done():
        for w in workers:
            assert w.error is None, f"{w.name} failed:\n{w.error}"
        return all(w.rounds >= t for w, t in zip(workers, targets))
    wait_until(done, timeout=timeout, what=f"{rounds} more rounds of traffic")


def assert_threads_did_io(conn):
    stats = conn.info("stats")
    assert int(stats["io_threaded_reads_processed"]) > 0, "no read ran on an I/O thread"
    assert int(stats["io_threaded_writes_processed"]) > 0, "no write ran on an I/O thread"


def connected_clients(conn):
    return int(conn.info("clients")["connected_clients"])


def threads_section(conn):
    """INFO threads -> (io_threads, io_threads_active, {index: {field: value}})."""
    f = conn.info("threads")
    per_thread = {}
    for key, value in f.items():
        m = re.fullmatch(r"io_thread_(\d+)", key)
        if m:
            per_thread[int(m.group(1))] = dict(kv.split("=", 1) for kv in value.split(","))
    return int(f["io_threads"]), int(f["io_threads_active"]), per_thread


def client_io_threads(conn):
    """The io-thread=<k> of every CLIENT LIST line."""
    text = conn.bulk_text("CLIENT", "LIST")
    lines = [line for line in text.split("\n") if line]
    found = [re.search(r" io-thread=(\d+)$", line) for line in lines]
    assert all(found), f"a CLIENT LIST line without io-thread=: {text[:500]}"
    return [int(m.group(1)) for m in found]


@pytest.fixture
def default_events_env(monkeypatch):
    """conftest forces io-threads-events-per-thread 0 when LOOM_IO_THREADS is set;
    tests of the default activation run without it."""
    monkeypatch.delenv("LOOM_IO_THREADS", raising=False)


# --- 1. many pipelining clients ----------------------------------------------------------

def pipelining_client(srv, idx, rounds):
    """Pipelines of SET/GET/INCR/APPEND with small values around a 100 KB value
    (and a 1 MB one on every fourth client); the pipeline goes out in a few
    pieces cut at random places, so commands straddle reads."""
    conn = Conn(srv)
    rnd = random.Random(idx)
    counter, appended = 0, b""
    prefix = f"t1:{idx}"
    for r in range(rounds):
        cmds, exp = [], []
        for i in range(30):
            key = f"{prefix}:s{i}"
            val = b"%d.%d.%d;" % (idx, r, i) * (1 + i % 9)
            counter += 1
            piece = b"<%d>" % counter
            appended += piece
            cmds += [("SET", key, val), ("GET", key), ("INCR", f"{prefix}:ctr"),
                     ("APPEND", f"{prefix}:app", piece), ("INCR", "t1:shared")]
            exp += [OK, bulk(val), integer(counter), integer(len(appended)), None]
            if i == 10:
                big = payload(f"{prefix}:100k:{r}", 100 * 1024)
                cmds += [("SET", f"{prefix}:big", big), ("GET", f"{prefix}:big"),
                         ("GET", f"{prefix}:s0")]
                exp += [OK, bulk(big), bulk(b"%d.%d.0;" % (idx, r))]
            if i == 20 and idx % 4 == 0 and r < 3:
                huge = payload(f"{prefix}:1m:{r}", 1024 * 1024)
                cmds += [("SET", f"{prefix}:huge", huge), ("GET", f"{prefix}:huge"),
                         ("GET", f"{prefix}:nothing")]
                exp += [OK, bulk(huge), NIL]
        data = b"".join(encode(*c) for c in cmds)
        cuts = sorted(rnd.sample(range(1, len(data)), 6))
        for a, b in zip([0] + cuts, cuts + [len(data)]):
            conn.sock.sendall(data[a:b])
        # INCR t1:shared is shared by every client: its value is checked for
        # order (strictly increasing for this client) rather than exactly.
        last_shared = 0
        for want in exp:
            if want is not None:
                conn.expect([want])
                continue
            raw = conn.call_reply()
            assert raw.startswith(b":"), raw[:100]
            shared = int(raw[1:-2])
            assert shared > last_shared
            last_shared = shared
    conn.close()
    return counter, appended


@pytest.mark.loom_only
def test_many_pipelining_clients(server_factory):
    srv = server_factory(config=THREADED)
    clients, rounds = 16, 4
    runners = [Runner(f"client{i}", pipelining_client, srv, i, rounds) for i in range(clients)]
    for t in runners:
        t.start()
    results = [t.finish() for t in runners]
    conn = Conn(srv)
    for idx, (counter, appended) in enumerate(results):
        assert counter == rounds * 30
        conn.check(("GET", f"t1:{idx}:ctr"), bulk(b"%d" % counter))
        conn.check(("GET", f"t1:{idx}:app"), bulk(appended))
        conn.check(("GET", f"t1:{idx}:big"), bulk(payload(f"t1:{idx}:100k:{rounds - 1}",
                                                          100 * 1024)))
        if idx % 4 == 0:
            conn.check(("GET", f"t1:{idx}:huge"), bulk(payload(f"t1:{idx}:1m:2", 1024 * 1024)))
    conn.check(("GET", "t1:shared"), bulk(b"%d" % (clients * rounds * 30)))
    assert_threads_did_io(conn)
    assert srv.alive()


# --- 2. clients that vanish mid-command or mid-reply -------------------------------------

def linger_zero(sock):
    """Makes close() send a reset instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def abandon_partial_multibulk(srv):
    s = srv.connect()
    s.sendall(b"*3\r\n$3\r\nSET\r\n$10\r\nt2:partia")
    s.close()


def abandon_partial_bulk(srv, reset):
    s = srv.connect()
    s.sendall(b"*3\r\n$3\r\nSET\r\n$10\r\nt2:partial\r\n$1000000\r\n" + b"x" * 300000)
    if reset:
        linger_zero(s)
    s.close()


def abandon_reply(srv, reset, read_bytes=4096):
    s = srv.connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.sendall(encode("GET", "t2:huge"))
    got = b""
    while len(got) < read_bytes:
        chunk = s.recv(read_bytes - len(got))
        assert chunk, "closed before the reply"
        got += chunk
    assert (b"$%d\r\n" % (5 * 1024 * 1024)).startswith(got[:10])
    if reset:
        linger_zero(s)
    s.close()


def abandon_pipeline(srv):
    s = srv.connect()
    s.sendall(encode("GET", "t2:mid") * 30 + encode("INCR", "t2:abandoned"))
    s.close()


@pytest.mark.loom_only
def test_clients_vanishing_mid_command_and_mid_reply(server_factory):
    srv = server_factory(config=THREADED)
    ctl = Conn(srv)
    huge = payload("t2:huge", 5 * 1024 * 1024)
    ctl.check(("SET", "t2:huge", huge), OK)
    ctl.check(("SET", "t2:mid", payload("t2:mid", 100 * 1024)), OK)
    baseline = connected_clients(ctl)
    workers = start_traffic(srv, 4, "t2w", big=True)
    try:
        wait_rounds(workers, 1)
        for i in range(6):
            abandon_partial_multibulk(srv)
            abandon_partial_bulk(srv, reset=False)
            abandon_partial_bulk(srv, reset=True)
            abandon_reply(srv, reset=False)
            abandon_reply(srv, reset=True)
            abandon_reply(srv, reset=True, read_bytes=1)
            abandon_pipeline(srv)
            assert srv.alive()
        wait_rounds(workers, 3)
    finally:
        stop_all(workers)
    wait_until(lambda: connected_clients(ctl) == baseline, timeout=15,
               what=f"connected_clients back to {baseline}")
    assert srv.alive()
    assert_threads_did_io(ctl)
    ctl.check(("EXISTS", "t2:partial"), integer(0))
    ctl.check(("GET", "t2:huge"), bulk(huge))
    # each abandoned pipeline's INCR ran or not; it never ran twice
    raw = ctl.call("GET", "t2:abandoned")
    assert raw == NIL or int(raw.split(b"\r\n")[1]) <= 6


# --- 3. CLIENT KILL of busy clients ------------------------------------------------------

def busy_victim(srv, key, info, ready):
    """Pipelines INCRs of its own key until the server closes the connection;
    returns (acknowledged INCRs, INCRs sent)."""
    conn = Conn(srv)
    info["id"] = int(conn.call("CLIENT", "ID")[1:-2])
    host, port = conn.sock.getsockname()
    info["addr"] = f"{host}:{port}"
    acked = sent = 0
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        batch = 100
        try:
            conn.send([("INCR", key)] * batch)
        except (BrokenPipeError, ConnectionResetError):
            return acked, sent
        sent += batch
        try:
            conn.expect([integer(acked + i + 1) for i in range(batch)])
        except Closed as e:
            return acked + e.complete, sent
        acked += batch
        info["acked"] = acked
        ready.set()
    raise AssertionError(f"client {info} was never closed")


@pytest.mark.loom_only
def test_client_kill_of_busy_clients(server_factory):
    srv = server_factory(config=THREADED)
    killer = Conn(srv)
    baseline = connected_clients(killer)
    bystanders = start_traffic(srv, 3, "t3w", big=True)
    victims = []
    try:
        for batch in range(6):
            group = []
            for j in range(3):
                info, ready = {}, threading.Event()
                key = f"t3:v{batch}:{j}"
                t = Runner(f"victim{batch}.{j}", busy_victim, srv, key, info, ready)
                t.start()
                group.append((t, info, ready, key))
            for t, info, ready, key in group:
                wait_until(lambda t=t, ready=ready: ready.is_set() or not t.is_alive(),
                           timeout=20, what=f"{t.name} to be busy")
                assert t.error is None, t.error
            i0, i1, i2 = (info for _, info, _, _ in group)
            killer.check(("CLIENT", "KILL", "ID", str(i0["id"])), integer(1))
            killer.check(("CLIENT", "KILL", "ADDR", i1["addr"]), integer(1))
            killer.check(("CLIENT", "KILL", i2["addr"]), OK)
            for t, info, _, key in group:
                acked, sent = t.finish(timeout=30)
                victims.append((key, acked, sent))
            # gone for good: killing them again finds nobody
            killer.check(("CLIENT", "KILL", "ID", str(i0["id"])), integer(0))
            killer.check(("CLIENT", "KILL", "ADDR", i1["addr"]), integer(0))
            killer.check(("SET", f"t3:killer{batch}", "alive"), OK)
            killer.check(("GET", f"t3:killer{batch}"), bulk(b"alive"))
        wait_rounds(bystanders, 2)
    finally:
        stop_all(bystanders)
    assert_threads_did_io(killer)
    for key, acked, sent in victims:
        raw = killer.call("GET", key)
        value = int(raw.split(b"\r\n")[1])
        assert acked <= value <= sent, (key, acked, value, sent)
    wait_until(lambda: connected_clients(killer) == baseline, timeout=15,
               what=f"connected_clients back to {baseline}")


# --- 4. CONFIG SET io-threads under load -------------------------------------------------

def incr_stream(srv, key, halt, progress):
    """Pipelines of INCR <key> and one INCR t4:shared, every reply checked,
    until halted; returns (own INCRs, shared INCRs), all acknowledged."""
    conn = Conn(srv)
    rnd = random.Random(key)
    own = shared = last_shared = 0
    while not halt.is_set():
        n = rnd.randint(1, 40)
        conn.send([("INCR", key)] * n + [("INCR", "t4:shared")])
        conn.expect([integer(own + i + 1) for i in range(n)])
        raw = conn.call_reply()
        assert raw.startswith(b":") and int(raw[1:-2]) > last_shared, raw
        last_shared = int(raw[1:-2])
        own += n
        shared += 1
        progress[key] = own
    conn.close()
    return own, shared


@pytest.mark.loom_only
def test_config_set_io_threads_under_load(server_factory):
    srv = server_factory(config=THREADED)
    ctl = Conn(srv)
    halt, progress = threading.Event(), {}
    streams = [Runner(f"stream{i}", incr_stream, srv, f"t4:c{i}", halt, progress)
               for i in range(6)]
    bystanders = start_traffic(srv, 2, "t4w", big=True)
    for t in streams:
        t.start()
    events = 0
    try:
        for step, n in enumerate([1, 2, 4, 1, 4, 2, 1, 3, 4, 1]):
            ctl.check(("CONFIG", "SET", "io-threads", str(n)), OK)
            count, active, per_thread = threads_section(ctl)
            assert count == n and sorted(per_thread) == list(range(1, n))
            if events == 0:
                assert active == n  # every thread takes jobs
            else:
                assert 1 <= active <= n
            if step in (5, 7):
                events = 1 - events
                ctl.check(("CONFIG", "SET", "io-threads-events-per-thread", str(events)), OK)
            before = sum(progress.values())
            wait_until(lambda: sum(progress.values()) >= before + 500 or
                       any(not t.is_alive() for t in streams),
                       timeout=20, what="INCRs to go on after the switch")
        wait_rounds(bystanders, 1)
    finally:
        halt.set()
        results = [t.finish() for t in streams]
        stop_all(bystanders)
    for i, (own, _) in enumerate(results):
        ctl.check(("GET", f"t4:c{i}"), bulk(b"%d" % own))
    ctl.check(("GET", "t4:shared"), bulk(b"%d" % sum(shared for _, shared in results)))
    ctl.check(("CONFIG", "GET", "io-threads"), b"*2\r\n$10\r\nio-threads\r\n$1\r\n1\r\n")


# --- 5. INFO and CLIENT LIST -------------------------------------------------------------

@pytest.mark.loom_only
def test_info_counts_threaded_io(server_factory):
    srv = server_factory(config=THREADED)
    ctl = Conn(srv)
    stats = ctl.info("stats")
    base_reads = int(stats["io_threaded_reads_processed"])
    base_writes = int(stats["io_threaded_writes_processed"])
    workers = start_traffic(srv, 8, "t5w")
    seen = set()
    try:
        def served_by_thread():
            seen.update(client_io_threads(ctl))
            return seen & {1, 2, 3}
        wait_until(served_by_thread, timeout=20, what="a client served by an I/O thread")
        wait_rounds(workers, 5)
    finally:
        stop_all(workers)
    assert seen <= {0, 1, 2, 3}
    stats = ctl.info("stats")
    reads = int(stats["io_threaded_reads_processed"])
    writes = int(stats["io_threaded_writes_processed"])
    assert reads > base_reads and writes > base_writes
    assert int(stats["total_reads_processed"]) >= reads
    assert int(stats["total_writes_processed"]) >= writes
    count, active, per_thread = threads_section(ctl)
    assert (count, active) == (4, 4)
    assert sorted(per_thread) == [1, 2, 3]
    fields = ["read_jobs", "write_jobs", "reads", "writes", "bytes_read", "bytes_written",
              "busy_us"]
    for st in per_thread.values():
        assert sorted(st) == sorted(fields + ["state"]), st
        assert st["state"] in ("parked", "running")
        assert all(int(st[f]) >= 0 for f in fields)
    assert sum(int(st["read_jobs"]) for st in per_thread.values()) >= reads
    assert sum(int(st["write_jobs"]) for st in per_thread.values()) >= writes
    assert sum(int(st["bytes_read"]) for st in per_thread.values()) > 0
    assert sum(int(st["bytes_written"]) for st in per_thread.values()) > 0
    assert ctl.info("server")["io_threads_active"] == "1"


@pytest.mark.loom_only
def test_info_counters_stay_zero_without_threads(server_factory):
    srv = server_factory(config={"io-threads": "1"})
    ctl = Conn(srv)
    workers = start_traffic(srv, 8, "t5z")
    try:
        wait_rounds(workers, 5)
        assert set(client_io_threads(ctl)) == {0}
    finally:
        stop_all(workers)
    stats = ctl.info("stats")
    assert stats["io_threaded_reads_processed"] == "0"
    assert stats["io_threaded_writes_processed"] == "0"
    assert int(stats["total_reads_processed"]) > 0
    assert ctl.info("server")["io_threads_active"] == "0"
    assert threads_section(ctl) == (1, 1, {})


@pytest.mark.loom_only
def test_io_counters_never_decrease_when_threads_stop(server_factory):
    """Shrinking the pool must not lose what the stopped threads counted (and
    CONFIG RESETSTAT followed by a shrink must not go negative)."""
    srv = server_factory(config=THREADED)
    ctl = Conn(srv)
    names = ["total_net_input_bytes", "total_net_output_bytes", "total_reads_processed",
             "total_writes_processed", "io_threaded_reads_processed",
             "io_threaded_writes_processed"]

    def snapshot():
        stats = ctl.info("stats")
        return {n: int(stats[n]) for n in names}

    for step, (resetstat, shrink_to) in enumerate([(False, 1), (True, 2)]):
        if resetstat:
            ctl.check(("CONFIG", "RESETSTAT"), OK)
        workers = start_traffic(srv, 6, f"t5m{step}")
        try:
            wait_until(lambda: snapshot()["io_threaded_reads_processed"] > 0, timeout=20,
                       what="threaded reads")
            wait_rounds(workers, 3)
        finally:
            stop_all(workers)
        before = snapshot()
        ctl.check(("CONFIG", "SET", "io-threads", str(shrink_to)), OK)
        after = snapshot()
        for n in names:
            assert after[n] >= before[n], f"{n} went from {before[n]} to {after[n]}"
        ctl.check(("CONFIG", "SET", "io-threads", "4"), OK)


# --- 6. adaptive activation --------------------------------------------------------------

@pytest.mark.loom_only
def test_lone_client_keeps_threads_inactive(server_factory, default_events_env):
    srv = server_factory(config={"io-threads": "4"})
    conn = Conn(srv)
    for i in range(200):
        conn.check(("SET", f"t6:{i}", f"v{i}"), OK)
        conn.check(("GET", f"t6:{i}"), bulk(b"v%d" % i))
    conn.send([("INCR", "t6:n")] * 100)
    conn.expect([integer(i + 1) for i in range(100)])
    assert conn.info("server")["io_threads_active"] == "0"
    count, active, per_thread = threads_section(conn)
    assert (count, active) == (4, 1)
    assert all(int(st["read_jobs"]) == 0 and int(st["write_jobs"]) == 0
               for st in per_thread.values())
    stats = conn.info("stats")
    assert stats["io_threaded_reads_processed"] == "0"
    assert stats["io_threaded_writes_processed"] == "0"
    assert set(client_io_threads(conn)) == {0}


def ping_until_inactive(conn, timeout=30.0):
    """A lone client's requests are a light load: the pool steps down to the
    main thread alone after a few hundred loop iterations per step."""
    deadline = time.monotonic() + timeout
    while conn.info("server")["io_threads_active"] != "0":
        assert time.monotonic() < deadline, f"threads still active: {threads_section(conn)}"
        for _ in range(50):
            conn.check(("PING",), b"+PONG\r\n")
    assert threads_section(conn)[1] == 1


@pytest.mark.loom_only
def test_threads_activate_under_load_and_fall_back(server_factory):
    srv = server_factory(config={"io-threads": "4", "io-threads-events-per-thread": "4"})
    ctl = Conn(srv)
    ping_until_inactive(ctl)
    workers = start_traffic(srv, 12, "t6w")
    try:
        wait_until(lambda: ctl.info("server")["io_threads_active"] == "1", timeout=20,
                   what="threads to activate under load")
        wait_rounds(workers, 2)
    finally:
        stop_all(workers)
    ping_until_inactive(ctl)


# --- 7. idle CPU -------------------------------------------------------------------------

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat(5); fields[0] is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu_share(pid, seconds=2.0):
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start)


@pytest.mark.loom_only
@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")
def test_idle_server_uses_no_cpu(server_factory, default_events_env):
    srv = server_factory(config={"io-threads": "4"})
    share = idle_cpu_share(srv.proc.pid)
    assert share < 0.05, f"idle server used {share:.1%} of a core"


@pytest.mark.loom_only
@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")
def test_threads_park_when_load_stops(server_factory):
    srv = server_factory(config=THREADED)
    ctl = Conn(srv)
    workers = start_traffic(srv, 6, "t7w", big=True)
    try:
        wait_rounds(workers, 3)
    finally:
        stop_all(workers)
    wait_until(lambda: all(st["state"] == "parked" for st in threads_section(ctl)[2].values()),
               timeout=10, what="every I/O thread to park")
    share = idle_cpu_share(srv.proc.pid)
    assert share < 0.05, f"idle server used {share:.1%} of a core after the load"


# --- 8. client-output-buffer-limit -------------------------------------------------------

OBUF_DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"


def obuf_limit(conn):
    raw = conn.call("CONFIG", "GET", "client-output-buffer-limit")
    name = b"client-output-buffer-limit"
    head = b"*2\r\n$%d\r\n%s\r\n" % (len(name), name)
    assert raw.startswith(head), raw
    _, _, body = raw[len(head):].partition(b"\r\n")
    return body[:-2].decode()


def test_client_output_buffer_limit_config_format(server_factory):
    srv = server_factory()
    conn = Conn(srv)
    assert obuf_limit(conn) == OBUF_DEFAULT
    conn.check(("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 512kb 2"), OK)
    assert obuf_limit(conn) == ("normal 1048576 524288 2 slave 268435456 67108864 60 "
                                "pubsub 33554432 8388608 60")
    conn.check(("CONFIG", "SET", "client-output-buffer-limit",
                "normal 0 0 0 pubsub 32mb 8mb 60 replica 256mb 64mb 60"), OK)
    assert obuf_limit(conn) == OBUF_DEFAULT
    conn.check(("CONFIG", "SET", "client-output-buffer-limit", "PubSub 1k 2k 3 NORMAL 4 5 6"),
               OK)
    assert obuf_limit(conn) == ("normal 4 5 6 slave 268435456 67108864 60 "
                                "pubsub 1000 2000 3")
    prefix = (b"-ERR CONFIG SET failed (possibly related to argument "
              b"'client-output-buffer-limit') - ")
    for bad, why in [("normal 1mb", b"Wrong number of arguments in buffer limit configuration."),
                     ("bogus 1 1 1", b"Invalid client class specified in buffer limit "
                                     b"configuration."),
                     ("normal 1 1 -1", b"Error in hard, soft or soft_seconds setting in buffer "
                                       b"limit configuration."),
                     ("normal 1 1 1 pubsub x 1 1", b"Error in hard, soft or soft_seconds "
                                                   b"setting in buffer limit configuration.")]:
        conn.check(("CONFIG", "SET", "client-output-buffer-limit", bad),
                   prefix + why + b"\r\n")
    # a rejected line changes nothing, not even its valid groups
    assert obuf_limit(conn) == ("normal 4 5 6 slave 268435456 67108864 60 "
                                "pubsub 1000 2000 3")
    srv2 = server_factory(config={"client-output-buffer-limit":
                                  ["normal", "1mb", "512kb", "2", "pubsub", "32mb", "8mb", "60"]})
    assert obuf_limit(Conn(srv2)) == ("normal 1048576 524288 2 slave 268435456 67108864 60 "
                                      "pubsub 33554432 8388608 60")


def obuf_config(threads):
    config = {"client-output-buffer-limit": ["normal", "1mb", "512kb", "2"]}
    if threads > 1:
        config.update({"io-threads": str(threads), "io-threads-events-per-thread": "0"})
    return config


@pytest.mark.parametrize("threads", [1, pytest.param(4, marks=pytest.mark.loom_only)])
def test_output_buffer_limit_drops_client_that_does_not_read(server_factory, threads):
    srv = server_factory(config=obuf_config(threads))
    ctl = Conn(srv)
    value = payload("t8:big", 100 * 1024)
    ctl.check(("SET", "t8:big", value), OK)
    baseline = connected_clients(ctl)
    workers = start_traffic(srv, 2, "t8w", big=True)
    try:
        wait_rounds(workers, 1)
        slow = Conn(srv, rcvbuf=32 * 1024)
        closed = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                # 400 KB of replies per batch: under the hard limit, so only the
                # backlog of unread replies can take the client over it
                slow.send([("GET", "t8:big")] * 4)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if "overcoming of output buffer limits" in srv.log():
                break
            time.sleep(0.01)
        if not closed:
            # the server dropped the client: the socket ends after what was sent
            _, closed = read_until_closed(slow.sock, timeout=20)
        assert closed, "the client that does not read was never disconnected"
        slow.close()
        wait_until(lambda: "scheduled to be closed ASAP for overcoming of output buffer limits"
                   in srv.log(), timeout=10, what="the output buffer limit log line")
        wait_until(lambda: connected_clients(ctl) == baseline + len(workers), timeout=10,
                   what="the dropped client to be gone")
        wait_until(lambda: int(ctl.info("memory")["used_memory"]) < 50 * 1024 * 1024,
                   timeout=10, what="used_memory to fall under 50 MB")
        wait_rounds(workers, 3)
    finally:
        stop_all(workers)
    stats = ctl.info("stats")
    if "client_output_buffer_limit_disconnections" in stats:  # Redis 7.2's field
        assert int(stats["client_output_buffer_limit_disconnections"]) >= 1
    ctl.check(("GET", "t8:big"), bulk(value))
    assert srv.alive()


@pytest.mark.parametrize("threads", [1, pytest.param(4, marks=pytest.mark.loom_only)])
def test_output_buffer_limit_spares_client_that_reads(server_factory, threads):
    """Replies larger than the soft limit in total, read as they come, are fine."""
    srv = server_factory(config=obuf_config(threads))
    conn = Conn(srv)
    value = payload("t8:ok", 100 * 1024)
    conn.check(("SET", "t8:ok", value), OK)
    for _ in range(10):
        conn.send([("GET", "t8:ok")] * 4)
        conn.expect([bulk(value)] * 4)
    assert "overcoming of output buffer limits" not in srv.log()


def test_output_buffer_soft_limit_drops_client_after_its_seconds(server_factory):
    """With only a soft limit, a client over it is dropped once it stayed over
    for longer than the soft seconds, not at once."""
    srv = server_factory(config={"client-output-buffer-limit": ["normal", "0", "256kb", "1"]})
    ctl = Conn(srv)
    ctl.check(("SET", "t8:soft", payload("t8:soft", 100 * 1024)), OK)
    slow = Conn(srv, rcvbuf=32 * 1024)
    start = time.monotonic()
    closed = False
    while time.monotonic() < start + 30 and not closed:
        try:
            slow.send([("GET", "t8:soft")])
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        if "overcoming of output buffer limits" in srv.log():
            break
        time.sleep(0.02)
    assert "overcoming of output buffer limits" in srv.log() or closed, "never dropped"
    # over 256 KB takes a few MB through the socket buffers, then over a second
    assert time.monotonic() - start > 1.0
    if not closed:
        _, closed = read_until_closed(slow.sock, timeout=20)
    assert closed
    slow.close()
    ctl.check(("PING",), b"+PONG\r\n")

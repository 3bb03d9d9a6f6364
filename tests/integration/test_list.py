# SPDX-License-Identifier: BSD-3-Clause
#
# Lists: every command compared byte for byte with redis-server 7.0, the
# quicklist encoding, and the blocking commands with several clients (FIFO
# service per key, pushes from pipelines and from other blocking moves,
# timeouts, CLIENT UNBLOCK, disconnects).
import socket
import threading
import time

import pytest

from conftest import AGAINST_REDIS, encode, read_reply, roundtrip
from helpers_server import wait_until

ORACLE_CASES = [
    ("RPUSH", "l", "a", "b", "c", "1", "2", "a"), ("LRANGE", "l", "0", "-1"),
    ("LRANGE", "l", "-100", "100"), ("LRANGE", "l", "5", "2"), ("LRANGE", "l", "x", "1"),
    ("LPOP", "l"), ("RPOP", "l", "2"), ("LPOP", "l", "0"), ("LPOP", "nokey", "2"),
    ("LPOP", "nokey"), ("LPOP", "l", "-1"), ("LPOP", "l", "x"), ("LPOP", "l", "1", "2"),
    ("LINDEX", "l", "0"), ("LINDEX", "l", "-1"), ("LINDEX", "l", "99"), ("LINDEX", "l", "x"),
    ("LSET", "l", "0", "z"), ("LSET", "l", "99", "z"), ("LSET", "nokey", "0", "z"),
    ("LINSERT", "l", "BEFORE", "c", "ins"), ("LINSERT", "l", "AFTER", "zz", "x"),
    ("LINSERT", "l", "MIDDLE", "c", "x"), ("LINSERT", "nokey", "BEFORE", "c", "x"),
    ("LRANGE", "l", "0", "-1"), ("RPUSH", "l", "a", "a", "b", "a"), ("LREM", "l", "-2", "a"),
    ("LREM", "l", "0", "b"), ("LREM", "l", "x", "b"), ("LRANGE", "l", "0", "-1"),
    ("LPOS", "l", "a"), ("LPOS", "l", "a", "RANK", "-1"), ("LPOS", "l", "a", "COUNT", "0"),
    ("LPOS", "l", "a", "RANK", "0"), ("LPOS", "l", "a", "COUNT", "-1"),
    ("LPOS", "l", "a", "MAXLEN", "-1"), ("LPOS", "l", "q"), ("LPOS", "l", "q", "COUNT", "2"),
    ("LPOS", "l", "a", "FOO", "1"), ("LPOS", "l", "a", "RANK"),
    ("LPOS", "l", "a", "RANK", "-9223372036854775808"), ("LPOS", "l", "a", "MAXLEN", "1"),
    ("LTRIM", "l", "1", "-2"), ("LRANGE", "l", "0", "-1"), ("LTRIM", "l", "5", "1"),
    ("EXISTS", "l"), ("RPUSH", "s", "1", "2", "3"), ("LMOVE", "s", "d", "LEFT", "RIGHT"),
    ("LMOVE", "s", "s", "LEFT", "RIGHT"), ("LRANGE", "s", "0", "-1"), ("RPOPLPUSH", "s", "d"),
    ("LMOVE", "s", "d", "UP", "RIGHT"), ("LMOVE", "nokey", "d", "LEFT", "RIGHT"),
    ("SET", "str", "x"), ("LPUSH", "str", "a"), ("LMOVE", "s", "str", "LEFT", "LEFT"),
    ("LRANGE", "str", "0", "1"), ("LMPOP", "2", "nokey", "d", "LEFT", "COUNT", "10"),
    ("LMPOP", "0", "d", "LEFT"), ("LMPOP", "1", "d"), ("LMPOP", "1", "d", "LEFT", "COUNT", "0"),
    ("LMPOP", "5", "d", "LEFT"), ("LMPOP", "1", "d", "LEFT", "COUNT", "1", "COUNT", "2"),
    ("LMPOP", "1", "nokey", "LEFT"), ("LPUSHX", "nokey", "a"), ("RPUSHX", "d", "a"),
    ("LLEN", "d"), ("LLEN", "str"), ("BLPOP", "nokey", "0.01"), ("BLPOP", "nokey", "-1"),
    ("BLPOP", "nokey", "abc"), ("BLPOP", "nokey", "inf"), ("BRPOPLPUSH", "nokey", "d", "0.01"),
    ("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01"), ("RPUSH", "b", "x"),
    ("BLPOP", "nokey", "b", "0"), ("BLMPOP", "0.01", "1", "nokey", "LEFT"),
    ("BLPOP", "str", "0"), ("OBJECT", "ENCODING", "d"), ("TYPE", "d"),
    ("RPUSH", "n", "-1", "9223372036854775807", "18446744073709551616", "0x10", "01"),
    ("LRANGE", "n", "0", "-1"), ("LPOS", "n", "-1"), ("LREM", "n", "1", "01"),
]


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
def test_list_commands_same_as_redis(server, oracle):
    def run(srv):
        s = srv.connect()
        try:
            return [roundtrip(s, c)[0] for c in ORACLE_CASES]
        finally:
            s.close()
    ours, theirs = run(server), run(oracle)
    diffs = [(c, a, b) for c, a, b in zip(ORACLE_CASES, ours, theirs) if a != b]
    assert diffs == []


def test_large_list_and_compression(server_factory):
    srv = server_factory(config={"list-compress-depth": "1", "list-max-listpack-size": "8"})
    r = srv.client()
    values = [("v%d" % i) * (i % 7 + 1) for i in range(5000)]
    for i in range(0, len(values), 500):
        r.rpush("big", *values[i:i + 500])
    assert r.llen("big") == len(values)
    assert r.lrange("big", 0, -1) == [v.encode() for v in values]
    assert r.lindex("big", 2500) == values[2500].encode()
    assert r.lindex("big", -1) == values[-1].encode()
    r.lset("big", 3000, "changed")
    assert r.lrange("big", 2999, 3001) == [values[2999].encode(), b"changed",
                                          values[3001].encode()]
    assert r.object("encoding", "big") == b"quicklist"
    assert r.lrem("big", 0, "changed") == 1
    r.ltrim("big", 100, 199)
    assert r.lrange("big", 0, -1) == [v.encode() for v in values[100:200]]
    big = "x" * 100000
    r.rpush("plain", big, "small", big)
    assert r.lrange("plain", 0, -1) == [big.encode(), b"small", big.encode()]


def test_list_config_names(r):
    assert r.config_get("list-max-ziplist-size") == {"list-max-ziplist-size": "-2"}
    assert r.config_get("list-max-listpack-size") == {"list-max-listpack-size": "-2"}
    assert r.config_get("list-compress-depth") == {"list-compress-depth": "0"}


# --- blocking -------------------------------------------------------------------

def send(sock, *args):
    sock.sendall(encode(*args))


def reply(sock, timeout=5):
    sock.settimeout(timeout)
    return read_reply(sock)[0]


def blocked_count(r):
    return int(r.info("clients")["blocked_clients"])


def test_blpop_served_in_arrival_order(server, r):
    waiters = [server.connect() for _ in range(3)]
    for i, s in enumerate(waiters):
        send(s, "BLPOP", "q", "0")
        wait_until(lambda: blocked_count(r) == i + 1, timeout=5, what="client to block")
    r.rpush("q", "one", "two", "three")
    assert [reply(s) for s in waiters] == [
        b"*2\r\n$1\r\nq\r\n$3\r\none\r\n", b"*2\r\n$1\r\nq\r\n$3\r\ntwo\r\n",
        b"*2\r\n$1\r\nq\r\n$5\r\nthree\r\n"]
    assert r.exists("q") == 0
    assert blocked_count(r) == 0
    for s in waiters:
        s.close()


def test_push_serves_only_as_many_as_elements(server, r):
    a, b = server.connect(), server.connect()
    send(a, "BRPOP", "k1", "k2", "0")
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="a to block")
    send(b, "BRPOP", "k2", "0")
    wait_until(lambda: blocked_count(r) == 2, timeout=5, what="b to block")
    r.lpush("k2", "x")
    assert reply(a) == b"*2\r\n$2\r\nk2\r\n$1\r\nx\r\n"
    assert blocked_count(r) == 1
    r.lpush("k2", "y")
    assert reply(b) == b"*2\r\n$2\r\nk2\r\n$1\r\ny\r\n"
    a.close()
    b.close()


def test_blmove_chain_and_pipelined_push(server, r):
    """A push from a pipeline wakes a BLMOVE whose own push wakes a BLPOP."""
    mover, popper = server.connect(), server.connect()
    send(popper, "BLPOP", "dst", "0")
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="popper to block")
    send(mover, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    wait_until(lambda: blocked_count(r) == 2, timeout=5, what="mover to block")
    p = server.connect()
    assert roundtrip(p, ("SET", "unrelated", "1"), ("RPUSH", "src", "item"),
                     ("GET", "unrelated")) == [b"+OK\r\n", b":1\r\n", b"$1\r\n1\r\n"]
    assert reply(mover) == b"$4\r\nitem\r\n"
    assert reply(popper) == b"*2\r\n$3\r\ndst\r\n$4\r\nitem\r\n"
    assert r.exists("src", "dst") == 0
    for s in (mover, popper, p):
        s.close()


def test_blocking_timeout_and_fractions(server, r):
    s = server.connect()
    start = time.time()
    send(s, "BLPOP", "nothing", "0.3")
    assert reply(s) == b"*-1\r\n"
    assert 0.25 <= time.time() - start < 2.5
    send(s, "BLMOVE", "nothing", "d", "LEFT", "LEFT", "0.1")
    assert reply(s) == b"*-1\r\n"
    assert blocked_count(r) == 0
    s.close()


def test_commands_after_a_blocking_one_wait_for_it(server, r):
    s = server.connect()
    s.sendall(encode("BLPOP", "later", "0") + encode("PING") + encode("ECHO", "after"))
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="client to block")
    r.rpush("later", "v")
    s.settimeout(5)
    raw, rest = read_reply(s)
    assert raw == b"*2\r\n$5\r\nlater\r\n$1\r\nv\r\n"
    raw, rest = read_reply(s, rest)
    assert raw == b"+PONG\r\n"
    raw, rest = read_reply(s, rest)
    assert raw == b"$5\r\nafter\r\n"
    s.close()


def test_client_unblock(server, r):
    s = server.connect()
    cid = int(roundtrip(s, ("CLIENT", "ID"))[0][1:-2])
    send(s, "BLPOP", "never", "0")
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="client to block")
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 1
    assert reply(s) == b"*-1\r\n"
    send(s, "BLPOP", "never", "0")
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="client to block again")
    assert r.execute_command("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    assert reply(s) == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 0
    with pytest.raises(Exception, match="TIMEOUT or ERROR"):
        r.execute_command("CLIENT", "UNBLOCK", cid, "MAYBE")
    s.close()


def test_blocked_client_disconnect_is_cleaned_up(server, r):
    s = server.connect()
    send(s, "BLPOP", "gone", "0")
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="client to block")
    s.close()
    wait_until(lambda: blocked_count(r) == 0, timeout=5, what="blocked client to be freed")
    r.rpush("gone", "x")
    assert r.lrange("gone", 0, -1) == [b"x"]


def test_blmpop_count_and_wrongtype(server, r):
    s = server.connect()
    send(s, "BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2")
    wait_until(lambda: blocked_count(r) == 1, timeout=5, what="client to block")
    r.rpush("m2", "a", "b", "c")
    assert reply(s) == b"*2\r\n$2\r\nm2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    r.set("str", "x")
    assert roundtrip(s, ("BLPOP", "str", "0"))[0].startswith(b"-WRONGTYPE")
    s.close()


def test_many_blocked_clients_threads(server, r):
    """Clients blocking from threads, each served exactly once."""
    n = 20
    results = []
    lock = threading.Lock()

    def waiter(i):
        c = server.client()
        v = c.blpop("work", timeout=10)
        with lock:
            results.append(v)
        c.close()

    threads = [threading.Thread(target=waiter, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    wait_until(lambda: blocked_count(r) == n, timeout=10, what="all clients to block")
    for i in range(n):
        r.rpush("work", "job%d" % i)
    for t in threads:
        t.join(10)
    assert sorted(v[1] for v in results) == sorted(b"job%d" % i for i in range(n))

# SPDX-License-Identifier: BSD-3-Clause
#
# Server and connection commands: PING, ECHO, TIME, DBSIZE, SELECT, SWAPDB,
# FLUSHDB/FLUSHALL, COMMAND (COUNT, INFO, LIST, DOCS), DEBUG (SLEEP, OBJECT,
# SET-ACTIVE-EXPIRE, and the enable-debug-command gate) and SHUTDOWN.
import fnmatch
import threading
import time

import pytest
import redis

from conftest import encode, read_reply, roundtrip
from helpers_server import plain_client, read_until_closed, wait_until

DEBUG_DENIED = (b"-ERR DEBUG command not allowed. If the enable-debug-command option is set "
                b"to \"local\", you can run it from a local connection, otherwise you need to "
                b"set this option in the configuration file, and then restart the server.\r\n")


# --- PING / ECHO / TIME ----------------------------------------------------------

def test_ping(server):
    s = server.connect()
    assert roundtrip(s, ("PING",), ("PING", "hello"), ("PING", ""), ("ping", "a", "b")) == [
        b"+PONG\r\n", b"$5\r\nhello\r\n", b"$0\r\n\r\n",
        b"-ERR wrong number of arguments for 'ping' command\r\n"]
    s.close()


def test_echo_is_binary_safe(server):
    s = server.connect()
    payload = bytes(range(256))
    assert roundtrip(s, ("ECHO", payload)) == [b"$256\r\n" + payload + b"\r\n"]
    assert roundtrip(s, ("ECHO", "a", "b")) == [
        b"-ERR wrong number of arguments for 'echo' command\r\n"]
    s.close()


def test_time(server):
    s = server.connect()
    raw = roundtrip(s, ("TIME",))[0]
    s.close()
    parts = raw.split(b"\r\n")
    assert parts[0] == b"*2"
    assert parts[1] == b"$%d" % len(parts[2]) and parts[3] == b"$%d" % len(parts[4])
    secs, usecs = int(parts[2]), int(parts[4])
    assert abs(secs + usecs / 1e6 - time.time()) < 2
    assert 0 <= usecs < 1000000


def test_time_advances(r):
    a = r.time()
    time.sleep(0.01)
    b = r.time()
    assert b > a


# --- databases -------------------------------------------------------------------

def test_dbsize_and_select(server):
    s = server.connect()
    assert roundtrip(s, ("DBSIZE",)) == [b":0\r\n"]
    roundtrip(s, ("SET", "a", "1"), ("SET", "b", "2"))
    assert roundtrip(s, ("DBSIZE",), ("SELECT", "1"), ("DBSIZE",), ("GET", "a"),
                     ("SET", "a", "db1"), ("SELECT", "15"), ("DBSIZE",), ("SELECT", "0"),
                     ("GET", "a")) == [
        b":2\r\n", b"+OK\r\n", b":0\r\n", b"$-1\r\n", b"+OK\r\n", b"+OK\r\n", b":0\r\n",
        b"+OK\r\n", b"$1\r\n1\r\n"]
    assert roundtrip(s, ("SELECT", "16"), ("SELECT", "-1"), ("SELECT", "abc"),
                     ("DBSIZE", "x")) == [
        b"-ERR DB index is out of range\r\n", b"-ERR DB index is out of range\r\n",
        b"-ERR value is not an integer or out of range\r\n",
        b"-ERR wrong number of arguments for 'dbsize' command\r\n"]
    s.close()


def test_select_is_per_connection(server):
    a, b = server.connect(), server.connect()
    assert roundtrip(a, ("SELECT", "3"), ("SET", "k", "in3")) == [b"+OK\r\n", b"+OK\r\n"]
    assert roundtrip(b, ("GET", "k")) == [b"$-1\r\n"]
    assert roundtrip(b, ("SELECT", "3"), ("GET", "k")) == [b"+OK\r\n", b"$3\r\nin3\r\n"]
    a.close()
    b.close()


def test_swapdb(server):
    s = server.connect()
    roundtrip(s, ("SET", "zero", "0"), ("SELECT", "1"), ("SET", "one", "1"), ("SET", "x", "1"),
              ("SELECT", "0"))
    other = server.connect()
    assert roundtrip(other, ("SELECT", "1")) == [b"+OK\r\n"]
    assert roundtrip(s, ("SWAPDB", "0", "1")) == [b"+OK\r\n"]
    # every client sees the swap: db 0 now holds what db 1 held
    assert roundtrip(s, ("GET", "one"), ("GET", "zero"), ("DBSIZE",)) == [
        b"$1\r\n1\r\n", b"$-1\r\n", b":2\r\n"]
    assert roundtrip(other, ("GET", "zero"), ("DBSIZE",)) == [b"$1\r\n0\r\n", b":1\r\n"]
    assert roundtrip(s, ("SWAPDB", "0", "16"), ("SWAPDB", "a", "1"), ("SWAPDB", "0", "b"),
                     ("SWAPDB", "0")) == [
        b"-ERR DB index is out of range\r\n", b"-ERR invalid first DB index\r\n",
        b"-ERR invalid second DB index\r\n",
        b"-ERR wrong number of arguments for 'swapdb' command\r\n"]
    assert roundtrip(s, ("SWAPDB", "2", "2")) == [b"+OK\r\n"]
    s.close()
    other.close()


def test_flushdb_and_flushall(server):
    s = server.connect()
    roundtrip(s, ("SET", "a", "1"), ("SELECT", "2"), ("SET", "b", "1"), ("SET", "c", "1"))
    assert roundtrip(s, ("FLUSHDB",), ("DBSIZE",), ("SELECT", "0"), ("DBSIZE",)) == [
        b"+OK\r\n", b":0\r\n", b"+OK\r\n", b":1\r\n"]
    roundtrip(s, ("SELECT", "5"), ("SET", "d", "1"))
    assert roundtrip(s, ("FLUSHALL",), ("DBSIZE",), ("SELECT", "0"), ("DBSIZE",)) == [
        b"+OK\r\n", b":0\r\n", b"+OK\r\n", b":0\r\n"]
    roundtrip(s, ("SET", "a", "1"))
    assert roundtrip(s, ("FLUSHDB", "ASYNC"), ("DBSIZE",), ("SET", "a", "1"),
                     ("FLUSHALL", "sync"), ("DBSIZE",), ("FLUSHALL", "foo"),
                     ("FLUSHDB", "async", "x")) == [
        b"+OK\r\n", b":0\r\n", b"+OK\r\n", b"+OK\r\n", b":0\r\n", b"-ERR syntax error\r\n",
        b"-ERR syntax error\r\n"]
    s.close()


# --- COMMAND ----------------------------------------------------------------------

def test_command_count_matches_list(server):
    r = plain_client(server)
    count = r.execute_command("COMMAND", "COUNT")
    assert isinstance(count, int) and count > 0
    names = [n.decode() for n in r.execute_command("COMMAND", "LIST")]
    assert len(names) == len(set(names))
    # COUNT counts top-level commands; LIST also names subcommands as "parent|sub"
    assert count == len([n for n in names if "|" not in n])
    for n in ("get", "set", "ping", "client", "config", "command", "client|list",
              "config|get", "info"):
        assert n in names


def test_command_info_shape(server):
    s = server.connect()
    raw = roundtrip(s, ("COMMAND", "INFO", "get"))[0]
    assert raw.startswith(b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n"
                          b":1\r\n:1\r\n:1\r\n")
    s.close()


def test_command_info_values(server):
    r = plain_client(server)
    info = r.execute_command("COMMAND", "INFO", "get", "set", "mset", "ping", "nosuchcmd")
    assert len(info) == 5
    get, set_, mset, ping, missing = info
    assert get[:6] == [b"get", 2, [b"readonly", b"fast"], 1, 1, 1]
    assert set_[:6] == [b"set", -3, [b"write", b"denyoom"], 1, 1, 1]
    assert mset[:6] == [b"mset", -3, [b"write", b"denyoom"], 1, -1, 2]
    assert ping[0] == b"ping" and ping[1] == -1 and ping[3:6] == [0, 0, 0]
    assert missing is None
    assert b"@string" in get[6] and b"@read" in get[6]


def test_command_info_unknown_is_nil(server):
    s = server.connect()
    assert roundtrip(s, ("COMMAND", "INFO", "nosuch")) == [b"*1\r\n$-1\r\n"]
    s.close()


def test_command_info_subcommand(server):
    r = plain_client(server)
    (cg,) = r.execute_command("COMMAND", "INFO", "config|get")
    assert cg[0] == b"config|get" and cg[1] == -3


def test_command_list_filterby_pattern(server):
    r = plain_client(server)
    names = [n.decode() for n in r.execute_command("COMMAND", "LIST", "FILTERBY", "PATTERN",
                                                   "cl*")]
    assert names and all(fnmatch.fnmatchcase(n, "cl*") for n in names)
    assert "client" in names
    assert "client|id" in names  # subcommands match the pattern on "parent|sub"
    assert "get" not in names
    strings = [n.decode() for n in r.execute_command("COMMAND", "LIST", "FILTERBY", "ACLCAT",
                                                     "string")]
    assert "get" in strings and "lpush" not in strings
    assert r.execute_command("COMMAND", "LIST", "FILTERBY", "PATTERN", "nomatch*") == []


def test_command_docs(server):
    r = plain_client(server)
    docs = r.execute_command("COMMAND", "DOCS", "get")
    # RESP2: a flat array name, doc-map (itself a flat array)
    assert docs[0] == b"get"
    fields = docs[1]
    d = dict(zip(fields[::2], fields[1::2]))
    assert d[b"summary"]
    assert d[b"since"] == b"1.0.0"
    assert d[b"group"] == b"string"
    assert d[b"complexity"] == b"O(1)"
    assert r.execute_command("COMMAND", "DOCS", "nosuchcmd") == []


def test_command_no_args_lists_every_command(server):
    r = plain_client(server)
    everything = r.execute_command("COMMAND")
    assert len(everything) == r.execute_command("COMMAND", "COUNT")


def test_command_unknown_subcommand(server):
    s = server.connect()
    assert roundtrip(s, ("COMMAND", "foo")) == [
        b"-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n"]
    s.close()


# --- DEBUG ------------------------------------------------------------------------

def test_debug_denied_when_disabled(server_factory):
    # Redis's default is "no"; the suite's servers start with "yes"
    srv = server_factory(config={"enable-debug-command": "no"})
    s = srv.connect()
    assert roundtrip(s, ("DEBUG", "SLEEP", "0"), ("CONFIG", "GET", "enable-debug-command"),
                     ("CONFIG", "SET", "enable-debug-command", "yes")) == [
        DEBUG_DENIED,
        b"*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n",
        b"-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - "
        b"can't set immutable config\r\n"]
    s.close()


def test_debug_local_allows_loopback(server_factory):
    srv = server_factory(config={"enable-debug-command": "local"})
    s = srv.connect()
    assert roundtrip(s, ("DEBUG", "SLEEP", "0")) == [b"+OK\r\n"]
    s.close()


def test_debug_sleep(server):
    s = server.connect()
    assert roundtrip(s, ("DEBUG", "SLEEP", "0")) == [b"+OK\r\n"]
    # DEBUG SLEEP blocks the whole server: another client waits for it
    other = server.connect()
    s.sendall(encode("DEBUG", "SLEEP", "0.3"))
    time.sleep(0.05)
    t0 = time.monotonic()
    assert roundtrip(other, ("PING",)) == [b"+PONG\r\n"]
    assert time.monotonic() - t0 >= 0.15
    assert read_reply(s)[0] == b"+OK\r\n"
    s.close()
    other.close()


def test_debug_object(server, r):
    r.set("str", "bar")
    r.set("num", "12345")
    s = server.connect()
    for key in ("str", "num"):
        raw = roundtrip(s, ("DEBUG", "OBJECT", key))[0]
        assert raw.startswith(b"+Value at:")
        fields = dict(f.split(b":", 1) for f in raw[1:-2].split(b" ") if b":" in f)
        assert fields[b"refcount"].isdigit()
        assert fields[b"encoding"] == r.object("encoding", key)
        assert b"serializedlength" in fields and b"lru_seconds_idle" in fields
    assert roundtrip(s, ("DEBUG", "OBJECT", "nosuch")) == [b"-ERR no such key\r\n"]
    s.close()


def test_debug_unknown_subcommand(server):
    s = server.connect()
    assert roundtrip(s, ("DEBUG", "foo"), ("DEBUG", "set-active-expire")) == [
        b"-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n",
        b"-ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. "
        b"Try DEBUG HELP.\r\n"]
    s.close()


def test_debug_set_active_expire(server, r):
    assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    try:
        expired_before = int(r.info("stats")["expired_keys"])
        r.set("short", "x", px=30)
        r.set("keep", "y")
        time.sleep(0.4)
        # with the active cycle off, the logically expired key is still counted
        assert r.dbsize() == 2
        assert r.info("keyspace")["db0"]["keys"] == 2
        assert int(r.info("stats")["expired_keys"]) == expired_before
        # touching it deletes it (lazy expiry)
        assert r.get("short") is None
        assert r.dbsize() == 1
        assert int(r.info("stats")["expired_keys"]) == expired_before + 1
    finally:
        assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"OK"
    r.set("short2", "x", px=30)
    wait_until(lambda: r.dbsize() == 1, timeout=3, what="the active expire cycle")


# --- SHUTDOWN -------------------------------------------------------------------------

def test_shutdown_nosave(server_factory):
    srv = server_factory()
    s = srv.connect()
    assert roundtrip(s, ("SHUTDOWN", "foo"), ("SHUTDOWN", "NOSAVE", "SAVE")) == [
        b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"]
    s.sendall(encode("SHUTDOWN", "NOSAVE"))
    assert read_until_closed(s, timeout=5) == (b"", True)
    s.close()
    assert srv.proc.wait(10) == 0
    with pytest.raises(ConnectionRefusedError):
        srv.connect()


def test_shutdown_via_redis_py(server_factory):
    srv = server_factory()
    c = srv.client()
    with pytest.raises(redis.ConnectionError):
        c.execute_command("SHUTDOWN", "NOSAVE")
    assert srv.proc.wait(10) == 0


def test_concurrent_clients_see_each_others_writes(server, r):
    errors = []

    def worker(n):
        try:
            c = server.client()
            for i in range(200):
                c.incr("shared")
            c.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert r.get("shared") == b"1600"

# SPDX-License-Identifier: BSD-3-Clause
#
# Keyspace commands with Redis 7.0 semantics: DEL, UNLINK, EXISTS, TYPE,
# RENAME, RENAMENX, COPY, MOVE, KEYS patterns, RANDOMKEY, DBSIZE, SELECT,
# SWAPDB, FLUSHDB, FLUSHALL, TOUCH. Only string values are used (WRONGTYPE
# cases belong to the other types' tests).
import helpers_data
from helpers_data import (EMPTY_ARRAY, NIL, NOT_INTEGER, OK, arity_error, bulk, error,
                          integer, syntax_error)

raw = helpers_data.raw  # the `raw` fixture: a raw connection to the shared server

NO_SUCH_KEY = error("ERR no such key")
SAME_OBJECT = error("ERR source and destination objects are the same")
DB_RANGE = error("ERR DB index is out of range")


def test_del(r, raw):
    r.mset({"a": 1, "b": 2, "c": 3})
    # a key named twice is deleted (and counted) once
    assert raw("DEL", "a", "b", "nokey", "a") == integer(2)
    assert r.exists("a", "b") == 0
    assert r.get("c") == b"3"
    assert raw("DEL", "a") == integer(0)
    assert raw("DEL") == arity_error("del")


def test_unlink(r, raw):
    r.mset({"a": 1, "b": "x" * 100000})
    assert raw("UNLINK", "a", "b", "nokey", "b") == integer(2)
    assert r.dbsize() == 0
    assert raw("UNLINK") == arity_error("unlink")


def test_exists_counts_duplicates(r, raw):
    r.mset({"a": 1, "b": 2})
    assert raw("EXISTS", "a") == integer(1)
    assert raw("EXISTS", "a", "a", "b", "nokey", "a") == integer(4)
    assert raw("EXISTS", "nokey") == integer(0)
    assert raw("EXISTS") == arity_error("exists")


def test_type(r, raw):
    r.set("s", "x")
    r.set("n", 1)
    assert raw("TYPE", "s") == b"+string\r\n"
    assert raw("TYPE", "n") == b"+string\r\n"
    assert raw("TYPE", "nokey") == b"+none\r\n"
    assert raw("TYPE") == arity_error("type")
    assert raw("TYPE", "a", "b") == arity_error("type")


def test_rename(r, raw):
    r.set("a", "1")
    assert raw("RENAME", "a", "b") == OK
    assert r.exists("a") == 0
    assert r.get("b") == b"1"
    # overwrites the destination
    r.set("c", "3")
    assert raw("RENAME", "b", "c") == OK
    assert r.get("c") == b"1"
    assert r.dbsize() == 1
    assert raw("RENAME", "nokey", "x") == NO_SUCH_KEY
    assert raw("RENAME", "nokey", "nokey") == NO_SUCH_KEY
    assert raw("RENAME", "a") == arity_error("rename")


def test_rename_to_itself(r, raw):
    r.set("a", "1", ex=100)
    assert raw("RENAME", "a", "a") == OK
    assert r.get("a") == b"1"
    assert r.ttl("a") == 100
    assert raw("RENAMENX", "a", "a") == integer(0)
    assert r.get("a") == b"1"


def test_rename_ttl(r):
    r.set("a", "1", ex=100)
    r.rename("a", "b")
    assert r.ttl("b") == 100
    # the destination's own TTL is replaced by the source's (none here)
    r.set("c", "x", ex=500)
    r.rename("b", "c")
    assert r.ttl("c") == 100
    r.set("p", "persistent")
    r.rename("p", "c")
    assert r.ttl("c") == -1
    assert r.get("c") == b"persistent"


def test_renamenx(r, raw):
    r.mset({"a": 1, "b": 2})
    assert raw("RENAMENX", "a", "b") == integer(0)
    assert r.mget("a", "b") == [b"1", b"2"]
    assert raw("RENAMENX", "a", "c") == integer(1)
    assert r.exists("a") == 0
    assert r.get("c") == b"1"
    assert raw("RENAMENX", "nokey", "b") == NO_SUCH_KEY
    assert raw("RENAMENX", "nokey", "fresh") == NO_SUCH_KEY
    assert raw("RENAMENX", "a") == arity_error("renamenx")


def test_renamenx_keeps_ttl(r):
    r.set("a", "1", px=100000)
    assert r.renamenx("a", "b")
    assert 99000 < r.pttl("b") <= 100000


def test_copy(r, raw):
    r.set("src", "v")
    assert raw("COPY", "src", "dst") == integer(1)
    assert r.get("dst") == b"v"
    # destination exists: not copied without REPLACE
    r.set("src", "w")
    assert raw("COPY", "src", "dst") == integer(0)
    assert r.get("dst") == b"v"
    assert raw("COPY", "src", "dst", "REPLACE") == integer(1)
    assert r.get("dst") == b"w"
    assert raw("COPY", "nokey", "dst") == integer(0)
    assert raw("COPY", "nokey", "dst", "REPLACE") == integer(0)
    assert r.get("dst") == b"w"
    # the copy is independent of the source
    r.append("src", "x")
    assert r.get("dst") == b"w"
    r.set("n", 12345)
    r.copy("n", "m")
    r.incr("m")
    assert r.get("n") == b"12345"
    assert r.get("m") == b"12346"


def test_copy_ttl(r):
    r.set("src", "v", ex=100)
    assert r.copy("src", "dst")
    assert r.ttl("dst") == 100
    # REPLACE with a persistent source leaves a persistent destination
    r.set("p", "plain")
    assert r.copy("p", "dst", replace=True)
    assert r.ttl("dst") == -1
    assert r.get("dst") == b"plain"


def test_copy_db(server, r, raw):
    r.set("src", "v", ex=100)
    assert raw("COPY", "src", "src") == SAME_OBJECT
    assert raw("COPY", "src", "src", "DB", "0") == SAME_OBJECT
    assert raw("COPY", "src", "src", "REPLACE") == SAME_OBJECT
    assert raw("COPY", "src", "src", "DB", "1") == integer(1)
    assert raw("COPY", "src", "other", "db", "1") == integer(1)
    assert raw("COPY", "src", "other", "DB", "1") == integer(0)
    assert raw("COPY", "src", "other", "DB", "1", "REPLACE") == integer(1)
    assert raw("COPY", "src", "other", "REPLACE", "DB", "1") == integer(1)
    db1 = server.client(db=1)
    try:
        assert sorted(db1.keys("*")) == [b"other", b"src"]
        assert db1.get("src") == b"v"
        assert db1.ttl("other") == 100
    finally:
        db1.close()
    assert r.dbsize() == 1


def test_copy_errors(r, raw):
    r.set("src", "v")
    assert raw("COPY", "src", "dst", "DB", "16") == DB_RANGE
    assert raw("COPY", "src", "dst", "DB", "-1") == DB_RANGE
    assert raw("COPY", "src", "dst", "DB", "abc") == NOT_INTEGER
    assert raw("COPY", "src", "dst", "DB") == syntax_error()
    assert raw("COPY", "src", "dst", "FOO") == syntax_error()
    assert raw("COPY", "src", "dst", "REPLACE", "FOO") == syntax_error()
    assert raw("COPY", "src") == arity_error("copy")
    assert r.exists("dst") == 0


def test_move(server, r, raw):
    db1 = server.client(db=1)
    try:
        r.set("a", "1", ex=100)
        assert raw("MOVE", "a", "1") == integer(1)
        assert r.exists("a") == 0
        assert db1.get("a") == b"1"
        assert db1.ttl("a") == 100
        # the target already has the key: nothing moves
        r.set("a", "2")
        assert raw("MOVE", "a", "1") == integer(0)
        assert r.get("a") == b"2"
        assert db1.get("a") == b"1"
        assert raw("MOVE", "nokey", "1") == integer(0)
        assert raw("MOVE", "a", "0") == SAME_OBJECT
        assert raw("MOVE", "nokey", "0") == SAME_OBJECT
        assert raw("MOVE", "a", "16") == DB_RANGE
        assert raw("MOVE", "a", "-1") == DB_RANGE
        assert raw("MOVE", "a", "abc") == NOT_INTEGER
        assert raw("MOVE", "a") == arity_error("move")
    finally:
        db1.close()


def test_keys_patterns(r, raw):
    names = ["hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a\\b", "[x]", "ab",
             "a?", "foo:1", "foo:2", "bar"]
    r.mset({n: 1 for n in names})

    def keys(pattern):
        return sorted(k.decode() for k in r.keys(pattern))

    assert keys("*") == sorted(names)
    assert keys("h?llo") == ["hallo", "hello", "hxllo"]
    assert keys("h*llo") == ["hallo", "heeeello", "hello", "hllo", "hxllo"]
    assert keys("h[ae]llo") == ["hallo", "hello"]
    assert keys("h[^e]llo") == ["hallo", "hxllo"]
    assert keys("h[a-b]llo") == ["hallo"]
    # a reversed range works like the ordered one
    assert keys("[b-a]b") == ["ab"]
    # '!' is not a negation: it is an ordinary member of the set
    assert keys("h[!e]llo") == ["hello"]
    assert keys("a\\*b") == ["a*b"]
    assert keys("a\\?") == ["a?"]
    assert keys("a\\\\b") == ["a\\b"]
    assert keys("[x]") == []
    assert keys("\\[x\\]") == ["[x]"]
    assert keys("foo:*") == ["foo:1", "foo:2"]
    assert keys("*o*") == ["foo:1", "foo:2", "hallo", "heeeello", "hello", "hllo", "hxllo"]
    assert keys("bar") == ["bar"]
    assert keys("ba") == []
    # an unterminated set matches nothing
    assert keys("a[") == []
    assert raw("KEYS", "nomatch*") == EMPTY_ARRAY
    assert raw("KEYS") == arity_error("keys")
    assert raw("KEYS", "bar") == b"*1\r\n$3\r\nbar\r\n"


def test_randomkey(r, raw):
    assert raw("RANDOMKEY") == NIL
    r.set("only", "1")
    assert raw("RANDOMKEY") == bulk("only")
    names = {f"k{i}".encode() for i in range(50)}
    r.mset({n: 1 for n in names})
    seen = {r.randomkey() for _ in range(100)}
    assert seen <= names | {b"only"}
    assert len(seen) > 1
    assert raw("RANDOMKEY", "x") == arity_error("randomkey")


def test_dbsize(r, raw):
    assert raw("DBSIZE") == integer(0)
    r.mset({f"k{i}": i for i in range(100)})
    assert raw("DBSIZE") == integer(100)
    r.delete("k0")
    assert raw("DBSIZE") == integer(99)
    assert raw("DBSIZE", "x") == arity_error("dbsize")


def test_select(server, raw):
    assert raw("SELECT", "16") == DB_RANGE
    assert raw("SELECT", "-1") == DB_RANGE
    assert raw("SELECT", "abc") == NOT_INTEGER
    assert raw("SELECT", "1.0") == NOT_INTEGER
    assert raw("SELECT") == arity_error("select")
    assert raw("SET", "k", "db0") == OK
    assert raw("SELECT", "15") == OK
    assert raw("GET", "k") == NIL
    assert raw("SET", "k", "db15") == OK
    assert raw("DBSIZE") == integer(1)
    assert raw("SELECT", "0") == OK
    assert raw("GET", "k") == bulk("db0")
    # the selected database belongs to the connection
    other = server.client(db=15)
    try:
        assert other.get("k") == b"db15"
    finally:
        other.close()


def test_swapdb(server, r, raw):
    r.set("a", "in0")
    db1 = server.client(db=1)
    try:
        db1.set("b", "in1", ex=100)
        assert raw("SWAPDB", "0", "1") == OK
        # clients keep their database index and see the other data
        assert r.keys("*") == [b"b"]
        assert r.ttl("b") == 100
        assert db1.keys("*") == [b"a"]
        assert raw("SWAPDB", "1", "0") == OK
        assert r.get("a") == b"in0"
        assert raw("SWAPDB", "0", "0") == OK
        assert r.get("a") == b"in0"
    finally:
        db1.close()


def test_swapdb_errors(raw):
    assert raw("SWAPDB", "0", "16") == DB_RANGE
    assert raw("SWAPDB", "0", "-1") == DB_RANGE
    assert raw("SWAPDB", "-1", "0") == DB_RANGE
    assert raw("SWAPDB", "abc", "0") == error("ERR invalid first DB index")
    assert raw("SWAPDB", "0", "abc") == error("ERR invalid second DB index")
    assert raw("SWAPDB", "0") == arity_error("swapdb")
    assert raw("SWAPDB", "0", "1", "2") == arity_error("swapdb")


def test_flushdb(server, r, raw):
    db1 = server.client(db=1)
    try:
        for mode in ((), ("ASYNC",), ("SYNC",), ("async",)):
            r.mset({"a": 1, "b": 2})
            db1.set("c", 3)
            assert raw("FLUSHDB", *mode) == OK
            assert r.dbsize() == 0
            assert db1.dbsize() == 1
        assert raw("FLUSHDB", "FOO") == syntax_error()
        assert raw("FLUSHDB", "ASYNC", "SYNC") == syntax_error()
        assert db1.dbsize() == 1
    finally:
        db1.close()


def test_flushall(server, r, raw):
    db1 = server.client(db=1)
    try:
        for mode in ((), ("ASYNC",), ("SYNC",), ("sync",)):
            r.mset({"a": 1, "b": 2})
            db1.set("c", 3, ex=100)
            assert raw("FLUSHALL", *mode) == OK
            assert r.dbsize() == 0
            assert db1.dbsize() == 0
        r.set("a", 1)
        assert raw("FLUSHALL", "FOO") == syntax_error()
        assert raw("FLUSHALL", "SYNC", "ASYNC") == syntax_error()
        assert r.dbsize() == 1
    finally:
        db1.close()


def test_touch(r, raw):
    r.mset({"a": 1, "b": 2})
    assert raw("TOUCH", "a", "a", "nokey", "b") == integer(3)
    assert raw("TOUCH", "nokey") == integer(0)
    assert raw("TOUCH") == arity_error("touch")

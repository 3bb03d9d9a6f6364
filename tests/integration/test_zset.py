# SPDX-License-Identifier: BSD-3-Clause
#
# The sorted-set commands (t_zset.c): replies, error strings (raw bytes), RESP2
# and RESP3 shapes, the listpack and skiplist encodings and the conversions at
# their thresholds, the set algebra with sets as inputs, blocking pops, and
# byte-for-byte comparisons with redis-server 7.0 (the `oracle` fixture) in both
# encodings and both protocols, including a seeded random command sequence.
import random
import time

import pytest

from conftest import AGAINST_REDIS, read_reply, roundtrip
from helpers_data import NIL, Raw, array, bulk, error, integer, syntax_error

WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind of value")
NOT_FLOAT = error("ERR value is not a valid float")
NOT_INTEGER = error("ERR value is not an integer or out of range")
EMPTY = b"*0\r\n"
NULL_ARRAY = b"*-1\r\n"
RESP3_NULL = b"_\r\n"


def double3(text):
    """A RESP3 double."""
    return b"," + text.encode() + b"\r\n"


@pytest.fixture
def raw(server):
    conn = Raw(server)
    yield conn
    conn.close()


def hello3(sock):
    """Switches a raw connection to RESP3; False when the server has no HELLO."""
    reply = roundtrip(sock, ("HELLO", "3"))[0]
    return not reply.startswith(b"-")


@pytest.fixture
def raw3(server):
    conn = Raw(server)
    if not hello3(conn.sock):
        conn.close()
        pytest.skip("HELLO (RESP3) is not available")
    yield conn
    conn.close()


@pytest.fixture(autouse=True)
def restore_zset_config(server):
    yield
    c = server.client()
    c.config_set("zset-max-listpack-entries", 128)
    c.config_set("zset-max-listpack-value", 64)
    c.close()


def encoding(raw, key):
    return raw("OBJECT", "ENCODING", key)


LISTPACK = bulk("listpack")
SKIPLIST = bulk("skiplist")


def has_sets(raw):
    """Sets are another file's type: the set-input tests run once SADD exists."""
    return not raw("SADD", "__probe", "1").startswith(b"-ERR unknown command")


# --- ZADD and ZINCRBY ----------------------------------------------------------------

def test_zadd_basic_and_reply_counts(raw):
    assert raw("ZADD", "z", "1", "a", "2", "b") == integer(2)
    assert raw("ZADD", "z", "3", "a", "4", "c") == integer(1)
    assert raw("ZADD", "z", "CH", "5", "a", "4", "c", "6", "d") == integer(2)
    assert raw("ZRANGE", "z", "0", "-1", "WITHSCORES") == array(
        bulk("b"), bulk("2"), bulk("c"), bulk("4"), bulk("a"), bulk("5"), bulk("d"), bulk("6"))
    assert raw("ZCARD", "z") == integer(4)
    assert raw("ZCARD", "nokey") == integer(0)


def test_zadd_option_errors(raw):
    assert raw("ZADD", "z", "NX", "XX", "1", "a") == error(
        "ERR XX and NX options at the same time are not compatible")
    for opts in (("GT", "NX"), ("LT", "NX"), ("GT", "LT"), ("NX", "GT", "LT")):
        assert raw("ZADD", "z", *opts, "1", "a") == error(
            "ERR GT, LT, and/or NX options at the same time are not compatible")
    assert raw("ZADD", "z", "INCR", "1", "a", "2", "b") == error(
        "ERR INCR option supports a single increment-element pair")
    assert raw("ZADD", "z", "NX", "1") == syntax_error()
    assert raw("ZADD", "z", "1", "a", "2") == syntax_error()
    assert raw("ZADD", "z", "x", "a") == NOT_FLOAT
    assert raw("ZADD", "z", "abc", "a", "1", "b") == NOT_FLOAT
    assert raw("ZADD", "z", "1", "a", "nan", "b") == NOT_FLOAT
    assert raw("ZADD", "z", "1", "a", " 1", "b") == NOT_FLOAT
    assert raw("EXISTS", "z") == integer(0)  # nothing is added on a parse error
    assert raw("ZADD", "z", "1") == error("ERR wrong number of arguments for 'zadd' command")


def test_zadd_nx_xx_gt_lt(raw):
    raw("ZADD", "z", "10", "a")
    assert raw("ZADD", "z", "NX", "20", "a", "1", "b") == integer(1)
    assert raw("ZSCORE", "z", "a") == bulk("10")
    assert raw("ZADD", "z", "XX", "20", "a", "1", "c") == integer(0)
    assert raw("ZSCORE", "z", "a") == bulk("20")
    assert raw("ZSCORE", "z", "c") == NIL
    assert raw("ZADD", "z", "GT", "CH", "15", "a", "25", "b") == integer(1)
    assert raw("ZSCORE", "z", "a") == bulk("20")
    assert raw("ZADD", "z", "LT", "CH", "5", "a", "30", "b") == integer(1)
    assert raw("ZSCORE", "z", "a") == bulk("5")
    assert raw("ZADD", "z", "GT", "100", "new") == integer(1)  # new members are added
    assert raw("ZADD", "z", "XX", "GT", "CH", "200", "new", "1", "a") == integer(1)
    assert raw("ZADD", "nokey", "XX", "1", "a") == integer(0)
    assert raw("EXISTS", "nokey") == integer(0)
    assert raw("ZADD", "nokey", "XX", "INCR", "1", "a") == NIL


def test_zadd_incr_and_zincrby(raw):
    assert raw("ZADD", "z", "INCR", "1.5", "a") == bulk("1.5")
    assert raw("ZINCRBY", "z", "2", "a") == bulk("3.5")
    assert raw("ZINCRBY", "z", "-1e400", "a") == NOT_FLOAT
    assert raw("ZINCRBY", "z", "abc", "a") == NOT_FLOAT
    assert raw("ZINCRBY", "z", "0.1", "b") == bulk("0.10000000000000001")
    assert raw("ZADD", "z", "NX", "INCR", "1", "a") == NIL
    assert raw("ZADD", "z", "GT", "INCR", "-1", "a") == NIL
    assert raw("ZADD", "z", "LT", "INCR", "-1", "a") == bulk("2.5")
    assert raw("ZINCRBY", "z", "nx", "a") == syntax_error()
    raw("ZADD", "i", "inf", "x")
    assert raw("ZINCRBY", "i", "-inf", "x") == error("ERR resulting score is not a number (NaN)")
    assert raw("ZINCRBY", "i", "1", "x") == bulk("inf")
    assert raw("ZINCRBY", "i", "-inf", "y") == bulk("-inf")


def test_zadd_scores_formats(raw):
    raw("ZADD", "z", "1e17", "a", "-0", "b", "+inf", "c", "-INF", "d", "0x10", "e", ".5", "f")
    assert raw("ZSCORE", "z", "a") == bulk("1e+17")
    assert raw("ZSCORE", "z", "b") == bulk("0")  # a listpack keeps -0 as 0
    assert raw("ZSCORE", "z", "c") == bulk("inf")
    assert raw("ZSCORE", "z", "d") == bulk("-inf")
    assert raw("ZSCORE", "z", "e") == bulk("16")
    assert raw("ZSCORE", "z", "f") == bulk("0.5")
    assert raw("ZADD", "z", "INCR", "-0", "g") == bulk("-0")
    assert raw("ZSCORE", "z", "g") == bulk("0")


def test_negative_zero_in_skiplist(raw):
    raw("CONFIG", "SET", "zset-max-listpack-entries", "0")
    raw("ZADD", "z", "-0", "a")
    assert encoding(raw, "z") == SKIPLIST
    assert raw("ZSCORE", "z", "a") == bulk("-0")
    assert raw("ZSCAN", "z", "0") == array(bulk("0"), array(bulk("a"), bulk("-0")))


def test_wrongtype(raw):
    raw("SET", "s", "x")
    for cmd in (("ZADD", "s", "1", "a"), ("ZINCRBY", "s", "1", "a"), ("ZREM", "s", "a"),
                ("ZCARD", "s"), ("ZCOUNT", "s", "0", "1"), ("ZLEXCOUNT", "s", "-", "+"),
                ("ZSCORE", "s", "a"), ("ZMSCORE", "s", "a"), ("ZRANK", "s", "a"),
                ("ZREVRANK", "s", "a"), ("ZRANGE", "s", "0", "1"),
                ("ZRANGESTORE", "d", "s", "0", "1"), ("ZRANGEBYSCORE", "s", "0", "1"),
                ("ZREVRANGEBYSCORE", "s", "1", "0"), ("ZRANGEBYLEX", "s", "-", "+"),
                ("ZREVRANGEBYLEX", "s", "+", "-"), ("ZREVRANGE", "s", "0", "1"),
                ("ZREMRANGEBYRANK", "s", "0", "1"), ("ZREMRANGEBYSCORE", "s", "0", "1"),
                ("ZREMRANGEBYLEX", "s", "-", "+"), ("ZPOPMIN", "s"), ("ZPOPMAX", "s", "2"),
                ("BZPOPMIN", "s", "0"), ("BZPOPMAX", "s", "0"), ("ZMPOP", "1", "s", "MIN"),
                ("BZMPOP", "0", "1", "s", "MAX"), ("ZRANDMEMBER", "s"),
                ("ZRANDMEMBER", "s", "0"), ("ZUNION", "1", "s"), ("ZUNIONSTORE", "d", "1", "s"),
                ("ZINTER", "1", "s"), ("ZINTERSTORE", "d", "1", "s"), ("ZINTERCARD", "1", "s"),
                ("ZDIFF", "1", "s"), ("ZDIFFSTORE", "d", "1", "s"), ("ZSCAN", "s", "0")):
        assert raw(*cmd) == WRONGTYPE, cmd
    # Type errors come after argument errors for ZADD.
    assert raw("ZADD", "s", "x", "a") == NOT_FLOAT


def test_arity_errors(raw):
    for cmd, name in (((("ZADD", "z", "1"),), "zadd"), ((("ZINCRBY", "z", "1"),), "zincrby"),
                      ((("ZREM", "z"),), "zrem"), ((("ZCARD",),), "zcard"),
                      ((("ZCOUNT", "z", "0"),), "zcount"), ((("ZSCORE", "z"),), "zscore"),
                      ((("ZMSCORE", "z"),), "zmscore"), ((("ZRANK", "z"),), "zrank"),
                      ((("ZRANGE", "z", "0"),), "zrange"),
                      ((("ZRANGESTORE", "d", "z", "0"),), "zrangestore"),
                      ((("ZPOPMIN",),), "zpopmin"), ((("BZPOPMIN", "z"),), "bzpopmin"),
                      ((("ZMPOP", "1", "z"),), "zmpop"), ((("BZMPOP", "0", "1", "z"),), "bzmpop"),
                      ((("ZRANDMEMBER",),), "zrandmember"), ((("ZUNION", "1"),), "zunion"),
                      ((("ZUNIONSTORE", "d", "1"),), "zunionstore"),
                      ((("ZINTERCARD", "1"),), "zintercard"), ((("ZSCAN", "z"),), "zscan"),
                      ((("ZREMRANGEBYLEX", "z", "-"),), "zremrangebylex")):
        assert raw(*cmd[0]) == error(f"ERR wrong number of arguments for '{name}' command")


# --- ZREM, ZSCORE, ZMSCORE, ZRANK --------------------------------------------------

def test_zrem_deletes_empty_key(raw):
    raw("ZADD", "z", "1", "a", "2", "b", "3", "c")
    assert raw("ZREM", "z", "a", "x", "a") == integer(1)
    assert raw("ZREM", "z", "b", "c", "d") == integer(2)
    assert raw("EXISTS", "z") == integer(0)
    assert raw("ZREM", "z", "a") == integer(0)


def test_zscore_zmscore(raw):
    raw("ZADD", "z", "1.5", "a", "2", "b")
    assert raw("ZSCORE", "z", "a") == bulk("1.5")
    assert raw("ZSCORE", "z", "x") == NIL
    assert raw("ZSCORE", "nokey", "x") == NIL
    assert raw("ZMSCORE", "z", "a", "x", "b") == array(bulk("1.5"), NIL, bulk("2"))
    assert raw("ZMSCORE", "nokey", "a", "b") == array(NIL, NIL)
    raw("ZADD", "i", "inf", "p", "-inf", "n")


@pytest.mark.parametrize("entries", [128, 0])
def test_zrank_zrevrank(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    raw("ZADD", "z", "1", "a", "2", "b", "3", "c", "2", "bb", "123", "7")
    assert [raw("ZRANK", "z", m) for m in ("a", "b", "bb", "c", "7")] == [
        integer(i) for i in range(5)]
    assert [raw("ZREVRANK", "z", m) for m in ("a", "b", "bb", "c", "7")] == [
        integer(i) for i in (4, 3, 2, 1, 0)]
    assert raw("ZRANK", "z", "x") == NIL
    assert raw("ZRANK", "nokey", "x") == NIL


# --- Ranges --------------------------------------------------------------------------

def fill(raw, key="z"):
    raw("ZADD", key, "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f")


@pytest.mark.parametrize("entries", [128, 0])
def test_zrange_by_rank(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    fill(raw)
    assert raw("ZRANGE", "z", "0", "2") == array(bulk("a"), bulk("b"), bulk("c"))
    assert raw("ZRANGE", "z", "-2", "-1") == array(bulk("e"), bulk("f"))
    assert raw("ZRANGE", "z", "-100", "0") == array(bulk("a"))
    assert raw("ZRANGE", "z", "4", "100") == array(bulk("e"), bulk("f"))
    assert raw("ZRANGE", "z", "3", "2") == EMPTY
    assert raw("ZRANGE", "z", "6", "10") == EMPTY
    assert raw("ZRANGE", "z", "0", "1", "REV") == array(bulk("f"), bulk("e"))
    assert raw("ZREVRANGE", "z", "0", "1", "WITHSCORES") == array(
        bulk("f"), bulk("6"), bulk("e"), bulk("5"))
    assert raw("ZRANGE", "nokey", "0", "-1") == EMPTY
    assert raw("ZRANGE", "z", "0", "1", "LIMIT", "0", "-1") == array(bulk("a"), bulk("b"))
    assert raw("ZRANGE", "z", "a", "1") == NOT_INTEGER


@pytest.mark.parametrize("entries", [128, 0])
def test_zrange_by_score(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    fill(raw)
    assert raw("ZRANGEBYSCORE", "z", "2", "4") == array(bulk("b"), bulk("c"), bulk("d"))
    assert raw("ZRANGEBYSCORE", "z", "(2", "(4") == array(bulk("c"))
    assert raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2") == array(
        bulk("b"), bulk("c"))
    assert raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "4", "-1") == array(
        bulk("e"), bulk("f"))
    assert raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2") == EMPTY
    assert raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "6", "2") == EMPTY
    assert raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "0") == EMPTY
    assert raw("ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES") == array(
        bulk("d"), bulk("4"), bulk("c"), bulk("3"), bulk("b"), bulk("2"))
    assert raw("ZRANGE", "z", "(5", "+inf", "BYSCORE", "REV") == EMPTY
    assert raw("ZRANGE", "z", "+inf", "(5", "BYSCORE", "REV") == array(bulk("f"))
    assert raw("ZRANGE", "z", "5", "1", "BYSCORE") == EMPTY
    assert raw("ZRANGEBYSCORE", "z", "(1", "(1") == EMPTY
    assert raw("ZRANGEBYSCORE", "z", "x", "1") == error("ERR min or max is not a float")
    assert raw("ZRANGEBYSCORE", "z", "1", "nan") == error("ERR min or max is not a float")


@pytest.mark.parametrize("entries", [128, 0])
def test_zrange_by_lex(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    raw("ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "1", "0", "10")
    assert raw("ZRANGEBYLEX", "z", "-", "+") == array(*map(bulk, ["1", "10", "a", "b", "c", "d",
                                                                   "e"]))
    assert raw("ZRANGEBYLEX", "z", "[b", "(d") == array(bulk("b"), bulk("c"))
    assert raw("ZRANGEBYLEX", "z", "(1", "[a") == array(bulk("10"), bulk("a"))
    assert raw("ZREVRANGEBYLEX", "z", "+", "[c", "LIMIT", "1", "2") == array(bulk("d"), bulk("c"))
    assert raw("ZRANGE", "z", "[e", "[c", "BYLEX", "REV") == array(bulk("e"), bulk("d"), bulk("c"))
    assert raw("ZRANGEBYLEX", "z", "[d", "[b") == EMPTY
    assert raw("ZRANGEBYLEX", "z", "b", "[d") == error(
        "ERR min or max not valid string range item")
    assert raw("ZLEXCOUNT", "z", "[b", "+") == integer(4)
    assert raw("ZLEXCOUNT", "z", "-", "(") == integer(0)
    assert raw("ZLEXCOUNT", "nokey", "-", "+") == integer(0)


def test_zrange_option_errors(raw):
    fill(raw)
    limit_err = error("ERR syntax error, LIMIT is only supported in combination with either "
                      "BYSCORE or BYLEX")
    assert raw("ZRANGE", "z", "0", "1", "LIMIT", "0", "1") == limit_err
    assert raw("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES") == error(
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    assert raw("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES") == error(
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    for cmd in (("ZRANGEBYSCORE", "z", "0", "1", "BYLEX"),
                ("ZRANGE", "z", "0", "1", "BYSCORE", "BYSCORE"),
                ("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"),
                ("ZRANGE", "z", "0", "1", "REV", "REV"), ("ZREVRANGE", "z", "0", "1", "REV"),
                ("ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES"),
                ("ZRANGE", "z", "0", "1", "LIMIT", "0"), ("ZRANGE", "z", "0", "1", "foo")):
        assert raw(*cmd) == syntax_error(), cmd
    assert raw("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "a", "1") == NOT_INTEGER
    # Options are checked before the key's type.
    raw("SET", "s", "x")
    assert raw("ZRANGE", "s", "0", "1", "foo") == syntax_error()


def test_zrangestore(raw):
    fill(raw, "src")
    assert raw("ZRANGESTORE", "dst", "src", "1", "3") == integer(3)
    assert raw("ZRANGE", "dst", "0", "-1", "WITHSCORES") == array(
        bulk("b"), bulk("2"), bulk("c"), bulk("3"), bulk("d"), bulk("4"))
    assert encoding(raw, "dst") == LISTPACK
    assert raw("ZRANGESTORE", "dst", "src", "5", "+inf", "BYSCORE", "REV") == integer(0)
    assert raw("ZRANGESTORE", "dst", "src", "+inf", "5", "BYSCORE", "REV", "LIMIT", "0",
               "1") == integer(1)
    assert raw("ZRANGE", "dst", "0", "-1") == array(bulk("f"))
    assert raw("ZRANGESTORE", "dst", "src", "[b", "[c", "BYLEX") == integer(2)
    # An empty result deletes the destination; a missing source too.
    assert raw("ZRANGESTORE", "dst", "src", "10", "20") == integer(0)
    assert raw("EXISTS", "dst") == integer(0)
    raw("SET", "dst", "string")
    assert raw("ZRANGESTORE", "dst", "nokey", "0", "-1") == integer(0)
    assert raw("EXISTS", "dst") == integer(0)
    # The destination is replaced whatever it held, and loses its TTL.
    raw("SET", "dst", "string", "EX", "100")
    assert raw("ZRANGESTORE", "dst", "src", "0", "0") == integer(1)
    assert raw("TTL", "dst") == integer(-1)
    assert raw("TYPE", "dst") == b"+zset\r\n"
    # Into itself.
    assert raw("ZRANGESTORE", "src", "src", "0", "1") == integer(2)
    assert raw("ZRANGE", "src", "0", "-1") == array(bulk("a"), bulk("b"))


def test_zrangestore_encodings(raw):
    raw("ZADD", "big", *[x for i in range(200) for x in (str(i), f"m{i:03}")])
    assert encoding(raw, "big") == SKIPLIST
    assert raw("ZRANGESTORE", "d", "big", "0", "127") == integer(128)
    assert encoding(raw, "d") == LISTPACK
    assert raw("ZRANGESTORE", "d", "big", "0", "128") == integer(129)
    assert encoding(raw, "d") == SKIPLIST
    assert raw("ZRANGESTORE", "d", "big", "0", "(128", "BYSCORE") == integer(128)
    assert encoding(raw, "d") == LISTPACK
    assert raw("ZRANGESTORE", "d", "big", "-inf", "+inf", "BYSCORE") == integer(200)
    assert encoding(raw, "d") == SKIPLIST
    raw("ZADD", "long", "1", "x" * 65, "2", "y")
    assert encoding(raw, "long") == SKIPLIST
    assert raw("ZRANGESTORE", "d", "long", "1", "1") == integer(1)
    assert encoding(raw, "d") == LISTPACK
    assert raw("ZRANGESTORE", "d", "long", "0", "0") == integer(1)
    assert encoding(raw, "d") == SKIPLIST


@pytest.mark.parametrize("entries", [128, 0])
def test_zcount(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    fill(raw)
    assert raw("ZCOUNT", "z", "-inf", "+inf") == integer(6)
    assert raw("ZCOUNT", "z", "(1", "3") == integer(2)
    assert raw("ZCOUNT", "z", "(1", "(2") == integer(0)
    assert raw("ZCOUNT", "z", "10", "20") == integer(0)
    assert raw("ZCOUNT", "z", "3", "1") == integer(0)
    assert raw("ZCOUNT", "nokey", "0", "1") == integer(0)
    assert raw("ZCOUNT", "z", "a", "1") == error("ERR min or max is not a float")


@pytest.mark.parametrize("entries", [128, 0])
def test_zremrange(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    fill(raw)
    assert raw("ZREMRANGEBYRANK", "z", "1", "2") == integer(2)
    assert raw("ZRANGE", "z", "0", "-1") == array(bulk("a"), bulk("d"), bulk("e"), bulk("f"))
    assert raw("ZREMRANGEBYRANK", "z", "5", "10") == integer(0)
    assert raw("ZREMRANGEBYRANK", "z", "-1", "-1") == integer(1)
    assert raw("ZREMRANGEBYSCORE", "z", "(1", "4") == integer(1)
    assert raw("ZREMRANGEBYSCORE", "z", "10", "20") == integer(0)
    assert raw("ZRANGE", "z", "0", "-1") == array(bulk("a"), bulk("e"))
    assert raw("ZREMRANGEBYSCORE", "z", "-inf", "+inf") == integer(2)
    assert raw("EXISTS", "z") == integer(0)
    raw("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d")
    assert raw("ZREMRANGEBYLEX", "l", "(a", "[c") == integer(2)
    assert raw("ZRANGE", "l", "0", "-1") == array(bulk("a"), bulk("d"))
    assert raw("ZREMRANGEBYLEX", "l", "-", "+") == integer(2)
    assert raw("EXISTS", "l") == integer(0)
    assert raw("ZREMRANGEBYRANK", "nokey", "0", "-1") == integer(0)
    assert raw("ZREMRANGEBYRANK", "z", "a", "1") == NOT_INTEGER
    assert raw("ZREMRANGEBYSCORE", "z", "a", "1") == error("ERR min or max is not a float")
    assert raw("ZREMRANGEBYLEX", "z", "a", "1") == error(
        "ERR min or max not valid string range item")


# --- Pops ----------------------------------------------------------------------------

@pytest.mark.parametrize("entries", [128, 0])
def test_zpopmin_zpopmax(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    fill(raw)
    assert raw("ZPOPMIN", "z") == array(bulk("a"), bulk("1"))
    assert raw("ZPOPMAX", "z", "2") == array(bulk("f"), bulk("6"), bulk("e"), bulk("5"))
    assert raw("ZPOPMIN", "z", "0") == EMPTY
    assert raw("ZPOPMAX", "z", "10") == array(
        bulk("d"), bulk("4"), bulk("c"), bulk("3"), bulk("b"), bulk("2"))
    assert raw("EXISTS", "z") == integer(0)
    assert raw("ZPOPMIN", "z") == EMPTY
    must_be_positive = error("ERR value is out of range, must be positive")
    assert raw("ZPOPMIN", "z", "-1") == must_be_positive
    assert raw("ZPOPMIN", "z", "a") == must_be_positive
    assert raw("ZPOPMIN", "z", "1", "2") == syntax_error()


def test_zmpop(raw):
    fill(raw, "z2")
    assert raw("ZMPOP", "2", "z1", "z2", "MIN") == array(
        bulk("z2"), array(array(bulk("a"), bulk("1"))))
    assert raw("ZMPOP", "2", "z1", "z2", "max", "COUNT", "2") == array(
        bulk("z2"), array(array(bulk("f"), bulk("6")), array(bulk("e"), bulk("5"))))
    assert raw("ZMPOP", "1", "z2", "MIN", "COUNT", "10") == array(
        bulk("z2"), array(*[array(bulk(m), bulk(s)) for m, s in
                            (("b", "2"), ("c", "3"), ("d", "4"))]))
    assert raw("ZMPOP", "1", "z2", "MIN") == NULL_ARRAY
    numkeys = error("ERR numkeys should be greater than 0")
    count = error("ERR count should be greater than 0")
    assert raw("ZMPOP", "0", "z", "MIN") == numkeys
    assert raw("ZMPOP", "-1", "z", "MIN") == numkeys
    assert raw("ZMPOP", "abc", "z", "MIN") == numkeys
    assert raw("ZMPOP", "2", "z", "MIN") == syntax_error()
    assert raw("ZMPOP", "1", "z", "FOO") == syntax_error()
    assert raw("ZMPOP", "1", "z", "MIN", "COUNT", "0") == count
    assert raw("ZMPOP", "1", "z", "MIN", "COUNT", "x") == count
    assert raw("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1") == syntax_error()
    assert raw("ZMPOP", "1", "z", "MIN", "COUNT") == syntax_error()
    # The first existing key decides, even when it is of another type.
    raw("SET", "s", "x")
    fill(raw, "z3")
    assert raw("ZMPOP", "2", "s", "z3", "MIN") == WRONGTYPE
    assert raw("ZMPOP", "2", "z3", "s", "MIN") == array(bulk("z3"), array(array(bulk("a"),
                                                                                bulk("1"))))


# --- Blocking pops -------------------------------------------------------------------

def test_bzpop_served_immediately(raw):
    fill(raw)
    assert raw("BZPOPMIN", "none", "z", "0") == array(bulk("z"), bulk("a"), bulk("1"))
    assert raw("BZPOPMAX", "z", "0") == array(bulk("z"), bulk("f"), bulk("6"))
    assert raw("BZMPOP", "0", "2", "none", "z", "MAX", "COUNT", "2") == array(
        bulk("z"), array(array(bulk("e"), bulk("5")), array(bulk("d"), bulk("4"))))


def test_bzpop_argument_errors(raw):
    assert raw("BZPOPMIN", "z", "abc") == error("ERR timeout is not a float or out of range")
    assert raw("BZPOPMIN", "z", "-1") == error("ERR timeout is negative")
    assert raw("BZMPOP", "abc", "1", "z", "MIN") == error(
        "ERR timeout is not a float or out of range")
    # BZMPOP checks its other arguments before the timeout.
    assert raw("BZMPOP", "-1", "1", "z", "MIN", "COUNT", "0") == error(
        "ERR count should be greater than 0")
    assert raw("BZMPOP", "0", "0", "z", "MIN") == error("ERR numkeys should be greater than 0")
    assert raw("BZMPOP", "0", "1", "z", "foo") == syntax_error()


def test_bzpop_timeout(raw):
    assert raw("BZPOPMIN", "z", "0.05") == NULL_ARRAY
    assert raw("BZMPOP", "0.05", "1", "z", "MIN") == NULL_ARRAY


def blocked_send(server, *cmd, resp=2):
    s = server.connect()
    if resp == 3 and not hello3(s):
        s.close()
        pytest.skip("HELLO (RESP3) is not available")
    s.sendall(b"".join([b"*%d\r\n" % len(cmd)] + [
        b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in cmd]))
    return s


def wait_blocked(raw, n=1):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        info = raw("INFO", "clients").decode()
        if f"blocked_clients:{n}" in info:
            return
        time.sleep(0.01)
    raise AssertionError("client did not block")


@pytest.mark.parametrize("cmd,want", [
    (("BZPOPMIN", "a", "z", "0"), array(bulk("z"), bulk("m"), bulk("5"))),
    (("BZPOPMAX", "z", "0"), array(bulk("z"), bulk("n"), bulk("7"))),
    (("BZMPOP", "0", "2", "a", "z", "MIN", "COUNT", "5"),
     array(bulk("z"), array(array(bulk("m"), bulk("5")), array(bulk("n"), bulk("7"))))),
])
def test_bzpop_blocks_until_zadd(server, raw, cmd, want):
    s = blocked_send(server, *cmd)
    try:
        wait_blocked(raw)
        assert raw("ZADD", "z", "5", "m", "7", "n") == integer(2)
        s.settimeout(5)
        assert read_reply(s)[0] == want
    finally:
        s.close()


def test_bzpop_wakes_on_store_commands(server, raw):
    fill(raw, "src")
    s = blocked_send(server, "BZPOPMIN", "dst", "0")
    try:
        wait_blocked(raw)
        assert raw("ZUNIONSTORE", "dst", "1", "src") == integer(6)
        s.settimeout(5)
        assert read_reply(s)[0] == array(bulk("dst"), bulk("a"), bulk("1"))
    finally:
        s.close()
    s = blocked_send(server, "BZPOPMAX", "dst2", "0")
    try:
        wait_blocked(raw)
        assert raw("ZRANGESTORE", "dst2", "src", "0", "1") == integer(2)
        s.settimeout(5)
        assert read_reply(s)[0] == array(bulk("dst2"), bulk("b"), bulk("2"))
    finally:
        s.close()


def test_bzpop_waiters_served_in_order(server, raw):
    first = blocked_send(server, "BZPOPMIN", "z", "0")
    wait_blocked(raw, 1)
    second = blocked_send(server, "BZPOPMIN", "z", "0")
    try:
        wait_blocked(raw, 2)
        raw("ZADD", "z", "1", "a")
        first.settimeout(5)
        assert read_reply(first)[0] == array(bulk("z"), bulk("a"), bulk("1"))
        wait_blocked(raw, 1)
        raw("ZINCRBY", "z", "2", "b")
        second.settimeout(5)
        assert read_reply(second)[0] == array(bulk("z"), bulk("b"), bulk("2"))
    finally:
        first.close()
        second.close()


# --- ZRANDMEMBER ---------------------------------------------------------------------

@pytest.mark.parametrize("entries", [128, 0])
def test_zrandmember(raw, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    members = {f"m{i}": str(i) for i in range(20)}
    raw("ZADD", "z", *[x for m, s in members.items() for x in (s, m)])
    one = raw("ZRANDMEMBER", "z")
    assert one[:1] == b"$" and one.split(b"\r\n")[1].decode() in members
    assert raw("ZRANDMEMBER", "nokey") == NIL
    assert raw("ZRANDMEMBER", "nokey", "5") == EMPTY
    assert raw("ZRANDMEMBER", "z", "0") == EMPTY
    for count in (1, 5, 15, 19):
        got = raw("ZRANDMEMBER", "z", str(count), "WITHSCORES")
        items = parse_flat(got)
        pairs = list(zip(items[0::2], items[1::2]))
        assert len(pairs) == count and len({m for m, _ in pairs}) == count
        assert all(members[m] == s for m, s in pairs)
    # More than the zset holds: all of it, from the highest score down.
    assert raw("ZRANDMEMBER", "z", "100") == array(*[bulk(f"m{i}") for i in range(19, -1, -1)])
    neg = parse_flat(raw("ZRANDMEMBER", "z", "-50"))
    assert len(neg) == 50 and set(neg) <= set(members)
    neg = parse_flat(raw("ZRANDMEMBER", "z", "-3000", "WITHSCORES"))
    assert len(neg) == 6000 and all(members[m] == s for m, s in zip(neg[0::2], neg[1::2]))


def parse_flat(reply):
    """Bulk strings of a flat RESP2 array reply."""
    lines = reply.split(b"\r\n")
    return [lines[i + 1].decode() for i in range(1, len(lines) - 1) if lines[i].startswith(b"$")]


def test_zrandmember_errors(raw):
    raw("ZADD", "z", "1", "a")
    assert raw("ZRANDMEMBER", "z", "x") == NOT_INTEGER
    assert raw("ZRANDMEMBER", "z", "1", "foo") == syntax_error()
    assert raw("ZRANDMEMBER", "z", "1", "WITHSCORES", "x") == syntax_error()
    assert raw("ZRANDMEMBER", "z", "-9223372036854775808") == error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert raw("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES") == error(
        "ERR value is out of range")
    assert raw("ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES") == error(
        "ERR value is out of range")


# --- Set algebra ---------------------------------------------------------------------

def test_zunion_zinter_zdiff(raw):
    raw("ZADD", "a", "1", "x", "2", "y", "3", "z")
    raw("ZADD", "b", "10", "y", "20", "z", "30", "w")
    assert raw("ZUNION", "2", "a", "b", "WITHSCORES") == array(
        bulk("x"), bulk("1"), bulk("y"), bulk("12"), bulk("z"), bulk("23"), bulk("w"), bulk("30"))
    assert raw("ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "AGGREGATE", "MAX") == array(
        bulk("x"), bulk("y"), bulk("z"), bulk("w"))
    assert raw("ZINTER", "2", "a", "b", "AGGREGATE", "min", "WITHSCORES") == array(
        bulk("y"), bulk("2"), bulk("z"), bulk("3"))
    assert raw("ZINTER", "3", "a", "b", "nokey") == EMPTY
    assert raw("ZDIFF", "2", "a", "b", "WITHSCORES") == array(bulk("x"), bulk("1"))
    assert raw("ZDIFF", "2", "a", "a") == EMPTY
    assert raw("ZDIFF", "1", "nokey") == EMPTY
    assert raw("ZINTERCARD", "2", "a", "b") == integer(2)
    assert raw("ZINTERCARD", "2", "a", "b", "LIMIT", "1") == integer(1)
    assert raw("ZINTERCARD", "2", "a", "b", "LIMIT", "0") == integer(2)
    assert raw("ZINTERCARD", "2", "a", "nokey") == integer(0)


def test_store_commands(raw):
    raw("ZADD", "a", "1", "x", "2", "y", "3", "z")
    raw("ZADD", "b", "10", "y", "20", "z", "30", "w")
    assert raw("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "-1") == integer(4)
    assert raw("ZRANGE", "d", "0", "-1", "WITHSCORES") == array(
        bulk("w"), bulk("-30"), bulk("z"), bulk("-17"), bulk("y"), bulk("-8"), bulk("x"),
        bulk("1"))
    assert encoding(raw, "d") == LISTPACK
    assert raw("ZINTERSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX") == integer(2)
    assert raw("ZRANGE", "d", "0", "-1", "WITHSCORES") == array(
        bulk("y"), bulk("10"), bulk("z"), bulk("20"))
    assert raw("ZDIFFSTORE", "d", "2", "b", "a") == integer(1)
    assert raw("ZRANGE", "d", "0", "-1", "WITHSCORES") == array(bulk("w"), bulk("30"))
    # An empty result deletes the destination.
    assert raw("ZINTERSTORE", "d", "2", "a", "nokey") == integer(0)
    assert raw("EXISTS", "d") == integer(0)
    raw("SET", "d", "x", "EX", "100")
    assert raw("ZDIFFSTORE", "d", "2", "a", "a") == integer(0)
    assert raw("EXISTS", "d") == integer(0)
    raw("SET", "d", "x", "EX", "100")
    assert raw("ZUNIONSTORE", "d", "1", "a") == integer(3)
    assert raw("TTL", "d") == integer(-1)
    # The destination may be a source.
    assert raw("ZUNIONSTORE", "a", "2", "a", "b") == integer(4)
    assert raw("ZSCORE", "a", "z") == bulk("23")


def test_store_encodings(raw):
    raw("ZADD", "a", *[x for i in range(100) for x in (str(i), f"a{i}")])
    raw("ZADD", "b", *[x for i in range(100) for x in (str(i), f"b{i}")])
    assert raw("ZUNIONSTORE", "d", "2", "a", "b") == integer(200)
    assert encoding(raw, "d") == SKIPLIST
    assert raw("ZINTERSTORE", "d", "2", "a", "a") == integer(100)
    assert encoding(raw, "d") == LISTPACK
    raw("ZADD", "long", "1", "x" * 65, "2", "y")
    assert raw("ZDIFFSTORE", "d", "2", "long", "a") == integer(2)
    assert encoding(raw, "d") == SKIPLIST
    raw("ZADD", "only", "1", "x" * 65)
    assert raw("ZDIFFSTORE", "d", "2", "long", "only") == integer(1)
    assert encoding(raw, "d") == LISTPACK
    raw("CONFIG", "SET", "zset-max-listpack-entries", "0")
    assert raw("ZUNIONSTORE", "d", "1", "long") == integer(2)
    assert encoding(raw, "d") == SKIPLIST


def test_set_algebra_errors(raw):
    raw("ZADD", "a", "1", "x")
    for cmd, name in ((("ZUNION", "0", "a"), "zunion"), (("ZINTER", "-1", "a"), "zinter"),
                      (("ZDIFF", "0", "a"), "zdiff"), (("ZINTERCARD", "0", "a"), "zintercard"),
                      (("ZUNIONSTORE", "d", "0", "a"), "zunionstore"),
                      (("ZINTERSTORE", "d", "0", "a"), "zinterstore"),
                      (("ZDIFFSTORE", "d", "0", "a"), "zdiffstore")):
        assert raw(*cmd) == error(f"ERR at least 1 input key is needed for '{name}' command")
    assert raw("ZUNION", "x", "a") == NOT_INTEGER
    assert raw("ZUNION", "3", "a", "b") == syntax_error()
    assert raw("ZUNION", "1", "a", "WEIGHTS") == syntax_error()
    assert raw("ZUNION", "1", "a", "WEIGHTS", "x") == error("ERR weight value is not a float")
    assert raw("ZUNION", "2", "a", "a", "WEIGHTS", "1") == syntax_error()
    assert raw("ZUNION", "1", "a", "AGGREGATE", "avg") == syntax_error()
    assert raw("ZUNION", "1", "a", "AGGREGATE") == syntax_error()
    assert raw("ZUNIONSTORE", "d", "1", "a", "WITHSCORES") == syntax_error()
    assert raw("ZDIFF", "1", "a", "WEIGHTS", "1") == syntax_error()
    assert raw("ZDIFF", "1", "a", "AGGREGATE", "sum") == syntax_error()
    assert raw("ZINTERCARD", "1", "a", "WITHSCORES") == syntax_error()
    assert raw("ZINTERCARD", "1", "a", "LIMIT", "-1") == error("ERR LIMIT can't be negative")
    assert raw("ZINTERCARD", "1", "a", "LIMIT", "x") == error("ERR LIMIT can't be negative")
    assert raw("ZINTER", "1", "a", "LIMIT", "1") == syntax_error()
    # Keys are type-checked before the options are parsed.
    raw("SET", "s", "x")
    assert raw("ZUNION", "2", "a", "s", "FOO") == WRONGTYPE


def test_weights_and_infinities(raw):
    raw("ZADD", "a", "inf", "x", "-inf", "y", "1", "z")
    raw("ZADD", "b", "-inf", "x", "-inf", "y", "1", "z")
    assert raw("ZUNION", "2", "a", "b", "WITHSCORES") == array(
        bulk("y"), bulk("-inf"), bulk("x"), bulk("0"), bulk("z"), bulk("2"))
    assert raw("ZINTER", "2", "a", "b", "WEIGHTS", "0", "1", "WITHSCORES") == array(
        bulk("x"), bulk("-inf"), bulk("y"), bulk("-inf"), bulk("z"), bulk("1"))
    assert raw("ZUNION", "1", "a", "WEIGHTS", "0", "WITHSCORES") == array(
        bulk("x"), bulk("0"), bulk("y"), bulk("0"), bulk("z"), bulk("0"))


def test_sets_as_inputs(raw):
    if not has_sets(raw):
        pytest.skip("the set type is not built in")
    raw("DEL", "__probe")
    raw("SADD", "ints", "1", "2", "3")
    raw("SADD", "strs", "a", "b", "2")
    raw("SADD", "big", *[f"b{i}" for i in range(200)], "a")
    raw("ZADD", "z", "5", "a", "6", "2", "7", "c")
    assert raw("ZUNION", "3", "ints", "strs", "z", "WITHSCORES") == array(
        bulk("1"), bulk("1"), bulk("3"), bulk("1"), bulk("b"), bulk("1"), bulk("a"), bulk("6"),
        bulk("c"), bulk("7"), bulk("2"), bulk("8"))
    assert raw("ZINTER", "3", "ints", "strs", "z", "WITHSCORES") == array(bulk("2"), bulk("8"))
    assert raw("ZINTER", "2", "big", "z", "WEIGHTS", "3", "1", "WITHSCORES") == array(
        bulk("a"), bulk("8"))
    assert raw("ZDIFF", "2", "z", "strs", "WITHSCORES") == array(bulk("c"), bulk("7"))
    assert raw("ZDIFF", "2", "strs", "z", "WITHSCORES") == array(bulk("b"), bulk("1"))
    assert raw("ZINTERCARD", "2", "big", "strs") == integer(1)
    assert raw("ZUNIONSTORE", "d", "1", "big") == integer(201)
    assert encoding(raw, "d") == SKIPLIST
    assert raw("ZINTERSTORE", "d", "2", "ints", "ints") == integer(3)
    assert raw("ZRANGE", "d", "0", "-1", "WITHSCORES") == array(
        bulk("1"), bulk("2"), bulk("2"), bulk("2"), bulk("3"), bulk("2"))
    assert encoding(raw, "d") == LISTPACK
    # A set is not a zset for the other commands.
    assert raw("ZRANGE", "ints", "0", "-1") == WRONGTYPE


# --- Encodings -----------------------------------------------------------------------

def test_conversion_at_entry_limit(raw):
    raw("ZADD", "z", *[x for i in range(128) for x in (str(i), f"m{i}")])
    assert encoding(raw, "z") == LISTPACK
    raw("ZADD", "z", "500", "m127")  # an update does not grow it
    assert encoding(raw, "z") == LISTPACK
    raw("ZADD", "z", "128", "m128")
    assert encoding(raw, "z") == SKIPLIST
    raw("ZREMRANGEBYRANK", "z", "0", "-3")  # never converted back
    assert raw("ZCARD", "z") == integer(2)
    assert encoding(raw, "z") == SKIPLIST


def test_conversion_at_value_limit(raw):
    raw("ZADD", "z", "1", "x" * 64)
    assert encoding(raw, "z") == LISTPACK
    raw("ZADD", "z", "2", "y" * 65)
    assert encoding(raw, "z") == SKIPLIST
    assert raw("ZRANGE", "z", "0", "-1", "WITHSCORES") == array(
        bulk("x" * 64), bulk("1"), bulk("y" * 65), bulk("2"))
    raw("ZADD", "z2", "1", "y" * 65, "2", "b")  # decided by the first member
    assert encoding(raw, "z2") == SKIPLIST
    raw("ZADD", "z3", "1", "a", "2", "y" * 65)
    assert encoding(raw, "z3") == SKIPLIST
    # Decided by the first member's length, not the count of arguments.
    raw("ZADD", "z4", *["1", "same"] * 200)
    assert encoding(raw, "z4") == LISTPACK
    raw("ZINCRBY", "z5", "1", "y" * 65)
    assert encoding(raw, "z5") == SKIPLIST


def test_config_thresholds(raw):
    raw("CONFIG", "SET", "zset-max-listpack-entries", "4")
    raw("CONFIG", "SET", "zset-max-listpack-value", "3")
    raw("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d")
    assert encoding(raw, "z") == LISTPACK
    raw("ZADD", "z", "5", "e")
    assert encoding(raw, "z") == SKIPLIST
    raw("ZADD", "v", "1", "abc")
    assert encoding(raw, "v") == LISTPACK
    raw("ZADD", "v", "1", "abcd")
    assert encoding(raw, "v") == SKIPLIST
    raw("CONFIG", "SET", "zset-max-listpack-entries", "0")
    raw("ZADD", "w", "1", "a")
    assert encoding(raw, "w") == SKIPLIST


def test_skiplist_large_operations(raw):
    n = 1000
    raw("ZADD", "z", *[x for i in range(n) for x in (str(i % 100), f"m{i:04}")])
    assert encoding(raw, "z") == SKIPLIST
    assert raw("ZCARD", "z") == integer(n)
    assert raw("ZCOUNT", "z", "10", "(20") == integer(100)
    assert raw("ZRANK", "z", "m0001") == integer(10)
    assert raw("ZRANGE", "z", "10", "11") == array(bulk("m0001"), bulk("m0101"))
    assert raw("ZRANGEBYSCORE", "z", "99", "+inf", "LIMIT", "5", "2") == array(
        bulk("m0599"), bulk("m0699"))
    assert raw("ZREMRANGEBYSCORE", "z", "0", "(50") == integer(500)
    assert raw("ZCARD", "z") == integer(500)
    assert raw("ZPOPMIN", "z") == array(bulk("m0050"), bulk("50"))


# --- ZSCAN ---------------------------------------------------------------------------

def test_zscan_listpack(raw):
    raw("ZADD", "z", "1", "a", "1.5", "b", "1e17", "c", "-0", "d", "inf", "e", "3", "ab")
    assert raw("ZSCAN", "z", "0") == array(bulk("0"), array(
        bulk("d"), bulk("0"), bulk("a"), bulk("1"), bulk("b"), bulk("1.5"), bulk("ab"),
        bulk("3"), bulk("c"), bulk("100000000000000000"), bulk("e"), bulk("inf")))
    assert raw("ZSCAN", "z", "0", "MATCH", "a*", "COUNT", "1") == array(bulk("0"), array(
        bulk("a"), bulk("1"), bulk("ab"), bulk("3")))
    assert raw("ZSCAN", "nokey", "0") == array(bulk("0"), EMPTY)
    assert raw("ZSCAN", "nokey", "0", "FOO") == array(bulk("0"), EMPTY)
    assert raw("ZSCAN", "z", "x") == error("ERR invalid cursor")
    assert raw("ZSCAN", "z", "0", "COUNT", "0") == syntax_error()
    assert raw("ZSCAN", "z", "0", "FOO") == syntax_error()


def test_zscan_skiplist_full_iteration(server):
    c = server.client(decode_responses=True)
    members = {f"member:{i}": float(i) / 4 for i in range(1000)}
    c.zadd("z", members)
    assert c.object("encoding", "z") == "skiplist"
    seen, cursor = {}, 0
    while True:
        cursor, items = c.zscan("z", cursor, count=50)
        seen.update(items)
        if cursor == 0:
            break
    assert seen == members
    cursor, items = c.zscan("z", 0, match="member:99*", count=10000)
    assert cursor == 0 and sorted(m for m, _ in items) == sorted(
        m for m in members if m.startswith("member:99"))
    c.close()


def test_commands_are_registered(server):
    c = server.client()
    info = c.execute_command("COMMAND", "INFO", "zadd", "bzpopmin", "zrangestore")
    c.close()
    flat = repr(info)
    assert "zadd" in flat and "bzpopmin" in flat and "zrangestore" in flat


# --- RESP3 ---------------------------------------------------------------------------

@pytest.mark.parametrize("entries", [128, 0])
def test_resp3_replies(raw, raw3, entries):
    raw("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
    fill(raw)
    raw("ZADD", "i", "inf", "p", "-inf", "n")
    assert raw3("ZSCORE", "z", "a") == double3("1")
    assert raw3("ZSCORE", "z", "x") == RESP3_NULL
    assert raw3("ZMSCORE", "z", "a", "x") == array(double3("1"), RESP3_NULL)
    assert raw3("ZMSCORE", "i", "p", "n") == array(double3("inf"), double3("-inf"))
    assert raw3("ZRANK", "z", "x") == RESP3_NULL
    assert raw3("ZINCRBY", "z", "0.5", "a") == double3("1.5")
    assert raw3("ZADD", "z", "NX", "INCR", "1", "a") == RESP3_NULL
    assert raw3("ZADD", "z", "INCR", "-0.5", "a") == double3("1")
    # Scores travel as [member, score] pairs.
    assert raw3("ZRANGE", "z", "0", "1", "WITHSCORES") == array(
        array(bulk("a"), double3("1")), array(bulk("b"), double3("2")))
    assert raw3("ZRANGE", "z", "0", "1") == array(bulk("a"), bulk("b"))
    assert raw3("ZRANGEBYSCORE", "z", "5", "6", "WITHSCORES") == array(
        array(bulk("e"), double3("5")), array(bulk("f"), double3("6")))
    assert raw3("ZREVRANGEBYSCORE", "z", "8", "7", "WITHSCORES") == EMPTY
    assert raw3("ZUNION", "1", "z", "WEIGHTS", "2", "WITHSCORES") == array(*[
        array(bulk(m), double3(str(2 * (i + 1)))) for i, m in enumerate("abcdef")])
    assert raw3("ZRANDMEMBER", "z", "10", "WITHSCORES") == array(*[
        array(bulk(m), double3(str(6 - i))) for i, m in enumerate("fedcba")])
    assert raw3("ZRANDMEMBER", "nokey") == RESP3_NULL
    # Pops: flat without COUNT, pairs with it; ZMPOP always pairs.
    assert raw3("ZPOPMIN", "z") == array(bulk("a"), double3("1"))
    assert raw3("ZPOPMIN", "z", "1") == array(array(bulk("b"), double3("2")))
    assert raw3("ZPOPMAX", "z", "0") == EMPTY
    assert raw3("ZPOPMIN", "nokey", "3") == EMPTY
    assert raw3("ZMPOP", "1", "z", "MAX", "COUNT", "2") == array(
        bulk("z"), array(array(bulk("f"), double3("6")), array(bulk("e"), double3("5"))))
    assert raw3("ZMPOP", "1", "nokey", "MIN") == RESP3_NULL
    assert raw3("BZPOPMIN", "z", "0") == array(bulk("z"), bulk("c"), double3("3"))
    assert raw3("BZPOPMAX", "nokey", "0.05") == RESP3_NULL
    assert raw3("BZMPOP", "0.05", "1", "nokey", "MIN") == RESP3_NULL
    # ZSCAN keeps its flat array.
    raw("ZADD", "s", "1.5", "a")
    assert raw3("ZSCAN", "s", "0") == array(bulk("0"), array(bulk("a"), bulk("1.5")))


def test_resp3_blocked_pop(server, raw):
    s = blocked_send(server, "BZPOPMAX", "z", "0", resp=3)
    try:
        wait_blocked(raw)
        raw("ZADD", "z", "1.5", "a")
        s.settimeout(5)
        assert read_reply(s)[0] == array(bulk("z"), bulk("a"), double3("1.5"))
    finally:
        s.close()


# --- Byte-for-byte comparison with redis-server ---------------------------------------

def replies(srv, commands, resp):
    s = srv.connect()
    try:
        if resp == 3 and not hello3(s):
            pytest.skip("HELLO (RESP3) is not available")
        return roundtrip(s, *commands)
    finally:
        s.close()


def assert_same(server, oracle, commands, resp=2):
    try:
        got = replies(server, commands, resp)
        want = replies(oracle, commands, resp)
    finally:
        for srv in (server, oracle):
            c = srv.client()
            c.config_set("zset-max-listpack-entries", 128)
            c.config_set("zset-max-listpack-value", 64)
            c.flushall()
            c.close()
    diffs = [(i, cmd, g, w) for i, (cmd, g, w) in enumerate(zip(commands, got, want)) if g != w]
    assert diffs == [], "\n".join(f"#{i} {cmd!r}: loom {g!r} != redis {w!r}"
                                  for i, cmd, g, w in diffs[:10])


def zadd_many(key, n, fmt="m{}", score=lambda i: str(i)):
    return ("ZADD", key, *[x for i in range(n) for x in (score(i), fmt.format(i))])


ORACLE_CASES = {
    "zadd_options": [
        ("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "NX", "CH", "5", "a", "3", "c"),
        ("ZADD", "z", "XX", "CH", "5", "a", "3", "d"), ("ZADD", "z", "GT", "CH", "1", "a"),
        ("ZADD", "z", "LT", "CH", "1", "a", "0", "e"), ("ZADD", "z", "XX", "LT", "INCR", "-1", "a"),
        ("ZADD", "z", "XX", "GT", "INCR", "-1", "a"), ("ZADD", "z", "nx", "xx", "1", "a"),
        ("ZADD", "z", "gt", "lt", "1", "a"), ("ZADD", "z", "INCR", "1", "a", "1", "b"),
        ("ZADD", "z", "1", "a", "x", "b"), ("ZADD", "z", "CH"), ("ZADD", "z", "CH", "1"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZADD", "z", "1e308", "big"),
        ("ZINCRBY", "z", "1e308", "big"), ("ZINCRBY", "z", "-inf", "big"),
        ("ZADD", "z", "1.0000000000000002", "f"), ("ZSCORE", "z", "f"),
        ("ZADD", "z", "4611686018427387904", "g", "4611686018427387905", "h", "1e19", "i"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("OBJECT", "ENCODING", "z"),
    ],
    "ranges": [
        zadd_many("z", 30, score=lambda i: str(i // 3)),
        ("ZRANGE", "z", "5", "12", "WITHSCORES"), ("ZRANGE", "z", "-5", "-1", "REV"),
        ("ZRANGE", "z", "(2", "5", "BYSCORE", "LIMIT", "2", "4", "WITHSCORES"),
        ("ZRANGE", "z", "5", "(2", "BYSCORE", "REV", "LIMIT", "1", "-1"),
        ("ZRANGEBYSCORE", "z", "-inf", "3"), ("ZREVRANGEBYSCORE", "z", "+inf", "(7"),
        ("ZREVRANGEBYSCORE", "z", "7", "7", "WITHSCORES", "LIMIT", "1", "1"),
        zadd_many("lex", 30, score=lambda i: "7"),
        ("ZRANGE", "lex", "[m1", "(m2", "BYLEX"), ("ZRANGE", "lex", "+", "[m25", "BYLEX", "REV"),
        ("ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "3", "3"),
        ("ZREVRANGEBYLEX", "lex", "(m5", "-"), ("ZLEXCOUNT", "lex", "[m1", "[m19"),
        ("ZLEXCOUNT", "lex", "(m1", "(m1"), ("ZLEXCOUNT", "lex", "+", "-"),
        ("ZCOUNT", "z", "(1", "5"), ("ZCOUNT", "z", "5", "1"),
        ("ZRANGE", "z", "0", "-1", "BYSCORE"), ("ZRANGE", "z", "1", "0", "BYSCORE", "REV"),
        ("ZRANGE", "z", "1", "x", "BYSCORE"), ("ZRANGE", "z", "[a", "x", "BYLEX"),
        ("ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"), ("ZRANGE", "z", "0", "1", "LIMIT", "1", "1"),
        ("ZRANGE", "z", "0", "1", "BYLEX", "WITHSCORES"), ("ZRANGE", "z", "0"),
        ("ZRANGESTORE", "d", "z", "3", "7", "BYSCORE", "REV"),
        ("ZRANGESTORE", "d", "z", "7", "3", "BYSCORE", "REV", "LIMIT", "2", "5"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"), ("OBJECT", "ENCODING", "d"),
        ("ZRANGESTORE", "d", "lex", "[m2", "[m3", "BYLEX"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZRANGESTORE", "d", "z", "40", "50"), ("EXISTS", "d"),
    ],
    "removals_and_pops": [
        zadd_many("z", 40, score=lambda i: str(i * 0.5)),
        ("ZREM", "z", "m1", "m2", "nope"), ("ZREMRANGEBYRANK", "z", "-5", "-3"),
        ("ZREMRANGEBYSCORE", "z", "(3", "5.5"), zadd_many("lex", 40, score=lambda i: "1"),
        ("ZREMRANGEBYLEX", "lex", "[m30", "(m34"), ("ZRANGE", "lex", "0", "-1"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZPOPMIN", "z", "3"), ("ZPOPMAX", "z"),
        ("ZMPOP", "2", "x", "z", "MAX", "COUNT", "4"), ("BZPOPMIN", "x", "z", "0"),
        ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"), ("ZCARD", "z"),
        ("ZPOPMAX", "z", "100"), ("EXISTS", "z"), ("ZPOPMIN", "z", "2"),
    ],
    "algebra": [
        zadd_many("a", 50, score=lambda i: str(i * 1.5)),
        zadd_many("b", 30, fmt="m{}", score=lambda i: str(-i)),
        zadd_many("c", 10, fmt="m{}", score=lambda i: "inf" if i % 2 else "-inf"),
        ("ZUNION", "3", "a", "b", "c", "WITHSCORES"),
        ("ZUNION", "3", "a", "b", "c", "WEIGHTS", "1", "2", "0", "WITHSCORES"),
        ("ZUNION", "3", "a", "b", "c", "AGGREGATE", "MIN", "WITHSCORES"),
        ("ZUNION", "3", "a", "b", "c", "AGGREGATE", "MAX", "WEIGHTS", "-1", "1", "1",
         "WITHSCORES"),
        ("ZINTER", "3", "a", "b", "c", "WITHSCORES"),
        ("ZINTER", "2", "a", "c", "WEIGHTS", "0", "1", "WITHSCORES"),
        ("ZINTER", "2", "c", "c", "WITHSCORES"), ("ZINTERCARD", "3", "a", "b", "c", "LIMIT", "3"),
        ("ZDIFF", "2", "a", "b", "WITHSCORES"), ("ZDIFF", "3", "a", "c", "b"),
        ("ZDIFF", "2", "b", "a"), ("ZUNIONSTORE", "d", "2", "a", "b"),
        ("OBJECT", "ENCODING", "d"), ("ZINTERSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"), ("OBJECT", "ENCODING", "d"),
        ("ZDIFFSTORE", "d", "2", "a", "b"), ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("OBJECT", "ENCODING", "d"), ("ZDIFFSTORE", "d", "1", "nokey"), ("EXISTS", "d"),
        ("ZUNION", "0", "a"), ("ZINTERCARD", "1", "a", "LIMIT", "-3"),
        ("ZUNION", "2", "a", "b", "WEIGHTS", "1", "nan"),
    ],
    "randmember_deterministic": [
        zadd_many("z", 10), ("ZRANDMEMBER", "z", "10", "WITHSCORES"),
        ("ZRANDMEMBER", "z", "20"), ("ZRANDMEMBER", "z", "0", "WITHSCORES"),
        ("ZRANDMEMBER", "nokey"), ("ZRANDMEMBER", "nokey", "3"), ("ZRANDMEMBER", "z", "x"),
        ("ZRANDMEMBER", "z", "1", "WITHSCORE"),
    ],
    "errors": [
        ("SET", "s", "v"), ("ZADD", "s", "1", "a"), ("ZRANGE", "s", "0", "1", "BYSCORE"),
        ("ZSCORE", "s", "a"), ("ZUNIONSTORE", "d", "2", "s", "x"), ("ZPOPMIN", "s", "-1"),
        ("ZMPOP", "1", "s", "MIN", "COUNT", "0"), ("ZRANGEBYSCORE", "x", "a", "b"),
        ("ZRANGEBYLEX", "x", "a", "b"), ("ZREMRANGEBYRANK", "x", "0", "a"),
        ("ZREVRANGE", "x", "0", "1", "WITHSCORES", "x"), ("ZINCRBY", "x", "1"),
        ("ZCOUNT", "x", "(", "("), ("ZLEXCOUNT", "x", "(", "["), ("ZRANK", "x"),
    ],
}


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
@pytest.mark.parametrize("resp", [2, 3])
@pytest.mark.parametrize("entries", ["128", "0"])
@pytest.mark.parametrize("case", sorted(ORACLE_CASES))
def test_same_as_redis(server, oracle, case, entries, resp):
    cmds = [("CONFIG", "SET", "zset-max-listpack-entries", entries)] + ORACLE_CASES[case]
    assert_same(server, oracle, cmds, resp)


def random_commands(seed, n):
    rng = random.Random(seed)
    keys = ["k1", "k2", "k3"]
    members = [f"m{i}" for i in range(40)] + ["1", "2", "10", "-5", "x" * 70]

    def score():
        return rng.choice([str(rng.randint(-20, 20)), f"{rng.uniform(-10, 10):.3f}", "inf",
                           "-inf", "0", "-0", "1e17", "(" + str(rng.randint(-5, 5))])

    def rng_score():
        return rng.choice(["-inf", "+inf", str(rng.randint(-20, 20)),
                           "(" + str(rng.randint(-20, 20))])

    def lex():
        return rng.choice(["-", "+", "[" + rng.choice(members), "(" + rng.choice(members)])

    cmds = []
    for _ in range(n):
        k = rng.choice(keys)
        op = rng.randrange(23)
        if op < 5:
            args = []
            for _ in range(rng.randint(1, 6)):
                args += [score(), rng.choice(members)]
            opts = rng.choice([[], ["NX"], ["XX"], ["GT"], ["LT", "CH"], ["XX", "GT", "CH"]])
            cmds.append(("ZADD", k, *opts, *args))
        elif op == 5:
            cmds.append(("ZINCRBY", k, score(), rng.choice(members)))
        elif op == 6:
            cmds.append(("ZREM", k, *rng.sample(members, 3)))
        elif op == 7:
            cmds.append(("ZRANGE", k, str(rng.randint(-10, 10)), str(rng.randint(-10, 10)),
                         *rng.choice([[], ["REV"], ["WITHSCORES"], ["REV", "WITHSCORES"]])))
        elif op == 8:
            lim = rng.choice([[], ["LIMIT", str(rng.randint(0, 5)), str(rng.randint(-1, 5))]])
            cmds.append(("ZRANGE", k, rng_score(), rng_score(), "BYSCORE",
                         *rng.choice([[], ["REV"]]), *lim, *rng.choice([[], ["WITHSCORES"]])))
        elif op == 9:
            # Lex ranges are specified only over members of one score: the "lex" key.
            cmds.append(("ZRANGE", "lex", lex(), lex(), "BYLEX", *rng.choice([[], ["REV"]]),
                         *rng.choice([[], ["LIMIT", str(rng.randint(0, 3)), "2"]])))
        elif op == 10:
            cmds.append(("ZCOUNT", k, rng_score(), rng_score()))
        elif op == 11:
            cmds.append(("ZLEXCOUNT", "lex", lex(), lex()))
        elif op == 12:
            cmds.append(("ZRANK", k, rng.choice(members)))
            cmds.append(("ZREVRANK", k, rng.choice(members)))
        elif op == 13:
            cmds.append(("ZMSCORE", k, *rng.sample(members, 3)))
        elif op == 14:
            cmds.append(rng.choice([("ZREMRANGEBYRANK", k, str(rng.randint(-5, 5)),
                                     str(rng.randint(-5, 5))),
                                    ("ZREMRANGEBYSCORE", k, rng_score(), rng_score()),
                                    ("ZREMRANGEBYLEX", "lex", lex(), lex())]))
        elif op == 15:
            cmds.append((rng.choice(["ZPOPMIN", "ZPOPMAX"]), k, str(rng.randint(0, 3))))
        elif op == 16:
            cmds.append(("ZMPOP", "2", k, rng.choice(keys), rng.choice(["MIN", "MAX"]),
                         "COUNT", str(rng.randint(1, 3))))
        elif op == 17:
            cmd = rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"])
            extra = [] if cmd == "ZDIFFSTORE" else rng.choice(
                [[], ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])],
                 ["WEIGHTS", str(rng.randint(-2, 2)), "0.5"]])
            cmds.append((cmd, rng.choice(keys), "2", k, rng.choice(keys), *extra))
        elif op == 18:
            cmds.append((rng.choice(["ZUNION", "ZINTER", "ZDIFF"]), "2", k, rng.choice(keys),
                         "WITHSCORES"))
        elif op == 19:
            cmds.append(("ZRANGESTORE", rng.choice(keys), k, str(rng.randint(0, 3)),
                         str(rng.randint(3, 200))))
        elif op == 21:
            cmds.append(("ZADD", "lex", *[x for m in rng.sample(members, 4) for x in ("0", m)]))
        elif op == 20:
            cmds.append(("ZCARD", k))
            cmds.append(("OBJECT", "ENCODING", k))
        else:
            cmds.append(("ZRANGE", k, "0", "-1", "WITHSCORES"))
    for k in keys + ["lex"]:
        cmds.append(("ZRANGE", k, "0", "-1", "WITHSCORES"))
        cmds.append(("OBJECT", "ENCODING", k))
    return cmds


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
@pytest.mark.parametrize("seed", range(6))
def test_random_sequence_same_as_redis(server, oracle, seed):
    entries = ["128", "8", "0"][seed % 3]
    cmds = [("CONFIG", "SET", "zset-max-listpack-entries", entries)] + random_commands(seed, 400)
    assert_same(server, oracle, cmds, resp=2 + seed % 2)

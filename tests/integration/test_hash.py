# SPDX-License-Identifier: BSD-3-Clause
#
# The hash type with Redis 7.0 semantics: HSET, HSETNX, HGET, HMSET, HMGET,
# HGETALL, HKEYS, HVALS, HDEL, HLEN, HSTRLEN, HEXISTS, HINCRBY, HINCRBYFLOAT,
# HRANDFIELD (count, negative count, WITHVALUES, the RESP3 shape) and HSCAN;
# both encodings (listpack, hashtable) and the conversions at
# hash-max-listpack-entries / hash-max-listpack-value; the generic commands on
# hashes (TYPE, OBJECT ENCODING, COPY, RENAME, DEL, SCAN TYPE). Exact error
# text is checked over raw sockets; replies whose order is deterministic
# (listpack hashes) are compared byte for byte with redis-server.
import pytest

from conftest import AGAINST_REDIS, roundtrip
import helpers_data
from helpers_data import NIL, NOT_INTEGER, OK, arity_error, bulk, error, integer, syntax_error

raw = helpers_data.raw  # the `raw` fixture: a raw connection to the shared server

WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind of value")
NOT_FLOAT = error("ERR value is not a valid float")
HASH_NOT_INTEGER = error("ERR hash value is not an integer")
HASH_NOT_FLOAT = error("ERR hash value is not a float")
OVERFLOW = error("ERR increment or decrement would overflow")
NAN_OR_INF_ARG = error("ERR value is NaN or Infinity")
NAN_OR_INF_RESULT = error("ERR increment would produce NaN or Infinity")
OUT_OF_RANGE = error("ERR value is out of range")
INVALID_CURSOR = error("ERR invalid cursor")
LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808
EMPTY_SCAN = b"*2\r\n$1\r\n0\r\n*0\r\n"


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(bulk(i) for i in items)


def encoding(r, key):
    return r.object("encoding", key).decode()


@pytest.fixture
def limits(r):
    """Sets hash-max-listpack-entries/value for one test and restores them."""
    saved = {k: r.config_get(k)[k] for k in ("hash-max-listpack-entries",
                                             "hash-max-listpack-value")}

    def set_limits(entries=None, value=None):
        if entries is not None:
            r.config_set("hash-max-listpack-entries", entries)
        if value is not None:
            r.config_set("hash-max-listpack-value", value)

    yield set_limits
    for k, v in saved.items():
        r.config_set(k, v)


def make_hash(r, key, n, prefix="f", value=lambda i: "v%d" % i):
    """A hash of n fields prefix0..prefix{n-1}; returns the mapping."""
    m = {"%s%d" % (prefix, i): value(i) for i in range(n)}
    with r.pipeline(transaction=False) as p:
        items = list(m.items())
        for i in range(0, n, 500):
            p.hset(key, mapping=dict(items[i:i + 500]))
        p.execute()
    return m


def decoded(d):
    return {k.decode(): v.decode() for k, v in d.items()}


# --- HSET, HMSET, HSETNX, HGET --------------------------------------------------

def test_hset_hget(raw):
    assert raw("HSET", "h", "a", "1") == integer(1)
    assert raw("HSET", "h", "a", "2", "b", "3") == integer(1)
    assert raw("HGET", "h", "a") == bulk("2")
    assert raw("HGET", "h", "b") == bulk("3")
    assert raw("HGET", "h", "nofield") == NIL
    assert raw("HGET", "nokey", "a") == NIL
    # the same field twice in one HSET: the last value wins, counted once
    assert raw("HSET", "h", "c", "x", "c", "y") == integer(1)
    assert raw("HGET", "h", "c") == bulk("y")
    assert raw("HLEN", "h") == integer(3)


def test_hset_arity_creates_nothing(raw):
    assert raw("HSET", "h") == arity_error("hset")
    assert raw("HSET", "h", "a") == arity_error("hset")
    assert raw("HSET", "h", "a", "1", "b") == arity_error("hset")
    assert raw("HMSET", "h", "a", "1", "b") == arity_error("hmset")
    assert raw("HSETNX", "h", "a") == arity_error("hsetnx")
    assert raw("HGET", "h") == arity_error("hget")
    assert raw("EXISTS", "h") == integer(0)


def test_hmset(raw):
    assert raw("HMSET", "h", "a", "1", "b", "2") == OK
    assert raw("HMSET", "h", "a", "3") == OK
    assert raw("HMGET", "h", "a", "b") == array("3", "2")


def test_hsetnx(raw):
    assert raw("HSETNX", "h", "a", "1") == integer(1)
    assert raw("HSETNX", "h", "a", "2") == integer(0)
    assert raw("HGET", "h", "a") == bulk("1")
    assert raw("HSETNX", "h", "b", "2") == integer(1)
    assert raw("HLEN", "h") == integer(2)


def test_binary_safe_fields_and_values(r):
    fields = {b"": b"", b"a\x00b": b"\x00\x01\xff", b"crlf\r\n": b"v\r\nw", b" 1": b"01"}
    assert r.hset("h", mapping=fields) == 4
    for f, v in fields.items():
        assert r.hget("h", f) == v
        assert r.hexists("h", f)
        assert r.hstrlen("h", f) == len(v)
    assert r.hgetall("h") == fields


def test_integer_like_fields_and_values(r):
    # strings that parse as integers are stored as integers in a listpack; those
    # that do not round-trip ("01", "-0", "+1") stay strings and distinct
    pairs = {"1": "a", "01": "b", "-0": "c", "+1": "d", "-1": "-1",
             "9223372036854775807": "9223372036854775808", "x": "-9223372036854775808"}
    r.hset("h", mapping=pairs)
    assert encoding(r, "h") == "listpack"
    assert decoded(r.hgetall("h")) == pairs
    assert r.hget("h", "1") == b"a" and r.hget("h", "01") == b"b"
    assert r.hstrlen("h", "x") == 20
    assert r.hstrlen("h", "-1") == 2


# --- HMGET, HLEN, HSTRLEN, HEXISTS ------------------------------------------------

def test_hmget(raw):
    raw("HSET", "h", "a", "1", "b", "2")
    assert raw("HMGET", "h", "a", "x", "b", "a") == (
        b"*4\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n$1\r\n1\r\n")
    assert raw("HMGET", "nokey", "a", "b") == b"*2\r\n$-1\r\n$-1\r\n"
    assert raw("HMGET", "h") == arity_error("hmget")


def test_hlen_hstrlen_hexists(raw):
    raw("HSET", "h", "s", "hello", "i", "-12345", "e", "")
    assert raw("HLEN", "h") == integer(3)
    assert raw("HLEN", "nokey") == integer(0)
    assert raw("HSTRLEN", "h", "s") == integer(5)
    assert raw("HSTRLEN", "h", "i") == integer(6)
    assert raw("HSTRLEN", "h", "e") == integer(0)
    assert raw("HSTRLEN", "h", "nofield") == integer(0)
    assert raw("HSTRLEN", "nokey", "f") == integer(0)
    assert raw("HEXISTS", "h", "s") == integer(1)
    assert raw("HEXISTS", "h", "e") == integer(1)
    assert raw("HEXISTS", "h", "nofield") == integer(0)
    assert raw("HEXISTS", "nokey", "s") == integer(0)
    assert raw("HLEN") == arity_error("hlen")
    assert raw("HSTRLEN", "h") == arity_error("hstrlen")
    assert raw("HEXISTS", "h") == arity_error("hexists")


# --- HGETALL, HKEYS, HVALS ---------------------------------------------------------

def test_hgetall_hkeys_hvals_listpack_order(raw):
    raw("HSET", "h", "z", "1", "a", "2", "m", "3")
    assert raw("HGETALL", "h") == array("z", "1", "a", "2", "m", "3")
    assert raw("HKEYS", "h") == array("z", "a", "m")
    assert raw("HVALS", "h") == array("1", "2", "3")
    for cmd in ("HGETALL", "HKEYS", "HVALS"):
        assert raw(cmd, "nokey") == b"*0\r\n"
        assert raw(cmd) == arity_error(cmd.lower())


def test_hgetall_hashtable(r):
    m = make_hash(r, "h", 600)
    assert encoding(r, "h") == "hashtable"
    assert decoded(r.hgetall("h")) == m
    keys = [k.decode() for k in r.hkeys("h")]
    vals = [v.decode() for v in r.hvals("h")]
    assert sorted(keys) == sorted(m) and len(keys) == 600
    # HKEYS and HVALS walk the table in the same order
    assert [m[k] for k in keys] == vals


# --- HDEL ------------------------------------------------------------------------

def test_hdel(raw):
    raw("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert raw("HDEL", "h", "a", "a", "x") == integer(1)
    assert raw("HDEL", "h", "a") == integer(0)
    assert raw("HLEN", "h") == integer(2)
    assert raw("HDEL", "nokey", "a") == integer(0)
    assert raw("HDEL", "h") == arity_error("hdel")
    # deleting the last field deletes the key
    assert raw("HDEL", "h", "b", "c", "d") == integer(2)
    assert raw("EXISTS", "h") == integer(0)


def test_hdel_hashtable_and_shrink(r):
    make_hash(r, "h", 1000)
    assert encoding(r, "h") == "hashtable"
    fields = ["f%d" % i for i in range(1000)]
    assert r.hdel("h", *fields[:990]) == 990
    assert encoding(r, "h") == "hashtable"  # never converted back
    assert sorted(k.decode() for k in r.hkeys("h")) == sorted(fields[990:])
    assert r.hdel("h", *fields[990:]) == 10
    assert r.exists("h") == 0


# --- HINCRBY, HINCRBYFLOAT ---------------------------------------------------------

def test_hincrby(raw):
    assert raw("HINCRBY", "h", "n", "5") == integer(5)
    assert raw("HINCRBY", "h", "n", "-7") == integer(-2)
    assert raw("HGET", "h", "n") == bulk("-2")
    assert raw("HSET", "h", "m", str(LLONG_MAX - 1)) == integer(1)
    assert raw("HINCRBY", "h", "m", "1") == integer(LLONG_MAX)
    assert raw("HINCRBY", "h", "m", "1") == OVERFLOW
    assert raw("HSET", "h", "m", str(LLONG_MIN + 1)) == integer(0)
    assert raw("HINCRBY", "h", "m", "-1") == integer(LLONG_MIN)
    assert raw("HINCRBY", "h", "m", "-1") == OVERFLOW
    assert raw("HINCRBY", "h", "m", str(LLONG_MAX)) == integer(-1)


def test_hincrby_errors(raw):
    raw("HSET", "h", "s", "abc", "sp", " 1", "lz", "01", "f", "1.5")
    for bad in ("abc", "1.5", "", " 1", str(LLONG_MAX + 1)):
        assert raw("HINCRBY", "h", "n", bad) == NOT_INTEGER, bad
    for field in ("s", "sp", "lz", "f"):
        assert raw("HINCRBY", "h", field, "1") == HASH_NOT_INTEGER, field
    # a bad increment is reported before the key is even looked at
    raw("SET", "str", "x")
    assert raw("HINCRBY", "str", "f", "x") == NOT_INTEGER
    assert raw("HINCRBY", "str", "f", "1") == WRONGTYPE
    assert raw("HINCRBY", "nokey", "f", "x") == NOT_INTEGER
    assert raw("EXISTS", "nokey") == integer(0)
    assert raw("HINCRBY", "h", "n") == arity_error("hincrby")


def test_hincrbyfloat(raw):
    assert raw("HINCRBYFLOAT", "h", "x", "10.5") == bulk("10.5")
    assert raw("HINCRBYFLOAT", "h", "x", "0.1") == bulk("10.6")
    assert raw("HINCRBYFLOAT", "h", "x", "-10.6") == bulk("0")
    assert raw("HINCRBYFLOAT", "h", "y", "5.0e3") == bulk("5000")
    assert raw("HINCRBYFLOAT", "h", "y", "0x10") == bulk("5016")
    assert raw("HINCRBYFLOAT", "h", "z", "-0.0") == bulk("0")
    assert raw("HSET", "h", "i", "1.5e3", "lz", "01") == integer(2)
    assert raw("HINCRBYFLOAT", "h", "i", "1") == bulk("1501")
    # floats accept what integers do not
    assert raw("HINCRBYFLOAT", "h", "lz", "1") == bulk("2")
    assert raw("HGET", "h", "x") == bulk("0")


def test_hincrbyfloat_errors(raw):
    raw("HSET", "h", "s", "abc", "sp", " 1", "n", "1")
    for bad in ("abc", "", " 1", "1 ", "nan", "1e5000"):
        assert raw("HINCRBYFLOAT", "h", "n", bad) == NOT_FLOAT, bad
    for bad in ("inf", "-inf", "infinity", "+INF"):
        assert raw("HINCRBYFLOAT", "h", "n", bad) == NAN_OR_INF_ARG, bad
    assert raw("HINCRBYFLOAT", "h", "s", "1") == HASH_NOT_FLOAT
    assert raw("HINCRBYFLOAT", "h", "sp", "1") == HASH_NOT_FLOAT
    # the sum can overflow a long double
    reply = raw("HINCRBYFLOAT", "h", "big", "1.1e4932")
    assert reply.startswith(b"$4933\r\n10999")
    assert raw("HINCRBYFLOAT", "h", "big", "1.1e4932") == NAN_OR_INF_RESULT
    assert raw("HSTRLEN", "h", "big") == integer(4933)
    assert raw("HINCRBYFLOAT", "nokey", "f", "inf") == NAN_OR_INF_ARG
    assert raw("EXISTS", "nokey") == integer(0)
    raw("SET", "str", "x")
    assert raw("HINCRBYFLOAT", "str", "f", "x") == NOT_FLOAT
    assert raw("HINCRBYFLOAT", "str", "f", "1") == WRONGTYPE
    assert raw("HINCRBYFLOAT", "h", "n") == arity_error("hincrbyfloat")


# --- HRANDFIELD -----------------------------------------------------------------

def pairs_of(flat):
    return list(zip(flat[0::2], flat[1::2]))


def test_hrandfield_single(r, raw):
    assert raw("HRANDFIELD", "nokey") == NIL
    m = {"a": "1", "b": "2", "c": "3"}
    r.hset("h", mapping=m)
    seen = {r.hrandfield("h").decode() for _ in range(200)}
    assert seen == set(m)
    make_hash(r, "big", 200)
    for _ in range(50):
        assert r.hrandfield("big").decode().startswith("f")


def test_hrandfield_count_zero_and_missing(raw):
    raw("HSET", "h", "a", "1")
    assert raw("HRANDFIELD", "h", "0") == b"*0\r\n"
    assert raw("HRANDFIELD", "h", "0", "WITHVALUES") == b"*0\r\n"
    assert raw("HRANDFIELD", "nokey", "5") == b"*0\r\n"
    assert raw("HRANDFIELD", "nokey", "-5", "withvalues") == b"*0\r\n"


def test_hrandfield_errors(raw):
    raw("HSET", "h", "a", "1")
    assert raw("HRANDFIELD", "h", "x") == NOT_INTEGER
    assert raw("HRANDFIELD", "h", "1.5") == NOT_INTEGER
    assert raw("HRANDFIELD", "h", str(LLONG_MIN)) == error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    # the count is parsed before the options
    assert raw("HRANDFIELD", "h", "x", "bad") == NOT_INTEGER
    assert raw("HRANDFIELD", "h", "1", "WITHVALUE") == syntax_error()
    assert raw("HRANDFIELD", "h", "1", "WITHVALUES", "x") == syntax_error()
    assert raw("HRANDFIELD", "nokey", "1", "bad") == syntax_error()
    # WITHVALUES doubles the reply: half the range
    assert raw("HRANDFIELD", "h", str(LLONG_MAX), "WITHVALUES") == OUT_OF_RANGE
    assert raw("HRANDFIELD", "h", str(-(LLONG_MAX // 2) - 1), "WITHVALUES") == OUT_OF_RANGE
    assert raw("HRANDFIELD", "h", str(LLONG_MAX // 2 + 1), "WITHVALUES") == OUT_OF_RANGE
    assert raw("HRANDFIELD", "h", str(LLONG_MAX // 2), "WITHVALUES") == array("a", "1")
    assert raw("HRANDFIELD") == arity_error("hrandfield")


@pytest.mark.parametrize("size", [20, 1000])
def test_hrandfield_positive_count_is_distinct(r, size):
    m = make_hash(r, "h", size)
    assert encoding(r, "h") == ("listpack" if size <= 512 else "hashtable")
    order = [k.decode() for k in r.hkeys("h")]
    for count in (1, 2, 5, size // 3 - 1, size // 3 + 1, size - 1):
        got = [f.decode() for f in r.hrandfield("h", count)]
        assert len(got) == count and len(set(got)) == count, count
        assert set(got) <= set(m)
        flat = [x.decode() for x in r.hrandfield("h", count, withvalues=True)]
        pairs = pairs_of(flat)
        assert len(pairs) == count and len({f for f, _ in pairs}) == count
        assert all(m[f] == v for f, v in pairs)
        if size <= 512 and count * 3 <= size:
            # a few distinct listpack samples keep the hash's order (Redis 7.0
            # shuffles when more than a third of the hash is asked for)
            assert got == sorted(got, key=order.index)
    # a count at least the size gives the whole hash in its own order
    for count in (size, size + 1, 10 ** 9):
        assert [f.decode() for f in r.hrandfield("h", count)] == order
        flat = [x.decode() for x in r.hrandfield("h", count, withvalues=True)]
        assert pairs_of(flat) == [(k, m[k]) for k in order]


@pytest.mark.parametrize("size", [3, 600])
def test_hrandfield_negative_count_repeats(r, size):
    m = make_hash(r, "h", size)
    got = [f.decode() for f in r.hrandfield("h", -10000)]
    assert len(got) == 10000
    # repeats allowed; (nearly) every field comes up: Redis's pick from a
    # hashtable is only roughly uniform
    assert len(set(got)) >= 0.9 * size and set(got) <= set(m)
    flat = [x.decode() for x in r.hrandfield("h", -2500, withvalues=True)]
    pairs = pairs_of(flat)
    assert len(pairs) == 2500 and all(m[f] == v for f, v in pairs)
    assert len(r.hrandfield("h", -1)) == 1


def resp3_connection(server):
    """A raw socket switched to RESP3; skipped where HELLO is not there yet."""
    s = server.connect()
    if roundtrip(s, ("HELLO", "3"))[0].startswith(b"-"):
        s.close()
        pytest.skip("HELLO 3 is not supported")
    return s


@pytest.mark.parametrize("size", [2, 600])
def test_hrandfield_resp3_shape(r, server, size):
    make_hash(r, "h", size)
    s = resp3_connection(server)
    try:
        if size == 2:
            assert roundtrip(s, ("HRANDFIELD", "h", "2", "WITHVALUES"))[0] == (
                b"*2\r\n*2\r\n$2\r\nf0\r\n$2\r\nv0\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n")
        # RESP3: WITHVALUES nests each pair; without it the array is flat
        for count in ("1", "-3", "5"):
            reply = roundtrip(s, ("HRANDFIELD", "h", count, "WITHVALUES"))[0]
            n = min(abs(int(count)), size) if int(count) > 0 else abs(int(count))
            assert reply.startswith(b"*%d\r\n*2\r\n$" % n), reply
            assert reply.split(b"\r\n", 1)[1].count(b"*2\r\n") == n
            reply = roundtrip(s, ("HRANDFIELD", "h", count))[0]
            assert reply.startswith(b"*%d\r\n$" % n) and b"*2\r\n$" not in reply[3:]
        assert roundtrip(s, ("HRANDFIELD", "nokey"))[0] == b"_\r\n"
        assert roundtrip(s, ("HRANDFIELD", "nokey", "2", "WITHVALUES"))[0] == b"*0\r\n"
        assert roundtrip(s, ("HGET", "nokey", "f0"))[0] == b"_\r\n"
        assert roundtrip(s, ("HMGET", "nokey", "a", "b"))[0] == b"*2\r\n_\r\n_\r\n"
        assert roundtrip(s, ("HGETALL", "nokey"))[0] == b"%0\r\n"
        assert roundtrip(s, ("HKEYS", "nokey"))[0] == b"*0\r\n"
        reply = roundtrip(s, ("HGETALL", "h"))[0]
        assert reply.startswith(b"%%%d\r\n" % size)
        if size == 2:
            assert reply == b"%2\r\n$2\r\nf0\r\n$2\r\nv0\r\n$2\r\nf1\r\n$2\r\nv1\r\n"
            # HSCAN stays a flat array of fields and values
            assert roundtrip(s, ("HSCAN", "h", "0"))[0] == (
                b"*2\r\n$1\r\n0\r\n*4\r\n$2\r\nf0\r\n$2\r\nv0\r\n$2\r\nf1\r\n$2\r\nv1\r\n")
    finally:
        s.close()


# --- HSCAN ---------------------------------------------------------------------

def test_hscan_listpack_returns_everything(raw):
    raw("HSET", "h", "a1", "1", "b1", "2", "a2", "3", "7", "x")
    everything = b"*2\r\n$1\r\n0\r\n" + array("a1", "1", "b1", "2", "a2", "3", "7", "x")
    assert raw("HSCAN", "h", "0") == everything
    # any cursor, any COUNT: the whole listpack, cursor 0
    assert raw("HSCAN", "h", "12345", "COUNT", "1") == everything
    assert raw("HSCAN", "h", "0", "MATCH", "a*") == b"*2\r\n$1\r\n0\r\n" + array(
        "a1", "1", "a2", "3")
    assert raw("HSCAN", "h", "0", "MATCH", "[0-9]") == b"*2\r\n$1\r\n0\r\n" + array("7", "x")
    assert raw("HSCAN", "h", "0", "MATCH", "*") == everything
    assert raw("HSCAN", "h", "0", "MATCH", "zz*") == EMPTY_SCAN
    assert raw("HSCAN", "nokey", "0") == EMPTY_SCAN


def hscan_all(r, key, **kwargs):
    out, cursor, calls = [], 0, 0
    while True:
        cursor, data = r.hscan(key, cursor, **kwargs)
        out.extend(data.items())
        calls += 1
        if cursor == 0:
            return out, calls


def test_hscan_hashtable_full_iteration(r):
    m = make_hash(r, "h", 1000)
    got, calls = hscan_all(r, "h")
    assert calls > 10
    assert {k.decode(): v.decode() for k, v in got} == m
    got, calls = hscan_all(r, "h", count=100)
    assert {k.decode() for k, _ in got} == set(m)
    got, _ = hscan_all(r, "h", match="f1*")
    assert {k.decode() for k, _ in got} == {k for k in m if k.startswith("f1")}


def test_hscan_count_counts_fields(r):
    make_hash(r, "h", 1000)
    sizes, cursor = [], 0
    while True:
        cursor, data = r.hscan("h", cursor, count=20)
        if cursor == 0:
            break
        sizes.append(len(data))
    # a call stops once it holds COUNT fields (each with its value), plus the
    # rest of the last bucket it visited
    assert min(sizes) >= 20
    assert sum(sizes) / len(sizes) < 25, sizes


def test_hscan_errors(raw):
    raw("HSET", "h", "a", "1")
    raw("SET", "s", "x")
    assert raw("HSCAN", "h", "abc") == INVALID_CURSOR
    assert raw("HSCAN", "h", "-1") == b"*2\r\n$1\r\n0\r\n" + array("a", "1")
    assert raw("HSCAN", "h", "0", "COUNT", "0") == syntax_error()
    assert raw("HSCAN", "h", "0", "COUNT", "x") == NOT_INTEGER
    assert raw("HSCAN", "h", "0", "TYPE", "hash") == syntax_error()
    assert raw("HSCAN", "h", "0", "MATCH") == syntax_error()
    assert raw("HSCAN", "h", "0", "FOO", "bar") == syntax_error()
    assert raw("HSCAN", "h") == arity_error("hscan")
    # options are parsed only when there is a hash to scan
    assert raw("HSCAN", "nokey", "0", "COUNT", "0") == EMPTY_SCAN
    assert raw("HSCAN", "nokey", "0", "FOO") == EMPTY_SCAN
    assert raw("HSCAN", "nokey", "abc") == INVALID_CURSOR
    assert raw("HSCAN", "s", "0", "COUNT", "0") == WRONGTYPE
    assert raw("HSCAN", "s", "abc") == INVALID_CURSOR


# --- Wrong type ---------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("HSET", "k", "f", "v"), ("HMSET", "k", "f", "v"), ("HSETNX", "k", "f", "v"),
    ("HGET", "k", "f"), ("HMGET", "k", "f"), ("HDEL", "k", "f"), ("HLEN", "k"),
    ("HSTRLEN", "k", "f"), ("HEXISTS", "k", "f"), ("HKEYS", "k"), ("HVALS", "k"),
    ("HGETALL", "k"), ("HINCRBY", "k", "f", "1"), ("HINCRBYFLOAT", "k", "f", "1"),
    ("HRANDFIELD", "k"), ("HRANDFIELD", "k", "2"), ("HRANDFIELD", "k", "-2", "WITHVALUES"),
    ("HSCAN", "k", "0"),
])
def test_wrongtype(raw, args):
    raw("SET", "k", "x")
    assert raw(*args) == WRONGTYPE
    assert raw("GET", "k") == bulk("x")


def test_other_commands_on_a_hash(raw):
    raw("HSET", "h", "a", "1")
    assert raw("GET", "h") == WRONGTYPE
    assert raw("INCR", "h") == WRONGTYPE
    assert raw("APPEND", "h", "x") == WRONGTYPE


# --- Encodings and conversions ---------------------------------------------------

def test_new_hash_is_listpack(r):
    r.hset("h", "a", "1")
    assert encoding(r, "h") == "listpack"
    r.hincrby("i", "a", 1)
    assert encoding(r, "i") == "listpack"
    r.hincrbyfloat("fl", "a", 1.5)
    assert encoding(r, "fl") == "listpack"
    r.hsetnx("n", "a", "1")
    assert encoding(r, "n") == "listpack"


def test_conversion_at_entries_limit(r):
    # the built-in default is 512 (redis.conf ships 128)
    assert r.config_get("hash-max-listpack-entries")["hash-max-listpack-entries"] == "512"
    make_hash(r, "h", 512)
    assert encoding(r, "h") == "listpack"
    r.hset("h", "f0", "changed")  # an update adds nothing
    assert encoding(r, "h") == "listpack"
    r.hset("h", "f512", "x")
    assert encoding(r, "h") == "hashtable"
    assert r.hlen("h") == 513
    r.hdel("h", "f512", "f511")
    assert encoding(r, "h") == "hashtable"  # never back
    assert r.hget("h", "f0") == b"changed"


def test_conversion_within_one_hset(r, limits):
    limits(entries=4)
    assert r.hset("h", mapping={"a": 1, "b": 2, "c": 3, "d": 4}) == 4
    assert encoding(r, "h") == "listpack"
    assert r.hset("h2", mapping={"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}) == 5
    assert encoding(r, "h2") == "hashtable"
    assert decoded(r.hgetall("h2")) == {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}
    # repeated fields only count once
    assert r.execute_command("HSET", "h3", *(["a", "1"] * 10)) == 1
    assert encoding(r, "h3") == "listpack"


def test_conversion_at_value_length(r):
    r.hset("h", "f", "x" * 64)
    assert encoding(r, "h") == "listpack"
    r.hset("h", "f", "x" * 65)
    assert encoding(r, "h") == "hashtable"
    assert r.hget("h", "f") == b"x" * 65
    r.hset("k", "k" * 65, "v")
    assert encoding(r, "k") == "hashtable"


def test_long_argument_converts_before_anything_is_set(r, limits):
    limits(value=5)
    r.hset("h", "a", "1")
    # one long argument anywhere in the HSET converts the hash
    r.hset("h", mapping={"a": "1", "bbbbbb": "2"})
    assert encoding(r, "h") == "hashtable"
    r.hset("i", "a", "1")
    r.execute_command("HMSET", "i", "a", "123456")
    assert encoding(r, "i") == "hashtable"


def test_hsetnx_converts_only_when_it_sets(r, limits):
    limits(value=5)
    r.hset("h", "a", "1")
    assert r.hsetnx("h", "a", "1234567") == 0
    assert encoding(r, "h") == "listpack"
    assert r.hsetnx("h", "b", "1234567") == 1
    assert encoding(r, "h") == "hashtable"


def test_counters_convert_on_long_results(r, limits):
    limits(value=5)
    r.hset("h", "a", "1")
    assert r.hincrby("h", "b", 1234567) == 1234567
    assert encoding(r, "h") == "hashtable"
    r.hset("i", "a", "1")
    assert r.hincrbyfloat("i", "b", 1.23456) == pytest.approx(1.23456)
    assert encoding(r, "i") == "hashtable"
    r.hset("j", "a", "1")
    r.hincrby("j", "longfield", 1)
    assert encoding(r, "j") == "hashtable"
    r.hset("k", "a", "1")
    r.hincrby("k", "b", 12345)
    assert encoding(r, "k") == "listpack"


def test_zero_entries_limit_means_hashtable_at_once(r, limits):
    limits(entries=0)
    for cmd in (("HSET", "a", "f", "v"), ("HSETNX", "b", "f", "v"), ("HINCRBY", "c", "f", "1"),
                ("HINCRBYFLOAT", "d", "f", "1")):
        r.execute_command(*cmd)
        assert encoding(r, cmd[1]) == "hashtable", cmd


def test_ziplist_alias_sets_the_limit(r, limits):
    limits()  # restores afterwards
    r.config_set("hash-max-ziplist-entries", 3)
    assert r.config_get("hash-max-listpack-entries")["hash-max-listpack-entries"] == "3"
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    assert encoding(r, "h") == "listpack"
    r.hset("h", "d", 4)
    assert encoding(r, "h") == "hashtable"


def test_both_encodings_answer_alike(r, limits):
    """The same commands on a listpack and a hashtable hash give the same answers
    (up to the order of whole-hash replies)."""
    fields = {"a": "1", "b": "-5", "c": "text", "": "empty-field", "n": "9223372036854775807"}

    def exercise(key):
        out = [r.hset(key, mapping=fields), r.hlen(key), r.hget(key, "c"), r.hget(key, "zz"),
               r.hmget(key, ["a", "zz", ""]), r.hexists(key, ""), r.hstrlen(key, "n"),
               r.hincrby(key, "a", 10), r.hincrbyfloat(key, "b", "0.5"),
               r.hsetnx(key, "a", "x"), r.hsetnx(key, "d", "x"), r.hdel(key, "c", "zz"),
               sorted(r.hkeys(key)), sorted(r.hvals(key)), r.hgetall(key)]
        try:
            r.hincrby(key, "n", 1)
        except Exception as e:
            out.append(str(e))
        return out

    listpack = exercise("lp")
    limits(entries=0)
    ht = exercise("ht")
    assert encoding(r, "lp") == "listpack" and encoding(r, "ht") == "hashtable"
    assert listpack == ht


# --- Generic commands on hashes ------------------------------------------------

@pytest.mark.parametrize("size", [5, 600])
def test_type_copy_rename_del(r, size):
    m = make_hash(r, "h", size)
    enc = "listpack" if size <= 512 else "hashtable"
    assert r.type("h") == b"hash"
    assert encoding(r, "h") == enc
    assert r.copy("h", "c") == 1
    assert encoding(r, "c") == enc
    assert decoded(r.hgetall("c")) == m
    # the copy is independent
    r.hset("c", "f0", "changed")
    r.hdel("c", "f1")
    assert r.hget("h", "f0") == b"v0" and r.hexists("h", "f1")
    r.expire("h", 1000)
    assert r.rename("h", "renamed")
    assert decoded(r.hgetall("renamed")) == m and r.ttl("renamed") > 0
    assert r.exists("h") == 0
    assert r.copy("renamed", "c") == 0
    assert r.copy("renamed", "c", replace=True) == 1
    assert decoded(r.hgetall("c")) == m
    assert r.delete("renamed", "c") == 2
    assert r.exists("renamed", "c") == 0


def test_copy_to_another_db(r, server):
    r.hset("h", mapping={"a": "1"})
    assert r.copy("h", "h", destination_db=1) == 1
    other = server.client(db=1)
    try:
        assert other.hgetall("h") == {b"a": b"1"}
        assert other.object("encoding", "h") == b"listpack"
    finally:
        other.flushdb()
        other.close()


def test_scan_type_hash(r):
    r.hset("h1", "a", "1")
    make_hash(r, "h2", 600)
    r.set("s", "x")
    keys, cursor = set(), 0
    while True:
        cursor, batch = r.scan(cursor, _type="hash")
        keys.update(batch)
        if cursor == 0:
            break
    assert keys == {b"h1", b"h2"}
    assert r.keys("*") and r.object("encoding", "h2") == b"hashtable"


def test_unlink_and_expire_hash(r, raw):
    make_hash(r, "h", 600)
    assert r.unlink("h") == 1
    assert r.exists("h") == 0
    r.hset("t", "a", "1")
    assert raw("PEXPIRE", "t", "1") == integer(1)
    helpers_data.wait_until(lambda: r.exists("t") == 0)
    assert raw("HGET", "t", "a") == NIL


# --- Comparison with redis-server --------------------------------------------

ORACLE_CASES = {
    "listpack_basics": [
        ("HSET", "h", "z", "1", "a", "-2", "m", "x", "01", "y", "", ""),
        ("HGETALL", "h"), ("HKEYS", "h"), ("HVALS", "h"), ("HLEN", "h"),
        ("HMGET", "h", "z", "nope", ""), ("HSTRLEN", "h", "a"), ("HEXISTS", "h", "01"),
        ("HSET", "h", "a", "3"), ("HGETALL", "h"), ("HDEL", "h", "z", "zz"), ("HGETALL", "h"),
        ("HSETNX", "h", "a", "9"), ("HSETNX", "h", "q", "9"), ("HGETALL", "h"),
        ("HSCAN", "h", "0"), ("HSCAN", "h", "0", "MATCH", "[a-m]"),
        ("HRANDFIELD", "h", "100"), ("HRANDFIELD", "h", "100", "WITHVALUES"),
        ("OBJECT", "ENCODING", "h"), ("TYPE", "h"),
    ],
    "counters": [
        ("HINCRBY", "c", "i", "10"), ("HINCRBY", "c", "i", "-11"),
        ("HINCRBYFLOAT", "c", "f", "1.1"),
        ("HINCRBYFLOAT", "c", "f", "2e-3"), ("HINCRBYFLOAT", "c", "i", "0.25"),
        ("HINCRBY", "c", "f", "1"), ("HINCRBYFLOAT", "c", "g", "1e30"), ("HGETALL", "c"),
        ("HINCRBY", "c", "m", str(LLONG_MAX)), ("HINCRBY", "c", "m", "1"),
        ("HINCRBYFLOAT", "c", "x", "inf"), ("HINCRBYFLOAT", "c", "x", "abc"),
        ("HINCRBY", "c", "x", "abc"), ("OBJECT", "ENCODING", "c"),
    ],
    "errors": [
        ("SET", "s", "v"), ("HSET", "s", "a", "1"), ("HGET", "s", "a"), ("HSCAN", "s", "0"),
        ("HSET", "h"), ("HSET", "h", "a", "1", "b"), ("HMSET", "h", "a"), ("HDEL", "h"),
        ("HRANDFIELD", "h", "1", "x"), ("HRANDFIELD", "h", str(LLONG_MIN)),
        ("HRANDFIELD", "h", str(LLONG_MAX), "WITHVALUES"), ("HSCAN", "nokey", "0", "COUNT", "0"),
        ("HSCAN", "nokey", "x"), ("EXISTS", "h"),
    ],
    "conversions": [
        ("CONFIG", "SET", "hash-max-listpack-entries", "3"),
        ("CONFIG", "SET", "hash-max-listpack-value", "5"),
        ("HSET", "a", "1", "1", "2", "2", "3", "3"), ("OBJECT", "ENCODING", "a"),
        ("HSET", "a", "4", "4"), ("OBJECT", "ENCODING", "a"),
        ("HSET", "b", "x", "1", "x", "2", "x", "3", "x", "4"), ("OBJECT", "ENCODING", "b"),
        ("HSET", "c", "k", "12345"), ("OBJECT", "ENCODING", "c"),
        ("HSET", "c", "k", "123456"), ("OBJECT", "ENCODING", "c"), ("HGET", "c", "k"),
        ("HSET", "d", "k", "1"), ("HSETNX", "d", "k", "toolongvalue"), ("OBJECT", "ENCODING", "d"),
        ("HINCRBYFLOAT", "d", "k", "0.00001"), ("OBJECT", "ENCODING", "d"),
        ("HSET", "e", "k", "1"), ("HINCRBY", "e", "k", "99999"), ("OBJECT", "ENCODING", "e"),
        ("HINCRBY", "e", "k", "1"), ("OBJECT", "ENCODING", "e"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "0"),
        ("HSETNX", "f", "k", "v"), ("OBJECT", "ENCODING", "f"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "512"),
        ("CONFIG", "SET", "hash-max-listpack-value", "64"),
    ],
    "generic": [
        ("HSET", "h", "a", "1", "b", "2"), ("COPY", "h", "h2"), ("HGETALL", "h2"),
        ("OBJECT", "ENCODING", "h2"), ("RENAME", "h2", "h3"), ("HGETALL", "h3"),
        ("HDEL", "h3", "a", "b"), ("EXISTS", "h3"), ("TYPE", "h3"), ("DEL", "h"), ("TYPE", "h"),
        ("SCAN", "0", "TYPE", "hash"),
    ],
}


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
@pytest.mark.parametrize("name", sorted(ORACLE_CASES))
def test_same_as_redis(server, oracle, name):
    commands = ORACLE_CASES[name]
    ours, theirs = server.connect(), oracle.connect()
    try:
        got = roundtrip(ours, *commands)
        want = roundtrip(theirs, *commands)
    finally:
        roundtrip(theirs, ("CONFIG", "SET", "hash-max-listpack-entries", "512"),
                  ("CONFIG", "SET", "hash-max-listpack-value", "64"))
        ours.close()
        theirs.close()
    diffs = [f"#{i} {cmd!r}: loom {g!r} != redis {w!r}"
             for i, (cmd, g, w) in enumerate(zip(commands, got, want)) if g != w]
    assert diffs == [], "\n".join(diffs)


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
def test_hashtable_same_as_redis(server, oracle):
    """A hashtable hash's whole-hash replies differ in order only."""
    commands = [("HSET", "h") + tuple(x for i in range(600) for x in ("f%d" % i, str(i * 7)))]
    commands += [("HINCRBY", "h", "f%d" % i, "3") for i in range(0, 600, 17)]
    commands += [("HDEL", "h", "f5", "f6", "nope"), ("HLEN", "h"), ("HMGET", "h", "f1", "f6"),
                 ("HSTRLEN", "h", "f199"), ("OBJECT", "ENCODING", "h")]
    ours, theirs = server.connect(), oracle.connect()
    try:
        assert roundtrip(ours, *commands) == roundtrip(theirs, *commands)
        a = roundtrip(ours, ("HGETALL", "h"))[0].split(b"\r\n")
        b = roundtrip(theirs, ("HGETALL", "h"))[0].split(b"\r\n")
        pairs = lambda lines: sorted(zip(lines[2::4], lines[4::4]))
        assert a[0] == b[0] and pairs(a) == pairs(b)
    finally:
        ours.close()
        theirs.close()

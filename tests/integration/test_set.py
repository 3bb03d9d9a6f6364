# SPDX-License-Identifier: BSD-3-Clause
#
# The set commands (SADD ... SSCAN): replies, exact error bytes, every encoding
# and the conversions between them, the random commands' strategies, and
# byte-for-byte comparisons with redis-server 7.0 where its reply order is
# deterministic (intsets are sorted; hashtable order is not, so those replies
# are compared sorted).
#
# Encodings follow Redis 7.2, which redis-server 7.0 does not have: small sets
# of strings are "listpack". The tests of that are loom_only and follow the 7.2
# documentation:
#   - OBJECT ENCODING (redis.io): "Sets can be encoded as: hashtable ...; intset,
#     a special encoding used for small sets composed solely of integers;
#     listpack, Redis >= 7.2, a space-efficient encoding used for small sets."
#   - the 7.2 change (redis commit 4e472a1a7): "Small sets with not only integer
#     elements are listpack encoded, by default up to 128 elements, max 64 bytes
#     per element, new config set-max-listpack-entries and
#     set-max-listpack-value ... Sets with only integers, even very small sets,
#     are still intset encoded ... Larger sets are hashtable encoded. Possible
#     conversions when elements are added: intset -> listpack, listpack ->
#     hashtable, intset -> hashtable. Note: No conversion happens when elements
#     are deleted."
# A listpack keeps insertion order; an intset turned listpack keeps its sorted
# integers first.
import pytest

from conftest import AGAINST_REDIS, roundtrip
from helpers_data import NIL, NOT_INTEGER, Raw, arity_error, bulk, error, integer, raw  # noqa: F401

WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = error("ERR syntax error")
EMPTY = b"*0\r\n"
LONG_MAX = 9223372036854775807


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(bulk(str(i)) for i in items)


def parse_array(reply):
    """The bulk strings of a raw RESP2/RESP3 array or set reply, in order."""
    lines = reply.split(b"\r\n")
    assert lines[0][:1] in (b"*", b"~"), reply
    return [lines[i] for i in range(2, 2 * int(lines[0][1:]) + 1, 2)]


def ordered(raw, *cmd):
    """A command's array reply in the order the server sent it."""
    return parse_array(raw(*cmd))


def encoding(r, key):
    return r.object("encoding", key).decode()


def strings(n, prefix="m"):
    return [f"{prefix}{i}" for i in range(n)]


@pytest.fixture
def config(r):
    """config(name, value) sets a directive on the test server for this test
    only; the old value comes back afterwards."""
    saved = {}

    def set_config(name, value):
        if name not in saved:
            saved[name] = r.config_get(name)[name]
        r.config_set(name, value)

    yield set_config
    for name, value in saved.items():
        r.config_set(name, value)


# --- SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS --------------------------

def test_sadd_counts_only_new_members(r):
    assert r.sadd("s", "a", "b", "a") == 2
    assert r.sadd("s", "b", "c") == 1
    assert r.scard("s") == 3
    assert r.smembers("s") == {b"a", b"b", b"c"}


def test_sadd_and_srem_on_other_type(raw):
    raw("SET", "str", "x")
    for cmd in (("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"),
                ("SISMEMBER", "str", "a"), ("SMISMEMBER", "str", "a"), ("SMEMBERS", "str"),
                ("SPOP", "str"), ("SPOP", "str", "1"), ("SRANDMEMBER", "str"),
                ("SRANDMEMBER", "str", "2"), ("SSCAN", "str", "0")):
        assert raw(*cmd) == WRONGTYPE, cmd
    assert raw("GET", "str") == bulk("x")


@pytest.mark.parametrize("cmd", [
    ("SADD", "k"), ("SREM", "k"), ("SMEMBERS",), ("SISMEMBER", "k"), ("SMISMEMBER", "k"),
    ("SCARD",), ("SPOP",), ("SRANDMEMBER",), ("SMOVE", "a", "b"), ("SINTER",),
    ("SINTERCARD", "1"), ("SINTERSTORE", "d"), ("SUNION",), ("SUNIONSTORE", "d"),
    ("SDIFF",), ("SDIFFSTORE", "d"), ("SSCAN", "k"), ("SCARD", "a", "b"),
    ("SISMEMBER", "k", "a", "b"), ("SMOVE", "a", "b", "c", "d"),
])
def test_arity_errors(raw, cmd):
    assert raw(*cmd) == arity_error(cmd[0].lower())


def test_srem(raw):
    assert raw("SREM", "nokey", "a") == integer(0)
    raw("SADD", "s", "a", "b", "c")
    assert raw("SREM", "s", "a", "zz", "a") == integer(1)
    assert raw("SCARD", "s") == integer(2)
    # Removing the last member deletes the key (and stops there).
    assert raw("SREM", "s", "b", "c", "b") == integer(2)
    assert raw("EXISTS", "s") == integer(0)


@pytest.mark.parametrize("members", [["1", "2", "3"], ["a", "b", "3"], strings(300)])
def test_membership_in_every_encoding(r, members):
    r.sadd("s", *members)
    for m in members:
        assert r.sismember("s", m)
    assert not r.sismember("s", "nope")
    assert [bool(x) for x in r.smismember("s", [members[0], "nope", members[-1]])] == [
        True, False, True]
    assert [bool(x) for x in r.smismember("missing", ["a", "b"])] == [False, False]
    assert r.sismember("missing", "a") == 0
    assert r.scard("s") == len(members) and r.scard("missing") == 0


def test_integers_are_strict(r):
    # Only string2ll's canonical form is an integer: "01", "+1", " 1", "-0" and
    # out-of-range numbers are distinct strings.
    r.sadd("s", "1")
    assert r.sadd("s", "01", "+1", " 1", "-0", "0", "9223372036854775808", "1.0") == 7
    assert r.scard("s") == 8
    assert r.sismember("s", "1") and r.sismember("s", "01") and not r.sismember("s", "2")
    assert r.srem("s", "1", "-0") == 2
    assert not r.sismember("s", "1") and r.sismember("s", "+1")


def test_intset_extremes_sorted(r, raw):
    values = [LONG_MAX, -LONG_MAX - 1, 0, 70000, -70000, 300, -5, 2**31, -(2**31) - 1]
    r.sadd("s", *values)
    assert encoding(r, "s") == "intset"
    raw_members = [int(x) for x in ordered(raw, "SMEMBERS", "s")]
    assert raw_members == sorted(values)
    assert r.sismember("s", str(LONG_MAX)) and r.sismember("s", str(-LONG_MAX - 1))


def test_smembers_missing_and_binary(r):
    assert r.smembers("missing") == set()
    blob = bytes(range(256))
    r.sadd("s", blob, b"", b"\x00")
    assert r.smembers("s") == {blob, b"", b"\x00"}
    assert r.sismember("s", b"") and r.srem("s", b"") == 1


# --- encodings -------------------------------------------------------------------

def test_intset_until_set_max_intset_entries(r):
    r.sadd("s", *range(512))
    assert encoding(r, "s") == "intset"
    r.sadd("s", 512)
    assert encoding(r, "s") == "hashtable"
    assert r.scard("s") == 513 and r.sismember("s", 0) and r.sismember("s", 512)


def test_intset_threshold_follows_config(r, config):
    config("set-max-intset-entries", 4)
    r.sadd("s", 1, 2, 3, 4)
    assert encoding(r, "s") == "intset"
    r.sadd("s", 4)
    assert encoding(r, "s") == "intset"
    r.sadd("s", 5)
    assert encoding(r, "s") == "hashtable"
    assert sorted(int(x) for x in r.smembers("s")) == [1, 2, 3, 4, 5]


@pytest.mark.loom_only
def test_small_string_set_is_listpack_in_insertion_order(r, raw):
    r.sadd("s", "c", "a", "b", "a", "10", "-3")
    assert encoding(r, "s") == "listpack"
    assert ordered(raw, "SMEMBERS", "s") == [b"c", b"a", b"b", b"10", b"-3"]
    assert r.sismember("s", "10") and not r.sismember("s", "010")


@pytest.mark.loom_only
def test_listpack_entry_limit(r):
    r.sadd("s", *strings(128))
    assert encoding(r, "s") == "listpack"
    r.sadd("s", "m0")
    assert encoding(r, "s") == "listpack"
    r.sadd("s", "extra")
    assert encoding(r, "s") == "hashtable"
    assert r.smembers("s") == {m.encode() for m in strings(128)} | {b"extra"}


@pytest.mark.loom_only
def test_listpack_value_limit(r):
    r.sadd("s", "a", "x" * 64)
    assert encoding(r, "s") == "listpack"
    r.sadd("s", "y" * 65)
    assert encoding(r, "s") == "hashtable"
    r.sadd("new", "z" * 65)
    assert encoding(r, "new") == "hashtable"
    assert r.smembers("new") == {b"z" * 65}


@pytest.mark.loom_only
def test_listpack_limits_follow_config(r, config):
    config("set-max-listpack-entries", 3)
    config("set-max-listpack-value", 5)
    r.sadd("a", "x", "y", "z")
    assert encoding(r, "a") == "listpack"
    r.sadd("a", "w")
    assert encoding(r, "a") == "hashtable"
    r.sadd("b", "12345")
    r.sadd("b", "abcde")
    assert encoding(r, "b") == "listpack"
    r.sadd("b", "abcdef")
    assert encoding(r, "b") == "hashtable"
    config("set-max-listpack-entries", 0)
    r.sadd("c", "x")
    assert encoding(r, "c") == "hashtable"


@pytest.mark.loom_only
def test_intset_to_listpack_keeps_sorted_integers_first(r, raw):
    r.sadd("s", 30, 10, 20)
    r.sadd("s", "b", "a")
    assert encoding(r, "s") == "listpack"
    assert ordered(raw, "SMEMBERS", "s") == [b"10", b"20", b"30", b"b", b"a"]
    r.sadd("t", 5, "x")  # one SADD: starts as an intset, then converts
    assert encoding(r, "t") == "listpack"
    assert ordered(raw, "SMEMBERS", "t") == [b"5", b"x"]


@pytest.mark.loom_only
def test_intset_to_hashtable_when_listpack_would_not_fit(r, config):
    r.sadd("big", *range(128))
    r.sadd("big", "x")  # 129 members: past set-max-listpack-entries
    assert encoding(r, "big") == "hashtable"
    r.sadd("small", *range(127))
    r.sadd("small", "x")  # exactly 128
    assert encoding(r, "small") == "listpack"
    r.sadd("long", 1, 2)
    r.sadd("long", "v" * 65)
    assert encoding(r, "long") == "hashtable"
    # An integer longer than set-max-listpack-value also rules the listpack out.
    config("set-max-listpack-value", 5)
    r.sadd("wide", 123456)
    r.sadd("wide", "a")
    assert encoding(r, "wide") == "hashtable"
    r.sadd("narrow", 12345)
    r.sadd("narrow", "a")
    assert encoding(r, "narrow") == "listpack"
    assert r.smembers("wide") == {b"123456", b"a"}


@pytest.mark.loom_only
def test_no_conversion_back_on_delete(r):
    r.sadd("s", *strings(200))
    r.srem("s", *strings(199))
    assert encoding(r, "s") == "hashtable"
    r.sadd("l", "a", "b")
    r.srem("l", "a")
    r.sadd("l", 1)
    assert encoding(r, "l") == "listpack"
    # An emptied set is deleted; the next SADD starts compact again.
    r.srem("s", "m199")
    r.sadd("s", 7)
    assert encoding(r, "s") == "intset"


@pytest.mark.loom_only
def test_listpack_integers_and_strings_compare_exactly(r, raw):
    r.sadd("s", "a", "1", "-1", "9223372036854775807", "18446744073709551616")
    assert encoding(r, "s") == "listpack"
    assert r.sadd("s", "1", "01", "-1", "1.5") == 2
    assert r.srem("s", "9223372036854775807", "01") == 2
    assert ordered(raw, "SMEMBERS", "s") == [b"a", b"1", b"-1", b"18446744073709551616",
                                                  b"1.5"]


# --- SMOVE -----------------------------------------------------------------------

def test_smove(r):
    r.sadd("src", 1, 2, "a")
    assert r.smove("src", "dst", 1) == 1
    assert r.smembers("dst") == {b"1"} and encoding(r, "dst") == "intset"
    assert r.smove("src", "dst", "zz") == 0
    assert r.smove("src", "dst", "a") == 1
    assert r.smembers("dst") == {b"1", b"a"}
    r.sadd("dst", 2)
    assert r.smove("src", "dst", 2) == 1  # already in dst: still moved out of src
    assert not r.exists("src")
    assert r.smembers("dst") == {b"1", b"2", b"a"}
    assert r.smove("missing", "dst", 1) == 0


def test_smove_same_key_and_types(raw):
    raw("SADD", "s", "a")
    assert raw("SMOVE", "s", "s", "a") == integer(1)
    assert raw("SMOVE", "s", "s", "b") == integer(0)
    assert raw("SMEMBERS", "s") == array("a")
    raw("SET", "str", "x")
    # A missing source answers 0 before the destination's type is looked at.
    assert raw("SMOVE", "missing", "str", "a") == integer(0)
    assert raw("SMOVE", "s", "str", "a") == WRONGTYPE
    assert raw("SMOVE", "str", "s", "a") == WRONGTYPE
    assert raw("SCARD", "s") == integer(1)


# --- SPOP ------------------------------------------------------------------------

def test_spop_single(raw, r):
    assert raw("SPOP", "missing") == NIL
    r.sadd("s", "a", "b")
    first = r.spop("s")
    assert first in (b"a", b"b") and r.scard("s") == 1
    r.spop("s")
    assert not r.exists("s")
    assert raw("SPOP", "s", "1", "2") == SYNTAX


def test_spop_count_errors(raw):
    msg = error("ERR value is out of range, must be positive")
    for count in ("-1", "x", "99999999999999999999", "1.5"):
        assert raw("SPOP", "missing", count) == msg
    assert raw("SPOP", "missing", "0") == EMPTY
    assert raw("SPOP", "missing", "3") == EMPTY
    raw("SADD", "s", "a")
    assert raw("SPOP", "s", "0") == EMPTY
    assert raw("SCARD", "s") == integer(1)


SAMPLES = {
    "intset": [str(i) for i in range(100)],
    "listpack": strings(100),
    "hashtable": strings(1000),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.9, 0.99])
def test_spop_count_strategies(r, kind, fraction):
    members = SAMPLES[kind]
    r.sadd("s", *members)
    count = int(len(members) * fraction)
    popped = r.spop("s", count)
    assert len(popped) == count and len(set(popped)) == count
    left = r.smembers("s")
    assert set(popped) | left == {m.encode() for m in members}
    assert not set(popped) & left
    assert r.scard("s") == len(members) - count
    if kind != "listpack" or not AGAINST_REDIS:
        assert encoding(r, "s") == kind


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_spop_count_whole_set_deletes_key(r, kind):
    members = SAMPLES[kind]
    r.sadd("s", *members)
    popped = r.spop("s", len(members) + 5)
    assert sorted(popped) == sorted(m.encode() for m in members)
    assert not r.exists("s")


def test_spop_intset_whole_set_is_sorted(raw):
    raw("SADD", "s", "3", "1", "2")
    assert raw("SPOP", "s", "3") == array(1, 2, 3)


def test_spop_keeps_ttl(r):
    r.sadd("s", *range(50))
    r.expire("s", 1000)
    r.spop("s", 45)
    assert 0 < r.ttl("s") <= 1000


# --- SRANDMEMBER -----------------------------------------------------------------

def test_srandmember_without_count(raw, r):
    assert raw("SRANDMEMBER", "missing") == NIL
    r.sadd("s", "a", "b")
    assert r.srandmember("s") in (b"a", b"b")
    assert r.scard("s") == 2
    assert raw("SRANDMEMBER", "s", "1", "2") == SYNTAX


def test_srandmember_count_errors(raw):
    assert raw("SRANDMEMBER", "missing", "x") == NOT_INTEGER
    assert raw("SRANDMEMBER", "missing", "99999999999999999999") == NOT_INTEGER
    assert raw("SRANDMEMBER", "missing", "-9223372036854775808") == error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert raw("SRANDMEMBER", "missing", "-9223372036854775807") == EMPTY
    assert raw("SRANDMEMBER", "missing", "5") == EMPTY
    raw("SADD", "s", "a")
    assert raw("SRANDMEMBER", "s", "0") == EMPTY


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("fraction", [0.01, 0.2, 0.5, 0.9])
def test_srandmember_distinct(r, kind, fraction):
    members = SAMPLES[kind]
    r.sadd("s", *members)
    count = max(2, int(len(members) * fraction))
    got = r.srandmember("s", count)
    assert len(got) == count and len(set(got)) == count
    assert set(got) <= {m.encode() for m in members}
    assert r.scard("s") == len(members)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_srandmember_whole_set(r, kind):
    members = SAMPLES[kind]
    r.sadd("s", *members)
    got = r.srandmember("s", len(members) + 1)
    assert sorted(got) == sorted(m.encode() for m in members)


@pytest.mark.parametrize("members", [["1", "2", "3"], ["a", "b", "c"], strings(200)])
def test_srandmember_with_repeats(r, members):
    r.sadd("s", *members)
    got = r.srandmember("s", -2500)
    assert len(got) == 2500
    assert set(got) <= {m.encode() for m in members}
    if len(members) == 3:
        assert len(set(got)) == 3  # every member shows up in 2500 draws
    assert len(r.srandmember("s", -1)) == 1
    assert len(r.srandmember("s", 1)) == 1


def test_srandmember_intset_whole_set_is_sorted(raw):
    raw("SADD", "s", "30", "-1", "7")
    assert raw("SRANDMEMBER", "s", "10") == array(-1, 7, 30)


# --- SINTER, SINTERCARD, SINTERSTORE ---------------------------------------------

def fill_mixed(r):
    r.sadd("ints", *range(0, 20))                     # intset
    r.sadd("strs", *range(10, 30), "a", "b")          # listpack (7.2) / hashtable
    r.sadd("big", *range(5, 700), "a")                # hashtable
    r.sadd("big_ints", *range(0, 1000, 2))            # intset


def test_sinter(r):
    fill_mixed(r)
    assert r.sinter("ints", "strs") == {str(i).encode() for i in range(10, 20)}
    assert r.sinter("strs", "big") == {str(i).encode() for i in range(10, 30)} | {b"a"}
    assert r.sinter("ints", "strs", "big", "big_ints") == {b"10", b"12", b"14", b"16", b"18"}
    assert r.sinter("ints", "ints") == {str(i).encode() for i in range(20)}
    assert r.sinter("big", "big") == r.smembers("big")
    assert r.sinter("ints", "missing") == set()
    assert r.sinter("strs") == r.smembers("strs")


def test_sinter_checks_every_key_type(raw):
    raw("SET", "str", "x")
    raw("SADD", "s", "a")
    for cmd in (("SINTER", "missing", "str"), ("SINTER", "str", "missing"),
                ("SINTER", "s", "missing", "str"), ("SINTERCARD", "2", "missing", "str"),
                ("SINTERSTORE", "d", "missing", "str"), ("SUNION", "missing", "str"),
                ("SUNIONSTORE", "d", "s", "str"), ("SDIFF", "missing", "str"),
                ("SDIFF", "s", "str"), ("SDIFFSTORE", "d", "s", "str")):
        assert raw(*cmd) == WRONGTYPE, cmd
    assert raw("EXISTS", "d") == integer(0)


def test_sintercard(raw, r):
    fill_mixed(r)
    assert raw("SINTERCARD", "2", "ints", "strs") == integer(10)
    assert raw("SINTERCARD", "1", "big") == integer(696)
    assert raw("SINTERCARD", "2", "ints", "strs", "LIMIT", "3") == integer(3)
    assert raw("SINTERCARD", "2", "ints", "strs", "limit", "0") == integer(10)
    assert raw("SINTERCARD", "2", "ints", "strs", "LIMIT", "100") == integer(10)
    assert raw("SINTERCARD", "2", "ints", "strs", "LIMIT", "5", "LIMIT", "2") == integer(2)
    assert raw("SINTERCARD", "2", "ints", "missing") == integer(0)
    # numkeys counts the keys; the rest must be options.
    assert raw("SINTERCARD", "1", "ints", "strs") == SYNTAX


@pytest.mark.parametrize("args,reply", [
    (("0", "a"), "ERR numkeys should be greater than 0"),
    (("-1", "a"), "ERR numkeys should be greater than 0"),
    (("x", "a"), "ERR numkeys should be greater than 0"),
    (("99999999999999999999", "a"), "ERR numkeys should be greater than 0"),
    (("3", "a", "b"), "ERR Number of keys can't be greater than number of args"),
    (("1", "a", "LIMIT", "-1"), "ERR LIMIT can't be negative"),
    (("1", "a", "LIMIT", "x"), "ERR LIMIT can't be negative"),
    (("1", "a", "LIMIT"), "ERR syntax error"),
    (("1", "a", "FOO", "1"), "ERR syntax error"),
])
def test_sintercard_errors(raw, args, reply):
    assert raw("SINTERCARD", *args) == error(reply)


def test_sinterstore(r):
    fill_mixed(r)
    assert r.sinterstore("d", ["ints", "strs"]) == 10
    assert r.smembers("d") == {str(i).encode() for i in range(10, 20)}
    # Integers only: an intset, even from hashtable sources.
    assert r.sinterstore("d2", ["big", "big_ints"]) == 347
    assert encoding(r, "d2") == "intset"
    # Overwrites any type and drops the TTL.
    r.set("str", "x", ex=100)
    assert r.sinterstore("str", ["ints", "big_ints"]) == 10
    assert r.type("str") == b"set" and r.ttl("str") == -1
    # The destination may be a source.
    assert r.sinterstore("ints", ["ints", "strs"]) == 10
    assert r.smembers("ints") == {str(i).encode() for i in range(10, 20)}


def test_sinterstore_empty_result_deletes_destination(raw):
    raw("SADD", "a", "1")
    raw("SADD", "b", "2")
    raw("SET", "d", "x")
    assert raw("SINTERSTORE", "d", "a", "b") == integer(0)
    assert raw("EXISTS", "d") == integer(0)
    raw("SET", "d", "x")
    assert raw("SINTERSTORE", "d", "a", "missing") == integer(0)
    assert raw("EXISTS", "d") == integer(0)


@pytest.mark.loom_only
def test_store_result_encodings(r, raw):
    fill_mixed(r)
    r.sadd("s1", "a", "b", "c", "d")
    r.sadd("s2", *strings(300), "a", "b")
    r.sinterstore("i1", ["s1", "s2"])
    assert encoding(r, "i1") == "listpack" and ordered(raw, "SMEMBERS", "i1") == [b"a", b"b"]
    r.sinterstore("i2", ["s2", "s2"])
    assert encoding(r, "i2") == "hashtable"
    r.sinterstore("i3", ["strs", "big"])
    assert encoding(r, "i3") == "listpack"
    r.sunionstore("u1", ["s1", "ints"])
    assert encoding(r, "u1") == "listpack"
    assert ordered(raw, "SMEMBERS", "u1") == [b"a", b"b", b"c", b"d"] + [
        str(i).encode() for i in range(20)]
    r.sunionstore("u2", ["ints", "big_ints"])
    assert encoding(r, "u2") == "intset"
    r.sunionstore("u3", ["s1", "s2"])
    assert encoding(r, "u3") == "hashtable"
    r.sdiffstore("d1", ["strs", "ints"])
    assert encoding(r, "d1") == "listpack"
    r.sdiffstore("d2", ["big", "strs"])
    assert encoding(r, "d2") == "hashtable"
    r.sdiffstore("d3", ["big_ints", "big"])
    assert encoding(r, "d3") == "intset"


@pytest.mark.loom_only
def test_sinterstore_integers_past_intset_limit(r, config):
    # As Redis 7.2: the intersection of hashtables starts as a listpack and
    # becomes an intset only if it fits one; Redis 7.0 says "hashtable".
    config("set-max-intset-entries", 3)
    r.sadd("a", 1, 2, 3, 4, 5)
    r.sadd("b", 1, 2, 3, 4)
    assert encoding(r, "a") == encoding(r, "b") == "hashtable"
    assert r.sinterstore("w", ["a", "b"]) == 4
    assert encoding(r, "w") == "listpack"
    assert r.sinterstore("w", ["a", "b", "b"]) == 4
    r.srem("b", 4)
    assert r.sinterstore("w", ["a", "b"]) == 3
    assert encoding(r, "w") == "intset"


# --- SUNION, SDIFF and their STORE forms -----------------------------------------

def test_sunion(r):
    fill_mixed(r)
    assert r.sunion("ints", "strs") == {str(i).encode() for i in range(30)} | {b"a", b"b"}
    assert r.sunion("ints", "missing") == r.smembers("ints")
    assert r.sunion("missing") == set()
    assert r.sunionstore("u", ["ints", "strs", "big"]) == 702
    assert r.scard("u") == 702


@pytest.mark.parametrize("first,others", [
    # A small first set against large ones: probing the first set's members.
    (range(0, 10), [range(5, 1000), range(0, 3)]),
    # A large first set against small ones: copying it and removing.
    (range(0, 1000), [range(0, 10), range(995, 1005)]),
])
def test_sdiff_algorithms(r, first, others):
    r.sadd("first", *first)
    expected = set(first)
    keys = ["first"]
    for n, other in enumerate(others):
        r.sadd(f"o{n}", *other)
        keys.append(f"o{n}")
        expected -= set(other)
    keys.append("missing")
    assert r.sdiff(*keys) == {str(i).encode() for i in expected}
    assert r.sdiffstore("d", keys) == len(expected)
    assert r.smembers("d") == {str(i).encode() for i in expected}


def test_sdiff_edge_cases(raw, r):
    r.sadd("a", "x", "y", 1)
    assert r.sdiff("a") == {b"x", b"y", b"1"}
    assert r.sdiff("a", "a") == set()
    assert r.sdiff("missing", "a") == set()
    assert r.sdiffstore("d", ["a", "a"]) == 0 and not r.exists("d")
    raw("SET", "d", "x")
    assert raw("SDIFFSTORE", "d", "missing") == integer(0)
    assert raw("EXISTS", "d") == integer(0)
    r.set("d", "x", ex=100)
    assert r.sdiffstore("d", ["a"]) == 3 and r.ttl("d") == -1
    assert r.sunionstore("d", ["missing"]) == 0 and not r.exists("d")


# --- SSCAN -----------------------------------------------------------------------

def check_sscan_everything(r, members):
    r.sadd("s", *members)
    cursor, got = r.sscan("s", 0, count=1)
    assert cursor == 0 and sorted(got) == sorted(m.encode() for m in members)
    cursor, got = r.sscan("s", 0, match="*1")
    assert cursor == 0 and sorted(got) == sorted(m.encode() for m in members if m.endswith("1"))


def test_sscan_intset_returns_everything(r):
    check_sscan_everything(r, [str(i) for i in range(100)])


@pytest.mark.loom_only
def test_sscan_listpack_returns_everything(r):
    check_sscan_everything(r, strings(100))


def test_sscan_hashtable_iterates_all(r):
    members = {m.encode() for m in strings(1000)}
    r.sadd("s", *members)
    seen, cursor, calls = set(), 0, 0
    while True:
        cursor, got = r.sscan("s", cursor, count=50)
        seen.update(got)
        calls += 1
        if cursor == 0:
            break
    assert seen == members and calls > 5
    matched = set(r.sscan_iter("s", match="m99*"))
    assert matched == {b"m99"} | {b"m99%d" % i for i in range(10)}


def test_sscan_errors(raw):
    assert raw("SSCAN", "missing", "x") == error("ERR invalid cursor")
    assert raw("SSCAN", "missing", "18446744073709551616") == error("ERR invalid cursor")
    # A missing key answers before the options are parsed.
    assert raw("SSCAN", "missing", "0", "COUNT", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    assert raw("SSCAN", "missing", "0", "BAD") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    raw("SADD", "s", "a")
    assert raw("SSCAN", "s", "0", "COUNT", "0") == SYNTAX
    assert raw("SSCAN", "s", "0", "COUNT", "x") == NOT_INTEGER
    assert raw("SSCAN", "s", "0", "TYPE", "set") == SYNTAX
    assert raw("SSCAN", "s", "0", "MATCH") == SYNTAX
    assert raw("SSCAN", "s", "0", "MATCH", "a", "COUNT", "5") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"


# --- RESP3 reply types -----------------------------------------------------------

def test_resp3_reply_types(server):
    conn = Raw(server)
    try:
        hello = conn("HELLO", "3")
        if hello.startswith(b"-"):
            pytest.skip("HELLO 3 is not available")
        conn("SADD", "s", "1", "2")
        assert conn("SMEMBERS", "s") == b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n"
        assert conn("SMEMBERS", "missing") == b"~0\r\n"
        assert conn("SINTER", "s", "s") == b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n"
        assert conn("SUNION", "s") == b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n"
        assert conn("SDIFF", "missing") == b"~0\r\n"
        assert conn("SPOP", "missing", "2") == b"~0\r\n"
        assert conn("SPOP", "missing") == b"_\r\n"
        assert conn("SRANDMEMBER", "missing") == b"_\r\n"
        assert conn("SRANDMEMBER", "missing", "2") == b"*0\r\n"
        assert conn("SRANDMEMBER", "s", "5") == b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
        assert conn("SMISMEMBER", "s", "1", "x") == b"*2\r\n:1\r\n:0\r\n"
        assert conn("SPOP", "s", "5") == b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    finally:
        conn.close()


# --- compared with redis-server 7.0 ------------------------------------------------

COMMAND_NAMES = ["sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop",
                 "srandmember", "smove", "sinter", "sintercard", "sinterstore", "sunion",
                 "sunionstore", "sdiff", "sdiffstore", "sscan"]


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
def test_command_info_matches_redis(server, oracle):
    ours, theirs = server.client(), oracle.client()
    for name in COMMAND_NAMES:
        got = ours.execute_command("COMMAND", "INFO", name)[name]
        want = theirs.execute_command("COMMAND", "INFO", name)[name]
        for field in ("arity", "first_key_pos", "last_key_pos", "step_count"):
            assert got[field] == want[field], (name, field)
        assert set(got["flags"]) == set(want["flags"]), name


# Sequences whose replies are deterministic in Redis 7.0 too: intsets (sorted),
# counts, errors, and encodings of integer sets.
ORACLE_CASES = {
    "intsets": [
        ("SADD", "a", "5", "3", "-1", "3", "70000"), ("SMEMBERS", "a"),
        ("OBJECT", "ENCODING", "a"), ("SADD", "b", "3", "4", "5"),
        ("SINTER", "a", "b"), ("SUNION", "a", "b"), ("SDIFF", "a", "b"), ("SDIFF", "b", "a"),
        ("SINTERSTORE", "c", "a", "b"), ("OBJECT", "ENCODING", "c"), ("SMEMBERS", "c"),
        ("SUNIONSTORE", "c", "a", "b", "missing"), ("SMEMBERS", "c"),
        ("SDIFFSTORE", "c", "a", "b"), ("SMEMBERS", "c"), ("OBJECT", "ENCODING", "c"),
        ("SINTERCARD", "2", "a", "b"), ("SMISMEMBER", "a", "5", "6", "-1"),
        ("SRANDMEMBER", "a", "100"), ("SSCAN", "a", "0"), ("SSCAN", "a", "0", "MATCH", "*0*"),
        ("SMOVE", "a", "b", "70000"), ("SMEMBERS", "b"), ("SMOVE", "a", "n", "5"),
        ("OBJECT", "ENCODING", "n"), ("SPOP", "b", "100"), ("EXISTS", "b"),
        ("SREM", "a", "3", "-1", "x"), ("SMEMBERS", "a"),
    ],
    "thresholds": [
        ("CONFIG", "SET", "set-max-intset-entries", "3"),
        ("SADD", "s", "1", "2", "3"), ("OBJECT", "ENCODING", "s"),
        ("SADD", "s", "4"), ("OBJECT", "ENCODING", "s"),
        ("SADD", "t", "1", "2", "3", "4", "5"), ("OBJECT", "ENCODING", "t"),
        ("SADD", "u", "1", "2"), ("SUNIONSTORE", "v", "u", "t"), ("OBJECT", "ENCODING", "v"),
        ("CONFIG", "SET", "set-max-intset-entries", "512"),
        ("SINTERSTORE", "w", "t", "s"), ("OBJECT", "ENCODING", "w"), ("SMEMBERS", "w"),
        ("SREM", "t", "1", "2", "3", "4"), ("OBJECT", "ENCODING", "t"), ("SMEMBERS", "t"),
    ],
    "errors": [
        ("SET", "str", "x"), ("SADD", "str", "a"), ("SINTER", "missing", "str"),
        ("SMOVE", "missing", "str", "a"), ("SPOP", "missing", "-1"),
        ("SRANDMEMBER", "missing", "-9223372036854775808"), ("SINTERCARD", "0", "a"),
        ("SINTERCARD", "2", "a"), ("SINTERCARD", "1", "a", "LIMIT", "-5"),
        ("SSCAN", "missing", "0", "COUNT", "0"), ("SSCAN", "str", "0"), ("SPOP", "a", "1", "2"),
        ("SADD", "a", "1"), ("SSCAN", "a", "0", "COUNT", "0"), ("SSCAN", "a", "-1"),
    ],
}


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
@pytest.mark.parametrize("case", sorted(ORACLE_CASES))
def test_same_replies_as_redis(server, oracle, case):
    commands = ORACLE_CASES[case]
    ours, theirs = server.connect(), oracle.connect()
    try:
        got = roundtrip(ours, *commands)
        want = roundtrip(theirs, *commands)
        # Restore the shared servers' config whatever happened.
        for s in (ours, theirs):
            roundtrip(s, ("CONFIG", "SET", "set-max-intset-entries", "512"))
    finally:
        ours.close()
        theirs.close()
    diffs = [f"{cmd!r}: loom {g!r} != redis {w!r}"
             for cmd, g, w in zip(commands, got, want) if g != w]
    assert not diffs, "\n".join(diffs)


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
def test_hashtable_results_match_redis_sorted(server, oracle):
    ours, theirs = server.client(), oracle.client()
    script = [("sadd", "a", *strings(300), *range(50)), ("sadd", "b", *strings(200, "m1")),
              ("sadd", "c", *range(25, 75), "m5", "x")]
    for c in (ours, theirs):
        for cmd in script:
            c.execute_command(*cmd)
    for cmd in (("sinter", "a", "b"), ("sinter", "a", "c"), ("sunion", "a", "b", "c"),
                ("sdiff", "a", "b"), ("sdiff", "c", "a"), ("smembers", "a")):
        assert ours.execute_command(*cmd) == theirs.execute_command(*cmd), cmd
    for cmd in (("sinterstore", "d", "a", "c"), ("sunionstore", "e", "a", "c"),
                ("sdiffstore", "f", "c", "a")):
        assert ours.execute_command(*cmd) == theirs.execute_command(*cmd), cmd
    for key in ("d", "e", "f"):
        assert ours.smembers(key) == theirs.smembers(key)


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
def test_random_operations_match_redis(server, oracle):
    """A seeded random mix of writes and set algebra over a few keys, with
    small limits so that every conversion happens often (loom's listpack
    limits as well); replies are compared sorted where order may differ."""
    import random
    rng = random.Random(7)
    ours, theirs = server.client(), oracle.client()
    for c in (ours, theirs):
        c.config_set("set-max-intset-entries", 12)
    ours.config_set("set-max-listpack-entries", 6)
    ours.config_set("set-max-listpack-value", 4)
    keys = ["k1", "k2", "k3", "k4"]
    pool = [str(i) for i in range(-5, 25)] + ["a", "bb", "ccccc", "01", "-0", "x" * 70]

    def members(n):
        return [rng.choice(pool) for _ in range(n)]

    def normalize(reply):
        if isinstance(reply, (list, set)):
            return sorted(reply)
        return reply

    try:
        for step in range(600):
            op = rng.randrange(9)
            k = rng.sample(keys, 3)
            if op <= 2:
                cmd = ("SADD", k[0], *members(rng.randrange(1, 6)))
            elif op == 3:
                cmd = ("SREM", k[0], *members(rng.randrange(1, 6)))
            elif op == 4:
                cmd = ("SMOVE", k[0], k[1], rng.choice(pool))
            elif op == 5:
                cmd = (rng.choice(["SINTER", "SUNION", "SDIFF"]), *k[:rng.randrange(1, 4)])
            elif op == 6:
                cmd = (rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), *k)
            elif op == 7:
                cmd = ("SINTERCARD", "2", k[0], k[1], "LIMIT", str(rng.randrange(0, 5)))
            else:
                cmd = ("SMISMEMBER", k[0], *members(3))
            got, want = ours.execute_command(*cmd), theirs.execute_command(*cmd)
            assert normalize(got) == normalize(want), (step, cmd)
            for key in keys:
                assert ours.smembers(key) == theirs.smembers(key), (step, cmd, key)
    finally:
        for c in (ours, theirs):
            c.config_set("set-max-intset-entries", 512)
        ours.config_set("set-max-listpack-entries", 128)
        ours.config_set("set-max-listpack-value", 64)

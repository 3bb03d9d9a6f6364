# SPDX-License-Identifier: BSD-3-Clause
#
# String commands with Redis 7.0 semantics: GET/SET and its options, SETNX,
# SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET/MSET/MSETNX, APPEND, STRLEN,
# INCR/DECR and friends, INCRBYFLOAT formatting, GETRANGE/SETRANGE, binary
# safety, large values, and OBJECT ENCODING/REFCOUNT/IDLETIME/FREQ/HELP.
# Exact error text is checked over raw sockets (see helpers_data.Raw).
import platform

import pytest

from conftest import roundtrip
import helpers_data
from helpers_data import (NIL, NOT_INTEGER, OK, arity_error, bulk, error, integer,
                          invalid_expire, syntax_error, wait_until)

raw = helpers_data.raw  # the `raw` fixture: a raw connection to the shared server

MAX_BULK_ERROR = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
NOT_FLOAT = error("ERR value is not a valid float")
NAN_OR_INF = error("ERR increment would produce NaN or Infinity")
OVERFLOW = error("ERR increment or decrement would overflow")
LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808


# --- GET / SET ----------------------------------------------------------------

def test_get_set_basic(r, raw):
    assert r.get("k") is None
    assert raw("SET", "k", "v") == OK
    assert raw("GET", "k") == bulk("v")
    assert raw("SET", "k", "") == OK
    assert raw("GET", "k") == b"$0\r\n\r\n"
    assert raw("GET", "nokey") == NIL


def test_set_overwrites_and_clears_ttl(r):
    r.set("k", "v", ex=100)
    assert r.ttl("k") == 100
    r.set("k", "w")
    assert r.get("k") == b"w"
    assert r.ttl("k") == -1


def test_set_nx_xx(raw):
    assert raw("SET", "k", "1", "XX") == NIL
    assert raw("GET", "k") == NIL
    assert raw("SET", "k", "1", "NX") == OK
    assert raw("SET", "k", "2", "NX") == NIL
    assert raw("GET", "k") == bulk("1")
    assert raw("SET", "k", "3", "XX") == OK
    assert raw("GET", "k") == bulk("3")
    # options are case-insensitive and may repeat
    assert raw("SET", "k", "4", "xx", "xx") == OK
    assert raw("SET", "k", "5", "nx", "NX") == NIL


def test_set_ex_px_exat_pxat(r, raw):
    assert raw("SET", "k", "v", "EX", "100") == OK
    assert r.ttl("k") == 100
    assert raw("SET", "k", "v", "PX", "100000") == OK
    assert 99000 < r.pttl("k") <= 100000
    assert raw("SET", "k", "v", "EXAT", "99999999999") == OK
    assert r.expiretime("k") == 99999999999
    assert raw("SET", "k", "v", "PXAT", "99999999999123") == OK
    assert r.execute_command("PEXPIRETIME", "k") == 99999999999123
    # the same option twice: the last one wins
    assert raw("SET", "k", "v", "EX", "10", "EX", "200") == OK
    assert r.ttl("k") == 200


def test_set_pxat_in_the_past_is_not_visible(r, raw):
    assert raw("SET", "k", "v", "PXAT", "1") == OK
    assert raw("GET", "k") == NIL
    assert raw("SET", "k", "v", "EXAT", "1") == OK
    assert r.exists("k") == 0


def test_set_invalid_expire_times(raw):
    bad = invalid_expire("set")
    for option in ("EX", "PX", "EXAT", "PXAT"):
        assert raw("SET", "k", "v", option, "0") == bad, option
        assert raw("SET", "k", "v", option, "-1") == bad, option
    assert raw("SET", "k", "v", "EX", str(LLONG_MAX)) == bad
    assert raw("SET", "k", "v", "PX", str(LLONG_MAX)) == bad
    # EX is converted to ms and the current time is added: both must not overflow
    assert raw("SET", "k", "v", "EX", "9223372036854775") == bad
    assert raw("SET", "k", "v", "EXAT", str(LLONG_MAX)) == bad
    assert raw("GET", "k") == NIL


def test_set_expire_not_an_integer(raw):
    for value in ("abc", "1.5", "", " 1", "10 "):
        assert raw("SET", "k", "v", "EX", value) == NOT_INTEGER, value
    assert raw("SET", "k", "v", "PX", "1e3") == NOT_INTEGER


def test_set_syntax_errors(raw):
    se = syntax_error()
    cases = [
        ("NX", "XX"), ("XX", "NX"),
        ("EX", "10", "PX", "10"), ("PX", "10", "EX", "10"),
        ("EX", "10", "EXAT", "99999999999"), ("PXAT", "99999999999999", "EX", "1"),
        ("EX", "10", "KEEPTTL"), ("KEEPTTL", "EX", "10"), ("KEEPTTL", "PXAT", "1"),
        ("EX",), ("PX",), ("EXAT",), ("PXAT",),
        ("FOO",), ("GETX",), ("EX", "10", "FOO"),
    ]
    for opts in cases:
        assert raw("SET", "k", "v", *opts) == se, opts
    assert raw("EXISTS", "k") == integer(0)


def test_set_arity(raw):
    assert raw("SET") == arity_error("set")
    assert raw("SET", "k") == arity_error("set")


def test_set_get_option(r, raw):
    assert raw("SET", "k", "1", "GET") == NIL
    assert raw("SET", "k", "2", "GET") == bulk("1")
    assert raw("GET", "k") == bulk("2")
    # GET with NX (allowed since 7.0): returns the old value, does not set
    assert raw("SET", "k", "3", "NX", "GET") == bulk("2")
    assert raw("GET", "k") == bulk("2")
    assert raw("SET", "new", "x", "NX", "GET") == NIL
    assert raw("GET", "new") == bulk("x")
    # GET with XX on a missing key: nil, nothing set
    assert raw("SET", "missing", "x", "XX", "GET") == NIL
    assert raw("EXISTS", "missing") == integer(0)
    assert raw("SET", "k", "4", "XX", "GET") == bulk("2")
    # GET with an expire option, GET repeated
    assert raw("SET", "k", "5", "GET", "EX", "100", "GET") == bulk("4")
    assert r.ttl("k") == 100
    # integer-encoded old value comes back as a bulk string
    r.set("n", 12345)
    assert raw("SET", "n", "x", "GET") == bulk("12345")


def test_set_keepttl(r, raw):
    r.set("k", "v", ex=100)
    assert raw("SET", "k", "w", "KEEPTTL") == OK
    assert r.ttl("k") == 100
    assert raw("SET", "k", "x", "XX", "KEEPTTL", "GET") == bulk("w")
    assert r.ttl("k") == 100
    assert raw("SET", "k", "y", "KEEPTTL", "KEEPTTL") == OK
    assert r.ttl("k") == 100
    assert raw("SET", "k", "z") == OK
    assert r.ttl("k") == -1
    assert raw("SET", "fresh", "v", "KEEPTTL") == OK
    assert r.ttl("fresh") == -1


# --- SETNX / SETEX / PSETEX / GETSET / GETDEL --------------------------------

def test_setnx(r, raw):
    assert raw("SETNX", "k", "a") == integer(1)
    assert raw("SETNX", "k", "b") == integer(0)
    assert r.get("k") == b"a"
    assert raw("SETNX", "k") == arity_error("setnx")


def test_setnx_keeps_ttl_of_existing(r, raw):
    r.set("k", "a", ex=100)
    assert raw("SETNX", "k", "b") == integer(0)
    assert r.ttl("k") == 100


def test_setex_psetex(r, raw):
    assert raw("SETEX", "k", "100", "v") == OK
    assert r.ttl("k") == 100
    assert r.get("k") == b"v"
    assert raw("PSETEX", "p", "100000", "v") == OK
    assert 99000 < r.pttl("p") <= 100000
    for cmd in ("setex", "psetex"):
        assert raw(cmd, "k", "0", "v") == invalid_expire(cmd)
        assert raw(cmd, "k", "-5", "v") == invalid_expire(cmd)
        assert raw(cmd, "k", str(LLONG_MAX), "v") == invalid_expire(cmd)
        assert raw(cmd, "k", "abc", "v") == NOT_INTEGER
        assert raw(cmd, "k", "1.5", "v") == NOT_INTEGER
        assert raw(cmd, "k", "10") == arity_error(cmd)
    assert raw("SETEX", "k", "9223372036854775", "v") == invalid_expire("setex")
    # the failed calls did not touch the key
    assert r.get("k") == b"v"
    assert r.ttl("k") == 100


def test_getset(r, raw):
    assert raw("GETSET", "k", "1") == NIL
    assert raw("GETSET", "k", "2") == bulk("1")
    assert r.get("k") == b"2"
    r.expire("k", 100)
    assert raw("GETSET", "k", "3") == bulk("2")
    assert r.ttl("k") == -1
    assert raw("GETSET", "k") == arity_error("getset")


def test_getdel(r, raw):
    assert raw("GETDEL", "k") == NIL
    r.set("k", "v", ex=100)
    assert raw("GETDEL", "k") == bulk("v")
    assert raw("GETDEL", "k") == NIL
    assert r.exists("k") == 0
    r.set("n", 42)
    assert raw("GETDEL", "n") == bulk("42")
    assert raw("GETDEL") == arity_error("getdel")
    assert raw("GETDEL", "a", "b") == arity_error("getdel")


# --- GETEX -----------------------------------------------------------------------

def test_getex_plain_and_missing(r, raw):
    assert raw("GETEX", "nokey") == NIL
    assert raw("GETEX", "nokey", "EX", "10") == NIL
    assert raw("GETEX", "nokey", "PERSIST") == NIL
    # an invalid time on a missing key is not an error (the key is looked up first)
    assert raw("GETEX", "nokey", "EX", "0") == NIL
    r.set("k", "v", ex=100)
    assert raw("GETEX", "k") == bulk("v")
    assert r.ttl("k") == 100
    assert raw("GETEX") == arity_error("getex")


def test_getex_options(r, raw):
    r.set("k", "v")
    assert raw("GETEX", "k", "EX", "100") == bulk("v")
    assert r.ttl("k") == 100
    assert raw("GETEX", "k", "PX", "50000") == bulk("v")
    assert 49000 < r.pttl("k") <= 50000
    assert raw("GETEX", "k", "EXAT", "99999999999") == bulk("v")
    assert r.expiretime("k") == 99999999999
    assert raw("GETEX", "k", "PXAT", "99999999999123") == bulk("v")
    assert r.execute_command("PEXPIRETIME", "k") == 99999999999123
    assert raw("GETEX", "k", "PERSIST") == bulk("v")
    assert r.ttl("k") == -1
    assert raw("GETEX", "k", "ex", "100", "ex", "200") == bulk("v")
    assert r.ttl("k") == 200
    assert raw("GETEX", "k", "persist", "persist") == bulk("v")
    assert r.ttl("k") == -1


def test_getex_past_time_deletes(r, raw):
    r.set("k", "v")
    assert raw("GETEX", "k", "PXAT", "1") == bulk("v")
    assert r.exists("k") == 0
    r.set("k", "v")
    assert raw("GETEX", "k", "EXAT", "1") == bulk("v")
    assert r.exists("k") == 0


def test_getex_errors(r, raw):
    r.set("k", "v")
    se = syntax_error()
    for opts in (("FOO",), ("EX",), ("EX", "10", "PX", "10"), ("EX", "10", "PERSIST"),
                 ("PERSIST", "EX", "10"), ("PXAT", "1", "EXAT", "1"), ("KEEPTTL",),
                 ("NX",)):
        assert raw("GETEX", "k", *opts) == se, opts
    # syntax is checked before the key is looked up
    assert raw("GETEX", "nokey", "FOO") == se
    for option in ("EX", "PX", "EXAT", "PXAT"):
        assert raw("GETEX", "k", option, "0") == invalid_expire("getex"), option
        assert raw("GETEX", "k", option, "-1") == invalid_expire("getex"), option
    assert raw("GETEX", "k", "EX", str(LLONG_MAX)) == invalid_expire("getex")
    assert raw("GETEX", "k", "EX", "abc") == NOT_INTEGER
    assert r.get("k") == b"v"
    assert r.ttl("k") == -1


# --- MGET / MSET / MSETNX --------------------------------------------------------

def test_mget(r, raw):
    r.set("a", "1")
    r.set("c", "x")
    assert raw("MGET", "a", "b", "c", "a") == (
        b"*4\r\n$1\r\n1\r\n$-1\r\n$1\r\nx\r\n$1\r\n1\r\n")
    assert raw("MGET", "nokey") == b"*1\r\n$-1\r\n"
    assert raw("MGET") == arity_error("mget")


def test_mset(r, raw):
    assert raw("MSET", "a", "1", "b", "2") == OK
    assert r.mget("a", "b") == [b"1", b"2"]
    r.expire("a", 100)
    assert raw("MSET", "a", "3", "a", "4") == OK
    assert r.get("a") == b"4"
    assert r.ttl("a") == -1
    assert raw("MSET") == arity_error("mset")
    assert raw("MSET", "a") == arity_error("mset")
    assert raw("MSET", "a", "1", "b") == arity_error("mset")


def test_msetnx(r, raw):
    assert raw("MSETNX", "a", "1", "b", "2") == integer(1)
    assert raw("MSETNX", "b", "x", "c", "3") == integer(0)
    assert r.exists("c") == 0
    assert r.get("b") == b"2"
    # a key named twice in a fresh call: the last value wins
    assert raw("MSETNX", "d", "1", "d", "2") == integer(1)
    assert r.get("d") == b"2"
    assert raw("MSETNX", "e") == arity_error("msetnx")
    assert raw("MSETNX", "e", "1", "f") == arity_error("msetnx")


# --- APPEND / STRLEN ----------------------------------------------------------------

def test_append_strlen(r, raw):
    assert raw("APPEND", "k", "hello") == integer(5)
    assert raw("APPEND", "k", " world") == integer(11)
    assert r.get("k") == b"hello world"
    assert raw("APPEND", "k", "") == integer(11)
    assert raw("STRLEN", "k") == integer(11)
    assert raw("STRLEN", "nokey") == integer(0)
    assert raw("APPEND", "e", "") == integer(0)
    assert r.exists("e") == 1
    assert raw("APPEND", "k") == arity_error("append")
    assert raw("STRLEN") == arity_error("strlen")


def test_append_strlen_on_integers(r, raw):
    r.set("n", "-12345")
    assert raw("STRLEN", "n") == integer(6)
    assert raw("APPEND", "n", "6") == integer(7)
    assert r.get("n") == b"-123456"
    assert raw("INCR", "n") == integer(-123455)


def test_append_keeps_ttl(r):
    r.set("k", "v", ex=100)
    r.append("k", "w")
    assert r.ttl("k") == 100


# --- INCR / DECR / INCRBY / DECRBY -----------------------------------------------------

def test_incr_decr_basic(r, raw):
    assert raw("INCR", "n") == integer(1)
    assert raw("INCRBY", "n", "10") == integer(11)
    assert raw("DECR", "n") == integer(10)
    assert raw("DECRBY", "n", "5") == integer(5)
    assert raw("DECRBY", "n", "-5") == integer(10)
    assert raw("INCRBY", "n", "-20") == integer(-10)
    assert raw("DECR", "m") == integer(-1)
    assert raw("DECRBY", "o", "7") == integer(-7)
    assert raw("INCRBY", "p", "0") == integer(0)
    assert r.get("n") == b"-10"


def test_incr_keeps_ttl(r):
    r.set("n", 1, ex=100)
    r.incr("n")
    assert r.ttl("n") == 100
    r.incrbyfloat("n", 1.5)
    assert r.ttl("n") == 100
    assert r.get("n") == b"3.5"


def test_incr_overflow(r, raw):
    r.set("n", LLONG_MAX)
    assert raw("INCR", "n") == OVERFLOW
    assert raw("INCRBY", "n", "1") == OVERFLOW
    assert raw("INCRBY", "n", "0") == integer(LLONG_MAX)
    r.set("n", LLONG_MIN)
    assert raw("DECR", "n") == OVERFLOW
    assert raw("DECRBY", "n", "1") == OVERFLOW
    assert raw("INCRBY", "n", "-1") == OVERFLOW
    r.set("n", 0)
    assert raw("INCRBY", "n", str(LLONG_MIN)) == integer(LLONG_MIN)
    assert r.get("n") == b"-9223372036854775808"
    # DECRBY cannot negate LLONG_MIN: a different message
    assert raw("DECRBY", "n", str(LLONG_MIN)) == error("ERR decrement would overflow")
    r.set("z", 0)
    assert raw("DECRBY", "z", str(LLONG_MIN)) == error("ERR decrement would overflow")
    assert r.get("n") == b"-9223372036854775808"


def test_incr_non_integer_values(r, raw):
    for value in ("abc", " 1", "1 ", "01", "+1", "1.0", "", "-0", "0x10", "1e3",
                  "9223372036854775808", "-9223372036854775809", "1\x00"):
        r.set("n", value)
        assert raw("INCR", "n") == NOT_INTEGER, value
        assert raw("DECRBY", "n", "1") == NOT_INTEGER, value
        assert r.get("n") == value.encode()


def test_incr_non_integer_arguments(r, raw):
    r.set("n", 5)
    for arg in ("abc", "1.5", "99999999999999999999", "", " 1", "+1"):
        assert raw("INCRBY", "n", arg) == NOT_INTEGER, arg
        assert raw("DECRBY", "n", arg) == NOT_INTEGER, arg
    assert raw("INCRBY", "nokey", "x") == NOT_INTEGER
    assert r.exists("nokey") == 0
    assert raw("INCR") == arity_error("incr")
    assert raw("INCRBY", "n") == arity_error("incrby")
    assert raw("DECR", "a", "b") == arity_error("decr")
    assert raw("DECRBY", "n") == arity_error("decrby")


def test_incr_extremes_and_signs(r, raw):
    r.set("n", "-9223372036854775807")
    assert raw("DECR", "n") == integer(LLONG_MIN)
    r.set("n", "9223372036854775806")
    assert raw("INCR", "n") == integer(LLONG_MAX)
    r.set("n", "-1")
    assert raw("INCR", "n") == integer(0)
    assert r.get("n") == b"0"


# --- INCRBYFLOAT ---------------------------------------------------------------------

def test_incrbyfloat_basic_formatting(r, raw):
    assert raw("INCRBYFLOAT", "f", "1") == bulk("1")
    assert raw("INCRBYFLOAT", "f", "0.3") == bulk("1.3")
    assert raw("INCRBYFLOAT", "f", "-1.3") == bulk("0")
    assert raw("INCRBYFLOAT", "f", "-0.0001") == bulk("-0.0001")
    r.set("n", 10)
    assert raw("INCRBYFLOAT", "n", "0.1") == bulk("10.1")
    assert raw("INCRBYFLOAT", "n", "-5") == bulk("5.1")
    r.set("g", "1.5")
    assert raw("INCRBYFLOAT", "g", "1.5") == bulk("3")
    r.set("h", "3.0e3")
    assert raw("INCRBYFLOAT", "h", "1") == bulk("3001")
    assert raw("INCRBYFLOAT", "i", "5.0e3") == bulk("5000")
    assert raw("INCRBYFLOAT", "j", "1.0e-5") == bulk("0.00001")
    assert raw("INCRBYFLOAT", "k", ".5") == bulk("0.5")
    assert raw("INCRBYFLOAT", "k", "5.") == bulk("5.5")
    assert raw("INCRBYFLOAT", "l", "-0") == bulk("0")
    assert raw("INCRBYFLOAT", "m", "0x10") == bulk("16")
    r.set("z", "0.1")
    assert raw("INCRBYFLOAT", "z", "0.2") == bulk("0.3")
    # the stored value is the formatted reply
    assert r.get("z") == b"0.3"


def test_incrbyfloat_tiny_result_rounds_to_zero(raw):
    assert raw("INCRBYFLOAT", "w", "1e-20") == bulk("0")
    assert raw("GET", "w") == bulk("0")


@pytest.mark.skipif(platform.machine() not in ("x86_64", "i686", "i386"),
                    reason="results depend on the x87 80-bit long double")
def test_incrbyfloat_long_double_precision(r, raw):
    # Redis computes in long double and prints 17 fractional digits, so these
    # show more precision than a double has
    r.set("h", 1)
    assert raw("INCRBYFLOAT", "h", "1e17") == bulk("100000000000000001")
    r.set("n", "5.1")
    assert raw("INCRBYFLOAT", "n", "1e3") == bulk("1005.09999999999999998")
    assert raw("INCRBYFLOAT", "y", "5000") == bulk("5000")
    assert raw("INCRBYFLOAT", "y", "1.23456789012345678") == bulk("5001.23456789012345691")
    assert raw("INCRBYFLOAT", "v", "123456789012345678901234567890") == bulk(
        "123456789012345678899921813504")
    # beyond the double range, still inside the long double range
    reply = raw("INCRBYFLOAT", "big", "1e400")
    assert reply.startswith(b"$401\r\n10000000000000000000281880683947586514586")
    assert raw("INCRBYFLOAT", "big", "-1e400") == bulk("0")


def test_incrbyfloat_errors(r, raw):
    r.set("n", "10")
    for arg in ("abc", "nan", "NaN", "", " 1", "1 ", "1e", "1e5000", "1.5.5"):
        assert raw("INCRBYFLOAT", "n", arg) == NOT_FLOAT, arg
    for arg in ("inf", "-inf", "+inf", "Infinity"):
        assert raw("INCRBYFLOAT", "n", arg) == NAN_OR_INF, arg
    for value in ("abc", "", " 1", "1.5e", "nan"):
        r.set("v", value)
        assert raw("INCRBYFLOAT", "v", "1") == NOT_FLOAT, value
    r.set("v", "inf")
    assert raw("INCRBYFLOAT", "v", "1") == NAN_OR_INF
    assert raw("INCRBYFLOAT", "nokey", "abc") == NOT_FLOAT
    assert r.exists("nokey") == 0
    assert raw("INCRBYFLOAT", "n") == arity_error("incrbyfloat")
    assert r.get("n") == b"10"


# --- GETRANGE / SETRANGE ---------------------------------------------------------------

def test_getrange(r, raw):
    r.set("a", "hello world")
    cases = [
        ((0, 4), "hello"), ((-5, -1), "world"), ((0, -1), "hello world"),
        ((5, 2), ""), ((-100, 3), "hell"), ((100, 200), ""), ((0, 100), "hello world"),
        ((-1, -5), ""), ((-1, -1), "d"), ((3, 3), "l"),
        ((0, LLONG_MAX), "hello world"), ((LLONG_MIN, 0), "h"),
        # both ends before the start clamp to 0: one byte, not an empty string
        ((-100, -50), "h"), ((-12, -12), "h"),
    ]
    for (start, end), want in cases:
        assert raw("GETRANGE", "a", start, end) == bulk(want), (start, end)
    assert raw("GETRANGE", "nokey", "0", "-1") == bulk("")
    assert raw("SUBSTR", "a", "0", "2") == bulk("hel")
    assert raw("GETRANGE", "a", "x", "1") == NOT_INTEGER
    assert raw("GETRANGE", "a", "0", "1.5") == NOT_INTEGER
    assert raw("GETRANGE", "a", "0") == arity_error("getrange")


def test_getrange_empty_and_integer_values(r, raw):
    r.set("e", "")
    for start, end in ((0, -1), (0, 0), (-1, -1)):
        assert raw("GETRANGE", "e", start, end) == bulk("")
    r.set("i", "123456")
    assert raw("GETRANGE", "i", "0", "2") == bulk("123")
    assert raw("GETRANGE", "i", "-2", "-1") == bulk("56")


def test_setrange(r, raw):
    r.set("a", "hello world")
    assert raw("SETRANGE", "a", "6", "WORLD") == integer(11)
    assert r.get("a") == b"hello WORLD"
    assert raw("SETRANGE", "a", "20", "X") == integer(21)
    assert r.get("a") == b"hello WORLD" + b"\x00" * 9 + b"X"
    assert raw("SETRANGE", "new", "3", "abc") == integer(6)
    assert r.get("new") == b"\x00\x00\x00abc"
    assert raw("SETRANGE", "new", "0", "") == integer(6)
    r.set("i", 100)
    assert raw("SETRANGE", "i", "1", "5") == integer(3)
    assert r.get("i") == b"150"
    assert raw("INCR", "i") == integer(151)


def test_setrange_empty_value_on_missing_key_creates_nothing(r, raw):
    assert raw("SETRANGE", "nokey", "5", "") == integer(0)
    assert raw("SETRANGE", "nokey", "0", "") == integer(0)
    assert r.exists("nokey") == 0


def test_setrange_errors(r, raw):
    r.set("a", "x")
    assert raw("SETRANGE", "a", "-1", "X") == error("ERR offset is out of range")
    assert raw("SETRANGE", "a", "x", "X") == NOT_INTEGER
    assert raw("SETRANGE", "a", "1") == arity_error("setrange")
    # the default limit is 512 MB; no allocation happens on these errors
    assert raw("SETRANGE", "a", "536870912", "x") == MAX_BULK_ERROR
    assert raw("SETRANGE", "a", str(LLONG_MAX), "x") == MAX_BULK_ERROR
    assert raw("SETRANGE", "nokey", "536870912", "x") == MAX_BULK_ERROR
    assert r.exists("nokey") == 0
    # an empty value never grows the string, so there is no limit to check
    assert raw("SETRANGE", "a", "536870913", "") == integer(1)
    assert raw("SETRANGE", "nokey", "536870913", "") == integer(0)
    assert raw("SETRANGE", "nokey", "-1", "") == error("ERR offset is out of range")
    assert r.get("a") == b"x"


def test_setrange_append_limit_follows_proto_max_bulk_len(server_factory):
    srv = server_factory(config={"proto-max-bulk-len": "1mb"})
    c = srv.client()
    conn = srv.connect()
    try:
        c.set("a", "x")
        assert roundtrip(conn, ("SETRANGE", "a", "1048575", "y")) == [integer(1048576)]
        assert roundtrip(conn, ("SETRANGE", "a", "1048576", "y")) == [MAX_BULK_ERROR]
        assert roundtrip(conn, ("APPEND", "a", "z")) == [MAX_BULK_ERROR]
        assert c.strlen("a") == 1048576
        c.set("b", "x" * 1048575)
        assert roundtrip(conn, ("APPEND", "b", "z")) == [integer(1048576)]
        assert roundtrip(conn, ("APPEND", "b", "z")) == [MAX_BULK_ERROR]
    finally:
        conn.close()
        c.close()


def test_setrange_keeps_ttl(r):
    r.set("k", "abc", ex=100)
    r.setrange("k", 1, "X")
    assert r.ttl("k") == 100
    assert r.get("k") == b"aXc"


# --- binary safety and large values ----------------------------------------------------

def test_binary_safe_values(r, raw):
    value = b"a\r\nb\x00c\r\n$5\r\n*1\r\n"
    assert raw("SET", "k", value) == OK
    assert raw("GET", "k") == bulk(value)
    assert raw("STRLEN", "k") == integer(len(value))
    everything = bytes(range(256)) * 4
    r.set("all", everything)
    assert r.get("all") == everything
    assert raw("APPEND", "all", b"\x00\r\n") == integer(1027)
    assert raw("GETRANGE", "all", "-3", "-1") == bulk(b"\x00\r\n")
    assert raw("GETRANGE", "all", "13", "13") == bulk(b"\r")


def test_binary_safe_keys(r, raw):
    key = b"k\x00\r\n\xff"
    assert raw("SET", key, "v") == OK
    assert raw("GET", key) == bulk("v")
    assert raw("GET", b"k") == NIL
    assert raw("EXISTS", key) == integer(1)
    assert r.keys("*") == [key]
    assert raw("SET", b"", "empty-key") == OK
    assert raw("GET", b"") == bulk("empty-key")


def test_large_values(r):
    one_mb = b"0123456789abcdef" * 65536
    r.set("m", one_mb)
    assert r.get("m") == one_mb
    assert r.strlen("m") == 1 << 20
    twenty = bytes(range(256)) * (20 * 4096)
    r.set("big", twenty)
    assert r.strlen("big") == 20 << 20
    assert r.get("big") == twenty
    assert r.getrange("big", -256, -1) == bytes(range(256))
    assert r.append("big", one_mb) == (21 << 20)
    assert r.getrange("big", (20 << 20) - 1, (20 << 20) + 15) == b"\xff0123456789abcdef"
    assert r.object("encoding", "big") == b"raw"
    assert r.setrange("big", 30 << 20, "!") == (30 << 20) + 1
    assert r.getrange("big", (30 << 20) - 2, -1) == b"\x00\x00!"
    assert r.delete("big", "m") == 2


# --- OBJECT --------------------------------------------------------------------------

def test_object_encoding_strings(r, raw):
    def enc(key):
        return r.object("encoding", key)

    r.set("s44", "x" * 44)
    assert enc("s44") == b"embstr"
    r.set("s45", "x" * 45)
    assert enc("s45") == b"raw"
    r.set("s0", "")
    assert enc("s0") == b"embstr"
    for value in ("0", "12345", "-1", "10000", str(LLONG_MAX), str(LLONG_MIN)):
        r.set("n", value)
        assert enc("n") == b"int", value
    for value in ("9223372036854775808", "01", "-0", "+1", " 1", "1.5", "1e3"):
        r.set("n", value)
        assert enc("n") == b"embstr", value
    r.set("big", "1" * 60)
    assert enc("big") == b"raw"
    assert raw("OBJECT", "ENCODING", "nokey") == NIL


def test_object_encoding_transitions(r):
    def enc(key):
        return r.object("encoding", key)

    # APPEND to an existing value makes it raw, even a short one or an int
    r.set("a", "abc")
    r.append("a", "d")
    assert enc("a") == b"raw"
    r.set("n", 42)
    r.append("n", "1")
    assert enc("n") == b"raw"
    assert r.get("n") == b"421"
    # ...and INCR turns a raw numeric string back into an int
    r.incr("n")
    assert enc("n") == b"int"
    # APPEND to a missing key stores the argument itself (embstr)
    r.append("fresh", "x")
    assert enc("fresh") == b"embstr"
    r.append("fresh", "y")
    assert enc("fresh") == b"raw"
    # SETRANGE always leaves a raw string
    r.setrange("sr", 0, "abc")
    assert enc("sr") == b"raw"
    r.set("i", 100)
    r.setrange("i", 1, "5")
    assert enc("i") == b"raw"
    # integer results and integer-looking arguments
    r.incr("c")
    assert enc("c") == b"int"
    r.getset("gs", "5")
    assert enc("gs") == b"int"
    r.mset({"m1": "1", "m2": "abc"})
    assert enc("m1") == b"int"
    assert enc("m2") == b"embstr"
    r.setex("sx", 100, "42")
    assert enc("sx") == b"int"
    # INCRBYFLOAT stores its formatted result as a string, even "11"
    r.set("f", 10)
    r.incrbyfloat("f", 1)
    assert enc("f") == b"embstr"


def test_object_refcount_shared_integers(r, raw):
    shared = integer(2147483647)
    r.set("n", 5)
    assert raw("OBJECT", "REFCOUNT", "n") == shared
    r.set("n", 9999)
    assert raw("OBJECT", "REFCOUNT", "n") == shared
    r.set("n", 10000)
    assert raw("OBJECT", "REFCOUNT", "n") == integer(1)
    r.set("t", 123, ex=100)
    assert raw("OBJECT", "REFCOUNT", "t") == shared
    r.set("n", 9998)
    r.incr("n")
    assert raw("OBJECT", "REFCOUNT", "n") == shared
    r.incr("n")
    assert raw("OBJECT", "REFCOUNT", "n") == integer(1)
    assert r.object("encoding", "n") == b"int"
    r.set("s", "abc")
    assert raw("OBJECT", "REFCOUNT", "s") == integer(1)
    assert raw("OBJECT", "REFCOUNT", "nokey") == NIL


def test_object_idletime_and_touching(r, raw):
    r.set("k", "some string")
    r.set("j", "another string")
    assert raw("OBJECT", "IDLETIME", "k") == integer(0)
    assert raw("OBJECT", "IDLETIME", "nokey") == NIL
    # idle time has a resolution of one second
    assert wait_until(lambda: r.object("idletime", "k") >= 1, timeout=5)
    # commands that do not touch the key leave its idle time alone
    r.object("encoding", "k")
    r.object("refcount", "k")
    r.type("k")
    r.exists("k")
    r.ttl("k")
    r.pttl("k")
    assert r.object("idletime", "k") >= 1
    assert r.object("idletime", "j") >= 1
    r.get("k")
    assert r.object("idletime", "k") == 0
    r.touch("j")
    assert r.object("idletime", "j") == 0


def test_object_freq_requires_lfu(r, raw):
    r.set("s", "x")
    assert raw("OBJECT", "FREQ", "s") == error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")


def test_object_freq_and_idletime_under_lfu(r, raw):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        r.set("s", "x")
        # a new key starts at the LFU initial counter (5), minus one if a minute
        # boundary passed in between
        first = r.object("freq", "s")
        assert first in (4, 5)
        r.get("s")
        assert r.object("freq", "s") >= first
        assert raw("OBJECT", "FREQ", "nokey") == NIL
        assert raw("OBJECT", "IDLETIME", "s") == error(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. "
            "Please note that when switching between policies at runtime LRU and LFU "
            "data will take some time to adjust.")
    finally:
        r.config_set("maxmemory-policy", "noeviction")


def test_object_help_and_errors(r, raw):
    # an array of status lines, the first one naming the command
    help_raw = raw("OBJECT", "HELP")
    head, _, body = help_raw.partition(b"\r\n")
    assert head.startswith(b"*")
    lines = body.split(b"\r\n")
    assert lines.pop() == b""
    assert len(lines) == int(head[1:]) and len(lines) > 5
    assert all(line.startswith(b"+") for line in lines)
    assert lines[0].startswith(b"+OBJECT <subcommand>")
    assert raw("OBJECT", "help") == help_raw
    assert raw("OBJECT", "FOO", "k") == error(
        "ERR unknown subcommand 'FOO'. Try OBJECT HELP.")
    assert raw("OBJECT") == arity_error("object")
    assert raw("OBJECT", "ENCODING") == arity_error("object|encoding")
    assert raw("OBJECT", "encoding", "a", "b") == arity_error("object|encoding")
    assert raw("OBJECT", "REFCOUNT") == arity_error("object|refcount")

# SPDX-License-Identifier: BSD-3-Clause
#
# Key expiry with Redis 7.0 semantics: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT and
# their NX/XX/GT/LT options, TTL/PTTL/EXPIRETIME/PEXPIRETIME (rounding and the
# -1/-2 replies), PERSIST, past times deleting at once, passive expiry on
# access, active expiry of keys nobody touches (INFO expired_keys), TTLs kept by
# SET KEEPTTL/RENAME/COPY, and DEBUG SET-ACTIVE-EXPIRE 0 leaving expired keys
# counted until accessed. This module's shared server enables DEBUG.
import time

import pytest

import helpers_data
from helpers_data import (NIL, NOT_INTEGER, OK, arity_error, bulk, error, integer,
                          invalid_expire, wait_until)

raw = helpers_data.raw  # the `raw` fixture: a raw connection to the shared server

LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808
EXPIRE_COMMANDS = ("expire", "pexpire", "expireat", "pexpireat")
NX_CONFLICT = error("ERR NX and XX, GT or LT options at the same time are not compatible")
GT_LT_CONFLICT = error("ERR GT and LT options at the same time are not compatible")


@pytest.fixture
def no_active_expire(r):
    """Active expiry off for one test: expired keys stay until accessed."""
    assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    yield
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def set_expired(r, *keys):
    """Stores keys that expire 1 ms later, then lets that millisecond pass."""
    for key in keys:
        r.set(key, "v", px=1)
    time.sleep(0.01)


def expired_keys(r):
    return r.info("stats")["expired_keys"]


# --- setting and reading TTLs --------------------------------------------------

def test_expire_variants(r, raw):
    r.set("k", "v")
    assert raw("EXPIRE", "k", "100") == integer(1)
    assert raw("TTL", "k") == integer(100)
    assert raw("PEXPIRE", "k", "200000") == integer(1)
    assert 199000 < r.pttl("k") <= 200000
    assert raw("EXPIREAT", "k", "99999999999") == integer(1)
    assert raw("EXPIRETIME", "k") == integer(99999999999)
    assert raw("PEXPIRETIME", "k") == integer(99999999999000)
    assert raw("PEXPIREAT", "k", "99999999999123") == integer(1)
    assert raw("PEXPIRETIME", "k") == integer(99999999999123)
    now = time.time()
    assert raw("EXPIREAT", "k", int(now) + 1000) == integer(1)
    assert 998 <= r.ttl("k") <= 1000
    for cmd in EXPIRE_COMMANDS:
        assert raw(cmd, "nokey", "100") == integer(0)
    assert r.exists("nokey") == 0


def test_ttl_pttl_missing_and_persistent(r, raw):
    r.set("k", "v")
    assert raw("TTL", "k") == integer(-1)
    assert raw("PTTL", "k") == integer(-1)
    assert raw("EXPIRETIME", "k") == integer(-1)
    assert raw("PEXPIRETIME", "k") == integer(-1)
    for cmd in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert raw(cmd, "nokey") == integer(-2), cmd
        assert raw(cmd) == arity_error(cmd.lower())


def test_ttl_and_expiretime_round_to_nearest_second(r, raw):
    r.set("k", "v")
    r.pexpire("k", 1900)
    assert raw("TTL", "k") == integer(2)
    r.pexpire("k", 1100)
    assert raw("TTL", "k") == integer(1)
    r.pexpireat("k", 99999999999999)
    assert raw("EXPIRETIME", "k") == integer(100000000000)
    r.pexpireat("k", 99999999999499)
    assert raw("EXPIRETIME", "k") == integer(99999999999)


def test_persist(r, raw):
    r.set("k", "v", ex=100)
    assert raw("PERSIST", "k") == integer(1)
    assert r.ttl("k") == -1
    assert raw("PERSIST", "k") == integer(0)
    assert raw("PERSIST", "nokey") == integer(0)
    assert raw("PERSIST") == arity_error("persist")
    assert r.get("k") == b"v"


def test_expire_options(r, raw):
    r.set("k", "v")
    # on a key without a TTL: NX sets, XX does not, GT never does (no TTL is an
    # infinite TTL), LT does
    assert raw("EXPIRE", "k", "100", "XX") == integer(0)
    assert raw("EXPIRE", "k", "100", "GT") == integer(0)
    assert r.ttl("k") == -1
    assert raw("EXPIRE", "k", "100", "LT") == integer(1)
    r.persist("k")
    assert raw("EXPIRE", "k", "100", "NX") == integer(1)
    assert raw("EXPIRE", "k", "100", "NX") == integer(0)
    assert raw("EXPIRE", "k", "50", "XX") == integer(1)
    assert r.ttl("k") == 50
    assert raw("EXPIRE", "k", "200", "GT") == integer(1)
    assert raw("EXPIRE", "k", "100", "GT") == integer(0)
    # the same absolute time is not greater (EXPIRE's relative form would
    # depend on the clock having moved by a millisecond in between)
    same = str(r.execute_command("PEXPIRETIME", "k"))
    assert raw("PEXPIREAT", "k", same, "GT") == integer(0)
    assert raw("EXPIRE", "k", "100", "LT") == integer(1)
    assert raw("EXPIRE", "k", "300", "LT") == integer(0)
    assert raw("EXPIRE", "k", "300", "XX", "GT") == integer(1)
    assert raw("EXPIRE", "k", "10", "XX", "GT") == integer(0)
    assert raw("EXPIRE", "k", "10", "lt", "xx") == integer(1)
    assert r.ttl("k") == 10
    # options repeat freely
    assert raw("EXPIRE", "k", "20", "gt", "GT") == integer(1)
    assert raw("EXPIRE", "k", "20", "nx", "nx") == integer(0)
    assert r.ttl("k") == 20
    assert raw("PEXPIRE", "k", "30000", "GT") == integer(1)
    assert raw("EXPIREAT", "k", "99999999999", "NX") == integer(0)
    assert raw("PEXPIREAT", "k", "99999999999000", "XX") == integer(1)
    assert raw("EXPIRETIME", "k") == integer(99999999999)
    assert raw("EXPIRE", "nokey", "10", "XX") == integer(0)
    assert raw("EXPIRE", "nokey", "10", "NX") == integer(0)


def test_expire_option_errors(r, raw):
    r.set("k", "v", ex=100)
    for cmd in EXPIRE_COMMANDS:
        for opts in (("NX", "XX"), ("XX", "NX"), ("NX", "GT"), ("NX", "LT"),
                     ("GT", "NX")):
            assert raw(cmd, "k", "10", *opts) == NX_CONFLICT, (cmd, opts)
        assert raw(cmd, "k", "10", "GT", "LT") == GT_LT_CONFLICT
        assert raw(cmd, "k", "10", "LT", "GT") == GT_LT_CONFLICT
        assert raw(cmd, "k", "10", "FOO") == error("ERR Unsupported option FOO")
        assert raw(cmd, "k", "10", "20") == error("ERR Unsupported option 20")
        assert raw(cmd, "k", "abc") == NOT_INTEGER
        assert raw(cmd, "k", "1.5") == NOT_INTEGER
        assert raw(cmd, "k") == arity_error(cmd)
        # options are validated before the key is looked up
        assert raw(cmd, "nokey", "10", "NX", "XX") == NX_CONFLICT
    assert r.ttl("k") == 100


def test_expire_overflow(r, raw):
    r.set("k", "v")
    assert raw("EXPIRE", "k", str(LLONG_MAX)) == invalid_expire("expire")
    assert raw("PEXPIRE", "k", str(LLONG_MAX)) == invalid_expire("pexpire")
    # seconds are converted to ms and the current time added: both checked
    assert raw("EXPIRE", "k", "9223372036854775") == invalid_expire("expire")
    assert raw("EXPIREAT", "k", str(LLONG_MAX)) == invalid_expire("expireat")
    assert r.ttl("k") == -1
    # an absolute ms time needs no conversion: the largest one is accepted
    assert raw("PEXPIREAT", "k", str(LLONG_MAX)) == integer(1)
    assert raw("PEXPIRETIME", "k") == integer(LLONG_MAX)
    assert r.get("k") == b"v"


def test_past_expire_deletes_immediately(r, raw):
    cases = [("EXPIRE", "0"), ("EXPIRE", "-10"), ("PEXPIRE", "-1"), ("PEXPIRE", "0"),
             ("EXPIREAT", "1"), ("EXPIREAT", "0"), ("PEXPIREAT", "1"),
             ("PEXPIREAT", str(LLONG_MIN)), ("EXPIRE", "-9223372036854775")]
    for cmd, when in cases:
        r.set("k", "v")
        assert raw(cmd, "k", when) == integer(1), (cmd, when)
        assert r.dbsize() == 0, (cmd, when)
    assert raw("EXPIRE", "nokey", "-1") == integer(0)
    # seconds whose conversion to ms would underflow are rejected
    r.set("k", "v")
    assert raw("EXPIRE", "k", "-9223372036854776") == invalid_expire("expire")
    assert raw("EXPIREAT", "k", str(LLONG_MIN)) == invalid_expire("expireat")
    assert r.ttl("k") == -1


def test_past_expire_with_options(r, raw):
    r.set("k", "v", ex=100)
    # GT refuses a time in the past; LT accepts it and deletes the key
    assert raw("EXPIRE", "k", "-1", "GT") == integer(0)
    assert r.ttl("k") == 100
    assert raw("EXPIRE", "k", "-1", "LT") == integer(1)
    assert r.exists("k") == 0


# --- passive and active expiry ------------------------------------------------

def test_passive_expiry_on_access(r, raw):
    r.set("k", "v", px=200)
    assert r.get("k") == b"v"
    assert wait_until(lambda: r.get("k") is None, timeout=5)
    assert raw("TTL", "k") == integer(-2)
    assert r.exists("k") == 0


def test_active_expiry(r):
    before = expired_keys(r)
    with r.pipeline(transaction=False) as p:
        for i in range(100):
            p.set(f"k{i}", "v", px=300)
        p.set("stays", "v")
        p.execute()
    assert r.dbsize() == 101
    # nobody touches the keys: the server removes them by itself
    assert wait_until(lambda: r.dbsize() == 1, timeout=5)
    assert expired_keys(r) - before == 100
    assert r.keys("*") == [b"stays"]


def test_keepttl_expiry_still_fires(r):
    r.set("k", "v", px=200)
    r.set("k", "w", keepttl=True)
    assert 0 < r.pttl("k") <= 200
    assert wait_until(lambda: r.get("k") is None, timeout=5)


def test_rename_keeps_ttl_until_expiry(r):
    r.set("a", "v", px=200)
    r.rename("a", "b")
    assert 0 < r.pttl("b") <= 200
    assert wait_until(lambda: r.exists("b") == 0, timeout=5)


def test_copy_copies_ttl(r):
    r.set("a", "v", px=100000)
    r.copy("a", "b")
    assert 99000 < r.pttl("b") <= 100000
    assert r.execute_command("PEXPIRETIME", "b") == r.execute_command("PEXPIRETIME", "a")


def test_commands_that_clear_or_keep_ttl(r):
    keep = [lambda: r.append("k", "x"), lambda: r.setrange("k", 0, "y"),
            lambda: r.incr("n"), lambda: r.incrbyfloat("n", 0.5),
            lambda: r.set("k", "z", keepttl=True), lambda: r.getex("k")]
    for op in keep:
        r.set("k", "v", ex=100)
        r.set("n", 1, ex=100)
        op()
        assert r.ttl("k") == 100 and r.ttl("n") == 100
    clear = [lambda: r.set("k", "z"), lambda: r.getset("k", "z"),
             lambda: r.mset({"k": "z"}), lambda: r.getex("k", persist=True)]
    for op in clear:
        r.set("k", "v", ex=100)
        op()
        assert r.ttl("k") == -1


# --- with active expiry disabled -------------------------------------------------

def test_debug_set_active_expire_keeps_keys_until_access(r, raw, no_active_expire):
    before = expired_keys(r)
    with r.pipeline(transaction=False) as p:
        for i in range(20):
            p.set(f"k{i}", "v", px=1)
        p.execute()
    time.sleep(0.05)
    # still counted, but invisible to KEYS (which does not delete them)
    assert r.dbsize() == 20
    assert r.keys("*") == []
    assert r.dbsize() == 20
    assert r.info("keyspace")["db0"]["keys"] == 20
    assert r.info("keyspace")["db0"]["expires"] == 20
    # each access removes the key it touches
    assert raw("GET", "k0") == NIL
    assert r.dbsize() == 19
    assert raw("EXISTS", "k1") == integer(0)
    assert raw("TTL", "k2") == integer(-2)
    assert raw("PTTL", "k3") == integer(-2)
    assert raw("TYPE", "k4") == b"+none\r\n"
    assert raw("STRLEN", "k5") == integer(0)
    assert r.dbsize() == 14
    assert expired_keys(r) - before == 6
    # SCAN removes the expired keys it visits, and returns none of them
    assert list(r.scan_iter(count=1000)) == []
    assert r.dbsize() == 0
    assert expired_keys(r) - before == 20


def test_reenabling_active_expire(r, no_active_expire):
    with r.pipeline(transaction=False) as p:
        for i in range(50):
            p.set(f"k{i}", "v", px=1)
        p.execute()
    time.sleep(0.05)
    assert r.dbsize() == 50
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    assert wait_until(lambda: r.dbsize() == 0, timeout=5)


def test_expired_key_behaves_as_missing(r, raw, no_active_expire):
    set_expired(r, "del", "touch", "rename", "setnx", "expire", "incr", "append",
                "getset", "getdel", "copy", "move", "persist", "ttl")
    assert raw("DEL", "del") == integer(0)
    assert raw("TOUCH", "touch") == integer(0)
    assert raw("RENAME", "rename", "x") == error("ERR no such key")
    assert raw("SETNX", "setnx", "new") == integer(1)
    assert r.ttl("setnx") == -1
    assert raw("EXPIRE", "expire", "100") == integer(0)
    assert raw("INCR", "incr") == integer(1)
    assert r.ttl("incr") == -1
    assert raw("APPEND", "append", "ab") == integer(2)
    assert raw("GETSET", "getset", "x") == NIL
    assert raw("GETDEL", "getdel") == NIL
    assert raw("COPY", "copy", "dst") == integer(0)
    assert raw("MOVE", "move", "1") == integer(0)
    assert raw("PERSIST", "persist") == integer(0)
    assert raw("SET", "ttl", "again") == OK
    assert r.ttl("ttl") == -1
    assert sorted(r.keys("*")) == [b"append", b"getset", b"incr", b"setnx", b"ttl"]
    assert r.dbsize() == 5


def test_past_time_set_stores_but_expire_deletes(r, raw, no_active_expire):
    # SET with an absolute time in the past stores the key (expired at once);
    # EXPIRE-family commands and GETEX with a past time delete it right away
    assert raw("SET", "s", "v", "PXAT", "1") == OK
    assert r.dbsize() == 1
    assert raw("GET", "s") == NIL
    assert r.dbsize() == 0
    r.set("e", "v")
    assert raw("PEXPIREAT", "e", "1") == integer(1)
    assert r.dbsize() == 0
    r.set("g", "v")
    assert raw("GETEX", "g", "EXAT", "1") == bulk("v")
    assert r.dbsize() == 0


def test_expired_keys_counts_passive_expiry(r, no_active_expire):
    before = expired_keys(r)
    set_expired(r, "a", "b", "c")
    assert expired_keys(r) == before
    assert r.mget("a", "b", "c") == [None, None, None]
    assert expired_keys(r) - before == 3

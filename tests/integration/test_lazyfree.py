# SPDX-License-Identifier: BSD-3-Clause
#
# Lazy free: UNLINK of big and small values, FLUSHALL/FLUSHDB ASYNC and SYNC,
# each lazyfree-lazy-* flag (user-del, user-flush, server-del, expire,
# eviction) observed through INFO lazyfreed_objects, CONFIG GET/SET of the
# flags, Redis's errors for bad FLUSHALL/FLUSHDB arguments, and loom's INFO
# bio_pending_*/bio_processed_* fields. A value is "big" when freeing it costs
# more than 64 pieces (hashtable/skiplist elements, quicklist nodes); the
# counter moves on the background thread, so tests poll for it.
import os
import time

import pytest
import redis

import helpers_data
from helpers_data import OK, error, syntax_error, wait_until

raw = helpers_data.raw  # the `raw` fixture: a raw connection to the shared server

FLAGS = ("lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
         "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush")
BIO_KINDS = ("close_file", "aof_fsync", "lazy_free", "rdb_compress")


@pytest.fixture
def r(server):
    c = server.client()
    yield c
    # Leave the shared server as the next test expects it.
    for flag in FLAGS:
        c.config_set(flag, "no")
    c.config_set("maxmemory", 0)
    c.config_set("maxmemory-policy", "noeviction")
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    c.close()


def freed(r):
    return r.info("memory")["lazyfreed_objects"]


def settle(r):
    """Waits until the lazy-free thread has nothing pending; returns the
    lazyfreed_objects counter then."""
    assert wait_until(lambda: r.info("memory")["lazyfree_pending_objects"] == 0)
    return freed(r)


def freed_since(r, base, expected):
    """Polls until lazyfreed_objects reaches base + expected (or times out),
    then returns the difference it saw."""
    wait_until(lambda: freed(r) - base >= expected, timeout=5.0)
    time.sleep(0.02)  # nothing more should arrive
    return settle(r) - base


# Values on both sides of the threshold, in the encodings Redis 7.0 and loom
# agree on.
def big_set(r, key, members=200):
    # In batches: one huge command would leave big client buffers behind.
    for start in range(0, members, 1000):
        r.sadd(key, *[f"member:{i}" for i in range(start, min(members, start + 1000))])


def make_big_values(r, prefix="big"):
    big_set(r, f"{prefix}:set")
    r.zadd(f"{prefix}:zset", {f"m{i}": i for i in range(200)})
    r.hset(f"{prefix}:hash", mapping={f"f{i}": i for i in range(600)})
    # Elements over 8 kB get a quicklist node each: 65 nodes.
    r.rpush(f"{prefix}:list", *[b"x" * 10000 for _ in range(65)])
    return [f"{prefix}:set", f"{prefix}:zset", f"{prefix}:hash", f"{prefix}:list"]


def make_small_values(r):
    r.set("small:str", "x" * 100000)  # one allocation, however long
    r.sadd("small:intset", *range(500))
    r.rpush("small:list", *range(2000))  # a few nodes
    # 64 long members: a hashtable at the threshold, not above it.
    r.sadd("small:set64", *[("m%d" % i) * 40 for i in range(64)])
    r.hset("small:hash", mapping={"a": 1, "b": 2})
    return ["small:str", "small:intset", "small:list", "small:set64", "small:hash"]


# --- UNLINK -------------------------------------------------------------------

def test_unlink_big_values_are_freed_in_background(r):
    keys = make_big_values(r)
    assert r.object("encoding", "big:set") == b"hashtable"
    assert r.object("encoding", "big:zset") == b"skiplist"
    assert r.object("encoding", "big:hash") == b"hashtable"
    base = settle(r)
    for key in keys:
        assert r.unlink(key) == 1
        assert r.exists(key) == 0
    assert freed_since(r, base, len(keys)) == len(keys)


def test_unlink_small_values_are_freed_at_once(r):
    keys = make_small_values(r)
    assert r.object("encoding", "small:set64") == b"hashtable"
    base = settle(r)
    assert r.unlink(*keys) == len(keys)
    assert r.dbsize() == 0
    time.sleep(0.05)
    assert settle(r) == base


def test_unlink_counts_existing_keys_only(r):
    big_set(r, "a")
    r.set("b", "1")
    base = settle(r)
    assert r.unlink("a", "missing", "b", "a") == 2
    assert freed_since(r, base, 1) == 1


def test_unlink_then_reuse_key(r):
    big_set(r, "k", 5000)
    assert r.unlink("k") == 1
    big_set(r, "k", 300)
    assert r.scard("k") == 300
    assert r.sismember("k", "member:299")


def test_unlink_big_value_gives_memory_back(r):
    settle(r)
    before = r.info("memory")["used_memory"]
    big_set(r, "huge", 200000)
    grown = r.info("memory")["used_memory"] - before
    assert grown > 5_000_000
    r.unlink("huge")
    settle(r)
    assert wait_until(lambda: r.info("memory")["used_memory"] - before < grown // 4)


# --- DEL and lazyfree-lazy-user-del -------------------------------------------

def test_del_is_synchronous_by_default(r):
    make_big_values(r)
    base = settle(r)
    assert r.delete("big:set", "big:zset") == 2
    time.sleep(0.05)
    assert settle(r) == base


def test_lazyfree_lazy_user_del(r):
    keys = make_big_values(r)
    r.config_set("lazyfree-lazy-user-del", "yes")
    base = settle(r)
    assert r.delete(*keys) == len(keys)
    assert freed_since(r, base, len(keys)) == len(keys)


# --- FLUSHALL / FLUSHDB -------------------------------------------------------

def fill_two_dbs(server, r, n0=100, n1=50):
    r.mset({f"k{i}": i for i in range(n0)})
    r.pexpire("k1", 100000)
    other = server.client(db=1)
    other.mset({f"k{i}": i for i in range(n1)})
    other.expire("k2", 1000)
    return other


def test_flushall_async(server, r):
    other = fill_two_dbs(server, r)
    base = settle(r)
    assert r.execute_command("FLUSHALL", "ASYNC") is True
    assert r.dbsize() == 0 and other.dbsize() == 0
    assert freed_since(r, base, 150) == 150
    # The databases work as before.
    r.set("k1", "v", px=100000)
    assert r.get("k1") == b"v" and 0 < r.pttl("k1") <= 100000
    other.close()


def test_flushdb_async_only_current_db(server, r):
    other = fill_two_dbs(server, r)
    base = settle(r)
    assert other.execute_command("FLUSHDB", "async") is True
    assert other.dbsize() == 0 and r.dbsize() == 100
    assert freed_since(r, base, 50) == 50
    assert r.pttl("k1") > 0
    other.close()


def test_flush_sync_and_default_are_synchronous(server, r):
    other = fill_two_dbs(server, r)
    base = settle(r)
    assert other.execute_command("FLUSHDB", "SYNC") is True
    assert other.dbsize() == 0
    assert r.execute_command("FLUSHALL") is True
    assert r.dbsize() == 0
    time.sleep(0.05)
    assert settle(r) == base
    other.close()


def test_lazyfree_lazy_user_flush(server, r):
    r.config_set("lazyfree-lazy-user-flush", "yes")
    other = fill_two_dbs(server, r)
    base = settle(r)
    assert other.execute_command("FLUSHDB") is True
    assert freed_since(r, base, 50) == 50
    # An explicit SYNC wins over the flag.
    base = settle(r)
    assert r.execute_command("FLUSHALL", "SYNC") is True
    assert r.dbsize() == 0
    time.sleep(0.05)
    assert settle(r) == base
    other.mset({"a": 1, "b": 2})
    assert r.execute_command("FLUSHALL") is True
    assert freed_since(r, base, 2) == 2
    other.close()


def test_flushall_async_of_big_values(server, r):
    keys = make_big_values(r)
    r.mset({f"s{i}": i for i in range(10)})
    base = settle(r)
    r.execute_command("FLUSHALL", "ASYNC")
    # A database counts its keys, whatever their size.
    assert freed_since(r, base, len(keys) + 10) == len(keys) + 10


@pytest.mark.parametrize("args", [("FLUSHALL", "foo"), ("FLUSHALL", "ASYNC", "SYNC"),
                                  ("FLUSHALL", "async", "async"), ("FLUSHDB", "x"),
                                  ("FLUSHDB", "sync", "extra"), ("FLUSHALL", "")])
def test_flush_wrong_arguments(raw, args):
    assert raw("SET", "kept", "1") == OK
    assert raw(*args) == syntax_error()
    assert raw("EXISTS", "kept") == b":1\r\n"


def test_flush_wrong_arguments_match_redis(server, oracle):
    for args in (("FLUSHALL", "now"), ("FLUSHDB", "async", "1"), ("flushall", "SYNC", "x")):
        replies = []
        for srv in (server, oracle):
            conn = helpers_data.Raw(srv)
            replies.append(conn(*args))
            conn.close()
        assert replies[0] == replies[1], args


# --- lazyfree-lazy-server-del -------------------------------------------------

def server_deletes(r):
    """Server-side deletes and overwrites of four big sets: SET over a set,
    RENAME over a set, SINTERSTORE over a set, SINTERSTORE storing nothing
    (which deletes the destination)."""
    for key in ("a", "b", "c", "d"):
        big_set(r, key)
    r.set("a", "string now")
    r.set("src", "x")
    r.rename("src", "b")
    r.sadd("one", "member:1")
    r.sinterstore("c", "one")
    r.sinterstore("d", "missing")
    assert r.get("a") == b"string now" and r.get("b") == b"x"
    assert r.smembers("c") == {b"member:1"} and r.exists("d") == 0


def test_server_deletes_are_synchronous_by_default(r):
    base = settle(r)
    server_deletes(r)
    time.sleep(0.05)
    assert settle(r) == base


def test_lazyfree_lazy_server_del(r):
    r.config_set("lazyfree-lazy-server-del", "yes")
    base = settle(r)
    server_deletes(r)
    assert freed_since(r, base, 4) == 4


def test_server_del_flag_does_not_apply_to_del(r):
    r.config_set("lazyfree-lazy-server-del", "yes")
    big_set(r, "a")
    base = settle(r)
    r.delete("a")
    time.sleep(0.05)
    assert settle(r) == base


# --- lazyfree-lazy-expire -----------------------------------------------------

def test_lazyfree_lazy_expire_passive(r):
    r.config_set("lazyfree-lazy-expire", "yes")
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    big_set(r, "a")
    big_set(r, "b")
    base = settle(r)
    r.pexpire("a", 1)
    r.pexpire("b", 1)
    time.sleep(0.02)
    assert r.exists("a") == 0  # expired on access
    assert r.scard("b") == 0
    assert freed_since(r, base, 2) == 2


def test_lazyfree_lazy_expire_active(r):
    r.config_set("lazyfree-lazy-expire", "yes")
    big_set(r, "a")
    base = settle(r)
    r.pexpire("a", 1)
    assert wait_until(lambda: r.info("stats")["expired_keys"] >= 1 and r.dbsize() == 0)
    assert freed_since(r, base, 1) == 1


def test_expiry_is_synchronous_by_default(r):
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    big_set(r, "a")
    base = settle(r)
    r.pexpire("a", 1)
    time.sleep(0.02)
    assert r.exists("a") == 0
    time.sleep(0.05)
    assert settle(r) == base


# --- lazyfree-lazy-eviction ---------------------------------------------------

def test_lazyfree_lazy_eviction(r):
    settle(r)
    empty = r.info("memory")["used_memory"]
    for i in range(30):
        big_set(r, f"e{i}", 3000)
    full = r.info("memory")["used_memory"]
    assert full - empty > 2_000_000
    r.config_set("lazyfree-lazy-eviction", "yes")
    r.config_set("maxmemory-policy", "allkeys-random")
    base = settle(r)
    r.config_set("maxmemory", empty + (full - empty) // 3)
    try:
        r.set("trigger", "x")
    except redis.ResponseError as e:  # still over the limit right after evicting
        assert str(e).startswith("OOM")
    evicted = r.info("stats")["evicted_keys"]
    assert evicted > 0
    r.config_set("maxmemory", 0)
    # Every key here is a big set ("trigger" was not stored before evicting).
    assert freed_since(r, base, evicted) == evicted


# --- CONFIG -------------------------------------------------------------------

def test_lazyfree_flags_default_to_no(r):
    got = r.config_get("lazyfree*")
    assert got == {flag: "no" for flag in FLAGS}


def test_lazyfree_flags_config_set(r):
    for flag in FLAGS:
        assert r.config_set(flag, "yes")
        assert r.config_get(flag) == {flag: "yes"}
        assert r.config_set(flag, "NO")
        assert r.config_get(flag) == {flag: "no"}


def test_lazyfree_flags_bad_value_matches_redis(server, oracle):
    for srv in (server, oracle):
        conn = helpers_data.Raw(srv)
        srv.reply = conn("CONFIG", "SET", "lazyfree-lazy-user-del", "maybe")
        conn.close()
    assert server.reply == oracle.reply
    assert server.reply.startswith(b"-ERR CONFIG SET failed")


def test_lazyfree_flags_from_command_line(server_factory):
    srv = server_factory(config={"lazyfree-lazy-user-del": "yes",
                                 "lazyfree-lazy-user-flush": "yes"})
    c = srv.client()
    assert c.config_get("lazyfree-lazy-user-*") == {"lazyfree-lazy-user-del": "yes",
                                                    "lazyfree-lazy-user-flush": "yes"}
    big_set(c, "a")
    c.delete("a")
    assert wait_until(lambda: c.info("memory")["lazyfreed_objects"] == 1)
    c.close()


# --- INFO ---------------------------------------------------------------------

def test_config_resetstat_zeroes_lazyfreed_objects(r):
    big_set(r, "a")
    base = settle(r)
    r.unlink("a")
    assert freed_since(r, base, 1) == 1
    r.config_resetstat()
    assert freed(r) == 0
    assert r.info("memory")["lazyfree_pending_objects"] == 0


@pytest.mark.loom_only
def test_info_bio_fields(r):
    info = r.info("threads")
    for kind in BIO_KINDS:
        assert info[f"bio_pending_{kind}"] >= 0
        assert info[f"bio_processed_{kind}"] >= 0
    before = info["bio_processed_lazy_free"]
    big_set(r, "a")
    r.unlink("a")
    assert wait_until(lambda: r.info("threads")["bio_processed_lazy_free"] == before + 1)
    assert r.info("threads")["bio_pending_lazy_free"] == 0
    # In the default INFO too.
    assert "bio_processed_lazy_free" in r.info()


@pytest.mark.loom_only
def test_bio_thread_names(server):
    with open(f"/proc/{server.proc.pid}/task/{server.proc.pid}/comm") as f:
        assert f.read().strip().startswith("loom-server")
    names = set()
    for tid in os.listdir(f"/proc/{server.proc.pid}/task"):
        with open(f"/proc/{server.proc.pid}/task/{tid}/comm") as f:
            names.add(f.read().strip())
    assert {"bio_close_file", "bio_aof_fsync", "bio_lazy_free", "bio_rdbcompress"} <= names


@pytest.mark.loom_only
def test_shutdown_with_pending_lazy_free(server_factory):
    srv = server_factory()
    c = srv.client()
    c.sadd("big", *[f"m{i}" for i in range(300000)])
    c.unlink("big")
    c.close()
    assert srv.stop() == 0
    assert "ready to exit" in srv.log()

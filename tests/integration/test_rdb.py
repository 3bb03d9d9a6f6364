# SPDX-License-Identifier: BSD-3-Clause
#
# RDB snapshots against a real loom-server: SAVE, BGSAVE (and SCHEDULE), LASTSAVE,
# save points, restart with every type, encoding and TTL in all 16 databases,
# DEBUG RELOAD, SHUTDOWN SAVE/NOSAVE and SIGTERM, loading a dump.rdb that
# redis-server 7.0 wrote (LZF strings, listpack/quicklist/intset encodings,
# plain and compressed list nodes, expiry), a failing BGSAVE with Redis's
# status, log and MISCONF error, the snapshot's consistency with the instant of
# the fork, a corrupt dump stopping start-up, and tools/loom-check-rdb.
import os
import random
import re
import subprocess
import time

import pytest

from conftest import REDIS_SERVER, ROOT, Server, encode, free_port, roundtrip, server_binary
from helpers_server import info_fields, wait_until

pytestmark = pytest.mark.loom_only

CHECK_RDB = os.path.join(ROOT, "tools", "loom-check-rdb")


def fill(c, dbs=range(16), big=True):
    """Every type in every encoding, with TTLs, in each of dbs."""
    for db in dbs:
        c.execute_command("SELECT", db)
        p = c.pipeline(transaction=False)
        p.set("str:embstr", f"hello-{db}")
        p.set("str:int", 1234567 + db)
        p.set("str:neg", -db - 1)
        p.set("str:big", "abc" * 1000)
        p.set("str:bin", bytes(range(256)) * 2)
        p.set("str:ttl", "soon", px=3_600_000 + db)
        p.rpush("list:small", "a", "b", 1, 2, -3)
        p.rpush("list:big", *[f"element-{i}" for i in range(3000)])
        p.sadd("set:intset", *range(-5, 50))
        p.sadd("set:small", "x", "y", "z", 7)
        p.sadd("set:ht", *[f"member-{i}" for i in range(600)])
        p.zadd("zset:small", {"a": 1, "b": 2.5, "c": -3e100, "d": float("inf")})
        p.zadd("zset:big", {f"m{i}": i / 7 for i in range(400)})
        p.hset("hash:small", mapping={"f1": "v1", "f2": 2})
        p.hset("hash:big", mapping={f"field{i}": "v" * (i % 100) for i in range(700)})
        p.expire("hash:big", 7200)
        if big and db == 0:
            p.set("str:huge", random.Random(7).randbytes(2_000_000))
            p.rpush("list:plain", "q" * 100_000)
        p.execute()
    c.execute_command("SELECT", 0)


def dump(c, ttl_slack_ms=60_000):
    """{(db, key): (type, value, encoding, ttl bucket)} over all 16 databases."""
    out = {}
    for db in range(16):
        c.execute_command("SELECT", db)
        for k in c.keys("*"):
            t = c.type(k).decode()
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = c.lrange(k, 0, -1)
            elif t == "set":
                v = sorted(c.smembers(k))
            elif t == "zset":
                v = c.zrange(k, 0, -1, withscores=True)
            else:
                v = sorted(c.hgetall(k).items())
            pttl = c.pttl(k)
            out[(db, k)] = (t, v, c.object("encoding", k), -1 if pttl < 0 else pttl // ttl_slack_ms)
    c.execute_command("SELECT", 0)
    return out


def info(srv, section="persistence"):
    return info_fields(srv, section)


def wait_bgsave_done(srv, timeout=30):
    wait_until(lambda: info(srv)["rdb_bgsave_in_progress"] == "0", timeout=timeout,
               what="the BGSAVE to finish")


def restart(srv, server_factory, **config):
    """Stops srv (SIGTERM) and starts a new server on the same directory."""
    srv.stop()
    cfg = {"dir": srv.config["dir"]}
    cfg.update(config)
    return server_factory(config=cfg)


def check_rdb(path):
    p = subprocess.run([CHECK_RDB, path], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


# --- SAVE, BGSAVE, LASTSAVE ------------------------------------------------------

def test_save_and_lastsave(server_factory):
    srv = server_factory()
    c = srv.client()
    before = c.lastsave()
    c.set("k", "v")
    assert info(srv)["rdb_changes_since_last_save"] == "1"
    time.sleep(1.1)
    assert c.save() is True
    assert c.lastsave() > before
    fields = info(srv)
    assert fields["rdb_changes_since_last_save"] == "0"
    assert fields["rdb_last_bgsave_status"] == "ok"
    assert fields["rdb_last_bgsave_time_sec"] == "-1"  # only BGSAVE sets it
    assert int(fields["rdb_last_save_time"]) == int(c.lastsave().timestamp())
    assert os.path.exists(os.path.join(srv.dir, "dump.rdb"))
    assert not [f for f in os.listdir(srv.dir) if f.startswith("temp-")]
    assert "DB saved on disk" in srv.log()


def test_bgsave_and_schedule_replies_match_redis(server_factory, oracle):
    srv = server_factory()
    replies = {}
    for name, s in (("loom", srv), ("redis", oracle)):
        sock = s.connect()
        sock.sendall(encode("SET", "k", "v"))
        sock.recv(100)
        # In one write: all run before the cron can reap the child.
        replies[name] = roundtrip(sock, ("BGSAVE",), ("BGSAVE",), ("BGSAVE", "SCHEDULE"),
                                  ("SAVE",), ("BGSAVE", "NOW"), ("LASTSAVE", "x"))
        sock.close()
        wait_bgsave_done(s)
    assert replies["loom"] == replies["redis"]
    assert replies["loom"][:4] == [b"+Background saving started\r\n",
                                   b"-ERR Background save already in progress\r\n",
                                   b"-ERR Background save already in progress\r\n",
                                   b"-ERR Background save already in progress\r\n"]
    fields = info(srv)
    assert fields["rdb_last_bgsave_status"] == "ok"
    assert int(fields["rdb_last_bgsave_time_sec"]) >= 0
    assert fields["rdb_changes_since_last_save"] == "0"
    assert int(fields["rdb_last_cow_size"]) >= 0
    stats = info(srv, "stats")
    assert int(stats["total_forks"]) == 1
    assert int(stats["latest_fork_usec"]) > 0
    assert "Background saving terminated with success" in srv.log()
    # With no child running, SCHEDULE starts one at once.
    sock = srv.connect()
    assert roundtrip(sock, ("BGSAVE", "SCHEDULE")) == [b"+Background saving started\r\n"]
    sock.close()
    wait_bgsave_done(srv)
    assert int(info(srv, "stats")["total_forks"]) == 2


def test_save_points_fire(server_factory):
    srv = server_factory(config={"save": ["1", "1"]})
    c = srv.client()
    assert c.config_get("save") == {"save": "1 1"}
    c.set("a", 1)
    wait_until(lambda: int(info(srv)["rdb_saves"]) >= 1 and
               info(srv)["rdb_changes_since_last_save"] == "0", timeout=10,
               what="the save point")
    assert "1 changes in 1 seconds. Saving..." in srv.log()
    assert os.path.exists(os.path.join(srv.dir, "dump.rdb"))
    c.config_set("save", "")
    assert c.config_get("save") == {"save": ""}


# --- Restarts ----------------------------------------------------------------------

def test_restart_gives_back_everything(server_factory):
    srv = server_factory()
    c = srv.client()
    fill(c)
    before = dump(c)
    # SIGTERM without save points does not save.
    srv2 = restart(srv, server_factory)
    assert dump(srv2.client()) == {}
    c2 = srv2.client()
    fill(c2)
    assert c2.save()
    srv3 = restart(srv2, server_factory)
    after = dump(srv3.client())
    assert after == before
    assert len(after) == 16 * 15 + 2
    assert "Done loading RDB, keys loaded: 242, keys expired: 0." in srv3.log()
    fields = info(srv3)
    assert fields["rdb_last_load_keys_loaded"] == "242"
    assert fields["rdb_last_load_keys_expired"] == "0"


def test_shutdown_save_and_nosave(server_factory):
    srv = server_factory()
    c = srv.client()
    c.set("k", "v")
    s = srv.connect()
    s.sendall(encode("SHUTDOWN", "SAVE"))
    s.recv(100)
    s.close()
    assert srv.proc.wait(10) == 0
    assert "Saving the final RDB snapshot before exiting." in srv.log()
    srv2 = server_factory(config={"dir": srv.dir, "save": ["3600", "1"]})
    c2 = srv2.client()
    assert c2.get("k") == b"v"
    c2.set("k", "changed")
    s = srv2.connect()
    s.sendall(encode("SHUTDOWN", "NOSAVE"))
    s.recv(100)
    s.close()
    assert srv2.proc.wait(10) == 0
    # SIGTERM with save points saves.
    srv3 = server_factory(config={"dir": srv.dir, "save": ["3600", "1"]})
    c3 = srv3.client()
    assert c3.get("k") == b"v"
    c3.set("k", "from-sigterm")
    srv3.stop()
    srv4 = server_factory(config={"dir": srv.dir})  # srv's own directory throughout
    assert srv4.client().get("k") == b"from-sigterm"


def test_debug_reload(server_factory):
    srv = server_factory()
    c = srv.client()
    fill(c, dbs=(0, 5, 15))
    before = dump(c)
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert dump(c) == before


def test_expired_keys_are_not_loaded(server_factory):
    srv = server_factory()
    c = srv.client()
    c.set("short", "x", px=200)
    c.set("long", "y", ex=1000)
    c.save()
    time.sleep(0.3)
    srv2 = restart(srv, server_factory)
    c2 = srv2.client()
    assert c2.get("short") is None
    assert c2.get("long") == b"y"
    assert "keys loaded: 1, keys expired: 1." in srv2.log()


def test_flushall_with_save_points_leaves_an_empty_dump(server_factory):
    srv = server_factory(config={"save": ["3600", "1"]})
    c = srv.client()
    c.set("k", "v")
    c.save()
    c.flushall()
    assert info(srv)["rdb_changes_since_last_save"] == "1"
    code, out = check_rdb(os.path.join(srv.dir, "dump.rdb"))
    assert code == 0 and "keys: 0" in out, out


# --- Migration from redis-server 7.0 -----------------------------------------------

@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
def test_loads_redis_7_dump(server_factory):
    rs = Server(binary=REDIS_SERVER, config={"list-compress-depth": "1"})
    try:
        c = rs.client()
        # Plain quicklist nodes for elements above 1000 bytes.
        c.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000")
        fill(c, dbs=(0, 1, 9, 15))
        c.rpush("list:plain-mixed", "a", "b" * 2000, "c")
        c.set("lzf:text", "compress me " * 50)
        c.set("exp:ms", "x", px=5_000_000)
        encodings = {k: c.object("encoding", k) for k in
                     (b"list:big", b"set:intset", b"set:ht", b"zset:small", b"zset:big",
                      b"hash:small", b"hash:big", b"str:int", b"str:embstr", b"str:big")}
        before = dump(c)
        assert c.save()
        rdb = os.path.join(rs.dir, "dump.rdb")
        code, out = check_rdb(rdb)
        assert code == 0, out
        assert "redis-ver: 7.0.15" in out and "checksum: ok" in out
        srv = server_factory(config={"dir": rs.dir})
        after = dump(srv.client())
    finally:
        rs.cleanup()
    assert encodings[b"list:big"] == b"quicklist"
    assert encodings[b"set:intset"] == b"intset"
    assert encodings[b"zset:small"] == b"listpack"
    assert encodings[b"hash:big"] == b"hashtable"
    assert set(after) == set(before)
    for k, (t, v, enc, ttl) in before.items():
        assert after[k][:2] == (t, v), k
        assert after[k][3] == ttl, k
        # Redis 7.0 has no listpack sets: small non-integer sets become one on load.
        if not (t == "set" and enc == b"hashtable" and after[k][2] == b"listpack"):
            assert after[k][2] == enc, k


# --- Failures -----------------------------------------------------------------------

def failing_bgsave(srv):
    """Makes the next BGSAVE fail: the working directory disappears."""
    c = srv.client()
    sub = os.path.join(srv.dir, "gone")
    os.mkdir(sub)
    c.config_set("dir", sub)
    os.rmdir(sub)
    assert c.bgsave()
    wait_bgsave_done(srv)
    return c


def test_bgsave_failure_and_misconf(server_factory):
    errors = {}
    for name, binary in (("loom", None), ("redis", REDIS_SERVER)):
        if name == "redis" and not REDIS_SERVER:
            continue
        config = {"save": ["3600", "1"]}
        if name == "redis":
            config["enable-protected-configs"] = "yes"  # CONFIG SET dir
        srv = server_factory(binary=binary, config=config)
        c = failing_bgsave(srv)
        fields = info(srv)
        assert fields["rdb_last_bgsave_status"] == "err"
        # Reads still work, writes and PING are refused with the same text.
        assert c.get("nothing") is None
        s = srv.connect()
        errors[name] = roundtrip(s, ("SET", "k", "v"), ("PING",), ("GET", "k"),
                                 ("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"),
                                 ("SET", "k", "v"))
        s.close()
        if name == "loom":
            log = srv.log()
            assert "Background saving error" in log
            assert "Failed opening the temp RDB file" in log
            # A successful BGSAVE clears the error.
            c.config_set("stop-writes-on-bgsave-error", "yes")
            c.config_set("dir", srv.dir)
            assert c.bgsave()
            wait_bgsave_done(srv)
            assert info(srv)["rdb_last_bgsave_status"] == "ok"
            assert c.set("after", "ok")
    assert errors["loom"][0].startswith(b"-MISCONF Redis is configured to save RDB snapshots")
    assert errors["loom"][2:] == [b"$-1\r\n", b"+OK\r\n", b"+OK\r\n"]
    if "redis" in errors:
        assert errors["loom"] == errors["redis"]


def test_bgsave_failure_without_save_points_allows_writes(server_factory):
    srv = server_factory()
    c = failing_bgsave(srv)
    assert info(srv)["rdb_last_bgsave_status"] == "err"
    assert c.set("k", "v")  # no save points: MISCONF does not apply


def test_bgsave_is_consistent_with_the_fork(server_factory):
    srv = server_factory()
    c = srv.client()
    p = c.pipeline(transaction=False)
    for i in range(100_000):
        p.set(f"key:{i}", f"value:{i}")
    p.execute()
    sock = srv.connect()
    # BGSAVE, then writes in the same batch: they run right after the fork.
    cmds = [("BGSAVE",), ("FLUSHDB",)] + [("SET", f"new:{i}", "x") for i in range(100)]
    replies = roundtrip(sock, *cmds)
    sock.close()
    assert replies[0] == b"+Background saving started\r\n"
    for i in range(5000):
        c.set(f"key:{i}", "changed")
    wait_bgsave_done(srv)
    assert info(srv)["rdb_last_bgsave_status"] == "ok"
    srv2 = restart(srv, server_factory)
    c2 = srv2.client()
    assert c2.dbsize() == 100_000
    assert c2.get("key:0") == b"value:0"
    assert c2.get("key:4999") == b"value:4999"
    assert c2.get("new:1") is None


def test_corrupt_dump_stops_startup(tmp_path):
    good = Server()
    try:
        c = good.client()
        fill(c, dbs=(0,), big=False)
        c.save()
        data = open(os.path.join(good.dir, "dump.rdb"), "rb").read()
    finally:
        good.cleanup()
    (tmp_path / "dump.rdb").write_bytes(data[: len(data) // 2])
    port = free_port()
    proc = subprocess.run([server_binary(), "--port", str(port), "--dir", str(tmp_path),
                           "--save", ""], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "Fatal error loading the DB" in out, out
    # Cut in the middle of a value: the message names the offset and the key.
    assert re.search(r'at offset \d+ \(key "[^"]+" in db 0\)', out), out
    # A flipped byte in the middle fails on the checksum, naming its offset.
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0xFF
    (tmp_path / "dump.rdb").write_bytes(bytes(bad))
    proc = subprocess.run([server_binary(), "--port", str(port), "--dir", str(tmp_path),
                           "--save", ""], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "at offset" in proc.stdout + proc.stderr


def test_loom_check_rdb(server_factory, tmp_path):
    srv = server_factory()
    c = srv.client()
    fill(c, dbs=(0, 3), big=False)
    c.save()
    path = os.path.join(srv.dir, "dump.rdb")
    code, out = check_rdb(path)
    assert code == 0, out
    assert "keys: 30 (with expiry: 4)" in out
    for line in ("string 12", "list   4", "set    6", "zset   4", "hash   4", "checksum: ok",
                 "status: OK"):
        assert line in out, out
    data = open(path, "rb").read()
    bad = tmp_path / "bad.rdb"
    bad.write_bytes(data[:-20])
    code, out = check_rdb(str(bad))
    assert code == 1
    assert re.search(r"error: .*(Unexpected end of file|runs past the end of the file) at offset",
                     out), out
    code, out = check_rdb(str(tmp_path / "missing.rdb"))
    assert code == 1 and "No such file" in out
    code, out = check_rdb("")
    assert code == 1


def test_shutdown_refuses_when_the_save_fails(server_factory):
    replies = {}
    for name, binary in (("loom", None), ("redis", REDIS_SERVER)):
        if name == "redis" and not REDIS_SERVER:
            continue
        config = {"save": ["3600", "1"]}
        if name == "redis":
            config["enable-protected-configs"] = "yes"
        srv = server_factory(binary=binary, config=config)
        c = srv.client()
        sub = os.path.join(srv.dir, "gone")
        os.mkdir(sub)
        c.config_set("dir", sub)
        os.rmdir(sub)
        s = srv.connect()
        replies[name] = roundtrip(s, ("SHUTDOWN",), ("SHUTDOWN", "SAVE"), ("PING",))
        assert srv.alive()
        s.sendall(encode("SHUTDOWN", "SAVE", "FORCE"))
        s.recv(100)
        s.close()
        assert srv.proc.wait(10) == 0
        if name == "loom":
            assert "Error trying to save the DB, can't exit." in srv.log()
    assert replies["loom"][0] == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    if "redis" in replies:
        assert replies["loom"] == replies["redis"]

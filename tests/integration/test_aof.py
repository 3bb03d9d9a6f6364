# SPDX-License-Identifier: BSD-3-Clause
#
# The append-only file: the multi-part layout (manifest, base, increments),
# restart gives back every key, type, value and expiry (after clean shutdowns,
# kill -9, rewrites with and without the RDB preamble, and a random workload of
# every command whose propagation is rewritten), BGREWRITEAOF while writes go
# on, turning it on and off at run time, truncated and corrupt files, the
# checker tool, and the INFO fields.
import os
import signal
import subprocess
import threading
import time

import pytest

from helpers_persist import dump_keyspace, random_workload, start_on
from helpers_server import info_fields, plain_client, run_failing_server, wait_until

AOF_DIR = "appendonlydir"
CHECK_AOF = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "loom-check-aof")


def manifest(datadir):
    with open(os.path.join(datadir, AOF_DIR, "appendonly.aof.manifest")) as f:
        return [line.split() for line in f.read().splitlines()]


def aof_files(datadir):
    return sorted(os.listdir(os.path.join(datadir, AOF_DIR)))


def last_incr(datadir):
    incrs = [line[1] for line in manifest(datadir) if line[-1] == "i"]
    return os.path.join(datadir, AOF_DIR, incrs[-1])


def wait_rewrite_done(server):
    wait_until(lambda: info_fields(server, "persistence")["aof_rewrite_in_progress"] == "0"
               and info_fields(server, "persistence")["aof_rewrite_scheduled"] == "0",
               timeout=20, what="the AOF rewrite to finish")


def fill_every_type(c):
    c.execute_command("SET", "str", "hello")
    c.execute_command("SET", "int", "12345")
    c.execute_command("SET", "ttl", "v", "EX", "1000")
    c.execute_command("SETEX", "setex", "500", "v")
    c.execute_command("INCRBYFLOAT", "float", "1.1")
    c.execute_command("INCRBYFLOAT", "float", "2.2")
    c.execute_command("RPUSH", "list", *[f"e{i}" for i in range(200)])
    c.execute_command("EXPIRE", "list", "800")
    c.execute_command("SADD", "intset", *range(20))
    c.execute_command("SADD", "bigset", *[f"m{i}" for i in range(300)])
    c.execute_command("SPOP", "bigset", "7")
    c.execute_command("HSET", "hash", "a", "1", "b", "2")
    c.execute_command("HINCRBYFLOAT", "hash", "c", "0.5")
    c.execute_command("HSET", "bighash", *[v for i in range(600) for v in (f"f{i}", f"v{i}")])
    c.execute_command("ZADD", "zset", "1", "a", "2.5", "b", "-1", "c")
    c.execute_command("ZADD", "bigzset", *[v for i in range(200) for v in (i * 0.5, f"z{i}")])
    c.execute_command("ZPOPMIN", "bigzset", "3")
    c.execute_command("SELECT", "5")
    c.execute_command("SET", "in-db-5", "x")
    c.execute_command("PEXPIRE", "in-db-5", "900000")
    c.execute_command("SELECT", "0")
    c.execute_command("SET", "gone", "x")
    c.execute_command("PEXPIRE", "gone", "-1")


def test_fresh_start_creates_the_multi_part_layout(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes")
    files = aof_files(tmp_path)
    assert "appendonly.aof.manifest" in files
    assert manifest(tmp_path) == [
        ["file", "appendonly.aof.1.base.rdb", "seq", "1", "type", "b"],
        ["file", "appendonly.aof.1.incr.aof", "seq", "1", "type", "i"],
    ]
    fields = info_fields(srv, "persistence")
    assert fields["aof_enabled"] == "1"
    assert fields["aof_last_write_status"] == "ok"
    for name in ("aof_current_size", "aof_base_size", "aof_pending_bio_fsync",
                 "aof_delayed_fsync", "aof_buffer_length", "aof_rewrites"):
        assert name in fields


@pytest.mark.parametrize("fsync", ["always", "everysec", "no"])
def test_restart_gives_back_every_key_type_value_and_ttl(server_factory, tmp_path, fsync):
    srv = start_on(server_factory, tmp_path, appendonly="yes", appendfsync=fsync)
    c = plain_client(srv)
    fill_every_type(c)
    before = dump_keyspace(c)
    assert b"gone" not in before[0]
    srv.stop()
    srv2 = start_on(server_factory, tmp_path, appendonly="yes")
    # The replay is not counted as the users' commands or as unsaved changes.
    assert info_fields(srv2, "persistence")["rdb_changes_since_last_save"] == "0"
    assert "cmdstat_set" not in info_fields(srv2, "commandstats")
    assert dump_keyspace(plain_client(srv2)) == before


def test_kill_9_keeps_every_acknowledged_write(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes", appendfsync="always")
    c = plain_client(srv)
    random_workload(c, seed=7, ops=1500)
    before = dump_keyspace(c)
    srv.stop(sig=signal.SIGKILL)
    srv2 = start_on(server_factory, tmp_path, appendonly="yes")
    assert dump_keyspace(plain_client(srv2)) == before


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_rewrite_while_writing_keeps_everything(server_factory, tmp_path, preamble):
    srv = start_on(server_factory, tmp_path, appendonly="yes", aof_use_rdb_preamble=preamble)
    c = plain_client(srv)
    random_workload(c, seed=11, ops=800)
    c.execute_command("RPUSH", "big", *[f"x{i}" for i in range(20000)])
    stop = threading.Event()

    def writer():
        w = plain_client(srv)
        i = 0
        while not stop.is_set():
            w.execute_command("RPUSH", "during", i)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert c.execute_command("BGREWRITEAOF") == b"Background append only file rewriting started"
        wait_rewrite_done(srv)
        random_workload(c, seed=12, ops=300)
    finally:
        stop.set()
        t.join()
    fields = info_fields(srv, "persistence")
    assert fields["aof_last_bgrewrite_status"] == "ok"
    assert fields["aof_rewrites"] == "1"
    suffix = "rdb" if preamble == "yes" else "aof"
    m = manifest(tmp_path)
    assert m[0] == ["file", f"appendonly.aof.2.base.{suffix}", "seq", "2", "type", "b"]
    assert m[1:] == [["file", "appendonly.aof.2.incr.aof", "seq", "2", "type", "i"]]
    # The files the rewrite replaced are deleted.
    wait_until(lambda: aof_files(tmp_path) == sorted(
        ["appendonly.aof.manifest", f"appendonly.aof.2.base.{suffix}",
         "appendonly.aof.2.incr.aof"]), what="old AOF files deleted")
    before = dump_keyspace(c)
    srv.stop(sig=signal.SIGKILL)
    srv2 = start_on(server_factory, tmp_path, appendonly="yes")
    assert dump_keyspace(plain_client(srv2)) == before


def test_rewrite_is_refused_while_one_runs(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes", aof_use_rdb_preamble="no")
    c = plain_client(srv)
    # Enough data that the child takes a moment.
    for i in range(20):
        c.execute_command("RPUSH", f"l{i}", *range(20000))
    assert c.execute_command("BGREWRITEAOF") == b"Background append only file rewriting started"
    if info_fields(srv, "persistence")["aof_rewrite_in_progress"] == "1":
        with pytest.raises(Exception, match="already in progress"):
            c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(srv)


def test_bgsave_and_rewrite_take_turns(server_factory, tmp_path):
    """One fork child at a time, with redis-server 7.0's replies: a rewrite
    asked for during a BGSAVE is scheduled, a BGSAVE during a rewrite is
    refused unless SCHEDULE'd, and what was scheduled runs afterwards."""
    srv = start_on(server_factory, tmp_path, appendonly="yes", rdb_key_save_delay="2000")
    c = plain_client(srv)
    for i in range(200):
        c.execute_command("SET", f"k{i}", i)  # 200 keys x 2 ms: each child takes ~0.4 s

    def persistence():
        return info_fields(srv, "persistence")

    assert c.execute_command("BGSAVE") == b"Background saving started"
    assert c.execute_command("BGREWRITEAOF") == \
        b"Background append only file rewriting scheduled"
    with pytest.raises(Exception, match="^Background save already in progress$"):
        c.execute_command("BGSAVE")
    assert persistence()["aof_rewrite_scheduled"] == "1"
    wait_until(lambda: persistence()["aof_rewrites"] == "1", timeout=20,
               what="the scheduled rewrite")
    assert persistence()["rdb_saves"] == "1"

    assert c.execute_command("BGREWRITEAOF") == b"Background append only file rewriting started"
    with pytest.raises(Exception, match="^Another child process is active \\(AOF\\?\\): can't "
                                        "BGSAVE right now. Use BGSAVE SCHEDULE in order to "
                                        "schedule a BGSAVE whenever possible.$"):
        c.execute_command("BGSAVE")
    assert c.execute_command("BGSAVE", "SCHEDULE") == b"Background saving scheduled"
    with pytest.raises(Exception, match="already in progress"):
        c.execute_command("BGREWRITEAOF")
    wait_until(lambda: persistence()["rdb_saves"] == "2", timeout=20,
               what="the scheduled BGSAVE")
    assert persistence()["aof_rewrites"] == "2"
    assert persistence()["rdb_last_bgsave_status"] == "ok"


def test_turning_aof_on_and_off_at_run_time(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path)
    c = plain_client(srv)
    fill_every_type(c)
    assert info_fields(srv, "persistence")["aof_enabled"] == "0"
    assert c.execute_command("CONFIG", "SET", "appendonly", "yes") == b"OK"
    wait_until(lambda: info_fields(srv, "persistence")["aof_rewrites"] == "1",
               what="the first AOF base")
    c.execute_command("SET", "after", "on")
    before = dump_keyspace(c)
    srv.stop(sig=signal.SIGKILL)
    srv2 = start_on(server_factory, tmp_path, appendonly="yes")
    c2 = plain_client(srv2)
    assert dump_keyspace(c2) == before
    assert c2.execute_command("CONFIG", "SET", "appendonly", "no") == b"OK"
    assert info_fields(srv2, "persistence")["aof_enabled"] == "0"
    c2.execute_command("SET", "not-logged", "1")
    size = os.path.getsize(last_incr(tmp_path))
    c2.execute_command("SET", "still-not-logged", "1")
    assert os.path.getsize(last_incr(tmp_path)) == size


def test_truncated_tail_is_dropped_with_a_warning(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes")
    c = plain_client(srv)
    c.execute_command("SET", "kept", "1")
    srv.stop()
    incr = last_incr(tmp_path)
    good = os.path.getsize(incr)
    with open(incr, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nval")
    srv2 = start_on(server_factory, tmp_path, appendonly="yes")
    c2 = plain_client(srv2)
    assert c2.execute_command("GET", "kept") == b"1"
    assert c2.execute_command("EXISTS", "lost") == 0
    assert "short read while loading the AOF file" in srv2.log()
    assert os.path.getsize(incr) == good
    # New writes append after the cut and load again.
    c2.execute_command("SET", "later", "2")
    srv2.stop()
    srv3 = start_on(server_factory, tmp_path, appendonly="yes")
    assert plain_client(srv3).execute_command("GET", "later") == b"2"


def test_truncated_tail_refused_without_aof_load_truncated(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes")
    plain_client(srv).execute_command("SET", "k", "v")
    srv.stop()
    with open(last_incr(tmp_path), "ab") as f:
        f.write(b"*2\r\n$3\r\nDEL")
    with pytest.raises(RuntimeError, match="Unexpected end of file"):
        start_on(server_factory, tmp_path, appendonly="yes", aof_load_truncated="no")


def test_corrupt_middle_stops_start_up_with_the_offset(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes")
    c = plain_client(srv)
    c.execute_command("SET", "a", "1")
    c.execute_command("SET", "b", "2")
    srv.stop()
    incr = last_incr(tmp_path)
    data = open(incr, "rb").read()
    second = data.index(b"*3\r\n$3\r\nSET\r\n$1\r\nb")
    with open(incr, "wb") as f:
        f.write(data[:second] + b"garbage\r\n" + data[second:])
    with pytest.raises(RuntimeError, match=f"Bad file format.*at offset {second}"):
        start_on(server_factory, tmp_path, appendonly="yes")


def test_check_tool_reports_and_fixes(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes")
    plain_client(srv).execute_command("SET", "a", "1")
    srv.stop()
    incr = last_incr(tmp_path)
    good = os.path.getsize(incr)
    ok = subprocess.run([CHECK_AOF, incr], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "is valid" in ok.stdout
    with open(incr, "ab") as f:
        f.write(b"*1\r\n$4\r\nPI")
    bad = subprocess.run([CHECK_AOF, incr], capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"offset {good}" in bad.stdout
    fixed = subprocess.run([CHECK_AOF, "--fix", incr], capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert os.path.getsize(incr) == good
    whole = subprocess.run([CHECK_AOF, os.path.join(tmp_path, AOF_DIR, "appendonly.aof.manifest")],
                           capture_output=True, text=True)
    assert whole.returncode == 0, whole.stdout + whole.stderr


def test_automatic_rewrite_on_growth(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes",
                   auto_aof_rewrite_percentage="100", auto_aof_rewrite_min_size="1kb")
    c = plain_client(srv)
    for i in range(200):
        c.execute_command("SET", f"key:{i}", "x" * 50)
    wait_until(lambda: int(info_fields(srv, "persistence")["aof_rewrites"]) >= 1,
               what="an automatic rewrite")
    assert "Starting automatic rewriting of AOF" in srv.log()


@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_concurrent_writers_and_kill_9(server_factory, tmp_path, fsync):
    """Four clients write; after kill -9 every acknowledged write is there
    with `always`. With `everysec` at most about a second of them may be
    missing (only a machine crash loses what was written but not fsynced: after
    kill -9 the kernel still has it, so in practice nothing is missing)."""
    srv = start_on(server_factory, tmp_path, appendonly="yes", appendfsync=fsync)
    acked = [[] for _ in range(4)]
    stop = threading.Event()

    def writer(n):
        w = plain_client(srv)
        i = 0
        try:
            while not stop.is_set():
                w.execute_command("RPUSH", f"w{n}", i)
                acked[n].append(i)
                i += 1
        except Exception:
            pass  # the server died under us

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    stop.set()
    for t in threads:
        t.join()
    srv2 = start_on(server_factory, tmp_path, appendonly="yes")
    c = plain_client(srv2)
    for n in range(4):
        assert acked[n], "writer made no progress"
        got = [int(x) for x in c.execute_command("LRANGE", f"w{n}", 0, -1)]
        # What is there is in order and complete up to where it ends; at most
        # the one write in flight when the server died is extra.
        assert got == list(range(len(got)))
        assert len(got) <= len(acked[n]) + 1
        missing = len(acked[n]) - len(got)
        if fsync == "always":
            assert missing <= 0
        else:
            per_second = len(acked[n]) / 1.5
            assert missing <= per_second


def test_bad_append_names_stop_start_up(tmp_path):
    for name, value, why in (("appendfilename", "a/b", "appendfilename can't be a path"),
                             ("appenddirname", "..", "appenddirname can't be a path")):
        code, out, _ = run_failing_server(["--port", "0", "--dir", str(tmp_path), "--" + name,
                                           value])
        assert code != 0
        assert why in out


def test_info_and_config(server_factory, tmp_path):
    srv = start_on(server_factory, tmp_path, appendonly="yes")
    c = plain_client(srv)
    got = c.execute_command("CONFIG", "GET", "append*")
    got = dict(zip(got[::2], got[1::2]))
    assert got == {b"appendonly": b"yes", b"appendfilename": b"appendonly.aof",
                   b"appenddirname": b"appendonlydir", b"appendfsync": b"everysec"}
    with pytest.raises(Exception, match="can't set immutable config"):
        c.execute_command("CONFIG", "SET", "appendfilename", "other.aof")
    with pytest.raises(Exception):
        c.execute_command("CONFIG", "SET", "appendfsync", "sometimes")
    c.execute_command("CONFIG", "SET", "appendfsync", "always")
    c.execute_command("SET", "k", "v")
    fields = info_fields(srv, "persistence")
    assert int(fields["aof_current_size"]) > 0
    assert fields["aof_buffer_length"] == "0"
    stats = info_fields(srv, "stats")
    assert int(stats["total_forks"]) == 0

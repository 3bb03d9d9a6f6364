# SPDX-License-Identifier: BSD-3-Clause
#
# The stock tools against the server: redis-cli (single commands, raw and
# formatted output, stdin scripts, --pipe, -x, -n, -r) and redis-benchmark.
import os
import re
import shutil
import subprocess

import pytest

CLI = shutil.which("redis-cli")
BENCH = shutil.which("redis-benchmark")

pytestmark = pytest.mark.skipif(CLI is None, reason="redis-cli is not installed")


def cli(server, *args, stdin=None, timeout=20):
    p = subprocess.run([CLI, "-h", server.host, "-p", str(server.port)] + list(args),
                       input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def test_cli_ping(server):
    assert cli(server, "PING") == (0, "PONG\n", "")
    assert cli(server, "PING", "hello") == (0, "hello\n", "")


def test_cli_set_get(server, r):
    assert cli(server, "SET", "greeting", "hello world") == (0, "OK\n", "")
    assert r.get("greeting") == b"hello world"
    assert cli(server, "GET", "greeting") == (0, "hello world\n", "")


def test_cli_raw_and_formatted_output(server, r):
    r.mset({"e1": "a", "e2": "b c"})
    assert cli(server, "--raw", "MGET", "e1", "e2")[1] == "a\nb c\n"
    assert cli(server, "--no-raw", "MGET", "e1", "e2")[1] == '1) "a"\n2) "b c"\n'
    assert cli(server, "--no-raw", "INCR", "n")[1] == "(integer) 1\n"
    assert cli(server, "--raw", "INCR", "n")[1] == "2\n"
    assert cli(server, "--no-raw", "GET", "nosuch")[1] == "(nil)\n"
    assert cli(server, "--no-raw", "FOO", "a")[1] == (
        "(error) ERR unknown command 'FOO', with args beginning with: 'a' \n")
    # (redis-cli adds an empty line after a raw error)
    assert cli(server, "--raw", "FOO")[1] == (
        "ERR unknown command 'FOO', with args beginning with: \n\n")


def test_cli_info(server):
    rc, out, _ = cli(server, "INFO")
    assert rc == 0
    assert "# Server" in out and re.search(r"^redis_version:\S+", out, re.M)
    assert re.search(r"^tcp_port:%d\s*$" % server.port, out, re.M)
    rc, out, _ = cli(server, "INFO", "keyspace")
    assert rc == 0 and out.startswith("# Keyspace")


def test_cli_commands_from_stdin(server, r):
    script = b"SET a 1\nINCR a\nGET a\nSET \"with space\" 'quoted value'\n"
    rc, out, _ = cli(server, stdin=script)
    assert rc == 0
    assert out == "OK\n2\n2\nOK\n"
    assert r.get("with space") == b"quoted value"


def test_cli_pipe_mode(server, r):
    lines = b"".join(b"SET key:%d value:%d\r\n" % (i, i) for i in range(1000))
    lines += b"INCR counter\r\n" * 10
    rc, out, _ = cli(server, "--pipe", stdin=lines)
    assert rc == 0
    assert "errors: 0, replies: 1010" in out
    assert r.dbsize() == 1001
    assert r.get("key:999") == b"value:999"
    assert r.get("counter") == b"10"


def test_cli_pipe_mode_counts_errors(server, r):
    rc, out, _ = cli(server, "--pipe", stdin=b"SET a 1\r\nNOSUCH x\r\nINCR a\r\nGET\r\n")
    assert "errors: 2, replies: 4" in out


def test_cli_stdin_as_last_argument(server, r):
    payload = bytes(range(256)) * 4
    rc, out, _ = cli(server, "-x", "SET", "blob", stdin=payload)
    assert (rc, out) == (0, "OK\n")
    assert r.get("blob") == payload


def test_cli_select_db_and_repeat(server, r):
    assert cli(server, "-n", "2", "SET", "in2", "x")[1] == "OK\n"
    assert cli(server, "-n", "2", "DBSIZE")[1] == "1\n"
    assert cli(server, "DBSIZE")[1] == "0\n"
    assert cli(server, "-r", "3", "INCR", "rep")[1] == "1\n2\n3\n"


def test_cli_large_value(server, r):
    r.set("big", "v" * 200000)
    rc, out, _ = cli(server, "GET", "big")
    assert rc == 0 and out == "v" * 200000 + "\n"


@pytest.mark.skipif(BENCH is None, reason="redis-benchmark is not installed")
def test_benchmark_set_get(server, r):
    p = subprocess.run([BENCH, "-h", server.host, "-p", str(server.port), "-q", "-n", "2000",
                        "-t", "set,get"], capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace").replace("\r", "\n")
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0, out + err
    assert re.search(r"^\s*SET: [\d.]+ requests per second", out, re.M), out
    assert re.search(r"^\s*GET: [\d.]+ requests per second", out, re.M), out
    assert "error" not in (out + err).lower()
    stats = r.info("commandstats")
    assert stats["cmdstat_set"]["calls"] >= 2000
    assert stats["cmdstat_get"]["calls"] >= 2000


@pytest.mark.skipif(BENCH is None, reason="redis-benchmark is not installed")
def test_benchmark_pipelined(server):
    p = subprocess.run([BENCH, "-h", server.host, "-p", str(server.port), "-q", "-n", "5000",
                        "-P", "16", "-c", "20", "-t", "ping,incr,set"], capture_output=True,
                       timeout=60)
    out = p.stdout.decode("utf-8", "replace").replace("\r", "\n")
    assert p.returncode == 0
    assert len(re.findall(r"requests per second", out)) >= 3, out


def test_cli_unix_socket(server_factory, tmp_path):
    path = os.path.join(str(tmp_path), "cli.sock")
    srv = server_factory(config={"unixsocket": path})
    assert srv.alive()
    p = subprocess.run([CLI, "-s", path, "PING"], capture_output=True, timeout=20)
    assert (p.returncode, p.stdout) == (0, b"PONG\n")

# SPDX-License-Identifier: BSD-3-Clause
#
# CONFIG GET/SET/RESETSTAT/REWRITE, config value parsing (bool, int, memory,
# enum), config file errors at start-up, and command-line overrides.
import fnmatch
import re

import pytest
import redis

from conftest import default_maxclients, Server, free_port, roundtrip
from helpers_server import run_failing_server

SET_FAILED = "CONFIG SET failed (possibly related to argument '%s') - %s"


def config_set_error(client, *args):
    with pytest.raises(redis.ResponseError) as e:
        client.execute_command("CONFIG", "SET", *args)
    return str(e.value)


def config_value(client, name):
    return client.config_get(name)[name]


# --- CONFIG GET ---------------------------------------------------------------------

def test_config_get_glob(r):
    got = r.config_get("maxmemory*")
    assert all(fnmatch.fnmatchcase(k, "maxmemory*") for k in got)
    for key, value in {"maxmemory": "0", "maxmemory-policy": "noeviction",
                       "maxmemory-samples": "5"}.items():
        assert got[key] == value
    wide = r.config_get("*max*")
    assert all("max" in k for k in wide)
    for key in ("maxmemory", "maxclients", "proto-max-bulk-len"):
        assert key in wide
    assert wide["maxclients"] == default_maxclients()
    assert wide["proto-max-bulk-len"] == "536870912"
    q = r.config_get("h?")
    assert q == {"hz": "10"}


def test_config_get_glob_is_case_insensitive(r):
    assert "maxmemory-samples" in r.config_get("MAXMEM*")


def test_config_get_exact_name_echoes_the_requested_spelling(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "GET", "MAXMEMORY")) == [
        b"*2\r\n$9\r\nMAXMEMORY\r\n$1\r\n0\r\n"]
    s.close()


def test_config_get_multiple_patterns(server, r):
    got = r.execute_command("CONFIG", "GET", "port", "hz", "maxmemory-policy")
    got = {k.decode(): v.decode() for k, v in zip(got[::2], got[1::2])}
    assert got == {"port": str(server.port), "hz": "10", "maxmemory-policy": "noeviction"}
    # a parameter matched twice is returned once
    s = server.connect()
    raw = roundtrip(s, ("CONFIG", "GET", "hz", "hz", "h?"))[0]
    assert raw == b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    raw = roundtrip(s, ("CONFIG", "GET", "maxmemory*", "maxmemory"))[0]
    assert raw.count(b"\r\nmaxmemory\r\n") == 1
    s.close()


def test_config_get_unknown_and_arity(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "GET", "nosuchparam"), ("CONFIG", "GET")) == [
        b"*0\r\n", b"-ERR wrong number of arguments for 'config|get' command\r\n"]
    s.close()


# --- CONFIG SET ---------------------------------------------------------------------

def test_config_set_several_pairs(r):
    assert r.execute_command("CONFIG", "SET", "maxmemory", "10mb", "hz", "20",
                             "maxmemory-policy", "allkeys-lru") == b"OK"
    try:
        assert r.config_get("maxmemory") == {"maxmemory": "10485760"}
        assert config_value(r, "hz") == "20"
        assert config_value(r, "maxmemory-policy") == "allkeys-lru"
    finally:
        r.execute_command("CONFIG", "SET", "maxmemory", "0", "hz", "10",
                          "maxmemory-policy", "noeviction")


def test_config_set_is_atomic(r):
    assert config_set_error(r, "maxmemory", "20mb", "hz", "abc") == SET_FAILED % (
        "hz", "argument couldn't be parsed into an integer")
    assert config_value(r, "maxmemory") == "0"
    assert config_value(r, "hz") == "10"
    assert config_set_error(r, "maxmemory", "5mb", "maxmemory-policy", "bad") == SET_FAILED % (
        "maxmemory-policy", "argument(s) must be one of the following: volatile-lru, "
        "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
        "allkeys-random, noeviction")
    assert config_value(r, "maxmemory") == "0"
    assert config_set_error(r, "hz", "11", "foo", "bar") == (
        "Unknown option or number of arguments for CONFIG SET - 'foo'")
    assert config_value(r, "hz") == "10"
    assert config_set_error(r, "hz", "11", "databases", "4") == SET_FAILED % (
        "databases", "can't set immutable config")
    assert config_value(r, "hz") == "10"


def test_config_set_errors(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "SET", "foo", "bar"),
                     ("CONFIG", "SET", "databases", "5"),
                     ("CONFIG", "SET", "hz", "10", "hz", "11"),
                     ("CONFIG", "SET", "hz", "10", "HZ", "11"),
                     ("CONFIG", "SET", "hz", "10", "maxmemory"),
                     ("CONFIG", "SET", "maxmemory")) == [
        b"-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n",
        b"-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
        b"immutable config\r\n",
        b"-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n",
        b"-ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR wrong number of arguments for 'config|set' command\r\n",
    ]
    s.close()


def test_config_set_bool(r):
    try:
        assert r.config_set("activerehashing", "NO")
        assert config_value(r, "activerehashing") == "no"
        assert r.config_set("activerehashing", "yes")
        assert config_value(r, "activerehashing") == "yes"
        assert config_set_error(r, "activerehashing", "maybe") == SET_FAILED % (
            "activerehashing", "argument must be 'yes' or 'no'")
        assert config_set_error(r, "dynamic-hz", "1") == SET_FAILED % (
            "dynamic-hz", "argument must be 'yes' or 'no'")
    finally:
        r.config_set("activerehashing", "yes")


def test_config_set_int_and_ranges(r):
    try:
        assert r.config_set("timeout", "300")
        assert config_value(r, "timeout") == "300"
        assert config_set_error(r, "timeout", "-1") == SET_FAILED % (
            "timeout", "argument must be between 0 and 2147483647 inclusive")
        assert config_set_error(r, "maxclients", "0") == SET_FAILED % (
            "maxclients", "argument must be between 1 and 4294967295 inclusive")
        assert config_set_error(r, "port", "70000") == SET_FAILED % (
            "port", "argument must be between 0 and 65535 inclusive")
        assert config_set_error(r, "tcp-keepalive", "-1") == SET_FAILED % (
            "tcp-keepalive", "argument must be between 0 and 2147483647 inclusive")
        assert config_set_error(r, "timeout", "1.5") == SET_FAILED % (
            "timeout", "argument couldn't be parsed into an integer")
    finally:
        r.config_set("timeout", "0")


def test_config_set_hz_is_clamped(r):
    try:
        assert r.config_set("hz", "600")
        assert config_value(r, "hz") == "500"
        assert r.config_set("hz", "0")
        assert config_value(r, "hz") == "1"
    finally:
        r.config_set("hz", "10")


@pytest.mark.parametrize("text,value", [
    ("1mb", "1048576"), ("1MB", "1048576"), ("1gb", "1073741824"), ("1GB", "1073741824"),
    ("1kb", "1024"), ("1k", "1000"), ("2m", "2000000"), ("1g", "1000000000"),
    ("1b", "1"), ("12345", "12345"), ("0", "0"),
])
def test_config_set_memory_units(r, text, value):
    try:
        assert r.config_set("maxmemory", text)
        assert config_value(r, "maxmemory") == value
    finally:
        r.config_set("maxmemory", "0")


@pytest.mark.parametrize("text", ["1xb", "-1", "1.5mb", "1 mb", "1mbb"])
def test_config_set_memory_invalid(r, text):
    assert config_set_error(r, "maxmemory", text) == SET_FAILED % (
        "maxmemory", "argument must be a memory value")
    assert config_value(r, "maxmemory") == "0"


def test_config_set_enum(r):
    try:
        assert r.config_set("maxmemory-policy", "ALLKEYS-LRU")
        assert config_value(r, "maxmemory-policy") == "allkeys-lru"
        assert r.config_set("loglevel", "warning")
        assert config_value(r, "loglevel") == "warning"
        assert config_set_error(r, "loglevel", "loud") == SET_FAILED % (
            "loglevel", "argument(s) must be one of the following: debug, verbose, notice, "
            "warning")
    finally:
        r.config_set("maxmemory-policy", "noeviction")
        r.config_set("loglevel", "notice")


def test_config_unknown_subcommand_and_arity(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "FOO"), ("CONFIG",), ("CONFIG", "RESETSTAT", "x")) == [
        b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n",
        b"-ERR wrong number of arguments for 'config' command\r\n",
        b"-ERR wrong number of arguments for 'config|resetstat' command\r\n"]
    s.close()


# --- CONFIG RESETSTAT ------------------------------------------------------------------

def test_config_resetstat(server, r):
    r.set("k", "v")
    r.get("k")
    r.get("missing")
    with pytest.raises(redis.ResponseError):
        r.execute_command("NOSUCHCOMMAND")
    with pytest.raises(redis.ResponseError):
        r.incr("k")
    stats = r.info("stats")
    assert stats["keyspace_hits"] >= 1 and stats["keyspace_misses"] >= 1
    assert stats["total_error_replies"] >= 2
    s = server.connect()
    replies = roundtrip(s, ("CONFIG", "RESETSTAT"), ("INFO", "stats"), ("INFO", "commandstats"),
                        ("INFO", "errorstats"))
    s.close()
    assert replies[0] == b"+OK\r\n"
    after = {}
    for line in replies[1].decode().split("\r\n"):
        if ":" in line:
            k, _, v = line.partition(":")
            after[k] = v
    for field in ("keyspace_hits", "keyspace_misses", "total_error_replies",
                  "rejected_connections", "expired_keys", "total_connections_received"):
        assert after[field] == "0", field
    # the RESETSTAT itself is counted once it has run
    assert after["total_commands_processed"] == "1"
    cmdstats = replies[2].decode()
    assert "cmdstat_set:" not in cmdstats and "cmdstat_get:" not in cmdstats
    assert "cmdstat_config|resetstat:calls=1," in cmdstats
    assert "errorstat_" not in replies[3].decode()


# --- CONFIG REWRITE ---------------------------------------------------------------------

CONF = """# loom test config: top comment
hz 15

# memory settings below
maxmemory 10mb
maxmemory-policy allkeys-lru
# trailing comment
"""


def directive_lines(text):
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_config_rewrite(server_factory):
    srv = server_factory(conf_text=CONF)
    c = srv.client(decode_responses=True)
    assert c.config_get("hz") == {"hz": "15"}
    assert c.config_get("maxmemory") == {"maxmemory": "10485760"}
    assert c.execute_command("CONFIG", "SET", "maxmemory", "20mb", "hz", "30",
                             "maxclients", "77") == "OK"
    assert c.config_rewrite()
    with open(srv.conf_path) as f:
        text = f.read()
    lines = text.splitlines()
    for comment in ("# loom test config: top comment", "# memory settings below",
                    "# trailing comment"):
        assert comment in lines
    # changed values are rewritten in place, in their original order
    hz_at = lines.index("hz 30")
    mm = [i for i, ln in enumerate(lines) if ln.startswith("maxmemory ")]
    assert len(mm) == 1 and lines[mm[0]] in ("maxmemory 20mb", "maxmemory 20971520")
    assert lines.index("# loom test config: top comment") < hz_at < mm[0]
    assert lines.index("# memory settings below") < mm[0]
    assert "hz 15" not in lines
    assert "maxmemory-policy allkeys-lru" in lines
    # a directive that was not in the file is appended after the original text
    mc = lines.index("maxclients 77")
    assert mc > lines.index("# trailing comment")
    names = [ln.split()[0] for ln in directive_lines(text)]
    assert names.count("hz") == 1 and names.count("maxclients") == 1
    # the rewritten file starts a server with the same settings
    again = server_factory(conf_text=text)
    c2 = again.client(decode_responses=True)
    assert c2.config_get("maxmemory") == {"maxmemory": "20971520"}
    assert c2.config_get("hz") == {"hz": "30"}
    assert c2.config_get("maxclients") == {"maxclients": "77"}
    assert c2.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}


def test_config_rewrite_is_idempotent(server_factory):
    srv = server_factory(conf_text=CONF)
    c = srv.client()
    c.config_set("hz", "25")
    assert c.config_rewrite()
    with open(srv.conf_path) as f:
        first = f.read()
    assert c.config_rewrite()
    with open(srv.conf_path) as f:
        second = f.read()
    # the same lines (Redis adds a blank line at the end on every rewrite)
    assert [ln for ln in second.splitlines() if ln.strip()] == [
        ln for ln in first.splitlines() if ln.strip()]


def test_config_rewrite_without_file(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "REWRITE")) == [
        b"-ERR The server is running without a config file\r\n"]
    s.close()


# --- config file errors at start-up -------------------------------------------------------

BAD_LINES = [
    ("foo bar", "Bad directive or wrong number of arguments"),
    ("maxmemory 10xb", "argument must be a memory value"),
    ("hz 1 2", "wrong number of arguments"),
    ("maxclients", "wrong number of arguments"),
    ("databases 0", "argument must be between 1 and 2147483647 inclusive"),
    ("dynamic-hz maybe", "argument must be 'yes' or 'no'"),
    ("hz abc", "argument couldn't be parsed into an integer"),
    ('logfile "abc', "Unbalanced quotes in configuration line"),
    ("maxmemory-policy bad", "argument(s) must be one of the following: volatile-lru, "
     "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
     "noeviction"),
]


def bad_conf(line):
    # line 1 keeps a wrongly started server off the default port
    return "port %d\n# a comment on line 2\n%s\nhz 10\n" % (free_port(), line)


@pytest.mark.parametrize("line,reason", BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_config_file_error_stops_startup(line, reason):
    rc, out, _ = run_failing_server([], conf_text=bad_conf(line), timeout=5)
    assert rc != 0
    assert "Reading the configuration file, at line 3" in out
    assert ">>> '%s'" % line in out
    assert reason in out.splitlines()
    order = [out.index("at line 3"), out.index(">>> '%s'" % line), out.index(reason)]
    assert order == sorted(order)


@pytest.mark.loom_only
def test_config_file_error_names_the_file():
    rc, out, path = run_failing_server([], conf_text=bad_conf("foo bar"), timeout=5)
    assert rc != 0
    assert path in out
    assert "FATAL CONFIG FILE ERROR" in out


def test_missing_config_file_stops_startup():
    rc, out, _ = run_failing_server(["/nonexistent/loom-test.conf"], timeout=5)
    assert rc != 0
    assert "/nonexistent/loom-test.conf" in out


def test_unknown_command_line_option_stops_startup():
    rc, out, _ = run_failing_server(["--port", str(free_port()), "--nosuchoption", "1"],
                                    timeout=5)
    assert rc != 0
    assert "nosuchoption" in out
    assert "Bad directive or wrong number of arguments" in out


def test_directive_names_are_case_insensitive(server_factory):
    srv = server_factory(conf_text="HZ 12\nMaxMemory 1mb\n")
    c = srv.client(decode_responses=True)
    assert c.config_get("hz") == {"hz": "12"}
    assert c.config_get("maxmemory") == {"maxmemory": "1048576"}


# --- command-line overrides ------------------------------------------------------------------

def test_command_line_options(server_factory):
    srv = server_factory(config={"maxclients": "50", "hz": "13"})
    c = srv.client(decode_responses=True)
    assert c.config_get("port") == {"port": str(srv.port)}
    assert c.config_get("maxclients") == {"maxclients": "50"}
    assert c.config_get("hz") == {"hz": "13"}
    assert int(c.info("server")["tcp_port"]) == srv.port


def test_command_line_beats_config_file(server_factory):
    srv = server_factory(conf_text="maxclients 40\nhz 15\ntimeout 7\n",
                         config={"maxclients": "50", "timeout": "9"})
    c = srv.client(decode_responses=True)
    assert c.config_get("maxclients") == {"maxclients": "50"}
    assert c.config_get("timeout") == {"timeout": "9"}
    assert c.config_get("hz") == {"hz": "15"}
    assert c.info("server")["config_file"] == srv.conf_path


def test_config_file_quoted_values(server_factory):
    srv = server_factory(conf_text='unixsocket ""\nmaxmemory-policy "allkeys-lru"\n'
                                   "loglevel 'warning'\n")
    c = srv.client(decode_responses=True)
    assert c.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    assert c.config_get("loglevel") == {"loglevel": "warning"}


def test_server_uses_config_file_path(server_factory):
    srv = server_factory(conf_text="hz 11\n")
    info = srv.client(decode_responses=True).info("server")
    assert info["config_file"] == srv.conf_path
    assert re.fullmatch(r"[0-9a-f]{40}", info["run_id"])


def test_restart_same_config_keeps_settings(server_factory):
    srv = server_factory(conf_text="hz 17\n")
    assert srv.stop() == 0
    again = Server(conf_text="hz 17\n")
    try:
        assert again.client().config_get("hz") == {"hz": "17"}
    finally:
        again.cleanup()

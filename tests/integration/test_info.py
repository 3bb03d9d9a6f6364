# SPDX-License-Identifier: BSD-3-Clause
#
# INFO: section selection (default, all, everything, several, unknown), the text
# layout, and the fields people scrape: server, clients, memory, stats, cpu,
# commandstats, errorstats, keyspace.
import os
import re
import time

import pytest

from conftest import default_maxclients, encode, read_reply, roundtrip
from helpers_server import info_fields, info_text, parse_info, plain_client, wait_until

DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace"]
ALL_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]
MULTIPLEXERS = {"epoll", "poll", "select", "kqueue", "evport"}


def headers(text):
    return [ln[2:] for ln in text.split("\r\n") if ln.startswith("# ")]


def redis_headers(text):
    """The section headers Redis 7.0 knows, in order (loom may add its own
    sections, e.g. for I/O and BIO threads)."""
    return [h for h in headers(text) if h in ALL_SECTIONS]


def stats_of(server):
    return info_fields(server, "stats")


# --- sections and layout ------------------------------------------------------------

def test_info_default_sections(server):
    assert redis_headers(info_text(server)) == DEFAULT_SECTIONS
    assert redis_headers(info_text(server, "default")) == DEFAULT_SECTIONS
    assert headers(info_text(server, "default")) == headers(info_text(server))


def test_info_all_and_everything(server):
    assert redis_headers(info_text(server, "all")) == ALL_SECTIONS
    assert redis_headers(info_text(server, "everything")) == ALL_SECTIONS
    assert set(headers(info_text(server))) <= set(headers(info_text(server, "all")))


def test_info_several_sections(server):
    assert headers(info_text(server, "server", "clients")) == ["Server", "Clients"]
    assert headers(info_text(server, "CLIENTS", "keyspace")) == ["Clients", "Keyspace"]
    # order follows the server's section order, not the request's
    assert headers(info_text(server, "keyspace", "server")) == ["Server", "Keyspace"]
    assert headers(info_text(server, "clients", "nosuchsection")) == ["Clients"]


def test_info_unknown_section_is_empty(server):
    s = server.connect()
    assert roundtrip(s, ("INFO", "nosuchsection")) == [b"$0\r\n\r\n"]
    s.close()


def test_info_text_layout(server):
    text = info_text(server)
    assert text.startswith("# Server\r\n")
    assert text.endswith("\r\n") and not text.endswith("\r\n\r\n")
    assert "\n" not in text.replace("\r\n", "")
    blocks = text[:-2].split("\r\n\r\n")
    assert len(blocks) == len(headers(text))
    for block in blocks:
        lines = block.split("\r\n")
        assert lines[0].startswith("# ")
        for line in lines[1:]:
            assert re.fullmatch(r"[a-z0-9_|]+:.*", line), line


def test_info_is_a_bulk_string(server):
    s = server.connect()
    raw = roundtrip(s, ("INFO", "server"))[0]
    s.close()
    header, _, body = raw.partition(b"\r\n")
    assert header.startswith(b"$") and len(body) == int(header[1:]) + 2


# --- server --------------------------------------------------------------------------

def test_info_server_fields(server):
    f = info_fields(server, "server")
    assert re.fullmatch(r"7\.\d+\.\d+", f["redis_version"])
    assert int(f["process_id"]) == server.proc.pid
    assert int(f["tcp_port"]) == server.port
    assert 0 <= int(f["uptime_in_seconds"]) < 600
    assert f["uptime_in_days"] == "0"
    assert f["hz"] == "10" and f["configured_hz"] == "10"
    assert re.fullmatch(r"[0-9a-f]{40}", f["run_id"])
    assert f["arch_bits"] == "64"
    assert f["multiplexing_api"] in MULTIPLEXERS
    assert f["executable"]
    assert f["config_file"] == ""
    assert abs(int(f["server_time_usec"]) / 1e6 - time.time()) < 5
    assert f["os"]


def test_info_server_run_id_stable_and_uptime_monotonic(server):
    a = info_fields(server, "server")
    time.sleep(0.05)
    b = info_fields(server, "server")
    assert a["run_id"] == b["run_id"]
    assert int(b["uptime_in_seconds"]) >= int(a["uptime_in_seconds"])
    assert int(b["server_time_usec"]) > int(a["server_time_usec"])


def test_info_hz_follows_config(server, r):
    r.config_set("hz", "20")
    try:
        f = info_fields(server, "server")
        assert f["hz"] == "20" and f["configured_hz"] == "20"
    finally:
        r.config_set("hz", "10")


@pytest.mark.loom_only
def test_info_executable_is_the_binary(server):
    exe = info_fields(server, "server")["executable"]
    assert os.path.isabs(exe)
    assert os.path.realpath(exe) == os.path.realpath(server.binary)


@pytest.mark.loom_only
def test_info_multiplexing_api_matches_config(server):
    api = info_fields(server, "server")["multiplexing_api"]
    assert api in MULTIPLEXERS
    wanted = os.environ.get("LOOM_MULTIPLEXER")
    if wanted and wanted != "auto":
        assert api == wanted


@pytest.mark.loom_only
@pytest.mark.parametrize("backend", ["poll", "select", "epoll"])
def test_multiplexer_directive_selects_backend(server_factory, backend):
    srv = server_factory(config={"multiplexer": backend})
    assert info_fields(srv, "server")["multiplexing_api"] == backend
    c = srv.client(decode_responses=True)
    assert c.config_get("multiplexer") == {"multiplexer": backend}
    assert c.set("k", "v") and c.get("k") == "v"


# --- clients ---------------------------------------------------------------------------

def test_info_clients_counts_connections(server):
    base = int(info_fields(server, "clients")["connected_clients"])
    socks = [server.connect() for _ in range(3)]
    for s in socks:
        assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
    f = info_fields(server, "clients")
    assert int(f["connected_clients"]) == base + 3
    assert f["maxclients"] == default_maxclients()
    assert f["blocked_clients"] == "0"
    for s in socks:
        s.close()
    wait_until(lambda: int(info_fields(server, "clients")["connected_clients"]) == base,
               what="connected_clients back to the baseline")


# --- memory ------------------------------------------------------------------------------

def test_info_memory_fields(server, r):
    f = info_fields(server, "memory")
    for name in ("used_memory", "used_memory_rss", "used_memory_peak"):
        assert int(f[name]) > 0, name
    assert float(f["mem_fragmentation_ratio"]) > 0
    assert re.fullmatch(r"\d+(\.\d+)?[BKMGTP]", f["used_memory_human"])
    assert f["maxmemory"] == "0"
    assert f["maxmemory_policy"] == "noeviction"
    before = int(f["used_memory"])
    r.set("big", "x" * (4 << 20))
    after = int(info_fields(server, "memory")["used_memory"])
    assert after - before >= 4 << 20
    r.delete("big")
    wait_until(lambda: int(info_fields(server, "memory")["used_memory"]) < before + (1 << 20),
               what="used_memory to drop after DEL")


def test_info_memory_peak_is_at_least_used(server):
    f = info_fields(server, "memory")
    assert int(f["used_memory_peak"]) >= int(f["used_memory"])


# --- stats ---------------------------------------------------------------------------------

def test_info_stats_connections_received(server):
    before = int(stats_of(server)["total_connections_received"])
    for _ in range(5):
        s = server.connect()
        roundtrip(s, ("PING",))
        s.close()
    # stats_of() itself opens one connection
    assert int(stats_of(server)["total_connections_received"]) == before + 6


def test_info_stats_commands_processed(server):
    s = server.connect()

    def processed():
        raw = roundtrip(s, ("INFO", "stats"))[0]
        return int(parse_info(raw.split(b"\r\n", 1)[1])["total_commands_processed"])

    a = processed()
    roundtrip(s, *[("PING",)] * 10)
    b = processed()
    # the ten PINGs plus the first INFO (counted after it produced its reply)
    assert b - a == 11
    # errors from the arity check and unknown commands are not "processed"
    roundtrip(s, ("GET",), ("NOSUCH",))
    assert processed() - b == 1
    s.close()


def test_info_stats_fields_present(server):
    f = stats_of(server)
    for name in ("total_connections_received", "total_commands_processed",
                 "instantaneous_ops_per_sec", "total_net_input_bytes", "total_net_output_bytes",
                 "rejected_connections", "expired_keys", "evicted_keys", "keyspace_hits",
                 "keyspace_misses", "total_error_replies"):
        assert re.fullmatch(r"\d+", f[name]), name


def test_info_stats_keyspace_hits_misses(server, r):
    before = stats_of(server)
    r.set("hit", "1")
    r.get("hit")
    r.get("hit")
    r.get("miss")
    r.exists("hit")
    after = stats_of(server)
    assert int(after["keyspace_hits"]) - int(before["keyspace_hits"]) == 3
    assert int(after["keyspace_misses"]) - int(before["keyspace_misses"]) == 1


def test_info_stats_expired_keys(server, r):
    before = int(stats_of(server)["expired_keys"])
    r.set("gone", "1", px=20)
    r.set("gone2", "1", px=20)
    time.sleep(0.05)
    assert r.get("gone") is None
    wait_until(lambda: int(stats_of(server)["expired_keys"]) == before + 2, timeout=3,
               what="expired_keys to count both keys")


def test_info_stats_total_error_replies(server, r):
    before = int(stats_of(server)["total_error_replies"])
    s = server.connect()
    roundtrip(s, ("GET",), ("NOSUCH",), ("SET", "n", "abc"), ("INCR", "n"),
              ("SETRANGE", "n", "-1", "x"), ("GET", "n"))
    s.close()
    assert int(stats_of(server)["total_error_replies"]) - before == 4


def test_info_stats_instantaneous_ops(server):
    f = stats_of(server)
    assert int(f["instantaneous_ops_per_sec"]) >= 0
    assert float(f["instantaneous_input_kbps"]) >= 0


# --- cpu ------------------------------------------------------------------------------------

def test_info_cpu(server):
    f = info_fields(server, "cpu")
    for name in ("used_cpu_sys", "used_cpu_user"):
        assert re.fullmatch(r"\d+\.\d{6}", f[name]), name
    assert float(f["used_cpu_sys"]) + float(f["used_cpu_user"]) > 0


# --- commandstats / errorstats ----------------------------------------------------------------

CMDSTAT = re.compile(r"calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d{2}),rejected_calls=(\d+),"
                     r"failed_calls=(\d+)")


def cmdstats(server):
    out = {}
    for key, value in info_fields(server, "commandstats").items():
        m = CMDSTAT.fullmatch(value)
        assert key.startswith("cmdstat_") and m, (key, value)
        out[key[len("cmdstat_"):]] = {"calls": int(m[1]), "usec": int(m[2]),
                                      "rejected": int(m[4]), "failed": int(m[5])}
    return out


def test_info_commandstats(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "RESETSTAT")) == [b"+OK\r\n"]
    roundtrip(s, ("SET", "a", "1"), ("GET", "a"), ("GET", "b"), ("GET",), ("INCR", "x"),
              ("SET", "s", "str"), ("INCR", "s"), ("SETRANGE", "s", "-1", "v"), ("NOSUCH", "z"),
              ("CONFIG", "GET", "hz"))
    s.close()
    st = cmdstats(server)
    assert st["get"]["calls"] == 2 and st["get"]["rejected"] == 1 and st["get"]["failed"] == 0
    assert st["set"]["calls"] == 2 and st["set"]["failed"] == 0
    assert st["incr"]["calls"] == 2 and st["incr"]["failed"] == 1
    assert st["setrange"]["calls"] == 1 and st["setrange"]["failed"] == 1
    assert st["config|get"]["calls"] == 1
    assert st["config|resetstat"]["calls"] == 1
    assert "nosuch" not in st
    raw = info_text(server, "commandstats")
    line = [ln for ln in raw.split("\r\n") if ln.startswith("cmdstat_get:")][0]
    calls, usec, per_call = CMDSTAT.fullmatch(line.split(":", 1)[1]).group(1, 2, 3)
    assert abs(float(per_call) - int(usec) / int(calls)) < 0.01


def test_info_commandstats_only_rejected(server):
    s = server.connect()
    roundtrip(s, ("CONFIG", "RESETSTAT"), ("ECHO",), ("ECHO",))
    s.close()
    st = cmdstats(server)
    assert st["echo"] == {"calls": 0, "usec": 0, "rejected": 2, "failed": 0}


def test_info_errorstats(server):
    s = server.connect()
    roundtrip(s, ("CONFIG", "RESETSTAT"), ("GET",), ("NOSUCH",), ("SET", "w", "1"),
              ("INCR", "nonum"), ("SET", "t", "abc"), ("INCR", "t"), ("CONFIG", "SET", "hz", "x"))
    s.close()
    f = info_fields(server, "errorstats")
    assert f == {"errorstat_ERR": "count=4"}
    assert headers(info_text(server, "errorstats")) == ["Errorstats"]


# --- keyspace ---------------------------------------------------------------------------

def test_info_keyspace(server, r):
    assert info_text(server, "keyspace") == "# Keyspace\r\n"
    r.set("a", "1")
    r.set("b", "2")
    r.set("c", "3", ex=100)
    f = info_fields(server, "keyspace")
    assert re.fullmatch(r"keys=3,expires=1,avg_ttl=\d+", f["db0"])
    c3 = server.client(db=3)
    c3.set("x", "1")
    c3.close()
    lines = info_text(server, "keyspace").split("\r\n")
    assert lines[0] == "# Keyspace" and lines[-1] == "" and len(lines) == 4
    assert re.fullmatch(r"db0:keys=3,expires=1,avg_ttl=\d+", lines[1])
    assert lines[2] == "db3:keys=1,expires=0,avg_ttl=0"


def test_info_keyspace_avg_ttl(server, r):
    r.set("t", "1", ex=100)
    r.set("p", "1")

    def avg_ttl():
        m = re.fullmatch(r"keys=2,expires=1,avg_ttl=(\d+)", info_fields(server,
                                                                        "keyspace")["db0"])
        return int(m[1]) if m else None

    ttl = wait_until(avg_ttl, timeout=3, what="avg_ttl to be estimated")
    assert 90000 <= ttl <= 100000


def test_info_via_redis_py(r):
    info = r.info()
    assert "redis_version" in info and "connected_clients" in info
    assert "cmdstat_ping" not in info
    assert isinstance(r.info("all"), dict)


def test_info_over_resp_with_pipeline(server):
    s = server.connect()
    s.sendall(encode("INFO", "server") + encode("PING"))
    raw, rest = read_reply(s)
    assert raw.startswith(b"$")
    assert read_reply(s, rest)[0] == b"+PONG\r\n"
    s.close()


def test_info_takes_any_number_of_sections(server):
    c = plain_client(server)
    text = c.execute_command("INFO", "server", "clients", "memory", "cpu", "stats")
    assert headers(text.decode()) == ["Server", "Clients", "Memory", "Stats", "CPU"]
    assert c.execute_command("INFO", "") == b""
    c.close()

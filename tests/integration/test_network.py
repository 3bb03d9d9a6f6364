# SPDX-License-Identifier: BSD-3-Clause
#
# Listeners and connection management: Unix sockets and their permissions, IPv6,
# several bind addresses, maxclients, the idle timeout, tcp-keepalive, and many
# simultaneous connections.
import os
import select
import shutil
import socket
import stat
import tempfile
import time

import pytest
import redis

from conftest import AGAINST_REDIS, encode, read_reply, roundtrip
from helpers_server import BareServer, read_until_closed, wait_until


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def sockdir():
    d = tempfile.mkdtemp(prefix="loom-sock-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_unix_socket_with_permissions(server_factory, sockdir):
    path = os.path.join(sockdir, "loom.sock")
    srv = server_factory(config={"unixsocket": path, "unixsocketperm": "700"})
    st = os.stat(path)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o700
    c = srv.client(unix_socket_path=path, decode_responses=True)
    assert c.set("over", "unix")
    assert c.get("over") == "unix"
    info = c.client_info()
    assert info["addr"] == path + ":0"
    assert info["laddr"] == path + ":0"
    assert "U" in info["flags"]
    assert c.config_get("unixsocket") == {"unixsocket": path}
    assert c.config_get("unixsocketperm") == {"unixsocketperm": "700"}
    c.close()
    # the TCP listener is still there alongside
    assert srv.client().get("over") == b"unix"


def test_unix_socket_removed_on_shutdown_and_stale_file_replaced(server_factory, sockdir):
    path = os.path.join(sockdir, "stale.sock")
    with open(path, "w") as f:
        f.write("not a socket")
    srv = server_factory(config={"unixsocket": path, "unixsocketperm": "770"})
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o770
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
    s.close()
    assert srv.stop() == 0
    assert not os.path.exists(path)


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback")
def test_ipv6_bind(server_factory):
    srv = server_factory(config={"bind": ["127.0.0.1", "::1"]})
    s = socket.create_connection(("::1", srv.port), timeout=5)
    ok, raw = roundtrip(s, ("SET", "v6", "yes"), ("CLIENT", "INFO"))
    assert ok == b"+OK\r\n"
    assert b"addr=[::1]:" in raw
    assert b"laddr=[::1]:%d " % srv.port in raw
    s.close()
    c = redis.Redis(host="::1", port=srv.port, socket_timeout=10)
    assert c.get("v6") == b"yes"
    c.close()
    assert srv.client().config_get("bind") == {"bind": "127.0.0.1 ::1"}


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback")
def test_optional_bind_address_with_dash(server_factory):
    # "-addr" means: bind it if it is available, don't fail otherwise
    srv = server_factory(config={"bind": ["127.0.0.1", "-::1"]})
    s = socket.create_connection(("::1", srv.port), timeout=5)
    assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
    s.close()


def test_bind_two_addresses(server_factory):
    srv = server_factory(config={"bind": ["127.0.0.1", "127.0.0.2"]})
    for host in ("127.0.0.1", "127.0.0.2"):
        s = socket.create_connection((host, srv.port), timeout=5)
        s.sendall(encode("CLIENT", "INFO"))
        raw, _ = read_reply(s)
        assert b"laddr=%s:%d " % (host.encode(), srv.port) in raw
        s.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.3", srv.port), timeout=5)


def test_bind_unavailable_address_fails_start(server_factory):
    with pytest.raises(RuntimeError):
        server_factory(config={"bind": ["127.0.0.1", "192.0.2.1"]})


def test_maxclients(server_factory):
    srv = server_factory(config={"maxclients": "10"})
    socks = []
    try:
        for _ in range(10):
            s = srv.connect()
            assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
            socks.append(s)
        extra = srv.connect()
        data, closed = read_until_closed(extra, timeout=3)
        extra.close()
        assert (data, closed) == (b"-ERR max number of clients reached\r\n", True)
        socks[0].sendall(encode("INFO", "stats"))
        raw, _ = read_reply(socks[0])
        assert b"\r\nrejected_connections:1\r\n" in raw
        # the limit can be raised at run time
        assert roundtrip(socks[0], ("CONFIG", "SET", "maxclients", "11")) == [b"+OK\r\n"]
        more = srv.connect()
        assert roundtrip(more, ("PING",)) == [b"+PONG\r\n"]
        socks.append(more)
        extra = srv.connect()
        assert read_until_closed(extra, timeout=3) == (
            b"-ERR max number of clients reached\r\n", True)
        extra.close()
        assert roundtrip(socks[1], ("INFO", "clients"))[0].count(b"connected_clients:11\r\n") == 1
        # a slot freed by a disconnect is reusable
        socks.pop().close()
        wait_until(lambda: b"connected_clients:10\r\n" in roundtrip(socks[0], ("INFO",
                                                                              "clients"))[0],
                   what="a client slot to be freed")
        s = srv.connect()
        assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
        socks.append(s)
    finally:
        for s in socks:
            s.close()


def test_maxclients_config_get(server_factory):
    srv = server_factory(config={"maxclients": "50"})
    c = srv.client(decode_responses=True)
    assert c.config_get("maxclients") == {"maxclients": "50"}
    assert c.info("clients")["maxclients"] == 50


def test_idle_timeout_disconnects_idle_not_busy(server_factory):
    srv = server_factory(config={"timeout": "1"})
    idle = srv.connect()
    busy = srv.connect()
    assert roundtrip(idle, ("PING",)) == [b"+PONG\r\n"]
    assert roundtrip(busy, ("PING",)) == [b"+PONG\r\n"]
    start = time.monotonic()
    closed_at = None
    while time.monotonic() - start < 4.5:
        assert roundtrip(busy, ("PING",)) == [b"+PONG\r\n"]
        if closed_at is None:
            ready, _, _ = select.select([idle], [], [], 0.25)
            if ready and idle.recv(100) == b"":
                closed_at = time.monotonic() - start
        else:
            time.sleep(0.25)
            if time.monotonic() - start > closed_at + 1.5:
                break
    assert closed_at is not None, "idle client was not disconnected"
    assert 0.9 <= closed_at <= 3.5
    assert roundtrip(busy, ("PING",)) == [b"+PONG\r\n"]
    idle.close()
    busy.close()


def test_timeout_zero_never_disconnects(server_factory):
    srv = server_factory(config={"timeout": "0"})
    s = srv.connect()
    c = srv.client()
    assert c.config_get("timeout") == {"timeout": "0"}
    time.sleep(1.5)
    assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
    s.close()


def test_tcp_keepalive_accepted(server_factory):
    srv = server_factory(config={"tcp-keepalive": "60"})
    c = srv.client(decode_responses=True)
    assert c.config_get("tcp-keepalive") == {"tcp-keepalive": "60"}
    assert c.config_set("tcp-keepalive", "0")
    assert c.config_get("tcp-keepalive") == {"tcp-keepalive": "0"}
    assert c.config_set("tcp-keepalive", "300")
    s = srv.connect()
    assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
    s.close()


def test_default_tcp_keepalive_is_300(r):
    assert r.config_get("tcp-keepalive") == {"tcp-keepalive": "300"}


def test_500_connections_at_once(server, r):
    before = r.info("clients")["connected_clients"]
    socks = []
    try:
        for _ in range(500):
            socks.append(server.connect())
        for i, s in enumerate(socks):
            s.sendall(encode("INCR", "conns") + encode("ECHO", "c%d" % i))
        seen = set()
        for i, s in enumerate(socks):
            raw, rest = read_reply(s)
            n = int(raw[1:-2])
            assert raw.startswith(b":") and 1 <= n <= 500
            seen.add(n)
            raw, rest = read_reply(s, rest)
            e = b"c%d" % i
            assert raw == b"$%d\r\n%s\r\n" % (len(e), e)
        assert seen == set(range(1, 501))
        assert r.info("clients")["connected_clients"] == before + 500
        assert r.get("conns") == b"500"
    finally:
        for s in socks:
            s.close()
    wait_until(lambda: r.info("clients")["connected_clients"] == before, timeout=5,
               what="500 clients to disconnect")


def test_default_bind():
    # Redis binds every address by default ("* -::*"); loom binds the loopback
    # addresses only ("127.0.0.1 -::1")
    bare = BareServer()
    try:
        c = redis.Redis(port=bare.port, socket_timeout=10, decode_responses=True)
        expected = "* -::*" if AGAINST_REDIS else "127.0.0.1 -::1"
        assert c.config_get("bind") == {"bind": expected}
        assert c.ping()
        c.close()
        if has_ipv6_loopback():
            s = socket.create_connection(("::1", bare.port), timeout=5)
            assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
            s.close()
    finally:
        bare.close()

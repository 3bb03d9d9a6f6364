# SPDX-License-Identifier: BSD-3-Clause
#
# The CLIENT command: ID, SETNAME/GETNAME, LIST (fields, TYPE and ID filters), INFO,
# KILL (old addr form and the filter form), and its error replies.
import re
import time

from conftest import roundtrip
from helpers_server import read_until_closed, wait_until

BAD_NAME = b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"


def bulk(raw):
    header, _, rest = raw.partition(b"\r\n")
    assert header.startswith(b"$")
    body = rest[:int(header[1:])]
    assert rest[len(body):] == b"\r\n"
    return body.decode()


def fields(line):
    return dict(f.split("=", 1) for f in line.split(" "))


def client_line(sock):
    return bulk(roundtrip(sock, ("CLIENT", "INFO"))[0])


def addr_of(sock):
    host, port = sock.getsockname()[:2]
    return "%s:%d" % (host, port)


def test_client_id(server):
    a, b = server.connect(), server.connect()
    ida = int(roundtrip(a, ("CLIENT", "ID"))[0][1:-2])
    idb = int(roundtrip(b, ("CLIENT", "ID"))[0][1:-2])
    assert ida > 0 and idb > ida
    assert roundtrip(a, ("CLIENT", "ID")) == [b":%d\r\n" % ida]
    a.close()
    b.close()
    c = server.connect()
    assert int(roundtrip(c, ("CLIENT", "ID"))[0][1:-2]) > idb
    c.close()


def test_client_setname_getname(server):
    s = server.connect()
    assert roundtrip(s, ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "worker-1"),
                     ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "~!@#$%^&*()"),
                     ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", ""),
                     ("CLIENT", "GETNAME")) == [
        b"$-1\r\n", b"+OK\r\n", b"$8\r\nworker-1\r\n", b"+OK\r\n", b"$11\r\n~!@#$%^&*()\r\n",
        b"+OK\r\n", b"$-1\r\n"]
    s.close()


def test_client_setname_invalid(server):
    s = server.connect()
    assert roundtrip(s, ("CLIENT", "SETNAME", "ok"),
                     ("CLIENT", "SETNAME", "a b"), ("CLIENT", "SETNAME", "a\nb"),
                     ("CLIENT", "SETNAME", "a\x01"), ("CLIENT", "SETNAME", "a\x7f"),
                     ("CLIENT", "SETNAME", "caf\xe9"), ("CLIENT", "GETNAME"),
                     ("CLIENT", "SETNAME", "a", "b"), ("CLIENT", "GETNAME", "x")) == [
        b"+OK\r\n", BAD_NAME, BAD_NAME, BAD_NAME, BAD_NAME, BAD_NAME, b"$2\r\nok\r\n",
        b"-ERR wrong number of arguments for 'client|setname' command\r\n",
        b"-ERR wrong number of arguments for 'client|getname' command\r\n"]
    s.close()


def test_client_list_fields(server):
    s = server.connect()
    roundtrip(s, ("CLIENT", "SETNAME", "lister"), ("SELECT", "3"))
    my_id = int(roundtrip(s, ("CLIENT", "ID"))[0][1:-2])
    other = server.connect()
    roundtrip(other, ("PING",))
    text = bulk(roundtrip(s, ("CLIENT", "LIST"))[0])
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert len(lines) >= 2
    mine = [fields(ln) for ln in lines if fields(ln)["id"] == str(my_id)]
    assert len(mine) == 1
    f = mine[0]
    keys = list(f)
    order = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db"]
    assert keys[:len(order)] == order
    assert "cmd" in keys and keys.index("cmd") > keys.index("db")
    assert f["addr"] == addr_of(s)
    assert f["laddr"] == "127.0.0.1:%d" % server.port
    assert f["name"] == "lister"
    assert f["db"] == "3"
    assert f["flags"] == "N"
    assert f["cmd"] == "client|list"
    assert int(f["fd"]) > 0 and int(f["age"]) >= 0 and int(f["idle"]) >= 0
    theirs = [fields(ln) for ln in lines if fields(ln)["addr"] == addr_of(other)]
    assert len(theirs) == 1 and theirs[0]["cmd"] == "ping" and theirs[0]["name"] == ""
    s.close()
    other.close()


def test_client_list_type_and_id_filters(server):
    s, other = server.connect(), server.connect()
    my_id = int(roundtrip(s, ("CLIENT", "ID"))[0][1:-2])
    other_id = int(roundtrip(other, ("CLIENT", "ID"))[0][1:-2])
    normal = bulk(roundtrip(s, ("CLIENT", "LIST", "TYPE", "normal"))[0])
    ids = {fields(ln)["id"] for ln in normal.splitlines()}
    assert {str(my_id), str(other_id)} <= ids
    assert roundtrip(s, ("CLIENT", "LIST", "TYPE", "pubsub"), ("CLIENT", "LIST", "TYPE", "foo"),
                     ("CLIENT", "LIST", "ID", "999999999"), ("CLIENT", "LIST", "ID", "abc"),
                     ("CLIENT", "LIST", "ID"), ("CLIENT", "LIST", "foo")) == [
        b"$0\r\n\r\n", b"-ERR Unknown client type 'foo'\r\n", b"$0\r\n\r\n",
        b"-ERR Invalid client ID\r\n", b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"]
    one = bulk(roundtrip(s, ("CLIENT", "LIST", "ID", other_id))[0])
    assert one.count("\n") == 1 and fields(one.strip())["id"] == str(other_id)
    both = bulk(roundtrip(s, ("CLIENT", "LIST", "ID", my_id, other_id, 999999999))[0])
    assert sorted(fields(ln)["id"] for ln in both.splitlines()) == sorted(
        [str(my_id), str(other_id)])
    s.close()
    other.close()


def test_client_info(server):
    s = server.connect()
    roundtrip(s, ("CLIENT", "SETNAME", "me"))
    line = client_line(s)
    assert line.endswith("\n") and line.count("\n") == 1
    f = fields(line.strip())
    assert f["addr"] == addr_of(s) and f["name"] == "me" and f["cmd"] == "client|info"
    my_id = roundtrip(s, ("CLIENT", "ID"))[0][1:-2].decode()
    assert f["id"] == my_id
    s.close()


def test_client_info_after_idle(server):
    s = server.connect()
    roundtrip(s, ("PING",))
    other = server.connect()
    my_id = roundtrip(s, ("CLIENT", "ID"))[0][1:-2]
    time.sleep(1.1)
    line = bulk(roundtrip(other, ("CLIENT", "LIST", "ID", my_id))[0])
    f = fields(line.strip())
    assert int(f["idle"]) >= 1 and int(f["age"]) >= 1
    s.close()
    other.close()


def test_client_kill_old_form(server):
    killer, victim = server.connect(), server.connect()
    roundtrip(victim, ("PING",))
    assert roundtrip(killer, ("CLIENT", "KILL", addr_of(victim))) == [b"+OK\r\n"]
    assert read_until_closed(victim, timeout=3) == (b"", True)
    assert roundtrip(killer, ("CLIENT", "KILL", "1.2.3.4:5"), ("CLIENT", "KILL", "foo"),
                     ("CLIENT", "KILL", "ID")) == [
        b"-ERR No such client\r\n", b"-ERR No such client\r\n", b"-ERR No such client\r\n"]
    killer.close()
    victim.close()


def test_client_kill_by_id_and_addr(server):
    killer, v1, v2 = server.connect(), server.connect(), server.connect()
    id1 = roundtrip(v1, ("CLIENT", "ID"))[0][1:-2]
    roundtrip(v2, ("PING",))
    assert roundtrip(killer, ("CLIENT", "KILL", "ID", id1)) == [b":1\r\n"]
    assert read_until_closed(v1, timeout=3) == (b"", True)
    assert roundtrip(killer, ("CLIENT", "KILL", "ID", id1)) == [b":0\r\n"]
    assert roundtrip(killer, ("CLIENT", "KILL", "ADDR", addr_of(v2))) == [b":1\r\n"]
    assert read_until_closed(v2, timeout=3) == (b"", True)
    assert roundtrip(killer, ("CLIENT", "KILL", "ADDR", "1.2.3.4:5"),
                     ("CLIENT", "KILL", "ID", "999999999")) == [b":0\r\n", b":0\r\n"]
    for s in (killer, v1, v2):
        s.close()


def test_client_kill_laddr_and_skipme(server):
    killer = server.connect()
    victims = [server.connect() for _ in range(3)]
    for v in victims:
        roundtrip(v, ("PING",))
    laddr = "127.0.0.1:%d" % server.port
    # SKIPME defaults to yes: the caller survives
    got = roundtrip(killer, ("CLIENT", "KILL", "LADDR", laddr))[0]
    assert got.startswith(b":") and int(got[1:-2]) >= 3
    for v in victims:
        assert read_until_closed(v, timeout=3) == (b"", True)
        v.close()
    assert roundtrip(killer, ("PING",)) == [b"+PONG\r\n"]
    # SKIPME no: the caller gets the count, then is closed as well
    my_id = roundtrip(killer, ("CLIENT", "ID"))[0][1:-2]
    killer.sendall(b"CLIENT KILL ID %s SKIPME no\r\nPING\r\n" % my_id)
    assert read_until_closed(killer, timeout=3) == (b":1\r\n", True)
    killer.close()


def test_client_kill_type_normal(server):
    victims = [server.connect() for _ in range(2)]
    for v in victims:
        roundtrip(v, ("PING",))
    s = server.connect()
    n = int(roundtrip(s, ("CLIENT", "KILL", "TYPE", "normal"))[0][1:-2])
    assert n >= 2
    for v in victims:
        assert read_until_closed(v, timeout=3) == (b"", True)
        v.close()
    assert roundtrip(s, ("PING",)) == [b"+PONG\r\n"]
    s.close()


def test_client_kill_errors(server):
    s = server.connect()
    assert roundtrip(s, ("CLIENT", "KILL", "ID", "abc"), ("CLIENT", "KILL", "ID", "0"),
                     ("CLIENT", "KILL", "ID", "1", "SKIPME", "maybe"),
                     ("CLIENT", "KILL", "TYPE", "foo"),
                     ("CLIENT", "KILL", "ID", "1", "NOSUCHFILTER", "x"),
                     ("CLIENT", "KILL")) == [
        b"-ERR client-id should be greater than 0\r\n",
        b"-ERR client-id should be greater than 0\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR Unknown client type 'foo'\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR wrong number of arguments for 'client|kill' command\r\n"]
    s.close()


def test_client_unknown_subcommand(server):
    s = server.connect()
    assert roundtrip(s, ("CLIENT", "bar"), ("CLIENT",)) == [
        b"-ERR unknown subcommand 'bar'. Try CLIENT HELP.\r\n",
        b"-ERR wrong number of arguments for 'client' command\r\n"]
    s.close()


def test_client_list_reflects_disconnects(server):
    s = server.connect()
    gone = server.connect()
    gone_addr = addr_of(gone)
    roundtrip(gone, ("PING",))
    gone.close()
    wait_until(lambda: gone_addr not in bulk(roundtrip(s, ("CLIENT", "LIST"))[0]),
               what="the closed client to leave CLIENT LIST")
    s.close()


def test_client_via_redis_py(r):
    assert r.client_setname("pyclient")
    assert r.client_getname() == "pyclient"
    me = r.client_info()
    assert me["name"] == "pyclient" and re.fullmatch(r"\d+", str(me["id"]))
    assert any(c["name"] == "pyclient" for c in r.client_list())

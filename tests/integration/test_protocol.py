# SPDX-License-Identifier: BSD-3-Clause
#
# RESP request parsing over raw sockets: pipelining, fragmented writes, inline
# commands, big bulk strings, the bulk/query-buffer limits, and malformed input.
# Every malformed request must get Redis 7.0's exact error, close only that
# connection, leave other clients served and not leak memory.
import hashlib
import random
import socket
import time

import pytest

from conftest import encode, read_reply, roundtrip
from helpers_server import read_until_closed, send_bad, used_memory, wait_until

PROTO = b"-ERR Protocol error: "


# --- well-formed input --------------------------------------------------------

def test_pipeline_1000_commands_in_one_write(server):
    s = server.connect()
    cmds = []
    for i in range(1000):
        if i % 2:
            cmds.append(encode("INCR", "counter"))
        else:
            cmds.append(encode("ECHO", "e%d" % i))
    s.sendall(b"".join(cmds))
    rest = b""
    n = 0
    for i in range(1000):
        raw, rest = read_reply(s, rest)
        if i % 2:
            n += 1
            assert raw == b":%d\r\n" % n
        else:
            e = b"e%d" % i
            assert raw == b"$%d\r\n%s\r\n" % (len(e), e)
    assert rest == b""
    s.close()


def test_pipeline_mixed_inline_and_multibulk(server):
    s = server.connect()
    s.sendall(b"SET a 1\r\n" + encode("INCR", "a") + b"GET a\r\n" + encode("PING"))
    rest = b""
    got = []
    for _ in range(4):
        raw, rest = read_reply(s, rest)
        got.append(raw)
    assert got == [b"+OK\r\n", b":2\r\n", b"$1\r\n2\r\n", b"+PONG\r\n"]
    s.close()


def test_command_split_byte_by_byte(server):
    s = server.connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = encode("SET", "split", "value-split") + b"PING\r\n" + encode("GET", "split")
    for i in range(len(req)):
        s.sendall(req[i:i + 1])
        time.sleep(0.001)
    rest = b""
    got = []
    for _ in range(3):
        raw, rest = read_reply(s, rest)
        got.append(raw)
    assert got == [b"+OK\r\n", b"+PONG\r\n", b"$11\r\nvalue-split\r\n"]
    s.close()


def test_bulk_split_across_writes_at_every_boundary(server):
    s = server.connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = encode("SET", "k", "x" * 100)
    for cut in (1, 4, 5, 8, 9, 12, 13, 16, 20, 22, 50, len(req) - 2, len(req) - 1):
        s.sendall(req[:cut])
        time.sleep(0.005)
        s.sendall(req[cut:])
        assert read_reply(s)[0] == b"+OK\r\n"
    s.close()


def test_inline_commands_quotes_and_escapes(server):
    s = server.connect()

    def inline(line):
        s.sendall(line)
        raw, rest = read_reply(s)
        assert rest == b""
        return raw

    assert inline(b"SET \"my key\" 'it\\'s'\r\n") == b"+OK\r\n"
    assert inline(encode("GET", "my key")) == b"$4\r\nit's\r\n"
    # double quotes: \xHH, \n, \" are escapes; an invalid \x escape keeps the x
    assert inline(b'ECHO "a\\x41\\n\\"b"\r\n') == b'$5\r\naA\n"b\r\n'
    assert inline(b'ECHO "\\x4"\r\n') == b"$2\r\nx4\r\n"
    # single quotes: only \' is an escape
    assert inline(b"ECHO 'a\\'b\\n'\r\n") == b"$5\r\na'b\\n\r\n"
    assert inline(b'ECHO ""\r\n') == b"$0\r\n\r\n"
    # spaces and tabs separate arguments; leading/trailing blanks are ignored
    assert inline(b"   PING   \r\n") == b"+PONG\r\n"
    assert inline(b"ECHO a\tb\r\n") == b"-ERR wrong number of arguments for 'echo' command\r\n"
    # a bare LF ends an inline command too
    assert inline(b"PING\n") == b"+PONG\r\n"
    # lower case command names work
    assert inline(b"ping hello\r\n") == b"$5\r\nhello\r\n"
    assert inline(b"EXISTS \"my key\"\r\n") == b":1\r\n"
    s.close()


def test_long_inline_command_under_the_limit(server):
    s = server.connect()
    s.sendall(b"ECHO " + b"a" * 60000 + b"\r\n")
    raw, _ = read_reply(s)
    assert raw == b"$60000\r\n" + b"a" * 60000 + b"\r\n"
    s.close()


def test_empty_lines_and_empty_multibulk_are_ignored(server):
    s = server.connect()
    s.sendall(b"\r\n\r\n\n*0\r\n   \r\n*-1\r\n*-5\r\n*0\r\nPING\r\n")
    data, closed = read_until_closed(s, timeout=2, quiet=0.3)
    assert (data, closed) == (b"+PONG\r\n", False)
    s.close()


def test_large_multibulk_count_is_accepted(server):
    # an authenticated client may announce more than 1M arguments: the server
    # waits for them instead of erroring
    s = server.connect()
    s.sendall(b"*1048577\r\n")
    data, closed = read_until_closed(s, timeout=0.5)
    assert (data, closed) == (b"", False)
    s.close()


def test_bulk_terminator_bytes_are_not_checked(server):
    # Redis skips the two bytes after a bulk payload without checking for CRLF
    s = server.connect()
    s.sendall(b"*1\r\n$4\r\nPINGxy*1\r\n$2\r\nabXY")
    data, closed = read_until_closed(s, timeout=2, quiet=0.3)
    assert data == b"+PONG\r\n-ERR unknown command 'ab', with args beginning with: \r\n"
    assert not closed
    s.close()


def test_empty_bulk_command_name(server):
    s = server.connect()
    assert roundtrip(s, b"*1\r\n$0\r\n\r\n") == [
        b"-ERR unknown command '', with args beginning with: \r\n"]
    s.close()


def test_set_get_50mb_in_pieces(server):
    size = 50 * 1024 * 1024
    chunk = bytes(range(256)) * 4096  # 1 MB
    s = server.connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % size)
    digest = hashlib.sha1()
    for _ in range(size // len(chunk)):
        s.sendall(chunk)
        digest.update(chunk)
    s.sendall(b"\r\n")
    assert read_reply(s)[0] == b"+OK\r\n"
    assert roundtrip(s, ("STRLEN", "big")) == [b":%d\r\n" % size]
    s.sendall(encode("GET", "big"))
    header = b"$%d\r\n" % size
    body = bytearray()
    while len(body) < len(header) + size + 2:
        chunk = s.recv(1 << 20)
        assert chunk, "connection closed during the big GET reply"
        body += chunk
    assert len(body) == len(header) + size + 2
    assert body[:len(header)] == header and body.endswith(b"\r\n")
    assert hashlib.sha1(body[len(header):-2]).hexdigest() == digest.hexdigest()
    assert roundtrip(s, ("GETRANGE", "big", size - 3, -1)) == [b"$3\r\n\xfd\xfe\xff\r\n"]
    s.close()


# --- limits -----------------------------------------------------------------

def test_proto_max_bulk_len(server, r):
    r.config_set("proto-max-bulk-len", "1mb")
    try:
        assert r.config_get("proto-max-bulk-len") == {"proto-max-bulk-len": "1048576"}
        # exactly the limit is fine
        s = server.connect()
        value = b"v" * 1048576
        assert roundtrip(s, ("SET", "k", value)) == [b"+OK\r\n"]
        s.close()
        reply, closed = send_bad(server, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
        assert reply == PROTO + b"invalid bulk length\r\n"
        assert closed
        assert r.ping()
    finally:
        r.config_set("proto-max-bulk-len", "512mb")


def test_proto_max_bulk_len_minimum(r):
    with pytest.raises(Exception) as e:
        r.config_set("proto-max-bulk-len", "1000")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument "
                            "'proto-max-bulk-len') - argument must be between 1048576 and "
                            "9223372036854775807 inclusive")


def test_client_query_buffer_limit(server, r):
    other = server.connect()
    r.config_set("client-query-buffer-limit", "1mb")
    try:
        s = server.connect()
        total = 128 << 20
        s.sendall(b"*3\r\n$3\r\nSET\r\n$5\r\nqbkey\r\n$%d\r\n" % total)
        sent = 0
        piece = b"a" * 65536
        try:
            while sent < total:
                s.sendall(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data, closed = read_until_closed(s, timeout=5)
        assert closed, "a client over client-query-buffer-limit must be disconnected"
        assert data == b""
        # closed long before the whole value was taken in: 1 MB of query buffer plus
        # what the socket buffers absorb (tcp_rmem/tcp_wmem maxima, tens of MB at most)
        assert sent < total // 2
        s.close()
        assert roundtrip(other, ("PING",)) == [b"+PONG\r\n"]
        assert r.exists("qbkey") == 0
    finally:
        r.config_set("client-query-buffer-limit", "1gb")
        other.close()


# --- malformed input ----------------------------------------------------------

BAD_INPUTS = [
    ("negative-bulk-length", b"*1\r\n$-5\r\n", PROTO + b"invalid bulk length\r\n"),
    ("null-bulk-in-request", b"*1\r\n$-1\r\n", PROTO + b"invalid bulk length\r\n"),
    ("huge-bulk-length", b"*1\r\n$99999999999999\r\n", PROTO + b"invalid bulk length\r\n"),
    ("bulk-over-512mb", b"*1\r\n$536870913\r\n", PROTO + b"invalid bulk length\r\n"),
    ("bulk-length-not-a-number", b"*1\r\n$abc\r\n", PROTO + b"invalid bulk length\r\n"),
    ("bulk-length-trailing-junk", b"*1\r\n$3x\r\nabc\r\n", PROTO + b"invalid bulk length\r\n"),
    ("bulk-length-plus-sign", b"*1\r\n$+4\r\nPING\r\n", PROTO + b"invalid bulk length\r\n"),
    ("bulk-length-leading-zero", b"*1\r\n$04\r\nPING\r\n", PROTO + b"invalid bulk length\r\n"),
    ("bulk-length-empty", b"*1\r\n$\r\n", PROTO + b"invalid bulk length\r\n"),
    ("multibulk-2^31", b"*2147483648\r\n", PROTO + b"invalid multibulk length\r\n"),
    ("multibulk-not-a-number", b"*abc\r\n", PROTO + b"invalid multibulk length\r\n"),
    ("multibulk-empty", b"*\r\n", PROTO + b"invalid multibulk length\r\n"),
    ("multibulk-leading-zero", b"*01\r\n$4\r\nPING\r\n", PROTO + b"invalid multibulk length\r\n"),
    ("multibulk-space", b"* 1\r\n", PROTO + b"invalid multibulk length\r\n"),
    ("missing-dollar", b"*1\r\nx3\r\nfoo\r\n", PROTO + b"expected '$', got 'x'\r\n"),
    ("missing-dollar-colon", b"*2\r\n$4\r\nECHO\r\n:5\r\n", PROTO + b"expected '$', got ':'\r\n"),
    ("unbalanced-double-quote", b'SET "a b\r\n', PROTO + b"unbalanced quotes in request\r\n"),
    ("unbalanced-single-quote", b"ECHO 'a\r\n", PROTO + b"unbalanced quotes in request\r\n"),
    ("quote-followed-by-char", b'ECHO "a"b\r\n', PROTO + b"unbalanced quotes in request\r\n"),
    ("inline-over-64k", b"x" * 70000, PROTO + b"too big inline request\r\n"),
    ("mbulk-count-line-over-64k", b"*" + b"1" * 70000,
     PROTO + b"too big mbulk count string\r\n"),
    ("bulk-count-line-over-64k", b"*1\r\n$" + b"1" * 70000,
     PROTO + b"too big bulk count string\r\n"),
    ("valid-then-bad", b"PING\r\n*1\r\n$-5\r\nPING\r\n",
     b"+PONG\r\n" + PROTO + b"invalid bulk length\r\n"),
]


@pytest.mark.parametrize("payload,expected", [(p, e) for _, p, e in BAD_INPUTS],
                         ids=[n for n, _, _ in BAD_INPUTS])
def test_bad_input_error_close_no_leak(server, r, payload, expected):
    bystander = server.connect()
    assert roundtrip(bystander, ("PING",)) == [b"+PONG\r\n"]
    base = used_memory(r)
    for i in range(200):
        reply, closed = send_bad(server, payload)
        assert reply == expected, f"repetition {i}"
        assert closed, f"repetition {i}: connection left open"
    assert roundtrip(bystander, ("SET", "still", "served"), ("GET", "still")) == [
        b"+OK\r\n", b"$6\r\nserved\r\n"]
    slack = 128 * 1024
    wait_until(lambda: used_memory(r) <= base + slack, timeout=3,
               what=f"used_memory back near {base} (+{slack})")
    bystander.close()


def test_bad_input_discards_rest_of_pipeline(server, r):
    reply, closed = send_bad(server, b"*1\r\n$-5\r\nSET after 1\r\n")
    assert closed and reply == PROTO + b"invalid bulk length\r\n"
    assert r.exists("after") == 0


def test_unbalanced_quotes_discards_rest(server, r):
    reply, closed = send_bad(server, b'SET x "1\r\nSET y 2\r\n')
    assert closed and reply == PROTO + b"unbalanced quotes in request\r\n"
    assert r.exists("x", "y") == 0


def garbage(seed, n=4096):
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(n))


def test_binary_garbage_survives_and_does_not_leak(server, r):
    bystander = server.connect()
    assert roundtrip(bystander, ("PING",)) == [b"+PONG\r\n"]
    clients = r.info("clients")["connected_clients"]
    base = used_memory(r)
    for rep in range(200):
        s = server.connect()
        try:
            s.sendall(garbage(rep % 20))
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.close()
    assert roundtrip(bystander, ("PING",)) == [b"+PONG\r\n"]
    wait_until(lambda: r.info("clients")["connected_clients"] == clients, timeout=5,
               what="garbage connections closed")
    wait_until(lambda: used_memory(r) <= base + 128 * 1024, timeout=3,
               what="used_memory back to its level before the garbage")
    bystander.close()


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 9, 14, 15])
def test_binary_garbage_replies_match_redis(server, oracle, seed):
    """The same seeded garbage gets byte-identical replies from redis-server."""
    data = garbage(seed)

    def replies(srv):
        s = srv.connect()
        s.sendall(data)
        out = read_until_closed(s, timeout=1, quiet=0.3)
        s.close()
        return out

    assert replies(server) == replies(oracle)


def test_star_garbage_gets_multibulk_error(server):
    rnd = random.Random(42)
    body = bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz!@#%^&()") for _ in range(20))
    reply, closed = send_bad(server, b"*" + body + b"\r\n" + garbage(5))
    assert (reply, closed) == (PROTO + b"invalid multibulk length\r\n", True)


def test_disconnect_mid_command_and_mid_bulk(server, r):
    clients = r.info("clients")["connected_clients"]
    base = used_memory(r)
    partials = [
        b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$10\r\nabc",
        b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n",
        b"*3\r\n$3\r\nSET\r\n$4\r\nha",
        b"*3\r\n$3",
        b"SET half value",
        b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5000000\r\n" + b"z" * 1000000,
    ]
    for _ in range(20):
        for p in partials:
            s = server.connect()
            s.sendall(p)
            s.close()
    s = server.connect()
    s.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5000000\r\n" + b"z" * 1000000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()  # RST instead of FIN
    wait_until(lambda: r.info("clients")["connected_clients"] == clients, timeout=5,
               what="half-sent clients to be dropped")
    assert r.exists("half") == 0
    assert r.ping()
    wait_until(lambda: used_memory(r) <= base + 128 * 1024, timeout=3,
               what="used_memory back after aborted commands")


# --- error replies for well-formed requests -------------------------------------

def test_unknown_command_error_text(server):
    s = server.connect()
    assert roundtrip(s, ("foo", "a", "b"), ("foo",), ("FOO", "x y")) == [
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
        b"-ERR unknown command 'foo', with args beginning with: \r\n",
        b"-ERR unknown command 'FOO', with args beginning with: 'x y' \r\n",
    ]
    s.close()


def test_unknown_command_error_truncation(server):
    s = server.connect()
    long_name = "f" * 200
    got = roundtrip(s, ("foo", "a" * 200, "b", "c"), (long_name, "b", "c"),
                    ("foo", "bar" + "x" * 60, "y" * 70, "z"))
    assert got == [
        b"-ERR unknown command 'foo', with args beginning with: '" + b"a" * 128 + b"' \r\n",
        b"-ERR unknown command '" + b"f" * 128 + b"', with args beginning with: 'b' 'c' \r\n",
        b"-ERR unknown command 'foo', with args beginning with: 'bar" + b"x" * 60 + b"' '"
        + b"y" * 62 + b"' \r\n",
    ]
    s.close()


def test_unknown_command_name_stops_at_nul(server):
    # the error text is formatted as a C string: a NUL ends the name or argument
    s = server.connect()
    assert roundtrip(s, ("PI\x00G", "a\x00b", "c")) == [
        b"-ERR unknown command 'PI', with args beginning with: 'a' 'c' \r\n"]
    s.close()


def test_inline_nul_before_newline_is_never_complete(server):
    # Redis looks for the inline newline with strchr(): a NUL before it hides it,
    # so the request stays incomplete until the 64 KB inline limit is crossed
    s = server.connect()
    s.sendall(b"ECHO a\x00b\r\nPING\r\n")
    assert read_until_closed(s, timeout=0.4) == (b"", False)
    s.sendall(b"y" * 70000)
    assert read_until_closed(s, timeout=3) == (PROTO + b"too big inline request\r\n", True)
    s.close()


def test_error_text_newlines_become_spaces(server):
    s = server.connect()
    assert roundtrip(s, ("fo\no", "a\r\nbc")) == [
        b"-ERR unknown command 'fo o', with args beginning with: 'a  bc' \r\n"]
    s.close()


def test_arity_errors(server):
    s = server.connect()
    assert roundtrip(s, ("GET",), ("GET", "a", "b"), ("SET", "k"), ("ECHO",),
                     ("CONFIG", "SET", "x"), ("CLIENT",), ("PING", "a", "b")) == [
        b"-ERR wrong number of arguments for 'get' command\r\n",
        b"-ERR wrong number of arguments for 'get' command\r\n",
        b"-ERR wrong number of arguments for 'set' command\r\n",
        b"-ERR wrong number of arguments for 'echo' command\r\n",
        b"-ERR wrong number of arguments for 'config|set' command\r\n",
        b"-ERR wrong number of arguments for 'client' command\r\n",
        b"-ERR wrong number of arguments for 'ping' command\r\n",
    ]
    s.close()


def test_unknown_subcommand_error_text(server):
    s = server.connect()
    assert roundtrip(s, ("CONFIG", "FOO"), ("CLIENT", "setnam"), ("COMMAND", "foo")) == [
        b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n",
        b"-ERR unknown subcommand 'setnam'. Try CLIENT HELP.\r\n",
        b"-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n",
    ]
    s.close()


def test_quit_replies_ok_then_closes(server, r):
    s = server.connect()
    s.sendall(encode("QUIT") + encode("SET", "afterquit", "1"))
    data, closed = read_until_closed(s, timeout=3)
    assert (data, closed) == (b"+OK\r\n", True)
    s.close()
    s = server.connect()
    s.sendall(b"QUIT with args\r\n")
    assert read_until_closed(s, timeout=3) == (b"+OK\r\n", True)
    s.close()
    assert r.exists("afterquit") == 0

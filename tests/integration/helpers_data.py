# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers for the keyspace and string tests (test_strings, test_keys,
# test_expire, test_scan, test_oracle_data): a raw-socket client that returns
# the exact reply bytes (redis-py strips the "ERR " prefix from errors, so exact
# error text is checked here), builders for expected RESP replies, and polling
# with a deadline instead of fixed sleeps.
import time

import pytest

from conftest import read_reply, roundtrip

OK = b"+OK\r\n"
NIL = b"$-1\r\n"
EMPTY_ARRAY = b"*0\r\n"


def error(text):
    """The raw reply for an error line, e.g. error("ERR syntax error")."""
    return b"-" + text.encode() + b"\r\n"


def bulk(value):
    if isinstance(value, str):
        value = value.encode()
    return b"$%d\r\n%s\r\n" % (len(value), value)


def integer(n):
    return b":%d\r\n" % n


def array(*items):
    """An array of already-encoded replies."""
    return b"*%d\r\n" % len(items) + b"".join(items)


def syntax_error():
    return error("ERR syntax error")


def arity_error(command):
    return error(f"ERR wrong number of arguments for '{command}' command")


NOT_INTEGER = error("ERR value is not an integer or out of range")


def invalid_expire(command):
    return error(f"ERR invalid expire time in '{command}' command")


class Raw:
    """One raw connection: calling it with arguments sends one command and
    returns the raw reply bytes; many() pipelines several commands in one write."""

    def __init__(self, server):
        self.sock = server.connect()

    def __call__(self, *args):
        return roundtrip(self.sock, args)[0]

    def many(self, *commands):
        return roundtrip(self.sock, *commands)

    def send_bytes(self, data):
        """Writes data as is and returns one reply."""
        self.sock.sendall(data)
        return read_reply(self.sock)[0]

    def close(self):
        self.sock.close()


@pytest.fixture
def raw(server):
    """A raw connection to the module's shared (flushed) server."""
    conn = Raw(server)
    yield conn
    conn.close()


def wait_until(predicate, timeout=5.0, interval=0.01):
    """Polls predicate until it returns a true value (returned) or the deadline
    passes (then the last value is returned, so the caller's assert shows it)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def info_field(client, section, field):
    """One field of INFO <section> as redis-py parsed it."""
    return client.info(section)[field]

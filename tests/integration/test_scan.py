# SPDX-License-Identifier: BSD-3-Clause
#
# SCAN with Redis 7.0 semantics: the reply shape, MATCH/COUNT/TYPE, the
# guarantee that a full iteration returns every key present for the whole scan
# at least once (also while the table grows and rehashes under it), and the
# cursor and option errors.
import time

import helpers_data
from helpers_data import NOT_INTEGER, arity_error, error, syntax_error

raw = helpers_data.raw  # the `raw` fixture: a raw connection to the shared server

INVALID_CURSOR = error("ERR invalid cursor")


def fill(r, names, value="v"):
    """Sets every key in names with MSETs of 1000 keys."""
    names = list(names)
    with r.pipeline(transaction=False) as p:
        for i in range(0, len(names), 1000):
            p.mset({n: value for n in names[i:i + 1000]})
        p.execute()


def scan_all(r, **kwargs):
    """Runs a full iteration; returns (every key returned, in order, number of calls)."""
    seen, cursor, calls = [], 0, 0
    while True:
        cursor, keys = r.scan(cursor, **kwargs)
        seen.extend(keys)
        calls += 1
        if cursor == 0:
            return seen, calls


def test_scan_empty_db(raw):
    assert raw("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"


def test_scan_reply_shape(r, raw):
    r.set("only", "v")
    assert raw("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*1\r\n$4\r\nonly\r\n"


def test_scan_full_iteration(r):
    names = {f"key:{i}".encode() for i in range(1000)}
    fill(r, names)
    seen, calls = scan_all(r, count=10)
    assert set(seen) == names
    assert calls > 1
    # the default COUNT (10) too
    seen, _ = scan_all(r)
    assert set(seen) == names


def test_scan_cursor_is_a_decimal_string(r, raw):
    fill(r, (f"k{i}" for i in range(100)))
    reply = raw("SCAN", "0", "COUNT", "5")
    head, cursor_len, cursor = reply.split(b"\r\n")[:3]
    assert head == b"*2"
    assert cursor_len == b"$%d" % len(cursor)
    assert cursor.isdigit() and cursor != b"0"


def test_scan_match(r):
    users = {f"user:{i}".encode() for i in range(500)}
    fill(r, users)
    fill(r, (f"other:{i}" for i in range(500)))
    seen, _ = scan_all(r, match="user:*", count=20)
    assert set(seen) == users
    seen, _ = scan_all(r, match="user:1?", count=1000)
    assert set(seen) == {f"user:1{d}".encode() for d in range(10)}
    seen, _ = scan_all(r, match="nothing*", count=100)
    assert seen == []


def test_scan_match_filters_after_count(r):
    # MATCH filters the keys COUNT visited, so a page can be empty while the
    # iteration is not over
    fill(r, (f"a{i}" for i in range(1000)))
    r.set("needle", "v")
    seen, calls = scan_all(r, match="needle", count=10)
    assert seen == [b"needle"]
    assert calls > 1


def test_scan_type(r, raw):
    fill(r, (f"k{i}" for i in range(100)))
    seen, _ = scan_all(r, _type="string", count=50)
    assert len(set(seen)) == 100
    seen, _ = scan_all(r, _type="STRING", count=50)
    assert len(set(seen)) == 100
    for other in ("list", "hash", "set", "zset", "stream"):
        seen, _ = scan_all(r, _type=other, count=50)
        assert seen == [], other
    # an unknown type name is not an error: it matches nothing
    seen, _ = scan_all(r, _type="nosuchtype", count=50)
    assert seen == []


def test_scan_match_count_type_together(r, raw):
    fill(r, ["a1", "a2", "b1"])
    reply = raw("SCAN", "0", "MATCH", "a*", "COUNT", "100", "TYPE", "string")
    assert reply.startswith(b"*2\r\n$1\r\n0\r\n*2\r\n")
    assert sorted(reply.split(b"\r\n")[5:8:2]) == [b"a1", b"a2"]
    reply = raw("SCAN", "0", "type", "string", "count", "100", "match", "b*")
    assert reply == b"*2\r\n$1\r\n0\r\n*1\r\n$2\r\nb1\r\n"


def test_scan_only_current_db(server, r):
    fill(r, (f"k{i}" for i in range(10)))
    db3 = server.client(db=3)
    try:
        db3.set("in3", "v")
        seen, _ = scan_all(db3, count=100)
        assert seen == [b"in3"]
    finally:
        db3.close()


def test_scan_binary_key_names(r):
    names = {b"a\x00b", b"c\r\nd", b"\xff\xfe", b""}
    for n in names:
        r.set(n, "v")
    seen, _ = scan_all(r, count=100)
    assert set(seen) == names


def test_scan_while_table_grows(r):
    # keys present for the whole scan must all be returned even though the
    # table is resized (and rehashed incrementally) several times meanwhile
    original = [f"orig:{i}".encode() for i in range(20000)]
    fill(r, original)
    added = (f"new:{i}" for i in range(20000))
    seen, cursor, calls = set(), 0, 0
    while True:
        cursor, keys = r.scan(cursor, count=100)
        seen.update(keys)
        calls += 1
        batch = [k for _, k in zip(range(500), added)]
        if batch:
            r.mset({k: "v" for k in batch})
        if cursor == 0:
            break
    assert calls > 40
    assert r.dbsize() == 40000
    missing = [k for k in original if k not in seen]
    assert missing == []


def test_scan_while_table_shrinks(r):
    # keys present for the whole scan are returned even while most of the
    # others are deleted (the table shrinks under the cursor)
    keep = [f"keep:{i}".encode() for i in range(2000)]
    doomed = [f"gone:{i}".encode() for i in range(18000)]
    fill(r, keep + doomed)
    seen, cursor = set(), 0
    pending = iter(doomed)
    while True:
        cursor, keys = r.scan(cursor, count=100)
        seen.update(keys)
        batch = [k for _, k in zip(range(1000), pending)]
        if batch:
            r.delete(*batch)
        if cursor == 0:
            break
    assert [k for k in keep if k not in seen] == []


def test_scan_skips_expired_keys(r):
    r.set("alive", "v")
    r.set("dying", "v", px=1)
    time.sleep(0.01)
    seen, _ = scan_all(r, count=100)
    assert seen == [b"alive"]


def test_scan_cursor_errors(r, raw):
    for cursor in ("abc", "1.5", " 1", "1 ", "18446744073709551616", "0x10", "1a"):
        assert raw("SCAN", cursor) == INVALID_CURSOR, cursor
    # the cursor is parsed like strtoul: its largest value is valid, and so are
    # a negative number, a leading '+' and leading zeros
    for cursor in ("18446744073709551615", "-1", "+1", "007"):
        reply = raw("SCAN", cursor)
        assert reply.startswith(b"*2\r\n$"), cursor
    # an empty cursor is cursor 0: the iteration starts over
    r.set("k", "v")
    assert raw("SCAN", "") == raw("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"
    assert raw("SCAN", "00") == raw("SCAN", "-0") == raw("SCAN", "0")
    assert raw("SCAN") == arity_error("scan")


def test_scan_option_errors(raw):
    assert raw("SCAN", "0", "COUNT", "0") == syntax_error()
    assert raw("SCAN", "0", "COUNT", "-1") == syntax_error()
    assert raw("SCAN", "0", "COUNT", "abc") == NOT_INTEGER
    assert raw("SCAN", "0", "COUNT") == syntax_error()
    assert raw("SCAN", "0", "MATCH") == syntax_error()
    assert raw("SCAN", "0", "TYPE") == syntax_error()
    assert raw("SCAN", "0", "FOO", "bar") == syntax_error()
    assert raw("SCAN", "0", "MATCH", "*", "FOO") == syntax_error()
    # the cursor is checked before the options
    assert raw("SCAN", "abc", "COUNT", "0") == INVALID_CURSOR
